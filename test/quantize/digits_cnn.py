#!/usr/bin/python3
"""A small CNN on scikit-learn's 8x8 digits, for the post-training
quantization and the pruning tests.

digits_cnn.py train DIR
    Splits load_digits() into a training set (70 %) and a held-out set
    (30 %, random_state=0), trains the CNN on the training set with torch
    (seeded, one thread, about 10 s), and writes DIR/model.onnx (input
    'x' 1x1x8x8 float32, pixels / 16; output 'logits' 1x10),
    DIR/calibration.npz (array 'x': the first 100 training samples,
    100x1x1x8x8), DIR/test_x.npy, DIR/test_y.npy (the held-out set) and
    DIR/model.pt (the weights, for finetune).

digits_cnn.py finetune DIR SPARSITY
    The usual way to prune for accuracy: magnitude pruning per layer (the
    SPARSITY fraction of each hidden layer's smallest weights set to zero;
    the first and the last layer dense, as `edgec --prune` does by
    default), then training on with the zeros held (the mask applied after
    every step, 10 epochs, seeded). Prints torch's held-out accuracy
    before and after fine-tuning and writes DIR/finetuned.onnx: a model
    whose weights arrive sparse, for edgec to find and use.

digits_cnn.py prune-check DIR DENSE.so PRUNED.so FINETUNED.so
    Held-out accuracy of three edgec builds: the float model, the float
    model with `--prune` (no fine-tuning) and DIR/finetuned.onnx. Fails
    unless the fine-tuned build is within 1 point of the dense one and
    within 0.5 of what torch measured for it, and the --prune build within
    1 point of torch's pruned model before fine-tuning (same rule, same
    zeros, up to ties).

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


def make_model():
    import torch
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 4 * 4, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10))


def load_data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.3, random_state=0)


def fit(model, x_train, y_train, epochs, lr, after_step=None):
    import torch
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    g = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            if after_step:
                after_step()
    model.eval()


def torch_accuracy(model, x_test, y_test):
    import torch
    with torch.no_grad():
        return 100.0 * (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()


def export(model, path):
    import torch
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), path, opset_version=13,
                      input_names=["x"], output_names=["logits"])


def train(out_dir):
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(1)  # a small model: one thread is the fastest
    x_train, x_test, y_train, y_test = load_data()
    model = make_model()
    fit(model, x_train, y_train, epochs=30, lr=2e-3)
    acc = torch_accuracy(model, x_test, y_test)
    print(f"torch float accuracy {acc:.2f} % on {len(y_test)} held-out digits")

    os.makedirs(out_dir, exist_ok=True)
    export(model, os.path.join(out_dir, "model.onnx"))
    torch.save(model.state_dict(), os.path.join(out_dir, "model.pt"))
    np.savez(os.path.join(out_dir, "calibration.npz"), x=x_train[:100, None])
    np.save(os.path.join(out_dir, "test_x.npy"), x_test)
    np.save(os.path.join(out_dir, "test_y.npy"), y_test)


def finetune(out_dir, sparsity):
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x_train, x_test, y_train, y_test = load_data()
    model = make_model()
    model.load_state_dict(torch.load(os.path.join(out_dir, "model.pt")))
    model.eval()
    layers = [m for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    masks = []
    with torch.no_grad():
        for layer in layers[1:-1]:
            w = layer.weight
            k = int(round(sparsity * w.numel()))
            order = w.abs().flatten().argsort()
            mask = torch.ones(w.numel())
            mask[order[:k]] = 0
            mask = mask.view_as(w)
            w.mul_(mask)
            masks.append((w, mask))
    before = torch_accuracy(model, x_test, y_test)

    def hold():
        with torch.no_grad():
            for w, mask in masks:
                w.mul_(mask)

    fit(model, x_train, y_train, epochs=10, lr=5e-4, after_step=hold)
    after = torch_accuracy(model, x_test, y_test)
    zeros = sum(int((w == 0).sum()) for w, _ in masks)
    total = sum(w.numel() for w, _ in masks)
    print(f"torch pruned {100.0 * zeros / total:.1f} % of {total} hidden-layer weights: "
          f"accuracy {before:.2f} % before fine-tuning, {after:.2f} % after")
    export(model, os.path.join(out_dir, "finetuned.onnx"))
    with open(os.path.join(out_dir, "finetune.txt"), "w") as f:
        f.write(f"{before} {after}\n")


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


def prune_check(data_dir, dense_so, pruned_so, finetuned_so):
    x = np.load(os.path.join(data_dir, "test_x.npy"))
    y = np.load(os.path.join(data_dir, "test_y.npy"))
    before, after = map(float, open(os.path.join(data_dir, "finetune.txt")).read().split())
    dense, pruned, tuned = (100.0 * (predict(so, x) == y).mean()
                            for so in (dense_so, pruned_so, finetuned_so))
    checks = [("fine-tuned vs dense", tuned >= dense - 1.0),
              ("fine-tuned vs torch", abs(tuned - after) <= 0.5),
              ("--prune vs torch before fine-tuning", abs(pruned - before) <= 1.0)]
    print(f"edgec accuracy on {len(y)} held-out digits: dense {dense:.2f} %, "
          f"--prune {pruned:.2f} % (torch {before:.2f} %), "
          f"fine-tuned {tuned:.2f} % (torch {after:.2f} %)")
    for what, ok in checks:
        print(f"{what}: {'OK' if ok else 'FAILED'}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "train":
        train(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "finetune":
        finetune(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "prune-check":
        sys.exit(prune_check(*sys.argv[2:]))
    elif len(sys.argv) == 5 and sys.argv[1] == "evaluate":
        sys.exit(evaluate(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
