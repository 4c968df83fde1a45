//===- Indexing.cpp - ONNX importers: indexing and rearrangement ----------===//
//
// The importers of one ONNX op family (registered by registerIndexing()),
// each built from edge data-movement ops (reshape, transpose, expand,
// slice, pad, gather, gather_elements) and elementwise ones:
//
//   GatherND          the indexed dims flattened: one Gather at the linear
//                     index (batch_dims folded into it)
//   OneHot            iota == index, then Where(on, off)
//   ReverseSequence   GatherElements along time at len - 1 - t (t < len)
//   Compress          Gather at the positions of a constant condition
//   EyeLike           a constant
//   Tile              expand of the input with a unit dim before each dim
//   DepthToSpace,     reshape, transpose, reshape (DCR and CRD orders)
//   SpaceToDepth
//   CenterCropPad     slice where the input is larger, pad where smaller
//   ScatterND         edge.scatter_nd
//   ScatterElements,  edge.scatter_nd at full coordinates: an iota per dim,
//   Scatter,          the indices along the axis (TensorScatter: the write
//   TensorScatter     index plus the position, modulo the cache for
//                     circular mode)
//   TopK              each element's rank (the elements before it in the
//                     order, ties by index) compared with 0..k-1: O(n²) per
//                     row, built from compare / reduce_sum / where
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Value> Importer::castTo(Value v, Type et) {
  if (typeOf(v).getElementType() == et)
    return v;
  return make<edge::CastOp>(v, {named("to", TypeAttr::get(et))});
}

/// Integer indices as int64 with negative ones counted from `dims` (which
/// broadcasts against them).
FailureOr<Value> Importer::normalizedIndices(Value indices, Value dims) {
  auto i64 = builder.getI64Type();
  ASSIGN_OR_FAIL(Value idx, castTo(indices, i64));
  ASSIGN_OR_FAIL(Value negative,
                 make<edge::CompareOp>(
                     {idx, scalarOf(i64, 0)},
                     {named("predicate", builder.getStringAttr("lt"))}));
  ASSIGN_OR_FAIL(Value wrapped, make<edge::AddOp>({idx, dims}));
  return make<edge::WhereOp>({negative, wrapped, idx});
}

/// A constant int64 tensor of `shape` holding `values`.
Value Importer::i64Constant(ArrayRef<int64_t> shape, ArrayRef<int64_t> values) {
  return constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, builder.getI64Type()), values));
}

/// Full coordinates [shape..., rank] of the elements of a tensor of
/// `shape`: its own position in each dim but `axis`, whose coordinate is
/// `along` (int64, shaped `shape`).
FailureOr<Value> Importer::coordinates(ArrayRef<int64_t> shape, int64_t axis,
                                       Value along) {
  int64_t rank = shape.size();
  SmallVector<int64_t> one(shape);
  one.push_back(1);
  SmallVector<Value> parts;
  for (int64_t d = 0; d < rank; ++d) {
    Value c = along;
    if (d != axis) {
      SmallVector<int64_t> iotaShape(rank, 1);
      iotaShape[d] = shape[d];
      ASSIGN_OR_FAIL(c, make<edge::ExpandOp>(
                            i64Constant(iotaShape, llvm::to_vector(llvm::seq<int64_t>(
                                                       0, shape[d]))),
                            {named("shape", builder.getDenseI64ArrayAttr(shape))}));
    }
    ASSIGN_OR_FAIL(c, reshape(c, one));
    parts.push_back(c);
  }
  return concat(parts, rank);
}

FailureOr<Value> Importer::scatter(Value data, Value coords, Value updates,
                                   StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return fail("reduction '" + reduction +
                "' is not one of none, add, mul, max, min");
  return make<edge::ScatterNDOp>(
      {data, coords, updates},
      {named("reduction", builder.getStringAttr(reduction))});
}

