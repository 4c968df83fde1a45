// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-patch-execution{bands=4}))' | FileCheck %s
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-patch-execution{remarks=true}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=AUTO
// A band count no stage height divides (16 and 8 rows: 3 bands) changes
// nothing and says so.
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-patch-execution{bands=3 remarks=true}))' 2>&1 | FileCheck %s --check-prefix=THREE
// THREE: remark: edge-patch-execution: no stage of row-local ops splits into 3 bands
// THREE-NOT: scf.for

// Two convolutions (3x3 pad 1, then 3x3 stride 2 pad 1) over 4 bands of 2
// output rows. Band 0 keeps the top pad and reads input rows [0, 5); the
// middle bands (1 and 2) share their code in a loop: input rows from 4i-2,
// 7 of them, no pads at the top or bottom; band 3 keeps the bottom pad of the
// first conv and reads rows [10, 16). Each band stores its rows of the stage
// output channels-last; the rest of the graph reads it back as NCHW.
// CHECK-LABEL: func.func @two_convs
// CHECK: %[[ACC:.+]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[S0:.+]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1]
// CHECK: %[[C0:.+]] = edge.conv %[[S0]], %arg1 {{{.*}}pads = array<i64: 1, 1, 0, 1>{{.*}} -> tensor<1x4x4x8xf32>
// CHECK: %[[R0:.+]] = edge.relu %[[C0]] : tensor<1x4x4x8xf32>
// CHECK: %[[D0:.+]] = edge.conv %[[R0]], %arg2 {{{.*}}pads = array<i64: 1, 1, 0, 1>{{.*}} -> tensor<1x4x2x4xf32>
// CHECK: %[[T0:.+]] = edge.transpose %[[D0]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[T0]] into %[[ACC]][0, 0, 0, 0] [1, 2, 4, 4]
// CHECK: %[[LOOP:.+]] = scf.for %[[I:.+]] = %c1 to %c3 step %{{.+}} iter_args(%[[A:.+]] = %[[I0]])
// CHECK-DAG: %[[M2:.+]] = arith.constant -2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: %[[X:.+]] = arith.muli %[[I]], %[[C4]]
// CHECK: %[[ROW:.+]] = arith.addi %[[X]], %[[M2]]
// CHECK: %[[S1:.+]] = tensor.extract_slice %arg0[0, 0, %[[ROW]], 0] [1, 1, 7, 8] [1, 1, 1, 1]
// CHECK: edge.conv %[[S1]], %arg1 {{{.*}}pads = array<i64: 0, 1, 0, 1>{{.*}} -> tensor<1x4x5x8xf32>
// CHECK: edge.conv %{{.+}}, %arg2 {{{.*}}pads = array<i64: 0, 1, 0, 1>{{.*}} -> tensor<1x4x2x4xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[A]][0, %{{.+}}, 0, 0] [1, 2, 4, 4]
// CHECK: } {edge.patch_loop}
// CHECK: %[[S3:.+]] = tensor.extract_slice %arg0[0, 0, 10, 0] [1, 1, 6, 8] [1, 1, 1, 1]
// CHECK: edge.conv %[[S3]], %arg1 {{{.*}}pads = array<i64: 0, 1, 1, 1>{{.*}} -> tensor<1x4x5x8xf32>
// CHECK: %[[I3:.+]] = tensor.insert_slice %{{.+}} into %[[LOOP]][0, 6, 0, 0] [1, 2, 4, 4]
// CHECK: %[[OUT:.+]] = edge.transpose %[[I3]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x8x4x4xf32>) -> tensor<1x4x8x4xf32>
// CHECK: edge.global_average_pool %[[OUT]]
// AUTO: remark: edge-patch-execution: 3 ops in {{[0-9]+}} bands of {{[0-9]+}} rows up to here; estimated peak {{[0-9]+}} -> {{[0-9]+}} bytes
func.func @two_convs(%x: tensor<1x1x16x8xf32>, %w1: tensor<4x1x3x3xf32>, %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x1x1xf32> {
  %0 = edge.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x16x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x16x8xf32>
  %1 = edge.relu %0 : tensor<1x4x16x8xf32>
  %2 = edge.conv %1, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x16x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x4xf32>
  %3 = edge.global_average_pool %2 : (tensor<1x4x8x4xf32>) -> tensor<1x4x1x1xf32>
  return %3 : tensor<1x4x1x1xf32>
}

// -----

// A residual: the band of %0 covers the rows the depthwise conv needs (one
// more above and below), and the Add reads its middle rows.
// CHECK-LABEL: func.func @residual
// CHECK: scf.for
// CHECK: %[[E:.+]] = edge.relu %{{.+}} : tensor<1x2x6x4xf32>
// CHECK: %[[DW:.+]] = edge.conv %[[E]], %arg1 {{{.*}}pads = array<i64: 0, 1, 0, 1>{{.*}} -> tensor<1x2x4x4xf32>
// CHECK: %[[MID:.+]] = tensor.extract_slice %[[E]][0, 0, 1, 0] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: edge.add %[[DW]], %[[MID]]
// AUTO: remark: edge-patch-execution: 3 ops in {{[0-9]+}} bands
func.func @residual(%x: tensor<1x2x16x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x1x1xf32> {
  %0 = edge.relu %x : tensor<1x2x16x4xf32>
  %1 = edge.conv %0, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x16x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x16x4xf32>
  %2 = edge.add %1, %0 : tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>
  %3 = edge.global_average_pool %2 : (tensor<1x2x16x4xf32>) -> tensor<1x2x1x1xf32>
  return %3 : tensor<1x2x1x1xf32>
}

// -----

// The first op is not row-local (a reduction over the rows): no stage.
// CHECK-LABEL: func.func @no_stage
// CHECK-NOT: scf.for
// CHECK: edge.global_average_pool %arg0
// AUTO: remark: edge-patch-execution: no stage lowers the estimated peak of {{[0-9]+}} bytes
func.func @no_stage(%x: tensor<1x2x16x4xf32>) -> tensor<1x2x1x1xf32> {
  %0 = edge.global_average_pool %x : (tensor<1x2x16x4xf32>) -> tensor<1x2x1x1xf32>
  %1 = edge.relu %0 : tensor<1x2x1x1xf32>
  return %1 : tensor<1x2x1x1xf32>
}
