//===- ConvPool.cpp - edge to linalg: convolution and pooling -------------===//
//
// Conv (grouped, depthwise, 1-D to 3-D), MaxPool (and its indices),
// AveragePool and GlobalAveragePool, run channels-last between
// linalg.generic transposes; constant filters rearranged at compile time.
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
// Convolution and pooling (channels-last)
//===----------------------------------------------------------------------===//

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure(); // linalg/QuantizedKernels.cpp
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Type et = op.getType().getElementType();
    int64_t rank = op.getInput().getType().getRank(), spatial = rank - 2;
    ArrayRef<int64_t> pads = op.getPads();

    Value x =
        transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, pads.take_front(spatial),
                       pads.drop_front(spatial), 0.0);
    // The accumulator starts as the bias (broadcast over the trailing dims
    // after the spatial ones) or zero. Float16/bfloat16 convolutions
    // accumulate in f32 and round once at the end.
    Value bias = adaptor.getBias();
    Type accType = et.getIntOrFloatBitWidth() < 32 && isa<FloatType>(et)
                       ? Type(b.getF32Type())
                       : et;
    if (bias && accType != et) {
      auto bt = tensorType(bias);
      bias = elementwise(b, loc, bias, bt.getShape(), accType,
                         [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                           return arith::ExtFOp::create(nb, nl, accType, a[0]);
                         });
    }
    Value y = convChannelsLast(
        b, loc, op, x, adaptor.getFilter(), [&](ArrayRef<int64_t> shape) {
          return bias ? broadcastTrailing(b, loc, bias, shape, 1 + spatial)
                      : filled(b, loc, shape, accType, 0.0);
        });
    if (accType != et) {
      auto yt = tensorType(y);
      y = elementwise(b, loc, y, yt.getShape(), et,
                      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                        return arith::TruncFOp::create(nb, nl, et, a[0]);
                      });
    }
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

/// End padding that makes the last (ceil-mode) window fit in the input.
int64_t effectiveEndPad(int64_t in, int64_t begin, int64_t end, int64_t out,
                        int64_t k, int64_t s, int64_t d) {
  int64_t needed = (out - 1) * s + (k - 1) * d + 1 - in - begin;
  return std::max(end, needed);
}

/// The end pads of every spatial dim of a pooling op (NC<spatial> shapes).
template <typename PoolOp> SmallVector<int64_t> poolEndPads(PoolOp op) {
  auto inT = op.getInput().getType(), outT = op.getType();
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  size_t spatial = k.size();
  SmallVector<int64_t> hi;
  for (size_t i = 0; i < spatial; ++i)
    hi.push_back(effectiveEndPad(inT.getDimSize(2 + i), p[i], p[spatial + i],
                                 outT.getDimSize(2 + i), k[i], s[i], d[i]));
  return hi;
}

/// The lowest value of a pooling element type: the padding and the start
/// of a max.
double lowestOf(Type et, bool isUnsigned) {
  if (auto it = dyn_cast<IntegerType>(et))
    return isUnsigned ? 0.0 : -std::ldexp(1.0, it.getWidth() - 1);
  return -std::numeric_limits<double>::infinity();
}

/// Pooling of any spatial rank over a padded channels-last `x` as one
/// linalg.generic over (n, out..., c, tap...), accumulating into `init`.
Value genericPool(
    OpBuilder &b, Location loc, Value x, Value init, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  unsigned s = kernel.size(), c = s + 1, tap = s + 2, dims = 2 * s + 2;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{d(0)}, we, ye{d(0)};
  xe.append(windowExprs(ctx, 1, tap, strides, dilations));
  xe.push_back(d(c));
  for (unsigned i = 0; i < s; ++i) {
    we.push_back(d(tap + i));
    ye.push_back(d(1 + i));
  }
  ye.push_back(d(c));
  SmallVector<IteratorType> iters = parallel(s + 2);
  iters.append(s, IteratorType::reduction);
  Value window = empty(b, loc, kernel, tensorType(x).getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x, window},
             ValueRange{init},
             SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                                    AffineMap::get(dims, 0, we, ctx),
                                    AffineMap::get(dims, 0, ye, ctx)},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, a[0], a[2]));
             })
      .getResult(0);
}

/// The pooled shape in channels-last order.
SmallVector<int64_t> channelsLastShape(RankedTensorType t) {
  SmallVector<int64_t> shape;
  for (int64_t p : toChannelsLast(t.getRank()))
    shape.push_back(t.getDimSize(p));
  return shape;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto outT = op.getType();
    Type et = outT.getElementType();
    int64_t rank = outT.getRank();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    bool isUnsigned = unsignedIn(op);
    double lowest = lowestOf(et, isUnsigned);
    Value x =
        transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, p.take_front(k.size()), poolEndPads(op),
                       lowest);
    Value init = filled(b, loc, channelsLastShape(outT), et, lowest);
    Value y;
    if (k.size() == 2) {
      Value window = empty(b, loc, k, et);
      y = isUnsigned
              ? linalg::PoolingNhwcMaxUnsignedOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                    .getResult(0)
              : linalg::PoolingNhwcMaxOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                    ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                    .getResult(0);
    } else {
      y = genericPool(
          b, loc, x, init, k, s, d,
          [&](OpBuilder &nb, Location nl, Value v, Value acc) -> Value {
            if (isa<FloatType>(et))
              return arith::MaximumFOp::create(nb, nl, v, acc);
            if (isUnsigned)
              return arith::MaxUIOp::create(nb, nl, v, acc);
            return arith::MaxSIOp::create(nb, nl, v, acc);
          });
    }
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

