//===- Passes.td - conversions out of the edge dialect ------*- tablegen -*-===//
#ifndef EDGEC_PASSES_CONVERSION_PASSES_TD
#define EDGEC_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEdgeToLinalg : Pass<"convert-edge-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower edge graph ops to linalg/tensor/arith/math on tensors";
  let description = [{
    Convolutions and pooling are emitted channels-last (NHWC, HWCF filters),
    wrapped in linalg.generic transposes that elementwise fusion cancels
    between consecutive layers. Constant filters and transposed Gemm weights
    are rearranged at compile time.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::math::MathDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

#endif
