#!/bin/sh
# The soak (make soak; scripts/run-soak.sh boots the guest): a bounded,
# mixed workload on one device with the driver loaded with
# fault_injection=1 job_timeout_ms=1000.
#  - SOAK_WORKERS (4) soak_worker processes submit FILL, DMA_COPY and GEMM
#    jobs, 1-3 in flight each, and check every result on the CPU;
#  - every few seconds one chaos event, drawn from a seeded sequence:
#    kill -9 of a worker (respawned), a forced reset (sysfs or debugfs
#    knob, alternately), hang_queue, crash_fw, drop_irqs, or hot-unplug
#    (PCI remove, then rescan once the old device is released);
#  - after SOAK_MINUTES (10): workers stopped (SIGTERM), the device reset
#    once more and its devcoredumps dismissed, then the counts, the
#    kernel log and memory judged, and rmmod ares.
# Every job's outcome is OK or a documented class (soak_worker.c's header:
# TIMEOUT, ABORTED, ECANCELED, ENODEV); one UNEXPECTED, a worker that
# died by itself, a knob that failed, a kernel problem, memory not back
# to baseline or a failing rmmod fails the soak (exit 1).
#
# Memory is compared after dropping the page cache, with the device idle:
# unreclaimable slab (SUnreclaim) within SOAK_SLAB_TOL_KB (2048) of the
# baseline and MemAvailable within SOAK_MEM_TOL_KB (16384): a leak of one
# object per job (tens of thousands of jobs) exceeds both, while caches
# the kernel keeps warm (per-CPU slabs, workqueue pools) stay inside.
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=$root/build/tests/guest
minutes=${SOAK_MINUTES:-10}
nworkers=${SOAK_WORKERS:-4}
seed=${SOAK_SEED:-$(date +%s)}
every=${SOAK_EVENT_SECONDS:-6}
slab_tol=${SOAK_SLAB_TOL_KB:-2048}
mem_tol=${SOAK_MEM_TOL_KB:-16384}
dir=$(mktemp -d /tmp/soak.XXXXXX)
problems=""

problem() {
	echo "soak: PROBLEM: $*"
	problems="$problems
  $*"
}

[ -d /sys/kernel/debug/accel ] || mount -t debugfs debugfs /sys/kernel/debug

# A seeded LCG, so a failing sequence of events can be replayed (SOAK_SEED).
rstate=$seed
rnd() {
	rstate=$(((rstate * 1103515245 + 12345) % 2147483648))
	r=$((rstate / 65536))
}

accel_sys() {
	for d in /sys/class/accel/accel*; do
		[ -e "$d/device/ares" ] && echo "$d" && return 0
	done
	return 1
}

sys=$(accel_sys) || {
	echo "soak: FAIL: no Ares device at start"
	exit 1
}
pci=$(basename "$(readlink -f "$sys/device")")
dbg=/sys/kernel/debug/accel/$pci

meminfo() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	awk '/^(Slab|SUnreclaim|MemAvailable):/ { printf "%s=%s ", substr($1, 1, length($1) - 1), $2 }' \
		/proc/meminfo
}

knob() {
	if ! err=$(sh -c "echo $2 >$dbg/$1" 2>&1); then
		problem "debugfs $1 <- $2 failed: $err"
		return 1
	fi
}

gen=0
spawn() {
	gen=$((gen + 1))
	"$bin/soak_worker" "$1" $((seed + gen * 7919)) "$dir/w$1.log" 2>>"$dir/w$1.err" &
	echo $! >"$dir/w$1.pid"
}

resets_before=0 # reset_count of the bindings before the last unplug
kills=0 forced=0 hangs=0 crashes=0 drops=0 unplugs=0

unplug() {
	s=$(accel_sys) || return
	resets_before=$((resets_before + $(cat "$s/device/ares/reset_count")))
	echo 1 >"/sys/bus/pci/devices/$pci/remove"
	# The old device lives until its last file closes (the workers see
	# -ENODEV and let go); its debugfs folder, named after the PCI
	# address, goes with it, and only then can the new one take the name.
	i=0
	while [ -e "$dbg" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$dbg" ] && problem "unplug: the old device was not released within 30 s"
	echo 1 >/sys/bus/pci/rescan
	i=0
	until accel_sys >/dev/null && [ -e "$dbg/reset" ]; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			problem "rescan: no device within 30 s"
			break
		fi
		sleep 0.1
	done
	unplugs=$((unplugs + 1))
}

base=$(meminfo)
echo "soak: $minutes min, $nworkers workers, seed $seed, device $pci; baseline $base"
for i in $(seq "$nworkers"); do
	spawn "$i"
done

end=$(($(date +%s) + minutes * 60))
while [ "$(date +%s)" -lt "$end" ]; do
	rnd
	sleep $((every / 2 + r % (every + 1)))
	for i in $(seq "$nworkers"); do
		if ! kill -0 "$(cat "$dir/w$i.pid")" 2>/dev/null; then
			wait "$(cat "$dir/w$i.pid")"
			problem "worker $i exited by itself (status $?): $(tail -n 3 "$dir/w$i.err")"
			spawn "$i"
		fi
	done
	rnd
	case $((r % 12)) in
	0 | 1 | 2)
		rnd
		i=$((1 + r % nworkers))
		kill -9 "$(cat "$dir/w$i.pid")"
		wait "$(cat "$dir/w$i.pid")" 2>/dev/null
		spawn "$i"
		kills=$((kills + 1))
		;;
	3 | 4)
		if [ $((forced % 2)) = 0 ]; then
			s=$(accel_sys) && err=$(sh -c "echo 1 >$s/device/ares/reset" 2>&1) ||
				problem "sysfs reset failed: $err"
		else
			knob reset 1
		fi
		forced=$((forced + 1))
		;;
	5 | 6)
		rnd
		knob hang_queue $((r % 6)) && hangs=$((hangs + 1))
		;;
	7 | 8)
		knob crash_fw 1 && crashes=$((crashes + 1))
		;;
	9 | 10)
		rnd
		knob drop_irqs $((1 + r % 4)) && drops=$((drops + 1))
		;;
	11)
		unplug
		;;
	esac
