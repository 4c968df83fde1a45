//===- LoweringUtils.h - helpers of the edge to linalg patterns -*- C++ -*-===//
//
// Builders the per-family lowering files (passes/conversion/linalg/) share:
// elementwise generics with numpy broadcasting, transposes (at compile time
// for constants), reshapes, padding, constants, and the unsigned marks.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_PASSES_CONVERSION_LOWERINGUTILS_H
#define EDGEC_PASSES_CONVERSION_LOWERINGUTILS_H

#include "dialects/Edge/IR/EdgeOps.h"
#include "dialects/Edge/IR/NarrowFloat.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

namespace edgec::lowering {

using namespace mlir;
using utils::IteratorType;

/// Marks set on edge ops before lowering, when their unsigned integer types
/// are rewritten to signless ones (arith has no unsigned types): the
/// patterns pick unsigned division, comparison and conversion from them.
constexpr StringLiteral kUnsignedIn = "edge.unsigned_in";
constexpr StringLiteral kUnsignedOut = "edge.unsigned_out";
/// Sub-byte integers (int4, uint4) are held one per byte below the edge
/// level; an op whose integer result was narrower is marked with its width
/// (the range edge.quantize_linear saturates to).
constexpr StringLiteral kStorageWidth = "edge.storage_width";

/// float8, float4 and e8m0 values are held as their code in a byte below
/// the edge level (LLVM cannot compute with them); an op whose first such
/// operand or whose result had one of these types is marked with it.
constexpr StringLiteral kNarrowFloatIn = "edge.narrow_float_in";
constexpr StringLiteral kNarrowFloatOut = "edge.narrow_float_out";

/// The narrow float type an operand (`in`) or the result of `op` had before
/// the lowering retyped it to bytes, or null.
inline Type narrowFloatIn(Operation *op) {
  auto a = op->getAttrOfType<TypeAttr>(kNarrowFloatIn);
  return a ? a.getValue() : Type();
}
inline Type narrowFloatOut(Operation *op) {
  auto a = op->getAttrOfType<TypeAttr>(kNarrowFloatOut);
  return a ? a.getValue() : Type();
}

/// The float32 value of the code `bits` (i8) of format `f` (integer code:
/// no table, no runtime call).
Value buildDecodeNarrowFloat(OpBuilder &b, Location l, Value bits,
                             const edge::NarrowFloatFormat &f);

/// The code (i8) of the float32 `x` in format `f`, with ONNX Cast's
/// rounding and saturation (edge::encodeNarrowFloat).
Value buildEncodeNarrowFloat(OpBuilder &b, Location l, Value x,
                             const edge::NarrowFloatFormat &f, bool saturate,
                             edge::E8M0Rounding rounding);

/// The element type that holds integers of `width` bits once lowered: the
/// width itself from 8 bits up, a byte below.
inline unsigned heldWidth(unsigned width) {
  return width == 1 || width >= 8 ? width : 8;
}

RankedTensorType tensorType(Value v);

Value empty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et);

Value scalarConst(OpBuilder &b, Location loc, Type et, double v);

inline bool unsignedIn(Operation *op) { return op->hasAttr(kUnsignedIn); }
inline bool unsignedOut(Operation *op) { return op->hasAttr(kUnsignedOut); }

Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
             double v);

SmallVector<IteratorType> parallel(int64_t n);

/// The map that reads an operand of `shape` broadcast (numpy rules) into an
/// iteration space of `rank` dims.
AffineMap broadcastMap(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> outShape);

/// Elementwise generic over `inputs` broadcast to `outShape`.
Value elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                  ArrayRef<int64_t> outShape, Type outElem,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// A tensor of `shape` whose element at i is `v`'s at read(i): a
/// linalg.generic copy (transposes, broadcasts, windows, reversals).
Value copyThrough(OpBuilder &b, Location loc, Value v, AffineMap read,
                  ArrayRef<int64_t> shape);

/// A transpose as a linalg.generic (output dim i is input dim perm[i]), so
/// that elementwise fusion can compose it with its neighbours.
Value transposeGeneric(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm);

/// (N, C, spatial...) -> (N, spatial..., C) and back, for `rank` dims.
SmallVector<int64_t> toChannelsLast(int64_t rank);

SmallVector<int64_t> toChannelsFirst(int64_t rank);

/// Transposes a constant at compile time (raw element bytes are permuted).
DenseElementsAttr transposeConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> perm);

/// Transposes `v`, at compile time when it is a constant.
Value transposed(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm);

/// Reshape through a 1-D collapse and an expand; both are views once
/// bufferized.
Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);

Value padConstant(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> low,
                  ArrayRef<int64_t> high, double value);

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> v);

/// Sum over `reduced` dims of `v` into a tensor without them.
Value reduce(OpBuilder &b, Location loc, Value v, ArrayRef<bool> reduced,
             double initValue,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// The same, starting from the scalar `identity` (a value a double cannot
/// hold exactly, such as an int64 extreme).
Value reduce(OpBuilder &b, Location loc, Value v, ArrayRef<bool> reduced,
             Value identity,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// A 1-D value (a bias) broadcast along the dims from `first` on of
/// `shape`, which it fills in row-major order.
Value broadcastTrailing(OpBuilder &b, Location loc, Value v,
                        ArrayRef<int64_t> shape, int64_t first);

/// acc + x * y; integer operands sign-extended to the accumulator's type.
Value multiplyAdd(OpBuilder &b, Location loc, Value x, Value y, Value acc);

/// Whether `t` (a tensor or element type) is quantized (`!quant.uniform`).
bool isQuantized(Type t);

/// Pads the spatial dims of a channels-last value: `begin` and `end` hold
/// one entry per spatial dim.
Value padSpatialLast(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                     double value);

/// `out[i] * stride[i] + tap[i] * dilation[i]` with the output and tap
/// positions at loop dims `outDim + i` and `tapDim + i`.
SmallVector<AffineExpr> windowExprs(MLIRContext *ctx, unsigned outDim,
                                    unsigned tapDim, ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations);

/// A grouped convolution of any spatial rank as one linalg.generic; `x`
/// channels-last and padded, `w` the ONNX filter (F, C/group, k...), `init`
/// (n, out..., F).
Value groupedConv(OpBuilder &b, Location loc, Value x, Value w, Value init,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  int64_t group);

/// The convolution `op` on a channels-last, padded `x` with the ONNX filter
/// `w` (F, C/group, k...), as a 2-D named op (conv, depthwise, depthwise
/// with a channel multiplier) or, grouped or 3-D, one generic; the result
/// is (n, out..., F). `init(shape)` gives the accumulator's start in the
/// shape the kernel asks for (its dims after the spatial ones hold the
/// filters, in order).
Value convChannelsLast(OpBuilder &b, Location loc, edge::ConvOp op, Value x,
                       Value w, function_ref<Value(ArrayRef<int64_t>)> init);

} // namespace edgec::lowering

#endif // EDGEC_PASSES_CONVERSION_LOWERINGUTILS_H
