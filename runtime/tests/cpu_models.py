#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small ONNX models of the ops the CPU path runs on oneDNN, with
the shapes and attributes where its kernels and the plain loops could
part: groups and depthwise, strides, dilations, asymmetric and automatic
pads, 1 to 3 spatial dims, fused activations, ConvTranspose's
output_padding and output_shape, batched and 1-D MatMul, Gemm's
transposes, broadcast arithmetic either way round, pooling (pads,
ceil_mode, dilations, count_include_pad, 1-D and 3-D, global), softmax
along a middle axis and opset 11's flattened axes; and the
plain-C fast paths of Resize, Pow(x, 2), Clip and trailing ReduceMax/Min
beside their reference loops;
Transpose (a reorder, so bit for bit); LSTM, GRU and RNN, whose gate
sums run on oneDNN's sgemm. run-cpu-tests.sh
runs each on both paths and compares. Each line of OUTDIR/list is NAME PRIMITIVE:
the oneDNN primitive that must have run, or "exact" for a fast path that
must match the reference bit for bit, or "sgemm" for a fast path on
oneDNN's sgemm (no primitive in its verbose log); a third word "exact"
asks both.

Usage: cpu_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(11)
listing = []
reorder_bounds = []


def f32(shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def save(name, prim, nodes, inputs, outputs, inits=(), opset=13, exact=False):
    g = helper.make_graph(nodes, name, inputs, outputs,
                          [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    listing.append(f"{name} {prim}" + (" exact" if exact else ""))


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


os.makedirs(OUT, exist_ok=True)

# Conv: NAME, X shape, W shape, attributes, activation node after it.
convs = [
    ("conv3x3", [1, 32, 17, 19], [48, 32, 3, 3], dict(pads=[1, 1, 1, 1]), None),
    ("conv_stride_asym", [2, 16, 20, 15], [24, 16, 3, 5],
     dict(strides=[2, 1], pads=[0, 2, 1, 1]), None),
    ("conv_dilated", [1, 16, 21, 21], [16, 16, 3, 3], dict(dilations=[2, 2]), None),
    ("conv_same_upper", [1, 8, 15, 16], [8, 8, 4, 4],
     dict(auto_pad="SAME_UPPER", strides=[2, 2]), None),
    ("conv_same_lower", [1, 8, 15, 16], [8, 8, 4, 4],
     dict(auto_pad="SAME_LOWER"), None),
    ("conv_grouped", [1, 32, 12, 12], [64, 8, 3, 3], dict(group=4, pads=[1, 1, 1, 1]), None),
    # 3.5M multiply-adds: between cpu/dnnl.c's idle-host and shared-host work bounds.
    ("conv_mid", [1, 32, 16, 16], [48, 32, 3, 3], dict(pads=[1, 1, 1, 1]), None),
    ("conv_depthwise", [1, 64, 24, 24], [64, 1, 3, 3],
     dict(group=64, pads=[1, 1, 1, 1], strides=[2, 2]), None),
    ("conv_dw5", [1, 48, 9, 30], [48, 1, 5, 5], dict(group=48, pads=[2, 2, 2, 2]), None),
    ("conv_1x1", [1, 96, 10, 10], [40, 96, 1, 1], {}, None),
    ("conv_1d", [2, 12, 50], [20, 12, 7], dict(pads=[3, 2], strides=[3]), None),
    ("conv_3d", [1, 4, 6, 7, 8], [8, 4, 3, 3, 3], dict(pads=[1, 1, 1, 1, 1, 1]), None),
    ("conv_relu", [1, 16, 14, 14], [32, 16, 3, 3], dict(pads=[1, 1, 1, 1]), ("Relu", {})),
    ("conv_leaky", [1, 16, 14, 14], [32, 16, 3, 3], {}, ("LeakyRelu", dict(alpha=0.2))),
    ("conv_sigmoid", [1, 16, 14, 14], [32, 16, 3, 3], {}, ("Sigmoid", {})),
    ("conv_hardsigmoid", [1, 16, 14, 14], [32, 16, 3, 3], {},
     ("HardSigmoid", dict(alpha=0.3, beta=0.4))),
    ("conv_hardswish", [1, 16, 14, 14], [32, 16, 3, 3], {}, ("HardSwish", {})),
]
for name, xs, ws, attrs, act in convs:
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["y" if not act else "c"], **attrs)]
    if act:
        nodes.append(helper.make_node(act[0], ["c"], ["y"], **act[1]))
    save(name, "convolution", nodes, [vi("x", xs)], [vi("y", None)],
         [("w", f32(ws)), ("b", f32([ws[0]]))], opset=14)

# Clip with constant bounds fuses too (opset 11+: bounds as inputs).
save("conv_clip", "convolution", [
    helper.make_node("Conv", ["x", "w"], ["c"]),
    helper.make_node("Clip", ["c", "lo", "hi"], ["y"]),
], [vi("x", [1, 8, 10, 10])], [vi("y", None)],
    [("w", f32([16, 8, 3, 3])), ("lo", np.array(-0.5, np.float32)),
     ("hi", np.array(0.7, np.float32))])

# Scalar Mul/Add/Sub/Max/Min by constants after a Conv's activation fuse
# into its tail on a CPU-only session (graph/fuse.c): PP-OCR's affine
# blocks (HardSwish, * a, + b; a 1x1, a 3x3 and a depthwise conv),
# embedding's LeakyRelu then Max, a HardSigmoid (itself a linear step in
# oneDNN) with an affine tail, and a chain mixing them in every order.
def sc(v):
    return np.array(v, np.float32)


tails = [
    ("tail_affine_1x1", [16, 8, 1, 1], {}, ("HardSwish", {}),
     [("Mul", 0.7), ("Add", -0.3)]),
    ("tail_affine_3x3", [16, 8, 3, 3], dict(pads=[1, 1, 1, 1]), ("HardSwish", {}),
     [("Mul", 1.3), ("Add", 0.2)]),
    ("tail_affine_dw", [8, 1, 3, 3], dict(group=8, pads=[1, 1, 1, 1]), ("HardSwish", {}),
     [("Mul", -0.6), ("Add", 0.1)]),
    ("tail_leaky_max", [16, 8, 3, 3], {}, ("LeakyRelu", dict(alpha=0.2)), [("Max", -0.05)]),
    ("tail_hsig_affine", [16, 8, 1, 1], {}, ("HardSigmoid", dict(alpha=0.3, beta=0.4)),
     [("Add", 0.5), ("Mul", 2.0)]),
    ("tail_mixed", [16, 8, 3, 3], dict(pads=[0, 1, 0, 1]), None,
     [("Mul", 0.5), ("Max", -0.2), ("Sub", 0.1), ("Min", 0.3)]),
]
for name, ws, attrs, act, steps in tails:
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["v0"], **attrs)]
    v = "v0"
    if act:
        nodes.append(helper.make_node(act[0], [v], ["a"], **act[1]))
        v = "a"
    inits = [("w", f32(ws)), ("b", f32([ws[0]]))]
    for i, (op, k) in enumerate(steps):
        out = "y" if i == len(steps) - 1 else f"s{i}"
        nodes.append(helper.make_node(op, [v, f"k{i}"], [out]))
        inits.append((f"k{i}", sc(k)))
        v = out
    save(name, "convolution", nodes, [vi("x", [1, 8, 13, 21])], [vi("y", None)], inits)

