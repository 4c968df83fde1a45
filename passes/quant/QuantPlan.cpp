//===- QuantPlan.cpp - where post-training quantization puts Q/DQ ---------===//
//
// Which ops compute quantized: every Conv/Gemm/MatMul with a constant weight
// whose precision (the mode's width, or its own) is not float; then, in
// program order, every Relu/Clip/pooling/Add/Mul/Concat/Reshape/Transpose
// one of whose inputs a quantized op produces (as ONNX Runtime's QDQ
// quantizer does for such "pass-through" ops). A Relu/Clip that is the only
// user of a quantized layer is fused into it. A quantized op's input and
// output tensors get one Q/DQ pair each, at the largest width of the
// quantized ops touching them; MaxPool, Reshape and Transpose outputs reuse
// their input's type when the widths agree.
//
//===----------------------------------------------------------------------===//
#include "passes/quant/QuantPlan.h"

#include "passes/quant/Passes.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace edge;

DenseElementsAttr edgec::ptq::f32Constant(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return {};
  return attr;
}

bool edgec::ptq::isF32Tensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32();
}

namespace {

using edgec::ptq::f32Constant;
using edgec::ptq::isF32Tensor;

/// A dequantized integer constant: dequantize(storage_cast(constant)), the
/// form of a QDQ model's weights (and of int8-stored weights in float
/// models). Its quantized type, or null.
quant::QuantizedType quantizedConstantType(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  auto cast = dq ? dq.getInput().getDefiningOp<StorageCastOp>() : nullptr;
  if (!cast || !matchPattern(cast.getInput(), m_Constant()))
    return {};
  return dyn_cast<quant::QuantizedType>(
      cast.getOutput().getType().getElementType());
}

/// The values of a constant f32 tensor or a dequantized integer constant.
std::optional<SmallVector<float>> constantValues(Value v) {
  if (DenseElementsAttr attr = f32Constant(v))
    return SmallVector<float>(attr.getValues<float>());
  quant::QuantizedType qt = quantizedConstantType(v);
  if (!qt)
    return std::nullopt;
  auto cast =
      v.getDefiningOp<DequantizeOp>().getInput().getDefiningOp<StorageCastOp>();
  DenseElementsAttr ints;
  if (!matchPattern(cast.getInput(), m_Constant(&ints)))
    return std::nullopt;
  auto type = cast.getOutput().getType();
  SmallVector<double> scales;
  SmallVector<int64_t> zps;
  int64_t axis = -1, inner = 1;
  if (auto t = dyn_cast<quant::UniformQuantizedType>(qt)) {
    scales.push_back(t.getScale());
    zps.push_back(t.getZeroPoint());
  } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(qt)) {
    llvm::append_range(scales, t.getScales());
    llvm::append_range(zps, t.getZeroPoints());
    axis = t.getQuantizedDimension();
    for (int64_t d = axis + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
  } else {
    return std::nullopt;
  }
  SmallVector<float> out;
  bool isSigned = qt.isSigned();
  size_t i = 0;
  for (const APInt &q : ints.getValues<APInt>()) {
    size_t c = axis < 0 ? 0 : (i / inner) % scales.size();
    int64_t v = isSigned ? q.getSExtValue() : int64_t(q.getZExtValue());
    out.push_back(float(v - zps[c]) * float(scales[c]));
    ++i;
  }
  return out;
}

bool isConstantLike(Value v) {
  return f32Constant(v) || quantizedConstantType(v);
}

/// Pass-through ops whose output takes its input's scale and zero point:
/// they only move or select values.
bool sharesInputScale(Operation *op) {
  return isa<ReshapeOp, TransposeOp, MaxPoolOp>(op);
}

float asFloatScale(double s) {
  float f = float(s);
  return f > 0 && std::isfinite(f) ? f : 1.0f;
}

} // namespace

