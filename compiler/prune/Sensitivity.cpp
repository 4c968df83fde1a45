//===- Sensitivity.cpp - per-layer sparsity chosen by output SQNR ---------===//
//
// See Sensitivity.h for the method.
//
//===----------------------------------------------------------------------===//
#include "compiler/prune/Sensitivity.h"

#include "compiler/emit/ModelSignature.h"
#include "compiler/quantize/CalibrationData.h"
#include "compiler/quantize/HostModel.h"
#include "compiler/report/Report.h"
#include "dialects/Edge/IR/EdgeOps.h"
#include "passes/prune/Passes.h"
#include "passes/quant/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace edgec {
namespace {

struct Candidate {
  Operation *op;
  RankedTensorType type;
  std::vector<float> dense;
  std::vector<double> levels; // sparsities tried, ascending
  std::vector<double> noise;  // noise / signal of the worst sample, per level
  std::vector<double> db;
  int chosen = -1; // index into levels
};

std::vector<char> bytesOf(const std::vector<float> &w) {
  std::vector<char> b(w.size() * sizeof(float));
  std::memcpy(b.data(), w.data(), b.size());
  return b;
}

class Sweep {
public:
  Sweep(ModuleOp module, const PruneOptions &o, int optLevel, bool verbose)
      : module(module), o(o), optLevel(optLevel), verbose(verbose) {}

  LogicalResult run();

private:
  LogicalResult fail(const llvm::Twine &message) {
    llvm::errs() << "edgec: error: " << message << "\n";
    return failure();
  }
  void note(const llvm::Twine &message) {
    if (verbose)
      llvm::errs() << "edgec: " << message << "\n";
  }
  LogicalResult build();
  /// The worst sample's output SQNR with the weights set in `inputs`.
  double evaluate();
  void setWeight(size_t layer, const std::vector<float> &w) {
    inputs[firstWeight + layer] = bytesOf(w);
  }

  ModuleOp module;
  const PruneOptions &o;
  int optLevel;
  bool verbose;
  int64_t blockRows = 0, blockCols = 0;
  std::vector<Candidate> layers;
  std::unique_ptr<HostModel> host;
  CalibrationSet data;
  std::vector<std::vector<std::vector<float>>> reference; // [sample][output]
  std::vector<std::vector<char>> inputs; // the sample's, then the weights
  size_t firstWeight = 0;
  int64_t runs = 0;
};

LogicalResult Sweep::build() {
  std::string error;
  auto target = describeTarget(TargetSpec{"", "", "", optLevel}, error);
  if (!target)
    return fail("the --min-sqnr sweep needs the host target: " + error);
  ModelSignature sig;
  if (failed(readSignature(module, sig)))
    return failure();
  error = loadCalibrationSet(o.calibrationPath, sig.inputs, data);
  if (!error.empty())
    return fail(error);
  firstWeight = sig.inputs.size();

  // A clone whose candidate layers read their weights from extra inputs.
  IRMapping map;
  OwningOpRef<ModuleOp> clone(cast<ModuleOp>(module->clone(map)));
  auto f = clone->lookupSymbol<func::FuncOp>("main");
  if (!f || f.isExternal())
    return fail("the --min-sqnr sweep: the module has no @main body");
  OpBuilder b(clone->getContext());
  SmallVector<Attribute> entries;
  if (auto list = clone.get()->getAttrOfType<ArrayAttr>("edge.inputs"))
    llvm::append_range(entries, list);
  for (auto [i, l] : llvm::enumerate(layers)) {
    Operation *op = map.lookup(l.op);
    unsigned idx = prune::weightOperand(op);
    std::string name = "edge.prune.weight" + std::to_string(i);
    unsigned at = f.getNumArguments();
    auto attrs =
        b.getDictionaryAttr(b.getNamedAttr("edge.name", b.getStringAttr(name)));
    if (failed(f.insertArgument(at, l.type, attrs, f.getLoc())))
      return fail("the --min-sqnr sweep cannot add its weight inputs");
    op->setOperand(idx, f.getArgument(at));
    entries.push_back(
        b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(name)),
                             b.getNamedAttr("type", TypeAttr::get(l.type))}));
  }
  clone.get()->setAttr("edge.inputs", b.getArrayAttr(entries));
  host = HostModel::compile(*clone, *target, optLevel, error);
  if (!host)
    return fail("the --min-sqnr sweep's host build failed: " + error);

  inputs.resize(firstWeight + layers.size());
  for (size_t l = 0; l < layers.size(); ++l)
    setWeight(l, layers[l].dense);
  for (const auto &sample : data.samples) {
    std::copy(sample.begin(), sample.end(), inputs.begin());
    host->run(inputs);
    ++runs;
    std::vector<std::vector<float>> outs;
    for (unsigned i = 0; i < host->numOutputs(); ++i)
      if (const float *p = host->outputF32(i))
        outs.emplace_back(p, p + host->outputElements(i));
      else
        outs.emplace_back();
    reference.push_back(std::move(outs));
  }
  return success();
}

double Sweep::evaluate() {
  double worst = std::numeric_limits<double>::infinity();
  for (size_t s = 0; s < data.samples.size(); ++s) {
    std::copy(data.samples[s].begin(), data.samples[s].end(), inputs.begin());
    host->run(inputs);
    ++runs;
    double signal = 0, noise = 0;
    for (unsigned i = 0; i < host->numOutputs(); ++i) {
      const float *got = host->outputF32(i);
      const std::vector<float> &ref = reference[s][i];
      for (size_t k = 0; got && k < ref.size(); ++k) {
        double d = double(ref[k]) - double(got[k]);
        signal += double(ref[k]) * ref[k];
        noise += d * d;
      }
    }
    worst = std::min(worst, sqnrDb(signal, noise));
  }
  return worst;
}

