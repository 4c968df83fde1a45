//===- EdgeToLinalg.cpp - edge ops to linalg/tensor/arith/math ------------===//
//
// Lowers the graph ops to structured ops on tensors. Convolutions and pooling
// run channels-last (NHWC activations, HWCF filters, the layout the measured
// CPU kernels want): the NCHW values of the graph are transposed in and out of
// each such op with linalg.generic transposes, which elementwise fusion later
// composes with their neighbours so that back-to-back layers keep NHWC without
// a copy. Constant filters are transposed here, at compile time.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace edgec {
#define GEN_PASS_DEF_CONVERTEDGETOLINALG
#include "passes/conversion/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;
using utils::IteratorType;

namespace {

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

/// Marks set on edge ops before lowering, when their unsigned integer types
/// are rewritten to signless ones (arith has no unsigned types): the
/// patterns pick unsigned division, comparison and conversion from them.
constexpr StringLiteral kUnsignedIn = "edge.unsigned_in";
constexpr StringLiteral kUnsignedOut = "edge.unsigned_out";

bool unsignedIn(Operation *op) { return op->hasAttr(kUnsignedIn); }
bool unsignedOut(Operation *op) { return op->hasAttr(kUnsignedOut); }

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
    maps.push_back(broadcastMap(ctx, rank, tensorType(in).getShape(), outShape));
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
        b, loc, attr.reshape(RankedTensorType::get(shape, type.getElementType())));
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

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Body = std::function<Value(OpBuilder &, Location, OpTy, Value)>;
  UnaryLowering(MLIRContext *ctx, Body body)
      : OpConversionPattern<OpTy>(ctx), body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(op.getResult());
    Value r = elementwise(rewriter, op.getLoc(), adaptor.getInput(),
                          type.getShape(), type.getElementType(),
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return body(b, l, op, args[0]);
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
  Body body;
};

