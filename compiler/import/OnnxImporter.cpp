//===- OnnxImporter.cpp - ONNX protobuf to the edge dialect ---------------===//
//
// Reads the ModelProto, turns initializers into constants, graph inputs into
// function arguments (with shapes fixed by --input-shape), and every node into
// edge ops through a table of per-op importers that resolve the node's opset
// version. Ops are built with their own result-type inference and folded on
// creation, so shape subgraphs become constants as they are read.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxImporter.h"
#include "compiler/import/OnnxTypes.h"

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

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;

namespace edgec {

std::string parseInputShape(const std::string &text, InputShape &out) {
  size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0)
    return "invalid --input-shape '" + text +
           "': expected NAME=D0xD1x... (an empty list for a scalar)";
  out.name = text.substr(0, eq);
  out.dims.clear();
  std::string dims = text.substr(eq + 1);
  if (dims.empty())
    return "";
  size_t start = 0;
  while (true) {
    size_t x = dims.find('x', start);
    std::string d = dims.substr(start, x == std::string::npos ? x : x - start);
    char *end = nullptr;
    long long v = d.empty() ? -1 : std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end != '\0' || v <= 0)
      return "invalid --input-shape '" + text + "': dimension '" + d +
             "' is not a positive integer";
    out.dims.push_back(v);
    if (x == std::string::npos)
      break;
    start = x + 1;
  }
  return "";
}

namespace {

using edge::kMaxElements;

/// The element count of `shape`, or nullopt when it is over kMaxElements
/// (computed without overflow).
std::optional<int64_t> boundedCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || d > kMaxElements)
      return std::nullopt;
    n *= d; // both factors are at most 2^31
    if (n > kMaxElements)
      return std::nullopt;
  }
  return n;
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

/// Evaluates `expr`, a FailureOr, and returns failure from the enclosing
/// function if it failed (its diagnostic has already been emitted); otherwise
/// initializes or assigns `lhs` with its value. It expands to several
/// statements, so it must stand alone as a statement, inside braces.
#define ASSIGN_OR_FAIL(lhs, expr)                                              \
  ASSIGN_OR_FAIL_IMPL(EDGEC_CONCAT(orFailure, __COUNTER__), lhs, expr)
#define ASSIGN_OR_FAIL_IMPL(tmp, lhs, expr)                                    \
  auto tmp = (expr);                                                           \
  if (failed(tmp))                                                             \
    return failure();                                                          \
  lhs = std::move(*tmp)
#define EDGEC_CONCAT(a, b) EDGEC_CONCAT_IMPL(a, b)
#define EDGEC_CONCAT_IMPL(a, b) a##b

class Importer {
public:
  Importer(MLIRContext &ctx, const std::string &path,
           const ImportOptions &options)
      : ctx(ctx), builder(&ctx), path(path), options(options),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

private:
  using Values = SmallVector<Value>;
  using Handler = std::function<FailureOr<Values>(const onnx::NodeProto &)>;

  // --- diagnostics ---------------------------------------------------------
  InFlightDiagnostic error(Location loc) { return emitError(loc); }
  InFlightDiagnostic nodeError() { return emitError(nodeLoc); }
  /// Reports `msg` at the current node and returns failure.
  LogicalResult fail(const Twine &msg) { return nodeError() << msg; }

  // --- model-level ---------------------------------------------------------
  LogicalResult readModel(onnx::ModelProto &model);
  LogicalResult importGraph(const onnx::GraphProto &graph, ModuleOp module);
  FailureOr<Type> elementType(int32_t dtype, Location loc, StringRef what);
  FailureOr<DenseElementsAttr> tensorAttr(const onnx::TensorProto &t,
                                          Location loc);
  FailureOr<std::string> readExternal(const onnx::TensorProto &t, Location loc);
  /// The value named `name`, a null Value if nothing defines it, or failure if
  /// it is a malformed initializer (diagnosed).
  FailureOr<Value> lookup(const std::string &name);
  void registerHandlers();

  // --- node helpers (on failure: a diagnostic at the node, then failure) ----
  const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name);
  FailureOr<int64_t> intAttr(const onnx::NodeProto &n, StringRef name,
                             int64_t dflt);
  FailureOr<float> floatAttr(const onnx::NodeProto &n, StringRef name,
                             float dflt);
  std::string strAttr(const onnx::NodeProto &n, StringRef name, StringRef dflt);
  SmallVector<int64_t> intsAttr(const onnx::NodeProto &n, StringRef name,
                                ArrayRef<int64_t> dflt = {});
  /// The 'axis' attribute (default `dflt`) normalized to [0, rank).
  FailureOr<int64_t> axisAttr(const onnx::NodeProto &n, int64_t dflt,
                              int64_t rank);
  bool hasInput(const onnx::NodeProto &n, int i) {
    return i < n.input_size() && !n.input(i).empty();
  }
  FailureOr<Value> input(const onnx::NodeProto &n, int i);
  /// Node input `i`, or a null Value if the node leaves it out.
  FailureOr<Value> optInput(const onnx::NodeProto &n, int i) {
    return hasInput(n, i) ? input(n, i) : FailureOr<Value>(Value());
  }
  /// The required node inputs 0 to `count` - 1.
  FailureOr<Values> inputs(const onnx::NodeProto &n, int count);
  /// The constant value of node input `i`, which the op needs at compile time.
  FailureOr<DenseElementsAttr> constInput(const onnx::NodeProto &n, int i,
                                          StringRef what);
  FailureOr<SmallVector<int64_t>> constInts(const onnx::NodeProto &n, int i,
                                            StringRef what);
  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  FailureOr<int64_t> normAxis(int64_t axis, int64_t rank, StringRef what);
  LogicalResult noExtraOutputs(const onnx::NodeProto &n, int used,
                               StringRef what);

  /// Builds OpTy with inferred result types, folds it, and returns its result.
  template <typename OpTy>
  FailureOr<Value> make(ValueRange operands,
                        ArrayRef<NamedAttribute> attrs = {});
  NamedAttribute named(StringRef name, Attribute a) {
    return builder.getNamedAttr(name, a);
  }
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> shape) {
    return make<edge::ReshapeOp>(
        v, {named("shape", builder.getDenseI64ArrayAttr(shape))});
  }
  /// `v` as 2-D: the dims before `axis` times the dims from it on.
  FailureOr<Value> flatten2D(Value v, int64_t axis) {
    auto shape = typeOf(v).getShape();
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0, e = shape.size(); i < e; ++i)
      (i < axis ? outer : inner) *= shape[i];
    return reshape(v, {outer, inner});
  }
  Value constant(DenseElementsAttr a) {
    return arith::ConstantOp::create(builder, nodeLoc, a);
  }
  /// The results of a node with a single result.
  static FailureOr<Values> single(FailureOr<Value> v) {
    if (failed(v))
      return failure();
    return Values{*v};
  }

  // --- per-op importers
  // -------------------------------------------------------
  FailureOr<Values> importConv(const onnx::NodeProto &n);
  FailureOr<Values> importConvTranspose(const onnx::NodeProto &n);
  FailureOr<SmallVector<int64_t>> convKernel(const onnx::NodeProto &n, Value x,
                                             Value w);
  /// An edge.conv (1-D ones through a unit height); pads in ONNX order.
  FailureOr<Value> conv(Value x, Value w, Value b, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                        int64_t group);
  FailureOr<Values> importPool(const onnx::NodeProto &n, bool isMax);
  FailureOr<Values> importGemm(const onnx::NodeProto &n);
  FailureOr<Values> importSoftmax(const onnx::NodeProto &n);
  FailureOr<Values> importClip(const onnx::NodeProto &n);
  FailureOr<Values> importBatchNorm(const onnx::NodeProto &n);
  FailureOr<Values> importReshape(const onnx::NodeProto &n);
  FailureOr<Values> importSqueeze(const onnx::NodeProto &n, bool unsqueeze);
  FailureOr<Values> importConstant(const onnx::NodeProto &n);
  FailureOr<Values> importPad(const onnx::NodeProto &n);
  LogicalResult checkWindowValues(ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations);
  LogicalResult resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations,
                            SmallVectorImpl<int64_t> &pads);

  MLIRContext &ctx;
  OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  Location fileLoc;
  Location nodeLoc = fileLoc;
  std::string opType; // of the node being imported, for messages
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<Handler> handlers;
};

