// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: contexts, job submission, the hardware queues and their
 * completion interrupts.
 *
 * A context is a drm_sched entity bound to one of the two hardware queues of
 * its priority (2p and 2p+1, whichever has fewer contexts). The device
 * serves equal-priority queues round robin, WEIGHT jobs per turn; each
 * queue's WEIGHT is the number of its contexts that have jobs queued, so
 * busy contexts of one priority get equal shares even when three of them
 * share two queues. Each hardware
 * queue has its own drm_gpu_scheduler whose run_job() writes a descriptor
 * into the queue's ring and returns a driver "hardware fence"; the queue's
 * interrupt handler signals the hardware fences of every job up to the
 * queue's done_seqno, with the error the device reported.
 *
 * Every run of a job gets a fresh hardware fence, kept in job->hw_fence:
 * after a reset the jobs that were lost have theirs signalled with
 * -ECANCELED and cleared, so drm_sched_resubmit_jobs() runs them again;
 * jobs that completed keep theirs and run_job() just hands it back.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_syncobj.h>

#include "ares_drv.h"
#include "ares_gem.h"
#include "ares_hw.h"
#include "ares_job.h"
#include "ares_mmu.h"
#include "ares_trace.h"

#include "ares/cmd.h"
#include "ares/queue.h"
#include "uapi/drm/ares_accel.h"

#define ARES_COMPL_SIZE	PAGE_ALIGN(ARES_COMPL_RECORD_OFFSET(ARES_RING_ENTRIES))

/* Device-unique context ids and submission order, for BO_WAIT. */
static atomic64_t ares_ctx_uid_next = ATOMIC64_INIT(0);
static atomic64_t ares_submit_order = ATOMIC64_INIT(0);

/**
 * struct ares_fence - hardware fence of one run of a job on a queue
 */
struct ares_fence {
	/** @base: the fence; its lock is &ares_queue.lock */
	struct dma_fence base;
	/** @queue: the queue */
	struct ares_queue *queue;
};

static const char *ares_fence_get_driver_name(struct dma_fence *fence)
{
	return ARES_DRIVER_NAME;
}

static const char *ares_fence_get_timeline_name(struct dma_fence *fence)
{
	return container_of(fence, struct ares_fence, base)->queue->name;
}

static const struct dma_fence_ops ares_fence_ops = {
	.get_driver_name = ares_fence_get_driver_name,
	.get_timeline_name = ares_fence_get_timeline_name,
};

static inline struct ares_job *to_ares_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct ares_job, base);
}

struct drm_sched_job *ares_job_sched_job(struct ares_job *job)
{
	return &job->base;
}

static int ares_status_to_errno(u32 status)
{
	switch (status) {
	case ARES_JOB_OK:
		return 0;
	case ARES_JOB_INVALID_CMD:
	case ARES_JOB_INVALID_DESC:
		return -EPROTO;
	case ARES_JOB_MMU_FAULT:
		return -EFAULT;
	case ARES_JOB_TIMEOUT:
		return -ETIMEDOUT;
	case ARES_JOB_ABORTED:
		return -ECANCELED;
	case ARES_JOB_FW_ERROR:
	default:
		return -EIO;
	}
}

/*
 * Drops the job's hold on its address space's slot, once: at completion,
 * when run_job() fails it, or when it is freed without running.
 */
static void ares_job_unpin(struct ares_job *job)
{
	if (job->as_pinned) {
		job->as_pinned = false;
		ares_as_unpin(job->as);
	}
}

