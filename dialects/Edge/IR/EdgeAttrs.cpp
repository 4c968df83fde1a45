//===- EdgeAttrs.cpp - attributes of the edge dialect ---------------------===//
#include "dialects/Edge/IR/EdgeOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace edge;

namespace edge {
/// A bracketed list of integers: `[1, 1, 8, 32]`.
static FailureOr<SmallVector<int64_t>> parseTileList(AsmParser &parser) {
  SmallVector<int64_t> list;
  if (failed(parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            return parser.parseInteger(list.emplace_back());
          })))
    return failure();
  return list;
}
} // namespace edge

#define GET_ATTRDEF_CLASSES
#include "dialects/Edge/IR/EdgeAttrs.cpp.inc"

void EdgeDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Edge/IR/EdgeAttrs.cpp.inc"
      >();
}

LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   StringAttr triple, StringAttr cpu, StringAttr features,
                   StringAttr arch, int64_t vectorBits, int64_t vectorRegisters,
                   bool fma, StringAttr dot, int64_t l1Bytes, int64_t l2Bytes,
                   int64_t sramBytes, int64_t pointerBits) {
  if (!triple || triple.getValue().empty())
    return emitError() << "target triple must not be empty";
  if (vectorBits < 0 || (vectorBits & (vectorBits - 1)) != 0)
    return emitError() << "vector_bits must be 0 or a power of two, got "
                       << vectorBits;
  if (vectorRegisters < 1)
    return emitError() << "vector_registers must be at least 1";
  if (pointerBits != 32 && pointerBits != 64)
    return emitError() << "pointer_bits must be 32 or 64, got " << pointerBits;
  if (l1Bytes < 0 || l2Bytes < 0 || sramBytes < 0)
    return emitError() << "cache and memory sizes must not be negative";
  return success();
}
