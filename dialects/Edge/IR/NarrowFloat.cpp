//===- NarrowFloat.cpp - float8, float4 and e8m0 conversions --------------===//
#include "dialects/Edge/IR/NarrowFloat.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace edge {

uint8_t NarrowFloatFormat::overflowCode() const {
  switch (kind) {
  case IEEE:
    return 0x7C; // infinity
  case FN:
    return 0x7F;
  case FNUZ:
    return 0x80;
  case Finite:
    return maxFinite;
  case E8M0:
    return 0xFF;
  }
  return 0;
}

uint8_t NarrowFloatFormat::nanCode() const {
  switch (kind) {
  case IEEE:
    return 0x7E; // the quiet NaN a float32 NaN truncates to
  case FN:
    return 0x7F;
  case FNUZ:
    return 0x80;
  case Finite:
    return 0x8; // what the ONNX reference gives (-0: the format has no NaN)
  case E8M0:
    return 0xFF;
  }
  return 0;
}

std::optional<NarrowFloatFormat> narrowFloatFormat(Type t) {
  using K = NarrowFloatFormat;
  if (isa<Float8E4M3FNType>(t))
    return K{K::FN, 8, 4, 3, 7, 0x7E};
  if (isa<Float8E4M3FNUZType>(t))
    return K{K::FNUZ, 8, 4, 3, 8, 0x7F};
  if (isa<Float8E5M2Type>(t))
    return K{K::IEEE, 8, 5, 2, 15, 0x7B};
  if (isa<Float8E5M2FNUZType>(t))
    return K{K::FNUZ, 8, 5, 2, 16, 0x7F};
  if (isa<Float4E2M1FNType>(t))
    return K{K::Finite, 4, 2, 1, 1, 0x7};
  if (isa<Float8E8M0FNUType>(t))
    return K{K::E8M0, 8, 8, 0, 127, 0xFE};
  return std::nullopt;
}

std::optional<E8M0Rounding> parseE8M0Rounding(llvm::StringRef s) {
  return llvm::StringSwitch<std::optional<E8M0Rounding>>(s)
      .Case("up", E8M0Rounding::Up)
      .Case("down", E8M0Rounding::Down)
      .Case("nearest", E8M0Rounding::Nearest)
      .Default(std::nullopt);
}

uint8_t encodeNarrowFloat(float x, const NarrowFloatFormat &f, bool saturate,
                          E8M0Rounding rounding) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  uint32_t sign = b >> 31, a = b & 0x7FFFFFFFu;
  bool sat = saturate || f.kind == NarrowFloatFormat::Finite;
  if (a > 0x7F800000u)
    return f.nanCode();
  if (f.kind == NarrowFloatFormat::E8M0) {
    if (a == 0x7F800000u)
      return sat ? f.maxFinite : f.nanCode();
    uint32_t e = a >> 23, m = a & 0x7FFFFFu;
    if ((rounding == E8M0Rounding::Up && m != 0) ||
        (rounding == E8M0Rounding::Nearest && m >= 0x400000u))
      ++e;
    if (e > f.maxFinite)
      return sat ? f.maxFinite : f.nanCode();
    return uint8_t(e);
  }
  uint8_t signBit = uint8_t(sign << f.signShift());
  auto overflow = [&]() -> uint8_t {
    if (sat)
      return f.maxFinite | signBit;
    return f.signedOverflow() ? (f.overflowCode() | signBit) : f.overflowCode();
  };
  if (a == 0x7F800000u)
    return overflow();
  uint32_t shift = 23 - f.manBits;
  uint32_t minNormal = uint32_t(127 + 1 - f.bias); // float32 biased exponent
  uint32_t r;
  if ((a >> 23) >= minNormal) {
    r = a - (uint32_t(127 - f.bias) << 23);
    r += (1u << (shift - 1)) - 1 + ((r >> shift) & 1);
    r >>= shift;
  } else {
    uint32_t mant = (a & 0x7FFFFFu) | 0x800000u;
    uint32_t s = std::min<uint32_t>(shift + (minNormal - (a >> 23)), 31);
    uint32_t q = mant >> s, rem = mant & ((1u << s) - 1), half = 1u << (s - 1);
    if (rem > half || (rem == half && (q & 1)))
      ++q;
    r = q;
  }
  if (r > f.maxFinite)
    return overflow();
  if (r == 0 && f.kind == NarrowFloatFormat::FNUZ)
    return 0;
  return uint8_t(r) | signBit;
}

float decodeNarrowFloat(uint8_t bits, const NarrowFloatFormat &f) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (f.kind == NarrowFloatFormat::E8M0)
    return bits == 0xFF ? nan : std::ldexp(1.0f, int(bits) - 127);
  uint32_t v = bits & ((1u << f.bits) - 1);
  uint32_t s = v >> f.signShift(), e = (v >> f.manBits) & ((1u << f.expBits) - 1),
           m = v & ((1u << f.manBits) - 1);
  uint32_t eMax = (1u << f.expBits) - 1, mMax = (1u << f.manBits) - 1;
  switch (f.kind) {
  case NarrowFloatFormat::IEEE:
    if (e == eMax)
      return m ? nan : (s ? -INFINITY : INFINITY);
    break;
  case NarrowFloatFormat::FN:
    if (e == eMax && m == mMax)
      return nan;
    break;
  case NarrowFloatFormat::FNUZ:
    if (v == 0x80)
      return nan;
    break;
  default:
    break;
  }
  float mag = e == 0 ? std::ldexp(float(m), 1 - f.bias - int(f.manBits))
                     : std::ldexp(float((1u << f.manBits) | m),
                                  int(e) - f.bias - int(f.manBits));
  return s ? -mag : mag;
}

} // namespace edge
