//===- Importer.h - the ONNX importer's shared state and helpers -*- C++
//-*-===//
//
// Internal to compiler/import: the Importer class, whose model-level and
// node helpers live in OnnxImporter.cpp and whose per-op importers live in
// one file per ONNX op family under ops/ (each registers its handlers from
// a register<Family>() member), and the make<OpTy> builder they share.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_IMPORT_IMPORTER_H
#define EDGEC_COMPILER_IMPORT_IMPORTER_H

#include "compiler/import/OnnxImporter.h"
#include "compiler/import/OnnxTypes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Regex.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <string>

namespace edgec::detail {

using namespace mlir;

using edge::kMaxElements;

/// The most nodes one model may have, subgraphs included (docs/robustness.md):
/// compile time and memory grow with the graph, and large real models
/// (transformers) have some thousands.
constexpr int64_t kMaxNodes = 65536;
/// Graphs inside graphs (If/Loop/Scan bodies) are nested at most this deep.
/// Protobuf's parser stops at 100 message levels (about 30 graph levels);
/// a deeper model is diagnosed from its wire bytes (OnnxModel.cpp).
constexpr int64_t kMaxGraphDepth = 16;
/// The most bytes of initializers (weights) one model may hold: 2 GiB, the
/// reach of the small code model's 32-bit displacements to read-only data.
constexpr uint64_t kMaxWeightBytes = uint64_t(1) << 31;
/// The longest DFT (and STFT frame) edgec computes: its n x bins tables of
/// cosines and sines are compile-time constants (at most 64 MiB at 4096).
constexpr int64_t kMaxDftLength = 4096;

/// The element count of `shape`, or nullopt when it is over kMaxElements
/// (computed without overflow).
std::optional<int64_t> boundedCount(llvm::ArrayRef<int64_t> shape);

/// "2x3x4", or "scalar" for an empty shape.
std::string shapeText(llvm::ArrayRef<int64_t> shape);

/// Evaluates `expr`, a FailureOr, and returns failure from the enclosing
/// function if it failed (its diagnostic has already been emitted); otherwise
/// initializes or assigns `lhs` with its value. It expands to several
/// statements, so it must stand alone as a statement, inside braces.
#define ASSIGN_OR_FAIL(lhs, expr)                                              \
  ASSIGN_OR_FAIL_IMPL(EDGEC_CONCAT(orFailure, __COUNTER__), lhs, expr)
#define ASSIGN_OR_FAIL_IMPL(tmp, lhs, expr)                                    \
  auto tmp = (expr);                                                           \
  if (failed(tmp))                                                             \
    return failure();                                                          \
  lhs = std::move(*tmp)
#define EDGEC_CONCAT(a, b) EDGEC_CONCAT_IMPL(a, b)
#define EDGEC_CONCAT_IMPL(a, b) a##b

struct ResizeRequest; // ops/Image.cpp

class Importer {
public:
  /// Reads the model from `path`, or from `bytes` when given (then `path`
  /// only names it and locates its external data).
  Importer(MLIRContext &ctx, const std::string &path,
           const ImportOptions &options,
           std::optional<StringRef> bytes = std::nullopt)
      : ctx(ctx), builder(&ctx), path(path), options(options), bytes(bytes),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

private:
  using Values = SmallVector<Value>;
  using Handler = std::function<FailureOr<Values>(const onnx::NodeProto &)>;

  // --- diagnostics ---------------------------------------------------------
  InFlightDiagnostic error(Location loc) { return emitError(loc); }
  InFlightDiagnostic nodeError() { return emitError(nodeLoc); }
  /// Reports `msg` at the current node and returns failure.
  LogicalResult fail(const Twine &msg) { return nodeError() << msg; }

