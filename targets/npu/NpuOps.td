//===- NpuOps.td - the npu dialect: ENPU command streams ---*- tablegen -*-===//
//
// One op per command of docs/npu-spec.md §3.2, inside an npu.stream that
// carries the header's hardware descriptor and region table. The
// serializer (NpuStream.cpp) writes exactly these commands as words, and
// the reader turns words back into them.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_OPS_TD
#define NPU_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::npu";
  let summary = "Command streams of edgec's int8 NPU (docs/npu-spec.md)";
}

class Npu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Npu_Dialect, mnemonic, traits>;

def Npu_StreamOp : Npu_Op<"stream", [Symbol, NoTerminator, SingleBlock,
                                     IsolatedFromAbove]> {
  let summary = "A command stream: its header and, in its body, its commands";
  let description = [{
    The header of §3.1: the hardware descriptor (`n`, `sram`, `banks`,
    `dma`) and the region table (`region_sizes`, `region_flags`: bit 0
    readable, bit 1 writable). The body's last op is `npu.end`.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I32Attr:$n, I32Attr:$sram,
                   I32Attr:$banks, I32Attr:$dma,
                   DenseI64ArrayAttr:$region_sizes,
                   DenseI64ArrayAttr:$region_flags);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `n` `=` $n `sram` `=` $sram `banks` `=` $banks `dma` `=` $dma
    `regions` `=` $region_sizes `flags` `=` $region_flags attr-dict-with-keyword
    $body
  }];
  let hasVerifier = 1;
}

def Npu_SetRegOp : Npu_Op<"set_reg"> {
  let summary = "SET_REG: a register's value, kept until written again";
  let arguments = (ins StrAttr:$reg, I32Attr:$value);
  let assemblyFormat = "$reg `=` $value attr-dict";
  let hasVerifier = 1;
}

class Npu_SyncOp<string mnemonic, dag extra = (ins)>
    : Npu_Op<mnemonic> {
  // Wait and signal masks over the semaphores S0..S7.
  let arguments = !con(extra, (ins DefaultValuedAttr<I32Attr, "0">:$wait,
                                    DefaultValuedAttr<I32Attr, "0">:$signal));
}

def Npu_DmaLoadOp : Npu_SyncOp<"dma_load", (ins I32Attr:$region,
    I32Attr:$offset, I32Attr:$sram, I32Attr:$row_bytes, I32Attr:$rows,
    I32Attr:$stride)> {
  let summary = "DMA_LOAD: rows of a region into SRAM";
  let assemblyFormat = [{
    `region` $region `offset` $offset `sram` $sram `bytes` $row_bytes `rows`
    $rows `stride` $stride attr-dict
  }];
}

def Npu_DmaStoreOp : Npu_SyncOp<"dma_store", (ins I32Attr:$region,
    I32Attr:$offset, I32Attr:$sram, I32Attr:$row_bytes, I32Attr:$rows,
    I32Attr:$stride)> {
  let summary = "DMA_STORE: SRAM rows into a region";
  let assemblyFormat = [{
    `region` $region `offset` $offset `sram` $sram `bytes` $row_bytes `rows`
    $rows `stride` $stride attr-dict
  }];
}

def Npu_ConvOp : Npu_SyncOp<"conv"> {
  let summary = "CONV on the registers' operands";
  let assemblyFormat = "attr-dict";
}
def Npu_DwConvOp : Npu_SyncOp<"dwconv"> {
  let summary = "DWCONV on the registers' operands";
  let assemblyFormat = "attr-dict";
}
def Npu_FcOp : Npu_SyncOp<"fc"> {
  let summary = "FC on the registers' operands";
  let assemblyFormat = "attr-dict";
}
def Npu_PoolOp : Npu_SyncOp<"pool", (ins BoolAttr:$average)> {
  let summary = "POOL: max, or average";
  let assemblyFormat = "`average` `=` $average attr-dict";
}
def Npu_EltwiseOp : Npu_SyncOp<"eltwise", (ins BoolAttr:$mul)> {
  let summary = "ELTWISE: add, or mul";
  let assemblyFormat = "`mul` `=` $mul attr-dict";
}
def Npu_LutLoadOp : Npu_SyncOp<"lut_load", (ins I32Attr:$sram)> {
  let summary = "LUT_LOAD: the 256-entry table from SRAM";
  let assemblyFormat = "`sram` $sram attr-dict";
}

//===----------------------------------------------------------------------===//
// A layer of the model run on the NPU, as the CPU program sees it
//===----------------------------------------------------------------------===//

def Npu_InvokeOp : Npu_Op<"invoke", [Pure]> {
  let summary = "run a stream on the NPU, tensors in and out";
  let description = [{
    The CPU program's view of a layer the partition placed on the NPU:
    `stream` names an `npu.stream` of the module whose regions are, in
    order, `constants` (region 0: weights, bias and scale tables, read
    only), a scratch buffer of the stream's region 1 size, the `inputs`
    (int8 NHWC, read only) and the result (write only). Before
    bufferization, npu-bufferize-invokes turns it into an `npu.call` on
    buffers.
  }];
  let arguments = (ins FlatSymbolRefAttr:$stream,
                   RankedTensorOf<[I8]>:$constants,
                   Variadic<RankedTensorOf<[I8]>>:$inputs);
  let results = (outs RankedTensorOf<[I8]>:$result);
  let assemblyFormat = [{
    $stream `(` $constants `,` $inputs `)` attr-dict `:`
    functional-type(operands, results)
  }];
}

def Npu_CallOp : Npu_Op<"call"> {
  let summary = "run a stream on the NPU with buffers bound to its regions";
  let description = [{
    Calls the runtime (edgert_npu_invoke_<inputs>_1) with the stream's
    words (the constant global `words`) and one buffer per region of its
    table, in order: constants, scratch, inputs, output. Reads and writes
    its buffers as the device does (an op of unknown effects). Lowered to
    an LLVM call by npu-lower-calls.
  }];
  let arguments = (ins FlatSymbolRefAttr:$words,
                   Variadic<AnyStaticShapeMemRef>:$buffers);
  let assemblyFormat = "$words `(` $buffers `)` attr-dict `:` type($buffers)";
}

def Npu_EndOp : Npu_Op<"end", [HasParent<"StreamOp">]> {
  let summary = "END: the stream's last command";
  let assemblyFormat = "attr-dict";
}

#endif // NPU_OPS_TD
