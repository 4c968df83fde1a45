//===- Reduction.cpp - ONNX importers: reductions -------------------------===//
//
// The importers of one ONNX op family (registered by registerReduction()):
// ReduceMin and ReduceMax, with their axes as an attribute (before opset
// 18) or a constant input (from 18), keepdims and noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

void Importer::registerReduction() {
  auto reduce = [this](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      int64_t rank = typeOf(x).getRank();
      SmallVector<int64_t> axes;
      if (opset < 18) {
        axes = intsAttr(n, "axes");
      } else if (hasInput(n, 1)) {
        ASSIGN_OR_FAIL(axes, constInts(n, 1, "the axes"));
      }
      ASSIGN_OR_FAIL(int64_t keepdims, intAttr(n, "keepdims", 1));
      ASSIGN_OR_FAIL(int64_t noop, intAttr(n, "noop_with_empty_axes", 0));
      if (axes.empty() && noop != 0)
        return Values{x};
      if (axes.empty())
        axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      for (int64_t &axis : axes) {
        ASSIGN_OR_FAIL(axis, normAxis(axis, rank, "axis"));
      }
      llvm::sort(axes);
      return single(make<OpTy>(
          x, {named("axes", builder.getDenseI64ArrayAttr(axes)),
              named("keepdims", builder.getBoolAttr(keepdims != 0))}));
    };
  };
  handlers["ReduceMin"] = reduce(edge::ReduceMinOp());
  handlers["ReduceMax"] = reduce(edge::ReduceMaxOp());
}

} // namespace edgec::detail
