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

def EdgeQuantObserve : Pass<"edge-quant-observe", "mlir::ModuleOp"> {
  let summary = "Return marked tensors of @main as extra results (calibration observers)";
  let description = [{
    Every op of `@main`'s body carrying `edge.observe = N : i64` has its
    result (one float tensor) appended to `@main`'s results, in increasing
    `N`, and to the module's `edge.outputs` interface under the name
    `edge.observe.N`: compiled, the model writes each observed tensor to one
    more output buffer. A tensor that @main already returns is not added
    again (its observer is that result). With `all`, every float tensor that
    an edge op of the body computes from non-constant operands is observed
    (`N` counts them in program order) and the marks are ignored. The marks
    are removed.
  }];
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Observe every float tensor an edge op produces">,
  ];
}

def EdgeQuantInsert : Pass<"edge-quant-insert", "mlir::func::FuncOp"> {
  let summary = "Post-training quantization: Q/DQ pairs from calibrated ranges";
  let description = [{
    Rewrites the function into the QDQ form the ONNX importer produces:

    - Conv, Gemm and MatMul whose weight (filter, B, rhs) is a constant get
      `edge.dequantize(edge.storage_cast(arith.constant <int8>))` weights,
      symmetric per output channel (`!quant.uniform<i8:f32:axis, {...}>`,
      values in [-127, 127]; axis 0 of an OIHW filter, the N axis of B).
      A constant bias (Conv bias, Gemm C with alpha = beta = 1) stays f32,
      rounded to the int32 grid of scale `s_in * s_w[c]`.
    - Activations get `edge.dequantize(edge.quantize(x))` with a per-tensor
      type: asymmetric int8 (`!quant.uniform<i8:f32, s:zp>`, the range
      widened to hold 0) or symmetric int16 (`!quant.uniform<i16:f32, s>`).
      A tensor gets one pair at the inputs and outputs of quantized ops;
      a Conv/Gemm/MatMul output whose only user is a Relu or Clip is not
      quantized (the activation's output is: the fused form).
    - Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, Add, Mul, Concat,
      Reshape and Transpose are quantized when one of their inputs comes
      from a quantized op; MaxPool, Reshape and Transpose reuse their
      input's scale and zero point. Their constant inputs are quantized per
      tensor. Other ops (Softmax, Sigmoid, ...) stay float.

    Ranges: `edge.calibration = array<f64: min, max>` on the op producing a
    tensor, or as the argument attribute of a function argument. Precision:
    `edge.precision = "int8" | "int16" | "float"` on a Conv/Gemm/MatMul (or
    on any of the ops above) overrides `mode` for that layer; an int16 layer
    makes its input and output tensors int16. Both attributes are removed.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"int8\"",
           "int8 (int8 activations) or int16x8 (int16 activations); weights are int8">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::quant::QuantDialect"];
}

#endif
