// RUN: edgec-opt %s --edge-cpu-number-kernels | FileCheck %s
// RUN: edgec-opt %s --edge-cpu-number-kernels --edge-cpu-instrument-kernels | FileCheck %s --check-prefix=MARK

// The kernels: each top-level op that computes (a linalg op, a loop nest);
// constants and the empty tensor are not kernels; private functions are
// not numbered.
// CHECK-LABEL: func.func @main
// CHECK: tensor.empty() : tensor<8xf32>
// CHECK-NOT: edge.kernel
// CHECK: linalg.fill {edge.kernel = 0 : i64}
// CHECK: scf.for
// CHECK: } {edge.kernel = 1 : i64}
// CHECK: linalg.generic {{.*}}edge.kernel = 2 : i64
// CHECK: return
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: edge.kernel

// The marks: edgert_kernel_mark(k) before kernel k, -1 before the return.
// MARK: func.func private @edgert_kernel_mark(i32)
// MARK-LABEL: func.func @main
// MARK: %[[K0:.+]] = arith.constant 0 : i32
// MARK-NEXT: call @edgert_kernel_mark(%[[K0]]) : (i32) -> ()
// MARK-NEXT: linalg.fill
// MARK: %[[K1:.+]] = arith.constant 1 : i32
// MARK-NEXT: call @edgert_kernel_mark(%[[K1]])
// MARK-NEXT: scf.for
// MARK: %[[K2:.+]] = arith.constant 2 : i32
// MARK-NEXT: call @edgert_kernel_mark(%[[K2]])
// MARK-NEXT: linalg.generic
// MARK: %[[END:.+]] = arith.constant -1 : i32
// MARK-NEXT: call @edgert_kernel_mark(%[[END]])
// MARK-NEXT: return
// MARK-LABEL: func.func private @helper
// MARK-NOT: call
#id = affine_map<(d0) -> (d0)>
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %l = scf.for %i = %c0 to %c8 step %c1 iter_args(%t = %f) -> (tensor<8xf32>) {
    %v = tensor.extract %x[%i] : tensor<8xf32>
    %r = tensor.insert %v into %t[%i] : tensor<8xf32>
    scf.yield %r : tensor<8xf32>
  }
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%l : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %g : tensor<8xf32>
}

func.func private @helper(%x: tensor<8xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %f : tensor<8xf32>
}
