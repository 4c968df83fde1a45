// Every edge op prints and parses back to the same IR.
// RUN: edgec-opt %s | edgec-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<1x3x4x4xf32>, %y: tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: edge.relu %{{.*}} : tensor<1x3x4x4xf32>
  %0 = edge.relu %x : tensor<1x3x4x4xf32>
  // CHECK: edge.sigmoid
  %1 = edge.sigmoid %0 : tensor<1x3x4x4xf32>
  // CHECK: edge.tanh
  %2 = edge.tanh %1 : tensor<1x3x4x4xf32>
  // CHECK: edge.exp
  %3 = edge.exp %2 : tensor<1x3x4x4xf32>
  // CHECK: edge.sqrt
  %4 = edge.sqrt %3 : tensor<1x3x4x4xf32>
  // CHECK: edge.neg
  %5 = edge.neg %4 : tensor<1x3x4x4xf32>
  // CHECK: edge.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %6 = edge.clip %5 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x3x4x4xf32>
  // CHECK: edge.hard_sigmoid
  %7 = edge.hard_sigmoid %6 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x3x4x4xf32>
  // CHECK: edge.add %{{.*}}, %{{.*}} : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  %8 = edge.add %7, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  // CHECK: edge.sub
  %9 = edge.sub %8, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  // CHECK: edge.mul
  %10 = edge.mul %9, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  // CHECK: edge.div
  %11 = edge.div %10, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  // CHECK: edge.max %{{.*}}, %{{.*}} : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  %12 = edge.max %11, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  // CHECK: edge.min %{{.*}}, %{{.*}} : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  %13 = edge.min %12, %y : tensor<1x3x4x4xf32>, tensor<3x1x1xf32>
  return %13 : tensor<1x3x4x4xf32>
}

