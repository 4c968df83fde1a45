//===- Quantization.cpp - edge to linalg: quantization --------------------===//
//
// edge.quantize, edge.dequantize and edge.storage_cast: a quantized tensor
// is lowered to its integer storage (the type converter of
// convert-edge-to-linalg; 4-bit storage held one value a byte), and the
// scales and zero points its `!quant.uniform` type holds become constants
// of the elementwise generic: broadcast along the tensor for per-tensor and
// per-axis types, and for a sub-channel (blocked) type over the tensor
// viewed with each blocked dimension split into (blocks, block size).
// edge.quantize_linear / edge.dequantize_linear (parameters computed at run
// time) read them as tensors instead. Both compute, as ONNX defines:
//
//   quantize:   q = saturate(round_half_even(x / scale) + zero_point)
//   dequantize: x = (q - zero_point) * scale
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;

namespace {

/// The integer side of a quantization.
struct Storage {
  unsigned width = 8;
  bool isSigned = true;
  int64_t min() const { return isSigned ? -(int64_t(1) << (width - 1)) : 0; }
  int64_t max() const {
    return isSigned ? (int64_t(1) << (width - 1)) - 1
                    : (int64_t(1) << width) - 1;
  }
};

Value toF32(OpBuilder &b, Location l, Value v, bool isSigned) {
  Type f32 = b.getF32Type();
  if (v.getType() == f32)
    return v;
  if (isa<IntegerType>(v.getType()))
    return isSigned ? Value(arith::SIToFPOp::create(b, l, f32, v))
                    : Value(arith::UIToFPOp::create(b, l, f32, v));
  return arith::ExtFOp::create(b, l, f32, v);
}

/// The elementwise generic over x (shape `shape`) and its parameters, the
/// scale `params[0]` and optional zero point `params[1]` (broadcast
/// tensors), computing quantize or dequantize.
Value lowerLinear(OpBuilder &b, Location loc, bool quantize, Value x,
                  ArrayRef<Value> params, RankedTensorType outType, Storage s) {
  SmallVector<Value> ins{x};
  llvm::append_range(ins, params);
  Type outElem = outType.getElementType();
  Type f32 = b.getF32Type();
  return elementwise(
      b, loc, ins, outType.getShape(), outElem,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value scale = toF32(nb, l, a[1], true);
        Value zp = a.size() > 2 ? toF32(nb, l, a[2], s.isSigned) : Value();
        if (!quantize) {
          Value v = toF32(nb, l, a[0], s.isSigned);
          if (zp)
            v = arith::SubFOp::create(nb, l, v, zp);
          // Computed in f32 like the folders and ONNX Runtime.
          v = arith::MulFOp::create(nb, l, v, scale);
          return outElem == f32
                     ? v
                     : Value(arith::TruncFOp::create(nb, l, outElem, v));
        }
        // Round half to even by adding and subtracting 1.5 * 2^23: exact
        // for |x| < 2^22, and larger magnitudes (and infinities) saturate
        // in the clamp below; maxNum/minNum take a NaN to the lower bound.
        // A few instructions where math.roundeven expands into ~25.
        Value magic = scalarConst(nb, l, f32, 12582912.0);
        Value y =
            arith::DivFOp::create(nb, l, toF32(nb, l, a[0], true), scale);
        y = arith::SubFOp::create(nb, l, arith::AddFOp::create(nb, l, y, magic),
                                  magic);
        if (zp)
          y = arith::AddFOp::create(nb, l, y, zp);
        y = arith::MaxNumFOp::create(nb, l, y,
                                     scalarConst(nb, l, f32, double(s.min())));
        y = arith::MinNumFOp::create(nb, l, y,
                                     scalarConst(nb, l, f32, double(s.max())));
        Type wide = s.width <= 16 ? nb.getI32Type() : nb.getI64Type();
        Value i = s.isSigned ? Value(arith::FPToSIOp::create(nb, l, wide, y))
                             : Value(arith::FPToUIOp::create(nb, l, wide, y));
        return arith::TruncIOp::create(nb, l, outElem, i);
      });
}

Storage storageOf(quant::QuantizedType q) {
  return {q.getStorageTypeIntegralWidth(), q.isSigned()};
}

/// A quantized type's parameters as the elementwise generic reads them:
/// the iteration shape (the tensor's, with each dimension quantized in
/// blocks split into (blocks, block size)) and the scale and zero point as
/// f32 constants broadcast over it (size 1 but along the quantized axis or
/// the block dimensions).
struct TypeParams {
  SmallVector<int64_t> shape;
  SmallVector<Value> params;
};

