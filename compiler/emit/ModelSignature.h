//===- ModelSignature.h - the model's inputs and outputs --------*- C++ -*-===//
#ifndef EDGEC_COMPILER_EMIT_MODELSIGNATURE_H
#define EDGEC_COMPILER_EMIT_MODELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

struct TensorSignature {
  std::string name;           // ONNX graph input/output name
  int32_t dtype = 0;          // ONNX TensorProto.DataType code (= edgert_dtype_t)
  std::vector<int64_t> shape;
  uint64_t sizeBytes = 0;
};

/// What the generated descriptor and header describe.
struct ModelSignature {
  std::string name; // the C prefix (--name)
  std::string source;
  std::vector<TensorSignature> inputs, outputs;
  uint64_t arenaSize = 0;
  /// The most arena bytes live at one point of the run (the least any
  /// placement needs); arenaSize is at least this.
  uint64_t arenaLivePeak = 0;
  uint32_t arenaAlignment = 64;
  /// Workers the kernels were split for (--threads); above 1 the code calls
  /// edgert_parallel_for.
  uint32_t threads = 1;
  /// Where the constant weights go (read-only), and the section of the
  /// `<name>_arena` buffer the object defines (empty: none, the caller
  /// provides the arena).
  std::string weightsSection = ".edgec.weights";
  std::string arenaSection;
  uint64_t weightsSize = 0; // bytes in weightsSection, set by the emitter
  uint64_t stackSize = 0;   // bound of the run's stack use, set by codegen
};

/// The model's interface on the module, recorded at import and kept through
/// every phase: `edge.inputs` and `edge.outputs`, arrays of
/// `{name = "<ONNX name>", type = tensor<...>}`.
constexpr const char *kInputsAttrName = "edge.inputs";
constexpr const char *kOutputsAttrName = "edge.outputs";

/// Records the imported function's inputs and outputs (types, and names from
/// its `edge.name` attributes) on the module. Fails (with a diagnostic) for
/// element types the runtime cannot describe.
mlir::LogicalResult recordSignature(mlir::ModuleOp module,
                                    mlir::func::FuncOp func);

/// Reads the interface recorded on the module into `signature`.
mlir::LogicalResult readSignature(mlir::ModuleOp module,
                                  ModelSignature &signature);

/// The C header declaring the model's descriptor and typed run function.
std::string generateHeader(const ModelSignature &signature);

} // namespace edgec

#endif
