#!/usr/bin/python3
"""A small residual CNN quantized the way ONNX Runtime's quantizer writes it,
in both of its formats, and an integer reference of ONNX Runtime's kernels.

    quantized_cnn.py make DIR     DIR/qop.onnx, DIR/qdq.onnx, DIR/input_0.npy
    quantized_cnn.py check DIR OUT [OUT ...]

The float network (random weights, fixed seed):

    x[2,3,8,8] -> Conv 3x3 (8 filters, pad 1) -> Relu -> a
    a -> Conv 3x3 (8 filters, pad 1) -> b;  c = a + b
    c -> GlobalAveragePool -> Flatten -> MatMul [8,16] -> y

quantized with uint8 activations (asymmetric, ranges calibrated on the
input), int8 weights symmetric per output channel (per column for the
MatMul) and int32 biases of scale x_scale * w_scale:

  qop.onnx  (QOperator): QuantizeLinear, QLinearConv, QLinearAdd and
            QLinearGlobalAveragePool (com.microsoft), Flatten, QLinearMatMul;
  qdq.onnx  (QDQ): QuantizeLinear/DequantizeLinear pairs around float Conv,
            Relu, Add, GlobalAveragePool, Flatten and MatMul.

Both output c and y as uint8. `check` computes them as ONNX Runtime's
kernels do (int32 accumulation, float requantization, round half to even)
and compares each OUT/output_<i>.npy: it prints one line per output and
format ('exact' or 'within 1 LSB (K of N values)') and exits 1 if any value
is off by more than one.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = np.float32


def float_net(rng):
    w1 = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(F32)
    b1 = rng.normal(0, 0.1, 8).astype(F32)
    w2 = rng.normal(0, 0.15, (8, 8, 3, 3)).astype(F32)
    b2 = rng.normal(0, 0.1, 8).astype(F32)
    w3 = rng.normal(0, 0.4, (8, 16)).astype(F32)
    return w1, b1, w2, b2, w3


def conv_f(x, w, b):
    """3x3 convolution, pad 1, stride 1, in float64."""
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(np.float64)
    y = np.zeros((n, w.shape[0], h, wd))
    for i in range(3):
        for j in range(3):
            y += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return y + b.reshape(1, -1, 1, 1)


def act_params(v):
    """uint8 asymmetric parameters covering v (and 0)."""
    lo, hi = min(float(v.min()), 0.0), max(float(v.max()), 0.0)
    scale = F32((hi - lo) / 255.0)
    return scale, np.uint8(np.clip(np.rint(-lo / scale), 0, 255))


def weight_scales(w, axis):
    other = tuple(a for a in range(w.ndim) if a != axis)
    return (np.abs(w).max(axis=other) / 127.0).astype(F32)


def quantize_weights(w, scales, axis):
    shape = [1] * w.ndim
    shape[axis] = -1
    return np.clip(np.rint(w / scales.reshape(shape)), -127, 127).astype(np.int8)


def quantize(v, scale, zp, dtype=np.uint8):
    info = np.iinfo(dtype)
    return np.clip(np.rint(np.asarray(v, F32) / F32(scale)) + int(zp),
                   info.min, info.max).astype(dtype)


def requantize(acc, scale, zp):
    """MlasRequantizeOutput: round(float(acc) * scale) + zp, saturated."""
    v = np.rint(acc.astype(F32) * scale.astype(F32))
    return np.clip(v + int(zp), 0, 255).astype(np.uint8)


def params(seed=3):
    """The quantized network: weights, biases and every activation's
    parameters, calibrated on the test input."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (2, 3, 8, 8)).astype(F32)
    w1, b1, w2, b2, w3 = float_net(rng)
    a = np.maximum(conv_f(x, w1, b1), 0)
    b = conv_f(a, w2, b2)
    c = a + b
    g = c.mean(axis=(2, 3))
    y = g @ w3
    p = {"x": x}
    for name, v in [("x", x), ("a", a), ("b", b), ("c", c), ("g", g), ("y", y)]:
        p[name + "_scale"], p[name + "_zp"] = act_params(v)
    p["a_zp"] = np.uint8(0)  # the Relu: a's range starts at 0
    for name, w, axis in [("w1", w1, 0), ("w2", w2, 0), ("w3", w3, 1)]:
        p[name + "_scale"] = weight_scales(w, axis)
        p[name] = quantize_weights(w, p[name + "_scale"], axis)
    for name, bias, x_scale, w_scale in [("b1", b1, "x", "w1"), ("b2", b2, "a", "w2")]:
        s = (p[x_scale + "_scale"] * p[w_scale + "_scale"]).astype(F32)
        p[name + "_scale"] = s
        p[name] = np.rint(bias / s).astype(np.int32)
    return p


