// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: sysfs, the stable per-device interface for monitoring tools.
 *
 * One attribute group named "ares" on the PCI function, so the files are
 * /sys/bus/pci/devices/<bdf>/ares/<name> and, through the accel class,
 * /sys/class/accel/accelN/device/ares/<name>. One value per file, in the
 * format docs/sysfs.md fixes; files are only ever added. Counters count
 * from bind and never go backwards, across device resets too.
 */

#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sched.h>
#include <linux/sysfs.h>

#include <drm/drm_drv.h>

#include "ares_drv.h"
#include "ares_fw.h"
#include "ares_hw.h"
#include "ares_sysfs.h"
#include "ares_uq.h"

static struct ares_device *ares_kdev_to_adev(struct device *kdev)
{
	return pci_get_drvdata(to_pci_dev(kdev));
}

static ssize_t ares_version_show(char *buf, u32 v)
{
	return sysfs_emit(buf, "%u.%u.%u\n", ARES_VERSION_MAJOR(v),
			  ARES_VERSION_MINOR(v), ARES_VERSION_PATCH(v));
}

static ssize_t hw_version_show(struct device *kdev,
			       struct device_attribute *attr, char *buf)
{
	return ares_version_show(buf, ares_kdev_to_adev(kdev)->hw_version);
}
static DEVICE_ATTR_RO(hw_version);

static ssize_t fw_version_show(struct device *kdev,
			       struct device_attribute *attr, char *buf)
{
	return ares_version_show(buf,
				 READ_ONCE(ares_kdev_to_adev(kdev)->fw_version));
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t fw_image_version_show(struct device *kdev,
				     struct device_attribute *attr, char *buf)
{
	return ares_version_show(buf,
				 ares_kdev_to_adev(kdev)->fw_image_version);
}
static DEVICE_ATTR_RO(fw_image_version);

static ssize_t fw_compat_show(struct device *kdev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u.%u %u.%u.%u\n",
			  ARES_VERSION_MAJOR(ARES_FW_COMPAT_MIN),
			  ARES_VERSION_MINOR(ARES_FW_COMPAT_MIN),
			  ARES_VERSION_PATCH(ARES_FW_COMPAT_MIN),
			  ARES_VERSION_MAJOR(ARES_FW_COMPAT_MAX),
			  ARES_VERSION_MINOR(ARES_FW_COMPAT_MAX),
			  ARES_VERSION_PATCH(ARES_FW_COMPAT_MAX));
}
static DEVICE_ATTR_RO(fw_compat);

static ssize_t state_show(struct device *kdev, struct device_attribute *attr,
			  char *buf)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(adev->dead) ? "dead" :
			  "running");
}
static DEVICE_ATTR_RO(state);

/* 1 while a reset is in progress: device plugins report the device unhealthy. */
static ssize_t recovering_show(struct device *kdev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(ares_kdev_to_adev(kdev)->recovering));
}
static DEVICE_ATTR_RO(recovering);

static ssize_t reset_count_show(struct device *kdev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&ares_kdev_to_adev(kdev)->reset_count));
}
static DEVICE_ATTR_RO(reset_count);

static ssize_t bo_mem_used_show(struct device *kdev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (s64)atomic64_read(&ares_kdev_to_adev(kdev)->bo_bytes));
}
static DEVICE_ATTR_RO(bo_mem_used);

static ssize_t bo_mem_limit_show(struct device *kdev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", ares_bo_mem_limit());
}
static DEVICE_ATTR_RO(bo_mem_limit);

static ssize_t heartbeat_timeouts_show(struct device *kdev,
				       struct device_attribute *attr,
				       char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&ares_kdev_to_adev(kdev)->hb_timeouts));
}
static DEVICE_ATTR_RO(heartbeat_timeouts);

/* Address-space slot counters (docs/sysfs.md), written under as_lock. */
static ssize_t ares_as_counter_show(struct ares_device *adev,
				    const u64 *counter, char *buf)
{
	u64 val;

	mutex_lock(&adev->as_lock);
	val = *counter;
	mutex_unlock(&adev->as_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t as_binds_show(struct device *kdev,
			     struct device_attribute *attr, char *buf)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);

	return ares_as_counter_show(adev, &adev->as_binds, buf);
}
static DEVICE_ATTR_RO(as_binds);

static ssize_t as_evictions_show(struct device *kdev,
				 struct device_attribute *attr, char *buf)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);

	return ares_as_counter_show(adev, &adev->as_evictions, buf);
}
static DEVICE_ATTR_RO(as_evictions);

static ssize_t as_waits_show(struct device *kdev,
			     struct device_attribute *attr, char *buf)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);

	return ares_as_counter_show(adev, &adev->as_waits, buf);
}
static DEVICE_ATTR_RO(as_waits);

/*
 * Writing 1 resets the device and returns once the recovery is over:
 * -EIO if the firmware did not come back. Bounded by the control-command
 * timeouts of RESET and BOOT. Root only (mode 0200), no fault_injection
 * needed: it is the operator's reset (accelctl reset).
 */
static ssize_t reset_store(struct device *kdev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);
	bool reset;
	int ret;

	ret = kstrtobool(buf, &reset);
	if (ret)
		return ret;
	if (!reset)
		return -EINVAL;
	if (drm_dev_is_unplugged(&adev->drm))
		return -ENODEV;
	drm_info(&adev->drm, "sysfs: reset requested by %s[%d]\n",
		 current->comm, task_pid_nr(current));
	ret = ares_reset_now(adev, "operator");
	if (ret)
		return ret == -ENODEV ? -ENODEV : -EIO;
	return count;
}
static DEVICE_ATTR_WO(reset);

