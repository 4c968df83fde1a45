//===- EdgeOps.h - the edge graph dialect -----------------------*- C++ -*-===//
#ifndef EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H
#define EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
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

/// Marks the scf.for that runs the middle row bands of a patch-executed
/// stage (edge-patch-execution). Memory planning treats its body as a scope
/// of its own: a buffer of one band lives only within the iteration.
constexpr const char *kPatchLoopAttrName = "edge.patch_loop";

/// The arena plan edge-plan-memory leaves on the function for the report:
/// one dictionary per arena buffer {offset, bytes, start, end}, the live
/// range in op positions (program order); the buffer's memref.view carries
/// its index in the plan as kBufferAttrName (its location names the node).
constexpr const char *kMemoryPlanAttrName = "edge.memory_plan";
constexpr const char *kBufferAttrName = "edge.buffer";

/// The ONNX node names a location carries: the importer's NameLoc, several
/// in a FusedLoc after a fusion.
void nodeNames(mlir::Location loc, llvm::SmallVectorImpl<llvm::StringRef> &out);

/// The ONNX node an op came from (the first of its location's names), or
/// the op's name when it has none: how reports and remarks name a layer.
std::string layerName(mlir::Operation *op);

/// Checks constraints Q1-Q3 of a quantized tensor type (see EdgeOps.td),
/// and Q4 against `expressed` when given; reports through `emitError`.
mlir::LogicalResult
verifyQuantizedTensor(mlir::RankedTensorType type, mlir::Type expressed,
                      llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// The storage element type of a quantized element type as ONNX sees it:
/// i8 / ui8 / i16 ... (signedness from the quantized type's flags).
mlir::IntegerType storageElementType(mlir::quant::QuantizedType type);

/// The zero points of a sub-channel quantized type as integers of its
/// storage's signedness. (MLIR prints them signed, and its parser may leave
/// the sign extended past the storage width: only those bits are read.)
llvm::SmallVector<int64_t>
subChannelZeroPoints(mlir::quant::UniformQuantizedSubChannelType type);

/// Numpy-style broadcast of two static shapes; failure if incompatible.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// The taps one output coordinate of edge.resize reads along a dimension
/// resampled by `scale` with `mode` (nearest, linear, cubic); antialiasing
/// widens the filter by 1 / scale when downsampling.
int64_t resizeTapCount(llvm::StringRef mode, bool antialias, double scale);
} // namespace edge

#endif // EDGEC_DIALECTS_EDGE_IR_EDGEOPS_H