def reference(p, x):
    """ONNX Runtime's integer kernels on the quantized network."""
    qx = quantize(x, p["x_scale"], p["x_zp"])

    def qconv(q, zp, s_in, w, s_w, bias, s_out, zp_out):
        acc = np.rint(conv_f(q.astype(np.int64) - int(zp), w.astype(np.int64),
                             bias.astype(np.int64))).astype(np.int64)
        scale = (F32(s_in) * s_w / F32(s_out)).astype(F32).reshape(1, -1, 1, 1)
        return requantize(acc, scale, zp_out)

    a = qconv(qx, p["x_zp"], p["x_scale"], p["w1"], p["w1_scale"], p["b1"],
              p["a_scale"], p["a_zp"])
    b = qconv(a, p["a_zp"], p["a_scale"], p["w2"], p["w2_scale"], p["b2"],
              p["b_scale"], p["b_zp"])
    # QLinearAdd: round((sA (a - zA) + sB (b - zB)) / sC) + zC
    va = F32(p["a_scale"]) * (a.astype(np.int32) - int(p["a_zp"])).astype(F32)
    vb = F32(p["b_scale"]) * (b.astype(np.int32) - int(p["b_zp"])).astype(F32)
    c = quantize(va + vb, p["c_scale"], p["c_zp"])
    # QLinearGlobalAveragePool: (sum - zp * size) * sX / (sY * size)
    acc = c.astype(np.int32).sum(axis=(2, 3)) - int(p["c_zp"]) * 64
    g = requantize(acc, F32(p["c_scale"]) / (F32(p["g_scale"]) * F32(64)), p["g_zp"])
    # QLinearMatMul: int32 products, scale sA sB[n] / sY per column.
    acc = (g.astype(np.int64) - int(p["g_zp"])) @ p["w3"].astype(np.int64)
    scale = (F32(p["g_scale"]) * p["w3_scale"] / F32(p["y_scale"])).astype(F32)
    y = requantize(acc, scale.reshape(1, -1), p["y_zp"])
    return [c, y]


