//===- Normalization.cpp - edge to linalg: normalization ------------------===//
//
// Softmax and BatchNormalization.
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
// Normalization
//===----------------------------------------------------------------------===//

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    Type et = type.getElementType();
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    SmallVector<int64_t> keep(type.getShape());
    keep[axis] = 1;
    Value x = adaptor.getInput();
    Value max = reduce(b, loc, x, reduced,
                       -std::numeric_limits<double>::infinity(),
                       [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                         return arith::MaximumFOp::create(nb, nl, a, acc);
                       });
    max = reshapeTo(b, loc, max, keep);
    Value e = elementwise(b, loc, ValueRange{x, max}, type.getShape(), et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return math::ExpOp::create(
                                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
                          });
    Value sum = reduce(b, loc, e, reduced, 0.0,
                       [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                         return arith::AddFOp::create(nb, nl, a, acc);
                       });
    sum = reshapeTo(b, loc, sum, keep);
    if (op.getLog()) {
      // log softmax: (x - max) - log(sum), never log of an underflowed 0.
      Value y = elementwise(
          b, loc, ValueRange{x, max, sum}, type.getShape(), et,
          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return arith::SubFOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]),
                math::LogOp::create(nb, nl, a[2]));
          });
      rewriter.replaceOp(op, y);
      return success();
    }
    Value y = elementwise(b, loc, ValueRange{e, sum}, type.getShape(), et,
                          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                            return arith::DivFOp::create(nb, nl, a[0], a[1]);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    Type et = type.getElementType();
    SmallVector<int64_t> paramShape(type.getRank(), 1);
    paramShape[1] = type.getDimSize(1);
    SmallVector<Value> ins{adaptor.getInput()};
    for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()})
      ins.push_back(reshapeTo(b, loc, p, paramShape));
    double eps = op.getEpsilon().convertToDouble();
    Value y = elementwise(
        b, loc, ins, type.getShape(), et,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value var = arith::AddFOp::create(nb, nl, a[4], scalarConst(nb, nl, et, eps));
          Value inv = math::RsqrtOp::create(nb, nl, var);
          Value xc = arith::SubFOp::create(nb, nl, a[0], a[3]);
          Value s = arith::MulFOp::create(nb, nl, a[1], inv);
          return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, xc, s),
                                       a[2]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateNormalizationLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<SoftmaxLowering, BatchNormLowering>(ctx);
}
} // namespace edgec::lowering
