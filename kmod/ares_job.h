/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: jobs - SUBMIT and the scheduler callbacks that run them.
 */
#ifndef __ARES_JOB_H__
#define __ARES_JOB_H__

#include <linux/list.h>

#include <drm/gpu_scheduler.h>

struct ares_as;
struct ares_ctx;
struct ares_device;
struct ares_queue;
struct ares_usage;
struct drm_device;
struct drm_file;
struct drm_gem_object;

/**
 * struct ares_job - one submitted job
 */
struct ares_job {
	/** @base: scheduler job, embedded */
	struct drm_sched_job base;
	/** @adev: the device */
	struct ares_device *adev;
	/** @ctx: context (a reference) */
	struct ares_ctx *ctx;
	/** @as: address space the job runs in (a reference) */
	struct ares_as *as;
	/** @queue: hardware queue */
	struct ares_queue *queue;
	/** @usage: usage counters of the submitting file (a reference) */
	struct ares_usage *usage;
	/** @bos: buffers the job uses (references) */
	struct drm_gem_object **bos;
	/** @bo_count: entries in @bos */
	u32 bo_count;
	/** @cmd_va: command stream VA */
	u64 cmd_va;
	/** @cmd_size: command stream bytes */
	u32 cmd_size;
	/** @seqno: seqno within the context */
	u64 seqno;
	/** @guilty: timed out; its next run fails it with -ETIMEDOUT */
	bool guilty;
	/**
	 * @as_pinned: holds a pin on @as's hardware slot. Set by prepare_job;
	 * cleared under queue->lock when the job leaves the device, or by
	 * free_job, after which nothing else touches the job.
	 */
	bool as_pinned;
	/**
	 * @as_turn: its place in the queue of jobs waiting for a slot (from
	 * ares_as_pin() until the next prepare_job or free_job), or NULL
	 */
	struct dma_fence *as_turn;

	/* Protected by queue->lock. */
	/** @hw_fence: fence of the current run, or NULL before a (re)run */
	struct dma_fence *hw_fence;
	/** @hw_seqno: descriptor seqno of the current run */
	u64 hw_seqno;
	/** @slot: ring slot of the current run */
	u32 slot;
	/** @link: in &ares_queue.pending while on the ring */
	struct list_head link;
};

extern const struct drm_sched_backend_ops ares_sched_ops;

struct drm_sched_job *ares_job_sched_job(struct ares_job *job);
void ares_job_mark_guilty(struct ares_job *job);
void ares_job_unpin(struct ares_job *job);

int ares_ioctl_submit(struct drm_device *dev, void *data,
		      struct drm_file *file);
int ares_ioctl_submit_batch(struct drm_device *dev, void *data,
			    struct drm_file *file);

#endif /* __ARES_JOB_H__ */
