#!/usr/bin/env bash
# Builds edgec (installing what is missing) and runs every test: the lit
# suites (dialect, importer, passes, errors, end-to-end on the shared models,
# ONNX conformance) and the runtime unit tests; then the same again in the
# AddressSanitizer + UndefinedBehaviorSanitizer build, with the bounded
# fuzzing (scripts/test-sanitizers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d ../shared/models ] || [ ! -d ../shared/onnx-backend-tests ]; then
  echo "test.sh: WARNING: ../shared/models or ../shared/onnx-backend-tests is" \
       "missing: the model end-to-end and conformance suites will be" \
       "reported UNSUPPORTED, not run" >&2
fi
scripts/build.sh
ctest --test-dir build --output-on-failure
scripts/test-sanitizers.sh
