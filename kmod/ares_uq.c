// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: user-mode queues (docs/hw-spec.md §15, docs/uapi.md).
 *
 * A user queue is a context whose jobs never pass through the driver: the
 * process writes descriptors into a ring it maps and moves TAIL in the
 * queue's doorbell page (one page of BAR2, mapped into it alone); the
 * firmware serves the queue next to the hardware ones. The driver owns the
 * queue's register block and takes progress only from there (HEAD,
 * STATUS, JOBS, BUSY_NS), never from the ring, the doorbell page or the
 * completion area, which the process can write (the completion area is
 * mapped read-only, but the device writes it on the process's behalf).
 *
 * What the driver keeps:
 * - the owner's address space stays pinned to one hardware slot while it
 *   has a user queue, so the ASID the process names never changes;
 * - before anything is unmapped from that address space the file's queues
 *   are stopped (§15 stop handshake), and re-enabled after the TLB
 *   invalidate with HEAD kept (ares_uq_as_suspend/resume);
 * - a watchdog bans a queue whose job runs past job_timeout_ms and recovers
 *   the device; every reset re-programs the innocent queues where they
 *   stopped, and the job an innocent queue had on the engines completes as
 *   ARES_JOB_ABORTED (written by the driver);
 * - waits (UQ_WAIT, and fences in syncobjs) are woken by ARES_VEC_UQ, armed
 *   with IRQ_HEAD for the lowest HEAD anybody waits for.
 */

#include <linux/capability.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "ares_ctx.h"
#include "ares_drv.h"
#include "ares_hw.h"
#include "ares_mmu.h"
#include "ares_uq.h"
#include "ares_usage.h"

#include "ares/queue.h"
#include "uapi/drm/ares_accel.h"

/* Re-check period of a stop handshake, in case its interrupt was lost. */
#define ARES_UQ_STOP_POLL_MS	10
/* Re-check period of a UQ_WAIT, in case its interrupt was lost. */
#define ARES_UQ_WAIT_SLICE_MS	100
/* Watchdog period bounds, in ms. */
#define ARES_UQ_WD_MIN_MS	20
#define ARES_UQ_WD_MAX_MS	500

/**
 * struct ares_uq_fence - a UQ_WAIT fence: signals when HEAD reaches @head
 */
struct ares_uq_fence {
	/** @base: the fence; its lock is adev->uq_hw_lock */
	struct dma_fence base;
	/** @link: in ares_uq.fences until signalled; uq_hw_lock */
	struct list_head link;
	/** @head: HEAD to reach */
	u32 head;
};

/**
 * struct ares_uq_waiter - a blocking UQ_WAIT, for arming IRQ_HEAD
 */
struct ares_uq_waiter {
	/** @link: in ares_uq.waiters; uq_hw_lock */
	struct list_head link;
	/** @head: HEAD waited for */
	u32 head;
};

static const char *ares_uq_fence_driver_name(struct dma_fence *fence)
{
	return ARES_DRIVER_NAME;
}

/* A static name: the fence may outlive its queue. */
static const char *ares_uq_fence_timeline_name(struct dma_fence *fence)
{
	return "user-queue";
}

static const struct dma_fence_ops ares_uq_fence_ops = {
	.get_driver_name = ares_uq_fence_driver_name,
	.get_timeline_name = ares_uq_fence_timeline_name,
};

static u32 ares_uq_rd(struct ares_uq *uq, u32 off)
{
	return ares_rd32(uq->adev, ARES_REG_UQ(uq->index, off));
}

static void ares_uq_wr(struct ares_uq *uq, u32 off, u32 val)
{
	ares_wr32(uq->adev, ARES_REG_UQ(uq->index, off), val);
}

static u32 ares_uq_db_reg(struct ares_uq *uq)
{
	return ARES_REG_UQ_DB(uq->index) + offsetof(struct ares_uq_doorbell, tail);
}

static bool ares_uq_reached(u32 head_now, u32 target)
{
	return (s32)(head_now - target) >= 0;
}

static unsigned int ares_uq_timeout_ms(void)
{
	unsigned int ms = READ_ONCE(ares_job_timeout_ms);

	return ms ? ms : 2000;
}

/* HEAD as the waiters see it: the pre-reset snapshot while resetting. */
static u32 ares_uq_head_locked(struct ares_uq *uq)
{
	lockdep_assert_held(&uq->adev->uq_hw_lock);

	if (uq->resetting || !uq->live)
		return uq->last_head;
	uq->last_head = ares_uq_rd(uq, ARES_UQ_HEAD);
	return uq->last_head;
}

/* Adds JOBS and BUSY_NS since the last enable to the owner's fdinfo. */
static void ares_uq_fold_locked(struct ares_uq *uq)
{
	struct ares_device *adev = uq->adev;
	u64 busy, jobs;

	lockdep_assert_held(&adev->uq_hw_lock);

	if (!uq->counting)
		return;
	busy = ares_rd64(adev, ARES_REG_UQ(uq->index, ARES_UQ_BUSY_NS));
	jobs = ares_rd64(adev, ARES_REG_UQ(uq->index, ARES_UQ_JOBS));
	atomic64_add(busy, &uq->usage->busy_ns[uq->priority]);
	atomic64_add(jobs, &uq->usage->jobs[uq->priority]);
	adev->uq_busy_ns_folded += busy;
	adev->uq_jobs_folded += jobs;
	uq->counting = false;
}

/*
 * Arms IRQ_HEAD for the lowest HEAD above @head_now that a waiter or a fence
 * wants, or disarms. Only while the queue is enabled: CONTROL is written
 * whole, and the enable bit is the driver's.
 */
static void ares_uq_arm_locked(struct ares_uq *uq, u32 head_now)
{
	struct ares_uq_waiter *w;
	struct ares_uq_fence *f;
	s32 best = S32_MAX;
	bool armed = false;

	lockdep_assert_held(&uq->adev->uq_hw_lock);

	if (!uq->enabled)
		return;
	list_for_each_entry(w, &uq->waiters, link)
		if ((s32)(w->head - head_now) > 0 &&
		    (s32)(w->head - head_now) < best) {
			best = (s32)(w->head - head_now);
			armed = true;
		}
	list_for_each_entry(f, &uq->fences, link)
		if ((s32)(f->head - head_now) > 0 &&
		    (s32)(f->head - head_now) < best) {
			best = (s32)(f->head - head_now);
			armed = true;
		}
	if (armed) {
		ares_uq_wr(uq, ARES_UQ_IRQ_HEAD, head_now + best);
		ares_uq_wr(uq, ARES_UQ_CONTROL,
			   ARES_UQ_CONTROL_ENABLE | ARES_UQ_CONTROL_IRQ);
	} else if (uq->irq_armed) {
		ares_uq_wr(uq, ARES_UQ_CONTROL, ARES_UQ_CONTROL_ENABLE);
	}
	uq->irq_armed = armed;
}

/* The errno of a queue that will not reach a HEAD any more, or 0. */
static int ares_uq_stopped_errno(struct ares_uq *uq)
{
	lockdep_assert_held(&uq->adev->uq_hw_lock);

	if (uq->gone)
		return uq->gone;
	if (uq->state != DRM_ARES_UQ_ACTIVE)
		return -ECANCELED;
	return 0;
}

/*
 * Looks at the queue's registers: notes a device-stopped queue, signals
 * the fences whose HEAD is reached (or fails them all when the queue
 * stopped), re-arms the interrupt and, if @wake, wakes the waiters (not
 * from a wait's own condition, which would never sleep then). The caller
 * holds a drm_dev_enter() section, or the queue is gone.
 */
static void ares_uq_process_locked(struct ares_uq *uq, bool wake)
{
	struct ares_uq_fence *f, *tmp;
	int pass, err;
	u32 head;

	lockdep_assert_held(&uq->adev->uq_hw_lock);

	if (uq->live && !uq->gone && !uq->resetting &&
	    uq->state == DRM_ARES_UQ_ACTIVE &&
	    (ares_uq_rd(uq, ARES_UQ_STATUS) & ARES_UQ_STATUS_ERROR)) {
		uq->state = DRM_ARES_UQ_ERROR;
		uq->error = ares_uq_rd(uq, ARES_UQ_ERROR);
		drm_dbg_driver(&uq->adev->drm, "user queue %u stopped by the device: error %u\n",
			       uq->index, uq->error);
	}

	/*
	 * Twice at most: a job that completed while IRQ_HEAD was being armed
	 * may have raised no interrupt, so HEAD is read again after arming.
	 */
	for (pass = 0; pass < 2; pass++) {
		head = uq->gone ? uq->last_head : ares_uq_head_locked(uq);
		err = ares_uq_stopped_errno(uq);
		list_for_each_entry_safe(f, tmp, &uq->fences, link) {
			if (!ares_uq_reached(head, f->head)) {
				if (!err)
					continue;
				dma_fence_set_error(&f->base,
						    err == -ENOENT ? -ECANCELED : err);
			}
			list_del_init(&f->link);
			dma_fence_signal_locked(&f->base);
			dma_fence_put(&f->base);
		}
		if (err || uq->gone || !uq->live)
			break;
		ares_uq_arm_locked(uq, head);
		if (ares_uq_head_locked(uq) == head)
			break;
	}
	if (wake)
		wake_up_all(&uq->wq);
}

/**
 * ares_uq_irq() - interrupt handler of ARES_VEC_UQ
 * @irq: the interrupt
 * @arg: the device
 *
 * One vector for all user queues: looks at every live one.
 *
 * Return: IRQ_HANDLED.
 */
static irqreturn_t ares_uq_irq(int irq, void *arg)
{
	struct ares_device *adev = arg;
	int i;

	spin_lock(&adev->uq_hw_lock);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];

		/* A gone queue may be waiting for its stop handshake. */
		if (uq && uq->gone)
			wake_up_all(&uq->wq);
		else if (uq)
			ares_uq_process_locked(uq, true);
	}
	spin_unlock(&adev->uq_hw_lock);
	return IRQ_HANDLED;
}

