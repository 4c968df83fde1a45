//===- Elementwise.cpp - ONNX importers: elementwise ops ------------------===//
//
// The importers of one ONNX op family (registered by registerElementwise()):
// Unary, binary and variadic elementwise ops with numpy broadcasting (Relu,
// Sigmoid, Tanh, Exp, Sqrt, Neg, Round, Add, Sub, Mul, Div, Max, Min, Sum,
// Mean), Clip, HardSigmoid and Cast; the function families: math and
// activations (edge.unary), comparisons (edge.compare), logic and bitwise
// ops (edge.bitwise), Pow, Mod and Where.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

#include <cmath>

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values> Importer::importClip(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  auto clip = [&] {
    return single(
        make<edge::ClipOp>(x, {named("min", builder.getF32FloatAttr(lo)),
                               named("max", builder.getF32FloatAttr(hi))}));
  };
  if (opset < 11) {
    ASSIGN_OR_FAIL(lo, floatAttr(n, "min", lo));
    ASSIGN_OR_FAIL(hi, floatAttr(n, "max", hi));
    return clip();
  }
  // From opset 11 the bounds are optional scalar inputs.
  Value bounds[2];
  for (int i = 1; i <= 2; ++i) {
    if (!hasInput(n, i))
      continue;
    ASSIGN_OR_FAIL(Value v, input(n, i));
    auto t = typeOf(v);
    if (t.getNumElements() != 1)
      return fail(Twine("Clip ") + (i == 1 ? "min" : "max") +
                  " must be a scalar, it has " + Twine(t.getNumElements()) +
                  " elements");
    if (t.getElementType() != typeOf(x).getElementType())
      return fail(Twine("Clip ") + (i == 1 ? "min" : "max") +
                  " must have the element type of the input");
    if (t.getRank() != 0) {
      ASSIGN_OR_FAIL(v, reshape(v, {}));
    }
    bounds[i - 1] = v;
  }
  // Constant floating-point bounds make one edge.clip (which fuses into the
  // producing convolution); integer or run-time bounds a max and a min.
  DenseElementsAttr c[2];
  bool constant = llvm::all_of(llvm::seq(0, 2), [&](int i) {
    return !bounds[i] || matchPattern(bounds[i], m_Constant(&c[i]));
  });
  if (constant && isa<FloatType>(typeOf(x).getElementType())) {
    if (c[0])
      lo = float((*c[0].getValues<APFloat>().begin()).convertToDouble());
    if (c[1])
      hi = float((*c[1].getValues<APFloat>().begin()).convertToDouble());
    return clip();
  }
  Value y = x;
  if (bounds[0]) {
    ASSIGN_OR_FAIL(y, make<edge::MaxOp>({y, bounds[0]}));
  }
  if (bounds[1]) {
    ASSIGN_OR_FAIL(y, make<edge::MinOp>({y, bounds[1]}));
  }
  return Values{y};
}

FailureOr<SmallVector<NamedAttribute>>
Importer::castAttrs(const onnx::NodeProto &n, Type to) {
  SmallVector<NamedAttribute> attrs{named("to", TypeAttr::get(to))};
  ASSIGN_OR_FAIL(int64_t saturate, intAttr(n, "saturate", 1));
  if (saturate != 0 && saturate != 1)
    return fail("saturate must be 0 or 1, not " + Twine(saturate));
  if (!saturate)
    attrs.push_back(named("saturate", builder.getBoolAttr(false)));
  std::string mode = strAttr(n, "round_mode", "up");
  if (mode != "up" && mode != "down" && mode != "nearest")
    return fail("round_mode must be 'up', 'down' or 'nearest', not '" + mode +
                "'");
  if (mode != "up")
    attrs.push_back(named("round_mode", builder.getStringAttr(mode)));
  return attrs;
}

