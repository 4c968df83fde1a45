//===- ConvPool.cpp - ONNX importers: conv and pooling --------------------===//
//
// The importers of one ONNX op family (registered by registerConvPool()): Conv,
// ConvTranspose, MaxPool, AveragePool and GlobalAveragePool, with auto_pad and
// window checks shared by both.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

LogicalResult Importer::checkWindowValues(ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> strides,
                                          ArrayRef<int64_t> dilations) {
  for (ArrayRef<int64_t> values : {kernel, strides, dilations})
    for (int64_t v : values)
      if (v <= 0 || v >= kMaxElements)
        return fail("kernel sizes, strides and dilations must be between 1 "
                    "and 2^31 - 1, got " +
                    Twine(v));
  return success();
}

LogicalResult Importer::resolvePads(const onnx::NodeProto &n,
                                    ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    SmallVectorImpl<int64_t> &pads) {
  size_t k = kernel.size();
  if (failed(checkWindowValues(kernel, strides, dilations)))
    return failure();
  std::string autoPad = strAttr(n, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    auto p = intsAttr(n, "pads", SmallVector<int64_t>(2 * k, 0));
    if (p.size() != 2 * k)
      return fail("'pads' has " + Twine(p.size()) + " entries, expected " +
                  Twine(2 * k));
    pads.assign(p.begin(), p.end());
    return success();
  }
  pads.assign(2 * k, 0);
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return fail("unknown auto_pad '" + autoPad + "'");
  for (size_t i = 0; i < k; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + k] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

FailureOr<Value> Importer::conv(Value x, Value w, Value b,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads, int64_t group) {
  // A 1-D convolution runs as a 2-D one with a unit height.
  bool oneD = typeOf(x).getRank() == 3;
  SmallVector<int64_t> s(strides), d(dilations), p(pads);
  if (oneD) {
    auto xs = typeOf(x).getShape(), ws = typeOf(w).getShape();
    ASSIGN_OR_FAIL(x, reshape(x, {xs[0], xs[1], 1, xs[2]}));
    ASSIGN_OR_FAIL(w, reshape(w, {ws[0], ws[1], 1, ws[2]}));
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
    p = {0, pads[0], 0, pads[1]};
  }
  SmallVector<Value> operands{x, w};
  if (b)
    operands.push_back(b);
  ASSIGN_OR_FAIL(
      Value y,
      make<edge::ConvOp>(operands,
                         {named("strides", builder.getDenseI64ArrayAttr(s)),
                          named("pads", builder.getDenseI64ArrayAttr(p)),
                          named("dilations", builder.getDenseI64ArrayAttr(d)),
                          named("group", builder.getI64IntegerAttr(group))}));
  if (!oneD)
    return y;
  auto ys = typeOf(y).getShape();
  return reshape(y, {ys[0], ys[1], ys[3]});
}

/// Checks the ranks of a (transposed) convolution's input and filter and
/// returns the filter's spatial shape after checking kernel_shape against it.
FailureOr<SmallVector<int64_t>> Importer::convKernel(const onnx::NodeProto &n,
                                                     Value x, Value w) {
  int64_t rank = typeOf(x).getRank();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D convolutions are supported, the input "
                "has rank " +
                Twine(rank));
  if (typeOf(w).getRank() != rank)
    return fail("the filter has rank " + Twine(typeOf(w).getRank()) +
                ", expected " + Twine(rank));
  auto kernelDefault = typeOf(w).getShape().drop_front(2);
  auto kernel = intsAttr(n, "kernel_shape", kernelDefault);
  if (!llvm::equal(kernel, kernelDefault))
    return fail("kernel_shape does not match the filter's spatial shape");
  return SmallVector<int64_t>(kernel);
}

FailureOr<Importer::Values> Importer::importConv(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(Value w, input(n, 1));
  ASSIGN_OR_FAIL(Value b, optInput(n, 2));
  return single(convFromNode(n, x, w, b));
}

