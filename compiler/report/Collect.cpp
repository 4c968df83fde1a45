//===- Collect.cpp - the report's sections, read from the compilation -----===//
#include "compiler/report/Collect.h"
#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuDialect.h"

#include "dialects/Edge/IR/EdgeOps.h"
#include "passes/quant/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace edgec {

namespace {

/// Bytes one element takes in a buffer (a quantized value: its storage).
int64_t elementBytes(Type type) {
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return (q.getStorageTypeIntegralWidth() + 7) / 8;
  if (type.isIntOrFloat())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  return 0;
}

std::string precisionName(Type type) {
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return (q.isSigned() ? "i" : "u") +
           std::to_string(q.getStorageTypeIntegralWidth());
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

int64_t tensorBytes(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return t.getNumElements() * elementBytes(t.getElementType());
}

int64_t numElements(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() ? t.getNumElements() : 0;
}

int64_t dimOf(Value v, int64_t d) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() == 0)
    return 1;
  if (d < 0)
    d += t.getRank();
  return std::max<int64_t>(t.getDimSize(d), 1);
}

/// Estimated floating-point (or integer) operations: two per multiply-add
/// of the compute ops, one per output element of the others.
int64_t estimateFlops(Operation *op) {
  if (op->getNumResults() == 0)
    return 0;
  int64_t out = numElements(op->getResult(0));
  if (auto conv = dyn_cast<edge::ConvOp>(op)) {
    int64_t filters = dimOf(conv.getFilter(), 0);
    return 2 * out * (numElements(conv.getFilter()) / filters);
  }
  if (auto gemm = dyn_cast<edge::GemmOp>(op))
    return 2 * out * dimOf(gemm.getA(), gemm.getTransA() ? 0 : 1);
  if (auto matmul = dyn_cast<edge::MatMulOp>(op))
    return 2 * out * dimOf(matmul.getLhs(), -1);
  return out;
}

} // namespace

void collectGraph(ModuleOp module, Report &report) {
  // The graph as the kernels see it: quantize/dequantize chains around the
  // compute ops folded into integer ops (what the linalg phase does first),
  // on a copy.
  OwningOpRef<ModuleOp> folded;
  bool quantized = false;
  module.walk([&](Operation *op) { quantized |= isa<edge::QuantizeOp>(op); });
  if (quantized) {
    folded = module.clone();
    PassManager pm(module.getContext());
    pm.nest<func::FuncOp>().addPass(createEdgeQuantFold());
    pm.addPass(createCanonicalizerPass());
    if (succeeded(pm.run(*folded)))
      module = *folded;
  }
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return;
  report.graph.clear();
  llvm::DenseMap<Operation *, int64_t> index;
  for (Operation &op : main.getBody().front()) {
    if (!op.getDialect() || op.getDialect()->getNamespace() != "edge" ||
        op.getNumResults() == 0)
      continue;
    GraphOp g;
    g.op = op.getName().stripDialect().str();
    SmallVector<StringRef> nodes;
    edge::nodeNames(op.getLoc(), nodes);
    for (StringRef n : nodes)
      if (!llvm::is_contained(g.nodes, n.str()))
        g.nodes.push_back(n.str());
    Type result = op.getResult(0).getType();
    if (auto t = dyn_cast<RankedTensorType>(result)) {
      g.precision = precisionName(t.getElementType());
      for (int64_t d : t.getShape())
        g.shape +=
            (g.shape.empty() ? "" : "x") +
            (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
      if (t.getRank() == 0)
        g.shape = "scalar";
    }
    for (Value operand : op.getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && matchPattern(def, m_Constant())) {
        g.weightBytes += tensorBytes(operand.getType());
        continue;
      }
      g.bytes += tensorBytes(operand.getType());
      if (def && index.count(def) &&
          !llvm::is_contained(g.inputs, index.lookup(def)))
        g.inputs.push_back(index.lookup(def));
    }
    for (Value r : op.getResults())
      g.bytes += tensorBytes(r.getType());
    g.bytes += g.weightBytes;
    g.flops = estimateFlops(&op);
    index[&op] = report.graph.size();
    report.graph.push_back(std::move(g));
  }
}