void Importer::registerElementwise() {
  auto unary = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      return single(make<OpTy>(x));
    };
  };
  auto binary = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
      if (opset < 7) {
        // Legacy broadcasting: B's dims line up with A's from `axis` (by
        // default B's trailing dims with A's), as unit dims around it.
        ASSIGN_OR_FAIL(int64_t broadcast, intAttr(n, "broadcast", 0));
        auto aShape = typeOf(operands[0]).getShape();
        auto bShape = typeOf(operands[1]).getShape();
        int64_t ra = aShape.size(), rb = bShape.size();
        if (broadcast != 0 && rb < ra) {
          ASSIGN_OR_FAIL(int64_t axis, intAttr(n, "axis", ra - rb));
          if (axis < 0)
            axis += ra;
          if (axis < 0 || axis + rb > ra)
            return fail("broadcast axis " + Twine(axis) + " does not fit B of "
                        "rank " + Twine(rb) + " into A of rank " + Twine(ra));
          SmallVector<int64_t> shape(axis, 1);
          llvm::append_range(shape, bShape);
          shape.append(ra - axis - rb, 1);
          ASSIGN_OR_FAIL(operands[1], reshape(operands[1], shape));
        }
      }
      return single(make<OpTy>(operands));
    };
  };
  handlers["Relu"] = unary(edge::ReluOp());
  handlers["Sigmoid"] = unary(edge::SigmoidOp());
  handlers["Tanh"] = unary(edge::TanhOp());
  handlers["Exp"] = unary(edge::ExpOp());
  handlers["Sqrt"] = unary(edge::SqrtOp());
  handlers["Neg"] = unary(edge::NegOp());
  handlers["Round"] = unary(edge::RoundOp());
  handlers["Add"] = binary(edge::AddOp());
  handlers["Sub"] = binary(edge::SubOp());
  handlers["Mul"] = binary(edge::MulOp());
  handlers["Div"] = binary(edge::DivOp());
  auto variadic = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      if (n.input_size() < 1)
        return fail("expects at least one input");
      ASSIGN_OR_FAIL(Value y, input(n, 0));
      for (int i = 1; i < n.input_size(); ++i) {
        ASSIGN_OR_FAIL(Value v, input(n, i));
        ASSIGN_OR_FAIL(y, make<OpTy>({y, v}));
      }
      return Values{y};
    };
  };
  handlers["Max"] = variadic(edge::MaxOp());
  handlers["Min"] = variadic(edge::MinOp());
  handlers["HardSigmoid"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 0.2f));
    ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 0.5f));
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::HardSigmoidOp>(
        x, {named("alpha", builder.getF32FloatAttr(alpha)),
            named("beta", builder.getF32FloatAttr(beta))}));
  };
  // The function families: one edge op each, the ONNX op an attribute.
  auto fn = [&](StringRef name, float alphaDefault = 0.0f,
                float betaDefault = 0.0f, const char *alphaAttr = "alpha",
                const char *betaAttr = "beta") {
    std::string f = name.str();
    return [this, f, alphaDefault, betaDefault, alphaAttr,
            betaAttr](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      ASSIGN_OR_FAIL(float alpha, floatAttr(n, alphaAttr, alphaDefault));
      ASSIGN_OR_FAIL(float beta, floatAttr(n, betaAttr, betaDefault));
      return single(make<edge::UnaryFnOp>(
          x, {named("fn", builder.getStringAttr(f)),
              named("alpha", builder.getF32FloatAttr(alpha)),
              named("beta", builder.getF32FloatAttr(beta))}));
    };
  };
  for (const char *name : {"Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh",
                           "Cosh", "Asinh", "Acosh", "Atanh", "Log", "Erf",
                           "Ceil", "Floor", "Reciprocal", "Softplus",
                           "Softsign", "Mish", "Abs", "Sign", "Not"})
    handlers[name] = fn(StringRef(name).lower());
  handlers["BitwiseNot"] = fn("not");
  handlers["HardSwish"] = fn("hard_swish");
  handlers["Elu"] = fn("elu", 1.0f);
  handlers["Celu"] = fn("celu", 1.0f);
  handlers["LeakyRelu"] = fn("leaky_relu", 0.01f);
  handlers["ThresholdedRelu"] = fn("thresholded_relu", 1.0f);
  // Selu's gamma travels as beta.
  handlers["Selu"] = fn("selu", 1.67326319217681884765625f,
                        1.05070102214813232421875f, "alpha", "gamma");
  handlers["Gelu"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    std::string approx = strAttr(n, "approximate", "none");
    if (approx != "none" && approx != "tanh")
      return fail("Gelu approximate='" + approx +
                  "' is not one of 'none', 'tanh'");
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::UnaryFnOp>(
        x, {named("fn", builder.getStringAttr(approx == "tanh" ? "gelu_tanh"
                                                               : "gelu"))}));
  };
  auto compare = [&](const char *predicate) {
    std::string p = predicate;
    return [this, p](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
      return single(make<edge::CompareOp>(
          operands, {named("predicate", builder.getStringAttr(p))}));
    };
  };
  handlers["Equal"] = compare("eq");
  handlers["Less"] = compare("lt");
  handlers["LessOrEqual"] = compare("le");
  handlers["Greater"] = compare("gt");
  handlers["GreaterOrEqual"] = compare("ge");
  auto bitwise = [&](const char *kind) {
    std::string k = kind;
    return [this, k](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
      return single(make<edge::BitwiseOp>(
          operands, {named("kind", builder.getStringAttr(k))}));
    };
  };
  handlers["And"] = bitwise("and");
  handlers["Or"] = bitwise("or");
  handlers["Xor"] = bitwise("xor");
  handlers["BitwiseAnd"] = bitwise("and");
  handlers["BitwiseOr"] = bitwise("or");
  handlers["BitwiseXor"] = bitwise("xor");
  handlers["BitShift"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    std::string dir = strAttr(n, "direction", "");
    if (dir != "LEFT" && dir != "RIGHT")
      return fail("BitShift direction '" + dir +
                  "' is not one of 'LEFT', 'RIGHT'");
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    return single(make<edge::BitwiseOp>(
        operands,
        {named("kind", builder.getStringAttr(dir == "LEFT" ? "shl" : "shr"))}));
  };
  handlers["Pow"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    return single(make<edge::PowOp>(operands));
  };
  handlers["Mod"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t fmod, intAttr(n, "fmod", 0));
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    if (isa<FloatType>(typeOf(operands[0]).getElementType()) && !fmod)
      return fail("Mod on floating-point tensors needs fmod=1");
    return single(make<edge::ModOp>(
        operands, {named("fmod", builder.getBoolAttr(fmod != 0))}));
  };
  handlers["Where"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 3));
    return single(make<edge::WhereOp>(operands));
  };
  handlers["Sum"] = variadic(edge::AddOp());
  handlers["Mean"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    if (n.input_size() < 1)
      return fail("expects at least one input");
    ASSIGN_OR_FAIL(Value y, input(n, 0));
    for (int i = 1; i < n.input_size(); ++i) {
      ASSIGN_OR_FAIL(Value v, input(n, i));
      ASSIGN_OR_FAIL(y, make<edge::AddOp>({y, v}));
    }
    auto t = typeOf(y);
    if (!isa<FloatType>(t.getElementType()))
      return fail("Mean takes floating-point tensors");
    Value count = constant(DenseElementsAttr::get(
        RankedTensorType::get({}, t.getElementType()),
        builder.getFloatAttr(t.getElementType(), n.input_size())));
    return single(make<edge::DivOp>({y, count}));
  };
  handlers["Clip"] = [this](const onnx::NodeProto &n) { return importClip(n); };
  handlers["CastLike"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    Type to = typeOf(operands[1]).getElementType();
    ASSIGN_OR_FAIL(SmallVector<NamedAttribute> attrs, castAttrs(n, to));
    return single(make<edge::CastOp>(operands[0], attrs));
  };
  // PRelu: x < 0 ? slope * x : x, the slope broadcast to x.
  handlers["PRelu"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    Value x = operands[0], slope = operands[1];
    Type et = typeOf(x).getElementType();
    Value zero = constant(DenseElementsAttr::get(
        RankedTensorType::get({}, et),
        isa<FloatType>(et) ? Attribute(builder.getFloatAttr(et, 0.0))
                           : Attribute(builder.getIntegerAttr(et, 0))));
    ASSIGN_OR_FAIL(Value negative,
                   make<edge::CompareOp>(
                       {x, zero}, {named("predicate", builder.getStringAttr("lt"))}));
    ASSIGN_OR_FAIL(Value scaled, make<edge::MulOp>({x, slope}));
    ASSIGN_OR_FAIL(Value y, make<edge::WhereOp>({negative, scaled, x}));
    if (typeOf(y).getShape() != typeOf(x).getShape())
      return fail("PRelu's slope must broadcast to the input's shape");
    return Values{y};
  };
  // IsNaN: x != x; IsInf: x == +inf or x == -inf, as the attributes ask.
  handlers["IsNaN"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    if (!isa<FloatType>(typeOf(x).getElementType()))
      return fail("IsNaN takes floating-point tensors");
    ASSIGN_OR_FAIL(Value same,
                   make<edge::CompareOp>(
                       {x, x}, {named("predicate", builder.getStringAttr("eq"))}));
    return single(
        make<edge::UnaryFnOp>(same, {named("fn", builder.getStringAttr("not"))}));
  };
  handlers["IsInf"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    Type et = typeOf(x).getElementType();
    if (!isa<FloatType>(et))
      return fail("IsInf takes floating-point tensors");
    ASSIGN_OR_FAIL(int64_t positive, intAttr(n, "detect_positive", 1));
    ASSIGN_OR_FAIL(int64_t negative, intAttr(n, "detect_negative", 1));
    auto equals = [&](double v) {
      return make<edge::CompareOp>(
          {x, scalarOf(et, v)}, {named("predicate", builder.getStringAttr("eq"))});
    };
    ASSIGN_OR_FAIL(Value pos, equals(INFINITY));
    ASSIGN_OR_FAIL(Value neg, equals(-INFINITY));
    if (positive && negative)
      return single(make<edge::BitwiseOp>(
          {pos, neg}, {named("kind", builder.getStringAttr("or"))}));
    if (positive)
      return Values{pos};
    if (negative)
      return Values{neg};
    return single(make<edge::BitwiseOp>(
        {pos, neg}, {named("kind", builder.getStringAttr("and"))}));
  };
  // Swish: x * sigmoid(alpha * x).
  handlers["Swish"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1.0f));
    Type et = typeOf(x).getElementType();
    if (!isa<FloatType>(et))
      return fail("Swish takes floating-point tensors");
    Value ax = x;
    if (alpha != 1.0f) {
      ASSIGN_OR_FAIL(ax, make<edge::MulOp>({x, scalarOf(et, alpha)}));
    }
    ASSIGN_OR_FAIL(Value s, make<edge::SigmoidOp>(ax));
    return single(make<edge::MulOp>({x, s}));
  };
  // Shrink: x < -lambd ? x + bias : x > lambd ? x - bias : 0.
  handlers["Shrink"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(float lambd, floatAttr(n, "lambd", 0.5f));
    ASSIGN_OR_FAIL(float bias, floatAttr(n, "bias", 0.0f));
    Type et = typeOf(x).getElementType();
    auto cmp = [&](double v, const char *p) {
      return make<edge::CompareOp>({x, scalarOf(et, v)},
                                   {named("predicate", builder.getStringAttr(p))});
    };
    ASSIGN_OR_FAIL(Value below, cmp(-lambd, "lt"));
    ASSIGN_OR_FAIL(Value above, cmp(lambd, "gt"));
    ASSIGN_OR_FAIL(Value up, make<edge::AddOp>({x, scalarOf(et, bias)}));
    ASSIGN_OR_FAIL(Value down, make<edge::SubOp>({x, scalarOf(et, bias)}));
    ASSIGN_OR_FAIL(Value y,
                   make<edge::WhereOp>({above, down, scalarOf(et, 0.0)}));
    return single(make<edge::WhereOp>({below, up, y}));
  };
  handlers["BitCast"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t code, intAttr(n, "to", 0));
    ASSIGN_OR_FAIL(Type to, elementType(code, nodeLoc, "BitCast 'to'"));
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::BitcastOp>(x, {named("to", TypeAttr::get(to))}));
  };
  handlers["Cast"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t code, intAttr(n, "to", 0));
    ASSIGN_OR_FAIL(Type to, elementType(code, nodeLoc, "Cast 'to'"));
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(SmallVector<NamedAttribute> attrs, castAttrs(n, to));
    return single(make<edge::CastOp>(x, attrs));
  };
}

} // namespace edgec::detail