//===----------------------------------------------------------------------===//
// Model and tensors
//===----------------------------------------------------------------------===//

LogicalResult Importer::readModel(onnx::ModelProto &model) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error(fileLoc) << "cannot read the model: " << buffer.getError().message();
    return failure();
  }
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), int(bytes.size()))) {
    error(fileLoc) << "not a valid ONNX model (the protobuf does not parse: "
                      "the file is truncated or is not an ONNX model)";
    return failure();
  }
  if (model.ir_version() <= 0 || !model.has_graph()) {
    error(fileLoc) << "not a valid ONNX model (no IR version or no graph)";
    return failure();
  }
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      opset = op.version();
  if (opset == 0)
    opset = 1; // IR version 3 models without opset_import use opset 1
  return success();
}

FailureOr<Type> Importer::elementType(int32_t dtype, Location loc,
                                      StringRef what) {
  MLIRContext *c = &ctx;
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
  size_t elemBytes = (et->getIntOrFloatBitWidth() + 7) / 8;

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
    if (raw->size() != size_t(count) * elemBytes) {
      error(loc) << what << ": raw data holds " << raw->size()
                 << " bytes but its shape needs " << count * elemBytes;
      return failure();
    }
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
  if (isa<FloatType>(*et) && t.data_type() != onnx::TensorProto::FLOAT16 &&
      t.data_type() != onnx::TensorProto::BFLOAT16) {
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
    if (t.int32_data_size() != count)
      return countError(t.int32_data_size());
    for (int32_t x : t.int32_data())
      push(uint64_t(int64_t(x)));
    break;
  }
  if (isa<FloatType>(*et)) { // float16 / bfloat16 stored as bits
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

//===----------------------------------------------------------------------===//
// Node helpers
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *Importer::attr(const onnx::NodeProto &n,
                                           StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

FailureOr<int64_t> Importer::intAttr(const onnx::NodeProto &n, StringRef name,
                                     int64_t dflt) {
  const auto *a = attr(n, name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::INT && !a->has_i())
    return fail("attribute '" + name + "' must be an integer");
  return a->i();
}

FailureOr<float> Importer::floatAttr(const onnx::NodeProto &n, StringRef name,
                                     float dflt) {
  const auto *a = attr(n, name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT && !a->has_f())
    return fail("attribute '" + name + "' must be a float");
  return a->f();
}

std::string Importer::strAttr(const onnx::NodeProto &n, StringRef name,
                              StringRef dflt) {
  const auto *a = attr(n, name);
  if (!a)
    return dflt.str();
  return a->s();
}

SmallVector<int64_t> Importer::intsAttr(const onnx::NodeProto &n,
                                        StringRef name,
                                        ArrayRef<int64_t> dflt) {
  const auto *a = attr(n, name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<int64_t> Importer::axisAttr(const onnx::NodeProto &n, int64_t dflt,
                                      int64_t rank) {
  ASSIGN_OR_FAIL(int64_t axis, intAttr(n, "axis", dflt));
  return normAxis(axis, rank, "axis");
}

FailureOr<Value> Importer::input(const onnx::NodeProto &n, int i) {
  if (!hasInput(n, i))
    return fail("required input " + Twine(i) + " is missing");
  auto v = lookup(n.input(i));
  if (succeeded(v) && !*v)
    return fail(
        "input '" + n.input(i) +
        "' is not produced by any earlier node, initializer or graph input");
  return v;
}

FailureOr<Importer::Values> Importer::inputs(const onnx::NodeProto &n,
                                             int count) {
  Values out;
  for (int i = 0; i < count; ++i) {
    ASSIGN_OR_FAIL(Value v, input(n, i));
    out.push_back(v);
  }
  return out;
}

FailureOr<DenseElementsAttr> Importer::constInput(const onnx::NodeProto &n,
                                                  int i, StringRef what) {
  ASSIGN_OR_FAIL(Value v, input(n, i));
  DenseElementsAttr a;
  if (!matchPattern(v, m_Constant(&a)))
    return fail(what + " (input '" + n.input(i) +
                "') must be a constant or computable at compile time");
  return a;
}

FailureOr<SmallVector<int64_t>> Importer::constInts(const onnx::NodeProto &n,
                                                    int i, StringRef what) {
  ASSIGN_OR_FAIL(DenseElementsAttr a, constInput(n, i, what));
  if (!isa<IntegerType>(a.getElementType()))
    return fail(what + " must be an integer tensor");
  SmallVector<int64_t> out;
  for (APInt x : a.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

FailureOr<int64_t> Importer::normAxis(int64_t axis, int64_t rank,
                                      StringRef what) {
  if (axis < -rank || axis >= rank)
    return fail(what + " " + Twine(axis) + " is out of range for rank " +
                Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

LogicalResult Importer::noExtraOutputs(const onnx::NodeProto &n, int used,
                                       StringRef what) {
  for (int i = used; i < n.output_size(); ++i)
    if (!n.output(i).empty())
      return fail("output " + Twine(i) + " ('" + n.output(i) + "') " + what +
                  " is not supported");
  return success();
}

template <typename OpTy>
FailureOr<Value> Importer::make(ValueRange operands,
                                ArrayRef<NamedAttribute> attrs) {
  DictionaryAttr dict = DictionaryAttr::get(&ctx, attrs);
  typename OpTy::Properties props;
  auto emit = [&]() { return nodeError(); };
  if (failed(OpTy::setPropertiesFromAttr(props, dict, emit)))
    return failure();
  SmallVector<Type> types;
  // Inference reports why the node is malformed (at the node's location).
  if (failed(OpTy::inferReturnTypes(&ctx, nodeLoc, operands, dict,
                                    OpaqueProperties(&props), {}, types)))
    return failure();
  for (Type t : types)
    if (auto tt = dyn_cast<RankedTensorType>(t);
        tt && !boundedCount(tt.getShape()))
      return fail("the result of shape " + shapeText(tt.getShape()) +
                  " would have more than 2^31 elements");
  OperationState state(nodeLoc, OpTy::getOperationName());
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(types);
  Operation *op = builder.create(state);
  // The op's own verifier speaks of edge ops and operand numbers; its type
  // constraint failures are restated in ONNX terms at the node.
  std::string message;
  LogicalResult verified = success();
  {
    ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return success();
    });
    verified = mlir::verify(op);
  }
  if (failed(verified)) {
    op->erase();
    SmallVector<StringRef> m;
    llvm::Regex typeError("operand #([0-9]+) must be ");
    unsigned index;
    if (typeError.match(message, &m) && !m[1].getAsInteger(10, index) &&
        index < operands.size()) {
      Type et = getElementTypeOrSelf(operands[index].getType());
      return fail(opType + " on " + onnxDataTypeName(onnxDataType(et)) +
                  " tensors is not supported (input " + m[1] + ")");
    }
    llvm::Regex prefix("^'[a-z_.]+' op ");
    return fail(prefix.sub("", message));
  }
  SmallVector<OpFoldResult> folded;
  if (succeeded(op->fold(folded)) && folded.size() == 1) {
    Value result;
    if (auto v = dyn_cast<Value>(folded[0])) {
      result = v;
    } else {
      auto a = cast<TypedAttr>(cast<Attribute>(folded[0]));
      result = arith::ConstantOp::create(builder, nodeLoc, a);
    }
    if (result != op->getResult(0))
      op->erase();
    return result;
  }
  return op->getResult(0);
}

//===----------------------------------------------------------------------===//
// Per-op importers
//===----------------------------------------------------------------------===//

LogicalResult Importer::checkWindowValues(ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> strides,
                                          ArrayRef<int64_t> dilations) {
  for (ArrayRef<int64_t> values : {kernel, strides, dilations})
    for (int64_t v : values)
      if (v <= 0 || v >= kMaxElements)
        return fail("kernel sizes, strides and dilations must be between 1 "
                    "and 2^31 - 1, got " +
                    Twine(v));
  return success();
}

LogicalResult Importer::resolvePads(const onnx::NodeProto &n,
                                    ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    SmallVectorImpl<int64_t> &pads) {
  size_t k = kernel.size();
  if (failed(checkWindowValues(kernel, strides, dilations)))
    return failure();
  std::string autoPad = strAttr(n, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    auto p = intsAttr(n, "pads", SmallVector<int64_t>(2 * k, 0));
    if (p.size() != 2 * k)
      return fail("'pads' has " + Twine(p.size()) + " entries, expected " +
                  Twine(2 * k));
    pads.assign(p.begin(), p.end());
    return success();
  }
  pads.assign(2 * k, 0);
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return fail("unknown auto_pad '" + autoPad + "'");
  for (size_t i = 0; i < k; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + k] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

FailureOr<Value> Importer::conv(Value x, Value w, Value b,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads, int64_t group) {
  // A 1-D convolution runs as a 2-D one with a unit height.
  bool oneD = typeOf(x).getRank() == 3;
  SmallVector<int64_t> s(strides), d(dilations), p(pads);
  if (oneD) {
    auto xs = typeOf(x).getShape(), ws = typeOf(w).getShape();
    ASSIGN_OR_FAIL(x, reshape(x, {xs[0], xs[1], 1, xs[2]}));
    ASSIGN_OR_FAIL(w, reshape(w, {ws[0], ws[1], 1, ws[2]}));
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
    p = {0, pads[0], 0, pads[1]};
  }
  SmallVector<Value> operands{x, w};
  if (b)
    operands.push_back(b);
  ASSIGN_OR_FAIL(
      Value y,
      make<edge::ConvOp>(operands,
                         {named("strides", builder.getDenseI64ArrayAttr(s)),
                          named("pads", builder.getDenseI64ArrayAttr(p)),
                          named("dilations", builder.getDenseI64ArrayAttr(d)),
                          named("group", builder.getI64IntegerAttr(group))}));
  if (!oneD)
    return y;
  auto ys = typeOf(y).getShape();
  return reshape(y, {ys[0], ys[1], ys[3]});
}

/// Checks the ranks of a (transposed) convolution's input and filter and
/// returns the filter's spatial shape after checking kernel_shape against it.
FailureOr<SmallVector<int64_t>> Importer::convKernel(const onnx::NodeProto &n,
                                                     Value x, Value w) {
  int64_t rank = typeOf(x).getRank();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D convolutions are supported, the input "
                "has rank " +
                Twine(rank));
  if (typeOf(w).getRank() != rank)
    return fail("the filter has rank " + Twine(typeOf(w).getRank()) +
                ", expected " + Twine(rank));
  auto kernelDefault = typeOf(w).getShape().drop_front(2);
  auto kernel = intsAttr(n, "kernel_shape", kernelDefault);
  if (!llvm::equal(kernel, kernelDefault))
    return fail("kernel_shape does not match the filter's spatial shape");
  return SmallVector<int64_t>(kernel);
}

FailureOr<Importer::Values> Importer::importConv(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(Value w, input(n, 1));
  ASSIGN_OR_FAIL(Value b, optInput(n, 2));
  ASSIGN_OR_FAIL(SmallVector<int64_t> kernel, convKernel(n, x, w));
  size_t k = kernel.size();
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  if (strides.size() != k || dilations.size() != k)
    return fail("strides and dilations need " + Twine(k) + " entries");
  SmallVector<int64_t> pads;
  auto spatial = typeOf(x).getShape().drop_front(2);
  if (failed(resolvePads(n, spatial, kernel, strides, dilations, pads)))
    return failure();
  ASSIGN_OR_FAIL(int64_t group, intAttr(n, "group", 1));
  return single(conv(x, w, b, strides, dilations, pads, group));
}

/// ConvTranspose as a direct convolution (the gradient-of-convolution
/// identity): the input with stride - 1 zeros inserted between its elements
/// and padded by (dilated kernel - 1 - pad) on each side (output_padding at
/// the end; a negative amount crops), convolved at stride 1 with the filter
/// flipped in space and its (in, out) channels swapped per group. Costs
/// stride^rank more multiply-adds than a scatter formulation; correct for
/// every attribute combination, and the constant filter is rearranged at
/// compile time.
FailureOr<Importer::Values>
Importer::importConvTranspose(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(Value w, input(n, 1));
  ASSIGN_OR_FAIL(Value b, optInput(n, 2));
  ASSIGN_OR_FAIL(SmallVector<int64_t> kernel, convKernel(n, x, w));
  size_t k = kernel.size();
  auto xs = typeOf(x).getShape();
  auto ws = typeOf(w).getShape();
  ASSIGN_OR_FAIL(int64_t group, intAttr(n, "group", 1));
  if (group <= 0 || xs[1] % group != 0 || ws[0] != xs[1])
    return fail("the filter must have one row per input channel (" +
                Twine(xs[1]) + ", got " + Twine(ws[0]) +
                ") and the channels must divide into " + Twine(group) +
                " groups");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  auto outPad = intsAttr(n, "output_padding", SmallVector<int64_t>(k, 0));
  if (strides.size() != k || dilations.size() != k || outPad.size() != k)
    return fail("strides, dilations and output_padding need " + Twine(k) +
                " entries");
  if (failed(checkWindowValues(kernel, strides, dilations)))
    return failure();
  for (size_t i = 0; i < k; ++i)
    if (outPad[i] < 0 || outPad[i] >= kMaxElements)
      return fail("output_padding must be between 0 and 2^31 - 1");
  // Pads: given, or derived from output_shape / auto_pad (ONNX's rule: the
  // odd unit of padding goes to the end for SAME_UPPER, else the start).
  std::string autoPad = strAttr(n, "auto_pad", "NOTSET");
  auto outputShape = intsAttr(n, "output_shape");
  SmallVector<int64_t> pads(2 * k, 0);
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return fail("unknown auto_pad '" + autoPad + "'");
  if (!outputShape.empty() || autoPad == "SAME_UPPER" ||
      autoPad == "SAME_LOWER") {
    if (!outputShape.empty() && outputShape.size() != k) {
      if (outputShape.size() != k + 2)
        return fail("output_shape must have " + Twine(k) + " entries");
      outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
    }
    for (size_t i = 0; i < k; ++i) {
      int64_t want =
          outputShape.empty() ? xs[2 + i] * strides[i] : outputShape[i];
      if (want <= 0 || want >= kMaxElements)
        return fail("output_shape entries must be between 1 and 2^31 - 1");
      int64_t total = strides[i] * (xs[2 + i] - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - want;
      // A negative total (a larger output_shape) pads with zeros; halves
      // round down, as in ONNX's reference, so the extra unit lands at the
      // end.
      int64_t half = llvm::divideFloorSigned(total, 2);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[k + i] = upper ? total - half : half;
    }
  } else if (autoPad == "NOTSET") {
    auto p = intsAttr(n, "pads", SmallVector<int64_t>(2 * k, 0));
    if (p.size() != 2 * k)
      return fail("'pads' has " + Twine(p.size()) + " entries, expected " +
                  Twine(2 * k));
    for (int64_t v : p)
      if (v < 0 || v >= kMaxElements)
        return fail("pads must be between 0 and 2^31 - 1, got " + Twine(v));
    pads.assign(p.begin(), p.end());
  }
  // Zeros between the input elements: (N, C, D, 1, H, 1, ...) padded to
  // (N, C, D, s, H, s, ...), then merged back to (N, C, D*s, H*s, ...).
  SmallVector<int64_t> split{xs[0], xs[1]}, merged{xs[0], xs[1]};
  SmallVector<int64_t> splitPads(2 * (2 + 2 * k), 0);
  size_t splitRank = 2 + 2 * k;
  for (size_t i = 0; i < k; ++i) {
    split.append({xs[2 + i], 1});
    merged.push_back(xs[2 + i] * strides[i]);
    splitPads[splitRank + 3 + 2 * i] = strides[i] - 1;
  }
  if (llvm::any_of(strides, [](int64_t st) { return st > 1; })) {
    ASSIGN_OR_FAIL(x, reshape(x, split));
    ASSIGN_OR_FAIL(
        x, make<edge::PadOp>(
               x, {named("pads", builder.getDenseI64ArrayAttr(splitPads)),
                   named("mode", builder.getStringAttr("constant")),
                   named("value", builder.getF64FloatAttr(0.0))}));
    ASSIGN_OR_FAIL(x, reshape(x, merged));
  }
  // The convolution's own padding, less the stride - 1 zeros that trail the
  // last element; negative amounts crop.
  SmallVector<int64_t> convPads(2 * (2 + k), 0);
  bool anyPad = false;
  for (size_t i = 0; i < k; ++i) {
    int64_t span = (kernel[i] - 1) * dilations[i];
    convPads[2 + i] = span - pads[i];
    convPads[2 + k + 2 + i] = span - pads[k + i] + outPad[i] - (strides[i] - 1);
    anyPad |= convPads[2 + i] != 0 || convPads[2 + k + 2 + i] != 0;
  }
  if (anyPad) {
    ASSIGN_OR_FAIL(
        x, make<edge::PadOp>(
               x, {named("pads", builder.getDenseI64ArrayAttr(convPads)),
                   named("mode", builder.getStringAttr("constant")),
                   named("value", builder.getF64FloatAttr(0.0))}));
  }
  // The filter (C, M/g, k...) becomes (M, C/g, k...) flipped in space.
  int64_t cg = xs[1] / group, mg = ws[1];
  SmallVector<int64_t> grouped{group, cg, mg}, perm{0, 2, 1};
  grouped.append(kernel.begin(), kernel.end());
  for (size_t i = 0; i < k; ++i)
    perm.push_back(3 + i);
  ASSIGN_OR_FAIL(w, reshape(w, grouped));
  ASSIGN_OR_FAIL(w,
                 make<edge::TransposeOp>(
                     w, {named("perm", builder.getDenseI64ArrayAttr(perm))}));
  SmallVector<int64_t> swapped{group * mg, cg};
  swapped.append(kernel.begin(), kernel.end());
  ASSIGN_OR_FAIL(w, reshape(w, swapped));
  for (size_t i = 0; i < k; ++i) {
    if (kernel[i] == 1)
      continue;
    SmallVector<int64_t> reversed;
    for (int64_t j = kernel[i] - 1; j >= 0; --j)
      reversed.push_back(j);
    Value idx = arith::ConstantOp::create(
        builder, nodeLoc,
        DenseElementsAttr::get(
            RankedTensorType::get({kernel[i]}, builder.getI64Type()),
            ArrayRef<int64_t>(reversed)));
    ASSIGN_OR_FAIL(
        w, make<edge::GatherOp>(
               ValueRange{w, idx},
               {named("axis", builder.getI64IntegerAttr(2 + int64_t(i)))}));
  }
  SmallVector<int64_t> ones(k, 1), zeros(2 * k, 0);
  return single(conv(x, w, b, ones, dilations, zeros, group));
}

FailureOr<Importer::Values> Importer::importPool(const onnx::NodeProto &n,
                                                 bool isMax) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  if (!isMax && failed(noExtraOutputs(n, 1, "(AveragePool has one output)")))
    return failure();
  bool withIndices = isMax && n.output_size() > 1 && !n.output(1).empty();
  int64_t rank = typeOf(x).getRank();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D pooling (rank-3, 4 or 5 input) is "
                "supported, the input has rank " +
                Twine(rank));
  // 1-D pooling runs as 2-D pooling over an inserted height of 1.
  bool oneD = rank == 3;
  size_t k = rank - 2;
  auto kernel = intsAttr(n, "kernel_shape");
  if (kernel.size() != k)
    return fail("kernel_shape must have " + Twine(k) + " entries");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  if (strides.size() != k || dilations.size() != k)
    return fail("strides and dilations need " + Twine(k) + " entries");
  // storage_order only orders the Indices output.
  ASSIGN_OR_FAIL(int64_t storageOrder, intAttr(n, "storage_order", 0));
  if (storageOrder != 0 && storageOrder != 1)
    return fail("storage_order must be 0 or 1, got " + Twine(storageOrder));
  SmallVector<int64_t> pads;
  if (failed(resolvePads(n, typeOf(x).getShape().drop_front(2), kernel, strides,
                         dilations, pads)))
    return failure();
  auto shape = typeOf(x).getShape();
  if (oneD) {
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
    ASSIGN_OR_FAIL(x, reshape(x, {shape[0], shape[1], 1, shape[2]}));
  }
  ASSIGN_OR_FAIL(bool ceil, intAttr(n, "ceil_mode", 0));
  SmallVector<NamedAttribute> attrs{
      named("kernel_shape", builder.getDenseI64ArrayAttr(kernel)),
      named("strides", builder.getDenseI64ArrayAttr(strides)),
      named("pads", builder.getDenseI64ArrayAttr(pads)),
      named("dilations", builder.getDenseI64ArrayAttr(dilations)),
      named("ceil_mode", builder.getBoolAttr(ceil))};
  // Results back to the caller's rank (1-D pooling ran over a unit height).
  auto restore = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (failed(v) || !oneD)
      return v;
    auto vs = typeOf(*v).getShape();
    return reshape(*v, {vs[0], vs[1], vs[3]});
  };
  if (!isMax) {
    ASSIGN_OR_FAIL(bool countIncludePad, intAttr(n, "count_include_pad", 0));
    attrs.push_back(
        named("count_include_pad", builder.getBoolAttr(countIncludePad)));
    return single(restore(make<edge::AveragePoolOp>(x, attrs)));
  }
  ASSIGN_OR_FAIL(Value y, restore(make<edge::MaxPoolOp>(x, attrs)));
  if (!withIndices)
    return Values{y};
  attrs.push_back(
      named("storage_order", builder.getI64IntegerAttr(storageOrder)));
  ASSIGN_OR_FAIL(Value indices,
                 restore(make<edge::MaxPoolIndicesOp>(x, attrs)));
  return Values{y, indices};
}

FailureOr<Importer::Values> Importer::importGemm(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
  ASSIGN_OR_FAIL(Value c, optInput(n, 2));
  if (c)
    operands.push_back(c);
  if (opset < 7) {
    ASSIGN_OR_FAIL(int64_t broadcast, intAttr(n, "broadcast", 0));
    if (broadcast == 0 && operands.size() == 3 &&
        typeOf(operands[2]).getRank() != 2)
      return fail("Gemm before opset 7 without broadcast needs a 2-D C");
  }
  ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 1.0f));
  ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 1.0f));
  ASSIGN_OR_FAIL(bool transA, intAttr(n, "transA", 0));
  ASSIGN_OR_FAIL(bool transB, intAttr(n, "transB", 0));
  return single(make<edge::GemmOp>(
      operands, {named("alpha", builder.getF32FloatAttr(alpha)),
                 named("beta", builder.getF32FloatAttr(beta)),
                 named("transA", builder.getBoolAttr(transA)),
                 named("transB", builder.getBoolAttr(transB))}));
}

FailureOr<Importer::Values> Importer::importSoftmax(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  auto shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  if (opset >= 13) {
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, -1, rank));
    return single(make<edge::SoftmaxOp>(
        x, {named("axis", builder.getI64IntegerAttr(axis))}));
  }
  // Before opset 13 the input is coerced to 2-D at `axis`.
  ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 1, rank));
  ASSIGN_OR_FAIL(Value flat, flatten2D(x, axis));
  ASSIGN_OR_FAIL(Value y,
                 make<edge::SoftmaxOp>(
                     flat, {named("axis", builder.getI64IntegerAttr(1))}));
  return single(reshape(y, shape));
}

