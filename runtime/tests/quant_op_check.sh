#!/bin/sh
# Every QOperator form on the int8 engine: the models of quant_models.py
# (QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger over uint8 and
# int8, per-tensor and per-channel, zero points, bias, groups, odd shapes)
# run wholly on the device (--no-fallback) and must equal the CPU path's
# output bit for bit, and numpy's reference (ONNX Runtime's arithmetic).
#
# Usage: quant_op_check.sh BUILD WORKDIR (in the guest: needs the device).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2
rm -rf "$T"
mkdir -p "$T"
/usr/bin/python3 "$here/quant_models.py" "$T"
fail=0
for x in "$T"/*.x.npy; do
	n=$(basename "$x" .x.npy)
	if grep -qx "$n" "$T/cpu-only.txt" 2>/dev/null; then
		echo "SKIP $n: the device lacks it (cpu-only.txt)"
		continue
	fi
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" --output-dir "$T/$n.cpu" >/dev/null
	"$B/bin/accel-run" "$T/$n.onnx" --device 0 --no-fallback --coverage --input x="$x" \
		--output-dir "$T/$n.dev" >"$T/$n.cov" 2>&1 && continue
	echo "FAIL $n:"
	cat "$T/$n.cov"
	fail=1
done
/usr/bin/python3 - "$T" <<'PY' || fail=1
import glob
import os
import sys
import numpy as np
T = sys.argv[1]
ok = True
cpu_only = os.path.join(T, "cpu-only.txt")
skip = set(open(cpu_only).read().split()) if os.path.exists(cpu_only) else set()
for x in sorted(glob.glob(os.path.join(T, "*.x.npy"))):
    n = os.path.basename(x)[:-6]
    if n in skip:
        continue
    f = os.path.join(T, n + ".dev", "y.npy")
    if not os.path.exists(f):
        ok = False
        continue
    d, c = np.load(f), np.load(os.path.join(T, n + ".cpu", "y.npy"))
    r = np.load(os.path.join(T, n + ".ref.npy"))
    same = all(a.dtype == d.dtype and a.shape == d.shape and np.array_equal(a, d)
               for a in (c, r))
    ok = ok and same
    print(f"{'ok  ' if same else 'FAIL'} {n:28s} device == CPU == numpy {d.dtype} {d.shape}"
          + ("" if same else f" (CPU {c.dtype} {c.shape})"))
sys.exit(0 if ok else 1)
PY
exit $fail
