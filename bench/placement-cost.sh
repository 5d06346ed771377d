#!/bin/sh
# The CPU side of the placement cost model (runtime/src/device/cost_model.c):
# one-node models through accel-run --cpu --threads 1, medians of RUNS runs
# (default 20), and the rates they give:
#   add1     a 1-element Add: the per-node cost
#   conv     Conv 64->64 channels, 3x3, 56x56 (115.6M MACs): FLOP/ns (oneDNN)
#   relu     Relu over 1M floats (2M elements read and written): elements/ns
#            of the plain loops, which run every op but Conv, MatMul, Gemm
#            and binary arithmetic
#   sigmoid  the same with an exp per element, for contrast
# A median includes the run's fixed cost (setting inputs, the run call),
# which add1 measures, so the rates subtract it.
# Usage: bench/placement-cost.sh [BUILD_DIR] [RUNS]
set -u
cd "$(dirname "$0")/.." || exit 1
B=${1:-build}
RUNS=${2:-20}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 - "$T" <<'PY' || exit 1
import sys
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]


def model(name, node, inputs, outputs, inits=()):
    g = helper.make_graph([node], name, inputs, outputs, list(inits))
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), f"{out}/{name}.onnx")


def t(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


model("add1", helper.make_node("Add", ["a", "b"], ["y"]), [t("a", [1]), t("b", [1])], [t("y", [1])])
w = numpy_helper.from_array(np.random.default_rng(1).uniform(-1, 1, (64, 64, 3, 3)).astype(np.float32), "w")
model("conv", helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1]),
      [t("x", [1, 64, 56, 56])], [t("y", [1, 64, 56, 56])], [w])
model("relu", helper.make_node("Relu", ["x"], ["y"]), [t("x", [1 << 20])], [t("y", [1 << 20])])
model("sigmoid", helper.make_node("Sigmoid", ["x"], ["y"]), [t("x", [1 << 20])], [t("y", [1 << 20])])
PY
med() { # MODEL: the median in ms of RUNS runs on one CPU thread
	"$B/bin/accel-run" --cpu --threads 1 --bench "$RUNS" "$T/$1.onnx" 2>/dev/null |
		sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'
}
add1=$(med add1)
conv=$(med conv)
relu=$(med relu)
sig=$(med sigmoid)
echo "placement-cost: medians of $RUNS runs, 1 thread: add1 $add1 ms, conv $conv ms," \
	"relu $relu ms, sigmoid $sig ms"
awk -v a="$add1" -v c="$conv" -v r="$relu" -v s="$sig" 'BEGIN {
	printf "placement-cost: per node %.0f ns, conv %.1f FLOP/ns, relu %.2f elements/ns, " \
		"sigmoid %.2f elements/ns\n", a * 1e6, 2 * 64 * 64 * 9 * 56 * 56 / ((c - a) * 1e6),
		2 * 1048576 / ((r - a) * 1e6), 2 * 1048576 / ((s - a) * 1e6)
}'