# Chains of oneDNN ops, whose values between them may stay in a blocked
# layout (cpu/layout.c): odd channel counts, strides and pads, groups and
# depthwise, fused activations, residual Adds, pools, a squeeze-excitation
# scale, and a value also read outside oneDNN (Sigmoid) or that is a graph
# output, which must then be in NCHW. NAME, nodes, X shape, weights (NAME,
# [M, C/g, k, k]), graph outputs, and the most reorders oneDNN may run in
# all (as measured with the layouts kept): a value reordered out and in
# again between two oneDNN ops exceeds it.
chains = [
    ("chain_odd", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"]),
        helper.make_node("Conv", ["r0", "w1", "b1"], ["c1"], strides=[2, 2], pads=[1, 0, 1, 2]),
        helper.make_node("Conv", ["c1", "w2", "b2"], ["y"]),
    ], [1, 3, 23, 19], [("0", [13, 3, 3, 3]), ("1", [21, 13, 3, 3]), ("2", [7, 21, 1, 1])],
        ["y"], 5),
    ("chain_mobile", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"]),
        helper.make_node("HardSwish", ["c0"], ["r0"]),
        helper.make_node("Conv", ["r0", "w1", "b1"], ["c1"], group=24, strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"]),
        helper.make_node("Conv", ["c2", "w3", "b3"], ["y"], group=5, pads=[2, 2, 2, 2]),
    ], [1, 10, 17, 17], [("0", [24, 10, 1, 1]), ("1", [24, 1, 3, 3]), ("2", [35, 24, 1, 1]),
                         ("3", [35, 7, 5, 5])], ["y"], 5),
    ("chain_residual", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"]),
        helper.make_node("Conv", ["r0", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["r0", "c1"], ["a"]),
        helper.make_node("Conv", ["a", "w2", "b2"], ["y"], strides=[2, 2]),
    ], [2, 11, 12, 13], [("0", [19, 11, 3, 3]), ("1", [19, 19, 3, 3]), ("2", [9, 19, 2, 2])],
        ["y"], 5),
    ("chain_shared", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[0, 1, 0, 1]),
        helper.make_node("Conv", ["c0", "w1", "b1"], ["y"], group=3),
        helper.make_node("Sigmoid", ["c0"], ["z"]),
    ], [1, 6, 9, 14], [("0", [15, 6, 3, 3]), ("1", [9, 5, 1, 1])], ["y", "z"], 3),
    ("chain_output", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"]),
        helper.make_node("Conv", ["c0", "w1", "b1"], ["y"], pads=[1, 1, 1, 1]),
    ], [1, 9, 10, 10], [("0", [17, 9, 1, 1]), ("1", [5, 17, 3, 3])], ["c0", "y"], 6),
    ("chain_pool", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["c0"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p", "w1", "b1"], ["y"]),
    ], [1, 5, 16, 18], [("0", [12, 5, 3, 3]), ("1", [27, 12, 3, 3])], ["y"], 4),
    # Squeeze-excitation: a pooled and broadcast scale, the held value as
    # Mul's second operand, then Sub of two held values.
    ("chain_se", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["c0"], ["g"]),
        helper.make_node("Conv", ["g", "w1", "b1"], ["s"]),
        helper.make_node("Relu", ["s"], ["r"]),
        helper.make_node("Conv", ["r", "w2", "b2"], ["t"]),
        helper.make_node("HardSigmoid", ["t"], ["h"]),
        helper.make_node("Mul", ["h", "c0"], ["m"]),
        helper.make_node("Sub", ["m", "c0"], ["d"]),
        helper.make_node("Conv", ["d", "w3", "b3"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1]),
    ], [1, 12, 13, 11], [("0", [20, 12, 3, 3]), ("1", [5, 20, 1, 1]), ("2", [20, 5, 1, 1]),
                        ("3", [11, 20, 3, 3])], ["y"], 6),
    # A constant per-channel scale and shift after an activation (rec's
    # batch norm, which cannot fold into the conv), the scale first.
    # Swish (rec): the conv's output read by Sigmoid and by Mul, so the
    # activation cannot fuse; all three stay blocked, and Elu too (Tanh
    # stays on the loops: cpu/dnnl.c, rt_post_act()).
    ("chain_swish", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("Sigmoid", ["c0"], ["s"]),
        helper.make_node("Mul", ["c0", "s"], ["m"]),
        helper.make_node("Elu", ["m"], ["t"]),
        helper.make_node("Conv", ["t", "w1", "b1"], ["y"], pads=[1, 1, 1, 1]),
    ], [1, 12, 14, 15], [("0", [20, 12, 3, 3]), ("1", [9, 20, 3, 3])], ["y"], 4),
    ("chain_affine", [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("HardSwish", ["c"], ["c0"]),
        helper.make_node("Mul", ["w2", "c0"], ["m"]),
        helper.make_node("Add", ["m", "w3"], ["a"]),
        helper.make_node("Conv", ["a", "w1", "b1"], ["y"], pads=[1, 1, 1, 1]),
    ], [1, 16, 10, 23], [("0", [32, 16, 3, 3]), ("1", [17, 32, 3, 3]),
                         ("2", [1, 32, 1, 1]), ("3", [1, 32, 1, 1])], ["y"], 4),
]
for name, nodes, xs, ws, outs, reorders in chains:
    inits = [("lo", np.array(-0.5, np.float32)), ("hi", np.array(0.7, np.float32))]
    for k, shape in ws:
        inits += [("w" + k, f32(shape)), ("b" + k, f32([shape[0]]))]
    save(name, "convolution", nodes, [vi("x", xs)], [vi(o, None) for o in outs], inits,
         opset=14)
    reorder_bounds.append(f"{name} {reorders}")

