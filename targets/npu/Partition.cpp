//===- Partition.cpp - which layers run on the NPU, and their streams -----===//
//
// npu-partition (first in the linalg phase, after edge-quant-fold, when the
// module has an `npu.config`): every quantized Conv (dense or depthwise),
// Gemm or MatMul of one row the configuration can run -- int8 activations,
// int8 weights with zero point 0, a batch of 1, no dilation, the spec's
// limits, and a step that fits the SRAM -- becomes an `npu.stream` and an
// `npu.invoke` of it, with a following Relu or Clip folded into the output
// stage's clamp. The layer stays on the CPU unless the cost model says the
// NPU pays:
//
//   NPU: the stream's cycles (the validator's timing, docs/npu-spec.md §5)
//        + 300 cycles for the call + the layout copies around it
//        (input and output bytes at 16 bytes a cycle);
//   CPU: MACs / int8 MACs per cycle of the target (#edge.target: a vector
//        of int8 dot products with `dot`, half that without, 1 without
//        SIMD);
//
// both at one clock (`placement = all` skips the comparison). The NPU
// computes exactly what the CPU code would (the output stage is the CPU's
// requantization, docs/npu-spec.md §2.2), so the choice never changes a
// result. Each stream records its layer, MACs, cycles and DMA bytes, and
// each layer kept on the CPU why, for the report (module attribute
// `npu.placement`).
//
//===----------------------------------------------------------------------===//
#include "targets/npu/LayerLowering.h"
#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuStream.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/Pass.h"

#include <cmath>

using namespace mlir;

