#!/usr/bin/python3
"""Writes a model as another exporter or opset would, with its inputs and
references: exporter_models.py KIND DIR, KIND one of

  gru          torch nn.GRU (2 layers, batch_first) + Linear, opset 13
  transformer  torch TransformerEncoderLayer (d=32, 4 heads) at opset 17,
               where LayerNormalization is an ONNX op
  if           an If on a run-time bool input (both branches compiled and
               selected), and a nested If on a shape test (folded)
  opset7       Gemm, BatchNormalization, Upsample (scales as an attribute)
               and Sum at opset 7
  tf2onnx      a small Keras-style CNN as tf2onnx writes it: NHWC input
               with a symbolic batch ('unk__6'), transposes around Conv and
               MaxPool, the flatten's target shape computed at run time
               from Shape through int32 Casts, Slice and Concat, names
               with ':0', opset 13

The references come from torch or numpy on the same inputs.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True


def save(out, model, inputs, outputs):
    os.makedirs(out, exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for i, a in enumerate(inputs):
        np.save(os.path.join(out, f"input_{i}.npy"), a)
    for i, a in enumerate(outputs):
        np.save(os.path.join(out, f"output_{i}.npy"), a)


def torch_export(out, module, inputs, opset):
    import torch
    module.eval()
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        ref = module(*[torch.from_numpy(a) for a in inputs])
        torch.onnx.export(module, tuple(torch.from_numpy(a) for a in inputs),
                          path, opset_version=opset,
                          input_names=[f"x{i}" for i in range(len(inputs))])
    refs = ref if isinstance(ref, tuple) else (ref,)
    for i, a in enumerate(inputs):
        np.save(os.path.join(out, f"input_{i}.npy"), a)
    for i, r in enumerate(refs):
        np.save(os.path.join(out, f"output_{i}.npy"), r.numpy())


def gru(out):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.GRU(12, 16, num_layers=2, batch_first=True)
            self.fc = torch.nn.Linear(16, 3)

        def forward(self, x):
            y, h = self.rnn(x)
            return self.fc(y[:, -1]), h

    torch.manual_seed(1)
    x = np.random.default_rng(1).standard_normal((2, 7, 12)).astype(np.float32)
    torch_export(out, Net(), [x], 13)


def transformer(out):
    import torch
    import torch.nn.functional as F

    # Written out (torch's fused encoder layer has no ONNX export).
    class Block(torch.nn.Module):
        def __init__(self, d=32, heads=4):
            super().__init__()
            self.heads = heads
            self.qkv = torch.nn.Linear(d, 3 * d)
            self.proj = torch.nn.Linear(d, d)
            self.norm1 = torch.nn.LayerNorm(d)
            self.norm2 = torch.nn.LayerNorm(d)
            self.ff1 = torch.nn.Linear(d, 64)
            self.ff2 = torch.nn.Linear(64, d)

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            split = lambda m: m.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
            q, k, v = split(q), split(k), split(v)
            a = F.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
            y = (a @ v).transpose(1, 2).reshape(b, t, d)
            x = self.norm1(x + self.proj(y))
            return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))

    torch.manual_seed(2)
    x = np.random.default_rng(2).standard_normal((1, 10, 32)).astype(np.float32)
    torch_export(out, Block(), [x], 17)


def if_model(out):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5)).astype(np.float32)
    w = rng.standard_normal((5, 5)).astype(np.float32)
    then_g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["t"])], "then", [],
        [helper.make_tensor_value_info("t", TensorProto.FLOAT, [2, 5])])
    else_g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["e"])], "else", [],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2, 5])])
    # A condition computed from a shape: known at compile time (taken).
    small_then = helper.make_graph(
        [helper.make_node("Neg", ["y"], ["n"])], "small_then", [],
        [helper.make_tensor_value_info("n", TensorProto.FLOAT, [2, 5])])
    small_else = helper.make_graph(
        [helper.make_node("Abs", ["y"], ["a"])], "small_else", [],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 5])])
    nodes = [
        helper.make_node("If", ["c"], ["y"], then_branch=then_g,
                         else_branch=else_g),
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("ReduceSum", ["s"], ["total"], keepdims=0),
        helper.make_node("Less", ["total", "limit"], ["small"]),
        helper.make_node("If", ["small"], ["z"], then_branch=small_then,
                         else_branch=small_else),
    ]
    graph = helper.make_graph(
        nodes, "if_model",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5]),
         helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 5])],
        [numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.array(100, np.int64), "limit")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    # Two data sets: the condition true, then false.
    for k, c in enumerate([True, False]):
        y = x @ w if c else np.maximum(x, 0)
        save(os.path.join(out, str(k)), model, [x, np.array(c)], [-y])


def tf2onnx(out):
    import torch
    import torch.nn.functional as F
    rng = np.random.default_rng(5)
    w = (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float32)
    b = (rng.standard_normal(8) * 0.1).astype(np.float32)
    fc = (rng.standard_normal((8 * 8 * 8, 10)) * 0.05).astype(np.float32)
    fb = (rng.standard_normal(10) * 0.1).astype(np.float32)
    i32, i64 = TensorProto.INT32, TensorProto.INT64
    nodes = [
        helper.make_node("Transpose", ["input_1:0"], ["conv2d/Conv2D__6:0"],
                         perm=[0, 3, 1, 2], name="conv2d/Conv2D__6"),
        helper.make_node("Conv", ["conv2d/Conv2D__6:0", "conv2d/kernel:0", "conv2d/bias:0"],
                         ["conv2d/BiasAdd:0"], pads=[1, 1, 1, 1], kernel_shape=[3, 3],
                         name="conv2d/Conv2D"),
        helper.make_node("Relu", ["conv2d/BiasAdd:0"], ["conv2d/Relu:0"], name="conv2d/Relu"),
        helper.make_node("MaxPool", ["conv2d/Relu:0"], ["max_pooling2d/MaxPool:0"],
                         kernel_shape=[2, 2], strides=[2, 2], name="max_pooling2d/MaxPool"),
        helper.make_node("Transpose", ["max_pooling2d/MaxPool:0"], ["max_pooling2d/MaxPool__12:0"],
                         perm=[0, 2, 3, 1], name="max_pooling2d/MaxPool__12"),
        helper.make_node("Shape", ["max_pooling2d/MaxPool__12:0"], ["flatten/Shape:0"],
                         name="flatten/Shape"),
        helper.make_node("Cast", ["flatten/Shape:0"], ["flatten/Shape__14:0"], to=i32,
                         name="flatten/Shape__14"),
        helper.make_node("Slice", ["flatten/Shape__14:0", "const_starts__15", "const_ends__16",
                                   "const_axes__17"], ["flatten/strided_slice:0"],
                         name="flatten/strided_slice"),
        helper.make_node("Concat", ["flatten/strided_slice:0", "const_fold_opt__20"],
                         ["flatten/Reshape/shape_Concat__19:0"], axis=0,
                         name="flatten/Reshape/shape_Concat__19"),
        helper.make_node("Cast", ["flatten/Reshape/shape_Concat__19:0"],
                         ["flatten/Reshape__21:0"], to=i64, name="flatten/Reshape__21"),
        helper.make_node("Reshape", ["max_pooling2d/MaxPool__12:0", "flatten/Reshape__21:0"],
                         ["flatten/Reshape:0"], name="flatten/Reshape"),
        helper.make_node("MatMul", ["flatten/Reshape:0", "dense/MatMul/ReadVariableOp:0"],
                         ["dense/MatMul:0"], name="dense/MatMul"),
        helper.make_node("Add", ["dense/MatMul:0", "dense/BiasAdd/ReadVariableOp:0"],
                         ["dense/BiasAdd:0"], name="dense/BiasAdd"),
        helper.make_node("Softmax", ["dense/BiasAdd:0"], ["Identity:0"], axis=-1,
                         name="dense/Softmax"),
    ]
    inits = [numpy_helper.from_array(w, "conv2d/kernel:0"),
             numpy_helper.from_array(b, "conv2d/bias:0"),
             numpy_helper.from_array(np.array([0], np.int32), "const_starts__15"),
             numpy_helper.from_array(np.array([1], np.int32), "const_ends__16"),
             numpy_helper.from_array(np.array([0], np.int32), "const_axes__17"),
             numpy_helper.from_array(np.array([-1], np.int32), "const_fold_opt__20"),
             numpy_helper.from_array(fc, "dense/MatMul/ReadVariableOp:0"),
             numpy_helper.from_array(fb, "dense/BiasAdd/ReadVariableOp:0")]
    graph = helper.make_graph(
        nodes, "tf2onnx",
        [helper.make_tensor_value_info("input_1:0", TensorProto.FLOAT, ["unk__6", 16, 16, 3])],
        [helper.make_tensor_value_info("Identity:0", TensorProto.FLOAT, ["unk__7", 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="tf2onnx", producer_version="1.16.1")
    x = rng.standard_normal((2, 16, 16, 3)).astype(np.float32)
    t = torch.from_numpy(x).permute(0, 3, 1, 2)
    y = F.max_pool2d(F.relu(F.conv2d(t, torch.from_numpy(w), torch.from_numpy(b), padding=1)), 2)
    y = y.permute(0, 2, 3, 1).reshape(2, -1) @ torch.from_numpy(fc) + torch.from_numpy(fb)
    save(out, model, [x], [torch.softmax(y, -1).numpy()])


def opset7(out):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
    scale = rng.uniform(0.5, 1.5, 2).astype(np.float32)
    bias = rng.standard_normal(2).astype(np.float32)
    mean = rng.standard_normal(2).astype(np.float32)
    var = rng.uniform(0.5, 2.0, 2).astype(np.float32)
    g = rng.standard_normal((36, 4)).astype(np.float32)
    gb = rng.standard_normal(4).astype(np.float32)
    nodes = [
        helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"],
                         ["bn"], epsilon=1e-5),
        helper.make_node("Upsample", ["bn"], ["up"], mode="nearest",
                         scales=[1.0, 1.0, 2.0, 2.0]),
        helper.make_node("Sum", ["up", "up", "up"], ["sum"]),
        helper.make_node("Reshape", ["sum", "shape"], ["flat"]),
        helper.make_node("Slice", ["flat"], ["cut"], axes=[1], starts=[0], ends=[36]),
        helper.make_node("Gemm", ["cut", "g", "gb"], ["y"], transB=0),
    ]
    inits = [numpy_helper.from_array(a, n) for a, n in
             [(scale, "scale"), (bias, "bias"), (mean, "mean"), (var, "var"),
              (g, "g"), (gb, "gb"), (np.array([1, 72], np.int64), "shape")]]
    # IR version 3: every initializer is listed as a graph input too (a
    # constant unless the user says otherwise).
    listed = [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
              for t in inits]
    graph = helper.make_graph(
        nodes, "opset7",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3, 3])] + listed,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 7)])
    model.ir_version = 3
    bn = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
    bn = bn * scale[None, :, None, None] + bias[None, :, None, None]
    up = bn.repeat(2, axis=2).repeat(2, axis=3)
    flat = (3 * up).reshape(1, 72)[:, :36]
    save(out, model, [x], [(flat @ g + gb).astype(np.float32)])


if __name__ == "__main__":
    kinds = {"gru": gru, "transformer": transformer, "if": if_model,
             "opset7": opset7, "tf2onnx": tf2onnx}
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(f"usage: exporter_models.py {{{','.join(kinds)}}} DIR")
    kinds[sys.argv[1]](sys.argv[2])
