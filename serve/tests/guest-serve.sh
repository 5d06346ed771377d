#!/bin/sh
# ares-serve in the guest, on the emulated device (the serve suite of
# scripts/run-guest-tests.sh): the OCR models, the wake-word heads and the
# embedding model served with --device auto (each instance a session on
# accel0, nodes the device does not cover on the CPU), 8 clients for
# SERVE_DURATION seconds (default 60) with every response compared with
# accel-run --cpu on the same input, the bad requests during the load,
# fd/RSS after against before, and SIGTERM with requests in progress
# (serve_check.py); then the wake-word example on the device
# (serve/examples/wakeword-demo.sh auto). Usage: guest-serve.sh MODEL_CACHE [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${1:?usage: guest-serve.sh MODEL_CACHE [BUILD_DIR]}
B=${2:-$root/build}
[ -e /dev/accel/accel0 ] || {
	echo "FAIL serve: no /dev/accel/accel0 in the guest"
	exit 1
}
# The guest's init brings up no network: the clients and the server talk
# over loopback only, which starts down.
ip link set lo up || exit 1
rc=0
# The served models run on the device wherever it can (the busy-time
# metrics need device work), not only where the cost model finds it pays.
export ART_PLACEMENT=device
/usr/bin/python3 "$here/serve_check.py" --build "$B" --models "$cache" --device auto \
	--ocr --duration "${SERVE_DURATION:-60}" || rc=1
# The wake-word example with its models on the device.
ARES_MODEL_CACHE=$cache "$root/serve/examples/wakeword-demo.sh" "$B" auto || rc=1
exit $rc
