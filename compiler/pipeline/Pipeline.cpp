//===- Pipeline.cpp - the phases of edgec and their pass pipelines --------===//
#include "compiler/pipeline/Pipeline.h"

#include "passes/conversion/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/prune/Passes.h"
#include "passes/quant/Passes.h"
#include "targets/cpu/Passes.h"
#include "targets/npu/NpuStream.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace edgec {

static const std::pair<Phase, const char *> kPhases[] = {
    {Phase::Import, "import"},         {Phase::Graph, "graph"},
    {Phase::Linalg, "linalg"},         {Phase::Kernels, "kernels"},
    {Phase::Bufferized, "bufferized"}, {Phase::LLVM, "llvm"}};

std::optional<Phase> parsePhase(const std::string &name) {
  for (auto &[p, n] : kPhases)
    if (name == n)
      return p;
  return std::nullopt;
}

const char *phaseName(Phase phase) {
  for (auto &[p, n] : kPhases)
    if (p == phase)
      return n;
  return "?";
}

std::string phaseList() {
  std::string s;
  for (auto &[p, n] : kPhases)
    s += std::string(s.empty() ? "" : ", ") + n;
  return s;
}

std::string parsePruneSpec(const std::string &text, PruneOptions &prune) {
  if (text.find(':') != std::string::npos) {
    int64_t n = 0, m = 0;
    std::string error = prune::parseNM(text, n, m);
    if (error.empty())
      prune.pattern = text;
    return error;
  }
  double v = 0;
  if (StringRef(text).getAsDouble(v) || !(v > 0.0 && v < 1.0))
    return "not a fraction in (0, 1) or an N:M pattern";
  prune.sparsity = v;
  return "";
}

std::string parsePruneChannels(const std::string &text, PruneOptions &prune) {
  double v = 0;
  if (StringRef(text).getAsDouble(v) || !(v > 0.0 && v < 1.0))
    return "not a fraction in (0, 1)";
  prune.channels = v;
  return "";
}

std::string parsePruneBlock(const std::string &text, PruneOptions &prune) {
  if (prune.pattern != "unstructured")
    return "blocks and an N:M pattern exclude each other";
  int64_t rows = 0, cols = 0;
  std::string error = prune::parseBlock(text, rows, cols);
  if (error.empty())
    prune.block = text;
  return error;
}

void addZeroPruning(OpPassManager &pm, const PruneOptions &o) {
  EdgePruneOptions prune;
  prune.sparsity = o.sparsity;
  prune.pattern = o.pattern;
  prune.scope = o.scope;
  prune.skip.assign(o.skip.begin(), o.skip.end());
  prune.denseEnds = o.denseEnds;
  prune.block = o.block;
  pm.addPass(createEdgePrune(prune));
}

