#!/bin/sh
# Figures, not assertions: the device's modeled time (docs/hw-spec.md §14,
# from accel-run --profile's PROFILE records) of one convolution layer in
# f32 and as QOperator int8, wholly on the device. The layer: x [1, 64,
# 56, 56], 64 filters 3x3, pad 1, bias, Relu (f32: Conv with the Relu
# fused); int8: QuantizeLinear, QLinearConv (uint8 activations, int8
# per-channel weights, int32 bias), DequantizeLinear. Prints each
# command's modeled time, the totals, and int8 / f32 for the convolution
# alone and for the layer with its Q and DQ. Run in the guest:
#
#   scripts/vm-run.sh -- bench/quant-conv-bench.sh
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
T=$(mktemp -d /tmp/qconvbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 - "$T" <<'PY'
import os
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
T = sys.argv[1]
rng = np.random.default_rng(7)
C, M, H = 64, 64, 56
x = rng.uniform(0, 1, [1, C, H, H]).astype(np.float32)
w = rng.normal(0, 0.05, [M, C, 3, 3]).astype(np.float32)
b = rng.normal(0, 0.1, [M]).astype(np.float32)
np.save(os.path.join(T, "x.npy"), x)


def model(name, nodes, inits, y_type=TensorProto.FLOAT):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, H])],
                          [helper.make_tensor_value_info("y", y_type, [1, M, H, H])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(T, name + ".onnx"))


A = numpy_helper.from_array
model("f32", [helper.make_node("Conv", ["x", "W", "B"], ["t"], pads=[1, 1, 1, 1]),
              helper.make_node("Relu", ["t"], ["y"])], [A(w, "W"), A(b, "B")])
xs = np.float32(1 / 255)
ws = (np.abs(w).reshape(M, -1).max(1) / 127).astype(np.float32)
wq = np.clip(np.rint(w / ws.reshape(M, 1, 1, 1)), -127, 127).astype(np.int8)
bq = np.rint(b / (xs * ws)).astype(np.int32)
ys = np.float32(0.02)
model("int8", [
    helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
    helper.make_node("QLinearConv", ["xq", "xs", "xz", "W", "ws", "wz", "ys", "yz", "B"], ["yq"],
                     pads=[1, 1, 1, 1]),
    helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])],
    [A(xs, "xs"), A(np.uint8(0), "xz"), A(wq, "W"), A(ws, "ws"), A(np.zeros(M, np.int8), "wz"),
     A(ys, "ys"), A(np.uint8(0), "yz"), A(bq, "B")])
PY
for m in f32 int8; do
	"$B/bin/accel-run" --device 0 --no-fallback --profile "$T/$m.json" --input x="$T/x.npy" \
		--output-dir "$T/$m.out" "$T/$m.onnx" >/dev/null
done
/usr/bin/python3 - "$T" <<'PY'
import json
import os
import sys
import numpy as np
T = sys.argv[1]
tot = {}
for m in ("f32", "int8"):
    with open(os.path.join(T, m + ".json")) as f:
        ev = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X" and e["tid"] == 3]
    tot[m] = {}
    for e in ev:
        ns = e["args"]["modeled_ns"]
        tot[m][e["cat"]] = tot[m].get(e["cat"], 0) + ns
        print(f"{m:5s} {e['cat']:18s} modeled {ns / 1e3:9.1f} us")
    print(f"{m:5s} {'total':18s} modeled {sum(tot[m].values()) / 1e3:9.1f} us")
conv = tot["int8"]["QLinearConv"] / tot["f32"]["Conv"]
layer = sum(tot["int8"].values()) / sum(tot["f32"].values())
print(f"int8 / f32 modeled: convolution {conv:.3f}x, layer with Q and DQ {layer:.3f}x")
a = np.load(os.path.join(T, "f32.out", "y.npy"))
b = np.load(os.path.join(T, "int8.out", "y.npy"))
print(f"int8 layer vs f32: max |diff| {np.abs(a - b).max():.4f} (output step {0.02})")
PY