quant::UniformQuantizedType edgec::ptq::rangeType(MLIRContext *ctx, double lo,
                                                  double hi, int bits) {
  Type f32 = Float32Type::get(ctx);
  unsigned flags = quant::QuantizationFlags::Signed;
  if (bits == 16) {
    double a = std::max(std::abs(lo), std::abs(hi));
    float s = a > 0 ? asFloatScale(a / 32767.0) : 1.0f;
    return quant::UniformQuantizedType::get(flags, IntegerType::get(ctx, 16),
                                            f32, s, 0, -32768, 32767);
  }
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  float s = hi > lo ? asFloatScale((hi - lo) / 255.0) : 1.0f;
  int64_t zp = int64_t(std::nearbyint(-128.0 - lo / double(s)));
  zp = std::clamp<int64_t>(zp, -128, 127);
  return quant::UniformQuantizedType::get(flags, IntegerType::get(ctx, 8), f32,
                                          s, zp, -128, 127);
}

int64_t edgec::ptq::quantizeValue(float x, float s, int64_t zp, int64_t lo,
                                  int64_t hi) {
  float q = std::nearbyint(x / s) + float(zp);
  return std::clamp<int64_t>(
      int64_t(std::clamp<float>(q, float(lo), float(hi))), lo, hi);
}

Value edgec::ptq::quantizedConstant(OpBuilder &b, Location loc,
                                    RankedTensorType type,
                                    ArrayRef<int64_t> ints,
                                    quant::QuantizedType qtype) {
  unsigned width = qtype.getStorageTypeIntegralWidth();
  auto storageType = type.clone(IntegerType::get(b.getContext(), width));
  SmallVector<APInt> raw;
  raw.reserve(ints.size());
  for (int64_t v : ints)
    raw.push_back(APInt(width, uint64_t(v), /*isSigned=*/true));
  Value c = arith::ConstantOp::create(b, loc,
                                      DenseElementsAttr::get(storageType, raw));
  Value q = StorageCastOp::create(b, loc, type.clone(qtype), c);
  return DequantizeOp::create(b, loc, type, q);
}

Value edgec::ptq::quantizeConstantPerTensor(OpBuilder &b, Location loc,
                                            DenseElementsAttr attr, int bits) {
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<float> vals(attr.getValues<float>());
  double lo = 0, hi = 0;
  for (float v : vals) {
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
  }
  auto qt = ptq::rangeType(b.getContext(), lo, hi, bits);
  float s = float(qt.getScale());
  SmallVector<int64_t> ints;
  for (float v : vals)
    ints.push_back(ptq::quantizeValue(v, s, qt.getZeroPoint(),
                                      qt.getStorageTypeMin(),
                                      qt.getStorageTypeMax()));
  return ptq::quantizedConstant(b, loc, type, ints, qt);
}

edgec::ptq::LayerWeights edgec::ptq::quantizeLayerWeights(OpBuilder &b,
                                                          Operation *op) {
  using namespace edgec::ptq;
  unsigned idx = edgec::ptq::layerWeightOperand(op);
  int64_t axis = edgec::ptq::layerWeightAxis(op);
  Value weight = op->getOperand(idx);
  auto type = cast<RankedTensorType>(weight.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t channels = shape[axis];
  LayerWeights w;
  if (quant::QuantizedType qt = quantizedConstantType(weight)) {
    bool int8 = qt.isSigned() && qt.getStorageTypeIntegralWidth() == 8;
    if (auto t = dyn_cast<quant::UniformQuantizedType>(qt);
        t && int8 && t.getZeroPoint() == 0) {
      w.scales.assign(channels, float(t.getScale()));
      w.dequantized = weight;
      return w;
    }
    if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(qt);
        t && int8 && t.getQuantizedDimension() == axis &&
        llvm::all_of(t.getZeroPoints(), [](int64_t z) { return z == 0; })) {
      for (double s : t.getScales())
        w.scales.push_back(float(s));
      w.dequantized = weight;
      return w;
    }
  }
  SmallVector<float> vals = *constantValues(weight);
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= shape[d];
  auto channelOf = [&](size_t i) { return int64_t(i / inner) % channels; };
  SmallVector<float> absMax(channels, 0.0f);
  for (size_t i = 0; i < vals.size(); ++i)
    absMax[channelOf(i)] = std::max(absMax[channelOf(i)], std::abs(vals[i]));
  for (float m : absMax)
    w.scales.push_back(m > 0 ? asFloatScale(double(m) / 127.0) : 1.0f);
  SmallVector<int64_t> ints;
  ints.reserve(vals.size());
  for (size_t i = 0; i < vals.size(); ++i)
    ints.push_back(
        quantizeValue(vals[i], w.scales[channelOf(i)], 0, -127, 127));
  SmallVector<double> scales(w.scales.begin(), w.scales.end());
  SmallVector<int64_t> zps(channels, 0);
  auto qt = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(b.getContext(), 8),
      b.getF32Type(), scales, zps, int32_t(axis), -128, 127);
  w.dequantized = quantizedConstant(b, op->getLoc(), type, ints, qt);
  return w;
}

