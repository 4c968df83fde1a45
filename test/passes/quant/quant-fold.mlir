// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-quant-fold))' | FileCheck %s

// dequantize -> conv -> relu -> quantize becomes a quantized conv and a
// quantized relu; the float bias b becomes round(b / (s_x * s_w[c])) as an
// int32 per-axis tensor: 0.5 / (0.5 * 0.1) = 10, -0.25 / (0.5 * 0.25) = -2.
// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG: %[[W:.+]] = edge.storage_cast %{{.+}} : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8:f32:0, {1.000000e-01,2.500000e-01}>>
// CHECK-DAG: %[[BI:.+]] = arith.constant dense<[10, -2]> : tensor<2xi32>
// CHECK-DAG: %[[B:.+]] = edge.storage_cast %[[BI]] : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {5.000000e-02,1.250000e-01}>>
// CHECK: %[[C:.+]] = edge.conv %{{.+}}, %[[W]], %[[B]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-01:-5>>
// CHECK: %[[R:.+]] = edge.relu %[[C]] : tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-01:-5>>
// CHECK-NOT: edge.dequantize
// CHECK: edge.storage_cast %[[R]]
func.func @conv_relu(%x: tensor<1x1x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %wi = arith.constant dense<[[[[3]]], [[[-4]]]]> : tensor<2x1x1x1xi8>
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %xq = edge.storage_cast %x : tensor<1x1x4x4xi8> -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %xf = edge.dequantize %xq : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x1x4x4xf32>
  %wq = edge.storage_cast %wi : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.1, 0.25}>>
  %wf = edge.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.1, 0.25}>> -> tensor<2x1x1x1xf32>
  %c = edge.conv %xf, %wf, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = edge.relu %c : tensor<1x2x4x4xf32>
  %q = edge.quantize %r : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.2:-5>>
  %s = edge.storage_cast %q : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.2:-5>> -> tensor<1x2x4x4xi8>
  return %s : tensor<1x2x4x4xi8>
}

// -----

// Gemm with transB: the weights' axis is 0 (N); a per-tensor weight scale
// gives a per-tensor bias.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[BI:.+]] = arith.constant dense<[4, 1, -2]> : tensor<3xi32>
// CHECK: %[[B:.+]] = edge.storage_cast %[[BI]] : tensor<3xi32> -> tensor<3x!quant.uniform<i32:f32, 2.500000e-01>>
// CHECK: edge.gemm %{{.+}}, %{{.+}}, %[[B]] {{.*}} -> tensor<2x3x!quant.uniform<u8:f32, 1.000000e+00:128>>
// CHECK-NOT: edge.quantize
func.func @gemm(%x: tensor<2x4xui8>) -> tensor<2x3xui8> {
  %wi = arith.constant dense<1> : tensor<3x4xi8>
  %b = arith.constant dense<[1.0, 0.25, -0.5]> : tensor<3xf32>
  %xq = edge.storage_cast %x : tensor<2x4xui8> -> tensor<2x4x!quant.uniform<u8:f32, 0.5:128>>
  %xf = edge.dequantize %xq : tensor<2x4x!quant.uniform<u8:f32, 0.5:128>> -> tensor<2x4xf32>
  %wq = edge.storage_cast %wi : tensor<3x4xi8> -> tensor<3x4x!quant.uniform<i8:f32, 0.5>>
  %wf = edge.dequantize %wq : tensor<3x4x!quant.uniform<i8:f32, 0.5>> -> tensor<3x4xf32>
  %g = edge.gemm %xf, %wf, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %q = edge.quantize %g : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<u8:f32, 1.0:128>>
  %s = edge.storage_cast %q : tensor<2x3x!quant.uniform<u8:f32, 1.0:128>> -> tensor<2x3xui8>
  return %s : tensor<2x3xui8>
}

// -----

