#!/usr/bin/python3
"""The error of edgec's polynomial transcendental functions (no libm in the
generated code) against float64 numpy over each function's useful range:
math_accuracy.py BINDIR WORKDIR compiles one model applying every function
to a sweep of 65536 inputs, runs it, and prints for each function the
largest error |got - ref| / max(|ref|, 1) (relative where the result is
1 or more, absolute below, where float32 formulas such as 1 + erf(x) or
log(1 + exp(x)) lose the relative precision anyway) and whether it is
within its bound."""
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

N = 65536
# name, ONNX op (and attributes), input range, reference, error bound: a
# few float32 ulps (sin and cos: the range reduction's error grows with
# |x|, 2.8e-6 at 100).
erf = np.vectorize(math.erf)
CASES = [
    ("exp", "Exp", {}, np.linspace(-87, 88, N), np.exp, 2e-7),
    ("log", "Log", {}, np.logspace(-30, 30, N), np.log, 2e-7),
    ("tanh", "Tanh", {}, np.linspace(-10, 10, N), np.tanh, 2e-7),
    ("sigmoid", "Sigmoid", {}, np.linspace(-30, 30, N), lambda x: 1 / (1 + np.exp(-x)), 2e-7),
    ("erf", "Erf", {}, np.linspace(-5, 5, N), erf, 5e-7),
    ("gelu", "Gelu", {}, np.linspace(-10, 10, N), lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))), 6e-7),
    ("sin", "Sin", {}, np.linspace(-100, 100, N), np.sin, 5e-6),
    ("cos", "Cos", {}, np.linspace(-100, 100, N), np.cos, 5e-6),
    ("softplus", "Softplus", {}, np.linspace(-30, 30, N), lambda x: np.log1p(np.exp(x)), 3e-7),
]


def main():
    bindir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    nodes, inputs, outputs, feeds = [], [], [], []
    for i, (name, op, attrs, xs, _, _) in enumerate(CASES):
        nodes.append(helper.make_node(op, [f"x{i}"], [name], **attrs))
        inputs.append(helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, [N]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [N]))
        feeds.append(xs.astype(np.float32))
    model = helper.make_model(helper.make_graph(nodes, "math", inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 20)])
    model.ir_version = 8
    onnx.save(model, os.path.join(work, "model.onnx"))
    args = []
    for i, x in enumerate(feeds):
        path = os.path.join(work, f"input_{i}.npy")
        np.save(path, x)
        args.append(f"--input={path}")
    exe = os.path.join(work, "model")
    subprocess.run([os.path.join(bindir, "edgec"), os.path.join(work, "model.onnx"),
                    "--emit=exe", "-o", exe], check=True)
    out = os.path.join(work, "out")
    subprocess.run([exe, f"--output-dir={out}", *args], check=True, capture_output=True)
    bad = 0
    for i, (name, _, _, _, ref, bound) in enumerate(CASES):
        x = feeds[i].astype(np.float64)  # the float32 inputs, exactly
        want = ref(x)
        got = np.load(os.path.join(out, f"output_{i}.npy")).astype(np.float64)
        err = np.abs(got - want) / np.maximum(np.abs(want), 1.0)
        worst = err.max()
        ok = worst <= bound
        bad += not ok
        print(f"{name}: max error {worst:.2e} at x={x[err.argmax()]:.6g} "
              f"(bound {bound:.0e}): {'ok' if ok else 'OVER'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
