//===- Sensitivity.h - per-layer sparsity chosen by output SQNR -*- C++ -*-===//
//
// `edgec --prune=F --min-sqnr=DB --calibration=...`: instead of F for every
// layer, each layer gets the largest sparsity (up to F) that the model's
// output tolerates. The graph-phase module is compiled once for the host
// with every candidate layer's weight as an extra input (HostModel), so
// each trial is a run, not a compile:
//
//   1. each layer alone at 10 %, 20 %, ... up to F (magnitude or blocks,
//      as edge-prune prunes it; the rest dense): the worst calibration
//      sample's output SQNR against the dense model, until it falls below
//      the target;
//   2. taking the noise of layers pruned together as the sum of their
//      noises alone, greedily the step that removes the most weights per
//      unit of noise, while the sum stays within the target;
//   3. the choice run as a whole; while it misses the target, the last
//      steps are taken back.
//
// The choice goes on the layers as edge.prune_sparsity (and the layer's
// SQNR alone as edge.prune_sqnr_db), which edge-prune then applies, and on
// the module as edge.prune_sweep (target, measured SQNR, runs).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_PRUNE_SENSITIVITY_H
#define EDGEC_COMPILER_PRUNE_SENSITIVITY_H

#include "compiler/pipeline/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"

namespace edgec {

/// `edge.prune_sweep`: a dictionary of min_sqnr_db, output_sqnr_db, runs.
constexpr const char *kPruneSweepAttr = "edge.prune_sweep";

/// Chooses each layer's sparsity for `options.minSqnrDb` (see above) on
/// `module`, a module after the graph phase whose weights are not yet
/// zeroed. Errors are printed as `edgec: error: ...`.
mlir::LogicalResult choosePruneSparsity(mlir::ModuleOp module,
                                        const PruneOptions &options,
                                        int optLevel, bool verbose);

} // namespace edgec

#endif
