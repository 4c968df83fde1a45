#!/usr/bin/python3
"""Runs models on the NPU simulator and checks them bit for bit against
edgec's own CPU code (the NPU's output stage is the CPU's requantization,
docs/npu-spec.md §2.2).

npu_models.py MODEL.onnx WORK --input X.npy [--input ...]
              [--flags "..."] [--npu npu16-256k ...] [--placement all|cost]
              [--edgec PATH]

For the model: one `--emit=exe` build for the CPU alone and one per NPU
configuration (with `--report`), each run on the inputs; every output of
every NPU build must equal the CPU build's byte for byte. Prints per
configuration one line:

  <config>: bit-exact, <k> of <n> layers on the NPU, cycles=<c> macs=<m>
  dma_in=<a> dma_out=<b> (report npu_cycles=<e>)

where cycles, MACs and DMA bytes are the simulator's for one run (the
runner's --benchmark line) and npu_cycles the report's estimate. Exits 1
on any difference, or when no layer was placed on the NPU.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        sys.exit("error: %s failed (%d):\n%s%s" % (
            " ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def outputs(directory):
    names = sorted(f for f in os.listdir(directory) if f.endswith(".npy"))
    return [(n, np.load(os.path.join(directory, n))) for n in names]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("work")
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--flags", default="")
    p.add_argument("--npu", action="append", default=[])
    p.add_argument("--placement", default="all")
    p.add_argument("--edgec", default="edgec")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    flags = shlex.split(a.flags)
    inputs = ["--input=" + i for i in a.input]

    cpu_exe = os.path.join(a.work, "cpu")
    run([a.edgec, a.model, "--emit=exe", "-o", cpu_exe] + flags)
    cpu_dir = os.path.join(a.work, "cpu-out")
    run([cpu_exe] + inputs + ["--output-dir=" + cpu_dir])
    want = outputs(cpu_dir)

    failed = False
    for config in a.npu or ["npu16-256k"]:
        exe = os.path.join(a.work, config)
        report = exe + ".json"
        run([a.edgec, a.model, "--emit=exe", "--npu=" + config,
             "--npu-placement=" + a.placement, "--report=" + report, "-o",
             exe] + flags)
        out_dir = exe + "-out"
        run([exe] + inputs + ["--output-dir=" + out_dir])
        got = outputs(out_dir)
        bench = run([exe] + inputs + ["--benchmark=1"])
        m = re.search(r"npu: streams=(\d+) cycles=(\d+) macs=(\d+) "
                      r"dma_in=(\d+) dma_out=(\d+)", bench)
        if not m:
            sys.exit("error: no npu line in:\n" + bench)
        npu = json.load(open(report))["npu"]
        layers = npu["layers"]
        on_npu = npu["layers_on_npu"]
        same = len(got) == len(want) and all(
            gn == wn and g.dtype == w.dtype and g.shape == w.shape and
            g.tobytes() == w.tobytes() for (gn, g), (wn, w) in zip(got, want))
        if not same:
            diffs = [int(np.count_nonzero(g != w)) for (_, g), (_, w)
                     in zip(got, want)]
            print("%s: DIFFERENT from the CPU code (%s elements differ)" %
                  (config, diffs))
            failed = True
            continue
        if on_npu == 0:
            print("%s: no layer on the NPU" % config)
            failed = True
            continue
        print("%s: bit-exact, %d of %d layers on the NPU, cycles=%s macs=%s "
              "dma_in=%s dma_out=%s (report npu_cycles=%d)" %
              (config, on_npu, len(layers), m.group(2), m.group(3),
               m.group(4), m.group(5), npu["npu_cycles"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
