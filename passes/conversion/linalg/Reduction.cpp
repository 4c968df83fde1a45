//===- Reduction.cpp - edge to linalg: reductions -------------------------===//
//
// edge.reduce_min, reduce_max, reduce_sum and reduce_prod: one
// linalg.generic reducing the
// listed axes into an output filled with the reduction's identity (+inf,
// -inf, or the integer type's extreme), NaN-propagating for floats
// (arith.minimumf / maximumf, as numpy), then a reshape that restores the
// reduced axes as size-1 dimensions under keepdims. Also the ops that
// select along one axis: edge.arg_reduce (two reductions), edge.cumulative
// (a scan) and edge.top_k (a selection loop over each row).
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

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

/// The min (isMin) or max of `input` over the `reduced` dims: NaN-propagating
/// for floats, unsigned or signed for integers.
Value minMaxReduce(OpBuilder &rewriter, Location loc, Value input,
                   ArrayRef<bool> reduced, bool isMin, bool isUnsigned) {
  Type et = tensorType(input).getElementType();
  bool isFloat = isa<FloatType>(et);
  return reduce(
      rewriter, loc, input, reduced,
      arith::ConstantOp::create(rewriter, loc,
                                minMaxIdentity(et, isMin, isUnsigned)),
      [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
        if (isFloat)
          return isMin ? Value(arith::MinimumFOp::create(b, l, x, acc))
                       : Value(arith::MaximumFOp::create(b, l, x, acc));
        if (isUnsigned)
          return isMin ? Value(arith::MinUIOp::create(b, l, x, acc))
                       : Value(arith::MaxUIOp::create(b, l, x, acc));
        return isMin ? Value(arith::MinSIOp::create(b, l, x, acc))
                     : Value(arith::MaxSIOp::create(b, l, x, acc));
      });
}

/// a + b (isSum) or a * b, float or integer.
Value sumOrProduct(OpBuilder &b, Location l, bool isSum, Value a, Value c) {
  if (isa<FloatType>(a.getType()))
    return isSum ? Value(arith::AddFOp::create(b, l, a, c))
                 : Value(arith::MulFOp::create(b, l, a, c));
  return isSum ? Value(arith::AddIOp::create(b, l, a, c))
               : Value(arith::MulIOp::create(b, l, a, c));
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
    bool isUnsigned = unsignedIn(op) || et.isInteger(1);
    Value r = minMaxReduce(rewriter, loc, input, reduced, isMin, isUnsigned);
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
    Value r = reduce(
        rewriter, loc, input, reduced,
        scalarConst(rewriter, loc, et, isSum ? 0.0 : 1.0),
        [&](OpBuilder &b, Location l, Value x, Value acc) {
          return sumOrProduct(b, l, isSum, acc, x);
        });
    replaceKeepingDims(rewriter, op, r);
    return success();
  }
};

