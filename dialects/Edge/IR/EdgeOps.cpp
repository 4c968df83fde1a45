//===- EdgeOps.cpp - result-type inference and verification ---------------===//
//
// Each op computes its own result type from its operands and attributes
// (InferTypeOpAdaptor); a malformed op fails inference with a message that
// names the violated constraint. The same function serves the builders used
// by the importer and the verifier.
//
//===----------------------------------------------------------------------===//

#include "dialects/Edge/IR/EdgeOps.h"
#include "dialects/Edge/IR/InferUtils.h"
#include "dialects/Edge/IR/NarrowFloat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace edge;
using namespace edge::detail;

RankedTensorType edge::detail::tensorOf(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

void edge::nodeNames(Location loc, SmallVectorImpl<StringRef> &out) {
  if (auto name = dyn_cast<NameLoc>(loc))
    out.push_back(name.getName().getValue());
  else if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      nodeNames(l, out);
}

std::string edge::layerName(Operation *op) {
  SmallVector<StringRef> names;
  nodeNames(op->getLoc(), names);
  return names.empty() ? op->getName().getStringRef().str()
                       : names.front().str();
}

LogicalResult edge::detail::requireStatic(Loc loc, ValueRange values) {
  for (Value v : values)
    if (auto t = tensorOf(v); t && !t.hasStaticShape())
      return emitOptionalError(loc, "dynamic shapes are not supported, got ",
                               t);
  return success();
}

std::string edge::detail::shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

namespace {

/// Output size of a pooling/convolution window along one dimension.
FailureOr<int64_t> windowOutput(Loc loc, int64_t in, int64_t padBegin,
                                int64_t padEnd, int64_t kernel, int64_t stride,
                                int64_t dilation, bool ceilMode) {
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t span = in + padBegin + padEnd - effective;
  if (span < 0)
    return emitOptionalError(
        loc, "the window (", effective,
        " with dilation) is larger than the padded input (",
        in + padBegin + padEnd, ")");
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // A window that would start entirely in the end padding is dropped (the
  // rule ONNX Runtime and PyTorch apply in ceil mode).
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// Fails unless every (present) operand has the element type of the first;
/// ONNX gives these operands one type variable.
LogicalResult sameElementType(Loc loc, ValueRange values, StringRef what) {
  Type first;
  for (Value v : values) {
    if (!v)
      continue;
    Type et = tensorOf(v).getElementType();
    if (!first)
      first = et;
    else if (et != first)
      return emitOptionalError(loc, what,
                               " must have the same element type, "
                               "got ",
                               first, " and ", et);
  }
  return success();
}

/// The element-type rules of Conv, Gemm and MatMul: float operands share
/// one type; quantized operands follow Q5 (per-tensor input, weights per
/// tensor or per axis `weightAxis` with zero point 0, an i32 bias scaled by
/// input scale x weight scale).
LogicalResult checkComputeOperands(Loc loc, Value input, Value weight,
                                   Value bias, int64_t weightAxis,
                                   StringRef what) {
  auto qin = dyn_cast<quant::QuantizedType>(tensorOf(input).getElementType());
  if (!qin)
    return sameElementType(loc, {input, weight, bias}, what);
  auto in = dyn_cast<quant::UniformQuantizedType>(qin);
  if (!in)
    return emitOptionalError(loc,
                             "Q5: the quantized input must be "
                             "quantized per tensor, got ",
                             qin);
  auto wt = tensorOf(weight);
  SmallVector<double> ws;
  if (auto w = dyn_cast<quant::UniformQuantizedType>(wt.getElementType())) {
    if (w.getZeroPoint() != 0)
      return emitOptionalError(loc, "Q5: the weights' zero point must be 0");
    ws.push_back(w.getScale());
  } else if (auto w = dyn_cast<quant::UniformQuantizedPerAxisType>(
                 wt.getElementType())) {
    if (w.getQuantizedDimension() != weightAxis)
      return emitOptionalError(loc,
                               "Q5: the weights must be quantized along "
                               "axis ",
                               weightAxis, ", not ", w.getQuantizedDimension());
    if (llvm::any_of(w.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return emitOptionalError(loc, "Q5: the weights' zero points must be 0");
    llvm::append_range(ws, w.getScales());
  } else {
    return emitOptionalError(loc,
                             "Q5: a quantized input needs quantized "
                             "weights, got ",
                             wt.getElementType());
  }
  if (!bias)
    return success();
  auto bt = tensorOf(bias);
  auto bq = dyn_cast<quant::QuantizedType>(bt.getElementType());
  if (!bq || bq.getStorageTypeIntegralWidth() != 32 || !bq.isSigned())
    return emitOptionalError(loc,
                             "Q5: the bias of a quantized op must be "
                             "int32 quantized, got ",
                             bt.getElementType());
  SmallVector<double> bs;
  if (auto b = dyn_cast<quant::UniformQuantizedType>(bq))
    bs.push_back(b.getScale());
  else if (auto b = dyn_cast<quant::UniformQuantizedPerAxisType>(bq))
    llvm::append_range(bs, b.getScales());
  for (size_t i = 0, e = std::max(bs.size(), ws.size()); i < e; ++i) {
    double want = in.getScale() * ws[ws.size() == 1 ? 0 : i];
    double got = bs[bs.size() == 1 ? 0 : std::min(i, bs.size() - 1)];
    if (bs.size() != 1 && ws.size() != 1 && bs.size() != ws.size())
      return emitOptionalError(loc, "Q5: ", bs.size(), " bias scales for ",
                               ws.size(), " weight scales");
    if (std::abs(got - want) > 1e-6 * want)
      return emitOptionalError(loc, "Q5: bias scale ", got, " at ", i,
                               " is not input scale x weight scale (", want,
                               ")");
  }
  return success();
}

/// A quantized result is compatible with the inferred type (the input's
/// quantized type) when the shapes agree: its scale is the graph's choice.
bool compatibleComputeTypes(TypeRange l, TypeRange r) {
  if (l.size() != r.size())
    return false;
  for (auto [a, b] : llvm::zip(l, r)) {
    if (a == b)
      continue;
    auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
    if (!ta || !tb || ta.getShape() != tb.getShape() ||
        !isa<quant::QuantizedType>(ta.getElementType()) ||
        !isa<quant::UniformQuantizedType>(tb.getElementType()))
      return false;
  }
  return true;
}

/// Fails when the input padded for a window op (as the lowering
/// materializes it) would have more than 2^31 elements.
LogicalResult checkPaddedSize(Loc loc, RankedTensorType in,
                              ArrayRef<int64_t> pads) {
  size_t spatial = in.getRank() - 2;
  double elements = double(in.getDimSize(0)) * double(in.getDimSize(1));
  for (size_t i = 0; i < spatial; ++i)
    elements *= double(in.getDimSize(2 + i) + pads[i] + pads[spatial + i]);
  if (elements > double(kMaxElements))
    return emitOptionalError(loc, "the padded input would have more than "
                                  "2^31 elements");
  return success();
}

LogicalResult checkWindowAttrs(Loc loc, size_t spatial,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads,
                               ArrayRef<int64_t> dilations) {
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || pads.size() != 2 * spatial)
    return emitOptionalError(loc, "C3: expected ", spatial,
                             " kernel sizes, strides, dilations and ",
                             2 * spatial, " pads");
  // Bounded so that the window arithmetic cannot overflow.
  constexpr int64_t kMax = kMaxElements - 1;
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0 || pads[i] < 0 ||
        pads[i + spatial] < 0)
      return emitOptionalError(loc,
                               "C3: kernel sizes, strides and dilations must "
                               "be positive and pads non-negative");
    if (kernel[i] > kMax || strides[i] > kMax || dilations[i] > kMax ||
        pads[i] > kMax || pads[i + spatial] > kMax)
      return emitOptionalError(loc,
                               "C3: kernel sizes, strides, dilations and "
                               "pads must be at most ",
                               kMax);
  }
  return success();
}
} // namespace

FailureOr<SmallVector<int64_t>> edge::broadcastShapes(ArrayRef<int64_t> a,
                                                      ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(Loc loc, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types) {
  auto l = tensorOf(lhs), r = tensorOf(rhs);
  if (failed(requireStatic(loc, {lhs, rhs})))
    return failure();
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (failed(shape))
    return emitOptionalError(loc, "shapes ", shapeStr(l.getShape()), " and ",
                             shapeStr(r.getShape()),
                             " are not broadcast-compatible");
  types.push_back(RankedTensorType::get(*shape, l.getElementType()));
  return success();
}

#define EDGE_BROADCAST_INFERENCE(OP)                                           \
  LogicalResult OP::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,  \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), types);     \
  }
