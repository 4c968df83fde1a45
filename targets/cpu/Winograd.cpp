//===- Winograd.cpp - 3x3 convolutions with fewer multiplications ---------===//
//
// A 3x3 stride-1 convolution computes each m x m output tile from an
// (m + 2) x (m + 2) input tile. Winograd's minimal filtering (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016) computes
// it as Y = A^T [ (G g G^T) . (B^T d B) ] A: with F(2x2, 3x3), 16 products
// per tile and channel pair instead of 36; with F(4x4, 3x3), 36 instead of
// 144. Over channels, the products are 16 (or 36) matrix products of
// (tiles x C) by (C x F), which the batched-matmul kernel runs at the
// core's peak, and the transforms are sums of shifted slices of the input
// (and of the products), elementwise along the contiguous channels.
//
// Here everything is built from ops the rest of the pipeline already
// vectorizes: the input viewed as (tile row, row in tile, tile column,
// column in tile, channel) so that each shifted slice is a plain slice, one
// elementwise generic per transformed position, the filter transformed at
// compile time, one batched matmul generic, and one elementwise generic per
// output position of the tile (with the convolution's init: the bias).
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <map>

namespace edgec {
#define GEN_PASS_DEF_EDGECPUWINOGRAD
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

/// The matrices of F(m x m, 3 x 3): B^T (alpha x alpha), G (alpha x 3),
/// A^T (m x alpha), alpha = m + 2.
struct Transform {
  int64_t m;
  std::vector<std::vector<double>> bt, g, at;
  int64_t alpha() const { return m + 2; }
};

const Transform &transformFor(int64_t m) {
  static const Transform f2{
      2,
      {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
      {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
      {{1, 1, 1, 0}, {0, 1, -1, -1}}};
  static const Transform f4{
      4,
      {{4, 0, -5, 0, 1, 0},
       {0, -4, -4, 1, 1, 0},
       {0, 4, -4, -1, 1, 0},
       {0, -2, -1, 2, 1, 0},
       {0, 2, -1, -2, 1, 0},
       {0, 4, 0, -5, 0, 1}},
      {{1.0 / 4, 0, 0},
       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
       {1.0 / 24, 1.0 / 12, 1.0 / 6},
       {1.0 / 24, -1.0 / 12, 1.0 / 6},
       {0, 0, 1}},
      {{1, 1, 1, 1, 1, 0},
       {0, 1, -1, 2, -2, 0},
       {0, 1, 1, 4, 4, 0},
       {0, 1, -1, 8, -8, 1}}};
  return m == 4 ? f4 : f2;
}

/// The terms of row u (x) row v of two transform matrices applied to the
/// values value(i, j): the non-zero weights u[i] v[j] and their values.
void outerTerms(const std::vector<double> &u, const std::vector<double> &v,
                llvm::function_ref<Value(int64_t, int64_t)> value,
                SmallVectorImpl<Value> &terms,
                SmallVectorImpl<double> &weights) {
  for (size_t i = 0; i < u.size(); ++i)
    for (size_t j = 0; j < v.size(); ++j)
      if (double w = u[i] * v[j]; w != 0) {
        terms.push_back(value(i, j));
        weights.push_back(w);
      }
}

/// A weighted sum of same-shaped tensors, elementwise (with `init` added
/// when given), of shape `type`.
Value weightedSum(OpBuilder &b, Location loc, ArrayRef<Value> terms,
                  ArrayRef<double> weights, Value init,
                  RankedTensorType type) {
  SmallVector<Value> inputs(terms);
  if (init)
    inputs.push_back(init);
  int64_t rank = type.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps(inputs.size() + 1, id);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  SmallVector<double> w(weights);
  bool withInit = bool(init);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [w, withInit](OpBuilder &nb, Location l, ValueRange args) {
        Type et = args[0].getType();
        Value acc = withInit ? args[w.size()] : Value();
        for (auto [i, weight] : llvm::enumerate(w)) {
          Value term = args[i];
          if (weight == -1) {
            acc = acc ? arith::SubFOp::create(nb, l, acc, term).getResult()
                      : arith::NegFOp::create(nb, l, term).getResult();
            continue;
          }
          if (weight != 1) {
            Value c = arith::ConstantOp::create(
                nb, l, FloatAttr::get(et, weight));
            term = arith::MulFOp::create(nb, l, term, c);
          }
          acc = acc ? arith::AddFOp::create(nb, l, acc, term).getResult()
                    : term;
        }
        linalg::YieldOp::create(nb, l, acc);
      });
  return generic.getResult(0);
}

struct WinogradPass : edgec::impl::EdgeCpuWinogradBase<WinogradPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    edge::TargetAttr target = edgec::lookupTarget(func);
    // Worth it where the transforms are vector code.
    if (!target || target.getVectorBits() < 128 || !target.getFma() ||
        (tile != 0 && tile != 2 && tile != 4))
      return;
    l2Bytes = target.getL2Bytes();
    SmallVector<std::pair<linalg::Conv2DNhwcHwcfOp, int64_t>> convs;
    func.walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      // The larger tile when it pays (fewer products), else the smaller.
      for (int64_t m : {int64_t(4), int64_t(2)})
        if ((tile == 0 || tile == m) && applies(conv, m)) {
          convs.push_back({conv, m});
          break;
        }
    });
    for (auto [conv, m] : convs)
      rewrite(conv, m);
  }

  bool applies(linalg::Conv2DNhwcHwcfOp conv, int64_t m) {
    auto in = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    auto out = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    DenseElementsAttr filter;
    return in.hasStaticShape() && out.hasStaticShape() &&
           in.getElementType().isF32() && out.getElementType().isF32() &&
           filterType.getElementType().isF32() && in.getDimSize(0) == 1 &&
           filterType.getDimSize(0) == 3 && filterType.getDimSize(1) == 3 &&
           llvm::all_of(conv.getStrides().getValues<int64_t>(),
                        [](int64_t s) { return s == 1; }) &&
           llvm::all_of(conv.getDilations().getValues<int64_t>(),
                        [](int64_t d) { return d == 1; }) &&
           matchPattern(conv.getInputs()[1], m_Constant(&filter)) &&
           filterType.getDimSize(2) >= minChannels &&
           filterType.getDimSize(3) >= minChannels &&
           out.getDimSize(1) >= m && out.getDimSize(2) >= m &&
           paysOff(m, out.getDimSize(1), out.getDimSize(2),
                   filterType.getDimSize(2), filterType.getDimSize(3));
  }

  /// The products read each element of the transformed filter, (m + 2)^2
  /// / 9 times the filter's size, once per tile: with too few tiles (the
  /// late, small layers) or a filter that no longer stays in the L2 cache,
  /// the batched matmul waits on memory and the direct convolution, which
  /// reads the smaller filter once per output position, is faster
  /// (resnet18 with F(2x2) on every 3x3 layer: 34 ms; without its 7 x 7 and
  /// 14 x 14 ones: 28.4 ms).
  bool paysOff(int64_t m, int64_t h, int64_t w, int64_t c, int64_t f) {
    int64_t alpha = m + 2;
    int64_t tiles = ((h + m - 1) / m) * ((w + m - 1) / m);
    int64_t filterBytes = alpha * alpha * c * f * 4;
    return tiles >= minTiles && (l2Bytes == 0 || filterBytes <= l2Bytes);
  }

  int64_t l2Bytes = 0;

  void rewrite(linalg::Conv2DNhwcHwcfOp conv, int64_t m) {
    const Transform &t = transformFor(m);
    int64_t alpha = t.alpha();
    OpBuilder b(conv);
    Location loc = conv.getLoc();
    MLIRContext *ctx = &getContext();
    Type f32 = b.getF32Type();
    Value input = conv.getInputs()[0];
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    int64_t h = outType.getDimSize(1), w = outType.getDimSize(2);
    int64_t c = inType.getDimSize(3), f = outType.getDimSize(3);
    int64_t th = (h + m - 1) / m, tw = (w + m - 1) / m;
    // Input rows r = q * m + s for q < tiles + 1: the tiles' windows.
    int64_t rows = (th + 1) * m, cols = (tw + 1) * m;
    auto pad = [&](Value v, int64_t hh, int64_t ww) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t dh = hh - type.getDimSize(1), dw = ww - type.getDimSize(2);
      if (dh == 0 && dw == 0)
        return v;
      Value zero = arith::ConstantOp::create(b, loc, FloatAttr::get(f32, 0));
      auto padded = RankedTensorType::get({1, hh, ww, type.getDimSize(3)}, f32);
      return tensor::PadOp::create(
                 b, loc, padded, v, getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
                 getAsIndexOpFoldResult(ctx, {0, dh, dw, 0}), zero)
          .getResult();
    };
    auto slice = [&](Value v, ArrayRef<int64_t> offsets,
                     ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
                     RankedTensorType type) -> Value {
      return tensor::ExtractSliceOp::create(
          b, loc, type, v, getAsIndexOpFoldResult(ctx, offsets),
          getAsIndexOpFoldResult(ctx, sizes),
          getAsIndexOpFoldResult(ctx, strides));
    };

    // The input as (1, tile rows + 1, m, tile columns + 1, m, C).
    Value padded = pad(input, rows, cols);
    auto d6Type = RankedTensorType::get({1, th + 1, m, tw + 1, m, c}, f32);
    Value d6 = tensor::ExpandShapeOp::create(
        b, loc, d6Type, padded,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}});
    // d[tile row * m + i][tile column * m + j] for all tiles: a slice.
    auto tileType = RankedTensorType::get({th, tw, c}, f32);
    auto shifted = [&](int64_t i, int64_t j) {
      return slice(d6, {0, i / m, i % m, j / m, j % m, 0},
                   {1, th, 1, tw, 1, c}, {1, 1, 1, 1, 1, 1}, tileType);
    };
    std::map<std::pair<int64_t, int64_t>, Value> taps;
    auto tap = [&](int64_t i, int64_t j) {
      Value &v = taps[{i, j}];
      if (!v)
        v = shifted(i, j);
      return v;
    };

    // V[xi][nu] = sum_ij B^T[xi][i] B^T[nu][j] d[i][j], as (alpha^2, T, C).
    int64_t tiles = th * tw;
    auto vType = RankedTensorType::get({alpha * alpha, tiles, c}, f32);
    Value v = tensor::EmptyOp::create(b, loc, vType.getShape(), f32);
    auto flatType = RankedTensorType::get({1, tiles, c}, f32);
    for (int64_t xi = 0; xi < alpha; ++xi)
      for (int64_t nu = 0; nu < alpha; ++nu) {
        SmallVector<Value> terms;
        SmallVector<double> weights;
        outerTerms(t.bt[xi], t.bt[nu], tap, terms, weights);
        Value part = weightedSum(b, loc, terms, weights, Value(), tileType);
        Value flat = tensor::CollapseShapeOp::create(
            b, loc, RankedTensorType::get({tiles, c}, f32), part,
            SmallVector<ReassociationIndices>{{0, 1}, {2}});
        Value row = tensor::ExpandShapeOp::create(
            b, loc, flatType, flat,
            SmallVector<ReassociationIndices>{{0, 1}, {2}});
        v = tensor::InsertSliceOp::create(
            b, loc, row, v,
            getAsIndexOpFoldResult(ctx, {xi * alpha + nu, 0, 0}),
            getAsIndexOpFoldResult(ctx, {1, tiles, c}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1}));
      }

    // U[xi][nu] = G g G^T per (c, f), at compile time, as (alpha^2, C, F).
    DenseElementsAttr filterAttr;
    matchPattern(conv.getInputs()[1], m_Constant(&filterAttr));
    SmallVector<float> g(filterAttr.getValues<float>());
    SmallVector<float> u(alpha * alpha * c * f);
    for (int64_t xi = 0; xi < alpha; ++xi)
      for (int64_t nu = 0; nu < alpha; ++nu)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t fi = 0; fi < f; ++fi) {
            double s = 0;
            for (int64_t k = 0; k < 3; ++k)
              for (int64_t l = 0; l < 3; ++l)
                s += t.g[xi][k] * t.g[nu][l] *
                     double(g[((k * 3 + l) * c + ci) * f + fi]);
            u[((xi * alpha + nu) * c + ci) * f + fi] = float(s);
          }
    auto uType = RankedTensorType::get({alpha * alpha, c, f}, f32);
    Value uConst = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(uType, ArrayRef<float>(u)));

    // M[b] = V[b] x U[b]: a batched matmul over (b, t, f, c).
    auto mType = RankedTensorType::get({alpha * alpha, tiles, f}, f32);
    Value zero = arith::ConstantOp::create(b, loc, FloatAttr::get(f32, 0));
    Value mInit =
        linalg::FillOp::create(
            b, loc, zero,
            tensor::EmptyOp::create(b, loc, mType.getShape(), f32).getResult())
            .getResult(0);
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    auto products = linalg::GenericOp::create(
        b, loc, TypeRange{mType}, ValueRange{v, uConst}, ValueRange{mInit},
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {d0, d1, d3}, ctx),
                            AffineMap::get(4, 0, {d0, d3, d2}, ctx),
                            AffineMap::get(4, 0, {d0, d1, d2}, ctx)},
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::parallel, utils::IteratorType::reduction},
        [](OpBuilder &nb, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(nb, l, args[0], args[1]);
          linalg::YieldOp::create(
              nb, l, arith::AddFOp::create(nb, l, args[2], p).getResult());
        });
    Value mTensor = products.getResult(0);
    auto mTileType = RankedTensorType::get({th, tw, f}, f32);
    std::vector<Value> mTiles(alpha * alpha);
    auto product = [&](int64_t index) {
      Value &p = mTiles[index];
      if (!p) {
        Value flat = slice(mTensor, {index, 0, 0}, {1, tiles, f}, {1, 1, 1},
                           RankedTensorType::get({tiles, f}, f32));
        p = tensor::ExpandShapeOp::create(
            b, loc, mTileType, flat,
            SmallVector<ReassociationIndices>{{0, 1}, {2}});
      }
      return p;
    };

    // Y[tile * m + a][tile * m + b] = init + sum A^T[a][xi] A^T[b][nu] M,
    // each output position of the tiles one elementwise generic, stored
    // into (1, tile rows, m, tile columns, m, F).
    Value init = pad(conv.getOutputs()[0], th * m, tw * m);
    auto y6Type = RankedTensorType::get({1, th, m, tw, m, f}, f32);
    Value y6 = tensor::EmptyOp::create(b, loc, y6Type.getShape(), f32);
    for (int64_t a = 0; a < m; ++a)
      for (int64_t bb = 0; bb < m; ++bb) {
        SmallVector<Value> terms;
        SmallVector<double> weights;
        outerTerms(t.at[a], t.at[bb],
                   [&](int64_t xi, int64_t nu) {
                     return product(xi * alpha + nu);
                   },
                   terms, weights);
        Value initPart = slice(init, {0, a, bb, 0}, {1, th, tw, f},
                               {1, m, m, 1}, mTileType);
        Value part = weightedSum(b, loc, terms, weights, initPart, mTileType);
        y6 = tensor::InsertSliceOp::create(
            b, loc, part, y6, getAsIndexOpFoldResult(ctx, {0, 0, a, 0, bb, 0}),
            getAsIndexOpFoldResult(ctx, {1, th, 1, tw, 1, f}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1, 1, 1, 1}));
      }
    Value y = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({1, th * m, tw * m, f}, f32), y6,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}});
    if (th * m != h || tw * m != w)
      y = slice(y, {0, 0, 0, 0}, {1, h, w, f}, {1, 1, 1, 1}, outType);
    conv.getResult(0).replaceAllUsesWith(y);
    conv.erase();
  }
};
} // namespace
