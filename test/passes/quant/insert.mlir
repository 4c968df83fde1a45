// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-quant-insert))' | FileCheck %s
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-quant-insert{mode=int16x8}))' | FileCheck %s --check-prefix=I16

// Calibrated ranges come as `edge.calibration = array<f64: min, max>` on the
// op producing a tensor (an argument attribute for an input).

// A Conv followed by its Relu: the input and the Relu's output are quantized
// per tensor (asymmetric int8: [-1, 1] -> scale 2/255, zero point -1;
// [0, 2] -> 2/255, -128), not the Conv's own output (the fused form). The
// filter is symmetric int8 per output channel (scales max|w|/127: 0.5/127
// and 1/127), the bias stays f32 on the int32 grid of s_in * s_w[c].
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>)
// CHECK-NEXT: %[[QX:.+]] = edge.quantize %[[X]] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078431377187371254:-1>>
// CHECK-NEXT: %[[DX:.+]] = edge.dequantize %[[QX]]
// CHECK-NEXT: %[[WI:.+]] = arith.constant dense<{{\[\[\[\[}}127]], {{\[\[}}-64]]], {{\[\[\[}}127]], {{\[\[}}16]]]]> : tensor<2x2x1x1xi8>
// CHECK-NEXT: %[[WQ:.+]] = edge.storage_cast %[[WI]] : tensor<2x2x1x1xi8> -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.0039370078593492508,0.0078740157186985015}>>
// CHECK-NEXT: %[[W:.+]] = edge.dequantize %[[WQ]]
// CHECK-NEXT: %[[B:.+]] = arith.constant dense<[0.0999845638, -0.199969128]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.+]] = edge.conv %[[DX]], %[[W]], %[[B]]
// CHECK-NOT: edge.calibration
// CHECK-NEXT: %[[R:.+]] = edge.relu %[[C]]
// CHECK-NEXT: %[[QR:.+]] = edge.quantize %[[R]] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// CHECK-NEXT: %[[DR:.+]] = edge.dequantize %[[QR]]
// CHECK-NEXT: return %[[DR]]

