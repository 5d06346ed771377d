#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes ConvTranspose models covering what the ONNX backend suite leaves
out on the device path: stride 2 kernel 2 (PaddleOCR det's upsampling)
with a fused Relu, output_padding with groups and dilation, pads beyond
the kernel's reach (the device crops the input), an output_shape larger
than the input reaches, SAME_LOWER, and 1-D. Weights are initializers
(transformed once at upload) unless the name ends in _win (a graph input:
transformed on the device every run). runtime-device.sh runs each on the
device and on the CPU and compares.

Usage: convt_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(11)


def model(name, x_shape, w_shape, attrs, bias=True, w_input=False, relu=False):
    c, mg = w_shape[0], w_shape[1]
    grp = attrs.get("group", 1)
    w = rng.standard_normal(w_shape).astype(np.float32)
    inits = []
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
    if w_input:
        inputs.append(helper.make_tensor_value_info("W", TensorProto.FLOAT, w_shape))
        np.save(os.path.join(OUT, name + ".W.npy"), w)
    else:
        inits.append(numpy_helper.from_array(w, "W"))
    ins = ["x", "W"]
    if bias:
        inits.append(numpy_helper.from_array(
            rng.standard_normal([mg * grp]).astype(np.float32), "B"))
        ins.append("B")
    assert x_shape[1] == c
    nodes = [helper.make_node("ConvTranspose", ins, ["t" if relu else "y"], name="ct",
                              **attrs)]
    if relu:
        nodes.append(helper.make_node("Relu", ["t"], ["y"], name="relu"))
    g = helper.make_graph(nodes, name, inputs,
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


os.makedirs(OUT, exist_ok=True)
model("s2k2_relu", [1, 8, 6, 7], [8, 4, 2, 2], {"strides": [2, 2]}, relu=True)
model("s2k2_relu_win", [2, 8, 6, 7], [8, 4, 2, 2], {"strides": [2, 2]}, relu=True,
      w_input=True)
model("outpad_group_dil", [1, 6, 5, 4], [6, 2, 3, 2],
      {"strides": [2, 3], "output_padding": [1, 2], "pads": [1, 0, 2, 1],
       "dilations": [1, 2], "group": 3})
model("outpad_group_dil_win", [1, 6, 5, 4], [6, 2, 3, 2],
      {"strides": [2, 3], "output_padding": [1, 2], "pads": [1, 0, 2, 1],
       "dilations": [1, 2], "group": 3}, w_input=True)
model("crop", [1, 3, 5, 6], [3, 2, 2, 3], {"strides": [3, 2], "pads": [3, 4, 2, 3]})
model("output_shape_large", [1, 2, 3, 3], [2, 3, 3, 3],
      {"strides": [2, 2], "output_shape": [9, 10]}, bias=False)
model("same_lower", [1, 4, 5, 5], [4, 4, 3, 3], {"strides": [2, 2], "auto_pad": "SAME_LOWER"})
model("one_d_win", [1, 3, 9], [3, 5, 4], {"strides": [3], "output_padding": [2]},
      w_input=True)
