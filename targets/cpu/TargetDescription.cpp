//===- TargetDescription.cpp - resolve the target and its vector width ----===//
#include "targets/cpu/TargetDescription.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

namespace edgec {

static bool hasFeature(StringRef features, StringRef f) {
  SmallVector<StringRef> list;
  features.split(list, ',');
  return llvm::is_contained(list, ("+" + f).str());
}

std::unique_ptr<TargetDescription> describeTarget(const TargetSpec &spec,
                                                  std::string &error) {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    InitializeAllAsmParsers();
    return true;
  }();
  (void)initialized;

  auto desc = std::make_unique<TargetDescription>();
  std::string host = sys::getDefaultTargetTriple();
  desc->triple = spec.triple.empty() ? host : Triple::normalize(spec.triple);
  bool isHost = spec.triple.empty() ||
                Triple(desc->triple).getArch() == Triple(host).getArch();
  desc->cpu = spec.cpu;
  if ((desc->cpu.empty() || desc->cpu == "native") && isHost)
    desc->cpu = sys::getHostCPUName().str();
  else if (desc->cpu.empty())
    desc->cpu = "generic";
  desc->features = spec.features;
  if (spec.cpu.empty() && spec.features.empty() && isHost) {
    // The host's own feature list (what `-march=native` would use).
    std::string f;
    for (const auto &kv : sys::getHostCPUFeatures())
      f += std::string(f.empty() ? "" : ",") + (kv.second ? "+" : "-") +
           kv.getKey().str();
    desc->features = f;
  }

  std::string lookupError;
  Triple triple(desc->triple);
  const Target *target = TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "unknown target '" + desc->triple + "': " + lookupError;
    return nullptr;
  }
  if (!target->hasTargetMachine()) {
    error = "no code generator for target '" + desc->triple + "'";
    return nullptr;
  }
  // Check the CPU before LLVM would warn about it (and carry on).
  if (desc->cpu != "generic") {
    std::unique_ptr<MCSubtargetInfo> probe(
        target->createMCSubtargetInfo(triple, "", ""));
    if (probe && !probe->isCPUStringValid(desc->cpu)) {
      error = "unknown cpu '" + desc->cpu + "' for target '" + desc->triple + "'";
      return nullptr;
    }
  }
  TargetOptions options;
  CodeGenOptLevel level = spec.optLevel <= 0   ? CodeGenOptLevel::None
                          : spec.optLevel == 1 ? CodeGenOptLevel::Less
                          : spec.optLevel == 2 ? CodeGenOptLevel::Default
                                               : CodeGenOptLevel::Aggressive;
  desc->machine.reset(target->createTargetMachine(
      triple, desc->cpu, desc->features, options, Reloc::PIC_, std::nullopt,
      level));
  if (!desc->machine) {
    error = "cannot create a code generator for '" + desc->triple +
            "' (cpu '" + desc->cpu + "')";
    return nullptr;
  }
  const MCSubtargetInfo *sti = desc->machine->getMCSubtargetInfo();
  // SIMD width: from the features the subtarget ends up with.
  std::string all = desc->features;
  if (triple.isX86()) {
    if (sti->checkFeatures("+avx512f") || hasFeature(all, "avx512f"))
      desc->vectorBits = 512;
    else if (sti->checkFeatures("+avx") || hasFeature(all, "avx"))
      desc->vectorBits = 256;
    else
      desc->vectorBits = 128;
  }
  return desc;
}

} // namespace edgec
