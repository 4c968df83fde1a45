"""Runs a compile and reports what it cost against the model's size.

bounded_compile.py MODEL OUTPUT -- CMD...

Prints, for FileCheck: whether the command succeeded, its wall time, the
children's peak resident memory and the output's size against the model
file's, each as a bound that holds or not (the numbers follow). The time
and memory bounds are multiplied by $EDGEC_BOUND_SCALE (3 in the sanitizer
build, test/lit.cfg.py).
"""
import os
import resource
import subprocess
import sys
import time


def main():
    model, output = sys.argv[1], sys.argv[2]
    scale = int(os.environ.get("EDGEC_BOUND_SCALE", "1"))
    cmd = sys.argv[sys.argv.index("--") + 1:]
    start = time.monotonic()
    rc = subprocess.run(cmd).returncode
    seconds = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ratio = os.path.getsize(output) / os.path.getsize(model) if rc == 0 else 0
    print(f"exit {rc}")
    print(f"time under {30 * scale} s: {seconds < 30 * scale} "
          f"({seconds:.1f} s)")
    print(f"peak memory under {scale} GB: {peak_mb < 1024 * scale} "
          f"({peak_mb:.0f} MB)")
    print(f"output under 4x the model: {0 < ratio < 4} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
