//===- QuantizeOptions.h - post-training quantization options ---*- C++ -*-===//
#ifndef EDGEC_COMPILER_QUANTIZE_QUANTIZEOPTIONS_H
#define EDGEC_COMPILER_QUANTIZE_QUANTIZEOPTIONS_H

#include <optional>
#include <string>
#include <vector>

namespace edgec {

enum class QuantizeMode {
  None,
  Int8,    // int8 activations (asymmetric), int8 weights (per channel)
  Int16x8, // int16 activations (symmetric), int8 weights
  Mixed,   // int8, with the most sensitive layers in int16 or float
};

enum class CalibrationMethod { MinMax, Percentile, Entropy };

std::optional<QuantizeMode> parseQuantizeMode(const std::string &name);
std::optional<CalibrationMethod>
parseCalibrationMethod(const std::string &name);
const char *quantizeModeName(QuantizeMode mode);
const char *calibrationMethodName(CalibrationMethod method);

/// `--quantize`, `--calibration`, `--calibration-method`, `--keep-float`,
/// `--min-sqnr` (docs/quantization.md).
struct QuantizeOptions {
  QuantizeMode mode = QuantizeMode::None;
  std::string calibrationPath;
  CalibrationMethod method = CalibrationMethod::MinMax;
  std::vector<std::string> keepFloat; // ONNX node names
  double minSqnrDb = 30.0;            // the target of `mixed`
  double percentile = 99.99;          // of the percentile method
  int histogramBins = 2048;           // of percentile and entropy
};

} // namespace edgec

#endif
