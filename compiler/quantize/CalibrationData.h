//===- CalibrationData.h - the samples calibration runs on ------*- C++ -*-===//
#ifndef EDGEC_COMPILER_QUANTIZE_CALIBRATIONDATA_H
#define EDGEC_COMPILER_QUANTIZE_CALIBRATIONDATA_H

#include "compiler/emit/ModelSignature.h"

#include <string>
#include <vector>

namespace edgec {

/// Calibration samples: for each sample, the bytes of each model input.
struct CalibrationSet {
  std::vector<std::string> names; // where each sample came from
  std::vector<std::vector<std::vector<char>>> samples; // [sample][input]
};

/// Loads `--calibration=PATH` for a model with `inputs`:
///   - a folder holding one subfolder per sample, each with input_<i>.npy
///     for every model input (what the runner takes);
///   - a folder of .npy files, one per sample, for a one-input model;
///   - an .npz file whose arrays are named after the inputs, each with a
///     leading sample axis.
/// Samples are taken in name order. Every array must have the input's
/// element type and shape. Returns "" or the error message, which names
/// the offending file.
std::string loadCalibrationSet(const std::string &path,
                               const std::vector<TensorSignature> &inputs,
                               CalibrationSet &out);

} // namespace edgec

#endif
