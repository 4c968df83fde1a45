//===- Image.cpp - edge to linalg: image resampling ----------------------===//
//
// edge.resize: the sampling positions depend only on shapes and attributes,
// so every output coordinate's input taps and weights are computed here, at
// compile time, in double precision as the ONNX reference does, and become
// constant tables. Nearest is one gather (a linalg.generic extracting from
// the input at the tabled index of every resized dimension); linear and
// cubic resample one dimension at a time (separable, as the reference
// interpolates), each a generic that reduces over the taps.
//
// edge.grid_sample: the positions are data, so the generic computes them
// from the grid at run time: unnormalize, round or find the neighbours,
// apply the padding mode, and sum the weighted taps.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

#include <cmath>

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;
using utils::IteratorType;

namespace {

//===----------------------------------------------------------------------===//
// Resize: the tap tables
//===----------------------------------------------------------------------===//

/// The taps of every output coordinate along one dimension.
struct AxisTaps {
  int64_t width = 0;             // taps per output coordinate
  SmallVector<int32_t> index;    // out x width, inside the input
  SmallVector<double> weight;    // out x width
  SmallVector<bool> outside;     // tf_crop_and_resize: extrapolated
  bool anyOutside = false;
  bool identity = false;         // out[i] = in[i]
};

/// The input coordinate output coordinate `x` maps to (the ONNX reference's
/// formulas, including its use of scale x input size as the output length).
double sourceCoordinate(ResizeOp op, int64_t d, int64_t x, int64_t in,
                        int64_t out) {
  double scale = op.getScales()[d];
  double outWidth = scale * double(in);
  double xr = double(x);
  StringRef mode = op.getCoordinateMode();
  if (mode == "align_corners")
    return outWidth == 1 ? 0.0 : xr * double(in - 1) / (outWidth - 1);
  if (mode == "asymmetric")
    return xr / scale;
  if (mode == "tf_crop_and_resize") {
    int64_t rank = op.getSizes().size();
    double lo = op.getRoi()[d], hi = op.getRoi()[rank + d];
    double xo = outWidth == 1
                    ? (hi - lo) * double(in - 1) / 2
                    : xr * (hi - lo) * double(in - 1) / (outWidth - 1);
    return xo + lo * double(in - 1);
  }
  if (mode == "pytorch_half_pixel")
    return outWidth == 1 ? -0.5 : (xr + 0.5) / scale - 0.5;
  if (mode == "tf_half_pixel_for_nn")
    return (xr + 0.5) / scale;
  if (mode == "half_pixel_symmetric") {
    // The output canvas centred on the input's when the size was rounded.
    double adjustment = double(out) / outWidth;
    double offset = double(in) / 2 * (1 - adjustment);
    return offset + (xr + 0.5) / scale - 0.5;
  }
  return (xr + 0.5) / scale - 0.5; // half_pixel
}

/// The filter weights of the taps from the left neighbour's offset
/// `start` on, for a position `ratio` in (0, 1] past the left neighbour.
SmallVector<double> filterWeights(ResizeOp op, double ratio, double scale,
                                  int64_t count) {
  StringRef mode = op.getMode();
  SmallVector<double> c;
  if (mode == "nearest") {
    StringRef nm = op.getNearestMode();
    bool right = ratio == 1.0 || nm == "ceil" ||
                 (nm == "round_prefer_floor" && ratio > 0.5) ||
                 (nm == "round_prefer_ceil" && ratio >= 0.5);
    if (nm == "floor" && ratio != 1.0)
      right = false;
    return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
  }
  double a = op.getCubicCoeffA().convertToDouble();
  auto cubic = [&](double x) {
    x = std::fabs(x);
    if (x <= 1)
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2)
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0.0;
  };
  // The taps sit at offsets start, start + 1, ... from the left neighbour
  // (count = 2 - 2 start); antialiasing stretches the filter by 1 / scale.
  int64_t start = 1 - count / 2;
  double s = op.getAntialias() ? std::min(scale, 1.0) : 1.0;
  double sum = 0;
  for (int64_t j = 0; j < count; ++j) {
    double t = (double(start + j) - ratio) * s;
    double w = mode == "linear" ? std::clamp(1 - std::fabs(t), 0.0, 1.0)
                                : cubic(t);
    c.push_back(w);
    sum += w;
  }
  if (op.getAntialias() && sum != 0)
    for (double &w : c)
      w /= sum;
  return c;
}

