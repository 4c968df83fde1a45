//===- Calibrator.h - observed tensor statistics and ranges -----*- C++ -*-===//
#ifndef EDGEC_COMPILER_QUANTIZE_CALIBRATOR_H
#define EDGEC_COMPILER_QUANTIZE_CALIBRATOR_H

#include "compiler/quantize/QuantizeOptions.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace edgec {

/// Collects, for each observed tensor, its minimum and maximum over every
/// calibration sample (first pass) and, for the percentile and entropy
/// methods, a histogram over that range (second pass), then gives the range
/// each method chooses.
class Calibrator {
public:
  Calibrator(CalibrationMethod method, size_t numTensors, int bins = 2048,
             double percentile = 99.99);

  /// Whether the method needs the second pass (histograms).
  bool needsHistograms() const { return method != CalibrationMethod::MinMax; }

  void observeRange(size_t tensor, const float *data, uint64_t count);
  /// Call once between the two passes.
  void startHistograms();
  void observeHistogram(size_t tensor, const float *data, uint64_t count);

  /// The range the method chooses for `tensor`; {0, 0} if never observed.
  std::pair<double, double> range(size_t tensor) const;

  double min(size_t tensor) const { return stats[tensor].min; }
  double max(size_t tensor) const { return stats[tensor].max; }

private:
  struct Stats {
    double min = 0, max = 0;
    bool seen = false;
    double histLo = 0, histHi = 0; // the histogram's domain
    std::vector<uint64_t> hist;
  };
  std::pair<double, double> percentileRange(const Stats &s) const;
  std::pair<double, double> entropyRange(const Stats &s) const;

  CalibrationMethod method;
  int bins;
  double percentile;
  std::vector<Stats> stats;
};

/// The threshold on |x| minimizing the KL divergence between the
/// histogram `hist` of |x| (bins of `width` from 0) and its quantization
/// to `levels` levels (TensorRT's entropy calibration).
double entropyThreshold(const std::vector<uint64_t> &hist, double width,
                        int levels);

} // namespace edgec

#endif
