// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: jobs.
 *
 * SUBMIT checks its arguments, looks up the context, the buffers and the
 * syncobjs, builds a job with its dependencies and pushes it to the
 * context's scheduler entity. The scheduler callbacks then bind the job's
 * address space (prepare_job), put it on its hardware queue's ring
 * (run_job, through ares_queue_run()), handle its timeout and free it.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include "ares_ctx.h"
#include "ares_drv.h"
#include "ares_gem.h"
#include "ares_hw.h"
#include "ares_job.h"
#include "ares_mmu.h"
#include "ares_queue.h"
#include "ares_trace.h"
#include "ares_usage.h"

#include "ares/cmd.h"
#include "ares/queue.h"
#include "uapi/drm/ares_accel.h"

/* Submission order across the device, for BO_WAIT. */
static atomic64_t ares_submit_order = ATOMIC64_INIT(0);

static inline struct ares_job *to_ares_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct ares_job, base);
}

/**
 * ares_job_sched_job() - the scheduler job embedded in a job
 * @job: the job
 *
 * Return: &job->base, for the recovery that passes it to drm_sched_stop().
 */
struct drm_sched_job *ares_job_sched_job(struct ares_job *job)
{
	return &job->base;
}

/**
 * ares_job_unpin() - drop the job's hold on its address space's slot
 * @job: the job
 *
 * Once: at completion (under the queue's lock), when run_job() fails it,
 * or when it is freed without running.
 */
void ares_job_unpin(struct ares_job *job)
{
	if (job->as_pinned) {
		job->as_pinned = false;
		ares_as_unpin(job->as);
	}
}

/*
 * Before run_job(): binds the job's address space to a hardware slot, or
 * returns a fence to wait for when every slot has work on the device.
 * A job drained by a reset keeps its pin and runs again without coming
 * back here.
 */
static struct dma_fence *ares_job_prepare(struct drm_sched_job *sched_job,
					  struct drm_sched_entity *entity)
{
	struct ares_job *job = to_ares_job(sched_job);

	if (job->as_pinned)
		return NULL;
	return ares_as_pin(job->as, &job->as_pinned, &job->as_turn);
}

static struct dma_fence *ares_job_run(struct drm_sched_job *sched_job)
{
	struct ares_job *job = to_ares_job(sched_job);
	struct ares_device *adev = job->queue->adev;
	struct dma_fence *fence;
	int err = 0, idx;
	bool entered;

	/* Completed before a reset (or already failed): report that again. */
	if (job->hw_fence)
		return dma_fence_get(job->hw_fence);

	entered = drm_dev_enter(&adev->drm, &idx);
	if (job->guilty)
		err = -ETIMEDOUT;
	else if (READ_ONCE(job->ctx->banned))
		err = -ECANCELED;
	else if (READ_ONCE(adev->dead))
		err = -EIO;
	else if (!entered)
		err = -ENODEV;

	fence = ares_queue_run(job->queue, job, err);
	if (entered)
		drm_dev_exit(idx);
	return fence;
}

/**
 * ares_job_mark_guilty() - fail a timed-out job and ban its context
 * @job: the job
 *
 * Called by the recovery with the schedulers stopped; the job's next
 * run_job() signals it with -ETIMEDOUT.
 */
void ares_job_mark_guilty(struct ares_job *job)
{
	job->guilty = true;
	WRITE_ONCE(job->ctx->banned, true);
}

