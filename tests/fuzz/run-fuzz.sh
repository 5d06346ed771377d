#!/bin/sh
# Runs every fuzz target for a fixed number of inputs from a fixed seed, so
# a CI run is repeatable: a failure is a crash, a sanitizer report, a leak
# or an error without a message, and leaves its input under
# BUILD/fuzz/artifacts/ to replay with `BUILD/fuzz/TARGET FILE`.
#
# Usage: run-fuzz.sh BUILD [RUNS_SCALE]   (RUNS_SCALE multiplies the runs)
set -u
B=${1:-build}
scale=${2:-1}
DATA=/usr/include/onnx/backend/test/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$B/fuzz/artifacts" "$T/npy" "$T/devseeds"
# Huge allocations a model asks for must fail as errors, not abort ASan.
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
fail=0

# A .npy seed next to the .pb ones (accel-run writes outputs as .npy).
m=$DATA/node/test_matmul_2d
"$B/bin/accel-run" --cpu "$m/model.onnx" --input a="$m/test_data_set_0/input_0.pb" \
	--input b="$m/test_data_set_0/input_1.pb" --output-dir "$T/npy" >/dev/null || exit 1

run() { # TARGET RUNS MAX_LEN SEED_DIR...
	target=$1 runs=$(($2 * scale)) max_len=$3
	shift 3
	mkdir -p "$T/$target"
	if "$B/fuzz/$target" -seed=1 -runs="$runs" -max_len="$max_len" -rss_limit_mb=4096 \
		-timeout=30 -artifact_prefix="$B/fuzz/artifacts/$target-" -print_final_stats=1 \
		"$T/$target" "$@" >"$T/$target.log" 2>&1; then
		echo "fuzz: PASS $target ($(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$T/$target.log") inputs)"
	else
		echo "fuzz: FAIL $target" >&2
		grep -v '^INFO' "$T/$target.log" | tail -n 40 >&2
		fail=1
	fi
}

"$B/fuzz/fuzz-device-seeds" "$T/devseeds" >/dev/null || exit 1

run fuzz_onnx 300000 65536 "$DATA/node" "$DATA/simple"
run fuzz_tensor 200000 4096 "$DATA/node/test_matmul_2d" "$DATA/node/test_cast_FLOAT_to_DOUBLE" \
	"$DATA/node/test_reduce_sum_empty_axes_input_noop_example" "$T/npy" \
	"$DATA/node/test_sequence_insert_at_back/test_data_set_0" \
	"$DATA/simple/test_strnorm_model_monday_casesensintive_upper/test_data_set_0"
run fuzz_device 30000 8192 "$T/devseeds"
exit $fail
