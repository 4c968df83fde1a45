//===- Passes.td - pruning passes on the edge dialect -----*- tablegen -*-===//
#ifndef EDGEC_PASSES_PRUNE_PASSES_TD
#define EDGEC_PASSES_PRUNE_PASSES_TD

include "mlir/Pass/PassBase.td"

def EdgePrune : Pass<"edge-prune", "mlir::ModuleOp"> {
  let summary = "Zero the smallest-magnitude weights of Conv, Gemm and MatMul";
  let description = [{
    The layers are the Conv, Gemm and MatMul of `@main` whose weight
    (filter, B, rhs) is an f32 constant, and the embedding tables (a
    Gather along axis 0 of a constant f32 matrix; unstructured only, never
    counted as the first or last layer), in program order. Each one not
    skipped gets its smallest weights by magnitude set to zero:

    - unstructured (`pattern=unstructured`): `sparsity` of the layer's
      weights (`scope=layer`), or of all the layers' weights together
      against one threshold (`scope=global`, as in magnitude pruning over
      the whole network);
    - N:M (`pattern=2:4`, `1:4`, any `N:M`): in every group of M
      consecutive weights along the reduction axis (a filter's input
      channels at each kernel position; B's or rhs' K), the N largest
      stay. A layer whose reduction axis is not a multiple of M is left
      dense.

    - blocks (`block=RxC`, or `block=target`): the weights seen as a
      matrix of output channels by reduction positions (a filter's
      (ky, kx, ic), B's or rhs' K) cut into R x C blocks, the `sparsity`
      fraction of blocks with the smallest mean magnitude zeroed, per
      layer or globally. `target` takes the block the hardware skips: the
      NPU's N x N weight tile when the module has an `npu.config`
      (docs/npu-spec.md §2.4), else a CPU vector of output channels
      (`edge.target`'s vector bits / 32 by 1), 1 x 1 without vectors.

    Skipped: layers named in `skip` (their ONNX node), and with
    `dense-ends` (the default) the first and the last layer, whose
    pruning costs the most accuracy for the least size. Weights that are
    already zero count (a model that comes sparse keeps its zeros, and
    `sparsity` is what the layer ends with, at least). The module gets
    `edge.pruning`: per layer its name, op, weight count, zeros before and
    after, and why it was left alone (the report's pruning section).
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", /*default=*/"0.0",
           "Unstructured: the fraction of weights to zero, in [0, 1)">,
    Option<"pattern", "pattern", "std::string", /*default=*/"\"unstructured\"",
           "unstructured, or N:M (keep N of every M along the reduction axis)">,
    Option<"scope", "scope", "std::string", /*default=*/"\"layer\"",
           "Unstructured: layer (each layer to `sparsity`) or global (one "
           "threshold over all layers)">,
    ListOption<"skip", "skip", "std::string",
               "Layers (ONNX node names) to leave dense">,
    Option<"denseEnds", "dense-ends", "bool", /*default=*/"true",
           "Leave the first and the last layer dense">,
    Option<"block", "block", "std::string", /*default=*/"\"\"",
           "Prune R x C blocks (RxC, or target: the NPU tile or the CPU "
           "vector) instead of single weights">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def EdgePruneChannels : Pass<"edge-prune-channels", "mlir::ModuleOp"> {
  let summary = "Remove whole output channels of Conv, Gemm and MatMul layers";
  let description = [{
    Structured pruning: each layer with a constant f32 weight produces a
    space of output channels; spaces that meet in an elementwise op (a
    residual Add, a squeeze-excitation Mul) are joined, and a Concat along
    the channel axis lays several side by side. Channels are followed
    through elementwise ops, pooling, padding of other axes, depthwise
    convolutions (whose filters and group shrink with them), transposes
    and reshapes that keep the channel axis whole (the flatten after a
    global pooling). A space stays whole when an op cannot follow it
    (a reshape mixing channels with other dims, a softmax over them, a
    grouped convolution, a non-constant weight), when it reaches a
    function result (the interface keeps its shape), when it holds the
    first layer (with `dense-ends`) or a layer named in `skip`.

    Every other space keeps the `fraction`-complement of its channels
    with the largest L1 filter norm (each layer's norms divided by their
    mean, summed over the joined layers), rounded up to whole CPU vectors
    (`edge.target`'s vector bits / 32) when the count is a multiple of
    them and `align-target` is set. The filters, biases and constant
    operands indexed by the space are sliced, the consumers' input
    channels with them, and the result types inferred again: the later
    stages compile smaller dense layers. The module gets
    `edge.channel_pruning`: per layer its name, op, channels and channels
    kept, and why it stayed whole.
  }];
  let options = [
    Option<"fraction", "fraction", "double", /*default=*/"0.0",
           "The fraction of each free space's channels to remove, in [0, 1)">,
    ListOption<"skip", "skip", "std::string",
               "Layers (ONNX node names) whose output channels stay">,
    Option<"denseEnds", "dense-ends", "bool", /*default=*/"true",
           "Keep the first layer's output channels">,
    Option<"alignTarget", "align-target", "bool", /*default=*/"true",
           "Keep whole CPU vectors of channels">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif
