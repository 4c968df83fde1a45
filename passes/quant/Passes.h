//===- Passes.h - quantization passes on the edge dialect -------*- C++ -*-===//
#ifndef EDGEC_PASSES_QUANT_PASSES_H
#define EDGEC_PASSES_QUANT_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "passes/quant/Passes.h.inc"

void populateQuantFoldPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/quant/Passes.h.inc"
} // namespace edgec

#endif