FailureOr<Value> Importer::convFromNode(const onnx::NodeProto &n, Value x,
                                        Value w, Value b) {
  ASSIGN_OR_FAIL(SmallVector<int64_t> kernel, convKernel(n, x, w));
  size_t k = kernel.size();
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  if (strides.size() != k || dilations.size() != k)
    return fail("strides and dilations need " + Twine(k) + " entries");
  SmallVector<int64_t> pads;
  auto spatial = typeOf(x).getShape().drop_front(2);
  if (failed(resolvePads(n, spatial, kernel, strides, dilations, pads)))
    return failure();
  ASSIGN_OR_FAIL(int64_t group, intAttr(n, "group", 1));
  return conv(x, w, b, strides, dilations, pads, group);
}

/// ConvTranspose as a direct convolution (the gradient-of-convolution
/// identity): the input with stride - 1 zeros inserted between its elements
/// and padded by (dilated kernel - 1 - pad) on each side (output_padding at
/// the end; a negative amount crops), convolved at stride 1 with the filter
/// flipped in space and its (in, out) channels swapped per group. Costs
/// stride^rank more multiply-adds than a scatter formulation; correct for
/// every attribute combination, and the constant filter is rearranged at
/// compile time.
FailureOr<Importer::Values>
Importer::importConvTranspose(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(Value w, input(n, 1));
  ASSIGN_OR_FAIL(Value b, optInput(n, 2));
  ASSIGN_OR_FAIL(SmallVector<int64_t> kernel, convKernel(n, x, w));
  size_t k = kernel.size();
  auto xs = typeOf(x).getShape();
  auto ws = typeOf(w).getShape();
  ASSIGN_OR_FAIL(int64_t group, intAttr(n, "group", 1));
  if (group <= 0 || xs[1] % group != 0 || ws[0] != xs[1])
    return fail("the filter must have one row per input channel (" +
                Twine(xs[1]) + ", got " + Twine(ws[0]) +
                ") and the channels must divide into " + Twine(group) +
                " groups");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  auto outPad = intsAttr(n, "output_padding", SmallVector<int64_t>(k, 0));
  if (strides.size() != k || dilations.size() != k || outPad.size() != k)
    return fail("strides, dilations and output_padding need " + Twine(k) +
                " entries");
  if (failed(checkWindowValues(kernel, strides, dilations)))
    return failure();
  for (size_t i = 0; i < k; ++i)
    if (outPad[i] < 0 || outPad[i] >= kMaxElements)
      return fail("output_padding must be between 0 and 2^31 - 1");
  // Pads: given, or derived from output_shape / auto_pad (ONNX's rule: the
  // odd unit of padding goes to the end for SAME_UPPER, else the start).
  std::string autoPad = strAttr(n, "auto_pad", "NOTSET");
  auto outputShape = intsAttr(n, "output_shape");
  SmallVector<int64_t> pads(2 * k, 0);
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return fail("unknown auto_pad '" + autoPad + "'");
  if (!outputShape.empty() || autoPad == "SAME_UPPER" ||
      autoPad == "SAME_LOWER") {
    if (!outputShape.empty() && outputShape.size() != k) {
      if (outputShape.size() != k + 2)
        return fail("output_shape must have " + Twine(k) + " entries");
      outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
    }
    for (size_t i = 0; i < k; ++i) {
      int64_t want =
          outputShape.empty() ? xs[2 + i] * strides[i] : outputShape[i];
      if (want <= 0 || want >= kMaxElements)
        return fail("output_shape entries must be between 1 and 2^31 - 1");
      int64_t total = strides[i] * (xs[2 + i] - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - want;
      // A negative total (a larger output_shape) pads with zeros; halves
      // round down, as in ONNX's reference, so the extra unit lands at the
      // end.
      int64_t half = llvm::divideFloorSigned(total, 2);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[k + i] = upper ? total - half : half;
    }
  } else if (autoPad == "NOTSET") {
    auto p = intsAttr(n, "pads", SmallVector<int64_t>(2 * k, 0));
    if (p.size() != 2 * k)
      return fail("'pads' has " + Twine(p.size()) + " entries, expected " +
                  Twine(2 * k));
    for (int64_t v : p)
      if (v < 0 || v >= kMaxElements)
        return fail("pads must be between 0 and 2^31 - 1, got " + Twine(v));
    pads.assign(p.begin(), p.end());
  }
  // Zeros between the input elements: (N, C, D, 1, H, 1, ...) padded to
  // (N, C, D, s, H, s, ...), then merged back to (N, C, D*s, H*s, ...).
  SmallVector<int64_t> split{xs[0], xs[1]}, merged{xs[0], xs[1]};
  SmallVector<int64_t> splitPads(2 * (2 + 2 * k), 0);
  size_t splitRank = 2 + 2 * k;
  for (size_t i = 0; i < k; ++i) {
    split.append({xs[2 + i], 1});
    merged.push_back(xs[2 + i] * strides[i]);
    splitPads[splitRank + 3 + 2 * i] = strides[i] - 1;
  }
  if (llvm::any_of(strides, [](int64_t st) { return st > 1; })) {
    ASSIGN_OR_FAIL(x, reshape(x, split));
    ASSIGN_OR_FAIL(
        x, make<edge::PadOp>(
               x, {named("pads", builder.getDenseI64ArrayAttr(splitPads)),
                   named("mode", builder.getStringAttr("constant")),
                   named("value", builder.getF64FloatAttr(0.0))}));
    ASSIGN_OR_FAIL(x, reshape(x, merged));
  }
  // The convolution's own padding, less the stride - 1 zeros that trail the
  // last element; negative amounts crop.
  SmallVector<int64_t> convPads(2 * (2 + k), 0);
  bool anyPad = false;
  for (size_t i = 0; i < k; ++i) {
    int64_t span = (kernel[i] - 1) * dilations[i];
    convPads[2 + i] = span - pads[i];
    convPads[2 + k + 2 + i] = span - pads[k + i] + outPad[i] - (strides[i] - 1);
    anyPad |= convPads[2 + i] != 0 || convPads[2 + k + 2 + i] != 0;
  }
  if (anyPad) {
    ASSIGN_OR_FAIL(
        x, make<edge::PadOp>(
               x, {named("pads", builder.getDenseI64ArrayAttr(convPads)),
                   named("mode", builder.getStringAttr("constant")),
                   named("value", builder.getF64FloatAttr(0.0))}));
  }
  // The filter (C, M/g, k...) becomes (M, C/g, k...) flipped in space.
  int64_t cg = xs[1] / group, mg = ws[1];
  SmallVector<int64_t> grouped{group, cg, mg}, perm{0, 2, 1};
  grouped.append(kernel.begin(), kernel.end());
  for (size_t i = 0; i < k; ++i)
    perm.push_back(3 + i);
  ASSIGN_OR_FAIL(w, reshape(w, grouped));
  ASSIGN_OR_FAIL(w,
                 make<edge::TransposeOp>(
                     w, {named("perm", builder.getDenseI64ArrayAttr(perm))}));
  SmallVector<int64_t> swapped{group * mg, cg};
  swapped.append(kernel.begin(), kernel.end());
  ASSIGN_OR_FAIL(w, reshape(w, swapped));
  for (size_t i = 0; i < k; ++i) {
    if (kernel[i] == 1)
      continue;
    SmallVector<int64_t> reversed;
    for (int64_t j = kernel[i] - 1; j >= 0; --j)
      reversed.push_back(j);
    Value idx = arith::ConstantOp::create(
        builder, nodeLoc,
        DenseElementsAttr::get(
            RankedTensorType::get({kernel[i]}, builder.getI64Type()),
            ArrayRef<int64_t>(reversed)));
    ASSIGN_OR_FAIL(
        w, make<edge::GatherOp>(
               ValueRange{w, idx},
               {named("axis", builder.getI64IntegerAttr(2 + int64_t(i)))}));
  }
  SmallVector<int64_t> ones(k, 1), zeros(2 * k, 0);
  return single(conv(x, w, b, ones, dilations, zeros, group));
}

FailureOr<Importer::Values> Importer::importPool(const onnx::NodeProto &n,
                                                 bool isMax, Value x) {
  if (!x) {
    ASSIGN_OR_FAIL(x, input(n, 0));
  }
  if (!isMax && failed(noExtraOutputs(n, 1, "(AveragePool has one output)")))
    return failure();
  bool withIndices = isMax && n.output_size() > 1 && !n.output(1).empty();
  int64_t rank = typeOf(x).getRank();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D pooling (rank-3, 4 or 5 input) is "
                "supported, the input has rank " +
                Twine(rank));
  // 1-D pooling runs as 2-D pooling over an inserted height of 1.
  bool oneD = rank == 3;
  size_t k = rank - 2;
  auto kernel = intsAttr(n, "kernel_shape");
  if (kernel.size() != k)
    return fail("kernel_shape must have " + Twine(k) + " entries");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  if (strides.size() != k || dilations.size() != k)
    return fail("strides and dilations need " + Twine(k) + " entries");
  // storage_order only orders the Indices output.
  ASSIGN_OR_FAIL(int64_t storageOrder, intAttr(n, "storage_order", 0));
  if (storageOrder != 0 && storageOrder != 1)
    return fail("storage_order must be 0 or 1, got " + Twine(storageOrder));
  SmallVector<int64_t> pads;
  if (failed(resolvePads(n, typeOf(x).getShape().drop_front(2), kernel, strides,
                         dilations, pads)))
    return failure();
  auto shape = typeOf(x).getShape();
  if (oneD) {
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
    ASSIGN_OR_FAIL(x, reshape(x, {shape[0], shape[1], 1, shape[2]}));
  }
  ASSIGN_OR_FAIL(bool ceil, intAttr(n, "ceil_mode", 0));
  SmallVector<NamedAttribute> attrs{
      named("kernel_shape", builder.getDenseI64ArrayAttr(kernel)),
      named("strides", builder.getDenseI64ArrayAttr(strides)),
      named("pads", builder.getDenseI64ArrayAttr(pads)),
      named("dilations", builder.getDenseI64ArrayAttr(dilations)),
      named("ceil_mode", builder.getBoolAttr(ceil))};
  // Results back to the caller's rank (1-D pooling ran over a unit height).
  auto restore = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (failed(v) || !oneD)
      return v;
    auto vs = typeOf(*v).getShape();
    return reshape(*v, {vs[0], vs[1], vs[3]});
  };
  if (!isMax) {
    ASSIGN_OR_FAIL(bool countIncludePad, intAttr(n, "count_include_pad", 0));
    attrs.push_back(
        named("count_include_pad", builder.getBoolAttr(countIncludePad)));
    return single(restore(make<edge::AveragePoolOp>(x, attrs)));
  }
  ASSIGN_OR_FAIL(Value y, restore(make<edge::MaxPoolOp>(x, attrs)));
  if (!withIndices)
    return Values{y};
  attrs.push_back(
      named("storage_order", builder.getI64IntegerAttr(storageOrder)));
  ASSIGN_OR_FAIL(Value indices,
                 restore(make<edge::MaxPoolIndicesOp>(x, attrs)));
  return Values{y, indices};
}

