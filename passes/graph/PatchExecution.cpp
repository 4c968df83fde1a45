//===- PatchExecution.cpp - the first layers run over row bands -----------===//
//
// --memory=min. The first layers of a CNN hold its largest activations
// (mobilenet-v2: 4.8 MB at 112x112x96 in fp32), so running the graph one
// layer at a time needs at least the largest input and output of a layer
// alive together. In the spirit of MCUNetV2's patch-based inference (Lin et
// al., NeurIPS 2021), a prefix of the graph is run instead over row bands of
// its output: each band computes every layer of the stage for just the rows
// its consumers need, recomputing the rows where neighbouring bands' windows
// overlap, so the large tensors exist one band at a time. Bands span the
// full width (not 2-D patches): the kernels keep their long rows, and only
// the first and last bands see the image's border.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>
#include <optional>

namespace edgec {
#define GEN_PASS_DEF_EDGEPATCHEXECUTION
#include "passes/graph/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

constexpr int64_t kRowDim = 2; // N, C, H, W

/// A half-open interval of rows.
struct Rows {
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  bool empty() const { return lo >= hi; }
  int64_t size() const { return empty() ? 0 : hi - lo; }
  void add(Rows r) {
    lo = std::min(lo, r.lo);
    hi = std::max(hi, r.hi);
  }
};

/// How an op of a stage maps the rows of its result to the rows of its
/// operands: a window (kernel, stride, dilation, the pads at the top and the
/// bottom) over the row dimension of some operands; the others are read
/// whole (weights, per-channel constants).
struct RowOp {
  Operation *op = nullptr;
  int64_t kernel = 1, stride = 1, dilation = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  bool window = false;         // a conv or a pooling: its pads follow the band
  SmallVector<int64_t> rowDim; // per operand: its row dimension, or -1
  double rowWork = 0;          // work per result row (MACs or elements)
};

int64_t elementBytes(Type type) {
  Type element = cast<ShapedType>(type).getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(element))
    return (q.getStorageTypeIntegralWidth() + 7) / 8;
  if (element.isIntOrFloat())
    return (element.getIntOrFloatBitWidth() + 7) / 8;
  return 4;
}

int64_t bytes(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return type.getNumElements() * elementBytes(type);
}

int64_t rowBytes(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return bytes(v) / type.getDimSize(kRowDim);
}

bool isStatic4d(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 4 && type.hasStaticShape();
}

/// The row mapping of `op`, if it is row-local: each result row depends on a
/// window of its operands' rows.
std::optional<RowOp> classify(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      !isStatic4d(op->getResult(0)))
    return std::nullopt;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t height = type.getDimSize(kRowDim);
  double perRow = double(type.getNumElements()) / double(height);
  RowOp r;
  r.op = op;
  r.rowDim.assign(op->getNumOperands(), -1);
  auto setWindow = [&](int64_t kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
    r.window = true;
    r.kernel = kernel;
    r.stride = strides[0];
    r.dilation = dilations.empty() ? 1 : dilations[0];
    r.padTop = pads[0];
    r.padLeft = pads[1];
    r.padBottom = pads[2];
    r.padRight = pads[3];
    r.rowDim[0] = kRowDim;
  };
  if (auto conv = dyn_cast<edge::ConvOp>(op)) {
    auto filter = conv.getFilter().getType();
    if (!isStatic4d(conv.getInput()) || !filter.hasStaticShape())
      return std::nullopt;
    setWindow(filter.getDimSize(2), conv.getStrides(), conv.getDilations(),
              conv.getPads());
    r.rowWork = perRow * double(filter.getDimSize(1) * filter.getDimSize(2) *
                                filter.getDimSize(3));
    return r;
  }
  auto pooling = [&](auto pool) -> std::optional<RowOp> {
    if (!isStatic4d(pool.getInput()) || pool.getCeilMode())
      return std::nullopt;
    setWindow(pool.getKernelShape()[0], pool.getStrides(), pool.getDilations(),
              pool.getPads());
    r.rowWork = perRow * double(pool.getKernelShape()[0] *
                                pool.getKernelShape()[1]);
    return r;
  };
  if (auto pool = dyn_cast<edge::MaxPoolOp>(op))
    return pooling(pool);
  if (auto pool = dyn_cast<edge::AveragePoolOp>(op))
    return pooling(pool);
  r.rowWork = perRow;
  if (isa<edge::ReluOp, edge::SigmoidOp, edge::TanhOp, edge::ExpOp,
          edge::SqrtOp, edge::RoundOp, edge::NegOp, edge::ClipOp,
          edge::HardSigmoidOp, edge::UnaryFnOp>(op)) {
    if (op->getOperand(0).getType() != op->getResult(0).getType() &&
        cast<RankedTensorType>(op->getOperand(0).getType()).getShape() !=
            type.getShape())
      return std::nullopt;
    r.rowDim[0] = kRowDim;
    return r;
  }
  if (isa<edge::AddOp, edge::SubOp, edge::MulOp, edge::DivOp, edge::MaxOp,
          edge::MinOp>(op)) {
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      auto t = dyn_cast<RankedTensorType>(operand.getType());
      if (!t || !t.hasStaticShape())
        return std::nullopt;
      // Broadcasting aligns the trailing dimensions: rows are the
      // second-to-last.
      int64_t rank = t.getRank();
      if (rank >= 2 && t.getDimSize(rank - 2) == height && height > 1)
        r.rowDim[i] = rank - 2;
      else if (rank >= 2 && t.getDimSize(rank - 2) != 1)
        return std::nullopt;
    }
    return r;
  }
  return std::nullopt;
}

