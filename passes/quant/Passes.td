//===- Passes.td - quantization passes on the edge dialect --*- tablegen -*-===//
#ifndef EDGEC_PASSES_QUANT_PASSES_TD
#define EDGEC_PASSES_QUANT_PASSES_TD

include "mlir/Pass/PassBase.td"

def EdgeQuantFold : Pass<"edge-quant-fold", "mlir::func::FuncOp"> {
  let summary = "Fold dequantize -> Conv/Gemm/MatMul (-> Relu/Clip) -> "
                "quantize into integer ops";
  let description = [{
    In a QDQ graph every float Conv, Gemm or MatMul sits between
    `edge.dequantize` of its input and constant weights and an
    `edge.quantize` of its result (possibly through a Relu or Clip). Such a
    chain becomes the same op on quantized tensors (constraint Q5): the
    float bias is requantized to int32 with scale input scale x weight
    scale (per output channel), and the activation becomes a Relu/Clip on
    the quantized result (exact: quantization is monotone). The lowering
    then computes int8 x int8 -> int32 with the requantization in the
    kernel's epilogue. Chains that do not qualify (non-zero weight zero
    points, a per-axis activation, a bias not representable in int32, a
    result used elsewhere) are left in float, where they stay correct.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::quant::QuantDialect"];
}

#endif
