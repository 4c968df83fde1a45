//===- Prune.cpp - magnitude, N:M and block pruning of layer weights ------===//
//
// edge-prune (Passes.td): the smallest weights of Conv, Gemm and MatMul set
// to zero, per layer, over the whole network, N of every M along the
// reduction axis, or in whole blocks of the (output channel x reduction
// position) matrix; an embedding table (a Gather of rows of a constant
// matrix) by magnitude too. The zeros are what the later stages use: the
// NPU compresses zero tiles away (docs/npu-spec.md §2.4), the CPU's sparse
// kernels and sparse gather store only the nonzeros, and the report shows
// each layer's sparsity.
//
//===----------------------------------------------------------------------===//
#include "passes/prune/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"
#include "passes/quant/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <tuple>

namespace edgec {
#define GEN_PASS_DEF_EDGEPRUNE
#include "passes/prune/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;

namespace {

/// The axis a layer's weight is summed over: a filter's input channels
/// (OIHW), B's K, rhs' K.
int64_t reductionAxis(Operation *op) {
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getTransB() ? 1 : 0;
  if (auto mm = dyn_cast<MatMulOp>(op))
    return mm.getRhs().getType().getRank() - 2;
  return 1;
}

struct Layer {
  Operation *op;
  std::string name;
  RankedTensorType type;
  std::vector<float> w;
  int64_t zerosBefore = 0;
  std::string reason; // non-empty: left dense
};

int64_t zeros(ArrayRef<float> w) {
  return std::count(w.begin(), w.end(), 0.0f);
}

/// Zeros the `count` smallest |w| of the (layer, index) entries.
void zeroSmallest(std::vector<Layer *> &layers, int64_t count) {
  std::vector<std::pair<float, std::pair<uint32_t, uint32_t>>> all;
  for (uint32_t l = 0; l < layers.size(); ++l)
    for (uint32_t i = 0; i < layers[l]->w.size(); ++i)
      all.push_back({std::fabs(layers[l]->w[i]), {l, i}});
  count = std::min<int64_t>(count, int64_t(all.size()));
  if (count <= 0)
    return;
  // Ties broken by position, so the result does not depend on the sort.
  std::nth_element(all.begin(), all.begin() + (count - 1), all.end());
  for (int64_t k = 0; k < count; ++k)
    layers[all[k].second.first]->w[all[k].second.second] = 0.0f;
}

/// Keeps the n largest |w| of every m consecutive weights along `axis`.
void pruneNM(Layer &l, int64_t axis, int64_t n, int64_t m) {
  ArrayRef<int64_t> shape = l.type.getShape();
  int64_t outer = 1, inner = 1, r = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  std::vector<std::pair<float, int64_t>> group(m);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t g = 0; g < r; g += m) {
        for (int64_t j = 0; j < m; ++j) {
          int64_t at = (o * r + g + j) * inner + i;
          group[j] = {-std::fabs(l.w[at]), at};
        }
        // The n largest first (ties: the earlier position stays).
        std::sort(group.begin(), group.end());
        for (int64_t j = n; j < m; ++j)
          l.w[group[j].second] = 0.0f;
      }
}

/// The position in a layer's weight of element (row o, column k) of its
/// matrix view: output channels by reduction positions, k = (ky * KW +
/// kx) * IC + ic for a filter, K for B or rhs.
struct MatrixView {
  int64_t rows = 0, cols = 0;
  std::function<int64_t(int64_t, int64_t)> at;
};

std::optional<MatrixView> matrixView(const Layer &l) {
  ArrayRef<int64_t> s = l.type.getShape();
  MatrixView v;
  if (isa<ConvOp>(l.op)) {
    int64_t ic = s[1], kh = s[2], kw = s[3];
    v.rows = s[0];
    v.cols = ic * kh * kw;
    v.at = [=](int64_t o, int64_t k) {
      int64_t c = k % ic, x = k / ic % kw, y = k / ic / kw;
      return ((o * ic + c) * kh + y) * kw + x;
    };
    return v;
  }
  if (s.size() != 2)
    return std::nullopt; // batched weights
  bool trans = isa<GemmOp>(l.op) && cast<GemmOp>(l.op).getTransB();
  int64_t k = trans ? s[1] : s[0], n = trans ? s[0] : s[1];
  v.rows = n;
  v.cols = k;
  v.at = [=](int64_t o, int64_t c) { return trans ? o * k + c : c * n + o; };
  return v;
}

/// Zeros the `fraction` of R x C blocks with the smallest mean |w| (per
/// layer, or over all of `layers` together).
void pruneBlocks(std::vector<Layer *> &layers, int64_t r, int64_t c,
                 double fraction, bool global) {
  struct Block {
    float score;
    uint32_t layer;
    int64_t row, col;
    bool operator<(const Block &o) const {
      return std::tie(score, layer, row, col) <
             std::tie(o.score, o.layer, o.row, o.col);
    }
  };
  std::vector<MatrixView> views;
  std::vector<Block> all;
  auto zeroBlocks = [&](std::vector<Block> &blocks) {
    int64_t count = int64_t(std::llround(fraction * double(blocks.size())));
    if (count <= 0)
      return;
    std::nth_element(blocks.begin(), blocks.begin() + (count - 1),
                     blocks.end());
    for (int64_t i = 0; i < count; ++i) {
      const Block &b = blocks[i];
      const MatrixView &v = views[b.layer];
      for (int64_t o = b.row; o < std::min(v.rows, b.row + r); ++o)
        for (int64_t k = b.col; k < std::min(v.cols, b.col + c); ++k)
          layers[b.layer]->w[v.at(o, k)] = 0.0f;
    }
  };
  for (uint32_t i = 0; i < layers.size(); ++i) {
    views.push_back(*matrixView(*layers[i]));
    const MatrixView &v = views.back();
    std::vector<Block> blocks;
    for (int64_t o = 0; o < v.rows; o += r)
      for (int64_t k = 0; k < v.cols; k += c) {
        double sum = 0;
        int64_t n = 0;
        for (int64_t oo = o; oo < std::min(v.rows, o + r); ++oo)
          for (int64_t kk = k; kk < std::min(v.cols, k + c); ++kk, ++n)
            sum += std::fabs(layers[i]->w[v.at(oo, kk)]);
        blocks.push_back({float(sum / double(n)), i, o, k});
      }
    if (global)
      all.insert(all.end(), blocks.begin(), blocks.end());
    else
      zeroBlocks(blocks);
  }
  if (global)
    zeroBlocks(all);
}

} // namespace

