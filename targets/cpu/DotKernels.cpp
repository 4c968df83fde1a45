//===- DotKernels.cpp - int8 matrix products on dot-product instructions --===//
//
// The mechanism of the `i8_dot4_*` forms: an int8 x int8 -> int32
// linalg.matmul with constant weights computed by a 4-way dot-product
// instruction, each 32-bit lane of the accumulator adding the products of
// 4 consecutive k:
//
//   acc[n] += a[k] * w[k][n] + ... + a[k+3] * w[k+3][n]
//
// x86 AVX-512 VNNI `vpdpbusd` (16 lanes, unsigned x signed bytes) and
// AArch64 `sdot` (4 lanes, signed x signed); on x86 without VNNI, AVX2 or
// AVX-512 `vpmaddwd` on 2 k sign-extended to 16 bits (exact: a pair of
// int8 products fits int32). Targets whose instruction
// reduces across a whole vector (Cortex-M55 MVE `vmladava`) or a pair of
// halves (Cortex-M4 DSP `smlad`) use a reduction form: one scalar
// accumulator per output, weights packed along k. The weights are packed at
// compile time into the layout the instruction reads: for each block of L
// output columns and each group of 4 k, L x 4 bytes (column-major within
// the group), so one vector load feeds one instruction. The activations'
// 4 bytes are broadcast to every lane. `vpdpbusd` multiplies unsigned
// activations: a ^ 0x80 = a + 128 is used (one pass over the activations
// per matmul), and 128 * colsum(w) is subtracted from the accumulator's
// start (a constant, per column).
//
// Each register block (R rows x CB column vectors, the config's
// `parallel`) keeps its accumulators in vector registers across the whole
// k loop and is written once. A constant init (the bias broadcast, with
// the correction above folded in at compile time) is read from a constant,
// never materialized as an int32 tensor; with `fuse`, the elementwise
// consumer of the product (the requantization, with a residual add or
// clamp that edge-cpu-fuse-elementwise put into it) runs on the block in
// registers and only its int8 result is stored. Idea after the VNNI GEMM micro-kernels of
// oneDNN and XNNPACK (learned from their documentation, not their code).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/KernelForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <functional>

using namespace mlir;

namespace edgec {

bool isDotForm(StringRef form) {
  return form == kDotVpdpbusdForm || form == kDotVpmaddwdForm ||
         form == kDotSdotForm || form == kDotVmladavForm ||
         form == kDotSmladForm;
}

namespace {

/// The accumulators' start when the matmul's init is a constant broadcast
/// along n (a splat fill, or a generic spreading a 1-D constant bias over
/// the rows): one int32 per column; nullopt otherwise.
std::optional<SmallVector<int32_t>> constantInit(Value init, int64_t n) {
  Operation *producer = init.getDefiningOp();
  DenseElementsAttr attr;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(producer)) {
    IntegerAttr v;
    if (!matchPattern(fill.getInputs()[0], m_Constant(&v)))
      return std::nullopt;
    return SmallVector<int32_t>(n, int32_t(v.getInt()));
  }
  auto generic = dyn_cast_or_null<linalg::GenericOp>(producer);
  if (generic && generic.getNumDpsInputs() == 0) {
    // A fill written as a generic yielding a constant.
    IntegerAttr v;
    auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
    if (!matchPattern(yield.getValues()[0], m_Constant(&v)))
      return std::nullopt;
    return SmallVector<int32_t>(n, int32_t(v.getInt()));
  }
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumReductionLoops() != 0 ||
      !matchPattern(generic.getDpsInputs()[0], m_Constant(&attr)) ||
      attr.getType().getRank() != 1 || attr.getType().getDimSize(0) != n ||
      !attr.getElementType().isInteger(32))
    return std::nullopt;
  MLIRContext *ctx = init.getContext();
  auto maps = generic.getIndexingMapsArray();
  if (maps[1] != AffineMap::getMultiDimIdentityMap(2, ctx) ||
      maps[0] != AffineMap::get(2, 0, getAffineDimExpr(1, ctx)))
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (yield.getValues()[0] != generic.getBody()->getArgument(0))
    return std::nullopt;
  SmallVector<int32_t> out;
  for (APInt v : attr.getValues<APInt>())
    out.push_back(int32_t(v.getSExtValue()));
  return out;
}

