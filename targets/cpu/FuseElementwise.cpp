//===- FuseElementwise.cpp - elementwise fusion that cancels transposes ---===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUFUSEELEMENTWISE
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
/// A generic whose body only yields its single input: a transpose or copy.
bool isDataMovement(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0)
    return false;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  return body.getOperations().size() == 1 &&
         yield.getOperand(0) == body.getArgument(0);
}

struct FuseElementwisePass
    : edgec::impl::EdgeCpuFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::ControlFusionFn control = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      if (!producer)
        return false;
      if (producer->hasOneUse())
        return true;
      auto generic = dyn_cast<linalg::GenericOp>(producer);
      return generic && isDataMovement(generic);
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    // A padded convolution input: the elementwise producer writes straight
    // into the interior of the padded buffer instead of a copy being made.
    RewritePatternSet padPatterns(ctx);
    linalg::populateFuseTensorPadWithProducerLinalgOpPatterns(padPatterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(padPatterns))))
      signalPassFailure();
  }
};
} // namespace
