#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes one small model per legacy (opset 1-6) form that libares_rt's
opset upgrade (src/graph/upgrade.c) rewrites, with its inputs and the output
numpy computes from the legacy semantics, as NAME.onnx, NAME_in*.npy and
NAME_out.npy in OUTDIR; and the forms it refuses, as bad_NAME.onnx.
run-opset-tests.sh runs them.

Usage: opset_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(11)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def vi(name, arr_or_shape, dtype=TensorProto.FLOAT):
    shape = arr_or_shape.shape if hasattr(arr_or_shape, "shape") else arr_or_shape
    return helper.make_tensor_value_info(name, dtype, list(shape))


def save(name, opset, nodes, inputs, expected, inits=(), out_type=TensorProto.FLOAT):
    """INPUTS: (name, array) fed at run time; EXPECTED: the output y."""
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) if a is None
                           else vi(n, a) for n, a in inputs],
                          [helper.make_tensor_value_info("y", out_type, None)],
                          [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 3
    # No onnx.checker: the legacy attributes are what is under test.
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    for n, a in inputs:
        if a is not None:
            np.save(os.path.join(OUT, "%s_in_%s.npy" % (name, n)), a)
    if expected is not None:
        np.save(os.path.join(OUT, name + "_out.npy"), expected)


def node(op, ins, **attrs):
    return helper.make_node(op, ins, ["y"], name="n_" + op.lower(), **attrs)


a, b = f32(2, 3, 4), f32(3)
# B lines up with A from axis 1: B[c] is added along A's axis 1.
save("add_axis", 6, [node("Add", ["a", "b"], broadcast=1, axis=1)],
     [("a", a), ("b", b)], a + b[:, None])
# Opset 1's spelling, with consumed_inputs and the weight as an initializer.
save("mul_axis0_opset1", 1,
     [node("Mul", ["a", "w"], broadcast=1, axis=0, consumed_inputs=[0, 0])],
     [("a", a)], a * np.float32(2.5) * np.ones((2, 1, 1), np.float32),
     inits=[("w", np.full((2,), 2.5, np.float32))])
# No axis: B is a suffix of A's shape, as numpy broadcasts.
c = f32(4)
save("sub_suffix", 6, [node("Sub", ["a", "c"], broadcast=1)], [("a", a), ("c", c)], a - c)
# Pow, and a negative axis (counted from A's rank).
p = np.abs(f32(2, 3)) + 0.5
e = np.array([2.0, 0.5, 1.0], np.float32)
save("pow_axis_neg", 6, [node("Pow", ["p", "e"], broadcast=1, axis=-1)],
     [("p", p), ("e", e)], np.power(p, e))
# A's rank known only through an earlier node (Relu of a graph input).
r = f32(2, 3, 4)
save("div_axis_tracked", 6,
     [helper.make_node("Relu", ["r"], ["t"], name="relu"),
      node("Div", ["t", "d"], broadcast=1, axis=1)],
     [("r", r)], np.maximum(r, 0) / np.array([1.0, 2.0, 4.0], np.float32)[:, None],
     inits=[("d", np.array([1.0, 2.0, 4.0], np.float32))])

# A's rank through MatMul, then Reshape's shape attribute (opset 4), then
# Unsqueeze and ReduceSum without keepdims.
m1, m2 = f32(3, 4), f32(4, 6)
w6, w2 = np.arange(1, 7, dtype=np.float32), np.array([10.0, 20.0], np.float32)
t1 = (m1 @ m2) * np.ones((3, 1), np.float32) + np.array([1.0, 2.0, 3.0], np.float32)[:, None]
t2 = t1.reshape(6, 3) - w6[:, None]
t3 = t2.reshape(2, 3, 3).sum(axis=2)[:, None, :] / w2[:, None, None]
save("axis_tracked_opset4", 4,
     [helper.make_node("MatMul", ["m1", "m2"], ["p0"], name="mm"),
      helper.make_node("Add", ["p0", "c3"], ["p1"], name="add0", broadcast=1, axis=0),
      helper.make_node("Reshape", ["p1"], ["p2"], name="rs", shape=[6, 3]),
      helper.make_node("Sub", ["p2", "w6"], ["p3"], name="sub1", broadcast=1, axis=0),
      helper.make_node("Reshape", ["p3"], ["p4"], name="rs2", shape=[2, 3, 3]),
      helper.make_node("ReduceSum", ["p4"], ["p5"], name="rsum", axes=[2], keepdims=0),
      helper.make_node("Unsqueeze", ["p5"], ["p6"], name="unsq", axes=[1]),
      node("Div", ["p6", "w2"], broadcast=1, axis=0)],
     [("m1", m1), ("m2", m2)], t3.astype(np.float32),
     inits=[("c3", np.array([1.0, 2.0, 3.0], np.float32)), ("w6", w6), ("w2", w2)])

# PRelu before 7: a C-value slope is per channel.
x = f32(2, 3, 4, 5)
slope = np.array([0.1, 0.2, 0.3], np.float32)
save("prelu_channel", 6, [node("PRelu", ["x", "s"])], [("x", x)],
     np.where(x >= 0, x, x * slope[:, None, None]), inits=[("s", slope)])

# Gemm's broadcast attribute: C of N values onto every row.
ga, gb, gc = f32(2, 4), f32(4, 3), f32(3)
save("gemm_broadcast", 6, [node("Gemm", ["ga", "gb", "gc"], broadcast=1, alpha=0.5, beta=2.0)],
     [("ga", ga)], 0.5 * ga @ gb + 2.0 * gc, inits=[("gb", gb), ("gc", gc)])

# BatchNormalization is_test (6) and consumed_inputs (5).
bx = f32(2, 3, 4)
sc, bi, mean = f32(3), f32(3), f32(3)
var = np.abs(f32(3)) + 0.1


def bn_ref(eps):
    sh = (1, 3, 1)
    return ((bx - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + eps) * sc.reshape(sh)
            + bi.reshape(sh)).astype(np.float32)


bn_inits = [("sc", sc), ("bi", bi), ("mean", mean), ("var", var)]
save("bn_is_test", 6,
     [node("BatchNormalization", ["bx", "sc", "bi", "mean", "var"], is_test=1, epsilon=1e-3,
           momentum=0.9, spatial=1)],
     [("bx", bx)], bn_ref(1e-3), inits=bn_inits)
save("bn_consumed_opset5", 5,
     [node("BatchNormalization", ["bx", "sc", "bi", "mean", "var"], is_test=1,
           consumed_inputs=[0, 0, 0, 1, 1])],
     [("bx", bx)], bn_ref(1e-5), inits=bn_inits)

# Dropout is_test=1 passes its input through.
save("dropout_is_test", 6, [node("Dropout", ["a"], is_test=1, ratio=0.3)], [("a", a)], a)

# Reshape's shape attribute (before 5); 0 copies the input's dim.
save("reshape_attr_opset4", 4, [node("Reshape", ["a"], shape=[0, -1])], [("a", a)],
     a.reshape(2, 12))

# Concat without axis (before 4) joins along axis 1.
k1, k2 = f32(2, 3), f32(2, 2)
save("concat_noaxis_opset3", 3, [node("Concat", ["k1", "k2"])], [("k1", k1), ("k2", k2)],
     np.concatenate([k1, k2], axis=1))

# Pad-1's paddings.
q = f32(2, 3)
save("pad_paddings_opset1", 1,
     [node("Pad", ["q"], paddings=[0, 1, 1, 2], mode="constant", value=1.5)], [("q", q)],
     np.pad(q, ((0, 1), (1, 2)), constant_values=1.5))

# Cast-1 names its target type.
cf = np.array([[1.7, -2.2, 3.0]], np.float32)
save("cast_name_opset5", 5, [node("Cast", ["cf"], to="INT32")], [("cf", cf)],
     cf.astype(np.int32), out_type=TensorProto.INT32)

# Refused: each names node, op, opset and the attribute.
save("bad_bn_spatial0", 6,
     [node("BatchNormalization", ["bx", "sc", "bi", "mean", "var"], is_test=1, spatial=0)],
     [("bx", bx)], None, inits=bn_inits)
save("bad_dropout_training", 6, [node("Dropout", ["a"], is_test=0)], [("a", a)], None)
# A declared without a shape: its rank cannot be known.
save("bad_axis_unknown_rank", 6, [node("Add", ["t", "b"], broadcast=1, axis=0)],
     [("t", None), ("b", f32(3))], None)
save("bad_axis_too_far", 6, [node("Add", ["a", "b"], broadcast=1, axis=3)],
     [("a", a), ("b", b)], None)
save("bad_tile_opset5", 5, [node("Tile", ["a", "tiles", "axis"])], [("a", a)], None,
     inits=[("tiles", np.array([2], np.int64)), ("axis", np.array([0], np.int64))])
save("bad_cast_name", 5, [node("Cast", ["cf"], to="COMPLEX")], [("cf", cf)], None)
save("bad_opset0", 0, [node("Relu", ["a"])], [("a", a)], None)
