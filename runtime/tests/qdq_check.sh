#!/bin/sh
# QDQ fusion on the int8 engine (device/qdq.c): the models of
# qdq_models.py run wholly on the device (--no-fallback). Each fusable
# Conv/MatMul must run as "fused QDQ on int8", its DequantizeLinear(x) and
# QuantizeLinear gone from the device graph, and its output must be within
# one quantisation step of the CPU's float chain (the bound of device/qdq.c)
# on every element; the share of elements that differ is printed. Each
# refuse_* model must stay unfused with the reason in NAME.why.
#
# With MODEL and INPUT (a real f32 model and one input NAME=FILE.npy), the
# model is quantized by ares-quantize (calibrated on INPUT) and run on the
# device fused, on the device unfused (ART_NO_QDQ_FUSION=1) and on the CPU:
# its Conv/MatMul nodes must run fused, and its output stay within cosine
# 0.9999 of the CPU's (the one-step bound holds per fused node; through
# the layers the steps compound, so the whole model is held to cosine).
# The modeled device time of both device runs is printed. Placed by
# benefit (the default), the model must fuse too, with no fused node on
# the CPU, and its output meet the same cosine.
#
# Models elt_* (a DequantizeLinear, Mul/Add/Sub by scalar constants and a
# QuantizeLinear, fused into one ELTWISE AFFINE; or two DequantizeLinear
# into Add/Sub/Mul and a QuantizeLinear, one quantised ELTWISE; or a
# DequantizeLinear, a nearest Resize and a QuantizeLinear onto the same
# grid, one Resize of the 8-bit tensor) must equal the CPU's integers
# exactly. conv_dq_shared: two Convs read one DequantizeLinear, both fuse.
#
# Usage: qdq_check.sh BUILD WORKDIR [MODEL NAME=INPUT.npy]
# (in the guest: needs the device).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2
M=${3:-} IN=${4:-}
rm -rf "$T"
mkdir -p "$T"
/usr/bin/python3 "$here/qdq_models.py" "$T"
fail=0
for x in "$T"/*.x.npy; do
	n=$(basename "$x" .x.npy)
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" --output-dir "$T/$n.cpu" >/dev/null
	if ! "$B/bin/accel-run" "$T/$n.onnx" --device 0 --no-fallback --coverage --input x="$x" \
		--output-dir "$T/$n.dev" >"$T/$n.cov" 2>&1; then
		echo "FAIL $n: device run"
		cat "$T/$n.cov"
		fail=1
		continue
	fi
	if [ -f "$T/$n.why" ]; then
		why=$(cat "$T/$n.why")
		if grep -q "fused QDQ on int8" "$T/$n.cov" ||
			! grep -q "QDQ around it not fused: .*$why" "$T/$n.cov"; then
			echo "FAIL $n: not refused with '$why'"
			cat "$T/$n.cov"
			fail=1
		fi
	elif ! grep -q "fused QDQ on int8" "$T/$n.cov" ||
		grep -Eq "QuantizeLinear|DequantizeLinear.*device" "$T/$n.cov"; then
		echo "FAIL $n: not fused"
		cat "$T/$n.cov"
		fail=1
	else
		echo "$n: $(grep -c "fused QDQ on int8" "$T/$n.cov") node(s) fused QDQ on int8"
	fi
done
/usr/bin/python3 - "$T" <<'PY' || fail=1
import glob
import os
import sys
import numpy as np
T = sys.argv[1]
ok = True
for x in sorted(glob.glob(os.path.join(T, "*.x.npy"))):
    n = os.path.basename(x)[:-6]
    f = os.path.join(T, n + ".dev", "y.npy")
    if not os.path.exists(f):
        ok = False
        continue
    d, c = np.load(f), np.load(os.path.join(T, n + ".cpu", "y.npy"))
    if d.dtype != c.dtype or d.shape != c.shape:
        ok = False
        print(f"FAIL {n:24s} device {d.dtype} {d.shape}, CPU {c.dtype} {c.shape}")
        continue
    diff = np.abs(d.astype(np.int32) - c.astype(np.int32))
    # elt_*: DQ -> scalar Mul/Add -> Q as one ELTWISE AFFINE rounds at the
    # chain's own steps, so the integers are the CPU's exactly.
    good = int(diff.max()) <= (0 if n.startswith("elt_") else 1)
    ok = ok and good
    print(f"{'ok  ' if good else 'FAIL'} {n:24s} max |device - CPU| {int(diff.max())} step, "
          f"{np.count_nonzero(diff)} of {diff.size} differ ({100 * np.mean(diff > 0):.2f}%)")
sys.exit(0 if ok else 1)
PY
# A fused node on the CPU: fallback_* declare x without a shape and get a
# rank-7 input, which the plan refuses at run time (hw-spec's rank 6), so
# the fused partition falls back to the CPU (forced device placement
# without --no-fallback) and runs the fused node's own kernel: one node
# left of the chain, no device command in its profile, the chain's
# integers exactly.
for x in "$T"/*.x7.npy; do
	n=$(basename "$x" .x7.npy)
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" --output-dir "$T/$n.cpu" >/dev/null
	if "$B/bin/accel-run" "$T/$n.onnx" --device 0 --placement device --coverage \
		--profile "$T/$n.json" --input x="$x" --output-dir "$T/$n.dev" >"$T/$n.cov" 2>&1 &&
		grep -q "nodes loaded, 1 after optimisation" "$T/$n.cov" && cmp -s "$T/$n.cpu/y.npy" "$T/$n.dev/y.npy" &&
		/usr/bin/python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
sys.exit(any(e.get("ph") == "X" and e.get("tid") == 3 for e in ev))' "$T/$n.json"; then
		echo "ok   $n: fused, run on the CPU by its fallback, equal to the chain"
	else
		echo "FAIL $n: not fused, not fallen back, or not the chain's integers"
		cat "$T/$n.cov"
		fail=1
	fi
done
[ -n "$M" ] || exit $fail
mkdir -p "$T/real/calib"
cp "${IN#*=}" "$T/real/calib/${IN%%=*}.npy"
q=$T/real/int8.onnx
if ! "$B/bin/ares-quantize" --quiet --threads 1 "$M" "$T/real/calib" "$q" >"$T/real/log" 2>&1; then
	echo "FAIL ares-quantize $M:"
	cat "$T/real/log"
	exit 1
fi
"$B/bin/accel-run" "$q" --cpu --input "$IN" --output-dir "$T/real/cpu" >/dev/null
"$B/bin/accel-run" "$q" --device 0 --placement device --no-fallback --coverage \
	--profile "$T/real/fused.json" --input "$IN" --output-dir "$T/real/fused" >"$T/real/cov"
ART_NO_QDQ_FUSION=1 "$B/bin/accel-run" "$q" --device 0 --placement device --no-fallback \
	--profile "$T/real/unfused.json" --input "$IN" --output-dir "$T/real/unfused" >/dev/null
"$B/bin/accel-run" "$q" --device 0 --placement benefit --coverage --input "$IN" \
	--output-dir "$T/real/benefit" >"$T/real/cov.benefit"
nf=$(grep -c "fused QDQ on int8" "$T/real/cov" || true)
nb=$(grep -c "fused QDQ on int8" "$T/real/cov.benefit" || true)
echo "$(basename "$M") int8 (ares-quantize): $nf node(s) fused QDQ on int8;" \
	"$(grep -c "QDQ around it not fused" "$T/real/cov" || true) left unfused;" \
	"$nb fused under placement by benefit"
grep "QDQ around it not fused" "$T/real/cov" || true
[ "$nf" -gt 0 ] || fail=1
# By benefit, the cost model places the float chain first; fusing must
# then leave no fused node on the CPU and no Q/DQ of a fused pattern.
if [ "$nb" -eq 0 ] || grep "fused QDQ" "$T/real/cov.benefit" | grep -q " cpu "; then
	echo "FAIL placement by benefit: $nb fused, or a fused node on the CPU"
	cat "$T/real/cov.benefit"
	fail=1
fi
/usr/bin/python3 - "$T/real" <<'PY' || fail=1
import glob
import json
import os
import sys
import numpy as np
T = sys.argv[1]
ok = True
for f in sorted(glob.glob(os.path.join(T, "cpu", "*.npy"))):
    c = np.load(f).astype(np.float64).ravel()
    for run in ("fused", "benefit"):
        d = np.load(os.path.join(T, run, os.path.basename(f))).astype(np.float64).ravel()
        cos = float(c @ d / (np.linalg.norm(c) * np.linalg.norm(d)))
        good = cos >= 0.9999
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {os.path.basename(f)}: {run} device vs CPU "
              f"cosine {cos:.6f}, max |diff| {np.abs(c - d).max():.4g} "
              f"(max |CPU| {np.abs(c).max():.4g})")
def modeled(j):
    ev = json.load(open(os.path.join(T, j)))["traceEvents"]
    m = [e for e in ev if e.get("ph") == "X" and e.get("tid") == 3]
    return sum(e["args"]["modeled_ns"] for e in m) / 1e3, len(m)
(fu, fn), (uu, un) = modeled("fused.json"), modeled("unfused.json")
print(f"modeled device time: fused {fu:.1f} us ({fn} commands), unfused {uu:.1f} us "
      f"({un} commands), fused/unfused {fu / uu:.3f}")
sys.exit(0 if ok else 1)
PY
exit $fail
