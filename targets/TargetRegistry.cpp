//===- TargetRegistry.cpp - the target families and target resolution ----===//
#include "targets/cpu/TargetDescription.h"
#include "targets/npu/NpuConfig.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

namespace edgec {

const TargetFamily &getX86Family();
const TargetFamily &getAArch64Family();
const TargetFamily &getRISCVFamily();
const TargetFamily &getCortexMFamily();

const std::vector<const TargetFamily *> &targetFamilies() {
  static const std::vector<const TargetFamily *> families{
      &getX86Family(), &getAArch64Family(), &getRISCVFamily(),
      &getCortexMFamily()};
  return families;
}

static void initializeLLVMTargets() {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    InitializeAllAsmParsers();
    return true;
  }();
  (void)initialized;
}

void printTargets(raw_ostream &os) {
  os << "Targets (--target=TRIPLE, --mcpu=CPU, --mattr=+feature,-feature):\n";
  for (const TargetFamily *f : targetFamilies()) {
    os << "\n  " << f->name << ": " << f->summary << "\n    triples:";
    for (const char *t : f->exampleTriples)
      os << " " << t;
    os << "\n    cpus:";
    for (const char *c : f->cpus)
      os << " " << c;
    os << "\n";
  }
  os << "\nWithout --target, the host (" << sys::getDefaultTargetTriple()
     << ", cpu " << sys::getHostCPUName() << ").\n\n";
  npu::printConfigs(os);
}

/// Checks every "+name"/"-name" of a feature list against the subtarget's
/// feature table; returns the first unknown one.
static std::optional<std::string>
unknownFeature(const MCSubtargetInfo &sti, StringRef features) {
  SmallVector<StringRef> list;
  features.split(list, ',', -1, /*KeepEmpty=*/false);
  for (StringRef f : list) {
    f = f.trim();
    if (f.empty())
      continue;
    if (f[0] != '+' && f[0] != '-')
      return f.str();
    StringRef name = f.drop_front();
    if (!llvm::any_of(sti.getAllProcessorFeatures(),
                      [&](const SubtargetFeatureKV &kv) {
                        return name == kv.Key;
                      }))
      return f.str();
  }
  return std::nullopt;
}

std::unique_ptr<TargetDescription> describeTarget(const TargetSpec &spec,
                                                  std::string &error) {
  initializeLLVMTargets();
  auto desc = std::make_unique<TargetDescription>();
  std::string host = sys::getDefaultTargetTriple();
  desc->triple = spec.triple.empty() ? host : Triple::normalize(spec.triple);
  Triple triple(desc->triple);
  bool isHost = spec.triple.empty() || triple.getArch() == Triple(host).getArch();

  for (const TargetFamily *f : targetFamilies())
    if (f->matches(triple))
      desc->family = f;
  if (!desc->family) {
    error = "unsupported target '" + spec.triple + "' (see --print-targets)";
    return nullptr;
  }

  std::string lookupError;
  const Target *target = TargetRegistry::lookupTarget(triple, lookupError);
  if (!target || !target->hasTargetMachine()) {
    error = "no code generator for target '" + desc->triple + "'";
    return nullptr;
  }

  desc->cpu = spec.cpu;
  if ((desc->cpu.empty() || desc->cpu == "native") && isHost)
    desc->cpu = sys::getHostCPUName().str();
  else if (desc->cpu.empty())
    desc->cpu = desc->family->defaultCpu(triple);
  if (desc->cpu == "native") {
    error = "--mcpu=native needs the host as target";
    return nullptr;
  }

  std::string features = desc->family->baseFeatures(triple);
  if (spec.cpu.empty() && spec.features.empty() && isHost) {
    // The host's own feature list (what `-march=native` would use).
    for (const auto &kv : sys::getHostCPUFeatures())
      features += std::string(features.empty() ? "" : ",") +
                  (kv.second ? "+" : "-") + kv.getKey().str();
  } else if (!spec.features.empty()) {
    features += (features.empty() ? "" : ",") + spec.features;
  }
  desc->features = features;

  std::unique_ptr<MCSubtargetInfo> probe(
      target->createMCSubtargetInfo(triple, "", ""));
  if (probe && desc->cpu != "generic" && !probe->isCPUStringValid(desc->cpu)) {
    error = "unknown cpu '" + desc->cpu + "' for target '" + desc->triple +
            "' (see --print-targets)";
    return nullptr;
  }
  if (probe)
    if (auto bad = unknownFeature(*probe, spec.features)) {
      error = "unknown feature '" + *bad + "' for target '" + desc->triple +
              "' (--mattr takes +name,-name)";
      return nullptr;
    }

  TargetOptions options;
  // Fused multiply-add where the target has it, as clang's -ffp-contract=fast
  // (within the tolerances the models are checked against).
  options.AllowFPOpFusion = FPOpFusion::Fast;
  desc->family->configure(triple, options);
  CodeGenOptLevel level = spec.optLevel <= 0   ? CodeGenOptLevel::None
                          : spec.optLevel == 1 ? CodeGenOptLevel::Less
                          : spec.optLevel == 2 ? CodeGenOptLevel::Default
                                               : CodeGenOptLevel::Aggressive;
  std::optional<Reloc::Model> reloc = Reloc::PIC_;
  if (triple.getOS() == Triple::UnknownOS)
    reloc = Reloc::Static; // bare metal: absolute addresses, no GOT
  desc->machine.reset(target->createTargetMachine(
      triple, desc->cpu, desc->features, options, reloc, std::nullopt, level));
  if (!desc->machine) {
    error = "cannot create a code generator for '" + desc->triple +
            "' (cpu '" + desc->cpu + "')";
    return nullptr;
  }
  const MCSubtargetInfo &sti = *desc->machine->getMCSubtargetInfo();
  desc->family->describe(triple, desc->cpu, sti, desc->facts);
  desc->pointerBits =
      desc->machine->createDataLayout().getPointerSizeInBits(0);
  return desc;
}

} // namespace edgec
