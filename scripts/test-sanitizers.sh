#!/usr/bin/env bash
# The checked build (docs/robustness.md): the compiler, its tools and tests
# built by clang-22 with AddressSanitizer + UndefinedBehaviorSanitizer, plus
# the libFuzzer targets of test/fuzz, in build-san/; then every lit suite
# (dialects, importer, passes, errors, end-to-end models, the conformance
# suite), the unit tests and the bounded fuzzing (test/fuzz/fuzz.test) run
# under it. scripts/test.sh calls this after the release build's tests;
# scripts/build.sh has installed clang-22 and the sanitizer runtimes.
set -euo pipefail
cd "$(dirname "$0")/.."
# -O1 and line tables: readable reports at a fraction of -O2's build time.
flags="-O1 -gline-tables-only -DNDEBUG"
CC=clang-22 CXX=clang++-22 cmake -S . -B build-san -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="$flags" -DCMAKE_CXX_FLAGS_RELEASE="$flags" \
  -DEDGEC_SANITIZERS=ON -DEDGEC_FUZZERS=ON
cmake --build build-san
ctest --test-dir build-san --output-on-failure
