// RUN: edgec-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(edge-cpu-select-lowering))' | FileCheck %s

// The strategy for an int8 x constant int8 -> int32 matmul (125 x 64 x 64,
// a 1x1 convolution over 125 pixels) on each target: the form of its
// dot-product instruction from `dot` in #edge.target, or, on RISC-V, the
// generic register block (LLVM selects vwmacc for its widening products).

// -----

// CHECK-LABEL: func.func @matmul_vnni
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot4_vpdpbusd", parallel = [5, 64], vector_lanes = 16, fuse = true>}
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
  func.func @matmul_vnni(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// CHECK-LABEL: func.func @matmul_avx2
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot2_vpmaddwd", parallel = [1, 32], vector_lanes = 8, fuse = true>}
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "haswell", features = "+avx2,+fma", arch = "x86", vector_bits = 256, vector_registers = 16, fma = true, dot = "none", l1_bytes = 32768, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
  func.func @matmul_avx2(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// CHECK-LABEL: func.func @matmul_sdot
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot4_sdot", parallel = [5, 16], vector_lanes = 4, fuse = true>}
module attributes {edge.target = #edge.target<triple = "aarch64-unknown-linux-gnu", cpu = "cortex-a76", features = "+neon,+dotprod", arch = "aarch64", vector_bits = 128, vector_registers = 32, fma = true, dot = "sdot", l1_bytes = 65536, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
  func.func @matmul_sdot(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// CHECK-LABEL: func.func @matmul_dsp
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot4_smlad", parallel = [1, 2], vector_lanes = 1, fuse = true>}
module attributes {edge.target = #edge.target<triple = "thumbv7em-none-eabihf", cpu = "cortex-m4", features = "", arch = "cortex-m", vector_bits = 0, vector_registers = 32, fma = true, dot = "dsp", l1_bytes = 0, l2_bytes = 0, sram_bytes = 4194304, pointer_bits = 32>} {
  func.func @matmul_dsp(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// CHECK-LABEL: func.func @matmul_mve
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot16_vmladav", parallel = [1, 2], vector_lanes = 1, fuse = true>}
module attributes {edge.target = #edge.target<triple = "thumbv8.1m.main-none-eabihf", cpu = "cortex-m55", features = "+mve.fp", arch = "cortex-m", vector_bits = 128, vector_registers = 8, fma = true, dot = "mve", l1_bytes = 0, l2_bytes = 0, sram_bytes = 4194304, pointer_bits = 32>} {
  func.func @matmul_mve(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// CHECK-LABEL: func.func @matmul_rvv
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<parallel = [5, 8], reduction = [1], vector_lanes = 4>}
module attributes {edge.target = #edge.target<triple = "riscv64-unknown-linux-gnu", cpu = "generic-rv64", features = "+v", arch = "riscv", vector_bits = 128, vector_registers = 32, fma = true, dot = "rvv", l1_bytes = 32768, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>} {
  func.func @matmul_rvv(%a: tensor<125x64xi8>, %init: tensor<125x64xi32>) -> tensor<125x64xi32> {
    %w = arith.constant dense<3> : tensor<64x64xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x64xi8>) outs(%init : tensor<125x64xi32>) -> tensor<125x64xi32>
    return %r : tensor<125x64xi32>
  }
}

// -----

// 24 columns are not whole 512-bit vectors: VNNI's 256-bit form (8 lanes),
// 3 vectors per block.
// CHECK-LABEL: func.func @matmul_vnni_24
// CHECK: linalg.matmul {edge.lowering_config = #edge.lowering_config<form = "i8_dot4_vpdpbusd", parallel = [5, 24], vector_lanes = 8, fuse = true>}
module attributes {edge.target = #edge.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", arch = "x86", vector_bits = 512, vector_registers = 32, fma = true, dot = "vnni", l1_bytes = 32768, l2_bytes = 1048576, sram_bytes = 0, pointer_bits = 64>} {
  func.func @matmul_vnni_24(%a: tensor<125x64xi8>, %init: tensor<125x24xi32>) -> tensor<125x24xi32> {
    %w = arith.constant dense<3> : tensor<64x24xi8>
    %r = linalg.matmul ins(%a, %w : tensor<125x64xi8>, tensor<64x24xi8>) outs(%init : tensor<125x24xi32>) -> tensor<125x24xi32>
    return %r : tensor<125x24xi32>
  }
}
