#!/usr/bin/env bash
# Builds edgec (installing what is missing) and runs every test: the lit
# suites (dialect, importer, passes, errors, end-to-end on the shared models,
# ONNX conformance) and the runtime unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure
