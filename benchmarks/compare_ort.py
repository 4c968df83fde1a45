#!/usr/bin/python3
"""edgec against ONNX Runtime on every float model, measured side by side.

    benchmarks/compare_ort.py [--runs N] [--no-torchvision] [MODEL ...]

Models: every float model of ../shared/models, and resnet18,
efficientnet-b0 and shufflenet-v2 exported here from torchvision (random
weights, seeded) when python3-torch and torchvision are installed. For each
model: compiles it with edgec (an object, for its header, code size and
compile time, and an executable), checks edgec's outputs against ONNX
Runtime's on the same inputs, then times both pinned to one core (ONNX
Runtime 1.30 through onnxruntime-node, one intra-op thread), alternating
them three times and keeping each one's best median. It prints both medians
and their ratio, GFLOP/s (the multiply-adds of Conv, Gemm, MatMul and the
recurrent layers) and the percentage of the core's FMA peak (measured by
benchmarks/fma_peak.c), the code, weight and arena bytes, the arena against
the most bytes live at once (the least any placement needs), and the
compile time; then a summary line (geometric mean of the ratios, the
slowest model) and the performance targets met or not.

Then the same with two threads (--threads 2 to change the count, 1 to skip
it): edgec compiled with --threads=2 (its runner starts a pthread pool) and
ONNX Runtime with two intra-op threads, both pinned to the same cores,
alternated the same way; per model both medians, the ratio and each one's
speedup over its one-thread run, then the same summary and targets.

Last, --memory=min (--no-memory skips it): each model whose arena it lowers
is compiled that way too, checked against ONNX Runtime, and timed against
the default build, alternated; it prints the default build's live peak (the
layer-by-layer bound: the least one op at a time can need), both arenas,
both medians and the latency cost, and mobilenet-v2's targets (arena at most
half the bound, at most 15 % slower).
"""
import argparse
import math
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "..", "shared", "models")
FLOAT_MODELS = ["mnist-8", "kws-dscnn-f32", "ad01-f32", "mobilenet-v2", "squeezenet-1.1",
                "mobilenet-v3-small", "tiny-transformer", "tiny-lstm", "silero-vad-v5"]
TORCHVISION = {"resnet18": "resnet18", "efficientnet-b0": "efficientnet_b0",
               "shufflenet-v2": "shufflenet_v2_x1_0"}
# Flags edgec needs for a model, and which inputs they fix at compile time
# (those are not passed to edgec's runner; ONNX Runtime gets every input).
EXTRA = {"silero-vad-v5": (["--input-shape=input=1x512", "--input-shape=state=2x1x128",
                            "--input-value=sr={dir}/input_2.npy"], {2})}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=True, **kw).stdout


def median_us(output):
    m = re.search(r"median_us=([0-9.]+)", output)
    if not m:
        raise RuntimeError("no median_us in: " + output)
    return float(m.group(1))


def export_torchvision(name, work):
    """resnet18 / efficientnet_b0 / shufflenet_v2_x1_0, random weights."""
    d = os.path.join(work, "torchvision", name)
    if os.path.exists(os.path.join(d, "model.onnx")):
        return d
    import torch
    import torchvision
    torch.manual_seed(0)
    ctor = getattr(torchvision.models, TORCHVISION[name])
    try:
        net = ctor(weights=None)
    except TypeError:
        net = ctor(pretrained=False)
    net.eval()
    x = torch.randn(1, 3, 224, 224)
    os.makedirs(d, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(net, x, os.path.join(d, "model.onnx"), opset_version=13,
                          input_names=["input"], output_names=["output"])
    np.save(os.path.join(d, "input_0.npy"), x.numpy())
    return d


def flops(model_path, fixed_shapes):
    """2 x the multiply-adds of the Conv, Gemm, MatMul and recurrent nodes."""
    import onnx
    from onnx import shape_inference
    m = onnx.load(model_path)
    for i in m.graph.input:
        if i.name in fixed_shapes:
            for d, v in zip(i.type.tensor_type.shape.dim, fixed_shapes[i.name]):
                d.ClearField("dim_param")
                d.dim_value = v
    try:
        m = shape_inference.infer_shapes(m)
    except Exception:
        return None
    shapes = {}
    for v in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in v.type.tensor_type.shape.dim]
        shapes[v.name] = dims
    for t in m.graph.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in m.graph.node:
        try:
            if n.op_type == "Conv":
                out, w = shapes[n.output[0]], shapes[n.input[1]]
                total += 2 * math.prod(out) * math.prod(w[1:])
            elif n.op_type in ("Gemm", "MatMul"):
                a, out = shapes[n.input[0]], shapes[n.output[0]]
                trans = any(at.name == "transA" and at.i for at in n.attribute)
                k = a[0] if trans and n.op_type == "Gemm" else a[-1]
                total += 2 * math.prod(out) * k
            elif n.op_type in ("LSTM", "GRU", "RNN"):
                x, w = shapes[n.input[0]], shapes[n.input[1]]
                hidden = shapes[n.input[2]][-1]
                total += 2 * x[0] * x[1] * w[0] * w[1] * (w[2] + hidden)
        except (KeyError, TypeError, IndexError):
            continue
    return total or None


