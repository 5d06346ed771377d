#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small QDQ models and their 8-bit inputs (NAME.x.npy) into
OUTDIR: DequantizeLinear(x), DequantizeLinear(constant weight) [and
DequantizeLinear(int32 bias)] into Conv or MatMul, then QuantizeLinear,
over uint8 and int8 activations, per-tensor and per-channel weights, zero
points, odd shapes. The device fuses each into one int8 CONV2D/MATMUL
(device/qdq.c); qdq_check.sh compares it to the CPU's float chain.
Chains of scalar Mul/Add/Sub between a DequantizeLinear and a
QuantizeLinear (elt_*) become one ELTWISE AFFINE on the 8-bit tensors,
and an Add/Sub/Mul of two DequantizeLinear outputs one quantised ELTWISE.
Models named refuse_* hold a pattern the fusion must leave unfused, and
NAME.why names the placement note it must give.

Usage: qdq_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(1313)
T = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


def rand8(dt, shape):
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, shape).astype(dt)


def save(name, nodes, inits, xdt, xshape, ydt, why=None, outputs=("y",)):
    outs = [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs]
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", T[xdt], xshape)],
                          outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, name + ".x.npy"), rand8(xdt, xshape))
    if why:
        with open(os.path.join(OUT, name + ".why"), "w") as f:
            f.write(why + "\n")


def model(name, op, xdt, ydt, xshape, wshape, per_channel, bias, why=None, act=None,
          x_per_channel=False, extra_reader=False, f32_bias=False):
    k = int(np.prod(wshape[1:])) if op == "Conv" else wshape[0]
    ch = wshape[0] if op == "Conv" else wshape[-1]
    xs = np.float32(0.02 + 0.01 * rng.random())
    xz = {np.uint8: 128 - 3, np.int8: -5}[xdt]
    ws = (0.004 + 0.01 * rng.random(ch)).astype(np.float32) if per_channel else \
        np.float32(0.01)
    wz = np.zeros(ch if per_channel else (), np.int8)
    wq = rand8(np.int8, wshape)
    # The real result spreads about 3 sigma of a sum of k products.
    ys = np.float32(3 * np.sqrt(k) * 64 * xs * float(np.max(ws)) * 64 / 128)
    # A bounded activation's output gets the grid of its range.
    ys = {"Sigmoid": np.float32(1 / 200), "HardSigmoid": np.float32(1 / 200),
          "Tanh": np.float32(1 / 100)}.get(act, ys)
    yz = {np.uint8: 120, np.int8: 3}[ydt]
    inits = [init("w_q", wq), init("w_s", ws), init("w_z", wz), init("y_s", ys),
             init("y_z", np.array(yz, ydt))]
    if x_per_channel:
        c = xshape[1]
        inits += [init("x_s", np.full(c, xs, np.float32)), init("x_z", np.full(c, xz, xdt))]
    else:
        inits += [init("x_s", xs), init("x_z", np.array(xz, xdt))]
    nodes = [helper.make_node("DequantizeLinear", ["x", "x_s", "x_z"], ["x_f"]),
             helper.make_node("DequantizeLinear", ["w_q", "w_s", "w_z"], ["w_f"],
                              axis=0 if op == "Conv" else 1)]
    ins = ["x_f", "w_f"]
    if bias:
        bs = (xs * ws).astype(np.float32)
        bq = rng.integers(-3000, 3000, ch).astype(np.int32)
        if f32_bias:
            inits.append(init("b_f", (bq * bs).astype(np.float32) + np.float32(1e-4)))
        else:
            inits += [init("b_q", bq), init("b_s", bs)]
            nodes.append(helper.make_node("DequantizeLinear", ["b_q", "b_s"], ["b_f"], axis=0))
        ins.append("b_f")
    attrs = {}
    if op == "Conv":
        attrs = {"pads": [1, 0, 1, 1], "strides": [1, 2]}
    nodes.append(helper.make_node(op, ins, ["y_f"], **attrs))
    last = "y_f"
    if act == "Clip":
        inits += [init("lo", np.float32(0)), init("hi", np.float32(80 * float(ys)))]
        nodes.append(helper.make_node("Clip", ["y_f", "lo", "hi"], ["y_a"]))
        last = "y_a"
    elif act:
        nodes.append(helper.make_node(act, ["y_f"], ["y_a"]))
        last = "y_a"
    nodes.append(helper.make_node("QuantizeLinear", [last, "y_s", "y_z"], ["y"]))
    outputs = ("y",)
    if extra_reader:
        # A second layer reads the same DequantizeLinear (a requantized
        # tensor with two readers, as ares-quantize writes them): each
        # fuses and reads the 8-bit x; the DQ goes with the last one.
        nodes.append(helper.make_node(op, ins, ["y2_f"], **attrs))
        nodes.append(helper.make_node("QuantizeLinear", ["y2_f", "y_s", "y_z"], ["y2"]))
        outputs = ("y", "y2")
    save(name, nodes, inits, xdt, xshape, ydt, why, outputs)


