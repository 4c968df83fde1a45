//===- Quantizer.cpp - post-training quantization of a module -------------===//
//
//   1. the calibration set is read (compiler/quantize/CalibrationData);
//   2. a clone of the float module returns every float tensor
//      (edge-quant-observe), is compiled for the host and loaded
//      (HostModel); each sample runs once for the ranges and, for the
//      percentile and entropy methods, once more for the histograms;
//   3. the ranges go on the module as `edge.calibration` attributes, each
//      layer's precision as `edge.precision`;
//   4. `mixed`: each layer alone in int8 on a clone gives its sensitivity
//      (output SQNR of the worst calibration sample); from all-int8, the
//      most sensitive layers move to int16, then to float, until every
//      sample's output SQNR reaches --min-sqnr;
//   5. edge-quant-insert rewrites the module; with measurements, a clone
//      of the result observing each layer's output is compared with the
//      float model on every sample.
//
//===----------------------------------------------------------------------===//
#include "compiler/quantize/Quantizer.h"

#include "compiler/emit/ModelSignature.h"
#include "compiler/quantize/CalibrationData.h"
#include "compiler/quantize/Calibrator.h"
#include "compiler/quantize/Emulation.h"
#include "compiler/quantize/HostModel.h"
#include "dialects/Edge/IR/EdgeOps.h"
#include "passes/quant/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;

namespace edgec {

std::optional<QuantizeMode> parseQuantizeMode(const std::string &name) {
  if (name == "int8")
    return QuantizeMode::Int8;
  if (name == "int16x8")
    return QuantizeMode::Int16x8;
  if (name == "mixed")
    return QuantizeMode::Mixed;
  return std::nullopt;
}

std::optional<CalibrationMethod>
parseCalibrationMethod(const std::string &name) {
  if (name == "minmax")
    return CalibrationMethod::MinMax;
  if (name == "percentile")
    return CalibrationMethod::Percentile;
  if (name == "entropy")
    return CalibrationMethod::Entropy;
  return std::nullopt;
}

const char *quantizeModeName(QuantizeMode mode) {
  switch (mode) {
  case QuantizeMode::None:
    return "none";
  case QuantizeMode::Int8:
    return "int8";
  case QuantizeMode::Int16x8:
    return "int16x8";
  case QuantizeMode::Mixed:
    return "mixed";
  }
  return "?";
}

const char *calibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  }
  return "?";
}

namespace {

constexpr const char *kLayerAttr = "edge.layer";

std::string nodeName(Operation *op) {
  SmallVector<StringRef> names;
  edge::nodeNames(op->getLoc(), names);
  return names.empty() ? op->getName().stripDialect().str()
                       : names.front().str();
}

/// The value a layer's output is read from: after its fused Relu/Clip and,
/// in a quantized module, after its Q/DQ pair.
Value layerOutput(Operation *layer) {
  Value v = layer->getResult(0);
  if (v.hasOneUse() && isa<edge::ReluOp, edge::ClipOp>(*v.user_begin()))
    v = v.user_begin()->getResult(0);
  for (Operation *user : v.getUsers())
    if (auto q = dyn_cast<edge::QuantizeOp>(user))
      if (q->hasOneUse())
        if (auto dq = dyn_cast<edge::DequantizeOp>(*q->user_begin()))
          return dq.getResult();
  return v;
}

uint64_t constantBytes(func::FuncOp func) {
  uint64_t bytes = 0;
  func.walk([&](arith::ConstantOp c) {
    auto t = dyn_cast<RankedTensorType>(c.getType());
    if (t && !c->use_empty() && t.hasStaticShape())
      bytes +=
          uint64_t(t.getNumElements()) * ((t.getElementTypeBitWidth() + 7) / 8);
  });
  return bytes;
}

std::optional<QuantParams> paramsOf(Type tensorType) {
  auto t = dyn_cast<RankedTensorType>(tensorType);
  auto q = t ? dyn_cast<mlir::quant::UniformQuantizedType>(t.getElementType())
             : mlir::quant::UniformQuantizedType();
  if (!q)
    return std::nullopt;
  return QuantParams{q.getScale(), q.getZeroPoint(),
                     q.getStorageTypeIntegralWidth()};
}

/// Where edge-quant-observe puts each of `observed` (in mark order): a
/// value @main already returns stays at its result, others are appended.
std::vector<size_t> observedOutputs(func::FuncOp f, ArrayRef<Value> observed) {
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  std::vector<size_t> where;
  for (Value v : observed) {
    auto it = llvm::find(results, v);
    where.push_back(size_t(it - results.begin()));
    if (it == results.end())
      results.push_back(v);
  }
  return where;
}

/// Accumulates sum ref^2 and sum (ref - got)^2.
struct Sqnr {
  double signal = 0, noise = 0;
  void add(const float *ref, const float *got, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      double r = ref[i], d = r - double(got[i]);
      signal += r * r;
      noise += d * d;
    }
  }
  double db() const { return sqnrDb(signal, noise); }
};