EDGE_BROADCAST_INFERENCE(AddOp)
EDGE_BROADCAST_INFERENCE(SubOp)
EDGE_BROADCAST_INFERENCE(MulOp)
EDGE_BROADCAST_INFERENCE(DivOp)
EDGE_BROADCAST_INFERENCE(MaxOp)
EDGE_BROADCAST_INFERENCE(MinOp)
EDGE_BROADCAST_INFERENCE(BitwiseOp)
EDGE_BROADCAST_INFERENCE(PowOp)
EDGE_BROADCAST_INFERENCE(ModOp)
#undef EDGE_BROADCAST_INFERENCE

namespace {
/// The functions of edge.unary and the element types each takes.
enum class FnDomain { Float, Number, IntOrBool };
std::optional<FnDomain> unaryFnDomain(StringRef fn) {
  return llvm::StringSwitch<std::optional<FnDomain>>(fn)
      .Cases({"sin", "cos", "tan", "asin", "acos", "atan"}, FnDomain::Float)
      .Cases({"sinh", "cosh", "asinh", "acosh", "atanh"}, FnDomain::Float)
      .Cases({"log", "erf", "ceil", "floor", "reciprocal"}, FnDomain::Float)
      .Cases({"softplus", "softsign", "mish", "elu", "selu"}, FnDomain::Float)
      .Cases({"celu", "leaky_relu", "thresholded_relu"}, FnDomain::Float)
      .Cases({"hard_swish", "gelu", "gelu_tanh"}, FnDomain::Float)
      .Cases({"abs", "sign"}, FnDomain::Number)
      .Case("not", FnDomain::IntOrBool)
      .Default(std::nullopt);
}
} // namespace