/// edge.arg_reduce in two reductions, both of the kind the kernels
/// vectorize (no state beyond one accumulator): the max (min) along the
/// axis, then the first (last) position holding it, as the min (max) of
/// the positions (an int32 table, no linalg.index) where the element
/// equals it, or is NaN: a NaN max means the first NaN, as numpy's argmax.
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
    int64_t n = inT.getDimSize(axis);
    bool isMax = op.getKind() == "max", last = op.getSelectLastIndex();
    bool isFloat = isa<FloatType>(et), isUnsigned = unsignedIn(op);
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value best =
        minMaxReduce(rewriter, loc, input, reduced, !isMax, isUnsigned);
    Type i32 = rewriter.getI32Type();
    SmallVector<int32_t> positions(n);
    for (int64_t i = 0; i < n; ++i)
      positions[i] = int32_t(i);
    Value table = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, i32),
                               ArrayRef<int32_t>(positions)));
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> keptExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        kept.push_back(inT.getDimSize(d));
        keptExprs.push_back(getAffineDimExpr(d, ctx));
      }
    Value none = arith::ConstantIntOp::create(rewriter, loc, i32, last ? -1 : n);
    Value init = linalg::FillOp::create(rewriter, loc, ValueRange{none},
                                        ValueRange{empty(rewriter, loc, kept, i32)})
                     .getResult(0);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    AffineMap keptMap = AffineMap::get(rank, 0, keptExprs, ctx);
    Value position =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init.getType()},
            ValueRange{input, best, table}, ValueRange{init},
            ArrayRef<AffineMap>{
                AffineMap::getMultiDimIdentityMap(rank, ctx), keptMap,
                AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx)), keptMap},
            iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value x = a[0], m = a[1], at = a[2], acc = a[3];
              Value hit;
              if (isFloat) {
                using P = arith::CmpFPredicate;
                hit = arith::OrIOp::create(
                    b, l, arith::CmpFOp::create(b, l, P::OEQ, x, m),
                    arith::CmpFOp::create(b, l, P::UNO, x, x));
              } else {
                hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, x, m);
              }
              Value candidate = arith::SelectOp::create(b, l, hit, at, none);
              linalg::YieldOp::create(
                  b, l,
                  last ? Value(arith::MaxSIOp::create(b, l, acc, candidate))
                       : Value(arith::MinSIOp::create(b, l, acc, candidate)));
            })
            .getResult(0);
    Value r = elementwise(rewriter, loc, position, kept, rewriter.getI64Type(),
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return arith::ExtSIOp::create(b, l, b.getI64Type(),
                                                          a[0]);
                          });
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
    bool isSum = op.getKind() == "sum";
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
          Value next = elementwise(
              b, l, ValueRange{a, v}, sliceShape, et,
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                return sumOrProduct(nb, nl, isSum, args[0], args[1]);
              });
          scf::YieldOp::create(b, l, insertAt(b, l, next, acc[0], pos));
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, loop.getResult(0), shape));
    return success();
  }
};

