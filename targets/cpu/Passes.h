//===- Passes.h - CPU backend passes ----------------------------*- C++ -*-===//
#ifndef EDGEC_TARGETS_CPU_PASSES_H
#define EDGEC_TARGETS_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "targets/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

#endif
