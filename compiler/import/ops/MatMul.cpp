//===- MatMul.cpp - ONNX importers: matrix products -----------------------===//
//
// The importers of one ONNX op family (registered by registerMatMul()): MatMul
// and Gemm.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values> Importer::importGemm(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
  ASSIGN_OR_FAIL(Value c, optInput(n, 2));
  if (c)
    operands.push_back(c);
  if (opset < 7) {
    ASSIGN_OR_FAIL(int64_t broadcast, intAttr(n, "broadcast", 0));
    if (broadcast == 0 && operands.size() == 3 &&
        typeOf(operands[2]).getRank() != 2)
      return fail("Gemm before opset 7 without broadcast needs a 2-D C");
  }
  ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1.0f));
  ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 1.0f));
  ASSIGN_OR_FAIL(bool transA, intAttr(n, "transA", 0));
  ASSIGN_OR_FAIL(bool transB, intAttr(n, "transB", 0));
  return single(make<edge::GemmOp>(
      operands, {named("alpha", builder.getF32FloatAttr(alpha)),
                 named("beta", builder.getF32FloatAttr(beta)),
                 named("transA", builder.getBoolAttr(transA)),
                 named("transB", builder.getBoolAttr(transB))}));
}

void Importer::registerMatMul() {
  handlers["MatMul"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    return single(make<edge::MatMulOp>(operands));
  };
  handlers["Gemm"] = [this](const onnx::NodeProto &n) { return importGemm(n); };
}

} // namespace edgec::detail
