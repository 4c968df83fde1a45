//===- Passes.h - pruning passes on the edge dialect ------------*- C++ -*-===//
#ifndef EDGEC_PASSES_PRUNE_PASSES_H
#define EDGEC_PASSES_PRUNE_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "passes/prune/Passes.h.inc"

namespace prune {
/// `edge.pruning`: the module attribute edge-prune records (an array of
/// dictionaries: layer, op, weights, zeros_before, zeros_after, and
/// reason for a layer left dense).
constexpr const char *kPruningAttr = "edge.pruning";
} // namespace prune

#define GEN_PASS_REGISTRATION
#include "passes/prune/Passes.h.inc"
} // namespace edgec

#endif
