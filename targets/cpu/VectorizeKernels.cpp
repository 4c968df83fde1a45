//===- VectorizeKernels.cpp - register-blocked conv/matmul kernels --------===//
//
// The mechanism half of the CPU kernel codegen: the C++ form of the
// transform scripts measured in shared/probes/mlir22-cpu-codegen (tile to a
// register block, decompose 2-D convolutions to 1-D, vectorize, hoist the
// accumulators out of the reduction loops), applying the
// #edge.lowering_config that edge-cpu-select-lowering (or a test, by hand)
// put on each kernel. Nothing here chooses a tile size.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

#include "llvm/ADT/TypeSwitch.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUVECTORIZEKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edgec;

namespace {

/// Lets the upstream decomposition patterns be called outside a driver.
struct DirectPatternRewriter : PatternRewriter {
  explicit DirectPatternRewriter(MLIRContext *ctx) : PatternRewriter(ctx) {}
};

/// Zero-pads the last dimension of a constant to `size`, at compile time.
Value padConstantLastDim(RewriterBase &rewriter, Location loc,
                         DenseElementsAttr attr, int64_t size) {
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t inner = shape.back();
  shape.back() = size;
  auto newType = type.clone(shape);
  if (attr.isSplat() && attr.getSplatValue<APFloat>().isZero())
    return arith::ConstantOp::create(rewriter, loc, attr.reshape(newType));
  size_t elem = type.getElementTypeBitWidth() / 8;
  ArrayRef<char> raw = attr.getRawData();
  int64_t rows = type.getNumElements() / inner;
  std::vector<char> out(size_t(rows * size) * elem, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < inner; ++k)
      std::memcpy(&out[(r * size + k) * elem],
                  &raw[(attr.isSplat() ? 0 : r * inner + k) * elem], elem);
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::getFromRawBuffer(newType, out));
}

/// The accumulator init of a convolution, recomputed at a padded shape
/// instead of copied into a zero-filled larger buffer: a fill, or a generic
/// that writes a constant or broadcasts a constant per-filter bias (padded
/// with zeros at compile time). Returns null for any other producer.
Value padInit(RewriterBase &rewriter, Location loc, Value init,
              ArrayRef<int64_t> amounts) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [d, a] : llvm::enumerate(amounts))
    shape[d] += a;
  Operation *producer = init.getDefiningOp();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(producer)) {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    return linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
        .getResult(0);
  }
  auto generic = dyn_cast_or_null<linalg::GenericOp>(producer);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 ||
      !generic.getIndexingMapsArray().back().isIdentity() ||
      generic.getNumDpsInputs() > 1)
    return {};
  SmallVector<Value> inputs;
  if (generic.getNumDpsInputs() == 1) {
    // A per-filter bias: a 1-D constant read along the last (filter) dim.
    AffineMap map = generic.getIndexingMapsArray().front();
    DenseElementsAttr bias;
    if (map.getNumResults() != 1 ||
        map.getResult(0) !=
            getAffineDimExpr(type.getRank() - 1, rewriter.getContext()) ||
        !matchPattern(generic.getDpsInputs()[0], m_Constant(&bias)) ||
        bias.getType().getRank() != 1)
      return {};
    inputs.push_back(padConstantLastDim(rewriter, loc, bias, shape.back()));
  }
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  auto padded = linalg::GenericOp::create(
      rewriter, loc, TypeRange{empty.getType()}, inputs, ValueRange{empty},
      generic.getIndexingMapsArray(), generic.getIteratorTypesArray());
  rewriter.cloneRegionBefore(generic.getRegion(), padded.getRegion(),
                             padded.getRegion().begin());
  return padded.getResult(0);
}

