//===- OutlineParallel.cpp - kernels split over the runtime's workers -----===//
//
// edge-cpu-outline-parallel: with --threads above 1, each top-level loop
// that tiling marked parallel (KernelForms' markParallelLoop: its
// iterations compute disjoint tiles of one op's result) and that does
// enough work becomes a call into the runtime,
//
//   edgert_parallel_for(count, task, context)
//
// where `task(context, begin, end)` runs the loop's iterations
// [begin, end). The runtime decides how to split the count: serially, over
// its pthread pool, or through a callback the application registered (its
// own pool). The context is a small array on the caller's stack holding the
// values the loop reads from the function: the buffers (inputs, outputs,
// the arena: one pointer each) and scalars. What can be recomputed
// (constants, weight globals, views of buffers) is recomputed inside the
// task instead, so the context stays a few pointers; a stack buffer only
// the loop uses (a register block staged on the stack) is allocated in the
// task, one per worker. Nothing is allocated on the heap.
//
// The code between the kernels (copies into padded buffers, border fills,
// layout transposes, elementwise code left to the loop lowering) is split
// first: each large top-level copy or linalg op becomes a loop over its
// first parallel dim, marked like the kernels' loops.
//
// With one thread, each marked loop is outlined all the same, into a
// noinline function the entry calls directly with the captured values as
// arguments: the code does the same work, but LLVM's optimizer and
// instruction selection see one function per kernel instead of an entry
// holding them all (their cost grows faster than linearly with a
// function's size: mobilenet-v2's entry was most of its compile time).
//
// The pass runs after the memory plan, on memrefs: a captured buffer is an
// identity-layout memref whose aligned pointer is stored in the context
// and rebuilt in the task as a memref descriptor (an LLVM struct cast back
// to the memref type, which the LLVM conversion then folds away).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUOUTLINEPARALLEL
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

constexpr const char *kParallelForName = "edgert_parallel_for";

/// What a task needs from the function around the loop.
struct Captures {
  SmallVector<Operation *> recomputed; // cloned into the task, in order
  SmallVector<Value> stored;           // passed through the context
};

/// A value the context can carry: a static identity-layout buffer (its
/// pointer) or a scalar of at most 64 bits.
bool storable(Type type) {
  if (auto m = dyn_cast<MemRefType>(type))
    return m.hasStaticShape() && m.getLayout().isIdentity();
  if (isa<IndexType>(type))
    return true;
  return (isa<IntegerType>(type) || isa<FloatType>(type)) &&
         type.getIntOrFloatBitWidth() <= 64;
}

