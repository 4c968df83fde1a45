// Folders: shape subgraphs collapse to constants; no-op reshapes and
// transposes disappear.
// RUN: edgec-opt %s -canonicalize -split-input-file | FileCheck %s

// A Shape -> Gather -> Concat -> Reshape chain as exported by PyTorch.
// CHECK-LABEL: func.func @shape_subgraph
// CHECK-NOT: edge.shape
// CHECK-NOT: edge.gather
// CHECK-NOT: edge.concat
// CHECK: %[[R:.+]] = edge.reshape %{{.*}} {shape = array<i64: 2, 12>}
// CHECK: return %[[R]]
func.func @shape_subgraph(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %s = edge.shape %x {start = 0 : i64, end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i = arith.constant dense<[0]> : tensor<1xi64>
  %n = edge.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = arith.constant dense<[12]> : tensor<1xi64>
  %shape = edge.concat %n, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = edge.reshape %x {shape = array<i64: 2, 12>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return %r : tensor<2x12xf32>
}

// -----

// CHECK-LABEL: func.func @shape_values
// CHECK: arith.constant dense<[3, 4]> : tensor<2xi64>
func.func @shape_values(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  %s = edge.shape %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @arith_on_constants
// CHECK: arith.constant dense<[7, 11]> : tensor<2xi64>
func.func @arith_on_constants() -> tensor<2xi64> {
  %a = arith.constant dense<[1, 2]> : tensor<2xi64>
  %b = arith.constant dense<3> : tensor<i64>
  %c = edge.mul %a, %b : tensor<2xi64>, tensor<i64>
  %d = edge.add %c, %a : tensor<2xi64>, tensor<2xi64>
  %e = edge.add %d, %b : tensor<2xi64>, tensor<i64>
  return %e : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: edge.transpose
func.func @transpose_constant() -> tensor<2x2xf32> {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = edge.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %t : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @identity_ops
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.+]] = edge.reshape %[[X]] {shape = array<i64: 3, 2>}
// CHECK-NEXT: return %[[R]]
func.func @identity_ops(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %t = edge.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %a = edge.reshape %t {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %b = edge.reshape %a {shape = array<i64: 3, 2>} : (tensor<6xf32>) -> tensor<3x2xf32>
  return %b : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @dequantize_weights
// CHECK: arith.constant dense<[-2.000000e+00, 0.000000e+00, 5.000000e-01]> : tensor<3xf32>
func.func @dequantize_weights() -> tensor<3xf32> {
  %q = arith.constant dense<[-4, 0, 1]> : tensor<3xi8>
  %s = arith.constant dense<0.5> : tensor<f32>
  %z = arith.constant dense<0> : tensor<i8>
  %d = edge.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<3xi8>, tensor<f32>, tensor<i8>) -> tensor<3xf32>
  return %d : tensor<3xf32>
}

// -----

// Blocked parameters expanded to one per element (the form the importer
// gives a blocked DequantizeLinear that is not a quantized type).
// CHECK-LABEL: func.func @dequantize_elementwise
// CHECK: arith.constant dense<{{\[\[}}-2.000000e+00, 0.000000e+00], [9.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
func.func @dequantize_elementwise() -> tensor<2x2xf32> {
  %q = arith.constant dense<[[-4, 0], [4, 5]]> : tensor<2x2xi8>
  %s = arith.constant dense<[[0.5, 0.5], [3.0, 3.0]]> : tensor<2x2xf32>
  %z = arith.constant dense<[[0, 0], [1, 1]]> : tensor<2x2xi8>
  %d = edge.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<2x2xi8>, tensor<2x2xf32>, tensor<2x2xi8>) -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

// -----

// Reductions of constants; NaN wins, as in numpy; no axes is the input.
// CHECK-LABEL: func.func @reduce
// CHECK-DAG: arith.constant dense<[-1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: arith.constant dense<0x7FC00000> : tensor<1x1xf32>
// CHECK-DAG: arith.constant dense<[200, 255]> : tensor<2xui8>
// CHECK-DAG: arith.constant dense<[false, true]> : tensor<2xi1>
// CHECK: return %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %arg0
func.func @reduce(%x: tensor<2x2xf32>) -> (tensor<2xf32>, tensor<1x1xf32>, tensor<2xui8>, tensor<2xi1>, tensor<2x2xf32>) {
  %f = arith.constant dense<[[-1.0, 3.0], [2.0, 2.0]]> : tensor<2x2xf32>
  %n = arith.constant dense<[[1.0, 0x7FC00000], [2.0, 2.0]]> : tensor<2x2xf32>
  %u = arith.constant dense<[[3, 200], [7, 255]]> : tensor<2x2xui8>
  %b = arith.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  %0 = edge.reduce_min %f {axes = array<i64: 1>, keepdims = false} : (tensor<2x2xf32>) -> tensor<2xf32>
  %1 = edge.reduce_max %n {axes = array<i64: 0, 1>, keepdims = true} : (tensor<2x2xf32>) -> tensor<1x1xf32>
  %2 = edge.reduce_max %u {axes = array<i64: 1>, keepdims = false} : (tensor<2x2xui8>) -> tensor<2xui8>
  %3 = edge.reduce_min %b {axes = array<i64: 1>, keepdims = false} : (tensor<2x2xi1>) -> tensor<2xi1>
  %4 = edge.reduce_min %x {axes = array<i64>, keepdims = true} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<1x1xf32>, tensor<2xui8>, tensor<2xi1>, tensor<2x2xf32>
}

// -----

// A cast to bool tests for non-zero, fractions too.
// CHECK-LABEL: func.func @cast_fraction_to_bool
// CHECK: arith.constant dense<[true, false, true]> : tensor<3xi1>
func.func @cast_fraction_to_bool() -> tensor<3xi1> {
  %f = arith.constant dense<[0.5, 0.0, -0.25]> : tensor<3xf32>
  %b = edge.cast %f {to = i1} : (tensor<3xf32>) -> tensor<3xi1>
  return %b : tensor<3xi1>
}

// -----

// The grouped-query attention function's head arithmetic: Equal, Not, Mod,
// And and Where of constants fold (ONNX integer Mod takes the divisor's sign).
// CHECK-LABEL: func.func @head_arithmetic
// CHECK-DAG: arith.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: arith.constant dense<[0, 1]> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<[5, 2]> : tensor<2xi64>
// CHECK-NOT: edge.
func.func @head_arithmetic() -> (tensor<2xi1>, tensor<2xi64>, tensor<2xi64>) {
  %q = arith.constant dense<[8, 7]> : tensor<2xi64>
  %kv = arith.constant dense<[2, -4]> : tensor<2xi64>
  %one = arith.constant dense<1> : tensor<1xi64>
  %zero = arith.constant dense<0> : tensor<1xi64>
  %eq = edge.compare %q, %kv {predicate = "eq"} : tensor<2xi64>, tensor<2xi64>
  %ne = edge.unary %eq {fn = "not"} : tensor<2xi1>
  %m = edge.mod %q, %kv : tensor<2xi64>, tensor<2xi64>
  %div = edge.div %q, %kv : tensor<2xi64>, tensor<2xi64>
  %z = edge.compare %m, %zero {predicate = "eq"} : tensor<2xi64>, tensor<1xi64>
  %c = edge.bitwise %ne, %z {kind = "and"} : tensor<2xi1>, tensor<2xi1>
  %w = edge.where %c, %div, %one : tensor<2xi1>, tensor<2xi64>, tensor<1xi64>
  %n = edge.neg %m : tensor<2xi64>
  %e = edge.expand %one {shape = array<i64: 2>} : (tensor<1xi64>) -> tensor<2xi64>
  %a = edge.add %w, %e : tensor<2xi64>, tensor<2xi64>
  return %c, %n, %a : tensor<2xi1>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Concat drops empty parts (a Split of length 0); one part left is the result.
// CHECK-LABEL: func.func @concat_empty_part
// CHECK-NOT: edge.concat
// CHECK: return %arg0
func.func @concat_empty_part(%a: tensor<2x3xf32>, %b: tensor<2x0xf32>) -> tensor<2x3xf32> {
  %c = edge.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x0xf32>) -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// A cast to float8 folds with ONNX's saturation: beyond the range and
// infinities become +-448 (E4M3FN's largest value), ties round to even
// (0.4789 is 0.46875), NaN stays NaN (0x7F).
// CHECK-LABEL: func.func @cast_f8_saturate
// CHECK: arith.constant dense<[4.480000e+02, -4.480000e+02, 4.687500e-01, 4.480000e+02, 0x7F]> : tensor<5xf8E4M3FN>
func.func @cast_f8_saturate() -> tensor<5xf8E4M3FN> {
  %f = arith.constant dense<[1.0e6, -1.0e6, 0.4789, 0x7F800000, 0x7FC00000]> : tensor<5xf32>
  %c = edge.cast %f {to = f8E4M3FN} : (tensor<5xf32>) -> tensor<5xf8E4M3FN>
  return %c : tensor<5xf8E4M3FN>
}

// -----

// Without saturation E5M2 overflows to infinity, E4M3FN to NaN; values in
// range are unchanged.
// CHECK-LABEL: func.func @cast_f8_no_saturate
// CHECK-DAG: arith.constant dense<[0x7C, 0xFC, 3.000000e+00]> : tensor<3xf8E5M2>
// CHECK-DAG: arith.constant dense<[0x7F, 0xFF, 3.000000e+00]> : tensor<3xf8E4M3FN>
func.func @cast_f8_no_saturate() -> (tensor<3xf8E5M2>, tensor<3xf8E4M3FN>) {
  %f = arith.constant dense<[1.0e6, -1.0e6, 3.0]> : tensor<3xf32>
  %a = edge.cast %f {to = f8E5M2, saturate = false} : (tensor<3xf32>) -> tensor<3xf8E5M2>
  %b = edge.cast %f {to = f8E4M3FN, saturate = false} : (tensor<3xf32>) -> tensor<3xf8E4M3FN>
  return %a, %b : tensor<3xf8E5M2>, tensor<3xf8E4M3FN>
}

// -----

// float8e8m0 rounds the exponent up by default (1.1 -> 2), down on request;
// int4 keeps the low bits (-9 -> 7, 15 -> -1), as ONNX Cast wraps.
// CHECK-LABEL: func.func @cast_e8m0_int4
// CHECK-DAG: arith.constant dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf8E8M0FNU>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 2.500000e-01]> : tensor<2xf8E8M0FNU>
// CHECK-DAG: arith.constant dense<[7, -1]> : tensor<2xi4>
func.func @cast_e8m0_int4() -> (tensor<2xf8E8M0FNU>, tensor<2xf8E8M0FNU>, tensor<2xi4>) {
  %f = arith.constant dense<[1.1, 0.3]> : tensor<2xf32>
  %a = edge.cast %f {to = f8E8M0FNU} : (tensor<2xf32>) -> tensor<2xf8E8M0FNU>
  %b = edge.cast %f {to = f8E8M0FNU, round_mode = "down"} : (tensor<2xf32>) -> tensor<2xf8E8M0FNU>
  %i = arith.constant dense<[-9.0, 15.0]> : tensor<2xf32>
  %c = edge.cast %i {to = i4} : (tensor<2xf32>) -> tensor<2xi4>
  return %a, %b, %c : tensor<2xf8E8M0FNU>, tensor<2xf8E8M0FNU>, tensor<2xi4>
}
