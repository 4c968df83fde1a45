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

constexpr int64_t kToNHWC[] = {0, 2, 3, 1};
constexpr int64_t kToNCHW[] = {0, 3, 1, 2};

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
    int64_t n = inT.getDimSize(0), c = inT.getDimSize(1);
    int64_t f = fT.getDimSize(0), kh = fT.getDimSize(2), kw = fT.getDimSize(3);
    int64_t oh = outT.getDimSize(2), ow = outT.getDimSize(3);
    int64_t group = static_cast<int64_t>(op.getGroup());
    ArrayRef<int64_t> pads = op.getPads();

    Value x = transposeGeneric(b, loc, adaptor.getInput(), kToNHWC);
    x = padConstant(b, loc, x, {0, pads[0], pads[1], 0},
                    {0, pads[2], pads[3], 0}, 0.0);
    auto strides = i64Vector(b, op.getStrides());
    auto dilations = i64Vector(b, op.getDilations());

    // The accumulator starts as the bias (broadcast) or zero.
    auto initWith = [&](ArrayRef<int64_t> shape, Value bias) -> Value {
      if (!bias)
        return filled(b, loc, shape, et, 0.0);
      Value bb = reshapeTo(b, loc, bias, shape.drop_front(3));
      MLIRContext *ctx = b.getContext();
      int64_t rank = shape.size();
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 3; i < rank; ++i)
        exprs.push_back(getAffineDimExpr(i, ctx));
      Value init = empty(b, loc, shape, et);
      return linalg::GenericOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{bb},
                 ValueRange{init},
                 ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                                     AffineMap::getMultiDimIdentityMap(rank, ctx)},
                 parallel(rank),
                 [](OpBuilder &nb, Location nl, ValueRange args) {
                   linalg::YieldOp::create(nb, nl, args[0]);
                 })
          .getResult(0);
    };

    Value y;
    if (group == 1) {
      Value w = transposed(b, loc, adaptor.getFilter(), {2, 3, 1, 0}); // HWCF
      Value init = initWith({n, oh, ow, f}, adaptor.getBias());
      y = linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{init.getType()},
                                           ValueRange{x, w}, ValueRange{init},
                                           strides, dilations)
              .getResult(0);
    } else if (group == c && f == c) {
      Value w = transposed(b, loc, adaptor.getFilter(), {2, 3, 0, 1});
      w = reshapeTo(b, loc, w, {kh, kw, c}); // HWC
      Value init = initWith({n, oh, ow, c}, adaptor.getBias());
      y = linalg::DepthwiseConv2DNhwcHwcOp::create(
              b, loc, TypeRange{init.getType()}, ValueRange{x, w},
              ValueRange{init}, strides, dilations)
              .getResult(0);
    } else if (group == c) {
      int64_t m = f / c; // channel multiplier: filter f = ci * m + mi
      Value w = reshapeTo(b, loc, adaptor.getFilter(), {c, m, kh, kw});
      w = transposed(b, loc, w, {2, 3, 0, 1}); // HWCM
      Value init = initWith({n, oh, ow, c, m}, adaptor.getBias());
      y = linalg::DepthwiseConv2DNhwcHwcmOp::create(
              b, loc, TypeRange{init.getType()}, ValueRange{x, w},
              ValueRange{init}, strides, dilations)
              .getResult(0);
      y = reshapeTo(b, loc, y, {n, oh, ow, f});
    } else {
      // Grouped convolution: a generic over (n, oh, ow, g, fg, kh, kw, cg)
      // with the channels split into (group, per-group).
      int64_t cg = c / group, fg = f / group;
      MLIRContext *ctx = b.getContext();
      auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
      int64_t sh = op.getStrides()[0], sw = op.getStrides()[1];
      int64_t dh = op.getDilations()[0], dw = op.getDilations()[1];
      auto xShape = tensorType(x).getShape();
      Value xg = reshapeTo(b, loc, x, {n, xShape[1], xShape[2], group, cg});
      Value w = reshapeTo(b, loc, adaptor.getFilter(), {group, fg, cg, kh, kw});
      Value init = initWith({n, oh, ow, group, fg},
                            adaptor.getBias()
                                ? reshapeTo(b, loc, adaptor.getBias(), {group, fg})
                                : Value());
      SmallVector<AffineMap> maps{
          AffineMap::get(8, 0,
                         {d(0), d(1) * sh + d(5) * dh, d(2) * sw + d(6) * dw,
                          d(3), d(7)},
                         ctx),
          AffineMap::get(8, 0, {d(3), d(4), d(7), d(5), d(6)}, ctx),
          AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
      SmallVector<IteratorType> iters = parallel(5);
      iters.append(3, IteratorType::reduction);
      y = linalg::GenericOp::create(
              b, loc, TypeRange{init.getType()}, ValueRange{xg, w},
              ValueRange{init}, maps, iters,
              [](OpBuilder &nb, Location nl, ValueRange a) {
                Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
                linalg::YieldOp::create(nb, nl,
                                        arith::AddFOp::create(nb, nl, a[2], m)
                                            .getResult());
              })
              .getResult(0);
      y = reshapeTo(b, loc, y, {n, oh, ow, f});
    }
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, kToNCHW));
    return success();
  }
};

