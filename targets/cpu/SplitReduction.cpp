//===- SplitReduction.cpp - reductions and elementwise code in lanes ------===//
//
// A reduction along the innermost dim (a row sum, softmax's denominator,
// a layer norm's statistics, a mean over H x W) lowers to a loop whose every
// iteration adds to the same scalar: one dependent add per element, which
// neither MLIR's vectorizer (the block is one element of the result) nor
// LLVM's (the accumulator is in memory that may alias the input) turns into
// vector code. Split, it accumulates `lanes` partial results side by side,
// which the register-block path vectorizes like a matmul's accumulators,
// and a small reduction over the lanes finishes it. The idea is the split
// reduction of the linalg transforms (and IREE's CPU pipeline); this one
// also handles several reduction loops and bodies that fusion gave more
// inputs.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace edgec {
namespace {

/// The op that combines the accumulator (the init's block argument) with
/// the rest of the body and is yielded, when it is the accumulator's only
/// use and has a neutral element.
Operation *combinerOf(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return nullptr;
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  BlockArgument acc = body.getArguments().back();
  if (!combiner || combiner->getBlock() != &body ||
      combiner->getNumOperands() != 2 || combiner->getNumResults() != 1 ||
      !acc.hasOneUse() || acc.getUses().begin()->getOwner() != combiner ||
      !arith::getNeutralElement(combiner))
    return nullptr;
  return combiner;
}

/// Whether the body is scalar arithmetic (no regions, no tensor ops).
bool isScalarArithmetic(linalg::GenericOp op) {
  for (Operation &inner : op.getRegion().front())
    if (!isa<linalg::YieldOp>(inner) &&
        (inner.getNumRegions() || !inner.getDialect() ||
         !isa<arith::ArithDialect, math::MathDialect>(inner.getDialect())))
      return false;
  return true;
}

} // namespace

std::optional<int64_t> matchInnerReduction(linalg::LinalgOp linalgOp) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  int64_t loops = op.getNumLoops();
  int64_t parallel = op.getNumParallelLoops();
  auto iters = op.getIteratorTypesArray();
  for (int64_t d = 0; d < loops; ++d)
    if ((d < parallel) != (iters[d] == utils::IteratorType::parallel))
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(ranges))
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out != AffineMap::getMultiDimIdentityMap(loops, op.getContext())
                 .getMajorSubMap(parallel))
    return std::nullopt;
  int64_t last = loops - 1;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (!m.isProjectedPermutation())
      return std::nullopt;
    for (unsigned r = 0; r < m.getNumResults(); ++r)
      if (m.getDimPosition(r) == last && r + 1 != m.getNumResults())
        return std::nullopt;
    if (!isa<RankedTensorType>(in->get().getType()) &&
        m.getNumResults() != 0)
      return std::nullopt;
  }
  if (!op.getRegion().front().getOps<linalg::IndexOp>().empty() ||
      !combinerOf(op))
    return std::nullopt;
  return ranges[last];
}

std::optional<int64_t> matchContiguousElementwise(linalg::LinalgOp linalgOp) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op || op.getNumDpsInits() == 0 || op.getNumLoops() == 0 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(ranges))
    return std::nullopt;
  int64_t last = op.getNumLoops() - 1;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap m = op.getMatchingIndexingMap(&operand);
    if (!m.isProjectedPermutation(/*allowZeroInResults=*/true))
      return std::nullopt;
    for (unsigned r = 0; r + 1 < m.getNumResults(); ++r)
      if (auto d = dyn_cast<AffineDimExpr>(m.getResult(r));
          d && d.getPosition() == last)
        return std::nullopt;
  }
  // Several outputs (a Winograd transform's positions) are fine when each
  // is written at the iteration's own element.
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return std::nullopt;
  if (!isScalarArithmetic(op))
    return std::nullopt;
  return ranges[last];
}

std::optional<int64_t> matchTransposingElementwise(linalg::LinalgOp linalgOp) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op || op.getNumDpsInits() != 1 || op.getNumLoops() < 2 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.hasPureTensorSemantics() ||
      ShapedType::isDynamicShape(op.getStaticLoopRanges()) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !op.getRegion().front().getOps<linalg::IndexOp>().empty() ||
      !isScalarArithmetic(op))
    return std::nullopt;
  unsigned last = op.getNumLoops() - 1;
  std::optional<int64_t> inner;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (!m.isProjectedPermutation(/*allowZeroInResults=*/true))
      return std::nullopt;
    if (m.getNumResults() == 0)
      continue;
    auto d = dyn_cast<AffineDimExpr>(m.getResults().back());
    if (!d || d.getPosition() == last)
      continue;
    // Read along `last` too (else each element is a broadcast: not this).
    if (!llvm::any_of(m.getResults(), [&](AffineExpr e) {
          auto x = dyn_cast<AffineDimExpr>(e);
          return x && x.getPosition() == last;
        }))
      return std::nullopt;
    if (inner && *inner != d.getPosition())
      return std::nullopt;
    inner = d.getPosition();
  }
  return inner;
}

