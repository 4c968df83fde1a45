//===- OnnxModel.cpp - the ONNX model file and its tensors ----------------===//
//
// The importer's reading of the file: the ModelProto checked as a whole
// before any work proportional to it (opset, graph size, one producer per
// value), element types, tensors (raw, typed and external data, checked
// against their shapes) and the lazy constants of initializers.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"
#include "compiler/import/OpVersions.h"
#include "compiler/support/Npy.h"
#include "dialects/Edge/IR/EdgeOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include <cmath>
#include <functional>
#include <limits>
#include <onnx/onnx_pb.h>

using namespace mlir;

namespace edgec::detail {

//===----------------------------------------------------------------------===//
// Model and tensors
//===----------------------------------------------------------------------===//

/// How deep graphs nest in a serialized ModelProto (the main graph is 1, an
/// If branch inside it 2, ...), read from the wire format without parsing
/// the messages, so that a model too deep for protobuf's parser gets its own
/// message. Follows only ModelProto.graph (7), GraphProto.node (1),
/// NodeProto.attribute (5) and AttributeProto.g (6) / graphs (11); iterative,
/// in time linear in the bytes. Returns 0 when the bytes are not well-formed
/// protobuf on that path.
static int64_t wireGraphDepth(StringRef bytes) {
  enum Kind { Model, Graph, Node, Attribute };
  struct Span {
    const uint8_t *begin, *end;
    Kind kind;
    int64_t depth; // graphs enclosing (and including) this message
  };
  auto varint = [](const uint8_t *&p, const uint8_t *end, uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  };
  auto *data = reinterpret_cast<const uint8_t *>(bytes.data());
  SmallVector<Span> work{{data, data + bytes.size(), Model, 0}};
  int64_t deepest = 0;
  while (!work.empty()) {
    Span s = work.pop_back_val();
    deepest = std::max(deepest, s.depth);
    const uint8_t *p = s.begin;
    while (p < s.end) {
      uint64_t key, len;
      if (!varint(p, s.end, key))
        return 0;
      switch (key & 7) {
      case 0:
        if (!varint(p, s.end, len))
          return 0;
        continue;
      case 1:
      case 5: {
        size_t skip = (key & 7) == 1 ? 8 : 4;
        if (size_t(s.end - p) < skip)
          return 0;
        p += skip;
        continue;
      }
      case 2:
        break;
      default:
        return 0; // groups are not used by ONNX
      }
      if (!varint(p, s.end, len) || len > uint64_t(s.end - p))
        return 0;
      uint64_t field = key >> 3;
      std::optional<Span> child;
      if (s.kind == Model && field == 7)
        child = Span{p, p + len, Graph, s.depth + 1};
      else if (s.kind == Graph && field == 1)
        child = Span{p, p + len, Node, s.depth};
      else if (s.kind == Node && field == 5)
        child = Span{p, p + len, Attribute, s.depth};
      else if (s.kind == Attribute && (field == 6 || field == 11))
        child = Span{p, p + len, Graph, s.depth + 1};
      if (child)
        work.push_back(*child);
      p += len;
    }
  }
  return deepest;
}

LogicalResult Importer::readModel(onnx::ModelProto &model) {
  auto tooDeep = [&](int64_t depth) {
    return error(fileLoc) << "graphs nest " << depth
                          << " levels deep (subgraphs of If, Loop or Scan "
                             "inside each other); edgec reads at most "
                          << kMaxGraphDepth;
  };
  std::unique_ptr<llvm::MemoryBuffer> file;
  if (!this->bytes) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      error(fileLoc) << "cannot read the model: "
                     << buffer.getError().message();
      return failure();
    }
    file = std::move(*buffer);
  }
  StringRef bytes = file ? file->getBuffer() : *this->bytes;
  if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), int(bytes.size()))) {
    if (int64_t depth = wireGraphDepth(bytes); depth > kMaxGraphDepth)
      return tooDeep(depth);
    error(fileLoc) << "not a valid ONNX model (the protobuf does not parse: "
                      "the file is truncated or is not an ONNX model)";
    return failure();
  }
  if (model.ir_version() <= 0 || !model.has_graph()) {
    error(fileLoc) << "not a valid ONNX model (no IR version or no graph)";
    return failure();
  }
  bool imported = false;
  for (const auto &op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") {
      opset = op.version();
      imported = true;
    } else if (op.domain() == "com.microsoft") {
      microsoftOpset = op.version();
    }
  }
  if (imported && (opset < 1 || opset > onnxNewestOpset())) {
    error(fileLoc) << "the model imports opset " << opset
                   << " of the default domain; edgec knows opsets 1 to "
                   << onnxNewestOpset() << " (ONNX " << onnxOpTablesRelease()
                   << ")";
    return failure();
  }
  if (!imported)
    opset = 1; // IR version 3 models without opset_import use opset 1

  // The graph's size (subgraphs included), before any work proportional
  // to it: docs/robustness.md.
  int64_t nodes = 0, deepest = 0;
  std::function<void(const onnx::GraphProto &, int64_t)> count =
      [&](const onnx::GraphProto &g, int64_t depth) {
        nodes += g.node_size();
        deepest = std::max(deepest, depth);
        for (const auto &n : g.node())
          for (const auto &a : n.attribute()) {
            if (a.has_g())
              count(a.g(), depth + 1);
            for (const auto &sub : a.graphs())
              count(sub, depth + 1);
          }
      };
  count(model.graph(), 1);
  if (deepest > kMaxGraphDepth)
    return tooDeep(deepest);
  if (nodes > kMaxNodes) {
    error(fileLoc) << "the graph has " << nodes << " nodes (subgraphs "
                   << "included); edgec compiles at most " << kMaxNodes;
    return failure();
  }

  // Each value is produced once (ONNX graphs are in SSA form): a second
  // producer would silently replace the first.
  // The weights' size, before any is read (external data included): the
  // object's read-only data is reached by 32-bit displacements (the small
  // code model), and no edge device holds more.
  uint64_t weightBytes = 0;
  for (const auto &t : model.graph().initializer()) {
    SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
    uint64_t bytes = onnxElementBytes(t.data_type());
    std::optional<int64_t> count = boundedCount(dims);
    if (!count || llvm::any_of(dims, [](int64_t d) { return d < 0; }))
      continue; // refused with its name when the tensor is read
    weightBytes += uint64_t(*count) * bytes;
    if (weightBytes > kMaxWeightBytes) {
      error(fileLoc) << "the initializers hold more than " << kMaxWeightBytes
                     << " bytes (2 GiB, at '" << t.name()
                     << "'); edgec compiles at most that much weight data";
      return failure();
    }
  }

  // A graph input or an initializer named twice is refused too (an
  // initializer may share a graph input's name: its default value).
  llvm::StringMap<std::string> producer; // value -> what produces it
  for (const auto &in : model.graph().input())
    if (!producer.try_emplace(in.name(), "graph input").second) {
      error(fileLoc) << "graph input '" << in.name() << "' is declared twice";
      return failure();
    }
  llvm::StringSet<> initializerNames;
  for (const auto &t : model.graph().initializer()) {
    if (!initializerNames.insert(t.name()).second) {
      error(fileLoc) << "initializer '" << t.name() << "' is declared twice";
      return failure();
    }
    producer.try_emplace(t.name(), "initializer");
  }
  for (auto [idx, node] : llvm::enumerate(model.graph().node())) {
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(idx)
                           : node.name();
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(out, "node '" + name + "'");
      if (!inserted) {
        error(
            NameLoc::get(StringAttr::get(fileLoc.getContext(), name), fileLoc))
            << "output '" << out << "' is already produced by " << it->second
            << " (each ONNX value has one producer)";
        return failure();
      }
    }
  }
  return success();
}

