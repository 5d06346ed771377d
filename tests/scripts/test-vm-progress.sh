#!/bin/sh
# vm-run.sh's progress lines: with --verbose (and on a terminal) stderr
# shows, in order, the boot, the module load, the firmware up and the
# command starting; stdout is the command's output alone, byte for byte;
# without --verbose and with stderr not a terminal (scripts, CI) no
# progress line appears. Boots the guest twice.
# Usage: tests/scripts/test-vm-progress.sh
set -u
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0
pass() { echo "vm-progress: PASS $1"; }
fail() {
	echo "vm-progress: FAIL $1: $2" >&2
	failed=$((failed + 1))
}

scripts/vm-run.sh --verbose --timeout 600 -- printf 'out $x\n' >"$T/out" 2>"$T/err"
rc=$?
printf 'out $x\n' >"$T/want"
if [ $rc != 0 ]; then
	fail verbose_run "exit $rc: $(tail -n 5 "$T/err")"
elif ! cmp -s "$T/out" "$T/want"; then
	fail stdout_is_the_commands "stdout: $(cat "$T/out")"
else
	pass stdout_is_the_commands
	# The milestones, in order.
	grep -n -e 'booting the guest' -e 'guest kernel up' -e 'loading ares.ko' \
		-e 'firmware up: accel0' -e 'running the command' "$T/err" | cut -d: -f1 >"$T/lines"
	if [ "$(wc -l <"$T/lines")" = 5 ] && sort -n -c "$T/lines" 2>/dev/null; then
		pass verbose_shows_milestones_in_order
	else
		fail verbose_shows_milestones_in_order "stderr: $(cat "$T/err")"
	fi
fi

ARES_VERBOSE=0 scripts/vm-run.sh --no-device --no-module --timeout 600 -- true >"$T/out" 2>"$T/err"
rc=$?
if [ $rc != 0 ]; then
	fail quiet_run "exit $rc: $(tail -n 5 "$T/err")"
elif grep -q -e 'booting the guest' -e 'guest kernel up' -e 'running the command' "$T/err"; then
	fail no_progress_when_not_a_terminal "stderr: $(cat "$T/err")"
elif [ -s "$T/out" ]; then
	fail no_progress_when_not_a_terminal "stdout: $(cat "$T/out")"
else
	pass no_progress_when_not_a_terminal
fi
[ $failed = 0 ]