/// MaxPool's Indices: one generic over (n, c, out..., tap...) on the padded
/// channels-first input that carries the running maximum and its position.
/// The first maximum of a window wins, as in ONNX Runtime, and padding never
/// does (the -1 start is taken by the first in-bounds tap).
struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    auto inT = op.getInput().getType(), outT = op.getType();
    Type et = tensorType(adaptor.getInput()).getElementType();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), dl = op.getDilations();
    unsigned sp = k.size(), tap = 2 + sp, dims = 2 + 2 * sp;
    bool isUnsigned = unsignedIn(op);
    double lowest = lowestOf(et, isUnsigned);
    SmallVector<int64_t> lo{0, 0}, hi{0, 0};
    lo.append(p.begin(), p.begin() + sp);
    llvm::append_range(hi, poolEndPads(op));
    Value x = padConstant(b, loc, adaptor.getInput(), lo, hi, lowest);
    Value window = empty(b, loc, k, et);
    Value initV = filled(b, loc, outT.getShape(), et, lowest);
    Value initI = filled(b, loc, outT.getShape(), b.getI64Type(), -1.0);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe{d(0), d(1)}, we;
    xe.append(windowExprs(ctx, 2, tap, s, dl));
    for (unsigned i = 0; i < sp; ++i)
      we.push_back(d(tap + i));
    AffineMap outMap =
        AffineMap::getMultiDimIdentityMap(dims, ctx).getMajorSubMap(2 + sp);
    SmallVector<IteratorType> iters = parallel(2 + sp);
    iters.append(sp, IteratorType::reduction);
    bool columnMajor = op.getStorageOrder() == 1;
    auto body = [&](OpBuilder &nb, Location nl, ValueRange a) {
      auto idx = [&](int64_t v) {
        return arith::ConstantIndexOp::create(nb, nl, v).getResult();
      };
      auto loop = [&](unsigned dim) {
        return linalg::IndexOp::create(nb, nl, dim).getResult();
      };
      // The input position of this tap, per spatial dim, and whether it is
      // inside the unpadded input.
      Value inBounds = arith::ConstantIntOp::create(nb, nl, 1, 1);
      SmallVector<Value> pos;
      for (unsigned i = 0; i < sp; ++i) {
        Value at = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, loop(2 + i), idx(s[i])),
            arith::MulIOp::create(nb, nl, loop(tap + i), idx(dl[i])));
        at = arith::SubIOp::create(nb, nl, at, idx(p[i]));
        Value ge = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, at,
                                         idx(0));
        Value lt = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, at,
                                         idx(inT.getDimSize(2 + i)));
        inBounds = arith::AndIOp::create(nb, nl, inBounds,
                                         arith::AndIOp::create(nb, nl, ge, lt));
        pos.push_back(at);
      }
      // Flattened index: (n * C + c) * prod(spatial) + the spatial offset,
      // row-major (storage_order 0) or column-major (1).
      int64_t area = 1;
      for (unsigned i = 0; i < sp; ++i)
        area *= inT.getDimSize(2 + i);
      Value plane = arith::AddIOp::create(
          nb, nl,
          arith::MulIOp::create(nb, nl, loop(0), idx(inT.getDimSize(1))),
          loop(1));
      Value offset = idx(0);
      int64_t stride = 1;
      for (unsigned j = 0; j < sp; ++j) {
        unsigned i = columnMajor ? j : sp - 1 - j;
        offset = arith::AddIOp::create(
            nb, nl, offset, arith::MulIOp::create(nb, nl, pos[i], idx(stride)));
        stride *= inT.getDimSize(2 + i);
      }
      Value flat = arith::AddIOp::create(
          nb, nl, arith::MulIOp::create(nb, nl, plane, idx(area)), offset);
      flat = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), flat);
      Value v = a[0], accV = a[2], accI = a[3];
      Value greater =
          isa<FloatType>(et)
              ? arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, v,
                                      accV)
                    .getResult()
              : arith::CmpIOp::create(nb, nl,
                                      isUnsigned ? arith::CmpIPredicate::ugt
                                                 : arith::CmpIPredicate::sgt,
                                      v, accV)
                    .getResult();
      Value none = arith::CmpIOp::create(
          nb, nl, arith::CmpIPredicate::slt, accI,
          arith::ConstantIntOp::create(nb, nl, nb.getI64Type(), 0));
      Value take = arith::AndIOp::create(
          nb, nl, inBounds, arith::OrIOp::create(nb, nl, greater, none));
      linalg::YieldOp::create(
          nb, nl,
          ValueRange{arith::SelectOp::create(nb, nl, take, v, accV),
                     arith::SelectOp::create(nb, nl, take, flat, accI)});
    };
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{initV.getType(), initI.getType()},
        ValueRange{x, window}, ValueRange{initV, initI},
        SmallVector<AffineMap>{AffineMap::get(dims, 0, xe, ctx),
                               AffineMap::get(dims, 0, we, ctx), outMap,
                               outMap},
        iters, body);
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType(), outT = op.getType();
    Type et = outT.getElementType();
    int64_t rank = outT.getRank();
    ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    size_t sp = k.size();
    Value x =
        transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    x = padSpatialLast(b, loc, x, p.take_front(sp), poolEndPads(op), 0.0);
    SmallVector<int64_t> outShape = channelsLastShape(outT);
    Value init = filled(b, loc, outShape, et, 0.0);
    Value sum;
    if (sp == 2) {
      Value window = empty(b, loc, k, et);
      sum = linalg::PoolingNhwcSumOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{x, window},
                ValueRange{init}, i64Vector(b, s), i64Vector(b, d))
                .getResult(0);
    } else {
      sum = genericPool(
          b, loc, x, init, k, s, d,
          [](OpBuilder &nb, Location nl, Value v, Value acc) -> Value {
            return arith::AddFOp::create(nb, nl, v, acc);
          });
    }
    // The divisor of each output position, known at compile time: the taps
    // of the (dilated) window that fall in the padded input, or in the input
    // itself unless count_include_pad. Taps past the padding (ceil_mode)
    // never count.
    bool includePad = op.getCountIncludePad();
    auto taps = [&](int64_t o, size_t i) {
      int64_t size = inT.getDimSize(2 + i);
      int64_t lo = includePad ? -p[i] : 0;
      int64_t end = includePad ? size + p[sp + i] : size;
      int64_t n = 0;
      for (int64_t j = 0; j < k[i]; ++j) {
        int64_t at = o * s[i] - p[i] + j * d[i];
        n += at >= lo && at < end;
      }
      return std::max<int64_t>(n, 1);
    };
    SmallVector<int64_t> divShape{1}, pos(sp, 0);
    int64_t positions = 1;
    for (size_t i = 0; i < sp; ++i) {
      divShape.push_back(outT.getDimSize(2 + i));
      positions *= outT.getDimSize(2 + i);
    }
    divShape.push_back(1);
    // 1 / count in the element type (f16, bf16, f32, f64).
    const llvm::fltSemantics &sem = cast<FloatType>(et).getFloatSemantics();
    SmallVector<APFloat> inv;
    for (int64_t q = 0; q < positions; ++q) {
      int64_t count = 1;
      for (size_t i = 0; i < sp; ++i)
        count *= taps(pos[i], i);
      APFloat value(1.0 / double(count));
      bool lost;
      value.convert(sem, APFloat::rmNearestTiesToEven, &lost);
      inv.push_back(value);
      for (int64_t i = sp - 1; i >= 0; --i) {
        if (++pos[i] < outT.getDimSize(2 + i))
          break;
        pos[i] = 0;
      }
    }
    Value divisor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(divShape, et),
                               ArrayRef<APFloat>(inv)));
    Value y =
        elementwise(b, loc, ValueRange{sum, divisor}, outShape, et,
                    [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      return arith::MulFOp::create(nb, nl, a[0], a[1]);
                    });
    rewriter.replaceOp(op, transposeGeneric(b, loc, y, toChannelsFirst(rank)));
    return success();
  }
};

