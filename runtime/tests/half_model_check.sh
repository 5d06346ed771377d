#!/bin/sh
# A real f32 model converted to float16 and to bfloat16 by to_float16.py,
# each run wholly on the device, against onnxruntime-node running the same
# float16 file (ORT has no bfloat16 Conv) and the CPU path running the f32
# original (the CPU kernels take no 16-bit Conv). Tolerances from the
# unit roundoff u (float16 2^-11, bfloat16 2^-8), the tensor engine
# accumulating in f32 (runtime/README.md, "float16 and bfloat16 on the
# device"), for every element:
#   device vs ORT float16: |d - r| <= 16 u max|r|
#   device vs CPU f32:     |d - c| <= 64 u max|c|, and cosine >= 0.9999
#                          (float16) or 0.999 (bfloat16)
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
grep '^coverage:' "$T/cov"
"$B/bin/accel-run" "$model" --cpu --input "$name=$input" --output-dir "$T/cpu" >/dev/null
set -- "$T/dev"/*.npy
[ $# -eq 1 ] || { echo "expected one output, got: $*"; exit 1; }
out=$(basename "$1")
ref=
if [ -n "$ort" ] && [ -d "$ort" ] && command -v node >/dev/null; then
	node "$here/ort_half.mjs" "$ort" "$T/m16.onnx" "$name" "$T/in16.npy" "$T/ort16.npy"
	ref=$T/ort16.npy
fi
compare() { # NAME DEVICE.npy CPU.npy U COSINE [ORT.npy]
	/usr/bin/python3 - "$@" <<'PY'
import sys
import numpy as np
name = sys.argv.pop(1)
d, c = np.load(sys.argv[1]), np.load(sys.argv[2]).astype(np.float64)
u, cmin = float(sys.argv[3]), float(sys.argv[4])
if d.shape != c.shape:
    sys.exit(f"device output {d.dtype} {d.shape}, CPU f32 {c.shape}")
d = d.astype(np.float64)
cos = float(d.ravel() @ c.ravel() / np.linalg.norm(d) / np.linalg.norm(c))
err = float(np.abs(d - c).max()) / float(np.abs(c).max())
print(f"device {name} vs CPU f32: max|d-c|/max|c| = {err:.3e} = {err / u:.1f} u (limit 64 u), "
      f"cosine {cos:.7f} (limit {cmin})")
ok = err <= 64 * u and cos >= cmin
if len(sys.argv) > 5:
    r = np.load(sys.argv[5]).astype(np.float64)
    e = float(np.abs(d - r).max()) / float(np.abs(r).max())
    print(f"device {name} vs ORT {name}: max|d-r|/max|r| = {e:.3e} = {e / u:.2f} u (limit 16 u)")
    ok = ok and e <= 16 * u
sys.exit(0 if ok else 1)
PY
}
compare f16 "$T/dev/$out" "$T/cpu/$out" 0.00048828125 0.9999 $ref

# bfloat16: f32 graph input and output, a Cast at each on the device.
mkdir -p "$T/bf"
/usr/bin/python3 "$here/to_float16.py" --bfloat16 "$model" "$T/mbf.onnx"
"$B/bin/accel-run" "$T/mbf.onnx" --device 0 --no-fallback --coverage \
	--input "$name=$input" --output-dir "$T/bf" >"$T/covbf"
grep '^coverage:' "$T/covbf"
compare bf16 "$T/bf/$out" "$T/cpu/$out" 0.00390625 0.999
