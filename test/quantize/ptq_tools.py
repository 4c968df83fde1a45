#!/usr/bin/python3
"""Helpers of the post-training quantization tests.

ptq_tools.py samples MODEL DIR --count N --seed S [--with-reference]
    Writes N deterministic input samples for a model of shared/models,
    one folder per sample (DIR/sNN/input_0.npy, the layout --calibration
    takes). The shared models come with one input each, so the samples are
    made from it:
      kws-dscnn-f32  its MFCC input with a gain in [0.8, 1.2], a time shift
                     of -4..4 frames (np.roll) and Gaussian noise of 5 % of
                     its standard deviation;
      mobilenet-v2   fresh draws of i.i.d. N(0, 1), the distribution its
                     input_0.npy was drawn from (random-init model, random
                     input);
      mnist-8        its digit shifted by -2..2 pixels each way, with a gain
                     in [0.8, 1.2].
    Calibration sets use one seed, held-out sets another;
    --with-reference adds the model's own input_0.npy as the last sample.

ptq_tools.py sqnr FLOAT.so QUANT.so DIR [--min-db X]
    Runs both models (edgec --emit=shared) on every sample of DIR through
    their edgert_entry_model descriptor and prints the output SQNR,
    10 log10(sum ref^2 / sum (ref - got)^2) over all float outputs and
    samples; exits 1 if it is below X.

ptq_tools.py run EXE DIR OUT [--emulator aarch64|mps2-an386|...]
    Runs an `edgec --emit=exe` program (under qemu, as
    test/targets/run_models.py does) on every sample folder of DIR,
    writing OUT/<sample>/output_<i>.npy.

ptq_tools.py sqnr-dirs REF GOT [--min-db X]
    The output SQNR of the outputs in GOT/<sample>/ against REF/<sample>/.

ptq_tools.py report FILE.json
    Prints the quantization report's summary, one fact a line, for
    FileCheck.
"""
import argparse
import ctypes
import glob
import json
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True


def make_samples(model, out_dir, count, seed, with_reference, models_dir):
    ref = np.load(os.path.join(models_dir, model, "input_0.npy"))
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(count):
        if model == "kws-dscnn-f32":
            x = np.roll(ref, int(rng.integers(-4, 5)), axis=1)
            x = x * rng.uniform(0.8, 1.2)
            x = x + rng.normal(0.0, 0.05 * ref.std(), ref.shape)
        elif model == "mobilenet-v2":
            x = rng.standard_normal(ref.shape)
        elif model == "mnist-8":
            x = np.roll(ref, tuple(rng.integers(-2, 3, 2)), axis=(2, 3))
            x = x * rng.uniform(0.8, 1.2)
        else:
            sys.exit(f"no sample recipe for {model}")
        samples.append(x.astype(np.float32))
    if with_reference:
        samples.append(ref)
    for i, x in enumerate(samples):
        d = os.path.join(out_dir, f"s{i:02d}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input_0.npy"), x)


class TensorDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("size_bytes", ctypes.c_uint64)]


Entry = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class ModelDesc(ctypes.Structure):  # edgert_model_t (runtime/include/edgert.h)
    _fields_ = [("abi_version", ctypes.c_uint32),
                ("num_inputs", ctypes.c_int32),
                ("num_outputs", ctypes.c_int32),
                ("arena_alignment", ctypes.c_uint32),
                ("arena_size", ctypes.c_uint64), ("name", ctypes.c_char_p),
                ("inputs", ctypes.POINTER(TensorDesc)),
                ("outputs", ctypes.POINTER(TensorDesc)), ("entry", Entry)]


DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


