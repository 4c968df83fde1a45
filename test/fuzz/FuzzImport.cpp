//===- FuzzImport.cpp - libFuzzer target: ONNX bytes to the edge dialect --===//
//
// Any bytes given to the importer yield a module that verifies, or
// diagnostics and no module: never a crash, a sanitizer report, a leak or a
// hang. Seeds: the shared models and the conformance tests' model.onnx files
// (test/fuzz/README.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

/// A context is made once per this many inputs: making one per input would
/// dominate the time, and one for the whole run would keep every attribute
/// each input interned (memory growing with the run).
constexpr int kInputsPerContext = 256;

struct Session {
  std::unique_ptr<mlir::MLIRContext> context;
  int uses = 0;

  mlir::MLIRContext &get() {
    if (!context || uses++ == kInputsPerContext) {
      context = std::make_unique<mlir::MLIRContext>(
          mlir::MLIRContext::Threading::DISABLED);
      uses = 1;
      // Diagnostics are the expected outcome of most inputs: dropped.
      context->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    }
    return *context;
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Session session;
  mlir::MLIRContext &context = session.get();
  // The model's folder is one with no files, so external data cannot
  // resolve (or escape) into the machine's files.
  edgec::ImportOptions options;
  auto module = edgec::importOnnxModelFromBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent-edgec-fuzz/model.onnx", options, context);
  if (module && mlir::failed(mlir::verify(*module))) {
    std::fprintf(stderr, "importer returned a module that does not verify\n");
    std::abort();
  }
  return 0;
}
