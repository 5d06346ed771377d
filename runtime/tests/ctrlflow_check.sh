#!/bin/sh
# Control flow on the device (runtime/src/subgraph.c, device/op_rnn.c):
# 1. silero_vad with both sample rates (16000 runs If_25's then branch,
#    8000 its else branch), forced onto the device and by benefit: every
#    Conv and LSTM of the branch that ran is on the device (forced), the
#    coverage report counts the branch's work (forced: at least 95% of
#    the FLOPs on the device), and the outputs match the CPU path (rtol 1e-3, atol 1e-5)
#    and, for 16000, ONNX Runtime's reference (tests/models tolerance).
# 2. The ONNX backend suite's If, Loop, Scan, LSTM, GRU and RNN tests on
#    the device path: none fails, and the bodies that have device forms
#    (Loop's and Scan's Add) and the recurrent layers pass with nodes on
#    the device.
#
# Usage: ctrlflow_check.sh BUILD WORKDIR MODEL_CACHE MODEL_REF (in the
# guest: needs the device). Exits 77 when silero_vad is not fetched.
set -u
B=$1 T=$2 CACHE=$3 REF=$4
M=$CACHE/$(cat "$REF/silero_vad/model" 2>/dev/null)
R=$REF/silero_vad
if [ ! -f "$M" ] || [ ! -f "$R/in/sr.npy" ]; then
	echo "no silero_vad model or reference under $CACHE, $REF"
	exit 77
fi
mkdir -p "$T"
fail=0
# sr = 8000: sr.npy's header with 8000 as its int64.
sz=$(stat -c %s "$R/in/sr.npy")
head -c $((sz - 8)) "$R/in/sr.npy" >"$T/sr8000.npy"
printf '\100\037\000\000\000\000\000\000' >>"$T/sr8000.npy"
cp "$R/in/sr.npy" "$T/sr16000.npy"

for sr in 16000 8000; do
	set -- "$M" --input "input=$R/in/input.npy" --input "sr=$T/sr$sr.npy" \
		--input "h=$R/in/h.npy" --input "c=$R/in/c.npy"
	"$B/bin/accel-run" --cpu "$@" --output-dir "$T/cpu$sr" >"$T/cpu$sr.log" 2>&1 ||
		{ cat "$T/cpu$sr.log"; fail=1; }
	for p in device benefit; do
		cov=$T/$p$sr.cov
		# Benefit with the documented constants: the same decisions on
		# every machine (the measured ones depend on the host's load).
		if ! ART_PLACEMENT=$p ART_PLACEMENT_CALIBRATE=0 "$B/bin/accel-run" --device 0 --coverage "$@" \
			--output-dir "$T/$p$sr" >"$cov" 2>&1; then
			echo "FAIL sr=$sr placement $p: accel-run failed"
			cat "$cov"
			fail=1
			continue
		fi
		branch=then_branch
		[ "$sr" = 8000 ] && branch=else_branch
		grep "^subgraph If_25/$branch: ran 1 time" "$cov" ||
			{ echo "FAIL sr=$sr $p: If_25/$branch did not run as a session"; fail=1; }
		if grep "^subgraph If_25/" "$cov" | grep -v "If_25/$branch" | grep ' ran [1-9]'; then
			echo "FAIL sr=$sr $p: the branch not taken ran"
			fail=1
		fi
		# Forced: every Conv and LSTM of the branch that ran is on the
		# device and >= 95% of the FLOPs. By benefit with the documented
		# constants (CPU as fast as the host the rates came from) the
		# LSTM's one-step body and the last Conv stay on the CPU, each
		# a submit's worth too small: only the count of the work is
		# checked there.
		min=95
		[ "$p" = benefit ] && min=0
		n=$(awk -v b="If_25/$branch/" '$1 == "node" && index($3, b) == 1 &&
			($4 ~ /^Conv/ || $4 == "LSTM")' "$cov" | wc -l)
		off=$(awk -v b="If_25/$branch/" '$1 == "node" && index($3, b) == 1 &&
			($4 ~ /^Conv/ || $4 == "LSTM") && $6 != "device"' "$cov")
		if [ "$n" -lt 10 ] || { [ "$p" = device ] && [ -n "$off" ]; }; then
			echo "FAIL sr=$sr $p: $n Convs/LSTMs in the branch, these not on the device:"
			echo "$off"
			fail=1
		fi
		share=$(sed -n 's/^work: \([0-9]*\)% of \([0-9.e+]*\) FLOPs.*subgraphs counted.*/\1 \2/p' "$cov")
		echo "sr=$sr $p: work ${share:-?} (percent on the device, FLOPs)"
		if ! awk -v s="$share" -v m="$min" 'BEGIN { n = split(s, a, " "); exit !(n == 2 && a[1] >= m && a[2] >= 1e6) }'; then
			echo "FAIL sr=$sr $p: expected >= $min% of >= 1e6 FLOPs on the device"
			grep '^work:' "$cov"
			fail=1
		fi
		for o in output hn cn; do
			"$B/bin/npy-compare" --atol 1e-5 --rtol 1e-3 --label "sr=$sr $p $o vs cpu" \
				"$T/cpu$sr/$o.npy" "$T/$p$sr/$o.npy" || fail=1
			if [ "$sr" = 16000 ]; then
				"$B/bin/npy-compare" --atol 1e-4 --rtol 1e-3 --label "sr=$sr $p $o vs ORT" \
					"$R/expected/$o.npy" "$T/$p$sr/$o.npy" || fail=1
			fi
		done
	done
done

# The backend suite's control-flow and LSTM tests, by themselves.
D=/usr/include/onnx/backend/test/data/node
mkdir -p "$T/conf"
for d in "$D"/test_if* "$D"/test_loop* "$D"/test_scan* "$D"/test_lstm* "$D"/test_gru* \
	"$D"/test_rnn* "$D"/test_simple_rnn*; do
	[ -d "$d" ] && ln -s "$d" "$T/conf/"
done
ART_PLACEMENT=device "$B/bin/onnx-conformance" -v --device -1 "$T/conf" >"$T/conf.txt" 2>&1
grep '^conformance' "$T/conf.txt"
if grep '^  FAIL' "$T/conf.txt"; then
	fail=1
fi
for t in test_loop11 test_scan_sum test_scan9_sum test_lstm_defaults test_lstm_with_initial_bias \
	test_gru_defaults test_gru_with_initial_bias test_simple_rnn_defaults \
	test_simple_rnn_with_initial_bias; do
	grep -q "^  PASS $t\$" "$T/conf.txt" || {
		echo "FAIL $t: not a pass with nodes on the device"
		grep " $t" "$T/conf.txt"
		fail=1
	}
done
exit $fail