/// The elementwise consumer a dot form computes on its register blocks:
/// an all-parallel generic reading the product element for element
/// (directly, or through the expand_shape that gives a 1x1 convolution its
/// (n, h, w, f) shape back: the rows m are then the leading dims
/// linearized), whose other operands are read along f contiguously (a
/// per-channel multiplier, a residual) or not at all (broadcast), whose
/// body is elementwise arithmetic, and which writes a new tensor.
struct DotEpilogue {
  linalg::GenericOp generic;
  Operation *reshape = nullptr;
  SmallVector<int64_t> lead; // the dims the rows m linearize
  unsigned accOperand = 0;
};

std::optional<DotEpilogue> dotEpilogueOf(linalg::MatmulOp mm) {
  DotEpilogue e;
  Value result = mm.getResult(0);
  if (!result.hasOneUse())
    return std::nullopt;
  Operation *user = *result.getUsers().begin();
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
    auto groups = expand.getReassociationIndices();
    auto shape = expand.getResultType().getShape();
    if (groups.size() != 2 || groups[1].size() != 1 ||
        !expand.getResult().hasOneUse() || ShapedType::isDynamicShape(shape))
      return std::nullopt;
    e.reshape = expand;
    e.lead.assign(shape.begin(), shape.end() - 1);
    result = expand.getResult();
    user = *result.getUsers().begin();
  } else {
    e.lead.push_back(cast<ShapedType>(result.getType()).getDimSize(0));
  }
  auto generic = dyn_cast<linalg::GenericOp>(user);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic->getNumResults() != 1)
    return std::nullopt;
  unsigned rank = generic.getNumLoops();
  if (rank != e.lead.size() + 1)
    return std::nullopt;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      generic.payloadUsesValueFromOperand(init))
    return std::nullopt;
  bool found = false;
  AffineExpr last = getAffineDimExpr(rank - 1, mm.getContext());
  for (OpOperand *in : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(in);
    if (in->get() == result) {
      if (found || !map.isIdentity())
        return std::nullopt;
      found = true;
      e.accOperand = in->getOperandNumber();
      continue;
    }
    // Dims or constant 0; the column dim, if read, last.
    for (auto [i, expr] : llvm::enumerate(map.getResults())) {
      auto c = dyn_cast<AffineConstantExpr>(expr);
      if (!isa<AffineDimExpr>(expr) && !(c && c.getValue() == 0))
        return std::nullopt;
      if (expr == last && i + 1 != map.getNumResults())
        return std::nullopt;
    }
  }
  if (!found)
    return std::nullopt;
  for (Operation &op : generic.getBody()->without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&op) ||
        op.getNumRegions() != 0 || op.getNumResults() != 1)
      return std::nullopt;
  e.generic = generic;
  return e;
}

/// Where a block's accumulators start and where they end: `start` reads
/// the accumulator of (row, col) (`lanes` columns from col, or one scalar
/// when lanes is 0), `finish` stores a finished one into `out` (through the
/// epilogue when there is one) and returns the updated tensor.
struct BlockIO {
  Value out; // the loops' iteration tensor
  Operation *replaced; // what the loops' result replaces
  std::optional<DotEpilogue> epilogue;
  Value startConstant; // [n] int32, when the init is constant
  Value init;          // else the init tensor

  Value start(OpBuilder &b, Location l, Value row, Value col,
              int64_t lanes) const {
    Type i32 = b.getI32Type();
    Value zero = arith::ConstantIntOp::create(b, l, i32, 0);
    if (startConstant) {
      if (!lanes)
        return tensor::ExtractOp::create(b, l, startConstant, col);
      return vector::TransferReadOp::create(b, l, VectorType::get({lanes}, i32),
                                            startConstant, col, zero,
                                            ArrayRef<bool>{true});
    }
    if (!lanes)
      return tensor::ExtractOp::create(b, l, init, ValueRange{row, col});
    return vector::TransferReadOp::create(b, l, VectorType::get({lanes}, i32),
                                          init, ValueRange{row, col}, zero,
                                          ArrayRef<bool>{true});
  }

