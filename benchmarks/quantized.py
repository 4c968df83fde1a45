#!/usr/bin/python3
"""The int8 figures of the quantization issue, measured side by side.

    benchmarks/quantized.py [--runs N]

1. The QDQ models of ../shared/models (kws-dscnn-int8, ad01-int8): edgec
   against ONNX Runtime (onnxruntime-node, one intra-op thread) running the
   same QDQ model on the same input; target: edgec/ORT <= 0.5.
2. The float models kws-dscnn-f32 and mobilenet-v2 quantized by edgec
   (calibrated on 16 perturbed copies of the model's input, seed 0), with
   `--quantize=int8` and with `--quantize=mixed` (int8, sensitive layers
   int16 or float until the output reaches 30 dB): latency against edgec's
   own float latency of the same model (target for int8: <= 0.5), and the
   output SQNR against float on the model's input (not itself in the
   calibration set; target: >= 30 dB for int8 or, failing that, mixed).

Every executable runs pinned to core 0, edgec and ORT (or float and int8)
alternated three times; the medians of the three are printed.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "..", "shared", "models")


def median_us(output):
    m = re.search(r"median_us=([0-9.]+)", output)
    if not m:
        raise RuntimeError("no median_us in: " + output)
    return float(m.group(1))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=True, **kw).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0, help="runs per measurement")
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    args = ap.parse_args()
    edgec = os.path.join(args.bindir, "edgec")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=HERE, check=True, stdout=subprocess.DEVNULL)
    work = os.path.join(ROOT, "build", "bench-int8")
    os.makedirs(work, exist_ok=True)
    pin = ["taskset", "-c", "0"] if subprocess.run(
        ["which", "taskset"], capture_output=True).returncode == 0 else []
    ok = True

    print("QDQ models: edgec against ONNX Runtime on the same model (target <= 0.5)")
    print(f"{'model':<18} {'edgec median':>14} {'ORT median':>14} {'edgec/ORT':>10}")
    for name in ["kws-dscnn-int8", "ad01-int8"]:
        d = os.path.join(MODELS, name)
        model = os.path.join(d, "model.onnx")
        exe = os.path.join(work, name)
        run([edgec, model, "--emit=exe", "-o", exe])
        runs = args.runs or 3000
        inp = os.path.join(d, "input_0.npy")
        ours, theirs = [], []
        for _ in range(3):
            ours.append(median_us(run(pin + [exe, f"--benchmark={runs}", f"--input={inp}"])))
            theirs.append(median_us(run(pin + ["node", os.path.join(HERE, "ort_bench.mjs"),
                                               model, str(runs), inp])))
        a, b = sorted(ours)[1], sorted(theirs)[1]
        ok &= a / b <= 0.5
        print(f"{name:<18} {a:>11.1f} us {b:>11.1f} us {a / b:>10.2f}")

    print()
    print("Float models quantized by edgec: int8 and mixed against edgec's float "
          "(target: int8 <= 0.5 x float; SQNR >= 30 dB)")
    print(f"{'model':<18} {'float':>10} {'int8':>10} {'int8/float':>10} {'SQNR':>8}"
          f" {'mixed':>10} {'mixed/float':>11} {'SQNR':>8}")
    rng = np.random.default_rng(0)
    for name in ["kws-dscnn-f32", "mobilenet-v2"]:
        d = os.path.join(MODELS, name)
        model = os.path.join(d, "model.onnx")
        inp = os.path.join(d, "input_0.npy")
        x = np.load(inp)
        cal = os.path.join(work, name + "-calibration")
        for i in range(16):
            os.makedirs(os.path.join(cal, f"{i:02d}"), exist_ok=True)
            noisy = x + rng.normal(0, 0.1 * float(x.std()) + 1e-6, x.shape).astype(x.dtype)
            np.save(os.path.join(cal, f"{i:02d}", "input_0.npy"), noisy)
        exes = {tag: os.path.join(work, f"{name}-{tag}") for tag in ["f32", "int8", "mixed"]}
        run([edgec, model, "--emit=exe", "-o", exes["f32"]])
        for tag in ["int8", "mixed"]:
            run([edgec, model, "--emit=exe", f"--quantize={tag}", f"--calibration={cal}",
                 "-o", exes[tag]])
        outs = {}
        for tag, exe in exes.items():
            out = os.path.join(work, f"{name}-{tag}-out")
            run([exe, f"--input={inp}", f"--output-dir={out}"])
            outs[tag] = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)

        def sqnr(tag):
            noise = np.sum((outs["f32"] - outs[tag]) ** 2)
            return 10 * np.log10(np.sum(outs["f32"] ** 2) / max(noise, 1e-30))

        size = os.path.getsize(model)
        runs = args.runs or (200 if size > 1 << 20 else 2000)
        times = {tag: [] for tag in exes}
        for _ in range(3):
            for tag, exe in exes.items():
                times[tag].append(median_us(run(pin + [exe, f"--benchmark={runs}",
                                                       f"--input={inp}"])))
        t = {tag: sorted(v)[1] for tag, v in times.items()}
        s8, sm = sqnr("int8"), sqnr("mixed")
        ok &= t["int8"] / t["f32"] <= 0.5 and max(s8, sm) >= 30
        print(f"{name:<18} {t['f32']:>7.1f} us {t['int8']:>7.1f} us {t['int8'] / t['f32']:>10.2f}"
              f" {s8:>5.1f} dB {t['mixed']:>7.1f} us {t['mixed'] / t['f32']:>11.2f} {sm:>5.1f} dB")
    print()
    print("all int8 targets met" if ok else "some int8 targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
