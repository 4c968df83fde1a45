# lit configuration for edgec.
import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "edgec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.edgec_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR", "PATH"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.edgec_tools_dir, append_path=True)

config.substitutions.append(("%models", config.edgec_models_dir))
config.substitutions.append(("%python", config.python))
# %exit1 CMD: passes only when CMD exits with status 1 (the bad-input contract).
config.substitutions.append(
    ("%exit1", "%s %s" % (config.python, os.path.join(os.path.dirname(__file__), "exit1.py"))))
config.substitutions.append(("%runtime_include", config.edgec_runtime_include))
config.substitutions.append(("%libdir", config.edgec_lib_dir))
config.substitutions.append(("%testdir", os.path.dirname(__file__)))
config.substitutions.append(("%src_root", config.edgec_src_root))
config.substitutions.append(("%obj_root", config.edgec_obj_root))
config.substitutions.append(("%edgec_bindir", config.edgec_tools_dir))
# The ONNX backend test data: node, pytorch-converted, pytorch-operator, simple.
config.substitutions.append(
    ("%onnx_tests",
     os.path.join(os.path.dirname(config.edgec_models_dir), "onnx-backend-tests")))

if os.path.isdir(config.edgec_models_dir):
    config.available_features.add("models")
if config.python and os.path.exists(config.python):
    config.available_features.add("python-onnx")
    # torch and scikit-learn: the post-training quantization test trains a
    # small CNN (test/quantize/digits.test).
    if subprocess.run([config.python, "-c", "import torch, sklearn"],
                      stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        config.available_features.add("python-torch")
# ONNX Runtime as a second reference (onnxruntime-node, installed by
# `npm install` in benchmarks/, which scripts/build.sh runs): the tests that
# compare with it are UNSUPPORTED without it on a developer's machine (their
# numpy references still run) and fail under CI.
ort_modules = os.path.join(config.edgec_src_root, "benchmarks", "node_modules")
if shutil.which("node") and os.path.isdir(os.path.join(ort_modules, "onnxruntime-node")):
    config.available_features.add("onnxruntime")
config.substitutions.append(
    ("%ort_run", "node %s %s" % (os.path.join(os.path.dirname(__file__), "import", "ort_run.mjs"),
                                 ort_modules)))
# ONNX Runtime's x86 int8 kernels are exact (the integer result our
# references compute) with a VNNI dot product; without one (AVX2 alone, a
# Zen 3 or a Skylake) its u8 x s8 kernels use vpmaddubsw, whose int16 pair
# sums saturate, and differ by tens of LSB. The tests comparing our int8
# references with it need a host where it is exact: a property of the
# host's CPU, not a missing tool, so it is decided here even under CI.
def ort_int8_exact():
    import platform
    if platform.machine() not in ("x86_64", "AMD64", "i686"):
        return True
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return " avx512_vnni" in flags or " avx_vnni" in flags
if ort_int8_exact():
    config.available_features.add("ort-int8-exact")
if os.getuid() == 0:
    # root can write anywhere: permission tests use a path under a file.
    config.available_features.add("root")

# Cross targets: an emulator or cross toolchain missing makes its tests
# UNSUPPORTED on a developer's machine; under CI (CI=true), where
# scripts/test.sh installs them all, every feature is set so that a missing
# tool fails its tests instead of skipping them.
in_ci = os.environ.get("CI", "").lower() == "true"
tool_features = {
    "qemu-aarch64": ["qemu-aarch64"],
    "qemu-riscv64": ["qemu-riscv64"],
    "qemu-system-arm": ["qemu-system-arm"],
    "aarch64-gcc": ["aarch64-linux-gnu-gcc"],
    "riscv64-gcc": ["riscv64-linux-gnu-gcc"],
    "arm-none-eabi-gcc": ["arm-none-eabi-gcc"],
    "chromium": ["chromium"],
}
for feature, tools in tool_features.items():
    if in_ci or all(shutil.which(t) for t in tools):
        config.available_features.add(feature)
if in_ci:
    config.available_features.update(["models", "python-onnx", "python-torch",
                                       "onnxruntime"])
config.substitutions.append(
    ("%run_models", "%s %s --bindir %s --models %s" % (
        config.python, os.path.join(os.path.dirname(__file__), "targets", "run_models.py"),
        config.edgec_tools_dir, config.edgec_models_dir)))

# The AddressSanitizer + UndefinedBehaviorSanitizer build (EDGEC_SANITIZERS,
# scripts/test-sanitizers.sh): the tests' time and memory bounds on edgec
# are 3x as wide (ASan's shadow memory and checks), and the fuzzers run.
if getattr(config, "edgec_sanitizers", False):
    config.available_features.add("sanitizers")
    config.environment["EDGEC_BOUND_SCALE"] = "3"
    config.environment["ASAN_SYMBOLIZER_PATH"] = os.path.join(
        config.llvm_tools_dir, "llvm-symbolizer")
if getattr(config, "edgec_fuzzers", False):
    config.available_features.add("fuzzers")
