#!/usr/bin/python3
"""A model with a sparse embedding table, and its numpy reference, for
sparse-gather.test.

sparse_gather_model.py make DIR
    Writes DIR/model.onnx and DIR/ids.npy: y = Gather(E, ids) with E a
    50 x 24 table 80 % zero (fixed seed) and ids (1 x 6, int64) including
    a negative one (-1: the last row) and a row that is all zeros.

sparse_gather_model.py check DIR OUT
    Compares OUT/output_0.npy with E[ids] exactly (a gather copies).
"""
import os
import sys

import numpy as np


def table():
    rng = np.random.default_rng(5)
    e = rng.normal(0, 1, (50, 24)).astype(np.float32)
    e[rng.random(e.shape) < 0.8] = 0
    e[7] = 0
    return e


IDS = np.array([[3, 7, 49, -1, 0, 21]], np.int64)


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    g = helper.make_graph(
        [helper.make_node("Gather", ["E", "ids"], ["y"], axis=0, name="emb")],
        "embedding",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 24])],
        [numpy_helper.from_array(table(), "E")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "ids.npy"), IDS)


def check(d, out):
    ref = table()[IDS]
    got = np.load(os.path.join(out, "output_0.npy"))
    same = got.shape == ref.shape and np.array_equal(got, ref)
    print("edgec vs reference: %s" % ("equal" if same else "differ"))
    return 0 if same else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
        sys.exit(0)
    sys.exit(check(sys.argv[2], sys.argv[3]))
