//===- QuantizedKernels.cpp - edge to linalg: integer Conv/Gemm/MatMul ----===//
//
// The quantized Conv, Gemm and MatMul that edge-quant-fold builds (Q5):
//
//   acc[c] = bias'[c] + sum_k x[k] * w[k][c]           (int8 x int8 -> int32)
//   y[c]   = clamp(round_half_even(acc[c] * m[c]) + z_y, storage range)
//
// with m[c] = s_x * s_w[c] / s_y and the input zero point folded into the
// bias at compile time: sum (x - z_x) w = sum x w - z_x * sum w, so
// bias' = bias - z_x * colsum(w), and the padding is z_x (whose
// contribution the correction removes too). Unsigned activations are moved
// to the signed range (x ^ 0x80, z_x - 128) so every kernel is a plain
// signed integer convolution or matmul, which edge-cpu-select-lowering
// tiles and vectorizes like the float ones. The requantization is one
// elementwise generic: edge-cpu-fuse-elementwise and the block fusion put it
// in the kernel's epilogue, together with a Relu/Clip (max/min on the
// quantized values, exact since quantization is monotone).
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;

namespace {

/// Scale, zero point and storage range of a per-tensor quantized type.
struct PerTensor {
  double scale;
  int64_t zp;
  int64_t min, max;
  unsigned width;
  bool isSigned;
};

PerTensor perTensor(Type t) {
  auto q = cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
  return {q.getScale(),
          q.getZeroPoint(),
          q.getStorageTypeMin(),
          q.getStorageTypeMax(),
          q.getStorageTypeIntegralWidth(),
          q.isSigned()};
}

/// The scales of quantized weights, one per output channel (`count`).
SmallVector<double> channelScales(Type t, int64_t count) {
  Type et = getElementTypeOrSelf(t);
  if (auto q = dyn_cast<quant::UniformQuantizedType>(et))
    return SmallVector<double>(count, q.getScale());
  auto pa = cast<quant::UniformQuantizedPerAxisType>(et);
  return SmallVector<double>(pa.getScales());
}

/// The constant storage behind a quantized value (storage_cast of a
/// constant), as signless integers; null if it is not constant.
DenseElementsAttr constantStorage(Value quantized) {
  auto cast = quantized.getDefiningOp<StorageCastOp>();
  DenseElementsAttr attr;
  if (!cast || !matchPattern(cast.getInput(), m_Constant(&attr)))
    return {};
  return attr;
}

SmallVector<int64_t> storageValues(DenseElementsAttr attr) {
  SmallVector<int64_t> out;
  for (APInt v : attr.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

Value i32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> values) {
  SmallVector<int32_t> v(values.begin(), values.end());
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(shape, b.getI32Type()),
                             ArrayRef<int32_t>(v)));
}

/// An unsigned activation moved to the signed range: x ^ 0x80 (for 8 bits)
/// reads as x - 128, so the zero point moves by the same amount.
Value signedActivation(OpBuilder &b, Location loc, Value x, PerTensor &q) {
  if (q.isSigned)
    return x;
  auto t = tensorType(x);
  int64_t half = int64_t(1) << (q.width - 1);
  q.zp -= half;
  q.min -= half;
  q.max -= half;
  q.isSigned = true;
  return elementwise(
      b, loc, x, t.getShape(), t.getElementType(),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::XOrIOp::create(
            nb, l, a[0], scalarConst(nb, l, t.getElementType(), double(-half)));
      });
}

/// bias'[c] = bias[c] - z_x * colsum[c], checked to fit int32.
FailureOr<SmallVector<int64_t>>
foldedBias(Operation *op, Value bias, ArrayRef<int64_t> colsum, int64_t zx) {
  SmallVector<int64_t> out(colsum.size(), 0);
  if (bias) {
    DenseElementsAttr attr = constantStorage(bias);
    if (!attr)
      return op->emitOpError("the bias of a quantized op must be constant"),
             failure();
    SmallVector<int64_t> b = storageValues(attr);
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = b[b.size() == 1 ? 0 : i];
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] -= zx * colsum[i];
    if (out[i] < INT32_MIN || out[i] > INT32_MAX)
      return op->emitOpError("the bias folded with the input zero point "
                             "overflows int32"),
             failure();
  }
  return out;
}

