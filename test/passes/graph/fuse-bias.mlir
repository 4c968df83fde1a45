// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-fuse-bias))' | FileCheck %s

// CHECK-LABEL: func.func @conv_bias
// CHECK: %[[B:.+]] = arith.constant dense<[1.500000e+00, 2.500000e+00]> : tensor<2xf32>
// CHECK: edge.conv %{{.*}}, %{{.*}}, %[[B]]
// CHECK-NOT: edge.add
func.func @conv_bias(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = arith.constant dense<[[[0.5]], [[0.5]]]> : tensor<2x1x1xf32>
  %0 = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.add %0, %c : tensor<1x2x4x4xf32>, tensor<2x1x1xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// A bias that varies along the width is not per channel: kept.
// CHECK-LABEL: func.func @not_per_channel
// CHECK: edge.add
func.func @not_per_channel(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.add %0, %c : tensor<1x2x4x4xf32>, tensor<4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_add
// CHECK: %[[G:.+]] = edge.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, transA = false, transB = false}
// CHECK-NEXT: return %[[G]]
func.func @matmul_add(%a: tensor<1x8xf32>, %b: tensor<8x3xf32>, %c: tensor<3xf32>) -> tensor<1x3xf32> {
  %0 = edge.matmul %a, %b : tensor<1x8xf32>, tensor<8x3xf32> -> tensor<1x3xf32>
  %1 = edge.add %c, %0 : tensor<3xf32>, tensor<1x3xf32>
  return %1 : tensor<1x3xf32>
}
