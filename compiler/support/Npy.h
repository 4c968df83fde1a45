//===- Npy.h - .npy and .npz readers ----------------------------*- C++ -*-===//
//
// Reads numpy's .npy format (versions 1-3, little-endian, C order) and .npz
// archives (a zip of .npy files: stored, as np.savez writes them, or
// deflated, as np.savez_compressed does): calibration data and the values
// of --input-value.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_SUPPORT_NPY_H
#define EDGEC_COMPILER_SUPPORT_NPY_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edgec {

struct NpyArray {
  int32_t dtype = 0;     // ONNX TensorProto.DataType (= edgert_dtype_t)
  std::string dtypeName; // numpy's name: float32, int64, ...
  std::vector<int64_t> shape;
  std::vector<char> data; // C order, little-endian
};

/// Parses a .npy image. Returns "" or what is wrong with it.
std::string parseNpy(llvm::StringRef bytes, NpyArray &out);

/// Reads a .npy file. Returns "" or an error message (without the path).
std::string readNpyFile(llvm::StringRef path, NpyArray &out);

/// Reads every `<name>.npy` member of an .npz file, in archive order.
/// Returns "" or an error message (without the path).
std::string readNpzFile(llvm::StringRef path,
                        std::vector<std::pair<std::string, NpyArray>> &out);

/// "1x3x224x224" ("scalar" for rank 0).
std::string shapeString(const std::vector<int64_t> &shape);

/// numpy's name of an ONNX element type ("float32", ...).
const char *dtypeName(int32_t dtype);

} // namespace edgec

#endif
