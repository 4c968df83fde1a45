//===- OnnxTypes.cpp - ONNX element type codes and names ------------------===//
#include "compiler/import/OnnxTypes.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

int32_t edgec::onnxDataType(Type t) {
  if (t.isF32())
    return 1;
  if (t.isF64())
    return 11;
  if (t.isF16())
    return 10;
  if (t.isBF16())
    return 16;
  if (isa<Float8E4M3FNType>(t))
    return 17;
  if (isa<Float8E4M3FNUZType>(t))
    return 18;
  if (isa<Float8E5M2Type>(t))
    return 19;
  if (isa<Float8E5M2FNUZType>(t))
    return 20;
  if (isa<Float4E2M1FNType>(t))
    return 23;
  if (isa<Float8E8M0FNUType>(t))
    return 24;
  if (auto it = dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 1:
      return 9;
    case 2:
      return u ? 25 : 26;
    case 4:
      return u ? 21 : 22;
    case 8:
      return u ? 2 : 3;
    case 16:
      return u ? 4 : 5;
    case 32:
      return u ? 12 : 6;
    case 64:
      return u ? 13 : 7;
    }
  }
  return 0;
}

const char *edgec::onnxDataTypeName(int32_t dtype) {
  switch (dtype) {
  case 1:
    return "float32";
  case 2:
    return "uint8";
  case 3:
    return "int8";
  case 4:
    return "uint16";
  case 5:
    return "int16";
  case 6:
    return "int32";
  case 7:
    return "int64";
  case 9:
    return "bool";
  case 10:
    return "float16";
  case 11:
    return "float64";
  case 12:
    return "uint32";
  case 13:
    return "uint64";
  case 16:
    return "bfloat16";
  case 17:
    return "float8e4m3fn";
  case 18:
    return "float8e4m3fnuz";
  case 19:
    return "float8e5m2";
  case 20:
    return "float8e5m2fnuz";
  case 21:
    return "uint4";
  case 22:
    return "int4";
  case 23:
    return "float4e2m1";
  case 24:
    return "float8e8m0";
  case 25:
    return "uint2";
  case 26:
    return "int2";
  }
  return "unknown";
}

unsigned edgec::onnxElementBytes(int32_t dtype) {
  switch (dtype) {
  case 1:  // float
  case 6:  // int32
  case 12: // uint32
    return 4;
  case 7:  // int64
  case 11: // double
  case 13: // uint64
    return 8;
  case 4:  // uint16
  case 5:  // int16
  case 10: // float16
  case 16: // bfloat16
    return 2;
  case 2: // uint8
  case 3: // int8
  case 9: // bool
    return 1;
  default: // float8 (17-20), 4-bit (21-23), e8m0 (24), 2-bit (25, 26)
    return dtype >= 17 && dtype <= 26 ? 1 : 0;
  }
}
