// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-expand-copies))' | FileCheck %s --check-prefix=COPY
// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-scalarize-transfers))' | FileCheck %s --check-prefix=SCALAR

// Short rows (16 bytes) become linalg.copy, loops LLVM vectorizes.
// COPY-LABEL: func.func @copy
// COPY-NOT: memref.copy
// COPY: linalg.copy ins(%{{.*}} : memref<4x4xf32, strided<[8, 1]>>) outs(%{{.*}} : memref<4x4xf32>)
func.func @copy(%a: memref<4x4xf32, strided<[8, 1]>>, %b: memref<4x4xf32>) {
  memref.copy %a, %b : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  return
}

// -----

// Rows of 512 contiguous bytes (into a padded buffer's interior) become one
// contiguous copy per row, which the LLVM lowering turns into memcpy; a
// contiguous copy stays whole.
// COPY-LABEL: func.func @rows
// COPY: scf.for %[[R:.+]] = %{{.*}} to %{{.*}} step
// COPY: %[[S:.+]] = memref.subview %arg0[%[[R]], 0] [1, 128] [1, 1] : memref<4x128xf32> to memref<128xf32, strided<[1], offset: ?>>
// COPY: %[[D:.+]] = memref.subview %arg1[%[[R]], 0] [1, 128] [1, 1] : memref<4x128xf32, strided<[144, 1], offset: 8>> to memref<128xf32, strided<[1], offset: ?>>
// COPY: memref.copy %[[S]], %[[D]]
// COPY-NOT: linalg.copy
// COPY: memref.copy %arg0, %arg2 : memref<4x128xf32> to memref<4x128xf32>
func.func @rows(%a: memref<4x128xf32>, %b: memref<4x128xf32, strided<[144, 1], offset: 8>>, %c: memref<4x128xf32>) {
  memref.copy %a, %b : memref<4x128xf32> to memref<4x128xf32, strided<[144, 1], offset: 8>>
  memref.copy %a, %c : memref<4x128xf32> to memref<4x128xf32>
  return
}

// -----

// An element extracted from a strided vector read becomes a scalar load at
// the read's indices plus the position, broadcast back to vector<1xf32>.
// SCALAR-LABEL: func.func @extract
// SCALAR-SAME: (%[[M:.+]]: memref<1x15x1xf32, strided<[45, 3, 1]>>, %[[I:.+]]: index)
// SCALAR-DAG: %[[C2:.+]] = arith.constant 2 : index
// SCALAR: %[[J:.+]] = arith.addi %[[I]], %[[C2]] : index
// SCALAR: %[[V:.+]] = memref.load %[[M]][%{{.*}}, %[[J]], %{{.*}}]
// SCALAR: vector.broadcast %[[V]] : f32 to vector<1xf32>
// SCALAR-NOT: vector.transfer_read
func.func @extract(%m: memref<1x15x1xf32, strided<[45, 3, 1]>>, %i: index) -> vector<1xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%c0, %i, %c0], %pad {in_bounds = [true, true, true]} : memref<1x15x1xf32, strided<[45, 3, 1]>>, vector<1x8x1xf32>
  %e = vector.extract %v[0, 2] : vector<1xf32> from vector<1x8x1xf32>
  return %e : vector<1xf32>
}
