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

void Importer::registerNormalization() {
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