std::optional<unsigned> edgec::ptq::layerBiasOperand(Operation *op) {
  int64_t channels =
      cast<RankedTensorType>(op->getOperand(layerWeightOperand(op)).getType())
          .getDimSize(layerWeightAxis(op));
  unsigned idx;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    if (!conv.getBias())
      return std::nullopt;
    idx = 2;
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (!gemm.getC() || gemm.getAlpha().convertToFloat() != 1.0f ||
        gemm.getBeta().convertToFloat() != 1.0f)
      return std::nullopt;
    idx = 2;
  } else {
    return std::nullopt;
  }
  DenseElementsAttr attr = f32Constant(op->getOperand(idx));
  if (!attr)
    return std::nullopt;
  auto shape = cast<RankedTensorType>(attr.getType()).getShape();
  if (shape.empty() || shape.back() != channels ||
      attr.getNumElements() != channels)
    return std::nullopt;
  return idx;
}

bool edgec::ptq::isActivation(Value v) {
  return isF32Tensor(v) && !isConstantLike(v);
}

bool edgec::ptq::QuantPlan::readsQuantized(Value tensor,
                                           Operation *user) const {
  return bitsOf(tensor.getDefiningOp()) > 0 || bitsOf(user) > 0;
}

FailureOr<edgec::ptq::QuantPlan>
edgec::ptq::planQuantization(func::FuncOp func, int defaultBits,
                             PrecisionFn precision) {
  Block &body = func.getBody().front();
  MLIRContext *ctx = func.getContext();
  QuantPlan plan;
  auto &opBits = plan.opBits;
  auto &fused = plan.fused;
  auto &tensorBits = plan.tensorBits;
  auto &types = plan.types;
  auto producerBits = [&](Value v) { return plan.bitsOf(v.getDefiningOp()); };

  // 1. Which ops compute quantized, at which width (0: float).
  for (Operation &op : body) {
    int p = precision(&op);
    if (edgec::ptq::isQuantizableLayer(&op)) {
      opBits[&op] = p >= 0 ? p : defaultBits;
      continue;
    }
    if (!edgec::ptq::isQuantizablePassThrough(&op) || p == 0)
      continue;
    if (isa<ReluOp, ClipOp>(op)) {
      Operation *layer = op.getOperand(0).getDefiningOp();
      if (layer && edgec::ptq::isQuantizableLayer(layer) &&
          opBits.lookup(layer) > 0 && layer->hasOneUse()) {
        opBits[&op] = std::max(opBits.lookup(layer), std::max(p, 0));
        fused.insert(&op);
        continue;
      }
    }
    int bits = p > 0 ? p : 0;
    if (p < 0)
      for (Value v : op.getOperands())
        if (isActivation(v))
          bits = std::max(bits, producerBits(v));
    if (bits > 0)
      opBits[&op] = bits;
  }

  // 2. The tensors the quantized ops touch, at the widest width.
  auto touch = [&](Value v, int bits) {
    int &b = tensorBits[v];
    b = std::max(b, bits);
  };
  for (BlockArgument arg : body.getArguments())
    for (Operation *user : arg.getUsers())
      if (opBits.lookup(user) > 0 && isActivation(arg))
        touch(arg, opBits.lookup(user));
  for (Operation &op : body) {
    int bits = opBits.lookup(&op);
    if (bits == 0)
      continue;
    if (!fused.contains(&op))
      for (Value v : op.getOperands())
        if (isActivation(v) && isa<OpResult>(v))
          touch(v, bits);
    Value out = op.getResult(0);
    bool feedsFused = out.hasOneUse() && fused.contains(*out.user_begin());
    if (isF32Tensor(out) && !feedsFused)
      touch(out, bits);
  }
  // 3. Their quantized types, in program order (a shared scale needs its
  // input's type first).
  auto rangeOf = [&](Value v) -> std::optional<std::pair<double, double>> {
    DenseF64ArrayAttr r;
    if (auto arg = dyn_cast<BlockArgument>(v))
      r = func.getArgAttrOfType<DenseF64ArrayAttr>(
          arg.getArgNumber(), edgec::ptq::kCalibrationAttr);
    else
      r = v.getDefiningOp()->getAttrOfType<DenseF64ArrayAttr>(
          edgec::ptq::kCalibrationAttr);
    if (!r || r.size() != 2 || !std::isfinite(r[0]) || !std::isfinite(r[1]) ||
        r[0] > r[1])
      return std::nullopt;
    return std::make_pair(r[0], r[1]);
  };
  auto assignType = [&](Value v) -> LogicalResult {
    int bits = tensorBits.lookup(v);
    Operation *def = v.getDefiningOp();
    if (def && sharesInputScale(def) && opBits.lookup(def) > 0) {
      auto in = types.find(def->getOperand(0));
      if (in != types.end() &&
          in->second.getStorageTypeIntegralWidth() == unsigned(bits)) {
        // A copy first: inserting v may grow the map under `in`.
        quant::UniformQuantizedType shared = in->second;
        types[v] = shared;
        return success();
      }
    }
    auto range = rangeOf(v);
    if (!range) {
      InFlightDiagnostic d = def ? def->emitError() : func.emitError();
      d << "no calibrated range for ";
      if (def)
        d << "this op's result";
      else
        d << "argument " << cast<BlockArgument>(v).getArgNumber();
      d << " (expected " << edgec::ptq::kCalibrationAttr
        << " = array<f64: min, max>)";
      return failure();
    }
    types[v] = rangeType(ctx, range->first, range->second, bits);
    return success();
  };
  for (BlockArgument arg : body.getArguments())
    if (tensorBits.count(arg) && failed(assignType(arg)))
      return failure();
  for (Operation &op : body)
    for (Value r : op.getResults())
      if (tensorBits.count(r) && failed(assignType(r)))
        return failure();

  return plan;
}