void collectKernels(ModuleOp module, Report &report) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return;
  // A node's ops may sit in several kernels (a padded input's copy, a
  // Winograd transform): it belongs to the one doing the most arithmetic
  // with its name on it.
  llvm::StringMap<std::pair<int64_t, int64_t>> kernelOf; // name -> (k, work)
  int64_t kernels = 0;
  for (Operation &op : main.getBody().front()) {
    auto mark = op.getAttrOfType<IntegerAttr>("edge.kernel");
    if (!mark)
      continue;
    int64_t k = mark.getInt();
    kernels = std::max(kernels, k + 1);
    llvm::StringMap<int64_t> work;
    op.walk([&](Operation *inner) {
      SmallVector<StringRef> names;
      edge::nodeNames(inner->getLoc(), names);
      StringRef dialect = inner->getDialect()
                              ? inner->getDialect()->getNamespace()
                              : StringRef();
      bool arithmetic = dialect == "arith" || dialect == "math" ||
                        dialect == "vector" || isa<linalg::LinalgOp>(inner);
      for (StringRef name : names)
        work[name] += arithmetic ? 1 : 0;
    });
    for (auto &[name, w] : work) {
      auto [it, inserted] = kernelOf.try_emplace(name, k, w);
      if (!inserted && w > it->second.second)
        it->second = {k, w};
    }
  }
  report.kernels = kernels;
  for (GraphOp &g : report.graph)
    for (const std::string &node : g.nodes)
      if (auto it = kernelOf.find(node); it != kernelOf.end()) {
        g.kernel = it->second.first;
        break;
      }
}

std::string readProfile(llvm::StringRef path, Report &report) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return "cannot read: " + buffer.getError().message();
  auto parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed)
    return "not JSON: " + llvm::toString(parsed.takeError());
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Array *kernels = root ? root->getArray("kernels") : nullptr;
  auto runs = root ? root->getInteger("runs") : std::nullopt;
  if (!root || !root->getInteger("edgec_profile") || !kernels || !runs ||
      *runs <= 0)
    return "not a profile written by the runner's --profile";
  KernelProfile p;
  p.file = llvm::sys::path::filename(path).str();
  p.runs = *runs;
  p.kernelUs.assign(report.kernels, 0.0);
  for (const llvm::json::Value &v : *kernels) {
    const llvm::json::Object *k = v.getAsObject();
    auto index = k ? k->getInteger("kernel") : std::nullopt;
    auto us = k ? k->getNumber("us") : std::nullopt;
    if (!index || !us || *index < 0 || *us < 0)
      return "a kernel entry is not {\"kernel\": K, \"us\": T}";
    if (*index >= report.kernels)
      return "the profile times kernel k" + std::to_string(*index) +
             " but this compilation has " + std::to_string(report.kernels) +
             " kernels: profile the same model and flags, built with "
             "--instrument-kernels";
    p.kernelUs[*index] = *us;
    p.totalUs += *us;
  }
  report.profile = std::move(p);
  return "";
}