AxisTaps resizeTaps(ResizeOp op, int64_t d) {
  int64_t in = op.getInput().getType().getDimSize(d);
  int64_t out = op.getType().getDimSize(d);
  double scale = op.getScales()[d];
  bool nearest = op.getMode() == "nearest";
  int64_t count = nearest ? 2 : resizeTapCount(op.getMode(),
                                               op.getAntialias(), scale);
  AxisTaps taps;
  taps.width = nearest ? 1 : count;
  bool crop = op.getCoordinateMode() == "tf_crop_and_resize";
  for (int64_t x = 0; x < out; ++x) {
    double xo = sourceCoordinate(op, d, x, in, out);
    bool outside = crop && !(xo >= 0 && xo <= double(in - 1));
    taps.outside.push_back(outside);
    taps.anyOutside |= outside;
    if (outside || !std::isfinite(xo)) {
      taps.index.append(taps.width, 0);
      taps.weight.append(taps.width, 0.0);
      continue;
    }
    xo = std::clamp(xo, -double(kMaxElements), double(kMaxElements));
    // The left neighbour, strictly left of a position between pixels and
    // one left of a pixel position (the ratio is in (0, 1]).
    double fl = std::floor(xo);
    double ratio = xo == fl ? 1.0 : xo - fl;
    int64_t left = int64_t(fl) - (xo == fl ? 1 : 0);
    SmallVector<double> c = filterWeights(op, ratio, scale, count);
    // The `count` nearest pixels of the input extended by count / 2 edge
    // copies on each side.
    int64_t half = count / 2;
    int64_t first = std::clamp(left - half + 1, -half, in + half - count);
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (int64_t j = 0; j < count; ++j) {
        int64_t i = first + j;
        if (i < 0 || i >= in)
          c[j] = 0;
        sum += c[j];
      }
      if (sum != 0)
        for (double &w : c)
          w /= sum;
    }
    auto clampIndex = [&](int64_t i) {
      return int32_t(std::clamp<int64_t>(i, 0, in - 1));
    };
    if (nearest) {
      taps.index.push_back(clampIndex(first + (c[0] != 0 ? 0 : 1)));
      taps.weight.push_back(1.0);
      continue;
    }
    for (int64_t j = 0; j < count; ++j) {
      taps.index.push_back(clampIndex(first + j));
      taps.weight.push_back(c[j]);
    }
  }
  // An unchanged dimension: every coordinate reads its own pixel alone.
  taps.identity = in == out && !taps.anyOutside;
  for (int64_t x = 0; x < out && taps.identity; ++x)
    for (int64_t j = 0; j < taps.width; ++j) {
      double w = taps.weight[x * taps.width + j];
      int32_t i = taps.index[x * taps.width + j];
      if (w != 0 && (w != 1 || i != x))
        taps.identity = false;
    }
  return taps;
}

Value i32Table(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get(shape, b.getI32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, values));
}

Value floatTable(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                 Type et, ArrayRef<double> values) {
  auto ft = cast<FloatType>(et);
  SmallVector<APFloat> v;
  for (double x : values) {
    APFloat f(x);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    v.push_back(f);
  }
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(RankedTensorType::get(shape, et), v));
}

