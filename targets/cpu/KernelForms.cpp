//===- KernelForms.cpp - the kernels of the CPU codegen -------------------===//
//
// Recognizers for the kernels convert-edge-to-linalg builds as
// linalg.generic, and the rewrites that compute a kernel as a named op the
// register-block path of edge-cpu-vectorize-kernels handles.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/KernelForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

namespace edgec {

namespace {

/// The body computes acc + a * b (float or integer, operands in either
/// order) in one element type.
bool isMulAdd(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  Type et = getElementTypeOrSelf(op->getOperand(0).getType());
  for (Value v : op->getOperands())
    if (getElementTypeOrSelf(v.getType()) != et)
      return false;
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3 ||
      body->getOperations().size() != 3)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1),
        acc = body->getArgument(2);
  Operation *add = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!isa_and_nonnull<arith::AddFOp, arith::AddIOp>(add))
    return false;
  Value product = add->getOperand(0) == acc   ? add->getOperand(1)
                  : add->getOperand(1) == acc ? add->getOperand(0)
                                              : Value();
  Operation *mul = product ? product.getDefiningOp() : nullptr;
  if (!isa_and_nonnull<arith::MulFOp, arith::MulIOp>(mul))
    return false;
  return (mul->getOperand(0) == a && mul->getOperand(1) == b) ||
         (mul->getOperand(0) == b && mul->getOperand(1) == a);
}

/// The coefficient of loop `dim` in a linear expression, or -1.
int64_t coefficient(AffineExpr e, unsigned dim, unsigned numDims) {
  MLIRContext *ctx = e.getContext();
  SmallVector<AffineExpr> values(numDims, getAffineConstantExpr(0, ctx));
  values[dim] = getAffineConstantExpr(1, ctx);
  auto c = dyn_cast<AffineConstantExpr>(e.replaceDims(values));
  return c ? c.getValue() : -1;
}

/// Reassociation that folds the `unit` dims of a rank-`rank` shape into
/// their neighbours (leading ones into the first kept dim).
SmallVector<ReassociationIndices> unitDimGroups(int64_t rank,
                                                ArrayRef<int64_t> unit) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices current;
  bool hasKept = false;
  for (int64_t d = 0; d < rank; ++d) {
    bool kept = !llvm::is_contained(unit, d);
    if (kept && hasKept) {
      groups.push_back(current);
      current.clear();
      hasKept = false;
    }
    current.push_back(d);
    hasKept |= kept;
  }
  groups.push_back(current);
  return groups;
}

/// `v` without its `unit` dims (all of size 1), collapsed into their
/// neighbours. (A rank-reducing extract_slice would do too, but which unit
/// dims it drops is only implied by the sizes, and MLIR 22's slice
/// canonicalizations get that wrong when several sizes are 1.)
Value dropUnitDims(RewriterBase &rewriter, Location loc, Value v,
                   ArrayRef<int64_t> unit) {
  auto type = cast<RankedTensorType>(v.getType());
  return tensor::CollapseShapeOp::create(rewriter, loc, v,
                                         unitDimGroups(type.getRank(), unit));
}

/// Replaces the result of `op` by `reduced`, the same values without the
/// `unit` dims, expanded back.
void replaceWithReduced(RewriterBase &rewriter, Operation *op, Value reduced,
                        ArrayRef<int64_t> unit) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  rewriter.setInsertionPointAfterValue(reduced);
  Value expanded =
      tensor::ExpandShapeOp::create(rewriter, op->getLoc(), type, reduced,
                                    unitDimGroups(type.getRank(), unit));
  rewriter.replaceOp(op, expanded);
}

/// A constant with its dims permuted (result dim i is dim perm[i]),
/// computed at compile time; null when its elements are not whole bytes.
Value permuteConstant(RewriterBase &rewriter, Location loc,
                      DenseElementsAttr attr, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(attr.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape, strides(rank, 1);
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  auto newType = type.clone(shape);
  if (attr.isSplat())
    return arith::ConstantOp::create(rewriter, loc, attr.reshape(newType));
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0)
    return {};
  size_t elem = bits / 8;
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * type.getDimSize(d + 1);
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> out(size_t(type.getNumElements()) * elem);
  SmallVector<int64_t> index(rank, 0);
  for (size_t i = 0, e = type.getNumElements(); i < e; ++i) {
    int64_t from = 0;
    for (int64_t d = 0; d < rank; ++d)
      from += index[d] * strides[perm[d]];
    std::memcpy(&out[i * elem], &raw[from * elem], elem);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::getFromRawBuffer(newType, out));
}

/// `v` with its dims permuted: rearranged at compile time when constant,
/// else by a linalg.transpose.
Value permuted(RewriterBase &rewriter, Location loc, Value v,
               ArrayRef<int64_t> perm) {
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    if (Value c = permuteConstant(rewriter, loc, attr, perm))
      return c;
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, v, init, perm)
      .getResult()[0];
}

} // namespace

