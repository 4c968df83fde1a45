// edge-cpu-sparse-kernels: a matrix product whose constant right-hand side
// is sparse enough becomes a kernel over its nonzeros, in CSR by output
// channel (int16 rows, f32 values); the activations are transposed to
// (K, M), each tile of 8 vectors of rows accumulates one broadcast FMA per
// nonzero and vector, each vector in its own accumulator, starting from the
// bias, and the result is transposed back.
// RUN: edgec-opt %s --pass-pipeline="builtin.module(func.func(edge-cpu-sparse-kernels{min-sparsity=0.6 min-nonzeros=1}))" | FileCheck %s
// One thread: one pass instance compiles every function in turn.
// RUN: edgec-opt %s --mlir-disable-threading --pass-pipeline="builtin.module(func.func(edge-cpu-sparse-kernels{min-sparsity=0.6 min-nonzeros=1}))" | FileCheck %s
// RUN: edgec-opt %s --pass-pipeline="builtin.module(func.func(edge-cpu-sparse-kernels{min-sparsity=0.9 min-nonzeros=1}))" | FileCheck %s --check-prefix=DENSE
// RUN: edgec-opt %s --pass-pipeline="builtin.module(func.func(edge-cpu-sparse-kernels{min-sparsity=0.6 min-nonzeros=2}))" | FileCheck %s --check-prefix=FEW
// RUN: edgec-opt %s --pass-pipeline="builtin.module(func.func(edge-cpu-sparse-kernels{min-nonzeros=1}))" | FileCheck %s --check-prefix=AUTO

// By default each layer's threshold is its break-even: with 8 lanes, 42
// rows (5.25 vectors) need 68 % zeros, and W has 67 %; one row (a
// classifier) needs 50 %.
// AUTO-LABEL: func.func @small
// AUTO-NOT: edge.sparse_kernels
// AUTO: linalg.matmul
// AUTO-LABEL: func.func @gemv
// AUTO-SAME: edge.sparse_kernels
// AUTO-NOT: linalg.matmul
// AUTO: return

// W (K = 4 by N = 3) has 4 nonzeros of 12 (67 % sparse): column 0 holds
// rows 1 and 3, column 1 none, column 2 rows 0 and 2. 40 bytes: 4 starts
// (i32), 4 rows (i16), 4 values.
// The record is the function's (functions are compiled in parallel).
// CHECK-NOT: edge.sparse_kernels
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: attributes {edge.sparse_kernels = [{bytes = 40 : i64, dense_bytes = 48 : i64, format = "csr16", layer = "fc", nonzeros = 4 : i64, weights = 12 : i64}]}
// CHECK-DAG: %[[STARTS:.*]] = arith.constant dense<[0, 2, 2, 4]> : tensor<4xi32>
// CHECK-DAG: %[[ROWS:.*]] = arith.constant dense<[1, 3, 0, 2]> : tensor<4xi16>
// CHECK-DAG: %[[VALS:.*]] = arith.constant dense<[5.000000e+00, 7.000000e+00, 1.000000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK: %[[XT:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<90x4xf32>) outs({{.*}} : tensor<4x90xf32>)
// Tiles of 8 vectors (64 rows) while whole ones fit (64 rows), then the
// other 26 rows in one pass: 3 whole vectors and one masked.
// CHECK: scf.for %[[M0:.*]] = %c0 to %c64 step %c64{{.*}} iter_args
// CHECK:   scf.for %[[N:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK:     tensor.extract %[[STARTS]]
// CHECK:     %[[B:.*]] = tensor.extract %arg1[%[[N]]] : tensor<3xf32>
// CHECK:     vector.broadcast %[[B]] : f32 to vector<8xf32>
// CHECK:     scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:       tensor.extract %[[ROWS]]
// CHECK:       arith.extui {{.*}} : i16 to i32
// CHECK:       tensor.extract %[[VALS]]
// CHECK-COUNT-8: vector.transfer_read %[[XT]][{{.*}}], {{.*}} {in_bounds = [true]} : tensor<4x90xf32>, vector<8xf32>
// CHECK:       vector.fma
// CHECK-COUNT-8: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<3x90xf32>
// CHECK: scf.for %[[N2:.*]] = %c0{{.*}} to %c3
// CHECK:   scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-3: vector.transfer_read %[[XT]]{{.*}} {in_bounds = [true]} : tensor<4x90xf32>, vector<8xf32>
// CHECK:     vector.fma
// CHECK:     vector.transfer_read %[[XT]]{{.*}}, %{{[^ ]*}} : tensor<4x90xf32>, vector<8xf32>
// CHECK:     vector.fma
// CHECK-COUNT-3: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<3x90xf32>
// CHECK:   vector.transfer_write {{.*}} : vector<8xf32>, tensor<3x90xf32>
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<3x90xf32>) outs({{.*}} : tensor<90x3xf32>)
// CHECK-NOT: linalg.matmul

