// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-select-lowering))' | FileCheck %s
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-select-lowering{remarks=true}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// With `remarks`, each kernel left scalar is reported at the op, with why.
// REMARK-COUNT-5: remark: kernel left scalar: element type i64 has no vector configuration
// REMARK: remark: kernel left scalar: dynamic shape
// REMARK-NOT: remark

// The strategy alone: the configuration it records on each kernel for five
// targets. The same kernels everywhere: a 3x3 conv with 32 filters, a conv
// whose width (13) has no good divisor, a depthwise conv, a strided max
// pool of width 55, a small and a large (cache-tiled) matmul, and an i64
// matmul, which stays scalar.

// x86 AVX-512: 16 f32 lanes, 32 registers (16 accumulators)
// CHECK-LABEL: func.func @conv_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 32], reduction = [1, 1, 1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @conv_width13_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 1, 14, 64, 3, 3, 4], parallel = [1, 1, 7, 32], reduction = [1, 1, 1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @depthwise_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 16], reduction = [1, 0], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @max_pool_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 5, 16], reduction = [1, 0], vector_lanes = 16>
// CHECK-LABEL: func.func @matmul_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [8, 32], reduction = [1], vector_lanes = 16>
// CHECK-LABEL: func.func @matmul_large_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [96, 128, 0], parallel = [8, 32], reduction = [1], vector_lanes = 16>
// CHECK-LABEL: func.func @matmul_i64_avx512
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "element type i64 has no vector configuration">
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv_avx512(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
func.func @conv_width13_avx512(%i: tensor<1x3x15x4xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x4x64xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
func.func @depthwise_avx512(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
func.func @max_pool_avx512(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
func.func @matmul_avx512(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @matmul_large_avx512(%a: tensor<384x384xf32>, %b: tensor<384x384xf32>, %c: tensor<384x384xf32>) -> tensor<384x384xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<384x384xf32>, tensor<384x384xf32>) outs(%c : tensor<384x384xf32>) -> tensor<384x384xf32>
  return %r : tensor<384x384xf32>
}
func.func @matmul_i64_avx512(%a: tensor<4x8xi64>, %b: tensor<8x16xi64>, %c: tensor<4x16xi64>) -> tensor<4x16xi64> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi64>, tensor<8x16xi64>) outs(%c : tensor<4x16xi64>) -> tensor<4x16xi64>
  return %r : tensor<4x16xi64>
}
}

// -----

// x86 AVX2: 8 lanes, 16 registers (8 accumulators)
// CHECK-LABEL: func.func @conv_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 16], reduction = [1, 1, 1], vector_lanes = 8, fuse = true>
// CHECK-LABEL: func.func @conv_width13_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 1, 16, 64, 3, 3, 4], parallel = [1, 1, 4, 16], reduction = [1, 1, 1], vector_lanes = 8, fuse = true>
// CHECK-LABEL: func.func @depthwise_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 8], reduction = [1, 0], vector_lanes = 8, fuse = true>
// CHECK-LABEL: func.func @max_pool_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 5, 8], reduction = [1, 0], vector_lanes = 8>
// CHECK-LABEL: func.func @matmul_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [4, 16], reduction = [1], vector_lanes = 8>
// CHECK-LABEL: func.func @matmul_large_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [48, 64, 0], parallel = [4, 16], reduction = [1], vector_lanes = 8>
// CHECK-LABEL: func.func @matmul_i64_avx2
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "element type i64 has no vector configuration">
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "haswell", features = "+avx2,+fma", arch = "x86", vector_bits = 256, vector_registers = 16, fma = true, dot = "none", l1_bytes = 32768, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv_avx2(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
func.func @conv_width13_avx2(%i: tensor<1x3x15x4xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x4x64xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
func.func @depthwise_avx2(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
func.func @max_pool_avx2(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
func.func @matmul_avx2(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @matmul_large_avx2(%a: tensor<384x384xf32>, %b: tensor<384x384xf32>, %c: tensor<384x384xf32>) -> tensor<384x384xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<384x384xf32>, tensor<384x384xf32>) outs(%c : tensor<384x384xf32>) -> tensor<384x384xf32>
  return %r : tensor<384x384xf32>
}
func.func @matmul_i64_avx2(%a: tensor<4x8xi64>, %b: tensor<8x16xi64>, %c: tensor<4x16xi64>) -> tensor<4x16xi64> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi64>, tensor<8x16xi64>) outs(%c : tensor<4x16xi64>) -> tensor<4x16xi64>
  return %r : tensor<4x16xi64>
}
}

