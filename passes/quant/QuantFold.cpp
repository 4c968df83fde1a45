//===- QuantFold.cpp - QDQ chains into quantized Conv/Gemm/MatMul ---------===//
//
// dequantize(x_q) -> conv/gemm/matmul(.., dequantize(W_q), b) [-> relu/clip]
// -> quantize  becomes  conv/gemm/matmul(x_q, W_q, b_q) [-> relu/clip] on
// quantized tensors (constraint Q5 in EdgeOps.td). The float bias becomes
// int32 with scale s_x * s_w[c]; round(b / (s_x * s_w)) recovers the int32
// bias of a QDQ model exactly, since its float value was that product.
//
//===----------------------------------------------------------------------===//
#include "passes/quant/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_EDGEQUANTFOLD
#include "passes/quant/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;

namespace {

/// The quantized weights behind `v = dequantize(storage_cast(constant))`,
/// with their scales, when they qualify: signed storage of at most 8 bits,
/// zero points 0, per tensor or per axis `axis`.
struct Weights {
  Value quantized; // the storage_cast result
  SmallVector<double> scales;
};

std::optional<Weights> constantWeights(Value v, int64_t axis) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq)
    return std::nullopt;
  auto storage = dq.getInput().getDefiningOp<StorageCastOp>();
  if (!storage || !matchPattern(storage.getInput(), m_Constant()))
    return std::nullopt;
  auto q = cast<quant::QuantizedType>(dq.getInput().getType().getElementType());
  if (!q.isSigned() || q.getStorageTypeIntegralWidth() > 8)
    return std::nullopt;
  Weights w{dq.getInput(), {}};
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    if (t.getZeroPoint() != 0)
      return std::nullopt;
    w.scales.push_back(t.getScale());
  } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    if (t.getQuantizedDimension() != axis ||
        llvm::any_of(t.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return std::nullopt;
    llvm::append_range(w.scales, t.getScales());
  } else {
    return std::nullopt;
  }
  return w;
}

/// The per-tensor quantized input behind `v = dequantize(x_q)`.
Value quantizedInput(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || !isa<quant::UniformQuantizedType>(
                 dq.getInput().getType().getElementType()))
    return {};
  auto q = cast<quant::UniformQuantizedType>(
      dq.getInput().getType().getElementType());
  if (q.getStorageTypeIntegralWidth() > 16)
    return {};
  return dq.getInput();
}

/// The float values of a bias operand (a float constant, or the
/// dequantization of a constant), flattened; empty optional if neither.
std::optional<SmallVector<double>> biasValues(Value bias) {
  DenseElementsAttr attr;
  if (matchPattern(bias, m_Constant(&attr)) &&
      isa<FloatType>(attr.getElementType())) {
    SmallVector<double> out;
    for (APFloat f : attr.getValues<APFloat>())
      out.push_back(f.convertToDouble());
    return out;
  }
  auto dq = bias.getDefiningOp<DequantizeOp>();
  if (!dq)
    return std::nullopt;
  auto storage = dq.getInput().getDefiningOp<StorageCastOp>();
  if (!storage || !matchPattern(storage.getInput(), m_Constant(&attr)))
    return std::nullopt;
  auto q = dyn_cast<quant::UniformQuantizedType>(
      dq.getInput().getType().getElementType());
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(
      dq.getInput().getType().getElementType());
  if (!q && !(pa && storage.getInput().getType().getRank() == 1))
    return std::nullopt;
  SmallVector<double> out;
  int64_t i = 0;
  for (APInt v : attr.getValues<APInt>()) {
    double scale = q ? q.getScale() : pa.getScales()[i];
    int64_t zp = q ? q.getZeroPoint() : pa.getZeroPoints()[i];
    out.push_back(double(v.getSExtValue() - zp) * scale);
    ++i;
  }
  return out;
}

/// The int32 bias `round(b / (sx * sw[c]))` as a quantized tensor of
/// `count` entries (per axis when the weights are), or failure when a value
/// does not fit int32.
FailureOr<Value> quantizedBias(PatternRewriter &rewriter, Location loc,
                               ArrayRef<double> bias, int64_t count, double sx,
                               ArrayRef<double> sw) {
  MLIRContext *ctx = rewriter.getContext();
  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  SmallVector<int32_t> values;
  SmallVector<double> scales;
  for (double s : sw)
    scales.push_back(sx * s);
  for (int64_t c = 0; c < count; ++c) {
    double b = bias.empty() ? 0.0 : bias[bias.size() == 1 ? 0 : c];
    double q = std::nearbyint(b / scales[scales.size() == 1 ? 0 : c]);
    if (!(std::abs(q) <= 2147483647.0))
      return failure();
    values.push_back(int32_t(q));
  }
  int64_t lo = std::numeric_limits<int32_t>::min(),
          hi = std::numeric_limits<int32_t>::max();
  Type qt;
  if (scales.size() == 1)
    qt = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, i32,
                                          f32, scales[0], 0, lo, hi);
  else
    qt = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i32, f32, scales,
        SmallVector<int64_t>(scales.size(), 0), 0, lo, hi);
  auto storageType = RankedTensorType::get({count}, i32);
  Value storage = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(storageType, ArrayRef<int32_t>(values)));
  (void)ctx;
  return StorageCastOp::create(rewriter, loc, storageType.clone(qt), storage)
      .getResult();
}

