//===- TargetDescription.h - what codegen knows of a target -----*- C++ -*-===//
//
// A target is resolved once, from `--target`, `--mcpu` and `--mattr`, into a
// TargetDescription: the LLVM TargetMachine plus the facts the codegen
// passes use (vector width and registers, FMA, dot product, caches, pointer
// width). The facts travel in the IR as `#edge.target` on the module (with a
// DLTI data layout for the index width); passes read them from there.
//
// Each architecture family lives in its own folder under targets/ and fills
// in a TargetFamily; targets/TargetRegistry.cpp lists the families.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_CPU_TARGETDESCRIPTION_H
#define EDGEC_TARGETS_CPU_TARGETDESCRIPTION_H

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>
#include <string>
#include <vector>

namespace edgec {

/// The target as the user named it (`--target`, `--mcpu`, `--mattr`), with
/// empty fields meaning the host.
struct TargetSpec {
  std::string triple;
  std::string cpu;
  std::string features;
  int optLevel = 2; // -O0 .. -O3
};

/// The facts about a CPU that drive code generation (see #edge.target).
struct CpuFacts {
  int64_t vectorBits = 0;      // one SIMD register; 0: none
  int64_t vectorRegisters = 16; // SIMD registers (FP registers when none)
  bool fma = false;
  std::string dot = "none";    // int8 dot product: vnni, sdot, i8mm, rvv, dsp, mve
  int64_t l1Bytes = 0, l2Bytes = 0, sramBytes = 0;
};

struct TargetFamily;

/// A resolved target: what LLVM's code generator is given, and the facts.
struct TargetDescription {
  std::string triple;
  std::string cpu;
  std::string features;
  const TargetFamily *family = nullptr;
  CpuFacts facts;
  int64_t pointerBits = 64;
  std::unique_ptr<llvm::TargetMachine> machine;
};

/// How to link an executable for a target: the compiler driver to run, the
/// flags before the objects, and the runtime kit (a folder of build/lib).
struct LinkRecipe {
  std::vector<std::string> drivers; // first one found on PATH is used
  std::vector<std::string> flags;   // before the objects
  std::string kit;                  // "" = build/lib itself, else a subfolder
  std::vector<std::string> kitObjects; // kit files linked first (startup.o)
  std::string linkerScript;          // kit file passed as -T, if any
  bool supportsShared = false;
};

/// One architecture family (one folder under targets/).
struct TargetFamily {
  const char *name;        // "aarch64"
  const char *summary;     // one line for --print-targets
  std::vector<const char *> exampleTriples;
  std::vector<const char *> cpus; // listed by --print-targets
  bool (*matches)(const llvm::Triple &);
  /// The CPU when none is named (clang's default for the triple).
  std::string (*defaultCpu)(const llvm::Triple &);
  /// Features always implied by the triple (e.g. RISC-V's "gc" in
  /// riscv64-linux-gnu), prepended to the user's --mattr.
  std::string (*baseFeatures)(const llvm::Triple &);
  /// ABI settings the triple implies (float ABI name, ...).
  void (*configure)(const llvm::Triple &, llvm::TargetOptions &);
  /// Fills the facts from the subtarget LLVM resolved.
  void (*describe)(const llvm::Triple &, llvm::StringRef cpu,
                   const llvm::MCSubtargetInfo &, CpuFacts &);
  /// How executables for this triple are linked.
  LinkRecipe (*linkRecipe)(const TargetDescription &);
};

/// Every family edgec knows, in --print-targets order.
const std::vector<const TargetFamily *> &targetFamilies();

/// Resolves the spec (host defaults) and creates the TargetMachine. Returns
/// an error message in `error` on failure (unknown or unsupported triple,
/// unknown cpu or feature).
std::unique_ptr<TargetDescription> describeTarget(const TargetSpec &spec,
                                                  std::string &error);

/// Prints the families, their triples and CPUs (`edgec --print-targets`).
void printTargets(llvm::raw_ostream &os);

/// Attaches `edge.target` and the DLTI data layout to the module.
void attachTarget(mlir::ModuleOp module, const TargetDescription &target);

/// The `#edge.target` of the module enclosing `op`, or null.
edge::TargetAttr lookupTarget(mlir::Operation *op);

/// Name of the module attribute holding the target.
constexpr const char *kTargetAttrName = "edge.target";

} // namespace edgec

#endif
