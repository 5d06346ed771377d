#!/bin/sh
# Figures, not assertions: the reduced-precision mode on the device, for
# the OCR detector and recognizer on the line `make run` renders
# (tests/models/make-inputs.py), f32 against --precision bf16 (and f16):
# the device's modeled time (the sum of the modeled_ns of the run's device
# commands in accel-run --profile: hw-spec §14's model, deterministic),
# the emulator's time for the same commands (their measured_ns, the
# median over RUNS profiled runs), and accel-run --bench's median latency
# of the whole run. Run it in the guest:
#   scripts/vm-run.sh --timeout 1800 -- bench/precision-bench.sh [RUNS] [MODEL_DIR]
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
RUNS=${1:-5}
M=${2:-${ARES_MODEL_CACHE:-$B/models}/ocr/assets}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 tests/models/make-inputs.py "$T/in" "Ares NPU 2026" >/dev/null
printf '%-4s %-5s %12s %14s %12s %6s\n' model prec modeled_ms emulator_ms run_ms nodes
for m in det rec; do
	f=$M/ch_PP-OCRv4_${m}_infer.onnx
	for p in f32 bf16 f16; do
		i=0
		: >"$T/meas"
		while [ $i -lt "$RUNS" ]; do
			"$B/bin/accel-run" "$f" --device 0 --precision $p --input x="$T/in/$m/in/x.npy" \
				--profile "$T/p.json" >/dev/null
			/usr/bin/python3 -c '
import json, sys
ev = [e for e in json.load(open(sys.argv[1]))["traceEvents"] if e.get("ph") == "X"]
print(sum(e["args"]["modeled_ns"] for e in ev if e["tid"] == 3) / 1e6,
      sum(e["args"]["measured_ns"] for e in ev if e["tid"] == 2) / 1e6)' "$T/p.json" >>"$T/meas"
			i=$((i + 1))
		done
		run=$("$B/bin/accel-run" "$f" --device 0 --precision $p --input x="$T/in/$m/in/x.npy" \
			--bench "$RUNS" --coverage | tee "$T/cov" | sed -n 's/^bench: .*median \([0-9.]*\) ms.*/\1/p')
		red=$(sed -n 's/^precision: \([0-9]*\) nodes.*/\1/p' "$T/cov")
		sort -n -k2 "$T/meas" | awk -v m=$m -v p=$p -v run="$run" -v red="${red:-0}" \
			'{ mod[NR] = $1; meas[NR] = $2 }
			END { printf "%-4s %-5s %12.3f %14.1f %12.1f %6d\n", m, p, mod[1],
			      meas[int((NR + 1) / 2)], run, red }'
	done
done