LogicalResult UnaryFnOp::verify() {
  auto domain = unaryFnDomain(getFn());
  if (!domain)
    return emitOpError("C20: unknown function '") << getFn() << "'";
  Type t = getInput().getType().getElementType();
  bool isFloat = isa<FloatType>(t), isBool = t.isInteger(1);
  bool ok = *domain == FnDomain::Float    ? isFloat
            : *domain == FnDomain::Number ? !isBool
                                          : !isFloat;
  if (!ok)
    return emitOpError("C20: '") << getFn() << "' is not defined on " << t;
  return success();
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  if (failed(inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), types)))
    return failure();
  types[0] = cast<RankedTensorType>(types[0]).clone(IntegerType::get(ctx, 1));
  return success();
}

LogicalResult CompareOp::verify() {
  if (!llvm::is_contained({"eq", "lt", "le", "gt", "ge"}, getPredicate()))
    return emitOpError("C21: unknown predicate '") << getPredicate() << "'";
  return success();
}

LogicalResult BitwiseOp::verify() {
  StringRef k = getKind();
  if (!llvm::is_contained({"and", "or", "xor", "shl", "shr"}, k))
    return emitOpError("C22: unknown kind '") << k << "'";
  Type t = getLhs().getType().getElementType();
  if ((k == "shl" || k == "shr") && !t.isUnsignedInteger())
    return emitOpError("C22: shifts take unsigned integers, not ") << t;
  return success();
}

