#!/bin/sh
# The ares package's pytest suites, on Debian's python3 and python3-pytest,
# against the package built in BUILD/python:
#   run-tests.sh BUILD           host tests (CPU path; the real models need
#                                BUILD/model-ref from tests/models/run-model-tests.sh)
#   run-tests.sh --guest BUILD   guest tests (device path; in the VM, through
#                                the models-device suite)
# Nothing is written into the tree: the guest sees it read-only over 9p.
set -u
cd "$(dirname "$0")/../.."
suite=host
if [ "${1:-}" = --guest ]; then
	suite=guest
	shift
fi
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
if [ ! -f "$B/model-ref/cache" ]; then
	echo "python: no $B/model-ref (run tests/models/run-model-tests.sh first)" >&2
	exit 1
fi
export PYTHONPATH="$B/python" ARES_BUILD="$B" PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest -p no:cacheprovider -q -rs "python/tests/$suite"