std::string edgec::prune::parseNM(StringRef text, int64_t &n, int64_t &m) {
  auto [ns, ms] = text.split(':');
  if (ns.size() == text.size() || ns.getAsInteger(10, n) ||
      ms.getAsInteger(10, m) || n < 1 || m < 2 || n >= m || m > 64)
    return "an N:M pattern needs 1 <= N < M <= 64";
  return "";
}

std::string edgec::prune::parseBlock(StringRef text, int64_t &rows,
                                     int64_t &cols) {
  rows = cols = 0;
  if (text == "target")
    return "";
  auto [r, c] = text.split('x');
  if (r.getAsInteger(10, rows) || c.getAsInteger(10, cols) || rows < 1 ||
      cols < 1 || rows > 256 || cols > 256)
    return "not target or RxC (1 to 256 each)";
  return "";
}

std::string edgec::prune::blockShape(ModuleOp module, StringRef block,
                                     int64_t &rows, int64_t &cols) {
  rows = cols = 0;
  if (block.empty())
    return "";
  if (std::string error = parseBlock(block, rows, cols); !error.empty())
    return error;
  if (block != "target")
    return "";
  rows = cols = 1;
  if (auto npu = module->getAttrOfType<DictionaryAttr>("npu.config")) {
    if (auto side = npu.getAs<IntegerAttr>("n"))
      rows = cols = side.getInt();
  } else if (auto t = module->getAttrOfType<TargetAttr>("edge.target")) {
    rows = std::max<int64_t>(1, t.getVectorBits() / 32);
  }
  return "";
}

