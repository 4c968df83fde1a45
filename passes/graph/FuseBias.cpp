//===- FuseBias.cpp - fuse constant bias adds into Conv / Gemm ------------===//
#include "passes/graph/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGEFUSEBIAS
#include "passes/graph/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;

namespace {
/// add(conv, c) -> conv with bias, when c is constant and per-channel.
struct FuseConvBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value convValue = add->getOperand(side), other = add->getOperand(1 - side);
      auto conv = convValue.getDefiningOp<ConvOp>();
      DenseElementsAttr c;
      if (!conv || !conv->hasOneUse() || !matchPattern(other, m_Constant(&c)) ||
          !c.getElementType().isF32() || add.getType() != conv.getType())
        continue;
      // c must broadcast along channels only: [F,1,1], [1,F,1,1] or a scalar.
      auto cs = cast<RankedTensorType>(c.getType()).getShape();
      int64_t f = conv.getType().getDimSize(1);
      int64_t rank = conv.getType().getRank();
      bool perChannel = c.getNumElements() == 1;
      if (!perChannel && c.getNumElements() == f) {
        int64_t offset = rank - int64_t(cs.size());
        perChannel = true;
        for (int64_t i = 0; i < int64_t(cs.size()); ++i)
          if (cs[i] != 1 && i + offset != 1)
            perChannel = false;
      }
      if (!perChannel)
        continue;
      std::vector<float> bias(f, 0.0f);
      if (Value b = conv.getBias()) {
        DenseElementsAttr ba;
        if (!matchPattern(b, m_Constant(&ba)) || !ba.getElementType().isF32())
          continue;
        auto vals = ba.getValues<float>();
        bias.assign(vals.begin(), vals.end());
      }
      auto cv = c.getValues<float>();
      for (int64_t i = 0; i < f; ++i)
        bias[i] += c.isSplat() ? c.getSplatValue<float>() : cv[i];
      Value newB = arith::ConstantOp::create(
          rewriter, add.getLoc(),
          DenseElementsAttr::get(
              RankedTensorType::get({f}, rewriter.getF32Type()),
              ArrayRef<float>(bias)));
      // Located at both nodes, the Conv first (read before `add` goes).
      Location loc = rewriter.getFusedLoc({conv.getLoc(), add.getLoc()});
      auto fused = rewriter.replaceOpWithNewOp<ConvOp>(
          add, conv.getInput(), conv.getFilter(), newB, conv.getStridesAttr(),
          conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
      fused->setLoc(loc);
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no conv + constant bias");
  }
};

/// add(matmul(a, B), c) -> gemm(a, B, c) for 2-D operands.
struct FuseMatMulBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto mm = add->getOperand(side).getDefiningOp<MatMulOp>();
      Value c = add->getOperand(1 - side);
      if (!mm || !mm->hasOneUse() || mm.getLhs().getType().getRank() != 2 ||
          mm.getRhs().getType().getRank() != 2 ||
          add.getType() != mm.getType())
        continue;
      Location loc = rewriter.getFusedLoc({mm.getLoc(), add.getLoc()});
      auto gemm = rewriter.replaceOpWithNewOp<GemmOp>(
          add, mm.getLhs(), mm.getRhs(), c, rewriter.getF32FloatAttr(1.0f),
          rewriter.getF32FloatAttr(1.0f), rewriter.getBoolAttr(false),
          rewriter.getBoolAttr(false));
      gemm->setLoc(loc);
      rewriter.eraseOp(mm);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no 2-D matmul operand");
  }
};

struct EdgeFuseBiasPass : edgec::impl::EdgeFuseBiasBase<EdgeFuseBiasPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    edgec::populateFuseBiasPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void edgec::populateFuseBiasPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseConvBias, FuseMatMulBias>(patterns.getContext());
}
