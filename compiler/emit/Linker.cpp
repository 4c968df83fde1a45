//===- Linker.cpp - executables, shared objects and static libraries ------===//
//
// Executables and shared objects are linked by the target's C compiler
// driver (the host `cc`, Debian's cross gcc for AArch64 and RISC-V,
// arm-none-eabi-gcc with the board's startup object and linker script for
// Cortex-M), with the runtime kit the edgec build made for that target.
// Static libraries are written here: the model object plus the members of
// the kit's libedgert.a, in one archive.
//
//===----------------------------------------------------------------------===//
#include "compiler/emit/Linker.h"

#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace llvm;

namespace edgec {

static std::string kitPath(StringRef libDir, const LinkRecipe &r,
                           StringRef file) {
  SmallString<256> p(libDir);
  if (!r.kit.empty())
    sys::path::append(p, r.kit);
  sys::path::append(p, file);
  return p.str().str();
}

static std::string missingKit(const TargetDescription &t, const LinkRecipe &r,
                              StringRef libDir, StringRef file) {
  return "the runtime for target '" + t.triple + "' was not built: '" +
         kitPath(libDir, r, file) + "' is missing (install " +
         (r.drivers.empty() ? std::string("its C compiler") : r.drivers.front()) +
         " and rebuild edgec)";
}

static std::string writeStaticLibrary(const TargetDescription &t,
                                      const LinkRecipe &r, StringRef libDir,
                                      StringRef object, StringRef output,
                                      bool npu) {
  std::vector<NewArchiveMember> members;
  auto model = NewArchiveMember::getFile(object, /*Deterministic=*/true);
  if (!model)
    return "cannot read '" + object.str() + "': " + toString(model.takeError());
  std::string memberName = sys::path::stem(output).str() + ".o";
  model->MemberName = memberName; // outlives writeArchive below
  members.push_back(std::move(*model));

  // The runtime's members (and the NPU runtime's, for a model that calls
  // it); the buffers stay alive until the archive is written.
  std::vector<std::unique_ptr<MemoryBuffer>> buffers;
  SmallVector<const char *> runtimes{"libedgert.a"};
  if (npu)
    runtimes.push_back("libedgert_npu.a");
  for (const char *name : runtimes) {
    std::string runtimePath = kitPath(libDir, r, name);
    if (!sys::fs::exists(runtimePath))
      return missingKit(t, r, libDir, name);
    auto buffer = MemoryBuffer::getFile(runtimePath);
    if (!buffer)
      return "cannot read '" + runtimePath +
             "': " + buffer.getError().message();
    buffers.push_back(std::move(*buffer));
    Error err = Error::success();
    auto archive = object::Archive::create(buffers.back()->getMemBufferRef());
    if (!archive)
      return "'" + runtimePath +
             "' is not an archive: " + toString(archive.takeError());
    for (const object::Archive::Child &child : (*archive)->children(err)) {
      auto member = NewArchiveMember::getOldMember(child, true);
      if (!member)
        return "cannot read '" + runtimePath +
               "': " + toString(member.takeError());
      members.push_back(std::move(*member));
    }
    if (err)
      return "cannot read '" + runtimePath + "': " + toString(std::move(err));
  }
  if (Error e = writeArchive(output, members, SymtabWritingMode::NormalSymtab,
                             object::Archive::K_GNU, /*Deterministic=*/true,
                             /*Thin=*/false))
    return "cannot write '" + output.str() + "': " + toString(std::move(e));
  return "";
}

std::string linkModel(const TargetDescription &t, LinkKind kind,
                      StringRef libDir, StringRef object, StringRef output,
                      bool npu) {
  LinkRecipe r = t.family->linkRecipe(t);
  if (kind == LinkKind::StaticLibrary)
    return writeStaticLibrary(t, r, libDir, object, output, npu);
  if (kind == LinkKind::Shared && !r.supportsShared)
    return "--emit=shared is not available for target '" + t.triple +
           "' (use obj, lib or exe)";

  std::string driver;
  if (const char *env = std::getenv("EDGEC_CC"); env && r.kit.empty())
    driver = env; // the host compiler may be overridden
  for (const std::string &name : r.drivers) {
    if (!driver.empty())
      break;
    if (auto found = sys::findProgramByName(name))
      driver = *found;
  }
  if (driver.empty())
    return "no C compiler to link for target '" + t.triple + "' (install " +
           r.drivers.front() + ")";

  SmallVector<std::string> args{driver};
  llvm::append_range(args, r.flags);
  args.push_back("-o");
  args.push_back(output.str());
  if (kind == LinkKind::Shared) {
    args.push_back("-shared");
    args.push_back(object.str());
    // Code split over threads calls edgert_parallel_for: the object carries
    // the runtime's serial one, which a host that exports its own (with its
    // pool installed: edgec-run) interposes.
    if (npu)
      args.push_back(kitPath(libDir, r, "libedgert_npu.a"));
    std::string runtime = kitPath(libDir, r, "libedgert.a");
    if (sys::fs::exists(runtime))
      args.push_back(runtime);
  } else {
    if (!r.linkerScript.empty()) {
      std::string script = kitPath(libDir, r, r.linkerScript);
      if (!sys::fs::exists(script))
        return missingKit(t, r, libDir, r.linkerScript);
      args.push_back("-T");
      args.push_back(script);
      args.push_back("-Wl,--gc-sections");
    }
    for (const std::string &file : r.kitObjects) {
      std::string p = kitPath(libDir, r, file);
      if (!sys::fs::exists(p))
        return missingKit(t, r, libDir, file);
      args.push_back(p);
    }
    args.push_back(object.str());
    // A model that calls the NPU runs with the simulator as its device.
    SmallVector<const char *> libs{"libedgert_exe_main.a", "libedgert_runner.a",
                                   "libedgert.a"};
    if (npu)
      libs = {"libedgert_exe_main_npu.a", "libedgert_runner.a",
              "libedgert_npu.a", "libedgert.a"};
    for (const char *lib : libs) {
      std::string p = kitPath(libDir, r, lib);
      if (!sys::fs::exists(p))
        return missingKit(t, r, libDir, lib);
      args.push_back(p);
    }
    // A POSIX kit's runner starts edgert_threads' pool for --threads.
    std::string threads = kitPath(libDir, r, "libedgert_threads.a");
    if (sys::fs::exists(threads)) {
      args.push_back(threads);
      args.push_back(kitPath(libDir, r, "libedgert.a"));
      args.push_back("-lpthread");
    }
  }
  args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int rc = sys::ExecuteAndWait(driver, argRefs, std::nullopt, {}, 0, 0,
                               &message);
  if (rc != 0)
    return "linking '" + output.str() + "' failed" +
           (message.empty() ? "" : ": " + message);
  return "";
}

} // namespace edgec
