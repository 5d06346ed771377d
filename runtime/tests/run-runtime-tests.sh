#!/bin/sh
# Host-only runtime tests: the ONNX conformance floors on the CPU path, and
# accel-run end to end, including the errors for bad models.
# Usage: run-runtime-tests.sh BUILD_DIR
set -u
B=${1:-build}
DATA=/usr/include/onnx/backend/test/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

check() { # NAME, then a command whose success is the test
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		echo "runtime: PASS $name"
	else
		echo "runtime: FAIL $name" >&2
		sed 's/^/    /' "$T/out" >&2
		fail=1
	fi
}

check conformance_cpu_floors "$B/bin/onnx-conformance" --expect runtime/tests/conformance-expected.txt \
	--xfail runtime/tests/conformance-xfail.txt \
	"$DATA/node" "$DATA/pytorch-converted" "$DATA/pytorch-operator" "$DATA/simple"

# A .pb input in, an .npy output out; the .npy goes back in through
# Identity and must come out byte-identical.
m=$DATA/node/test_matmul_2d
check accel_run_pb_to_npy sh -c "
	'$B/bin/accel-run' --cpu '$m/model.onnx' --input a='$m/test_data_set_0/input_0.pb' \
		--input b='$m/test_data_set_0/input_1.pb' --output-dir '$T/o' | grep -q 'output c: type float shape \[3, 3\]' &&
	head -c 128 '$T/o/c.npy' | grep -q \"'descr': '<f4', 'fortran_order': False, 'shape': (3, 3)\" &&
	test \$(stat -c %s '$T/o/c.npy') -eq \$((128 + 36))"
i=$DATA/node/test_identity
check accel_run_npy_round_trip sh -c "
	'$B/bin/accel-run' --cpu '$i/model.onnx' --input x='$i/test_data_set_0/input_0.pb' --output-dir '$T/i1' &&
	'$B/bin/accel-run' --cpu '$i/model.onnx' --input x='$T/i1/y.npy' --output-dir '$T/i2' &&
	cmp '$T/i1/y.npy' '$T/i2/y.npy'"
# Placement (README "Placement by benefit"): a wrong choice is refused
# naming it, --placement cpu is --cpu, and --coverage reports the share of
# FLOPs and bytes on the device (none here: the host has no device).
check accel_run_placement_env_refused sh -c "
	! ART_PLACEMENT=fast '$B/bin/accel-run' '$m/model.onnx' >'$T/pl' 2>&1 &&
	grep -q \"ART_PLACEMENT='fast': expected benefit, device or cpu\" '$T/pl'"
check accel_run_placement_arg_refused sh -c "
	! '$B/bin/accel-run' --placement fast '$m/model.onnx' >'$T/pl' 2>&1 &&
	grep -q \"accel-run: --placement 'fast': expected benefit, device or cpu\" '$T/pl'"
check accel_run_placement_cpu_work_share sh -c "
	'$B/bin/accel-run' --placement cpu --coverage '$m/model.onnx' >'$T/pl' &&
	grep -q 'MatMul .* cpu *--cpu requested' '$T/pl' &&
	grep -q '^work: 0% of 72 FLOPs and 0% of 132 bytes on the device' '$T/pl'"
check accel_run_random_and_bench sh -c "'$B/bin/accel-run' --cpu --bench 20 '$DATA/node/test_softmax_axis_1/model.onnx' | grep -q '^bench: 20 runs'"

check accel_run_profile_cpu sh -c "'$B/bin/accel-run' --cpu --profile '$T/p.json' '$m/model.onnx' >/dev/null &&
	/usr/bin/python3 tests/guest/profile_check.py '$T/p.json' --cpu MatMul"

