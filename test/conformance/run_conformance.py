#!/usr/bin/python3
"""Runs the ONNX backend tests through edgec and edgec-run.

    run_conformance.py --bindir build/bin --tests-root ../shared/onnx-backend-tests \\
        --expected test/conformance/expected_results.txt [-j N] [GLOB...]
        [--update] [--doc docs/conformance.md]

Every test of the four folders of the test data (node, pytorch-converted,
pytorch-operator, simple; a test is a folder with model.onnx and
test_data_set_*/input_*.pb, output_*.pb) is identified as `folder/name`, e.g.
`node/test_add`. Without GLOBs every test runs; a GLOB selects the tests whose
id or name matches it (`node/test_add*`, `test_conv*`).

Each test, in its own temporary folder and within --timeout seconds: the
model is compiled to a shared object (edgec --emit=shared), run by edgec-run
on each data set's inputs, and every output compared with its reference:
shapes and element types equal; floats |got - ref| <= 1e-5 + 1e-3 * |ref|
elementwise, NaN where the reference has NaN, the same infinity where it has
one; integers and bools exact. bfloat16 outputs, which edgec-run writes as
their raw uint16 bits (numpy has no bfloat16), are compared as floats, and
so are the float8, float4e2m1 and float8e8m0 outputs it writes as their
codes in uint8; int4/int2 (int8) and uint4/uint2 (uint8) values exactly.
The machine's onnx package may not know these newer types, so their
reference tensors are decoded here (sub-byte values unpacked, the codes of
the float types turned into values by their formats' rules).

A model refused only because a graph input decides a shape (edgec's message
ends "fix its value with --input-value=NAME=FILE.npy": a reduction's axes,
Reshape's target, Pad's pads given as graph inputs) or has a symbolic
dimension ("fix it with --input-shape=NAME=D0xD1x...") is compiled once per
data set with those values or shapes taken from the set, as a user who
knows them would, and run on the other inputs; such a pass is noted ("fixed
at compile time: the value of axes") and counted apart in the doc table.

A test ends in one of three states:
  pass         every output of every data set matches;
  unsupported  edgec refused the model with its normal contract: exit code 1
               and exactly one `edgec: error:` line (the reason recorded);
  fail         anything else: a wrong result, a crash, an assert, an exit code
               other than 0 or 1, more than one line of errors, a timeout, or
               an edgec-run error.

The expected-results file lists every test that does not pass, with its
status and reason (`node/test_tan  unsupported  node 'Tan_0': unsupported op
'Tan' (opset 22)`). The run exits 1 on an unexpected result: a test not
listed that fails or is unsupported, a listed test that passes, or a listed
test whose status changed. --update rewrites the file from the results of
the tests that ran (sorted; entries of tests that did not run are kept), and
--doc FILE regenerates the per-op table of docs/conformance.md between its
BEGIN/END markers.

--shard I/N runs every N-th test of the sorted list starting at the I-th
(1 <= I <= N), so that N runs together cover every test once: the lit suite
runs the 1,905 tests as several shards, each well inside lit's per-test
time limit, and a slow machine runs them in parallel.
"""
import argparse
import collections
import concurrent.futures
import datetime
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

FOLDERS = ["node", "pytorch-converted", "pytorch-operator", "simple"]
STATUSES = ("pass", "fail", "unsupported")
BFLOAT16 = 16
DOC_BEGIN = "<!-- BEGIN generated conformance table: run_conformance.py --doc; do not edit by hand -->"
DOC_END = "<!-- END generated conformance table -->"


# --- comparison --------------------------------------------------------------

