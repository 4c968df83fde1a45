//===- Attention.cpp - ONNX importers: transformer blocks -----------------===//
//
// The importers of one ONNX op family (registered by registerAttention()):
// Attention (opset 23, 24) and RotaryEmbedding (opset 23), built from edge
// ops as the ONNX functions that define them compute, so that the matrix
// products reach the same MatMul kernels as the rest of a transformer:
//
//   Attention: Q, K, V as [batch, heads, sequence, head size] (3-D inputs
//   split into heads first); K and V appended to the past cache (the
//   present outputs); K and V heads repeated for grouped-query attention;
//   s = softcap(scale * Q Kᵀ) + bias, the bias from the mask (boolean: 0 or
//   -inf; float: added; shorter than the keys: padded with -inf), the
//   causal triangle (offset by the past length) and the padding of
//   nonpad_kv_seqlen; Y = softmax(s) V, merged back into 3-D for 3-D inputs.
//
//   RotaryEmbedding: the first rotary_embedding_dim features of each head
//   rotated by the angles of cos_cache / sin_cache (picked by position_ids),
//   as halves or (interleaved) as even/odd pairs.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

#include <cmath>

using namespace mlir;

namespace edgec::detail {

FailureOr<Value> Importer::sliceAxis(Value v, int64_t axis, int64_t start,
                                     int64_t size, int64_t step) {
  auto shape = typeOf(v).getShape();
  SmallVector<int64_t> starts(shape.size(), 0), sizes(shape),
      steps(shape.size(), 1);
  starts[axis] = start;
  sizes[axis] = size;
  steps[axis] = step;
  return make<edge::SliceOp>(
      v, {named("starts", builder.getDenseI64ArrayAttr(starts)),
          named("sizes", builder.getDenseI64ArrayAttr(sizes)),
          named("steps", builder.getDenseI64ArrayAttr(steps))});
}

FailureOr<Value> Importer::sliceLast(Value v, int64_t start, int64_t size,
                                     int64_t step) {
  return sliceAxis(v, typeOf(v).getRank() - 1, start, size, step);
}

FailureOr<Value> Importer::transpose(Value v, ArrayRef<int64_t> perm) {
  return make<edge::TransposeOp>(
      v, {named("perm", builder.getDenseI64ArrayAttr(perm))});
}

FailureOr<Value> Importer::concat(ValueRange parts, int64_t axis) {
  return make<edge::ConcatOp>(parts,
                              {named("axis", builder.getI64IntegerAttr(axis))});
}

Value Importer::scalarOf(Type et, double v) {
  auto type = RankedTensorType::get({}, et);
  if (isa<FloatType>(et))
    return constant(DenseElementsAttr::get(type, builder.getFloatAttr(et, v)));
  if (et.isInteger(1))
    return constant(DenseElementsAttr::get(type, v != 0.0));
  // Saturating, as LLVM's fptosi.sat (a NaN is 0): a float attribute of an
  // integer op (Shrink's lambd, say) may hold any value.
  int64_t i = std::isnan(v)                ? 0
              : v >= 9223372036854775808.0 ? INT64_MAX
              : v < -9223372036854775808.0 ? INT64_MIN
                                           : int64_t(v);
  return constant(DenseElementsAttr::get(type, builder.getIntegerAttr(et, i)));
}

/// [B, S, heads * H] -> [B, heads, S, H].
FailureOr<Value> Importer::splitHeads(Value v, int64_t heads,
                                      StringRef what) {
  auto shape = typeOf(v).getShape();
  if (heads <= 0 || shape[2] % heads != 0)
    return fail(what + "'s hidden size " + Twine(shape[2]) +
                " is not a multiple of its " + Twine(heads) + " heads");
  ASSIGN_OR_FAIL(Value r,
                 reshape(v, {shape[0], shape[1], heads, shape[2] / heads}));
  return transpose(r, {0, 2, 1, 3});
}

FailureOr<Importer::Values> Importer::importAttention(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values qkv, inputs(n, 3));
  ASSIGN_OR_FAIL(Value mask, optInput(n, 3));
  ASSIGN_OR_FAIL(Value pastK, optInput(n, 4));
  ASSIGN_OR_FAIL(Value pastV, optInput(n, 5));
  ASSIGN_OR_FAIL(Value nonpad, optInput(n, 6));
  Value q = qkv[0], k = qkv[1], v = qkv[2];
  auto qT = typeOf(q);
  Type et = qT.getElementType();
  int64_t rank = qT.getRank();
  if (!isa<FloatType>(et))
    return fail("Attention takes floating-point Q, K and V");
  if ((rank != 3 && rank != 4) || typeOf(k).getRank() != rank ||
      typeOf(v).getRank() != rank)
    return fail("Attention takes Q, K and V all 3-D or all 4-D");
  if (typeOf(k).getElementType() != et || typeOf(v).getElementType() != et)
    return fail("Attention's Q, K and V must have one element type");
  if (bool(pastK) != bool(pastV))
    return fail("Attention needs both past_key and past_value, or neither");
  ASSIGN_OR_FAIL(int64_t causal, intAttr(n, "is_causal", 0));
  ASSIGN_OR_FAIL(int64_t mode, intAttr(n, "qk_matmul_output_mode", 0));
  ASSIGN_OR_FAIL(float softcap, floatAttr(n, "softcap", 0.0f));
  if (mode < 0 || mode > 3)
    return fail("qk_matmul_output_mode " + Twine(mode) +
                " is not one of 0, 1, 2, 3");
  if (rank == 3) {
    ASSIGN_OR_FAIL(int64_t qHeads, intAttr(n, "q_num_heads", 0));
    ASSIGN_OR_FAIL(int64_t kvHeads, intAttr(n, "kv_num_heads", 0));
    if (qHeads <= 0 || kvHeads <= 0)
      return fail("Attention on 3-D inputs needs q_num_heads and kv_num_heads");
    ASSIGN_OR_FAIL(q, splitHeads(q, qHeads, "Q"));
    ASSIGN_OR_FAIL(k, splitHeads(k, kvHeads, "K"));
    ASSIGN_OR_FAIL(v, splitHeads(v, kvHeads, "V"));
  }
  auto q4 = typeOf(q).getShape(), k4 = typeOf(k).getShape(),
       v4 = typeOf(v).getShape();
  int64_t batch = q4[0], qHeads = q4[1], seq = q4[2], headSize = q4[3];
  int64_t kvHeads = k4[1];
  if (k4[0] != batch || v4[0] != batch || v4[1] != kvHeads ||
      k4[3] != headSize || v4[2] != k4[2])
    return fail("Attention's Q " + shapeText(q4) + ", K " + shapeText(k4) +
                " and V " + shapeText(v4) + " do not agree");
  if (qHeads % kvHeads != 0)
    return fail("Attention's " + Twine(qHeads) +
                " query heads are not a multiple of its " + Twine(kvHeads) +
                " key/value heads");
  // The cache: present = concat(past, new) along the sequence.
  int64_t past = 0;
  if (pastK) {
    auto pk = typeOf(pastK).getShape(), pv = typeOf(pastV).getShape();
    if (pk.size() != 4 || pv.size() != 4 || pk[0] != batch ||
        pk[1] != kvHeads || pk[3] != headSize || pv[0] != batch ||
        pv[1] != kvHeads || pv[3] != v4[3] || pv[2] != pk[2])
      return fail("Attention's past_key " + shapeText(pk) + " and past_value " +
                  shapeText(pv) + " do not match K and V");
    past = pk[2];
    ASSIGN_OR_FAIL(k, concat({pastK, k}, 2));
    ASSIGN_OR_FAIL(v, concat({pastV, v}, 2));
  }
  Value presentK = k, presentV = v;
  int64_t total = typeOf(k).getDimSize(2);