FailureOr<Type> Importer::elementType(int32_t dtype, Location loc,
                                      StringRef what) {
  MLIRContext *c = &ctx;
  // TensorProto.DataType values newer than the protobuf edgec builds with
  // (IR version 9 and later): float8, 4-bit and 2-bit types, e8m0.
  switch (dtype) {
  case 17:
    return Type(Float8E4M3FNType::get(c));
  case 18:
    return Type(Float8E4M3FNUZType::get(c));
  case 19:
    return Type(Float8E5M2Type::get(c));
  case 20:
    return Type(Float8E5M2FNUZType::get(c));
  case 21:
    return Type(IntegerType::get(c, 4, IntegerType::Unsigned));
  case 22:
    return Type(IntegerType::get(c, 4));
  case 23:
    return Type(Float4E2M1FNType::get(c));
  case 24:
    return Type(Float8E8M0FNUType::get(c));
  case 25:
    return Type(IntegerType::get(c, 2, IntegerType::Unsigned));
  case 26:
    return Type(IntegerType::get(c, 2));
  default:
    break;
  }
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return Type(Float32Type::get(c));
  case onnx::TensorProto::DOUBLE:
    return Type(Float64Type::get(c));
  case onnx::TensorProto::FLOAT16:
    return Type(Float16Type::get(c));
  case onnx::TensorProto::BFLOAT16:
    return Type(BFloat16Type::get(c));
  case onnx::TensorProto::INT8:
    return Type(IntegerType::get(c, 8));
  case onnx::TensorProto::INT16:
    return Type(IntegerType::get(c, 16));
  case onnx::TensorProto::INT32:
    return Type(IntegerType::get(c, 32));
  case onnx::TensorProto::INT64:
    return Type(IntegerType::get(c, 64));
  case onnx::TensorProto::BOOL:
    return Type(IntegerType::get(c, 1));
  case onnx::TensorProto::UINT8:
    return Type(IntegerType::get(c, 8, IntegerType::Unsigned));
  case onnx::TensorProto::UINT16:
    return Type(IntegerType::get(c, 16, IntegerType::Unsigned));
  case onnx::TensorProto::UINT32:
    return Type(IntegerType::get(c, 32, IntegerType::Unsigned));
  case onnx::TensorProto::UINT64:
    return Type(IntegerType::get(c, 64, IntegerType::Unsigned));
  default: {
    std::string name =
        onnx::TensorProto::DataType_IsValid(dtype)
            ? onnx::TensorProto::DataType_Name(
                  static_cast<onnx::TensorProto::DataType>(dtype))
            : "";
    error(loc) << what << ": element type "
               << (name.empty() ? "with code " + std::to_string(dtype) : name)
               << " is not supported";
    return failure();
  }
  }
}

