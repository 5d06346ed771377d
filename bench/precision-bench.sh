#!/bin/sh
# Figures, not assertions: the reduced-precision mode on the device, for
# the OCR detector and recognizer on the line `make run` renders
# (tests/models/make-inputs.py), f32 against --precision bf16 (and f16):
# the device's modeled time (the sum of the modeled_ns of the run's device
# commands in accel-run --profile: hw-spec §14's model, deterministic), of
# which the ConvTranspose nodes (f32 on the device in every mode), the
# emulator's time for the same commands (their measured_ns, in the last,
# warm, run of a process; median over RUNS processes) and the median of
# those processes' accel-run --bench 3 medians of the whole run. Run it in
# the guest:
#   scripts/vm-run.sh --timeout 1800 -- bench/precision-bench.sh [RUNS] [MODEL_DIR]
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
RUNS=${1:-5}
M=${2:-${ARES_MODEL_CACHE:-$B/models}/ocr/assets}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 tests/models/make-inputs.py "$T/in" "Ares NPU 2026" >/dev/null
printf '%-4s %-5s %11s %9s %12s %8s %6s\n' model prec modeled_ms convt_ms emulator_ms run_ms nodes
for m in det rec; do
	f=$M/ch_PP-OCRv4_${m}_infer.onnx
	for p in f32 bf16 f16; do
		i=0
		: >"$T/meas"
		while [ $i -lt "$RUNS" ]; do
			"$B/bin/accel-run" "$f" --device 0 --precision $p --input x="$T/in/$m/in/x.npy" \
				--bench 3 --coverage --profile "$T/p.json" >"$T/cov"
			run=$(sed -n 's/^bench: .*median \([0-9.]*\) ms.*/\1/p' "$T/cov")
			/usr/bin/python3 -c '
import json, sys
ev = [e for e in json.load(open(sys.argv[1]))["traceEvents"] if e.get("ph") == "X"]
mod = [e for e in ev if e["tid"] == 3]
print(sum(e["args"]["modeled_ns"] for e in mod) / 1e6,
      sum(e["args"]["modeled_ns"] for e in mod if e["cat"] == "ConvTranspose") / 1e6,
      sum(e["args"]["measured_ns"] for e in ev if e["tid"] == 2) / 1e6, sys.argv[2])' \
				"$T/p.json" "$run" >>"$T/meas"
			i=$((i + 1))
		done
		red=$(sed -n 's/^precision: \([0-9]*\) nodes.*/\1/p' "$T/cov")
		sort -n -k3 "$T/meas" >"$T/m3"
		sort -n -k4 "$T/meas" | awk '{ print $4 }' >"$T/m4"
		paste "$T/m3" "$T/m4" | awk -v m=$m -v p=$p -v red="${red:-0}" \
			'{ mod[NR] = $1; ct[NR] = $2; meas[NR] = $3; run[NR] = $5 }
			END { k = int((NR + 1) / 2)
			      printf "%-4s %-5s %11.3f %9.3f %12.1f %8.1f %6d\n", m, p, mod[1], ct[1],
			      meas[k], run[k], red }'
	done
done
