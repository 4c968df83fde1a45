// RUN: edgec-opt %s -split-input-file --convert-edge-to-linalg | FileCheck %s

// A quantized 1x1 convolution with uint8 activations: the input is moved to
// the signed range (x ^ 0x80, zero point 3 - 128 = -125), the product is an
// i8 x i8 -> i32 matmul over the pixels starting from the folded bias
// bias - z_x * colsum(w) = [10 + 125 * 5, -2 + 125 * -1] = [635, -127], and
// the requantization (m = 0.5 * [0.1, 0.25] / 0.2) ends in the uint8
// storage range with the output zero point.
// CHECK-LABEL: func.func @conv1x1_u8
// CHECK: arith.xori %{{.+}}, %c-128_i8 : i8
// CHECK: arith.constant dense<[635, -127]> : tensor<2xi32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x3xi8>, tensor<3x2xi8>) outs(%{{.+}} : tensor<16x2xi32>)
// CHECK: 2.500000e-01, 6.250000e-01{{.*}}tensor<1x1x1x2xf32>
// CHECK: arith.sitofp %{{.+}} : i32 to f32
// CHECK: arith.addf %{{.+}}, %cst{{.*}} : f32
// CHECK: arith.subf
// CHECK: arith.addf %{{.+}}, %cst{{.*}} : f32
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @conv1x1_u8(%x: tensor<1x3x4x4xui8>) -> tensor<1x2x4x4xui8> {
  %wi = arith.constant dense<[[[[1]], [[2]], [[2]]], [[[-1]], [[1]], [[-1]]]]> : tensor<2x3x1x1xi8>
  %bi = arith.constant dense<[10, -2]> : tensor<2xi32>
  %xq = edge.storage_cast %x : tensor<1x3x4x4xui8> -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.5:3>>
  %wq = edge.storage_cast %wi : tensor<2x3x1x1xi8> -> tensor<2x3x1x1x!quant.uniform<i8:f32:0, {0.1, 0.25}>>
  %bq = edge.storage_cast %bi : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {0.05, 0.125}>>
  %c = edge.conv %xq, %wq, %bq {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4x!quant.uniform<u8:f32, 0.5:3>>, tensor<2x3x1x1x!quant.uniform<i8:f32:0, {0.1, 0.25}>>, tensor<2x!quant.uniform<i32:f32:0, {0.05, 0.125}>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.2:7>>
  %s = edge.storage_cast %c : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.2:7>> -> tensor<1x2x4x4xui8>
  return %s : tensor<1x2x4x4xui8>
}

// -----

// A 3x3 depthwise convolution pads with the input zero point (-3), so the
// folded correction -z_x * colsum(w) also holds at the borders; a quantized
// Relu is max(q, z_y).
// CHECK-LABEL: func.func @depthwise_relu
// CHECK: tensor.pad
// CHECK: tensor.yield %c-3_i8 : i8
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x6x6x2xi8>, tensor<3x3x2xi8>) outs(%{{.+}} : tensor<1x4x4x2xi32>)
// CHECK: arith.maxsi %{{.+}}, %c5_i8 : i8
func.func @depthwise_relu(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %wi = arith.constant dense<1> : tensor<2x1x3x3xi8>
  %xq = edge.storage_cast %x : tensor<1x2x4x4xi8> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>
  %wq = edge.storage_cast %wi : tensor<2x1x3x3xi8> -> tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>
  %c = edge.conv %xq, %wq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.2:5>>
  %r = edge.relu %c : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.2:5>>
  %s = edge.storage_cast %r : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.2:5>> -> tensor<1x2x4x4xi8>
  return %s : tensor<1x2x4x4xi8>
}
