//===- Reduction.cpp - ONNX importers: reductions -------------------------===//
//
// The importers of one ONNX op family (registered by registerReduction()):
// ReduceMin, ReduceMax, ReduceSum, ReduceProd, and ReduceMean, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp as a sum between
// elementwise ops; their axes as an attribute or, from opset 18 (ReduceSum:
// 13), a constant input; keepdims and noop_with_empty_axes. ArgMax,
// ArgMin, CumSum, CumProd and LpNormalization.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

std::optional<std::optional<SmallVector<int64_t>>>
Importer::axesFromDeclared(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                           bool keepdims, bool noop) {
  std::optional<SmallVector<int64_t>> out = declaredShape(n);
  int64_t rank = in.size();
  if (!out || int64_t(out->size()) > rank || rank > 16)
    return std::nullopt;
  using Axes = std::optional<SmallVector<int64_t>>;
  if (keepdims) {
    // Every dim of size 1 in the result is reduced: reducing a dim of size
    // 1 changes nothing, unless no dim shrinks and empty axes may mean
    // "reduce nothing" (noop_with_empty_axes), which skips the elementwise
    // steps (ReduceSumSquare's square) too.
    if (int64_t(out->size()) != rank)
      return std::nullopt;
    SmallVector<int64_t> axes;
    bool shrinks = false;
    for (int64_t d = 0; d < rank; ++d) {
      if ((*out)[d] != in[d] && (*out)[d] != 1)
        return std::nullopt;
      if ((*out)[d] == 1)
        axes.push_back(d);
      shrinks |= (*out)[d] != in[d];
    }
    if (!shrinks && noop) // empty axes, or dims of size 1?
      return axes.empty() ? std::optional<Axes>(Axes()) : std::nullopt;
    if (axes.empty())
      return std::nullopt;
    return Axes(axes);
  }
  // Without keepdims: the one set of dims whose removal leaves the declared
  // shape (none removed: empty axes with noop_with_empty_axes).
  int64_t dropped = rank - int64_t(out->size());
  if (dropped == 0)
    return noop ? std::optional<Axes>(Axes()) : std::nullopt;
  std::optional<SmallVector<int64_t>> found;
  for (uint32_t mask = 0; mask < (1u << rank); ++mask) {
    if (llvm::popcount(mask) != dropped)
      continue;
    SmallVector<int64_t> kept, axes;
    for (int64_t d = 0; d < rank; ++d)
      (mask >> d & 1 ? axes : kept).push_back(d);
    if (!llvm::equal(llvm::map_range(kept, [&](int64_t d) { return in[d]; }),
                     *out))
      continue;
    if (found)
      return std::nullopt; // ambiguous: [3, 2, 2] -> [3, 2]
    found = axes;
  }
  if (!found)
    return std::nullopt;
  return Axes(*found);
}

