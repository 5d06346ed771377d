#!/usr/bin/python3
"""Writes OUT/NAME.onnx, Y = X + B for a float [2, 3] X, with B (1..6) in
the external-data file OUT/NAME.data, as a model saved with
save_as_external_data does.

Usage: make-extdata-model.py OUT NAME
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out, name = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    b = numpy_helper.from_array(np.arange(1, 7, dtype=np.float32).reshape(2, 3), "B")
    graph = helper.make_graph(
        [helper.make_node("Add", ["X", "B"], ["Y"])],
        "add_external",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3])],
        [b],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save_model(
        model,
        os.path.join(out, name + ".onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=name + ".data",
        size_threshold=0,
    )


if __name__ == "__main__":
    main()
