//===- ExpandMath.cpp - transcendental functions without libm -------------===//
//
// Generated code calls nothing from libm (a bare-metal image has none, and a
// vector loop that calls expf per lane is slow): exp, log, tanh, erf, sin,
// cos, atan ... become polynomial approximations on f32 (f16/bf16 computed
// in f32), expressed in arith ops that vectorize like the rest of the loop.
// Hyperbolic functions and powers are first expanded into exp/log. On
// targets whose LLVM backend would call libm's fmaximumf/fminimumf for
// NaN-propagating max/min (Arm M-profile, RISC-V), those become compares and
// selects. Conversions to bfloat16 become integer code too (no libgcc
// helper).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"
#include "targets/cpu/TargetDescription.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUEXPANDMATH
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
/// floor(x) in arith ops, for FPUs without a rounding instruction (FPv4 on
/// Cortex-M4, where LLVM would call libm's floorf): truncate through an
/// integer, step down where that rounded up (negative non-integers), and
/// keep x itself where it is already integral (|x| >= 2^23) or NaN.
struct FloorToArith : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    Type elem = getElementTypeOrSelf(type);
    if (!elem.isF32())
      return failure();
    Location loc = op.getLoc();
    Type intType = IntegerType::get(op.getContext(), 32);
    if (auto v = dyn_cast<VectorType>(type))
      intType = v.clone(intType);
    auto constant = [&](double value) -> Value {
      Attribute a = rewriter.getF32FloatAttr(value);
      if (auto v = dyn_cast<VectorType>(type))
        a = DenseElementsAttr::get(v, a);
      return arith::ConstantOp::create(rewriter, loc, type, cast<TypedAttr>(a));
    };
    Value x = op.getOperand();
    Value truncated = arith::SIToFPOp::create(
        rewriter, loc, type, arith::FPToSIOp::create(rewriter, loc, intType, x));
    Value above = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OGT,
                                        truncated, x);
    Value stepped = arith::SelectOp::create(
        rewriter, loc, above,
        arith::SubFOp::create(rewriter, loc, truncated, constant(1.0)),
        truncated);
    Value magnitude = math::AbsFOp::create(rewriter, loc, x);
    // Small enough to go through i32: |x| < 2^23 (false for NaN).
    Value small = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OLT,
                                        magnitude, constant(8388608.0));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, small, stepped, x);
    return success();
  }
};

struct ExpandMathPass : edgec::impl::EdgeCpuExpandMathBase<ExpandMathPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    {
      RewritePatternSet patterns(ctx);
      // tanh, sinh, cosh, asinh, ..., powf, exp2, fpowi, ctlz, round ... in
      // terms of exp/log and arith.
      math::populateExpansionPatterns(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      auto all = [](StringRef) { return true; };
      populateMathF32ExpansionPatterns(patterns, all);
      populateMathPolynomialApproximationPatterns(patterns, all);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    {
      // f32 -> bf16 as integer operations (round to nearest even, NaN kept
      // quiet): without a native conversion (x86 before AVX-512 BF16, most
      // Arm and RISC-V cores) LLVM calls __truncsfbf2, which bookworm's
      // libgcc does not have, so the object would not link or load.
      RewritePatternSet patterns(ctx);
      arith::populateExpandBFloat16Patterns(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    edge::TargetAttr target = edgec::lookupTarget(getOperation());
    if (target && target.getArch().getValue() != "x86" &&
        target.getArch().getValue() != "aarch64") {
      RewritePatternSet patterns(ctx);
      arith::populateArithExpandOpsPatterns(patterns);
      // Cortex-M4/M7 FPUs (no MVE) have no floor instruction.
      if (target.getArch().getValue() == "cortex-m" &&
          target.getVectorBits() == 0)
        patterns.add<FloorToArith>(ctx);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
