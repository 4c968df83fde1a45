#!/usr/bin/python3
"""A float CNN whose weights are zero in whole 16 x 16 blocks (as a block-
pruned network's are), for test/targets/npu/sparse.test.

sparse_model.py DIR
    Writes DIR/model.onnx, DIR/x0.npy and DIR/calibration.npz (8 samples):

      x[1,16,10,10] -> Conv 3x3 (32 filters, pad 1) -> Relu
                    -> Conv 1x1 (48 filters) -> Relu -> y

    Seen as the NPU sees them (docs/npu-spec.md §2.4: a matrix of output
    channels by k = (ky * KW + kx) * IC + ic), the first convolution's
    weights are zero in 2 of every 3 blocks of 16 outputs by 16 columns
    (one kernel position of the 16 input channels), the second's in every
    other block: at N = 8 and 16 the compiler stores only the other tiles.
"""
import os
import sys

import numpy as np


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(11)
    w1 = rng.normal(0, 0.2, (32, 16, 3, 3)).astype(np.float32)
    for o in range(2):
        for ky in range(3):
            for kx in range(3):
                if (o + ky * 3 + kx) % 3 != 0:
                    w1[16 * o:16 * o + 16, :, ky, kx] = 0
    w2 = rng.normal(0, 0.2, (48, 32, 1, 1)).astype(np.float32)
    for o in range(3):
        for i in range(2):
            if (o + i) % 2 == 1:
                w2[16 * o:16 * o + 16, 16 * i:16 * i + 16] = 0
    b1 = rng.normal(0, 0.1, 32).astype(np.float32)
    b2 = rng.normal(0, 0.1, 48).astype(np.float32)
    inits = [numpy_helper.from_array(a, n)
             for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1],
                         name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2"),
        helper.make_node("Relu", ["c2"], ["y"], name="relu2"),
    ]
    g = helper.make_graph(
        nodes, "sparse",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 48, 10, 10])],
        inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "x0.npy"),
            rng.normal(0, 1, (1, 16, 10, 10)).astype(np.float32))
    np.savez(os.path.join(d, "calibration.npz"),
             x=rng.normal(0, 1, (8, 1, 16, 10, 10)).astype(np.float32))


if __name__ == "__main__":
    make(sys.argv[1])