/**
 * ares_uq_request_irq() - install the ARES_VEC_UQ handler (probe)
 * @adev: device
 *
 * Return: 0 or a negative errno.
 */
int ares_uq_request_irq(struct ares_device *adev)
{
	struct pci_dev *pdev = adev->pdev;

	return devm_request_irq(&pdev->dev, pci_irq_vector(pdev, ARES_VEC_UQ),
				ares_uq_irq, 0, "ares-uq", adev);
}

/*
 * Programs the register block per §15 (the queue disabled while the config
 * is written) and enables the queue unless @enable is false. The caller
 * holds uq_hw_lock and a drm_dev_enter() section.
 */
static void ares_uq_hw_program(struct ares_uq *uq, u32 head, u32 tail,
			       bool enable)
{
	struct ares_device *adev = uq->adev;
	u32 n = uq->index;

	lockdep_assert_held(&adev->uq_hw_lock);

	ares_uq_wr(uq, ARES_UQ_CONTROL, 0);
	ares_wr64(adev, ARES_REG_UQ(n, ARES_UQ_RING_BASE), uq->ring_dma);
	ares_uq_wr(uq, ARES_UQ_RING_ENTRIES, uq->entries);
	ares_uq_wr(uq, ARES_UQ_PRIORITY, uq->priority);
	ares_wr64(adev, ARES_REG_UQ(n, ARES_UQ_COMPL_BASE), uq->compl_dma);
	ares_uq_wr(uq, ARES_UQ_ASID, uq->asid);
	ares_uq_wr(uq, ARES_UQ_HEAD, head);
	ares_uq_wr(uq, ARES_UQ_IRQ_HEAD, 0);
	ares_wr32(adev, ares_uq_db_reg(uq), tail);
	uq->last_head = head;
	uq->irq_armed = false;
	uq->enabled = enable;
	uq->wd_running = false;
	if (!enable)
		return;
	uq->counting = true;
	/* writel() orders the config before the enable. */
	ares_uq_wr(uq, ARES_UQ_CONTROL, ARES_UQ_CONTROL_ENABLE);
	ares_uq_arm_locked(uq, head);
}