os.makedirs(OUT, exist_ok=True)
model("conv_u8_tensor", "Conv", np.uint8, np.uint8, [1, 5, 9, 11], [7, 5, 3, 3], False, False)
model("conv_u8_channel_bias", "Conv", np.uint8, np.uint8, [2, 6, 8, 7], [9, 6, 3, 2], True,
      True)
model("conv_s8_channel_bias", "Conv", np.int8, np.int8, [1, 3, 13, 5], [4, 3, 1, 3], True,
      True)
model("conv_s8_to_u8", "Conv", np.int8, np.uint8, [1, 16, 6, 6], [16, 16, 1, 1], True, False)
# A deep reduction (K = 1152): the float chain's rounding of the sum now
# meets the grid's half-steps on a few elements.
model("conv_deep", "Conv", np.uint8, np.uint8, [1, 128, 5, 6], [24, 128, 3, 3], True, True)
model("matmul_deep", "MatMul", np.uint8, np.int8, [8, 2048], [2048, 40], True, False)
model("matmul_u8_tensor", "MatMul", np.uint8, np.uint8, [3, 17], [17, 10], False, False)
model("matmul_s8_channel", "MatMul", np.int8, np.int8, [2, 5, 33], [33, 19], True, False)
model("refuse_x_per_channel", "Conv", np.uint8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], False,
      False, why="per-channel activation scales", x_per_channel=True)
model("conv_dq_shared", "Conv", np.uint8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], False, True,
      extra_reader=True)
model("refuse_f32_bias", "Conv", np.uint8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], True, True,
      why="f32 bias", f32_bias=True)
model("conv_relu", "Conv", np.uint8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], True, True,
      act="Relu")
model("conv_clip", "Conv", np.uint8, np.int8, [1, 3, 7, 9], [6, 3, 3, 3], True, True,
      act="Clip")
model("conv_leaky", "Conv", np.int8, np.int8, [1, 8, 5, 5], [8, 8, 3, 3], True, True,
      act="LeakyRelu")
model("matmul_relu", "MatMul", np.uint8, np.uint8, [4, 29], [29, 7], True, False, act="Relu")
# Activations that do not commute with the division by y's scale: the
# engine applies them to the real value and divides after (qdq_real).
model("conv_hardswish", "Conv", np.uint8, np.uint8, [1, 6, 7, 7], [8, 6, 3, 3], True, True,
      act="HardSwish")
model("conv_sigmoid", "Conv", np.int8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], True, True,
      act="Sigmoid")
model("conv_hardsigmoid", "Conv", np.uint8, np.int8, [2, 3, 5, 8], [6, 3, 3, 3], False, True,
      act="HardSigmoid")
model("matmul_tanh", "MatMul", np.uint8, np.int8, [3, 40], [40, 9], True, False, act="Tanh")
model("refuse_abs", "Conv", np.uint8, np.uint8, [1, 4, 6, 6], [5, 4, 3, 3], True, True,
      why="not read by one QuantizeLinear alone", act="Abs")