void Importer::registerIndexing() {
  handlers["GatherND"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    Value data = ops[0], indices = ops[1];
    auto dT = typeOf(data), iT = typeOf(indices);
    ASSIGN_OR_FAIL(int64_t batch, intAttr(n, "batch_dims", 0));
    if (!isa<IntegerType>(iT.getElementType()))
      return fail("GatherND's indices must be integers");
    int64_t r = dT.getRank(), q = iT.getRank();
    if (q < 1 || batch < 0 || batch >= std::min(r, q))
      return fail("GatherND's batch_dims " + Twine(batch) +
                  " must be less than both ranks");
    int64_t m = iT.getDimSize(q - 1);
    if (m < 1 || batch + m > r)
      return fail("GatherND's index tuples of " + Twine(m) +
                  " entries do not fit data of rank " + Twine(r));
    for (int64_t d = 0; d < batch; ++d)
      if (iT.getDimSize(d) != dT.getDimSize(d))
        return fail("GatherND's batch dims of data and indices differ");
    auto dShape = dT.getShape(), iShape = iT.getShape();
    SmallVector<int64_t> dims(dShape.begin() + batch,
                              dShape.begin() + batch + m);
    SmallVector<int64_t> strides(m, 1);
    for (int64_t j = m - 2; j >= 0; --j)
      strides[j] = strides[j + 1] * dims[j + 1];
    int64_t block = strides[0] * dims[0], batches = 1;
    for (int64_t d = 0; d < batch; ++d)
      batches *= dShape[d];
    ASSIGN_OR_FAIL(Value idx, normalizedIndices(indices, i64Constant({m}, dims)));
    ASSIGN_OR_FAIL(idx, make<edge::MulOp>({idx, i64Constant({m}, strides)}));
    ASSIGN_OR_FAIL(
        idx, make<edge::ReduceSumOp>(
                 idx, {named("axes", builder.getDenseI64ArrayAttr({q - 1})),
                       named("keepdims", builder.getBoolAttr(false))}));
    if (batch > 0) {
      // The batch's own block: b * block, broadcast over the other dims.
      SmallVector<int64_t> bShape(iShape.begin(), iShape.begin() + batch);
      bShape.append(q - 1 - batch, 1);
      SmallVector<int64_t> offsets;
      for (int64_t b = 0; b < batches; ++b)
        offsets.push_back(b * block);
      ASSIGN_OR_FAIL(idx, make<edge::AddOp>({idx, i64Constant(bShape, offsets)}));
    }
    SmallVector<int64_t> flat{batches * block};
    flat.append(dShape.begin() + batch + m, dShape.end());
    ASSIGN_OR_FAIL(Value table, reshape(data, flat));
    return single(make<edge::GatherOp>(
        {table, idx}, {named("axis", builder.getI64IntegerAttr(0))}));
  };

  handlers["ScatterND"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
    ASSIGN_OR_FAIL(Value idx, castTo(ops[1], builder.getI64Type()));
    return single(scatter(ops[0], idx, ops[2], strAttr(n, "reduction", "none")));
  };
  auto scatterElements = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
    auto dT = typeOf(ops[0]), iT = typeOf(ops[1]);
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, dT.getRank()));
    if (iT.getRank() != dT.getRank() || typeOf(ops[2]).getShape() != iT.getShape())
      return fail(n.op_type() + "'s indices and updates must have one shape "
                                "and the data's rank");
    for (int64_t d = 0; d < dT.getRank(); ++d)
      if (iT.getDimSize(d) > dT.getDimSize(d))
        return fail(n.op_type() + "'s indices are larger than the data");
    ASSIGN_OR_FAIL(Value along, castTo(ops[1], builder.getI64Type()));
    ASSIGN_OR_FAIL(Value coords, coordinates(iT.getShape(), axis, along));
    return single(scatter(ops[0], coords, ops[2], strAttr(n, "reduction", "none")));
  };
  handlers["ScatterElements"] = scatterElements;
  handlers["Scatter"] = scatterElements;
  handlers["TensorScatter"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value write, optInput(n, 2));
    Value cache = ops[0], update = ops[1];
    auto cT = typeOf(cache), uT = typeOf(update);
    int64_t rank = cT.getRank();
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -2, rank));
    std::string mode = strAttr(n, "mode", "linear");
    if (mode != "linear" && mode != "circular")
      return fail("TensorScatter mode '" + mode + "' is not linear or circular");
    if (uT.getRank() != rank || axis == 0)
      return fail("TensorScatter's update must have the cache's rank, and "
                  "the axis must not be the batch");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && uT.getDimSize(d) != cT.getDimSize(d))
        return fail("TensorScatter's update and cache differ outside the axis");
    auto i64 = builder.getI64Type();
    int64_t batch = uT.getDimSize(0), seq = uT.getDimSize(axis);
    SmallVector<int64_t> bShape(rank, 1), sShape(rank, 1);
    bShape[0] = batch;
    sShape[axis] = seq;
    Value start;
    if (write) {
      ASSIGN_OR_FAIL(start, castTo(write, i64));
      ASSIGN_OR_FAIL(start, reshape(start, bShape));
    } else {
      start = i64Constant(bShape, SmallVector<int64_t>(batch, 0));
    }
    Value pos = i64Constant(sShape, llvm::to_vector(llvm::seq<int64_t>(0, seq)));
    ASSIGN_OR_FAIL(Value along, make<edge::AddOp>({start, pos}));
    if (mode == "circular") {
      ASSIGN_OR_FAIL(along, make<edge::ModOp>(
                                {along, scalarOf(i64, double(cT.getDimSize(axis)))}));
    }
    ASSIGN_OR_FAIL(along, make<edge::ExpandOp>(
                              along, {named("shape", builder.getDenseI64ArrayAttr(
                                                         uT.getShape()))}));
    ASSIGN_OR_FAIL(Value coords, coordinates(uT.getShape(), axis, along));
    return single(scatter(cache, coords, update, "none"));
  };
  handlers["TopK"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto xT = typeOf(x);
    int64_t rank = xT.getRank();
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, rank));
    int64_t k;
    if (opset < 10) {
      ASSIGN_OR_FAIL(k, intAttr(n, "k", -1));
    } else {
      // Run-time k: the declared results' size along the axis.
      ASSIGN_OR_FAIL(SmallVector<int64_t> ks,
                     shapeInts(n, 1, "k",
                               [&]() -> std::optional<SmallVector<int64_t>> {
                                 auto d = declaredShape(n);
                                 if (!d || int64_t(d->size()) != rank)
                                   return std::nullopt;
                                 return SmallVector<int64_t>{(*d)[axis]};
                               }));
      if (ks.size() != 1)
        return fail("TopK's k must have one element");
      k = ks[0];
    }
    ASSIGN_OR_FAIL(int64_t largest, intAttr(n, "largest", 1));
    int64_t len = xT.getDimSize(axis);
    if (k < 0 || k > len)
      return fail("TopK's k " + Twine(k) + " is not in [0, " + Twine(len) + "]");
    // edge.top_k works along the last axis: the axis moved there and back.
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        perm.push_back(d);
    perm.push_back(axis);
    ASSIGN_OR_FAIL(Value t, transpose(x, perm));
    ASSIGN_OR_FAIL(Values best,
                   makeResults<edge::TopKOp>(
                       t, {named("k", builder.getI64IntegerAttr(k)),
                           named("largest", builder.getBoolAttr(largest != 0))}));
    SmallVector<int64_t> inverse(rank);
    for (int64_t d = 0; d < rank; ++d)
      inverse[perm[d]] = d;
    Values results;
    for (Value r : best) {
      ASSIGN_OR_FAIL(Value y, transpose(r, inverse));
      results.push_back(y);
    }
    return results;
  };
  handlers["OneHot"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
    int64_t depth;
    std::optional<SmallVector<int64_t>> declared = declaredShape(n);
    int64_t outRank = typeOf(ops[0]).getRank() + 1;
    if (!isConstInput(n, 1) && declared &&
        int64_t(declared->size()) == outRank) {
      // A run-time depth: the declared result's size along the axis.
      ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, outRank));
      depth = (*declared)[axis];
    } else {
      ASSIGN_OR_FAIL(DenseElementsAttr depthAttr,
                     constInput(n, 1, "the depth"));
      if (depthAttr.getNumElements() != 1)
        return fail("OneHot's depth must have one element");
      double depthValue =
          isa<FloatType>(depthAttr.getElementType())
              ? (*depthAttr.getValues<APFloat>().begin()).convertToDouble()
              : double((*depthAttr.getValues<APInt>().begin()).getSExtValue());
      depth = int64_t(depthValue);
    }
    if (depth < 1)
      return fail("OneHot's depth " + Twine(depth) + " must be positive");
    Value indices = ops[0], values = ops[2];
    auto iT = typeOf(indices);
    if (typeOf(values).getNumElements() != 2)
      return fail("OneHot's values must hold [off, on]");
    int64_t rank = iT.getRank() + 1;
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, rank));
    auto i64 = builder.getI64Type();
    ASSIGN_OR_FAIL(Value idx, castTo(indices, i64)); // floats truncate
    ASSIGN_OR_FAIL(idx, normalizedIndices(idx, scalarOf(i64, double(depth))));
    SmallVector<int64_t> withAxis(iT.getShape());
    withAxis.insert(withAxis.begin() + axis, 1);
    ASSIGN_OR_FAIL(idx, reshape(idx, withAxis));
    SmallVector<int64_t> iotaShape(rank, 1);
    iotaShape[axis] = depth;
    Value iota = i64Constant(iotaShape,
                             llvm::to_vector(llvm::seq<int64_t>(0, depth)));
    ASSIGN_OR_FAIL(Value hit,
                   make<edge::CompareOp>(
                       {iota, idx}, {named("predicate", builder.getStringAttr("eq"))}));
    ASSIGN_OR_FAIL(Value flatValues, reshape(values, {2}));
    auto pick = [&](int64_t k) {
      return make<edge::GatherOp>({flatValues, i64Constant({}, {k})},
                                  {named("axis", builder.getI64IntegerAttr(0))});
    };
    ASSIGN_OR_FAIL(Value off, pick(0));
    ASSIGN_OR_FAIL(Value on, pick(1));
    return single(make<edge::WhereOp>({hit, on, off}));
  };

  handlers["ReverseSequence"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    Value x = ops[0], lens = ops[1];
    auto xT = typeOf(x);
    int64_t rank = xT.getRank();
    if (rank < 2)
      return fail("ReverseSequence takes a tensor of rank 2 or more");
    ASSIGN_OR_FAIL(int64_t batchAxis, intAttr(n, "batch_axis", 1));
    ASSIGN_OR_FAIL(int64_t timeAxis, intAttr(n, "time_axis", 0));
    if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
      return fail("ReverseSequence's batch_axis and time_axis must be 0 and 1");
    int64_t batch = xT.getDimSize(batchAxis), time = xT.getDimSize(timeAxis);
    if (typeOf(lens).getRank() != 1 || typeOf(lens).getDimSize(0) != batch)
      return fail("ReverseSequence's sequence_lens must have one entry per batch");
    auto i64 = builder.getI64Type();
    SmallVector<int64_t> lShape(rank, 1), tShape(rank, 1);
    lShape[batchAxis] = batch;
    tShape[timeAxis] = time;
    ASSIGN_OR_FAIL(Value len, castTo(lens, i64));
    ASSIGN_OR_FAIL(len, reshape(len, lShape));
    Value t = i64Constant(tShape, llvm::to_vector(llvm::seq<int64_t>(0, time)));
    // t < len ? len - 1 - t : t
    ASSIGN_OR_FAIL(Value inside,
                   make<edge::CompareOp>(
                       {t, len}, {named("predicate", builder.getStringAttr("lt"))}));
    ASSIGN_OR_FAIL(Value last, make<edge::SubOp>({len, scalarOf(i64, 1)}));
    ASSIGN_OR_FAIL(Value mirrored, make<edge::SubOp>({last, t}));
    ASSIGN_OR_FAIL(Value idx, make<edge::WhereOp>({inside, mirrored, t}));
    ASSIGN_OR_FAIL(idx, make<edge::ExpandOp>(
                            idx, {named("shape", builder.getDenseI64ArrayAttr(
                                                     xT.getShape()))}));
    return single(make<edge::GatherElementsOp>(
        {x, idx}, {named("axis", builder.getI64IntegerAttr(timeAxis))}));
  };

  handlers["Compress"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(DenseElementsAttr cond,
                   constInput(n, 1, "the condition (it decides the shape)"));
    const onnx::AttributeProto *axisA = attr(n, "axis");
    Value data = x;
    int64_t axis = 0;
    if (axisA) {
      ASSIGN_OR_FAIL(axis, axisAttr(n, 0, typeOf(x).getRank()));
    } else {
      ASSIGN_OR_FAIL(data, reshape(x, {typeOf(x).getNumElements()}));
    }
    int64_t dim = typeOf(data).getDimSize(axis);
    SmallVector<int64_t> picked;
    int64_t k = 0;
    for (APInt c : cond.getValues<APInt>()) {
      if (k >= dim)
        break;
      if (!c.isZero())
        picked.push_back(k);
      ++k;
    }
    return single(make<edge::GatherOp>(
        {data, i64Constant({int64_t(picked.size())}, picked)},
        {named("axis", builder.getI64IntegerAttr(axis))}));
  };

  handlers["EyeLike"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto xT = typeOf(x);
    if (xT.getRank() != 2)
      return fail("EyeLike takes a 2-D input");
    Type et = xT.getElementType();
    if (attr(n, "dtype")) {
      ASSIGN_OR_FAIL(int64_t code, intAttr(n, "dtype", 0));
      ASSIGN_OR_FAIL(et, elementType(code, nodeLoc, "EyeLike 'dtype'"));
    }
    ASSIGN_OR_FAIL(int64_t k, intAttr(n, "k", 0));
    int64_t rows = xT.getDimSize(0), cols = xT.getDimSize(1);
    SmallVector<int64_t> ones;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        ones.push_back(j - i == k);
    ASSIGN_OR_FAIL(Value y, castTo(i64Constant({rows, cols}, ones), et));
    return Values{y};
  };

  handlers["Tile"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto shape = typeOf(x).getShape();
    // Run-time repeats: the declared result's dims over the input's.
    ASSIGN_OR_FAIL(
        SmallVector<int64_t> repeats,
        shapeInts(n, 1, "the repeats",
                  [&]() -> std::optional<SmallVector<int64_t>> {
                    auto d = declaredShape(n);
                    if (!d || d->size() != shape.size())
                      return std::nullopt;
                    SmallVector<int64_t> r;
                    for (auto [in, out] : llvm::zip(shape, *d)) {
                      if (in == 0 ? out != 0 : out % in != 0)
                        return std::nullopt;
                      r.push_back(in == 0 ? 1 : out / in);
                    }
                    return r;
                  }));
    if (repeats.size() != shape.size())
      return fail("Tile's repeats must have one entry per input dim");
    SmallVector<int64_t> split, expanded, result;
    for (auto [d, r] : llvm::zip(shape, repeats)) {
      if (r < 0)
        return fail("Tile's repeats must not be negative");
      if (d > 0 && r > kMaxElements / d)
        return fail("Tile's result has more than 2^31 elements");
      split.append({1, d});
      expanded.append({r, d});
      result.push_back(r * d);
    }
    if (!boundedCount(result))
      return fail("Tile's result " + shapeText(result) + " is too large");
    ASSIGN_OR_FAIL(Value v, reshape(x, split));
    ASSIGN_OR_FAIL(v, make<edge::ExpandOp>(
                          v, {named("shape", builder.getDenseI64ArrayAttr(expanded))}));
    return single(reshape(v, result));
  };

  auto blocks = [this](bool toSpace) {
    return [this, toSpace](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      ASSIGN_OR_FAIL(int64_t b, intAttr(n, "blocksize", 0));
      auto s = typeOf(x).getShape();
      if (s.size() != 4)
        return fail(n.op_type() + " takes a 4-D NCHW input");
      if (b < 1)
        return fail("blocksize must be positive");
      int64_t N = s[0], C = s[1], H = s[2], W = s[3];
      if (toSpace) {
        std::string mode = strAttr(n, "mode", "DCR");
        if (mode != "DCR" && mode != "CRD")
          return fail("DepthToSpace mode '" + mode + "' is not DCR or CRD");
        if (C % (b * b) != 0)
          return fail("DepthToSpace's channels are not a multiple of blocksize²");
        int64_t c = C / (b * b);
        bool dcr = mode == "DCR";
        ASSIGN_OR_FAIL(Value v, reshape(x, dcr ? SmallVector<int64_t>{N, b, b, c, H, W}
                                               : SmallVector<int64_t>{N, c, b, b, H, W}));
        ASSIGN_OR_FAIL(v, transpose(v, dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2}
                                           : SmallVector<int64_t>{0, 1, 4, 2, 5, 3}));
        return single(reshape(v, {N, c, H * b, W * b}));
      }
      if (H % b != 0 || W % b != 0)
        return fail("SpaceToDepth's height and width are not multiples of the "
                    "blocksize");
      ASSIGN_OR_FAIL(Value v, reshape(x, {N, C, H / b, b, W / b, b}));
      ASSIGN_OR_FAIL(v, transpose(v, {0, 3, 5, 1, 2, 4}));
      return single(reshape(v, {N, C * b * b, H / b, W / b}));
    };
  };
  handlers["DepthToSpace"] = blocks(true);
  handlers["SpaceToDepth"] = blocks(false);

  handlers["CenterCropPad"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto shape = typeOf(x).getShape();
    int64_t rank = shape.size();
    SmallVector<int64_t> axes = intsAttr(n, "axes");
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    // A run-time shape: the declared result's dims along the axes.
    ASSIGN_OR_FAIL(SmallVector<int64_t> target,
                   shapeInts(n, 1, "the shape",
                             [&]() -> std::optional<SmallVector<int64_t>> {
                               auto d = declaredShape(n);
                               if (!d || int64_t(d->size()) != rank)
                                 return std::nullopt;
                               SmallVector<int64_t> t;
                               for (int64_t a : axes) {
                                 if (a < -rank || a >= rank)
                                   return std::nullopt;
                                 t.push_back((*d)[a < 0 ? a + rank : a]);
                               }
                               return t;
                             }));
    if (axes.size() != target.size())
      return fail("CenterCropPad's shape must have one entry per axis");
    SmallVector<int64_t> starts(rank, 0), sizes(shape), steps(rank, 1),
        pads(2 * rank, 0);
    for (auto [a, s] : llvm::zip(axes, target)) {
      ASSIGN_OR_FAIL(int64_t axis, normAxis(a, rank, "axis"));
      if (s < 0)
        return fail("CenterCropPad's shape must not be negative");
      int64_t d = shape[axis];
      if (s < d) {
        starts[axis] = (d - s) / 2;
        sizes[axis] = s;
      } else if (s > d) {
        pads[axis] = (s - d) / 2;
        pads[rank + axis] = s - d - (s - d) / 2;
      }
    }
    ASSIGN_OR_FAIL(Value v, make<edge::SliceOp>(
                                x, {named("starts", builder.getDenseI64ArrayAttr(starts)),
                                    named("sizes", builder.getDenseI64ArrayAttr(sizes)),
                                    named("steps", builder.getDenseI64ArrayAttr(steps))}));
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      ASSIGN_OR_FAIL(v, make<edge::PadOp>(
                            v, {named("pads", builder.getDenseI64ArrayAttr(pads)),
                                named("mode", builder.getStringAttr("constant")),
                                named("value", builder.getF64FloatAttr(0.0))}));
    }
    return Values{v};
  };
}

} // namespace edgec::detail
