//===- EdgeDialect.td - the edge dialect -------------------*- tablegen -*-===//
#ifndef EDGE_DIALECT_TD
#define EDGE_DIALECT_TD

include "mlir/IR/DialectBase.td"

def Edge_Dialect : Dialect {
  let name = "edge";
  let cppNamespace = "::edge";
  let summary = "Graph-level ops of the edgec compiler (ONNX semantics)";
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

#endif // EDGE_DIALECT_TD