// Below the sparsity asked, or with too few nonzeros per output channel
// (1.3 here), the product stays dense.
// DENSE-NOT: edge.sparse_kernels
// DENSE: linalg.matmul
// FEW-NOT: edge.sparse_kernels
// FEW: linalg.matmul
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "+avx2,+fma", arch = "x86", vector_bits = 256, vector_registers = 16, fma = true, dot = "none", l1_bytes = 32768, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
func.func @gemm(%x: tensor<90x4xf32>, %b: tensor<3xf32>) -> tensor<90x3xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 1.0], [5.0, 0.0, 0.0], [0.0, 0.0, 3.0], [7.0, 0.0, 0.0]]> : tensor<4x3xf32>
  %e = tensor.empty() : tensor<90x3xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<3xf32>) outs(%e : tensor<90x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<90x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<90x4xf32>, tensor<4x3xf32>) outs(%init : tensor<90x3xf32>) -> tensor<90x3xf32> loc("fc")
  return %y : tensor<90x3xf32>
}

// Up to 8 vectors of rows (42 here) are one pass: 5 whole vectors and a
// masked one; the init (not a bias) is read transposed.
// CHECK-LABEL: func.func @small
// CHECK-SAME: attributes {edge.sparse_kernels = [{bytes = 40 : i64, dense_bytes = 48 : i64, format = "csr16", layer = "small", nonzeros = 4 : i64, weights = 12 : i64}]}
// CHECK: %[[IT:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<42x3xf32>) outs({{.*}} : tensor<3x42xf32>)
// CHECK-NOT: step %c32
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c3{{.*}} iter_args(%[[Y:.*]] = {{.*}}) -> (tensor<3x42xf32>)
// CHECK-COUNT-5: vector.transfer_read %[[Y]][%[[C]], {{.*}}], {{.*}} {in_bounds = [true]} : tensor<3x42xf32>, vector<8xf32>
// CHECK:   vector.transfer_read %[[Y]][%[[C]], {{.*}}], %{{[^ ]*}} : tensor<3x42xf32>, vector<8xf32>
// CHECK:   scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @small(%x: tensor<42x4xf32>, %init: tensor<42x3xf32>) -> tensor<42x3xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 1.0], [5.0, 0.0, 0.0], [0.0, 0.0, 3.0], [7.0, 0.0, 0.0]]> : tensor<4x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<42x4xf32>, tensor<4x3xf32>) outs(%init : tensor<42x3xf32>) -> tensor<42x3xf32> loc("small")
  return %y : tensor<42x3xf32>
}

// One row (a classifier): per output channel a scalar sum over its
// nonzeros, read from the row directly, in four partial sums (the first
// starting from the bias) over the nonzeros in fours, then the rest.
// CHECK-LABEL: func.func @gemv
// CHECK-SAME: edge.sparse_kernels = [{{{.*}}layer = "head"{{.*}}}]
// CHECK: scf.for %[[R:.*]] = %c0{{.*}} to %c1{{.*}} step
// CHECK:   scf.for %[[C:.*]] = %c0{{.*}} to %c3{{.*}} step
// CHECK:     %[[B:.*]] = tensor.extract %arg1[%[[C]]]
// CHECK:     %[[Q:.*]]:4 = scf.for {{.*}} step %c4{{.*}} iter_args({{.*}} = %[[B]], {{.*}} = %cst{{.*}}, {{.*}} = %cst{{.*}}, {{.*}} = %cst{{.*}}) -> (f32, f32, f32, f32)
// CHECK:       tensor.extract %arg0[%[[R]], {{.*}}] : tensor<1x4xf32>
// CHECK-COUNT-4: math.fma
// CHECK:     %[[P0:.*]] = arith.addf %[[Q]]#0, %[[Q]]#1
// CHECK:     %[[P1:.*]] = arith.addf %[[Q]]#2, %[[Q]]#3
// CHECK:     %[[T:.*]] = arith.addf %[[P0]], %[[P1]]
// CHECK:     scf.for {{.*}} iter_args({{.*}} = %[[T]]) -> (f32)
// CHECK:       math.fma
// CHECK:     tensor.insert {{.*}}[%[[R]], %[[C]]] : tensor<1x3xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @gemv(%x: tensor<1x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 1.0], [5.0, 0.0, 0.0], [0.0, 0.0, 3.0], [7.0, 0.0, 0.0]]> : tensor<4x3xf32>
  %e = tensor.empty() : tensor<1x3xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%init : tensor<1x3xf32>) -> tensor<1x3xf32> loc("head")
  return %y : tensor<1x3xf32>
}

