//===- Quantization.cpp - ONNX importers: quantization --------------------===//
//
// The importers of one ONNX op family (registered by registerQuantization()):
// DequantizeLinear.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

void Importer::registerQuantization() {
  handlers["DequantizeLinear"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t blockSize, intAttr(n, "block_size", 0));
    if (blockSize != 0)
      return fail("blocked DequantizeLinear is not supported");
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value zp, optInput(n, 2));
    if (zp)
      ops.push_back(zp);
    // The axis only matters for a per-axis (1-D) scale.
    int64_t axis = 0;
    if (typeOf(ops[1]).getNumElements() > 1) {
      ASSIGN_OR_FAIL(axis, axisAttr(n, 1, typeOf(ops[0]).getRank()));
    }
    return single(make<edge::DequantizeLinearOp>(
        ops, {named("axis", builder.getI64IntegerAttr(axis))}));
  };
}

} // namespace edgec::detail
