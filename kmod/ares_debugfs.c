// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: debugfs, under /sys/kernel/debug/accel/<pci-id>/:
 *  status  - device status, firmware, heartbeat, resets, faults
 *  queues  - per hardware queue: registers and driver counters
 *  fw_log  - the firmware log ring, oldest byte first
 *  drop_irqs - (write, fault_injection=1 only) the device drops its next N
 *            interrupts, to exercise lost-interrupt handling
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>

#include "ares_debugfs.h"
#include "ares_drv.h"

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
	seq_puts(m, "queue prio contexts head tail status pending completed hw_seqno\n");
	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];
		u32 pending;
		u64 completed, seqno;

		spin_lock_irqsave(&q->lock, flags);
		pending = q->num_pending;
		completed = q->jobs_completed;
		seqno = q->hw_seqno;
		spin_unlock_irqrestore(&q->lock, flags);

		seq_printf(m, "%5d %4u %8d %4u %4u 0x%04x %7u %9llu %8llu\n",
			   i, q->priority, atomic_read(&q->num_ctx),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_HEAD)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_TAIL)),
			   ares_rd32(adev, ARES_REG_Q(i, ARES_Q_STATUS)),
			   pending, completed, seqno);
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

static const struct drm_debugfs_info ares_debugfs_list[] = {
	{ "status", ares_debugfs_status, 0 },
	{ "queues", ares_debugfs_queues, 0 },
	{ "fw_log", ares_debugfs_fw_log, 0 },
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
}
