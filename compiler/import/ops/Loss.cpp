//===- Loss.cpp - ONNX importers: losses ----------------------------------===//
//
// The importers of one ONNX op family (registered by registerLoss()):
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, as the functions
// ONNX defines them by, in edge ops:
//
//   w[n, d...]    = weight[target[n, d...]] (1 without weights), 0 where
//                   target == ignore_index
//   loss[n, d...] = -input[n, target[n, d...], d...] * w[n, d...]
//
// reduced by `reduction`: none, sum, or mean = sum(loss) / sum(w).
// SoftmaxCrossEntropyLoss is that of log_softmax(scores) along the classes,
// which it can also return.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values>
Importer::importLoss(const onnx::NodeProto &n, Value input, Value target,
                     Value weight) {
  auto inT = typeOf(input), tT = typeOf(target);
  Type et = inT.getElementType();
  if (!isa<FloatType>(et))
    return fail(n.op_type() + " takes floating-point scores");
  if (inT.getRank() < 2 || tT.getRank() != inT.getRank() - 1)
    return fail(n.op_type() + " needs scores (N, C, d...) and targets (N, d...)");
  for (int64_t d = 0; d < tT.getRank(); ++d)
    if (tT.getDimSize(d) != inT.getDimSize(d == 0 ? 0 : d + 1))
      return fail(n.op_type() + "'s targets do not match the scores' shape");
  std::string reduction = strAttr(n, "reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return fail(n.op_type() + " reduction '" + reduction +
                "' is not one of 'none', 'sum', 'mean'");
  const onnx::AttributeProto *ignoreAttr = attr(n, "ignore_index");
  auto scalar = [&](Type t, double v) {
    auto type = RankedTensorType::get({}, t);
    return constant(isa<FloatType>(t)
                        ? DenseElementsAttr::get(type, builder.getFloatAttr(t, v))
                        : DenseElementsAttr::get(
                              type, builder.getIntegerAttr(t, int64_t(v))));
  };
  Type tt = tT.getElementType();
  Value safe = target, ignored;
  if (ignoreAttr) {
    ASSIGN_OR_FAIL(int64_t ignore, intAttr(n, "ignore_index", 0));
    ASSIGN_OR_FAIL(ignored,
                   make<edge::CompareOp>(
                       {target, scalar(tt, double(ignore))},
                       {named("predicate", builder.getStringAttr("eq"))}));
    // An ignored target may be any value: it reads class 0 instead.
    ASSIGN_OR_FAIL(safe, make<edge::WhereOp>({ignored, scalar(tt, 0), target}));
  }
  // input[n, target[n, d...], d...]
  SmallVector<int64_t> withClass(tT.getShape());
  withClass.insert(withClass.begin() + 1, 1);
  ASSIGN_OR_FAIL(Value index, reshape(safe, withClass));
  ASSIGN_OR_FAIL(Value picked,
                 make<edge::GatherElementsOp>(
                     {input, index}, {named("axis", builder.getI64IntegerAttr(1))}));
  ASSIGN_OR_FAIL(picked, reshape(picked, tT.getShape()));
  Value w;
  if (weight) {
    ASSIGN_OR_FAIL(w, make<edge::GatherOp>(
                          {weight, safe},
                          {named("axis", builder.getI64IntegerAttr(0))}));
  } else {
    w = constant(DenseElementsAttr::get(tT.clone(et), builder.getFloatAttr(et, 1.0)));
  }
  if (ignored) {
    ASSIGN_OR_FAIL(w, make<edge::WhereOp>({ignored, scalar(et, 0.0), w}));
  }
  ASSIGN_OR_FAIL(Value weighted, make<edge::MulOp>({picked, w}));
  ASSIGN_OR_FAIL(Value loss, make<edge::NegOp>(weighted));
  if (reduction == "none")
    return Values{loss};
  auto all = builder.getDenseI64ArrayAttr(
      llvm::to_vector(llvm::seq<int64_t>(0, tT.getRank())));
  auto sum = [&](Value v) {
    return make<edge::ReduceSumOp>(
        v, {named("axes", all), named("keepdims", builder.getBoolAttr(false))});
  };
  ASSIGN_OR_FAIL(Value total, sum(loss));
  if (reduction == "sum")
    return Values{total};
  ASSIGN_OR_FAIL(Value count, sum(w));
  return single(make<edge::DivOp>({total, count}));
}

void Importer::registerLoss() {
  handlers["NegativeLogLikelihoodLoss"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    ASSIGN_OR_FAIL(Value weight, optInput(n, 2));
    return importLoss(n, operands[0], operands[1], weight);
  };
  handlers["SoftmaxCrossEntropyLoss"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    ASSIGN_OR_FAIL(Value weight, optInput(n, 2));
    if (typeOf(operands[0]).getRank() < 2)
      return fail("SoftmaxCrossEntropyLoss needs scores (N, C, d...)");
    ASSIGN_OR_FAIL(Value logProb,
                   make<edge::SoftmaxOp>(
                       operands[0], {named("axis", builder.getI64IntegerAttr(1)),
                                     named("log", builder.getBoolAttr(true))}));
    ASSIGN_OR_FAIL(Values loss, importLoss(n, logProb, operands[1], weight));
    if (n.output_size() > 1 && !n.output(1).empty())
      loss.push_back(logProb);
    return loss;
  };
}

} // namespace edgec::detail
