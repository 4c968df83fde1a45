#!/usr/bin/python3
"""Writes a one-kernel ONNX model for the assembly checks of each target:
kernel_models.py conv|depthwise|matmul OUT.onnx. Random weights, fixed seed.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def model(node, x_shape, y_shape, inits):
    graph = helper.make_graph(
        [node], node.op_type.lower(),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def conv():
    # 3x3 conv, 16 -> 32 channels over 16x16.
    return model(helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv",
                                  pads=[1, 1, 1, 1]),
                 [1, 16, 16, 16], [1, 32, 16, 16],
                 {"w": rng.standard_normal((32, 16, 3, 3)), "b": rng.standard_normal(32)})


def depthwise():
    # 3x3 depthwise conv over 32 channels.
    return model(helper.make_node("Conv", ["x", "w", "b"], ["y"], name="depthwise",
                                  pads=[1, 1, 1, 1], group=32),
                 [1, 32, 16, 16], [1, 32, 16, 16],
                 {"w": rng.standard_normal((32, 1, 3, 3)), "b": rng.standard_normal(32)})


def matmul():
    # 16 x 64 times 64 x 64.
    return model(helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul"),
                 [16, 64], [16, 64], {"w": rng.standard_normal((64, 64))})


if __name__ == "__main__":
    onnx.save({"conv": conv, "depthwise": depthwise, "matmul": matmul}[sys.argv[1]](),
              sys.argv[2])
