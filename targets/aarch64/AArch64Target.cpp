//===- AArch64Target.cpp - AArch64 Linux: NEON, dotprod, i8mm -------------===//
#include "targets/cpu/TargetDescription.h"

#include "llvm/MC/MCSubtargetInfo.h"

using namespace llvm;

namespace edgec {

static bool matches(const Triple &t) {
  return t.getArch() == Triple::aarch64 && t.isOSLinux();
}
static std::string defaultCpu(const Triple &) { return "generic"; }
// clang's AArch64 default: NEON and FP are part of Armv8-A.
static std::string baseFeatures(const Triple &) { return "+neon,+fp-armv8"; }
static void configure(const Triple &, TargetOptions &) {}

static void describe(const Triple &, StringRef cpu, const MCSubtargetInfo &sti,
                     CpuFacts &f) {
  f.vectorBits = sti.checkFeatures("+neon") ? 128 : 0;
  f.vectorRegisters = 32;
  f.fma = true;
  f.dot = sti.checkFeatures("+i8mm")      ? "i8mm"
          : sti.checkFeatures("+dotprod") ? "sdot"
                                          : "none";
  // Typical application cores: 32-64 KB L1D, 256 KB-1 MB L2.
  bool big = cpu.starts_with("cortex-a7") || cpu.starts_with("neoverse") ||
             cpu.starts_with("apple");
  f.l1Bytes = big ? 64 * 1024 : 32 * 1024;
  f.l2Bytes = big ? 1024 * 1024 : 256 * 1024;
}

static LinkRecipe linkRecipe(const TargetDescription &) {
  LinkRecipe r;
  r.drivers = {"aarch64-linux-gnu-gcc"};
  r.flags = {"-static"};
  r.kit = "aarch64-linux-gnu";
  return r;
}

const TargetFamily &getAArch64Family() {
  static const TargetFamily family{
      "aarch64",
      "AArch64 Linux (NEON; +dotprod, +i8mm)",
      {"aarch64-linux-gnu"},
      {"generic", "cortex-a53", "cortex-a55", "cortex-a72", "cortex-a76",
       "cortex-a78", "neoverse-n1", "neoverse-v1"},
      matches,
      defaultCpu,
      baseFeatures,
      configure,
      describe,
      linkRecipe};
  return family;
}

} // namespace edgec
