//===- Recurrent.cpp - ONNX importers: recurrent layers -------------------===//
//
// The importers of one ONNX op family (registered by registerRecurrent()):
// RNN, GRU and LSTM, unrolled over their sequence, which is static. The
// input projection of every step is one MatMul over the whole sequence
// (X · Wᵀ + Wb + Rb, the biases folded in); each step then adds H · Rᵀ
// (one MatMul per direction and step) and applies the gates' activations:
//
//   RNN   H = f(x + H·Rᵀ)
//   GRU   z = f(..), r = f(..), h = g(xh + (r ⊙ H)·Rhᵀ + Rbh)
//         (linear_before_reset: g(xh + r ⊙ (H·Rhᵀ + Rbh))), H = (1-z) ⊙ h + z ⊙ H
//   LSTM  i, o, f = f(.. + P ⊙ C), c = g(..), C = f ⊙ C + i ⊙ c, H = o ⊙ h(C)
//
// Steps past a batch entry's sequence_lens keep its state and output 0.
//
// CausalConvWithState (a state-space model's short convolution): the past
// state (zeros without one) is prepended to the input, a depthwise Conv
// with no padding runs over it, then the activation (none, silu/swish);
// the present state is the last kernel - 1 steps of the padded input.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

using namespace mlir;

namespace edgec::detail {

namespace {
enum class Cell { RNN, GRU, LSTM };
} // namespace

FailureOr<Value> Importer::activation(StringRef name, Value x, float alpha,
                                      float beta) {
  Type et = typeOf(x).getElementType();
  auto unary = [&](StringRef fn, float a = 0.0f, float b = 0.0f) {
    return make<edge::UnaryFnOp>(
        x, {named("fn", builder.getStringAttr(fn)),
            named("alpha", builder.getF32FloatAttr(a)),
            named("beta", builder.getF32FloatAttr(b))});
  };
  std::string n = name.lower();
  if (n == "sigmoid")
    return make<edge::SigmoidOp>(x);
  if (n == "tanh")
    return make<edge::TanhOp>(x);
  if (n == "relu")
    return make<edge::ReluOp>(x);
  if (n == "hardsigmoid")
    return make<edge::HardSigmoidOp>(
        x, {named("alpha", builder.getF32FloatAttr(alpha)),
            named("beta", builder.getF32FloatAttr(beta))});
  if (n == "leakyrelu")
    return unary("leaky_relu", alpha);
  if (n == "thresholdedrelu")
    return unary("thresholded_relu", alpha);
  if (n == "elu")
    return unary("elu", alpha);
  if (n == "softsign")
    return unary("softsign");
  if (n == "softplus")
    return unary("softplus");
  if (n == "affine" || n == "scaledtanh") {
    Value v = x;
    if (n == "scaledtanh") {
      ASSIGN_OR_FAIL(v, make<edge::MulOp>({x, scalarOf(et, beta)}));
      ASSIGN_OR_FAIL(v, make<edge::TanhOp>(v));
      return make<edge::MulOp>({v, scalarOf(et, alpha)});
    }
    ASSIGN_OR_FAIL(v, make<edge::MulOp>({x, scalarOf(et, alpha)}));
    return make<edge::AddOp>({v, scalarOf(et, beta)});
  }
  return fail("activation '" + name + "' is not supported");
}

FailureOr<Importer::Values> Importer::importRecurrent(const onnx::NodeProto &n,
                                                      int kind) {
  Cell cell = Cell(kind);
  int gates = cell == Cell::LSTM ? 4 : cell == Cell::GRU ? 3 : 1;
  ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
  ASSIGN_OR_FAIL(Value bias, optInput(n, 3));
  ASSIGN_OR_FAIL(Value seqLens, optInput(n, 4));
  ASSIGN_OR_FAIL(Value h0, optInput(n, 5));
  Value c0, peep;
  if (cell == Cell::LSTM) {
    ASSIGN_OR_FAIL(c0, optInput(n, 6));
    ASSIGN_OR_FAIL(peep, optInput(n, 7));
  }
  Value x = ops[0], w = ops[1], r = ops[2];
  auto xT = typeOf(x);
  Type et = xT.getElementType();
  if (!isa<FloatType>(et))
    return fail(n.op_type() + " takes floating-point tensors");
  ASSIGN_OR_FAIL(int64_t hidden, intAttr(n, "hidden_size", 0));
  ASSIGN_OR_FAIL(int64_t layout, intAttr(n, "layout", 0));
  ASSIGN_OR_FAIL(float clip, floatAttr(n, "clip", 0.0f));
  ASSIGN_OR_FAIL(int64_t inputForget, intAttr(n, "input_forget", 0));
  ASSIGN_OR_FAIL(int64_t linearBeforeReset,
                 intAttr(n, "linear_before_reset", 0));
  std::string direction = strAttr(n, "direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return fail("direction '" + direction +
                "' is not forward, reverse or bidirectional");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (xT.getRank() != 3)
    return fail(n.op_type() + "'s X must be 3-D");
  if (layout == 1) {
    ASSIGN_OR_FAIL(x, transpose(x, {1, 0, 2}));
  }
  auto xs = typeOf(x).getShape();
  int64_t seq = xs[0], batch = xs[1], inSize = xs[2];
  auto wS = typeOf(w).getShape(), rS = typeOf(r).getShape();
  if (hidden <= 0)
    hidden = rS.size() == 3 ? rS[2] : 0;
  if (wS.size() != 3 || wS[0] != dirs || wS[1] != gates * hidden ||
      wS[2] != inSize)
    return fail(n.op_type() + "'s W must be [" + Twine(dirs) + ", " +
                Twine(gates * hidden) + ", " + Twine(inSize) + "]");
  if (rS.size() != 3 || rS[0] != dirs || rS[1] != gates * hidden ||
      rS[2] != hidden)
    return fail(n.op_type() + "'s R must be [" + Twine(dirs) + ", " +
                Twine(gates * hidden) + ", " + Twine(hidden) + "]");
  if (inputForget)
    return fail("LSTM with input_forget is not supported");

  // Activations: per direction, f and g (and h for LSTM).
  int perDir = cell == Cell::LSTM ? 3 : cell == Cell::GRU ? 2 : 1;
  SmallVector<std::string> acts;
  if (const auto *a = attr(n, "activations"))
    for (const auto &s : a->strings())
      acts.push_back(s);
  if (acts.empty()) {
    for (int64_t d = 0; d < dirs; ++d) {
      if (cell == Cell::RNN)
        acts.push_back("Tanh");
      else
        acts.append({"Sigmoid", "Tanh"});
      if (cell == Cell::LSTM)
        acts.push_back("Tanh");
    }
  }
  if (int64_t(acts.size()) != perDir * dirs)
    return fail(n.op_type() + " needs " + Twine(perDir * dirs) +
                " activations");
  SmallVector<float> alphas, betas;
  if (const auto *a = attr(n, "activation_alpha"))
    alphas.assign(a->floats().begin(), a->floats().end());
  if (const auto *a = attr(n, "activation_beta"))
    betas.assign(a->floats().begin(), a->floats().end());
  auto act = [&](int64_t index, Value v) -> FailureOr<Value> {
    // Defaults as the ONNX activation functions define them.
    StringRef name = acts[index];
    std::string lower = name.lower();
    float alpha = lower == "leakyrelu" ? 0.01f
                  : lower == "hardsigmoid" ? 0.2f
                  : 1.0f;
    float beta = lower == "hardsigmoid" ? 0.5f : 0.0f;
    if (index < int64_t(alphas.size()))
      alpha = alphas[index];
    if (index < int64_t(betas.size()))
      beta = betas[index];
    if (clip > 0.0f) {
      ASSIGN_OR_FAIL(v, make<edge::ClipOp>(
                            v, {named("min", builder.getF32FloatAttr(-clip)),
                                named("max", builder.getF32FloatAttr(clip))}));
    }
    return activation(name, v, alpha, beta);
  };

  // sequence_lens: a mask per step when some entry is shorter.
  SmallVector<int64_t> lens(batch, seq);
  bool masked = false;
  Value lensV;
  if (seqLens) {
    DenseElementsAttr c;
    if (matchPattern(seqLens, m_Constant(&c))) {
      for (auto [k, v] : llvm::enumerate(c.getValues<APInt>()))
        if (k < size_t(batch))
          lens[k] = v.getSExtValue();
      masked = llvm::any_of(lens, [&](int64_t l) { return l != seq; });
    } else {
      masked = true;
    }
    ASSIGN_OR_FAIL(lensV, castTo(seqLens, builder.getI64Type()));
    ASSIGN_OR_FAIL(lensV, reshape(lensV, {batch, 1}));
  }
  if (masked && direction != "forward")
    return fail(n.op_type() + " in direction '" + direction +
                "' with sequences of different lengths is not supported");

  // Per direction: the projected inputs [seq, batch, gates*hidden].
  auto sliceDim = [&](Value v, int64_t dim, int64_t start, int64_t size) {
    return sliceAxis(v, dim, start, size);
  };
  auto dirSlice = [&](Value v, int64_t d) -> FailureOr<Value> {
    // [dirs, a, b] -> [a, b]
    auto s = typeOf(v).getShape();
    if (s.empty() || s[0] <= d)
      return fail("an input of rank " + Twine(s.size()) + " has no direction " +
                  Twine(d) + " in its first dimension");
    ASSIGN_OR_FAIL(Value p, sliceDim(v, 0, d, 1));
    return reshape(p, s.drop_front());
  };
  ASSIGN_OR_FAIL(Value x2, reshape(x, {seq * batch, inSize}));
  SmallVector<Value> ys(dirs), hs(dirs), cs(dirs);
  for (int64_t d = 0; d < dirs; ++d) {
    ASSIGN_OR_FAIL(Value wd, dirSlice(w, d));
    ASSIGN_OR_FAIL(Value rd, dirSlice(r, d));
    ASSIGN_OR_FAIL(Value wdT, transpose(wd, {1, 0}));
    ASSIGN_OR_FAIL(Value rdT, transpose(rd, {1, 0})); // [hidden, G*hidden]
    ASSIGN_OR_FAIL(Value proj, make<edge::MatMulOp>({x2, wdT}));
    Value rb; // GRU's Rbh, applied inside the reset product
    if (bias) {
      ASSIGN_OR_FAIL(Value bd, dirSlice(bias, d)); // [2*G*hidden]
      ASSIGN_OR_FAIL(Value wb, sliceDim(bd, 0, 0, gates * hidden));
      ASSIGN_OR_FAIL(Value rbAll, sliceDim(bd, 0, gates * hidden, gates * hidden));
      Value total = wb;
      if (cell == Cell::GRU) {
        // Wb + Rb for z and r; Rbh stays apart.
        ASSIGN_OR_FAIL(Value rzr, sliceDim(rbAll, 0, 0, 2 * hidden));
        ASSIGN_OR_FAIL(rb, sliceDim(rbAll, 0, 2 * hidden, hidden));
        ASSIGN_OR_FAIL(Value head, sliceDim(wb, 0, 0, 2 * hidden));
        ASSIGN_OR_FAIL(Value tail, sliceDim(wb, 0, 2 * hidden, hidden));
        ASSIGN_OR_FAIL(head, make<edge::AddOp>({head, rzr}));
        ASSIGN_OR_FAIL(total, concat({head, tail}, 0));
      } else {
        ASSIGN_OR_FAIL(total, make<edge::AddOp>({wb, rbAll}));
      }
      ASSIGN_OR_FAIL(proj, make<edge::AddOp>({proj, total}));
    }
    ASSIGN_OR_FAIL(proj, reshape(proj, {seq, batch, gates * hidden}));
    Value h, c;
    if (h0) {
      ASSIGN_OR_FAIL(h, dirSlice(h0, d));
    } else {
      h = constant(DenseElementsAttr::get(
          RankedTensorType::get({batch, hidden}, et),
          builder.getFloatAttr(et, 0.0)));
    }
    if (cell == Cell::LSTM) {
      if (c0) {
        ASSIGN_OR_FAIL(c, dirSlice(c0, d));
      } else {
        c = constant(DenseElementsAttr::get(
            RankedTensorType::get({batch, hidden}, et),
            builder.getFloatAttr(et, 0.0)));
      }
    }
    Value pi, po, pf;
    if (peep) {
      ASSIGN_OR_FAIL(Value pd, dirSlice(peep, d));
      ASSIGN_OR_FAIL(pi, sliceDim(pd, 0, 0, hidden));
      ASSIGN_OR_FAIL(po, sliceDim(pd, 0, hidden, hidden));
      ASSIGN_OR_FAIL(pf, sliceDim(pd, 0, 2 * hidden, hidden));
    }
    Value rh; // GRU: R's h block [hidden, hidden] (transposed)
    Value rzrT = rdT;
    if (cell == Cell::GRU) {
      ASSIGN_OR_FAIL(rzrT, sliceDim(rdT, 1, 0, 2 * hidden));
      ASSIGN_OR_FAIL(rh, sliceDim(rdT, 1, 2 * hidden, hidden));
    }
    bool reverse = direction == "reverse" || d == 1;
    SmallVector<Value> steps(seq);
    int64_t base = d * perDir;
    for (int64_t k = 0; k < seq; ++k) {
      int64_t t = reverse ? seq - 1 - k : k;
      ASSIGN_OR_FAIL(Value xt, sliceDim(proj, 0, t, 1));
      ASSIGN_OR_FAIL(xt, reshape(xt, {batch, gates * hidden}));
      ASSIGN_OR_FAIL(Value hr, make<edge::MatMulOp>({h, rzrT}));
      auto gate = [&](Value v, int64_t g) { return sliceDim(v, 1, g * hidden, hidden); };
      Value hNew, cNew;
      if (cell == Cell::RNN) {
        ASSIGN_OR_FAIL(Value pre, make<edge::AddOp>({xt, hr}));
        ASSIGN_OR_FAIL(hNew, act(base, pre));
      } else if (cell == Cell::GRU) {
        ASSIGN_OR_FAIL(Value xzr, sliceDim(xt, 1, 0, 2 * hidden));
        ASSIGN_OR_FAIL(Value xh, gate(xt, 2));
        ASSIGN_OR_FAIL(Value zr, make<edge::AddOp>({xzr, hr}));
        ASSIGN_OR_FAIL(Value z, gate(zr, 0));
        ASSIGN_OR_FAIL(Value rr, gate(zr, 1));
        ASSIGN_OR_FAIL(z, act(base, z));
        ASSIGN_OR_FAIL(rr, act(base, rr));
        Value hh;
        if (linearBeforeReset) {
          ASSIGN_OR_FAIL(hh, make<edge::MatMulOp>({h, rh}));
          if (rb) {
            ASSIGN_OR_FAIL(hh, make<edge::AddOp>({hh, rb}));
          }
          ASSIGN_OR_FAIL(hh, make<edge::MulOp>({rr, hh}));
        } else {
          ASSIGN_OR_FAIL(Value rh0, make<edge::MulOp>({rr, h}));
          ASSIGN_OR_FAIL(hh, make<edge::MatMulOp>({rh0, rh}));
          if (rb) {
            ASSIGN_OR_FAIL(hh, make<edge::AddOp>({hh, rb}));
          }
        }
        ASSIGN_OR_FAIL(hh, make<edge::AddOp>({xh, hh}));
        ASSIGN_OR_FAIL(hh, act(base + 1, hh));
        // (1 - z) * hh + z * h = hh + z * (h - hh)
        ASSIGN_OR_FAIL(Value diff, make<edge::SubOp>({h, hh}));
        ASSIGN_OR_FAIL(Value zd, make<edge::MulOp>({z, diff}));
        ASSIGN_OR_FAIL(hNew, make<edge::AddOp>({hh, zd}));
      } else {
        ASSIGN_OR_FAIL(Value pre, make<edge::AddOp>({xt, hr}));
        ASSIGN_OR_FAIL(Value i, gate(pre, 0));
        ASSIGN_OR_FAIL(Value o, gate(pre, 1));
        ASSIGN_OR_FAIL(Value f, gate(pre, 2));
        ASSIGN_OR_FAIL(Value cc, gate(pre, 3));
        if (peep) {
          ASSIGN_OR_FAIL(Value pic, make<edge::MulOp>({pi, c}));
          ASSIGN_OR_FAIL(i, make<edge::AddOp>({i, pic}));
          ASSIGN_OR_FAIL(Value pfc, make<edge::MulOp>({pf, c}));
          ASSIGN_OR_FAIL(f, make<edge::AddOp>({f, pfc}));
        }
        ASSIGN_OR_FAIL(i, act(base, i));
        ASSIGN_OR_FAIL(f, act(base, f));
        ASSIGN_OR_FAIL(cc, act(base + 1, cc));
        ASSIGN_OR_FAIL(Value fc, make<edge::MulOp>({f, c}));
        ASSIGN_OR_FAIL(Value ic, make<edge::MulOp>({i, cc}));
        ASSIGN_OR_FAIL(cNew, make<edge::AddOp>({fc, ic}));
        if (peep) {
          ASSIGN_OR_FAIL(Value poc, make<edge::MulOp>({po, cNew}));
          ASSIGN_OR_FAIL(o, make<edge::AddOp>({o, poc}));
        }
        ASSIGN_OR_FAIL(o, act(base, o));
        ASSIGN_OR_FAIL(Value hc, act(base + 2, cNew));
        ASSIGN_OR_FAIL(hNew, make<edge::MulOp>({o, hc}));
      }
      Value out = hNew;
      if (masked) {
        // Entries past their length keep their state and output 0.
        Value tV = i64Constant({}, {t});
        ASSIGN_OR_FAIL(Value live,
                       make<edge::CompareOp>(
                           {tV, lensV}, {named("predicate", builder.getStringAttr("lt"))}));
        ASSIGN_OR_FAIL(hNew, make<edge::WhereOp>({live, hNew, h}));
        if (cNew) {
          ASSIGN_OR_FAIL(cNew, make<edge::WhereOp>({live, cNew, c}));
        }
        ASSIGN_OR_FAIL(out, make<edge::WhereOp>({live, out, scalarOf(et, 0.0)}));
      }
      h = hNew;
      c = cNew;
      ASSIGN_OR_FAIL(out, reshape(out, {1, 1, batch, hidden}));
      steps[t] = out;
    }
    ASSIGN_OR_FAIL(ys[d], concat(steps, 0)); // [seq, 1, batch, hidden]
    ASSIGN_OR_FAIL(hs[d], reshape(h, {1, batch, hidden}));
    if (c) {
      ASSIGN_OR_FAIL(cs[d], reshape(c, {1, batch, hidden}));
    }
  }
  Value y = ys[0], yh = hs[0], yc = cs[0];
  if (dirs == 2) {
    ASSIGN_OR_FAIL(y, concat(ys, 1));
    ASSIGN_OR_FAIL(yh, concat(hs, 0));
    if (yc) {
      ASSIGN_OR_FAIL(yc, concat(cs, 0));
    }
  }
  if (layout == 1) {
    ASSIGN_OR_FAIL(y, transpose(y, {2, 0, 1, 3}));  // [batch, seq, dirs, hidden]
    ASSIGN_OR_FAIL(yh, transpose(yh, {1, 0, 2}));
    if (yc) {
      ASSIGN_OR_FAIL(yc, transpose(yc, {1, 0, 2}));
    }
  }
  Values results{y, yh};
  if (cell == Cell::LSTM)
    results.push_back(yc);
  return results;
}

FailureOr<Importer::Values>
Importer::importCausalConv(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
  ASSIGN_OR_FAIL(Value bias, optInput(n, 2));
  ASSIGN_OR_FAIL(Value past, optInput(n, 3));
  Value x = ops[0], w = ops[1];
  auto xT = typeOf(x), wT = typeOf(w);
  Type et = xT.getElementType();
  if (xT.getRank() != 3 || wT.getRank() != 3 || !isa<FloatType>(et))
    return fail("CausalConvWithState takes a float [batch, channels, length] "
                "input and a [channels, 1, kernel] weight");
  int64_t batch = xT.getDimSize(0), channels = xT.getDimSize(1);
  int64_t kernel = wT.getDimSize(2);
  if (wT.getDimSize(0) != channels || wT.getDimSize(1) != 1 || kernel < 1)
    return fail("CausalConvWithState's weight must be [channels, 1, kernel]");
  std::string act = strAttr(n, "activation", "none");
  if (act != "none" && act != "silu" && act != "swish")
    return fail("CausalConvWithState activation '" + act +
                "' is not none, silu or swish");
  if (!past) {
    past = constant(DenseElementsAttr::get(
        RankedTensorType::get({batch, channels, kernel - 1}, et),
        builder.getFloatAttr(et, 0.0)));
  } else if (typeOf(past).getShape() !=
             ArrayRef<int64_t>{batch, channels, kernel - 1}) {
    return fail("CausalConvWithState's past_state must be [batch, channels, "
                "kernel - 1]");
  }
  ASSIGN_OR_FAIL(Value padded, concat({past, x}, 2));
  ASSIGN_OR_FAIL(Value y, conv(padded, w, bias, {1}, {1}, {0, 0}, channels));
  if (act != "none") {
    ASSIGN_OR_FAIL(Value s, make<edge::SigmoidOp>(y));
    ASSIGN_OR_FAIL(y, make<edge::MulOp>({y, s}));
  }
  int64_t total = typeOf(padded).getDimSize(2);
  ASSIGN_OR_FAIL(Value present,
                 sliceLast(padded, total - (kernel - 1), kernel - 1, 1));
  return Values{y, present};
}

void Importer::registerRecurrent() {
  handlers["RNN"] = [this](const onnx::NodeProto &n) {
    return importRecurrent(n, int(Cell::RNN));
  };
  handlers["GRU"] = [this](const onnx::NodeProto &n) {
    return importRecurrent(n, int(Cell::GRU));
  };
  handlers["LSTM"] = [this](const onnx::NodeProto &n) {
    return importRecurrent(n, int(Cell::LSTM));
  };
  handlers["CausalConvWithState"] = [this](const onnx::NodeProto &n) {
    return importCausalConv(n);
  };
}

} // namespace edgec::detail
