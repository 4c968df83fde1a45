//===- DataMovement.cpp - edge to linalg: data movement -------------------===//
//
// Reshape, Transpose, Concat, Pad, Gather and Shape.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/LoweringUtils.h"
#include "passes/conversion/Passes.h"

using namespace mlir;
using namespace edge;
using namespace edgec::lowering;
using utils::IteratorType;

namespace {

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, transposeGeneric(rewriter, op.getLoc(),
                                            adaptor.getInput(), op.getPerm()));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    SmallVector<Value> inputs(adaptor.getInputs());
    // A channel concat of NCHW activations (the branches of an Inception or
    // fire module) runs channels-last, between transposes that fusion
    // composes with the convolutions around it: the branches write their
    // NHWC results straight into the concat and the next layer reads it
    // without a layout copy.
    bool channelsLast = type.getRank() == 4 && axis == 1;
    if (channelsLast) {
      for (Value &in : inputs)
        in = transposed(b, loc, in, toChannelsLast(4));
      axis = 3;
      type = RankedTensorType::get({type.getDimSize(0), type.getDimSize(2),
                                    type.getDimSize(3), type.getDimSize(1)},
                                   type.getElementType());
    }
    Value result = empty(b, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value in : inputs) {
      auto t = tensorType(in);
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
      offsets[axis] = b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
      for (int64_t d : t.getShape())
        sizes.push_back(b.getIndexAttr(d));
      result = tensor::InsertSliceOp::create(b, loc, in, result, offsets, sizes,
                                             strides);
      offset += t.getDimSize(axis);
    }
    if (channelsLast)
      result = transposeGeneric(b, loc, result, toChannelsFirst(4));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    // Negative pads crop first (a view once bufferized).
    Value input = adaptor.getInput();
    auto inT = tensorType(input);
    SmallVector<int64_t> offsets, sizes, lo, hi;
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(std::max<int64_t>(-pads[d], 0));
      sizes.push_back(inT.getDimSize(d) + std::min<int64_t>(pads[d], 0) +
                      std::min<int64_t>(pads[d + rank], 0));
      lo.push_back(std::max<int64_t>(pads[d], 0));
      hi.push_back(std::max<int64_t>(pads[d + rank], 0));
    }
    if (ArrayRef<int64_t>(sizes) != inT.getShape()) {
      input = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(sizes, inT.getElementType()), input,
          ValueRange{}, ValueRange{}, ValueRange{},
          b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(sizes),
          b.getDenseI64ArrayAttr(SmallVector<int64_t>(rank, 1)));
    }
    StringRef mode = op.getMode();
    if (mode == "constant") {
      rewriter.replaceOp(op, padConstant(b, loc, input, lo, hi,
                                         op.getValue().convertToDouble()));
      return success();
    }
    // Edge, reflect and wrap gather from the input with clamped, mirrored or
    // wrapped indices.
    Value init = empty(b, loc, type.getShape(), type.getElementType());
    MLIRContext *ctx = b.getContext();
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{},
                  ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  parallel(rank),
                  [&](OpBuilder &nb, Location nl, ValueRange) {
                    auto cst = [&](int64_t v) -> Value {
                      return arith::ConstantIndexOp::create(nb, nl, v);
                    };
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < rank; ++d) {
                      Value i = linalg::IndexOp::create(nb, nl, d);
                      int64_t size = sizes[d];
                      Value src = arith::SubIOp::create(nb, nl, i, cst(lo[d]));
                      if (mode == "reflect") {
                        // -src below the start, 2*last - src past the end.
                        Value neg = arith::SubIOp::create(nb, nl, cst(0), src);
                        src = arith::MaxSIOp::create(nb, nl, src, neg);
                        Value mirrored = arith::SubIOp::create(
                            nb, nl, cst(2 * (size - 1)), src);
                        src = arith::MinSIOp::create(nb, nl, src, mirrored);
                      } else if (mode == "wrap") {
                        // (src mod size) made non-negative: the pads may be
                        // larger than the dimension.
                        Value r = arith::RemSIOp::create(nb, nl, src, cst(size));
                        r = arith::AddIOp::create(nb, nl, r, cst(size));
                        src = arith::RemSIOp::create(nb, nl, r, cst(size));
                      } else {
                        src = arith::MaxSIOp::create(nb, nl, src, cst(0));
                        src = arith::MinSIOp::create(nb, nl, src, cst(size - 1));
                      }
                      idx.push_back(src);
                    }
                    Value v = tensor::ExtractOp::create(nb, nl, input, idx);
                    linalg::YieldOp::create(nb, nl, v);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// A gathered index as an `index`: negative indices count from the end of a
