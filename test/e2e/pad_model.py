#!/usr/bin/python3
"""Writes a model of Pad in every mode (constant, edge, reflect, wrap), with
negative pads (crops) and wrap pads longer than the dimension, its inputs and
numpy's np.pad results as references: pad_model.py DIR.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CASES = [  # name, mode, pads (begins then ends), constant value
    ("constant", "constant", [0, 1, -1, 1, 0, 2], 1.5),
    ("edge", "edge", [1, 0, 2, 0, 2, 1], None),
    ("reflect", "reflect", [1, 2, 3, 0, 1, 2], None),
    ("wrap", "wrap", [0, 4, 5, 1, 0, 9], None),
    ("reflect_crop", "reflect", [0, -1, 1, 0, 0, -1], None),
]


def reference(x, mode, pads, value):
    rank = x.ndim
    crop = tuple(slice(max(-pads[d], 0), x.shape[d] - max(-pads[d + rank], 0))
                 for d in range(rank))
    widths = [(max(pads[d], 0), max(pads[d + rank], 0)) for d in range(rank)]
    kw = {"constant_values": value} if mode == "constant" else {}
    return np.pad(x[crop], widths, mode=mode, **kw)


def main(out):
    os.makedirs(out, exist_ok=True)
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3
    nodes, inits, outputs = [], [], []
    for name, mode, pads, value in CASES:
        ins = ["x", name + "_pads"]
        inits.append(numpy_helper.from_array(np.array(pads, np.int64),
                                             name + "_pads"))
        if value is not None:
            ins.append(name + "_value")
            inits.append(numpy_helper.from_array(np.array(value, np.float32),
                                                 name + "_value"))
        nodes.append(helper.make_node("Pad", ins, [name], name=name, mode=mode))
        ref = reference(x, mode, pads, value)
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                     list(ref.shape)))
        np.save(os.path.join(out, "output_%d.npy" % (len(outputs) - 1)), ref)
    graph = helper.make_graph(
        nodes, "pads",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        outputs, inits)
    # Pad's 'wrap' mode is opset 19 (newer than Debian's onnx package checks).
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    onnx.save(model, os.path.join(out, "model.onnx"))
    np.save(os.path.join(out, "input_0.npy"), x)


if __name__ == "__main__":
    main(sys.argv[1])
