#!/bin/sh
# Runs the host unit tests twice: the plain builds under valgrind (memory
# errors and leaks fail the run) and the AddressSanitizer/UBSan builds.
# Usage: run-unit-tests.sh PLAIN... -- SANITIZED...
set -u
failed=""
phase=valgrind
for t in "$@"; do
	if [ "$t" = "--" ]; then
		phase=sanitizers
		continue
	fi
	name=$(basename "$t")
	if [ "$phase" = valgrind ]; then
		# Check forks a child per test by default; valgrind follows only
		# what it runs, so run the tests in-process.
		CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect "$t"
	else
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$t"
	fi
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "unit: FAIL $name ($phase, exit $rc)" >&2
		failed="$failed $name($phase)"
	else
		echo "unit: PASS $name ($phase)"
	fi
done
if [ -n "$failed" ]; then
	echo "unit: failed:$failed" >&2
	exit 1
fi
