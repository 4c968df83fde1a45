// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-vectorize-kernels))' | FileCheck %s

// The mechanism alone: configurations written by hand (other register blocks
// than the strategy would choose) are applied as they are. The target does
// not matter here; none is given.

// A 4-column x 16-filter block (the strategy takes 8 x 32 on AVX-512).
// CHECK-LABEL: func.func @conv_block
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: vector.transfer_read {{.*}} vector<1x4x16xf32>
// CHECK: vector.contract {{.*}} into vector<1x4x16xf32>
func.func @conv_block(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 16], reduction = [1, 1, 1], vector_lanes = 16>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}

// -----

// A matmul block of 2 rows x 16 columns with k tiled by 4: the contraction
// reduces 4 at a time.
// CHECK-LABEL: func.func @matmul_block
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c2
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c16
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c4 iter_args({{.*}}) -> ({{.*}}vector<2x16xf32>)
// CHECK: vector.contract {{.*}} : vector<2x4xf32>, vector<4x16xf32> into vector<2x16xf32>
func.func @matmul_block(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<parallel = [2, 16], reduction = [4]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

// A cache tile of 8 x 32 around 4 x 16 blocks.
// CHECK-LABEL: func.func @matmul_cache
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
func.func @matmul_cache(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<cache = [8, 32, 0], parallel = [4, 16], reduction = [1]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

// Depthwise blocks of 2 columns x 8 channels.
// CHECK-LABEL: func.func @depthwise_block
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: vector.fma {{.*}} : vector<1x2x8xf32>
func.func @depthwise_block(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 2, 8], reduction = [1, 0]>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}

// -----

// A width of 13 padded to 16 (the input to match) and computed in blocks
// of 4; the valid part is sliced out.
// CHECK-LABEL: func.func @conv_padded
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 3, 0]
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK: vector.contract {{.*}} into vector<1x4x32xf32>
// CHECK: tensor.extract_slice {{.*}}[1, 1, 13, 32] [1, 1, 1, 1] : tensor<1x1x16x32xf32> to tensor<1x1x13x32xf32>
func.func @conv_padded(%i: tensor<1x3x15x4xf32>, %f: tensor<3x3x4x32xf32>, %o: tensor<1x1x13x32xf32>) -> tensor<1x1x13x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<padded = [1, 1, 16, 32, 3, 3, 4], parallel = [1, 1, 4, 32], reduction = [1, 1, 1]>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x32xf32>) outs(%o : tensor<1x1x13x32xf32>) -> tensor<1x1x13x32xf32>
  return %r : tensor<1x1x13x32xf32>
}

// -----

// A scalar configuration, and no configuration at all: both left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<scalar = "by hand">}
// CHECK: linalg.matmul ins
// CHECK-NOT: vector.
func.func @left_alone(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> (tensor<16x64xf32>, tensor<16x64xf32>) {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<scalar = "by hand">}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  %s = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r, %s : tensor<16x64xf32>, tensor<16x64xf32>
}

// -----

