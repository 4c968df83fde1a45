//===- FuseElementwise.cpp - elementwise fusion that cancels transposes ---===//
//
// Elementwise producers are fused into their consumers, transposes
// included, so that the NCHW <-> NHWC transposes around each kernel cancel.
// A computation that reads all its tensors through one transpose (a
// residual add between two channels-last kernels, written in ONNX's
// channels-first order) is then turned around: it runs in its inputs'
// layout and the transpose moves to its result, where it cancels with the
// consumers' transposes back (or their channels-last reads: the pooling and
// gating of squeeze-and-excitation), instead of the data going through a
// transpose and back at every residual add. Squeeze-and-excitation's gating
// multiply, read by a convolution, becomes a scaling of that convolution's
// filter. Data movement through reshapes and slices (a channel shuffle)
// becomes one copy per consumer of just the part it reads.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// Whether the data movement (transpose, copy) producing `operand` is
/// fused into its consumer (recomputing an index is free), which is so but
/// for the right operand of a matrix product: read a vector of columns at a
/// time, through a transpose (attention's K^T) those would be strided
/// loads. The transpose stays a copy (n^2 moves against n^3 multiply-adds)
/// and the product reads it contiguously.
bool fusesDataMovement(OpOperand *operand) {
  auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  bool transposes =
      producer && !producer.getIndexingMapsArray().front().isIdentity();
  return !(transposes && consumer && edgec::matchBatchedMatmul(consumer) &&
           consumer.getDpsInputOperand(1) == operand);
}

/// An elementwise generic whose full-rank inputs are all read through the
/// same permutation P (and whose others are broadcast), and one of whose
/// consumers transposes the result back: computed in the inputs' layout
/// (iterating over P(d)), followed by a transpose to its result's layout,
/// which fusion then moves into the consumers.
struct IterateInInputLayout : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp g,
                                PatternRewriter &rewriter) const override {
    if (g.getNumDpsInits() != 1 || g->getNumResults() != 1 ||
        g.getNumReductionLoops() != 0 || isDataMovement(g))
      return failure();
    unsigned n = g.getNumLoops();
    OpOperand *init = g.getDpsInitOperand(0);
    auto outType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
    if (!outType || !outType.hasStaticShape() ||
        !g.getMatchingIndexingMap(init).isIdentity() ||
        g.payloadUsesValueFromOperand(init))
      return failure();
    AffineMap perm;
    for (OpOperand *in : g.getDpsInputOperands()) {
      AffineMap m = g.getMatchingIndexingMap(in);
      if (m.getNumResults() != n || !m.isPermutation())
        continue;
      if (!perm)
        perm = m;
      else if (m != perm)
        return failure();
    }
    if (!perm || perm.isIdentity())
      return failure();
    // Worth it only when a consumer reads the result back in the inputs'
    // layout (a transpose back, or a computation such as squeeze-and-
    // excitation's channels-last pooling and gating of a channels-first
    // result): that read then becomes contiguous. A reduction reading the
    // result in its own order would lose (it would read through the
    // transpose instead); an elementwise consumer takes the transpose into
    // its loop order like its other operands.
    bool cancels = false;
    for (OpOperand &use : g->getUses()) {
      // Other users (a named kernel, a return) keep reading the transposed
      // result, now a copy.
      auto c = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!c)
        continue;
      AffineMap m = c.getMatchingIndexingMap(&use);
      if (m.isIdentity() && c.getNumReductionLoops() != 0)
        return failure();
      cancels |= m.isPermutation() && perm.compose(m).isIdentity();
    }
    if (!cancels)
      return failure();
    AffineMap inverse = inversePermutation(perm);
    SmallVector<AffineMap> maps;
    for (OpOperand *in : g.getDpsInputOperands())
      maps.push_back(g.getMatchingIndexingMap(in).compose(inverse));
    maps.push_back(AffineMap::getMultiDimIdentityMap(n, getContext()));
    SmallVector<int64_t> shape = applyPermutationMap(perm, outType.getShape());
    Location loc = g.getLoc();
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, outType.getElementType());
    auto inLayout = linalg::GenericOp::create(
        rewriter, loc, TypeRange{empty.getType()}, g.getDpsInputs(),
        ValueRange{empty}, maps, g.getIteratorTypesArray());
    rewriter.cloneRegionBefore(g.getRegion(), inLayout.getRegion(),
                               inLayout.getRegion().begin());
    auto back = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, inLayout.getResult(0), init->get(),
        ArrayRef<AffineMap>{perm, maps.back()}, g.getIteratorTypesArray(),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(g, back.getResult(0));
    return success();
  }
};