namespace npu {

namespace {

struct PerTensorQ {
  double scale;
  int64_t zp;
};

/// A per-tensor signed 8-bit quantized tensor type's parameters.
std::optional<PerTensorQ> int8PerTensor(Type t) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
  if (!q || !q.isSigned() || q.getStorageTypeIntegralWidth() != 8 ||
      q.getStorageTypeMin() != -128 || q.getStorageTypeMax() != 127)
    return std::nullopt;
  return PerTensorQ{q.getScale(), q.getZeroPoint()};
}

/// The constant storage of a quantized operand (storage_cast of a
/// constant).
DenseElementsAttr constantStorage(Value v) {
  DenseElementsAttr attr;
  auto cast = v ? v.getDefiningOp<edge::StorageCastOp>() : nullptr;
  if (!cast || !matchPattern(cast.getInput(), m_Constant(&attr)))
    return {};
  return attr;
}

std::optional<SmallVector<double>> weightScales(Type t, int64_t count,
                                                int64_t axis) {
  Type et = getElementTypeOrSelf(t);
  if (auto q = dyn_cast<quant::UniformQuantizedType>(et)) {
    if (q.getZeroPoint() != 0 || q.getStorageTypeIntegralWidth() != 8 ||
        !q.isSigned())
      return std::nullopt;
    return SmallVector<double>(count, q.getScale());
  }
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(et);
  if (!pa || pa.getQuantizedDimension() != axis ||
      int64_t(pa.getScales().size()) != count ||
      pa.getStorageTypeIntegralWidth() != 8 || !pa.isSigned() ||
      llvm::any_of(pa.getZeroPoints(), [](int64_t z) { return z != 0; }))
    return std::nullopt;
  return SmallVector<double>(pa.getScales());
}

/// A layer the NPU may run: the op, the activation folded into it, and
/// what the stream needs.
struct Candidate {
  Operation *op = nullptr;
  Operation *act = nullptr; // a Relu/Clip folded into the output stage
  /// The op whose result the layer computes, when not `act` or `op` (a
  /// pooling's quantize), and the ops before `op` it replaces (its
  /// dequantize), erased when nothing else uses them.
  Operation *last = nullptr;
  Operation *first = nullptr;
  Value input;              // quantized (NCHW, or [1, K])
  Value input2;             // an addition's second input
  Layer layer;
};

/// The int32 bias values (count entries), zeros without a bias.
std::optional<std::vector<int32_t>> biasOf(Value bias, int64_t count) {
  std::vector<int32_t> out(count, 0);
  if (!bias)
    return out;
  DenseElementsAttr attr = constantStorage(bias);
  if (!attr || attr.getNumElements() != count)
    return std::nullopt;
  int64_t i = 0;
  for (APInt v : attr.getValues<APInt>())
    out[i++] = int32_t(v.getSExtValue());
  return out;
}

/// The multipliers as the CPU code computes them (QuantizedKernels.cpp):
/// s_x * s_w / s_y in double, rounded once to f32.
std::vector<float> multipliersOf(double sx, ArrayRef<double> sw, double sy) {
  std::vector<float> m;
  for (double s : sw)
    m.push_back(float(sx * s / sy));
  return m;
}

/// Folds a lone Relu/Clip user of `result` into the layer's clamp, with the
/// bounds the CPU code would use.
Operation *foldActivation(Value result, Layer &l, double scale) {
  if (!result.hasOneUse())
    return nullptr;
  Operation *user = *result.getUsers().begin();
  if (user->getNumResults() != 1 ||
      user->getResult(0).getType() != result.getType())
    return nullptr;
  auto bound = [&](double v) {
    double r = std::nearbyint(v / scale) + double(l.outZp);
    return int32_t(std::min(std::max(r, -128.0), 127.0));
  };
  if (isa<edge::ReluOp>(user)) {
    l.actMin = l.outZp;
    return user;
  }
  if (auto clip = dyn_cast<edge::ClipOp>(user)) {
    int32_t lo = bound(clip.getMin().convertToDouble());
    int32_t hi = bound(clip.getMax().convertToDouble());
    if (lo > hi)
      return nullptr;
    l.actMin = lo;
    l.actMax = hi;
    return user;
  }
  return nullptr;
}

/// The shapes of a 2-D window op over NCHW tensors of batch 1: input and
/// output sizes, the kernel (KH, KW), strides and pads (top, left, bottom,
/// right).
void setWindow(Layer &l, RankedTensorType in, RankedTensorType out,
               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> pads) {
  l.ic = in.getDimSize(1);
  l.ih = in.getDimSize(2);
  l.iw = in.getDimSize(3);
  l.oc = out.getDimSize(1);
  l.oh = out.getDimSize(2);
  l.ow = out.getDimSize(3);
  l.kh = kernel[0];
  l.kw = kernel[1];
  l.sh = strides[0];
  l.sw = strides[1];
  l.padTop = pads[0];
  l.padLeft = pads[1];
  l.padBottom = pads[2];
  l.padRight = pads[3];
}

std::optional<Candidate> convCandidate(edge::ConvOp op, std::string &why) {
  auto inT = op.getInput().getType(), fT = op.getFilter().getType();
  auto outT = op.getType();
  auto xq = int8PerTensor(inT), yq = int8PerTensor(outT);
  if (!xq || !yq) {
    why = "its activations are not per-tensor int8";
    return std::nullopt;
  }
  if (inT.getRank() != 4 || inT.getDimSize(0) != 1 || !inT.hasStaticShape()) {
    why = "it is not a 2-D convolution of one image";
    return std::nullopt;
  }
  if (llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; })) {
    why = "it is dilated";
    return std::nullopt;
  }
  DenseElementsAttr w = constantStorage(op.getFilter());
  if (!w) {
    why = "its filter is not constant";
    return std::nullopt;
  }
  Candidate c;
  c.op = op;
  c.input = op.getInput();
  Layer &l = c.layer;
  int64_t group = int64_t(op.getGroup());
  setWindow(l, inT, outT, {fT.getDimSize(2), fT.getDimSize(3)}, op.getStrides(),
            op.getPads());
  if (group == 1)
    l.kind = Layer::Kind::Conv;
  else if (group == l.ic && l.oc == l.ic && fT.getDimSize(1) == 1)
    l.kind = Layer::Kind::DwConv;
  else {
    why = "it is a grouped convolution";
    return std::nullopt;
  }
  auto sw = weightScales(fT, l.oc, 0);
  auto bias = biasOf(op.getBias(), l.oc);
  if (!sw || !bias) {
    why = "its weights or bias are not int8 / int32 constants";
    return std::nullopt;
  }
  l.inZp = int32_t(xq->zp);
  l.outZp = int32_t(yq->zp);
  l.bias = *bias;
  l.multiplier = multipliersOf(xq->scale, *sw, yq->scale);
  // Filter (F, C/g, KH, KW) as [OC][KH][KW][IC], or [KH][KW][C].
  std::vector<int8_t> src;
  for (APInt v : w.getValues<APInt>())
    src.push_back(int8_t(v.getSExtValue()));
  int64_t cg = fT.getDimSize(1);
  l.weights.resize(src.size());
  for (int64_t o = 0; o < l.oc; ++o)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t y = 0; y < l.kh; ++y)
        for (int64_t x = 0; x < l.kw; ++x) {
          int8_t v = src[((o * cg + ci) * l.kh + y) * l.kw + x];
          if (l.kind == Layer::Kind::Conv)
            l.weights[((o * l.kh + y) * l.kw + x) * l.ic + ci] = v;
          else
            l.weights[(y * l.kw + x) * l.oc + o] = v;
        }
  c.act = foldActivation(op.getResult(), l, yq->scale);
  return c;
}

