//===- RISCVTarget.cpp - RISC-V 64 Linux: RV64GC, +v ----------------------===//
#include "targets/cpu/TargetDescription.h"

#include "llvm/MC/MCSubtargetInfo.h"

using namespace llvm;

namespace edgec {

static bool matches(const Triple &t) {
  return t.getArch() == Triple::riscv64 && t.isOSLinux();
}
static std::string defaultCpu(const Triple &) { return "generic-rv64"; }
// riscv64-linux-gnu means RV64GC with the lp64d ABI, as clang and gcc take it.
static std::string baseFeatures(const Triple &) {
  return "+m,+a,+f,+d,+c,+zicsr,+zifencei";
}
static void configure(const Triple &, TargetOptions &options) {
  options.MCOptions.ABIName = "lp64d";
}

static void describe(const Triple &, StringRef, const MCSubtargetInfo &sti,
                     CpuFacts &f) {
  // Fixed-width vectors are sized for the guaranteed VLEN (Zvl*b; V implies
  // 128): code for vlen=128 also runs, correctly, on wider machines.
  if (sti.checkFeatures("+zve32f")) {
    f.vectorBits = sti.checkFeatures("+zvl512b")   ? 512
                   : sti.checkFeatures("+zvl256b") ? 256
                                                   : 128;
    f.dot = "rvv";
  }
  f.vectorRegisters = 32;
  f.fma = sti.checkFeatures("+f");
  f.l1Bytes = 32 * 1024;
  f.l2Bytes = 512 * 1024;
}

static LinkRecipe linkRecipe(const TargetDescription &) {
  LinkRecipe r;
  r.drivers = {"riscv64-linux-gnu-gcc"};
  r.flags = {"-static", "-march=rv64gcv", "-mabi=lp64d"};
  r.kit = "riscv64-linux-gnu";
  return r;
}

const TargetFamily &getRISCVFamily() {
  static const TargetFamily family{
      "riscv",
      "RISC-V 64 Linux (RV64GC; +v for the vector extension, +zvl256b ...)",
      {"riscv64-linux-gnu"},
      {"generic-rv64", "sifive-u74", "sifive-x280", "spacemit-x60"},
      matches,
      defaultCpu,
      baseFeatures,
      configure,
      describe,
      linkRecipe};
  return family;
}

} // namespace edgec
