// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: device state as text.
 *
 * The same printers feed debugfs (regs, queues, fw_log) and the
 * devcoredump that every recovery leaves in /sys/class/devcoredump/: the
 * state is captured after the schedulers stopped and before RESET wipes
 * it, and published once the recovery is over, with its result. The
 * layout is described in docs/sysfs.md ("devcoredump").
 */

#include <linux/devcoredump.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "ares_ctx.h"
#include "ares_drv.h"
#include "ares_dump.h"
#include "ares_job.h"
#include "ares_mmu.h"

#include "ares/queue.h"

/* Room for the registers, the queues and the whole firmware log. */
#define ARES_DUMP_SIZE		(ARES_FW_LOG_SIZE + SZ_32K)
#define ARES_DUMP_FORMAT	1

struct ares_dump {
	/** @iter: where the printer writes, in @buf */
	struct drm_print_iterator iter;
	/** @buf: ARES_DUMP_SIZE bytes of text */
	char *buf;
};

static const struct {
	const char *name;
	u32 reg;
	bool wide;
} ares_dump_reg_list[] = {
	{ "SIGNATURE", ARES_REG_SIGNATURE, false },
	{ "HW_VERSION", ARES_REG_HW_VERSION, false },
	{ "CAPS", ARES_REG_CAPS, false },
	{ "STATUS", ARES_REG_STATUS, false },
	{ "FATAL_CAUSE", ARES_REG_FATAL_CAUSE, false },
	{ "RESET_COUNT", ARES_REG_RESET_COUNT, false },
	{ "CTRL_CMD", ARES_REG_CTRL_CMD, false },
	{ "CTRL_SEQ", ARES_REG_CTRL_SEQ, false },
	{ "CTRL_ACK", ARES_REG_CTRL_ACK, false },
	{ "CTRL_RESULT", ARES_REG_CTRL_RESULT, false },
	{ "BOOT_STATUS", ARES_REG_BOOT_STATUS, false },
	{ "FW_VERSION", ARES_REG_FW_VERSION, false },
	{ "FW_FEATURES", ARES_REG_FW_FEATURES, false },
	{ "HEARTBEAT", ARES_REG_HEARTBEAT, true },
	{ "FAULT_COUNT", ARES_REG_FAULT_COUNT, false },
	{ "FAULT_ASID", ARES_REG_FAULT_ASID, false },
	{ "FAULT_QUEUE", ARES_REG_FAULT_QUEUE, false },
	{ "FAULT_ACCESS", ARES_REG_FAULT_ACCESS, false },
	{ "FAULT_VA", ARES_REG_FAULT_VA, true },
	{ "FAULT_REASON", ARES_REG_FAULT_REASON, false },
	{ "DBG_HANG_QUEUES", ARES_REG_DBG_HANG_QUEUES, false },
	{ "DBG_FW_CRASH", ARES_REG_DBG_FW_CRASH, false },
	{ "DBG_DROP_IRQS", ARES_REG_DBG_DROP_IRQS, false },
	{ "PERF_JOBS", ARES_REG_PERF_JOBS, true },
	{ "PERF_MODELED_NS", ARES_REG_PERF_MODELED_NS, true },
	{ "PERF_TENSOR_BUSY_NS", ARES_REG_PERF_TENSOR_BUSY_NS, true },
	{ "PERF_VECTOR_BUSY_NS", ARES_REG_PERF_VECTOR_BUSY_NS, true },
	{ "PERF_DMA_BUSY_NS", ARES_REG_PERF_DMA_BUSY_NS, true },
	{ "PERF_MACS", ARES_REG_PERF_MACS, true },
	{ "PERF_VECTOR_OPS", ARES_REG_PERF_VECTOR_OPS, true },
	{ "PERF_DMA_BYTES", ARES_REG_PERF_DMA_BYTES, true },
	{ "PERF_CMDS", ARES_REG_PERF_CMDS, true },
};

/**
 * ares_dump_regs() - print the device's control, firmware, fault, debug
 * and performance registers, one "NAME 0xOFFSET 0xVALUE" line each
 * @adev: device, inside a drm_dev_enter() section
 * @p: printer
 */
void ares_dump_regs(struct ares_device *adev, struct drm_printer *p)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ares_dump_reg_list); i++) {
		u32 reg = ares_dump_reg_list[i].reg;

		if (ares_dump_reg_list[i].wide)
			drm_printf(p, "%-20s 0x%05x 0x%016llx\n",
				   ares_dump_reg_list[i].name, reg,
				   ares_rd64(adev, reg));
		else
			drm_printf(p, "%-20s 0x%05x 0x%08x\n",
				   ares_dump_reg_list[i].name, reg,
				   ares_rd32(adev, reg));
	}
	for (i = 0; i < adev->max_as; i++)
		drm_printf(p, "AS%-2d ROOT 0x%016llx CONFIG 0x%x\n", i,
			   ares_rd64(adev, ARES_REG_AS_ROOT(i)),
			   ares_rd32(adev, ARES_REG_AS_CONFIG(i)));
}

/**
 * ares_dump_queues() - print each queue's registers, driver counters and
 * the jobs on its ring
 * @adev: device, inside a drm_dev_enter() section
 * @p: printer
 */
