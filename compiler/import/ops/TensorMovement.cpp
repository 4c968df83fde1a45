//===- TensorMovement.cpp - ONNX importers: tensor movement ---------------===//
//
// The importers of one ONNX op family (registered by registerTensorMovement()):
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Pad, Gather, Shape,
// Constant, ConstantOfShape, Identity and Dropout.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values> Importer::importReshape(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  SmallVector<int64_t> target;
  if (opset < 5) {
    target = intsAttr(n, "shape");
  } else {
    // A run-time target: the declared result shape, which says all
    // (0 and -1 resolved) when it holds as many elements.
    std::optional<SmallVector<int64_t>> declared = declaredShape(n);
    if (!isConstInput(n, 1) && declared &&
        boundedCount(*declared) == typeOf(x).getNumElements())
      return single(reshape(x, *declared));
    ASSIGN_OR_FAIL(target, constInts(n, 1, "the target shape"));
  }
  ASSIGN_OR_FAIL(bool allowZero, intAttr(n, "allowzero", 0));
  auto in = typeOf(x).getShape();
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return fail("target dimension " + Twine(i) +
                    " is 0 (copy) but the "
                    "input has only " +
                    Twine(in.size()) + " dimensions");
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return fail("the target shape has more than one -1");
      inferred = i;
      continue;
    }
    if (d < 0)
      return fail("invalid target dimension " + Twine(d));
    if (d > 0 && known > kMaxElements / d)
      return fail("the target shape has more than 2^31 elements");
    known *= d;
  }
  int64_t count = typeOf(x).getNumElements();
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return fail("cannot infer the -1 dimension: " + Twine(count) +
                  " elements are not divisible by " + Twine(known));
    target[inferred] = count / known;
  }
  return single(reshape(x, target));
}

FailureOr<Importer::Values> Importer::importSqueeze(const onnx::NodeProto &n,
                                                    bool unsqueeze) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  auto in = typeOf(x).getShape();
  SmallVector<int64_t> axes;
  if (opset < 13) {
    axes = intsAttr(n, "axes");
  } else if (hasInput(n, 1)) {
    // Run-time axes: the declared result shape, of the right rank and
    // element count, is the result (the data does not move).
    std::optional<SmallVector<int64_t>> declared = declaredShape(n);
    int64_t rank = in.size();
    if (!isConstInput(n, 1) && declared &&
        (unsqueeze ? int64_t(declared->size()) >= rank
                   : int64_t(declared->size()) <= rank) &&
        boundedCount(*declared) == typeOf(x).getNumElements())
      return single(reshape(x, *declared));
    ASSIGN_OR_FAIL(axes, constInts(n, 1, "axes"));
  }
  SmallVector<int64_t> out;
  if (unsqueeze) {
    int64_t rank = in.size() + axes.size();
    SmallVector<bool> isNew(rank, false);
    for (int64_t a : axes) {
      ASSIGN_OR_FAIL(a, normAxis(a, rank, "axis"));
      if (isNew[a])
        return fail("axis " + Twine(a) + " is repeated");
      isNew[a] = true;
    }
    for (int64_t i = 0, j = 0; i < rank; ++i)
      out.push_back(isNew[i] ? 1 : in[j++]);
  } else {
    SmallVector<bool> drop(in.size(), false);
    if (axes.empty()) {
      for (size_t i = 0; i < in.size(); ++i)
        drop[i] = in[i] == 1;
    }
    for (int64_t a : axes) {
      ASSIGN_OR_FAIL(a, normAxis(a, in.size(), "axis"));
      if (in[a] != 1)
        return fail("cannot squeeze dimension " + Twine(a) + " of size " +
                    Twine(in[a]));
      drop[a] = true;
    }
    for (size_t i = 0; i < in.size(); ++i)
      if (!drop[i])
        out.push_back(in[i]);
  }
  return single(reshape(x, out));
}

