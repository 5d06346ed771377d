#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small QOperator models, one int8-engine form each, and their
8-bit inputs as NAME.x.npy, into OUTDIR: QLinearConv (uint8 and int8,
per-tensor and per-channel weights, signed and unsigned zero points, int32
bias, padding, stride, dilation, groups, depthwise, 1-D, odd shapes),
ConvInteger and MatMulInteger (zero points, per-channel), QLinearMatMul
(per-tensor and per-column B, batched and broadcast, 1-D B),
QuantizeLinear and DequantizeLinear (per tensor and per channel, inputs
at and next to rounding ties). Scales are
drawn so that requantised outputs cover the whole 8-bit range and some
saturate. Each model's expected output, computed here in numpy with
ONNX Runtime's arithmetic (int32 accumulator, multiplier sx * sw / sy in
binary32, binary32 product rounded half to even, zero point, saturation),
is NAME.ref.npy; ort-models.txt lists the models onnxruntime-node also
runs (it lacks some type combinations and per-channel weight zero points
that differ), cpu-only.txt those the device lacks (3-D convolution). quant_check.sh runs them on the CPU against both, and
quant_op_check.sh on the device against the CPU.

Usage: quant_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(1305)
ONNX_T = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8, np.int32: TensorProto.INT32,
          np.float32: TensorProto.FLOAT}


def q(dt, shape):
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, shape).astype(dt)


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


def requant(acc, x_s, w_s, y_s, y_zp, y_dt):
    """ONNX Runtime's requantisation; W_S broadcasts along acc's channels."""
    m = (np.float32(x_s) * np.asarray(w_s, np.float32)) / np.float32(y_s)
    v = np.rint(acc.astype(np.int32).astype(np.float32) * m.astype(np.float32))
    v = v.astype(np.float64) + float(y_zp)
    info = np.iinfo(y_dt)
    return np.clip(v, info.min, info.max).astype(y_dt)


def conv_acc(x, w, x_zp, w_zp, group=1, pads=None, strides=None, dilations=None):
    """Integer convolution of zero-point-shifted x and w, exact in int64."""
    nsp = x.ndim - 2
    pads = pads or [0] * 2 * nsp
    st = strides or [1] * nsp
    dil = dilations or [1] * nsp
    xi = x.astype(np.int64) - int(x_zp)
    wz = np.asarray(w_zp, np.int64).reshape([-1] + [1] * (w.ndim - 1))
    wi = w.astype(np.int64) - wz
    xi = np.pad(xi, [(0, 0), (0, 0)] + [(pads[i], pads[nsp + i]) for i in range(nsp)])
    N, M = x.shape[0], w.shape[0]
    cg, mg = x.shape[1] // group, M // group
    out = [(xi.shape[2 + i] - dil[i] * (w.shape[2 + i] - 1) - 1) // st[i] + 1
           for i in range(nsp)]
    acc = np.zeros([N, M] + out, np.int64)
    for tap in np.ndindex(*w.shape[2:]):
        sl = tuple(slice(tap[i] * dil[i], tap[i] * dil[i] + (out[i] - 1) * st[i] + 1, st[i])
                   for i in range(nsp))
        for g in range(group):
            xs = xi[(slice(None), slice(g * cg, (g + 1) * cg)) + sl]
            ws = wi[(slice(g * mg, (g + 1) * mg), slice(None)) + tap]
            acc[:, g * mg:(g + 1) * mg] += np.einsum("nc...,mc->nm...", xs, ws)
    return acc


def out_params(acc, x_s, w_s, y_dt):
    """An output scale and zero point that spread the real result over
    about 1.2 times y's range around its middle (or from 0), so most outputs are
    rounded, not saturated, and some saturate at either end."""
    real = acc.astype(np.float64) * float(x_s) * np.asarray(w_s, np.float64)
    # An 8-bit zero point cannot centre results far from 0: then the
    # scale covers them from 0.
    y_s = np.float32(max(real.max() - real.min(), np.abs(real).max() * 300 / 200, 1e-6) / 300)
    info = np.iinfo(y_dt)
    mid = (info.min + info.max) / 2 - (real.max() + real.min()) / 2 / float(y_s)
    y_zp = np.asarray(np.clip(np.rint(mid), info.min, info.max), y_dt)
    return y_s, y_zp


