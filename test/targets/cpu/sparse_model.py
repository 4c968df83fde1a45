#!/usr/bin/python3
"""A float model with sparse weights, and its numpy reference, for
sparse-model.test.

sparse_model.py make DIR
    Writes DIR/model.onnx (weights 80 % zero, fixed seed) and DIR/x.npy:

      c = Relu(conv1x1 (64 -> 64)(x[1,64,10,10]))       100 positions: 3 full
                                                        tiles of 32, a tail
      m = MatMul(Reshape(c, [100, 64]) [:24], W (64 x 48))  24 rows: a tail
      y = Gemm(Flatten(m[:1]), 48 -> 10)                1 row: a sum per channel

sparse_model.py make DIR --blocks
    The same network with the conv's and the MatMul's zeros in blocks of
    16 output channels by one input channel (what --prune-block=target
    leaves with AVX-512; blocks of 8 for AVX2 too), 80 % of the blocks
    zero: the block-CSR kernel's input.

sparse_model.py check DIR OUT [--tolerance F]
    Runs the network in numpy (float64) and compares OUT/output_0.npy
    with it (error below F of the output's range: 1e-5 by default, more
    for an int8 build).
"""
import os
import sys

import numpy as np


def weights(blocks=False):
    rng = np.random.default_rng(21)
    def sparse(shape, out_axis=None):
        w = rng.normal(0, 0.3, shape)
        if blocks and out_axis is not None:
            # One draw per (16 output channels, input channel) block.
            mask_shape = list(shape)
            mask_shape[out_axis] //= 16
            mask = np.repeat(rng.random(mask_shape) < 0.8, 16, axis=out_axis)
        else:
            mask = rng.random(shape) < 0.8
        w[mask] = 0
        return w.astype(np.float32)
    return {"w1": sparse((64, 64, 1, 1), 0), "b1": rng.normal(0, 0.1, 64).astype(np.float32),
            "w2": sparse((64, 48), 1), "w3": sparse((10, 48)),
            "b3": rng.normal(0, 0.1, 10).astype(np.float32)}, rng


def make(d, blocks=False):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    if blocks:
        open(os.path.join(d, "blocks"), "w").close()
    w, rng = weights(blocks)
    consts = {"shape": np.array([64, 100], np.int64), "s0": np.array([0], np.int64),
              "s24": np.array([24], np.int64), "s1": np.array([1], np.int64),
              "ax0": np.array([0], np.int64)}
    inits = [numpy_helper.from_array(v, k) for k, v in {**w, **consts}.items()]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c"], name="conv"),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Reshape", ["r", "shape"], ["r2"]),
        helper.make_node("Transpose", ["r2"], ["rt"], perm=[1, 0]),
        helper.make_node("Slice", ["rt", "s0", "s24", "ax0"], ["rows"]),
        helper.make_node("MatMul", ["rows", "w2"], ["m"], name="matmul"),
        helper.make_node("Slice", ["m", "s0", "s1", "ax0"], ["m1"]),
        helper.make_node("Gemm", ["m1", "w3", "b3"], ["y"], transB=1, name="fc"),
    ]
    g = helper.make_graph(
        nodes, "sparse",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "x.npy"), rng.normal(0, 1, (1, 64, 10, 10)).astype(np.float32))


def check(d, out, tolerance=1e-5):
    w, _ = weights(os.path.exists(os.path.join(d, "blocks")))
    w = {k: v.astype(np.float64) for k, v in w.items()}
    x = np.load(os.path.join(d, "x.npy")).astype(np.float64)
    c = np.einsum("nchw,fc->nfhw", x, w["w1"][:, :, 0, 0]) + w["b1"].reshape(1, -1, 1, 1)
    rows = np.maximum(c, 0).reshape(64, 100).T[:24]
    m = rows @ w["w2"]
    ref = m[:1] @ w["w3"].T + w["b3"]
    got = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)
    err = np.max(np.abs(got - ref)) / max(np.ptp(ref), 1e-12)
    print("edgec vs reference: %s (max error %.1e of the range)"
          % ("match" if err < tolerance else "differ", err))
    return 0 if err < tolerance else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], "--blocks" in sys.argv[3:])
        sys.exit(0)
    tol = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--tolerance" else 1e-5
    sys.exit(check(sys.argv[2], sys.argv[3], tol))
