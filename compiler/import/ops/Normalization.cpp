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
  auto mean = [&](Value v) { return meanOver(v, axes); };
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

FailureOr<Value> Importer::meanOver(Value v, ArrayRef<int64_t> axes) {
  auto t = typeOf(v);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= t.getDimSize(a);
  ASSIGN_OR_FAIL(Value sum,
                 make<edge::ReduceSumOp>(
                     v, {named("axes", builder.getDenseI64ArrayAttr(axes)),
                         named("keepdims", builder.getBoolAttr(true))}));
  return make<edge::DivOp>({sum, scalarOf(t.getElementType(), double(count))});
}

FailureOr<Value> Importer::standardize(Value x, ArrayRef<int64_t> axes,
                                       double epsilon) {
  Type et = typeOf(x).getElementType();
  Type stash = et.getIntOrFloatBitWidth() < 32 ? builder.getF32Type() : et;
  auto mean = [&](Value v) { return meanOver(v, axes); };
  ASSIGN_OR_FAIL(Value xs, castTo(x, stash));
  ASSIGN_OR_FAIL(Value m, mean(xs));
  ASSIGN_OR_FAIL(Value centered, make<edge::SubOp>({xs, m}));
  ASSIGN_OR_FAIL(Value squares, make<edge::MulOp>({centered, centered}));
  ASSIGN_OR_FAIL(Value var, mean(squares));
  ASSIGN_OR_FAIL(Value varEps, make<edge::AddOp>({var, scalarOf(stash, epsilon)}));
  ASSIGN_OR_FAIL(Value stdDev, make<edge::SqrtOp>(varEps));
  ASSIGN_OR_FAIL(Value y, make<edge::DivOp>({centered, stdDev}));
  return castTo(y, et);
}

