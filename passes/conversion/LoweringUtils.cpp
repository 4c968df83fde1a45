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
Value copyThrough(OpBuilder &b, Location loc, Value v, AffineMap read,
                  ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  Value init = empty(b, loc, shape, tensorType(v).getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v},
             ValueRange{init},
             ArrayRef<AffineMap>{
                 read, AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
             parallel(rank),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

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
  return copyThrough(b, loc, v, in, outShape);
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
  auto outType = RankedTensorType::get(shape, type.getElementType());
  // A scalar gains unit dims with an expand_shape of no reassociation.
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, outType, v,
                                         ArrayRef<ReassociationIndices>{});
  Value flat = v;
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (type.getRank() > 0)
      all.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
    flat = tensor::CollapseShapeOp::create(b, loc, v, all);
  }
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
  return reduce(b, loc, v, reduced,
                scalarConst(b, loc, tensorType(v).getElementType(), initValue),
                combine);
}

Value reduce(OpBuilder &b, Location loc, Value v, ArrayRef<bool> reduced,
             Value identity,
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
  Value init =
      linalg::FillOp::create(b, loc, identity,
                             empty(b, loc, outShape, type.getElementType()))
          .getResult(0);
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

/// acc + a * b; integer operands sign-extended to the accumulator's type.
Value multiplyAdd(OpBuilder &b, Location loc, Value x, Value y, Value acc) {
  Type et = acc.getType();
  if (isa<FloatType>(et))
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, x, y));
  auto widen = [&](Value v) -> Value {
    return v.getType() == et ? v : arith::ExtSIOp::create(b, loc, et, v);
  };
  return arith::AddIOp::create(
      b, loc, acc, arith::MulIOp::create(b, loc, widen(x), widen(y)));
}

bool isQuantized(Type t) {
  return isa<quant::QuantizedType>(getElementTypeOrSelf(t));
}

/// Pads the spatial dims of a channels-last value: `begin` and `end` hold
/// one entry per spatial dim.
Value padSpatialLast(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                     double value) {
  SmallVector<int64_t> lo{0}, hi{0};
  lo.append(begin.begin(), begin.end());
  hi.append(end.begin(), end.end());
  lo.push_back(0);
  hi.push_back(0);
  return padConstant(b, loc, x, lo, hi, value);
}

/// The affine expressions of a sliding window: `out[i] * stride[i] +
/// tap[i] * dilation[i]` with the output and tap positions at loop dims
/// `outDim + i` and `tapDim + i`.
SmallVector<AffineExpr> windowExprs(MLIRContext *ctx, unsigned outDim,
                                    unsigned tapDim, ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < strides.size(); ++i)
    exprs.push_back(getAffineDimExpr(outDim + i, ctx) * strides[i] +
                    getAffineDimExpr(tapDim + i, ctx) * dilations[i]);
  return exprs;
}

/// A grouped convolution of any spatial rank s as one linalg.generic over
/// (n, out..., group, filter-in-group, tap..., channel-in-group). `x` is
/// channels-last and padded, `w` is the ONNX filter (F, C/group, k...),
/// `init` is (n, out..., F). The result has the shape of `init`. Integer
/// operands are sign-extended to the accumulator type.
Value groupedConv(OpBuilder &b, Location loc, Value x, Value w, Value init,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  int64_t group) {
  MLIRContext *ctx = b.getContext();
  unsigned s = strides.size();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto xShape = tensorType(x).getShape();
  auto wShape = tensorType(w).getShape();
  auto initShape = tensorType(init).getShape();
  int64_t cg = wShape[1], fg = wShape[0] / group;
  // Channels split into (group, per-group) in the input, filter and result.
  SmallVector<int64_t> xg(xShape.drop_back()), wg{group, fg},
      yg(initShape.drop_back());
  xg.append({group, cg});
  wg.append(wShape.begin() + 1, wShape.end());
  yg.append({group, fg});
  unsigned g = s + 1, f = s + 2, tap = s + 3, c = 2 * s + 3, dims = 2 * s + 4;
  SmallVector<AffineExpr> xe{d(0)}, we{d(g), d(f), d(c)}, ye{d(0)};
  xe.append(windowExprs(ctx, 1, tap, strides, dilations));
  xe.append({d(g), d(c)});
  for (unsigned i = 0; i < s; ++i) {
    we.push_back(d(tap + i));
    ye.push_back(d(1 + i));
  }
  ye.append({d(g), d(f)});
  SmallVector<IteratorType> iters = parallel(s + 3);
  iters.append(s + 1, IteratorType::reduction);
  Value y =
      linalg::GenericOp::create(
          b, loc,
          TypeRange{
              RankedTensorType::get(yg, tensorType(init).getElementType())},
          ValueRange{reshapeTo(b, loc, x, xg), reshapeTo(b, loc, w, wg)},
          ValueRange{reshapeTo(b, loc, init, yg)},
          SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                                 AffineMap::get(dims, 0, we, ctx),
                                 AffineMap::get(dims, 0, ye, ctx)},
          iters,
          [](OpBuilder &nb, Location nl, ValueRange a) {
            linalg::YieldOp::create(nb, nl,
                                    multiplyAdd(nb, nl, a[0], a[1], a[2]));
          })
          .getResult(0);
  return reshapeTo(b, loc, y, initShape);
}