  Value finish(OpBuilder &b, Location l, Value dest, Value acc, Value row,
               Value col, int64_t lanes) const {
    if (!epilogue) {
      if (!lanes)
        return tensor::InsertOp::create(b, l, acc, dest, ValueRange{row, col});
      return vector::TransferWriteOp::create(b, l, acc, dest,
                                             ValueRange{row, col},
                                             ArrayRef<bool>{true})
          .getResult();
    }
    linalg::GenericOp g = epilogue->generic;
    // The generic's loop point: the row delinearized over the lead dims,
    // then the column.
    SmallVector<Value> point(epilogue->lead.size());
    Value rest = row;
    for (int64_t d = int64_t(epilogue->lead.size()) - 1; d >= 0; --d) {
      Value size = arith::ConstantIndexOp::create(b, l, epilogue->lead[d]);
      point[d] = d ? arith::RemUIOp::create(b, l, rest, size).getResult()
                   : rest;
      if (d)
        rest = arith::DivUIOp::create(b, l, rest, size);
    }
    point.push_back(col);
    Value c0 = arith::ConstantIndexOp::create(b, l, 0);
    auto indices = [&](AffineMap map) {
      SmallVector<Value> idx;
      for (AffineExpr e : map.getResults())
        idx.push_back(isa<AffineDimExpr>(e)
                          ? point[cast<AffineDimExpr>(e).getPosition()]
                          : c0);
      return idx;
    };
    unsigned colDim = g.getNumLoops() - 1;
    IRMapping map;
    for (OpOperand *in : g.getDpsInputOperands()) {
      Value arg = g.getMatchingBlockArgument(in);
      if (in->getOperandNumber() == epilogue->accOperand) {
        map.map(arg, acc);
        continue;
      }
      AffineMap m = g.getMatchingIndexingMap(in);
      SmallVector<Value> idx = indices(m);
      Type et = getElementTypeOrSelf(in->get().getType());
      Value v;
      if (lanes && m.getNumResults() &&
          m.getResults().back() == getAffineDimExpr(colDim, b.getContext())) {
        Value pad = arith::ConstantOp::create(b, l, b.getZeroAttr(et));
        v = vector::TransferReadOp::create(b, l, VectorType::get({lanes}, et),
                                           in->get(), idx, pad,
                                           ArrayRef<bool>{true});
      } else {
        v = isa<RankedTensorType>(in->get().getType())
                ? Value(tensor::ExtractOp::create(b, l, in->get(), idx))
                : in->get();
        if (lanes)
          v = vector::BroadcastOp::create(b, l, VectorType::get({lanes}, et),
                                          v);
      }
      map.map(arg, v);
    }
    // The body on vectors: each op recreated with vector results; values
    // from outside the body (constants) broadcast.
    auto operand = [&](Value v) -> Value {
      if (Value m = map.lookupOrNull(v))
        return m;
      if (!lanes)
        return v;
      Value bv = vector::BroadcastOp::create(
          b, l, VectorType::get({lanes}, v.getType()), v);
      map.map(v, bv);
      return bv;
    };
    for (Operation &op : g.getBody()->without_terminator()) {
      OperationState state(l, op.getName());
      for (Value v : op.getOperands())
        state.addOperands(operand(v));
      state.addAttributes(op.getAttrs());
      Type rt = op.getResult(0).getType();
      state.addTypes(lanes ? Type(VectorType::get({lanes}, rt)) : rt);
      map.map(op.getResult(0), b.create(state)->getResult(0));
    }
    Value y = operand(
        cast<linalg::YieldOp>(g.getBody()->getTerminator()).getValues()[0]);
    if (!lanes)
      return tensor::InsertOp::create(b, l, y, dest, point);
    return vector::TransferWriteOp::create(b, l, y, dest, point,
                                           ArrayRef<bool>{true})
        .getResult();
  }
};

