#!/bin/sh
# Guest suite for two devices (vm-run.sh --devices 2, driver loaded with
# fault_injection=1 job_timeout_ms=1000):
#  - the driver binds both, as accel0 and accel1 in PCI order;
#  - multi_device_client: both used at once, PRIME between them, a fault on
#    one leaves the other working (see its header);
#  - the runtime picks a device: accel-run --device K runs its jobs on
#    device K only; --device 2 is refused naming the device;
#  - accelctl list --json has a row per device, info --json for each, all
#    valid against docs/accelctl.schema.json; the plain list has two rows.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$root/tests/guest
bin=$root/build/tests/guest
ctl=$root/build/bin/accelctl
failures=0
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}

a0=$(basename "$(readlink -f /sys/class/accel/accel0/device)" 2>/dev/null)
a1=$(basename "$(readlink -f /sys/class/accel/accel1/device)" 2>/dev/null)
if [ -e /dev/accel/accel0 ] && [ -e /dev/accel/accel1 ] && [ ! -e /dev/accel/accel2 ] &&
	[ -n "$a0" ] && [ -n "$a1" ] && [ "$a0" \< "$a1" ]; then
	echo "PASS two_devices_bound ($a0 as accel0, $a1 as accel1)"
else
	fail two_devices_bound "expected accel0 and accel1 in PCI order, got nodes: $(ls /dev/accel 2>&1) at '$a0' '$a1'"
fi

if timeout -k 5 900 "$bin/multi_device_client"; then
	echo "PASS multi_device_client"
else
	fail multi_device_client "exit $? (see above)"
fi

jobs() { cat /sys/class/accel/accel$1/device/ares/jobs_completed; }
model=/usr/share/libonnx-testdata/data/node/test_matmul_2d/model.onnx
ok=1
for k in 0 1; do
	b0=$(jobs 0)
	b1=$(jobs 1)
	out=$("$root/build/bin/accel-run" "$model" --device $k --no-fallback --coverage 2>&1) ||
		{ ok=0; fail runtime_picks_device "accel-run --device $k: expected exit 0, got $?: $out"; }
	d0=$(($(jobs 0) - b0))
	d1=$(($(jobs 1) - b1))
	if { [ $k = 0 ] && { [ $d0 -lt 1 ] || [ $d1 -ne 0 ]; }; } ||
		{ [ $k = 1 ] && { [ $d1 -lt 1 ] || [ $d0 -ne 0 ]; }; }; then
		ok=0
		fail runtime_picks_device "accel-run --device $k: expected jobs on device $k only, got $d0 on 0 and $d1 on 1"
	fi
done
out=$("$root/build/bin/accel-run" "$model" --device 2 --no-fallback 2>&1)
rc=$?
if [ $rc -eq 0 ] || ! echo "$out" | grep -q 'device 2: no such Ares device'; then
	ok=0
	fail runtime_picks_device "accel-run --device 2: expected a failure naming device 2, got exit $rc: $out"
fi
[ $ok = 1 ] && echo "PASS runtime_picks_device"

j=$(mktemp -d /tmp/multi-device-json.XXXXXX)
out=$("$ctl" list 2>&1)
rows=$(echo "$out" | grep -c '/dev/accel/accel[01]')
if [ "$rows" -eq 2 ]; then
	echo "PASS accelctl_list_two_rows"
else
	fail accelctl_list_two_rows "expected 2 device rows, got $rows: $out"
fi
if "$ctl" list --json >"$j/list" && "$ctl" info -d 0 --json >"$j/info0" &&
	"$ctl" info -d 1 --json >"$j/info1"; then
	if /usr/bin/python3 - "$j" "$a0" "$a1" <<'PY'
import json, sys
d, a0, a1 = sys.argv[1:]
devs = json.load(open(f"{d}/list"))["devices"]
got = [(x["index"], x["pci_address"], x["compatibility"]["verdict"]) for x in devs]
want = [(0, a0, "compatible"), (1, a1, "compatible")]
if got != want:
    sys.exit(f"accelctl list --json: expected {want}, got {got}")
for k, a in ((0, a0), (1, a1)):
    dev = json.load(open(f"{d}/info{k}"))["device"]
    if dev["index"] != k or dev["pci_address"] != a or len(dev["queues"]) != 8:
        sys.exit(f"accelctl info -d {k} --json: expected index {k} at {a} with 8 queues, "
                 f"got {dev['index']} at {dev['pci_address']} with {len(dev['queues'])}")
PY
	then
		if /usr/bin/python3 "$here/accelctl_json_check.py" "$root/docs/accelctl.schema.json" \
			"list:1=$j/list" "info:1=$j/info0" "info:1=$j/info1"; then
			echo "PASS accelctl_json_two_devices"
		else
			fail accelctl_json_two_devices "schema check failed (see above)"
		fi
	else
		fail accelctl_json_two_devices "content check failed (see above)"
	fi
else
	fail accelctl_json_two_devices "accelctl list/info --json: expected exit 0, got $?"
fi
rm -rf "$j"

[ "$failures" -eq 0 ] || exit 1
exit 0