static enum drm_gpu_sched_stat ares_job_timedout(struct drm_sched_job *sched_job)
{
	struct ares_job *job = to_ares_job(sched_job);
	struct ares_queue *q = job->queue;
	struct ares_queue_wb *wb = q->compl;
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&q->lock, flags);
	done = !job->hw_fence || dma_fence_is_signaled_locked(job->hw_fence) ||
	       le64_to_cpu(READ_ONCE(wb->done_seqno)) >= job->hw_seqno;
	spin_unlock_irqrestore(&q->lock, flags);

	if (done) {
		/*
		 * The device finished the job but its interrupt was lost:
		 * complete it and everything behind it, no reset. The
		 * stop/resubmit/start cycle re-attaches the scheduler to the
		 * existing hardware fences; nothing is run twice.
		 */
		drm_dbg_driver(&q->adev->drm,
			       "queue %u: job %llu completed without an interrupt\n",
			       q->index, job->hw_seqno);
		drm_sched_stop(&q->sched, sched_job);
		ares_queue_complete(q);
		drm_sched_resubmit_jobs(&q->sched);
		drm_sched_start(&q->sched);
		return DRM_GPU_SCHED_STAT_NOMINAL;
	}

	drm_err(&q->adev->drm,
		"queue %u: job %llu (context seqno %llu) timed out after %u ms; banning its context and resetting the device\n",
		q->index, job->hw_seqno, job->seqno, ares_job_timeout_ms);
	ares_recover(q->adev, job, "job timeout");
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/* Drops everything a job holds; the scheduler job must be cleaned up. */
static void ares_job_release(struct ares_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	if (job->entries != &job->one)
		kfree(job->entries);
	dma_fence_put(job->hw_fence);
	if (job->as)
		ares_as_put(job->as);
	if (job->ctx)
		ares_ctx_put(job->ctx);
	if (job->usage)
		ares_usage_put(job->usage);
	kfree(job);
}

static void ares_job_free(struct drm_sched_job *sched_job)
{
	struct ares_job *job = to_ares_job(sched_job);
	struct ares_ctx *ctx = job->ctx;

	/* Killed while waiting for a slot, or woken and never prepared again. */
	ares_as_drop_turn(job->adev, &job->as_turn);
	ares_job_unpin(job);
	/*
	 * Only pushed jobs get here, each entry counted once in ctx->queued
	 * and once in its file's jobs_queued.
	 */
	if (atomic_sub_return(job->nentries, &ctx->queued) == 0)
		ares_queue_busy_ctx_add(ctx->queue, -1);
	ares_usage_jobs_done(job->usage, job->nentries);
	drm_sched_job_cleanup(sched_job);
	ares_job_release(job);
}

const struct drm_sched_backend_ops ares_sched_ops = {
	.prepare_job = ares_job_prepare,
	.run_job = ares_job_run,
	.timedout_job = ares_job_timedout,
	.free_job = ares_job_free,
};

/*
 * Adds the buffers of one entry to @job: every handle must name a buffer
 * of @afile, none twice in the entry, and one of them must hold the
 * entry's command stream. A buffer an earlier entry of a fused batch
 * listed is kept once. On failure the buffers this entry added are
 * dropped again.
 */
static int ares_job_add_bos(struct drm_file *file, struct ares_job *job,
			    const u32 *handles, const struct drm_ares_submit *args,
			    u32 capacity)
{
	struct ares_file *afile = file->driver_priv;
	u32 mark = job->bo_count, i, j;
	bool cmd_found = false;
	int ret = -EINVAL;

	for (i = 0; i < args->bo_count; i++)
		for (j = 0; j < i; j++)
			if (handles[i] == handles[j])
				return -EINVAL;

	for (i = 0; i < args->bo_count; i++) {
		struct drm_gem_object *obj;
		struct ares_bo *bo;
		u64 start;

		obj = drm_gem_object_lookup(file, handles[i]);
		if (!obj)
			goto err;
		if (!ares_is_bo(obj) || to_ares_bo(obj)->as != afile->as) {
			drm_gem_object_put(obj);
			goto err;
		}
		bo = to_ares_bo(obj);
		start = bo->node.start;
		if (args->cmd_va >= start &&
		    args->cmd_va - start <= bo->base.base.size &&
		    args->cmd_size <= bo->base.base.size - (args->cmd_va - start))
			cmd_found = true;

		for (j = 0; j < job->bo_count; j++)
			if (job->bos[j] == obj)
				break;
		if (j < job->bo_count) {
			drm_gem_object_put(obj);
			continue;
		}
		if (job->bo_count == capacity) {
			drm_gem_object_put(obj);
			goto err;
		}
		job->bos[job->bo_count++] = obj;
	}
	if (cmd_found)
		return 0;
err:
	while (job->bo_count > mark)
		drm_gem_object_put(job->bos[--job->bo_count]);
	return ret;
}

