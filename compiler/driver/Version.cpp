//===- Version.cpp - what `edgec --version` prints ------------------------===//
#include "compiler/driver/Driver.h"
#include "compiler/import/OpVersions.h"

#include "onnx/common/version.h"
#include "onnx/onnx_pb.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <google/protobuf/stubs/common.h>

namespace edgec {

void printVersion(llvm::raw_ostream &os) {
  os << "edgec " << EDGEC_VERSION << "\n"
     << "  LLVM and MLIR " << LLVM_VERSION_STRING << "\n"
     << "  ONNX operators: the tables of ONNX " << onnxOpTablesRelease()
     << " (opsets 1 to " << onnxNewestOpset() << ", default domain)\n"
     << "  ONNX files read with libonnx " << onnx::LAST_RELEASE_VERSION
     << " (IR version up to " << onnx::Version_MAX << "), protobuf "
     << google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION)
     << "\n"
     << "  default target: the host, " << llvm::sys::getDefaultTargetTriple()
     << " (cpu " << llvm::sys::getHostCPUName() << ")\n";
}

} // namespace edgec
