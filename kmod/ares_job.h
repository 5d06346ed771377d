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
 * struct ares_job_entry - one descriptor of a scheduler job
 *
 * A plain SUBMIT makes a scheduler job of one entry; SUBMIT_BATCH with
 * DRM_ARES_SUBMIT_BATCH_FUSED makes one of up to DRM_ARES_MAX_BATCH_JOBS,
 * written to the ring together by one run_job().
 */
struct ares_job_entry {
	/** @cmd_va: command stream VA */
	u64 cmd_va;
	/** @seqno: seqno within the context */
	u64 seqno;
	/** @hw_seqno: descriptor seqno of the current run (queue->lock) */
	u64 hw_seqno;
	/** @cmd_size: command stream bytes */
	u32 cmd_size;
	/** @slot: ring slot of the current run (queue->lock) */
	u32 slot;
};

/**
 * struct ares_job - one scheduler job: one submitted job, or a fused batch
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
	/** @entries: its descriptors, in order (&@one for a single job) */
	struct ares_job_entry *entries;
	/** @nentries: entries in @entries, 1..DRM_ARES_MAX_BATCH_JOBS */
	u32 nentries;
	/** @one: the entry of a single job */
	struct ares_job_entry one;
	/** @seqno: seqno within the context of the last entry */
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
	/** @hw_seqno: descriptor seqno of the last entry in the current run */
	u64 hw_seqno;
	/**
	 * @entries_done: entries the device completed, over all runs: a run
	 * after a reset writes only the others, so none runs twice
	 */
	u32 entries_done;
	/** @status: ARES_JOB_* of the first entry that failed, else OK */
	u32 status;
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
