//===- LowerInvoke.cpp - NPU layers as calls of the runtime ---------------===//
//
// npu-bufferize-invokes (before one-shot bufferization): each npu.invoke
// becomes buffers -- its tensors read through bufferization.to_buffer, a
// scratch buffer and the output allocated (edge-plan-memory places them in
// the arena) -- and an npu.call; its stream is serialized, checked once
// more by the device's validator, and kept as a constant global of words
// (`<stream>_words`, in the object's read-only data).
//
// npu-lower-calls (before the LLVM conversion): each npu.call becomes a
// call of edgert_npu_invoke_<inputs>_1(words, constants, scratch, inputs...,
// output) with each buffer's address (aligned pointer plus offset).
//
//===----------------------------------------------------------------------===//
#include "targets/npu/NpuDialect.h"
#include "targets/npu/NpuStream.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace npu {

namespace {

struct NpuBufferizeInvokesPass
    : PassWrapper<NpuBufferizeInvokesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NpuBufferizeInvokesPass)
  StringRef getArgument() const override { return "npu-bufferize-invokes"; }
  StringRef getDescription() const override {
    return "Turn npu.invoke into buffers and an npu.call, each stream into "
           "a constant global of its words";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<bufferization::BufferizationDialect, memref::MemRefDialect,
                    NpuDialect>();
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<InvokeOp> invokes;
    module.walk([&](InvokeOp op) { invokes.push_back(op); });
    llvm::StringMap<std::string> globals; // stream -> its words' global
    for (InvokeOp invoke : invokes) {
      StringRef name = invoke.getStream();
      auto stream = symbols.lookup<StreamOp>(name);
      if (!stream) {
        invoke.emitOpError("names no npu.stream '") << name << "'";
        return signalPassFailure();
      }
      auto sizes = stream.getRegionSizes();
      if (int64_t(sizes.size()) != 3 + int64_t(invoke.getInputs().size())) {
        invoke.emitOpError("binds ")
            << 3 + invoke.getInputs().size() << " regions but the stream has "
            << sizes.size();
        return signalPassFailure();
      }
      if (!globals.count(name)) {
        FailureOr<std::vector<uint32_t>> words = serializeStream(stream);
        if (failed(words))
          return signalPassFailure();
        if (std::string bad = validateStream(*words); !bad.empty()) {
          stream.emitError() << "the device rejects the stream: " << bad;
          return signalPassFailure();
        }
        OpBuilder b(stream);
        std::string global = (name + "_words").str();
        auto type = MemRefType::get({int64_t(words->size())}, b.getI32Type());
        std::vector<int32_t> values(words->begin(), words->end());
        memref::GlobalOp::create(
            b, stream.getLoc(), global, b.getStringAttr("private"), type,
            DenseElementsAttr::get(
                RankedTensorType::get(type.getShape(), b.getI32Type()),
                ArrayRef<int32_t>(values)),
            /*constant=*/true, b.getI64IntegerAttr(16));
        globals[name] = global;
      }
      OpBuilder b(invoke);
      Location loc = invoke.getLoc();
      SmallVector<Value> buffers;
      auto read = [&](Value t) {
        auto tt = cast<RankedTensorType>(t.getType());
        return bufferization::ToBufferOp::create(
            b, loc, MemRefType::get(tt.getShape(), tt.getElementType()), t,
            /*read_only=*/true);
      };
      buffers.push_back(read(invoke.getConstants()));
      buffers.push_back(memref::AllocOp::create(
          b, loc, MemRefType::get({sizes[1]}, b.getI8Type()),
          b.getI64IntegerAttr(64)));
      for (Value in : invoke.getInputs())
        buffers.push_back(read(in));
      auto outT = invoke.getResult().getType();
      Value out = memref::AllocOp::create(
          b, loc, MemRefType::get(outT.getShape(), outT.getElementType()),
          b.getI64IntegerAttr(64));
      buffers.push_back(out);
      CallOp::create(b, loc,
                     FlatSymbolRefAttr::get(b.getContext(), globals[name]),
                     buffers);
      Value result = bufferization::ToTensorOp::create(
          b, loc, outT, out, /*restrict=*/true, /*writable=*/true);
      invoke.getResult().replaceAllUsesWith(result);
      invoke.erase();
    }
    for (StreamOp stream :
         llvm::make_early_inc_range(module.getOps<StreamOp>()))
      stream.erase();
  }
};

struct NpuLowerCallsPass
    : PassWrapper<NpuLowerCallsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NpuLowerCallsPass)
  StringRef getArgument() const override { return "npu-lower-calls"; }
  StringRef getDescription() const override {
    return "Turn npu.call into a call of the runtime's edgert_npu_invoke";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect, memref::MemRefDialect,
                    arith::ArithDialect>();
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // What the partition recorded served the report; LLVM has no use for it.
    module->removeAttr("npu.placement");
    module->removeAttr("npu.config");
    SmallVector<CallOp> calls;
    module.walk([&](CallOp op) { calls.push_back(op); });
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    for (CallOp call : calls) {
      int64_t inputs = int64_t(call.getBuffers().size()) - 3;
      if (inputs < 1 || inputs > 2) {
        call.emitOpError("has ")
            << inputs << " inputs; the runtime takes 1 or 2";
        return signalPassFailure();
      }
      std::string callee = "edgert_npu_invoke_" + std::to_string(inputs) + "_1";
      if (!module.lookupSymbol(callee)) {
        OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
        SmallVector<Type> params(call.getBuffers().size() + 1, ptr);
        LLVM::LLVMFuncOp::create(
            mb, module.getLoc(), callee,
            LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), params));
      }
      OpBuilder b(call);
      Location loc = call.getLoc();
      auto global = module.lookupSymbol<memref::GlobalOp>(call.getWords());
      if (!global) {
        call.emitOpError("names no global '") << call.getWords() << "'";
        return signalPassFailure();
      }
      SmallVector<Value> buffers{memref::GetGlobalOp::create(
          b, loc, global.getType(), call.getWords())};
      llvm::append_range(buffers, call.getBuffers());
      SmallVector<Value> args;
      for (Value buffer : buffers) {
        auto type = cast<MemRefType>(buffer.getType());
        auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
        Value base = memref::ExtractAlignedPointerAsIndexOp::create(
            b, loc, meta.getBaseBuffer());
        int64_t bytes = type.getElementTypeBitWidth() / 8;
        Value offset = arith::MulIOp::create(
            b, loc, meta.getOffset(),
            arith::ConstantIndexOp::create(b, loc, bytes));
        Value address = arith::AddIOp::create(b, loc, base, offset);
        Value wide =
            arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
        args.push_back(LLVM::IntToPtrOp::create(b, loc, ptr, wide));
      }
      LLVM::CallOp::create(b, loc, TypeRange{}, callee, args);
      call.erase();
    }
  }
};
} // namespace

std::unique_ptr<Pass> createNpuBufferizeInvokesPass() {
  return std::make_unique<NpuBufferizeInvokesPass>();
}
std::unique_ptr<Pass> createNpuLowerCallsPass() {
  return std::make_unique<NpuLowerCallsPass>();
}
void registerNpuLoweringPasses() {
  PassRegistration<NpuBufferizeInvokesPass>();
  PassRegistration<NpuLowerCallsPass>();
}

} // namespace npu
