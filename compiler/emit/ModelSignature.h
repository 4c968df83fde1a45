//===- ModelSignature.h - the model's inputs and outputs --------*- C++ -*-===//
#ifndef EDGEC_COMPILER_EMIT_MODELSIGNATURE_H
#define EDGEC_COMPILER_EMIT_MODELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

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
  uint32_t arenaAlignment = 64;
  /// Where the constant weights go (read-only), and the section of the
  /// `<name>_arena` buffer the object defines (empty: none, the caller
  /// provides the arena).
  std::string weightsSection = ".edgec.weights";
  std::string arenaSection;
  uint64_t weightsSize = 0; // bytes in weightsSection, set by the emitter
  uint64_t stackSize = 0;   // bound of the run's stack use, set by codegen
};

/// Reads names and types from the imported function's `edge.name` attributes.
/// Fails (with a diagnostic) for element types the runtime cannot describe.
mlir::LogicalResult readSignature(mlir::func::FuncOp func,
                                  ModelSignature &signature);

/// The C header declaring the model's descriptor and typed run function.
std::string generateHeader(const ModelSignature &signature);

} // namespace edgec

#endif
