#!/usr/bin/python3
"""Pruned against dense, one run: what --prune and --prune-channels buy.

    benchmarks/pruning.py [--runs N] [--rounds R] [MODEL ...]

For each model (default: mobilenet-v2 and tiny-transformer from
../shared/models) it compiles, with `edgec --emit=exe`:

  dense        the model as it is;
  80 %         --prune=0.8 --prune-dense-ends=false: every Conv, Gemm and
               MatMul 80 % zero, the layers above their break-even on
               sparse kernels (edge-cpu-sparse-kernels; the default);
  80 % compressed  the same with --sparse-threshold=0.5: every layer at
               least half zero on sparse kernels, the smallest weights
               (slower where a layer is below its break-even);
  80 % dense   the same weights compiled without sparse kernels
               (--sparse-threshold=2): what the kernels themselves buy;
  80 % blocks  --prune=0.8 --prune-block=target --prune-dense-ends=false:
               80 % of the blocks of a vector of output channels by one
               reduction position zeroed (16 x 1 with AVX-512), run by
               the block-CSR kernel on the channels-last layout;
  80 % blocks dense  the same weights without sparse kernels;
  channels 50 % --prune-channels=0.5: half of each free channel space
               removed (smaller dense layers);

then times them alternately, pinned to one core (the best of R rounds of
N-run medians), and prints per variant the median, the speedup over dense,
the weight bytes (the header's WEIGHTS_SIZE: what the object stores) and
how much smaller they are, and the output SQNR against the dense build on
the model's input (the accuracy cost without fine-tuning). The last lines
check the issue's targets: 80 % unstructured at least 1.5x faster and 3x
smaller weights (the speed of the default, the weights compressed), 50 %
channels at least 1.8x faster.

Then the accuracy cost on a model with a test set: the digits CNN
(test/quantize/digits_cnn.py, trained with torch, about 30 s) built dense,
with --prune=0.8 (no fine-tuning), and pruned by torch with the same rule
and fine-tuned (edgec finds its zeros as the model comes); the held-out
accuracy of each edgec build (--no-digits skips it).
"""
import argparse
import math
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(os.path.dirname(ROOT), "shared", "models")
VARIANTS = [
    ("dense", []),
    ("80 %", ["--prune=0.8", "--prune-dense-ends=false"]),
    ("80 % compressed", ["--prune=0.8", "--prune-dense-ends=false", "--sparse-threshold=0.5"]),
    ("80 % dense", ["--prune=0.8", "--prune-dense-ends=false", "--sparse-threshold=2"]),
    ("80 % blocks", ["--prune=0.8", "--prune-block=target", "--prune-dense-ends=false"]),
    ("80 % blocks dense", ["--prune=0.8", "--prune-block=target", "--prune-dense-ends=false",
                           "--sparse-threshold=2"]),
    ("channels 50 %", ["--prune-channels=0.5"]),
]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def median_us(output):
    return float(re.search(r"median_us=([0-9.]+)", output).group(1))


def weights_size(header):
    m = re.search(r"#define \w+_WEIGHTS_SIZE (\d+)u", open(header).read())
    return int(m.group(1))