/// A padded buffer whose interior a producer writes whole (the form pad
/// fusion leaves: fill(empty), the interior extracted as the producer's
/// destination and inserted back) only needs its border filled: the fill
/// becomes one fill per padded side, so the interior is written once, not
/// twice.
struct FillOnlyTheBorder : OpRewritePattern<linalg::FillOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::FillOp fill,
                                PatternRewriter &rewriter) const override {
    auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
    auto type = dyn_cast<RankedTensorType>(fill.getResult(0).getType());
    if (!empty || !type || !type.hasStaticShape() ||
        !fill.getResult(0).hasNUses(2))
      return failure();
    tensor::ExtractSliceOp interior;
    tensor::InsertSliceOp writeBack;
    for (Operation *user : fill.getResult(0).getUsers()) {
      if (auto e = dyn_cast<tensor::ExtractSliceOp>(user))
        interior = e;
      else if (auto i = dyn_cast<tensor::InsertSliceOp>(user))
        writeBack = i;
    }
    if (!interior || !writeBack || writeBack.getDest() != fill.getResult(0) ||
        interior.getStaticOffsets() != writeBack.getStaticOffsets() ||
        interior.getStaticSizes() != writeBack.getStaticSizes() ||
        ShapedType::isDynamicShape(interior.getStaticOffsets()) ||
        ShapedType::isDynamicShape(interior.getStaticSizes()) ||
        !llvm::all_of(interior.getStaticStrides(),
                      [](int64_t s) { return s == 1; }) ||
        interior.getSourceType().getRank() != interior.getType().getRank())
      return failure();
    // The write-back must put the value computed into the interior slice
    // back (so every interior element is overwritten).
    auto producer =
        writeBack.getSource().getDefiningOp<DestinationStyleOpInterface>();
    if (!producer || producer.getNumDpsInits() != 1 ||
        producer.getDpsInits()[0] != interior.getResult())
      return failure();
    ArrayRef<int64_t> offsets = interior.getStaticOffsets();
    ArrayRef<int64_t> sizes = interior.getStaticSizes();
    ArrayRef<int64_t> shape = type.getShape();
    Location loc = fill.getLoc();
    rewriter.setInsertionPoint(fill);
    Value buffer = empty.getResult();
    int64_t rank = type.getRank();
    auto fillBox = [&](ArrayRef<int64_t> boxOffsets,
                       ArrayRef<int64_t> boxSizes) {
      MLIRContext *ctx = rewriter.getContext();
      auto o = getAsIndexOpFoldResult(ctx, boxOffsets);
      auto z = getAsIndexOpFoldResult(ctx, boxSizes);
      auto one = getAsIndexOpFoldResult(ctx, SmallVector<int64_t>(rank, 1));
      Value slice =
          tensor::ExtractSliceOp::create(rewriter, loc, buffer, o, z, one);
      Value filled =
          linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], slice)
              .getResult(0);
      buffer = tensor::InsertSliceOp::create(rewriter, loc, filled, buffer, o,
                                             z, one);
    };
    // Side boxes dim by dim; a box spans the whole extent of the dims
    // before d left to fill and only the interior of the dims after it.
    for (int64_t d = 0; d < rank; ++d) {
      int64_t lo = offsets[d], hi = shape[d] - offsets[d] - sizes[d];
      for (auto [start, len] :
           {std::pair{int64_t(0), lo}, std::pair{offsets[d] + sizes[d], hi}}) {
        if (len == 0)
          continue;
        SmallVector<int64_t> boxOffsets(offsets), boxSizes(sizes);
        for (int64_t e = 0; e < d; ++e) {
          boxOffsets[e] = 0;
          boxSizes[e] = shape[e];
        }
        boxOffsets[d] = start;
        boxSizes[d] = len;
        fillBox(boxOffsets, boxSizes);
      }
    }
    rewriter.replaceOp(fill, buffer);
    return success();
  }
};

