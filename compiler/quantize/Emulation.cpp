//===- Emulation.cpp - every quantization plan in one host build ----------===//
#include "compiler/quantize/Emulation.h"

#include "dialects/Edge/IR/EdgeOps.h"
#include "passes/quant/Passes.h"
#include "passes/quant/QuantPlan.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <cfloat>

using namespace mlir;
using namespace edge;

namespace edgec {

namespace {

/// Builds the run-time switches into the clone.
class Builder {
public:
  Builder(func::FuncOp f, Value params, Value zps)
      : b(f.getContext()), scalars(f.getContext()), params(params), zps(zps) {
    scalars.setInsertionPointToStart(&f.getBody().front());
  }

  /// params[i] (or zps[i]) as a tensor<1x...>.
  Value scalar(unsigned i, bool zeroPoint = false) {
    auto &cache = zeroPoint ? zpCache : paramCache;
    if (Value v = cache.lookup(i))
      return v;
    Location loc = scalars.getUnknownLoc();
    auto idxType = RankedTensorType::get({1}, scalars.getI64Type());
    Value idx = arith::ConstantOp::create(
        scalars, loc, DenseElementsAttr::get(idxType, ArrayRef<int64_t>{i}));
    Value v = GatherOp::create(scalars, loc, zeroPoint ? zps : params, idx,
                               scalars.getI64IntegerAttr(0));
    cache[i] = v;
    return v;
  }

  /// (1 - m) * x + m * q, with m = params[slot], 1 - m = params[slot + 1].
  Value blend(Location loc, Value x, Value q, unsigned slot) {
    Value keep = MulOp::create(b, loc, x, scalar(slot + 1));
    Value take = MulOp::create(b, loc, q, scalar(slot));
    return AddOp::create(b, loc, keep, take);
  }

  /// The fake quantization of tensor slot `t`.
  Value fakeQuant(Location loc, Value x, unsigned t) {
    Value s = scalar(3 * t), lo = scalar(3 * t + 1), hi = scalar(3 * t + 2);
    Value zp = scalar(t, /*zeroPoint=*/true);
    Value q =
        QuantizeLinearOp::create(b, loc, x, s, zp, b.getI64IntegerAttr(0));
    Value d =
        DequantizeLinearOp::create(b, loc, q, s, zp, b.getI64IntegerAttr(0));
    return MaxOp::create(b, loc, MinOp::create(b, loc, d, hi), lo);
  }

  /// A layer's bias rounded to the int32 grid of s_in * s_w[c], s_in the
  /// scale of tensor slot `t`.
  Value quantizedBias(Location loc, Value bias, ArrayRef<float> weightScales,
                      unsigned t) {
    auto type = cast<RankedTensorType>(bias.getType());
    int64_t c = int64_t(weightScales.size());
    auto vec = [&](Type elem) { return RankedTensorType::get({c}, elem); };
    Value sw = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec(b.getF32Type()), weightScales));
    Value zero = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vec(b.getI32Type()), ArrayRef<int32_t>{0}));
    Value sb = MulOp::create(b, loc, scalar(3 * t), sw);
    auto axis = b.getI64IntegerAttr(type.getRank() - 1);
    Value q = QuantizeLinearOp::create(b, loc, bias, sb, zero, axis);
    return DequantizeLinearOp::create(b, loc, q, sb, zero, axis);
  }

  OpBuilder b;

private:
  OpBuilder scalars; // at the top of the body
  Value params, zps;
  DenseMap<unsigned, Value> paramCache, zpCache;
};

} // namespace