  // The additive bias [.., seq, total]: mask, causal triangle, padding.
  Value negInf = scalarOf(et, -INFINITY), zero = scalarOf(et, 0.0);
  Value bias;
  if (mask) {
    auto mT = typeOf(mask);
    bool isBool = mT.getElementType().isInteger(1);
    if (!isBool && mT.getElementType() != et)
      return fail("Attention's attn_mask must be bool or Q's element type");
    if (mT.getRank() < 2 || mT.getRank() > 4 ||
        mT.getDimSize(mT.getRank() - 2) != seq ||
        mT.getDimSize(mT.getRank() - 1) > total)
      return fail("Attention's attn_mask " + shapeText(mT.getShape()) +
                  " does not fit scores of [.., " + Twine(seq) + ", " +
                  Twine(total) + "]");
    int64_t short_ = total - mT.getDimSize(mT.getRank() - 1);
    if (short_ > 0) {
      // Keys past the mask are masked out.
      SmallVector<int64_t> pads(2 * mT.getRank(), 0);
      pads.back() = short_;
      ASSIGN_OR_FAIL(mask, make<edge::PadOp>(
                               mask, {named("pads", builder.getDenseI64ArrayAttr(pads)),
                                      named("mode", builder.getStringAttr("constant")),
                                      named("value", builder.getF64FloatAttr(
                                                         isBool ? 0.0 : -INFINITY))}));
    }
    if (isBool) {
      ASSIGN_OR_FAIL(bias, make<edge::WhereOp>({mask, zero, negInf}));
    } else {
      bias = mask;
    }
  }
  if (causal) {
    // Query i (at absolute position past + i, or nonpad[b] - seq + i with
    // an external cache) sees keys j <= that position.
    SmallVector<int64_t> rows, cols;
    for (int64_t i = 0; i < seq; ++i)
      rows.push_back(i + (nonpad && !pastK ? 0 : past));
    for (int64_t j = 0; j < total; ++j)
      cols.push_back(j);
    auto i64 = builder.getI64Type();
    Value rowV = constant(DenseElementsAttr::get(
        RankedTensorType::get({seq, 1}, i64), ArrayRef<int64_t>(rows)));
    Value colV = constant(DenseElementsAttr::get(
        RankedTensorType::get({1, total}, i64), ArrayRef<int64_t>(cols)));
    if (nonpad && !pastK) {
      ASSIGN_OR_FAIL(Value np, make<edge::CastOp>(
                                   nonpad, {named("to", TypeAttr::get(i64))}));
      ASSIGN_OR_FAIL(np, reshape(np, {batch, 1, 1, 1}));
      Value s = scalarOf(i64, double(seq));
      ASSIGN_OR_FAIL(np, make<edge::SubOp>({np, s}));
      ASSIGN_OR_FAIL(rowV, make<edge::AddOp>({rowV, np}));
    }
    ASSIGN_OR_FAIL(Value hidden,
                   make<edge::CompareOp>(
                       {colV, rowV}, {named("predicate", builder.getStringAttr("gt"))}));
    ASSIGN_OR_FAIL(Value tri, make<edge::WhereOp>({hidden, negInf, zero}));
    if (bias) {
      ASSIGN_OR_FAIL(bias, make<edge::AddOp>({bias, tri}));
    } else {
      bias = tri;
    }
  }
  if (nonpad) {
    auto npT = typeOf(nonpad);
    if (npT.getRank() != 1 || npT.getDimSize(0) != batch)
      return fail("Attention's nonpad_kv_seqlen must have one entry per batch");
    auto i64 = builder.getI64Type();
    ASSIGN_OR_FAIL(Value np, make<edge::CastOp>(
                                 nonpad, {named("to", TypeAttr::get(i64))}));
    ASSIGN_OR_FAIL(np, reshape(np, {batch, 1, 1, 1}));
    auto cols = llvm::to_vector(llvm::seq<int64_t>(0, total));
    Value colV = constant(DenseElementsAttr::get(
        RankedTensorType::get({1, 1, 1, total}, i64), ArrayRef<int64_t>(cols)));
    ASSIGN_OR_FAIL(Value padded,
                   make<edge::CompareOp>(
                       {colV, np}, {named("predicate", builder.getStringAttr("ge"))}));
    ASSIGN_OR_FAIL(Value pad, make<edge::WhereOp>({padded, negInf, zero}));
    if (bias) {
      ASSIGN_OR_FAIL(bias, make<edge::AddOp>({bias, pad}));
    } else {
      bias = pad;
    }
  }

