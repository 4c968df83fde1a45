//===- QuantInsert.cpp - post-training quantization: Q/DQ insertion -------===//
//
// Turns a float graph whose tensors carry calibrated ranges into the QDQ
// form the ONNX importer produces for quantized models:
//
//   weights      dequantize(storage_cast(arith.constant <int8>)), symmetric
//                per output channel
//   activations  dequantize(quantize(x)), per tensor: asymmetric int8 or
//                symmetric int16
//
// so that `dequantize -> conv/gemm/matmul -> [relu/clip] -> quantize` is the
// chain edge-quant-fold turns into an integer kernel. Until then the graph
// computes in float between the same rounding points. Where the pairs go is
// the plan's decision (QuantPlan.h); this pass applies it.
//
//===----------------------------------------------------------------------===//
#include "passes/quant/Passes.h"
#include "passes/quant/QuantPlan.h"

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/IR/Builders.h"

namespace edgec {
#define GEN_PASS_DEF_EDGEQUANTINSERT
#include "passes/quant/Passes.h.inc"
} // namespace edgec

using namespace mlir;
using namespace edge;
namespace ptq = edgec::ptq;
using ptq::f32Constant;

namespace {

struct EdgeQuantInsertPass
    : edgec::impl::EdgeQuantInsertBase<EdgeQuantInsertPass> {
  using EdgeQuantInsertBase::EdgeQuantInsertBase;
  void runOnOperation() override;
};

/// 0 (float), 8 or 16 from an `edge.precision`; -1: none; -2: invalid.
int precisionOf(Operation *op) {
  Attribute attr = op->getAttr(ptq::kPrecisionAttr);
  if (!attr)
    return -1;
  auto s = dyn_cast<StringAttr>(attr);
  if (s && s.getValue() == "int8")
    return 8;
  if (s && s.getValue() == "int16")
    return 16;
  if (s && s.getValue() == "float")
    return 0;
  return -2;
}

void EdgeQuantInsertPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  int defaultBits;
  if (mode == "int8") {
    defaultBits = 8;
  } else if (mode == "int16x8") {
    defaultBits = 16;
  } else {
    func.emitError("edge-quant-insert: mode must be int8 or int16x8, got '")
        << mode << "'";
    return signalPassFailure();
  }
  Block &body = func.getBody().front();
  MLIRContext *ctx = &getContext();
  for (Operation &op : body)
    if (precisionOf(&op) == -2) {
      op.emitError("edge.precision must be \"int8\", \"int16\" or "
                   "\"float\", got ")
          << op.getAttr(ptq::kPrecisionAttr);
      return signalPassFailure();
    }
  FailureOr<ptq::QuantPlan> planned =
      ptq::planQuantization(func, defaultBits, precisionOf);
  if (failed(planned))
    return signalPassFailure();
  ptq::QuantPlan &plan = *planned;

  // 4. Q/DQ pairs. A tensor a quantized op produces is quantized for every
  // user; another (a graph input, a float op's result) only where a
  // quantized op reads it.
  OpBuilder b(ctx);
  Operation *lastArgPair = nullptr; // the arguments' pairs, in their order
  for (auto &[v, bits] : plan.tensorBits) {
    if (!isa<BlockArgument>(v))
      b.setInsertionPointAfter(v.getDefiningOp());
    else if (lastArgPair)
      b.setInsertionPointAfter(lastArgPair);
    else
      b.setInsertionPointToStart(&body);
    auto type = cast<RankedTensorType>(v.getType());
    Location loc = v.getLoc();
    auto q = QuantizeOp::create(b, loc, type.clone(plan.types[v]), v);
    auto dq = DequantizeOp::create(b, loc, type, q);
    if (isa<BlockArgument>(v))
      lastArgPair = dq;
    Value tensor = v;
    v.replaceUsesWithIf(dq, [&](OpOperand &use) {
      return use.getOwner() != q && plan.readsQuantized(tensor, use.getOwner());
    });
  }

  // 5. Weights, biases and the constant inputs of pass-through ops.
  DenseSet<Operation *> replaced;
  auto replace = [&](Operation *op, unsigned idx, Value v) {
    if (Operation *def = op->getOperand(idx).getDefiningOp())
      replaced.insert(def);
    op->setOperand(idx, v);
  };
  for (Operation &op : llvm::make_early_inc_range(body)) {
    int bits = plan.bitsOf(&op);
    if (bits == 0)
      continue;
    b.setInsertionPoint(&op);
    if (!ptq::isQuantizableLayer(&op)) {
      for (OpOperand &operand : op.getOpOperands())
        if (DenseElementsAttr c = f32Constant(operand.get()))
          replace(&op, operand.getOperandNumber(),
                  ptq::quantizeConstantPerTensor(b, op.getLoc(), c, bits));
      continue;
    }
    ptq::LayerWeights w = ptq::quantizeLayerWeights(b, &op);
    unsigned wIdx = ptq::layerWeightOperand(&op);
    if (op.getOperand(wIdx) != w.dequantized)
      replace(&op, wIdx, w.dequantized);
    std::optional<unsigned> bias = ptq::layerBiasOperand(&op);
    auto in = op.getOperand(0).getDefiningOp<DequantizeOp>();
    if (!bias || !in)
      continue;
    auto inType = dyn_cast<quant::UniformQuantizedType>(
        in.getInput().getType().getElementType());
    if (!inType)
      continue;
    DenseElementsAttr battr = f32Constant(op.getOperand(*bias));
    SmallVector<float> vals(battr.getValues<float>());
    float sIn = float(inType.getScale());
    for (size_t c = 0; c < vals.size(); ++c) {
      float s = sIn * w.scales[c];
      int64_t q = ptq::quantizeValue(vals[c], s, 0, INT32_MIN, INT32_MAX);
      vals[c] = float(q) * s;
    }
    replace(
        &op, *bias,
        arith::ConstantOp::create(
            b, op.getOperand(*bias).getLoc(),
            DenseElementsAttr::get(battr.getType(), ArrayRef<float>(vals))));
  }

  // The float weights and biases replaced, unless something else reads them.
  for (Operation &op : llvm::make_early_inc_range(body))
    if (isa<arith::ConstantOp>(op) && op.use_empty() && replaced.contains(&op))
      op.erase();

  // The attributes are consumed.
  for (Operation &op : body) {
    op.removeAttr(ptq::kCalibrationAttr);
    op.removeAttr(ptq::kPrecisionAttr);
  }
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, ptq::kCalibrationAttr);
}

} // namespace
