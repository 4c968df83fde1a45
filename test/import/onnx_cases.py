"""The command line shared by the generated-model scripts of test/import
(qdq_weights.py, qlinear_ops.py): a registry of cases, each returning
(build(rng) -> (model, inputs), reference(*inputs) -> output), and

    SCRIPT names                         the case names, one a line
    SCRIPT make NAME DIR                 DIR/model.onnx, DIR/input_<i>.npy
    SCRIPT check NAME DIR OUT            OUT/output_0.npy against the reference

`check` accepts floats within 1e-5 relative (absolute below 1) and
integers exactly or, with `lsb` = 1, within one step.
"""
import os

import numpy as np
import onnx


class Cases(dict):
    def case(self, f):
        self[f.__name__] = f
        return f

    def main(self, argv, lsb=0):
        cmd = argv[1]
        if cmd == "names":
            print("\n".join(self))
            return 0
        name, folder = argv[2], argv[3]
        build, ref = self[name]()
        if cmd == "make":
            os.makedirs(folder, exist_ok=True)
            m, inputs = build(np.random.default_rng(7))
            onnx.save(m, os.path.join(folder, "model.onnx"))
            for i, x in enumerate(inputs):
                np.save(os.path.join(folder, f"input_{i}.npy"), x)
            return 0
        inputs = []
        while os.path.exists(os.path.join(folder, f"input_{len(inputs)}.npy")):
            inputs.append(np.load(os.path.join(folder, f"input_{len(inputs)}.npy")))
        want = ref(*inputs)
        got = np.load(os.path.join(argv[4], "output_0.npy"))
        if got.dtype != want.dtype or got.shape != want.shape:
            print(f"{name}: got {got.dtype} {got.shape}, want {want.dtype} {want.shape}")
            return 1
        if np.issubdtype(want.dtype, np.floating):
            diff = np.abs(got.astype(np.float64) - want)
            ok = np.all(diff <= 1e-5 * np.maximum(np.abs(want), 1))
            print(f"{name}: max |diff| {diff.max():.3g}")
            return 0 if ok else 1
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        if diff.max(initial=0) == 0:
            print(f"{name}: exact")
            return 0
        if diff.max() <= lsb:
            print(f"{name}: within 1 LSB ({np.count_nonzero(diff)} of {diff.size} values)")
            return 0
        print(f"{name}: max |diff| {diff.max()} LSB at "
              f"{np.unravel_index(diff.argmax(), diff.shape)}")
        return 1