LogicalResult ModOp::verify() {
  if (isa<FloatType>(getLhs().getType().getElementType()) && !getFmod())
    return emitOpError("C23: a floating-point Mod needs fmod");
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = tensorOf(adaptor.getX()), y = tensorOf(adaptor.getY());
  if (failed(requireStatic(
          loc, {adaptor.getCondition(), adaptor.getX(), adaptor.getY()})))
    return failure();
  if (x.getElementType() != y.getElementType())
    return emitOptionalError(loc, "x and y must have one element type");
  auto xy = broadcastShapes(x.getShape(), y.getShape());
  FailureOr<SmallVector<int64_t>> all = failure();
  if (succeeded(xy))
    all = broadcastShapes(tensorOf(adaptor.getCondition()).getShape(), *xy);
  if (failed(all))
    return emitOptionalError(loc, "condition, x and y are not "
                                  "broadcast-compatible");
  types.push_back(RankedTensorType::get(*all, x.getElementType()));
  return success();
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  if (!adaptor.getToAttr())
    return emitOptionalError(loc, "requires a 'to' element type");
  if (auto mode = adaptor.getRoundModeAttr();
      mode && !parseE8M0Rounding(mode.getValue()))
    return emitOptionalError(loc,
                             "round_mode must be 'up', 'down' or "
                             "'nearest', not '",
                             mode.getValue(), "'");
  types.push_back(tensorOf(adaptor.getInput()).clone(adaptor.getTo()));
  return success();
}

/// The scale of QuantizeLinear / DequantizeLinear: a scalar, 1-D with one
/// entry per slice along `axis`, or shaped as the input (one per element:
/// blocked parameters expanded); the zero point shaped as the scale.
static LogicalResult checkLinearQuantParams(Loc loc, RankedTensorType in,
                                            Value scaleValue, Value zp,
                                            int64_t axis) {
  auto scale = tensorOf(scaleValue);
  bool elementwise = scale.getRank() > 1 && scale.getShape() == in.getShape();
  if (scale.getRank() > 1 && !elementwise)
    return emitOptionalError(loc,
                             "the scale must be a scalar, 1-D, or of "
                             "the input's shape (",
                             shapeStr(in.getShape()), "), got ",
                             shapeStr(scale.getShape()));
  if (!elementwise && scale.getNumElements() != 1 &&
      (axis < 0 || axis >= in.getRank() ||
       in.getDimSize(axis) != scale.getNumElements()))
    return emitOptionalError(loc, "per-axis scale of ", scale.getNumElements(),
                             " entries does not match axis ", axis,
                             " of the input");
  if (zp &&
      (elementwise ? tensorOf(zp).getShape() != scale.getShape()
                   : tensorOf(zp).getNumElements() != scale.getNumElements()))
    return emitOptionalError(loc, "the zero point and the scale must have "
                                  "the same number of entries");
  return success();
}

LogicalResult QuantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(checkLinearQuantParams(loc, in, adaptor.getScale(),
                                    adaptor.getZeroPoint(),
                                    static_cast<int64_t>(adaptor.getAxis()))))
    return failure();
  Type out = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  if (Value zp = adaptor.getZeroPoint()) {
    out = tensorOf(zp).getElementType();
    if (out.getIntOrFloatBitWidth() > 32)
      return emitOptionalError(loc, "QuantizeLinear to ", out,
                               " is not supported");
  }
  types.push_back(in.clone(out));
  return success();
}

