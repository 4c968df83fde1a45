//===- Report.h - what edgec reports about a compilation --------*- C++ -*-===//
//
// `--report=FILE.json` writes it, `-v` prints it as tables. One section per
// concern; today the quantization section (docs/quantization.md, "The
// report"). Later sections (memory, per-layer cost) and other renderings
// (HTML) extend the same structure.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_REPORT_REPORT_H
#define EDGEC_COMPILER_REPORT_REPORT_H

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgec {

/// A per-tensor quantization: scale, zero point and storage bits.
struct QuantParams {
  double scale = 0;
  int64_t zeroPoint = 0;
  unsigned bits = 8;
};

struct QuantizedLayer {
  std::string node;      // the ONNX node (Conv, Gemm, MatMul)
  std::string op;        // conv, gemm, matmul
  std::string precision; // int8, int16, float
  std::string reason;    // why float or int16: "--keep-float", "mixed", ...
  std::optional<QuantParams> input, output;
  std::vector<double> weightScales; // per output channel
  /// SQNR of the layer's output against the float model (the error of
  /// every layer up to it); nullopt: not measured, +inf: exact.
  std::optional<double> sqnrDb;
  /// `mixed`: the output SQNR when only this layer is quantized (int8).
  std::optional<double> sensitivityDb;
};

/// One step of `mixed`'s search: a layer moved to another precision.
struct MixedStep {
  std::string node;
  std::string precision;
  double outputSqnrDb = 0;
};

struct QuantizationSection {
  std::string mode;        // int8, int16x8, mixed
  std::string method;      // minmax, percentile, entropy
  std::string calibration; // the --calibration path
  size_t samples = 0;
  std::optional<double> minSqnrDb;    // mixed's target
  std::optional<double> outputSqnrDb; // over all outputs and samples
  uint64_t weightBytesFloat = 0, weightBytesQuantized = 0;
  std::vector<QuantizedLayer> layers;
  std::optional<double> allInt8SqnrDb; // mixed: before any move
  std::vector<MixedStep> mixedSteps;
};

struct Report {
  std::string model;  // the input file
  std::string target; // the triple
  std::optional<QuantizationSection> quantization;
};

llvm::json::Value toJSON(const Report &report);

/// Writes the JSON form.
void writeReportJSON(const Report &report, llvm::raw_ostream &os);

/// The readable form (`-v`).
void printReport(const Report &report, llvm::raw_ostream &os);

/// 10 log10(sum ref^2 / sum (ref - got)^2); +inf when equal.
double sqnrDb(double signal, double noise);

} // namespace edgec

#endif
