#!/bin/sh
# Host-only tests of the opset upgrade (src/graph/upgrade.c): each legacy
# form opset_models.py writes runs through accel-run and must give the
# output numpy computes from the legacy semantics; each refused form must
# fail session creation naming node, op, opset and attribute.
# Usage: run-opset-tests.sh BUILD_DIR
set -u
GEN=opset_models
. "$(dirname "$0")/models_prelude.sh"

# MODEL: runs it on the CPU with its inputs and compares y with numpy's.
upgraded() {
	m=$1
	set --
	for f in "$T/${m}"_in_*.npy; do
		n=${f##*/"${m}"_in_}
		set -- "$@" --input "${n%.npy}=$f"
	done
	"$RUN" --cpu "$@" --output-dir "$T/$m.o" "$T/$m.onnx" &&
		"$B/bin/npy-compare" --label "$m" "$T/${m}_out.npy" "$T/$m.o/y.npy"
}

for m in add_axis mul_axis0_opset1 sub_suffix pow_axis_neg div_axis_tracked axis_tracked_opset4 \
	prelu_channel \
	gemm_broadcast bn_is_test bn_consumed_opset5 dropout_is_test reshape_attr_opset4 \
	concat_noaxis_opset3 pad_paddings_opset1 cast_name_opset5; do
	check "opset_upgrade_$m" upgraded "$m"
done

# MODEL PATTERN: session creation fails with a message matching PATTERN.
refused() {
	if "$RUN" --cpu "$T/$1.onnx" >"$T/$1.log" 2>&1; then
		echo "$1 ran; expected a refusal matching '$2'"
		return 1
	fi
	grep -q -- "$2" "$T/$1.log" || {
		echo "no line matching '$2' in:"
		cat "$T/$1.log"
		return 1
	}
}

check opset_refuse_bn_spatial0 refused bad_bn_spatial0 \
	"node 0 'n_batchnormalization' (BatchNormalization, opset 6): attribute spatial=0"
check opset_refuse_dropout_training refused bad_dropout_training \
	"node 0 'n_dropout' (Dropout, opset 6): attribute is_test=0"
check opset_refuse_axis_unknown_rank refused bad_axis_unknown_rank \
	"node 0 'n_add' (Add, opset 6): legacy broadcast: axis=0 needs the ranks of 't' and 'b'"
check opset_refuse_axis_too_far refused bad_axis_too_far \
	"node 0 'n_add' (Add, opset 6): legacy broadcast: axis=3 does not fit a rank-1 B into a rank-3 A"
check opset_refuse_tile1 refused bad_tile_opset5 \
	"node 0 'n_tile' (Tile, opset 5): the tiles and axis inputs (Tile-1)"
check opset_refuse_cast_name refused bad_cast_name \
	"node 0 'n_cast' (Cast, opset 5): attribute 'to' names no known type: COMPLEX"
check opset_refuse_opset0 refused bad_opset0 "default-domain opset 0 is not supported (1 to 21)"

exit $fail
