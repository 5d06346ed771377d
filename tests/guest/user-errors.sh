#!/bin/sh
# Guest test of the first errors a user meets, run with the module NOT
# loaded (vm-run.sh --no-module):
#  - no module: accelctl says the ares module is not loaded;
#  - a probe that failed on a corrupt firmware image: accelctl says the
#    module is loaded, the probe failed, points to dmesg and quotes the
#    driver's line naming the cause, and does not ask whether ares.ko is loaded;
#  - a user who may not open the node (root:root 0600 without the udev
#    rule; root:render 0660 for a non-member): accelctl, accel-run and
#    ares-ocr name the group and the udev rule, and accelctl list prints
#    no table, with a non-zero exit; a member of render lists the device.
# Usage: tests/guest/user-errors.sh [MODEL_CACHE]   (ares-ocr needs the OCR
# models; without them its check is skipped)
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cache=${1:-}
ko="$root/kmod/ares.ko"
fw="$root/build/firmware"
bin="$root/build/bin"
fwpath=/sys/module/firmware_class/parameters/path
nobody=65534
failures=0
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
pass() { echo "PASS $1"; }

modprobe -a drm gpu-sched drm_shmem_helper || {
	echo "FAIL setup: modprobe drm gpu-sched drm_shmem_helper"
	exit 1
}
if ! command -v setpriv >/dev/null || ! getent group render >/dev/null; then
	echo "FAIL setup: setpriv (util-linux) or group render (udev) missing"
	exit 1
fi
render_gid=$(getent group render | cut -d: -f3)

# expect NAME WANT-STATUS "PATTERN..." -- COMMAND: the exit status, each
# pattern in stderr, and nothing on stdout when WANT-STATUS is not 0.
expect() {
	name=$1 want=$2
	shift 2
	pats=""
	while [ "$1" != -- ]; do
		pats="$pats
$1"
		shift
	done
	shift
	"$@" >/tmp/ue.out 2>/tmp/ue.err
	st=$?
	if [ "$st" != "$want" ]; then
		fail "$name" "exit $st, expected $want; stderr: $(cat /tmp/ue.err)"
		return
	fi
	if [ "$want" != 0 ] && [ -s /tmp/ue.out ]; then
		fail "$name" "expected nothing on stdout, got: $(cat /tmp/ue.out)"
		return
	fi
	echo "$pats" | while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -q -e "$p" /tmp/ue.err || echo "$p"
	done >/tmp/ue.missing
	if [ -s /tmp/ue.missing ]; then
		fail "$name" "stderr lacks '$(head -n 1 /tmp/ue.missing)': $(cat /tmp/ue.err)"
	else
		pass "$name"
	fi
}

# ---- no module ----
expect no_module_named 3 "the ares module is not loaded" "modprobe ares" -- "$bin/accelctl" list

# ---- a probe that failed ----
mkdir -p /tmp/badfw/ares
cp "$fw/ares-fw-corrupt-crc.bin" /tmp/badfw/ares/ares-fw.bin
printf '%s' /tmp/badfw >"$fwpath"
if ! insmod "$ko"; then
	fail probe_failed_named "insmod failed outright; expected the module to load and the probe to fail"
else
	expect probe_failed_named 3 "ares.ko is loaded but its probe of PCI device 0000:00:10.0 failed" \
		"dmesg" "last line: ares 0000:00:10.0: .*[Cc][Rr][Cc]" -- "$bin/accelctl" list
	grep -q "is ares.ko loaded" /tmp/ue.err &&
		fail probe_failed_not_called_unloaded "still asks whether ares.ko is loaded: $(cat /tmp/ue.err)"
	expect probe_failed_info 3 "probe of PCI device" -- "$bin/accelctl" info -d 0
	rmmod ares || fail probe_failed_named "rmmod after the failed probe"
fi
printf '%s' "$fw" >"$fwpath"

# ---- permissions ----
if ! insmod "$ko" || [ ! -e /dev/accel/accel0 ]; then
	fail setup "insmod with the good firmware did not bring up /dev/accel/accel0"
	exit 1
fi
/usr/bin/python3 "$root/tests/scripts/make-extdata-model.py" /tmp/ue-model add || fail setup "model"
chmod -R a+rX /tmp/ue-model
as_nobody() { setpriv --reuid=$nobody --regid=$nobody --clear-groups "$@"; }
as_render() { setpriv --reuid=$nobody --regid=$nobody --groups="$render_gid" "$@"; }

# No udev rule: devtmpfs makes the node root:root 0600.
chown root:root /dev/accel/accel0
chmod 0600 /dev/accel/accel0
expect no_rule_accelctl_list 1 "Permission denied" "group root, mode 0600" "udev rule 60-ares.rules" \
	"group render" -- as_nobody "$bin/accelctl" list
expect no_rule_accel_run 1 "Permission denied" "udev rule 60-ares.rules" "group render" -- \
	as_nobody "$bin/accel-run" /tmp/ue-model/add.onnx
if [ -n "$cache" ] && [ -d "$cache/ocr/assets" ]; then
	/usr/bin/python3 "$root/tests/models/make-inputs.py" /tmp/ue-img "Ares" --image-only >/dev/null
	chmod -R a+rX /tmp/ue-img
	expect no_rule_ares_ocr 1 "Permission denied" "udev rule 60-ares.rules" "group render" -- \
		as_nobody "$bin/ares-ocr" "$cache/ocr/assets" /tmp/ue-img/text.png
else
	echo "SKIP no_rule_ares_ocr (no model cache given)"
fi

# The rule's policy, and a user outside render.
chgrp render /dev/accel/accel0
chmod 0660 /dev/accel/accel0
expect non_member_told_to_join 1 "group render, mode 0660" "add yourself to group render" \
	"usermod -aG render" -- as_nobody "$bin/accelctl" list
expect non_member_accel_run 1 "add yourself to group render" -- \
	as_nobody "$bin/accel-run" /tmp/ue-model/add.onnx
if as_render "$bin/accelctl" list >/tmp/ue.out 2>/tmp/ue.err && grep -q '^INDEX' /tmp/ue.out &&
	grep -q /dev/accel/accel0 /tmp/ue.out; then
	pass render_member_lists
else
	fail render_member_lists "$(cat /tmp/ue.out /tmp/ue.err)"
fi
rmmod ares || fail teardown "rmmod"
[ $failures = 0 ]
