// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-vectorize-kernels,canonicalize))' | FileCheck %s

// Tiling marks the outermost loop over a parallel dim that runs more than
// once with `edge.parallel` = the op's iteration count (the work): its
// iterations write disjoint tiles, so edge-cpu-outline-parallel may split
// them over threads. Here that is the conv's loop over output rows (work:
// 16 x 16 x 32 outputs x 3 x 3 x 8 taps = 589824).
// CHECK-LABEL: func.func @conv_block
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK-NOT: edge.parallel
// CHECK: } {edge.parallel = 589824 : i64}
// CHECK-NEXT: return
func.func @conv_block(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x32xf32>, %o: tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 4, 16], reduction = [1, 1, 1], vector_lanes = 16>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x32xf32>) outs(%o : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}

// -----

// A cache tile: the mark goes on the cache loop (16 x 64 x 64 = 65536), not
// on the register blocks inside it.
// CHECK-LABEL: func.func @matmul_cache
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK-NOT: edge.parallel
// CHECK: } {edge.parallel = 65536 : i64}
// CHECK-NEXT: return
func.func @matmul_cache(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<cache = [8, 32, 0], parallel = [4, 16], reduction = [4]>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

// A kernel with a fused epilogue: the loop the epilogue is tiled by carries
// the kernel's work (16 x 64 x 64), not the epilogue's 16 x 64.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c2
// CHECK: } {edge.parallel = 65536 : i64}
func.func @matmul_epilogue(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>) -> tensor<16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %m = linalg.matmul {edge.lowering_config = #edge.lowering_config<parallel = [2, 16], reduction = [4], fuse = true>}
         ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%m : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %relu = arith.maximumf %x, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

// The only loop over a parallel dim runs once: nothing is marked (the k
// cache loop is a reduction).
// CHECK-LABEL: func.func @reduction_outer
// CHECK-NOT: edge.parallel
// CHECK: return
func.func @reduction_outer(%a: tensor<4x64xf32>, %b: tensor<64x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.matmul {edge.lowering_config = #edge.lowering_config<cache = [4, 16, 16], parallel = [4, 16], reduction = [4]>}
         ins(%a, %b : tensor<4x64xf32>, tensor<64x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Elementwise code weighs its body: 3 ops on 7 x 7 x 64 elements, work
// 9408 (a Winograd transform's tens of ops make it large enough to split).
// CHECK-LABEL: func.func @elementwise_body
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK-NOT: edge.parallel
// CHECK: } {edge.parallel = 9408 : i64}
// CHECK-NEXT: return
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @elementwise_body(%x: tensor<7x7x64xf32>, %y: tensor<7x7x64xf32>, %o: tensor<7x7x64xf32>) -> (tensor<7x7x64xf32>, tensor<7x7x64xf32>) {
  %r:2 = linalg.generic {indexing_maps = [#id3, #id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<7x7x64xf32>, tensor<7x7x64xf32>) outs(%o, %o : tensor<7x7x64xf32>, tensor<7x7x64xf32>)
      attrs = {edge.lowering_config = #edge.lowering_config<parallel = [1, 1, 16], vector_lanes = 16>} {
  ^bb0(%a: f32, %b: f32, %out0: f32, %out1: f32):
    %s = arith.addf %a, %b : f32
    %d = arith.subf %a, %b : f32
    %m = arith.mulf %s, %d : f32
    linalg.yield %s, %m : f32, f32
  } -> (tensor<7x7x64xf32>, tensor<7x7x64xf32>)
  return %r#0, %r#1 : tensor<7x7x64xf32>, tensor<7x7x64xf32>
}
