//===- ConvertToLLVM.cpp - one lowering of the kernel module to LLVM ------===//
//
// The final conversion of a bufferized, loop-level module to the LLVM
// dialect, in one pass whose index and pointer widths come from the module's
// DLTI data layout (attached with #edge.target): upstream's separate
// arith/index/vector conversions assume a 64-bit index, which on 32-bit
// targets leaves 64-bit address arithmetic (and __muldi3 calls) behind.
//
// Vector ops are first lowered progressively to 1-D ops (contractions as
// outer products: the `dot` lowering was measured 20x slower), then arith,
// math, index, vector, memref, control flow, ub and func (bare-pointer
// calling convention: plain C-callable kernels) convert together.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/Analysis/DataLayoutAnalysis.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUCONVERTTOLLVM
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
struct ConvertToLLVMPass
    : edgec::impl::EdgeCpuConvertToLLVMBase<ConvertToLLVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    // Vector ops to rank-1 ops the LLVM conversion knows.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorToVectorCanonicalizationPatterns(patterns);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::EltWise);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorMaskMaterializationPatterns(
          patterns, /*force32BitVectorIndices=*/true);
      vector::populateVectorInsertExtractStridedSliceTransforms(patterns);
      vector::populateVectorStepLoweringPatterns(patterns);
      vector::populateVectorRankReducingFMAPattern(patterns);
      vector::populateVectorGatherLoweringPatterns(patterns);
      vector::populateVectorBitCastLoweringPatterns(patterns);
      vector::populateVectorInterleaveLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorFromElementsUnrollPatterns(patterns);
      vector::populateVectorToElementsUnrollPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }

    // The bare-pointer convention takes only memrefs with a contiguous
    // layout, which an empty shape such as 3x0x5 lacks. Nothing reads or
    // writes an empty buffer (its loops have no iteration and fold away), so
    // such an argument becomes a 1-D memref<0xT>.
    module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return;
      SmallVector<Type> inputs(func.getArgumentTypes());
      bool changed = false;
      for (auto [k, t] : llvm::enumerate(inputs)) {
        auto m = dyn_cast<MemRefType>(t);
        BlockArgument arg = func.getArgument(k);
        if (!m || !m.hasStaticShape() || m.getNumElements() != 0 ||
            m.getRank() == 1 || !arg.use_empty())
          continue;
        t = MemRefType::get({0}, m.getElementType(), nullptr,
                            m.getMemorySpace());
        arg.setType(t);
        changed = true;
      }
      if (changed)
        func.setType(FunctionType::get(ctx, inputs, func.getResultTypes()));
    });

    const auto &layouts = getAnalysis<DataLayoutAnalysis>();
    LowerToLLVMOptions options(ctx, layouts.getAtOrAbove(module));
    options.useBarePtrCallConv = true;
    LLVMTypeConverter converter(ctx, options, &layouts);

    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferLoweringPatterns(patterns);
    populateVectorToLLVMConversionPatterns(converter, patterns);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    populateMathToLLVMConversionPatterns(converter, patterns);
    index::populateIndexToLLVMConversionPatterns(converter, patterns);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    ub::populateUBToLLVMConversionPatterns(converter, patterns);
    populateFuncToLLVMConversionPatterns(converter, patterns);

    LLVMConversionTarget target(*ctx);
    target.addLegalOp<ModuleOp>();
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    boolsAsBytes(module);
  }

  /// A bool tensor holds one byte (0 or 1) per element, but LLVM stores a
  /// vector of i1 as packed bits and will not vectorize a loop over i1
  /// loads (Where, comparisons, And/Or ran byte by byte). Bools are loaded
  /// as i8 and truncated, and extended to i8 before they are stored: the
  /// same bytes, in a form LLVM vectorizes, and right for vectors of bools.
  static void boolsAsBytes(ModuleOp module) {
    OpBuilder b(module.getContext());
    auto toBytes = [&](Type t) -> Type {
      if (t.isInteger(1))
        return b.getI8Type();
      if (auto v = dyn_cast<VectorType>(t); v && v.getElementType().isInteger(1))
        return v.clone(b.getI8Type());
      return nullptr;
    };
    module.walk([&](LLVM::LoadOp load) {
      Type bytes = toBytes(load.getType());
      if (!bytes)
        return;
      b.setInsertionPoint(load);
      OperationState state(load.getLoc(), load->getName());
      state.addOperands(load->getOperands());
      state.addAttributes(load->getAttrs());
      state.addTypes(bytes);
      Value wide = b.create(state)->getResult(0);
      Value bit = LLVM::TruncOp::create(b, load.getLoc(), load.getType(), wide);
      load.getResult().replaceAllUsesWith(bit);
      load.erase();
    });
    module.walk([&](LLVM::StoreOp store) {
      Type bytes = toBytes(store.getValue().getType());
      if (!bytes)
        return;
      b.setInsertionPoint(store);
      store.getValueMutable().assign(
          LLVM::ZExtOp::create(b, store.getLoc(), bytes, store.getValue()));
    });
  }
};
} // namespace
