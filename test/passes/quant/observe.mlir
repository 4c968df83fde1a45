// RUN: edgec-opt %s -split-input-file --edge-quant-observe | FileCheck %s
// RUN: edgec-opt %s -split-input-file --edge-quant-observe=all=1 | FileCheck %s --check-prefix=ALL

// The marked tensors become extra results of @main in mark order, named
// edge.observe.N, and join the module's interface; a tensor already
// returned stays where it is.
// CHECK: edge.outputs = [{name = "y", type = tensor<4xf32>}, {name = "edge.observe.0", type = tensor<4xf32>}, {name = "edge.observe.2", type = tensor<4xf32>}]
// CHECK: func.func @main(%{{.+}}: tensor<4xf32>) -> (tensor<4xf32> {edge.name = "y"}, tensor<4xf32> {edge.name = "edge.observe.0"}, tensor<4xf32> {edge.name = "edge.observe.2"})
// CHECK: %[[A:.+]] = edge.relu %{{.+}} : tensor<4xf32>
// CHECK-NEXT: %[[B:.+]] = edge.sigmoid %[[A]] : tensor<4xf32>
// CHECK-NEXT: %[[C:.+]] = edge.neg %[[B]] : tensor<4xf32>
// CHECK-NEXT: return %[[C]], %[[B]], %[[A]]
// CHECK-NOT: edge.observe =

// With `all`, every float tensor computed from non-constant operands (not
// the dequantized weight) is observed, in program order.
// ALL: func.func @main(%{{.+}}: tensor<4xf32>) -> (tensor<4xf32> {edge.name = "y"}, tensor<4xf32> {edge.name = "edge.observe.0"}, tensor<4xf32> {edge.name = "edge.observe.1"}, tensor<4xf32> {edge.name = "edge.observe.2"})
// ALL: %[[M:.+]] = edge.mul
// ALL-NEXT: %[[A:.+]] = edge.relu %[[M]]
// ALL-NEXT: %[[B:.+]] = edge.sigmoid %[[A]]
// ALL-NEXT: %[[C:.+]] = edge.neg %[[B]]
// ALL-NEXT: return %[[C]], %[[M]], %[[A]], %[[B]] :
module attributes {edge.outputs = [{name = "y", type = tensor<4xf32>}]} {
  func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32> {edge.name = "y"}) {
    %wi = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi8>
    %wq = edge.storage_cast %wi : tensor<4xi8> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
    %w = edge.dequantize %wq : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xf32>
    %m = edge.mul %x, %w : tensor<4xf32>, tensor<4xf32>
    %0 = edge.relu %m {edge.observe = 2 : i64} : tensor<4xf32>
    %1 = edge.sigmoid %0 {edge.observe = 0 : i64} : tensor<4xf32>
    %2 = edge.neg %1 {edge.observe = 5 : i64} : tensor<4xf32>
    return %2 : tensor<4xf32>
  }
}