  // --- model-level ---------------------------------------------------------
  LogicalResult readModel(onnx::ModelProto &model);
  LogicalResult importGraph(const onnx::GraphProto &graph, ModuleOp module);
  /// Imports the nodes of `graph` (the main graph, or a subgraph inlined
  /// into it) into the current block, defining their outputs in `values`.
  LogicalResult importNodes(const onnx::GraphProto &graph);
  /// The MLIR type of an ONNX element type (float8 types as MLIR's f8*,
  /// float4e2m1 as f4E2M1FN, e8m0 as f8E8M0FNU, int4/int2 as i4/i2 and
  /// uint4/uint2 as ui4/ui2).
  FailureOr<Type> elementType(int32_t dtype, Location loc, StringRef what);
  FailureOr<DenseElementsAttr> tensorAttr(const onnx::TensorProto &t,
                                          Location loc);
  FailureOr<std::string> readExternal(const onnx::TensorProto &t, Location loc);
  /// The value `given` for graph input `in` (--input-value), checked
  /// against the input's element type and shape.
  FailureOr<DenseElementsAttr> fixedInput(const onnx::ValueInfoProto &in,
                                          const InputValue &given);
  /// The value named `name`, a null Value if nothing defines it, or failure if
  /// it is a malformed initializer (diagnosed).
  FailureOr<Value> lookup(const std::string &name);
  void registerHandlers();
  // One per op family (compiler/import/ops/<Family>.cpp).
  void registerElementwise();
  void registerConvPool();
  void registerMatMul();
  void registerNormalization();
  void registerTensorMovement();
  void registerQuantization();
  void registerReduction();
  void registerLoss();
  void registerAttention();
  void registerIndexing();
  void registerRecurrent();
  void registerControlFlow();
  void registerSignal();
  void registerQLinear(); // com.microsoft QLinear* (ops/QLinear.cpp)
  void registerImage();   // Resize, Upsample, GridSample (ops/Image.cpp)

  // --- node helpers (on failure: a diagnostic at the node, then failure) ----
  const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name);
  FailureOr<int64_t> intAttr(const onnx::NodeProto &n, StringRef name,
                             int64_t dflt);
  FailureOr<float> floatAttr(const onnx::NodeProto &n, StringRef name,
                             float dflt);
  std::string strAttr(const onnx::NodeProto &n, StringRef name, StringRef dflt);
  SmallVector<int64_t> intsAttr(const onnx::NodeProto &n, StringRef name,
                                ArrayRef<int64_t> dflt = {});
  /// The 'axis' attribute (default `dflt`) normalized to [0, rank).
  FailureOr<int64_t> axisAttr(const onnx::NodeProto &n, int64_t dflt,
                              int64_t rank);
  bool hasInput(const onnx::NodeProto &n, int i) {
    return i < n.input_size() && !n.input(i).empty();
  }
  FailureOr<Value> input(const onnx::NodeProto &n, int i);
  /// Node input `i`, or a null Value if the node leaves it out.
  FailureOr<Value> optInput(const onnx::NodeProto &n, int i) {
    return hasInput(n, i) ? input(n, i) : FailureOr<Value>(Value());
  }
  /// The required node inputs 0 to `count` - 1.
  FailureOr<Values> inputs(const onnx::NodeProto &n, int count);
  /// The constant value of node input `i`, which the op needs at compile time.
  FailureOr<DenseElementsAttr> constInput(const onnx::NodeProto &n, int i,
                                          StringRef what);
  /// " --input-value=NAME=FILE.npy" for each graph input `v` is computed
  /// from (empty if none, or if too far to trace).
  std::string graphInputsHint(Value v);
  FailureOr<SmallVector<int64_t>> constInts(const onnx::NodeProto &n, int i,
                                            StringRef what);
  /// Whether node input `i` is given and known at compile time.
  bool isConstInput(const onnx::NodeProto &n, int i);
  /// The static shape the model declares for node output `i` (a graph
  /// output or value_info whose every dimension is a number), or nullopt.
  std::optional<SmallVector<int64_t>> declaredShape(const onnx::NodeProto &n,
                                                    int i = 0);
  /// Input `i` of an op whose result shape it decides (axes, k, a target
  /// shape...): its constant value; or, when it is only known at run time,
  /// the value `derive` reads from the shapes the model declares for the
  /// node's results (it returns nullopt when they do not decide it, and the
  /// usual "fix its value" error follows). The value given at run time must
  /// then agree with the declared shapes, as ONNX requires.
  using Derive = llvm::function_ref<std::optional<SmallVector<int64_t>>()>;
  FailureOr<SmallVector<int64_t>> shapeInts(const onnx::NodeProto &n, int i,
                                            StringRef what, Derive derive);
  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  FailureOr<int64_t> normAxis(int64_t axis, int64_t rank, StringRef what);
  LogicalResult noExtraOutputs(const onnx::NodeProto &n, int used,
                               StringRef what);

