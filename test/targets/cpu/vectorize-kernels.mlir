// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-select-lowering,edge-cpu-vectorize-kernels))' | FileCheck %s

// The strategy and the mechanism together: the code each kernel gets from
// the configuration edge-cpu-select-lowering chooses for it (see
// select-lowering.mlir for the configurations, lowering-config.mlir for
// configurations written by hand).

// NHWC conv, 16 filters (1 zmm): 16-row register block over ow, reductions
// (kh, kw, c) as loops carrying the accumulator vector, no linalg left.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} vector<1x16x16xf32>
// CHECK: scf.for {{.*}} -> ({{.*}}vector<1x16x16xf32>)
// CHECK: vector.contract
// CHECK: vector.transfer_write {{.*}} : vector<1x16x16xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv(%i: tensor<1x18x18x8xf32>, %f: tensor<3x3x8x16xf32>, %o: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x18x18x8xf32>, tensor<3x3x8x16xf32>) outs(%o : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}
}

// -----

// 1000 filters become 1008, whole vectors (the constant filter is padded at
// compile time, then packed into the blocks' layout: 63 blocks of 16
// filters, each block's rows consecutive), and the valid part is sliced out.
// CHECK-LABEL: func.func @pad_filters
// CHECK: %[[PACKED:.+]] = arith.constant dense<{{.*}}> : tensor<63x1x1x4x16xf32>
// CHECK-NOT: tensor<1x1x4x1008xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 0, 8]
// CHECK: tensor.extract_slice %[[PACKED]][%{{.*}}, 0, 0, %{{.*}}, 0] [1, 1, 1, 1, 16] [1, 1, 1, 1, 1] : tensor<63x1x1x4x16xf32> to tensor<1x1x1x16xf32>
// CHECK: vector<1x16x16xf32>
// CHECK: tensor.extract_slice {{.*}}[1, 1, 16, 1000] [1, 1, 1, 1] : tensor<1x1x16x1008xf32> to tensor<1x1x16x1000xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @pad_filters(%i: tensor<1x1x16x4xf32>, %o: tensor<1x1x16x1000xf32>) -> tensor<1x1x16x1000xf32> {
  %f = arith.constant dense<1.0> : tensor<1x1x4x1000xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x1x16x4xf32>, tensor<1x1x4x1000xf32>) outs(%o : tensor<1x1x16x1000xf32>) -> tensor<1x1x16x1000xf32>
  return %r : tensor<1x1x16x1000xf32>
}
}

// -----

// With 64 filters (2 vectors: blocks of up to 8 columns), an output width
// of 13 would give a 1-column block: it is computed as 14 columns, two
// blocks of 7 (input padded to match), and sliced.
// CHECK-LABEL: func.func @pad_width
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 0]
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 0]
// CHECK: vector<1x7x32xf32>
// CHECK: tensor.extract_slice {{.*}}[1, 1, 13, 64] [1, 1, 1, 1] : tensor<1x1x14x64xf32> to tensor<1x1x13x64xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @pad_width(%i: tensor<1x3x15x4xf32>, %f: tensor<3x3x4x64xf32>, %o: tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x3x15x4xf32>, tensor<3x3x4x64xf32>) outs(%o : tensor<1x1x13x64xf32>) -> tensor<1x1x13x64xf32>
  return %r : tensor<1x1x13x64xf32>
}
}

// -----

// Depthwise: 8 output columns x 16 channels, kw unrolled by the 1-D vectorizer.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: vector.transfer_read {{.*}} vector<1x8x16xf32>
// CHECK: vector.fma {{.*}} : vector<1x8x16xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @depthwise(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
}

// -----

// Matmul: 8 rows x 2 vectors, the k loop carries the accumulator.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for {{.*}} -> ({{.*}}vector<8x32xf32>)
// CHECK: vector.contract
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @matmul(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}
}

// -----

// Max pooling is tiled like a depthwise convolution (rows x 1 vector of
// channels), decomposed to 1-D and vectorized (strided windows one output
// row at a time): no pooling op is left. The
// width 55 has no divisor up to 8 but 5, so tiles stay static.
// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: linalg.pooling
// CHECK: scf.for %{{.*}} = %c0 to %c55 step %c5
// CHECK: arith.maximumf {{.*}} : vector<1x1x16xf32>
// CHECK-NOT: linalg.pooling
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @max_pool(%i: tensor<1x111x111x64xf32>, %o: tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%i, %w : tensor<1x111x111x64xf32>, tensor<3x3xf32>) outs(%o : tensor<1x55x55x64xf32>) -> tensor<1x55x55x64xf32>
  return %r : tensor<1x55x55x64xf32>
}
}

