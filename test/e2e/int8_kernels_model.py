#!/usr/bin/python3
"""A QDQ model through every integer kernel the quant fold builds, and its
reference. int8_kernels_model.py DIR [int8|uint8] writes DIR/model.onnx,
DIR/input_0.npy and DIR/output_0.npy (the quantized output).

The graph (activations quantized per tensor with the given storage type,
weights int8 per output channel, biases int32 at s_x * s_w): a 3x3 conv +
Relu, a depthwise 3x3 stride-2 conv + Clip(0, 6), a grouped (2 groups) conv,
a depthwise conv with channel multiplier 2, a 1x1 conv, a Gemm (transB) and
a MatMul on a 3-D input. The reference follows ONNX's QDQ semantics in
float64 (DequantizeLinear, the float op, QuantizeLinear with round half to
even and saturation); an integer kernel may differ from it by one step
where the float64 sum lands on a rounding tie.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
out_dir, kind = sys.argv[1], sys.argv[2]
unsigned = kind == "uint8"
qtype = TensorProto.UINT8 if unsigned else TensorProto.INT8
lo, hi = (0, 255) if unsigned else (-128, 127)
npq = np.uint8 if unsigned else np.int8

nodes, inits = [], []
counter = [0]


def name(prefix):
    counter[0] += 1
    return f"{prefix}{counter[0]}"


def const(array, prefix):
    n = name(prefix)
    inits.append(numpy_helper.from_array(array, n))
    return n


def quantize(x, scale, zp):
    return np.clip(np.round(x / scale) + zp, lo, hi)


def qdq(tensor, value, scale, zp):
    """Q then DQ of an activation: returns (new tensor name, its value)."""
    s, z = const(np.array(scale, np.float32), "s"), const(np.array(zp, npq), "z")
    q, d = name("q"), name("dq")
    nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [q], name=q))
    nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [d], name=d))
    return d, (quantize(value, np.float32(scale), zp) - zp) * np.float64(np.float32(scale))


def weights(shape, x_scale, axis=0):
    """int8 per-channel weights and an int32 bias: DQ'd names and values."""
    w = rng.integers(-127, 128, size=shape).astype(np.int8)
    channels = shape[axis]
    fan_in = int(np.prod(shape)) // channels
    ws = (rng.uniform(0.5, 1.5, size=channels) / (127 * np.sqrt(fan_in))).astype(np.float32)
    wz = np.zeros(channels, np.int8)
    b = rng.integers(-2000, 2000, size=channels).astype(np.int32)
    bs = (np.float32(x_scale) * ws).astype(np.float32)
    wq, wd = const(w, "w"), name("wd")
    nodes.append(helper.make_node("DequantizeLinear", [wq, const(ws, "ws"), const(wz, "wz")],
                                  [wd], name=wd, axis=axis))
    bq, bd = const(b, "b"), name("bd")
    nodes.append(helper.make_node("DequantizeLinear", [bq, const(bs, "bs"), const(np.zeros(channels, np.int32), "bz")],
                                  [bd], name=bd, axis=0))
    shape_b = [1] * len(shape)
    shape_b[axis] = channels
    wv = w.astype(np.float64) * ws.astype(np.float64).reshape(shape_b)
    return wd, wv, bd, b.astype(np.float64) * bs.astype(np.float64)


def conv_ref(x, w, b, stride, pad, group):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    y = np.zeros((n, f, oh, ow))
    fg = f // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch, w[g * fg:(g + 1) * fg, :, i, j])
    return y + b.reshape(1, f, 1, 1)


def conv(x, xv, x_scale, f, k, stride=1, pad=0, group=1, act=None):
    c = xv.shape[1]
    wd, wv, bd, bv = weights((f, c // group, k, k), x_scale)
    y = name("conv")
    nodes.append(helper.make_node("Conv", [x, wd, bd], [y], name=y, pads=[pad] * 4,
                                  strides=[stride, stride], group=group))
    yv = conv_ref(xv, wv, bv, stride, pad, group)
    if act == "relu":
        r = name("relu")
        nodes.append(helper.make_node("Relu", [y], [r], name=r))
        y, yv = r, np.maximum(yv, 0)
    elif act == "clip":
        r = name("clip")
        nodes.append(helper.make_node("Clip", [y, const(np.array(0, np.float32), "lo"),
                                               const(np.array(6, np.float32), "hi")], [r], name=r))
        y, yv = r, np.clip(yv, 0, 6)
    return y, yv


def act_params(v):
    """Scale and zero point covering v's range, as a calibrator would."""
    mn, mx = min(v.min(), 0.0), max(v.max(), 0.0)
    scale = float(np.float32((mx - mn) / 255.0))
    zp = int(np.clip(np.round(lo - mn / scale), lo, hi))
    return scale, zp


x = rng.standard_normal((1, 4, 10, 10)).astype(np.float32)
t, v = qdq("x", x.astype(np.float64), 0.03, 5 if not unsigned else 128)
s = 0.03
for spec in [dict(f=8, k=3, pad=1, act="relu"),
             dict(f=8, k=3, stride=2, pad=1, group=8, act="clip"),
             dict(f=8, k=3, pad=1, group=2),
             dict(f=16, k=3, pad=1, group=8),
             dict(f=12, k=1)]:
    t, v = conv(t, v, s, **spec)
    s, z = act_params(v)
    t, v = qdq(t, v, s, z)

# Gemm (transB) on the flattened features, then a MatMul on a 3-D view.
flat = name("flat")
nodes.append(helper.make_node("Flatten", [t], [flat], name=flat))
v = v.reshape(1, -1)
k = v.shape[1]
wd, wv, bd, bv = weights((24, k), s, axis=0)
g = name("gemm")
nodes.append(helper.make_node("Gemm", [flat, wd, bd], [g], name=g, transB=1))
v = v @ wv.T + bv
s, z = act_params(v)
t, v = qdq(g, v, s, z)
r = name("reshape")
nodes.append(helper.make_node("Reshape", [t, const(np.array([1, 3, 8], np.int64), "shape")], [r], name=r))
v = v.reshape(1, 3, 8)
w = rng.integers(-127, 128, size=(8, 16)).astype(np.int8)
ws = (rng.uniform(0.5, 1.5, size=16) / (127 * np.sqrt(8))).astype(np.float32)
wdq = name("wd")
nodes.append(helper.make_node("DequantizeLinear", [const(w, "w"), const(ws, "ws"), const(np.zeros(16, np.int8), "wz")],
                              [wdq], name=wdq, axis=1))
mm = name("matmul")
nodes.append(helper.make_node("MatMul", [r, wdq], [mm], name=mm))
v = v @ (w.astype(np.float64) * ws.astype(np.float64))
s, z = act_params(v)
# The output is the quantized tensor itself (int8/uint8 out).
nodes.append(helper.make_node("QuantizeLinear", [mm, const(np.array(s, np.float32), "s"),
                                                 const(np.array(z, npq), "z")], ["y"], name="y"))
v = quantize(v, np.float32(s), z).astype(npq)

graph = helper.make_graph(nodes, "int8_kernels",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 10, 10])],
                          [helper.make_tensor_value_info("y", qtype, [1, 3, 16])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(out_dir, exist_ok=True)
onnx.save(model, os.path.join(out_dir, "model.onnx"))
np.save(os.path.join(out_dir, "input_0.npy"), x)
np.save(os.path.join(out_dir, "output_0.npy"), v)
