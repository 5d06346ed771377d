#!/bin/sh
# Runs inside the guest, chrooted into the host root, as PID 1's child.
# Loads the stack, runs the requested command and leaves its exit status
# and the kernel log in the results folder; PID 1 then powers off.
R=/tmp/ares-results
. "$R/env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp ARES_RESULTS="$R" ARES_ROOT
status=0
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
	elif ! insmod "$ARES_ROOT/kmod/ares.ko" $ARES_MODULE_ARGS >>"$R/output.txt" 2>&1; then
		echo "guest-init: insmod $ARES_ROOT/kmod/ares.ko $ARES_MODULE_ARGS failed" >>"$R/output.txt" 2>&1
		status=125
	fi
fi
if [ "$status" = 0 ]; then
	/bin/bash "$R/cmd.sh" >>"$R/output.txt" 2>&1
	status=$?
fi
echo "$status" >"$R/exit-status"
dmesg >"$R/dmesg.txt"
sync
