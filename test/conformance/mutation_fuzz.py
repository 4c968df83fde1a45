#!/usr/bin/python3
"""Compiles mutated ONNX node-test models and requires edgec to compile each
or refuse it with exactly one `edgec: error:` line and exit code 1: never a
crash, a hang or an assertion.

    mutation_fuzz.py --bindir build/bin --tests-root ../shared/onnx-backend-tests
                     --expected test/conformance/expected_results.txt
                     [--seed S] [--count N] [--keep DIR] [GLOB...]

The mutants are made from the models of the tests edgec passes: every test
of the test data (node, pytorch-converted, pytorch-operator, simple) that
the expected-results file of run_conformance.py does not list, or those of
them whose id (`node/test_add`) or name matches a GLOB.

Mutations are semantic, the corruptions real files carry: dimensions of
initializers and declared inputs set to 0, -1, 1 or 2^40, element types
swapped, raw data truncated, attribute values replaced by extremes, node
inputs dropped, emptied or renamed, extra outputs. The same seed gives the
same mutants. Failing mutants are copied to --keep (or left in the
temporary folder the run prints) for reproduction.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_conformance import discover, load_expected  # noqa: E402

DIMS = [-1, 0, 1, 3, 2**40]
TYPES = [0, 1, 2, 3, 6, 7, 9, 10, 11, 16, 30]
INTS = [-5, -1, 0, 1, 100, 2**40, 2**62]


def mutate(rng, m):
    g = m.graph
    sites = [("init", t) for t in g.initializer]
    for n in g.node:
        sites.append(("node", n))
        sites += [("attr", a) for a in n.attribute]
    sites += [("value", v) for v in list(g.input) + list(g.output)]
    if not sites:
        return
    kind, x = rng.choice(sites)
    k = rng.randrange(4)
    if kind == "init":
        if k == 0 and x.raw_data:
            x.raw_data = x.raw_data[:rng.randrange(len(x.raw_data))]
        elif k == 1 and x.dims:
            x.dims[rng.randrange(len(x.dims))] = rng.choice(DIMS)
        elif k == 2:
            x.data_type = rng.choice(TYPES)
        else:
            x.dims.append(rng.choice([0, 1, 2]))
    elif kind == "attr":
        if k == 0 and x.ints:
            x.ints[rng.randrange(len(x.ints))] = rng.choice(INTS)
        elif k == 1:
            x.i = rng.choice(INTS)
        elif k == 2 and x.ints:
            x.ints.append(rng.choice([0, 1, 3]))
        else:
            x.f = rng.choice([float("nan"), float("inf"), -1.0, 0.0])
    elif kind == "node":
        if k == 0 and x.input:
            x.input[rng.randrange(len(x.input))] = rng.choice(
                ["", "no_such_value", x.input[0]])
        elif k == 1:
            x.input.append(rng.choice(["", x.input[0] if x.input else "q"]))
        elif k == 2:
            x.output.append("extra_output")
        else:
            del x.input[:]
    else:
        tt = x.type.tensor_type
        if k == 0 and tt.shape.dim:
            tt.shape.dim[rng.randrange(len(tt.shape.dim))].dim_value = \
                rng.choice([0, 1, 7, 2**40])
        elif k == 1:
            tt.elem_type = rng.choice(TYPES)
        elif k == 2 and tt.shape.dim:
            del tt.shape.dim[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--tests-root", required=True,
                    help="onnx-backend-tests (node, pytorch-converted, ...)")
    ap.add_argument("--expected", required=True,
                    help="run_conformance.py's expected results: the tests "
                         "it does not list (the passing ones) are mutated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--keep", default=None)
    ap.add_argument("patterns", nargs="*", help="test id or name globs")
    args = ap.parse_args()
    not_passing = load_expected(args.expected)
    models = [os.path.join(args.tests_root, t, "model.onnx")
              for t in discover(args.tests_root, args.patterns)
              if t not in not_passing]
    if not models:
        print("mutation-fuzz: no models found")
        return 1
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="edgec-fuzz-")
    edgec = os.path.join(args.bindir, "edgec")
    bad = compiled = refused = 0
    for i in range(args.count):
        source = rng.choice(models)
        m = onnx.load(source)
        for _ in range(rng.randint(1, 3)):
            mutate(rng, m)
        path = os.path.join(work, f"mutant_{i}.onnx")
        try:
            data = m.SerializeToString()
        except Exception:  # a mutation protobuf itself refuses
            continue
        with open(path, "wb") as f:
            f.write(data)
        try:
            r = subprocess.run([edgec, path, "-o", os.path.join(work, "m.o")],
                               capture_output=True, text=True,
                               timeout=args.timeout)
            errors = [l for l in r.stderr.splitlines() if "error:" in l]
            ok = (r.returncode == 0 and not errors) or \
                 (r.returncode == 1 and len(errors) == 1)
            compiled += r.returncode == 0
            refused += r.returncode == 1
            why = f"exit {r.returncode}, {len(errors)} error lines: " + \
                  r.stderr.strip()[-300:].replace("\n", " | ")
        except subprocess.TimeoutExpired:
            ok, why = False, f"no answer in {args.timeout} s"
        if not ok:
            bad += 1
            where = path
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                where = os.path.join(args.keep, os.path.basename(path))
                shutil.copy(path, where)
            print(f"BAD {os.path.relpath(source, args.tests_root)} -> {where}: {why}")
    print(f"mutation-fuzz: seed {args.seed}, {args.count} mutants: "
          f"{compiled} compiled, {refused} refused, {bad} bad")
    if not args.keep and not bad:  # a failing run keeps its mutants
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
