#!/usr/bin/python3
"""The malformed-model corpus: writes each case and compiles it.

malformed_corpus.py DIR EDGEC [CASE...]

Writes every case of CASES (or those named) into DIR, runs `EDGEC CASE.onnx
-o DIR/out.o` on each, one at a time, and prints for FileCheck:

    case NAME: exit 1, 1 error line, 0.04 s (bound True), 38 MB (bound True)
    MESSAGE

The bounds: 30 s of wall time and 1 GB of peak resident memory per case
(os.wait4's rusage of that child alone), times $EDGEC_BOUND_SCALE (3 in the
sanitizer build); a case still running at twice its time bound is killed
and reported as such. The suite checks the message of each case
(test/errors/malformed-corpus.test).
"""
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "Inputs"))
from make_model import model, vi  # noqa: E402

SCALE = int(os.environ.get("EDGEC_BOUND_SCALE", "1"))
TIME_BOUND_S = 30 * SCALE
MEMORY_BOUND_MB = 1024 * SCALE
KILL_AFTER_S = 2 * TIME_BOUND_S


def add_model(w):
    """y = x + w, w an initializer of x's shape [4]."""
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])], [w])


def relu_chain(n):
    nodes = [helper.make_node("Relu", ["x" if i == 0 else f"t{i - 1}"],
                              [f"t{i}"], name=f"n{i}") for i in range(n)]
    return model(nodes, [vi("x", [4])], [vi(f"t{n - 1}", [4])])


def valid_bytes():
    return relu_chain(3).SerializeToString()


# ---- wire-format writing, for what onnx.helper cannot build ----------------

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def nested_if_bytes(depth):
    """A ModelProto whose graph holds an If whose then_branch holds an If
    ... `depth` graphs in all, built bottom-up as bytes (protobuf's own
    writers and readers stop at 100 message levels)."""
    graph = field(1, field(4, b"Relu") + field(1, b"x") + field(2, b"y"))
    for _ in range(depth - 1):
        attr = (field(1, b"then_branch") + varint(20 << 3) + varint(5)
                + field(6, graph))
        node = (field(1, b"c") + field(2, b"y") + field(3, b"if")
                + field(4, b"If") + field(5, attr))
        graph = field(1, node) + field(2, b"g")
    opset = field(1, b"") + varint(2 << 3) + varint(13)
    return varint(1 << 3) + varint(8) + field(7, graph) + field(8, opset)


# ---- the cases: name -> (what it exercises, a function returning bytes) ----

CASES = {}


def case(f):
    CASES[f.__name__] = f
    return f


@case
def truncated_half():
    b = valid_bytes()
    return b[: len(b) // 2]


@case
def truncated_one_byte():
    return valid_bytes()[:1]


@case
def empty_file():
    return b""


@case
def wrong_magic_npy():
    return b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, " \
           b"'shape': (4,), }" + b" " * 60 + b"\n" + bytes(16)


@case
def wrong_magic_zip():
    return b"PK\x03\x04" + bytes(60)


@case
def random_bytes():
    return np.random.default_rng(7).bytes(4096)


@case
def negative_dimension():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", [2, -5])], [vi("y", [2, -5])]).SerializeToString()


@case
def enormous_dimension():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", [1 << 40])], [vi("y", [1 << 40])]).SerializeToString()


@case
def dimension_product_overflows_int64():
    d = [1 << 32, 1 << 32, 1 << 32]
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", d)], [vi("y", d)]).SerializeToString()


@case
def initializer_dims_overflow_to_empty():
    # 2^62 x 4 elements wrap to 0 in uint64 arithmetic: agrees with empty
    # raw_data unless the product is checked.
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 62, 4],
                    raw_data=b"")
    return model([helper.make_node("Relu", ["w"], ["y"], name="relu")],
                 [], [vi("y", [1 << 62, 4])], [w]).SerializeToString()


@case
def initializer_negative_dimension():
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[-4],
                    raw_data=bytes(16))
    return add_model(w).SerializeToString()


@case
def initializer_bytes_short():
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    raw_data=bytes(12))
    return add_model(w).SerializeToString()


