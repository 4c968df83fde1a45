#!/usr/bin/python3
"""Latency of the kernels that go through a lowering-config form.

    benchmarks/kernel_forms.py [--bindir build/bin] [--runs N]

Builds four one-node models (random weights, fixed seed): a grouped conv
64->128 in 4 groups, 3x3 at 56x56; a depthwise conv with channel multiplier
2, 32->64, 3x3 at 56x56; 12 batched 64x64x64 MatMuls; a 3-D conv 16->32,
3x3x3 at 8x28x28 (all padded to keep the spatial size). Compiles each with
`edgec --emit=exe`, runs its --benchmark and prints the median and GFLOP/s.
Run it with --bindir of another build to compare two commits.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def model(node, x_shape, y_shape, inits):
    graph = helper.make_graph(
        [node], "k", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [numpy_helper.from_array(rng.standard_normal(v.shape).astype(np.float32), k)
         for k, v in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def conv(name, cin, cout, group, spatial, kernel):
    pads = [kernel // 2] * (2 * len(spatial))
    node = helper.make_node("Conv", ["x", "w"], ["y"], name=name, group=group, pads=pads)
    w = np.zeros([cout, cin // group] + [kernel] * len(spatial))
    macs = cout * (cin // group) * kernel ** len(spatial) * int(np.prod(spatial))
    return model(node, [1, cin] + spatial, [1, cout] + spatial, {"w": w}), 2 * macs


CASES = [
    ("grouped conv 64->128, 4 groups, 3x3 at 56x56",
     lambda: conv("grouped", 64, 128, 4, [56, 56], 3)),
    ("depthwise, multiplier 2, 32->64, 3x3 at 56x56",
     lambda: conv("depthwise", 32, 64, 32, [56, 56], 3)),
    ("12 batched 64x64x64 MatMul",
     lambda: (model(helper.make_node("MatMul", ["x", "w"], ["y"], name="bmm"),
                    [12, 64, 64], [12, 64, 64], {"w": np.zeros([12, 64, 64])}),
              2 * 12 * 64 ** 3)),
    ("3-D conv 16->32, 3x3x3 at 8x28x28",
     lambda: conv("conv3d", 16, 32, 1, [8, 28, 28], 3)),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    print(f"{'kernel':<48} {'median':>10} {'GFLOP/s':>8}")
    with tempfile.TemporaryDirectory() as work:
        for title, make in CASES:
            m, flops = make()
            path = os.path.join(work, "m.onnx")
            onnx.save(m, path)
            exe = os.path.join(work, "runner")
            subprocess.run([os.path.join(args.bindir, "edgec"), path, "--emit=exe",
                            "-o", exe], check=True)
            out = subprocess.run([exe, f"--benchmark={args.runs}"], check=True,
                                 capture_output=True, text=True).stdout
            us = float(re.search(r"median_us=([0-9.]+)", out).group(1))
            print(f"{title:<48} {us / 1000:>7.3f} ms {flops / us / 1e3:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
