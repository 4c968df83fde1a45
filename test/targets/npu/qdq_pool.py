#!/usr/bin/python3
"""QDQ average poolings of an int8 image, for test/targets/npu/pool.test.

qdq_pool.py make DIR
    Writes DIR/model.onnx: x (float, 1x16x20x20) quantized to int8 (scale
    0.04, zero point 5) and dequantized; AveragePool 3x3, strides 2, no
    padding, quantized (scale 0.03, zero point -9) and dequantized: y1
    (1x16x9x9); GlobalAveragePool of y1, quantized (scale 0.011, zero point
    2) and dequantized: y2 (1x16x1x1); and DIR/x.npy (seeded normal values).

qdq_pool.py check DIR OUT
    Compares OUT/output_0.npy and output_1.npy with the POOL average's
    arithmetic (docs/npu-spec.md §2.3, computed here in numpy: the int32
    window sum of x - z_x times f32(s_x / (s_y * count)), the product
    rounded to f32, then half to even) exactly, and with the float QDQ
    arithmetic within 1 LSB; prints one line per output.
"""
import os
import sys

import numpy as np

SX, ZX = 0.04, 5
S1, Z1 = 0.03, -9
S2, Z2 = 0.011, 2
SHAPE = (1, 16, 20, 20)


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    inits = []
    for name, s, z in (("x", SX, ZX), ("a", S1, Z1), ("g", S2, Z2)):
        inits += [numpy_helper.from_array(np.array(s, np.float32), "s_" + name),
                  numpy_helper.from_array(np.array(z, np.int8), "z_" + name)]

    def qdq(src, name, dst):
        return [helper.make_node("QuantizeLinear", [src, "s_" + name, "z_" + name], [dst + "_q"]),
                helper.make_node("DequantizeLinear", [dst + "_q", "s_" + name, "z_" + name], [dst])]
    nodes = qdq("x", "x", "xd")
    nodes += [helper.make_node("AveragePool", ["xd"], ["p"], kernel_shape=[3, 3],
                               strides=[2, 2], name="avg")]
    nodes += qdq("p", "a", "y1")
    nodes += [helper.make_node("GlobalAveragePool", ["y1"], ["g"], name="gap")]
    nodes += qdq("g", "g", "y2")
    g = helper.make_graph(
        nodes, "qdq_pool",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
        [helper.make_tensor_value_info("y1", TensorProto.FLOAT, (1, 16, 9, 9)),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, (1, 16, 1, 1))],
        inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    rng = np.random.default_rng(5)
    np.save(os.path.join(d, "x.npy"), rng.normal(0.3, 2.0, SHAPE).astype(np.float32))


def quantize(x, s, z):
    return np.clip(np.round(x / np.float32(s)) + z, -128, 127).astype(np.int64)


def windows(q, k, s):
    """The sums of the k x k windows of q at strides s, in q's type."""
    n, c, h, w = q.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    sums = np.zeros((n, c, oh, ow), q.dtype)
    for y in range(k):
        for x in range(k):
            sums += q[:, :, y:y + s * (oh - 1) + 1:s, x:x + s * (ow - 1) + 1:s]
    return sums


def spec_pool(q, zx, sx, sy, zy, k, s, count):
    acc = windows(q - zx, k, s)
    m = np.float32(np.float64(np.float32(sx)) /
                   (np.float64(np.float32(sy)) * count))
    p = acc.astype(np.float32) * m  # one f32 product
    return np.clip(np.round(p) + zy, -128, 127).astype(np.int64)


def float_pool(q, zx, sx, sy, zy, k, s):
    f = (q - zx).astype(np.float32) * np.float32(sx)
    return quantize(windows(f, k, s) / np.float32(k * k), sy, zy)


def check(d, out):
    x = np.load(os.path.join(d, "x.npy"))
    qx = quantize(x, SX, ZX)
    ok = True
    # Each stage from the previous stage's own output (as the model runs).
    got1 = np.load(os.path.join(out, "output_0.npy"))
    q1 = np.round(got1 / np.float32(S1)).astype(np.int64) + Z1
    got2 = np.load(os.path.join(out, "output_1.npy"))
    q2 = np.round(got2 / np.float32(S2)).astype(np.int64) + Z2
    for name, got, q_in, sin, zin, s, z, k, st in (
            ("y1", q1, qx, SX, ZX, S1, Z1, 3, 2),
            ("y2", q2, q1, S1, Z1, S2, Z2, 9, 1)):
        spec = spec_pool(q_in, zin, sin, s, z, k, st, k * k)
        ref = float_pool(q_in, zin, sin, s, z, k, st)
        exact = np.array_equal(got, spec)
        lsb = int(np.max(np.abs(got - ref)))
        print("%s: spec arithmetic: %s; float QDQ: max %d LSB" % (
            name, "exact" if exact else "%d differ" % int(np.sum(got != spec)), lsb))
        ok = ok and exact and lsb <= 1
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
