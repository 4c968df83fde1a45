#!/usr/bin/python3
"""Runs one of edgec's libFuzzer targets on its seed corpus.

run_fuzzer.py FUZZER_DIR NAME WORK_DIR (--seconds=N | --runs=N)

NAME is fuzz-import, fuzz-npy, fuzz-tensor-pb or fuzz-run-args (test/fuzz/).
The seeds come from ../shared beside the source tree:

  fuzz-import     every conformance test's model.onnx and the shared models
                  under 512 KiB (larger ones would make each mutation slow)
  fuzz-npy        the shared models' input_*.npy / output_*.npy files
  fuzz-tensor-pb  the conformance tests' input_*.pb / output_*.pb files
  fuzz-run-args   none (12 bytes describe a call; libFuzzer starts empty)
  fuzz-npu-validate  two accepted streams written by npu_seeds.py (the
                  target wraps most inputs in a valid header)

WORK_DIR/corpus receives what the fuzzer finds (a fresh folder per run);
WORK_DIR/artifacts any crashing input. Prints one line for FileCheck:

  fuzz-import: 141227 executions in 31 s (4555/s), 0 crashes, 0 leaks,
  0 timeouts, 0 out-of-memory, 1911 seeds, exit 0

and exits 1 if libFuzzer found anything (its report is printed before).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
MAX_SEED_BYTES = 512 * 1024


def seeds(name):
    models = os.path.join(SHARED, "models")
    tests = os.path.join(SHARED, "onnx-backend-tests")
    if name == "fuzz-import":
        files = sorted(glob.glob(os.path.join(tests, "*", "*", "model.onnx")))
        files += sorted(glob.glob(os.path.join(models, "*", "model.onnx")))
    elif name == "fuzz-npy":
        files = sorted(glob.glob(os.path.join(models, "*", "*put_*.npy")))
    elif name == "fuzz-tensor-pb":
        files = sorted(glob.glob(os.path.join(
            tests, "*", "*", "test_data_set_*", "*put_*.pb")))
    else:
        files = []
    return [f for f in files if os.path.getsize(f) <= MAX_SEED_BYTES]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fuzzer_dir")
    ap.add_argument("name")
    ap.add_argument("work_dir")
    ap.add_argument("--seconds", type=int)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--seed", type=int, default=0,
                    help="libFuzzer's -seed (0: from the clock); CI's bounded "
                         "run fixes it, so that it is the same run each time")
    a = ap.parse_args()
    if bool(a.seconds) == bool(a.runs):
        sys.exit("run_fuzzer.py: give one of --seconds and --runs")

    seed_dir = os.path.join(a.work_dir, "seeds")
    corpus = os.path.join(a.work_dir, "corpus")
    artifacts = os.path.join(a.work_dir, "artifacts") + os.sep
    for d in (seed_dir, corpus, artifacts):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    if a.name == "fuzz-npu-validate":
        sys.path.insert(0, HERE)
        import npu_seeds
        generated = os.path.join(a.work_dir, "generated")
        shutil.rmtree(generated, ignore_errors=True)
        sys.argv = ["npu_seeds.py", generated]
        npu_seeds.main()
        seed_files = sorted(glob.glob(os.path.join(generated, "*.bin")))
    else:
        seed_files = seeds(a.name)
    if a.name != "fuzz-run-args" and not seed_files:
        sys.exit(f"run_fuzzer.py: no seeds for {a.name} under {SHARED}")
    for i, f in enumerate(seed_files):
        os.symlink(f, os.path.join(seed_dir, f"{i:05d}-{os.path.basename(f)}"))

    cmd = [os.path.join(a.fuzzer_dir, a.name), corpus, seed_dir,
           "-timeout=10", "-rss_limit_mb=4096", "-max_len=" + str(MAX_SEED_BYTES),
           "-artifact_prefix=" + artifacts, "-print_final_stats=1"]
    cmd.append(f"-max_total_time={a.seconds}" if a.seconds else f"-runs={a.runs}")
    if a.seed:
        cmd.append(f"-seed={a.seed}")
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
               + ":detect_leaks=1")
    start = time.monotonic()
    p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, errors="replace",
                       env=env)
    seconds = time.monotonic() - start
    log = p.stderr
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    executions = int(runs[-1]) if runs else 0
    kinds = {
        "crashes": len(glob.glob(artifacts + "crash-*")),
        "leaks": len(glob.glob(artifacts + "leak-*")),
        "timeouts": len(glob.glob(artifacts + "timeout-*")),
        "out-of-memory": len(glob.glob(artifacts + "oom-*")),
    }
    found = p.returncode != 0 or any(kinds.values())
    if found:
        sys.stderr.write(log[-20000:])
    rate = executions / seconds if seconds > 0 else 0
    print(f"{a.name}: {executions} executions in {seconds:.0f} s "
          f"({rate:.0f}/s), " + ", ".join(f"{n} {k}" for k, n in kinds.items())
          + f", {len(seed_files)} seeds, exit {p.returncode}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
