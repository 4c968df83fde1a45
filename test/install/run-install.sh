#!/usr/bin/env bash
# Installs the edgec build into a fresh prefix, moves the prefix, and builds
# and runs the consumer projects of examples/ against it: the host C
# classifier (also cross-built for AArch64 with a user's toolchain file and
# run under qemu-aarch64), the C++ program with two models (one quantized by
# edgec_add_model), and the Cortex-M firmware under qemu-system-arm. Prints
# one PASS/FAIL line per check.
#   run-install.sh SRC_ROOT BUILD_DIR WORK_DIR
set -uo pipefail
src=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# cmd_ok NAME CMD...: runs CMD, its output in $work/NAME.log.
cmd_ok() {
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then return 0; fi
  echo "---- $name failed: $*"; tail -20 "$work/$name.log"; return 1
}

# ---- install, then move: everything must be found relative to the prefix.
cmd_ok install cmake --install "$build" --prefix "$work/staged" || { fail install; exit 1; }
mv "$work/staged" "$work/prefix"
P=$work/prefix
for f in bin/edgec bin/edgec-opt bin/edgec-run lib/libedgert.a \
         lib/libedgert_threads.a lib/libedgert_runner.a include/edgert.h \
         lib/cmake/EdgeC/EdgeCConfig.cmake lib/cmake/EdgeC/EdgeCConfigVersion.cmake \
         lib/pkgconfig/edgert.pc share/doc/edgec/cmake.md \
         lib/aarch64-linux-gnu/libedgert.a lib/aarch64-linux-gnu/pkgconfig/edgert.pc \
         lib/thumbv7em-none-eabihf/libedgert.a lib/thumbv7em-none-eabihf/link.ld \
         lib/thumbv7em-none-eabihf/startup.o share/edgec/toolchains/aarch64-linux-gnu.cmake; do
  [ -e "$P/$f" ] || fail "layout: $f missing"
done
pass "layout: tools, runtimes, kits, headers, package, docs"

# The installed edgec links executables with the installed runtime.
cp -r "$src/examples" "$work/examples"
E=$work/examples
if cmd_ok edgec-exe "$P/bin/edgec" "$E/mnist/model.onnx" --emit=exe -o "$work/mnist-exe" &&
   cmd_ok edgec-exe-run "$work/mnist-exe" --input="$E/mnist/input_0.npy" --output-dir="$work/exe-out"; then
  pass "installed edgec --emit=exe runs"
else
  fail "installed edgec --emit=exe"
fi

# pkg-config: the runtime found by a build without CMake.
mkdir -p "$work/pc"
if cmd_ok pc-obj "$P/bin/edgec" "$E/mnist/model.onnx" --name=mnist -o "$work/pc/mnist.o" &&
   cmd_ok pc-cc cc -std=c99 -O2 -I"$work/pc" -I"$E/common" "$E/classify/main.c" "$work/pc/mnist.o" \
     $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs edgert) -o "$work/pc/classify" &&
   out=$("$work/pc/classify" "$E/mnist/input_0.npy"); then
  pass "pkg-config: $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs edgert | sed "s|$P|<prefix>|g"): $out"
else
  fail "pkg-config build"
fi

