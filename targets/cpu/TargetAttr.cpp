//===- TargetAttr.cpp - the target on the module --------------------------===//
#include "targets/cpu/TargetDescription.h"

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace edgec {

void attachTarget(ModuleOp module, const TargetDescription &t) {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<DLTIDialect>();
  ctx->getOrLoadDialect<edge::EdgeDialect>();
  Builder b(ctx);
  const CpuFacts &f = t.facts;
  auto attr = edge::TargetAttr::get(
      ctx, b.getStringAttr(t.triple), b.getStringAttr(t.cpu),
      b.getStringAttr(t.features), b.getStringAttr(t.family->name),
      f.vectorBits, f.vectorRegisters, f.fma, b.getStringAttr(f.dot),
      f.l1Bytes, f.l2Bytes, f.sramBytes, t.pointerBits);
  module->setAttr(kTargetAttrName, attr);
  // The index type is as wide as a pointer: 32-bit targets get 32-bit
  // address arithmetic (no __muldi3 on RV32 or Cortex-M).
  auto entry = DataLayoutEntryAttr::get(
      IndexType::get(ctx), b.getI64IntegerAttr(t.pointerBits));
  module->setAttr(DLTIDialect::kDataLayoutAttrName,
                  DataLayoutSpecAttr::get(ctx, {entry}));
}

edge::TargetAttr lookupTarget(Operation *op) {
  for (Operation *p = op; p; p = p->getParentOp())
    if (auto a = p->getAttrOfType<edge::TargetAttr>(kTargetAttrName))
      return a;
  return {};
}

} // namespace edgec
