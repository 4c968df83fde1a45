//===- HostModel.cpp - a module compiled for the host and loaded ----------===//
#include "compiler/quantize/HostModel.h"

#include "compiler/emit/Linker.h"
#include "compiler/emit/ModelSignature.h"
#include "compiler/emit/ObjectEmitter.h"
#include "compiler/pipeline/Pipeline.h"
#include "runtime/include/edgert.h"

#include "mlir/Pass/PassManager.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

using namespace mlir;

namespace edgec {

HostModel::Buffer::~Buffer() { std::free(data); }

static void *alignedZeroed(uint64_t bytes) {
  uint64_t align = EDGERT_ARENA_ALIGNMENT;
  uint64_t rounded = bytes == 0 ? align : (bytes + align - 1) / align * align;
  void *p = std::aligned_alloc(align, rounded);
  if (p)
    std::memset(p, 0, rounded);
  return p;
}

std::unique_ptr<HostModel> HostModel::compile(ModuleOp module,
                                              const TargetDescription &host,
                                              int optLevel,
                                              std::string &error) {
  attachTarget(module, host);
  // Calibration runs on the host's CPU alone: no layer goes to an NPU.
  module->removeAttr("npu.config");
  ModelSignature sig;
  sig.name = "calib";
  sig.source = "calibration";
  if (failed(readSignature(module, sig))) {
    error = "the module has no interface";
    return nullptr;
  }
  PipelineOptions popts;
  popts.optLevel = optLevel;
  popts.arenaAlignment = sig.arenaAlignment;
  for (Phase phase :
       {Phase::Linalg, Phase::Kernels, Phase::Bufferized, Phase::LLVM}) {
    PassManager pm(module.getContext());
    buildPhasePipeline(pm, phase, popts);
    if (failed(pm.run(module))) {
      error = std::string("the host build failed in the ") + phaseName(phase) +
              " phase";
      return nullptr;
    }
  }
  if (auto size = module->getAttrOfType<IntegerAttr>("edge.arena_size"))
    sig.arenaSize = size.getInt();

  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateToLLVMIR(module, llvmContext, host, sig, /*entryAlias=*/true);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  optimizeLLVMIR(*llvmModule, host, optLevel);

  llvm::SmallString<128> objectPath, soPath;
  int fd = -1;
  if (llvm::sys::fs::createTemporaryFile("edgec-calib", "o", fd, objectPath)) {
    error = "cannot create a temporary object file";
    return nullptr;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (!emitMachineCode(*llvmModule, host, /*assembly=*/false, os, error)) {
      llvm::sys::fs::remove(objectPath);
      return nullptr;
    }
  }
  if (llvm::sys::fs::createTemporaryFile("edgec-calib", "so", soPath)) {
    llvm::sys::fs::remove(objectPath);
    error = "cannot create a temporary shared object";
    return nullptr;
  }
  error = linkModel(host, LinkKind::Shared, /*libDir=*/"", objectPath, soPath);
  llvm::sys::fs::remove(objectPath);
  std::unique_ptr<HostModel> m(new HostModel());
  m->path = soPath.str().str();
  if (!error.empty())
    return nullptr;

  m->handle = dlopen(m->path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->handle) {
    const char *why = dlerror();
    error = "cannot load the host build: " + std::string(why ? why : "?");
    return nullptr;
  }
  m->model = static_cast<const edgert_model_t *>(
      dlsym(m->handle, "edgert_entry_model"));
  if (!m->model || m->model->abi_version != EDGERT_ABI_VERSION) {
    error = "the host build has no edgert_entry_model descriptor";
    return nullptr;
  }
  for (int32_t i = 0; i < m->model->num_outputs; ++i) {
    Buffer b;
    b.data = alignedZeroed(m->model->outputs[i].size_bytes);
    m->outputs.push_back(std::move(b));
  }
  m->arena.data = alignedZeroed(m->model->arena_size);
  return m;
}

HostModel::~HostModel() {
  outputs.clear();
  if (handle)
    dlclose(handle);
  if (!path.empty())
    llvm::sys::fs::remove(path);
}

void HostModel::run(const std::vector<std::vector<char>> &inputs) {
  std::vector<void *> in, out;
  for (const std::vector<char> &i : inputs)
    in.push_back(const_cast<char *>(i.data()));
  for (Buffer &b : outputs)
    out.push_back(b.data);
  model->entry(in.data(), out.data(), arena.data);
}

unsigned HostModel::numOutputs() const { return unsigned(outputs.size()); }

const float *HostModel::outputF32(unsigned i) const {
  if (model->outputs[i].dtype != EDGERT_F32)
    return nullptr;
  return static_cast<const float *>(outputs[i].data);
}

uint64_t HostModel::outputElements(unsigned i) const {
  const edgert_tensor_desc_t &d = model->outputs[i];
  uint64_t n = 1;
  for (int32_t k = 0; k < d.rank; ++k)
    n *= uint64_t(d.shape[k]);
  return n;
}

} // namespace edgec
