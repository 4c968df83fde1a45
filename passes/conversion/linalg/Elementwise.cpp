//===- Elementwise.cpp - edge to linalg: elementwise ops ------------------===//
//
// Unary and binary elementwise ops with numpy broadcasting, Cast and the
// activations; the function families edge.unary, edge.compare,
// edge.bitwise, and Pow, Mod, Where.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

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

/// The conversion of one element `x` of (held) type `from` to `to`, for
/// types LLVM computes with: integers (bytes for int4/int2), floats.
Value convertScalar(OpBuilder &b, Location l, Value x, Type from, Type to,
                    bool fromUnsigned, bool toUnsigned) {
  auto fromInt = dyn_cast<IntegerType>(from);
  auto toInt = dyn_cast<IntegerType>(to);
  bool toBool = toInt && toInt.getWidth() == 1;
  // bool is i1 holding 0 or 1: it widens without sign, and a conversion
  // to bool tests for non-zero (ONNX Cast), it does not truncate.
  fromUnsigned |= fromInt && fromInt.getWidth() == 1;
  if (toBool && !(fromInt && fromInt.getWidth() == 1)) {
    Value zero = scalarConst(b, l, from, 0.0);
    if (fromInt)
      return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x, zero);
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, x, zero);
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
}

/// ONNX Cast. float8 / float4 / e8m0 (held as bytes) convert through
/// float32 with integer code (NarrowFloat.cpp); int4 / int2 results (held
/// as bytes) keep their low bits, sign- or zero-extended, as ONNX wraps.
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
    std::optional<edge::NarrowFloatFormat> fromNarrow, toNarrow;
    if (Type t = narrowFloatIn(op))
      fromNarrow = edge::narrowFloatFormat(t);
    if (Type t = narrowFloatOut(op))
      toNarrow = edge::narrowFloatFormat(t);
    auto rounding = edge::parseE8M0Rounding(op.getRoundMode());
    if (!rounding)
      return rewriter.notifyMatchFailure(op, "unknown round_mode");
    bool saturate = op.getSaturate();
    unsigned storageWidth = 0; // int4 / int2 results held in a byte
    if (auto w = op->getAttrOfType<IntegerAttr>(kStorageWidth))
      storageWidth = unsigned(w.getInt());
    bool fromUnsigned = unsignedIn(op);
    bool toUnsigned = unsignedOut(op);
    Type f32 = rewriter.getF32Type();
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getInput(), type.getShape(), to,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          Type src = from;
          if (fromNarrow) {
            x = buildDecodeNarrowFloat(b, l, x, *fromNarrow);
            src = f32;
          }
          if (toNarrow) {
            x = convertScalar(b, l, x, src, f32, fromUnsigned, false);
            return buildEncodeNarrowFloat(b, l, x, *toNarrow, saturate,
                                          *rounding);
          }
          if (storageWidth && isa<FloatType>(src)) {
            // Through int32, signed for uint4 / uint2 too: a float beyond
            // the byte's range (or a negative one) wraps.
            Type i32 = b.getI32Type();
            x = convertScalar(b, l, x, src, i32, false, false);
            src = i32;
          }
          x = convertScalar(b, l, x, src, to, fromUnsigned && !fromNarrow,
                            toUnsigned);
          if (!storageWidth)
            return x;
          unsigned held = to.getIntOrFloatBitWidth();
          if (toUnsigned)
            return arith::AndIOp::create(
                b, l, x,
                arith::ConstantOp::create(
                    b, l, b.getIntegerAttr(to, (1u << storageWidth) - 1)));
          Value sh = arith::ConstantOp::create(
              b, l, b.getIntegerAttr(to, held - storageWidth));
          return arith::ShRSIOp::create(
              b, l, arith::ShLIOp::create(b, l, x, sh), sh);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.bitcast: arith.bitcast per element; bool widens to or narrows from
