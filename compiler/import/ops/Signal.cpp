//===- Signal.cpp - ONNX importers: signal processing ---------------------===//
//
// The importers of one ONNX op family (registered by registerSignal()):
// DFT, STFT and the window functions, for lengths known at compile time.
// A DFT of length N is two MatMuls with constant N x K cosine and sine
// tables (K = N, or N/2 + 1 bins when onesided), the signal's real and
// imaginary parts on the left:
//
//   forward  Re = xr·C + xi·S,  Im = xi·C - xr·S      (θ = 2πkn/N)
//   inverse  Re = (xr·C - xi·S)/N, Im = (xi·C + xr·S)/N
//
// A onesided inverse takes K = N/2 + 1 bins and returns the real signal,
// the missing bins being the conjugates of the given ones (numpy's irfft).
// STFT gathers its frames with one Gather, multiplies the window and takes
// the DFT of each frame. HannWindow, HammingWindow and BlackmanWindow are
// constants.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

#include <cmath>

using namespace mlir;

namespace edgec::detail {

namespace {
/// cos or sin(2π k n / N) as an [rows, cols] table of `et`, with `scale`
/// per row (by n) applied.
DenseElementsAttr trigTable(Type et, int64_t rows, int64_t cols, int64_t n,
                            bool sine, bool rowIsK, ArrayRef<double> scale) {
  SmallVector<APFloat> values;
  auto ft = cast<FloatType>(et);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      int64_t k = rowIsK ? r : c, i = rowIsK ? c : r;
      double theta = 2.0 * M_PI * double((k * i) % n) / double(n);
      double v = (sine ? std::sin(theta) : std::cos(theta)) *
                 (scale.empty() ? 1.0 : scale[r]);
      APFloat a(v);
      bool lost;
      a.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(a);
    }
  return DenseElementsAttr::get(RankedTensorType::get({rows, cols}, et),
                                values);
}
} // namespace

/// The DFT along the last dim of `re` / `im` (im null: a real signal),
/// padded or cut to `n`; returns [..., K, 2] (or [..., n, 1] for a onesided
/// inverse).
FailureOr<Value> Importer::dft(Value re, Value im, int64_t n, bool inverse,
                               bool onesided) {
  // The transform is a matrix product with an n x bins table built at
  // compile time: bounded like other constants (docs/robustness.md).
  if (n < 1)
    return fail("the DFT has no samples (length " + Twine(n) + ")");
  if (n > kMaxDftLength)
    return fail("a DFT of length " + Twine(n) + ": edgec computes at most " +
                Twine(kMaxDftLength) +
                " points (its tables of cosines and sines are constants)");
  Type et = typeOf(re).getElementType();
  auto fit = [&](Value v, int64_t to) -> FailureOr<Value> {
    int64_t l = typeOf(v).getDimSize(typeOf(v).getRank() - 1);
    if (l > to)
      return sliceLast(v, 0, to, 1);
    if (l < to) {
      int64_t rank = typeOf(v).getRank();
      SmallVector<int64_t> pads(2 * rank, 0);
      pads.back() = to - l;
      return make<edge::PadOp>(
          v, {named("pads", builder.getDenseI64ArrayAttr(pads)),
              named("mode", builder.getStringAttr("constant")),
              named("value", builder.getF64FloatAttr(0.0))});
    }
    return v;
  };
  auto matmul = [&](Value v, DenseElementsAttr table) {
    return make<edge::MatMulOp>({v, constant(table)});
  };
  if (inverse && onesided) {
    // Bins 0..K-1 given, the signal real: x[n] = Σ_k w_k (Re·cos - Im·sin)/N.
    int64_t k = n / 2 + 1;
    ASSIGN_OR_FAIL(Value r, fit(re, k));
    SmallVector<double> w(k, 2.0 / double(n));
    w[0] = 1.0 / double(n);
    if (n % 2 == 0)
      w[k - 1] = 1.0 / double(n);
    ASSIGN_OR_FAIL(Value y, matmul(r, trigTable(et, k, n, n, false, true, w)));
    if (im) {
      ASSIGN_OR_FAIL(Value i, fit(im, k));
      ASSIGN_OR_FAIL(Value s, matmul(i, trigTable(et, k, n, n, true, true, w)));
      ASSIGN_OR_FAIL(y, make<edge::SubOp>({y, s}));
    }
    SmallVector<int64_t> shape(typeOf(y).getShape());
    shape.push_back(1);
    return reshape(y, shape);
  }
  int64_t bins = onesided ? n / 2 + 1 : n;
  SmallVector<double> scale(n, inverse ? 1.0 / double(n) : 1.0);
  DenseElementsAttr cosT = trigTable(et, n, bins, n, false, false, scale);
  DenseElementsAttr sinT = trigTable(et, n, bins, n, true, false, scale);
  ASSIGN_OR_FAIL(Value xr, fit(re, n));
  ASSIGN_OR_FAIL(Value outRe, matmul(xr, cosT));
  ASSIGN_OR_FAIL(Value xrS, matmul(xr, sinT));
  Value outIm;
  if (inverse) {
    outIm = xrS;
  } else {
    ASSIGN_OR_FAIL(outIm, make<edge::NegOp>(xrS));
  }
  if (im) {
    ASSIGN_OR_FAIL(Value xi, fit(im, n));
    ASSIGN_OR_FAIL(Value xiC, matmul(xi, cosT));
    ASSIGN_OR_FAIL(Value xiS, matmul(xi, sinT));
    if (inverse) {
      ASSIGN_OR_FAIL(outRe, make<edge::SubOp>({outRe, xiS}));
    } else {
      ASSIGN_OR_FAIL(outRe, make<edge::AddOp>({outRe, xiS}));
    }
    ASSIGN_OR_FAIL(outIm, make<edge::AddOp>({outIm, xiC}));
  }
  SmallVector<int64_t> shape(typeOf(outRe).getShape());
  shape.push_back(1);
  ASSIGN_OR_FAIL(outRe, reshape(outRe, shape));
  ASSIGN_OR_FAIL(outIm, reshape(outIm, shape));
  return concat({outRe, outIm}, shape.size() - 1);
}