def header_define(header, suffix):
    m = re.search(r"#define \w+_" + suffix + r" (\d+)u", open(header).read())
    return int(m.group(1)) if m else None


def code_bytes(obj):
    out = run(["/usr/lib/llvm-22/bin/llvm-size", "-A", obj])
    return sum(int(parts[1]) for parts in (l.split() for l in out.splitlines())
               if len(parts) >= 2 and parts[0].startswith(".text"))


def fma_peak(work):
    exe = os.path.join(work, "fma_peak")
    clang = "/usr/lib/llvm-22/bin/clang"
    cc = clang if os.path.exists(clang) else "cc"
    subprocess.run([cc, "-O2", "-march=native", "-ffp-contract=fast",
                    os.path.join(HERE, "fma_peak.c"), "-o", exe], check=True)
    return float(re.search(r"gflops=([0-9.]+)", run(["taskset", "-c", "0", exe])).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0,
                    help="runs per measurement (default: by model size)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="times edgec and ONNX Runtime alternate (best median kept)")
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--no-torchvision", action="store_true")
    ap.add_argument("--threads", type=int, default=2,
                    help="the multi-thread comparison's thread count (1: skip it)")
    ap.add_argument("--no-memory", dest="memory", action="store_false",
                    help="skip the --memory=min comparison")
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=HERE, check=True, stdout=subprocess.DEVNULL)
    work = os.path.join(ROOT, "build", "bench")
    os.makedirs(work, exist_ok=True)
    pin = ["taskset", "-c", "0"]
    names = args.models or FLOAT_MODELS + ([] if args.no_torchvision else list(TORCHVISION))
    peak = fma_peak(work)
    print(f"FMA peak of this core (benchmarks/fma_peak.c): {peak:.1f} GFLOP/s")
    head = (f"{'model':<19}{'edgec':>11}{'ORT':>11}{'ratio':>7}{'GFLOP/s':>9}{'%peak':>7}"
            f"{'code KB':>9}{'weights KB':>11}{'arena KB':>10}{'/live':>7}{'compile s':>10}")
    print(head)
    results, multi, memory = [], [], []
    for name in names:
        if name in TORCHVISION:
            try:
                d = export_torchvision(name, work)
            except ImportError:
                print(f"{name:<19} skipped: torch/torchvision not installed")
                continue
        else:
            d = os.path.join(MODELS, name)
        flags, fixed = EXTRA.get(name, ([], set()))
        flags = [f.format(dir=d) for f in flags]
        inputs = sorted((f for f in os.listdir(d) if re.fullmatch(r"input_\d+\.npy", f)),
                        key=lambda f: int(f[6:-4]))
        ours_in = [os.path.join(d, f) for i, f in enumerate(inputs) if i not in fixed]
        all_in = [os.path.join(d, f) for f in inputs]
        model = os.path.join(d, "model.onnx")
        out = os.path.join(work, "models", name)
        os.makedirs(out, exist_ok=True)
        obj, exe = os.path.join(out, "model.o"), os.path.join(out, "model")
        t0 = time.monotonic()
        subprocess.run([os.path.join(args.bindir, "edgec"), model, *flags, "--name=model",
                        "-o", obj], check=True)
        compile_s = time.monotonic() - t0
        subprocess.run([os.path.join(args.bindir, "edgec"), model, *flags, "--emit=exe",
                        "-o", exe], check=True)
        exe_mt = exe + f"-t{args.threads}"
        if args.threads > 1:
            subprocess.run([os.path.join(args.bindir, "edgec"), model, *flags, "--emit=exe",
                            f"--threads={args.threads}", "-o", exe_mt], check=True)
        header = os.path.join(out, "model.h")
        # Outputs first: the same inputs through both.
        run(["node", os.path.join(HERE, "ort_bench.mjs"), model, "0", *all_in,
             f"--output-dir={out}/ort"], cwd=HERE)
        ok = all(matches_ort(e, out, tag, ours_in)
                 for e, tag in ((exe, "ours"), (exe_mt, "ours-mt"))[:2 if args.threads > 1 else 1])
        if not ok:
            print(f"{name:<19} outputs differ from ONNX Runtime's: not timed")
            continue
        size = os.path.getsize(model)
        runs = args.runs or (200 if size > 1 << 20 else 2000)
        a = b = float("inf")
        for _ in range(args.rounds):
            a = min(a, median_us(run(pin + [exe, f"--benchmark={runs}"] +
                                     [f"--input={i}" for i in ours_in])))
            b = min(b, median_us(run(pin + ["node", os.path.join(HERE, "ort_bench.mjs"),
                                            model, str(runs)] + all_in, cwd=HERE)))
        shapes = {}
        for f in flags:
            m = re.fullmatch(r"--input-shape=([^=]+)=(.+)", f)
            if m:
                shapes[m.group(1)] = [int(x) for x in m.group(2).split("x")]
        fl = flops(model, shapes)
        gflops = fl / a / 1e3 if fl else None
        arena, live = header_define(header, "ARENA_SIZE"), header_define(header, "ARENA_LIVE_PEAK")
        weights = header_define(header, "WEIGHTS_SIZE")
        if args.threads > 1:
            cores = ["taskset", "-c", ",".join(str(c) for c in range(args.threads))]
            a2 = b2 = float("inf")
            for _ in range(args.rounds):
                a2 = min(a2, median_us(run(cores + [exe_mt, f"--benchmark={runs}"] +
                                           [f"--input={i}" for i in ours_in])))
                b2 = min(b2, median_us(run(cores + ["node", os.path.join(HERE, "ort_bench.mjs"),
                                                    model, str(runs), *all_in,
                                                    f"--threads={args.threads}"], cwd=HERE)))
            multi.append({"name": name, "ours": a2, "ort": b2, "ratio": a2 / b2,
                          "ours_speedup": a / a2, "ort_speedup": b / b2})
        r = {"name": name, "ours": a, "ort": b, "ratio": a / b, "gflops": gflops,
             "peak": gflops / peak * 100 if gflops else None, "code": code_bytes(obj),
             "weights": weights, "arena": arena,
             "live": arena / live if live else 1.0, "compile": compile_s}
        results.append(r)
        if args.memory:
            m = memory_min(args, name, model, flags, out, header, ours_in, runs, pin)
            if m:
                memory.append(m)
        gf = f"{gflops:9.1f}" if gflops else f"{'-':>9}"
        pk = f"{r['peak']:6.0f}%" if gflops else f"{'-':>7}"
        print(f"{name:<19}{a / 1e3:>8.3f} ms{b / 1e3:>8.3f} ms{r['ratio']:>7.2f}"
              f"{gf}{pk}{r['code'] / 1024:>9.1f}"
              f"{weights / 1024:>11.1f}{arena / 1024:>10.1f}{r['live']:>7.2f}{compile_s:>10.2f}",
              flush=True)
    if not results:
        return 1
    gm, checks = ratio_summary(results, "")
    by = {r["name"]: r for r in results}
    for name, want in (("resnet18", 85), ("mobilenet-v2", 75)):
        if name in by and by[name]["peak"] is not None:
            checks.append((f"{name} >= {want}% of peak", by[name]["peak"] >= want))
    if "mobilenet-v2" in by:
        checks.append(("mobilenet-v2 compiles in under 3 s", by["mobilenet-v2"]["compile"] < 3))
    checks.append(("arena <= 1.05 x live peak", all(r["live"] <= 1.05 for r in results)))
    print("targets: " + "; ".join(f"{n}: {'yes' if v else 'NO'}" for n, v in checks))
    if multi:
        t = args.threads
        print(f"\n{t} threads (edgec --threads={t}, ORT intraOpNumThreads={t}, "
              f"pinned to cores 0-{t - 1}):")
        print(f"{'model':<19}{'edgec':>11}{'ORT':>11}{'ratio':>7}{'edgec x':>9}{'ORT x':>7}")
        for r in multi:
            print(f"{r['name']:<19}{r['ours'] / 1e3:>8.3f} ms{r['ort'] / 1e3:>8.3f} ms"
                  f"{r['ratio']:>7.2f}{r['ours_speedup']:>9.2f}{r['ort_speedup']:>7.2f}")
        _, checks = ratio_summary(multi, f"{t} threads: ")
        print(f"{t}-thread targets: " +
              "; ".join(f"{n}: {'yes' if v else 'NO'}" for n, v in checks))
    if memory:
        print("\n--memory=min (the first layers over row bands) against the default build; "
              "the bound is the default build's live peak (one layer at a time):")
        print(f"{'model':<19}{'bound KB':>10}{'arena KB':>10}{'min KB':>10}{'/bound':>8}"
              f"{'default':>11}{'min':>11}{'cost':>7}")
        for m in memory:
            print(f"{m['name']:<19}{m['bound'] / 1024:>10.1f}{m['arena'] / 1024:>10.1f}"
                  f"{m['min'] / 1024:>10.1f}{m['min'] / m['bound']:>8.2f}"
                  f"{m['ours'] / 1e3:>8.3f} ms{m['ours_min'] / 1e3:>8.3f} ms"
                  f"{(m['ours_min'] / m['ours'] - 1) * 100:>6.1f}%")
        by = {m["name"]: m for m in memory}
        if "mobilenet-v2" in by:
            m = by["mobilenet-v2"]
            checks = [("mobilenet-v2 arena <= 0.5 x layer-by-layer bound",
                       m["min"] <= 0.5 * m["bound"]),
                      ("at most 15% slower", m["ours_min"] <= 1.15 * m["ours"])]
            print("--memory=min targets: " +
                  "; ".join(f"{n}: {'yes' if v else 'NO'}" for n, v in checks))
    return 0