/// Recomputes a channels-last convolution on padded shapes and slices the
/// valid part out: the output width up to `width` (the input is zero-padded
/// to match) and the filter count up to `filters` (constant filters only,
/// padded at compile time; null otherwise). For widths like 55 or 13 and
/// filter counts like 1000 this trades a little wasted work for full
/// register blocks of whole vectors.
Operation *padConv(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                   int64_t width, int64_t filters) {
  Location loc = conv.getLoc();
  Value input = conv.getDpsInputs()[0], filter = conv.getDpsInputs()[1];
  Value init = conv.getDpsInits()[0];
  auto inType = cast<RankedTensorType>(input.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t ow = outType.getDimSize(2), f = outType.getDimSize(3);
  int64_t padded = width;
  int64_t sw = conv.getStrides().getValues<int64_t>()[1];
  int64_t dw = conv.getDilations().getValues<int64_t>()[1];
  int64_t kw = filterType.getDimSize(1);
  int64_t needW = (padded - 1) * sw + (kw - 1) * dw + 1;
  auto padHigh = [&](Value v, SmallVector<int64_t> amounts) -> Value {
    if (llvm::all_of(amounts, [](int64_t a) { return a <= 0; }))
      return v;
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape());
    SmallVector<OpFoldResult> lo(t.getRank(), rewriter.getIndexAttr(0)), hi;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      int64_t a = std::max<int64_t>(0, amounts[d]);
      shape[d] += a;
      hi.push_back(rewriter.getIndexAttr(a));
    }
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(t.getElementType()));
    return tensor::PadOp::create(rewriter, loc, t.clone(shape), v, lo, hi,
                                 zero);
  };
  DenseElementsAttr filterAttr;
  if (filters > f && !matchPattern(filter, m_Constant(&filterAttr)))
    return nullptr;
  rewriter.setInsertionPoint(conv);
  Value newInput = padHigh(input, {0, 0, needW - inType.getDimSize(2), 0});
  Value newInit =
      padInit(rewriter, loc, init, {0, 0, padded - ow, filters - f});
  bool initCopied = !newInit;
  if (initCopied)
    newInit = padHigh(init, {0, 0, padded - ow, filters - f});
  Value newFilter = filter;
  if (filters > f)
    newFilter = padConstantLastDim(rewriter, loc, filterAttr, filters);
  auto newConv = linalg::Conv2DNhwcHwcfOp::create(
      rewriter, loc, TypeRange{newInit.getType()},
      ValueRange{newInput, newFilter}, ValueRange{newInit}, conv.getStrides(),
      conv.getDilations());
  SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(4, rewriter.getIndexAttr(1));
  for (int64_t d : outType.getShape())
    sizes.push_back(rewriter.getIndexAttr(d));
  Value valid = tensor::ExtractSliceOp::create(
      rewriter, loc, outType, newConv.getResult(0), offsets, sizes, strides);
  // An init that was copied (a slice of a loop's output, for a form) gets
  // the result back, so that the loop updates its output in place.
  // (A linalg.copy: an insert_slice of the whole would fold away.)
  if (initCopied)
    valid = linalg::CopyOp::create(rewriter, loc, valid, init).getResult(0);
  rewriter.replaceOp(conv, valid);
  return newConv;
}

/// Rewrites a tiled 2-D convolution, depthwise convolution or pooling with a
/// size-1 window height as its 1-D form, which the convolution vectorizer
/// handles; returns the op itself when it has no 1-D form.
template <typename Pattern, typename Op2D>
Operation *downscale(Op2D op, PatternRewriter &rewriter) {
  rewriter.setInsertionPoint(op);
  Pattern pattern(op->getContext());
  auto oneD = pattern.returningMatchAndRewrite(op, rewriter);
  return succeeded(oneD) ? oneD->getOperation() : op.getOperation();
}

template <typename Op2D, typename Op1D>
using Downscale2D = linalg::DownscaleSizeOneWindowed2DConvolution<Op2D, Op1D>;

Operation *decomposeTo1D(Operation *op, PatternRewriter &rewriter) {
  using namespace linalg;
  return TypeSwitch<Operation *, Operation *>(op)
      .Case([&](Conv2DNhwcHwcfOp conv) {
        return downscale<Downscale2D<Conv2DNhwcHwcfOp, Conv1DNwcWcfOp>>(
            conv, rewriter);
      })
      .Case([&](DepthwiseConv2DNhwcHwcOp dw) {
        return downscale<DownscaleDepthwiseConv2DNhwcHwcOp>(dw, rewriter);
      })
      .Case([&](PoolingNhwcMaxOp pool) {
        return downscale<Downscale2D<PoolingNhwcMaxOp, PoolingNwcMaxOp>>(
            pool, rewriter);
      })
      .Case([&](PoolingNhwcMaxUnsignedOp pool) {
        return downscale<
            Downscale2D<PoolingNhwcMaxUnsignedOp, PoolingNwcMaxUnsignedOp>>(
            pool, rewriter);
      })
      .Case([&](PoolingNhwcSumOp pool) {
        return downscale<Downscale2D<PoolingNhwcSumOp, PoolingNwcSumOp>>(
            pool, rewriter);
      })
      .Default([](Operation *other) { return other; });
}