class Quantizer {
public:
  Quantizer(ModuleOp module, const QuantizeOptions &opts,
            const QuantizeEnvironment &env, QuantizationSection &report)
      : module(module), ctx(module.getContext()), opts(opts), env(env),
        report(report) {}

  LogicalResult run();

private:
  LogicalResult fail(const Twine &message) {
    llvm::errs() << "edgec: error: " << message << "\n";
    return failure();
  }
  void note(const Twine &message) {
    if (env.verbose)
      llvm::errs() << "edgec: " << message << "\n";
  }
  double elapsedMs(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - since)
        .count();
  }

  LogicalResult resolveKeepFloat();
  void enumerate();
  LogicalResult calibrate();
  /// Compiles a clone of the module, prepared by `prepare`, for the host.
  std::unique_ptr<HostModel>
  compileClone(const std::function<LogicalResult(ModuleOp)> &prepare);
  /// The output SQNR (over all samples) of the module quantized with `bits`
  /// per layer (0: float, 8, 16), that of its worst sample in
  /// `worstSampleDb`, and with `layerSqnr` each layer's output SQNR.
  FailureOr<double> evaluate(ArrayRef<int> bits, double &worstSampleDb,
                             std::vector<double> *layerSqnr = nullptr);
  LogicalResult insert(ModuleOp m, ArrayRef<int> bits, bool cleanup);
  /// The output SQNR of the worst sample with `bits`, on the emulation
  /// build.
  FailureOr<double> emulate(ArrayRef<int> bits);
  LogicalResult searchMixed(std::vector<int> &bits);
  void describeLayers(ArrayRef<int> bits, const std::vector<double> &sqnr);

  ModuleOp module;
  MLIRContext *ctx;
  const QuantizeOptions &opts;
  const QuantizeEnvironment &env;
  QuantizationSection &report;

  func::FuncOp func;
  std::unique_ptr<TargetDescription> host;
  ModelSignature sig;
  CalibrationSet data;
  std::vector<Operation *> tensorOps; // observed tensors, by id
  std::vector<size_t> tensorOutput;   // their outputs in the float build
  std::vector<Operation *> layers;
  std::vector<int> layerRef; // the observed tensor of each layer's output
  std::vector<std::string> layerReason;
  std::vector<double> sensitivity;
  std::unique_ptr<HostModel> floatModel;
  std::unique_ptr<EmulationBuild> emulation;
  std::vector<std::vector<std::vector<float>>> floatOutputs; // [sample][out]
  int baseBits = 8;
  std::optional<double> mixedSqnr; // the emulated SQNR of mixed's choice
  int evaluations = 0;
};

LogicalResult Quantizer::resolveKeepFloat() {
  for (const std::string &name : opts.keepFloat) {
    bool found = false;
    for (Operation &op : func.getBody().front()) {
      SmallVector<StringRef> names;
      edge::nodeNames(op.getLoc(), names);
      if (!llvm::is_contained(names, name) || isa<arith::ConstantOp>(op))
        continue;
      found = true;
      op.setAttr(ptq::kPrecisionAttr, StringAttr::get(ctx, "float"));
    }
    if (!found)
      return fail("--keep-float=" + name + ": no node named '" + name +
                  "' in the model");
  }
  return success();
}