def elt(name, xdt, xshape, steps, xs, ys, ydt=None, const_shape=()):
    """DequantizeLinear(x) -> STEPS (op, constant[, constant first]) -> QuantizeLinear:
    the chains of scalar Mul/Add/Sub the device fuses into one ELTWISE AFFINE
    on the 8-bit tensors (device/qdq.c), bit for bit the CPU's chain."""
    ydt = ydt or xdt
    xz = {np.uint8: 131, np.int8: -7}[xdt]
    yz = {np.uint8: 97, np.int8: 4}[ydt]
    inits = [init("x_s", np.float32(xs)), init("x_z", np.array(xz, xdt)),
             init("y_s", np.float32(ys)), init("y_z", np.array(yz, ydt))]
    nodes = [helper.make_node("DequantizeLinear", ["x", "x_s", "x_z"], ["t0"])]
    for i, step in enumerate(steps):
        op, v = step[0], step[1]
        inits.append(init(f"c{i}", np.full(const_shape, v, np.float32)))
        ins = [f"c{i}", f"t{i}"] if len(step) > 2 else [f"t{i}", f"c{i}"]
        nodes.append(helper.make_node(op, ins, [f"t{i + 1}"]))
    nodes.append(helper.make_node("QuantizeLinear", [f"t{len(steps)}", "y_s", "y_z"], ["y"]))
    save(name, nodes, inits, xdt, xshape, ydt)


# PP-LCNetV3's affine after each activation (Mul then Add by scalars), and
# single steps; odd scales so the products round, large factors so the
# output saturates at both ends, and halves of the grid (ties to even).
elt("elt_mul_add_u8", np.uint8, [1, 6, 7, 9], [("Mul", 1.37, 1), ("Add", -0.213)], 0.0173,
    0.0291, const_shape=[1])
elt("elt_mul_s8", np.int8, [2, 3, 5], [("Mul", -2.9)], 0.031, 0.027)
elt("elt_add_u8", np.uint8, [1, 4, 8, 8], [("Add", 0.77, 1)], 0.011, 0.013)
elt("elt_sub_s8", np.int8, [3, 70], [("Sub", 1.1)], 0.05, 0.02, const_shape=[1])
elt("elt_mul_sub_ties", np.uint8, [1, 2, 16, 16], [("Mul", 1.0), ("Sub", 1.0)], 0.5, 1.0)
elt("elt_saturate_s8_to_s8", np.int8, [1, 3, 9, 9], [("Mul", 40.0), ("Add", 3.0)], 0.1, 0.05)


def elt2(name, op, xdt, xshape, sa, sb, sy, b_slice=None):
    """DequantizeLinear(x) op DequantizeLinear(x or a slice of it, own scale and
    zero point) -> QuantizeLinear: one quantised ELTWISE ADD/SUB/MUL with a
    scale per operand (device/qdq.c), bit for bit the CPU's chain."""
    za, zb, zy = {np.uint8: (129, 101, 90), np.int8: (-3, 6, -2)}[xdt]
    inits = [init("a_s", np.float32(sa)), init("a_z", np.array(za, xdt)),
             init("b_s", np.float32(sb)), init("b_z", np.array(zb, xdt)),
             init("y_s", np.float32(sy)), init("y_z", np.array(zy, xdt))]
    nodes = [helper.make_node("DequantizeLinear", ["x", "a_s", "a_z"], ["a"])]
    xb = "x"
    if b_slice:
        inits += [init("st", np.array(b_slice[0], np.int64)),
                  init("en", np.array(b_slice[1], np.int64)),
                  init("ax", np.array(b_slice[2], np.int64))]
        nodes.append(helper.make_node("Slice", ["x", "st", "en", "ax"], ["xb"]))
        xb = "xb"
    nodes += [helper.make_node("DequantizeLinear", [xb, "b_s", "b_z"], ["b"]),
              helper.make_node(op, ["a", "b"], ["t"]),
              helper.make_node("QuantizeLinear", ["t", "y_s", "y_z"], ["y"])]
    save(name, nodes, inits, xdt, xshape, xdt)