/// Sorts what `loop` reads from above into recomputed ops and stored
/// values; fails when a value can be neither. For a task of its own
/// (`serial`) the loop's bounds are read too, and only scalars are
/// recomputed: every buffer (a view of the arena, a weight, a parameter)
/// is passed, so that kernels of the same shape have the same body.
LogicalResult collectCaptures(scf::ForOp loop, Captures &captures,
                              bool serial = false) {
  SetVector<Value> above;
  getUsedValuesDefinedAbove(loop.getRegion(), above);
  if (serial)
    above.insert_range(loop->getOperands());
  llvm::SmallPtrSet<Operation *, 16> cloned;
  llvm::SmallPtrSet<Value, 16> stored;
  SmallVector<Value> worklist(above.begin(), above.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (def && cloned.contains(def))
      continue;
    bool recompute = def && def->getNumRegions() == 0 &&
                     isMemoryEffectFree(def) &&
                     !(serial && isa<MemRefType>(v.getType()));
    // A stack buffer used by this loop alone: one per task.
    if (auto alloca = dyn_cast_or_null<memref::AllocaOp>(def))
      recompute = alloca.getDynamicSizes().empty() &&
                  llvm::all_of(alloca->getUsers(), [&](Operation *user) {
                    return loop->isAncestor(user);
                  });
    if (recompute) {
      cloned.insert(def);
      llvm::append_range(worklist, def->getOperands());
      continue;
    }
    if (!serial && !storable(v.getType()))
      return failure();
    if (stored.insert(v).second)
      captures.stored.push_back(v);
  }
  captures.recomputed.assign(cloned.begin(), cloned.end());
  llvm::sort(captures.recomputed, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return success();
}

/// Tasks of one function with the same signature and body (kernels of
/// layers of the same shape, whose buffers are arguments) merged into the
/// first: its calls renamed, the others erased.
void mergeIdenticalTasks(SymbolTable &symbols, func::FuncOp func,
                         ArrayRef<func::FuncOp> tasks) {
  SmallVector<func::FuncOp> kept;
  DenseMap<StringAttr, func::FuncOp> replace;
  for (func::FuncOp task : tasks) {
    auto same = llvm::find_if(kept, [&](func::FuncOp k) {
      return k.getFunctionType() == task.getFunctionType() &&
             OperationEquivalence::isRegionEquivalentTo(
                 &k.getBody(), &task.getBody(),
                 OperationEquivalence::IgnoreLocations);
    });
    if (same == kept.end())
      kept.push_back(task);
    else
      replace[task.getSymNameAttr()] = *same;
  }
  if (replace.empty())
    return;
  func.walk([&](func::CallOp call) {
    if (func::FuncOp to = replace.lookup(call.getCalleeAttr().getAttr()))
      call.setCallee(to.getSymName());
  });
  for (auto &[name, to] : replace)
    symbols.erase(symbols.lookup<func::FuncOp>(name));
}

struct OutlineParallelPass
    : edgec::impl::EdgeCpuOutlineParallelBase<OutlineParallelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    bool serial = threads <= 1;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isPrivate() || func.isExternal())
        continue;
      if (!serial)
        splitLargeOps(func);
      SmallVector<scf::ForOp> loops;
      for (auto loop : func.getBody().front().getOps<scf::ForOp>()) {
        auto work = loop->getAttrOfType<IntegerAttr>(edgec::kParallelAttrName);
        if (work && (serial || work.getInt() >= minWork) &&
            loop.getNumResults() == 0)
          loops.push_back(loop);
      }
      SmallVector<func::FuncOp> tasks;
      for (scf::ForOp loop : loops) {
        if (!serial)
          outline(symbols, func, loop);
        else if (func::FuncOp task = outlineSerial(symbols, func, loop))
          tasks.push_back(task);
      }
      mergeIdenticalTasks(symbols, func, tasks);
    }
    // The marks have served.
    module.walk([](scf::ForOp loop) {
      loop->removeAttr(edgec::kParallelAttrName);
    });
  }

  /// The code between the kernels that no tiling marked (copies into padded
  /// buffers and their border fills, layout transposes, elementwise ops
  /// left to the loop lowering): each top-level memref.copy or linalg op
  /// over at least minWork elements whose first dim of two or more
  /// iterations is parallel becomes a loop over that dim, marked parallel.
  void splitLargeOps(func::FuncOp func) {
    IRRewriter rewriter(&getContext());
    auto mark = [&](Operation *loop, int64_t work) {
      loop->setAttr(edgec::kParallelAttrName, rewriter.getI64IntegerAttr(work));
    };
    for (Operation &op :
         llvm::make_early_inc_range(func.getBody().front().getOperations())) {
      if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        auto type = dyn_cast<MemRefType>(copy.getSource().getType());
        auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
        if (!type || !target || !type.hasStaticShape() ||
            type.getShape() != target.getShape() ||
            type.getNumElements() < minWork)
          continue;
        auto dim = llvm::find_if(type.getShape(),
                                 [](int64_t s) { return s >= 2; });
        if (dim == type.getShape().end())
          continue;
        int64_t d = dim - type.getShape().begin();
        Location loc = copy.getLoc();
        rewriter.setInsertionPoint(copy);
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        Value size = arith::ConstantIndexOp::create(rewriter, loc, *dim);
        auto loop = scf::ForOp::create(rewriter, loc, zero, size, one);
        rewriter.setInsertionPoint(loop.getBody()->getTerminator());
        SmallVector<OpFoldResult> offsets(type.getRank(),
                                          rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes =
            getAsIndexOpFoldResult(&getContext(), type.getShape());
        SmallVector<OpFoldResult> strides(type.getRank(),
                                          rewriter.getIndexAttr(1));
        offsets[d] = loop.getInductionVar();
        sizes[d] = rewriter.getIndexAttr(1);
        Value from = memref::SubViewOp::create(rewriter, loc, copy.getSource(),
                                               offsets, sizes, strides);
        Value to = memref::SubViewOp::create(rewriter, loc, copy.getTarget(),
                                             offsets, sizes, strides);
        memref::CopyOp::create(rewriter, loc, from, to);
        mark(loop, type.getNumElements());
        rewriter.eraseOp(copy);
        continue;
      }
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp || !linalgOp.hasPureBufferSemantics())
        continue;
      SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
      if (ShapedType::isDynamicShape(ranges) ||
          edgec::iterationCount(linalgOp) < minWork)
        continue;
      auto dim = llvm::find_if(ranges, [](int64_t s) { return s >= 2; });
      if (dim == ranges.end())
        continue;
      int64_t d = dim - ranges.begin();
      if (linalgOp.getIteratorTypesArray()[d] != utils::IteratorType::parallel)
        continue;
      SmallVector<int64_t> tiles(ranges.size(), 0);
      tiles[d] = 1;
      rewriter.setInsertionPoint(linalgOp);
      auto tiled = linalg::tileLinalgOp(
          rewriter, linalgOp, linalg::LinalgTilingOptions().setTileSizes(tiles));
      if (failed(tiled) || tiled->loops.empty())
        continue;
      mark(tiled->loops.front(), edgec::iterationCount(linalgOp));
      rewriter.eraseOp(linalgOp);
    }
  }

  /// The runtime's entry point, declared once.
  func::FuncOp parallelFor(SymbolTable &symbols, FunctionType taskType) {
    if (auto f = symbols.lookup<func::FuncOp>(kParallelForName))
      return f;
    MLIRContext *ctx = &getContext();
    auto i64 = IntegerType::get(ctx, 64);
    auto f = func::FuncOp::create(
        UnknownLoc::get(ctx), kParallelForName,
        FunctionType::get(ctx, {i64, taskType, LLVM::LLVMPointerType::get(ctx)},
                          {}));
    f.setPrivate();
    symbols.insert(f);
    return f;
  }

  /// A private function named after `func`, internal to the object (two
  /// models in one program each have their tasks), placed after it.
  func::FuncOp createTask(SymbolTable &symbols, func::FuncOp func,
                          FunctionType type, Location loc) {
    OpBuilder b(&getContext());
    b.setInsertionPointAfter(func);
    auto task =
        func::FuncOp::create(b, loc, (func.getSymName() + "_task").str(), type);
    task.setPrivate();
    task->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                      &getContext(), LLVM::Linkage::Internal));
    symbols.insert(task);
    return task;
  }

  /// One thread: the loop, whole, in a noinline function called with the
  /// stored captures as its arguments.
  func::FuncOp outlineSerial(SymbolTable &symbols, func::FuncOp func,
                             scf::ForOp loop) {
    Captures captures;
    if (failed(collectCaptures(loop, captures, /*serial=*/true)))
      return nullptr;
    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    SmallVector<Type> types;
    for (Value v : captures.stored)
      types.push_back(v.getType());
    auto task =
        createTask(symbols, func, FunctionType::get(ctx, types, {}), loc);
    // func.func's no_inline does not reach LLVM; the passthrough does.
    task->setAttr("passthrough",
                  ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
    Block *entry = task.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    map.map(captures.stored, entry->getArguments());
    for (Operation *op : captures.recomputed)
      b.clone(*op, map);
    // The marks have served (the report and --instrument-kernels read
    // them before): without its number, a kernel is its shape.
    Operation *moved = b.clone(*loop, map);
    moved->removeAttr(edgec::kParallelAttrName);
    moved->removeAttr(edgec::kKernelAttrName);
    func::ReturnOp::create(b, loc);

    b.setInsertionPoint(loop);
    func::CallOp::create(b, loc, task, captures.stored);
    loop.erase();
    for (Operation *op : llvm::reverse(captures.recomputed))
      if (isa<memref::AllocaOp>(op) && op->use_empty())
        op->erase();
    return task;
  }

  void outline(SymbolTable &symbols, func::FuncOp func, scf::ForOp loop) {
    auto lb = getConstantIntValue(loop.getLowerBound());
    auto ub = getConstantIntValue(loop.getUpperBound());
    auto step = getConstantIntValue(loop.getStep());
    if (!lb || !ub || !step || *step <= 0 || *ub - *lb < 2 * *step)
      return;
    int64_t count = (*ub - *lb + *step - 1) / *step;
    Captures captures;
    if (failed(collectCaptures(loop, captures)))
      return;

    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto taskType = FunctionType::get(ctx, {ptr, i64, i64}, {});
    unsigned indexBits = DataLayout::closest(func).getTypeSizeInBits(
        IndexType::get(ctx));
    auto indexInt = IntegerType::get(ctx, indexBits);
    // Each stored value takes an 8-byte slot; a buffer, its pointer.
    auto slotType = [&](Value v) -> Type {
      if (isa<MemRefType>(v.getType()))
        return ptr;
      if (isa<IndexType>(v.getType()))
        return i64;
      return v.getType();
    };

    // The task: task(context, begin, end) runs iterations [begin, end).
    auto task = createTask(symbols, func, taskType, loc);
    Block *entry = task.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    Value context = entry->getArgument(0);
    IRMapping map;
    for (auto [slot, v] : llvm::enumerate(captures.stored)) {
      Value addr = LLVM::GEPOp::create(
          b, loc, ptr, i64, context,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(slot)});
      Value loaded = LLVM::LoadOp::create(b, loc, slotType(v), addr);
      if (isa<IndexType>(v.getType())) {
        loaded = arith::IndexCastOp::create(b, loc, v.getType(), loaded);
      } else if (auto m = dyn_cast<MemRefType>(v.getType())) {
        // The descriptor of an identity-layout buffer at that pointer.
        auto [strides, offset] = m.getStridesAndOffset();
        SmallVector<Type> fields{ptr, ptr, indexInt};
        if (m.getRank() > 0) {
          auto array = LLVM::LLVMArrayType::get(indexInt, m.getRank());
          fields.append({array, array});
        }
        auto descType = LLVM::LLVMStructType::getLiteral(ctx, fields);
        Value desc = LLVM::PoisonOp::create(b, loc, descType);
        auto index = [&](int64_t value) -> Value {
          return LLVM::ConstantOp::create(
              b, loc, indexInt, b.getIntegerAttr(indexInt, value));
        };
        desc = LLVM::InsertValueOp::create(b, loc, desc, loaded,
                                           ArrayRef<int64_t>{0});
        desc = LLVM::InsertValueOp::create(b, loc, desc, loaded,
                                           ArrayRef<int64_t>{1});
        desc = LLVM::InsertValueOp::create(b, loc, desc, index(offset),
                                           ArrayRef<int64_t>{2});
        for (int64_t d = 0; d < m.getRank(); ++d) {
          desc = LLVM::InsertValueOp::create(
              b, loc, desc, index(m.getDimSize(d)), ArrayRef<int64_t>{3, d});
          desc = LLVM::InsertValueOp::create(
              b, loc, desc, index(strides[d]), ArrayRef<int64_t>{4, d});
        }
        loaded = UnrealizedConversionCastOp::create(b, loc, m, desc)
                     .getResult(0);
      }
      map.map(v, loaded);
    }
    for (Operation *op : captures.recomputed)
      b.clone(*op, map);
    Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                             entry->getArgument(1));
    Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           entry->getArgument(2));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto body = scf::ForOp::create(b, loc, begin, end, one);
    func::ReturnOp::create(b, loc);
    b.setInsertionPoint(body.getBody()->getTerminator());
    // The original induction variable: lb + i * step.
    Value iv = body.getInductionVar();
    if (*step != 1)
      iv = arith::MulIOp::create(b, loc, iv,
                                 arith::ConstantIndexOp::create(b, loc, *step));
    if (*lb != 0)
      iv = arith::AddIOp::create(b, loc, iv,
                                 arith::ConstantIndexOp::create(b, loc, *lb));
    map.map(loop.getInductionVar(), iv);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, map);

    // The call site: the context on the stack, then the runtime call.
    Block &funcEntry = func.getBody().front();
    b.setInsertionPointToStart(&funcEntry);
    Value context0;
    if (captures.stored.empty()) {
      b.setInsertionPoint(loop);
      context0 = LLVM::ZeroOp::create(b, loc, ptr);
    } else {
      Value slots = LLVM::ConstantOp::create(
          b, loc, i64, b.getI64IntegerAttr(captures.stored.size()));
      context0 = LLVM::AllocaOp::create(b, loc, ptr, i64, slots, 8);
      b.setInsertionPoint(loop);
    }
    for (auto [slot, v] : llvm::enumerate(captures.stored)) {
      Value value = v;
      if (isa<IndexType>(v.getType())) {
        value = arith::IndexCastOp::create(b, loc, i64, v);
      } else if (isa<MemRefType>(v.getType())) {
        Value address =
            memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v);
        Value wide = arith::IndexCastOp::create(b, loc, i64, address);
        value = LLVM::IntToPtrOp::create(b, loc, ptr, wide);
      }
      Value addr = LLVM::GEPOp::create(
          b, loc, ptr, i64, context0,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(slot)});
      LLVM::StoreOp::create(b, loc, value, addr);
    }
    Value fn = func::ConstantOp::create(b, loc, taskType,
                                        FlatSymbolRefAttr::get(task));
    Value n = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(count));
    func::CallOp::create(b, loc, parallelFor(symbols, taskType),
                         ValueRange{n, fn, context0});
    loop.erase();
    // Stack buffers now private to the task.
    for (Operation *op : llvm::reverse(captures.recomputed))
      if (isa<memref::AllocaOp>(op) && op->use_empty())
        op->erase();
  }
};
} // namespace