FailureOr<std::string> Importer::readExternal(const onnx::TensorProto &t,
                                              Location loc) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::strtoull(kv.value().c_str(), nullptr, 10);
    else if (kv.key() == "length") {
      length = std::strtoull(kv.value().c_str(), nullptr, 10);
      hasLength = true;
    }
  }
  std::string what = "tensor '" + t.name() + "'";
  if (location.empty()) {
    error(loc) << what << ": external data without a location";
    return failure();
  }
  // External data must stay inside the model's folder: no absolute paths, no
  // escaping through '..', and none through symbolic links either.
  if (llvm::sys::path::is_absolute(location)) {
    error(loc) << what << ": external data location '" << location
               << "' is an absolute path; it must be relative to the model's "
                  "folder";
    return failure();
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  SmallString<256> full(dir);
  llvm::sys::path::append(full, location);
  SmallString<256> lexicalDir(dir), lexicalFile(full);
  llvm::sys::path::remove_dots(lexicalDir, /*remove_dot_dot=*/true);
  llvm::sys::path::remove_dots(lexicalFile, /*remove_dot_dot=*/true);
  auto inside = [](StringRef file, StringRef folder) {
    if (folder.empty() || folder == ".")
      return !file.starts_with("..") && !llvm::sys::path::is_absolute(file);
    return file.starts_with((folder + "/").str());
  };
  SmallString<256> realDir, realFile;
  if (!inside(lexicalFile, lexicalDir) ||
      (!llvm::sys::fs::real_path(dir, realDir) &&
       !llvm::sys::fs::real_path(full, realFile) &&
       !inside(realFile, realDir))) {
    error(loc) << what << ": external data location '" << location
               << "' points outside the model's folder";
    return failure();
  }
  if (realFile.empty()) {
    error(loc) << what << ": cannot open external data file '" << full << "'";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error(loc) << what << ": cannot read external data file '" << full
               << "': " << buffer.getError().message();
    return failure();
  }
  StringRef data = (*buffer)->getBuffer();
  if (offset > data.size() || (hasLength && length > data.size() - offset)) {
    error(loc) << what << ": external data range (offset " << offset
               << ", length " << length << ") is beyond the end of '"
               << location << "' (" << data.size() << " bytes)";
    return failure();
  }
  return data.substr(offset, hasLength ? length : StringRef::npos).str();
}

