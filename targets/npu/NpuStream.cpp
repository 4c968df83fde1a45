//===- NpuStream.cpp - npu.stream to and from its binary words ------------===//
#include "targets/npu/NpuStream.h"

#include "runtime/include/edgert_npu.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CRC.h"

using namespace mlir;

namespace npu {

namespace {
uint32_t log2u(uint32_t v) {
  uint32_t l = 0;
  while (v > 1) {
    v >>= 1;
    ++l;
  }
  return l;
}

uint32_t crc(ArrayRef<uint32_t> body) {
  std::vector<uint8_t> bytes;
  for (uint32_t w : body)
    for (int i = 0; i < 4; ++i)
      bytes.push_back(uint8_t(w >> (8 * i)));
  return llvm::crc32(bytes);
}

uint32_t sync(uint32_t wait, uint32_t signal) {
  return (wait & 0xFF) << 8 | (signal & 0xFF);
}
} // namespace

FailureOr<std::vector<uint32_t>> serializeStream(StreamOp stream) {
  std::vector<uint32_t> body;
  auto command = [&](uint32_t opcode, uint32_t queue, uint32_t operands) {
    body.push_back(opcode << 24 | queue << 20 | (operands & 0xFFFFF));
  };
  for (Operation &op : stream.getBody().front()) {
    if (auto s = dyn_cast<SetRegOp>(op)) {
      command(EDGERT_NPU_SET_REG, 0, uint32_t(registerIndex(s.getReg())));
      body.push_back(s.getValue());
    } else if (auto d = dyn_cast<DmaLoadOp>(op)) {
      command(EDGERT_NPU_DMA_LOAD, 0, sync(d.getWait(), d.getSignal()));
      for (uint32_t w : {d.getRegion(), d.getOffset(), d.getSram(),
                         d.getRowBytes(), d.getRows(), d.getStride()})
        body.push_back(w);
    } else if (auto d = dyn_cast<DmaStoreOp>(op)) {
      command(EDGERT_NPU_DMA_STORE, 0, sync(d.getWait(), d.getSignal()));
      for (uint32_t w : {d.getRegion(), d.getOffset(), d.getSram(),
                         d.getRowBytes(), d.getRows(), d.getStride()})
        body.push_back(w);
    } else if (auto c = dyn_cast<ConvOp>(op)) {
      command(EDGERT_NPU_CONV, 1, sync(c.getWait(), c.getSignal()));
    } else if (auto c = dyn_cast<DwConvOp>(op)) {
      command(EDGERT_NPU_DWCONV, 1, sync(c.getWait(), c.getSignal()));
    } else if (auto c = dyn_cast<FcOp>(op)) {
      command(EDGERT_NPU_FC, 1, sync(c.getWait(), c.getSignal()));
    } else if (auto p = dyn_cast<PoolOp>(op)) {
      command(EDGERT_NPU_POOL, 1,
              uint32_t(p.getAverage()) << 16 |
                  sync(p.getWait(), p.getSignal()));
    } else if (auto e = dyn_cast<EltwiseOp>(op)) {
      command(EDGERT_NPU_ELTWISE, 1,
              uint32_t(e.getMul()) << 16 | sync(e.getWait(), e.getSignal()));
    } else if (auto l = dyn_cast<LutLoadOp>(op)) {
      command(EDGERT_NPU_LUT_LOAD, 1, sync(l.getWait(), l.getSignal()));
      body.push_back(l.getSram());
    } else if (isa<EndOp>(op)) {
      command(EDGERT_NPU_END, 0, 0);
    } else {
      return op.emitOpError("is not an npu command");
    }
  }
  edgert_npu_config_t config = {stream.getN(), stream.getSram(),
                                stream.getBanks(), stream.getDma()};
  std::vector<uint32_t> words = {
      EDGERT_NPU_MAGIC,
      EDGERT_NPU_VERSION_MAJOR << 16 | EDGERT_NPU_VERSION_MINOR,
      config.n | log2u(config.banks) << 8 |
          log2u(config.dma_bytes_per_cycle) << 12,
      config.sram_bytes, uint32_t(stream.getRegionSizes().size())};
  for (auto [size, flags] :
       llvm::zip(stream.getRegionSizes(), stream.getRegionFlags())) {
    words.push_back(uint32_t(size));
    words.push_back(uint32_t(flags));
  }
  words.push_back(uint32_t(body.size()));
  words.push_back(crc(body));
  words.insert(words.end(), body.begin(), body.end());
  return words;
}

FailureOr<StreamOp> readStream(ArrayRef<uint32_t> w, OpBuilder &b, Location loc,
                               StringRef name) {
  auto fail = [&](size_t at, const Twine &why) {
    return emitError(loc) << "word " << at << ": " << why;
  };
  if (w.size() < 7 || w[0] != EDGERT_NPU_MAGIC)
    return fail(0, "not an ENPU stream");
  uint32_t regions = w[4];
  if (regions < 1 || regions > EDGERT_NPU_MAX_REGIONS ||
      w.size() < 7 + 2 * size_t(regions))
    return fail(4, "bad region table");
  size_t bodyAt = 7 + 2 * size_t(regions);
  if (w[5 + 2 * regions] != w.size() - bodyAt)
    return fail(5 + 2 * regions, "the length does not match");
  if (crc(w.drop_front(bodyAt)) != w[6 + 2 * regions])
    return fail(6 + 2 * regions, "the CRC-32 does not match");
  SmallVector<int64_t> sizes, flags;
  for (uint32_t i = 0; i < regions; ++i) {
    sizes.push_back(w[5 + 2 * i]);
    flags.push_back(w[6 + 2 * i]);
  }
  auto stream = StreamOp::create(
      b, loc, b.getStringAttr(name), w[2] & 0xFF, w[3], 1u << (w[2] >> 8 & 0xF),
      1u << (w[2] >> 12 & 0xF), b.getDenseI64ArrayAttr(sizes),
      b.getDenseI64ArrayAttr(flags));
  Block *block = b.createBlock(&stream.getBody());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(block);
  for (size_t at = bodyAt; at < w.size();) {
    uint32_t cmd = w[at], opcode = cmd >> 24, operands = cmd & 0xFFFFF;
    uint32_t wait = operands >> 8 & 0xFF, signal = operands & 0xFF;
    size_t payload =
        opcode == EDGERT_NPU_SET_REG || opcode == EDGERT_NPU_LUT_LOAD     ? 1
        : opcode == EDGERT_NPU_DMA_LOAD || opcode == EDGERT_NPU_DMA_STORE ? 6
                                                                          : 0;
    if (at + 1 + payload > w.size())
      return fail(at, "the payload runs past the end");
    ArrayRef<uint32_t> p = w.slice(at + 1, payload);
    switch (opcode) {
    case EDGERT_NPU_SET_REG: {
      StringRef reg = registerName(int(operands & 0xFF));
      if (reg.empty())
        return fail(at, "unknown register " + Twine(operands & 0xFF));
      SetRegOp::create(b, loc, reg, p[0]);
      break;
    }
    case EDGERT_NPU_DMA_LOAD:
      DmaLoadOp::create(b, loc, p[0], p[1], p[2], p[3], p[4], p[5], wait,
                        signal);
      break;
    case EDGERT_NPU_DMA_STORE:
      DmaStoreOp::create(b, loc, p[0], p[1], p[2], p[3], p[4], p[5], wait,
                         signal);
      break;
    case EDGERT_NPU_CONV:
      ConvOp::create(b, loc, wait, signal);
      break;
    case EDGERT_NPU_DWCONV:
      DwConvOp::create(b, loc, wait, signal);
      break;
    case EDGERT_NPU_FC:
      FcOp::create(b, loc, wait, signal);
      break;
    case EDGERT_NPU_POOL:
      PoolOp::create(b, loc, (operands >> 16 & 1) != 0, wait, signal);
      break;
    case EDGERT_NPU_ELTWISE:
      EltwiseOp::create(b, loc, (operands >> 16 & 1) != 0, wait, signal);
      break;
    case EDGERT_NPU_LUT_LOAD:
      LutLoadOp::create(b, loc, p[0], wait, signal);
      break;
    case EDGERT_NPU_END:
      EndOp::create(b, loc);
      break;
    default:
      return fail(at, "unknown opcode " + Twine(opcode));
    }
    at += 1 + payload;
  }
  return stream;
}

std::string validateStream(ArrayRef<uint32_t> words, StreamTiming *timing) {
  if (words.size() < 4)
    return "HDR-5: the stream ends inside its header";
  edgert_npu_config_t config = {words[2] & 0xFF, words[3],
                                1u << (words[2] >> 8 & 0xF),
                                1u << (words[2] >> 12 & 0xF)};
  std::vector<edgert_npu_op_t> ops(words.size());
  edgert_npu_report_t report;
  size_t n = 0;
  if (edgert_npu_validate(&config, words.data(), words.size(), ops.data(),
                          ops.size(), &n, &report) == EDGERT_OK) {
    if (timing) {
      *timing = StreamTiming();
      for (size_t i = 0; i < n; ++i) {
        timing->cycles = std::max(timing->cycles, uint64_t(ops[i].end));
        if (ops[i].opcode == EDGERT_NPU_DMA_LOAD ||
            ops[i].opcode == EDGERT_NPU_DMA_STORE)
          timing->dmaBytes += uint64_t(ops[i].payload[3]) * ops[i].payload[4];
      }
      timing->operations = n;
    }
    return "";
  }
  return report.message;
}

namespace {
/// Serializes each npu.stream, validates the words with the device's
/// validator (an error names the broken rule), and replaces the stream by
/// the one read back from the words: the printed result must equal the
/// input (test/targets/npu/roundtrip.mlir).
struct NpuRoundtripPass
    : PassWrapper<NpuRoundtripPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NpuRoundtripPass)
  StringRef getArgument() const override { return "npu-roundtrip"; }
  StringRef getDescription() const override {
    return "Write each npu.stream as words, validate them by the device's "
           "rules, and read them back";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<NpuDialect>();
  }
  void runOnOperation() override {
    for (StreamOp stream :
         llvm::make_early_inc_range(getOperation().getOps<StreamOp>())) {
      FailureOr<std::vector<uint32_t>> words = serializeStream(stream);
      if (failed(words))
        return signalPassFailure();
      if (std::string why = validateStream(*words); !why.empty()) {
        stream.emitError() << "the device rejects the stream: " << why;
        return signalPassFailure();
      }
      OpBuilder b(stream);
      FailureOr<StreamOp> back =
          readStream(*words, b, stream.getLoc(), stream.getSymName());
      if (failed(back))
        return signalPassFailure();
      stream.erase();
    }
  }
};
} // namespace

void registerNpuPasses() {
  PassRegistration<NpuRoundtripPass>();
  registerNpuPartitionPass();
  registerNpuLoweringPasses();
}

} // namespace npu