LogicalResult Sweep::run() {
  auto start = std::chrono::steady_clock::now();
  if (std::string error =
          prune::blockShape(module, o.block, blockRows, blockCols);
      !error.empty())
    return fail("--prune-block=" + o.block + ": " + error);
  for (auto &[op, reason] : prune::pruneCandidates(
           module, o.skip, o.denseEnds, 0, /*blocks=*/blockRows != 0)) {
    if (!reason.empty())
      continue;
    DenseElementsAttr attr;
    matchPattern(op->getOperand(prune::weightOperand(op)), m_Constant(&attr));
    Candidate c;
    c.op = op;
    c.type = cast<RankedTensorType>(attr.getType());
    c.dense.assign(attr.getValues<float>().begin(),
                   attr.getValues<float>().end());
    for (int k = 1; k * 0.1 < o.sparsity - 1e-9; ++k)
      c.levels.push_back(k * 0.1);
    c.levels.push_back(o.sparsity);
    layers.push_back(std::move(c));
  }
  if (layers.empty()) {
    llvm::errs() << "edgec: warning: --min-sqnr: no layer to prune\n";
    return success();
  }
  if (failed(build()))
    return failure();

  // 1. Each layer alone, up to the first level below the target.
  for (size_t l = 0; l < layers.size(); ++l) {
    Candidate &c = layers[l];
    for (double level : c.levels) {
      std::vector<float> w = c.dense;
      prune::pruneWeights(c.op, c.type, w, level, blockRows, blockCols);
      setWeight(l, w);
      double db = evaluate();
      c.db.push_back(db);
      c.noise.push_back(std::pow(10.0, -db / 10.0));
      if (db < o.minSqnrDb)
        break;
    }
    setWeight(l, c.dense);
    std::string curve;
    for (size_t k = 0; k < c.db.size(); ++k)
      curve += llvm::formatv("{0}{1:f0} % {2:f1} dB", k ? ", " : "",
                             100 * c.levels[k], c.db[k]);
    note("prune sweep: " + edge::layerName(c.op) + " alone: " + curve);
  }

  // 2. Greedy steps by weights removed per unit of (summed) noise.
  double budget = std::pow(10.0, -o.minSqnrDb / 10.0), used = 0;
  std::vector<size_t> steps; // the layer each step raised
  for (;;) {
    int best = -1;
    double bestGain = -1;
    for (size_t l = 0; l < layers.size(); ++l) {
      Candidate &c = layers[l];
      int next = c.chosen + 1;
      if (next >= int(c.db.size()) || c.db[next] < o.minSqnrDb)
        continue;
      double before = c.chosen < 0 ? 0.0 : c.noise[c.chosen];
      double prevLevel = c.chosen < 0 ? 0.0 : c.levels[c.chosen];
      double extra = std::max(c.noise[next] - before, 0.0);
      if (used + extra > budget)
        continue;
      double removed = (c.levels[next] - prevLevel) * double(c.dense.size());
      double gain = removed / std::max(extra, 1e-30);
      if (gain > bestGain) {
        bestGain = gain;
        best = int(l);
      }
    }
    if (best < 0)
      break;
    Candidate &c = layers[best];
    used += std::max(
        c.noise[c.chosen + 1] - (c.chosen < 0 ? 0.0 : c.noise[c.chosen]), 0.0);
    ++c.chosen;
    steps.push_back(size_t(best));
  }

  // 3. The whole choice, measured; the last steps back while it misses.
  auto apply = [&] {
    for (size_t l = 0; l < layers.size(); ++l) {
      Candidate &c = layers[l];
      std::vector<float> w = c.dense;
      if (c.chosen >= 0)
        prune::pruneWeights(c.op, c.type, w, c.levels[c.chosen], blockRows,
                            blockCols);
      setWeight(l, w);
    }
    return evaluate();
  };
  double db = apply();
  while (db < o.minSqnrDb && !steps.empty()) {
    --layers[steps.back()].chosen;
    steps.pop_back();
    db = apply();
  }

  Builder attrs(module.getContext());
  int64_t total = 0, removed = 0;
  for (Candidate &c : layers) {
    double level = c.chosen < 0 ? 0.0 : c.levels[c.chosen];
    c.op->setAttr(prune::kLayerSparsityAttr, attrs.getF64FloatAttr(level));
    if (c.chosen >= 0)
      c.op->setAttr(
          prune::kLayerSqnrAttr,
          attrs.getF64FloatAttr(std::round(c.db[c.chosen] * 10) / 10));
    total += int64_t(c.dense.size());
    removed += int64_t(std::llround(level * double(c.dense.size())));
  }
  module->setAttr(
      kPruneSweepAttr,
      attrs.getDictionaryAttr(
          {attrs.getNamedAttr("min_sqnr_db",
                              attrs.getF64FloatAttr(o.minSqnrDb)),
           attrs.getNamedAttr(
               "output_sqnr_db",
               attrs.getF64FloatAttr(std::isinf(db) ? 999.0 : db)),
           attrs.getNamedAttr("runs", attrs.getI64IntegerAttr(runs))}));
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  note(llvm::formatv("prune sweep: {0} layers, {1} runs in {2:f0} ms; {3} of "
                     "their weights zeroed, output SQNR {4:f1} dB (target "
                     "{5:f1})",
                     layers.size(), runs, ms, percentText(removed, total), db,
                     o.minSqnrDb));
  return success();
}

} // namespace

LogicalResult choosePruneSparsity(ModuleOp module, const PruneOptions &options,
                                  int optLevel, bool verbose) {
  return Sweep(module, options, optLevel, verbose).run();
}

} // namespace edgec
