//===- InferUtils.h - helpers of the edge ops' inference --------*- C++ -*-===//
//
// Shared by the files that implement the edge ops' result-type inference
// and verification (EdgeOps.cpp, EdgeImageOps.cpp, EdgeIndexingOps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef EDGEC_DIALECTS_EDGE_IR_INFERUTILS_H
#define EDGEC_DIALECTS_EDGE_IR_INFERUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>

namespace edge::detail {

using Loc = std::optional<mlir::Location>;

/// `v`'s type as a ranked tensor, or null.
mlir::RankedTensorType tensorOf(mlir::Value v);
/// Fails (with a message at `loc`) unless every operand has a static shape.
mlir::LogicalResult requireStatic(Loc loc, mlir::ValueRange values);
/// "2x3x4" ("scalar" for rank 0).
std::string shapeStr(llvm::ArrayRef<int64_t> shape);

} // namespace edge::detail

#endif // EDGEC_DIALECTS_EDGE_IR_INFERUTILS_H
