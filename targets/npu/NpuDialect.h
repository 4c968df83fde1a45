//===- NpuDialect.h - the npu dialect ---------------------------*- C++ -*-===//
#ifndef EDGEC_TARGETS_NPU_NPUDIALECT_H
#define EDGEC_TARGETS_NPU_NPUDIALECT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"

#include "targets/npu/NpuDialect.h.inc"

#define GET_OP_CLASSES
#include "targets/npu/NpuOps.h.inc"

namespace npu {
/// The index of a register named as in docs/npu-spec.md §3.3 ("IFM_H"),
/// or -1.
int registerIndex(llvm::StringRef name);
/// The name of register `index` (0 to 24).
llvm::StringRef registerName(int index);
} // namespace npu

#endif // EDGEC_TARGETS_NPU_NPUDIALECT_H
