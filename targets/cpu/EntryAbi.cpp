//===- EntryAbi.cpp - the entry function's ABI around bufferization -------===//
//
// edge-cpu-readonly-inputs: the entry's tensor arguments are the caller's
// input buffers, which generated code never writes; bufferization must copy
// instead of writing them in place.
//
// edge-cpu-finalize-entry: before the LLVM conversion, the arena size that
// edge-plan-memory recorded on the entry moves to the module (where the
// emitter reads it, since functions lose their discardable attributes in
// the conversion), and the ONNX names on arguments and results, read into
// the model signature at import, are dropped: LLVM has no use for them.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/BuiltinOps.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUREADONLYINPUTS
#define GEN_PASS_DEF_EDGECPUFINALIZEENTRY
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
struct ReadonlyInputsPass
    : edgec::impl::EdgeCpuReadonlyInputsBase<ReadonlyInputsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (isa<TensorType>(func.getArgument(i).getType()))
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(&getContext(), false));
    }
  }
};

struct FinalizeEntryPass
    : edgec::impl::EdgeCpuFinalizeEntryBase<FinalizeEntryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (StringRef name : {"edge.arena_size", "edge.arena_live_peak"})
        if (auto size = func->getAttrOfType<IntegerAttr>(name)) {
          module->setAttr(name, size);
          func->removeAttr(name);
        }
      // The plan served the report (read after the bufferized phase).
      func->removeAttr(edge::kMemoryPlanAttrName);
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttrs(i, DictionaryAttr::get(&getContext()));
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.setResultAttrs(i, DictionaryAttr::get(&getContext()));
    }
  }
};
} // namespace
