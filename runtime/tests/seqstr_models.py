#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes DIR/*.onnx and DIR/*.pb for art-seqstr-test: models over
sequences and strings, and hostile SequenceProto/TensorProto files."""
import sys

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np

D = sys.argv[1]
F = TensorProto.FLOAT
S = TensorProto.STRING


def save(name, nodes, ins, outs, opset=17):
    g = helper.make_graph(nodes, name, ins, outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.save(m, f"{D}/{name}.onnx")


seq = helper.make_tensor_sequence_value_info
tv = helper.make_tensor_value_info

# s (seq of float), t inserted at pos; the new sequence, its length and
# the item at pos out.
save("seq", [
    helper.make_node("SequenceInsert", ["s", "t", "pos"], ["s2"], name="ins"),
    helper.make_node("SequenceLength", ["s2"], ["n"], name="len"),
    helper.make_node("SequenceAt", ["s2", "pos"], ["item"], name="at"),
    helper.make_node("SequenceErase", ["s2"], ["s3"], name="erase"),
], [seq("s", F, None), tv("t", F, None), tv("pos", TensorProto.INT64, [])],
    [seq("s2", F, None), tv("n", TensorProto.INT64, []), tv("item", F, None),
     seq("s3", F, None)])

# x float[2,5] split by input 'split' along axis 1, then concatenated back
# (y) and stacked on a new axis 0 when the pieces agree (z is not made:
# only y, the count and the first piece).
save("split_concat", [
    helper.make_node("SplitToSequence", ["x", "split"], ["parts"], name="split", axis=1),
    helper.make_node("ConcatFromSequence", ["parts"], ["y"], name="concat", axis=1),
    helper.make_node("SequenceLength", ["parts"], ["n"], name="len"),
    helper.make_node("SequenceAt", ["parts", "zero"], ["first"], name="at"),
], [tv("x", F, [2, 5]), tv("split", TensorProto.INT64, None)],
    [tv("y", F, None), tv("n", TensorProto.INT64, []), tv("first", F, None)],
)
m = onnx.load(f"{D}/split_concat.onnx")
m.graph.initializer.append(numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"))
onnx.save(m, f"{D}/split_concat.onnx")

# Pieces of one without the axis (keepdims=0), stacked back (new_axis=1).
save("unstack_stack", [
    helper.make_node("SplitToSequence", ["x"], ["rows"], name="split", axis=0, keepdims=0),
    helper.make_node("ConcatFromSequence", ["rows"], ["y"], name="stack", axis=0, new_axis=1),
    helper.make_node("SequenceAt", ["rows", "last"], ["r"], name="at"),
], [tv("x", F, [3, 2])], [tv("y", F, None), tv("r", F, None)])
m = onnx.load(f"{D}/unstack_stack.onnx")
m.graph.initializer.append(numpy_helper.from_array(np.array(-1, dtype=np.int64), "last"))
onnx.save(m, f"{D}/unstack_stack.onnx")

# SequenceEmpty keeps its element type; erasing from it fails.
save("empty", [
    helper.make_node("SequenceEmpty", [], ["e"], name="mk", dtype=TensorProto.INT32),
    helper.make_node("SequenceInsert", ["e", "x"], ["s"], name="ins"),
], [tv("x", TensorProto.INT32, None)], [seq("e", TensorProto.INT32, None),
                                        seq("s", TensorProto.INT32, None)])
save("erase_empty", [
    helper.make_node("SequenceEmpty", [], ["e"], name="mk"),
    helper.make_node("SequenceErase", ["e"], ["s"], name="erase"),
], [tv("x", F, None)], [seq("s", F, None)])

# Strings: normalised (upper, stopwords case-insensitive), and through
# Identity; a locale the runtime does not have; a generic op on strings;
# a sequence fed to a tensor op.
save("strnorm", [
    helper.make_node("StringNormalizer", ["x"], ["y"], name="norm", case_change_action="UPPER",
                     is_case_sensitive=0, stopwords=["monday", "ÉTÉ"]),
    helper.make_node("Identity", ["x"], ["xc"], name="copy"),
], [tv("x", S, [None])], [tv("y", S, None), tv("xc", S, None)])
save("strnorm_locale", [
    helper.make_node("StringNormalizer", ["x"], ["y"], name="norm", locale="de_DE"),
], [tv("x", S, [None])], [tv("y", S, None)])
save("string_transpose", [
    helper.make_node("Transpose", ["x"], ["y"], name="tr"),
], [tv("x", S, [2, 3])], [tv("y", S, None)])
save("seq_to_relu", [
    helper.make_node("SequenceConstruct", ["x"], ["s"], name="mk"),
    helper.make_node("Relu", ["s"], ["y"], name="relu"),
], [tv("x", F, [2])], [tv("y", F, None)])

# Cast between text and numbers: text to int32 and back, bool refused.
save("cast_text", [
    helper.make_node("Cast", ["x"], ["i"], name="to_int", to=TensorProto.INT32),
    helper.make_node("Cast", ["i"], ["t"], name="to_text", to=S),
    helper.make_node("Cast", ["f"], ["ft"], name="f_text", to=S),
], [tv("x", S, [None]), tv("f", TensorProto.FLOAT16, [None])],
    [tv("t", S, None), tv("ft", S, None)])
save("cast_bool_text", [
    helper.make_node("Cast", ["b"], ["t"], name="b_text", to=S),
], [tv("b", TensorProto.BOOL, [None])], [tv("t", S, None)])


def write(name, msg):
    with open(f"{D}/{name}", "wb") as f:
        f.write(msg if isinstance(msg, bytes) else msg.SerializeToString())


def tensor(a, name=""):
    return numpy_helper.from_array(np.array(a), name)


good = onnx.SequenceProto(name="good", elem_type=onnx.SequenceProto.TENSOR)
good.tensor_values.extend([tensor(np.ones((2,), np.float32)), tensor(np.zeros((1, 3), np.float32))])
write("good_seq.pb", good)
mixed = onnx.SequenceProto(name="mixed", elem_type=onnx.SequenceProto.TENSOR)
mixed.tensor_values.extend([tensor(np.ones((2,), np.float32)), tensor(np.ones((2,), np.int64))])
write("mixed_seq.pb", mixed)
nested = onnx.SequenceProto(name="nested", elem_type=onnx.SequenceProto.SEQUENCE)
nested.sequence_values.extend([good])
write("nested_seq.pb", nested)
write("truncated_seq.pb", good.SerializeToString()[:-5])
strings = tensor(np.array(["abc", "défi"], dtype=object), "txt")
write("strings.pb", strings)
# The last string's length field claims more bytes than the file has.
# dims [1] (field 1), data_type STRING (field 2), string_data (field 6) of
# 100 bytes, of which the file holds 3.
write("long_string.pb", b"\x08\x01\x10\x08\x32\x64abc")
nul = onnx.TensorProto(name="nul", data_type=S, dims=[1])
nul.string_data.append(b"a\x00b")
write("nul_string.pb", nul)