/// The elementwise consumer of a kernel's result that can run as its
/// epilogue, on the register block before it is stored: a single-use,
/// all-parallel generic reading the result element for element and writing
/// a result of the same shape, maybe of another element type (an
/// activation, a residual add, an int32 -> int8 requantization, ...).
linalg::GenericOp epilogueOf(Operation *kernel) {
  Value result = kernel->getResult(0);
  if (!result.hasOneUse())
    return {};
  OpOperand &use = *result.getUses().begin();
  auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.isDpsInput(&use) ||
      !generic.getMatchingIndexingMap(&use).isIdentity() ||
      !generic.getIndexingMapsArray().back().isIdentity() ||
      cast<ShapedType>(generic->getResult(0).getType()).getShape() !=
          cast<ShapedType>(result.getType()).getShape())
    return {};
  // Operands broadcast along some dims (a per-channel multiplier read at
  // (0, 0, 0, c)) are fine: they tile like the others.
  for (AffineMap map : generic.getIndexingMapsArray())
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
      return {};
  return generic;
}

/// Tiles the parallel dims of `kernel` by `parallelTiles` with the producer
/// of its accumulator init (a fill or bias broadcast) fused in, and with its
/// epilogue when it has one (then the epilogue is the tiled op and the
/// kernel is fused into it): each register block starts from the init in
/// registers and is finished and stored once. Returns the tiled kernel and
/// appends the other tiled ops to `alsoVectorize`; null on failure.
Operation *tileFused(RewriterBase &rewriter, Operation *kernel,
                     ArrayRef<int64_t> parallelTiles,
                     SmallVectorImpl<Operation *> &alsoVectorize) {
  Operation *root = kernel;
  SmallVector<int64_t> sizes(parallelTiles);
  int64_t work = iterationCount(cast<linalg::LinalgOp>(kernel));
  linalg::GenericOp epilogue = epilogueOf(kernel);
  if (epilogue)
    root = epilogue;
  else
    sizes.resize(cast<linalg::LinalgOp>(kernel).getNumLoops(), 0);
  // The init is fused when it is a fill or a (bias broadcast) generic.
  Operation *init = cast<DestinationStyleOpInterface>(kernel)
                        .getDpsInits()[0]
                        .getDefiningOp();
  if (!isa_and_nonnull<linalg::FillOp, linalg::GenericOp>(init))
    init = nullptr;
  if (!epilogue && !init)
    return nullptr;
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *owner = producer.getOwner();
        if (owner == kernel || (init && owner == init))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  auto fused = scf::tileConsumerAndFuseProducersUsingSCF(
      rewriter, cast<TilingInterface>(root), options);
  if (failed(fused) ||
      (root != kernel && !fused->fusedProducers.contains(kernel)))
    return nullptr;
  // The work is the kernel's, not its epilogue's.
  markParallelLoop(root, sizes, fused->loops, work);
  for (OpResult r : root->getResults())
    rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
  Operation *tiledKernel = nullptr;
  for (Operation *op : fused->tiledAndFusedOps) {
    if (op->getName() == kernel->getName())
      tiledKernel = op;
    else
      alsoVectorize.push_back(op);
  }
  return tiledKernel;
}

