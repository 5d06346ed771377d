// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: the hardware queues - rings, completion records, their
 * interrupts and the hardware fences of the jobs on them.
 *
 * Each hardware queue has its own drm_gpu_scheduler whose run_job()
 * (ares_job.c) calls ares_queue_run(): it writes a descriptor into the
 * queue's ring and returns a driver "hardware fence". The queue's interrupt
 * handler signals the hardware fences of every job up to the queue's
 * done_seqno, with the error the device reported.
 *
 * Every run of a job gets a fresh hardware fence, kept in job->hw_fence:
 * after a reset the jobs that were lost have theirs signalled with
 * -ECANCELED and cleared, so drm_sched_resubmit_jobs() runs them again;
 * jobs that completed keep theirs and run_job() just hands it back.
 */

#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "ares_ctx.h"
#include "ares_drv.h"
#include "ares_hw.h"
#include "ares_job.h"
#include "ares_mmu.h"
#include "ares_queue.h"
#include "ares_trace.h"
#include "ares_usage.h"

#include "ares/queue.h"

#define ARES_COMPL_SIZE	PAGE_ALIGN(ARES_COMPL_RECORD_OFFSET(ARES_RING_ENTRIES))

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

/* Reads entry @e's completion record: its status, and its device time counted. */
static u32 ares_queue_account(struct ares_queue *q, struct ares_job *job,
			      struct ares_job_entry *e)
{
	struct ares_completion *rec = q->compl + ARES_COMPL_RECORD_OFFSET(e->slot);
	u32 status = le32_to_cpu(READ_ONCE(rec->status));
	u64 start, end, busy;

	lockdep_assert_held(&q->lock);

	if (le64_to_cpu(READ_ONCE(rec->seqno)) != e->hw_seqno) {
		drm_err_ratelimited(&q->adev->drm,
				    "queue %u: completion slot %u holds seqno %llu, expected %llu\n",
				    q->index, e->slot,
				    le64_to_cpu(READ_ONCE(rec->seqno)),
				    e->hw_seqno);
		status = ARES_JOB_FW_ERROR;
	}
	start = le64_to_cpu(READ_ONCE(rec->start_ns));
	end = le64_to_cpu(READ_ONCE(rec->end_ns));
	busy = end > start ? end - start : 0;
	q->busy_ns += busy;
	atomic64_add(busy, &job->usage->busy_ns[q->priority]);
	atomic64_inc(&job->usage->jobs[q->priority]);
	trace_ares_complete(dev_name(q->adev->drm.dev), job->ctx->uid, e->seqno, q->index,
			    e->hw_seqno, status, busy);
	if (status != ARES_JOB_OK)
		drm_dbg_driver(&q->adev->drm,
			       "queue %u: job %llu (context seqno %llu) failed: status %u at command offset %u\n",
			       q->index, e->hw_seqno, e->seqno,
			       status, le32_to_cpu(READ_ONCE(rec->error_offset)));
	return status;
}

/*
 * Accounts @job's entries the device has completed up to @done.
 * Return: true when all of them are.
 */
static bool ares_queue_account_entries(struct ares_queue *q,
				       struct ares_job *job, u64 done)
{
	lockdep_assert_held(&q->lock);

	while (job->entries_done < job->nentries) {
		struct ares_job_entry *e = &job->entries[job->entries_done];
		u32 status;

		if (e->hw_seqno > done)
			return false;
		status = ares_queue_account(q, job, e);
		/* The fence carries the first failure; later entries still ran. */
		if (status != ARES_JOB_OK && job->status == ARES_JOB_OK)
			job->status = status;
		job->entries_done++;
		q->num_pending--;
		q->jobs_completed++;
	}
	return true;
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
		if (!ares_queue_account_entries(q, job, done))
			break;
		if (job->status != ARES_JOB_OK)
			dma_fence_set_error(job->hw_fence,
					    ares_status_to_errno(job->status));

		list_del_init(&job->link);
		/* Off the device: its slot may go to another address space. */
		ares_job_unpin(job);
		dma_fence_signal_locked(job->hw_fence);
	}

	if (q->probe_seqno && done >= q->probe_seqno) {
		q->probe_irq_ns = ktime_get_ns();
		q->probe_seqno = 0;
		complete(q->probe_done);
	}
}