// -----

// Depthwise over a width of 28: 7-row tiles (a divisor), not 8 with a
// dynamic remainder that would stay scalar.
// CHECK-LABEL: func.func @depthwise_28
// CHECK-NOT: linalg.depthwise
// CHECK: scf.for %{{.*}} = %c0 to %c28 step %c7
// CHECK: vector.fma {{.*}} : vector<1x7x16xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @depthwise_28(%i: tensor<1x30x30x32xf32>, %f: tensor<3x3x32xf32>, %o: tensor<1x28x28x32xf32>) -> tensor<1x28x28x32xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x30x30x32xf32>, tensor<3x3x32xf32>) outs(%o : tensor<1x28x28x32xf32>) -> tensor<1x28x28x32xf32>
  return %r : tensor<1x28x28x32xf32>
}
}

// -----

// A padded convolution recomputes its bias init at the padded shape (the
// bias constant padded with zeros at compile time) instead of copying the
// init into a zero-filled larger buffer; the init is fused into each block,
// which reads its slice of the padded bias.
// CHECK-LABEL: func.func @pad_bias_init
// CHECK: %[[B:.+]] = arith.constant dense<{{.*}}> : tensor<1008xf32>
// CHECK: scf.for %[[F:.+]] = %c0 to %c1008 step %c16
// CHECK: tensor.extract_slice %[[B]][%[[F]]] [16] [1] : tensor<1008xf32> to tensor<16xf32>
// CHECK-NOT: tensor.pad {{.*}} : tensor<1x1x16x1000xf32>
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @pad_bias_init(%i: tensor<1x1x16x4xf32>) -> tensor<1x1x16x1000xf32> {
  %f = arith.constant dense<1.0> : tensor<1x1x4x1000xf32>
  %b = arith.constant dense<2.0> : tensor<1000xf32>
  %e = tensor.empty() : tensor<1x1x16x1000xf32>
  %o = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%b : tensor<1000xf32>) outs(%e : tensor<1x1x16x1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x1x16x1000xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x1x16x4xf32>, tensor<1x1x4x1000xf32>) outs(%o : tensor<1x1x16x1000xf32>) -> tensor<1x1x16x1000xf32>
  return %r : tensor<1x1x16x1000xf32>
}
}

// -----

// A convolution with a bias init and an elementwise epilogue (Clip): one
// loop nest whose blocks start from the broadcast bias, accumulate over the
// reductions in registers and apply max/min before the only store; no
// whole-output init or activation pass is left.
// CHECK-LABEL: func.func @conv_bias_clip
// CHECK-NOT: linalg.
// CHECK: scf.for {{.*}} -> (tensor<1x16x16x32xf32>)
// CHECK: %[[BIAS:.+]] = vector.transfer_read %{{.*}} : tensor<32xf32>, vector<32xf32>
// CHECK: vector.broadcast %[[BIAS]] : vector<32xf32> to vector<1x1x8x32xf32>
// CHECK: scf.for {{.*}} -> ({{.*}}vector<1x8x32xf32>)
// CHECK: vector.contract
// CHECK: %[[LO:.+]] = arith.maximumf %{{.*}}, %{{.*}} : vector<1x1x8x32xf32>
// CHECK: %[[HI:.+]] = arith.minimumf %[[LO]], %{{.*}} : vector<1x1x8x32xf32>
// CHECK: vector.transfer_write %[[HI]], %{{.*}} : vector<1x1x8x32xf32>, tensor<1x1x8x32xf32>
// CHECK: tensor.insert_slice {{.*}} into tensor<1x16x16x32xf32>
#bias1 = affine_map<(d0, d1, d2, d3) -> (d3)>
#id1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv_bias_clip(%i: tensor<1x16x16x8xf32>, %b: tensor<32xf32>) -> tensor<1x16x16x32xf32> {
  %f = arith.constant dense<0.5> : tensor<1x1x8x32xf32>
  %e = tensor.empty() : tensor<1x16x16x32xf32>
  %init = linalg.generic {indexing_maps = [#bias1, #id1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%b : tensor<32xf32>) outs(%e : tensor<1x16x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x16x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x16x16x8xf32>, tensor<1x1x8x32xf32>) outs(%init : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e2 = tensor.empty() : tensor<1x16x16x32xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%c : tensor<1x16x16x32xf32>) outs(%e2 : tensor<1x16x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    %1 = arith.minimumf %0, %six : f32
    linalg.yield %1 : f32
  } -> tensor<1x16x16x32xf32>
  return %r : tensor<1x16x16x32xf32>
}
}