def init(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def inits(p, names):
    return [init(n, p[n]) for n in names]


def build_qop(p):
    ms = "com.microsoft"
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zp"], ["qx"], name="quant_x"),
        helper.make_node("QLinearConv", ["qx", "x_scale", "x_zp", "w1", "w1_scale", "w1_zp",
                                         "a_scale", "a_zp", "b1"], ["a"], name="conv1",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("QLinearConv", ["a", "a_scale", "a_zp", "w2", "w2_scale", "w2_zp",
                                         "b_scale", "b_zp", "b2"], ["b"], name="conv2",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("QLinearAdd", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp",
                                        "c_scale", "c_zp"], ["c"], name="add", domain=ms),
        helper.make_node("QLinearGlobalAveragePool", ["c", "c_scale", "c_zp", "g_scale",
                                                      "g_zp"], ["g4"], name="gap", domain=ms),
        helper.make_node("Flatten", ["g4"], ["g"], name="flatten"),
        helper.make_node("QLinearMatMul", ["g", "g_scale", "g_zp", "w3", "w3_scale", "w3_zp",
                                           "y_scale", "y_zp"], ["y"], name="fc"),
    ]
    zeros = {"w1_zp": np.zeros(8, np.int8), "w2_zp": np.zeros(8, np.int8),
             "w3_zp": np.zeros(16, np.int8)}
    q = dict(p, **zeros)
    names = ["x_scale", "x_zp", "w1", "w1_scale", "w1_zp", "a_scale", "a_zp", "b1", "w2",
             "w2_scale", "w2_zp", "b_scale", "b_zp", "b2", "c_scale", "c_zp", "g_scale",
             "g_zp", "w3", "w3_scale", "w3_zp", "y_scale", "y_zp"]
    return graph_model(nodes, inits(q, names), [("", 13), (ms, 1)])


def build_qdq(p):
    nodes = []

    def qdq(src, act, name):
        nodes.append(helper.make_node("QuantizeLinear", [src, act + "_scale", act + "_zp"],
                                      [name + "_q"], name="q_" + name))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", act + "_scale",
                                                           act + "_zp"],
                                      [name + "_dq"], name="dq_" + name))
        return name + "_dq"

    def dq_weight(w, axis):
        nodes.append(helper.make_node("DequantizeLinear", [w, w + "_scale", w + "_zp"],
                                      [w + "_f"], name="dq_" + w, axis=axis))
        return w + "_f"

    x = qdq("x", "x", "x")
    nodes.append(helper.make_node("Conv", [x, dq_weight("w1", 0), dq_weight("b1", 0)],
                                  ["conv1"], name="conv1", pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"))
    a = qdq("relu1", "a", "a")
    nodes.append(helper.make_node("Conv", [a, dq_weight("w2", 0), dq_weight("b2", 0)],
                                  ["conv2"], name="conv2", pads=[1, 1, 1, 1]))
    b = qdq("conv2", "b", "b")
    nodes.append(helper.make_node("Add", [a, b], ["add"], name="add"))
    nodes.append(helper.make_node("QuantizeLinear", ["add", "c_scale", "c_zp"], ["c"],
                                  name="q_c"))
    nodes.append(helper.make_node("DequantizeLinear", ["c", "c_scale", "c_zp"], ["c_dq"],
                                  name="dq_c"))
    nodes.append(helper.make_node("GlobalAveragePool", ["c_dq"], ["gap"], name="gap"))
    g = qdq("gap", "g", "g")
    nodes.append(helper.make_node("Flatten", [g], ["flat"], name="flatten"))
    nodes.append(helper.make_node("MatMul", ["flat", dq_weight("w3", 1)], ["fc"], name="fc"))
    nodes.append(helper.make_node("QuantizeLinear", ["fc", "y_scale", "y_zp"], ["y"],
                                  name="q_y"))
    q = dict(p, w1_zp=np.zeros(8, np.int8), w2_zp=np.zeros(8, np.int8),
             w3_zp=np.zeros(16, np.int8), b1_zp=np.zeros(8, np.int32),
             b2_zp=np.zeros(8, np.int32))
    names = ["x_scale", "x_zp", "w1", "w1_scale", "w1_zp", "b1", "b1_scale", "b1_zp",
             "a_scale", "a_zp", "w2", "w2_scale", "w2_zp", "b2", "b2_scale", "b2_zp",
             "b_scale", "b_zp", "c_scale", "c_zp", "g_scale", "g_zp", "w3", "w3_scale",
             "w3_zp", "y_scale", "y_zp"]
    return graph_model(nodes, inits(q, names), [("", 13)])


def graph_model(nodes, initializers, opsets):
    graph = helper.make_graph(
        nodes, "quantized_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8, 8])],
        [helper.make_tensor_value_info("c", TensorProto.UINT8, [2, 8, 8, 8]),
         helper.make_tensor_value_info("y", TensorProto.UINT8, [2, 16])],
        initializers)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v)
                                                for d, v in opsets])
    m.ir_version = 8
    return m


def main():
    folder = sys.argv[2]
    p = params()
    if sys.argv[1] == "make":
        os.makedirs(folder, exist_ok=True)
        onnx.save(build_qop(p), os.path.join(folder, "qop.onnx"))
        onnx.save(build_qdq(p), os.path.join(folder, "qdq.onnx"))
        np.save(os.path.join(folder, "input_0.npy"), p["x"])
        return 0
    want = reference(p, np.load(os.path.join(folder, "input_0.npy")))
    status = 0
    for out in sys.argv[3:]:
        for i, (name, w) in enumerate(zip("cy", want)):
            got = np.load(os.path.join(out, f"output_{i}.npy"))
            label = f"{os.path.basename(out.rstrip('/'))} {name}"
            if got.dtype != w.dtype or got.shape != w.shape:
                print(f"{label}: got {got.dtype} {got.shape}, want {w.dtype} {w.shape}")
                status = 1
                continue
            diff = np.abs(got.astype(np.int32) - w.astype(np.int32))
            if diff.max() == 0:
                print(f"{label}: exact")
            elif diff.max() == 1:
                print(f"{label}: within 1 LSB ({np.count_nonzero(diff)} of {diff.size} values)")
            else:
                print(f"{label}: max |diff| {diff.max()} LSB")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