/// The block I/O of `mm`: its constant init folded with `correction`
/// (subtracted per column; may be empty), its epilogue when `fuse`. Sets
/// the insertion point where the loops go.
BlockIO blockIO(RewriterBase &rewriter, linalg::MatmulOp mm, bool fuse,
                ArrayRef<int32_t> correction) {
  BlockIO io;
  Location loc = mm.getLoc();
  Value init = mm.getDpsInits()[0];
  auto cT = cast<RankedTensorType>(init.getType());
  int64_t n = cT.getDimSize(1);
  if (fuse)
    io.epilogue = dotEpilogueOf(mm);
  rewriter.setInsertionPoint(io.epilogue ? io.epilogue->generic.getOperation()
                                         : mm.getOperation());
  if (auto values = constantInit(init, n)) {
    for (int64_t j = 0; j < n && !correction.empty(); ++j)
      (*values)[j] -= correction[j];
    io.startConstant = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, rewriter.getI32Type()),
                               ArrayRef<int32_t>(*values)));
  } else {
    io.init = init;
    if (!correction.empty()) {
      // Subtracted once from the whole init (not per block).
      Value corr = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({n}, rewriter.getI32Type()), correction));
      MLIRContext *ctx = rewriter.getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
      io.init =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{cT}, ValueRange{init, corr},
              ValueRange{tensor::EmptyOp::create(rewriter, loc, cT.getShape(),
                                                 cT.getElementType())},
              ArrayRef<AffineMap>{id, col, id},
              SmallVector<utils::IteratorType>(2,
                                               utils::IteratorType::parallel),
              [](OpBuilder &b, Location l, ValueRange a) {
                linalg::YieldOp::create(
                    b, l, ValueRange{arith::SubIOp::create(b, l, a[0], a[1])});
              })
              .getResult(0);
    }
  }
  if (io.epilogue) {
    io.out = io.epilogue->generic.getDpsInits()[0];
    io.replaced = io.epilogue->generic;
  } else {
    io.out = io.startConstant
                 ? Value(tensor::EmptyOp::create(rewriter, loc, cT.getShape(),
                                                 cT.getElementType()))
                 : io.init;
    io.replaced = mm;
  }
  return io;
}

/// Replaces what the block loops computed (the matmul, or its epilogue and
/// then the matmul and reshape between them).
void replaceWithBlocks(RewriterBase &rewriter, linalg::MatmulOp mm,
                       const BlockIO &io, Value result) {
  rewriter.replaceOp(io.replaced, result);
  if (io.epilogue) {
    if (io.epilogue->reshape)
      rewriter.eraseOp(io.epilogue->reshape);
    rewriter.eraseOp(mm);
  }
}

/// The loops of a reduction-form block (scalar accumulators, one per
/// output): rows x cols outputs, each a sum over k of `step` products, the
/// weights packed by `packedWeights` as [n][k / kStep][words] of `wordType`.
struct ReductionKernel {
  int64_t kStep;
  /// acc + the products of one step; `a` is row r's activations at k, `w`
  /// column c's packed weights for that step.
  std::function<Value(OpBuilder &, Location, Value acc, Value a, Value w)> step;
  /// Reads row r's activations for the step starting at k.
  std::function<Value(OpBuilder &, Location, Value a, Value row, Value k)>
      readA;
  /// Reads column n's packed weights for step g.
  std::function<Value(OpBuilder &, Location, Value w, Value n, Value g)> readW;
};

LogicalResult buildReductionKernel(RewriterBase &rewriter,
                                   linalg::MatmulOp mm, const BlockIO &io,
                                   Value a, Value wp, int64_t m, int64_t n,
                                   int64_t k, int64_t rows, int64_t cols,
                                   const ReductionKernel &kernel) {
  Location loc = mm.getLoc();
  auto idx = [&](OpBuilder &b, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto rowLoop = scf::ForOp::create(
      rewriter, loc, idx(rewriter, 0), idx(rewriter, m), idx(rewriter, rows),
      io.out, [&](OpBuilder &b, Location l, Value mi, ValueRange rowIter) {
        auto colLoop = scf::ForOp::create(
            b, l, idx(b, 0), idx(b, n), idx(b, cols), rowIter,
            [&](OpBuilder &b, Location l, Value ni, ValueRange colIter) {
              Value out = colIter[0];
              SmallVector<Value> accs, rowIdx, colIdx;
              for (int64_t r = 0; r < rows; ++r)
                rowIdx.push_back(arith::AddIOp::create(b, l, mi, idx(b, r)));
              for (int64_t c = 0; c < cols; ++c)
                colIdx.push_back(arith::AddIOp::create(b, l, ni, idx(b, c)));
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c)
                  accs.push_back(io.start(b, l, rowIdx[r], colIdx[c], 0));
              auto kLoop = scf::ForOp::create(
                  b, l, idx(b, 0), idx(b, k / kernel.kStep), idx(b, 1), accs,
                  [&](OpBuilder &b, Location l, Value g, ValueRange acc) {
                    Value k0 =
                        arith::MulIOp::create(b, l, g, idx(b, kernel.kStep));
                    SmallVector<Value> as, ws, next;
                    for (int64_t r = 0; r < rows; ++r)
                      as.push_back(kernel.readA(b, l, a, rowIdx[r], k0));
                    for (int64_t c = 0; c < cols; ++c)
                      ws.push_back(kernel.readW(b, l, wp, colIdx[c], g));
                    for (int64_t r = 0; r < rows; ++r)
                      for (int64_t c = 0; c < cols; ++c)
                        next.push_back(
                            kernel.step(b, l, acc[r * cols + c], as[r], ws[c]));
                    scf::YieldOp::create(b, l, next);
                  });
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c)
                  out = io.finish(b, l, out, kLoop.getResult(r * cols + c),
                                  rowIdx[r], colIdx[c], 0);
              scf::YieldOp::create(b, l, out);
            });
        scf::YieldOp::create(b, l, colLoop.getResults());
      });
  replaceWithBlocks(rewriter, mm, io, rowLoop.getResult(0));
  return success();
}