/// Gemm (alpha = beta = 1, not transA) or MatMul of a [1, K] input with
/// constant [K, N] (or, transB, [N, K]) weights.
std::optional<Candidate> fcCandidate(Operation *op, Value a, Value w,
                                     Value bias, bool transB,
                                     std::string &why) {
  auto inT = cast<RankedTensorType>(a.getType());
  auto outT = cast<RankedTensorType>(op->getResult(0).getType());
  auto xq = int8PerTensor(inT), yq = int8PerTensor(outT);
  if (!xq || !yq) {
    why = "its activations are not per-tensor int8";
    return std::nullopt;
  }
  if (inT.getRank() != 2 || inT.getDimSize(0) != 1 || !inT.hasStaticShape()) {
    why = "its input is not one row";
    return std::nullopt;
  }
  DenseElementsAttr wAttr = constantStorage(w);
  auto wT = cast<RankedTensorType>(w.getType());
  if (!wAttr || wT.getRank() != 2) {
    why = "its weights are not a constant matrix";
    return std::nullopt;
  }
  Candidate c;
  c.op = op;
  c.input = a;
  Layer &l = c.layer;
  l.kind = Layer::Kind::Fc;
  l.ic = inT.getDimSize(1);
  l.oc = outT.getDimSize(1);
  auto sw = weightScales(wT, l.oc, transB ? 0 : 1);
  auto b = biasOf(bias, l.oc);
  if (!sw || !b) {
    why = "its weights or bias are not int8 / int32 constants";
    return std::nullopt;
  }
  l.inZp = int32_t(xq->zp);
  l.outZp = int32_t(yq->zp);
  l.bias = *b;
  l.multiplier = multipliersOf(xq->scale, *sw, yq->scale);
  std::vector<int8_t> src;
  for (APInt v : wAttr.getValues<APInt>())
    src.push_back(int8_t(v.getSExtValue()));
  l.weights.resize(src.size());
  for (int64_t o = 0; o < l.oc; ++o)
    for (int64_t k = 0; k < l.ic; ++k)
      l.weights[o * l.ic + k] = transB ? src[o * l.ic + k] : src[k * l.oc + o];
  c.act = foldActivation(op->getResult(0), l, yq->scale);
  return c;
}

/// quantize(max_pool(dequantize(x))) with one int8 per-tensor type on both
/// sides: the NPU's POOL max computes exactly what the CPU's float code
/// does (a max of dequantized values quantized back with the same scale
/// gives the largest input back).
std::optional<Candidate> maxPoolCandidate(edge::MaxPoolOp op,
                                          std::string &why) {
  auto dq = op.getInput().getDefiningOp<edge::DequantizeOp>();
  if (!dq || !op.getResult().hasOneUse())
    return std::nullopt;
  auto q = dyn_cast<edge::QuantizeOp>(*op.getResult().getUsers().begin());
  if (!q)
    return std::nullopt;
  auto inT = dq.getInput().getType();
  auto xq = int8PerTensor(inT), yq = int8PerTensor(q.getType());
  if (!xq || !yq || inT.getElementType() != q.getType().getElementType()) {
    why = "its input and output are not int8 with one quantization";
    return std::nullopt;
  }
  if (inT.getRank() != 4 || inT.getDimSize(0) != 1 || !inT.hasStaticShape()) {
    why = "it is not a 2-D pooling of one image";
    return std::nullopt;
  }
  if (op.getCeilMode() ||
      llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; })) {
    why = "it is dilated or rounds its output size up";
    return std::nullopt;
  }
  Candidate c;
  c.op = op;
  c.first = dq;
  c.last = q;
  c.input = dq.getInput();
  Layer &l = c.layer;
  l.kind = Layer::Kind::MaxPool;
  auto outT = q.getType();
  setWindow(l, inT, outT, op.getKernelShape(), op.getStrides(), op.getPads());
  l.inZp = l.outZp = int32_t(xq->zp);
  return c;
}