// -----

// Depthwise with a zero init and a residual add as its epilogue: the add
// reads its other operand block by block; the fill is fused too.
// CHECK-LABEL: func.func @depthwise_residual
// CHECK-NOT: linalg.
// CHECK: vector.fma {{.*}} : vector<1x8x16xf32>
// CHECK: %[[SKIPBLOCK:.+]] = tensor.extract_slice %arg2[0, {{.*}}] [1, 1, 8, 16]
// CHECK: %[[SKIP:.+]] = vector.transfer_read %[[SKIPBLOCK]]{{.*}} : tensor<1x1x8x16xf32>, vector<1x1x8x16xf32>
// CHECK: arith.addf %{{.*}}, %[[SKIP]] : vector<1x1x8x16xf32>
#id2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @depthwise_residual(%i: tensor<1x10x10x32xf32>, %f: tensor<3x3x32xf32>, %skip: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xf32>, tensor<3x3x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %e2 = tensor.empty() : tensor<1x8x8x32xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%d, %skip : tensor<1x8x8x32xf32>, tensor<1x8x8x32xf32>) outs(%e2 : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %0 = arith.addf %a, %s : f32
    linalg.yield %0 : f32
  } -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}
}


// -----

// An int8 1x1 convolution as a VNNI matmul (24 columns: the 8-lane form)
// whose requantization, with a per-channel multiplier and a residual add,
// runs on each register block: the bias, less the unsigned-activation
// correction 128 * colsum(w) = 128 * 2 * 32 = 8192, is a constant; the
// activations are moved to unsigned once; no int32 tensor is written; only
// int8 vectors are stored.
// CHECK-LABEL: func.func @dot_requant_residual
// CHECK-NOT: linalg.matmul
// CHECK-DAG: arith.constant dense<-8182> : tensor<24xi32>
// CHECK-DAG: %[[M:.+]] = arith.constant dense<{{.*}}> : tensor<1x1x1x24xf32>
// CHECK: %[[U:.+]] = linalg.generic
// CHECK: arith.xori %{{.*}}, %c-128_i8 : i8
// CHECK-NOT: linalg.generic
// CHECK: scf.for {{.*}} -> (tensor<1x8x8x24xi8>)
// CHECK: scf.for {{.*}} -> (vector<8xi32>, vector<8xi32>, vector<8xi32>
// CHECK: vector.transfer_read %[[U]]
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// CHECK: vector.transfer_read %[[M]]{{.*}} : tensor<1x1x1x24xf32>, vector<8xf32>
// CHECK: arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: vector.transfer_read %arg1{{.*}} : tensor<1x8x8x24xi8>, vector<8xi8>
// CHECK: arith.addi %{{.*}} : vector<8xi32>
// CHECK: arith.trunci %{{.*}} : vector<8xi32> to vector<8xi8>
// CHECK: vector.transfer_write %{{.*}} : vector<8xi8>, tensor<1x8x8x24xi8>
// CHECK-NOT: linalg.generic
#bias = affine_map<(d0, d1) -> (d1)>
#mat = affine_map<(d0, d1) -> (d0, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (0, 0, 0, d3)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @dot_requant_residual(%x: tensor<64x32xi8>, %skip: tensor<1x8x8x24xi8>) -> tensor<1x8x8x24xi8> {
  %w = arith.constant dense<2> : tensor<32x24xi8>
  %b = arith.constant dense<10> : tensor<24xi32>
  %m = arith.constant dense<0.25> : tensor<1x1x1x24xf32>
  %e = tensor.empty() : tensor<64x24xi32>
  %init = linalg.generic {indexing_maps = [#bias, #mat], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<24xi32>) outs(%e : tensor<64x24xi32>) {
  ^bb0(%in: i32, %out: i32):
    linalg.yield %in : i32
  } -> tensor<64x24xi32>
  %acc = linalg.matmul ins(%x, %w : tensor<64x32xi8>, tensor<32x24xi8>) outs(%init : tensor<64x24xi32>) -> tensor<64x24xi32>
  %acc4 = tensor.expand_shape %acc [[0, 1, 2], [3]] output_shape [1, 8, 8, 24] : tensor<64x24xi32> into tensor<1x8x8x24xi32>
  %e8 = tensor.empty() : tensor<1x8x8x24xi8>
  %r = linalg.generic {indexing_maps = [#id4, #chan, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%acc4, %m, %skip : tensor<1x8x8x24xi32>, tensor<1x1x1x24xf32>, tensor<1x8x8x24xi8>) outs(%e8 : tensor<1x8x8x24xi8>) {
  ^bb0(%a: i32, %s: f32, %k: i8, %out: i8):
    %f = arith.sitofp %a : i32 to f32
    %y = arith.mulf %f, %s : f32
    %i = arith.fptosi %y : f32 to i32
    %k32 = arith.extsi %k : i8 to i32
    %sum = arith.addi %i, %k32 : i32
    %t = arith.trunci %sum : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x8x8x24xi8>
  return %r : tensor<1x8x8x24xi8>
}
}

// -----

// An int8 depthwise convolution with its requantization (int32 -> int8)
// as the block epilogue: int8 vectors stored, no int32 tensor.
// CHECK-LABEL: func.func @depthwise_requant
// CHECK-NOT: linalg.
// CHECK: arith.muli {{.*}} : vector<1x8x16xi32>
// CHECK: arith.sitofp {{.*}} : vector<1x1x8x16xi32> to vector<1x1x8x16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x1x8x16xi8>
#dwchan = affine_map<(d0, d1, d2, d3) -> (d3)>
#dwid = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @depthwise_requant(%i: tensor<1x10x10x32xi8>, %f: tensor<3x3x32xi8>) -> tensor<1x8x8x32xi8> {
  %zero = arith.constant 0 : i32
  %m = arith.constant dense<0.5> : tensor<32xf32>
  %e = tensor.empty() : tensor<1x8x8x32xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<1x8x8x32xi32>) -> tensor<1x8x8x32xi32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%i, %f : tensor<1x10x10x32xi8>, tensor<3x3x32xi8>) outs(%init : tensor<1x8x8x32xi32>) -> tensor<1x8x8x32xi32>
  %e8 = tensor.empty() : tensor<1x8x8x32xi8>
  %r = linalg.generic {indexing_maps = [#dwid, #dwchan, #dwid], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%d, %m : tensor<1x8x8x32xi32>, tensor<32xf32>) outs(%e8 : tensor<1x8x8x32xi8>) {
  ^bb0(%a: i32, %s: f32, %out: i8):
    %fa = arith.sitofp %a : i32 to f32
    %y = arith.mulf %fa, %s : f32
    %q = arith.fptosi %y : f32 to i32
    %t = arith.trunci %q : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x8x8x32xi8>
  return %r : tensor<1x8x8x32xi8>
}
}

