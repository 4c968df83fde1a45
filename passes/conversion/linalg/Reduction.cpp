//===- Reduction.cpp - edge to linalg: reductions -------------------------===//
//
// edge.reduce_min and edge.reduce_max: one linalg.generic reducing the
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
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inType = tensorType(input);
    Type et = inType.getElementType();
    int64_t rank = inType.getRank();
    SmallVector<bool> reduced(rank, false);
    for (int64_t a : op.getAxes())
      reduced[a] = true;
    SmallVector<int64_t> outShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<IteratorType> iters;
    for (int64_t i = 0; i < rank; ++i) {
      iters.push_back(reduced[i] ? IteratorType::reduction
                                 : IteratorType::parallel);
      if (!reduced[i]) {
        outShape.push_back(inType.getDimSize(i));
        outExprs.push_back(getAffineDimExpr(i, ctx));
      }
    }
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
    Value init =
        linalg::FillOp::create(
            rewriter, loc,
            ValueRange{arith::ConstantOp::create(rewriter, loc, identity)},
            ValueRange{empty(rewriter, loc, outShape, et)})
            .getResult(0);
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init.getType()}, ValueRange{input},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                                AffineMap::get(rank, 0, outExprs, ctx)},
            iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value v;
              if (isFloat)
                v = isMin ? Value(arith::MinimumFOp::create(b, l, a[0], a[1]))
                          : Value(arith::MaximumFOp::create(b, l, a[0], a[1]));
              else if (isUnsigned)
                v = isMin ? Value(arith::MinUIOp::create(b, l, a[0], a[1]))
                          : Value(arith::MaxUIOp::create(b, l, a[0], a[1]));
              else
                v = isMin ? Value(arith::MinSIOp::create(b, l, a[0], a[1]))
                          : Value(arith::MaxSIOp::create(b, l, a[0], a[1]));
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    RankedTensorType type = op.getType();
    if (type.getShape() != ArrayRef<int64_t>(outShape))
      r = reshapeTo(rewriter, loc, r, type.getShape());
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceMinOp, true>,
               ReduceLowering<ReduceMaxOp, false>>(patterns.getContext());
}
} // namespace edgec::lowering
