//===- OpVersions.cpp - the ONNX default domain's since-versions ----------===//
#include "compiler/import/OpVersions.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <vector>

using namespace llvm;

namespace edgec {

namespace {
const StringMap<std::vector<int64_t>> &table() {
  static const StringMap<std::vector<int64_t>> versions = {
#define EDGEC_OP_VERSIONS(op, ...) {op, std::vector<int64_t> __VA_ARGS__},
#include "compiler/import/OpVersions.inc"
#undef EDGEC_OP_VERSIONS
  };
  return versions;
}

/// Schema versions the importers do not implement, by op (each handler
/// reads every other version's attributes and inputs as that version
/// defines them).
const StringMap<std::vector<int64_t>> &notImplemented() {
  static const StringMap<std::vector<int64_t>> versions = {
      // Opset 1's Upsample takes width_scale/height_scale attributes.
      {"Upsample", {1}},
  };
  return versions;
}
} // namespace

ArrayRef<int64_t> onnxSinceVersions(StringRef op) {
  auto it = table().find(op);
  if (it == table().end())
    return {};
  return it->second;
}

int64_t onnxSchemaVersion(StringRef op, int64_t opset) {
  ArrayRef<int64_t> since = onnxSinceVersions(op);
  if (since.empty())
    return -1;
  int64_t version = 0;
  for (int64_t v : since)
    if (v <= opset)
      version = v;
  return version;
}

bool edgecImplements(StringRef op, int64_t version) {
  auto it = notImplemented().find(op);
  if (it == notImplemented().end())
    return true;
  for (int64_t v : it->second)
    if (v == version)
      return false;
  return true;
}

StringRef onnxOpTablesRelease() {
  return "1.22.0"; // scripts/onnx_op_versions.py read this release
}

int64_t onnxNewestOpset() {
  int64_t newest = 1;
  for (const auto &entry : table())
    for (int64_t v : entry.second)
      newest = std::max(newest, v);
  return newest;
}

} // namespace edgec
