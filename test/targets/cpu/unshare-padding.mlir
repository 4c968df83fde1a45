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
