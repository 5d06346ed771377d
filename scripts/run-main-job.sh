#!/bin/sh
# The main job: boots the guest with the emulated Ares NPU, loads the
# driver, runs an f32 GEMM through the whole stack (ares-gemm-demo: the
# check against a host reference and the timings), then reads a line of
# text with the PaddleOCR models through libares_rt (ares-ocr: detector,
# text boxes, direction classifier, recognizer, CTC decoding; each node on
# the device where the execution provider covers it, on the CPU otherwise)
# and checks the text read against the text rendered.
#
#   make run                       the default line, "Ares NPU 2026"
#   make run TEXT="Some words"     another line
#   make run MODEL=file.onnx       any model through accel-run instead
#                                  (seeded random inputs; ARGS are passed on);
#                                  one in /tmp, which the guest does not
#                                  share, is copied with its external data
#                                  (scripts/stage-model.sh)
# ARGS other than with MODEL go to ares-gemm-demo. The models come from
# scripts/fetch-models.sh (cached after the first run).
set -u
here=$(pwd)
cd "$(dirname "$0")/.."
if [ -n "${MODEL:-}" ]; then
	# A relative MODEL is the caller's; one in /tmp is invisible to the
	# guest and gets copied into build/main-job/model.
	case "$MODEL" in /*) ;; *) MODEL=$here/$MODEL ;; esac
	model=$(scripts/stage-model.sh "$MODEL" "$(pwd)/build/main-job/model") || exit 2
	# shellcheck disable=SC2086 # ARGS are words on purpose
	exec scripts/vm-run.sh --timeout 1800 -- build/bin/accel-run --coverage "$model" ${ARGS:-}
fi
text=${TEXT:-Ares NPU 2026}
cache=$(scripts/fetch-models.sh | tail -n 1) || exit 1
out=build/main-job
/usr/bin/python3 tests/models/make-inputs.py "$out" "$text" --image-only || exit 1
echo "main job: rendered \"$text\" into $out/text.png"
exec scripts/vm-run.sh --timeout 1800 -- sh -c '
	text=$1 cache=$2 image=$3
	shift 3
	build/bin/ares-gemm-demo "$@" &&
	build/bin/ares-ocr --expect "$text" "$cache/ocr/assets" "$image"' \
	sh "$text" "$cache" "$out/text.png" "$@"
