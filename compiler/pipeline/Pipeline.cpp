//===- Pipeline.cpp - the phases of edgec and their pass pipelines --------===//
#include "compiler/pipeline/Pipeline.h"

#include "passes/conversion/Passes.h"
#include "passes/graph/Passes.h"
#include "targets/cpu/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace edgec {

static const std::pair<Phase, const char *> kPhases[] = {
    {Phase::Import, "import"},   {Phase::Graph, "graph"},
    {Phase::Linalg, "linalg"},   {Phase::Kernels, "kernels"},
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

/// Adds a textual pipeline; the strings below only name registered passes.
static void addPipeline(OpPassManager &pm, const std::string &text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("edgec: internal pipeline does not parse: " +
                             llvm::Twine(text));
}

void buildPhasePipeline(OpPassManager &pm, Phase phase,
                        const PipelineOptions &o) {
  switch (phase) {
  case Phase::Import:
    return;
  case Phase::Graph:
    addPipeline(pm, "canonicalize,func.func(edge-fold-batch-norm,"
                    "edge-fuse-bias),canonicalize,cse,symbol-dce");
    return;
  case Phase::Linalg:
    addPipeline(pm, "convert-edge-to-linalg,canonicalize,"
                    "func.func(edge-cpu-fuse-elementwise),canonicalize,cse");
    return;
  case Phase::Kernels:
    if (o.optLevel >= 2)
      addPipeline(pm, "func.func(edge-cpu-vectorize-kernels{vector-bits=" +
                          std::to_string(o.vectorBits) + "}),canonicalize,cse");
    return;
  case Phase::Bufferized:
    // Function arguments are the caller's inputs: bufferization never
    // writes them (they are marked read-only by the driver). Results become
    // out-parameters written in place when possible; every other buffer is
    // placed in the arena.
    addPipeline(
        pm,
        "eliminate-empty-tensors,"
        "one-shot-bufferize{bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map},"
        "canonicalize,cse,"
        "buffer-results-to-out-params{hoist-static-allocs "
        "modify-public-functions},canonicalize,"
        "edge-plan-memory{alignment=" + std::to_string(o.arenaAlignment) + "}");
    return;
  case Phase::LLVM:
    addPipeline(
        pm,
        "func.func(edge-cpu-scalarize-transfers,canonicalize,"
        "edge-cpu-expand-copies,convert-linalg-to-loops),"
        "func.func(convert-vector-to-scf{full-unroll=true}),lower-affine,"
        "convert-scf-to-cf,canonicalize,expand-strided-metadata,lower-affine,"
        "func.func(math-expand-ops{ops=tanh}),"
        "finalize-memref-to-llvm,"
        "convert-vector-to-llvm{enable-x86vector "
        "vector-contract-lowering=outerproduct},"
        "convert-arith-to-llvm,convert-math-to-llvm,convert-index-to-llvm,"
        "convert-cf-to-llvm,"
        "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
        "convert-ub-to-llvm,reconcile-unrealized-casts,canonicalize");
    return;
  }
}

void registerEdgecPassesAndPipelines() {
  static bool done = [] {
    registerAllPasses();
    edgec::registerConversionPasses();
    edgec::registerGraphPasses();
    edgec::registerCpuPasses();
    for (auto &[phase, name] : kPhases) {
      if (phase == Phase::Import)
        continue;
      Phase p = phase;
      PassPipelineRegistration<>(
          std::string("edgec-") + name,
          std::string("edgec's '") + name +
              "' phase (host defaults: -O2, 512-bit vectors)",
          [p](OpPassManager &pm) { buildPhasePipeline(pm, p, {}); });
    }
    return true;
  }();
  (void)done;
}

} // namespace edgec
