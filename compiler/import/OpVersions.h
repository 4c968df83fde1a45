//===- OpVersions.h - the ONNX default domain's since-versions -*- C++ -*-===//
//
// Which schema version of an op a model's opset import selects: the ONNX
// schemas' since-versions (OpVersions.inc, generated from ONNX v1.22.0 by
// scripts/onnx_op_versions.py) and the versions edgec's importers implement.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_IMPORT_OPVERSIONS_H
#define EDGEC_COMPILER_IMPORT_OPVERSIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace edgec {

/// The since-versions of ONNX op `op` (default domain), oldest first; empty
/// if ONNX v1.22 does not define it.
llvm::ArrayRef<int64_t> onnxSinceVersions(llvm::StringRef op);

/// The schema version of `op` a model importing `opset` uses: the newest
/// since-version not after it; 0 if the op does not exist yet at `opset`,
/// -1 if ONNX does not define the op.
int64_t onnxSchemaVersion(llvm::StringRef op, int64_t opset);

/// Whether edgec's importer implements schema `version` of `op`.
bool edgecImplements(llvm::StringRef op, int64_t version);

/// The ONNX release whose operator tables OpVersions.inc holds, and the
/// newest opset those tables define (`edgec --version`).
llvm::StringRef onnxOpTablesRelease();
int64_t onnxNewestOpset();

} // namespace edgec

#endif // EDGEC_COMPILER_IMPORT_OPVERSIONS_H
