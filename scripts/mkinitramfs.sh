#!/bin/sh
# Builds the guest's initramfs: busybox plus the 9p modules of kernel $1,
# and an init that mounts the host root (read-only) and the run's results
# folder over 9p, then runs guest-init.sh chrooted into the host root and
# powers off.
# Usage: mkinitramfs.sh KVER OUT.cpio.gz
# KVER "none": no modules, for a kernel with 9p built in (vm-run.sh --kernel).
set -eu
kver=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/newroot" "$tmp/lib/mods"
cp /bin/busybox "$tmp/bin/busybox"
# Busybox insmod cannot read xz modules; unpack them here, in load order.
for m in netfs 9pnet 9pnet_virtio 9p; do
	[ "$kver" = none ] && break
	f=$(modinfo -k "$kver" -F filename "$m")
	case "$f" in
	*.xz) xz -dc "$f" >"$tmp/lib/mods/$m.ko" ;;
	*) cp "$f" "$tmp/lib/mods/$m.ko" ;;
	esac
done

cat >"$tmp/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in netfs 9pnet 9pnet_virtio 9p; do
	[ -f /lib/mods/$m.ko ] || continue
	insmod /lib/mods/$m.ko || echo "ares-init: insmod $m failed"
done
opts=trans=virtio,version=9p2000.L,msize=262144
if ! mount -t 9p -o $opts,ro hostroot /newroot; then
	echo "ares-init: cannot mount host root"; poweroff -f
fi
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mount -t tmpfs tmp /newroot/tmp
mount -t debugfs debugfs /newroot/sys/kernel/debug 2>/dev/null
mkdir -p /newroot/tmp/ares-results
mount -t 9p -o $opts results /newroot/tmp/ares-results
# The tree under test is shared on its own: it may live under /tmp, which
# the tmpfs above hides. Mount it at the same path as on the host.
. /newroot/tmp/ares-results/env
mkdir -p "/newroot$ARES_ROOT" 2>/dev/null
if ! mount -t 9p -o $opts,ro ares "/newroot$ARES_ROOT"; then
	echo "ares-init: cannot mount the tree under test at $ARES_ROOT"
fi
# PID 1 must not page its text in from the host root: power-off shuts the
# 9p transport down first, and PID 1 would die of SIGBUS and panic the guest
# before the power-off lands. So PID 1 is this busybox, copied into the
# chroot's tmpfs; it stays in the chroot because the kernel resolves
# firmware_class.path and usermode helpers against PID 1's root.
mkdir /newroot/tmp/ares-init && cp /bin/busybox /newroot/tmp/ares-init/busybox
exec chroot /newroot /tmp/ares-init/busybox sh -c \
	'/bin/sh /tmp/ares-results/guest-init.sh; /tmp/ares-init/busybox sync; /tmp/ares-init/busybox poweroff -f'
INIT
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
