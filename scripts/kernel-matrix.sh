#!/bin/sh
# Builds ares.ko through DKMS (dkms add / build -k / remove, in a private
# DKMS tree) against the Debian 12 amd64 kernel headers of every 6.x series
# apt offers: 6.1 from bookworm and 6.12 from the backports. Kernels from
# 6.12 on that have drm_sched_init_args must build cleanly (and the
# module's vermagic must name the kernel); the others must be refused by
# kmod/Kbuild with its message naming the requirement (6.1 has no DRM
# accel; Debian's 6.12 ABIs before 6.12.115 lack the drm_sched_init_args
# backport). Anything else fails the run.
#
# Usage: scripts/kernel-matrix.sh [--all]
#   default: the newest ABI of each 6.x series; --all: every ABI apt offers
#   (heavy: Debian's 6.12 headers packages depend on their kernel image, so
#   each older 6.12 ABI also installs an image and builds its initramfs).
# Needs root (installs the headers packages it is missing with apt-get).
set -eu
cd "$(dirname "$0")/.."
all=0
case "${1:-}" in
'') ;;
--all) all=1 ;;
*) echo "kernel-matrix: unknown option '$1'; usage: $0 [--all]" >&2; exit 2 ;;
esac

# linux-headers-6.1.0-57-amd64 and linux-headers-6.12.117+deb12-amd64, not
# the meta packages (linux-headers-6.12-amd64) or other flavours (cloud, rt).
kernels=$(apt-cache pkgnames linux-headers-6. 2>/dev/null |
	sed -n 's/^linux-headers-\(6\.[0-9]*\.[0-9]*\(-[0-9]*\|+deb12\)-amd64\)$/\1/p' | sort -V)
if [ -z "$kernels" ]; then
	echo "kernel-matrix: apt offers no linux-headers-6.*-amd64; run apt-get update" >&2
	exit 1
fi
if [ "$all" = 0 ]; then
	# The newest of each series: sorted ascending, the last per MAJOR.MINOR.
	kernels=$(echo "$kernels" | awk -F'[.-]' '{ last[$1 "." $2] = $0; order[$1 "." $2] = NR }
		END { for (s in last) print order[s], last[s] }' | sort -n | cut -d' ' -f2)
fi

missing=""
for k in $kernels; do
	dpkg -s "linux-headers-$k" >/dev/null 2>&1 || missing="$missing linux-headers-$k"
done
if [ -n "$missing" ]; then
	echo "kernel-matrix: installing$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=600 $missing >/dev/null
fi

tmp=$(mktemp -d /tmp/ares-kernel-matrix.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make -s install-dkms DESTDIR="$tmp/root"
src=$(ls -d "$tmp"/root/usr/src/ares-*)
ver=${src##*/ares-}
mkdir -p "$tmp/dkms"
trees="--sourcetree $tmp/root/usr/src --dkmstree $tmp/dkms"
# shellcheck disable=SC2086
dkms add -m ares -v "$ver" $trees >"$tmp/add.log" 2>&1 || {
	cat "$tmp/add.log"
	echo "kernel-matrix: dkms add ares/$ver failed" >&2
	exit 1
}

bad=0
for k in $kernels; do
	series=$(echo "$k" | cut -d. -f1-2)
	# Debian 6.12 ABIs before 6.12.115 lack the drm_sched_init_args
	# backport the driver uses: kmod/Kbuild refuses them too.
	sched_h=/usr/src/linux-headers-${k%-amd64}-common/include/drm/gpu_scheduler.h
	if [ "$(printf '%s\n6.12\n' "$series" | sort -V | head -n 1)" = 6.12 ] &&
		grep -qs '^struct drm_sched_init_args {' "$sched_h"; then
		expect=built
	else
		expect=refused
	fi
	# shellcheck disable=SC2086
	if dkms build -m ares -v "$ver" -k "$k" $trees >"$tmp/build-$k.log" 2>&1; then
		ko=$(ls "$tmp/dkms/ares/$ver/$k"/*/module/ares.ko* 2>/dev/null | head -n 1)
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
		# DKMS keeps a successful build's log next to the module.
		log=$(ls "$tmp/dkms/ares/$ver/$k"/*/log/make.log 2>/dev/null | head -n 1)
		if [ -n "$ko" ] && [ "$magic" = "$k" ] && [ -s "$log" ] && ! grep -q 'warning:' "$log"; then
			got=built
			why="ares.ko, vermagic $magic"
		else
			got=failed
			why="dkms build passed but module '$ko' has vermagic '$magic', or make.log '$log' is missing or has warnings"
		fi
	else
		msg=$(grep -o 'ares.ko needs.*' "$tmp/dkms/ares/$ver/build/make.log" 2>/dev/null | head -n 1)
		if [ -n "$msg" ]; then
			got=refused
			why=${msg%.  Stop.}
		else
			got=failed
			why="dkms build failed: $(tail -n 5 "$tmp/dkms/ares/$ver/build/make.log" \
				"$tmp/build-$k.log" 2>/dev/null | tr '\n' ' ')"
		fi
	fi
	if [ "$got" = "$expect" ]; then
		echo "kernel-matrix: $k: $got (expected): $why"
	else
		echo "kernel-matrix: $k: $got, expected $expect: $why" >&2
		bad=$((bad + 1))
	fi
done

# shellcheck disable=SC2086
dkms remove -m ares -v "$ver" --all $trees >"$tmp/remove.log" 2>&1
if [ -e "$tmp/dkms/ares" ]; then
	echo "kernel-matrix: dkms remove ares/$ver left $tmp/dkms/ares: $(cat "$tmp/remove.log")" >&2
	bad=$((bad + 1))
fi
[ "$bad" -eq 0 ]
