//===- LayerLowering.cpp - one quantized layer as an ENPU stream ----------===//
//
// The schedule (docs/npu.md, "How a layer runs"): the layer's work is a
// list of steps, each one output band of one channel chunk. SRAM holds the
// current chunk's constants and two input and two output buffers. The DMA
// queue runs
//
//   W(0) L(0) L(1) S(0) L(2) S(1) ...    (W: a chunk's constants,
//                                         L: a step's input, S: its output)
//
// and the compute queue C(0) C(1) ...; three semaphores order them:
// S0 (L(k) done -> C(k)), S1 (C(k) done -> S(k)) and S2 (S(k) done ->
// C(k+2), which reuses that output buffer). L(k+2) follows S(k) in the DMA
// queue, after C(k) freed its input buffer; a new chunk's constants are
// loaded after the store of the last step of the previous chunk. While
// C(k) computes, the DMA queue loads L(k+1) and stores S(k-1).
//
//===----------------------------------------------------------------------===//
#include "targets/npu/LayerLowering.h"

#include "targets/npu/NpuStream.h"

#include "runtime/include/edgert_npu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <tuple>

using namespace mlir;

namespace npu {

namespace {
int64_t align16(int64_t v) { return (v + 15) / 16 * 16; }
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

constexpr uint32_t kLoaded = 1, kComputed = 2, kStored = 4; // S0, S1, S2

/// Bytes of SRAM one step needs, for a chunk of `ct` channels and bands of
/// `rows` output rows.
struct Footprint {
  int64_t weights, bias, scale, in, out;
  int64_t total() const {
    return align16(weights) + align16(bias) + align16(scale) + 2 * align16(in) +
           2 * align16(out);
  }
};

int64_t inRowsFor(const Layer &l, int64_t rows) {
  return std::min(l.ih, (rows - 1) * l.sh + l.kh);
}

/// The N x N tiles of `ct` output channels' CONV or FC weights: the
/// contraction axis (ky, kx, ic) in groups of N.
int64_t weightTiles(const Layer &l, int64_t n, int64_t ct) {
  return ceilDiv(ct, n) * ceilDiv(l.kh * l.kw * l.ic, n);
}

Footprint footprint(const Layer &l, int64_t n, int64_t ct, int64_t rows) {
  Footprint f;
  f.bias = 4 * ct;
  f.scale = 8 * ct;
  switch (l.kind) {
  case Layer::Kind::Conv:
    // Tiles, at most (compression is used only when it stores less).
    f.weights = weightTiles(l, n, ct) * n * n;
    f.in = inRowsFor(l, rows) * l.iw * l.ic;
    f.out = rows * l.ow * ct;
    break;
  case Layer::Kind::DwConv:
    f.weights = l.kh * l.kw * ct;
    f.in = inRowsFor(l, rows) * l.iw * ct;
    f.out = rows * l.ow * ct;
    break;
  case Layer::Kind::Fc:
    f.weights = weightTiles(l, n, ct) * n * n;
    f.in = l.ic;
    f.out = ct;
    break;
  case Layer::Kind::MaxPool:
  case Layer::Kind::AvgPool:
    f.weights = f.bias = f.scale = 0;
    f.in = inRowsFor(l, rows) * l.iw * ct;
    f.out = rows * l.ow * ct;
    break;
  case Layer::Kind::Add: // both inputs in one buffer, the second aligned
    f.weights = f.bias = f.scale = 0;
    f.in = 2 * align16(rows * l.iw * ct);
    f.out = rows * l.ow * ct;
    break;
  }
  return f;
}

/// Tracks the registers the stream has set, so each is written only when
/// its value changes (they persist across operations).
struct Emitter {
  OpBuilder &b;
  Location loc;
  std::array<std::optional<uint32_t>, EDGERT_NPU_REGISTERS> regs;
  void set(int reg, int64_t value) {
    uint32_t v = uint32_t(int32_t(value));
    if (regs[reg] == v)
      return;
    regs[reg] = v;
    SetRegOp::create(b, loc, registerName(reg), v);
  }
};

struct Step {
  int64_t chunk, c0, c1; // output channels [c0, c1)
  int64_t o0, o1;        // output rows [o0, o1)
  int64_t i0, i1;        // input rows [i0, i1)
  int64_t top, bottom;   // padding rows of this band
};
} // namespace

int64_t Layer::macs() const {
  switch (kind) {
  case Kind::Conv:
    return oh * ow * oc * kh * kw * ic;
  case Kind::DwConv:
    return oh * ow * oc * kh * kw;
  case Kind::Fc:
    return oc * ic;
  case Kind::MaxPool:
  case Kind::AvgPool:
  case Kind::Add:
    return 0;
  }
  return 0;
}

int64_t Layer::work() const {
  if (kind == Kind::Add)
    return oh * ow * oc;
  return kind == Kind::MaxPool || kind == Kind::AvgPool ? oh * ow * oc * kh * kw
                                                        : macs();
}

std::string checkLayer(const Layer &l) {
  auto dim = [](int64_t v) { return v >= 1 && v <= 4096; };
  if (!dim(l.ih) || !dim(l.iw) || !dim(l.ic) || !dim(l.oh) || !dim(l.ow) ||
      !dim(l.oc))
    return "a dimension outside 1..4096 (DIM-1)";
  if (l.kh < 1 || l.kh > 15 || l.kw < 1 || l.kw > 15)
    return "a kernel outside 1..15 (DIM-1)";
  if (l.sh < 1 || l.sh > 4 || l.sw < 1 || l.sw > 4)
    return "a stride outside 1..4 (DIM-1)";
  if (l.padTop >= l.kh || l.padBottom >= l.kh || l.padLeft >= l.kw ||
      l.padRight >= l.kw || l.padTop < 0 || l.padLeft < 0 || l.padBottom < 0 ||
      l.padRight < 0)
    return "padding not below the kernel's extent (DIM-1)";
  if (l.inZp < -128 || l.inZp > 127 || l.outZp < -128 || l.outZp > 127)
    return "a zero point outside int8";
  if (l.kind == Layer::Kind::DwConv && l.ic != l.oc)
    return "a depthwise convolution with a channel multiplier";
  if (l.kind == Layer::Kind::MaxPool && (l.ic != l.oc || l.inZp != l.outZp))
    return "a pooling whose output is not quantized as its input";
  if (l.kind == Layer::Kind::AvgPool &&
      (l.ic != l.oc || l.padTop || l.padLeft || l.padBottom || l.padRight))
    return "an average pooling with padding (DIM-1)";
  if (l.kind == Layer::Kind::Add &&
      (l.ih != l.oh || l.iw != l.ow || l.ic != l.oc || l.kh != 1 || l.kw != 1 ||
       l.inZp2 < -128 || l.inZp2 > 127))
    return "an addition of tensors of different shapes";
  if ((l.ih + l.padTop + l.padBottom - l.kh) / l.sh + 1 != l.oh ||
      (l.iw + l.padLeft + l.padRight - l.kw) / l.sw + 1 != l.ow)
    return "output dimensions that do not follow from the input's (DIM-2)";
  return "";
}

std::pair<uint32_t, int32_t> scaleEntry(float f) {
  if (!(f > 0) || !std::isnormal(f))
    return {0, 0};
  int e = 0;
  float frac = std::frexp(f, &e); // f = frac * 2^e, frac in [0.5, 1)
  auto m = uint32_t(std::ldexp(frac, 24));
  return {m, 24 - e};
}

ChunkWeights encodeWeights(const Layer &l, int64_t n, int64_t c0, int64_t c1) {
  // Conv weights [OC][KH][KW][IC] and Fc's [OC][IC] are both a matrix of
  // OC rows by K columns, k = (ky * KW + kx) * IC + ic.
  ChunkWeights result;
  const int64_t k = l.kh * l.kw * l.ic, groups = ceilDiv(k, n),
                tiles = weightTiles(l, n, c1 - c0);
  std::vector<int8_t> dense;
  dense.reserve(size_t(tiles * n * n));
  std::vector<bool> nonzero(size_t(tiles), false);
  int64_t t = 0;
  for (int64_t g = 0; g < ceilDiv(c1 - c0, n); ++g)
    for (int64_t kg = 0; kg < groups; ++kg, ++t)
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < n; ++c) {
          int64_t o = c0 + g * n + r, i = kg * n + c;
          int8_t v = o < c1 && i < k ? l.weights[o * k + i] : int8_t(0);
          dense.push_back(v);
          if (v != 0)
            nonzero[size_t(t)] = true;
        }
  result.tiles = tiles;
  result.stored = int64_t(std::count(nonzero.begin(), nonzero.end(), true));
  const int64_t bitmap = align16(ceilDiv(tiles, 8)),
                compressed = bitmap + result.stored * n * n;
  if (compressed >= tiles * n * n) {
    result.format = EDGERT_NPU_WEIGHTS_TILES;
    result.stored = tiles;
    result.bytes = std::move(dense);
    return result;
  }
  result.format = EDGERT_NPU_WEIGHTS_COMPRESSED;
  result.bytes.assign(size_t(bitmap), 0);
  for (int64_t i = 0; i < tiles; ++i)
    if (nonzero[size_t(i)]) {
      result.bytes[size_t(i / 8)] |= int8_t(1u << (i % 8));
      result.bytes.insert(result.bytes.end(), dense.begin() + i * n * n,
                          dense.begin() + (i + 1) * n * n);
    }
  return result;
}

