//===- Passes.h - graph-level passes on the edge dialect --------*- C++ -*-===//
#ifndef EDGEC_PASSES_GRAPH_PASSES_H
#define EDGEC_PASSES_GRAPH_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);
void populateFuseBiasPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"
} // namespace edgec

#endif