void Quantizer::enumerate() {
  for (Operation &op : func.getBody().front()) {
    if (ptq::isObservable(&op)) {
      op.setAttr(ptq::kObserveAttr,
                 IntegerAttr::get(IntegerType::get(ctx, 64), tensorOps.size()));
      tensorOps.push_back(&op);
    }
    if (ptq::isQuantizableLayer(&op)) {
      op.setAttr(kLayerAttr,
                 IntegerAttr::get(IntegerType::get(ctx, 64), layers.size()));
      layers.push_back(&op);
      auto precision = op.getAttrOfType<StringAttr>(ptq::kPrecisionAttr);
      layerReason.push_back(
          precision && precision.getValue() == "float" ? "--keep-float" : "");
    }
  }
  for (Operation *layer : layers) {
    Operation *out = layerOutput(layer).getDefiningOp();
    layerRef.push_back(int(llvm::find(tensorOps, out) - tensorOps.begin()));
  }
  SmallVector<Value> observed;
  for (Operation *op : tensorOps)
    observed.push_back(op->getResult(0));
  tensorOutput = observedOutputs(func, observed);
}

std::unique_ptr<HostModel>
Quantizer::compileClone(const std::function<LogicalResult(ModuleOp)> &prepare) {
  auto start = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> clone(module.clone());
  if (failed(prepare(*clone)))
    return nullptr;
  std::string error;
  auto model = HostModel::compile(*clone, *host, env.optLevel, error);
  if (!model)
    (void)fail("quantization: " + error);
  else
    note(llvm::formatv("quantize: host build in {0:f0} ms", elapsedMs(start)));
  return model;
}

LogicalResult Quantizer::calibrate() {
  floatModel = compileClone([&](ModuleOp m) {
    PassManager pm(ctx);
    pm.addPass(createEdgeQuantObserve());
    return pm.run(m);
  });
  for (Operation *op : tensorOps)
    op->removeAttr(ptq::kObserveAttr);
  if (!floatModel)
    return failure();

  auto start = std::chrono::steady_clock::now();
  size_t numOut = sig.outputs.size(), numTensors = tensorOps.size();
  if (floatModel->numOutputs() !=
      numOut +
          llvm::count_if(tensorOutput, [&](size_t o) { return o >= numOut; }))
    return fail("quantization: the calibration build has unexpected outputs");
  size_t numInputs = sig.inputs.size();
  Calibrator cal(opts.method, numTensors + numInputs, opts.histogramBins,
                 opts.percentile);
  auto inputData = [&](size_t sample, size_t i) {
    return reinterpret_cast<const float *>(data.samples[sample][i].data());
  };
  auto inputCount = [&](size_t i) { return sig.inputs[i].sizeBytes / 4; };
  for (int pass = 0; pass < (cal.needsHistograms() ? 2 : 1); ++pass) {
    if (pass == 1)
      cal.startHistograms();
    for (size_t s = 0; s < data.samples.size(); ++s) {
      floatModel->run(data.samples[s]);
      for (size_t t = 0; t < numTensors; ++t) {
        const float *v = floatModel->outputF32(tensorOutput[t]);
        uint64_t n = floatModel->outputElements(tensorOutput[t]);
        pass ? cal.observeHistogram(t, v, n) : cal.observeRange(t, v, n);
      }
      for (size_t i = 0; i < numInputs; ++i) {
        if (sig.inputs[i].dtype != 1)
          continue;
        pass ? cal.observeHistogram(numTensors + i, inputData(s, i),
                                    inputCount(i))
             : cal.observeRange(numTensors + i, inputData(s, i), inputCount(i));
      }
      if (pass == 0) {
        std::vector<std::vector<float>> outs(numOut);
        for (size_t o = 0; o < numOut; ++o)
          if (const float *v = floatModel->outputF32(o))
            outs[o].assign(v, v + floatModel->outputElements(o));
        floatOutputs.push_back(std::move(outs));
      }
    }
  }
  auto rangeAttr = [&](size_t t) {
    auto [lo, hi] = cal.range(t);
    return DenseF64ArrayAttr::get(ctx, {lo, hi});
  };
  for (size_t t = 0; t < numTensors; ++t)
    tensorOps[t]->setAttr(ptq::kCalibrationAttr, rangeAttr(t));
  for (size_t i = 0; i < numInputs && i < func.getNumArguments(); ++i)
    if (sig.inputs[i].dtype == 1)
      func.setArgAttr(i, ptq::kCalibrationAttr, rangeAttr(numTensors + i));
  note(llvm::formatv("quantize: calibrated {0} tensors on {1} samples ({2}) "
                     "in {3:f0} ms",
                     numTensors + numInputs, data.samples.size(),
                     calibrationMethodName(opts.method), elapsedMs(start)));
  return success();
}

