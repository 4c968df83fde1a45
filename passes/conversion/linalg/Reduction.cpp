//===- Reduction.cpp - edge to linalg: reductions -------------------------===//
//
// edge.reduce_min, reduce_max, reduce_sum and reduce_prod: one
// linalg.generic reducing the
// listed axes into an output filled with the reduction's identity (+inf,
// -inf, or the integer type's extreme), NaN-propagating for floats
// (arith.minimumf / maximumf, as numpy), then a reshape that restores the
// reduced axes as size-1 dimensions under keepdims.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;

namespace {

template <typename OpTy, bool isMin>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Type et = tensorType(input).getElementType();
    SmallVector<bool> reduced(tensorType(input).getRank(), false);
    for (int64_t a : op.getAxes())
      reduced[a] = true;
    bool isFloat = isa<FloatType>(et);
    bool isUnsigned = unsignedIn(op) || et.isInteger(1);
    TypedAttr identity;
    if (auto ft = dyn_cast<FloatType>(et)) {
      identity = FloatAttr::get(
          ft, APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/!isMin));
    } else {
      unsigned w = et.getIntOrFloatBitWidth();
      APInt bound = isMin ? (isUnsigned ? APInt::getMaxValue(w)
                                        : APInt::getSignedMaxValue(w))
                          : (isUnsigned ? APInt::getMinValue(w)
                                        : APInt::getSignedMinValue(w));
      identity = IntegerAttr::get(et, bound);
    }
    Value r =
        reduce(rewriter, loc, input, reduced,
               arith::ConstantOp::create(rewriter, loc, identity),
               [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
                 if (isFloat)
                   return isMin
                              ? Value(arith::MinimumFOp::create(b, l, x, acc))
                              : Value(arith::MaximumFOp::create(b, l, x, acc));
                 if (isUnsigned)
                   return isMin ? Value(arith::MinUIOp::create(b, l, x, acc))
                                : Value(arith::MaxUIOp::create(b, l, x, acc));
                 return isMin ? Value(arith::MinSIOp::create(b, l, x, acc))
                              : Value(arith::MaxSIOp::create(b, l, x, acc));
               });
    RankedTensorType type = op.getType();
    if (type.getShape() != tensorType(r).getShape())
      r = reshapeTo(rewriter, loc, r, type.getShape());
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.reduce_sum / reduce_prod: identity 0 / 1, add / mul.
template <typename OpTy, bool isSum>
struct ArithReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Type et = tensorType(input).getElementType();
    SmallVector<bool> reduced(tensorType(input).getRank(), false);
    for (int64_t a : op.getAxes())
      reduced[a] = true;
    bool isFloat = isa<FloatType>(et);
    Value r = reduce(
        rewriter, loc, input, reduced,
        scalarConst(rewriter, loc, et, isSum ? 0.0 : 1.0),
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          if (isFloat)
            return isSum ? Value(arith::AddFOp::create(b, l, acc, x))
                         : Value(arith::MulFOp::create(b, l, acc, x));
          return isSum ? Value(arith::AddIOp::create(b, l, acc, x))
                       : Value(arith::MulIOp::create(b, l, acc, x));
        });
    RankedTensorType type = op.getType();
    if (type.getShape() != tensorType(r).getShape())
      r = reshapeTo(rewriter, loc, r, type.getShape());
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceMinOp, true>,
               ReduceLowering<ReduceMaxOp, false>,
               ArithReduceLowering<ReduceSumOp, true>,
               ArithReduceLowering<ReduceProdOp, false>>(patterns.getContext());
}
} // namespace edgec::lowering
