#!/bin/sh
# ares-serve's host test on the CPU path (part of `make test-unit`): the
# wake-word and OCR models served with --device cpu, every response compared
# with accel-run --cpu, the bad requests under load, leaks and SIGTERM
# (serve_check.py says what each check proves); then the wake-word example
# (serve/examples/wakeword-demo.sh). SERVE_DURATION sets the
# load's length in seconds (default 5 here; the guest test's is 60).
# Usage: run-serve-tests.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
cache=$(scripts/fetch-models.sh | tail -n 1) || exit 1
rc=0
/usr/bin/python3 serve/tests/serve_check.py --build "$B" --models "$cache" \
	--device cpu --ocr --duration "${SERVE_DURATION:-5}" || rc=1
# The ASan/UBSan build (a leak at exit fails its SIGTERM check): the
# wake-word and embedding models, a shorter load.
if [ -x "$B/san/bin/ares-serve" ]; then
	/usr/bin/python3 serve/tests/serve_check.py --build "$B" --models "$cache" \
		--device cpu --duration 3 --server "$B/san/bin/ares-serve" || rc=1
fi
# The wake-word example: espeak-ng speech through the served pipeline.
ARES_MODEL_CACHE=$cache serve/examples/wakeword-demo.sh "$B" cpu || rc=1
exit $rc
