//===- Emulation.h - every quantization plan in one host build --*- C++ -*-===//
//
// `mixed` evaluates many precision assignments (each layer alone, then each
// step of the search). Rather than one compile per assignment, the
// emulation build is the calibrated float model with every quantization a
// plan could make switchable at run time, through two extra inputs:
//
//   - each float tensor x has a fake quantization
//       fq(x) = clamp(dequantize_linear(quantize_linear(x, s, zp)), lo, hi)
//     with s, zp, lo, hi read from the inputs (int32 storage, the int8 or
//     int16 grid enforced by the clamp), and each of its uses reads
//     (1 - m) * x + m * fq(x) with its own m in {0, 1};
//   - each layer's weight is (1 - m) * w + m * dequantize(w_int8), its bias
//     (1 - m) * b + m * b rounded to the grid of s_in * s_w[c] (s_in read
//     from the inputs);
//   - each pass-through op's constant operand selects among its float,
//     int8 and int16 forms.
//
// With m in {0, 1} each blend is exact, so a configuration computes what
// the QDQ graph edge-quant-insert makes from the same plan (QuantPlan.h)
// computes. `configure` fills the inputs from a plan.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_EMULATION_H
#define EDGEC_COMPILER_QUANTIZE_EMULATION_H

#include "compiler/quantize/HostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

#include <memory>
#include <string>
#include <vector>

namespace edgec {

class EmulationBuild {
public:
  /// Builds and compiles the emulation of `module` (calibrated: its tensors
  /// carry `edge.calibration`), whose quantizable layers are `layers`.
  static std::unique_ptr<EmulationBuild>
  create(mlir::ModuleOp module, llvm::ArrayRef<mlir::Operation *> layers,
         const TargetDescription &host, int optLevel, std::string &error);

  /// Sets the inputs to the plan with `bits` (0 float, 8, 16) per layer and
  /// `defaultBits` (8 or 16).
  mlir::LogicalResult configure(llvm::ArrayRef<int> bits, int defaultBits);

  /// Runs on one sample with the configured plan.
  void run(const std::vector<std::vector<char>> &sample);
  const HostModel &model() const { return *host; }

private:
  EmulationBuild() = default;
  struct Use {
    mlir::Value tensor;
    mlir::Operation *user;
    unsigned slot; // of m; m and 1 - m are params[slot], params[slot + 1]
  };
  mlir::func::FuncOp func; // the calibrated float function
  std::vector<mlir::Operation *> layers;
  llvm::MapVector<mlir::Value, unsigned> tensorSlot; // s, lo, hi; zp
  std::vector<Use> uses;
  std::vector<unsigned> layerSlot; // m, 1 - m of each layer
  llvm::MapVector<mlir::Operation *, unsigned> constantSlot; // m0, m8, m16
  std::vector<float> params;
  std::vector<int32_t> zeroPoints;
  std::unique_ptr<HostModel> host;
};

} // namespace edgec

#endif