/// Tiles a convolution-like kernel to register blocks: its parallel dims by
/// `parallelTiles`, then its reduction dims by `reductionTiles` (0 keeps a
/// dim whole). With `fuse`, the block loop also computes the kernel's init
/// and epilogue (tileFused). Returns the innermost tiled kernel, or null.
Operation *tileBlocks(RewriterBase &rewriter, Operation *kernel,
                      ArrayRef<int64_t> parallelTiles,
                      ArrayRef<int64_t> reductionTiles, bool fuse,
                      SmallVectorImpl<Operation *> &alsoVectorize) {
  // The parallel loops first, so they are the outer tile loops (an outer
  // reduction over (n, h, w, c) runs as (n, c, h, w): each vector of c
  // accumulates in registers over h and w).
  if (auto generic = dyn_cast<linalg::GenericOp>(kernel)) {
    SmallVector<unsigned> order, reductions;
    for (auto [d, it] : llvm::enumerate(generic.getIteratorTypesArray()))
      (it == utils::IteratorType::parallel ? order : reductions).push_back(d);
    llvm::append_range(order, reductions);
    if (!llvm::is_sorted(order)) {
      rewriter.setInsertionPoint(generic);
      FailureOr<linalg::GenericOp> interchanged =
          linalg::interchangeGenericOp(rewriter, generic, order);
      if (failed(interchanged))
        return nullptr;
      kernel = *interchanged;
    }
  }
  SmallVector<int64_t> all(parallelTiles);
  llvm::append_range(all, reductionTiles);
  if (fuse) {
    if (Operation *block =
            tileFused(rewriter, kernel, parallelTiles, alsoVectorize)) {
      SmallVector<int64_t> inner(parallelTiles.size(), 0);
      llvm::append_range(inner, reductionTiles);
      auto t = tileOp(rewriter, block, inner);
      return succeeded(t) ? t->tiledOps.back() : nullptr;
    }
  }
  auto t = tileOp(rewriter, kernel, all);
  return succeeded(t) ? t->tiledOps.back() : nullptr;
}

/// A split reduction's block, whose loops but the lanes all have size 1,
/// as a generic over the lanes alone: vectorized, it is one elementwise
/// vector step (x * x + acc becomes an FMA), not a contraction with a
/// unit reduction dim, which the contraction lowering would unroll lane by
/// lane.
Operation *dropUnitLoops(RewriterBase &rewriter, Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return op;
  linalg::ControlDropUnitDims options;
  options.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  rewriter.setInsertionPoint(generic);
  auto dropped = linalg::dropUnitDims(rewriter, generic, options);
  if (failed(dropped))
    return op;
  rewriter.replaceOp(generic, dropped->replacements);
  return dropped->resultOp;
}

/// Packs a block's constant operand (a convolution's filter, a matrix
/// product's right-hand side) at compile time into the register block's
/// layout: a (d0, ..., dn) constant whose last dim the block reads `t` at a
/// time becomes (dn / t, d0, ..., t), so that the block's reads along the
/// reduction, one `t`-wide row per step, are consecutive in memory instead
/// of dn elements apart (a 3x3x512x512 filter: 128-byte rows 2 KB apart,
/// every second one on a new page). The chain of slices tiling made is
/// composed into one slice of the packed constant, of the same type.
/// Leaves the op alone when the operand is not such a chain of a constant
/// used once, or when the block reads whole rows already.
void packBlockOperand(RewriterBase &rewriter, Operation *block,
                      unsigned operand) {
  Value v = block->getOperand(operand);
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || type.getRank() < 2)
    return;
  int64_t rank = type.getRank(), t = type.getShape().back();
  SmallVector<tensor::ExtractSliceOp> chain;
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != rank ||
        !llvm::all_of(slice.getStaticStrides(),
                      [](int64_t s) { return s == 1; }))
      return;
    chain.push_back(slice);
    v = slice.getSource();
  }
  DenseElementsAttr attr;
  if (chain.empty() || !v.hasOneUse() || !matchPattern(v, m_Constant(&attr)))
    return;
  auto full = cast<RankedTensorType>(attr.getType());
  int64_t last = full.getShape().back();
  if (last <= t || last % t != 0 || attr.isSplat() ||
      full.getElementTypeBitWidth() % 8 != 0)
    return;

  // The offsets of the composed slice (the sum of the chain's).
  Location loc = block->getLoc();
  rewriter.setInsertionPoint(block);
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr s0 = getAffineSymbolExpr(0, ctx), s1 = getAffineSymbolExpr(1, ctx);
  SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
  for (tensor::ExtractSliceOp slice : chain)
    for (int64_t d = 0; d < rank; ++d)
      offsets[d] = affine::makeComposedFoldedAffineApply(
          rewriter, loc, s0 + s1, {offsets[d], slice.getMixedOffsets()[d]});

  // (d0, ..., dn) -> (dn / t, d0, ..., t), rearranged once at compile time.
  size_t elem = full.getElementTypeBitWidth() / 8;
  int64_t rows = full.getNumElements() / last, blocks = last / t;
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> packed(raw.size());
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(&packed[((b * rows + r) * t) * elem],
                  &raw[(r * last + b * t) * elem], t * elem);
  SmallVector<int64_t> packedShape{blocks};
  llvm::append_range(packedShape, full.getShape().drop_back());
  packedShape.push_back(t);
  auto packedType = full.clone(packedShape);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(v.getDefiningOp());
  Value constant = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::getFromRawBuffer(packedType, packed));
  rewriter.setInsertionPoint(block);
  SmallVector<OpFoldResult> packedOffsets{affine::makeComposedFoldedAffineApply(
      rewriter, loc, s0.floorDiv(t), {offsets.back()})};
  packedOffsets.append(offsets.begin(), offsets.end() - 1);
  packedOffsets.push_back(rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes{rewriter.getIndexAttr(1)};
  for (int64_t s : type.getShape())
    sizes.push_back(rewriter.getIndexAttr(s));
  SmallVector<OpFoldResult> strides(rank + 1, rewriter.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, loc, type, constant, packedOffsets, sizes, strides);
  rewriter.modifyOpInPlace(block, [&] { block->setOperand(operand, slice); });
}

