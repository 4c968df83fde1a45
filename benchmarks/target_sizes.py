#!/usr/bin/python3
"""Code, weight, arena and stack sizes of the shared models on every target.

    benchmarks/target_sizes.py [--bindir build/bin] [--markdown] [MODEL ...]

For each model and target: compiles the model to an object with
`edgec --target=...` and reads the generated header (weights, arena, stack
bound) and `llvm-size -A` of the object (code: .text). Cortex-M targets get
the models that fit a microcontroller (mnist-8, kws-dscnn-f32, ad01-f32).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "..", "shared", "models")
FLOAT_MODELS = ["mnist-8", "kws-dscnn-f32", "ad01-f32", "mobilenet-v2",
                "squeezenet-1.1", "mobilenet-v3-small"]
MCU_MODELS = ["mnist-8", "kws-dscnn-f32", "ad01-f32"]
TARGETS = [
    ("x86_64-linux-gnu (host)", [], FLOAT_MODELS),
    ("aarch64-linux-gnu", ["--target=aarch64-linux-gnu"], FLOAT_MODELS),
    ("riscv64-linux-gnu +v", ["--target=riscv64-linux-gnu", "--mattr=+v"], FLOAT_MODELS),
    ("thumbv7em-none-eabihf (M4F)", ["--target=thumbv7em-none-eabihf"], MCU_MODELS),
    ("thumbv8.1m.main-none-eabihf (M55)", ["--target=thumbv8.1m.main-none-eabihf"], MCU_MODELS),
]


def sizes(bindir, model, flags, work):
    obj = os.path.join(work, "m.o")
    subprocess.run([os.path.join(bindir, "edgec"), os.path.join(MODELS, model, "model.onnx"),
                    "-o", obj] + flags, check=True)
    header = open(os.path.join(work, "m.h")).read()
    value = lambda key: int(re.search(rf"#define MODEL_{key} (\d+)u", header).group(1))
    out = subprocess.run(["llvm-size-22", "-A", obj], check=True, capture_output=True,
                         text=True).stdout
    text = sum(int(l.split()[1]) for l in out.splitlines()
               if l.startswith(".text"))
    return text, value("WEIGHTS_SIZE"), value("ARENA_SIZE"), value("STACK_SIZE")


def kib(n):
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.2f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    print("| target | model | code (.text) | weights | arena | stack bound |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for name, flags, models in TARGETS:
            for model in models:
                if args.models and model not in args.models:
                    continue
                text, weights, arena, stack = sizes(args.bindir, model, flags, work)
                print(f"| {name} | {model} | {kib(text)} | {kib(weights)} | {kib(arena)} "
                      f"| {stack} B |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
