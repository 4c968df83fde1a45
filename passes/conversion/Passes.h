//===- Passes.h - conversions out of the edge dialect -----------*- C++ -*-===//
#ifndef EDGEC_PASSES_CONVERSION_PASSES_H
#define EDGEC_PASSES_CONVERSION_PASSES_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Pass/Pass.h"

namespace edgec {
#define GEN_PASS_DECL
#include "passes/conversion/Passes.h.inc"

/// Patterns lowering every edge op to linalg/tensor/arith/math: the union of
/// the per-family sets below (passes/conversion/linalg/<Family>.cpp).
void populateEdgeToLinalgPatterns(mlir::RewritePatternSet &patterns);

namespace lowering {
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateConvPoolLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateMatMulLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateReductionLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateImageLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Quantized tensors become their integer storage through `converter`.
void populateQuantizationLoweringPatterns(mlir::RewritePatternSet &patterns,
                                          const mlir::TypeConverter &converter);
/// Quantized Conv/Gemm/MatMul (i8 x i8 -> i32 with the requantization as
/// an epilogue) and Relu/Clip on quantized tensors.
void populateQuantizedKernelLoweringPatterns(
    mlir::RewritePatternSet &patterns, const mlir::TypeConverter &converter);
} // namespace lowering

#define GEN_PASS_REGISTRATION
#include "passes/conversion/Passes.h.inc"
} // namespace edgec

#endif
