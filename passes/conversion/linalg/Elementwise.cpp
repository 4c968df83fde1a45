//===- Elementwise.cpp - edge to linalg: elementwise ops ------------------===//
//
// Unary and binary elementwise ops with numpy broadcasting, Cast and the
// activations.
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
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Body = std::function<Value(OpBuilder &, Location, OpTy, Value)>;
  UnaryLowering(MLIRContext *ctx, Body body)
      : OpConversionPattern<OpTy>(ctx), body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(op.getResult());
    if (isQuantized(type))
      return failure(); // linalg/QuantizedKernels.cpp
    Value r = elementwise(rewriter, op.getLoc(), adaptor.getInput(),
                          type.getShape(), type.getElementType(),
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return body(b, l, op, args[0]);
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
  Body body;
};

/// An elementwise binary op: FOp on floats, SIOp on signed (signless)
/// integers, UIOp on unsigned ones.
template <typename OpTy, typename FOp, typename SIOp, typename UIOp = SIOp>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(op.getResult());
    bool isFloat = isa<FloatType>(type.getElementType());
    bool isUnsigned = unsignedIn(op);
    Value r = elementwise(rewriter, op.getLoc(),
                          ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                          type.getShape(), type.getElementType(),
                          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                            if (isFloat)
                              return FOp::create(b, l, a[0], a[1]);
                            if (isUnsigned)
                              return UIOp::create(b, l, a[0], a[1]);
                            return SIOp::create(b, l, a[0], a[1]);
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type from = op.getInput().getType().getElementType();
    Type to = type.getElementType();
    auto fromInt = dyn_cast<IntegerType>(from);
    auto toInt = dyn_cast<IntegerType>(to);
    if (!(fromInt || isa<FloatType>(from)) || !(toInt || isa<FloatType>(to)))
      return rewriter.notifyMatchFailure(op, "unsupported cast");
    // bool is i1 holding 0 or 1: it widens without sign, and a conversion
    // to bool tests for non-zero (ONNX Cast), it does not truncate.
    bool fromUnsigned = unsignedIn(op) || (fromInt && fromInt.getWidth() == 1);
    bool toUnsigned = unsignedOut(op);
    bool toBool = toInt && toInt.getWidth() == 1;
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getInput(), type.getShape(), to,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          if (toBool && !(fromInt && fromInt.getWidth() == 1)) {
            Value zero = scalarConst(b, l, from, 0.0);
            if (fromInt)
              return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x,
                                           zero);
            return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, x,
                                         zero);
          }
          if (fromInt && toInt) {
            if (fromInt.getWidth() < toInt.getWidth())
              return fromUnsigned ? Value(arith::ExtUIOp::create(b, l, to, x))
                                  : Value(arith::ExtSIOp::create(b, l, to, x));
            if (fromInt.getWidth() > toInt.getWidth())
              return arith::TruncIOp::create(b, l, to, x);
            return x;
          }
          if (fromInt)
            return fromUnsigned ? Value(arith::UIToFPOp::create(b, l, to, x))
                                : Value(arith::SIToFPOp::create(b, l, to, x));
          if (toInt)
            return toUnsigned ? Value(arith::FPToUIOp::create(b, l, to, x))
                              : Value(arith::FPToSIOp::create(b, l, to, x));
          if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
            return arith::ExtFOp::create(b, l, to, x);
          if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
            return arith::TruncFOp::create(b, l, to, x);
          return x;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  using B = OpBuilder;
  using L = Location;
  auto zeroLike = [](B &b, L l, Value x) {
    return scalarConst(b, l, x.getType(), 0.0);
  };
  patterns.add<UnaryLowering<ReluOp>>(ctx, [=](B &b, L l, ReluOp, Value x) -> Value {
    if (isa<IntegerType>(x.getType()))
      return arith::MaxSIOp::create(b, l, x, zeroLike(b, l, x));
    return arith::MaximumFOp::create(b, l, x, zeroLike(b, l, x));
  });
  patterns.add<UnaryLowering<SigmoidOp>>(ctx, [](B &b, L l, SigmoidOp, Value x) -> Value {
    Value one = scalarConst(b, l, x.getType(), 1.0);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
  });
  patterns.add<UnaryLowering<TanhOp>>(ctx, [](B &b, L l, TanhOp, Value x) -> Value {
    return math::TanhOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<ExpOp>>(ctx, [](B &b, L l, ExpOp, Value x) -> Value {
    return math::ExpOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<SqrtOp>>(ctx, [](B &b, L l, SqrtOp, Value x) -> Value {
    return math::SqrtOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<RoundOp>>(ctx, [](B &b, L l, RoundOp, Value x) -> Value {
    return math::RoundEvenOp::create(b, l, x);
  });
  patterns.add<UnaryLowering<NegOp>>(ctx, [](B &b, L l, NegOp, Value x) -> Value {
    if (isa<FloatType>(x.getType()))
      return arith::NegFOp::create(b, l, x);
    return arith::SubIOp::create(b, l, scalarConst(b, l, x.getType(), 0.0), x);
  });
  patterns.add<UnaryLowering<ClipOp>>(ctx, [](B &b, L l, ClipOp op, Value x) -> Value {
    double lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
    if (!std::isinf(lo))
      x = arith::MaximumFOp::create(b, l, x, scalarConst(b, l, x.getType(), lo));
    if (!std::isinf(hi))
      x = arith::MinimumFOp::create(b, l, x, scalarConst(b, l, x.getType(), hi));
    return x;
  });
  patterns.add<UnaryLowering<HardSigmoidOp>>(ctx, [](B &b, L l, HardSigmoidOp op, Value x) -> Value {
    Type t = x.getType();
    Value y = arith::AddFOp::create(
        b, l,
        arith::MulFOp::create(b, l, x,
                              scalarConst(b, l, t, op.getAlpha().convertToDouble())),
        scalarConst(b, l, t, op.getBeta().convertToDouble()));
    y = arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0.0));
    return arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1.0));
  });
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>, BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>, BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>, BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp>, BinaryLowering<MaxOp, arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>, BinaryLowering<MinOp, arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>, CastLowering>(ctx);
}
} // namespace edgec::lowering
