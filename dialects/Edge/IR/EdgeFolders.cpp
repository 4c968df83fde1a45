//===- EdgeFolders.cpp - constant folding of edge ops ---------------------===//
//
// Folders evaluate ops whose operands are constants. The importer builds every
// op with createOrFold, so shape-computation subgraphs (Shape -> Gather ->
// Concat -> Reshape, ...) collapse to constants as they are imported, and
// canonicalization reuses the same code later.
//
//===----------------------------------------------------------------------===//

#include "dialects/Edge/IR/EdgeOps.h"
#include "dialects/Edge/IR/NarrowFloat.h"

#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/BitVector.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace edge;

namespace {
/// Folding is skipped beyond this many elements to keep compile time bounded.
constexpr int64_t kMaxFoldElements = int64_t(1) << 24;

/// Constant elements read as double (floats) or int64 (integers).
struct Elements {
  bool isFloat = false;
  SmallVector<double> f;
  SmallVector<int64_t> i;
  size_t size() const { return isFloat ? f.size() : i.size(); }
  double asDouble(size_t k) const { return isFloat ? f[k] : double(i[k]); }
  int64_t asInt(size_t k) const { return isFloat ? int64_t(f[k]) : i[k]; }
};

std::optional<Elements> read(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  Elements e;
  Type et = dense.getElementType();
  if (auto nf = narrowFloatFormat(et)) { // float8 / float4 / e8m0 codes
    e.isFloat = true;
    for (APFloat v : dense.getValues<APFloat>())
      e.f.push_back(
          decodeNarrowFloat(uint8_t(v.bitcastToAPInt().getZExtValue()), *nf));
    return e;
  }
  if (isa<FloatType>(et)) {
    e.isFloat = true;
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      e.f.push_back(v.convertToDouble());
    }
    return e;
  }
  auto it = dyn_cast<IntegerType>(et);
  if (!it)
    return std::nullopt;
  bool zext = it.isUnsigned() || it.getWidth() == 1;
  for (APInt v : dense.getValues<APInt>())
    e.i.push_back(zext ? int64_t(v.getZExtValue()) : v.getSExtValue());
  return e;
}

/// Builds a constant of `type` from doubles or int64s (converted as needed).
DenseElementsAttr write(ShapedType type, const Elements &e) {
  Type et = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(et)) {
    SmallVector<APFloat> values;
    for (size_t k = 0; k < e.size(); ++k) {
      APFloat v(e.asDouble(k));
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto it = dyn_cast<IntegerType>(et);
  if (!it)
    return {};
  SmallVector<APInt> values;
  for (size_t k = 0; k < e.size(); ++k) {
    int64_t v = e.isFloat ? int64_t(std::trunc(e.f[k])) : e.i[k];
    if (it.getWidth() == 1) // a non-zero test, for fractions too
      v = e.isFloat ? e.f[k] != 0.0 : e.i[k] != 0;
    values.push_back(APInt(it.getWidth(), uint64_t(v), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
  }
  return DenseElementsAttr::get(type, values);
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Index into an operand of shape `in` broadcast to `out`, for the element at
/// linear position `linear` of `out`.
int64_t broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> in,
                       int64_t linear) {
  SmallVector<int64_t> inStrides = stridesOf(in);
  int64_t offset = int64_t(out.size()) - int64_t(in.size());
  int64_t result = 0;
  for (int64_t d = int64_t(out.size()) - 1; d >= 0; --d) {
    int64_t idx = linear % out[d];
    linear /= out[d];
    int64_t id = d - offset;
    if (id >= 0 && in[id] != 1)
      result += idx * inStrides[id];
  }
  return result;
}

/// Folding never grows a model: a folded constant may take at most
/// kFoldGrowth times the bytes of the constants it is computed from, plus
/// kFoldSlackBytes (shape computations, small tables), and never more than
/// kMaxFoldBytes. Beyond that the op stays and computes at run time, so
/// compile time, compiler memory and object size stay proportional to the
/// model file (a broadcast of a 32768x1 and a 1x8192 initializer is 1 GiB
/// computed, 160 KiB stored). docs/robustness.md lists the limits.
constexpr int64_t kFoldGrowth = 4;
constexpr int64_t kFoldSlackBytes = int64_t(64) << 10;
constexpr int64_t kMaxFoldBytes = int64_t(64) << 20;

int64_t storedBytes(ShapedType type) {
  int64_t bits = type.getElementTypeBitWidth();
  return type.getNumElements() * std::max<int64_t>(1, (bits + 7) / 8);
}

bool withinFoldBudget(Operation *op, ArrayRef<Attribute> operands) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return false;
  int64_t in = 0;
  for (Attribute a : operands)
    if (auto dense = dyn_cast_or_null<DenseElementsAttr>(a))
      in += dense.isSplat() ? 1 : storedBytes(dense.getType());
  int64_t out = storedBytes(type);
  return out <= kMaxFoldBytes && out <= kFoldGrowth * in + kFoldSlackBytes;
}

template <typename FloatFn, typename IntFn>
Attribute foldBinary(Operation *op, Attribute lhs, Attribute rhs, FloatFn ff,
                     IntFn fi) {
  if (!lhs || !rhs || !withinFoldBudget(op, {lhs, rhs}))
    return {};
  auto l = read(lhs), r = read(rhs);
  if (!l || !r || l->isFloat != r->isFloat)
    return {};
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> out = type.getShape();
  ArrayRef<int64_t> ls =
      cast<ShapedType>(op->getOperand(0).getType()).getShape();
  ArrayRef<int64_t> rs =
      cast<ShapedType>(op->getOperand(1).getType()).getShape();
  Elements e;
  e.isFloat = l->isFloat;
  for (int64_t k = 0, n = type.getNumElements(); k < n; ++k) {
    int64_t a = broadcastIndex(out, ls, k), b = broadcastIndex(out, rs, k);
    if (e.isFloat) {
      e.f.push_back(ff(l->f[a], r->f[b]));
    } else {
      std::optional<int64_t> v = fi(l->i[a], r->i[b]);
      if (!v)
        return {};
      e.i.push_back(*v);
    }
  }
  return write(type, e);
}
} // namespace

/// Integer arithmetic wraps, as the generated code's does (two's
/// complement, then truncated to the element type by `write`): computed in
/// uint64_t, where C++ defines it.
static int64_t wrapping(uint64_t v) { return int64_t(v); }

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a + b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        return wrapping(uint64_t(a) + uint64_t(b));
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a - b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        return wrapping(uint64_t(a) - uint64_t(b));
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a * b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        return wrapping(uint64_t(a) * uint64_t(b));
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a / b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1))
          return std::nullopt; // keep the op: the error belongs to run time
        return a / b;
      });
}

