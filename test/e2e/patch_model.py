#!/usr/bin/python3
"""Writes a small CNN for patch-based execution (--memory=min) and its input:
patch_model.py DIR. Its first layers cover what a band must get right: an
odd height, a strided conv and a dilated one with pads, max and average
pooling (pads not counted), a residual Add, a per-channel and a per-pixel
operand, activations; a global pool and a Gemm end the row-local stage.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    inits = []

    def const(name, shape, scale=0.3):
        inits.append(numpy_helper.from_array(
            (rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    nodes = [
        helper.make_node("Conv", ["x", const("w0", [8, 3, 3, 3]),
                                  const("b0", [8])], ["c0"], name="conv0",
                         strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["c0", "lo", "hi"], ["a0"], name="clip0"),
        helper.make_node("Conv", ["a0", const("w1", [8, 1, 3, 3])], ["c1"],
                         name="dw1", group=8, dilations=[2, 2],
                         pads=[2, 2, 2, 2]),
        helper.make_node("Add", ["c1", "a0"], ["r1"], name="residual"),
        helper.make_node("Mul", ["r1", const("pix", [1, 1, 75, 15], 1.0)],
                         ["m1"], name="per_pixel"),
        helper.make_node("Sigmoid", ["m1"], ["s1"], name="sigmoid"),
        helper.make_node("MaxPool", ["s1"], ["p1"], name="maxpool",
                         kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["p1", const("w2", [16, 8, 1, 1]),
                                  const("b2", [16])], ["c2"], name="pw2"),
        helper.make_node("Add", ["c2", const("chan", [16, 1, 1], 1.0)],
                         ["a2"], name="per_channel"),
        helper.make_node("AveragePool", ["a2"], ["p2"], name="avgpool",
                         kernel_shape=[3, 3], strides=[1, 1],
                         pads=[1, 1, 1, 1], count_include_pad=0),
        helper.make_node("Relu", ["p2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", const("wf", [16, 10]),
                                  const("bf", [10])], ["y"], name="fc"),
    ]
    inits.append(numpy_helper.from_array(np.array(0, np.float32), "lo"))
    inits.append(numpy_helper.from_array(np.array(6, np.float32), "hi"))
    graph = helper.make_graph(
        nodes, "patch",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 149, 29])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    x = rng.standard_normal([1, 3, 149, 29]).astype(np.float32) * 2
    np.save(os.path.join(out, "input_0.npy"), x)


if __name__ == "__main__":
    main(sys.argv[1])
