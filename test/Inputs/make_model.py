#!/usr/bin/python3
"""Writes one small ONNX model for a test: make_model.py NAME OUT.onnx.

Each model exercises one importer path or one error. Models are made with
onnx.helper at test time so the tests carry no binary files.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


MODELS = {}


def register(f):
    MODELS[f.__name__] = f
    return f


@register
def symbolic():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", ["N", 3])], [vi("y", ["N", 3])])


@register
def odd_inputs():
    # An input whose name contains '=' and an input with no shape at all.
    return model([helper.make_node("Add", ["x=y", "s"], ["z"], name="add")],
                 [vi("x=y", ["N"]), vi("s", None)], [vi("z", ["N"])])


@register
def unsupported_op():
    # Bernoulli draws random numbers: refused for good.
    return model([helper.make_node("Bernoulli", ["x"], ["y"], name="the_bernoulli")],
                 [vi("x", [2, 2])], [vi("y", [2, 2])], opset=15)


@register
def op_before_its_opset():
    # Attention is defined from opset 23; the model imports opset 13.
    return model([helper.make_node("Attention", ["q", "q", "q"], ["y"], name="attn")],
                 [vi("q", [1, 2, 3, 4])], [vi("y", [1, 2, 3, 4])], opset=13)


@register
def old_op_version():
    # Opset 1 selects Upsample version 1 (width/height scale attributes).
    return model([helper.make_node("Upsample", ["x"], ["y"], name="up",
                                   width_scale=2.0, height_scale=2.0)],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])], opset=1)


@register
def dynamic_reshape():
    # The target shape is a graph input: not computable at compile time,
    # and the result's declared shape does not say it either.
    return model([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")],
                 [vi("x", [2, 3]), vi("s", [2], TensorProto.INT64)],
                 [vi("y", ["A", "B"])])


@register
def runtime_shape_values():
    # Inputs that decide a result shape, given at run time, with the
    # results' shapes declared (graph outputs, value_info): Reshape's
    # target, a reduction's axes (keepdims, and without keepdims where only
    # one set of axes fits), TopK's k, Expand's shape; Trilu's k and Range's
    # start and delta are used as run-time values.
    i64 = TensorProto.INT64
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
        helper.make_node("ReduceSum", ["x", "axes"], ["sum"], name="sum"),
        helper.make_node("ReduceMax", ["u", "axes"], ["max"], name="max",
                         keepdims=0),
        helper.make_node("TopK", ["x", "k"], ["vals", "idx"], name="topk"),
        helper.make_node("Expand", ["v", "eshape"], ["e0"], name="expand"),
        helper.make_node("Relu", ["e0"], ["e"], name="relu"),
        helper.make_node("Trilu", ["m", "k"], ["t"], name="trilu", upper=0),
        helper.make_node("Range", ["start", "limit", "delta"], ["range"],
                         name="range"),
    ]
    inputs = [vi("x", [2, 3, 3]), vi("u", [2, 1, 3]), vi("v", [1, 4]),
              vi("m", [3, 3]), vi("shape", [2], i64), vi("eshape", [2], i64),
              vi("axes", [1], i64),
              vi("k", [1], i64), vi("start", [], TensorProto.FLOAT),
              vi("limit", [], TensorProto.FLOAT),
              vi("delta", [], TensorProto.FLOAT)]
    outputs = [vi("r", [9, 2]), vi("sum", [2, 1, 3]), vi("max", [2, 3]),
               vi("vals", [2, 3, 2]), vi("idx", [2, 3, 2], i64),
               vi("e", [3, 4]), vi("t", [3, 3]), vi("range", [5])]
    m = model(nodes, inputs, outputs, opset=18)
    m.graph.value_info.append(vi("e0", [3, 4]))
    return m


@register
def runtime_axes_ambiguous():
    # [2, 3, 3] -> [2, 3] without keepdims drops dim 1 or dim 2: the
    # declared shape does not decide the run-time axes.
    return model([helper.make_node("ReduceMean", ["x", "axes"], ["y"],
                                   name="mean", keepdims=0)],
                 [vi("x", [2, 3, 3]), vi("axes", [1], TensorProto.INT64)],
                 [vi("y", [2, 3])], opset=18)


@register
def bad_conv():
    w = const("w", np.ones((4, 5, 3, 3), np.float32))
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
                 [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 6, 6])], [w])


@register
def shape_subgraph():
    # y = reshape(x, concat(shape(x)[0:1], [-1])): folded at import.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
    ]
    inits = [const("zero", np.array(0, np.int64)), const("axes", np.array([0], np.int64)),
             const("minus1", np.array([-1], np.int64))]
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", [2, 12])], inits)


@register
def opset_variants():
    # Opset 10: Clip min/max attributes, Softmax coerced to 2-D, Unsqueeze axes attribute.
    nodes = [
        helper.make_node("Clip", ["x"], ["c"], name="clip", min=0.0, max=6.0),
        helper.make_node("Softmax", ["c"], ["s"], name="softmax", axis=1),
        helper.make_node("Unsqueeze", ["s"], ["y"], name="unsqueeze", axes=[0]),
    ]
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", [1, 2, 3, 4])], opset=10)


@register
def auto_pad():
    w = const("w", np.ones((2, 1, 3, 3), np.float32))
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                              auto_pad="SAME_UPPER", strides=[2, 2])]
    return model(nodes, [vi("x", [1, 1, 6, 6])], [vi("y", [1, 2, 3, 3])], [w])


@register
def clip_bounds():
    # Constant float bounds: one edge.clip. A run-time bound or integer data:
    # edge.max / edge.min. Max with three inputs folds left.
    nodes = [
        helper.make_node("Clip", ["x", "lo", "hi"], ["c0"], name="clip_const"),
        helper.make_node("Clip", ["c0", "m"], ["c1"], name="clip_runtime"),
        helper.make_node("Clip", ["n", "", "nhi"], ["c2"], name="clip_int"),
        helper.make_node("Max", ["c1", "x", "m"], ["c3"], name="max3"),
    ]
    inits = [const("lo", np.float32(0)), const("hi", np.float32(6)),
             const("nhi", np.array([100], np.int8))]
    return model(nodes, [vi("x", [4]), vi("m", []), vi("n", [4], TensorProto.INT8)],
                 [vi("c3", [4]), vi("c2", [4], TensorProto.INT8)], inits)


@register
def clip_vector_bound():
    # Clip bounds are scalars; a 2-element min is an error naming the node.
    nodes = [helper.make_node("Clip", ["x", "lo"], ["y"], name="clip")]
    return model(nodes, [vi("x", [4]), vi("lo", [2])], [vi("y", [4])])


@register
def bad_conv_transpose():
    # ConvTranspose filters have one row per input channel: 5 rows for 3.
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="deconv")]
    return model(nodes, [vi("x", [1, 3, 4, 4])], [vi("y", [1, 2, 6, 6])],
                 [const("w", np.zeros((5, 2, 3, 3), np.float32))])


@register
def huge_kernel():
    # A corrupt kernel size (2^40) with SAME padding: refused, not compiled.
    nodes = [helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                              kernel_shape=[2, 2**40], auto_pad="SAME_UPPER")]
    return model(nodes, [vi("x", [1, 3, 32, 32])], [vi("y", [1, 3, 32, 32])])


@register
def huge_input():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", [2**20, 2**20])], [vi("y", [2**20, 2**20])])


@register
def huge_constant_of_shape():
    # A shape computed at compile time that asks for 2^40 elements.
    nodes = [helper.make_node("ConstantOfShape", ["s"], ["y"], name="fill")]
    return model(nodes, [], [vi("y", [2**20, 2**20])],
                 [const("s", np.array([2**20, 2**20], np.int64))])


@register
def empty_constant_of_shape_value():
    # ConstantOfShape's value attribute is a one-element tensor; an empty one
    # (dims [0], no data) crashed the importer (issue 11).
    value = TensorProto()
    value.name = "value"
    value.data_type = TensorProto.FLOAT
    value.dims.extend([0])
    nodes = [helper.make_node("ConstantOfShape", ["s"], ["y"], name="fill",
                              value=value)]
    return model(nodes, [], [vi("y", [2, 3])],
                 [const("s", np.array([2, 3], np.int64))])


def broadcast(op, rows, cols, seed):
    # The broadcast of a rows x 1 and a 1 x cols initializer.
    rng = np.random.default_rng(seed)
    nodes = [helper.make_node(op, ["a", "b"], ["y"], name=op.lower())]
    return model(nodes, [], [vi("y", [rows, cols])],
                 [const("a", rng.random((rows, 1), dtype=np.float32)),
                  const("b", rng.random((1, cols), dtype=np.float32))])


@register
def broadcast_initializers():
    # 160 KiB of model, a 1 GiB result. Folding it took 75 s, 11.6 GB and
    # wrote a 1 GB object (issue 11); it stays an op computed at run time.
    return broadcast("Add", 32768, 8192, 0)


@register
def small_broadcast_initializers():
    # The same at a size the test runs: 2304 bytes of operands, 512 KiB out.
    return broadcast("Mul", 512, 256, 1)


@register
def nodes_60000():
    # 60,000 Relu nodes in a row, under the limit: compiled in bounded time
    # (elementwise fusion once took quadratic time on such chains).
    nodes = [helper.make_node("Relu", ["x" if i == 0 else f"t{i - 1}"],
                              [f"t{i}"], name=f"n{i}") for i in range(60000)]
    return model(nodes, [vi("x", [4])], [vi("t59999", [4])])


@register
def mixed_types():
    # Conv's operands share one type; float16 data with a float32 filter
    # crashed the vectorizer before the type check (found by fuzzing).
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
    return model(nodes, [vi("x", [1, 1, 5, 5], TensorProto.FLOAT16)],
                 [vi("y", [1, 1, 3, 3], TensorProto.FLOAT16)],
                 [const("w", np.ones((1, 1, 3, 3), np.float32))])


@register
def bool_add():
    # ONNX's arithmetic takes numbers only; bool Add is refused, not computed.
    nodes = [helper.make_node("Add", ["x", "x"], ["y"], name="add")]
    return model(nodes, [vi("x", [4], TensorProto.BOOL)],
                 [vi("y", [4], TensorProto.BOOL)])


@register
def pool_4d():
    # Pooling over four spatial dimensions is beyond what edgec lowers.
    nodes = [helper.make_node("AveragePool", ["x"], ["y"], name="pool4d",
                              kernel_shape=[2, 2, 2, 2])]
    return model(nodes, [vi("x", [1, 1, 4, 4, 4, 4])],
                 [vi("y", [1, 1, 3, 3, 3, 3])])


@register
def pool_1d():
    nodes = [helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                              kernel_shape=[3], strides=[2], pads=[1, 1],
                              storage_order=1)]
    return model(nodes, [vi("x", [1, 2, 9])], [vi("y", [1, 2, 5])])


@register
def fire():
    # A squeezenet fire module: two convolution branches concatenated on
    # channels, then another convolution.
    w1 = const("w1", np.full((4, 3, 1, 1), 0.5, np.float32))
    w3 = const("w3", np.full((4, 3, 3, 3), 0.25, np.float32))
    wo = const("wo", np.full((2, 8, 1, 1), 0.125, np.float32))
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="expand1x1"),
        helper.make_node("Relu", ["a"], ["ra"], name="relu_a"),
        helper.make_node("Conv", ["x", "w3"], ["b"], name="expand3x3", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["b"], ["rb"], name="relu_b"),
        helper.make_node("Concat", ["ra", "rb"], ["c"], name="concat", axis=1),
        helper.make_node("Conv", ["c", "wo"], ["y"], name="squeeze"),
    ]
    return model(nodes, [vi("x", [1, 3, 6, 6])], [vi("y", [1, 2, 6, 6])],
                 [w1, w3, wo])


def external(location):
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4],
                    data_location=TensorProto.EXTERNAL)
    for k, v in (("location", location), ("offset", "0"), ("length", "16")):
        w.external_data.add(key=k, value=v)
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", [4])], [vi("y", [4])], [w])


@register
def external_data():
    # weights.bin beside the model holds 1, 2, 3, 4.
    out_dir = os.path.dirname(os.path.abspath(sys.argv[2]))
    np.array([1, 2, 3, 4], np.float32).tofile(os.path.join(out_dir, "weights.bin"))
    return external("weights.bin")


@register
def scalar_kernel():
    # A 3-D max pool, which has no vector configuration, beside a 2-D conv
    # that has one.
    w = const("w", np.ones((4, 2, 3, 3), np.float32))
    nodes = [helper.make_node("MaxPool", ["v"], ["p"], name="pool_3d",
                              kernel_shape=[2, 2, 2]),
             helper.make_node("Conv", ["x", "w"], ["y"], name="conv_2d")]
    return model(nodes, [vi("v", [1, 2, 4, 4, 4]), vi("x", [1, 2, 6, 6])],
                 [vi("p", [1, 2, 3, 3, 3]), vi("y", [1, 4, 4, 4])], [w])


@register
def qdq():
    # Quantize an activation (int8, per tensor), dequantize a per-axis int8
    # weight and a uint8 default-zero-point tensor, as QDQ graphs do.
    w = np.array([[1, -2, 3], [4, 5, -6]], dtype=np.int8)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["qx"], name="q_x"),
        helper.make_node("DequantizeLinear", ["qx", "sx", "zx"], ["dx"], name="dq_x"),
        helper.make_node("DequantizeLinear", ["w", "sw"], ["dw"], name="dq_w", axis=0),
        helper.make_node("MatMul", ["dw", "dx"], ["m"], name="mm"),
        helper.make_node("QuantizeLinear", ["m", "sy"], ["y"], name="q_y"),
    ]
    return model(nodes, [vi("x", [3, 2])], [vi("y", [2, 2], TensorProto.UINT8)],
                 [const("sx", np.float32(0.05)), const("zx", np.int8(-3)),
                  const("w", w), const("sw", np.array([0.1, 0.2], np.float32)),
                  const("sy", np.float32(0.25))])


@register
def quantize_runtime_scale():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q_dyn")]
    return model(nodes, [vi("x", [4]), vi("s", [])], [vi("y", [4], TensorProto.UINT8)])


@register
def quantize_bad_scale():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q_neg")]
    return model(nodes, [vi("x", [4])], [vi("y", [4], TensorProto.UINT8)],
                 [const("s", np.float32(-1.0))])


@register
def two_inputs():
    # A MatMul with a constant weight, plus a second input: the calibration
    # set of a two-input model (test/quantize/calibration-files.test).
    w = np.array([[1, 0, -1], [0.5, 2, 0], [0, -0.25, 1], [1, 1, 1]], np.float32)
    nodes = [helper.make_node("MatMul", ["a", "w"], ["m"], name="mm"),
             helper.make_node("Add", ["m", "b"], ["s"], name="add"),
             helper.make_node("Relu", ["s"], ["y"], name="relu")]
    return model(nodes, [vi("a", [1, 4]), vi("b", [1, 3])], [vi("y", [1, 3])],
                 [const("w", w)])


@register
def dynamic_quantize():
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"], name="dql")]
    return model(nodes, [vi("x", [2, 3])],
                 [vi("y", [2, 3], TensorProto.UINT8), vi("s", []),
                  vi("z", [], TensorProto.UINT8)], opset=11)


def dequantize_model(x, scale, zp=None, opset=21, data_type=TensorProto.UINT8, **attrs):
    """DequantizeLinear 'dq' of a graph input of x's shape with constant
    parameters."""
    names = ["x", "s"] + (["z"] if zp is not None else [])
    inits = [const("s", np.asarray(scale, np.float32))]
    if zp is not None:
        inits.append(const("z", zp))
    nodes = [helper.make_node("DequantizeLinear", names, ["y"], name="dq", **attrs)]
    return model(nodes, [vi("x", list(x), data_type)], [vi("y", list(x))], inits, opset)


@register
def dequantize_zero_scale():
    return dequantize_model([4], 0.0, np.uint8(3))


@register
def dequantize_zero_point_type():
    return dequantize_model([4], 0.5, np.int8(-3))


@register
def dequantize_per_axis_mismatch():
    return dequantize_model([2, 4], [0.1, 0.2, 0.3], np.zeros(3, np.uint8), axis=1)


@register
def dequantize_block_mismatch():
    # block_size 3 cuts 8 columns into 3 blocks; the scale has 2.
    return dequantize_model([2, 8], np.full((2, 2), 0.1), np.zeros((2, 2), np.uint8),
                            axis=1, block_size=3)


@register
def dequantize_block_negative():
    return dequantize_model([2, 8], np.full((2, 2), 0.1), axis=1, block_size=-4)


@register
def dequantize_block_zero_point_shape():
    return dequantize_model([2, 8], np.full((2, 2), 0.1), np.zeros((2, 1), np.uint8),
                            axis=1, block_size=4)


@register
def quantize_e8m0_output():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q", output_dtype=24)]
    return model(nodes, [vi("x", [4])], [vi("y", [4], 24)], [const("s", np.float32(0.5))], 21)


@register
def cast_bad_round_mode():
    nodes = [helper.make_node("Cast", ["x"], ["y"], name="cast", to=24, round_mode="sideways")]
    return model(nodes, [vi("x", [4])], [vi("y", [4], 24)], [], 21)


def qlinear_add(opsets, scale_a=np.float32(0.1)):
    names = ["a", "sa", "za", "b", "sb", "zb", "sc", "zc"]
    inits = [const("sa", scale_a), const("za", np.uint8(128)), const("sb", np.float32(0.2)),
             const("zb", np.uint8(128)), const("sc", np.float32(0.3)),
             const("zc", np.uint8(128))]
    nodes = [helper.make_node("QLinearAdd", names, ["c"], name="qadd", domain="com.microsoft")]
    graph = helper.make_graph(nodes, "g", [vi("a", [3], TensorProto.UINT8),
                                           vi("b", [3], TensorProto.UINT8)],
                              [vi("c", [3], TensorProto.UINT8)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    m.ir_version = 8
    return m


@register
def qlinear_add_no_domain():
    return qlinear_add([("", 13)])


@register
def qlinear_add_per_channel():
    return qlinear_add([("", 13), ("com.microsoft", 1)], np.full(3, 0.1, np.float32))


@register
def qlinear_softmax():
    nodes = [helper.make_node("QLinearSoftmax", ["x", "s", "z", "s", "z"], ["y"],
                              name="qsoftmax", domain="com.microsoft")]
    graph = helper.make_graph(nodes, "g", [vi("x", [3], TensorProto.UINT8)],
                              [vi("y", [3], TensorProto.UINT8)],
                              [const("s", np.float32(0.1)), const("z", np.uint8(0))])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    return m


def main():
    name, out = sys.argv[1], sys.argv[2]
    onnx.save(MODELS[name](), out)


if __name__ == "__main__":
    main()