std::unique_ptr<EmulationBuild>
EmulationBuild::create(ModuleOp module, ArrayRef<Operation *> layers,
                       const TargetDescription &host, int optLevel,
                       std::string &error) {
  std::unique_ptr<EmulationBuild> e(new EmulationBuild());
  e->func = module.lookupSymbol<func::FuncOp>("main");
  e->layers.assign(layers.begin(), layers.end());
  Block &body = e->func.getBody().front();

  // The slots: tensors (s, lo, hi and a zero point), then uses, layers and
  // constant operands of pass-through ops.
  for (BlockArgument arg : body.getArguments())
    if (ptq::isActivation(arg))
      e->tensorSlot.insert({arg, e->tensorSlot.size()});
  for (Operation &op : body)
    for (Value r : op.getResults())
      if (ptq::isActivation(r) && isa_and_nonnull<EdgeDialect>(op.getDialect()))
        e->tensorSlot.insert({r, e->tensorSlot.size()});
  unsigned next = 3 * e->tensorSlot.size();
  for (auto &[tensor, slot] : e->tensorSlot)
    for (Operation *user : tensor.getUsers()) {
      if (llvm::any_of(e->uses, [&](const Use &u) {
            return u.tensor == tensor && u.user == user;
          }))
        continue; // one switch per (tensor, user)
      e->uses.push_back({tensor, user, next});
      next += 2;
    }
  for (size_t l = 0; l < layers.size(); ++l, next += 2)
    e->layerSlot.push_back(next);
  for (Operation &op : body)
    if (ptq::isQuantizablePassThrough(&op) &&
        llvm::any_of(op.getOperands(),
                     [](Value v) { return bool(ptq::f32Constant(v)); })) {
      e->constantSlot.insert({&op, next});
      next += 3;
    }
  e->params.assign(next, 0.0f);
  e->zeroPoints.assign(e->tensorSlot.size(), 0);

  // The clone, with two more inputs.
  IRMapping map;
  OwningOpRef<ModuleOp> clone(cast<ModuleOp>(module->clone(map)));
  auto f = clone->lookupSymbol<func::FuncOp>("main");
  MLIRContext *ctx = module.getContext();
  OpBuilder ab(ctx);
  auto paramsType =
      RankedTensorType::get({int64_t(e->params.size())}, ab.getF32Type());
  auto zpsType =
      RankedTensorType::get({int64_t(e->zeroPoints.size())}, ab.getI32Type());
  unsigned n = f.getNumArguments();
  SmallVector<Attribute> inputs;
  if (auto list = clone.get()->getAttrOfType<ArrayAttr>("edge.inputs"))
    llvm::append_range(inputs, list);
  const Type types[] = {paramsType, zpsType};
  const StringRef names[] = {"edge.emulation.params",
                             "edge.emulation.zero_points"};
  for (unsigned i = 0; i < 2; ++i) {
    Type type = types[i];
    StringRef name = names[i];
    auto attrs = ab.getDictionaryAttr(
        ab.getNamedAttr("edge.name", ab.getStringAttr(name)));
    if (failed(f.insertArgument(n + i, type, attrs, f.getLoc()))) {
      error = "cannot add the emulation inputs";
      return nullptr;
    }
    inputs.push_back(
        ab.getDictionaryAttr({ab.getNamedAttr("name", ab.getStringAttr(name)),
                              ab.getNamedAttr("type", TypeAttr::get(type))}));
  }
  clone.get()->setAttr("edge.inputs", ab.getArrayAttr(inputs));
  Operation *anchor = &f.getBody().front().front(); // the first op
  Builder eb(f, f.getArgument(n), f.getArgument(n + 1));
  OpBuilder &b = eb.b;

  for (auto &[tensor, slot] : e->tensorSlot) {
    Value x = map.lookup(tensor);
    if (isa<BlockArgument>(x))
      b.setInsertionPoint(anchor); // after the scalars it reads
    else
      b.setInsertionPointAfter(x.getDefiningOp());
    Location loc = x.getLoc();
    Value fq = eb.fakeQuant(loc, x, slot);
    for (const Use &u : e->uses) {
      if (u.tensor != tensor)
        continue;
      Operation *user = map.lookup(u.user);
      Value v = eb.blend(loc, x, fq, u.slot);
      user->replaceUsesOfWith(x, v);
    }
  }
  for (auto [l, layer] : llvm::enumerate(e->layers)) {
    Operation *op = map.lookup(layer);
    b.setInsertionPoint(op);
    Location loc = op->getLoc();
    unsigned wIdx = ptq::layerWeightOperand(op);
    Value wf = op->getOperand(wIdx);
    ptq::LayerWeights w = ptq::quantizeLayerWeights(b, op);
    op->setOperand(wIdx, eb.blend(loc, wf, w.dequantized, e->layerSlot[l]));
    std::optional<unsigned> bias = ptq::layerBiasOperand(layer);
    auto in = e->tensorSlot.find(layer->getOperand(0));
    if (!bias || in == e->tensorSlot.end())
      continue;
    Value bf = op->getOperand(*bias);
    Value bq = eb.quantizedBias(loc, bf, w.scales, in->second);
    op->setOperand(*bias, eb.blend(loc, bf, bq, e->layerSlot[l]));
  }
  for (auto &[orig, slot] : e->constantSlot) {
    Operation *op = map.lookup(orig);
    b.setInsertionPoint(op);
    Location loc = op->getLoc();
    for (OpOperand &operand : op->getOpOperands()) {
      DenseElementsAttr c = ptq::f32Constant(operand.get());
      if (!c)
        continue;
      Value f32 = operand.get();
      Value q8 = ptq::quantizeConstantPerTensor(b, loc, c, 8);
      Value q16 = ptq::quantizeConstantPerTensor(b, loc, c, 16);
      Value sel = AddOp::create(
          b, loc,
          AddOp::create(b, loc, MulOp::create(b, loc, f32, eb.scalar(slot)),
                        MulOp::create(b, loc, q8, eb.scalar(slot + 1))),
          MulOp::create(b, loc, q16, eb.scalar(slot + 2)));
      operand.set(sel);
    }
  }
  // The calibration attributes have no meaning past this point.
  f.walk([](Operation *op) {
    op->removeAttr(ptq::kCalibrationAttr);
    op->removeAttr(ptq::kPrecisionAttr);
  });

  e->host = HostModel::compile(*clone, host, optLevel, error);
  if (!e->host)
    return nullptr;
  return e;
}

