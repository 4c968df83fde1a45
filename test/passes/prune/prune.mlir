// edge-prune (passes/prune/Prune.cpp): the smallest weights by magnitude
// set to zero per layer or against one global threshold, N:M along the
// reduction axis, the first and last layer and named ones left dense, and
// what each layer became recorded in edge.pruning.
// RUN: edgec-opt %s --edge-prune="sparsity=0.5 dense-ends=false" | FileCheck %s --check-prefix=LAYER
// RUN: edgec-opt %s --edge-prune="sparsity=0.5 scope=global dense-ends=false" | FileCheck %s --check-prefix=GLOBAL
// RUN: edgec-opt %s --edge-prune="pattern=1:2 dense-ends=false" | FileCheck %s --check-prefix=NM
// RUN: edgec-opt %s --edge-prune="sparsity=0.5" | FileCheck %s --check-prefix=ENDS
// RUN: edgec-opt %s --edge-prune="sparsity=0.5 skip=first dense-ends=false" | FileCheck %s --check-prefix=SKIP
// RUN: not edgec-opt %s --edge-prune="pattern=4:2" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not edgec-opt %s --edge-prune="sparsity=1.0" 2>&1 | FileCheck %s --check-prefix=BAD1

// Per layer, half of each: the B of `first` ([K=4, N=2], one weight
// already zero) keeps its 4 largest; `second`'s small weights go.
// LAYER: edge.pruning = [{layer = "first", op = "edge.gemm", weights = 8 : i64, zeros_after = 4 : i64, zeros_before = 1 : i64}, {layer = "second", op = "edge.gemm", weights = 4 : i64, zeros_after = 2 : i64, zeros_before = 0 : i64}]
// LAYER: dense<{{\[}}[0.000000e+00, 8.000000e+00], [0.000000e+00, -7.000000e+00], [6.000000e+00, 0.000000e+00], [0.000000e+00, 5.000000e+00]]>
// LAYER: dense<{{\[}}[0.000000e+00, 4.000000e-01], [-3.000000e-01, 0.000000e+00]]>

// One threshold over the 12 weights: the 6 smallest are `second`'s four
// (all below 0.5) and `first`'s 0 and 2.
// GLOBAL: zeros_after = 2 : i64{{.*}}zeros_after = 4 : i64
// GLOBAL: dense<{{\[}}[0.000000e+00, 8.000000e+00], [0.000000e+00, -7.000000e+00], [6.000000e+00, -3.000000e+00], [4.000000e+00, 5.000000e+00]]>
// GLOBAL: dense<0.000000e+00> : tensor<2x2xf32>

// 1:2 along K (B's rows): the larger of rows (0, 1) and of rows (2, 3) in
// each column.
// NM: dense<{{\[}}[0.000000e+00, 8.000000e+00], [2.000000e+00, 0.000000e+00], [6.000000e+00, 0.000000e+00], [0.000000e+00, 5.000000e+00]]>
// NM: dense<{{\[}}[0.000000e+00, 4.000000e-01], [-3.000000e-01, 0.000000e+00]]>

// By default the first and last layers stay dense: here, both.
// ENDS: {layer = "first", {{.*}}reason = "the first layer stays dense", weights = 8 : i64, zeros_after = 1 : i64, zeros_before = 1 : i64}, {layer = "second", {{.*}}reason = "the last layer stays dense"
// SKIP: {layer = "first", {{.*}}reason = "skipped by name", weights = 8 : i64, zeros_after = 1 : i64
// SKIP-SAME: {layer = "second", op = "edge.gemm", weights = 4 : i64, zeros_after = 2 : i64

// BAD: edge-prune: pattern '4:2' is not unstructured or N:M: an N:M pattern needs 1 <= N < M <= 64
// BAD1: edge-prune: sparsity 1.000000e+00 is not in [0, 1)
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %b1 = arith.constant dense<[[0.0, 8.0], [2.0, -7.0], [6.0, -3.0], [4.0, 5.0]]> : tensor<4x2xf32>
  %c1 = arith.constant dense<0.0> : tensor<2xf32>
  %h = edge.gemm %x, %b1, %c1 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<1x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("first")
  %b2 = arith.constant dense<[[0.1, 0.4], [-0.3, 0.2]]> : tensor<2x2xf32>
  %y = edge.gemm %h, %b2, %c1 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("second")
  return %y : tensor<1x2xf32>
}

// Blocks of 1 output by 2 reduction positions (B is [K, N]: a block is two
// consecutive rows of one column): half of each layer's blocks, those of
// the smallest mean magnitude (first: means 1, 5, 7.5, 4; second: 0.2,
// 0.3).
// RUN: edgec-opt %s --edge-prune="sparsity=0.5 block=1x2 dense-ends=false" | FileCheck %s --check-prefix=BLOCK
// BLOCK: edge.pruning_block = array<i64: 1, 2>
// BLOCK: dense<{{\[}}[0.000000e+00, 8.000000e+00], [0.000000e+00, -7.000000e+00], [6.000000e+00, 0.000000e+00], [4.000000e+00, 0.000000e+00]]>
// BLOCK: dense<{{\[}}[0.000000e+00, 4.000000e-01], [0.000000e+00, 2.000000e-01]]>
// RUN: not edgec-opt %s --edge-prune="sparsity=0.5 block=2y2" 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// BADBLOCK: edge-prune: block '2y2': not target or RxC (1 to 256 each)