/// An elementwise binary op: FOp on floats, SIOp on signed (signless)
/// integers, UIOp on unsigned ones.
template <typename OpTy, typename FOp, typename SIOp, typename UIOp = SIOp>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(op.getResult());
    bool isFloat = isa<FloatType>(type.getElementType());
    bool isUnsigned = unsignedIn(op);
    Value r = elementwise(rewriter, op.getLoc(),
                          ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                          type.getShape(), type.getElementType(),
                          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                            if (isFloat)
                              return FOp::create(b, l, a[0], a[1]);
                            if (isUnsigned)
                              return UIOp::create(b, l, a[0], a[1]);
                            return SIOp::create(b, l, a[0], a[1]);
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type from = op.getInput().getType().getElementType();
    Type to = type.getElementType();
    auto fromInt = dyn_cast<IntegerType>(from);
    auto toInt = dyn_cast<IntegerType>(to);
    if (!(fromInt || isa<FloatType>(from)) || !(toInt || isa<FloatType>(to)))
      return rewriter.notifyMatchFailure(op, "unsupported cast");
    // bool is i1 holding 0 or 1: it widens without sign, and a conversion
    // to bool tests for non-zero (ONNX Cast), it does not truncate.
    bool fromUnsigned = unsignedIn(op) || (fromInt && fromInt.getWidth() == 1);
    bool toUnsigned = unsignedOut(op);
    bool toBool = toInt && toInt.getWidth() == 1;
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getInput(), type.getShape(), to,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          if (toBool && !(fromInt && fromInt.getWidth() == 1)) {
            Value zero = scalarConst(b, l, from, 0.0);
            if (fromInt)
              return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x,
                                           zero);
            return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, x,
                                         zero);
          }
          if (fromInt && toInt) {
            if (fromInt.getWidth() < toInt.getWidth())
              return fromUnsigned ? Value(arith::ExtUIOp::create(b, l, to, x))
                                  : Value(arith::ExtSIOp::create(b, l, to, x));
            if (fromInt.getWidth() > toInt.getWidth())
              return arith::TruncIOp::create(b, l, to, x);
            return x;
          }
          if (fromInt)
            return fromUnsigned ? Value(arith::UIToFPOp::create(b, l, to, x))
                                : Value(arith::SIToFPOp::create(b, l, to, x));
          if (toInt)
            return toUnsigned ? Value(arith::FPToUIOp::create(b, l, to, x))
                              : Value(arith::FPToSIOp::create(b, l, to, x));
          if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
            return arith::ExtFOp::create(b, l, to, x);
          if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
            return arith::TruncFOp::create(b, l, to, x);
          return x;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    auto inType = op.getInput().getType();
    auto intType = dyn_cast<IntegerType>(inType.getElementType());
    if (!intType)
      return rewriter.notifyMatchFailure(op, "expects an integer input");
    // Scale and zero point broadcast along `axis` (or are scalars).
    SmallVector<int64_t> paramShape(type.getRank(), 1);
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (tensorType(op.getScale()).getNumElements() > 1)
      paramShape[axis] = type.getDimSize(axis);
    SmallVector<Value> ins{adaptor.getInput(),
                           reshapeTo(rewriter, loc, adaptor.getScale(), paramShape)};
    if (Value zp = adaptor.getZeroPoint())
      ins.push_back(reshapeTo(rewriter, loc, zp, paramShape));
    Type f32 = rewriter.getF32Type();
    bool isUnsigned = unsignedIn(op);
    Value r = elementwise(
        rewriter, loc, ins, type.getShape(), f32,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto toF = [&](Value v) -> Value {
            if (isUnsigned)
              return arith::UIToFPOp::create(b, l, f32, v);
            return arith::SIToFPOp::create(b, l, f32, v);
          };
          Value x = toF(a[0]);
          if (a.size() == 3)
            x = arith::SubFOp::create(b, l, x, toF(a[2]));
          return arith::MulFOp::create(b, l, x, a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution and pooling (channels-last)
//===----------------------------------------------------------------------===//

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
/// `init` is (n, out..., F). The result has the shape of `init`.
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
          b, loc, TypeRange{RankedTensorType::get(yg, tensorType(init).getElementType())},
          ValueRange{reshapeTo(b, loc, x, xg), reshapeTo(b, loc, w, wg)},
          ValueRange{reshapeTo(b, loc, init, yg)},
          SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                                 AffineMap::get(dims, 0, we, ctx),
                                 AffineMap::get(dims, 0, ye, ctx)},
          iters,
          [](OpBuilder &nb, Location nl, ValueRange a) {
            Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
            linalg::YieldOp::create(
                nb, nl, arith::AddFOp::create(nb, nl, a[2], m).getResult());
          })
          .getResult(0);
  return reshapeTo(b, loc, y, initShape);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType(), fT = op.getFilter().getType();
    auto outT = op.getType();
    Type et = outT.getElementType();
    int64_t rank = inT.getRank(), spatial = rank - 2;
    int64_t n = inT.getDimSize(0), c = inT.getDimSize(1);
    int64_t f = fT.getDimSize(0);
    int64_t group = static_cast<int64_t>(op.getGroup());
    ArrayRef<int64_t> pads = op.getPads();

    Value x = transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, pads.take_front(spatial),
                       pads.drop_front(spatial), 0.0);
    auto strides = i64Vector(b, op.getStrides());
    auto dilations = i64Vector(b, op.getDilations());

    // The accumulator starts as the bias (broadcast over the trailing dims
    // after the spatial ones) or zero.
    auto initWith = [&](ArrayRef<int64_t> shape, Value bias) -> Value {
      if (!bias)
        return filled(b, loc, shape, et, 0.0);
      int64_t first = 1 + spatial;
      Value bb = reshapeTo(b, loc, bias, shape.drop_front(first));
      MLIRContext *ctx = b.getContext();
      int64_t r = shape.size();
      SmallVector<AffineExpr> exprs;
      for (int64_t i = first; i < r; ++i)
        exprs.push_back(getAffineDimExpr(i, ctx));
      Value init = empty(b, loc, shape, et);
      return linalg::GenericOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{bb},
                 ValueRange{init},
                 ArrayRef<AffineMap>{AffineMap::get(r, 0, exprs, ctx),
                                     AffineMap::getMultiDimIdentityMap(r, ctx)},
                 parallel(r),
                 [](OpBuilder &nb, Location nl, ValueRange args) {
                   linalg::YieldOp::create(nb, nl, args[0]);
                 })
          .getResult(0);
    };

    Value y;
    if (spatial != 2 || (group != 1 && group != c)) {
      // 3-D convolutions (rare at the edge) and grouped ones run as one
      // generic; the measured kernels are the 2-D named ops below.
      SmallVector<int64_t> outLast{n};
      for (int64_t i = 0; i < spatial; ++i)
        outLast.push_back(outT.getDimSize(2 + i));
      outLast.push_back(f);
      y = groupedConv(b, loc, x, adaptor.getFilter(),
                      initWith(outLast, adaptor.getBias()), op.getStrides(),
                      op.getDilations(), group);
    } else {
      int64_t kh = fT.getDimSize(2), kw = fT.getDimSize(3);
      int64_t oh = outT.getDimSize(2), ow = outT.getDimSize(3);
      if (group == 1) {
        Value w = transposed(b, loc, adaptor.getFilter(), {2, 3, 1, 0}); // HWCF
        Value init = initWith({n, oh, ow, f}, adaptor.getBias());
        y = linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{init.getType()},
                                             ValueRange{x, w}, ValueRange{init},
                                             strides, dilations)
                .getResult(0);
      } else if (f == c) {
        Value w = transposed(b, loc, adaptor.getFilter(), {2, 3, 0, 1});
        w = reshapeTo(b, loc, w, {kh, kw, c}); // HWC
        Value init = initWith({n, oh, ow, c}, adaptor.getBias());
        y = linalg::DepthwiseConv2DNhwcHwcOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{x, w},
                ValueRange{init}, strides, dilations)
                .getResult(0);
      } else {
        int64_t m = f / c; // channel multiplier: filter f = ci * m + mi
        Value w = reshapeTo(b, loc, adaptor.getFilter(), {c, m, kh, kw});
        w = transposed(b, loc, w, {2, 3, 0, 1}); // HWCM
        Value init = initWith({n, oh, ow, c, m}, adaptor.getBias());
        y = linalg::DepthwiseConv2DNhwcHwcmOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{x, w},
                ValueRange{init}, strides, dilations)
                .getResult(0);
        y = reshapeTo(b, loc, y, {n, oh, ow, f});
      }
    }
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