void collectMemory(ModuleOp module, Report &report) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return;
  MemorySection m;
  if (auto size = main->getAttrOfType<IntegerAttr>("edge.arena_size"))
    m.arenaBytes = size.getInt();
  if (auto peak = main->getAttrOfType<IntegerAttr>("edge.arena_live_peak"))
    m.livePeakBytes = peak.getInt();
  auto plan = main->getAttrOfType<ArrayAttr>(edge::kMemoryPlanAttrName);
  if (plan) {
    for (Attribute a : plan) {
      auto d = dyn_cast<DictionaryAttr>(a);
      if (!d)
        continue;
      auto get = [&](StringRef key) -> int64_t {
        auto v = d.getAs<IntegerAttr>(key);
        return v ? v.getInt() : 0;
      };
      ArenaBuffer b;
      b.offset = get("offset");
      b.bytes = get("bytes");
      b.start = get("start");
      b.end = get("end");
      m.positions = std::max(m.positions, b.end + 1);
      m.buffers.push_back(std::move(b));
    }
    // Each buffer's view names its node.
    main.walk([&](memref::ViewOp view) {
      auto index = view->getAttrOfType<IntegerAttr>(edge::kBufferAttrName);
      if (!index || index.getInt() < 0 ||
          size_t(index.getInt()) >= m.buffers.size())
        return;
      SmallVector<StringRef> nodes;
      edge::nodeNames(view.getLoc(), nodes);
      if (!nodes.empty())
        m.buffers[index.getInt()].node = nodes.front().str();
    });
    // Where the most bytes are live (a buffer's start is where the sum
    // can grow).
    int64_t best = -1;
    for (const ArenaBuffer &at : m.buffers) {
      int64_t live = 0;
      for (const ArenaBuffer &b : m.buffers)
        if (b.start <= at.start && at.start <= b.end)
          live += b.bytes;
      if (live > best) {
        best = live;
        m.peakPosition = at.start;
      }
    }
  }
  report.memory = std::move(m);
}

std::string collectSections(llvm::StringRef path, Report &report) {
  auto file = llvm::object::ObjectFile::createObjectFile(path);
  if (!file)
    return llvm::toString(file.takeError());
  report.sections.clear();
  std::map<std::string, ObjectSectionSize> byName;
  for (const llvm::object::SectionRef &section :
       file->getBinary()->sections()) {
    auto name = section.getName();
    if (!name || section.getSize() == 0)
      continue;
    std::string region;
    if (auto elf =
            dyn_cast<llvm::object::ELFObjectFileBase>(file->getBinary())) {
      llvm::object::ELFSectionRef ref(section);
      if (!(ref.getFlags() & llvm::ELF::SHF_ALLOC))
        continue;
      if (ref.getType() == llvm::ELF::SHT_NOBITS)
        region = "ram";
      else if (ref.getFlags() & llvm::ELF::SHF_WRITE)
        region = "flash+ram";
      else
        region = "flash";
    } else {
      region = section.isBSS() ? "ram" : "flash";
    }
    // .text.model_entry, .rodata.cst16, ...: one row per output section.
    std::string key = name->str();
    for (StringRef prefix : {".text", ".rodata", ".data.rel.ro", ".data",
                             ".bss", ".tbss", ".tdata"})
      if (name->starts_with((prefix + ".").str())) {
        key = prefix.str();
        break;
      }
    ObjectSectionSize &s = byName[key];
    s.name = key;
    s.bytes += section.getSize();
    s.region = region;
  }
  for (auto &entry : byName)
    report.sections.push_back(entry.second);
  return "";
}

/// Reads `key` of a record the passes wrote into `out` when present (and
/// of the right kind).
static void read(DictionaryAttr d, StringRef key, std::string &out) {
  if (auto v = d.getAs<StringAttr>(key))
    out = v.str();
}
static void read(DictionaryAttr d, StringRef key, int64_t &out) {
  if (auto v = d.getAs<IntegerAttr>(key))
    out = v.getInt();
}
static void read(DictionaryAttr d, StringRef key, std::optional<double> &out) {
  if (auto v = d.getAs<FloatAttr>(key))
    out = v.getValueAsDouble();
}

/// The dictionaries of the module's array attribute `name`.
static SmallVector<DictionaryAttr> records(Operation *op, StringRef name) {
  SmallVector<DictionaryAttr> out;
  if (auto list = op->getAttrOfType<ArrayAttr>(name))
    for (Attribute a : list)
      if (auto d = dyn_cast<DictionaryAttr>(a))
        out.push_back(d);
  return out;
}

