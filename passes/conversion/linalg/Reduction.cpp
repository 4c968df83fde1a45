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

/// edge.cumulative: a scan along the axis, one position after the other.
/// The input is read as [outer, n, inner]; position i of the result is
/// position i - 1 (i + 1 reversed) combined with the input at i (at i - 1
/// when exclusive, whose first position is the identity): n steps of one
/// elementwise generic over [outer, 1, inner], contiguous along inner.
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
    int64_t axis = op.getAxis();
    bool isSum = op.getKind() == "sum", isFloat = isa<FloatType>(et);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t outer = 1, inner = 1, n = shape[axis];
    for (int64_t d = 0; d < type.getRank(); ++d)
      (d < axis ? outer : inner) *= d == axis ? 1 : shape[d];
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, empty(rewriter, loc, shape, et));
      return success();
    }
    Value x = reshapeTo(rewriter, loc, input, {outer, n, inner});
    SmallVector<int64_t> sliceShape{outer, 1, inner};
    auto sliceType = RankedTensorType::get(sliceShape, et);
    auto index = [&](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };
    auto sliceAt = [&](OpBuilder &b, Location l, Value t,
                       OpFoldResult at) -> Value {
      return tensor::ExtractSliceOp::create(
          b, l, sliceType, t,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), at, b.getIndexAttr(0)},
          getAsIndexOpFoldResult(ctx, sliceShape),
          getAsIndexOpFoldResult(ctx, {1, 1, 1}));
    };
    auto insertAt = [&](OpBuilder &b, Location l, Value v, Value t,
                        OpFoldResult at) -> Value {
      return tensor::InsertSliceOp::create(
          b, l, v, t,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), at, b.getIndexAttr(0)},
          getAsIndexOpFoldResult(ctx, sliceShape),
          getAsIndexOpFoldResult(ctx, {1, 1, 1}));
    };
    // The first position: the identity (exclusive) or the input's.
    int64_t first = reverse ? n - 1 : 0;
    Value start =
        exclusive
            ? linalg::FillOp::create(
                  rewriter, loc,
                  ValueRange{scalarConst(rewriter, loc, et, isSum ? 0.0 : 1.0)},
                  ValueRange{empty(rewriter, loc, sliceShape, et)})
                  .getResult(0)
            : sliceAt(rewriter, loc, x, rewriter.getIndexAttr(first));
    Value out = insertAt(rewriter, loc, start,
                         empty(rewriter, loc, {outer, n, inner}, et),
                         rewriter.getIndexAttr(first));
    AffineMap id = AffineMap::getMultiDimIdentityMap(3, ctx);
    auto loop = scf::ForOp::create(
        rewriter, loc, index(rewriter, loc, 1), index(rewriter, loc, n),
        index(rewriter, loc, 1), ValueRange{out},
        [&](OpBuilder &b, Location l, Value k, ValueRange acc) {
          // pos = k (n - 1 - k reversed); the previous position and the
          // input read one step back (forward) for an exclusive scan.
          Value pos = reverse ? Value(arith::SubIOp::create(
                                    b, l, index(b, l, n - 1), k))
                              : k;
          Value step = index(b, l, reverse ? 1 : -1);
          Value prev = arith::AddIOp::create(b, l, pos, step);
          Value src = exclusive ? prev : pos;
          Value a = sliceAt(b, l, acc[0], prev);
          Value v = sliceAt(b, l, x, src);
          Value next =
              linalg::GenericOp::create(
                  b, l, TypeRange{sliceType}, ValueRange{a, v},
                  ValueRange{empty(b, l, sliceShape, et)},
                  ArrayRef<AffineMap>{id, id, id},
                  SmallVector<utils::IteratorType>(
                      3, utils::IteratorType::parallel),
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value r =
                        isFloat
                            ? (isSum ? Value(arith::AddFOp::create(nb, nl, args[0], args[1]))
                                     : Value(arith::MulFOp::create(nb, nl, args[0], args[1])))
                            : (isSum ? Value(arith::AddIOp::create(nb, nl, args[0], args[1]))
                                     : Value(arith::MulIOp::create(nb, nl, args[0], args[1])));
                    linalg::YieldOp::create(nb, nl, r);
                  })
                  .getResult(0);
          scf::YieldOp::create(b, l, insertAt(b, l, next, acc[0], pos));
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, loop.getResult(0), shape));
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
