#!/bin/sh
# Each device form in float16 and bfloat16: the models of half_op_models.py,
# converted there by to_float16.py (f32 input and output, a Cast at each),
# run wholly on the device, against the CPU's run of the f32 original. A
# form rounds its inputs, weights and output to the unit roundoff u
# (float16 2^-11, bfloat16 2^-8) and sums in f32, so relative to the
# output's largest magnitude an output is off by a few u (at most 1.8 u
# measured, for Sigmoid then Mul, three roundings in a row); the limit is
# 8 u, and the measured errors are printed.
#
# Usage: half_op_check.sh BUILD WORKDIR (in the guest: needs the device).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2
/usr/bin/python3 "$here/half_op_models.py" "$T"
fail=0
for x in "$T"/*.x.npy; do
	n=$(basename "$x" .x.npy)
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" --output-dir "$T/$n.cpu" >/dev/null
	for dt in float16 bfloat16; do
		"$B/bin/accel-run" "$T/$n.$dt.onnx" --device 0 --no-fallback --coverage \
			--input x="$x" --output-dir "$T/$n.$dt" >"$T/$n.$dt.cov" 2>&1 && continue
		echo "FAIL $n $dt:"
		cat "$T/$n.$dt.cov"
		fail=1
	done
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
    c = np.load(os.path.join(T, n + ".cpu", "y.npy")).astype(np.float64)
    for dt, u in (("float16", 2.0 ** -11), ("bfloat16", 2.0 ** -8)):
        f = os.path.join(T, f"{n}.{dt}", "y.npy")
        if not os.path.exists(f):
            ok = False
            continue
        d = np.load(f).astype(np.float64)
        if d.shape != c.shape:
            print(f"FAIL {n} {dt}: shape {d.shape}, CPU {c.shape}")
            ok = False
            continue
        e = float(np.abs(d - c).max()) / float(np.abs(c).max())
        good = e <= 8 * u
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {n:24s} {dt:8s} max|d-c|/max|c| = {e:.2e} = {e / u:5.2f} u")
sys.exit(0 if ok else 1)
PY
exit $fail