/// y = clamp(round_half_even(acc * m[c]) + z_y) in the output's storage,
/// m per channel along the last dim of `acc` (or one value).
Value requantize(OpBuilder &b, Location loc, Value acc,
                 ArrayRef<double> multipliers, const PerTensor &out) {
  auto t = tensorType(acc);
  Type f32 = b.getF32Type();
  Type storage = b.getIntegerType(out.width);
  SmallVector<float> m(multipliers.begin(), multipliers.end());
  SmallVector<Value> ins{acc};
  bool perChannel = llvm::any_of(m, [&](float v) { return v != m[0]; });
  if (perChannel) {
    SmallVector<int64_t> shape(t.getRank(), 1);
    shape.back() = int64_t(m.size());
    ins.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, f32),
                               ArrayRef<float>(m))));
  }
  return elementwise(
      b, loc, ins, t.getShape(), storage,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value f = arith::SIToFPOp::create(nb, l, f32, a[0]);
        Value mul = perChannel ? a[1] : scalarConst(nb, l, f32, m[0]);
        // Round half to even by adding and subtracting 1.5 * 2^23: exact
        // in the default rounding mode for |x| < 2^22, and any larger
        // magnitude is clamped to the storage range below anyway. Two
        // instructions on every target (math.roundeven has no instruction
        // on some and is expanded into ~25).
        Value magic = scalarConst(nb, l, f32, 12582912.0);
        f = arith::MulFOp::create(nb, l, f, mul);
        // The product is rounded to f32 before the rounding below (the
        // NPU's output stage computes exactly this, docs/npu-spec.md §2.2):
        // the code generator contracts a multiply feeding an add into one
        // FMA (FPOpFusion::Fast), which would round acc * m + 1.5 * 2^23
        // once and differ on ties. A max in between keeps them apart; it
        // changes nothing else, since a product below -2^22 saturates to
        // the storage minimum either way.
        f = arith::MaxNumFOp::create(nb, l, f,
                                     scalarConst(nb, l, f32, -4194304.0));
        f = arith::SubFOp::create(nb, l, arith::AddFOp::create(nb, l, f, magic),
                                  magic);
        f = arith::AddFOp::create(nb, l, f,
                                  scalarConst(nb, l, f32, double(out.zp)));
        // IEEE maxNum/minNum (the value is never NaN): one instruction
        // where the ISA has them (fmaxnm, vfmax, vmaxnm), a compare and
        // blend at most elsewhere.
        f = arith::MaxNumFOp::create(nb, l, f,
                                     scalarConst(nb, l, f32, double(out.min)));
        f = arith::MinNumFOp::create(nb, l, f,
                                     scalarConst(nb, l, f32, double(out.max)));
        Value i = arith::FPToSIOp::create(nb, l, nb.getI32Type(), f);
        return out.width == 32 ? i : arith::TruncIOp::create(nb, l, storage, i);
      });
}

/// The patches of a padded NHWC input under a kh x kw window, as
/// (n, oh, ow, kh, kw, c).
Value im2col(OpBuilder &b, Location loc, Value x, int64_t kh, int64_t kw,
             int64_t oh, int64_t ow, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  auto t = tensorType(x);
  int64_t n = t.getDimSize(0), c = t.getDimSize(3);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> in{d(0)};
  in.append(windowExprs(ctx, 1, 3, strides, dilations));
  in.push_back(d(5));
  return copyThrough(b, loc, x, AffineMap::get(6, 0, in, ctx),
                     {n, oh, ow, kh, kw, c});
}

/// The (F, C, KH, KW) filter as the (rows, F) weights of a matrix product,
/// rows (kh, kw, c) then zeros: one constant built at compile time (the
/// dot-product forms take constant weights only).
Value matmulWeights(OpBuilder &b, Location loc, DenseElementsAttr filter,
                    int64_t rows) {
  auto shape = cast<ShapedType>(filter.getType()).getShape();
  int64_t f = shape[0], c = shape[1], kh = shape[2], kw = shape[3];
  SmallVector<int64_t> w = storageValues(filter);
  SmallVector<int8_t> out(size_t(rows * f), 0);
  for (int64_t o = 0; o < f; ++o)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          out[((y * kw + x) * c + ci) * f + o] =
              int8_t(w[((o * c + ci) * kh + y) * kw + x]);
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({rows, f}, b.getI8Type()),
                             ArrayRef<int8_t>(out)));
}

SmallVector<double> multipliers(double sx, ArrayRef<double> sw, double sy) {
  SmallVector<double> m;
  for (double s : sw)
    m.push_back(sx * s / sy);
  return m;
}

