//===- HostModel.h - a module compiled for the host and loaded --*- C++ -*-===//
//
// Calibration and the accuracy measurements run the model in-process: the
// graph-phase module goes through the rest of edgec's pipeline for the
// host, is linked as a shared object (the same path as --emit=shared) and
// dlopen'ed; runs call its entry through the edgert_model_t descriptor.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_HOSTMODEL_H
#define EDGEC_COMPILER_QUANTIZE_HOSTMODEL_H

#include "targets/cpu/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct edgert_model;

namespace edgec {

class HostModel {
public:
  /// Compiles `module` (a module of the graph phase; it is transformed in
  /// place, so pass a clone) for `host` at `optLevel`, links and loads it.
  /// Returns null and sets `error` on failure (pass failures are also
  /// reported through the context's diagnostics).
  static std::unique_ptr<HostModel> compile(mlir::ModuleOp module,
                                            const TargetDescription &host,
                                            int optLevel, std::string &error);
  ~HostModel();
  HostModel(const HostModel &) = delete;
  HostModel &operator=(const HostModel &) = delete;

  /// Runs once on `inputs` (the bytes of each input, as the model takes
  /// them); the results stay in the output buffers until the next run.
  void run(const std::vector<std::vector<char>> &inputs);

  unsigned numOutputs() const;
  /// Output `i` (f32 outputs only: nullptr for other element types).
  const float *outputF32(unsigned i) const;
  uint64_t outputElements(unsigned i) const;

private:
  HostModel() = default;
  struct Buffer {
    void *data = nullptr;
    ~Buffer();
    Buffer() = default;
    Buffer(Buffer &&o) : data(o.data) { o.data = nullptr; }
  };
  void *handle = nullptr;
  const edgert_model *model = nullptr;
  std::vector<Buffer> outputs;
  Buffer arena;
  std::string path; // the shared object, removed on destruction
};

} // namespace edgec

#endif
