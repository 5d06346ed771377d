#!/bin/sh
# Host tests of what `make run` hands to the main job:
#  - TEXT and MODEL reach scripts/run-main-job.sh byte for byte through the
#    Makefile's run recipe ($, quotes, backslash, unicode, make and shell
#    syntax), with RUN_MAIN_JOB pointed at a recorder instead of the guest;
#  - a model in /tmp, which the guest does not share, is copied with its
#    external data into the run's folder (scripts/stage-model.sh), a
#    relative one is found, one the guest sees stays where it is, and a
#    missing model or external-data file is refused with the reason;
#  - the line make run renders with a "$" in it reads back exactly
#    (make-inputs.py, then ares-ocr on the CPU), when the OCR models are
#    cached;
#  - the docs the scripts and sim/README point to exist and build what
#    they run.
# Usage: tests/scripts/test-run-inputs.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0
pass() { echo "run-inputs: PASS $1"; }
fail() {
	echo "run-inputs: FAIL $1: $2" >&2
	failed=$((failed + 1))
}

# ---- TEXT and MODEL through make ----
cat >"$T/record.sh" <<REC
#!/bin/sh
printf '%s' "\$TEXT" >"$T/text.out"
printf '%s' "\$MODEL" >"$T/model.out"
REC
chmod +x "$T/record.sh"
n=0
for text in 'Price: $12.50' '$$ and $(shell echo no) and ${HOME} and `id`' \
	"it's \"quoted\"" 'back\slash\n' 'Grüße 東京 – ü' '%s %% # ; & | > <'; do
	n=$((n + 1))
	rm -f "$T/text.out" "$T/model.out"
	if ! make -s -o all run RUN_MAIN_JOB="$T/record.sh" TEXT="$text" MODEL="/x/$text.onnx" \
		>"$T/make.log" 2>&1; then
		fail "make_run_text_$n" "make run failed: $(cat "$T/make.log")"
	elif [ "$(cat "$T/text.out")" != "$text" ]; then
		fail "make_run_text_$n" "TEXT='$text' arrived as '$(cat "$T/text.out")'"
	elif [ "$(cat "$T/model.out")" != "/x/$text.onnx" ]; then
		fail "make_run_text_$n" "MODEL='/x/$text.onnx' arrived as '$(cat "$T/model.out")'"
	else
		pass "make_run_text_$n"
	fi
done
# From the environment too, and unset stays empty (the job's default).
rm -f "$T/text.out"
TEXT='Price: $12.50' make -s -o all run RUN_MAIN_JOB="$T/record.sh" >/dev/null 2>&1
[ "$(cat "$T/text.out" 2>/dev/null)" = 'Price: $12.50' ] && pass make_run_text_from_environment ||
	fail make_run_text_from_environment "got '$(cat "$T/text.out" 2>/dev/null)'"
rm -f "$T/text.out"
env -u TEXT make -s -o all run RUN_MAIN_JOB="$T/record.sh" >/dev/null 2>&1
[ -f "$T/text.out" ] && [ ! -s "$T/text.out" ] && pass make_run_text_unset ||
	fail make_run_text_unset "got '$(cat "$T/text.out" 2>/dev/null)'"

# ---- models the guest cannot see ----
m=$(mktemp -d /tmp/ares-stage-test.XXXXXX)
trap 'rm -rf "$T" "$m"' EXIT
/usr/bin/python3 tests/scripts/make-extdata-model.py "$m" add || exit 1
out=$(scripts/stage-model.sh "$m/add.onnx" "$T/stage" 2>"$T/err")
if [ "$out" = "$T/stage/add.onnx" ] && cmp -s "$m/add.onnx" "$T/stage/add.onnx" &&
	cmp -s "$m/add.data" "$T/stage/add.data" && grep -q "own /tmp" "$T/err"; then
	pass tmp_model_copied_with_external_data
else
	fail tmp_model_copied_with_external_data "printed '$out', stderr: $(cat "$T/err"), dest: $(ls "$T/stage" 2>&1)"
fi
out=$(cd "$m" && "$OLDPWD/scripts/stage-model.sh" add.onnx "$T/stage2" 2>/dev/null)
[ "$out" = "$T/stage2/add.onnx" ] && [ -f "$T/stage2/add.data" ] && pass relative_tmp_model_copied ||
	fail relative_tmp_model_copied "printed '$out'"
# Through a link from a shared folder into /tmp: still copied.
ln -s "$m/add.onnx" "$T/link.onnx"
out=$(scripts/stage-model.sh "$T/link.onnx" "$T/stage3" 2>/dev/null)
[ "$out" = "$T/stage3/add.onnx" ] && pass link_into_tmp_copied || fail link_into_tmp_copied "printed '$out'"
# A model the guest sees is used in place.
shared=$(pwd)/tests/scripts/make-extdata-model.py
out=$(scripts/stage-model.sh "$shared" "$T/stage4" 2>&1)
[ "$out" = "$shared" ] && [ ! -e "$T/stage4" ] && pass shared_model_used_in_place ||
	fail shared_model_used_in_place "printed '$out'"
out=$(scripts/stage-model.sh "$m/none.onnx" "$T/stage5" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "none.onnx: no such file" && pass missing_model_refused ||
	fail missing_model_refused "exit $rc: $out"
rm "$m/add.data"
out=$(scripts/stage-model.sh "$m/add.onnx" "$T/stage6" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "external data file $m/add.data is missing" &&
	pass missing_external_data_refused || fail missing_external_data_refused "exit $rc: $out"

# ---- the rendered line with a "$" reads back ----
# The model cache as scripts/fetch-models.sh places it (make test fetches
# the models before this runs).
cache=${ARES_MODEL_CACHE:-$PWD/build/models}
if [ -d "$cache/ocr/assets" ] && [ -x "$B/bin/ares-ocr" ]; then
	text='Price: $12.50'
	/usr/bin/python3 tests/models/make-inputs.py "$T/render" "$text" --image-only >/dev/null &&
		"$B/bin/ares-ocr" --cpu --expect "$text" "$cache/ocr/assets" "$T/render/text.png" \
			>"$T/ocr.log" 2>&1 && pass dollar_text_renders_and_reads_back ||
		fail dollar_text_renders_and_reads_back "$(tail -n 3 "$T/ocr.log")"
else
	echo "run-inputs: SKIP dollar_text_renders_and_reads_back (no OCR models in $cache: scripts/fetch-models.sh)"
fi

# ---- docs the scripts point to ----
for f in scripts/*.sh; do
	for doc in $(grep '^#' "$f" | grep -o '[A-Za-z0-9_./-]*[A-Za-z0-9_]\.md'); do
		[ -f "$doc" ] || [ -f "$(dirname "$f")/$doc" ] ||
			fail script_docs_exist "$f names $doc, which is not in the tree"
	done
done
# sim/README's "Test it alone": every test it runs, its make line builds.
block=$(sed -n '/^## Test it alone/,/^```$/{//!p}' sim/README.md; sed -n '/^## Test it alone/,/^`make test-unit`/p' sim/README.md)
for t in $(echo "$block" | grep -o '^build/sim/tests/[a-z_0-9]*' | sort -u); do
	echo "$block" | grep '^make\|^     build' | grep -q "$t\( \|$\)" ||
		fail sim_readme_builds_what_it_runs "sim/README.md runs $t but its make line does not build it"
done
[ $failed = 0 ] && pass docs_named_exist_and_build
echo "run-inputs: $failed failed"
[ $failed = 0 ]
