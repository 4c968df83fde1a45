//===- NegateOutputsPlugin.cpp - a pass plugin for the --compile-from test -===//
//
// An out-of-tree pass as a user would write one for an experiment: loaded by
// `edgec-opt --load-pass-plugin`, run on the tensor-level (linalg phase)
// module that `edgec --compile-to=linalg` printed, and finished into a
// binary by `edgec --compile-from=linalg`, without rebuilding edgec. It
// negates every float result of the public functions, a change the test can
// see in the numbers. It uses upstream dialects only.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

using namespace mlir;

namespace {
struct NegateOutputsPass
    : PassWrapper<NegateOutputsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NegateOutputsPass)

  StringRef getArgument() const final { return "test-negate-outputs"; }
  StringRef getDescription() const final {
    return "Negate every float tensor a public function returns";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.isPublic())
      return;
    func.walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<RankedTensorType>(operand.get().getType());
        if (!type || !isa<FloatType>(type.getElementType()))
          continue;
        Location loc = ret.getLoc();
        Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                              type.getElementType());
        AffineMap id = b.getMultiDimIdentityMap(type.getRank());
        SmallVector<utils::IteratorType> iterators(
            type.getRank(), utils::IteratorType::parallel);
        auto negated = linalg::GenericOp::create(
            b, loc, TypeRange{type}, ValueRange{operand.get()},
            ValueRange{empty}, ArrayRef<AffineMap>{id, id}, iterators,
            [](OpBuilder &nb, Location nl, ValueRange args) {
              Value n = arith::NegFOp::create(nb, nl, args[0]);
              linalg::YieldOp::create(nb, nl, n);
            });
        operand.set(negated.getResult(0));
      }
    });
  }
};
} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "EdgecTestNegateOutputs", "0.1",
          []() { PassRegistration<NegateOutputsPass>(); }};
}