/// End padding that makes the last (ceil-mode) window fit in the input.
int64_t effectiveEndPad(int64_t in, int64_t begin, int64_t end, int64_t out,
                        int64_t k, int64_t s, int64_t d) {
  int64_t needed = (out - 1) * s + (k - 1) * d + 1 - in - begin;
  return std::max(end, needed);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType(), outT = op.getType();
    Type et = outT.getElementType();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    SmallVector<int64_t> hi;
    for (int i = 0; i < 2; ++i)
      hi.push_back(effectiveEndPad(inT.getDimSize(2 + i), p[i], p[2 + i],
                                   outT.getDimSize(2 + i), k[i], s[i], d[i]));
    // The padding and the initial value are the lowest value of the type.
    bool isUnsigned = unsignedIn(op);
    double lowest = -std::numeric_limits<double>::infinity();
    if (auto it = dyn_cast<IntegerType>(et))
      lowest = isUnsigned ? 0.0 : -std::ldexp(1.0, it.getWidth() - 1);
    Value x = transposeGeneric(b, loc, adaptor.getInput(), kToNHWC);
    x = padConstant(b, loc, x, {0, p[0], p[1], 0}, {0, hi[0], hi[1], 0}, lowest);
    SmallVector<int64_t> outShape{outT.getDimSize(0), outT.getDimSize(2),
                                  outT.getDimSize(3), outT.getDimSize(1)};
    Value init = filled(b, loc, outShape, et, lowest);
    Value window = empty(b, loc, k, et);
    Value y =
        isUnsigned
            ? linalg::PoolingNhwcMaxUnsignedOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                  ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                  .getResult(0)
            : linalg::PoolingNhwcMaxOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                  ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                  .getResult(0);
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, kToNCHW));
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
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    int64_t h = inT.getDimSize(2), w = inT.getDimSize(3);
    int64_t oh = outT.getDimSize(2), ow = outT.getDimSize(3);
    SmallVector<int64_t> hi{effectiveEndPad(h, p[0], p[2], oh, k[0], s[0], d[0]),
                            effectiveEndPad(w, p[1], p[3], ow, k[1], s[1], d[1])};
    Value x = transposeGeneric(b, loc, adaptor.getInput(), kToNHWC);
    x = padConstant(b, loc, x, {0, p[0], p[1], 0}, {0, hi[0], hi[1], 0}, 0.0);
    SmallVector<int64_t> outShape{outT.getDimSize(0), oh, ow, outT.getDimSize(1)};
    Value init = filled(b, loc, outShape, et, 0.0);
    Value window = empty(b, loc, k, et);
    Value sum = linalg::PoolingNhwcSumOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                    .getResult(0);
    // The divisor of each output position, known at compile time: the taps
    // of the (dilated) window that fall in the padded input, or in the input
    // itself unless count_include_pad. Taps past the padding (ceil_mode)
    // never count.
    bool includePad = op.getCountIncludePad();
    auto taps = [&](int64_t o, int i, int64_t size) {
      int64_t lo = includePad ? -p[i] : 0;
      int64_t end = includePad ? size + p[i + 2] : size;
      int64_t n = 0;
      for (int64_t j = 0; j < k[i]; ++j) {
        int64_t at = o * s[i] - p[i] + j * d[i];
        n += at >= lo && at < end;
      }
      return std::max<int64_t>(n, 1);
    };
    SmallVector<float> inv;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xq = 0; xq < ow; ++xq)
        inv.push_back(1.0f / float(taps(y, 0, h) * taps(xq, 1, w)));
    Value divisor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({1, oh, ow, 1}, et),
                               ArrayRef<float>(inv)));
    Value y = elementwise(b, loc, ValueRange{sum, divisor}, outShape, et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return arith::MulFOp::create(nb, nl, a[0], a[1]);
                          });
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, kToNCHW));
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
    SmallVector<int64_t> perm{0};
    for (int64_t i = 2; i < rank; ++i)
      perm.push_back(i);
    perm.push_back(1);
    Value x = transposeGeneric(b, loc, adaptor.getInput(), perm);
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
        in = transposed(b, loc, in, kToNHWC);
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
      result = transposeGeneric(b, loc, result, kToNCHW);
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
    auto inT = op.getInput().getType(), type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == "constant") {
      rewriter.replaceOp(op, padConstant(b, loc, adaptor.getInput(),
                                         pads.take_front(rank),
                                         pads.drop_front(rank),
                                         op.getValue().convertToDouble()));
      return success();
    }
    // Edge and reflect modes gather from the input with clamped / mirrored
    // indices.
    bool reflect = op.getMode() == "reflect";
    Value input = adaptor.getInput();
    Value init = empty(b, loc, type.getShape(), type.getElementType());
    MLIRContext *ctx = b.getContext();
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{},
                  ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  parallel(rank),
                  [&](OpBuilder &nb, Location nl, ValueRange) {
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < rank; ++d) {
                      Value i = linalg::IndexOp::create(nb, nl, d);
                      Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
                      Value last = arith::ConstantIndexOp::create(
                          nb, nl, inT.getDimSize(d) - 1);
                      Value src = arith::SubIOp::create(
                          nb, nl, i, arith::ConstantIndexOp::create(nb, nl, pads[d]));
                      if (reflect) {
                        // -src below the start, 2*last - src past the end.
                        Value neg = arith::SubIOp::create(nb, nl, zero, src);
                        src = arith::MaxSIOp::create(nb, nl, src, neg);
                        Value twice = arith::ConstantIndexOp::create(
                            nb, nl, 2 * (inT.getDimSize(d) - 1));
                        Value mirrored = arith::SubIOp::create(nb, nl, twice, src);
                        src = arith::MinSIOp::create(nb, nl, src, mirrored);
                      } else {
                        src = arith::MaxSIOp::create(nb, nl, src, zero);
                        src = arith::MinSIOp::create(nb, nl, src, last);
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
    return arith::NegFOp::create(b, l, x);
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
               CastLowering, DequantizeLowering, ConvLowering, MaxPoolLowering,
               AveragePoolLowering, GlobalAveragePoolLowering, GemmLowering,
               MatMulLowering, SoftmaxLowering, BatchNormLowering,
               ReshapeLowering, TransposeLowering, ConcatLowering, PadLowering,
               GatherLowering, ShapeLowering>(ctx);
}