  // Grouped-query attention: each key/value head serves qHeads / kvHeads
  // consecutive query heads.
  auto repeatHeads = [&](Value x) -> FailureOr<Value> {
    int64_t group = qHeads / kvHeads;
    if (group == 1)
      return x;
    auto s = typeOf(x).getShape();
    ASSIGN_OR_FAIL(Value u, reshape(x, {s[0], s[1], 1, s[2], s[3]}));
    ASSIGN_OR_FAIL(u, make<edge::ExpandOp>(
                          u, {named("shape", builder.getDenseI64ArrayAttr(
                                                 {s[0], s[1], group, s[2], s[3]}))}));
    return reshape(u, {s[0], qHeads, s[2], s[3]});
  };
  ASSIGN_OR_FAIL(k, repeatHeads(k));
  ASSIGN_OR_FAIL(v, repeatHeads(v));

  const onnx::AttributeProto *scaleAttr = attr(n, "scale");
  double scale = scaleAttr ? double(scaleAttr->f())
                           : 1.0 / std::sqrt(double(headSize));
  ASSIGN_OR_FAIL(Value qs, make<edge::MulOp>({q, scalarOf(et, scale)}));
  ASSIGN_OR_FAIL(Value kt, transpose(k, {0, 1, 3, 2}));
  ASSIGN_OR_FAIL(Value scores, make<edge::MatMulOp>({qs, kt}));
  if (softcap > 0.0f) {
    Value cap = scalarOf(et, softcap);
    ASSIGN_OR_FAIL(Value t, make<edge::DivOp>({scores, cap}));
    ASSIGN_OR_FAIL(t, make<edge::TanhOp>(t));
    ASSIGN_OR_FAIL(scores, make<edge::MulOp>({t, cap}));
  }
  Value capped = scores;
  if (bias) {
    ASSIGN_OR_FAIL(scores, make<edge::AddOp>({scores, bias}));
  }
  ASSIGN_OR_FAIL(Value probs,
                 make<edge::SoftmaxOp>(
                     scores, {named("axis", builder.getI64IntegerAttr(3))}));
  ASSIGN_OR_FAIL(Value y, make<edge::MatMulOp>({probs, v}));
  if (rank == 3) {
    auto s = typeOf(y).getShape();
    ASSIGN_OR_FAIL(y, transpose(y, {0, 2, 1, 3}));
    ASSIGN_OR_FAIL(y, reshape(y, {s[0], s[2], s[1] * s[3]}));
  }
  Values results{y};
  auto wanted = [&](int i) { return n.output_size() > i && !n.output(i).empty(); };
  if (wanted(1) || wanted(2)) {
    results.push_back(presentK);
    results.push_back(presentV);
  }
  if (wanted(3)) {
    // Mode 0: the scaled product (softcapped when softcap is set); 1: with
    // the bias added (the softcapped product when softcap is set); 2: with
    // the bias added; 3: the softmax.
    Value out = mode == 0                     ? capped
                : mode == 1 && softcap > 0.0f ? capped
                : mode == 3                   ? probs
                                              : scores;
    while (results.size() < 3)
      results.push_back(presentK);
    results.push_back(out);
  }
  return results;
}

