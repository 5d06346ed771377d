#!/bin/sh
# Runs one guest suite on the debug kernel (vm-run.sh --kernel) and then
# judges the kernel's memory with kmemleak:
#  - before: a scan, then "clear", so what boot leaked (core kernel, not
#    ares) is not blamed on the suite;
#  - the suite;
#  - rmmod ares (unless --keep-module): objects that only the driver still
#    pointed at become unreferenced, so a leak on the unload path shows too;
#    a failing rmmod fails the run (a leaked reference);
#  - two scans with a pause (kmemleak ignores objects younger than 5 s, and
#    the second scan drops objects that were only in flight), then the
#    report, minus tests/guest/kmemleak-allow.txt, must be empty.
# The full report is kept as $ARES_RESULTS/kmemleak.txt.
#
# Usage: tests/guest/debug-suite.sh [--keep-module] -- COMMAND [ARGS...]
# Exit status: the suite's, or 1 if it passed and the memory check failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
rmmod_after=1
while [ $# -gt 0 ]; do
	case "$1" in
	--keep-module) rmmod_after=0; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
kml=/sys/kernel/debug/kmemleak
out=${ARES_RESULTS:-/tmp}/kmemleak.txt
[ -e $kml ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ ! -w $kml ]; then
	echo "FAIL debug-suite: no $kml (not the debug kernel, or kmemleak disabled)"
	exit 1
fi

scan() {
	sleep 6
	echo scan >$kml
	sleep 6
	echo scan >$kml
}

scan
echo clear >$kml

"$@"
status=$?

memfail=0
if [ "$rmmod_after" = 1 ] && grep -q '^ares ' /proc/modules; then
	if rmmod ares; then
		echo "PASS rmmod_after_suite"
	else
		echo "FAIL rmmod_after_suite: rmmod ares failed: $(grep '^ares ' /proc/modules)"
		memfail=1
	fi
fi
scan
cat $kml >"$out"
# One record per leak: "unreferenced object ..." up to the next one. A
# record is allowed only if it does not involve ares and its backtrace has
# a function named in the allow-list.
awk -v allow="$here/kmemleak-allow.txt" '
BEGIN {
	while ((getline line < allow) > 0) {
		if (line ~ /^[ \t]*(#|$)/)
			continue
		sub(/:.*/, "", line)
		pats[++np] = line
	}
}
function flush() {
	if (rec == "")
		return
	ok = 0
	if (rec !~ /\[ares\]/ && rec !~ /ares_/)
		for (i = 1; i <= np; i++)
			if (index(rec, pats[i] "+"))
				ok = 1
	if (ok)
		allowed++
	else {
		bad++
		printf "%s", rec
	}
	rec = ""
}
/^unreferenced object/ { flush() }
{ rec = rec $0 "\n" }
END {
	flush()
	printf "kmemleak: %d suspected leak(s), %d on the allow-list\n", bad + allowed, allowed
	exit bad > 0
}' "$out" >"$out.judged"
judged=$?
if [ $judged -eq 0 ]; then
	echo "PASS kmemleak_clean: $(tail -n 1 "$out.judged")"
else
	echo "FAIL kmemleak_clean: $(tail -n 1 "$out.judged"); not allowed:"
	sed '$d' "$out.judged" | sed 's/^/    /'
	memfail=1
fi
[ $status -eq 0 ] && [ $memfail -ne 0 ] && status=1
exit $status
