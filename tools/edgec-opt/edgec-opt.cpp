//===- edgec-opt.cpp - pass pipeline experiments on edgec IR --------------===//
#include "compiler/driver/Driver.h"
#include "compiler/pipeline/Pipeline.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  edgec::registerEdgecDialects(registry);
  edgec::registerEdgecPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "edgec optimizer driver\n", registry));
}