/// dim of `size`; others are clamped so that a bad index cannot read out of
/// bounds.
Value gatherIndex(OpBuilder &b, Location l, Value index, int64_t size) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(
      b, l, isNeg,
      arith::AddIOp::create(b, l, i, arith::ConstantIndexOp::create(b, l, size)),
      i);
  i = arith::MaxSIOp::create(b, l, i, zero);
  return arith::MinSIOp::create(b, l, i,
                                arith::ConstantIndexOp::create(b, l, size - 1));
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto type = op.getType();
    auto dataT = op.getData().getType();
    auto idxT = op.getIndices().getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t rank = type.getRank(), ir = idxT.getRank();
    MLIRContext *ctx = b.getContext();
    // The indices are read with the output dims [axis, axis + ir).
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < ir; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    Value data = adaptor.getData();
    Value init = empty(b, loc, type.getShape(), type.getElementType());
    Value y = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()},
                  ValueRange{adaptor.getIndices()}, ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::get(rank, 0, idxExprs, ctx),
                                      AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  parallel(rank),
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value i = gatherIndex(nb, nl, a[0], dataT.getDimSize(axis));
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < axis; ++d)
                      idx.push_back(linalg::IndexOp::create(nb, nl, d));
                    idx.push_back(i);
                    for (int64_t d = axis + ir; d < rank; ++d)
                      idx.push_back(linalg::IndexOp::create(nb, nl, d));
                    linalg::YieldOp::create(
                        nb, nl, tensor::ExtractOp::create(nb, nl, data, idx).getResult());
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Shape ops fold away on import; one that reaches lowering becomes a
/// constant here.
struct ShapeLowering : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    SmallVector<int64_t> dims(in.getShape().slice(
        op.getStart(), op.getEnd() - op.getStart()));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(op.getType(), ArrayRef<int64_t>(dims)));
    return success();
  }
};

/// edge.slice: a strided extract_slice (a view once bufferized) of the
/// elements read, then, for dims walked backwards, a copy reversing them.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getType();
    Type et = tensorType(adaptor.getInput()).getElementType();
    int64_t rank = type.getRank();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, empty(rewriter, loc, type.getShape(), et));
      return success();
    }
    SmallVector<int64_t> offsets, strides;
    SmallVector<AffineExpr> exprs;
    bool reversed = false;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t step = op.getSteps()[d], size = op.getSizes()[d];
      int64_t start = op.getStarts()[d];
      offsets.push_back(step > 0 ? start : start + (size - 1) * step);
      strides.push_back(std::abs(step));
      exprs.push_back(step > 0 ? getAffineDimExpr(d, ctx)
                               : size - 1 - getAffineDimExpr(d, ctx));
      reversed |= step < 0;
    }
    auto sliceType = RankedTensorType::get(type.getShape(), et);
    Value y = tensor::ExtractSliceOp::create(
        rewriter, loc, sliceType, adaptor.getInput(), ValueRange{}, ValueRange{},
        ValueRange{}, rewriter.getDenseI64ArrayAttr(offsets),
        rewriter.getDenseI64ArrayAttr(type.getShape()),
        rewriter.getDenseI64ArrayAttr(strides));
    if (reversed)
      y = copyThrough(rewriter, loc, y, AffineMap::get(rank, 0, exprs, ctx),
                      type.getShape());
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// edge.trilu: x where (j - i) >= k (upper) or <= k (lower), else 0, for
/// the last two dims (i, j).
struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getInput());
    int64_t rank = type.getRank();
    if (rank < 2)
      return op.emitOpError("needs a rank of at least 2");
    bool upper = op.getUpper();
    int64_t k = op.getK();
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getInput(), type.getShape(),
        type.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = linalg::IndexOp::create(b, l, rank - 2);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Type i64 = b.getI64Type();
          Value diff = arith::SubIOp::create(
              b, l, arith::IndexCastOp::create(b, l, i64, j),
              arith::IndexCastOp::create(b, l, i64, i));
          Value keep = arith::CmpIOp::create(
              b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              diff, arith::ConstantIntOp::create(b, l, i64, k));
          return arith::SelectOp::create(
              b, l, keep, a[0], scalarConst(b, l, a[0].getType(), 0.0));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.gather_elements: each output element reads data at its own index
/// with the axis coordinate from `indices` (negative from the end, clamped
/// so that a bad index cannot read out of bounds).
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    int64_t size = op.getData().getType().getDimSize(axis);
    Value data = adaptor.getData();
    Value r = elementwise(
        rewriter, op.getLoc(), adaptor.getIndices(), type.getShape(),
        tensorType(data).getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = gatherIndex(b, l, a[0], size);
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis ? i
                                   : Value(linalg::IndexOp::create(b, l, d)));
          return tensor::ExtractOp::create(b, l, data, at);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// edge.scatter_nd: a loop over the index tuples, and in it over the