/// edge.quantized_average_pool of an int8 NCHW image: the NPU's POOL
/// average, whose arithmetic the op defines (Q7).
std::optional<Candidate> avgPoolCandidate(edge::QuantizedAveragePoolOp op,
                                          std::string &why) {
  auto inT = op.getInput().getType(), outT = op.getType();
  auto xq = int8PerTensor(inT), yq = int8PerTensor(outT);
  if (!xq || !yq) {
    why = "its input and output are not per-tensor int8";
    return std::nullopt;
  }
  if (inT.getDimSize(0) != 1 || !inT.hasStaticShape()) {
    why = "it is not a pooling of one image";
    return std::nullopt;
  }
  Candidate c;
  c.op = op;
  c.input = op.getInput();
  Layer &l = c.layer;
  l.kind = Layer::Kind::AvgPool;
  setWindow(l, inT, outT, op.getKernelShape(), op.getStrides(), {0, 0, 0, 0});
  l.inZp = int32_t(xq->zp);
  l.outZp = int32_t(yq->zp);
  l.poolMultiplier = op.multiplier();
  c.act = foldActivation(op.getResult(), l, yq->scale);
  return c;
}

/// edge.quantized_add of int8 NCHW images: the NPU's ELTWISE add, whose
/// arithmetic the op defines (Q6).
std::optional<Candidate> addCandidate(edge::QuantizedAddOp op,
                                      std::string &why) {
  auto lq = int8PerTensor(op.getLhs().getType()),
       rq = int8PerTensor(op.getRhs().getType()),
       yq = int8PerTensor(op.getType());
  if (!lq || !rq || !yq) {
    why = "its operands are not per-tensor int8";
    return std::nullopt;
  }
  auto t = op.getType();
  if (t.getRank() != 4 || t.getDimSize(0) != 1 || !t.hasStaticShape()) {
    why = "it is not an addition of two images";
    return std::nullopt;
  }
  Candidate c;
  c.op = op;
  c.input = op.getLhs();
  c.input2 = op.getRhs();
  Layer &l = c.layer;
  l.kind = Layer::Kind::Add;
  setWindow(l, t, t, {1, 1}, {1, 1}, {0, 0, 0, 0});
  l.inZp = int32_t(lq->zp);
  l.inZp2 = int32_t(rq->zp);
  l.outZp = int32_t(yq->zp);
  // The multipliers as the CPU computes them (QuantizedAddLowering).
  l.eltMultiplier[0] = float(lq->scale / yq->scale);
  l.eltMultiplier[1] = float(rq->scale / yq->scale);
  c.act = foldActivation(op.getResult(), l, yq->scale);
  return c;
}

std::optional<Candidate> candidateOf(Operation *op, std::string &why) {
  if (auto pool = dyn_cast<edge::MaxPoolOp>(op))
    return maxPoolCandidate(pool, why);
  if (auto add = dyn_cast<edge::QuantizedAddOp>(op))
    return addCandidate(add, why);
  if (auto avg = dyn_cast<edge::QuantizedAveragePoolOp>(op))
    return avgPoolCandidate(avg, why);
  if (op->getNumResults() != 1 ||
      !isa<quant::QuantizedType>(getElementTypeOrSelf(op->getResult(0))))
    return std::nullopt;
  if (auto conv = dyn_cast<edge::ConvOp>(op))
    return convCandidate(conv, why);
  if (auto gemm = dyn_cast<edge::GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        gemm.getBeta().convertToDouble() != 1.0) {
      why = "it is a transposed or scaled Gemm";
      return std::nullopt;
    }
    return fcCandidate(op, gemm.getA(), gemm.getB(), gemm.getC(),
                       gemm.getTransB(), why);
  }
  if (auto mm = dyn_cast<edge::MatMulOp>(op))
    return fcCandidate(op, mm.getLhs(), mm.getRhs(), Value(), false, why);
  return std::nullopt;
}

