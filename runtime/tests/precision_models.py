#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes small f32 models for the reduced-precision mode (accel-run
--precision), one Conv/ConvTranspose/MatMul/Gemm form each, into OUTDIR:

  NAME.onnx      the model; input x, output y
  NAME.x.npy     its input (seeded, uniform [-1, 1))
  NAME.abs.onnx  the same products on |x| and |W| with no bias, no
                 activation, alpha |alpha|: run on |x| it gives per output
                 element S = sum |x_k| |w_k| over the terms y sums
  NAME.k         K, the number of terms each output element sums

and list (one NAME per line). precision_check.py derives each element's
tolerance from S and K.

Usage: precision_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(13)
names = []


def model(name, nodes, inits, x_shape, y_shape):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                          list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def save(name, x_shape, y_shape, k, nodes, inits, abs_nodes, abs_inits=None):
    """NODES/INITS make NAME.onnx; ABS_NODES over |inits| (or ABS_INITS)
    make NAME.abs.onnx."""
    x = rng.uniform(-1, 1, x_shape).astype(np.float32)
    np.save(os.path.join(OUT, name + ".x.npy"), x)
    onnx.save(model(name, nodes, inits, x_shape, y_shape), os.path.join(OUT, name + ".onnx"))
    abs_inits = [numpy_helper.from_array(np.abs(numpy_helper.to_array(t)), t.name)
                 for t in (inits if abs_inits is None else abs_inits)]
    onnx.save(model(name + "_abs", abs_nodes, abs_inits, x_shape, y_shape),
              os.path.join(OUT, name + ".abs.onnx"))
    with open(os.path.join(OUT, name + ".k"), "w") as f:
        f.write(f"{k}\n")
    names.append(name)


def const(name, shape, scale=1.0):
    return numpy_helper.from_array((scale * rng.uniform(-1, 1, shape)).astype(np.float32), name)


def node(op, ins, outs, **kw):
    return helper.make_node(op, ins, outs, **kw)


os.makedirs(OUT, exist_ok=True)
W, B = const("W", [16, 8, 3, 3]), const("B", [16])
save("conv_bias_relu", [1, 8, 10, 9], [1, 16, 10, 9], 8 * 9,
     [node("Conv", ["x", "W", "B"], ["t"], pads=[1, 1, 1, 1]), node("Relu", ["t"], ["y"])],
     [W, B], [node("Conv", ["x", "W"], ["y"], pads=[1, 1, 1, 1])], [W])
W = const("W", [6, 4, 5])
save("conv1d_stride", [2, 4, 23], [2, 6, 10], 4 * 5,
     [node("Conv", ["x", "W"], ["y"], strides=[2])], [W],
     [node("Conv", ["x", "W"], ["y"], strides=[2])])
W, B = const("W", [12, 1, 3, 3]), const("B", [12])
save("conv_depthwise_s2", [1, 12, 11, 11], [1, 12, 6, 6], 9,
     [node("Conv", ["x", "W", "B"], ["y"], group=12, strides=[2, 2], pads=[1, 1, 1, 1])],
     [W, B], [node("Conv", ["x", "W"], ["y"], group=12, strides=[2, 2], pads=[1, 1, 1, 1])],
     [W])
W = const("W", [8, 4, 3, 3])
save("conv_group_dilated", [1, 8, 12, 12], [1, 8, 8, 8], 4 * 9,
     [node("Conv", ["x", "W"], ["y"], group=2, dilations=[2, 2])], [W],
     [node("Conv", ["x", "W"], ["y"], group=2, dilations=[2, 2])])
# Two convolutions in a row: the first writes the second's operand.
W1, W2 = const("W1", [8, 8, 1, 1]), const("W2", [8, 8, 3, 3])
save("conv_chain", [1, 8, 7, 7], [1, 8, 7, 7], 8 * 9 * 8,
     [node("Conv", ["x", "W1"], ["t"]), node("LeakyRelu", ["t"], ["u"], alpha=0.1),
      node("Conv", ["u", "W2"], ["y"], pads=[1, 1, 1, 1])], [W1, W2],
     [node("Conv", ["x", "W1"], ["t"]), node("Conv", ["t", "W2"], ["y"], pads=[1, 1, 1, 1])])
W, B = const("W", [8, 4, 3, 3]), const("B", [4])
save("convtranspose_s2", [1, 8, 5, 5], [1, 4, 11, 11], 8 * 9,
     [node("ConvTranspose", ["x", "W", "B"], ["y"], strides=[2, 2])], [W, B],
     [node("ConvTranspose", ["x", "W"], ["y"], strides=[2, 2])], [W])
W, C = const("W", [24, 64]), const("C", [24])
save("gemm_transb_alpha_c", [4, 64], [4, 24], 64,
     [node("Gemm", ["x", "W", "C"], ["y"], transB=1, alpha=0.5)], [W, C],
     [node("Gemm", ["x", "W"], ["y"], transB=1, alpha=0.5)], [W])
W = const("W", [16, 10])
save("gemm_transa", [16, 5], [5, 10], 16, [node("Gemm", ["x", "W"], ["y"], transA=1)], [W],
     [node("Gemm", ["x", "W"], ["y"], transA=1)])
W = const("W", [32, 7])
save("matmul_batched", [3, 5, 32], [3, 5, 7], 32, [node("MatMul", ["x", "W"], ["y"])], [W],
     [node("MatMul", ["x", "W"], ["y"])])
# MatMul + Add of a constant: graph fusion makes the bias the MatMul's C.
W, C = const("W", [32, 7]), const("C", [7])
save("matmul_bias", [6, 32], [6, 7], 32,
     [node("MatMul", ["x", "W"], ["t"]), node("Add", ["t", "C"], ["y"])], [W, C],
     [node("MatMul", ["x", "W"], ["y"])], [W])
# Both operands computed: x times its own transpose (attention's form).
save("matmul_activations", [2, 6, 16], [2, 6, 6], 16,
     [node("Transpose", ["x"], ["t"], perm=[0, 2, 1]), node("MatMul", ["x", "t"], ["y"])], [],
     [node("Transpose", ["x"], ["t"], perm=[0, 2, 1]), node("MatMul", ["x", "t"], ["y"])], [])

with open(os.path.join(OUT, "list"), "w") as f:
    f.write("".join(n + "\n" for n in names))

# float16 cannot hold 1e5: this node keeps f32 in --precision f16.
W = numpy_helper.from_array(np.full([4, 4, 1, 1], 1e5, np.float32), "W")
x = rng.uniform(-1, 1, [1, 4, 3, 3]).astype(np.float32)
np.save(os.path.join(OUT, "conv_f16_overflow.x.npy"), x)
onnx.save(model("conv_f16_overflow", [node("Conv", ["x", "W"], ["y"])], [W], [1, 4, 3, 3],
                [1, 4, 3, 3]), os.path.join(OUT, "conv_f16_overflow.onnx"))