struct QuantizedConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType(), fT = op.getFilter().getType();
    auto outT = op.getType();
    int64_t rank = inT.getRank(), spatial = rank - 2;
    int64_t c = inT.getDimSize(1), f = fT.getDimSize(0);
    int64_t group = static_cast<int64_t>(op.getGroup());
    ArrayRef<int64_t> pads = op.getPads();
    DenseElementsAttr wAttr = constantStorage(op.getFilter());
    if (!wAttr)
      return op.emitOpError("the filter of a quantized convolution must be "
                            "constant");

    PerTensor xq = perTensor(inT), yq = perTensor(outT);
    Value x = signedActivation(b, loc, adaptor.getInput(), xq);
    SmallVector<int64_t> w = storageValues(wAttr);
    int64_t perFilter = int64_t(w.size()) / f;
    SmallVector<int64_t> colsum(f, 0);
    for (int64_t i = 0; i < f; ++i)
      for (int64_t k = 0; k < perFilter; ++k)
        colsum[i] += w[i * perFilter + k];
    auto bias = foldedBias(op, op.getBias(), colsum, xq.zp);
    if (failed(bias))
      return failure();
    Value biasConst = i32Constant(b, loc, {f}, *bias);
    Value filter = arith::ConstantOp::create(b, loc, wAttr);

    x = transposeGeneric(b, loc, x, toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, pads.take_front(spatial),
                       pads.drop_front(spatial), double(xq.zp));
    SmallVector<int64_t> outLast{inT.getDimSize(0)};
    for (int64_t i = 0; i < spatial; ++i)
      outLast.push_back(outT.getDimSize(2 + i));
    outLast.push_back(f);

    int64_t kh = spatial == 2 ? fT.getDimSize(2) : 0;
    int64_t kw = spatial == 2 ? fT.getDimSize(3) : 0;
    bool pointwise =
        kh == 1 && kw == 1 &&
        llvm::all_of(op.getStrides(), [](int64_t v) { return v == 1; }) &&
        llvm::all_of(pads, [](int64_t v) { return v == 0; });
    int64_t pixels = ShapedType::getNumElements(outLast) / f;
    int64_t taps = kh * kw * c;
    // Few input channels (a first layer) make a poor direct convolution: its
    // patches are gathered (im2col, 1 byte per tap) when they take at most
    // 1 MB, so that it too runs as a matrix product.
    bool gather = spatial == 2 && group == 1 && !pointwise && c < 8 &&
                  pixels * taps <= 1024 * 1024;
    Value y;
    if (spatial == 2 && group == 1 && (pointwise || gather)) {
      // A matrix product over the pixels: the form the int8 dot-product
      // kernels take. The filter as (taps, F) with taps (kh, kw, c), padded
      // with zero rows to a multiple of 4 (patches padded alike).
      int64_t k = (taps + 3) / 4 * 4;
      Value wt = matmulWeights(b, loc, wAttr, gather ? k : taps);
      Value patches;
      if (!gather) {
        patches = reshapeTo(b, loc, x, {pixels, c});
      } else {
        patches =
            im2col(b, loc, x, kh, kw, outT.getDimSize(2), outT.getDimSize(3),
                   op.getStrides(), op.getDilations());
        patches = reshapeTo(b, loc, patches, {pixels, taps});
        patches = padConstant(b, loc, patches, {0, 0}, {0, k - taps}, 0.0);
      }
      Value init = broadcastTrailing(b, loc, biasConst, {pixels, f}, 1);
      y = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                   ValueRange{patches, wt}, ValueRange{init})
              .getResult(0);
      y = reshapeTo(b, loc, y, outLast);
    } else {
      y = convChannelsLast(b, loc, op, x, filter, [&](ArrayRef<int64_t> shape) {
        return broadcastTrailing(b, loc, biasConst, shape, 1 + spatial);
      });
    }
    y = requantize(b, loc, y,
                   multipliers(xq.scale, channelScales(fT, f), yq.scale), yq);
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