/// int8 MACs a cycle of the module's CPU (see the file comment).
double cpuMacsPerCycle(ModuleOp module) {
  auto target = module->getAttrOfType<edge::TargetAttr>("edge.target");
  if (!target || target.getVectorBits() == 0)
    return 1.0;
  double lanes = double(target.getVectorBits()) / 8.0;
  bool dot = target.getDot() && target.getDot().getValue() != "none";
  return dot ? lanes : lanes / 2.0;
}

/// The i8 storage of a quantized NCHW value as NHWC, reusing the NHWC value
/// behind it when it is the output of an earlier NPU layer.
Value toDeviceLayout(OpBuilder &b, Location loc, Value x, bool image) {
  auto t = cast<RankedTensorType>(x.getType());
  if (auto back = x.getDefiningOp<edge::StorageCastOp>())
    if (auto tr = back.getInput().getDefiningOp<edge::TransposeOp>())
      if (image && llvm::equal(tr.getPerm(), ArrayRef<int64_t>{0, 3, 1, 2}) &&
          tr.getInput().getDefiningOp<InvokeOp>())
        return tr.getInput();
  Type i8 = b.getIntegerType(8);
  Value s = edge::StorageCastOp::create(b, loc, t.clone(i8), x);
  if (!image)
    return s;
  auto shape = t.getShape();
  return edge::TransposeOp::create(
      b, loc,
      RankedTensorType::get({shape[0], shape[2], shape[3], shape[1]}, i8), s,
      b.getDenseI64ArrayAttr({0, 2, 3, 1}));
}

