//===- NarrowFloat.cpp - float8/float4/e8m0 conversions as integer code ---===//
//
// LLVM has no arithmetic on float8, float4 or e8m0 values, so below the edge
// level they are bytes holding their code (signlessType), and conversions
// are built from integer operations on the float32 bits: the same steps as
// edge::encodeNarrowFloat / decodeNarrowFloat (dialects/Edge/IR/
// NarrowFloat.cpp), which the folder uses. Everything is selects and
// shifts: it vectorizes and needs no runtime function.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"

#include <cmath>

using namespace mlir;
using edge::E8M0Rounding;
using edge::NarrowFloatFormat;

namespace edgec::lowering {

namespace {
struct I32Builder {
  OpBuilder &b;
  Location l;
  Type i32 = b.getI32Type();
  Value c(uint32_t v) {
    return arith::ConstantOp::create(b, l, b.getIntegerAttr(i32, v));
  }
  Value shr(Value x, uint32_t n) { return arith::ShRUIOp::create(b, l, x, c(n)); }
  Value shl(Value x, uint32_t n) { return arith::ShLIOp::create(b, l, x, c(n)); }
  Value andi(Value x, uint32_t m) { return arith::AndIOp::create(b, l, x, c(m)); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, l, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, l, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, l, p, x, y);
  }
  Value cmp(arith::CmpIPredicate p, Value x, uint32_t y) {
    return cmp(p, x, c(y));
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, l, cond, x, y);
  }
  Value select(Value cond, uint32_t x, Value y) { return select(cond, c(x), y); }
  Value orb(Value x, Value y) { return arith::OrIOp::create(b, l, x, y); }
  Value andb(Value x, Value y) { return arith::AndIOp::create(b, l, x, y); }
};
} // namespace

Value buildDecodeNarrowFloat(OpBuilder &b, Location l, Value bits,
                             const NarrowFloatFormat &f) {
  using P = arith::CmpIPredicate;
  I32Builder i{b, l};
  Value v = arith::ExtUIOp::create(b, l, i.i32, bits);
  if (f.bits < 8)
    v = i.andi(v, (1u << f.bits) - 1);
  Value r;
  if (f.kind == NarrowFloatFormat::E8M0) {
    // 2^(v-127): v is the float32 exponent field; v = 0 is the float32
    // subnormal 2^-127, 0xFF NaN.
    r = i.shl(v, 23);
    r = i.select(i.cmp(P::eq, v, 0), 0x00400000u, r);
    r = i.select(i.cmp(P::eq, v, 0xFF), 0x7FC00000u, r);
    return arith::BitcastOp::create(b, l, b.getF32Type(), r);
  }
  uint32_t eMax = (1u << f.expBits) - 1, mMax = (1u << f.manBits) - 1;
  Value s = i.andi(i.shr(v, f.signShift()), 1);
  Value e = i.andi(i.shr(v, f.manBits), eMax);
  Value m = i.andi(v, mMax);
  Value normal = i.ori(
      i.ori(i.shl(s, 31), i.shl(i.add(e, i.c(uint32_t(127 - f.bias))), 23)),
      i.shl(m, 23 - f.manBits));
  Type f32 = b.getF32Type();
  Value tiny = arith::MulFOp::create(
      b, l, arith::UIToFPOp::create(b, l, f32, m),
      scalarConst(b, l, f32, std::ldexp(1.0, 1 - f.bias - int(f.manBits))));
  tiny = i.select(i.cmp(P::ne, s, 0),
                  Value(arith::NegFOp::create(b, l, tiny)), tiny);
  Value isSub = i.cmp(P::eq, e, 0);
  r = i.select(isSub, Value(arith::BitcastOp::create(b, l, i.i32, tiny)),
               normal);
  switch (f.kind) {
  case NarrowFloatFormat::IEEE: {
    Value top = i.cmp(P::eq, e, eMax);
    Value inf = i.ori(i.shl(s, 31), i.c(0x7F800000u));
    r = i.select(top, i.select(i.cmp(P::eq, m, 0), inf, i.c(0x7FC00000u)), r);
    break;
  }
  case NarrowFloatFormat::FN:
    r = i.select(i.andb(i.cmp(P::eq, e, eMax), i.cmp(P::eq, m, mMax)),
                 0x7FC00000u, r);
    break;
  case NarrowFloatFormat::FNUZ:
    r = i.select(i.cmp(P::eq, v, 0x80), 0x7FC00000u, r);
    break;
  default:
    break;
  }
  return arith::BitcastOp::create(b, l, f32, r);
}

