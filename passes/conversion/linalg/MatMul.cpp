//===- MatMul.cpp - edge to linalg: matrix products -----------------------===//
//
// Gemm and MatMul (batched and broadcast).
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;
using utils::IteratorType;

namespace {

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

Value matmul2d(OpBuilder &b, Location loc, Value a, Value bm, Value init) {
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{a, bm}, ValueRange{init})
      .getResult(0);
}

/// float16 and bfloat16 products accumulate in f32 (as the convolutions do)
/// and round once at the end.
Type accumulatorType(OpBuilder &b, Type et) {
  return isa<FloatType>(et) && et.getIntOrFloatBitWidth() < 32
             ? Type(b.getF32Type())
             : et;
}

/// `y` (f32 accumulators) rounded to `et`, or `y` itself when it is `et`.
Value roundTo(OpBuilder &b, Location loc, Value y, Type et) {
  auto yt = tensorType(y);
  if (yt.getElementType() == et)
    return y;
  return elementwise(b, loc, y, yt.getShape(), et,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::TruncFOp::create(nb, nl, et, a[0]);
                     });
}

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure(); // linalg/QuantizedKernels.cpp
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    Value a = adaptor.getA(), bm = adaptor.getB();
    if (op.getTransA())
      a = transposed(b, loc, a, {1, 0});
    if (op.getTransB()) // constant weights are transposed at compile time
      bm = transposed(b, loc, bm, {1, 0});
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    Value init;
    if (c && beta != 0.0 && alpha == 1.0 && accumulatorType(b, et) == et) {
      // The product accumulates onto beta * C broadcast to [M, N].
      init = elementwise(b, loc, c, outT.getShape(), et,
                         [&](OpBuilder &nb, Location nl, ValueRange x) -> Value {
                           if (beta == 1.0)
                             return x[0];
                           return arith::MulFOp::create(
                               nb, nl, x[0], scalarConst(nb, nl, et, beta));
                         });
      rewriter.replaceOp(op, matmul2d(b, loc, a, bm, init));
      return success();
    }
    Type acc = accumulatorType(b, et);
    Value prod = roundTo(
        b, loc, matmul2d(b, loc, a, bm, filled(b, loc, outT.getShape(), acc, 0.0)),
        et);
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, prod);
      return success();
    }
    SmallVector<Value> ins{prod};
    if (c && beta != 0.0)
      ins.push_back(c);
    Value r = elementwise(
        b, loc, ins, outT.getShape(), et,
        [&](OpBuilder &nb, Location nl, ValueRange x) -> Value {
          Value v = arith::MulFOp::create(nb, nl, x[0],
                                          scalarConst(nb, nl, et, alpha));
          if (x.size() == 2)
            v = arith::AddFOp::create(
                nb, nl, v,
                arith::MulFOp::create(nb, nl, x[1], scalarConst(nb, nl, et, beta)));
          return v;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure(); // linalg/QuantizedKernels.cpp
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    Type acc = accumulatorType(b, et);
    Value l = adaptor.getLhs(), r = adaptor.getRhs();
    auto lT = tensorType(l), rT = tensorType(r);
    // Vectors become matrices; the unit dims are dropped from the result.
    if (lT.getRank() == 1)
      l = reshapeTo(b, loc, l, {1, lT.getDimSize(0)});
    if (rT.getRank() == 1)
      r = reshapeTo(b, loc, r, {rT.getDimSize(0), 1});
    lT = tensorType(l);
    rT = tensorType(r);
    int64_t m = lT.getDimSize(lT.getRank() - 2), k = lT.getDimSize(lT.getRank() - 1);
    int64_t n = rT.getDimSize(rT.getRank() - 1);
    if (rT.getRank() == 2) {
      // [..., M, K] x [K, N]: the batch folds into M.
      int64_t rows = lT.getNumElements() / k;
      Value l2 = reshapeTo(b, loc, l, {rows, k});
      Value y = roundTo(
          b, loc,
          matmul2d(b, loc, l2, r, filled(b, loc, {rows, n}, acc, 0.0)), et);
      rewriter.replaceOp(op, reshapeTo(b, loc, y, outT.getShape()));
      return success();
    }
    // General batched case: a generic over (batch..., m, n, k) with the
    // batch dims broadcast.
    auto batch = broadcastShapes(lT.getShape().drop_back(2), rT.getShape().drop_back(2));
    if (failed(batch))
      return failure();
    int64_t nb = batch->size(), rank = nb + 3;
    MLIRContext *ctx = b.getContext();
    auto operandMap = [&](RankedTensorType t, AffineExpr row, AffineExpr col) {
      SmallVector<int64_t> full(*batch);
      AffineMap bm = broadcastMap(ctx, nb, t.getShape().drop_back(2), full);
      SmallVector<AffineExpr> exprs;
      for (AffineExpr e : bm.getResults())
        exprs.push_back(e);
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<int64_t> outShape(*batch);
    outShape.append({m, n});
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < nb + 2; ++i)
      outExprs.push_back(d(i));
    SmallVector<AffineMap> maps{operandMap(lT, d(nb), d(nb + 2)),
                                operandMap(rT, d(nb + 2), d(nb + 1)),
                                AffineMap::get(rank, 0, outExprs, ctx)};
    SmallVector<IteratorType> iters = parallel(nb + 2);
    iters.push_back(IteratorType::reduction);
    Value init = filled(b, loc, outShape, acc, 0.0);
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{l, r},
                  ValueRange{init}, maps, iters,
                  [&](OpBuilder &nb2, Location nl, ValueRange a) {
                    Value x = a[0], w = a[1];
                    if (acc != et) {
                      x = arith::ExtFOp::create(nb2, nl, acc, x);
                      w = arith::ExtFOp::create(nb2, nl, acc, w);
                    }
                    Value p = arith::MulFOp::create(nb2, nl, x, w);
                    linalg::YieldOp::create(
                        nb2, nl, arith::AddFOp::create(nb2, nl, a[2], p).getResult());
                  })
                  .getResult(0);
    y = roundTo(b, loc, y, et);
    rewriter.replaceOp(op, reshapeTo(b, loc, y, outT.getShape()));
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateMatMulLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<GemmLowering, MatMulLowering>(ctx);
}
} // namespace edgec::lowering