void Importer::registerSignal() {
  handlers["DFT"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    auto t = typeOf(x);
    int64_t rank = t.getRank();
    if (!isa<FloatType>(t.getElementType()) || rank < 3 ||
        (t.getDimSize(rank - 1) != 1 && t.getDimSize(rank - 1) != 2))
      return fail("DFT takes a float [batch, ..., signal, 1 or 2] input");
    int64_t axis;
    if (opset >= 20) {
      axis = -2;
      if (hasInput(n, 2)) {
        ASSIGN_OR_FAIL(SmallVector<int64_t> a, constInts(n, 2, "the axis"));
        if (a.size() != 1)
          return fail("DFT's axis must have one element");
        axis = a[0];
      }
    } else {
      ASSIGN_OR_FAIL(axis, intAttr(n, "axis", 1));
    }
    if (axis < 0)
      axis += rank;
    if (axis < 1 || axis > rank - 2)
      return fail("DFT's axis must be a signal dim (not the batch or the "
                  "complex dim)");
    ASSIGN_OR_FAIL(int64_t inverse, intAttr(n, "inverse", 0));
    ASSIGN_OR_FAIL(int64_t onesided, intAttr(n, "onesided", 0));
    bool complex = t.getDimSize(rank - 1) == 2;
    if (onesided && complex && !inverse)
      return fail("DFT onesided takes a real input");
    int64_t len = t.getDimSize(axis);
    int64_t length = inverse && onesided ? 2 * (len - 1) : len;
    if (hasInput(n, 1)) {
      ASSIGN_OR_FAIL(SmallVector<int64_t> l, constInts(n, 1, "dft_length"));
      if (l.size() != 1 || l[0] < 1)
        return fail("DFT's dft_length must be one positive value");
      length = l[0];
    }

    // [.., signal, .., c] -> [.., c, signal] with the signal last.
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < rank - 1; ++d)
      if (d != axis)
        perm.push_back(d);
    perm.push_back(rank - 1);
    perm.push_back(axis);
    ASSIGN_OR_FAIL(Value moved, transpose(x, perm));
    auto part = [&](int64_t c) -> FailureOr<Value> {
      SmallVector<int64_t> rest(typeOf(moved).getShape());
      rest.erase(rest.begin() + (rank - 2));
      ASSIGN_OR_FAIL(Value v, sliceAxis(moved, rank - 2, c, 1));
      return reshape(v, rest);
    };
    ASSIGN_OR_FAIL(Value re, part(0));
    Value im;
    if (complex) {
      ASSIGN_OR_FAIL(im, part(1));
    }
    ASSIGN_OR_FAIL(Value y, dft(re, im, length, inverse != 0, onesided != 0));
    // [.., K, c] back to the signal at `axis`.
    SmallVector<int64_t> inv(rank);
    for (int64_t d = 0, src = 0; d < rank; ++d) {
      if (d == axis)
        inv[d] = rank - 2;
      else if (d == rank - 1)
        inv[d] = rank - 1;
      else
        inv[d] = src++;
    }
    return single(transpose(y, inv));
  };

  handlers["STFT"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value signal, input(n, 0));
    auto t = typeOf(signal);
    if (t.getRank() != 3 || !isa<FloatType>(t.getElementType()) ||
        (t.getDimSize(2) != 1 && t.getDimSize(2) != 2))
      return fail("STFT takes a float [batch, length, 1 or 2] signal");
    ASSIGN_OR_FAIL(SmallVector<int64_t> stepV, constInts(n, 1, "frame_step"));
    ASSIGN_OR_FAIL(Value window, optInput(n, 2));
    int64_t frameLength = window ? typeOf(window).getDimSize(0) : -1;
    if (hasInput(n, 3)) {
      ASSIGN_OR_FAIL(SmallVector<int64_t> fl, constInts(n, 3, "frame_length"));
      if (fl.size() != 1)
        return fail("STFT's frame_length must have one element");
      frameLength = fl[0];
    }
    ASSIGN_OR_FAIL(int64_t onesided, intAttr(n, "onesided", 1));
    int64_t step = stepV.size() == 1 ? stepV[0] : 0;
    int64_t batch = t.getDimSize(0), length = t.getDimSize(1);
    if (step < 1 || frameLength < 1 || frameLength > length)
      return fail("STFT needs a positive frame_step and a frame length "
                  "between 1 and the signal length");
    if (window && typeOf(window).getDimSize(0) != frameLength)
      return fail("STFT's window must have frame_length entries");
    bool complex = t.getDimSize(2) == 2;
    if (complex && onesided)
      return fail("STFT onesided takes a real signal");
    int64_t frames = (length - frameLength) / step + 1;
    SmallVector<int64_t> idx;
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t k = 0; k < frameLength; ++k)
        idx.push_back(f * step + k);
    ASSIGN_OR_FAIL(Value framed,
                   make<edge::GatherOp>(
                       {signal, i64Constant({frames, frameLength}, idx)},
                       {named("axis", builder.getI64IntegerAttr(1))}));
    // [batch, frames, frameLength, c] -> parts [batch, frames, frameLength]
    auto part = [&](int64_t c) -> FailureOr<Value> {
      ASSIGN_OR_FAIL(Value v, sliceLast(framed, c, 1, 1));
      ASSIGN_OR_FAIL(v, reshape(v, {batch, frames, frameLength}));
      if (window) {
        ASSIGN_OR_FAIL(v, make<edge::MulOp>({v, window}));
      }
      return v;
    };
    ASSIGN_OR_FAIL(Value re, part(0));
    Value im;
    if (complex) {
      ASSIGN_OR_FAIL(im, part(1));
    }
    return single(dft(re, im, frameLength, false, onesided != 0));
  };

  // Windows: w[n] = a0 - a1 cos(2πn/N') + a2 cos(4πn/N'), N' = N
  // (periodic) or N - 1 (symmetric).
  auto window = [this](double a0, double a1, double a2) {
    return [this, a0, a1, a2](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(SmallVector<int64_t> sizeV,
                     shapeInts(n, 0, "the size",
                               [&] { return declaredShape(n); }));
      if (sizeV.size() != 1 || sizeV[0] < 1 || sizeV[0] > kMaxElements)
        return fail(n.op_type() + "'s size must be one positive value");
      int64_t size = sizeV[0];
      ASSIGN_OR_FAIL(int64_t periodic, intAttr(n, "periodic", 1));
      ASSIGN_OR_FAIL(int64_t code, intAttr(n, "output_datatype", 1));
      ASSIGN_OR_FAIL(Type et, elementType(code, nodeLoc, n.op_type() +
                                                             " 'output_datatype'"));
      double denom = periodic ? double(size) : double(size - 1);
      SmallVector<double> w;
      for (int64_t i = 0; i < size; ++i) {
        double x = denom > 0 ? 2.0 * M_PI * double(i) / denom : 0.0;
        w.push_back(a0 - a1 * std::cos(x) + a2 * std::cos(2.0 * x));
      }
      auto f64 = RankedTensorType::get({size}, builder.getF64Type());
      Value c = constant(DenseElementsAttr::get(f64, ArrayRef<double>(w)));
      return single(castTo(c, et));
    };
  };
  handlers["HannWindow"] = window(0.5, 0.5, 0.0);
  handlers["HammingWindow"] = window(25.0 / 46.0, 21.0 / 46.0, 0.0);
  handlers["BlackmanWindow"] = window(0.42, 0.5, 0.08);
}

} // namespace edgec::detail
