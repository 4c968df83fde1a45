//===- Driver.h - the edgec compiler driver library -------------*- C++ -*-===//
#ifndef EDGEC_COMPILER_DRIVER_DRIVER_H
#define EDGEC_COMPILER_DRIVER_DRIVER_H

#include "compiler/import/OnnxImporter.h"
#include "compiler/pipeline/Pipeline.h"
#include "compiler/quantize/QuantizeOptions.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace edgec {

enum class EmitKind {
  Object,
  Shared,
  Executable,
  Library,
  MLIR,
  LLVMIR,
  Assembly
};

std::optional<EmitKind> parseEmitKind(const std::string &name);

/// Everything one `edgec` invocation needs; the tool only fills this in.
struct CompileOptions {
  std::string inputPath;
  std::string outputPath; // empty: a default next to nothing (see docs/cli.md)
  EmitKind emit = EmitKind::Object;
  std::optional<Phase> compileTo; // stop after this phase and print MLIR
  /// The input is the .mlir printed after this phase; continue from there.
  std::optional<Phase> compileFrom;
  TargetSpec target;
  std::string name = "model"; // C prefix of the generated symbols
  std::string weightsSection = ".edgec.weights"; // section of the weights
  std::string arenaSection; // non-empty: define <name>_arena in this section
  ImportOptions import;
  /// Post-training quantization at the end of the graph phase (--quantize).
  QuantizeOptions quantize;
  /// --report: each FILE.json or FILE.html gets the report (compiler/report).
  std::vector<std::string> reportPaths;
  /// --profile-input: the runner's --profile output, measured times for
  /// the report's kernels.
  std::string profileInputPath;
  /// --instrument-kernels: edgert_kernel_mark calls around the kernels.
  bool instrumentKernels = false;
  bool verbose = false; // phase times, and remarks as with `remarks`
  bool remarks = false; // report each kernel left scalar, and why
  /// --sparse-threshold; negative: each layer's break-even by its shape.
  double sparseMinSparsity = -1;
  int64_t threads = 1;  // --threads: workers the large kernels are split for
  MemoryMode memory = MemoryMode::Default; // --memory
  /// --npu=NAME or --npu-config=FILE: the ENPU the quantized layers may run
  /// on (empty: CPU only); --npu-placement: cost or all.
  std::string npu;
  std::string npuConfigPath;
  std::string npuPlacement = "cost";
  /// --prune and its companions: edge-prune at the end of the graph phase.
  PruneOptions prune;
  std::string argv0; // locates the runtime libraries (<bin>/../lib)
};

/// Runs the compiler; returns the process exit code (0 or 1). All errors are
/// printed as `edgec: error: ...` on stderr.
int runCompiler(const CompileOptions &options);

/// `edgec --version`: edgec's, LLVM/MLIR's and ONNX's versions.
void printVersion(llvm::raw_ostream &os);

/// Every dialect and interface edgec's pipelines use.
void registerEdgecDialects(mlir::DialectRegistry &registry);

} // namespace edgec

#endif
