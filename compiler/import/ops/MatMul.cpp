//===- MatMul.cpp - ONNX importers: matrix products -----------------------===//
//
// The importers of one ONNX op family (registered by registerMatMul()): MatMul,
// Gemm and Einsum. Einsum takes each operand's diagonals (a repeated index)
// with a strided slice, sums the indices only one operand has, and then
// contracts two operands with one batched MatMul (the indices of both and
// the output as the batch, those of both only as K), or more operands by
// broadcasting products and a ReduceSum.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

FailureOr<Importer::Values> Importer::importGemm(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
  ASSIGN_OR_FAIL(Value c, optInput(n, 2));
  if (c)
    operands.push_back(c);
  if (opset < 7) {
    ASSIGN_OR_FAIL(int64_t broadcast, intAttr(n, "broadcast", 0));
    if (broadcast == 0 && operands.size() == 3 &&
        typeOf(operands[2]).getRank() != 2)
      return fail("Gemm before opset 7 without broadcast needs a 2-D C");
  }
  ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1.0f));
  ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 1.0f));
  ASSIGN_OR_FAIL(bool transA, intAttr(n, "transA", 0));
  ASSIGN_OR_FAIL(bool transB, intAttr(n, "transB", 0));
  return single(make<edge::GemmOp>(
      operands, {named("alpha", builder.getF32FloatAttr(alpha)),
                 named("beta", builder.getF32FloatAttr(beta)),
                 named("transA", builder.getBoolAttr(transA)),
                 named("transB", builder.getBoolAttr(transB))}));
}

namespace {
/// An Einsum index: a letter's code, or 1000 + k for the k-th dim from the
/// right of an ellipsis.
using Index = int;
} // namespace