FailureOr<LayerStream> lowerLayer(OpBuilder &b, Location loc, StringRef name,
                                  const NpuConfig &config, const Layer &l,
                                  std::string &why) {
  const bool fc = l.kind == Layer::Kind::Fc;
  // Channelwise: a chunk of channels reads only those channels.
  const bool avg = l.kind == Layer::Kind::AvgPool;
  const bool pool = l.kind == Layer::Kind::MaxPool || avg;
  const bool add = l.kind == Layer::Kind::Add;
  const bool dw = l.kind == Layer::Kind::DwConv || pool || add;
  const bool noConstants = pool || add;
  const int64_t inputs = add ? 2 : 1;
  const uint32_t outRegion = uint32_t(2 + inputs);
  const int64_t n = config.n, sram = config.sram;
  // Tiling: the largest chunk of whole N-channel groups whose one-row step
  // fits, then the largest band that fits, split so that there are a few
  // bands for DMA to overlap (a band's transfers are limited to 65536
  // rows by the DMA too).
  int64_t ct = l.oc;
  while (footprint(l, n, ct, 1).total() > sram) {
    int64_t next = std::max(n, ceilDiv(ceilDiv(ct, 2), n) * n);
    if (next >= ct) {
      why = "one output row of " + std::to_string(ct) +
            " channels does not fit the SRAM";
      return failure();
    }
    ct = next;
  }
  int64_t rows = 1;
  while (rows < l.oh && footprint(l, n, ct, rows + 1).total() <= sram &&
         (rows + 1) * l.ow <= 65536 && inRowsFor(l, rows + 1) * l.iw <= 65536)
    ++rows;
  if (!fc)
    rows = std::min(rows, std::max<int64_t>(1, ceilDiv(l.oh, 4)));
  const int64_t chunks = ceilDiv(l.oc, ct), bands = ceilDiv(l.oh, rows);
  Footprint fp = footprint(l, n, ct, rows);

  // SRAM: the chunk's constants, then the two input and output buffers.
  const int64_t wAddr = 0, bAddr = align16(fp.weights),
                sAddr = bAddr + align16(fp.bias),
                inAddr[2] = {sAddr + align16(fp.scale),
                             sAddr + align16(fp.scale) + align16(fp.in)},
                outAddr[2] = {inAddr[1] + align16(fp.in),
                              inAddr[1] + align16(fp.in) + align16(fp.out)};

  // Region 0: per chunk, its weights as encoded (no larger than the SRAM
  // room for them: compressed tiles take less), then its bias and scales
  // as SRAM holds them from bAddr on; two transfers load a chunk.
  LayerStream result;
  result.chunks = chunks;
  result.bands = bands;
  std::vector<int64_t> chunkOffset, weightBytes, tailOffset, tailBytes;
  std::vector<ChunkWeights> chunkWeights;
  std::vector<int8_t> &blob = result.constants;
  for (int64_t j = 0; j < chunks; ++j) {
    int64_t c0 = j * ct, c1 = std::min(l.oc, c0 + ct), cn = c1 - c0;
    chunkOffset.push_back(int64_t(blob.size()));
    size_t base = blob.size();
    if (noConstants) {
      // None.
    } else if (dw) {
      for (int64_t y = 0; y < l.kh; ++y)
        for (int64_t x = 0; x < l.kw; ++x)
          for (int64_t c = c0; c < c1; ++c)
            blob.push_back(l.weights[(y * l.kw + x) * l.oc + c]);
    } else {
      ChunkWeights w = encodeWeights(l, n, c0, c1);
      blob.insert(blob.end(), w.bytes.begin(), w.bytes.end());
      result.weightBytes += int64_t(w.bytes.size());
      result.weightTiles += w.tiles;
      result.storedTiles += w.stored;
      w.bytes.clear();
      chunkWeights.push_back(std::move(w));
    }
    weightBytes.push_back(int64_t(blob.size() - base));
    blob.resize(align16(int64_t(blob.size())), 0);
    tailOffset.push_back(int64_t(blob.size()));
    base = blob.size();
    auto word = [&](uint32_t v) {
      for (int i = 0; i < 4; ++i)
        blob.push_back(int8_t(uint8_t(v >> (8 * i))));
    };
    for (int64_t c = c0; c < c1 && !noConstants; ++c)
      word(uint32_t(l.bias[c]));
    blob.resize(base + (sAddr - bAddr), 0);
    for (int64_t c = c0; c < c1 && !noConstants; ++c) {
      auto [m, s] = scaleEntry(l.multiplier[c]);
      word(m);
      word(uint32_t(s));
    }
    tailBytes.push_back(int64_t(blob.size() - base));
    blob.resize(align16(int64_t(blob.size())), 0);
  }
  // Region 0 is never empty (a pooling or an addition has no constants).
  if (blob.empty())
    blob.resize(16, 0);

  std::vector<Step> steps;
  for (int64_t j = 0; j < chunks; ++j)
    for (int64_t k = 0; k < bands; ++k) {
      Step s;
      s.chunk = j;
      s.c0 = j * ct;
      s.c1 = std::min(l.oc, s.c0 + ct);
      s.o0 = k * rows;
      s.o1 = std::min(l.oh, s.o0 + rows);
      int64_t first = s.o0 * l.sh - l.padTop;
      int64_t last = (s.o1 - 1) * l.sh - l.padTop + l.kh; // exclusive
      s.i0 = std::max<int64_t>(0, first);
      s.i1 = std::min(l.ih, last);
      s.top = s.i0 - first;
      s.bottom = last - s.i1;
      steps.push_back(s);
    }

  const int64_t inBytes = l.ih * l.iw * l.ic, outBytes = l.oh * l.ow * l.oc;
  SmallVector<int64_t> sizes{int64_t(blob.size()), result.scratchBytes},
      flags{1, 3};
  for (int64_t i = 0; i < inputs; ++i) {
    sizes.push_back(inBytes);
    flags.push_back(1);
  }
  sizes.push_back(outBytes);
  flags.push_back(2);
  auto stream = StreamOp::create(
      b, loc, name, config.n, config.sram, config.banks, config.dma,
      b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(flags));
  Block *body = new Block();
  stream.getBody().push_back(body);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(body);
  Emitter e{b, loc, {}};
  e.regs[EDGERT_NPU_WEIGHT_FMT] = EDGERT_NPU_WEIGHTS_ROWS; // its reset value

  auto loadConstants = [&](int64_t j) {
    for (auto [offset, bytes, addr] :
         {std::tuple{chunkOffset[j], weightBytes[j], wAddr},
          std::tuple{tailOffset[j], tailBytes[j], bAddr}})
      if (bytes > 0)
        DmaLoadOp::create(b, loc, 0, uint32_t(offset), uint32_t(addr),
                          uint32_t(bytes), 1, uint32_t(bytes), 0, 0);
  };
  // Transfers of `pixels` pixels whose `part` of `all` channels starting at
  // `c0` move: one contiguous run when the part is everything.
  auto transfer = [&](bool load, uint32_t region, int64_t pixel0,
                      int64_t pixels, int64_t c0, int64_t part, int64_t all,
                      int64_t addr, uint32_t wait, uint32_t signal) {
    int64_t offset = pixel0 * all + c0, rowBytes = part, count = pixels,
            stride = all;
    if (part == all) {
      rowBytes = pixels * all;
      count = 1;
      stride = rowBytes;
    }
    if (load)
      DmaLoadOp::create(b, loc, region, uint32_t(offset), uint32_t(addr),
                        uint32_t(rowBytes), uint32_t(count), uint32_t(stride),
                        wait, signal);
    else
      DmaStoreOp::create(b, loc, region, uint32_t(offset), uint32_t(addr),
                         uint32_t(rowBytes), uint32_t(count), uint32_t(stride),
                         wait, signal);
  };
  const int64_t total = int64_t(steps.size());
  auto loadInput = [&](int64_t k) {
    const Step &s = steps[k];
    if (fc)
      transfer(true, 2, 0, 1, 0, l.ic, l.ic, inAddr[k % 2], 0, kLoaded);
    else if (add) {
      // The second load signals: the DMA queue runs them in order.
      int64_t second = align16((s.i1 - s.i0) * l.iw * (s.c1 - s.c0));
      transfer(true, 2, s.i0 * l.iw, (s.i1 - s.i0) * l.iw, s.c0, s.c1 - s.c0,
               l.ic, inAddr[k % 2], 0, 0);
      transfer(true, 3, s.i0 * l.iw, (s.i1 - s.i0) * l.iw, s.c0, s.c1 - s.c0,
               l.ic, inAddr[k % 2] + second, 0, kLoaded);
    } else if (dw)
      transfer(true, 2, s.i0 * l.iw, (s.i1 - s.i0) * l.iw, s.c0, s.c1 - s.c0,
               l.ic, inAddr[k % 2], 0, kLoaded);
    else
      transfer(true, 2, s.i0 * l.iw, (s.i1 - s.i0) * l.iw, 0, l.ic, l.ic,
               inAddr[k % 2], 0, kLoaded);
  };
  auto compute = [&](int64_t k) {
    const Step &s = steps[k];
    int64_t cn = s.c1 - s.c0;
    e.set(EDGERT_NPU_IFM_ADDR, inAddr[k % 2]);
    e.set(EDGERT_NPU_IFM_C, dw ? cn : l.ic);
    e.set(EDGERT_NPU_IFM_ZP, l.inZp);
    e.set(EDGERT_NPU_OFM_ADDR, outAddr[k % 2]);
    e.set(EDGERT_NPU_OFM_C, cn);
    e.set(EDGERT_NPU_OFM_ZP, l.outZp);
    if (!fc) {
      e.set(EDGERT_NPU_IFM_H, s.i1 - s.i0);
      e.set(EDGERT_NPU_IFM_W, l.iw);
      e.set(EDGERT_NPU_OFM_H, s.o1 - s.o0);
      e.set(EDGERT_NPU_OFM_W, l.ow);
    }
    if (avg) {
      auto [m, sh] = scaleEntry(l.poolMultiplier);
      e.set(EDGERT_NPU_POOL_M, m);
      e.set(EDGERT_NPU_POOL_S, sh);
    }
    if (add) {
      auto [m1, s1] = scaleEntry(l.eltMultiplier[0]);
      auto [m2, s2] = scaleEntry(l.eltMultiplier[1]);
      e.set(EDGERT_NPU_IFM2_ADDR,
            inAddr[k % 2] + align16((s.i1 - s.i0) * l.iw * cn));
      e.set(EDGERT_NPU_IFM2_ZP, l.inZp2);
      e.set(EDGERT_NPU_ELT_M1, m1);
      e.set(EDGERT_NPU_ELT_S1, s1);
      e.set(EDGERT_NPU_ELT_M2, m2);
      e.set(EDGERT_NPU_ELT_S2, s2);
    } else if (!fc) {
      e.set(EDGERT_NPU_KERNEL, l.kh | l.kw << 8);
      e.set(EDGERT_NPU_STRIDE, l.sh | l.sw << 8);
      e.set(EDGERT_NPU_PAD,
            s.top | l.padLeft << 8 | s.bottom << 16 | l.padRight << 24);
    }
    if (!noConstants) {
      e.set(EDGERT_NPU_WEIGHT_ADDR, wAddr);
      e.set(EDGERT_NPU_BIAS_ADDR, bAddr);
      e.set(EDGERT_NPU_SCALE_ADDR, sAddr);
    }
    if (!noConstants && !dw) {
      const ChunkWeights &w = chunkWeights[size_t(s.chunk)];
      e.set(EDGERT_NPU_WEIGHT_FMT, w.format);
      if (w.format == EDGERT_NPU_WEIGHTS_COMPRESSED)
        e.set(EDGERT_NPU_WEIGHT_TILES, w.stored);
    }
    e.set(EDGERT_NPU_ACT, (uint32_t(uint8_t(int8_t(l.actMin))) << 8) |
                              (uint32_t(uint8_t(int8_t(l.actMax))) << 16));
    uint32_t wait = kLoaded | (k >= 2 ? kStored : 0);
    if (fc)
      FcOp::create(b, loc, wait, kComputed);
    else if (pool)
      PoolOp::create(b, loc, /*average=*/avg, wait, kComputed);
    else if (add)
      EltwiseOp::create(b, loc, /*mul=*/false, wait, kComputed);
    else if (dw)
      DwConvOp::create(b, loc, wait, kComputed);
    else
      ConvOp::create(b, loc, wait, kComputed);
  };
  auto store = [&](int64_t k) {
    const Step &s = steps[k];
    uint32_t signal = k + 2 < total ? kStored : 0;
    if (fc)
      transfer(false, outRegion, 0, 1, s.c0, s.c1 - s.c0, l.oc, outAddr[k % 2],
               kComputed, signal);
    else
      transfer(false, outRegion, s.o0 * l.ow, (s.o1 - s.o0) * l.ow, s.c0,
               s.c1 - s.c0, l.oc, outAddr[k % 2], kComputed, signal);
  };

  loadConstants(0);
  loadInput(0);
  compute(0);
  for (int64_t k = 0; k < total; ++k) {
    if (k + 1 < total) {
      if (steps[k + 1].chunk != steps[k].chunk) {
        store(k);
        loadConstants(steps[k + 1].chunk);
        loadInput(k + 1);
        compute(k + 1);
        continue;
      }
      loadInput(k + 1);
      compute(k + 1);
    }
    store(k);
  }
  EndOp::create(b, loc);

  FailureOr<std::vector<uint32_t>> words = serializeStream(stream);
  if (failed(words))
    return failure();
  StreamTiming timing;
  if (std::string bad = validateStream(*words, &timing); !bad.empty()) {
    emitError(loc) << "internal error: the NPU stream written for this layer "
                      "breaks "
                   << bad;
    stream.erase();
    return failure();
  }
  result.stream = stream;
  result.cycles = timing.cycles;
  result.dmaBytes = timing.dmaBytes;
  return result;
}

} // namespace npu
