#!/bin/sh
# Guest suite: a full queue, hot-unplug and rescan (driver loaded with
# fault_injection=1 job_timeout_ms=0, so only the unplug can end the hung
# jobs).
#  - backpressure_client: SUBMIT on a full context waits, interruptibly and
#    boundedly (see its header);
#  - unplug_client removes the PCI function with jobs in flight and checks
#    fences, -ENODEV ioctls and its mapping (see its header);
#  - the node disappears; rmmod succeeds (no reference leaked by the open
#    file, its buffers, contexts or jobs);
#  - insmod + rescan brings the device back and a job runs;
#  - garbage in every register with the driver unbound leaves the emulator
#    alive, and the driver binds again and runs a job.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=$root/build/tests/guest
failures=0
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
# The node comes back within 10 s and a job runs on it.
device_back() {
	i=0
	while [ ! -e /dev/accel/accel0 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e /dev/accel/accel0 ] && "$bin/test_dma_fill"
}

# Leaves hung low-priority jobs: the unplug below ends them too.
"$bin/backpressure_client" || fail submit_waits_on_full_queue "backpressure_client failed"
"$bin/unplug_client" || fail unplug_with_jobs_in_flight "unplug_client failed"
if [ -e /dev/accel/accel0 ]; then
	fail unplug_removes_node "expected /dev/accel/accel0 gone after the remove"
else
	echo "PASS unplug_removes_node"
fi
if rmmod ares; then
	echo "PASS rmmod_after_unplug_no_leaked_reference"
else
	fail rmmod_after_unplug_no_leaked_reference "rmmod ares failed: $(grep '^ares ' /proc/modules)"
fi
insmod "$root/kmod/ares.ko" || fail rescan "insmod failed"
echo 1 >/sys/bus/pci/rescan
if device_back; then
	echo "PASS rescan_brings_device_back"
else
	fail rescan_brings_device_back "expected /dev/accel/accel0 and a passing dma_fill after rescan"
fi

# Unplug again with no module reload in between: remove + rescan while bound.
pci=$(basename "$(readlink -f /sys/class/accel/accel0/device)")
echo 1 >"/sys/bus/pci/devices/$pci/remove"
echo 1 >/sys/bus/pci/rescan
if device_back; then
	echo "PASS remove_rescan_while_bound"
else
	fail remove_rescan_while_bound "expected the device back after remove + rescan"
fi
# A guest root with the driver unbound writes garbage to every register and
# rings every doorbell; the emulator must survive it (vm-run.sh fails the
# run if it exited abnormally), and the driver must bind, reset and run.
pci=$(basename "$(readlink -f /sys/class/accel/accel0/device)")
echo "$pci" >/sys/bus/pci/drivers/ares/unbind
if "$bin/reg_garbage" "$pci" 20000; then
	echo "PASS register_garbage_unbound"
else
	fail register_garbage_unbound "reg_garbage failed"
fi
echo "$pci" >/sys/bus/pci/drivers/ares/bind
if device_back; then
	echo "PASS rebind_after_register_garbage"
else
	fail rebind_after_register_garbage "expected the driver to bind and a dma_fill to pass"
fi

[ $failures -eq 0 ]
