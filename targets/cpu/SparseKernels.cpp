//===- SparseKernels.cpp - sparse x dense kernels over compressed weights -===//
//
// edge-cpu-sparse-kernels (Passes.td): a 1x1 convolution or a matrix
// product whose constant weight is sparse enough becomes a kernel that
// multiplies only by the nonzero weights, stored compressed (CSR: per
// output channel the positions and values of its nonzeros).
//
// The kernel computes Y^T = W^T X^T: with the activations transposed to
// (K, M) (M the output positions, K the reduction), each output channel n
// is, for every tile of `lanes x 4` positions, a sum over n's nonzeros
// w[k, n] of the rows X^T[k, tile]: one vector load and one broadcast FMA
// per nonzero and vector, so the zeros cost nothing and any sparsity
// pattern (unstructured included) is used. This is the formulation of
// XNNPACK's sparse inference (Elsen et al., "Fast Sparse ConvNets", CVPR
// 2020), whose kernels read channels-first activations; here the
// channels-last tensors are transposed around the kernel instead.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include <algorithm>
#include <cmath>
#include <functional>

namespace edgec {
#define GEN_PASS_DEF_EDGECPUSPARSEKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

/// A weight (K x N, the reduction by the output channels) in CSR by
/// output channel: f32 values, or int8 ones (a quantized layer's, whose
/// kernel multiplies int8 activations into int32 sums).
struct Csr {
  int64_t k = 0, n = 0;
  bool int8 = false;
  std::vector<int32_t> starts; // n + 1
  std::vector<int32_t> rows;   // the k of each nonzero
  std::vector<float> values;   // int8 ones exactly as floats
  /// Rows fit int16 (the csr16 format).
  bool narrow() const { return k <= 32767; }
  int64_t valueBytes() const { return int8 ? 1 : 4; }
  int64_t weights() const { return k * n; }
  double sparsity() const {
    return 1.0 - double(values.size()) / double(weights());
  }
  int64_t bytes() const {
    return int64_t(values.size()) * (valueBytes() + (narrow() ? 2 : 4)) +
           int64_t(starts.size()) * 4;
  }
  std::string format() const {
    return std::string(narrow() ? "csr16" : "csr32") + (int8 ? "-i8" : "");
  }
};

/// W[k][n] = at(k, n) of a K x N constant.
template <typename At> Csr compress(int64_t k, int64_t n, bool int8, At at) {
  Csr c;
  c.k = k;
  c.n = n;
  c.int8 = int8;
  c.starts.push_back(0);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < k; ++i)
      if (float v = at(i, j); v != 0.0f) {
        c.rows.push_back(int32_t(i));
        c.values.push_back(v);
      }
    c.starts.push_back(int32_t(c.values.size()));
  }
  return c;
}

/// A K x N f32 weight in block CSR by groups of `lanes` output channels:
/// a block is one k of `lanes` consecutive channels, stored when any of
/// its weights is nonzero (what --prune-block=target leaves on a CPU).
struct Bcsr {
  int64_t k = 0, n = 0, lanes = 0;
  std::vector<int32_t> starts; // n / lanes + 1
  std::vector<int32_t> cols;   // the k of each stored block
  std::vector<float> values;   // lanes per stored block
  int64_t blocks() const { return int64_t(cols.size()); }
  double blockSparsity() const {
    return 1.0 - double(blocks()) / double(k * (n / lanes));
  }
  int64_t bytes() const {
    return blocks() * (lanes * 4 + 2) + int64_t(starts.size()) * 4;
  }
  std::string format() const {
    return "bcsr16-" + std::to_string(lanes) + "x1";
  }
};

/// The block CSR of W[k][n] = at(k, n); N a multiple of lanes, K < 32768.
template <typename At>
Bcsr compressBlocks(int64_t k, int64_t n, int64_t lanes, At at) {
  Bcsr c;
  c.k = k;
  c.n = n;
  c.lanes = lanes;
  c.starts.push_back(0);
  for (int64_t j0 = 0; j0 < n; j0 += lanes) {
    for (int64_t i = 0; i < k; ++i) {
      bool any = false;
      for (int64_t j = j0; j < j0 + lanes; ++j)
        any |= at(i, j) != 0.0f;
      if (!any)
        continue;
      c.cols.push_back(int32_t(i));
      for (int64_t j = j0; j < j0 + lanes; ++j)
        c.values.push_back(at(i, j));
    }
    c.starts.push_back(int32_t(c.cols.size()));
  }
  return c;
}

/// The init as a per-channel vector when it is one broadcast along the
/// output positions (the bias), else null.
Value broadcastBias(Value init, int64_t n) {
  auto g = init.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1)
    return {};
  Value in = g.getDpsInputs()[0];
  auto inType = dyn_cast<RankedTensorType>(in.getType());
  AffineMap map = g.getIndexingMapsArray()[0];
  auto &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!inType || inType.getRank() != 1 || inType.getDimSize(0) != n ||
      map.getNumResults() != 1 ||
      map.getResult(0) !=
          getAffineDimExpr(map.getNumDims() - 1, g.getContext()) ||
      !g.getIndexingMapsArray()[1].isIdentity() ||
      body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return {};
  return in;
}

