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
	 * Only pushed jobs get here, each counted once in ctx->queued and
	 * once in its file's jobs_queued.
	 */
	if (atomic_dec_return(&ctx->queued) == 0)
		ares_queue_busy_ctx_add(ctx->queue, -1);
	ares_usage_job_done(job->usage);
	drm_sched_job_cleanup(sched_job);
	ares_job_release(job);
}

const struct drm_sched_backend_ops ares_sched_ops = {
	.prepare_job = ares_job_prepare,
	.run_job = ares_job_run,
	.timedout_job = ares_job_timedout,
	.free_job = ares_job_free,
};

/* Looks up the job's buffers: every handle must name a buffer of @afile. */
static int ares_submit_lookup_bos(struct drm_file *file, struct ares_job *job,
				  const u32 *handles, u32 count)
{
	struct ares_file *afile = file->driver_priv;
	u32 i, j;

	for (i = 0; i < count; i++)
		for (j = 0; j < i; j++)
			if (handles[i] == handles[j])
				return -EINVAL;

	job->bos = kvcalloc(count, sizeof(*job->bos), GFP_KERNEL_ACCOUNT);
	if (!job->bos)
		return -ENOMEM;

	for (i = 0; i < count; i++) {
		struct drm_gem_object *obj;

		obj = drm_gem_object_lookup(file, handles[i]);
		if (!obj)
			return -EINVAL;
		job->bos[job->bo_count++] = obj;
		if (!ares_is_bo(obj) || to_ares_bo(obj)->as != afile->as)
			return -EINVAL;
	}
	return 0;
}

static bool ares_submit_cmd_in_bos(struct ares_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++) {
		struct ares_bo *bo = to_ares_bo(job->bos[i]);
		u64 start = bo->node.start;

		if (job->cmd_va >= start &&
		    job->cmd_va - start <= bo->base.base.size &&
		    job->cmd_size <= bo->base.base.size - (job->cmd_va - start))
			return true;
	}
	return false;
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
 * struct ares_submit - what SUBMIT copied in and looked up; freed when the
 * ioctl returns, whether the job was pushed or not
 */
struct ares_submit {
	/** @args: the ioctl's arguments */
	struct drm_ares_submit *args;
	/** @ctx: the context (a reference) */
	struct ares_ctx *ctx;
	/** @slot: holds one of the file's max_jobs_per_file job slots */
	bool slot;
	/** @bo_handles: @args->bo_count buffer handles */
	u32 *bo_handles;
	/** @in_syncobjs: @args->in_syncobj_count syncobj handles, or NULL */
	u32 *in_syncobjs;
	/** @out_sync: the syncobj that gets the job's fence, or NULL */
	struct drm_syncobj *out_sync;
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

/* Copies the handle arrays in and checks that every syncobj exists. */
static int ares_submit_copy_in(struct drm_file *file, struct ares_submit *s)
{
	const struct drm_ares_submit *args = s->args;
	u32 *handles;
	int ret;

	handles = memdup_array_user(u64_to_user_ptr(args->bo_handles),
				    args->bo_count, sizeof(u32));
	if (IS_ERR(handles))
		return PTR_ERR(handles);
	s->bo_handles = handles;

	if (args->in_syncobj_count) {
		handles = memdup_array_user(u64_to_user_ptr(args->in_syncobjs),
					    args->in_syncobj_count,
					    sizeof(u32));
		if (IS_ERR(handles))
			return PTR_ERR(handles);
		s->in_syncobjs = handles;
	}
	ret = ares_submit_check_syncobjs(file, s->in_syncobjs,
					 args->in_syncobj_count);
	if (ret)
		return ret;

	if (args->out_syncobj) {
		s->out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!s->out_sync)
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

static void ares_submit_fini(struct ares_file *afile, struct ares_submit *s)
{
	u32 i;

	if (s->users)
		for (i = 0; i < s->nusers; i++)
			kfree(s->users[i]);
	kfree(s->users);
	if (s->out_sync)
		drm_syncobj_put(s->out_sync);
	kfree(s->in_syncobjs);
	kfree(s->bo_handles);
	if (s->slot)
		ares_usage_job_done(afile->usage);
	ares_ctx_put(s->ctx);
}

/*
 * A job with its buffers looked up (each one of the file's, the command
 * stream inside one of them), not yet known to the scheduler.
 */
static struct ares_job *ares_job_create(struct ares_device *adev,
					struct drm_file *file,
					struct ares_submit *s)
{
	struct ares_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->adev = adev;
	job->queue = s->ctx->queue;
	job->cmd_va = s->args->cmd_va;
	job->cmd_size = s->args->cmd_size;
	INIT_LIST_HEAD(&job->link);

	ret = ares_submit_lookup_bos(file, job, s->bo_handles,
				     s->args->bo_count);
	if (!ret && !ares_submit_cmd_in_bos(job))
		ret = -EINVAL;
	if (!ret)
		ret = ares_submit_alloc_users(s, job->bo_count);
	if (ret) {
		ares_job_release(job);
		return ERR_PTR(ret);
	}
	return job;
}

/*
 * Makes @job a scheduler job of its context with its syncobj dependencies.
 * On failure nothing of the scheduler job is left to clean up.
 */
static int ares_job_init_locked(struct ares_job *job, struct drm_file *file,
				struct ares_submit *s)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_ctx *ctx = s->ctx;
	u32 i;
	int ret;

	lockdep_assert_held(&ctx->submit_lock);

	if (ctx->destroyed)
		return -EINVAL;
	if (ctx->banned)
		return -ECANCELED;

	ret = drm_sched_job_init(&job->base, &ctx->entity, 1, afile,
				 file->client_id);
	if (ret)
		return ret;
	kref_get(&ctx->ref);
	job->ctx = ctx;
	job->as = ares_as_get(afile->as);
	job->usage = ares_usage_get(afile->usage);

	for (i = 0; i < s->args->in_syncobj_count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   s->in_syncobjs[i], 0);
		if (ret) {
			drm_sched_job_cleanup(&job->base);
			return ret;
		}
	}
	return 0;
}

