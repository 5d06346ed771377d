#!/bin/sh
# `make soak`: boots a guest and runs tests/guest/soak.sh (the mixed
# workload with chaos; see its header) for SOAK_MINUTES (default 10).
# SOAK_KERNEL=debug runs it on the debug kernel (scripts/build-debug-kernel.sh;
# `make debug-kmod` first). SOAK_WORKERS, SOAK_SEED, SOAK_EVENT_SECONDS,
# SOAK_SLAB_TOL_KB and SOAK_MEM_TOL_KB are passed on to the guest.
# Exit status: the soak's (vm-run.sh also fails it on any kernel report).
set -u
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-10}
case "$minutes" in
'' | *[!0-9]*)
	echo "run-soak: SOAK_MINUTES wants whole minutes, got '$minutes'" >&2
	exit 2
	;;
esac
kernel_opt=""
if [ "${SOAK_KERNEL:-}" = debug ]; then
	kdir=$(scripts/build-debug-kernel.sh) || exit 1
	kernel_opt="--kernel $kdir"
	# KASAN's quarantine keeps freed objects as slab for a while (up to
	# 1/32 of RAM), kmemleak and debug objects their metadata: a 2-minute
	# soak there ended ~2 MiB up, back down only partly after rmmod.
	: "${SOAK_SLAB_TOL_KB:=16384}"
fi
set -- SOAK_MINUTES="$minutes"
for v in SOAK_WORKERS SOAK_SEED SOAK_EVENT_SECONDS SOAK_SLAB_TOL_KB SOAK_MEM_TOL_KB; do
	eval "val=\${$v:-}"
	[ -n "$val" ] && set -- "$@" "$v=$val"
done
# Stopping the workers, the final reset and the memory checks take a few
# minutes more under TCG (more on the debug kernel).
# shellcheck disable=SC2086
exec scripts/vm-run.sh $kernel_opt --timeout $((minutes * 60 + 1200)) \
	--module-args "fault_injection=1 job_timeout_ms=1000" -- env "$@" tests/guest/soak.sh