static int ares_submit_check_syncobjs(struct drm_file *file,
				      const u32 *handles, u32 count)
{
	struct drm_syncobj *syncobj;
	u32 i;

	for (i = 0; i < count; i++) {
		syncobj = drm_syncobj_find(file, handles[i]);
		if (!syncobj)
			return -EINVAL;
		drm_syncobj_put(syncobj);
	}
	return 0;
}

/*
 * Locks the job's reservations, adds the implicit dependencies and
 * reserves a fence slot in each. Every job is treated as writing every
 * buffer it lists: it waits for all earlier jobs on them. Under the
 * context's submit_lock, so that the job is armed in the order its
 * dependencies were taken.
 */
static int ares_submit_lock_bos(struct ares_job *job,
				struct ww_acquire_ctx *acquire)
{
	u32 i;
	int ret;

	lockdep_assert_held(&job->ctx->submit_lock);

	ret = drm_gem_lock_reservations(job->bos, job->bo_count, acquire);
	if (ret)
		return ret;

	for (i = 0; i < job->bo_count; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (ret)
			goto err_unlock;
		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      job->bos[i], true);
		if (ret)
			goto err_unlock;
	}
	return 0;

err_unlock:
	drm_gem_unlock_reservations(job->bos, job->bo_count, acquire);
	return ret;
}

/*
 * Takes one of the file's max_jobs_per_file job slots if both the context
 * and the file have room; a banned context needs none (SUBMIT fails).
 * Sets *@slot when a slot was taken.
 */
static bool ares_submit_room(struct ares_ctx *ctx, struct ares_usage *usage,
			     bool *slot)
{
	unsigned int max = READ_ONCE(ares_max_jobs_per_file);
	int n;

	if (READ_ONCE(ctx->banned))
		return true;
	if (atomic_read(&ctx->queued) >= ARES_CTX_MAX_JOBS)
		return false;
	n = atomic_read(&usage->jobs_queued);
	do {
		if (n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&usage->jobs_queued, &n, n + 1));
	*slot = true;
	return true;
}

/*
 * A context keeps at most ARES_CTX_MAX_JOBS jobs queued (a ring's worth),
 * a file at most max_jobs_per_file over all its contexts. Beyond that
 * SUBMIT sleeps until one of the file's jobs is freed, interruptibly (a
 * signal restarts or ends the call) and for at most submit_wait_ms, then
 * fails with -ETIMEDOUT: never an immediate -EBUSY. Concurrent submitters
 * of one context may overshoot the context's limit by one job each; the
 * file's limit is exact (a slot is taken here, released by free_job or
 * by the failed SUBMIT).
 */
static int ares_submit_wait_room(struct ares_ctx *ctx, struct ares_usage *usage,
				 bool *slot)
{
	long ret;

	if (ares_submit_room(ctx, usage, slot))
		return 0;
	ret = wait_event_interruptible_timeout(usage->space_wq,
					       ares_submit_room(ctx, usage, slot),
					       msecs_to_jiffies(READ_ONCE(ares_submit_wait_ms)));
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIMEDOUT;
}

/**
 * struct ares_submit_entry - what SUBMIT copied in for one entry
 */
struct ares_submit_entry {
	/** @args: the entry's arguments */
	struct drm_ares_submit *args;
	/** @bo_handles: @args->bo_count buffer handles */
	u32 *bo_handles;
	/** @in_syncobjs: @args->in_syncobj_count syncobj handles, or NULL */
	u32 *in_syncobjs;
	/** @out_sync: the syncobj that gets the job's fence, or NULL */
	struct drm_syncobj *out_sync;
};

/**
 * struct ares_submit - what SUBMIT (or one fused batch) copied in and
 * looked up; freed when the ioctl returns, whether the job was pushed or not
 */
