//===- Passes.h - conversions out of the edge dialect -----------*- C++ -*-===//
#ifndef EDGEC_PASSES_CONVERSION_PASSES_H
#define EDGEC_PASSES_CONVERSION_PASSES_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "passes/conversion/Passes.h.inc"

/// Patterns lowering every edge op to linalg/tensor/arith/math.
void populateEdgeToLinalgPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/conversion/Passes.h.inc"
} // namespace edgec

#endif
