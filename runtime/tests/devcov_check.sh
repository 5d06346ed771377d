#!/bin/sh
# The device forms composed from existing commands, in the shapes and
# attributes the ONNX backend suite leaves out (devcov_models.py): each
# model runs wholly on the device and on the CPU (no graph optimisation),
# and every output must agree: integer outputs (MaxPool's Indices, 8-bit
# pools) exactly, float ones at rtol 1e-4 / atol 1e-5 (npy-compare).
#
# Usage: devcov_check.sh BUILD WORKDIR (in the guest: needs the device).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2
/usr/bin/python3 "$here/devcov_models.py" "$T"
fail=0
for m in "$T"/*.onnx; do
	n=$(basename "$m" .onnx)
	set --
	for f in "$T/$n".in.*.npy; do
		[ -f "$f" ] || continue
		i=${f#"$T/$n.in."}
		set -- "$@" --input "${i%.npy}=$f"
	done
	if ! "$B/bin/accel-run" "$m" --device 0 --no-fallback --placement device --coverage \
		"$@" --output-dir "$T/$n.dev" >"$T/$n.cov" 2>&1 ||
		! grep -q '^coverage: \([0-9]*\) of \1 nodes on the device' "$T/$n.cov"; then
		echo "FAIL $n: not wholly on the device"
		cat "$T/$n.cov"
		fail=1
		continue
	fi
	"$B/bin/accel-run" "$m" --cpu --no-opt "$@" --output-dir "$T/$n.cpu" >/dev/null
	for o in $(cat "$T/$n.outs"); do
		if "$B/bin/npy-compare" --rtol 1e-4 --atol 1e-5 --label "$n $o" \
			"$T/$n.cpu/$o.npy" "$T/$n.dev/$o.npy"; then
			echo "ok   $n $o"
		else
			fail=1
		fi
	done
done
exit $fail
