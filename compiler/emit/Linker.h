//===- Linker.h - executables, shared objects and static libraries -*- C++ -*-===//
#ifndef EDGEC_COMPILER_EMIT_LINKER_H
#define EDGEC_COMPILER_EMIT_LINKER_H

#include "targets/cpu/TargetDescription.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace edgec {

enum class LinkKind { Executable, Shared, StaticLibrary };

/// Links `object` (the model, compiled for `target`) with the target's
/// runtime kit found in `libDir` (<bin>/../lib, with a subfolder per cross
/// target): an executable with the runner's main (a bare-metal image on
/// Cortex-M), a shared object, or a static library holding the model and
/// the device runtime. Returns an empty string or the error message.
/// With `npu`, the model calls the NPU runtime (edgert_npu): an executable
/// gets the runner with the NPU simulator as the device.
std::string linkModel(const TargetDescription &target, LinkKind kind,
                      llvm::StringRef libDir, llvm::StringRef object,
                      llvm::StringRef output, bool npu = false);

} // namespace edgec

#endif
