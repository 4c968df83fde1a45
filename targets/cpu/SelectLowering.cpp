//===- SelectLowering.cpp - choose each kernel's lowering configuration ---===//
//
// The strategy half of the CPU kernel codegen: for every kernel (2-D, grouped
// and 3-D convolutions, depthwise convolutions with or without a channel
// multiplier, pooling, matrix products with or without batch dims) a
// #edge.lowering_config chosen from the module's #edge.target and the op's
// static shape and element types, recorded on the op for
// edge-cpu-vectorize-kernels to apply. Kernels left scalar say why, and with
// `remarks` each one is reported.
//
// One strategy serves every architecture, parameterized by the target
// description: the block sizes follow from the vector width and the number
// of vector registers alone (measured on x86 in
// shared/probes/mlir22-cpu-codegen; the AArch64, RISC-V and Cortex-M runs
// under qemu found no difference that needs a table of their own), so
// targets/<arch>/ holds no strategy table yet. A per-architecture rule would
// go in a hook of TargetFamily and be called from chooseFor below.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/IR/Matchers.h"

#include <limits>

namespace edgec {
#define GEN_PASS_DEF_EDGECPUSELECTLOWERING
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edgec;

namespace {

/// What one register block may use of the target, for one element width.
struct Budget {
  int64_t lanes;        // elements per vector register
  int64_t accumulators; // registers the block's accumulators may take
};

Budget budgetFor(edge::TargetAttr target, int64_t elementBits) {
  // Without SIMD (an FPU alone) blocks are sized as if for 4-lane vectors,
  // which LLVM unrolls into scalar FP registers. Elements narrower than 32
  // bits are blocked as 32-bit lanes (no narrow kernel is tuned yet); wider
  // ones fill the register.
  int64_t vectorBits = target.getVectorBits();
  int64_t lanes = vectorBits
                      ? std::max<int64_t>(
                            2, vectorBits / std::max<int64_t>(32, elementBits))
                      : 4;
  int64_t registers = vectorBits ? target.getVectorRegisters()
                                 : target.getVectorRegisters() / 4;
  // Accumulator registers of a register block: half the registers (16 of 32
  // on AVX-512, as measured), leaving room for operands.
  return {lanes, std::max<int64_t>(2, registers / 2)};
}

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

/// Rows of a block: as many as the accumulator budget allows for `cols`, at
/// most `cap`, and always a divisor of `dim` (a partial tile has a dynamic
/// shape, which the vectorizer leaves as scalar loops).
int64_t rowsFor(const Budget &b, int64_t dim, int64_t cols,
                int64_t cap = std::numeric_limits<int64_t>::max()) {
  int64_t regs = std::max<int64_t>(1, (cols + b.lanes - 1) / b.lanes);
  return divisorAtMost(
      dim, std::min(cap, std::max<int64_t>(1, b.accumulators / regs)));
}

/// A lowering configuration under construction (see #edge.lowering_config).
struct Config {
  std::string form;
  SmallVector<int64_t> outer, padded, cache, parallel, reduction;
  int64_t lanes = 0;
  bool fuse = false;
  std::string scalar;

