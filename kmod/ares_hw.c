// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: doorbells, control commands, the control and fault interrupts,
 * device reset and recovery.
 *
 * Recovery model: every timeout handler of the eight schedulers and the
 * recovery work run on one ordered workqueue (adev->reset_wq), so at most
 * one recovery runs at a time and none runs concurrently with a timeout
 * handler. A recovery stops all schedulers, resets the device (which loses
 * every job in flight), re-programs the address spaces and queues, reboots
 * the firmware from the kept image, then resubmits the innocent jobs.
 */

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>

#include <drm/drm_drv.h>

#include "ares_drv.h"
#include "ares_dump.h"
#include "ares_fw.h"
#include "ares_hw.h"
#include "ares_job.h"
#include "ares_mmu.h"
#include "ares_sysfs.h"
#include "ares_queue.h"
#include "ares_trace.h"
#include "ares_uq.h"

/* Control commands include BOOT, which waits for the firmware (slow TCG). */
#define ARES_CTRL_TIMEOUT_MS	5000
/* Re-check period while waiting for an ACK, in case its interrupt was lost. */
#define ARES_CTRL_POLL_MS	20

/**
 * ares_ring_doorbell() - raise one of the device's interrupt vectors
 * @adev: device
 * @vector: ARES_VEC_* the device's side serves (control, queue)
 *
 * The ivshmem doorbell: the device learns of new control commands and
 * ring entries only through it.
 */
void ares_ring_doorbell(struct ares_device *adev, u32 vector)
{
	writel(ARES_DOORBELL_VALUE(adev->db_peer, vector),
	       adev->db + ARES_IVSHMEM_DOORBELL);
}

static const char *ares_ctrl_name(u32 cmd)
{
	switch (cmd) {
	case ARES_CTRL_RESET:
		return "RESET";
	case ARES_CTRL_BOOT:
		return "BOOT";
	case ARES_CTRL_TLB_INVALIDATE:
		return "TLB_INVALIDATE";
	default:
		return "unknown";
	}
}

/* Only the issuer of the command in flight polls for its ACK. */
static bool ares_ctrl_acked(struct ares_device *adev, u32 seq)
{
	lockdep_assert_held(&adev->ctrl_lock);
	return ares_rd32(adev, ARES_REG_CTRL_ACK) == seq;
}

/**
 * ares_ctrl_cmd() - run one control command and wait for its ACK
 * @adev: device
 * @cmd: ARES_CTRL_*
 * @arg0: CTRL_ARG0
 * @arg1: CTRL_ARG1
 * @result: out: CTRL_RESULT
 *
 * The caller must hold a drm_dev_enter() section or be the remove path.
 * Return: 0 when acknowledged (look at @result), -ETIMEDOUT otherwise.
 */
