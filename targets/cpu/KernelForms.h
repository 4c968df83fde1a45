//===- KernelForms.h - the kernels of the CPU codegen -----------*- C++ -*-===//
//
// What the strategy (edge-cpu-select-lowering) and the mechanism
// (edge-cpu-vectorize-kernels) both need to know about kernels: the name of
// the configuration attribute, recognizers for the convolutions and matrix
// products that convert-edge-to-linalg builds as linalg.generic, and the
// rewrites that compute a kernel as a named op the register-block path
// already handles (a lowering config's `form`).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_CPU_KERNELFORMS_H
#define EDGEC_TARGETS_CPU_KERNELFORMS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

#include <optional>

namespace edgec {

/// The discardable attribute holding an op's #edge.lowering_config.
constexpr const char *kLoweringConfigAttrName = "edge.lowering_config";
/// On an scf.for: its iterations are independent (they tile parallel dims
/// of one op) and may run on several threads; the value is the op's
/// iteration count, the work edge-cpu-outline-parallel weighs.
constexpr const char *kParallelAttrName = "edge.parallel";

/// The number edge-cpu-number-kernels gives each kernel of the generated
/// code (a top-level op of the entry function that computes).
constexpr const char *kKernelAttrName = "edge.kernel";

/// The forms a lowering config may name.
constexpr const char *kConv2DForm = "conv_2d_nhwc_hwcf";
constexpr const char *kDepthwiseForm = "depthwise_conv_2d_nhwc_hwc";
/// An int8 x int8 -> int32 linalg.matmul with constant weights on a 4-way
/// dot-product instruction (DotKernels.cpp): AVX-512 VNNI, AArch64 sdot.
constexpr const char *kDotVpdpbusdForm = "i8_dot4_vpdpbusd";
constexpr const char *kDotSdotForm = "i8_dot4_sdot";
/// x86 without VNNI: `vpmaddwd` on pairs of k widened to 16 bits.
constexpr const char *kDotVpmaddwdForm = "i8_dot2_vpmaddwd";
/// Reduction forms (one scalar accumulator per output): Cortex-M55 MVE
/// `vmladava` over 16 k, Cortex-M4 DSP `smlad` over 2 x 2 k. `vector_lanes`
/// is 1 and `parallel` the rows x columns of outputs of one block.
constexpr const char *kDotVmladavForm = "i8_dot16_vmladav";
constexpr const char *kDotSmladForm = "i8_dot4_smlad";

bool isDotForm(llvm::StringRef form);

/// Rewrites `op` (a linalg.matmul i8 x constant i8 -> i32) into the
/// register-blocked loops of a dot form: `parallel` = {rows, columns} of
/// one block, `lanes` the i32 lanes of one accumulator; with `fuse`, its
/// elementwise consumer (the requantization) is computed on each block
/// before it is stored. Fails with an error when the op does not fit.
mlir::LogicalResult applyDotForm(mlir::RewriterBase &rewriter,
                                 mlir::linalg::LinalgOp op,
                                 llvm::StringRef form, int64_t lanes,
                                 llvm::ArrayRef<int64_t> parallel, bool fuse);

/// A convolution built as one linalg.generic (grouped, or of spatial rank
/// s != 2): loops (n, out_1..out_s, g, f, tap_1..tap_s, c), the input read
/// at (n, out_i * stride_i + tap_i * dilation_i ..., g, c), the filter at
/// (g, f, c, tap...), the result at (n, out..., g, f), body acc + x * w.
struct ConvGeneric {
  int64_t spatial = 0;
  llvm::SmallVector<int64_t> strides, dilations;
  int64_t outLoop(int64_t i) const { return 1 + i; }
  int64_t groupLoop() const { return spatial + 1; }
  int64_t filterLoop() const { return spatial + 2; }
  int64_t tapLoop(int64_t i) const { return spatial + 3 + i; }
  int64_t channelLoop() const { return 2 * spatial + 3; }
};
std::optional<ConvGeneric> matchConvGeneric(mlir::linalg::LinalgOp op);

/// The `outer` tiles that cut a convolution generic into 2-D convolutions:
/// 1 for the group and the leading s - 2 output and tap loops, 0 elsewhere.
llvm::SmallVector<int64_t> convGenericOuterTiles(const ConvGeneric &conv);

/// The loop ranges of each of those 2-D convolutions, (n, oh, ow, f, kh,
/// kw, c), from the generic's loop ranges.
llvm::SmallVector<int64_t>
convGenericInnerRanges(const ConvGeneric &conv, llvm::ArrayRef<int64_t> ranges);

/// The number of batch loops of a matrix product over (batch..., m, n, k):
/// operands read (m, k) and (k, n) in either order, each batch dim indexed,
/// broadcast (constant 0) or absent; the result is (batch..., m, n); the
/// body is acc + a * b in one element type. Also matches
/// linalg.batch_matmul. nullopt for anything else.
std::optional<int64_t> matchBatchedMatmul(mlir::linalg::LinalgOp op);

/// The spatial rank of a pooling built as one linalg.generic (of spatial
/// rank other than 2, or max pooling with indices): a window operand read
/// at exactly the reduction loops, beside the input; nullopt otherwise.
std::optional<int64_t> matchPoolGeneric(mlir::linalg::LinalgOp op);

/// An inner reduction: a linalg.generic with one result whose reduction
/// loops all come after its parallel loops, the result indexed by the
/// parallel loops in order, the body ending in one combiner with a neutral
/// element (add, mul, max, min...) that alone reads the accumulator, the
/// innermost reduction loop read only as the last dim of the inputs that
/// use it, and no linalg.index. Returns the size of that innermost loop;
/// nullopt otherwise. Such a reduction runs serially along memory, one
/// dependent add after another, unless it is split (below).
std::optional<int64_t> matchInnerReduction(mlir::linalg::LinalgOp op);
/// An elementwise generic the vectorizer handles well: identity-mapped
/// results (one or several), all loops parallel, static shapes, every operand read through a projected
/// permutation whose innermost loop, when it reads it at all, is its last
/// dim (contiguous vectors; a transposed read is left to the loop
/// lowering), and a body of scalar arithmetic (no tensor.extract). Returns
/// the size of the innermost loop; nullopt otherwise.
std::optional<int64_t> matchContiguousElementwise(mlir::linalg::LinalgOp op);

/// An all-parallel generic (identity output, scalar arithmetic) with inputs
/// read through a transpose: their innermost dim is one loop `j` other than
/// the output's innermost (an NCHW <-> NHWC copy, an epilogue between
/// layouts). Returns j.
std::optional<int64_t> matchTransposingElementwise(mlir::linalg::LinalgOp op);
/// An outer reduction: a linalg.generic with one result and reduction loops
/// whose inputs are all contiguous along one parallel loop, the result's
/// last dim (a mean over H x W of an NHWC tensor, a squeeze-excitation's
/// pooling), with a body of scalar arithmetic ending in one combiner as
/// above. Returns the position of that loop; nullopt otherwise. Tiled with
/// one element of every other loop, each step adds a vector of it to
/// accumulators kept in registers.
std::optional<int64_t> matchOuterReduction(mlir::linalg::LinalgOp op);
/// The form that computes an inner reduction in `lanes` partial results:
/// the innermost reduction dim D is read as (D / lanes, lanes), the lanes a
/// parallel loop placed after the others (loops: parallel..., lane,
/// reduction..., D / lanes) whose register blocks `parallel` and
/// `reduction` tile, then one small reduction over the lanes combines them
/// into the original accumulator (reassociating the reduction).
constexpr const char *kSplitReductionForm = "split_reduction";
struct SplitReduction {
  mlir::linalg::GenericOp partial; // the lanes, vectorized
  mlir::linalg::GenericOp combine; // lanes -> result
};
mlir::FailureOr<SplitReduction>
splitInnerReduction(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                    int64_t lanes);
/// Tiles `op` by `sizes` (0 leaves a loop untiled) with scf.for loops and
/// replaces it. The outermost loop of a new top-level nest that iterates
/// over a parallel dim is marked kParallelAttrName (markParallelLoop).
mlir::FailureOr<mlir::scf::SCFTilingResult>
tileOp(mlir::RewriterBase &rewriter, mlir::Operation *op,
       llvm::ArrayRef<int64_t> sizes);

/// Marks the outermost loop of `loops` (the nest tiling `op` by `sizes`
/// made, outermost first) that runs more than once, when the loops around
/// it run once each up to the function (the nest is a top-level kernel) and
/// it iterates over a parallel dim of `op`: its iterations write disjoint
/// tiles of the result. The mark's value is `work`, by default `op`'s
/// iteration count (iterationCount), times the ops of its body for an
/// elementwise generic.
void markParallelLoop(mlir::Operation *op, llvm::ArrayRef<int64_t> sizes,
                      llvm::ArrayRef<mlir::LoopLikeOpInterface> loops,
                      std::optional<int64_t> work = std::nullopt);
/// The product of a linalg op's static loop ranges (its body's executions).
int64_t iterationCount(mlir::linalg::LinalgOp op);

/// Reads each input of `op` that is broadcast along size-1 dims (constant 0
/// in its indexing map) without those dims, so that the vectorizer does not
/// turn the broadcast into an extra contraction dim.
void dropBroadcastUnitDims(mlir::RewriterBase &rewriter,
                           mlir::linalg::GenericOp op);

/// Computes a convolution generic as 2-D convolutions: its filter is read as
/// (g, tap..., c, f) (a constant rearranged at compile time, else
/// transposed once at run time), the op is tiled by `outer`, and the tiled
/// op, whose group and leading spatial loops must then have size 1, is
/// replaced by a linalg.conv_2d_nhwc_hwcf on rank-reduced slices. Returns
/// the 2-D convolution; failure leaves the op valid (maybe tiled).
mlir::FailureOr<mlir::linalg::Conv2DNhwcHwcfOp>
convGenericAsConv2D(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                    llvm::ArrayRef<int64_t> outer);

/// Computes a depthwise convolution with channel multiplier M as a plain
/// depthwise convolution over the input channels replicated M times: the
/// (kh, kw, C, M) filter and (n, oh, ow, C, M) result are then read as
/// C*M channels in place. Returns the new depthwise convolution.
mlir::FailureOr<mlir::linalg::DepthwiseConv2DNhwcHwcOp>
depthwiseMultiplierAsDepthwise(mlir::RewriterBase &rewriter,
                               mlir::linalg::DepthwiseConv2DNhwcHwcmOp op);

} // namespace edgec

#endif