/// Squeeze-and-excitation's gating, y[n, h, w, c] = x[n, h, w, c] * s[c],
/// read only by a convolution: the convolution reads x and its filter is
/// scaled instead, W'[kh, kw, c, f] = W[kh, kw, c, f] * s[c] (a batch of
/// one). The same sums, a rounding apart; a C x F multiply per run instead
/// of a pass over the whole activation.
struct ScaleFilterInsteadOfInput : OpRewritePattern<linalg::Conv2DNhwcHwcfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcHwcfOp conv,
                                PatternRewriter &rewriter) const override {
    Value input = conv.getDpsInputs()[0], filter = conv.getDpsInputs()[1];
    auto gate = input.getDefiningOp<linalg::GenericOp>();
    auto inType = cast<RankedTensorType>(input.getType());
    auto filterType = dyn_cast<RankedTensorType>(filter.getType());
    if (!gate || !gate->hasOneUse() || gate.getNumDpsInputs() != 2 ||
        gate.getNumDpsInits() != 1 || gate.getNumReductionLoops() != 0 ||
        !inType.hasStaticShape() || inType.getDimSize(0) != 1 || !filterType ||
        !filterType.hasStaticShape() ||
        !gate.getIndexingMapsArray().back().isIdentity() ||
        gate.payloadUsesValueFromOperand(gate.getDpsInitOperand(0)))
      return failure();
    Block &body = gate.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto mul = yield.getOperand(0).getDefiningOp<arith::MulFOp>();
    if (body.getOperations().size() != 2 || !mul || mul->getBlock() != &body)
      return failure();
    // Which input is x (read whole) and which is the per-channel scale.
    OpOperand *x = nullptr, *scale = nullptr;
    for (OpOperand *in : gate.getDpsInputOperands()) {
      AffineMap m = gate.getMatchingIndexingMap(in);
      if (m.isIdentity() && in->get().getType() == inType)
        x = in;
      else
        scale = in;
    }
    if (!x || !scale ||
        !llvm::is_contained(mul->getOperands(),
                            body.getArgument(x->getOperandNumber())) ||
        !llvm::is_contained(mul->getOperands(),
                            body.getArgument(scale->getOperandNumber())))
      return failure();
    // The scale depends on the channel (d3) alone (and on the batch, d0,
    // which is one).
    MLIRContext *ctx = getContext();
    AffineMap m = gate.getMatchingIndexingMap(scale);
    bool readsChannel = false;
    for (AffineExpr e : m.getResults()) {
      if (auto c = dyn_cast<AffineConstantExpr>(e); c && c.getValue() == 0)
        continue;
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d || (d.getPosition() != 0 && d.getPosition() != 3))
        return failure();
      readsChannel |= d.getPosition() == 3;
    }
    if (!readsChannel)
      return failure();
    // The filter loops (kh, kw, c, f): n -> 0, c -> c.
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    AffineMap scaleMap = m.replaceDimsAndSymbols(
        {zero, zero, zero, getAffineDimExpr(2, ctx)}, {}, 4, 0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    Location loc = conv.getLoc();
    Value empty = tensor::EmptyOp::create(rewriter, loc, filterType.getShape(),
                                          filterType.getElementType());
    auto scaled = linalg::GenericOp::create(
        rewriter, loc, TypeRange{filterType}, ValueRange{filter, scale->get()},
        ValueRange{empty}, ArrayRef<AffineMap>{id, scaleMap, id},
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, arith::MulFOp::create(b, l, args[0], args[1]).getResult());
        });
    rewriter.modifyOpInPlace(conv, [&] {
      conv->setOperand(0, x->get());
      conv->setOperand(1, scaled.getResult(0));
    });
    rewriter.eraseOp(gate);
    return success();
  }
};

