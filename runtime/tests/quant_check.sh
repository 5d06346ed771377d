#!/bin/sh
# The CPU path's QOperator kernels against two references, bit for bit:
# numpy's computation of ONNX Runtime's arithmetic for every model of
# quant_models.py, and onnxruntime-node itself for those it runs
# (ort-models.txt). ORT_DIR: onnxruntime-node's module folder (fetched by
# scripts/fetch-models.sh into $ARES_MODEL_CACHE/ort); without it the ORT
# comparison says SKIP and the numpy one still runs. The fast CPU path
# (oneDNN's integer products) is also held to the reference loops
# (--reference), bit for bit.
#
# Usage: quant_check.sh BUILD WORKDIR [ORT_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2 ORT=${3:-}
rm -rf "$T"
mkdir -p "$T"
/usr/bin/python3 "$here/quant_models.py" "$T"
fail=0
for x in "$T"/*.x.npy; do
	n=$(basename "$x" .x.npy)
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" --output-dir "$T/$n.cpu" >/dev/null ||
		{ echo "FAIL $n: the CPU path refused it"; fail=1; }
	"$B/bin/accel-run" "$T/$n.onnx" --cpu --reference --input x="$x" \
		--output-dir "$T/$n.loops" >/dev/null ||
		{ echo "FAIL $n: the reference loops refused it"; fail=1; }
done
# The *_sym_* models are the form oneDNN takes (int8 weights, zero point
# 0): on a host with VNNI their products must run there, or the
# comparison with the loops above compares the loops with themselves.
if grep -qE 'avx512_vnni|avx_vnni' /proc/cpuinfo; then
	for x in "$T"/*_sym_*.x.npy; do
		n=$(basename "$x" .x.npy)
		DNNL_VERBOSE=1 "$B/bin/accel-run" "$T/$n.onnx" --cpu --input x="$x" 2>&1 |
			grep -qE '^(dnnl|onednn)_verbose,exec,cpu,(convolution|matmul),' ||
			{ echo "FAIL $n: its integer product did not run on oneDNN"; fail=1; }
	done
else
	echo "SKIP oneDNN coverage of the *_sym_* models: no VNNI, the loops run them"
fi
if [ -n "$ORT" ] && [ -d "$ORT" ]; then
	while read -r n; do
		node "$here/ort_quant.mjs" "$ORT" "$T/$n.onnx" x "$T/$n.x.npy" "$T/$n.ort.npy" ||
			{ echo "FAIL $n: onnxruntime-node refused it"; fail=1; }
	done <"$T/ort-models.txt"
else
	echo "SKIP onnxruntime-node comparison: no module folder given"
fi
/usr/bin/python3 - "$T" <<'PY' || fail=1
import glob
import os
import sys
import numpy as np
T = sys.argv[1]
ok = True
for x in sorted(glob.glob(os.path.join(T, "*.x.npy"))):
    n = os.path.basename(x)[:-6]
    f = os.path.join(T, n + ".cpu", "y.npy")
    if not os.path.exists(f):
        ok = False
        continue
    c = np.load(f)
    for ref in ("ref", "ort", "loops"):
        rf = os.path.join(T, f"{n}.{ref}.npy") if ref != "loops" else \
            os.path.join(T, f"{n}.loops", "y.npy")
        if not os.path.exists(rf):
            continue
        r = np.load(rf)
        same = c.dtype == r.dtype and c.shape == r.shape and np.array_equal(c, r)
        ok = ok and same
        sat = np.isin(r, [np.iinfo(r.dtype).min, np.iinfo(r.dtype).max]).mean() if r.dtype in (np.uint8, np.int8) else 0
        print(f"{'ok  ' if same else 'FAIL'} {n:28s} CPU == {ref} {str(r.dtype):6s} {str(r.shape):16s}"
              f" saturated {sat:4.0%}" + ("" if same else
              f" (shape {c.shape} dtype {c.dtype}, {int(np.sum(c != r)) if c.shape == r.shape else -1} differ)"))
sys.exit(0 if ok else 1)
PY
exit $fail