struct SparseKernelsPass
    : edgec::impl::EdgeCpuSparseKernelsBase<SparseKernelsPass> {
  using EdgeCpuSparseKernelsBase::EdgeCpuSparseKernelsBase;

  int64_t lanes = 0;
  SmallVector<Attribute> report;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    report.clear(); // one pass instance runs on many functions
    edge::TargetAttr target = edgec::lookupTarget(func);
    if (!target || target.getVectorBits() < 128)
      return;
    lanes = target.getVectorBits() / 32;
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp, linalg::GenericOp>(
              op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op))
        rewriteConv(conv);
      else if (auto mm = dyn_cast<linalg::MatmulOp>(op))
        rewriteMatmul(mm);
      else
        rewriteGather(cast<linalg::GenericOp>(op));
    }
    // A function pass may only touch its own function (functions run in
    // parallel), so the record lives on the function; the report gathers
    // every function's records in module order.
    if (!report.empty())
      func->setAttr("edge.sparse_kernels",
                    ArrayAttr::get(&getContext(), report));
  }

  /// The sparsity from which the kernel beats the dense one for `m` rows
  /// (positions), unless `min-sparsity` fixes one. Per nonzero the kernel
  /// loads an index and a value and broadcasts it, and each pass over the
  /// nonzeros re-reads them and X^T's rows: with few vectors of positions
  /// that overhead is paid per few FMAs, and the last vector's unused lanes
  /// are FMAs too. Relative to the dense kernel's cost per FMA the sparse
  /// one's is padded/used x (1 + kPassCost / sqrt(vectors)), so it is
  /// faster once (1 - sparsity) times that is below 1. kPassCost is fitted
  /// to benchmarks/sparse_breakeven.py's measurements (mobilenet-v2's 1x1
  /// layers, AVX-512 on an Intel Xeon with 8 chains; it was 6 with 4 chains
  /// on a Zen 4): break-even about 0.5 at 56 x 56 and 28 x 28, 0.55 at
  /// 14 x 14, 0.77 at 7 x 7 with 16 lanes. An int8 product costs the
  /// sparse kernel three instructions per vector (widen, multiply, add)
  /// where the dense kernel's dot product instruction does four products
  /// per lane: kInt8Cost times the float ratio, measured (docs/pruning.md).
  double breakEven(int64_t m, bool int8) const {
    if (minSparsity >= 0)
      return minSparsity;
    return std::max(kFloor, 1.0 - 1.0 / csrCost(m, int8));
  }
  /// The CSR kernel's time per nonzero over the dense kernel's per weight.
  double csrCost(int64_t m, bool int8) const {
    double cost = 1.0;
    if (m >= lanes) { // else the one-row form: no vectors of positions
      double vectors = double(m) / double(lanes);
      cost =
          std::ceil(vectors) / vectors * (1.0 + kPassCost / std::sqrt(vectors));
    }
    return int8 ? cost * kInt8Cost : cost;
  }

  /// Whether the weight is sparse enough; records the layers that are.
  bool worthIt(Operation *op, const Csr &c, int64_t m) {
    if (c.sparsity() < breakEven(m, c.int8) ||
        double(c.values.size()) / double(c.n) < minNonzeros)
      return false;
    record(op, c, c.format());
    return true;
  }

  /// The report's record of a layer compiled over its nonzeros.
  void record(Operation *op, const Csr &c, StringRef format) {
    record(op, format, int64_t(c.values.size()), c.weights(), c.bytes(),
           c.weights() * c.valueBytes());
  }
  void record(Operation *op, StringRef format, int64_t nonzeros,
              int64_t weights, int64_t bytes, int64_t denseBytes) {
    Builder b(&getContext());
    report.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("layer", b.getStringAttr(edge::layerName(op))),
         b.getNamedAttr("format", b.getStringAttr(format)),
         b.getNamedAttr("nonzeros", b.getI64IntegerAttr(nonzeros)),
         b.getNamedAttr("weights", b.getI64IntegerAttr(weights)),
         b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes)),
         b.getNamedAttr("dense_bytes", b.getI64IntegerAttr(denseBytes))}));
  }

  /// The weight in block CSR, when the block kernel applies: f32, N a
  /// whole number of vectors, K within int16.
  std::optional<Bcsr> blockCandidate(int64_t k, int64_t n,
                                     const std::vector<float> &w) const {
    if (n % lanes != 0 || k > 32767)
      return std::nullopt;
    return compressBlocks(k, n, lanes,
                          [&](int64_t i, int64_t j) { return w[i * n + j]; });
  }

  /// Whether the block kernel runs the layer (records it when it does):
  /// it does a dense kernel's work per stored block, on the channels-last
  /// layout, at an assumed kBlockCost times the dense kernel's time per
  /// weight, so it pays from kBlockFloor zero blocks (or `min-sparsity`:
  /// a block-pruned layer has exactly its fraction) unless the CSR kernel
  /// is cheaper still (unstructured zeros leave few whole blocks: at 80 %
  /// with 16 lanes 3 % of them, with NEON's 4 lanes 41 %).
  bool blocksWin(Operation *op, const std::optional<Bcsr> &bc, const Csr &c,
                 int64_t m) {
    double floor = minSparsity >= 0 ? minSparsity : kBlockFloor;
    // (Some blocks zero, and some stored: an all-zero weight would leave
    // zero-sized constants.)
    if (!bc || bc->blocks() == 0 || bc->blockSparsity() <= 0 ||
        bc->blockSparsity() < floor)
      return false;
    bool csrApplies = c.sparsity() >= breakEven(m, c.int8) &&
                      double(c.values.size()) / double(c.n) >= minNonzeros;
    double blockTime = (1.0 - bc->blockSparsity()) * kBlockCost;
    double csrTime = (1.0 - c.sparsity()) * csrCost(m, c.int8);
    if (csrApplies && csrTime < blockTime)
      return false;
    record(op, bc->format(), int64_t(c.values.size()), c.weights(), bc->bytes(),
           c.weights() * 4);
    return true;
  }

  void rewriteConv(linalg::Conv2DNhwcHwcfOp conv) {
    auto in = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto out = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    DenseElementsAttr filter;
    if (!in.hasStaticShape() || !out.hasStaticShape() ||
        !in.getElementType().isF32() || !out.getElementType().isF32() ||
        in.getDimSize(0) != 1 ||
        !matchPattern(conv.getInputs()[1], m_Constant(&filter)) ||
        !filter.getElementType().isF32())
      return;
    auto fType = cast<RankedTensorType>(filter.getType());
    if (fType.getDimSize(0) != 1 || fType.getDimSize(1) != 1 ||
        !llvm::all_of(conv.getStrides().getValues<int64_t>(),
                      [](int64_t s) { return s == 1; }) ||
        in.getDimSize(1) != out.getDimSize(1) ||
        in.getDimSize(2) != out.getDimSize(2))
      return;
    int64_t k = fType.getDimSize(2), n = fType.getDimSize(3);
    std::vector<float> w(filter.getValues<float>().begin(),
                         filter.getValues<float>().end());
    std::optional<Bcsr> blocked = blockCandidate(k, n, w);
    Csr c = compress(k, n, /*int8=*/false,
                     [&](int64_t i, int64_t j) { return w[i * n + j]; });
    int64_t positions = in.getDimSize(1) * in.getDimSize(2);
    bool useBlocks = blocksWin(conv, blocked, c, positions);
    if (!useBlocks && !worthIt(conv, c, positions))
      return;
    OpBuilder b(conv);
    Location loc = conv.getLoc();
    int64_t m = in.getDimSize(1) * in.getDimSize(2);
    Value x = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, b.getF32Type()),
        conv.getInputs()[0], ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    Value init = conv.getOutputs()[0];
    Value bias = broadcastBias(init, n);
    Value init2d = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, n}, b.getF32Type()), init,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    Value y = useBlocks ? buildBlocks(b, loc, x, init2d, bias, m, *blocked)
                        : build(b, loc, x, init2d, bias, m, c);
    Value result = tensor::ExpandShapeOp::create(
        b, loc, out, y, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    conv->getResult(0).replaceAllUsesWith(result);
    conv->erase();
  }

  void rewriteMatmul(linalg::MatmulOp mm) {
    auto lhs = cast<RankedTensorType>(mm.getInputs()[0].getType());
    auto out = cast<RankedTensorType>(mm.getOutputs()[0].getType());
    DenseElementsAttr rhs;
    // f32, or int8 x int8 into int32 sums (a quantized layer; the operands
    // sign-extended, as linalg.matmul's default cast does).
    auto isI8 = [](Type t) { return t.isSignlessInteger(8); };
    bool int8 = isI8(lhs.getElementType()) &&
                out.getElementType().isSignlessInteger(32) &&
                mm.getCast() == linalg::TypeFn::cast_signed;
    if (!lhs.hasStaticShape() ||
        !(int8 ||
          (lhs.getElementType().isF32() && out.getElementType().isF32())) ||
        !mm.getIndexingMaps().empty() && !isDefaultMaps(mm) ||
        !matchPattern(mm.getInputs()[1], m_Constant(&rhs)) ||
        rhs.getElementType() != lhs.getElementType())
      return;
    int64_t k = lhs.getDimSize(1), n = out.getDimSize(1);
    std::vector<float> w;
    if (int8)
      for (const APInt &v : rhs.getValues<APInt>())
        w.push_back(float(v.getSExtValue()));
    else
      w.assign(rhs.getValues<float>().begin(), rhs.getValues<float>().end());
    Csr c = compress(k, n, int8,
                     [&](int64_t i, int64_t j) { return w[i * n + j]; });
    std::optional<Bcsr> blocked = int8 ? std::nullopt : blockCandidate(k, n, w);
    bool useBlocks = blocksWin(mm, blocked, c, lhs.getDimSize(0));
    if (!useBlocks && !worthIt(mm, c, lhs.getDimSize(0)))
      return;
    OpBuilder b(mm);
    Value init = mm.getOutputs()[0];
    Value bias = broadcastBias(init, n);
    if (useBlocks) {
      Value y = buildBlocks(b, mm.getLoc(), mm.getInputs()[0], init, bias,
                            lhs.getDimSize(0), *blocked);
      mm->getResult(0).replaceAllUsesWith(y);
      mm->erase();
      return;
    }
    // Fewer rows than a vector (a classifier's one): a dot product of each
    // output channel's nonzeros with the row, no transposes.
    Value y = lhs.getDimSize(0) < lanes
                  ? buildRows(b, mm.getLoc(), mm.getInputs()[0], init, bias,
                              lhs.getDimSize(0), c)
                  : build(b, mm.getLoc(), mm.getInputs()[0], init, bias,
                          lhs.getDimSize(0), c);
    mm->getResult(0).replaceAllUsesWith(y);
    mm->erase();
  }

  /// A Gather of rows of a constant matrix (an embedding table), as the
  /// linalg lowering writes it: a generic over the output whose body reads
  /// table[row(index), last loop] with tensor.extract, the row computed
  /// from the index input alone (normalized and clamped). With the table
  /// sparse enough (at least `min-sparsity`, else half zero: stored in CSR
  /// by row it is then smaller), the output is zero-filled and each
  /// position's row scattered from its nonzeros: the table is stored
  /// compressed.
  void rewriteGather(linalg::GenericOp g) {
    if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
        g.getNumReductionLoops() != 0 || g->getNumResults() != 1 ||
        !g.getIndexingMapsArray().back().isIdentity())
      return;
    auto outType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
    Block &body = g.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto extract = yield.getOperand(0).getDefiningOp<tensor::ExtractOp>();
    DenseElementsAttr table;
    int64_t rank = outType ? outType.getRank() : 0;
    if (!outType || !outType.hasStaticShape() || rank < 1 || !extract ||
        extract->getBlock() != &body || !outType.getElementType().isF32() ||
        !matchPattern(extract.getTensor(), m_Constant(&table)) ||
        !table.getElementType().isF32() ||
        cast<RankedTensorType>(table.getType()).getRank() != 2)
      return;
    auto tableType = cast<RankedTensorType>(table.getType());
    int64_t tableRows = tableType.getDimSize(0), cols = tableType.getDimSize(1);
    auto column = extract.getIndices()[1].getDefiningOp<linalg::IndexOp>();
    if (!column || column.getDim() != uint64_t(rank - 1) ||
        outType.getDimSize(rank - 1) != cols)
      return;
    // The row: computed in the body from the index (block argument 0) and
    // the outer loops' positions, by ops without side effects.
    SmallVector<Operation *> rowOps;
    SmallVector<Value> work{extract.getIndices()[0]};
    llvm::SmallPtrSet<Operation *, 8> seen;
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        if (arg.getOwner() != &body || arg.getArgNumber() != 0)
          return;
        continue;
      }
      Operation *def = v.getDefiningOp();
      if (def->getBlock() != &body) // a constant from outside
        continue;
      if (auto index = dyn_cast<linalg::IndexOp>(def))
        if (index.getDim() == uint64_t(rank - 1))
          return;
      if (!isPure(def) || def->getNumRegions() != 0)
        return;
      if (seen.insert(def).second) {
        rowOps.push_back(def);
        llvm::append_range(work, def->getOperands());
      }
    }
    llvm::sort(rowOps, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    // The index input must not vary along the last loop.
    AffineMap inMap = g.getIndexingMapsArray().front();
    if (inMap.isFunctionOfDim(rank - 1) || !inMap.isProjectedPermutation())
      return;
    std::vector<float> w(table.getValues<float>().begin(),
                         table.getValues<float>().end());
    // CSR by table row: "channels" are the table's rows, "rows" its columns.
    Csr c =
        compress(cols, tableRows, /*int8=*/false,
                 [&](int64_t col, int64_t row) { return w[row * cols + col]; });
    if (c.sparsity() < (minSparsity >= 0 ? minSparsity : kFloor))
      return;
    record(g, c, c.format() + "-rows");

    OpBuilder b(g);
    Location loc = g.getLoc();
    CsrValues csr = constants(b, loc, c);
    Value zeroF = zeroOf(b, loc, b.getF32Type());
    Value out =
        linalg::FillOp::create(b, loc, zeroF, g.getDpsInits()[0]).getResult(0);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    // One loop per outer output dim; in the innermost, the position's row
    // and the scatter of its nonzeros.
    SmallVector<Value> ivs;
    std::function<Value(OpBuilder &, Value, int64_t)> loops =
        [&](OpBuilder &lb, Value acc, int64_t d) -> Value {
      if (d == rank - 1) {
        SmallVector<Value> at;
        for (AffineExpr e : inMap.getResults())
          at.push_back(ivs[cast<AffineDimExpr>(e).getPosition()]);
        IRMapping map;
        map.map(body.getArgument(0),
                tensor::ExtractOp::create(lb, loc, g.getDpsInputs()[0], at)
                    .getResult());
        for (Operation *op : rowOps) {
          if (auto index = dyn_cast<linalg::IndexOp>(op)) {
            map.map(index.getResult(), ivs[index.getDim()]);
            continue;
          }
          lb.clone(*op, map);
        }
        Value row = map.lookup(extract.getIndices()[0]);
        auto [lo, hi] = rangeOf(lb, loc, csr, row);
        auto scatter = scf::ForOp::create(
            lb, loc, lo, hi, one, ValueRange{acc},
            [&](OpBuilder &sb, Location sl, Value j, ValueRange iter) {
              Value col = rowAt(sb, sl, csr, j);
              Value v = tensor::ExtractOp::create(sb, sl, csr.values, j);
              SmallVector<Value> pos(ivs);
              pos.push_back(col);
              scf::YieldOp::create(
                  sb, sl,
                  tensor::InsertOp::create(sb, sl, v, iter[0], pos)
                      .getResult());
            });
        return scatter.getResult(0);
      }
      Value end =
          arith::ConstantIndexOp::create(lb, loc, outType.getDimSize(d));
      auto loop = scf::ForOp::create(
          lb, loc, zero, end, one, ValueRange{acc},
          [&](OpBuilder &nb, Location, Value iv, ValueRange iter) {
            ivs.push_back(iv);
            Value next = loops(nb, iter[0], d + 1);
            ivs.pop_back();
            scf::YieldOp::create(nb, loc, next);
          });
      return loop.getResult(0);
    };
    Value result = loops(b, out, 0);
    g->getResult(0).replaceAllUsesWith(result);
    g->erase();
  }

  static bool isDefaultMaps(linalg::MatmulOp mm) {
    SmallVector<AffineMap> maps = mm.getIndexingMapsArray();
    MLIRContext *ctx = mm.getContext();
    AffineExpr i, j, k;
    bindDims(ctx, i, j, k);
    return maps.size() == 3 && maps[0] == AffineMap::get(3, 0, {i, k}, ctx) &&
           maps[1] == AffineMap::get(3, 0, {k, j}, ctx) &&
           maps[2] == AffineMap::get(3, 0, {i, j}, ctx);
  }

  /// A 2-D transpose as the generic the layout fusion composes
  /// (edge-cpu-fuse-elementwise cancels it against the NCHW <-> NHWC
  /// transposes around the layer).
  static Value transpose(OpBuilder &b, Location loc, Value in) {
    auto type = cast<RankedTensorType>(in.getType());
    Value empty = tensor::EmptyOp::create(
        b, loc, {type.getDimSize(1), type.getDimSize(0)},
        type.getElementType());
    MLIRContext *ctx = b.getContext();
    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    return linalg::GenericOp::create(
               b, loc, TypeRange{empty.getType()}, ValueRange{in},
               ValueRange{empty},
               ArrayRef<AffineMap>{AffineMap::get(2, 0, {d1, d0}, ctx),
                                   AffineMap::get(2, 0, {d0, d1}, ctx)},
               ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel},
               [](OpBuilder &nb, Location l, ValueRange args) {
                 linalg::YieldOp::create(nb, l, args[0]);
               })
        ->getResult(0);
  }

  /// The weight's CSR arrays as constants: starts (i32), rows (i16 when K
  /// fits), values (f32 or i8); the activations' element type and the
  /// sums' (f32, or i8 into i32).
  struct CsrValues {
    Value starts, rows, values;
    bool narrow;
    Type element, sum;
  };
  static CsrValues constants(OpBuilder &b, Location loc, const Csr &c) {
    auto i32 = b.getI32Type();
    bool narrow = c.narrow();
    Type idxType = narrow ? Type(b.getI16Type()) : Type(i32);
    Value starts = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({int64_t(c.starts.size())}, i32),
            ArrayRef(c.starts)));
    int64_t nnz = std::max<int64_t>(1, c.values.size());
    std::vector<int16_t> rows16(c.rows.begin(), c.rows.end());
    std::vector<float> values = c.values;
    std::vector<int32_t> rows32 = c.rows;
    if (values.empty()) { // one unused entry: no zero-sized constant
      values.push_back(0.0f);
      rows16.push_back(0);
      rows32.push_back(0);
    }
    auto rowsType = RankedTensorType::get({nnz}, idxType);
    Value rows = arith::ConstantOp::create(
        b, loc,
        narrow ? DenseElementsAttr::get(rowsType, ArrayRef(rows16))
               : DenseElementsAttr::get(rowsType, ArrayRef(rows32)));
    Value vals;
    if (c.int8) {
      std::vector<int8_t> ints(values.begin(), values.end());
      vals = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({nnz}, b.getIntegerType(8)),
              ArrayRef(ints)));
    } else {
      vals = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({nnz}, b.getF32Type()),
                                 ArrayRef(values)));
    }
    Type element = c.int8 ? Type(b.getIntegerType(8)) : Type(b.getF32Type());
    Type sum = c.int8 ? Type(i32) : Type(b.getF32Type());
    return {starts, rows, vals, narrow, element, sum};
  }

  /// Zero of `type`.
  static Value zeroOf(OpBuilder &b, Location loc, Type type) {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  }

  /// `v` (a scalar or vector of the activations' type) in the sums' type.
  static Value widen(OpBuilder &b, Location loc, const CsrValues &csr,
                     Value v) {
    if (csr.element == csr.sum)
      return v;
    Type to = csr.sum;
    if (auto vt = dyn_cast<VectorType>(v.getType()))
      to = VectorType::get(vt.getShape(), csr.sum);
    return arith::ExtSIOp::create(b, loc, to, v);
  }

  /// acc + x * w in the sums' type (one FMA for floats; int8 products of
  /// sign-extended operands are exact in int32).
  static Value multiplyAdd(OpBuilder &b, Location loc, const CsrValues &csr,
                           Value x, Value w, Value acc) {
    if (isa<FloatType>(csr.sum)) {
      if (isa<VectorType>(acc.getType()))
        return vector::FMAOp::create(b, loc, x, w, acc);
      return math::FmaOp::create(b, loc, x, w, acc);
    }
    return arith::AddIOp::create(b, loc, acc,
                                 arith::MulIOp::create(b, loc, x, w));
  }

  /// The row index of nonzero `j` as an index.
  static Value rowAt(OpBuilder &b, Location loc, const CsrValues &csr,
                     Value j) {
    Value r = tensor::ExtractOp::create(b, loc, csr.rows, j);
    if (csr.narrow)
      r = arith::ExtUIOp::create(b, loc, b.getI32Type(), r);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), r);
  }

  /// Where channel `ch`'s nonzeros start and end.
  static std::pair<Value, Value> rangeOf(OpBuilder &b, Location loc,
                                         const CsrValues &csr, Value ch) {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto startAt = [&](Value i) {
      Value v = tensor::ExtractOp::create(b, loc, csr.starts, i);
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v)
          .getResult();
    };
    return {startAt(ch),
            startAt(arith::AddIOp::create(b, loc, ch, one).getResult())};
  }

  /// Independent partial sums of the one-row kernel.
  static constexpr int64_t kChains = 4;
  /// The break-even model's per-pass overhead and its lowest threshold.
  static constexpr double kPassCost = 4.0;
  static constexpr double kInt8Cost = 8.0;
  static constexpr double kFloor = 0.5;
  /// The block kernel's time per stored block over the dense kernel's per
  /// weight (an index and a loop per block; assumed, not fitted yet), and
  /// the share of zero blocks from which it pays.
  static constexpr double kBlockCost = 4.0 / 3.0;
  static constexpr double kBlockFloor = 1.0 - 1.0 / kBlockCost;
  /// The most vectors of positions one pass over the nonzeros covers
  /// (accumulators held in registers: 8 of x86's 16 AVX2 registers, and
  /// 8 chains keep two FMA units with 4 cycles of latency busy).
  static constexpr int64_t kMaxVectors = 8;

  /// Y (M x N) = init + X (M x K) W for M below a vector: per row and
  /// output channel, the sum over its nonzeros of value x row element.
  Value buildRows(OpBuilder &b, Location loc, Value x, Value init, Value bias,
                  int64_t m, const Csr &c) {
    CsrValues csr = constants(b, loc, c);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value rowsEnd = arith::ConstantIndexOp::create(b, loc, m);
    Value chEnd = arith::ConstantIndexOp::create(b, loc, c.n);
    auto rowsLoop = scf::ForOp::create(
        b, loc, zero, rowsEnd, one, ValueRange{init},
        [&](OpBuilder &rb, Location rl, Value row, ValueRange riter) {
          auto chans = scf::ForOp::create(
              rb, rl, zero, chEnd, one, ValueRange{riter[0]},
              [&](OpBuilder &cb, Location cl, Value ch, ValueRange citer) {
                auto [lo, hi] = rangeOf(cb, cl, csr, ch);
                Value acc0 = bias ? tensor::ExtractOp::create(cb, cl, bias, ch)
                                        .getResult()
                                  : tensor::ExtractOp::create(
                                        cb, cl, citer[0], ValueRange{row, ch})
                                        .getResult();
                // Four partial sums over the nonzeros in fours (one chain
                // would wait on each FMA's latency), added pairwise, then
                // the last ones into the total.
                auto product = [&](OpBuilder &sb, Location sl, Value j,
                                   Value acc) {
                  Value k = rowAt(sb, sl, csr, j);
                  Value w =
                      widen(sb, sl, csr,
                            tensor::ExtractOp::create(sb, sl, csr.values, j));
                  Value xv = widen(
                      sb, sl, csr,
                      tensor::ExtractOp::create(sb, sl, x, ValueRange{row, k}));
                  return multiplyAdd(sb, sl, csr, xv, w, acc);
                };
                Value four = arith::ConstantIndexOp::create(cb, cl, kChains);
                Value count = arith::SubIOp::create(cb, cl, hi, lo);
                Value whole = arith::MulIOp::create(
                    cb, cl, arith::DivUIOp::create(cb, cl, count, four), four);
                Value mid = arith::AddIOp::create(cb, cl, lo, whole);
                SmallVector<Value> starts(kChains, zeroOf(cb, cl, csr.sum));
                starts[0] = acc0;
                auto chains = scf::ForOp::create(
                    cb, cl, lo, mid, four, starts,
                    [&](OpBuilder &sb, Location sl, Value j, ValueRange a) {
                      SmallVector<Value> next;
                      for (int64_t u = 0; u < kChains; ++u) {
                        Value ju = arith::AddIOp::create(
                            sb, sl, j,
                            arith::ConstantIndexOp::create(sb, sl, u));
                        next.push_back(product(sb, sl, ju, a[u]));
                      }
                      scf::YieldOp::create(sb, sl, next);
                    });
                auto add = [&](Value l, Value r) -> Value {
                  if (isa<FloatType>(csr.sum))
                    return arith::AddFOp::create(cb, cl, l, r);
                  return arith::AddIOp::create(cb, cl, l, r);
                };
                Value pair0 = add(chains.getResult(0), chains.getResult(1));
                Value pair1 = add(chains.getResult(2), chains.getResult(3));
                Value total = add(pair0, pair1);
                auto sum = scf::ForOp::create(
                    cb, cl, mid, hi, one, ValueRange{total},
                    [&](OpBuilder &sb, Location sl, Value j, ValueRange a) {
                      scf::YieldOp::create(sb, sl, product(sb, sl, j, a[0]));
                    });
                Value written = tensor::InsertOp::create(
                    cb, cl, sum.getResult(0), citer[0], ValueRange{row, ch});
                scf::YieldOp::create(cb, cl, written);
              });
          scf::YieldOp::create(rb, rl, chans.getResult(0));
        });
    return rowsLoop.getResult(0);
  }

  /// Y (M x N) = init + X (M x K) W with W in block CSR, on the
  /// channels-last layout: for each tile of `blocks` rows and each group
  /// of `lanes` output channels, one accumulator vector per row starts from
  /// the bias (or the init); per stored block (k, group) the block's
  /// vector is loaded once and each row adds X[row][k] (a broadcast) times
  /// it, the dense kernel's outer product with the zero blocks' k skipped.
  Value buildBlocks(OpBuilder &b, Location loc, Value x, Value init, Value bias,
                    int64_t m, const Bcsr &c) {
    Type f32 = b.getF32Type();
    auto i32 = b.getI32Type();
    std::vector<int16_t> cols(c.cols.begin(), c.cols.end());
    std::vector<float> values = c.values;
    Value starts = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({int64_t(c.starts.size())}, i32),
            ArrayRef(c.starts)));
    Value colsConst = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({int64_t(cols.size())}, b.getI16Type()),
            ArrayRef(cols)));
    Value valuesConst = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({int64_t(values.size())}, f32),
            ArrayRef(values)));
    auto vecType = VectorType::get({c.lanes}, f32);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value lanesValue = arith::ConstantIndexOp::create(b, loc, c.lanes);
    Value fZero = zeroOf(b, loc, f32);
    Value groups = arith::ConstantIndexOp::create(b, loc, c.n / c.lanes);
    SmallVector<bool> inBounds{true};
    // The block arrays read through the CSR helpers: starts per group,
    // int16 k per stored block.
    CsrValues csr{starts, colsConst, valuesConst, /*narrow=*/true, f32, f32};
    auto tile = [&](OpBuilder &tb, Location l, Value acc0, Value p0,
                    int64_t rows) -> Value {
      auto perGroup = scf::ForOp::create(
          tb, l, zero, groups, one, ValueRange{acc0},
          [&](OpBuilder &gb, Location gl, Value g, ValueRange iter) {
            Value n0 = arith::MulIOp::create(gb, gl, g, lanesValue);
            auto [lo, hi] = rangeOf(gb, gl, csr, g);
            SmallVector<Value> rowIndex, accs;
            for (int64_t r = 0; r < rows; ++r) {
              rowIndex.push_back(arith::AddIOp::create(
                  gb, gl, p0, arith::ConstantIndexOp::create(gb, gl, r)));
              accs.push_back(bias ? vector::TransferReadOp::create(
                                        gb, gl, vecType, bias, ValueRange{n0},
                                        fZero, ArrayRef<bool>(inBounds))
                                        .getResult()
                                  : vector::TransferReadOp::create(
                                        gb, gl, vecType, iter[0],
                                        ValueRange{rowIndex.back(), n0}, fZero,
                                        ArrayRef<bool>(inBounds))
                                        .getResult());
            }
            auto sum = scf::ForOp::create(
                gb, gl, lo, hi, one, accs,
                [&](OpBuilder &sb, Location sl, Value j, ValueRange a) {
                  Value kk = rowAt(sb, sl, csr, j);
                  Value wv = vector::TransferReadOp::create(
                      sb, sl, vecType, valuesConst,
                      ValueRange{arith::MulIOp::create(sb, sl, j, lanesValue)
                                     .getResult()},
                      fZero, ArrayRef<bool>(inBounds));
                  SmallVector<Value> next;
                  for (int64_t r = 0; r < rows; ++r) {
                    Value xs = tensor::ExtractOp::create(
                        sb, sl, x, ValueRange{rowIndex[r], kk});
                    Value xb = vector::BroadcastOp::create(sb, sl, vecType, xs);
                    next.push_back(vector::FMAOp::create(sb, sl, xb, wv, a[r]));
                  }
                  scf::YieldOp::create(sb, sl, next);
                });
            Value written = iter[0];
            for (int64_t r = 0; r < rows; ++r)
              written =
                  vector::TransferWriteOp::create(
                      gb, gl, sum.getResult(r), written,
                      ValueRange{rowIndex[r], n0}, ArrayRef<bool>(inBounds))
                      .getResult();
            scf::YieldOp::create(gb, gl, written);
          });
      return perGroup.getResult(0);
    };
    // With a bias every element is written from it: the init's broadcast
    // is not needed.
    Value y = bias ? tensor::EmptyOp::create(
                         b, loc,
                         cast<RankedTensorType>(init.getType()).getShape(), f32)
                         .getResult()
                   : init;
    int64_t full = m / blocks * blocks;
    if (full > 0) {
      auto tiles = scf::ForOp::create(
          b, loc, zero, arith::ConstantIndexOp::create(b, loc, full),
          arith::ConstantIndexOp::create(b, loc, blocks), ValueRange{y},
          [&](OpBuilder &tb, Location l, Value p0, ValueRange iter) {
            scf::YieldOp::create(tb, l, tile(tb, l, iter[0], p0, blocks));
          });
      y = tiles.getResult(0);
    }
    if (full < m)
      y = tile(b, loc, y, arith::ConstantIndexOp::create(b, loc, full),
               m - full);
    return y;
  }

  /// Y (M x N) = init + X (M x K) W, W in `c`; `bias` (N), when not null,
  /// is what init holds in every row.
  Value build(OpBuilder &b, Location loc, Value x, Value init, Value bias,
              int64_t m, const Csr &c) {
    int64_t k = c.k, n = c.n;
    CsrValues csr = constants(b, loc, c);
    Type sumType = csr.sum;
    // X^T (K x M), and the output transposed (N x M) holding the init.
    Value xt = transpose(b, loc, x);
    // The accumulators start from the bias (read per channel) or from the
    // init transposed.
    Value yt = tensor::EmptyOp::create(b, loc, {n, m}, sumType);
    if (!bias)
      yt = transpose(b, loc, init);
    // The kernel: tiles of positions outer (X^T's tile stays in cache for
    // every channel), channels, then the channel's nonzeros. Each nonzero's
    // FMAs add into the same accumulators as the previous one's: a tile of
    // `blocks` vectors keeps that many FMAs in flight. A tile is read in
    // pieces (offset, size, in bounds): whole vectors, and a last vector
    // masked past M, all in one pass over the nonzeros (every pass reads
    // the whole CSR again).
    struct Piece {
      int64_t offset, size;
      bool inBounds;
    };
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value xZero = zeroOf(b, loc, csr.element),
          sumZero = zeroOf(b, loc, sumType);
    Value nEnd = arith::ConstantIndexOp::create(b, loc, n);
    auto tile = [&](OpBuilder &tb, Location l, Value acc0, Value m0,
                    ArrayRef<Piece> pieces) -> Value {
      auto chans = scf::ForOp::create(
          tb, l, zero, nEnd, one, ValueRange{acc0},
          [&](OpBuilder &cb, Location cl, Value ch, ValueRange iter) {
            auto [lo, hi] = rangeOf(cb, cl, csr, ch);
            SmallVector<Value> starts, at;
            Value biasValue =
                bias ? tensor::ExtractOp::create(cb, cl, bias, ch).getResult()
                     : Value();
            for (const Piece &p : pieces) {
              auto vecType = VectorType::get({p.size}, sumType);
              SmallVector<bool> bounds{p.inBounds};
              Value pos = arith::AddIOp::create(
                  cb, cl, m0, arith::ConstantIndexOp::create(cb, cl, p.offset));
              at.push_back(pos);
              starts.push_back(
                  bias ? vector::BroadcastOp::create(cb, cl, vecType, biasValue)
                             .getResult()
                       : vector::TransferReadOp::create(
                             cb, cl, vecType, iter[0], ValueRange{ch, pos},
                             sumZero, ArrayRef<bool>(bounds))
                             .getResult());
            }
            auto sum = scf::ForOp::create(
                cb, cl, lo, hi, one, starts,
                [&](OpBuilder &sb, Location sl, Value j, ValueRange a) {
                  Value row = rowAt(sb, sl, csr, j);
                  Value w =
                      widen(sb, sl, csr,
                            tensor::ExtractOp::create(sb, sl, csr.values, j));
                  SmallVector<Value> next;
                  for (auto [i, p] : llvm::enumerate(pieces)) {
                    SmallVector<bool> bounds{p.inBounds};
                    Value wv = vector::BroadcastOp::create(
                        sb, sl, VectorType::get({p.size}, sumType), w);
                    Value xv = widen(sb, sl, csr,
                                     vector::TransferReadOp::create(
                                         sb, sl,
                                         VectorType::get({p.size}, csr.element),
                                         xt, ValueRange{row, at[i]}, xZero,
                                         ArrayRef<bool>(bounds)));
                    next.push_back(multiplyAdd(sb, sl, csr, xv, wv, a[i]));
                  }
                  scf::YieldOp::create(sb, sl, next);
                });
            Value written = iter[0];
            for (auto [i, p] : llvm::enumerate(pieces)) {
              SmallVector<bool> bounds{p.inBounds};
              written = vector::TransferWriteOp::create(
                            cb, cl, sum.getResult(i), written,
                            ValueRange{ch, at[i]}, ArrayRef<bool>(bounds))
                            .getResult();
            }
            scf::YieldOp::create(cb, cl, written);
          });
      return chans.getResult(0);
    };
    // The positions a pass covers, one register-sized vector per piece
    // (one accumulator each: a wider vector carried through the loop over
    // the nonzeros, 3 x 16 lanes say, is split by LLVM into scalars and
    // put back together at every nonzero): whole vectors in bounds, the
    // rest in one masked vector.
    auto piecesOf = [&](int64_t count) {
      SmallVector<Piece> pieces;
      int64_t whole = count / lanes * lanes;
      for (int64_t at = 0; at < whole; at += lanes)
        pieces.push_back({at, lanes, true});
      if (whole < count)
        pieces.push_back({whole, lanes, false});
      return pieces;
    };
    // Up to kMaxVectors vectors of positions (7 x 7 and smaller maps) are
    // one pass; more go in tiles of `blocks` vectors, the rest one pass.
    int64_t width = lanes * blocks;
    int64_t full = m <= kMaxVectors * lanes ? 0 : m / width * width;
    if (full > 0) {
      Value end = arith::ConstantIndexOp::create(b, loc, full);
      Value step = arith::ConstantIndexOp::create(b, loc, width);
      SmallVector<Piece> whole = piecesOf(width);
      auto tiles = scf::ForOp::create(
          b, loc, zero, end, step, ValueRange{yt},
          [&](OpBuilder &tb, Location l, Value m0, ValueRange iter) {
            scf::YieldOp::create(tb, l, tile(tb, l, iter[0], m0, whole));
          });
      yt = tiles.getResult(0);
    }
    if (full < m)
      yt = tile(b, loc, yt, arith::ConstantIndexOp::create(b, loc, full),
                piecesOf(m - full));

    return transpose(b, loc, yt);
  }
};

} // namespace
