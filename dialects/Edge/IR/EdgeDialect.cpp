//===- EdgeDialect.cpp - the edge dialect ---------------------------------===//
#include "dialects/Edge/IR/EdgeOps.h"

using namespace mlir;
using namespace edge;

#include "dialects/Edge/IR/EdgeDialect.cpp.inc"

void EdgeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Edge/IR/EdgeOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *EdgeDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}