bool edgec::ptq::isQuantizableLayer(Operation *op) {
  Value activation, weight;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    activation = conv.getInput();
    weight = conv.getFilter();
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    activation = gemm.getA();
    weight = gemm.getB();
  } else if (auto mm = dyn_cast<MatMulOp>(op)) {
    activation = mm.getLhs();
    weight = mm.getRhs();
    if (mm.getRhs().getType().getRank() < 2)
      return false;
  } else {
    return false;
  }
  return isActivation(activation) && isF32Tensor(weight) &&
         isConstantLike(weight) && isF32Tensor(op->getResult(0));
}

unsigned edgec::ptq::layerWeightOperand(Operation *op) { return 1; }

int64_t edgec::ptq::layerWeightAxis(Operation *op) {
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getTransB() ? 0 : 1;
  if (auto mm = dyn_cast<MatMulOp>(op))
    return mm.getRhs().getType().getRank() - 1;
  return 0; // Conv: OIHW
}

bool edgec::ptq::isQuantizablePassThrough(Operation *op) {
  if (!isa<ReluOp, ClipOp, MaxPoolOp, AveragePoolOp, GlobalAveragePoolOp, AddOp,
           MulOp, ConcatOp, ReshapeOp, TransposeOp>(op))
    return false;
  return op->getNumResults() == 1 && isF32Tensor(op->getResult(0)) &&
         llvm::all_of(op->getOperands(), isF32Tensor);
}