// -----

// An inner reduction (a row's sum of squares, as ReduceL2 fuses it) split
// into 64 partial sums: they start at 0 in registers, each step of the
// 4-step row loop is one elementwise multiply-add on vector<64xf32> (no
// contraction left), and one vector reduction per row combines them into
// the accumulator.
// CHECK-LABEL: func.func @sum_of_squares
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<1x1x64xf32>
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0], [1], [2, 3]] output_shape [8, 128, 4, 64]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_write %[[ZERO]]
// CHECK: %[[INIT:.+]] = vector.transfer_read {{.*}} vector<64xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %[[ACC:.+]] = %[[INIT]]) -> ({{.*}}vector<64xf32>)
// CHECK: %[[X:.+]] = vector.transfer_read {{.*}} vector<64xf32>
// CHECK: %[[SQ:.+]] = arith.mulf %[[X]], %[[X]] : vector<64xf32>
// CHECK: arith.addf %[[ACC]], %[[SQ]] : vector<64xf32>
// CHECK-NOT: vector.contract
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [2] : vector<1x1x64xf32> to vector<1x1xf32>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows = affine_map<(d0, d1, d2) -> (d0, d1)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @sum_of_squares(%x: tensor<8x128x256xf32>) -> tensor<8x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x128xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x128xf32>) -> tensor<8x128xf32>
  %r = linalg.generic {indexing_maps = [#id3, #rows], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x128x256xf32>) outs(%init : tensor<8x128xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<8x128xf32>
  return %r : tensor<8x128xf32>
}
}

