#!/usr/bin/python3
"""One op at a time, edgec against ONNX Runtime: is each op family fast?

    benchmarks/op_families.py [--runs N] [--asm] [NAME-GLOB ...]

Builds a one-op model for each op of the elementwise, reduction, data
movement, normalization, indexing and matrix families at a realistic size
(tens to hundreds of thousands of elements), compiles it with
`edgec --emit=exe`, checks its output against ONNX Runtime's on the same
random input, then times both pinned to one core (ORT with one intra-op
thread) and prints both medians, their ratio and edgec's memory throughput
(bytes of the inputs and outputs over the median). With `--asm`, also the
share of the kernel's floating-point instructions that are vector
instructions (x86: packed `ps`/`pd` forms and the widths' registers), which
shows a loop left scalar. A summary line gives the geometric mean ratio and
the slowest op.
"""
import argparse
import fnmatch
import math
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
F, I64, I32, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL
NP = {F: np.float32, I64: np.int64, I32: np.int32, B: np.bool_}


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


class Case:
    """A one-node model: inputs [(name, type, shape)], the output's type and
    shape, constant initializers, and how to draw each input."""

    def __init__(self, name, op, inputs, out, attrs=None, inits=(), opset=18,
                 draw=None, outs=None, node_in=None):
        self.name, self.op, self.inputs, self.out = name, op, inputs, out
        self.node_in = node_in
        self.attrs, self.inits, self.opset = attrs or {}, list(inits), opset
        self.draw = draw or {}
        self.outs = outs or [out]

    def model(self):
        node = helper.make_node(
            self.op, self.node_in or
            [i[0] for i in self.inputs] + [t.name for t in self.inits],
            [f"y{i}" for i in range(len(self.outs))], **self.attrs)
        graph = helper.make_graph(
            [node], self.name,
            [helper.make_tensor_value_info(n, t, s) for n, t, s in self.inputs],
            [helper.make_tensor_value_info(f"y{i}", t, s)
             for i, (t, s) in enumerate(self.outs)], self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        return m

    def arrays(self, rng):
        out = []
        for n, t, s in self.inputs:
            if n in self.draw:
                out.append(self.draw[n](rng, s).astype(NP[t]))
            elif t == F:
                out.append(rng.standard_normal(s).astype(np.float32))
            elif t == B:
                out.append(rng.random(s) < 0.5)
            else:
                out.append(rng.integers(0, 30, s).astype(NP[t]))
        return out

    def bytes(self):
        n = 0
        for _, t, s in self.inputs + [(None,) + o for o in self.outs]:
            n += int(np.prod(s)) * np.dtype(NP[t]).itemsize
        return n


def cases():
    x4 = [1, 64, 56, 56]  # 200,704 floats: a mid-size CNN activation
    t3 = [8, 128, 256]    # a transformer's [batch, seq, hidden]
    c = []

    def unary(op, shape=x4, **attrs):
        c.append(Case(op, op, [("x", F, shape)], (F, shape), attrs))

    for op in ["Relu", "Sigmoid", "Tanh", "Exp", "Erf", "Softplus", "Mish",
               "HardSwish", "Elu", "Abs", "Neg", "Floor", "Sin"]:
        unary(op)
    c.append(Case("Log", "Log", [("x", F, x4)], (F, x4),
                  draw={"x": lambda r, s: r.random(s) + 0.1}))
    c.append(Case("Sqrt", "Sqrt", [("x", F, x4)], (F, x4),
                  draw={"x": lambda r, s: r.random(s)}))
    c.append(Case("Gelu", "Gelu", [("x", F, t3)], (F, t3), opset=20))
    c.append(Case("Add-broadcast", "Add", [("x", F, x4), ("b", F, [1, 64, 1, 1])],
                  (F, x4)))
    c.append(Case("Mul", "Mul", [("x", F, x4), ("b", F, x4)], (F, x4)))
    c.append(Case("Div", "Div", [("x", F, x4), ("b", F, x4)], (F, x4),
                  draw={"b": lambda r, s: r.random(s) + 0.5}))
    c.append(Case("Pow-2", "Pow", [("x", F, x4)], (F, x4),
                  inits=[const("p", np.float32(2))]))
    c.append(Case("Clip", "Clip", [("x", F, x4)], (F, x4),
                  inits=[const("lo", np.float32(0)), const("hi", np.float32(6))]))
    c.append(Case("Where", "Where", [("c", B, x4), ("x", F, x4), ("b", F, x4)], (F, x4)))
    c.append(Case("Less", "Less", [("x", F, x4), ("b", F, x4)], (B, x4)))
    c.append(Case("And", "And", [("x", B, x4), ("b", B, x4)], (B, x4)))
    c.append(Case("Mod-int32", "Mod", [("x", I32, x4), ("b", I32, x4)], (I32, x4),
                  draw={"b": lambda r, s: r.integers(1, 9, s)}))
    c.append(Case("Cast-int64", "Cast", [("x", F, x4)], (I64, x4), {"to": I64}))

    # Reductions and normalizations.
    c.append(Case("ReduceSum-last", "ReduceSum", [("x", F, t3)], (F, [8, 128, 1]),
                  inits=[const("axes", np.int64([-1]))]))
    c.append(Case("ReduceMean-hw", "ReduceMean", [("x", F, x4)], (F, [1, 64, 1, 1]),
                  inits=[const("axes", np.int64([2, 3]))]))
    c.append(Case("ReduceMax-channels", "ReduceMax", [("x", F, x4)], (F, [1, 1, 56, 56]),
                  inits=[const("axes", np.int64([1]))]))
    c.append(Case("ReduceL2-last", "ReduceL2", [("x", F, t3)], (F, [8, 128, 1]),
                  inits=[const("axes", np.int64([-1]))]))
    c.append(Case("ReduceLogSumExp", "ReduceLogSumExp", [("x", F, t3)],
                  (F, [8, 128, 1]), inits=[const("axes", np.int64([-1]))]))
    c.append(Case("ArgMax-last", "ArgMax", [("x", F, t3)], (I64, [8, 128, 1]),
                  {"axis": -1}))
    c.append(Case("Softmax", "Softmax", [("x", F, t3)], (F, t3), {"axis": -1}))
    c.append(Case("LayerNorm", "LayerNormalization", [("x", F, t3)], (F, t3),
                  {"axis": -1}, inits=[const("g", np.ones(256, np.float32)),
                                        const("b", np.zeros(256, np.float32))]))
    c.append(Case("GroupNorm", "GroupNormalization", [("x", F, x4)], (F, x4),
                  {"num_groups": 8}, opset=21,
                  inits=[const("g", np.ones(64, np.float32)),
                         const("b", np.zeros(64, np.float32))]))
    c.append(Case("InstanceNorm", "InstanceNormalization", [("x", F, x4)], (F, x4),
                  inits=[const("g", np.ones(64, np.float32)),
                         const("b", np.zeros(64, np.float32))]))
    c.append(Case("CumSum", "CumSum", [("x", F, t3)], (F, t3),
                  inits=[const("axis", np.int64(-1))]))
    c.append(Case("TopK-5of1000", "TopK", [("x", F, [64, 1000])], (F, [64, 5]),
                  inits=[const("k", np.int64([5]))],
                  outs=[(F, [64, 5]), (I64, [64, 5])]))

    # Data movement.
    c.append(Case("Transpose-nhwc", "Transpose", [("x", F, x4)], (F, [1, 56, 56, 64]),
                  {"perm": [0, 2, 3, 1]}))
    c.append(Case("Transpose-heads", "Transpose", [("x", F, [8, 128, 8, 32])],
                  (F, [8, 8, 128, 32]), {"perm": [0, 2, 1, 3]}))
    c.append(Case("Concat-channels", "Concat", [("x", F, x4), ("b", F, x4)],
                  (F, [1, 128, 56, 56]), {"axis": 1}))
    c.append(Case("Slice-stride2", "Slice", [("x", F, x4)], (F, [1, 64, 28, 28]),
                  inits=[const("s", np.int64([0, 0])), const("e", np.int64([56, 56])),
                         const("a", np.int64([2, 3])), const("st", np.int64([2, 2]))]))
    c.append(Case("Split-2", "Split", [("x", F, x4)], (F, [1, 32, 56, 56]),
                  {"axis": 1, "num_outputs": 2},
                  outs=[(F, [1, 32, 56, 56]), (F, [1, 32, 56, 56])]))
    c.append(Case("Gather-embedding", "Gather", [("i", I64, [8, 128])],
                  (F, [8, 128, 256]),
                  inits=[const("table", np.random.default_rng(1).standard_normal(
                      (1000, 256)).astype(np.float32))],
                  draw={"i": lambda r, s: r.integers(0, 1000, s)},
                  node_in=["table", "i"]))
    c.append(Case("GatherElements", "GatherElements",
                  [("x", F, t3), ("i", I64, t3)], (F, t3), {"axis": -1},
                  draw={"i": lambda r, s: r.integers(0, 256, s)}))
    c.append(Case("ScatterElements", "ScatterElements",
                  [("x", F, [8, 128, 256]), ("i", I64, [8, 128, 16]),
                   ("u", F, [8, 128, 16])], (F, t3), {"axis": -1},
                  draw={"i": lambda r, s: np.stack([r.permutation(256)[:16]
                                                    for _ in range(8 * 128)]).reshape(s)}))
    c.append(Case("Tile", "Tile", [("x", F, [1, 64, 28, 28])], (F, [2, 64, 56, 56]),
                  inits=[const("r", np.int64([2, 1, 2, 2]))]))
    c.append(Case("Expand", "Expand", [("x", F, [1, 64, 1, 56])], (F, x4),
                  inits=[const("s", np.int64(x4))]))
    c.append(Case("Pad-reflect", "Pad", [("x", F, x4)], (F, [1, 64, 60, 60]),
                  {"mode": "reflect"},
                  inits=[const("p", np.int64([0, 0, 2, 2, 0, 0, 2, 2]))]))
    c.append(Case("Resize-nearest2x", "Resize", [("x", F, [1, 64, 28, 28])], (F, x4),
                  {"mode": "nearest"},
                  inits=[const("roi", np.float32([])),
                         const("sc", np.float32([1, 1, 2, 2]))]))
    c.append(Case("Resize-linear2x", "Resize", [("x", F, [1, 64, 28, 28])], (F, x4),
                  {"mode": "linear"},
                  inits=[const("roi", np.float32([])),
                         const("sc", np.float32([1, 1, 2, 2]))]))
    c.append(Case("DepthToSpace", "DepthToSpace", [("x", F, [1, 256, 28, 28])], (F, x4),
                  {"blocksize": 2}))
    c.append(Case("Trilu", "Trilu", [("x", F, [64, 256, 256])], (F, [64, 256, 256])))
    c.append(Case("OneHot", "OneHot", [("i", I64, [8, 128])], (F, [8, 128, 256]),
                  inits=[const("d", np.int64(256)), const("v", np.float32([0, 1]))],
                  draw={"i": lambda r, s: r.integers(0, 256, s)}))

    c.append(Case("GatherND", "GatherND", [("x", F, [64, 128, 64]), ("i", I64, [64, 32, 1])],
                  (F, [64, 32, 64]), {"batch_dims": 1},
                  draw={"i": lambda r, s: r.integers(0, 128, s)}))
    c.append(Case("ScatterND", "ScatterND", [("x", F, [1024, 64]), ("i", I64, [256, 1]),
                                             ("u", F, [256, 64])], (F, [1024, 64]),
                  draw={"i": lambda r, s: r.permutation(1024)[:256].reshape(s)}))

    # Recurrent layers and attention (sequence 64, batch 1, hidden 128).
    rng = np.random.default_rng(2)
    w = lambda *shape: const(f"w{len(c)}_{len(shape)}_{shape[-1]}",
                             (rng.standard_normal(shape) * 0.1).astype(np.float32))
    c.append(Case("LSTM", "LSTM", [("x", F, [64, 1, 64])], (F, [64, 1, 1, 128]),
                  {"hidden_size": 128},
                  inits=[w(1, 512, 64), w(1, 512, 128)]))
    c.append(Case("GRU", "GRU", [("x", F, [64, 1, 64])], (F, [64, 1, 1, 128]),
                  {"hidden_size": 128, "linear_before_reset": 1},
                  inits=[w(1, 384, 64), w(1, 384, 128)]))
    c.append(Case("Attention", "Attention", [("q", F, [1, 8, 128, 32]), ("k", F, [1, 8, 128, 32]),
                                             ("v", F, [1, 8, 128, 32])],
                  (F, [1, 8, 128, 32]), opset=23))

    # Matrix products.
    c.append(Case("MatMul-batched", "MatMul", [("x", F, [8, 8, 128, 32]),
                                               ("b", F, [8, 8, 32, 128])],
                  (F, [8, 8, 128, 128])))
    c.append(Case("Einsum-bij,bjk", "Einsum", [("x", F, [8, 128, 64]),
                                               ("b", F, [8, 64, 128])],
                  (F, [8, 128, 128]), {"equation": "bij,bjk->bik"}))
    return c


def vector_share(asm):
    """Of the floating-point arithmetic instructions in x86 assembly, the
    share in packed (vector) form."""
    packed = scalar = 0
    for line in asm.splitlines():
        m = re.match(r"\s+(v?(add|sub|mul|div|max|min|fmadd\w*|fnmadd\w*|sqrt)(ps|pd|ss|sd))\b", line)
        if m:
            if m.group(3) in ("ps", "pd"):
                packed += 1
            else:
                scalar += 1
    total = packed + scalar
    return packed / total if total else float("nan")


def median_us(text):
    m = re.search(r"median_us=([0-9.]+)", text)
    if not m:
        raise RuntimeError("no median_us in: " + text)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--asm", action="store_true")
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench", "ops"))
    ap.add_argument("globs", nargs="*")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=HERE, check=True, stdout=subprocess.DEVNULL)
    os.makedirs(args.work, exist_ok=True)
    pin = ["taskset", "-c", "0"] if subprocess.run(
        ["which", "taskset"], capture_output=True).returncode == 0 else []
    rng = np.random.default_rng(0)
    print(f"{'op':<20} {'edgec':>10} {'ORT':>10} {'ratio':>6} {'GB/s':>6}"
          + (f" {'vector':>7}" if args.asm else ""))
    ratios = []
    for case in cases():
        if args.globs and not any(fnmatch.fnmatch(case.name, g) for g in args.globs):
            continue
        d = os.path.join(args.work, case.name)
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, "model.onnx")
        onnx.save(case.model(), model)
        inputs = []
        for i, a in enumerate(case.arrays(rng)):
            inputs.append(os.path.join(d, f"input_{i}.npy"))
            np.save(inputs[-1], a)
        exe = os.path.join(d, "model")
        r = subprocess.run([os.path.join(args.bindir, "edgec"), model, "--emit=exe",
                            "-o", exe], capture_output=True, text=True)
        if r.returncode:
            print(f"{case.name:<20} edgec: {r.stderr.strip()}")
            continue
        # Outputs checked against ONNX Runtime before timing.
        out = os.path.join(d, "out")
        subprocess.run([exe, f"--output-dir={out}"] + [f"--input={i}" for i in inputs],
                       check=True, capture_output=True)
        ref = subprocess.run(["node", os.path.join(HERE, "ort_bench.mjs"), model, "0",
                              *inputs, f"--output-dir={out}-ort"],
                             capture_output=True, text=True, cwd=HERE)
        status = "" if ref.returncode == 0 else " (no ORT output to check)"
        if ref.returncode == 0:
            for k in range(len(case.outs)):
                got = np.load(os.path.join(out, f"output_{k}.npy"))
                want = np.load(os.path.join(f"{out}-ort", f"output_{k}.npy"))
                if got.shape != want.shape or not np.allclose(
                        got.astype(np.float64), want.astype(np.float64),
                        rtol=1e-3, atol=1e-5, equal_nan=True):
                    status = " MISMATCH"
        ours = subprocess.run(pin + [exe, f"--benchmark={args.runs}"] +
                              [f"--input={i}" for i in inputs],
                              capture_output=True, text=True, check=True).stdout
        ort = subprocess.run(pin + ["node", os.path.join(HERE, "ort_bench.mjs"), model,
                                    str(args.runs)] + inputs,
                             capture_output=True, text=True, cwd=HERE)
        a = median_us(ours)
        b = median_us(ort.stdout) if ort.returncode == 0 else float("nan")
        line = f"{case.name:<20} {a:>8.1f}us {b:>8.1f}us {a / b:>6.2f} " \
               f"{case.bytes() / a / 1e3:>6.1f}"
        if args.asm:
            asm = os.path.join(d, "model.s")
            subprocess.run([os.path.join(args.bindir, "edgec"), model, "--emit=asm",
                            "-o", asm], check=True)
            line += f" {vector_share(open(asm).read()):>7.0%}"
        print(line + status, flush=True)
        if b == b:
            ratios.append((a / b, case.name))
    if ratios:
        gm = math.exp(sum(math.log(r) for r, _ in ratios) / len(ratios))
        worst = max(ratios)
        print(f"summary: {len(ratios)} ops, geometric mean edgec/ORT {gm:.2f}, "
              f"slowest {worst[1]} at {worst[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
