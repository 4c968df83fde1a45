//===- ControlFlow.cpp - ONNX importers: If, Loop, Scan -------------------===//
//
// The importers of one ONNX op family (registered by registerControlFlow()).
// Shapes are static, so control flow is resolved at compile time by
// inlining subgraphs into the graph:
//
//   If    a condition known at compile time inlines the branch it takes;
//         one known only at run time inlines both branches and selects
//         each output with Where (the branches must agree on types).
//   Loop  unrolled: the trip count and the condition after each iteration
//         must be known at compile time (at most kMaxUnrolled iterations).
//   Scan  unrolled over the scanned axis (opset 8's batched form one batch
//         entry at a time).
//
// A subgraph sees the values of the scopes around it; its own names go out
// of scope after it.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

namespace {
constexpr int kMaxSubgraphDepth = 64;
constexpr int64_t kMaxUnrolled = 4096;
} // namespace

FailureOr<Importer::Values>
Importer::inlineSubgraph(const onnx::GraphProto &g, ArrayRef<Value> bound,
                         StringRef what) {
  if (subgraphDepth >= kMaxSubgraphDepth)
    return fail("subgraphs nested more than " + Twine(kMaxSubgraphDepth) +
                " deep are not supported");
  if (g.input_size() != int(bound.size()))
    return fail(what + " takes " + Twine(g.input_size()) + " inputs, " +
                Twine(bound.size()) + " are given");
  // The scope: restored when the subgraph is done.
  llvm::StringMap<Value> savedValues = values;
  llvm::StringMap<const onnx::TensorProto *> savedInits = initializers;
  Location savedLoc = nodeLoc;
  std::string savedOp = opType;
  ++subgraphDepth;
  auto restore = [&] {
    values = std::move(savedValues);
    initializers = std::move(savedInits);
    nodeLoc = savedLoc;
    opType = savedOp;
    --subgraphDepth;
  };
  for (auto [in, v] : llvm::zip(g.input(), bound))
    values[in.name()] = v;
  for (const auto &t : g.initializer()) {
    values.erase(t.name());
    initializers[t.name()] = &t;
  }
  if (failed(importNodes(g))) {
    restore();
    return failure();
  }
  Values outs;
  for (const auto &o : g.output()) {
    auto v = lookup(o.name());
    if (failed(v) || !*v) {
      if (succeeded(v))
        nodeError() << what << "'s output '" << o.name()
                    << "' is not produced by any node";
      restore();
      return failure();
    }
    outs.push_back(*v);
  }
  restore();
  return outs;
}