/// Cortex-M55 MVE: per output, 16 k at a time,
/// acc += vecreduce.add(sext(a[k:16]) * sext(w[n][k:16])), which LLVM
/// selects as `vmladava.s8`. Weights packed as [n][k].
LogicalResult applyVmladav(RewriterBase &rewriter, linalg::MatmulOp op,
                           const BlockIO &io, ArrayRef<int8_t> w, Value a,
                           int64_t m, int64_t n, int64_t k, int64_t rows,
                           int64_t cols) {
  Location loc = op.getLoc();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  SmallVector<int8_t> packed(size_t(n * k));
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < n; ++j)
      packed[j * k + kk] = w[kk * n + j];
  Value wp = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({n, k / 16, 16}, i8),
                             ArrayRef<int8_t>(packed)));
  auto v16i8 = VectorType::get({16}, i8), v16i32 = VectorType::get({16}, i32);
  Value zero8 = arith::ConstantIntOp::create(rewriter, loc, i8, 0);
  ReductionKernel kernel;
  kernel.kStep = 16;
  kernel.readA = [&](OpBuilder &b, Location l, Value av, Value row,
                     Value k0) -> Value {
    return vector::TransferReadOp::create(b, l, v16i8, av, ValueRange{row, k0},
                                          zero8, ArrayRef<bool>{true});
  };
  kernel.readW = [&](OpBuilder &b, Location l, Value wv, Value col,
                     Value g) -> Value {
    Value z = arith::ConstantIndexOp::create(b, l, 0);
    return vector::TransferReadOp::create(
        b, l, v16i8, wv, ValueRange{col, g, z}, zero8, ArrayRef<bool>{true});
  };
  kernel.step = [&](OpBuilder &b, Location l, Value acc, Value av,
                    Value wv) -> Value {
    Value prod =
        arith::MulIOp::create(b, l, arith::ExtSIOp::create(b, l, v16i32, av),
                              arith::ExtSIOp::create(b, l, v16i32, wv));
    Value sum =
        vector::ReductionOp::create(b, l, vector::CombiningKind::ADD, prod);
    return arith::AddIOp::create(b, l, acc, sum);
  };
  return buildReductionKernel(rewriter, op, io, a, wp, m, n, k, rows, cols,
                              kernel);
}

