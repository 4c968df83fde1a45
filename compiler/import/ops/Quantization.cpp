//===- Quantization.cpp - ONNX importers: quantization --------------------===//
//
// The importers of one ONNX op family (registered by registerQuantization()):
// QuantizeLinear and DequantizeLinear, DynamicQuantizeLinear, QLinearConv,
// QLinearMatMul, ConvInteger and MatMulInteger, and the quantize /
// dequantize helpers the com.microsoft QLinear ops (ops/QLinear.cpp) share.
// With constant scales and zero points (the QDQ models of tf2onnx and ONNX
// Runtime's quantizer), the parameters become a `!quant.uniform` type, per
// tensor, per axis or per block (sub-channel):
//
//   QuantizeLinear(x, s, z)   -> edge.storage_cast(edge.quantize(x))
//   DequantizeLinear(q, s, z) -> edge.dequantize(edge.storage_cast(q))
//
// so the integer tensors ONNX passes between nodes stay integer tensors, and
// each Q/DQ pair meets as storage casts that fold away. Parameters computed
// at run time keep the generic edge.quantize_linear /
// edge.dequantize_linear (blocked ones expanded to the data's shape).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"
#include "dialects/Edge/IR/NarrowFloat.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::QuantParams>
Importer::quantParams(const onnx::NodeProto &n, int first,
                      RankedTensorType data) {
  QuantParams p;
  ASSIGN_OR_FAIL(p.scale, input(n, first));
  ASSIGN_OR_FAIL(p.zeroPoint, optInput(n, first + 1));
  ASSIGN_OR_FAIL(p.blockSize, intAttr(n, "block_size", 0));
  // The axis only matters for a per-axis or blocked scale.
  if (p.blockSize != 0 || typeOf(p.scale).getNumElements() > 1) {
    ASSIGN_OR_FAIL(p.axis, axisAttr(n, 1, data.getRank()));
  }
  if (failed(checkQuantParams(p, data)))
    return failure();
  return p;
}

LogicalResult Importer::checkQuantParams(const QuantParams &p,
                                         RankedTensorType data) {
  RankedTensorType scale = typeOf(p.scale);
  if (!isa<FloatType>(scale.getElementType()))
    return fail("the scale must be a float tensor");
  if (p.blockSize < 0)
    return fail("block_size must be positive, got " + Twine(p.blockSize));
  if (p.blockSize == 0) {
    if (scale.getRank() > 1)
      return fail("the scale must be a scalar or 1-D (blocked quantization "
                  "needs a block_size)");
    int64_t count = scale.getNumElements();
    if (count != 1 && (p.axis < 0 || p.axis >= data.getRank()))
      return fail("per-axis scale of " + Twine(count) + " entries for axis " +
                  Twine(p.axis) + " of a rank-" + Twine(data.getRank()) +
                  " input");
    if (count != 1 && data.getDimSize(p.axis) != count)
      return fail("per-axis scale of " + Twine(count) +
                  " entries does not match axis " + Twine(p.axis) +
                  " of the input (size " + Twine(data.getDimSize(p.axis)) +
                  ")");
    if (p.zeroPoint && typeOf(p.zeroPoint).getNumElements() != count)
      return fail("the zero point and the scale must have the same number of "
                  "entries");
    return success();
  }
  // Blocked: the scale has the data's shape but for ceil(D / block_size)
  // blocks along the axis.
  if (scale.getRank() != data.getRank())
    return fail("a blocked scale must have the rank of the input (" +
                Twine(data.getRank()) + "), it has rank " +
                Twine(scale.getRank()));
  for (int64_t d = 0, e = data.getRank(); d < e; ++d) {
    int64_t size = data.getDimSize(d);
    if (d != p.axis && scale.getDimSize(d) != size)
      return fail("dimension " + Twine(d) + " of the blocked scale is " +
                  Twine(scale.getDimSize(d)) + ", the input's is " +
                  Twine(size));
    int64_t blocks = (size + p.blockSize - 1) / p.blockSize;
    if (d == p.axis && scale.getDimSize(d) != blocks)
      return fail("block_size " + Twine(p.blockSize) + " splits axis " +
                  Twine(d) + " (size " + Twine(size) + ") into " +
                  Twine(blocks) + " blocks, but the scale has " +
                  Twine(scale.getDimSize(d)));
  }
  if (p.zeroPoint && typeOf(p.zeroPoint).getShape() != scale.getShape())
    return fail("the zero point of shape " +
                shapeText(typeOf(p.zeroPoint).getShape()) +
                " and the blocked scale of shape " +
                shapeText(scale.getShape()) + " differ");
  return success();
}