TypeParams typeParams(OpBuilder &b, Location loc, quant::QuantizedType q,
                      ArrayRef<int64_t> tensorShape) {
  TypeParams r;
  r.shape.assign(tensorShape.begin(), tensorShape.end());
  SmallVector<float> scales, zps;
  SmallVector<int64_t> shape(tensorShape.size(), 1);
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    scales.push_back(float(t.getScale()));
    zps.push_back(float(t.getZeroPoint()));
  } else if (auto pt = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    for (double s : pt.getScales())
      scales.push_back(float(s));
    for (int64_t z : pt.getZeroPoints())
      zps.push_back(float(z));
    shape[pt.getQuantizedDimension()] = int64_t(scales.size());
  } else {
    auto st = cast<quant::UniformQuantizedSubChannelType>(q);
    SmallVector<int64_t> block(tensorShape);
    for (auto [dim, size] : st.getBlockSizeInfo())
      block[dim] = size;
    r.shape.clear();
    shape.clear();
    for (auto [size, b] : llvm::zip(tensorShape, block)) {
      if (b == 1 || b == size) { // one scale per entry, or one for all
        r.shape.push_back(size);
        shape.push_back(b == 1 ? size : 1);
        continue;
      }
      r.shape.append({size / b, b});
      shape.append({size / b, 1});
    }
    for (APFloat s : st.getScales().getValues<APFloat>()) {
      bool lost;
      s.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      scales.push_back(s.convertToFloat());
    }
    for (int64_t z : subChannelZeroPoints(st))
      zps.push_back(float(z));
  }
  auto type = RankedTensorType::get(shape, b.getF32Type());
  r.params = {arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(type, ArrayRef<float>(scales))),
              arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(type, ArrayRef<float>(zps)))};
  return r;
}

/// `v` reshaped to `shape` (a view), or `v` when it has that shape.
Value reshapedTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  if (tensorType(v).getShape() == shape)
    return v;
  return reshapeTo(b, loc, v, shape);
}

/// quantize or dequantize `x` with the parameters of quantized type `q`
/// into `outElem` (shaped as x).
Value lowerTyped(OpBuilder &b, Location loc, bool quantize, Value x,
                 quant::QuantizedType q, Type outElem) {
  ArrayRef<int64_t> shape = tensorType(x).getShape();
  TypeParams tp = typeParams(b, loc, q, shape);
  Value r = lowerLinear(b, loc, quantize, reshapedTo(b, loc, x, tp.shape),
                        tp.params, RankedTensorType::get(tp.shape, outElem),
                        storageOf(q));
  return reshapedTo(b, loc, r, shape);
}

/// The run-time scale and zero point of a *QuantizeLinear op, reshaped to
/// broadcast along its axis (a scale of the input's shape is used as is).
template <typename OpTy>
SmallVector<Value> operandParams(OpBuilder &b, Location loc, OpTy op,
                                 typename OpTy::Adaptor adaptor) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> shape(type.getRank(), 1);
  auto scale = tensorType(op.getScale());
  if (scale.getRank() > 1)
    shape.assign(type.getShape().begin(), type.getShape().end());
  else if (scale.getNumElements() > 1)
    shape[op.getAxis()] = type.getDimSize(op.getAxis());
  SmallVector<Value> params{reshapeTo(b, loc, adaptor.getScale(), shape)};
  if (Value zp = adaptor.getZeroPoint())
    params.push_back(reshapeTo(b, loc, zp, shape));
  return params;
}

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = cast<quant::QuantizedType>(
        op.getOutput().getType().getElementType());
    Type storage = rewriter.getIntegerType(heldWidth(storageOf(q).width));
    rewriter.replaceOp(op, lowerTyped(rewriter, op.getLoc(), /*quantize=*/true,
                                      adaptor.getInput(), q, storage));
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = cast<quant::QuantizedType>(
        op.getInput().getType().getElementType());
    rewriter.replaceOp(
        op, lowerTyped(rewriter, op.getLoc(), /*quantize=*/false,
                       adaptor.getInput(), q,
                       op.getOutput().getType().getElementType()));
    return success();
  }
};

struct QuantizeLinearLowering : OpConversionPattern<QuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    // The width of the result before sub-byte integers became bytes.
    auto width = op->getAttrOfType<IntegerAttr>(kStorageWidth);
    Storage s{width ? unsigned(width.getInt()) : type.getElementTypeBitWidth(),
              !unsignedOut(op)};
    rewriter.replaceOp(
        op, lowerLinear(
                rewriter, op.getLoc(), /*quantize=*/true, adaptor.getInput(),
                operandParams(rewriter, op.getLoc(), op, adaptor), type, s));
    return success();
  }
};

struct DequantizeLinearLowering : OpConversionPattern<DequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = op.getInput().getType();
    if (!isa<IntegerType>(inType.getElementType()))
      return rewriter.notifyMatchFailure(op, "expects an integer input");
    Storage s{inType.getElementTypeBitWidth(), !unsignedIn(op)};
    rewriter.replaceOp(
        op, lowerLinear(rewriter, op.getLoc(), /*quantize=*/false,
                        adaptor.getInput(),
                        operandParams(rewriter, op.getLoc(), op, adaptor),
                        op.getType(), s));
    return success();
  }
};

/// Quantized values are their storage once converted: the cast is gone.
struct StorageCastLowering : OpConversionPattern<StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateQuantizationLoweringPatterns(RewritePatternSet &patterns,
                                          const TypeConverter &converter) {
  patterns.add<QuantizeLowering, DequantizeLowering, StorageCastLowering>(
      converter, patterns.getContext());
  patterns.add<QuantizeLinearLowering, DequantizeLinearLowering>(
      patterns.getContext());
}
} // namespace edgec::lowering
