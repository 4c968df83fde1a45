//===- EdgeToLinalg.cpp - edge ops to linalg/tensor/arith/math ------------===//
//
// Lowers the graph ops to structured ops on tensors. Convolutions and pooling
// run channels-last (NHWC activations, HWCF filters, the layout the measured
// CPU kernels want): the NCHW values of the graph are transposed in and out of
// each such op with linalg.generic transposes, which elementwise fusion later
// composes with their neighbours so that back-to-back layers keep NHWC without
// a copy. Constant filters are transposed here, at compile time.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/Passes.h"
#include "passes/conversion/LoweringUtils.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace edgec {
#define GEN_PASS_DEF_CONVERTEDGETOLINALG
#include "passes/conversion/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;
using utils::IteratorType;

using namespace edgec::lowering;

namespace {

/// The signless type, sub-byte integers widened to a byte, float8, float4
/// and e8m0 held as their code in a byte.
Type signlessType(Type t) {
  if (edge::isNarrowFloat(t))
    return IntegerType::get(t.getContext(), 8);
  if (auto it = dyn_cast<IntegerType>(t);
      it && (!it.isSignless() || heldWidth(it.getWidth()) != it.getWidth()))
    return IntegerType::get(t.getContext(), heldWidth(it.getWidth()));
  if (auto tt = dyn_cast<RankedTensorType>(t))
    if (Type et = signlessType(tt.getElementType()); et != tt.getElementType())
      return tt.clone(et);
  return t;
}

bool isUnsignedInt(Type t) {
  auto it = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  return it && it.isUnsigned();
}

/// arith works on signless integers only. Before the patterns run, every
/// unsigned (or signed) integer type in the function becomes signless; the
/// edge ops that had unsigned operands or results are marked, so that their
/// lowering picks the unsigned arith ops. The model's C signature keeps the
/// unsigned types: it is read before the pipeline runs. Sub-byte integers
/// (4-bit weights) become bytes holding their value sign- or zero-extended:
/// memory and vectors of i4 would need packing all the way down. float8,
/// float4 and e8m0 tensors become bytes holding their codes (LLVM has no
/// arithmetic on them): ops that had them are marked with the type
/// (edge.narrow_float_in / _out), and conversions decode and encode them
/// with integer code (linalg/NarrowFloat.cpp).
void makeIntegersSignless(func::FuncOp func) {
  OpBuilder b(func.getContext());
  // Mark every op first: retyping a result changes its users' operands.
  func.walk([&](Operation *op) {
    if (!isa<EdgeDialect>(op->getDialect()))
      return;
    if (llvm::any_of(op->getOperandTypes(), isUnsignedInt))
      op->setAttr(kUnsignedIn, b.getUnitAttr());
    if (llvm::any_of(op->getResultTypes(), isUnsignedInt))
      op->setAttr(kUnsignedOut, b.getUnitAttr());
    for (Type t : op->getOperandTypes())
      if (Type et = getElementTypeOrSelf(t); edge::isNarrowFloat(et)) {
        op->setAttr(kNarrowFloatIn, TypeAttr::get(et));
        break;
      }
    if (op->getNumResults() == 1)
      if (Type et = getElementTypeOrSelf(op->getResult(0).getType());
          edge::isNarrowFloat(et))
        op->setAttr(kNarrowFloatOut, TypeAttr::get(et));
    if (op->getNumResults() == 1)
      if (auto it = dyn_cast<IntegerType>(
              getElementTypeOrSelf(op->getResult(0).getType()));
          it && heldWidth(it.getWidth()) != it.getWidth())
        op->setAttr(kStorageWidth, b.getI64IntegerAttr(it.getWidth()));
  });
  func.walk([&](Operation *op) {
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
      Type t = signlessType(c.getType());
      auto from = dyn_cast_or_null<IntegerType>(
          attr ? attr.getElementType() : Type());
      if (from && heldWidth(from.getWidth()) != from.getWidth()) {
        // Widened values: zero-extended from uint4, sign-extended from int4.
        unsigned to = heldWidth(from.getWidth());
        c.setValueAttr(attr.mapValues(
            IntegerType::get(op->getContext(), to), [&](const APInt &v) {
              return from.isUnsigned() ? v.zext(to) : v.sext(to);
            }));
      } else if (attr && edge::isNarrowFloat(attr.getElementType())) {
        // float8 / float4 / e8m0: their codes, zero-extended to a byte.
        c.setValueAttr(attr.mapValues(
            IntegerType::get(op->getContext(), 8), [](const APFloat &v) {
              return v.bitcastToAPInt().zextOrTrunc(8);
            }));
      } else if (attr && t != c.getType()) {
        c.setValueAttr(attr.bitcast(getElementTypeOrSelf(t)));
      }
    }
    for (Value r : op->getResults())
      r.setType(signlessType(r.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument a : block.getArguments())
          a.setType(signlessType(a.getType()));
  });
  SmallVector<Type> ins, outs;
  for (Type t : func.getArgumentTypes())
    ins.push_back(signlessType(t));
  for (Type t : func.getResultTypes())
    outs.push_back(signlessType(t));
  func.setType(FunctionType::get(func.getContext(), ins, outs));
}

struct ConvertEdgeToLinalgPass
    : edgec::impl::ConvertEdgeToLinalgBase<ConvertEdgeToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation()->walk([](func::FuncOp f) { makeIntegersSignless(f); });
    RewritePatternSet patterns(ctx);
    edgec::populateEdgeToLinalgPatterns(patterns);
    // A quantized tensor becomes its (signless) integer storage.
    TypeConverter quantToStorage;
    quantToStorage.addConversion([](Type t) { return t; });
    quantToStorage.addConversion([](RankedTensorType t) -> Type {
      auto q = dyn_cast<quant::QuantizedType>(t.getElementType());
      if (!q)
        return t;
      return t.clone(IntegerType::get(
          t.getContext(), heldWidth(q.getStorageTypeIntegralWidth())));
    });
    edgec::lowering::populateQuantizationLoweringPatterns(patterns,
                                                         quantToStorage);
    edgec::lowering::populateQuantizedKernelLoweringPatterns(patterns,
                                                            quantToStorage);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<EdgeDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           scf::SCFDialect, vector::VectorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void edgec::populateEdgeToLinalgPatterns(RewritePatternSet &patterns) {
  lowering::populateElementwiseLoweringPatterns(patterns);
  lowering::populateConvPoolLoweringPatterns(patterns);
  lowering::populateMatMulLoweringPatterns(patterns);
  lowering::populateNormalizationLoweringPatterns(patterns);
  lowering::populateDataMovementLoweringPatterns(patterns);
  lowering::populateReductionLoweringPatterns(patterns);
  lowering::populateImageLoweringPatterns(patterns);
}
