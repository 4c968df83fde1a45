//===- EdgeOps.h - the edge graph dialect -----------------------*- C++ -*-===//
#ifndef EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H
#define EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Edge/IR/EdgeDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Edge/IR/EdgeAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Edge/IR/EdgeOps.h.inc"

namespace edge {
/// The most elements one tensor may have, and the bound of window sizes,
/// strides and pads: every buffer lives in one arena of a 32-bit-addressable
/// device (2^31 floats are 8 GiB). Larger shapes, usually a corrupt
/// dimension, are refused instead of compiled.
constexpr int64_t kMaxElements = int64_t(1) << 31;

/// Numpy-style broadcast of two static shapes; failure if incompatible.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);
} // namespace edge

#endif // EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H
