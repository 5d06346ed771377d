#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes models covering what the ONNX backend suite leaves out of the
device forms composed from existing commands: MaxPool's Indices with
ties, padding, dilation, ceil mode, column-major storage_order and 1-D;
3-D pools with padding, strides, dilation, ceil mode and
count_include_pad; 8-bit MaxPool with padding; MaxUnpool with duplicate
indices and a larger output_shape; the Hann/Hamming/Blackman windows;
reductions with noop_with_empty_axes; linear and cubic Resize
align_corners with fractional scaled lengths; Upsample. runtime-device.sh
runs each wholly on the device and on the CPU and compares every output.

Each model NAME.onnx comes with NAME.outs (its output names) and
NAME.in.INPUT.npy for inputs the random ones would not fit.

Usage: devcov_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(14)
F, I64, U8 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.UINT8


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def save(name, nodes, inputs, outputs, inits=(), opset=17, feeds=None):
    graph = helper.make_graph(nodes, name, inputs, [vi(o, 0, None) for o in outputs],
                              initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    with open(os.path.join(OUT, name + ".outs"), "w") as f:
        f.write(" ".join(outputs) + "\n")
    for k, v in (feeds or {}).items():
        np.save(os.path.join(OUT, "%s.in.%s.npy" % (name, k)), v)


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def maxpool_idx(name, shape, **attrs):
    # Floor(3 x) of x in [-1, 1) takes six values: windows tie often.
    save(name, [
        helper.make_node("Mul", ["x", "three"], ["x3"]),
        helper.make_node("Floor", ["x3"], ["xf"]),
        helper.make_node("MaxPool", ["xf"], ["y", "ind"], **attrs)
    ], [vi("x", F, shape)], ["y", "ind"], [const("three", np.float32(3))])


maxpool_idx("maxpool_idx_pads_dil_ceil", [2, 3, 9, 10], kernel_shape=[3, 2],
            pads=[1, 0, 2, 1], strides=[2, 3], dilations=[1, 2], ceil_mode=1)
maxpool_idx("maxpool_idx_colmajor", [1, 2, 7, 6], kernel_shape=[2, 3], strides=[2, 1],
            storage_order=1)
maxpool_idx("maxpool_idx_same_upper", [1, 1, 5, 7], kernel_shape=[3, 3], auto_pad="SAME_UPPER")
maxpool_idx("maxpool_idx_1d", [2, 2, 11], kernel_shape=[3], pads=[1, 1], strides=[2])


def pool3(name, op, shape, **attrs):
    save(name, [helper.make_node(op, ["x"], ["y"], **attrs)], [vi("x", F, shape)], ["y"])


pool3("avgpool3d_pads_incl_ceil", "AveragePool", [1, 2, 7, 8, 9], kernel_shape=[3, 2, 3],
      pads=[1, 0, 1, 1, 1, 0], strides=[2, 2, 3], count_include_pad=1, ceil_mode=1)
pool3("avgpool3d_pads_excl", "AveragePool", [2, 1, 6, 5, 7], kernel_shape=[2, 3, 3],
      pads=[1, 1, 1, 0, 1, 1], strides=[1, 2, 2])
pool3("maxpool3d_dil_strides", "MaxPool", [1, 3, 9, 7, 8], kernel_shape=[2, 2, 3],
      pads=[0, 1, 1, 1, 0, 1], strides=[2, 1, 2], dilations=[2, 2, 1])
pool3("maxpool3d_same_lower", "MaxPool", [1, 1, 5, 6, 4], kernel_shape=[3, 3, 2],
      auto_pad="SAME_LOWER")

save("maxpool_uint8_pads", [
    helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                     strides=[2, 2])
], [vi("x", U8, [1, 2, 6, 7])], ["y"],
     feeds={"x": rng.integers(0, 256, [1, 2, 6, 7]).astype(np.uint8)})

# Indices over the implied [1, 2, 4, 6], with duplicates (the last wins),
# into an output_shape larger than that.
save("maxunpool_dup_shape", [
    helper.make_node("MaxUnpool", ["x", "ind", "oshape"], ["y"], kernel_shape=[2, 2],
                     strides=[2, 2])
], [vi("x", F, [1, 2, 2, 3])], ["y"], [
    const("ind", np.array([0, 7, 7, 22, 23, 13, 24, 30, 30, 47, 40, 29],
                          dtype=np.int64).reshape(1, 2, 2, 3)),
    const("oshape", np.array([1, 2, 5, 7], dtype=np.int64))
])

for op, size, periodic in (("HannWindow", 16, 0), ("HammingWindow", 9, 1),
                           ("BlackmanWindow", 7, 1), ("BlackmanWindow", 12, 0)):
    save("%s_%d_%d" % (op.lower(), size, periodic),
         [helper.make_node(op, ["size"], ["y"], periodic=periodic)], [vi("size", I64, [])],
         ["y"], feeds={"size": np.array(size, dtype=np.int64)})

for op in ("ReduceSumSquare", "ReduceL1", "ReduceLogSumExp", "ReduceMax"):
    save("%s_noop" % op.lower(), [
        helper.make_node(op, ["x", "axes"], ["y"], noop_with_empty_axes=1, keepdims=0)
    ], [vi("x", F, [2, 3, 4]), vi("axes", I64, [0])], ["y"], opset=18,
         feeds={"axes": np.zeros([0], dtype=np.int64)})

for mode, scales in (("linear", [1, 1, 0.7, 1.3]), ("cubic", [1, 1, 1.45, 0.6]),
                     ("linear", [1, 0.5, 2.5, 1])):
    name = "resize_%s_align_%s" % (mode, "_".join(str(s).replace(".", "p") for s in scales))
    save(name, [
        helper.make_node("Resize", ["x", "", "scales"], ["y"], mode=mode,
                         coordinate_transformation_mode="align_corners")
    ], [vi("x", F, [1, 2, 5, 7])], ["y"], [const("scales", np.array(scales, np.float32))])

for mode in ("nearest", "linear"):
    save("upsample_%s" % mode, [helper.make_node("Upsample", ["x", "scales"], ["y"], mode=mode)],
         [vi("x", F, [1, 2, 3, 4])], ["y"], [const("scales", np.array([1, 1, 2, 1.5], np.float32))],
         opset=9)