// -----

// AArch64 NEON: 4 lanes, 32 registers (16 accumulators)
// CHECK-LABEL: func.func @conv_neon
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @conv_width13_neon
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 1, 14, 64, 3, 3, 4], parallel = [1, 1, 7, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @depthwise_neon
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 4], reduction = [1, 0], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @max_pool_neon
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 5, 4], reduction = [1, 0], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_neon
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [8, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_large_neon
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [96, 32, 0], parallel = [8, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_i64_neon
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "element type i64 has no vector configuration">
module attributes {edge.target = #edge.target<triple = "aarch64-unknown-linux-gnu", cpu = "cortex-a76", features = "+neon", arch = "aarch64", vector_bits = 128, vector_registers = 32, fma = true, dot = "sdot", l1_bytes = 65536, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv_neon(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
func.func @conv_width13_neon(%i: tensor<1x3x15x4xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x4x64xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
func.func @depthwise_neon(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
func.func @max_pool_neon(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
func.func @matmul_neon(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @matmul_large_neon(%a: tensor<384x384xf32>, %b: tensor<384x384xf32>, %c: tensor<384x384xf32>) -> tensor<384x384xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<384x384xf32>, tensor<384x384xf32>) outs(%c : tensor<384x384xf32>) -> tensor<384x384xf32>
  return %r : tensor<384x384xf32>
}
func.func @matmul_i64_neon(%a: tensor<4x8xi64>, %b: tensor<8x16xi64>, %c: tensor<4x16xi64>) -> tensor<4x16xi64> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi64>, tensor<8x16xi64>) outs(%c : tensor<4x16xi64>) -> tensor<4x16xi64>
  return %r : tensor<4x16xi64>
}
}

// -----

// Cortex-M4, no SIMD: blocks of 4-lane pseudo-vectors unrolled into the 32
// FP registers, 8 'vector' registers (4 accumulators)
// CHECK-LABEL: func.func @conv_m4
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 2, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @conv_width13_m4
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 1, 14, 64, 3, 3, 4], parallel = [1, 1, 2, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @depthwise_m4
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 4], reduction = [1, 0], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @max_pool_m4
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 1, 4], reduction = [1, 0], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_m4
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [2, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_large_m4
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [24, 32, 0], parallel = [2, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_i64_m4
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "element type i64 has no vector configuration">
module attributes {edge.target = #edge.target<triple = "thumbv7em-none-eabihf", cpu = "cortex-m4", features = "", arch = "cortex-m", vector_bits = 0, vector_registers = 32, fma = true, dot = "dsp", l1_bytes = 0, l2_bytes = 0, sram_bytes = 4194304, pointer_bits = 32>} {
func.func @conv_m4(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
func.func @conv_width13_m4(%i: tensor<1x3x15x4xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x4x64xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
func.func @depthwise_m4(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
func.func @max_pool_m4(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
func.func @matmul_m4(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @matmul_large_m4(%a: tensor<384x384xf32>, %b: tensor<384x384xf32>, %c: tensor<384x384xf32>) -> tensor<384x384xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<384x384xf32>, tensor<384x384xf32>) outs(%c : tensor<384x384xf32>) -> tensor<384x384xf32>
  return %r : tensor<384x384xf32>
}
func.func @matmul_i64_m4(%a: tensor<4x8xi64>, %b: tensor<8x16xi64>, %c: tensor<4x16xi64>) -> tensor<4x16xi64> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi64>, tensor<8x16xi64>) outs(%c : tensor<4x16xi64>) -> tensor<4x16xi64>
  return %r : tensor<4x16xi64>
}
}

// -----

// Cortex-M55 MVE: 4 lanes, 8 registers (4 accumulators)
// CHECK-LABEL: func.func @conv_m55
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 2, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @conv_width13_m55
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 1, 14, 64, 3, 3, 4], parallel = [1, 1, 2, 8], reduction = [1, 1, 1], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @depthwise_m55
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 4], reduction = [1, 0], vector_lanes = 4, fuse = true>
// CHECK-LABEL: func.func @max_pool_m55
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 1, 4], reduction = [1, 0], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_m55
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [2, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_large_m55
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [24, 32, 0], parallel = [2, 8], reduction = [1], vector_lanes = 4>
// CHECK-LABEL: func.func @matmul_i64_m55
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "element type i64 has no vector configuration">
module attributes {edge.target = #edge.target<triple = "thumbv8.1m.main-none-eabihf", cpu = "cortex-m55", features = "+mve.fp", arch = "cortex-m", vector_bits = 128, vector_registers = 8, fma = true, dot = "mve", l1_bytes = 0, l2_bytes = 0, sram_bytes = 4194304, pointer_bits = 32>} {
func.func @conv_m55(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
func.func @conv_width13_m55(%i: tensor<1x3x15x4xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x4x64xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
func.func @depthwise_m55(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
func.func @max_pool_m55(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
func.func @matmul_m55(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @matmul_large_m55(%a: tensor<384x384xf32>, %b: tensor<384x384xf32>, %c: tensor<384x384xf32>) -> tensor<384x384xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<384x384xf32>, tensor<384x384xf32>) outs(%c : tensor<384x384xf32>) -> tensor<384x384xf32>
  return %r : tensor<384x384xf32>
}
func.func @matmul_i64_m55(%a: tensor<4x8xi64>, %b: tensor<8x16xi64>, %c: tensor<4x16xi64>) -> tensor<4x16xi64> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi64>, tensor<8x16xi64>) outs(%c : tensor<4x16xi64>) -> tensor<4x16xi64>
  return %r : tensor<4x16xi64>
}
}


// -----

// The kernels computed through a form or as batched generics (AVX-512): a
// grouped convolution (2 groups of 32 filters) and a 3-D convolution become
// 2-D convolutions per group (and per output depth and depth tap), a
// depthwise convolution with channel multiplier 2 a depthwise convolution
// over 64 replicated channels; batched products (one operand broadcast, or
// linalg.batch_matmul) are blocked one batch at a time. f64 has 8 lanes.
// A configuration already on an op is kept, and a dynamic shape stays scalar.
// CHECK-LABEL: func.func @grouped
// CHECK: edge.lowering_config = #edge.lowering_config<form = "conv_2d_nhwc_hwcf", outer = [0, 0, 0, 1, 0, 0, 0, 0], parallel = [1, 1, 7, 32], reduction = [1, 1, 1], vector_lanes = 16>
// CHECK-LABEL: func.func @conv_3d
// CHECK: edge.lowering_config = #edge.lowering_config<form = "conv_2d_nhwc_hwcf", outer = [0, 1, 0, 0, 1, 0, 1, 0, 0, 0], parallel = [1, 1, 6, 6], reduction = [1, 1, 1], vector_lanes = 16>
// CHECK-LABEL: func.func @multiplier
// CHECK: edge.lowering_config = #edge.lowering_config<form = "depthwise_conv_2d_nhwc_hwc", parallel = [1, 1, 8, 16], reduction = [1, 0], vector_lanes = 16>
// CHECK-LABEL: func.func @batched
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 8], reduction = [1], vector_lanes = 16>
// CHECK-LABEL: func.func @batch_matmul
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 8, 32], reduction = [1], vector_lanes = 16>
// CHECK-LABEL: func.func @conv_f64
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 8, 16], reduction = [1, 1, 1], vector_lanes = 8, fuse = true>
// CHECK-LABEL: func.func @given
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [2, 16], reduction = [4]>
// CHECK-LABEL: func.func @dynamic
// CHECK: edge.lowering_config = #edge.lowering_config<scalar = "dynamic shape">
#gin = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (n, oh + kh, ow + kw, g, c)>
#gw = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (g, f, c, kh, kw)>
#gout = affine_map<(n, oh, ow, g, f, kh, kw, c) -> (n, oh, ow, g, f)>
#in3 = affine_map<(n, od, oh, ow, g, f, kd, kh, kw, c) -> (n, od + kd, oh * 2 + kh, ow + kw, g, c)>
#w3 = affine_map<(n, od, oh, ow, g, f, kd, kh, kw, c) -> (g, f, c, kd, kh, kw)>
#out3 = affine_map<(n, od, oh, ow, g, f, kd, kh, kw, c) -> (n, od, oh, ow, g, f)>
#ba = affine_map<(b0, b1, m, n, k) -> (b0, 0, m, k)>
#bb = affine_map<(b0, b1, m, n, k) -> (b1, k, n)>
#bc = affine_map<(b0, b1, m, n, k) -> (b0, b1, m, n)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @grouped(%i: tensor<1x10x16x2x8xf32>, %f: tensor<2x32x8x3x3xf32>, %o: tensor<1x8x14x2x32xf32>) -> tensor<1x8x14x2x32xf32> {
  %r = linalg.generic {indexing_maps = [#gin, #gw, #gout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%i, %f : tensor<1x10x16x2x8xf32>, tensor<2x32x8x3x3xf32>) outs(%o : tensor<1x8x14x2x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x14x2x32xf32>
  return %r : tensor<1x8x14x2x32xf32>
}
func.func @conv_3d(%i: tensor<1x7x7x8x1x4xf32>, %f: tensor<1x6x4x3x3x3xf32>, %o: tensor<1x5x3x6x1x6xf32>) -> tensor<1x5x3x6x1x6xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #w3, #out3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
         ins(%i, %f : tensor<1x7x7x8x1x4xf32>, tensor<1x6x4x3x3x3xf32>) outs(%o : tensor<1x5x3x6x1x6xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x5x3x6x1x6xf32>
  return %r : tensor<1x5x3x6x1x6xf32>
}
func.func @multiplier(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32x2xf32>, %o: tensor<1x8x8x32x2xf32>) -> tensor<1x8x8x32x2xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32x2xf32>) outs(%o : tensor<1x8x8x32x2xf32>) -> tensor<1x8x8x32x2xf32>
  return %r : tensor<1x8x8x32x2xf32>
}
func.func @batched(%a: tensor<2x1x16x24xf32>, %b: tensor<3x24x40xf32>, %c: tensor<2x3x16x40xf32>) -> tensor<2x3x16x40xf32> {
  %r = linalg.generic {indexing_maps = [#ba, #bb, #bc], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
         ins(%a, %b : tensor<2x1x16x24xf32>, tensor<3x24x40xf32>) outs(%c : tensor<2x3x16x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x16x40xf32>
  return %r : tensor<2x3x16x40xf32>
}
func.func @batch_matmul(%a: tensor<4x16x64xf32>, %b: tensor<4x64x64xf32>, %c: tensor<4x16x64xf32>) -> tensor<4x16x64xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<4x16x64xf32>, tensor<4x64x64xf32>) outs(%c : tensor<4x16x64xf32>) -> tensor<4x16x64xf32>
  return %r : tensor<4x16x64xf32>
}
func.func @conv_f64(%i: tensor<1x18x18x8xf64>, %f: tensor<3x3x8x32xf64>, %o: tensor<1x16x16x32xf64>) -> tensor<1x16x16x32xf64> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf64>, tensor<3x3x8x32xf64>) outs(%o : tensor<1x16x16x32xf64>) -> tensor<1x16x16x32xf64>
  return %r : tensor<1x16x16x32xf64>
}
func.func @given(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<parallel = [2, 16], reduction = [4]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
func.func @dynamic(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
}

// -----

// Inner reductions (the reduced loops innermost): split into partial
// results of up to 4 vectors that divide the innermost dim (a row of 256:
// 64 on AVX-512; 56 columns: half a vector, 8), started from the neutral
// element in registers. A reduction over an outer dim, its inputs
// contiguous along a parallel loop (a max over rows of 56 columns), gets
// blocks of that loop (56: half a vector, 8) and one element of the others:
// each step adds vectors to accumulators. An argmax (two results) gets no
// configuration.
// CHECK-LABEL: func.func @row_sum
// CHECK: edge.lowering_config = #edge.lowering_config<form = "split_reduction", parallel = [1, 1, 64], reduction = [1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @mean_hw
// CHECK: edge.lowering_config = #edge.lowering_config<form = "split_reduction", parallel = [1, 1, 8], reduction = [1, 1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @channel_max
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 8], reduction = [1], vector_lanes = 16>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows = affine_map<(d0, d1, d2) -> (d0, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#nc = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
#outer = affine_map<(d0, d1, d2) -> (d0, d2)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @row_sum(%x: tensor<8x128x256xf32>, %init: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %r = linalg.generic {indexing_maps = [#id3, #rows], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x128x256xf32>) outs(%init : tensor<8x128xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<8x128xf32>
  return %r : tensor<8x128xf32>
}
func.func @mean_hw(%x: tensor<1x64x56x56xf32>, %init: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %r = linalg.generic {indexing_maps = [#id4, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : tensor<1x64x56x56xf32>) outs(%init : tensor<1x64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x64xf32>
  return %r : tensor<1x64xf32>
}
func.func @channel_max(%x: tensor<1x64x56xf32>, %init: tensor<1x56xf32>) -> tensor<1x56xf32> {
  %r = linalg.generic {indexing_maps = [#id3, #outer], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<1x64x56xf32>) outs(%init : tensor<1x56xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.maximumf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x56xf32>
  return %r : tensor<1x56xf32>
}
}

// -----

// Elementwise code with contiguous operands (a broadcast one included):
// blocks of up to 2 vectors along the innermost dim, vectorized by MLIR
// (LLVM's loop vectorizer leaves a loop scalar when it cannot rule out
// that the output overlaps an input, as when buffers are shared). A
// transposing read (an NCHW <-> NHWC copy or epilogue) is blocked lanes x
// lanes along both innermost dims, the block transposed in registers; a
// dim the lanes do not divide takes half or a quarter of them (196 = 14 x
// 14 positions: 4), and one that not even a quarter divides (49) stays
// scalar code.
// CHECK-LABEL: func.func @exp_minus_max
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 32], vector_lanes = 16>
// A generic with several results (a Winograd transform) blocks as any
// other; one with more operands than the 16 accumulator registers (a
// transform reads and writes a whole tile) takes blocks of one vector.
// CHECK-LABEL: func.func @two_results
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 32], vector_lanes = 16>
// CHECK-LABEL: func.func @many_operands
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 16], vector_lanes = 16>
// CHECK-LABEL: func.func @transpose_read
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 16, 16], vector_lanes = 16>
// CHECK-LABEL: func.func @transpose_14x14
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [16, 4], vector_lanes = 16>
// CHECK-LABEL: func.func @transpose_7x7
// CHECK-NOT: edge.lowering_config
// CHECK: return
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#swap = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#t2 = affine_map<(d0, d1) -> (d1, d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @exp_minus_max(%x: tensor<8x128x128xf32>, %m: tensor<8x128x1xf32>, %o: tensor<8x128x128xf32>) -> tensor<8x128x128xf32> {
  %r = linalg.generic {indexing_maps = [#id3, #row, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %m : tensor<8x128x128xf32>, tensor<8x128x1xf32>) outs(%o : tensor<8x128x128xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<8x128x128xf32>
  return %r : tensor<8x128x128xf32>
}
func.func @two_results(%x: tensor<7x7x64xf32>, %y: tensor<7x7x64xf32>, %o: tensor<7x7x64xf32>) -> (tensor<7x7x64xf32>, tensor<7x7x64xf32>) {
  %r:2 = linalg.generic {indexing_maps = [#id3, #id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<7x7x64xf32>, tensor<7x7x64xf32>) outs(%o, %o : tensor<7x7x64xf32>, tensor<7x7x64xf32>) {
  ^bb0(%a: f32, %b: f32, %out0: f32, %out1: f32):
    %s = arith.addf %a, %b : f32
    %d = arith.subf %a, %b : f32
    linalg.yield %s, %d : f32, f32
  } -> (tensor<7x7x64xf32>, tensor<7x7x64xf32>)
  return %r#0, %r#1 : tensor<7x7x64xf32>, tensor<7x7x64xf32>
}
func.func @many_operands(%x: tensor<7x7x64xf32>, %o: tensor<7x7x64xf32>) -> tensor<7x7x64xf32> {
  %r:17 = linalg.generic {indexing_maps = [#id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<7x7x64xf32>) outs(%o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o, %o : tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>) {
  ^bb0(%a: f32, %o0: f32, %o1: f32, %o2: f32, %o3: f32, %o4: f32, %o5: f32, %o6: f32, %o7: f32, %o8: f32, %o9: f32, %o10: f32, %o11: f32, %o12: f32, %o13: f32, %o14: f32, %o15: f32, %o16: f32):
    %n = arith.negf %a : f32
    linalg.yield %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32
  } -> (tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>, tensor<7x7x64xf32>)
  return %r#16 : tensor<7x7x64xf32>
}
func.func @transpose_read(%x: tensor<8x64x64xf32>, %o: tensor<8x64x64xf32>) -> tensor<8x64x64xf32> {
  %r = linalg.generic {indexing_maps = [#swap, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<8x64x64xf32>) outs(%o : tensor<8x64x64xf32>) {
  ^bb0(%a: f32, %out: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<8x64x64xf32>
  return %r : tensor<8x64x64xf32>
}
func.func @transpose_14x14(%x: tensor<196x384xf32>, %o: tensor<384x196xf32>) -> tensor<384x196xf32> {
  %r = linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<196x384xf32>) outs(%o : tensor<384x196xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<384x196xf32>
  return %r : tensor<384x196xf32>
}
func.func @transpose_7x7(%x: tensor<49x384xf32>, %o: tensor<384x49xf32>) -> tensor<384x49xf32> {
  %r = linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<49x384xf32>) outs(%o : tensor<384x49xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<384x49xf32>
  return %r : tensor<384x49xf32>
}
}

// -----

// Filter counts that are no whole number of vectors: 58 (= 2 x 29, the
// largest divisor up to 2 vectors is 29) is padded to 64 when the filter
// is a constant. A filter of 3x3x512x512 (9 MB, beyond half the 1 MB L2)
// over a 7x7 output whose input fits in L2 gets a cache tile over the
// filters alone: the filter blocks are the outermost loop, each block's
// slice read once for all output positions.
// CHECK-LABEL: func.func @filters_58
// CHECK: edge.lowering_config = #edge.lowering_config<padded = [1, 28, 28, 64, 1, 1, 24], parallel = [1, 1, 7, 32], reduction = [1, 1, 1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @large_filter
// CHECK: edge.lowering_config = #edge.lowering_config<cache = [0, 0, 0, 32, 0, 0, 0], parallel = [1, 1, 7, 32], reduction = [1, 1, 1], vector_lanes = 16, fuse = true>
// CHECK-LABEL: func.func @small_filter
// CHECK: edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 7, 32], reduction = [1, 1, 1], vector_lanes = 16, fuse = true>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @filters_58(%i: tensor<1x28x28x24xf32>, %o: tensor<1x28x28x58xf32>) -> tensor<1x28x28x58xf32> {
  %f = arith.constant dense<1.0> : tensor<1x1x24x58xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x28x28x24xf32>, tensor<1x1x24x58xf32>) outs(%o : tensor<1x28x28x58xf32>) -> tensor<1x28x28x58xf32>
  return %r : tensor<1x28x28x58xf32>
}
func.func @large_filter(%i: tensor<1x9x9x512xf32>, %f: tensor<3x3x512x512xf32>, %o: tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x9x9x512xf32>, tensor<3x3x512x512xf32>) outs(%o : tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32>
  return %r : tensor<1x7x7x512xf32>
}
func.func @small_filter(%i: tensor<1x9x9x64xf32>, %f: tensor<3x3x64x64xf32>, %o: tensor<1x7x7x64xf32>) -> tensor<1x7x7x64xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x9x9x64xf32>, tensor<3x3x64x64xf32>) outs(%o : tensor<1x7x7x64xf32>) -> tensor<1x7x7x64xf32>
  return %r : tensor<1x7x7x64xf32>
}
}