struct ares_submit {
	/** @ctx: the context (a reference) */
	struct ares_ctx *ctx;
	/** @slots: the file's max_jobs_per_file job slots held */
	u32 slots;
	/** @e: the entries, as many as the caller passed */
	struct ares_submit_entry *e;
	/** @n: the first @n entries passed every check so far */
	u32 n;
	/** @users: a BO_WAIT record per buffer, given to the buffers at push */
	struct ares_bo_user **users;
	/** @nusers: entries in @users */
	u32 nusers;
};

static int ares_submit_check_args(const struct drm_ares_submit *args)
{
	/* seqno is output-only: zero on input. */
	if (args->flags || args->reserved || args->seqno)
		return -EINVAL;
	if (!args->cmd_size || args->cmd_size % ARES_CMD_ALIGN ||
	    args->cmd_size > ARES_CMD_STREAM_MAX ||
	    args->cmd_va % ARES_CMD_ALIGN)
		return -EINVAL;
	if (!args->bo_count || args->bo_count > DRM_ARES_MAX_BOS_PER_JOB)
		return -EINVAL;
	if (args->in_syncobj_count > DRM_ARES_MAX_IN_SYNCOBJS)
		return -EINVAL;
	return 0;
}

/* Copies one entry's handle arrays in and checks that every syncobj exists. */
static int ares_submit_copy_in(struct drm_file *file,
			       struct ares_submit_entry *e)
{
	const struct drm_ares_submit *args = e->args;
	u32 *handles;
	int ret;

	handles = memdup_array_user(u64_to_user_ptr(args->bo_handles),
				    args->bo_count, sizeof(u32));
	if (IS_ERR(handles))
		return PTR_ERR(handles);
	e->bo_handles = handles;

	if (args->in_syncobj_count) {
		handles = memdup_array_user(u64_to_user_ptr(args->in_syncobjs),
					    args->in_syncobj_count,
					    sizeof(u32));
		if (IS_ERR(handles))
			return PTR_ERR(handles);
		e->in_syncobjs = handles;
	}
	ret = ares_submit_check_syncobjs(file, e->in_syncobjs,
					 args->in_syncobj_count);
	if (ret)
		return ret;

	if (args->out_syncobj) {
		e->out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!e->out_sync)
			return -EINVAL;
	}
	return 0;
}

/* The BO_WAIT records, allocated before anything is armed. */
static int ares_submit_alloc_users(struct ares_submit *s, u32 count)
{
	u32 i;

	s->users = kcalloc(count, sizeof(*s->users), GFP_KERNEL_ACCOUNT);
	if (!s->users)
		return -ENOMEM;
	s->nusers = count;
	for (i = 0; i < count; i++) {
		s->users[i] = kzalloc(sizeof(**s->users), GFP_KERNEL_ACCOUNT);
		if (!s->users[i])
			return -ENOMEM;
	}
	return 0;
}

static void ares_submit_entry_fini(struct ares_submit_entry *e)
{
	if (e->out_sync)
		drm_syncobj_put(e->out_sync);
	kfree(e->in_syncobjs);
	kfree(e->bo_handles);
}

static void ares_submit_fini(struct ares_file *afile, struct ares_submit *s,
			     u32 count)
{
	u32 i;

	if (s->users)
		for (i = 0; i < s->nusers; i++)
			kfree(s->users[i]);
	kfree(s->users);
	for (i = 0; i < count; i++)
		ares_submit_entry_fini(&s->e[i]);
	if (s->slots)
		ares_usage_jobs_done(afile->usage, s->slots);
	if (s->ctx)
		ares_ctx_put(s->ctx);
}

/*
 * An empty job for @count entries, room for the buffers they list (one
 * entry's bo_count, or for a fused batch the most any job may hold).
 */
static struct ares_job *ares_job_alloc(struct ares_device *adev,
				       struct ares_submit *s, u32 count)
{
	u32 capacity = count == 1 ? s->e[0].args->bo_count :
			DRM_ARES_MAX_BOS_PER_JOB;
	struct ares_job *job;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return NULL;
	job->adev = adev;
	job->queue = s->ctx->queue;
	job->status = ARES_JOB_OK;
	INIT_LIST_HEAD(&job->link);
	job->entries = &job->one;
	if (count > 1) {
		job->entries = kcalloc(count, sizeof(*job->entries),
				       GFP_KERNEL_ACCOUNT);
		if (!job->entries) {
			job->entries = &job->one;
			goto err;
		}
	}
	job->bos = kvcalloc(capacity, sizeof(*job->bos), GFP_KERNEL_ACCOUNT);
	if (!job->bos)
		goto err;
	return job;
err:
	ares_job_release(job);
	return NULL;
}

