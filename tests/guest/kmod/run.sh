#!/bin/sh
# Builds kmod_smoke and runs it in the VM: smoke test, 10 x rmmod/insmod with
# the smoke test after each load, then the hang/crash/reset recovery test.
# Usage: tests/guest/kmod/run.sh           (from anywhere; needs make kmod,
#        build/sim/ares-sim and build/firmware/ares/ares-fw.bin)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/build/kmod
args="fault_injection=1 job_timeout_ms=1000"
mkdir -p "$out"
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -I"$root/include" \
	-I/usr/include/libdrm -o "$out/kmod_smoke" "$root/tests/guest/kmod/kmod_smoke.c"
cat >"$out/kmod-loop.sh" <<EOS
set -e
$out/kmod_smoke
rmmod ares
for i in 1 2 3 4 5 6 7 8 9 10; do
	insmod $root/kmod/ares.ko $args
	$out/kmod_smoke >/tmp/kmod_smoke.out || { cat /tmp/kmod_smoke.out; exit 1; }
	rmmod ares
done
insmod $root/kmod/ares.ko $args
$out/kmod_smoke --hang
EOS
exec "$root/scripts/vm-run.sh" --timeout 300 --module-args "$args" -- sh "$out/kmod-loop.sh"
