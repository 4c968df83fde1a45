#!/usr/bin/env bash
# Installs what is missing, builds edgec, then compiles the bundled MNIST
# model into an executable and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

echo
echo "== edgec examples/mnist/model.onnx --emit=exe -o build/mnist-runner"
build/bin/edgec examples/mnist/model.onnx --emit=exe -o build/mnist-runner
echo "== build/mnist-runner --input=examples/mnist/input_0.npy"
build/mnist-runner --input=examples/mnist/input_0.npy
build/mnist-runner --input=examples/mnist/input_0.npy --benchmark=1000
