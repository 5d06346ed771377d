#!/bin/sh
# The real-model tests: each model listed in tests/models/models.txt runs
# through accel-run on the inputs make-inputs.py and reference.mjs wrote,
# and every output is compared with onnxruntime-node's at the model's
# tolerance (npy-compare prints the largest absolute and relative errors).
# A model that fails to load or run fails its test.
#
# Usage: run-model-tests.sh [--device] [--ref-only|--no-ref] BUILD_DIR
#   (default)   fetch the models (scripts/fetch-models.sh), write inputs and
#               references into BUILD_DIR/model-ref, then run on the CPU path
#               (accel-run --cpu)
#   --ref-only  only fetch and write the references (the host half of the
#               guest suite)
#   --no-ref    use the references already in BUILD_DIR/model-ref
# ARES_MODELS_LIST names another list (to try a pending model).
#   --device    run accel-run without --cpu: nodes the device execution
#               provider covers run on the device, the rest fall back to
#               the CPU (needs the driver, so in the guest); only models
#               whose line in models.txt says "device" run
set -u
cd "$(dirname "$0")/../.."
path=cpu
mode=all
while [ $# -gt 1 ]; do
	case $1 in
	--device) path=device ;;
	--ref-only) mode=ref ;;
	--no-ref) mode=run ;;
	*) break ;;
	esac
	shift
done
B=${1:-build}
REF=$B/model-ref
TEXT="Ares NPU 2026"

if [ "$mode" != run ]; then
	cache=$(scripts/fetch-models.sh | tail -n 1) || exit 1
	rm -rf "$REF"
	/usr/bin/python3 tests/models/make-inputs.py "$REF" "$TEXT" || exit 1
	node tests/models/reference.mjs "$cache" "$REF" >"$REF/reference.log" || exit 1
	echo "$cache" >"$REF/cache"
	[ "$mode" = ref ] && exit 0
fi
cache=$(cat "$REF/cache") || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
flag=--cpu
[ "$path" = device ] && flag=
# The device path tests the device's results on every node it can run,
# so placement is forced there (by benefit the small models' nodes stay on
# the CPU, where they are faster); runtime-device.sh tests benefit.
[ "$path" = device ] && export ART_PLACEMENT=device

passed=0
failed=0
# models.txt: NAME ATOL RTOL PATHS # why that tolerance
while read -r name atol rtol paths _; do
	case $name in '' | '#'*) continue ;; esac
	case ",$paths," in *",$path,"*) ;; *) continue ;; esac
	set --
	case $name in
	ocr*) ;;
	*) model=$cache/$(cat "$REF/$name/model") || exit 1 ;;
	esac
	for f in "$REF/$name"/in/*.npy; do
		n=$(basename "$f" .npy)
		set -- "$@" --input "$n=$f"
	done
	ok=1
	if [ "$name" = ocr ] || [ "$name" = ocr-line ]; then
		# ares-ocr must read the rendered text: the whole pipeline
		# (ocr), or classifier and recognizer on the image as one line
		# (ocr-line).
		det=
		[ "$name" = ocr-line ] && det=--no-det
		if $B/bin/ares-ocr $flag $det --expect "$TEXT" "$cache/ocr/assets" "$REF/text.ppm" \
			>"$T/ocr.log" 2>&1; then
			grep 'ares-ocr: text:' "$T/ocr.log"
		else
			sed 's/^/    /' "$T/ocr.log" >&2
			ok=0
		fi
	elif ! $B/bin/accel-run $flag --coverage "$model" "$@" --output-dir "$T/$name" \
		>"$T/$name.log" 2>&1; then
		sed 's/^/    /' "$T/$name.log" >&2
		ok=0
	else
		# On the device path at least one node must have run on the
		# device, or the test proves nothing about it.
		cov=$(sed -n 's/^coverage: \([0-9]*\) of \([0-9]*\) nodes on the device.*/\1 \2/p' "$T/$name.log")
		if [ "$path" = device ]; then
			echo "$path $name: ${cov%% *} of ${cov##* } nodes on the device"
			[ "${cov%% *}" -gt 0 ] 2>/dev/null || ok=0
		fi
		for e in "$REF/$name"/expected/*.npy; do
			o=$(basename "$e")
			$B/bin/npy-compare --atol "$atol" --rtol "$rtol" --label "$path $name ${o%.npy}" \
				"$e" "$T/$name/$o" || ok=0
		done
	fi
	if [ $ok = 1 ]; then
		echo "models: PASS $path $name"
		passed=$((passed + 1))
	else
		echo "models: FAIL $path $name" >&2
		failed=$((failed + 1))
	fi
done <"${ARES_MODELS_LIST:-tests/models/models.txt}"

# ares-ocr refuses what it cannot read, naming it.
errcheck() { # NAME, EXPECTED MESSAGE, then ares-ocr's arguments
	name=$1 msg=$2
	shift 2
	if $B/bin/ares-ocr $flag "$@" >"$T/err.log" 2>&1; then
		echo "models: FAIL $path $name: ares-ocr succeeded" >&2
		failed=$((failed + 1))
	elif grep -q "$msg" "$T/err.log"; then
		echo "models: PASS $path $name"
		passed=$((passed + 1))
	else
		echo "models: FAIL $path $name: expected '$msg', got:" >&2
		sed 's/^/    /' "$T/err.log" >&2
		failed=$((failed + 1))
	fi
}
if [ "$path" = cpu ]; then
	printf 'P6 4 4 255\n' >"$T/short.ppm"
	errcheck ocr_error_truncated_image "truncated pixel data" "$cache/ocr/assets" "$T/short.ppm"
	printf 'P6 4 4 65535\n' >"$T/deep.ppm"
	errcheck ocr_error_not_ppm "not an 8-bit binary PPM" "$cache/ocr/assets" "$T/deep.ppm"
	mkdir "$T/m"
	errcheck ocr_error_no_key_file "ppocr_keys_v1.txt: No such file" --no-det "$T/m" "$REF/text.ppm"
	cp "$cache/ocr/assets/ppocr_keys_v1.txt" "$T/m/"
	errcheck ocr_error_no_model "ch_ppocr_mobile_v2.0_cls_infer.onnx" --no-det "$T/m" "$REF/text.ppm"
	# PNG, JPEG, 16-bit gray, reading order, no text (its own script).
	if tests/models/ocr-images.sh "$B" "$cache"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi
echo "models: $passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