/// Rooted at each edge.quantize: walks back through an optional Relu/Clip
/// to the compute op and rebuilds the chain on quantized tensors.
/// quantize(add(dequantize(a), dequantize(b))) of per-tensor 8-bit types
/// and one shape (no broadcast) becomes edge.quantized_add, whose
/// arithmetic the CPU and the NPU share (Q6).
struct FoldAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto add = quantize.getInput().getDefiningOp<AddOp>();
    if (!add || !add->hasOneUse())
      return failure();
    auto perTensor8 = [](Type t) {
      auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
      return q && q.getStorageTypeIntegralWidth() == 8;
    };
    if (!perTensor8(quantize.getType()))
      return failure();
    SmallVector<Value> inputs;
    for (Value v : {add.getLhs(), add.getRhs()}) {
      auto dq = v.getDefiningOp<DequantizeOp>();
      if (!dq || !perTensor8(dq.getInput().getType()) ||
          dq.getInput().getType().getShape() != quantize.getType().getShape())
        return failure();
      inputs.push_back(dq.getInput());
    }
    rewriter.replaceOpWithNewOp<QuantizedAddOp>(quantize, quantize.getType(),
                                                inputs[0], inputs[1]);
    return success();
  }
};

/// A QDQ AveragePool without padding, or a QDQ GlobalAveragePool, of a
/// per-tensor 8-bit NCHW image becomes edge.quantized_average_pool: the
/// integer window sum requantized once, the arithmetic the CPU and the
/// NPU's POOL average share (Q7). Padded windows (whose counts differ)
/// stay float.
struct FoldAveragePool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Operation *pool = quantize.getInput().getDefiningOp();
    if (!pool || !pool->hasOneUse() ||
        !isa<AveragePoolOp, GlobalAveragePoolOp>(pool))
      return failure();
    auto dq = pool->getOperand(0).getDefiningOp<DequantizeOp>();
    auto perTensor8 = [](Type t) {
      auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
      return q && q.getStorageTypeIntegralWidth() == 8;
    };
    if (!dq || !perTensor8(dq.getInput().getType()) ||
        !perTensor8(quantize.getType()))
      return failure();
    auto in = dq.getInput().getType();
    auto out = quantize.getType();
    if (in.getRank() != 4 || !in.hasStaticShape() || !out.hasStaticShape())
      return failure();
    SmallVector<int64_t> kernel{in.getDimSize(2), in.getDimSize(3)},
        strides{1, 1};
    if (auto avg = dyn_cast<AveragePoolOp>(pool)) {
      if (llvm::any_of(avg.getPads(), [](int64_t p) { return p != 0; }) ||
          llvm::any_of(avg.getDilations(), [](int64_t d) { return d != 1; }))
        return failure();
      kernel.assign(avg.getKernelShape().begin(), avg.getKernelShape().end());
      strides.assign(avg.getStrides().begin(), avg.getStrides().end());
      // ceil_mode may add partial windows at the end: only the floor's
      // output size keeps every window whole.
      for (int i = 0; i < 2; ++i)
        if (out.getDimSize(2 + i) !=
            (in.getDimSize(2 + i) - kernel[i]) / strides[i] + 1)
          return failure();
    }
    // Named after the pooling (the report's and the NPU's layer name).
    rewriter.setInsertionPoint(quantize);
    Value pooled = QuantizedAveragePoolOp::create(
        rewriter, pool->getLoc(), quantize.getType(), dq.getInput(),
        rewriter.getDenseI64ArrayAttr(kernel),
        rewriter.getDenseI64ArrayAttr(strides));
    rewriter.replaceOp(quantize, pooled);
    return success();
  }
};

