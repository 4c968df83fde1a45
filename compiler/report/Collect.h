//===- Collect.h - the report's sections, read from the compilation -*- C++
//-*-===//
//
// The driver calls these where the facts are: the graph after the graph
// phase, the memory plan after codegen (edge-plan-memory leaves it on the
// module), the section sizes from the object file.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_REPORT_COLLECT_H
#define EDGEC_COMPILER_REPORT_COLLECT_H

#include "compiler/report/Report.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

namespace edgec {

/// The graph section: the edge ops of the entry function in program order,
/// with their ONNX nodes, precision, estimated FLOPs and bytes.
void collectGraph(mlir::ModuleOp module, Report &report);

/// Which kernel computes each graph op: the kernels edge-cpu-number-kernels
/// numbered (edge.kernel) after the kernels phase, each naming the ONNX
/// nodes of the ops fused into it.
void collectKernels(mlir::ModuleOp module, Report &report);

/// Reads the runner's --profile output into `report.profile`, checked
/// against the kernels collectKernels found; returns an error message,
/// empty on success.
std::string readProfile(llvm::StringRef path, Report &report);

/// The pruning section, from what edge-prune recorded (the module's
/// edge.pruning, after the graph phase).
void collectPruning(mlir::ModuleOp module, Report &report);

/// The layers compiled over their nonzeros (edge.sparse_kernels, after
/// the linalg phase), each with where its zeros came from: after
/// collectPruning, a layer it does not list as pruned came sparse.
void collectSparseKernels(mlir::ModuleOp module, Report &report);

/// The NPU placement, from what npu-partition recorded (the module's
/// npu.placement and its npu.stream ops, present after the kernels phase).
void collectNpu(mlir::ModuleOp module, Report &report);

/// The memory section, from the plan edge-plan-memory recorded on the
/// entry function (after the bufferized phase); the weights and stack
/// bytes come later, from codegen.
void collectMemory(mlir::ModuleOp module, Report &report);

/// The allocated sections of the object file at `path` and the memory each
/// takes; returns an error message, empty on success.
std::string collectSections(llvm::StringRef path, Report &report);

} // namespace edgec

#endif
