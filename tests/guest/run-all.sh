#!/bin/sh
# Runs every libaccel guest test inside the VM (driver already loaded with
# fault_injection=1 job_timeout_ms=1000) and prints one line per test:
#   PASS name | FAIL name: why | XFAIL name: reason | XPASS name | SKIP name
# Tests named in expected-failures.txt ("name: reason") may fail without
# failing the run; one that passes anyway is XPASS and fails the run so the
# list gets updated. Exit status: 0 if nothing unexpected happened, else 1.
#
# A test exits 77 to SKIP when the boot lacks what it needs (e.g. the module
# loaded without fault_injection=1). With ARES_TEST_NO_SKIP=1, as the CI
# suites set it, a SKIP fails the run: there the boot is set up for every
# test, so a skip means a test that ran nothing.
#
# Usage: tests/guest/run-all.sh [NAME...]     (default: all, in order)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${BUILD:-$root/build}/tests/guest
# ARES_EXPECTED_FAILURES names another list (the debug kernel has its own).
xfail_list=${ARES_EXPECTED_FAILURES:-$here/expected-failures.txt}
per_test_timeout=${ARES_TEST_TIMEOUT:-180}

# accelctl, tracepoints, reset_uevent, fault_knobs, user_queue, hang_recovery, submit_batch, uq_hang,
# boot_attack, fw_sandbox and transport reset (or rebind) the device, so they run last.
all="device_probe query_identity bo_mmap fence_signal syncobj_reuse dma_fill gemm multi_ctx_order
mmu_fault address_spaces isolation job_chain bo_share prime_import userptr bad_ioctl_args core_ioctls bo_max_size file_limits bo_budget ioctl_fuzz kill_races usage_stats device_state fair_share fair_share3 priority compute_ops compute_prelu compute_errors uq_basic uq_mmap uq_hostile uq_unmap uq_limits accelctl
accelctl_top tracepoints reset_uevent fault_knobs user_queue hang_recovery submit_batch uq_hang boot_attack fw_sandbox transport"
[ $# -gt 0 ] && all="$*"

xfail_reason() {
	[ -f "$xfail_list" ] || return 1
	sed -n "s/^$1:[[:space:]]*//p" "$xfail_list" | head -n 1 | grep .
}

# accelctl is a tool, so its test is its exit status and output here.
run_accelctl() {
	ctl=${BUILD:-$root/build}/bin/accelctl
	out=$("$ctl" list 2>&1) || { echo "accelctl list: expected exit 0, got $?: $out"; return 1; }
	echo "$out" | grep -q '/dev/accel/accel' ||
		{ echo "accelctl list: expected a /dev/accel/accel* line, got: $out"; return 1; }
	out=$("$ctl" info -d 0 2>&1) || { echo "accelctl info: expected exit 0, got $?: $out"; return 1; }
	echo "$out" | grep -q '^hw_version: *1\.0\.0' ||
		{ echo "accelctl info: expected hw_version 1.0.0, got: $out"; return 1; }
	out=$(ARES_DEBUG=ioctl "$ctl" info -d 0 2>&1 >/dev/null)
	echo "$out" | grep -q 'DRM_IOCTL_ARES_QUERY(type=0 size=0' ||
		{ echo "ARES_DEBUG=ioctl: expected a decoded QUERY size probe on stderr, got: $out"; return 1; }
	"$ctl" info -d 99 >/dev/null 2>&1
	rc=$?
	[ $rc -eq 3 ] || { echo "accelctl info -d 99: expected exit 3 (no device), got $rc"; return 1; }
	"$ctl" bogus >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || { echo "accelctl bogus: expected exit 2 (usage), got $rc"; return 1; }

	# --json: every command's documents validate against the schema, all
	# checked by one python3 start (slow under TCG).
	[ -d /sys/kernel/debug/accel ] || mount -t debugfs debugfs /sys/kernel/debug
	j=$(mktemp -d /tmp/accelctl-json.XXXXXX)
	specs=""
	i=0
	for args in "list" "info -d 0" "fw -d 0" "fw -d 0 --log" "dump -d 0" "top -d 0 -n 2 -i 100"; do
		i=$((i + 1))
		"$ctl" $args --json >"$j/$i" 2>"$j/$i.err" ||
			{ echo "accelctl $args --json: expected exit 0, got $?: $(cat "$j/$i.err")"; return 1; }
		specs="$specs ${args%% *}=$j/$i"
	done
	grep -q '"verdict":"compatible"' "$j/1" ||
		{ echo "accelctl list --json: expected verdict compatible, got: $(cat "$j/1")"; return 1; }
	grep -q 'ares-fw [0-9.]* starting' "$j/4" ||
		{ echo "accelctl fw --log --json: expected the firmware's start line in the log"; return 1; }
	grep -q '"name":"HEARTBEAT"' "$j/5" ||
		{ echo "accelctl dump --json: expected a HEARTBEAT register"; return 1; }
	"$ctl" info -d 99 --json >"$j/e" 2>/dev/null
	rc=$?
	[ $rc -eq 3 ] || { echo "accelctl info -d 99 --json: expected exit 3, got $rc"; return 1; }
	before=$(cat /sys/class/accel/accel0/device/ares/reset_count)
	"$ctl" reset -d 0 --json >"$j/r" ||
		{ echo "accelctl reset --json: expected exit 0, got $?: $(cat "$j/r")"; return 1; }
	after=$(cat /sys/class/accel/accel0/device/ares/reset_count)
	[ "$after" -eq $((before + 1)) ] ||
		{ echo "accelctl reset: expected reset_count $((before + 1)), got $after"; return 1; }
	grep -q "\"reset_count_after\":$after," "$j/r" ||
		{ echo "accelctl reset --json: expected reset_count_after $after, got: $(cat "$j/r")"; return 1; }
	/usr/bin/python3 "$here/accelctl_json_check.py" "$root/docs/accelctl.schema.json" $specs \
		"info:error:1=$j/e" "reset:1=$j/r" || return 1
	"$ctl" top --once >/dev/null 2>&1 ||
		{ echo "accelctl top --once: expected exit 0"; return 1; }
	rm -rf "$j"
	return 0
}

# Tracepoints: a job leaves submit, run and complete events, a forced reset
# a reset event, all under events/ares in tracefs.
run_tracepoints() {
	t=/sys/kernel/tracing
	[ -d $t/events ] || mount -t tracefs tracefs $t ||
		{ echo "cannot mount tracefs on $t"; return 1; }
	[ -d $t/events/ares ] || { echo "expected $t/events/ares, got none"; return 1; }
	echo 0 >$t/tracing_on
	echo >$t/trace
	echo 1 >$t/events/ares/enable
	echo 1 >$t/tracing_on
	"$bin/test_dma_fill" >/dev/null || { echo "test_dma_fill failed under tracing"; return 1; }
	dbg=$(ls -d /sys/kernel/debug/accel/*/ 2>/dev/null | head -n 1)
	[ -n "$dbg" ] || mount -t debugfs debugfs /sys/kernel/debug
	dbg=$(ls -d /sys/kernel/debug/accel/*/ 2>/dev/null | head -n 1)
	echo 1 >"$dbg/reset" || { echo "write to $dbg/reset failed"; return 1; }
	echo 0 >$t/tracing_on
	echo 0 >$t/events/ares/enable
	for ev in ares_submit ares_run ares_complete ares_reset; do
		grep -q " $ev: dev=" $t/trace ||
			{ echo "expected a $ev event in $t/trace, got: $(grep -c ares_ $t/trace) ares events"; return 1; }
	done
	grep -q 'ares_reset: dev=.* reason=debug .*result=0' $t/trace ||
		{ echo "expected 'ares_reset: ... reason=debug ... result=0', got: $(grep ares_reset $t/trace)"; return 1; }
	return 0
}

# A recovery sends a change uevent on the accel node naming the reason
# (docs/sysfs.md); udevadm listens to the kernel's netlink directly.
run_reset_uevent() {
	sysdir=/sys/class/accel/accel0/device/ares
	mon=$(mktemp /tmp/ares-uevent.XXXXXX)
	udevadm monitor --kernel --property --subsystem-match=accel >"$mon" 2>&1 &
	mpid=$!
	i=0
	until grep -q '^monitor will print' "$mon"; do
		i=$((i + 1))
		[ $i -lt 300 ] || { kill $mpid; echo "udevadm monitor did not start: $(cat "$mon")"; return 1; }
		sleep 0.1
	done
	before=$(cat $sysdir/reset_count)
	echo 1 >$sysdir/reset || { kill $mpid; echo "write to $sysdir/reset failed"; return 1; }
	i=0
	# The whole event, not its first lines: the monitor's output may
	# reach the file in more than one write.
	until grep -q '^ARES_RESET_COUNT=' "$mon" && grep -q '^ARES_RESET_RESULT=' "$mon" &&
		grep -q '^ARES_RESET_REASON=' "$mon"; do
		i=$((i + 1))
		[ $i -lt 300 ] || break
		sleep 0.1
	done
	kill $mpid
	wait $mpid 2>/dev/null
	for want in "ACTION=change" "SUBSYSTEM=accel" "ARES_EVENT=reset" "ARES_RESET_REASON=operator" \
		"ARES_RESET_COUNT=$((before + 1))" "ARES_RESET_RESULT=0"; do
		grep -qx "$want" "$mon" ||
			{ echo "expected '$want' in the reset uevent, got: $(cat "$mon")"; rm -f "$mon"; return 1; }
	done
	rm -f "$mon"
	return 0
}

failed=0
log=$(mktemp /tmp/ares-guest-test.XXXXXX)
for name in $all; do
	if [ "$name" = accelctl ] || [ "$name" = tracepoints ] || [ "$name" = reset_uevent ]; then
		"run_$name" >"$log" 2>&1
		rc=$?
	elif [ ! -x "$bin/test_$name" ]; then
		echo "missing $bin/test_$name (run make)" >"$log"
		rc=1
	else
		timeout -k 5 "$per_test_timeout" "$bin/test_$name" >"$log" 2>&1
		rc=$?
		[ $rc -eq 124 ] && echo "timed out after ${per_test_timeout}s" >>"$log"
	fi
	why=$(grep -m 1 '^FAIL' "$log" | sed 's/^FAIL [^:]*: //')
	[ -n "$why" ] || why=$(tail -n 1 "$log")
	reason=$(xfail_reason "$name")
	if [ $rc -eq 77 ] && [ "${ARES_TEST_NO_SKIP:-0}" = 1 ]; then
		echo "FAIL $name: skipped under ARES_TEST_NO_SKIP=1: $(sed -n 's/^SKIP [^:]*: //p' "$log" | head -n 1)"
		failed=1
	elif [ $rc -eq 77 ]; then
		echo "SKIP $name: $(sed -n 's/^SKIP [^:]*: //p' "$log" | head -n 1)"
	elif [ $rc -eq 0 ] && [ -n "$reason" ]; then
		echo "XPASS $name (listed in expected-failures.txt: $reason)"
		failed=1
	elif [ $rc -eq 0 ]; then
		echo "PASS $name"
	elif [ -n "$reason" ]; then
		echo "XFAIL $name: $reason (got: $why)"
	else
		echo "FAIL $name: $why (exit $rc)"
		# The whole output helps when the first line is not the story.
		sed 's/^/    /' "$log"
		failed=1
	fi
done
rm -f "$log"
exit $failed