/* Clears CONTROL.ENABLE: the device stops the queue after its job. */
static void ares_uq_disable_locked(struct ares_uq *uq)
{
	lockdep_assert_held(&uq->adev->uq_hw_lock);

	ares_uq_wr(uq, ARES_UQ_CONTROL, 0);
	uq->enabled = false;
	uq->irq_armed = false;
}

/* The §15 stop handshake is complete: the device reads nothing more. */
static bool ares_uq_hw_idle(struct ares_uq *uq)
{
	return !(ares_uq_rd(uq, ARES_UQ_STATUS) &
		 (ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING));
}

/*
 * Waits, bounded, for the stop handshake of a queue already disabled. The
 * caller holds a drm_dev_enter() section. Return: true once stopped.
 */
static bool ares_uq_wait_idle(struct ares_uq *uq, unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);

	while (!ares_uq_hw_idle(uq)) {
		if (time_after(jiffies, deadline))
			return false;
		wait_event_timeout(uq->wq, ares_uq_hw_idle(uq),
				   msecs_to_jiffies(ARES_UQ_STOP_POLL_MS));
	}
	return true;
}

static void ares_uq_wd_arm(struct ares_device *adev)
{
	unsigned int ms = READ_ONCE(ares_job_timeout_ms) / 4;

	ms = clamp(ms, ARES_UQ_WD_MIN_MS, ARES_UQ_WD_MAX_MS);
	queue_delayed_work(adev->reset_wq, &adev->uq_wd_work,
			   msecs_to_jiffies(ms));
}

/* Stops serving @uq for good because one of its jobs hung. */
static void ares_uq_ban_locked(struct ares_uq *uq)
{
	struct ares_queue_wb *wb = uq->compl;

	lockdep_assert_held(&uq->adev->uq_hw_lock);

	uq->state = DRM_ARES_UQ_BANNED;
	uq->error = ARES_UQ_ERR_BANNED;
	WRITE_ONCE(wb->error, cpu_to_le32(ARES_UQ_ERR_BANNED));
	ares_uq_disable_locked(uq);
	ares_uq_process_locked(uq, true);
}

/*
 * The user-queue watchdog, on reset_wq (never during a recovery): a queue
 * whose STATUS.RUNNING stays set with HEAD unchanged past job_timeout_ms
 * is banned and the device recovered. Also catches completions whose
 * interrupt was lost. Runs while user queues exist.
 */
static void ares_uq_wd_work(struct work_struct *work)
{
	struct ares_device *adev = container_of(to_delayed_work(work),
						struct ares_device, uq_wd_work);
	unsigned int timeout = READ_ONCE(ares_job_timeout_ms);
	struct ares_uq *guilty = NULL;
	unsigned long flags;
	bool any = false;
	int i, idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return;
	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];
		u32 status, head;
		bool running;

		if (!uq || uq->gone)
			continue;
		any = true;
		ares_uq_process_locked(uq, true);
		if (!timeout || uq->state != DRM_ARES_UQ_ACTIVE ||
		    uq->resetting || guilty)
			continue;
		status = ares_uq_rd(uq, ARES_UQ_STATUS);
		head = ares_uq_rd(uq, ARES_UQ_HEAD);
		running = status & ARES_UQ_STATUS_RUNNING;
		if (!running || !uq->wd_running || head != uq->wd_head) {
			uq->wd_head = head;
			uq->wd_running = running;
			uq->wd_since = jiffies;
			continue;
		}
		if (time_after(jiffies, uq->wd_since + msecs_to_jiffies(timeout)))
			guilty = uq;
	}
	if (guilty)
		ares_uq_ban_locked(guilty);
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	drm_dev_exit(idx);

	if (guilty) {
		drm_err(&adev->drm, "user queue %u: job ran past %u ms (HEAD %u); queue banned, recovering\n",
			guilty->index, timeout, guilty->wd_head);
		ares_recover(adev, NULL, "user queue timeout");
	}
	if (any && !READ_ONCE(adev->uq_unplugged))
		ares_uq_wd_arm(adev);
}

/**
 * ares_uq_init() - user-queue state of a new device (probe)
 * @adev: device
 *
 * Return: 0 or a negative errno.
 */
int ares_uq_init(struct ares_device *adev)
{
	spin_lock_init(&adev->uq_hw_lock);
	INIT_DELAYED_WORK(&adev->uq_wd_work, ares_uq_wd_work);
	return drmm_mutex_init(&adev->drm, &adev->uq_lock);
}

/* Takes every CPU mapping of @uq away (ring, completion area, doorbell). */
static void ares_uq_zap(struct ares_uq *uq)
{
	struct inode *inode = uq->adev->drm.anon_inode;

	unmap_mapping_range(inode->i_mapping,
			    ARES_UQ_MMAP_BASE + uq->index * ARES_UQ_MMAP_STRIDE,
			    ARES_UQ_MMAP_STRIDE, 1);
}

static void ares_uq_free_mem(struct ares_uq *uq)
{
	struct device *dev = uq->adev->drm.dev;

	if (uq->ring)
		dma_free_coherent(dev, uq->ring_size, uq->ring, uq->ring_dma);
	if (uq->compl)
		dma_free_coherent(dev, uq->compl_size, uq->compl, uq->compl_dma);
	uq->ring = NULL;
	uq->compl = NULL;
}

/**
 * ares_uq_destroy() - tear a user queue down (CTX_DESTROY, file close)
 * @uq: the queue, its context already out of the file's table
 *
 * Takes the process's mappings away, stops the queue (§15 handshake,
 * bounded by the job timeout; a queue that does not stop is taken off the
 * device by a reset), counts its jobs into fdinfo, fails its waiters and
 * fences, gives the slot and the address-space pin back and frees the ring
 * and completion area.
 */
