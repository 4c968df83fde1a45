// RUN: edgec-opt %s -edge-cpu-outline-parallel="threads=2 min-work=500" | FileCheck %s

// The code between the kernels: a copy into the interior of a padded
// buffer, a fill of its border and a transpose, each over at least
// min-work elements, become loops over their first dim of two or more
// iterations (the copy's rows, the transpose's 16 output channels; the
// fill's single row of 34 x 16 is split over its 34 columns) and then
// runtime tasks; a small fill (16 elements) and a reduction over its first
// dim stay as they are.
// CHECK-LABEL: func.func @main
// CHECK-COUNT-2: call @edgert_parallel_for
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<16xf32>)
// CHECK: call @edgert_parallel_for
// CHECK-NOT: call @edgert_parallel_for
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction", "parallel"]
// CHECK: return

// The tasks, the last outlined first: the transpose by output channel,
// the fill by column, the copy by row.
// CHECK-LABEL: func.func private @main_task_1(
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : memref<1x32x32xf32, strided<[1024, 32, 1], offset: ?>>)
// CHECK-LABEL: func.func private @main_task_0(
// CHECK: scf.for
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x1x16xf32, strided<[544, 16, 1], offset: ?>>)
// CHECK-LABEL: func.func private @main_task(
// CHECK: scf.for %[[R:.+]] =
// CHECK: %[[FROM:.+]] = memref.subview %{{.*}}[%[[R]], 0, 0] [1, 32, 16] [1, 1, 1] : memref<32x32x16xf32> to memref<1x32x16xf32, strided<[512, 16, 1], offset: ?>>
// CHECK: %[[TO:.+]] = memref.subview %{{.*}}[%[[R]], 0, 0] [1, 32, 16] [1, 1, 1] : memref<32x32x16xf32, strided<[544, 16, 1], offset: 560>> to memref<1x32x16xf32, strided<[544, 16, 1], offset: ?>>
// CHECK: memref.copy %[[FROM]], %[[TO]]
func.func @main(%in: memref<32x32x16xf32>, %out: memref<16x32x32xf32>, %sum: memref<16xf32>, %arena: memref<73984xi8>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %padded = memref.view %arena[%c0][] : memref<73984xi8> to memref<34x34x16xf32>
  %interior = memref.subview %padded[1, 1, 0] [32, 32, 16] [1, 1, 1] : memref<34x34x16xf32> to memref<32x32x16xf32, strided<[544, 16, 1], offset: 560>>
  memref.copy %in, %interior : memref<32x32x16xf32> to memref<32x32x16xf32, strided<[544, 16, 1], offset: 560>>
  %top = memref.subview %padded[0, 0, 0] [1, 34, 16] [1, 1, 1] : memref<34x34x16xf32> to memref<1x34x16xf32, strided<[544, 16, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x34x16xf32, strided<[544, 16, 1]>>)
  linalg.fill ins(%zero : f32) outs(%sum : memref<16xf32>)
  linalg.generic {indexing_maps = [affine_map<(c, h, w) -> (h, w, c)>, affine_map<(c, h, w) -> (c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%in : memref<32x32x16xf32>) outs(%out : memref<16x32x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [affine_map<(h, w, c) -> (h, w, c)>, affine_map<(h, w, c) -> (c)>],
                  iterator_types = ["reduction", "reduction", "parallel"]}
      ins(%padded : memref<34x34x16xf32>) outs(%sum : memref<16xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}