struct FoldComputeChain : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto outQ = dyn_cast<quant::UniformQuantizedType>(
        quantize.getType().getElementType());
    if (!outQ || outQ.getStorageTypeIntegralWidth() > 16)
      return failure();
    Operation *act = quantize.getInput().getDefiningOp();
    if (!act || !act->hasOneUse())
      return failure();
    Operation *compute = act;
    if (isa<ReluOp, ClipOp>(act)) {
      compute = act->getOperand(0).getDefiningOp();
      if (!compute || !compute->hasOneUse())
        return failure();
    } else {
      act = nullptr;
    }
    if (!isa_and_nonnull<ConvOp, GemmOp, MatMulOp>(compute) ||
        !isa<FloatType>(cast<RankedTensorType>(compute->getResult(0).getType())
                            .getElementType()))
      return failure();

    Location loc = compute->getLoc();
    auto resultType =
        cast<RankedTensorType>(compute->getResult(0).getType()).clone(outQ);
    rewriter.setInsertionPoint(compute);
    Value result;
    if (auto conv = dyn_cast<ConvOp>(compute)) {
      Value x = quantizedInput(conv.getInput());
      auto w = constantWeights(conv.getFilter(), 0);
      if (!x || !w)
        return failure();
      Value bias;
      if (failed(makeBias(rewriter, loc, conv.getBias(), x, *w,
                          conv.getFilter().getType().getDimSize(0), bias)))
        return failure();
      result = ConvOp::create(rewriter, loc, resultType, x, w->quantized, bias,
                              conv.getStridesAttr(), conv.getPadsAttr(),
                              conv.getDilationsAttr(), conv.getGroupAttr());
    } else if (auto gemm = dyn_cast<GemmOp>(compute)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
          gemm.getBeta().convertToDouble() != 1.0)
        return failure();
      Value x = quantizedInput(gemm.getA());
      auto w = constantWeights(gemm.getB(), gemm.getTransB() ? 0 : 1);
      if (!x || !w)
        return failure();
      int64_t n = resultType.getDimSize(1);
      Value c = gemm.getC();
      if (c && cast<RankedTensorType>(c.getType()).getNumElements() != n &&
          cast<RankedTensorType>(c.getType()).getNumElements() != 1)
        return failure(); // a full [M, N] addend is not a bias
      Value bias;
      if (failed(makeBias(rewriter, loc, c, x, *w, n, bias)))
        return failure();
      result = GemmOp::create(rewriter, loc, resultType, x, w->quantized, bias,
                              gemm.getAlphaAttr(), gemm.getBetaAttr(),
                              gemm.getTransAAttr(), gemm.getTransBAttr());
    } else {
      auto mm = cast<MatMulOp>(compute);
      if (mm.getRhs().getType().getRank() != 2 ||
          mm.getLhs().getType().getRank() < 2)
        return failure();
      Value x = quantizedInput(mm.getLhs());
      auto w = constantWeights(mm.getRhs(), 1);
      if (!x || !w)
        return failure();
      result = MatMulOp::create(rewriter, loc, resultType, x, w->quantized);
    }

    if (act) {
      if (isa<ReluOp>(act))
        result = ReluOp::create(rewriter, act->getLoc(), result);
      else {
        auto clip = cast<ClipOp>(act);
        result = ClipOp::create(rewriter, act->getLoc(), result,
                                clip.getMinAttr(), clip.getMaxAttr());
      }
    }
    rewriter.replaceOp(quantize, result);
    if (act)
      rewriter.eraseOp(act);
    rewriter.eraseOp(compute);
    return success();
  }

  /// The int32 bias operand for `count` output channels (null when the op
  /// has none); fails when the bias is not constant or does not fit.
  static LogicalResult makeBias(PatternRewriter &rewriter, Location loc,
                                Value floatBias, Value x, const Weights &w,
                                int64_t count, Value &out) {
    if (!floatBias)
      return success();
    auto values = biasValues(floatBias);
    if (!values || (values->size() != 1 && int64_t(values->size()) != count))
      return failure();
    double sx = cast<quant::UniformQuantizedType>(
                    cast<RankedTensorType>(x.getType()).getElementType())
                    .getScale();
    auto b = quantizedBias(rewriter, loc, *values, count, sx, w.scales);
    if (failed(b))
      return failure();
    out = *b;
    return success();
  }
};

/// reshape/transpose(dequantize(q)) -> dequantize(reshape/transpose(q)) for
/// a per-tensor q: moving data commutes with a per-tensor dequantization,
/// so the quantized chain reaches the next compute op (a Flatten before a
/// Gemm, a Reshape before a MatMul).
template <typename OpTy> struct SinkDequantize : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto dq = op.getInput().template getDefiningOp<DequantizeOp>();
    if (!dq)
      return failure();
    auto qt = dyn_cast<quant::UniformQuantizedType>(
        dq.getInput().getType().getElementType());
    if (!qt)
      return failure();
    auto outType = cast<RankedTensorType>(op.getType());
    auto moved = OpTy::create(rewriter, op.getLoc(), outType.clone(qt),
                              dq.getInput(), op->getAttrs());
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, moved);
    return success();
  }
};

struct EdgeQuantFoldPass : edgec::impl::EdgeQuantFoldBase<EdgeQuantFoldPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    edgec::populateQuantFoldPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void edgec::populateQuantFoldPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldComputeChain, FoldAdd, FoldAveragePool,
               SinkDequantize<ReshapeOp>, SinkDequantize<TransposeOp>>(
      patterns.getContext());
}
