# SPDX-License-Identifier: MIT
"""Element types across the binding: each ONNX type maps to its numpy
dtype both ways (models written with python3-onnx, passed as bytes), and
bfloat16, which numpy lacks, travels as its uint16 bit patterns."""

import numpy as np
import pytest
from onnx import TensorProto, helper

import ares

TYPES = [
    (TensorProto.FLOAT, np.float32, "float"), (TensorProto.DOUBLE, np.float64, "double"),
    (TensorProto.FLOAT16, np.float16, "float16"), (TensorProto.INT8, np.int8, "int8"),
    (TensorProto.UINT8, np.uint8, "uint8"), (TensorProto.INT16, np.int16, "int16"),
    (TensorProto.UINT16, np.uint16, "uint16"), (TensorProto.INT32, np.int32, "int32"),
    (TensorProto.UINT32, np.uint32, "uint32"), (TensorProto.INT64, np.int64, "int64"),
    (TensorProto.UINT64, np.uint64, "uint64"), (TensorProto.BOOL, np.bool_, "bool"),
]


def model(nodes, inputs, outputs):
    graph = helper.make_graph(nodes, "g", inputs, outputs)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return m.SerializeToString()


@pytest.mark.parametrize("onnx_type, np_type, name", TYPES, ids=[t[2] for t in TYPES])
def test_each_type_in_and_out(onnx_type, np_type, name):
    m = model([helper.make_node("Identity", ["x"], ["y"])],
              [helper.make_tensor_value_info("x", onnx_type, ["n", None, 3])],
              [helper.make_tensor_value_info("y", onnx_type, None)])
    s = ares.Session(m, device="cpu")
    (x,) = s.inputs
    assert (x.type, x.dtype, x.shape) == (f"tensor({name})", np.dtype(np_type), [None, None, 3])
    rng = np.random.default_rng(3)
    data = (rng.standard_normal((2, 5, 3)) * 100).astype(np_type)
    (y,) = s.run(None, {"x": data})
    assert y.dtype == np.dtype(np_type) and y.shape == (2, 5, 3)
    np.testing.assert_array_equal(y, data)
    other = np.float32 if np_type != np.float32 else np.float64
    with pytest.raises(ares.Error, match=rf"expected tensor\({name}\)"):
        s.run(None, {"x": data.astype(other)})


def test_bfloat16_travels_as_its_bits():
    m = model([helper.make_node("Cast", ["x"], ["b"], to=TensorProto.BFLOAT16),
               helper.make_node("Cast", ["b"], ["y"], to=TensorProto.FLOAT)],
              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
              [helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [4]),
               helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    s = ares.Session(m, device="cpu", optimize=False)
    b_arg = s.outputs[0]
    assert (b_arg.type, b_arg.dtype) == ("tensor(bfloat16)", np.dtype(np.uint16))
    x = np.array([1.0, -2.5, 3.140625, 65280.0], np.float32)  # exact in bfloat16
    b, y = s.run(None, {"x": x})
    assert b.dtype == np.uint16
    np.testing.assert_array_equal(b, (x.view(np.uint32) >> 16).astype(np.uint16))
    np.testing.assert_array_equal(y, x)
    # And back in: a bfloat16 input takes the uint16 bits.
    m2 = model([helper.make_node("Cast", ["b"], ["y"], to=TensorProto.FLOAT)],
               [helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    (y2,) = ares.Session(m2, device="cpu").run(None, {"b": b})
    np.testing.assert_array_equal(y2, x)


def test_string_tensors_are_refused_by_name():
    m = model([helper.make_node("StringNormalizer", ["x"], ["y"], case_change_action="UPPER")],
              [helper.make_tensor_value_info("x", TensorProto.STRING, [2])],
              [helper.make_tensor_value_info("y", TensorProto.STRING, None)])
    s = ares.Session(m, device="cpu")
    with pytest.raises(ares.Error, match=r"input 'x': element type string has no numpy dtype"):
        s.run(None, {"x": np.array(["a", "b"])})


@pytest.mark.parametrize("where", ["input", "output"])
def test_sequences_are_refused_at_load(where):
    seq = helper.make_tensor_sequence_value_info
    if where == "input":
        m = model([helper.make_node("SequenceLength", ["s"], ["n"])],
                  [seq("s", TensorProto.FLOAT, None)],
                  [helper.make_tensor_value_info("n", TensorProto.INT64, [])])
    else:
        m = model([helper.make_node("SequenceConstruct", ["x"], ["s"])],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                  [seq("s", TensorProto.FLOAT, None)])
    name = "s"
    with pytest.raises(ares.Error, match=rf"{where} '{name}' is a sequence: the Python binding"):
        ares.Session(m, device="cpu")
