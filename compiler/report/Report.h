//===- Report.h - what edgec reports about a compilation --------*- C++ -*-===//
//
// `--report=FILE.json` writes it, `--report=FILE.html` draws it as one
// self-contained page (docs/report.md), `-v` prints the quantization
// section as tables. One section per concern: the graph after optimization
// with each op's estimated cost, the memory plan, the object's sections
// (flash and RAM), and the quantization (docs/quantization.md).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_REPORT_REPORT_H
#define EDGEC_COMPILER_REPORT_REPORT_H

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgec {

/// A per-tensor quantization: scale, zero point and storage bits.
struct QuantParams {
  double scale = 0;
  int64_t zeroPoint = 0;
  unsigned bits = 8;
};

struct QuantizedLayer {
  std::string node;      // the ONNX node (Conv, Gemm, MatMul)
  std::string op;        // conv, gemm, matmul
  std::string precision; // int8, int16, float
  std::string reason;    // why float or int16: "--keep-float", "mixed", ...
  std::optional<QuantParams> input, output;
  std::vector<double> weightScales; // per output channel
  /// SQNR of the layer's output against the float model (the error of
  /// every layer up to it); nullopt: not measured, +inf: exact.
  std::optional<double> sqnrDb;
  /// `mixed`: the output SQNR when only this layer is quantized (int8).
  std::optional<double> sensitivityDb;
};

/// One step of `mixed`'s search: a layer moved to another precision.
struct MixedStep {
  std::string node;
  std::string precision;
  double outputSqnrDb = 0;
};

struct QuantizationSection {
  std::string mode;        // int8, int16x8, mixed
  std::string method;      // minmax, percentile, entropy
  std::string calibration; // the --calibration path
  size_t samples = 0;
  std::optional<double> minSqnrDb;    // mixed's target
  std::optional<double> outputSqnrDb; // over all outputs and samples
  uint64_t weightBytesFloat = 0, weightBytesQuantized = 0;
  std::vector<QuantizedLayer> layers;
  std::optional<double> allInt8SqnrDb; // mixed: before any move
  std::vector<MixedStep> mixedSteps;
};

/// One op of the graph after the graph phase (fusion, quantization).
struct GraphOp {
  std::string op;                 // the edge op: conv, matmul, add, ...
  std::vector<std::string> nodes; // its ONNX nodes (several: fused)
  std::string precision;          // the result's element type: f32, i8, ...
  std::string shape;              // the first result's: 1x32x112x112
  std::vector<int64_t> inputs;    // the ops whose results it reads
  int64_t flops = 0;       // 2 x multiply-adds, or one per output element
  int64_t weightBytes = 0; // constant operands
  int64_t bytes = 0;       // activations read and written, plus weights
  /// The kernel of the generated code that computes it (ops fused into one
  /// loop nest share it); -1 when none names the op (folded away).
  int64_t kernel = -1;
};

/// A buffer of the arena: where it sits and when it is live (op positions
/// of the bufferized function, in program order).
struct ArenaBuffer {
  std::string node; // the ONNX node whose code allocates it
  int64_t offset = 0, bytes = 0, start = 0, end = 0;
};

struct MemorySection {
  int64_t arenaBytes = 0;
  int64_t livePeakBytes = 0; // the most bytes live at one position
  int64_t peakPosition = 0;  // where
  int64_t positions = 0;     // the last position + 1
  int64_t weightsBytes = 0;
  int64_t stackBytes = 0;
  std::vector<ArenaBuffer> buffers;
};

/// A section of the object file and the memory it takes on a device.
struct ObjectSectionSize {
  std::string name;
  uint64_t bytes = 0;
  std::string region; // flash (code, constants), ram (zero-initialized),
                      // flash+ram (initialized data)
};

/// Measured kernel times: the runner's --profile of the same model and
/// flags built with --instrument-kernels (mean per run).
struct KernelProfile {
  std::string file; // its name
  int64_t runs = 0;
  double totalUs = 0;
  std::vector<double> kernelUs; // by kernel number
};

/// One layer the NPU partition considered (targets/npu/Partition.cpp).
struct NpuLayer {
  std::string layer;  // its ONNX node
  std::string op;     // edge.conv, edge.gemm, ...
  std::string device; // npu or cpu
  std::string reason; // why it stays on the CPU
  int64_t macs = 0;
  int64_t npuCycles = 0; // estimated, with the call and layout copies
  int64_t cpuCycles = 0; // estimated
  int64_t dmaBytes = 0;  // the stream's transfers
  std::string stream;    // its npu.stream
  /// CONV and FC weights in N x N tiles (docs/npu-spec.md §2.4): their
  /// bytes, tiles, and tiles stored (fewer when zero tiles are compressed).
  int64_t weightBytes = 0, weightTiles = 0, storedTiles = 0;
  /// "-", "8192 B" (tiles) or "2320 B, 36/54 tiles" (compressed).
  std::string weightText() const;
};

/// The CPU/NPU placement (--npu, --npu-config).
struct NpuSection {
  std::string config; // npu16-256k, ...
  int64_t n = 0, sramBytes = 0;
  std::vector<NpuLayer> layers;
};

/// One layer edge-prune considered (passes/prune).
struct PrunedLayer {
  std::string layer; // its ONNX node
  std::string op;
  int64_t weights = 0, zerosBefore = 0, zerosAfter = 0;
  std::string reason;           // why it stayed dense
  std::optional<double> sqnrDb; // --min-sqnr: the output's, pruned alone
};

/// One layer whose output channels edge-prune-channels considered.
struct ChannelLayer {
  std::string layer; // its ONNX node
  std::string op;
  int64_t channels = 0, kept = 0;
  std::string reason; // why they all stayed
};

/// --prune and --prune-channels: what each layer's weights and output
/// channels became.
struct PruningSection {
  std::vector<ChannelLayer> channels;   // --prune-channels
  std::vector<PrunedLayer> layers;      // --prune
  int64_t blockRows = 0, blockCols = 0; // --prune-block: the block pruned
  /// --min-sqnr: the target, the output SQNR measured (worst calibration
  /// sample) and the runs the sweep took.
  std::optional<double> minSqnrDb, outputSqnrDb;
  int64_t sweepRuns = 0;
};

/// One layer edge-cpu-sparse-kernels compiled over its nonzeros.
struct SparseKernel {
  std::string layer;  // its ONNX node
  std::string format; // csr16 (int16 rows), csr32
  int64_t nonzeros = 0, weights = 0, bytes = 0, denseBytes = 0;
  /// Where the zeros came from: "pruned" when edge-prune zeroed weights of
  /// this layer, "model" when they arrived with the model (pruned and
  /// fine-tuned in training, say).
  std::string origin;
};

struct Report {
  std::string model;  // the input file's name
  std::string target; // the triple
  std::vector<GraphOp> graph;
  int64_t kernels = 0; // loop nests of the generated code
  std::optional<KernelProfile> profile;
  std::optional<MemorySection> memory;
  std::vector<ObjectSectionSize> sections;
  std::optional<QuantizationSection> quantization;
  std::optional<NpuSection> npu;
  std::optional<PruningSection> pruning;
  std::vector<SparseKernel> sparseKernels;
};

llvm::json::Value toJSON(const Report &report);

/// Writes the JSON form.
void writeReportJSON(const Report &report, llvm::raw_ostream &os);

/// The self-contained page: the graph, the memory plan as a timeline, the
/// per-layer cost, the sizes (no script, no network: inline SVG).
void writeReportHTML(const Report &report, llvm::raw_ostream &os);

/// The readable form of the quantization (`-v`).
void printReport(const Report &report, llvm::raw_ostream &os);

/// The readable form of the NPU placement (`-v`).
void printNpuReport(const NpuSection &npu, llvm::raw_ostream &os);

/// "12.5 %" of part in whole, "-" when whole is 0 (the pruning tables).
std::string percentText(int64_t part, int64_t whole);

/// `-v` when layers run on sparse kernels: their format and bytes.
void printSparseKernels(const std::vector<SparseKernel> &kernels,
                        llvm::raw_ostream &os);

/// `-v` with --prune or --prune-channels: per layer its channels kept, its
/// weights and sparsity before and after.
void printPruningReport(const PruningSection &pruning, llvm::raw_ostream &os);

/// 10 log10(sum ref^2 / sum (ref - got)^2); +inf when equal.
double sqnrDb(double signal, double noise);

} // namespace edgec

#endif
