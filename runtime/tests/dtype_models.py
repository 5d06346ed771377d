#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the models, inputs and expected outputs of the element-type tests
of run-runtime-tests.sh into OUTDIR (gen), or checks accel-run's outputs
against the expected ones (check). Values are chosen where a shortcut
through double or int64 would go wrong: uint64 past 2^63, float16 ties and
subnormals.

Usage: dtype_models.py gen OUTDIR | check OUTDIR NAME
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def save(out, name, nodes, inputs, outputs):
    g = helper.make_graph(nodes, name, inputs, outputs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(out, name + ".onnx"))


def vi(name, t):
    return helper.make_tensor_value_info(name, t, None)


def gen(out):
    # uint64 beyond INT64_MAX: Max, Mod and Less must compare unsigned.
    a = np.array([2**64 - 1, 2**63 + 5, 7, 2**63], dtype=np.uint64)
    b = np.array([3, 2**63 + 4, 2**64 - 2, 2**63], dtype=np.uint64)
    save(out, "u64", [
        helper.make_node("Max", ["a", "b"], ["mx"]),
        helper.make_node("Mod", ["a", "b"], ["md"]),
        helper.make_node("Less", ["a", "b"], ["lt"]),
    ], [vi("a", TensorProto.UINT64), vi("b", TensorProto.UINT64)],
        [vi("mx", TensorProto.UINT64), vi("md", TensorProto.UINT64),
         vi("lt", TensorProto.BOOL)])
    np.save(os.path.join(out, "u64_a.npy"), a)
    np.save(os.path.join(out, "u64_b.npy"), b)
    np.save(os.path.join(out, "u64_mx.exp.npy"), np.maximum(a, b))
    np.save(os.path.join(out, "u64_md.exp.npy"), a % b)
    np.save(os.path.join(out, "u64_lt.exp.npy"), a < b)
    # float -> float16 rounding: ties to even, subnormals, overflow, NaN;
    # then float16 arithmetic (Add widened and narrowed) and back.
    x = np.array([1 + 2**-11, 1 + 3 * 2**-11, 2**-24, 2**-25, 3 * 2**-25, 65519.0,
                  65520.0, -1e-8, np.inf, np.nan, 0.1, -2.5], dtype=np.float32)
    # K is a float16 constant stored in int32_data (bits in the low half),
    # the encoding make_tensor uses without raw.
    k = np.linspace(-4, 4, 12).astype(np.float16)
    k[0] = 3 * 2**-24
    save(out, "f16", [
        helper.make_node("Cast", ["x"], ["h"], to=TensorProto.FLOAT16),
        helper.make_node("Add", ["h", "h"], ["s"]),
        helper.make_node("Cast", ["s"], ["y"], to=TensorProto.FLOAT),
        helper.make_node("Constant", [], ["k"], value=helper.make_tensor(
            "k", TensorProto.FLOAT16, [12], k.tolist())),
        helper.make_node("Add", ["h", "k"], ["z"]),
    ], [vi("x", TensorProto.FLOAT)], [vi("h", TensorProto.FLOAT16),
                                      vi("y", TensorProto.FLOAT),
                                      vi("z", TensorProto.FLOAT16)])
    np.save(os.path.join(out, "f16_x.npy"), x)
    h = x.astype(np.float16)
    np.save(os.path.join(out, "f16_h.exp.npy"), h)
    np.save(os.path.join(out, "f16_y.exp.npy"), (h + h).astype(np.float32))
    np.save(os.path.join(out, "f16_z.exp.npy"), h + k)
    # An op whose CPU kernel takes no float16: refused at session creation.
    save(out, "f16_softmax", [helper.make_node("Softmax", ["x"], ["y"], name="sm")],
         [vi("x", TensorProto.FLOAT16)], [vi("y", TensorProto.FLOAT16)])


def check(out, name):
    for f in sorted(os.listdir(out)):
        if not (f.startswith(name + "_") and f.endswith(".exp.npy")):
            continue
        want = np.load(os.path.join(out, f))
        got = np.load(os.path.join(out, name + ".out", f[len(name) + 1:-8] + ".npy"))
        if got.dtype != want.dtype or got.shape != want.shape or \
                got.tobytes() != want.tobytes():
            print(f"{f}: got {got.dtype} {got!r}, expected {want.dtype} {want!r}")
            return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
