//===- PruneChannels.cpp - structured pruning of whole channels -----------===//
//
// edge-prune-channels (Passes.td): removes whole output channels of Conv,
// Gemm and MatMul layers and shrinks everything those channels flow
// through, so the later stages compile smaller dense layers.
//
// A *channel space* is a set of channels that must be removed together: a
// layer's output channels, joined with every other layer's whose outputs
// meet them in an elementwise op (a residual Add, a squeeze-excitation
// Mul). A tensor's channel axis is a list of segments of spaces (one for a
// layer's output, several after a Concat along it). Walking the function
// in order, each op either carries its operands' channel axis to its
// result (elementwise ops, pooling, depthwise convolutions, reshapes that
// keep the axis whole), reads it (a layer's input channels: its filter's
// columns shrink), or cannot follow it (anything else, and the function's
// results: the interface keeps its shape), which freezes the spaces
// involved. Each space that stays free loses the channels whose producing
// filters have the smallest L1 norm (Li et al., "Pruning Filters for
// Efficient ConvNets", 2017), normalized per layer so joined layers weigh
// alike; every constant indexed by the space is sliced, and the result
// types are inferred again.
//
//===----------------------------------------------------------------------===//
#include "passes/prune/Passes.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

namespace edgec {
#define GEN_PASS_DEF_EDGEPRUNECHANNELS
#include "passes/prune/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;

namespace {

struct Seg {
  int space;
  int64_t size;
};
using Segs = SmallVector<Seg, 2>;

/// Where a value's channels are: the axis and the spaces along it.
struct Channels {
  int64_t axis;
  Segs segs;
};

/// A layer whose output channels form a space.
struct Producer {
  Operation *op;
  std::string name;
  int space;
  int64_t channels;
  std::vector<double> norms; // per channel, L1 of its filter / layer mean
};

struct Analysis {
  std::vector<int64_t> sizes;      // per space
  std::vector<std::string> frozen; // per space: why it stays ("" = free)
  llvm::EquivalenceClasses<int> joined;
  DenseMap<Value, Channels> channels;
  /// The constant operands indexed by spaces: (op, operand) -> axis -> segs.
  llvm::MapVector<std::pair<Operation *, unsigned>, std::map<int64_t, Segs>>
      slices;
  /// Reshapes whose result axis holds a space, depthwise convolutions
  /// whose group is their channel count.
  llvm::MapVector<Operation *, int64_t> reshapes;
  SmallVector<ConvOp> depthwise;
  std::vector<Producer> producers;