# ConvTranspose: NAME, X, W [C, M/g, k...], attributes.
convts = [
    ("convt_s2k2", [1, 24, 12, 20], [24, 24, 2, 2], dict(strides=[2, 2])),
    ("convt_s2k3_pads", [1, 16, 9, 11], [16, 8, 3, 3], dict(strides=[2, 2], pads=[1, 1, 1, 1])),
    ("convt_outpad", [1, 8, 7, 7], [8, 8, 3, 3],
     dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])),
    ("convt_grouped", [1, 16, 8, 8], [16, 4, 3, 3], dict(group=4, strides=[2, 2])),
    ("convt_dilated", [1, 8, 9, 9], [8, 16, 3, 3], dict(dilations=[2, 2])),
    ("convt_1d", [1, 8, 30], [8, 4, 4], dict(strides=[2])),
    ("convt_out_shape", [1, 8, 6, 6], [8, 8, 3, 3],
     dict(strides=[2, 2], output_shape=[12, 12], auto_pad="SAME_UPPER")),
]
for name, xs, ws, attrs in convts:
    # One group runs as a matmul and col2im, more as oneDNN's deconvolution.
    save(name, "deconvolution" if attrs.get("group", 1) > 1 else "matmul",
         [helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)],
         [vi("x", xs)], [vi("y", None)],
         [("w", f32(ws)), ("b", f32([ws[1] * attrs.get("group", 1)]))], opset=14)

