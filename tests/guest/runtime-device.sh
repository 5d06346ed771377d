#!/bin/sh
# The runtime's device execution provider inside the guest, through
# ares.ko and the emulated device: the ONNX backend suite in device mode
# against its floors (outputs must match the suite's references like the
# CPU path's), and accel-run placing a model wholly on the device with one
# submit per run and one plan for all runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${BUILD:-$root/build}
DATA=/usr/include/onnx/backend/test/data
T=$(mktemp -d /tmp/rtdev.XXXXXX)
fail=0

check() { # NAME, then a command whose success is the test
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$T/out"
		fail=1
	fi
}

check conformance_device_floors "$B/bin/onnx-conformance" --device -1 \
	--expect "$root/runtime/tests/conformance-device-expected.txt" \
	--xfail "$root/runtime/tests/conformance-device-xfail.txt" \
	"$DATA/node" "$DATA/pytorch-converted" "$DATA/pytorch-operator" "$DATA/simple"
cp "$T/out" "$T/conf"
grep '^conformance device' "$T/conf"
# A device result that differs from the reference is a bug, not a floor:
# only the failures listed with their reason in the xfail file may stay.
check conformance_device_no_failures sh -c "! grep '^  FAIL ' '$T/conf'"

m=$DATA/node/test_conv_with_strides_padding
check accel_run_one_submit_per_run sh -c "
	ART_STATS=1 '$B/bin/accel-run' --device 0 --no-fallback --bench 5 '$m/model.onnx' \
		--input x='$m/test_data_set_0/input_0.pb' --input W='$m/test_data_set_0/input_1.pb' |
	grep -q 'stats: runs 5 device_submits 5 compiles 1 partitions 1'"
check accel_run_coverage_device sh -c "
	'$B/bin/accel-run' --device 0 --coverage '$m/model.onnx' | grep -q 'Conv .*device *supported by the device'"
check accel_run_bad_device sh -c "
	'$B/bin/accel-run' --device 7 '$m/model.onnx' 2>&1 | grep -q 'device 7: no such Ares device'"

check device_cnn_sync_async_two_sessions "$B/bin/art-device-test" "$T"
cat "$T/out"
check accel_run_profile sh -c "
	'$B/bin/accel-run' --device 0 --profile '$T/p.json' '$T/cnn.onnx' >/dev/null &&
	/usr/bin/python3 '$here/profile_check.py' '$T/p.json' --device Conv,MaxPool,Gemm"

# Graph fusions on the device: MatMul with a fused bias (the matmul
# command's C operand) and Clip, MatMul+Tanh, Gemm+bias+LeakyRelu, and the
# spelled-out hard-swish as one HardSwish, against the unoptimised CPU run.
fusions_on_device() {
	/usr/bin/python3 "$root/runtime/tests/graph_models.py" "$T/g" &&
		"$B/bin/accel-run" --device 0 --coverage "$T/g/matmul.onnx" --output-dir "$T/g/dev" >"$T/g/cov" &&
		cat "$T/g/cov" &&
		grep -q 'mm1 .*MatMul+bias+clip .*device' "$T/g/cov" &&
		grep -q 'gemm3 .*Gemm+leaky_relu .*device' "$T/g/cov" &&
		"$B/bin/accel-run" --cpu --no-opt "$T/g/matmul.onnx" --output-dir "$T/g/ref" >/dev/null &&
		for o in y1 y2 y3 y4; do
			"$B/bin/npy-compare" --label "device $o" "$T/g/ref/$o.npy" "$T/g/dev/$o.npy" || return 1
		done
}
check graph_fusions_on_device fusions_on_device

# ConvTranspose lowered to FILL, a strided COPY and CONV2D: shapes the
# backend suite lacks (stride 2 kernel 2 with a fused Relu, output_padding
# with groups and dilation, cropping pads, a large output_shape, SAME_LOWER,
# 1-D), weights constant and as inputs, wholly on the device and equal to
# the CPU kernel's outputs.
convt_on_device() {
	/usr/bin/python3 "$root/runtime/tests/convt_models.py" "$T/ct" || return 1
	for m in "$T"/ct/*.onnx; do
		n=$(basename "$m" .onnx)
		set --
		[ -f "$T/ct/$n.W.npy" ] && set -- --input W="$T/ct/$n.W.npy"
		"$B/bin/accel-run" --device 0 --no-fallback --coverage "$m" "$@" \
			--output-dir "$T/ct/$n.dev" >"$T/ct/$n.cov" || return 1
		grep -q '^coverage: 1 of 1 nodes on the device' "$T/ct/$n.cov" || {
			cat "$T/ct/$n.cov"
			return 1
		}
		"$B/bin/accel-run" --cpu --no-opt "$m" "$@" --output-dir "$T/ct/$n.cpu" >/dev/null &&
			"$B/bin/npy-compare" --label "convtranspose $n" "$T/ct/$n.cpu/y.npy" \
				"$T/ct/$n.dev/y.npy" || return 1
	done
}
check convtranspose_on_device convt_on_device

# Every float form in float16 and bfloat16 on the device (Conv with bias
# and Relu, Gemm, MatMul, pools, Softmax, ReduceMean, Resize, elementwise,
# data movement, Cast), against the CPU's f32 run of the same model.
check half_forms_on_device "$root/runtime/tests/half_op_check.sh" "$B" "$T/hop"
cat "$T/out"

# Every QOperator form on the int8 engine (QLinearConv, ConvInteger,
# QLinearMatMul, MatMulInteger), equal to the CPU path bit for bit.
check quant_forms_on_device "$root/runtime/tests/quant_op_check.sh" "$B" "$T/qop"
cat "$T/out"

# A real model in float16 wholly on the device: the wake-word embedding
# model converted by to_float16.py, on its model-test input, against
# onnxruntime-node on the same file and the CPU path on the f32 original.
CACHE=${ARES_MODEL_CACHE:-$B/models}
REF=${ARES_MODEL_REF:-$B/model-ref}
emb=$CACHE/oww/models/embedding_model.onnx
if [ -f "$emb" ] && [ -f "$REF/embedding/in/input_1.npy" ]; then
	check float16_model_on_device "$root/runtime/tests/half_model_check.sh" "$B" "$emb" \
		input_1 "$REF/embedding/in/input_1.npy" "$T/h16" "$CACHE/ort/node_modules/onnxruntime-node"
	cat "$T/out"
else
	echo "SKIP float16_model_on_device (no $emb or its input: scripts/fetch-models.sh, tests/models/run-model-tests.sh)"
fi

rm -rf "$T"
exit $fail
