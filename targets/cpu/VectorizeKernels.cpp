//===- VectorizeKernels.cpp - register-blocked conv/matmul kernels --------===//
//
// The C++ form of the transform scripts measured in
// shared/probes/mlir22-cpu-codegen (tile to a register block, decompose 2-D
// convolutions to 1-D, vectorize, hoist the accumulators out of the reduction
// loops), with tile sizes chosen per op from its static shape and the target's
// vector width.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUVECTORIZEKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

/// Lets the upstream decomposition patterns be called outside a driver.
struct DirectPatternRewriter : PatternRewriter {
  explicit DirectPatternRewriter(MLIRContext *ctx) : PatternRewriter(ctx) {}
};

/// A tile size for `dim`: the whole dim when it fits in `limit`, else the
/// first preferred size dividing it, else the largest divisor <= limit.
int64_t pickTile(int64_t dim, ArrayRef<int64_t> preferred, int64_t limit) {
  if (dim <= limit)
    return dim;
  for (int64_t p : preferred)
    if (p > 0 && dim % p == 0)
      return p;
  for (int64_t t = limit; t > 1; --t)
    if (dim % t == 0)
      return t;
  return 1;
}

/// Largest divisor of dim that is <= limit.
int64_t divisorAtMost(int64_t dim, int64_t limit) {
  for (int64_t t = std::min(dim, limit); t > 1; --t)
    if (dim % t == 0)
      return t;
  return 1;
}

FailureOr<scf::SCFTilingResult> tile(RewriterBase &rewriter, Operation *op,
                                     ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  rewriter.setInsertionPoint(op);
  auto result =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return result;
}

struct VectorizeKernelsPass
    : edgec::impl::EdgeCpuVectorizeKernelsBase<VectorizeKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    int64_t lanes = std::max<int64_t>(vectorBits / 32, 4);
    SmallVector<int64_t> fPref{2 * lanes, lanes, lanes / 2};

    SmallVector<Operation *> kernels;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp,
              linalg::MatmulOp>(op) &&
          op.hasPureTensorSemantics() && op.getStaticLoopRanges().size() &&
          !ShapedType::isDynamicShape(op.getStaticLoopRanges()))
        kernels.push_back(op);
    });

    IRRewriter rewriter(ctx);
    DirectPatternRewriter patternRewriter(ctx);
    SmallVector<Operation *> toVectorize;
    for (Operation *op : kernels) {
      SmallVector<int64_t> r = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op)) {
        // (n, oh, ow, f, kh, kw, c): one output row segment x 2 vectors.
        auto t = tile(rewriter, op,
                      {1, 1, divisorAtMost(r[2], 8), pickTile(r[3], fPref, 2 * lanes),
                       1, 1, 1});
        if (failed(t))
          continue;
        auto tiled = cast<linalg::Conv2DNhwcHwcfOp>(t->tiledOps.back());
        patternRewriter.setInsertionPoint(tiled);
        linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                      linalg::Conv1DNwcWcfOp>
            decompose(ctx);
        auto oneD = decompose.returningMatchAndRewrite(tiled, patternRewriter);
        toVectorize.push_back(succeeded(oneD) ? oneD->getOperation()
                                              : tiled.getOperation());
      } else if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op)) {
        // (n, oh, ow, c, kh, kw), kw left whole for the 1-D vectorizer.
        auto t = tile(rewriter, op,
                      {1, 1, divisorAtMost(r[2], 8),
                       pickTile(r[3], {lanes, lanes / 2}, lanes), 1, 0});
        if (failed(t))
          continue;
        auto tiled = cast<linalg::DepthwiseConv2DNhwcHwcOp>(t->tiledOps.back());
        patternRewriter.setInsertionPoint(tiled);
        linalg::DownscaleDepthwiseConv2DNhwcHwcOp decompose(ctx);
        auto oneD = decompose.returningMatchAndRewrite(tiled, patternRewriter);
        toVectorize.push_back(succeeded(oneD) ? oneD->getOperation()
                                              : tiled.getOperation());
      } else {
        // (m, n, k): cache tile for large operands, then 8 x 2 vectors x 1.
        int64_t mt = divisorAtMost(r[0], 8);
        int64_t nt = pickTile(r[1], fPref, 2 * lanes);
        Operation *target = op;
        if (r[0] >= 192 && r[1] >= 256) {
          auto outer = tile(rewriter, op,
                            {mt * divisorAtMost(r[0] / mt, 12),
                             nt * divisorAtMost(r[1] / nt, 4), 0});
          if (failed(outer))
            continue;
          target = outer->tiledOps.back();
        }
        auto inner = tile(rewriter, target, {mt, nt, 1});
        if (failed(inner))
          continue;
        toVectorize.push_back(inner->tiledOps.back());
      }
    }

    for (Operation *op : toVectorize) {
      rewriter.setInsertionPoint(op);
      auto result = linalg::vectorize(rewriter, op);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }

    // Cleanups from the measured script.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      for (Dialect *d : ctx->getLoadedDialects())
        d->getCanonicalizationPatterns(patterns);
      for (RegisteredOperationName name : ctx->getRegisteredOperations())
        name.getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    DominanceInfo dom(func);
    eliminateCommonSubExpressions(rewriter, dom, func);

    // Keep accumulators in registers across the reduction loops, innermost
    // loops first.
    SmallVector<scf::ForOp> loops;
    func.walk<WalkOrder::PostOrder>([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      hoistLoopInvariantSubsets(rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
  }
};
} // namespace
