//===- TargetDescription.h - what the CPU backend knows of a target -*- C++ -*-===//
#ifndef EDGEC_TARGETS_CPU_TARGETDESCRIPTION_H
#define EDGEC_TARGETS_CPU_TARGETDESCRIPTION_H

#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace edgec {

/// The target as the user named it (`--target`, `--mcpu`, `--mattr`), with
/// empty fields meaning the host.
struct TargetSpec {
  std::string triple;
  std::string cpu;
  std::string features;
  int optLevel = 2; // -O0 .. -O3
};

/// What code generation needs to know: the resolved triple/cpu/features, the
/// SIMD register width that drives tile sizes, and the LLVM TargetMachine.
struct TargetDescription {
  std::string triple;
  std::string cpu;
  std::string features;
  int64_t vectorBits = 128;
  std::unique_ptr<llvm::TargetMachine> machine;
};

/// Resolves the spec (host defaults) and creates the TargetMachine. Returns
/// an error message in `error` on failure (unknown triple or cpu).
std::unique_ptr<TargetDescription> describeTarget(const TargetSpec &spec,
                                                  std::string &error);

} // namespace edgec

#endif
