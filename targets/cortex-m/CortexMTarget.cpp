//===- CortexMTarget.cpp - Cortex-M bare metal: M4F/M7 and M55 (MVE) ------===//
//
// thumbv7em-none-eabihf is a Cortex-M4F (FPv4-SP, single precision only)
// unless --mcpu says cortex-m7; thumbv8.1m.main-none-eabihf is a Cortex-M55
// with MVE (Helium) and its FPU. Both are hard-float, 32-bit, and linked as
// bare-metal images for qemu's MPS2/MPS3 boards with semihosting I/O.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/TargetDescription.h"

#include "llvm/MC/MCSubtargetInfo.h"

using namespace llvm;

namespace edgec {

static bool isV81M(const Triple &t) {
  return t.getSubArch() == Triple::ARMSubArch_v8_1m_mainline;
}

static bool matches(const Triple &t) {
  return t.getArch() == Triple::thumb && t.getOS() == Triple::UnknownOS &&
         (t.getSubArch() == Triple::ARMSubArch_v7em || isV81M(t));
}
static std::string defaultCpu(const Triple &t) {
  return isV81M(t) ? "cortex-m55" : "cortex-m4";
}
// LLVM marks the Cortex-M4's VFMA as slow (3 cycles against 1 + 1 for
// VMUL + VADD) and splits every multiply-add. Kernels keep it fused: half the
// instructions in flash and one rounding instead of two per accumulation.
static std::string baseFeatures(const Triple &) { return "-slowfpvfmx"; }
static void configure(const Triple &t, TargetOptions &options) {
  if (t.getEnvironment() == Triple::EABIHF)
    options.FloatABIType = FloatABI::Hard;
}

static void describe(const Triple &t, StringRef cpu, const MCSubtargetInfo &sti,
                     CpuFacts &f) {
  bool mve = sti.checkFeatures("+mve.fp");
  f.vectorBits = mve ? 128 : 0;
  // MVE has 8 Q registers; FPv4/FPv5 have 32 single-precision registers.
  f.vectorRegisters = mve ? 8 : 32;
  f.fma = sti.checkFeatures("+vfp4d16sp") || mve;
  f.dot = mve ? "mve" : sti.checkFeatures("+dsp") ? "dsp" : "none";
  // The SRAM of the boards the images are linked for (mps2-an386: 4 MB;
  // mps3-an547: 4 MB of ISRAM). Caches: the M7 has one, M4/M55 none here.
  f.sramBytes = 4 * 1024 * 1024;
  f.l1Bytes = cpu == "cortex-m7" ? 16 * 1024 : 0;
  (void)t;
}

static LinkRecipe linkRecipe(const TargetDescription &d) {
  LinkRecipe r;
  Triple t(d.triple);
  r.drivers = {"arm-none-eabi-gcc"};
  if (isV81M(t)) {
    r.flags = {"-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"};
    r.kit = "thumbv8.1m.main-none-eabihf";
  } else {
    r.flags = {"-mcpu=" + (d.cpu == "cortex-m7" ? d.cpu : std::string("cortex-m4")),
               "-mthumb", "-mfloat-abi=hard",
               d.cpu == "cortex-m7" ? "-mfpu=fpv5-sp-d16" : "-mfpu=fpv4-sp-d16"};
    r.kit = "thumbv7em-none-eabihf";
  }
  r.flags.push_back("--specs=rdimon.specs");
  // newlib's crt objects carry no .note.GNU-stack; a bare-metal image has
  // no executable-stack notion to warn about.
  r.flags.push_back("-Wl,--no-warn-execstack");
  r.kitObjects = {"startup.o"};
  r.linkerScript = "link.ld";
  return r;
}

const TargetFamily &getCortexMFamily() {
  static const TargetFamily family{
      "cortex-m",
      "Cortex-M bare metal, hard float (M4F/M7: FPv4/FPv5; M55: MVE)",
      {"thumbv7em-none-eabihf", "thumbv8.1m.main-none-eabihf"},
      {"cortex-m4", "cortex-m7", "cortex-m55"},
      matches,
      defaultCpu,
      baseFeatures,
      configure,
      describe,
      linkRecipe};
  return family;
}

} // namespace edgec