void buildPhasePipeline(OpPassManager &pm, Phase phase,
                        const PipelineOptions &o) {
  switch (phase) {
  case Phase::Import:
    return;
  case Phase::Graph: {
    pm.addPass(createCanonicalizerPass());
    OpPassManager &fn = pm.nest<func::FuncOp>();
    fn.addPass(createEdgeFoldBatchNorm());
    fn.addPass(createEdgeFuseBias());
    pm.addPass(createCanonicalizerPass());
    // Pruning (--prune-channels, then --prune) on the weights as the graph
    // leaves them (batch normalization folded in), before quantization
    // calibrates them: whole channels first, then single weights of the
    // smaller layers.
    if (o.prune.channels > 0.0) {
      EdgePruneChannelsOptions channels;
      channels.fraction = o.prune.channels;
      channels.skip.assign(o.prune.skip.begin(), o.prune.skip.end());
      channels.denseEnds = o.prune.denseEnds;
      pm.addPass(createEdgePruneChannels(channels));
    }
    // With a --min-sqnr sweep, the driver zeroes after the graph phase.
    if (o.prune.zeroes() && o.prune.minSqnrDb <= 0.0)
      addZeroPruning(pm, o.prune);
    pm.addPass(createCSEPass());
    pm.addPass(createSymbolDCEPass());
    return;
  }
  case Phase::Linalg:
    // QDQ chains into integer Conv/Gemm/MatMul: those of a QDQ model and
    // those post-training quantization inserted after the graph phase.
    pm.nest<func::FuncOp>().addPass(createEdgeQuantFold());
    pm.addPass(createCanonicalizerPass());
    // With an NPU (npu.config): the quantized layers it runs, where it pays,
    // as npu.stream + npu.invoke (targets/npu).
    pm.addPass(npu::createNpuPartitionPass(o.npuPlacement));
    if (o.memory == MemoryMode::Min) {
      EdgePatchExecutionOptions patch;
      patch.remarks = o.remarks;
      pm.nest<func::FuncOp>().addPass(createEdgePatchExecution(patch));
    }
    pm.addPass(createConvertEdgeToLinalg());
    pm.addPass(createCanonicalizerPass());
    if (o.optLevel >= 2) {
      // Layers with sparse enough constant weights: kernels over their
      // nonzeros, channels-first, before the layout fusion cancels the
      // transposes around them.
      EdgeCpuSparseKernelsOptions sparse;
      sparse.minSparsity = o.sparseMinSparsity;
      pm.nest<func::FuncOp>().addPass(createEdgeCpuSparseKernels(sparse));
    }
    pm.nest<func::FuncOp>().addPass(createEdgeCpuFuseElementwise());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (o.optLevel >= 2) {
      // 3x3 convolutions with fewer multiplications, from ops the kernels
      // below know.
      pm.nest<func::FuncOp>().addPass(createEdgeCpuWinograd());
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
      // The strategy: each kernel's configuration, visible in this phase's
      // output and applied by the kernels phase.
      EdgeCpuSelectLoweringOptions select;
      select.remarks = o.remarks;
      pm.nest<func::FuncOp>().addPass(createEdgeCpuSelectLowering(select));
    }
    return;
  case Phase::Kernels:
    if (o.optLevel >= 2) {
      pm.nest<func::FuncOp>().addPass(createEdgeCpuVectorizeKernels());
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
    }
    // The kernels as the report and the kernel marks number them.
    pm.addPass(createEdgeCpuNumberKernels());
    return;
  case Phase::Bufferized: {
    // Function arguments are the caller's inputs: bufferization never
    // writes them. Results become out-parameters written in place when
    // possible; every other buffer is placed in the arena.
    pm.nest<func::FuncOp>().addPass(createEdgeCpuUnsharePadding());
    pm.addPass(createEdgeCpuReadonlyInputs());
    pm.addPass(bufferization::createEmptyTensorEliminationPass());
    // NPU layers: buffers and a call; each stream becomes constant words.
    pm.addPass(npu::createNpuBufferizeInvokesPass());
    bufferization::OneShotBufferizePassOptions bufferize;
    bufferize.bufferizeFunctionBoundaries = true;
    bufferize.functionBoundaryTypeConversion =
        bufferization::LayoutMapOption::IdentityLayoutMap;
    pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
    pm.addPass(createCanonicalizerPass());
    EdgePlanMemoryOptions plan;
    plan.alignment = o.arenaAlignment;
    pm.addPass(createEdgePlanMemory(plan));
    return;
  }
  case Phase::LLVM: {
    pm.addPass(createEdgeCpuFinalizeEntry());
    pm.addPass(npu::createNpuLowerCallsPass());
    if (o.instrumentKernels)
      pm.addPass(createEdgeCpuInstrumentKernels());
    {
      // With one thread too: the kernels become functions of their own.
      EdgeCpuOutlineParallelOptions parallel;
      parallel.threads = o.threads;
      pm.addPass(createEdgeCpuOutlineParallel(parallel));
    }
    {
      OpPassManager &fn = pm.nest<func::FuncOp>();
      fn.addPass(createEdgeCpuScalarizeTransfers());
      fn.addPass(createCanonicalizerPass());
      fn.addPass(createEdgeCpuExpandCopies());
      fn.addPass(createConvertLinalgToLoopsPass());
      VectorTransferToSCFOptions toScf;
      toScf.unroll = true;
      fn.addPass(createConvertVectorToSCFPass(toScf));
    }
    pm.addPass(createLowerAffinePass());
    pm.addPass(createSCFToControlFlowPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(memref::createExpandStridedMetadataPass());
    pm.addPass(createLowerAffinePass());
    // Math functions of float16/bfloat16 values run in f32 and round once
    // (as numpy computes them); then they are expanded.
    pm.nest<func::FuncOp>().addPass(math::createMathExtendToSupportedTypes());
    // bfloat16 arithmetic in f32, rounded after each op, as LLVM's type
    // legalization would do it, but with the conversions in reach of
    // edge-cpu-expand-math (no libgcc helper).
    {
      arith::ArithEmulateUnsupportedFloatsOptions bf16;
      bf16.sourceTypeStrs = {"bf16"};
      bf16.targetTypeStr = "f32";
      pm.nest<func::FuncOp>().addPass(
          arith::createArithEmulateUnsupportedFloats(bf16));
    }
    pm.nest<func::FuncOp>().addPass(createEdgeCpuExpandMath());
    pm.addPass(createEdgeCpuConvertToLLVM());
    pm.addPass(createReconcileUnrealizedCastsPass());
    pm.addPass(createCanonicalizerPass());
    return;
  }
  }
}

void registerEdgecPassesAndPipelines() {
  static bool done = [] {
    registerAllPasses();
    edgec::registerConversionPasses();
    edgec::registerGraphPasses();
    edgec::registerQuantPasses();
    edgec::registerPrunePasses();
    edgec::registerCpuPasses();
    npu::registerNpuPasses();
    for (auto &[phase, name] : kPhases) {
      if (phase == Phase::Import)
        continue;
      Phase p = phase;
      PassPipelineRegistration<>(
          std::string("edgec-") + name,
          std::string("edgec's '") + name +
              "' phase (-O2; the target is the module's #edge.target)",
          [p](OpPassManager &pm) { buildPhasePipeline(pm, p, {}); });
    }
    return true;
  }();
  (void)done;
}

} // namespace edgec