  /// Runs the op's verifier; on failure erases the op and reports the
  /// verifier's message at the node, type constraint failures restated in
  /// ONNX terms ("Add on bool tensors is not supported (input 0)").
  LogicalResult verifyAtNode(Operation *op);
  /// Builds OpTy with inferred result types, folds it, and returns its result.
  template <typename OpTy>
  FailureOr<Value> make(ValueRange operands,
                        ArrayRef<NamedAttribute> attrs = {});
  /// Builds OpTy with inferred result types (no folding) and returns all
  /// its results.
  template <typename OpTy>
  FailureOr<Values> makeResults(ValueRange operands,
                                ArrayRef<NamedAttribute> attrs = {});
  /// The op built and verified, for make and makeResults.
  template <typename OpTy>
  FailureOr<Operation *> build(ValueRange operands,
                               ArrayRef<NamedAttribute> attrs);
  NamedAttribute named(StringRef name, Attribute a) {
    return builder.getNamedAttr(name, a);
  }
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> shape) {
    return make<edge::ReshapeOp>(
        v, {named("shape", builder.getDenseI64ArrayAttr(shape))});
  }
  /// `v` as 2-D: the dims before `axis` times the dims from it on.
  FailureOr<Value> flatten2D(Value v, int64_t axis) {
    auto shape = typeOf(v).getShape();
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0, e = shape.size(); i < e; ++i)
      (i < axis ? outer : inner) *= shape[i];
    return reshape(v, {outer, inner});
  }
  Value constant(DenseElementsAttr a) {
    return arith::ConstantOp::create(builder, nodeLoc, a);
  }
  /// The results of a node with a single result.
  static FailureOr<Values> single(FailureOr<Value> v) {
    if (failed(v))
      return failure();
    return Values{*v};
  }

  // --- per-op importers
  // -------------------------------------------------------
  FailureOr<Values> importConv(const onnx::NodeProto &n);
  /// A Conv-like node's convolution of x, w (and b) with the node's
  /// kernel_shape, strides, dilations, pads / auto_pad and group.
  FailureOr<Value> convFromNode(const onnx::NodeProto &n, Value x, Value w,
                                Value b);
  FailureOr<Values> importConvTranspose(const onnx::NodeProto &n);
  FailureOr<SmallVector<int64_t>> convKernel(const onnx::NodeProto &n, Value x,
                                             Value w);
  /// An edge.conv (1-D ones through a unit height); pads in ONNX order.
  FailureOr<Value> conv(Value x, Value w, Value b, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                        int64_t group);
  /// MaxPool / AveragePool of `x` (node input 0 when null) with the node's
  /// window attributes.
  FailureOr<Values> importPool(const onnx::NodeProto &n, bool isMax,
                               Value x = {});
  FailureOr<Values> importGemm(const onnx::NodeProto &n);
  /// The axes of reduction `n` of an `in`-shaped tensor read from its
  /// declared result shape (an inner nullopt: it reduces nothing), or
  /// nullopt when that shape does not decide them (ops/Reduction.cpp).
  std::optional<std::optional<SmallVector<int64_t>>>
  axesFromDeclared(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                   bool keepdims, bool noop);
  FailureOr<Values> importEinsum(const onnx::NodeProto &n);
  /// Softmax, or LogSoftmax with `log`.
  FailureOr<Values> importSoftmax(const onnx::NodeProto &n, bool log);
  /// NegativeLogLikelihoodLoss of `input` (log-probabilities) at
  /// `target`, with the node's reduction and ignore_index (ops/Loss.cpp).
  FailureOr<Values> importLoss(const onnx::NodeProto &n, Value input,
                               Value target, Value weight);
  /// LayerNormalization, or RMSNormalization with `rms`.
  FailureOr<Values> importLayerNorm(const onnx::NodeProto &n, bool rms);
  FailureOr<Values> importClip(const onnx::NodeProto &n);
  /// The attributes of edge.cast for Cast / CastLike `n` converting to `to`:
  /// `saturate` (float8 targets) and `round_mode` (float8e8m0).
  FailureOr<SmallVector<NamedAttribute>> castAttrs(const onnx::NodeProto &n,
                                                   Type to);
  FailureOr<Values> importBatchNorm(const onnx::NodeProto &n);
  FailureOr<Values> importReshape(const onnx::NodeProto &n);
  FailureOr<Values> importSqueeze(const onnx::NodeProto &n, bool unsqueeze);
  FailureOr<Values> importConstant(const onnx::NodeProto &n);
  FailureOr<Values> importPad(const onnx::NodeProto &n);
  /// Resize or Upsample of `x` as `r` asks (ops/Image.cpp).
  FailureOr<Values> importResize(const onnx::NodeProto &n, ResizeRequest r,
                                 Value x);
  FailureOr<Values> importLpPool(const onnx::NodeProto &n);
  FailureOr<Values> importAffineGrid(const onnx::NodeProto &n);
  FailureOr<Values> importCol2Im(const onnx::NodeProto &n);

  // --- transformer blocks (ops/Attention.cpp) ---
  FailureOr<Values> importAttention(const onnx::NodeProto &n);
  FailureOr<Values> importRotaryEmbedding(const onnx::NodeProto &n);
  /// [B, S, heads * H] as [B, heads, S, H].
  FailureOr<Value> splitHeads(Value v, int64_t heads, StringRef what);
  /// `v` sliced along `axis`.
  FailureOr<Value> sliceAxis(Value v, int64_t axis, int64_t start, int64_t size,
                             int64_t step = 1);
  /// `v` sliced along its last dim.
  FailureOr<Value> sliceLast(Value v, int64_t start, int64_t size,
                             int64_t step);
  FailureOr<Value> transpose(Value v, ArrayRef<int64_t> perm);
  FailureOr<Value> concat(ValueRange parts, int64_t axis);
  /// A rank-0 constant of element type `et`.
  Value scalarOf(Type et, double v);

  // --- recurrent layers (ops/Recurrent.cpp) ---
  /// RNN (0), GRU (1) or LSTM (2), unrolled.
  FailureOr<Values> importRecurrent(const onnx::NodeProto &n, int kind);
  FailureOr<Values> importCausalConv(const onnx::NodeProto &n);
  /// An ONNX recurrent activation function by name.
  FailureOr<Value> activation(StringRef name, Value x, float alpha, float beta);

  // --- control flow (ops/ControlFlow.cpp) ---
  /// The outputs of subgraph `g` inlined here, its formal inputs bound to
  /// `bound` (outer values stay visible; its own names go out of scope
  /// after). `what` names the subgraph in messages.
  FailureOr<Values> inlineSubgraph(const onnx::GraphProto &g,
                                   ArrayRef<Value> bound, StringRef what);
  int subgraphDepth = 0;

  // --- signal processing (ops/Signal.cpp) ---
  /// The DFT of length `n` along the last dim of `re` (and `im`, null for a
  /// real signal): [..., bins, 2], or [..., n, 1] for a onesided inverse.
  FailureOr<Value> dft(Value re, Value im, int64_t n, bool inverse,
                       bool onesided);

  // --- shared by several families ---
  /// `v` cast to element type `et` (itself if it has it).
  FailureOr<Value> castTo(Value v, Type et);
  /// Integer indices as int64, negative ones counted back from `dims`.
  FailureOr<Value> normalizedIndices(Value indices, Value dims);
  Value i64Constant(ArrayRef<int64_t> shape, ArrayRef<int64_t> values);
  /// The mean of `v` over `axes` (kept as unit dims), in v's element type.
  FailureOr<Value> meanOver(Value v, ArrayRef<int64_t> axes);
  /// (x - mean) / sqrt(var + epsilon) over `axes` (statistics in f32 for
  /// narrower floats), in x's element type.
  FailureOr<Value> standardize(Value x, ArrayRef<int64_t> axes, double epsilon);
  /// The coordinates [shape..., rank] of each element of a `shape` tensor,
  /// the one along `axis` taken from `along` (ops/Indexing.cpp).
  FailureOr<Value> coordinates(ArrayRef<int64_t> shape, int64_t axis,
                               Value along);
  /// edge.scatter_nd of `updates` into `data` at `coords`.
  FailureOr<Value> scatter(Value data, Value coords, Value updates,
                           StringRef reduction);
  /// y * scale + bias, scale and bias one entry per channel (dim 1).
  FailureOr<Value> channelAffine(Value y, Value scale, Value bias);

  // --- quantization (ops/Quantization.cpp, shared with ops/QLinear.cpp) ---
  /// The parameters of a quantization: scale, zero point (null: 0), the
  /// axis of a per-axis or blocked scale and the block size (0: not
  /// blocked).
  struct QuantParams {
    Value scale, zeroPoint;
    int64_t axis = 0;
    int64_t blockSize = 0;
  };
  /// The parameters of a QuantizeLinear-like node: inputs `first` (scale)
  /// and `first` + 1 (zero point), 'axis' (default 1) and 'block_size',
  /// for a tensor of type `data`.
  FailureOr<QuantParams> quantParams(const onnx::NodeProto &n, int first,
                                     RankedTensorType data);
  /// Checks the shapes of `p` against a tensor of type `data`: a scalar
  /// (or one-entry) scale, one entry per slice along the axis, or blocks of
  /// block_size along it; the zero point shaped as the scale.
  LogicalResult checkQuantParams(const QuantParams &p, RankedTensorType data);
  /// The `!quant.uniform` element type of constant parameters `p` for
  /// `data` held in `storage` (per tensor, per axis, or sub-channel when
  /// the blocks divide the axis); a null Type when they are computed at run
  /// time, or blocked in blocks that do not divide the axis.
  /// QuantizeLinear to a float8 / float4 type: cast(x / scale + zero
  /// point) with ONNX Cast's rounding and `saturate`, in edge ops.
  FailureOr<Value> quantizeToFloat(Value x, const QuantParams &p,
                                   FloatType storage, bool saturate);
  /// DequantizeLinear of float8 / float4 `q`: (q - zero point) * scale, the
  /// codes decoded by edge.cast, in edge ops.
  FailureOr<Value> dequantizeFloat(Value q, const QuantParams &p);
  /// The scale or zero point `v` of `p` shaped to broadcast against `data`
  /// (one per slice along the axis, blocks expanded).
  FailureOr<Value> broadcastParam(Value v, const QuantParams &p,
                                  RankedTensorType data);
  FailureOr<Type> quantizedType(const QuantParams &p, IntegerType storage,
                                FloatType expressed, RankedTensorType data);
  /// Integer storage `q` dequantized: edge.dequantize of its quantized type
  /// when `p` are constants, else edge.dequantize_linear (blocked
  /// parameters expanded to q's shape).
  FailureOr<Value> dequantize(Value q, const QuantParams &p);
  /// Float `x` quantized into `storage` (edge.quantize then storage_cast to
  /// the integers, or edge.quantize_linear).
  FailureOr<Value> quantize(Value x, const QuantParams &p, IntegerType storage);
  /// Blocked `v` (scale or zero point) repeated block_size times along the
  /// axis and cut to `data`'s size there: the parameter of every element.
  FailureOr<Value> expandBlocks(Value v, const QuantParams &p,
                                RankedTensorType data);

  LogicalResult checkWindowValues(ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations);
  LogicalResult resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            SmallVectorImpl<int64_t> &pads);

  MLIRContext &ctx;
  OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  std::optional<StringRef> bytes; // the model in memory, if not read from path
  Location fileLoc;
  Location nodeLoc = fileLoc;
  std::string opType; // of the node being imported, for messages
  int64_t opset = 0;
  int64_t microsoftOpset = 0; // of domain com.microsoft, 0 if not imported
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  /// Static shapes the model declares (graph outputs, value_info).
  llvm::StringMap<SmallVector<int64_t>> declaredShapes;
  llvm::StringMap<Handler> handlers;          // domain ai.onnx
  llvm::StringMap<Handler> microsoftHandlers; // domain com.microsoft
};

