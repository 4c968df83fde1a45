#!/usr/bin/env bash
# run-kits.sh - checks the runtime kits without the compiler: links the
# hand-written fake model (fake_model.c: y = x + 1 on float32[4]) with each
# kit as README.md says, runs it under qemu and checks
#   - the output .npy, numerically (/usr/bin/python3 + numpy),
#   - that --benchmark=10 prints the runner's "benchmark: ... median_us=" line,
#   - that a missing input file gives the runner's error and a non-zero exit,
#   - on Cortex-M: the .edgec.weights / .edgec.arena sections, a missing
#     output directory, and (Cortex-M4 kit) .text of libedgert.a <= 2 KB.
#
# usage: run-kits.sh [--build] KIT_ROOT [TRIPLE...]
#   KIT_ROOT  the folder holding <triple>/ kits: <build>/lib of the edgec
#             build, or any folder with --build
#   --build   first build and install the kits into KIT_ROOT/<triple> from
#             this runtime/ (standalone CMake project, Ninja)
#   TRIPLE    kits to check (default: every kit under KIT_ROOT, at least
#             one); a named kit that is missing, or whose tools are missing,
#             fails, while an unnamed one is skipped.
# Exit status: 0 when every check passed, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
runtime=$(cd "$here/.." && pwd)
all_triples="aarch64-linux-gnu riscv64-linux-gnu thumbv7em-none-eabihf thumbv8.1m.main-none-eabihf"
python=/usr/bin/python3

build=0
if [ "${1:-}" = "--build" ]; then
  build=1
  shift
fi
if [ $# -lt 1 ]; then
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
  exit 2
fi
kit_root=$1
shift
named=0
triples="$all_triples"
if [ $# -gt 0 ]; then
  named=1
  triples="$*"
fi

failures=0
passes=0
pass() { echo "PASS $kit: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL $kit: $1"; failures=$((failures + 1)); }
# A named kit that cannot be checked fails; an unnamed one is skipped.
unavailable() {
  if [ $named = 1 ]; then fail "$1"; else echo "SKIP $kit: $1"; fi
}

# triple -> C compiler, compile flags, board, qemu command (empty board: Linux)
kit_config() {
  board=""
  case $1 in
  aarch64-linux-gnu)
    cc=aarch64-linux-gnu-gcc; cflags=""; build_type=Release
    qemu="qemu-aarch64" ;;
  riscv64-linux-gnu)
    cc=riscv64-linux-gnu-gcc; cflags="-march=rv64gcv -mabi=lp64d"
    build_type=Release
    qemu="qemu-riscv64 -cpu rv64,v=true,vlen=128,vext_spec=v1.0" ;;
  thumbv7em-none-eabihf)
    cc=arm-none-eabi-gcc
    cflags="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
    build_type=MinSizeRel; board=mps2-an386
    qemu="qemu-system-arm -M mps2-an386" ;;
  thumbv8.1m.main-none-eabihf)
    cc=arm-none-eabi-gcc; cflags="-mcpu=cortex-m55 -mthumb -mfloat-abi=hard"
    build_type=MinSizeRel; board=mps3-an547
    qemu="qemu-system-arm -M mps3-an547" ;;
  *) return 1 ;;
  esac
}

# run_model ARG... : runs the linked model in $work with the runner's
# arguments; sets rc, and the files stdout.txt / stderr.txt.
run_model() {
  if [ -z "$board" ]; then
    (cd "$work" && timeout 120 $qemu ./model "$@" >stdout.txt 2>stderr.txt)
  else
    # The semihosting command line: argv[0] then the arguments (no commas).
    local semi="enable=on,target=native,arg=model" a
    for a in "$@"; do semi="$semi,arg=$a"; done
    (cd "$work" && timeout 120 $qemu -nographic -monitor none \
       -semihosting-config "$semi" -kernel model.elf \
       >stdout.txt 2>stderr.txt)
  fi
  rc=$?
}

show_output() {
  sed 's/^/    stdout: /' "$work/stdout.txt"
  sed 's/^/    stderr: /' "$work/stderr.txt"
}

if ! "$python" -c 'import numpy' 2>/dev/null; then
  echo "error: $python with numpy is needed" >&2
  exit 1
fi
if [ $build = 1 ]; then
  mkdir -p "$kit_root" || exit 1
elif [ ! -d "$kit_root" ]; then
  echo "error: no folder '$kit_root'" >&2
  exit 1