// -----

// Elementwise code in blocks of 2 vectors along the innermost dim: the
// broadcast operand is read once per block and broadcast, the exp is a
// vector op (expanded to a polynomial later), no linalg op is left.
// CHECK-LABEL: func.func @exp_minus_max
// CHECK-NOT: linalg.generic
// CHECK: scf.for {{.*}} step %c32
// CHECK: %[[X:.+]] = vector.transfer_read {{.*}} vector<1x1x32xf32>
// CHECK: %[[M:.+]] = vector.transfer_read {{.*}} vector<1x1xf32>
// CHECK: %[[B:.+]] = vector.broadcast %[[M]] : vector<1x1xf32> to vector<1x1x32xf32>
// CHECK: %[[D:.+]] = arith.subf %[[X]], %[[B]] : vector<1x1x32xf32>
// CHECK: math.exp %[[D]] : vector<1x1x32xf32>
// CHECK: vector.transfer_write
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
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
}

// -----

// A matrix product with a constant right-hand side (a Gemm's weights,
// 2 x 48): its blocks read 16 columns per step of k, so the constant is
// packed at compile time as 3 blocks of 2 x 16, each block's rows
// consecutive (block 0: B[0, 0..15] = 0..15, then B[1, 0..15] = 48..63),
// and the block reads row k of block n / 16.
// CHECK-LABEL: func.func @pack_matmul
// CHECK: %[[PACKED:.+]] = arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01], [4.800000e+01, 4.900000e+01, {{.*}}, 6.300000e+01]], {{\[}}[1.600000e+01, {{.*}}]]]> : tensor<3x2x16xf32>
// CHECK-NOT: tensor<2x48xf32>
// CHECK: scf.for %[[N:.+]] = %c0 to %c48 step %c16
// CHECK: scf.for %[[K:.+]] = %c0 to %c2 step %c1
// CHECK: %[[BLOCK:.+]] = affine.apply #{{.*}}()[%[[N]]]
// CHECK: tensor.extract_slice %[[PACKED]][%[[BLOCK]], %[[K]], 0] [1, 1, 16] [1, 1, 1] : tensor<3x2x16xf32> to tensor<1x16xf32>
// CHECK: vector.contract
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @pack_matmul(%a: tensor<8x2xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0], [48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0]]> : tensor<2x48xf32>
  %r = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x48xf32>) outs(%c : tensor<8x48xf32>) -> tensor<8x48xf32>
  return %r : tensor<8x48xf32>
}
}

// -----

// An outer reduction (a squeeze-excitation's pooling: relu'd NHWC values
// summed over H x W, channels innermost): loops (n, h, w, c) run as
// (n, c, h, w), 96 channels in 3 blocks of 32, each block's sum in
// registers across h and w (the loops carry a vector), no scalar code.
// CHECK-LABEL: func.func @outer_reduction
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.+}} = %c0 to %c96 step %c32
// CHECK: vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c7 step %c1 {{.*}} -> ({{.*}}vector<1x32xf32>)
// CHECK: scf.for %{{.+}} = %c0 to %c7 step %c1 {{.*}} -> ({{.*}}vector<1x32xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x32xf32>, vector<1x1x1x32xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x1x1x32xf32>
// CHECK: arith.addf {{.*}} : vector<1x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x32xf32>, tensor<1x32xf32>
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @outer_reduction(%x: tensor<1x7x7x96xf32>) -> tensor<1x96xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x96xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x96xf32>) -> tensor<1x96xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, c)>], iterator_types = ["parallel", "reduction", "reduction", "parallel"]} ins(%x : tensor<1x7x7x96xf32>) outs(%init : tensor<1x96xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %in, %zero : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x96xf32>
  return %r : tensor<1x96xf32>
}
}
