#!/usr/bin/python3
"""Writes a model of ConvTranspose variants, its inputs and its reference
outputs (a direct scatter in numpy): conv_transpose_model.py DIR.

Cases: 2-D stride 2 with asymmetric pads and output_padding and a bias;
grouped with dilation; output_shape larger than the natural size; SAME_UPPER;
1-D; 3-D. Filters are initializers (rearranged at compile time) except one
given as a graph input (rearranged at run time).
"""
import itertools
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_transpose(x, w, b, strides, pads, dilations, group, out_pad):
    sp = x.ndim - 2
    n, c = x.shape[:2]
    cg, mg = c // group, w.shape[1]
    k = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1
            + out_pad[i] for i in range(sp)]
    y = np.zeros([n, mg * group] + full, np.float64)
    for pos in itertools.product(*[range(s) for s in x.shape[2:]]):
        for tap in itertools.product(*[range(kk) for kk in k]):
            at = tuple(pos[i] * strides[i] + tap[i] * dilations[i]
                       for i in range(sp))
            for g in range(group):
                xs = x[(slice(None), slice(g * cg, (g + 1) * cg)) + pos]
                ws = w[(slice(g * cg, (g + 1) * cg), slice(None)) + tap]
                y[(slice(None), slice(g * mg, (g + 1) * mg)) + at] += xs @ ws
    crop = tuple(slice(pads[i], full[i] - pads[sp + i]) for i in range(sp))
    y = y[(slice(None), slice(None)) + crop]
    if b is not None:
        y += b.reshape([1, -1] + [1] * sp)
    return y.astype(np.float32)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 4, 5, 6)).astype(np.float32)
    x1 = rng.standard_normal((2, 3, 7)).astype(np.float32)
    x3 = rng.standard_normal((1, 2, 3, 4, 3)).astype(np.float32)
    w_a = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b_a = rng.standard_normal(3).astype(np.float32)
    w_b = rng.standard_normal((4, 2, 2, 3)).astype(np.float32)
    w_c = rng.standard_normal((3, 5, 4)).astype(np.float32)
    w_d = rng.standard_normal((2, 3, 2, 3, 2)).astype(np.float32)
    w_in = rng.standard_normal((4, 2, 3, 2)).astype(np.float32)
    F = TensorProto.FLOAT
    cases = [
        # name, inputs, attrs, reference
        ("stride_pads", ["x", "w_a", "b_a"],
         dict(strides=[2, 2], pads=[1, 0, 0, 2], output_padding=[1, 1]),
         conv_transpose(x, w_a, b_a, [2, 2], [1, 0, 0, 2], [1, 1], 1, [1, 1])),
        ("grouped_dilated", ["x", "w_b"],
         dict(group=2, dilations=[2, 1], strides=[1, 3]),
         conv_transpose(x, w_b, None, [1, 3], [0] * 4, [2, 1], 2, [0, 0])),
        # Natural size (5-1)*2+3 = 11 and (6-1)*2+3 = 13; asking for 12 x 14
        # pads the end with zeros.
        ("output_shape", ["x", "w_a"], dict(strides=[2, 2], output_shape=[12, 14]),
         np.pad(conv_transpose(x, w_a, None, [2, 2], [0] * 4, [1, 1], 1, [0, 0]),
                [(0, 0), (0, 0), (0, 1), (0, 1)])),
        # SAME_UPPER: output = input * stride; total padding 1 goes to the end.
        ("same_upper", ["x", "w_a"], dict(strides=[2, 2], auto_pad="SAME_UPPER"),
         conv_transpose(x, w_a, None, [2, 2], [0, 0, 1, 1], [1, 1], 1, [0, 0])),
        ("one_d", ["x1", "w_c"], dict(strides=[3], pads=[2, 1]),
         conv_transpose(x1, w_c, None, [3], [2, 1], [1], 1, [0])),
        ("three_d", ["x3", "w_d"], dict(strides=[2, 1, 2], pads=[0, 1, 0, 1, 0, 1]),
         conv_transpose(x3, w_d, None, [2, 1, 2], [0, 1, 0, 1, 0, 1], [1, 1, 1],
                        1, [0, 0, 0])),
        ("runtime_filter", ["x", "w_in"], dict(strides=[2, 1], group=2),
         conv_transpose(x, w_in, None, [2, 1], [0] * 4, [1, 1], 2, [0, 0])),
    ]
    nodes, outputs = [], []
    for i, (name, ins, attrs, ref) in enumerate(cases):
        nodes.append(helper.make_node("ConvTranspose", ins, [name], name=name,
                                      **attrs))
        outputs.append(helper.make_tensor_value_info(name, F, list(ref.shape)))
        np.save(os.path.join(out, "output_%d.npy" % i), ref)
    inits = [numpy_helper.from_array(v, nm) for nm, v in
             [("w_a", w_a), ("b_a", b_a), ("w_b", w_b), ("w_c", w_c),
              ("w_d", w_d)]]
    vi = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, "conv_transpose",
        [vi("x", F, list(x.shape)), vi("x1", F, list(x1.shape)),
         vi("x3", F, list(x3.shape)), vi("w_in", F, list(w_in.shape))],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for i, v in enumerate([x, x1, x3, w_in]):
        np.save(os.path.join(out, "input_%d.npy" % i), v)


if __name__ == "__main__":
    main(sys.argv[1])
