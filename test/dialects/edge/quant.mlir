// The quantized-tensor ops print and parse back, and a storage cast of a
// storage cast folds away.
// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD

!act = !quant.uniform<i8:f32, 0.05:-3>
!w = !quant.uniform<i8:f32:0, {0.1, 0.2}>
!u = !quant.uniform<u8:f32, 0.5:128>

// CHECK-LABEL: func.func @roundtrip
// CHECK: edge.quantize %{{.+}} : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK: edge.storage_cast %{{.+}} : tensor<4x!quant.uniform<i8:f32, 5.000000e-02:-3>> -> tensor<4xi8>
// CHECK: edge.storage_cast %{{.+}} : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>
// CHECK: edge.dequantize %{{.+}} : tensor<2x3x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>> -> tensor<2x3xf32>
// CHECK: edge.storage_cast %{{.+}} : tensor<4xui8> -> tensor<4x!quant.uniform<u8:f32, 5.000000e-01:128>>
func.func @roundtrip(%x: tensor<4xf32>, %w: tensor<2x3xi8>, %u: tensor<4xui8>) -> (tensor<4xi8>, tensor<2x3xf32>, tensor<4x!u>) {
  %q = edge.quantize %x : tensor<4xf32> -> tensor<4x!act>
  %s = edge.storage_cast %q : tensor<4x!act> -> tensor<4xi8>
  %ws = edge.storage_cast %w : tensor<2x3xi8> -> tensor<2x3x!w>
  %wd = edge.dequantize %ws : tensor<2x3x!w> -> tensor<2x3xf32>
  %us = edge.storage_cast %u : tensor<4xui8> -> tensor<4x!u>
  return %s, %wd, %us : tensor<4xi8>, tensor<2x3xf32>, tensor<4x!u>
}

// A quantize-dequantize pair is kept (it rounds); only the casts between
// a quantized tensor and its storage cancel.
// FOLD-LABEL: func.func @qdq
// FOLD-NEXT: %[[Q:.+]] = edge.quantize
// FOLD-NEXT: %[[D:.+]] = edge.dequantize %[[Q]]
// FOLD-NEXT: return %[[D]]
func.func @qdq(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = edge.quantize %x : tensor<4xf32> -> tensor<4x!act>
  %s = edge.storage_cast %q : tensor<4x!act> -> tensor<4xi8>
  %t = edge.storage_cast %s : tensor<4xi8> -> tensor<4x!act>
  %d = edge.dequantize %t : tensor<4x!act> -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// Sub-channel (blocked) types: a scale and zero point per block of 2
// columns, int4 storage.
!blk = !quant.uniform<i4:f32:{0:1, 1:2}, {{2.0:1, 3.0}, {4.0, 5.0:-1}}>
// CHECK-LABEL: func.func @blocked
// CHECK: edge.storage_cast %{{.+}} : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{[{][{]}}2.000000e+00:1, 3.000000e+00}, {4.000000e+00, 5.000000e+00:-1}}>>
// CHECK: edge.dequantize
func.func @blocked(%w: tensor<2x4xi4>) -> tensor<2x4xf32> {
  %s = edge.storage_cast %w : tensor<2x4xi4> -> tensor<2x4x!blk>
  %d = edge.dequantize %s : tensor<2x4x!blk> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}
