#!/bin/bash
# Runs a command inside a QEMU guest with the Ares stack loaded.
#
# Usage: scripts/vm-run.sh [options] -- COMMAND [ARGS...]
#   --timeout S        kill the run after S seconds (default 600); exit 124
#   --module-args "A"  arguments for insmod ares.ko (default: none)
#   --no-module        do not load drm/ares.ko before COMMAND
#   --no-device        boot without the emulated device (no ares-sim)
#   --devices N        N emulated devices (default 1; 0 = --no-device)
#   --sim-args "A"     extra arguments for every ares-sim
#   --sim-args-K "A"   extra arguments for device K's ares-sim only
#   --mem SIZE         guest RAM (default 1G)
#   --smp N            guest vCPUs (default 1: on a 2-core host the vCPUs,
#                      QEMU's main loop and ares-sim contend; -smp 2 took the
#                      interrupt p99 from ~50 us to 6-17 ms)
#   --quiet            print only the command's output and the verdict
#   --verbose          progress lines (booting, loading ares.ko, firmware
#                      up, running) on stderr even when stderr is not a
#                      terminal; they are shown on a terminal anyway, and
#                      with ARES_VERBOSE=1. stdout stays the command's.
#   --kernel DIR       boot the kernel built in DIR by scripts/build-debug-kernel.sh
#                      instead of Debian's (see below)
#   --ko FILE          with --kernel: the ares.ko built against DIR/src
#                      (default build/debug-kmod/kmod/ares.ko, `make debug-kmod`)
#   --append "A"       extra kernel command-line arguments
#
# The guest boots Debian's 6.12 kernel (scripts/kernel-version.sh) under TCG
# with the host root shared read-only over 9p, so this tree is visible at
# the same path; /tmp is a tmpfs and $ARES_RESULTS (/tmp/ares-results in the
# guest) is this run's results folder on the host, build/vm/run-ID/.
# Each run gets unique socket and shared-memory names and removes them, and
# kills only the processes it started.
#
# Device K is one ares-sim process (log sim.log for K=0, sim-K.log after)
# serving one ivshmem-doorbell function at PCI slot 0x10+K, so the driver
# probes them, and names them accel0..accelN-1, in K order. Every sim maps
# the same guest RAM file (MAP_SHARED) for its DMA, as QEMU does.
#
# With --kernel, DRM, drm_sched, the shmem helper and 9p are built into the
# kernel, so the initramfs carries no modules; in the guest, DIR's
# lib/modules (modules.builtin: modprobe of a built-in driver succeeds) is
# bind-mounted over /lib/modules and FILE over this tree's kmod/ares.ko, so
# guest-init.sh and every suite that insmods kmod/ares.ko load the module
# built for that kernel, unchanged. The kernel log buffer is 16 MiB there:
# failure injection and lockdep fill the default 256 KiB before the end.
#
# Exit status: the command's own; 124 on timeout; 125 if the stack could not
# be brought up; 1 if the command passed but the kernel log shows a WARNING,
# BUG, Oops, refcount, list corruption, lockdep, KASAN, UBSAN, stall or
# other report (scripts/kernel-problems.sh lists the words).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=600
module_args=""
load_module=1
ndev=1
sim_args=""
declare -A dev_sim_args=()
mem=1G
smp=1
quiet=0
verbose=${ARES_VERBOSE:-0}
kdir=""
ko=""
append=""

while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=$2; shift 2 ;;
	--module-args) module_args=$2; shift 2 ;;
	--no-module) load_module=0; shift ;;
	--no-device) ndev=0; shift ;;
	--devices) ndev=$2; shift 2 ;;
	--sim-args) sim_args=$2; shift 2 ;;
	--sim-args-[0-9]*) dev_sim_args[${1#--sim-args-}]=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--verbose) verbose=1; shift ;;
	--kernel) kdir=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "vm-run: unknown option '$1' (see the header of $0)" >&2; exit 125 ;;
	esac
done
case "$ndev" in
''|*[!0-9]*) echo "vm-run: --devices wants a number 0..8, got '$ndev'" >&2; exit 125 ;;
esac
if [ "$ndev" -gt 8 ]; then
	echo "vm-run: --devices wants a number 0..8, got '$ndev'" >&2
	exit 125