/// Nearest: one gather; a tabled index of -1 is an extrapolated coordinate.
Value nearestResize(OpBuilder &b, Location loc, ResizeOp op, Value input,
                    ArrayRef<AxisTaps> taps) {
  auto outType = op.getType();
  int64_t rank = outType.getRank();
  Type et = tensorType(input).getElementType();
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> tables;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> tabled;
  bool extrapolate = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (taps[d].identity)
      continue;
    SmallVector<int32_t> index(taps[d].index);
    for (auto [x, out] : llvm::enumerate(taps[d].outside))
      if (out)
        index[x] = -1;
    extrapolate |= taps[d].anyOutside;
    tables.push_back(i32Table(b, loc, outType.getDimSize(d), index));
    maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(d, ctx)));
    tabled.push_back(d);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = empty(b, loc, outType.getShape(), et);
  double fill = op.getExtrapolationValue().convertToDouble();
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), tables, init, maps, parallel(rank),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, nl, d));
        Value outside;
        Value zero = arith::ConstantIntOp::create(nb, nl, 0, 32);
        for (auto [k, d] : llvm::enumerate(tabled)) {
          Value i = a[k];
          if (extrapolate) {
            Value neg = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::slt, i, zero);
            outside = outside ? arith::OrIOp::create(nb, nl, outside, neg)
                              : neg;
            i = arith::MaxSIOp::create(nb, nl, i, zero);
          }
          at[d] = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), i);
        }
        Value v = tensor::ExtractOp::create(nb, nl, input, at);
        if (outside)
          v = arith::SelectOp::create(nb, nl, outside,
                                      scalarConst(nb, nl, et, fill), v);
        linalg::YieldOp::create(nb, nl, v);
      });
  return generic.getResult(0);
}

/// Linear and cubic along dimension `d`: out = sum over the taps of
/// weight x input (the extrapolation value where the position is outside),
/// computed and returned in `et` (input elements are extended to it).
Value resampleAxis(OpBuilder &b, Location loc, Value input, int64_t d,
                   int64_t outSize, const AxisTaps &taps, double fill,
                   Type et) {
  auto inType = tensorType(input);
  int64_t rank = inType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape(inType.getShape());
  shape[d] = outSize;
  Value index = i32Table(b, loc, {outSize, taps.width}, taps.index);
  Value weight = floatTable(b, loc, {outSize, taps.width}, et, taps.weight);
  Value init;
  if (taps.anyOutside) {
    SmallVector<int64_t> biasShape(rank, 1);
    biasShape[d] = outSize;
    SmallVector<double> bias;
    for (bool out : taps.outside)
      bias.push_back(out ? fill : 0.0);
    Value table = floatTable(b, loc, biasShape, et, bias);
    init = elementwise(b, loc, table, shape, et,
                       [](OpBuilder &, Location, ValueRange a) -> Value {
                         return a[0];
                       });
  } else {
    init = filled(b, loc, shape, et, 0.0);
  }
  AffineMap tableMap = AffineMap::get(
      rank + 1, 0, {getAffineDimExpr(d, ctx), getAffineDimExpr(rank, ctx)},
      ctx);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
  SmallVector<IteratorType> iterators = parallel(rank);
  iterators.push_back(IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{index, weight}, init,
      ArrayRef<AffineMap>{tableMap, tableMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        SmallVector<Value> at;
        for (int64_t i = 0; i < rank; ++i)
          at.push_back(i == d ? Value(arith::IndexCastOp::create(
                                    nb, nl, nb.getIndexType(), a[0]))
                              : Value(linalg::IndexOp::create(nb, nl, i)));
        Value v = tensor::ExtractOp::create(nb, nl, input, at);
        if (v.getType() != et)
          v = arith::ExtFOp::create(nb, nl, et, v);
        Value r = arith::AddFOp::create(
            nb, nl, a[2], arith::MulFOp::create(nb, nl, a[1], v));
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    SmallVector<AxisTaps> taps;
    for (int64_t d = 0; d < rank; ++d)
      taps.push_back(resizeTaps(op, d));
    Value v = adaptor.getInput();
    if (op.getMode() == "nearest") {
      v = nearestResize(rewriter, loc, op, v, taps);
    } else {
      // The innermost dimension first, as the reference nests its loops;
      // narrower floats (float16, bfloat16) are interpolated in float32.
      Type et = op.getType().getElementType();
      Type ct = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
      for (int64_t d = rank - 1; d >= 0; --d)
        if (!taps[d].identity)
          v = resampleAxis(rewriter, loc, v, d, op.getType().getDimSize(d),
                           taps[d],
                           op.getExtrapolationValue().convertToDouble(), ct);
      if (tensorType(v).getElementType() != et)
        v = elementwise(rewriter, loc, v, op.getType().getShape(), et,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::TruncFOp::create(nb, nl, et, a[0]);
                        });
    }
    rewriter.replaceOp(op, v);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

/// Arithmetic on scalars of one float type, for the grid sampling body.
struct FloatMath {
  OpBuilder &b;
  Location l;
  Type t;
  Value c(double v) { return scalarConst(b, l, t, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value floor(Value x) { return math::FloorOp::create(b, l, x); }
  Value lt(Value x, Value y) {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, y);
  }
  Value gt(Value x, Value y) {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, y);
  }
  Value ge(Value x, Value y) {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, x, y);
  }
  Value eq(Value x, Value y) {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, l, c, x, y);
  }
  Value clamp(Value x, double lo, double hi) {
    x = arith::MaximumFOp::create(b, l, x, c(lo));
    return arith::MinimumFOp::create(b, l, x, c(hi));
  }
  Value convert(Value x, Type to) {
    Type from = x.getType();
    if (from == to)
      return x;
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, l, to, x);
    return arith::TruncFOp::create(b, l, to, x);
  }
  /// `x` reflected at `lo` and `hi` until it lies between them.
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    if (range <= 0)
      return c(lo);
    Value below = lt(x, c(lo)), above = gt(x, c(hi));
    Value dx = select(below, sub(c(lo), x), sub(x, c(hi)));
    Value n = floor(div(dx, c(range)));
    Value r = sub(dx, mul(n, c(range)));
    Value halfN = mul(n, c(0.5));
    Value even = eq(floor(halfN), halfN);
    Value fromLo = add(c(lo), r), fromHi = sub(c(hi), r);
    Value belowR = select(even, fromLo, fromHi);
    Value aboveR = select(even, fromHi, fromLo);
    return select(below, belowR, select(above, aboveR, x));
  }
};