FailureOr<Type> Importer::quantizedType(const QuantParams &p,
                                        IntegerType storage,
                                        FloatType expressed,
                                        RankedTensorType data) {
  DenseElementsAttr scale, zp;
  if (!matchPattern(p.scale, m_Constant(&scale)) ||
      (p.zeroPoint && !matchPattern(p.zeroPoint, m_Constant(&zp))) ||
      storage.getWidth() > 16)
    return Type();
  bool isSigned = !storage.isUnsigned();
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  auto storageType = IntegerType::get(&ctx, storage.getWidth());
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, storage.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, storage.getWidth());
  SmallVector<double> scales;
  for (APFloat s : scale.getValues<APFloat>()) {
    bool lost;
    s.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    scales.push_back(s.convertToDouble());
  }
  SmallVector<int64_t> zps;
  if (zp)
    for (APInt z : zp.getValues<APInt>())
      zps.push_back(isSigned ? z.getSExtValue() : int64_t(z.getZExtValue()));
  else
    zps.assign(scales.size(), 0);
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s))
      return fail("scale " + std::to_string(s) + " is not positive and finite");
  for (int64_t z : zps)
    if (z < qmin || z > qmax)
      return fail("zero point " + Twine(z) + " is outside the range of " +
                  onnxDataTypeName(onnxDataType(storage)) + " [" +
                  Twine(qmin) + ", " + Twine(qmax) + "]");
  if (scales.size() == 1)
    return Type(quant::UniformQuantizedType::get(
        flags, storageType, expressed, scales[0], zps[0], qmin, qmax));
  if (p.blockSize == 0)
    return Type(quant::UniformQuantizedPerAxisType::get(
        flags, storageType, expressed, scales, zps, p.axis, qmin, qmax));
  if (data.getDimSize(p.axis) % p.blockSize != 0)
    return Type(); // a partial last block: the generic op
  // Sub-channel: blocks of block_size along the axis, 1 along the others.
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blocks;
  for (int64_t d = 0, e = data.getRank(); d < e; ++d) {
    dims.push_back(int32_t(d));
    blocks.push_back(d == p.axis ? p.blockSize : 1);
  }
  ArrayRef<int64_t> shape = typeOf(p.scale).getShape();
  SmallVector<APFloat> scaleValues;
  for (double s : scales)
    scaleValues.push_back(APFloat(float(s)));
  SmallVector<APInt> zpValues;
  for (int64_t z : zps)
    zpValues.push_back(APInt(storage.getWidth(), uint64_t(z), isSigned,
                             /*implicitTrunc=*/true));
  auto scalesAttr = DenseElementsAttr::get(
      RankedTensorType::get(shape, builder.getF32Type()), scaleValues);
  auto zpsAttr = DenseElementsAttr::get(
      RankedTensorType::get(shape, storageType), zpValues);
  return Type(quant::UniformQuantizedSubChannelType::get(
      flags, storageType, expressed, scalesAttr, zpsAttr, dims, blocks, qmin,
      qmax));
}

FailureOr<Value> Importer::expandBlocks(Value v, const QuantParams &p,
                                        RankedTensorType data) {
  // Gather along the axis: element i of the data reads block i / B.
  int64_t size = data.getDimSize(p.axis);
  SmallVector<int64_t> indices;
  for (int64_t i = 0; i < size; ++i)
    indices.push_back(i / p.blockSize);
  Value idx = constant(DenseElementsAttr::get(
      RankedTensorType::get({size}, builder.getI64Type()),
      ArrayRef<int64_t>(indices)));
  return make<edge::GatherOp>(
      ValueRange{v, idx}, {named("axis", builder.getI64IntegerAttr(p.axis))});
}