fi
for k in "${!dev_sim_args[@]}"; do
	case "$k" in
	*[!0-9]*) echo "vm-run: unknown option '--sim-args-$k'" >&2; exit 125 ;;
	esac
	if [ "$k" -ge "$ndev" ]; then
		echo "vm-run: --sim-args-$k given but only $ndev device(s)" >&2
		exit 125
	fi
done
if [ $# -eq 0 ]; then
	echo "vm-run: no command given; usage: $0 [options] -- COMMAND..." >&2
	exit 125
fi

say() { [ "$quiet" = 1 ] || echo "vm-run: $*" >&2; }
# Progress where a person waits: on a terminal, or when asked for.
show_progress=0
if [ "$quiet" != 1 ] && { [ "$verbose" = 1 ] || [ -t 2 ]; }; then
	show_progress=1
fi
progress() { [ "$show_progress" = 1 ] && echo "vm-run: $*" >&2; }

if [ -n "$kdir" ]; then
	kdir=$(cd "$kdir" 2>/dev/null && pwd) || {
		echo "vm-run: --kernel: no folder '$kdir'" >&2
		exit 125
	}
	if [ ! -f "$kdir/complete" ]; then
		echo "vm-run: --kernel $kdir holds no finished build (scripts/build-debug-kernel.sh)" >&2
		exit 125
	fi
	kver=$(cat "$kdir/release")
	kimage="$kdir/bzImage"
	initrd="$root/build/vm/initramfs-builtin.cpio.gz"
	ko=${ko:-$root/build/debug-kmod/kmod/ares.ko}
	ko=$(readlink -f "$ko")
	# An ares.ko built for another kernel would only fail at insmod, in the
	# guest, with a terse -EINVAL: say which kernel it was built for here.
	if [ "$load_module" = 1 ] || [ -f "$ko" ]; then
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
		case "$magic" in
		"$kver "*) ;;
		*)
			echo "vm-run: $ko is built for '${magic:-nothing}', not $kver; run make debug-kmod" >&2
			exit 125
			;;
		esac
	fi
	append="log_buf_len=16M $append"
else
	kver=$("$root/scripts/kernel-version.sh") || exit 125
	kimage="/boot/vmlinuz-$kver"
	initrd="$root/build/vm/initramfs-$kver.cpio.gz"
fi
id="$$-$(date +%s%N)"
run_dir="$root/build/vm/run-$id"
sock_base="/tmp/ares-vm-$id"
ram="/dev/shm/ares-vm-$id.ram"
sim="$root/build/sim/ares-sim"
mkdir -p "$run_dir"