def compare(got, ref, atol=1e-5, rtol=1e-3):
    """None when got matches ref, else why not (one short line)."""
    if got.shape != ref.shape:
        return f"shape {list(got.shape)} != {list(ref.shape)}"
    if got.dtype != ref.dtype:
        return f"dtype {got.dtype} != {ref.dtype}"
    if np.issubdtype(ref.dtype, np.floating):
        g = got.astype(np.float64)
        r = ref.astype(np.float64)
        g_nan, r_nan = np.isnan(g), np.isnan(r)
        g_inf, r_inf = np.isinf(g), np.isinf(r)
        finite = ~(g_nan | r_nan | g_inf | r_inf)
        # A half-precision output (float16, bfloat16) is rounded to 11 (8)
        # significant bits at every step: two equally correct orders of
        # accumulation (vector widths differ between CPUs) differ by an
        # ulp or two, so 2 ulps of the output type are allowed on top.
        slack = 0.0
        if ref.dtype == np.float16:
            with np.errstate(invalid="ignore"):
                slack = 2.0 * np.spacing(np.abs(ref)).astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(g - r)
            ok = finite & (diff <= atol + rtol * np.abs(r) + slack)
        ok |= g_nan & r_nan                 # NaN equals NaN
        ok |= (g_inf | r_inf) & (g == r)    # an infinity only equals itself
        bad = ~ok
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f"[{','.join(map(str, first))}]" if first else ""
            worst = f", max|diff| {np.max(diff[finite & bad]):.3g}" \
                if (finite & bad).any() else ""
            return (f"{int(bad.sum())} of {bad.size} values differ{worst}; "
                    f"first at {where or 'scalar'}: got {g[first]:.6g}, "
                    f"ref {r[first]:.6g}")
    elif not np.array_equal(got, ref):
        bad = got != ref
        n = int(np.sum(bad)) if isinstance(bad, np.ndarray) else 1
        return f"{n} of {ref.size} values differ"
    return None


# TensorProto codes of the types newer than the onnx package may know:
# the float ones as (exponent bits, mantissa bits, bias, special values),
# the integers as (bits, signed).
NARROW_FLOATS = {17: (4, 3, 7, "fn"), 18: (4, 3, 8, "fnuz"),
                 19: (5, 2, 15, "ieee"), 20: (5, 2, 16, "fnuz"),
                 23: (2, 1, 1, "finite"), 24: (8, 0, 127, "e8m0")}
SMALL_INTS = {21: (4, False), 22: (4, True), 25: (2, False), 26: (2, True)}


def narrow_float_values(codes, dtype):
    """The float32 values of the codes (uint8) of a float8/float4/e8m0 type."""
    ebits, mbits, bias, kind = NARROW_FLOATS[dtype]
    c = codes.astype(np.int64)
    with np.errstate(over="ignore"):
        if kind == "e8m0":
            v = np.ldexp(1.0, c - 127)
            v[c == 0xFF] = np.nan
            return v.astype(np.float32)
        c = c & ((1 << (1 + ebits + mbits)) - 1)
        s = (c >> (ebits + mbits)) & 1
        e = (c >> mbits) & ((1 << ebits) - 1)
        m = c & ((1 << mbits) - 1)
        mag = np.where(e == 0, np.ldexp(m.astype(np.float64), 1 - bias - mbits),
                       np.ldexp((m + (1 << mbits)).astype(np.float64),
                                e - bias - mbits))
        v = np.where(s == 1, -mag, mag)
        emax, mmax = (1 << ebits) - 1, (1 << mbits) - 1
        if kind == "ieee":
            v = np.where(e == emax, np.where(m == 0, np.where(s == 1, -np.inf, np.inf),
                                             np.nan), v)
        elif kind == "fn":
            v = np.where((e == emax) & (m == mmax), np.nan, v)
        elif kind == "fnuz":
            v = np.where(c == 0x80, np.nan, v)
    return v.astype(np.float32)


def narrow_array(t):
    """The values of a TensorProto of one of the newer types (numpy)."""
    count = int(np.prod(list(t.dims), dtype=np.int64))
    data = (np.frombuffer(t.raw_data, dtype=np.uint8) if t.raw_data
            else np.array(list(t.int32_data), dtype=np.int64).astype(np.uint8))
    bits = 4 if t.data_type in (21, 22, 23) else 2 if t.data_type in (25, 26) else 8
    if bits < 8:
        per = 8 // bits
        shifts = np.arange(per, dtype=np.uint8) * bits
        data = ((data[:, None] >> shifts) & ((1 << bits) - 1)).reshape(-1)
    data = data[:count].reshape(list(t.dims))
    if t.data_type in NARROW_FLOATS:
        return narrow_float_values(data, t.data_type)
    bits, signed = SMALL_INTS[t.data_type]
    if not signed:
        return data.astype(np.uint8)
    v = data.astype(np.int16)
    return np.where(v >= (1 << (bits - 1)), v - (1 << bits), v).astype(np.int8)


