#!/usr/bin/python3
"""Checks that a model written by ares-quantize is standard QDQ: it passes
onnx.checker, imports opset >= 13, and each quantized Conv/MatMul/Gemm
reads its weight through DequantizeLinear of an int8 initializer with one
scale per output channel on the stated axis and zero points 0, its
activation through a uint8 QuantizeLinear/DequantizeLinear pair, and its
bias (if any) through DequantizeLinear of int32 at scale s_x * s_w.
Prints "qdq: N of M layers quantized: NAMES" and exits 1 on any breach.

Usage: check_qdq.py MODEL.onnx [MIN_QUANTIZED]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper


def main():
    m = onnx.load(sys.argv[1])
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    onnx.checker.check_model(m, full_check=True)
    opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
    assert opset >= 13, "opset %d" % opset
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    layers, done = [], []
    for n in g.node:
        if n.op_type not in ("Conv", "MatMul", "Gemm"):
            continue
        layers.append(n.name)
        w = prod.get(n.input[1])
        if not w or w.op_type != "DequantizeLinear":
            continue
        wq, ws, wz = (inits[i] for i in w.input)
        axis = [a.i for a in w.attribute if a.name == "axis"][0]
        if n.op_type == "Conv":
            assert axis == 0, "%s: weight axis %d" % (n.name, axis)
        elif n.op_type == "MatMul":
            assert axis == 1, "%s: weight axis %d" % (n.name, axis)
        else:
            tb = [a.i for a in n.attribute if a.name == "transB"]
            assert axis == (0 if tb and tb[0] else 1), "%s: Gemm weight axis %d" % (n.name, axis)
        assert wq.data_type == TensorProto.INT8, "%s: weight type %d" % (n.name, wq.data_type)
        sw = numpy_helper.to_array(ws)
        assert sw.shape == (wq.dims[axis],), "%s: %s scales for %d channels" % (
            n.name, sw.shape, wq.dims[axis])
        assert not numpy_helper.to_array(wz).any(), "%s: weight zero point not 0" % n.name
        q = numpy_helper.to_array(wq)
        assert q.min() >= -127, "%s: weight -128 (not symmetric)" % n.name
        x = prod.get(n.input[0])
        assert x and x.op_type == "DequantizeLinear", "%s: activation not dequantized" % n.name
        xz = inits[x.input[2]]
        assert xz.data_type == TensorProto.UINT8, "%s: activation type %d" % (n.name, xz.data_type)
        assert prod[x.input[0]].op_type == "QuantizeLinear", "%s: no QuantizeLinear" % n.name
        sx = float(numpy_helper.to_array(inits[x.input[1]]))
        if len(n.input) > 2 and n.input[2]:
            b = prod.get(n.input[2])
            assert b and b.op_type == "DequantizeLinear", "%s: bias not int32" % n.name
            bq, bs = inits[b.input[0]], numpy_helper.to_array(inits[b.input[1]])
            assert bq.data_type == TensorProto.INT32, "%s: bias type %d" % (n.name, bq.data_type)
            assert np.allclose(bs, sx * sw, rtol=1e-6), "%s: bias scale != sx*sw" % n.name
        done.append(n.name)
    # A constant Mul or Add right after a Conv (a BatchNormalization as an
    # affine pair) is folded into it before quantizing.
    def source(name):
        p = prod.get(name)
        while p is not None and p.op_type in ("QuantizeLinear", "DequantizeLinear"):
            p = prod.get(p.input[0])
        return p

    readers = {}
    for n in g.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    for n in g.node:
        if n.op_type in ("Mul", "Add") and len(n.input) == 2:
            src = [source(i) for i in n.input if i not in inits and len(readers[i]) == 1]
            assert not (any(p is not None and p.op_type == "Conv" for p in src) and
                        any(i in inits for i in n.input)), \
                "%s: constant %s after a Conv not folded into it" % (n.name, n.op_type)
    # HardSwish as x * clip(x + 3, 0, 6) / 6 after a quantized Conv: the
    # Conv feeds it directly and the Div's output is what is requantized.
    for n in g.node:
        m = prod.get(n.input[0]) if n.op_type == "Div" and len(n.input) == 2 else None
        if not m or m.op_type != "Mul" or n.input[1] not in inits or \
                float(numpy_helper.to_array(inits[n.input[1]])) != 6.0:
            continue
        c = [prod.get(i) for i in m.input]
        clip = [p for p in c if p is not None and p.op_type == "Clip"]
        if not clip:
            continue
        x = [i for i, p in zip(m.input, c) if p is not clip[0]][0]
        if source(x) is None or source(x).op_type != "Conv" or source(x).name not in done:
            continue
        assert prod[x].op_type == "Conv", \
            "%s: requantized between the Conv and its HardSwish" % source(x).name
        assert any(r.op_type == "QuantizeLinear" for r in readers.get(n.output[0], [])), \
            "%s: its HardSwish's output is not requantized" % source(x).name
    print("qdq: %d of %d layers quantized: %s" % (len(done), len(layers), " ".join(done)))
    if len(done) < want:
        sys.exit("qdq: expected at least %d quantized layers" % want)


if __name__ == "__main__":
    main()