FailureOr<Importer::Values>
Importer::importRotaryEmbedding(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values ops, inputs(n, 3));
  ASSIGN_OR_FAIL(Value positions, optInput(n, 3));
  Value x = ops[0], cosC = ops[1], sinC = ops[2];
  auto xT = typeOf(x);
  Type et = xT.getElementType();
  int64_t rank = xT.getRank();
  if (!isa<FloatType>(et))
    return fail("RotaryEmbedding takes a floating-point input");
  if (rank != 3 && rank != 4)
    return fail("RotaryEmbedding takes a 3-D or 4-D input");
  ASSIGN_OR_FAIL(int64_t interleaved, intAttr(n, "interleaved", 0));
  ASSIGN_OR_FAIL(int64_t numHeads, intAttr(n, "num_heads", 0));
  ASSIGN_OR_FAIL(int64_t rotary, intAttr(n, "rotary_embedding_dim", 0));
  // To [B, S, heads, H].
  Value h;
  if (rank == 4) {
    ASSIGN_OR_FAIL(h, transpose(x, {0, 2, 1, 3}));
  } else {
    if (numHeads <= 0 || xT.getDimSize(2) % numHeads != 0)
      return fail("RotaryEmbedding on a 3-D input needs num_heads dividing "
                  "its hidden size");
    ASSIGN_OR_FAIL(h, reshape(x, {xT.getDimSize(0), xT.getDimSize(1), numHeads,
                                  xT.getDimSize(2) / numHeads}));
  }
  auto hs = typeOf(h).getShape();
  int64_t batch = hs[0], seq = hs[1], headSize = hs[3];
  if (rotary == 0)
    rotary = headSize;
  if (rotary < 0 || rotary > headSize || rotary % 2 != 0)
    return fail("rotary_embedding_dim " + Twine(rotary) +
                " must be even and at most the head size " + Twine(headSize));
  int64_t half = rotary / 2;
  // cos / sin as [B, S, half].
  auto pick = [&](Value cache) -> FailureOr<Value> {
    auto cT = typeOf(cache);
    if (cT.getElementType() != et)
      return fail("RotaryEmbedding's caches must have the input's type");
    Value c = cache;
    if (positions) {
      if (cT.getRank() != 2)
        return fail("RotaryEmbedding with position_ids takes 2-D caches");
      ASSIGN_OR_FAIL(c, make<edge::GatherOp>(
                            {cache, positions},
                            {named("axis", builder.getI64IntegerAttr(0))}));
    }
    auto s = typeOf(c).getShape();
    if (s.size() != 3 || s[0] != batch || s[1] != seq || s[2] < half)
      return fail("RotaryEmbedding's cache " + shapeText(cT.getShape()) +
                  " does not give [" + Twine(batch) + ", " + Twine(seq) +
                  ", " + Twine(half) + "] angles");
    if (s[2] != half) {
      ASSIGN_OR_FAIL(c, sliceLast(c, 0, half, 1));
    }
    return reshape(c, {batch, seq, 1, half});
  };
  ASSIGN_OR_FAIL(Value cosV, pick(cosC));
  ASSIGN_OR_FAIL(Value sinV, pick(sinC));
  ASSIGN_OR_FAIL(Value rot, sliceLast(h, 0, rotary, 1));
  Value x1, x2;
  if (interleaved) {
    ASSIGN_OR_FAIL(x1, sliceLast(rot, 0, half, 2));
    ASSIGN_OR_FAIL(x2, sliceLast(rot, 1, half, 2));
  } else {
    ASSIGN_OR_FAIL(x1, sliceLast(rot, 0, half, 1));
    ASSIGN_OR_FAIL(x2, sliceLast(rot, half, half, 1));
  }
  auto mul = [&](Value a, Value b) { return make<edge::MulOp>({a, b}); };
  ASSIGN_OR_FAIL(Value c1, mul(cosV, x1));
  ASSIGN_OR_FAIL(Value s2, mul(sinV, x2));
  ASSIGN_OR_FAIL(Value s1, mul(sinV, x1));
  ASSIGN_OR_FAIL(Value c2, mul(cosV, x2));
  ASSIGN_OR_FAIL(Value real, make<edge::SubOp>({c1, s2}));
  ASSIGN_OR_FAIL(Value imag, make<edge::AddOp>({s1, c2}));
  Value rotated;
  if (interleaved) {
    SmallVector<int64_t> pairShape(typeOf(real).getShape());
    pairShape.push_back(1);
    ASSIGN_OR_FAIL(Value r, reshape(real, pairShape));
    ASSIGN_OR_FAIL(Value i, reshape(imag, pairShape));
    ASSIGN_OR_FAIL(rotated, concat({r, i}, 4));
    ASSIGN_OR_FAIL(rotated, reshape(rotated, {batch, seq, hs[2], rotary}));
  } else {
    ASSIGN_OR_FAIL(rotated, concat({real, imag}, 3));
  }
  if (rotary < headSize) {
    ASSIGN_OR_FAIL(Value rest, sliceLast(h, rotary, headSize - rotary, 1));
    ASSIGN_OR_FAIL(rotated, concat({rotated, rest}, 3));
  }
  if (rank == 4)
    return single(transpose(rotated, {0, 2, 1, 3}));
  return single(reshape(rotated, xT.getShape()));
}

void Importer::registerAttention() {
  handlers["Attention"] = [this](const onnx::NodeProto &n) {
    return importAttention(n);
  };
  handlers["RotaryEmbedding"] = [this](const onnx::NodeProto &n) {
    return importRotaryEmbedding(n);
  };
}

} // namespace edgec::detail