/// The rows each op of a stage computes for one band of the stage output.
struct BandPlan {
  Rows outRows;
  /// Stage values: the rows computed; stage inputs: the rows read.
  DenseMap<Value, Rows> rows;
  SmallVector<SmallVector<Rows>> reads; // per op, per operand: rows read
  SmallVector<std::pair<int64_t, int64_t>> pads; // per op: top, bottom
};

struct Stage {
  SmallVector<RowOp> ops;
  Value out;
  int64_t bands = 0;
  SmallVector<BandPlan> plans;
  double overhead = 0;
  int64_t peak = 0; // estimated bytes live at once, the stage or the rest
  int64_t bandPeak = 0;
};

std::optional<BandPlan> planBand(ArrayRef<RowOp> ops, Value out,
                                 Rows outRows) {
  BandPlan plan;
  plan.outRows = outRows;
  plan.rows[out].add(outRows);
  plan.reads.resize(ops.size());
  plan.pads.assign(ops.size(), {0, 0});
  for (int64_t i = int64_t(ops.size()) - 1; i >= 0; --i) {
    const RowOp &r = ops[i];
    Rows need = plan.rows.lookup(r.op->getResult(0));
    if (need.empty())
      return std::nullopt;
    int64_t lo = need.lo * r.stride - r.padTop;
    int64_t hi =
        (need.hi - 1) * r.stride - r.padTop + (r.kernel - 1) * r.dilation + 1;
    plan.reads[i].assign(r.op->getNumOperands(), Rows());
    for (auto [j, operand] : llvm::enumerate(r.op->getOperands())) {
      if (r.rowDim[j] < 0)
        continue;
      int64_t height =
          cast<RankedTensorType>(operand.getType()).getDimSize(r.rowDim[j]);
      Rows read{std::max<int64_t>(lo, 0), std::min(hi, height)};
      if (read.empty())
        return std::nullopt;
      plan.reads[i][j] = read;
      plan.rows[operand].add(read);
      if (r.window)
        plan.pads[i] = {std::max<int64_t>(0, -lo),
                        std::max<int64_t>(0, hi - height)};
    }
  }
  return plan;
}

/// The padded copy of a window op's input the lowering makes, in bytes.
int64_t paddedInputBytes(const RowOp &r, int64_t rows, int64_t top,
                         int64_t bottom) {
  if (!r.window || top + bottom + r.padLeft + r.padRight == 0)
    return 0;
  auto in = cast<RankedTensorType>(r.op->getOperand(0).getType());
  return (rows + top + bottom) * (in.getDimSize(3) + r.padLeft + r.padRight) *
         in.getDimSize(0) * in.getDimSize(1) * elementBytes(in);
}