// ONNX Max and Min propagate NaN, as numpy's maximum and minimum do.
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return std::isnan(a) || a > b ? a : b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        return std::max(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return std::isnan(a) || a < b ? a : b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        return std::min(a, b);
      });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto in = read(adaptor.getInput());
  if (!in)
    return {};
  auto ft = dyn_cast<FloatType>(getType().getElementType());
  auto nf = ft ? narrowFloatFormat(ft) : std::nullopt;
  if (!nf)
    return write(getType(), *in);
  // float8 / float4 / e8m0: ONNX's saturation and rounding (NarrowFloat.h),
  // through float32 as the lowering does.
  auto rounding = parseE8M0Rounding(getRoundMode());
  if (!rounding)
    return {};
  SmallVector<APFloat> values;
  for (size_t k = 0; k < in->size(); ++k) {
    uint8_t code = encodeNarrowFloat(float(in->asDouble(k)), *nf, getSaturate(),
                                     *rounding);
    values.push_back(APFloat(ft.getFloatSemantics(), APInt(nf->bits, code)));
  }
  return DenseElementsAttr::get(getType(), values);
}

OpFoldResult DequantizeLinearOp::fold(FoldAdaptor adaptor) {
  auto in = read(adaptor.getInput()), scale = read(adaptor.getScale());
  std::optional<Elements> zp;
  if (getZeroPoint()) {
    zp = read(adaptor.getZeroPoint());
    if (!zp)
      return {};
  }
  if (!in || !scale)
    return {};
  auto type = getType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t axis = static_cast<int64_t>(getAxis());
  bool perAxis = scale->size() > 1;
  // A scale of the input's shape (rank > 1) has one entry per element.
  bool elementwise = getScale().getType().getRank() > 1;
  int64_t inner = 1;
  if (perAxis && !elementwise)
    for (int64_t d = axis + 1; d < type.getRank(); ++d)
      inner *= shape[d];
  Elements out;
  out.isFloat = true;
  for (size_t k = 0; k < in->size(); ++k) {
    size_t q = elementwise ? k : perAxis ? (k / inner) % shape[axis] : 0;
    double z = zp ? zp->asDouble(q) : 0.0;
    // Computed in float like the runtime kernels would.
    out.f.push_back(float(float(in->asDouble(k) - z) * float(scale->f[q])));
  }
  return write(type, out);
}

