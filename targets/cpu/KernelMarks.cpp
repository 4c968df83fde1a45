//===- KernelMarks.cpp - the kernels numbered, and timed on request -------===//
//
// edge-cpu-number-kernels (end of the kernels phase): each top-level op of
// a public function that computes (a linalg op, or a loop nest holding
// one) is a kernel of the generated code; it gets `edge.kernel = k`, k
// counting from 0 in program order. The report (compiler/report) names
// kernels by these numbers, and which ONNX nodes each one computes.
//
// edge-cpu-instrument-kernels (`edgec --instrument-kernels`, LLVM phase):
// a call edgert_kernel_mark(k) before each marked kernel and
// edgert_kernel_mark(-1) before each return, so that a profiler the
// application installs (the runner's --profile) times each kernel. It
// runs before the parallel loops are outlined: a kernel's time includes
// its workers'.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUNUMBERKERNELS
#define GEN_PASS_DEF_EDGECPUINSTRUMENTKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

constexpr const char *kMarkName = "edgert_kernel_mark";

struct NumberKernelsPass
    : edgec::impl::EdgeCpuNumberKernelsBase<NumberKernelsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      int64_t k = 0;
      for (Operation &op : func.getBody().front()) {
        bool compute = false;
        op.walk([&](Operation *inner) {
          compute |= isa<linalg::LinalgOp, scf::ForOp>(inner);
        });
        if (compute)
          op.setAttr(
              edgec::kKernelAttrName,
              IntegerAttr::get(IntegerType::get(&getContext(), 64), k++));
      }
    }
  }
};

struct InstrumentKernelsPass
    : edgec::impl::EdgeCpuInstrumentKernelsBase<InstrumentKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto i32 = IntegerType::get(ctx, 32);
    SymbolTable symbols(module);
    func::FuncOp mark = symbols.lookup<func::FuncOp>(kMarkName);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isPrivate() || func.isExternal())
        continue;
      SmallVector<std::pair<Operation *, int64_t>> kernels;
      SmallVector<Operation *> returns;
      for (Operation &op : func.getBody().front()) {
        if (auto k = op.getAttrOfType<IntegerAttr>(edgec::kKernelAttrName))
          kernels.push_back({&op, k.getInt()});
        if (isa<func::ReturnOp>(op))
          returns.push_back(&op);
      }
      if (kernels.empty())
        continue;
      if (!mark) {
        OpBuilder b(ctx);
        b.setInsertionPointToStart(module.getBody());
        mark = func::FuncOp::create(b, module.getLoc(), kMarkName,
                                    FunctionType::get(ctx, {i32}, {}));
        mark.setPrivate();
        symbols.insert(mark);
      }
      auto call = [&](Operation *before, int64_t k) {
        OpBuilder b(before);
        Value id = arith::ConstantOp::create(b, before->getLoc(),
                                             b.getI32IntegerAttr(int32_t(k)));
        func::CallOp::create(b, before->getLoc(), mark, ValueRange{id});
      };
      for (auto [op, k] : kernels)
        call(op, k);
      for (Operation *ret : returns)
        call(ret, -1);
    }
  }
};

} // namespace
