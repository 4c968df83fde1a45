//===- Driver.cpp - the edgec compiler driver library ---------------------===//
//
// import -> graph -> linalg -> kernels -> bufferized -> llvm -> LLVM IR ->
// object, with `--compile-to` stopping after any phase, then the header, and
// for executables, shared objects and libraries a link with the target's
// runtime kit (compiler/emit/Linker).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include "compiler/emit/Linker.h"
#include "compiler/emit/ModelSignature.h"
#include "compiler/emit/ObjectEmitter.h"
#include "compiler/prune/Sensitivity.h"
#include "compiler/quantize/Quantizer.h"
#include "compiler/report/Collect.h"
#include "compiler/report/Report.h"
#include "dialects/Edge/IR/EdgeOps.h"
#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

namespace edgec {

std::optional<EmitKind> parseEmitKind(const std::string &name) {
  if (name == "obj")
    return EmitKind::Object;
  if (name == "shared")
    return EmitKind::Shared;
  if (name == "lib")
    return EmitKind::Library;
  if (name == "exe")
    return EmitKind::Executable;
  if (name == "mlir")
    return EmitKind::MLIR;
  if (name == "llvm")
    return EmitKind::LLVMIR;
  if (name == "asm")
    return EmitKind::Assembly;
  return std::nullopt;
}

void registerEdgecDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<edge::EdgeDialect, npu::NpuDialect>();
}

namespace {

/// Prints diagnostics as `edgec: error: <file>: node '<name>': <message>`.
class Reporter {
public:
  explicit Reporter(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &d) {
          print(d);
          return success();
        }) {}

  void print(Diagnostic &d) {
    llvm::errs() << "edgec: ";
    switch (d.getSeverity()) {
    case DiagnosticSeverity::Error:
      llvm::errs() << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      llvm::errs() << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      llvm::errs() << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      llvm::errs() << "remark: ";
      break;
    }
    printLocation(d.getLocation());
    llvm::errs() << d << "\n";
    for (Diagnostic &note : d.getNotes())
      print(note);
  }

private:
  void printLocation(Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc)) {
      if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
        llvm::errs() << file.getFilename().getValue() << ": ";
      llvm::errs() << "node '" << name.getName().getValue() << "': ";
    } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
      llvm::errs() << file.getFilename().getValue();
      if (file.getLine())
        llvm::errs() << ":" << file.getLine() << ":" << file.getColumn();
      llvm::errs() << ": ";
    } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
      if (!fused.getLocations().empty())
        printLocation(fused.getLocations().front());
    }
  }
  ScopedDiagnosticHandler handler;
};

int fail(const Twine &message) {
  llvm::errs() << "edgec: error: " << message << "\n";
  return 1;
}

