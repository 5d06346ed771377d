#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small f32 models, one device form each (Conv with bias and a
fused Relu, Gemm with C, batched MatMul, pools, Softmax, ReduceMean,
Resize linear, elementwise with a broadcast constant, data movement), and
their inputs as .npy, into OUTDIR, with each converted by to_float16.py
to NAME.float16.onnx and NAME.bfloat16.onnx (f32 input and output, a Cast
at each). half_op_check.sh runs those on the device against the CPU's f32
run of NAME.onnx.

Usage: half_op_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import to_float16  # noqa: E402

OUT = sys.argv[1]
rng = np.random.default_rng(13)


def save(name, x_shape, y_shape, nodes, inits=()):
    x = rng.uniform(-1, 1, x_shape).astype(np.float32)
    np.save(os.path.join(OUT, name + ".x.npy"), x)
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                          list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    to_float16.CAST_IO = True
    for dt, half in (("float16", TensorProto.FLOAT16), ("bfloat16", TensorProto.BFLOAT16)):
        to_float16.HALF = half
        h = to_float16.convert(onnx.load(os.path.join(OUT, name + ".onnx")))
        onnx.checker.check_model(h)
        onnx.save(h, os.path.join(OUT, f"{name}.{dt}.onnx"))


def const(name, shape):
    return numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(np.float32), name)


os.makedirs(OUT, exist_ok=True)
save("conv_bias_relu", [1, 8, 10, 9], [1, 16, 10, 9],
     [helper.make_node("Conv", ["x", "W", "B"], ["t"], pads=[1, 1, 1, 1]),
      helper.make_node("Relu", ["t"], ["y"])],
     [const("W", [16, 8, 3, 3]), const("B", [16])])
save("gemm_c", [4, 64], [4, 24],
     [helper.make_node("Gemm", ["x", "W", "C"], ["y"], transB=1, alpha=0.5)],
     [const("W", [24, 64]), const("C", [24])])
save("matmul_batched", [3, 5, 32], [3, 5, 7], [helper.make_node("MatMul", ["x", "W"], ["y"])],
     [const("W", [32, 7])])
save("avgpool", [1, 4, 9, 9], [1, 4, 4, 4],
     [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2])])
save("maxpool_globalavg", [1, 4, 9, 9], [1, 4, 1, 1],
     [helper.make_node("MaxPool", ["x"], ["t"], kernel_shape=[2, 2]),
      helper.make_node("GlobalAveragePool", ["t"], ["y"])])
save("softmax", [3, 40], [3, 40], [helper.make_node("Softmax", ["x"], ["y"], axis=-1)])
save("reducemean", [2, 30, 5], [2, 1, 5],
     [helper.make_node("ReduceMean", ["x"], ["y"], axes=[1], keepdims=1)])
save("resize_linear", [1, 2, 5, 6], [1, 2, 10, 9],
     [helper.make_node("Resize", ["x", "", "S"], ["y"], mode="linear")],
     [numpy_helper.from_array(np.array([1, 1, 2, 1.5], np.float32), "S")])
save("sigmoid_mul_bcast", [2, 3, 8], [2, 3, 8],
     [helper.make_node("Sigmoid", ["x"], ["t"]),
      helper.make_node("Mul", ["t", "K"], ["y"])],
     [const("K", [3, 1])])
save("transpose_concat_slice", [2, 3, 4], [4, 2, 3],
     [helper.make_node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
      helper.make_node("Concat", ["t", "t"], ["c"], axis=1),
      helper.make_node("Slice", ["c", "st", "en", "ax"], ["y"])],
     [numpy_helper.from_array(np.array([1], np.int64), "st"),
      numpy_helper.from_array(np.array([3], np.int64), "en"),
      numpy_helper.from_array(np.array([1], np.int64), "ax")])