FailureOr<Value> Importer::broadcastParam(Value v, const QuantParams &p,
                                          RankedTensorType data) {
  RankedTensorType t = typeOf(v);
  if (p.blockSize != 0)
    return expandBlocks(v, p, data);
  if (t.getNumElements() == 1 || t.getRank() == 0)
    return reshape(v, SmallVector<int64_t>(data.getRank(), 1));
  // One per slice along the axis: (C) -> (C, 1, ...) after the axis.
  SmallVector<int64_t> shape(data.getRank(), 1);
  shape[p.axis] = t.getNumElements();
  return reshape(v, shape);
}

FailureOr<Value> Importer::dequantizeFloat(Value q, const QuantParams &p) {
  RankedTensorType in = typeOf(q);
  auto expressed = cast<FloatType>(typeOf(p.scale).getElementType());
  auto toFloat = [&](Value v) {
    return make<edge::CastOp>(v, {named("to", TypeAttr::get(expressed))});
  };
  ASSIGN_OR_FAIL(Value x, toFloat(q));
  if (p.zeroPoint) {
    if (typeOf(p.zeroPoint).getElementType() != in.getElementType())
      return fail("the zero point's element type must match the input's");
    ASSIGN_OR_FAIL(Value zp, toFloat(p.zeroPoint));
    ASSIGN_OR_FAIL(zp, broadcastParam(zp, p, in));
    ASSIGN_OR_FAIL(x, make<edge::SubOp>({x, zp}));
  }
  ASSIGN_OR_FAIL(Value scale, broadcastParam(p.scale, p, in));
  return make<edge::MulOp>({x, scale});
}

FailureOr<Value> Importer::quantizeToFloat(Value x, const QuantParams &p,
                                           FloatType storage, bool saturate) {
  RankedTensorType in = typeOf(x);
  if (failed(checkQuantParams(p, in)))
    return failure();
  auto expressed = dyn_cast<FloatType>(in.getElementType());
  if (!expressed)
    return fail(opType + " expects a float input");
  if (p.zeroPoint && typeOf(p.zeroPoint).getElementType() != storage)
    return fail("the zero point's element type must be the output's");
  // In float32 (ONNX's reference), as the float8 conversion is.
  Type f32 = builder.getF32Type();
  auto cast = [&](Value v, Type to) -> FailureOr<Value> {
    if (typeOf(v).getElementType() == to)
      return v;
    return make<edge::CastOp>(v, {named("to", TypeAttr::get(to))});
  };
  ASSIGN_OR_FAIL(Value y, cast(x, f32));
  ASSIGN_OR_FAIL(Value scale, cast(p.scale, f32));
  ASSIGN_OR_FAIL(scale, broadcastParam(scale, p, in));
  ASSIGN_OR_FAIL(y, make<edge::DivOp>({y, scale}));
  if (p.zeroPoint) {
    ASSIGN_OR_FAIL(Value zp, cast(p.zeroPoint, f32));
    ASSIGN_OR_FAIL(zp, broadcastParam(zp, p, in));
    ASSIGN_OR_FAIL(y, make<edge::AddOp>({y, zp}));
  }
  SmallVector<NamedAttribute> attrs{named("to", TypeAttr::get(storage))};
  if (!saturate)
    attrs.push_back(named("saturate", builder.getBoolAttr(false)));
  return make<edge::CastOp>(y, attrs);
}

