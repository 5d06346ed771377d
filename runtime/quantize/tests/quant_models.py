#!/usr/bin/python3
"""The small models and calibration sets of run-quant-tests.sh, into OUTDIR:

  small.onnx        x[1,3,16,16] -> Conv 3x3 + bias -> Relu -> Conv 3x3 (no
                    bias) -> Mul, Add (per-channel constants) -> HardSwish as
                    x * clip(x + 3, 0, 6) / 6 -> Flatten ->
                    Gemm transB + C -> Relu -> MatMul -> y
  calib/NNN/x.npy   16 seeded smooth images (gradients and blobs)
  test/x.npy        one more, not in the calibration set
  small_f16.onnx    small.onnx with float16 weights (a non-f32 model)
  neck.onnx         x -> Conv -> BatchNormalization -> Relu -> r; Conv ->
                    HardSigmoid -> g; Mul(r, g), Add(r, that) (an FPN's
                    squeeze-excitation) -> Resize 2x nearest -> Conv -> y
  op11.onnx         opset 11: Conv -> Softmax(axis 3, the last) -> Unsqueeze
                    and Squeeze with axes attributes -> MatMul (upgraded to 13)
  op11_bad.onnx     opset 11: Conv -> Softmax(axis 1 of rank 4), whose
                    meaning opset 13 changed (refused)
  bad_shape/x.npy   an input of the wrong size
  no_input/         a sample folder without x.npy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(rng, dtype=np.float32):
    def init(name, arr):
        return numpy_helper.from_array(arr.astype(dtype), name)

    # Its own stream, so the weights and samples stay those of the model
    # without the pair.
    bn = np.random.default_rng(99)
    inits = [
        init("w1", rng.standard_normal((8, 3, 3, 3)) * 0.3),
        init("b1", rng.standard_normal(8) * 0.1),
        init("w2", rng.standard_normal((4, 8, 3, 3)) * 0.2),
        init("w3", rng.standard_normal((32, 4 * 16 * 16)) * 0.02),
        init("c3", rng.standard_normal(32) * 0.1),
        init("w4", rng.standard_normal((32, 10)) * 0.2),
        init("bn_mul", bn.uniform(0.5, 1.5, (4, 1, 1))),
        init("bn_add", bn.standard_normal((1, 4, 1, 1)) * 0.1),
        init("three", np.array(3.0)),
        init("zero", np.array(0.0)),
        init("six", np.array(6.0)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        # A BatchNormalization exported as a per-channel affine pair, as
        # paddle2onnx writes PP-OCR: ares-quantize folds it into conv2.
        helper.make_node("Mul", ["c2", "bn_mul"], ["c2m"], name="bn_mul"),
        helper.make_node("Add", ["bn_add", "c2m"], ["c2a"], name="bn_add"),
        # HardSwish as exporters before opset 14 write it: x * clip(x + 3, 0, 6) / 6,
        # requantized after the Div, as the runtime fuses it into conv2.
        helper.make_node("Add", ["c2a", "three"], ["hs_a"], name="hs_add"),
        helper.make_node("Clip", ["hs_a", "zero", "six"], ["hs_c"], name="hs_clip"),
        helper.make_node("Mul", ["c2a", "hs_c"], ["hs_m"], name="hs_mul"),
        helper.make_node("Div", ["hs_m", "six"], ["hs"], name="hs_div"),
        helper.make_node("Flatten", ["hs"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "w3", "c3"], ["g"], name="gemm", transB=1),
        helper.make_node("Relu", ["g"], ["r2"], name="relu2"),
        helper.make_node("MatMul", ["r2", "w4"], ["y"], name="matmul"),
    ]
    et = TensorProto.FLOAT if dtype == np.float32 else TensorProto.FLOAT16
    g = helper.make_graph(nodes, "small",
                          [helper.make_tensor_value_info("x", et, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("y", et, [1, 10])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m


def neck(rng):
    def init(name, arr):
        return numpy_helper.from_array(np.asarray(arr).astype(np.float32), name)

    inits = [
        init("w1", rng.standard_normal((8, 3, 3, 3)) * 0.3),
        init("bn_s", rng.uniform(0.5, 1.5, 8)), init("bn_b", rng.standard_normal(8) * 0.1),
        init("bn_m", rng.standard_normal(8) * 0.1), init("bn_v", rng.uniform(0.5, 2, 8)),
        init("w2", rng.standard_normal((8, 8, 1, 1)) * 0.3),
        init("w3", rng.standard_normal((4, 8, 3, 3)) * 0.2),
        init("roi", np.zeros(0)), init("sc", [1, 1, 2, 2]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["b1"],
                         name="bn"),
        helper.make_node("Relu", ["b1"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", "w2"], ["c2"], name="conv2"),
        helper.make_node("HardSigmoid", ["c2"], ["g"], name="gate"),
        helper.make_node("Mul", ["r", "g"], ["m"], name="se_mul"),
        helper.make_node("Add", ["r", "m"], ["a"], name="se_add"),
        helper.make_node("Resize", ["a", "roi", "sc"], ["u"], name="up", mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        helper.make_node("Conv", ["u", "w3"], ["y"], name="conv3", pads=[1, 1, 1, 1]),
    ]
    g = helper.make_graph(nodes, "neck",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 32, 32])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m


def opset11(rng, axis):
    inits = [
        numpy_helper.from_array((rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32), "w"),
        numpy_helper.from_array((rng.standard_normal((16, 5)) * 0.3).astype(np.float32), "m"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Softmax", ["c"], ["s"], name="softmax", axis=axis),
        helper.make_node("Unsqueeze", ["s"], ["u"], name="unsqueeze", axes=[0]),
        helper.make_node("Squeeze", ["u"], ["q"], name="squeeze", axes=[0]),
        helper.make_node("MatMul", ["q", "m"], ["y"], name="matmul"),
    ]
    g = helper.make_graph(nodes, "op11",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 16, 5])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 11)])
    m.ir_version = 6
    return m


def image(rng):
    yy, xx = np.mgrid[0:16, 0:16] / 15.0
    chans = []
    for _ in range(3):
        a, b, c = rng.uniform(-1, 1, 3)
        cy, cx = rng.uniform(0, 1, 2)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) * 8)
        chans.append(a * xx + b * yy + c * blob)
    return np.stack(chans)[None].astype(np.float32)


def save(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261205)
    onnx.save(model(rng), os.path.join(out, "small.onnx"))
    onnx.save(model(np.random.default_rng(1), np.float16), os.path.join(out, "small_f16.onnx"))
    onnx.save(opset11(np.random.default_rng(2), 3), os.path.join(out, "op11.onnx"))
    onnx.save(neck(np.random.default_rng(3)), os.path.join(out, "neck.onnx"))
    onnx.save(opset11(np.random.default_rng(2), 1), os.path.join(out, "op11_bad.onnx"))
    for i in range(16):
        save(os.path.join(out, "calib", "%03d" % i, "x.npy"), image(rng))
    save(os.path.join(out, "test", "x.npy"), image(rng))
    save(os.path.join(out, "bad_shape", "x.npy"), np.zeros((1, 3, 16, 8), np.float32))
    os.makedirs(os.path.join(out, "no_input", "000"), exist_ok=True)


if __name__ == "__main__":
    main()
