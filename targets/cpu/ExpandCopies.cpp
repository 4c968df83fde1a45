//===- ExpandCopies.cpp - memref.copy to linalg.copy ----------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace edgec {
#define GEN_PASS_DEF_EDGECPUEXPANDCOPIES
#include "targets/cpu/Passes.h.inc"
} // namespace edgec

using namespace mlir;

namespace {
struct ExpandCopiesPass
    : edgec::impl::EdgeCpuExpandCopiesBase<ExpandCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    OpBuilder b(&getContext());
    for (memref::CopyOp op : copies) {
      b.setInsertionPoint(op);
      linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
  }
};
} // namespace