FailureOr<Importer::Values> Importer::importClip(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  auto clip = [&] {
    return single(
        make<edge::ClipOp>(x, {named("min", builder.getF32FloatAttr(lo)),
                               named("max", builder.getF32FloatAttr(hi))}));
  };
  if (opset < 11) {
    ASSIGN_OR_FAIL(lo, floatAttr(n, "min", lo));
    ASSIGN_OR_FAIL(hi, floatAttr(n, "max", hi));
    return clip();
  }
  // From opset 11 the bounds are optional scalar inputs.
  Value bounds[2];
  for (int i = 1; i <= 2; ++i) {
    if (!hasInput(n, i))
      continue;
    ASSIGN_OR_FAIL(Value v, input(n, i));
    auto t = typeOf(v);
    if (t.getNumElements() != 1)
      return fail(Twine("Clip ") + (i == 1 ? "min" : "max") +
                  " must be a scalar, it has " + Twine(t.getNumElements()) +
                  " elements");
    if (t.getElementType() != typeOf(x).getElementType())
      return fail(Twine("Clip ") + (i == 1 ? "min" : "max") +
                  " must have the element type of the input");
    if (t.getRank() != 0) {
      ASSIGN_OR_FAIL(v, reshape(v, {}));
    }
    bounds[i - 1] = v;
  }
  // Constant floating-point bounds make one edge.clip (which fuses into the
  // producing convolution); integer or run-time bounds a max and a min.
  DenseElementsAttr c[2];
  bool constant = llvm::all_of(llvm::seq(0, 2), [&](int i) {
    return !bounds[i] || matchPattern(bounds[i], m_Constant(&c[i]));
  });
  if (constant && isa<FloatType>(typeOf(x).getElementType())) {
    if (c[0])
      lo = float((*c[0].getValues<APFloat>().begin()).convertToDouble());
    if (c[1])
      hi = float((*c[1].getValues<APFloat>().begin()).convertToDouble());
    return clip();
  }
  Value y = x;
  if (bounds[0]) {
    ASSIGN_OR_FAIL(y, make<edge::MaxOp>({y, bounds[0]}));
  }
  if (bounds[1]) {
    ASSIGN_OR_FAIL(y, make<edge::MinOp>({y, bounds[1]}));
  }
  return Values{y};
}