void Importer::registerConvPool() {
  handlers["Conv"] = [this](const onnx::NodeProto &n) { return importConv(n); };
  handlers["ConvTranspose"] = [this](const onnx::NodeProto &n) {
    return importConvTranspose(n);
  };
  handlers["MaxPool"] = [this](const onnx::NodeProto &n) {
    return importPool(n, true);
  };
  handlers["AveragePool"] = [this](const onnx::NodeProto &n) {
    return importPool(n, false);
  };
  // MaxUnpool: zeros of the unpooled shape (output_shape, or the pooling
  // arithmetic inverted), each input value scattered to its flat index.
  handlers["MaxUnpool"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    Value x = ops[0];
    auto xT = typeOf(x);
    int64_t rank = xT.getRank(), spatial = rank - 2;
    if (spatial < 1 || typeOf(ops[1]).getShape() != xT.getShape())
      return fail("MaxUnpool takes N x C x D... values and indices of one shape");
    // Indices address the shape the pooling arithmetic gives; a larger
    // output_shape pads it at the end of each spatial dim.
    SmallVector<int64_t> kernel = intsAttr(n, "kernel_shape");
    SmallVector<int64_t> strides = intsAttr(n, "strides");
    SmallVector<int64_t> pads = intsAttr(n, "pads");
    if (int64_t(kernel.size()) != spatial)
      return fail("MaxUnpool needs one kernel_shape entry per spatial dim");
    strides.resize(spatial, 1);
    pads.resize(2 * spatial, 0);
    SmallVector<int64_t> shape{xT.getDimSize(0), xT.getDimSize(1)};
    for (int64_t d = 0; d < spatial; ++d)
      shape.push_back((xT.getDimSize(2 + d) - 1) * strides[d] + kernel[d] -
                      pads[d] - pads[spatial + d]);
    SmallVector<int64_t> given(shape);
    if (hasInput(n, 2)) {
      ASSIGN_OR_FAIL(given, shapeInts(n, 2, "output_shape",
                                      [&] { return declaredShape(n); }));
      if (int64_t(given.size()) != rank || given[0] != shape[0] ||
          given[1] != shape[1])
        return fail("MaxUnpool's output_shape must keep N and C");
      for (int64_t d = 2; d < rank; ++d)
        if (given[d] < shape[d])
          return fail("MaxUnpool's output_shape " + shapeText(given) +
                      " is smaller than the unpooled " + shapeText(shape));
    }
    if (!boundedCount(shape) ||
        llvm::any_of(shape, [](int64_t d) { return d < 1; }))
      return fail("MaxUnpool's output shape " + shapeText(shape) +
                  " is not valid");
    int64_t total = 1, count = xT.getNumElements();
    for (int64_t d : shape)
      total *= d;
    Type et = xT.getElementType();
    Value zeros = constant(DenseElementsAttr::get(
        RankedTensorType::get({total}, et),
        isa<FloatType>(et) ? Attribute(builder.getFloatAttr(et, 0.0))
                           : Attribute(builder.getIntegerAttr(et, 0))));
    ASSIGN_OR_FAIL(Value idx, castTo(ops[1], builder.getI64Type()));
    ASSIGN_OR_FAIL(idx, reshape(idx, {count, 1}));
    ASSIGN_OR_FAIL(Value vals, reshape(x, {count}));
    ASSIGN_OR_FAIL(Value y, scatter(zeros, idx, vals, "none"));
    ASSIGN_OR_FAIL(y, reshape(y, shape));
    if (given != shape) {
      SmallVector<int64_t> padding(2 * rank, 0);
      for (int64_t d = 0; d < rank; ++d)
        padding[rank + d] = given[d] - shape[d];
      ASSIGN_OR_FAIL(y, make<edge::PadOp>(
                            y, {named("pads", builder.getDenseI64ArrayAttr(padding)),
                                named("mode", builder.getStringAttr("constant")),
                                named("value", builder.getF64FloatAttr(0.0))}));
    }
    return Values{y};
  };
  handlers["GlobalMaxPool"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    if (rank < 3)
      return fail("GlobalMaxPool takes an N x C x D... input");
    return single(make<edge::ReduceMaxOp>(
        x, {named("axes", builder.getDenseI64ArrayAttr(
                              llvm::to_vector(llvm::seq<int64_t>(2, rank)))),
            named("keepdims", builder.getBoolAttr(true))}));
  };
  handlers["GlobalAveragePool"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::GlobalAveragePoolOp>(x));
  };
}

} // namespace edgec::detail