void Importer::registerReduction() {
  // The reduced axes of node `n` over `x` (sorted, normalized), or nullopt
  // when the node reduces nothing (noop_with_empty_axes); `axesInput`:
  // the opset from which the axes are input 1 instead of an attribute.
  auto reducedAxes = [this](const onnx::NodeProto &n, Value x,
                            int64_t axesInput)
      -> FailureOr<std::optional<SmallVector<int64_t>>> {
    int64_t rank = typeOf(x).getRank();
    SmallVector<int64_t> axes;
    ASSIGN_OR_FAIL(int64_t noop, intAttr(n, "noop_with_empty_axes", 0));
    if (opset < axesInput) {
      axes = intsAttr(n, "axes");
    } else if (hasInput(n, 1) && !isConstInput(n, 1)) {
      // Axes known at run time: read from the declared result shape when it
      // decides them.
      ASSIGN_OR_FAIL(int64_t keepdims, intAttr(n, "keepdims", 1));
      if (auto derived = axesFromDeclared(n, typeOf(x).getShape(),
                                          keepdims != 0, noop != 0))
        return *derived;
      ASSIGN_OR_FAIL(axes, constInts(n, 1, "the axes"));
    } else if (hasInput(n, 1)) {
      ASSIGN_OR_FAIL(axes, constInts(n, 1, "the axes"));
    }
    if (axes.empty() && noop != 0)
      return std::optional<SmallVector<int64_t>>();
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    for (int64_t &axis : axes) {
      ASSIGN_OR_FAIL(axis, normAxis(axis, rank, "axis"));
    }
    llvm::sort(axes);
    return std::optional<SmallVector<int64_t>>(axes);
  };
  // ONNX Reduce<Kind>: `pre` applied to each element, the edge reduction
  // OpTy, then `post` applied to the result (each may be empty).
  using Step = std::function<FailureOr<Value>(Value, int64_t count)>;
  auto reduce = [this, reducedAxes](auto tag, int64_t axesInput,
                                    Step pre = nullptr, Step post = nullptr) {
    using OpTy = decltype(tag);
    return [this, reducedAxes, axesInput, pre,
            post](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      ASSIGN_OR_FAIL(auto axes, reducedAxes(n, x, axesInput));
      ASSIGN_OR_FAIL(int64_t keepdims, intAttr(n, "keepdims", 1));
      int64_t count = 1;
      if (axes)
        for (int64_t a : *axes)
          count *= typeOf(x).getDimSize(a);
      if (pre) {
        ASSIGN_OR_FAIL(x, pre(x, count));
      }
      Value y = x;
      if (axes) {
        ASSIGN_OR_FAIL(y, make<OpTy>(
                              x, {named("axes", builder.getDenseI64ArrayAttr(*axes)),
                                  named("keepdims",
                                        builder.getBoolAttr(keepdims != 0))}));
      }
      if (post) {
        ASSIGN_OR_FAIL(y, post(y, count));
      }
      return Values{y};
    };
  };
  auto fn = [this](const char *name) -> Step {
    std::string f = name;
    return [this, f](Value v, int64_t) -> FailureOr<Value> {
      return make<edge::UnaryFnOp>(v, {named("fn", builder.getStringAttr(f))});
    };
  };
  Step square = [this](Value v, int64_t) { return make<edge::MulOp>({v, v}); };
  Step exp = [this](Value v, int64_t) { return make<edge::ExpOp>(v); };
  Step sqrt = [this](Value v, int64_t) -> FailureOr<Value> {
    if (!isa<FloatType>(typeOf(v).getElementType()))
      return fail("ReduceL2 on integer tensors is not supported");
    return make<edge::SqrtOp>(v);
  };
  Step mean = [this](Value v, int64_t count) -> FailureOr<Value> {
    Type et = typeOf(v).getElementType();
    auto scalar = RankedTensorType::get({}, et);
    Value c = constant(
        isa<FloatType>(et)
            ? DenseElementsAttr::get(scalar, builder.getFloatAttr(et, count))
            : DenseElementsAttr::get(scalar, builder.getIntegerAttr(et, count)));
    return make<edge::DivOp>({v, c});
  };
  auto argReduce = [this](const char *kind) {
    std::string k = kind;
    return [this, k](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(x).getRank()));
      ASSIGN_OR_FAIL(int64_t keepdims, intAttr(n, "keepdims", 1));
      ASSIGN_OR_FAIL(int64_t last, intAttr(n, "select_last_index", 0));
      return single(make<edge::ArgReduceOp>(
          x, {named("kind", builder.getStringAttr(k)),
              named("axis", builder.getI64IntegerAttr(axis)),
              named("keepdims", builder.getBoolAttr(keepdims != 0)),
              named("select_last_index", builder.getBoolAttr(last != 0))}));
    };
  };
  auto cumulative = [this](const char *kind) {
    std::string k = kind;
    return [this, k](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      int64_t rank = typeOf(x).getRank();
      ASSIGN_OR_FAIL(int64_t exclusive, intAttr(n, "exclusive", 0));
      ASSIGN_OR_FAIL(int64_t reverse, intAttr(n, "reverse", 0));
      auto along = [&](int64_t axis) {
        return make<edge::CumulativeOp>(
            x, {named("kind", builder.getStringAttr(k)),
                named("axis", builder.getI64IntegerAttr(axis)),
                named("exclusive", builder.getBoolAttr(exclusive != 0)),
                named("reverse", builder.getBoolAttr(reverse != 0))});
      };
      if (hasInput(n, 1) && !isConstInput(n, 1) && rank >= 1 && rank <= 4) {
        // An axis known at run time: a rank-1 tensor has one; otherwise
        // the scan along each axis, the one asked for selected at run time.
        ASSIGN_OR_FAIL(Value a, input(n, 1));
        if (typeOf(a).getNumElements() != 1 ||
            !isa<IntegerType>(typeOf(a).getElementType()))
          return fail("the axis must be an integer scalar");
        if (rank == 1)
          return single(along(0));
        ASSIGN_OR_FAIL(a, reshape(a, {}));
        Type it = typeOf(a).getElementType();
        ASSIGN_OR_FAIL(Value negative,
                       make<edge::CompareOp>(
                           {a, scalarOf(it, 0)},
                           {named("predicate", builder.getStringAttr("lt"))}));
        ASSIGN_OR_FAIL(Value wrapped, make<edge::AddOp>({a, scalarOf(it, rank)}));
        ASSIGN_OR_FAIL(a, make<edge::WhereOp>({negative, wrapped, a}));
        ASSIGN_OR_FAIL(Value y, along(rank - 1));
        for (int64_t d = rank - 2; d >= 0; --d) {
          ASSIGN_OR_FAIL(Value scan, along(d));
          ASSIGN_OR_FAIL(Value is,
                         make<edge::CompareOp>(
                             {a, scalarOf(it, d)},
                             {named("predicate", builder.getStringAttr("eq"))}));
          ASSIGN_OR_FAIL(y, make<edge::WhereOp>({is, scan, y}));
        }
        return Values{y};
      }
      ASSIGN_OR_FAIL(SmallVector<int64_t> axes, constInts(n, 1, "the axis"));
      if (axes.size() != 1)
        return fail("the axis must be a scalar");
      ASSIGN_OR_FAIL(int64_t axis, normAxis(axes[0], rank, "axis"));
      return single(along(axis));
    };
  };
  handlers["CumSum"] = cumulative("sum");
  handlers["CumProd"] = cumulative("prod");
  // LpNormalization: x / ||x||_p along the axis (p 1 or 2).
  handlers["LpNormalization"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, typeOf(x).getRank()));
    ASSIGN_OR_FAIL(int64_t p, intAttr(n, "p", 2));
    if (p != 1 && p != 2)
      return fail("LpNormalization's p must be 1 or 2, not " + Twine(p));
    if (!isa<FloatType>(typeOf(x).getElementType()))
      return fail("LpNormalization takes floating-point tensors");
    Value terms;
    if (p == 1) {
      ASSIGN_OR_FAIL(terms, make<edge::UnaryFnOp>(
                                x, {named("fn", builder.getStringAttr("abs"))}));
    } else {
      ASSIGN_OR_FAIL(terms, make<edge::MulOp>({x, x}));
    }
    ASSIGN_OR_FAIL(Value norm,
                   make<edge::ReduceSumOp>(
                       terms, {named("axes", builder.getDenseI64ArrayAttr({axis})),
                               named("keepdims", builder.getBoolAttr(true))}));
    if (p == 2) {
      ASSIGN_OR_FAIL(norm, make<edge::SqrtOp>(norm));
    }
    // A zero norm (all its elements 0) divides by 1: the result is 0.
    Type et = typeOf(x).getElementType();
    auto scalar = [&](double v) {
      return constant(DenseElementsAttr::get(RankedTensorType::get({}, et),
                                             builder.getFloatAttr(et, v)));
    };
    ASSIGN_OR_FAIL(Value zero,
                   make<edge::CompareOp>(
                       {norm, scalar(0.0)},
                       {named("predicate", builder.getStringAttr("eq"))}));
    ASSIGN_OR_FAIL(norm, make<edge::WhereOp>({zero, scalar(1.0), norm}));
    return single(make<edge::DivOp>({x, norm}));
  };
  handlers["ArgMax"] = argReduce("max");
  handlers["ArgMin"] = argReduce("min");
  handlers["ReduceMin"] = reduce(edge::ReduceMinOp(), 18);
  handlers["ReduceMax"] = reduce(edge::ReduceMaxOp(), 18);
  handlers["ReduceSum"] = reduce(edge::ReduceSumOp(), 13);
  handlers["ReduceProd"] = reduce(edge::ReduceProdOp(), 18);
  handlers["ReduceMean"] = reduce(edge::ReduceSumOp(), 18, nullptr, mean);
  handlers["ReduceSumSquare"] = reduce(edge::ReduceSumOp(), 18, square);
  handlers["ReduceL1"] = reduce(edge::ReduceSumOp(), 18, fn("abs"));
  handlers["ReduceL2"] = reduce(edge::ReduceSumOp(), 18, square, sqrt);
  handlers["ReduceLogSum"] = reduce(edge::ReduceSumOp(), 18, nullptr, fn("log"));
  handlers["ReduceLogSumExp"] =
      reduce(edge::ReduceSumOp(), 18, exp, fn("log"));
}

} // namespace edgec::detail
