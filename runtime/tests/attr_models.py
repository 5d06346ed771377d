#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes one-node models whose attributes the runtime must refuse at
session creation (run-runtime-tests.sh checks the message names the node
and the reason). Usage: attr_models.py OUT_DIR"""
import os
import sys

import onnx
from onnx import TensorProto, helper

OUT = sys.argv[1]


def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def save(name, node, inputs, opset=16):
    graph = helper.make_graph([node], name, inputs, [vi(o, None) for o in node.output])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, os.path.join(OUT, name + ".onnx"))


save("gridsample_mode", helper.make_node("GridSample", ["x", "g"], ["y"], name="gs", mode="cubicle"),
     [vi("x", [1, 1, 2, 2]), vi("g", [1, 2, 2, 2])])
save("gridsample_padding",
     helper.make_node("GridSample", ["x", "g"], ["y"], name="gs", padding_mode="wrap"),
     [vi("x", [1, 1, 2, 2]), vi("g", [1, 2, 2, 2])])
save("einsum_label", helper.make_node("Einsum", ["a", "b"], ["y"], name="es", equation="ij,jk->iq"),
     [vi("a", [2, 2]), vi("b", [2, 2])], opset=12)
save("einsum_terms", helper.make_node("Einsum", ["a", "b"], ["y"], name="es", equation="ij->i"),
     [vi("a", [2, 2]), vi("b", [2, 2])], opset=12)
save("nms_center", helper.make_node("NonMaxSuppression", ["b", "s"], ["y"], name="nms",
                                    center_point_box=2),
     [vi("b", [1, 2, 4]), vi("s", [1, 1, 2])], opset=11)
save("unique_sorted", helper.make_node("Unique", ["x"], ["y"], name="uq", sorted=2),
     [vi("x", [4])], opset=11)
save("convinteger_pad", helper.make_node("ConvInteger", ["x", "w"], ["y"], name="ci",
                                         auto_pad="SAME"),
     [vi("x", [1, 1, 3, 3], TensorProto.UINT8), vi("w", [1, 1, 2, 2], TensorProto.UINT8)],
     opset=10)
save("roialign_mode", helper.make_node("RoiAlign", ["x", "r", "b"], ["y"], name="ra", mode="min"),
     [vi("x", [1, 1, 4, 4]), vi("r", [1, 4]), vi("b", [1], TensorProto.INT64)])
save("dft_onesided_inverse", helper.make_node("DFT", ["x"], ["y"], name="dft", inverse=1,
                                              onesided=1),
     [vi("x", [1, 8, 1])], opset=17)
save("maxunpool_kernel", helper.make_node("MaxUnpool", ["x", "i"], ["y"], name="mu"),
     [vi("x", [1, 1, 2, 2]), vi("i", [1, 1, 2, 2], TensorProto.INT64)], opset=11)
body = helper.make_graph([helper.make_node("Add", ["s_in", "x_in"], ["s_out"], name="acc"),
                          helper.make_node("Identity", ["s_out"], ["y_out"], name="copy")],
                         "body", [vi("s_in", [2]), vi("x_in", [2])],
                         [vi("s_out", [2]), vi("y_out", [2])])
save("scan_inputs", helper.make_node("Scan", ["s", "x"], ["s_final", "ys"], name="sc",
                                     num_scan_inputs=3, body=body),
     [vi("s", [2]), vi("x", [3, 2])], opset=11)