std::optional<ConvGeneric> matchConvGeneric(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !isMulAdd(op))
    return std::nullopt;
  int64_t loops = generic.getNumLoops();
  if (loops < 8 || loops % 2 != 0)
    return std::nullopt;
  ConvGeneric conv;
  int64_t s = conv.spatial = (loops - 4) / 2;
  auto iterators = generic.getIteratorTypesArray();
  for (int64_t i = 0; i < loops; ++i)
    if (iterators[i] != (i < s + 3 ? utils::IteratorType::parallel
                                   : utils::IteratorType::reduction))
      return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  SmallVector<AffineExpr> out,
      filter{d(conv.groupLoop()), d(conv.filterLoop()), d(conv.channelLoop())};
  for (int64_t i = 0; i < s + 3; ++i)
    out.push_back(d(i));
  for (int64_t i = 0; i < s; ++i)
    filter.push_back(d(conv.tapLoop(i)));
  if (maps[2] != AffineMap::get(loops, 0, out, ctx) ||
      maps[1] != AffineMap::get(loops, 0, filter, ctx))
    return std::nullopt;
  AffineMap in = maps[0];
  if (in.getNumResults() != s + 3 || in.getResult(0) != d(0) ||
      in.getResult(s + 1) != d(conv.groupLoop()) ||
      in.getResult(s + 2) != d(conv.channelLoop()))
    return std::nullopt;
  for (int64_t i = 0; i < s; ++i) {
    AffineExpr e = in.getResult(1 + i);
    int64_t stride = coefficient(e, conv.outLoop(i), loops);
    int64_t dilation = coefficient(e, conv.tapLoop(i), loops);
    if (stride < 1 || dilation < 1 ||
        e != d(conv.outLoop(i)) * stride + d(conv.tapLoop(i)) * dilation)
      return std::nullopt;
    conv.strides.push_back(stride);
    conv.dilations.push_back(dilation);
  }
  return conv;
}

SmallVector<int64_t> convGenericOuterTiles(const ConvGeneric &conv) {
  SmallVector<int64_t> tiles(2 * conv.spatial + 4, 0);
  tiles[conv.groupLoop()] = 1;
  for (int64_t i = 0; i + 2 < conv.spatial; ++i)
    tiles[conv.outLoop(i)] = tiles[conv.tapLoop(i)] = 1;
  return tiles;
}

SmallVector<int64_t> convGenericInnerRanges(const ConvGeneric &conv,
                                            ArrayRef<int64_t> r) {
  int64_t s = conv.spatial;
  return {r[0],
          r[conv.outLoop(s - 2)],
          r[conv.outLoop(s - 1)],
          r[conv.filterLoop()],
          r[conv.tapLoop(s - 2)],
          r[conv.tapLoop(s - 1)],
          r[conv.channelLoop()]};
}

std::optional<int64_t> matchBatchedMatmul(linalg::LinalgOp op) {
  if (!isMulAdd(op))
    return std::nullopt;
  int64_t loops = op.getNumLoops();
  if (loops < 3)
    return std::nullopt;
  int64_t batch = loops - 3, m = batch, n = batch + 1, k = batch + 2;
  auto iterators = op.getIteratorTypesArray();
  for (int64_t i = 0; i < loops; ++i)
    if (iterators[i] != (i < k ? utils::IteratorType::parallel
                               : utils::IteratorType::reduction))
      return std::nullopt;
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> out;
  for (int64_t i = 0; i < k; ++i)
    out.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != AffineMap::get(loops, 0, out, ctx))
    return std::nullopt;
  // Each operand: batch dims (or broadcast zeros) and its two matrix dims.
  auto isOperand = [&](AffineMap map, int64_t row, int64_t col) {
    int64_t seen = 0;
    for (AffineExpr e : map.getResults()) {
      if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        if (c.getValue() != 0)
          return false;
      } else if (auto dim = dyn_cast<AffineDimExpr>(e)) {
        if (dim.getPosition() == row || dim.getPosition() == col)
          ++seen;
        else if (dim.getPosition() >= unsigned(batch))
          return false;
      } else {
        return false;
      }
    }
    return seen == 2 && map.isProjectedPermutation(/*allowZeroInResults=*/true);
  };
  if (!isOperand(maps[0], m, k) || !isOperand(maps[1], k, n))
    return std::nullopt;
  return batch;
}

