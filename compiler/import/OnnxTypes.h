//===- OnnxTypes.h - ONNX element type codes and names ----------*- C++ -*-===//
//
// The ONNX TensorProto.DataType code of an MLIR element type and the name
// ONNX tools print for it, shared by the model signature (header, runner
// messages) and the importer's error messages.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_IMPORT_ONNXTYPES_H
#define EDGEC_COMPILER_IMPORT_ONNXTYPES_H

#include "mlir/IR/Types.h"

#include <cstdint>

namespace edgec {

/// The TensorProto.DataType code of `t` (1 float, 2 uint8, ...), or 0 for a
/// type ONNX has no code for here.
int32_t onnxDataType(mlir::Type t);

/// "float32", "uint8", "bool", ... for a DataType code; "unknown" otherwise.
const char *onnxDataTypeName(int32_t dtype);

/// Bytes per element of a DataType code as edgec stores it (the 4- and
/// 2-bit types one per byte), or 0 for strings, complex and unknown codes.
unsigned onnxElementBytes(int32_t dtype);

} // namespace edgec

#endif
