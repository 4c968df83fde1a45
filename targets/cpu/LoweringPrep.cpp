//===- LoweringPrep.cpp - memref-level cleanups before LLVM lowering ------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUSCALARIZETRANSFERS
#define GEN_PASS_DEF_EDGECPUEXPANDCOPIES
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
struct ExpandCopiesPass
    : edgec::impl::EdgeCpuExpandCopiesBase<ExpandCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    OpBuilder b(&getContext());
    for (memref::CopyOp op : copies) {
      b.setInsertionPoint(op);
      linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
  }
};

/// vector.extract of one element (as a scalar or a 1-element vector) from an
/// in-bounds, minor-identity transfer_read of a memref -> memref.load (+ a
/// broadcast back to the 1-element vector type).
struct ExtractOfTransferReadToLoad : OpRewritePattern<vector::ExtractOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ExtractOp op,
                                PatternRewriter &rewriter) const override {
    auto read = op.getSource().getDefiningOp<vector::TransferReadOp>();
    if (!read || !isa<MemRefType>(read.getBase().getType()) || read.getMask() ||
        !read.getPermutationMap().isMinorIdentity() ||
        llvm::any_of(read.getInBoundsValues(), [](bool b) { return !b; }) ||
        op.hasDynamicPosition())
      return failure();
    Type resultType = op.getResult().getType();
    auto resultVec = dyn_cast<VectorType>(resultType);
    if (resultVec && resultVec.getNumElements() != 1)
      return failure();
    // Load indices: the read's, plus the extract position on the vector dims.
    SmallVector<Value> indices(read.getIndices());
    int64_t vecRank = read.getVectorType().getRank();
    int64_t offset = int64_t(indices.size()) - vecRank;
    ArrayRef<int64_t> pos = op.getStaticPosition();
    for (auto [i, p] : llvm::enumerate(pos)) {
      if (p == 0)
        continue;
      Value &idx = indices[offset + i];
      idx = arith::AddIOp::create(
          rewriter, op.getLoc(), idx,
          arith::ConstantIndexOp::create(rewriter, op.getLoc(), p));
    }
    Value scalar =
        memref::LoadOp::create(rewriter, op.getLoc(), read.getBase(), indices);
    if (resultVec)
      scalar = vector::BroadcastOp::create(rewriter, op.getLoc(), resultVec, scalar);
    rewriter.replaceOp(op, scalar);
    return success();
  }
};

struct ScalarizeTransfersPass
    : edgec::impl::EdgeCpuScalarizeTransfersBase<ScalarizeTransfersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExtractOfTransferReadToLoad>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