LogicalResult
DequantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(checkLinearQuantParams(loc, in, adaptor.getScale(),
                                    adaptor.getZeroPoint(),
                                    static_cast<int64_t>(adaptor.getAxis()))))
    return failure();
  if (Value zp = adaptor.getZeroPoint())
    if (tensorOf(zp).getElementType() != in.getElementType())
      return emitOptionalError(loc, "the zero point's element type must match "
                                    "the input's");
  types.push_back(in.clone(Float32Type::get(ctx)));
  return success();
}

//===----------------------------------------------------------------------===//
// Compute-heavy
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput()), f = tensorOf(adaptor.getFilter());
  if (failed(checkComputeOperands(loc, adaptor.getInput(), adaptor.getFilter(),
                                  adaptor.getBias(), /*weightAxis=*/0,
                                  "the input, filter and bias")))
    return failure();
  if ((in.getRank() != 4 && in.getRank() != 5) || f.getRank() != in.getRank())
    return emitOptionalError(loc,
                             "C1: input and filter must both have rank 4 or "
                             "both rank 5, got ",
                             in.getRank(), " and ", f.getRank());
  if (failed(requireStatic(loc, {adaptor.getInput(), adaptor.getFilter()})))
    return failure();
  int64_t group = static_cast<int64_t>(adaptor.getGroup());
  if (group <= 0 || f.getDimSize(0) % group != 0 ||
      in.getDimSize(1) != f.getDimSize(1) * group)
    return emitOptionalError(loc, "C2: input channels (", in.getDimSize(1),
                             ") must equal filter channels (", f.getDimSize(1),
                             ") times group (", group,
                             ") and the filter count (", f.getDimSize(0),
                             ") must be divisible by group");
  size_t spatial = in.getRank() - 2;
  if (failed(checkWindowAttrs(loc, spatial, f.getShape().drop_front(2),
                              adaptor.getStrides(), adaptor.getPads(),
                              adaptor.getDilations())) ||
      failed(checkPaddedSize(loc, in, adaptor.getPads())))
    return failure();
  if (Value bias = adaptor.getBias()) {
    auto b = tensorOf(bias);
    if (b.getRank() != 1 || b.getDimSize(0) != f.getDimSize(0))
      return emitOptionalError(loc, "C4: the bias must be 1-D with ",
                               f.getDimSize(0), " entries");
  }
  SmallVector<int64_t> out{in.getDimSize(0), f.getDimSize(0)};
  for (size_t i = 0; i < spatial; ++i) {
    auto o = windowOutput(loc, in.getDimSize(2 + i), adaptor.getPads()[i],
                          adaptor.getPads()[spatial + i], f.getDimSize(2 + i),
                          adaptor.getStrides()[i], adaptor.getDilations()[i],
                          /*ceilMode=*/false);
    if (failed(o))
      return failure();
    out.push_back(*o);
  }
  types.push_back(in.clone(out));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto a = tensorOf(adaptor.getA()), b = tensorOf(adaptor.getB());
  if (failed(checkComputeOperands(
          loc, adaptor.getA(), adaptor.getB(), adaptor.getC(),
          /*weightAxis=*/adaptor.getTransB() ? 0 : 1, "A, B and C")))
    return failure();
  if (isa<quant::QuantizedType>(tensorOf(adaptor.getA()).getElementType()) &&
      (adaptor.getAlpha().convertToDouble() != 1.0 ||
       adaptor.getBeta().convertToDouble() != 1.0))
    return emitOptionalError(loc, "Q5: a quantized Gemm has alpha = beta = 1");
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "A and B must be 2-D");
  bool ta = adaptor.getTransA(), tb = adaptor.getTransB();
  int64_t m = a.getDimSize(ta ? 1 : 0), ka = a.getDimSize(ta ? 0 : 1);
  int64_t kb = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (ka != kb)
    return emitOptionalError(loc, "inner dimensions differ: ", ka, " vs ", kb);
  SmallVector<int64_t> out{m, n};
  if (Value c = adaptor.getC()) {
    auto bc = broadcastShapes(tensorOf(c).getShape(), out);
    if (failed(bc) || ArrayRef<int64_t>(*bc) != ArrayRef<int64_t>(out))
      return emitOptionalError(loc, "C of shape ",
                               shapeStr(tensorOf(c).getShape()),
                               " does not broadcast to ", shapeStr(out));
  }
  types.push_back(a.clone(out));
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto l = tensorOf(adaptor.getLhs()), r = tensorOf(adaptor.getRhs());
  if (failed(checkComputeOperands(
          loc, adaptor.getLhs(), adaptor.getRhs(), Value(),
          /*weightAxis=*/tensorOf(adaptor.getRhs()).getRank() - 1,
          "both operands")))
    return failure();
  if (l.getRank() < 1 || r.getRank() < 1)
    return emitOptionalError(loc, "operands must have rank >= 1");
  SmallVector<int64_t> ls(l.getShape()), rs(r.getShape());
  bool lVec = ls.size() == 1, rVec = rs.size() == 1;
  if (lVec)
    ls.insert(ls.begin(), 1);
  if (rVec)
    rs.push_back(1);
  if (ls.back() != rs[rs.size() - 2])
    return emitOptionalError(loc, "inner dimensions differ: ", ls.back(),
                             " vs ", rs[rs.size() - 2]);
  auto batch = broadcastShapes(ArrayRef<int64_t>(ls).drop_back(2),
                               ArrayRef<int64_t>(rs).drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "batch dimensions do not broadcast");
  SmallVector<int64_t> out(*batch);
  if (!lVec)
    out.push_back(ls[ls.size() - 2]);
  if (!rVec)
    out.push_back(rs.back());
  types.push_back(l.clone(out));
  return success();
}

