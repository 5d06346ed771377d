/* SPDX-License-Identifier: MIT */
/*
 * Firmware entry and main loop: report READY, then forever drain every
 * queue, keep the heartbeat, and sleep on the doorbells in between.
 */
#include "fw.h"

#ifndef FW_VERSION_MAJOR
#define FW_VERSION_MAJOR 1
#define FW_VERSION_MINOR 0
#define FW_VERSION_PATCH 0
#endif
#ifndef FW_FEATURES
#define FW_FEATURES 0
#endif

#define FW_VERSION	ARES_VERSION(FW_VERSION_MAJOR, FW_VERSION_MINOR, FW_VERSION_PATCH)
#define FW_HEARTBEAT_NS ((__u64)ARES_HEARTBEAT_PERIOD_MS * 1000000ull)

#ifdef FW_TEST_SANDBOX_PROBE
/*
 * TEST ONLY (firmware.mk's sandbox image): the crash knob instead tries
 * what a compromised firmware would, a raw openat(2) of a host file. The
 * CP's sandbox must kill the CP for it (FATAL_CAUSE = CP_SANDBOX); if the
 * call returns, the sandbox is missing, and the firmware says so and runs
 * on, so no FATAL comes and the test sees the difference.
 */
#define FW_SYS_OPENAT 257
#define FW_AT_FDCWD   (-100)

static long fw_raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static void fw_crash(const struct ares_cp_ops *ops)
{
	static int tried;
	long fd;

	if (tried)
		return;
	tried = 1;
	fw_log(ops, "DBG_FW_CRASH set: sandbox probe tries openat(/etc/passwd)");
	fd = fw_raw_syscall3(FW_SYS_OPENAT, FW_AT_FDCWD, (long)"/etc/passwd", 0);
	fw_log(ops, "sandbox probe: openat returned 0x%llx: the CP is NOT sandboxed",
	       (unsigned long long)fd);
}
#else
/* Not a constant the compiler can see through: the injected crash must be a real fault. */
static volatile __u32 *volatile fw_bad_address = (volatile __u32 *)16;

static void fw_crash(const struct ares_cp_ops *ops)
{
	fw_log(ops, "DBG_FW_CRASH set: taking an exception");
	*fw_bad_address = 0xdead;
}
#endif

static void heartbeat(const struct ares_cp_ops *ops, __u64 *next)
{
	__u64 now = ops->now_ns(ops->dev);

	if (now < *next)
		return;
	if (fw_rd32(ops, ARES_REG_DBG_FW_CRASH))
		fw_crash(ops);
	fw_wr64(ops, ARES_REG_HEARTBEAT, fw_rd64(ops, ARES_REG_HEARTBEAT) + 1);
	*next += FW_HEARTBEAT_NS;
	if (*next <= now)
		*next = now + FW_HEARTBEAT_NS;
}

FW_EXPORT int ares_fw_entry(const struct ares_cp_ops *ops)
{
	__u64 next, now;

	if (!ops || ops->abi_version != ARES_CP_ABI_VERSION || ops->size < sizeof(*ops))
		return -1;
	fw_queues_init();
	fw_log(ops, "ares-fw %u.%u.%u starting (CP ABI %u)", FW_VERSION_MAJOR, FW_VERSION_MINOR,
	       FW_VERSION_PATCH, ops->abi_version);
	ops->report_ready(ops->dev, FW_VERSION, FW_FEATURES);
	next = ops->now_ns(ops->dev) + FW_HEARTBEAT_NS;
	for (;;) {
		do {
			fw_queues_scan(ops);
			heartbeat(ops, &next);
		} while (fw_queues_run_one(ops));
		now = ops->now_ns(ops->dev);
		ops->wait(ops->dev, fw_queues_wait_mask(), next > now ? next - now : 0);
	}
}