/// End padding that makes the last (ceil-mode) window fit in the input.
int64_t effectiveEndPad(int64_t in, int64_t begin, int64_t end, int64_t out,
                        int64_t k, int64_t s, int64_t d) {
  int64_t needed = (out - 1) * s + (k - 1) * d + 1 - in - begin;
  return std::max(end, needed);
}

/// The end pads of every spatial dim of a pooling op (NC<spatial> shapes).
template <typename PoolOp>
SmallVector<int64_t> poolEndPads(PoolOp op) {
  auto inT = op.getInput().getType(), outT = op.getType();
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  size_t spatial = k.size();
  SmallVector<int64_t> hi;
  for (size_t i = 0; i < spatial; ++i)
    hi.push_back(effectiveEndPad(inT.getDimSize(2 + i), p[i], p[spatial + i],
                                 outT.getDimSize(2 + i), k[i], s[i], d[i]));
  return hi;
}

/// The lowest value of a pooling element type: the padding and the start
/// of a max.
double lowestOf(Type et, bool isUnsigned) {
  if (auto it = dyn_cast<IntegerType>(et))
    return isUnsigned ? 0.0 : -std::ldexp(1.0, it.getWidth() - 1);
  return -std::numeric_limits<double>::infinity();
}

/// Pooling of any spatial rank over a padded channels-last `x` as one
/// linalg.generic over (n, out..., c, tap...), accumulating into `init`.
Value genericPool(OpBuilder &b, Location loc, Value x, Value init,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> dilations,
                  function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  unsigned s = kernel.size(), c = s + 1, tap = s + 2, dims = 2 * s + 2;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{d(0)}, we, ye{d(0)};
  xe.append(windowExprs(ctx, 1, tap, strides, dilations));
  xe.push_back(d(c));
  for (unsigned i = 0; i < s; ++i) {
    we.push_back(d(tap + i));
    ye.push_back(d(1 + i));
  }
  ye.push_back(d(c));
  SmallVector<IteratorType> iters = parallel(s + 2);
  iters.append(s, IteratorType::reduction);
  Value window = empty(b, loc, kernel, tensorType(x).getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x, window},
             ValueRange{init},
             SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                                    AffineMap::get(dims, 0, we, ctx),
                                    AffineMap::get(dims, 0, ye, ctx)},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, a[0], a[2]));
             })
      .getResult(0);
}

/// The pooled shape in channels-last order.
SmallVector<int64_t> channelsLastShape(RankedTensorType t) {
  SmallVector<int64_t> shape;
  for (int64_t p : toChannelsLast(t.getRank()))
    shape.push_back(t.getDimSize(p));
  return shape;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    int64_t rank = outT.getRank();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    bool isUnsigned = unsignedIn(op);
    double lowest = lowestOf(et, isUnsigned);
    Value x = transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, p.take_front(k.size()), poolEndPads(op),
                       lowest);
    Value init = filled(b, loc, channelsLastShape(outT), et, lowest);
    Value y;
    if (k.size() == 2) {
      Value window = empty(b, loc, k, et);
      y = isUnsigned
              ? linalg::PoolingNhwcMaxUnsignedOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                    .getResult(0)
              : linalg::PoolingNhwcMaxOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                    .getResult(0);
    } else {
      y = genericPool(b, loc, x, init, k, s, d,
                      [&](OpBuilder &nb, Location nl, Value v, Value acc) -> Value {
                        if (isa<FloatType>(et))
                          return arith::MaximumFOp::create(nb, nl, v, acc);
                        if (isUnsigned)
                          return arith::MaxUIOp::create(nb, nl, v, acc);
                        return arith::MaxSIOp::create(nb, nl, v, acc);
                      });
    }
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

