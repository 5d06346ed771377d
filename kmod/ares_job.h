/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: contexts, jobs, hardware queues and their completion interrupts.
 */
#ifndef __ARES_JOB_H__
#define __ARES_JOB_H__

#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>

#include <drm/gpu_scheduler.h>

#include "ares/regs.h"

struct ares_as;
struct ares_device;
struct ares_file;
struct ares_queue;
struct drm_gem_object;

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

/**
 * struct ares_ctx - a job context: one drm_sched entity on one hardware
 * queue. Referenced by its file's context table and by each of its jobs.
 */
struct ares_ctx {
	/** @ref: references, see above */
	struct kref ref;
	/** @uid: device-unique id (BO_WAIT bookkeeping) */
	u64 uid;
	/** @queue: hardware queue the context's jobs run on */
	struct ares_queue *queue;
	/** @sched: &queue->sched, the entity's one-element scheduler list */
	struct drm_gpu_scheduler *sched;
	/** @entity: the scheduler entity */
	struct drm_sched_entity entity;
	/**
	 * @submit_lock: serialises job arm + push on @entity (as drm_sched
	 * requires), @seqno and @destroyed.
	 */
	struct mutex submit_lock;
	/** @seqno: last job seqno handed out in this context */
	u64 seqno;
	/** @destroyed: CTX_DESTROY tore down @entity; no more submits */
	bool destroyed;
	/** @banned: a job timed out; submits fail with -ECANCELED */
	bool banned;
	/** @queued: jobs pushed and not yet freed by the scheduler */
	atomic_t queued;
};

/* Jobs a context may have queued before SUBMIT waits: a ring's worth. */
#define ARES_CTX_MAX_JOBS	256

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

int ares_queues_init(struct ares_device *adev);
void ares_queue_hw_init(struct ares_queue *q);
void ares_queue_drain(struct ares_queue *q);
irqreturn_t ares_irq_queue(int irq, void *arg);

struct drm_sched_job *ares_job_sched_job(struct ares_job *job);
void ares_job_mark_guilty(struct ares_job *job);

struct ares_usage *ares_usage_create(void);
void ares_usage_put(struct ares_usage *usage);

static inline struct ares_usage *ares_usage_get(struct ares_usage *usage)
{
	kref_get(&usage->ref);
	return usage;
}

void ares_file_ctx_fini(struct ares_file *afile);
int ares_ioctl_ctx_create(struct drm_device *dev, void *data,
			  struct drm_file *file);
int ares_ioctl_ctx_destroy(struct drm_device *dev, void *data,
			   struct drm_file *file);
int ares_ioctl_submit(struct drm_device *dev, void *data,
		      struct drm_file *file);

#endif /* __ARES_JOB_H__ */