Value buildEncodeNarrowFloat(OpBuilder &b, Location l, Value x,
                             const NarrowFloatFormat &f, bool saturate,
                             E8M0Rounding rounding) {
  using P = arith::CmpIPredicate;
  I32Builder i{b, l};
  Value bits = arith::BitcastOp::create(b, l, i.i32, x);
  Value sign = i.shr(bits, 31);
  Value a = i.andi(bits, 0x7FFFFFFFu);
  Value isNaN = i.cmp(P::ugt, a, 0x7F800000u);
  Value isInf = i.cmp(P::eq, a, 0x7F800000u);
  bool sat = saturate || f.kind == NarrowFloatFormat::Finite;
  Value r;
  if (f.kind == NarrowFloatFormat::E8M0) {
    Value e = i.shr(a, 23), m = i.andi(a, 0x7FFFFFu);
    if (rounding == E8M0Rounding::Up)
      e = i.add(e, arith::ExtUIOp::create(b, l, i.i32, i.cmp(P::ne, m, 0)));
    else if (rounding == E8M0Rounding::Nearest)
      e = i.add(e, arith::ExtUIOp::create(b, l, i.i32,
                                          i.cmp(P::uge, m, 0x400000u)));
    Value over = i.orb(i.cmp(P::ugt, e, f.maxFinite), isInf);
    r = i.select(over, sat ? f.maxFinite : f.nanCode(), e);
  } else {
    Value signBit = i.shl(sign, f.signShift());
    uint32_t shift = 23 - f.manBits;
    uint32_t minNormal = uint32_t(127 + 1 - f.bias);
    // In the normal range: rebias, round to nearest even, shift.
    Value rn = i.sub(a, i.c(uint32_t(127 - f.bias) << 23));
    rn = i.add(i.add(rn, i.c((1u << (shift - 1)) - 1)),
               i.andi(i.shr(rn, shift), 1));
    rn = i.shr(rn, shift);
    // Below it: the significand shifted right by a variable amount.
    Value e32 = i.shr(a, 23);
    Value mant = i.ori(i.andi(a, 0x7FFFFFu), i.c(0x800000u));
    Value s = i.sub(i.c(shift + minNormal), e32);
    s = arith::MinUIOp::create(b, l, arith::MaxUIOp::create(b, l, s, i.c(1)),
                               i.c(31));
    Value q = arith::ShRUIOp::create(b, l, mant, s);
    Value rem = i.andb(mant, i.sub(arith::ShLIOp::create(b, l, i.c(1), s),
                                   i.c(1)));
    Value half = arith::ShLIOp::create(b, l, i.c(1),
                                       i.sub(s, i.c(1)));
    Value up = i.orb(i.cmp(P::ugt, rem, half),
                     i.andb(i.cmp(P::eq, rem, half),
                            i.cmp(P::ne, i.andi(q, 1), 0)));
    q = i.add(q, arith::ExtUIOp::create(b, l, i.i32, up));
    r = i.select(i.cmp(P::uge, e32, minNormal), rn, q);
    Value over = i.orb(i.cmp(P::ugt, r, f.maxFinite), isInf);
    Value overflow =
        sat ? i.ori(i.c(f.maxFinite), signBit)
            : (f.signedOverflow() ? i.ori(i.c(f.overflowCode()), signBit)
                                  : i.c(f.overflowCode()));
    Value code = i.ori(r, signBit);
    if (f.kind == NarrowFloatFormat::FNUZ)
      code = i.select(i.cmp(P::eq, r, 0), 0u, code);
    r = i.select(over, overflow, code);
  }
  r = i.select(isNaN, f.nanCode(), r);
  return arith::TruncIOp::create(b, l, b.getI8Type(), r);
}

} // namespace edgec::lowering
