#!/bin/sh
# Figures, not assertions: latency of each real model through libares_rt
# (accel-run --bench, CPU path on the host) next to onnxruntime-node on the
# host CPU with 1 and 2 threads, on the same inputs, in one run.
#
#   bench/models-bench.sh [--runs N] [--rounds R] [--base DIR] [--guest] [--json FILE]
#                         [MODEL...]
#
# MODEL names are those of tests/models (default: every model in
# tests/models/models.txt). Our CPU path runs at 1 and 2 intra-op threads
# (accel-run --threads) right before ORT runs the same model at 1 and 2, so
# a noisy host (the machines here are shared) hits both sides alike;
# --rounds R repeats that alternation R times per model, and each figure
# is the median of the R rounds' medians.
# --base DIR also runs DIR/bin/accel-run (another build's, e.g. a copy of
# build/bin and build/lib from before a change) in the same alternation,
# right before ours: old against new on one host state (cpu_base_Nt_ms).
# The last lines give each figure as a ratio to ORT's at the same threads
# (medians of the rounds).
# --json FILE writes one object per model, keyed by its name, with those
# medians: ort_1t_ms, ort_2t_ms, cpu_1t_ms, cpu_2t_ms, and cpu_isa (the ISA
# oneDNN chose on this host). --guest also runs accel-run with its default
# placement (device where covered, CPU otherwise) in the QEMU guest; TCG
# makes the guest's CPU work far slower than the host's, so that column
# says what the guest sees, not what silicon would do. Its figures join the
# --json objects: device_ms (model-bench's median, one run in flight),
# device_sim_ms (the emulator's measured time for the device commands of one
# warm run, accel-run --profile's measured_ns summed) and device_modeled_ms
# (the same commands' modeled time, hw-spec §14); the guest lines also give
# the emulator's measured time by op type (bench/profile-device-time.py).
set -u
cd "$(dirname "$0")/.."
runs=20
rounds=1
guest=0
json=
base=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2 && shift ;;
	--rounds) rounds=$2 && shift ;;
	--guest) guest=1 ;;
	--base) base=$2 && shift ;;
	--json) json=$2 && shift ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" && exit 0 ;;
	-*) echo "models-bench.sh: unknown option $1 (--help lists them)" >&2 && exit 2 ;;
	*) break ;;
	esac
	shift
done
B=build
# Every single model in the list (the ocr* entries are pipelines, not models).
known=$(sed -n 's/^\([a-z_]\+\) .*/\1/p' tests/models/models.txt | grep -v '^ocr')
for m in "$@"; do
	echo "$known" | grep -qx "$m" ||
		{ echo "models-bench.sh: unknown model '$m'; models: $(echo "$known" | tr '\n' ' ')" >&2 && exit 2; }
done
models=${*:-$known}
tests/models/run-model-tests.sh --ref-only "$B" || exit 1
cache=$(cat "$B/model-ref/cache")

