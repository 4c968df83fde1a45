#!/usr/bin/python3
"""Writes one small ONNX model of the image ops (Resize, GridSample, Col2Im,
AffineGrid, LpPool) for a test: make_image_model.py NAME OUT.onnx."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model import const, model, vi  # noqa: E402

MODELS = {}


def register(f):
    MODELS[f.__name__] = f
    return f


@register
def resize_dynamic_scales():
    # The scales decide the output shape: a graph input cannot.
    return model([helper.make_node("Resize", ["x", "", "s"], ["y"], name="resize")],
                 [vi("x", [1, 1, 2, 2]), vi("s", [4])], [vi("y", None)], opset=19)


@register
def resize_bad_mode():
    s = const("s", np.array([1, 1, 2, 2], np.float32))
    return model([helper.make_node("Resize", ["x", "", "s"], ["y"], name="resize",
                                   mode="area")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", None)], [s], opset=19)


@register
def resize_int_linear():
    s = const("s", np.array([1, 1, 2, 2], np.float32))
    return model([helper.make_node("Resize", ["x", "", "s"], ["y"], name="resize",
                                   mode="linear")],
                 [vi("x", [1, 1, 2, 2], TensorProto.INT32)],
                 [vi("y", None, TensorProto.INT32)], [s], opset=19)


@register
def resize_empty():
    s = const("s", np.array([1, 1, 0.1, 2], np.float32))
    return model([helper.make_node("Resize", ["x", "", "s"], ["y"], name="resize")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", None)], [s], opset=19)


@register
def gridsample_cubic_3d():
    return model([helper.make_node("GridSample", ["x", "g"], ["y"], name="gs",
                                   mode="cubic")],
                 [vi("x", [1, 1, 2, 2, 2]), vi("g", [1, 2, 2, 2, 3])],
                 [vi("y", None)], opset=20)


@register
def col2im_bad_blocks():
    image = const("image", np.array([5, 5], np.int64))
    block = const("block", np.array([2, 2], np.int64))
    return model([helper.make_node("Col2Im", ["x", "image", "block"], ["y"],
                                   name="col2im")],
                 [vi("x", [1, 4, 10])], [vi("y", None)], [image, block], opset=18)


@register
def lppool_ceil():
    return model([helper.make_node("LpPool", ["x"], ["y"], name="lppool",
                                   kernel_shape=[2, 2], ceil_mode=1)],
                 [vi("x", [1, 1, 5, 5])], [vi("y", None)], opset=18)


@register
def image_ops():
    # Col2Im, LpPool and AffineGrid, each built from other edge ops.
    image = const("image", np.array([3, 3], np.int64))
    block = const("block", np.array([2, 2], np.int64))
    size = const("size", np.array([1, 1, 2, 3], np.int64))
    nodes = [helper.make_node("Col2Im", ["x", "image", "block"], ["c"], name="col2im"),
             helper.make_node("LpPool", ["c"], ["l"], name="lppool",
                              kernel_shape=[2, 2], p=3),
             helper.make_node("AffineGrid", ["theta", "size"], ["g"],
                              name="affine_grid")]
    return model(nodes, [vi("x", [1, 4, 4]), vi("theta", [1, 2, 3])],
                 [vi("l", None), vi("g", None)], [image, block, size], opset=20)


def main():
    name, out = sys.argv[1], sys.argv[2]
    onnx.save(MODELS[name](), out)


if __name__ == "__main__":
    main()