void ares_dump_queues(struct ares_device *adev, struct drm_printer *p)
{
	unsigned long flags;
	int i;

	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];
		struct ares_queue_wb *wb = q->compl;
		struct ares_job *job;

		drm_printf(p, "queue %d: priority %u contexts %d done_seqno %llu\n",
			   i, q->priority, atomic_read(&q->num_ctx),
			   le64_to_cpu(READ_ONCE(wb->done_seqno)));
		drm_printf(p, "  HEAD %u TAIL %u STATUS 0x%x CONTROL 0x%x WEIGHT %u\n",
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_HEAD)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_TAIL)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_STATUS)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_CONTROL)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_WEIGHT)));
		spin_lock_irqsave(&q->lock, flags);
		drm_printf(p, "  tail %u hw_seqno %llu pending %u completed %llu busy_ns %llu\n",
			   q->tail, q->hw_seqno, q->num_pending,
			   q->jobs_completed, q->busy_ns);
		list_for_each_entry(job, &q->pending, link)
			drm_printf(p,
				   "  job %llu slot %u ctx %llu seqno %llu as %d cmd %llx+%u entries %u/%u\n",
				   job->hw_seqno,
				   job->entries[job->nentries - 1].slot,
				   job->ctx->uid, job->seqno,
				   ares_as_slot(job->as),
				   job->entries[0].cmd_va,
				   job->entries[0].cmd_size,
				   job->entries_done, job->nentries);
		spin_unlock_irqrestore(&q->lock, flags);
	}
}

/**
 * ares_dump_fw_log() - print the firmware log ring, oldest byte first
 * @adev: device, inside a drm_dev_enter() section
 * @p: printer
 * @max_bytes: print at most the newest @max_bytes
 */
void ares_dump_fw_log(struct ares_device *adev, struct drm_printer *p,
		      u64 max_bytes)
{
	const u64 ring = ARES_FW_LOG_SIZE - 64;
	u64 pos, start;
	char buf[257];

	pos = ares_rd64(adev, ARES_FW_LOG_WRITE_POS);
	start = pos - min3(pos, ring, max_bytes);
	while (start < pos) {
		u64 off = start % ring;
		size_t n = min3((u64)sizeof(buf) - 1, pos - start, ring - off);

		memcpy_fromio(buf, adev->regs + ARES_FW_LOG_DATA + off, n);
		buf[n] = '\0';
		drm_puts(p, buf);
		start += n;
	}
}

/**
 * ares_dump_capture() - record the device state before a recovery
 * @adev: device
 * @reason: why the device is being reset
 *
 * Return: the capture, or NULL (no memory, device gone): no devcoredump.
 */
struct ares_dump *ares_dump_capture(struct ares_device *adev,
				    const char *reason)
{
	struct ares_dump *dump;
	struct drm_printer p;
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return NULL;
	dump = kzalloc(sizeof(*dump), GFP_KERNEL);
	if (dump)
		dump->buf = vmalloc(ARES_DUMP_SIZE);
	if (!dump || !dump->buf) {
		kfree(dump);
		drm_dev_exit(idx);
		return NULL;
	}
	dump->iter.data = dump->buf;
	dump->iter.start = 0;
	/* One byte short: the printer never writes a terminator. */
	dump->iter.remain = ARES_DUMP_SIZE - 1;
	p = drm_coredump_printer(&dump->iter);

	drm_printf(&p, "ares devcoredump format %d\n", ARES_DUMP_FORMAT);
	drm_printf(&p, "device: %s\n", dev_name(adev->drm.dev));
	drm_printf(&p, "kernel: %s\n", init_utsname()->release);
	drm_printf(&p, "reason: %s\n", reason);
	drm_printf(&p, "time_ns: %lld\n", ktime_get_real_ns());
	drm_printf(&p, "reset_count: %d\n", atomic_read(&adev->reset_count));
	drm_printf(&p, "hw_version: %u.%u.%u\n",
		   ARES_VERSION_MAJOR(adev->hw_version),
		   ARES_VERSION_MINOR(adev->hw_version),
		   ARES_VERSION_PATCH(adev->hw_version));
	drm_printf(&p, "fw_version: %u.%u.%u\n",
		   ARES_VERSION_MAJOR(adev->fw_version),
		   ARES_VERSION_MINOR(adev->fw_version),
		   ARES_VERSION_PATCH(adev->fw_version));
	drm_puts(&p, "\n[registers]\n");
	ares_dump_regs(adev, &p);
	drm_puts(&p, "\n[queues]\n");
	ares_dump_queues(adev, &p);
	drm_puts(&p, "\n[fw_log]\n");
	ares_dump_fw_log(adev, &p, ARES_FW_LOG_SIZE);
	drm_dev_exit(idx);
	return dump;
}

/**
 * ares_dump_publish() - hand a capture to devcoredump
 * @adev: device
 * @dump: from ares_dump_capture(), or NULL; consumed
 * @result: the recovery's result
 */
void ares_dump_publish(struct ares_device *adev, struct ares_dump *dump,
		       int result)
{
	size_t len;

	if (!dump)
		return;
	/* Not through a new printer: drm_coredump_printer() rewinds @iter. */
	len = min_t(size_t, dump->iter.offset, ARES_DUMP_SIZE - 1);
	len += scnprintf(dump->buf + len, ARES_DUMP_SIZE - len,
			 "\n[recovery]\nresult: %d\n", result);
	/* devcoredump owns the buffer from here and vfree()s it. */
	dev_coredumpv(adev->drm.dev, dump->buf, len, GFP_KERNEL);
	kfree(dump);
}