def sqnr(ref, got):
    noise = float(np.sum((ref.astype(np.float64) - got) ** 2))
    return math.inf if noise == 0 else 10 * math.log10(float(np.sum(ref.astype(np.float64) ** 2)) / noise)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0, help="runs per median (default: by size)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--no-digits", action="store_true", help="skip the accuracy run")
    ap.add_argument("models", nargs="*", default=["mobilenet-v2", "tiny-transformer"])
    a = ap.parse_args()
    edgec = os.path.join(a.bindir, "edgec")
    work = os.path.join(ROOT, "build", "bench", "pruning")
    pin = ["taskset", "-c", "0"]
    print(f"{'model':<18}{'variant':<17}{'median':>11}{'speedup':>9}{'weights KB':>12}"
          f"{'smaller':>9}{'SQNR dB':>9}")
    results = {}
    for name in a.models:
        d = os.path.join(MODELS, name)
        x = os.path.join(d, "input_0.npy")
        exes = {}
        for variant, flags in VARIANTS:
            out = os.path.join(work, name, variant.replace(" ", "").replace("%", ""))
            os.makedirs(out, exist_ok=True)
            exe = os.path.join(out, "model")
            # The object for its header (WEIGHTS_SIZE), the executable to time.
            subprocess.run([edgec, os.path.join(d, "model.onnx"), *flags, "--name=model",
                            "-o", exe + ".o"], check=True)
            subprocess.run([edgec, os.path.join(d, "model.onnx"), *flags, "--emit=exe",
                            "-o", exe], check=True)
            run([exe, f"--input={x}", f"--output-dir={out}/out"])
            exes[variant] = (exe, out)
        runs = a.runs or (100 if os.path.getsize(os.path.join(d, "model.onnx")) > 1 << 20 else 1000)
        best = {v: math.inf for v in exes}
        for _ in range(a.rounds):
            for v, (exe, _) in exes.items():
                best[v] = min(best[v], median_us(run(pin + [exe, f"--benchmark={runs}",
                                                            f"--input={x}"])))
        dense_out = np.load(os.path.join(exes["dense"][1], "out", "output_0.npy"))
        dense_w = weights_size(exes["dense"][0] + ".h")
        for v, (exe, out) in exes.items():
            w = weights_size(exe + ".h")
            got = np.load(os.path.join(out, "out", "output_0.npy")).astype(np.float64)
            db = sqnr(dense_out, got)
            speed = best["dense"] / best[v]
            results[(name, v)] = (speed, dense_w / w)
            print(f"{name:<18}{v:<17}{best[v] / 1000:>9.3f}ms{speed:>8.2f}x{w / 1024:>12.1f}"
                  f"{dense_w / w:>8.2f}x{('exact' if math.isinf(db) else f'{db:.1f}'):>9}")
    print()
    for name in a.models:
        s80, _ = results[(name, "80 %")]
        _, w80 = results[(name, "80 % compressed")]
        sch, _ = results[(name, "channels 50 %")]
        sbl, wbl = results[(name, "80 % blocks")]
        print(f"{name}: 80 % unstructured {s80:.2f}x faster ({'met' if s80 >= 1.5 else 'missed'}: "
              f">= 1.5x), weights compressed {w80:.2f}x smaller ({'met' if w80 >= 3 else 'missed'}: >= 3x); "
              f"50 % channels {sch:.2f}x faster ({'met' if sch >= 1.8 else 'missed'}: >= 1.8x); "
              f"80 % blocks {sbl:.2f}x faster, weights {wbl:.2f}x smaller")
    if not a.no_digits:
        print()
        digits(edgec, os.path.join(work, "digits"))
    return 0


def digits(edgec, out):
    """Accuracy at 80 %: edgec's pruning alone, and torch's fine-tuned."""
    script = os.path.join(ROOT, "test", "quantize", "digits_cnn.py")
    os.makedirs(out, exist_ok=True)
    run([sys.executable, script, "train", out])
    print(run([sys.executable, script, "finetune", out, "0.8"]).strip())
    builds = [("dense", "model.onnx", []), ("pruned", "model.onnx", ["--prune=0.8"]),
              ("finetuned", "finetuned.onnx", [])]
    for name, onnx, flags in builds:
        subprocess.run([edgec, os.path.join(out, onnx), *flags, "--emit=shared",
                        "-o", os.path.join(out, name + ".so")], check=True)
    # Prints its checks; a failed one is a figure to read, not a crash.
    check = subprocess.run([sys.executable, script, "prune-check", out,
                            *(os.path.join(out, name + ".so") for name, _, _ in builds)],
                           capture_output=True, text=True)
    print(check.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())
