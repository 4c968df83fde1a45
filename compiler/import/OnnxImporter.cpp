//===- OnnxImporter.cpp - ONNX protobuf to the edge dialect ---------------===//
//
// Reads the ModelProto, turns initializers into constants, graph inputs into
// function arguments (with shapes fixed by --input-shape), and every node into
// edge ops through a table of per-op importers that resolve the node's opset
// version. Ops are built with their own result-type inference and folded on
// creation, so shape subgraphs become constants as they are read.
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

std::string parseInputValue(const std::string &text, InputValue &out) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return "invalid --input-value '" + text + "': expected NAME=FILE.npy";
  out.name = text.substr(0, eq);
  out.path = text.substr(eq + 1);
  return "";
}

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
    if (d.empty() || *end != '\0' || v < 0)
      return "invalid --input-shape '" + text + "': dimension '" + d +
             "' is not a non-negative integer";
    out.dims.push_back(v);
    if (x == std::string::npos)
      break;
    start = x + 1;
  }
  return "";
}

} // namespace edgec

namespace edgec::detail {

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
  if (matchPattern(v, m_Constant(&a)))
    return a;
  if (isa<BlockArgument>(v))
    return fail(what + " (input '" + n.input(i) +
                "') must be a constant or computable at compile time; it is "
                "a graph input: fix its value with --input-value=" +
                n.input(i) + "=FILE.npy");
  std::string hint = graphInputsHint(v);
  if (!hint.empty())
    return fail(what + " (input '" + n.input(i) +
                "') must be a constant or computable at compile time; it is "
                "computed from graph inputs: fix their values with" +
                hint);
  return fail(what + " (input '" + n.input(i) +
              "') must be a constant or computable at compile time");
}

std::string Importer::graphInputsHint(Value v) {
  SmallVector<Value> work{v};
  llvm::SmallPtrSet<Operation *, 32> seen;
  llvm::SetVector<Value> args;
  while (!work.empty() && seen.size() < 256) {
    Value x = work.pop_back_val();
    if (isa<BlockArgument>(x)) {
      args.insert(x);
      continue;
    }
    Operation *def = x.getDefiningOp();
    if (def && seen.insert(def).second)
      llvm::append_range(work, def->getOperands());
  }
  if (!work.empty())
    return ""; // too far to tell
  std::string hint;
  for (Value a : args) {
    auto arg = cast<BlockArgument>(a);
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func)
      continue;
    if (auto name =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "edge.name"))
      hint += " --input-value=" + name.str() + "=FILE.npy";
  }
  return hint;
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

bool Importer::isConstInput(const onnx::NodeProto &n, int i) {
  if (!hasInput(n, i))
    return false;
  auto v = lookup(n.input(i));
  return succeeded(v) && *v && matchPattern(*v, m_Constant());
}

std::optional<SmallVector<int64_t>>
Importer::declaredShape(const onnx::NodeProto &n, int i) {
  if (i >= n.output_size() || n.output(i).empty())
    return std::nullopt;
  auto it = declaredShapes.find(n.output(i));
  if (it == declaredShapes.end())
    return std::nullopt;
  return it->second;
}

FailureOr<SmallVector<int64_t>> Importer::shapeInts(const onnx::NodeProto &n,
                                                    int i, StringRef what,
                                                    Derive derive) {
  if (hasInput(n, i) && !isConstInput(n, i))
    if (std::optional<SmallVector<int64_t>> v = derive())
      return *v;
  return constInts(n, i, what);
}

