//===- QLinear.cpp - ONNX importers: com.microsoft quantized ops ----------===//
//
// The ops of ONNX Runtime's com.microsoft domain that its quantizer writes
// in the QOperator format (registered by registerQLinear()): QLinearAdd,
// QLinearMul, QLinearGlobalAveragePool, QLinearAveragePool, QLinearConcat,
// QLinearSigmoid, QLinearLeakyRelu and QGemm, and the domain's
// QuantizeLinear / DequantizeLinear (the form it writes for 16-bit and
// 4-bit types before opset 21). Each dequantizes its integer inputs,
// computes the float op and quantizes the result with the output's
// parameters, as QDQ graphs do: with constant scales and zero points these
// are edge.dequantize / edge.quantize on `!quant.uniform` tensors, the
// rounding points of ONNX Runtime's kernels (which compute the same
// formula in float, or in fixed point to within one unit).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

void Importer::registerQLinear() {
  // Per-tensor parameters: inputs `i` (scale) and `i` + 1 (zero point,
  // optional), as these ops take them.
  auto params = [this](const onnx::NodeProto &n,
                       int i) -> FailureOr<QuantParams> {
    QuantParams p;
    ASSIGN_OR_FAIL(p.scale, input(n, i));
    ASSIGN_OR_FAIL(p.zeroPoint, optInput(n, i + 1));
    if (typeOf(p.scale).getNumElements() != 1 ||
        (p.zeroPoint && typeOf(p.zeroPoint).getNumElements() != 1))
      return fail(opType + " takes one scale and zero point per tensor (input " +
                  Twine(i) + " has " +
                  Twine(typeOf(p.scale).getNumElements()) + " entries)");
    return p;
  };
  // Quantizes `y` with the parameters at input `i`; the storage is the zero
  // point's type, else that of `like` (the op's quantized input).
  auto requantize = [=](const onnx::NodeProto &n, Value y, int i,
                        Value like) -> FailureOr<Value> {
    ASSIGN_OR_FAIL(QuantParams p, params(n, i));
    Type et = (p.zeroPoint ? typeOf(p.zeroPoint) : typeOf(like))
                  .getElementType();
    auto storage = dyn_cast<IntegerType>(et);
    if (!storage || storage.getWidth() != 8)
      return fail(opType + " on " + onnxDataTypeName(onnxDataType(et)) +
                  " tensors is not supported (int8 and uint8 are)");
    return quantize(y, p, storage);
  };
  // Dequantizes node input `i` with the parameters at `i` + 1.
  auto input8 = [=](const onnx::NodeProto &n, int i) -> FailureOr<Value> {
    ASSIGN_OR_FAIL(Value q, input(n, i));
    auto storage = dyn_cast<IntegerType>(typeOf(q).getElementType());
    if (!storage || storage.getWidth() != 8)
      return fail(opType + " on " +
                  onnxDataTypeName(onnxDataType(typeOf(q).getElementType())) +
                  " tensors is not supported (int8 and uint8 are)");
    ASSIGN_OR_FAIL(QuantParams p, params(n, i + 1));
    return dequantize(q, p);
  };
  // NHWC <-> NCHW for the ops' channels_last attribute.
  auto channelsLast = [this](const onnx::NodeProto &n) -> FailureOr<bool> {
    ASSIGN_OR_FAIL(int64_t v, intAttr(n, "channels_last", 0));
    return v != 0;
  };
  auto permute = [this](Value v, bool toChannelsFirst) -> FailureOr<Value> {
    int64_t rank = typeOf(v).getRank();
    if (rank < 3)
      return fail("channels_last needs an input of rank 3 or more, it has " +
                  Twine(rank));
    SmallVector<int64_t> perm{0};
    if (toChannelsFirst) {
      perm.push_back(rank - 1);
      for (int64_t d = 1; d < rank - 1; ++d)
        perm.push_back(d);
    } else {
      for (int64_t d = 2; d < rank; ++d)
        perm.push_back(d);
      perm.push_back(1);
    }
    return make<edge::TransposeOp>(
        v, {named("perm", builder.getDenseI64ArrayAttr(perm))});
  };

  auto binary = [=](auto tag) {
    using OpTy = decltype(tag);
    return [=](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value a, input8(n, 0));
      ASSIGN_OR_FAIL(Value b, input8(n, 3));
      ASSIGN_OR_FAIL(Value c, make<OpTy>(ValueRange{a, b}));
      ASSIGN_OR_FAIL(Value like, input(n, 0));
      return single(requantize(n, c, 6, like));
    };
  };
  microsoftHandlers["QLinearAdd"] = binary(edge::AddOp());
  microsoftHandlers["QLinearMul"] = binary(edge::MulOp());

  // X, x_scale, x_zero_point, y_scale, y_zero_point and a float op between.
  auto unary = [=](auto body) {
    return [=](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input8(n, 0));
      ASSIGN_OR_FAIL(Value y, body(n, x));
      ASSIGN_OR_FAIL(Value like, input(n, 0));
      return single(requantize(n, y, 3, like));
    };
  };
  microsoftHandlers["QLinearSigmoid"] =
      unary([this](const onnx::NodeProto &, Value x) {
        return make<edge::SigmoidOp>(x);
      });
  microsoftHandlers["QLinearLeakyRelu"] =
      unary([this](const onnx::NodeProto &n, Value x) -> FailureOr<Value> {
        // relu(x) + alpha * min(x, 0): x where x >= 0, alpha * x below.
        ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 0.01f));
        auto scalar = [&](float v) {
          return constant(DenseElementsAttr::get(
              RankedTensorType::get({}, builder.getF32Type()), v));
        };
        ASSIGN_OR_FAIL(Value pos, make<edge::ReluOp>(x));
        ASSIGN_OR_FAIL(Value neg, make<edge::MinOp>({x, scalar(0.0f)}));
        ASSIGN_OR_FAIL(neg, make<edge::MulOp>({neg, scalar(alpha)}));
        return make<edge::AddOp>({pos, neg});
      });
  microsoftHandlers["QLinearGlobalAveragePool"] = unary(
      [=](const onnx::NodeProto &n, Value x) -> FailureOr<Value> {
        ASSIGN_OR_FAIL(bool last, channelsLast(n));
        if (last) {
          ASSIGN_OR_FAIL(x, permute(x, /*toChannelsFirst=*/true));
        }
        if (typeOf(x).getRank() < 3)
          return fail("QLinearGlobalAveragePool needs an input of rank 3 or "
                      "more");
        ASSIGN_OR_FAIL(Value y, make<edge::GlobalAveragePoolOp>(x));
        if (last)
          return permute(y, /*toChannelsFirst=*/false);
        return y;
      });
  microsoftHandlers["QLinearAveragePool"] = unary(
      [=](const onnx::NodeProto &n, Value x) -> FailureOr<Value> {
        ASSIGN_OR_FAIL(bool last, channelsLast(n));
        if (last) {
          ASSIGN_OR_FAIL(x, permute(x, /*toChannelsFirst=*/true));
        }
        ASSIGN_OR_FAIL(Values pooled, importPool(n, /*isMax=*/false, x));
        if (last)
          return permute(pooled[0], /*toChannelsFirst=*/false);
        return pooled[0];
      });

  microsoftHandlers["QLinearConcat"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    // Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input.
    if (n.input_size() < 5 || (n.input_size() - 2) % 3 != 0)
      return fail("QLinearConcat takes the output's scale and zero point, "
                  "then a (tensor, scale, zero point) triple per input; it "
                  "has " +
                  Twine(n.input_size()) + " inputs");
    if (!attr(n, "axis"))
      return fail("QLinearConcat needs an 'axis' attribute");
    Values parts;
    for (int i = 2; i < n.input_size(); i += 3) {
      ASSIGN_OR_FAIL(Value x, input8(n, i));
      parts.push_back(x);
    }
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(parts[0]).getRank()));
    ASSIGN_OR_FAIL(Value y, make<edge::ConcatOp>(
                                parts, {named("axis", builder.getI64IntegerAttr(
                                                          axis))}));
    ASSIGN_OR_FAIL(Value like, input(n, 2));
    return single(requantize(n, y, 0, like));
  };

  // QGemm: alpha * A' B' + C with A per tensor, B per tensor or per column
  // of B' (per row of B when transB), the int32 bias C of scale
  // alpha * a_scale * b_scale; quantized with y_scale / y_zero_point when
  // given, float otherwise.
  microsoftHandlers["QGemm"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value a, input8(n, 0));
    ASSIGN_OR_FAIL(int64_t transB, intAttr(n, "transB", 0));
    ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1.0f));
    ASSIGN_OR_FAIL(Values bq, inputs(n, 6));
    if (typeOf(bq[3]).getRank() != 2)
      return fail("QGemm needs a 2-D B");
    ASSIGN_OR_FAIL(Value b,
                   dequantize(bq[3], {bq[4], bq[5], transB ? 0 : 1}));
    ASSIGN_OR_FAIL(Value bias, optInput(n, 6));
    if (bias) {
      ASSIGN_OR_FAIL(Value scale, make<edge::MulOp>(ValueRange{bq[1], bq[4]}));
      Value alphaValue = constant(DenseElementsAttr::get(
          RankedTensorType::get({}, builder.getF32Type()), alpha));
      ASSIGN_OR_FAIL(scale, make<edge::MulOp>(ValueRange{scale, alphaValue}));
      // Per column: along C's last dimension.
      int64_t axis = std::max<int64_t>(typeOf(bias).getRank() - 1, 0);
      ASSIGN_OR_FAIL(bias, dequantize(bias, {scale, Value(), axis}));
    }
    ASSIGN_OR_FAIL(int64_t transA, intAttr(n, "transA", 0));
    SmallVector<Value> ops{a, b};
    if (bias)
      ops.push_back(bias);
    ASSIGN_OR_FAIL(
        Value y,
        make<edge::GemmOp>(ops, {named("alpha", builder.getF32FloatAttr(alpha)),
                                 named("beta", builder.getF32FloatAttr(1.0f)),
                                 named("transA", builder.getBoolAttr(transA)),
                                 named("transB", builder.getBoolAttr(transB))}));
    if (!hasInput(n, 7))
      return Values{y};
    return single(requantize(n, y, 7, bq[0]));
  };

  // ONNX Runtime's own QuantizeLinear / DequantizeLinear: the ONNX ops'
  // semantics, for the types the default domain gained later.
  microsoftHandlers["QuantizeLinear"] = handlers["QuantizeLinear"];
  microsoftHandlers["DequantizeLinear"] = handlers["DequantizeLinear"];
}

} // namespace edgec::detail
