// Each verifier error, named after the constraint it checks (EdgeOps.td).
// RUN: edgec-opt %s -split-input-file -verify-diagnostics

func.func @conv_c1_rank(%x: tensor<1x4x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: input and filter must both have rank 4 or both rank 5, got 3 and 4}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_c2_channels(%x: tensor<1x5x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C2: input channels (5) must equal filter channels (4) times group (1)}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_c3_strides(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C3: kernel sizes, strides and dilations must be positive and pads non-negative}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_c4_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<7xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C4: the bias must be 1-D with 8 entries}}
  %0 = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<7xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_c5_window(%x: tensor<1x4x2x2xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{the window (3 with dilation) is larger than the padded input (2)}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_wrong_result(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inferred type(s) 'tensor<1x8x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x8xf32>'}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{shapes 2x3 and 4 are not broadcast-compatible}}
  %0 = edge.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inner dimensions differ: 3 vs 4}}
  %0 = edge.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inner dimensions differ: 3 vs 4}}
  %0 = edge.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{cannot reshape 2x3 (6 elements) to 7 (7 elements)}}
  %0 = edge.reshape %a {shape = array<i64: 7>} : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{perm is not a permutation}}
  %0 = edge.transpose %a {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<2x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inputs differ in dimension 0 (2x3 vs 3x3)}}
  %0 = edge.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @pad_mode(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{unknown pad mode 'mirror'}}
  %0 = edge.pad %a {pads = array<i64: 0, 0, 0, 0>, mode = "mirror", value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_crop_all(%a: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{negative pads remove all of dimension 1}}
  %0 = edge.pad %a {pads = array<i64: 0, -2, 0, -1>, mode = "constant", value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @pad_reflect_too_far(%a: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{reflect pads must be smaller than the padded dimension (3)}}
  %0 = edge.pad %a {pads = array<i64: 0, 3, 0, 0>, mode = "reflect", value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @pool_rank(%a: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{only 2-D and 3-D pooling (rank-4 or rank-5 input) is supported, got rank 3}}
  %0 = edge.max_pool %a {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

func.func @pool_indices_storage_order(%a: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{storage_order must be 0 or 1, got 2}}
  %0 = edge.max_pool_indices %a {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, storage_order = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

func.func @pool3d_pads(%a: tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C3: expected 3 kernel sizes, strides, dilations and 6 pads}}
  %0 = edge.average_pool %a {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  return %0 : tensor<1x2x2x2x2xf32>
}

// -----

func.func @batch_norm_params(%a: tensor<1x4x2x2xf32>, %s: tensor<3xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{scale, bias, mean and variance must be 1-D with one entry per channel (4)}}
  %0 = edge.batch_norm %a, %s, %s, %s, %s {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

func.func @pool_window_too_large(%a: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C3: kernel sizes, strides, dilations and pads must be at most 2147483647}}
  %0 = edge.max_pool %a {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 4294967296>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @conv_padded_too_large(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{the padded input would have more than 2^31 elements}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1073741824, 1073741824, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @matmul_mixed_types(%a: tensor<2x3xf16>, %b: tensor<3x4xf32>) -> tensor<2x4xf16> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{both operands must have the same element type, got 'f16' and 'f32'}}
  %0 = edge.matmul %a, %b : tensor<2x3xf16>, tensor<3x4xf32> -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

func.func @reduce_c1_range(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: axis 2 is not a dimension of a rank-2 input}}
  %0 = edge.reduce_max %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_c1_twice(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: axis 1 is listed twice}}
  %0 = edge.reduce_min %x {axes = array<i64: 1, 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dequantize_linear_scale_shape(%q: tensor<2x4xi8>, %s: tensor<2x2xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{the scale must be a scalar, 1-D, or of the input's shape (2x4), got 2x2}}
  %0 = edge.dequantize_linear %q, %s {axis = 1 : i64} : (tensor<2x4xi8>, tensor<2x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @unary_c20_unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{C20: unknown function 'sine'}}
  %0 = edge.unary %x {fn = "sine"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unary_c20_domain(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{C20: 'sin' is not defined on 'i32'}}
  %0 = edge.unary %x {fn = "sin"} : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @unary_c20_not_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{C20: 'not' is not defined on 'f32'}}
  %0 = edge.unary %x {fn = "not"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_c21(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error@+1 {{C21: unknown predicate 'ne'}}
  %0 = edge.compare %a, %b {predicate = "ne"} : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<4xi1>
}

// -----

func.func @bitwise_c22_signed_shift(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{C22: shifts take unsigned integers, not 'i32'}}
  %0 = edge.bitwise %a, %b {kind = "shl"} : tensor<4xi32>, tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @mod_c23(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{C23: a floating-point Mod needs fmod}}
  %0 = edge.mod %a, %b : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @where_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error@+1 {{x and y must have one element type}}
  %0 = edge.where %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf16>
  return %0 : tensor<4xf32>
}

// -----

func.func @expand_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{the input's shape 2x3 does not broadcast with 4x3}}
  %0 = edge.expand %x {shape = array<i64: 4, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_c1_outside(%x: tensor<3x5xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: dim 1 reads outside the input}}
  %0 = edge.slice %x {starts = array<i64: 0, 4>, sizes = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<3x5xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @arg_reduce_c1(%x: tensor<3x5xf32>) -> tensor<3xi64> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: axis 2 is not a dimension of a rank-2 input}}
  %0 = edge.arg_reduce %x {kind = "max", axis = 2 : i64, keepdims = false, select_last_index = false} : (tensor<3x5xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @resize_c1_sizes(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: 3 sizes for a rank-4 input}}
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "nearest", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 4, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_c1_scales(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error@+1 {{C1: scale -2.000000e+00 is not positive}}
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "nearest", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, -2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_c2_mode(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error@+1 {{C2: unknown mode 'area'}}
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "area", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_c2_integer_linear(%x: tensor<1x1x2x2xi8>) -> tensor<1x1x4x4xi8> {
  // expected-error@+1 {{C2: linear interpolation needs a float tensor, got 'i8'}}
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xi8>) -> tensor<1x1x4x4xi8>
  return %0 : tensor<1x1x4x4xi8>
}

// -----

func.func @resize_c1_crop_roi(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error@+1 {{C1: tf_crop_and_resize needs a roi}}
  %0 = edge.resize %x {antialias = false, coordinate_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @grid_sample_c1_grid(%x: tensor<1x3x4x4xf32>, %g: tensor<1x5x5x3xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C1: a rank-4 input (N, C, spatial...) needs a rank-4 grid whose last dimension is 2}}
  %0 = edge.grid_sample %x, %g {align_corners = false, mode = "linear", padding_mode = "zeros"} : (tensor<1x3x4x4xf32>, tensor<1x5x5x3xf32>) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

func.func @grid_sample_c2_padding(%x: tensor<1x3x4x4xf32>, %g: tensor<1x5x5x2xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error@+1 {{C2: unknown padding mode 'wrap'}}
  %0 = edge.grid_sample %x, %g {align_corners = false, mode = "linear", padding_mode = "wrap"} : (tensor<1x3x4x4xf32>, tensor<1x5x5x2xf32>) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

func.func @scatter_nd_c24(%d: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C24: updates must have shape 2x5}}
  %0 = edge.scatter_nd %d, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @scatter_nd_c25(%d: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf32>) -> tensor<4x5xf32> {
  // expected-error@+1 {{C25: reduction must be none, add, mul, max or min, not 'sub'}}
  %0 = edge.scatter_nd %d, %i, %u {reduction = "sub"} : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @top_k_c27(%x: tensor<3x5xf32>) -> (tensor<3x6xf32>, tensor<3x6xi64>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{C27: k (6) is not in [0, 5]}}
  %v, %i = edge.top_k %x {k = 6 : i64, largest = true} : (tensor<3x5xf32>) -> (tensor<3x6xf32>, tensor<3x6xi64>)
  return %v, %i : tensor<3x6xf32>, tensor<3x6xi64>
}
