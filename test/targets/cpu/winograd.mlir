// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-winograd{min-channels=4 min-tiles=1 tile=2}))' | FileCheck %s
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-winograd{min-channels=4 min-tiles=1 tile=4}))' | FileCheck %s --check-prefix=F4
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-winograd))' | FileCheck %s --check-prefix=DEFAULT

// F(2x2, 3x3) on a 6 x 5 output: 3 x 3 tiles (the width padded to 6, the
// input's to 8 columns), the input viewed as (tile row, row, tile column,
// column, channel); the 16 transformed positions one elementwise generic
// over (tile row, tile column, channel) with 16 shifted slices in and 16
// results, computed separably (B^T d, then (B^T d) B: two non-zeros per row
// of B^T, so 16 + 16 adds or subtracts, no negation); the filter
// transformed at compile time (all ones: G g G^T = (1, 1.5, 0.5, 1) outer
// itself, so 1.0 = 0x3F800000 and 1.5 = 0x3FC00000 appear); one batched
// matmul of 16 x (9 tiles x 4 channels) by (4 x 4); the 4 output positions
// of a tile one generic of the 16 products plus the 4 inits read with
// stride 2 (A^T has three non-zeros per row: 8 + 8 sums, then each init
// plus 3 terms); the padded result sliced back to 6 x 5.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: %[[PAD:.+]] = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 0]
// CHECK: %[[D:.+]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2], [3, 4], [5]] output_shape [1, 4, 2, 4, 2, 4] : tensor<1x8x8x4xf32> into tensor<1x4x2x4x2x4xf32>
// CHECK: %[[T00:.+]] = tensor.extract_slice %[[D]][0, 0, 0, 0, 0, 0] [1, 3, 1, 3, 1, 4] [1, 1, 1, 1, 1, 1] : tensor<1x4x2x4x2x4xf32> to tensor<3x3x4xf32>
// CHECK: %[[T33:.+]] = tensor.extract_slice %[[D]][0, 1, 1, 1, 1, 0] [1, 3, 1, 3, 1, 4]
// CHECK: %{{.+}}:16 = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[T00]], {{.*}}, %[[T33]] : tensor<3x3x4xf32>,
// CHECK-NEXT: ^bb0(%in: f32,
// CHECK-NEXT: arith.subf %in, %in_{{[0-9]+}} : f32
// CHECK-COUNT-31: arith.{{addf|subf}}
// CHECK-NOT: arith.negf
// CHECK: linalg.yield {{(%[0-9]+, )+}}%{{[0-9]+}} : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32{{$}}
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[15, 0, 0] [1, 9, 4] [1, 1, 1] : tensor<1x9x4xf32> into tensor<16x9x4xf32>
// CHECK: %[[U:.+]] = arith.constant dense<"0x0000803F{{.*}}0000C03F{{.*}}"> : tensor<16x4x4xf32>
// CHECK: %[[M:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %[[U]] : tensor<16x9x4xf32>, tensor<16x4x4xf32>) outs(%{{.+}} : tensor<16x9x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.pad %arg1 low[0, 0, 0, 0] high[0, 0, 1, 0]
// CHECK: tensor.extract_slice %{{.+}}[0, 1, 1, 0] [1, 3, 3, 4] [1, 2, 2, 1] : tensor<1x6x6x4xf32> to tensor<3x3x4xf32>
// CHECK: %{{.+}}:4 = linalg.generic
// CHECK-COUNT-28: arith.{{addf|subf}}
// CHECK-NEXT: linalg.yield {{(%[0-9]+, )+}}%{{[0-9]+}} : f32, f32, f32, f32{{$}}
// CHECK: %[[Y:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3, 4], [5]] : tensor<1x3x2x3x2x4xf32> into tensor<1x6x6x4xf32>
// CHECK: %[[OUT:.+]] = tensor.extract_slice %[[Y]][0, 0, 0, 0] [1, 6, 5, 4] [1, 1, 1, 1]
// CHECK: return %[[OUT]]

// F(4x4, 3x3): 2 x 2 tiles of 4 x 4, 36 products; B^T's and A^T's other
// weights (4, -5, 2, 8, ...) as fused multiply-adds.
// F4-LABEL: func.func @conv
// F4: tensor.expand_shape {{.*}} : tensor<1x12x12x4xf32> into tensor<1x3x4x3x4x4xf32>
// F4: %{{.+}}:36 = linalg.generic
// F4: math.fma
// F4: linalg.yield
// F4: linalg.generic {{.*}}ins(%{{.+}}, %{{.+}} : tensor<36x4x4xf32>, tensor<36x4x4xf32>)
// F4: %{{.+}}:16 = linalg.generic
// F4: math.fma
// F4: linalg.yield
// F4: tensor.collapse_shape {{.*}} : tensor<1x2x4x2x4x4xf32> into tensor<1x8x8x4xf32>
// F4: tensor.extract_slice {{.*}} [1, 6, 5, 4]

// With the default options, 4 channels and 9 tiles are too few: unchanged.
// DEFAULT-LABEL: func.func @conv
// DEFAULT: linalg.conv_2d_nhwc_hwcf
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @conv(%x: tensor<1x8x7x4xf32>, %init: tensor<1x6x5x4xf32>) -> tensor<1x6x5x4xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x4x4xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x7x4xf32>, tensor<3x3x4x4xf32>) outs(%init : tensor<1x6x5x4xf32>) -> tensor<1x6x5x4xf32>
  return %r : tensor<1x6x5x4xf32>
}
}

// -----

// Not Winograd: a stride of 2, a filter that is not a constant, and a
// target without vectors (Cortex-M4).
// CHECK-LABEL: func.func @strided
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @variable_filter
// CHECK: linalg.conv_2d_nhwc_hwcf
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
func.func @strided(%x: tensor<1x9x9x4xf32>, %init: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x4x4xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x4xf32>, tensor<3x3x4x4xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}
func.func @variable_filter(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x4xf32>, %init: tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x8x4xf32>, tensor<3x3x4x4xf32>) outs(%init : tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32>
  return %r : tensor<1x6x6x4xf32>
}
}

// -----

// CHECK-LABEL: func.func @no_vectors
// CHECK: linalg.conv_2d_nhwc_hwcf
module attributes {edge.target = #edge.target<triple = "thumbv7em-none-eabihf", cpu = "cortex-m4", features = "", arch = "cortex-m", vector_bits = 0, vector_registers = 32, fma = true, dot = "dsp", l1_bytes = 0, l2_bytes = 0, sram_bytes = 0, pointer_bits = 32>} {
func.func @no_vectors(%x: tensor<1x8x8x4xf32>, %init: tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x4x4xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x8x4xf32>, tensor<3x3x4x4xf32>) outs(%init : tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32>
  return %r : tensor<1x6x6x4xf32>
}
}