# A residual Add, an SE-style Mul and a Sub, one broadcasting its second
# operand (a [1, C, 1, W] slice); scales whose sums land on half-steps.
elt2("elt_add_pair_u8", "Add", np.uint8, [1, 5, 6, 7], 0.0213, 0.0371, 0.043)
elt2("elt_mul_pair_s8", "Mul", np.int8, [2, 3, 11], 0.05, 0.011, 0.0007)
elt2("elt_sub_bcast_u8", "Sub", np.uint8, [1, 4, 6, 6], 0.5, 0.25, 0.5, ([0], [1], [2]))


def elt_resize(name, xdt, xshape, scales, mode_attrs, xs, xz):
    """DequantizeLinear(x) -> Resize (nearest) -> QuantizeLinear onto x's own
    grid: the device resizes the 8-bit tensor itself (device/qdq.c
    fuse_move), bit for bit the CPU's chain."""
    inits = [init("x_s", np.float32(xs)), init("x_z", np.array(xz, xdt)),
             init("y_s", np.float32(xs)), init("y_z", np.array(xz, xdt)),
             init("roi", np.array([], np.float32)), init("sc", np.array(scales, np.float32))]
    nodes = [helper.make_node("DequantizeLinear", ["x", "x_s", "x_z"], ["a"]),
             helper.make_node("Resize", ["a", "roi", "sc"], ["r"], **mode_attrs),
             helper.make_node("QuantizeLinear", ["r", "y_s", "y_z"], ["y"])]
    save(name, nodes, inits, xdt, xshape, xdt)


# The FPN's 2x nearest upsampling (paddle2onnx: asymmetric, floor), a
# 3x half-pixel one on int8 with odd sizes.
elt_resize("elt_resize_u8", np.uint8, [1, 3, 5, 7], [1, 1, 2, 2],
           {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
            "nearest_mode": "floor"}, 0.0371, 117)
elt_resize("elt_resize_s8", np.int8, [2, 2, 3, 4], [1, 1, 3, 3], {"mode": "nearest"}, 0.013, -9)


def fallback(name, nodes, inits, xdt, shape7):
    """x declared without a shape, fed a rank-7 NAME.x7.npy: placement fuses
    the chain on the device, the plan refuses the rank (hw-spec's 6) at run
    time and the partition falls back to the CPU, which runs the fused node
    (rt_kernel_qaffine, rt_kernel_qbinary): the same integers as the chain."""
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", T[xdt], None)],
                          [helper.make_tensor_value_info("y", TensorProto.UNDEFINED, None)],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, name + ".x7.npy"), rand8(xdt, shape7))


fallback("fallback_affine", [
    helper.make_node("DequantizeLinear", ["x", "x_s"], ["a"]),
    helper.make_node("Mul", ["a", "c"], ["t"]),
    helper.make_node("Add", ["t", "d"], ["u"]),
    helper.make_node("QuantizeLinear", ["u", "y_s", "y_z"], ["y"])],
    [init("x_s", np.float32(0.013)), init("c", np.float32(1.7)), init("d", np.float32(-0.4)),
     init("y_s", np.float32(0.02)), init("y_z", np.array(100, np.uint8))],
    np.uint8, [1, 2, 1, 3, 2, 2, 5])
fallback("fallback_binary", [
    helper.make_node("DequantizeLinear", ["x", "a_s", "a_z"], ["a"]),
    helper.make_node("DequantizeLinear", ["x", "b_s"], ["b"]),
    helper.make_node("Mul", ["a", "b"], ["t"]),
    helper.make_node("QuantizeLinear", ["t", "y_s", "y_z"], ["y"])],
    [init("a_s", np.float32(0.021)), init("a_z", np.array(-4, np.int8)),
     init("b_s", np.float32(0.033)), init("y_s", np.float32(0.05)),
     init("y_z", np.array(2, np.int8))],
    np.int8, [2, 1, 3, 1, 2, 3, 4])
