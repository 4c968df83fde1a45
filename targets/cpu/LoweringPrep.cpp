//===- LoweringPrep.cpp - memref-level cleanups before LLVM lowering ------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUSCALARIZETRANSFERS
#define GEN_PASS_DEF_EDGECPUEXPANDCOPIES
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
/// The number of trailing dims over which both memrefs are contiguous
/// (row-major strides over static sizes).
int64_t contiguousTrailingDims(MemRefType a, MemRefType b) {
  SmallVector<int64_t> sa, sb;
  int64_t oa, ob;
  if (!a.hasStaticShape() || a.getShape() != b.getShape() ||
      failed(a.getStridesAndOffset(sa, oa)) ||
      failed(b.getStridesAndOffset(sb, ob)))
    return 0;
  int64_t expected = 1, dims = 0;
  for (int64_t d = a.getRank() - 1; d >= 0; --d) {
    if (sa[d] != expected || sb[d] != expected)
      break;
    expected *= a.getDimSize(d);
    ++dims;
  }
  return dims;
}

struct ExpandCopiesPass
    : edgec::impl::EdgeCpuExpandCopiesBase<ExpandCopiesPass> {
  /// Copies of contiguous runs at least this long become memcpy calls.
  static constexpr int64_t kMemcpyBytes = 256;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    OpBuilder b(&getContext());
    for (memref::CopyOp op : copies) {
      b.setInsertionPoint(op);
      auto src = cast<MemRefType>(op.getSource().getType());
      auto dst = cast<MemRefType>(op.getTarget().getType());
      int64_t inner = contiguousTrailingDims(src, dst);
      int64_t rank = src.getRank();
      int64_t runBytes = (src.getElementTypeBitWidth() + 7) / 8;
      for (int64_t d = rank - inner; d < rank; ++d)
        runBytes *= src.getDimSize(d);
      if (inner == rank && rank > 0) {
        // Contiguous both sides: memref.copy lowers to llvm.memcpy.
        continue;
      }
      if (inner == 0 || runBytes < kMemcpyBytes ||
          src.getElementTypeBitWidth() % 8) {
        linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
        op.erase();
        continue;
      }
      // One memcpy per contiguous run: a loop nest over the outer dims. As
      // loops LLVM unrolled long rows into thousands of instructions (the
      // padded inputs of large convolutions), which its scheduler then took
      // seconds to compile.
      Location loc = op.getLoc();
      SmallVector<Value> lbs, ubs, steps;
      for (int64_t d = 0; d < rank - inner; ++d) {
        lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
        ubs.push_back(arith::ConstantIndexOp::create(b, loc, src.getDimSize(d)));
        steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
      }
      scf::buildLoopNest(
          b, loc, lbs, ubs, steps,
          [&](OpBuilder &nb, Location l, ValueRange ivs) {
            SmallVector<OpFoldResult> offsets(ivs.begin(), ivs.end());
            SmallVector<OpFoldResult> sizes(rank - inner, nb.getIndexAttr(1));
            SmallVector<OpFoldResult> strides(rank, nb.getIndexAttr(1));
            SmallVector<int64_t> runShape;
            for (int64_t d = rank - inner; d < rank; ++d) {
              offsets.push_back(nb.getIndexAttr(0));
              sizes.push_back(nb.getIndexAttr(src.getDimSize(d)));
              runShape.push_back(src.getDimSize(d));
            }
            auto view = [&](Value m) -> Value {
              auto type = memref::SubViewOp::inferRankReducedResultType(
                  runShape, cast<MemRefType>(m.getType()), offsets, sizes,
                  strides);
              return memref::SubViewOp::create(nb, l, cast<MemRefType>(type),
                                               m, offsets, sizes, strides);
            };
            Value from = view(op.getSource());
            Value to = view(op.getTarget());
            memref::CopyOp::create(nb, l, from, to);
          });
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
