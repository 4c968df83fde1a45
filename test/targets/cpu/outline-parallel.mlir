// RUN: edgec-opt %s -edge-cpu-outline-parallel="threads=2 min-work=1000" | FileCheck %s
// RUN: edgec-opt %s -edge-cpu-outline-parallel="threads=2 min-work=1000" -edgec-llvm | FileCheck %s --check-prefix=LLVM
// RUN: edgec-opt %s -edge-cpu-outline-parallel | FileCheck %s --check-prefix=SERIAL

// The marked loop (iterations 4, 6, ..., 62: 30 of them) becomes a call
// into the runtime with a stack context holding what the loop reads from
// the function: the output, the arena (the view of it is recomputed), the
// scalar and the index, the input. The stack buffer only this loop uses is
// allocated in the task, one per worker; the one another loop shares stays.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IN:.+]]: memref<64x16xf32>, %[[OUT:.+]]: memref<64x16xf32>, %[[ARENA:.+]]: memref<8192xi8>, %[[SCALE:.+]]: f32, %[[K:.+]]: index)
// CHECK: %[[SLOTS:.+]] = llvm.mlir.constant(5 : i64) : i64
// CHECK: %[[CTX:.+]] = llvm.alloca %[[SLOTS]] x i64
// CHECK: %[[SHARED:.+]] = memref.alloca() : memref<16xf32>
// CHECK-NOT: memref.alloca
// CHECK: memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: llvm.getelementptr %[[CTX]][0]
// CHECK: memref.extract_aligned_pointer_as_index %[[ARENA]]
// CHECK: llvm.getelementptr %[[CTX]][1]
// CHECK: %[[SLOT2:.+]] = llvm.getelementptr %[[CTX]][2]
// CHECK: llvm.store %[[SCALE]], %[[SLOT2]] : f32, !llvm.ptr
// CHECK: %[[K64:.+]] = arith.index_cast %[[K]] : index to i64
// CHECK: %[[SLOT3:.+]] = llvm.getelementptr %[[CTX]][3]
// CHECK: llvm.store %[[K64]], %[[SLOT3]] : i64, !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK: llvm.getelementptr %[[CTX]][4]
// CHECK: %[[TASK:.+]] = constant @main_task : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[COUNT:.+]] = arith.constant 30 : i64
// CHECK: call @edgert_parallel_for(%[[COUNT]], %[[TASK]], %[[CTX]])
// The loops not marked, or with too little work, stay; no mark is left.
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: edge.parallel
// CHECK: return

// The task rebuilds each buffer's descriptor from its pointer, runs
// iterations [begin, end) and maps them back to 4 + 2 * i.
// CHECK-LABEL: func.func private @main_task
// CHECK-SAME: (%[[C:.+]]: !llvm.ptr, %[[BEGIN:.+]]: i64, %[[END:.+]]: i64)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK: %[[P0:.+]] = llvm.load
// CHECK: %[[OUT_T:.+]] = builtin.unrealized_conversion_cast {{.*}} to memref<64x16xf32>
// CHECK: %[[ARENA_T:.+]] = builtin.unrealized_conversion_cast {{.*}} to memref<8192xi8>
// CHECK: %[[SCALE_T:.+]] = llvm.load {{.*}} -> f32
// CHECK: %[[K_T64:.+]] = llvm.load {{.*}} -> i64
// CHECK: %[[K_T:.+]] = arith.index_cast %[[K_T64]] : i64 to index
// CHECK: %[[IN_T:.+]] = builtin.unrealized_conversion_cast {{.*}} to memref<64x16xf32>
// CHECK: %[[BLOCK:.+]] = memref.alloca() : memref<16xf32>
// CHECK: %[[VIEW:.+]] = memref.view %[[ARENA_T]]
// CHECK: %[[LO:.+]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK: %[[HI:.+]] = arith.index_cast %[[END]] : i64 to index
// CHECK: scf.for %[[I:.+]] = %[[LO]] to %[[HI]] step
// CHECK: %[[TWICE:.+]] = arith.muli %[[I]]
// CHECK: %[[ROW:.+]] = arith.addi %[[TWICE]]
// CHECK: memref.subview %[[IN_T]][%[[ROW]], 0]
// CHECK: memref.load %[[BLOCK]][%[[K_T]]]
// CHECK: arith.mulf {{.*}}, %[[SCALE_T]]
// CHECK: memref.store {{.*}}, %[[VIEW]][%[[ROW]],
// CHECK: memref.store {{.*}}, %[[OUT_T]][%[[ROW]],
// CHECK: func.func private @edgert_parallel_for(i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr)