std::optional<int64_t> matchOuterReduction(linalg::LinalgOp linalgOp) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics() || matchInnerReduction(op))
    return std::nullopt;
  if (ShapedType::isDynamicShape(op.getStaticLoopRanges()))
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation() || out.getNumResults() == 0)
    return std::nullopt;
  unsigned contiguous = out.getDimPosition(out.getNumResults() - 1);
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (!m.isProjectedPermutation(/*allowZeroInResults=*/true))
      return std::nullopt;
    // Read along the contiguous loop as the last dim, or not at all.
    for (unsigned r = 0; r < m.getNumResults(); ++r)
      if (auto d = dyn_cast<AffineDimExpr>(m.getResult(r));
          d && d.getPosition() == contiguous && r + 1 != m.getNumResults())
        return std::nullopt;
    if (m.getNumResults() &&
        !m.isFunctionOfDim(contiguous) &&
        isa<RankedTensorType>(in->get().getType()) &&
        cast<RankedTensorType>(in->get().getType()).getNumElements() > 1)
      return std::nullopt;
  }
  if (!isScalarArithmetic(op))
    return std::nullopt;
  if (!op.getRegion().front().getOps<linalg::IndexOp>().empty() ||
      !combinerOf(op))
    return std::nullopt;
  return contiguous;
}

FailureOr<SplitReduction> splitInnerReduction(RewriterBase &rewriter,
                                              linalg::GenericOp op,
                                              int64_t lanes) {
  std::optional<int64_t> size = matchInnerReduction(op);
  if (!size || lanes < 2 || *size % lanes)
    return failure();
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  int64_t loops = op.getNumLoops(), parallel = op.getNumParallelLoops();
  int64_t last = loops - 1;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Operation *combiner = combinerOf(op);
  Value init = op.getDpsInitOperand(0)->get();
  auto initType = cast<RankedTensorType>(init.getType());
  Type et = initType.getElementType();

  // New loops: parallel..., lane, the other reductions..., D / lanes.
  auto newDim = [&](int64_t d) {
    return getAffineDimExpr(d < parallel ? d : d + 1, ctx);
  };
  AffineExpr lane = getAffineDimExpr(parallel, ctx);
  AffineExpr outer = getAffineDimExpr(loops, ctx);
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    SmallVector<AffineExpr> exprs;
    bool readsLast = false;
    for (unsigned r = 0; r < m.getNumResults(); ++r) {
      int64_t d = m.getDimPosition(r);
      if (d == last) {
        exprs.append({outer, lane});
        readsLast = true;
      } else {
        exprs.push_back(newDim(d));
      }
    }
    Value v = in->get();
    if (readsLast) {
      // The last dim read as (D / lanes, lanes).
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape.back() /= lanes;
      shape.push_back(lanes);
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i + 1 < type.getRank(); ++i)
        groups.push_back({i});
      groups.push_back({type.getRank() - 1, type.getRank()});
      v = tensor::ExpandShapeOp::create(rewriter, loc, type.clone(shape), v,
                                        groups);
    }
    inputs.push_back(v);
    maps.push_back(AffineMap::get(loops + 1, 0, exprs, ctx));
  }
  // The partial results, [parallel..., lanes], start at the neutral element.
  SmallVector<int64_t> partialShape(ranges.begin(), ranges.begin() + parallel);
  partialShape.push_back(lanes);
  SmallVector<AffineExpr> partialExprs;
  for (int64_t d = 0; d <= parallel; ++d)
    partialExprs.push_back(getAffineDimExpr(d, ctx));
  maps.push_back(AffineMap::get(loops + 1, 0, partialExprs, ctx));
  Value neutral = arith::ConstantOp::create(
      rewriter, loc, *arith::getNeutralElement(combiner));
  Value partialInit =
      linalg::FillOp::create(
          rewriter, loc, neutral,
          tensor::EmptyOp::create(rewriter, loc, partialShape, et).getResult())
          .getResult(0);
  SmallVector<utils::IteratorType> iters(parallel + 1,
                                         utils::IteratorType::parallel);
  iters.append(loops - parallel, utils::IteratorType::reduction);
  auto partial = linalg::GenericOp::create(
      rewriter, loc, TypeRange{partialInit.getType()}, inputs,
      ValueRange{partialInit}, maps, iters);
  rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                             partial.getRegion().begin());

  // The lanes combined into the original accumulator, by the same op.
  SmallVector<AffineExpr> outExprs(partialExprs.begin(),
                                   partialExprs.begin() + parallel);
  SmallVector<utils::IteratorType> combineIters(parallel,
                                                utils::IteratorType::parallel);
  combineIters.push_back(utils::IteratorType::reduction);
  auto combine = linalg::GenericOp::create(
      rewriter, loc, TypeRange{initType}, ValueRange{partial.getResult(0)},
      ValueRange{init},
      ArrayRef<AffineMap>{
          AffineMap::getMultiDimIdentityMap(parallel + 1, ctx),
          AffineMap::get(parallel + 1, 0, outExprs, ctx)},
      combineIters, [&](OpBuilder &b, Location l, ValueRange args) {
        OperationState state(l, combiner->getName());
        state.addOperands({args[0], args[1]});
        state.addAttributes(combiner->getAttrs());
        state.addTypes(et);
        linalg::YieldOp::create(b, l, b.create(state)->getResult(0));
      });
  rewriter.replaceOp(op, combine.getResult(0));
  return SplitReduction{partial, combine};
}

} // namespace edgec