def load_reference(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    if t.data_type in NARROW_FLOATS or t.data_type in SMALL_INTS:
        return t, narrow_array(t)
    return t, numpy_helper.to_array(t)


# --- running one test --------------------------------------------------------

def run_cmd(cmd, timeout):
    """(returncode, stdout, stderr), returncode None on a timeout. The command
    runs in its own process group, killed as a whole when it times out (a
    linker or any other child cannot keep the pipes, and the run, open)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True, errors="replace",
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=max(timeout, 0.1))
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return None, out, err


def signal_name(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return f"signal {-rc}"


def one_line(s, limit=200):
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit - 3] + "..."


def crash_reason(stage, rc, err):
    lines = [l for l in err.strip().splitlines() if l.strip()]
    pick = next((l for l in lines if "Assertion" in l or "error" in l.lower()),
                lines[0] if lines else "no message")
    how = f"killed by {signal_name(rc)}" if rc < 0 else f"exit code {rc}"
    if rc == 1:
        how = f"exit code 1 with {len(lines)} error lines" if lines else \
            "exit code 1 without a message"
    return f"{stage} {how}: {one_line(pick)}"


def value_kind(vi):
    kind = vi.type.WhichOneof("value")
    if kind == "tensor_type" and vi.type.tensor_type.elem_type == \
            onnx.TensorProto.STRING:
        return "string tensor"
    return {"tensor_type": "tensor", "sequence_type": "sequence",
            "map_type": "map", "optional_type": "optional",
            "sparse_tensor_type": "sparse tensor"}.get(kind, kind or "untyped")


def inspect_model(path):
    """The (domain, op type) of each node, and the non-tensor kinds among the
    graph inputs, outputs and value types."""
    m = onnx.load(path, load_external_data=False)
    g = m.graph
    ops = [(n.domain if n.domain not in ("", "ai.onnx") else "", n.op_type)
           for n in g.node]
    kinds = sorted({value_kind(v) for v in list(g.input) + list(g.output) +
                    list(g.value_info)} - {"tensor"})
    outputs = [value_kind(v) for v in g.output]
    return ops, kinds, outputs


def indexed(names, prefix):
    return sorted((n for n in names if n.startswith(prefix) and n.endswith(".pb")),
                  key=lambda s: int(s[len(prefix):-3]))


def run_test(test_id, root, bindir, timeout):
    folder = os.path.join(root, test_id)
    model = os.path.join(folder, "model.onnx")
    result = {"id": test_id, "status": "fail", "reason": "", "ops": [],
              "kinds": []}
    start = time.monotonic()
    deadline = start + timeout
    try:
        ops, kinds, out_kinds = inspect_model(model)
        result["ops"] = [list(o) for o in ops]
        result["kinds"] = kinds
        with tempfile.TemporaryDirectory(prefix="edgec-conformance-") as work:
            notes = []
            result["status"], result["reason"] = run_in(
                folder, model, work, bindir, deadline, timeout, out_kinds, notes)
            if notes and result["status"] == "pass":
                result["note"] = notes[0]
    except Exception as e:  # a reference or model the runner cannot read
        result["status"], result["reason"] = "fail", \
            f"runner: {type(e).__name__}: {one_line(str(e))}"
    result["seconds"] = round(time.monotonic() - start, 3)
    return result


FIX_HINT = re.compile(r"fix (?:its value|their values) with --input-value=(\S+)=FILE\.npy"
                      r"|fix it with --input-shape=(\S+)=D0xD1x")


def compile_model(model, lib, work, bindir, deadline, timeout, fixed,
                  shapes=None):
    """edgec on the model with `fixed` ({input name: .npy path}) and
    `shapes` ({input name: "D0xD1..."}); returns (status, reason): ("ok",
    ""), ("unsupported", the refusal) or ("fail", why)."""
    cmd = [os.path.join(bindir, "edgec"), model, "--emit=shared", "-o", lib]
    cmd += [f"--input-value={name}={path}" for name, path in fixed.items()]
    cmd += [f"--input-shape={name}={dims}" for name, dims in (shapes or {}).items()]
    rc, _, err = run_cmd(cmd, deadline - time.monotonic())
    err = err.replace(model, "model.onnx").replace(work, "<tmp>")
    if rc is None:
        return "fail", f"edgec: no answer in {timeout} s"
    lines = [l for l in err.strip().splitlines() if l.strip()]
    if rc == 1 and len(lines) == 1 and lines[0].startswith("edgec: error: "):
        return "unsupported", refusal_reason(lines[0])
    if rc != 0:
        return "fail", crash_reason("edgec", rc, err)
    return "ok", ""


def graph_input_names(model):
    m = onnx.load(model, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in inits]


def run_in(folder, model, work, bindir, deadline, timeout, out_kinds, notes):
    lib = os.path.join(work, "model.so")
    status, reason = compile_model(model, lib, work, bindir, deadline, timeout, {})
    sets = sorted((d for d in os.listdir(folder) if d.startswith("test_data_set_")),
                  key=lambda s: int(s[len("test_data_set_"):]))
    # A model refused because a graph input decides a shape (a reduction's
    # axes, Reshape's target...) is compiled once per data set with those
    # inputs fixed to the set's values (--input-value), as a user who knows
    # them would; the result notes which inputs were fixed.
    per_set = status == "unsupported" and FIX_HINT.search(reason)
    if status != "ok" and not per_set:
        return status, reason
    if not sets:
        return "fail", "runner: no test_data_set_* folder"
    names = graph_input_names(model) if per_set else []
    for data in sets:
        dpath = os.path.join(folder, data)
        files = os.listdir(dpath)
        inputs = indexed(files, "input_")
        fixed, shapes = {}, {}
        if per_set:
            lib = os.path.join(work, data + ".so")
            while True:
                status, reason = compile_model(model, lib, work, bindir, deadline,
                                               timeout, fixed, shapes)
                hint = FIX_HINT.search(reason) if status == "unsupported" else None
                if status != "unsupported" or not hint:
                    break
                name = hint.group(1) or hint.group(2)
                if name in fixed or name in shapes or name not in names or \
                        names.index(name) >= len(inputs):
                    break
                _, value = load_reference(os.path.join(dpath, inputs[names.index(name)]))
                if hint.group(1):
                    fixed[name] = os.path.join(work, f"{data}-{len(fixed)}.npy")
                    np.save(fixed[name], value)
                else:
                    shapes[name] = "x".join(str(d) for d in value.shape)
            if status != "ok":
                return status, reason
            what = [f"the value of {n}" for n in sorted(fixed)] + \
                [f"the shape of {n}" for n in sorted(shapes)]
            notes.append("fixed at compile time: " + ", ".join(what))
            inputs = [f for i, f in enumerate(inputs)
                      if i >= len(names) or names[i] not in fixed]
        out_dir = os.path.join(work, data)
        # --guard-pages: each input, output and the arena between
        # inaccessible pages (a stray access fails the test).
        cmd = [os.path.join(bindir, "edgec-run"), lib, "--guard-pages",
               f"--output-dir={out_dir}"]
        cmd += [f"--input={os.path.join(dpath, i)}" for i in inputs]
        rc, _, err = run_cmd(cmd, deadline - time.monotonic())
        err = err.replace(work, "<tmp>").replace(folder + "/", "")
        if rc is None:
            return "fail", f"{data}: edgec-run: no answer (the test's {timeout} s)"
        if rc != 0:
            return "fail", f"{data}: " + crash_reason("edgec-run", rc, err)
        for name in indexed(files, "output_"):
            i = int(name[len("output_"):-3])
            if i < len(out_kinds) and out_kinds[i] not in ("tensor", "string tensor"):
                return "fail", (f"{data}/{name}: a {out_kinds[i]} output; only "
                                "tensors are compared")
            got_path = os.path.join(out_dir, f"output_{i}.npy")
            if not os.path.exists(got_path):
                return "fail", f"{data}/{name}: edgec-run wrote no output_{i}.npy"
            proto, ref = load_reference(os.path.join(dpath, name))
            got = np.load(got_path, allow_pickle=False)
            if proto.data_type == BFLOAT16 and got.dtype == np.uint16:
                got = (got.astype(np.uint32) << 16).view(np.float32)
                ref = ref.astype(np.float32)
            if proto.data_type in NARROW_FLOATS and got.dtype == np.uint8:
                got = narrow_float_values(got, proto.data_type)
            why = compare(got, ref)
            if why:
                return "fail", f"{data}/{name}: {why}"
    return "pass", ""


def refusal_reason(line):
    """edgec's one error line without its prefix and the model path."""
    line = line[len("edgec: error: "):]
    if line.startswith("model.onnx: "):
        line = line[len("model.onnx: "):]
    return one_line(line, 300)


# --- the expected-results file ----------------------------------------------

def load_expected(path):
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 2 or parts[1] not in ("fail", "unsupported"):
                sys.exit(f"{path}:{n}: expected 'TEST-ID fail|unsupported REASON'")
            expected[parts[0]] = (parts[1], parts[2].strip() if len(parts) > 2 else "")
    return expected


EXPECTED_HEADER = """\
# The ONNX backend tests (../shared/onnx-backend-tests) that edgec does not
# pass, one a line: test id, status, reason. `fail` is a wrong result, a crash
# or a run error; `unsupported` a model edgec refuses with its one-line
# `edgec: error:` message (the reason). Every test not listed must pass.
# test/conformance/run_conformance.py fails on any difference (a new failure,
# a listed test that passes or changed status); after a change to edgec,
# regenerate this file, then review its diff:
#   /usr/bin/python3 test/conformance/run_conformance.py --bindir build/bin \\
#     --tests-root ../shared/onnx-backend-tests \\
#     --expected test/conformance/expected_results.txt --update
"""


def write_expected(path, entries):
    with open(path, "w") as f:
        f.write(EXPECTED_HEADER)
        for test_id in sorted(entries):
            status, reason = entries[test_id]
            f.write(f"{test_id}  {status}  {reason}".rstrip() + "\n")


# --- per-op attribution and the doc table -------------------------------------

def op_name(domain, op):
    return f"{domain}.{op}" if domain else op


def op_label(name):
    """Softmax; ai.onnx.ml.LabelEncoder -> LabelEncoder (ai.onnx.ml)"""
    domain, _, op = name.rpartition(".")
    return f"{op} ({domain})" if domain else op


def norm(s):
    return s.lower().replace("_", "")


def attribute(results):
    """test id -> the op type the test is counted under, or None (a model of
    several ops that no rule ties to one). The rules, in order:
    1. the model's one op type (Constant nodes feeding it aside);
    2. for a node test named ..._expanded (or _expanded_verN), the op of the
       test without that suffix (test_softmax_axis_0_expanded -> Softmax);
    3. for another node test of several ops, the op type whose name is the
       longest prefix of the test name, both lowercased without underscores
       (test_layer_normalization_... -> LayerNormalization), among the op
       types of the single-op tests.
    Models of several ops in the other folders (pytorch-*, simple) are
    whole small networks, counted under no op.
    """
    single = {}
    for r in results:
        ops = {op_name(*o) for o in r["ops"]}
        if len(ops) > 1:
            ops.discard("Constant")
        if len(ops) == 1:
            single[r["id"]] = ops.pop()
    known = sorted(set(single.values()), key=len, reverse=True)
    by_id = {}
    for r in results:
        test_id = r["id"]
        if test_id in single:
            by_id[test_id] = single[test_id]
            continue
        folder, name = test_id.split("/", 1)
        base = re.sub(r"_expanded(_ver\d+)?$", "", name)
        if folder == "node" and base != name and f"node/{base}" in single:
            by_id[test_id] = single[f"node/{base}"]
            continue
        key = norm(name[len("test_"):] if name.startswith("test_") else name)
        match = [op for op in known if key.startswith(norm(op.split(".")[-1]))]
        by_id[test_id] = match[0] if match and folder == "node" else None
    return by_id


def doc_reason(r):
    """A short, groupable form of a result's reason for the doc table."""
    why = r["reason"]
    if r["status"] == "fail":
        if "values differ" in why or "shape [" in why or "dtype " in why:
            return "wrong result"
        m = re.search(r"(edgec(-run)?) (killed by \w+|exit code \d+[^:]*|: no answer)",
                      why)
        if m:
            return f"{m.group(1)} {m.group(3).lstrip(': ')}"
        return one_line(why, 60)
    why = re.sub(r"^node '[^']*': ", "", why)
    why = re.sub(r"^(graph (input|output)) '[^']*'", r"\1", why)
    why = re.sub(r"\(input '[^']*'\)", "(input)", why)
    why = re.sub(r"^dimension \d+ of graph input '[^']*' is symbolic.*",
                 "a dimension of a graph input is symbolic (not fixed)", why)
    why = re.sub(r" \(opset \d+\)", "", why)
    return one_line(why, 80)


def md(s):
    return s.replace("|", "\\|")


def folder_counts(results):
    counts = collections.OrderedDict((f, collections.Counter()) for f in FOLDERS)
    for r in results:
        counts.setdefault(r["id"].split("/", 1)[0], collections.Counter())[r["status"]] += 1
    return counts


def summary_line(results):
    parts, total = [], collections.Counter()
    for folder, c in folder_counts(results).items():
        n = sum(c.values())
        if not n:
            continue
        total.update(c)
        parts.append(f"{folder} {c['pass']}/{n} passed, {c['fail']} failed, "
                     f"{c['unsupported']} unsupported")
    n = sum(total.values())
    parts.append(f"total {total['pass']}/{n} passed, {total['fail']} failed, "
                 f"{total['unsupported']} unsupported")
    return "; ".join(parts)


def doc_table(results):
    out = [DOC_BEGIN, "",
           f"Results of `test/conformance/run_conformance.py` on "
           f"{datetime.date.today().isoformat()} (ONNX v1.22 backend test data; "
           "regenerate this part with `--doc docs/conformance.md`):", "",
           "| folder | tests | pass | fail | unsupported |",
           "|---|---:|---:|---:|---:|"]
    total = collections.Counter()
    for folder, c in folder_counts(results).items():
        n = sum(c.values())
        if not n:
            continue
        total.update(c)
        out.append(f"| {folder} | {n} | {c['pass']} | {c['fail']} | {c['unsupported']} |")
    out.append(f"| **total** | {sum(total.values())} | {total['pass']} | "
               f"{total['fail']} | {total['unsupported']} |")
    fixed = [r for r in results if r.get("note")]
    if fixed:
        node = [r for r in results if r["id"].startswith("node/")
                and r["status"] == "pass"]
        node_fixed = sum(1 for r in node if r.get("note"))
        out += ["", f"{len(fixed)} of the passing tests take an input that "
                "decides a shape (a reduction's axes without keepdims, "
                "Resize's scales, Slice's starts...) as a graph input, and "
                "the shapes the model declares do not decide it, or have "
                "symbolic input dimensions: they pass with "
                "that value or shape fixed at compile time (`--input-value`, "
                "`--input-shape`, from the test's data), which a static "
                "compiler needs. Without them, "
                f"{len(node) - node_fixed} node tests pass as they are."]
    special = [r for r in results if r["kinds"]]
    out += ["", f"{len(special)} of the tests have string, sequence, optional "
            f"or map values in their graph; "
            f"{sum(r['status'] == 'pass' for r in special)} of them pass, "
            f"{sum(r['status'] == 'unsupported' for r in special)} are refused "
            f"(unsupported), {sum(r['status'] == 'fail' for r in special)} fail.",
            "", "Each test counts under one op type: the model's only op "
            "(Constant nodes aside); for an `_expanded` node test (the op "
            "written as a function body of simpler ops), the op of the test of "
            "the same name without `_expanded` (`test_softmax_axis_0_expanded` "
            "counts under Softmax, even though its model has no Softmax node); "
            "for any other node test of several ops, the op whose name is the "
            "longest prefix of the test name (case and underscores ignored). "
            "The models of several ops of the other folders are small networks: "
            "they are listed after the table. `fail` is a wrong result or a "
            "crash; the reasons are edgec's messages, shortened, with the "
            "number of tests each.", "",
            "| op | passed / tests | why the others do not pass |",
            "|---|---:|---|"]
    by_id = attribute(results)
    per_op = collections.defaultdict(list)
    loose = []
    for r in results:
        op = by_id[r["id"]]
        (per_op[op] if op else loose).append(r)
    for op in sorted(per_op, key=lambda s: (op_label(s).lower(), s)):
        rs = per_op[op]
        passed = sum(r["status"] == "pass" for r in rs)
        reasons = collections.Counter(
            ("fail: " if r["status"] == "fail" else "") + doc_reason(r)
            for r in rs if r["status"] != "pass")
        top = reasons.most_common()
        text = "; ".join(f"{md(w)} ({n})" for w, n in top[:3])
        if len(top) > 3:
            text += f"; {len(top) - 3} other reason{'s' if len(top) > 4 else ''}"
        out.append(f"| {md(op_label(op))} | {passed}/{len(rs)} | {text} |")
    if loose:
        out += ["", "Models of several ops (pytorch-converted, pytorch-operator, simple):", "",
                "| test | ops | result |", "|---|---|---|"]
        for r in sorted(loose, key=lambda r: r["id"]):
            ops = ", ".join(dict.fromkeys(op_name(*o) for o in r["ops"]))
            res = "pass" if r["status"] == "pass" else \
                f"{r['status']}: {md(doc_reason(r))}"
            out.append(f"| {r['id']} | {md(ops)} | {res} |")
    out += ["", DOC_END]
    return "\n".join(out) + "\n"


def write_doc(path, results):
    table = doc_table(results)
    text = open(path).read() if os.path.exists(path) else ""
    b, e = text.find(DOC_BEGIN), text.find(DOC_END)
    if b >= 0 and e > b:
        text = text[:b] + table + text[e + len(DOC_END):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + table
    with open(path, "w") as f:
        f.write(text)


# --- main --------------------------------------------------------------------

def discover(root, patterns):
    ids = []
    for folder in FOLDERS:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            sys.exit(f"run_conformance.py: no folder {d}")
        for name in os.listdir(d):
            if not os.path.exists(os.path.join(d, name, "model.onnx")):
                continue
            test_id = f"{folder}/{name}"
            if not patterns or any(fnmatch.fnmatchcase(test_id, p) or
                                   fnmatch.fnmatchcase(name, p) for p in patterns):
                ids.append(test_id)
    return sorted(ids)


def shard_arg(text):
    """(I, N) from "I/N" with 1 <= I <= N, for --shard."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not I/N (e.g. 2/4)")
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"'{text}': I must be 1..N")
    return i, n


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", help="the folder of edgec and edgec-run")
    ap.add_argument("--tests-root", required=True,
                    help="onnx-backend-tests (node, pytorch-converted, ...)")
    ap.add_argument("--expected", required=True,
                    help="the expected-results file (expected_results.txt)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="tests run at a time (default: the number of CPUs)")
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds per test, compilation and runs (default 120)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite --expected from these results")
    ap.add_argument("--doc", metavar="FILE",
                    help="regenerate the generated table of FILE (docs/conformance.md)")
    ap.add_argument("--save-results", metavar="JSON",
                    help="write every result (id, status, reason, ops, seconds)")
    ap.add_argument("--load-results", metavar="JSON",
                    help="take the results of an earlier --save-results instead "
                         "of running (for --update and --doc)")
    ap.add_argument("--shard", metavar="I/N", type=shard_arg,
                    help="run only the I-th of N interleaved parts of the tests")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every test, not only failures and surprises")
    ap.add_argument("patterns", nargs="*", help="test id or name globs")
    args = ap.parse_args()

    expected = load_expected(args.expected)
    if args.load_results:
        with open(args.load_results) as f:
            results = json.load(f)
        if args.patterns:
            keep = set(discover(args.tests_root, args.patterns))
            results = [r for r in results if r["id"] in keep]
    else:
        if not args.bindir:
            ap.error("--bindir is required (unless --load-results)")
        ids = discover(args.tests_root, args.patterns)
        if args.shard:
            i, n = args.shard
            ids = ids[i - 1::n]
        if not ids:
            print("conformance: no test matches")
            return 1
        start = time.monotonic()
        results = []
        progress = sys.stderr.isatty()
        with concurrent.futures.ThreadPoolExecutor(max(args.jobs, 1)) as pool:
            futures = [pool.submit(run_test, t, args.tests_root, args.bindir,
                                   args.timeout) for t in ids]
            for f in concurrent.futures.as_completed(futures):
                results.append(f.result())
                if progress:
                    print(f"\r{len(results)}/{len(ids)}", end="", file=sys.stderr,
                          flush=True)
        if progress:
            print(file=sys.stderr)
        elapsed = time.monotonic() - start
        shard = f" (shard {args.shard[0]}/{args.shard[1]})" if args.shard else ""
        print(f"conformance: {len(ids)} tests{shard} in {elapsed:.0f} s "
              f"with -j{args.jobs}")
    results.sort(key=lambda r: r["id"])
    if args.save_results:
        with open(args.save_results, "w") as f:
            json.dump(results, f, indent=0)

    unexpected, reworded = [], 0
    for r in results:
        test_id, status, reason = r["id"], r["status"], r["reason"]
        listed = expected.get(test_id)
        if status == "pass" and listed:
            note = f"XPASS {test_id} (listed as {listed[0]}: {listed[1]})"
        elif status != "pass" and not listed:
            note = f"NEW   {test_id} {status}: {reason}"
        elif status != "pass" and listed[0] != status:
            note = f"CHANGED {test_id} {listed[0]} -> {status}: {reason}"
        else:
            note = None
            reworded += bool(listed) and listed[1] != reason
        if note:
            unexpected.append(note)
            print(note)
        elif status == "fail":
            print(f"FAIL  {test_id} (expected): {reason}")
        elif args.verbose:
            print(f"{status.upper():5} {test_id}" + (f": {reason}" if reason else ""))
    ran = {r["id"] for r in results}
    on_disk = set(discover(args.tests_root, []))
    stale = sorted(t for t in expected if t not in on_disk)
    for t in stale:
        print(f"warning: {args.expected}: {t} is not a test of {args.tests_root}")

    if args.update:
        entries = {t: e for t, e in expected.items() if t not in ran and t in on_disk}
        entries.update({r["id"]: (r["status"], r["reason"]) for r in results
                        if r["status"] != "pass"})
        write_expected(args.expected, entries)
        print(f"conformance: wrote {args.expected} ({len(entries)} tests that do not pass)")
    if args.doc:
        write_doc(args.doc, results)
        print(f"conformance: wrote the table of {args.doc}")

    if reworded:
        print(f"conformance: {reworded} listed tests give another reason now "
              "(--update records it)")
    print("conformance: " + summary_line(results))
    known = collections.Counter(expected[t][0] for t in ran if t in expected)
    print(f"conformance: {len(unexpected)} unexpected results (listed in "
          f"{os.path.basename(args.expected)}: {known['fail']} failing, "
          f"{known['unsupported']} unsupported)")
    if unexpected and args.update:
        return 0
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
