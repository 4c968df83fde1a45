#!/usr/bin/python3
"""Latency of edgec-compiled models against ONNX Runtime, measured side by side.

    benchmarks/compare_ort.py [--runs N] [MODEL ...]

For each model of ../shared/models: compiles it with `edgec --emit=exe`, runs
the executable's --benchmark, then times ONNX Runtime (onnxruntime-node, one
thread) on the same input, and prints both medians and their ratio. Both run
pinned to the same core, one after the other. Installs onnxruntime-node with
npm on first use.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "..", "shared", "models")
DEFAULT = ["mnist-8", "kws-dscnn-f32", "ad01-f32", "mobilenet-v2", "squeezenet-1.1",
           "mobilenet-v3-small"]


def median_us(output):
    m = re.search(r"median_us=([0-9.]+)", output)
    if not m:
        raise RuntimeError("no median_us in: " + output)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0,
                    help="runs per measurement (default: by model size)")
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("models", nargs="*", default=DEFAULT)
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=HERE, check=True, stdout=subprocess.DEVNULL)
    work = os.path.join(ROOT, "build", "bench")
    os.makedirs(work, exist_ok=True)
    pin = ["taskset", "-c", "0"] if subprocess.run(
        ["which", "taskset"], capture_output=True).returncode == 0 else []
    print(f"{'model':<18} {'edgec median':>14} {'ORT median':>14} {'edgec/ORT':>10}")
    for name in args.models:
        d = os.path.join(MODELS, name)
        inputs = sorted(f for f in os.listdir(d) if f.startswith("input_"))
        exe = os.path.join(work, name)
        subprocess.run([os.path.join(args.bindir, "edgec"), os.path.join(d, "model.onnx"),
                        "--emit=exe", "-o", exe], check=True)
        size = os.path.getsize(os.path.join(d, "model.onnx"))
        runs = args.runs or (200 if size > 1 << 20 else 2000)
        ours = subprocess.run(pin + [exe, f"--benchmark={runs}"] +
                              [f"--input={os.path.join(d, i)}" for i in inputs],
                              capture_output=True, text=True, check=True).stdout
        ort = subprocess.run(pin + ["node", os.path.join(HERE, "ort_bench.mjs"),
                                    os.path.join(d, "model.onnx"), str(runs)] +
                             [os.path.join(d, i) for i in inputs],
                             capture_output=True, text=True, check=True, cwd=HERE).stdout
        a, b = median_us(ours), median_us(ort)
        print(f"{name:<18} {a:>11.1f} us {b:>11.1f} us {a / b:>10.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
