#!/bin/sh
# QDQ fusion on the int8 engine (device/qdq.c): the models of
# qdq_models.py run wholly on the device (--no-fallback). Each fusable
# Conv/MatMul must run as "fused QDQ on int8", its DequantizeLinear(x) and
# QuantizeLinear gone from the device graph, and its output must be within
# one quantisation step of the CPU's float chain (the bound of device/qdq.c)
# on every element; the share of elements that differ is printed. Each
# refuse_* model must stay unfused with the reason in NAME.why.
#
# Usage: qdq_check.sh BUILD WORKDIR (in the guest: needs the device).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2
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
    good = int(diff.max()) <= 1
    ok = ok and good
    print(f"{'ok  ' if good else 'FAIL'} {n:24s} max |device - CPU| {int(diff.max())} step, "
          f"{np.count_nonzero(diff)} of {diff.size} differ ({100 * np.mean(diff > 0):.2f}%)")
sys.exit(0 if ok else 1)
PY
exit $fail
