#!/bin/sh
# Runs inside the guest, chrooted into the host root, as PID 1's child.
# Loads the stack, runs the requested command and leaves its exit status
# and the kernel log in the results folder; PID 1 then powers off.
R=/tmp/ares-results
. "$R/env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp ARES_RESULTS="$R" ARES_ROOT
status=0
# Milestones for vm-run.sh's progress lines (shown on a terminal or with
# --verbose); the command's own output is output.txt alone.
progress() { echo "$*" >>"$R/progress"; }
progress "guest kernel up"
# A kernel of our own (vm-run.sh --kernel): its modules.builtin makes
# modprobe of the built-in DRM pieces succeed, and the ares.ko built for it
# takes the place of the tree's, which was built for Debian's kernel.
if [ -n "${ARES_KERNEL_DIR:-}" ]; then
	if ! mount --bind "$ARES_KERNEL_DIR/modroot/lib/modules" /lib/modules; then
		echo "guest-init: cannot bind $ARES_KERNEL_DIR/modroot/lib/modules over /lib/modules" >>"$R/output.txt"
		status=125
	elif [ -f "$ARES_KO" ] && ! mount --bind "$ARES_KO" "$ARES_ROOT/kmod/ares.ko"; then
		echo "guest-init: cannot bind $ARES_KO over $ARES_ROOT/kmod/ares.ko (make the tree's kmod first)" >>"$R/output.txt"
		status=125
	fi
fi
if [ "$status" != 0 ]; then
	:
elif ! cd "$ARES_ROOT"; then
	echo "guest-init: the tree under test is not visible at $ARES_ROOT" >"$R/output.txt"
	status=125
elif [ "$ARES_LOAD_MODULE" = 1 ]; then
	if ! modprobe -a drm gpu-sched drm_shmem_helper; then
		echo "guest-init: modprobe of drm, gpu-sched, drm_shmem_helper failed" >>"$R/output.txt" 2>&1
		status=125
	else
		progress "loading ares.ko"
		if ! insmod "$ARES_ROOT/kmod/ares.ko" $ARES_MODULE_ARGS >>"$R/output.txt" 2>&1; then
			echo "guest-init: insmod $ARES_ROOT/kmod/ares.ko $ARES_MODULE_ARGS failed" >>"$R/output.txt" 2>&1
			status=125
		else
			# PCI probe (firmware upload and boot) runs within insmod.
			nodes=$(cd /dev/accel 2>/dev/null && echo accel*)
			case "$nodes" in
			'' | 'accel*') progress "ares.ko loaded, but no device came up (see dmesg.txt)" ;;
			*) progress "firmware up: $nodes" ;;
			esac
		fi
	fi
fi
if [ "$status" = 0 ]; then
	progress "running the command"
	/bin/bash "$R/cmd.sh" >>"$R/output.txt" 2>&1
	status=$?
fi
echo "$status" >"$R/exit-status"
dmesg >"$R/dmesg.txt"
sync
