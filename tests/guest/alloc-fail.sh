#!/bin/sh
# Guest suite for the debug kernel: allocation-failure injection
# (tests/guest/kmod/alloc_fail.c) over every ioctl of the driver, then over
# its probe (unbind, then bind with the N-th allocation failing), then a
# job on the re-bound device. Run under debug-suite.sh, which checks
# kmemleak afterwards; vm-run.sh fails the run on any WARNING, KASAN,
# lockdep or UBSAN report in the kernel log.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=$root/build/tests/guest
failures=0

"$bin/alloc_fail" ioctls /dev/accel/accel0 || failures=$((failures + 1))

pci=$(basename "$(readlink -f /sys/class/accel/accel0/device)")
"$bin/alloc_fail" probe "$pci" || failures=$((failures + 1))
i=0
while [ ! -e /dev/accel/accel0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -e /dev/accel/accel0 ] && "$bin/test_dma_fill" >/dev/null; then
	echo "PASS job_after_probe_injection"
else
	echo "FAIL job_after_probe_injection: expected /dev/accel/accel0 and a passing dma_fill"
	failures=$((failures + 1))
fi
[ $failures -eq 0 ]
