//===- CalibratorTest.cpp - calibration methods and per-tensor types ------===//
#include "compiler/quantize/Calibrator.h"
#include "compiler/report/Report.h"
#include "passes/quant/QuantPlan.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace edgec;

namespace {

TEST(Calibrator, MinMaxOverSamples) {
  Calibrator c(CalibrationMethod::MinMax, 1);
  std::vector<float> a{0.5f, -1.0f, 2.0f}, b{3.0f, NAN, 0.0f};
  c.observeRange(0, a.data(), a.size());
  c.observeRange(0, b.data(), b.size());
  EXPECT_EQ(c.range(0), std::make_pair(-1.0, 3.0));
}

TEST(Calibrator, PercentileCutsTheTails) {
  // 100000 values uniform in [0, 1) plus one outlier at 100: 99.99 % keeps
  // everything but the outlier and a few of the smallest values.
  std::vector<float> v;
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int i = 0; i < 100000; ++i)
    v.push_back(u(gen));
  v.push_back(100.0f);
  Calibrator c(CalibrationMethod::Percentile, 1);
  c.observeRange(0, v.data(), v.size());
  c.startHistograms();
  c.observeHistogram(0, v.data(), v.size());
  auto [lo, hi] = c.range(0);
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(lo, 0.1);
  EXPECT_GT(hi, 0.9);
  EXPECT_LE(hi, 1.1); // one 100/2048 bin past the uniform part
}

TEST(Calibrator, EntropyClipsASparseTailNotASaturation) {
  // Most of the mass in the first quarter, a thin tail to the end: clipped.
  std::vector<uint64_t> tail(2048, 0);
  for (int i = 0; i < 512; ++i)
    tail[i] = 1000;
  for (int i = 512; i < 2048; i += 64)
    tail[i] = 1;
  double t = entropyThreshold(tail, 1.0, 256);
  EXPECT_LT(t, 1024.0);
  EXPECT_GE(t, 256.0);
  // A saturated activation (a ReLU6's mass at 6): no clipping.
  std::vector<uint64_t> saturated(2048, 10);
  saturated[2047] = 100000;
  EXPECT_EQ(entropyThreshold(saturated, 1.0, 256), 2048.0);
  // Fewer bins than levels: the whole range.
  EXPECT_EQ(entropyThreshold(std::vector<uint64_t>(100, 1), 0.5, 128), 50.0);
}

TEST(Calibrator, EntropyIgnoresExactZeros) {
  // A ReLU output: half exact zeros, the rest uniform in (0, 1].
  std::vector<float> v;
  for (int i = 0; i < 20000; ++i)
    v.push_back(i % 2 ? float(i) / 20000.0f : 0.0f);
  Calibrator c(CalibrationMethod::Entropy, 1);
  c.observeRange(0, v.data(), v.size());
  c.startHistograms();
  c.observeHistogram(0, v.data(), v.size());
  auto [lo, hi] = c.range(0);
  EXPECT_EQ(lo, 0.0);
  EXPECT_GT(hi, 0.9); // a uniform distribution has no tail to clip
}

TEST(QuantTypes, RangesToScaleAndZeroPoint) {
  mlir::MLIRContext ctx;
  ctx.getOrLoadDialect<mlir::quant::QuantDialect>();
  // int8 asymmetric, the range widened to hold 0.
  auto t = ptq::rangeType(&ctx, 0.5, 2.0, 8);
  EXPECT_FLOAT_EQ(float(t.getScale()), 2.0f / 255.0f);
  EXPECT_EQ(t.getZeroPoint(), -128);
  t = ptq::rangeType(&ctx, -1.0, 3.0, 8);
  EXPECT_FLOAT_EQ(float(t.getScale()), 4.0f / 255.0f);
  EXPECT_EQ(t.getZeroPoint(), -64); // round(-128 + 63.75)
  // int16 symmetric.
  t = ptq::rangeType(&ctx, -3.0, 1.0, 16);
  EXPECT_FLOAT_EQ(float(t.getScale()), 3.0f / 32767.0f);
  EXPECT_EQ(t.getZeroPoint(), 0);
  EXPECT_EQ(t.getStorageTypeIntegralWidth(), 16u);
  // An all-zero tensor still gets a valid (positive) scale.
  EXPECT_GT(ptq::rangeType(&ctx, 0.0, 0.0, 8).getScale(), 0.0);
}

TEST(QuantTypes, QuantizeRoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(ptq::quantizeValue(2.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(ptq::quantizeValue(3.5f, 1.0f, 0, -128, 127), 4);
  EXPECT_EQ(ptq::quantizeValue(-2.5f, 1.0f, 1, -128, 127), -1);
  EXPECT_EQ(ptq::quantizeValue(1000.0f, 1.0f, 0, -127, 127), 127);
  EXPECT_EQ(ptq::quantizeValue(-1e30f, 1e-30f, 0, INT32_MIN, INT32_MAX),
            INT32_MIN);
}

TEST(Report, Sqnr) {
  EXPECT_DOUBLE_EQ(sqnrDb(100.0, 1.0), 20.0);
  EXPECT_TRUE(std::isinf(sqnrDb(1.0, 0.0)));
}

} // namespace