void Importer::registerControlFlow() {
  handlers["If"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value cond, input(n, 0));
    const auto *thenA = attr(n, "then_branch"), *elseA = attr(n, "else_branch");
    if (!thenA || !elseA || !thenA->has_g() || !elseA->has_g())
      return fail("If needs then_branch and else_branch graphs");
    auto cT = typeOf(cond);
    if (cT.getNumElements() != 1 || !cT.getElementType().isInteger(1))
      return fail("If's condition must be one bool");
    DenseElementsAttr c;
    if (matchPattern(cond, m_Constant(&c))) {
      bool taken = !(*c.getValues<APInt>().begin()).isZero();
      return inlineSubgraph(taken ? thenA->g() : elseA->g(), {},
                            taken ? "then_branch" : "else_branch");
    }
    // Known only at run time: both branches, then a select per output.
    Location ifLoc = nodeLoc;
    Values branch[2];
    for (int b = 0; b < 2; ++b) {
      std::string message;
      std::string innerNode;
      FailureOr<Values> r = failure();
      {
        ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
          if (message.empty()) {
            message = d.str();
            if (auto nl = dyn_cast<NameLoc>(d.getLocation()))
              innerNode = nl.getName().str();
          }
          return success();
        });
        r = inlineSubgraph(b == 0 ? thenA->g() : elseA->g(), {},
                           b == 0 ? "then_branch" : "else_branch");
      }
      nodeLoc = ifLoc;
      if (failed(r)) {
        std::string hint = graphInputsHint(cond);
        return fail("the condition is known only at run time, so both "
                    "branches are compiled, and the " +
                    Twine(b == 0 ? "then" : "else") + " branch cannot be (" +
                    (innerNode.empty() ? "" : "node '" + innerNode + "': ") +
                    message + ")" +
                    (hint.empty() ? "" : "; fix the condition with" + hint));
      }
      branch[b] = *r;
    }
    if (branch[0].size() != branch[1].size())
      return fail("If's branches have different numbers of outputs");
    ASSIGN_OR_FAIL(Value c0, reshape(cond, {}));
    Values results;
    for (auto [k, t, e] : llvm::enumerate(branch[0], branch[1])) {
      if (t.getType() != e.getType())
        return fail("the condition is known only at run time, and the "
                    "branches' output " +
                    Twine(k) + " differs (" + shapeText(typeOf(t).getShape()) +
                    " and " + shapeText(typeOf(e).getShape()) +
                    ", or the element types)");
      ASSIGN_OR_FAIL(Value y, make<edge::WhereOp>({c0, t, e}));
      results.push_back(y);
    }
    return results;
  };

  handlers["Loop"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    const auto *bodyA = attr(n, "body");
    if (!bodyA || !bodyA->has_g())
      return fail("Loop needs a body graph");
    const onnx::GraphProto &body = bodyA->g();
    int64_t trips = -1;
    if (hasInput(n, 0)) {
      ASSIGN_OR_FAIL(SmallVector<int64_t> m,
                     constInts(n, 0, "the trip count M"));
      if (m.size() != 1)
        return fail("Loop's M must have one element");
      trips = m[0];
    }
    bool cond = true;
    if (hasInput(n, 1)) {
      ASSIGN_OR_FAIL(DenseElementsAttr c,
                     constInput(n, 1, "the loop condition"));
      cond = !(*c.getValues<APInt>().begin()).isZero();
    }
    Values carried;
    for (int i = 2; i < n.input_size(); ++i) {
      ASSIGN_OR_FAIL(Value v, input(n, i));
      carried.push_back(v);
    }
    int64_t numCarried = carried.size();
    if (body.output_size() < 1 + numCarried)
      return fail("Loop's body must return the condition and the " +
                  Twine(numCarried) + " loop-carried values");
    int64_t numScan = body.output_size() - 1 - numCarried;
    SmallVector<Values> scans(numScan);
    Location loopLoc = nodeLoc;
    int64_t i = 0;
    for (; (trips < 0 || i < trips) && cond; ++i) {
      if (i >= kMaxUnrolled)
        return fail("Loop runs more than " + Twine(kMaxUnrolled) +
                    " iterations; edgec unrolls loops");
      Values bound{i64Constant({}, {i}), scalarOf(builder.getI1Type(), 1.0)};
      llvm::append_range(bound, carried);
      ASSIGN_OR_FAIL(Values outs, inlineSubgraph(body, bound, "Loop's body"));
      nodeLoc = loopLoc;
      DenseElementsAttr c;
      if (!matchPattern(outs[0], m_Constant(&c)) || c.getNumElements() != 1)
        return fail("the condition after iteration " + Twine(i) +
                    " is known only at run time; edgec unrolls loops");
      cond = !(*c.getValues<APInt>().begin()).isZero();
      carried.assign(outs.begin() + 1, outs.begin() + 1 + numCarried);
      for (int64_t k = 0; k < numScan; ++k)
        scans[k].push_back(outs[1 + numCarried + k]);
    }
    Values results(carried);
    for (int64_t k = 0; k < numScan; ++k) {
      if (scans[k].empty())
        return fail("Loop runs no iteration, so its scan output " + Twine(k) +
                    " has no known shape");
      Values parts;
      for (Value v : scans[k]) {
        SmallVector<int64_t> s{1};
        llvm::append_range(s, typeOf(v).getShape());
        ASSIGN_OR_FAIL(Value p, reshape(v, s));
        parts.push_back(p);
      }
      ASSIGN_OR_FAIL(Value stacked, concat(parts, 0));
      results.push_back(stacked);
    }
    return results;
  };

  handlers["Scan"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    const auto *bodyA = attr(n, "body");
    if (!bodyA || !bodyA->has_g())
      return fail("Scan needs a body graph");
    const onnx::GraphProto &body = bodyA->g();
    ASSIGN_OR_FAIL(int64_t numScanIn, intAttr(n, "num_scan_inputs", 0));
    bool batched = opset < 9; // opset 8: a batch dim and sequence_lens
    int first = batched ? 1 : 0;
    int64_t total = n.input_size() - first;
    if (numScanIn < 1 || numScanIn > total)
      return fail("Scan's num_scan_inputs " + Twine(numScanIn) +
                  " does not fit its " + Twine(total) + " inputs");
    int64_t numStates = total - numScanIn;
    Values states, scanIns;
    for (int i = first; i < n.input_size(); ++i) {
      ASSIGN_OR_FAIL(Value v, input(n, i));
      (i - first < numStates ? states : scanIns).push_back(v);
    }
    if (batched) {
      for (Value v : states)
        if (typeOf(v).getRank() < 1)
          return fail("Scan (opset 8)'s states need a batch dimension");
      for (Value v : scanIns)
        if (typeOf(v).getRank() < 2)
          return fail("Scan (opset 8)'s scan inputs need a batch and a "
                      "sequence dimension");
    }
    if (body.output_size() < numStates)
      return fail("Scan's body must return its " + Twine(numStates) +
                  " states");
    int64_t numScanOut = body.output_size() - numStates;
    auto ints = [&](StringRef name, int64_t count) {
      SmallVector<int64_t> v = intsAttr(n, name);
      v.resize(count, 0);
      return v;
    };
    SmallVector<int64_t> inAxes = ints(batched ? "" : "scan_input_axes", numScanIn);
    SmallVector<int64_t> inDirs = ints(batched ? "directions" : "scan_input_directions", numScanIn);
    SmallVector<int64_t> outAxes = ints(batched ? "" : "scan_output_axes", numScanOut);
    SmallVector<int64_t> outDirs = ints(batched ? "" : "scan_output_directions", numScanOut);
    Location scanLoc = nodeLoc;
    auto take = [&](Value v, int64_t axis, int64_t at) -> FailureOr<Value> {
      SmallVector<int64_t> rest(typeOf(v).getShape());
      rest.erase(rest.begin() + axis);
      ASSIGN_OR_FAIL(Value s, sliceAxis(v, axis, at, 1));
      return reshape(s, rest);
    };
    auto stack = [&](ArrayRef<Value> parts, int64_t axis) -> FailureOr<Value> {
      Values ps;
      for (Value v : parts) {
        SmallVector<int64_t> s(typeOf(v).getShape());
        s.insert(s.begin() + axis, 1);
        ASSIGN_OR_FAIL(Value p, reshape(v, s));
        ps.push_back(p);
      }
      return concat(ps, axis);
    };
    // One scan (no batch dim): final states, then the stacked outputs.
    auto scan = [&](Values st, ArrayRef<Value> ins) -> FailureOr<Values> {
      int64_t len = -1;
      SmallVector<int64_t> axes;
      for (auto [j, v] : llvm::enumerate(ins)) {
        ASSIGN_OR_FAIL(int64_t axis, normAxis(inAxes[j], typeOf(v).getRank(),
                                              "scan_input_axes entry"));
        axes.push_back(axis);
        int64_t l = typeOf(v).getDimSize(axis);
        if (len >= 0 && l != len)
          return fail("Scan's inputs have different lengths");
        len = l;
      }
      if (len < 1)
        return fail("Scan over an empty sequence is not supported");
      if (len > kMaxUnrolled)
        return fail("Scan runs more than " + Twine(kMaxUnrolled) +
                    " iterations; edgec unrolls loops");
      SmallVector<Values> outs(numScanOut);
      for (int64_t t = 0; t < len; ++t) {
        Values bound(st);
        for (auto [j, v] : llvm::enumerate(ins)) {
          ASSIGN_OR_FAIL(Value s, take(v, axes[j], inDirs[j] ? len - 1 - t : t));
          bound.push_back(s);
        }
        ASSIGN_OR_FAIL(Values r, inlineSubgraph(body, bound, "Scan's body"));
        nodeLoc = scanLoc;
        st.assign(r.begin(), r.begin() + numStates);
        for (int64_t k = 0; k < numScanOut; ++k)
          outs[k].push_back(r[numStates + k]);
      }
      Values results(st);
      for (int64_t k = 0; k < numScanOut; ++k) {
        if (outDirs[k])
          std::reverse(outs[k].begin(), outs[k].end());
        int64_t rank = typeOf(outs[k][0]).getRank() + 1;
        ASSIGN_OR_FAIL(int64_t axis,
                       normAxis(outAxes[k], rank, "scan_output_axes entry"));
        ASSIGN_OR_FAIL(Value s, stack(outs[k], axis));
        results.push_back(s);
      }
      return results;
    };
    if (!batched)
      return scan(states, scanIns);
    // Opset 8: every input has a leading batch dim; the scan axis is 1.
    if (hasInput(n, 0)) {
      ASSIGN_OR_FAIL(SmallVector<int64_t> lens,
                     constInts(n, 0, "sequence_lens"));
      for (int64_t l : lens)
        if (!scanIns.empty() && l != typeOf(scanIns[0]).getDimSize(1))
          return fail("Scan with sequences of different lengths is not "
                      "supported");
    }
    int64_t batch = typeOf(scanIns[0]).getDimSize(0);
    SmallVector<Values> per(numStates + numScanOut);
    for (int64_t b = 0; b < batch; ++b) {
      Values st, ins;
      for (Value v : states) {
        ASSIGN_OR_FAIL(Value s, take(v, 0, b));
        st.push_back(s);
      }
      for (Value v : scanIns) {
        ASSIGN_OR_FAIL(Value s, take(v, 0, b));
        ins.push_back(s);
      }
      ASSIGN_OR_FAIL(Values r, scan(st, ins));
      for (auto [k, v] : llvm::enumerate(r))
        per[k].push_back(v);
    }
    Values results;
    for (auto &parts : per) {
      ASSIGN_OR_FAIL(Value s, stack(parts, 0));
      results.push_back(s);
    }
    return results;
  };
}

} // namespace edgec::detail
