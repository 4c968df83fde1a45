// edge-prune on an embedding table (a Gather of rows of a constant
// matrix): its smallest weights by magnitude are zeroed like a layer's,
// and it is not the "first layer" the dense ends keep (the Gemm after it
// is); N:M and block patterns leave it dense, with the reason recorded.
// RUN: edgec-opt %s --edge-prune="sparsity=0.5" | FileCheck %s
// RUN: edgec-opt %s --edge-prune="pattern=1:2 dense-ends=false" | FileCheck %s --check-prefix=NM

// CHECK: edge.pruning = [{layer = "emb", op = "edge.gather", weights = 8 : i64, zeros_after = 4 : i64, zeros_before = 0 : i64}, {layer = "fc", op = "edge.gemm", reason = "the first layer stays dense", weights = 4 : i64, zeros_after = 0 : i64, zeros_before = 0 : i64}]
// CHECK: arith.constant dense<{{\[}}[0.000000e+00, 8.000000e+00], [0.000000e+00, -7.000000e+00], [6.000000e+00, 0.000000e+00], [0.000000e+00, 5.000000e+00]]> : tensor<4x2xf32>
// CHECK: edge.gather
// NM: {layer = "emb", op = "edge.gather", reason = "an embedding table: unstructured pruning only", weights = 8 : i64, zeros_after = 0 : i64, zeros_before = 0 : i64}
func.func @main(%i: tensor<1x3xi64>) -> tensor<1x3x2xf32> {
  %t = arith.constant dense<[[1.0, 8.0], [2.0, -7.0], [6.0, -3.0], [4.0, 5.0]]> : tensor<4x2xf32>
  %e = edge.gather %t, %i {axis = 0 : i64} : (tensor<4x2xf32>, tensor<1x3xi64>) -> tensor<1x3x2xf32> loc("emb")
  %b = arith.constant dense<[[0.1, 0.4], [-0.3, 0.2]]> : tensor<2x2xf32>
  %c = arith.constant dense<0.0> : tensor<2xf32>
  %r = edge.reshape %e {shape = array<i64: 3, 2>} : (tensor<1x3x2xf32>) -> tensor<3x2xf32>
  %y = edge.gemm %r, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32> loc("fc")
  %y3 = edge.reshape %y {shape = array<i64: 1, 3, 2>} : (tensor<3x2xf32>) -> tensor<1x3x2xf32>
  return %y3 : tensor<1x3x2xf32>
}
