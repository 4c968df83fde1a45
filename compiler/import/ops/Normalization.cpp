//===- Normalization.cpp - ONNX importers: normalization ------------------===//
//
// The importers of one ONNX op family (registered by registerNormalization()):
// BatchNormalization and Softmax.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values> Importer::importSoftmax(const onnx::NodeProto &n,
                                                    bool log) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  auto shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  NamedAttribute logAttr = named("log", builder.getBoolAttr(log));
  if (opset >= 13) {
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, rank));
    return single(make<edge::SoftmaxOp>(
        x, {named("axis", builder.getI64IntegerAttr(axis)), logAttr}));
  }
  // Before opset 13 the input is coerced to 2-D at `axis`.
  ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 1, rank));
  ASSIGN_OR_FAIL(Value flat, flatten2D(x, axis));
  ASSIGN_OR_FAIL(Value y,
                 make<edge::SoftmaxOp>(
                     flat, {named("axis", builder.getI64IntegerAttr(1)),
                            logAttr}));
  return single(reshape(y, shape));
}

FailureOr<Importer::Values>
Importer::importBatchNorm(const onnx::NodeProto &n) {
  if (opset < 9) {
    ASSIGN_OR_FAIL(int64_t spatial, intAttr(n, "spatial", 1));
    if (spatial == 0)
      return fail("BatchNormalization with spatial=0 is not supported");
  }
  ASSIGN_OR_FAIL(int64_t training, intAttr(n, "training_mode", 0));
  if (training != 0)
    return fail("BatchNormalization in training mode is not supported");
  if (failed(noExtraOutputs(n, 1, "(training statistics)")))
    return failure();
  ASSIGN_OR_FAIL(float epsilon, floatAttr(n, "epsilon", 1e-5f));
  ASSIGN_OR_FAIL(Values operands, inputs(n, 5));
  return single(make<edge::BatchNormOp>(
      operands, {named("epsilon", builder.getF32FloatAttr(epsilon))}));
}

FailureOr<Importer::Values>
Importer::importLayerNorm(const onnx::NodeProto &n, bool rms) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(Value scale, input(n, 1));
  Value bias;
  if (!rms) {
    ASSIGN_OR_FAIL(bias, optInput(n, 2));
  }
  auto t = typeOf(x);
  int64_t rank = t.getRank();
  Type et = t.getElementType();
  if (!isa<FloatType>(et))
    return fail(n.op_type() + " takes floating-point tensors");
  ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, rank));
  ASSIGN_OR_FAIL(float epsilon, floatAttr(n, "epsilon", 1e-5f));
  // Statistics over dims [axis, rank), in float32 (stash_type 1) for a
  // narrower input.
  Type stash = et.getIntOrFloatBitWidth() < 32 ? builder.getF32Type() : et;
  auto cast = [&](Value v, Type to) -> FailureOr<Value> {
    if (typeOf(v).getElementType() == to)
      return v;
    return make<edge::CastOp>(v, {named("to", TypeAttr::get(to))});
  };
  auto scalar = [&](double v) {
    return constant(DenseElementsAttr::get(RankedTensorType::get({}, stash),
                                           builder.getFloatAttr(stash, v)));
  };
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(axis, rank));
  int64_t count = 1;
  for (int64_t a : axes)
    count *= t.getDimSize(a);
  auto mean = [&](Value v) -> FailureOr<Value> {
    ASSIGN_OR_FAIL(Value sum,
                   make<edge::ReduceSumOp>(
                       v, {named("axes", builder.getDenseI64ArrayAttr(axes)),
                           named("keepdims", builder.getBoolAttr(true))}));
    return make<edge::DivOp>({sum, scalar(double(count))});
  };
  ASSIGN_OR_FAIL(Value xs, cast(x, stash));
  Value centered = xs, meanValue;
  if (!rms) {
    ASSIGN_OR_FAIL(meanValue, mean(xs));
    ASSIGN_OR_FAIL(centered, make<edge::SubOp>({xs, meanValue}));
  }
  ASSIGN_OR_FAIL(Value squares, make<edge::MulOp>({centered, centered}));
  ASSIGN_OR_FAIL(Value var, mean(squares));
  ASSIGN_OR_FAIL(Value varEps, make<edge::AddOp>({var, scalar(epsilon)}));
  ASSIGN_OR_FAIL(Value stdDev, make<edge::SqrtOp>(varEps));
  ASSIGN_OR_FAIL(Value invStd, make<edge::DivOp>({scalar(1.0), stdDev}));
  ASSIGN_OR_FAIL(Value normalized, make<edge::MulOp>({centered, invStd}));
  ASSIGN_OR_FAIL(Value y, cast(normalized, et));
  ASSIGN_OR_FAIL(y, make<edge::MulOp>({y, scale}));
  if (bias) {
    ASSIGN_OR_FAIL(y, make<edge::AddOp>({y, bias}));
  }
  if (typeOf(y).getShape() != t.getShape())
    return fail(n.op_type() + "'s scale and bias must broadcast to the input");
  Values results{y};
  if (!rms) {
    // The optional Mean and InvStdDev outputs (in the stash type).
    if (n.output_size() > 1 && !n.output(1).empty())
      results.push_back(meanValue);
    if (n.output_size() > 2 && !n.output(2).empty()) {
      while (results.size() < 2)
        results.push_back(meanValue);
      results.push_back(invStd);
    }
  }
  if (failed(noExtraOutputs(n, rms ? 1 : 3, "")))
    return failure();
  return results;
}