/// edge.top_k: for each row, the k best elements kept sorted in the
/// result rows while the row is read once. An element enters when fewer than
/// k are kept or it beats the worst kept one (carried in a register); it is
/// then placed by one pass over the k slots, each slot taking the one above
/// it (shifted down) or the element or keeping its own. Random rows insert
/// about k log(n / k) times, so a row costs about n comparisons; a sorted
/// row, n k.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  static constexpr int64_t kChunk = 8;
  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = tensorType(input);
    Type et = type.getElementType(), i64 = rewriter.getI64Type();
    int64_t n = type.getShape().back(), k = op.getK();
    SmallVector<int64_t> outShape(type.getShape());
    outShape.back() = k;
    int64_t rows = 1;
    for (int64_t d : type.getShape().drop_back())
      rows *= d;
    if (k == 0 || rows == 0) {
      rewriter.replaceOp(op, {empty(rewriter, loc, outShape, et),
                              empty(rewriter, loc, outShape, i64)});
      return success();
    }
    bool largest = op.getLargest(), isUnsigned = unsignedIn(op);
    bool isFloat = isa<FloatType>(et);
    Value x = reshapeTo(rewriter, loc, input, {rows, n});
    auto index = [](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };
    // a beats b: larger (smaller), NaN above every number.
    auto beats = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
      if (!isFloat) {
        using P = arith::CmpIPredicate;
        return arith::CmpIOp::create(
            b, l,
            largest ? (isUnsigned ? P::ugt : P::sgt)
                    : (isUnsigned ? P::ult : P::slt),
            a, c);
      }
      using P = arith::CmpFPredicate;
      Value aNaN = arith::CmpFOp::create(b, l, P::UNO, a, a);
      Value cNaN = arith::CmpFOp::create(b, l, P::UNO, c, c);
      Value ordered = arith::CmpFOp::create(b, l, largest ? P::OGT : P::OLT, a, c);
      Type i1 = aNaN.getType();
      Value ones = arith::ConstantOp::create(
          b, l,
          isa<VectorType>(i1)
              ? TypedAttr(DenseElementsAttr::get(cast<VectorType>(i1), true))
              : TypedAttr(b.getBoolAttr(true)));
      Value nanWins =
          largest ? arith::AndIOp::create(b, l, aNaN,
                                          arith::XOrIOp::create(b, l, cNaN, ones))
                  : arith::AndIOp::create(b, l, cNaN,
                                          arith::XOrIOp::create(b, l, aNaN, ones));
      return arith::OrIOp::create(b, l, ordered, nanWins);
    };
    Value values0 = empty(rewriter, loc, {rows, k}, et);
    Value indices0 = empty(rewriter, loc, {rows, k}, i64);
    Value zeroCount = index(rewriter, loc, 0);
    Value anyValue = scalarConst(rewriter, loc, et, 0.0);
    auto rowLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, loc, 0), index(rewriter, loc, rows),
        index(rewriter, loc, 1), ValueRange{values0, indices0},
        [&](OpBuilder &b, Location l, Value r, ValueRange outs) {
          // One element i offered to the state (values, indices, count,
          // worst); returns the new state.
          auto visit = [&](OpBuilder &eb, Location el, Value i,
                           ValueRange st) -> SmallVector<Value> {
                Value v = tensor::ExtractOp::create(eb, el, x, ValueRange{r, i});
                Value count = st[2], worst = st[3];
                Value room = arith::CmpIOp::create(
                    eb, el, arith::CmpIPredicate::ult, count, index(eb, el, k));
                Value enters =
                    arith::OrIOp::create(eb, el, room, beats(eb, el, v, worst));
                Value idx = arith::IndexCastOp::create(eb, el, i64, i);
                auto ifOp = scf::IfOp::create(
                    eb, el, enters,
                    [&](OpBuilder &tb, Location tl) {
                      // Slots j = k-1 down to 0; slot j is kept while j < count.
                      auto place = scf::ForOp::create(
                          tb, tl, index(tb, tl, 0), index(tb, tl, k),
                          index(tb, tl, 1), ValueRange{st[0], st[1]},
                          [&](OpBuilder &pb, Location pl, Value t,
                              ValueRange slots) {
                            Value j = arith::SubIOp::create(
                                pb, pl, index(pb, pl, k - 1), t);
                            Value one = index(pb, pl, 1);
                            Value hasAbove = arith::CmpIOp::create(
                                pb, pl, arith::CmpIPredicate::ugt, j,
                                index(pb, pl, 0));
                            Value above = arith::SelectOp::create(
                                pb, pl, hasAbove,
                                arith::SubIOp::create(pb, pl, j, one), j);
                            auto kept = [&](Value s) -> Value {
                              return arith::CmpIOp::create(
                                  pb, pl, arith::CmpIPredicate::ult, s, count);
                            };
                            auto free = [&](Value s) -> Value {
                              return arith::XOrIOp::create(
                                  pb, pl, kept(s),
                                  arith::ConstantIntOp::create(pb, pl, 1, 1));
                            };
                            Value vj = tensor::ExtractOp::create(
                                pb, pl, slots[0], ValueRange{r, j});
                            Value ij = tensor::ExtractOp::create(
                                pb, pl, slots[1], ValueRange{r, j});
                            Value va = tensor::ExtractOp::create(
                                pb, pl, slots[0], ValueRange{r, above});
                            Value ia = tensor::ExtractOp::create(
                                pb, pl, slots[1], ValueRange{r, above});
                            // Shift down when the element beats the slot
                            // above; take the slot when it beats this one.
                            Value shift = arith::AndIOp::create(
                                pb, pl, hasAbove,
                                arith::OrIOp::create(pb, pl, free(above),
                                                     beats(pb, pl, v, va)));
                            Value take = arith::OrIOp::create(
                                pb, pl, free(j), beats(pb, pl, v, vj));
                            Value nv = arith::SelectOp::create(
                                pb, pl, shift, va,
                                arith::SelectOp::create(pb, pl, take, v, vj));
                            Value ni = arith::SelectOp::create(
                                pb, pl, shift, ia,
                                arith::SelectOp::create(pb, pl, take, idx, ij));
                            scf::YieldOp::create(
                                pb, pl,
                                ValueRange{tensor::InsertOp::create(
                                               pb, pl, nv, slots[0],
                                               ValueRange{r, j}),
                                           tensor::InsertOp::create(
                                               pb, pl, ni, slots[1],
                                               ValueRange{r, j})});
                          });
                      Value newCount = arith::MinUIOp::create(
                          tb, tl,
                          arith::AddIOp::create(tb, tl, count, index(tb, tl, 1)),
                          index(tb, tl, k));
                      Value newWorst = tensor::ExtractOp::create(
                          tb, tl, place.getResult(0),
                          ValueRange{r, index(tb, tl, k - 1)});
                      scf::YieldOp::create(
                          tb, tl,
                          ValueRange{place.getResult(0), place.getResult(1),
                                     newCount, newWorst});
                    },
                    [&](OpBuilder &fb, Location fl) {
                      scf::YieldOp::create(fb, fl, st);
                    });
                return SmallVector<Value>(ifOp.getResults());
          };
          auto elements = [&](OpBuilder &lb, Location ll, Value lo, Value hi,
                              ValueRange st) {
            return scf::ForOp::create(
                       lb, ll, lo, hi, index(lb, ll, 1), st,
                       [&](OpBuilder &eb, Location el, Value i, ValueRange s2) {
                         scf::YieldOp::create(eb, el, visit(eb, el, i, s2));
                       })
                .getResults();
          };
          SmallVector<Value> start{outs[0], outs[1], zeroCount, anyValue};
          ValueRange done;
          if (n % kChunk == 0 && n >= 4 * kChunk) {
            // Chunks of kChunk elements: once k are kept, a chunk none of
            // whose elements beats the worst kept one (one vector compare)
            // is skipped.
            auto vt = VectorType::get({kChunk}, et);
            done = scf::ForOp::create(
                       b, l, index(b, l, 0), index(b, l, n / kChunk),
                       index(b, l, 1), start,
                       [&](OpBuilder &cb, Location cl, Value c, ValueRange st) {
                         Value lo = arith::MulIOp::create(cb, cl, c,
                                                          index(cb, cl, kChunk));
                         Value chunk = vector::TransferReadOp::create(
                             cb, cl, vt, x, ValueRange{r, lo},
                             scalarConst(cb, cl, et, 0.0),
                             ArrayRef<bool>{true});
                         Value worst = vector::BroadcastOp::create(cb, cl, vt,
                                                                   st[3]);
                         Value any = vector::ReductionOp::create(
                             cb, cl, vector::CombiningKind::OR,
                             beats(cb, cl, chunk, worst));
                         Value room = arith::CmpIOp::create(
                             cb, cl, arith::CmpIPredicate::ult, st[2],
                             index(cb, cl, k));
                         auto ifOp = scf::IfOp::create(
                             cb, cl, arith::OrIOp::create(cb, cl, room, any),
                             [&](OpBuilder &tb, Location tl) {
                               Value hi = arith::AddIOp::create(
                                   tb, tl, lo, index(tb, tl, kChunk));
                               scf::YieldOp::create(
                                   tb, tl, elements(tb, tl, lo, hi, st));
                             },
                             [&](OpBuilder &fb, Location fl) {
                               scf::YieldOp::create(fb, fl, st);
                             });
                         scf::YieldOp::create(cb, cl, ifOp.getResults());
                       })
                       .getResults();
          } else {
            done = elements(b, l, index(b, l, 0), index(b, l, n), start);
          }
          scf::YieldOp::create(b, l, ValueRange{done[0], done[1]});
        });
    rewriter.replaceOp(op,
                       {reshapeTo(rewriter, loc, rowLoop.getResult(0), outShape),
                        reshapeTo(rewriter, loc, rowLoop.getResult(1), outShape)});
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
               CumulativeLowering, TopKLowering>(
      patterns.getContext());
}
} // namespace edgec::lowering
