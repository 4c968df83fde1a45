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
// elementwise generic with an output per transformed position, the filter
// transformed at compile time, one batched matmul generic, and one
// elementwise generic with an output per position of the output tile (with
// the convolution's init: the bias).
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"


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

/// One transform of a grid of tiles, Y = L X R^T for every tile and
/// channel: out[a][b] = init[a][b] + sum_ij L[a][i] R[b][j] x[i][j], as a
/// single elementwise generic over (tile row, tile column, channel) with
/// the grid's positions as its inputs (`x`, row-major, cols of R wide) and
/// one output per (a, b). Its body computes separably, T = L X then
/// T R^T, so a tile's values are read once and combined in registers,
/// with the fewest terms (rows of B^T and A^T have few non-zeros); one op
/// per transform also gives the parallel split one large loop.
SmallVector<Value> transformGeneric(OpBuilder &b, Location loc,
                                    ArrayRef<Value> x,
                                    const std::vector<std::vector<double>> &l,
                                    const std::vector<std::vector<double>> &r,
                                    ArrayRef<Value> inits,
                                    RankedTensorType type) {
  size_t rows = l.size(), inner = l.front().size(), cols = r.size();
  assert(x.size() == inner * inner && "a square grid of positions");
  SmallVector<Value> inputs(x);
  llvm::append_range(inputs, inits);
  SmallVector<Value> outs;
  SmallVector<Type> results(rows * cols, type);
  for (size_t i = 0; i < rows * cols; ++i)
    outs.push_back(tensor::EmptyOp::create(b, loc, type.getShape(),
                                           type.getElementType()));
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + outs.size(), id);
  bool withInit = !inits.empty();
  auto generic = linalg::GenericOp::create(
      b, loc, results, inputs, outs, maps,
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type et = args[0].getType();
        // sum_k w[k] v[k] over the non-zero weights, starting from acc:
        // the positive weights first (no negation to start from), a
        // multiple as one fused multiply-add.
        auto combine = [&](Value acc, ArrayRef<double> w,
                           llvm::function_ref<Value(size_t)> v) -> Value {
          SmallVector<size_t> order;
          for (bool positive : {true, false})
            for (size_t k = 0; k < w.size(); ++k)
              if (w[k] != 0 && (w[k] > 0) == positive)
                order.push_back(k);
          for (size_t k : order) {
            Value term = v(k);
            if (w[k] == 1 || w[k] == -1) {
              if (!acc)
                acc = w[k] == 1
                          ? term
                          : arith::NegFOp::create(nb, nl, term).getResult();
              else if (w[k] == 1)
                acc = arith::AddFOp::create(nb, nl, acc, term);
              else
                acc = arith::SubFOp::create(nb, nl, acc, term);
              continue;
            }
            Value weight =
                arith::ConstantOp::create(nb, nl, FloatAttr::get(et, w[k]));
            acc = acc ? math::FmaOp::create(nb, nl, term, weight, acc)
                            .getResult()
                      : arith::MulFOp::create(nb, nl, term, weight)
                            .getResult();
          }
          return acc ? acc
                     : arith::ConstantOp::create(nb, nl, FloatAttr::get(et, 0))
                           .getResult();
        };
        // T[a][j] = sum_i L[a][i] x[i][j].
        std::vector<Value> t(rows * inner);
        for (size_t a = 0; a < rows; ++a)
          for (size_t j = 0; j < inner; ++j)
            t[a * inner + j] = combine(Value(), l[a], [&](size_t i) {
              return args[i * inner + j];
            });
        // out[a][c] = init + sum_j R[c][j] T[a][j].
        SmallVector<Value> yields;
        for (size_t a = 0; a < rows; ++a)
          for (size_t c = 0; c < cols; ++c) {
            Value init = withInit ? args[x.size() + a * cols + c] : Value();
            yields.push_back(combine(init, r[c], [&](size_t j) {
              return t[a * inner + j];
            }));
          }
        linalg::YieldOp::create(nb, nl, yields);
      });
  return SmallVector<Value>(generic.getResults());
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

    // V[xi][nu] = sum_ij B^T[xi][i] B^T[nu][j] d[i][j], as (alpha^2, T, C).
    int64_t tiles = th * tw;
    auto vType = RankedTensorType::get({alpha * alpha, tiles, c}, f32);
    Value v = tensor::EmptyOp::create(b, loc, vType.getShape(), f32);
    auto flatType = RankedTensorType::get({1, tiles, c}, f32);
    SmallVector<Value> taps;
    for (int64_t i = 0; i < alpha; ++i)
      for (int64_t j = 0; j < alpha; ++j)
        taps.push_back(shifted(i, j));
    SmallVector<Value> vParts =
        transformGeneric(b, loc, taps, t.bt, t.bt, {}, tileType);
    for (auto [index, part] : llvm::enumerate(vParts)) {
      Value flat = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get({tiles, c}, f32), part,
          SmallVector<ReassociationIndices>{{0, 1}, {2}});
      Value row = tensor::ExpandShapeOp::create(
          b, loc, flatType, flat,
          SmallVector<ReassociationIndices>{{0, 1}, {2}});
      v = tensor::InsertSliceOp::create(
          b, loc, row, v,
          getAsIndexOpFoldResult(ctx, {int64_t(index), 0, 0}),
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
    SmallVector<Value> mTiles;
    for (int64_t index = 0; index < alpha * alpha; ++index) {
      Value flat = slice(mTensor, {index, 0, 0}, {1, tiles, f}, {1, 1, 1},
                         RankedTensorType::get({tiles, f}, f32));
      mTiles.push_back(tensor::ExpandShapeOp::create(
          b, loc, mTileType, flat,
          SmallVector<ReassociationIndices>{{0, 1}, {2}}));
    }

    // Y[tile * m + a][tile * m + b] = init + sum A^T[a][xi] A^T[b][nu] M,
    // stored into (1, tile rows, m, tile columns, m, F).
    Value init = pad(conv.getOutputs()[0], th * m, tw * m);
    SmallVector<Value> initParts;
    for (int64_t a = 0; a < m; ++a)
      for (int64_t bb = 0; bb < m; ++bb)
        initParts.push_back(slice(init, {0, a, bb, 0}, {1, th, tw, f},
                                  {1, m, m, 1}, mTileType));
    SmallVector<Value> yParts =
        transformGeneric(b, loc, mTiles, t.at, t.at, initParts, mTileType);
    auto y6Type = RankedTensorType::get({1, th, m, tw, m, f}, f32);
    Value y6 = tensor::EmptyOp::create(b, loc, y6Type.getShape(), f32);
    for (int64_t a = 0; a < m; ++a)
      for (int64_t bb = 0; bb < m; ++bb)
        y6 = tensor::InsertSliceOp::create(
            b, loc, yParts[a * m + bb], y6,
            getAsIndexOpFoldResult(ctx, {0, 0, a, 0, bb, 0}),
            getAsIndexOpFoldResult(ctx, {1, th, 1, tw, 1, f}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1, 1, 1, 1}));
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
