#!/usr/bin/python3
"""Writes an .npy array as an ONNX TensorProto (.pb), for runner input tests."""
import sys

import numpy as np
from onnx import numpy_helper

arr = np.load(sys.argv[1])
with open(sys.argv[2], "wb") as f:
    f.write(numpy_helper.from_array(arr, name="input").SerializeToString())