FailureOr<Importer::Values> Importer::importConstant(const onnx::NodeProto &n) {
  if (n.attribute_size() != 1)
    return fail("Constant needs exactly one value attribute");
  const auto &a = n.attribute(0);
  const std::string &name = a.name();
  if (name == "value") {
    if (!a.has_t())
      return fail("attribute 'value' holds no tensor");
    ASSIGN_OR_FAIL(DenseElementsAttr t, tensorAttr(a.t(), nodeLoc));
    return Values{constant(t)};
  }
  if (name == "value_float")
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getF32Type()), a.f()))};
  if (name == "value_floats") {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getF32Type()),
        ArrayRef<float>(v)))};
  }
  if (name == "value_int")
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getI64Type()), int64_t(a.i())))};
  if (name == "value_ints") {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getI64Type()),
        ArrayRef<int64_t>(v)))};
  }
  return fail("Constant with attribute '" + name + "' is not supported");
}

FailureOr<Importer::Values> Importer::importPad(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  int64_t rank = typeOf(x).getRank();
  std::string mode = strAttr(n, "mode", "constant");
  SmallVector<int64_t> pads;
  double value = 0;
  if (opset < 11) {
    pads = intsAttr(n, opset < 2 ? "paddings" : "pads");
    ASSIGN_OR_FAIL(value, floatAttr(n, "value", 0.0f));
  } else {
    ASSIGN_OR_FAIL(pads, constInts(n, 1, "the pads"));
    if (hasInput(n, 2)) {
      ASSIGN_OR_FAIL(DenseElementsAttr v,
                     constInput(n, 2, "the constant value"));
      if (v.getNumElements() != 1)
        return fail("the constant value must be a scalar");
      if (isa<FloatType>(v.getElementType()))
        value = (*v.getValues<APFloat>().begin()).convertToDouble();
      else
        value = double((*v.getValues<APInt>().begin()).getSExtValue());
    }
    if (hasInput(n, 3)) { // opset 18: pads only for the listed axes
      ASSIGN_OR_FAIL(SmallVector<int64_t> axes, constInts(n, 3, "the axes"));
      if (pads.size() != 2 * axes.size())
        return fail("pads must have twice as many entries as axes");
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(axes)) {
        ASSIGN_OR_FAIL(int64_t ax, normAxis(a, rank, "axis"));
        full[ax] = pads[i];
        full[ax + rank] = pads[i + axes.size()];
      }
      pads = full;
    }
  }
  if (int64_t(pads.size()) != 2 * rank)
    return fail("pads has " + Twine(pads.size()) + " entries, expected " +
                Twine(2 * rank));
  return single(
      make<edge::PadOp>(x, {named("pads", builder.getDenseI64ArrayAttr(pads)),
                            named("mode", builder.getStringAttr(mode)),
                            named("value", builder.getF64FloatAttr(value))}));
}

