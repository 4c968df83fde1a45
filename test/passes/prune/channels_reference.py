#!/usr/bin/python3
"""A float CNN with a residual Add and a Concat, and a numpy reference of
edge-prune-channels, for channels.test.

channels_reference.py make DIR
    Writes DIR/model.onnx (random weights, fixed seed) and DIR/x.npy:

      a = Relu(conv0 3x3 (12, pad 1)(x[1,4,8,8]))      the first layer
      b = Relu(conv1 1x1 (20)(a))
      c = dw 3x3 depthwise (20, pad 1)(b)
      f = conv2 1x1 (12)(c) + conv3 1x1 (12)(a)         a residual Add
      g = Concat(f, c) along the channels               12 + 20
      y = fc (Gemm 10 -> 5)(Flatten(GlobalAveragePool(conv4 1x1 (10)(g))))

channels_reference.py check DIR OUT --fraction F
    Chooses the channels as docs/pruning.md says edge-prune-channels does
    (conv2 and conv3 joined by the Add; each space scored by its
    producers' filter L1 norms over their layer mean; round(F * C) of
    each go, the first layer's stay), then runs the network with every
    removed channel's contribution dropped (its consumers' weights for it
    zeroed: the same function as the smaller network), and compares
    OUT/output_0.npy with it; prints the channels kept per layer, how far
    the pruned output moved from the dense one (SQNR, dB) and whether
    edgec matches.
"""
import argparse
import os
import sys

import numpy as np

SHAPES = {"w0": (12, 4, 3, 3), "w1": (20, 12, 1, 1), "wd": (20, 1, 3, 3),
          "w2": (12, 20, 1, 1), "w3": (12, 12, 1, 1), "w4": (10, 32, 1, 1),
          "wf": (5, 10)}


def weights():
    rng = np.random.default_rng(11)
    w = {k: rng.normal(0, 0.4, s) for k, s in SHAPES.items()}
    for k, n in (("b0", 12), ("b1", 20), ("bd", 20), ("b2", 12), ("b3", 12),
                 ("b4", 10), ("bf", 5)):
        w[k] = rng.normal(0, 0.1, n)
    return w, rng


def make(d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(d, exist_ok=True)
    w, rng = weights()
    inits = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in w.items()]
    conv = lambda i, wt, b, o, name, **kw: helper.make_node(
        "Conv", [i, wt, b], [o], name=name, **kw)
    nodes = [
        conv("x", "w0", "b0", "c0", "conv0", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["a"]),
        conv("a", "w1", "b1", "c1", "conv1"),
        helper.make_node("Relu", ["c1"], ["b"]),
        conv("b", "wd", "bd", "c", "dw", pads=[1, 1, 1, 1], group=20),
        conv("c", "w2", "b2", "d", "conv2"),
        conv("a", "w3", "b3", "e", "conv3"),
        helper.make_node("Add", ["d", "e"], ["f"]),
        helper.make_node("Concat", ["f", "c"], ["g"], axis=1),
        conv("g", "w4", "b4", "h", "conv4"),
        helper.make_node("GlobalAveragePool", ["h"], ["p"]),
        helper.make_node("Flatten", ["p"], ["q"]),
        helper.make_node("Gemm", ["q", "wf", "bf"], ["y"], transB=1, name="fc"),
    ]
    g = helper.make_graph(
        nodes, "channels",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "x.npy"), rng.normal(0, 1, (1, 4, 8, 8)).astype(np.float32))


def conv2d(x, w, b, pad=0, group=1):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, f, oh, ow))
    fg = f // group
    for o in range(f):
        g = o // fg
        for i in range(cg):
            for dy in range(kh):
                for dx in range(kw):
                    y[:, o] += w[o, i, dy, dx] * xp[:, g * cg + i, dy:dy + oh, dx:dx + ow]
    return y + b.reshape(1, -1, 1, 1)


def run(w, x):
    a = np.maximum(conv2d(x, w["w0"], w["b0"], pad=1), 0)
    b = np.maximum(conv2d(a, w["w1"], w["b1"]), 0)
    c = conv2d(b, w["wd"], w["bd"], pad=1, group=20)
    f = conv2d(c, w["w2"], w["b2"]) + conv2d(a, w["w3"], w["b3"])
    g = np.concatenate([f, c], axis=1)
    h = conv2d(g, w["w4"], w["b4"])
    q = h.mean(axis=(2, 3))
    return q @ w["wf"].T + w["bf"]


def norms(wt):
    n = np.abs(wt).reshape(wt.shape[0], -1).sum(axis=1)
    return n / n.mean()


def keep(score, fraction):
    c = score.size
    kept = max(1, c - int(np.floor(fraction * c + 0.5)))
    order = np.argsort(-score, kind="stable")[:kept]
    mask = np.zeros(c, bool)
    mask[order] = True
    return mask


def check(d, out, fraction):
    w, _ = weights()
    x = np.load(os.path.join(d, "x.npy")).astype(np.float64)
    dense = run(w, x)
    kb = keep(norms(w["w1"]), fraction)                      # conv1 (and dw)
    kf = keep(norms(w["w2"]) + norms(w["w3"]), fraction)     # conv2 + conv3
    k4 = keep(norms(w["w4"]), fraction)                      # conv4
    p = {k: v.copy() for k, v in w.items()}
    p["w2"][:, ~kb] = 0                     # c's channels into conv2
    p["w4"][:, np.concatenate([~kf, ~kb])] = 0  # g = (f, c) into conv4
    p["wf"][:, ~k4] = 0                     # conv4's channels into fc
    ref = run(p, x)
    for name, m in (("conv1", kb), ("conv2+conv3", kf), ("conv4", k4)):
        print(f"{name}: {int(m.sum())} of {m.size} channels")
    noise = np.sum((ref - dense) ** 2)
    print(f"SQNR of the pruned network: {10 * np.log10(np.sum(dense ** 2) / noise):.1f} dB")
    got = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)
    err = np.max(np.abs(got - ref)) / max(np.ptp(ref), 1e-12)
    if got.shape != ref.shape or err > 1e-4:
        print(f"edgec vs pruned reference: differ (max error {err:.2e} of the range)")
        return 1
    print("edgec vs pruned reference: match")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["make", "check"])
    ap.add_argument("dir")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--fraction", type=float, default=0.5)
    a = ap.parse_args()
    if a.cmd == "make":
        make(a.dir)
        return 0
    return check(a.dir, a.out, a.fraction)


if __name__ == "__main__":
    sys.exit(main())
