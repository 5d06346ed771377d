#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small ONNX models that each exercise one graph pass of libares_rt
(constant folding, dead and no-op removal, fusions, shape inference), and
their inputs as .npy, into OUTDIR. run-graph-tests.sh runs each with and
without optimisation and checks both the rewrite and the outputs.

Usage: graph_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(7)


def const(name, arr):
    """A Constant node holding ARR (the OCR models keep weights this way)."""
    return helper.make_node("Constant", [], [name], name=name + "_const",
                            value=numpy_helper.from_array(np.asarray(arr), name))


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    # No onnx.checker: outputs deliberately declare no shape, so that what
    # the runtime reports comes from its own inference.
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


def f32(shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def vi(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


os.makedirs(OUT, exist_ok=True)

# Folding: Shape -> Gather -> Unsqueeze -> Concat -> Reshape on a static
# input becomes a constant reshape; Constant weights become constants; a
# branch nothing reads is dead.
save("fold", [
    helper.make_node("Shape", ["x"], ["s"], name="shape"),
    const("i0", np.array([0], np.int64)),
    helper.make_node("Gather", ["s", "i0"], ["n"], name="gather", axis=0),
    const("m1", np.array([-1], np.int64)),
    helper.make_node("Concat", ["n", "m1"], ["shp"], name="concat", axis=0),
    helper.make_node("Reshape", ["x", "shp"], ["r"], name="reshape"),
    const("w", f32([24])),
    const("two", np.array(2.0, np.float32)),
    helper.make_node("Mul", ["w", "two"], ["w2"], name="scale_w"),
    helper.make_node("Add", ["r", "w2"], ["y"], name="add"),
    helper.make_node("Neg", ["x"], ["unused"], name="dead_neg"),
], [vi("x", [1, 4, 6])], [vi("y", None)])

# The same chain on a dynamic batch: nothing folds, and the shapes bind
# when the first run gives the input.
save("dynamic", [
    helper.make_node("Shape", ["x"], ["s"], name="shape"),
    const("i0", np.array([0], np.int64)),
    helper.make_node("Gather", ["s", "i0"], ["n"], name="gather", axis=0),
    const("m1", np.array([-1], np.int64)),
    helper.make_node("Concat", ["n", "m1"], ["shp"], name="concat", axis=0),
    helper.make_node("Reshape", ["x", "shp"], ["r"], name="reshape"),
    helper.make_node("Transpose", ["r"], ["y"], name="transpose", perm=[1, 0]),
], [vi("x", ["N", 4, 6])], [vi("y", None)])
np.save(os.path.join(OUT, "dynamic_x.npy"), f32([3, 4, 6]))

# No-ops: Identity, Dropout, Reshape, Flatten and Squeeze to the shape they
# already have, Cast to the same type; the last Identity writes the graph
# output, whose name must survive. The Unsqueeze changes the shape: kept.
save("noop", [
    helper.make_node("Identity", ["x"], ["a"], name="id0"),
    helper.make_node("Dropout", ["a"], ["b"], name="drop"),
    helper.make_node("Reshape", ["b", "shp"], ["c"], name="reshape_same"),
    helper.make_node("Cast", ["c"], ["d"], name="cast_same", to=TensorProto.FLOAT),
    helper.make_node("Flatten", ["d"], ["e"], name="flatten_same", axis=1),
    helper.make_node("Squeeze", ["e"], ["f"], name="squeeze_same"),
    helper.make_node("Relu", ["f"], ["g"], name="relu"),
    helper.make_node("Unsqueeze", ["g", "ax"], ["h"], name="unsq"),
    helper.make_node("Identity", ["h"], ["y"], name="id_out"),
], [vi("x", [2, 3])], [vi("y", None)],
    [init("shp", np.array([2, 3], np.int64)), init("ax", np.array([0], np.int64))])

# MatMul + Add(bias) + Clip(min, max inputs), MatMul + Tanh, Gemm (no C)
# + Add(bias) + LeakyRelu, HardSigmoid(x) * x.
save("matmul", [
    helper.make_node("MatMul", ["x", "w1"], ["m1"], name="mm1"),
    helper.make_node("Add", ["m1", "b1"], ["a1"], name="bias1"),
    helper.make_node("Clip", ["a1", "lo", "hi"], ["y1"], name="clip1"),
    helper.make_node("MatMul", ["x", "w2"], ["m2"], name="mm2"),
    helper.make_node("Tanh", ["m2"], ["y2"], name="tanh2"),
    helper.make_node("Gemm", ["x2", "w3"], ["g3"], name="gemm3", transB=1),
    helper.make_node("Add", ["b3", "g3"], ["a3"], name="bias3"),
    helper.make_node("LeakyRelu", ["a3"], ["y3"], name="leaky3", alpha=0.1),
    helper.make_node("HardSigmoid", ["x2"], ["h4"], name="hsig4", alpha=1.0 / 6, beta=0.5),
    helper.make_node("Mul", ["x2", "h4"], ["y4"], name="mul4"),
], [vi("x", [2, 5, 8]), vi("x2", [3, 8])],
    [vi("y1", None), vi("y2", None), vi("y3", None), vi("y4", None)],
    [init("w1", f32([8, 6])), init("b1", f32([6])), init("lo", np.array(-0.5, np.float32)),
     init("hi", np.array(0.5, np.float32)), init("w2", f32([8, 4])),
     init("w3", f32([6, 8])), init("b3", f32([1, 6]))])

# Conv + BatchNormalization + per-channel Mul and Add + Relu; the OCR
# models' spelled-out hard-swish (Add 3, Clip 0..6, Div 6, Mul x) and
# hard-sigmoid after convs, opset 9 (Clip bounds as attributes).
C = 4
save("conv", [
    const("w0", f32([C, 3, 3, 3])), const("b0", f32([C])),
    helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], name="conv0", pads=[1, 1, 1, 1]),
    const("gamma", rng.uniform(0.5, 1.5, [C]).astype(np.float32)),
    const("beta", f32([C])), const("mean", f32([C])),
    const("var", rng.uniform(0.5, 1.5, [C]).astype(np.float32)),
    helper.make_node("BatchNormalization", ["c0", "gamma", "beta", "mean", "var"], ["n0"],
                     name="bn0", epsilon=1e-3),
    const("sc", f32([1, C, 1, 1])),
    helper.make_node("Mul", ["n0", "sc"], ["s0"], name="scale0"),
    const("sh", f32([C, 1, 1])),
    helper.make_node("Add", ["s0", "sh"], ["t0"], name="shift0"),
    helper.make_node("Relu", ["t0"], ["r0"], name="relu0"),
    const("w1", f32([C, C, 3, 3])),
    helper.make_node("Conv", ["r0", "w1"], ["c1"], name="conv1", strides=[2, 1],
                     pads=[1, 1, 1, 1]),
    const("three", np.array(3.0, np.float32)),
    helper.make_node("Add", ["c1", "three"], ["p1"], name="hs_add"),
    helper.make_node("Clip", ["p1"], ["q1"], name="hs_clip", min=0.0, max=6.0),
    const("six", np.array(6.0, np.float32)),
    helper.make_node("Div", ["q1", "six"], ["d1"], name="hs_div"),
    helper.make_node("Mul", ["c1", "d1"], ["y"], name="hs_mul"),
    const("w2", f32([C, C, 1, 1])),
    helper.make_node("Conv", ["y", "w2"], ["c2"], name="conv2"),
    const("three2", np.array(3.0, np.float32)),
    helper.make_node("Add", ["c2", "three2"], ["p2"], name="hsig_add"),
    helper.make_node("Clip", ["p2"], ["q2"], name="hsig_clip", min=0.0, max=6.0),
    const("six2", np.array(6.0, np.float32)),
    helper.make_node("Div", ["q2", "six2"], ["z"], name="hsig_div"),
    # x * a + b[c] before a Conv without padding: folded into its weights.
    const("pa", np.array(0.75, np.float32)),
    helper.make_node("Mul", ["x", "pa"], ["xa"], name="pre_scale"),
    const("pb", f32([1, 3, 1, 1])),
    helper.make_node("Add", ["xa", "pb"], ["xb"], name="pre_shift"),
    const("w3", f32([C, 3, 1, 1])), const("b3", f32([C])),
    helper.make_node("Conv", ["xb", "w3", "b3"], ["u"], name="conv3"),
    # ConvTranspose + Add(per-channel bias) + BatchNormalization + Relu.
    const("wt", f32([C, 2, 2, 2])), const("tb", f32([1, 2, 1, 1])),
    helper.make_node("ConvTranspose", ["z", "wt"], ["ct"], name="convt", strides=[2, 2]),
    helper.make_node("Add", ["ct", "tb"], ["ctb"], name="convt_bias"),
    const("g2", rng.uniform(0.5, 1.5, [2]).astype(np.float32)), const("be2", f32([2])),
    const("m2", f32([2])), const("v2", rng.uniform(0.5, 1.5, [2]).astype(np.float32)),
    helper.make_node("BatchNormalization", ["ctb", "g2", "be2", "m2", "v2"], ["ctn"],
                     name="convt_bn"),
    helper.make_node("Relu", ["ctn"], ["t"], name="convt_relu"),
], [vi("x", [1, 3, 8, 8])], [vi("y", None), vi("z", None), vi("u", None), vi("t", None)],
    opset=9)