FailureOr<Importer::Values>
Importer::importBatchNorm(const onnx::NodeProto &n) {
  if (opset < 9) {
    ASSIGN_OR_FAIL(int64_t spatial, intAttr(n, "spatial", 1));
    if (spatial == 0)
      return fail("BatchNormalization with spatial=0 is not supported");
  }
  ASSIGN_OR_FAIL(int64_t training, intAttr(n, "training_mode", 0));
  if (training != 0)
    return fail("BatchNormalization in training mode is not supported");
  if (failed(noExtraOutputs(n, 1, "(training statistics)")))
    return failure();
  ASSIGN_OR_FAIL(float epsilon, floatAttr(n, "epsilon", 1e-5f));
  ASSIGN_OR_FAIL(Values operands, inputs(n, 5));
  return single(make<edge::BatchNormOp>(
      operands, {named("epsilon", builder.getF32FloatAttr(epsilon))}));
}

FailureOr<Importer::Values> Importer::importReshape(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  SmallVector<int64_t> target;
  if (opset < 5) {
    target = intsAttr(n, "shape");
  } else {
    ASSIGN_OR_FAIL(target, constInts(n, 1, "the target shape"));
  }
  ASSIGN_OR_FAIL(bool allowZero, intAttr(n, "allowzero", 0));
  auto in = typeOf(x).getShape();
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return fail("target dimension " + Twine(i) +
                    " is 0 (copy) but the "
                    "input has only " +
                    Twine(in.size()) + " dimensions");
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return fail("the target shape has more than one -1");
      inferred = i;
      continue;
    }
    if (d < 0)
      return fail("invalid target dimension " + Twine(d));
    known *= d;
  }
  int64_t count = typeOf(x).getNumElements();
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return fail("cannot infer the -1 dimension: " + Twine(count) +
                  " elements are not divisible by " + Twine(known));
    target[inferred] = count / known;
  }
  return single(reshape(x, target));
}