@case
def initializer_bytes_long():
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    raw_data=bytes(20))
    return add_model(w).SerializeToString()


@case
def initializer_values_count():
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    float_data=[1.0, 2.0, 3.0])
    return add_model(w).SerializeToString()


@case
def initializer_wrong_field_for_type():
    # A float tensor whose values sit in int64_data.
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    int64_data=[1, 2, 3, 4])
    return add_model(w).SerializeToString()


@case
def initializer_unknown_type():
    w = TensorProto(name="w", data_type=999, dims=[4], raw_data=bytes(16))
    return add_model(w).SerializeToString()


@case
def initializer_type_disagrees_with_use():
    w = numpy_helper.from_array(np.arange(4, dtype=np.int64), "w")
    return add_model(w).SerializeToString()


@case
def reshape_target_overflows():
    shape = numpy_helper.from_array(np.array([1 << 40, 1 << 40], np.int64),
                                    "shape")
    return model([helper.make_node("Reshape", ["x", "shape"], ["y"],
                                   name="reshape")],
                 [vi("x", [4])], [vi("y", [1 << 40, 1 << 40])],
                 [shape]).SerializeToString()


@case
def tile_repeats_overflow():
    repeats = numpy_helper.from_array(np.array([1 << 62], np.int64), "r")
    return model([helper.make_node("Tile", ["x", "r"], ["y"], name="tile")],
                 [vi("x", [4])], [vi("y", [1])], [repeats]).SerializeToString()


@case
def dft_too_long():
    # dft_length 100000: its 100000 x 100000 tables would be 80 GB.
    length = numpy_helper.from_array(np.array(100000, np.int64), "len")
    return model([helper.make_node("DFT", ["x", "len"], ["y"], name="dft")],
                 [vi("x", [1, 16, 1])], [vi("y", [1, 100000, 2])], [length],
                 opset=17).SerializeToString()