void collectPruning(ModuleOp module, Report &report) {
  if (!module->hasAttr("edge.pruning") &&
      !module->hasAttr("edge.channel_pruning"))
    return;
  PruningSection section;
  for (DictionaryAttr d : records(module, "edge.channel_pruning")) {
    ChannelLayer l;
    read(d, "layer", l.layer);
    read(d, "op", l.op);
    read(d, "reason", l.reason);
    read(d, "channels", l.channels);
    read(d, "kept", l.kept);
    section.channels.push_back(std::move(l));
  }
  for (DictionaryAttr d : records(module, "edge.pruning")) {
    PrunedLayer l;
    read(d, "layer", l.layer);
    read(d, "op", l.op);
    read(d, "reason", l.reason);
    read(d, "sqnr_db", l.sqnrDb);
    read(d, "weights", l.weights);
    read(d, "zeros_before", l.zerosBefore);
    read(d, "zeros_after", l.zerosAfter);
    section.layers.push_back(std::move(l));
  }
  if (auto block =
          module->getAttrOfType<DenseI64ArrayAttr>("edge.pruning_block");
      block && block.size() == 2) {
    section.blockRows = block[0];
    section.blockCols = block[1];
  }
  if (auto sweep = module->getAttrOfType<DictionaryAttr>("edge.prune_sweep")) {
    read(sweep, "min_sqnr_db", section.minSqnrDb);
    read(sweep, "output_sqnr_db", section.outputSqnrDb);
    read(sweep, "runs", section.sweepRuns);
  }
  report.pruning = std::move(section);
}

void collectSparseKernels(ModuleOp module, Report &report) {
  report.sparseKernels.clear();
  // Written per function by edge-cpu-sparse-kernels (a function pass).
  SmallVector<DictionaryAttr> all;
  for (auto func : module.getOps<func::FuncOp>())
    llvm::append_range(all, records(func, "edge.sparse_kernels"));
  for (DictionaryAttr d : all) {
    SparseKernel k;
    read(d, "layer", k.layer);
    read(d, "format", k.format);
    read(d, "nonzeros", k.nonzeros);
    read(d, "weights", k.weights);
    read(d, "bytes", k.bytes);
    read(d, "dense_bytes", k.denseBytes);
    k.origin = "model";
    if (report.pruning)
      for (const PrunedLayer &l : report.pruning->layers)
        if (l.layer == k.layer && l.zerosAfter > l.zerosBefore)
          k.origin = "pruned";
    report.sparseKernels.push_back(std::move(k));
  }
}

void collectNpu(ModuleOp module, Report &report) {
  std::optional<npu::NpuConfig> config = npu::moduleConfig(module);
  auto placement = module->getAttrOfType<ArrayAttr>("npu.placement");
  if (!config || !placement)
    return;
  NpuSection section;
  section.config = config->name;
  section.n = config->n;
  section.sramBytes = config->sram;
  auto integer = [](DictionaryAttr d, StringRef key) -> int64_t {
    auto v = d.getAs<IntegerAttr>(key);
    return v ? v.getInt() : 0;
  };
  auto text = [](DictionaryAttr d, StringRef key) -> std::string {
    auto v = d.getAs<StringAttr>(key);
    return v ? v.str() : "";
  };
  for (Attribute a : placement) {
    auto d = dyn_cast<DictionaryAttr>(a);
    if (!d)
      continue;
    NpuLayer l;
    l.layer = text(d, "layer");
    l.op = text(d, "op");
    l.device = text(d, "device");
    l.reason = text(d, "reason");
    l.macs = integer(d, "macs");
    l.npuCycles = integer(d, "npu_cycles");
    l.cpuCycles = integer(d, "cpu_cycles");
    l.stream = text(d, "stream");
    if (!l.stream.empty())
      if (auto s = module.lookupSymbol<npu::StreamOp>(l.stream))
        for (auto [key, field] : {std::pair{"dma_bytes", &l.dmaBytes},
                                  std::pair{"weight_bytes", &l.weightBytes},
                                  std::pair{"weight_tiles", &l.weightTiles},
                                  std::pair{"stored_tiles", &l.storedTiles}})
          if (auto v = s->getAttrOfType<IntegerAttr>(key))
            *field = v.getInt();
    section.layers.push_back(std::move(l));
  }
  report.npu = std::move(section);
}

} // namespace edgec