/*
 * Sum of a per-queue driver counter and the user queues' (jobs submitted
 * either way are the device's work); @busy picks busy_ns over jobs.
 */
static u64 ares_queue_sum(struct ares_device *adev, bool busy)
{
	unsigned long flags;
	u64 sum, uq_busy, uq_jobs;
	int i;

	ares_uq_device_usage(adev, &uq_busy, &uq_jobs);
	sum = busy ? uq_busy : uq_jobs;
	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];

		spin_lock_irqsave(&q->lock, flags);
		sum += busy ? q->busy_ns : q->jobs_completed;
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return sum;
}

static ssize_t busy_ns_show(struct device *kdev,
			    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  ares_queue_sum(ares_kdev_to_adev(kdev), true));
}
static DEVICE_ATTR_RO(busy_ns);

static ssize_t jobs_completed_show(struct device *kdev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  ares_queue_sum(ares_kdev_to_adev(kdev), false));
}
static DEVICE_ATTR_RO(jobs_completed);

static ssize_t queue_busy_ns_show(struct device *kdev,
				  struct device_attribute *attr, char *buf)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);
	unsigned long flags;
	ssize_t len = 0;
	int i;

	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];
		u64 busy;

		spin_lock_irqsave(&q->lock, flags);
		busy = q->busy_ns;
		spin_unlock_irqrestore(&q->lock, flags);
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "", busy);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(queue_busy_ns);

/* PERF counter i since bind: totals before the last RESET + the register. */
static ssize_t ares_perf_show(struct device *kdev, char *buf, int i)
{
	struct ares_device *adev = ares_kdev_to_adev(kdev);
	u64 val;
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	mutex_lock(&adev->perf_lock);
	val = adev->perf_base[i] + ares_rd64(adev, ARES_REG_PERF_BASE + 8 * i);
	mutex_unlock(&adev->perf_lock);
	drm_dev_exit(idx);
	return sysfs_emit(buf, "%llu\n", val);
}

#define ARES_PERF_ATTR(name, reg)					\
static ssize_t name##_show(struct device *kdev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return ares_perf_show(kdev, buf,				\
			      ((reg) - ARES_REG_PERF_BASE) / 8);	\
}									\
static DEVICE_ATTR_RO(name)

ARES_PERF_ATTR(perf_jobs, ARES_REG_PERF_JOBS);
ARES_PERF_ATTR(perf_modeled_ns, ARES_REG_PERF_MODELED_NS);
ARES_PERF_ATTR(perf_tensor_busy_ns, ARES_REG_PERF_TENSOR_BUSY_NS);
ARES_PERF_ATTR(perf_vector_busy_ns, ARES_REG_PERF_VECTOR_BUSY_NS);
ARES_PERF_ATTR(perf_dma_busy_ns, ARES_REG_PERF_DMA_BUSY_NS);
ARES_PERF_ATTR(perf_macs, ARES_REG_PERF_MACS);
ARES_PERF_ATTR(perf_vector_ops, ARES_REG_PERF_VECTOR_OPS);
ARES_PERF_ATTR(perf_dma_bytes, ARES_REG_PERF_DMA_BYTES);
ARES_PERF_ATTR(perf_cmds, ARES_REG_PERF_CMDS);

static_assert((ARES_REG_PERF_CMDS - ARES_REG_PERF_BASE) / 8 ==
	      ARES_NUM_PERF - 1);

static struct attribute *ares_attrs[] = {
	&dev_attr_hw_version.attr,
	&dev_attr_fw_version.attr,
	&dev_attr_fw_image_version.attr,
	&dev_attr_fw_compat.attr,
	&dev_attr_state.attr,
	&dev_attr_recovering.attr,
	&dev_attr_reset_count.attr,
	&dev_attr_heartbeat_timeouts.attr,
	&dev_attr_as_binds.attr,
	&dev_attr_as_evictions.attr,
	&dev_attr_as_waits.attr,
	&dev_attr_reset.attr,
	&dev_attr_busy_ns.attr,
	&dev_attr_jobs_completed.attr,
	&dev_attr_queue_busy_ns.attr,
	&dev_attr_perf_jobs.attr,
	&dev_attr_perf_modeled_ns.attr,
	&dev_attr_perf_tensor_busy_ns.attr,
	&dev_attr_perf_vector_busy_ns.attr,
	&dev_attr_perf_dma_busy_ns.attr,
	&dev_attr_perf_macs.attr,
	&dev_attr_perf_vector_ops.attr,
	&dev_attr_perf_dma_bytes.attr,
	&dev_attr_perf_cmds.attr,
	&dev_attr_bo_mem_used.attr,
	&dev_attr_bo_mem_limit.attr,
	NULL,
};

static const struct attribute_group ares_attr_group = {
	.name = "ares",
	.attrs = ares_attrs,
};

/**
 * ares_sysfs_set_recovering() - publish the start or end of a recovery
 * @adev: device
 * @recovering: true when a recovery starts, false when it is over
 *
 * A reset can be over in tens of milliseconds, quicker than anyone polls:
 * readers poll() the attribute for POLLPRI and are woken at both edges.
 */
void ares_sysfs_set_recovering(struct ares_device *adev, bool recovering)
{
	WRITE_ONCE(adev->recovering, recovering);
	sysfs_notify(&adev->drm.dev->kobj, ares_attr_group.name, "recovering");
}

/**
 * ares_sysfs_init() - add the "ares" attribute group (removed by devres)
 * @adev: device
 *
 * Return: 0 or a negative errno.
 */
int ares_sysfs_init(struct ares_device *adev)
{
	return devm_device_add_group(adev->drm.dev, &ares_attr_group);
}
