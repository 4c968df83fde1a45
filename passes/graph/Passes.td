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

#endif