template <typename OpTy>
FailureOr<Value> Importer::make(ValueRange operands,
                                ArrayRef<NamedAttribute> attrs) {
  ASSIGN_OR_FAIL(Operation * op, build<OpTy>(operands, attrs));
  SmallVector<OpFoldResult> folded;
  if (succeeded(op->fold(folded)) && folded.size() == 1) {
    Value result;
    if (auto v = dyn_cast<Value>(folded[0])) {
      result = v;
    } else {
      auto a = cast<TypedAttr>(cast<Attribute>(folded[0]));
      result = arith::ConstantOp::create(builder, nodeLoc, a);
    }
    if (result != op->getResult(0))
      op->erase();
    return result;
  }
  return op->getResult(0);
}

template <typename OpTy>
FailureOr<Importer::Values>
Importer::makeResults(ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  ASSIGN_OR_FAIL(Operation * op, build<OpTy>(operands, attrs));
  return Values(op->getResults().begin(), op->getResults().end());
}

template <typename OpTy>
FailureOr<Operation *> Importer::build(ValueRange operands,
                                       ArrayRef<NamedAttribute> attrs) {
  DictionaryAttr dict = DictionaryAttr::get(&ctx, attrs);
  typename OpTy::Properties props;
  auto emit = [&]() { return nodeError(); };
  if (failed(OpTy::setPropertiesFromAttr(props, dict, emit)))
    return failure();
  SmallVector<Type> types;
  // Inference reports why the node is malformed (at the node's location).
  if (failed(OpTy::inferReturnTypes(&ctx, nodeLoc, operands, dict,
                                    OpaqueProperties(&props), {}, types)))
    return failure();
  for (Type t : types)
    if (auto tt = dyn_cast<RankedTensorType>(t);
        tt && !boundedCount(tt.getShape()))
      return fail("the result of shape " + shapeText(tt.getShape()) +
                  " would have more than 2^31 elements");
  OperationState state(nodeLoc, OpTy::getOperationName());
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(types);
  Operation *op = builder.create(state);
  if (failed(verifyAtNode(op)))
    return failure();
  return op;
}

} // namespace edgec::detail

#endif // EDGEC_COMPILER_IMPORT_IMPORTER_H