# det's last upsampling: one output plane and a fused Sigmoid, so col2im
# runs the activation as a pass of its own, split over the elements.
save("convt_one_plane_sigmoid", "matmul", [
    helper.make_node("ConvTranspose", ["x", "w", "b"], ["c"], strides=[2, 2]),
    helper.make_node("Sigmoid", ["c"], ["y"]),
], [vi("x", [1, 8, 48, 96])], [vi("y", None)], [("w", f32([8, 1, 2, 2])), ("b", f32([1]))],
    opset=14)

# MatMul: A, B (B constant or an input), and whether an Add bias and Relu
# follow (fused into the MatMul by the graph passes).
mms = [
    ("matmul_2d", [37, 64], [64, 50], True, None),
    ("matmul_batched", [3, 17, 32], [3, 32, 24], False, None),
    ("matmul_bcast", [2, 3, 9, 16], [16, 20], True, None),
    ("matmul_bcast_a", [1, 9, 16], [4, 16, 8], False, None),
    ("matmul_vec_a", [16], [16, 8], True, None),
    ("matmul_vec_b", [5, 16], [16], False, None),
    ("matmul_bias_relu", [8, 40, 64], [64, 96], True, [96]),
]
for name, a, b, bconst, bias in mms:
    nodes = [helper.make_node("MatMul", ["a", "b"], ["y" if bias is None else "p"])]
    inits = [("b", f32(b))] if bconst else []
    ins = [vi("a", a)] + ([] if bconst else [vi("b", b)])
    if bias is not None:
        nodes += [helper.make_node("Add", ["p", "bias"], ["q"]),
                  helper.make_node("Relu", ["q"], ["y"])]
        inits.append(("bias", f32(bias)))
    save(name, "matmul", nodes, ins, [vi("y", None)], inits)

