#!/usr/bin/python3
"""A float CNN and a numpy reference of edge-prune, for prune.test.

prune_reference.py make DIR
    Writes DIR/model.onnx (random weights, fixed seed) and DIR/x.npy:

      x[1,8,10,10] -> Conv 3x3 (16, pad 1) -> Relu -> Conv 1x1 (32) -> Relu
        -> Flatten -> Gemm (3200 -> 64, transB) -> Relu -> Gemm (64 -> 10)

      and DIR/cal/0..3.npy, four more inputs (the --min-sqnr sweep's
      calibration samples).

prune_reference.py sqnr DIR EXE --min DB
    Runs EXE (an edgec executable of the model) on every DIR/cal sample
    and prints the worst output SQNR against the dense network (numpy,
    float64); fails when it is below DB.

prune_reference.py check DIR OUT [--sparsity F] [--scope layer|global]
                         [--nm N:M]
    Prunes the weights as docs/pruning.md says edge-prune does (the first
    and last layer dense; per layer, or one global threshold, the smallest
    magnitudes; or N of every M along the reduction axis: a filter's input
    channels, the Gemm's K), runs the pruned network in numpy (float64),
    and compares OUT/output_0.npy with it (relative error below
    1e-4 of the output's range); prints the sparsity of each pruned layer,
    how far the pruned output moved from the dense one (SQNR, dB) and
    whether edgec matches.
"""
import argparse
import os
import sys

import numpy as np


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(3)
    w = {
        "w1": rng.normal(0, 0.3, (16, 8, 3, 3)), "b1": rng.normal(0, 0.1, 16),
        "w2": rng.normal(0, 0.3, (32, 16, 1, 1)), "b2": rng.normal(0, 0.1, 32),
        "w3": rng.normal(0, 0.05, (64, 3200)), "b3": rng.normal(0, 0.1, 64),
        "w4": rng.normal(0, 0.3, (10, 64)), "b4": rng.normal(0, 0.1, 10),
    }
    inits = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in w.items()]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2"),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("Flatten", ["r2"], ["f"]),
        helper.make_node("Gemm", ["f", "w3", "b3"], ["g1"], transB=1, name="fc1"),
        helper.make_node("Relu", ["g1"], ["r3"]),
        helper.make_node("Gemm", ["r3", "w4", "b4"], ["y"], transB=1, name="fc2"),
    ]
    g = helper.make_graph(
        nodes, "prune",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "x.npy"), rng.normal(0, 1, (1, 8, 10, 10)).astype(np.float32))
    cal = np.random.default_rng(5)
    os.makedirs(os.path.join(d, "cal"), exist_ok=True)
    for i in range(4):
        np.save(os.path.join(d, "cal", f"{i}.npy"),
                cal.normal(0, 1, (1, 8, 10, 10)).astype(np.float32))


def smallest(weights, count):
    """Zeros the `count` smallest magnitudes over the arrays together."""
    flat = np.concatenate([np.abs(w).ravel() for w in weights])
    if count <= 0:
        return
    order = np.argsort(flat, kind="stable")[:count]
    mask = np.zeros(flat.size, bool)
    mask[order] = True
    at = 0
    for w in weights:
        m = mask[at:at + w.size].reshape(w.shape)
        w[m] = 0
        at += w.size


def nm(w, axis, n, m):
    w = np.moveaxis(w, axis, -1)  # a view: the groups along the last axis
    g = w.reshape(-1, w.shape[-1] // m, m)
    order = np.argsort(-np.abs(g), axis=-1, kind="stable")
    drop = np.zeros(g.shape, bool)
    np.put_along_axis(drop, order[..., n:], True, axis=-1)
    g[drop] = 0
    w[...] = g.reshape(w.shape)


def forward(w, x):
    """The network in float64."""
    x = x.astype(np.float64)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    h = np.zeros((1, 16, 10, 10))
    for i in range(3):
        for j in range(3):
            h += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + 10, j:j + 10], w["w1"][:, :, i, j])
    h = np.maximum(h + w["b1"].reshape(1, -1, 1, 1), 0)
    h = np.einsum("nchw,fc->nfhw", h, w["w2"][:, :, 0, 0]) + w["b2"].reshape(1, -1, 1, 1)
    h = np.maximum(h, 0).reshape(1, -1)
    h = np.maximum(h @ w["w3"].T + w["b3"], 0)
    return h @ w["w4"].T + w["b4"]


def check(a):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(os.path.join(a.dir, "model.onnx"))
    x = np.load(os.path.join(a.dir, "x.npy"))
    inits = {i.name: numpy_helper.to_array(i).copy() for i in model.graph.initializer}
    dense = forward(inits, x)
    # conv2 and fc1: the first (conv1) and last (fc2) stay dense.
    pruned = {"w2": 1, "w3": 1}  # name -> reduction axis (I of OIHW, K of [N, K])
    if a.nm:
        n, m = (int(v) for v in a.nm.split(":"))
        for name, axis in pruned.items():
            nm(inits[name], axis, n, m)
    elif a.scope == "global":
        total = sum(inits[k].size for k in pruned)
        smallest([inits[k] for k in pruned], int(round(a.sparsity * total)))
    else:
        for k in pruned:
            smallest([inits[k]], int(round(a.sparsity * inits[k].size)))
    for k in pruned:
        print("%s: %.1f %% zero" % (k, 100.0 * np.mean(inits[k] == 0)))
    ref = forward(inits, x)
    got = np.load(os.path.join(a.out, "output_0.npy"))
    sqnr = 10 * np.log10(np.sum(dense ** 2) / np.sum((dense - ref) ** 2))
    err = float(np.max(np.abs(got - ref)) / (np.max(ref) - np.min(ref)))
    print("pruned vs dense: %.1f dB" % sqnr)
    print("edgec vs pruned reference: %s" % ("match" if err < 1e-4 else "differ (%g)" % err))
    return 0 if err < 1e-4 else 1


def sqnr(d, exe, target):
    import subprocess
    import tempfile
    import onnx
    from onnx import numpy_helper
    model = onnx.load(os.path.join(d, "model.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    worst = np.inf
    for f in sorted(os.listdir(os.path.join(d, "cal"))):
        x = os.path.join(d, "cal", f)
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([exe, f"--input={x}", f"--output-dir={out}"], check=True,
                           stdout=subprocess.DEVNULL)
            got = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)
        dense = forward(inits, np.load(x))
        worst = min(worst, 10 * np.log10(np.sum(dense ** 2) / np.sum((dense - got) ** 2)))
    print("worst calibration sample: %.1f dB (target %.1f): %s"
          % (worst, target, "met" if worst >= target else "missed"))
    return 0 if worst >= target else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
        sys.exit(0)
    if sys.argv[1] == "sqnr":
        p = argparse.ArgumentParser()
        p.add_argument("cmd")
        p.add_argument("dir")
        p.add_argument("exe")
        p.add_argument("--min", type=float, required=True)
        a = p.parse_args()
        sys.exit(sqnr(a.dir, a.exe, a.min))
    p = argparse.ArgumentParser()
    p.add_argument("cmd")
    p.add_argument("dir")
    p.add_argument("out")
    p.add_argument("--sparsity", type=float, default=0.0)
    p.add_argument("--scope", default="layer")
    p.add_argument("--nm", default="")
    sys.exit(check(p.parse_args()))