# Errors name what is wrong and exit non-zero.
head -c 100 "$DATA/node/test_matmul_2d/model.onnx" >"$T/trunc.onnx"
check error_truncated_model sh -c "'$B/bin/accel-run' --cpu '$T/trunc.onnx' 2>&1 | grep -q 'malformed or truncated'"
check error_unknown_op sh -c "'$B/bin/accel-run' --cpu '$DATA/node/test_tfidfvectorizer_tf_only_bigrams_skip0/model.onnx' 2>&1 | grep -q \"node 0 .*unsupported op TfIdfVectorizer\""
check error_future_opset sh -c "'$B/bin/accel-run' --cpu '$DATA/node/test_adagrad/model.onnx' 2>&1 | grep -q 'default-domain opset -1 is not supported (1 to 21)'"
check error_no_fallback_names_nodes sh -c "'$B/bin/accel-run' --no-fallback '$DATA/node/test_matmul_2d/model.onnx' 2>&1 | grep -q 'not placed on the device:.*(MatMul: no Ares device present)'"
check error_unknown_input_name sh -c "'$B/bin/accel-run' --cpu '$m/model.onnx' --input nope=/dev/null 2>&1 | grep -q \"no input named 'nope'\""
# Attributes every run would refuse fail session creation (before the
# inputs are read: the bad --input name is never reached).
if /usr/bin/python3 runtime/tests/attr_models.py "$T" >"$T/attr.log" 2>&1; then
	for c in "gridsample_mode:node 'gs' (GridSample): unknown mode" \
		"gridsample_padding:node 'gs' (GridSample): unknown padding_mode" \
		"einsum_label:node 'es' (Einsum): output term of 'ij,jk->iq' names a label no input" \
		"einsum_terms:node 'es' (Einsum): equation 'ij->i' has 1 terms for 2 inputs" \
		"nms_center:node 'nms' (NonMaxSuppression): center_point_box 2" \
		"unique_sorted:node 'uq' (Unique): sorted 2" \
		"convinteger_pad:node 'ci' (ConvInteger): unknown auto_pad" \
		"roialign_mode:node 'ra' (RoiAlign): unknown mode" \
		"dft_onesided_inverse:node 'dft' (DFT): an inverse transform cannot be onesided" \
		"maxunpool_kernel:node 'mu' (MaxUnpool): kernel_shape missing" \
		"scan_inputs:node 'sc' (Scan): body or num_scan_inputs missing"; do
		check "error_attr_${c%%:*}" sh -c "'$B/bin/accel-run' --cpu '$T/${c%%:*}.onnx' --input nope=/dev/null 2>&1 |
			grep -F \"${c#*:}\""
	done
else
	echo "runtime: FAIL attr_models (python3-onnx from scripts/install-deps.sh)" >&2
	cat "$T/attr.log" >&2
	fail=1
fi
check error_tensor_cap sh -c "ART_MAX_TENSOR_BYTES=40 '$B/bin/accel-run' --cpu '$DATA/node/test_matmul_2d/model.onnx' 2>&1 | grep -q \"input 'a': 12 elements exceed the limit of 40 bytes\""
check coverage_lists_nodes sh -c "'$B/bin/accel-run' --cpu --coverage '$m/model.onnx' | grep -q 'MatMul .*cpu'"