/// x [P, K] (signed, zero point folded) times constant weights [K, N]
/// with the int32 bias, requantized: the core of Gemm and MatMul.
FailureOr<Value> quantizedProduct(OpBuilder &b, Operation *op, Location loc,
                                  Value x, PerTensor xq,
                                  DenseElementsAttr wAttr, bool transposedW,
                                  Type wType, Value bias, PerTensor yq) {
  auto wShape = cast<ShapedType>(wAttr.getType()).getShape();
  int64_t k = wShape[transposedW ? 1 : 0], nOut = wShape[transposedW ? 0 : 1];
  SmallVector<int64_t> w = storageValues(wAttr);
  SmallVector<int64_t> colsum(nOut, 0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < nOut; ++j)
      colsum[j] += transposedW ? w[j * k + i] : w[i * nOut + j];
  auto folded = foldedBias(op, bias, colsum, xq.zp);
  if (failed(folded))
    return failure();
  Value wv = arith::ConstantOp::create(b, loc, wAttr);
  if (transposedW)
    wv = transposed(b, loc, wv, {1, 0});
  int64_t p = tensorType(x).getDimSize(0);
  Value init = broadcastTrailing(b, loc, i32Constant(b, loc, {nOut}, *folded),
                                 {p, nOut}, 1);
  Value acc = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                       ValueRange{x, wv}, ValueRange{init})
                  .getResult(0);
  return requantize(b, loc, acc,
                    multipliers(xq.scale, channelScales(wType, nOut), yq.scale),
                    yq);
}

struct QuantizedGemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    DenseElementsAttr wAttr = constantStorage(op.getB());
    if (!wAttr || op.getTransA())
      return op.emitOpError("a quantized Gemm needs constant B and no transA");
    PerTensor xq = perTensor(op.getA().getType());
    Value x = signedActivation(rewriter, op.getLoc(), adaptor.getA(), xq);
    auto y = quantizedProduct(rewriter, op, op.getLoc(), x, xq, wAttr,
                              op.getTransB(), op.getB().getType(), op.getC(),
                              perTensor(op.getType()));
    if (failed(y))
      return failure();
    rewriter.replaceOp(op, *y);
    return success();
  }
};

struct QuantizedMatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    DenseElementsAttr wAttr = constantStorage(op.getRhs());
    auto lT = op.getLhs().getType();
    if (!wAttr || lT.getRank() < 2 || op.getRhs().getType().getRank() != 2)
      return op.emitOpError("a quantized MatMul needs constant 2-D weights");
    Location loc = op.getLoc();
    PerTensor xq = perTensor(lT);
    Value x = signedActivation(rewriter, loc, adaptor.getLhs(), xq);
    int64_t k = lT.getShape().back();
    x = reshapeTo(rewriter, loc, x, {lT.getNumElements() / k, k});
    auto y = quantizedProduct(rewriter, op, loc, x, xq, wAttr, false,
                              op.getRhs().getType(), Value(),
                              perTensor(op.getType()));
    if (failed(y))
      return failure();
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, *y, op.getType().getShape()));
    return success();
  }
};

/// Relu / Clip on quantized values: max(q, quantize(lo)), min(q,
/// quantize(hi)) in the storage's signedness.
template <typename OpTy>
struct QuantizedClampLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    auto qt =
        dyn_cast<quant::UniformQuantizedType>(op.getType().getElementType());
    if (!qt)
      return op.emitOpError("needs a per-tensor quantized operand");
    PerTensor q = perTensor(op.getType());
    auto bound = [&](double v) {
      double r = std::nearbyint(v / q.scale) + double(q.zp);
      return std::min(std::max(r, double(q.min)), double(q.max));
    };
    double lo = double(q.zp), hi = double(q.max);
    if constexpr (std::is_same_v<OpTy, ClipOp>) {
      lo = bound(op.getMin().convertToDouble());
      hi = bound(op.getMax().convertToDouble());
    }
    auto t = tensorType(adaptor.getInput());
    Type et = t.getElementType();
    Value r =
        elementwise(rewriter, op.getLoc(), adaptor.getInput(), t.getShape(), et,
                    [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                      Value v = a[0];
                      Value vlo = scalarConst(b, l, et, lo),
                            vhi = scalarConst(b, l, et, hi);
                      if (q.isSigned) {
                        v = arith::MaxSIOp::create(b, l, v, vlo);
                        return hi < double(q.max)
                                   ? Value(arith::MinSIOp::create(b, l, v, vhi))
                                   : v;
                      }
                      v = arith::MaxUIOp::create(b, l, v, vlo);
                      return hi < double(q.max)
                                 ? Value(arith::MinUIOp::create(b, l, v, vhi))
                                 : v;
                    });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.quantized_add (Q6): each input's offset from its zero point times
