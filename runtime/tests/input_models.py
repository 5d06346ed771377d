#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes DIR/inputs.onnx for art-input-test: x float[batch,3] and
y float[batch,len] share the symbolic dim 'batch', k is int64[2], z is a
float of undeclared rank; each passes through Identity to an output."""
import sys

import onnx
from onnx import TensorProto, helper


def main():
    ins = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3]),
        helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "len"]),
        helper.make_tensor_value_info("k", TensorProto.INT64, [2]),
        helper.make_tensor_value_info("z", TensorProto.FLOAT, None),
    ]
    outs = [helper.make_tensor_value_info(n + "o", t, None) for n, t in
            (("x", TensorProto.FLOAT), ("y", TensorProto.FLOAT), ("k", TensorProto.INT64),
             ("z", TensorProto.FLOAT))]
    nodes = [helper.make_node("Identity", [n], [n + "o"], name="id_" + n) for n in "xykz"]
    g = helper.make_graph(nodes, "inputs", ins, outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, sys.argv[1] + "/inputs.onnx")


main()