# Inputs checked against the model's declaration at the API boundary.
if /usr/bin/python3 runtime/tests/input_models.py "$T" >"$T/inputs.log" 2>&1; then
	check input_checked_at_api "$B/bin/art-input-test" "$T/inputs.onnx"
	# accel-run's random inputs: each says its shape and where each dim
	# came from; --shape sets one, and its symbolic dims bind the others.
	check accel_run_shape_and_defaults sh -c "'$B/bin/accel-run' --cpu '$T/inputs.onnx' >'$T/sh0' &&
		grep -qx \"input x: float\[1,3\] random; dims: 1 'batch' leading dim default, 3 model\" '$T/sh0' &&
		grep -qx \"input y: float\[1,512\] random; dims: 1 'batch' from input 'x', 512 'len' default\" '$T/sh0' &&
		grep -qx 'input k: int64\[2\] random; dims: 2 model' '$T/sh0' &&
		'$B/bin/accel-run' --cpu '$T/inputs.onnx' --shape y=4,7 >'$T/sh1' &&
		grep -qx \"input x: float\[4,3\] random; dims: 4 'batch' from --shape y, 3 model\" '$T/sh1' &&
		grep -qx 'input y: float\[4,7\] random; dims: 4 --shape, 7 --shape' '$T/sh1' &&
		grep -qx 'output yo: type float shape \[4, 7\]' '$T/sh1' &&
		grep -qx 'output ko: type int64 shape \[2\]' '$T/sh1'"
	# Each bad --shape fails before any run, naming what is wrong.
	for c in "nope=1,3:--shape: model has no input named 'nope'" \
		"x=2:--shape x: 1 dims given, the model declares rank 2 [batch,3]" \
		"x=2,4:--shape x: dim 1 is 4, the model declares 3 [batch,3]" \
		"x=0,3:--shape x: dim 0 is 0; dims must be at least 1" \
		"x=-2,3:--shape x: dim 0 is -2; dims must be at least 1" \
		"x=99999999999999999999,3:--shape x: dim 0 '99999999999999999999' overflows" \
		"x=2,three:--shape x: dim 1 'three' is not a number" \
		"x=4611686018427387904,3:input 'x': its shape has more elements than fit in memory" \
		"x=2,3 --shape y=5,1:--shape y: dim 0 ('batch') is 5, but --shape x gave 'batch' 2" \
		"x=2,3 --shape x=2,3:--shape x given twice" \
		"x=2,3 --input x=/dev/null:--shape x: input 'x' is read from /dev/null, which gives its shape"; do
		check "error_shape_${c%%:*}" sh -c "! '$B/bin/accel-run' --cpu '$T/inputs.onnx' --shape ${c%%:*} \
			>'$T/she' 2>&1 && grep -qxF \"accel-run: ${c#*:}\" '$T/she' && ! grep -q '^output' '$T/she'"
	done
	# A wrong input file is refused by the runtime, naming the input.
	check error_input_type sh -c "! '$B/bin/accel-run' --cpu '$T/inputs.onnx' \
		--input k='$DATA/node/test_matmul_2d/test_data_set_0/input_0.pb' >'$T/ie' 2>&1 &&
		grep -qxF \"accel-run: input 'k': expected element type int64, got float\" '$T/ie'"
	# Progress on stderr only for a terminal or -v; stdout the same either way.
	check accel_run_quiet_unless_tty sh -c "'$B/bin/accel-run' --cpu '$T/inputs.onnx' >'$T/q.out' 2>'$T/q.err' &&
		test ! -s '$T/q.err' &&
		'$B/bin/accel-run' --cpu -v '$T/inputs.onnx' >'$T/v.out' 2>'$T/v.err' && cmp '$T/q.out' '$T/v.out' &&
		grep -q '^accel-run: loading .*inputs.onnx (0.0 MB) and placing its nodes... done in .* s (4 nodes' '$T/v.err' &&
		script -qec \"'$B/bin/accel-run' --cpu '$T/inputs.onnx' >/dev/null\" /dev/null | grep -q 'accel-run: loading .* done in'"
else
	echo "runtime: FAIL input_models (python3-onnx from scripts/install-deps.sh)" >&2
	sed 's/^/    /' "$T/inputs.log" >&2
	fail=1
fi

# Sequences and strings: the API, the kernels and their refusals, hostile
# files (art-seqstr-test), and accel-run's lines for them.
if /usr/bin/python3 runtime/tests/seqstr_models.py "$T" >"$T/seqstr.log" 2>&1; then
	check sequences_and_strings "$B/bin/art-seqstr-test" "$T"
else
	echo "runtime: FAIL seqstr_models (python3-onnx from scripts/install-deps.sh)" >&2
	sed 's/^/    /' "$T/seqstr.log" >&2
	fail=1
fi
q=$DATA/node/test_sequence_insert_at_front
check accel_run_sequence_in_and_out sh -c "'$B/bin/accel-run' --cpu '$q/model.onnx' \
	--input sequence='$q/test_data_set_0/input_0.pb' --input tensor='$q/test_data_set_0/input_1.pb' \
	--input position='$q/test_data_set_0/input_2.pb' --output-dir '$T/sq' >'$T/sq.out' &&
	grep -qx \"input sequence: sequence of 3 int64 tensors: \[4\] \[3\] \[2\] from $q/test_data_set_0/input_0.pb\" '$T/sq.out' &&
	grep -qx 'output output_sequence: sequence of 4 int64 tensors: \[3\] \[4\] \[3\] \[2\]' '$T/sq.out' &&
	test -s '$T/sq/output_sequence.3.npy'"
