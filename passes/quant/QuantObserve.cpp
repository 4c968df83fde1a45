//===- QuantObserve.cpp - tensors of @main as extra results ---------------===//
//
// Calibration runs the float model with an observer on every tensor: this
// pass makes each observed tensor one more result of @main (and one more
// output of the module's interface), so the compiled model writes it to a
// buffer the calibrator reads. Nothing else changes: the compiled code
// computes what it computed before, plus the copies.
//
//===----------------------------------------------------------------------===//
#include "passes/quant/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace edgec {
#define GEN_PASS_DEF_EDGEQUANTOBSERVE
#include "passes/quant/Passes.h.inc"
} // namespace edgec

using namespace mlir;

/// An op computing from constants only (a dequantized weight, say): its
/// value is known at compile time.
static bool isConstantExpression(Operation *op) {
  if (op->getNumOperands() == 0)
    return op->hasTrait<OpTrait::ConstantLike>();
  return llvm::all_of(op->getOperands(), [](Value v) {
    Operation *def = v.getDefiningOp();
    return def && isConstantExpression(def);
  });
}

bool edgec::ptq::isObservable(Operation *op) {
  if (!isa_and_nonnull<edge::EdgeDialect>(op->getDialect()) ||
      op->getNumResults() != 1 || isConstantExpression(op))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

namespace {
struct EdgeQuantObservePass
    : edgec::impl::EdgeQuantObserveBase<EdgeQuantObservePass> {
  using EdgeQuantObserveBase::EdgeQuantObserveBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func || func.isExternal()) {
      module.emitError("edge-quant-observe: the module has no @main body");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    SmallVector<std::pair<int64_t, Value>> observed;
    int64_t count = 0;
    for (Operation &op : body) {
      auto mark = op.getAttrOfType<IntegerAttr>(edgec::ptq::kObserveAttr);
      op.removeAttr(edgec::ptq::kObserveAttr);
      if (all) {
        if (edgec::ptq::isObservable(&op))
          observed.push_back({count++, op.getResult(0)});
        continue;
      }
      if (!mark)
        continue;
      if (!edgec::ptq::isObservable(&op)) {
        op.emitError("edge.observe marks an op whose result is not one "
                     "static f32 tensor");
        return signalPassFailure();
      }
      observed.push_back({mark.getInt(), op.getResult(0)});
    }
    llvm::stable_sort(observed,
                      [](auto &a, auto &b) { return a.first < b.first; });
    for (size_t i = 1; i < observed.size(); ++i)
      if (observed[i].first == observed[i - 1].first) {
        observed[i].second.getDefiningOp()->emitError("edge.observe = ")
            << observed[i].first << " marks two ops";
        return signalPassFailure();
      }

    Builder b(module.getContext());
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Attribute> resultAttrs;
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      DictionaryAttr d = func.getResultAttrDict(i);
      resultAttrs.push_back(d ? d : b.getDictionaryAttr({}));
    }
    SmallVector<Attribute> outputs;
    if (auto list = module->getAttrOfType<ArrayAttr>("edge.outputs"))
      llvm::append_range(outputs, list);
    for (auto &[id, value] : observed) {
      // A result already returned is observed there (returning one buffer
      // twice is not supported by buffer-results-to-out-params).
      if (llvm::is_contained(results, value))
        continue;
      std::string name = edgec::ptq::kObservedOutputPrefix + std::to_string(id);
      results.push_back(value);
      resultAttrs.push_back(b.getDictionaryAttr(
          b.getNamedAttr("edge.name", b.getStringAttr(name))));
      outputs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(name)),
           b.getNamedAttr("type", TypeAttr::get(value.getType()))}));
    }
    ret->setOperands(results);
    func.setType(FunctionType::get(module.getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    func.setAllResultAttrs(resultAttrs);
    if (module->hasAttr("edge.outputs"))
      module->setAttr("edge.outputs", b.getArrayAttr(outputs));
  }
};
} // namespace
