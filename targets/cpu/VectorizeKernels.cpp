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
#include "targets/cpu/TargetDescription.h"

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

#include <limits>

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

/// The tile of a vectorized (innermost) dimension: the largest of
/// 2 vectors, 1 vector, 1/2, 1/4 vector that divides it, so that every vector
/// op is a whole register (a 24-wide tile, 1.5 registers, measured 10x
/// slower: LLVM assembles it lane by lane). Otherwise the whole dim when it
/// is small, else its largest divisor up to 2 vectors.
int64_t vectorTile(int64_t dim, int64_t lanes) {
  for (int64_t t : {2 * lanes, lanes, lanes / 2, lanes / 4})
    if (t > 1 && dim % t == 0)
      return t;
  if (dim <= 2 * lanes)
    return dim;
  for (int64_t t = 2 * lanes; t > 1; --t)
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
  auto result = scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return result;
}

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
/// valid part out: the output width up to a multiple of `rows` (the input is
/// zero-padded to match) and the filter count up to `filters` (constant
/// filters only, padded at compile time). For widths like 55 or 13 and filter
/// counts like 1000 this trades a little wasted work for full register
/// blocks of whole vectors.
Operation *padConv(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                   int64_t rows, int64_t filters) {
  Location loc = conv.getLoc();
  Value input = conv.getDpsInputs()[0], filter = conv.getDpsInputs()[1];
  Value init = conv.getDpsInits()[0];
  auto inType = cast<RankedTensorType>(input.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t ow = outType.getDimSize(2), f = outType.getDimSize(3);
  int64_t padded = (ow + rows - 1) / rows * rows;
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
  rewriter.setInsertionPoint(conv);
  Value newInput = padHigh(input, {0, 0, needW - inType.getDimSize(2), 0});
  Value newInit =
      padInit(rewriter, loc, init, {0, 0, padded - ow, filters - f});
  if (!newInit)
    newInit = padHigh(init, {0, 0, padded - ow, filters - f});
  Value newFilter = filter;
  if (filters > f) {
    DenseElementsAttr attr;
    if (!matchPattern(filter, m_Constant(&attr)))
      return conv;
    newFilter = padConstantLastDim(rewriter, loc, attr, filters);
  }
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
/// a result of the same shape (an activation, a residual add, ...).
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
      generic->getResult(0).getType() != result.getType())
    return {};
  for (AffineMap map : generic.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
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
  SmallVector<int64_t> all(parallelTiles);
  llvm::append_range(all, reductionTiles);
  if (fuse) {
    if (Operation *block =
            tileFused(rewriter, kernel, parallelTiles, alsoVectorize)) {
      SmallVector<int64_t> inner(parallelTiles.size(), 0);
      llvm::append_range(inner, reductionTiles);
      auto t = tile(rewriter, block, inner);
      return succeeded(t) ? t->tiledOps.back() : nullptr;
    }
  }
  auto t = tile(rewriter, kernel, all);
  return succeeded(t) ? t->tiledOps.back() : nullptr;
}

struct VectorizeKernelsPass
    : edgec::impl::EdgeCpuVectorizeKernelsBase<VectorizeKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    edge::TargetAttr target = edgec::lookupTarget(func);
    if (!target) {
      func.emitError("edge-cpu-vectorize-kernels needs the module's "
                     "#edge.target attribute");
      return signalPassFailure();
    }
    // Without SIMD (an FPU alone) blocks are sized as if for 4-lane
    // vectors, which LLVM unrolls into scalar FP registers.
    int64_t vectorBits = target.getVectorBits();
    int64_t lanes = std::max<int64_t>(vectorBits / 32, 4);
    int64_t registers = vectorBits ? target.getVectorRegisters()
                                   : target.getVectorRegisters() / 4;
    // Accumulator registers of a register block: half the registers (16 of
    // 32 on AVX-512, as measured), leaving room for operands.
    const int64_t accumulators = std::max<int64_t>(2, registers / 2);
    // Rows of a block: as many as the accumulator budget allows for `cols`,
    // at most `cap`, and always a divisor of `dim` (a partial tile has a
    // dynamic shape, which the vectorizer leaves as scalar loops).
    auto rowsFor = [&](int64_t dim, int64_t cols,
                       int64_t cap = std::numeric_limits<int64_t>::max()) {
      int64_t regs = std::max<int64_t>(1, (cols + lanes - 1) / lanes);
      return divisorAtMost(
          dim, std::min(cap, std::max<int64_t>(1, accumulators / regs)));
    };

    SmallVector<Operation *> kernels;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp,
              linalg::MatmulOp, linalg::PoolingNhwcMaxOp,
              linalg::PoolingNhwcMaxUnsignedOp, linalg::PoolingNhwcSumOp>(op) &&
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
        // Filter counts that are not whole vectors (1000 = 8 x 125) are
        // padded to whole vectors when that wastes under 1/8 of the work.
        int64_t filters = r[3];
        if (vectorTile(r[3], lanes) < lanes && r[3] > lanes) {
          int64_t up = (r[3] + lanes - 1) / lanes * lanes;
          if ((up - r[3]) * 8 <= r[3])
            filters = up;
        }
        int64_t ft = vectorTile(filters, lanes);
        // Widths without a good divisor are padded to a full register block
        // when that wastes under 1/8 of the work (or the block is tiny).
        int64_t budget =
            std::max<int64_t>(1, accumulators / ((ft + lanes - 1) / lanes));
        int64_t best = std::min(budget, r[2]);
        int64_t rows = rowsFor(r[2], ft);
        if (rows * 2 <= best) {
          int64_t waste = (r[2] + best - 1) / best * best - r[2];
          if (waste * 8 > r[2] && rows > 2)
            best = rows;
        } else {
          best = rows;
        }
        if (best != rows || filters != r[3]) {
          op = padConv(rewriter, conv, best, filters);
          r = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
        }
        // Reductions (kh, kw, c) tiled by 1.
        if (Operation *block =
                tileBlocks(rewriter, op, {1, 1, rowsFor(r[2], ft), ft},
                           {1, 1, 1}, fuseBlocks, toVectorize))
          toVectorize.push_back(decomposeTo1D(block, patternRewriter));
      } else if (isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::PoolingNhwcMaxOp,
                     linalg::PoolingNhwcMaxUnsignedOp,
                     linalg::PoolingNhwcSumOp>(op)) {
        // Depthwise and pooling share (n, oh, ow, c, kh, kw): rows x one
        // vector of channels, kw left whole for the 1-D vectorizer.
        int64_t ct = std::min(vectorTile(r[3], lanes), lanes);
        if (Operation *block = tileBlocks(
                rewriter, op, {1, 1, rowsFor(r[2], ct, 8), ct}, {1, 0},
                fuseBlocks && isa<linalg::DepthwiseConv2DNhwcHwcOp>(op),
                toVectorize))
          toVectorize.push_back(decomposeTo1D(block, patternRewriter));
      } else {
        // (m, n, k): cache tile for large operands, then 8 x 2 vectors x 1.
        int64_t nt = vectorTile(r[1], lanes);
        int64_t mt = rowsFor(r[0], nt, 8);
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
    if (fuseBlocks) {
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