/* Signals the hardware fence of every job the device has completed. */
static void ares_queue_process(struct ares_queue *q)
{
	struct ares_queue_wb *wb = q->compl;
	struct ares_job *job, *tmp;
	u64 done;

	lockdep_assert_held(&q->lock);

	done = le64_to_cpu(READ_ONCE(wb->done_seqno));
	/* The device writes done_seqno after the records it covers. */
	dma_rmb();

	/* Interrupts coalesce: complete everything up to done_seqno. */
	list_for_each_entry_safe(job, tmp, &q->pending, link) {
		struct ares_completion *rec;
		u64 start, end, busy;
		u32 status;

		if (job->hw_seqno > done)
			break;

		rec = q->compl + ARES_COMPL_RECORD_OFFSET(job->slot);
		status = le32_to_cpu(READ_ONCE(rec->status));
		if (le64_to_cpu(READ_ONCE(rec->seqno)) != job->hw_seqno) {
			drm_err_ratelimited(&q->adev->drm,
					    "queue %u: completion slot %u holds seqno %llu, expected %llu\n",
					    q->index, job->slot,
					    le64_to_cpu(READ_ONCE(rec->seqno)),
					    job->hw_seqno);
			status = ARES_JOB_FW_ERROR;
		}
		start = le64_to_cpu(READ_ONCE(rec->start_ns));
		end = le64_to_cpu(READ_ONCE(rec->end_ns));
		busy = end > start ? end - start : 0;
		q->busy_ns += busy;
		atomic64_add(busy, &job->usage->busy_ns[q->priority]);
		atomic64_inc(&job->usage->jobs[q->priority]);
		trace_ares_complete(dev_name(q->adev->drm.dev), job->ctx->uid, job->seqno, q->index,
				    job->hw_seqno, status, busy);
		if (status != ARES_JOB_OK) {
			drm_dbg_driver(&q->adev->drm,
				       "queue %u: job %llu (context seqno %llu) failed: status %u at command offset %u\n",
				       q->index, job->hw_seqno, job->seqno,
				       status, le32_to_cpu(READ_ONCE(rec->error_offset)));
			dma_fence_set_error(job->hw_fence,
					    ares_status_to_errno(status));
		}

		list_del_init(&job->link);
		q->num_pending--;
		q->jobs_completed++;
		/* Off the device: its slot may go to another address space. */
		ares_job_unpin(job);
		dma_fence_signal_locked(job->hw_fence);
	}
}

irqreturn_t ares_irq_queue(int irq, void *arg)
{
	struct ares_queue *q = arg;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	ares_queue_process(q);
	spin_unlock_irqrestore(&q->lock, flags);
	return IRQ_HANDLED;
}

/**
 * ares_queue_drain() - forget the jobs on a ring after a device reset
 * @q: queue
 *
 * Jobs the device completed before the reset complete normally; the others
 * were lost: their hardware fences signal with -ECANCELED and are cleared so
 * that the next run_job() of the job submits it again.
 */
void ares_queue_drain(struct ares_queue *q)
{
	struct ares_job *job, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	ares_queue_process(q);
	list_for_each_entry_safe(job, tmp, &q->pending, link) {
		list_del_init(&job->link);
		dma_fence_set_error(job->hw_fence, -ECANCELED);
		dma_fence_signal_locked(job->hw_fence);
		dma_fence_put(job->hw_fence);
		job->hw_fence = NULL;
	}
	q->num_pending = 0;
	q->tail = 0;
	spin_unlock_irqrestore(&q->lock, flags);
}

static u32 ares_queue_weight(struct ares_queue *q)
{
	lockdep_assert_held(&q->lock);
	return clamp(q->busy_ctx, 1, ARES_Q_WEIGHT_MAX);
}