void ares_uq_destroy(struct ares_uq *uq)
{
	struct ares_device *adev = uq->adev;
	unsigned long flags;
	bool stopped = true;
	int idx;

	mutex_lock(&adev->uq_lock);
	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	if (!uq->gone)
		uq->gone = -ENOENT;
	ares_uq_process_locked(uq, true);
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	list_del_init(&uq->as_link);
	mutex_unlock(&adev->uq_lock);

	ares_uq_zap(uq);

	if (drm_dev_enter(&adev->drm, &idx)) {
		spin_lock_irqsave(&adev->uq_hw_lock, flags);
		ares_uq_disable_locked(uq);
		spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
		ares_ring_doorbell(adev, ARES_VEC_UQ);
		stopped = ares_uq_wait_idle(uq, ares_uq_timeout_ms() + 1000);
		drm_dev_exit(idx);
	}
	if (!stopped) {
		drm_err(&adev->drm, "user queue %u did not stop; resetting the device\n",
			uq->index);
		ares_reset_now(adev, "user queue stop");
	}

	mutex_lock(&adev->uq_lock);
	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_uq_fold_locked(uq);
		ares_uq_wr(uq, ARES_UQ_IRQ_HEAD, 0);
		ares_wr64(adev, ARES_REG_UQ(uq->index, ARES_UQ_RING_BASE), 0);
		ares_wr64(adev, ARES_REG_UQ(uq->index, ARES_UQ_COMPL_BASE), 0);
		drm_dev_exit(idx);
	}
	adev->uqs[uq->index] = NULL;
	uq->live = false;
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	mutex_unlock(&adev->uq_lock);

	ares_as_unpin(uq->as);
	ares_uq_free_mem(uq);
}

/**
 * ares_uq_free() - free a user queue's bookkeeping (its context's release)
 * @uq: the queue, destroyed or never made live
 */
void ares_uq_free(struct ares_uq *uq)
{
	ares_uq_free_mem(uq);
	if (uq->as)
		ares_as_put(uq->as);
	if (uq->usage)
		ares_usage_put(uq->usage);
	kfree(uq);
}

/**
 * ares_uq_as_suspend() - stop the user queues of @as before an unmap
 * @as: address space about to lose a mapping
 *
 * Holds adev->uq_lock until ares_uq_as_resume(): no queue of @as is
 * created, destroyed or re-enabled in between. Each queue is stopped with
 * the §15 handshake, so the device touches none of its pages after this
 * returns. A queue whose job hangs is left to the watchdog (the recovery
 * takes no uq_lock); the wait is bounded.
 */
void ares_uq_as_suspend(struct ares_as *as)
	__acquires(&as->adev->uq_lock)
{
	struct ares_device *adev = as->adev;
	unsigned long flags;
	struct ares_uq *uq;
	int idx;

	mutex_lock(&adev->uq_lock);
	if (list_empty(&as->uqs) || !drm_dev_enter(&adev->drm, &idx))
		return;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	list_for_each_entry(uq, &as->uqs, as_link) {
		if (uq->gone)
			continue;
		uq->suspended = true;
		ares_uq_disable_locked(uq);
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	ares_ring_doorbell(adev, ARES_VEC_UQ);

	list_for_each_entry(uq, &as->uqs, as_link) {
		if (uq->gone)
			continue;
		if (!ares_uq_wait_idle(uq, ares_uq_timeout_ms() + 1000))
			drm_err(&adev->drm, "user queue %u did not stop for an unmap\n",
				uq->index);
		spin_lock_irqsave(&adev->uq_hw_lock, flags);
		ares_uq_fold_locked(uq);
		spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	}
	drm_dev_exit(idx);
}

/**
 * ares_uq_as_resume() - re-enable the queues ares_uq_as_suspend() stopped
 * @as: address space
 *
 * HEAD stays where the queue stopped; TAIL is the process's, untouched.
 */
void ares_uq_as_resume(struct ares_as *as)
	__releases(&as->adev->uq_lock)
{
	struct ares_device *adev = as->adev;
	bool kick = false;
	unsigned long flags;
	struct ares_uq *uq;
	int idx;

	lockdep_assert_held(&adev->uq_lock);

	if (!list_empty(&as->uqs) && drm_dev_enter(&adev->drm, &idx)) {
		spin_lock_irqsave(&adev->uq_hw_lock, flags);
		list_for_each_entry(uq, &as->uqs, as_link) {
			if (uq->gone || !uq->suspended)
				continue;
			uq->suspended = false;
			if (uq->state != DRM_ARES_UQ_ACTIVE || uq->resetting)
				continue;
			ares_uq_hw_program(uq, ares_uq_rd(uq, ARES_UQ_HEAD),
					   ares_rd32(adev, ares_uq_db_reg(uq)),
					   true);
			kick = true;
		}
		spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
		if (kick)
			ares_ring_doorbell(adev, ARES_VEC_UQ);
		drm_dev_exit(idx);
	}
	mutex_unlock(&adev->uq_lock);
}

/**
 * ares_uq_snapshot() - note every user queue's position before a RESET
 * @adev: device, in a drm_dev_enter() section
 *
 * HEAD, TAIL (the doorbell page, which RESET clears) and whether a job was
 * on the engines; JOBS and BUSY_NS go to fdinfo now, RESET clears them.
 */
void ares_uq_snapshot(struct ares_device *adev)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];
		u32 status;

		if (!uq || uq->resetting)
			continue;
		ares_uq_process_locked(uq, true);
		status = ares_uq_rd(uq, ARES_UQ_STATUS);
		uq->snap_head = ares_uq_head_locked(uq);
		uq->snap_tail = ares_rd32(adev, ares_uq_db_reg(uq));
		uq->snap_running = (status & ARES_UQ_STATUS_RUNNING) &&
				   uq->state == DRM_ARES_UQ_ACTIVE;
		ares_uq_fold_locked(uq);
		uq->resetting = true;
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
}

/*
 * The job of an innocent queue that was on the engines at the reset is
 * lost: its completion says so (ARES_JOB_ABORTED), written as the device
 * would, and HEAD moves past it. Its seqno comes from the process's own
 * ring and only goes back to the process.
 */
