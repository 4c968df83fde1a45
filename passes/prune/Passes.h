//===- Passes.h - pruning passes on the edge dialect ------------*- C++ -*-===//
#ifndef EDGEC_PASSES_PRUNE_PASSES_H
#define EDGEC_PASSES_PRUNE_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <string>
#include <utility>
#include <vector>

namespace edgec {
#define GEN_PASS_DECL
#include "passes/prune/Passes.h.inc"

namespace prune {
/// `edge.pruning`: the module attribute edge-prune records (an array of
/// dictionaries: layer, op, weights, zeros_before, zeros_after, and
/// reason for a layer left dense).
constexpr const char *kPruningAttr = "edge.pruning";
/// `edge.channel_pruning`: what edge-prune-channels did (an array of
/// dictionaries: layer, op, channels, kept, and reason for a layer whose
/// channels all stay).
constexpr const char *kChannelPruningAttr = "edge.channel_pruning";

/// The block shape edge-prune's `block` means in `module`: "" none (rows
/// = cols = 0), RxC, or `target`: the NPU's N x N tile with an npu.config,
/// else the CPU's f32 vector of output channels by 1. What is wrong, or "".
std::string blockShape(mlir::ModuleOp module, llvm::StringRef block,
                       int64_t &rows, int64_t &cols);

/// A layer's own sparsity (f64, on the Conv/Gemm/MatMul), which edge-prune
/// uses instead of its `sparsity` (scope layer): what the --min-sqnr sweep
/// chose (compiler/prune), with the output SQNR it measured for the layer
/// alone, which the report keeps.
constexpr const char *kLayerSparsityAttr = "edge.prune_sparsity";
constexpr const char *kLayerSqnrAttr = "edge.prune_sqnr_db";

/// The layers edge-prune considers (Conv, Gemm, MatMul with an f32
/// constant weight), in program order, each with why it stays dense ("":
/// it is pruned). `nmM` is M of an N:M pattern (0: none); `blocks` says
/// whether block pruning is asked.
std::vector<std::pair<mlir::Operation *, std::string>>
pruneCandidates(mlir::ModuleOp module, llvm::ArrayRef<std::string> skip,
                bool denseEnds, int64_t nmM, bool blocks);

/// The operand of a candidate layer that holds its weight: a Conv, Gemm
/// or MatMul's (as for quantization), an embedding table's (a Gather of
/// rows of a constant matrix) its data.
unsigned weightOperand(mlir::Operation *layer);

/// Zeros `sparsity` of `w`, the weight of `layer` (of `type`): its smallest
/// magnitudes, or with a block shape its R x C blocks of the smallest mean
/// magnitude (as edge-prune does per layer).
void pruneWeights(mlir::Operation *layer, mlir::RankedTensorType type,
                  std::vector<float> &w, double sparsity, int64_t blockRows,
                  int64_t blockCols);

/// Parses an N:M pattern (1 <= N < M <= 64): what is wrong, "" when valid.
/// The one check of edge-prune's `pattern` and the driver's --prune.
std::string parseNM(llvm::StringRef text, int64_t &n, int64_t &m);

/// Parses a block shape RxC (1 to 256 each), or `target` (rows = cols = 0):
/// what is wrong, "" when valid.
std::string parseBlock(llvm::StringRef text, int64_t &rows, int64_t &cols);
} // namespace prune

#define GEN_PASS_REGISTRATION
#include "passes/prune/Passes.h.inc"
} // namespace edgec

#endif