/// MaxPool's Indices: one generic over (n, c, out..., tap...) on the padded
/// channels-first input that carries the running maximum and its position.
/// The first maximum of a window wins, as in ONNX Runtime, and padding never
/// does (the -1 start is taken by the first in-bounds tap).
struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    auto inT = op.getInput().getType(), outT = op.getType();
    Type et = tensorType(adaptor.getInput()).getElementType();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), dl = op.getDilations();
    unsigned sp = k.size(), tap = 2 + sp, dims = 2 + 2 * sp;
    bool isUnsigned = unsignedIn(op);
    double lowest = lowestOf(et, isUnsigned);
    SmallVector<int64_t> lo{0, 0}, hi{0, 0};
    lo.append(p.begin(), p.begin() + sp);
    llvm::append_range(hi, poolEndPads(op));
    Value x = padConstant(b, loc, adaptor.getInput(), lo, hi, lowest);
    Value window = empty(b, loc, k, et);
    Value initV = filled(b, loc, outT.getShape(), et, lowest);
    Value initI = filled(b, loc, outT.getShape(), b.getI64Type(), -1.0);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe{d(0), d(1)}, we;
    xe.append(windowExprs(ctx, 2, tap, s, dl));
    for (unsigned i = 0; i < sp; ++i)
      we.push_back(d(tap + i));
    AffineMap outMap =
        AffineMap::getMultiDimIdentityMap(dims, ctx).getMajorSubMap(2 + sp);
    SmallVector<IteratorType> iters = parallel(2 + sp);
    iters.append(sp, IteratorType::reduction);
    bool columnMajor = op.getStorageOrder() == 1;
    auto body = [&](OpBuilder &nb, Location nl, ValueRange a) {
      auto idx = [&](int64_t v) {
        return arith::ConstantIndexOp::create(nb, nl, v).getResult();
      };
      auto loop = [&](unsigned dim) {
        return linalg::IndexOp::create(nb, nl, dim).getResult();
      };
      // The input position of this tap, per spatial dim, and whether it is
      // inside the unpadded input.
      Value inBounds = arith::ConstantIntOp::create(nb, nl, 1, 1);
      SmallVector<Value> pos;
      for (unsigned i = 0; i < sp; ++i) {
        Value at = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, loop(2 + i), idx(s[i])),
            arith::MulIOp::create(nb, nl, loop(tap + i), idx(dl[i])));
        at = arith::SubIOp::create(nb, nl, at, idx(p[i]));
        Value ge = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, at,
                                         idx(0));
        Value lt = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, at,
                                         idx(inT.getDimSize(2 + i)));
        inBounds = arith::AndIOp::create(
            nb, nl, inBounds, arith::AndIOp::create(nb, nl, ge, lt));
        pos.push_back(at);
      }
      // Flattened index: (n * C + c) * prod(spatial) + the spatial offset,
      // row-major (storage_order 0) or column-major (1).
      int64_t area = 1;
      for (unsigned i = 0; i < sp; ++i)
        area *= inT.getDimSize(2 + i);
      Value plane = arith::AddIOp::create(
          nb, nl, arith::MulIOp::create(nb, nl, loop(0), idx(inT.getDimSize(1))),
          loop(1));
      Value offset = idx(0);
      int64_t stride = 1;
      for (unsigned j = 0; j < sp; ++j) {
        unsigned i = columnMajor ? j : sp - 1 - j;
        offset = arith::AddIOp::create(
            nb, nl, offset, arith::MulIOp::create(nb, nl, pos[i], idx(stride)));
        stride *= inT.getDimSize(2 + i);
      }
      Value flat = arith::AddIOp::create(
          nb, nl, arith::MulIOp::create(nb, nl, plane, idx(area)), offset);
      flat = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), flat);
      Value v = a[0], accV = a[2], accI = a[3];
      Value greater =
          isa<FloatType>(et)
              ? arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, v, accV)
                    .getResult()
              : arith::CmpIOp::create(nb, nl,
                                      isUnsigned ? arith::CmpIPredicate::ugt
                                                 : arith::CmpIPredicate::sgt,
                                      v, accV)
                    .getResult();
      Value none = arith::CmpIOp::create(
          nb, nl, arith::CmpIPredicate::slt, accI,
          arith::ConstantIntOp::create(nb, nl, nb.getI64Type(), 0));
      Value take = arith::AndIOp::create(
          nb, nl, inBounds, arith::OrIOp::create(nb, nl, greater, none));
      linalg::YieldOp::create(
          nb, nl,
          ValueRange{arith::SelectOp::create(nb, nl, take, v, accV),
                     arith::SelectOp::create(nb, nl, take, flat, accI)});
    };
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{initV.getType(), initI.getType()},
        ValueRange{x, window}, ValueRange{initV, initI},
        SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                               AffineMap::get(dims, 0, we, ctx), outMap, outMap},
        iters, body);
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType(), outT = op.getType();
    Type et = outT.getElementType();
    int64_t rank = outT.getRank();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    size_t sp = k.size();
    Value x = transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, p.take_front(sp), poolEndPads(op), 0.0);
    SmallVector<int64_t> outShape = channelsLastShape(outT);
    Value init = filled(b, loc, outShape, et, 0.0);
    Value sum;
    if (sp == 2) {
      Value window = empty(b, loc, k, et);
      sum = linalg::PoolingNhwcSumOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                .getResult(0);
    } else {
      sum = genericPool(b, loc, x, init, k, s, d,
                        [](OpBuilder &nb, Location nl, Value v, Value acc) -> Value {
                          return arith::AddFOp::create(nb, nl, v, acc);
                        });
    }
    // The divisor of each output position, known at compile time: the taps
    // of the (dilated) window that fall in the padded input, or in the input
    // itself unless count_include_pad. Taps past the padding (ceil_mode)
    // never count.
    bool includePad = op.getCountIncludePad();
    auto taps = [&](int64_t o, size_t i) {
      int64_t size = inT.getDimSize(2 + i);
      int64_t lo = includePad ? -p[i] : 0;
      int64_t end = includePad ? size + p[sp + i] : size;
      int64_t n = 0;
      for (int64_t j = 0; j < k[i]; ++j) {
        int64_t at = o * s[i] - p[i] + j * d[i];
        n += at >= lo && at < end;
      }
      return std::max<int64_t>(n, 1);
    };
    SmallVector<int64_t> divShape{1}, pos(sp, 0);
    int64_t positions = 1;
    for (size_t i = 0; i < sp; ++i) {
      divShape.push_back(outT.getDimSize(2 + i));
      positions *= outT.getDimSize(2 + i);
    }
    divShape.push_back(1);
    // 1 / count in the element type (f16, bf16, f32, f64).
    const llvm::fltSemantics &sem = cast<FloatType>(et).getFloatSemantics();
    SmallVector<APFloat> inv;
    for (int64_t q = 0; q < positions; ++q) {
      int64_t count = 1;
      for (size_t i = 0; i < sp; ++i)
        count *= taps(pos[i], i);
      APFloat value(1.0 / double(count));
      bool lost;
      value.convert(sem, APFloat::rmNearestTiesToEven, &lost);
      inv.push_back(value);
      for (int64_t i = sp - 1; i >= 0; --i) {
        if (++pos[i] < outT.getDimSize(2 + i))
          break;
        pos[i] = 0;
      }
    }
    Value divisor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(divShape, et),
                               ArrayRef<APFloat>(inv)));
    Value y = elementwise(b, loc, ValueRange{sum, divisor}, outShape, et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return arith::MulFOp::create(nb, nl, a[0], a[1]);
                          });
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

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
    iters.push_back(reduced[i] ? IteratorType::reduction : IteratorType::parallel);
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

