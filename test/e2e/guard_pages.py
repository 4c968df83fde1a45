"""Links a compiled model so that its weights sit between inaccessible pages,
then runs it with the runner's --guard-pages.

guard_pages.py MODEL.o DESCRIPTOR LIBDIR OUT_DIR -- RUNNER_ARGS...

Links MODEL.o (edgec -o MODEL.o; DESCRIPTOR is the edgert_model_t its
header declares, e.g. model_model) with the host runtime in LIBDIR and
test/e2e/guard-weights.ld twice: with the weights ending at the upper guard
page (the padding computed from a first link's section size) and starting
right after the lower one. Runs each executable with --guard-pages and
RUNNER_ARGS, the outputs going to OUT_DIR/tail and OUT_DIR/head; the inputs,
outputs and arena are guarded by the runner itself, each at both ends. Prints
one line per run, and fails (exit 1) if a run does or the two runs' outputs
differ.
"""
import filecmp
import os
import subprocess
import sys

PAGE = 0x1000
HERE = os.path.dirname(os.path.abspath(__file__))


def link(obj, descriptor, libdir, exe, pad):
    libs = [os.path.join(libdir, n) for n in (
        "libedgert_exe_main.a", "libedgert_runner.a", "libedgert.a",
        "libedgert_threads.a", "libedgert.a")]
    subprocess.run(["cc", "-o", exe, obj] + libs + [
        "-lpthread", "-lm", "-Wl,-T," + os.path.join(HERE, "guard-weights.ld"),
        f"-Wl,--defsym=EDGEC_WEIGHTS_PAD={pad}",
        f"-Wl,--defsym=edgert_entry_model={descriptor}"], check=True)


def weights_alignment(exe):
    """The alignment of the linked .edgec.weights section (readelf's Al)."""
    out = subprocess.run(["readelf", "-SW", exe], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if " .edgec.weights " in line:
            return int(line.split()[-1])
    sys.exit("guard_pages.py: no .edgec.weights section in " + exe)


def symbols(exe):
    out = subprocess.run(["nm", exe], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def main():
    obj, descriptor, libdir, out_dir = sys.argv[1:5]
    args = sys.argv[sys.argv.index("--") + 1:]
    os.makedirs(out_dir, exist_ok=True)
    exe = os.path.join(out_dir, "runner")
    link(obj, descriptor, libdir, exe, 0)
    s = symbols(exe)
    start = s["edgec_guard_weights_lo"] + PAGE
    size = s["edgec_weights_end"] - start
    align = weights_alignment(exe)
    ok = True
    for layout, pad in (("tail", (-size) % PAGE // align * align), ("head", 0)):
        link(obj, descriptor, libdir, exe, pad)
        s = symbols(exe)
        end = s["edgec_weights_end"]
        if layout == "tail":
            # The section's alignment (64 bytes for edgec's weights) may
            # keep its end up to align - 1 bytes short of the page.
            gap = s["edgec_guard_weights_hi"] - end
            where = f"end {gap} bytes before a guard page"
            placed = 0 <= gap < align
        else:
            where = "start at a guard page"
            placed = (s["edgec_guard_weights_lo"] + PAGE) % PAGE == 0 and \
                end - size == s["edgec_guard_weights_lo"] + PAGE
        rc = subprocess.run([exe, "--guard-pages",
                             "--output-dir=" + os.path.join(out_dir, layout)]
                            + args).returncode
        print(f"{layout}: weights ({size} bytes) {where}: {placed}, exit {rc}")
        ok = ok and placed and rc == 0
    if ok:
        for name in sorted(os.listdir(os.path.join(out_dir, "tail"))):
            same = filecmp.cmp(os.path.join(out_dir, "tail", name),
                               os.path.join(out_dir, "head", name),
                               shallow=False)
            print(f"{name}: same in both layouts: {same}")
            ok = ok and same
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
