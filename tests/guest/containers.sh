#!/bin/sh
# Guest suite for containers (vm-run.sh --devices 2), docs/containers.md:
#  - visible_*: ARES_VISIBLE_DEVICES selects and renumbers devices for
#    libaccel, accelctl and the runtime; a bad list is refused by name;
#  - cdi_*: accelctl cdi generate, and podman + crun running a container
#    from a rootfs made of this tree with --device ares.dev/npu=N.
# Usage: tests/guest/containers.sh [visible] [cdi]   (default: both)
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
ctl=$root/build/bin/accelctl
run=$root/build/bin/accel-run
gemm=$root/build/bin/ares-gemm-demo
model=/usr/share/libonnx-testdata/data/node/test_matmul_2d/model.onnx
failures=0
pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
jobs() { cat /sys/class/accel/accel$1/device/ares/jobs_completed; }
pci_of() { basename "$(readlink -f /sys/class/accel/accel$1/device)"; }
parts=${*:-visible cdi}

# Runs "$@", prints its output, and fails (saying why, last) unless it
# exited 0 having put jobs on accel$want only.
jobs_only_on() {
	want=$1
	shift
	b0=$(jobs 0)
	b1=$(jobs 1)
	out=$("$@" 2>&1) || { echo "$out"; echo "$*: expected exit 0, got $?"; return 1; }
	echo "$out"
	d0=$(($(jobs 0) - b0))
	d1=$(($(jobs 1) - b1))
	if { [ "$want" = 0 ] && { [ $d0 -lt 1 ] || [ $d1 -ne 0 ]; }; } ||
		{ [ "$want" = 1 ] && { [ $d1 -lt 1 ] || [ $d0 -ne 0 ]; }; }; then
		echo "$*: expected jobs on accel$want only, got $d0 on accel0 and $d1 on accel1"
		return 1
	fi
}

visible_tests() {
	p0=$(pci_of 0)
	p1=$(pci_of 1)

	out=$("$ctl" visible 2>&1)
	if echo "$out" | grep -q '^0 .*/dev/accel/accel0 .*'"$p0" &&
		echo "$out" | grep -q '^1 .*/dev/accel/accel1 .*'"$p1"; then
		pass visible_unset_shows_all
	else
		fail visible_unset_shows_all "expected accel0 as 0 and accel1 as 1, got: $out"
	fi

	out=$(ARES_VISIBLE_DEVICES=1 "$ctl" visible 2>&1)
	if echo "$out" | grep -q '^0 .*/dev/accel/accel1 ' &&
		echo "$out" | grep -q '^- .*/dev/accel/accel0 ' &&
		! echo "$out" | grep -q '^1 '; then
		pass visible_one_renumbered
	else
		fail visible_one_renumbered "ARES_VISIBLE_DEVICES=1: expected accel1 as 0, accel0 hidden, got: $out"
	fi

	out=$(ARES_VISIBLE_DEVICES="$p1,0" "$ctl" visible 2>&1)
	if echo "$out" | grep -q '^0 .*/dev/accel/accel1 ' &&
		echo "$out" | grep -q '^1 .*/dev/accel/accel0 '; then
		pass visible_pci_and_order
	else
		fail visible_pci_and_order "ARES_VISIBLE_DEVICES=$p1,0: expected accel1 as 0, accel0 as 1, got: $out"
	fi

	out=$(ARES_VISIBLE_DEVICES=1 "$ctl" list 2>&1)
	if echo "$out" | grep -q '/dev/accel/accel1' && ! echo "$out" | grep -q '/dev/accel/accel0'; then
		pass visible_list_filtered
	else
		fail visible_list_filtered "ARES_VISIBLE_DEVICES=1 accelctl list: expected accel1 only, got: $out"
	fi

	ok=1
	for bad in "2" "0,,1" "gpu0" "0,0" "0000:00:1f.0"; do
		out=$(ARES_VISIBLE_DEVICES="$bad" "$ctl" visible 2>&1)
		rc=$?
		if [ $rc -ne 2 ] || ! echo "$out" | grep -q 'ARES_VISIBLE_DEVICES: entry'; then
			ok=0
			fail visible_bad_list_refused "ARES_VISIBLE_DEVICES=\"$bad\": expected exit 2 naming the entry, got $rc: $out"
		fi
	done
	out=$(ARES_VISIBLE_DEVICES=gpu0 "$run" "$model" --no-fallback 2>&1)
	rc=$?
	if [ $rc -eq 0 ] || ! echo "$out" | grep -q 'libaccel: ARES_VISIBLE_DEVICES: entry 0 "gpu0"'; then
		ok=0
		fail visible_bad_list_refused "accel-run with ARES_VISIBLE_DEVICES=gpu0: expected failure naming the entry, got $rc: $out"
	fi
	[ $ok = 1 ] && pass visible_bad_list_refused

	# The runtime's and libaccel's device 0 is the first listed device.
	ok=1
	msg=$(ARES_VISIBLE_DEVICES=1 jobs_only_on 1 "$run" "$model" --device 0 --no-fallback) ||
		{ ok=0; fail visible_runtime_device0 "$msg"; }
	msg=$(ARES_VISIBLE_DEVICES="$p1" jobs_only_on 1 "$gemm" -d 0 -m 64 -n 64 -k 64) ||
		{ ok=0; fail visible_runtime_device0 "$msg"; }
	msg=$(ARES_VISIBLE_DEVICES="1,0" jobs_only_on 0 "$gemm" -d 1 -m 64 -n 64 -k 64) ||
		{ ok=0; fail visible_runtime_device0 "$msg"; }
	[ $ok = 1 ] && pass visible_runtime_device0

	out=$(ARES_VISIBLE_DEVICES=1 "$run" "$model" --device 1 --no-fallback 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q 'device 1: no such Ares device (1 visible'; then
		pass visible_out_of_range
	else
		fail visible_out_of_range "ARES_VISIBLE_DEVICES=1 accel-run --device 1: expected a refusal, got $rc: $out"
	fi
	out=$(ARES_VISIBLE_DEVICES= "$gemm" -d 0 -m 64 -n 64 -k 64 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q 'only 0 visible'; then
		pass visible_empty_none
	else
		fail visible_empty_none "ARES_VISIBLE_DEVICES= ares-gemm-demo: expected no device, got $rc: $out"
	fi
}

case " $parts " in *" visible "*) visible_tests ;; esac
case " $parts " in *" cdi "*) . "$root/tests/guest/containers-cdi.sh" ;; esac

if [ $failures -ne 0 ]; then
	echo "containers: $failures failure(s)"
	exit 1
fi
echo "containers: all passed"
