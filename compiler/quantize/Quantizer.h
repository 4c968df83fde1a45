//===- Quantizer.h - post-training quantization of a module -----*- C++ -*-===//
//
// What `edgec --quantize` does between the graph and the linalg phases:
// calibrate the float model on the host (compiled by edgec, observers on
// every tensor), choose each layer's precision (`mixed`: by sensitivity),
// and rewrite the module into the QDQ form (edge-quant-insert). See
// docs/quantization.md.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_QUANTIZER_H
#define EDGEC_COMPILER_QUANTIZE_QUANTIZER_H

#include "compiler/quantize/QuantizeOptions.h"
#include "compiler/report/Report.h"

#include "mlir/IR/BuiltinOps.h"

namespace edgec {

struct QuantizeEnvironment {
  int optLevel = 2;     // of the host builds
  bool measure = false; // measure the SQNR of each layer and of the output
  bool verbose = false; // progress and times on stderr
};

/// Quantizes `module`, a module after the graph phase, in place. Errors
/// are printed as `edgec: error: ...` (or through the context's
/// diagnostics); `report` receives the quantization section.
mlir::LogicalResult quantizeModule(mlir::ModuleOp module,
                                   const QuantizeOptions &options,
                                   const QuantizeEnvironment &env,
                                   QuantizationSection &report);

} // namespace edgec

#endif