args() { # NAME: accel-run's arguments for the model and its inputs
	printf '%s' "$cache/$(cat "$B/model-ref/$1/model")"
	for f in "$B/model-ref/$1"/in/*.npy; do
		printf ' --input %s=%s' "$(basename "$f" .npy)" "$f"
	done
}

# The ISA oneDNN dispatches to on this host (its verbose mode names it).
isa=$(DNNL_VERBOSE=1 $B/bin/accel-run --cpu "$cache/$(cat "$B/model-ref/det/model")" 2>/dev/null |
	sed -n 's/^onednn_verbose,info,cpu,isa://p' | head -n 1)
echo "ares-cpu isa: ${isa:-unknown}"
T=$(mktemp)
trap 'rm -f "$T"' EXIT
median() { # LINE: the median of an accel-run --bench or ort-bench.mjs line
	echo "$1" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'
}
for m in $models; do
	for _ in $(seq "$rounds"); do
		for t in 1 2; do
			for side in ${base:+base} cpu; do
				run=$B/bin/accel-run
				[ "$side" = base ] && run=$base/bin/accel-run
				# shellcheck disable=SC2046 # the arguments are split on purpose
				r=$($run --cpu --threads $t --bench "$runs" $(args "$m") 2>/dev/null |
					sed -n 's/^bench: //p')
				echo "ares-$side $m threads $t: ${r:-failed}"
				key=cpu_${t}t_ms
				[ "$side" = base ] && key=cpu_base_${t}t_ms
				echo "$m $key $(median "$r")" >>"$T"
			done
		done
		node bench/ort-bench.mjs "$cache" "$B/model-ref" "$runs" "$m" >"$T.ort"
		cat "$T.ort"
		sed -n 's/^ort \([a-z_]*\) threads \([0-9]\): median \([0-9.]*\) ms.*/\1 ort_\2t_ms \3/p' "$T.ort" >>"$T"
	done
done
rm -f "$T.ort"
# Medians of the rounds, as ratios to ORT at the same thread count.
/usr/bin/python3 -c '
import statistics, sys
fig = {}
for line in open(sys.argv[1]):
    name, key, *val = line.split()
    fig.setdefault(name, {}).setdefault(key, []).extend(float(v) for v in val[:1])
def ratio(f, side, t):
    a, b = f.get(side % t), f.get("ort_%dt_ms" % t)
    if not a or not b:
        return "-"
    return "%.2f" % (statistics.median(a) / statistics.median(b))
sides = ["cpu_base_%dt_ms", "cpu_%dt_ms"] if any("cpu_base_1t_ms" in f for f in fig.values()) else ["cpu_%dt_ms"]
for name, f in fig.items():
    cols = " ".join("%s %dt %s" % ("base" if "base" in s else "ours", t, ratio(f, s, t))
                    for t in (1, 2) for s in sides)
    print("x ORT %s: %s" % (name, cols))
' "$T"
# The OCR pipeline (ares-ocr) end to end, once: stage times and device time.
ocr="$B/bin/ares-ocr $cache/ocr/assets $B/model-ref/text.ppm"
$ocr --cpu | sed -n 's/^ares-ocr: \(times\|text\)/ares-cpu ocr: \1/p'
if [ $guest = 1 ]; then
	cmd=""
	for m in $models; do
		for k in 1 4; do
			cmd="$cmd echo ares-guest $m: \$($B/bench/model-bench $(args "$m") --runs $runs --inflight $k 2>&1);"
		done
	done
	for m in $models; do
		# The last of the runs profiled: the emulator's own time for its
		# device commands (measured_ns) and the modeled time (modeled_ns).
		cmd="$cmd $B/bin/accel-run $(args "$m") --bench $runs --profile /tmp/prof-$m.json >/dev/null 2>&1 &&
			/usr/bin/python3 bench/profile-device-time.py $m /tmp/prof-$m.json;"
	done
	cmd="$cmd $ocr | sed -n 's/^ares-ocr: \\(times\\|device time\\|text\\)/ares-guest ocr: \\1/p';"
	scripts/vm-run.sh --timeout 1800 -- sh -c "$cmd" | tee "$T.guest"
	# device_ms: model-bench's median with one run in flight.
	sed -n 's/^ares-guest \([a-z_]*\): inflight 1 .* median \([0-9.]*\) ms.*/\1 device_ms \2/p' "$T.guest" >>"$T"
	sed -n 's/^ares-guest \([a-z_]*\) sim: measured \([0-9.]*\) ms, modeled \([0-9.]*\) ms.*/\1 device_sim_ms \2\n\1 device_modeled_ms \3/p' \
		"$T.guest" >>"$T"
	rm -f "$T.guest"
fi
if [ -n "$json" ]; then
	/usr/bin/python3 -c '
import json, statistics, sys
out = {}
for line in open(sys.argv[1]):
    name, key, *val = line.split()
    entry = out.setdefault(name, {"cpu_isa": sys.argv[3] or None})
    entry.setdefault(key, []).extend(float(v) for v in val[:1])
for entry in out.values():
    for key, vals in entry.items():
        if isinstance(vals, list):  # the median of the rounds, None if all failed
            entry[key] = statistics.median(vals) if vals else None
json.dump(out, open(sys.argv[2], "w"), indent=1)
' "$T" "$json" "$isa" && echo "models-bench: wrote $json"
fi
