#!/bin/sh
# Guest suite, run with the module NOT loaded (vm-run.sh --no-module):
# systemd-udevd runs with udev/60-ares.rules installed, then
#  - insmod ares.ko: the node gets group render, mode 0660, and the
#    /dev/accel/by-path/<ID_PATH>-accel symlink udevadm reports;
#  - an opened node still works for a member of render (a job runs);
#  - rmmod: udevd removes the symlink with the node;
#  - insmod again: the same PCI path gives the same symlink.
# The guest root is the host's, read-only: /run becomes a tmpfs so udevd has
# its database and control socket, and the rules go to /run/udev/rules.d,
# which udevd reads ahead of /usr/lib/udev/rules.d.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
ko="$root/kmod/ares.ko"
udevd=/lib/systemd/systemd-udevd
failures=0
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
pass() {
	echo "PASS $1"
}

if [ ! -x "$udevd" ] || ! command -v udevadm >/dev/null; then
	echo "FAIL setup: $udevd or udevadm missing (Debian package udev; scripts/install-deps.sh)"
	exit 1
fi
if ! getent group render >/dev/null; then
	echo "FAIL setup: no group render in /etc/group (created by Debian's udev package)"
	exit 1
fi
mount -t tmpfs -o mode=0755 run /run || {
	echo "FAIL setup: cannot mount a tmpfs on /run"
	exit 1
}
mkdir -p /run/udev/rules.d
cp "$root/udev/60-ares.rules" /run/udev/rules.d/
"$udevd" --daemon --resolve-names=early || {
	echo "FAIL setup: $udevd --daemon failed"
	exit 1
}
modprobe -a drm gpu-sched drm_shmem_helper || {
	echo "FAIL setup: modprobe drm gpu-sched drm_shmem_helper"
	exit 1
}

# check_node NAME: the node and its by-path link are as the rules say.
check_node() {
	node=/dev/accel/accel0
	if [ ! -c "$node" ]; then
		fail "$1" "no $node after insmod and udevadm settle"
		return
	fi
	got=$(stat -c '%G %a' "$node")
	if [ "$got" = "render 660" ]; then
		pass "$1_group_mode"
	else
		fail "$1_group_mode" "$node is '$got' (group mode), expected 'render 660'"
	fi
	pci=$(basename "$(readlink -f /sys/class/accel/accel0/device)")
	link=/dev/accel/by-path/pci-$pci-accel
	if [ "$(readlink "$link")" = "../accel0" ] && [ "$(readlink -f "$link")" = "$node" ]; then
		pass "$1_by_path_symlink"
	else
		fail "$1_by_path_symlink" "expected $link -> ../accel0, got '$(readlink "$link")'"
	fi
	# udevd's own record must list the link and the path it was built from.
	info=$(udevadm info --query=all --name="$node")
	if echo "$info" | grep -qx "S: accel/by-path/pci-$pci-accel" &&
		echo "$info" | grep -qx "E: ID_PATH=pci-$pci"; then
		pass "$1_udevadm_info"
	else
		fail "$1_udevadm_info" "udevadm info lacks S: accel/by-path/pci-$pci-accel or ID_PATH: $info"
	fi
}

insmod "$ko" || {
	echo "FAIL setup: insmod $ko"
	exit 1
}
udevadm settle --timeout=120
check_node first_probe
pci=$(basename "$(readlink -f /sys/class/accel/accel0/device)")

# A member of render (not root, not owner) can open the node and run a job
# through it; the link path works as well as the node's.
if command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --groups="$(getent group render | cut -d: -f3)" \
		"$root/build/tests/guest/test_dma_fill" >/tmp/udev-render.log 2>&1; then
	pass render_member_runs_job
else
	fail render_member_runs_job "test_dma_fill as uid 65534 in group render failed: $(tail -3 /tmp/udev-render.log)"
fi
if setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c "exec 3<>/dev/accel/accel0" 2>/dev/null; then
	fail non_member_refused "uid 65534 outside render opened /dev/accel/accel0"
else
	pass non_member_refused
fi

rmmod ares || fail rmmod "rmmod ares failed"
udevadm settle --timeout=120
if [ -e "/dev/accel/by-path/pci-$pci-accel" ] || [ -e /dev/accel/accel0 ]; then
	fail remove_drops_symlink "node or by-path link still present after rmmod"
else
	pass remove_drops_symlink
fi

insmod "$ko" || fail reprobe "second insmod failed"
udevadm settle --timeout=120
check_node reprobe

udevadm control --exit
[ $failures -eq 0 ]