static u32 ares_uq_abort_job(struct ares_uq *uq, u32 head)
{
	u32 slot = head & (uq->entries - 1);
	struct ares_job_desc *desc = (struct ares_job_desc *)uq->ring + slot;
	struct ares_completion *rec = uq->compl + ARES_COMPL_RECORD_OFFSET(slot);
	struct ares_queue_wb *wb = uq->compl;
	__le64 seqno = READ_ONCE(desc->seqno);

	WRITE_ONCE(rec->seqno, seqno);
	WRITE_ONCE(rec->status, cpu_to_le32(ARES_JOB_ABORTED));
	WRITE_ONCE(rec->error_offset, 0);
	WRITE_ONCE(rec->start_ns, 0);
	WRITE_ONCE(rec->end_ns, 0);
	WRITE_ONCE(rec->modeled_ns, 0);
	/* As §15: the record, then done_seqno, then head. */
	dma_wmb();
	WRITE_ONCE(wb->done_seqno, seqno);
	dma_wmb();
	WRITE_ONCE(wb->head, cpu_to_le32(head + 1));
	atomic64_inc(&uq->usage->jobs[uq->priority]);
	return head + 1;
}

/**
 * ares_uq_hw_restore() - re-program the user queues after a RESET
 * @adev: device, in a drm_dev_enter() section, before the firmware boots
 *
 * Innocent queues resume where they stopped; banned, failed and suspended
 * ones stay disabled (a suspended one is enabled by its resume).
 */
void ares_uq_hw_restore(struct ares_device *adev)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];
		u32 head;
		bool enable;

		if (!uq || !uq->resetting)
			continue;
		uq->resetting = false;
		head = uq->snap_head;
		if (uq->gone || uq->state != DRM_ARES_UQ_ACTIVE) {
			uq->enabled = false;
			ares_uq_process_locked(uq, true);
			continue;
		}
		if (uq->snap_running)
			head = ares_uq_abort_job(uq, head);
		enable = !uq->suspended;
		ares_uq_hw_program(uq, head, uq->snap_tail, enable);
		ares_uq_process_locked(uq, true);
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
}

/**
 * ares_uq_kick() - have the device look at its user queues (after BOOT)
 * @adev: device, in a drm_dev_enter() section
 *
 * Only when one is enabled: nothing else needs the vector.
 */
void ares_uq_kick(struct ares_device *adev)
{
	unsigned long flags;
	bool any = false;
	int i;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ && !any; i++)
		any = adev->uqs[i] && adev->uqs[i]->enabled;
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	if (any)
		ares_ring_doorbell(adev, ARES_VEC_UQ);
}

/**
 * ares_uq_unplug() - the device is gone: fail every wait, zap every mapping
 * @adev: device, after drm_dev_unplug()
 *
 * The ring and completion memory stay until each queue's file closes.
 */
void ares_uq_unplug(struct ares_device *adev)
{
	unsigned long flags;
	int i;

	WRITE_ONCE(adev->uq_unplugged, true);
	cancel_delayed_work_sync(&adev->uq_wd_work);

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];

		if (!uq)
			continue;
		if (!uq->gone)
			uq->gone = -ENODEV;
		uq->enabled = false;
		ares_uq_process_locked(uq, true);
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);

	unmap_mapping_range(adev->drm.anon_inode->i_mapping, ARES_UQ_MMAP_BASE,
			    ARES_UQ_MMAP_END - ARES_UQ_MMAP_BASE, 1);
}

/**
 * ares_uq_usage() - add the live counters of a file's user queues
 * @file: the file
 * @busy_ns: per priority, device time to add to
 * @jobs: per priority, completed jobs to add to
 *
 * What ares_uq_fold_locked() has not moved into the file's counters yet.
 */
void ares_uq_usage(struct drm_file *file, u64 *busy_ns, u64 *jobs)
{
	struct ares_device *adev = to_ares_device(file->minor->dev);
	unsigned long flags;
	int i, idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return;
	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	for (i = 0; i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];

		if (!uq || uq->file != file || !uq->counting)
			continue;
		busy_ns[uq->priority] +=
			ares_rd64(adev, ARES_REG_UQ(i, ARES_UQ_BUSY_NS));
		jobs[uq->priority] += ares_rd64(adev, ARES_REG_UQ(i, ARES_UQ_JOBS));
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	drm_dev_exit(idx);
}

/**
 * ares_uq_device_usage() - jobs and device time of every user queue since bind
 * @adev: the device
 * @busy_ns: out: device time in user-queue jobs
 * @jobs: out: user-queue jobs completed
 *
 * For the device's sysfs totals, which count both submission paths.
 */
