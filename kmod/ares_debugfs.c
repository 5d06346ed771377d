// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: debugfs, under /sys/kernel/debug/accel/<pci-id>/:
 *  status  - device status, firmware, heartbeat, resets, faults
 *  queues  - per hardware queue: registers and driver counters
 *  fw_log  - the firmware log ring, oldest byte first
 *  regs    - control, firmware, fault, debug, perf and AS registers
 *  rings   - per queue: registers, driver state and every job on the ring
 *  contexts - per open file: client id, pid, address space, its contexts
 *            and the VA ranges mapped in it
 * Fault injection (write only, need fault_injection=1):
 *  drop_irqs  - the device drops its next N interrupts
 *  hang_queue - jobs started on hardware queue N never finish
 *  crash_fw   - the firmware crashes at its next heartbeat
 *  reset      - reset the device now; the write fails if recovery failed
 * Transport probe (read-write, only with transport_probe=1; ares_xport.c):
 *  transport  - write N: time N bare ring round trips; read: their figures
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>

#include "ares_ctx.h"
#include "ares_debugfs.h"
#include "ares_drv.h"
#include "ares_dump.h"
#include "ares_hw.h"
#include "ares_mmu.h"
#include "ares_uq.h"
#include "ares_xport.h"

static struct ares_device *ares_seq_to_adev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_ares_device(entry->dev);
}

static int ares_debugfs_status(struct seq_file *m, void *unused)
{
	struct ares_device *adev = ares_seq_to_adev(m);
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	seq_printf(m, "status:        0x%x\n", ares_rd32(adev, ARES_REG_STATUS));
	seq_printf(m, "fatal_cause:   %u\n", ares_rd32(adev, ARES_REG_FATAL_CAUSE));
	seq_printf(m, "boot_status:   0x%x\n", ares_rd32(adev, ARES_REG_BOOT_STATUS));
	seq_printf(m, "fw_version:    0x%06x\n", ares_rd32(adev, ARES_REG_FW_VERSION));
	seq_printf(m, "fw_features:   0x%x\n", ares_rd32(adev, ARES_REG_FW_FEATURES));
	seq_printf(m, "heartbeat:     %llu\n", ares_rd64(adev, ARES_REG_HEARTBEAT));
	seq_printf(m, "hw_resets:     %llu\n", ares_rd64(adev, ARES_REG_RESET_COUNT));
	seq_printf(m, "recoveries:    %d\n", atomic_read(&adev->reset_count));
	seq_printf(m, "fault_count:   %u\n", ares_rd32(adev, ARES_REG_FAULT_COUNT));
	seq_printf(m, "dead:          %d\n", READ_ONCE(adev->dead));
	drm_dev_exit(idx);
	return 0;
}

static int ares_debugfs_queues(struct seq_file *m, void *unused)
{
	struct ares_device *adev = ares_seq_to_adev(m);
	unsigned long flags;
	int idx, i;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	seq_puts(m, "queue prio contexts head tail status pending completed hw_seqno weight busy\n");
	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];
		u32 pending;
		u64 completed, seqno;
		int busy;

		spin_lock_irqsave(&q->lock, flags);
		busy = q->busy_ctx;
		pending = q->num_pending;
		completed = q->jobs_completed;
		seqno = q->hw_seqno;
		spin_unlock_irqrestore(&q->lock, flags);

		seq_printf(m, "%5d %4u %8d %4u %4u 0x%04x %7u %9llu %8llu %6u %4d\n",
			   i, q->priority, atomic_read(&q->num_ctx),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_HEAD)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_TAIL)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_STATUS)),
			   pending, completed, seqno,
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_WEIGHT)), busy);
	}
	drm_dev_exit(idx);
	return 0;
}

static int ares_debugfs_fw_log(struct seq_file *m, void *unused)
{
	const u64 ring = ARES_FW_LOG_SIZE - 64;
	struct ares_device *adev = ares_seq_to_adev(m);
	u64 pos, start;
	char buf[256];
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	pos = ares_rd64(adev, ARES_FW_LOG_WRITE_POS);
	start = pos > ring ? pos - ring : 0;
	while (start < pos) {
		u64 off = start % ring;
		size_t n = min3((u64)sizeof(buf), pos - start, ring - off);

		memcpy_fromio(buf, adev->regs + ARES_FW_LOG_DATA + off, n);
		seq_write(m, buf, n);
		start += n;
	}
	drm_dev_exit(idx);
	return 0;
}

