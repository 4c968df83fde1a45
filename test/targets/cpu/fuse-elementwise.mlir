// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-fuse-elementwise))' | FileCheck %s

// NHWC -> NCHW transpose, relu, NCHW -> NHWC transpose: one generic with
// identity maps (the transposes cancel).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @cancel
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%{{.*}} : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#nhwc_to_nchw = affine_map<(n, c, h, w) -> (n, h, w, c)>
#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @cancel(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x4x4xf32>
  %t0 = linalg.generic {indexing_maps = [#nhwc_to_nchw, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x4x4xf32>
  %e1 = tensor.empty() : tensor<1x8x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0 : tensor<1x8x4x4xf32>) outs(%e1 : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x8xf32>
  %t1 = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r : tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x8xf32>
  return %t1 : tensor<1x4x4x8xf32>
}

// -----

// A transpose with two users is fused into both (recomputing an index is
// free); an elementwise op with two users is not duplicated.
// CHECK-LABEL: func.func @multi_use
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: linalg.generic
#t = affine_map<(a, b) -> (b, a)>
#i = affine_map<(a, b) -> (a, b)>
func.func @multi_use(%x: tensor<4x8xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %e = tensor.empty() : tensor<8x4xf32>
  %t = linalg.generic {indexing_maps = [#t, #i], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x4xf32>
  %a = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.exp %in : f32
    linalg.yield %v : f32
  } -> tensor<8x4xf32>
  %b = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.tanh %in : f32
    linalg.yield %v : f32
  } -> tensor<8x4xf32>
  return %a, %b : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

// A padded producer writes into the interior of the padded tensor: no
// tensor.pad (a copy once bufferized) is left, and only the border is
// filled (one box per padded side: rows 0 and 5 over the interior columns,
// then columns 0 and 5 over all rows), so the interior is written once.
// CHECK-LABEL: func.func @pad_into_producer
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[TOP:.+]] = tensor.extract_slice %[[E]][0, 0, 1, 0] [1, 1, 4, 8]
// CHECK: linalg.fill {{.*}} outs(%[[TOP]] : tensor<1x1x4x8xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 5, 1, 0] [1, 1, 4, 8]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 6, 1, 8]
// CHECK: %[[RIGHT:.+]] = tensor.extract_slice %{{.*}}[0, 0, 5, 0] [1, 6, 1, 8]
// CHECK: linalg.fill {{.*}} outs(%[[RIGHT]] : tensor<1x6x1x8xf32>)
// CHECK: %[[BORDER:.+]] = tensor.insert_slice
// CHECK-NOT: linalg.fill
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[BORDER]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: %[[G:.+]] = linalg.generic {{.*}} outs(%[[SLICE]] : tensor<1x4x4x8xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.insert_slice %[[G]] into %[[BORDER]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @pad_into_producer(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x8xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p : tensor<1x6x6x8xf32>
}

// -----

// Two residual adds between channels-last kernels, written in ONNX's NCHW:
// each add reads NHWC tensors through the same transpose. The first add's
// result is transposed back to NHWC by a consumer: it is turned to compute
// in NHWC, that transpose cancels, and the second add reads the NHWC
// result directly. The second add's result is wanted in NCHW (returned):
// it stays as it is, transposing as it computes.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[T:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func.func @residual_layout
// CHECK: %[[A1:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK: arith.addf
// CHECK: %[[A2:.+]] = linalg.generic {indexing_maps = [#[[T]], #[[T]], #[[ID]]]
// CHECK-SAME: ins(%[[A1]], %arg2 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return %[[A1]], %[[A2]]
#to_nchw = affine_map<(n, c, h, w) -> (n, h, w, c)>
#to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#idr = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @residual_layout(%x: tensor<1x4x4x8xf32>, %y: tensor<1x4x4x8xf32>, %z: tensor<1x4x4x8xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>) {
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %add1 = linalg.generic {indexing_maps = [#to_nchw, #to_nchw, #idr], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%e : tensor<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  %en = tensor.empty() : tensor<1x4x4x8xf32>
  %back1 = linalg.generic {indexing_maps = [#to_nhwc, #idr], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%add1 : tensor<1x8x4x4xf32>) outs(%en : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x8xf32>
  %e2 = tensor.empty() : tensor<1x8x4x4xf32>
  %add2 = linalg.generic {indexing_maps = [#idr, #to_nchw, #idr], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%add1, %z : tensor<1x8x4x4xf32>, tensor<1x4x4x8xf32>) outs(%e2 : tensor<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  return %back1, %add2 : tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>
}

// -----

// Attention's scaled Q feeding a batched matmul (b, m, n, k): fused, the
// division would run once per key (n). It stays a generic of its own, and the
// matmul stays a plain multiply-accumulate that edge-cpu-select-lowering
// blocks like Gemm. The transposed K stays a copy too: the matmul reads its
// right operand a vector of columns at a time, contiguously.
// CHECK-LABEL: func.func @no_recompute_in_matmul
// CHECK: %[[Q:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0 : tensor<4x16x8xf32>)
// CHECK: arith.divf
// CHECK: %[[KT:.+]] = linalg.generic {{.*}} ins(%arg1 : tensor<4x16x8xf32>) outs(%{{.*}} : tensor<4x8x16xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[Q]], %[[KT]] : tensor<4x16x8xf32>, tensor<4x8x16xf32>)
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %[[C:.+]]: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[A]], %[[B]]
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[C]], %[[P]]
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK-NOT: linalg.generic
#id3 = affine_map<(b, m, k) -> (b, m, k)>
#kt = affine_map<(b, n, k) -> (b, k, n)>
#lhs = affine_map<(b, m, n, k) -> (b, m, k)>
#rhs = affine_map<(b, m, n, k) -> (b, k, n)>
#acc = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @no_recompute_in_matmul(%q: tensor<4x16x8xf32>, %k: tensor<4x16x8xf32>) -> tensor<4x16x16xf32> {
  %scale = arith.constant 2.828427 : f32
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x16x8xf32>
  %qs = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%q : tensor<4x16x8xf32>) outs(%e0 : tensor<4x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %scale : f32
    linalg.yield %d : f32
  } -> tensor<4x16x8xf32>
  %e1 = tensor.empty() : tensor<4x8x16xf32>
  %kt = linalg.generic {indexing_maps = [#kt, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<4x16x8xf32>) outs(%e1 : tensor<4x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x8x16xf32>
  %e2 = tensor.empty() : tensor<4x16x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %s = linalg.generic {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qs, %kt : tensor<4x16x8xf32>, tensor<4x8x16xf32>) outs(%acc : tensor<4x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16x16xf32>
  return %s : tensor<4x16x16xf32>
}

// -----

// Squeeze-and-excitation after a channels-last kernel, written in ONNX's
// NCHW: SiLU of the kernel's NHWC output written as NCHW, pooled over
// (h, w) and multiplied by a per-channel gate, both reading it back in
// NHWC order. The SiLU is turned to compute in NHWC, and the pooling and
// the gating read its result with identity maps: contiguous, no transpose.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @squeeze_excitation
// CHECK: %[[SILU:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%arg0 : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #{{.*}}], iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[SILU]] : tensor<1x4x4x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ID]], #[[ID]]]
// CHECK-SAME: ins(%arg1, %[[SILU]] : tensor<1x8xf32>, tensor<1x4x4x8xf32>)
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
#to_nchw2 = affine_map<(n, c, h, w) -> (n, h, w, c)>
#nhwc_read = affine_map<(n, h, w, c) -> (n, c, h, w)>
#nc = affine_map<(n, h, w, c) -> (n, c)>
#id2 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @squeeze_excitation(%x: tensor<1x4x4x8xf32>, %gate: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x4x4x8xf32>) {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %silu = linalg.generic {indexing_maps = [#to_nchw2, #id2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%e : tensor<1x8x4x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %s = arith.divf %a, %d : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  %es = tensor.empty() : tensor<1x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%es : tensor<1x8xf32>) -> tensor<1x8xf32>
  %pool = linalg.generic {indexing_maps = [#nhwc_read, #nc], iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
      ins(%silu : tensor<1x8x4x4xf32>) outs(%z : tensor<1x8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x8xf32>
  %eo = tensor.empty() : tensor<1x4x4x8xf32>
  %gated = linalg.generic {indexing_maps = [#nc, #nhwc_read, #id2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%gate, %silu : tensor<1x8xf32>, tensor<1x8x4x4xf32>) outs(%eo : tensor<1x4x4x8xf32>) {
  ^bb0(%g: f32, %a: f32, %out: f32):
    %m = arith.mulf %g, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x8xf32>
  return %pool, %gated : tensor<1x8xf32>, tensor<1x4x4x8xf32>
}

// -----

// Squeeze-and-excitation's gating multiply (x * s[c], a batch of one) read
// only by a convolution: the convolution reads x, and its filter is scaled
// by s per input channel instead (32 x 16 multiplies per run, not a pass
// over the 8 x 8 x 32 activation).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[SC:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d2, 0, 0)>
// CHECK-LABEL: func.func @gate_into_filter
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x32xf32>, %[[S:.+]]: tensor<1x32x1x1xf32>, %[[W:.+]]: tensor<1x1x32x16xf32>)
// CHECK: %[[SCALED:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[SC]], #[[ID]]]
// CHECK-SAME: ins(%[[W]], %[[S]] : tensor<1x1x32x16xf32>, tensor<1x32x1x1xf32>)
// CHECK: arith.mulf
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-SAME: ins(%[[X]], %[[SCALED]] : tensor<1x8x8x32xf32>, tensor<1x1x32x16xf32>)
#sc = affine_map<(d0, d1, d2, d3) -> (d0, d3, 0, 0)>
#id3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @gate_into_filter(%x: tensor<1x8x8x32xf32>, %s: tensor<1x32x1x1xf32>, %w: tensor<1x1x32x16xf32>) -> tensor<1x8x8x16xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %g = linalg.generic {indexing_maps = [#sc, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %x : tensor<1x32x1x1xf32>, tensor<1x8x8x32xf32>) outs(%e : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<1x8x8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %w : tensor<1x8x8x32xf32>, tensor<1x1x32x16xf32>) outs(%f : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}

// -----

// A gate that also varies over the rows (not a per-channel scale) stays.
// CHECK-LABEL: func.func @gate_per_row
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-SAME: ins(%{{.*}}, %arg2 : tensor<1x8x8x32xf32>, tensor<1x1x32x16xf32>)
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @gate_per_row(%x: tensor<1x8x8x32xf32>, %s: tensor<1x8x1x1xf32>, %w: tensor<1x1x32x16xf32>) -> tensor<1x8x8x16xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %g = linalg.generic {indexing_maps = [#row, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %x : tensor<1x8x1x1xf32>, tensor<1x8x8x32xf32>) outs(%e : tensor<1x8x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<1x8x8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %w : tensor<1x8x8x32xf32>, tensor<1x1x32x16xf32>) outs(%f : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}

// -----

// A channel shuffle between channels-last layers (ShuffleNet: a transpose to
// NCHW, a reshape into 2 groups, a transpose of the groups, a reshape back,
// a slice per branch, a transpose back to NHWC): the slices move before the
// data movements and through the reshapes, the reshapes fold into the
// transposes, and each branch gets one copy of its half straight from the
// channels-last input, viewed as (groups, channels per group).
// CHECK-LABEL: func.func @channel_shuffle
// CHECK: %[[X:.+]] = tensor.expand_shape %arg0 {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 4, 4, 2, 4]
// CHECK-DAG: %[[LO:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0, 0] [1, 4, 4, 2, 2]
// CHECK-DAG: %[[HI:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0, 2] [1, 4, 4, 2, 2]
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[SWAP:.+]], #{{.+}}], {{.*}} ins(%[[LO]] : tensor<1x4x4x2x2xf32>)
// CHECK: %[[A2:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x4x4x2x2xf32> into tensor<1x4x4x4xf32>
// CHECK: %[[B:.+]] = linalg.generic {indexing_maps = [#[[SWAP]], #{{.+}}], {{.*}} ins(%[[HI]] : tensor<1x4x4x2x2xf32>)
// CHECK: %[[B2:.+]] = tensor.collapse_shape %[[B]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[A2]], %[[B2]]
#nhwc2nchw = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#perm5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#nchw2nhwc = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
func.func @channel_shuffle(%x: tensor<1x4x4x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %e0 = tensor.empty() : tensor<1x8x4x4xf32>
  %t = linalg.generic {indexing_maps = [#nhwc2nchw, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x8xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x4x4xf32>
  %ex = tensor.expand_shape %t [[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 4, 4] : tensor<1x8x4x4xf32> into tensor<1x2x4x4x4xf32>
  %e1 = tensor.empty() : tensor<1x4x2x4x4xf32>
  %p = linalg.generic {indexing_maps = [#perm5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%ex : tensor<1x2x4x4x4xf32>) outs(%e1 : tensor<1x4x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x2x4x4xf32>
  %c = tensor.collapse_shape %p [[0], [1, 2], [3], [4]] : tensor<1x4x2x4x4xf32> into tensor<1x8x4x4xf32>
  %s0 = tensor.extract_slice %c[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> to tensor<1x4x4x4xf32>
  %s1 = tensor.extract_slice %c[0, 4, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> to tensor<1x4x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x4xf32>
  %a = linalg.generic {indexing_maps = [#nchw2nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s0 : tensor<1x4x4x4xf32>) outs(%e2 : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x4xf32>
  %b = linalg.generic {indexing_maps = [#nchw2nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s1 : tensor<1x4x4x4xf32>) outs(%e2 : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x4xf32>
  return %a, %b : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// A transpose left between two kernels, (1, H, W, C) -> (C, 1, H, W), runs
// as the 2-D transpose (H W, C) -> (C, H W): the loops consecutive in both
// layouts fold into one, so the kernels phase blocks it lanes x lanes along
// H x W (a W of 28 or 56 alone would not take 16 lanes).
// CHECK-LABEL: func.func @transpose_between_kernels
// CHECK: %[[X:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2], [3]] : tensor<1x4x6x8xf32> into tensor<24x8xf32>
// CHECK: %[[T:.+]] = linalg.generic {indexing_maps = [#[[IN:.+]], #[[OUT:.+]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<24x8xf32>) outs({{.*}} : tensor<8x24xf32>)
// CHECK: %[[Y:.+]] = tensor.expand_shape %[[T]] {{\[}}[0], [1, 2, 3]] output_shape [8, 1, 4, 6] : tensor<8x24xf32> into tensor<8x1x4x6xf32>
// CHECK: return %[[Y]]
#to_cf = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3, d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @transpose_between_kernels(%x: tensor<1x4x6x8xf32>) -> tensor<8x1x4x6xf32> {
  %e = tensor.empty() : tensor<8x1x4x6xf32>
  %t = linalg.generic {indexing_maps = [#to_cf, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x6x8xf32>) outs(%e : tensor<8x1x4x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x1x4x6xf32>
  return %t : tensor<8x1x4x6xf32>
}
