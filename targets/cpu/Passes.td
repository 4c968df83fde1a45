//===- Passes.td - CPU backend passes -----------------------*- tablegen -*-===//
#ifndef EDGEC_TARGETS_CPU_PASSES_TD
#define EDGEC_TARGETS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def EdgeCpuFuseElementwise
    : Pass<"edge-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg.generic chains, cancelling layout transposes";
  let description = [{
    Upstream elementwise fusion, with one change to the control: a generic
    that only moves data (a transpose or copy) is fused into every consumer
    even when it has several, since recomputing an index is free. The NHWC
    <-> NCHW transposes around channels-last kernels thereby compose into
    their neighbours, and identity generics that remain are erased. Then a
    `tensor.pad` of a parallel generic's result becomes the generic writing
    into the interior of the padded tensor, so no padding copy is made.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def EdgeCpuWinograd : Pass<"edge-cpu-winograd", "mlir::func::FuncOp"> {
  let summary = "3x3 stride-1 convolutions as Winograd F(m x m, 3 x 3)";
  let description = [{
    Each `linalg.conv_2d_nhwc_hwcf` with a constant 3x3 filter, stride and
    dilation 1, batch 1, f32, and at least `min-channels` input and output
    channels becomes Winograd's minimal filtering (Lavin and Gray, 2016)
    over m x m output tiles (`tile` = 2 or 4; by default 4 where it pays,
    else 2), built from ops the kernels
    phase vectorizes: the input (padded with zeros to whole tiles) viewed as
    (tile row, row in tile, tile column, column in tile, channel), so that
    each input transform B^T d B is one elementwise generic of shifted
    slices per transformed position; the filter transform G g G^T computed
    at compile time; one batched matmul generic of (m+2)^2 products of
    (tiles x C) by (C x F); and the output transform A^T M A plus the
    convolution's init (its bias), one elementwise generic per position in
    the tile, stored into the result viewed the same way. Only on targets
    with vectors of at least 128 bits and FMA, and where it pays: at least
    `min-tiles` tiles, and a transformed filter that fits the target's L2
    cache (the products read it once per tile).
  }];
  let options = [
    Option<"tile", "tile", "int64_t", /*default=*/"0",
           "Output tile size m: 2 (F(2x2, 3x3)), 4 (F(4x4, 3x3)) or 0 (4 "
           "where it pays, else 2)">,
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"16",
           "Fewest input and output channels worth it">,
    Option<"minTiles", "min-tiles", "int64_t", /*default=*/"40",
           "Fewest output tiles worth it (each reads the whole transformed "
           "filter)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def EdgeCpuSparseKernels
    : Pass<"edge-cpu-sparse-kernels", "mlir::func::FuncOp"> {
  let summary = "Sparse x dense kernels for 1x1 convolutions and matrix "
                "products with sparse constant weights";
  let description = [{
    Each f32 `linalg.conv_2d_nhwc_hwcf` with a constant 1x1 stride-1
    filter (batch 1) and each `linalg.matmul` with a constant right-hand
    side (f32, or int8 x int8 into int32: a quantized layer), whose weight has at least `min-sparsity` zeros (by default the
    layer's break-even: the measured cost model in the pass, higher for
    fewer positions) and on average `min-nonzeros` per output channel,
    becomes a kernel over the nonzeros alone. An f32 weight whose zeros
    come in blocks of a vector of output channels by one k (what
    `--prune-block=target` leaves; N a whole number of vectors) runs on
    the block-CSR kernel (`bcsr16-Lx1`) when at least `min-sparsity` of
    its blocks are zero (by default a quarter) and the CSR kernel's
    estimated time is not lower: on the channels-last layout, per tile of
    `blocks` rows and group of output channels one accumulator vector per
    row, and per stored block its vector loaded once and each row's
    X[row][k] broadcast into an FMA. A product of fewer rows than a vector (a classifier's one) is,
    per row and output channel, a scalar sum over the channel's nonzeros
    in four partial sums (no transposes; its weight read 0.3 times as many
    bytes at 80 %).
    Otherwise: the
    weight in CSR by output channel (int16 row indices when K < 32768,
    f32 or int8 values), the activations transposed to (K, M), and for
    every tile of 8 vectors of output positions and every output channel,
    one broadcast FMA per nonzero and vector, each vector its own
    accumulator (int8: the vector and the weight sign-extended to i32,
    multiplied and added; scf loops over vector transfers), the result
    transposed back. The init (a bias broadcast, or
    any tensor) is the accumulators' start. A Gather of rows of a constant f32
    matrix (an embedding table, as the linalg lowering writes it: a
    generic reading the table with tensor.extract) at least `min-sparsity`
    zero (by default half) becomes a zero fill and, per output position, a
    scatter of its row's nonzeros from the table in CSR by row
    (`csr16-rows`). Each function gets
    `edge.sparse_kernels` (a function pass writes nothing outside its
    function): per layer the format, nonzeros, weights and the
    bytes stored against the dense weight's (the report). Needs vectors of
    at least 128 bits; the lanes come from `#edge.target`.
  }];
  let options = [
    Option<"minSparsity", "min-sparsity", "double", /*default=*/"-1",
           "The fraction of zero weights from which the sparse kernel is "
           "used; negative: each layer's break-even by its number of "
           "positions (the measured cost model, docs/pruning.md)">,
    Option<"blocks", "blocks", "int64_t", /*default=*/"8",
           "Vectors of output positions per tile, each its own accumulator "
           "(independent FMA chains: two FMA units x 4 cycles of latency)">,
    Option<"minNonzeros", "min-nonzeros", "double", /*default=*/"8",
           "The fewest nonzero weights per output channel, on average, "
           "for the sparse kernel (with fewer, each output is a few FMAs and "
           "the layer is bound by its memory traffic, which the sparse "
           "layout's transposes add to)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect",
                           "mlir::arith::ArithDialect"];
}

def EdgeCpuSelectLowering
    : Pass<"edge-cpu-select-lowering", "mlir::func::FuncOp"> {
  let summary = "Choose each kernel's tiling and vectorization for the target";
  let description = [{
    The strategy half of the kernel codegen: for every convolution (2-D,
    grouped, 3-D), depthwise convolution (with or without a channel
    multiplier), pooling and matrix product (with or without batch dims) on
    tensors, chooses a `#edge.lowering_config` from the module's
    `#edge.target` (vector width and registers) and the op's static shape
    and element types, and records it on the op as `edge.lowering_config`;
    `edge-cpu-vectorize-kernels` applies it. Register blocks follow
    shared/probes/mlir22-cpu-codegen: conv 1x1x(rows)x(2 vectors) over
    (n, oh, ow, f), depthwise and pooling (rows <= 8) x 1 vector over (ow, c)
    with kw untiled, matmul (rows <= 8) x (2 vectors) after a cache tile for
    large operands; rows fill half the vector registers with accumulators
    and divide the static shape, or a convolution is padded to a full block.
    Grouped and 3-D convolutions run as 2-D convolutions per group and depth
    (`form`, `outer`), a channel multiplier as replicated input channels,
    batched products one batch at a time.

    A kernel with a dynamic shape or an element type without a vector
    configuration (64-bit integers, ...) gets `scalar = "<reason>"`; with
    `remarks`, each of those is reported as a remark at the op (the ONNX
    node). An op that already has a configuration keeps it.
  }];
  let options = [
    Option<"fuseBlocks", "fuse-blocks", "bool", /*default=*/"true",
           "Fuse the accumulator init and the elementwise epilogue into "
           "each convolution register block">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report every kernel left scalar, and why, as a remark">,
  ];
  let dependentDialects = ["::edge::EdgeDialect"];
}

def EdgeCpuVectorizeKernels
    : Pass<"edge-cpu-vectorize-kernels", "mlir::func::FuncOp"> {
  let summary = "Apply each kernel's lowering_config: tile, decompose, vectorize";
  let description = [{
    The mechanism half of the kernel codegen, the route measured in
    shared/probes/mlir22-cpu-codegen: for each op carrying an
    `edge.lowering_config` (see `#edge.lowering_config`), the rewrite to its
    `form`, padding, the cache tile, register-block tiling (with `fuse`, the
    block loop also computes the op's accumulator init, a fill or bias
    broadcast, and its elementwise epilogue, an activation or residual add:
    each block starts from the bias, is finished and stored once),
    decomposition of the 2-D convolutions to 1-D, vectorization, and
    hoisting of the accumulators out of the reduction loops (innermost
    first). It chooses nothing: an op without a configuration, or with a
    `scalar` one, is left for the scalar loop lowering, and a configuration
    that does not fit its op is an error. The int8 dot forms
    (`i8_dot4_vpdpbusd`, `i8_dot4_sdot`) pack their constant weights and
    emit the register blocks directly on the target's instruction.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def EdgePlanMemory : Pass<"edge-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every buffer in one static arena, reusing memory by liveness";
  let description = [{
    After bufferization, each static `memref.alloc` in a public function
    becomes a `memref.view` into a new trailing `memref<Nxi8>` argument, the
    arena the caller provides. Buffers whose live ranges (first definition to
    last use through any view of them) do not overlap share memory; offsets
    are aligned. Placement is greedy (the lowest free offset) over several
    orders, then a deterministic local search (two buffers swap places in
    the order) until the arena equals the most bytes live at once, recorded
    as `edge.arena_live_peak`. The arena size is recorded as `edge.arena_size` on the
    function. A buffer allocated inside a loop nest goes to the arena too
    (hoisted in front of the nest, whose loops then lose their
    `edge.parallel` mark: one buffer serves all their iterations), except a
    register block of at most `max-stack-block` bytes, which becomes a stack
    allocation that LLVM promotes to registers.
  }];
  let options = [
    Option<"maxStackBlock", "max-stack-block", "int64_t", /*default=*/"4096",
           "Largest loop-local buffer kept on the stack (bytes)">,
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment of every buffer in the arena, in bytes">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def EdgeCpuUnsharePadding
    : Pass<"edge-cpu-unshare-padding", "mlir::func::FuncOp"> {
  let summary = "Give each padded input and each filled accumulator its own tensor";
  let description = [{
    Before bufferization: a padded tensor built by filling the border of an
    empty tensor, which CSE shared between two convolutions of the same
    padded input shape, is cloned for each insertion into it after the
    first, and the producer writing that insertion in place writes into
    the clone's interior. Without it, bufferization copies the whole shared
    buffer and the second producer's result into it. Likewise a filled
    empty tensor (an accumulator's initial value) that several loops or
    destination-style ops start from gets its own fill for each after the
    first, where bufferization would copy the filled buffer.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def EdgeCpuOutlineParallel
    : Pass<"edge-cpu-outline-parallel", "mlir::ModuleOp"> {
  let summary = "Run the large kernels' parallel loops through the runtime's parallel_for";
  let description = [{
    With `threads` above 1, each top-level `scf.for` of a public function
    that tiling marked `edge.parallel` (its iterations write disjoint tiles)
    and whose work (the marked op's iteration count, times its body's ops
    for elementwise code) reaches `min-work`
    becomes a call `edgert_parallel_for(count, task, context)`: the loop body
    is outlined into a private function `task(context, begin, end)` that runs
    iterations [begin, end), and the values it reads from the function (the
    caller's buffers and the arena, scalars) are stored in a context on the
    stack. Constants, globals and views are recomputed in the task; a stack
    buffer only the loop uses is made private to each task. The runtime
    splits the count over its workers (or runs it serially). First, each
    large top-level `memref.copy` or linalg op left between the kernels
    (copies into padded buffers, border fills, layout transposes) becomes a
    loop over its first parallel dim, marked the same way.

    With `threads` 1 each marked loop (whatever its work) is outlined into a
    private `noinline` function that the entry calls directly, with the
    values the loop reads from the function as arguments: no context and no
    runtime call. The generated code runs as before, but LLVM optimizes and
    selects many small functions instead of one entry holding every kernel,
    which is what bounds a large model's compile time.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "Workers the code is split for (1: serial code)">,
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Smallest work (iterations, or element-ops) worth splitting">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def EdgeCpuExpandCopies : Pass<"edge-cpu-expand-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into memcpy calls or inline loops";
  let description = [{
    A `memref.copy` between strided views lowers to a call into MLIR's C
    runner library, which a bare-metal image does not have. A copy whose
    trailing dims are contiguous on both sides in runs of 256 bytes or more
    becomes a loop nest of contiguous copies (`llvm.memcpy`); any other
    becomes `linalg.copy`, loops that LLVM vectorizes.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect"];
}

def EdgeCpuScalarizeTransfers
    : Pass<"edge-cpu-scalarize-transfers", "mlir::func::FuncOp"> {
  let summary = "Read the scalars a kernel extracts from a vector read directly";
  let description = [{
    A vectorized convolution reads its input window as a (strided) vector and
    extracts scalars to broadcast. After bufferization, each such extract of
    a transfer_read becomes a scalar load, which LLVM turns into a broadcast
    load instead of assembling the vector element by element.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def EdgeCpuConvertToLLVM : Pass<"edge-cpu-convert-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the loop-level module to the LLVM dialect in one conversion";
  let description = [{
    Lowers vector ops to rank-1 form (contractions as outer products), then
    converts arith, math, index, vector, memref, cf, ub and func to the LLVM
    dialect together, with index and pointer widths from the module's DLTI
    data layout (32 bits on Cortex-M) and bare-pointer function arguments.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def EdgeCpuExpandMath : Pass<"edge-cpu-expand-math", "mlir::func::FuncOp"> {
  let summary = "Polynomial approximations instead of libm calls";
  let description = [{
    Expands hyperbolic and power functions into exp/log, then replaces
    exp, log, tanh, erf, sin, cos, atan ... by polynomial approximations on
    f32 (other float types computed in f32), so generated code needs no libm
    and vectorizes. On targets other than x86 and AArch64 (whose LLVM
    backends would call fmaximumf/fminimumf), NaN-propagating max/min become
    compares and selects.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def EdgeCpuReadonlyInputs : Pass<"edge-cpu-readonly-inputs", "mlir::ModuleOp"> {
  let summary = "Mark the entry's tensor arguments as not writable by bufferization";
  let description = [{
    The public function's tensor arguments are the caller's input buffers:
    each gets `bufferization.writable = false`, so one-shot bufferization
    copies rather than writing into them.
  }];
}

def EdgeCpuFinalizeEntry : Pass<"edge-cpu-finalize-entry", "mlir::ModuleOp"> {
  let summary = "Move the arena size to the module and drop ONNX names before LLVM";
  let description = [{
    Moves `edge.arena_size` from the public function to the module (the
    emitter reads it there after the LLVM conversion) and clears argument
    and result attributes (the ONNX names, already in the model signature).
  }];
}

#endif

def EdgeCpuNumberKernels : Pass<"edge-cpu-number-kernels", "mlir::ModuleOp"> {
  let summary = "Number the kernels of each public function (edge.kernel)";
  let description = [{
    Each top-level op of a public function that computes (a linalg op, or a
    loop nest holding linalg ops or loops) gets `edge.kernel = k`, k
    counting from 0 in program order: the numbers the report and the
    instrumented code's kernel marks use. Runs at the end of the kernels
    phase.
  }];
}

def EdgeCpuInstrumentKernels
    : Pass<"edge-cpu-instrument-kernels", "mlir::ModuleOp"> {
  let summary = "Call edgert_kernel_mark(k) before each numbered kernel";
  let description = [{
    `edgec --instrument-kernels`: before each top-level op of a public
    function marked `edge.kernel = k`, a call `edgert_kernel_mark(k)`, and
    `edgert_kernel_mark(-1)` before each return (the runtime forwards them
    to the profiler an application installs; the runner's `--profile`
    times each kernel). Runs before the parallel loops are outlined.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}