check error_accel_run_random_sequence sh -c "! '$B/bin/accel-run' --cpu '$q/model.onnx' >'$T/sqe' 2>&1 &&
	grep -qF \"accel-run: input 'sequence' is a sequence: accel-run makes no random sequences; give one with --input sequence=FILE\" '$T/sqe'"
n=$DATA/simple/test_strnorm_model_monday_casesensintive_upper
check accel_run_strings sh -c "'$B/bin/accel-run' --cpu '$n/model.onnx' --input x='$n/test_data_set_0/input_0.pb' \
	--output-dir '$T/st' >'$T/st.out' 2>'$T/st.err' &&
	grep -qx 'output y: type string shape \[3\] \[\"TUESDAY\", \"WEDNESDAY\", \"THURSDAY\"\]' '$T/st.out' &&
	grep -q 'y.npy not written: a string tensor has no .npy form here' '$T/st.err' &&
	'$B/bin/accel-run' --cpu '$n/model.onnx' | grep -q '^input x: string\[4\] random'"

# Every model scripts/fetch-models.sh fetched runs with accel-run's default
# random inputs (symbolic dims: 1 leading, else 512; accel-run --help).
CACHE=${ARES_MODEL_CACHE:-$B/models}
models=$(find "$CACHE" -name '*.onnx' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [ -n "$models" ]; then
	for mf in $models; do
		check "accel_run_defaults_$(basename "$mf" .onnx)" sh -c "'$B/bin/accel-run' --cpu '$mf' >'$T/dm.out' &&
			grep -q '^input ' '$T/dm.out' && grep -q '^output ' '$T/dm.out'"
	done
else
	echo "runtime: SKIP accel_run_defaults (no models in $CACHE: scripts/fetch-models.sh)"
fi

# Element types: uint64 compared unsigned, float16 rounded to nearest even
# (subnormals, overflow, NaN), and an op without a float16 kernel refused
# at session creation naming node, op and type.
if /usr/bin/python3 runtime/tests/dtype_models.py gen "$T" >"$T/dtgen.log" 2>&1; then
	check dtype_uint64_unsigned sh -c "'$B/bin/accel-run' --cpu '$T/u64.onnx' --input a='$T/u64_a.npy' \
		--input b='$T/u64_b.npy' --output-dir '$T/u64.out' &&
		/usr/bin/python3 runtime/tests/dtype_models.py check '$T' u64"
	check dtype_float16_rounding sh -c "'$B/bin/accel-run' --cpu '$T/f16.onnx' --input x='$T/f16_x.npy' \
		--output-dir '$T/f16.out' && /usr/bin/python3 runtime/tests/dtype_models.py check '$T' f16"
	check error_dtype_refused sh -c "! '$B/bin/accel-run' --cpu '$T/f16_softmax.onnx' >'$T/dt.out' 2>&1 &&
		grep -q \"node 'sm' (Softmax): element type float16 not supported by the CPU kernel\" '$T/dt.out'"
else
	echo "runtime: FAIL dtype_models (python3-onnx from scripts/install-deps.sh)" >&2
	sed 's/^/    /' "$T/dtgen.log" >&2
	fail=1
fi

# The QOperator kernels bit for bit against numpy's and onnxruntime-node's
# arithmetic (quant_models.py; onnxruntime-node from scripts/fetch-models.sh).
check quant_cpu_exact sh "$(dirname "$0")/quant_check.sh" "$B" "$T/quant" \
	"${ARES_MODEL_CACHE:-$B/models}/ort/node_modules/onnxruntime-node"

# The graph passes, each on a model made for it.
sh "$(dirname "$0")/run-graph-tests.sh" "$B" || fail=1
sh "$(dirname "$0")/run-opset-tests.sh" "$B" || fail=1
sh "$(dirname "$0")/run-cpu-tests.sh" "$B" || fail=1
# ares-quantize on its generated model and its refusals (the real models:
# runtime/quantize/tests/run-quant-tests.sh without --small).
sh "$(dirname "$0")/../quantize/tests/run-quant-tests.sh" "$B" --small || fail=1
# The reduced-precision mode (--precision) on the CPU path.
sh "$(dirname "$0")/precision_check.sh" "$B" "$T/precision" || fail=1

exit $fail
