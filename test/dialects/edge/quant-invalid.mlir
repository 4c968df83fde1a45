// The constraints of quantized tensors (Q1-Q4 in EdgeOps.td), one error each.
// RUN: edgec-opt %s -split-input-file -verify-diagnostics

func.func @q3_axis_size(%w: tensor<3x3xi8>) -> tensor<3x3xf32> {
  // expected-error@+1 {{Q3: 2 scales for dimension 0 of size 3}}
  %s = edge.storage_cast %w : tensor<3x3xi8> -> tensor<3x3x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  %d = edge.dequantize %s : tensor<3x3x!quant.uniform<i8:f32:0, {0.1, 0.2}>> -> tensor<3x3xf32>
  return %d : tensor<3x3xf32>
}

// -----

func.func @q3_axis_rank(%x: tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  // expected-error@+1 {{Q3: quantization axis 1 is not a dimension of}}
  %q = edge.quantize %x : tensor<2xf32> -> tensor<2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %q : tensor<2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

func.func @q4_expressed(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{Q4: the quantized type expresses 'f32', the float side is 'f16'}}
  %q = edge.quantize %x : tensor<4xf16> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @storage_signedness(%u: tensor<4xi8>) -> tensor<4x!quant.uniform<u8:f32, 0.5:128>> {
  // expected-error@+1 {{the storage of '!quant.uniform<u8:f32, 5.000000e-01:128>' is 'ui8', not 'i8'}}
  %s = edge.storage_cast %u : tensor<4xi8> -> tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  return %s : tensor<4x!quant.uniform<u8:f32, 0.5:128>>
}

// -----

func.func @shape(%x: tensor<4xf32>) -> tensor<5x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{operand and result shapes differ}}
  %q = edge.quantize %x : tensor<4xf32> -> tensor<5x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<5x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Q1 and Q2 hold for every `!quant.uniform` type: its parser already
// refuses a zero scale or a zero point outside the storage range (and the
// verifiers check again for types built in C++, as the importer does).
func.func @q1_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale 0.000000e+00 out of expressed type range}}
  %q = edge.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0>>
  return
}

// -----

func.func @q2_zero_point(%x: tensor<4xf32>) {
  // expected-error@+1 {{zero point}}
  %q = edge.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:200>>
  return
}

// -----

// Q5: the bias of a quantized conv is scaled by input scale x weight scale.
func.func @q5_bias_scale(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2}>>, %b: tensor<2x!quant.uniform<i32:f32:0, {0.05, 0.2}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{Q5: bias scale 2.000000e-01 at 1 is not input scale x weight scale (1.000000e-01)}}
  %c = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2}>>, tensor<2x!quant.uniform<i32:f32:0, {0.05, 0.2}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  return %c : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Q5: quantized weights have zero point 0.
func.func @q5_weight_zero_point(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{Q5: the weights' zero point must be 0}}
  %m = edge.matmul %x, %w : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.5:2>> -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %m : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Q5: per-axis weights of a MatMul are quantized along N (the last axis).
func.func @q5_weight_axis(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.1, 0.1}>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{Q5: the weights must be quantized along axis 1, not 0}}
  %m = edge.matmul %x, %w : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.1, 0.1}>> -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %m : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Q5: a quantized input needs quantized weights.
func.func @q5_float_weights(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{Q5: a quantized input needs quantized weights, got 'f32'}}
  %m = edge.matmul %x, %w : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %m : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Q3 for blocks: 4 columns in blocks of 2 need 2 scales per row.
func.func @q3_blocks(%w: tensor<2x4xi4>) {
  // expected-error@+1 {{Q3: dimension 1 of size 4 in blocks of 2 needs 2 scales, the type has 3}}
  %s = edge.storage_cast %w : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{2.0, 3.0, 1.0}, {4.0, 5.0, 1.0}}>>
  return
}

// -----

// Q7: a quantized average pooling keeps its windows inside the input.
func.func @q7_shape(%x: tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<1x4x3x3x!quant.uniform<i8:f32, 0.25:-2>> {
  // expected-error@+1 {{gives output dimension 0 of size 3, not 2 (Q7)}}
  %y = edge.quantized_average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5:1>> -> tensor<1x4x3x3x!quant.uniform<i8:f32, 0.25:-2>>
  return %y : tensor<1x4x3x3x!quant.uniform<i8:f32, 0.25:-2>>
}

// -----

// Q7: per-tensor 8-bit types only.
func.func @q7_type(%x: tensor<1x4x6x6x!quant.uniform<i16:f32, 0.5>>) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.25>> {
  // expected-error@+1 {{takes and gives per-tensor 8-bit quantized NCHW tensors (Q7)}}
  %y = edge.quantized_average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x4x6x6x!quant.uniform<i16:f32, 0.5>> -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.25>>
  return %y : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.25>>
}