struct GlobalAveragePoolLowering : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto inT = op.getInput().getType();
    int64_t rank = inT.getRank();
    // Channels-last: reduce (n, spatial..., c) over the spatial dims.
    Value x =
        transposeGeneric(b, loc, adaptor.getInput(), toChannelsLast(rank));
    SmallVector<bool> reduced(rank, true);
    reduced.front() = reduced.back() = false;
    Value sum =
        reduce(b, loc, x, reduced, 0.0,
               [](OpBuilder &nb, Location nl, Value a, Value acc) -> Value {
                 return arith::AddFOp::create(nb, nl, a, acc);
               });
    int64_t count =
        inT.getNumElements() / (inT.getDimSize(0) * inT.getDimSize(1));
    Type et = inT.getElementType();
    Value scale = scalarConst(b, loc, et, 1.0 / double(count));
    auto sumT = tensorType(sum);
    Value mean =
        elementwise(b, loc, sum, sumT.getShape(), et,
                    [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      return arith::MulFOp::create(nb, nl, a[0], scale);
                    });
    rewriter.replaceOp(op, reshapeTo(b, loc, mean, op.getType().getShape()));
    return success();
  }
};

} // namespace

namespace edgec::lowering {
void populateConvPoolLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvLowering, MaxPoolLowering, MaxPoolIndicesLowering,
               AveragePoolLowering, GlobalAveragePoolLowering>(ctx);
}
} // namespace edgec::lowering