/// An embedding table: a Gather of whole rows of a constant matrix.
static bool isEmbedding(Operation *op) {
  auto gather = dyn_cast<GatherOp>(op);
  return gather && gather.getAxis() == 0 &&
         cast<RankedTensorType>(gather.getData().getType()).getRank() == 2;
}

unsigned edgec::prune::weightOperand(Operation *op) {
  return isEmbedding(op) ? 0 : edgec::ptq::layerWeightOperand(op);
}

std::vector<std::pair<Operation *, std::string>>
edgec::prune::pruneCandidates(ModuleOp module, ArrayRef<std::string> skip,
                              bool denseEnds, int64_t nmM, bool blocks) {
  std::vector<std::pair<Operation *, std::string>> layers;
  module.walk([&](Operation *op) {
    if (!isEmbedding(op) && (!isa<ConvOp, GemmOp, MatMulOp>(op) ||
                             !edgec::ptq::isQuantizableLayer(op)))
      return;
    Value weight = op->getOperand(weightOperand(op));
    DenseElementsAttr attr;
    if (!matchPattern(weight, m_Constant(&attr)) ||
        !attr.getElementType().isF32())
      return;
    layers.push_back({op, ""});
  });
  // The first and last layers are the first and last Conv, Gemm or MatMul
  // (an embedding table is neither).
  int64_t first = -1, last = -1;
  for (size_t i = 0; i < layers.size(); ++i)
    if (!isEmbedding(layers[i].first)) {
      if (first < 0)
        first = int64_t(i);
      last = int64_t(i);
    }
  for (size_t i = 0; i < layers.size(); ++i) {
    auto &[op, reason] = layers[i];
    auto type =
        cast<RankedTensorType>(op->getOperand(weightOperand(op)).getType());
    int64_t axisSize = type.getDimSize(reductionAxis(op));
    if (llvm::is_contained(skip, edge::layerName(op)))
      reason = "skipped by name";
    else if (isEmbedding(op) && (nmM || blocks))
      reason = "an embedding table: unstructured pruning only";
    else if (denseEnds && int64_t(i) == first)
      reason = "the first layer stays dense";
    else if (denseEnds && int64_t(i) == last)
      reason = "the last layer stays dense";
    else if (blocks && !isa<ConvOp>(op) && type.getRank() != 2)
      reason = "its weights are batched";
    else if (nmM && axisSize % nmM != 0)
      reason = "its reduction axis (" + std::to_string(axisSize) +
               ") is not a multiple of " + std::to_string(nmM);
  }
  return layers;
}

void edgec::prune::pruneWeights(Operation *op, RankedTensorType type,
                                std::vector<float> &w, double sparsity,
                                int64_t blockRows, int64_t blockCols) {
  Layer l;
  l.op = op;
  l.type = type;
  l.w = std::move(w);
  std::vector<Layer *> one{&l};
  if (blockRows)
    pruneBlocks(one, blockRows, blockCols, sparsity, false);
  else
    zeroSmallest(one, int64_t(std::llround(sparsity * double(l.w.size()))));
  w = std::move(l.w);
}

namespace {

struct EdgePrunePass : edgec::impl::EdgePruneBase<EdgePrunePass> {
  using EdgePruneBase::EdgePruneBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t n = 0, m = 0;
    if (pattern != "unstructured") {
      if (std::string error = edgec::prune::parseNM(pattern, n, m);
          !error.empty()) {
        module.emitError() << "edge-prune: pattern '" << pattern
                           << "' is not unstructured or N:M: " << error;
        return signalPassFailure();
      }
    } else if (!(sparsity >= 0.0 && sparsity < 1.0)) {
      module.emitError() << "edge-prune: sparsity " << sparsity
                         << " is not in [0, 1)";
      return signalPassFailure();
    }
    if (scope != "layer" && scope != "global") {
      module.emitError() << "edge-prune: scope '" << scope
                         << "' is not layer or global";
      return signalPassFailure();
    }
    // The block shape: explicit, or what the target skips.
    int64_t blockRows = 0, blockCols = 0;
    if (std::string error =
            edgec::prune::blockShape(module, block, blockRows, blockCols);
        !error.empty()) {
      module.emitError() << "edge-prune: block '" << block << "': " << error;
      return signalPassFailure();
    }
    if (blockRows && m) {
      module.emitError() << "edge-prune: a block and an N:M pattern exclude "
                            "each other";
      return signalPassFailure();
    }

