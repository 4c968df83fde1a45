//===- PlanMemory.cpp - one static arena, reused by liveness --------------===//
//
// Every intermediate buffer of a public function is placed at a fixed offset
// of a caller-provided arena: no allocation at run time, and a size known at
// compile time. Buffers are placed one by one at the lowest offset that does
// not overlap a buffer live at the same time (the usual greedy heuristic for
// static tensor memory planning), in several orders, and the best order is
// then improved by a bounded, deterministic local search until the arena
// reaches the live peak (the most bytes live at once) or the budget ends.
//
//===----------------------------------------------------------------------===//

#include "dialects/Edge/IR/EdgeOps.h"
#include "targets/cpu/KernelForms.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace edgec {
#define GEN_PASS_DEF_EDGEPLANMEMORY
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t start = 0, end = 0; // live range in op positions (program order)
  int64_t offset = -1;
};

int64_t byteSize(MemRefType type) {
  int64_t elemBytes = (type.getElementTypeBitWidth() + 7) / 8;
  return type.getNumElements() * elemBytes;
}

int64_t alignTo(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

/// The most bytes of `buffers` live at one point of the function: no
/// placement needs less.
int64_t livePeak(ArrayRef<Buffer> buffers, int64_t alignment) {
  int64_t peak = 0;
  for (const Buffer &at : buffers) {
    int64_t live = 0;
    for (const Buffer &b : buffers)
      if (b.start <= at.start && at.start <= b.end)
        live += alignTo(b.bytes, alignment);
    peak = std::max(peak, live);
  }
  return peak;
}

struct PlanMemoryPass : edgec::impl::EdgePlanMemoryBase<PlanMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isPrivate() && !func.isExternal() && failed(plan(func)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp func) {
    Block &body = func.getBody().front();
    // Every op gets a position in program order (pre-order), and `last` is
    // the last position inside its regions.
    DenseMap<Operation *, int64_t> position, last;
    int64_t pos = 0;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op != func)
        position[op] = pos++;
    });
    func.walk<WalkOrder::PostOrder>([&](Operation *op) {
      int64_t end = position.lookup(op);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          if (!block.empty())
            end = std::max(end, last.lookup(&block.back()));
      last[op] = end;
    });
    // A buffer's scope: the function body, or the body of a patch loop
    // (edge-patch-execution), whose iterations run one after another: a
    // buffer allocated there lives within one iteration.
    auto scopeOf = [&](Operation *op) {
      Block *block = op->getBlock();
      while (block != &body &&
             !block->getParentOp()->hasAttr(edge::kPatchLoopAttrName))
        block = block->getParentOp()->getBlock();
      return block;
    };

    SmallVector<Buffer> buffers;
    SmallVector<memref::AllocOp> nested, large;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitOpError("cannot be placed in the static arena: the buffer "
                          "has a dynamic shape or a non-identity layout");
        return WalkResult::interrupt();
      }
      if (alloc->getBlock() != scopeOf(alloc) &&
          byteSize(type) <= maxStackBlock)
        nested.push_back(alloc);
      else
        large.push_back(alloc);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    // A larger buffer allocated inside a loop nest is hoisted in front of
    // the nest's op in its scope (its contents are undefined at each
    // allocation, so one buffer serves every iteration) and planned in the
    // arena like the others, live for that op.
    for (memref::AllocOp alloc : large) {
      Block *scope = scopeOf(alloc);
      if (alloc->getBlock() != scope) {
        Operation *top = scope->findAncestorOpInBlock(*alloc);
        alloc->moveBefore(top);
        position[alloc] = position[top];
        // One buffer for every iteration: they can no longer run at once.
        top->walk(
            [](Operation *op) { op->removeAttr(edgec::kParallelAttrName); });
      }
      buffers.push_back({alloc, byteSize(alloc.getType())});
    }

    // A register block staged inside a loop (the fused conv blocks: at most
    // a few hundred bytes) is a stack allocation hoisted to the entry; LLVM
    // promotes it to registers, and the header's stack bound counts what
    // remains.
    OpBuilder builder(func.getContext());
    for (memref::AllocOp alloc : nested) {
      builder.setInsertionPointToStart(&body);
      auto alloca =
          memref::AllocaOp::create(builder, alloc.getLoc(), alloc.getType());
      alloc.replaceAllUsesWith(alloca.getResult());
      alloc.erase();
    }

    // Live range: from the first to the last use, through any chain of
    // views, of the ops of the buffer's scope that contain the uses (a use
    // inside a loop of the scope keeps the buffer for the whole loop).
    for (Buffer &b : buffers) {
      Block *scope = scopeOf(b.alloc);
      // Starts at the first use: allocations may have been hoisted early.
      b.start = std::numeric_limits<int64_t>::max();
      b.end = position[b.alloc];
      SmallVector<Value> worklist{b.alloc.getResult()};
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (Operation *user : v.getUsers()) {
          if (isa<memref::DeallocOp>(user))
            continue;
          if (Operation *top = scope->findAncestorOpInBlock(*user)) {
            b.start = std::min(b.start, position[top]);
            b.end = std::max(b.end, last[top]);
          }
          if (isa<ViewLikeOpInterface>(user))
            for (Value r : user->getResults())
              worklist.push_back(r);
          // A loop carrying the buffer returns it.
          if (auto loop = dyn_cast<scf::ForOp>(user))
            for (auto [init, result] :
                 llvm::zip(loop.getInitArgs(), loop.getResults()))
              if (init == v)
                worklist.push_back(result);
        }
      }
      b.start = std::min(b.start, b.end);
    }

    // Greedy placement: each buffer at the lowest offset free over its live
    // range, in an order; several orders are tried (largest first, the
    // usual heuristic, then longest-lived first, first allocated first, and
    // by bytes times lifetime) and the smallest arena kept, then improved by
    // a local search below.
    auto place = [&](ArrayRef<Buffer *> order) {
      int64_t total = 0;
      SmallVector<Buffer *> placed;
      for (Buffer *b : order) {
        SmallVector<Buffer *> conflicts;
        for (Buffer *p : placed)
          if (p->start <= b->end && b->start <= p->end)
            conflicts.push_back(p);
        llvm::sort(conflicts,
                   [](Buffer *x, Buffer *y) { return x->offset < y->offset; });
        int64_t offset = 0;
        for (Buffer *c : conflicts) {
          if (offset + b->bytes <= c->offset)
            break;
          offset = std::max(offset, alignTo(c->offset + c->bytes, alignment));
        }
        b->offset = offset;
        total = std::max(total, alignTo(offset + b->bytes, alignment));
        placed.push_back(b);
      }
      return total;
    };
    auto life = [](const Buffer *b) { return b->end - b->start + 1; };
    using Key = std::function<bool(Buffer *, Buffer *)>;
    SmallVector<Key> orders = {
        [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; },
        [&](Buffer *a, Buffer *b) {
          return std::make_pair(life(a), a->bytes) >
                 std::make_pair(life(b), b->bytes);
        },
        [](Buffer *a, Buffer *b) {
          return std::make_pair(a->start, -a->bytes) <
                 std::make_pair(b->start, -b->bytes);
        },
        [&](Buffer *a, Buffer *b) {
          return a->bytes * life(a) > b->bytes * life(b);
        }};
    int64_t total = std::numeric_limits<int64_t>::max();
    SmallVector<int64_t> bestOffsets;
    SmallVector<Buffer *> bestOrder;
    auto keep = [&](ArrayRef<Buffer *> order, int64_t size) {
      total = size;
      bestOrder.assign(order.begin(), order.end());
      bestOffsets.clear();
      for (Buffer &b : buffers)
        bestOffsets.push_back(b.offset);
    };
    for (const Key &key : orders) {
      SmallVector<Buffer *> order;
      for (Buffer &b : buffers)
        order.push_back(&b);
      llvm::stable_sort(order, key);
      int64_t size = place(order);
      if (size < total)
        keep(order, size);
    }
    // Then a local search from the best order while the arena is above the
    // live peak: two buffers swap places in the order, and the swap stays
    // when the arena does not grow. The swaps come from a fixed sequence,
    // so the plan is the same on every run; the work is bounded (a few
    // million overlap tests).
    int64_t peak = livePeak(buffers, alignment);
    size_t n = bestOrder.size();
    if (n > 2 && total > peak) {
      SmallVector<Buffer *> order(bestOrder);
      uint64_t state = 0x9E3779B97F4A7C15ull;
      auto next = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return size_t(state >> 33) % n;
      };
      int64_t iterations =
          std::clamp<int64_t>(4000000 / int64_t(n * n), 100, 4000);
      for (int64_t i = 0; i < iterations && total > peak; ++i) {
        size_t a = next(), b = next();
        if (a == b)
          continue;
        std::swap(order[a], order[b]);
        int64_t size = place(order);
        if (size <= total)
          keep(order, size);
        else
          std::swap(order[a], order[b]);
      }
    }
    if (buffers.empty())
      total = 0;
    // The largest arena edgec plans (docs/robustness.md): 4 GiB, more than
    // any device it targets can give, and more than a 32-bit one can address.
    constexpr int64_t kMaxArenaBytes = int64_t(1) << 32;
    if (total > kMaxArenaBytes)
      return func.emitError() << "the model needs a " << total
                              << "-byte arena; edgec plans at most "
                              << kMaxArenaBytes << " bytes (4 GiB)";
    for (auto [b, offset] : llvm::zip(buffers, bestOffsets))
      b.offset = offset;

    // The arena becomes the trailing argument; buffers become views of it.
    auto arenaType = MemRefType::get({total}, builder.getI8Type());
    if (failed(func.insertArgument(
            func.getNumArguments(), arenaType,
            builder.getDictionaryAttr(
                {builder.getNamedAttr("edge.arena", builder.getUnitAttr())}),
            func.getLoc())))
      return failure();
    Value arena = body.getArguments().back();
    for (auto [index, b] : llvm::enumerate(buffers)) {
      builder.setInsertionPoint(b.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      auto view =
          memref::ViewOp::create(builder, b.alloc.getLoc(), b.alloc.getType(),
                                 arena, offset, ValueRange{});
      view->setAttr(edge::kBufferAttrName, builder.getI64IntegerAttr(index));
      b.alloc.replaceAllUsesWith(view.getResult());
      b.alloc.erase();
    }
    SmallVector<memref::DeallocOp> deallocs;
    func.walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (auto d : deallocs)
      d.erase();
    func->setAttr("edge.arena_size", builder.getI64IntegerAttr(total));
    // The most bytes live at one point: no plan can use less, so the arena
    // is measured against it.
    func->setAttr("edge.arena_live_peak", builder.getI64IntegerAttr(peak));
    // The plan itself, for the report's memory timeline; each buffer's
    // view carries its index (edge.buffer), whose location names the node.
    SmallVector<Attribute> plan;
    for (const Buffer &b : buffers)
      plan.push_back(builder.getDictionaryAttr(
          {builder.getNamedAttr("offset", builder.getI64IntegerAttr(b.offset)),
           builder.getNamedAttr("bytes", builder.getI64IntegerAttr(b.bytes)),
           builder.getNamedAttr("start", builder.getI64IntegerAttr(b.start)),
           builder.getNamedAttr("end", builder.getI64IntegerAttr(b.end))}));
    func->setAttr(edge::kMemoryPlanAttrName, builder.getArrayAttr(plan));
    return success();
  }
};
} // namespace
