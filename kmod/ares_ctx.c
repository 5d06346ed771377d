// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: job contexts.
 *
 * A context is a drm_sched entity bound to one of the two hardware queues of
 * its priority (2p and 2p+1, whichever has fewer contexts). The device
 * serves equal-priority queues round robin, WEIGHT jobs per turn; each
 * queue's WEIGHT is the number of its contexts that have jobs queued, so
 * busy contexts of one priority get equal shares even when three of them
 * share two queues.
 */

#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>

#include "ares_ctx.h"
#include "ares_drv.h"
#include "ares_uq.h"

#include "uapi/drm/ares_accel.h"

/* Device-unique context ids, for BO_WAIT. */
static atomic64_t ares_ctx_uid_next = ATOMIC64_INIT(0);

static void ares_ctx_release(struct kref *ref)
{
	struct ares_ctx *ctx = container_of(ref, struct ares_ctx, ref);

	if (ctx->uq)
		ares_uq_free(ctx->uq);
	mutex_destroy(&ctx->submit_lock);
	kfree(ctx);
}

/**
 * ares_ctx_put() - drop a context reference
 * @ctx: context; freed with the last reference
 */
void ares_ctx_put(struct ares_ctx *ctx)
{
	kref_put(&ctx->ref, ares_ctx_release);
}

/**
 * ares_ctx_lookup() - find one of a file's contexts
 * @afile: file
 * @id: context id that CTX_CREATE returned
 *
 * Return: the context with a reference taken, or NULL.
 */
struct ares_ctx *ares_ctx_lookup(struct ares_file *afile, u32 id)
{
	struct ares_ctx *ctx;

	xa_lock(&afile->ctxs);
	ctx = xa_load(&afile->ctxs, id);
	if (ctx)
		kref_get(&ctx->ref);
	xa_unlock(&afile->ctxs);
	return ctx;
}

/**
 * ares_ctx_alloc() - a bare context, one reference, in no table yet
 *
 * Return: the context or NULL.
 */
struct ares_ctx *ares_ctx_alloc(void)
{
	struct ares_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	kref_init(&ctx->ref);
	mutex_init(&ctx->submit_lock);
	atomic_set(&ctx->queued, 0);
	ctx->uid = atomic64_inc_return(&ares_ctx_uid_next);
	return ctx;
}

/* A new context (one reference) on the less loaded queue of @priority. */
static struct ares_ctx *ares_ctx_create(struct ares_device *adev, u32 priority)
{
	struct ares_queue *qa, *qb;
	struct ares_ctx *ctx;
	int ret;

	ctx = ares_ctx_alloc();
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	/* Priority p is served by queues 2p and 2p+1: take the less loaded. */
	qa = &adev->queues[2 * priority];
	qb = &adev->queues[2 * priority + 1];
	ctx->queue = atomic_read(&qb->num_ctx) < atomic_read(&qa->num_ctx) ?
		     qb : qa;
	ctx->sched = &ctx->queue->sched;

	ret = drm_sched_entity_init(&ctx->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &ctx->sched, 1, NULL);
	if (ret) {
		ares_ctx_put(ctx);
		return ERR_PTR(ret);
	}
	atomic_inc(&ctx->queue->num_ctx);
	return ctx;
}

static void ares_ctx_teardown(struct ares_ctx *ctx)
{
	if (ctx->uq) {
		struct ares_file *afile = ctx->uq->file->driver_priv;

		ares_uq_destroy(ctx->uq);
		atomic_dec(&afile->num_uqs);
		ares_ctx_put(ctx);
		return;
	}
	mutex_lock(&ctx->submit_lock);
	ctx->destroyed = true;
	mutex_unlock(&ctx->submit_lock);

	/*
	 * Waits (up to 1 s, not at all for a dying process) for queued jobs
	 * to reach the hardware, then kills what is left (-ESRCH). Jobs on
	 * the hardware run to completion: they hold a context reference.
	 */
	drm_sched_entity_destroy(&ctx->entity);
	atomic_dec(&ctx->queue->num_ctx);
	ares_ctx_put(ctx);
}

/**
 * ares_file_ctx_fini() - destroy every context of a closing file
 * @afile: file
 */
void ares_file_ctx_fini(struct ares_file *afile)
{
	struct ares_ctx *ctx;
	unsigned long id;

	xa_for_each(&afile->ctxs, id, ctx) {
		xa_erase(&afile->ctxs, id);
		ares_ctx_teardown(ctx);
	}
	xa_destroy(&afile->ctxs);
}

/**
 * ares_ctx_check_priority() - may the caller create a context of @priority
 * @priority: enum drm_ares_priority, from CTX_CREATE or UQ_CREATE
 *
 * Return: 0, -EINVAL (no such priority) or -EPERM (REALTIME without
 * CAP_SYS_NICE).
 */
int ares_ctx_check_priority(u32 priority)
{
	if (priority > DRM_ARES_PRIORITY_REALTIME)
		return -EINVAL;
	if (priority == DRM_ARES_PRIORITY_REALTIME && !capable(CAP_SYS_NICE))
		return -EPERM;
	return 0;
}

static int ares_ctx_create_check_args(const struct drm_ares_ctx_create *args)
{
	/* ctx_id is output-only: zero on input. */
	if (args->flags || args->pad || args->ctx_id)
		return -EINVAL;
	return ares_ctx_check_priority(args->priority);
}

/**
 * ares_ioctl_ctx_create() - DRM_IOCTL_ARES_CTX_CREATE: a new job context
 * @dev: DRM device
 * @data: struct drm_ares_ctx_create
 * @file: calling file
 *
 * Return: 0, -EINVAL (fields), -EPERM (REALTIME without CAP_SYS_NICE),
 * -EMFILE (the file has max_contexts_per_file contexts) or -ENOMEM.
 */
int ares_ioctl_ctx_create(struct drm_device *dev, void *data,
			  struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_ctx_create *args = data;
	struct ares_ctx *ctx;
	u32 id;
	int ret;

	ret = ares_ctx_create_check_args(args);
	if (ret)
		return ret;

	if (atomic_inc_return(&afile->num_ctx) >
	    READ_ONCE(ares_max_contexts_per_file)) {
		drm_dbg_driver(dev, "CTX_CREATE: file has max_contexts_per_file (%u) contexts\n",
			       READ_ONCE(ares_max_contexts_per_file));
		ret = -EMFILE;
		goto err_count;
	}

	ctx = ares_ctx_create(to_ares_device(dev), args->priority);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto err_count;
	}

	ret = xa_alloc_cyclic(&afile->ctxs, &id, ctx, XA_LIMIT(1, U32_MAX),
			      &afile->ctx_next, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		goto err_ctx;

	args->ctx_id = id;
	return 0;

err_ctx:
	ares_ctx_teardown(ctx);
err_count:
	atomic_dec(&afile->num_ctx);
	return ret;
}

/**
 * ares_ioctl_ctx_destroy() - DRM_IOCTL_ARES_CTX_DESTROY
 * @dev: DRM device
 * @data: struct drm_ares_ctx_destroy
 * @file: calling file
 *
 * Return: 0, -EINVAL (pad) or -ENOENT (unknown context).
 */
int ares_ioctl_ctx_destroy(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_ctx_destroy *args = data;
	struct ares_ctx *ctx;

	if (args->pad)
		return -EINVAL;

	ctx = xa_erase(&afile->ctxs, args->ctx_id);
	if (!ctx)
		return -ENOENT;
	ares_ctx_teardown(ctx);
	atomic_dec(&afile->num_ctx);
	return 0;
}
