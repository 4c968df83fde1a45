//===- EdgeQuant.cpp - quantized tensors: verifiers and folders -----------===//
//
// The ops that move between float, quantized and storage tensors
// (edge.quantize, edge.dequantize, edge.storage_cast) and the checks every
// quantized tensor type passes (constraints Q1-Q4 in EdgeOps.td).
//
//===----------------------------------------------------------------------===//
#include "dialects/Edge/IR/EdgeOps.h"

#include <cmath>

using namespace mlir;
using namespace edge;

IntegerType edge::storageElementType(quant::QuantizedType type) {
  auto storage = cast<IntegerType>(type.getStorageType());
  return IntegerType::get(type.getContext(), storage.getWidth(),
                          type.isSigned() ? IntegerType::Signless
                                          : IntegerType::Unsigned);
}

SmallVector<int64_t>
edge::subChannelZeroPoints(quant::UniformQuantizedSubChannelType type) {
  unsigned width = type.getStorageTypeIntegralWidth();
  SmallVector<int64_t> out;
  for (APInt v : type.getZeroPoints().getValues<APInt>()) {
    if (v.getBitWidth() != width || width >= 64) {
      out.push_back(type.isSigned() ? v.getSExtValue()
                                    : int64_t(v.getZExtValue()));
      continue;
    }
    // The low `width` bits: a parsed attribute may hold the value
    // sign-extended beyond them.
    uint64_t bits = v.getZExtValue() & ((uint64_t(1) << width) - 1);
    out.push_back(type.isSigned() ? llvm::SignExtend64(bits, width)
                                  : int64_t(bits));
  }
  return out;
}

LogicalResult
edge::verifyQuantizedTensor(RankedTensorType type, Type expressed,
                            function_ref<InFlightDiagnostic()> emitError) {
  auto q = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!q)
    return emitError() << "expects a quantized tensor, got " << type;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    scales.push_back(t.getScale());
    zeroPoints.push_back(t.getZeroPoint());
  } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    llvm::append_range(scales, t.getScales());
    llvm::append_range(zeroPoints, t.getZeroPoints());
    int64_t axis = t.getQuantizedDimension();
    if (axis < 0 || axis >= type.getRank())
      return emitError() << "Q3: quantization axis " << axis
                         << " is not a dimension of " << type;
    if (type.getDimSize(axis) != int64_t(scales.size()))
      return emitError() << "Q3: " << scales.size() << " scales for dimension "
                         << axis << " of size " << type.getDimSize(axis);
  } else if (auto t = dyn_cast<quant::UniformQuantizedSubChannelType>(q)) {
    DenseElementsAttr s = t.getScales();
    ArrayRef<int64_t> blocksShape = s.getType().getShape();
    if (int64_t(blocksShape.size()) != type.getRank())
      return emitError() << "Q3: rank-" << blocksShape.size()
                         << " scales for " << type;
    // A dimension without a block size is one block.
    SmallVector<int64_t> block(type.getShape());
    for (auto [dim, size] : t.getBlockSizeInfo()) {
      if (dim < 0 || dim >= type.getRank())
        return emitError() << "Q3: quantization axis " << dim
                           << " is not a dimension of " << type;
      block[dim] = size;
    }
    for (int64_t d = 0, e = type.getRank(); d < e; ++d)
      if (block[d] <= 0 || type.getDimSize(d) % block[d] != 0 ||
          type.getDimSize(d) / block[d] != blocksShape[d])
        return emitError() << "Q3: dimension " << d << " of size "
                           << type.getDimSize(d) << " in blocks of "
                           << block[d] << " needs "
                           << (block[d] > 0 ? type.getDimSize(d) / block[d]
                                            : 0)
                           << " scales, the type has " << blocksShape[d];
    for (APFloat v : s.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      scales.push_back(v.convertToDouble());
    }
    llvm::append_range(zeroPoints, subChannelZeroPoints(t));
  } else {
    return emitError() << "only uniform quantized types are supported, got "
                       << q;
  }
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s))
      return emitError() << "Q1: scale " << s << " is not positive and finite";
  for (int64_t z : zeroPoints)
    if (z < q.getStorageTypeMin() || z > q.getStorageTypeMax())
      return emitError() << "Q2: zero point " << z << " is outside ["
                         << q.getStorageTypeMin() << ", "
                         << q.getStorageTypeMax() << "]";
  if (expressed && q.getExpressedType() != expressed)
    return emitError() << "Q4: the quantized type expresses "
                       << q.getExpressedType() << ", the float side is "
                       << expressed;
  return success();
}

