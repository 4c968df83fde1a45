//===- NpuDialect.cpp - the npu dialect -----------------------------------===//
#include "targets/npu/NpuDialect.h"

#include "runtime/include/edgert_npu.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace npu;

#include "targets/npu/NpuDialect.cpp.inc"

void NpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "targets/npu/NpuOps.cpp.inc"
      >();
}

static const char *const kRegisterNames[EDGERT_NPU_REGISTERS] = {
    "IFM_ADDR",   "IFM_H",  "IFM_W",     "IFM_C",       "IFM_ZP",
    "OFM_ADDR",   "OFM_H",  "OFM_W",     "OFM_C",       "OFM_ZP",
    "KERNEL",     "STRIDE", "PAD",       "WEIGHT_ADDR", "BIAS_ADDR",
    "SCALE_ADDR", "ACT",    "IFM2_ADDR", "IFM2_ZP",     "ELT_M1",
    "ELT_S1",     "ELT_M2", "ELT_S2",    "POOL_M",      "POOL_S"};

int npu::registerIndex(llvm::StringRef name) {
  for (int i = 0; i < EDGERT_NPU_REGISTERS; ++i)
    if (name == kRegisterNames[i])
      return i;
  return -1;
}

llvm::StringRef npu::registerName(int index) {
  return index >= 0 && index < EDGERT_NPU_REGISTERS ? kRegisterNames[index]
                                                    : "";
}

LogicalResult SetRegOp::verify() {
  if (registerIndex(getReg()) < 0)
    return emitOpError("unknown register '") << getReg() << "'";
  return success();
}

LogicalResult StreamOp::verify() {
  uint32_t n = getN(), sram = getSram(), banks = getBanks(), dma = getDma();
  if (n != 8 && n != 16 && n != 32)
    return emitOpError("n must be 8, 16 or 32");
  if (!llvm::isPowerOf2_32(sram) || sram < (16u << 10) || sram > (16u << 20))
    return emitOpError("sram must be a power of two from 16 KiB to 16 MiB");
  if (!llvm::isPowerOf2_32(banks) || banks > 16)
    return emitOpError("banks must be a power of two up to 16");
  if (!llvm::isPowerOf2_32(dma) || dma < 4 || dma > 64)
    return emitOpError("dma must be a power of two from 4 to 64");
  if (getRegionSizes().size() != getRegionFlags().size() ||
      getRegionSizes().empty() ||
      getRegionSizes().size() > EDGERT_NPU_MAX_REGIONS)
    return emitOpError("needs 1 to 16 regions, each with its flags");
  Block &body = getBody().front();
  if (body.empty() || !isa<EndOp>(body.back()))
    return emitOpError("must end with npu.end");
  return success();
}

#define GET_OP_CLASSES
#include "targets/npu/NpuOps.cpp.inc"
