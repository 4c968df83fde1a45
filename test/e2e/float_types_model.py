#!/usr/bin/python3
"""Writes a model computing in float64 and float16 (Conv, AveragePool,
Gemm, Softmax), its inputs and its references (numpy in float64, from the
same rounded inputs and weights): float_types_model.py DIR.

AveragePool's divisors are built at compile time in the element type; they
were once written as float32 bits into a float16/float64 constant.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spatial_model import conv, pool  # noqa: E402


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(5)
    nodes, inputs, outputs, inits, refs = [], [], [], [], []
    for tag, npt, code in [("f64", np.float64, TensorProto.DOUBLE),
                           ("f16", np.float16, TensorProto.FLOAT16)]:
        x = rng.standard_normal((1, 3, 7, 7)).astype(npt)
        v = rng.standard_normal((2, 12)).astype(npt)
        w = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(npt)
        b = rng.standard_normal(4).astype(npt)
        g = (rng.standard_normal((12, 5)) * 0.3).astype(npt)
        xd, vd, wd, bd, gd = (a.astype(np.float64) for a in (x, v, w, b, g))
        n = lambda s: f"{s}_{tag}"  # noqa: E731
        nodes += [
            helper.make_node("AveragePool", [n("x")], [n("avg")],
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                             strides=[2, 2], count_include_pad=0),
            helper.make_node("Conv", [n("x"), n("w"), n("b")], [n("conv")],
                             pads=[1, 1, 1, 1]),
            helper.make_node("Gemm", [n("v"), n("g")], [n("gemm")]),
            helper.make_node("Softmax", [n("v")], [n("softmax")], axis=1),
        ]
        inputs += [helper.make_tensor_value_info(n("x"), code, list(x.shape)),
                   helper.make_tensor_value_info(n("v"), code, list(v.shape))]
        inits += [numpy_helper.from_array(w, n("w")),
                  numpy_helper.from_array(b, n("b")),
                  numpy_helper.from_array(g, n("g"))]
        ref = {
            "avg": pool(xd, [3, 3], [2, 2], [1, 1, 1, 1], False, "avg",
                        dtype=np.float64)[0],
            "conv": conv(xd, wd, bd, [1, 1], [1, 1, 1, 1], [1, 1], 1,
                         dtype=np.float64),
            "gemm": vd @ gd,
            "softmax": softmax(vd),
        }
        for name in ["avg", "conv", "gemm", "softmax"]:
            r = ref[name].astype(npt)
            outputs.append(helper.make_tensor_value_info(n(name), code,
                                                         list(r.shape)))
            refs.append(r)
        np.save(os.path.join(out, f"input_{len(inputs) - 2}.npy"), x)
        np.save(os.path.join(out, f"input_{len(inputs) - 1}.npy"), v)
    graph = helper.make_graph(nodes, "float_types", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for i, r in enumerate(refs):
        np.save(os.path.join(out, f"output_{i}.npy"), r)


if __name__ == "__main__":
    main(sys.argv[1])
