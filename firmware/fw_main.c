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

/* Not a constant the compiler can see through: the injected crash must be a real fault. */
static volatile __u32 *volatile fw_bad_address = (volatile __u32 *)16;

static void heartbeat(const struct ares_cp_ops *ops, __u64 *next)
{
	__u64 now = ops->now_ns(ops->dev);

	if (now < *next)
		return;
	if (fw_rd32(ops, ARES_REG_DBG_FW_CRASH)) {
		fw_log(ops, "DBG_FW_CRASH set: taking an exception");
		*fw_bad_address = 0xdead;
	}
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