struct GlobalAveragePoolLowering : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType();
    int64_t rank = inT.getRank();
    // Channels-last: reduce (n, spatial..., c) over the spatial dims.
    Value x =
        transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    SmallVector<bool> reduced(rank, true);
    reduced.front() = reduced.back() = false;
    Value sum = reduce(b, loc, x, reduced, 0.0,
                       [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                         return arith::AddFOp::create(nb, nl, a, acc);
                       });
    int64_t count = inT.getNumElements() / (inT.getDimSize(0) * inT.getDimSize(1));
    Type et = inT.getElementType();
    Value scale = scalarConst(b, loc, et, 1.0 / double(count));
    auto sumT = tensorType(sum);
    Value mean = elementwise(b, loc, sum, sumT.getShape(), et,
                             [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                               return arith::MulFOp::create(nb, nl, a[0], scale);
                             });
    rewriter.replaceOp(op, reshapeTo(b, loc, mean, op.getType().getShape()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

Value matmul2d(OpBuilder &b, Location loc, Value a, Value bm, Value init) {
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{a, bm}, ValueRange{init})
      .getResult(0);
}

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    Value a = adaptor.getA(), bm = adaptor.getB();
    if (op.getTransA())
      a = transposed(b, loc, a, {1, 0});
    if (op.getTransB()) // constant weights are transposed at compile time
      bm = transposed(b, loc, bm, {1, 0});
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    Value init;
    if (c && beta != 0.0 && alpha == 1.0) {
      // The product accumulates onto beta * C broadcast to [M, N].
      init = elementwise(b, loc, c, outT.getShape(), et,
                         [&](OpBuilder &nb, Location nl, ValueRange x) -> Value {
                           if (beta == 1.0)
                             return x[0];
                           return arith::MulFOp::create(
                               nb, nl, x[0], scalarConst(nb, nl, et, beta));
                         });
      rewriter.replaceOp(op, matmul2d(b, loc, a, bm, init));
      return success();
    }
    Value prod = matmul2d(b, loc, a, bm, filled(b, loc, outT.getShape(), et, 0.0));
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, prod);
      return success();
    }
    SmallVector<Value> ins{prod};
    if (c && beta != 0.0)
      ins.push_back(c);
    Value r = elementwise(
        b, loc, ins, outT.getShape(), et,
        [&](OpBuilder &nb, Location nl, ValueRange x) -> Value {
          Value v = arith::MulFOp::create(nb, nl, x[0],
                                          scalarConst(nb, nl, et, alpha));
          if (x.size() == 2)
            v = arith::AddFOp::create(
                nb, nl, v,
                arith::MulFOp::create(nb, nl, x[1], scalarConst(nb, nl, et, beta)));
          return v;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    Value l = adaptor.getLhs(), r = adaptor.getRhs();
    auto lT = tensorType(l), rT = tensorType(r);
    // Vectors become matrices; the unit dims are dropped from the result.
    if (lT.getRank() == 1)
      l = reshapeTo(b, loc, l, {1, lT.getDimSize(0)});
    if (rT.getRank() == 1)
      r = reshapeTo(b, loc, r, {rT.getDimSize(0), 1});
    lT = tensorType(l);
    rT = tensorType(r);
    int64_t m = lT.getDimSize(lT.getRank() - 2), k = lT.getDimSize(lT.getRank() - 1);
    int64_t n = rT.getDimSize(rT.getRank() - 1);
    if (rT.getRank() == 2) {
      // [..., M, K] x [K, N]: the batch folds into M.
      int64_t rows = lT.getNumElements() / k;
      Value l2 = reshapeTo(b, loc, l, {rows, k});
      Value y = matmul2d(b, loc, l2, r, filled(b, loc, {rows, n}, et, 0.0));
      rewriter.replaceOp(op, reshapeTo(b, loc, y, outT.getShape()));
      return success();
    }
    // General batched case: a generic over (batch..., m, n, k) with the
    // batch dims broadcast.
    auto batch = broadcastShapes(lT.getShape().drop_back(2), rT.getShape().drop_back(2));
    if (failed(batch))
      return failure();
    int64_t nb = batch->size(), rank = nb + 3;
    MLIRContext *ctx = b.getContext();
    auto operandMap = [&](RankedTensorType t, AffineExpr row, AffineExpr col) {
      SmallVector<int64_t> full(*batch);
      AffineMap bm = broadcastMap(ctx, nb, t.getShape().drop_back(2), full);
      SmallVector<AffineExpr> exprs;
      for (AffineExpr e : bm.getResults())
        exprs.push_back(e);
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<int64_t> outShape(*batch);
    outShape.append({m, n});
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < nb + 2; ++i)
      outExprs.push_back(d(i));
    SmallVector<AffineMap> maps{operandMap(lT, d(nb), d(nb + 2)),
                                operandMap(rT, d(nb + 2), d(nb + 1)),
                                AffineMap::get(rank, 0, outExprs, ctx)};
    SmallVector<IteratorType> iters = parallel(nb + 2);
    iters.push_back(IteratorType::reduction);
    Value init = filled(b, loc, outShape, et, 0.0);
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{l, r},
                  ValueRange{init}, maps, iters,
                  [](OpBuilder &nb2, Location nl, ValueRange a) {
                    Value p = arith::MulFOp::create(nb2, nl, a[0], a[1]);
                    linalg::YieldOp::create(
                        nb2, nl, arith::AddFOp::create(nb2, nl, a[2], p).getResult());
                  })
                  .getResult(0);
    rewriter.replaceOp(op, reshapeTo(b, loc, y, outT.getShape()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    Type et = type.getElementType();
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    SmallVector<int64_t> keep(type.getShape());
    keep[axis] = 1;
    Value x = adaptor.getInput();
    Value max = reduce(b, loc, x, reduced,
                       -std::numeric_limits<double>::infinity(),
                       [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                         return arith::MaximumFOp::create(nb, nl, a, acc);
                       });
    max = reshapeTo(b, loc, max, keep);
    Value e = elementwise(b, loc, ValueRange{x, max}, type.getShape(), et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return math::ExpOp::create(
                                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
                          });
    Value sum = reduce(b, loc, e, reduced, 0.0,
                       [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                         return arith::AddFOp::create(nb, nl, a, acc);
                       });
    sum = reshapeTo(b, loc, sum, keep);
    Value y = elementwise(b, loc, ValueRange{e, sum}, type.getShape(), et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return arith::DivFOp::create(nb, nl, a[0], a[1]);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    Type et = type.getElementType();
    SmallVector<int64_t> paramShape(type.getRank(), 1);
    paramShape[1] = type.getDimSize(1);
    SmallVector<Value> ins{adaptor.getInput()};
    for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()})
      ins.push_back(reshapeTo(b, loc, p, paramShape));
    double eps = op.getEpsilon().convertToDouble();
    Value y = elementwise(
        b, loc, ins, type.getShape(), et,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value var = arith::AddFOp::create(nb, nl, a[4], scalarConst(nb, nl, et, eps));
          Value inv = math::RsqrtOp::create(nb, nl, var);
          Value xc = arith::SubFOp::create(nb, nl, a[0], a[3]);
          Value s = arith::MulFOp::create(nb, nl, a[1], inv);
          return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, xc, s),
                                       a[2]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, transposeGeneric(rewriter, op.getLoc(),
                                            adaptor.getInput(), op.getPerm()));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    SmallVector<Value> inputs(adaptor.getInputs());
    // A channel concat of NCHW activations (the branches of an Inception or
    // fire module) runs channels-last, between transposes that fusion
    // composes with the convolutions around it: the branches write their
    // NHWC results straight into the concat and the next layer reads it
    // without a layout copy.
    bool channelsLast = type.getRank() == 4 && axis == 1;
    if (channelsLast) {
      for (Value &in : inputs)
        in = transposed(b, loc, in, toChannelsLast(4));
      axis = 3;
      type = RankedTensorType::get({type.getDimSize(0), type.getDimSize(2),
                                    type.getDimSize(3), type.getDimSize(1)},
                                   type.getElementType());
    }
    Value result = empty(b, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value in : inputs) {
      auto t = tensorType(in);
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
      offsets[axis] = b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
      for (int64_t d : t.getShape())
        sizes.push_back(b.getIndexAttr(d));
      result = tensor::InsertSliceOp::create(b, loc, in, result, offsets, sizes,
                                             strides);
      offset += t.getDimSize(axis);
    }
    if (channelsLast)
      result = transposeGeneric(b, loc, result, toChannelsFirst(4));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    // Negative pads crop first (a view once bufferized).
    Value input = adaptor.getInput();
    auto inT = tensorType(input);
    SmallVector<int64_t> offsets, sizes, lo, hi;
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(std::max<int64_t>(-pads[d], 0));
      sizes.push_back(inT.getDimSize(d) + std::min<int64_t>(pads[d], 0) +
                      std::min<int64_t>(pads[d + rank], 0));
      lo.push_back(std::max<int64_t>(pads[d], 0));
      hi.push_back(std::max<int64_t>(pads[d + rank], 0));
    }
    if (ArrayRef<int64_t>(sizes) != inT.getShape()) {
      input = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(sizes, inT.getElementType()), input,
          ValueRange{}, ValueRange{}, ValueRange{},
          b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(sizes),
          b.getDenseI64ArrayAttr(SmallVector<int64_t>(rank, 1)));
    }
    StringRef mode = op.getMode();
    if (mode == "constant") {
      rewriter.replaceOp(op, padConstant(b, loc, input, lo, hi,
                                         op.getValue().convertToDouble()));
      return success();
    }
    // Edge, reflect and wrap gather from the input with clamped, mirrored or
    // wrapped indices.
    Value init = empty(b, loc, type.getShape(), type.getElementType());
    MLIRContext *ctx = b.getContext();
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{},
                  ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  parallel(rank),
                  [&](OpBuilder &nb, Location nl, ValueRange) {
                    auto cst = [&](int64_t v) -> Value {
                      return arith::ConstantIndexOp::create(nb, nl, v);
                    };
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < rank; ++d) {
                      Value i = linalg::IndexOp::create(nb, nl, d);
                      int64_t size = sizes[d];
                      Value src = arith::SubIOp::create(nb, nl, i, cst(lo[d]));
                      if (mode == "reflect") {
                        // -src below the start, 2*last - src past the end.
                        Value neg = arith::SubIOp::create(nb, nl, cst(0), src);
                        src = arith::MaxSIOp::create(nb, nl, src, neg);
                        Value mirrored = arith::SubIOp::create(
                            nb, nl, cst(2 * (size - 1)), src);
                        src = arith::MinSIOp::create(nb, nl, src, mirrored);
                      } else if (mode == "wrap") {
                        // (src mod size) made non-negative: the pads may be
                        // larger than the dimension.
                        Value r = arith::RemSIOp::create(nb, nl, src, cst(size));
                        r = arith::AddIOp::create(nb, nl, r, cst(size));
                        src = arith::RemSIOp::create(nb, nl, r, cst(size));
                      } else {
                        src = arith::MaxSIOp::create(nb, nl, src, cst(0));
                        src = arith::MinSIOp::create(nb, nl, src, cst(size - 1));
                      }
                      idx.push_back(src);
                    }
                    Value v = tensor::ExtractOp::create(nb, nl, input, idx);
                    linalg::YieldOp::create(nb, nl, v);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    auto dataT = op.getData().getType();
    auto idxT = op.getIndices().getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t rank = type.getRank(), ir = idxT.getRank();
    MLIRContext *ctx = b.getContext();
    // The indices are read with the output dims [axis, axis + ir).
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < ir; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    Value data = adaptor.getData();
    Value init = empty(b, loc, type.getShape(), type.getElementType());
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()},
                  ValueRange{adaptor.getIndices()}, ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::get(rank, 0, idxExprs, ctx),
                                      AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  parallel(rank),
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value i = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]);
                    // Negative indices count from the end; others are clamped
                    // so that a bad index cannot read out of bounds.
                    Value size = arith::ConstantIndexOp::create(
                        nb, nl, dataT.getDimSize(axis));
                    Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
                    Value isNeg = arith::CmpIOp::create(
                        nb, nl, arith::CmpIPredicate::slt, i, zero);
                    i = arith::SelectOp::create(
                        nb, nl, isNeg, arith::AddIOp::create(nb, nl, i, size), i);
                    i = arith::MaxSIOp::create(nb, nl, i, zero);
                    i = arith::MinSIOp::create(
                        nb, nl, i,
                        arith::ConstantIndexOp::create(nb, nl,
                                                       dataT.getDimSize(axis) - 1));
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < axis; ++d)
                      idx.push_back(linalg::IndexOp::create(nb, nl, d));
                    idx.push_back(i);
                    for (int64_t d = axis + ir; d < rank; ++d)
                      idx.push_back(linalg::IndexOp::create(nb, nl, d));
                    linalg::YieldOp::create(
                        nb, nl, tensor::ExtractOp::create(nb, nl, data, idx).getResult());
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Shape ops fold away on import; one that reaches lowering becomes a
/// constant here.
struct ShapeLowering : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    SmallVector<int64_t> dims(in.getShape().slice(
        op.getStart(), op.getEnd() - op.getStart()));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(op.getType(), ArrayRef<int64_t>(dims)));
    return success();
  }
};

