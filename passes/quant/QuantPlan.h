//===- QuantPlan.h - where post-training quantization puts Q/DQ -*- C++ -*-===//
//
// The decisions of edge-quant-insert, apart from the rewrite: which ops
// compute quantized and at which width, which tensors get a Q/DQ pair and
// with which type, which uses read the dequantized value. The pass applies
// a plan; the quantizer's emulation build (compiler/quantize) evaluates
// many plans on one compiled model.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_PASSES_QUANT_QUANTPLAN_H
#define EDGEC_PASSES_QUANT_QUANTPLAN_H

#include "dialects/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <optional>

namespace edgec::ptq {

struct QuantPlan {
  /// The quantized ops and their width (8 or 16); absent: float.
  llvm::DenseMap<mlir::Operation *, int> opBits;
  /// Relu/Clip ops computed inside their layer (their input, the layer's
  /// output, gets no Q/DQ pair).
  llvm::DenseSet<mlir::Operation *> fused;
  /// The tensors that get a Q/DQ pair, in program order, and their width.
  llvm::MapVector<mlir::Value, int> tensorBits;
  /// Their per-tensor types.
  llvm::DenseMap<mlir::Value, mlir::quant::UniformQuantizedType> types;

  int bitsOf(mlir::Operation *op) const { return op ? opBits.lookup(op) : 0; }
  /// Whether `user`, reading a tensor of `tensorBits`, reads its dequantized
  /// value: every user of a tensor a quantized op produces, only the
  /// quantized users of any other tensor (a graph input, a float op's
  /// result).
  bool readsQuantized(mlir::Value tensor, mlir::Operation *user) const;
};

/// The layer's precision: -1 (none given: the mode's width for a layer,
/// inherited for a pass-through op), 0 (float), 8 or 16.
using PrecisionFn = llvm::function_ref<int(mlir::Operation *)>;

/// Plans the quantization of `func`'s body with `defaultBits` (8 or 16) for
/// layers without a precision. Ranges come from `edge.calibration`
/// attributes; a missing one is reported at its op and fails.
mlir::FailureOr<QuantPlan> planQuantization(mlir::func::FuncOp func,
                                            int defaultBits,
                                            PrecisionFn precision);

/// The per-tensor type of a calibrated range: asymmetric int8 holding 0,
/// or symmetric int16.
mlir::quant::UniformQuantizedType rangeType(mlir::MLIRContext *ctx, double lo,
                                            double hi, int bits);

/// round_half_even(x / s) + zp saturated to [lo, hi], in f32 as
/// edge.quantize computes it.
int64_t quantizeValue(float x, float s, int64_t zp, int64_t lo, int64_t hi);

/// A float constant quantized per tensor from its own range (a constant
/// input of a quantized pass-through op), built at `b`.
mlir::Value quantizeConstantPerTensor(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::DenseElementsAttr attr, int bits);

struct LayerWeights {
  mlir::Value dequantized;         // dequantize(storage_cast(constant <int8>))
  llvm::SmallVector<float> scales; // per output channel
};

/// The layer's weight quantized symmetrically per output channel into
/// [-127, 127], built before `op`; a weight already stored as symmetric
/// int8 (per tensor or per output channel) is kept.
LayerWeights quantizeLayerWeights(mlir::OpBuilder &b, mlir::Operation *op);

/// The operand of a layer's constant per-channel bias (Conv bias, Gemm C
/// with alpha = beta = 1), which is rounded to the int32 grid of scale
/// s_in * s_w[c].
std::optional<unsigned> layerBiasOperand(mlir::Operation *op);

/// Whether `v` is an f32 tensor computed at run time (not a constant, nor
/// a dequantized constant).
bool isActivation(mlir::Value v);
bool isF32Tensor(mlir::Value v);
/// The constant f32 tensor `v` holds, or null.
mlir::DenseElementsAttr f32Constant(mlir::Value v);

/// dequantize(storage_cast(arith.constant <ints>)) with `qtype` (per tensor
/// or per axis) over `type`'s shape.
mlir::Value quantizedConstant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<int64_t> ints,
                              mlir::quant::QuantizedType qtype);

} // namespace edgec::ptq

#endif
