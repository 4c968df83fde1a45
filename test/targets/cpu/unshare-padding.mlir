// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-unshare-padding))' | FileCheck %s

// Two padded inputs of the same shape whose border-filled tensor CSE
// shared (%padded): each producer writes into the interior of it in place.
// The second insertion gets its own copy of the chain (empty, border fill,
// interior slice), so bufferization copies neither the padded tensor nor
// the second producer's result.
// CHECK-LABEL: func.func @shared_border
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[F1:.+]] = linalg.fill ins(%{{.*}}) outs(%[[E1]] : tensor<1x6x6x8xf32>)
// CHECK: %[[I1:.+]] = tensor.extract_slice %[[F1]][0, 1, 1, 0] [1, 4, 4, 8]
// CHECK: %[[P1:.+]] = linalg.generic {{.*}} outs(%[[I1]] : tensor<1x4x4x8xf32>)
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[P1]] into %[[F1]][0, 1, 1, 0]
// CHECK: %[[E2:.+]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[F2:.+]] = linalg.fill ins(%{{.*}}) outs(%[[E2]] : tensor<1x6x6x8xf32>)
// CHECK: %[[I2:.+]] = tensor.extract_slice %[[F2]][0, 1, 1, 0] [1, 4, 4, 8]
// CHECK: %[[P2:.+]] = linalg.generic {{.*}} outs(%[[I2]] : tensor<1x4x4x8xf32>)
// CHECK: %[[R2:.+]] = tensor.insert_slice %[[P2]] into %[[F2]][0, 1, 1, 0]
// CHECK: return %[[R1]], %[[R2]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @shared_border(%x: tensor<1x4x4x8xf32>, %y: tensor<1x4x4x8xf32>) -> (tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x6x8xf32>
  %padded = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
  %interior = tensor.extract_slice %padded[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x6x6x8xf32> to tensor<1x4x4x8xf32>
  %p1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%interior : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %r1 = tensor.insert_slice %p1 into %padded[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> into tensor<1x6x6x8xf32>
  %p2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x4x4x8xf32>) outs(%interior : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %r2 = tensor.insert_slice %p2 into %padded[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> into tensor<1x6x6x8xf32>
  return %r1, %r2 : tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>
}

// -----

// A tensor into which only one insertion writes is left alone.
// CHECK-LABEL: func.func @single
// CHECK-COUNT-1: tensor.empty
// CHECK-NOT: tensor.empty
func.func @single(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x6x8xf32>
  %padded = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
  %r = tensor.insert_slice %x into %padded[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> into tensor<1x6x6x8xf32>
  return %r : tensor<1x6x6x8xf32>
}

// -----

// One zero-filled accumulator that CSE shared between two matmuls and a
// loop: each writer after the first gets its own empty tensor and fill
// (bufferization would copy the filled buffer for each), and a read-only
// use keeps the original.
// CHECK-LABEL: func.func @shared_accumulator
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[F1:.+]] = linalg.fill ins(%[[Z:.+]] : f32) outs(%[[E1]]
// CHECK: linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F1]] : tensor<4x8xf32>)
// CHECK: %[[E2:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[F2:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E2]]
// CHECK: linalg.matmul ins(%arg2, %arg1 : {{.*}}) outs(%[[F2]] : tensor<4x8xf32>)
// CHECK: %[[E3:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[F3:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E3]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[F3]])
// CHECK-NOT: linalg.fill
// CHECK: linalg.add ins(%[[F1]], %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32>)
func.func @shared_accumulator(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x16xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m2 = linalg.matmul ins(%c, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = scf.for %i = %c0 to %c4 step %c1 iter_args(%t = %acc) -> (tensor<4x8xf32>) {
    %s = tensor.extract_slice %m1[%i, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
    %r = tensor.insert_slice %s into %t[%i, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<4x8xf32>
    scf.yield %r : tensor<4x8xf32>
  }
  %e2 = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.add ins(%acc, %m2 : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m1, %m2, %l, %sum : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}
