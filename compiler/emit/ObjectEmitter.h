//===- ObjectEmitter.h - LLVM dialect to object code ------------*- C++ -*-===//
#ifndef EDGEC_COMPILER_EMIT_OBJECTEMITTER_H
#define EDGEC_COMPILER_EMIT_OBJECTEMITTER_H

#include "compiler/emit/ModelSignature.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace edgec {

/// Translates the LLVM-dialect module whose kernel is `main` (renamed
/// `<name>_kernel`)
/// (inputs, outputs, arena as bare pointers) to LLVM IR and adds the runtime
/// interface: the entry `void <name>_entry(void *const *in, void *const *out,
/// void *arena)` and the descriptor `const edgert_model_t <name>_model`.
/// With `entryAlias`, `edgert_entry_model` names the descriptor too (for the
/// runner executable and shared objects). Constant globals go to
/// `signature.weightsSection`; with
/// an arenaSection, the object also defines `<name>_arena` there.
std::unique_ptr<llvm::Module>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const TargetDescription &target,
                  ModelSignature &signature, bool entryAlias);

/// Runs LLVM's middle-end pipeline at -O0..-O3.
void optimizeLLVMIR(llvm::Module &module, const TargetDescription &target,
                    int optLevel);

/// Emits object code or assembly. Returns false and sets `error` on failure.
/// For objects, `signature` (when given) receives the size of the weights
/// section as emitted and the stack bound: the sum of the frame sizes of
/// every function in the object (the model's code has no recursion).
bool emitMachineCode(llvm::Module &module, const TargetDescription &target,
                     bool assembly, llvm::raw_pwrite_stream &os,
                     std::string &error, ModelSignature *signature = nullptr);

} // namespace edgec

#endif