/*
 * Copies in entry @i and adds it to @job. Return: 0, or the entry's error
 * with nothing of it left in @job.
 */
static int ares_job_add_entry(struct ares_job *job, struct drm_file *file,
			      struct ares_submit *s, u32 i)
{
	struct ares_submit_entry *e = &s->e[i];
	u32 capacity = s->n == 1 && i == 0 ? e->args->bo_count :
			DRM_ARES_MAX_BOS_PER_JOB;
	int ret;

	ret = ares_submit_copy_in(file, e);
	if (ret)
		return ret;
	ret = ares_job_add_bos(file, job, e->bo_handles, e->args, capacity);
	if (ret)
		return ret;
	job->entries[i].cmd_va = e->args->cmd_va;
	job->entries[i].cmd_size = e->args->cmd_size;
	job->nentries = i + 1;
	return 0;
}

/*
 * Makes @job a scheduler job of its context, one credit (ring slot) per
 * entry, with every entry's syncobj dependencies. On failure nothing of
 * the scheduler job is left to clean up.
 */
static int ares_job_init_locked(struct ares_job *job, struct drm_file *file,
				struct ares_submit *s)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_ctx *ctx = s->ctx;
	u32 i, k;
	int ret;

	lockdep_assert_held(&ctx->submit_lock);

	if (ctx->destroyed)
		return -EINVAL;
	if (ctx->banned)
		return -ECANCELED;

	ret = drm_sched_job_init(&job->base, &ctx->entity, job->nentries,
				 afile, file->client_id);
	if (ret)
		return ret;
	kref_get(&ctx->ref);
	job->ctx = ctx;
	job->as = ares_as_get(afile->as);
	job->usage = ares_usage_get(afile->usage);

	for (k = 0; k < job->nentries; k++) {
		const struct ares_submit_entry *e = &s->e[k];

		for (i = 0; i < e->args->in_syncobj_count; i++) {
			ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
								   e->in_syncobjs[i], 0);
			if (ret) {
				drm_sched_job_cleanup(&job->base);
				return ret;
			}
		}
	}
	return 0;
}

/*
 * Arms and pushes @job, its buffers' reservations locked: nothing here can
 * fail. Each entry gets the next seqno of the context. Return: the job's
 * finished fence (a reference).
 */
static struct dma_fence *ares_job_arm_push_locked(struct ares_job *job,
						  struct ares_submit *s,
						  struct ww_acquire_ctx *acquire)
{
	struct ares_ctx *ctx = s->ctx;
	struct dma_fence *finished;
	u32 i;

	lockdep_assert_held(&ctx->submit_lock);

	for (i = 0; i < job->nentries; i++) {
		job->entries[i].seqno = ++ctx->seqno;
		s->e[i].args->seqno = ctx->seqno;
		trace_ares_submit(dev_name(job->adev->drm.dev), ctx->uid,
				  ctx->seqno, ctx->queue->index, job->bo_count);
	}
	job->seqno = ctx->seqno;
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	for (i = 0; i < job->bo_count; i++) {
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   DMA_RESV_USAGE_WRITE);
		s->users[i]->ctx_uid = ctx->uid;
		s->users[i]->order = atomic64_inc_return(&ares_submit_order);
		s->users[i]->fence = dma_fence_get(finished);
		ares_bo_set_user(to_ares_bo(job->bos[i]), s->users[i]);
		s->users[i] = NULL;
	}
	if (atomic_add_return(job->nentries, &ctx->queued) == job->nentries)
		ares_queue_busy_ctx_add(ctx->queue, 1);
	/*
	 * Unlock before the push: once pushed, the job may run and be freed
	 * (with its bos array) at any time. The finished fence is already in
	 * every reservation, so a later submitter waits for it either way.
	 */
	drm_gem_unlock_reservations(job->bos, job->bo_count, acquire);
	drm_sched_entity_push_job(&job->base);
	return finished;
}