/* A context of @q started (@delta 1) or stopped (-1) having jobs queued. */
static void ares_queue_busy_ctx_add(struct ares_queue *q, int delta)
{
	struct ares_device *adev = q->adev;
	unsigned long flags;
	int idx;

	spin_lock_irqsave(&q->lock, flags);
	q->busy_ctx += delta;
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_wr32(adev, ARES_REG_Q(q->index, ARES_Q_WEIGHT),
			  ares_queue_weight(q));
		drm_dev_exit(idx);
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * ares_queue_hw_init() - program a queue's registers on a reset device
 * @q: queue
 */
void ares_queue_hw_init(struct ares_queue *q)
{
	struct ares_device *adev = q->adev;
	unsigned long flags;
	u32 i = q->index;

	spin_lock_irqsave(&q->lock, flags);
	q->tail = 0;
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_CONTROL), 0);
	ares_wr64(adev, ARES_REG_Q(i, ARES_Q_RING_BASE), q->ring_dma);
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_RING_ENTRIES), ARES_RING_ENTRIES);
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_PRIORITY), q->priority);
	ares_wr64(adev, ARES_REG_Q(i, ARES_Q_COMPL_BASE), q->compl_dma);
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_TAIL), 0);
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_HEAD), 0);
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_WEIGHT), ares_queue_weight(q));
	ares_wr32(adev, ARES_REG_Q(i, ARES_Q_CONTROL), ARES_Q_CONTROL_ENABLE);
	spin_unlock_irqrestore(&q->lock, flags);
	ares_ring_doorbell(adev, ARES_VEC_QUEUE(i));
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
	return ares_as_pin(job->as, &job->as_pinned);
}

static struct dma_fence *ares_job_run(struct drm_sched_job *sched_job)
{
	struct ares_job *job = to_ares_job(sched_job);
	struct ares_queue *q = job->queue;
	struct ares_device *adev = q->adev;
	struct ares_job_desc *desc;
	struct ares_fence *fence;
	unsigned long flags;
	int err = 0, idx;
	bool entered;

	/* Completed before a reset (or already failed): report that again. */
	if (job->hw_fence)
		return dma_fence_get(job->hw_fence);

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);
	fence->queue = q;

	entered = drm_dev_enter(&adev->drm, &idx);
	if (job->guilty)
		err = -ETIMEDOUT;
	else if (READ_ONCE(job->ctx->banned))
		err = -ECANCELED;
	else if (READ_ONCE(adev->dead))
		err = -EIO;
	else if (!entered)
		err = -ENODEV;

	spin_lock_irqsave(&q->lock, flags);
	dma_fence_init(&fence->base, &ares_fence_ops, &q->lock, q->fence_ctx,
		       ++q->fence_seqno);
	job->hw_fence = dma_fence_get(&fence->base);
	if (err) {
		ares_job_unpin(job);
		dma_fence_set_error(&fence->base, err);
		dma_fence_signal_locked(&fence->base);
		spin_unlock_irqrestore(&q->lock, flags);
		trace_ares_run(dev_name(q->adev->drm.dev), job->ctx->uid, job->seqno, q->index, 0,
			       err);
		goto out;
	}

	job->hw_seqno = ++q->hw_seqno;
	job->slot = q->tail % ARES_RING_ENTRIES;
	desc = &q->ring[job->slot];
	memset(desc, 0, sizeof(*desc));
	desc->seqno = cpu_to_le64(job->hw_seqno);
	desc->cmd_va = cpu_to_le64(job->cmd_va);
	desc->cmd_size = cpu_to_le32(job->cmd_size);
	desc->asid = cpu_to_le16(ares_as_slot(job->as));
	desc->tag = cpu_to_le64(job->seqno);
	list_add_tail(&job->link, &q->pending);
	q->num_pending++;
	q->tail++;
	/* writel() orders the descriptor (coherent memory) before TAIL. */
	ares_wr32(adev, ARES_REG_Q(q->index, ARES_Q_TAIL), q->tail);
	trace_ares_run(dev_name(q->adev->drm.dev), job->ctx->uid, job->seqno, q->index,
		       job->hw_seqno, 0);
	spin_unlock_irqrestore(&q->lock, flags);

	ares_ring_doorbell(adev, ARES_VEC_QUEUE(q->index));
out:
	if (entered)
		drm_dev_exit(idx);
	return &fence->base;
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
		spin_lock_irqsave(&q->lock, flags);
		ares_queue_process(q);
		spin_unlock_irqrestore(&q->lock, flags);
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