/// Folds edge.reduce_min (isMin) or edge.reduce_max of a constant; no axes
/// is the identity.
static OpFoldResult foldReduce(Operation *op, Attribute input,
                               ArrayRef<int64_t> axes, bool isMin) {
  auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (axes.empty() && inType == type)
    return op->getOperand(0);
  auto in = read(input);
  if (!in)
    return {};
  // The identity of the reduction, for outputs that reduce no element.
  Elements out;
  out.isFloat = in->isFloat;
  int64_t count = type.getNumElements();
  if (in->isFloat) {
    out.f.assign(count, isMin ? INFINITY : -INFINITY);
  } else {
    auto it = cast<IntegerType>(type.getElementType());
    unsigned width = it.getWidth();
    if (width == 64 && it.isUnsigned())
      return {}; // its largest value is not an int64
    bool isSigned = !it.isUnsigned() && width > 1;
    APInt bound = isMin ? (isSigned ? APInt::getSignedMaxValue(width)
                                    : APInt::getMaxValue(width))
                        : (isSigned ? APInt::getSignedMinValue(width)
                                    : APInt::getMinValue(width));
    out.i.assign(count, isSigned ? bound.getSExtValue()
                                 : int64_t(bound.getZExtValue()));
  }
  ArrayRef<int64_t> shape = inType.getShape();
  SmallVector<bool> reduced(shape.size(), false);
  for (int64_t a : axes)
    reduced[a] = true;
  SmallVector<int64_t> outStrides(shape.size(), 0);
  for (int64_t d = int64_t(shape.size()) - 1, stride = 1; d >= 0; --d)
    if (!reduced[d]) {
      outStrides[d] = stride;
      stride *= shape[d];
    }
  for (size_t k = 0; k < in->size(); ++k) {
    int64_t rem = int64_t(k), o = 0;
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      o += (rem % shape[d]) * outStrides[d];
      rem /= shape[d];
    }
    if (in->isFloat) {
      double v = in->f[k], &acc = out.f[o];
      if (!std::isnan(acc) && (std::isnan(v) || (isMin ? v < acc : v > acc)))
        acc = v;
    } else {
      int64_t v = in->i[k], &acc = out.i[o];
      acc = isMin ? std::min(acc, v) : std::max(acc, v);
    }
  }
  return write(type, out);
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), /*isMin=*/true);
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), /*isMin=*/false);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor) {
  if (getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor) {
  if (getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t v) { return v == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t v) { return v == 1; }))
    return getInput();
  // A constant (a shape computation) is sliced at compile time.
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto type = getType();
  if (!dense || type.getNumElements() > (1 << 16))
    return {};
  auto inShape = getInput().getType().getShape();
  SmallVector<Attribute> all(dense.getValues<Attribute>());
  SmallVector<Attribute> out;
  int64_t rank = type.getRank();
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t n = 0, e = type.getNumElements(); n < e; ++n) {
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d)
      flat = flat * inShape[d] + getStarts()[d] + idx[d] * getSteps()[d];
    out.push_back(dense.isSplat() ? all[0] : all[flat]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < type.getDimSize(d))
        break;
      idx[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, out);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    setOperand(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  auto in = read(adaptor.getInput());
  if (!in)
    return {};
  auto inShape = getInput().getType().getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  ArrayRef<int64_t> outShape = getType().getShape();
  Elements out;
  out.isFloat = in->isFloat;
  for (int64_t k = 0, n = getType().getNumElements(); k < n; ++k) {
    int64_t rem = k, src = 0;
    for (int64_t d = int64_t(outShape.size()) - 1; d >= 0; --d) {
      src += (rem % outShape[d]) * inStrides[perm[d]];
      rem /= outShape[d];
    }
    if (in->isFloat)
      out.f.push_back(in->f[src]);
    else
      out.i.push_back(in->i[src]);
  }
  return write(getType(), out);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  // Empty parts (a Split of length 0) contribute nothing: dropped in place.
  int64_t axis = static_cast<int64_t>(getAxis());
  SmallVector<Attribute> constants(adaptor.getInputs());
  bool inPlace = false;
  if (getType().getDimSize(axis) > 0) {
    llvm::BitVector empty(getNumOperands());
    for (auto [k, v] : llvm::enumerate(getInputs()))
      empty[k] = cast<RankedTensorType>(v.getType()).getDimSize(axis) == 0;
    for (int k = empty.size() - 1; k >= 0; --k)
      if (empty[k])
        constants.erase(constants.begin() + k);
    if (empty.any()) {
      (*this)->eraseOperands(empty);
      inPlace = true;
    }
  }
  if (getInputs().size() == 1)
    return getInputs().front();
  OpFoldResult unchanged = inPlace ? OpFoldResult(getResult()) : nullptr;
  SmallVector<Elements> parts;
  for (Attribute a : constants) {
    auto e = read(a);
    if (!e)
      return unchanged;
    parts.push_back(std::move(*e));
  }
  ArrayRef<int64_t> outShape = getType().getShape();
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= outShape[d];
  Elements out;
  out.isFloat = parts.front().isFloat;
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [part, v] : llvm::zip(parts, getInputs())) {
      if (part.isFloat != out.isFloat)
        return unchanged;
      int64_t chunk = part.size() / outer;
      for (int64_t k = o * chunk; k < (o + 1) * chunk; ++k) {
        if (out.isFloat)
          out.f.push_back(part.f[k]);
        else
          out.i.push_back(part.i[k]);
      }
    }
  }
  return write(getType(), out);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = getInput().getType();
  if (!in.hasStaticShape())
    return {};
  Elements e;
  for (int64_t d = static_cast<int64_t>(getStart()),
               end = static_cast<int64_t>(getEnd());
       d < end; ++d)
    e.i.push_back(in.getDimSize(d));
  return write(getType(), e);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  if (!adaptor.getData() || !adaptor.getIndices() ||
      !withinFoldBudget(*this, {adaptor.getData(), adaptor.getIndices()}))
    return {};
  auto data = read(adaptor.getData()), indices = read(adaptor.getIndices());
  if (!data || !indices)
    return {};
  ArrayRef<int64_t> shape = getData().getType().getShape();
  int64_t axis = static_cast<int64_t>(getAxis());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  Elements out;
  out.isFloat = data->isFloat;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t q = 0; q < indices->size(); ++q) {
      int64_t idx = indices->i[q];
      if (idx < 0)
        idx += shape[axis];
      if (idx < 0 || idx >= shape[axis])
        return {}; // out of range: left for the verifier of a later stage
      for (int64_t k = 0; k < inner; ++k) {
        int64_t src = (o * shape[axis] + idx) * inner + k;
        if (out.isFloat)
          out.f.push_back(data->f[src]);
        else
          out.i.push_back(data->i[src]);
      }
    }
  return write(getType(), out);
}

