//===- LayerLowering.h - one quantized layer as an ENPU stream --*- C++ -*-===//
//
// A layer the partition places on the NPU (a quantized convolution,
// depthwise convolution or fully connected layer, its activation folded
// into the output stage's clamp, a max pooling of int8 values, or the sum
// of two int8 tensors) described by its shapes and constants,
// and its lowering to an `npu.stream`: tiled to fit the SRAM (output
// channels in chunks of whole N-wide groups, output rows in bands),
// double-buffered so that DMA overlaps compute, and its constants packed in
// the order the stream loads them (per chunk: weights, int32 bias, scale
// table).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_LAYERLOWERING_H
#define EDGEC_TARGETS_NPU_LAYERLOWERING_H

#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuDialect.h"

#include <cstdint>
#include <string>
#include <vector>

namespace npu {

struct Layer {
  /// MaxPool: the largest input of each window, padding excluded (input
  /// and output share scale and zero point: no constants).
  /// AvgPool: POOL average, the window sum requantized with
  /// poolMultiplier (edge.quantized_average_pool; no padding).
  /// Add: ELTWISE add of two inputs of one shape (edge.quantized_add).
  enum class Kind { Conv, DwConv, Fc, MaxPool, AvgPool, Add };
  Kind kind = Kind::Conv;
  // Input (H, W, C) and output (H, W, C), NHWC with N = 1; Fc: 1 x 1 x C.
  int64_t ih = 1, iw = 1, ic = 1, oh = 1, ow = 1, oc = 1;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int32_t inZp = 0, outZp = 0, actMin = -128, actMax = 127;
  /// Add: the second input's zero point, and each input's multiplier
  /// s_i / s_y as f32.
  int32_t inZp2 = 0;
  float eltMultiplier[2] = {0, 0};
  /// AvgPool: s_x / (s_y * KH * KW) as f32.
  float poolMultiplier = 0;
  /// Conv [OC][KH][KW][IC], DwConv [KH][KW][C], Fc [OC][IC].
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;     // per output channel
  std::vector<float> multiplier; // per output channel: s_x * s_w / s_y
  int64_t macs() const;
  /// What the cost model counts: MACs, or a pooling's comparisons.
  int64_t work() const;
};

/// "" when the spec's limits admit `layer` (dimensions, kernel, stride,
/// padding), else why not.
std::string checkLayer(const Layer &layer);

/// The scale-table entry (m, s) of an f32 multiplier: m in [2^23, 2^24)
/// and m * 2^-s == f exactly (docs/npu-spec.md §2.2), or (0, 0) for zero
/// and subnormal values.
std::pair<uint32_t, int32_t> scaleEntry(float f);

/// One chunk's CONV or FC weights as SRAM holds them (docs/npu-spec.md
/// §2.4): N x N tiles (output group, ky, kx, input group), zero-compressed
/// (a tile bitmap, then the nonzero tiles) when that stores fewer bytes.
struct ChunkWeights {
  uint32_t format = 0; // EDGERT_NPU_WEIGHTS_TILES or _COMPRESSED
  int64_t tiles = 0, stored = 0;
  std::vector<int8_t> bytes;
};
ChunkWeights encodeWeights(const Layer &layer, int64_t n, int64_t c0,
                           int64_t c1);

struct LayerStream {
  StreamOp stream;
  std::vector<int8_t> constants; // region 0
  int64_t scratchBytes = 16;     // region 1
  uint64_t cycles = 0;           // the validator's timing of the stream
  uint64_t dmaBytes = 0;
  int64_t chunks = 0, bands = 0;
  /// CONV and FC: the encoded weights' bytes, their tiles and the tiles
  /// stored (fewer when zero tiles are compressed away).
  int64_t weightBytes = 0, weightTiles = 0, storedTiles = 0;
};

/// Builds the stream `name` for `layer` at the builder's insertion point,
/// runs the device's validator on its words (a rejection is an internal
/// error, reported at `loc`) and returns it with its constants and timing;
/// failure (with a remark in `why`) when the layer does not fit the SRAM.
mlir::FailureOr<LayerStream> lowerLayer(mlir::OpBuilder &b, mlir::Location loc,
                                        llvm::StringRef name,
                                        const NpuConfig &config,
                                        const Layer &layer, std::string &why);

} // namespace npu

#endif // EDGEC_TARGETS_NPU_LAYERLOWERING_H
