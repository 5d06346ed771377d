/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: per-file usage accounting (fdinfo engine time, and the job and
 * buffer counts the per-file limits apply to).
 */
#ifndef __ARES_USAGE_H__
#define __ARES_USAGE_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/wait.h>

#include "ares/regs.h"

/**
 * struct ares_usage - one file's engine time (fdinfo) and the counts its
 * limits apply to. Referenced by the file, by each of its jobs and by each
 * of its buffers, so jobs that complete and buffers that are freed after
 * the file is closed still have somewhere to count.
 */
struct ares_usage {
	/** @ref: references, see above */
	struct kref ref;
	/** @busy_ns: device time of completed jobs, per priority */
	atomic64_t busy_ns[ARES_NUM_PRIORITIES];
	/** @jobs: jobs completed, per priority */
	atomic64_t jobs[ARES_NUM_PRIORITIES];
	/** @jobs_queued: jobs submitted (or being submitted) and not freed */
	atomic_t jobs_queued;
	/** @space_wq: woken whenever a job of the file is freed */
	wait_queue_head_t space_wq;
	/** @num_bos: buffers of the file not yet freed */
	atomic_t num_bos;
	/** @bo_bytes: bytes of the file's BO_CREATE buffers not yet freed */
	atomic64_t bo_bytes;
};

struct ares_usage *ares_usage_create(void);
void ares_usage_put(struct ares_usage *usage);
void ares_usage_jobs_done(struct ares_usage *usage, u32 n);

/**
 * ares_usage_get() - take a reference on a file's usage counters
 * @usage: the counters
 *
 * Return: @usage.
 */
static inline struct ares_usage *ares_usage_get(struct ares_usage *usage)
{
	kref_get(&usage->ref);
	return usage;
}

#endif /* __ARES_USAGE_H__ */
