//===- NpuStream.h - npu.stream to and from its binary words ----*- C++ -*-===//
//
// The serializer writes an npu.stream as the command stream of
// docs/npu-spec.md §3 (header, CRC-32, commands); the reader turns words
// back into an npu.stream. `validateStream` runs the runtime's validator
// (runtime/npu) on the words, so that the compiler checks what it emits by
// the device's own rules.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_NPUSTREAM_H
#define EDGEC_TARGETS_NPU_NPUSTREAM_H

#include "targets/npu/NpuDialect.h"

#include "mlir/Pass/Pass.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace npu {

/// The words of `stream`; an error at the offending op otherwise.
mlir::FailureOr<std::vector<uint32_t>> serializeStream(StreamOp stream);

/// An npu.stream named `name` built at the builder's insertion point from
/// `words`; an error at `loc` for words that are not a stream of known
/// commands (the header's length and CRC are checked; the other rules are
/// the validator's).
mlir::FailureOr<StreamOp> readStream(llvm::ArrayRef<uint32_t> words,
                                     mlir::OpBuilder &builder,
                                     mlir::Location loc, llvm::StringRef name);

/// The validator's timing of an accepted stream (docs/npu-spec.md §5).
struct StreamTiming {
  uint64_t cycles = 0;   // both queues done
  uint64_t dmaBytes = 0; // loaded and stored
  uint64_t operations = 0;
};

/// Runs the device's validator on `words` for the configuration the header
/// names. Returns "" when accepted (and fills *timing when given), else the
/// report ("SYN-2: word 40: ...").
std::string validateStream(llvm::ArrayRef<uint32_t> words,
                           StreamTiming *timing = nullptr);

/// Registers the npu passes (npu-roundtrip, npu-partition,
/// npu-bufferize-invokes, npu-lower-calls).
void registerNpuPasses();

/// npu-partition (Partition.cpp) with its placement option ("cost" or
/// "all"); the two lowering passes of LowerInvoke.cpp.
std::unique_ptr<mlir::Pass> createNpuPartitionPass(llvm::StringRef placement);
std::unique_ptr<mlir::Pass> createNpuBufferizeInvokesPass();
std::unique_ptr<mlir::Pass> createNpuLowerCallsPass();
void registerNpuPartitionPass();
void registerNpuLoweringPasses();

} // namespace npu

#endif // EDGEC_TARGETS_NPU_NPUSTREAM_H