/// Cortex-M4 DSP: SMLAD multiplies two pairs of 16-bit halves and adds
/// both products. The weights of 4 k are packed at compile time as two
/// words of sign-extended halves (w0 | w2 << 16, w1 | w3 << 16); the
/// activations' word a0..a3 gives (a0, a2) by SXTB16 and (a1, a3) by
/// SXTB16 of it rotated by 8, as CMSIS-NN does. Weights packed [n][k/4][2].
LogicalResult applySmlad(RewriterBase &rewriter, linalg::MatmulOp op,
                         const BlockIO &io, ArrayRef<int8_t> w, Value a,
                         int64_t m, int64_t n, int64_t k, int64_t rows,
                         int64_t cols) {
  Location loc = op.getLoc();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  auto pair = [](int8_t lo, int8_t hi) {
    return int32_t(uint32_t(uint16_t(int16_t(lo))) |
                   (uint32_t(uint16_t(int16_t(hi))) << 16));
  };
  SmallVector<int32_t> packed(size_t(n * k / 2));
  for (int64_t j = 0; j < n; ++j)
    for (int64_t g = 0; g < k / 4; ++g) {
      auto at = [&](int64_t t) { return w[(4 * g + t) * n + j]; };
      packed[(j * (k / 4) + g) * 2] = pair(at(0), at(2));
      packed[(j * (k / 4) + g) * 2 + 1] = pair(at(1), at(3));
    }
  Value wp = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({n, k / 4, 2}, i32),
                             ArrayRef<int32_t>(packed)));
  Value zero8 = arith::ConstantIntOp::create(rewriter, loc, i8, 0);
  Value zero32 = arith::ConstantIntOp::create(rewriter, loc, i32, 0);
  StringAttr smlad = rewriter.getStringAttr("llvm.arm.smlad");
  StringAttr sxtb16 = rewriter.getStringAttr("llvm.arm.sxtb16");
  ReductionKernel kernel;
  kernel.kStep = 4;
  kernel.readA = [&](OpBuilder &b, Location l, Value av, Value row,
                     Value k0) -> Value {
    Value bytes = vector::TransferReadOp::create(b, l, VectorType::get({4}, i8),
                                                 av, ValueRange{row, k0}, zero8,
                                                 ArrayRef<bool>{true});
    Value word =
        vector::BitCastOp::create(b, l, VectorType::get({1}, i32), bytes);
    return vector::ExtractOp::create(b, l, word, ArrayRef<int64_t>{0});
  };
  kernel.readW = [&](OpBuilder &b, Location l, Value wv, Value col,
                     Value g) -> Value {
    Value z = arith::ConstantIndexOp::create(b, l, 0);
    return vector::TransferReadOp::create(b, l, VectorType::get({2}, i32), wv,
                                          ValueRange{col, g, z}, zero32,
                                          ArrayRef<bool>{true});
  };
  kernel.step = [&](OpBuilder &b, Location l, Value acc, Value av,
                    Value wv) -> Value {
    auto call = [&](StringAttr name, ValueRange args) {
      return LLVM::CallIntrinsicOp::create(b, l, i32, name, args).getResult(0);
    };
    // (a >> 8) | (a << 24): a rotated right by 8 (LLVM folds it into
    // SXTB16's rotation).
    Value rot = arith::OrIOp::create(
        b, l,
        arith::ShRUIOp::create(b, l, av,
                               arith::ConstantIntOp::create(b, l, i32, 8)),
        arith::ShLIOp::create(b, l, av,
                              arith::ConstantIntOp::create(b, l, i32, 24)));
    Value w02 = vector::ExtractOp::create(b, l, wv, ArrayRef<int64_t>{0});
    Value w13 = vector::ExtractOp::create(b, l, wv, ArrayRef<int64_t>{1});
    acc = call(smlad, {call(sxtb16, {av}), w02, acc});
    return call(smlad, {call(sxtb16, {rot}), w13, acc});
  };
  return buildReductionKernel(rewriter, op, io, a, wp, m, n, k, rows, cols,
                              kernel);
}

} // namespace

