//===- Report.cpp - what edgec reports about a compilation ----------------===//
#include "compiler/report/Report.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace edgec {

double sqnrDb(double signal, double noise) {
  if (noise <= 0)
    return std::numeric_limits<double>::infinity();
  if (signal <= 0)
    return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

/// JSON has no infinities: an exact result (+inf dB) is written as null.
static json::Value db(std::optional<double> v) {
  if (!v || !std::isfinite(*v))
    return nullptr;
  return *v;
}

static json::Value params(const std::optional<QuantParams> &p) {
  if (!p)
    return nullptr;
  return json::Object{{"scale", p->scale},
                      {"zero_point", p->zeroPoint},
                      {"bits", int64_t(p->bits)}};
}

json::Value toJSON(const Report &r) {
  json::Object root{{"model", r.model}, {"target", r.target}};
  if (!r.graph.empty()) {
    json::Array ops;
    for (const GraphOp &g : r.graph)
      ops.push_back(json::Object{{"op", g.op},
                                 {"nodes", json::Array(g.nodes)},
                                 {"precision", g.precision},
                                 {"shape", g.shape},
                                 {"inputs", json::Array(g.inputs)},
                                 {"flops", g.flops},
                                 {"bytes", g.bytes},
                                 {"weight_bytes", g.weightBytes},
                                 {"kernel", g.kernel}});
    root["graph"] = std::move(ops);
    root["kernels"] = r.kernels;
  }
  if (const auto &p = r.profile) {
    root["profile"] = json::Object{{"file", p->file},
                                   {"runs", p->runs},
                                   {"total_us", p->totalUs},
                                   {"kernel_us", json::Array(p->kernelUs)}};
  }
  if (const auto &m = r.memory) {
    json::Array buffers;
    for (const ArenaBuffer &b : m->buffers)
      buffers.push_back(json::Object{{"node", b.node},
                                     {"offset", b.offset},
                                     {"bytes", b.bytes},
                                     {"start", b.start},
                                     {"end", b.end}});
    root["memory"] = json::Object{{"arena_bytes", m->arenaBytes},
                                  {"live_peak_bytes", m->livePeakBytes},
                                  {"peak_position", m->peakPosition},
                                  {"positions", m->positions},
                                  {"weights_bytes", m->weightsBytes},
                                  {"stack_bytes", m->stackBytes},
                                  {"buffers", std::move(buffers)}};
  }
  if (!r.sections.empty()) {
    json::Array sections;
    for (const ObjectSectionSize &s : r.sections)
      sections.push_back(json::Object{
          {"name", s.name}, {"bytes", int64_t(s.bytes)}, {"memory", s.region}});
    root["sections"] = std::move(sections);
  }
  if (const auto &q = r.quantization) {
    json::Array layers;
    for (const QuantizedLayer &l : q->layers) {
      json::Object o{{"node", l.node},
                     {"op", l.op},
                     {"precision", l.precision},
                     {"input", params(l.input)},
                     {"output", params(l.output)},
                     {"weight_scales", json::Array(l.weightScales)},
                     {"sqnr_db", db(l.sqnrDb)}};
      if (!l.reason.empty())
        o["reason"] = l.reason;
      if (l.sensitivityDb)
        o["sensitivity_sqnr_db"] = db(l.sensitivityDb);
      layers.push_back(std::move(o));
    }
    json::Object s{
        {"mode", q->mode},
        {"method", q->method},
        {"calibration", q->calibration},
        {"samples", int64_t(q->samples)},
        {"output_sqnr_db", db(q->outputSqnrDb)},
        {"weight_bytes",
         json::Object{{"float", int64_t(q->weightBytesFloat)},
                      {"quantized", int64_t(q->weightBytesQuantized)}}},
        {"layers", std::move(layers)}};
    if (q->minSqnrDb) {
      json::Array steps;
      for (const MixedStep &m : q->mixedSteps)
        steps.push_back(json::Object{{"node", m.node},
                                     {"precision", m.precision},
                                     {"output_sqnr_db", db(m.outputSqnrDb)}});
      s["mixed"] = json::Object{{"min_sqnr_db", *q->minSqnrDb},
                                {"all_int8_sqnr_db", db(q->allInt8SqnrDb)},
                                {"steps", std::move(steps)}};
    }
    root["quantization"] = std::move(s);
  }
  if (const auto &n = r.npu) {
    json::Array layers;
    int64_t onNpu = 0, npuMacs = 0, cpuMacs = 0, cycles = 0;
    for (const NpuLayer &l : n->layers) {
      json::Object o{{"layer", l.layer},
                     {"op", l.op},
                     {"device", l.device},
                     {"macs", l.macs},
                     {"cpu_cycles", l.cpuCycles}};
      if (!l.reason.empty())
        o["reason"] = l.reason;
      if (l.npuCycles)
        o["npu_cycles"] = l.npuCycles;
      if (l.device == "npu") {
        o["stream"] = l.stream;
        o["dma_bytes"] = l.dmaBytes;
        if (l.weightTiles) {
          o["weight_bytes"] = l.weightBytes;
          o["weight_tiles"] = l.weightTiles;
          o["stored_tiles"] = l.storedTiles;
        }
        ++onNpu;
        npuMacs += l.macs;
        cycles += l.npuCycles;
      } else {
        cpuMacs += l.macs;
      }
      layers.push_back(std::move(o));
    }
    root["npu"] = json::Object{
        {"config", n->config},        {"n", n->n},
        {"sram_bytes", n->sramBytes}, {"layers_on_npu", onNpu},
        {"npu_macs", npuMacs},        {"cpu_macs", cpuMacs},
        {"npu_cycles", cycles},       {"layers", std::move(layers)}};
  }
  if (const auto &p = r.pruning) {
    json::Array layers;
    int64_t weights = 0, zeros = 0;
    for (const PrunedLayer &l : p->layers) {
      json::Object o{{"layer", l.layer},
                     {"op", l.op},
                     {"weights", l.weights},
                     {"zeros_before", l.zerosBefore},
                     {"zeros_after", l.zerosAfter}};
      if (!l.reason.empty())
        o["reason"] = l.reason;
      if (l.sqnrDb)
        o["sqnr_db"] = *l.sqnrDb;
      weights += l.weights;
      zeros += l.zerosAfter;
      layers.push_back(std::move(o));
    }
    json::Object o;
    if (!p->layers.empty()) {
      o["weights"] = weights;
      o["zero_weights"] = zeros;
      o["layers"] = std::move(layers);
    }
    if (!p->channels.empty()) {
      json::Array channels;
      for (const ChannelLayer &l : p->channels) {
        json::Object c{{"layer", l.layer},
                       {"op", l.op},
                       {"channels", l.channels},
                       {"kept", l.kept}};
        if (!l.reason.empty())
          c["reason"] = l.reason;
        channels.push_back(std::move(c));
      }
      o["channels"] = std::move(channels);
    }
    if (p->blockRows)
      o["block"] = json::Array{p->blockRows, p->blockCols};
    if (p->minSqnrDb)
      o["sweep"] = json::Object{
          {"min_sqnr_db", *p->minSqnrDb},
          {"output_sqnr_db", p->outputSqnrDb ? json::Value(*p->outputSqnrDb)
                                             : json::Value(nullptr)},
          {"runs", p->sweepRuns}};
    root["pruning"] = std::move(o);
  }
  if (!r.sparseKernels.empty()) {
    json::Array kernels;
    for (const SparseKernel &k : r.sparseKernels)
      kernels.push_back(json::Object{{"layer", k.layer},
                                     {"format", k.format},
                                     {"nonzeros", k.nonzeros},
                                     {"weights", k.weights},
                                     {"bytes", k.bytes},
                                     {"dense_bytes", k.denseBytes},
                                     {"origin", k.origin}});
    root["sparse_kernels"] = std::move(kernels);
  }
  return root;
}

void writeReportJSON(const Report &report, raw_ostream &os) {
  os << formatv("{0:2}", toJSON(report)) << "\n";
}

static std::string dbText(std::optional<double> v) {
  if (!v)
    return "-";
  if (std::isinf(*v))
    return *v > 0 ? "exact" : "-inf";
  return formatv("{0:f1}", *v).str();
}

static std::string paramText(const std::optional<QuantParams> &p) {
  if (!p)
    return "-";
  return formatv("{0:e3}:{1}", p->scale, p->zeroPoint).str();
}

std::string percentText(int64_t part, int64_t whole) {
  return whole ? formatv("{0:f1} %", 100.0 * double(part) / double(whole)).str()
               : std::string("-");
}

static std::string shortName(const std::string &layer) {
  return layer.size() > 32 ? "..." + layer.substr(layer.size() - 29) : layer;
}

void printSparseKernels(const std::vector<SparseKernel> &kernels,
                        raw_ostream &os) {
  int64_t bytes = 0, dense = 0, fromModel = 0;
  for (const SparseKernel &k : kernels) {
    bytes += k.bytes;
    dense += k.denseBytes;
    fromModel += k.origin == "model";
  }
  os << "edgec: sparse kernels: " << kernels.size() << " layers, " << bytes
     << " of " << dense << " weight bytes (" << percentText(bytes, dense)
     << ")";
  if (fromModel)
    os << "; " << fromModel << " sparse as the model came";
  os << "\n";
  os << formatv("  {0,-32} {1,-8} {2,9} {3,9} {4,9} {5,9}  {6}\n", "node",
                "format", "nonzeros", "weights", "bytes", "dense", "zeros");
  for (const SparseKernel &k : kernels)
    os << formatv("  {0,-32} {1,-8} {2,9} {3,9} {4,9} {5,9}  {6}\n",
                  shortName(k.layer), k.format, k.nonzeros, k.weights, k.bytes,
                  k.denseBytes,
                  k.origin == "model" ? "in the model" : "pruned");
}

void printPruningReport(const PruningSection &p, raw_ostream &os) {
  if (!p.channels.empty()) {
    int64_t channels = 0, kept = 0;
    for (const ChannelLayer &l : p.channels) {
      channels += l.channels;
      kept += l.kept;
    }
    os << "edgec: channel pruning: " << p.channels.size() << " layers, " << kept
       << " of " << channels << " output channels kept ("
       << percentText(kept, channels) << ")\n";
    os << formatv("  {0,-32} {1,-10} {2,9} {3,9}\n", "node", "op", "channels",
                  "kept");
    for (const ChannelLayer &l : p.channels) {
      os << formatv("  {0,-32} {1,-10} {2,9} {3,9}", shortName(l.layer), l.op,
                    l.channels, l.kept);
      if (!l.reason.empty())
        os << "  (" << l.reason << ")";
      os << "\n";
    }
  }
  if (p.layers.empty())
    return;
  int64_t weights = 0, zeros = 0, before = 0;
  for (const PrunedLayer &l : p.layers) {
    weights += l.weights;
    zeros += l.zerosAfter;
    before += l.zerosBefore;
  }
  os << "edgec: pruning: " << p.layers.size() << " layers, " << weights
     << " weights, " << percentText(zeros, weights) << " zero (was "
     << percentText(before, weights) << ")";
  if (p.blockRows)
    os << ", in " << p.blockRows << "x" << p.blockCols << " blocks";
  if (p.minSqnrDb)
    os << formatv(", each layer's sparsity for {0:f1} dB (output {1} dB)",
                  *p.minSqnrDb, dbText(p.outputSqnrDb));
  os << "\n";
  os << formatv("  {0,-32} {1,-10} {2,10} {3,8} {4,8}\n", "node", "op",
                "weights", "before", "after");
  for (const PrunedLayer &l : p.layers) {
    os << formatv("  {0,-32} {1,-10} {2,10} {3,8} {4,8}", shortName(l.layer),
                  l.op, l.weights, percentText(l.zerosBefore, l.weights),
                  percentText(l.zerosAfter, l.weights));
    if (l.sqnrDb)
      os << formatv("  {0:f1} dB alone", *l.sqnrDb);
    if (!l.reason.empty())
      os << "  (" << l.reason << ")";
    os << "\n";
  }
}

std::string NpuLayer::weightText() const {
  if (weightTiles == 0)
    return "-";
  if (storedTiles < weightTiles)
    return formatv("{0} B, {1}/{2} tiles", weightBytes, storedTiles,
                   weightTiles)
        .str();
  return formatv("{0} B", weightBytes).str();
}

void printNpuReport(const NpuSection &n, raw_ostream &os) {
  int64_t onNpu = 0;
  for (const NpuLayer &l : n.layers)
    onNpu += l.device == "npu";
  os << "edgec: NPU " << n.config << " (" << n.n << "x" << n.n << ", "
     << n.sramBytes / 1024 << " KiB SRAM): " << onNpu << " of "
     << n.layers.size() << " layers\n";
  os << formatv("  {0,-32} {1,-11} {2,-6} {3,12} {4,12} {5,12} {6,10} {7,22}\n",
                "node", "op", "device", "MACs", "NPU cycles", "CPU cycles",
                "DMA bytes", "weights");
  for (const NpuLayer &l : n.layers) {
    std::string name = l.layer.size() > 32
                           ? "..." + l.layer.substr(l.layer.size() - 29)
                           : l.layer;
    os << formatv("  {0,-32} {1,-11} {2,-6} {3,12} {4,12} {5,12} {6,10} {7,22}",
                  name, l.op, l.device, l.macs,
                  l.npuCycles ? std::to_string(l.npuCycles) : "-", l.cpuCycles,
                  l.device == "npu" ? std::to_string(l.dmaBytes) : "-",
                  l.device == "npu" ? l.weightText() : "-");
    if (!l.reason.empty())
      os << "  (" << l.reason << ")";
    os << "\n";
  }
}

void printReport(const Report &r, raw_ostream &os) {
  const auto &q = r.quantization;
  if (!q)
    return;
  os << "edgec: quantization " << q->mode << ", " << q->method
     << " calibration on " << q->samples << " sample"
     << (q->samples == 1 ? "" : "s") << " (" << q->calibration << ")\n";
  size_t nameWidth = 4;
  for (const QuantizedLayer &l : q->layers)
    nameWidth = std::max(nameWidth, l.node.size());
  nameWidth = std::min<size_t>(nameWidth, 48);
  bool mixed = q->minSqnrDb.has_value();
  os << formatv("  {0} {1,-6} {2,-9} {3,-16} {4,-16} {5,-19} {6,8}",
                left_justify("node", nameWidth), "op", "precision",
                "input scale:zp", "output scale:zp", "weight scales",
                "SQNR dB");
  if (mixed)
    os << formatv(" {0,12}", "alone dB");
  os << "\n";
  for (const QuantizedLayer &l : q->layers) {
    std::string ws = "-";
    if (!l.weightScales.empty()) {
      auto [lo, hi] =
          std::minmax_element(l.weightScales.begin(), l.weightScales.end());
      ws = formatv("{0:e2}..{1:e2}", *lo, *hi).str();
    }
    std::string name =
        l.node.size() > nameWidth
            ? "..." + l.node.substr(l.node.size() - nameWidth + 3)
            : l.node;
    os << formatv("  {0} {1,-6} {2,-9} {3,-16} {4,-16} {5,-19} {6,8}",
                  left_justify(name, nameWidth), l.op, l.precision,
                  paramText(l.input), paramText(l.output), ws,
                  dbText(l.sqnrDb));
    if (mixed)
      os << formatv(" {0,12}", dbText(l.sensitivityDb));
    if (!l.reason.empty())
      os << "  (" << l.reason << ")";
    os << "\n";
  }
  if (mixed) {
    os << "edgec: mixed: all int8 " << dbText(q->allInt8SqnrDb)
       << " dB, target " << formatv("{0:f1}", *q->minSqnrDb) << " dB\n";
    for (const MixedStep &m : q->mixedSteps)
      os << "edgec:   " << (m.node == "*" ? "every layer" : m.node) << " -> "
         << m.precision << ": " << dbText(m.outputSqnrDb) << " dB\n";
  }
  os << "edgec: output SQNR " << dbText(q->outputSqnrDb) << " dB; weights "
     << q->weightBytesFloat << " -> " << q->weightBytesQuantized << " bytes\n";
}

} // namespace edgec