FailureOr<DenseElementsAttr> Importer::tensorAttr(const onnx::TensorProto &t,
                                                  Location loc) {
  std::string what = "tensor '" + t.name() + "'";
  auto et = elementType(t.data_type(), loc, what);
  if (failed(et))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error(loc) << what << ": negative dimension " << d;
      return failure();
    }
    shape.push_back(d);
  }
  std::optional<int64_t> bounded = boundedCount(shape);
  if (!bounded) {
    error(loc) << what << ": shape " << shapeText(shape)
               << " has more than 2^31 elements";
    return failure();
  }
  int64_t count = *bounded;
  auto type = RankedTensorType::get(shape, *et);
  unsigned bitWidth = et->getIntOrFloatBitWidth();
  size_t elemBytes = (bitWidth + 7) / 8;
  // int4 / uint4 / float4e2m1 (two a byte) and int2 / uint2 (four a byte):
  // the first value in the low bits (raw data, or one byte per int32_data
  // entry).
  bool packed = bitWidth == 4 || bitWidth == 2;
  int64_t perByte = packed ? 8 / bitWidth : 1;
  size_t dataBytes = packed ? size_t((count + perByte - 1) / perByte)
                            : size_t(count) * elemBytes;
  auto floatType = dyn_cast<FloatType>(*et);
  auto unpack = [&](auto byteAt) {
    SmallVector<APInt> v;
    for (int64_t k = 0; k < count; ++k)
      v.push_back(APInt(bitWidth, (uint8_t(byteAt(k / perByte)) >>
                                   (bitWidth * (k % perByte))) &
                                      ((1u << bitWidth) - 1)));
    if (!floatType)
      return DenseElementsAttr::get(type, v);
    SmallVector<APFloat> f;
    for (const APInt &bits : v)
      f.push_back(APFloat(floatType.getFloatSemantics(), bits));
    return DenseElementsAttr::get(type, f);
  };

  std::string external;
  const std::string *raw = nullptr;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto data = readExternal(t, loc);
    if (failed(data))
      return failure();
    external = std::move(*data);
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  auto countError = [&](size_t got) {
    error(loc) << what << ": holds " << got << " values but its shape needs "
               << count;
    return failure();
  };
  if (raw) {
    if (raw->size() != dataBytes) {
      error(loc) << what << ": raw data holds " << raw->size()
                 << " bytes but its shape needs " << dataBytes;
      return failure();
    }
    if (packed)
      return unpack([&](int64_t i) { return (*raw)[i]; });
    if (et->isInteger(1)) { // MLIR packs i1 as bits; ONNX stores one byte each
      SmallVector<bool> bits;
      for (char c : *raw)
        bits.push_back(c != 0);
      return DenseElementsAttr::get(type, bits);
    }
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw->data(), raw->size()));
  }
  // Typed fields.
  // float16, bfloat16 and the float8 types are bits in int32_data.
  if ((t.data_type() == onnx::TensorProto::FLOAT ||
       t.data_type() == onnx::TensorProto::DOUBLE)) {
    SmallVector<APFloat> v;
    if (t.data_type() == onnx::TensorProto::FLOAT) {
      if (t.float_data_size() != count)
        return countError(t.float_data_size());
      for (float f : t.float_data())
        v.push_back(APFloat(f));
    } else {
      if (t.double_data_size() != count)
        return countError(t.double_data_size());
      for (double d : t.double_data())
        v.push_back(APFloat(d));
    }
    return DenseElementsAttr::get(type, v);
  }
  SmallVector<APInt> v;
  unsigned width = et->getIntOrFloatBitWidth();
  auto push = [&](uint64_t x) {
    v.push_back(APInt(width, x, /*isSigned=*/true, /*implicitTrunc=*/true));
  };
  switch (t.data_type()) {
  case onnx::TensorProto::INT64:
    if (t.int64_data_size() != count)
      return countError(t.int64_data_size());
    for (int64_t x : t.int64_data())
      push(uint64_t(x));
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (t.uint64_data_size() != count)
      return countError(t.uint64_data_size());
    for (uint64_t x : t.uint64_data())
      push(x);
    break;
  default: // int32, int16, int8, uint16, uint8, bool, float16 bits
    if (packed) {
      if (size_t(t.int32_data_size()) != dataBytes) {
        error(loc) << what << ": holds " << t.int32_data_size() << " bytes of "
                   << bitWidth << "-bit values but its shape needs "
                   << dataBytes;
        return failure();
      }
      return unpack([&](int64_t i) { return t.int32_data(int(i)); });
    }
    if (t.int32_data_size() != count)
      return countError(t.int32_data_size());
    for (int32_t x : t.int32_data())
      push(uint64_t(int64_t(x)));
    break;
  }
  if (isa<FloatType>(*et)) { // float16 / bfloat16 / float8 stored as bits
    SmallVector<APFloat> f;
    for (const APInt &bits : v)
      f.push_back(APFloat(cast<FloatType>(*et).getFloatSemantics(), bits));
    return DenseElementsAttr::get(type, f);
  }
  if (width == 1) {
    SmallVector<bool> bits;
    for (const APInt &x : v)
      bits.push_back(!x.isZero());
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::get(type, v);
}

FailureOr<Value> Importer::lookup(const std::string &name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return Value();
  auto attr = tensorAttr(*init->second, fileLoc); // messages name the tensor
  if (failed(attr))
    return failure();
  Value v = arith::ConstantOp::create(
      builder, NameLoc::get(builder.getStringAttr(name), fileLoc), *attr);
  values[name] = v;
  return v;
}

} // namespace edgec::detail
