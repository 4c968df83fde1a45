//===- EdgeIndexingOps.cpp - inference and verification: indexing ops ----===//
//
// edge.gather_elements, edge.scatter_nd, edge.bitcast and edge.top_k.
//
//===----------------------------------------------------------------------===//

#include "dialects/Edge/IR/EdgeOps.h"
#include "dialects/Edge/IR/InferUtils.h"

using namespace mlir;
using namespace edge;
using namespace edge::detail;

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto data = tensorOf(adaptor.getData());
  auto idx = tensorOf(adaptor.getIndices());
  if (failed(requireStatic(loc, {adaptor.getData(), adaptor.getIndices()})))
    return failure();
  int64_t axis = adaptor.getAxis();
  if (idx.getRank() != data.getRank() || axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "indices must have the data's rank and axis "
                                  "must be one of its dimensions");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && idx.getDimSize(d) > data.getDimSize(d))
      return emitOptionalError(loc, "indices dim ", d, " (",
                               idx.getDimSize(d), ") is larger than the data's (",
                               data.getDimSize(d), ")");
  types.push_back(data.clone(idx.getShape()));
  return success();
}

LogicalResult BitcastOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(requireStatic(loc, {adaptor.getInput()})))
    return failure();
  types.push_back(in.clone(adaptor.getTo()));
  return success();
}

LogicalResult BitcastOp::verify() {
  auto width = [](Type t) -> unsigned {
    return t.isInteger(1) ? 8 : t.getIntOrFloatBitWidth();
  };
  Type from = getInput().getType().getElementType(), to = getTo();
  if (!from.isIntOrFloat() || !to.isIntOrFloat() || width(from) != width(to))
    return emitOpError("C26: ") << from << " and " << to
                                << " do not have the same width";
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto data = tensorOf(adaptor.getData());
  auto idx = tensorOf(adaptor.getIndices());
  auto upd = tensorOf(adaptor.getUpdates());
  if (failed(requireStatic(loc, {adaptor.getData(), adaptor.getIndices(),
                                 adaptor.getUpdates()})))
    return failure();
  if (idx.getRank() < 1)
    return emitOptionalError(loc, "C24: indices must have rank 1 or more");
  int64_t m = idx.getDimSize(idx.getRank() - 1);
  if (m < 1 || m > data.getRank())
    return emitOptionalError(loc, "C24: index tuples of ", m,
                             " entries do not fit data of rank ",
                             data.getRank());
  SmallVector<int64_t> expected(idx.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(m));
  if (upd.getShape() != ArrayRef<int64_t>(expected))
    return emitOptionalError(loc, "C24: updates must have shape ",
                             shapeStr(expected));
  if (upd.getElementType() != data.getElementType())
    return emitOptionalError(loc, "C24: updates must have the data's type");
  types.push_back(data);
  return success();
}

LogicalResult ScatterNDOp::verify() {
  StringRef r = getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOpError("C25: reduction must be none, add, mul, max or min, "
                       "not '")
           << r << "'";
  if (r != "none" && getData().getType().getElementType().isInteger(1))
    return emitOpError("C25: a reduction on bool tensors");
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(requireStatic(loc, adaptor.getInput())))
    return failure();
  if (in.getRank() < 1)
    return emitOptionalError(loc, "C27: the input must have rank 1 or more");
  int64_t n = in.getShape().back(), k = adaptor.getK();
  if (k < 0 || k > n)
    return emitOptionalError(loc, "C27: k (", k, ") is not in [0, ", n, "]");
  SmallVector<int64_t> shape(in.getShape());
  shape.back() = k;
  types.push_back(in.clone(shape));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}