/**
 * ares_queue_complete() - complete the jobs the device has finished
 * @q: queue
 *
 * What the queue's interrupt does, for a caller that found a finished job
 * whose interrupt was lost.
 */
void ares_queue_complete(struct ares_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	ares_queue_process(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * ares_queue_irq() - interrupt handler of a queue's completion vector
 * @irq: the interrupt
 * @arg: the queue
 *
 * Return: IRQ_HANDLED; the vector is the queue's alone.
 */
irqreturn_t ares_queue_irq(int irq, void *arg)
{
	ares_queue_complete(arg);
	return IRQ_HANDLED;
}

/**
 * ares_queue_drain() - forget the jobs on a ring after a device reset
 * @q: queue
 *
 * Jobs the device completed before the reset complete normally; the others
 * were lost: their hardware fences signal with -ECANCELED and are cleared so
 * that the next run_job() of the job submits it again. Entries of a fused
 * batch that completed stay counted in its entries_done: the next run
 * writes only the rest.
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

/**
 * ares_queue_busy_ctx_add() - count a context starting or stopping to have
 * jobs queued
 * @q: the context's queue
 * @delta: 1 when its first job is queued, -1 when its last one is freed
 *
 * Reprograms the queue's WEIGHT, so the device's round robin gives every
 * busy context of a priority the same share.
 */
void ares_queue_busy_ctx_add(struct ares_queue *q, int delta)
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
 * Writes the descriptors of @job's entries not yet completed into the next
 * ring slots and moves TAIL past them with one register write.
 */
static void ares_queue_write_desc(struct ares_queue *q, struct ares_job *job)
{
	u16 asid = ares_as_slot(job->as);
	u32 i;

	lockdep_assert_held(&q->lock);

	for (i = job->entries_done; i < job->nentries; i++) {
		struct ares_job_entry *e = &job->entries[i];
		struct ares_job_desc *desc;

		e->hw_seqno = ++q->hw_seqno;
		e->slot = q->tail % ARES_RING_ENTRIES;
		desc = &q->ring[e->slot];
		memset(desc, 0, sizeof(*desc));
		desc->seqno = cpu_to_le64(e->hw_seqno);
		desc->cmd_va = cpu_to_le64(e->cmd_va);
		desc->cmd_size = cpu_to_le32(e->cmd_size);
		desc->asid = cpu_to_le16(asid);
		desc->tag = cpu_to_le64(e->seqno);
		q->num_pending++;
		q->tail++;
	}
	job->hw_seqno = q->hw_seqno;
	list_add_tail(&job->link, &q->pending);
	/* writel() orders the descriptors (coherent memory) before TAIL. */
	ares_wr32(q->adev, ARES_REG_Q(q->index, ARES_Q_TAIL), q->tail);
}

/**
 * ares_queue_run() - put one run of a job on its queue's ring
 * @q: the job's queue
 * @job: the job, with no hardware fence
 * @err: 0, or the error to fail this run with instead of running it
 *
 * The caller holds a drm_dev_enter() section unless @err is set.
 *
 * Return: the run's hardware fence (also in @job->hw_fence, a second
 * reference), already signalled with @err when @err is set; or
 * ERR_PTR(-ENOMEM).
 */
struct dma_fence *ares_queue_run(struct ares_queue *q, struct ares_job *job,
				 int err)
{
	struct ares_fence *fence;
	unsigned long flags;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);
	fence->queue = q;

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
		return &fence->base;
	}

	ares_queue_write_desc(q, job);
	trace_ares_run(dev_name(q->adev->drm.dev), job->ctx->uid, job->seqno, q->index,
		       job->hw_seqno, 0);
	spin_unlock_irqrestore(&q->lock, flags);

	ares_ring_doorbell(q->adev, ARES_VEC_QUEUE(q->index));
	return &fence->base;
}