static int ares_debugfs_regs(struct seq_file *m, void *unused)
{
	struct ares_device *adev = ares_seq_to_adev(m);
	struct drm_printer p = drm_seq_file_printer(m);
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	ares_dump_regs(adev, &p);
	drm_dev_exit(idx);
	return 0;
}

static int ares_debugfs_rings(struct seq_file *m, void *unused)
{
	struct ares_device *adev = ares_seq_to_adev(m);
	struct drm_printer p = drm_seq_file_printer(m);
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	ares_dump_queues(adev, &p);
	drm_dev_exit(idx);
	return 0;
}

static void ares_debugfs_file(struct seq_file *m, struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_as *as = afile->as;
	struct drm_mm_node *node;
	struct ares_ctx *ctx;
	unsigned long id;
	pid_t pid;

	rcu_read_lock();
	pid = pid_vnr(rcu_dereference(file->pid));
	rcu_read_unlock();
	/* The slot is a snapshot: -1 while the address space is unbound. */
	seq_printf(m, "client %llu pid %d asid %d\n", file->client_id, pid,
		   ares_as_slot(as));

	/* Contexts are torn down only after xa_erase(): the lock holds that. */
	xa_lock(&afile->ctxs);
	xa_for_each(&afile->ctxs, id, ctx) {
		if (ctx->uq) {
			/* A snapshot: state may change under us. */
			seq_printf(m, "  context %lu uid %llu user queue %u priority %u entries %u state %u\n",
				   id, ctx->uid, ctx->uq->index,
				   ctx->uq->priority, ctx->uq->entries,
				   READ_ONCE(ctx->uq->state));
			continue;
		}
		seq_printf(m, "  context %lu uid %llu queue %u priority %u seqno %llu%s\n",
			   id, ctx->uid, ctx->queue->index,
			   ctx->queue->priority, READ_ONCE(ctx->seqno),
			   READ_ONCE(ctx->banned) ? " banned" : "");
	}
	xa_unlock(&afile->ctxs);

	mutex_lock(&as->lock);
	drm_mm_for_each_node(node, &as->mm)
		seq_printf(m, "  map 0x%llx-0x%llx (%llu bytes with guard)\n",
			   node->start, node->start + node->size, node->size);
	mutex_unlock(&as->lock);
}

static int ares_debugfs_contexts(struct seq_file *m, void *unused)
{
	struct ares_device *adev = ares_seq_to_adev(m);
	struct drm_file *file;

	/* filelist_mutex keeps every listed file out of postclose. */
	mutex_lock(&adev->drm.filelist_mutex);
	list_for_each_entry(file, &adev->drm.filelist, lhead)
		ares_debugfs_file(m, file);
	mutex_unlock(&adev->drm.filelist_mutex);
	return 0;
}

static ssize_t ares_debugfs_drop_irqs_write(struct file *file,
					    const char __user *ubuf,
					    size_t count, loff_t *ppos)
{
	struct ares_device *adev = file->private_data;
	int ret, idx;
	u32 n;

	if (!READ_ONCE(ares_fault_injection))
		return -EPERM;
	ret = kstrtou32_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	mutex_lock(&adev->ctrl_lock);
	ares_wr32(adev, ARES_REG_DBG_DROP_IRQS, n);
	mutex_unlock(&adev->ctrl_lock);
	drm_dev_exit(idx);
	return count;
}

static const struct file_operations ares_debugfs_drop_irqs_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ares_debugfs_drop_irqs_write,
	.llseek = noop_llseek,
};

/* Sets @bits in a fault-injection register (cleared by the next RESET). */
static ssize_t ares_debugfs_inject(struct ares_device *adev, u32 reg,
				   u32 bits, size_t count)
{
	int idx;

	if (!(adev->caps & ARES_CAP_FAULT_INJECT))
		return -EOPNOTSUPP;
	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	mutex_lock(&adev->ctrl_lock);
	ares_wr32(adev, reg, ares_rd32(adev, reg) | bits);
	mutex_unlock(&adev->ctrl_lock);
	drm_dev_exit(idx);
	return count;
}

