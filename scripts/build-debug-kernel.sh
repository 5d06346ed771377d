#!/bin/sh
# Builds (once) the debug guest kernel that `make test-debug` boots: Debian's
# linux-source-6.12 with defconfig + kvm_guest.config + the fragment
# scripts/debug-kernel/ares-debug.config (KASAN, lockdep, kmemleak, UBSAN,
# debug objects and lists, failslab/fail_page_alloc, DRM, accel, drm_sched,
# shmem helper and 9p built in), and prints the folder holding it.
#
# Usage: scripts/build-debug-kernel.sh [--dir]
#   --dir   only print the folder the current fragment maps to (no build)
#
# The folder is $ARES_DEBUG_KERNEL_CACHE (default ~/.cache/ares-debug-kernel)
# /<source version>-<hash of fragment and patch>: outside the clone, so every
# clone and worktree on the machine shares one build, and a changed fragment
# gets a new folder instead of a stale kernel. It holds:
#   src/          the configured, built tree (M= builds of ares.ko use it)
#   bzImage       the kernel
#   modroot/lib/modules/RELEASE/   modules.builtin etc., so modprobe of a
#                 built-in driver (drm, gpu-sched, vgem...) succeeds in the guest
#   release       the kernel release string
#   build-seconds wall time of the build
# A build takes about 11 minutes on 2 cores ($JOBS, default 2, make jobs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel/ares-debug.config
patch=$here/debug-kernel/kconfig-prompts.patch
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${ARES_DEBUG_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ares-debug-kernel}
jobs=${JOBS:-2}

if [ ! -r "$tarball" ]; then
	echo "build-debug-kernel: $tarball is missing; run scripts/install-debug-deps.sh" >&2
	exit 1
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
hash=$(cat "$frag" "$patch" | sha256sum | cut -c1-12)
dir=$cache/$srcver-$hash

if [ "${1:-}" = --dir ]; then
	echo "$dir"
	exit 0
fi
if [ -f "$dir/complete" ]; then
	echo "$dir"
	exit 0
fi

"$here/install-debug-deps.sh"
mkdir -p "$cache"
# Two clones asking at once must not build into one folder together.
exec 9>"$cache/.lock"
if ! flock -n 9; then
	echo "build-debug-kernel: another build holds $cache/.lock; waiting" >&2
	flock 9
fi
if [ -f "$dir/complete" ]; then
	echo "$dir"
	exit 0
fi

start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/src"
echo "build-debug-kernel: extracting $tarball ($srcver) into $dir/src" >&2
tar -xJf "$tarball" -C "$dir/src" --strip-components=1
cd "$dir/src"
patch -p1 -s <"$patch"
# Everything the build prints goes to a log: on failure its tail says why.
log=$dir/build.log
{
	make defconfig
	make kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make olddefconfig
} >"$log" 2>&1 || {
	tail -n 30 "$log" >&2
	exit 1
}
# Each symbol the fragment sets must have survived olddefconfig.
bad=0
grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$frag" | while read -r line; do
	grep -qxF "$line" .config && continue
	sym=$(echo "$line" | sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/; s/=.*//')
	have=$(grep -E "^$sym=|^# $sym is not set" .config || echo "$sym absent")
	echo "build-debug-kernel: wanted '$line', .config has '$have'" >&2
	echo "$sym"
done >"$dir/config-mismatch"
if [ -s "$dir/config-mismatch" ]; then
	echo "build-debug-kernel: the fragment did not apply (missing dependencies?); see above" >&2
	exit 1
fi
echo "build-debug-kernel: building bzImage and modules with -j$jobs (log: $log)" >&2
if ! make -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	exit 1
fi
make modules_install INSTALL_MOD_PATH="$dir/modroot" >>"$log" 2>&1
cp arch/x86/boot/bzImage "$dir/bzImage"
make -s kernelrelease >"$dir/release"
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/complete"
echo "build-debug-kernel: built $(cat "$dir/release") in $(cat "$dir/build-seconds")s" >&2
echo "$dir"