fi
kit_root=$(cd "$kit_root" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

checked=0
for kit in $triples; do
  if ! kit_config "$kit"; then
    fail "unknown kit (known: $all_triples)"
    continue
  fi
  dir=$kit_root/$kit
  if ! command -v "$cc" >/dev/null; then
    unavailable "no $cc"
    continue
  fi
  if ! command -v "${qemu%% *}" >/dev/null; then
    unavailable "no ${qemu%% *}"
    continue
  fi

  if [ $build = 1 ]; then
    log=$tmp/build-$kit.log
    if cmake -S "$runtime" -B "$kit_root/.build/$kit" -G Ninja \
         -DCMAKE_TOOLCHAIN_FILE="$runtime/cmake/toolchains/$kit.cmake" \
         -DCMAKE_BUILD_TYPE=$build_type -DCMAKE_INSTALL_PREFIX="$dir" \
         -DEDGERT_INSTALL_LIBDIR=. -DEDGERT_BOARD="$board" >"$log" 2>&1 &&
       cmake --build "$kit_root/.build/$kit" --target install >>"$log" 2>&1
    then
      pass "built and installed into $dir"
    else
      fail "build failed:"; sed 's/^/    /' "$log"
      continue
    fi
  fi

  libs="$dir/libedgert_exe_main.a $dir/libedgert_runner.a $dir/libedgert.a"
  if [ -z "$board" ]; then
    # Linux kits: the runner's --threads pool is in libedgert_threads.a.
    libs="$dir/libedgert_exe_main.a $dir/libedgert_runner.a"
    libs="$libs $dir/libedgert_threads.a $dir/libedgert.a"
  fi
  missing=""
  for f in $libs ${board:+$dir/startup.o $dir/link.ld}; do
    [ -f "$f" ] || missing="$missing $(basename "$f")"
  done
  if [ -n "$missing" ]; then
    unavailable "no kit in $dir (missing:$missing)"
    continue
  fi
  checked=$((checked + 1))
  work=$tmp/$kit
  mkdir -p "$work"

  # ---- link, exactly as README.md tells the driver --------------------------
  if ! $cc $cflags -std=c99 -Wall -Wextra -pedantic -Werror -O2 \
       -ffunction-sections -fdata-sections -I"$dir/include" \
       -c "$here/fake_model.c" -o "$work/model.o" 2>"$work/cc.txt"; then
    fail "compiling fake_model.c:"; sed 's/^/    /' "$work/cc.txt"
    continue
  fi
  if [ -z "$board" ]; then
    link="$cc $cflags -static -o $work/model $work/model.o $libs -lpthread -lm"
  else
    link="$cc $cflags --specs=rdimon.specs -Wl,--gc-sections -T $dir/link.ld
          -o $work/model.elf $dir/startup.o $work/model.o $libs -lm"
  fi
  if $link >"$work/link.txt" 2>&1; then
    pass "linked"
  else
    fail "link failed: $(echo $link)"; sed 's/^/    /' "$work/link.txt"
    continue
  fi

  # ---- sections and size (Cortex-M) ------------------------------------------
  if [ -n "$board" ]; then
    # Name Type Address Off Size ES Flg
    sections=$(arm-none-eabi-readelf -S -W "$work/model.elf" |
               sed 's/^ *\[ *[0-9]*\] *//')
    weights=$(echo "$sections" | awk '$1 == ".edgec.weights"')
    arena=$(echo "$sections" | awk '$1 == ".edgec.arena"')
    if echo "$weights" | awk '{ exit !($2 == "PROGBITS" && $7 == "A") }' &&
       echo "$arena" | awk '{ exit !($2 == "NOBITS" && $7 == "WA") }'; then
      pass "sections: .edgec.weights read-only at 0x$(echo "$weights" |
            awk '{print $3}'), .edgec.arena NOLOAD at 0x$(echo "$arena" |
            awk '{print $3}')"
    else
      fail "sections .edgec.weights (want PROGBITS, A) / .edgec.arena (want NOBITS, WA):"
      printf '    %s\n' "$weights" "$arena"
    fi
  fi
  if [ "$kit" = thumbv7em-none-eabihf ]; then
    # Berkeley "text": code plus read-only data of the device library.
    text=$(arm-none-eabi-size -t "$dir/libedgert.a" | awk 'END { print $1 }')
    if [ "$text" -le 2048 ]; then
      pass "libedgert.a text = $text bytes (<= 2048)"
    else
      fail "libedgert.a text = $text bytes (> 2048)"
    fi
  fi

  # ---- a run with files -----------------------------------------------------
  "$python" -c 'import numpy as np, sys
np.save(sys.argv[1], np.array([1.5, -2.0, 0.0, 3.25], dtype=np.float32))' \
    "$work/in.npy"
  mkdir -p "$work/out"
  run_model --input=in.npy --output-dir=out
  if [ $rc -eq 0 ] && "$python" -c 'import numpy as np, sys
y = np.load(sys.argv[1])
want = np.array([2.5, -1.0, 1.0, 4.25], dtype=np.float32)
sys.exit(0 if y.dtype == np.float32 and y.shape == (4,) and
         np.array_equal(y, want) else 1)' "$work/out/output_0.npy" 2>/dev/null
  then
    pass "--input= --output-dir=: out/output_0.npy = x + 1"
  else
    fail "--input= --output-dir= (exit $rc):"; show_output
    [ -f "$work/out/output_0.npy" ] &&
      "$python" -c 'import numpy as np, sys; print("    got", repr(np.load(sys.argv[1])))' \
        "$work/out/output_0.npy"
  fi

  # ---- benchmark ------------------------------------------------------------
  run_model --input=in.npy --benchmark=10
  n='[0-9]+\.[0-9]{3}'
  line=$(grep -E "^benchmark: model=fake runs=10 median_us=$n min_us=$n mean_us=$n\$" \
         "$work/stdout.txt")
  if [ $rc -eq 0 ] && [ -n "$line" ]; then
    pass "--benchmark=10: $line"
  else
    fail "--benchmark=10 (exit $rc):"; show_output
  fi

  # ---- errors ---------------------------------------------------------------
  run_model --input=missing.npy
  want="error: cannot open 'missing.npy': No such file or directory"
  if [ $rc -ne 0 ] && grep -qxF "$want" "$work/stderr.txt"; then
    pass "missing input: exit $rc, \"$want\""
  else
    fail "missing input (exit $rc, want non-zero and \"$want\"):"; show_output
  fi
  if [ -n "$board" ]; then
    run_model --input=in.npy --output-dir=no-such-dir
    if [ $rc -ne 0 ] &&
       grep -q "^error: cannot open output directory 'no-such-dir'" "$work/stderr.txt"
    then
      pass "missing output directory: exit $rc"
    else
      fail "missing output directory (exit $rc):"; show_output
    fi
  fi
done

if [ $checked -eq 0 ] && [ $failures -eq 0 ]; then
  echo "FAIL: no kit checked under $kit_root"
  failures=1
fi
echo "$passes passed, $failures failed"
[ $failures -eq 0 ]