static LogicalResult sameShape(Operation *op, RankedTensorType a,
                               RankedTensorType b) {
  if (a.getShape() != b.getShape())
    return op->emitOpError("operand and result shapes differ: ")
           << a << " vs " << b;
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (failed(sameShape(*this, in, out)))
    return failure();
  return verifyQuantizedTensor(out, in.getElementType(),
                               [&] { return emitOpError(); });
}

LogicalResult DequantizeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (failed(sameShape(*this, in, out)))
    return failure();
  return verifyQuantizedTensor(in, out.getElementType(),
                               [&] { return emitOpError(); });
}

LogicalResult QuantizedAddOp::verify() {
  for (Type t : {getLhs().getType(), getRhs().getType(), getType()}) {
    auto tt = cast<RankedTensorType>(t);
    auto q = dyn_cast<quant::UniformQuantizedType>(tt.getElementType());
    if (!q || q.getStorageTypeIntegralWidth() != 8)
      return emitOpError("takes and gives per-tensor 8-bit quantized tensors "
                         "(Q6), got ")
             << t;
    if (tt.getShape() != getType().getShape())
      return emitOpError("needs operands of its result's shape (Q6)");
  }
  return success();
}

LogicalResult QuantizedAveragePoolOp::verify() {
  for (Type t : {getInput().getType(), getType()}) {
    auto tt = cast<RankedTensorType>(t);
    auto q = dyn_cast<quant::UniformQuantizedType>(tt.getElementType());
    if (!q || q.getStorageTypeIntegralWidth() != 8 || tt.getRank() != 4)
      return emitOpError("takes and gives per-tensor 8-bit quantized NCHW "
                         "tensors (Q7), got ")
             << t;
  }
  auto in = getInput().getType(), out = getType();
  ArrayRef<int64_t> k = getKernelShape(), s = getStrides();
  if (k.size() != 2 || s.size() != 2)
    return emitOpError("needs a 2-D kernel and 2 strides (Q7)");
  if (in.getDimSize(0) != out.getDimSize(0) ||
      in.getDimSize(1) != out.getDimSize(1))
    return emitOpError("keeps the batch and the channels (Q7)");
  for (int i = 0; i < 2; ++i) {
    int64_t size = in.getDimSize(2 + i);
    if (k[i] < 1 || s[i] < 1 || (size != ShapedType::kDynamic && k[i] > size))
      return emitOpError("has a window outside its input (Q7)");
    if (size != ShapedType::kDynamic &&
        out.getDimSize(2 + i) != (size - k[i]) / s[i] + 1)
      return emitOpError("gives output dimension ")
             << i << " of size " << out.getDimSize(2 + i) << ", not "
             << (size - k[i]) / s[i] + 1 << " (Q7)";
  }
  return success();
}

float QuantizedAveragePoolOp::multiplier() {
  auto x =
      cast<quant::UniformQuantizedType>(getInput().getType().getElementType());
  auto y = cast<quant::UniformQuantizedType>(getType().getElementType());
  double count = double(getKernelShape()[0] * getKernelShape()[1]);
  return float(x.getScale() / (y.getScale() * count));
}

LogicalResult StorageCastOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (failed(sameShape(*this, in, out)))
    return failure();
  auto qin = dyn_cast<quant::QuantizedType>(in.getElementType());
  auto qout = dyn_cast<quant::QuantizedType>(out.getElementType());
  if (bool(qin) == bool(qout))
    return emitOpError("casts between a quantized tensor and its integer "
                       "storage, got ")
           << in << " to " << out;
  auto q = qin ? qin : qout;
  RankedTensorType quantized = qin ? in : out;
  Type storage = qin ? out.getElementType() : in.getElementType();
  if (storage != storageElementType(q))
    return emitOpError("the storage of ")
           << q << " is " << storageElementType(q) << ", not " << storage;
  return verifyQuantizedTensor(quantized, Type(),
                               [&] { return emitOpError(); });
}

OpFoldResult StorageCastOp::fold(FoldAdaptor) {
  if (auto back = getInput().getDefiningOp<StorageCastOp>())
    if (back.getInput().getType() == getType())
      return back.getInput();
  return {};
}
