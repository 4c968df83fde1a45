"""Run a command and succeed only if it exits with status 1.

The error-path tests use this instead of lit's `not`, which accepts any
non-zero status: the CLI contract is exactly 1 for bad input, and a crash
(a signal) or another code must fail the test.
"""
import subprocess
import sys

if len(sys.argv) < 2:
    sys.exit("usage: exit1.py COMMAND [ARG...]")
rc = subprocess.call(sys.argv[1:])
if rc != 1:
    sys.stderr.write("exit1.py: expected exit code 1 from '%s', got %d\n" %
                     (sys.argv[1], rc))
    sys.exit(1)
sys.exit(0)
