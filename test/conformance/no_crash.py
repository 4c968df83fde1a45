#!/usr/bin/python3
"""Compiles every model of the ONNX backend test data and checks that edgec
either succeeds or rejects the model with one `edgec: error:` line and exit
code 1: never a crash, an assert, a hang or a silent failure.

    no_crash.py --bindir build/bin --tests ../shared/onnx-backend-tests

Prints 'N passed, N failed' where passed = compiled or cleanly rejected.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    models = sorted(os.path.join(root, "model.onnx")
                    for root, _, files in os.walk(args.tests) if "model.onnx" in files)
    compiled = rejected = 0
    bad = []
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "m.o")
        for m in models:
            try:
                r = subprocess.run([os.path.join(args.bindir, "edgec"), m, "-o", out],
                                   capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                bad.append((m, "timed out"))
                continue
            err = r.stderr.strip().splitlines()
            if r.returncode == 0 and not err:
                compiled += 1
            elif (r.returncode == 1 and len(err) == 1 and
                  err[0].startswith("edgec: error: ")):
                rejected += 1
            else:
                bad.append((m, f"exit {r.returncode}: " + " | ".join(err[:3])[:300]))
    for m, why in bad:
        print(f"BAD {os.path.relpath(m, args.tests)}: {why}")
    print(f"{len(models)} models: {compiled} compiled, {rejected} rejected with one message")
    print(f"no-crash: {compiled + rejected} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