/// its byte.
struct BitcastLowering : OpConversionPattern<BitcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BitcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type to = tensorType(op.getResult()).getElementType();
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getInput(), op.getType().getShape(), to,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          Type from = x.getType();
          if (from.isInteger(1))
            return arith::ExtUIOp::create(b, l, to, x);
          if (to.isInteger(1))
            return arith::TruncIOp::create(b, l, to, x);
          if (from == to)
            return x;
          return arith::BitcastOp::create(b, l, to, x);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// The body of edge.unary's function `fn` on one element.
Value unaryFn(OpBuilder &b, Location l, UnaryFnOp op, Value x, bool isUnsigned) {
  StringRef fn = op.getFn();
  Type t = x.getType();
  bool isFloat = isa<FloatType>(t);
  auto c = [&](double v) { return scalarConst(b, l, t, v); };
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  auto exp = [&](Value v) -> Value { return math::ExpOp::create(b, l, v); };
  auto mul = [&](Value a, Value v) -> Value {
    return arith::MulFOp::create(b, l, a, v);
  };
  auto add = [&](Value a, Value v) -> Value {
    return arith::AddFOp::create(b, l, a, v);
  };
  auto select = [&](arith::CmpFPredicate p, Value lhs, Value rhs, Value yes,
                    Value no) -> Value {
    return arith::SelectOp::create(
        b, l, arith::CmpFOp::create(b, l, p, lhs, rhs), yes, no);
  };
  auto softplus = [&](Value v) -> Value {
    return math::LogOp::create(b, l, add(exp(v), c(1.0)));
  };
  if (fn == "sin") return math::SinOp::create(b, l, x);
  if (fn == "cos") return math::CosOp::create(b, l, x);
  if (fn == "tan") return math::TanOp::create(b, l, x);
  if (fn == "asin") return math::AsinOp::create(b, l, x);
  if (fn == "acos") return math::AcosOp::create(b, l, x);
  if (fn == "atan") return math::AtanOp::create(b, l, x);
  if (fn == "sinh") return math::SinhOp::create(b, l, x);
  if (fn == "cosh") return math::CoshOp::create(b, l, x);
  if (fn == "asinh") return math::AsinhOp::create(b, l, x);
  if (fn == "acosh") return math::AcoshOp::create(b, l, x);
  if (fn == "atanh") return math::AtanhOp::create(b, l, x);
  if (fn == "log") return math::LogOp::create(b, l, x);
  if (fn == "erf") return math::ErfOp::create(b, l, x);
  if (fn == "ceil") return math::CeilOp::create(b, l, x);
  if (fn == "floor") return math::FloorOp::create(b, l, x);
  if (fn == "reciprocal") return arith::DivFOp::create(b, l, c(1.0), x);
  if (fn == "softplus") return softplus(x);
  if (fn == "softsign")
    return arith::DivFOp::create(b, l, x,
                                 add(c(1.0), math::AbsFOp::create(b, l, x)));
  if (fn == "mish") return mul(x, math::TanhOp::create(b, l, softplus(x)));
  if (fn == "elu")
    return select(arith::CmpFPredicate::OLT, x, c(0.0),
                  mul(c(alpha), arith::SubFOp::create(b, l, exp(x), c(1.0))),
                  x);
  if (fn == "selu")
    return mul(c(beta),
               select(arith::CmpFPredicate::OLE, x, c(0.0),
                      arith::SubFOp::create(b, l, mul(c(alpha), exp(x)),
                                            c(alpha)),
                      x));
  if (fn == "celu") {
    Value e = mul(c(alpha),
                  arith::SubFOp::create(
                      b, l, exp(arith::DivFOp::create(b, l, x, c(alpha))),
                      c(1.0)));
    return add(arith::MaximumFOp::create(b, l, x, c(0.0)),
               arith::MinimumFOp::create(b, l, e, c(0.0)));
  }
  if (fn == "leaky_relu")
    return select(arith::CmpFPredicate::OLT, x, c(0.0), mul(c(alpha), x), x);
  if (fn == "thresholded_relu")
    return select(arith::CmpFPredicate::OGT, x, c(alpha), x, c(0.0));
  if (fn == "hard_swish") {
    Value h = add(mul(x, c(1.0 / 6.0)), c(0.5));
    h = arith::MinimumFOp::create(
        b, l, arith::MaximumFOp::create(b, l, h, c(0.0)), c(1.0));
    return mul(x, h);
  }
  if (fn == "gelu")
    return mul(mul(c(0.5), x),
               add(c(1.0), math::ErfOp::create(b, l, mul(x, c(M_SQRT1_2)))));
  if (fn == "gelu_tanh") {
    Value inner = mul(c(std::sqrt(2.0 / M_PI)),
                      add(x, mul(c(0.044715), mul(x, mul(x, x)))));
    return mul(mul(c(0.5), x), add(c(1.0), math::TanhOp::create(b, l, inner)));
  }
  if (fn == "abs") {
    if (isFloat) return math::AbsFOp::create(b, l, x);
    return isUnsigned ? x : Value(math::AbsIOp::create(b, l, x));
  }
  if (fn == "sign") {
    if (isFloat)
      return select(arith::CmpFPredicate::OGT, x, c(0.0), c(1.0),
                    select(arith::CmpFPredicate::OLT, x, c(0.0), c(-1.0),
                           c(0.0)));
    auto cmp = [&](arith::CmpIPredicate p) {
      return arith::CmpIOp::create(b, l, p, x, c(0.0));
    };
    Value pos = arith::SelectOp::create(
        b, l, cmp(arith::CmpIPredicate::ne), c(1.0), c(0.0));
    if (isUnsigned)
      return pos;
    return arith::SelectOp::create(b, l, cmp(arith::CmpIPredicate::slt),
                                   c(-1.0), pos);
  }
  // not: the bitwise complement (logical not on i1).
  return arith::XOrIOp::create(
      b, l, x,
      arith::ConstantOp::create(
          b, l, b.getIntegerAttr(t, APInt::getAllOnes(t.getIntOrFloatBitWidth()))));
}

