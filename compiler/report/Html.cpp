//===- Html.cpp - the report as one self-contained page -------------------===//
//
// `--report=FILE.html`: plain HTML and inline SVG drawn here, no script and
// no network, so the page opens anywhere (docs/report.md). Sections: the
// totals, the memory plan as a timeline (each arena buffer a bar over its
// live range at its offset, the live peak marked), flash and RAM per
// object section, the per-layer cost, the graph after optimization (ops in
// program order, data edges as arcs, fused ONNX nodes, precisions), and the
// quantization when there is one, and the CPU/NPU placement with --npu.
//
//===----------------------------------------------------------------------===//
#include "compiler/report/Report.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;

namespace edgec {

namespace {

std::string esc(StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string bytesText(uint64_t b) {
  if (b >= 10 * 1024 * 1024)
    return formatv("{0:f1} MB", b / 1048576.0).str();
  if (b >= 10 * 1024)
    return formatv("{0:f1} KB", b / 1024.0).str();
  return formatv("{0} B", b).str();
}

std::string countText(int64_t n) {
  if (n >= 1000000000)
    return formatv("{0:f2} G", n / 1e9).str();
  if (n >= 1000000)
    return formatv("{0:f2} M", n / 1e6).str();
  if (n >= 1000)
    return formatv("{0:f1} k", n / 1e3).str();
  return std::to_string(n);
}

const char *precisionColor(StringRef p) {
  if (p == "f32")
    return "#4e79a7";
  if (p == "i8" || p == "u8")
    return "#f28e2b";
  if (p == "i16" || p == "u16")
    return "#59a14f";
  if (p == "f16" || p == "bf16")
    return "#76b7b2";
  return "#9c9c9c";
}

/// A stable colour per buffer owner.
const char *bufferColor(StringRef node) {
  static const char *palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                  "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                  "#9c755f", "#86bcb6"};
  return palette[llvm::xxh3_64bits(node) % std::size(palette)];
}

std::string nodesText(const std::vector<std::string> &nodes) {
  std::string s;
  for (const std::string &n : nodes)
    s += (s.empty() ? "" : " + ") + n;
  return s;
}

const char *kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:18px}
table{border-collapse:collapse;font-size:13px} td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{height:10px;background:#4e79a7;display:inline-block}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif}
.muted{color:#777}
)";

void writeTimeline(const MemorySection &m, raw_ostream &os) {
  const double W = 1100, H = 380, x0 = 80, x1 = W - 20, y0 = 20, y1 = H - 40;
  int64_t top = std::max<int64_t>({m.arenaBytes, m.livePeakBytes, 1});
  int64_t positions = std::max<int64_t>(m.positions, 1);
  auto X = [&](double p) { return x0 + (x1 - x0) * p / positions; };
  auto Y = [&](double b) { return y1 - (y1 - y0) * b / top; };
  os << formatv("<svg id=\"timeline\" width=\"{0}\" height=\"{1}\" "
                "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"memory "
                "timeline\">\n",
                W, H);
  os << formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" "
                "fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
                x0, y0, x1 - x0, y1 - y0);
  for (const ArenaBuffer &b : m.buffers) {
    double x = X(b.start), w = std::max(1.5, X(b.end + 1) - x);
    double y = Y(b.offset + b.bytes), h = std::max(1.0, Y(b.offset) - y);
    os << formatv("<rect class=\"buffer\" x=\"{0:f1}\" y=\"{1:f1}\" "
                  "width=\"{2:f1}\" height=\"{3:f1}\" fill=\"{4}\" "
                  "fill-opacity=\"0.85\" stroke=\"#fff\" stroke-width=\"0.5\">"
                  "<title>{5}: {6} at offset {7}, live at positions {8}-{9}"
                  "</title></rect>\n",
                  x, y, w, h, bufferColor(b.node),
                  esc(b.node.empty() ? "(buffer)" : b.node), bytesText(b.bytes),
                  b.offset, b.start, b.end);
  }
  // The arena's size and the live peak (no plan can use less), and where
  // the peak is.
  os << formatv("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:f1}\" y2=\"{2:f1}\" "
                "stroke=\"#222\"/><text x=\"{3}\" y=\"{4:f1}\" "
                "text-anchor=\"end\">arena {5}</text>\n",
                x0, x1, Y(m.arenaBytes), x1, Y(m.arenaBytes) - 4,
                bytesText(m.arenaBytes));
  os << formatv("<line id=\"peak\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:f1}\" "
                "y2=\"{2:f1}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>"
                "<line x1=\"{3:f1}\" x2=\"{3:f1}\" y1=\"{4}\" y2=\"{5}\" "
                "stroke=\"#d62728\" stroke-dasharray=\"2 3\"/>"
                "<text x=\"{6:f1}\" y=\"{7:f1}\" fill=\"#d62728\">live peak "
                "{8} at position {9}</text>\n",
                x0, x1, Y(m.livePeakBytes), X(m.peakPosition + 0.5), y0, y1,
                X(m.peakPosition + 0.5) + 4, Y(m.livePeakBytes) + 14,
                bytesText(m.livePeakBytes), m.peakPosition);
  for (int i = 0; i <= 4; ++i) {
    double b = top * i / 4.0;
    os << formatv("<text x=\"{0}\" y=\"{1:f1}\" text-anchor=\"end\">{2}"
                  "</text>\n",
                  x0 - 6, Y(b) + 4, bytesText(uint64_t(b)));
  }
  os << formatv("<text x=\"{0}\" y=\"{1}\">op position (program order) "
                "&#8594; {2}</text>\n",
                x0, H - 14, positions);
  os << "</svg>\n";
}

void writeGraph(const std::vector<GraphOp> &graph, raw_ostream &os) {
  const double row = 22, x0 = 260, boxW = 560;
  // Ops sharing a kernel (fused) are drawn with a thick outline.
  std::map<int64_t, int> opsPerKernel;
  for (const GraphOp &g : graph)
    if (g.kernel >= 0)
      ++opsPerKernel[g.kernel];
  double H = graph.size() * row + 20;
  os << formatv("<svg id=\"graph\" width=\"1100\" height=\"{0}\" "
                "viewBox=\"0 0 1100 {0}\" role=\"img\" aria-label=\"graph\">\n",
                H);
  auto Y = [&](size_t i) { return 10 + i * row + row / 2; };
  // Data edges as arcs left of the boxes, wider for longer jumps.
  for (size_t j = 0; j < graph.size(); ++j)
    for (int64_t i : graph[j].inputs) {
      if (i < 0 || size_t(i) >= j)
        continue;
      double span = std::min(240.0, 12.0 + 6.0 * std::sqrt(double(j - i)) * 4);
      os << formatv("<path d=\"M{0} {1:f1} C{2:f1} {1:f1} {2:f1} {3:f1} {0} "
                    "{3:f1}\" fill=\"none\" stroke=\"#bbb\"/>\n",
                    x0, Y(i), x0 - span, Y(j));
    }
  for (size_t i = 0; i < graph.size(); ++i) {
    const GraphOp &g = graph[i];
    double y = Y(i) - row / 2 + 2;
    std::string nodes = nodesText(g.nodes);
    os << formatv("<g class=\"op\"><title>{0} {1} {2}: {3} FLOPs, {4} "
                  "read+written ({5} weights)</title>"
                  "<rect x=\"{6}\" y=\"{7:f1}\" width=\"{8}\" height=\"{9}\" "
                  "rx=\"3\" fill=\"{10}\" fill-opacity=\"0.15\" stroke=\"{10}\""
                  "{11}/>",
                  esc(nodes), g.op, g.shape, countText(g.flops),
                  bytesText(g.bytes), bytesText(g.weightBytes), x0, y, boxW,
                  row - 4, precisionColor(g.precision),
                  g.nodes.size() > 1 ||
                          (g.kernel >= 0 && opsPerKernel[g.kernel] > 1)
                      ? " stroke-width=\"2.5\""
                      : "");
    if (g.kernel >= 0)
      os << formatv("<text x=\"{0}\" y=\"{1:f1}\" text-anchor=\"end\" "
                    "fill=\"#555\">k{2}</text>",
                    x0 + boxW - 6, y + 13, g.kernel);
    os << formatv("<text x=\"{0}\" y=\"{1:f1}\"><tspan font-weight=\"600\">"
                  "{2}</tspan> {3} {4}</text>",
                  x0 + 6, y + 13, g.op, g.precision, g.shape);
    std::string label = nodes.size() > 60 ? nodes.substr(0, 57) + "..." : nodes;
    os << formatv("<text x=\"{0}\" y=\"{1:f1}\" class=\"muted\" "
                  "fill=\"#666\">{2}</text></g>\n",
                  x0 + boxW + 8, y + 13, esc(label));
  }
  os << "</svg>\n";
}

} // namespace

void writeReportHTML(const Report &r, raw_ostream &os) {
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
     << "<title>edgec report: " << esc(r.model) << "</title><style>" << kStyle
     << "</style></head>\n<body>\n";
  os << "<h1>edgec report: " << esc(r.model) << "</h1>\n<div class=\"muted\">"
     << "target " << esc(r.target) << "</div>\n";

  // Totals.
  uint64_t flash = 0, ramData = 0;
  for (const ObjectSectionSize &s : r.sections) {
    if (s.region != "ram")
      flash += s.bytes;
    if (s.region != "flash")
      ramData += s.bytes;
  }
  int64_t flops = 0;
  for (const GraphOp &g : r.graph)
    flops += g.flops;
  os << "<div class=\"cards\">";
  auto card = [&](StringRef title, const std::string &value) {
    os << "<div class=\"card\">" << esc(title) << "<b>" << esc(value)
       << "</b></div>";
  };
  card("flash (code, weights, constants)", bytesText(flash));
  if (r.memory) {
    const MemorySection &m = *r.memory;
    card("RAM (arena + stack + data)",
         bytesText(m.arenaBytes + m.stackBytes + ramData));
    card("arena", bytesText(m.arenaBytes));
    card("arena / live peak",
         formatv("{0:f2}",
                 m.livePeakBytes ? double(m.arenaBytes) / m.livePeakBytes : 1.0)
             .str());
    card("weights", bytesText(m.weightsBytes));
  }
  card("ops after optimization", std::to_string(r.graph.size()));
  if (r.kernels)
    card("kernels (fused loop nests)", std::to_string(r.kernels));
  card("estimated FLOPs", countText(flops));
  if (r.profile)
    card("measured per run", formatv("{0:f1} us", r.profile->totalUs).str());
  os << "</div>\n";

  if (r.memory) {
    const MemorySection &m = *r.memory;
    os << "<section id=\"memory\"><h2>Memory plan</h2>\n<p>Each bar is an "
          "arena buffer: its offset (up) over the positions where it is live "
          "(right). The arena is "
       << bytesText(m.arenaBytes) << " for " << m.buffers.size()
       << " buffers; at most " << bytesText(m.livePeakBytes)
       << " are live at once (the red line: no plan needs less). Weights ("
       << bytesText(m.weightsBytes) << ") stay in flash; the stack bound is "
       << bytesText(m.stackBytes) << ".</p>\n";
    writeTimeline(m, os);
    os << "</section>\n";
  }

  if (!r.sections.empty()) {
    os << "<section id=\"sizes\"><h2>Flash and RAM by section</h2>\n<table>"
          "<tr><th>section</th><th>bytes</th><th>memory</th></tr>\n";
    for (const ObjectSectionSize &s : r.sections)
      os << "<tr><td>" << esc(s.name) << "</td><td class=\"n\">" << s.bytes
         << "</td><td>" << esc(s.region) << "</td></tr>\n";
    if (r.memory)
      os << "<tr><td>arena (the application's)</td><td class=\"n\">"
         << r.memory->arenaBytes << "</td><td>ram</td></tr>\n"
         << "<tr><td>stack (bound)</td><td class=\"n\">" << r.memory->stackBytes
         << "</td><td>ram</td></tr>\n";
    os << "</table></section>\n";
  }

  if (!r.graph.empty()) {
    int64_t most = 1;
    for (const GraphOp &g : r.graph)
      most = std::max(most, g.flops);
    os << "<section id=\"cost\"><h2>Per-layer cost (estimated)</h2>\n<table>"
          "<tr><th>#</th><th>op</th><th>ONNX nodes</th><th>kernel</th>"
          "<th>precision</th><th>output</th><th>FLOPs</th><th></th>"
          "<th>bytes</th><th>weights</th>"
       << (r.profile ? "<th>measured (kernel)</th>" : "") << "</tr>\n";
    std::map<int64_t, size_t> firstOfKernel;
    for (size_t i = 0; i < r.graph.size(); ++i)
      if (r.graph[i].kernel >= 0)
        firstOfKernel.try_emplace(r.graph[i].kernel, i);
    for (size_t i = 0; i < r.graph.size(); ++i) {
      const GraphOp &g = r.graph[i];
      std::string measured;
      if (r.profile) {
        // A kernel's time on its first op; the ops fused into it point up.
        if (g.kernel < 0 || size_t(g.kernel) >= r.profile->kernelUs.size())
          measured = "-";
        else if (firstOfKernel[g.kernel] == i)
          measured = formatv("{0:f2} us", r.profile->kernelUs[g.kernel]).str();
        else
          measured = "(with #" + std::to_string(firstOfKernel[g.kernel]) + ")";
        measured = "<td class=\"n\">" + measured + "</td>";
      }
      os << formatv("<tr><td class=\"n\">{0}</td><td>{1}</td><td>{2}</td>"
                    "<td>{9}</td><td>{3}</td><td>{4}</td><td class=\"n\">{5}"
                    "</td><td><span class=\"bar\" style=\"width:{6}px\">"
                    "</span></td><td class=\"n\">{7}</td><td class=\"n\">"
                    "{8}</td>{10}</tr>\n",
                    i, g.op, esc(nodesText(g.nodes)), g.precision, g.shape,
                    countText(g.flops), int64_t(120.0 * g.flops / most),
                    bytesText(g.bytes), bytesText(g.weightBytes),
                    g.kernel >= 0 ? "k" + std::to_string(g.kernel) : "-",
                    measured);
    }
    os << "</table>";
    if (r.profile)
      os << "<p>Measured: the mean over " << r.profile->runs
         << " runs of each kernel's time (" << esc(r.profile->file)
         << ", the runner's --profile of the same model and flags built with "
            "--instrument-kernels); the kernels that compute no graph op "
            "(copies into padded buffers, layout changes) take the rest.</p>";
    os << "</section>\n";
    os << "<section id=\"graph-section\"><h2>Graph after optimization</h2>\n"
          "<p class=\"legend\">Ops in program order, data edges on the left, "
          "kN: the kernel (loop nest) of the generated code that computes "
          "the op; a thick outline: fused, with other ops into one kernel or "
          "several ONNX nodes into one op. Precision:<span "
          "style=\"background:#4e79a7\"></span>f32"
          "<span style=\"background:#f28e2b\"></span>int8"
          "<span style=\"background:#59a14f\"></span>int16"
          "<span style=\"background:#9c9c9c\"></span>other</p>\n";
    writeGraph(r.graph, os);
    os << "</section>\n";
  }

  if (const auto &q = r.quantization) {
    os << "<section id=\"quantization\"><h2>Quantization</h2>\n<p>"
       << esc(q->mode) << ", " << esc(q->method) << " calibration on "
       << q->samples << " samples; weights " << bytesText(q->weightBytesFloat)
       << " &#8594; " << bytesText(q->weightBytesQuantized)
       << "</p>\n<table><tr><th>node</th><th>op</th><th>precision</th>"
          "<th>SQNR dB</th></tr>\n";
    for (const QuantizedLayer &l : q->layers)
      os << "<tr><td>" << esc(l.node) << "</td><td>" << esc(l.op) << "</td><td>"
         << esc(l.precision) << "</td><td class=\"n\">"
         << (l.sqnrDb && std::isfinite(*l.sqnrDb)
                 ? formatv("{0:f1}", *l.sqnrDb).str()
                 : std::string(l.sqnrDb ? "exact" : "-"))
         << "</td></tr>\n";
    os << "</table></section>\n";
  }
  if (const auto &n = r.npu) {
    int64_t onNpu = 0;
    for (const NpuLayer &l : n->layers)
      onNpu += l.device == "npu";
    os << "<section id=\"npu\"><h2>CPU and NPU</h2>\n<p>" << esc(n->config)
       << " (" << n->n << "&#215;" << n->n << ", " << n->sramBytes / 1024
       << " KiB SRAM): " << onNpu << " of " << n->layers.size()
       << " layers on the NPU; cycles are estimates (docs/npu.md)</p>\n"
          "<table><tr><th>node</th><th>op</th><th>device</th><th>MACs</th>"
          "<th>NPU cycles</th><th>CPU cycles</th><th>DMA bytes</th>"
          "<th>weights</th><th>why on the CPU</th></tr>\n";
    for (const NpuLayer &l : n->layers)
      os << "<tr><td>" << esc(l.layer) << "</td><td>" << esc(l.op)
         << "</td><td>" << esc(l.device) << "</td><td class=\"n\">" << l.macs
         << "</td><td class=\"n\">"
         << (l.npuCycles ? std::to_string(l.npuCycles) : "-")
         << "</td><td class=\"n\">" << l.cpuCycles << "</td><td class=\"n\">"
         << (l.device == "npu" ? std::to_string(l.dmaBytes) : "-")
         << "</td><td class=\"n\">"
         << esc(l.device == "npu" ? l.weightText() : "-") << "</td><td>"
         << esc(l.reason) << "</td></tr>\n";
    os << "</table></section>\n";
  }
  if (const auto &p = r.pruning) {
    os << "<section id=\"pruning\"><h2>Pruning</h2>\n";
    if (!p->channels.empty()) {
      os << "<table><tr><th>node</th><th>op</th><th>output channels</th>"
            "<th>kept</th><th>why all kept</th></tr>\n";
      for (const ChannelLayer &l : p->channels)
        os << "<tr><td>" << esc(l.layer) << "</td><td>" << esc(l.op)
           << "</td><td class=\"n\">" << l.channels << "</td><td class=\"n\">"
           << l.kept << "</td><td>" << esc(l.reason) << "</td></tr>\n";
      os << "</table>\n";
    }
    if (p->blockRows)
      os << "<p>in " << p->blockRows << "&#215;" << p->blockCols
         << " blocks</p>\n";
    if (p->minSqnrDb)
      os << "<p>each layer's sparsity chosen for an output SQNR of "
         << formatv("{0:f1}", *p->minSqnrDb) << " dB: measured "
         << (p->outputSqnrDb ? formatv("{0:f1}", *p->outputSqnrDb).str()
                             : std::string("-"))
         << " dB</p>\n";
    if (!p->layers.empty()) {
      os << "<table><tr><th>node</th><th>op</th><th>weights</th>"
            "<th>zero before</th><th>zero after</th><th>why dense</th></tr>\n";
      for (const PrunedLayer &l : p->layers)
        os << "<tr><td>" << esc(l.layer) << "</td><td>" << esc(l.op)
           << "</td><td class=\"n\">" << l.weights << "</td><td class=\"n\">"
           << percentText(l.zerosBefore, l.weights) << "</td><td class=\"n\">"
           << percentText(l.zerosAfter, l.weights) << "</td><td>"
           << esc(l.reason) << "</td></tr>\n";
      os << "</table>\n";
    }
    os << "</section>\n";
  }
  if (!r.sparseKernels.empty()) {
    os << "<section id=\"sparse\"><h2>Sparse kernels</h2>\n"
          "<table><tr><th>node</th><th>format</th><th>nonzeros</th>"
          "<th>weights</th><th>bytes</th><th>dense bytes</th><th>zeros</th>"
          "</tr>\n";
    for (const SparseKernel &k : r.sparseKernels)
      os << "<tr><td>" << esc(k.layer) << "</td><td>" << esc(k.format)
         << "</td><td class=\"n\">" << k.nonzeros << "</td><td class=\"n\">"
         << k.weights << "</td><td class=\"n\">" << k.bytes
         << "</td><td class=\"n\">" << k.denseBytes << "</td><td>"
         << (k.origin == "model" ? "in the model" : "pruned") << "</td></tr>\n";
    os << "</table></section>\n";
  }
  os << "</body></html>\n";
}

} // namespace edgec