    std::vector<Layer> layers;
    for (auto &[op, reason] : edgec::prune::pruneCandidates(
             module, skip, denseEnds, m, /*blocks=*/blockRows != 0)) {
      DenseElementsAttr attr;
      matchPattern(op->getOperand(edgec::prune::weightOperand(op)),
                   m_Constant(&attr));
      Layer l;
      l.op = op;
      l.name = edge::layerName(op);
      l.type = cast<RankedTensorType>(attr.getType());
      l.w.assign(attr.getValues<float>().begin(),
                 attr.getValues<float>().end());
      l.zerosBefore = zeros(l.w);
      l.reason = reason;
      layers.push_back(std::move(l));
    }
    std::vector<Layer *> pruned;
    for (Layer &l : layers)
      if (l.reason.empty())
        pruned.push_back(&l);
    if (m) {
      for (Layer *l : pruned)
        pruneNM(*l, reductionAxis(l->op), n, m);
    } else if (scope == "global") {
      if (blockRows) {
        pruneBlocks(pruned, blockRows, blockCols, sparsity, true);
      } else {
        int64_t total = 0;
        for (Layer *l : pruned)
          total += int64_t(l->w.size());
        zeroSmallest(pruned, int64_t(std::llround(sparsity * double(total))));
      }
    } else {
      // Per layer: the layer's own sparsity when a sweep chose it
      // (edge.prune_sparsity, compiler/prune), else `sparsity`.
      for (Layer *l : pruned) {
        double f = sparsity;
        if (auto own = l->op->getAttrOfType<FloatAttr>(
                edgec::prune::kLayerSparsityAttr))
          f = own.getValueAsDouble();
        edgec::prune::pruneWeights(l->op, l->type, l->w, f, blockRows,
                                   blockCols);
      }
    }

    Builder attrs(&getContext());
    SmallVector<Attribute> report;
    for (Layer &l : layers) {
      int64_t after = zeros(l.w);
      if (after != l.zerosBefore) {
        OpBuilder b(l.op);
        unsigned idx = edgec::prune::weightOperand(l.op);
        Value old = l.op->getOperand(idx);
        Value c = arith::ConstantOp::create(
            b, old.getLoc(),
            DenseElementsAttr::get(l.type, ArrayRef<float>(l.w)));
        l.op->setOperand(idx, c);
        if (Operation *def = old.getDefiningOp(); def && def->use_empty())
          def->erase();
      }
      SmallVector<NamedAttribute> e{
          attrs.getNamedAttr("layer", attrs.getStringAttr(l.name)),
          attrs.getNamedAttr(
              "op", attrs.getStringAttr(l.op->getName().getStringRef())),
          attrs.getNamedAttr("weights",
                             attrs.getI64IntegerAttr(int64_t(l.w.size()))),
          attrs.getNamedAttr("zeros_before",
                             attrs.getI64IntegerAttr(l.zerosBefore)),
          attrs.getNamedAttr("zeros_after", attrs.getI64IntegerAttr(after))};
      if (!l.reason.empty())
        e.push_back(
            attrs.getNamedAttr("reason", attrs.getStringAttr(l.reason)));
      // What a sweep measured for the layer, kept in the report.
      if (auto db =
              l.op->getAttrOfType<FloatAttr>(edgec::prune::kLayerSqnrAttr))
        e.push_back(attrs.getNamedAttr("sqnr_db", db));
      l.op->removeAttr(edgec::prune::kLayerSparsityAttr);
      l.op->removeAttr(edgec::prune::kLayerSqnrAttr);
      report.push_back(attrs.getDictionaryAttr(e));
    }
    module->setAttr(edgec::prune::kPruningAttr, attrs.getArrayAttr(report));
    if (blockRows)
      module->setAttr("edge.pruning_block",
                      attrs.getDenseI64ArrayAttr({blockRows, blockCols}));
  }
};

} // namespace
