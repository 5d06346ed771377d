// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: per-file usage accounting. The counters outlive the file that
 * made them while any of its jobs or buffers still counts into them.
 */

#include <linux/slab.h>

#include "ares_usage.h"

/**
 * ares_usage_create() - zeroed usage counters for a new file
 *
 * Return: the counters (one reference) or NULL.
 */
struct ares_usage *ares_usage_create(void)
{
	struct ares_usage *usage = kzalloc(sizeof(*usage), GFP_KERNEL_ACCOUNT);

	if (usage) {
		kref_init(&usage->ref);
		init_waitqueue_head(&usage->space_wq);
	}
	return usage;
}

static void ares_usage_release(struct kref *ref)
{
	kfree(container_of(ref, struct ares_usage, ref));
}

/**
 * ares_usage_put() - drop a reference on a file's usage counters
 * @usage: the counters; freed with the last reference
 */
void ares_usage_put(struct ares_usage *usage)
{
	kref_put(&usage->ref, ares_usage_release);
}

/**
 * ares_usage_jobs_done() - give back some of the file's job slots
 * @usage: the file's counters
 * @n: slots: a fused batch holds one per entry
 *
 * For a job that was freed, or a SUBMIT that failed after taking its slot;
 * wakes the submitters waiting for room.
 */
void ares_usage_jobs_done(struct ares_usage *usage, u32 n)
{
	atomic_sub(n, &usage->jobs_queued);
	wake_up_all(&usage->space_wq);
}