/* Queues @job behind its dependencies; on failure the caller frees it. */
static int ares_job_push(struct ares_job *job, struct drm_file *file,
			 struct ares_submit *s)
{
	struct ares_ctx *ctx = s->ctx;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	u32 i;
	int ret;

	mutex_lock(&ctx->submit_lock);
	ret = ares_job_init_locked(job, file, s);
	if (ret)
		goto out_unlock;
	ret = ares_submit_lock_bos(job, &acquire);
	if (ret) {
		drm_sched_job_cleanup(&job->base);
		goto out_unlock;
	}
	finished = ares_job_arm_push_locked(job, s, &acquire);
	mutex_unlock(&ctx->submit_lock);

	/* The file's job slots are the job's now: free_job releases them. */
	s->slots -= job->nentries;
	for (i = 0; i < job->nentries; i++)
		if (s->e[i].out_sync)
			drm_syncobj_replace_fence(s->e[i].out_sync, finished);
	dma_fence_put(finished);
	return 0;

out_unlock:
	mutex_unlock(&ctx->submit_lock);
	return ret;
}

/*
 * The checks that need no device: the entry's arguments, its context
 * (every entry of a fused batch names the first one's), room for it.
 */
static int ares_submit_precheck(struct ares_file *afile, struct ares_submit *s,
				u32 i)
{
	const struct drm_ares_submit *args = s->e[i].args;
	bool slot = false;
	int ret;

	ret = ares_submit_check_args(args);
	if (ret)
		return ret;
	if (!i) {
		s->ctx = ares_ctx_lookup(afile, args->ctx_id);
		if (!s->ctx)
			return -EINVAL;
		/* A user queue's jobs go through its ring, never through SUBMIT. */
		if (s->ctx->uq)
			return -EINVAL;
	} else if (args->ctx_id != s->e[0].args->ctx_id) {
		return -EINVAL;
	}
	/* Sleep before drm_dev_enter(): an unplug must not wait for us. */
	ret = ares_submit_wait_room(s->ctx, afile->usage, &slot);
	if (slot)
		s->slots++;
	return ret;
}

/*
 * @count entries through the named steps as one scheduler job: their
 * arguments, room for them, their handles, the job, the push. Everything
 * that can fail happens before the job is armed. An entry that fails
 * ends the job before it: the entries before it are queued, it and its
 * successors are not. On return *@queued entries were queued, with their
 * seqnos in their args; the return value is the error of entry *@queued,
 * or 0 when all were.
 */
static int ares_submit_job(struct drm_device *dev, struct drm_file *file,
			   struct drm_ares_submit *args, u32 count, u32 *queued)
{
	struct ares_submit_entry one_entry = { .args = args };
	struct ares_file *afile = file->driver_priv;
	struct ares_submit s = { .e = &one_entry };
	struct ares_job *job = NULL;
	int ret = 0, err, idx;
	u32 i;

	*queued = 0;
	if (count > 1) {
		s.e = kcalloc(count, sizeof(*s.e), GFP_KERNEL);
		if (!s.e)
			return -ENOMEM;
		for (i = 0; i < count; i++)
			s.e[i].args = &args[i];
	}