def save(name, x, y_dt, y_shape, nodes, inits, ref, ort=True, device=True):
    assert list(ref.shape) == list(y_shape) and ref.dtype == y_dt, name
    np.save(os.path.join(OUT, name + ".x.npy"), x)
    np.save(os.path.join(OUT, name + ".ref.npy"), ref)
    for listed, txt in ((ort, "ort-models.txt"), (not device, "cpu-only.txt")):
        if listed:
            with open(os.path.join(OUT, txt), "a") as f:
                f.write(name + "\n")
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", ONNX_T[x.dtype.type], x.shape)],
                          [helper.make_tensor_value_info("y", ONNX_T[y_dt], y_shape)],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


def conv_out(n, k, pad, st, dil):
    return (n + pad - dil * (k - 1) - 1) // st + 1


def qlinear_conv(name, x_dt, w_dt, y_dt, xs, M, k, per_channel, bias, w_zp_differ=False,
                 x_zp=None, device=True, **attrs):
    """QLinearConv of x [N, C, spatial...] with M output channels."""
    N, C = xs[:2]
    g = attrs.get("group", 1)
    x = q(x_dt, xs)
    w = q(w_dt, [M, C // g] + k)
    if x_zp is None:
        x_zp = rng.integers(np.iinfo(x_dt).min, np.iinfo(x_dt).max + 1, dtype=np.int64)
    # Per-channel weights are symmetric (zero point 0) unless W_ZP_DIFFER.
    w_zp = (rng.integers(-3, 4, M) if w_zp_differ else np.zeros(M, np.int64) if per_channel
            else rng.integers(-3, 4, 1).reshape([]))
    w_zp = np.clip(w_zp, np.iinfo(w_dt).min, np.iinfo(w_dt).max).astype(w_dt)
    x_s = np.float32(rng.uniform(0.005, 0.05))
    w_s = rng.uniform(0.001, 0.02, M if per_channel else None)
    w_s = np.asarray(w_s, np.float32)
    b = rng.integers(-20000, 20000, M).astype(np.int32)
    acc = conv_acc(x, w, x_zp, w_zp, **attrs)
    if bias:
        acc += b.reshape([1, M] + [1] * len(k))
    wsb = np.asarray(w_s).reshape([1, -1] + [1] * len(k)) if per_channel else w_s
    y_s, y_zp = out_params(acc, x_s, wsb, y_dt)
    ins = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    inits = [init("xs", x_s), init("xz", np.asarray(x_zp, x_dt)), init("w", w), init("ws", w_s),
             init("wz", w_zp), init("ys", y_s), init("yz", y_zp)]
    if bias:
        ins.append("b")
        inits.append(init("b", b))
    pads = attrs.get("pads", [0] * 2 * len(k))
    st = attrs.get("strides", [1] * len(k))
    dil = attrs.get("dilations", [1] * len(k))
    sp = [conv_out(xs[2 + i], k[i], pads[i] + pads[len(k) + i], st[i], dil[i])
          for i in range(len(k))]
    ref = requant(acc, x_s, wsb, y_s, y_zp, y_dt)
    save(name, x, y_dt, [N, M] + sp, [helper.make_node("QLinearConv", ins, ["y"], **attrs)],
         inits, ref, ort=x_dt == y_dt and not w_zp_differ, device=device)


def conv_integer(name, x_dt, w_dt, xs, M, k, per_channel, w_zp=True, **attrs):
    N, C = xs[:2]
    g = attrs.get("group", 1)
    x, w = q(x_dt, xs), q(w_dt, [M, C // g] + k)
    wz = rng.integers(-5, 6, M if per_channel else 1) * int(w_zp)
    wz = np.clip(wz, np.iinfo(w_dt).min, np.iinfo(w_dt).max).astype(w_dt)
    if not per_channel:
        wz = wz.reshape([])
    inits = [init("xz", np.asarray(np.iinfo(x_dt).max // 3, x_dt)), init("w", w), init("wz", wz)]
    pads = attrs.get("pads", [0] * 2 * len(k))
    st = attrs.get("strides", [1] * len(k))
    sp = [conv_out(xs[2 + i], k[i], pads[i] + pads[len(k) + i], st[i], 1) for i in range(len(k))]
    ref = conv_acc(x, w, np.iinfo(x_dt).max // 3, wz, **attrs).astype(np.int32)
    save(name, x, np.int32, [N, M] + sp,
         [helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], **attrs)], inits, ref,
         ort=x_dt == np.uint8 and w_dt == np.uint8)


def qlinear_matmul(name, a_dt, b_dt, y_dt, a_shape, b_shape, per_column, ort=True, b_zp=True):
    a, b = q(a_dt, a_shape), q(b_dt, b_shape)
    N = b_shape[-1] if len(b_shape) > 1 else 1
    a_s = np.float32(rng.uniform(0.01, 0.05))
    b_s = np.asarray(rng.uniform(0.002, 0.02, N if per_column else None), np.float32)
    b_zp = rng.integers(-4, 5, N if per_column else None) * int(b_zp)
    b_zp = np.clip(b_zp, np.iinfo(b_dt).min, np.iinfo(b_dt).max).astype(b_dt)
    a_zp = np.asarray(rng.integers(np.iinfo(a_dt).min, np.iinfo(a_dt).max + 1), a_dt)
    acc = np.matmul(a.astype(np.int64) - int(a_zp), b.astype(np.int64) - b_zp.astype(np.int64))
    y_s, y_zp = out_params(acc, a_s, b_s, y_dt)
    out = list(np.matmul(np.zeros(a_shape, np.float32), np.zeros(b_shape, np.float32)).shape)
    inits = [init("as", a_s), init("az", a_zp), init("b", b), init("bs", b_s), init("bz", b_zp),
             init("ys", y_s), init("yz", y_zp)]
    ref = requant(acc, a_s, b_s, y_s, y_zp, y_dt)
    save(name, a, y_dt, out,
         [helper.make_node("QLinearMatMul", ["x", "as", "az", "b", "bs", "bz", "ys", "yz"],
                           ["y"])], inits, ref, ort)


def qmatmul_rounding(name, cols):
    """QLinearMatMul of every uint8 value (A [256, 1]) by B [1, COLS] with
    per-column scales drawn until each column has products whose binary32
    rounding (ONNX Runtime's) and exact rounding differ, so a kernel
    requantising in double fails here."""
    a = np.arange(256, dtype=np.uint8).reshape(256, 1)
    b = rng.integers(1, 256, [1, cols]).astype(np.uint8)
    a_s, y_s = np.float32(0.02), np.float32(0.5)
    acc = (a.astype(np.int64) - 128) * b.astype(np.int64)
    b_s = np.zeros(cols, np.float32)
    for j in range(cols):
        while True:
            b_s[j] = np.float32(rng.uniform(0.001, 0.03))
            m32 = np.float32(a_s * b_s[j]) / y_s
            f32 = np.rint(acc[:, j].astype(np.float32) * m32)
            exact = np.rint(acc[:, j] * (float(a_s) * float(b_s[j]) / float(y_s)))
            if np.any(f32 != exact) and np.abs(f32).max() < 100:
                break
    inits = [init("as", a_s), init("az", np.asarray(128, np.uint8)), init("b", b),
             init("bs", b_s), init("bz", np.asarray(0, np.uint8)), init("ys", y_s),
             init("yz", np.asarray(128, np.uint8))]
    ref = requant(acc, a_s, b_s, y_s, 128, np.uint8)
    save(name, a, np.uint8, [256, cols],
         [helper.make_node("QLinearMatMul", ["x", "as", "az", "b", "bs", "bz", "ys", "yz"],
                           ["y"])], inits, ref)


def matmul_integer(name, a_dt, b_dt, a_shape, b_shape, per_column, b_zp=True):
    a, b = q(a_dt, a_shape), q(b_dt, b_shape)
    N = b_shape[-1]
    bz = rng.integers(-6, 7, N if per_column else None) * int(b_zp)
    bz = np.clip(bz, np.iinfo(b_dt).min, np.iinfo(b_dt).max).astype(b_dt)
    out = list(np.matmul(np.zeros(a_shape, np.float32), np.zeros(b_shape, np.float32)).shape)
    inits = [init("b", b), init("az", np.asarray(np.iinfo(a_dt).max // 4, a_dt)),
             init("bz", bz)]
    acc = np.matmul(a.astype(np.int64) - np.iinfo(a_dt).max // 4,
                    b.astype(np.int64) - bz.astype(np.int64))
    save(name, a, np.int32, out,
         [helper.make_node("MatMulInteger", ["x", "b", "az", "bz"], ["y"])], inits,
         acc.astype(np.int32))


os.makedirs(OUT, exist_ok=True)
def quantize(name, y_dt, shape, axis, per_channel, onnx_axis=None):
    """QuantizeLinear of float x whose quotients x / scale sit on and next
    to .5 ties (binary32 division decides them, as in ONNX Runtime)."""
    ch = shape[axis] if per_channel else None
    sc = np.asarray(rng.uniform(0.01, 0.1, ch), np.float32)
    zp = np.asarray(rng.integers(np.iinfo(y_dt).min // 2, np.iinfo(y_dt).max // 2 + 1, ch), y_dt)
    bs = sc.reshape([-1 if i == axis else 1 for i in range(len(shape))]) if per_channel else sc
    k = rng.integers(-150, 150, shape).astype(np.float32) + np.float32(0.5)
    x = (k * bs).astype(np.float32)
    nudge = rng.integers(-1, 2, shape)
    x = np.where(nudge < 0, np.nextafter(x, np.float32(-np.inf)),
                 np.where(nudge > 0, np.nextafter(x, np.float32(np.inf)), x)).astype(np.float32)
    info = np.iinfo(y_dt)
    ref = np.clip(np.rint(x / bs).astype(np.float64) + zp.reshape(bs.shape).astype(np.float64)
                  if per_channel else np.rint(x / bs).astype(np.float64) + float(zp),
                  info.min, info.max).astype(y_dt)
    save(name, x, y_dt, shape,
         [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                           axis=axis if onnx_axis is None else onnx_axis)],
         [init("s", sc), init("z", zp)], ref)


def dequantize(name, x_dt, shape, axis, per_channel):
    ch = shape[axis] if per_channel else None
    sc = np.asarray(rng.uniform(0.001, 0.3, ch), np.float32)
    zp = np.asarray(rng.integers(np.iinfo(x_dt).min, np.iinfo(x_dt).max + 1, ch), x_dt)
    x = q(x_dt, shape)
    bcast = [-1 if i == axis else 1 for i in range(len(shape))]
    bs = sc.reshape(bcast) if per_channel else sc
    bz = zp.reshape(bcast) if per_channel else zp
    ref = ((x.astype(np.int32) - bz.astype(np.int32)).astype(np.float32) * bs).astype(np.float32)
    save(name, x, np.float32, shape,
         [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"], axis=axis)],
         [init("s", sc), init("z", zp)], ref)


u8, i8 = np.uint8, np.int8
qlinear_conv("qconv_u8_tensor", u8, u8, u8, [1, 3, 9, 7], 8, [3, 3], False, True,
             pads=[1, 1, 1, 1])
qlinear_conv("qconv_i8_channel", i8, i8, i8, [2, 5, 11, 6], 7, [3, 2], True, True,
             strides=[2, 1], pads=[1, 0, 2, 1])
qlinear_conv("qconv_u8_i8_channel_nobias", u8, i8, u8, [1, 6, 8, 8], 12, [3, 3], True, False,
             dilations=[2, 2], pads=[2, 2, 2, 2])
qlinear_conv("qconv_channel_zero_points", u8, i8, u8, [1, 4, 7, 7], 6, [3, 3], True, True,
             w_zp_differ=True, pads=[1, 1, 1, 1])
qlinear_conv("qconv_u8_to_i8", u8, u8, i8, [1, 3, 6, 6], 5, [3, 3], False, True)
qlinear_conv("qconv_group", u8, i8, u8, [1, 8, 6, 5], 6, [3, 3], True, True, group=2,
             pads=[1, 1, 1, 1])
qlinear_conv("qconv_depthwise", u8, i8, u8, [1, 16, 10, 10], 16, [3, 3], True, True, group=16,
             strides=[2, 2], pads=[1, 1, 1, 1])
qlinear_conv("qconv_1d", i8, i8, i8, [2, 4, 13], 5, [3], True, True, pads=[1, 1])
qlinear_conv("qconv_pointwise_wide", u8, u8, u8, [1, 64, 5, 3], 33, [1, 1], False, True)
conv_integer("convint_u8", u8, u8, [1, 3, 7, 9], 4, [3, 3], False, pads=[1, 1, 1, 1])
conv_integer("convint_i8_channel", i8, i8, [2, 4, 6, 5], 6, [2, 3], True)
qlinear_matmul("qmatmul_u8_tensor", u8, u8, u8, [5, 37], [37, 11], False)
qlinear_matmul("qmatmul_i8_column", i8, i8, i8, [3, 4, 29], [29, 9], True)
qlinear_matmul("qmatmul_batched_b", u8, i8, u8, [2, 3, 16], [2, 16, 7], False)
qlinear_matmul("qmatmul_batched_b_column", u8, i8, u8, [2, 3, 16], [2, 16, 7], True, ort=False)
qmatmul_rounding("qmatmul_rounding", 6)
qlinear_matmul("qmatmul_b_1d", u8, u8, u8, [6, 10], [10], False)
matmul_integer("matmulint_u8", u8, u8, [7, 33], [33, 5], False)
matmul_integer("matmulint_i8_column", i8, i8, [2, 3, 20], [20, 6], True)
# Symmetric int8 weights (zero point 0), the form oneDNN's int8 kernels
# take: extreme and mid input zero points at padded borders, strides that
# leave the right border unread, groups, depthwise, 1-D and 3-D, channel
# counts its blocked kernels use, batched and broadcast products.
qlinear_conv("qconv_sym_border_u8", u8, i8, u8, [2, 32, 9, 10], 32, [3, 3], True, True,
             x_zp=255, strides=[2, 2], pads=[2, 1, 0, 2])
qlinear_conv("qconv_sym_border_i8", i8, i8, i8, [1, 16, 8, 7], 24, [5, 3], True, True,
             x_zp=-128, pads=[2, 1, 2, 1], dilations=[1, 2])
qlinear_conv("qconv_sym_wide", u8, i8, u8, [1, 64, 12, 12], 64, [3, 3], True, True,
             x_zp=131, pads=[1, 1, 1, 1])
qlinear_conv("qconv_sym_group", u8, i8, i8, [1, 12, 7, 9], 18, [3, 3], True, False,
             x_zp=77, group=3, strides=[1, 2], pads=[1, 2, 1, 0])
qlinear_conv("qconv_sym_depthwise", u8, i8, u8, [1, 32, 11, 11], 32, [3, 3], True, True,
             x_zp=200, group=32, strides=[2, 2], pads=[1, 1, 1, 1])
qlinear_conv("qconv_sym_1d", u8, i8, u8, [2, 8, 15], 16, [5], True, True, x_zp=9,
             pads=[2, 2], strides=[2])
# The device has 1-D and 2-D convolutions only (cpu-only.txt).
qlinear_conv("qconv_sym_3d", i8, i8, i8, [1, 4, 5, 6, 5], 8, [3, 3, 3], True, True,
             x_zp=50, device=False, pads=[1, 1, 1, 1, 1, 1])
conv_integer("convint_sym_border", u8, i8, [1, 16, 9, 9], 16, [3, 3], False, w_zp=False,
             pads=[1, 2, 0, 1], strides=[2, 2])
conv_integer("convint_sym_depthwise", u8, i8, [1, 8, 6, 6], 8, [3, 3], True, w_zp=False,
             group=8, pads=[1, 1, 1, 1])
qlinear_matmul("qmatmul_sym_i8", i8, i8, i8, [3, 4, 64], [64, 40], True, b_zp=False)
qlinear_matmul("qmatmul_sym_u8_batched", u8, i8, u8, [2, 5, 48], [2, 48, 17], False, b_zp=False,
               ort=False)
qlinear_matmul("qmatmul_sym_u8_broadcast", u8, i8, u8, [2, 1, 3, 32], [4, 32, 9], True,
               b_zp=False, ort=False)
matmul_integer("matmulint_sym_u8", u8, i8, [9, 70], [70, 13], False, b_zp=False)
# Accumulators near 3e7, past binary32's exact integers: oneDNN with a
# source zero point is off by one there (seen on 2.6), so the CPU path must
# leave this one to the loops.
xl = rng.integers(200, 256, [1, 128, 6, 6]).astype(u8)
wl = rng.integers(100, 128, [16, 128, 3, 3]).astype(i8)
save("convint_large_acc", xl, np.int32, [1, 16, 4, 4],
     [helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"])],
     [init("w", wl), init("xz", np.asarray(3, u8))],
     conv_acc(xl, wl, 3, 0).astype(np.int32), ort=False)
quantize("quantize_u8_tensor", u8, [3, 7, 5], 1, False)
quantize("quantize_i8_channel", i8, [2, 6, 4, 3], 1, True)
quantize("quantize_u8_channel_last", u8, [5, 9], 1, True, onnx_axis=-1)
dequantize("dequantize_u8_tensor", u8, [4, 9, 3], 1, False)
dequantize("dequantize_i8_channel", i8, [6, 5, 2], 0, True)
