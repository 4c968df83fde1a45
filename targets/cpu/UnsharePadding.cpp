//===- UnsharePadding.cpp - one padded buffer per padded input ------------===//
//
// edge-cpu-unshare-padding: a padded convolution input is built as a chain
// of pure tensor ops (an empty tensor, its border filled slice by slice)
// into whose interior the producer writes in place. Two convolutions with
// inputs of the same padded shape get identical chains, which CSE merges
// into one value read by both; bufferization then copies the shared padded
// tensor for the second one (the whole buffer) and the second producer
// writes elsewhere and is copied into it (the interior): two copies of an
// activation per such layer (mobilenet-v2's repeated blocks). Before
// bufferization, each insertion into a shared chain after the first gets
// its own copy of the chain, and its producer writes into that copy's
// interior.
//
// The same holds for a filled tensor alone: the zero accumulator of a
// matmul or a reduction's initial value, built by an empty tensor and a
// fill, is one value after CSE however many loops start from it, and
// bufferization gives each writer after the first a copy of the filled
// buffer (a read and a write where a fill writes only). Each such writer
// after the first gets its own empty tensor and fill.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUUNSHAREPADDING
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {

/// Collects the ops of a border-fill chain ending at `v` (tensor.empty,
/// linalg.fill, tensor.extract_slice and tensor.insert_slice on tensors),
/// in program order; false when `v` is anything else.
bool borderChain(Value v, SetVector<Operation *> &ops) {
  Operation *def = v.getDefiningOp();
  if (!def || !isa<tensor::EmptyOp, linalg::FillOp, tensor::ExtractSliceOp,
                   tensor::InsertSliceOp>(def))
    return false;
  if (auto fill = dyn_cast<linalg::FillOp>(def))
    if (!fill.hasPureTensorSemantics())
      return false;
  for (Value operand : def->getOperands())
    if (isa<RankedTensorType>(operand.getType()) && !borderChain(operand, ops))
      return false;
  ops.insert(def);
  return true;
}

struct UnsharePaddingPass
    : edgec::impl::EdgeCpuUnsharePaddingBase<UnsharePaddingPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    DominanceInfo dominance(func);
    SmallVector<tensor::InsertSliceOp> inserts;
    func.walk([&](tensor::InsertSliceOp insert) { inserts.push_back(insert); });
    llvm::SmallPtrSet<Value, 8> seen;
    for (tensor::InsertSliceOp insert : inserts) {
      Value dest = insert.getDest();
      SetVector<Operation *> chain;
      // Only a padded tensor whose border the chain fills (one fill at
      // least) and that another insertion also writes into.
      if (!borderChain(dest, chain) ||
          !llvm::any_of(
              chain, [](Operation *op) { return isa<linalg::FillOp>(op); }) ||
          llvm::count_if(dest.getUsers(), [](Operation *user) {
            return isa<tensor::InsertSliceOp>(user);
          }) < 2)
        continue;
      if (seen.insert(dest).second)
        continue; // the first insertion keeps the original chain
      // The producer that writes this insertion's source in place: a loop
      // or DPS op whose init is the same interior slice of `dest`.
      Operation *producer = insert.getSource().getDefiningOp();
      if (!producer)
        continue;
      OpOperand *init = nullptr;
      for (OpOperand &operand : producer->getOpOperands()) {
        auto slice = operand.get().getDefiningOp<tensor::ExtractSliceOp>();
        if (slice && slice.getSource() == dest &&
            slice.getMixedOffsets() == insert.getMixedOffsets() &&
            slice.getMixedSizes() == insert.getMixedSizes())
          init = &operand;
      }
      // Scalars the chain reads (the fill value, offsets) must be defined
      // before the new copy.
      bool available = true;
      for (Operation *op : chain)
        for (Value operand : op->getOperands())
          if (!isa<RankedTensorType>(operand.getType()) &&
              !dominance.properlyDominates(operand, producer))
            available = false;
      if (!available)
        continue;
      OpBuilder b(producer);
      IRMapping map;
      for (Operation *op : chain)
        b.clone(*op, map);
      Value copy = map.lookup(dest);
      if (init) {
        auto slice = cast<tensor::ExtractSliceOp>(init->get().getDefiningOp());
        Operation *interior = b.clone(*slice);
        interior->setOperand(0, copy);
        init->set(interior->getResult(0));
      }
      insert.getDestMutable().assign(copy);
    }
    unshareFills(func, dominance);
  }

  /// Gives each op after the first that writes into (is initialized by) a
  /// filled empty tensor its own empty tensor and fill.
  void unshareFills(func::FuncOp func, DominanceInfo &dominance) {
    SmallVector<linalg::FillOp> fills;
    DenseMap<Operation *, unsigned> order; // program order
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      order[op] = order.size();
      auto fill = dyn_cast<linalg::FillOp>(op);
      if (fill && fill.hasPureTensorSemantics() &&
          fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      Value filled = fill.getResult(0);
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : filled.getUses())
        if (isInit(use))
          inits.push_back(&use);
      if (inits.size() < 2)
        continue;
      llvm::sort(inits, [&](OpOperand *a, OpOperand *b) {
        return order[a->getOwner()] < order[b->getOwner()];
      });
      auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
      for (OpOperand *use : llvm::drop_begin(inits)) {
        Operation *user = use->getOwner();
        if (!llvm::all_of(empty->getOperands(),
                          [&](Value size) {
                            return dominance.properlyDominates(size, user);
                          }) ||
            !dominance.properlyDominates(fill.getInputs()[0], user))
          continue;
        OpBuilder b(user);
        IRMapping map;
        b.clone(*empty, map);
        use->set(b.clone(*fill, map)->getResult(0));
      }
    }
  }

  /// True when `use` is a destination its owner writes in place: a loop's
  /// initial iteration value or a destination-style op's init.
  static bool isInit(OpOperand &use) {
    Operation *owner = use.getOwner();
    if (auto loop = dyn_cast<scf::ForOp>(owner))
      return use.getOperandNumber() >= loop.getNumControlOperands();
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
      return dps.isDpsInit(&use);
    return false;
  }
};
} // namespace
