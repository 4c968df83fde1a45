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

/// The identity of a min (isMin) or max over `et`: +inf / -inf, or the
/// integer type's largest / smallest value.
TypedAttr minMaxIdentity(Type et, bool isMin, bool isUnsigned) {
  if (auto ft = dyn_cast<FloatType>(et))
    return FloatAttr::get(
        ft, APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/!isMin));
  unsigned w = et.getIntOrFloatBitWidth();
  return IntegerAttr::get(et, isMin ? (isUnsigned ? APInt::getMaxValue(w)
                                                  : APInt::getSignedMaxValue(w))
                                    : (isUnsigned ? APInt::getMinValue(w)
                                                  : APInt::getSignedMinValue(w)));
}

/// Replaces a reduction by its result `r`, reshaped to the op's type (the
/// reduced dims back as size 1 under keepdims).
void replaceKeepingDims(ConversionPatternRewriter &rewriter, Operation *op,
                        Value r) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.getShape() != tensorType(r).getShape())
    r = reshapeTo(rewriter, op->getLoc(), r, type.getShape());
  rewriter.replaceOp(op, r);
}

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
    Value r =
        reduce(rewriter, loc, input, reduced,
               arith::ConstantOp::create(rewriter, loc,
                                         minMaxIdentity(et, isMin, isUnsigned)),
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
    replaceKeepingDims(rewriter, op, r);
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
    replaceKeepingDims(rewriter, op, r);
    return success();
  }
};

/// edge.arg_reduce: one generic over the input with two accumulators, the
/// best value so far and its index (int64), the axis a reduction loop.
struct ArgReduceLowering : OpConversionPattern<ArgReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inT = tensorType(input);
    Type et = inT.getElementType();
    int64_t rank = inT.getRank(), axis = op.getAxis();
    bool isMax = op.getKind() == "max", last = op.getSelectLastIndex();
    bool isFloat = isa<FloatType>(et), isUnsigned = unsignedIn(op);
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        kept.push_back(inT.getDimSize(d));
        outExprs.push_back(getAffineDimExpr(d, ctx));
      }
    Type i64 = rewriter.getI64Type();
    Value bestInit = arith::ConstantOp::create(
        rewriter, loc, minMaxIdentity(et, /*isMin=*/!isMax, isUnsigned));
    Value best = linalg::FillOp::create(rewriter, loc, ValueRange{bestInit},
                                        ValueRange{empty(rewriter, loc, kept, et)})
                     .getResult(0);
    // Index -1 until an element is taken: the first one always is (every
    // element beats or ties the identity; ties take it while unset).
    Value unsetIndex = arith::ConstantIntOp::create(rewriter, loc, i64, -1);
    Value index =
        linalg::FillOp::create(rewriter, loc, ValueRange{unsetIndex},
                               ValueRange{empty(rewriter, loc, kept, i64)})
            .getResult(0);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{best.getType(), index.getType()},
        ValueRange{input}, ValueRange{best, index},
        ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                            outMap, outMap},
        iters, [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0], cur = a[1], curIdx = a[2];
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value better, tie;
          if (isFloat) {
            better = arith::CmpFOp::create(
                b, l, isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                x, cur);
            tie = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, cur);
          } else {
            using P = arith::CmpIPredicate;
            better = arith::CmpIOp::create(
                b, l,
                isMax ? (isUnsigned ? P::ugt : P::sgt)
                      : (isUnsigned ? P::ult : P::slt),
                x, cur);
            tie = arith::CmpIOp::create(b, l, P::eq, x, cur);
          }
          Value unset = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, curIdx,
              arith::ConstantIntOp::create(b, l, i64, 0));
          Value takeTie = last ? tie : arith::AndIOp::create(b, l, tie, unset);
          Value take = arith::OrIOp::create(b, l, better, takeTie);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, cur),
                         arith::SelectOp::create(b, l, take, i, curIdx)});
        });
    Value r = generic.getResult(1);
    replaceKeepingDims(rewriter, op, r);
    return success();
  }
};

/// edge.cumulative: out[.., i, ..] combines in[.., j, ..] over the j the
/// direction and exclusivity include: one generic with j as a reduction
/// loop (axis length squared work; cumulative axes are short at the edge).
struct CumulativeLowering : OpConversionPattern<CumulativeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CumulativeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = tensorType(input);
    Type et = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    bool isSum = op.getKind() == "sum", isFloat = isa<FloatType>(et);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Value identity = scalarConst(rewriter, loc, et, isSum ? 0.0 : 1.0);
    Value init = linalg::FillOp::create(
                     rewriter, loc, ValueRange{identity},
                     ValueRange{empty(rewriter, loc, type.getShape(), et)})
                     .getResult(0);
    SmallVector<AffineExpr> inExprs;
    for (int64_t d = 0; d < rank; ++d)
      inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init.getType()}, ValueRange{input},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                AffineMap::getMultiDimIdentityMap(rank + 1, ctx)
                                    .getMajorSubMap(rank)},
            iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              using P = arith::CmpIPredicate;
              P pred = reverse ? (exclusive ? P::ugt : P::uge)
                               : (exclusive ? P::ult : P::ule);
              Value take = arith::CmpIOp::create(b, l, pred, j, i);
              Value next =
                  isFloat ? (isSum ? Value(arith::AddFOp::create(b, l, a[1], a[0]))
                                   : Value(arith::MulFOp::create(b, l, a[1], a[0])))
                          : (isSum ? Value(arith::AddIOp::create(b, l, a[1], a[0]))
                                   : Value(arith::MulIOp::create(b, l, a[1], a[0])));
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::SelectOp::create(b, l, take, next, a[1])});
            })
            .getResult(0);
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
               ArithReduceLowering<ReduceProdOp, false>, ArgReduceLowering,
               CumulativeLowering>(
      patterns.getContext());
}
} // namespace edgec::lowering