void Importer::registerTensorMovement() {
  handlers["Reshape"] = [this](const onnx::NodeProto &n) {
    return importReshape(n);
  };
  handlers["Flatten"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    ASSIGN_OR_FAIL(int64_t given, intAttr(n, "axis", 1));
    int64_t axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis > rank)
      return fail("axis " + Twine(given) + " is out of range for rank " +
                  Twine(rank));
    return single(flatten2D(x, axis));
  };
  handlers["Squeeze"] = [this](const onnx::NodeProto &n) {
    return importSqueeze(n, false);
  };
  handlers["Unsqueeze"] = [this](const onnx::NodeProto &n) {
    return importSqueeze(n, true);
  };
  handlers["Transpose"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    SmallVector<int64_t> dflt;
    for (int64_t i = rank - 1; i >= 0; --i)
      dflt.push_back(i);
    return single(make<edge::TransposeOp>(
        x, {named("perm",
                  builder.getDenseI64ArrayAttr(intsAttr(n, "perm", dflt)))}));
  };
  handlers["Concat"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ins, inputs(n, n.input_size()));
    if (ins.empty())
      return fail("Concat needs at least one input");
    if (!attr(n, "axis"))
      return fail("Concat needs an 'axis' attribute");
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(ins[0]).getRank()));
    return single(make<edge::ConcatOp>(
        ins, {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["Constant"] = [this](const onnx::NodeProto &n) {
    return importConstant(n);
  };
  handlers["Identity"] = [this](const onnx::NodeProto &n) {
    return single(input(n, 0));
  };
  handlers["Dropout"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    // Inference: the identity, and a mask of ones. Training mode drops at
    // random: refused (also when it is only known at run time).
    if (hasInput(n, 2)) {
      ASSIGN_OR_FAIL(DenseElementsAttr mode,
                     constInput(n, 2,
                                "Dropout's training_mode (training mode, "
                                "which drops at random, is not supported)"));
      if (mode.getNumElements() != 1 || !mode.getElementType().isInteger(1))
        return fail("Dropout's training_mode must be a bool scalar");
      if (*mode.getValues<bool>().begin())
        return fail("Dropout in training mode (which drops at random) is not "
                    "supported");
    }
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    Values results{x};
    if (n.output_size() > 1 && !n.output(1).empty())
      results.push_back(constant(DenseElementsAttr::get(
          typeOf(x).clone(builder.getI1Type()), builder.getBoolAttr(true))));
    return results;
  };
  handlers["Pad"] = [this](const onnx::NodeProto &n) { return importPad(n); };
  handlers["Slice"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto shape = typeOf(x).getShape();
    int64_t rank = shape.size();
    SmallVector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      starts = intsAttr(n, "starts");
      ends = intsAttr(n, "ends");
      axes = intsAttr(n, "axes");
    } else {
      ASSIGN_OR_FAIL(starts, constInts(n, 1, "the starts"));
      ASSIGN_OR_FAIL(ends, constInts(n, 2, "the ends"));
      if (hasInput(n, 3)) {
        ASSIGN_OR_FAIL(axes, constInts(n, 3, "the axes"));
      }
      if (hasInput(n, 4)) {
        ASSIGN_OR_FAIL(steps, constInts(n, 4, "the steps"));
      }
    }
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, int64_t(starts.size())));
    if (steps.empty())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      return fail("Slice's starts, ends, axes and steps differ in length");
    SmallVector<int64_t> outStarts(rank, 0), sizes(shape), outSteps(rank, 1);
    SmallVector<bool> seen(rank, false);
    for (size_t i = 0; i < starts.size(); ++i) {
      ASSIGN_OR_FAIL(int64_t axis, normAxis(axes[i], rank, "axis"));
      if (seen[axis])
        return fail("Slice lists axis " + Twine(axis) + " twice");
      seen[axis] = true;
      int64_t dim = shape[axis], step = steps[i];
      if (step == 0)
        return fail("Slice's step is 0 on axis " + Twine(axis));
      // ONNX's clamping (starts and ends may be far outside the dim).
      auto norm = [&](int64_t v) {
        if (v < 0)
          v = v < -dim ? -1 : v + dim;
        return v;
      };
      int64_t start = norm(starts[i]), end = norm(ends[i]);
      int64_t size;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        size = end > start ? (end - start + step - 1) / step : 0;
      } else {
        start = std::clamp<int64_t>(start, -1, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        size = start > end ? (start - end - step - 1) / -step : 0;
      }
      outStarts[axis] = size ? start : 0;
      sizes[axis] = size;
      outSteps[axis] = step;
    }
    return single(make<edge::SliceOp>(
        x, {named("starts", builder.getDenseI64ArrayAttr(outStarts)),
            named("sizes", builder.getDenseI64ArrayAttr(sizes)),
            named("steps", builder.getDenseI64ArrayAttr(outSteps))}));
  };
  handlers["Split"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto shape = typeOf(x).getShape();
    int64_t rank = shape.size();
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, rank));
    int64_t outputs = n.output_size();
    SmallVector<int64_t> split;
    if (opset < 13) {
      split = intsAttr(n, "split");
    } else if (hasInput(n, 1)) {
      // Run-time sizes: those of the declared results along the axis.
      ASSIGN_OR_FAIL(split,
                     shapeInts(n, 1, "the split",
                               [&]() -> std::optional<SmallVector<int64_t>> {
                                 SmallVector<int64_t> sizes;
                                 for (int64_t i = 0; i < outputs; ++i) {
                                   auto d = declaredShape(n, i);
                                   if (!d || int64_t(d->size()) != rank)
                                     return std::nullopt;
                                   sizes.push_back((*d)[axis]);
                                 }
                                 return sizes;
                               }));
    }
    int64_t dim = shape[axis];
    if (split.empty()) {
      ASSIGN_OR_FAIL(int64_t num, intAttr(n, "num_outputs", outputs));
      if (num != outputs || num <= 0)
        return fail("Split's num_outputs (" + Twine(num) +
                    ") differs from its " + Twine(outputs) + " outputs");
      // Equal parts, the last one smaller (opset 18; earlier opsets need
      // a dim that divides).
      int64_t part = (dim + num - 1) / num;
      if (opset < 18 && dim % num)
        return fail("Split of a dimension of " + Twine(dim) + " into " +
                    Twine(num) + " equal parts");
      for (int64_t i = 0, left = dim; i < num; ++i, left -= part)
        split.push_back(std::max<int64_t>(0, std::min(part, left)));
    }
    if (int64_t(split.size()) != outputs)
      return fail("Split has " + Twine(split.size()) + " sizes for " +
                  Twine(outputs) + " outputs");
    int64_t total = 0;
    for (int64_t v : split) {
      if (v < 0)
        return fail("Split has a negative size");
      total += v;
    }
    if (total != dim)
      return fail("Split's sizes add up to " + Twine(total) + ", not " +
                  Twine(dim));
    Values results;
    SmallVector<int64_t> starts(rank, 0), sizes(shape), steps(rank, 1);
    for (int64_t v : split) {
      sizes[axis] = v;
      ASSIGN_OR_FAIL(
          Value part,
          make<edge::SliceOp>(
              x, {named("starts", builder.getDenseI64ArrayAttr(starts)),
                  named("sizes", builder.getDenseI64ArrayAttr(sizes)),
                  named("steps", builder.getDenseI64ArrayAttr(steps))}));
      results.push_back(part);
      starts[axis] += v;
      if (starts[axis] >= dim)
        starts[axis] = 0; // only empty parts follow
    }
    return results;
  };
  handlers["GatherElements"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(operands[0]).getRank()));
    return single(make<edge::GatherElementsOp>(
        operands, {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["Trilu"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    if (typeOf(x).getRank() < 2)
      return fail("Trilu needs a tensor of rank 2 or more");
    int64_t k = 0;
    ASSIGN_OR_FAIL(int64_t upper, intAttr(n, "upper", 1));
    if (hasInput(n, 1) && !isConstInput(n, 1)) {
      // k known at run time: x where (column - row) >= k (upper) or <= k
      // (lower), else 0.
      ASSIGN_OR_FAIL(Value kv, input(n, 1));
      if (typeOf(kv).getNumElements() != 1 ||
          !typeOf(kv).getElementType().isInteger(64))
        return fail("Trilu's k must be an int64 scalar");
      ASSIGN_OR_FAIL(kv, reshape(kv, {}));
      auto shape = typeOf(x).getShape();
      int64_t rows = shape[shape.size() - 2], cols = shape.back();
      SmallVector<int64_t> diagonal;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          diagonal.push_back(j - i);
      ASSIGN_OR_FAIL(Value keep,
                     make<edge::CompareOp>(
                         {i64Constant({rows, cols}, diagonal), kv},
                         {named("predicate",
                                builder.getStringAttr(upper ? "ge" : "le"))}));
      Value zero = scalarOf(typeOf(x).getElementType(), 0);
      return single(make<edge::WhereOp>({keep, x, zero}));
    }
    if (hasInput(n, 1)) {
      ASSIGN_OR_FAIL(SmallVector<int64_t> ks, constInts(n, 1, "k"));
      if (ks.size() != 1)
        return fail("Trilu's k must be a scalar");
      k = ks[0];
    }
    return single(
        make<edge::TriluOp>(x, {named("upper", builder.getBoolAttr(upper != 0)),
                                named("k", builder.getI64IntegerAttr(k))}));
  };
  handlers["Range"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    // Its length depends on the values: known at compile time, or declared
    // by the model with start and delta given at run time (start + i *
    // delta, the limit only deciding the length).
    std::optional<SmallVector<int64_t>> declared = declaredShape(n);
    if (declared && declared->size() == 1 &&
        !(isConstInput(n, 0) && isConstInput(n, 1) && isConstInput(n, 2))) {
      ASSIGN_OR_FAIL(Values v, inputs(n, 3));
      Type et = typeOf(v[0]).getElementType();
      for (Value x : v)
        if (typeOf(x).getNumElements() != 1 || typeOf(x).getElementType() != et)
          return fail("Range's inputs must be scalars of one element type");
      int64_t len = (*declared)[0];
      ASSIGN_OR_FAIL(Value start, reshape(v[0], {}));
      ASSIGN_OR_FAIL(Value delta, reshape(v[2], {}));
      ASSIGN_OR_FAIL(Value i,
                     castTo(i64Constant({len}, llvm::to_vector(
                                                   llvm::seq<int64_t>(0, len))),
                            et));
      ASSIGN_OR_FAIL(Value steps, make<edge::MulOp>({i, delta}));
      return single(make<edge::AddOp>({steps, start}));
    }
    SmallVector<DenseElementsAttr> v(3);
    for (int i = 0; i < 3; ++i) {
      ASSIGN_OR_FAIL(v[i], constInput(n, i,
                                      i == 0   ? "Range's start"
                                      : i == 1 ? "Range's limit"
                                               : "Range's delta"));
      if (v[i].getNumElements() != 1)
        return fail("Range's inputs must be scalars");
    }
    Type et = v[0].getElementType();
    auto get = [&](int i) {
      return isa<FloatType>(et)
                 ? (*v[i].getValues<APFloat>().begin()).convertToDouble()
                 : double((*v[i].getValues<APInt>().begin()).getSExtValue());
    };
    double start = get(0), limit = get(1), delta = get(2);
    if (delta == 0)
      return fail("Range's delta is 0");
    double count = std::max(0.0, std::ceil((limit - start) / delta));
    if (count > double(kMaxElements))
      return fail("Range has too many elements");
    int64_t len = int64_t(count);
    auto type = RankedTensorType::get({len}, et);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < len; ++i) {
      if (isa<FloatType>(et))
        values.push_back(builder.getFloatAttr(
            et, isa<Float32Type>(et)
                    ? double(float(start) + float(i) * float(delta))
                    : start + double(i) * delta));
      else
        values.push_back(
            builder.getIntegerAttr(et, int64_t(start) + i * int64_t(delta)));
    }
    return Values{constant(DenseElementsAttr::get(type, values))};
  };
  handlers["Size"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getI64Type()),
        builder.getI64IntegerAttr(typeOf(x).getNumElements())))};
  };
  handlers["Expand"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    // A run-time target shape: the declared result shape (the broadcast of
    // the input's and the target's).
    ASSIGN_OR_FAIL(
        SmallVector<int64_t> shape,
        shapeInts(n, 1, "the target shape", [&] { return declaredShape(n); }));
    return single(make<edge::ExpandOp>(
        x, {named("shape", builder.getDenseI64ArrayAttr(shape))}));
  };
  handlers["Shape"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    auto clampDim = [&](int64_t d) {
      if (d < 0)
        d += rank;
      return std::clamp<int64_t>(d, 0, rank);
    };
    ASSIGN_OR_FAIL(int64_t start, intAttr(n, "start", 0));
    ASSIGN_OR_FAIL(int64_t end, intAttr(n, "end", rank));
    start = clampDim(start);
    end = clampDim(end);
    return single(make<edge::ShapeOp>(
        x, {named("start", builder.getI64IntegerAttr(start)),
            named("end", builder.getI64IntegerAttr(std::max(start, end)))}));
  };
  handlers["Gather"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value data, input(n, 0));
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(data).getRank()));
    ASSIGN_OR_FAIL(Value indices, input(n, 1));
    return single(
        make<edge::GatherOp>(ValueRange{data, indices},
                             {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["ConstantOfShape"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(
        SmallVector<int64_t> shape,
        shapeInts(n, 0, "the shape", [&] { return declaredShape(n); }));
    DenseElementsAttr value = DenseElementsAttr::get(
        RankedTensorType::get({1}, builder.getF32Type()), 0.0f);
    if (const auto *a = attr(n, "value")) {
      ASSIGN_OR_FAIL(value, tensorAttr(a->t(), nodeLoc));
      // The spec's one-element tensor: an empty one has no value to repeat.
      if (value.getNumElements() != 1)
        return fail("attribute 'value' must be a one-element tensor, but it "
                    "holds " +
                    Twine(value.getNumElements()) + " elements");
    }
    auto type = RankedTensorType::get(shape, value.getElementType());
    return Values{constant(
        DenseElementsAttr::get(type, *value.value_begin<Attribute>()))};
  };
}

} // namespace edgec::detail
