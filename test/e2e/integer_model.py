#!/usr/bin/python3
"""Writes a model on unsigned and boolean data, its inputs and its reference
outputs (computed with numpy): integer_model.py DIR.

Every output depends on the data being treated as unsigned (200 / 3 is 66 for
uint8, not -18; Clip keeps 200 between 10 and 250) or on ONNX's bool
conversion (2 becomes true, not 0), so a signed or truncating lowering fails
the exact comparison.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(out):
    os.makedirs(out, exist_ok=True)
    u8 = TensorProto.UINT8
    nodes = [
        helper.make_node("MaxPool", ["img"], ["pool"], kernel_shape=[2, 2],
                         strides=[2, 2], name="pool"),
        helper.make_node("Cast", ["img"], ["imgf"], to=TensorProto.FLOAT,
                         name="to_float"),
        helper.make_node("Div", ["imgf", "k255"], ["norm"], name="normalize"),
        helper.make_node("Div", ["a", "b"], ["quot"], name="div"),
        helper.make_node("Clip", ["a", "lo", "hi"], ["clip"], name="clip"),
        helper.make_node("Cast", ["a"], ["abool"], to=TensorProto.BOOL,
                         name="to_bool"),
        helper.make_node("Cast", ["abool"], ["nonzero"], to=TensorProto.FLOAT,
                         name="from_bool"),
        helper.make_node("Max", ["a", "b"], ["max"], name="max"),
        helper.make_node("Cast", ["a"], ["wide"], to=TensorProto.INT32,
                         name="widen"),
        helper.make_node("Neg", ["s"], ["neg"], name="neg"),
    ]
    inits = [numpy_helper.from_array(np.array(255, np.float32), "k255"),
             numpy_helper.from_array(np.array(10, np.uint8), "lo"),
             numpy_helper.from_array(np.array(250, np.uint8), "hi")]
    vi = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, "integers",
        [vi("img", u8, [1, 2, 4, 4]), vi("a", u8, [6]), vi("b", u8, [6]),
         vi("s", TensorProto.INT8, [6])],
        [vi("pool", u8, [1, 2, 2, 2]), vi("norm", TensorProto.FLOAT, [1, 2, 4, 4]),
         vi("quot", u8, [6]), vi("clip", u8, [6]),
         vi("nonzero", TensorProto.FLOAT, [6]), vi("max", u8, [6]),
         vi("wide", TensorProto.INT32, [6]), vi("neg", TensorProto.INT8, [6])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))

    img = np.arange(32, dtype=np.int64).reshape(1, 2, 4, 4) * 8 % 256
    img = img.astype(np.uint8)
    img[0, 1, 3, 3] = 255
    a = np.array([200, 2, 0, 255, 9, 130], np.uint8)
    b = np.array([3, 7, 1, 2, 250, 129], np.uint8)
    s = np.array([-128, -3, 0, 5, 127, -1], np.int8)
    for i, x in enumerate([img, a, b, s]):
        np.save(os.path.join(out, f"input_{i}.npy"), x)
    refs = [
        img.reshape(1, 2, 2, 2, 2, 2).max(axis=(3, 5)),
        img.astype(np.float32) / np.float32(255),
        a // b,
        np.clip(a, 10, 250).astype(np.uint8),
        (a != 0).astype(np.float32),
        np.maximum(a, b),
        a.astype(np.int32),
        -s,  # int8 wraps: -(-128) is -128
    ]
    for i, r in enumerate(refs):
        np.save(os.path.join(out, f"output_{i}.npy"), r)


if __name__ == "__main__":
    main(sys.argv[1])