std::optional<int64_t> matchPoolGeneric(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 2 ||
      !generic.getDpsInputs()[1].getDefiningOp<tensor::EmptyOp>())
    return std::nullopt;
  SmallVector<unsigned> reductions;
  generic.getReductionDims(reductions);
  AffineMap window = generic.getIndexingMapsArray()[1];
  if (reductions.empty() || window.getNumResults() != reductions.size())
    return std::nullopt;
  for (auto [e, d] : llvm::zip(window.getResults(), reductions))
    if (e != getAffineDimExpr(d, op.getContext()))
      return std::nullopt;
  return static_cast<int64_t>(reductions.size());
}

FailureOr<scf::SCFTilingResult> tileOp(RewriterBase &rewriter, Operation *op,
                                       ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  rewriter.setInsertionPoint(op);
  auto result = scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(result))
    return failure();
  markParallelLoop(op, sizes, result->loops);
  rewriter.replaceOp(op, result->replacements);
  return result;
}

/// The trip count of a loop with constant bounds; nullopt otherwise.
static std::optional<int64_t> constantTripCount(scf::ForOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound());
  auto ub = getConstantIntValue(loop.getUpperBound());
  auto step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub <= *lb ? 0 : (*ub - *lb + *step - 1) / *step;
}

int64_t iterationCount(linalg::LinalgOp op) {
  int64_t count = 1;
  for (int64_t r : op.getStaticLoopRanges())
    count = ShapedType::isDynamic(r) ? count : count * r;
  return count;
}

void markParallelLoop(Operation *op, ArrayRef<int64_t> sizes,
                      ArrayRef<LoopLikeOpInterface> loops,
                      std::optional<int64_t> work) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || loops.empty())
    return;
  // The loops around the nest: each must run once, none already parallel.
  for (Operation *p = LoopLikeOpInterface(loops.front())->getParentOp(); !isa<func::FuncOp>(p);
       p = p->getParentOp()) {
    auto around = dyn_cast<scf::ForOp>(p);
    if (!around || around->hasAttr(kParallelAttrName) ||
        constantTripCount(around) != 1)
      return;
  }
  if (!work) {
    // Elementwise code weighs its body: a Winograd transform computes tens
    // of values per element.
    int64_t ops = 1;
    if (auto generic = dyn_cast<linalg::GenericOp>(op);
        generic && generic.getNumReductionLoops() == 0)
      ops = std::max<int64_t>(
          1, static_cast<int64_t>(generic.getBody()->getOperations().size()) -
                 1);
    work = iterationCount(linalgOp) * ops;
  }
  SmallVector<utils::IteratorType> iterators =
      linalgOp.getIteratorTypesArray();
  // loops[i] tiles the i-th dim with a non-zero size.
  size_t next = 0;
  for (auto [dim, size] : llvm::enumerate(sizes)) {
    if (size == 0)
      continue;
    if (next >= loops.size())
      return;
    auto loop = dyn_cast<scf::ForOp>(LoopLikeOpInterface(loops[next++]).getOperation());
    std::optional<int64_t> trips = loop ? constantTripCount(loop) : std::nullopt;
    if (!trips || iterators[dim] != utils::IteratorType::parallel)
      return;
    if (*trips > 1) {
      loop->setAttr(kParallelAttrName,
                    IntegerAttr::get(IntegerType::get(op->getContext(), 64),
                                     *work));
      return;
    }
  }
}