LogicalResult EmulationBuild::configure(ArrayRef<int> bits, int defaultBits) {
  DenseMap<Operation *, int> layerBits;
  for (auto [l, layer] : llvm::enumerate(layers))
    layerBits[layer] = bits[l];
  auto precision = [&](Operation *op) -> int {
    auto it = layerBits.find(op);
    if (it != layerBits.end())
      return it->second;
    auto attr = op->getAttrOfType<StringAttr>(ptq::kPrecisionAttr);
    return attr && attr.getValue() == "float" ? 0 : -1;
  };
  FailureOr<ptq::QuantPlan> plan =
      ptq::planQuantization(func, defaultBits, precision);
  if (failed(plan))
    return failure();
  for (auto &[tensor, t] : tensorSlot) {
    auto type = plan->types.find(tensor);
    if (type == plan->types.end()) {
      params[3 * t] = 1.0f;
      params[3 * t + 1] = -FLT_MAX;
      params[3 * t + 2] = FLT_MAX;
      zeroPoints[t] = 0;
      continue;
    }
    auto q = type->second;
    float s = float(q.getScale());
    params[3 * t] = s;
    params[3 * t + 1] = float(q.getStorageTypeMin() - q.getZeroPoint()) * s;
    params[3 * t + 2] = float(q.getStorageTypeMax() - q.getZeroPoint()) * s;
    zeroPoints[t] = int32_t(q.getZeroPoint());
  }
  auto set = [&](unsigned slot, bool on) {
    params[slot] = on ? 1.0f : 0.0f;
    params[slot + 1] = on ? 0.0f : 1.0f;
  };
  for (const Use &u : uses)
    set(u.slot, plan->tensorBits.count(u.tensor) &&
                    plan->readsQuantized(u.tensor, u.user));
  for (auto [l, layer] : llvm::enumerate(layers))
    set(layerSlot[l], plan->bitsOf(layer) > 0);
  for (auto &[op, slot] : constantSlot) {
    int b = plan->bitsOf(op);
    params[slot] = b == 0;
    params[slot + 1] = b == 8;
    params[slot + 2] = b == 16;
  }
  return success();
}

void EmulationBuild::run(const std::vector<std::vector<char>> &sample) {
  std::vector<std::vector<char>> inputs(sample);
  auto bytes = [](const auto &v) {
    const char *p = reinterpret_cast<const char *>(v.data());
    return std::vector<char>(p, p + v.size() * sizeof(v[0]));
  };
  inputs.push_back(bytes(params));
  inputs.push_back(bytes(zeroPoints));
  host->run(inputs);
}

} // namespace edgec