gemms = [
    ("gemm_plain", [20, 30], [30, 40], [40], {}),
    ("gemm_trans", [30, 20], [40, 30], [1, 40], dict(transA=1, transB=1)),
    ("gemm_alpha", [20, 30], [30, 40], None, dict(alpha=0.5)),
    ("gemm_c_matrix", [20, 30], [40, 30], [20, 40], dict(transB=1)),
]
for name, a, b, c, attrs in gemms:
    inits = [("b", f32(b))] + ([("c", f32(c))] if c else [])
    save(name, "matmul",
         [helper.make_node("Gemm", ["a", "b"] + (["c"] if c else []), ["y"], **attrs)],
         [vi("a", a)], [vi("y", None)], inits)

# Broadcast arithmetic: the second operand broadcast, or the first (which
# a commutative op swaps).
bins = [
    ("add_same", "Add", [2, 16, 9, 9], [2, 16, 9, 9]),
    ("mul_per_channel", "Mul", [1, 32, 12, 12], [1, 32, 1, 1]),
    ("mul_first_bcast", "Mul", [1, 32, 1, 1], [1, 32, 12, 12]),
    ("sub_row", "Sub", [6, 40], [40]),
    ("div_scalar", "Div", [3, 5, 7], []),
    ("max_bcast", "Max", [4, 1, 10], [4, 6, 10]),
    ("min_same", "Min", [64, 33], [64, 33]),
]
for name, op, a, b in bins:
    save(name, "binary", [helper.make_node(op, ["a", "b"], ["y"])],
         [vi("a", a), vi("b", b)], [vi("y", None)])

# Pooling: NAME, op, X shape, attributes.
pools = [
    ("maxpool_3x3_s2", "MaxPool", [1, 19, 17, 15],
     dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("maxpool_ceil_dil", "MaxPool", [2, 5, 14, 11],
     dict(kernel_shape=[2, 3], strides=[2, 2], dilations=[2, 1], ceil_mode=1)),
    ("maxpool_1d", "MaxPool", [3, 7, 30], dict(kernel_shape=[4], strides=[3], pads=[0, 2])),
    ("avgpool_excl_pad", "AveragePool", [1, 33, 10, 13],
     dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])),
    ("avgpool_incl_pad", "AveragePool", [1, 20, 9, 9],
     dict(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1], count_include_pad=1)),
    ("avgpool_ceil_excl", "AveragePool", [1, 6, 11, 11],
     dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)),
    ("avgpool_same_upper_3d", "AveragePool", [1, 4, 5, 6, 7],
     dict(kernel_shape=[2, 3, 2], auto_pad="SAME_UPPER")),
    ("gap_odd", "GlobalAveragePool", [2, 37, 13, 9], {}),
    ("gmp_1d", "GlobalMaxPool", [3, 17, 41], {}),
]
for name, op, xs, attrs in pools:
    save(name, "pooling_v2", [helper.make_node(op, ["x"], ["y"], **attrs)],
         [vi("x", xs)], [vi("y", None)], opset=12 if "dilations" in attrs else 11)