struct UnaryFnLowering : OpConversionPattern<UnaryFnOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnaryFnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getInput());
    bool isUnsigned = unsignedIn(op);
    Value r = elementwise(rewriter, op.getLoc(), adaptor.getInput(),
                          type.getShape(), type.getElementType(),
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            return unaryFn(b, l, op, a[0], isUnsigned);
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct CompareLowering : OpConversionPattern<CompareOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = op.getLhs().getType().getElementType();
    bool isFloat = isa<FloatType>(et);
    bool isUnsigned = unsignedIn(op) || et.isInteger(1);
    StringRef p = op.getPredicate();
    Value r = elementwise(
        rewriter, op.getLoc(), ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        type.getShape(), rewriter.getI1Type(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (isFloat) {
            auto pred = llvm::StringSwitch<arith::CmpFPredicate>(p)
                            .Case("eq", arith::CmpFPredicate::OEQ)
                            .Case("lt", arith::CmpFPredicate::OLT)
                            .Case("le", arith::CmpFPredicate::OLE)
                            .Case("gt", arith::CmpFPredicate::OGT)
                            .Default(arith::CmpFPredicate::OGE);
            return arith::CmpFOp::create(b, l, pred, a[0], a[1]);
          }
          using P = arith::CmpIPredicate;
          auto pred = llvm::StringSwitch<P>(p)
                          .Case("eq", P::eq)
                          .Case("lt", isUnsigned ? P::ult : P::slt)
                          .Case("le", isUnsigned ? P::ule : P::sle)
                          .Case("gt", isUnsigned ? P::ugt : P::sgt)
                          .Default(isUnsigned ? P::uge : P::sge);
          return arith::CmpIOp::create(b, l, pred, a[0], a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct BitwiseLowering : OpConversionPattern<BitwiseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BitwiseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getLhs());
    StringRef k = op.getKind();
    Type et = type.getElementType();
    Value r = elementwise(
        rewriter, op.getLoc(), ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        op.getType().getShape(), et,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (k == "and")
            return arith::AndIOp::create(b, l, a[0], a[1]);
          if (k == "or")
            return arith::OrIOp::create(b, l, a[0], a[1]);
          if (k == "xor")
            return arith::XOrIOp::create(b, l, a[0], a[1]);
          // A shift by the width or more is 0 (LLVM's would be poison).
          Value shifted =
              k == "shl" ? Value(arith::ShLIOp::create(b, l, a[0], a[1]))
                         : Value(arith::ShRUIOp::create(b, l, a[0], a[1]));
          Value width = scalarConst(b, l, et, et.getIntOrFloatBitWidth());
          Value inRange = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                                a[1], width);
          return arith::SelectOp::create(b, l, inRange, shifted,
                                         scalarConst(b, l, et, 0.0));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct PowLowering : OpConversionPattern<PowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getLhs());
    Type et = type.getElementType();
    Type expType = op.getRhs().getType().getElementType();
    bool baseUnsigned = op.getLhs().getType().getElementType().isUnsignedInteger();
    bool expUnsigned = expType.isUnsignedInteger();
    Value r = elementwise(
        rewriter, op.getLoc(), ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        op.getType().getShape(), et,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          // Integer bases in f64 (exact for the values an integer power
          // holds), float bases in their own type.
          Type ft = isa<FloatType>(et) ? et : Type(b.getF64Type());
          auto toFloat = [&](Value v, bool isUnsigned) -> Value {
            Type vt = v.getType();
            if (vt == ft)
              return v;
            if (isa<IntegerType>(vt))
              return isUnsigned ? Value(arith::UIToFPOp::create(b, l, ft, v))
                                : Value(arith::SIToFPOp::create(b, l, ft, v));
            if (vt.getIntOrFloatBitWidth() < ft.getIntOrFloatBitWidth())
              return arith::ExtFOp::create(b, l, ft, v);
            return arith::TruncFOp::create(b, l, ft, v);
          };
          Value p = math::PowFOp::create(b, l, toFloat(a[0], baseUnsigned),
                                         toFloat(a[1], expUnsigned));
          if (ft == et)
            return p;
          return baseUnsigned ? Value(arith::FPToUIOp::create(b, l, et, p))
                              : Value(arith::FPToSIOp::create(b, l, et, p));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ModLowering : OpConversionPattern<ModOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ModOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getLhs());
    Type et = type.getElementType();
    bool isUnsigned = unsignedIn(op);
    bool fmod = op.getFmod();
    Value r = elementwise(
        rewriter, op.getLoc(), ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        op.getType().getShape(), et,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (isa<FloatType>(et))
            return arith::RemFOp::create(b, l, a[0], a[1]);
          if (isUnsigned)
            return arith::RemUIOp::create(b, l, a[0], a[1]);
          Value rem = arith::RemSIOp::create(b, l, a[0], a[1]);
          if (fmod)
            return rem; // the sign of the dividend
          // The sign of the divisor (Python's %): r + b when r and b differ
          // in sign and r != 0.
          Value zero = scalarConst(b, l, et, 0.0);
          using P = arith::CmpIPredicate;
          Value nonZero = arith::CmpIOp::create(b, l, P::ne, rem, zero);
          Value differ = arith::XOrIOp::create(
              b, l, arith::CmpIOp::create(b, l, P::slt, rem, zero),
              arith::CmpIOp::create(b, l, P::slt, a[1], zero));
          Value fix = arith::AndIOp::create(b, l, nonZero, differ);
          return arith::SelectOp::create(
              b, l, fix, arith::AddIOp::create(b, l, rem, a[1]), rem);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct WhereLowering : OpConversionPattern<WhereOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WhereOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getX());
    Value r = elementwise(
        rewriter, op.getLoc(),
        ValueRange{adaptor.getCondition(), adaptor.getX(), adaptor.getY()},
        op.getType().getShape(), type.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
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
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>, BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>, BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>, BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp>, BinaryLowering<MaxOp, arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>, BinaryLowering<MinOp, arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>, CastLowering, BitcastLowering>(ctx);
  patterns.add<UnaryFnLowering, CompareLowering, BitwiseLowering, PowLowering,
               ModLowering, WhereLowering>(ctx);
}
} // namespace edgec::lowering
