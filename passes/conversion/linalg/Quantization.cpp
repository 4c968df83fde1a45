//===- Quantization.cpp - edge to linalg: quantization --------------------===//
//
// edge.quantize, edge.dequantize and edge.storage_cast: a quantized tensor
// is lowered to its integer storage (the type converter of
// convert-edge-to-linalg), and the scale and zero point its
// `!quant.uniform` type holds become constants of the elementwise generic:
//
//   quantize:   q = saturate(round_half_even(x / scale) + zero_point)
//   dequantize: x = (q - zero_point) * scale
//
// as ONNX QuantizeLinear / DequantizeLinear define them, per tensor or per
// axis. edge.dequantize_linear (parameters computed at run time) is here too.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;

namespace {

/// The scales and zero points of a quantized type, as f32 values an
/// elementwise generic over a tensor of `shape` reads: scalars for a
/// per-tensor type, 1-D constants broadcast along the axis otherwise.
struct QuantParams {
  SmallVector<Value> inputs; // [scale, zero point] when per axis
  Value scale, zeroPoint;    // scalars when per tensor
  bool perAxis = false;
  int64_t qmin = 0, qmax = 0;
  bool isSigned = true;
  unsigned width = 8;
};

QuantParams quantParams(OpBuilder &b, Location loc, quant::QuantizedType q,
                        ArrayRef<int64_t> shape) {
  QuantParams p;
  p.qmin = q.getStorageTypeMin();
  p.qmax = q.getStorageTypeMax();
  p.isSigned = q.isSigned();
  p.width = q.getStorageTypeIntegralWidth();
  Type f32 = b.getF32Type();
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    p.scale = scalarConst(b, loc, f32, t.getScale());
    p.zeroPoint = scalarConst(b, loc, f32, double(t.getZeroPoint()));
    return p;
  }
  auto t = cast<quant::UniformQuantizedPerAxisType>(q);
  p.perAxis = true;
  SmallVector<float> scales, zps;
  for (double s : t.getScales())
    scales.push_back(float(s));
  for (int64_t z : t.getZeroPoints())
    zps.push_back(float(z));
  SmallVector<int64_t> paramShape(shape.size(), 1);
  paramShape[t.getQuantizedDimension()] = int64_t(scales.size());
  auto type = RankedTensorType::get(paramShape, f32);
  p.inputs.push_back(arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>(scales))));
  p.inputs.push_back(arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>(zps))));
  return p;
}

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    auto q = cast<quant::QuantizedType>(outType.getElementType());
    QuantParams p = quantParams(rewriter, loc, q, outType.getShape());
    Type f32 = rewriter.getF32Type();
    auto storage = rewriter.getIntegerType(p.width);
    SmallVector<Value> ins{adaptor.getInput()};
    llvm::append_range(ins, p.inputs);
    Value r = elementwise(
        rewriter, loc, ins, outType.getShape(), storage,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          if (x.getType() != f32)
            x = arith::ExtFOp::create(b, l, f32, x);
          Value scale = p.perAxis ? a[1] : p.scale;
          Value zp = p.perAxis ? a[2] : p.zeroPoint;
          Value y = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, x, scale));
          y = arith::AddFOp::create(b, l, y, zp);
          y = arith::MaximumFOp::create(b, l, y,
                                        scalarConst(b, l, f32, double(p.qmin)));
          y = arith::MinimumFOp::create(b, l, y,
                                        scalarConst(b, l, f32, double(p.qmax)));
          Type i32 = b.getI32Type();
          Value i = p.isSigned ? Value(arith::FPToSIOp::create(b, l, i32, y))
                               : Value(arith::FPToUIOp::create(b, l, i32, y));
          return p.width < 32 ? Value(arith::TruncIOp::create(b, l, storage, i))
                              : i;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct QDequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    auto q = cast<quant::QuantizedType>(inType.getElementType());
    QuantParams p = quantParams(rewriter, loc, q, outType.getShape());
    Type f32 = rewriter.getF32Type();
    Type outElem = outType.getElementType();
    SmallVector<Value> ins{adaptor.getInput()};
    llvm::append_range(ins, p.inputs);
    Value r =
        elementwise(rewriter, loc, ins, outType.getShape(), outElem,
                    [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                      Value x =
                          p.isSigned
                              ? Value(arith::SIToFPOp::create(b, l, f32, a[0]))
                              : Value(arith::UIToFPOp::create(b, l, f32, a[0]));
                      Value scale = p.perAxis ? a[1] : p.scale;
                      Value zp = p.perAxis ? a[2] : p.zeroPoint;
                      // Computed in f32 like the folders and ONNX Runtime.
                      Value y = arith::MulFOp::create(
                          b, l, arith::SubFOp::create(b, l, x, zp), scale);
                      if (outElem != f32)
                        y = arith::TruncFOp::create(b, l, outElem, y);
                      return y;
                    });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// QuantizeLinear with run-time parameters: the same formula with the scale
/// and zero point read as broadcast tensors.
struct QuantizeLinearLowering : OpConversionPattern<QuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    auto storage = cast<IntegerType>(type.getElementType());
    bool isUnsigned = unsignedOut(op);
    unsigned width = storage.getWidth();
    int64_t qmin = isUnsigned ? 0 : -(int64_t(1) << (width - 1));
    int64_t qmax = isUnsigned ? (int64_t(1) << width) - 1
                              : (int64_t(1) << (width - 1)) - 1;
    SmallVector<int64_t> paramShape(type.getRank(), 1);
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (tensorType(op.getScale()).getNumElements() > 1)
      paramShape[axis] = type.getDimSize(axis);
    SmallVector<Value> ins{
        adaptor.getInput(),
        reshapeTo(rewriter, loc, adaptor.getScale(), paramShape)};
    if (Value zp = adaptor.getZeroPoint())
      ins.push_back(reshapeTo(rewriter, loc, zp, paramShape));
    Type f32 = rewriter.getF32Type();
    Value r = elementwise(
        rewriter, loc, ins, type.getShape(), storage,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto toF32 = [&](Value v) -> Value {
            if (v.getType() == f32)
              return v;
            return arith::ExtFOp::create(b, l, f32, v);
          };
          Value y = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, toF32(a[0]), toF32(a[1])));
          if (a.size() == 3) {
            Value zp = isUnsigned
                           ? Value(arith::UIToFPOp::create(b, l, f32, a[2]))
                           : Value(arith::SIToFPOp::create(b, l, f32, a[2]));
            y = arith::AddFOp::create(b, l, y, zp);
          }
          y = arith::MaximumFOp::create(b, l, y,
                                        scalarConst(b, l, f32, double(qmin)));
          y = arith::MinimumFOp::create(b, l, y,
                                        scalarConst(b, l, f32, double(qmax)));
          Type wide = b.getI64Type();
          Value i = isUnsigned ? Value(arith::FPToUIOp::create(b, l, wide, y))
                               : Value(arith::FPToSIOp::create(b, l, wide, y));
          Type out = IntegerType::get(b.getContext(), width);
          return arith::TruncIOp::create(b, l, out, i);
        });
    rewriter.replaceOp(op, r);
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
  patterns.add<QuantizeLowering, QDequantizeLowering, StorageCastLowering>(
      converter, patterns.getContext());
  patterns.add<QuantizeLinearLowering>(patterns.getContext());
}
} // namespace edgec::lowering