// LLVM: llvm.call @edgert_parallel_for({{.*}}) : (i64, !llvm.ptr, !llvm.ptr) -> ()
// LLVM: llvm.func internal @main_task(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func @edgert_parallel_for(i64, !llvm.ptr, !llvm.ptr)

// With one thread (the default) every marked loop, whatever its work,
// becomes a noinline function called directly with what it reads as
// arguments: every buffer (the view of the arena too: kernels of the same
// shape at other offsets have the same body), the scalars; constants and
// a stack buffer only the loop uses are its own. The unmarked loop stays.
// No runtime call, no context.
// SERIAL-LABEL: func.func @main
// SERIAL-SAME: (%[[IN:.+]]: memref<64x16xf32>, %[[OUT:.+]]: memref<64x16xf32>, %[[ARENA:.+]]: memref<8192xi8>, %[[SCALE:.+]]: f32, %[[K:.+]]: index)
// SERIAL-NOT: edgert_parallel_for
// SERIAL-NOT: llvm.alloca
// SERIAL: %[[SHARED:.+]] = memref.alloca() : memref<16xf32>
// SERIAL-NOT: memref.alloca
// SERIAL: %[[TMP:.+]] = memref.view %[[ARENA]]
// SERIAL: call @main_task(%[[OUT]], %[[TMP]], %[[SCALE]], %[[K]], %[[IN]]) : (memref<64x16xf32>, memref<64x16xf32>, f32, index, memref<64x16xf32>) -> ()
// The two loops that differ only in their buffer and kernel number share
// one function.
// SERIAL: call @main_task_0(%[[OUT]], %[[SCALE]]) : (memref<64x16xf32>, f32) -> ()
// SERIAL: call @main_task_0(%[[TMP]], %[[SCALE]]) : (memref<64x16xf32>, f32) -> ()
// SERIAL: scf.for
// SERIAL: memref.store %[[SCALE]], %[[SHARED]]
// SERIAL: return
// SERIAL-LABEL: func.func private @main_task_0
// SERIAL-SAME: (%[[B:.+]]: memref<64x16xf32>, %[[S:.+]]: f32)
// SERIAL-SAME: llvm.linkage = #llvm.linkage<internal>
// SERIAL-SAME: passthrough = ["noinline"]
// SERIAL: scf.for
// SERIAL-SAME: step %c1
// SERIAL: memref.store %[[S]], %[[B]]
// SERIAL-NOT: edge.parallel
// SERIAL-NOT: edge.kernel
// The loop moves whole, with the stack buffer only it uses.
// SERIAL-LABEL: func.func private @main_task(
// SERIAL-SAME: %{{.+}}: memref<64x16xf32>, %{{.+}}: memref<64x16xf32>, %{{.+}}: f32, %{{.+}}: index, %{{.+}}: memref<64x16xf32>)
// SERIAL-SAME: passthrough = ["noinline"]
// SERIAL: memref.alloca() : memref<16xf32>
// SERIAL-NOT: memref.view
// SERIAL: scf.for
// SERIAL-SAME: step %c2
// SERIAL-NOT: edge.parallel
// SERIAL: return
// SERIAL-NOT: func.func private @main_task_1
func.func @main(%in: memref<64x16xf32>, %out: memref<64x16xf32>, %arena: memref<8192xi8>, %scale: f32, %k: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %block = memref.alloca() : memref<16xf32>
  %shared = memref.alloca() : memref<16xf32>
  %off = arith.constant 4096 : index
  %tmp = memref.view %arena[%off][] : memref<8192xi8> to memref<64x16xf32>
  scf.for %i = %c4 to %c64 step %c2 {
    %row = memref.subview %in[%i, 0] [1, 16] [1, 1] : memref<64x16xf32> to memref<16xf32, strided<[1], offset: ?>>
    memref.copy %row, %block : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32>
    %v = memref.load %block[%k] : memref<16xf32>
    %w = arith.mulf %v, %scale : f32
    memref.store %w, %tmp[%i, %c0] : memref<64x16xf32>
    memref.store %w, %out[%i, %c0] : memref<64x16xf32>
  } {edge.parallel = 1000000 : i64}
  // Too little work: stays a loop.
  scf.for %i = %c0 to %c64 step %c1 {
    memref.store %scale, %out[%i, %c1] : memref<64x16xf32>
  } {edge.kernel = 6 : i64, edge.parallel = 64 : i64}
  scf.for %i = %c0 to %c64 step %c1 {
    memref.store %scale, %tmp[%i, %c1] : memref<64x16xf32>
  } {edge.kernel = 7 : i64, edge.parallel = 64 : i64}
  // Not marked: stays a loop.
  scf.for %i = %c0 to %c64 step %c1 {
    memref.store %scale, %shared[%c0] : memref<16xf32>
  }
  memref.store %scale, %shared[%c1] : memref<16xf32>
  return
}