FailureOr<Value> Importer::dequantize(Value q, const QuantParams &p) {
  RankedTensorType in = typeOf(q);
  if (failed(checkQuantParams(p, in)))
    return failure();
  auto storage = dyn_cast<IntegerType>(in.getElementType());
  auto expressed = cast<FloatType>(typeOf(p.scale).getElementType());
  if (storage && p.zeroPoint &&
      typeOf(p.zeroPoint).getElementType() != storage)
    return fail("the zero point's element type must match the input's");
  if (storage) {
    ASSIGN_OR_FAIL(Type qt, quantizedType(p, storage, expressed, in));
    if (qt) {
      auto cast = edge::StorageCastOp::create(builder, nodeLoc, in.clone(qt), q);
      if (failed(verifyAtNode(cast)))
        return failure();
      auto dq = edge::DequantizeOp::create(builder, nodeLoc,
                                           in.clone(expressed), cast);
      if (failed(verifyAtNode(dq)))
        return failure();
      return dq.getResult();
    }
  }
  // Parameters computed at run time (or 32-bit integers): the generic op.
  SmallVector<Value> ops{q, p.scale};
  if (p.zeroPoint)
    ops.push_back(p.zeroPoint);
  int64_t axis = typeOf(p.scale).getNumElements() > 1 ? p.axis : 0;
  if (p.blockSize != 0) {
    for (Value &v : llvm::drop_begin(ops)) {
      ASSIGN_OR_FAIL(v, expandBlocks(v, p, in));
    }
    axis = 0;
  }
  return make<edge::DequantizeLinearOp>(
      ops, {named("axis", builder.getI64IntegerAttr(axis))});
}

FailureOr<Value> Importer::quantize(Value x, const QuantParams &p,
                                    IntegerType storage) {
  RankedTensorType in = typeOf(x);
  if (failed(checkQuantParams(p, in)))
    return failure();
  auto expressed = dyn_cast<FloatType>(in.getElementType());
  if (!expressed)
    return fail(opType + " expects a float input");
  if (storage.getWidth() > 16)
    return fail(Twine(opType) + " to " + Twine(storage.getWidth()) +
                "-bit integers is not supported");
  if (p.zeroPoint && typeOf(p.zeroPoint).getElementType() != storage)
    return fail("the zero point's element type must be the output's");
  ASSIGN_OR_FAIL(Type qt, quantizedType(p, storage, expressed, in));
  if (qt) {
    auto quantized = edge::QuantizeOp::create(builder, nodeLoc, in.clone(qt), x);
    if (failed(verifyAtNode(quantized)))
      return failure();
    auto cast = edge::StorageCastOp::create(builder, nodeLoc,
                                            in.clone(storage), quantized);
    if (failed(verifyAtNode(cast)))
      return failure();
    return cast.getResult();
  }
  // Parameters computed at run time: the generic op, whose result type is
  // the zero point's (an explicit zero when the storage is not uint8).
  Value zp = p.zeroPoint;
  if (!zp && storage != IntegerType::get(&ctx, 8, IntegerType::Unsigned)) {
    auto type = typeOf(p.scale).clone(storage);
    zp = constant(DenseElementsAttr::get(
        type, APInt(storage.getWidth(), 0)));
  }
  SmallVector<Value> ops{x, p.scale};
  if (zp)
    ops.push_back(zp);
  int64_t axis = typeOf(p.scale).getNumElements() > 1 ? p.axis : 0;
  if (p.blockSize != 0) {
    for (Value &v : llvm::drop_begin(ops)) {
      ASSIGN_OR_FAIL(v, expandBlocks(v, p, in));
    }
    axis = 0;
  }
  return make<edge::QuantizeLinearOp>(
      ops, {named("axis", builder.getI64IntegerAttr(axis))});
}

