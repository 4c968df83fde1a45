//===- NpuConfig.h - ENPU configurations: named, from a file, in the IR -*-===//
//
// A configuration of the accelerator (docs/npu-spec.md §1.1): the named
// ones `--npu=` takes (listed by --print-targets), a custom one read from
// `--npu-config=FILE`, and its form in the IR: the module attribute
// `npu.config = {name = "npu16-256k", n = 16, sram = 262144, banks = 8,
// dma = 16}` that the driver sets and the npu passes read.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_NPUCONFIG_H
#define EDGEC_TARGETS_NPU_NPUCONFIG_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>

namespace npu {

struct NpuConfig {
  std::string name;
  uint32_t n = 16;
  uint32_t sram = 256 * 1024;
  uint32_t banks = 8;
  uint32_t dma = 16; // bytes per cycle
};

constexpr const char *kConfigAttrName = "npu.config";

/// The named configuration, or nullopt.
std::optional<NpuConfig> namedConfig(llvm::StringRef name);

/// Reads a configuration file: `key = value` lines (`name`, `n`, `sram`,
/// `banks`, `dma`; sizes may end in K or M; `#` starts a comment). Returns
/// "" and fills `out`, or the error (naming the file and line).
std::string readConfigFile(llvm::StringRef path, NpuConfig &out);

/// "" when `c` is a configuration the spec allows, else why not.
std::string checkConfig(const NpuConfig &c);

/// The configuration a module is compiled for (its npu.config), if any.
std::optional<NpuConfig> moduleConfig(mlir::ModuleOp module);
void setModuleConfig(mlir::ModuleOp module, const NpuConfig &c);

/// The named configurations, for --print-targets.
void printConfigs(llvm::raw_ostream &os);

} // namespace npu

#endif // EDGEC_TARGETS_NPU_NPUCONFIG_H
