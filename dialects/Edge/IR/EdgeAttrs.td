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

// A list of tile sizes, printed and parsed in brackets (`[1, 1, 8, 32]`),
// empty by default.
def Edge_TileList : OptionalArrayRefParameter<"int64_t"> {
  let printer = [{
    $_printer << '[';
    ::llvm::interleaveComma($_self, $_printer);
    $_printer << ']';
  }];
  let parser = [{ ::edge::parseTileList($_parser) }];
}

def Edge_LoweringConfigAttr
    : Edge_Attr<"LoweringConfig", "lowering_config"> {
  let summary = "how one kernel is tiled and vectorized";
  let description = [{
    Chosen per kernel by `edge-cpu-select-lowering` from the module's
    `#edge.target` and the op's shape and element types, and recorded on the
    op as `edge.lowering_config`; applied as it is by
    `edge-cpu-vectorize-kernels`, which makes no choice of its own (an op
    without this attribute is left to the scalar loop lowering). Tile sizes
    are per loop, in iteration order; 0 leaves a loop untiled. The steps, in
    the order they are applied:

    - `form`: the named op the kernel is computed as when it is not one the
      register-block path knows (empty: the op itself).
      `"conv_2d_nhwc_hwcf"`: a convolution `linalg.generic` (grouped, or of
      spatial rank 3 and up), its filter rearranged to (group, taps...,
      channel, filter), cut by `outer` into 2-D convolutions on
      rank-reduced slices. `"depthwise_conv_2d_nhwc_hwc"`: a depthwise
      convolution with a channel multiplier M, on input channels replicated
      M times (filter and result keep their layout).
    - `outer`: tiles over the op's own loops before it is rewritten as
      `form` (1 for the group and the leading spatial output and tap loops);
      empty: none.
    - `padded`: the loop ranges a `conv_2d_nhwc_hwcf` (or its `form`) is
      recomputed on: a wider output (input zero-padded to match) and more
      filters (constant filters only, padded at compile time), sliced back
      afterwards; empty keeps the op's own ranges.
    - `cache`: an outer tile for cache locality (empty: none).
    - `parallel`: the register block over the parallel loops (of `form`
      when given).
    - `reduction`: the tile of the reduction loops inside a block.
    - `vector_lanes`: elements per vector register the block was sized for
      (4 on a scalar FPU, whose blocks LLVM unrolls into FP registers).
    - `fuse`: the block loop also computes the op's accumulator init (a fill
      or bias broadcast) and its elementwise epilogue.
    - `scalar`: non-empty when the kernel is left to the scalar loop
      lowering, saying why; the other fields are then unset.

    Example (a 3x3 convolution on AVX-512: 8 output columns x 32 filters,
    the reductions kh, kw, c one at a time):
    ```mlir
    linalg.conv_2d_nhwc_hwcf {edge.lowering_config = #edge.lowering_config<
        parallel = [1, 1, 8, 32], reduction = [1, 1, 1], vector_lanes = 16,
        fuse = true>, ...}
    ```
  }];
  let parameters = (ins
      DefaultValuedParameter<"::mlir::StringAttr", "::mlir::StringAttr()">:$form,
      Edge_TileList:$outer,
      Edge_TileList:$padded,
      Edge_TileList:$cache,
      Edge_TileList:$parallel,
      Edge_TileList:$reduction,
      DefaultValuedParameter<"int64_t", "0">:$vector_lanes,
      DefaultValuedParameter<"bool", "false">:$fuse,
      DefaultValuedParameter<"::mlir::StringAttr", "::mlir::StringAttr()">:$scalar);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // EDGE_ATTRS_TD