static ssize_t ares_debugfs_hang_queue_write(struct file *file,
					     const char __user *ubuf,
					     size_t count, loff_t *ppos)
{
	struct ares_device *adev = file->private_data;
	int ret;
	u32 q;

	if (!READ_ONCE(ares_fault_injection))
		return -EPERM;
	ret = kstrtou32_from_user(ubuf, count, 0, &q);
	if (ret)
		return ret;
	if (q >= ARES_NUM_QUEUES)
		return -EINVAL;
	drm_info(&adev->drm, "debugfs: hanging hardware queue %u\n", q);
	return ares_debugfs_inject(adev, ARES_REG_DBG_HANG_QUEUES, BIT(q),
				   count);
}

static ssize_t ares_debugfs_crash_fw_write(struct file *file,
					   const char __user *ubuf,
					   size_t count, loff_t *ppos)
{
	struct ares_device *adev = file->private_data;
	bool crash;
	int ret;

	if (!READ_ONCE(ares_fault_injection))
		return -EPERM;
	ret = kstrtobool_from_user(ubuf, count, &crash);
	if (ret)
		return ret;
	if (!crash)
		return count;
	drm_info(&adev->drm, "debugfs: crashing the firmware\n");
	return ares_debugfs_inject(adev, ARES_REG_DBG_FW_CRASH, 1, count);
}

static ssize_t ares_debugfs_reset_write(struct file *file,
					const char __user *ubuf, size_t count,
					loff_t *ppos)
{
	struct ares_device *adev = file->private_data;
	bool reset;
	int ret;

	if (!READ_ONCE(ares_fault_injection))
		return -EPERM;
	ret = kstrtobool_from_user(ubuf, count, &reset);
	if (ret)
		return ret;
	if (!reset)
		return count;
	if (drm_dev_is_unplugged(&adev->drm))
		return -ENODEV;
	drm_info(&adev->drm, "debugfs: resetting the device\n");
	ret = ares_reset_now(adev, "debug");
	if (ret)
		return ret == -ENODEV ? -ENODEV : -EIO;
	return count;
}

#define ARES_DEBUGFS_WO_FOPS(name)					\
static const struct file_operations ares_debugfs_##name##_fops = {	\
	.owner = THIS_MODULE,						\
	.open = simple_open,						\
	.write = ares_debugfs_##name##_write,				\
	.llseek = noop_llseek,						\
}

ARES_DEBUGFS_WO_FOPS(hang_queue);
ARES_DEBUGFS_WO_FOPS(crash_fw);
ARES_DEBUGFS_WO_FOPS(reset);

static const struct drm_debugfs_info ares_debugfs_list[] = {
	{ "status", ares_debugfs_status, 0 },
	{ "queues", ares_debugfs_queues, 0 },
	{ "fw_log", ares_debugfs_fw_log, 0 },
	{ "regs", ares_debugfs_regs, 0 },
	{ "rings", ares_debugfs_rings, 0 },
	{ "contexts", ares_debugfs_contexts, 0 },
};

/**
 * ares_debugfs_init() - register the debugfs files (before drm_dev_register)
 * @adev: device
 */
void ares_debugfs_init(struct ares_device *adev)
{
	drm_debugfs_add_files(&adev->drm, ares_debugfs_list,
			      ARRAY_SIZE(ares_debugfs_list));
	debugfs_create_file("drop_irqs", 0200, adev->drm.debugfs_root, adev,
			    &ares_debugfs_drop_irqs_fops);
	debugfs_create_file("hang_queue", 0200, adev->drm.debugfs_root, adev,
			    &ares_debugfs_hang_queue_fops);
	debugfs_create_file("crash_fw", 0200, adev->drm.debugfs_root, adev,
			    &ares_debugfs_crash_fw_fops);
	debugfs_create_file("reset", 0200, adev->drm.debugfs_root, adev,
			    &ares_debugfs_reset_fops);
	ares_xport_debugfs_init(adev);
}
