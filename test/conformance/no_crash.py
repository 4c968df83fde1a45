#!/usr/bin/python3
"""Compiles every model of the ONNX backend test data and checks that edgec
either succeeds or rejects the model with one `edgec: error:` line and exit
code 1: never a crash, an assert, a hang or a silent failure.

    no_crash.py --bindir build/bin --tests ../shared/onnx-backend-tests [-j N]

Prints 'N passed, N failed' where passed = compiled or cleanly rejected.
The models compile N at a time (default: the machine's cores): 1,905
compilations take 4.5 minutes one at a time on a Zen 3 core in the
release build, and several times that in the sanitizer build.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    models = sorted(os.path.join(root, "model.onnx")
                    for root, _, files in os.walk(args.tests) if "model.onnx" in files)
    compiled = rejected = 0
    bad = []

    def one(work, index, m):
        out = os.path.join(work, "m%d.o" % index)
        try:
            r = subprocess.run([os.path.join(args.bindir, "edgec"), m, "-o", out],
                               capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return "bad", "timed out"
        err = r.stderr.strip().splitlines()
        if r.returncode == 0 and not err:
            return "compiled", ""
        if (r.returncode == 1 and len(err) == 1 and
                err[0].startswith("edgec: error: ")):
            return "rejected", ""
        return "bad", f"exit {r.returncode}: " + " | ".join(err[:3])[:300]

    with tempfile.TemporaryDirectory() as work:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda im: one(work, *im), enumerate(models)))
    for m, (kind, why) in zip(models, results):
        if kind == "compiled":
            compiled += 1
        elif kind == "rejected":
            rejected += 1
        else:
            bad.append((m, why))
    for m, why in bad:
        print(f"BAD {os.path.relpath(m, args.tests)}: {why}")
    print(f"{len(models)} models: {compiled} compiled, {rejected} rejected with one message")
    print(f"no-crash: {compiled + rejected} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