// int16x8: symmetric int16 activations (scale max|x|/32767), int8 weights.
// I16-LABEL: func.func @conv_relu
// I16: edge.quantize %{{.+}} -> tensor<1x2x4x4x!quant.uniform<i16:f32, 3.0518509447574615E-5>>
// I16: edge.storage_cast %{{.+}} : tensor<2x2x1x1xi8> -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.0039370078593492508,0.0078740157186985015}>>
// I16: edge.quantize %{{.+}} -> tensor<1x2x4x4x!quant.uniform<i16:f32, 6.1037018895149231E-5>>
func.func @conv_relu(%x: tensor<1x2x4x4xf32> {edge.calibration = array<f64: -1.0, 1.0>}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]], [[-0.25]]], [[[1.0]], [[0.125]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, edge.calibration = array<f64: -3.0, 3.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.relu %0 {edge.calibration = array<f64: 0.0, 2.0>} : tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Pass-through ops after a quantized layer compute in the quantized domain:
// MaxPool and Reshape reuse their input's type, Add and Concat get their
// own, a constant input is quantized per tensor. Softmax stays float and
// reads the dequantized value.
// CHECK-LABEL: func.func @passthrough
// CHECK: %[[C:.+]] = edge.conv
// CHECK-NEXT: %[[QC:.+]] = edge.quantize %[[C]] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.019607843831181526:-26>>
// CHECK-NEXT: %[[DC:.+]] = edge.dequantize %[[QC]]
// CHECK-NEXT: %[[P:.+]] = edge.max_pool %[[DC]]
// CHECK-NEXT: %[[QP:.+]] = edge.quantize %[[P]] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.019607843831181526:-26>>
// CHECK-NEXT: %[[DP:.+]] = edge.dequantize %[[QP]]
// CHECK-NEXT: %[[A:.+]] = edge.add %[[DP]], %[[DP]]
// CHECK-NEXT: %[[QA:.+]] = edge.quantize %[[A]] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.031372550874948502:-64>>
// CHECK-NEXT: %[[DA:.+]] = edge.dequantize %[[QA]]
// CHECK-NEXT: %[[R:.+]] = edge.reshape %[[DA]]
// CHECK-NEXT: %[[QR:.+]] = edge.quantize %[[R]] : tensor<1x8xf32> -> tensor<1x8x!quant.uniform<i8:f32, 0.031372550874948502:-64>>
// CHECK-NEXT: %[[DR:.+]] = edge.dequantize %[[QR]]
// CHECK-NEXT: %[[K:.+]] = arith.constant dense<127> : tensor<1x8xi8>
// CHECK-NEXT: %[[QK:.+]] = edge.storage_cast %[[K]] : tensor<1x8xi8> -> tensor<1x8x!quant.uniform<i8:f32, 0.0019607844296842813:-128>>
// CHECK-NEXT: %[[DK:.+]] = edge.dequantize %[[QK]]
// CHECK-NEXT: %[[CAT:.+]] = edge.concat %[[DR]], %[[DK]]
// CHECK-NEXT: %[[QCAT:.+]] = edge.quantize %[[CAT]]
// CHECK-NEXT: %[[DCAT:.+]] = edge.dequantize %[[QCAT]]
// CHECK-NEXT: %[[S:.+]] = edge.softmax %[[DCAT]]
// CHECK-NEXT: return %[[S]]
func.func @passthrough(%x: tensor<1x2x4x4xf32> {edge.calibration = array<f64: 0.0, 1.0>}) -> tensor<1x16xf32> {
  %w = arith.constant dense<[[[[1.0]], [[0.5]]], [[[-1.0]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, edge.calibration = array<f64: -2.0, 3.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.max_pool %0 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, edge.calibration = array<f64: -1.0, 3.0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %2 = edge.add %1, %1 {edge.calibration = array<f64: -2.0, 6.0>} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
  %3 = edge.reshape %2 {shape = array<i64: 1, 8>, edge.calibration = array<f64: -2.0, 6.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %c = arith.constant dense<0.5> : tensor<1x8xf32>
  %4 = edge.concat %3, %c {axis = 1 : i64, edge.calibration = array<f64: -2.0, 6.0>} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x16xf32>
  %5 = edge.softmax %4 {axis = 1 : i64, edge.calibration = array<f64: 0.0, 1.0>} : tensor<1x16xf32>
  return %5 : tensor<1x16xf32>
}

// -----

// edge.precision overrides the mode per layer: the float Gemm keeps its
// weights; the int16 MatMul makes its input and output int16, and so the
// Add after it (a pass-through op inherits the width of its quantized
// inputs), which reads the Gemm's result quantized too. The graph input is
// dequantized only for the MatMul: the Sigmoid reads it as it is. Gemm's
// per-channel axis is N (axis 1 of B without transB), MatMul's the last
// axis of its constant right operand.
// CHECK-LABEL: func.func @precision
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>)
// CHECK-NEXT: %[[QX:.+]] = edge.quantize %[[X]] : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i16:f32, 6.1037018895149231E-5>>
// CHECK-NEXT: %[[DX:.+]] = edge.dequantize %[[QX]]
// CHECK-NEXT: %[[S:.+]] = edge.sigmoid %[[X]]
// CHECK-NEXT: %[[B:.+]] = arith.constant dense<{{.+}}> : tensor<4x3xf32>
// CHECK-NEXT: %[[G:.+]] = edge.gemm %[[S]], %[[B]]
// CHECK-NEXT: %[[QG:.+]] = edge.quantize %[[G]] : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i16:f32, 1.2207403779029846E-4>>
// CHECK-NEXT: %[[DG:.+]] = edge.dequantize %[[QG]]
// CHECK-NEXT: %[[WI:.+]] = arith.constant dense<{{\[\[}}127, 127, 127], [0, 0, 0], [-127, 32, 21], [32, 16, 11]]> : tensor<4x3xi8>
// CHECK-NEXT: %[[WQ:.+]] = edge.storage_cast %[[WI]] : tensor<4x3xi8> -> tensor<4x3x!quant.uniform<i8:f32:1, {0.0078740157186985015,0.015748031437397003,0.023622047156095505}>>
// CHECK-NEXT: %[[W:.+]] = edge.dequantize %[[WQ]]
// CHECK-NEXT: %[[M:.+]] = edge.matmul %[[DX]], %[[W]] : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[QM:.+]] = edge.quantize %[[M]] : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i16:f32, 3.0518509447574615E-4>>
// CHECK-NEXT: %[[DM:.+]] = edge.dequantize %[[QM]]
// CHECK-NEXT: %[[SUM:.+]] = edge.add %[[DG]], %[[DM]]
// CHECK-NEXT: edge.quantize %[[SUM]] : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i16:f32, 3.0518509447574615E-5>>
func.func @precision(%x: tensor<2x4xf32> {edge.calibration = array<f64: -2.0, 1.0>}) -> tensor<2x3xf32> {
  %s = edge.sigmoid %x {edge.calibration = array<f64: 0.0, 1.0>} : tensor<2x4xf32>
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 0.5, 0.5], [0.25, 0.25, 0.25]]> : tensor<4x3xf32>
  %g = edge.gemm %s, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false, edge.precision = "float", edge.calibration = array<f64: -4.0, 4.0>} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %m = edge.matmul %x, %b {edge.precision = "int16", edge.calibration = array<f64: -10.0, 5.0>} : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %a = edge.add %g, %m {edge.calibration = array<f64: -1.0, 1.0>} : tensor<2x3xf32>, tensor<2x3xf32>
  return %a : tensor<2x3xf32>
}

// -----

// A weight a float model already stores as symmetric int8
// (dequantize(storage_cast(constant))) keeps its quantization.
// CHECK-LABEL: func.func @stored_int8
// CHECK: %[[WI:.+]] = arith.constant dense<{{\[\[\[\[}}1]]], {{\[\[\[}}-2]]]]> : tensor<2x1x1x1xi8>
// CHECK-NEXT: %[[WQ:.+]] = edge.storage_cast %[[WI]]
// CHECK-NEXT: %[[W:.+]] = edge.dequantize %[[WQ]]
// CHECK-NOT: arith.constant
// CHECK: edge.conv %{{.+}}, %[[W]]
func.func @stored_int8(%x: tensor<1x1x2x2xf32> {edge.calibration = array<f64: -1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %wi = arith.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
  %wq = edge.storage_cast %wi : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %w = edge.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8:f32, 0.5>> -> tensor<2x1x1x1xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, edge.calibration = array<f64: -1.0, 1.0>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