void ares_usage_put(struct ares_usage *usage)
{
	kref_put(&usage->ref, ares_usage_release);
}

static void ares_ctx_release(struct kref *ref)
{
	struct ares_ctx *ctx = container_of(ref, struct ares_ctx, ref);

	mutex_destroy(&ctx->submit_lock);
	kfree(ctx);
}

static void ares_ctx_put(struct ares_ctx *ctx)
{
	kref_put(&ctx->ref, ares_ctx_release);
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

	ares_job_unpin(job);
	/*
	 * Only pushed jobs get here, each counted once in ctx->queued and
	 * once in its file's jobs_queued.
	 */
	if (atomic_dec_return(&ctx->queued) == 0)
		ares_queue_busy_ctx_add(ctx->queue, -1);
	atomic_dec(&job->usage->jobs_queued);
	wake_up_all(&job->usage->space_wq);
	drm_sched_job_cleanup(sched_job);
	ares_job_release(job);
}

static const struct drm_sched_backend_ops ares_sched_ops = {
	.prepare_job = ares_job_prepare,
	.run_job = ares_job_run,
	.timedout_job = ares_job_timedout,
	.free_job = ares_job_free,
};

static void ares_queue_fini(struct drm_device *drm, void *arg)
{
	struct ares_queue *q = arg;

	drm_sched_fini(&q->sched);
}

/**
 * ares_queues_init() - allocate the rings and create the schedulers
 * @adev: device
 *
 * Return: 0 or a negative errno; everything is device-managed.
 */
int ares_queues_init(struct ares_device *adev)
{
	struct drm_sched_init_args args = {
		.ops = &ares_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		/*
		 * One slot short of the ring: a job's fence can signal just
		 * before the device advances HEAD past it.
		 */
		.credit_limit = ARES_RING_ENTRIES - 1,
		.hang_limit = 0,
		.timeout = ares_job_timeout_ms ?
			   msecs_to_jiffies(ares_job_timeout_ms) :
			   MAX_SCHEDULE_TIMEOUT,
		.timeout_wq = adev->reset_wq,
		.dev = adev->drm.dev,
	};
	int ret, i;

	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];

		q->adev = adev;
		q->index = i;
		q->priority = i / 2;
		snprintf(q->name, sizeof(q->name), "ares-q%d", i);
		spin_lock_init(&q->lock);
		INIT_LIST_HEAD(&q->pending);
		atomic_set(&q->num_ctx, 0);
		q->fence_ctx = dma_fence_context_alloc(1);

		q->ring = dmam_alloc_coherent(adev->drm.dev,
					      ARES_RING_ENTRIES * sizeof(*q->ring),
					      &q->ring_dma, GFP_KERNEL);
		q->compl = dmam_alloc_coherent(adev->drm.dev, ARES_COMPL_SIZE,
					       &q->compl_dma, GFP_KERNEL);
		if (!q->ring || !q->compl)
			return -ENOMEM;

		args.name = q->name;
		ret = drm_sched_init(&q->sched, &args);
		if (ret) {
			drm_err(&adev->drm, "cannot create scheduler %s: %d\n",
				q->name, ret);
			return ret;
		}
		ret = drmm_add_action_or_reset(&adev->drm, ares_queue_fini, q);
		if (ret)
			return ret;
	}
	return 0;
}

