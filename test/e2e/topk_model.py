#!/usr/bin/python3
"""edge.top_k against numpy: topk_model.py BINDIR WORKDIR compiles a TopK
model per case with edgec --emit=exe, runs it and compares values and
indices exactly with a stable sort (NaN above every number)."""
# TopK semantics against numpy: ties (lower index first), NaN (above every
# number), integers, k = n, sorted rows, other axes.
import numpy as np, onnx, subprocess, os, sys
from onnx import helper, numpy_helper, TensorProto as T
bindir, d = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
def reference(x, k, axis, largest):
    xs = np.moveaxis(x, axis, -1).astype(np.float64)
    nan = np.isnan(xs)
    key = np.where(nan, np.inf, xs)
    order = np.argsort(-key if largest else key, axis=-1, kind="stable")
    ri = np.moveaxis(order[..., :k], -1, axis)
    return np.take_along_axis(x, ri, axis), ri
bad = 0
def run(x, k, axis, largest, et):
    out = list(x.shape); out[axis] = k
    g = helper.make_graph(
        [helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=axis, largest=largest)], "g",
        [helper.make_tensor_value_info("x", et, list(x.shape))],
        [helper.make_tensor_value_info("v", et, out), helper.make_tensor_value_info("i", T.INT64, out)],
        [numpy_helper.from_array(np.array([k], np.int64), "k")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
    onnx.save(m, d + "/m.onnx"); np.save(d + "/x.npy", x)
    subprocess.run([bindir + "/edgec", d + "/m.onnx", "--emit=exe", "-o", d + "/m"], check=True)
    subprocess.run([d + "/m", "--input=" + d + "/x.npy", "--output-dir=" + d + "/o"], check=True, capture_output=True)
    v, i = np.load(d + "/o/output_0.npy"), np.load(d + "/o/output_1.npy")
    rv, ri = reference(x, k, axis, largest)
    ok = np.array_equal(i, ri) and np.array_equal(v, rv, equal_nan=True)
    print(f"{x.dtype} {x.shape} k={k} axis={axis} largest={largest}: {'ok' if ok else 'MISMATCH'}")
    global bad
    bad += not ok
rng = np.random.default_rng(3)
ties = rng.integers(0, 5, (3, 64)).astype(np.float32)
run(ties, 7, 1, 1, T.FLOAT)
run(ties, 7, 1, 0, T.FLOAT)
run(rng.integers(0, 5, (4, 64, 2)).astype(np.float32), 64, 1, 1, T.FLOAT)
withnan = rng.standard_normal((5, 100)).astype(np.float32)
withnan[0, 3] = withnan[2, 50] = withnan[2, 99] = np.nan
run(withnan, 3, 1, 0, T.FLOAT)
run(withnan, 3, 1, 1, T.FLOAT)
run(np.sort(rng.standard_normal((2, 128)).astype(np.float32)), 10, 1, 1, T.FLOAT)
run(rng.integers(-100, 100, (6, 40)).astype(np.int32), 5, 1, 1, T.INT32)
run(rng.integers(-100, 100, (6, 40)).astype(np.int64), 5, 0, 0, T.INT64)
sys.exit(1 if bad else 0)
