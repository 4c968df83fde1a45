//===- NarrowFloat.h - float8, float4 and e8m0 formats --------*- C++ -*-===//
//
// The ONNX float formats narrower than float16 (FLOAT8E4M3FN, FLOAT8E4M3FNUZ,
// FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1, FLOAT8E8M0), described as data:
// the folder converts constants with `encodeNarrowFloat`, and the lowering
// (passes/conversion/linalg/NarrowFloat.cpp) emits the same steps as integer
// arithmetic, since LLVM cannot compute in these types. Both follow the
// ONNX Cast rules (opset 19-25):
//
//  - finite values round to nearest, ties to even (float8, float4);
//  - with saturate (the default) a value beyond the largest finite one,
//    infinities included, becomes +-max; without it, it becomes the
//    format's infinity (E5M2) or NaN (the others); FLOAT4E2M1 always
//    saturates (it has neither infinity nor NaN, and NaN becomes 0x8);
//  - the FNUZ formats have no negative zero (-0 becomes +0) and one NaN
//    (0x80);
//  - FLOAT8E8M0 holds 2^(e-127) (0xFF is NaN, no sign, no zero): the
//    exponent of |x|, rounded by `round_mode` ("up": any mantissa rounds
//    up, "down": truncates, "nearest": from 1.5 * 2^e up), saturating at
//    0xFE (or NaN without saturate).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_DIALECTS_EDGE_IR_NARROWFLOAT_H
#define EDGEC_DIALECTS_EDGE_IR_NARROWFLOAT_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace edge {

struct NarrowFloatFormat {
  enum Kind {
    IEEE,   // E5M2: infinities and NaNs as IEEE
    FN,     // E4M3FN: no infinity, S.1111.111 is NaN
    FNUZ,   // E4M3FNUZ, E5M2FNUZ: no infinity, no -0, 0x80 is NaN
    Finite, // FLOAT4E2M1: no infinity, no NaN
    E8M0,   // FLOAT8E8M0: an exponent only
  };
  Kind kind;
  unsigned bits;     // 8 or 4
  unsigned expBits;  // exponent bits
  unsigned manBits;  // mantissa bits
  int bias;          // exponent bias
  uint8_t maxFinite; // the largest finite magnitude's code (no sign)

  unsigned signShift() const { return bits - 1; }
  /// The code of an overflow without saturation (sign applied by caller
  /// where `signedOverflow`).
  uint8_t overflowCode() const;
  bool signedOverflow() const { return kind == IEEE || kind == FN; }
  /// The code of NaN (positive sign).
  uint8_t nanCode() const;
};

/// The format of `t` (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f4E2M1FN,
/// f8E8M0FNU), or nothing for other types.
std::optional<NarrowFloatFormat> narrowFloatFormat(mlir::Type t);

inline bool isNarrowFloat(mlir::Type t) {
  return narrowFloatFormat(t).has_value();
}

enum class E8M0Rounding { Up, Down, Nearest };

/// "up", "down", "nearest"; nothing for another string.
std::optional<E8M0Rounding> parseE8M0Rounding(llvm::StringRef s);

/// The code of `x` in `f` (ONNX Cast rules, above).
uint8_t encodeNarrowFloat(float x, const NarrowFloatFormat &f, bool saturate,
                          E8M0Rounding rounding = E8M0Rounding::Up);

/// The value of the code `bits` of `f` as a float (exact).
float decodeNarrowFloat(uint8_t bits, const NarrowFloatFormat &f);

} // namespace edge

#endif // EDGEC_DIALECTS_EDGE_IR_NARROWFLOAT_H