void ares_uq_device_usage(struct ares_device *adev, u64 *busy_ns, u64 *jobs)
{
	unsigned long flags;
	int i, idx;
	/* Unplugged: the folded totals are all there is. */
	bool live = drm_dev_enter(&adev->drm, &idx);

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	*busy_ns = adev->uq_busy_ns_folded;
	*jobs = adev->uq_jobs_folded;
	for (i = 0; live && i < ARES_NUM_UQ; i++) {
		struct ares_uq *uq = adev->uqs[i];

		if (!uq || !uq->counting)
			continue;
		*busy_ns += ares_rd64(adev, ARES_REG_UQ(i, ARES_UQ_BUSY_NS));
		*jobs += ares_rd64(adev, ARES_REG_UQ(i, ARES_UQ_JOBS));
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	if (live)
		drm_dev_exit(idx);
}

/* dma_mmap_coherent() takes vm_pgoff as an offset into the buffer. */
static int ares_uq_mmap_coherent(struct ares_device *adev,
				 struct vm_area_struct *vma, void *cpu,
				 dma_addr_t dma, size_t size)
{
	unsigned long pgoff = vma->vm_pgoff;
	int ret;

	vma->vm_pgoff = 0;
	ret = dma_mmap_coherent(adev->drm.dev, vma, cpu, dma, size);
	/* Kept: unmap_mapping_range() finds the mapping by its offset. */
	vma->vm_pgoff = pgoff;
	return ret;
}

static int ares_uq_mmap_locked(struct ares_device *adev, struct ares_uq *uq,
			       u64 part, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	phys_addr_t db;

	lockdep_assert_held(&adev->uq_lock);

	switch (part) {
	case ARES_UQ_MMAP_RING:
		if (size != uq->ring_size)
			return -EINVAL;
		return ares_uq_mmap_coherent(adev, vma, uq->ring, uq->ring_dma,
					     size);
	case ARES_UQ_MMAP_COMPL:
		if (size != uq->compl_size)
			return -EINVAL;
		/* The device's writes only: no PROT_WRITE now or later. */
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
		return ares_uq_mmap_coherent(adev, vma, uq->compl,
					     uq->compl_dma, size);
	case ARES_UQ_MMAP_DB:
		if (size != ARES_UQ_DB_PAGE || PAGE_SIZE != ARES_UQ_DB_PAGE)
			return -EINVAL;
		db = pci_resource_start(adev->pdev, ARES_BAR_REGS) +
		     ARES_REG_UQ_DB(uq->index);
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		return io_remap_pfn_range(vma, vma->vm_start, db >> PAGE_SHIFT,
					  size, vma->vm_page_prot);
	default:
		return -EINVAL;
	}
}

/**
 * ares_uq_mmap() - map a user queue's ring, completion area or doorbell
 * @filp: the accel file
 * @vma: the mapping, at one of the three offsets UQ_CREATE returned
 *
 * Only the owning file, shared, the exact size, never inherited by fork
 * nor grown by mremap; the completion area read-only for good.
 *
 * Return: 0, -EINVAL (offset, size, not shared), -EACCES (another file's
 * queue, or the completion area with PROT_WRITE) or -ENODEV.
 */
int ares_uq_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *file = filp->private_data;
	struct ares_device *adev = to_ares_device(file->minor->dev);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct ares_uq *uq;
	u64 n, part;
	int ret, idx;

	if (off < ARES_UQ_MMAP_BASE || off >= ARES_UQ_MMAP_END)
		return -EINVAL;
	n = (off - ARES_UQ_MMAP_BASE) / ARES_UQ_MMAP_STRIDE;
	part = (off - ARES_UQ_MMAP_BASE) % ARES_UQ_MMAP_STRIDE;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;

	mutex_lock(&adev->uq_lock);
	uq = adev->uqs[n];
	if (!uq || uq->gone) {
		ret = -EINVAL;
	} else if (uq->file != file) {
		drm_dbg_driver(&adev->drm, "mmap: user queue %llu belongs to another file\n",
			       n);
		ret = -EACCES;
	} else {
		vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
		ret = ares_uq_mmap_locked(adev, uq, part, vma);
	}
	mutex_unlock(&adev->uq_lock);
	drm_dev_exit(idx);
	return ret;
}

static int ares_uq_create_check_args(struct ares_device *adev,
				     const struct drm_ares_uq_create *args)
{
	int ret;

	/* ctx_id, asid and the offsets are output-only: zero on input. */
	if (args->flags || args->pad || args->reserved || args->ctx_id ||
	    args->asid || args->ring_offset || args->compl_offset ||
	    args->doorbell_offset)
		return -EINVAL;
	if (args->ring_entries < ARES_Q_RING_MIN ||
	    args->ring_entries > ARES_Q_RING_MAX ||
	    !is_power_of_2(args->ring_entries))
		return -EINVAL;
	ret = ares_ctx_check_priority(args->priority);
	if (ret)
		return ret;
	if (!(adev->caps & ARES_CAP_USER_QUEUES))
		return -EOPNOTSUPP;
	return 0;
}

/* The queue, its memory allocated, not yet on the device. */
static struct ares_uq *ares_uq_alloc(struct ares_device *adev,
				     struct drm_file *file,
				     const struct drm_ares_uq_create *args)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_uq *uq;

	uq = kzalloc(sizeof(*uq), GFP_KERNEL_ACCOUNT);
	if (!uq)
		return NULL;
	uq->adev = adev;
	uq->file = file;
	uq->as = ares_as_get(afile->as);
	uq->usage = ares_usage_get(afile->usage);
	uq->priority = args->priority;
	uq->entries = args->ring_entries;
	INIT_LIST_HEAD(&uq->as_link);
	INIT_LIST_HEAD(&uq->waiters);
	INIT_LIST_HEAD(&uq->fences);
	init_waitqueue_head(&uq->wq);

	/* Zeroed, page aligned (§15 wants 4 KiB), pinned. */
	uq->ring_size = PAGE_ALIGN(uq->entries * sizeof(struct ares_job_desc));
	uq->ring = dma_alloc_coherent(adev->drm.dev, uq->ring_size,
				      &uq->ring_dma, GFP_KERNEL_ACCOUNT);
	uq->compl_size = PAGE_ALIGN(ARES_COMPL_RECORD_OFFSET(uq->entries));
	uq->compl = dma_alloc_coherent(adev->drm.dev, uq->compl_size,
				       &uq->compl_dma, GFP_KERNEL_ACCOUNT);
	if (!uq->ring || !uq->compl) {
		ares_uq_free(uq);
		return NULL;
	}
	return uq;
}

/*
 * Gives @uq a free user-queue slot and the file's address space a pinned
 * hardware slot, programs and enables it. The caller holds a
 * drm_dev_enter() section.
 */
static int ares_uq_start(struct ares_device *adev, struct ares_uq *uq)
{
	unsigned long flags;
	int n, asid;

	mutex_lock(&adev->uq_lock);
	for (n = 0; n < ARES_NUM_UQ; n++)
		if (!adev->uqs[n])
			break;
	if (n == ARES_NUM_UQ) {
		mutex_unlock(&adev->uq_lock);
		drm_dbg_driver(&adev->drm, "UQ_CREATE: all %d user queues in use\n",
			       ARES_NUM_UQ);
		return -ENOSPC;
	}
	asid = ares_as_pin_uq(uq->as);
	if (asid < 0) {
		mutex_unlock(&adev->uq_lock);
		drm_dbg_driver(&adev->drm, "UQ_CREATE: no address-space slot can be pinned\n");
		return -EBUSY;
	}
	uq->index = n;
	uq->asid = asid;
	/* The previous owner may have left anything in the page. */
	memset_io(adev->regs + ARES_REG_UQ_DB(n), 0, ARES_UQ_DB_PAGE);

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	adev->uqs[n] = uq;
	uq->live = true;
	uq->state = DRM_ARES_UQ_ACTIVE;
	ares_uq_hw_program(uq, 0, 0, true);
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	list_add_tail(&uq->as_link, &uq->as->uqs);
	mutex_unlock(&adev->uq_lock);

	ares_ring_doorbell(adev, ARES_VEC_UQ);
	ares_uq_wd_arm(adev);
	return 0;
}