LogicalResult Importer::verifyAtNode(Operation *op) {
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
  if (succeeded(verified))
    return success();
  SmallVector<Type> operandTypes(op->getOperandTypes());
  op->erase();
  SmallVector<StringRef> m;
  llvm::Regex typeError("operand #([0-9]+) must be ");
  unsigned index;
  if (typeError.match(message, &m) && !m[1].getAsInteger(10, index) &&
      index < operandTypes.size()) {
    Type et = getElementTypeOrSelf(operandTypes[index]);
    return fail(opType + " on " + onnxDataTypeName(onnxDataType(et)) +
                " tensors is not supported (input " + m[1] + ")");
  }
  llvm::Regex prefix("^'[a-z_.]+' op ");
  return fail(prefix.sub("", message));
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

//===----------------------------------------------------------------------===//
// Per-op importers
//===----------------------------------------------------------------------===//

void Importer::registerHandlers() {
  registerElementwise();
  registerConvPool();
  registerMatMul();
  registerNormalization();
  registerTensorMovement();
  registerQuantization();
  registerReduction();
  registerLoss();
  registerAttention();
  registerIndexing();
  registerRecurrent();
  registerControlFlow();
  registerSignal();
  registerQLinear();
  registerImage();
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

FailureOr<DenseElementsAttr>
Importer::fixedInput(const onnx::ValueInfoProto &in, const InputValue &given) {
  auto fail = [&](const Twine &why) {
    error(fileLoc) << "--input-value for '" << in.name() << "' (" << given.path
                   << "): " << why;
    return failure();
  };
  if (!in.type().has_tensor_type())
    return fail("the input is not a tensor");
  const auto &tt = in.type().tensor_type();
  NpyArray array;
  if (std::string err = readNpyFile(given.path, array); !err.empty())
    return fail(err);
  if (array.dtype != tt.elem_type())
    return fail(Twine("the file holds ") + array.dtypeName + ", the input is " +
                onnxDataTypeName(tt.elem_type()));
  if (tt.has_shape()) {
    if (tt.shape().dim_size() != int(array.shape.size()))
      return fail("the file's shape " + shapeString(array.shape) +
                  " does not have the input's rank " +
                  Twine(tt.shape().dim_size()));
    for (int i = 0; i < tt.shape().dim_size(); ++i)
      if (tt.shape().dim(i).has_dim_value() &&
          tt.shape().dim(i).dim_value() != array.shape[i])
        return fail("the file's shape " + shapeString(array.shape) +
                    " differs from the input's in dimension " + Twine(i));
  }
  if (!boundedCount(array.shape))
    return fail("more than 2^31 elements");
  ASSIGN_OR_FAIL(Type et, elementType(tt.elem_type(), fileLoc,
                                      "graph input '" + in.name() + "'"));
  auto type = RankedTensorType::get(array.shape, et);
  if (et.isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : array.data)
      bits.push_back(c != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  size_t bytes =
      size_t(type.getNumElements()) * ((type.getElementTypeBitWidth() + 7) / 8);
  if (array.data.size() != bytes)
    return fail("the file holds " + Twine(array.data.size()) +
                " bytes of data, " + Twine(bytes) + " expected");
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(array.data.data(), array.data.size()));
}

LogicalResult Importer::importNodes(const onnx::GraphProto &graph) {
  // Nodes, in the graph's (topological) order.
  for (auto [idx, node] : llvm::enumerate(graph.node())) {
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(idx)
                           : node.name();
    nodeLoc = NameLoc::get(builder.getStringAttr(name), fileLoc);
    opType = node.op_type();
    // The default domain, and ONNX Runtime's com.microsoft (the QLinear
    // ops its quantizer writes), at the versions the model imports.
    bool microsoft = node.domain() == "com.microsoft";
    if (!node.domain().empty() && node.domain() != "ai.onnx" && !microsoft) {
      nodeError() << "unsupported op '" << node.op_type() << "' of domain '"
                  << node.domain() << "'";
      return failure();
    }
    if (microsoft && microsoftOpset == 0) {
      nodeError() << "op '" << node.op_type()
                  << "' of domain 'com.microsoft', which the model does not "
                     "import (no opset_import entry)";
      return failure();
    }
    const llvm::StringMap<Handler> &table =
        microsoft ? microsoftHandlers : handlers;
    // The schema version the model's opset import selects.
    int64_t version =
        microsoft ? microsoftOpset : onnxSchemaVersion(node.op_type(), opset);
    if (!microsoft && version == 0) {
      nodeError() << "op '" << node.op_type() << "' does not exist at opset "
                  << opset << ", which the model imports (ONNX defines it "
                  << "from opset " << onnxSinceVersions(node.op_type()).front()
                  << ")";
      return failure();
    }
    auto h = table.find(node.op_type());
    if (h != table.end() && !microsoft &&
        !edgecImplements(node.op_type(), version)) {
      std::string supported;
      for (int64_t v : onnxSinceVersions(node.op_type()))
        if (edgecImplements(node.op_type(), v))
          supported += (supported.empty() ? "" : ", ") + std::to_string(v);
      nodeError() << "op '" << node.op_type() << "' version " << version
                  << " (selected by opset " << opset
                  << ") is not supported; edgec implements its versions "
                  << supported;
      return failure();
    }
    if (h == table.end()) {
      if (microsoft)
        nodeError() << "unsupported op '" << node.op_type()
                    << "' of domain 'com.microsoft' (version " << microsoftOpset
                    << ")";
      else
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
  return success();
}

LogicalResult Importer::importGraph(const onnx::GraphProto &graph,
                                    ModuleOp module) {
  for (const auto &t : graph.initializer())
    initializers[t.name()] = &t;

  // Graph inputs (those that are not initializers) with static shapes.
  llvm::StringMap<const InputShape *> overrides;
  for (const auto &s : options.inputShapes)
    overrides[s.name] = &s;
  llvm::StringMap<const InputValue *> fixedValues;
  for (const auto &v : options.inputValues)
    fixedValues[v.name] = &v;
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<std::pair<std::string, DenseElementsAttr>> fixed;
  SmallVector<std::string> inputNames;
  for (const auto &in : graph.input()) {
    if (initializers.count(in.name()))
      continue;
    inputNames.push_back(in.name());
    Location loc = fileLoc; // the messages name the input
    if (auto v = fixedValues.find(in.name()); v != fixedValues.end()) {
      ASSIGN_OR_FAIL(DenseElementsAttr value, fixedInput(in, *v->second));
      fixed.push_back({in.name(), value});
      continue;
    }
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
        if (d.has_dim_value() && d.dim_value() < 0) {
          error(loc) << "dimension " << i << " of graph input '" << in.name()
                     << "' is negative (" << d.dim_value() << ")";
          return failure();
        }
        if (!d.has_dim_value()) {
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
  for (const auto &v : options.inputValues)
    if (!llvm::is_contained(inputNames, v.name)) {
      std::string names;
      for (auto &a : inputNames)
        names += (names.empty() ? "'" : ", '") + a + "'";
      error(fileLoc) << "--input-value names '" << v.name
                     << "', which is not a graph input (inputs: " << names
                     << ")";
      return failure();
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
  for (auto &[name, value] : fixed)
    values[name] = arith::ConstantOp::create(builder, fileLoc, value);

  // Declared static shapes: what an op whose result shape is decided by a
  // run-time input (Reshape's target, a reduction's axes...) can read its
  // value from (shapeInts).
  auto declare = [&](const onnx::ValueInfoProto &v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape())
      return;
    SmallVector<int64_t> dims;
    for (const auto &d : v.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0)
        return;
      dims.push_back(d.dim_value());
    }
    if (boundedCount(dims))
      declaredShapes[v.name()] = dims;
  };
  for (const auto &v : graph.output())
    declare(v);
  for (const auto &v : graph.value_info())
    declare(v);

  if (failed(importNodes(graph)))
    return failure();

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

} // namespace edgec::detail

namespace edgec {

OwningOpRef<ModuleOp> importOnnxModel(const std::string &path,
                                      const ImportOptions &options,
                                      MLIRContext &context) {
  context
      .loadDialect<edge::EdgeDialect, arith::ArithDialect, func::FuncDialect>();
  return detail::Importer(context, path, options).run();
}

OwningOpRef<ModuleOp> importOnnxModelFromBytes(StringRef bytes,
                                               const std::string &path,
                                               const ImportOptions &options,
                                               MLIRContext &context) {
  context
      .loadDialect<edge::EdgeDialect, arith::ArithDialect, func::FuncDialect>();
  return detail::Importer(context, path, options, bytes).run();
}

} // namespace edgec
