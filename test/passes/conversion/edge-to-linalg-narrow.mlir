// float8, float4 and e8m0 values become bytes holding their codes, and Cast
// converts them with integer code through float32 (no runtime function);
// int4 results keep their low bits in a byte.
// RUN: edgec-opt %s -split-input-file -convert-edge-to-linalg | FileCheck %s

// float32 -> float8e4m3fn, saturating: the float32 bits are rebiased and
// rounded to nearest even; beyond 0x7E (448) the result is 0x7E (126) with
// the sign, NaN is 0x7F.
// CHECK-LABEL: func.func @to_e4m3fn
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xi8>
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK-DAG: arith.constant 126 : i32
// CHECK-DAG: arith.constant 127 : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK-NOT: edge.
func.func @to_e4m3fn(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = edge.cast %x {to = f8E4M3FN} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// float16 -> float8e5m2 without saturation: through float32; an overflow
// becomes the infinity 0x7C with the sign.
// CHECK-LABEL: func.func @to_e5m2_no_saturate
// CHECK-SAME: (%{{.*}}: tensor<4xf16>) -> tensor<4xi8>
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.constant 124 : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @to_e5m2_no_saturate(%x: tensor<4xf16>) -> tensor<4xf8E5M2> {
  %0 = edge.cast %x {to = f8E5M2, saturate = false} : (tensor<4xf16>) -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}

// -----

// float8e5m2fnuz -> float16: the code is decoded to float32 bits (0x80 is
// NaN), then rounded to float16.
// CHECK-LABEL: func.func @from_e5m2fnuz
// CHECK-SAME: (%{{.*}}: tensor<4xi8>) -> tensor<4xf16>
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.constant 128 : i32
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @from_e5m2fnuz(%x: tensor<4xf8E5M2FNUZ>) -> tensor<4xf16> {
  %0 = edge.cast %x {to = f16} : (tensor<4xf8E5M2FNUZ>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// float32 -> int4: through int32, then the low four bits sign-extended in
// the byte (shift left and arithmetic shift right by 4).
// CHECK-LABEL: func.func @to_int4
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xi8>
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: %[[C4:.+]] = arith.constant 4 : i8
// CHECK: %[[L:.+]] = arith.shli %{{.*}}, %[[C4]] : i8
// CHECK: arith.shrsi %[[L]], %[[C4]] : i8
func.func @to_int4(%x: tensor<4xf32>) -> tensor<4xi4> {
  %0 = edge.cast %x {to = i4} : (tensor<4xf32>) -> tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

// A float4e2m1 constant becomes its codes in bytes.
// CHECK-LABEL: func.func @f4_constant
// CHECK: arith.constant dense<[2, 15]> : tensor<2xi8>
func.func @f4_constant() -> tensor<2xf4E2M1FN> {
  %0 = arith.constant dense<[1.0, -6.0]> : tensor<2xf4E2M1FN>
  return %0 : tensor<2xf4E2M1FN>
}