FailureOr<Importer::Values> Importer::importEinsum(const onnx::NodeProto &n) {
  std::string eq;
  for (char c : strAttr(n, "equation", ""))
    if (c != ' ')
      eq += c;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  SmallVector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos
                                          ? std::string::npos
                                          : comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (int(terms.size()) != n.input_size())
    return fail("Einsum's equation '" + eq + "' names " + Twine(terms.size()) +
                " operands, the node has " + Twine(n.input_size()));
  // Each operand's indices, the ellipsis expanded to its rank.
  struct Operand {
    Value v;
    SmallVector<Index> idx;
  };
  SmallVector<Operand> ops;
  int64_t ellipsisRank = 0;
  auto parse = [&](StringRef term, int64_t rank,
                   SmallVectorImpl<Index> &out) -> LogicalResult {
    size_t dots = term.find("...");
    int64_t letters = int64_t(term.size()) - (dots == StringRef::npos ? 0 : 3);
    int64_t fill = rank - letters;
    if (fill < 0 || (dots == StringRef::npos && fill != 0))
      return fail("Einsum term '" + term + "' does not match rank " +
                  Twine(rank));
    for (size_t i = 0; i < term.size(); ++i) {
      if (i == dots) {
        for (int64_t k = fill - 1; k >= 0; --k)
          out.push_back(1000 + int(k));
        i += 2;
        continue;
      }
      if (!llvm::isAlpha(term[i]))
        return fail("Einsum's equation '" + eq + "' has a bad character");
      out.push_back(term[i]);
    }
    return success();
  };
  for (int i = 0; i < n.input_size(); ++i) {
    ASSIGN_OR_FAIL(Value v, input(n, i));
    Operand o{v, {}};
    if (failed(parse(terms[i], typeOf(v).getRank(), o.idx)))
      return failure();
    for (Index x : o.idx)
      if (x >= 1000)
        ellipsisRank = std::max<int64_t>(ellipsisRank, x - 999);
    ops.push_back(std::move(o));
  }
  // The output's indices: given, or the ellipsis then the letters seen
  // once, in alphabetical order.
  SmallVector<Index> out;
  llvm::DenseMap<Index, int64_t> sizes;
  llvm::DenseMap<Index, int> uses;
  for (auto &o : ops)
    for (auto [x, d] : llvm::zip(o.idx, typeOf(o.v).getShape())) {
      ++uses[x];
      int64_t &s = sizes[x];
      if (s > 1 && d > 1 && s != d)
        return fail("Einsum index sizes " + Twine(s) + " and " + Twine(d) +
                    " differ");
      s = std::max(s, d);
    }
  if (arrow != std::string::npos) {
    std::string rhs = eq.substr(arrow + 2);
    bool dots = rhs.find("...") != std::string::npos;
    int64_t rank = int64_t(rhs.size()) - (dots ? 3 : 0) + (dots ? ellipsisRank : 0);
    if (failed(parse(rhs, rank, out)))
      return failure();
  } else {
    for (int64_t k = ellipsisRank - 1; k >= 0; --k)
      out.push_back(1000 + int(k));
    SmallVector<Index> once;
    for (auto &[x, count] : uses)
      if (x < 1000 && count == 1)
        once.push_back(x);
    llvm::sort(once);
    out.append(once);
  }
  for (Index x : out)
    if (!sizes.count(x))
      return fail("Einsum's output index is not in any operand");

  // Diagonals: a repeated index becomes one dim.
  for (auto &o : ops) {
    while (true) {
      int p1 = -1, p2 = -1;
      for (int i = 0; i < int(o.idx.size()) && p1 < 0; ++i)
        for (int j = i + 1; j < int(o.idx.size()); ++j)
          if (o.idx[i] == o.idx[j]) {
            p1 = i;
            p2 = j;
            break;
          }
      if (p1 < 0)
        break;
      auto shape = typeOf(o.v).getShape();
      SmallVector<int64_t> perm;
      SmallVector<Index> rest;
      for (int i = 0; i < int(o.idx.size()); ++i)
        if (i != p1 && i != p2) {
          perm.push_back(i);
          rest.push_back(o.idx[i]);
        }
      perm.append({p1, p2});
      int64_t d = shape[p1];
      if (shape[p2] != d)
        return fail("Einsum's diagonal takes equal dims");
      ASSIGN_OR_FAIL(Value t, transpose(o.v, perm));
      SmallVector<int64_t> merged;
      for (int64_t i : ArrayRef<int64_t>(perm).drop_back(2))
        merged.push_back(shape[i]);
      merged.push_back(d * d);
      ASSIGN_OR_FAIL(t, reshape(t, merged));
      ASSIGN_OR_FAIL(t, sliceLast(t, 0, d, d + 1));
      rest.push_back(o.idx[p1]);
      o.v = t;
      o.idx = rest;
    }
  }
  // Indices only one operand has and the output lacks are summed away.
  auto sumAway = [&](Operand &o, function_ref<bool(Index)> keep) -> LogicalResult {
    SmallVector<int64_t> axes;
    SmallVector<Index> kept;
    for (auto [i, x] : llvm::enumerate(o.idx)) {
      if (keep(x))
        kept.push_back(x);
      else
        axes.push_back(i);
    }
    if (axes.empty())
      return success();
    auto r = make<edge::ReduceSumOp>(
        o.v, {named("axes", builder.getDenseI64ArrayAttr(axes)),
              named("keepdims", builder.getBoolAttr(false))});
    if (failed(r))
      return failure();
    o.v = *r;
    o.idx = kept;
    return success();
  };
  auto inOut = [&](Index x) { return llvm::is_contained(out, x); };
  for (auto &o : ops) {
    auto elsewhere = [&](Index x) {
      if (inOut(x))
        return true;
      for (auto &other : ops)
        if (&other != &o && llvm::is_contained(other.idx, x))
          return true;
      return false;
    };
    if (failed(sumAway(o, elsewhere)))
      return failure();
  }
  // `o` transposed to the order of `order` (missing indices as unit dims).
  auto align = [&](Operand &o, ArrayRef<Index> order) -> FailureOr<Value> {
    SmallVector<int64_t> perm, shape;
    for (Index x : order) {
      auto it = llvm::find(o.idx, x);
      if (it != o.idx.end()) {
        perm.push_back(it - o.idx.begin());
        shape.push_back(typeOf(o.v).getDimSize(it - o.idx.begin()));
      } else {
        shape.push_back(1);
      }
    }
    ASSIGN_OR_FAIL(Value t, transpose(o.v, perm));
    return reshape(t, shape);
  };
  if (ops.size() == 2) {
    Operand &a = ops[0], &b = ops[1];
    SmallVector<Index> batch, m, k, nn;
    bool uniform = true;
    for (Index x : a.idx) {
      bool inB = llvm::is_contained(b.idx, x);
      if (inB && inOut(x))
        batch.push_back(x);
      else if (inB)
        k.push_back(x);
      else
        m.push_back(x);
    }
    for (Index x : b.idx)
      if (!llvm::is_contained(a.idx, x))
        nn.push_back(x);
    auto dimOf = [&](Operand &o, Index x) {
      return typeOf(o.v).getDimSize(llvm::find(o.idx, x) - o.idx.begin());
    };
    for (Index x : llvm::concat<Index>(batch, k))
      uniform &= dimOf(a, x) == dimOf(b, x);
    if (uniform) {
      auto prod = [&](ArrayRef<Index> xs) {
        int64_t p = 1;
        for (Index x : xs)
          p *= sizes[x];
        return p;
      };
      SmallVector<Index> aOrder(batch), bOrder(batch);
      aOrder.append(m);
      aOrder.append(k);
      bOrder.append(k);
      bOrder.append(nn);
      ASSIGN_OR_FAIL(Value av, align(a, aOrder));
      ASSIGN_OR_FAIL(Value bv, align(b, bOrder));
      int64_t B = prod(batch), M = prod(m), K = prod(k), N = prod(nn);
      ASSIGN_OR_FAIL(av, reshape(av, {B, M, K}));
      ASSIGN_OR_FAIL(bv, reshape(bv, {B, K, N}));
      ASSIGN_OR_FAIL(Value y, make<edge::MatMulOp>({av, bv}));
      SmallVector<Index> yIdx(batch);
      yIdx.append(m);
      yIdx.append(nn);
      SmallVector<int64_t> yShape;
      for (Index x : yIdx)
        yShape.push_back(sizes[x]);
      ASSIGN_OR_FAIL(y, reshape(y, yShape));
      Operand r{y, yIdx};
      return single(align(r, out));
    }
  }
  // Any number of operands: a broadcast product over every index, then the
  // sum over those the output lacks.
  SmallVector<Index> all(out);
  for (auto &o : ops)
    for (Index x : o.idx)
      if (!llvm::is_contained(all, x))
        all.push_back(x);
  Value prod;
  for (auto &o : ops) {
    ASSIGN_OR_FAIL(Value t, align(o, all));
    if (prod) {
      ASSIGN_OR_FAIL(prod, make<edge::MulOp>({prod, t}));
    } else {
      prod = t;
    }
  }
  Operand r{prod, all};
  if (failed(sumAway(r, inOut)))
    return failure();
  return single(align(r, out));
}

void Importer::registerMatMul() {
  handlers["Einsum"] = [this](const onnx::NodeProto &n) { return importEinsum(n); };
  handlers["MatMul"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    return single(make<edge::MatMulOp>(operands));
  };
  handlers["Gemm"] = [this](const onnx::NodeProto &n) { return importGemm(n); };
}

} // namespace edgec::detail
