// edge-prune with block=target on a module with an NPU: the blocks are
// the NPU's N x N weight tiles (here N = 2), which it then skips
// (docs/npu-spec.md §2.4). The matrix view of B [K=4, N=2] has 2 rows
// (outputs) by 4 columns (K): the 2x2 blocks over K 0-1 (mean 4.25) and
// K 2-3 (mean 4.5); half of them go.
// RUN: edgec-opt %s --edge-prune="sparsity=0.5 block=target dense-ends=false" | FileCheck %s
// CHECK: edge.pruning_block = array<i64: 2, 2>
// CHECK: dense<{{\[}}[0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00], [6.000000e+00, -3.000000e+00], [4.000000e+00, 5.000000e+00]]>
module attributes {npu.config = {n = 2 : i64}} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %b1 = arith.constant dense<[[0.0, 2.0], [8.0, -7.0], [6.0, -3.0], [4.0, 5.0]]> : tensor<4x2xf32>
    %c1 = arith.constant dense<0.0> : tensor<2xf32>
    %y = edge.gemm %x, %b1, %c1 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<1x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("only")
    return %y : tensor<1x2xf32>
  }
}
