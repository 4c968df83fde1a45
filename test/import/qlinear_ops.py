#!/usr/bin/python3
"""ONNX Runtime's com.microsoft QLinear ops, one small model each, and
numpy references that follow ONNX Runtime's documented semantics (the
reference loops of MLAS and of the contrib kernels, in float32).

    qlinear_ops.py make NAME DIR         DIR/model.onnx, DIR/input_<i>.npy
    qlinear_ops.py check NAME DIR OUT    compares OUT/output_0.npy with the
                                         reference of DIR's inputs
    qlinear_ops.py names                 the models, one a line

`check` prints 'NAME: exact' or 'NAME: within 1 LSB (K of N values)' (for
a float output: 'NAME: max |diff| D', D at most 1e-5 relative) and exits 0,
or prints the worst difference and exits 1. The 1 LSB allowance
is for a value that lands within float rounding of a .5 tie: edgec
dequantizes, computes the float op and quantizes, ONNX Runtime's kernels
order the same float operations differently (or use fixed point).
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_cases import Cases

MS = "com.microsoft"
F32 = np.float32


def model(node, inputs, outputs, inits):
    graph = helper.make_graph([node], "g", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid(MS, 1)])
    m.ir_version = 8
    return m


def onnx_type(dtype):
    return {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}[dtype]


def vi(name, shape, dtype):
    return helper.make_tensor_value_info(name, onnx_type(dtype), shape)


def qparams(prefix, scale, zp, dtype):
    """Initializers `<prefix>_scale` and `<prefix>_zero_point`."""
    return [numpy_helper.from_array(F32(scale), prefix + "_scale"),
            numpy_helper.from_array(np.asarray(zp, dtype), prefix + "_zero_point")]


def qrange(dtype):
    info = np.iinfo(dtype)
    return info.min, info.max


def quantize(v, scale, zp, dtype):
    """saturate(round_half_even(v / scale) + zp), in float32."""
    lo, hi = qrange(dtype)
    q = np.rint(np.asarray(v, F32) / F32(scale)) + zp
    return np.clip(q, lo, hi).astype(dtype)


def dequantize(q, scale, zp):
    return (q.astype(np.int32) - zp).astype(F32) * F32(scale)


def rand(rng, shape, dtype):
    lo, hi = qrange(dtype)
    return rng.integers(lo, hi + 1, size=shape).astype(dtype)


# Each case: (build(rng) -> (model, inputs), reference(inputs) -> output).
CASES = Cases()
case = CASES.case


def binary(op, a_shape, b_shape, dtype, pa, pb, pc, with_zero_points=True):
    def build(rng):
        names = ["A", "A_scale", "A_zero_point", "B", "B_scale", "B_zero_point",
                 "C_scale", "C_zero_point"]
        inits = qparams("A", *pa, dtype) + qparams("B", *pb, dtype) + \
            qparams("C", *pc, dtype)
        if not with_zero_points:
            names = [n if "zero" not in n else "" for n in names]
            inits = [t for t in inits if "zero" not in t.name]
        node = helper.make_node(op, names, ["C"], name="q" + op[7:].lower(),
                                domain=MS)
        m = model(node, [vi("A", a_shape, dtype), vi("B", b_shape, dtype)],
                  [vi("C", None, dtype)], inits)
        return m, [rand(rng, a_shape, dtype), rand(rng, b_shape, dtype)]
    return build


def ref_add(pa, pb, pc, dtype):
    # MlasQLinearAddKernelRawHelper: nearbyint((sA (a - zA) + sB (b - zB)) / sC) + zC
    def ref(a, b):
        v = F32(pa[0]) * (a.astype(np.int32) - pa[1]).astype(F32) + \
            F32(pb[0]) * (b.astype(np.int32) - pb[1]).astype(F32)
        return quantize(v, pc[0], pc[1], dtype)
    return ref


def ref_mul(pa, pb, pc, dtype):
    def ref(a, b):
        return quantize(dequantize(a, *pa) * dequantize(b, *pb), pc[0], pc[1], dtype)
    return ref


PA, PB, PC = (0.05, 128), (0.1, 120), (0.12, 100)
SA, SB, SC = (0.02, -5), (0.03, 3), (0.04, 0)


@case
def add_u8():  # B broadcast per channel
    return (binary("QLinearAdd", [1, 4, 3, 3], [1, 4, 1, 1], np.uint8, PA, PB, PC),
            ref_add(PA, PB, PC, np.uint8))


@case
def add_i8():
    return (binary("QLinearAdd", [2, 3, 4], [2, 3, 4], np.int8, SA, SB, SC),
            ref_add(SA, SB, SC, np.int8))


@case
def add_no_zero_points():  # zero points left out: 0 of the input's type
    pa, pb, pc = (0.05, 0), (0.1, 0), (0.2, 0)
    return (binary("QLinearAdd", [8], [8], np.uint8, pa, pb, pc,
                   with_zero_points=False),
            ref_add(pa, pb, pc, np.uint8))


@case
def mul_u8():
    pa, pb, pc = (0.05, 128), (0.04, 100), (0.1, 90)
    return (binary("QLinearMul", [1, 4, 3, 3], [1, 4, 3, 3], np.uint8, pa, pb, pc),
            ref_mul(pa, pb, pc, np.uint8))


def unary_model(op, shape, dtype, px, py, out_shape=None, **attrs):
    def build(rng):
        node = helper.make_node(op, ["X", "X_scale", "X_zero_point", "Y_scale",
                                     "Y_zero_point"], ["Y"], name="node",
                                domain=MS, **attrs)
        m = model(node, [vi("X", shape, dtype)], [vi("Y", out_shape, dtype)],
                  qparams("X", *px, dtype) + qparams("Y", *py, dtype))
        return m, [rand(rng, shape, dtype)]
    return build


def ref_gap(px, py, dtype, channels_last):
    # MlasQLinearGlobalAveragePool: the int32 sum of each channel less
    # zp * size, times sX / (sY * size), rounded, plus zY.
    def ref(x):
        axes = tuple(range(1, x.ndim - 1)) if channels_last else tuple(range(2, x.ndim))
        size = int(np.prod([x.shape[a] for a in axes]))
        acc = x.astype(np.int32).sum(axis=axes, keepdims=True) - px[1] * size
        scale = F32(px[0]) / (F32(py[0]) * F32(size))
        lo, hi = qrange(dtype)
        return np.clip(np.rint(acc.astype(F32) * scale) + py[1], lo, hi).astype(dtype)
    return ref


@case
def gap_u8():
    px, py = (0.1, 128), (0.05, 120)
    return (unary_model("QLinearGlobalAveragePool", [1, 8, 5, 5], np.uint8, px, py),
            ref_gap(px, py, np.uint8, False))


@case
def gap_nhwc_i8():
    px, py = (0.1, 3), (0.03, -7)
    return (unary_model("QLinearGlobalAveragePool", [2, 4, 3, 6], np.int8, px, py,
                        channels_last=1),
            ref_gap(px, py, np.int8, True))


def ref_table(px, py, dtype, f):
    # The 8-bit unary ops of ONNX Runtime look each value up in a table of
    # quantize(f(dequantize(q))).
    def ref(x):
        return quantize(f(dequantize(x, *px)), py[0], py[1], dtype)
    return ref


@case
def sigmoid_u8():
    px, py = (0.05, 128), (1.0 / 256, 0)
    return (unary_model("QLinearSigmoid", [2, 16], np.uint8, px, py),
            ref_table(px, py, np.uint8, lambda v: F32(1) / (F32(1) + np.exp(-v))))


@case
def leaky_relu_i8():
    px, py = (0.1, 0), (0.08, -10)
    return (unary_model("QLinearLeakyRelu", [2, 16], np.int8, px, py, alpha=0.1),
            ref_table(px, py, np.int8, lambda v: np.where(v >= 0, v, F32(0.1) * v)))


def avg_pool(x, kernel, strides, pads, count_include_pad):
    """Float average pooling of NCHW x (2-D) as ONNX Runtime's loop does it:
    a running float32 sum over the window rows, then one division."""
    n, c, h, w = x.shape
    oh = (h + pads[0] + pads[2] - kernel[0]) // strides[0] + 1
    ow = (w + pads[1] + pads[3] - kernel[1]) // strides[1] + 1
    y = np.zeros((n, c, oh, ow), F32)
    for i in range(oh):
        h0 = i * strides[0] - pads[0]
        h1, h0 = min(h0 + kernel[0], h), max(h0, 0)
        for j in range(ow):
            w0 = j * strides[1] - pads[1]
            w1, w0 = min(w0 + kernel[1], w), max(w0, 0)
            acc = np.zeros((n, c), F32)
            for r in range(h0, h1):
                for s in range(w0, w1):
                    acc = acc + x[:, :, r, s]
            count = kernel[0] * kernel[1] if count_include_pad else (h1 - h0) * (w1 - w0)
            y[:, :, i, j] = acc / F32(count)
    return y


def ref_avg_pool(px, py, dtype, channels_last, **attrs):
    # QLinearAveragePool dequantizes, pools in float and quantizes (the
    # zero point added before rounding).
    def ref(x):
        if channels_last:
            x = x.transpose(0, 3, 1, 2)
        v = avg_pool(dequantize(x, *px), **attrs) / F32(py[0]) + F32(py[1])
        lo, hi = qrange(dtype)
        y = np.clip(np.rint(v), lo, hi).astype(dtype)
        return y.transpose(0, 2, 3, 1) if channels_last else y
    return ref


@case
def avg_pool_u8():
    px, py = (0.1, 128), (0.07, 125)
    attrs = dict(kernel=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0)
    return (unary_model("QLinearAveragePool", [1, 3, 7, 7], np.uint8, px, py,
                        kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
            ref_avg_pool(px, py, np.uint8, False, **attrs))


@case
def avg_pool_nhwc_i8():
    px, py = (0.05, -3), (0.05, -3)
    attrs = dict(kernel=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], count_include_pad=1)
    return (unary_model("QLinearAveragePool", [1, 6, 6, 5], np.int8, px, py,
                        channels_last=1, kernel_shape=[2, 2], strides=[2, 2],
                        count_include_pad=1),
            ref_avg_pool(px, py, np.int8, True, **attrs))


@case
def concat_u8():
    # Three inputs on axis 1, the last one with the output's parameters
    # (ONNX Runtime copies it unchanged).
    py = (0.08, 110)
    ps = [(0.1, 128), (0.05, 100), py]
    shapes = [[1, 2, 3, 3], [1, 3, 3, 3], [1, 1, 3, 3]]

    def build(rng):
        names, inits, inputs = ["Y_scale", "Y_zero_point"], qparams("Y", *py, np.uint8), []
        for i, (p, shape) in enumerate(zip(ps, shapes)):
            names += [f"X{i}", f"X{i}_scale", f"X{i}_zero_point"]
            inits += qparams(f"X{i}", *p, np.uint8)
            inputs.append(vi(f"X{i}", shape, np.uint8))
        node = helper.make_node("QLinearConcat", names, ["Y"], name="qconcat",
                                domain=MS, axis=1)
        m = model(node, inputs, [vi("Y", None, np.uint8)], inits)
        return m, [rand(rng, s, np.uint8) for s in shapes]

    def ref(*xs):
        parts = [x if p == py else quantize(dequantize(x, *p), py[0], py[1], np.uint8)
                 for x, p in zip(xs, ps)]
        return np.concatenate(parts, axis=1)
    return build, ref


def qgemm(trans_b, quantized_output):
    """QGemm: A [2, 8] uint8 (a graph input), B int8 with a scale per output
    column (an initializer, [N, K] under transB), an int32 bias of scale
    a_scale * b_scale, alpha 0.5; a uint8 output, or float without
    y_scale."""
    pa, pc = (0.05, 120), (0.1, 100)
    rng = np.random.default_rng(3)
    b = rng.integers(-127, 128, size=(6, 8) if trans_b else (8, 6)).astype(np.int8)
    sb = rng.uniform(0.005, 0.02, 6).astype(F32)
    bias = rng.integers(-500, 500, 6).astype(np.int32)

    def build(rng):
        names = ["A", "A_scale", "A_zero_point", "B", "B_scale", "B_zero_point", "C"]
        inits = qparams("A", *pa, np.uint8) + [
            numpy_helper.from_array(b, "B"), numpy_helper.from_array(sb, "B_scale"),
            numpy_helper.from_array(np.zeros(6, np.int8), "B_zero_point"),
            numpy_helper.from_array(bias, "C")]
        out = vi("Y", None, np.uint8)
        if quantized_output:
            names += ["Y_scale", "Y_zero_point"]
            inits += qparams("Y", *pc, np.uint8)
        else:
            out = helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)
        node = helper.make_node("QGemm", names, ["Y"], name="qgemm", domain=MS,
                                alpha=0.5, transB=int(trans_b))
        m = model(node, [vi("A", [2, 8], np.uint8)], [out], inits)
        return m, [rand(rng, [2, 8], np.uint8)]

    def ref(a):
        # int32 products plus the bias, scaled by alpha * sA * sB[n] in float
        # (ONNX Runtime's requantization).
        bk = (b.T if trans_b else b).astype(np.int64)
        acc = (a.astype(np.int64) - pa[1]) @ bk + bias
        scale = (F32(0.5) * F32(pa[0]) * sb).astype(F32)
        if not quantized_output:
            return (acc.astype(F32) * scale).astype(F32)
        return np.clip(np.rint(acc.astype(F32) * (scale / F32(pc[0]))) + pc[1], 0,
                       255).astype(np.uint8)
    return build, ref


@case
def qgemm_u8():
    return qgemm(trans_b=False, quantized_output=True)


@case
def qgemm_float_trans_b():
    return qgemm(trans_b=True, quantized_output=False)


if __name__ == "__main__":
    sys.exit(CASES.main(sys.argv, lsb=1))
