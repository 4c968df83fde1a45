#!/usr/bin/env bash
# Installs what is missing (Debian bookworm packages), then configures and
# builds edgec into build/ (with a runtime kit for every cross target:
# the cross compilers and emulators are part of what is installed). Used by
# setup.sh, test.sh and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ make pkg-config
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev
  python3-numpy python3-onnx python3-psutil python3-torch python3-torchvision python3-sklearn
  python3-pil chromium
  clang-22 libclang-rt-22-dev libfuzzer-22-dev
  zlib1g-dev
  qemu-system-arm
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-arm-none-eabi libnewlib-arm-none-eabi)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "edgec: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# The user-mode emulators come from bookworm-backports (qemu 10): bookworm's
# qemu 7.2 aborts (an assertion in its RISC-V decoder, decode_save_opc) on
# some RVV code depending on where it lands in memory.
# (Not installed at all on a fresh machine: pipefail must not stop the
# script there.)
qemu_major=$({ qemu-riscv64 --version 2>/dev/null || true; } |
  sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "${qemu_major:-0}" -lt 8 ]; then
  echo "edgec: installing qemu-user from bookworm-backports"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d; then
    printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" \
      "Suites: bookworm-backports" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
      $sudo tee /etc/apt/sources.list.d/edgec-backports.sources >/dev/null
  fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -t bookworm-backports qemu-user
fi

# ONNX Runtime (onnxruntime-node from the npm registry): the benchmarks'
# peer and a second reference of the quantized-import tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "edgec: installing nodejs and npm"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -d benchmarks/node_modules/onnxruntime-node ]; then
  (cd benchmarks && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
