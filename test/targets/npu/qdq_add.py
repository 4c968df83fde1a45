#!/usr/bin/python3
"""A QDQ Add of two int8 images, for test/targets/npu/add.test.

qdq_add.py make DIR
    Writes DIR/model.onnx: x1, x2 (float, 1x16x20x12) each quantized to
    int8 (scales 0.05 and 0.03, zero points 3 and -7), dequantized, added,
    quantized (scale 0.07, zero point -2) and dequantized; and DIR/x1.npy,
    DIR/x2.npy (seeded normal values).

qdq_add.py check DIR OUT
    Compares OUT/output_0.npy with the ELTWISE add's arithmetic
    (docs/npu-spec.md §2.3, computed here in numpy f32: each input's
    offset times f32(s_i / s_y), the sum rounded half to even) exactly, and
    with the float QDQ arithmetic within 1 LSB; prints both.
"""
import os
import sys

import numpy as np

SX = (0.05, 0.03)
ZX = (3, -7)
SY, ZY = 0.07, -2
SHAPE = (1, 16, 20, 12)


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    nodes, inits = [], []
    for i in (0, 1):
        inits += [numpy_helper.from_array(np.array(SX[i], np.float32), "s%d" % i),
                  numpy_helper.from_array(np.array(ZX[i], np.int8), "z%d" % i)]
        nodes += [helper.make_node("QuantizeLinear", ["x%d" % i, "s%d" % i, "z%d" % i], ["q%d" % i]),
                  helper.make_node("DequantizeLinear", ["q%d" % i, "s%d" % i, "z%d" % i], ["d%d" % i])]
    inits += [numpy_helper.from_array(np.array(SY, np.float32), "sy"),
              numpy_helper.from_array(np.array(ZY, np.int8), "zy")]
    nodes += [helper.make_node("Add", ["d0", "d1"], ["sum"]),
              helper.make_node("QuantizeLinear", ["sum", "sy", "zy"], ["qy"]),
              helper.make_node("DequantizeLinear", ["qy", "sy", "zy"], ["y"])]
    g = helper.make_graph(
        nodes, "qdq_add",
        [helper.make_tensor_value_info("x%d" % i, TensorProto.FLOAT, SHAPE) for i in (0, 1)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, SHAPE)], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    rng = np.random.default_rng(7)
    for i in (0, 1):
        np.save(os.path.join(d, "x%d.npy" % (i + 1)),
                rng.normal(0, 2.5, SHAPE).astype(np.float32))


def quantize(x, s, z):
    return np.clip(np.round(x / np.float32(s)) + z, -128, 127).astype(np.int32)


def check(d, out):
    x = [np.load(os.path.join(d, "x%d.npy" % (i + 1))) for i in (0, 1)]
    q = [quantize(x[i], SX[i], ZX[i]) for i in (0, 1)]
    got = np.load(os.path.join(out, "output_0.npy"))
    got_q = np.round(got / np.float32(SY)).astype(np.int32) + ZY
    # The ELTWISE add: products and sum in f32.
    m = [np.float32(np.float64(np.float32(SX[i])) / np.float64(np.float32(SY)))
         for i in (0, 1)]
    v = [(q[i] - ZX[i]).astype(np.float32) * m[i] for i in (0, 1)]
    spec = np.clip(np.round(v[0] + v[1]) + ZY, -128, 127).astype(np.int32)
    # Float QDQ.
    f = sum((q[i] - ZX[i]).astype(np.float32) * np.float32(SX[i]) for i in (0, 1))
    qdq = quantize(f, SY, ZY)
    exact = np.array_equal(got_q, spec)
    lsb = int(np.max(np.abs(got_q - qdq)))
    print("spec arithmetic: %s; float QDQ: max %d LSB" %
          ("exact" if exact else "%d differ" % int(np.sum(got_q != spec)), lsb))
    return 0 if exact and lsb <= 1 else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
