#!/usr/bin/python3
"""Writes a model of 3x3 stride-1 convolutions that edgec computes with
Winograd's minimal filtering, its inputs and numpy references (a direct
convolution in float64): winograd_model.py DIR. Odd heights and widths (the
tiles padded), pads 1 and 0, biases and a ReLU; F(4x4, 3x3) on the 29 x 31
layers, F(2x2, 3x3) on the 13 x 13 one (too few 4 x 4 tiles).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv(x, w, b, pad):
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    f = w.shape[0]
    out = np.zeros((n, f, h - 2, wd - 2))
    for i in range(3):
        for j in range(3):
            out += np.einsum("nchw,fc->nfhw", x[:, :, i:i + h - 2, j:j + wd - 2],
                             w[:, :, i, j].astype(np.float64))
    return out + b.reshape(1, -1, 1, 1)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(3)
    x = rng.standard_normal([1, 16, 29, 31]).astype(np.float32)
    x2 = rng.standard_normal([1, 32, 13, 13]).astype(np.float32)
    layers = [("a", 16, 24, 1), ("b", 24, 32, 0)]
    params, inits, nodes = {}, [], []
    for name, c, f, _ in layers + [("c", 32, 64, 1)]:
        w = (rng.standard_normal([f, c, 3, 3]) / np.sqrt(9 * c)).astype(np.float32)
        b = (rng.standard_normal([f]) * 0.1).astype(np.float32)
        params[name] = (w, b)
        inits += [numpy_helper.from_array(w, "w" + name),
                  numpy_helper.from_array(b, "b" + name)]
    nodes.append(helper.make_node("Conv", ["x", "wa", "ba"], ["ya"], name="conv_a",
                                  pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["ya"], ["ra"], name="relu_a"))
    nodes.append(helper.make_node("Conv", ["ra", "wb", "bb"], ["y"], name="conv_b",
                                  pads=[0, 0, 0, 0]))
    nodes.append(helper.make_node("Conv", ["x2", "wc", "bc"], ["y2"], name="conv_c",
                                  pads=[1, 1, 1, 1]))
    ya = np.maximum(conv(x, *params["a"], 1), 0)
    y = conv(ya, *params["b"], 0)
    y2 = conv(x2, *params["c"], 1)
    graph = helper.make_graph(
        nodes, "winograd",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape)),
         helper.make_tensor_value_info("x2", TensorProto.FLOAT, list(x2.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape)),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, list(y2.shape))],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    np.save(os.path.join(out, "input_0.npy"), x)
    np.save(os.path.join(out, "input_1.npy"), x2)
    np.save(os.path.join(out, "output_0.npy"), y.astype(np.float32))
    np.save(os.path.join(out, "output_1.npy"), y2.astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1])