  int newSpace(int64_t size) {
    sizes.push_back(size);
    frozen.emplace_back();
    joined.insert(int(sizes.size()) - 1);
    return int(sizes.size()) - 1;
  }
  int root(int s) { return joined.getLeaderValue(s); }
  void freeze(const Segs &segs, StringRef why) {
    for (const Seg &s : segs)
      if (frozen[s.space].empty())
        frozen[s.space] = why.str();
  }
  void freeze(Value v, StringRef why) {
    auto it = channels.find(v);
    if (it != channels.end())
      freeze(it->second.segs, why);
  }
  /// A copy: inserting into `channels` moves its entries.
  std::optional<Channels> of(Value v) {
    auto it = channels.find(v);
    if (it == channels.end())
      return std::nullopt;
    return it->second;
  }
};

bool isF32Constant(Value v) {
  DenseElementsAttr attr;
  return matchPattern(v, m_Constant(&attr)) && attr.getElementType().isF32();
}

/// Per-channel L1 norms along `axis` of a constant, divided by their mean.
std::vector<double> channelNorms(Value weight, int64_t axis) {
  DenseElementsAttr attr;
  matchPattern(weight, m_Constant(&attr));
  auto type = cast<RankedTensorType>(attr.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t c = shape[axis], inner = 1;
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  std::vector<double> norms(c, 0.0);
  int64_t i = 0;
  for (float w : attr.getValues<float>())
    norms[(i++ / inner) % c] += std::fabs(w);
  double mean = std::accumulate(norms.begin(), norms.end(), 0.0) / double(c);
  if (mean > 0)
    for (double &n : norms)
      n /= mean;
  return norms;
}

bool sameSegs(Analysis &a, const Segs &x, const Segs &y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (a.root(x[i].space) != a.root(y[i].space) || x[i].size != y[i].size)
      return false;
  return true;
}

/// Joins two channel axes that meet elementwise; false when they cannot
/// (different concatenations).
bool join(Analysis &a, const Segs &x, const Segs &y) {
  if (x.size() == 1 && y.size() == 1 && x[0].size == y[0].size) {
    a.joined.unionSets(x[0].space, y[0].space);
    return true;
  }
  return sameSegs(a, x, y);
}

/// The op's operands that carry channels, frozen (the op cannot follow).
void freezeOperands(Analysis &a, Operation *op) {
  std::string why = "used by " + op->getName().getStringRef().str() + " (" +
                    layerName(op) + ")";
  if (isa<func::ReturnOp>(op))
    why = "a model output";
  for (Value v : op->getOperands())
    a.freeze(v, why);
}

/// A new space for a layer's output channels (`weightAxis` of `weight`).
void produce(Analysis &a, Operation *op, Value result, unsigned weightOperand,
             int64_t weightAxis, int64_t resultAxis) {
  Value weight = op->getOperand(weightOperand);
  int64_t c = cast<RankedTensorType>(weight.getType()).getDimSize(weightAxis);
  int s = a.newSpace(c);
  a.slices[{op, weightOperand}][weightAxis] = {{s, c}};
  a.producers.push_back(
      {op, layerName(op), s, c, channelNorms(weight, weightAxis)});
  a.channels[result] = {resultAxis, {{s, c}}};
}

/// A layer reads `input`'s channels along `weightAxis` of its weight.
void consume(Analysis &a, Operation *op, Value input, int64_t inputAxis,
             unsigned weightOperand, int64_t weightAxis) {
  std::optional<Channels> in = a.of(input);
  if (!in)
    return;
  if (in->axis != inputAxis || !isF32Constant(op->getOperand(weightOperand))) {
    freezeOperands(a, op);
    return;
  }
  a.slices[{op, weightOperand}][weightAxis] = in->segs;
}

void visitConv(Analysis &a, ConvOp conv) {
  auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
  bool constant = isF32Constant(conv.getFilter()) &&
                  (!conv.getBias() || isF32Constant(conv.getBias()));
  int64_t f = filterType.getDimSize(0);
  int64_t c = cast<RankedTensorType>(conv.getInput().getType()).getDimSize(1);
  if (conv.getGroup() == 1) {
    if (!constant) {
      freezeOperands(a, conv);
      return;
    }
    consume(a, conv, conv.getInput(), 1, 1, 1);
    produce(a, conv, conv.getOutput(), 1, 0, 1);
    if (conv.getBias())
      a.slices[{conv, 2}][0] = a.channels[conv.getOutput()].segs;
    return;
  }
  // A depthwise convolution keeps its input's channels.
  std::optional<Channels> in = a.of(conv.getInput());
  if (conv.getGroup() == c && f == c && filterType.getDimSize(1) == 1 &&
      constant && in && in->axis == 1) {
    Channels out = *in;
    a.slices[{conv, 1}][0] = out.segs;
    if (conv.getBias())
      a.slices[{conv, 2}][0] = out.segs;
    a.depthwise.push_back(conv);
    a.channels[conv.getOutput()] = out;
    return;
  }
  freezeOperands(a, conv);
}

void visitGemm(Analysis &a, GemmOp gemm) {
  auto bType = cast<RankedTensorType>(gemm.getB().getType());
  Value c = gemm.getC();
  bool constant = isF32Constant(gemm.getB()) && (!c || isF32Constant(c));
  int64_t n = bType.getDimSize(gemm.getTransB() ? 0 : 1);
  auto cType = c ? cast<RankedTensorType>(c.getType()) : RankedTensorType();
  bool cPerColumn = !c || cType.getNumElements() == 1 ||
                    (cType.getRank() >= 1 && cType.getNumElements() == n &&
                     cType.getShape().back() == n);
  if (gemm.getTransA() || !constant || !cPerColumn) {
    freezeOperands(a, gemm);
    return;
  }
  consume(a, gemm, gemm.getA(), 1, 1, gemm.getTransB() ? 1 : 0);
  produce(a, gemm, gemm.getOutput(), 1, gemm.getTransB() ? 0 : 1, 1);
  if (c && cType.getNumElements() != 1)
    a.slices[{gemm, 2}][cType.getRank() - 1] =
        a.channels[gemm.getOutput()].segs;
}

void visitMatMul(Analysis &a, MatMulOp mm) {
  auto lhsType = cast<RankedTensorType>(mm.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(mm.getRhs().getType());
  if (rhsType.getRank() != 2 || lhsType.getRank() < 2 ||
      !isF32Constant(mm.getRhs())) {
    freezeOperands(a, mm);
    return;
  }
  consume(a, mm, mm.getLhs(), lhsType.getRank() - 1, 1, 0);
  produce(a, mm, mm.getOutput(), 1, 1, lhsType.getRank() - 1);
}

/// Broadcasting elementwise ops: operands with channels meet at one axis.
void visitBinary(Analysis &a, Operation *op) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = resultType.getRank();
  std::optional<Channels> found;
  int64_t axis = -1;
  for (Value v : op->getOperands()) {
    std::optional<Channels> c = a.of(v);
    if (!c)
      continue;
    int64_t aligned =
        c->axis + rank - cast<RankedTensorType>(v.getType()).getRank();
    if (found && (aligned != axis || !join(a, found->segs, c->segs))) {
      freezeOperands(a, op);
      return;
    }
    found = c;
    axis = aligned;
  }
  if (!found)
    return;
  Channels out = {axis, found->segs};
  // Operands without channels: broadcast along the axis, or constants
  // sliced with it.
  for (auto [i, v] : llvm::enumerate(op->getOperands())) {
    if (a.channels.count(v))
      continue;
    auto type = cast<RankedTensorType>(v.getType());
    int64_t at = axis - (rank - type.getRank());
    if (at < 0 || type.getDimSize(at) == 1)
      continue;
    if (!isF32Constant(v)) {
      freezeOperands(a, op);
      return;
    }
    a.slices[{op, unsigned(i)}][at] = out.segs;
  }
  a.channels[op->getResult(0)] = out;
}

/// A reshape that keeps the channel axis whole (the dims after it, in the
/// input and in the output, are all 1, and the elements before it as many).
void visitReshape(Analysis &a, ReshapeOp reshape) {
  std::optional<Channels> in = a.of(reshape.getInput());
  if (!in)
    return;
  ArrayRef<int64_t> from = reshape.getInput().getType().getShape();
  ArrayRef<int64_t> to = reshape.getOutput().getType().getShape();
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims)
      p *= d;
    return p;
  };
  int64_t before = product(from.take_front(in->axis));
  if (product(from.drop_front(in->axis + 1)) == 1)
    for (int64_t b = 0; b < int64_t(to.size()); ++b)
      if (product(to.take_front(b)) == before && to[b] == from[in->axis] &&
          product(to.drop_front(b + 1)) == 1) {
        a.channels[reshape.getOutput()] = {b, in->segs};
        a.reshapes[reshape] = b;
        return;
      }
  freezeOperands(a, reshape);
}

void visitConcat(Analysis &a, ConcatOp concat) {
  int64_t axis = concat.getAxis();
  Segs segs;
  for (Value v : concat.getInputs()) {
    std::optional<Channels> c = a.of(v);
    int64_t dim = cast<RankedTensorType>(v.getType()).getDimSize(axis);
    if (c && c->axis != axis) {
      freezeOperands(a, concat);
      return;
    }
    if (c) {
      segs.append(c->segs.begin(), c->segs.end());
    } else {
      // Channels from elsewhere (an input, an unprunable op) stay.
      int s = a.newSpace(dim);
      a.frozen[s] = "concatenated with channels that cannot be removed";
      segs.push_back({s, dim});
    }
  }
  a.channels[concat.getOutput()] = {axis, segs};
}

void visit(Analysis &a, Operation *op) {
  if (auto conv = dyn_cast<ConvOp>(op))
    return visitConv(a, conv);
  if (auto gemm = dyn_cast<GemmOp>(op))
    return visitGemm(a, gemm);
  if (auto mm = dyn_cast<MatMulOp>(op))
    return visitMatMul(a, mm);
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp>(op))
    return visitBinary(a, op);
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return visitReshape(a, reshape);
  bool carries = llvm::any_of(
      op->getOperands(), [&](Value v) { return a.channels.count(v) != 0; });
  if (!carries)
    return;
  if (auto concat = dyn_cast<ConcatOp>(op))
    return visitConcat(a, concat);
  std::optional<Channels> in = a.of(op->getOperand(0));
  // Ops that keep every channel where it is.
  bool keeps = op->getNumOperands() == 1 && op->getNumResults() == 1 && in &&
               isa<ReluOp, SigmoidOp, TanhOp, ExpOp, SqrtOp, RoundOp, NegOp,
                   ClipOp, HardSigmoidOp, UnaryFnOp>(op);
  if (auto sm = dyn_cast<SoftmaxOp>(op))
    keeps = in && sm.getAxis() != in->axis &&
            sm.getAxis() != in->axis - sm.getInput().getType().getRank();
  if (isa<MaxPoolOp, AveragePoolOp, GlobalAveragePoolOp>(op))
    keeps = in && in->axis == 1;
  if (auto pad = dyn_cast<PadOp>(op)) {
    ArrayRef<int64_t> pads = pad.getPads();
    int64_t rank = pad.getInput().getType().getRank();
    keeps = in && pads[in->axis] == 0 && pads[in->axis + rank] == 0;
  }
  if (keeps) {
    a.channels[op->getResult(0)] = *in;
    return;
  }
  if (auto t = dyn_cast<TransposeOp>(op)) {
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t axis = std::find(perm.begin(), perm.end(), in->axis) - perm.begin();
    a.channels[t.getOutput()] = {axis, in->segs};
    return;
  }
  freezeOperands(a, op);
}

