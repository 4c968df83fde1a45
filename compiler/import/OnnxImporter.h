//===- OnnxImporter.h - ONNX protobuf to the edge dialect -------*- C++ -*-===//
#ifndef EDGEC_COMPILER_IMPORT_ONNXIMPORTER_H
#define EDGEC_COMPILER_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

/// One `--input-shape=NAME=D0xD1x...` value.
struct InputShape {
  std::string name;
  std::vector<int64_t> dims; // empty: a scalar
};

/// One `--input-value=NAME=FILE.npy` value.
struct InputValue {
  std::string name;
  std::string path; // a .npy file
};

struct ImportOptions {
  /// Fixes symbolic (or checks fixed) dimensions of graph inputs.
  std::vector<InputShape> inputShapes;
  /// Graph inputs fixed to a value at compile time: they become constants
  /// and leave the compiled model's inputs (an input that decides a shape,
  /// such as Reshape's target or a reduction's axes, then folds).
  std::vector<InputValue> inputValues;
};

/// Parses `NAME=FILE` (split at the first '='). Returns an error message,
/// or "" on success.
std::string parseInputValue(const std::string &text, InputValue &out);

/// Parses `NAME=D0xD1x...` (split at the last '='; an empty dimension list
/// means a scalar). Returns an error message, or "" on success.
std::string parseInputShape(const std::string &text, InputShape &out);

/// Reads an ONNX model and returns a module holding `func.func @main` in the
/// edge dialect. Shape subgraphs are folded to constants as they are imported.
/// Every failure is reported through the context's diagnostic engine, located
/// at the model file or at the ONNX node (NameLoc), and yields nullptr.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(const std::string &path,
                                                  const ImportOptions &options,
                                                  mlir::MLIRContext &context);

/// importOnnxModel on a model already in memory (`bytes`, borrowed for the
/// call): `path` names it in diagnostics and its folder holds the external
/// data files. The fuzzing target test/fuzz/FuzzImport.cpp calls this.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelFromBytes(llvm::StringRef bytes, const std::string &path,
                         const ImportOptions &options,
                         mlir::MLIRContext &context);

} // namespace edgec

#endif // EDGEC_COMPILER_IMPORT_ONNXIMPORTER_H
