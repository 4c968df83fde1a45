//===- Calibrator.cpp - observed tensor statistics and ranges -------------===//
//
// minmax      the smallest and largest value seen.
// percentile  a histogram of x over [min, max]; (100 - p) / 2 percent of
//             the values are cut off each side (as ONNX Runtime's
//             percentile calibrator does for asymmetric ranges).
// entropy     a histogram of |x| over [0, max |x|]; the threshold t whose
//             clipped-and-quantized distribution is closest to the observed
//             one (clipped values folded into the last bin) in KL divergence
//             (TensorRT's method, empty bins smoothed, exact zeros left
//             out), the range
//             [max(min, -t), min(max, t)]. Tensors with negative values are
//             compared at 128 levels (half the int8 grid), others at 256.
//
//===----------------------------------------------------------------------===//
#include "compiler/quantize/Calibrator.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgec {

Calibrator::Calibrator(CalibrationMethod method, size_t numTensors, int bins,
                       double percentile)
    : method(method), bins(bins), percentile(percentile), stats(numTensors) {}

void Calibrator::observeRange(size_t tensor, const float *data,
                              uint64_t count) {
  Stats &s = stats[tensor];
  for (uint64_t i = 0; i < count; ++i) {
    double v = data[i];
    if (!std::isfinite(v))
      continue;
    if (!s.seen) {
      s.min = s.max = v;
      s.seen = true;
    }
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
}

void Calibrator::startHistograms() {
  for (Stats &s : stats) {
    s.hist.assign(bins, 0);
    if (method == CalibrationMethod::Entropy) {
      s.histLo = 0;
      s.histHi = std::max(std::abs(s.min), std::abs(s.max));
    } else {
      s.histLo = s.min;
      s.histHi = s.max;
    }
  }
}

void Calibrator::observeHistogram(size_t tensor, const float *data,
                                  uint64_t count) {
  Stats &s = stats[tensor];
  double width = s.histHi - s.histLo;
  double perUnit = width > 0 ? bins / width : 0;
  bool absolute = method == CalibrationMethod::Entropy;
  for (uint64_t i = 0; i < count; ++i) {
    double v = data[i];
    if (!std::isfinite(v))
      continue;
    if (absolute) {
      // Exact zeros (most of a ReLU's output) are always representable:
      // left out, they would make every merged first bin look lossy.
      if (v == 0)
        continue;
      v = std::abs(v);
    }
    int64_t b = int64_t((v - s.histLo) * perUnit);
    s.hist[std::clamp<int64_t>(b, 0, bins - 1)]++;
  }
}

std::pair<double, double> Calibrator::percentileRange(const Stats &s) const {
  uint64_t total = 0;
  for (uint64_t c : s.hist)
    total += c;
  if (total == 0 || s.histHi <= s.histLo)
    return {s.min, s.max};
  double cut = (100.0 - percentile) / 200.0 * double(total);
  double width = (s.histHi - s.histLo) / bins;
  double lo = s.histLo, hi = s.histHi;
  uint64_t acc = 0;
  for (int b = 0; b < bins; ++b) {
    acc += s.hist[b];
    if (double(acc) > cut) {
      lo = s.histLo + b * width;
      break;
    }
  }
  acc = 0;
  for (int b = bins - 1; b >= 0; --b) {
    acc += s.hist[b];
    if (double(acc) > cut) {
      hi = s.histLo + (b + 1) * width;
      break;
    }
  }
  return {std::max(lo, s.min), std::min(hi, s.max)};
}

/// Normalizes `d` to a probability distribution and gives every empty bin
/// a little mass (taken from the others), so that KL(P||Q) stays finite.
/// False if `d` is all zeros.
static bool smooth(std::vector<double> &d, int n) {
  double total = 0;
  int zeros = 0;
  for (int k = 0; k < n; ++k) {
    total += d[k];
    zeros += d[k] == 0;
  }
  if (total <= 0)
    return false;
  const double eps = 1e-4;
  double take = zeros ? eps * zeros / (n - zeros) : 0;
  for (int k = 0; k < n; ++k)
    d[k] = d[k] == 0 ? eps : std::max(d[k] / total - take, eps);
  return true;
}

double entropyThreshold(const std::vector<uint64_t> &hist, double width,
                        int levels) {
  int n = int(hist.size());
  if (n <= levels)
    return n * width;
  std::vector<double> suffix(n + 1, 0.0); // mass of bins >= i
  for (int i = n - 1; i >= 0; --i)
    suffix[i] = suffix[i + 1] + double(hist[i]);
  double bestKl = std::numeric_limits<double>::infinity();
  int best = n;
  std::vector<double> p(n), q(n);
  for (int i = levels; i <= n; ++i) {
    // P: the first i bins, the mass beyond folded into the last one.
    for (int k = 0; k < i; ++k)
      p[k] = double(hist[k]);
    p[i - 1] += suffix[i];
    // Q: the first i bins (without the folded mass) merged into `levels`
    // chunks, each chunk's mass spread evenly over its non-empty bins.
    for (int j = 0; j < levels; ++j) {
      int begin = int(int64_t(j) * i / levels);
      int end = int(int64_t(j + 1) * i / levels);
      double mass = 0;
      int nonzero = 0;
      for (int k = begin; k < end; ++k)
        if (hist[k] > 0) {
          mass += double(hist[k]);
          ++nonzero;
        }
      for (int k = begin; k < end; ++k)
        q[k] = hist[k] > 0 ? mass / nonzero : 0;
    }
    if (!smooth(p, i) || !smooth(q, i))
      continue;
    double kl = 0;
    for (int k = 0; k < i; ++k)
      kl += p[k] * std::log(p[k] / q[k]);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * width;
}

std::pair<double, double> Calibrator::entropyRange(const Stats &s) const {
  if (s.histHi <= 0)
    return {s.min, s.max};
  int levels = s.min < 0 ? 128 : 256;
  double t = entropyThreshold(s.hist, s.histHi / bins, levels);
  return {std::max(s.min, -t), std::min(s.max, t)};
}

std::pair<double, double> Calibrator::range(size_t tensor) const {
  const Stats &s = stats[tensor];
  if (!s.seen)
    return {0, 0};
  switch (method) {
  case CalibrationMethod::MinMax:
    return {s.min, s.max};
  case CalibrationMethod::Percentile:
    return percentileRange(s);
  case CalibrationMethod::Entropy:
    return entropyRange(s);
  }
  return {s.min, s.max};
}

} // namespace edgec
