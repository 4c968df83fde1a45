#!/usr/bin/python3
"""Compares output_<i>.npy files in a run's folder with a model's references.

Floats must satisfy max|got - ref| <= 1e-4 + 1e-3 * max|ref| (the tolerance of
shared/models/README.md), float16 ten times that (its 11-bit significand
rounds every intermediate at about 5e-4); integers may differ by at most 1 (quantized
models round), or by --int-tolerance=N. Exits 1 on any mismatch, missing file,
or shape/type difference.
"""
import argparse
import glob
import os
import sys

import numpy as np


def main(got_dir, ref_dir, int_tolerance=1):
    refs = sorted(glob.glob(os.path.join(ref_dir, "output_*.npy")))
    if not refs:
        print(f"no reference outputs in {ref_dir}")
        return 1
    ok = True
    for ref_path in refs:
        name = os.path.basename(ref_path)
        got_path = os.path.join(got_dir, name)
        if not os.path.exists(got_path):
            print(f"{name}: missing")
            ok = False
            continue
        got, ref = np.load(got_path), np.load(ref_path)
        if got.shape != ref.shape or got.dtype != ref.dtype:
            print(f"{name}: got {got.dtype}{list(got.shape)}, "
                  f"expected {ref.dtype}{list(ref.shape)}")
            ok = False
            continue
        if np.issubdtype(ref.dtype, np.floating):
            diff = float(np.max(np.abs(got.astype(np.float64) - ref)))
            scale = 10.0 if ref.dtype == np.float16 else 1.0
            tol = scale * (1e-4 + 1e-3 * float(np.max(np.abs(ref))))
        else:
            diff = float(np.max(np.abs(got.astype(np.int64) - ref.astype(np.int64))))
            tol = int_tolerance
        status = "OK" if diff <= tol else "MISMATCH"
        ok &= diff <= tol
        print(f"{name}: max|diff| = {diff:.3g} (tolerance {tol:.3g}) {status}")
    return 0 if ok else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("got_dir")
    ap.add_argument("ref_dir")
    ap.add_argument("--int-tolerance", type=int, default=1)
    args = ap.parse_args()
    sys.exit(main(args.got_dir, args.ref_dir, args.int_tolerance))
