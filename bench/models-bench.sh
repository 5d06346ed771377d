#!/bin/sh
# Figures, not assertions: latency of each real model through libares_rt
# (accel-run --bench, CPU path on the host) next to onnxruntime-node on the
# host CPU with 1 and 2 threads, on the same inputs, in one run.
#
#   bench/models-bench.sh [--runs N] [--guest] [MODEL...]
#
# MODEL names are those of tests/models (default: every model in
# tests/models/models.txt). --guest also runs accel-run with its default
# placement (device where covered, CPU otherwise) in the QEMU guest; TCG
# makes the guest's CPU work far slower than the host's, so that column
# says what the guest sees, not what silicon would do.
set -u
cd "$(dirname "$0")/.."
runs=20
guest=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2 && shift ;;
	--guest) guest=1 ;;
	*) break ;;
	esac
	shift
done
B=build
# Every single model in the list (the ocr* entries are pipelines, not models).
models=${*:-$(sed -n 's/^\([a-z_]\+\) .*/\1/p' tests/models/models.txt | grep -v '^ocr')}
tests/models/run-model-tests.sh --ref-only "$B" || exit 1
cache=$(cat "$B/model-ref/cache")

args() { # NAME: accel-run's arguments for the model and its inputs
	printf '%s' "$cache/$(cat "$B/model-ref/$1/model")"
	for f in "$B/model-ref/$1"/in/*.npy; do
		printf ' --input %s=%s' "$(basename "$f" .npy)" "$f"
	done
}

for m in $models; do
	# shellcheck disable=SC2046 # the arguments are split on purpose
	r=$($B/bin/accel-run --cpu --bench "$runs" $(args "$m") 2>/dev/null | sed -n 's/^bench: //p')
	echo "ares-cpu $m: ${r:-failed}"
done
node bench/ort-bench.mjs "$cache" "$B/model-ref" "$runs" $models
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
	cmd="$cmd $ocr | sed -n 's/^ares-ocr: \\(times\\|device time\\|text\\)/ares-guest ocr: \\1/p';"
	scripts/vm-run.sh --timeout 1800 -- sh -c "$cmd"
fi
