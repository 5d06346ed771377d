#!/bin/sh
# Figures, not assertions: one convolution layer on the CPU path, as
# QOperator int8 (QLinearConv: uint8 activations, int8 per-channel
# weights, int32 bias) and as f32 (Conv), both on oneDNN, and the int8
# one on the reference loops (--reference). The layer is
# quant-conv-bench.sh's: x [1, 64, 56, 56], 64 filters 3x3, pad 1. Each
# op's time is its node's from accel-run --profile (the last of --bench
# runs), the median over REPEATS such runs (the loops: one run, they take
# seconds), at 1 and 2 threads; then int8 / f32 and loops / int8.
#
#   bench/quant-cpu-bench.sh [REPEATS]
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
R=${1:-7}
T=$(mktemp -d /tmp/qcpubench.XXXXXX)
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


def model(name, nodes, inits):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, H])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, M, H, H])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(T, name + ".onnx"))


A = numpy_helper.from_array
model("f32", [helper.make_node("Conv", ["x", "W", "B"], ["y"], pads=[1, 1, 1, 1])],
      [A(w, "W"), A(b, "B")])
xs = np.float32(1 / 255)
ws = (np.abs(w).reshape(M, -1).max(1) / 127).astype(np.float32)
wq = np.clip(np.rint(w / ws.reshape(M, 1, 1, 1)), -127, 127).astype(np.int8)
bq = np.rint(b / (xs * ws)).astype(np.int32)
model("int8", [
    helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
    helper.make_node("QLinearConv", ["xq", "xs", "xz", "W", "ws", "wz", "ys", "yz", "B"], ["yq"],
                     pads=[1, 1, 1, 1]),
    helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])],
    [A(xs, "xs"), A(np.uint8(0), "xz"), A(wq, "W"), A(ws, "ws"), A(np.zeros(M, np.int8), "wz"),
     A(np.float32(0.02), "ys"), A(np.uint8(0), "yz"), A(bq, "B")])
PY
run() { # NAME THREADS MODEL REPEATS [ARGS...]
	name=$1 th=$2 model=$3 reps=$4
	shift 4
	i=0
	while [ "$i" -lt "$reps" ]; do
		"$B/bin/accel-run" --cpu --threads "$th" --bench 3 --input x="$T/x.npy" \
			--profile "$T/$name.$th.$i.json" "$@" "$T/$model.onnx" >/dev/null
		i=$((i + 1))
	done
}
for th in 1 2; do
	run int8 "$th" int8 "$R"
	run f32 "$th" f32 "$R"
	run loops "$th" int8 1 --reference
done
/usr/bin/python3 - "$T" <<'PY'
import glob
import json
import os
import statistics
import sys
T = sys.argv[1]


def node_ms(name, th, op):
    v = []
    for f in glob.glob(os.path.join(T, f"{name}.{th}.*.json")):
        d = json.load(open(f))
        ev = d["traceEvents"] if isinstance(d, dict) else d
        v += [e["dur"] / 1e3 for e in ev if e.get("ph") == "X" and f"({op}," in e["name"]]
    return statistics.median(v)


for th in (1, 2):
    q = node_ms("int8", th, "QLinearConv")
    f = node_ms("f32", th, "Conv")
    lo = node_ms("loops", th, "QLinearConv")
    print(f"threads {th}: QLinearConv oneDNN {q:8.2f} ms  Conv f32 oneDNN {f:8.2f} ms  "
          f"QLinearConv loops {lo:9.1f} ms  int8/f32 {q / f:5.2f}x  loops/int8 {lo / q:6.0f}x")
PY
