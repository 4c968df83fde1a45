#!/usr/bin/python3
"""Writes a model of 1-D and 3-D convolutions and pooling, its inputs and its
reference outputs (computed here with plain numpy loops): spatial_model.py DIR.

Covers what the 2-D paths of the shared models do not: 3-D Conv (plain with
bias and asymmetric pads, grouped with dilation and strides), 3-D MaxPool and
AveragePool in ceil mode with asymmetric pads, and MaxPool's Indices output
in both storage orders, 1-D and 3-D.
"""
import itertools
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def out_size(n, k, s, d, pb, pe, ceil):
    span = n + pb + pe - ((k - 1) * d + 1)
    o = (-(-span // s) if ceil else span // s) + 1
    if ceil and (o - 1) * s >= n + pb:
        o -= 1
    return o


def conv(x, w, b, strides, pads, dilations, group, dtype=np.float32):
    sp = x.ndim - 2
    n, c = x.shape[:2]
    f, cg = w.shape[:2]
    k = w.shape[2:]
    outs = [out_size(x.shape[2 + i], k[i], strides[i], dilations[i], pads[i],
                     pads[sp + i], False) for i in range(sp)]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[sp + i]) for i in range(sp)])
    y = np.zeros([n, f] + outs, np.float64)
    fg = f // group
    for pos in itertools.product(*[range(o) for o in outs]):
        sl = tuple(slice(pos[i] * strides[i],
                         pos[i] * strides[i] + (k[i] - 1) * dilations[i] + 1,
                         dilations[i]) for i in range(sp))
        for g in range(group):
            win = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + sl]
            wg = w[g * fg:(g + 1) * fg]
            y[(slice(None), slice(g * fg, (g + 1) * fg)) + pos] = np.tensordot(
                win, wg, axes=(list(range(1, sp + 2)), list(range(1, sp + 2))))
    return (y + np.asarray(b).reshape([1, f] + [1] * sp)).astype(dtype)


def pool(x, kernel, strides, pads, ceil, mode, count_include_pad=0,
         storage_order=0, dtype=np.float32):
    """Max (with indices) or average pooling by direct enumeration."""
    sp = x.ndim - 2
    n, c = x.shape[:2]
    dims = x.shape[2:]
    outs = [out_size(dims[i], kernel[i], strides[i], 1, pads[i], pads[sp + i],
                     ceil) for i in range(sp)]
    y = np.zeros([n, c] + outs, dtype)
    idx = np.zeros([n, c] + outs, np.int64)
    for b, ch in itertools.product(range(n), range(c)):
        for pos in itertools.product(*[range(o) for o in outs]):
            best, best_at, total, count = -np.inf, -1, 0.0, 0
            for tap in itertools.product(*[range(kk) for kk in kernel]):
                at = [pos[i] * strides[i] - pads[i] + tap[i] for i in range(sp)]
                inside = all(0 <= at[i] < dims[i] for i in range(sp))
                in_padded = all(-pads[i] <= at[i] < dims[i] + pads[sp + i]
                                for i in range(sp))
                if not inside:
                    count += count_include_pad and in_padded
                    continue
                v = x[(b, ch) + tuple(at)]
                total += v
                count += 1
                if v > best:
                    best = v
                    order = range(sp) if storage_order else reversed(range(sp))
                    flat, stride = 0, 1
                    for i in order:
                        flat += at[i] * stride
                        stride *= dims[i]
                    best_at = (b * c + ch) * math.prod(dims) + flat
            if mode == "max":
                y[(b, ch) + pos], idx[(b, ch) + pos] = best, best_at
            else:
                y[(b, ch) + pos] = total / count
    return y, idx


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    x3 = rng.standard_normal((1, 4, 5, 6, 7)).astype(np.float32)
    x1 = rng.standard_normal((2, 3, 10)).astype(np.float32)
    w1 = rng.standard_normal((6, 4, 3, 3, 3)).astype(np.float32) * 0.2
    b1 = rng.standard_normal(6).astype(np.float32)
    w2 = rng.standard_normal((4, 2, 2, 2, 2)).astype(np.float32) * 0.3

    f = TensorProto.FLOAT
    i64 = TensorProto.INT64
    conv1 = dict(strides=[1, 2, 1], pads=[1, 0, 1, 1, 1, 0], dilations=[1, 1, 1])
    conv2 = dict(strides=[1, 1, 2], pads=[0, 0, 0, 0, 0, 0], dilations=[2, 1, 1],
                 group=2)
    mp3 = dict(kernel_shape=[2, 2, 3], strides=[2, 2, 2], pads=[0, 1, 1, 1, 0, 1],
               ceil_mode=1)
    ap3 = dict(kernel_shape=[3, 2, 2], strides=[2, 2, 2], pads=[1, 1, 0, 1, 0, 1],
               ceil_mode=1, count_include_pad=0)
    mp1 = dict(kernel_shape=[3], strides=[2], pads=[1, 1])
    nodes = [
        helper.make_node("Conv", ["x3", "w1", "b1"], ["conv3d"], name="conv3d",
                         **conv1),
        helper.make_node("Conv", ["x3", "w2"], ["conv3d_grouped"],
                         name="conv3d_grouped", **conv2),
        helper.make_node("MaxPool", ["x3"], ["max3d", "max3d_indices"],
                         name="max3d", storage_order=1, **mp3),
        helper.make_node("AveragePool", ["x3"], ["avg3d"], name="avg3d", **ap3),
        helper.make_node("MaxPool", ["x1"], ["max1d", "max1d_indices"],
                         name="max1d", **mp1),
    ]
    ref = {
        "conv3d": conv(x3, w1, b1, conv1["strides"], conv1["pads"],
                       conv1["dilations"], 1),
        "conv3d_grouped": conv(x3, w2, np.zeros(4), conv2["strides"],
                               conv2["pads"], conv2["dilations"], 2),
    }
    ref["max3d"], ref["max3d_indices"] = pool(
        x3, mp3["kernel_shape"], mp3["strides"], mp3["pads"], True, "max",
        storage_order=1)
    ref["avg3d"], _ = pool(x3, ap3["kernel_shape"], ap3["strides"], ap3["pads"],
                           True, "avg", count_include_pad=0)
    ref["max1d"], ref["max1d_indices"] = pool(
        x1, mp1["kernel_shape"], mp1["strides"], mp1["pads"], False, "max")
    names = ["conv3d", "conv3d_grouped", "max3d", "max3d_indices", "avg3d",
             "max1d", "max1d_indices"]
    vi = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, "spatial",
        [vi("x3", f, list(x3.shape)), vi("x1", f, list(x1.shape))],
        [vi(nm, i64 if nm.endswith("indices") else f, list(ref[nm].shape))
         for nm in names],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(w2, "w2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    np.save(os.path.join(out, "input_0.npy"), x3)
    np.save(os.path.join(out, "input_1.npy"), x1)
    for i, nm in enumerate(names):
        np.save(os.path.join(out, "output_%d.npy" % i), ref[nm])


if __name__ == "__main__":
    main(sys.argv[1])
