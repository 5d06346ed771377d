#!/bin/sh
# Host-only tests of the graph passes: small models made by graph_models.py
# (python3-onnx) run through accel-run with and without optimisation; each
# test checks that its pass fired (coverage listing: node count, fused
# activations, inferred shapes) and that the outputs equal the unoptimised
# run's.
# Usage: run-graph-tests.sh BUILD_DIR
set -u
GEN=graph_models
. "$(dirname "$0")/models_prelude.sh"

# MODEL [ARGS...]: runs it optimised (coverage in $T/MODEL.cov, outputs in
# $T/MODEL.opt) and unoptimised (outputs in $T/MODEL.ref), then compares
# every output. Fails if either run fails.
opt_vs_ref() {
	m=$1
	shift
	"$RUN" --cpu --coverage "$@" --output-dir "$T/$m.opt" "$T/$m.onnx" >"$T/$m.cov" 2>&1 &&
		"$RUN" --cpu --no-opt "$@" --output-dir "$T/$m.ref" "$T/$m.onnx" >/dev/null 2>&1 &&
		for f in "$T/$m.ref"/*.npy; do
			"$B/bin/npy-compare" --label "$m/${f##*/}" "$f" "$T/$m.opt/${f##*/}" || return 1
		done
}

has() { # MODEL PATTERN: the coverage listing has a line matching PATTERN
	grep -q -- "$2" "$T/$1.cov" || {
		echo "no line matching '$2' in:"
		cat "$T/$1.cov"
		return 1
	}
}

# Constant folding: the Shape/Gather/Concat chain on a static input and the
# Constant weights fold (8 nodes), the unread Neg is dead.
fold_test() {
	opt_vs_ref fold && has fold '^graph: 11 nodes loaded, 2 after optimisation' &&
		has fold '8 folded at load' && has fold 'reshape .*Reshape .*float\[1,24\]' &&
		! grep -q dead_neg "$T/fold.cov"
}
check graph_fold fold_test

# ART_NO_OPT in the environment keeps the graph as loaded.
check graph_no_opt_env sh -c "ART_NO_OPT=1 '$RUN' --cpu --coverage '$T/fold.onnx' |
	grep -q '^graph: 11 nodes loaded, 11 after optimisation'"

# A dynamic batch: nothing folds at load; the first run binds the dims, and
# the Shape arithmetic gives the Reshape its shape.
dynamic_test() {
	opt_vs_ref dynamic --input "x=$T/dynamic_x.npy" &&
		has dynamic 'reshape .*float\[3,24\]' && has dynamic 'transpose .*float\[24,3\]' &&
		has dynamic 'shape .*Shape .*int64\[3\]'
}
check graph_dynamic_bind dynamic_test

# No-ops go; the graph output keeps its name.
noop_test() {
	opt_vs_ref noop && has noop '^graph: 9 nodes loaded, 2 after optimisation' &&
		has noop 'relu .*Relu .*float\[2,3\]' && has noop 'output y: type float shape \[1, 2, 3\]'
}
check graph_noop noop_test

# MatMul + bias + Clip, MatMul + Tanh, Gemm + bias + LeakyRelu, and
# HardSigmoid(x) * x as HardSwish.
matmul_test() {
	opt_vs_ref matmul && has matmul '^graph: 10 nodes loaded, 4 after optimisation' &&
		has matmul 'mm1 .*MatMul+bias+clip .*float\[2,5,6\]' &&
		has matmul 'mm2 .*MatMul+tanh .*float\[2,5,4\]' &&
		has matmul 'gemm3 .*Gemm+leaky_relu .*float\[3,6\]' &&
		has matmul 'hsig4 .*HardSwish .*float\[3,8\]'
}
check graph_matmul_fusions matmul_test

# Conv + BatchNormalization + per-channel Mul/Add + Relu, the spelled-out
# hard-swish and hard-sigmoid after convs, scale/shift before a Conv,
# ConvTranspose + bias + BatchNormalization + Relu.
conv_fusions_test() {
	opt_vs_ref conv && has conv '^graph: 45 nodes loaded, 5 after optimisation' &&
		has conv 'conv0 .*Conv+relu .*float\[1,4,8,8\]' &&
		has conv 'conv1 .*Conv+hard_swish .*float\[1,4,4,8\]' &&
		has conv 'conv2 .*Conv+hard_sigmoid .*float\[1,4,4,8\]' &&
		has conv 'conv3 .*Conv .*float\[1,4,8,8\]' &&
		has conv 'convt .*ConvTranspose+relu .*float\[1,2,8,16\]'
}
check graph_conv_fusions conv_fusions_test

# The spelled-out LayerNorm becomes one LayerNormalization.
layernorm_test() {
	opt_vs_ref layernorm --input "x=$T/layernorm_x.npy" &&
		has layernorm '^graph: 9 nodes loaded, 1 after optimisation' &&
		has layernorm 'ln_mean .*LayerNormalization .*float\[2,5,8\]'
}
check graph_layernorm layernorm_test

exit $fail
