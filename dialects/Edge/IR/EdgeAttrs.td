//===- EdgeAttrs.td - attributes of the edge dialect -------*- tablegen -*-===//
//
// The target a module is compiled for (#edge.target, on the module) and the
// lowering configuration chosen for one kernel (#edge.lowering_config, on
// the op). Codegen passes read these instead of taking target options, so
// `--compile-to` output shows every choice and a lit test can write one by
// hand.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_ATTRS_TD
#define EDGE_ATTRS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "dialects/Edge/IR/EdgeDialect.td"

class Edge_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Edge_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Edge_TargetAttr : Edge_Attr<"Target", "target"> {
  let summary = "the CPU a module is compiled for, and what codegen needs of it";
  let description = [{
    Built once by the driver from `--target`, `--mcpu` and `--mattr` (read as
    clang reads them) and attached to the module as `edge.target`, beside a
    `dlti.dl_spec` that gives the index and pointer widths. Every codegen
    pass that depends on the target reads this attribute.

    - `triple`, `cpu`, `features`: what LLVM's code generator is given.
    - `arch`: the family whose strategy tables apply (x86, aarch64, riscv,
      cortex-m).
    - `vector_bits`: width of one SIMD register; 0 when there is none (the
      FPU alone, as on Cortex-M4), `vector_registers` how many there are
      (scalar FP registers when `vector_bits` is 0).
    - `fma`: a fused multiply-add instruction exists for f32.
    - `dot`: the int8 dot-product instruction (none, vnni, sdot, i8mm, rvv,
      dsp, mve).
    - `l1_bytes`, `l2_bytes`: data cache sizes; `sram_bytes`: on-chip RAM of
      a microcontroller (0 when unknown or not applicable).
    - `pointer_bits`: the width of a pointer and of `index`.

    Example:
    ```mlir
    module attributes {edge.target = #edge.target<triple = "aarch64-unknown-linux-gnu",
        cpu = "cortex-a76", features = "+neon,+dotprod", arch = "aarch64",
        vector_bits = 128, vector_registers = 32, fma = true, dot = "sdot",
        l1_bytes = 65536, l2_bytes = 524288, sram_bytes = 0, pointer_bits = 64>}
    ```
  }];
  let parameters = (ins "::mlir::StringAttr":$triple, "::mlir::StringAttr":$cpu,
                        "::mlir::StringAttr":$features, "::mlir::StringAttr":$arch,
                        "int64_t":$vector_bits, "int64_t":$vector_registers,
                        "bool":$fma, "::mlir::StringAttr":$dot,
                        "int64_t":$l1_bytes, "int64_t":$l2_bytes,
                        "int64_t":$sram_bytes, "int64_t":$pointer_bits);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Edge_LoweringConfigAttr
    : Edge_Attr<"LoweringConfig", "lowering_config"> {
  let summary = "how one kernel is tiled and vectorized";
  let description = [{
    Chosen per kernel by `edge-cpu-select-lowering` from the module's
    `#edge.target` and the op's shape and element types; applied as it is by
    `edge-cpu-vectorize-kernels`. Sizes are per loop of the op, in its
    iteration order; 0 leaves a loop untiled.

    - `padded`: the loop ranges the op is recomputed on before tiling (wider
      outputs or more filters than the op has, sliced back afterwards); empty
      keeps the op's own ranges.
    - `cache`: an outer tile for cache locality (empty: none).
    - `parallel`: the register block over the parallel loops.
    - `reduction`: the tile of the reduction loops inside a block.
    - `vector_lanes`: elements per vector register the block was sized for
      (1 on a scalar FPU, where the block is unrolled instead).
    - `fuse`: the block loop also computes the op's accumulator init and its
      elementwise epilogue.
    - `scalar`: non-empty when the kernel is left to the scalar loop
      lowering, saying why; the tile lists are then empty.
  }];
  let parameters = (ins
      OptionalArrayRefParameter<"int64_t">:$padded,
      OptionalArrayRefParameter<"int64_t">:$cache,
      OptionalArrayRefParameter<"int64_t">:$parallel,
      OptionalArrayRefParameter<"int64_t">:$reduction,
      DefaultValuedParameter<"int64_t", "0">:$vector_lanes,
      DefaultValuedParameter<"bool", "false">:$fuse,
      DefaultValuedParameter<"::mlir::StringAttr", "::mlir::StringAttr()">:$scalar);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // EDGE_ATTRS_TD
