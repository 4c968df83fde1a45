// RUN: edgec-opt %s -split-input-file -convert-edge-to-linalg | FileCheck %s

// A convolution runs channels-last: the input is transposed to NHWC and
// padded, the constant OIHW filter becomes an HWCF constant at compile time,
// the bias initializes the accumulator, and the result is transposed back.
// CHECK-LABEL: func.func @conv
// CHECK: %[[X:.+]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x2xf32>)
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[W:.+]] = arith.constant dense<5.000000e-01> : tensor<3x3x2x4xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x10x10x2xf32>, tensor<3x3x2x4xf32>) outs(%[[INIT]] : tensor<1x4x4x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x4x4x4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
func.func @conv(%x: tensor<1x2x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A filter transposed at compile time keeps its values in the new order.
// CHECK-LABEL: func.func @filter_layout
// CHECK: arith.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
func.func @filter_layout(%x: tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x6x6x3xf32>, tensor<3x3x3xf32>)
func.func @depthwise(%x: tensor<1x3x6x6xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x6x6xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Ceil mode pads the end so the last window fits; padding is -inf.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: outs(%{{.*}} : tensor<1x3x3x2xf32>)
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = edge.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Without count_include_pad the corner windows divide by fewer elements.
// CHECK-LABEL: func.func @average_pool
// CHECK: linalg.pooling_nhwc_sum
// CHECK: arith.constant dense<{{\[\[\[\[}}2.500000e-01], [0.166666672], [2.500000e-01]], {{\[\[}}0.166666672], [0.111111112], [0.166666672]]
func.func @average_pool(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = edge.average_pool %x {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// transB on a constant weight is applied at compile time; C starts the
// accumulator.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[B:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK: linalg.matmul ins(%{{.*}}, %[[B]] : tensor<1x2xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2xf32>)
func.func @gemm(%a: tensor<1x2xf32>, %c: tensor<2xf32>) -> tensor<1x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = edge.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = edge.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_and_concat
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 3] [2, 3] [1, 1]
func.func @reshape_and_concat(%x: tensor<3x2xf32>) -> tensor<2x6xf32> {
  %0 = edge.reshape %x {shape = array<i64: 2, 3>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %1 = edge.concat %0, %0 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %1 : tensor<2x6xf32>
}

// -----

// Unsigned integers become signless for arith; the ops that depend on the
// sign pick the unsigned forms, and the function takes signless tensors.
// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xf32>, tensor<4xi32>, tensor<4xi8>)
// CHECK: arith.divui
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.maxui
// CHECK-NOT: arith.divsi
// CHECK-NOT: arith.sitofp
// CHECK-NOT: arith.extsi
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>) {
  %0 = edge.div %a, %b : tensor<4xui8>, tensor<4xui8>
  %1 = edge.cast %a {to = f32} : (tensor<4xui8>) -> tensor<4xf32>
  %2 = edge.cast %a {to = i32} : (tensor<4xui8>) -> tensor<4xi32>
  %3 = edge.max %0, %b : tensor<4xui8>, tensor<4xui8>
  return %0, %1, %2, %3 : tensor<4xui8>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>
}

// -----

// Signed integers keep the signed forms.
// CHECK-LABEL: func.func @signed
// CHECK: arith.divsi
// CHECK: arith.minsi
// CHECK: arith.maxsi
func.func @signed(%a: tensor<4xi8>, %b: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) {
  %0 = edge.div %a, %b : tensor<4xi8>, tensor<4xi8>
  %1 = edge.min %0, %b : tensor<4xi8>, tensor<4xi8>
  %2 = edge.relu %a : tensor<4xi8>
  return %0, %1, %2 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>
}

// -----

// A conversion to bool tests for non-zero; bool widens without sign.
// CHECK-LABEL: func.func @bool_casts
// CHECK: arith.cmpf une
// CHECK: arith.cmpi ne
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @bool_casts(%x: tensor<4xf32>, %n: tensor<4xi32>, %p: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xf32>) {
  %0 = edge.cast %x {to = i1} : (tensor<4xf32>) -> tensor<4xi1>
  %1 = edge.cast %n {to = i1} : (tensor<4xi32>) -> tensor<4xi1>
  %2 = edge.cast %p {to = f32} : (tensor<4xi1>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xf32>
}

// -----

// Max pooling on unsigned bytes pads with 0 and compares unsigned.
// CHECK-LABEL: func.func @max_pool_u8
// CHECK: tensor.pad
// CHECK: arith.constant 0 : i8
// CHECK: linalg.pooling_nhwc_max_unsigned
func.func @max_pool_u8(%x: tensor<1x1x3x3xui8>) -> tensor<1x1x2x2xui8> {
  %0 = edge.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x3x3xui8>) -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}

// -----

// A channel concat of NCHW tensors runs channels-last: each branch is
// transposed to NHWC (a generic, which fusion composes with the producing
// convolution), inserted along the last dim, and the result transposed back.
// CHECK-LABEL: func.func @channel_concat
// CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x2x4x5xf32>) outs(%{{.*}} : tensor<1x4x5x2xf32>)
// CHECK: %[[B:.+]] = linalg.generic {{.*}} ins(%arg1 : tensor<1x3x4x5xf32>) outs(%{{.*}} : tensor<1x4x5x3xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x4x5x5xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [1, 4, 5, 2]
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[B]] into %[[I0]][0, 0, 0, 2] [1, 4, 5, 3]
// CHECK: linalg.generic {{.*}} ins(%[[I1]] : tensor<1x4x5x5xf32>) outs(%{{.*}} : tensor<1x5x4x5xf32>)
func.func @channel_concat(%a: tensor<1x2x4x5xf32>, %b: tensor<1x3x4x5xf32>) -> tensor<1x5x4x5xf32> {
  %0 = edge.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x5xf32>, tensor<1x3x4x5xf32>) -> tensor<1x5x4x5xf32>
  return %0 : tensor<1x5x4x5xf32>
}

// -----

// A 3-D convolution is one generic over (n, d, h, w, group, filter, kd, kh,
// kw, channel) on the channels-last padded input, with the channels split
// per group.
// CHECK-DAG: #[[XMAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1 * 2 + d6, d2 * 2 + d7, d3 * 2 + d8 * 2, d4, d9)>
// CHECK-DAG: #[[WMAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d4, d5, d9, d6, d7, d8)>
// CHECK-LABEL: func.func @conv3d
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 2, 0] high[0, 0, 0, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[XMAP]], #[[WMAP]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x7x7x8x2x2xf32>, tensor<2x4x2x3x3x3xf32>) outs(%{{.*}} : tensor<1x3x3x2x2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @conv3d(%x: tensor<1x4x6x6x6xf32>, %w: tensor<8x2x3x3x3xf32>) -> tensor<1x8x3x3x2xf32> {
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1, 2>, group = 2 : i64, pads = array<i64: 1, 1, 2, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x4x6x6x6xf32>, tensor<8x2x3x3x3xf32>) -> tensor<1x8x3x3x2xf32>
  return %0 : tensor<1x8x3x3x2xf32>
}

