//===- Passes.h - quantization passes on the edge dialect -------*- C++ -*-===//
#ifndef EDGEC_PASSES_QUANT_PASSES_H
#define EDGEC_PASSES_QUANT_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

#include <optional>

namespace edgec {
#define GEN_PASS_DECL
#include "passes/quant/Passes.h.inc"

void populateQuantFoldPatterns(mlir::RewritePatternSet &patterns);

namespace ptq {
/// `edge.calibration = array<f64: min, max>`: the range observed for the
/// op's result (or, as an argument attribute, for a function argument).
constexpr const char *kCalibrationAttr = "edge.calibration";
/// `edge.precision = "int8" | "int16" | "float"`: a layer's precision.
constexpr const char *kPrecisionAttr = "edge.precision";
/// `edge.observe = N : i64`: edge-quant-observe returns the op's result.
constexpr const char *kObserveAttr = "edge.observe";
/// Prefix of the names edge-quant-observe gives to the outputs it adds.
constexpr const char *kObservedOutputPrefix = "edge.observe.";

/// A Conv, Gemm or MatMul on f32 whose weight (filter, B, rhs) is a
/// constant and whose activation is not: what edge-quant-insert quantizes
/// with int8 weights.
bool isQuantizableLayer(mlir::Operation *op);

/// The operand index of a quantizable layer's weight, and the axis of its
/// per-channel scales (the output channel).
unsigned layerWeightOperand(mlir::Operation *op);
int64_t layerWeightAxis(mlir::Operation *op);

/// Relu, Clip, pooling, Add, Mul, Concat, Reshape, Transpose: the ops that
/// may compute in the quantized domain.
bool isQuantizablePassThrough(mlir::Operation *op);

/// Whether a float tensor of `op`'s body is one edge-quant-observe with
/// `all` observes (an edge op's single f32 tensor result).
bool isObservable(mlir::Operation *op);
} // namespace ptq

#define GEN_PASS_REGISTRATION
#include "passes/quant/Passes.h.inc"
} // namespace edgec

#endif