def matches_ort(exe, out, tag, inputs):
    """Runs `exe` on the inputs into out/tag and compares with out/ort."""
    run([exe, f"--output-dir={out}/{tag}"] + [f"--input={i}" for i in inputs])
    k = 0
    while os.path.exists(os.path.join(out, "ort", f"output_{k}.npy")):
        want = np.load(os.path.join(out, "ort", f"output_{k}.npy")).astype(np.float64)
        got = np.load(os.path.join(out, tag, f"output_{k}.npy")).astype(np.float64)
        tol = 1e-4 + 1e-3 * (np.abs(want).max() if want.size else 0)
        if got.shape != want.shape or (want.size and np.abs(got - want).max() > tol):
            return False
        k += 1
    return True


def memory_min(args, name, model, flags, out, header, inputs, runs, pin):
    """--memory=min against the default build, when it lowers the arena: both
    arenas, the default build's live peak (the layer-by-layer bound) and both
    medians, alternated the same way."""
    edgec = os.path.join(args.bindir, "edgec")
    obj, exe = os.path.join(out, "model-min.o"), os.path.join(out, "model-min")
    subprocess.run([edgec, model, *flags, "--memory=min", "--name=model", "-o", obj], check=True)
    arena_min = header_define(obj[:-2] + ".h", "ARENA_SIZE")
    arena = header_define(header, "ARENA_SIZE")
    if arena_min >= arena:
        return None
    subprocess.run([edgec, model, *flags, "--memory=min", "--emit=exe", "-o", exe], check=True)
    if not matches_ort(exe, out, "ours-min", inputs):
        print(f"{name:<19} --memory=min outputs differ from ONNX Runtime's: not timed")
        return None
    a = b = float("inf")
    for _ in range(args.rounds):
        a = min(a, median_us(run(pin + [os.path.join(out, "model"), f"--benchmark={runs}"] +
                                 [f"--input={i}" for i in inputs])))
        b = min(b, median_us(run(pin + [exe, f"--benchmark={runs}"] +
                                 [f"--input={i}" for i in inputs])))
    return {"name": name, "bound": header_define(header, "ARENA_LIVE_PEAK"), "arena": arena,
            "min": arena_min, "ours": a, "ours_min": b}


def ratio_summary(results, prefix):
    """Prints the summary line; returns the geometric mean and the ratio targets."""
    gm = math.exp(sum(math.log(r["ratio"]) for r in results) / len(results))
    worst = max(results, key=lambda r: r["ratio"])
    print(f"{prefix}summary: {len(results)} models, geometric mean edgec/ORT {gm:.2f}, "
          f"slowest {worst['name']} at {worst['ratio']:.2f}")
    small = [r for r in results if r["ort"] < 200]
    return gm, [
        ("geometric mean <= 0.5", gm <= 0.5),
        ("no model above 0.9", worst["ratio"] <= 0.9),
        ("models under 0.2 ms at least 3x faster",
         all(r["ratio"] <= 1 / 3 for r in small)),
    ]


if __name__ == "__main__":
    sys.exit(main())
