// RUN: edgec-opt %s -split-input-file -edge-plan-memory | FileCheck %s

// %a dies before %c is allocated, so they share offset 0; %b, live with both,
// goes after the larger of them. Buffers are aligned to 64 bytes. The live
// peak (the most bytes live at one point: %a or %c with %b) is 320 too.
// CHECK-LABEL: func.func @plan
// CHECK-SAME: (%[[IN:.+]]: memref<16xf32>, %[[OUT:.+]]: memref<16xf32>, %[[ARENA:.+]]: memref<320xi8> {edge.arena})
// CHECK-SAME: attributes {edge.arena_live_peak = 320 : i64, edge.arena_size = 320 : i64,
// The plan, for the report: offsets, sizes and live ranges (op positions).
// CHECK-SAME: edge.memory_plan = [{bytes = 256 : i64, end = 4 : i64, offset = 0 : i64, start = 2 : i64}, {bytes = 64 : i64, end = 8 : i64, offset = 256 : i64, start = 4 : i64}, {bytes = 64 : i64, end = 7 : i64, offset = 0 : i64, start = 6 : i64}]}
// CHECK-NOT: memref.alloc
// CHECK: %[[A_OFF:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[A_OFF]]][] {edge.buffer = 0 : i64} : memref<320xi8> to memref<64xf32>
// CHECK: %[[B_OFF:.+]] = arith.constant 256 : index
// CHECK: memref.view %[[ARENA]][%[[B_OFF]]][] {edge.buffer = 1 : i64} : memref<320xi8> to memref<16xf32>
// CHECK: %[[C_OFF:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C_OFF]]][] {edge.buffer = 2 : i64} : memref<320xi8> to memref<16xf32>
// CHECK-NOT: memref.dealloc
func.func @plan(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<64xf32>
  %b = memref.alloc() : memref<16xf32>
  %sa = memref.subview %a[0] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1]>>
  memref.copy %in, %sa : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.copy %sa, %b : memref<16xf32, strided<[1]>> to memref<16xf32>
  %c = memref.alloc() : memref<16xf32>
  memref.copy %b, %c : memref<16xf32> to memref<16xf32>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  memref.copy %b, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<64xf32>
  return
}

// -----

// A register block allocated inside a loop lives on the stack, hoisted to
// the entry.
// CHECK-LABEL: func.func @nested
// CHECK-SAME: memref<0xi8> {edge.arena}
// CHECK-NEXT: memref.alloca() : memref<4xf32>
// CHECK: scf.for
// CHECK-NOT: memref.alloc(
func.func @nested(%in: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<4xf32>
    memref.copy %in, %t : memref<4xf32> to memref<4xf32>
  }
  return
}

// -----

// A loop-local buffer larger than max-stack-block (4096 bytes by default) goes to the
// arena, hoisted in front of its loop nest and live only for it: it shares
// memory with %a, which dies before the loop.
// CHECK-LABEL: func.func @nested_large
// CHECK-SAME: %[[ARENA:[^ ]+]]: memref<16384xi8> {edge.arena}
// CHECK-NOT: memref.alloca
// CHECK: memref.view %[[ARENA]][%c0{{.*}} : memref<16384xi8> to memref<4096xf32>
// CHECK: memref.view %[[ARENA]][%c0{{.*}} : memref<16384xi8> to memref<2048xf32>
// CHECK-NEXT: scf.for
// CHECK-NOT: memref.alloc
// One buffer now serves every iteration: the loops around it lose their
// parallel marks; a parallel loop elsewhere keeps its own.
// CHECK: }
// CHECK-NOT: edge.parallel
// CHECK: scf.for
// CHECK: } {edge.parallel = 4 : i64}
// CHECK-NEXT: return
func.func @nested_large(%in: memref<2048xf32>, %out: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c0f = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<4096xf32>
  memref.copy %out, %a : memref<4096xf32> to memref<4096xf32>
  memref.copy %a, %out : memref<4096xf32> to memref<4096xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %t = memref.alloc() : memref<2048xf32>
      memref.copy %in, %t : memref<2048xf32> to memref<2048xf32>
    } {edge.parallel = 4 : i64}
  } {edge.parallel = 16 : i64}
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %c0f, %out[%i] : memref<4096xf32>
  } {edge.parallel = 4 : i64}
  return
}

// -----

// A patch loop (edge-patch-execution) is a scope of its own: the buffers of
// one band live within an iteration, so %x and %z (never live together)
// share an offset and %y, live with both, another; a buffer of a tile loop
// inside the band (%t) is hoisted in front of that loop, still in the band,
// where it reuses the offset of %x, dead by then. %acc, carried through the
// loop and read after it, is live all along: 16 KB + 16 KB + 8 KB in all
// (the whole function's buffers would need 48 KB).
// CHECK-LABEL: func.func @patch_loop
// CHECK-SAME: %[[ARENA:[^ ]+]]: memref<40960xi8> {edge.arena}
// CHECK-SAME: edge.arena_live_peak = 40960
// CHECK: %[[ACC:.+]] = memref.view %[[ARENA]][%c0{{.*}} : memref<40960xi8> to memref<4096xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.+}} = %[[ACC]])
// CHECK: memref.view %[[ARENA]][%c32768{{.*}} : memref<40960xi8> to memref<2048xf32>
// CHECK: memref.view %[[ARENA]][%c16384{{.*}} : memref<40960xi8> to memref<4096xf32>
// CHECK: memref.view %[[ARENA]][%c32768{{.*}} : memref<40960xi8> to memref<2048xf32>
// CHECK-NEXT: scf.for
// CHECK: memref.view %[[ARENA]][%c32768{{.*}} : memref<40960xi8> to memref<2048xf32>
// CHECK: } {edge.patch_loop}
func.func @patch_loop(%in: memref<2048xf32>, %out: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = memref.alloc() : memref<4096xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %acc) -> (memref<4096xf32>) {
    %x = memref.alloc() : memref<2048xf32>
    memref.copy %in, %x : memref<2048xf32> to memref<2048xf32>
    %y = memref.alloc() : memref<4096xf32>
    %sy = memref.subview %y[0] [2048] [1] : memref<4096xf32> to memref<2048xf32, strided<[1]>>
    memref.copy %x, %sy : memref<2048xf32> to memref<2048xf32, strided<[1]>>
    scf.for %j = %c0 to %c4 step %c1 {
      %t = memref.alloc() : memref<2048xf32>
      memref.copy %sy, %t : memref<2048xf32, strided<[1]>> to memref<2048xf32>
    }
    %z = memref.alloc() : memref<2048xf32>
    memref.copy %sy, %z : memref<2048xf32, strided<[1]>> to memref<2048xf32>
    %sa = memref.subview %a[0] [2048] [1] : memref<4096xf32> to memref<2048xf32, strided<[1]>>
    memref.copy %z, %sa : memref<2048xf32> to memref<2048xf32, strided<[1]>>
    scf.yield %a : memref<4096xf32>
  } {edge.patch_loop}
  memref.copy %r, %out : memref<4096xf32> to memref<4096xf32>
  return
}