// Weights with a non-zero zero point stay in float (correct, not folded).
// CHECK-LABEL: func.func @weight_zero_point
// CHECK: edge.matmul %{{.+}}, %{{.+}} : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
// CHECK: edge.quantize
func.func @weight_zero_point(%x: tensor<2x4xi8>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  %wi = arith.constant dense<1> : tensor<4x3xi8>
  %xq = edge.storage_cast %x : tensor<2x4xi8> -> tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  %xf = edge.dequantize %xq : tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x4xf32>
  %wq = edge.storage_cast %wi : tensor<4x3xi8> -> tensor<4x3x!quant.uniform<i8:f32, 0.5:1>>
  %wf = edge.dequantize %wq : tensor<4x3x!quant.uniform<i8:f32, 0.5:1>> -> tensor<4x3xf32>
  %m = edge.matmul %xf, %wf : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %q = edge.quantize %m : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %q : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// A product whose float result has another user is not folded.
// CHECK-LABEL: func.func @two_users
// CHECK: %[[M:.+]] = edge.matmul %{{.+}}, %{{.+}} : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
// CHECK: edge.quantize %[[M]]
func.func @two_users(%x: tensor<2x4xi8>) -> (tensor<2x3x!quant.uniform<i8:f32, 1.0>>, tensor<2x3xf32>) {
  %wi = arith.constant dense<1> : tensor<4x3xi8>
  %xq = edge.storage_cast %x : tensor<2x4xi8> -> tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  %xf = edge.dequantize %xq : tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x4xf32>
  %wq = edge.storage_cast %wi : tensor<4x3xi8> -> tensor<4x3x!quant.uniform<i8:f32:1, {0.5, 0.5, 0.25}>>
  %wf = edge.dequantize %wq : tensor<4x3x!quant.uniform<i8:f32:1, {0.5, 0.5, 0.25}>> -> tensor<4x3xf32>
  %m = edge.matmul %xf, %wf : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %q = edge.quantize %m : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %q, %m : tensor<2x3x!quant.uniform<i8:f32, 1.0>>, tensor<2x3xf32>
}

// -----

// A QDQ Add of two tensors of the result's shape becomes edge.quantized_add
// (Q6: the arithmetic the CPU and the NPU's ELTWISE add share); one that
// broadcasts stays float.
// CHECK-LABEL: func.func @add
// CHECK: %[[S:.+]] = edge.quantized_add %{{.+}}, %{{.+}} : tensor<1x2x3x3x!quant.uniform<i8:f32, 5.000000e-01:3>>, tensor<1x2x3x3x!quant.uniform<i8:f32, 2.500000e-01:-1>> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 1.000000e+00:-2>>
// CHECK: edge.storage_cast %[[S]]
// CHECK-LABEL: func.func @add_broadcast
// CHECK-NOT: edge.quantized_add
// CHECK: edge.add
func.func @add(%a: tensor<1x2x3x3xi8>, %b: tensor<1x2x3x3xi8>) -> tensor<1x2x3x3xi8> {
  %aq = edge.storage_cast %a : tensor<1x2x3x3xi8> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>
  %bq = edge.storage_cast %b : tensor<1x2x3x3xi8> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-1>>
  %af = edge.dequantize %aq : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x3x3xf32>
  %bf = edge.dequantize %bq : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x2x3x3xf32>
  %s = edge.add %af, %bf : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
  %q = edge.quantize %s : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 1.0:-2>>
  %r = edge.storage_cast %q : tensor<1x2x3x3x!quant.uniform<i8:f32, 1.0:-2>> -> tensor<1x2x3x3xi8>
  return %r : tensor<1x2x3x3xi8>
}
func.func @add_broadcast(%a: tensor<1x2x3x3xi8>, %b: tensor<1x2x1x1xi8>) -> tensor<1x2x3x3xi8> {
  %aq = edge.storage_cast %a : tensor<1x2x3x3xi8> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>
  %bq = edge.storage_cast %b : tensor<1x2x1x1xi8> -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25:-1>>
  %af = edge.dequantize %aq : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x3x3xf32>
  %bf = edge.dequantize %bq : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x2x1x1xf32>
  %s = edge.add %af, %bf : tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>
  %q = edge.quantize %s : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 1.0:-2>>
  %r = edge.storage_cast %q : tensor<1x2x3x3x!quant.uniform<i8:f32, 1.0:-2>> -> tensor<1x2x3x3xi8>
  return %r : tensor<1x2x3x3xi8>
}

// -----

// A QDQ AveragePool without padding and a QDQ GlobalAveragePool become
// edge.quantized_average_pool (Q7: the integer window sum requantized once,
// the NPU's POOL average); a padded one (windows of different counts)
// stays float.
// CHECK-LABEL: func.func @average_pool
// CHECK: %[[P:.+]] = edge.quantized_average_pool %{{.+}} {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x2x7x7x!quant.uniform<i8:f32, 5.000000e-01:3>> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 2.500000e-01:-1>>
// CHECK: %[[G:.+]] = edge.quantized_average_pool %[[P]] {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<1x2x3x3x!quant.uniform<i8:f32, 2.500000e-01:-1>> -> tensor<1x2x1x1x!quant.uniform<i8:f32, 1.250000e-01>>
// CHECK: edge.storage_cast %[[G]]
// CHECK-LABEL: func.func @average_pool_padded
// CHECK-NOT: edge.quantized_average_pool
// CHECK: edge.average_pool
func.func @average_pool(%a: tensor<1x2x7x7xi8>) -> tensor<1x2x1x1xi8> {
  %aq = edge.storage_cast %a : tensor<1x2x7x7xi8> -> tensor<1x2x7x7x!quant.uniform<i8:f32, 0.5:3>>
  %af = edge.dequantize %aq : tensor<1x2x7x7x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x7x7xf32>
  %p = edge.average_pool %af {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  %pq = edge.quantize %p : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-1>>
  %pf = edge.dequantize %pq : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x2x3x3xf32>
  %g = edge.global_average_pool %pf : (tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  %gq = edge.quantize %g : tensor<1x2x1x1xf32> -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.125>>
  %r = edge.storage_cast %gq : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.125>> -> tensor<1x2x1x1xi8>
  return %r : tensor<1x2x1x1xi8>
}
func.func @average_pool_padded(%a: tensor<1x2x7x7xi8>) -> tensor<1x2x4x4xi8> {
  %aq = edge.storage_cast %a : tensor<1x2x7x7xi8> -> tensor<1x2x7x7x!quant.uniform<i8:f32, 0.5:3>>
  %af = edge.dequantize %aq : tensor<1x2x7x7x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x7x7xf32>
  %p = edge.average_pool %af {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  %pq = edge.quantize %p : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.25:-1>>
  %r = edge.storage_cast %pq : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.25:-1>> -> tensor<1x2x4x4xi8>
  return %r : tensor<1x2x4x4xi8>
}