/// A 1-D value broadcast along the dims from `first` on of `shape`
/// (which it fills in row-major order).
Value broadcastTrailing(OpBuilder &b, Location loc, Value v,
                        ArrayRef<int64_t> shape, int64_t first) {
  Value bb = reshapeTo(b, loc, v, shape.drop_front(first));
  MLIRContext *ctx = b.getContext();
  int64_t r = shape.size();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = first; i < r; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return copyThrough(b, loc, bb, AffineMap::get(r, 0, exprs, ctx), shape);
}

Value convChannelsLast(OpBuilder &b, Location loc, edge::ConvOp op, Value x,
                       Value w, function_ref<Value(ArrayRef<int64_t>)> init) {
  auto inT = op.getInput().getType(), fT = op.getFilter().getType();
  auto outT = op.getType();
  int64_t spatial = inT.getRank() - 2;
  int64_t n = inT.getDimSize(0), c = inT.getDimSize(1), f = fT.getDimSize(0);
  int64_t group = static_cast<int64_t>(op.getGroup());
  SmallVector<int64_t> outLast{n};
  for (int64_t i = 0; i < spatial; ++i)
    outLast.push_back(outT.getDimSize(2 + i));
  outLast.push_back(f);
  if (spatial != 2 || (group != 1 && group != c))
    // 3-D convolutions (rare at the edge) and grouped ones run as one
    // generic; the measured kernels are the 2-D named ops below.
    return groupedConv(b, loc, x, w, init(outLast), op.getStrides(),
                       op.getDilations(), group);
  auto strides = i64Vector(b, op.getStrides());
  auto dilations = i64Vector(b, op.getDilations());
  int64_t kh = fT.getDimSize(2), kw = fT.getDimSize(3);
  int64_t oh = outT.getDimSize(2), ow = outT.getDimSize(3);
  if (group == 1) {
    Value wt = transposed(b, loc, w, {2, 3, 1, 0}); // HWCF
    Value acc = init(outLast);
    return linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{acc.getType()},
                                            ValueRange{x, wt}, ValueRange{acc},
                                            strides, dilations)
        .getResult(0);
  }
  if (f == c) {
    Value wt = reshapeTo(b, loc, transposed(b, loc, w, {2, 3, 0, 1}),
                         {kh, kw, c}); // HWC
    Value acc = init(outLast);
    return linalg::DepthwiseConv2DNhwcHwcOp::create(
               b, loc, TypeRange{acc.getType()}, ValueRange{x, wt},
               ValueRange{acc}, strides, dilations)
        .getResult(0);
  }
  int64_t m = f / c; // channel multiplier: filter f = ci * m + mi
  Value wt = transposed(b, loc, reshapeTo(b, loc, w, {c, m, kh, kw}),
                        {2, 3, 0, 1}); // HWCM
  Value acc = init({n, oh, ow, c, m});
  Value y = linalg::DepthwiseConv2DNhwcHwcmOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{x, wt},
                ValueRange{acc}, strides, dilations)
                .getResult(0);
  return reshapeTo(b, loc, y, outLast);
}

} // namespace edgec::lowering