bool ConvOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleComputeTypes(l, r);
}
bool GemmOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleComputeTypes(l, r);
}
bool MatMulOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleComputeTypes(l, r);
}

LogicalResult SoftmaxOp::verify() {
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= getInput().getType().getRank())
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << getInput().getType().getRank();
  return success();
}

template <typename Adaptor>
static LogicalResult inferPool(Loc loc, Adaptor adaptor,
                               SmallVectorImpl<Type> &types,
                               Type resultElement = {}) {
  auto in = tensorOf(adaptor.getInput());
  if (in.getRank() != 4 && in.getRank() != 5)
    return emitOptionalError(loc,
                             "only 2-D and 3-D pooling (rank-4 or rank-5 "
                             "input) is supported, got rank ",
                             in.getRank());
  size_t spatial = in.getRank() - 2;
  ArrayRef<int64_t> pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (failed(requireStatic(loc, {adaptor.getInput()})) ||
      failed(checkWindowAttrs(loc, spatial, adaptor.getKernelShape(),
                              adaptor.getStrides(), pads, dilations)) ||
      failed(checkPaddedSize(loc, in, pads)))
    return failure();
  SmallVector<int64_t> out{in.getDimSize(0), in.getDimSize(1)};
  for (size_t i = 0; i < spatial; ++i) {
    auto o = windowOutput(loc, in.getDimSize(2 + i), pads[i], pads[spatial + i],
                          adaptor.getKernelShape()[i], adaptor.getStrides()[i],
                          dilations[i], adaptor.getCeilMode());
    if (failed(o))
      return failure();
    out.push_back(*o);
  }
  types.push_back(resultElement ? RankedTensorType::get(out, resultElement)
                                : in.clone(out));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(loc, adaptor, types);
}

LogicalResult MaxPoolIndicesOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  int64_t order = static_cast<int64_t>(adaptor.getStorageOrder());
  if (order != 0 && order != 1)
    return emitOptionalError(loc, "storage_order must be 0 or 1, got ", order);
  return inferPool(loc, adaptor, types, IntegerType::get(ctx, 64));
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *, Loc loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  return inferPool(loc, adaptor, types);
}

