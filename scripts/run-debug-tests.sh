#!/bin/sh
# `make test-debug`: the guest suites on the debug kernel (KASAN, lockdep,
# kmemleak, UBSAN, debug objects and lists; scripts/build-debug-kernel.sh),
# each in its own boot, each followed by rmmod and a kmemleak check
# (tests/guest/debug-suite.sh), plus allocation-failure injection over the
# driver's ioctls and probe (tests/guest/alloc-fail.sh). vm-run.sh fails a
# suite on any kernel report. Prints each suite's wall time and the total.
#
# Suites: kmod-recovery, hot-unplug, alloc-fail, multi-device, driver
# (tests/guest/run-all.sh). ARES_DEBUG_SUITES="a b" runs only those.
# Under TCG the debug kernel runs several times slower than Debian's, so
# the timeouts here are several times theirs.
set -u
cd "$(dirname "$0")/.."
kdir=$(scripts/build-debug-kernel.sh) || exit 1
want=${ARES_DEBUG_SUITES:-driver kmod-recovery hot-unplug multi-device alloc-fail}
failed=""
t0=$(date +%s)

suite() {
	name=$1
	shift
	case " $want " in
	*" $name "*) ;;
	*) return 0 ;;
	esac
	echo "debug: suite $name"
	s=$(date +%s)
	if scripts/vm-run.sh --kernel "$kdir" "$@"; then
		echo "debug: PASS suite $name ($(($(date +%s) - s)) s)"
	else
		echo "debug: FAIL suite $name ($(($(date +%s) - s)) s)" >&2
		failed="$failed $name"
	fi
}

ko_args="fault_injection=1 job_timeout_ms=1000"
# Shortest first, so a failure shows early.
suite kmod-recovery --timeout 1800 --module-args "$ko_args" \
	-- tests/guest/debug-suite.sh -- build/tests/guest/kmod_smoke --hang
suite hot-unplug --timeout 1800 --module-args "fault_injection=1 job_timeout_ms=0" \
	-- tests/guest/debug-suite.sh -- tests/guest/hot-unplug.sh
suite alloc-fail --timeout 3600 --module-args "$ko_args" \
	-- tests/guest/debug-suite.sh -- tests/guest/alloc-fail.sh
suite multi-device --timeout 3600 --devices 2 --module-args "$ko_args" \
	-- tests/guest/debug-suite.sh -- tests/guest/multi-device.sh
# Per-test timeout of run-all.sh: its default is sized for Debian's kernel.
suite driver --timeout 5400 --module-args "$ko_args" \
	-- env ARES_TEST_TIMEOUT=900 ARES_EXPECTED_FAILURES=tests/guest/expected-failures-debug.txt \
	tests/guest/debug-suite.sh -- tests/guest/run-all.sh

echo "debug: kernel $(cat "$kdir/release") from $kdir (built in $(cat "$kdir/build-seconds") s)"
echo "debug: total $(($(date +%s) - t0)) s"
if [ -n "$failed" ]; then
	echo "debug: failed suites:$failed" >&2
	exit 1
fi
