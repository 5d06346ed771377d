#!/bin/sh
# Guest test, run with the module NOT loaded (vm-run.sh --no-module):
#  - a firmware file with a bad payload CRC is refused by the driver, and one
#    with a valid header but an unloadable payload is refused by the device's
#    boot ROM; in both cases probe fails cleanly and no device node appears;
#  - the good image then binds;
#  - unload/reload 10 times, each time the device comes back and answers.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
ko="$root/kmod/ares.ko"
fw="$root/build/firmware"
accelctl="$root/build/bin/accelctl"
fwpath=/sys/module/firmware_class/parameters/path
failures=0

fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
pass() {
	echo "PASS $1"
}

modprobe -a drm gpu-sched drm_shmem_helper || {
	echo "FAIL setup: modprobe drm gpu-sched drm_shmem_helper"
	exit 1
}

bound() {
	[ -e /dev/accel/accel0 ] && [ -e /sys/class/accel/accel0/device/driver ]
}

load() {
	insmod "$ko" "$@" || return 1
	# Probe runs synchronously within insmod for PCI drivers.
	return 0
}

unload() {
	rmmod ares || return 1
	if grep -q '^ares ' /proc/modules; then
		return 1
	fi
	return 0
}

try_bad_image() {
	name=$1
	image=$2
	expect=$3
	mkdir -p "/tmp/$name/ares"
	cp "$image" "/tmp/$name/ares/ares-fw.bin"
	printf '%s' "/tmp/$name" >"$fwpath"
	dmesg -C
	if ! load; then
		fail "$name" "insmod failed outright; expected the module to load and the probe to fail"
		return
	fi
	if bound; then
		fail "$name" "expected no device node with a bad firmware image, got /dev/accel/accel0"
	elif ! dmesg | grep -q -i "$expect"; then
		fail "$name" "expected a kernel message matching '$expect', got: $(dmesg | grep -i ares | tail -n 3)"
	else
		pass "$name"
	fi
	unload || fail "$name" "rmmod after failed probe did not unload"
}

try_bad_image corrupt_fw_crc_refused_by_driver "$fw/ares-fw-corrupt-crc.bin" "crc"
try_bad_image bad_fw_payload_refused_by_boot_rom "$fw/ares-fw-bad-payload.bin" "boot"

# The driver's declared firmware range is 1.0.0 to 1.255.255.
try_bad_image fw_2_0_0_refused_as_incompatible "$fw/compat/2.0.0/ares/ares-fw.bin" \
	"firmware version 2\.0\.0 is incompatible with driver ares 1\.0\.0, which supports firmware 1\.0\.0 to 1\.255\.255"
try_bad_image fw_0_9_0_refused_as_incompatible "$fw/compat/0.9.0/ares/ares-fw.bin" \
	"version 0\.9\.0 is incompatible"

printf '%s' "$fw/compat/1.9.0" >"$fwpath"
dmesg -C
if load && bound && "$accelctl" info >/dev/null &&
	[ "$(cat /sys/class/accel/accel0/device/ares/fw_image_version)" = 1.9.0 ]; then
	pass newer_compatible_fw_1_9_0_binds
else
	fail newer_compatible_fw_1_9_0_binds "expected the 1.9.0 image to bind and sysfs fw_image_version 1.9.0; dmesg: $(dmesg | grep -i ares | tail -n 3)"
fi
unload || fail newer_compatible_fw_1_9_0_binds "rmmod failed"

printf '%s' "$fw" >"$fwpath"
if load && bound && "$accelctl" info >/dev/null; then
	pass good_fw_binds_after_bad
else
	fail good_fw_binds_after_bad "expected /dev/accel/accel0 and a working 'accelctl info'"
fi
unload || fail good_fw_binds_after_bad "rmmod failed"

i=1
ok=1
while [ $i -le 10 ]; do
	if ! load; then
		fail unload_reload_10_times "insmod #$i failed"
		ok=0
		break
	fi
	if ! bound || ! "$accelctl" info >/dev/null; then
		fail unload_reload_10_times "device not usable after insmod #$i"
		ok=0
		break
	fi
	if ! unload; then
		fail unload_reload_10_times "rmmod #$i failed"
		ok=0
		break
	fi
	if [ -e /dev/accel/accel0 ]; then
		fail unload_reload_10_times "/dev/accel/accel0 still present after rmmod #$i"
		ok=0
		break
	fi
	i=$((i + 1))
done
[ $ok = 1 ] && pass unload_reload_10_times

[ $failures -eq 0 ]
