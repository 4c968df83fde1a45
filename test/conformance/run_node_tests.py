#!/usr/bin/python3
"""Runs ONNX backend node tests through edgec and edgec-run.

For each test folder (model.onnx + test_data_set_*/input_*.pb, output_*.pb),
the model is compiled to a shared object, run by edgec-run on the inputs, and
every output compared with the reference (floats: |got - ref| <= atol + rtol
* |ref| elementwise, the ONNX backend test tolerance; integers: exact).

A test passes, is expected to fail (listed in expected_failures.txt with the
reason), or fails. Prints one line per test and a closing
'N passed, N unexpected, N expected failures' line; exits 1 when a test outside the
expected-failure list fails, or an expected failure passes (so the list stays
true).
"""
import argparse
import fnmatch
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def load_expected_failures(path):
    expected = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)
            name = line[0].strip()
            if name:
                expected[name] = line[1].strip() if len(line) > 1 else ""
    return expected


def compare(got, ref, atol=1e-5, rtol=1e-3):
    if got.shape != ref.shape:
        return f"shape {list(got.shape)} != {list(ref.shape)}"
    if got.dtype != ref.dtype:
        return f"dtype {got.dtype} != {ref.dtype}"
    if np.issubdtype(ref.dtype, np.floating):
        bad = np.abs(got.astype(np.float64) - ref) > atol + rtol * np.abs(ref)
        bad &= ~(np.isnan(got) & np.isnan(ref))
        if bad.any():
            return f"max|diff| {np.max(np.abs(got - ref)):.3g}"
    elif not np.array_equal(got, ref):
        return "values differ"
    return None


def run_test(folder, bindir, work):
    model = os.path.join(folder, "model.onnx")
    lib = os.path.join(work, "model.so")
    r = subprocess.run([os.path.join(bindir, "edgec"), model, "--emit=shared",
                        "-o", lib], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return "compile: " + (r.stderr.strip().splitlines() or ["?"])[0]
    for data in sorted(d for d in os.listdir(folder) if d.startswith("test_data_set")):
        dpath = os.path.join(folder, data)
        inputs = sorted(f for f in os.listdir(dpath) if f.startswith("input_"))
        outputs = sorted(f for f in os.listdir(dpath) if f.startswith("output_"))
        out_dir = os.path.join(work, data)
        cmd = [os.path.join(bindir, "edgec-run"), lib, f"--output-dir={out_dir}"]
        cmd += [f"--input={os.path.join(dpath, i)}" for i in
                sorted(inputs, key=lambda s: int(s[6:-3]))]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return "run: " + (r.stderr.strip().splitlines() or ["?"])[0]
        for i, name in enumerate(sorted(outputs, key=lambda s: int(s[7:-3]))):
            t = onnx.TensorProto()
            with open(os.path.join(dpath, name), "rb") as f:
                t.ParseFromString(f.read())
            ref = numpy_helper.to_array(t)
            got = np.load(os.path.join(out_dir, f"output_{i}.npy"))
            why = compare(got, ref)
            if why:
                return f"{data}/{name}: {why}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--tests", required=True, help="onnx-backend-tests/node")
    ap.add_argument("--expected-failures", required=True)
    ap.add_argument("--patterns-file", help="a file of test name globs, one a line")
    ap.add_argument("patterns", nargs="*", help="test name globs")
    args = ap.parse_args()
    if args.patterns_file:
        with open(args.patterns_file) as f:
            args.patterns += [l.strip() for l in f
                              if l.strip() and not l.startswith("#")]
    expected = load_expected_failures(args.expected_failures)
    names = sorted(n for n in os.listdir(args.tests)
                   if any(fnmatch.fnmatch(n, p) for p in args.patterns))
    passed = failed = xfailed = 0
    unexpected = []
    for name in names:
        with tempfile.TemporaryDirectory() as work:
            why = run_test(os.path.join(args.tests, name), args.bindir, work)
        if why is None and name in expected:
            unexpected.append(name)
            print(f"XPASS {name} (listed as failing: {expected[name]})")
        elif why is None:
            passed += 1
            print(f"PASS  {name}")
        elif name in expected:
            xfailed += 1
            print(f"XFAIL {name}: {why}")
        else:
            unexpected.append(name)
            print(f"FAIL  {name}: {why}")
    failed = len(unexpected)
    print(f"conformance: {passed} passed, {failed} unexpected, "
          f"{xfailed} expected failures")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