# expected CLASS of an output .npy
expected() { /usr/bin/env python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
n = struct.unpack('<H', d[8:10])[0]
v = struct.unpack('<%df' % ((len(d) - 10 - n) // 4), d[10 + n:])
print(max(range(len(v)), key=v.__getitem__))
PY
}
digit=$(expected "$E/mnist/output_0.npy")
keyword=$(expected "$E/kws/output_0.npy")

# ---- the host C classifier through find_package(EdgeC) + edgec_add_model.
B=$work/build-classify
if cmd_ok classify-configure cmake -G Ninja -S "$E/classify" -B "$B" -DCMAKE_PREFIX_PATH="$P" &&
   cmd_ok classify-build cmake --build "$B" &&
   out=$("$B/classify" "$E/mnist/input_0.npy") && [[ "$out" == "digit $digit "* ]]; then
  pass "classify (host C): $out"
else
  fail "classify (host C): ${out:-no output}"
fi
# Rebuilds: nothing when nothing changed; the model again when the model,
# the flags or edgec change.
rebuilt() { cmake --build "$B" 2>&1 | grep -c "edgec: compiling"; }
[ "$(rebuilt)" = 0 ] && pass "rebuild: up to date" || fail "rebuild: not up to date"
touch "$E/mnist/model.onnx"
[ "$(rebuilt)" = 1 ] && pass "rebuild: model changed" || fail "rebuild: model changed"
sed -i 's|model.onnx)|model.onnx OPTIONS -O1)|' "$E/classify/CMakeLists.txt"
[ "$(rebuilt)" = 1 ] && grep -q -- "-O1" "$B/edgec/mnist/mnist.edgec-flags" &&
  pass "rebuild: flags changed" || fail "rebuild: flags changed"
[ "$(rebuilt)" = 0 ] || fail "rebuild: flags unchanged"
touch "$P/bin/edgec"
[ "$(rebuilt)" = 1 ] && pass "rebuild: edgec changed" || fail "rebuild: edgec changed"
# MCPU: the model for another CPU of the host's family (AVX2, no AVX-512).
sed -i 's|OPTIONS -O1)|MCPU x86-64-v3 OPTIONS -O1)|' "$E/classify/CMakeLists.txt"
[ "$(rebuilt)" = 1 ] && grep -q -- "--mcpu=x86-64-v3" "$B/edgec/mnist/mnist.edgec-flags" &&
  "$B/classify" "$E/mnist/input_0.npy" | grep -q "^digit $digit " &&
  pass "rebuild: MCPU x86-64-v3" || fail "rebuild: MCPU x86-64-v3"
"$B/classify" "$E/mnist/input_0.npy" | grep -q "^digit $digit " || fail "classify after rebuilds"
# The edits above undone for the builds below.
cp "$src/examples/classify/CMakeLists.txt" "$E/classify/CMakeLists.txt"

# ---- the C++ program with two models, one quantized by edgec.
B=$work/build-two
if cmd_ok two-configure cmake -G Ninja -S "$E/two-models" -B "$B" -DCMAKE_PREFIX_PATH="$P" &&
   cmd_ok two-build cmake --build "$B" &&
   out=$("$B/two-models" "$E/kws/input_0.npy" "$E/mnist/input_0.npy") &&
   [ "$out" = "keyword $keyword, digit $digit" ]; then
  pass "two-models (C++, kws float + mnist int8): $out"
else
  fail "two-models: ${out:-no output}"
fi

# ---- the classifier again with a user's AArch64 toolchain file: the model
# is compiled for AArch64 and linked with the AArch64 runtime, unasked.
cat > "$work/aarch64.cmake" <<'TC'
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
TC
B=$work/build-aarch64
if cmd_ok a64-configure cmake -G Ninja -S "$E/classify" -B "$B" -DCMAKE_PREFIX_PATH="$P" \
     -DCMAKE_TOOLCHAIN_FILE="$work/aarch64.cmake" &&
   cmd_ok a64-build cmake --build "$B" &&
   grep -q -- "--target=aarch64-linux-gnu" "$B/edgec/mnist/mnist.edgec-flags" &&
   out=$(qemu-aarch64 "$B/classify" "$E/mnist/input_0.npy") && [[ "$out" == "digit $digit "* ]]; then
  pass "classify (AArch64 toolchain, qemu-aarch64): $out"
else
  fail "classify (AArch64): ${out:-no output}"
fi

# ---- the Cortex-M4F firmware, its target read from its toolchain file.
B=$work/build-firmware
if cmd_ok fw-configure cmake -G Ninja -S "$E/firmware" -B "$B" -DCMAKE_PREFIX_PATH="$P" \
     -DCMAKE_TOOLCHAIN_FILE="$E/firmware/cortex-m4.cmake" &&
   cmd_ok fw-build cmake --build "$B" &&
   grep -q -- "--target=thumbv7em-none-eabihf" "$B/edgec/mnist/mnist.edgec-flags" &&
   grep -q -- "--mcpu=cortex-m4" "$B/edgec/mnist/mnist.edgec-flags"; then
  cd "$E/mnist"
  out=$(timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none \
    -semihosting-config enable=on,target=native,arg=firmware,arg=input_0.npy \
    -kernel "$B/firmware.elf" 2>&1)
  rc=$?
  cd - >/dev/null
  if [ "$rc" = "$digit" ] && [[ "$out" == "firmware: digit $digit,"* ]]; then
    pass "firmware (Cortex-M4F, qemu-system-arm mps2-an386): exit $rc, $out"
  else
    fail "firmware: exit $rc, $out"
  fi
else
  fail "firmware build"
fi

echo "$fails failed"
[ "$fails" = 0 ]