bool isCIdentifier(StringRef s) {
  if (s.empty() ||
      !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string defaultOutput(const CompileOptions &o) {
  if (o.compileTo || o.emit == EmitKind::MLIR || o.emit == EmitKind::LLVMIR ||
      o.emit == EmitKind::Assembly)
    return "-";
  StringRef stem = llvm::sys::path::stem(o.inputPath);
  switch (o.emit) {
  case EmitKind::Object:
    return (stem + ".o").str();
  case EmitKind::Shared:
    return (stem + ".so").str();
  case EmitKind::Library:
    return ("lib" + stem + ".a").str();
  default:
    return stem.str();
  }
}

/// <bin>/../lib: where the build put the runtime kits.
std::string runtimeLibDir(const CompileOptions &o) {
  std::string exe = llvm::sys::fs::getMainExecutable(
      o.argv0.c_str(), reinterpret_cast<void *>(&runCompiler));
  SmallString<256> libDir(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(libDir, "..", "lib");
  return libDir.str().str();
}

} // namespace

int runCompiler(const CompileOptions &o) {
  using Clock = std::chrono::steady_clock;
  if (!isCIdentifier(o.name))
    return fail("--name='" + o.name + "' is not a valid C identifier");
  if (!llvm::sys::fs::exists(o.inputPath))
    return fail(o.inputPath + ": no such file");
  const QuantizeOptions &q = o.quantize;
  bool quantize = q.mode != QuantizeMode::None;
  if (quantize && q.calibrationPath.empty())
    return fail(
        std::string("--quantize=") + quantizeModeName(q.mode) +
        " needs --calibration=DIR|FILE.npz (the samples to calibrate on)");
  if (!quantize && (!q.calibrationPath.empty() || !q.keepFloat.empty()))
    return fail(std::string(q.calibrationPath.empty() ? "--keep-float"
                                                      : "--calibration") +
                " needs --quantize=int8|int16x8|mixed");
  if (quantize && o.compileTo == Phase::Import)
    return fail("--quantize rewrites the graph phase's result: "
                "--compile-to=import stops before it");
  if (quantize && o.compileFrom && *o.compileFrom > Phase::Graph)
    return fail(std::string("--quantize rewrites the graph phase's result: it "
                            "cannot continue from --compile-from=") +
                phaseName(*o.compileFrom));

  // Open the output first: an unwritable path fails before any work.
  std::string outputPath =
      o.outputPath.empty() ? defaultOutput(o) : o.outputPath;
  bool linked = !o.compileTo &&
                (o.emit == EmitKind::Shared || o.emit == EmitKind::Executable ||
                 o.emit == EmitKind::Library);
  std::string openError;
  auto output = openOutputFile(outputPath, &openError);
  if (!output)
    return fail("cannot write '" + outputPath +
                "': " + (openError.empty() ? "unknown error" : openError));
  // Each report file, opened now too: FILE.html is the page, anything
  // else the JSON.
  std::vector<std::unique_ptr<llvm::ToolOutputFile>> reportFiles;
  for (const std::string &path : o.reportPaths) {
    auto file = openOutputFile(path, &openError);
    if (!file)
      return fail("cannot write '" + path +
                  "': " + (openError.empty() ? "unknown error" : openError));
    reportFiles.push_back(std::move(file));
  }

  DialectRegistry registry;
  registerEdgecDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false); // messages name the ONNX node instead
  Reporter reporter(context);
  registerEdgecPassesAndPipelines();

  auto timed = [&](const char *what, auto &&fn) {
    auto start = Clock::now();
    auto result = fn();
    if (o.verbose)
      llvm::errs() << llvm::format(
          "edgec: %-11s %9.1f ms\n", what,
          std::chrono::duration<double, std::milli>(Clock::now() - start)
              .count());
    return result;
  };

  // The NPU the quantized layers may run on (--npu, --npu-config).
  std::optional<npu::NpuConfig> npuConfig;
  if (!o.npu.empty() && !o.npuConfigPath.empty())
    return fail("--npu and --npu-config cannot be used together");
  if (!o.npu.empty()) {
    npuConfig = npu::namedConfig(o.npu);
    if (!npuConfig)
      return fail("unknown NPU configuration '" + o.npu +
                  "' (see --print-targets)");
  } else if (!o.npuConfigPath.empty()) {
    npuConfig.emplace();
    if (std::string error = npu::readConfigFile(o.npuConfigPath, *npuConfig);
        !error.empty())
      return fail(error);
  }
  if (npuConfig && o.compileFrom)
    return fail("--npu and --npu-config cannot be used with --compile-from: "
                "the NPU is the module's npu.config");

  // The module: imported from ONNX, or read from the .mlir that
  // --compile-to printed (then the target comes from its #edge.target).
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<TargetDescription> target;
  std::string targetError;
  if (o.compileFrom) {
    module = timed("parse", [&] {
      return parseSourceFile<ModuleOp>(o.inputPath, &context);
    });
    if (!module)
      return 1;
    edge::TargetAttr attr = lookupTarget(*module);
    if (!attr)
      return fail(o.inputPath +
                  ": the module has no edge.target attribute "
                  "(--compile-from takes what --compile-to printed)");
    if (!o.target.triple.empty() || !o.target.cpu.empty() ||
        !o.target.features.empty())
      return fail("--target, --mcpu and --mattr cannot be used with "
                  "--compile-from: the target is the module's edge.target");
    TargetSpec spec{attr.getTriple().str(), attr.getCpu().str(),
                    attr.getFeatures().str(), o.target.optLevel};
    target = describeTarget(spec, targetError);
    if (!target)
      return fail(o.inputPath + ": " + targetError);
  } else {
    target = describeTarget(o.target, targetError);
    if (!target)
      return fail(targetError);
    module = timed("import", [&] {
      return importOnnxModel(o.inputPath, o.import, context);
    });
    if (!module)
      return 1;
    // The import phase's result carries the target and the interface.
    attachTarget(*module, *target);
    if (npuConfig)
      npu::setModuleConfig(*module, *npuConfig);
    if (failed(recordSignature(*module,
                               module->lookupSymbol<func::FuncOp>("main"))))
      return 1;
  }
  // What --report writes and -v prints (compiler/report).
  Report report;
  // Its sections are collected only for a --report file (-v prints only
  // the quantization table).
  bool reporting = !o.reportPaths.empty();
  // File names, not paths: the same model and flags give the same report
  // in any directory (build caches share it across machines).
  report.model = llvm::sys::path::filename(o.inputPath).str();
  report.target = target->triple;
  auto writeReport = [&]() {
    for (auto [path, file] : llvm::zip(o.reportPaths, reportFiles)) {
      if (StringRef(path).ends_with_insensitive(".html"))
        writeReportHTML(report, file->os());
      else
        writeReportJSON(report, file->os());
      file->keep();
    }
    return 0;
  };
  auto printModule = [&]() {
    module->print(output->os());
    output->os() << "\n";
    output->keep();
    return writeReport();
  };
  if (o.compileTo == Phase::Import)
    return printModule();

  // Post-training quantization ends the graph phase: calibration runs on
  // the host, whatever the target.
  auto quantizeGraph = [&]() -> int {
    QuantizeEnvironment env;
    env.optLevel = std::max(o.target.optLevel, 2);
    env.measure = !o.reportPaths.empty() || o.verbose;
    env.verbose = o.verbose;
    report.quantization.emplace();
    if (failed(timed("quantize", [&] {
          return quantizeModule(*module, q, env, *report.quantization);
        })))
      return 1;
    if (o.verbose)
      printReport(report, llvm::errs());
    return 0;
  };
  if (quantize && o.compileFrom == Phase::Graph && quantizeGraph())
    return 1;
  if (o.compileFrom == Phase::Graph && reporting)
    collectGraph(*module, report);

  ModelSignature sig;
  sig.name = o.name;
  sig.source = llvm::sys::path::filename(o.inputPath).str();
  sig.weightsSection = o.weightsSection;
  sig.arenaSection = o.arenaSection;
  if (failed(readSignature(*module, sig)))
    return 1;

  PipelineOptions popts;
  popts.optLevel = o.target.optLevel;
  popts.arenaAlignment = sig.arenaAlignment;
  popts.remarks = o.remarks || o.verbose;
  popts.threads = o.threads;
  popts.sparseMinSparsity = o.sparseMinSparsity;
  popts.memory = o.memory;
  popts.instrumentKernels = o.instrumentKernels;
  popts.npuPlacement = o.npuPlacement;
  popts.prune = o.prune;
  sig.threads = static_cast<uint32_t>(o.threads);
  for (Phase phase : {Phase::Graph, Phase::Linalg, Phase::Kernels,
                      Phase::Bufferized, Phase::LLVM}) {
    if (o.compileFrom && phase <= *o.compileFrom)
      continue;
    PassManager pm(&context);
    buildPhasePipeline(pm, phase, popts);
    if (failed(timed(phaseName(phase), [&] { return pm.run(*module); })))
      return 1;
    // --min-sqnr with --prune: each layer's sparsity from a sweep, then
    // the zeroing (held back from the graph pipeline for it).
    if (phase == Phase::Graph && o.prune.zeroes() && o.prune.minSqnrDb > 0) {
      PassManager prune(&context);
      addZeroPruning(prune, o.prune);
      if (failed(timed("prune sweep",
                       [&] {
                         return choosePruneSparsity(
                             *module, o.prune, std::max(o.target.optLevel, 2),
                             o.verbose);
                       })) ||
          failed(prune.run(*module)))
        return 1;
    }
    if (phase == Phase::Graph && quantize && quantizeGraph())
      return 1;
    if (phase == Phase::Graph && reporting)
      collectGraph(*module, report);
    if (phase == Phase::Graph && (reporting || o.verbose)) {
      collectPruning(*module, report);
      if (o.verbose && report.pruning)
        printPruningReport(*report.pruning, llvm::errs());
    }
    if (phase == Phase::Linalg && (reporting || o.verbose)) {
      collectSparseKernels(*module, report);
      if (o.verbose && !report.sparseKernels.empty())
        printSparseKernels(report.sparseKernels, llvm::errs());
    }
    if (phase == Phase::Bufferized && reporting)
      collectMemory(*module, report);
    if (phase == Phase::Kernels && (reporting || o.verbose)) {
      collectNpu(*module, report);
      if (o.verbose && report.npu)
        printNpuReport(*report.npu, llvm::errs());
    }
    if (phase == Phase::Kernels && reporting) {
      collectKernels(*module, report);
      if (!o.profileInputPath.empty()) {
        std::string error = readProfile(o.profileInputPath, report);
        if (!error.empty())
          return fail(o.profileInputPath + ": " + error);
      }
    }
    if (o.compileTo == phase)
      return printModule();
  }
  // Layers placed on the NPU call its runtime (edgert_npu).
  bool usesNpu = (*module).lookupSymbol("edgert_npu_invoke_1_1") ||
                 (*module).lookupSymbol("edgert_npu_invoke_2_1");
  if (auto size = (*module)->getAttrOfType<IntegerAttr>("edge.arena_size"))
    sig.arenaSize = size.getInt();
  if (auto peak = (*module)->getAttrOfType<IntegerAttr>("edge.arena_live_peak"))
    sig.arenaLivePeak = peak.getInt();
  if (o.emit == EmitKind::MLIR)
    return printModule();

  llvm::LLVMContext llvmContext;
  auto llvmModule = timed("translate", [&] {
    return translateToLLVMIR(*module, llvmContext, *target, sig,
                             /*entryAlias=*/linked);
  });
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  timed("optimize", [&] {
    optimizeLLVMIR(*llvmModule, *target, o.target.optLevel);
    return 0;
  });
  if (o.emit == EmitKind::LLVMIR) {
    llvmModule->print(output->os(), nullptr);
    output->keep();
    return writeReport();
  }

  // Object code: straight to the output, or to a temporary to be linked.
  SmallString<128> objectPath(outputPath);
  int objectFd = -1;
  std::unique_ptr<llvm::raw_fd_ostream> objectStream;
  if (linked) {
    if (llvm::sys::fs::createTemporaryFile("edgec", "o", objectFd, objectPath))
      return fail("cannot create a temporary object file");
    objectStream = std::make_unique<llvm::raw_fd_ostream>(objectFd, true);
  }
  std::string codegenError;
  bool ok = timed("codegen", [&] {
    return emitMachineCode(*llvmModule, *target, o.emit == EmitKind::Assembly,
                           linked ? *objectStream : output->os(), codegenError,
                           &sig);
  });
  if (!ok)
    return fail(codegenError);
  // The object's sections and what codegen measured, for the report.
  auto collectObject = [&](StringRef path) {
    if (report.memory) {
      report.memory->weightsBytes = sig.weightsSize;
      report.memory->stackBytes = sig.stackSize;
    }
    if (o.reportPaths.empty() || o.emit == EmitKind::Assembly || path == "-")
      return 0;
    std::string error = collectSections(path, report);
    return error.empty()
               ? 0
               : fail("cannot read the object for the report: " + error);
  };
  // Objects and libraries come with their C header (model.o -> model.h,
  // libmodel.a -> model.h).
  auto writeHeader = [&]() {
    if (outputPath == "-" ||
        (o.emit != EmitKind::Object && o.emit != EmitKind::Library))
      return 0;
    SmallString<128> headerPath(outputPath);
    llvm::sys::path::replace_extension(headerPath, "h");
    // libNAME.a comes with NAME.h, as a library's header would.
    StringRef file = llvm::sys::path::filename(headerPath);
    if (o.emit == EmitKind::Library && file.starts_with("lib") &&
        file.size() > 5) {
      std::string stripped = file.drop_front(3).str();
      llvm::sys::path::remove_filename(headerPath);
      llvm::sys::path::append(headerPath, stripped);
    }
    std::string headerError;
    auto header = openOutputFile(headerPath, &headerError);
    if (!header)
      return fail("cannot write '" + headerPath + "': " + headerError);
    header->os() << generateHeader(sig);
    header->keep();
    return 0;
  };
  if (!linked) {
    output->os().flush();
    if (collectObject(outputPath))
      return 1;
    output->keep();
    return writeHeader() || writeReport();
  }
  objectStream->close();
  if (collectObject(objectPath))
    return 1;
  output->os().close();
  LinkKind kind = o.emit == EmitKind::Shared       ? LinkKind::Shared
                  : o.emit == EmitKind::Executable ? LinkKind::Executable
                                                   : LinkKind::StaticLibrary;
  std::string linkError = timed("link", [&] {
    return linkModel(*target, kind, runtimeLibDir(o), objectPath, outputPath,
                     usesNpu);
  });
  int rc = linkError.empty() ? 0 : fail(linkError);
  llvm::sys::fs::remove(objectPath);
  if (rc != 0)
    return rc;
  output->keep();
  return writeHeader() || writeReport();
}

} // namespace edgec
