// RUN: edgec-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(edge-cpu-vectorize-kernels))'

// A configuration that does not fit its op is an error, not a silent
// fallback to scalar code.

func.func @tile_count(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: parallel and reduction need 2 and 1 tiles}}
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<parallel = [1, 2, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

func.func @unknown_form(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: unknown form 'winograd'}}
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "winograd", parallel = [2, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

func.func @form_mismatch(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: form conv_2d_nhwc_hwcf needs a convolution linalg.generic}}
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "conv_2d_nhwc_hwcf", parallel = [2, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

func.func @outer_without_form(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: outer tiles need a form}}
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<outer = [1, 0, 0], parallel = [2, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

func.func @padded_matmul(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: padded applies to conv_2d_nhwc_hwcf only}}
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<padded = [16, 80, 64], parallel = [2, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

func.func @padded_shrinks(%i: tensor<1x3x15x4xf32>, %f: tensor<3x3x4x32xf32>, %o: tensor<1x1x13x32xf32>) -> tensor<1x1x13x32xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: padded may only widen ow and f}}
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<padded = [1, 1, 12, 32, 3, 3, 4], parallel = [1, 1, 4, 32], reduction = [1, 1, 1]>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x32xf32>) outs(%o : tensor<1x1x13x32xf32>) -> tensor<1x1x13x32xf32>
  return %r : tensor<1x1x13x32xf32>
}

// -----

func.func @padded_runtime_filters(%i: tensor<1x3x15x4xf32>, %f: tensor<3x3x4x30xf32>, %o: tensor<1x1x13x30xf32>) -> tensor<1x1x13x30xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: padded filters need a constant filter}}
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<padded = [1, 1, 13, 32, 3, 3, 4], parallel = [1, 1, 13, 32], reduction = [1, 1, 1]>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x30xf32>) outs(%o : tensor<1x1x13x30xf32>) -> tensor<1x1x13x30xf32>
  return %r : tensor<1x1x13x30xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @split_not_dividing(%x: tensor<4x100xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot apply its lowering_config: form split_reduction needs an inner reduction whose innermost dim the last parallel tile divides}}
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"],
                       edge.lowering_config = #edge.lowering_config<form = "split_reduction", parallel = [1, 16], reduction = [1]>}
      ins(%x : tensor<4x100xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