  edge::LoweringConfigAttr toAttr(MLIRContext *ctx) const {
    auto str = [&](const std::string &s) {
      return s.empty() ? StringAttr() : StringAttr::get(ctx, s);
    };
    return edge::LoweringConfigAttr::get(ctx, str(form), outer, padded, cache,
                                         parallel, reduction, lanes, fuse,
                                         str(scalar));
  }
};

/// A channels-last convolution over (n, oh, ow, f, kh, kw, c): one output
/// row segment x 2 vectors of filters, reductions one at a time. When the
/// filter outgrows half the L2 cache while the input fits in it (the late
/// stages: 7 x 7 x 512 inputs, 2-9 MB filters), a cache tile puts the
/// filter blocks outermost: each block's slice of the filter is read once
/// and reused across every output position, and the (cached) input streams
/// instead of the filter, which the row-major order would read again for
/// every output row.
Config chooseConv(const Budget &b, ArrayRef<int64_t> r, bool canPadFilters,
                  bool fuse, int64_t elementBytes, int64_t l2Bytes) {
  Config c;
  // Filter counts that are not whole vectors (1000 = 8 x 125, 58 = 2 x 29)
  // are padded to whole vectors when that wastes under 1/8 of the work.
  int64_t filters = r[3];
  if (canPadFilters && vectorTile(r[3], b.lanes) % b.lanes != 0 &&
      r[3] > b.lanes) {
    int64_t up = (r[3] + b.lanes - 1) / b.lanes * b.lanes;
    if ((up - r[3]) * 8 <= r[3])
      filters = up;
  }
  int64_t ft = vectorTile(filters, b.lanes);
  // The block's rows: a width without a good divisor is padded to a
  // multiple of a better one (27 -> 28 = 4 x 7, not blocks of 3 rows). Each
  // row count is scored by the useful share of the padded work times how
  // well the block hides the FMA latency (its accumulators against 8
  // independent chains: 2 FMA pipes x 4 cycles); the best wins, the larger
  // on ties; padding wastes at most 1/4.
  int64_t vectors = (ft + b.lanes - 1) / b.lanes;
  int64_t budget = std::max<int64_t>(1, b.accumulators / vectors);
  int64_t best = 1;
  double bestScore = -1;
  for (int64_t rowsTry = 1; rowsTry <= std::min(budget, r[2]); ++rowsTry) {
    int64_t padded = (r[2] + rowsTry - 1) / rowsTry * rowsTry;
    if ((padded - r[2]) * 4 > r[2])
      continue;
    double score = double(r[2]) / double(padded) *
                   std::min(1.0, double(rowsTry * vectors) / 8.0);
    if (score >= bestScore) {
      bestScore = score;
      best = rowsTry;
    }
  }
  SmallVector<int64_t> ranges(r);
  if (r[2] % best != 0 || filters != r[3]) {
    ranges[2] = (r[2] + best - 1) / best * best;
    ranges[3] = filters;
    c.padded = ranges;
  }
  c.parallel = {1, 1, best, ft};
  c.reduction = {1, 1, 1};
  c.lanes = b.lanes;
  c.fuse = fuse;
  // Input (n, ih, iw, c) approximated by the output's positions.
  int64_t filterBytes = r[4] * r[5] * r[6] * ranges[3] * elementBytes;
  int64_t inputBytes = r[0] * r[1] * ranges[2] * r[6] * elementBytes;
  if (l2Bytes > 0 && filterBytes > l2Bytes / 2 && inputBytes <= l2Bytes / 2 &&
      ranges[3] > ft)
    c.cache = {0, 0, 0, ft, 0, 0, 0};
  return c;
}

/// Depthwise convolution and pooling over (n, oh, ow, c, kh, kw): rows x
/// one vector of channels, kw left whole for the 1-D vectorizer.
Config chooseWindowed(const Budget &b, ArrayRef<int64_t> r, bool fuse) {
  Config c;
  int64_t ct = std::min(vectorTile(r[3], b.lanes), b.lanes);
  c.parallel = {1, 1, rowsFor(b, r[2], ct, 8), ct};
  c.reduction = {1, 0};
  c.lanes = b.lanes;
  c.fuse = fuse;
  return c;
}

/// A matrix product over (batch..., m, n, k): one batch at a time, a cache
/// tile for large operands, then 8 rows x 2 vectors x 1.
Config chooseMatmul(const Budget &b, ArrayRef<int64_t> r, int64_t batch) {
  Config c;
  int64_t m = r[batch], n = r[batch + 1];
  int64_t nt = vectorTile(n, b.lanes);
  int64_t mt = rowsFor(b, m, nt, 8);
  SmallVector<int64_t> ones(batch, 1);
  if (m >= 192 && n >= 256) {
    c.cache = ones;
    c.cache.append(
        {mt * divisorAtMost(m / mt, 12), nt * divisorAtMost(n / nt, 4), 0});
  }
  c.parallel = ones;
  c.parallel.append({mt, nt});
  c.reduction = {1};
  c.lanes = b.lanes;
  return c;
}

/// An int8 x constant int8 -> int32 matmul on the target's dot product
/// (AVX-512 VNNI: 16 lanes; AArch64 sdot: 4 lanes): blocks of up to 4
/// column vectors x as many rows as the accumulator budget allows; or, on
/// Cortex-M, a reduction form (MVE vmladav, DSP smlad) of 2 x 2 outputs.
/// nullopt when the target has no such instruction or the shape does not
/// fit (k a multiple of 4, n of the lanes).
std::optional<Config> chooseDot(linalg::LinalgOp op, edge::TargetAttr target,
                                const Budget &b, bool fuse) {
  StringRef dot = target.getDot() ? target.getDot().getValue() : "";
  const char *form = nullptr;
  int64_t lanes = 0;
  if (dot == "vnni" && target.getVectorBits() >= 512) {
    form = kDotVpdpbusdForm;
    lanes = 16;
  } else if (target.getArch() && target.getArch().getValue() == "x86" &&
             target.getVectorBits() >= 256) {
    // AVX2 / AVX-512 without VNNI (AVX-VNNI's 256-bit form is not used).
    form = kDotVpmaddwdForm;
    lanes = target.getVectorBits() / 32;
  } else if ((dot == "sdot" || dot == "i8mm") && target.getVectorBits() >= 128) {
    form = kDotSdotForm;
    lanes = 4;
  }
  int64_t kMultiple = form == kDotVpmaddwdForm ? 2 : 4;
  bool reduction = false;
  if (dot == "mve") {
    form = kDotVmladavForm;
    kMultiple = 16;
    reduction = true;
  } else if (dot == "dsp") {
    form = kDotSmladForm;
    reduction = true;
  }
  if (!form || !isa<linalg::MatmulOp>(op))
    return std::nullopt;
  auto type = [&](Value v) { return getElementTypeOrSelf(v.getType()); };
  Value a = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];
  if (!type(a).isInteger(8) || !type(w).isInteger(8) ||
      !type(c).isInteger(32) || !matchPattern(w, m_Constant()))
    return std::nullopt;
  SmallVector<int64_t> r = op.getStaticLoopRanges(); // (m, n, k)
  if (ShapedType::isDynamicShape(r) || r[2] % kMultiple)
    return std::nullopt;
  if (reduction) {
    // Scalar accumulators: 2 x 2 outputs (MVE: 4 q registers of operands
    // beside them; M4: the general registers).
    Config cfg;
    cfg.form = form;
    cfg.parallel = {divisorAtMost(r[0], 2), divisorAtMost(r[1], 2)};
    cfg.lanes = 1;
    cfg.fuse = fuse;
    return cfg;
  }
  // x86 narrows to the 256- and 128-bit forms of the same instruction for
  // column counts that are not whole 512-bit (or 256-bit) vectors (24,
  // 1000).
  if (form == kDotVpdpbusdForm || form == kDotVpmaddwdForm)
    while (lanes > 4 && r[1] % lanes)
      lanes /= 2;
  if (r[1] % lanes)
    return std::nullopt;
  int64_t vectors = r[1] / lanes;
  int64_t colVectors = divisorAtMost(vectors, 4);
  if (colVectors == 0)
    colVectors = 1;
  // Accumulators may take every register but the block's weight vectors
  // and two for the broadcast activations.
  int64_t regs = target.getVectorRegisters() - colVectors - 2;
  int64_t rows =
      divisorAtMost(r[0], std::max<int64_t>(1, std::min<int64_t>(8, regs / colVectors)));
  (void)b;
  Config cfg;
  cfg.form = form;
  cfg.parallel = {rows, colVectors * lanes};
  cfg.lanes = lanes;
  cfg.fuse = fuse;
  return cfg;
}

/// Why no vector configuration exists for the op's element types, or "";
/// sets `bits` to the widest element.
std::string unsupportedElementType(linalg::LinalgOp op, int64_t &bits) {
  bits = 0;
  for (Value v : op->getOperands()) {
    Type t = getElementTypeOrSelf(v.getType());
    auto it = dyn_cast<IntegerType>(t);
    if (!(isa<FloatType>(t) && t.getIntOrFloatBitWidth() <= 64) &&
        !(it && it.getWidth() >= 8 && it.getWidth() <= 32)) {
      std::string name;
      llvm::raw_string_ostream os(name);
      t.print(os);
      return "element type " + name + " has no vector configuration";
    }
    bits = std::max<int64_t>(bits, t.getIntOrFloatBitWidth());
  }
  return "";
}

/// A reduction along the innermost dim (matchInnerReduction): split into
/// partial results of up to 4 vectors (independent accumulators), when a
/// whole number of vectors, or half or a quarter of one, divides the dim.
std::optional<Config> chooseInnerReduction(linalg::LinalgOp op,
                                           edge::TargetAttr target) {
  std::optional<int64_t> size = matchInnerReduction(op);
  int64_t bits;
  if (!size || !unsupportedElementType(op, bits).empty())
    return std::nullopt;
  Budget b = budgetFor(target, bits);
  int64_t split = 0;
  for (int64_t t : {4 * b.lanes, 2 * b.lanes, b.lanes, b.lanes / 2, b.lanes / 4})
    if (t > 1 && *size % t == 0) {
      split = t;
      break;
    }
  if (!split)
    return std::nullopt;
  Config c;
  c.form = kSplitReductionForm;
  c.fuse = true; // the partial results start from the neutral element in registers
  c.parallel.assign(op.getNumParallelLoops(), 1);
  c.parallel.push_back(split);
  c.reduction.assign(op.getNumReductionLoops(), 1);
  c.lanes = b.lanes;
  return c;
}

/// An outer reduction (matchOuterReduction): blocks of up to 2 vectors
/// along its contiguous loop, one element of every other loop, so each
/// reduction step adds whole vectors to accumulators in registers.
std::optional<Config> chooseOuterReduction(linalg::LinalgOp op,
                                           edge::TargetAttr target) {
  std::optional<int64_t> dim = matchOuterReduction(op);
  int64_t bits;
  if (!dim || !unsupportedElementType(op, bits).empty() ||
      !target.getVectorBits())
    return std::nullopt;
  Budget b = budgetFor(target, bits);
  int64_t tile = vectorTile(op.getStaticLoopRanges()[*dim], b.lanes);
  if (tile < std::max<int64_t>(4, b.lanes / 4))
    return std::nullopt;
  Config c;
  auto iters = op.getIteratorTypesArray();
  for (int64_t d = 0; d < op.getNumLoops(); ++d)
    (iters[d] == utils::IteratorType::parallel ? c.parallel : c.reduction)
        .push_back(d == *dim ? tile : 1);
  c.lanes = b.lanes;
  return c;
}

/// Elementwise code (matchContiguousElementwise): blocks of up to 2 vectors
/// along the innermost dim, one element of each outer dim. Vectorized here,
/// in-place updates and buffers the memory plan shares stay vector code
/// (LLVM's loop vectorizer checks such loops for aliasing at run time and
/// falls back to scalar code when the output is the input).
std::optional<Config> chooseElementwise(linalg::LinalgOp op,
                                        edge::TargetAttr target) {
  std::optional<int64_t> size = matchContiguousElementwise(op);
  int64_t bits;
  if (!size && target.getVectorBits() &&
      unsupportedElementType(op, bits).empty())
    if (std::optional<int64_t> j = matchTransposingElementwise(op)) {
      // Blocks of lanes x lanes along the output's innermost loop and the
      // transposed input's: read whole vectors of both, the block
      // transposed in registers. A dim that lanes does not divide takes
      // the largest of lanes / 2, lanes / 4 that does (14 x 14 = 196
      // positions: blocks of 4 x 16), at least a quarter of the lanes.
      Budget b = budgetFor(target, bits);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      int64_t last = op.getNumLoops() - 1;
      auto side = [&](int64_t range) -> int64_t {
        for (int64_t t = b.lanes; t >= std::max<int64_t>(2, b.lanes / 4);
             t /= 2)
          if (range % t == 0)
            return t;
        return 0;
      };
      int64_t across = side(ranges[last]), down = side(ranges[*j]);
      if (!across || !down)
        return std::nullopt;
      Config c;
      c.parallel.assign(op.getNumLoops(), 1);
      c.parallel[last] = across;
      c.parallel[*j] = down;
      c.lanes = b.lanes;
      return c;
    }
  if (!size || !unsupportedElementType(op, bits).empty() ||
      !target.getVectorBits())
    return std::nullopt;
  Budget b = budgetFor(target, bits);
  int64_t tile = vectorTile(*size, b.lanes);
  if (tile < std::max<int64_t>(4, b.lanes / 4))
    return std::nullopt;
  // Many operands (a Winograd transform reads and writes a whole tile) fill
  // the registers with one vector each: blocks of one vector then.
  if (op->getNumOperands() > b.accumulators && tile > b.lanes &&
      tile % b.lanes == 0)
    tile = b.lanes;
  Config c;
  c.parallel.assign(op.getNumLoops(), 1);
  c.parallel.back() = tile;
  c.lanes = b.lanes;
  return c;
}

/// The configuration of one op, or nullopt when it is not a kernel.
std::optional<Config> chooseFor(linalg::LinalgOp op, edge::TargetAttr target,
                                bool fuseBlocks) {
  bool conv = isa<linalg::Conv2DNhwcHwcfOp>(op);
  bool windowed =
      isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::PoolingNhwcMaxOp,
          linalg::PoolingNhwcMaxUnsignedOp, linalg::PoolingNhwcSumOp>(op);
  bool multiplier = isa<linalg::DepthwiseConv2DNhwcHwcmOp>(op);
  std::optional<int64_t> batch, poolRank;
  std::optional<ConvGeneric> convGeneric;
  if (isa<linalg::MatmulOp>(op))
    batch = 0;
  else if (!conv && !windowed && !multiplier) {
    batch = matchBatchedMatmul(op);
    if (!batch)
      convGeneric = matchConvGeneric(op);
    if (!batch && !convGeneric)
      poolRank = matchPoolGeneric(op);
  }
  if (!conv && !windowed && !multiplier && !batch && !convGeneric && !poolRank) {
    if (auto c = chooseInnerReduction(op, target))
      return c;
    if (auto c = chooseOuterReduction(op, target))
      return c;
    return chooseElementwise(op, target);
  }

  Config c;
  if (poolRank) {
    // Only the 2-D named pooling ops have a register-block form.
    c.scalar = op.getNumDpsInits() == 2
                   ? "max pooling with indices has no vector configuration"
                   : std::to_string(*poolRank) +
                         "-D pooling has no vector configuration";
    return c;
  }
  SmallVector<int64_t> r = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(r)) {
    c.scalar = "dynamic shape";
    return c;
  }
  int64_t bits;
  c.scalar = unsupportedElementType(op, bits);
  if (!c.scalar.empty())
    return c;
  Budget b = budgetFor(target, bits);
  if (auto dot = chooseDot(op, target, b, fuseBlocks))
    return dot;
  if (conv) {
    DenseElementsAttr filter;
    bool constantFilter =
        matchPattern(op.getDpsInputs()[1], m_Constant(&filter));
    return chooseConv(b, r, constantFilter, fuseBlocks, bits / 8,
                      target.getL2Bytes());
  }
  if (windowed)
    return chooseWindowed(
        b, r, fuseBlocks && isa<linalg::DepthwiseConv2DNhwcHwcOp>(op));
  if (multiplier) {
    // (n, oh, ow, c, m, kh, kw) as (n, oh, ow, c * m, kh, kw): no init or
    // epilogue fusion through the reshapes around it.
    c = chooseWindowed(b, {r[0], r[1], r[2], r[3] * r[4], r[5], r[6]},
                       /*fuse=*/false);
    c.form = kDepthwiseForm;
    return c;
  }
  if (batch)
    return chooseMatmul(b, r, *batch);
  // A grouped or N-D convolution: one 2-D convolution per group and leading
  // spatial position, its filter a slice (not a constant: never padded).
  c = chooseConv(b, convGenericInnerRanges(*convGeneric, r),
                 /*canPadFilters=*/false, /*fuse=*/false, bits / 8,
                 target.getL2Bytes());
  c.form = kConv2DForm;
  c.outer = convGenericOuterTiles(*convGeneric);
  return c;
}

struct SelectLoweringPass
    : edgec::impl::EdgeCpuSelectLoweringBase<SelectLoweringPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    edge::TargetAttr target = lookupTarget(func);
    if (!target) {
      func.emitError("edge-cpu-select-lowering needs the module's "
                     "#edge.target attribute");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    func.walk([&](linalg::LinalgOp op) {
      // A configuration already there (written by hand) is kept.
      if (!op.hasPureTensorSemantics() || op->hasAttr(kLoweringConfigAttrName))
        return;
      std::optional<Config> config = chooseFor(op, target, fuseBlocks);
      if (!config)
        return;
      op->setAttr(kLoweringConfigAttrName, config->toAttr(ctx));
      if (remarks && !config->scalar.empty())
        op->emitRemark() << "kernel left scalar: " << config->scalar;
    });
  }
};

} // namespace