Type signlessType(Type t) {
  if (auto it = dyn_cast<IntegerType>(t); it && !it.isSignless())
    return IntegerType::get(t.getContext(), it.getWidth());
  if (auto tt = dyn_cast<RankedTensorType>(t))
    if (Type et = signlessType(tt.getElementType()); et != tt.getElementType())
      return tt.clone(et);
  return t;
}

bool isUnsignedInt(Type t) {
  auto it = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  return it && it.isUnsigned();
}

/// arith works on signless integers only. Before the patterns run, every
/// unsigned (or signed) integer type in the function becomes signless; the
/// edge ops that had unsigned operands or results are marked, so that their
/// lowering picks the unsigned arith ops. The model's C signature keeps the
/// unsigned types: it is read before the pipeline runs.
void makeIntegersSignless(func::FuncOp func) {
  OpBuilder b(func.getContext());
  // Mark every op first: retyping a result changes its users' operands.
  func.walk([&](Operation *op) {
    if (!isa<EdgeDialect>(op->getDialect()))
      return;
    if (llvm::any_of(op->getOperandTypes(), isUnsignedInt))
      op->setAttr(kUnsignedIn, b.getUnitAttr());
    if (llvm::any_of(op->getResultTypes(), isUnsignedInt))
      op->setAttr(kUnsignedOut, b.getUnitAttr());
  });
  func.walk([&](Operation *op) {
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
      Type t = signlessType(c.getType());
      if (attr && t != c.getType())
        c.setValueAttr(attr.bitcast(getElementTypeOrSelf(t)));
    }
    for (Value r : op->getResults())
      r.setType(signlessType(r.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument a : block.getArguments())
          a.setType(signlessType(a.getType()));
  });
  SmallVector<Type> ins, outs;
  for (Type t : func.getArgumentTypes())
    ins.push_back(signlessType(t));
  for (Type t : func.getResultTypes())
    outs.push_back(signlessType(t));
  func.setType(FunctionType::get(func.getContext(), ins, outs));
}

