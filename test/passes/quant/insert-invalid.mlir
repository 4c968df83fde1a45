// RUN: edgec-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(edge-quant-insert))'

func.func @no_range(%x: tensor<1x4xf32> {edge.calibration = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %b = arith.constant dense<1.0> : tensor<4x2xf32>
  // expected-error @+1 {{no calibrated range for this op's result (expected edge.calibration = array<f64: min, max>)}}
  %0 = edge.matmul %x, %b : tensor<1x4xf32>, tensor<4x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// expected-error @+1 {{no calibrated range for argument 0}}
func.func @no_input_range(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %b = arith.constant dense<1.0> : tensor<4x2xf32>
  %0 = edge.matmul %x, %b {edge.calibration = array<f64: -1.0, 1.0>} : tensor<1x4xf32>, tensor<4x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @bad_precision(%x: tensor<1x4xf32> {edge.calibration = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %b = arith.constant dense<1.0> : tensor<4x2xf32>
  // expected-error @+1 {{edge.precision must be "int8", "int16" or "float", got "int4"}}
  %0 = edge.matmul %x, %b {edge.precision = "int4", edge.calibration = array<f64: -1.0, 1.0>} : tensor<1x4xf32>, tensor<4x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