FailureOr<Importer::Values> Importer::importSqueeze(const onnx::NodeProto &n,
                                                    bool unsqueeze) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  auto in = typeOf(x).getShape();
  SmallVector<int64_t> axes;
  if (opset < 13) {
    axes = intsAttr(n, "axes");
  } else if (hasInput(n, 1)) {
    ASSIGN_OR_FAIL(axes, constInts(n, 1, "axes"));
  }
  SmallVector<int64_t> out;
  if (unsqueeze) {
    int64_t rank = in.size() + axes.size();
    SmallVector<bool> isNew(rank, false);
    for (int64_t a : axes) {
      ASSIGN_OR_FAIL(a, normAxis(a, rank, "axis"));
      if (isNew[a])
        return fail("axis " + Twine(a) + " is repeated");
      isNew[a] = true;
    }
    for (int64_t i = 0, j = 0; i < rank; ++i)
      out.push_back(isNew[i] ? 1 : in[j++]);
  } else {
    SmallVector<bool> drop(in.size(), false);
    if (axes.empty()) {
      for (size_t i = 0; i < in.size(); ++i)
        drop[i] = in[i] == 1;
    }
    for (int64_t a : axes) {
      ASSIGN_OR_FAIL(a, normAxis(a, in.size(), "axis"));
      if (in[a] != 1)
        return fail("cannot squeeze dimension " + Twine(a) + " of size " +
                    Twine(in[a]));
      drop[a] = true;
    }
    for (size_t i = 0; i < in.size(); ++i)
      if (!drop[i])
        out.push_back(in[i]);
  }
  return single(reshape(x, out));
}

