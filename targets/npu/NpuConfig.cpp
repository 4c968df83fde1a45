//===- NpuConfig.cpp - ENPU configurations --------------------------------===//
#include "targets/npu/NpuConfig.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace npu {

namespace {
const NpuConfig kNamed[] = {
    {"npu8-64k", 8, 64 * 1024, 4, 8},
    {"npu16-256k", 16, 256 * 1024, 8, 16},
    {"npu32-1m", 32, 1024 * 1024, 16, 32},
};
} // namespace

std::optional<NpuConfig> namedConfig(llvm::StringRef name) {
  for (const NpuConfig &c : kNamed)
    if (name == c.name)
      return c;
  return std::nullopt;
}

std::string checkConfig(const NpuConfig &c) {
  if (c.n != 8 && c.n != 16 && c.n != 32)
    return "n must be 8, 16 or 32 (got " + std::to_string(c.n) + ")";
  if (!llvm::isPowerOf2_32(c.sram) || c.sram < (16u << 10) ||
      c.sram > (16u << 20))
    return "sram must be a power of two from 16K to 16M (got " +
           std::to_string(c.sram) + ")";
  if (!llvm::isPowerOf2_32(c.banks) || c.banks > 16)
    return "banks must be a power of two from 1 to 16 (got " +
           std::to_string(c.banks) + ")";
  if (!llvm::isPowerOf2_32(c.dma) || c.dma < 4 || c.dma > 64)
    return "dma must be a power of two from 4 to 64 bytes per cycle (got " +
           std::to_string(c.dma) + ")";
  return "";
}

std::string readConfigFile(llvm::StringRef path, NpuConfig &out) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return "cannot read NPU configuration '" + path.str() +
           "': " + buffer.getError().message();
  NpuConfig c;
  c.name = "custom";
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef line = lines[i].split('#').first.trim();
    if (line.empty())
      continue;
    std::string where = path.str() + ":" + std::to_string(i + 1) + ": ";
    auto [key, value] = line.split('=');
    key = key.trim();
    value = value.trim();
    if (!line.contains('=') || value.empty())
      return where + "expected 'key = value'";
    if (key == "name") {
      c.name = value.str();
      continue;
    }
    uint64_t scale = 1;
    if (value.ends_with_insensitive("k"))
      scale = 1024, value = value.drop_back();
    else if (value.ends_with_insensitive("m"))
      scale = 1024 * 1024, value = value.drop_back();
    uint64_t v = 0;
    if (value.getAsInteger(10, v) || v > UINT32_MAX / scale)
      return where + "'" + value.str() + "' is not a number in range";
    v *= scale;
    if (key == "n")
      c.n = uint32_t(v);
    else if (key == "sram")
      c.sram = uint32_t(v);
    else if (key == "banks")
      c.banks = uint32_t(v);
    else if (key == "dma")
      c.dma = uint32_t(v);
    else
      return where + "unknown key '" + key.str() +
             "' (expected name, n, sram, banks, dma)";
  }
  if (std::string why = checkConfig(c); !why.empty())
    return path.str() + ": " + why;
  out = c;
  return "";
}

std::optional<NpuConfig> moduleConfig(ModuleOp module) {
  auto dict = module->getAttrOfType<DictionaryAttr>(kConfigAttrName);
  if (!dict)
    return std::nullopt;
  NpuConfig c;
  auto get = [&](StringRef key, uint32_t &field) {
    if (auto v = dict.getAs<IntegerAttr>(key))
      field = uint32_t(v.getInt());
  };
  if (auto name = dict.getAs<StringAttr>("name"))
    c.name = name.str();
  get("n", c.n);
  get("sram", c.sram);
  get("banks", c.banks);
  get("dma", c.dma);
  return c;
}

void setModuleConfig(ModuleOp module, const NpuConfig &c) {
  Builder b(module.getContext());
  module->setAttr(kConfigAttrName,
                  b.getDictionaryAttr(
                      {b.getNamedAttr("name", b.getStringAttr(c.name)),
                       b.getNamedAttr("n", b.getI64IntegerAttr(c.n)),
                       b.getNamedAttr("sram", b.getI64IntegerAttr(c.sram)),
                       b.getNamedAttr("banks", b.getI64IntegerAttr(c.banks)),
                       b.getNamedAttr("dma", b.getI64IntegerAttr(c.dma))}));
}

void printConfigs(llvm::raw_ostream &os) {
  os << "NPU configurations (--npu=NAME; --npu-config=FILE for others, "
        "docs/npu.md):\n";
  for (const NpuConfig &c : kNamed)
    os << "  " << c.name << ": " << c.n << "x" << c.n << " int8 MACs, "
       << c.sram / 1024 << " KiB SRAM in " << c.banks << " banks, DMA " << c.dma
       << " bytes/cycle\n";
}

} // namespace npu