void dropBroadcastUnitDims(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool changed = false;
  rewriter.setInsertionPoint(op);
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    SmallVector<int64_t> unit;
    SmallVector<AffineExpr> kept;
    for (auto [d, e] : llvm::enumerate(map.getResults())) {
      auto c = dyn_cast<AffineConstantExpr>(e);
      if (c && c.getValue() == 0 && type && type.getDimSize(d) == 1)
        unit.push_back(d);
      else
        kept.push_back(e);
    }
    if (unit.empty() || kept.empty())
      continue;
    Value reduced = dropUnitDims(rewriter, op.getLoc(), input->get(), unit);
    maps[input->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), 0, kept, op.getContext());
    rewriter.modifyOpInPlace(op, [&] { input->set(reduced); });
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(op, [&] {
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
}

FailureOr<linalg::Conv2DNhwcHwcfOp>
convGenericAsConv2D(RewriterBase &rewriter, linalg::GenericOp op,
                    ArrayRef<int64_t> outer) {
  std::optional<ConvGeneric> conv = matchConvGeneric(op);
  if (!conv || (!outer.empty() && outer.size() != op.getNumLoops()))
    return failure();
  int64_t s = conv->spatial, loops = op.getNumLoops();
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();

  // The filter as (g, tap..., c, f): each 2-D convolution then reads an
  // HWCF block of it.
  SmallVector<int64_t> perm{0};
  SmallVector<AffineExpr> filterExprs{getAffineDimExpr(conv->groupLoop(), ctx)};
  for (int64_t i = 0; i < s; ++i) {
    perm.push_back(3 + i);
    filterExprs.push_back(getAffineDimExpr(conv->tapLoop(i), ctx));
  }
  perm.append({2, 1});
  filterExprs.push_back(getAffineDimExpr(conv->channelLoop(), ctx));
  filterExprs.push_back(getAffineDimExpr(conv->filterLoop(), ctx));
  rewriter.setInsertionPoint(op);
  Value filter = permuted(rewriter, loc, op.getDpsInputs()[1], perm);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[1] = AffineMap::get(loops, 0, filterExprs, ctx);
  rewriter.modifyOpInPlace(op, [&] {
    op->setOperand(1, filter);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });

  linalg::GenericOp block = op;
  if (!outer.empty()) {
    auto tiled = tileOp(rewriter, op, outer);
    if (failed(tiled) || tiled->tiledOps.empty())
      return failure();
    block = dyn_cast<linalg::GenericOp>(tiled->tiledOps.back());
    if (!block)
      return failure();
  }
  // The group and the leading spatial loops must now be single iterations.
  SmallVector<int64_t> ranges = block.getStaticLoopRanges();
  SmallVector<int64_t> unitLoops{conv->groupLoop()};
  for (int64_t i = 0; i + 2 < s; ++i)
    unitLoops.append({conv->outLoop(i), conv->tapLoop(i)});
  for (int64_t l : unitLoops)
    if (ranges[l] != 1)
      return failure();
  for (Value v : block->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return failure();

  // Input (n, in..., g, c), filter (g, tap..., c, f), result
  // (n, out..., g, f): without the unit dims, NHWC, HWCF and NHWC.
  SmallVector<int64_t> inUnit{s + 1}, filterUnit{0}, outUnit{s + 1};
  for (int64_t i = 0; i + 2 < s; ++i) {
    inUnit.push_back(1 + i);
    filterUnit.push_back(1 + i);
    outUnit.push_back(1 + i);
  }
  rewriter.setInsertionPoint(block);
  Value x = dropUnitDims(rewriter, loc, block.getDpsInputs()[0], inUnit);
  Value w = dropUnitDims(rewriter, loc, block.getDpsInputs()[1], filterUnit);
  Value y = dropUnitDims(rewriter, loc, block.getDpsInits()[0], outUnit);
  auto attr2 = [&](int64_t a, int64_t b) {
    return DenseIntElementsAttr::get(
        RankedTensorType::get({2}, rewriter.getI64Type()),
        ArrayRef<int64_t>{a, b});
  };
  auto conv2d = linalg::Conv2DNhwcHwcfOp::create(
      rewriter, loc, TypeRange{y.getType()}, ValueRange{x, w}, ValueRange{y},
      attr2(conv->strides[s - 2], conv->strides[s - 1]),
      attr2(conv->dilations[s - 2], conv->dilations[s - 1]));
  replaceWithReduced(rewriter, block, conv2d.getResult(0), outUnit);
  return conv2d;
}

FailureOr<linalg::DepthwiseConv2DNhwcHwcOp>
depthwiseMultiplierAsDepthwise(RewriterBase &rewriter,
                               linalg::DepthwiseConv2DNhwcHwcmOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
        init = op.getDpsInits()[0];
  auto xType = cast<RankedTensorType>(x.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  if (!xType.hasStaticShape() || !initType.hasStaticShape())
    return failure();
  int64_t m = initType.getDimSize(4);
  rewriter.setInsertionPoint(op);
  // x'[n, h, w, c * M + mi] = x[n, h, w, c].
  SmallVector<int64_t> replicatedShape(xType.getShape());
  replicatedShape.push_back(m);
  Value empty = tensor::EmptyOp::create(rewriter, loc, replicatedShape,
                                        xType.getElementType());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(5, ctx);
  auto replicate = linalg::GenericOp::create(
      rewriter, loc, TypeRange{empty.getType()}, ValueRange{x},
      ValueRange{empty},
      ArrayRef<AffineMap>{identity.getMajorSubMap(4), identity},
      SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(b, l, args[0]);
      });
  SmallVector<ReassociationIndices> lastTwo{{0}, {1}, {2}, {3, 4}};
  Value input = tensor::CollapseShapeOp::create(
      rewriter, loc, replicate.getResult(0), lastTwo);
  Value filter = tensor::CollapseShapeOp::create(
      rewriter, loc, w, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value acc = tensor::CollapseShapeOp::create(rewriter, loc, init, lastTwo);
  auto depthwise = linalg::DepthwiseConv2DNhwcHwcOp::create(
      rewriter, loc, TypeRange{acc.getType()}, ValueRange{input, filter},
      ValueRange{acc}, op.getStrides(), op.getDilations());
  Value result = tensor::ExpandShapeOp::create(rewriter, loc, initType,
                                               depthwise.getResult(0), lastTwo);
  rewriter.replaceOp(op, result);
  return depthwise;
}

} // namespace edgec