LogicalResult
GlobalAveragePoolOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (in.getRank() < 3)
    return emitOptionalError(loc, "the input must have rank >= 3");
  SmallVector<int64_t> out(in.getShape());
  std::fill(out.begin() + 2, out.end(), 1);
  types.push_back(in.clone(out));
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(sameElementType(loc,
                             {adaptor.getInput(), adaptor.getScale(),
                              adaptor.getBias(), adaptor.getMean(),
                              adaptor.getVariance()},
                             "the input, scale, bias, mean and variance")))
    return failure();
  if (in.getRank() < 2)
    return emitOptionalError(loc, "the input must have rank >= 2");
  for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                  adaptor.getVariance()})
    if (tensorOf(p).getRank() != 1 ||
        tensorOf(p).getDimSize(0) != in.getDimSize(1))
      return emitOptionalError(loc,
                               "scale, bias, mean and variance must be "
                               "1-D with one entry per channel (",
                               in.getDimSize(1), ")");
  types.push_back(in);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(Loc loc, Value input, ArrayRef<int64_t> axes,
                                 bool keepdims, SmallVectorImpl<Type> &types) {
  auto in = tensorOf(input);
  if (failed(requireStatic(loc, input)))
    return failure();
  int64_t rank = in.getRank();
  SmallVector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(loc, "C1: axis ", axis,
                               " is not a dimension of a rank-", rank,
                               " input");
    if (reduced[axis])
      return emitOptionalError(loc, "C1: axis ", axis, " is listed twice");
    reduced[axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(in.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(in.clone(shape));
  return success();
}

#define EDGE_REDUCE_INFERENCE(OP)                                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,  \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, adaptor.getInput(), adaptor.getAxes(),             \
                       adaptor.getKeepdims(), types);                          \
  }
EDGE_REDUCE_INFERENCE(ReduceMinOp)
EDGE_REDUCE_INFERENCE(ReduceMaxOp)
EDGE_REDUCE_INFERENCE(ReduceSumOp)
EDGE_REDUCE_INFERENCE(ReduceProdOp)
#undef EDGE_REDUCE_INFERENCE

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(requireStatic(loc, adaptor.getInput())))
    return failure();
  for (int64_t d : adaptor.getShape())
    if (d < 0)
      return emitOptionalError(loc, "the shape has a negative dimension ", d);
  auto shape = broadcastShapes(in.getShape(), adaptor.getShape());
  if (failed(shape))
    return emitOptionalError(loc, "the input's shape ", shapeStr(in.getShape()),
                             " does not broadcast with ",
                             shapeStr(adaptor.getShape()));
  types.push_back(in.clone(*shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement and shape computation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape();
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return emitOptionalError(loc,
                               "the target shape must be static and "
                               "non-negative, got ",
                               shapeStr(shape));
    count *= d;
  }
  if (!in.hasStaticShape() || count != in.getNumElements())
    return emitOptionalError(loc, "cannot reshape ", shapeStr(in.getShape()),
                             " (", in.getNumElements(), " elements) to ",
                             shapeStr(shape), " (", count, " elements)");
  types.push_back(in.clone(shape));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  SmallVector<bool> seen(in.getRank(), false);
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOptionalError(loc, "perm has ", perm.size(),
                             " entries for rank ", in.getRank());
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOptionalError(loc, "perm is not a permutation");
    seen[p] = true;
    out.push_back(in.getDimSize(p));
  }
  types.push_back(in.clone(out));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "requires at least one input");
  auto first = tensorOf(adaptor.getInputs().front());
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             first.getRank());
  SmallVector<int64_t> out(first.getShape());
  out[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto t = tensorOf(v);
    if (t.getRank() != first.getRank())
      return emitOptionalError(loc, "all inputs must have the same rank");
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (i != axis && t.getDimSize(i) != first.getDimSize(i))
        return emitOptionalError(loc, "inputs differ in dimension ", i, " (",
                                 shapeStr(first.getShape()), " vs ",
                                 shapeStr(t.getShape()), ")");
    out[axis] += t.getDimSize(axis);
  }
  types.push_back(first.clone(out));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "expected ", 2 * rank, " pads, got ",
                             pads.size());
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return emitOptionalError(loc, "unknown pad mode '", mode, "'");
  // Negative pads crop; the positive ones then pad what is left.
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t kept = in.getDimSize(i) + std::min<int64_t>(pads[i], 0) +
                   std::min<int64_t>(pads[i + rank], 0);
    if (kept <= 0)
      return emitOptionalError(loc, "negative pads remove all of dimension ",
                               i);
    int64_t grow =
        std::max<int64_t>(pads[i], 0) + std::max<int64_t>(pads[i + rank], 0);
    if (mode == "reflect" && grow > 0 &&
        (pads[i] >= kept || pads[i + rank] >= kept))
      return emitOptionalError(loc,
                               "reflect pads must be smaller than the "
                               "padded dimension (",
                               kept, ")");
    out.push_back(kept + grow);
  }
  types.push_back(in.clone(out));
  return success();
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  int64_t start = static_cast<int64_t>(adaptor.getStart());
  int64_t end = static_cast<int64_t>(adaptor.getEnd());
  if (start < 0 || end > in.getRank() || start > end)
    return emitOptionalError(loc, "invalid dimension range [", start, ", ", end,
                             ") for rank ", in.getRank());
  types.push_back(
      RankedTensorType::get({end - start}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto data = tensorOf(adaptor.getData());
  auto indices = tensorOf(adaptor.getIndices());
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             data.getRank());
  SmallVector<int64_t> out(data.getShape().take_front(axis));
  llvm::append_range(out, indices.getShape());
  llvm::append_range(out, data.getShape().drop_front(axis + 1));
  types.push_back(data.clone(out));
  return success();
}