// Integer relu and max pooling on unsigned bytes.
// CHECK-LABEL: func.func @integers
func.func @integers(%x: tensor<4xi32>, %img: tensor<1x1x4x4xui8>) -> (tensor<4xi32>, tensor<1x1x2x2xui8>) {
  // CHECK: edge.relu %{{.*}} : tensor<4xi32>
  %0 = edge.relu %x : tensor<4xi32>
  // CHECK: edge.max_pool {{.*}} -> tensor<1x1x2x2xui8>
  %1 = edge.max_pool %img {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
  return %0, %1 : tensor<4xi32>, tensor<1x1x2x2xui8>
}

// CHECK-LABEL: func.func @compute
func.func @compute(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>,
                   %a: tensor<2x16xf32>, %m: tensor<16x5xf32>, %c: tensor<5xf32>,
                   %bm: tensor<3x2x16xf32>) -> (tensor<1x8x4x4xf32>, tensor<2x5xf32>, tensor<3x2x5xf32>) {
  // CHECK: edge.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  // CHECK-SAME: -> tensor<1x8x4x4xf32>
  %0 = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: edge.gemm
  %1 = edge.gemm %a, %m, %c {alpha = 1.0 : f32, beta = 1.0 : f32, transA = false, transB = false} : (tensor<2x16xf32>, tensor<16x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  // CHECK: edge.matmul %{{.*}}, %{{.*}} : tensor<3x2x16xf32>, tensor<16x5xf32> -> tensor<3x2x5xf32>
  %2 = edge.matmul %bm, %m : tensor<3x2x16xf32>, tensor<16x5xf32> -> tensor<3x2x5xf32>
  return %0, %1, %2 : tensor<1x8x4x4xf32>, tensor<2x5xf32>, tensor<3x2x5xf32>
}

// CHECK-LABEL: func.func @pooling_and_norm
func.func @pooling_and_norm(%x: tensor<1x4x9x9xf32>, %s: tensor<4xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  // CHECK: edge.max_pool {{.*}}ceil_mode = true
  %0 = edge.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x5xf32>
  // CHECK: edge.average_pool {{.*}}count_include_pad = false
  %1 = edge.average_pool %x {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: edge.global_average_pool
  %2 = edge.global_average_pool %x : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: edge.batch_norm {{.*}}epsilon
  %3 = edge.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f32} : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  // CHECK: edge.softmax %{{.*}} {axis = 1 : i64}
  %4 = edge.softmax %x {axis = 1 : i64} : tensor<1x4x9x9xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x5x5xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
}

// 3-D convolution and pooling, and MaxPool's indices.
// CHECK-LABEL: func.func @volumes
func.func @volumes(%x: tensor<1x4x6x6x6xf32>, %w: tensor<8x2x3x3x3xf32>) -> (tensor<1x8x3x3x3xf32>, tensor<1x4x3x3x3xf32>, tensor<1x4x3x3x3xi64>, tensor<1x4x2x2x2xf32>) {
  // CHECK: edge.conv {{.*}}group = 2 : i64{{.*}} -> tensor<1x8x3x3x3xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x4x6x6x6xf32>, tensor<8x2x3x3x3xf32>) -> tensor<1x8x3x3x3xf32>
  // CHECK: edge.max_pool {{.*}} -> tensor<1x4x3x3x3xf32>
  %1 = edge.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x4x6x6x6xf32>) -> tensor<1x4x3x3x3xf32>
  // CHECK: edge.max_pool_indices {{.*}}storage_order = 1 : i64{{.*}} -> tensor<1x4x3x3x3xi64>
  %2 = edge.max_pool_indices %x {ceil_mode = false, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, storage_order = 1 : i64, strides = array<i64: 2, 2, 2>} : (tensor<1x4x6x6x6xf32>) -> tensor<1x4x3x3x3xi64>
  // CHECK: edge.average_pool {{.*}} -> tensor<1x4x2x2x2xf32>
  %3 = edge.average_pool %x {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 3, 3, 3>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 3, 3, 3>} : (tensor<1x4x6x6x6xf32>) -> tensor<1x4x2x2x2xf32>
  return %0, %1, %2, %3 : tensor<1x8x3x3x3xf32>, tensor<1x4x3x3x3xf32>, tensor<1x4x3x3x3xi64>, tensor<1x4x2x2x2xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %i: tensor<2xi64>, %q: tensor<2x3x4xi8>, %sc: tensor<f32>, %zp: tensor<i8>) -> (tensor<6x4xf32>, tensor<4x3x2xf32>, tensor<2x6x4xf32>, tensor<4x5x4xf32>, tensor<3xi64>, tensor<2x2x4xf32>, tensor<2x3x4xi64>, tensor<2x3x4xf32>) {
  // CHECK: edge.reshape {{.*}}shape = array<i64: 6, 4>
  %0 = edge.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: edge.transpose {{.*}}perm = array<i64: 2, 1, 0>
  %1 = edge.transpose %x {perm = array<i64: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  // CHECK: edge.concat {{.*}}axis = 1
  %2 = edge.concat %x, %x {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: edge.pad {{.*}}mode = "reflect"
  %3 = edge.pad %x {pads = array<i64: 1, 1, 0, 1, 1, 0>, mode = "reflect", value = 0.0 : f64} : (tensor<2x3x4xf32>) -> tensor<4x5x4xf32>
  // CHECK: edge.shape
  %4 = edge.shape %x {start = 0 : i64, end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<3xi64>
  // CHECK: edge.gather {{.*}}axis = 1
  %5 = edge.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x2x4xf32>
  // CHECK: edge.cast {{.*}}to = i64
  %6 = edge.cast %x {to = i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xi64>
  // CHECK: edge.dequantize_linear
  %7 = edge.dequantize_linear %q, %sc, %zp {axis = 1 : i64} : (tensor<2x3x4xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<6x4xf32>, tensor<4x3x2xf32>, tensor<2x6x4xf32>, tensor<4x5x4xf32>, tensor<3xi64>, tensor<2x2x4xf32>, tensor<2x3x4xi64>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %b: tensor<5xi1>, %q: tensor<2x4xi8>, %s: tensor<2x4xf32>) -> (tensor<2x1x1xf32>, tensor<i1>, tensor<2x3x4xf32>, tensor<2x4xf32>) {
  // CHECK: edge.reduce_max %{{.+}} {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = edge.reduce_max %x {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: edge.reduce_min %{{.+}} {axes = array<i64: 0>, keepdims = false} : (tensor<5xi1>) -> tensor<i1>
  %1 = edge.reduce_min %b {axes = array<i64: 0>, keepdims = false} : (tensor<5xi1>) -> tensor<i1>
  // CHECK: edge.round %{{.+}} : tensor<2x3x4xf32>
  %2 = edge.round %x : tensor<2x3x4xf32>
  // A scale of the input's shape: one per element.
  // CHECK: edge.dequantize_linear %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<2x4xi8>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.dequantize_linear %q, %s {axis = 0 : i64} : (tensor<2x4xi8>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<i1>, tensor<2x3x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @top_k
// CHECK: %values, %indices = edge.top_k %arg0 {k = 2 : i64, largest = false} : (tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
func.func @top_k(%x: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %v, %i = edge.top_k %x {k = 2 : i64, largest = false} : (tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}
