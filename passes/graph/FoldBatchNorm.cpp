//===- FoldBatchNorm.cpp - fold inference BatchNorm into Conv -------------===//
#include "passes/graph/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_EDGEFOLDBATCHNORM
#include "passes/graph/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;

namespace {
/// The f32 values of a constant, or nothing.
std::optional<std::vector<float>> floats(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) ||
      !attr.getElementType().isF32())
    return std::nullopt;
  auto range = attr.getValues<float>();
  return std::vector<float>(range.begin(), range.end());
}

struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    auto w = floats(conv.getFilter());
    auto gamma = floats(bn.getScale()), beta = floats(bn.getBias());
    auto mean = floats(bn.getMean()), var = floats(bn.getVariance());
    if (!w || !gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "non-constant f32 parameters");
    int64_t f = conv.getFilter().getType().getDimSize(0);
    std::vector<float> b(f, 0.0f);
    if (conv.getBias()) {
      auto cb = floats(conv.getBias());
      if (!cb)
        return rewriter.notifyMatchFailure(bn, "non-constant conv bias");
      b = *cb;
    }
    float eps = bn.getEpsilon().convertToFloat();
    size_t perFilter = w->size() / f;
    for (int64_t o = 0; o < f; ++o) {
      float s = (*gamma)[o] / std::sqrt((*var)[o] + eps);
      for (size_t k = 0; k < perFilter; ++k)
        (*w)[o * perFilter + k] *= s;
      b[o] = (b[o] - (*mean)[o]) * s + (*beta)[o];
    }
    Location loc = bn.getLoc();
    auto wType = conv.getFilter().getType();
    Value newW = arith::ConstantOp::create(
        rewriter, conv.getLoc(),
        DenseElementsAttr::get(wType, ArrayRef<float>(*w)));
    Value newB = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({f}, rewriter.getF32Type()),
            ArrayRef<float>(b)));
    // Located at both nodes (the Conv first): messages and --keep-float
    // know the fused op by either name.
    auto fused = rewriter.replaceOpWithNewOp<ConvOp>(
        bn, conv.getInput(), newW, newB, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
    fused->setLoc(rewriter.getFusedLoc({conv.getLoc(), loc}));
    rewriter.eraseOp(conv);
    return success();
  }
};

struct EdgeFoldBatchNormPass
    : edgec::impl::EdgeFoldBatchNormBase<EdgeFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    edgec::populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void edgec::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormIntoConv>(patterns.getContext());
}