/// The kept positions along an axis laid out as `segs`.
SmallVector<int64_t> keptPositions(Analysis &a, const Segs &segs,
                                   const std::vector<std::vector<bool>> &keep) {
  SmallVector<int64_t> kept;
  int64_t at = 0;
  for (const Seg &s : segs) {
    const std::vector<bool> &k = keep[a.root(s.space)];
    for (int64_t i = 0; i < s.size; ++i)
      if (k.empty() || k[i])
        kept.push_back(at + i);
    at += s.size;
  }
  return kept;
}

struct EdgePruneChannelsPass
    : edgec::impl::EdgePruneChannelsBase<EdgePruneChannelsPass> {
  using EdgePruneChannelsBase::EdgePruneChannelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!(fraction >= 0.0 && fraction < 1.0)) {
      module.emitError() << "edge-prune-channels: fraction " << fraction
                         << " is not in [0, 1)";
      return signalPassFailure();
    }
    int64_t align = 1;
    if (alignTarget)
      if (auto t = module->getAttrOfType<TargetAttr>("edge.target"))
        align = std::max<int64_t>(1, t.getVectorBits() / 32);

    Builder attrs(&getContext());
    SmallVector<Attribute> report;
    module.walk([&](func::FuncOp fn) {
      if (fn.isExternal())
        return;
      Analysis a;
      fn.walk([&](Operation *op) {
        if (op->getParentOp() == fn.getOperation() || isa<func::ReturnOp>(op))
          visit(a, op);
        else
          freezeOperands(a, op);
      });

      // Which channels each free space keeps.
      std::vector<std::vector<bool>> keep(a.sizes.size());
      std::map<int, std::string> why; // per root: why it stays whole
      std::map<int, std::vector<double>> score;
      for (size_t s = 0; s < a.sizes.size(); ++s)
        if (!a.frozen[s].empty() && !why.count(a.root(s)))
          why[a.root(s)] = a.frozen[s];
      for (auto [i, p] : llvm::enumerate(a.producers)) {
        int r = a.root(p.space);
        if (llvm::is_contained(skip, p.name))
          why.emplace(r, "skipped by name");
        else if (denseEnds && i == 0)
          why.emplace(r, "the first layer stays dense");
        std::vector<double> &sc = score[r];
        sc.resize(p.channels, 0.0);
        for (int64_t c = 0; c < p.channels; ++c)
          sc[c] += p.norms[c];
      }
      for (auto &[r, sc] : score) {
        if (why.count(r))
          continue;
        int64_t c = a.sizes[r];
        int64_t kept = c - int64_t(std::llround(fraction * double(c)));
        if (c % align == 0)
          kept = (kept + align - 1) / align * align;
        kept = std::clamp<int64_t>(kept, 1, c);
        if (kept == c)
          continue;
        std::vector<int64_t> order(c);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t x, int64_t y) { return sc[x] > sc[y]; });
        keep[r].assign(c, false);
        for (int64_t i = 0; i < kept; ++i)
          keep[r][order[i]] = true;
      }

      // Slice every constant a space indexes.
      for (auto &[use, axes] : a.slices) {
        auto [op, idx] = use;
        Value old = op->getOperand(idx);
        std::map<int64_t, SmallVector<int64_t>> kept;
        bool changes = false;
        for (auto &[axis, segs] : axes) {
          kept[axis] = keptPositions(a, segs, keep);
          int64_t dim = cast<RankedTensorType>(old.getType()).getDimSize(axis);
          changes |= int64_t(kept[axis].size()) != dim;
        }
        if (!changes)
          continue;
        DenseElementsAttr attr;
        matchPattern(old, m_Constant(&attr));
        auto type = cast<RankedTensorType>(attr.getType());
        SmallVector<int64_t> shape(type.getShape());
        for (auto &[axis, k] : kept)
          shape[axis] = int64_t(k.size());
        std::vector<float> from(attr.getValues<float>().begin(),
                                attr.getValues<float>().end());
        int64_t count = 1;
        for (int64_t d : shape)
          count *= d;
        std::vector<float> to(count);
        SmallVector<int64_t> index(shape.size(), 0);
        for (int64_t i = 0; i < count; ++i) {
          int64_t src = 0;
          for (size_t d = 0; d < shape.size(); ++d) {
            auto it = kept.find(int64_t(d));
            int64_t pos = it == kept.end() ? index[d] : it->second[index[d]];
            src = src * type.getDimSize(d) + pos;
          }
          to[i] = from[src];
          for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
            if (++index[d] < shape[d])
              break;
            index[d] = 0;
          }
        }
        OpBuilder b(op);
        auto newType = RankedTensorType::get(shape, type.getElementType());
        Value c = arith::ConstantOp::create(
            b, old.getLoc(), DenseElementsAttr::get(newType, ArrayRef(to)));
        op->setOperand(idx, c);
        if (Operation *def = old.getDefiningOp(); def && def->use_empty())
          def->erase();
      }

      // The attributes that name a channel count, then every result type.
      for (auto &[op, axis] : a.reshapes) {
        auto reshape = cast<ReshapeOp>(op);
        SmallVector<int64_t> shape(reshape.getShape());
        shape[axis] =
            int64_t(keptPositions(a, a.channels[reshape.getOutput()].segs, keep)
                        .size());
        reshape.setShape(shape);
      }
      for (ConvOp conv : a.depthwise)
        conv.setGroup(
            cast<RankedTensorType>(conv.getFilter().getType()).getDimSize(0));
      fn.walk([&](InferTypeOpInterface op) {
        SmallVector<Type> types;
        if (failed(op.inferReturnTypes(
                &getContext(), op->getLoc(), op->getOperands(),
                op->getAttrDictionary(), op->getPropertiesStorage(),
                op->getRegions(), types)))
          return;
        for (auto [result, type] : llvm::zip(op->getResults(), types))
          if (result.getType() != type &&
              cast<ShapedType>(result.getType()).getElementType() ==
                  cast<ShapedType>(type).getElementType())
            result.setType(type);
      });

      for (const Producer &p : a.producers) {
        int r = a.root(p.space);
        int64_t kept = keep[r].empty()
                           ? p.channels
                           : std::count(keep[r].begin(), keep[r].end(), true);
        SmallVector<NamedAttribute> e{
            attrs.getNamedAttr("layer", attrs.getStringAttr(p.name)),
            attrs.getNamedAttr(
                "op", attrs.getStringAttr(p.op->getName().getStringRef())),
            attrs.getNamedAttr("channels", attrs.getI64IntegerAttr(p.channels)),
            attrs.getNamedAttr("kept", attrs.getI64IntegerAttr(kept))};
        if (why.count(r))
          e.push_back(
              attrs.getNamedAttr("reason", attrs.getStringAttr(why[r])));
        report.push_back(attrs.getDictionaryAttr(e));
      }
    });
    module->setAttr(edgec::prune::kChannelPruningAttr,
                    attrs.getArrayAttr(report));
    if (failed(mlir::verify(module)))
      return signalPassFailure();
  }
};

} // namespace
