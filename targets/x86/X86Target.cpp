//===- X86Target.cpp - x86-64: AVX2 / AVX-512 -----------------------------===//
#include "targets/cpu/TargetDescription.h"

#include "llvm/MC/MCSubtargetInfo.h"

using namespace llvm;

namespace edgec {

static bool matches(const Triple &t) { return t.getArch() == Triple::x86_64; }
static std::string defaultCpu(const Triple &) { return "x86-64"; }
static std::string baseFeatures(const Triple &) { return ""; }
static void configure(const Triple &, TargetOptions &) {}

static void describe(const Triple &, StringRef cpu, const MCSubtargetInfo &sti,
                     CpuFacts &f) {
  bool avx512 = sti.checkFeatures("+avx512f");
  f.vectorBits = avx512 ? 512 : sti.checkFeatures("+avx") ? 256 : 128;
  f.vectorRegisters = avx512 ? 32 : 16;
  f.fma = sti.checkFeatures("+fma");
  f.dot = sti.checkFeatures("+avx512vnni")  ? "vnni"
          : sti.checkFeatures("+avxvnni") ? "avxvnni"
                                          : "none";
  f.l1Bytes = 32 * 1024;
  f.l2Bytes = avx512 ? 1024 * 1024 : 512 * 1024;
  (void)cpu;
}

static LinkRecipe linkRecipe(const TargetDescription &) {
  LinkRecipe r;
  r.drivers = {"cc", "gcc", "clang-22"};
  r.supportsShared = true;
  return r;
}

const TargetFamily &getX86Family() {
  static const TargetFamily family{
      "x86",
      "x86-64 Linux (SSE, AVX2, AVX-512; the host by default)",
      {"x86_64-linux-gnu"},
      {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "haswell",
       "skylake-avx512", "icelake-server", "sapphirerapids", "znver3",
       "znver4", "native"},
      matches,
      defaultCpu,
      baseFeatures,
      configure,
      describe,
      linkRecipe};
  return family;
}

} // namespace edgec
