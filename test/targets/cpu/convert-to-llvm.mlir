// RUN: edgec-opt %s --edge-cpu-convert-to-llvm | FileCheck %s

// Bools are one byte (0 or 1) per element in memory: loads read an i8 and
// truncate it, stores extend to i8 first, for scalars and vectors alike (an
// LLVM vector of i1 in memory would be packed bits), so that LLVM's loop
// vectorizer can widen a loop over bools.
// CHECK-LABEL: llvm.func @bools
// CHECK: %[[B:.+]] = llvm.load %{{.*}} : !llvm.ptr -> i8
// CHECK: llvm.trunc %[[B]] : i8 to i1
// CHECK: %[[V:.+]] = llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> vector<8xi8>
// CHECK: llvm.trunc %[[V]] : vector<8xi8> to vector<8xi1>
// CHECK: %[[Z:.+]] = llvm.zext %{{.*}} : i1 to i8
// CHECK: llvm.store %[[Z]], %{{.*}} : i8, !llvm.ptr
// CHECK-NOT: llvm.load {{.*}} -> i1
// CHECK-NOT: llvm.store {{.*}} : i1,
module attributes {dlti.dl_spec = #dlti.dl_spec<index = 64 : i64>} {
func.func @bools(%m: memref<16xi1>, %o: memref<16xi1>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %b = memref.load %m[%c0] : memref<16xi1>
  %v = vector.load %m[%c8] : memref<16xi1>, vector<8xi1>
  %r = vector.reduction <or>, %v : vector<8xi1> into i1
  %x = arith.xori %b, %r : i1
  memref.store %x, %o[%c0] : memref<16xi1>
  return
}
}