void Importer::registerQuantization() {
  handlers["QuantizeLinear"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(QuantParams p, quantParams(n, 1, typeOf(x)));
    // The storage type: the zero point's, else output_dtype, else uint8.
    Type storage = IntegerType::get(&ctx, 8, IntegerType::Unsigned);
    if (p.zeroPoint) {
      storage = typeOf(p.zeroPoint).getElementType();
    } else if (attr(n, "output_dtype")) {
      ASSIGN_OR_FAIL(int64_t code, intAttr(n, "output_dtype", 0));
      ASSIGN_OR_FAIL(storage, elementType(code, nodeLoc, "output_dtype"));
    }
    if (edge::isNarrowFloat(storage) &&
        !isa<Float8E8M0FNUType>(storage)) { // float8 / float4 storage
      ASSIGN_OR_FAIL(int64_t saturate, intAttr(n, "saturate", 1));
      return single(quantizeToFloat(x, p, cast<FloatType>(storage),
                                    saturate != 0));
    }
    auto storageInt = dyn_cast<IntegerType>(storage);
    if (!storageInt)
      return fail(Twine("QuantizeLinear to ") +
                  onnxDataTypeName(onnxDataType(storage)) +
                  " is not supported");
    return single(quantize(x, p, storageInt));
  };
  handlers["DequantizeLinear"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value q, input(n, 0));
    ASSIGN_OR_FAIL(QuantParams p, quantParams(n, 1, typeOf(q)));
    Type et = typeOf(q).getElementType();
    if (edge::isNarrowFloat(et) && !isa<Float8E8M0FNUType>(et))
      return single(dequantizeFloat(q, p));
    return single(dequantize(q, p));
  };

  // DynamicQuantizeLinear: uint8 parameters from the range of x widened to
  // hold 0, as ONNX defines them (its reference and ONNX Runtime):
  //   scale = (max(x, 0) - min(x, 0)) / 255, or 1 / 255 when x is all zeros
  //   zero_point = saturate(round_half_even(0 - min(x, 0) / scale))
  //   y = QuantizeLinear(x, scale, zero_point)
  handlers["DynamicQuantizeLinear"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    RankedTensorType type = typeOf(x);
    if (!type.getElementType().isF32())
      return fail("DynamicQuantizeLinear expects a float32 input");
    auto scalar = [&](float v) {
      return constant(DenseElementsAttr::get(
          RankedTensorType::get({}, builder.getF32Type()), v));
    };
    SmallVector<NamedAttribute> all{
        named("axes", builder.getDenseI64ArrayAttr(llvm::to_vector(
                          llvm::seq<int64_t>(0, type.getRank())))),
        named("keepdims", builder.getBoolAttr(false))};
    Value zero = scalar(0.0f);
    ASSIGN_OR_FAIL(Value lo, make<edge::ReduceMinOp>(x, all));
    ASSIGN_OR_FAIL(lo, make<edge::MinOp>({lo, zero}));
    ASSIGN_OR_FAIL(Value hi, make<edge::ReduceMaxOp>(x, all));
    ASSIGN_OR_FAIL(hi, make<edge::MaxOp>({hi, zero}));
    ASSIGN_OR_FAIL(Value range, make<edge::SubOp>({hi, lo}));
    // range + (range == 0): a range of 0 becomes 1 (the cast to bool is a
    // non-zero test), so all zeros quantize to 0 rather than NaN.
    auto castTo = [&](Value v, Type t) {
      return make<edge::CastOp>(v, {named("to", TypeAttr::get(t))});
    };
    ASSIGN_OR_FAIL(Value nonZero, castTo(range, builder.getI1Type()));
    ASSIGN_OR_FAIL(nonZero, castTo(nonZero, builder.getF32Type()));
    ASSIGN_OR_FAIL(Value isZero, make<edge::SubOp>({scalar(1.0f), nonZero}));
    ASSIGN_OR_FAIL(range, make<edge::AddOp>({range, isZero}));
    ASSIGN_OR_FAIL(Value scale, make<edge::DivOp>({range, scalar(255.0f)}));
    ASSIGN_OR_FAIL(Value zp, make<edge::DivOp>({lo, scale}));
    ASSIGN_OR_FAIL(zp, make<edge::SubOp>({zero, zp}));
    // Rounded half to even and saturated to uint8: QuantizeLinear by 1.
    auto u8 = IntegerType::get(&ctx, 8, IntegerType::Unsigned);
    ASSIGN_OR_FAIL(zp, quantize(zp, {scalar(1.0f), Value()}, u8));
    ASSIGN_OR_FAIL(Value y, quantize(x, {scale, zp}, u8));
    return Values{y, scale, zp};
  };

  // The operator forms of ONNX Runtime's quantizer (QLinearConv,
  // QLinearMatMul) and the integer products (ConvInteger, MatMulInteger)
  // compute through the float ops: integer inputs are dequantized, the
  // product is taken in float (f64 for the integer products, where every
  // partial sum of 8- or 16-bit products is exact), and the result is
  // quantized again or converted back to int32.
  auto toType = [this](Value v, Type t) -> FailureOr<Value> {
    if (typeOf(v).getElementType() == t)
      return v;
    return make<edge::CastOp>(v, {named("to", TypeAttr::get(t))});
  };
  // (v - zp) in f64, for the integer products; a 1-D zero point of several
  // entries applies along dimension `axis` of v.
  auto shifted = [=](Value v, Value zp, int64_t axis) -> FailureOr<Value> {
    Type f64 = builder.getF64Type();
    ASSIGN_OR_FAIL(Value f, toType(v, f64));
    if (!zp)
      return f;
    ASSIGN_OR_FAIL(Value z, toType(zp, f64));
    int64_t count = typeOf(z).getNumElements();
    int64_t rank = typeOf(f).getRank();
    if (count > 1) {
      if (axis < 0 || axis >= rank || typeOf(f).getDimSize(axis) != count)
        return fail("a zero point of " + Twine(count) +
                    " entries does not match dimension " + Twine(axis));
      SmallVector<int64_t> shape(rank, 1);
      shape[axis] = count;
      ASSIGN_OR_FAIL(z, reshape(z, shape));
    }
    return make<edge::SubOp>(ValueRange{f, z});
  };
  // The storage type of a QLinear op's output: its zero point's.
  auto outputStorage = [this](Value zp) -> FailureOr<IntegerType> {
    auto t = dyn_cast<IntegerType>(typeOf(zp).getElementType());
    if (!t)
      return fail(opType + " needs an integer output zero point");
    return t;
  };

  handlers["QLinearMatMul"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 8));
    int64_t ra = typeOf(ops[0]).getRank(), rb = typeOf(ops[3]).getRank();
    // Per row of A, per column of B.
    ASSIGN_OR_FAIL(Value a, dequantize(ops[0], {ops[1], ops[2],
                                                std::max<int64_t>(ra - 2, 0)}));
    ASSIGN_OR_FAIL(Value b, dequantize(ops[3], {ops[4], ops[5], rb - 1}));
    ASSIGN_OR_FAIL(Value y, make<edge::MatMulOp>(ValueRange{a, b}));
    ASSIGN_OR_FAIL(IntegerType storage, outputStorage(ops[7]));
    return single(quantize(y, {ops[6], ops[7]}, storage));
  };
  handlers["QLinearConv"] = [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 8));
    ASSIGN_OR_FAIL(Value bias, optInput(n, 8));
    ASSIGN_OR_FAIL(Value x, dequantize(ops[0], {ops[1], ops[2], 1}));
    ASSIGN_OR_FAIL(Value w, dequantize(ops[3], {ops[4], ops[5], 0}));
    if (bias) {
      // int32 bias, scale x_scale * w_scale (per output channel), zero 0.
      ASSIGN_OR_FAIL(Value scale,
                     make<edge::MulOp>(ValueRange{ops[1], ops[4]}));
      ASSIGN_OR_FAIL(bias, dequantize(bias, {scale, Value(), 0}));
    }
    ASSIGN_OR_FAIL(Value y, convFromNode(n, x, w, bias));
    ASSIGN_OR_FAIL(IntegerType storage, outputStorage(ops[7]));
    return single(quantize(y, {ops[6], ops[7], 1}, storage));
  };
  handlers["MatMulInteger"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value az, optInput(n, 2));
    ASSIGN_OR_FAIL(Value bz, optInput(n, 3));
    int64_t ra = typeOf(ops[0]).getRank(), rb = typeOf(ops[1]).getRank();
    ASSIGN_OR_FAIL(Value a, shifted(ops[0], az, ra - 2)); // per row of A
    ASSIGN_OR_FAIL(Value b, shifted(ops[1], bz, rb - 1)); // per column of B
    ASSIGN_OR_FAIL(Value y, make<edge::MatMulOp>(ValueRange{a, b}));
    return single(toType(y, builder.getI32Type()));
  };
  handlers["ConvInteger"] = [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value xz, optInput(n, 2));
    ASSIGN_OR_FAIL(Value wz, optInput(n, 3));
    ASSIGN_OR_FAIL(Value x, shifted(ops[0], xz, 1));
    ASSIGN_OR_FAIL(Value w, shifted(ops[1], wz, 0)); // per output channel
    ASSIGN_OR_FAIL(Value y, convFromNode(n, x, w, Value()));
    return single(toType(y, builder.getI32Type()));
  };
}

} // namespace edgec::detail
