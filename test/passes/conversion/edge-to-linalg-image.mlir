// RUN: edgec-opt %s -split-input-file -convert-edge-to-linalg | FileCheck %s

// Nearest: one gather; the unchanged N and C dims read their own index, the
// resized ones an index table computed at compile time (asymmetric, floor:
// output x reads input floor(x / scale)).
// CHECK-LABEL: func.func @resize_nearest
// CHECK-DAG: %[[H:.+]] = arith.constant dense<[0, 0, 1, 1]> : tensor<4xi32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<[0, 0, 0, 1, 1, 1]> : tensor<6xi32>
// CHECK: linalg.generic {{.*}} ins(%[[H]], %[[W]] : tensor<4xi32>, tensor<6xi32>) outs(%{{.*}} : tensor<1x2x4x6xf32>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x2x2xf32>
func.func @resize_nearest(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x4x6xf32> {
  %0 = edge.resize %x {antialias = false, coordinate_mode = "asymmetric", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "nearest", nearest_mode = "floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 3.0>, sizes = array<i64: 1, 2, 4, 6>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// Linear: one generic per resized dim, the last first, each reducing over
// its two taps (half_pixel, scale 2: weights 0.75 / 0.25, edges repeated).
// CHECK-LABEL: func.func @resize_linear
// CHECK: %[[I:.+]] = arith.constant dense<{{\[}}[0, 0], [0, 1], [0, 1], [1, 1]]> : tensor<4x2xi32>
// CHECK: %[[WT:.+]] = arith.constant dense<{{\[}}[2.500000e-01, 7.500000e-01], [7.500000e-01, 2.500000e-01], [2.500000e-01, 7.500000e-01], [7.500000e-01, 2.500000e-01]]> : tensor<4x2xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[I]], %[[WT]] : tensor<4x2xi32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<1x1x2x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK-NOT: linalg.generic
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// GridSample: one generic over the output reading both grid components;
// bilinear with zeros padding masks the taps outside the input.
// CHECK-LABEL: func.func @grid_sample
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x3x5x2xf32>, tensor<1x3x5x2xf32>) outs(%{{.*}} : tensor<1x2x3x5xf32>)
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x2x4x4xf32>
// CHECK: linalg.yield
func.func @grid_sample(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32> {
  %0 = edge.grid_sample %x, %g {align_corners = false, mode = "linear", padding_mode = "zeros"} : (tensor<1x2x4x4xf32>, tensor<1x3x5x2xf32>) -> tensor<1x2x3x5xf32>
  return %0 : tensor<1x2x3x5xf32>
}

// -----

// float16 interpolates in float32 (input elements extended, f32 weights)
// and rounds once at the end.
// CHECK-LABEL: func.func @resize_linear_f16
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x4xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @resize_linear_f16(%x: tensor<1x1x2x2xf16>) -> tensor<1x1x4x4xf16> {
  %0 = edge.resize %x {antialias = false, coordinate_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 0.000000e+00 : f64, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf16>) -> tensor<1x1x4x4xf16>
  return %0 : tensor<1x1x4x4xf16>
}

// -----

// tf_crop_and_resize with nearest: a tabled index of -1 marks a position
// outside the input, which takes the extrapolation value.
// CHECK-LABEL: func.func @resize_crop_nearest
// CHECK: arith.constant dense<[-1, 0, 1]> : tensor<3xi32>
// CHECK: linalg.generic
// CHECK: arith.cmpi slt
// CHECK: arith.select
func.func @resize_crop_nearest(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %0 = edge.resize %x {antialias = false, coordinate_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f64, exclude_outside = false, extrapolation_value = 5.000000e+00 : f64, mode = "nearest", nearest_mode = "round_prefer_floor", roi = array<f64: 0.0, -1.0, 1.0, 1.0>, scales = array<f64: 1.0, 1.5>, sizes = array<i64: 1, 3>} : (tensor<1x2xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
