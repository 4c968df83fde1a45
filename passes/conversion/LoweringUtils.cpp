//===- LoweringUtils.cpp - helpers shared by the edge to linalg patterns --===//
#include "passes/conversion/LoweringUtils.h"

#include <cstring>

namespace edgec::lowering {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value empty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et) {
  return tensor::EmptyOp::create(b, loc, shape, et);
}

Value scalarConst(OpBuilder &b, Location loc, Type et, double v) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  unsigned width = et.getIntOrFloatBitWidth();
  // Values are given as doubles; integer ones are exact up to 2^53 and are
  // truncated to the element width (255 is 0xff for i8, as for ui8 data).
  APInt bits(width, uint64_t(int64_t(v)), /*isSigned=*/v < 0,
             /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, bits));
}

Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
             double v) {
  Value init = empty(b, loc, shape, et);
  return linalg::FillOp::create(b, loc, scalarConst(b, loc, et, v), init)
      .getResult(0);
}

SmallVector<IteratorType> parallel(int64_t n) {
  return SmallVector<IteratorType>(n, IteratorType::parallel);
}

/// The map that reads an operand of `shape` broadcast (numpy rules) into an
/// iteration space of `rank` dims.
AffineMap broadcastMap(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> outShape) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = rank - shape.size();
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    exprs.push_back(shape[i] == 1 && outShape[i + offset] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(i + offset, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Elementwise generic over `inputs` broadcast to `outShape`.
Value elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                  ArrayRef<int64_t> outShape, Type outElem,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = outShape.size();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(
        broadcastMap(ctx, rank, tensorType(in).getShape(), outShape));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = empty(b, loc, outShape, outElem);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             parallel(rank),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value r = body(nb, nl, args.drop_back());
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

/// A transpose as a linalg.generic (output dim i is input dim perm[i]), so
/// that elementwise fusion can compose it with its neighbours.
Value transposeGeneric(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
  MLIRContext *ctx = b.getContext();
  auto type = tensorType(v);
  SmallVector<int64_t> outShape;
  SmallVector<unsigned> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm)) {
    outShape.push_back(type.getDimSize(p));
    inverse[p] = i;
  }
  AffineMap in = AffineMap::getPermutationMap(inverse, ctx);
  AffineMap out = AffineMap::getMultiDimIdentityMap(perm.size(), ctx);
  Value init = empty(b, loc, outShape, type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v}, ValueRange{init},
             ArrayRef<AffineMap>{in, out}, parallel(perm.size()),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

/// (N, C, spatial...) -> (N, spatial..., C) and back, for `rank` dims.
SmallVector<int64_t> toChannelsLast(int64_t rank) {
  SmallVector<int64_t> perm{0};
  for (int64_t i = 2; i < rank; ++i)
    perm.push_back(i);
  perm.push_back(1);
  return perm;
}
SmallVector<int64_t> toChannelsFirst(int64_t rank) {
  SmallVector<int64_t> perm{0, rank - 1};
  for (int64_t i = 1; i < rank - 1; ++i)
    perm.push_back(i);
  return perm;
}

/// Transposes a constant at compile time (raw element bytes are permuted).
DenseElementsAttr transposeConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back(type.getDimSize(p));
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  if (attr.isSplat())
    return attr.reshape(outType);
  size_t elemBytes = type.getElementTypeBitWidth() / 8;
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> out(raw.size());
  int64_t rank = perm.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * type.getDimSize(i + 1);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t k = 0, n = type.getNumElements(); k < n; ++k) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += idx[d] * inStrides[perm[d]];
    std::memcpy(&out[k * elemBytes], &raw[src * elemBytes], elemBytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(outType, out);
}

/// Transposes `v`, at compile time when it is a constant.
Value transposed(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) &&
      tensorType(v).getElementTypeBitWidth() % 8 == 0)
    return arith::ConstantOp::create(b, loc, transposeConstant(attr, perm));
  return transposeGeneric(b, loc, v, perm);
}

/// Reshape through a 1-D collapse and an expand; both are views once
/// bufferized.
Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = tensorType(v);
  if (type.getShape() == shape)
    return v;
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return arith::ConstantOp::create(
        b, loc,
        attr.reshape(RankedTensorType::get(shape, type.getElementType())));
  Value flat = v;
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (type.getRank() > 0)
      all.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
    flat = tensor::CollapseShapeOp::create(b, loc, v, all);
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  if (shape.size() == 1)
    return flat;
  SmallVector<ReassociationIndices> all;
  if (!shape.empty())
    all.push_back(llvm::to_vector(llvm::seq<int64_t>(0, shape.size())));
  if (tensorType(flat).getRank() == 0 || shape.empty())
    return tensor::ReshapeOp::create(
        b, loc, outType, flat,
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({int64_t(shape.size())}, b.getI64Type()),
                shape)));
  return tensor::ExpandShapeOp::create(b, loc, outType, flat, all);
}

Value padConstant(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> low,
                  ArrayRef<int64_t> high, double value) {
  if (llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
      llvm::all_of(high, [](int64_t x) { return x == 0; }))
    return v;
  auto type = tensorType(v);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    shape.push_back(type.getDimSize(i) + low[i] + high[i]);
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  Value pad = scalarConst(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, type.clone(shape), v, lo, hi, pad);
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> v) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({int64_t(v.size())}, b.getI64Type()), v);
}

/// Sum over `reduced` dims of `v` into a tensor without them.
Value reduce(OpBuilder &b, Location loc, Value v, ArrayRef<bool> reduced,
             double initValue,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto type = tensorType(v);
  int64_t rank = type.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    iters.push_back(reduced[i] ? IteratorType::reduction
                               : IteratorType::parallel);
    if (!reduced[i]) {
      outShape.push_back(type.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  Value init = filled(b, loc, outShape, type.getElementType(), initValue);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, a[0], a[1]));
             })
      .getResult(0);
}

} // namespace edgec::lowering
