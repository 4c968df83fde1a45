// edge-prune-channels (passes/prune/PruneChannels.cpp): whole output
// channels removed and everything they flow through shrunk: the residual
// Add joins `stem` and `c2` (one space, scored by both filters' L1 norms
// over their layer means: channels 0 and 2 stay), `c1`'s channels (L1
// 1.6, 3.5, 0.4, 5.4: 1 and 3 stay) go through a Relu and the depthwise
// `dw` (filter rows and group shrink) into `c2`'s columns and the Concat;
// the Concat's two spaces reach `fc`'s columns through the pooling and
// the reshape. `fc`'s outputs are the model's: they stay.
// RUN: edgec-opt %s --edge-prune-channels="fraction=0.5 dense-ends=false" | FileCheck %s
// RUN: edgec-opt %s --edge-prune-channels="fraction=0.5" | FileCheck %s --check-prefix=ENDS
// RUN: edgec-opt %s --edge-prune-channels="fraction=0.5 dense-ends=false skip=c1" | FileCheck %s --check-prefix=SKIP
// RUN: not edgec-opt %s --edge-prune-channels="fraction=1.0" 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: edge.channel_pruning = [{channels = 4 : i64, kept = 2 : i64, layer = "stem", op = "edge.conv"}, {channels = 4 : i64, kept = 2 : i64, layer = "c1", op = "edge.conv"}, {channels = 4 : i64, kept = 2 : i64, layer = "c2", op = "edge.conv"}, {channels = 3 : i64, kept = 3 : i64, layer = "fc", op = "edge.gemm", reason = "a model output"}]
// CHECK: dense<{{\[}}{{\[}}{{\[}}[1.000000e+00]], {{\[}}[1.000000e+00]]], {{\[}}{{\[}}[3.000000e+00]], {{\[}}[1.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK: -> tensor<1x2x4x4xf32>
// CHECK: dense<{{\[}}{{\[}}{{\[}}[2.000000e+00]], {{\[}}[5.000000e-01]]], {{\[}}{{\[}}[3.000000e+00]], {{\[}}[8.000000e-01]]]]> : tensor<2x2x1x1xf32>
// CHECK: dense<[1.100000e+01, 1.300000e+01]> : tensor<2xf32>
// CHECK: edge.relu %{{.*}} : tensor<1x2x4x4xf32>
// CHECK: dense<{{.*}}2.000000e+00{{.*}}4.000000e+00{{.*}}> : tensor<2x1x3x3xf32>
// CHECK: edge.conv {{.*}}group = 2 : i64, pads = array<i64: 1, 1, 1, 1>
// CHECK: dense<{{\[}}{{\[}}{{\[}}[0.00999999977]], {{\[}}[2.000000e-02]]], {{\[}}{{\[}}[1.000000e+00]], {{\[}}[4.000000e-02]]]]> : tensor<2x2x1x1xf32>
// CHECK: edge.add {{.*}} : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
// CHECK: edge.concat {{.*}} -> tensor<1x4x4x4xf32>
// CHECK: edge.reshape {{.*}}{shape = array<i64: 1, 4>} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
// CHECK: dense<{{\[}}[0.000000e+00, 2.000000e+00, 5.000000e+00, 7.000000e+00], [1.000000e+01, 1.200000e+01, 1.500000e+01, 1.700000e+01], [2.000000e+01, 2.200000e+01, 2.500000e+01, 2.700000e+01]]> : tensor<3x4xf32>
// CHECK: return {{.*}} : tensor<1x3xf32>

// The first layer's channels stay by default, and with them c2's (joined).
// ENDS: {channels = 4 : i64, kept = 4 : i64, layer = "stem", op = "edge.conv", reason = "the first layer stays dense"}, {channels = 4 : i64, kept = 2 : i64, layer = "c1", op = "edge.conv"}, {channels = 4 : i64, kept = 4 : i64, layer = "c2", op = "edge.conv", reason = "the first layer stays dense"}
// ENDS: edge.concat {{.*}} -> tensor<1x6x4x4xf32>
// SKIP: {channels = 4 : i64, kept = 2 : i64, layer = "stem", op = "edge.conv"}, {channels = 4 : i64, kept = 4 : i64, layer = "c1", op = "edge.conv", reason = "skipped by name"}
// BAD: edge-prune-channels: fraction 1.000000e+00 is not in [0, 1)
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %w0 = arith.constant dense<[[[[1.0]], [[1.0]]], [[[0.1]], [[0.1]]], [[[3.0]], [[1.0]]], [[[0.2]], [[0.0]]]]> : tensor<4x2x1x1xf32>
  %s = edge.conv %x, %w0 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("stem")
  %w1 = arith.constant dense<[[[[1.0]], [[0.1]], [[0.2]], [[0.3]]], [[[2.0]], [[0.4]], [[0.5]], [[0.6]]], [[[0.1]], [[0.1]], [[0.1]], [[0.1]]], [[[3.0]], [[0.7]], [[0.8]], [[0.9]]]]> : tensor<4x4x1x1xf32>
  %b1 = arith.constant dense<[10.0, 11.0, 12.0, 13.0]> : tensor<4xf32>
  %t = edge.conv %s, %w1, %b1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("c1")
  %tr = edge.relu %t : tensor<1x4x4x4xf32>
  %w2 = arith.constant dense<[[[[1.0,1.0,1.0],[1.0,1.0,1.0],[1.0,1.0,1.0]]],[[[2.0,2.0,2.0],[2.0,2.0,2.0],[2.0,2.0,2.0]]],[[[3.0,3.0,3.0],[3.0,3.0,3.0],[3.0,3.0,3.0]]],[[[4.0,4.0,4.0],[4.0,4.0,4.0],[4.0,4.0,4.0]]]]> : tensor<4x1x3x3xf32>
  %u = edge.conv %tr, %w2 {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> loc("dw")
  %w3 = arith.constant dense<[[[[1.0]], [[0.01]], [[0.0]], [[0.02]]], [[[0.0]], [[0.0]], [[0.0]], [[0.5]]], [[[0.0]], [[1.0]], [[0.03]], [[0.04]]], [[[0.0]], [[0.0]], [[2.0]], [[0.0]]]]> : tensor<4x4x1x1xf32>
  %v = edge.conv %u, %w3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32> loc("c2")
  %r = edge.add %v, %s : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
  %cat = edge.concat %r, %u {axis = 1 : i64} : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32>
  %g = edge.global_average_pool %cat : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  %f = edge.reshape %g {shape = array<i64: 1, 8>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %w4 = arith.constant dense<[[0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0],[10.0,11.0,12.0,13.0,14.0,15.0,16.0,17.0],[20.0,21.0,22.0,23.0,24.0,25.0,26.0,27.0]]> : tensor<3x8xf32>
  %y = edge.gemm %f, %w4 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32> loc("fc")
  return %y : tensor<1x3xf32>
}
