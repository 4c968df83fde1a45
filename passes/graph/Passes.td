//===- Passes.td - graph-level passes on the edge dialect ---*- tablegen -*-===//
#ifndef EDGEC_PASSES_GRAPH_PASSES_TD
#define EDGEC_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

def EdgeFoldBatchNorm : Pass<"edge-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant W, b and statistics becomes
    `conv(x, W * s, (b - mean) * s + beta)` with `s = gamma / sqrt(var + eps)`
    per output channel, when the convolution has no other user.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def EdgeFuseBias : Pass<"edge-fuse-bias", "mlir::func::FuncOp"> {
  let summary = "Fuse a constant per-channel Add into Conv, and MatMul + Add into Gemm";
  let description = [{
    `add(conv(x, W, b), c)` with a constant `c` broadcasting per output channel
    becomes `conv(x, W, b + c)`; `add(matmul(a, B), c)` with 2-D operands
    becomes `gemm(a, B, c)`. The accumulator of the lowered kernel then starts
    from the bias instead of a separate pass over the output.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def EdgePatchExecution : Pass<"edge-patch-execution", "mlir::func::FuncOp"> {
  let summary = "Run the memory-heavy first layers band by band (--memory=min)";
  let description = [{
    Patch-based inference in the spirit of MCUNetV2 (Lin et al., 2021): a
    prefix of the graph made of row-local ops (convolutions, pooling,
    elementwise ops on NCHW tensors) whose only value used later is one
    tensor (the stage output) is computed over `B` row bands of that
    output. Each band computes, for every op of the stage, just the rows its
    consumers in the band need (the windows' overlaps with the neighbouring
    bands are recomputed), with the pads of the image's top and bottom
    border only in the bands that touch it, and stores its rows of the
    stage output (kept channels-last, so no layout copy is added). The
    bands whose shapes and pads are alike run as one `scf.for` marked
    `edge.patch_loop`; the others are emitted one by one.

    The stage and `B` are chosen to minimize the estimated peak memory
    (the most bytes live at once in a band, in the rest of the graph, one
    op at a time) among the plans whose recomputed work stays under
    `max-overhead` of the model's; `bands` (with `until`) fixes the choice
    instead. Nothing changes when no plan lowers the estimate.
  }];
  let options = [
    Option<"maxOverhead", "max-overhead", "double", /*default=*/"0.10",
           "Most recomputed work allowed, as a fraction of the model's">,
    Option<"bands", "bands", "int64_t", /*default=*/"0",
           "Number of row bands (0: chosen)">,
    Option<"until", "until", "int64_t", /*default=*/"0",
           "With bands: the stage is the first N row-local ops (0: chosen)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the plan chosen and its estimates">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

#endif