/// A slice of a data movement's result, whose input is read through a
/// permutation: the data movement of that slice of its input instead, so
/// that the elements the slice drops are never moved (a channel shuffle's
/// halves, each read by one consumer).
struct SliceBeforeDataMovement : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto copy = slice.getSource().getDefiningOp<linalg::GenericOp>();
    // Every user takes a part (a slice, or a reshape on the way to one):
    // no element is moved twice once they all have moved.
    if (!copy || !isDataMovement(copy) ||
        !llvm::all_of(
            copy->getUsers(),
            [](Operation *user) {
              return isa<tensor::ExtractSliceOp, tensor::CollapseShapeOp,
                         tensor::ExpandShapeOp>(user);
            }) ||
        !slice.hasUnitStride() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return failure();
    AffineMap in = copy.getIndexingMapsArray()[0];
    AffineMap out = copy.getIndexingMapsArray()[1];
    if (!in.isPermutation() || !out.isIdentity())
      return failure();
    // Loop d is result dim d; input dim r is loop in(r).
    SmallVector<OpFoldResult> offsets, sizes,
        strides(in.getNumResults(), rewriter.getIndexAttr(1));
    for (unsigned r = 0; r < in.getNumResults(); ++r) {
      unsigned d = in.getDimPosition(r);
      offsets.push_back(slice.getMixedOffsets()[d]);
      sizes.push_back(slice.getMixedSizes()[d]);
    }
    Location loc = slice.getLoc();
    Value source = tensor::ExtractSliceOp::create(
        rewriter, loc, copy.getDpsInputs()[0], offsets, sizes, strides);
    Value init =
        tensor::EmptyOp::create(rewriter, loc, slice.getResultType().getShape(),
                                slice.getResultType().getElementType());
    auto moved = linalg::GenericOp::create(
        rewriter, loc, TypeRange{slice.getResultType()}, ValueRange{source},
        ValueRange{init}, copy.getIndexingMapsArray(),
        copy.getIteratorTypesArray(),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(slice, moved.getResult(0));
    return success();
  }
};

/// A slice of a reshape, taken from the source instead when each group of
/// dims the reshape merges (or splits) is sliced only along its outermost
/// dim, by whole multiples of the inner ones: then the part is contiguous
/// in both shapes.
struct SliceBeforeReshape : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    Operation *reshape = slice.getSource().getDefiningOp();
    if (!isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
            reshape) ||
        !slice.hasUnitStride() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return failure();
    auto collapse = dyn_cast<tensor::CollapseShapeOp>(reshape);
    auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape);
    Value source = reshape->getOperand(0);
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto expandedType = collapse ? sourceType : expand.getResultType();
    SmallVector<ReassociationIndices> groups =
        collapse ? collapse.getReassociationIndices()
                 : expand.getReassociationIndices();
    std::optional<SmallVector<int64_t>> offsets =
        getConstantIntValues(slice.getMixedOffsets());
    if (!offsets || !sourceType.hasStaticShape() ||
        !expandedType.hasStaticShape())
      return failure();
    ArrayRef<int64_t> sizes = slice.getStaticSizes();
    // Per group: the slice of the merged dim and of the expanded dims.
    SmallVector<int64_t> expOffsets(expandedType.getRank(), 0);
    SmallVector<int64_t> expSizes(expandedType.getShape());
    SmallVector<int64_t> mergedOffsets, mergedSizes;
    for (auto [g, group] : llvm::enumerate(groups)) {
      int64_t inner = 1;
      for (int64_t d : ArrayRef<int64_t>(group).drop_front())
        inner *= expandedType.getDimSize(d);
      int64_t offset, size;
      if (collapse) {
        offset = (*offsets)[g];
        size = sizes[g];
        if (offset % inner || size % inner)
          return failure();
        expOffsets[group.front()] = offset / inner;
        expSizes[group.front()] = size / inner;
      } else {
        for (auto d : ArrayRef<int64_t>(group).drop_front())
          if ((*offsets)[d] != 0 || sizes[d] != expandedType.getDimSize(d))
            return failure();
        offset = (*offsets)[group.front()] * inner;
        size = sizes[group.front()] * inner;
      }
      mergedOffsets.push_back(offset);
      mergedSizes.push_back(size);
    }
    Location loc = slice.getLoc();
    auto attrs = [&](ArrayRef<int64_t> v) {
      return getAsIndexOpFoldResult(rewriter.getContext(), v);
    };
    SmallVector<int64_t> ones(sourceType.getRank(), 1);
    Value part;
    if (collapse) {
      part = tensor::ExtractSliceOp::create(rewriter, loc, source,
                                            attrs(expOffsets), attrs(expSizes),
                                            attrs(ones));
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          slice, slice.getResultType(), part, groups);
    } else {
      part = tensor::ExtractSliceOp::create(rewriter, loc, source,
                                            attrs(mergedOffsets),
                                            attrs(mergedSizes), attrs(ones));
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          slice, slice.getResultType(), part, groups);
    }
    return success();
  }
};