struct NpuPartitionPass
    : PassWrapper<NpuPartitionPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NpuPartitionPass)
  NpuPartitionPass() = default;
  NpuPartitionPass(const NpuPartitionPass &other) : PassWrapper(other) {}
  StringRef getArgument() const override { return "npu-partition"; }
  StringRef getDescription() const override {
    return "Place the quantized layers the module's NPU runs, where the "
           "cost model says it pays, on the NPU (npu.stream + npu.invoke)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<NpuDialect, arith::ArithDialect, edge::EdgeDialect>();
  }
  Option<std::string> placement{
      *this, "placement",
      llvm::cl::desc("cost (the cost model decides) or all (every layer the "
                     "NPU can run)"),
      llvm::cl::init("cost")};

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<NpuConfig> config = moduleConfig(module);
    if (!config)
      return;
    if (std::string bad = checkConfig(*config); !bad.empty()) {
      module.emitError() << "npu.config: " << bad;
      return signalPassFailure();
    }
    if (placement != "cost" && placement != "all") {
      module.emitError() << "npu-partition: placement must be 'cost' or "
                            "'all', not '"
                         << placement << "'";
      return signalPassFailure();
    }
    const double macsPerCycle = cpuMacsPerCycle(module);
    MLIRContext *ctx = &getContext();
    Builder attrs(ctx);
    SmallVector<Attribute> report;
    int64_t count = 0;
    bool failedAny = false;
    auto record = [&](Operation *op, StringRef device, StringRef reason,
                      int64_t macs, uint64_t npuCycles, uint64_t cpuCycles,
                      StringRef stream) {
      SmallVector<NamedAttribute> e{
          attrs.getNamedAttr("layer", attrs.getStringAttr(edge::layerName(op))),
          attrs.getNamedAttr("op",
                             attrs.getStringAttr(op->getName().getStringRef())),
          attrs.getNamedAttr("device", attrs.getStringAttr(device)),
          attrs.getNamedAttr("macs", attrs.getI64IntegerAttr(macs))};
      if (!reason.empty())
        e.push_back(attrs.getNamedAttr("reason", attrs.getStringAttr(reason)));
      if (npuCycles)
        e.push_back(attrs.getNamedAttr("npu_cycles",
                                       attrs.getI64IntegerAttr(npuCycles)));
      e.push_back(
          attrs.getNamedAttr("cpu_cycles", attrs.getI64IntegerAttr(cpuCycles)));
      if (!stream.empty())
        e.push_back(attrs.getNamedAttr("stream", attrs.getStringAttr(stream)));
      report.push_back(attrs.getDictionaryAttr(e));
    };

    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<edge::ConvOp, edge::GemmOp, edge::MatMulOp, edge::MaxPoolOp,
              edge::QuantizedAddOp, edge::QuantizedAveragePoolOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      std::string why;
      std::optional<Candidate> c = candidateOf(op, why);
      if (!c) {
        if (!why.empty())
          record(op, "cpu", why, 0, 0, 0, "");
        continue;
      }
      Layer &l = c->layer;
      uint64_t cpuCycles = uint64_t(std::ceil(double(l.work()) / macsPerCycle));
      if (std::string bad = checkLayer(l); !bad.empty()) {
        record(op, "cpu", bad, l.macs(), 0, cpuCycles, "");
        continue;
      }
      std::string name = "npu_layer" + std::to_string(count);
      OpBuilder b(ctx);
      b.setInsertionPoint(op->getParentOfType<func::FuncOp>());
      FailureOr<LayerStream> s =
          lowerLayer(b, op->getLoc(), name, *config, l, why);
      if (failed(s)) {
        if (!why.empty()) {
          record(op, "cpu", why, l.macs(), 0, cpuCycles, "");
          continue;
        }
        failedAny = true;
        continue;
      }
      bool image = l.kind != Layer::Kind::Fc;
      uint64_t ioBytes = uint64_t(l.ih * l.iw * l.ic + l.oh * l.ow * l.oc);
      uint64_t npuCycles = s->cycles + 300 + (image ? ioBytes / 16 : 0);
      if (placement == "cost" && npuCycles >= cpuCycles) {
        s->stream.erase();
        record(op, "cpu", "the cost model: the CPU is faster", l.macs(),
               npuCycles, cpuCycles, "");
        continue;
      }
      ++count;
      s->stream->setAttr("layer", attrs.getStringAttr(edge::layerName(op)));
      s->stream->setAttr("macs", attrs.getI64IntegerAttr(l.macs()));
      s->stream->setAttr("cycles", attrs.getI64IntegerAttr(s->cycles));
      s->stream->setAttr("dma_bytes", attrs.getI64IntegerAttr(s->dmaBytes));
      if (s->weightTiles) {
        s->stream->setAttr("weight_bytes",
                           attrs.getI64IntegerAttr(s->weightBytes));
        s->stream->setAttr("weight_tiles",
                           attrs.getI64IntegerAttr(s->weightTiles));
        s->stream->setAttr("stored_tiles",
                           attrs.getI64IntegerAttr(s->storedTiles));
      }
      record(op, "npu", "", l.macs(), npuCycles, cpuCycles, name);

      // The CPU side: the input in the device's layout, the constants, the
      // invoke, and the result back in the graph's layout and type.
      Operation *last = c->last ? c->last : c->act ? c->act : op;
      b.setInsertionPoint(last);
      Location loc = op->getLoc();
      SmallVector<Value> inputs{toDeviceLayout(b, loc, c->input, image)};
      if (c->input2)
        inputs.push_back(toDeviceLayout(b, loc, c->input2, image));
      auto blobType =
          RankedTensorType::get({int64_t(s->constants.size())}, b.getI8Type());
      Value constants = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(blobType, ArrayRef<int8_t>(s->constants)));
      auto outT = cast<RankedTensorType>(last->getResult(0).getType());
      Type i8 = b.getI8Type();
      RankedTensorType deviceOut =
          image ? RankedTensorType::get({1, l.oh, l.ow, l.oc}, i8)
                : RankedTensorType::get({1, l.oc}, i8);
      Value y =
          InvokeOp::create(b, loc, deviceOut, FlatSymbolRefAttr::get(ctx, name),
                           constants, inputs);
      if (image)
        y = edge::TransposeOp::create(b, loc, outT.clone(i8), y,
                                      b.getDenseI64ArrayAttr({0, 3, 1, 2}));
      y = edge::StorageCastOp::create(b, loc, outT, y);
      last->getResult(0).replaceAllUsesWith(y);
      if (c->last)
        c->last->erase();
      if (c->act)
        c->act->erase();
      op->erase();
      if (c->first && c->first->use_empty())
        c->first->erase();
    }
    if (failedAny)
      return signalPassFailure();
    module->setAttr("npu.placement", attrs.getArrayAttr(report));
  }
};
} // namespace

std::unique_ptr<Pass> createNpuPartitionPass(StringRef placement) {
  auto pass = std::make_unique<NpuPartitionPass>();
  pass->placement = placement.str();
  return pass;
}

void registerNpuPartitionPass() { PassRegistration<NpuPartitionPass>(); }

} // namespace npu
