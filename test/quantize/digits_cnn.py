#!/usr/bin/python3
"""A small CNN on scikit-learn's 8x8 digits, for the post-training
quantization test.

digits_cnn.py train DIR
    Splits load_digits() into a training set (70 %) and a held-out set
    (30 %, random_state=0), trains the CNN on the training set with torch
    (seeded, one thread, about 10 s), and writes DIR/model.onnx (input
    'x' 1x1x8x8 float32, pixels / 16; output 'logits' 1x10),
    DIR/calibration.npz (array 'x': the first 100 training samples,
    100x1x1x8x8) and DIR/test_x.npy, DIR/test_y.npy (the held-out set).

digits_cnn.py evaluate FLOAT.so INT8.so DIR
    Runs both models (built with `edgec --emit=shared`) on every held-out
    sample through their edgert_entry_model descriptor (ctypes), prints
    both accuracies and fails unless the int8 one is within 1 point of the
    float one.
"""
import ctypes
import os
import sys

import numpy as np


def train(out_dir):
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    torch.manual_seed(0)
    torch.set_num_threads(1)  # a small model: one thread is the fastest
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=0)

    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 4 * 4, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    g = torch.Generator().manual_seed(0)
    for _ in range(30):
        order = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"torch float accuracy {100 * acc:.2f} % on {len(y_test)} held-out digits")

    os.makedirs(out_dir, exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8),
                      os.path.join(out_dir, "model.onnx"), opset_version=13,
                      input_names=["x"], output_names=["logits"])
    np.savez(os.path.join(out_dir, "calibration.npz"), x=x_train[:100, None])
    np.save(os.path.join(out_dir, "test_x.npy"), x_test)
    np.save(os.path.join(out_dir, "test_y.npy"), y_test)


class TensorDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("size_bytes", ctypes.c_uint64)]


Entry = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class Model(ctypes.Structure):  # edgert_model_t (runtime/include/edgert.h)
    _fields_ = [("abi_version", ctypes.c_uint32),
                ("num_inputs", ctypes.c_int32),
                ("num_outputs", ctypes.c_int32),
                ("arena_alignment", ctypes.c_uint32),
                ("arena_size", ctypes.c_uint64), ("name", ctypes.c_char_p),
                ("inputs", ctypes.POINTER(TensorDesc)),
                ("outputs", ctypes.POINTER(TensorDesc)), ("entry", Entry)]


def predict(so_path, xs):
    lib = ctypes.CDLL(os.path.abspath(so_path))
    m = Model.in_dll(lib, "edgert_entry_model")
    arena_raw = np.zeros(m.arena_size + 64, np.uint8)
    offset = (-arena_raw.ctypes.data) % 64
    arena = arena_raw[offset:].ctypes.data
    out = np.zeros((1, 10), np.float32)
    preds = []
    for x in xs:
        inp = np.ascontiguousarray(x[None], np.float32)
        ins = (ctypes.c_void_p * 1)(inp.ctypes.data)
        outs = (ctypes.c_void_p * 1)(out.ctypes.data)
        m.entry(ins, outs, arena)
        preds.append(int(out.argmax()))
    return np.array(preds)


def evaluate(float_so, int8_so, data_dir):
    x = np.load(os.path.join(data_dir, "test_x.npy"))
    y = np.load(os.path.join(data_dir, "test_y.npy"))
    acc_f = 100.0 * (predict(float_so, x) == y).mean()
    acc_q = 100.0 * (predict(int8_so, x) == y).mean()
    drop = acc_f - acc_q
    ok = abs(drop) <= 1.0
    print(f"float accuracy {acc_f:.2f} %, int8 accuracy {acc_q:.2f} % "
          f"({len(y)} held-out digits): {drop:+.2f} points "
          f"{'OK' if ok else 'TOO LOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "train":
        train(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "evaluate":
        sys.exit(evaluate(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