# Softmax and LogSoftmax: opset 13's single axis (inner dims after it) and
# the older flatten-from-axis meaning.
softmaxes = [
    ("softmax_last", "Softmax", [4, 7, 33], {}, 13),
    ("softmax_mid_axis", "Softmax", [2, 19, 5, 6], dict(axis=1), 13),
    ("softmax_neg_axis", "LogSoftmax", [3, 8, 17], dict(axis=-2), 13),
    ("softmax_opset11_flatten", "Softmax", [2, 3, 5, 7], dict(axis=1), 11),
    ("logsoftmax_opset11", "LogSoftmax", [6, 40], {}, 11),
]
for name, op, xs, attrs, opset in softmaxes:
    save(name, "softmax_v2", [helper.make_node(op, ["x"], ["y"], **attrs)],
         [vi("x", xs)], [vi("y", None)], opset=opset)

# Resize: the f32 fast path (only the last two axes change) must give the
# reference loop's values bit for bit; the last two fall back to it (a
# channel axis resized, tf_crop_and_resize sampling outside).
resizes = [
    ("resize_nearest_x2", [1, 5, 7, 9], dict(scales=[1, 1, 2, 2]), dict(mode="nearest")),
    ("resize_nearest_floor_x3", [2, 3, 5, 4], dict(scales=[1, 1, 3, 2.5]),
     dict(mode="nearest", coordinate_transformation_mode="asymmetric",
          nearest_mode="floor")),
    ("resize_nearest_down", [1, 4, 17, 13], dict(sizes=[1, 4, 6, 5]),
     dict(mode="nearest", nearest_mode="ceil")),
    ("resize_linear_half", [1, 3, 11, 6], dict(scales=[1, 1, 2, 3]), dict(mode="linear")),
    ("resize_linear_align_down", [2, 2, 15, 20], dict(sizes=[2, 2, 7, 9]),
     dict(mode="linear", coordinate_transformation_mode="align_corners")),
    ("resize_cubic_exclude", [1, 2, 8, 9], dict(sizes=[1, 2, 13, 5]),
     dict(mode="cubic", exclude_outside=1)),
    ("resize_linear_3d", [3, 10, 12], dict(scales=[1, 1.5, 0.5]),
     dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel")),
    ("resize_channels_too", [1, 3, 4, 4], dict(scales=[1, 2, 2, 2]), dict(mode="nearest")),
    ("resize_crop_outside", [1, 2, 6, 6], dict(sizes=[1, 2, 5, 5]),
     dict(mode="linear", coordinate_transformation_mode="tf_crop_and_resize",
          extrapolation_value=7.0), [0, 0, -0.5, 0.2, 1, 1, 1.2, 0.9]),
]
for name, xs, how, attrs, *roi in resizes:
    inits = [("roi", np.array(roi[0] if roi else [], np.float32))]
    if "scales" in how:
        inits.append(("scales", np.array(how["scales"], np.float32)))
        ins = ["x", "roi", "scales"]
    else:
        inits.append(("sizes", np.array(how["sizes"], np.int64)))
        ins = ["x", "roi", "", "sizes"]
    save(name, "exact", [helper.make_node("Resize", ins, ["y"], **attrs)],
         [vi("x", xs)], [vi("y", None)], inits)

# Pow by a constant 2 (the fast square), and by 3 (the loop either way).
for name, e in (("pow_square", 2.0), ("pow_cube", 3.0)):
    save(name, "exact", [helper.make_node("Pow", ["x", "e"], ["y"])],
         [vi("x", [3, 7, 50])], [vi("y", None)], [("e", np.array(e, np.float32))])

# Clip of f32 and ReduceMax/ReduceMin over trailing axes (melspectrogram's
# tail): plain-C fast paths, bit for bit the loops'; the middle-axis
# ReduceMax and the int64 Clip take the loops either way.
save("clip_bounds", "exact", [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
     [vi("x", [3, 7, 50])], [vi("y", None)],
     [("lo", np.array(-0.3, np.float32)), ("hi", np.array(0.6, np.float32))])
save("clip_min_only_opset6", "exact", [helper.make_node("Clip", ["x"], ["y"], min=0.1)],
     [vi("x", [4, 33])], [vi("y", None)], opset=6)
for name, op, attrs in (("reduce_max_all", "ReduceMax", dict(keepdims=0)),
                        ("reduce_max_last_two", "ReduceMax", dict(axes=[-2, -1])),
                        ("reduce_min_last", "ReduceMin", dict(axes=[2], keepdims=0)),
                        ("reduce_max_middle", "ReduceMax", dict(axes=[1]))):
    save(name, "exact", [helper.make_node(op, ["x"], ["y"], **attrs)],
         [vi("x", [2, 5, 97, 32])], [vi("y", None)])

# Activations on oneDNN's eltwise, on plain inputs (scaled past [-1, 1] so
# exp and logistic leave their linear range).
eltwises = [
    ("relu_plain", "Relu", {}),
    ("leaky_relu_alpha", "LeakyRelu", dict(alpha=0.2)),
    ("sigmoid_plain", "Sigmoid", {}),
    ("elu_default", "Elu", {}),
    ("hardswish_plain", "HardSwish", {}),
    ("exp_plain", "Exp", {}),
    ("abs_plain", "Abs", {}),
]
# Log of positive values (the input shifted into [0.01, 2.01)).
save("log_positive", "eltwise", [helper.make_node("Add", ["x", "k"], ["xs"]),
                                 helper.make_node("Log", ["xs"], ["y"])],
     [vi("x", [2, 7, 9, 11])], [vi("y", None)], [("k", np.array(1.01, np.float32))])
for name, op, attrs in eltwises:
    save(name, "eltwise", [helper.make_node("Mul", ["x", "k"], ["xs"]),
                           helper.make_node(op, ["xs"], ["y"], **attrs)],
         [vi("x", [2, 7, 9, 11])], [vi("y", None)], [("k", np.array(4.0, np.float32))],
         opset=14)

# LayerNormalization (opset 17): over the last dim, and over the last two
# without B; values offset so the mean matters.
layernorms = [
    ("layernorm_last", [3, 10, 48], -1, [48], True),
    ("layernorm_two_dims_no_bias", [2, 5, 6, 7], 2, [6, 7], False),
]
for name, xs, axis, ps, bias in layernorms:
    ins = ["xo", "scale"] + (["bias"] if bias else [])
    inits = [("off", np.array(3.0, np.float32)), ("scale", f32(ps))]
    inits += [("bias", f32(ps))] if bias else []
    save(name, "layer_normalization",
         [helper.make_node("Add", ["x", "off"], ["xo"]),
          helper.make_node("LayerNormalization", ins, ["y"], axis=axis, epsilon=1e-3)],
         [vi("x", xs)], [vi("y", None)], inits, opset=17)

# A LayerNorm spelled out (rec's), which graph/fuse.c turns into
# LayerNormalization on its first ReduceMean's node: oneDNN must run it.
save("layernorm_spelled_out", "layer_normalization", [
    helper.make_node("Add", ["x", "off"], ["xo"]),
    helper.make_node("ReduceMean", ["xo"], ["m"], axes=[-1]),
    helper.make_node("Sub", ["xo", "m"], ["d"]),
    helper.make_node("Pow", ["d", "two"], ["p"]),
    helper.make_node("ReduceMean", ["p"], ["v"], axes=[-1]),
    helper.make_node("Add", ["v", "eps"], ["ve"]),
    helper.make_node("Sqrt", ["ve"], ["sd"]),
    helper.make_node("Div", ["d", "sd"], ["n"]),
    helper.make_node("Mul", ["n", "scale"], ["ns"]),
    helper.make_node("Add", ["ns", "bias"], ["y"]),
], [vi("x", [1, 44, 120])], [vi("y", None)],
    [("off", np.array(2.0, np.float32)), ("two", np.array(2.0, np.float32)),
     ("eps", np.array(1e-5, np.float32)), ("scale", f32([120])), ("bias", f32([120]))])

# Transpose: a copy through strides on oneDNN's reorder, so bit for bit.
transposes = [
    ("transpose_last_two", [1, 257, 97], [0, 2, 1]),
    ("transpose_default", [3, 5, 7], None),
    ("transpose_nchw_nhwc", [2, 3, 17, 19], [0, 2, 3, 1]),
    ("transpose_5d", [2, 3, 4, 5, 6], [4, 0, 3, 1, 2]),
]
for name, xs, perm in transposes:
    attrs = {} if perm is None else dict(perm=perm)
    save(name, "reorder", [helper.make_node("Transpose", ["x"], ["y"], **attrs)],
         [vi("x", xs)], [vi("y", None)], exact=True)

# The recurrent ops' fast path: f32 gate sums on oneDNN's sgemm (no
# primitive, so "sgemm": within the tolerance of the loops' double sums,
# and not bit for bit theirs, which a silent fallback would be). NAME,
# op, gates, X [T, B, I] (layout 0), H, attributes, which optional
# inputs (B, sequence_lens, initial_h, initial_c, P) it has.
recurrents = [
    ("lstm_forward", "LSTM", 4, [5, 2, 16], 24, {}, "b h c"),
    ("lstm_bidir_peephole_lens", "LSTM", 4, [6, 3, 8], 20,
     dict(direction="bidirectional"), "b l h c p"),
    ("lstm_layout1_reverse", "LSTM", 4, [3, 4, 12], 16,
     dict(direction="reverse", layout=1), "b h c"),
    ("gru_default", "GRU", 3, [4, 2, 10], 12, {}, "b h"),
    ("gru_lbr_bidir", "GRU", 3, [4, 2, 10], 12,
     dict(linear_before_reset=1, direction="bidirectional"), "b"),
    ("rnn_tanh", "RNN", 1, [5, 3, 9], 14, {}, "b h"),
]
for name, op, gates, xs, hid, attrs, opts in recurrents:
    dirs = 2 if attrs.get("direction") == "bidirectional" else 1
    T, B, I = xs
    if attrs.get("layout"):
        xs = [B, T, I]
    sd = [B, dirs, hid] if attrs.get("layout") else [dirs, B, hid]
    inits = [("w", f32([dirs, gates * hid, I])), ("r", f32([dirs, gates * hid, hid]))]
    ins = ["x", "w", "r"]
    have = opts.split()
    for key, iname, val in [("b", "bias", lambda: f32([dirs, 2 * gates * hid])),
                            ("l", "lens", lambda: np.array([T, T - 2, 1][:B], np.int32)),
                            ("h", "h0", lambda: f32(sd)), ("c", "c0", lambda: f32(sd)),
                            ("p", "p", lambda: f32([dirs, 3 * hid]))]:
        if key == "c" and op != "LSTM" or key == "p" and op != "LSTM":
            continue
        if key in have:
            inits.append((iname, val()))
            ins.append(iname)
        else:
            ins.append("")
    while ins[-1] == "":
        ins.pop()
    outs = ["y", "yh"] + (["yc"] if op == "LSTM" else [])
    save(name, "sgemm", [helper.make_node(op, ins, outs, hidden_size=hid, **attrs)],
         [vi("x", xs)], [vi(o, None) for o in outs], inits, opset=14)

with open(os.path.join(OUT, "list"), "w") as f:
    f.write("\n".join(listing) + "\n")
with open(os.path.join(OUT, "chains"), "w") as f:
    f.write("\n".join(reorder_bounds) + "\n")