/// elements of each update slice, each extracted and inserted (combined
/// with the element there for a reduction) into the data as [P, S]: P the
/// positions the tuples address, S the slice size. Bufferized, the data is
/// copied once and updated in place.
struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    ArrayRef<int64_t> shape = op.getType().getShape();
    auto idxT = op.getIndices().getType();
    int64_t m = idxT.getDimSize(idxT.getRank() - 1);
    int64_t tuples = idxT.getNumElements() / std::max<int64_t>(m, 1);
    int64_t positions = 1, slice = 1;
    for (int64_t d = 0; d < int64_t(shape.size()); ++d)
      (d < m ? positions : slice) *= shape[d];
    if (tuples == 0 || slice == 0 || positions == 0) {
      rewriter.replaceOp(op, adaptor.getData());
      return success();
    }
    Value data = reshapeTo(b, loc, adaptor.getData(), {positions, slice});
    Value idx = reshapeTo(b, loc, adaptor.getIndices(), {tuples, m});
    Value upd = reshapeTo(b, loc, adaptor.getUpdates(), {tuples, slice});
    StringRef reduction = op.getReduction();
    bool isUnsigned = unsignedIn(op);
    auto cst = [&](OpBuilder &nb, Location nl, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(nb, nl, v);
    };
    auto outer = scf::ForOp::create(
        b, loc, cst(b, loc, 0), cst(b, loc, tuples), cst(b, loc, 1),
        ValueRange{data},
        [&](OpBuilder &ob, Location ol, Value u, ValueRange acc) {
          Value row = cst(ob, ol, 0);
          for (int64_t j = 0; j < m; ++j) {
            Value raw = tensor::ExtractOp::create(ob, ol, idx,
                                                  ValueRange{u, cst(ob, ol, j)});
            Value i = gatherIndex(ob, ol, raw, shape[j]);
            row = arith::AddIOp::create(
                ob, ol, arith::MulIOp::create(ob, ol, row, cst(ob, ol, shape[j])),
                i);
          }
          auto inner = scf::ForOp::create(
              ob, ol, cst(ob, ol, 0), cst(ob, ol, slice), cst(ob, ol, 1),
              ValueRange{acc[0]},
              [&](OpBuilder &ib, Location il, Value s, ValueRange acc2) {
                Value v = tensor::ExtractOp::create(ib, il, upd, ValueRange{u, s});
                if (reduction != "none") {
                  Value old = tensor::ExtractOp::create(ib, il, acc2[0],
                                                        ValueRange{row, s});
                  bool isFloat = isa<FloatType>(v.getType());
                  if (reduction == "add")
                    v = isFloat ? Value(arith::AddFOp::create(ib, il, old, v))
                                : Value(arith::AddIOp::create(ib, il, old, v));
                  else if (reduction == "mul")
                    v = isFloat ? Value(arith::MulFOp::create(ib, il, old, v))
                                : Value(arith::MulIOp::create(ib, il, old, v));
                  else if (reduction == "max")
                    v = isFloat      ? Value(arith::MaximumFOp::create(ib, il, old, v))
                        : isUnsigned ? Value(arith::MaxUIOp::create(ib, il, old, v))
                                     : Value(arith::MaxSIOp::create(ib, il, old, v));
                  else
                    v = isFloat      ? Value(arith::MinimumFOp::create(ib, il, old, v))
                        : isUnsigned ? Value(arith::MinUIOp::create(ib, il, old, v))
                                     : Value(arith::MinSIOp::create(ib, il, old, v));
                }
                Value next = tensor::InsertOp::create(ib, il, v, acc2[0],
                                                      ValueRange{row, s});
                scf::YieldOp::create(ib, il, next);
              });
          scf::YieldOp::create(ob, ol, inner.getResult(0));
        });
    rewriter.replaceOp(op, reshapeTo(b, loc, outer.getResult(0), shape));
    return success();
  }
};

/// edge.expand: the input read with numpy broadcasting into the result.
struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = tensorType(adaptor.getInput());
    Value r = elementwise(rewriter, op.getLoc(), adaptor.getInput(),
                          op.getType().getShape(), type.getElementType(),
                          [](OpBuilder &, Location, ValueRange a) -> Value {
                            return a[0];
                          });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateDataMovementLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering, PadLowering, GatherLowering, ShapeLowering, ExpandLowering, SliceLowering, TriluLowering, GatherElementsLowering, ScatterNDLowering>(ctx);
}
} // namespace edgec::lowering