// Zeros in blocks of a vector of output channels (8 with AVX2) by one k:
// block CSR, the kernel on the channels-last layout (no transposes). W (K
// = 4 by N = 16) stores 3 of its 8 blocks (62.5 % zero blocks): group 0
// (channels 0-7) at k = 1, group 1 at k = 0 and 3; 3 x (8 values + an
// i16 column) + 3 starts = 114 bytes. Tiles of 8 rows, then the other 2:
// per group the accumulators start from the bias's vector, and per stored
// block the block's vector is read once and each row adds its X[row][k]
// broadcast times it. The bias's broadcast into the init is left unused.
// CHECK-LABEL: func.func @blocks
// CHECK-SAME: attributes {edge.sparse_kernels = [{bytes = 114 : i64, dense_bytes = 256 : i64, format = "bcsr16-8x1", layer = "blk", nonzeros = 20 : i64, weights = 64 : i64}]}
// CHECK-DAG: %[[STARTS:.*]] = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
// CHECK-DAG: %[[COLS:.*]] = arith.constant dense<[1, 0, 3]> : tensor<3xi16>
// CHECK-DAG: %[[VALS:.*]] = arith.constant dense<[1.000000e+00, 0.000000e+00, 1.000000e+00, {{.*}}]> : tensor<24xf32>
// CHECK: %[[Y0:.*]] = tensor.empty() : tensor<10x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c8{{.*}} step %c8{{.*}} iter_args({{.*}} = %[[Y0]])
// CHECK:   scf.for %[[G:.*]] = %c0 to %c2 step %c1
// CHECK:     tensor.extract %[[STARTS]]
// CHECK-COUNT-8: vector.transfer_read %arg1[%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<16xf32>, vector<8xf32>
// CHECK:     scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:       tensor.extract %[[COLS]]
// CHECK:       vector.transfer_read %[[VALS]]
// CHECK-COUNT-8: vector.fma
// CHECK-COUNT-8: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<10x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:   scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>) {
// CHECK-COUNT-2: vector.fma
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @blocks(%x: tensor<10x4xf32>, %b: tensor<16xf32>) -> tensor<10x16xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                             [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<4x16xf32>
  %e = tensor.empty() : tensor<10x16xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<16xf32>) outs(%e : tensor<10x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<10x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<10x4xf32>, tensor<4x16xf32>) outs(%init : tensor<10x16xf32>) -> tensor<10x16xf32> loc("blk")
  return %y : tensor<10x16xf32>
}

// A quantized product (int8 x int8 into int32 sums, the bias in the
// init): the values are stored int8, each vector of activations and each
// weight sign-extended to i32, multiplied and added. By default an int8
// layer's break-even is higher (the dense int8 kernels do four products
// per lane and instruction): 67 % zeros stay dense.
// CHECK-LABEL: func.func @gemm_i8
// CHECK-SAME: attributes {edge.sparse_kernels = [{bytes = 28 : i64, dense_bytes = 12 : i64, format = "csr16-i8", layer = "qfc", nonzeros = 4 : i64, weights = 12 : i64}]}
// CHECK-DAG: arith.constant dense<[5, 7, 1, 3]> : tensor<4xi8>
// CHECK:     %[[B:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<3xi32>
// CHECK:     vector.broadcast %[[B]] : i32 to vector<8xi32>
// CHECK:     scf.for {{.*}} -> (vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>)
// CHECK:       %[[W:.*]] = arith.extsi {{.*}} : i8 to i32
// CHECK:       %[[WV:.*]] = vector.broadcast %[[W]] : i32 to vector<8xi32>
// CHECK:       %[[XV:.*]] = vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<4x90xi8>, vector<8xi8>
// CHECK:       %[[X32:.*]] = arith.extsi %[[XV]] : vector<8xi8> to vector<8xi32>
// CHECK:       %[[P:.*]] = arith.muli %[[X32]], %[[WV]] : vector<8xi32>
// CHECK:       arith.addi {{.*}}, %[[P]] : vector<8xi32>
// CHECK-NOT: linalg.matmul
// CHECK: return
// AUTO-LABEL: func.func @gemm_i8
// AUTO-NOT: edge.sparse_kernels
// AUTO: linalg.matmul
func.func @gemm_i8(%x: tensor<90x4xi8>, %b: tensor<3xi32>) -> tensor<90x3xi32> {
  %w = arith.constant dense<[[0, 0, 1], [5, 0, 0], [0, 0, 3], [7, 0, 0]]> : tensor<4x3xi8>
  %e = tensor.empty() : tensor<90x3xi32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<3xi32>) outs(%e : tensor<90x3xi32>) {
  ^bb0(%in: i32, %out: i32):
    linalg.yield %in : i32
  } -> tensor<90x3xi32>
  %y = linalg.matmul ins(%x, %w : tensor<90x4xi8>, tensor<4x3xi8>) outs(%init : tensor<90x3xi32>) -> tensor<90x3xi32> loc("qfc")
  return %y : tensor<90x3xi32>
}
}