	for (s.n = 0; s.n < count; s.n++) {
		ret = ares_submit_precheck(afile, &s, s.n);
		if (ret)
			break;
	}
	if (!s.n)
		goto out;
	if (!drm_dev_enter(dev, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	if (READ_ONCE(s.ctx->banned)) {
		ret = -ECANCELED;
		goto out_exit;
	}

	job = ares_job_alloc(to_ares_device(dev), &s, s.n);
	if (!job) {
		ret = -ENOMEM;
		goto out_exit;
	}
	for (i = 0; i < s.n; i++) {
		err = ares_job_add_entry(job, file, &s, i);
		if (err) {
			s.n = i;
			ret = err;
			break;
		}
	}
	if (!s.n)
		goto out_exit;
	err = ares_submit_alloc_users(&s, job->bo_count);
	if (!err)
		err = ares_job_push(job, file, &s);
	if (err) {
		ret = err;
		goto out_exit;
	}
	*queued = s.n;
	job = NULL;

out_exit:
	drm_dev_exit(idx);
out:
	if (job)
		ares_job_release(job);
	ares_submit_fini(afile, &s, count);
	if (s.e != &one_entry)
		kfree(s.e);
	return ret;
}

/**
 * ares_ioctl_submit() - DRM_IOCTL_ARES_SUBMIT: validate, build and queue
 * one job
 * @dev: DRM device
 * @data: struct drm_ares_submit
 * @file: calling file
 *
 * Waits for room first (context and file job limits). Everything that can
 * fail happens before the job is armed; nothing is queued on failure.
 *
 * Return: 0 or a negative errno as docs/uapi.md lists.
 */
int ares_ioctl_submit(struct drm_device *dev, void *data,
		      struct drm_file *file)
{
	u32 queued;

	return ares_submit_job(dev, file, data, 1, &queued);
}

static int ares_submit_batch_check_args(const struct drm_ares_submit_batch *b)
{
	/* submitted and error are output-only: zero on input. */
	if (b->flags & ~DRM_ARES_SUBMIT_BATCH_FLAGS)
		return -EINVAL;
	if (b->reserved || b->submitted || b->error)
		return -EINVAL;
	if (!b->count)
		return -EINVAL;
	if (b->count > DRM_ARES_MAX_BATCH_JOBS)
		return -E2BIG;
	return 0;
}

/* Writes back the seqno of each of the first @n entries. */
static int ares_submit_batch_copy_out(struct drm_ares_submit __user *ujobs,
				      const struct drm_ares_submit *jobs, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (put_user(jobs[i].seqno, &ujobs[i].seqno))
			return -EFAULT;
	return 0;
}

/**
 * ares_ioctl_submit_batch() - DRM_IOCTL_ARES_SUBMIT_BATCH: queue up to
 * DRM_ARES_MAX_BATCH_JOBS jobs, each as SUBMIT would, in array order
 * @dev: DRM device
 * @data: struct drm_ares_submit_batch
 * @file: calling file
 *
 * Stops at the first entry that fails: the entries before it stay queued,
 * it and those after it are not. When nothing was queued the ioctl fails
 * with that entry's error (so -ERESTARTSYS restarts it); otherwise it
 * succeeds, and the struct's submitted and error fields tell how far it
 * got. A restart after jobs were queued would queue them twice, hence
 * -EINTR there. With DRM_ARES_SUBMIT_BATCH_FUSED the queued entries are
 * one scheduler job (one run_job, one doorbell, one fence).
 *
 * Return: 0 or a negative errno as docs/uapi.md lists.
 */
int ares_ioctl_submit_batch(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct drm_ares_submit_batch *batch = data;
	struct drm_ares_submit __user *ujobs = u64_to_user_ptr(batch->jobs);
	struct drm_ares_submit *jobs;
	int ret, err = 0;
	u32 n, one;

	ret = ares_submit_batch_check_args(batch);
	if (ret)
		return ret;
	jobs = memdup_array_user(ujobs, batch->count, sizeof(*jobs));
	if (IS_ERR(jobs))
		return PTR_ERR(jobs);

	if (batch->flags & DRM_ARES_SUBMIT_BATCH_FUSED) {
		err = ares_submit_job(dev, file, jobs, batch->count, &n);
	} else {
		for (n = 0; n < batch->count; n++) {
			err = ares_submit_job(dev, file, &jobs[n], 1, &one);
			if (err)
				break;
		}
	}
	if (!n) {
		ret = err;
		goto out;
	}
	ret = ares_submit_batch_copy_out(ujobs, jobs, n);
	batch->submitted = n;
	batch->error = err == -ERESTARTSYS ? -EINTR : err;
out:
	kfree(jobs);
	return ret;
}
