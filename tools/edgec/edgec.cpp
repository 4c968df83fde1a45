//===- edgec.cpp - the edgec command line ---------------------------------===//
//
// Parses the command line into CompileOptions and runs the driver library.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"

using namespace llvm;

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // libLLVM registers a hidden, undocumented "threads" option of its own;
  // it moves aside for edgec's --threads.
  if (auto it = cl::getRegisteredOptions().find("threads");
      it != cl::getRegisteredOptions().end())
    it->second->setArgStr("llvm-threads");
  // The flags in groups, as clang's reference lists them.
  cl::OptionCategory outputCat("Output", "What edgec writes, and where");
  cl::OptionCategory targetCat("Target", "The machine the code is for");
  cl::OptionCategory codegenCat(
      "Code generation", "How the model is compiled: optimization, threads, "
                         "memory, sections");
  cl::OptionCategory inputCat("Model inputs",
                              "Shapes and values fixed at compile time");
  cl::OptionCategory quantCat(
      "Quantization", "Post-training quantization (docs/quantization.md)");
  cl::OptionCategory pruneCat("Pruning", "Zeroing weights (docs/pruning.md)");
  cl::OptionCategory diagCat("Diagnostics and reports",
                             "What edgec tells about the compilation");
  cl::OptionCategory phaseCat("Compiler phases",
                              "Stop after, or start from, a phase's MLIR");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx>"),
                             cl::cat(outputCat));
  cl::opt<bool> printTargets("print-targets",
                             cl::desc("List the targets and their CPUs"),
                             cl::cat(targetCat));
  cl::opt<std::string> output("o", cl::desc("Output file"),
                              cl::value_desc("path"), cl::cat(outputCat));
  cl::opt<std::string> emit(
      "emit",
      cl::desc("What to write: obj (default, plus a .h), "
               "lib (model + runtime archive), exe, shared, mlir, llvm, asm"),
      cl::init("obj"), cl::value_desc("kind"), cl::cat(outputCat));
  // cl::desc keeps a StringRef: the text must outlive the option.
  const std::string compileToDesc =
      "Stop after a phase and print its MLIR: " + edgec::phaseList();
  cl::opt<std::string> compileTo("compile-to", cl::desc(compileToDesc),
                                 cl::value_desc("phase"), cl::cat(phaseCat));
  cl::opt<std::string> compileFrom(
      "compile-from",
      cl::desc("The input is the .mlir printed by --compile-to=PHASE (maybe "
               "edited, or transformed by edgec-opt): finish it from there"),
      cl::value_desc("phase"), cl::cat(phaseCat));
  cl::opt<std::string> triple("target",
                              cl::desc("Target triple (default: host)"),
                              cl::value_desc("triple"), cl::cat(targetCat));
  cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: host)"),
                            cl::value_desc("cpu"), cl::cat(targetCat));
  cl::opt<std::string> mattr(
      "mattr", cl::desc("Target features, e.g. +avx2,-avx512f"),
      cl::value_desc("+feature,-feature"), cl::cat(targetCat));
  cl::opt<char> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"),
                         cl::Prefix, cl::init('2'), cl::value_desc("0-3"),
                         cl::cat(codegenCat));
  cl::opt<double> sparseThreshold(
      "sparse-threshold",
      cl::desc("1x1 convolutions and matrix products whose constant weight "
               "has at least this fraction of zeros use sparse kernels "
               "(default: each layer's measured break-even, 0.5 to 0.9 by "
               "its number of positions; above 1: never)"),
      cl::init(-1), cl::value_desc("fraction"), cl::cat(codegenCat));
  cl::opt<std::string> name(
      "name", cl::desc("C prefix of the generated symbols"), cl::init("model"),
      cl::value_desc("identifier"), cl::cat(outputCat));
  cl::opt<std::string> weightsSection(
      "weights-section",
      cl::desc("Section of the constant weights (default .edgec.weights)"),
      cl::init(".edgec.weights"), cl::value_desc("section"),
      cl::cat(codegenCat));
  cl::opt<std::string> arenaSection(
      "arena-section",
      cl::desc("Define <name>_arena, the scratch arena, in this section"),
      cl::value_desc("section"), cl::cat(codegenCat));
  cl::list<std::string> inputValues(
      "input-value",
      cl::desc("Fix an input's value at compile time: NAME=FILE.npy "
               "(repeatable; the input becomes a constant)"),
      cl::value_desc("NAME=FILE.npy"), cl::cat(inputCat));
  cl::list<std::string> inputShapes(
      "input-shape",
      cl::desc("Fix an input's shape: NAME=D0xD1x... (repeatable)"),
      cl::value_desc("NAME=D0xD1x..."), cl::cat(inputCat));
  cl::opt<std::string> quantize(
      "quantize",
      cl::desc("Post-training quantization: int8, int16x8 (int16 activations, "
               "int8 weights) or mixed (int8, sensitive layers int16/float)"),
      cl::value_desc("int8|int16x8|mixed"), cl::cat(quantCat));
  cl::opt<std::string> calibration(
      "calibration",
      cl::desc("Calibration samples: a folder (one subfolder of input_<i>.npy "
               "per sample, or .npy files for one input) or an .npz"),
      cl::value_desc("DIR|FILE.npz"), cl::cat(quantCat));
  cl::opt<std::string> calibrationMethod(
      "calibration-method",
      cl::desc("Activation ranges: minmax (default), percentile (99.99%) or "
               "entropy (KL divergence)"),
      cl::init("minmax"), cl::value_desc("minmax|percentile|entropy"),
      cl::cat(quantCat));
  cl::list<std::string> keepFloat(
      "keep-float", cl::desc("ONNX nodes to leave in float (comma-separated)"),
      cl::CommaSeparated, cl::value_desc("NODE,..."), cl::cat(quantCat));
  cl::opt<double> minSqnr(
      "min-sqnr",
      cl::desc("--quantize=mixed, and --prune=FRACTION (each layer's "
               "sparsity then chosen up to FRACTION): the output SQNR every "
               "calibration sample must reach, in dB (default 30)"),
      cl::init(30.0), cl::value_desc("dB"), cl::cat(quantCat));
  cl::list<std::string> report(
      "report",
      cl::desc("Write the report: FILE.html a self-contained page (graph, "
               "memory timeline, per-layer cost, flash and RAM), any other "
               "name the JSON (repeatable)"),
      cl::value_desc("FILE.html|FILE.json"), cl::cat(diagCat));
  cl::opt<std::string> profileInput(
      "profile-input",
      cl::desc("Measured kernel times for the report: the JSON the runner's "
               "--profile wrote for the same model and flags built with "
               "--instrument-kernels"),
      cl::value_desc("FILE.json"), cl::cat(diagCat));
  cl::opt<bool> instrumentKernels(
      "instrument-kernels",
      cl::desc("Call edgert_kernel_mark(k) before each kernel, for a "
               "profiler (the runner's --profile)"),
      cl::cat(codegenCat));
  cl::opt<bool> verbose(
      "v",
      cl::desc("Print each phase with its time, the remarks and the report"),
      cl::cat(diagCat));
  cl::opt<bool> remarks(
      "remarks", cl::desc("Report each kernel left to scalar code, and why"),
      cl::cat(diagCat));
  cl::opt<int> threads(
      "threads",
      cl::desc("Split the large kernels over N workers through the runtime's "
               "edgert_parallel_for (default 1: serial code)"),
      cl::value_desc("N"), cl::init(1), cl::cat(codegenCat));
  cl::opt<std::string> memory(
      "memory",
      cl::desc("The arena against time: default (one layer at a time) or min "
               "(the first layers also run over row bands, recomputing their "
               "overlaps)"),
      cl::value_desc("default|min"), cl::init("default"), cl::cat(codegenCat));
  cl::opt<std::string> npuName(
      "npu",
      cl::desc("Run the quantized layers that pay on this NPU configuration "
               "(see --print-targets; docs/npu.md)"),
      cl::value_desc("NAME"), cl::cat(targetCat));
  cl::opt<std::string> npuConfig(
      "npu-config",
      cl::desc("As --npu, for a configuration described in FILE (key = "
               "value lines: n, sram, banks, dma)"),
      cl::value_desc("FILE"), cl::cat(targetCat));
  cl::opt<std::string> npuPlacement(
      "npu-placement",
      cl::desc("Which layers the NPU runs: cost (where the cost model says "
               "it pays, the default) or all (every layer it can run)"),
      cl::value_desc("cost|all"), cl::init("cost"), cl::cat(targetCat));
  cl::opt<std::string> prune(
      "prune",
      cl::desc("Zero the smallest weights of Conv, Gemm and MatMul: a "
               "fraction (0.8: 80 % of each layer's weights) or N:M (2:4: "
               "keep 2 of every 4 along the reduction axis)"),
      cl::value_desc("FRACTION|N:M"), cl::cat(pruneCat));
  cl::opt<std::string> pruneChannels(
      "prune-channels",
      cl::desc("Remove this fraction of the output channels of Conv, Gemm "
               "and MatMul layers (0.5: half), shrinking the layers they "
               "feed; the channels with the smallest filters go"),
      cl::value_desc("FRACTION"), cl::cat(pruneCat));
  cl::opt<std::string> pruneScope(
      "prune-scope",
      cl::desc("layer (each layer to the fraction, the default) or global "
               "(one magnitude threshold over all layers)"),
      cl::value_desc("layer|global"), cl::init("layer"), cl::cat(pruneCat));
  cl::list<std::string> pruneSkip(
      "prune-skip",
      cl::desc("ONNX nodes to leave dense, and whose output channels stay "
               "(comma-separated)"),
      cl::CommaSeparated, cl::value_desc("NODE,..."), cl::cat(pruneCat));
  cl::opt<std::string> pruneBlock(
      "prune-block",
      cl::desc("With --prune=FRACTION: zero whole R x C blocks of the weights "
               "(output channels by reduction positions): target (the NPU's "
               "tile, or the CPU's vector of output channels) or RxC"),
      cl::value_desc("target|RxC"), cl::cat(pruneCat));
  cl::opt<bool> pruneDenseEnds(
      "prune-dense-ends",
      cl::desc("Leave the first and the last layer dense (default true)"),
      cl::init(true), cl::cat(pruneCat));
  cl::HideUnrelatedOptions({&outputCat, &targetCat, &codegenCat, &inputCat,
                            &quantCat, &pruneCat, &diagCat, &phaseCat});
  cl::SetVersionPrinter([](raw_ostream &os) { edgec::printVersion(os); });
  cl::ParseCommandLineOptions(argc, argv, "edgec: ONNX to native code\n");
  if (printTargets) {
    edgec::printTargets(outs());
    return 0;
  }
  if (input.empty()) {
    errs()
        << "edgec: error: no input model (usage: edgec model.onnx [options])\n";
    return 1;
  }

  edgec::CompileOptions options;
  options.inputPath = input;
  options.outputPath = output;
  options.name = name;
  if (weightsSection.empty() ||
      (arenaSection.getNumOccurrences() && arenaSection.empty())) {
    errs() << "edgec: error: --"
           << (weightsSection.empty() ? "weights" : "arena")
           << "-section needs a section name\n";
    return 1;
  }
  options.weightsSection = weightsSection;
  options.arenaSection = arenaSection;
  options.verbose = verbose;
  options.remarks = remarks;
  options.argv0 = argv[0];
  if (threads < 1 || threads > 64) {
    errs() << "edgec: error: --threads=" << threads
           << " is not a worker count from 1 to 64\n";
    return 1;
  }
  options.threads = threads;
  if (sparseThreshold.getNumOccurrences() &&
      !(sparseThreshold >= 0)) { // NaN too
    errs() << "edgec: error: --sparse-threshold="
           << format("%g", double(sparseThreshold))
           << " is not a fraction of zero weights (0 or more)\n";
    return 1;
  }
  options.sparseMinSparsity = sparseThreshold;
  if (npuPlacement != "cost" && npuPlacement != "all") {
    errs() << "edgec: error: --npu-placement=" << npuPlacement
           << " is not one of cost, all\n";
    return 1;
  }
  options.npu = npuName;
  options.npuConfigPath = npuConfig;
  options.npuPlacement = npuPlacement;
  if (memory != "default" && memory != "min") {
    errs() << "edgec: error: --memory=" << memory
           << " is not one of default, min\n";
    return 1;
  }
  options.memory =
      memory == "min" ? edgec::MemoryMode::Min : edgec::MemoryMode::Default;
  options.target = {triple, mcpu, mattr, optLevel - '0'};
  if (optLevel < '0' || optLevel > '3') {
    errs() << "edgec: error: -O" << optLevel << " is not one of -O0..-O3\n";
    return 1;
  }
  auto kind = edgec::parseEmitKind(emit);
  if (!kind) {
    errs() << "edgec: error: --emit=" << emit
           << " is not one of obj, lib, exe, shared, mlir, llvm, asm\n";
    return 1;
  }
  options.emit = *kind;
  if (!compileTo.empty()) {
    options.compileTo = edgec::parsePhase(compileTo);
    if (!options.compileTo) {
      errs() << "edgec: error: --compile-to=" << compileTo << " is not one of "
             << edgec::phaseList() << "\n";
      return 1;
    }
  }
  if (!compileFrom.empty()) {
    options.compileFrom = edgec::parsePhase(compileFrom);
    if (!options.compileFrom) {
      errs() << "edgec: error: --compile-from=" << compileFrom
             << " is not one of " << edgec::phaseList() << "\n";
      return 1;
    }
    if (options.compileTo && *options.compileTo <= *options.compileFrom) {
      errs() << "edgec: error: --compile-to=" << compileTo
             << " does not come after --compile-from=" << compileFrom << "\n";
      return 1;
    }
  }
  if (!quantize.empty()) {
    auto mode = edgec::parseQuantizeMode(quantize);
    if (!mode) {
      errs() << "edgec: error: --quantize=" << quantize
             << " is not one of int8, int16x8, mixed\n";
      return 1;
    }
    options.quantize.mode = *mode;
  }
  auto method = edgec::parseCalibrationMethod(calibrationMethod);
  if (!method) {
    errs() << "edgec: error: --calibration-method=" << calibrationMethod
           << " is not one of minmax, percentile, entropy\n";
    return 1;
  }
  options.quantize.method = *method;
  // --calibration also feeds the pruning sweep (--prune with --min-sqnr).
  bool sweep = !prune.empty() && minSqnr.getNumOccurrences();
  if (quantize.getNumOccurrences() || !sweep)
    options.quantize.calibrationPath = calibration;
  options.quantize.keepFloat.assign(keepFloat.begin(), keepFloat.end());
  options.quantize.minSqnrDb = minSqnr;
  if (!prune.empty()) {
    std::string error = edgec::parsePruneSpec(prune, options.prune);
    if (!error.empty()) {
      errs() << "edgec: error: --prune=" << prune << ": " << error << "\n";
      return 1;
    }
  }
  if (pruneScope != "layer" && pruneScope != "global") {
    errs() << "edgec: error: --prune-scope=" << pruneScope
           << " is not one of layer, global\n";
    return 1;
  }
  if (!pruneChannels.empty()) {
    std::string error = edgec::parsePruneChannels(pruneChannels, options.prune);
    if (!error.empty()) {
      errs() << "edgec: error: --prune-channels=" << pruneChannels << ": "
             << error << "\n";
      return 1;
    }
  }
  if (prune.empty() &&
      (pruneScope.getNumOccurrences() || pruneBlock.getNumOccurrences())) {
    errs() << "edgec: error: --prune-scope and --prune-block need --prune\n";
    return 1;
  }
  if (prune.empty() && !pruneChannels.getNumOccurrences() &&
      (pruneSkip.getNumOccurrences() || pruneDenseEnds.getNumOccurrences())) {
    errs() << "edgec: error: --prune-skip and --prune-dense-ends need --prune "
              "or --prune-channels\n";
    return 1;
  }
  if (!pruneBlock.empty()) {
    std::string error = edgec::parsePruneBlock(pruneBlock, options.prune);
    if (!error.empty()) {
      errs() << "edgec: error: --prune-block=" << pruneBlock << ": " << error
             << "\n";
      return 1;
    }
  }
  if (sweep) {
    if (options.prune.pattern != "unstructured" || pruneScope != "layer") {
      errs() << "edgec: error: --min-sqnr chooses each layer's sparsity: it "
                "needs --prune=FRACTION with --prune-scope=layer\n";
      return 1;
    }
    if (calibration.empty()) {
      errs() << "edgec: error: --prune with --min-sqnr needs "
                "--calibration=DIR|FILE.npz (the samples the sweep runs)\n";
      return 1;
    }
    options.prune.minSqnrDb = minSqnr;
    options.prune.calibrationPath = calibration;
  }
  options.prune.scope = pruneScope;
  options.prune.skip.assign(pruneSkip.begin(), pruneSkip.end());
  options.prune.denseEnds = pruneDenseEnds;
  options.reportPaths.assign(report.begin(), report.end());
  options.profileInputPath = profileInput;
  options.instrumentKernels = instrumentKernels;
  if (!options.profileInputPath.empty() && options.reportPaths.empty()) {
    errs() << "edgec: error: --profile-input needs --report=FILE.html|json "
              "(the report its times go into)\n";
    return 1;
  }
  for (const std::string &text : inputShapes) {
    edgec::InputShape shape;
    std::string error = edgec::parseInputShape(text, shape);
    if (!error.empty()) {
      errs() << "edgec: error: " << error << "\n";
      return 1;
    }
    options.import.inputShapes.push_back(shape);
  }
  for (const std::string &text : inputValues) {
    edgec::InputValue value;
    std::string error = edgec::parseInputValue(text, value);
    if (!error.empty()) {
      errs() << "edgec: error: " << error << "\n";
      return 1;
    }
    options.import.inputValues.push_back(value);
  }
  return edgec::runCompiler(options);
}