FailureOr<Importer::Values> Importer::importConstant(const onnx::NodeProto &n) {
  if (n.attribute_size() != 1)
    return fail("Constant needs exactly one value attribute");
  const auto &a = n.attribute(0);
  const std::string &name = a.name();
  if (name == "value") {
    ASSIGN_OR_FAIL(DenseElementsAttr t, tensorAttr(a.t(), nodeLoc));
    return Values{constant(t)};
  }
  if (name == "value_float")
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getF32Type()), a.f()))};
  if (name == "value_floats") {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getF32Type()),
        ArrayRef<float>(v)))};
  }
  if (name == "value_int")
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getI64Type()), int64_t(a.i())))};
  if (name == "value_ints") {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    return Values{constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getI64Type()),
        ArrayRef<int64_t>(v)))};
  }
  return fail("Constant with attribute '" + name + "' is not supported");
}

FailureOr<Importer::Values> Importer::importPad(const onnx::NodeProto &n) {
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  int64_t rank = typeOf(x).getRank();
  std::string mode = strAttr(n, "mode", "constant");
  SmallVector<int64_t> pads;
  double value = 0;
  if (opset < 11) {
    pads = intsAttr(n, opset < 2 ? "paddings" : "pads");
    ASSIGN_OR_FAIL(value, floatAttr(n, "value", 0.0f));
  } else {
    ASSIGN_OR_FAIL(pads, constInts(n, 1, "the pads"));
    if (hasInput(n, 2)) {
      ASSIGN_OR_FAIL(DenseElementsAttr v,
                     constInput(n, 2, "the constant value"));
      if (v.getNumElements() != 1)
        return fail("the constant value must be a scalar");
      if (isa<FloatType>(v.getElementType()))
        value = (*v.getValues<APFloat>().begin()).convertToDouble();
      else
        value = double((*v.getValues<APInt>().begin()).getSExtValue());
    }
    if (hasInput(n, 3)) { // opset 18: pads only for the listed axes
      ASSIGN_OR_FAIL(SmallVector<int64_t> axes, constInts(n, 3, "the axes"));
      if (pads.size() != 2 * axes.size())
        return fail("pads must have twice as many entries as axes");
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(axes)) {
        ASSIGN_OR_FAIL(int64_t ax, normAxis(a, rank, "axis"));
        full[ax] = pads[i];
        full[ax + rank] = pads[i + axes.size()];
      }
      pads = full;
    }
  }
  if (int64_t(pads.size()) != 2 * rank)
    return fail("pads has " + Twine(pads.size()) + " entries, expected " +
                Twine(2 * rank));
  return single(
      make<edge::PadOp>(x, {named("pads", builder.getDenseI64ArrayAttr(pads)),
                            named("mode", builder.getStringAttr(mode)),
                            named("value", builder.getF64FloatAttr(value))}));
}