/// The most ops one fused body may hold. Each fusion clones both bodies, so
/// an unbounded chain (a graph of 20000 elementwise ops in a row) costs
/// quadratic time: 80 s at 20000 before this bound. Real chains (GELU,
/// layer normalization, SiLU with its epilogue) stay far below it.
constexpr size_t kMaxFusedOps = 128;

size_t bodyOps(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || op->getNumRegions() == 0 || op->getRegion(0).empty())
    return 0;
  return op->getRegion(0).front().getOperations().size();
}

/// `control`, within kMaxFusedOps, and where it lets a producer fuse into
/// its consumer, the consumer's location (which the fused op takes) also
/// names the producer's ONNX nodes: the report shows which nodes became one
/// kernel.
/// A transpose left between two kernels, (1, H, W, C) -> (C, 1, H, W) say,
/// as a transpose of fewer dims: each run of loops that are consecutive,
/// in the same order, in both the input and the output becomes one loop
/// ((H W, C) -> (C, H W)). The kernels phase vectorizes a transpose in
/// blocks of lanes x lanes, which a 56 or 28 wide innermost dim does not
/// divide but 56 x 56 and 28 x 28 do. Only a fresh output and an input
/// that is a whole tensor (not a slice: a collapsed view of it must stay
/// contiguous).
void collapseTransposes(func::FuncOp func) {
  SmallVector<linalg::GenericOp> ops;
  func.walk([&](linalg::GenericOp g) {
    if (isDataMovement(g) && g.getNumLoops() > 2 &&
        !g.getIndexingMapsArray().front().isIdentity() &&
        g.getIndexingMapsArray().front().isPermutation() &&
        g.getIndexingMapsArray().back().isIdentity() &&
        !ShapedType::isDynamicShape(g.getStaticLoopRanges()) &&
        g.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() &&
        !g.getDpsInputs()[0].getDefiningOp<tensor::ExtractSliceOp>())
      ops.push_back(g);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::GenericOp g : ops) {
    AffineMap in = g.getIndexingMapsArray().front();
    // The input position of each loop.
    SmallVector<unsigned> at(g.getNumLoops());
    for (unsigned r = 0; r < in.getNumResults(); ++r)
      at[cast<AffineDimExpr>(in.getResult(r)).getPosition()] = r;
    SmallVector<ReassociationIndices> groups;
    for (unsigned d = 0; d < g.getNumLoops(); ++d) {
      if (!groups.empty() && at[groups.back().back()] + 1 == at[d])
        groups.back().push_back(d);
      else
        groups.push_back({int64_t(d)});
    }
    SmallVector<ReassociationIndices> folded;
    for (ReassociationIndices &group : groups)
      if (group.size() > 1)
        folded.push_back(group);
    if (folded.empty() ||
        !linalg::areDimSequencesPreserved(g.getIndexingMapsArray(), folded))
      continue;
    rewriter.setInsertionPoint(g);
    FailureOr<linalg::CollapseResult> collapsed =
        linalg::collapseOpIterationDims(g, folded, rewriter);
    if (failed(collapsed))
      continue;
    rewriter.replaceOp(g, collapsed->results);
  }
}

linalg::ControlFusionFn namingFused(linalg::ControlFusionFn control) {
  return [control](OpOperand *operand) {
    Operation *producerOp = operand->get().getDefiningOp();
    if (!producerOp ||
        bodyOps(producerOp) + bodyOps(operand->getOwner()) > kMaxFusedOps ||
        !control(operand))
      return false;
    Operation *consumer = operand->getOwner();
    Location producer = producerOp->getLoc();
    if (producer != consumer->getLoc())
      consumer->setLoc(FusedLoc::get(consumer->getContext(),
                                     {producer, consumer->getLoc()}));
    return true;
  };
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
      auto generic = dyn_cast<linalg::GenericOp>(producer);
      auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
      if (generic && isDataMovement(generic))
        return fusesDataMovement(operand);
      // A computation read by a consumer whose loops do not all index it (a
      // matmul's operand, a per-row scale broadcast over a row) would be
      // recomputed for every value of the other loops: attention's scaled
      // Q once per key, softmax's division once per value column. It stays
      // apart, and the matmul keeps the form of a register-blocked kernel.
      if (consumer && !consumer.getMatchingIndexingMap(operand).isPermutation())
        return false;
      return producer->hasOneUse();
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 namingFused(control));
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    // Data movement through reshapes and slices (a channel shuffle: a
    // transpose to NCHW, a reshape, a transpose of the groups, a reshape
    // back, a slice per consumer, a transpose back to NHWC): the reshapes
    // fold into the transposes (their loops expanded), the slices move
    // before them, and the chain fuses into one copy per consumer.
    // The slices move first (each takes its part of the data movements
    // before it), then the reshapes fold into the data movements and the
    // chains fuse; a slice that could not pass a reshape (its part not
    // contiguous there) can once the reshape has folded, hence the rounds.
    RewritePatternSet slicePatterns(ctx);
    slicePatterns.add<SliceBeforeDataMovement, SliceBeforeReshape>(ctx);
    FrozenRewritePatternSet slices(std::move(slicePatterns));
    RewritePatternSet movePatterns(ctx);
    auto movesData = [](OpOperand *operand) {
      auto generic = dyn_cast<linalg::GenericOp>(operand->getOwner());
      if (!generic)
        generic = operand->get().getDefiningOp<linalg::GenericOp>();
      return generic && isDataMovement(generic) && operand->get().hasOneUse();
    };
    linalg::populateFoldReshapeOpsByExpansionPatterns(movePatterns, movesData);
    linalg::populateElementwiseOpsFusionPatterns(
        movePatterns, namingFused([](OpOperand *operand) {
          auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
          auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
          return producer && consumer && isDataMovement(producer) &&
                 isDataMovement(consumer) && producer->hasOneUse();
        }));
    linalg::GenericOp::getCanonicalizationPatterns(movePatterns, ctx);
    FrozenRewritePatternSet moves(std::move(movePatterns));
    for (int round = 0; round < 3; ++round) {
      bool moved = false;
      if (failed(applyPatternsGreedily(getOperation(), slices,
                                       GreedyRewriteConfig(), &moved)))
        return signalPassFailure();
      // Nothing new to fold once no slice moved.
      if (round > 0 && !moved)
        break;
      if (failed(applyPatternsGreedily(getOperation(), moves)))
        return signalPassFailure();
    }

    // Computations turned to their inputs' layout; the transposes they
    // leave are fused into the consumers (only transposes: fusing the
    // computation back into its transpose would undo the turn).
    RewritePatternSet layoutPatterns(ctx);
    layoutPatterns.add<IterateInInputLayout>(ctx);
    linalg::populateElementwiseOpsFusionPatterns(
        layoutPatterns, namingFused([](OpOperand *operand) {
          auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
          return producer && isDataMovement(producer) &&
                 fusesDataMovement(operand);
        }));
    linalg::GenericOp::getCanonicalizationPatterns(layoutPatterns, ctx);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(layoutPatterns))))
      return signalPassFailure();

    // A padded convolution input: the elementwise producer writes straight
    // into the interior of the padded buffer instead of a copy being made.
    RewritePatternSet padPatterns(ctx);
    linalg::populateFuseTensorPadWithProducerLinalgOpPatterns(padPatterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(padPatterns))))
      return signalPassFailure();

    RewritePatternSet borderPatterns(ctx);
    borderPatterns.add<FillOnlyTheBorder, ScaleFilterInsteadOfInput>(ctx);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(borderPatterns))))
      return signalPassFailure();

    collapseTransposes(getOperation());
  }
};
} // namespace