/// y * scale + bias with scale and bias of shape [C] along dim 1 of `y`.
FailureOr<Value> Importer::channelAffine(Value y, Value scale, Value bias) {
  auto shape = typeOf(y).getShape();
  SmallVector<int64_t> perChannel(shape.size(), 1);
  perChannel[1] = shape[1];
  for (Value v : {scale, bias})
    if (v && typeOf(v).getNumElements() != shape[1])
      return fail(opType + "'s scale and bias must have one entry per channel");
  ASSIGN_OR_FAIL(Value s, reshape(scale, perChannel));
  ASSIGN_OR_FAIL(y, make<edge::MulOp>({y, s}));
  if (!bias)
    return y;
  ASSIGN_OR_FAIL(Value b, reshape(bias, perChannel));
  return make<edge::AddOp>({y, b});
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
  handlers["InstanceNormalization"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
    ASSIGN_OR_FAIL(float epsilon, floatAttr(n, "epsilon", 1e-5f));
    auto t = typeOf(ops[0]);
    if (t.getRank() < 3 || !isa<FloatType>(t.getElementType()))
      return fail("InstanceNormalization takes a floating-point N x C x D... "
                  "input");
    ASSIGN_OR_FAIL(Value y, standardize(ops[0],
                                        llvm::to_vector(llvm::seq<int64_t>(
                                            2, t.getRank())),
                                        epsilon));
    return single(channelAffine(y, ops[1], ops[2]));
  };
  // GroupNormalization: statistics per (n, group); scale and bias per
  // channel (opset 21) or, at opset 18, per group.
  handlers["GroupNormalization"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
    ASSIGN_OR_FAIL(float epsilon, floatAttr(n, "epsilon", 1e-5f));
    ASSIGN_OR_FAIL(int64_t groups, intAttr(n, "num_groups", 0));
    auto t = typeOf(ops[0]);
    if (t.getRank() < 3 || !isa<FloatType>(t.getElementType()))
      return fail("GroupNormalization takes a floating-point N x C x D... "
                  "input");
    int64_t N = t.getDimSize(0), C = t.getDimSize(1);
    if (groups < 1 || C % groups != 0)
      return fail("GroupNormalization's num_groups " + Twine(groups) +
                  " does not divide its " + Twine(C) + " channels");
    ASSIGN_OR_FAIL(Value g, reshape(ops[0], {N, groups, t.getNumElements() / (N * groups)}));
    ASSIGN_OR_FAIL(Value y, standardize(g, {2}, epsilon));
    int64_t scaleSize = typeOf(ops[1]).getNumElements();
    if (scaleSize == groups && groups != C) {
      ASSIGN_OR_FAIL(Value s, reshape(ops[1], {groups, 1}));
      ASSIGN_OR_FAIL(Value b, reshape(ops[2], {groups, 1}));
      ASSIGN_OR_FAIL(y, make<edge::MulOp>({y, s}));
      ASSIGN_OR_FAIL(y, make<edge::AddOp>({y, b}));
      return single(reshape(y, t.getShape()));
    }
    ASSIGN_OR_FAIL(y, reshape(y, t.getShape()));
    return single(channelAffine(y, ops[1], ops[2]));
  };
  // MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over axes.
  handlers["MeanVarianceNormalization"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto t = typeOf(x);
    Type et = t.getElementType();
    if (!isa<FloatType>(et))
      return fail("MeanVarianceNormalization takes floating-point tensors");
    SmallVector<int64_t> axes;
    for (int64_t a : intsAttr(n, "axes", {0, 2, 3})) {
      ASSIGN_OR_FAIL(int64_t axis, normAxis(a, t.getRank(), "axis"));
      axes.push_back(axis);
    }
    auto mean = [&](Value v) { return meanOver(v, axes); };
    ASSIGN_OR_FAIL(Value m, mean(x));
    ASSIGN_OR_FAIL(Value sq, make<edge::MulOp>({x, x}));
    ASSIGN_OR_FAIL(Value msq, mean(sq));
    ASSIGN_OR_FAIL(Value m2, make<edge::MulOp>({m, m}));
    ASSIGN_OR_FAIL(Value var, make<edge::SubOp>({msq, m2}));
    ASSIGN_OR_FAIL(Value sd, make<edge::SqrtOp>(var));
    ASSIGN_OR_FAIL(sd, make<edge::AddOp>({sd, scalarOf(et, 1e-9)}));
    ASSIGN_OR_FAIL(Value centered, make<edge::SubOp>({x, m}));
    return single(make<edge::DivOp>({centered, sd}));
  };
  // LRN: x / (bias + alpha / size * (sum of squares over the channel
  // window))^beta, the window [c - (size-1)/2, c + size/2] zero-padded.
  handlers["LRN"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1e-4f));
    ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 0.75f));
    ASSIGN_OR_FAIL(float bias, floatAttr(n, "bias", 1.0f));
    ASSIGN_OR_FAIL(int64_t size, intAttr(n, "size", 0));
    auto t = typeOf(x);
    Type et = t.getElementType();
    if (t.getRank() < 3 || !isa<FloatType>(et))
      return fail("LRN takes a floating-point N x C x D... input");
    if (size < 1)
      return fail("LRN's size must be positive");
    int64_t rank = t.getRank(), C = t.getDimSize(1);
    ASSIGN_OR_FAIL(Value sq, make<edge::MulOp>({x, x}));
    SmallVector<int64_t> pads(2 * rank, 0);
    pads[1] = (size - 1) / 2;
    pads[rank + 1] = size - 1 - (size - 1) / 2;
    ASSIGN_OR_FAIL(Value padded,
                   make<edge::PadOp>(
                       sq, {named("pads", builder.getDenseI64ArrayAttr(pads)),
                            named("mode", builder.getStringAttr("constant")),
                            named("value", builder.getF64FloatAttr(0.0))}));
    Value sum;
    for (int64_t o = 0; o < size; ++o) {
      ASSIGN_OR_FAIL(Value part, sliceAxis(padded, 1, o, C));
      if (sum) {
        ASSIGN_OR_FAIL(sum, make<edge::AddOp>({sum, part}));
      } else {
        sum = part;
      }
    }
    ASSIGN_OR_FAIL(Value d, make<edge::MulOp>({sum, scalarOf(et, alpha / size)}));
    ASSIGN_OR_FAIL(d, make<edge::AddOp>({d, scalarOf(et, bias)}));
    ASSIGN_OR_FAIL(d, make<edge::PowOp>({d, scalarOf(et, beta)}));
    return single(make<edge::DivOp>({x, d}));
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