/*
 * Arms and pushes @job, its buffers' reservations locked: nothing here can
 * fail. Return: the job's finished fence (a reference).
 */
static struct dma_fence *ares_job_arm_push_locked(struct ares_job *job,
						  struct ares_submit *s,
						  struct ww_acquire_ctx *acquire)
{
	struct ares_ctx *ctx = s->ctx;
	struct dma_fence *finished;
	u32 i;

	lockdep_assert_held(&ctx->submit_lock);

	job->seqno = ++ctx->seqno;
	s->args->seqno = job->seqno;
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
	if (atomic_inc_return(&ctx->queued) == 1)
		ares_queue_busy_ctx_add(ctx->queue, 1);
	trace_ares_submit(dev_name(job->adev->drm.dev), ctx->uid, job->seqno,
			  ctx->queue->index, job->bo_count);
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

	/* The file's job slot is the job's now: free_job releases it. */
	s->slot = false;
	if (s->out_sync)
		drm_syncobj_replace_fence(s->out_sync, finished);
	dma_fence_put(finished);
	return 0;

out_unlock:
	mutex_unlock(&ctx->submit_lock);
	return ret;
}

/*
 * One job through the named steps: its arguments, room for it, its
 * handles, the job itself, the push. Everything that can fail happens
 * before the job is armed; nothing is queued on failure. On success
 * @args->seqno is the job's number within its context.
 */
static int ares_submit_one(struct drm_device *dev, struct drm_file *file,
			   struct drm_ares_submit *args)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_submit s = { .args = args };
	struct ares_job *job;
	int ret, idx;

	ret = ares_submit_check_args(s.args);
	if (ret)
		return ret;
	s.ctx = ares_ctx_lookup(afile, s.args->ctx_id);
	if (!s.ctx)
		return -EINVAL;
	/* A user queue's jobs go through its ring, never through SUBMIT. */
	if (s.ctx->uq) {
		ret = -EINVAL;
		goto out;
	}

	/* Sleep before drm_dev_enter(): an unplug must not wait for us. */
	ret = ares_submit_wait_room(s.ctx, afile->usage, &s.slot);
	if (ret)
		goto out;
	if (!drm_dev_enter(dev, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	if (READ_ONCE(s.ctx->banned)) {
		ret = -ECANCELED;
		goto out_exit;
	}

	ret = ares_submit_copy_in(file, &s);
	if (ret)
		goto out_exit;
	job = ares_job_create(to_ares_device(dev), file, &s);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_exit;
	}
	ret = ares_job_push(job, file, &s);
	if (ret)
		ares_job_release(job);

out_exit:
	drm_dev_exit(idx);
out:
	ares_submit_fini(afile, &s);
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
	return ares_submit_one(dev, file, data);
}

static int ares_submit_batch_check_args(const struct drm_ares_submit_batch *b)
{
	/* submitted and error are output-only: zero on input. */
	if (b->flags || b->reserved || b->submitted || b->error)
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
 * got. A restart
 * after jobs were queued would queue them twice, hence -EINTR there.
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
	u32 n;

	ret = ares_submit_batch_check_args(batch);
	if (ret)
		return ret;
	jobs = memdup_array_user(ujobs, batch->count, sizeof(*jobs));
	if (IS_ERR(jobs))
		return PTR_ERR(jobs);

	for (n = 0; n < batch->count; n++) {
		err = ares_submit_one(dev, file, &jobs[n]);
		if (err)
			break;
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
