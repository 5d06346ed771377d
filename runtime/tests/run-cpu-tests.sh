#!/bin/sh
# Host-only tests of the CPU path's two kernel sets: each model of
# cpu_models.py (python3-onnx) runs through accel-run on oneDNN and on the
# plain-loop reference kernels (--reference), on the same seeded random
# inputs; every output must agree within |dnnl - ref| <= 1e-4 + 1e-4 |ref|
# (f32 sums in oneDNN, double in the loops, over up to a few hundred
# terms of magnitude 1), and oneDNN's verbose log must show that the
# model's primitive ran, so a silent fallback to the loops fails the test
# (a model on oneDNN's sgemm, which logs nothing, must instead differ from
# the loops in some bit).
# A model listed "exact" tests a plain-C fast path instead: its outputs
# must equal the reference loop's bit for bit.
# Chains of convs must not reorder their values between convs.
# Then the thread settings: --threads, ART_THREADS, and their refusals.
# Usage: run-cpu-tests.sh BUILD_DIR
set -u
GEN=cpu_models
. "$(dirname "$0")/models_prelude.sh"

# MODEL PRIMITIVE [exact]: both paths, every output compared (bit for bit
# with "exact"), PRIMITIVE seen.
dnnl_vs_ref() {
	m=$1
	tol="--atol 1e-4 --rtol 1e-4"
	[ "$2" = exact ] || [ "${3:-}" = exact ] && tol="--atol 0 --rtol 0"
	DNNL_VERBOSE=1 "$RUN" --cpu --output-dir "$T/$m.dnnl" "$T/$m.onnx" >"$T/$m.log" 2>&1 &&
		"$RUN" --cpu --reference --output-dir "$T/$m.ref" "$T/$m.onnx" >/dev/null || return 1
	if [ "$2" = sgemm ]; then
		# No verbose line: the loops' double sums, rounded, would
		# equal the reference in every output.
		same=1
		for f in "$T/$m.ref"/*.npy; do
			cmp -s "$f" "$T/$m.dnnl/$(basename "$f")" || same=0
		done
		[ "$same" = 0 ] || {
			echo "$m: outputs equal the reference loops bit for bit (no fast path ran)"
			return 1
		}
	elif [ "$2" != exact ] && ! grep -q "^onednn_verbose,exec,cpu,$2," "$T/$m.log"; then
		echo "no oneDNN $2 ran for $m:"
		grep '^onednn_verbose,exec' "$T/$m.log"
		return 1
	fi
	for f in "$T/$m.ref"/*.npy; do
		# shellcheck disable=SC2086 # two options on purpose
		"$B/bin/npy-compare" $tol --label "$m" "$f" \
			"$T/$m.dnnl/$(basename "$f")" || return 1
	done
}

while read -r m prim how; do
	check "cpu_dnnl_matches_reference_$m" dnnl_vs_ref "$m" "$prim" "$how"
done <"$T/list"

# The same on 2 threads with no work bound (ART_SERIAL_WORK=1): every
# node and pass, ConvTranspose's separate activation pass included, split.
on_2_threads() {
	export ART_SERIAL_WORK=1 ART_THREADS=2
	"$@"
	rc=$?
	unset ART_SERIAL_WORK ART_THREADS
	return $rc
}
check cpu_dnnl_2_threads_matches_reference_convt_one_plane_sigmoid \
	on_2_threads dnnl_vs_ref convt_one_plane_sigmoid matmul
check cpu_dnnl_2_threads_matches_reference_conv_mid on_2_threads dnnl_vs_ref conv_mid convolution

# Chains of oneDNN ops (cpu/layout.c): a value read only by them stays in
# oneDNN's layout between them, so the run's reorders stay within the
# model's bound. Its outputs were compared with the loops' above.
reorders_within() {
	n=$(DNNL_VERBOSE=1 "$RUN" --cpu "$T/$1.onnx" | grep -c '^onednn_verbose,exec,cpu,reorder')
	[ "$n" -le "$2" ] || {
		echo "$1: $n reorders ran, at most $2 expected"
		return 1
	}
}
while read -r m bound; do
	check "cpu_layout_kept_$m" reorders_within "$m" "$bound"
done <"$T/chains"

# A Conv's scalar tail (graph/fuse.c): fused as the model says (FUSED: the
# coverage words of each node, in order), and the result within the
# tolerance of the plain loops on the graph as loaded (--no-opt), so
# neither the fusion nor the loops' tail can be wrong alike on both paths.
tail_vs_unfused() {
	got=$("$RUN" --cpu --coverage "$T/$1.onnx" 2>&1 | awk '/^node/ {printf "%s ", $4}')
	[ "$got" = "$2 " ] || {
		echo "$1: fused as '$got', expected '$2 '"
		return 1
	}
	"$RUN" --cpu --output-dir "$T/$1.fused" "$T/$1.onnx" >/dev/null &&
		"$RUN" --cpu --reference --no-opt --output-dir "$T/$1.plain" "$T/$1.onnx" >/dev/null &&
		"$B/bin/npy-compare" --atol 1e-4 --rtol 1e-4 --label "$1" "$T/$1.plain/y.npy" \
			"$T/$1.fused/y.npy"
}
check cpu_tail_affine_1x1 tail_vs_unfused tail_affine_1x1 "Conv+hard_swish+scalars"
check cpu_tail_affine_3x3 tail_vs_unfused tail_affine_3x3 "Conv+hard_swish+scalars"
check cpu_tail_affine_dw tail_vs_unfused tail_affine_dw "Conv+hard_swish+scalars"
check cpu_tail_leaky_max tail_vs_unfused tail_leaky_max "Conv+leaky_relu+scalars"
# oneDNN 2.6 gives a second post-op of one eltwise kind the first one's
# parameters: HardSigmoid's linear step keeps the Add and Mul out; in
# tail_mixed the Mul folds into the weights, Max and Sub join the tail and
# its clip (the Max) keeps the Min out.
check cpu_tail_hsig_affine tail_vs_unfused tail_hsig_affine "Conv+hard_sigmoid Add Mul"
check cpu_tail_mixed tail_vs_unfused tail_mixed "Conv+scalars Min"

# Threads: the option and the variable both reach oneDNN (its verbose
# header reports the thread count a primitive was made for).
m=$T/conv3x3.onnx
check cpu_threads_option sh -c "DNNL_VERBOSE=1 '$RUN' --cpu --threads 1 '$m' | grep -q 'nthr:1'"
check cpu_threads_env sh -c "DNNL_VERBOSE=1 ART_THREADS=1 '$RUN' --cpu '$m' | grep -q 'nthr:1'"
# A node under cpu/dnnl.c's work bound runs on one thread whatever the
# session asks (conv_grouped: 0.7M multiply-adds); one over it on the
# session's (conv3x3: 4.5M).
check cpu_threads_big_node_parallel sh -c "DNNL_VERBOSE=1 '$RUN' --cpu --threads 2 '$m' | grep -q 'nthr:2'"
check cpu_threads_small_node_serial sh -c "DNNL_VERBOSE=1 '$RUN' --cpu --threads 2 '$T/conv_grouped.onnx' | grep -q 'nthr:1'"
# ART_SERIAL_WORK sets that bound, which is otherwise the idle host's (2M)
# or the shared host's (4M) by how many tasks are runnable: conv_mid's 3.5M
# runs on 2 threads under the first and on one under the second.
check cpu_threads_mid_node_idle_bound sh -c "DNNL_VERBOSE=1 ART_SERIAL_WORK=2097152 '$RUN' --cpu --threads 2 '$T/conv_mid.onnx' | grep -q 'nthr:2'"
check cpu_threads_mid_node_shared_bound sh -c "DNNL_VERBOSE=1 ART_SERIAL_WORK=4194304 '$RUN' --cpu --threads 2 '$T/conv_mid.onnx' | grep -q 'nthr:1'"
check cpu_serial_work_env_refused sh -c "ART_SERIAL_WORK=0 '$RUN' --cpu '$m' 2>&1 | grep -q \"ART_SERIAL_WORK='0': expected 1 to 1099511627776\""
check cpu_threads_env_refused sh -c "ART_THREADS=0 '$RUN' --cpu '$m' 2>&1 | grep -q \"ART_THREADS='0': expected 1 to 1024\""
check cpu_kernels_env_refused sh -c "ART_CPU_KERNELS=fast '$RUN' --cpu '$m' 2>&1 | grep -q \"ART_CPU_KERNELS='fast': expected 'reference' or 'dnnl'\""
# The reference kernels, asked for by the variable: no oneDNN primitive runs.
check cpu_kernels_env_reference sh -c "! DNNL_VERBOSE=1 ART_CPU_KERNELS=reference '$RUN' --cpu '$m' | grep -q '^onednn_verbose,exec'"

exit $fail
