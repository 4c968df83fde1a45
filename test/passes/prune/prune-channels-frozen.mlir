// edge-prune-channels leaves whole the channels it cannot follow: `b`'s
// are flattened together with the spatial dims (the Gemm's columns mix
// both), `g` is a grouped convolution. `a`'s channels only feed `g`'s
// input... which a grouped convolution cannot shrink either; `c`'s feed
// only `b`, so they go.
// RUN: edgec-opt %s --edge-prune-channels="fraction=0.5 dense-ends=false" | FileCheck %s
// CHECK: {channels = 4 : i64, kept = 4 : i64, layer = "a", op = "edge.conv", reason = "used by edge.conv (g)"}
// CHECK-SAME: {channels = 4 : i64, kept = 2 : i64, layer = "c", op = "edge.conv"}
// CHECK-SAME: {channels = 4 : i64, kept = 4 : i64, layer = "b", op = "edge.conv", reason = "used by edge.reshape (flat)"}
// CHECK: edge.conv %arg0, {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: edge.conv {{.*}} : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32>
func.func @main(%x: tensor<1x2x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x2x1x1xf32>
  %a = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("a")
  %wg = arith.constant dense<1.0> : tensor<4x2x1x1xf32>
  %g = edge.conv %a, %wg {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("g")
  %wc = arith.constant dense<[[[[1.0]], [[1.0]]], [[[0.1]], [[0.1]]], [[[3.0]], [[1.0]]], [[[0.2]], [[0.0]]]]> : tensor<4x2x1x1xf32>
  %c = edge.conv %x, %wc {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("c")
  %wb = arith.constant dense<1.0> : tensor<4x4x1x1xf32>
  %b = edge.conv %c, %wb {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32> loc("b")
  %f = edge.reshape %b {shape = array<i64: 1, 64>} : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32> loc("flat")
  %w4 = arith.constant dense<1.0> : tensor<3x64xf32>
  %y = edge.gemm %f, %w4 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x64xf32>, tensor<3x64xf32>) -> tensor<1x3xf32> loc("fc")
  return %g, %y : tensor<1x4x4x4xf32>, tensor<1x3xf32>
}
