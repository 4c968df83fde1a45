#!/usr/bin/python3
"""TopK and ArgMax/ArgMin against numpy: selection_model.py BINDIR WORKDIR
compiles a one-node model per case with edgec --emit=exe, runs it and
compares exactly: TopK's values and indices with a stable sort (ties: the
lower index first; NaN above every number), ArgMax/ArgMin with numpy's
argmax/argmin (the first NaN when there is one), select_last_index on
the reversed axis."""
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

def run_arg(x, axis, op, last, et):
    out = list(x.shape); out[axis] = 1
    g = helper.make_graph(
        [helper.make_node(op, ["x"], ["i"], axis=axis, keepdims=1, select_last_index=last)], "g",
        [helper.make_tensor_value_info("x", et, list(x.shape))],
        [helper.make_tensor_value_info("i", T.INT64, out)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
    onnx.save(m, d + "/a.onnx"); np.save(d + "/x.npy", x)
    subprocess.run([bindir + "/edgec", d + "/a.onnx", "--emit=exe", "-o", d + "/a"], check=True)
    subprocess.run([d + "/a", "--input=" + d + "/x.npy", "--output-dir=" + d + "/ao"], check=True, capture_output=True)
    got = np.load(d + "/ao/output_0.npy")
    f = np.argmax if op == "ArgMax" else np.argmin
    if last:
        flipped = np.flip(x, axis)
        want = x.shape[axis] - 1 - f(flipped, axis=axis)
    else:
        want = f(x, axis=axis)
    want = np.expand_dims(want, axis).astype(np.int64)
    ok = np.array_equal(got, want)
    print(f"{op} {x.dtype} {x.shape} axis={axis} last={last}: {'ok' if ok else 'MISMATCH'}")
    global bad
    bad += not ok
run_arg(ties, 1, "ArgMax", 0, T.FLOAT)
run_arg(ties, 1, "ArgMax", 1, T.FLOAT)
run_arg(ties, 0, "ArgMin", 0, T.FLOAT)
run_arg(withnan, 1, "ArgMax", 0, T.FLOAT)
run_arg(withnan, 1, "ArgMin", 1, T.FLOAT)
run_arg(rng.integers(-3, 3, (4, 6, 40)).astype(np.int32), 2, "ArgMax", 0, T.INT32)
sys.exit(1 if bad else 0)
