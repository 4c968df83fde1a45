//===- Pipeline.h - the phases of edgec and their pass pipelines -*- C++
//-*-===//
#ifndef EDGEC_COMPILER_PIPELINE_PIPELINE_H
#define EDGEC_COMPILER_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace edgec {

/// The phases a model goes through; `--compile-to=PHASE` stops after one.
enum class Phase {
  Import,     // edge dialect as read from ONNX
  Graph,      // after graph optimizations (BN folding, bias fusion, ...)
  Linalg,     // linalg on tensors, layout transposes fused away; from -O2
              // on, each kernel carries its #edge.lowering_config
  Kernels,    // conv/matmul kernels tiled and vectorized as configured
  Bufferized, // memrefs, one static arena
  LLVM,       // LLVM dialect
};

std::optional<Phase> parsePhase(const std::string &name);
const char *phaseName(Phase phase);
/// "import, graph, linalg, kernels, bufferized, llvm"
std::string phaseList();

/// How the arena is traded against time (--memory).
enum class MemoryMode {
  Default, // one layer at a time, buffers reused by liveness
  Min,     // and the first layers run over row bands (edge-patch-execution)
};

/// Pruning at the end of the graph phase: whole channels (--prune-channels,
/// edge-prune-channels) when `channels` > 0, then single weights (--prune,
/// edge-prune) unless the pattern is unstructured and the sparsity 0.
struct PruneOptions {
  double channels = 0.0;                // the fraction of channels removed
  double sparsity = 0.0;                // unstructured: the fraction zeroed
  std::string pattern = "unstructured"; // or N:M
  std::string scope = "layer";          // or global
  std::vector<std::string> skip;        // ONNX nodes left dense
  bool denseEnds = true;                // the first and last layer too
  std::string block;                    // "", "target" or RxC
  /// --min-sqnr with --prune=FRACTION: each layer's sparsity (up to the
  /// fraction) chosen by a sweep on the calibration samples
  /// (compiler/prune/Sensitivity.h); 0: off.
  double minSqnrDb = 0.0;
  std::string calibrationPath;
  bool zeroes() const { return pattern != "unstructured" || sparsity > 0.0; }
  bool enabled() const { return channels > 0.0 || zeroes(); }
};

/// Parses --prune's value (a fraction in (0, 1), or N:M with 1 <= N < M
/// <= 64) into `prune`; returns what is wrong, empty when it is valid.
std::string parsePruneSpec(const std::string &text, PruneOptions &prune);

/// Parses --prune-channels' value (a fraction in (0, 1)) into `prune`;
/// returns what is wrong, empty when it is valid.
std::string parsePruneChannels(const std::string &text, PruneOptions &prune);

/// Parses --prune-block's value (target, or RxC with 1 to 256 each) into
/// `prune`, which must hold a fraction (blocks and N:M exclude each other);
/// returns what is wrong, empty when it is valid.
std::string parsePruneBlock(const std::string &text, PruneOptions &prune);

/// Adds edge-prune with `prune`'s settings (the single-weight pruning of
/// --prune).
void addZeroPruning(mlir::OpPassManager &pm, const PruneOptions &prune);

struct PipelineOptions {
  int optLevel = 2; // 0..3; kernels are vectorized from 2 up
  int64_t arenaAlignment = 64;
  bool remarks = false; // report each kernel left scalar, and why
  /// Workers the large kernels are split for (edge-cpu-outline-parallel);
  /// 1 gives serial code that never calls the runtime.
  int64_t threads = 1;
  MemoryMode memory = MemoryMode::Default;
  /// Calls edgert_kernel_mark before each kernel (--instrument-kernels).
  bool instrumentKernels = false;
  /// npu-partition's placement: "cost" or "all" (the module's npu.config
  /// says whether there is an NPU at all).
  std::string npuPlacement = "cost";
  PruneOptions prune;
  /// The weight sparsity from which 1x1 convolutions and matrix products
  /// use sparse kernels (edge-cpu-sparse-kernels); above 1: never.
  double sparseMinSparsity = -1; // negative: per layer by its shape
};

/// Adds the passes that take a module from the phase before `phase` to
/// `phase` (Import has none: it is the importer itself).
void buildPhasePipeline(mlir::OpPassManager &pm, Phase phase,
                        const PipelineOptions &options);

/// Registers every edgec pass and the `edgec-*` pipelines with MLIR's
/// registry (for edgec-opt and textual pipelines).
void registerEdgecPassesAndPipelines();

} // namespace edgec

#endif