/**
 * ares_ioctl_uq_create() - DRM_IOCTL_ARES_UQ_CREATE: a user-queue context
 * @dev: DRM device
 * @data: struct drm_ares_uq_create
 * @file: calling file
 *
 * Return: 0, -EINVAL (fields), -EPERM (REALTIME without CAP_SYS_NICE),
 * -EOPNOTSUPP (no ARES_CAP_USER_QUEUES), -EMFILE (the file's context or
 * user-queue limit), -ENOSPC (all user queues in use), -EBUSY (no
 * address-space slot can be pinned), -ENOMEM or -ENODEV.
 */
int ares_ioctl_uq_create(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct ares_device *adev = to_ares_device(dev);
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_uq_create *args = data;
	struct ares_ctx *ctx;
	struct ares_uq *uq;
	int ret, idx;
	u32 id;

	ret = ares_uq_create_check_args(adev, args);
	if (ret)
		return ret;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;

	ret = -EMFILE;
	if (atomic_inc_return(&afile->num_ctx) >
	    READ_ONCE(ares_max_contexts_per_file)) {
		drm_dbg_driver(dev, "UQ_CREATE: file has max_contexts_per_file (%u) contexts\n",
			       READ_ONCE(ares_max_contexts_per_file));
		goto err_ctx_count;
	}
	if (atomic_inc_return(&afile->num_uqs) >
	    READ_ONCE(ares_max_uqs_per_file)) {
		drm_dbg_driver(dev, "UQ_CREATE: file has max_uqs_per_file (%u) user queues\n",
			       READ_ONCE(ares_max_uqs_per_file));
		goto err_uq_count;
	}

	ret = -ENOMEM;
	ctx = ares_ctx_alloc();
	if (!ctx)
		goto err_uq_count;
	uq = ares_uq_alloc(adev, file, args);
	if (!uq) {
		ares_ctx_put(ctx);
		goto err_uq_count;
	}
	ctx->uq = uq;

	ret = ares_uq_start(adev, uq);
	if (ret) {
		ares_ctx_put(ctx);
		goto err_uq_count;
	}
	ret = xa_alloc_cyclic(&afile->ctxs, &id, ctx, XA_LIMIT(1, U32_MAX),
			      &afile->ctx_next, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		ares_uq_destroy(uq);
		ares_ctx_put(ctx);
		goto err_uq_count;
	}

	args->ctx_id = id;
	args->asid = uq->asid;
	args->ring_offset = ARES_UQ_MMAP_BASE + uq->index * ARES_UQ_MMAP_STRIDE +
			    ARES_UQ_MMAP_RING;
	args->compl_offset = ARES_UQ_MMAP_BASE + uq->index * ARES_UQ_MMAP_STRIDE +
			     ARES_UQ_MMAP_COMPL;
	args->doorbell_offset = ARES_UQ_MMAP_BASE +
				uq->index * ARES_UQ_MMAP_STRIDE + ARES_UQ_MMAP_DB;
	drm_dev_exit(idx);
	return 0;

err_uq_count:
	atomic_dec(&afile->num_uqs);
err_ctx_count:
	atomic_dec(&afile->num_ctx);
	drm_dev_exit(idx);
	return ret;
}

/*
 * A user-queue context of @file, referenced. Return: the context, or
 * ERR_PTR(-ENOENT) (no such context) or ERR_PTR(-EINVAL) (not a user queue).
 */
static struct ares_ctx *ares_uq_lookup(struct drm_file *file, u32 id)
{
	struct ares_ctx *ctx = ares_ctx_lookup(file->driver_priv, id);

	if (!ctx)
		return ERR_PTR(-ENOENT);
	if (!ctx->uq) {
		ares_ctx_put(ctx);
		return ERR_PTR(-EINVAL);
	}
	return ctx;
}

/**
 * ares_ioctl_uq_wake() - DRM_IOCTL_ARES_UQ_WAKE: ring ARES_VEC_UQ
 * @dev: DRM device
 * @data: struct drm_ares_uq_wake
 * @file: calling file
 *
 * Return: 0, -EINVAL (flags, not a user queue), -ENOENT (no such context),
 * -ECANCELED (the queue is stopped) or -ENODEV.
 */
int ares_ioctl_uq_wake(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct ares_device *adev = to_ares_device(dev);
	struct drm_ares_uq_wake *args = data;
	struct ares_ctx *ctx;
	int ret = 0, idx;

	if (args->flags)
		return -EINVAL;
	ctx = ares_uq_lookup(file, args->ctx_id);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (drm_dev_enter(dev, &idx)) {
		if (READ_ONCE(ctx->uq->state) != DRM_ARES_UQ_ACTIVE)
			ret = -ECANCELED;
		else
			ares_ring_doorbell(adev, ARES_VEC_UQ);
		drm_dev_exit(idx);
	} else {
		ret = -ENODEV;
	}
	ares_ctx_put(ctx);
	return ret;
}

/* Fills the out fields; Return: 0 when @target is reached, else the stop errno or -EAGAIN. */
static int ares_uq_wait_check(struct ares_uq *uq, u32 target,
			      struct drm_ares_uq_wait *args)
{
	struct ares_device *adev = uq->adev;
	unsigned long flags;
	u32 head;
	int ret, idx;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	if (!uq->gone && drm_dev_enter(&adev->drm, &idx)) {
		ares_uq_process_locked(uq, false);
		drm_dev_exit(idx);
	} else if (!uq->gone) {
		uq->gone = -ENODEV;
	}
	head = uq->last_head;
	args->head_now = head;
	args->state = uq->state;
	args->error = uq->state == DRM_ARES_UQ_ERROR ? uq->error : 0;
	if (ares_uq_reached(head, target))
		ret = 0;
	else
		ret = ares_uq_stopped_errno(uq) ?: -EAGAIN;
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	return ret;
}

/* The wait is over: @args->head reached, or it never will be. */
static bool ares_uq_wait_over(struct ares_uq *uq, struct drm_ares_uq_wait *args)
{
	return ares_uq_wait_check(uq, args->head, args) != -EAGAIN;
}

