#!/usr/bin/python3
"""Compiles shared models for a target, runs them under an emulator, compares.

run_models.py --bindir B --models DIR --target TRIPLE [--mattr F] [--mcpu C]
              --emulator aarch64|riscv64|mps2-an386|mps3-an547 [--vlen N]
              --workdir W MODEL...

Each MODEL (a folder of DIR with model.onnx, input_<i>.npy, output_<i>.npy)
is compiled with `edgec --emit=exe` for the target, run with its inputs
under qemu-user (Linux targets) or qemu-system-arm with semihosting (Cortex-M
boards, where the runner's flags arrive through the semihosting command
line), and its outputs are compared with compare.py's tolerance. Prints one
line per model and exits 1 if any failed.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import compare  # noqa: E402


def emulator_command(args, exe, inputs, out_dir):
    flags = [f"--input={i}" for i in inputs] + [f"--output-dir={out_dir}"]
    if args.emulator == "aarch64":
        return ["qemu-aarch64", exe] + flags
    if args.emulator == "riscv64":
        cpu = f"rv64,v=true,vlen={args.vlen},vext_spec=v1.0"
        return ["qemu-riscv64", "-cpu", cpu, exe] + flags
    # Cortex-M: the semihosting command line; paths relative to the cwd and
    # free of commas and spaces.
    semi = ",".join(["enable=on", "target=native", "arg=model"] +
                    [f"arg={f}" for f in flags])
    return ["qemu-system-arm", "-M", args.emulator, "-nographic", "-monitor",
            "none", "-semihosting-config", semi, "-kernel", exe]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bindir", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--mattr", default="")
    p.add_argument("--mcpu", default="")
    p.add_argument("--emulator", required=True,
                   choices=["aarch64", "riscv64", "mps2-an386", "mps3-an547"])
    p.add_argument("--vlen", type=int, default=128)
    p.add_argument("--workdir", required=True)
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("models_to_run", nargs="+")
    args = p.parse_args()

    edgec = os.path.join(args.bindir, "edgec")
    failed = 0
    for name in args.models_to_run:
        src = os.path.join(args.models, name)
        work = os.path.join(args.workdir, name)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(os.path.join(work, "out"))
        cmd = [edgec, os.path.join(src, "model.onnx"), f"--target={args.target}",
               "--emit=exe", "-o", os.path.join(work, "model.exe")]
        if args.mattr:
            cmd.append(f"--mattr={args.mattr}")
        if args.mcpu:
            cmd.append(f"--mcpu={args.mcpu}")
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{name}: COMPILE FAILED\n{r.stderr}")
            failed += 1
            continue
        inputs = []
        for i, path in enumerate(sorted(glob.glob(os.path.join(src, "input_*.npy")))):
            shutil.copy(path, os.path.join(work, f"input_{i}.npy"))
            inputs.append(f"input_{i}.npy")
        run = emulator_command(args, "model.exe", inputs, "out")
        try:
            r = subprocess.run(run, cwd=work, capture_output=True, text=True,
                               timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{name}: TIMEOUT after {args.timeout} s: {' '.join(run)}")
            failed += 1
            continue
        if r.returncode != 0:
            print(f"{name}: RUN FAILED (exit {r.returncode}): {' '.join(run)}\n"
                  f"{r.stdout}{r.stderr}")
            failed += 1
            continue
        print(f"{name}:", flush=True)
        if compare.main(os.path.join(work, "out"), src) != 0:
            print(f"{name}: MISMATCH")
            failed += 1
    print(f"{len(args.models_to_run) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