/// One interpolation tap along one dimension: the (float) pixel position,
/// its weight, and whether it lies inside the input (zeros padding).
struct GridTap {
  Value index, weight, valid;
};

struct GridSampleLowering : OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = op.getType();
    auto inType = op.getInput().getType();
    int64_t rank = outType.getRank(), spatial = rank - 2;
    Type et = outType.getElementType();
    Type gt = op.getGrid().getType().getElementType();
    Type ct = et.isF64() || gt.isF64() ? Type(rewriter.getF64Type())
                                       : Type(rewriter.getF32Type());
    Value input = adaptor.getInput();
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool align = op.getAlignCorners();
    // Grid component k holds the position along spatial dim spatial-1-k.
    SmallVector<AffineMap> maps;
    SmallVector<Value> grids;
    for (int64_t j = 0; j < spatial; ++j) {
      SmallVector<AffineExpr> e{getAffineDimExpr(0, ctx)};
      for (int64_t i = 2; i < rank; ++i)
        e.push_back(getAffineDimExpr(i, ctx));
      e.push_back(getAffineConstantExpr(spatial - 1 - j, ctx));
      maps.push_back(AffineMap::get(rank, 0, e, ctx));
      grids.push_back(adaptor.getGrid());
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = empty(rewriter, loc, outType.getShape(), et);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), grids, init, maps, parallel(rank),
        [&](OpBuilder &b, Location l, ValueRange a) {
          FloatMath m{b, l, ct};
          SmallVector<SmallVector<GridTap>> taps(spatial);
          for (int64_t j = 0; j < spatial; ++j) {
            double len = double(inType.getDimSize(2 + j));
            double lo = align ? 0.0 : -0.5, hi = align ? len - 1 : len - 0.5;
            Value g = m.convert(a[j], ct);
            Value x = align ? m.mul(m.div(m.add(g, m.c(1)), m.c(2)),
                                    m.c(len - 1))
                            : m.div(m.sub(m.mul(m.add(g, m.c(1)), m.c(len)),
                                          m.c(1)),
                                    m.c(2));
            if (mode == "nearest") // halves to even, in every rank
              x = math::RoundEvenOp::create(b, l, x);
            if (padding == "border")
              x = m.select(arith::OrIOp::create(b, l, m.lt(x, m.c(lo)),
                                                m.gt(x, m.c(hi))),
                           m.clamp(x, 0, len - 1), x);
            else if (padding == "reflection")
              x = m.reflect(x, lo, hi);
            // The pixel each tap reads under the padding mode.
            auto tap = [&](Value pos, Value w) {
              GridTap t{pos, w, Value()};
              if (padding == "zeros")
                t.valid = arith::AndIOp::create(b, l, m.ge(pos, m.c(0)),
                                                m.lt(pos, m.c(len)));
              else if (padding == "reflection")
                t.index = math::TruncOp::create(b, l, m.reflect(pos, lo, hi));
              t.index = m.clamp(t.index, 0, len - 1);
              return t;
            };
            if (mode == "nearest") {
              taps[j].push_back(tap(math::TruncOp::create(b, l, x), m.c(1)));
              continue;
            }
            Value x0 = m.floor(x);
            Value t = m.sub(x, x0);
            if (mode == "linear") {
              taps[j].push_back(tap(x0, m.sub(m.c(1), t)));
              taps[j].push_back(tap(m.add(x0, m.c(1)), t));
              continue;
            }
            // Cubic convolution (Keys, A = -0.75) at distances t + 1, t,
            // 1 - t and 2 - t.
            const double A = -0.75;
            auto near = [&](Value s) { // |s| <= 1
              return m.add(m.mul(m.mul(m.sub(m.mul(m.c(A + 2), s),
                                             m.c(A + 3)),
                                       s),
                                 s),
                           m.c(1));
            };
            auto far = [&](Value s) { // 1 < |s| < 2
              Value r = m.sub(m.mul(m.c(A), s), m.c(5 * A));
              r = m.add(m.mul(r, s), m.c(8 * A));
              return m.sub(m.mul(r, s), m.c(4 * A));
            };
            Value one = m.c(1);
            taps[j].push_back(tap(m.sub(x0, one), far(m.add(t, one))));
            taps[j].push_back(tap(x0, near(t)));
            taps[j].push_back(tap(m.add(x0, one), near(m.sub(one, t))));
            taps[j].push_back(
                tap(m.add(x0, m.c(2)), far(m.sub(m.c(2), t))));
          }
          // Every combination of the dimensions' taps.
          Value acc = m.c(0);
          SmallVector<size_t> pick(spatial, 0);
          while (true) {
            SmallVector<Value> at{linalg::IndexOp::create(b, l, 0),
                                  linalg::IndexOp::create(b, l, 1)};
            Value w, valid;
            for (int64_t j = 0; j < spatial; ++j) {
              const GridTap &t = taps[j][pick[j]];
              w = w ? m.mul(w, t.weight) : t.weight;
              if (t.valid)
                valid = valid ? arith::AndIOp::create(b, l, valid, t.valid)
                              : t.valid;
              Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), t.index);
              at.push_back(
                  arith::IndexCastOp::create(b, l, b.getIndexType(), i));
            }
            Value v = m.convert(tensor::ExtractOp::create(b, l, input, at), ct);
            Value term = m.mul(w, v);
            if (valid)
              term = m.select(valid, term, m.c(0));
            acc = m.add(acc, term);
            int64_t j = spatial - 1;
            while (j >= 0 && ++pick[j] == taps[j].size())
              pick[j--] = 0;
            if (j < 0)
              break;
          }
          linalg::YieldOp::create(b, l, m.convert(acc, et));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateImageLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, GridSampleLowering>(patterns.getContext());
}
} // namespace edgec::lowering