void Importer::registerNormalization() {
  handlers["LayerNormalization"] = [this](const onnx::NodeProto &n) {
    return importLayerNorm(n, /*rms=*/false);
  };
  handlers["RMSNormalization"] = [this](const onnx::NodeProto &n) {
    return importLayerNorm(n, /*rms=*/true);
  };
  // Hardmax: 1 at the first maximum along the axis (opset 13; before, of
  // the input flattened to 2-D at the axis), 0 elsewhere.
  handlers["Hardmax"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto shape = typeOf(x).getShape();
    int64_t rank = shape.size();
    Value v = x;
    int64_t axis;
    if (opset >= 13) {
      ASSIGN_OR_FAIL(axis, axisAttr(n, -1, rank));
    } else {
      ASSIGN_OR_FAIL(int64_t a, axisAttr(n, 1, rank));
      ASSIGN_OR_FAIL(v, flatten2D(x, a));
      axis = 1;
    }
    auto vt = typeOf(v);
    ASSIGN_OR_FAIL(Value arg,
                   make<edge::ArgReduceOp>(
                       v, {named("kind", builder.getStringAttr("max")),
                           named("axis", builder.getI64IntegerAttr(axis)),
                           named("keepdims", builder.getBoolAttr(true)),
                           named("select_last_index", builder.getBoolAttr(false))}));
    // The positions along the axis, compared with the argmax.
    SmallVector<int64_t> iotaShape(vt.getRank(), 1);
    iotaShape[axis] = vt.getDimSize(axis);
    SmallVector<int64_t> iota = llvm::to_vector(
        llvm::seq<int64_t>(0, vt.getDimSize(axis)));
    Value positions = constant(DenseElementsAttr::get(
        RankedTensorType::get(iotaShape, builder.getI64Type()),
        ArrayRef<int64_t>(iota)));
    ASSIGN_OR_FAIL(Value hit,
                   make<edge::CompareOp>(
                       {positions, arg},
                       {named("predicate", builder.getStringAttr("eq"))}));
    ASSIGN_OR_FAIL(Value y, make<edge::CastOp>(
                                hit, {named("to", TypeAttr::get(
                                                      vt.getElementType()))}));
    if (typeOf(y).getShape() != vt.getShape())
      return fail("Hardmax of a tensor with a zero-size dimension");
    return single(reshape(y, shape));
  };
  handlers["Softmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n, /*log=*/false);
  };
  handlers["LogSoftmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n, /*log=*/true);
  };
  handlers["BatchNormalization"] = [this](const onnx::NodeProto &n) {
    return importBatchNorm(n);
  };
}

} // namespace edgec::detail
