#!/usr/bin/python3
"""QDQ models with the weight and activation types beyond 8 bits per tensor:
int4 / uint4 weights (packed two a byte in the initializers, low nibble
first), blocked quantization (opset 21 block_size), and int16 / uint16
activations; one small model each and its numpy reference.

    qdq_weights.py make NAME DIR         DIR/model.onnx, DIR/input_<i>.npy
    qdq_weights.py check NAME DIR OUT    compares OUT/output_0.npy
    qdq_weights.py names

`check` prints 'NAME: exact' or 'NAME: max |diff| D' (float outputs, D at
most 1e-5 relative: the matmul sums in another order) and exits 0, else
prints the difference and exits 1.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_cases import Cases

F32 = np.float32
INT4, UINT4 = 22, 21  # TensorProto.DataType codes newer than onnx 1.12


def packed4(name, values, signed):
    """An int4 / uint4 initializer: two values a byte, low nibble first."""
    flat = np.asarray(values).reshape(-1).astype(np.int64) & 0xF
    if flat.size % 2:
        flat = np.append(flat, 0)
    raw = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()
    t = onnx.TensorProto()
    t.name = name
    t.data_type = INT4 if signed else UINT4
    t.dims.extend(np.shape(values))
    t.raw_data = raw
    return t


def model(nodes, inputs, outputs, inits, opset=21):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10
    return m


def blocked(values, axis, block):
    """Each entry of a blocked parameter repeated over its block, cut to
    the data's size along the axis."""
    return np.repeat(values, block, axis=axis)


CASES = Cases()
case = CASES.case


def matmul_case(k, n, block, signed, axis=0, per_axis=False):
    """x[2,k] @ DequantizeLinear(w) with w int4/uint4 [k,n], blocks of
    `block` along `axis` (or per axis with per_axis)."""
    lo, hi = (-8, 7) if signed else (0, 15)

    def data(rng):
        w = rng.integers(lo, hi + 1, size=(k, n))
        if per_axis:
            shape = (n,) if axis == 1 else (k,)
        else:
            blocks = -(-[k, n][axis] // block)
            shape = (blocks, n) if axis == 0 else (k, blocks)
        scale = rng.uniform(0.01, 0.1, size=shape).astype(F32)
        zp = rng.integers(lo, hi + 1, size=shape)
        return w, scale, zp

    def build(rng):
        w, scale, zp = data(rng)
        attrs = {"axis": axis}
        if not per_axis:
            attrs["block_size"] = block
        nodes = [helper.make_node("DequantizeLinear", ["w", "s", "z"], ["wf"],
                                  name="dq_w", **attrs),
                 helper.make_node("MatMul", ["x", "wf"], ["y"], name="mm")]
        m = model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, k])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, n])],
                  [packed4("w", w, signed), numpy_helper.from_array(scale, "s"),
                   packed4("z", zp, signed)])
        return m, [rng.normal(0, 1, (2, k)).astype(F32)]

    def ref(x):
        w, scale, zp = data(np.random.default_rng(7))
        if per_axis:
            shape = (1, n) if axis == 1 else (k, 1)
            s, z = scale.reshape(shape), zp.reshape(shape)
        else:
            s = blocked(scale, axis, block)[:k, :n]
            z = blocked(zp, axis, block)[:k, :n]
        wf = ((w - z).astype(F32) * s).astype(F32)
        return (x.astype(np.float64) @ wf.astype(np.float64)).astype(F32)
    return build, ref


@case
def int4_blocked():  # the blocks divide K: a sub-channel quantized type
    return matmul_case(16, 8, 4, signed=True)


@case
def uint4_blocked_columns():  # blocks along N
    return matmul_case(8, 12, 3, signed=False, axis=1)


@case
def int4_partial_block():  # K = 10 in blocks of 4: the last one is short
    return matmul_case(10, 6, 4, signed=True)


@case
def uint4_per_axis():
    return matmul_case(8, 6, 0, signed=False, axis=1, per_axis=True)


@case
def int16_activations():
    # x -> Q int16 -> DQ -> Relu -> Q uint16 -> output (uint16).
    def build(rng):
        nodes = [
            helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["qx"], name="q_x"),
            helper.make_node("DequantizeLinear", ["qx", "sx", "zx"], ["dx"], name="dq_x"),
            helper.make_node("Relu", ["dx"], ["r"], name="relu"),
            helper.make_node("QuantizeLinear", ["r", "sy", "zy"], ["y"], name="q_y"),
        ]
        m = model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64])],
                  [helper.make_tensor_value_info("y", TensorProto.UINT16, [64])],
                  [numpy_helper.from_array(F32(1e-4), "sx"),
                   numpy_helper.from_array(np.int16(-300), "zx"),
                   numpy_helper.from_array(F32(5e-5), "sy"),
                   numpy_helper.from_array(np.uint16(1000), "zy")])
        return m, [rng.uniform(-4, 4, 64).astype(F32)]

    def ref(x):
        qx = np.clip(np.rint(x / F32(1e-4)) - 300, -32768, 32767)
        dx = ((qx + 300).astype(F32) * F32(1e-4)).astype(F32)
        return np.clip(np.rint(np.maximum(dx, 0) / F32(5e-5)) + 1000, 0, 65535).astype(np.uint16)
    return build, ref


if __name__ == "__main__":
    sys.exit(CASES.main(sys.argv, lsb=0))
