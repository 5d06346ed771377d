#!/bin/sh
# Guest suite, run with the module NOT loaded (vm-run.sh --no-module):
# systemd-udevd runs with udev/60-ares.rules installed, then
#  - insmod ares.ko: each of the N devices (argument 1, default 1) gets a
#    node with group render, mode 0660, and the
#    /dev/accel/by-path/<ID_PATH>-accel symlink udevadm reports;
#  - a member of render runs a job through the node; a non-member cannot
#    open it;
#  - rmmod: udevd removes the links with the nodes;
#  - insmod again: the same PCI paths give the same links.
# With an install root (argument 2, made by `make install DESTDIR=... PREFIX=/usr`,
# relative to the tree) the whole run uses the installed stack: its module
# (loaded by modprobe from updates/ after depmod), its firmware directory,
# its rules, and its accelctl, which must list every device with the
# installed firmware's version as compatible.
# The guest root is the host's, read-only: /run becomes a tmpfs so udevd has
# its database and control socket, and the rules go to /run/udev/rules.d,
# which udevd reads ahead of /usr/lib/udev/rules.d.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
udevd=/lib/systemd/systemd-udevd
ndev=${1:-1}
dest=${2:-}
if [ -n "$dest" ]; then
	dest=$root/$dest
	ko=$dest/lib/modules/$(uname -r)/updates/ares.ko
	rules=$(find "$dest" -name 60-ares.rules -path '*/udev/rules.d/*' | head -n 1)
	accelctl=$dest/usr/bin/accelctl
	# The installed firmware, not the build tree's the guest booted with.
	printf '%s' "$dest/lib/firmware" >/sys/module/firmware_class/parameters/path
else
	ko=$root/kmod/ares.ko
	rules=$root/udev/60-ares.rules
	accelctl=$root/build/bin/accelctl
fi
failures=0
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
pass() {
	echo "PASS $1"
}

if [ ! -x "$udevd" ] || ! command -v udevadm >/dev/null || ! command -v setpriv >/dev/null; then
	echo "FAIL setup: $udevd or udevadm or setpriv missing (Debian packages udev, util-linux; scripts/install-deps.sh)"
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
cp "$rules" /run/udev/rules.d/ || {
	echo "FAIL setup: no rules file '$rules'"
	exit 1
}
"$udevd" --daemon --resolve-names=early || {
	echo "FAIL setup: $udevd --daemon failed"
	exit 1
}
if [ -n "$dest" ]; then
	# As `make install` leaves it: ares.ko in updates/ and depmod run, so
	# modprobe finds it and loads drm, gpu-sched and drm_shmem_helper
	# itself. The module tree is the host's, read-only: an overlay with a
	# tmpfs upper layer takes the copy and depmod's output.
	kdir=/lib/modules/$(uname -r)
	mkdir -p /tmp/ovl/upper /tmp/ovl/work
	if ! modprobe overlay ||
		! mount -t overlay overlay -o "lowerdir=$kdir,upperdir=/tmp/ovl/upper,workdir=/tmp/ovl/work" "$kdir" ||
		! mkdir -p "$kdir/updates" || ! cp "$ko" "$kdir/updates/" || ! depmod -a; then
		echo "FAIL setup: cannot put $ko into an overlay of $kdir/updates and run depmod"
		exit 1
	fi
	load() { modprobe ares; }
	if [ "$(modinfo -F filename ares)" = "$kdir/updates/ares.ko" ]; then
		pass depmod_finds_installed_module
	else
		fail depmod_finds_installed_module "modinfo ares gives '$(modinfo -F filename ares)'"
	fi
else
	modprobe -a drm gpu-sched drm_shmem_helper || {
		echo "FAIL setup: modprobe drm gpu-sched drm_shmem_helper"
		exit 1
	}
	load() { insmod "$ko"; }
fi

# check_nodes NAME: there are $ndev nodes, each as the rules say.
check_nodes() {
	n=$(ls -d /sys/class/accel/accel* 2>/dev/null | wc -l)
	if [ "$n" -ne "$ndev" ]; then
		fail "$1" "expected $ndev accel nodes after insmod and udevadm settle, found $n"
		return
	fi
	for sys in /sys/class/accel/accel*; do
		name=$(basename "$sys")
		node=/dev/accel/$name
		got=$(stat -c '%G %a' "$node")
		if [ "$got" = "render 660" ]; then
			pass "$1_${name}_group_mode"
		else
			fail "$1_${name}_group_mode" "$node is '$got' (group mode), expected 'render 660'"
		fi
		pci=$(basename "$(readlink -f "$sys/device")")
		link=/dev/accel/by-path/pci-$pci-accel
		if [ "$(readlink "$link")" = "../$name" ] && [ "$(readlink -f "$link")" = "$node" ]; then
			pass "$1_${name}_by_path_symlink"
		else
			fail "$1_${name}_by_path_symlink" "expected $link -> ../$name, got '$(readlink "$link")'"
		fi
		# udevd's own record must list the link and the path it came from.
		info=$(udevadm info --query=all --name="$node")
		if echo "$info" | grep -qx "S: accel/by-path/pci-$pci-accel" &&
			echo "$info" | grep -qx "E: ID_PATH=pci-$pci"; then
			pass "$1_${name}_udevadm_info"
		else
			fail "$1_${name}_udevadm_info" "udevadm info lacks S: accel/by-path/pci-$pci-accel or ID_PATH: $info"
		fi
	done
}

load || {
	echo "FAIL setup: loading $ko"
	exit 1
}
udevadm settle --timeout=120
check_nodes first_probe
links_before=$(ls -l /dev/accel/by-path/ | awk '{print $9, $11}')

# The tools see every device through the nodes the rules made.
if "$accelctl" list --json >/tmp/udev-list.json 2>&1 &&
	python3 -c '
import json, sys
d = json.load(open("/tmp/udev-list.json"))["devices"]
ok = len(d) == int(sys.argv[1]) and all(x["compatibility"]["verdict"] == "compatible" for x in d)
sys.exit(0 if ok else 1)' "$ndev"; then
	pass accelctl_lists_devices
else
	fail accelctl_lists_devices "$accelctl list --json: expected $ndev compatible devices: $(cat /tmp/udev-list.json)"
fi

# A member of render (not root, not the owner) runs a job through the node;
# a non-member cannot open it.
if setpriv --reuid=65534 --regid=65534 --groups="$(getent group render | cut -d: -f3)" \
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
if [ -n "$(ls -A /dev/accel/by-path 2>/dev/null)" ] || ls /dev/accel/accel* >/dev/null 2>&1; then
	fail remove_drops_symlinks "nodes or by-path links still present after rmmod: $(ls -R /dev/accel)"
else
	pass remove_drops_symlinks
fi

load || fail reprobe "second load of $ko failed"
udevadm settle --timeout=120
check_nodes reprobe
links_after=$(ls -l /dev/accel/by-path/ | awk '{print $9, $11}')
if [ "$links_before" = "$links_after" ]; then
	pass reprobe_same_links
else
	fail reprobe_same_links "by-path links changed across reload: '$links_before' vs '$links_after'"
fi

udevadm control --exit
[ $failures -eq 0 ]
