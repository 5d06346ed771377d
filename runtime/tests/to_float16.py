#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Converts an f32 ONNX model to float16: float initializers, Constant
values, graph inputs, outputs and value_info become float16, and Cast to
float becomes Cast to float16, so every op sees one float type as ONNX's
type constraints require. Inputs that ONNX keeps in f32 whatever the data
type (Resize's roi and scales) stay f32. With --input IN.npy OUT.npy it
also writes an f32 .npy input as float16 for the converted model.

With --bfloat16 the model computes in bfloat16 instead (rounded to nearest
even) and keeps f32 graph inputs and outputs, with a Cast at each (NumPy
has no bfloat16 for .npy files); --cast-io does the same for float16.

Usage: to_float16.py [--bfloat16] [--cast-io] MODEL.onnx OUT.onnx [--input IN.npy OUT.npy]...
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, F16, BF16 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16
HALF = F16
CAST_IO = False
# (op, input index) pairs whose type ONNX fixes to float32.
KEEP_F32 = {("Resize", 1), ("Resize", 2), ("Upsample", 1)}


def bf16_tensor(t):
    """T as bfloat16 rounded to nearest even (onnx 1.12's helper truncates)."""
    a = numpy_helper.to_array(t).astype(np.float32)
    if not np.isfinite(a).all():
        sys.exit(f"to_float16: '{t.name}' has non-finite values")
    u = a.view(np.uint32).astype(np.uint64)
    b = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    return helper.make_tensor(t.name, BF16, a.shape, b.tobytes(), raw=True)


def half_tensor(t):
    """T as float16, keeping its name; refuses values float16 cannot hold."""
    if HALF == BF16:
        return bf16_tensor(t)
    a = numpy_helper.to_array(t)
    h = a.astype(np.float16)
    if np.isinf(h).any() and not np.isinf(a).any():
        sys.exit(f"to_float16: '{t.name}' has values beyond float16's range")
    return numpy_helper.from_array(h, t.name)


def retype(vi):
    tt = vi.type.tensor_type
    if tt.elem_type == F32:
        tt.elem_type = HALF


def convert(m):
    g = m.graph
    keep = set()
    for n in g.node:
        for j, name in enumerate(n.input):
            if (n.op_type, j) in KEEP_F32:
                keep.add(name)
    for i, t in enumerate(g.initializer):
        if t.data_type == F32 and t.name not in keep:
            g.initializer[i].CopyFrom(half_tensor(t))
    for n in g.node:
        if n.op_type == "Constant" and n.output[0] not in keep:
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == F32:
                    a.t.CopyFrom(half_tensor(a.t))
        if n.op_type == "Cast":
            for a in n.attribute:
                if a.name == "to" and a.i == F32:
                    a.i = HALF
        if n.op_type in ("If", "Loop", "Scan"):
            sys.exit(f"to_float16: subgraphs ({n.op_type}) are not converted")
    if CAST_IO:
        cast_io(g)
        for vi in g.value_info:
            retype(vi)
        return m
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        if vi.name not in keep:
            retype(vi)
    return m


def cast_io(g):
    """Float graph inputs and outputs stay f32 behind a Cast each."""
    casts_in, casts_out = [], []
    for vi in g.input:
        if vi.type.tensor_type.elem_type != F32 or vi.name in {t.name for t in g.initializer}:
            continue
        inner = vi.name + "__half"
        for n in g.node:
            for j, name in enumerate(n.input):
                if name == vi.name:
                    n.input[j] = inner
        casts_in.append(helper.make_node("Cast", [vi.name], [inner], to=HALF))
    for vi in g.output:
        if vi.type.tensor_type.elem_type != F32:
            continue
        inner = vi.name + "__half"
        for n in g.node:
            for j, name in enumerate(n.output):
                if name == vi.name:
                    n.output[j] = inner
        casts_out.append(helper.make_node("Cast", [inner], [vi.name], to=F32))
    nodes = casts_in + list(g.node) + casts_out
    del g.node[:]
    g.node.extend(nodes)


def main(argv):
    global HALF, CAST_IO
    while len(argv) > 1 and argv[1] in ("--bfloat16", "--cast-io"):
        HALF = BF16 if argv[1] == "--bfloat16" else HALF
        CAST_IO = True
        argv = argv[:1] + argv[2:]
    if len(argv) < 3 or (len(argv) - 3) % 3:
        sys.exit(__doc__)
    m = convert(onnx.load(argv[1]))
    onnx.checker.check_model(m)
    onnx.save(m, argv[2])
    for k in range(3, len(argv), 3):
        if argv[k] != "--input":
            sys.exit(__doc__)
        if CAST_IO:
            sys.exit("to_float16: --bfloat16/--cast-io keep f32 inputs; pass them as they are")
        np.save(argv[k + 2], np.load(argv[k + 1]).astype(np.float16))


if __name__ == "__main__":
    main(sys.argv)
