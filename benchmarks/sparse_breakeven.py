#!/usr/bin/python3
"""The sparsity from which the sparse kernel beats the dense one, per layer
shape, on this machine.

    benchmarks/sparse_breakeven.py [--bindir build/bin] [--runs N] [--target T] [--int8]

Builds one-node models: a 1x1 convolution K -> N at H x W for the shapes
of mobilenet-v2's expansions and projections (56x56 down to 7x7), random
weights (fixed seed) with a random fraction S of them zero, S from 0.5 to
0.95. Compiles each with `edgec --emit=exe` twice: with the sparse kernel
forced (--sparse-threshold=0) and with dense code (--sparse-threshold=2),
with --instrument-kernels, runs both pinned to one core and reads the
convolution's own kernel time from the profile (`--profile-input`): the
kernels alone, without the layout copies around them (a dense layer alone
between NCHW tensors is transposed to NHWC and back, a sparse one reads
NCHW as it is; in a model it is the other way round, docs/pruning.md).
Prints per shape the dense kernel's time, the sparse/dense time ratio per
sparsity ("-" where the layer stays dense: fewer than 8 nonzeros per
output channel) and the lowest measured sparsity at which the sparse
kernel is faster: the break-even edgec's --sparse-threshold (default
0.6) stands for. With --int8 every build is post-training quantized
(--quantize=int8, calibrated on the input): the int8 sparse kernel
against the dense int8 kernels.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHAPES = [  # (K, N, H x W): mobilenet-v2's 1x1 layers
    (24, 144, 56), (144, 24, 56), (32, 192, 28), (192, 32, 28),
    (64, 384, 14), (384, 64, 14), (96, 576, 14), (576, 96, 14),
    (160, 960, 7), (960, 160, 7), (320, 1280, 7),
]
SPARSITY = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]


def conv_model(k, n, hw, sparsity, rng):
    w = rng.standard_normal((n, k, 1, 1)).astype(np.float32)
    w[rng.random(w.shape) < sparsity] = 0
    b = rng.standard_normal(n).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv")
    graph = helper.make_graph(
        [node], "layer", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k, hw, hw])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n, hw, hw])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def conv_us(edgec, onnx_path, tmp, threshold, x, runs, target, extra=()):
    """The convolution's kernel time (us, median), or None if not sparse
    when asked to be."""
    flags = ([f"--sparse-threshold={threshold}"] + ([f"--target={target}"] if target else [])
             + list(extra))
    exe, prof, report = (os.path.join(tmp, f) for f in ("prof", "prof.json", "r.json"))
    subprocess.run([edgec, onnx_path, *flags, "--emit=exe", "--instrument-kernels", "-o", exe],
                   check=True)
    subprocess.run(["taskset", "-c", "0", exe, f"--input={x}", f"--benchmark={runs}",
                    f"--profile={prof}"], check=True, capture_output=True)
    subprocess.run([edgec, onnx_path, *flags, "-o", os.path.join(tmp, "r.o"),
                    f"--report={report}", f"--profile-input={prof}"], check=True)
    r = json.load(open(report))
    if threshold < 1 and not r.get("sparse_kernels"):
        return None
    us = r["profile"]["kernel_us"]
    op = next(o for o in r["graph"] if o["op"] == "conv")
    kernels = op["kernel"] if isinstance(op["kernel"], list) else [op["kernel"]]
    return sum(us[i] for i in kernels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--target", default="", help="an x86 --target (default: the host)")
    ap.add_argument("--int8", action="store_true",
                    help="quantize every build (int8 sparse against dense int8 kernels)")
    a = ap.parse_args()
    edgec = os.path.join(a.bindir, "edgec")
    rng = np.random.default_rng(0)
    print(f"{'K -> N':<12}{'map':>6}{'dense us':>10}  sparse/dense time at sparsity "
          + " ".join(f"{s:>5}" for s in SPARSITY) + "   break-even")
    with tempfile.TemporaryDirectory() as tmp:
        for k, n, hw in SHAPES:
            cal = os.path.join(tmp, "cal")
            os.makedirs(cal, exist_ok=True)
            x = os.path.join(cal, "x.npy")
            np.save(x, rng.standard_normal((1, k, hw, hw)).astype(np.float32))
            extra = ["--quantize=int8", f"--calibration={cal}"] if a.int8 else []
            ratios = []
            dense = None
            for s in SPARSITY:
                path = os.path.join(tmp, "m.onnx")
                with open(path, "wb") as f:
                    f.write(conv_model(k, n, hw, s, rng).SerializeToString())
                if dense is None:  # the dense code's time does not depend on S
                    dense = conv_us(edgec, path, tmp, 2, x, a.runs, a.target, extra)
                sparse = conv_us(edgec, path, tmp, 0, x, a.runs, a.target, extra)
                ratios.append(None if sparse is None else sparse / dense)
            even = next((s for s, r in zip(SPARSITY, ratios) if r is not None and r < 1), None)
            print(f"{f'{k} -> {n}':<12}{f'{hw}x{hw}':>6}{dense:>10.1f}  {'':29}"
                  + " ".join(f"{'-' if r is None else f'{r:.2f}':>5}" for r in ratios)
                  + f"   {'>' + str(SPARSITY[-1]) if even is None else even:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