done

for i in $(seq "$nworkers"); do
	kill -TERM "$(cat "$dir/w$i.pid")" 2>/dev/null
done
i=0
for w in $(seq "$nworkers"); do
	pid=$(cat "$dir/w$w.pid")
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 900 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		problem "worker $w did not stop within 90 s of SIGTERM"
		kill -9 "$pid"
	fi
	wait "$pid" 2>/dev/null
done
# A hang or an IRQ drop armed late may still be pending: clear it, so the
# device is idle and clean for the memory check and the unload.
knob reset 1 && forced=$((forced + 1))
for d in /sys/class/devcoredump/devcd*; do
	[ -e "$d/data" ] && echo 1 >"$d/data"
done
sleep 1
resets=$resets_before
s=$(accel_sys) && resets=$((resets_before + $(cat "$s/device/ares/reset_count")))
after=$(meminfo)

cat "$dir"/w*.log | awk -v out="$dir/counts" '
{ n[$1]++; if ($1 == "OK") op[$2]++ }
$1 == "UNEXPECTED" { print "  " $0 >out ".unexpected" }
END {
	printf "completed=%d fill=%d copy=%d gemm=%d timeout=%d aborted=%d ecanceled=%d enodev=%d unexpected=%d\n",
		n["OK"], op["FILL"], op["DMA_COPY"], op["GEMM"], n["TIMEOUT"], n["ABORTED"],
		n["ECANCELED"], n["ENODEV"], n["UNEXPECTED"] > out
}'
# shellcheck disable=SC1090
eval "$(cat "$dir/counts")"
[ "$unexpected" -gt 0 ] && problem "$unexpected unexpected job outcomes:
$(head -n 20 "$dir/counts.unexpected")"
[ "$completed" -gt 0 ] || problem "no job completed"

kp=$(dmesg | "$root/scripts/kernel-problems.sh" | wc -l)
[ "$kp" -eq 0 ] || problem "$kp kernel log lines report problems: $(dmesg | "$root/scripts/kernel-problems.sh" | head -n 5)"

val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
d_slab=$(($(val "$after" SUnreclaim) - $(val "$base" SUnreclaim)))
d_avail=$(($(val "$after" MemAvailable) - $(val "$base" MemAvailable)))
[ "$d_slab" -le "$slab_tol" ] ||
	problem "SUnreclaim grew by $d_slab kB (tolerance $slab_tol kB)"
[ "$d_avail" -ge $((-mem_tol)) ] ||
	problem "MemAvailable fell by $((-d_avail)) kB (tolerance $mem_tol kB)"

if rmmod ares; then
	rmmod_result=ok
else
	rmmod_result="FAILED: $(grep '^ares ' /proc/modules)"
	problem "rmmod ares failed"
fi
unloaded=$(meminfo)

cat <<EOF
soak: ---- results (seed $seed, $minutes min, $nworkers workers) ----
soak: jobs completed, result checked     $completed  (FILL $fill, DMA_COPY $copy, GEMM $gemm)
soak: jobs failed, documented classes:
soak:   TIMEOUT   (job on a hung queue)             $timeout
soak:   ABORTED   (lost to a reset or an unplug)    $aborted
soak:   ECANCELED (submit on a banned context)      $ecanceled
soak:   ENODEV    (device unplugged)                $enodev
soak:   UNEXPECTED                                  $unexpected
soak: chaos: kill -9 $kills, forced resets $forced, hang_queue $hangs, crash_fw $crashes, drop_irqs $drops, unplug+rescan $unplugs
soak: device resets (reset_count over every binding)  $resets
soak: kernel problems                                 $kp
soak: memory kB: before  $base
soak:            after   $after
soak:            change  SUnreclaim $(printf %+d "$d_slab") (tolerance +$slab_tol), MemAvailable $(printf %+d "$d_avail") (tolerance -$mem_tol)
soak:            unloaded $unloaded
soak: rmmod ares: $rmmod_result
EOF
if [ -n "$problems" ]; then
	echo "soak: FAIL:$problems"
	exit 1
fi
echo "soak: PASS"