//===----------------------------------------------------------------------===//
// Slicing, arg reductions, triangles, element gathers
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(requireStatic(loc, adaptor.getInput())))
    return failure();
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  int64_t rank = in.getRank();
  if (int64_t(starts.size()) != rank || int64_t(sizes.size()) != rank ||
      int64_t(steps.size()) != rank)
    return emitOptionalError(loc, "C1: expected ", rank,
                             " starts, sizes and steps");
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0 || sizes[d] < 0)
      return emitOptionalError(loc, "C1: dim ", d, " has step ", steps[d],
                               " and size ", sizes[d]);
    if (sizes[d] == 0)
      continue;
    // First and last element read, without overflow (sizes <= dim).
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (sizes[d] > in.getDimSize(d) || starts[d] < 0 ||
        starts[d] >= in.getDimSize(d) || last < 0 || last >= in.getDimSize(d))
      return emitOptionalError(loc, "C1: dim ", d, " reads outside the input");
  }
  types.push_back(in.clone(sizes));
  return success();
}

LogicalResult ArgReduceOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = tensorOf(adaptor.getInput());
  if (failed(requireStatic(loc, adaptor.getInput())))
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= in.getRank())
    return emitOptionalError(loc, "C1: axis ", axis,
                             " is not a dimension of a rank-", in.getRank(),
                             " input");
  if (adaptor.getKind() != "max" && adaptor.getKind() != "min")
    return emitOptionalError(loc, "kind must be max or min");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (d != axis)
      shape.push_back(in.getDimSize(d));
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult CumulativeOp::verify() {
  if (getKind() != "sum" && getKind() != "prod")
    return emitOpError("kind must be sum or prod, not '") << getKind() << "'";
  int64_t rank = getInput().getType().getRank();
  if (getAxis() < 0 || getAxis() >= rank)
    return emitOpError("C1: axis ")
           << getAxis() << " is not a dimension of a rank-" << rank << " input";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Edge/IR/EdgeOps.cpp.inc"