# LayerNorm spelled out over the last axis (as the OCR recogniser has it),
# on an input whose rank is all shape inference knows.
save("layernorm", [
    helper.make_node("ReduceMean", ["x"], ["m"], name="ln_mean", axes=[-1]),
    helper.make_node("Sub", ["x", "m"], ["d"], name="ln_sub"),
    helper.make_node("Pow", ["d", "two"], ["p"], name="ln_pow"),
    helper.make_node("ReduceMean", ["p"], ["v"], name="ln_var", axes=[-1]),
    helper.make_node("Add", ["v", "eps"], ["ve"], name="ln_eps"),
    helper.make_node("Sqrt", ["ve"], ["sd"], name="ln_sqrt"),
    helper.make_node("Div", ["d", "sd"], ["nrm"], name="ln_div"),
    helper.make_node("Mul", ["nrm", "gamma"], ["sc"], name="ln_gamma"),
    helper.make_node("Add", ["sc", "beta"], ["y"], name="ln_beta"),
], [vi("x", ["N", "T", 8])], [vi("y", None)],
    [init("two", np.array(2.0, np.float32)), init("eps", np.array(1e-5, np.float32)),
     init("gamma", f32([8])), init("beta", f32([8]))])
np.save(os.path.join(OUT, "layernorm_x.npy"), f32([2, 5, 8]) * 3 + 1)