/**
 * ares_queue_probe_claim() - take an idle queue away from its scheduler
 * @q: queue
 *
 * For the transport probe (ares_xport.c), which runs this and the other
 * ares_queue_probe_*() calls on adev->reset_wq, so that no recovery or
 * timeout handler stops or restarts the scheduler meanwhile. Stops the
 * scheduler's submission, then checks that the ring holds no job: the
 * probe's descriptors then are the only ones on it until
 * ares_queue_probe_release().
 *
 * Return: 0, or -EBUSY (scheduler left running) when a job is on the ring.
 */
int ares_queue_probe_claim(struct ares_queue *q)
{
	unsigned long flags;
	bool idle;

	drm_sched_wqueue_stop(&q->sched);
	spin_lock_irqsave(&q->lock, flags);
	idle = !q->num_pending;
	spin_unlock_irqrestore(&q->lock, flags);
	if (!idle) {
		drm_sched_wqueue_start(&q->sched);
		return -EBUSY;
	}
	return 0;
}

/**
 * ares_queue_probe_release() - give a claimed queue back to its scheduler
 * @q: queue claimed with ares_queue_probe_claim()
 */
void ares_queue_probe_release(struct ares_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	q->probe_seqno = 0;
	q->probe_done = NULL;
	spin_unlock_irqrestore(&q->lock, flags);
	drm_sched_wqueue_start(&q->sched);
}

/**
 * ares_queue_probe_push() - put one probe descriptor on a claimed queue
 * @q: queue claimed with ares_queue_probe_claim()
 * @cmd_va: its command stream, in the address space pinned to @asid
 * @cmd_size: bytes of the stream
 * @asid: the pinned hardware slot
 * @done: completed by the interrupt that sees the descriptor done
 *
 * The caller holds a drm_dev_enter() section.
 *
 * Return: ktime_get_ns() just before TAIL moved (the round trip's start).
 */
u64 ares_queue_probe_push(struct ares_queue *q, u64 cmd_va, u32 cmd_size,
			  int asid, struct completion *done)
{
	struct ares_job_desc *desc;
	unsigned long flags;
	u64 start;

	spin_lock_irqsave(&q->lock, flags);
	desc = &q->ring[q->tail % ARES_RING_ENTRIES];
	memset(desc, 0, sizeof(*desc));
	desc->seqno = cpu_to_le64(++q->hw_seqno);
	desc->cmd_va = cpu_to_le64(cmd_va);
	desc->cmd_size = cpu_to_le32(cmd_size);
	desc->asid = cpu_to_le16(asid);
	reinit_completion(done);
	q->probe_done = done;
	q->probe_seqno = q->hw_seqno;
	q->tail++;
	start = ktime_get_ns();
	ares_wr32(q->adev, ARES_REG_Q(q->index, ARES_Q_TAIL), q->tail);
	spin_unlock_irqrestore(&q->lock, flags);

	ares_ring_doorbell(q->adev, ARES_VEC_QUEUE(q->index));
	return start;
}

/**
 * ares_queue_probe_result() - how the last probe descriptor ended
 * @q: queue claimed with ares_queue_probe_claim()
 * @irq_ns: out: ktime_get_ns() of the interrupt that saw it done
 *
 * Call once its completion fired, or with -ETIMEDOUT after it did not: a
 * late interrupt then fires nothing.
 *
 * Return: 0, -ETIMEDOUT when it is not done, or the errno of the status the
 * device wrote in its completion record.
 */
int ares_queue_probe_result(struct ares_queue *q, u64 *irq_ns)
{
	struct ares_completion *rec;
	unsigned long flags;
	u64 seqno;
	u32 status;

	spin_lock_irqsave(&q->lock, flags);
	if (q->probe_seqno) {
		q->probe_seqno = 0;
		spin_unlock_irqrestore(&q->lock, flags);
		return -ETIMEDOUT;
	}
	rec = q->compl + ARES_COMPL_RECORD_OFFSET((q->tail - 1) % ARES_RING_ENTRIES);
	seqno = le64_to_cpu(READ_ONCE(rec->seqno));
	status = le32_to_cpu(READ_ONCE(rec->status));
	*irq_ns = q->probe_irq_ns;
	spin_unlock_irqrestore(&q->lock, flags);

	if (seqno != q->hw_seqno)
		return -EIO;
	return ares_status_to_errno(status);
}

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
