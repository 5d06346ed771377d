#!/bin/sh
# The reduced-precision mode (accel-run --precision) on the models of
# precision_models.py: every Conv/ConvTranspose/MatMul/Gemm form in
# bfloat16 and float16 against the CPU's f32 run, within the tolerance
# precision_check.py derives per element from the rounding; the oneDNN
# and plain-loop paths against each other (same roundings, f32 sums in
# another order); f16 weights beyond float16's range keep f32 with the
# reason in --coverage; no flag (or --precision f32) is the f32 run bit
# for bit; bad values are refused.
# With --device (in the guest) each model also runs wholly on the device,
# against the same f32 bound and against the CPU's reduced run.
# Usage: precision_check.sh BUILD WORKDIR [--device]
# PRECISION_CASES="NAME ..." limits the forms run to those named.
set -u
here=$(cd "$(dirname "$0")" && pwd)
B=$1 T=$2 DEV=${3:-}
RUN=$B/bin/accel-run
PY=/usr/bin/python3
fail=0
mkdir -p "$T"
if ! $PY "$here/precision_models.py" "$T" >"$T/gen.log" 2>&1; then
	echo "precision: FAIL precision_models.py (python3-onnx)" >&2
	cat "$T/gen.log" >&2
	exit 1
fi

check() { # NAME, then a command whose success is the test
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		echo "precision: PASS $name"
		sed 's/^/    /' "$T/out"
	else
		echo "precision: FAIL $name" >&2
		sed 's/^/    /' "$T/out" >&2
		fail=1
	fi
}

# MODEL OUTDIR ARGS...: runs MODEL on its input into OUTDIR.
run() {
	m=$1 o=$2
	shift 2
	"$RUN" "$T/$m.onnx" --input x="$T/$m.x.npy" --output-dir "$T/$o" --coverage "$@" \
		>"$T/$o.cov" 2>&1 || {
		cat "$T/$o.cov"
		return 1
	}
}

# MODEL DTYPE TAG [ARGS]: the reduced run TAG within the bound of the f32 one.
bound() {
	m=$1 dt=$2 tag=$3
	shift 3
	run "$m" "$m.$tag" --precision "$dt" "$@" || return 1
	grep -q "\[$(long "$dt")\]" "$T/$m.$tag.cov" || {
		echo "no node ran in $(long "$dt"):"
		cat "$T/$m.$tag.cov"
		return 1
	}
	$PY "$here/precision_check.py" f32 "$T/$m.$tag/y.npy" "$T/$m.f32/y.npy" \
		"$T/$m.abs/y.npy" "$T/$m.k" "$(long "$dt")"
}

long() { [ "$1" = bf16 ] && echo bfloat16 || echo float16; }

while read -r m; do
	case " ${PRECISION_CASES:-$m} " in *" $m "*) ;; *) continue ;; esac
	run "$m" "$m.f32" --cpu || fail=1
	$PY -c "import numpy as np, sys; np.save(sys.argv[2], np.abs(np.load(sys.argv[1])))" \
		"$T/$m.x.npy" "$T/$m.ax.npy"
	"$RUN" "$T/$m.abs.onnx" --cpu --input x="$T/$m.ax.npy" --output-dir "$T/$m.abs" \
		>/dev/null || fail=1
	for dt in bf16 f16; do
		if [ -z "$DEV" ]; then
			check "cpu_${dt}_$m" bound "$m" "$dt" "cpu.$dt" --cpu
			check "cpu_${dt}_reference_$m" sh -c "
				'$RUN' '$T/$m.onnx' --cpu --reference --precision $dt \
					--input x='$T/$m.x.npy' --output-dir '$T/$m.ref.$dt' >/dev/null &&
				$PY '$here/precision_check.py' pair '$T/$m.ref.$dt/y.npy' \
					'$T/$m.cpu.$dt/y.npy' '$T/$m.abs/y.npy' '$T/$m.k'"
			continue
		fi
		run "$m" "$m.cpu.$dt" --cpu --precision "$dt" || fail=1
		if [ "$m" = convtranspose_s2 ]; then
			# The device's ConvTranspose keeps f32, and says so.
			check "device_${dt}_$m" sh -c "
				'$RUN' '$T/$m.onnx' --device 0 --no-fallback --precision $dt --coverage \
					--input x='$T/$m.x.npy' --output-dir '$T/$m.dev.$dt' >'$T/$m.dev.$dt.cov' &&
				grep -q 'float32 kept: the device.s ConvTranspose lowering is f32' '$T/$m.dev.$dt.cov' &&
				'$RUN' '$T/$m.onnx' --device 0 --placement device --input x='$T/$m.x.npy' \
					--output-dir '$T/$m.dev.f32' >/dev/null &&
				cmp '$T/$m.dev.f32/y.npy' '$T/$m.dev.$dt/y.npy'"
			continue
		fi
		check "device_${dt}_$m" bound "$m" "$dt" "dev.$dt" --device 0 --no-fallback
		check "device_${dt}_vs_cpu_$m" $PY "$here/precision_check.py" pair \
			"$T/$m.dev.$dt/y.npy" "$T/$m.cpu.$dt/y.npy" "$T/$m.abs/y.npy" "$T/$m.k"
	done
done <"$T/list"

# float16 cannot hold the weights: f32 kept, said, and the f32 result.
ovf() {
	where=$1
	run conv_f16_overflow ovf.f32 $where &&
		run conv_f16_overflow ovf.f16 $where --precision f16 &&
		grep -q "float32 kept: 'W' holds 100000, beyond float16's range" "$T/ovf.f16.cov" &&
		cmp "$T/ovf.f32/y.npy" "$T/ovf.f16/y.npy"
}
# No flag and --precision f32 are the f32 run, bit for bit, with no node marked.
same_f32() {
	run conv_chain nf $1 && run conv_chain pf $1 --precision f32 &&
		cmp "$T/nf/y.npy" "$T/pf/y.npy" && ! grep -q 'precision:' "$T/nf.cov"
}
if [ -z "$DEV" ]; then
	check cpu_f16_overflow_keeps_f32 ovf --cpu
	check cpu_no_flag_is_f32 same_f32 --cpu
	for bad in int4 fp16 BF16 ""; do
		check "refused_precision_'$bad'" sh -c "
			'$RUN' '$T/conv_chain.onnx' --cpu --precision '$bad' 2>&1 |
				grep -q -- \"--precision $bad: expected bf16, f16 or f32\""
	done
else
	# The cheapest emission: x converted by one ELTWISE COPY, the first
	# Conv writing the second's operand in bfloat16 itself, so three device
	# commands (four if the intermediate were converted too).
	check device_chain_three_commands sh -c "
		'$RUN' '$T/conv_chain.onnx' --device 0 --no-fallback --precision bf16 \
			--input x='$T/conv_chain.x.npy' --profile '$T/chain.json' >/dev/null &&
		$PY -c 'import json, sys
ev = [e for e in json.load(open(sys.argv[1]))[\"traceEvents\"] if e.get(\"ph\") == \"X\" and e[\"tid\"] == 2]
print(len(ev), \"device commands:\", [e[\"name\"] for e in ev])
assert len(ev) == 3 and all(e[\"name\"].endswith(\", bfloat16)\") for e in ev)' '$T/chain.json'"
	check device_f16_overflow_keeps_f32 ovf "--device 0 --no-fallback"
	check device_no_flag_is_f32 same_f32 "--device 0 --no-fallback"
fi
exit $fail