static void ares_ctx_teardown(struct ares_ctx *ctx)
{
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
	struct ares_device *adev = to_ares_device(dev);
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_ctx_create *args = data;
	struct ares_queue *qa, *qb;
	struct ares_ctx *ctx;
	u32 id;
	int ret;

	/* ctx_id is output-only: zero on input. */
	if (args->flags || args->pad || args->ctx_id)
		return -EINVAL;
	if (args->priority > DRM_ARES_PRIORITY_REALTIME)
		return -EINVAL;
	if (args->priority == DRM_ARES_PRIORITY_REALTIME &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;

	if (atomic_inc_return(&afile->num_ctx) >
	    READ_ONCE(ares_max_contexts_per_file)) {
		drm_dbg_driver(dev, "CTX_CREATE: file has max_contexts_per_file (%u) contexts\n",
			       READ_ONCE(ares_max_contexts_per_file));
		ret = -EMFILE;
		goto err_count;
	}

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		ret = -ENOMEM;
		goto err_count;
	}
	kref_init(&ctx->ref);
	mutex_init(&ctx->submit_lock);
	atomic_set(&ctx->queued, 0);
	ctx->uid = atomic64_inc_return(&ares_ctx_uid_next);

	/* Priority p is served by queues 2p and 2p+1: take the less loaded. */
	qa = &adev->queues[2 * args->priority];
	qb = &adev->queues[2 * args->priority + 1];
	ctx->queue = atomic_read(&qb->num_ctx) < atomic_read(&qa->num_ctx) ?
		     qb : qa;
	ctx->sched = &ctx->queue->sched;

	ret = drm_sched_entity_init(&ctx->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &ctx->sched, 1, NULL);
	if (ret)
		goto err_free;
	atomic_inc(&ctx->queue->num_ctx);

	ret = xa_alloc_cyclic(&afile->ctxs, &id, ctx, XA_LIMIT(1, U32_MAX),
			      &afile->ctx_next, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		goto err_entity;

	args->ctx_id = id;
	return 0;

err_entity:
	drm_sched_entity_destroy(&ctx->entity);
	atomic_dec(&ctx->queue->num_ctx);
err_free:
	ares_ctx_put(ctx);
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

static struct ares_ctx *ares_ctx_lookup(struct ares_file *afile, u32 id)
{
	struct ares_ctx *ctx;

	xa_lock(&afile->ctxs);
	ctx = xa_load(&afile->ctxs, id);
	if (ctx)
		kref_get(&ctx->ref);
	xa_unlock(&afile->ctxs);
	return ctx;
}

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
 * buffer it lists: it waits for all earlier jobs on them.
 */
static int ares_submit_lock_bos(struct ares_job *job,
				struct ww_acquire_ctx *acquire)
{
	u32 i;
	int ret;

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
static int ares_ctx_wait_room(struct ares_ctx *ctx, struct ares_usage *usage,
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
	struct ares_device *adev = to_ares_device(dev);
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_submit *args = data;
	struct ares_bo_user **users = NULL;
	struct drm_syncobj *out_sync = NULL;
	u32 *handles = NULL, *in_handles = NULL;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	struct ares_job *job = NULL;
	bool job_inited = false, slot = false;
	struct ares_ctx *ctx;
	u32 i, nusers = 0;
	int ret, idx;
	u64 seqno;

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

	ctx = ares_ctx_lookup(afile, args->ctx_id);
	if (!ctx)
		return -EINVAL;
	/* Sleep before drm_dev_enter(): an unplug must not wait for us. */
	ret = ares_ctx_wait_room(ctx, afile->usage, &slot);
	if (ret)
		goto out_ctx;
	if (!drm_dev_enter(dev, &idx)) {
		ret = -ENODEV;
		goto out_ctx;
	}
	if (READ_ONCE(ctx->banned)) {
		ret = -ECANCELED;
		goto out_exit;
	}

	handles = memdup_array_user(u64_to_user_ptr(args->bo_handles),
				    args->bo_count, sizeof(u32));
	if (IS_ERR(handles)) {
		ret = PTR_ERR(handles);
		handles = NULL;
		goto out_exit;
	}
	if (args->in_syncobj_count) {
		in_handles = memdup_array_user(u64_to_user_ptr(args->in_syncobjs),
					       args->in_syncobj_count,
					       sizeof(u32));
		if (IS_ERR(in_handles)) {
			ret = PTR_ERR(in_handles);
			in_handles = NULL;
			goto out_free;
		}
	}
	ret = ares_submit_check_syncobjs(file, in_handles,
					 args->in_syncobj_count);
	if (ret)
		goto out_free;
	if (args->out_syncobj) {
		out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!out_sync) {
			ret = -EINVAL;
			goto out_free;
		}
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		ret = -ENOMEM;
		goto out_free;
	}
	job->adev = adev;
	job->queue = ctx->queue;
	job->cmd_va = args->cmd_va;
	job->cmd_size = args->cmd_size;
	INIT_LIST_HEAD(&job->link);

	ret = ares_submit_lookup_bos(file, job, handles, args->bo_count);
	if (ret)
		goto out_job;
	if (!ares_submit_cmd_in_bos(job)) {
		ret = -EINVAL;
		goto out_job;
	}

	users = kcalloc(job->bo_count, sizeof(*users), GFP_KERNEL_ACCOUNT);
	if (!users) {
		ret = -ENOMEM;
		goto out_job;
	}
	nusers = job->bo_count;
	for (i = 0; i < nusers; i++) {
		users[i] = kzalloc(sizeof(**users), GFP_KERNEL_ACCOUNT);
		if (!users[i]) {
			ret = -ENOMEM;
			goto out_job;
		}
	}

	mutex_lock(&ctx->submit_lock);
	if (ctx->destroyed) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (ctx->banned) {
		ret = -ECANCELED;
		goto out_unlock;
	}

	ret = drm_sched_job_init(&job->base, &ctx->entity, 1, afile,
				 file->client_id);
	if (ret)
		goto out_unlock;
	job_inited = true;
	job->ctx = ctx;
	kref_get(&ctx->ref);
	job->as = ares_as_get(afile->as);
	kref_get(&afile->usage->ref);
	job->usage = afile->usage;

	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   in_handles[i], 0);
		if (ret)
			goto out_unlock;
	}

	ret = ares_submit_lock_bos(job, &acquire);
	if (ret)
		goto out_unlock;

	/* Nothing below can fail. */
	seqno = ++ctx->seqno;
	job->seqno = seqno;
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	for (i = 0; i < job->bo_count; i++) {
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   DMA_RESV_USAGE_WRITE);
		users[i]->ctx_uid = ctx->uid;
		users[i]->order = atomic64_inc_return(&ares_submit_order);
		users[i]->fence = dma_fence_get(finished);
		ares_bo_set_user(to_ares_bo(job->bos[i]), users[i]);
		users[i] = NULL;
	}
	if (atomic_inc_return(&ctx->queued) == 1)
		ares_queue_busy_ctx_add(ctx->queue, 1);
	trace_ares_submit(dev_name(dev->dev), ctx->uid, seqno, ctx->queue->index,
			  job->bo_count);
	drm_sched_entity_push_job(&job->base);
	drm_gem_unlock_reservations(job->bos, job->bo_count, &acquire);
	mutex_unlock(&ctx->submit_lock);
	job = NULL;
	/* The file's job slot is the job's now: free_job releases it. */
	slot = false;

	if (out_sync)
		drm_syncobj_replace_fence(out_sync, finished);
	dma_fence_put(finished);

	args->seqno = seqno;
	ret = 0;
	goto out_job;

out_unlock:
	mutex_unlock(&ctx->submit_lock);
out_job:
	if (users)
		for (i = 0; i < nusers; i++)
			kfree(users[i]);
	kfree(users);
	if (job) {
		if (job_inited)
			drm_sched_job_cleanup(&job->base);
		ares_job_release(job);
	}
out_free:
	if (out_sync)
		drm_syncobj_put(out_sync);
	kfree(in_handles);
	kfree(handles);
out_exit:
	drm_dev_exit(idx);
out_ctx:
	if (slot) {
		atomic_dec(&afile->usage->jobs_queued);
		wake_up_all(&afile->usage->space_wq);
	}
	ares_ctx_put(ctx);
	return ret;
}