static int ares_uq_wait_fence(struct ares_uq *uq, struct drm_file *file,
			      struct drm_ares_uq_wait *args)
{
	struct ares_device *adev = uq->adev;
	struct drm_syncobj *syncobj;
	struct ares_uq_fence *f;
	unsigned long flags;
	int ret;

	syncobj = drm_syncobj_find(file, args->syncobj);
	if (!syncobj)
		return -ENOENT;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f) {
		drm_syncobj_put(syncobj);
		return -ENOMEM;
	}
	/* A context per fence: waits on one queue may name any HEAD. */
	dma_fence_init(&f->base, &ares_uq_fence_ops, &adev->uq_hw_lock,
		       dma_fence_context_alloc(1), 1);
	f->head = args->head;
	INIT_LIST_HEAD(&f->link);

	ret = ares_uq_wait_check(uq, args->head, args);
	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	if (ret == -EAGAIN) {
		/* The list holds a reference until the fence signals. */
		dma_fence_get(&f->base);
		list_add_tail(&f->link, &uq->fences);
		ret = 0;
		/* Arms IRQ_HEAD, or signals it if HEAD moved meanwhile. */
		if (!uq->gone)
			ares_uq_process_locked(uq, false);
	} else {
		/* Reached, or never will: nobody must wait on it. */
		if (ret)
			dma_fence_set_error(&f->base, ret);
		dma_fence_signal_locked(&f->base);
	}
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);

	if (!ret)
		drm_syncobj_replace_fence(syncobj, &f->base);
	dma_fence_put(&f->base);
	drm_syncobj_put(syncobj);
	return ret;
}

static int ares_uq_wait_block(struct ares_uq *uq, struct drm_ares_uq_wait *args)
{
	struct ares_device *adev = uq->adev;
	struct ares_uq_waiter w = { .head = args->head };
	ktime_t deadline = ns_to_ktime(args->timeout_ns);
	unsigned long flags;
	int ret;

	ret = ares_uq_wait_check(uq, args->head, args);
	if (ret != -EAGAIN)
		return ret;
	if (!args->timeout_ns)
		return -ETIME;

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	list_add_tail(&w.link, &uq->waiters);
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);

	for (;;) {
		ktime_t left = ktime_sub(deadline, ktime_get());
		int wret;

		ret = ares_uq_wait_check(uq, args->head, args);
		if (ret != -EAGAIN)
			break;
		if (ktime_to_ns(left) <= 0) {
			ret = -ETIME;
			break;
		}
		left = min(left, ms_to_ktime(ARES_UQ_WAIT_SLICE_MS));
		wret = wait_event_interruptible_hrtimeout(uq->wq,
							  ares_uq_wait_over(uq, args),
							  left);
		if (wret == -ERESTARTSYS) {
			ret = -ERESTARTSYS;
			break;
		}
	}

	spin_lock_irqsave(&adev->uq_hw_lock, flags);
	list_del(&w.link);
	spin_unlock_irqrestore(&adev->uq_hw_lock, flags);
	return ret;
}

/**
 * ares_ioctl_uq_wait() - DRM_IOCTL_ARES_UQ_WAIT: wait for a user queue's HEAD
 * @dev: DRM device
 * @data: struct drm_ares_uq_wait
 * @file: calling file
 *
 * Sleeps outside drm_dev_enter(): an unplug wakes it with -ENODEV.
 *
 * Return: 0, -EINVAL (fields, not a user queue), -ENOENT (no such context
 * or syncobj, or the queue was destroyed meanwhile), -ETIME, -ECANCELED
 * (the queue is stopped: state and error say why), -ERESTARTSYS, -ENOMEM
 * or -ENODEV.
 */
int ares_ioctl_uq_wait(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct drm_ares_uq_wait *args = data;
	struct ares_ctx *ctx;
	int ret;

	/* state, error and head_now are output-only: zero on input. */
	if (args->flags & ~DRM_ARES_UQ_WAIT_SYNCOBJ || args->pad ||
	    args->reserved || args->state || args->error || args->head_now)
		return -EINVAL;
	if (args->flags & DRM_ARES_UQ_WAIT_SYNCOBJ) {
		if (!args->syncobj || args->timeout_ns)
			return -EINVAL;
	} else if (args->syncobj || args->timeout_ns < 0) {
		return -EINVAL;
	}

	ctx = ares_uq_lookup(file, args->ctx_id);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (args->flags & DRM_ARES_UQ_WAIT_SYNCOBJ)
		ret = ares_uq_wait_fence(ctx->uq, file, args);
	else
		ret = ares_uq_wait_block(ctx->uq, args);
	ares_ctx_put(ctx);

	/* A restarted call must find its input as it was. */
	if (ret == -ERESTARTSYS) {
		args->state = 0;
		args->error = 0;
		args->head_now = 0;
	}
	return ret;
}

/**
 * ares_uq_debug_hang() - DRM_ARES_DEBUG_HANG_UQ: the queue's next job hangs
 * @afile: calling file
 * @ctx_id: one of its user-queue contexts
 *
 * Return: 0, -EINVAL (not a user-queue context of the file) or -ENODEV.
 */
int ares_uq_debug_hang(struct ares_file *afile, u32 ctx_id)
{
	struct ares_device *adev = afile->adev;
	struct ares_ctx *ctx = ares_ctx_lookup(afile, ctx_id);
	int idx, ret = 0;

	if (!ctx)
		return -EINVAL;
	if (!ctx->uq || READ_ONCE(ctx->uq->gone)) {
		ares_ctx_put(ctx);
		return -EINVAL;
	}
	if (drm_dev_enter(&adev->drm, &idx)) {
		drm_info(&adev->drm, "debug: hanging user queue %u (context %u)\n",
			 ctx->uq->index, ctx_id);
		mutex_lock(&adev->ctrl_lock);
		ares_wr64(adev, ARES_REG_DBG_HANG_UQS,
			  ares_rd64(adev, ARES_REG_DBG_HANG_UQS) |
			  BIT_ULL(ctx->uq->index));
		mutex_unlock(&adev->ctrl_lock);
		drm_dev_exit(idx);
	} else {
		ret = -ENODEV;
	}
	ares_ctx_put(ctx);
	return ret;
}