int ares_ctrl_cmd(struct ares_device *adev, u32 cmd, u64 arg0, u64 arg1,
		  u32 *result)
{
	unsigned long deadline;
	int ret = 0;
	u32 seq;

	mutex_lock(&adev->ctrl_lock);
	seq = ares_rd32(adev, ARES_REG_CTRL_SEQ) + 1;
	ares_wr64(adev, ARES_REG_CTRL_ARG0, arg0);
	ares_wr64(adev, ARES_REG_CTRL_ARG1, arg1);
	ares_wr32(adev, ARES_REG_CTRL_CMD, cmd);
	/* writel() orders the argument and command writes before CTRL_SEQ. */
	ares_wr32(adev, ARES_REG_CTRL_SEQ, seq);
	ares_ring_doorbell(adev, ARES_VEC_CTRL);

	deadline = jiffies + msecs_to_jiffies(ARES_CTRL_TIMEOUT_MS);
	while (!ares_ctrl_acked(adev, seq)) {
		if (time_after(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		wait_event_timeout(adev->ctrl_wq, ares_ctrl_acked(adev, seq),
				   msecs_to_jiffies(ARES_CTRL_POLL_MS));
	}
	/* The device writes CTRL_RESULT before CTRL_ACK; readl()s are ordered. */
	if (!ret)
		*result = ares_rd32(adev, ARES_REG_CTRL_RESULT);
	mutex_unlock(&adev->ctrl_lock);

	if (ret)
		drm_err(&adev->drm,
			"control command %s (seq %u) not acknowledged within %u ms\n",
			ares_ctrl_name(cmd), seq, ARES_CTRL_TIMEOUT_MS);
	return ret;
}

/**
 * ares_tlb_invalidate() - drop the device's cached translations
 * @adev: device
 * @asid: address space, or ARES_AS_ALL
 *
 * Return: 0, -ETIMEDOUT, or -EIO if the device refused the command.
 */
int ares_tlb_invalidate(struct ares_device *adev, u32 asid)
{
	u32 result;
	int ret;

	ret = ares_ctrl_cmd(adev, ARES_CTRL_TLB_INVALIDATE, asid, 0, &result);
	if (ret)
		return ret;
	if (result) {
		drm_err(&adev->drm, "TLB_INVALIDATE of address space %u failed: result %u\n",
			asid, result);
		return -EIO;
	}
	return 0;
}

/*
 * Adds the PERF registers to the totals kept across RESETs (@add), or takes
 * them back out after a RESET that did not happen.
 */
static void ares_perf_fold(struct ares_device *adev, bool add)
{
	int i;

	lockdep_assert_held(&adev->perf_lock);
	for (i = 0; i < ARES_NUM_PERF; i++) {
		u64 v = ares_rd64(adev, ARES_REG_PERF_BASE + 8 * i);

		if (add)
			adev->perf_base[i] += v;
		else
			adev->perf_base[i] -= v;
	}
}

static int ares_hw_reset(struct ares_device *adev)
{
	u32 result;
	int ret;

	/*
	 * RESET clears the PERF counters: fold them into the totals first,
	 * under perf_lock so a reader never sees them counted twice or lost.
	 */
	mutex_lock(&adev->perf_lock);
	ares_perf_fold(adev, true);
	ret = ares_ctrl_cmd(adev, ARES_CTRL_RESET, 0, 0, &result);
	/* The counters may survive a RESET that did not happen. */
	if (ret)
		ares_perf_fold(adev, false);
	mutex_unlock(&adev->perf_lock);
	if (ret)
		return ret;
	if (result) {
		drm_err(&adev->drm, "device RESET failed: result %u\n", result);
		return -EIO;
	}
	WRITE_ONCE(adev->fault_seen, ares_rd32(adev, ARES_REG_FAULT_COUNT));
	return 0;
}

/**
 * ares_hw_start() - reset the device and bring it up from scratch
 * @adev: device
 *
 * Resets the device, forgets every job that was on a ring (their hardware
 * fences signal with -ECANCELED; the caller resubmits them), programs the
 * open address spaces and the queues, and boots the kept firmware image.
 * The caller must hold a drm_dev_enter() section and have stopped the
 * schedulers (or not started them yet).
 *
 * Return: 0 or a negative errno.
 */
int ares_hw_start(struct ares_device *adev)
{
	int ret, i;

	/* Where each user queue stands, before RESET clears it. */
	ares_uq_snapshot(adev);
	ret = ares_hw_reset(adev);
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		ares_queue_drain(&adev->queues[i]);
	if (ret)
		return ret;

	for (i = 0; i < ARES_NUM_QUEUES; i++)
		ares_queue_hw_init(&adev->queues[i]);
	ares_as_restore_all(adev);
	ares_uq_hw_restore(adev);

	ret = ares_fw_boot(adev);
	if (ret)
		return ret;
	ares_uq_kick(adev);

	/* Report any queue the device refused (best effort: checked once). */
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		if (ares_rd32(adev, ARES_REG_Q(i, ARES_Q_STATUS)) &
		    ARES_Q_STATUS_BAD_CONFIG)
			drm_err(&adev->drm, "queue %d: device reports BAD_CONFIG\n",
				i);
	return 0;
}

/**
 * ares_hw_stop() - stop the device (remove path)
 * @adev: device
 */
void ares_hw_stop(struct ares_device *adev)
{
	int i;

	ares_hw_reset(adev);
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		ares_queue_drain(&adev->queues[i]);
}

/**
 * ares_irq_ctrl() - interrupt handler of the control vector
 * @irq: the interrupt
 * @arg: the device
 *
 * Wakes the issuer of the control command in flight; a STATUS.FATAL
 * firmware starts the recovery.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t ares_irq_ctrl(int irq, void *arg)
{
	struct ares_device *adev = arg;

	wake_up_all(&adev->ctrl_wq);
	if (READ_ONCE(adev->recovery_enabled) &&
	    (ares_rd32(adev, ARES_REG_STATUS) & ARES_STATUS_FATAL))
		queue_work(adev->reset_wq, &adev->reset_work);
	return IRQ_HANDLED;
}

static const char *ares_fault_reason_name(u32 reason)
{
	switch (reason) {
	case ARES_FAULT_UNMAPPED:
		return "unmapped";
	case ARES_FAULT_PERMISSION:
		return "permission";
	case ARES_FAULT_AS_INVALID:
		return "address space not enabled";
	case ARES_FAULT_VA_RANGE:
		return "VA out of range";
	case ARES_FAULT_BUS:
		return "bus error";
	default:
		return "unknown";
	}
}

/**
 * ares_irq_fault() - interrupt handler of the MMU-fault vector
 * @irq: the interrupt
 * @arg: the device
 *
 * Reports the device's fault record: an ares_fault trace event and a
 * rate-limited warning. The faulting job's completion record reports the
 * fault itself.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t ares_irq_fault(int irq, void *arg)
{
	struct ares_device *adev = arg;
	u32 count, asid, queue, access, reason, seen;
	int tries = 8;
	u64 va;

	/*
	 * The device writes the record, then bumps FAULT_COUNT: read the
	 * count, the record, and the count again, and retry if a new fault
	 * overwrote the record meanwhile.
	 */
	do {
		count = ares_rd32(adev, ARES_REG_FAULT_COUNT);
		asid = ares_rd32(adev, ARES_REG_FAULT_ASID);
		queue = ares_rd32(adev, ARES_REG_FAULT_QUEUE);
		access = ares_rd32(adev, ARES_REG_FAULT_ACCESS);
		va = ares_rd64(adev, ARES_REG_FAULT_VA);
		reason = ares_rd32(adev, ARES_REG_FAULT_REASON);
	} while (count != ares_rd32(adev, ARES_REG_FAULT_COUNT) && --tries);

	seen = READ_ONCE(adev->fault_seen);
	if (count == seen)
		return IRQ_HANDLED;
	WRITE_ONCE(adev->fault_seen, count);
	trace_ares_fault(dev_name(adev->drm.dev), asid, queue, va, access,
			 reason);

	drm_dbg_driver(&adev->drm,
		       "MMU fault #%u: address space %u, queue %u, %s at VA 0x%llx: %s\n",
		       count, asid, queue,
		       access == ARES_ACCESS_WRITE ? "write" : "read", va,
		       ares_fault_reason_name(reason));
	if (__ratelimit(&adev->fault_rs))
		drm_warn(&adev->drm,
			 "MMU fault: address space %u, queue %u, %s at VA 0x%llx: %s (%u earlier faults not reported)\n",
			 asid, queue,
			 access == ARES_ACCESS_WRITE ? "write" : "read", va,
			 ares_fault_reason_name(reason), count - seen - 1);
	return IRQ_HANDLED;
}

static void ares_reset_uevent(struct ares_device *adev, const char *reason,
			      int count, int result);

/**
 * ares_recover() - reset the device and resume the schedulers
 * @adev: device
 * @guilty: the job that timed out, or NULL (firmware crash, DEBUG reset)
 * @reason: why, for the log, the trace, the devcoredump and the uevent
 *
 * Runs only on adev->reset_wq. The guilty job fails with -ETIMEDOUT and its
 * context is banned; every other job that was on a ring runs again.
 */
void ares_recover(struct ares_device *adev, struct ares_job *guilty,
		  const char *reason)
{
	struct drm_sched_job *bad = guilty ? ares_job_sched_job(guilty) : NULL;
	struct ares_dump *dump;
	int ret, idx, i, count;

	ares_sysfs_set_recovering(adev, true);
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		drm_sched_stop(&adev->queues[i].sched, bad);

	if (guilty)
		ares_job_mark_guilty(guilty);

	/* The state that led here, before RESET wipes it. */
	dump = ares_dump_capture(adev, reason);

	if (drm_dev_enter(&adev->drm, &idx)) {
		ret = ares_hw_start(adev);
		drm_dev_exit(idx);
	} else {
		for (i = 0; i < ARES_NUM_QUEUES; i++)
			ares_queue_drain(&adev->queues[i]);
		ret = -ENODEV;
	}
	WRITE_ONCE(adev->dead, ret != 0);
	WRITE_ONCE(adev->reset_result, ret);
	/*
	 * reset_count is what userspace watches to know a recovery happened,
	 * so everything the recovery leaves behind must exist before it
	 * moves: a reader who sees the new count finds this devcoredump.
	 * Published after the count, a console message and the scheduler
	 * restart ran in between, and a reader found no dump (seen under TCG
	 * on 6.12.117 and .118).
	 */
	ares_dump_publish(adev, dump, ret);
	count = atomic_inc_return(&adev->reset_count);
	trace_ares_reset(dev_name(adev->drm.dev), reason, count, ret);

	if (ret)
		drm_err(&adev->drm,
			"recovery failed (%d): jobs fail with -EIO until a reset succeeds\n",
			ret);
	else
		drm_info(&adev->drm, "device reset #%d done, firmware rebooted\n",
			 atomic_read(&adev->reset_count));

	for (i = 0; i < ARES_NUM_QUEUES; i++)
		drm_sched_resubmit_jobs(&adev->queues[i].sched);
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		drm_sched_start(&adev->queues[i].sched);
	ares_sysfs_set_recovering(adev, false);

	ares_reset_uevent(adev, reason, count, ret);
}

/*
 * Tells udev listeners (monitoring, accelctl) that the device was reset,
 * on the accel node so that rules matching SUBSYSTEM=="accel" see it.
 */
static void ares_reset_uevent(struct ares_device *adev, const char *reason,
			      int count, int result)
{
	struct device *kdev = adev->drm.accel ? adev->drm.accel->kdev : NULL;
	char ev_event[] = "ARES_EVENT=reset";
	char ev_reason[64], ev_count[32], ev_result[32];
	char *envp[5];

	if (!kdev)
		return;
	envp[0] = ev_event;
	envp[1] = ev_reason;
	envp[2] = ev_count;
	envp[3] = ev_result;
	envp[4] = NULL;
	snprintf(ev_reason, sizeof(ev_reason), "ARES_RESET_REASON=%s", reason);
	snprintf(ev_count, sizeof(ev_count), "ARES_RESET_COUNT=%d", count);
	snprintf(ev_result, sizeof(ev_result), "ARES_RESET_RESULT=%d", result);
	kobject_uevent_env(&kdev->kobj, KOBJ_CHANGE, envp);
}

static const char *ares_fatal_name(u32 cause)
{
	switch (cause) {
	case ARES_FATAL_FW_CRASH:
		return "firmware crashed";
	case ARES_FATAL_FW_EXIT:
		return "firmware exited";
	case ARES_FATAL_FW_ASSERT:
		return "firmware assertion";
	case ARES_FATAL_CP_SANDBOX:
		return "firmware broke its sandbox";
	default:
		return "unknown cause";
	}
}

/**
 * ares_reset_work() - recovery requested outside a job timeout
 * @work: &ares_device.reset_work
 *
 * Runs on the ordered reset workqueue after a FATAL interrupt, or for a
 * DEBUG or sysfs reset (ares_reset_now()), so it never overlaps another
 * recovery.
 */
void ares_reset_work(struct work_struct *work)
{
	struct ares_device *adev = container_of(work, struct ares_device,
						reset_work);
	const char *reason = xchg(&adev->reset_forced, NULL);
	u32 status = 0, cause = 0;
	int idx;

	if (!reason) {
		/*
		 * A firmware that dies during the recovery's BOOT also raises
		 * FATAL: do not loop on it. Only a DEBUG reset retries then.
		 */
		if (READ_ONCE(adev->dead))
			return;
		if (!drm_dev_enter(&adev->drm, &idx))
			return;
		status = ares_rd32(adev, ARES_REG_STATUS);
		cause = ares_rd32(adev, ARES_REG_FATAL_CAUSE);
		drm_dev_exit(idx);
		if (!(status & ARES_STATUS_FATAL))
			return;
		drm_err(&adev->drm, "device fatal error: %s (cause %u); recovering\n",
			ares_fatal_name(cause), cause);
		reason = ares_fatal_name(cause);
	}
	ares_recover(adev, NULL, reason);
}

/**
 * ares_reset_now() - reset the device and wait for the recovery
 * @adev: device
 * @reason: static string naming who asked ("debug", "operator")
 *
 * Return: the recovery's result, or -ENODEV if the device is not (or no
 * longer) in service.
 */
int ares_reset_now(struct ares_device *adev, const char *reason)
{
	/* Not before probe finished bring-up, nor once remove began. */
	if (!READ_ONCE(adev->recovery_enabled))
		return -ENODEV;
	xchg(&adev->reset_forced, reason);
	queue_work(adev->reset_wq, &adev->reset_work);
	flush_work(&adev->reset_work);
	return READ_ONCE(adev->reset_result);
}

/* Checks per heartbeat_ms without progress before the firmware is dead. */
#define ARES_HB_STALE_LIMIT	3

static void ares_hb_arm(struct ares_device *adev)
{
	unsigned int ms = READ_ONCE(ares_heartbeat_ms);

	/* Period 0 disables the watchdog; writing a period re-enables it. */
	queue_delayed_work(adev->reset_wq, &adev->hb_work,
			   msecs_to_jiffies(ms ? ms : 1000));
}

/*
 * The heartbeat watchdog: a firmware that died while no job was pending is
 * otherwise only noticed by the next job's timeout. It runs on reset_wq,
 * between recoveries, never during one.
 */
static void ares_hb_work(struct work_struct *work)
{
	struct ares_device *adev = container_of(to_delayed_work(work),
						struct ares_device, hb_work);
	int resets = atomic_read(&adev->reset_count);
	u64 beat;
	u32 status;
	int idx;

	if (!READ_ONCE(ares_heartbeat_ms) || READ_ONCE(adev->dead) ||
	    !READ_ONCE(adev->recovery_enabled))
		goto rearm;
	if (!drm_dev_enter(&adev->drm, &idx))
		return;
	beat = ares_rd64(adev, ARES_REG_HEARTBEAT);
	status = ares_rd32(adev, ARES_REG_STATUS);
	drm_dev_exit(idx);

	if (resets != adev->hb_resets || beat != adev->hb_last) {
		adev->hb_stale = 0;
	} else if (status & ARES_STATUS_FATAL) {
		/*
		 * FATAL whose interrupt was lost: recover at the next check.
		 * Not at this one, which may have raced the interrupt's own
		 * recovery; that one moves reset_count and clears the count.
		 */
		adev->hb_stale = max(adev->hb_stale + 1, ARES_HB_STALE_LIMIT - 1);
	} else {
		adev->hb_stale++;
	}
	adev->hb_last = beat;
	adev->hb_resets = resets;

	if (adev->hb_stale >= ARES_HB_STALE_LIMIT) {
		drm_err(&adev->drm,
			"firmware heartbeat stopped at %llu (STATUS 0x%x, no progress for %u checks of %u ms); recovering\n",
			beat, status, adev->hb_stale,
			READ_ONCE(ares_heartbeat_ms));
		adev->hb_stale = 0;
		ares_recover(adev, NULL, "heartbeat");
		/* After the recovery: a reader seeing it also sees reset_count. */
		atomic_inc(&adev->hb_timeouts);
	}
rearm:
	ares_hb_arm(adev);
}

/**
 * ares_hb_start() - start the heartbeat watchdog (end of probe)
 * @adev: device
 */
void ares_hb_start(struct ares_device *adev)
{
	INIT_DELAYED_WORK(&adev->hb_work, ares_hb_work);
	adev->hb_resets = atomic_read(&adev->reset_count);
	ares_hb_arm(adev);
}

/**
 * ares_hb_stop() - stop the heartbeat watchdog (remove)
 * @adev: device
 */
void ares_hb_stop(struct ares_device *adev)
{
	cancel_delayed_work_sync(&adev->hb_work);
}
