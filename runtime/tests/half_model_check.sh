#!/bin/sh
# A real f32 model converted to float16 by to_float16.py, run wholly on
# the device, against onnxruntime-node running the same float16 file and
# the CPU path running the f32 original (the CPU kernels take no float16
# Conv). Tolerances from float16's unit roundoff u = 2^-11, the tensor
# engine accumulating in f32 (runtime/README.md, "float16 and bfloat16 on
# the device"):
#   device vs ORT float16: |d - r| <= 16 u max|r| for every element
#   device vs CPU f32:     |d - c| <= 2^-5 max|c| and cosine >= 0.9999
#
# Usage: half_model_check.sh BUILD MODEL.onnx INPUT_NAME INPUT.npy WORKDIR [ORT_DIR]
# (in the guest: needs the device). Prints the measured errors.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 model=$2 name=$3 input=$4 T=$5 ort=${6:-}
mkdir -p "$T/dev" "$T/cpu"
/usr/bin/python3 "$here/to_float16.py" "$model" "$T/m16.onnx" --input "$input" "$T/in16.npy"
# Every node on the device: the run fails rather than fall back.
"$B/bin/accel-run" "$T/m16.onnx" --device 0 --no-fallback --coverage \
	--input "$name=$T/in16.npy" --output-dir "$T/dev" >"$T/cov"
grep -c ' device ' "$T/cov" | sed 's/^/nodes on the device: /'
"$B/bin/accel-run" "$model" --cpu --input "$name=$input" --output-dir "$T/cpu" >/dev/null
set -- "$T/dev"/*.npy
[ $# -eq 1 ] || { echo "expected one output, got: $*"; exit 1; }
out=$(basename "$1")
ref=
if [ -n "$ort" ] && [ -d "$ort" ] && command -v node >/dev/null; then
	node "$here/ort_half.mjs" "$ort" "$T/m16.onnx" "$name" "$T/in16.npy" "$T/ort16.npy"
	ref=$T/ort16.npy
fi
/usr/bin/python3 - "$T/dev/$out" "$T/cpu/$out" "$ref" <<'PY'
import sys
import numpy as np
d = np.load(sys.argv[1])
c = np.load(sys.argv[2]).astype(np.float64)
if d.dtype != np.float16 or d.shape != c.shape:
    sys.exit(f"device output {d.dtype} {d.shape}, CPU f32 {c.shape}")
d = d.astype(np.float64)
u = 2.0 ** -11
ok = True
cos = float(d.ravel() @ c.ravel() / np.linalg.norm(d) / np.linalg.norm(c))
err = float(np.abs(d - c).max()) / float(np.abs(c).max())
print(f"device f16 vs CPU f32: max|d-c|/max|c| = {err:.3e} (limit {2**-5:.3e}), cosine {cos:.7f} (limit 0.9999)")
ok &= err <= 2 ** -5 and cos >= 0.9999
if sys.argv[3]:
    r = np.load(sys.argv[3]).astype(np.float64)
    e = float(np.abs(d - r).max()) / float(np.abs(r).max())
    print(f"device f16 vs ORT f16: max|d-r|/max|r| = {e:.3e} = {e / u:.2f} u (limit 16 u)")
    ok &= e <= 16 * u
else:
    print("device f16 vs ORT f16: not run (no onnxruntime-node)")
sys.exit(0 if ok else 1)
PY