// -----

// 3-D max pooling is a generic reduction with maximumf over the window.
// CHECK-LABEL: func.func @max_pool3d
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0, 0] high[0, 1, 0, 0, 0]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @max_pool3d(%x: tensor<1x2x5x4x4xf32>) -> tensor<1x2x3x2x2xf32> {
  %0 = edge.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x5x4x4xf32>) -> tensor<1x2x3x2x2xf32>
  return %0 : tensor<1x2x3x2x2xf32>
}

// -----

// MaxPool's indices: one generic carrying the running maximum and its
// flattened position; column-major spatial order for storage_order 1 (the
// row is multiplied by 1, the column by the height 5), -1 until the first
// in-bounds tap.
// CHECK-LABEL: func.func @indices
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: %[[I:.+]] = linalg.fill ins(%[[NONE]] : i64)
// CHECK: %[[R:.+]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %[[I]] : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK: %[[ROW:.+]] = arith.subi
// CHECK: %[[COL:.+]] = arith.subi
// CHECK: arith.muli %[[ROW]], %c1
// CHECK: arith.muli %[[COL]], %c5
// CHECK: %[[GT:.+]] = arith.cmpf ogt
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
// CHECK: return %[[R]]#1
func.func @indices(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x2x2xi64> {
  %0 = edge.max_pool_indices %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, storage_order = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

// A reduction fills its output with the identity (-inf for a float max,
// the largest value for an unsigned min) and reduces the listed axes;
// keepdims restores them as unit dimensions.
// CHECK-LABEL: func.func @reduce
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[F:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<2xf32>)
// CHECK: %[[M:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.+}} : tensor<2x3x4xf32>) outs(%[[F]] : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %[[M]] {{.*}} : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: %[[MAXU8:.+]] = arith.constant -1 : i8
// CHECK: linalg.fill ins(%[[MAXU8]] : i8)
// CHECK: arith.minui
func.func @reduce(%x: tensor<2x3x4xf32>, %u: tensor<5xui8>) -> (tensor<2x1x1xf32>, tensor<ui8>) {
  %0 = edge.reduce_max %x {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %1 = edge.reduce_min %u {axes = array<i64: 0>, keepdims = false} : (tensor<5xui8>) -> tensor<ui8>
  return %0, %1 : tensor<2x1x1xf32>, tensor<ui8>
}

// -----

// A sub-channel (blocked) dequantize runs over the tensor viewed with the
// blocked dimension split into (blocks, block size): 2x4 in blocks of 2
// columns is 2x2x2, with a 2x2x1 scale and zero point (the view of a
// constant folds to a constant of that shape). 4-bit storage is a
// byte: constants are widened (sign-extended from int4, zero-extended from
// uint4), and int4 quantize saturates to [-8, 7] in a byte.
// CHECK-LABEL: func.func @blocked_int4
// CHECK: arith.constant dense<{{\[\[}}-8, -1, 0, 7], [1, 2, 3, 4]]> : tensor<2x4xi8>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[\[\[}}2.000000e+00], [3.000000e+00]], {{\[\[}}4.000000e+00], [5.000000e+00]]]> : tensor<2x2x1xf32>
// CHECK-DAG: %[[Z:.+]] = arith.constant dense<{{\[\[\[}}1.000000e+00], [0.000000e+00]], {{\[\[}}0.000000e+00], [-1.000000e+00]]]> : tensor<2x2x1xf32>
// CHECK-DAG: %[[E:.+]] = arith.constant dense<{{\[\[\[}}-8, -1], [0, 7]], {{\[\[}}1, 2], [3, 4]]]> : tensor<2x2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[S]], %[[Z]] : tensor<2x2x2xi8>, tensor<2x2x1xf32>, tensor<2x2x1xf32>) outs(%{{.+}} : tensor<2x2x2xf32>)
// CHECK: arith.sitofp %{{.+}} : i8 to f32
// CHECK: arith.constant dense<[0, 15, 8, 1]> : tensor<4xi8>
// CHECK: arith.uitofp %{{.+}} : i8 to f32
// CHECK: arith.constant -8.000000e+00 : f32
// CHECK: arith.constant 7.000000e+00 : f32
// CHECK: arith.trunci %{{.+}} : i32 to i8
!blk = !quant.uniform<i4:f32:{0:1, 1:2}, {{2.0:1, 3.0}, {4.0, 5.0:-1}}>
func.func @blocked_int4(%x: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<4xf32>, tensor<4xi4>) {
  %w = arith.constant dense<[[-8, -1, 0, 7], [1, 2, 3, 4]]> : tensor<2x4xi4>
  %s = edge.storage_cast %w : tensor<2x4xi4> -> tensor<2x4x!blk>
  %d = edge.dequantize %s : tensor<2x4x!blk> -> tensor<2x4xf32>
  %u = arith.constant dense<[0, 15, 8, 1]> : tensor<4xui4>
  %us = edge.storage_cast %u : tensor<4xui4> -> tensor<4x!quant.uniform<u4:f32, 0.25:8>>
  %ud = edge.dequantize %us : tensor<4x!quant.uniform<u4:f32, 0.25:8>> -> tensor<4xf32>
  %q = edge.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i4:f32, 0.5:1>>
  %qs = edge.storage_cast %q : tensor<4x!quant.uniform<i4:f32, 0.5:1>> -> tensor<4xi4>
  return %d, %ud, %qs : tensor<2x4xf32>, tensor<4xf32>, tensor<4xi4>
}

// -----

// A run-time QuantizeLinear to int4 saturates to the 4-bit range although
// its result is held in a byte.
// CHECK-LABEL: func.func @quantize_linear_int4
// CHECK: arith.constant -8.000000e+00 : f32
// CHECK: arith.constant 7.000000e+00 : f32
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @quantize_linear_int4(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i4>) -> tensor<4xi4> {
  %q = edge.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i4>) -> tensor<4xi4>
  return %q : tensor<4xi4>
}

// -----

// The function families lower to one generic each: Python's integer Mod
// (the sign of the divisor: the remainder corrected when the signs
// differ), shifts of the width or more giving 0, unsigned comparisons,
// and edge.unary's functions (selu with its alpha and gamma).
// CHECK-LABEL: func.func @families
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: arith.shli
// CHECK: arith.cmpi ult
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: arith.cmpi ule
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: arith.cmpf ole
// CHECK: linalg.generic
// CHECK: arith.select
func.func @families(%a: tensor<4xi32>, %b: tensor<4xi32>, %u: tensor<4xui8>, %v: tensor<4xui8>, %x: tensor<4xf32>, %c: tensor<4xi1>) -> (tensor<4xi32>, tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) {
  %0 = edge.mod %a, %b : tensor<4xi32>, tensor<4xi32>
  %1 = edge.bitwise %u, %v {kind = "shl"} : tensor<4xui8>, tensor<4xui8>
  %2 = edge.compare %u, %v {predicate = "le"} : tensor<4xui8>, tensor<4xui8>
  %3 = edge.unary %x {fn = "selu", alpha = 1.5 : f32, beta = 2.0 : f32} : tensor<4xf32>
  %4 = edge.where %c, %x, %3 : tensor<4xi1>, tensor<4xf32>, tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>
}

// -----

// reduce_sum starts from 0 and adds; log softmax subtracts the log of the
// sum from x - max (never the log of an underflowed quotient); expand reads
// its input with a broadcast map.
// CHECK-DAG: #[[BCAST:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @reduce_softmax_expand
// CHECK: linalg.fill ins(%{{.*}} : f32)
// CHECK: linalg.generic {{.*}}"parallel", "reduction"
// CHECK: arith.addf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[BCAST]], #{{.*}}ins(%arg0 : tensor<1x4xf32>) outs(%{{.*}} : tensor<3x4xf32>)
func.func @reduce_softmax_expand(%x: tensor<1x4xf32>, %y: tensor<2x4xf32>) -> (tensor<2xf32>, tensor<2x4xf32>, tensor<3x4xf32>) {
  %0 = edge.reduce_sum %y {axes = array<i64: 1>, keepdims = false} : (tensor<2x4xf32>) -> tensor<2xf32>
  %1 = edge.softmax %y {axis = 1 : i64, log = true} : tensor<2x4xf32>
  %2 = edge.expand %x {shape = array<i64: 3, 1>} : (tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2x4xf32>, tensor<3x4xf32>
}

// -----

// slice is a strided extract_slice, then a copy that reverses the dims
// walked backwards (dim 1: elements 4, 2, 0 read as 0, 2, 4); arg_reduce
// is the max along the axis, then the min of the positions (an int32
// table) holding it or a NaN, widened to int64;
// trilu keeps j - i >= k from linalg.index; gather_elements extracts at
// its own position with the axis coordinate from the indices.
// CHECK-DAG: #[[REV:.+]] = affine_map<(d0, d1) -> (d0, -d1 + 2)>
// CHECK-LABEL: func.func @slice_arg_trilu_gather
// CHECK: %[[S:.+]] = tensor.extract_slice %arg0[1, 0] [2, 3] [1, 2] : tensor<3x5xf32> to tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[REV]], {{.*}} ins(%[[S]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}}"parallel", "reduction"{{.*}} ins(%arg0 : tensor<3x5xf32>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.maximumf
// CHECK: %[[AT:.+]] = arith.constant dense<[0, 1, 2, 3, 4]> : tensor<5xi32>
// CHECK: %[[POS:.+]] = linalg.generic {{.*}}"parallel", "reduction"{{.*}} ins(%arg0, %[[MAX]], %[[AT]] : tensor<3x5xf32>, tensor<3xf32>, tensor<5xi32>) outs(%{{.*}} : tensor<3xi32>)
// CHECK-DAG: arith.cmpf oeq
// CHECK-DAG: arith.cmpf uno
// CHECK: arith.minsi
// CHECK: linalg.generic {{.*}} ins(%[[POS]] : tensor<3xi32>) outs(%{{.*}} : tensor<3xi64>)
// CHECK: arith.extsi
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.cmpi sge
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0
func.func @slice_arg_trilu_gather(%x: tensor<3x5xf32>, %i: tensor<3x2xi64>) -> (tensor<2x3xf32>, tensor<3xi64>, tensor<3x5xf32>, tensor<3x2xf32>) {
  %0 = edge.slice %x {starts = array<i64: 1, 4>, sizes = array<i64: 2, 3>, steps = array<i64: 1, -2>} : (tensor<3x5xf32>) -> tensor<2x3xf32>
  %1 = edge.arg_reduce %x {kind = "max", axis = 1 : i64, keepdims = false, select_last_index = false} : (tensor<3x5xf32>) -> tensor<3xi64>
  %2 = edge.trilu %x {upper = true, k = 1 : i64} : tensor<3x5xf32>
  %3 = edge.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x5xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<3xi64>, tensor<3x5xf32>, tensor<3x2xf32>
}

// -----

// cumulative: a scan over the axis of the input read as [outer, n, inner]:
// the first position is the identity (exclusive), then each position i is
// position i - 1 of the result plus the input at i - 1, one elementwise
// generic over [outer, 1, inner] per step.
// CHECK-LABEL: func.func @cumulative
// CHECK: %[[X:.+]] = tensor.expand_shape {{.*}} output_shape [2, 5, 1]
// CHECK: %[[ID:.+]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x1x1xf32>)
// CHECK: %[[FIRST:.+]] = tensor.insert_slice %[[ID]] into %{{.*}}[0, 0, 0] [2, 1, 1]
// CHECK: scf.for %[[K:.+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[OUT:.+]] = %[[FIRST]])
// CHECK: %[[PREV:.+]] = arith.addi %[[K]], %{{.*}} : index
// CHECK: %[[A:.+]] = tensor.extract_slice %[[OUT]][0, %[[PREV]], 0] [2, 1, 1]
// CHECK: %[[B:.+]] = tensor.extract_slice %[[X]][0, %[[PREV]], 0] [2, 1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]{{.*}}ins(%[[A]], %[[B]]
// CHECK: arith.addf
// CHECK: tensor.insert_slice %{{.*}} into %[[OUT]][0, %[[K]], 0] [2, 1, 1]
func.func @cumulative(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = edge.cumulative %x {kind = "sum", axis = 1 : i64, exclusive = true, reverse = false} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// scatter_nd: a loop over the index tuples computing the addressed row
// (negative indices wrapped, clamped), and over the slice, each update
// combined with the element there and inserted.
// CHECK-LABEL: func.func @scatter_nd_add
// CHECK: scf.for %[[U:.+]] = {{.*}} iter_args(%[[ACC:.+]] = {{.*}}) -> (tensor<4x3xf32>)
// CHECK: tensor.extract %{{.*}}[%[[U]], %{{.*}}] : tensor<2x1xi64>
// CHECK: arith.minsi
// CHECK: scf.for %[[S:.+]] = {{.*}} iter_args(%[[ACC2:.+]] = %[[ACC]])
// CHECK: %[[V:.+]] = tensor.extract %{{.*}}[%[[U]], %[[S]]] : tensor<2x3xf32>
// CHECK: %[[OLD:.+]] = tensor.extract %[[ACC2]]
// CHECK: %[[SUM:.+]] = arith.addf %[[OLD]], %[[V]]
// CHECK: tensor.insert %[[SUM]] into %[[ACC2]]
func.func @scatter_nd_add(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = edge.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A scalar reshaped to [1] (a Scan's per-step result stacked) is an
// expand_shape with no reassociation.
// CHECK-LABEL: func.func @scalar_to_vector
// CHECK: tensor.expand_shape %arg0 [] output_shape [1] : tensor<f32> into tensor<1xf32>
func.func @scalar_to_vector(%a: tensor<f32>) -> tensor<1xf32> {
  %0 = edge.reshape %a {shape = array<i64: 1>} : (tensor<f32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// top_k: one pass over each row; once k are kept, a chunk of 8 elements is
// skipped unless one of them beats the worst kept (one vector compare); an
// entering element is placed by one pass over the k slots.
// CHECK-LABEL: func.func @top_k
// CHECK: scf.for %[[R:.+]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<3x4xf32>, tensor<3x4xi64>)
// CHECK: scf.for %[[C:.+]] = {{.*}} -> (tensor<3x4xf32>, tensor<3x4xi64>, index, f32)
// CHECK: %[[CHUNK:.+]] = vector.transfer_read %{{.*}}[%[[R]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x64xf32>, vector<8xf32>
// CHECK: %[[BEATS:.+]] = arith.ori
// CHECK: vector.reduction <or>, %[[BEATS]] : vector<8xi1> into i1
// CHECK: scf.if
// CHECK: scf.for
// CHECK: scf.if
// CHECK: scf.for
// CHECK: tensor.insert
// CHECK: tensor.insert
func.func @top_k(%x: tensor<3x64xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>) {
  %v, %i = edge.top_k %x {k = 4 : i64, largest = true} : (tensor<3x64xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>)
  return %v, %i : tensor<3x4xf32>, tensor<3x4xi64>
}
