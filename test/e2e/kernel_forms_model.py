#!/usr/bin/python3
"""Writes a model of the kernels vectorized through a lowering-config form or
as batched generics, its inputs and its reference outputs (numpy, in
float64): kernel_forms_model.py DIR.

Cases: grouped 2-D convolutions (4 groups of 3 filters, and 2 groups of 32
filters with stride 2 and a bias), depthwise convolutions with channel
multiplier 2 (with bias and Relu, stride 2) and 3, batched MatMul (batch
dims broadcast both ways, and one operand transposed first), a 3-D
convolution whose width has no good divisor.
"""
import itertools
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv(x, w, b, strides, pads, group):
    """Direct convolution of any spatial rank (dilation 1)."""
    sp = x.ndim - 2
    n, c = x.shape[:2]
    f, cg = w.shape[:2]
    k = w.shape[2:]
    xp = np.pad(x.astype(np.float64),
                [(0, 0), (0, 0)] + [(pads[i], pads[sp + i]) for i in range(sp)])
    outs = [(xp.shape[2 + i] - k[i]) // strides[i] + 1 for i in range(sp)]
    y = np.zeros([n, f] + outs, np.float64)
    fg = f // group
    for pos in itertools.product(*[range(o) for o in outs]):
        window = tuple(slice(pos[i] * strides[i], pos[i] * strides[i] + k[i])
                       for i in range(sp))
        for g in range(group):
            xs = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + window]
            ws = w[g * fg:(g + 1) * fg].astype(np.float64)
            y[(slice(None), slice(g * fg, (g + 1) * fg)) + pos] = np.tensordot(
                xs, ws, axes=(list(range(1, sp + 2)), list(range(1, sp + 2))))
    if b is not None:
        y += b.reshape([1, -1] + [1] * sp)
    return y


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(5)
    F = TensorProto.FLOAT

    def rand(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x = rand(1, 12, 10, 14)
    x3 = rand(1, 4, 4, 6, 13)
    a = rand(2, 1, 16, 24)
    bm = rand(3, 24, 40)
    c = rand(2, 8, 12)
    d = rand(2, 20, 12)
    w_g4 = rand(12, 3, 3, 3)
    w_g2 = rand(64, 6, 3, 3)
    b_g2 = rand(64)
    w_m2 = rand(24, 1, 3, 3)
    b_m2 = rand(24)
    w_m3 = rand(36, 1, 5, 3)
    w_3d = rand(32, 4, 3, 3, 3)
    inits = {"w_g4": w_g4, "w_g2": w_g2, "b_g2": b_g2, "w_m2": w_m2,
             "b_m2": b_m2, "w_m3": w_m3, "w_3d": w_3d}
    nodes, outputs, refs = [], [], []

    def add(name, op, ins, ref, **attrs):
        nodes.append(helper.make_node(op, ins, [name], name=name, **attrs))
        outputs.append(helper.make_tensor_value_info(name, F, list(ref.shape)))
        refs.append(ref.astype(np.float32))

    add("grouped_4", "Conv", ["x", "w_g4"],
        conv(x, w_g4, None, [1, 1], [1, 1, 1, 1], 4), group=4,
        pads=[1, 1, 1, 1])
    add("grouped_2", "Conv", ["x", "w_g2", "b_g2"],
        conv(x, w_g2, b_g2, [2, 2], [0, 1, 0, 1], 2), group=2,
        strides=[2, 2], pads=[0, 1, 0, 1])
    m2 = conv(x, w_m2, b_m2, [2, 2], [1, 1, 1, 1], 12)
    nodes.append(helper.make_node("Conv", ["x", "w_m2", "b_m2"], ["m2"],
                                  name="multiplier_2", group=12,
                                  strides=[2, 2], pads=[1, 1, 1, 1]))
    add("multiplier_2_relu", "Relu", ["m2"], np.maximum(m2, 0))
    add("multiplier_3", "Conv", ["x", "w_m3"],
        conv(x, w_m3, None, [1, 1], [2, 1, 2, 1], 12), group=12,
        pads=[2, 1, 2, 1])
    add("batched", "MatMul", ["a", "bm"],
        np.matmul(a.astype(np.float64), bm.astype(np.float64)))
    nodes.append(helper.make_node("Transpose", ["d"], ["dt"], name="dt",
                                  perm=[0, 2, 1]))
    add("batched_transposed", "MatMul", ["c", "dt"],
        np.matmul(c.astype(np.float64),
                  d.astype(np.float64).transpose(0, 2, 1)))
    add("conv_3d", "Conv", ["x3", "w_3d"],
        conv(x3, w_3d, None, [1, 1, 1], [1, 0, 1, 1, 0, 1], 1),
        pads=[1, 0, 1, 1, 0, 1])

    inputs = [("x", x), ("x3", x3), ("a", a), ("bm", bm), ("c", c), ("d", d)]
    graph = helper.make_graph(
        nodes, "kernel_forms",
        [helper.make_tensor_value_info(n, F, list(v.shape)) for n, v in inputs],
        outputs, [numpy_helper.from_array(v, n) for n, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for i, (_, v) in enumerate(inputs):
        np.save(os.path.join(out, "input_%d.npy" % i), v)
    for i, ref in enumerate(refs):
        np.save(os.path.join(out, "output_%d.npy" % i), ref)


if __name__ == "__main__":
    main(sys.argv[1])
