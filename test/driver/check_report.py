"""Checks edgec's report against the compilation and its page in a browser.

check_report.py REPORT.json HEADER.h [--page REPORT.html --shot OUT.png]

Prints what it checked, one line each, for FileCheck: the JSON's memory
section against the header's constants, the graph, the sections; with
--page, loads the page in headless Chromium (console messages captured),
takes a screenshot and counts the timeline's drawn pixels in it.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def header_constants(path):
    consts = {}
    for m in re.finditer(r"#define \w+?_(ARENA_SIZE|ARENA_LIVE_PEAK|WEIGHTS_SIZE|STACK_SIZE) (\d+)u",
                         open(path).read()):
        consts[m.group(1)] = int(m.group(2))
    return consts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("report")
    p.add_argument("header")
    p.add_argument("--page")
    p.add_argument("--shot")
    a = p.parse_args()
    r = json.load(open(a.report))
    h = header_constants(a.header)
    m = r["memory"]
    print("arena", "matches" if m["arena_bytes"] == h["ARENA_SIZE"] else "DIFFERS",
          "live peak", "matches" if m["live_peak_bytes"] == h["ARENA_LIVE_PEAK"] else "DIFFERS",
          "weights", "matches" if m["weights_bytes"] == h["WEIGHTS_SIZE"] else "DIFFERS",
          "stack", "matches" if m["stack_bytes"] == h["STACK_SIZE"] else "DIFFERS")
    bufs = m["buffers"]
    inside = all(0 <= b["offset"] and b["offset"] + b["bytes"] <= m["arena_bytes"] and
                 b["start"] <= b["end"] < m["positions"] for b in bufs)
    # No two buffers live at once may overlap in the arena.
    overlap = any(x["start"] <= y["end"] and y["start"] <= x["end"] and
                  x["offset"] < y["offset"] + y["bytes"] and y["offset"] < x["offset"] + x["bytes"]
                  for i, x in enumerate(bufs) for y in bufs[i + 1:])
    print("buffers", len(bufs) > 0, "inside the arena", inside, "overlapping", overlap)
    g = r["graph"]
    kinds = sorted({o["op"] for o in g})
    flops = sum(o["flops"] for o in g)
    print("graph", len(g), "ops:", " ".join(kinds))
    print("flops", flops)
    print("edges backwards", all(i < j for j, o in enumerate(g) for i in o["inputs"]))
    sec = {s["name"]: s for s in r["sections"]}
    print("sections:", " ".join(f"{n}={s['memory']}" for n, s in sorted(sec.items())))
    w = sec.get(".edgec.weights", {}).get("bytes")
    print("weights section", "matches" if w == h["WEIGHTS_SIZE"] else f"DIFFERS {w}")
    if not a.page:
        return
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("no chromium")
        sys.exit(1)
    page = "file://" + os.path.abspath(a.page)
    run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0",
                          "--hide-scrollbars", "--window-size=1200,900",
                          "--screenshot=" + a.shot, page],
                         capture_output=True, text=True, timeout=120)
    console = [l for l in run.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
    print("chromium exit", run.returncode, "console messages", len(console))
    for l in console:
        print("  ", l)
    from PIL import Image
    img = Image.open(a.shot).convert("RGB")
    palette = {(0x4e, 0x79, 0xa7), (0xf2, 0x8e, 0x2b), (0xe1, 0x57, 0x59), (0x76, 0xb7, 0xb2),
               (0x59, 0xa1, 0x4f), (0xed, 0xc9, 0x48), (0xb0, 0x7a, 0xa1), (0xff, 0x9d, 0xa7),
               (0x9c, 0x75, 0x5f), (0x86, 0xbc, 0xb6)}

    def near(px, colors, tol=40):
        return any(sum(abs(c - d) for c, d in zip(px, col)) <= tol for col in colors)

    # The bars are drawn at 85 % opacity on #fafafa: compare with that blend.
    blended = {tuple(round(0.85 * c + 0.15 * 250) for c in col) for col in palette}
    pixels = img.getdata()
    bars = sum(1 for px in pixels if near(px, blended))
    peak = sum(1 for px in pixels if near(px, {(0xd6, 0x27, 0x28)}, 30))
    print("screenshot", img.size, "timeline bar pixels", "many" if bars > 5000 else bars,
          "peak line pixels", "some" if peak > 40 else peak)


if __name__ == "__main__":
    main()