LogicalResult Quantizer::insert(ModuleOp m, ArrayRef<int> bits, bool cleanup) {
  func::FuncOp f = m.lookupSymbol<func::FuncOp>("main");
  for (Operation &op : f.getBody().front()) {
    auto idx = op.getAttrOfType<IntegerAttr>(kLayerAttr);
    if (!idx)
      continue;
    int b = bits[idx.getInt()];
    op.setAttr(ptq::kPrecisionAttr, StringAttr::get(ctx, b == 0    ? "float"
                                                         : b == 16 ? "int16"
                                                                   : "int8"));
  }
  PassManager pm(ctx);
  EdgeQuantInsertOptions insertOpts;
  insertOpts.mode = baseBits == 16 ? "int16x8" : "int8";
  pm.addNestedPass<func::FuncOp>(createEdgeQuantInsert(insertOpts));
  if (cleanup) {
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  return pm.run(m);
}

FailureOr<double> Quantizer::evaluate(ArrayRef<int> bits,
                                      double &worstSampleDb,
                                      std::vector<double> *layerSqnr) {
  std::vector<size_t> layerOut; // each layer's output in the quantized build
  auto model = compileClone([&](ModuleOp m) -> LogicalResult {
    if (failed(insert(m, bits, /*cleanup=*/false)))
      return failure();
    if (!layerSqnr)
      return success();
    func::FuncOp f = m.lookupSymbol<func::FuncOp>("main");
    SmallVector<Value> observed(layers.size());
    for (Operation &op : f.getBody().front())
      if (auto idx = op.getAttrOfType<IntegerAttr>(kLayerAttr)) {
        observed[idx.getInt()] = layerOutput(&op);
        observed[idx.getInt()].getDefiningOp()->setAttr(ptq::kObserveAttr, idx);
      }
    layerOut = observedOutputs(f, observed);
    PassManager pm(ctx);
    pm.addPass(createEdgeQuantObserve());
    return pm.run(m);
  });
  if (!model)
    return failure();
  size_t numOut = sig.outputs.size();
  Sqnr out;
  std::vector<Sqnr> perLayer(layerSqnr ? layers.size() : 0);
  worstSampleDb = std::numeric_limits<double>::infinity();
  for (size_t s = 0; s < data.samples.size(); ++s) {
    model->run(data.samples[s]);
    Sqnr sample;
    for (size_t o = 0; o < numOut; ++o)
      if (const float *got = model->outputF32(o)) {
        out.add(floatOutputs[s][o].data(), got, floatOutputs[s][o].size());
        sample.add(floatOutputs[s][o].data(), got, floatOutputs[s][o].size());
      }
    worstSampleDb = std::min(worstSampleDb, sample.db());
    if (!layerSqnr)
      continue;
    floatModel->run(data.samples[s]);
    for (size_t l = 0; l < layers.size(); ++l) {
      if (layerRef[l] >= int(tensorOps.size()))
        continue;
      size_t ref = tensorOutput[layerRef[l]];
      perLayer[l].add(floatModel->outputF32(ref), model->outputF32(layerOut[l]),
                      floatModel->outputElements(ref));
    }
  }
  if (layerSqnr) {
    layerSqnr->clear();
    for (size_t l = 0; l < layers.size(); ++l)
      layerSqnr->push_back(layerRef[l] < int(tensorOps.size())
                               ? perLayer[l].db()
                               : std::nan("")); // no float reference
  }
  return out.db();
}

FailureOr<double> Quantizer::emulate(ArrayRef<int> bits) {
  ++evaluations;
  if (failed(emulation->configure(bits, baseBits)))
    return failure();
  // The SQNR of the worst sample: every calibration input must reach the
  // target, not their aggregate (inputs outside the calibration set then
  // land near it rather than below it).
  double worst = std::numeric_limits<double>::infinity();
  const HostModel &m = emulation->model();
  for (size_t s = 0; s < data.samples.size(); ++s) {
    emulation->run(data.samples[s]);
    Sqnr out;
    for (size_t o = 0; o < sig.outputs.size(); ++o)
      if (const float *got = m.outputF32(o))
        out.add(floatOutputs[s][o].data(), got, floatOutputs[s][o].size());
    worst = std::min(worst, out.db());
  }
  return worst;
}

LogicalResult Quantizer::searchMixed(std::vector<int> &bits) {
  auto start = std::chrono::steady_clock::now();
  std::string error;
  emulation =
      EmulationBuild::create(module, layers, *host, env.optLevel, error);
  if (!emulation)
    return fail("quantization: the emulation build failed: " + error);
  note(llvm::formatv("mixed: emulation build in {0:f0} ms", elapsedMs(start)));

  // Each layer alone.
  std::vector<size_t> candidates;
  sensitivity.assign(layers.size(), std::nan(""));
  for (size_t l = 0; l < layers.size(); ++l) {
    if (bits[l] == 0)
      continue; // --keep-float
    std::vector<int> alone(layers.size(), 0);
    alone[l] = 8;
    FailureOr<double> db = emulate(alone);
    if (failed(db))
      return failure();
    sensitivity[l] = *db;
    candidates.push_back(l);
    note(llvm::formatv("mixed: {0} alone in int8: {1:f1} dB",
                       nodeName(layers[l]), *db));
  }
  llvm::stable_sort(candidates, [&](size_t a, size_t b) {
    return sensitivity[a] < sensitivity[b];
  });
  // From all int8, the most sensitive layers to int16, then to float.
  FailureOr<double> db = emulate(bits);
  if (failed(db))
    return failure();
  report.allInt8SqnrDb = *db;
  note(llvm::formatv("mixed: all int8: {0:f1} dB", *db));
  for (int target : {16, 0}) {
    if (*db >= opts.minSqnrDb)
      break;
    if (target == 16) {
      // When even every candidate in int16 stays below the target, the
      // int16 steps would end there: go straight to it.
      std::vector<int> all16(bits);
      for (size_t l : candidates)
        all16[l] = 16;
      FailureOr<double> all = emulate(all16);
      if (failed(all))
        return failure();
      if (*all < opts.minSqnrDb) {
        bits = all16;
        db = all;
        for (size_t l : candidates)
          layerReason[l] = "mixed";
        report.mixedSteps.push_back({"*", "int16", *db});
        note(llvm::formatv("mixed: all -> int16: {0:f1} dB", *db));
        continue;
      }
    }
    for (size_t l : candidates) {
      if (*db >= opts.minSqnrDb)
        break;
      if (bits[l] == target)
        continue;
      bits[l] = target;
      layerReason[l] = "mixed";
      db = emulate(bits);
      if (failed(db))
        return failure();
      report.mixedSteps.push_back(
          {nodeName(layers[l]), target ? "int16" : "float", *db});
      note(llvm::formatv("mixed: {0} -> {1}: {2:f1} dB", nodeName(layers[l]),
                         target ? "int16" : "float", *db));
    }
  }
  mixedSqnr = *db;
  note(llvm::formatv("mixed: {0} configurations of {1} layers evaluated in "
                     "{2:f0} ms",
                     evaluations, candidates.size(), elapsedMs(start)));
  emulation.reset();
  return success();
}

void Quantizer::describeLayers(ArrayRef<int> bits,
                               const std::vector<double> &sqnr) {
  for (Operation &op : func.getBody().front()) {
    auto idx = op.getAttrOfType<IntegerAttr>(kLayerAttr);
    if (!idx)
      continue;
    size_t l = idx.getInt();
    QuantizedLayer r;
    r.node = nodeName(&op);
    r.op = op.getName().stripDialect().str();
    r.precision = bits[l] == 0 ? "float" : bits[l] == 16 ? "int16" : "int8";
    r.reason = layerReason[l];
    if (auto dq = op.getOperand(0).getDefiningOp<edge::DequantizeOp>())
      r.input = paramsOf(dq.getInput().getType());
    if (auto dq = op.getOperand(ptq::layerWeightOperand(&op))
                      .getDefiningOp<edge::DequantizeOp>()) {
      auto t = cast<RankedTensorType>(dq.getInput().getType());
      if (auto pa = dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(
              t.getElementType()))
        llvm::append_range(r.weightScales, pa.getScales());
      else if (auto pt = dyn_cast<mlir::quant::UniformQuantizedType>(
                   t.getElementType()))
        r.weightScales.push_back(pt.getScale());
    }
    if (auto dq = layerOutput(&op).getDefiningOp<edge::DequantizeOp>())
      r.output = paramsOf(dq.getInput().getType());
    if (l < sqnr.size() && !std::isnan(sqnr[l]))
      r.sqnrDb = sqnr[l];
    if (l < sensitivity.size() && !std::isnan(sensitivity[l]))
      r.sensitivityDb = sensitivity[l];
    report.layers.push_back(std::move(r));
  }
}

LogicalResult Quantizer::run() {
  func = module.lookupSymbol<func::FuncOp>("main");
  if (!func || func.isExternal())
    return fail("quantization: the module has no @main body");
  std::string targetError;
  host = describeTarget(TargetSpec{"", "", "", env.optLevel}, targetError);
  if (!host)
    return fail("quantization needs the host target: " + targetError);
  if (failed(readSignature(module, sig)))
    return failure();
  for (const TensorSignature &t : sig.inputs)
    if (t.dtype != 1)
      note("quantize: input '" + t.name + "' is not float32: not quantized");
  std::string err = loadCalibrationSet(opts.calibrationPath, sig.inputs, data);
  if (!err.empty())
    return fail(err);
  if (failed(resolveKeepFloat()))
    return failure();
  baseBits = opts.mode == QuantizeMode::Int16x8 ? 16 : 8;
  report.mode = quantizeModeName(opts.mode);
  report.method = calibrationMethodName(opts.method);
  // Its name, not its path: reports are the same in any directory.
  report.calibration =
      llvm::sys::path::filename(StringRef(opts.calibrationPath).rtrim('/'))
          .str();
  report.samples = data.samples.size();
  report.weightBytesFloat = constantBytes(func);

  enumerate();
  if (layers.empty())
    llvm::errs() << "edgec: warning: no Conv, Gemm or MatMul with constant "
                    "weights to quantize\n";
  if (failed(calibrate()))
    return failure();

  std::vector<int> bits;
  for (const std::string &reason : layerReason)
    bits.push_back(reason.empty() ? baseBits : 0);
  if (opts.mode == QuantizeMode::Mixed) {
    report.minSqnrDb = opts.minSqnrDb;
    if (failed(searchMixed(bits)))
      return failure();
  }
  std::vector<double> layerSqnr;
  if (env.measure) {
    double worst;
    FailureOr<double> db = evaluate(bits, worst, &layerSqnr);
    if (failed(db))
      return failure();
    report.outputSqnrDb = *db;
    if (mixedSqnr)
      note(llvm::formatv("mixed: on the worst sample, the QDQ build measures "
                         "{0:f2} dB, the emulation {1:f2} dB",
                         worst, *mixedSqnr));
  }
  floatModel.reset();

  if (failed(insert(module, bits, /*cleanup=*/true)))
    return failure();
  report.weightBytesQuantized = constantBytes(func);
  describeLayers(bits, layerSqnr);
  func.walk([](Operation *op) { op->removeAttr(kLayerAttr); });
  return success();
}

} // namespace

LogicalResult quantizeModule(ModuleOp module, const QuantizeOptions &options,
                             const QuantizeEnvironment &env,
                             QuantizationSection &report) {
  return Quantizer(module, options, env, report).run();
}

} // namespace edgec
