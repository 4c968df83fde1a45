//===- Quantization.cpp - ONNX importers: quantization --------------------===//
//
// The importers of one ONNX op family (registered by registerQuantization()):
// QuantizeLinear and DequantizeLinear, QLinearConv, QLinearMatMul,
// ConvInteger and MatMulInteger. With constant scales and zero points
// (the QDQ models of tf2onnx and ONNX Runtime's quantizer), the parameters
// become a `!quant.uniform` type, per tensor or per axis:
//
//   QuantizeLinear(x, s, z)   -> edge.storage_cast(edge.quantize(x))
//   DequantizeLinear(q, s, z) -> edge.dequantize(edge.storage_cast(q))
//
// so the integer tensors ONNX passes between nodes stay integer tensors, and
// each Q/DQ pair meets as storage casts that fold away. A DequantizeLinear
// whose parameters are computed at run time keeps the generic
// edge.dequantize_linear.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

void Importer::registerQuantization() {
  // The quantized element type of a node's scale (input 1) and zero point
  // (input 2, or `storage` zeros), for a tensor of `shape`; null when they
  // are not constants.
  auto quantizedType = [this](const onnx::NodeProto &n, IntegerType storage,
                              FloatType expressed,
                              RankedTensorType shape) -> FailureOr<Type> {
    DenseElementsAttr scale;
    if (!matchPattern(n.input(1).empty() ? Value() : values.lookup(n.input(1)),
                      m_Constant(&scale)))
      return Type();
    DenseElementsAttr zp;
    if (hasInput(n, 2) &&
        !matchPattern(values.lookup(n.input(2)), m_Constant(&zp)))
      return Type();
    if (scale.getType().getRank() > 1)
      return fail("the scale must be a scalar or 1-D");
    if (!isa<FloatType>(scale.getElementType()))
      return fail("the scale must be a float tensor");
    if (zp && zp.getNumElements() != scale.getNumElements())
      return fail("the zero point and the scale must have the same number of "
                  "entries");
    if (storage.getWidth() > 16)
      return fail(Twine(opType) + " to " + Twine(storage.getWidth()) +
                  "-bit integers is not supported");
    bool isSigned = !storage.isUnsigned();
    unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
    auto storageType = IntegerType::get(&ctx, storage.getWidth());
    int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
        isSigned, storage.getWidth());
    int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
        isSigned, storage.getWidth());
    SmallVector<double> scales;
    for (APFloat s : scale.getValues<APFloat>())
      scales.push_back(s.convertToDouble());
    SmallVector<int64_t> zps;
    if (zp)
      for (APInt z : zp.getValues<APInt>())
        zps.push_back(isSigned ? z.getSExtValue() : int64_t(z.getZExtValue()));
    else
      zps.assign(scales.size(), 0);
    for (double s : scales)
      if (!(s > 0) || !std::isfinite(s))
        return fail("scale " + std::to_string(s) +
                    " is not positive and finite");
    if (scales.size() == 1)
      return Type(quant::UniformQuantizedType::get(
          flags, storageType, expressed, scales[0], zps[0], qmin, qmax));
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 1, shape.getRank()));
    if (shape.getDimSize(axis) != int64_t(scales.size()))
      return fail("per-axis scale of " + Twine(scales.size()) +
                  " entries does not match axis " + Twine(axis) +
                  " of the input");
    return Type(quant::UniformQuantizedPerAxisType::get(
        flags, storageType, expressed, scales, zps, axis, qmin, qmax));
  };
  // An op built with its result type given, checked by its verifier.
  auto checked = [this](Operation *op) -> FailureOr<Value> {
    if (failed(verifyAtNode(op)))
      return failure();
    return op->getResult(0);
  };

  // OpTy (edge.quantize_linear / edge.dequantize_linear) of x with the
  // given scale and zero point, per tensor or along `axis`.
  auto linear = [this](auto tag, Value x, Value scale, Value zp,
                       int64_t axis) -> FailureOr<Value> {
    using OpTy = decltype(tag);
    SmallVector<Value> ops{x, scale};
    if (zp)
      ops.push_back(zp);
    if (typeOf(scale).getNumElements() == 1)
      axis = 0;
    return make<OpTy>(ops, {named("axis", builder.getI64IntegerAttr(axis))});
  };
  auto dequant = [=](Value q, Value scale, Value zp, int64_t axis) {
    return linear(edge::DequantizeLinearOp(), q, scale, zp, axis);
  };
  auto quant = [=](Value x, Value scale, Value zp, int64_t axis) {
    return linear(edge::QuantizeLinearOp(), x, scale, zp, axis);
  };

  handlers["QuantizeLinear"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t blockSize, intAttr(n, "block_size", 0));
    if (blockSize != 0)
      return fail("blocked QuantizeLinear is not supported");
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value zp, optInput(n, 2));
    RankedTensorType in = typeOf(ops[0]);
    auto expressed = dyn_cast<FloatType>(in.getElementType());
    if (!expressed)
      return fail("QuantizeLinear expects a float input");
    // The storage type: the zero point's, else uint8 (or output_dtype).
    Type storage = IntegerType::get(&ctx, 8, IntegerType::Unsigned);
    if (zp) {
      storage = typeOf(zp).getElementType();
    } else if (attr(n, "output_dtype")) {
      ASSIGN_OR_FAIL(int64_t code, intAttr(n, "output_dtype", 0));
      ASSIGN_OR_FAIL(storage, elementType(code, nodeLoc, "output_dtype"));
    }
    auto storageInt = dyn_cast<IntegerType>(storage);
    if (!storageInt)
      return fail(Twine("QuantizeLinear to ") +
                  onnxDataTypeName(onnxDataType(storage)) +
                  " is not supported");
    ASSIGN_OR_FAIL(Type q, quantizedType(n, storageInt, expressed, in));
    if (!q) {
      // Parameters computed at run time: the generic op.
      int64_t axis = 0;
      if (typeOf(ops[1]).getNumElements() > 1) {
        ASSIGN_OR_FAIL(axis, axisAttr(n, 1, in.getRank()));
      }
      return single(quant(ops[0], ops[1], zp, axis));
    }
    ASSIGN_OR_FAIL(Value quantized,
                   checked(edge::QuantizeOp::create(builder, nodeLoc,
                                                    in.clone(q), ops[0])));
    return single(checked(edge::StorageCastOp::create(
        builder, nodeLoc, in.clone(storageInt), quantized)));
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

  handlers["QLinearMatMul"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 8));
    int64_t ra = typeOf(ops[0]).getRank(), rb = typeOf(ops[3]).getRank();
    ASSIGN_OR_FAIL(Value a, dequant(ops[0], ops[1], ops[2], ra - 2));
    ASSIGN_OR_FAIL(Value b, dequant(ops[3], ops[4], ops[5], rb - 1));
    ASSIGN_OR_FAIL(Value y, make<edge::MatMulOp>(ValueRange{a, b}));
    return single(quant(y, ops[6], ops[7], 0));
  };
  handlers["QLinearConv"] = [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 8));
    ASSIGN_OR_FAIL(Value bias, optInput(n, 8));
    ASSIGN_OR_FAIL(Value x, dequant(ops[0], ops[1], ops[2], 1));
    ASSIGN_OR_FAIL(Value w, dequant(ops[3], ops[4], ops[5], 0));
    if (bias) {
      // int32 bias, scale x_scale * w_scale (per output channel), zero 0.
      ASSIGN_OR_FAIL(Value scale,
                     make<edge::MulOp>(ValueRange{ops[1], ops[4]}));
      ASSIGN_OR_FAIL(bias, dequant(bias, scale, Value(), 0));
    }
    ASSIGN_OR_FAIL(Value y, convFromNode(n, x, w, bias));
    return single(quant(y, ops[6], ops[7], 1));
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

  handlers["DequantizeLinear"] =
      [=](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t blockSize, intAttr(n, "block_size", 0));
    if (blockSize != 0)
      return fail("blocked DequantizeLinear is not supported");
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value zp, optInput(n, 2));
    RankedTensorType in = typeOf(ops[0]);
    auto storage = dyn_cast<IntegerType>(in.getElementType());
    auto expressed = dyn_cast<FloatType>(typeOf(ops[1]).getElementType());
    if (storage && expressed && storage.getWidth() <= 16) {
      if (zp && typeOf(zp).getElementType() != storage)
        return fail("the zero point's element type must match the input's");
      ASSIGN_OR_FAIL(Type q, quantizedType(n, storage, expressed, in));
      if (q) {
        ASSIGN_OR_FAIL(Value quantized,
                       checked(edge::StorageCastOp::create(
                           builder, nodeLoc, in.clone(q), ops[0])));
        return single(checked(edge::DequantizeOp::create(
            builder, nodeLoc, in.clone(expressed), quantized)));
      }
    }
    // Parameters computed at run time (or wide integers): the generic op.
    // The axis only matters for a per-axis (1-D) scale.
    int64_t axis = 0;
    if (typeOf(ops[1]).getNumElements() > 1) {
      ASSIGN_OR_FAIL(axis, axisAttr(n, 1, in.getRank()));
    }
    return single(dequant(ops[0], ops[1], zp, axis));
  };
}

} // namespace edgec::detail