LogicalResult applyDotForm(RewriterBase &rewriter, linalg::LinalgOp op,
                           StringRef form, int64_t lanes,
                           ArrayRef<int64_t> parallel, bool fuse) {
  auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
  if (!matmul)
    return op->emitOpError("cannot apply its lowering_config: form ")
           << form << " needs a linalg.matmul";
  Value a = op.getDpsInputs()[0], bv = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  auto aT = cast<RankedTensorType>(a.getType());
  auto cT = cast<RankedTensorType>(init.getType());
  DenseElementsAttr bAttr;
  if (!matchPattern(bv, m_Constant(&bAttr)) ||
      !aT.getElementType().isInteger(8) ||
      !bAttr.getElementType().isInteger(8) ||
      !cT.getElementType().isInteger(32) || !aT.hasStaticShape() ||
      !cT.hasStaticShape() || parallel.size() != 2)
    return op->emitOpError("cannot apply its lowering_config: form ")
           << form << " needs i8 x constant i8 -> i32 with static shapes";
  int64_t m = aT.getDimSize(0), k = aT.getDimSize(1), n = cT.getDimSize(1);
  int64_t rows = parallel[0], cols = parallel[1];
  if (lanes <= 0 || rows <= 0 || cols <= 0 || cols % lanes || n % cols ||
      m % rows)
    return op->emitOpError("cannot apply its lowering_config: form ")
           << form << " needs blocks dividing " << m << "x" << n;
  SmallVector<int8_t> w;
  for (APInt v : bAttr.getValues<APInt>())
    w.push_back(int8_t(v.getSExtValue()));
  OpBuilder::InsertionGuard guard(rewriter);
  if (form == kDotVmladavForm || form == kDotSmladForm) {
    if (form == kDotVmladavForm && k % 16)
      return op->emitOpError("cannot apply its lowering_config: "
                             "vmladav needs k % 16 == 0");
    BlockIO io = blockIO(rewriter, matmul, fuse, {});
    if (form == kDotVmladavForm)
      return applyVmladav(rewriter, matmul, io, w, a, m, n, k, rows, cols);
    return applySmlad(rewriter, matmul, io, w, a, m, n, k, rows, cols);
  }
  bool vnni = form == kDotVpdpbusdForm;
  bool pmaddwd = form == kDotVpmaddwdForm;
  // k per lane and instruction: 4 bytes, or 2 sign-extended halves.
  int64_t group = pmaddwd ? 2 : 4;
  if (k % group)
    return op->emitOpError("cannot apply its lowering_config: k % ")
           << group << " != 0";
  std::string name;
  if (vnni && (lanes == 4 || lanes == 8 || lanes == 16))
    name = "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
  else if (pmaddwd && lanes == 16)
    name = "llvm.x86.avx512.pmaddw.d.512";
  else if (pmaddwd && lanes == 8)
    name = "llvm.x86.avx2.pmadd.wd";
  else if (pmaddwd && lanes == 4)
    name = "llvm.x86.sse2.pmadd.wd";
  else if (form == kDotSdotForm && lanes == 4)
    name = "llvm.aarch64.neon.sdot.v4i32.v16i8";
  else
    return op->emitOpError("cannot apply its lowering_config: ")
           << form << " has no " << lanes << "-lane form";
  int64_t kg = k / group, nb = n / lanes, cb = cols / lanes;

  // The weights, packed: [n / L][k / group][L * group].
  SmallVector<int16_t> packed(size_t(n * k));
  SmallVector<int32_t> correction;
  if (vnni)
    correction.assign(n, 0);
  for (int64_t blk = 0; blk < nb; ++blk)
    for (int64_t g = 0; g < kg; ++g)
      for (int64_t l = 0; l < lanes; ++l)
        for (int64_t j = 0; j < group; ++j) {
          int8_t v = w[(group * g + j) * n + blk * lanes + l];
          packed[((blk * kg + g) * lanes + l) * group + j] = v;
          if (vnni)
            correction[blk * lanes + l] += 128 * int32_t(v);
        }

  BlockIO io = blockIO(rewriter, matmul, fuse, correction);
  Location loc = op.getLoc();
  Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
       i32 = rewriter.getI32Type();
  if (vnni) {
    // The activations moved to unsigned once (one vector xor per 64
    // bytes), not each time a block broadcasts them: the kernel's loads
    // then fold into vpdpbusd's embedded broadcast.
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    a = linalg::GenericOp::create(
            rewriter, loc, TypeRange{aT}, ValueRange{a},
            ValueRange{tensor::EmptyOp::create(rewriter, loc, aT.getShape(), i8)},
            ArrayRef<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::XOrIOp::create(
                      b, l, args[0],
                      arith::ConstantIntOp::create(b, l, i8, -128))});
            })
            .getResult(0);
  }
  Type wordType = pmaddwd ? i16 : i8; // one k of a packed lane
  auto packedType = RankedTensorType::get({nb, kg, lanes * group}, wordType);
  DenseElementsAttr packedAttr;
  if (pmaddwd) {
    packedAttr = DenseElementsAttr::get(packedType, ArrayRef<int16_t>(packed));
  } else {
    SmallVector<int8_t> bytes(packed.begin(), packed.end());
    packedAttr = DenseElementsAttr::get(packedType, ArrayRef<int8_t>(bytes));
  }
  Value wp = arith::ConstantOp::create(rewriter, loc, packedAttr);

  auto accType = VectorType::get({lanes}, i32);
  auto operandType = VectorType::get({lanes * group}, wordType);
  auto idx = [&](OpBuilder &b, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero8 = arith::ConstantIntOp::create(rewriter, loc, i8, 0);
  Value zeroWord = arith::ConstantIntOp::create(rewriter, loc, wordType, 0);
  Value c0 = idx(rewriter, 0);
  StringAttr intrinsic = rewriter.getStringAttr(name);

  auto rowLoop = scf::ForOp::create(
      rewriter, loc, c0, idx(rewriter, m), idx(rewriter, rows), io.out,
      [&](OpBuilder &b, Location l, Value mi, ValueRange rowIter) {
        auto colLoop = scf::ForOp::create(
            b, l, idx(b, 0), idx(b, n), idx(b, cols), rowIter,
            [&](OpBuilder &b, Location l, Value ni, ValueRange colIter) {
              Value out = colIter[0];
              SmallVector<Value> accs, rowIdx, colIdx;
              for (int64_t r = 0; r < rows; ++r)
                rowIdx.push_back(arith::AddIOp::create(b, l, mi, idx(b, r)));
              for (int64_t c = 0; c < cb; ++c)
                colIdx.push_back(
                    arith::AddIOp::create(b, l, ni, idx(b, c * lanes)));
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cb; ++c)
                  accs.push_back(io.start(b, l, rowIdx[r], colIdx[c], lanes));
              auto kLoop = scf::ForOp::create(
                  b, l, idx(b, 0), idx(b, kg), idx(b, 1), accs,
                  [&](OpBuilder &b, Location l, Value g, ValueRange acc) {
                    Value k0 = arith::MulIOp::create(b, l, g, idx(b, group));
                    SmallVector<Value> as, ws;
                    for (int64_t r = 0; r < rows; ++r) {
                      // The row's `group` k as one 32-bit word.
                      Value bytes = vector::TransferReadOp::create(
                          b, l, VectorType::get({group}, i8), a,
                          ValueRange{rowIdx[r], k0}, zero8,
                          ArrayRef<bool>{true});
                      if (pmaddwd)
                        bytes = arith::ExtSIOp::create(
                            b, l, VectorType::get({2}, i16), bytes);
                      Value word = vector::BitCastOp::create(
                          b, l, VectorType::get({1}, i32), bytes);
                      Value s = vector::ExtractOp::create(b, l, word,
                                                          ArrayRef<int64_t>{0});
                      Value v = vector::BroadcastOp::create(b, l, accType, s);
                      v = vector::BitCastOp::create(b, l, operandType, v);
                      as.push_back(v);
                    }
                    for (int64_t c = 0; c < cb; ++c) {
                      Value blk = arith::AddIOp::create(
                          b, l, arith::DivUIOp::create(b, l, ni, idx(b, lanes)),
                          idx(b, c));
                      Value v = vector::TransferReadOp::create(
                          b, l, operandType, wp, ValueRange{blk, g, idx(b, 0)},
                          zeroWord, ArrayRef<bool>{true});
                      ws.push_back(v);
                    }
                    SmallVector<Value> next;
                    for (int64_t r = 0; r < rows; ++r)
                      for (int64_t c = 0; c < cb; ++c) {
                        Value prev = acc[r * cb + c];
                        if (pmaddwd) // pairs summed into i32, then added
                          next.push_back(arith::AddIOp::create(
                              b, l, prev,
                              LLVM::CallIntrinsicOp::create(
                                  b, l, accType, intrinsic,
                                  ValueRange{as[r], ws[c]})
                                  .getResult(0)));
                        else
                          next.push_back(LLVM::CallIntrinsicOp::create(
                                             b, l, accType, intrinsic,
                                             ValueRange{prev, as[r], ws[c]})
                                             .getResult(0));
                      }
                    scf::YieldOp::create(b, l, next);
                  });
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cb; ++c)
                  out = io.finish(b, l, out, kLoop.getResult(r * cb + c),
                                  rowIdx[r], colIdx[c], lanes);
              scf::YieldOp::create(b, l, out);
            });
        scf::YieldOp::create(b, l, colLoop.getResults());
      });
  replaceWithBlocks(rewriter, matmul, io, rowLoop.getResult(0));
  return success();
}

} // namespace edgec