/// Reports a lowering config that cannot apply to its op.
LogicalResult badConfig(Operation *op, const Twine &message) {
  return op->emitOpError("cannot apply its lowering_config: ") << message;
}

/// Applies `config` to `op`: the form rewrite, padding, cache tile and
/// register block, in that order (see #edge.lowering_config). Appends the
/// ops to vectorize to `toVectorize`. Fails, with an error, on a config
/// that does not fit the op; tiling that does not succeed leaves the op to
/// the scalar lowering.
LogicalResult applyConfig(RewriterBase &rewriter,
                          PatternRewriter &patternRewriter, linalg::LinalgOp op,
                          edge::LoweringConfigAttr config,
                          SmallVectorImpl<Operation *> &toVectorize) {
  Operation *kernel = op;
  StringRef form = config.getForm() ? config.getForm().getValue() : "";
  if (isDotForm(form))
    return applyDotForm(rewriter, op, form, config.getVectorLanes(),
                        config.getParallel(), config.getFuse());
  if (form == kConv2DForm) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic || !matchConvGeneric(op))
      return badConfig(op, "form conv_2d_nhwc_hwcf needs a convolution "
                           "linalg.generic");
    if (!config.getOuter().empty() &&
        config.getOuter().size() != op.getNumLoops())
      return badConfig(op, "outer has " + Twine(config.getOuter().size()) +
                               " tiles for " + Twine(op.getNumLoops()) +
                               " loops");
    auto conv = convGenericAsConv2D(rewriter, generic, config.getOuter());
    if (failed(conv))
      return badConfig(op, "outer tiles must leave the group and leading "
                           "spatial loops of size 1");
    kernel = *conv;
  } else if (form == kDepthwiseForm) {
    auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcmOp>(op.getOperation());
    if (!dw || !config.getOuter().empty())
      return badConfig(op, "form depthwise_conv_2d_nhwc_hwc needs a "
                           "depthwise_conv_2d_nhwc_hwcm and no outer tiles");
    auto depthwise = depthwiseMultiplierAsDepthwise(rewriter, dw);
    if (failed(depthwise))
      return badConfig(op, "dynamic shapes");
    kernel = *depthwise;
  } else if (form == kSplitReductionForm) {
    // The partial results are the kernel; the reduction over their lanes
    // is vectorized one result element at a time.
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic || config.getParallel().empty())
      return badConfig(op, "form split_reduction needs a linalg.generic and "
                           "parallel tiles");
    auto split =
        splitInnerReduction(rewriter, generic, config.getParallel().back());
    if (failed(split))
      return badConfig(op, "form split_reduction needs an inner reduction "
                           "whose innermost dim the last parallel tile "
                           "divides");
    kernel = split->partial;
    SmallVector<int64_t> rows(split->combine.getNumParallelLoops(), 1);
    rows.push_back(0);
    if (auto t = tileOp(rewriter, split->combine, rows); succeeded(t))
      toVectorize.push_back(t->tiledOps.back());
  } else if (!form.empty()) {
    return badConfig(op, "unknown form '" + form + "'");
  } else if (!config.getOuter().empty()) {
    return badConfig(op, "outer tiles need a form");
  } else if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    dropBroadcastUnitDims(rewriter, generic);
  }

  auto linalgKernel = cast<linalg::LinalgOp>(kernel);
  SmallVector<int64_t> ranges = linalgKernel.getStaticLoopRanges();
  if (config.getParallel().size() != linalgKernel.getNumParallelLoops() ||
      config.getReduction().size() != linalgKernel.getNumReductionLoops())
    return badConfig(op,
                     "parallel and reduction need " +
                         Twine(linalgKernel.getNumParallelLoops()) + " and " +
                         Twine(linalgKernel.getNumReductionLoops()) + " tiles");
  if (ArrayRef<int64_t> padded = config.getPadded(); !padded.empty()) {
    auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(kernel);
    if (!conv)
      return badConfig(op, "padded applies to conv_2d_nhwc_hwcf only");
    for (size_t d = 0; d < ranges.size(); ++d)
      if (padded.size() != ranges.size() ||
          (d != 2 && d != 3 && padded[d] != ranges[d]) || padded[d] < ranges[d])
        return badConfig(op, "padded may only widen ow and f");
    kernel = padConv(rewriter, conv, padded[2], padded[3]);
    if (!kernel)
      return badConfig(op, "padded filters need a constant filter");
  }
  if (ArrayRef<int64_t> cache = config.getCache(); !cache.empty()) {
    if (cache.size() != ranges.size())
      return badConfig(op, "cache needs " + Twine(ranges.size()) + " tiles");
    auto outer = tileOp(rewriter, kernel, cache);
    if (failed(outer))
      return success();
    kernel = outer->tiledOps.back();
  }
  if (Operation *block =
          tileBlocks(rewriter, kernel, config.getParallel(),
                     config.getReduction(), config.getFuse(), toVectorize)) {
    if (form == kSplitReductionForm)
      block = dropUnitLoops(rewriter, block);
    if (isa<linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp>(block))
      packBlockOperand(rewriter, block, 1);
    toVectorize.push_back(decomposeTo1D(block, patternRewriter));
  }
  return success();
}