void Importer::registerHandlers() {
  auto unary = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      ASSIGN_OR_FAIL(Value x, input(n, 0));
      return single(make<OpTy>(x));
    };
  };
  auto binary = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      if (opset < 7) {
        ASSIGN_OR_FAIL(int64_t broadcast, intAttr(n, "broadcast", 0));
        if (broadcast != 0 && attr(n, "axis"))
          return fail(
              "legacy broadcasting with an axis (opset < 7) is not supported");
      }
      ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
      return single(make<OpTy>(operands));
    };
  };
  handlers["Relu"] = unary(edge::ReluOp());
  handlers["Sigmoid"] = unary(edge::SigmoidOp());
  handlers["Tanh"] = unary(edge::TanhOp());
  handlers["Exp"] = unary(edge::ExpOp());
  handlers["Sqrt"] = unary(edge::SqrtOp());
  handlers["Neg"] = unary(edge::NegOp());
  handlers["Add"] = binary(edge::AddOp());
  handlers["Sub"] = binary(edge::SubOp());
  handlers["Mul"] = binary(edge::MulOp());
  handlers["Div"] = binary(edge::DivOp());
  auto variadic = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &n) -> FailureOr<Values> {
      if (n.input_size() < 1)
        return fail("expects at least one input");
      ASSIGN_OR_FAIL(Value y, input(n, 0));
      for (int i = 1; i < n.input_size(); ++i) {
        ASSIGN_OR_FAIL(Value v, input(n, i));
        ASSIGN_OR_FAIL(y, make<OpTy>({y, v}));
      }
      return Values{y};
    };
  };
  handlers["Max"] = variadic(edge::MaxOp());
  handlers["Min"] = variadic(edge::MinOp());
  handlers["MatMul"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values operands, inputs(n, 2));
    return single(make<edge::MatMulOp>(operands));
  };
  handlers["HardSigmoid"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(float alpha, floatAttr(n, "alpha", 0.2f));
    ASSIGN_OR_FAIL(float beta, floatAttr(n, "beta", 0.5f));
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::HardSigmoidOp>(
        x, {named("alpha", builder.getF32FloatAttr(alpha)),
            named("beta", builder.getF32FloatAttr(beta))}));
  };
  handlers["Conv"] = [this](const onnx::NodeProto &n) { return importConv(n); };
  handlers["ConvTranspose"] = [this](const onnx::NodeProto &n) {
    return importConvTranspose(n);
  };
  handlers["Gemm"] = [this](const onnx::NodeProto &n) { return importGemm(n); };
  handlers["Softmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n);
  };
  handlers["Clip"] = [this](const onnx::NodeProto &n) { return importClip(n); };
  handlers["MaxPool"] = [this](const onnx::NodeProto &n) {
    return importPool(n, true);
  };
  handlers["AveragePool"] = [this](const onnx::NodeProto &n) {
    return importPool(n, false);
  };
  handlers["GlobalAveragePool"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::GlobalAveragePoolOp>(x));
  };
  handlers["BatchNormalization"] = [this](const onnx::NodeProto &n) {
    return importBatchNorm(n);
  };
  handlers["Reshape"] = [this](const onnx::NodeProto &n) {
    return importReshape(n);
  };
  handlers["Flatten"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    ASSIGN_OR_FAIL(int64_t given, intAttr(n, "axis", 1));
    int64_t axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis > rank)
      return fail("axis " + Twine(given) + " is out of range for rank " +
                  Twine(rank));
    return single(flatten2D(x, axis));
  };
  handlers["Squeeze"] = [this](const onnx::NodeProto &n) {
    return importSqueeze(n, false);
  };
  handlers["Unsqueeze"] = [this](const onnx::NodeProto &n) {
    return importSqueeze(n, true);
  };
  handlers["Transpose"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    SmallVector<int64_t> dflt;
    for (int64_t i = rank - 1; i >= 0; --i)
      dflt.push_back(i);
    return single(make<edge::TransposeOp>(
        x, {named("perm",
                  builder.getDenseI64ArrayAttr(intsAttr(n, "perm", dflt)))}));
  };
  handlers["Concat"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ins, inputs(n, n.input_size()));
    if (ins.empty())
      return fail("Concat needs at least one input");
    if (!attr(n, "axis"))
      return fail("Concat needs an 'axis' attribute");
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(ins[0]).getRank()));
    return single(make<edge::ConcatOp>(
        ins, {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["Constant"] = [this](const onnx::NodeProto &n) {
    return importConstant(n);
  };
  handlers["Identity"] = [this](const onnx::NodeProto &n) {
    return single(input(n, 0));
  };
  handlers["Dropout"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    if (failed(noExtraOutputs(n, 1, "(the dropout mask)")))
      return failure();
    return single(input(n, 0)); // inference: the identity
  };
  handlers["Pad"] = [this](const onnx::NodeProto &n) { return importPad(n); };
  handlers["Shape"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    int64_t rank = typeOf(x).getRank();
    auto clampDim = [&](int64_t d) {
      if (d < 0)
        d += rank;
      return std::clamp<int64_t>(d, 0, rank);
    };
    ASSIGN_OR_FAIL(int64_t start, intAttr(n, "start", 0));
    ASSIGN_OR_FAIL(int64_t end, intAttr(n, "end", rank));
    start = clampDim(start);
    end = clampDim(end);
    return single(make<edge::ShapeOp>(
        x, {named("start", builder.getI64IntegerAttr(start)),
            named("end", builder.getI64IntegerAttr(std::max(start, end)))}));
  };
  handlers["Gather"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value data, input(n, 0));
    ASSIGN_OR_FAIL(int64_t axis, axisAttr(n, 0, typeOf(data).getRank()));
    ASSIGN_OR_FAIL(Value indices, input(n, 1));
    return single(
        make<edge::GatherOp>(ValueRange{data, indices},
                             {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["Cast"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t code, intAttr(n, "to", 0));
    ASSIGN_OR_FAIL(Type to, elementType(code, nodeLoc, "Cast 'to'"));
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    return single(make<edge::CastOp>(x, {named("to", TypeAttr::get(to))}));
  };
  handlers["DequantizeLinear"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(int64_t blockSize, intAttr(n, "block_size", 0));
    if (blockSize != 0)
      return fail("blocked DequantizeLinear is not supported");
    ASSIGN_OR_FAIL(Values ops, inputs(n, 2));
    ASSIGN_OR_FAIL(Value zp, optInput(n, 2));
    if (zp)
      ops.push_back(zp);
    // The axis only matters for a per-axis (1-D) scale.
    int64_t axis = 0;
    if (typeOf(ops[1]).getNumElements() > 1) {
      ASSIGN_OR_FAIL(axis, axisAttr(n, 1, typeOf(ops[0]).getRank()));
    }
    return single(make<edge::DequantizeLinearOp>(
        ops, {named("axis", builder.getI64IntegerAttr(axis))}));
  };
  handlers["ConstantOfShape"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(SmallVector<int64_t> shape, constInts(n, 0, "the shape"));
    DenseElementsAttr value = DenseElementsAttr::get(
        RankedTensorType::get({1}, builder.getF32Type()), 0.0f);
    if (const auto *a = attr(n, "value")) {
      ASSIGN_OR_FAIL(value, tensorAttr(a->t(), nodeLoc));
    }
    auto type = RankedTensorType::get(shape, value.getElementType());
    return Values{constant(
        DenseElementsAttr::get(type, *value.value_begin<Attribute>()))};
  };
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run() {
  onnx::ModelProto model;
  if (failed(readModel(model)))
    return nullptr;
  registerHandlers();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("edge.source", builder.getStringAttr(path));
  (*module)->setAttr("edge.opset", builder.getI64IntegerAttr(opset));
  if (failed(importGraph(model.graph(), *module)) ||
      failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

LogicalResult Importer::importGraph(const onnx::GraphProto &graph,
                                    ModuleOp module) {
  for (const auto &t : graph.initializer())
    initializers[t.name()] = &t;

  // Graph inputs (those that are not initializers) with static shapes.
  llvm::StringMap<const InputShape *> overrides;
  for (const auto &s : options.inputShapes)
    overrides[s.name] = &s;
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initializers.count(in.name()))
      continue;
    Location loc = fileLoc; // the messages name the input
    if (!in.type().has_tensor_type()) {
      error(loc) << "graph input '" << in.name()
                 << "' is not a tensor; only tensor inputs are supported";
      return failure();
    }
    const auto &tt = in.type().tensor_type();
    ASSIGN_OR_FAIL(Type et, elementType(tt.elem_type(), loc,
                                        "graph input '" + in.name() + "'"));
    SmallVector<int64_t> dims;
    auto it = overrides.find(in.name());
    const InputShape *given = it == overrides.end() ? nullptr : it->second;
    if (given && tt.has_shape() &&
        tt.shape().dim_size() != int(given->dims.size())) {
      error(loc) << "--input-shape gives rank " << given->dims.size()
                 << " for input '" << in.name() << "', but the model "
                 << "declares rank " << tt.shape().dim_size();
      return failure();
    }
    if (given) {
      if (tt.has_shape())
        for (int i = 0; i < tt.shape().dim_size(); ++i) {
          const auto &d = tt.shape().dim(i);
          if (d.has_dim_value() && d.dim_value() != given->dims[i]) {
            error(loc) << "--input-shape gives " << given->dims[i]
                       << " for dimension " << i << " of input '" << in.name()
                       << "', but the model fixes it to " << d.dim_value();
            return failure();
          }
        }
      dims.assign(given->dims.begin(), given->dims.end());
    } else {
      if (!tt.has_shape()) {
        error(loc) << "graph input '" << in.name()
                   << "' has no shape; give one with --input-shape="
                   << in.name() << "=D0xD1x...";
        return failure();
      }
      for (int i = 0; i < tt.shape().dim_size(); ++i) {
        const auto &d = tt.shape().dim(i);
        if (!d.has_dim_value() || d.dim_value() <= 0) {
          error(loc) << "dimension " << i << " of graph input '" << in.name()
                     << "' is symbolic ('"
                     << (d.has_dim_param() ? d.dim_param() : "?")
                     << "'); fix it with --input-shape=" << in.name()
                     << "=D0xD1x...";
          return failure();
        }
        dims.push_back(d.dim_value());
      }
    }
    if (!boundedCount(dims)) {
      error(loc) << "graph input '" << in.name() << "' of shape "
                 << shapeText(dims) << " has more than 2^31 elements";
      return failure();
    }
    argTypes.push_back(RankedTensorType::get(dims, et));
    argNames.push_back(in.name());
  }
  for (const auto &s : options.inputShapes)
    if (!llvm::is_contained(argNames, s.name)) {
      std::string names;
      for (auto &a : argNames)
        names += (names.empty() ? "'" : ", '") + a + "'";
      error(fileLoc) << "--input-shape names '" << s.name
                     << "', which is not a graph input (inputs: " << names
                     << ")";
      return failure();
    }

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "edge.name", builder.getStringAttr(name));
  }
  builder.setInsertionPointToEnd(entry);

  // Nodes, in the graph's (topological) order.
  for (auto [idx, node] : llvm::enumerate(graph.node())) {
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(idx)
                           : node.name();
    nodeLoc = NameLoc::get(builder.getStringAttr(name), fileLoc);
    opType = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      nodeError() << "unsupported op '" << node.op_type() << "' of domain '"
                  << node.domain() << "'";
      return failure();
    }
    auto h = handlers.find(node.op_type());
    if (h == handlers.end()) {
      nodeError() << "unsupported op '" << node.op_type() << "' (opset "
                  << opset << ")";
      return failure();
    }
    ASSIGN_OR_FAIL(Values outs, h->second(node));
    for (auto [i, v] : llvm::enumerate(outs)) {
      if (int(i) >= node.output_size() || node.output(i).empty())
        continue;
      // Also covers constants a handler builds directly (ConstantOfShape).
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (type && !boundedCount(type.getShape())) {
        nodeError() << "output '" << node.output(i) << "' of shape "
                    << shapeText(type.getShape())
                    << " would have more than 2^31 elements";
        return failure();
      }
      values[node.output(i)] = v;
    }
  }

  // Results.
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    ASSIGN_OR_FAIL(Value v, lookup(out.name()));
    if (!v) {
      error(fileLoc) << "graph output '" << out.name()
                     << "' is not produced by any node";
      return failure();
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  // Drop what folding left unused (intermediate shape constants, ...).
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "edge.name", builder.getStringAttr(out.name()));
  return success();
}

} // namespace

OwningOpRef<ModuleOp> importOnnxModel(const std::string &path,
                                      const ImportOptions &options,
                                      MLIRContext &context) {
  context
      .loadDialect<edge::EdgeDialect, arith::ArithDialect, func::FuncDialect>();
  return Importer(context, path, options).run();
}

} // namespace edgec