double work(Operation *op, const std::optional<RowOp> &r) {
  if (r)
    return r->rowWork *
           double(cast<RankedTensorType>(op->getResult(0).getType())
                      .getDimSize(kRowDim));
  double w = 0;
  for (Value result : op->getResults())
    if (auto t = dyn_cast<RankedTensorType>(result.getType());
        t && t.hasStaticShape())
      w += double(t.getNumElements());
  if (isa<edge::GemmOp, edge::MatMulOp>(op))
    if (auto a = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
        a && a.hasStaticShape())
      w *= double(a.getShape().back());
  return w;
}

struct PatchExecutionPass
    : edgec::impl::EdgePatchExecutionBase<PatchExecutionPass> {
  using Base::Base;

  // The function's compute ops in order (constants left out), the index of
  // each, and the index of each value's last user (ops.size(): the return).
  SmallVector<Operation *> ops;
  SmallVector<std::optional<RowOp>> rowOps; // classify(ops[i]), once
  DenseMap<Operation *, int64_t> index;
  DenseMap<Value, int64_t> lastUse;
  SmallVector<SmallVector<Value>> dies; // per op: values it uses last

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();
    ops.clear();
    rowOps.clear();
    index.clear();
    lastUse.clear();
    for (Operation &op : body)
      if (!op.hasTrait<OpTrait::ConstantLike>() &&
          !op.hasTrait<OpTrait::IsTerminator>()) {
        index[&op] = int64_t(ops.size());
        ops.push_back(&op);
        rowOps.push_back(classify(&op));
      }
    dies.assign(ops.size() + 1, {});
    for (Operation *op : ops)
      for (Value result : op->getResults()) {
        int64_t last = index[op];
        for (Operation *user : result.getUsers()) {
          Operation *top = body.findAncestorOpInBlock(*user);
          auto it = top ? index.find(top) : index.end();
          last = std::max(last, it == index.end() ? int64_t(ops.size())
                                                  : it->second);
        }
        lastUse[result] = last;
        dies[last].push_back(result);
      }

    int64_t before = restPeak(0, Value());
    std::optional<Stage> best = choose(before);
    if (!best) {
      if (remarks && bands > 0)
        func.emitRemark("edge-patch-execution: no stage of row-local ops "
                        "splits into ")
            << int64_t(bands) << " bands";
      else if (remarks)
        func.emitRemark("edge-patch-execution: no stage lowers the estimated "
                        "peak of ")
            << before << " bytes";
      return;
    }
    if (remarks) {
      InFlightDiagnostic d = best->out.getDefiningOp()->emitRemark(
          "edge-patch-execution: ");
      d << best->ops.size() << " ops in " << best->bands << " bands of "
        << best->plans.front().outRows.size() << " rows up to here; estimated"
        << " peak " << before << " -> " << best->peak << " bytes (bands "
        << best->bandPeak << "), recomputed work "
        << llvm::formatv("{0:F1}", best->overhead * 100).str() << "%";
    }
    rewrite(*best);
  }

  /// The most bytes live at once running ops[from..] one at a time, with
  /// `live` (the stage output) alive from the start.
  int64_t restPeak(int64_t from, Value live) {
    int64_t now = live ? bytes(live) : 0, peak = now;
    for (int64_t i = from; i < int64_t(ops.size()); ++i) {
      int64_t transient = 0;
      if (const std::optional<RowOp> &r = rowOps[i]; r && r->window) {
        auto in = cast<RankedTensorType>(ops[i]->getOperand(0).getType());
        transient = paddedInputBytes(*r, in.getDimSize(kRowDim), r->padTop,
                                     r->padBottom);
      }
      for (Value result : ops[i]->getResults())
        if (auto t = dyn_cast<RankedTensorType>(result.getType());
            t && t.hasStaticShape())
          now += bytes(result);
      peak = std::max(peak, now + transient);
      for (Value v : dies[i])
        if (index[v.getDefiningOp()] >= from || v == live)
          if (auto t = dyn_cast<RankedTensorType>(v.getType());
              t && t.hasStaticShape())
            now -= bytes(v);
    }
    return peak;
  }

  /// The most bytes live at once in a band: each op's band result, its
  /// padded input, the values still needed, and the whole stage output.
  int64_t bandPeak(const Stage &s) {
    DenseMap<Value, int64_t> rows;
    SmallVector<int64_t> padded(s.ops.size(), 0);
    for (const BandPlan &p : s.plans)
      for (auto [i, r] : llvm::enumerate(s.ops)) {
        Value v = r.op->getResult(0);
        rows[v] = std::max(rows[v], p.rows.lookup(v).size());
        if (r.window)
          padded[i] = std::max(
              padded[i], paddedInputBytes(r, p.reads[i][0].size(),
                                          p.pads[i].first, p.pads[i].second));
      }
    int64_t now = bytes(s.out), peak = now;
    int64_t first = index[s.ops.front().op];
    for (auto [i, r] : llvm::enumerate(s.ops)) {
      Value v = r.op->getResult(0);
      now += rowBytes(v) * rows[v];
      peak = std::max(peak, now + padded[i]);
      for (Value dead : dies[first + i])
        if (index[dead.getDefiningOp()] >= first && dead != s.out)
          now -= rowBytes(dead) * rows[dead];
    }
    return peak;
  }

  std::optional<Stage> choose(int64_t before) {
    double total = 0;
    for (auto [op, r] : llvm::zip(ops, rowOps))
      total += work(op, r);
    std::optional<Stage> best;
    // Values of the prefix still used after it.
    llvm::SetVector<Value> crossing;
    SmallVector<RowOp> prefix;
    for (int64_t k = 0; k < int64_t(ops.size()); ++k) {
      const std::optional<RowOp> &r = rowOps[k];
      if (!r)
        break;
      if (until > 0 && k >= until)
        break;
      prefix.push_back(*r);
      for (Value operand : ops[k]->getOperands())
        if (crossing.contains(operand) && lastUse[operand] <= k)
          crossing.remove(operand);
      Value result = ops[k]->getResult(0);
      if (lastUse[result] > k)
        crossing.insert(result);
      if (crossing.size() != 1 || (until > 0 && k + 1 != until))
        continue;
      Value out = crossing.front();
      int64_t height =
          cast<RankedTensorType>(out.getType()).getDimSize(kRowDim);
      int64_t rest = restPeak(k + 1, out);
      for (int64_t bands = 2; bands <= std::min<int64_t>(height, 64);
           ++bands) {
        if (height % bands || (this->bands > 0 && bands != this->bands))
          continue;
        Stage s;
        s.ops = prefix;
        s.out = out;
        s.bands = bands;
        int64_t rows = height / bands;
        bool ok = true;
        DenseMap<Value, int64_t> computed;
        for (int64_t b = 0; b < bands && ok; ++b) {
          std::optional<BandPlan> plan =
              planBand(s.ops, out, Rows{b * rows, (b + 1) * rows});
          ok = plan.has_value();
          if (ok) {
            for (const RowOp &op : s.ops)
              computed[op.op->getResult(0)] +=
                  plan->rows.lookup(op.op->getResult(0)).size();
            s.plans.push_back(std::move(*plan));
          }
        }
        if (!ok)
          continue;
        double extra = 0;
        for (const RowOp &op : s.ops) {
          Value v = op.op->getResult(0);
          extra += op.rowWork *
                   double(computed[v] - cast<RankedTensorType>(v.getType())
                                            .getDimSize(kRowDim));
        }
        s.overhead = total > 0 ? extra / total : 0;
        if (this->bands == 0 && s.overhead > maxOverhead)
          continue;
        s.bandPeak = bandPeak(s);
        s.peak = std::max(s.bandPeak, rest);
        if (!best || s.peak < best->peak ||
            (s.peak == best->peak && s.overhead < best->overhead))
          best = std::move(s);
      }
    }
    if (best && this->bands == 0 && best->peak >= before)
      return std::nullopt;
    return best;
  }

  /// What makes the code of two bands alike: the size of every band
  /// result, read and pad, and where each read starts in its operand's band.
  SmallVector<int64_t> shapeKey(const Stage &s, const BandPlan &p,
                                ArrayRef<Value> inputs) {
    SmallVector<int64_t> key;
    for (auto [i, r] : llvm::enumerate(s.ops)) {
      key.push_back(p.rows.lookup(r.op->getResult(0)).size());
      key.push_back(p.pads[i].first);
      key.push_back(p.pads[i].second);
      for (auto [j, operand] : llvm::enumerate(r.op->getOperands()))
        if (r.rowDim[j] >= 0) {
          key.push_back(p.reads[i][j].size());
          key.push_back(p.reads[i][j].lo - p.rows.lookup(operand).lo);
        }
    }
    for (Value input : inputs)
      key.push_back(p.rows.lookup(input).size());
    Rows out = p.rows.lookup(s.out);
    key.push_back(p.outRows.lo - out.lo);
    return key;
  }

  void rewrite(Stage &s) {
    Operation *last = s.ops.back().op;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointAfter(last);
    Location loc = s.out.getLoc();
    DenseSet<Operation *> inStage;
    for (const RowOp &r : s.ops)
      inStage.insert(r.op);

    // The stage's row-sliced inputs (function arguments, constants), and
    // the dim that holds their rows.
    SmallVector<Value> inputs;
    SmallVector<int64_t> inputDims;
    for (const RowOp &r : s.ops)
      for (auto [j, operand] : llvm::enumerate(r.op->getOperands()))
        if (r.rowDim[j] >= 0 &&
            !(operand.getDefiningOp() &&
              inStage.contains(operand.getDefiningOp())) &&
            !llvm::is_contained(inputs, operand)) {
          inputs.push_back(operand);
          inputDims.push_back(r.rowDim[j]);
        }

    // The stage output, channels-last: each band stores its rows there
    // with no layout copy (the lowering's transposes cancel).
    auto outType = cast<RankedTensorType>(s.out.getType());
    ArrayRef<int64_t> nchw = outType.getShape();
    auto nhwcType = RankedTensorType::get({nchw[0], nchw[2], nchw[3], nchw[1]},
                                          outType.getElementType());
    Value acc = tensor::EmptyOp::create(b, loc, nhwcType.getShape(),
                                        nhwcType.getElementType());

    // Consecutive bands with the same code run as one loop: the longest
    // run whose inputs' band starts grow by a constant step.
    int64_t n = s.bands;
    SmallVector<SmallVector<int64_t>> keys;
    for (const BandPlan &p : s.plans)
      keys.push_back(shapeKey(s, p, inputs));
    auto step = [&](int64_t band, Value input) {
      return s.plans[band].rows.lookup(input).lo -
             s.plans[band - 1].rows.lookup(input).lo;
    };
    int64_t runBegin = 0, runEnd = 1; // [runBegin, runEnd)
    for (int64_t begin = 0; begin < n;) {
      int64_t end = begin + 1;
      while (end < n && keys[end] == keys[begin] &&
             llvm::all_of(inputs, [&](Value in) {
               return end < begin + 2 || step(end, in) == step(begin + 1, in);
             }))
        ++end;
      if (end - begin > runEnd - runBegin) {
        runBegin = begin;
        runEnd = end;
      }
      begin = end;
    }
    if (runEnd - runBegin < 2)
      runEnd = runBegin; // every band on its own

    for (int64_t band = 0; band < n;) {
      if (band == runBegin && runEnd > runBegin) {
        DenseMap<Value, int64_t> delta;
        for (Value in : inputs)
          delta[in] = step(runBegin + 1, in);
        Value lb = arith::ConstantIndexOp::create(b, loc, runBegin);
        Value ub = arith::ConstantIndexOp::create(b, loc, runEnd);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        auto loop = scf::ForOp::create(
            b, loc, lb, ub, one, ValueRange{acc},
            [&](OpBuilder &nb, Location l, Value iv, ValueRange args) {
              Value next = emitBand(nb, s, runBegin, inputs, inputDims,
                                    args[0], iv,
                                    delta);
              scf::YieldOp::create(nb, l, next);
            });
        loop->setAttr(edge::kPatchLoopAttrName, UnitAttr::get(ctx));
        acc = loop.getResult(0);
        band = runEnd;
        continue;
      }
      acc = emitBand(b, s, band, inputs, inputDims, acc, Value(),
                     DenseMap<Value, int64_t>());
      ++band;
    }

    Value result = edge::TransposeOp::create(
        b, loc, outType, acc, b.getDenseI64ArrayAttr({0, 3, 1, 2}));
    s.out.replaceUsesWithIf(result, [&](OpOperand &use) {
      return !inStage.contains(use.getOwner());
    });
    for (const RowOp &r : llvm::reverse(s.ops))
      r.op->erase();
  }

  /// Emits band `band` of the stage and stores its rows into `acc`; with
  /// `iv`, the band is the loop's `iv`-th, alike to `band` but for the
  /// inputs' rows, which start `delta` rows further per band.
  Value emitBand(OpBuilder &b, const Stage &s, int64_t band,
                 ArrayRef<Value> inputs, ArrayRef<int64_t> inputDims,
                 Value acc, Value iv,
                 const DenseMap<Value, int64_t> &delta) {
    const BandPlan &p = s.plans[band];
    Location loc = s.out.getLoc();
    // A row offset: static, or the loop's iv-th band's.
    auto offset = [&](int64_t lo, int64_t perBand) -> OpFoldResult {
      if (!iv)
        return b.getIndexAttr(lo);
      Value base = arith::ConstantIndexOp::create(b, loc, lo - band * perBand);
      Value scale = arith::ConstantIndexOp::create(b, loc, perBand);
      Value shifted = arith::MulIOp::create(b, loc, iv, scale);
      return arith::AddIOp::create(b, loc, shifted, base).getResult();
    };
    auto slice = [&](Value source, int64_t dim, OpFoldResult start,
                     int64_t rows) -> Value {
      auto type = cast<RankedTensorType>(source.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                               b.getIndexAttr(1));
      for (int64_t d : type.getShape())
        sizes.push_back(b.getIndexAttr(d));
      offsets[dim] = start;
      sizes[dim] = b.getIndexAttr(rows);
      return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                            strides);
    };

    DenseMap<Value, Value> banded; // a value -> its band, rows p.rows[value]
    for (auto [input, dim] : llvm::zip(inputs, inputDims)) {
      Rows rows = p.rows.lookup(input);
      banded[input] = slice(input, dim,
                            offset(rows.lo, iv ? delta.lookup(input) : 0),
                            rows.size());
    }
    for (auto [i, r] : llvm::enumerate(s.ops)) {
      SmallVector<Value> operands(r.op->getOperands());
      for (auto [j, operand] : llvm::enumerate(r.op->getOperands())) {
        if (r.rowDim[j] < 0)
          continue;
        Rows have = p.rows.lookup(operand), read = p.reads[i][j];
        operands[j] = banded.lookup(operand);
        if (read.lo != have.lo || read.hi != have.hi)
          operands[j] = slice(operands[j], r.rowDim[j],
                              b.getIndexAttr(read.lo - have.lo), read.size());
      }
      Operation *clone = b.clone(*r.op);
      clone->setOperands(operands);
      Value v = r.op->getResult(0);
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[kRowDim] = p.rows.lookup(v).size();
      clone->getResult(0).setType(type.clone(shape));
      if (r.window)
        clone->setAttr("pads", b.getDenseI64ArrayAttr(
                                   {p.pads[i].first, r.padLeft,
                                    p.pads[i].second, r.padRight}));
      banded[v] = clone->getResult(0);
    }

    Rows have = p.rows.lookup(s.out);
    Value out = banded.lookup(s.out);
    if (have.lo != p.outRows.lo || have.hi != p.outRows.hi)
      out = slice(out, kRowDim, b.getIndexAttr(p.outRows.lo - have.lo),
                  p.outRows.size());
    auto type = cast<RankedTensorType>(out.getType());
    ArrayRef<int64_t> nchw = type.getShape();
    auto nhwc = RankedTensorType::get({nchw[0], nchw[2], nchw[3], nchw[1]},
                                      type.getElementType());
    Value t = edge::TransposeOp::create(b, loc, nhwc, out,
                                        b.getDenseI64ArrayAttr({0, 2, 3, 1}));
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
    offsets[1] = offset(p.outRows.lo, p.outRows.size());
    SmallVector<OpFoldResult> sizes, strides(4, b.getIndexAttr(1));
    for (int64_t d : nhwc.getShape())
      sizes.push_back(b.getIndexAttr(d));
    return tensor::InsertSliceOp::create(b, loc, t, acc, offsets, sizes,
                                         strides);
  }
};
} // namespace
