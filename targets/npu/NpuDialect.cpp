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

int npu::registerIndex(llvm::StringRef name) {
  for (int i = 0; i < EDGERT_NPU_REGISTERS; ++i)
    if (name == edgert_npu_register_name(i))
      return i;
  return -1;
}

llvm::StringRef npu::registerName(int index) {
  const char *name = edgert_npu_register_name(index);
  return name ? name : "";
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