struct ConvertEdgeToLinalgPass
    : edgec::impl::ConvertEdgeToLinalgBase<ConvertEdgeToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation()->walk([](func::FuncOp f) { makeIntegersSignless(f); });
    RewritePatternSet patterns(ctx);
    edgec::populateEdgeToLinalgPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<EdgeDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void edgec::populateEdgeToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  using B = OpBuilder;
  using L = Location;
  auto zeroLike = [](B &b, L l, Value x) {
    return scalarConst(b, l, x.getType(), 0.0);
  };
  patterns.add<UnaryLowering<ReluOp>>(ctx, [=](B &b, L l, ReluOp, Value x) -> Value {
    if (isa<IntegerType>(x.getType()))
      return arith::MaxSIOp::create(b, l, x, zeroLike(b, l, x));
    return arith::MaximumFOp::create(b, l, x, zeroLike(b, l, x));
  });
  patterns.add<UnaryLowering<SigmoidOp>>(ctx, [](B &b, L l, SigmoidOp, Value x) -> Value {
    Value one = scalarConst(b, l, x.getType(), 1.0);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
  });
  patterns.add<UnaryLowering<TanhOp>>(ctx, [](B &b, L l, TanhOp, Value x) -> Value {
    return math::TanhOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<ExpOp>>(ctx, [](B &b, L l, ExpOp, Value x) -> Value {
    return math::ExpOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<SqrtOp>>(ctx, [](B &b, L l, SqrtOp, Value x) -> Value {
    return math::SqrtOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<NegOp>>(ctx, [](B &b, L l, NegOp, Value x) -> Value {
    if (isa<FloatType>(x.getType()))
      return arith::NegFOp::create(b, l, x);
    return arith::SubIOp::create(b, l, scalarConst(b, l, x.getType(), 0.0), x);
  });
  patterns.add<UnaryLowering<ClipOp>>(ctx, [](B &b, L l, ClipOp op, Value x) -> Value {
    double lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
    if (!std::isinf(lo))
      x = arith::MaximumFOp::create(b, l, x, scalarConst(b, l, x.getType(), lo));
    if (!std::isinf(hi))
      x = arith::MinimumFOp::create(b, l, x, scalarConst(b, l, x.getType(), hi));
    return x;
  });
  patterns.add<UnaryLowering<HardSigmoidOp>>(ctx, [](B &b, L l, HardSigmoidOp op, Value x) -> Value {
    Type t = x.getType();
    Value y = arith::AddFOp::create(
        b, l,
        arith::MulFOp::create(b, l, x,
                              scalarConst(b, l, t, op.getAlpha().convertToDouble())),
        scalarConst(b, l, t, op.getBeta().convertToDouble()));
    y = arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0.0));
    return arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1.0));
  });
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp>,
               BinaryLowering<MaxOp, arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>,
               BinaryLowering<MinOp, arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>,
               CastLowering, DequantizeLowering, ConvLowering, MaxPoolLowering, MaxPoolIndicesLowering,
               AveragePoolLowering, GlobalAveragePoolLowering, GemmLowering,
               MatMulLowering, SoftmaxLowering, BatchNormLowering,
               ReshapeLowering, TransposeLowering, ConcatLowering, PadLowering,
               GatherLowering, ShapeLowering>(ctx);
}