struct VectorizeKernelsPass
    : edgec::impl::EdgeCpuVectorizeKernelsBase<VectorizeKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    // Ops with a vector configuration; a `scalar` one (or none) is left to
    // the loop lowering. Kernels first: their blocks may take in their
    // elementwise consumers (epilogues); the elementwise ops left then get
    // their own blocks.
    auto configured = [&](bool elementwise) {
      SmallVector<std::pair<linalg::LinalgOp, edge::LoweringConfigAttr>> ops;
      func.walk([&](linalg::LinalgOp op) {
        auto config = op->getAttrOfType<edge::LoweringConfigAttr>(
            edgec::kLoweringConfigAttrName);
        if (!config || config.getScalar() || !op.hasPureTensorSemantics())
          return;
        bool isElementwise = !config.getForm() &&
                             op.getNumParallelLoops() == op.getNumLoops() &&
                             isa<linalg::GenericOp>(op.getOperation());
        if (isElementwise == elementwise)
          ops.push_back({op, config});
      });
      return ops;
    };

    IRRewriter rewriter(ctx);
    DirectPatternRewriter patternRewriter(ctx);
    SmallVector<Operation *> toVectorize;
    for (bool elementwise : {false, true}) {
      // Ops already part of a kernel's block (a fused init or epilogue,
      // which keep their attributes) are vectorized with it.
      llvm::SmallPtrSet<Operation *, 16> inBlocks(toVectorize.begin(),
                                                  toVectorize.end());
      for (auto [op, config] : configured(elementwise))
        if (!inBlocks.contains(op) &&
            failed(applyConfig(rewriter, patternRewriter, op, config,
                               toVectorize)))
          return signalPassFailure();
    }

    for (Operation *op : toVectorize) {
      rewriter.setInsertionPoint(op);
      auto result = linalg::vectorize(rewriter, op);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }

    // Cleanups from the measured script.
    {
      // Slices of a fused init's tensor.empty become block-sized empties:
      // the block is staged in a small buffer, not in a whole-output one.
      RewritePatternSet patterns(ctx);
      tensor::populateFoldTensorEmptyPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      // Integer kernels widen their operands (arith.extsi) between the
      // broadcasts/transposes and the contraction: moving those after the
      // extension lets them fold into the contraction's maps, as for floats.
      vector::populateSinkVectorOpsPatterns(patterns);
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
    func.walk<WalkOrder::PostOrder>(
        [&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      hoistLoopInvariantSubsets(rewriter,
                                cast<LoopLikeOpInterface>(loop.getOperation()));
  }
};
} // namespace