//===----------------------------------------------------------------------===//
// Elementwise families. These serve shape computations (the expanded ONNX
// functions compute head counts, axes and masks with Neg, Equal, Where, ...),
// so they fold only small results: a large constant is better computed at
// run time than stored in the object.
//===----------------------------------------------------------------------===//

namespace {
constexpr int64_t kMaxElementwiseFold = int64_t(1) << 16;

bool smallResult(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return type.hasStaticShape() && type.getNumElements() <= kMaxElementwiseFold;
}

/// Applies `ff` (floats) or `fi` (integers; nullopt: don't fold) to each
/// element of a constant.
template <typename FloatFn, typename IntFn>
Attribute foldUnary(Operation *op, Attribute input, FloatFn ff, IntFn fi) {
  if (!smallResult(op))
    return {};
  auto in = read(input);
  if (!in)
    return {};
  Elements out;
  out.isFloat = in->isFloat;
  for (size_t k = 0; k < in->size(); ++k) {
    if (in->isFloat) {
      std::optional<double> v = ff(in->f[k]);
      if (!v)
        return {};
      out.f.push_back(*v);
    } else {
      std::optional<int64_t> v = fi(in->i[k]);
      if (!v)
        return {};
      out.i.push_back(*v);
    }
  }
  return write(cast<ShapedType>(op->getResult(0).getType()), out);
}

using OptD = std::optional<double>;
using OptI = std::optional<int64_t>;
} // namespace

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      *this, adaptor.getInput(), [](double a) -> OptD { return -a; },
      [](int64_t a) -> OptI { return wrapping(0 - uint64_t(a)); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // (A quantized constant is not read: read() takes floats and integers.)
  return foldUnary(
      *this, adaptor.getInput(),
      [](double a) -> OptD { return std::isnan(a) || a > 0 ? a : 0.0; },
      [](int64_t a) -> OptI { return a > 0 ? a : 0; });
}

OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      *this, adaptor.getInput(), [](double a) -> OptD { return std::sqrt(a); },
      [](int64_t) -> OptI { return std::nullopt; });
}

OpFoldResult UnaryFnOp::fold(FoldAdaptor adaptor) {
  StringRef fn = getFn();
  bool isBool = getType().getElementType().isInteger(1);
  if (fn == "abs")
    return foldUnary(
        *this, adaptor.getInput(),
        [](double a) -> OptD { return std::fabs(a); },
        [](int64_t a) -> OptI {
          return a < 0 ? wrapping(0 - uint64_t(a)) : a;
        });
  if (fn == "sign")
    return foldUnary(
        *this, adaptor.getInput(),
        [](double a) -> OptD {
          return std::isnan(a) ? a : double((a > 0) - (a < 0));
        },
        [](int64_t a) -> OptI { return (a > 0) - (a < 0); });
  if (fn == "not")
    return foldUnary(
        *this, adaptor.getInput(), [](double) -> OptD { return std::nullopt; },
        [&](int64_t a) -> OptI { return isBool ? int64_t(a == 0) : ~a; });
  auto floatOnly = [&](double (*f)(double)) {
    return foldUnary(
        *this, adaptor.getInput(), [&](double a) -> OptD { return f(a); },
        [](int64_t) -> OptI { return std::nullopt; });
  };
  if (fn == "ceil")
    return floatOnly([](double a) { return std::ceil(a); });
  if (fn == "floor")
    return floatOnly([](double a) { return std::floor(a); });
  if (fn == "reciprocal")
    return floatOnly([](double a) { return 1.0 / a; });
  return {};
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  if (!smallResult(*this))
    return {};
  StringRef p = getPredicate();
  auto test = [&](auto a, auto b) -> bool {
    if (p == "eq")
      return a == b;
    if (p == "lt")
      return a < b;
    if (p == "le")
      return a <= b;
    if (p == "gt")
      return a > b;
    return a >= b;
  };
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [&](double a, double b) { return double(test(a, b)); },
      [&](int64_t a, int64_t b) -> OptI { return int64_t(test(a, b)); });
}

OpFoldResult BitwiseOp::fold(FoldAdaptor adaptor) {
  StringRef kind = getKind();
  if (!smallResult(*this) || (kind != "and" && kind != "or" && kind != "xor"))
    return {};
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double, double) { return 0.0; },
      [&](int64_t a, int64_t b) -> OptI {
        return kind == "and" ? (a & b) : kind == "or" ? (a | b) : (a ^ b);
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  if (!smallResult(*this))
    return {};
  bool fmod = getFmod();
  return foldBinary(
      *this, adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return std::fmod(a, b); },
      [&](int64_t a, int64_t b) -> OptI {
        if (b == 0)
          return std::nullopt;
        if (b == -1)
          return int64_t(0); // (INT64_MIN % -1 overflows in C++)
        int64_t r = a % b;
        if (!fmod && r != 0 && ((r < 0) != (b < 0)))
          r += b;
        return r;
      });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  if (!smallResult(*this))
    return {};
  auto c = read(adaptor.getCondition()), x = read(adaptor.getX()),
       y = read(adaptor.getY());
  if (!c || !x || !y || x->isFloat != y->isFloat)
    return {};
  ArrayRef<int64_t> out = getType().getShape();
  Elements e;
  e.isFloat = x->isFloat;
  for (int64_t k = 0, n = getType().getNumElements(); k < n; ++k) {
    bool cond =
        c->i[broadcastIndex(out, getCondition().getType().getShape(), k)];
    const Elements &src = cond ? *x : *y;
    int64_t at =
        broadcastIndex(out, (cond ? getX() : getY()).getType().getShape(), k);
    if (e.isFloat)
      e.f.push_back(src.f[at]);
    else
      e.i.push_back(src.i[at]);
  }
  return write(getType(), e);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (!smallResult(*this))
    return {};
  auto in = read(adaptor.getInput());
  if (!in)
    return {};
  ArrayRef<int64_t> out = getType().getShape();
  Elements e;
  e.isFloat = in->isFloat;
  for (int64_t k = 0, n = getType().getNumElements(); k < n; ++k) {
    int64_t at = broadcastIndex(out, getInput().getType().getShape(), k);
    if (e.isFloat)
      e.f.push_back(in->f[at]);
    else
      e.i.push_back(in->i[at]);
  }
  return write(getType(), e);
}