sim_pids=()
qemu_pid=""
cleanup() {
	[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null
	for p in "${sim_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for ((k = 0; k < ndev; k++)); do
		rm -f "$sock_base-$k.sock" "$sock_base-$k.sock.tmp"
	done
	rm -f "$ram"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -s "$initrd" ] || [ "$root/scripts/mkinitramfs.sh" -nt "$initrd" ]; then
	if [ -n "$kdir" ]; then
		"$root/scripts/mkinitramfs.sh" none "$initrd" || exit 125
	else
		"$root/scripts/mkinitramfs.sh" "$kver" "$initrd" || exit 125
	fi
fi

mem_bytes=$(numfmt --from=iec "$mem") || exit 125
cp "$root/scripts/guest-init.sh" "$run_dir/guest-init.sh"
{
	printf 'ARES_ROOT=%q\n' "$root"
	printf 'ARES_LOAD_MODULE=%q\n' "$load_module"
	printf 'ARES_MODULE_ARGS=%q\n' "$module_args"
	printf 'ARES_KERNEL_DIR=%q\n' "$kdir"
	printf 'ARES_KO=%q\n' "$ko"
} >"$run_dir/env"
{
	printf 'cd %q || exit 125\n' "$root"
	printf '%q ' "$@"
	printf '\n'
} >"$run_dir/cmd.sh"

device_opts=()
if [ "$ndev" -gt 0 ]; then
	if [ ! -x "$sim" ]; then
		echo "vm-run: $sim is missing; run make first" >&2
		exit 125
	fi
	truncate -s "$mem_bytes" "$ram" || exit 125
	device_opts=(-object "memory-backend-file,id=ram0,size=$mem_bytes,mem-path=$ram,share=on"
		-machine "q35,memory-backend=ram0")
	for ((k = 0; k < ndev; k++)); do
		sock="$sock_base-$k.sock"
		log="$run_dir/sim.log"
		[ "$k" -gt 0 ] && log="$run_dir/sim-$k.log"
		# shellcheck disable=SC2086
		"$sim" --socket "$sock" --ram "$ram" --log "$log" $sim_args ${dev_sim_args[$k]:-} &
		sim_pids+=($!)
		# The sim publishes the socket path only once it is listening.
		for _ in $(seq 100); do
			[ -S "$sock" ] && break
			kill -0 "${sim_pids[$k]}" 2>/dev/null || break
			sleep 0.05
		done
		if [ ! -S "$sock" ]; then
			echo "vm-run: ares-sim of device $k did not start; see $log" >&2
			exit 125
		fi
		device_opts+=(-chardev "socket,path=$sock,id=ares$k"
			-device "ivshmem-doorbell,chardev=ares$k,vectors=11,addr=$(printf '0x%x' $((0x10 + k)))")
	done
else
	device_opts=(-machine q35)
fi

say "run $id: kernel $kver, $ndev device(s), results in $run_dir"
start=$(date +%s.%N)
progress "booting the guest (TCG, no KVM: usually 30-90 s before the command starts)..."
# no_timer_check: on a loaded host TCG can miss the ticks the kernel's IO-APIC
# timer check counts at boot, which then panics ("IO-APIC + timer doesn't work").
qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m "$mem" \
	"${device_opts[@]}" \
	-kernel "$kimage" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 oops=panic no_timer_check firmware_class.path=$root/build/firmware $append" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$root,mount_tag=ares,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$run_dir,mount_tag=results,security_model=none" \
	-display none -monitor none -serial "file:$run_dir/console.log" \
	-nic none -no-reboot &
qemu_pid=$!

deadline=$(($(date +%s) + timeout_s))
timed_out=0
shown=0
# Passes on the guest's milestones (guest-init.sh writes them) as they come.
show_milestones() {
	[ "$show_progress" = 1 ] && [ -f "$run_dir/progress" ] || return 0
	local n line
	n=$(wc -l <"$run_dir/progress")
	[ "$n" -gt "$shown" ] || return 0
	while IFS= read -r line; do
		progress "[$(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s] $line"
	done < <(tail -n "+$((shown + 1))" "$run_dir/progress" | head -n "$((n - shown))")
	shown=$n
}
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		timed_out=1
		kill -9 "$qemu_pid" 2>/dev/null
		break
	fi
	show_milestones
	sleep 0.2
done
show_milestones
wait "$qemu_pid" 2>/dev/null
qemu_pid=""
# The emulator leaves with status 0 when QEMU disconnects or on SIGTERM;
# anything else means the guest crashed a host process.
sim_died=""
for ((k = 0; k < ndev; k++)); do
	p=${sim_pids[$k]}
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	st=$?
	[ "$st" = 0 ] || sim_died="$sim_died device $k (status $st)"
done
sim_pids=()
elapsed=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")

[ -f "$run_dir/output.txt" ] && cat "$run_dir/output.txt"

if [ "$timed_out" = 1 ]; then
	echo "vm-run: TIMEOUT after ${timeout_s}s; console tail:" >&2
	tail -n 40 "$run_dir/console.log" >&2
	exit 124
fi
if [ ! -f "$run_dir/exit-status" ]; then
	echo "vm-run: the guest stopped without an exit status; console tail:" >&2
	tail -n 40 "$run_dir/console.log" >&2
	exit 125
fi
status=$(cat "$run_dir/exit-status")
if [ -n "$sim_died" ]; then
	echo "vm-run: the emulator exited abnormally:$sim_died; log tail:" >&2
	tail -n 20 "$run_dir/sim"*.log >&2 2>/dev/null
	[ "$status" = 0 ] && status=1
fi

if "$root/scripts/kernel-problems.sh" "$run_dir/dmesg.txt" "$run_dir/console.log" \
	>"$run_dir/kernel-problems.txt"; then
	echo "vm-run: the kernel log reports problems (full log: $run_dir/dmesg.txt):" >&2
	cat "$run_dir/kernel-problems.txt" >&2
	[ "$status" = 0 ] && status=1
fi
say "run $id: exit status $status, ${elapsed}s wall"
exit "$status"
