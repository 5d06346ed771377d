/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: job contexts, each a drm_sched entity on one hardware queue.
 */
#ifndef __ARES_CTX_H__
#define __ARES_CTX_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>

#include <drm/gpu_scheduler.h>

struct ares_file;
struct ares_queue;
struct ares_uq;
struct drm_device;
struct drm_file;

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
	/**
	 * @uq: a user-queue context (UQ_CREATE): the queue, and no entity,
	 * queue or jobs; NULL for a CTX_CREATE context
	 */
	struct ares_uq *uq;
};

/* Jobs a context may have queued before SUBMIT waits: a ring's worth. */
#define ARES_CTX_MAX_JOBS	256

int ares_ctx_check_priority(u32 priority);
struct ares_ctx *ares_ctx_alloc(void);
struct ares_ctx *ares_ctx_lookup(struct ares_file *afile, u32 id);
void ares_ctx_put(struct ares_ctx *ctx);
void ares_file_ctx_fini(struct ares_file *afile);
int ares_ioctl_ctx_create(struct drm_device *dev, void *data,
			  struct drm_file *file);
int ares_ioctl_ctx_destroy(struct drm_device *dev, void *data,
			   struct drm_file *file);

#endif /* __ARES_CTX_H__ */