/// its f32 multiplier s_i / s_y, each product rounded to f32 (a max that
/// never clips keeps the code generator from fusing it into the sum's
/// FMA), the sum rounded half to even, the zero point, the clamp: the
/// NPU's ELTWISE add (docs/npu-spec.md §2.3).
struct QuantizedAddLowering : OpConversionPattern<QuantizedAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizedAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    PerTensor lq = perTensor(op.getLhs().getType()),
              rq = perTensor(op.getRhs().getType()),
              yq = perTensor(op.getType());
    float ml = float(lq.scale / yq.scale), mr = float(rq.scale / yq.scale);
    auto t = tensorType(adaptor.getLhs());
    Type f32 = rewriter.getF32Type(), i32 = rewriter.getI32Type();
    Type storage = rewriter.getIntegerType(8);
    Value r = elementwise(
        rewriter, op.getLoc(), ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        t.getShape(), storage,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          auto scaled = [&](Value x, const PerTensor &q, float m) -> Value {
            Value w = q.isSigned ? Value(arith::ExtSIOp::create(nb, l, i32, x))
                                 : Value(arith::ExtUIOp::create(nb, l, i32, x));
            w = arith::SubIOp::create(
                nb, l, w,
                arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(q.zp)));
            Value f = arith::SIToFPOp::create(nb, l, f32, w);
            f = arith::MulFOp::create(nb, l, f, scalarConst(nb, l, f32, m));
            // |x - z| <= 255: the bound never clips.
            return arith::MaxNumFOp::create(
                nb, l, f, scalarConst(nb, l, f32, -256.0 * double(m)));
          };
          Value sum = arith::AddFOp::create(nb, l, scaled(a[0], lq, ml),
                                            scaled(a[1], rq, mr));
          Value magic = scalarConst(nb, l, f32, 12582912.0);
          sum = arith::SubFOp::create(
              nb, l, arith::AddFOp::create(nb, l, sum, magic), magic);
          sum = arith::AddFOp::create(nb, l, sum,
                                      scalarConst(nb, l, f32, double(yq.zp)));
          sum = arith::MaxNumFOp::create(
              nb, l, sum, scalarConst(nb, l, f32, double(yq.min)));
          sum = arith::MinNumFOp::create(
              nb, l, sum, scalarConst(nb, l, f32, double(yq.max)));
          Value i = arith::FPToSIOp::create(nb, l, i32, sum);
          return arith::TruncIOp::create(nb, l, storage, i);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.quantized_average_pool (Q7): the window sums of x - z_x in int32
/// (exact), then the one requantization with m = s_x / (s_y * kh * kw) in
/// f32, the NPU's POOL average arithmetic.
struct QuantizedAveragePoolLowering
    : OpConversionPattern<QuantizedAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizedAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    PerTensor xq = perTensor(op.getInput().getType()),
              yq = perTensor(op.getType());
    Type i32 = b.getI32Type();
    auto inT = tensorType(adaptor.getInput());
    Value x = elementwise(
        b, loc, adaptor.getInput(), inT.getShape(), i32,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value w = xq.isSigned
                        ? Value(arith::ExtSIOp::create(nb, l, i32, a[0]))
                        : Value(arith::ExtUIOp::create(nb, l, i32, a[0]));
          return arith::SubIOp::create(
              nb, l, w,
              arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(xq.zp)));
        });
    x = transposeGeneric(b, loc, x, {0, 2, 3, 1});
    auto outT = op.getType();
    SmallVector<int64_t> outShape{outT.getDimSize(0), outT.getDimSize(2),
                                  outT.getDimSize(3), outT.getDimSize(1)};
    Value init = filled(b, loc, outShape, i32, 0.0);
    Value window = empty(b, loc, op.getKernelShape(), i32);
    Value sum = linalg::PoolingNhwcSumOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, op.getStrides()),
                    i64Vector(b, {1, 1}))
                    .getResult(0);
    Value y = requantize(b, loc, sum, {double(op.multiplier())}, yq);
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, {0, 3, 1, 2}));
    return success();
  }
};

} // namespace

void edgec::lowering::populateQuantizedKernelLoweringPatterns(
    RewritePatternSet &patterns, const TypeConverter &converter) {
  patterns.add<QuantizedConvLowering, QuantizedGemmLowering,
               QuantizedMatMulLowering, QuantizedAddLowering,
               QuantizedAveragePoolLowering, QuantizedClampLowering<ReluOp>,
               QuantizedClampLowering<ClipOp>>(converter,
                                               patterns.getContext());
}