@case
def weights_over_2_gib():
    # Two 2 GiB initializers, declared (their data absent): refused before
    # anything is read.
    inits = [TensorProto(name=n, data_type=TensorProto.FLOAT, dims=[1 << 29],
                         raw_data=b"") for n in ("a", "b")]
    return model([helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                 [], [vi("y", [1 << 29])], inits).SerializeToString()


@case
def arena_over_4_gib():
    # A 2 GiB value transposed: two 2 GiB buffers live at once in the arena.
    shape = numpy_helper.from_array(np.array([1 << 29, 4], np.int64), "shape")
    nodes = [helper.make_node("Expand", ["x", "shape"], ["e"], name="expand"),
             helper.make_node("Transpose", ["e"], ["t"], name="transpose",
                              perm=[1, 0]),
             helper.make_node("ReduceSum", ["t"], ["y"], name="sum",
                              keepdims=0)]
    return model(nodes, [vi("x", [1, 1])], [vi("y", [])],
                 [shape]).SerializeToString()


@case
def constant_without_value():
    return model([helper.make_node("Constant", [], ["w"], name="const"),
                  helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def constant_empty_tensor_attribute():
    n = helper.make_node("Constant", [], ["w"], name="const")
    n.attribute.append(helper.make_attribute("value", TensorProto()))
    return model([n, helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def constant_of_shape_empty_value():
    shape = numpy_helper.from_array(np.array([4], np.int64), "shape")
    n = helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos")
    n.attribute.append(helper.make_attribute(
        "value", TensorProto(name="v", data_type=TensorProto.FLOAT, dims=[0])))
    return model([n], [], [vi("y", [4])], [shape]).SerializeToString()


@case
def attribute_missing_tensor():
    # An attribute of type TENSOR whose tensor field is absent.
    n = helper.make_node("Constant", [], ["w"], name="const")
    n.attribute.append(onnx.AttributeProto(
        name="value", type=onnx.AttributeProto.TENSOR))
    return model([n, helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def cycle():
    return model([helper.make_node("Relu", ["b"], ["a"], name="r1"),
                  helper.make_node("Relu", ["a"], ["b"], name="r2")],
                 [vi("x", [4])], [vi("b", [4])]).SerializeToString()


@case
def duplicate_producer():
    return model([helper.make_node("Relu", ["x"], ["y"], name="first"),
                  helper.make_node("Neg", ["x"], ["y"], name="second")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def duplicate_graph_input():
    return model([helper.make_node("Add", ["x", "x"], ["y"], name="add")],
                 [vi("x", [4]), vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def duplicate_initializer():
    w = numpy_helper.from_array(np.ones(4, np.float32), "w")
    m = add_model(w)
    m.graph.initializer.append(numpy_helper.from_array(np.zeros(4, np.float32), "w"))
    return m.SerializeToString()


@case
def missing_value():
    return model([helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


@case
def missing_graph_output():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", [4])], [vi("z", [4])]).SerializeToString()


@case
def empty_value_name():
    return model([helper.make_node("Relu", [""], ["y"], name="relu")],
                 [vi("x", [4])], [vi("y", [4])]).SerializeToString()


def external(location):
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    data_location=TensorProto.EXTERNAL)
    for k, v in (("location", location), ("offset", "0"), ("length", "16")):
        w.external_data.add(key=k, value=v)
    return add_model(w).SerializeToString()


@case
def external_data_escapes():
    # DIR/outside.bin exists (main writes it): refused all the same.
    return external("../outside.bin")


@case
def external_data_absolute():
    return external("/etc/passwd")


@case
def external_data_device():
    return external("/dev/zero")


@case
def external_data_missing():
    return external("absent.bin")


@case
def opset_0():
    m = relu_chain(1)
    m.opset_import[0].version = 0
    return m.SerializeToString()


@case
def opset_999():
    m = relu_chain(1)
    m.opset_import[0].version = 999
    return m.SerializeToString()


@case
def nested_20_deep():
    return nested_if_bytes(20)


@case
def nested_1000_deep():
    return nested_if_bytes(1000)


@case
def nodes_100000():
    return relu_chain(100000).SerializeToString()


def run_measured(path, edgec, out):
    """Runs edgec on one case; returns (exit code, output, seconds, peak MB,
    killed)."""
    start = time.monotonic()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        os.close(read_end)
        os.execv(edgec, [edgec, path, "-o", out])
    os.close(write_end)
    os.set_blocking(read_end, False)
    chunks, killed = [], False
    while True:
        try:
            data = os.read(read_end, 65536)
            if data:
                chunks.append(data)
                continue
        except BlockingIOError:
            pass
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > KILL_AFTER_S:
            os.kill(pid, 9)
            killed = True
        time.sleep(0.01)
    while True:
        try:
            data = os.read(read_end, 65536)
        except BlockingIOError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(read_end)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    return (code, b"".join(chunks).decode(errors="replace"), seconds,
            usage.ru_maxrss / 1024, killed)


def main():
    out_dir, edgec = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or list(CASES)
    # Cases live one folder down, so that "../outside.bin" leaves it.
    case_dir = os.path.join(out_dir, "cases")
    os.makedirs(case_dir, exist_ok=True)
    with open(os.path.join(out_dir, "outside.bin"), "wb") as f:
        f.write(bytes(16))
    for name in names:
        path = os.path.join(case_dir, name + ".onnx")
        with open(path, "wb") as f:
            f.write(CASES[name]())
        out = os.path.join(out_dir, "out.o")
        if os.path.exists(out):
            os.remove(out)
        code, text, seconds, peak_mb, killed = run_measured(path, edgec, out)
        errors = [l for l in text.splitlines() if "error:" in l]
        print(f"case {name}: exit {code}, {len(errors)} error line"
              f"{'' if len(errors) == 1 else 's'}, "
              f"{seconds:.2f} s (bound {seconds < TIME_BOUND_S}), "
              f"{peak_mb:.0f} MB (bound {peak_mb < MEMORY_BOUND_MB})"
              f"{', killed' if killed else ''}"
              f"{', wrote an output' if os.path.exists(out) else ''}")
        for line in text.splitlines():
            print("  " + line)


if __name__ == "__main__":
    main()