class SharedModel:
    """A model built with `edgec --emit=shared`, run in this process."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(os.path.abspath(path))
        self.desc = ModelDesc.in_dll(self.lib, "edgert_entry_model")
        raw = np.zeros(self.desc.arena_size + 64, np.uint8)
        self.arena_raw = raw
        self.arena = raw[(-raw.ctypes.data) % 64:].ctypes.data
        self.outputs = []
        for i in range(self.desc.num_outputs):
            t = self.desc.outputs[i]
            shape = [t.shape[k] for k in range(t.rank)]
            self.outputs.append(np.zeros(shape, DTYPES[t.dtype]))

    def run(self, inputs):
        inputs = [np.ascontiguousarray(x) for x in inputs]
        ins = (ctypes.c_void_p * len(inputs))(*[x.ctypes.data for x in inputs])
        outs = (ctypes.c_void_p * len(self.outputs))(
            *[o.ctypes.data for o in self.outputs])
        self.desc.entry(ins, outs, self.arena)
        return [o.copy() for o in self.outputs]


def sample_inputs(sample_dir):
    files = sorted(glob.glob(os.path.join(sample_dir, "input_*.npy")),
                   key=lambda f: int(f.rsplit("_", 1)[1].split(".")[0]))
    return [np.load(f) for f in files]


def sqnr(float_so, quant_so, samples_dir, min_db):
    ref_model, got_model = SharedModel(float_so), SharedModel(quant_so)
    signal = noise = 0.0
    folders = sorted(d for d in glob.glob(os.path.join(samples_dir, "*"))
                     if os.path.isdir(d))
    for d in folders:
        inputs = sample_inputs(d)
        for r, g in zip(ref_model.run(inputs), got_model.run(inputs)):
            if r.dtype != np.float32:
                continue
            r = r.astype(np.float64)
            signal += float(np.sum(r * r))
            noise += float(np.sum((r - g) ** 2))
    db = math.inf if noise == 0 else 10 * math.log10(signal / noise)
    ok = db >= min_db
    print(f"output SQNR {db:.1f} dB on {len(folders)} samples "
          f"(at least {min_db:g}) {'OK' if ok else 'TOO LOW'}")
    return 0 if ok else 1


def run_exe(exe, samples_dir, out_dir, emulator):
    import shutil
    import subprocess
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "targets"))
    import run_models  # noqa: E402  (its emulator command lines)
    exe = os.path.abspath(exe)
    for d in sorted(glob.glob(os.path.join(samples_dir, "*"))):
        if not os.path.isdir(d):
            continue
        name = os.path.basename(d)
        # Relative paths without commas: semihosting passes the command line
        # through qemu's comma-separated arguments.
        work = os.path.join(out_dir, name)
        os.makedirs(os.path.join(work, "out"), exist_ok=True)
        inputs = []
        for i, f in enumerate(sorted(glob.glob(os.path.join(d, "input_*.npy")))):
            shutil.copy(f, os.path.join(work, f"input_{i}.npy"))
            inputs.append(f"input_{i}.npy")
        shutil.copy(exe, os.path.join(work, "model.exe"))
        if emulator:
            cmd = run_models.emulator_command(
                argparse.Namespace(emulator=emulator, vlen=128), "model.exe",
                inputs, "out")
        else:
            cmd = ["./model.exe"] + [f"--input={i}" for i in inputs] + \
                ["--output-dir=out"]
        r = subprocess.run(cmd, cwd=work, capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0:
            sys.exit(f"{name}: exit {r.returncode}: {r.stdout}{r.stderr}")
        for f in glob.glob(os.path.join(work, "out", "output_*.npy")):
            shutil.move(f, os.path.join(work, os.path.basename(f)))
    return 0


def sqnr_dirs(ref_dir, got_dir, min_db):
    signal = noise = 0.0
    count = 0
    for d in sorted(glob.glob(os.path.join(ref_dir, "*"))):
        if not os.path.isdir(d):
            continue
        count += 1
        for f in sorted(glob.glob(os.path.join(d, "output_*.npy"))):
            r = np.load(f).astype(np.float64)
            g = np.load(os.path.join(got_dir, os.path.basename(d),
                                     os.path.basename(f)))
            signal += float(np.sum(r * r))
            noise += float(np.sum((r - g) ** 2))
    db = math.inf if noise == 0 else 10 * math.log10(signal / noise)
    ok = db >= min_db
    print(f"output SQNR {db:.1f} dB on {count} samples "
          f"(at least {min_db:g}) {'OK' if ok else 'TOO LOW'}")
    return 0 if ok else 1


def report(path):
    with open(path) as f:
        r = json.load(f)
    q = r["quantization"]
    print(f"mode {q['mode']}, method {q['method']}, {q['samples']} samples")
    db = q["output_sqnr_db"]  # null: exact
    print("output SQNR " + ("at least 30 dB" if db is None or db >= 30
                            else "below 30 dB"))
    wb = q["weight_bytes"]
    print(f"weights {wb['float']} -> {wb['quantized']} bytes "
          f"({wb['quantized'] / wb['float']:.2f})")
    counts = {}
    for layer in q["layers"]:
        counts[layer["precision"]] = counts.get(layer["precision"], 0) + 1
    print("layers " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for layer in q["layers"]:
        ws = layer["weight_scales"]
        print(f"layer {layer['op']} {layer['precision']} "
              f"input {'-' if layer['input'] is None else layer['input']['bits']} "
              f"output {'-' if layer['output'] is None else layer['output']['bits']} "
              f"weight scales {len(ws)} {'positive' if all(s > 0 for s in ws) else 'BAD'}")
    if "mixed" in q:
        m = q["mixed"]
        reached = db is None or db >= m["min_sqnr_db"]
        moved = sorted({s["precision"] for s in m["steps"]})
        print(f"mixed target {m['min_sqnr_db']:g} dB "
              f"{'reached' if reached else 'MISSED'}, layers moved to "
              f"{' and '.join(moved) if moved else 'nothing'}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("samples")
    s.add_argument("model")
    s.add_argument("out_dir")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--with-reference", action="store_true")
    s.add_argument("--models", required=True)
    q = sub.add_parser("sqnr")
    q.add_argument("float_so")
    q.add_argument("quant_so")
    q.add_argument("samples_dir")
    q.add_argument("--min-db", type=float, default=30.0)
    r = sub.add_parser("report")
    r.add_argument("path")
    e = sub.add_parser("run")
    e.add_argument("exe")
    e.add_argument("samples_dir")
    e.add_argument("out_dir")
    e.add_argument("--emulator", default="")
    d = sub.add_parser("sqnr-dirs")
    d.add_argument("ref_dir")
    d.add_argument("got_dir")
    d.add_argument("--min-db", type=float, default=30.0)
    a = p.parse_args()
    if a.cmd == "samples":
        make_samples(a.model, a.out_dir, a.count, a.seed, a.with_reference,
                     a.models)
        return 0
    if a.cmd == "sqnr":
        return sqnr(a.float_so, a.quant_so, a.samples_dir, a.min_db)
    if a.cmd == "run":
        return run_exe(a.exe, a.samples_dir, a.out_dir, a.emulator)
    if a.cmd == "sqnr-dirs":
        return sqnr_dirs(a.ref_dir, a.got_dir, a.min_db)
    report(a.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