// A grouped convolution (2 groups of 2 filters over 2 channels, 1x2
// taps) as one 2-D convolution per group: the constant filter, (g, f, c,
// kh, kw) = 0..15 in order, rearranged at compile time to (g, kh, kw, c,
// f); a loop over the groups whose slices are collapsed to NHWC and HWCF;
// then blocks of 2 columns.
// CHECK-LABEL: func.func @grouped_form
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[\[\[\[}}0.000000e+00, 4.000000e+00], [2.000000e+00, 6.000000e+00]], {{\[\[}}1.000000e+00, 5.000000e+00], [3.000000e+00, 7.000000e+00]]]], {{\[\[\[\[}}8.000000e+00, 1.200000e+01]{{.*}}> : tensor<2x1x2x2x2xf32>
// CHECK: scf.for %[[G:.+]] = %c0 to %c2 step %c1
// CHECK: %[[WG:.+]] = tensor.extract_slice %[[W]][%[[G]], 0, 0, 0, 0] [1, 1, 2, 2, 2]
// CHECK: tensor.collapse_shape %[[WG]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x1x2x2x2xf32> into tensor<1x2x2x2xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c2
// CHECK: vector.contract {{.*}} into vector<1x2x2xf32>
// CHECK: tensor.expand_shape
#gin = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (n, oh + kh, ow + kw, g, c)>
#gw = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (g, f, c, kh, kw)>
#gout = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (n, oh, ow, g, f)>
func.func @grouped_form(%i: tensor<1x4x5x2x2xf32>, %o: tensor<1x4x4x2x2xf32>) -> tensor<1x4x4x2x2xf32> {
  %w = arith.constant dense<[[[[[0.0, 1.0]], [[2.0, 3.0]]], [[[4.0, 5.0]], [[6.0, 7.0]]]],
                             [[[[8.0, 9.0]], [[10.0, 11.0]]], [[[12.0, 13.0]], [[14.0, 15.0]]]]]> : tensor<2x2x2x1x2xf32>
  %r = linalg.generic {indexing_maps = [#gin, #gw, #gout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%i, %w : tensor<1x4x5x2x2xf32>, tensor<2x2x2x1x2xf32>) outs(%o : tensor<1x4x4x2x2xf32>)
         attrs = {edge.lowering_config = #edge.lowering_config<form = "conv_2d_nhwc_hwcf", outer = [0, 0, 0, 1, 0, 0, 0, 0], parallel = [1, 1, 2, 2], reduction = [1, 1, 1]>} {
  ^bb0(%x: f32, %w2: f32, %acc: f32):
    %m = arith.mulf %x, %w2 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x2x2xf32>
  return %r : tensor<1x4x4x2x2xf32>
}

// -----

// A depthwise convolution with channel multiplier 2 as a depthwise
// convolution over the 32 input channels replicated to 64: the filter and
// the result are read as 64 channels in place.
// CHECK-LABEL: func.func @multiplier_form
// CHECK: %[[REP:.+]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x10x10x32xf32>) outs(%{{.*}} : tensor<1x10x10x32x2xf32>)
// CHECK: tensor.collapse_shape %[[REP]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x10x10x32x2xf32> into tensor<1x10x10x64xf32>
// CHECK: tensor.collapse_shape %arg1 {{\[}}[0], [1], [2, 3]] : tensor<3x3x32x2xf32> into tensor<3x3x64xf32>
// CHECK: vector.fma {{.*}} : vector<1x4x16xf32>
// CHECK: tensor.expand_shape {{.*}} : tensor<1x8x8x64xf32> into tensor<1x8x8x32x2xf32>
func.func @multiplier_form(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32x2xf32>, %o: tensor<1x8x8x32x2xf32>) -> tensor<1x8x8x32x2xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<form = "depthwise_conv_2d_nhwc_hwc", parallel = [1, 1, 4, 16], reduction = [1, 0]>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32x2xf32>) outs(%o : tensor<1x8x8x32x2xf32>) -> tensor<1x8x8x32x2xf32>
  return %r : tensor<1x8x8x32x2xf32>
}

// -----

// A batched product with a broadcast batch dim, one batch at a time in
// blocks of 4 x 8: the generic itself is vectorized, its broadcast operand
// read without the unit dim (the contraction has no extra dim for it).
// CHECK-LABEL: func.func @batched
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c40 step %c8
// CHECK: scf.for {{.*}} -> ({{.*}}vector<1x1x4x8xf32>)
// CHECK: vector.contract {{.*}} : vector<1x4x1xf32>, vector<1x1x8xf32> into vector<1x1x4x8xf32>
#ba = affine_map<(b0, b1, m, n, k) -> (b0, 0, m, k)>
#bb = affine_map<(b0, b1, m, n, k) -> (b1, k, n)>
#bc = affine_map<(b0, b1, m, n, k) -> (b0, b1, m, n)>
func.func @batched(%a: tensor<2x1x16x24xf32>, %b: tensor<3x24x40xf32>, %c: tensor<2x3x16x40xf32>) -> tensor<2x3x16x40xf32> {
  %r = linalg.generic {indexing_maps = [#ba, #bb, #bc], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
         ins(%a, %b : tensor<2x1x16x24xf32>, tensor<3x24x40xf32>) outs(%c : tensor<2x3x16x40xf32>)
         attrs = {edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 8], reduction = [1]>} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x16x40xf32>
  return %r : tensor<2x3x16x40xf32>
}
