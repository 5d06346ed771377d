#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes models covering what the ONNX backend suite leaves out of the
device forms composed from existing commands: MaxPool's Indices with
ties, padding, dilation, ceil mode, column-major storage_order and 1-D;
3-D pools with padding, strides, dilation, ceil mode and
count_include_pad; 8-bit MaxPool with padding; MaxUnpool with duplicate
indices and a larger output_shape; the Hann/Hamming/Blackman windows;
reductions with noop_with_empty_axes; linear and cubic Resize
align_corners with fractional scaled lengths; Upsample; DFT on complex
inputs with inner dims, dft_length and onesided; GridSample and STFT
with their grid, steps and window given as graph inputs; per-channel
Q/DQ with input scales; DynamicQuantizeLinear; ConvTranspose with its
kernel equal to its stride (one MATMUL per tap). runtime-device.sh
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

# DFT as a MATMUL against its uploaded matrix: a complex input with inner
# dims (copied first), dft_length padding and cutting, onesided, inverse.
for name, shape, attrs, length in (("dft_complex_inner", [2, 6, 3, 2], {"axis": 1}, None),
                                   ("dft_inverse_axis2", [1, 3, 5, 2], {"axis": 2, "inverse": 1},
                                    None),
                                   ("dft_onesided_pad", [2, 7, 3, 1], {"axis": 1, "onesided": 1},
                                    10),
                                   ("dft_cut", [1, 2, 8, 1], {"axis": 2}, 5)):
    inits = [const("len", np.int64(length))] if length else []
    save(name, [helper.make_node("DFT", ["x", "len" if length else ""], ["y"], **attrs)],
         [vi("x", F, shape)], ["y"], inits)

# GridSample against a grid given as a graph input (known when planning),
# reaching outside the image, over two batches and three channels.
for mode, pad, align in (("bicubic", "reflection", 1), ("bilinear", "border", 0),
                         ("nearest", "zeros", 0), ("bicubic", "zeros", 0)):
    save("gridsample_%s_%s_%d" % (mode, pad, align), [
        helper.make_node("GridSample", ["x", "grid"], ["y"], mode=mode, padding_mode=pad,
                         align_corners=align)
    ], [vi("x", F, [2, 3, 4, 5]), vi("grid", F, [2, 3, 6, 2])], ["y"], opset=16,
         feeds={"grid": rng.uniform(-1.4, 1.4, [2, 3, 6, 2]).astype(np.float32)})

# STFT of a complex signal, two-sided, with a window; a real one without.
save("stft_complex_window", [
    helper.make_node("STFT", ["x", "step", "win"], ["y"], onesided=0)
], [vi("x", F, [2, 40, 2]), vi("step", I64, []), vi("win", F, [12])], ["y"],
     feeds={"step": np.array(5, dtype=np.int64),
            "win": rng.uniform(0, 1, [12]).astype(np.float32)})
save("stft_real_length", [
    helper.make_node("STFT", ["x", "step", "", "len"], ["y"])
], [vi("x", F, [1, 33, 1]), vi("step", I64, []), vi("len", I64, [])], ["y"],
     feeds={"step": np.array(4, dtype=np.int64), "len": np.array(9, dtype=np.int64)})

# Per-channel QuantizeLinear/DequantizeLinear with the scale and zero
# point as graph inputs (staged by FILLs), along axis 0 and a last axis.
for axis, shape in ((0, [4, 3, 2]), (-1, [2, 3, 5])):
    ch = shape[axis]
    scale = rng.uniform(0.01, 0.2, [ch]).astype(np.float32)
    zp = rng.integers(-20, 20, [ch]).astype(np.int8)
    tag = "m1" if axis < 0 else str(axis)
    save("quantize_axis_inputs_%s" % tag, [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=axis),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=axis)
    ], [vi("x", F, shape), vi("s", F, [ch]), vi("z", TensorProto.INT8, [ch])], ["q", "y"],
         feeds={"s": scale, "z": zp})

# DynamicQuantizeLinear composed on the vector engine: all zeros (scale 0:
# zero point and output 0), all positive (lo 0), mixed with ties at .5.
for tag, x in (("zeros", np.zeros([3, 4], np.float32)),
               ("positive", rng.uniform(0.5, 3, [2, 3, 4]).astype(np.float32)),
               ("mixed", np.array([-2.55, -1.5, 0, 0.5, 1.5, 2.5, 100], np.float32))):
    save("dynamicquantize_%s" % tag, [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])
    ], [vi("x", F, list(x.shape))], ["y", "s", "z"], feeds={"x": x})

# ConvTranspose with kernel equal to stride as one MATMUL per tap: 2-D with
# uploaded weights, bias and a fused Relu or Sigmoid (PP-OCR det's head), a
# rectangular kernel with weights given as a graph input, 1-D, and
# output_padding cropped again by end pads.
for name, x, w, attrs, bias, act, winput in (
        ("convt_block_2x2_relu", [2, 5, 6, 7], [5, 3, 2, 2], {"strides": [2, 2]}, True, "Relu",
         False),
        ("convt_block_2x2_sigmoid", [1, 4, 5, 5], [4, 1, 2, 2], {"strides": [2, 2]}, True,
         "Sigmoid", False),
        ("convt_block_3x2_winput", [1, 3, 4, 5], [3, 2, 3, 2], {"strides": [3, 2]}, False, None,
         True),
        ("convt_block_1d", [2, 4, 9], [4, 6, 3], {"strides": [3]}, True, None, False),
        ("convt_block_opad_cropped", [1, 2, 3, 4], [2, 3, 2, 2],
         {"strides": [2, 2], "output_padding": [1, 1], "pads": [0, 0, 1, 1]}, True, None, False)):
    ins = ["x", "w", "b" if bias else ""]
    nodes = [helper.make_node("ConvTranspose", ins, ["t" if act else "y"], **attrs)]
    if act:
        nodes.append(helper.make_node(act, ["t"], ["y"]))
    inits = [] if winput else [const("w", rng.uniform(-1, 1, w).astype(np.float32))]
    if bias:
        inits.append(const("b", rng.uniform(-0.5, 0.5, [w[1]]).astype(np.float32)))
    inputs = [vi("x", F, x)] + ([vi("w", F, w)] if winput else [])
    save(name, nodes, inputs, ["y"], inits)
