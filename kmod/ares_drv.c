// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU DRM accel driver: PCI probe and remove, file open and close, the
 * ioctl table, QUERY and DEBUG.
 */

#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>

#include "ares_ctx.h"
#include "ares_debugfs.h"
#include "ares_drv.h"
#include "ares_fw.h"
#include "ares_gem.h"
#include "ares_hw.h"
#include "ares_job.h"
#include "ares_mmu.h"
#include "ares_queue.h"
#include "ares_sysfs.h"
#include "ares_uq.h"
#include "ares_usage.h"
#include "ares_xport.h"

#include "ares/mmu.h"
#include "uapi/drm/ares_accel.h"

unsigned int ares_job_timeout_ms = 2000;
module_param_named(job_timeout_ms, ares_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Job timeout in ms before the device is reset (0 = never, default 2000)");

bool ares_fault_injection;
module_param_named(fault_injection, ares_fault_injection, bool, 0644);
MODULE_PARM_DESC(fault_injection,
		 "Allow DRM_IOCTL_ARES_DEBUG fault injection (CAP_SYS_ADMIN only)");

unsigned int ares_heartbeat_ms = 2000;
module_param_named(heartbeat_ms, ares_heartbeat_ms, uint, 0644);
MODULE_PARM_DESC(heartbeat_ms,
		 "Firmware heartbeat check period in ms; 3 checks without progress reset the device (0 = off, default 2000)");

unsigned int ares_submit_wait_ms = 10000;
module_param_named(submit_wait_ms, ares_submit_wait_ms, uint, 0644);
MODULE_PARM_DESC(submit_wait_ms,
		 "Longest SUBMIT waits for room when its context has a ring's worth of jobs queued, then -ETIMEDOUT (default 10000)");

unsigned int ares_as_per_user = 1024;
module_param_named(as_per_user, ares_as_per_user, uint, 0644);
MODULE_PARM_DESC(as_per_user,
		 "Open files (address spaces) one user may hold per device; past it open() fails with EDQUOT (0 = no limit, default 1024)");

unsigned int ares_as_slots;
module_param_named(as_slots, ares_as_slots, uint, 0644);
MODULE_PARM_DESC(as_slots,
		 "Hardware address-space slots the driver binds, a test mode to exercise slot reclaim (0 = all the device has, default)");

/* Per-file bounds (docs/uapi.md, "Limits"); writable at runtime. */
unsigned int ares_max_contexts_per_file = 128;
module_param_named(max_contexts_per_file, ares_max_contexts_per_file, uint, 0644);
MODULE_PARM_DESC(max_contexts_per_file,
		 "Contexts one open file may have; CTX_CREATE past it fails with -EMFILE (default 128)");

unsigned int ares_max_uqs_per_file = 16;
module_param_named(max_uqs_per_file, ares_max_uqs_per_file, uint, 0644);
MODULE_PARM_DESC(max_uqs_per_file,
		 "User queues one open file may have (of the device's 64); UQ_CREATE past it fails with -EMFILE (default 16)");

unsigned int ares_max_bos_per_file = 16384;
module_param_named(max_bos_per_file, ares_max_bos_per_file, uint, 0644);
MODULE_PARM_DESC(max_bos_per_file,
		 "Buffer handles (created, userptr, imported) one open file may have; past it -EMFILE (default 16384)");

unsigned int ares_max_jobs_per_file = 2048;
module_param_named(max_jobs_per_file, ares_max_jobs_per_file, uint, 0644);
MODULE_PARM_DESC(max_jobs_per_file,
		 "Jobs one open file may have submitted and not finished; SUBMIT then waits as for a full context (default 2048)");

/*
 * Memory budgets of BO_CREATE buffers (their shmem pages are pinned, so
 * unreclaimable): 0 means a share of the RAM the kernel manages, a
 * quarter per file and half per device, which leaves a machine room to
 * work when every budget is used up.
 */
unsigned int ares_bo_mem_per_file_mb;
module_param_named(bo_mem_per_file_mb, ares_bo_mem_per_file_mb, uint, 0644);
MODULE_PARM_DESC(bo_mem_per_file_mb,
		 "MiB of BO_CREATE buffers one open file may hold; past it -ENOSPC (0 = 1/4 of RAM, the default)");

unsigned int ares_bo_mem_mb;
module_param_named(bo_mem_mb, ares_bo_mem_mb, uint, 0644);
MODULE_PARM_DESC(bo_mem_mb,
		 "MiB of BO_CREATE buffers all files of one device may hold; past it -ENOSPC (0 = 1/2 of RAM, the default)");

static u64 ares_ram_share(unsigned int mb, unsigned int div)
{
	if (mb)
		return (u64)mb << 20;
	return ((u64)totalram_pages() << PAGE_SHIFT) / div;
}

/**
 * ares_bo_mem_limit() - the device budget of BO_CREATE buffers, in bytes
 *
 * Return: bo_mem_mb MiB, or half of RAM when it is 0.
 */
u64 ares_bo_mem_limit(void)
{
	return ares_ram_share(READ_ONCE(ares_bo_mem_mb), 2);
}

/**
 * ares_bo_mem_file_limit() - the per-file budget of BO_CREATE buffers
 *
 * Return: bo_mem_per_file_mb MiB, or a quarter of RAM when it is 0.
 */
u64 ares_bo_mem_file_limit(void)
{
	return ares_ram_share(READ_ONCE(ares_bo_mem_per_file_mb), 4);
}

static int ares_open(struct drm_device *dev, struct drm_file *file)
{
	struct ares_device *adev = to_ares_device(dev);
	struct ares_file *afile;

	afile = kzalloc(sizeof(*afile), GFP_KERNEL_ACCOUNT);
	if (!afile)
		return -ENOMEM;
	afile->adev = adev;
	xa_init_flags(&afile->ctxs, XA_FLAGS_ALLOC1);
	afile->usage = ares_usage_create();
	if (!afile->usage) {
		kfree(afile);
		return -ENOMEM;
	}

	afile->as = ares_as_create(adev);
	if (IS_ERR(afile->as)) {
		int ret = PTR_ERR(afile->as);

		if (ret == -EDQUOT)
			drm_dbg_driver(dev, "open: user %u has as_per_user (%u) files open\n",
				       from_kuid(&init_user_ns, current_uid()),
				       READ_ONCE(ares_as_per_user));
		ares_usage_put(afile->usage);
		kfree(afile);
		return ret;
	}
	file->driver_priv = afile;
	return 0;
}

static void ares_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;

	ares_file_ctx_fini(afile);
	ares_as_put(afile->as);
	ares_usage_put(afile->usage);
	kfree(afile);
}

/* Engine names in fdinfo: one per priority level (docs/sysfs.md). */
static const char *const ares_engine_names[ARES_NUM_PRIORITIES] = {
	"low", "normal", "high", "realtime",
};

/*
 * drm-usage-stats (Documentation/gpu/drm-usage-stats.rst): the DRM core
 * prints drm-driver, drm-client-id and drm-pdev; this adds the device time
 * of the file's completed jobs per priority level and, through the core
 * helper, the memory of its buffers (all pinned, hence resident).
 */
static void ares_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	u64 busy[ARES_NUM_PRIORITIES] = {}, jobs[ARES_NUM_PRIORITIES] = {};
	int i;

	/* User queues count on the device until they stop: add those. */
	ares_uq_usage(file, busy, jobs);
	for (i = 0; i < ARES_NUM_PRIORITIES; i++)
		drm_printf(p, "drm-engine-%s:\t%llu ns\n", ares_engine_names[i],
			   (u64)atomic64_read(&afile->usage->busy_ns[i]) + busy[i]);
	for (i = 0; i < ARES_NUM_PRIORITIES; i++)
		drm_printf(p, "ares-jobs-%s:\t%llu\n", ares_engine_names[i],
			   (u64)atomic64_read(&afile->usage->jobs[i]) + jobs[i]);
	drm_show_memory_stats(p, file);
}

/* Size-probe protocol of struct drm_ares_query (see the uAPI header). */
static int ares_query_copy(struct drm_ares_query *args, const void *src,
			   u32 size)
{
	if (!args->size) {
		args->size = size;
		return 0;
	}
	if (args->size < size) {
		args->size = size;
		return -EINVAL;
	}
	if (copy_to_user(u64_to_user_ptr(args->data), src, size))
		return -EFAULT;
	args->size = size;
	return 0;
}

static int ares_query_device_info(struct ares_device *adev,
				  struct drm_ares_query *args)
{
	struct drm_ares_device_info info = {
		.hw_version = adev->hw_version,
		.fw_version = READ_ONCE(adev->fw_version),
		.fw_features = READ_ONCE(adev->fw_features),
		.caps = adev->caps,
		.num_queues = ARES_NUM_QUEUES,
		.max_address_spaces = adev->max_as,
		.va_bits = adev->va_bits,
		.num_priorities = ARES_NUM_PRIORITIES,
		.va_start = ARES_VA_START,
		.va_end = ARES_VA_END,
		.pci_vendor = adev->pdev->vendor,
		.pci_device = adev->pdev->device,
		.reset_count = atomic_read(&adev->reset_count),
	};

	return ares_query_copy(args, &info, sizeof(info));
}

static int ares_query_queue_info(struct ares_device *adev,
				 struct drm_ares_query *args)
{
	struct drm_ares_queue_info info[ARES_NUM_QUEUES] = {};
	unsigned long flags;
	int i;

	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];

		info[i].index = i;
		info[i].priority = q->priority;
		info[i].ring_entries = ARES_RING_ENTRIES;
		spin_lock_irqsave(&q->lock, flags);
		info[i].jobs_pending = q->num_pending;
		info[i].jobs_completed = q->jobs_completed;
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return ares_query_copy(args, info, sizeof(info));
}

/**
 * ares_ioctl_query() - DRM_IOCTL_ARES_QUERY: device identity or queue state
 * @dev: DRM device
 * @data: struct drm_ares_query
 * @file: calling file
 *
 * A size of 0 asks for the size of the result; a nonzero size smaller than
 * the result fails and still reports it.
 *
 * Return: 0, -EINVAL (unknown type, or size too small) or -EFAULT.
 */
static int ares_ioctl_query(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct ares_device *adev = to_ares_device(dev);
	struct drm_ares_query *args = data;

	switch (args->type) {
	case DRM_ARES_QUERY_DEVICE_INFO:
		return ares_query_device_info(adev, args);
	case DRM_ARES_QUERY_QUEUE_INFO:
		return ares_query_queue_info(adev, args);
	default:
		return -EINVAL;
	}
}

static int ares_debug_hw(struct ares_device *adev, struct drm_ares_debug *args)
{
	int idx;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;

	mutex_lock(&adev->ctrl_lock);
	if (args->op == DRM_ARES_DEBUG_HANG_QUEUE)
		ares_wr32(adev, ARES_REG_DBG_HANG_QUEUES,
			  ares_rd32(adev, ARES_REG_DBG_HANG_QUEUES) |
			  BIT(args->arg));
	else
		ares_wr32(adev, ARES_REG_DBG_FW_CRASH, 1);
	mutex_unlock(&adev->ctrl_lock);

	drm_dev_exit(idx);
	return 0;
}

/**
 * ares_ioctl_debug() - DRM_IOCTL_ARES_DEBUG: fault injection for tests
 * @dev: DRM device
 * @data: struct drm_ares_debug
 * @file: calling file
 *
 * Hangs a hardware queue, crashes the firmware, or resets the device and
 * waits for the recovery. Needs fault_injection=1 and CAP_SYS_ADMIN.
 *
 * Return: 0, -EPERM, -EINVAL (flags, op or arg), -EOPNOTSUPP (the device
 * has no fault injection), -ENODEV (unplugged) or -EIO (the reset failed).
 */
static int ares_ioctl_debug(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct ares_device *adev = to_ares_device(dev);
	struct drm_ares_debug *args = data;
	int ret;

	if (!READ_ONCE(ares_fault_injection) || !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (args->flags)
		return -EINVAL;
	if (!(adev->caps & ARES_CAP_FAULT_INJECT))
		return -EOPNOTSUPP;

	switch (args->op) {
	case DRM_ARES_DEBUG_HANG_QUEUE:
		if (args->arg >= ARES_NUM_QUEUES)
			return -EINVAL;
		drm_info(dev, "debug: hanging hardware queue %llu\n", args->arg);
		return ares_debug_hw(adev, args);
	case DRM_ARES_DEBUG_CRASH_FW:
		if (args->arg)
			return -EINVAL;
		drm_info(dev, "debug: crashing the firmware\n");
		return ares_debug_hw(adev, args);
	case DRM_ARES_DEBUG_HANG_UQ:
		if (args->arg > U32_MAX)
			return -EINVAL;
		return ares_uq_debug_hang(file->driver_priv, args->arg);
	case DRM_ARES_DEBUG_RESET:
		if (args->arg)
			return -EINVAL;
		drm_info(dev, "debug: resetting the device\n");
		ret = ares_reset_now(adev, "debug");
		if (ret)
			return ret == -ENODEV ? -ENODEV : -EIO;
		return 0;
	default:
		return -EINVAL;
	}
}

#define ARES_IOCTL(n, func) \
	DRM_IOCTL_DEF_DRV(ARES_##n, ares_ioctl_##func, 0)

static const struct drm_ioctl_desc ares_ioctls[] = {
	ARES_IOCTL(QUERY, query),
	ARES_IOCTL(BO_CREATE, bo_create),
	ARES_IOCTL(BO_INFO, bo_info),
	ARES_IOCTL(CTX_CREATE, ctx_create),
	ARES_IOCTL(CTX_DESTROY, ctx_destroy),
	ARES_IOCTL(SUBMIT, submit),
	ARES_IOCTL(BO_WAIT, bo_wait),
	ARES_IOCTL(DEBUG, debug),
	ARES_IOCTL(BO_USERPTR, bo_userptr),
	ARES_IOCTL(SUBMIT_BATCH, submit_batch),
	ARES_IOCTL(UQ_CREATE, uq_create),
	ARES_IOCTL(UQ_WAKE, uq_wake),
	ARES_IOCTL(UQ_WAIT, uq_wait),
};

/*
 * The DRM core ioctls an accel file may use. Everything else in the core
 * table is for KMS, legacy or master/authentication handling, which an
 * accel file (no master, no modesetting) has no use for; some of it even
 * dereferences the missing master (GET_UNIQUE and GET_MAGIC oops 6.12).
 * GEM_FLINK/GEM_OPEN are refused on purpose: global names would let any
 * other file open and map a buffer; PRIME fds are the sharing mechanism.
 */
static bool ares_core_ioctl_allowed(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
		return true;
	default:
		return false;
	}
}

/*
 * Driver ioctls (DRM_COMMAND_BASE..END) go to drm_ioctl(), which checks
 * them against ares_ioctls[]; core ioctls only if allow-listed above, else
 * -ENOTTY (no such ioctl on this device). Ioctls of other types are left
 * to drm_ioctl(), which refuses them with -ENOTTY too.
 */
static bool ares_ioctl_allowed(struct file *filp, unsigned int cmd)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);
	struct drm_file *file = filp->private_data;

	if (DRM_IOCTL_TYPE(cmd) != DRM_IOCTL_BASE ||
	    (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END) ||
	    ares_core_ioctl_allowed(nr))
		return true;
	drm_dbg_driver(file->minor->dev,
		       "comm=\"%s\" pid=%d: DRM core ioctl nr 0x%02x refused\n",
		       current->comm, task_pid_nr(current), nr);
	return false;
}

static long ares_unlocked_ioctl(struct file *filp, unsigned int cmd,
				unsigned long arg)
{
	if (!ares_ioctl_allowed(filp, cmd))
		return -ENOTTY;
	return drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long ares_compat_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	if (!ares_ioctl_allowed(filp, cmd))
		return -ENOTTY;
	return drm_compat_ioctl(filp, cmd, arg);
}
#endif

/*
 * User-queue offsets (below 4 GiB) go to the user queues, the rest to GEM,
 * whose fake offsets start at 4 GiB.
 */
static int ares_mmap(struct file *filp, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;

	if (off >= ARES_UQ_MMAP_BASE && off < ARES_UQ_MMAP_END)
		return ares_uq_mmap(filp, vma);
	return drm_gem_mmap(filp, vma);
}

/* DRM_ACCEL_FOPS, with the ioctl entry points filtered. */
static const struct file_operations ares_accel_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = ares_unlocked_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = ares_compat_ioctl,
#endif
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = ares_mmap,
	.fop_flags = FOP_UNSIGNED_OFFSET,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver ares_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ,
	.open = ares_open,
	.postclose = ares_postclose,
	.gem_create_object = ares_gem_create_object,
	.gem_prime_import = ares_gem_prime_import,
	.ioctls = ares_ioctls,
	.num_ioctls = ARRAY_SIZE(ares_ioctls),
	.fops = &ares_accel_fops,
	.show_fdinfo = ares_show_fdinfo,
	.name = ARES_DRIVER_NAME,
	.desc = ARES_DRIVER_DESC,
	.major = 1,
	.minor = 0,
	.patchlevel = 0,
};

static int ares_read_identity(struct ares_device *adev)
{
	u32 num_queues, num_vectors, max_as;

	adev->hw_version = ares_rd32(adev, ARES_REG_HW_VERSION);
	adev->caps = ares_rd32(adev, ARES_REG_CAPS);
	adev->va_bits = ares_rd32(adev, ARES_REG_VA_BITS);
	adev->db_peer = ares_rd32(adev, ARES_REG_DB_PEER);
	num_queues = ares_rd32(adev, ARES_REG_NUM_QUEUES);
	num_vectors = ares_rd32(adev, ARES_REG_NUM_VECTORS);
	max_as = ares_rd32(adev, ARES_REG_MAX_AS);

	if (ARES_VERSION_MAJOR(adev->hw_version) != 1) {
		drm_err(&adev->drm, "unsupported hardware version 0x%06x (need 1.x)\n",
			adev->hw_version);
		return -ENODEV;
	}
	if (num_queues != ARES_NUM_QUEUES || num_vectors != ARES_NUM_VECTORS) {
		drm_err(&adev->drm, "device reports %u queues and %u vectors, expected %u and %u\n",
			num_queues, num_vectors, ARES_NUM_QUEUES,
			ARES_NUM_VECTORS);
		return -ENODEV;
	}
	if (!max_as || adev->va_bits < ARES_VA_BITS) {
		drm_err(&adev->drm, "device reports %u address spaces and %u VA bits\n",
			max_as, adev->va_bits);
		return -ENODEV;
	}
	adev->max_as = min_t(u32, max_as, ARES_MAX_AS);
	return 0;
}

static void ares_destroy_wq(struct drm_device *drm, void *arg)
{
	destroy_workqueue(arg);
}

static void ares_destroy_as_state(struct drm_device *drm, void *arg)
{
	struct ares_device *adev = arg;

	ares_as_fini(adev);
	xa_destroy(&adev->as_users);
}

static int ares_init_irqs(struct ares_device *adev)
{
	struct pci_dev *pdev = adev->pdev;
	int ret, i;

	/* ivshmem-doorbell has no INTx: MSI-X, one vector per doorbell. */
	ret = pci_alloc_irq_vectors(pdev, ARES_NUM_VECTORS, ARES_NUM_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		drm_err(&adev->drm, "cannot allocate %d MSI-X vectors: %d\n",
			ARES_NUM_VECTORS, ret);
		return ret;
	}

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, ARES_VEC_CTRL),
			       ares_irq_ctrl, 0, "ares-ctrl", adev);
	if (ret)
		return ret;
	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, ARES_VEC_FAULT),
			       ares_irq_fault, 0, "ares-fault", adev);
	if (ret)
		return ret;
	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];

		ret = devm_request_irq(&pdev->dev,
				       pci_irq_vector(pdev, ARES_VEC_QUEUE(i)),
				       ares_queue_irq, 0, q->name, q);
		if (ret)
			return ret;
	}
	return ares_uq_request_irq(adev);
}

/* Enables @pdev and maps its register file if it carries our signature. */
static void __iomem *ares_probe_regs(struct pci_dev *pdev)
{
	void __iomem *regs;
	u32 signature;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return IOMEM_ERR_PTR(ret);

	if (pci_resource_len(pdev, ARES_BAR_REGS) < ARES_BAR2_SIZE)
		return IOMEM_ERR_PTR(-ENODEV);
	regs = pcim_iomap_region(pdev, ARES_BAR_REGS, ARES_DRIVER_NAME);
	if (IS_ERR(regs))
		return regs;

	signature = readl(regs + ARES_REG_SIGNATURE);
	if (signature != ARES_SIGNATURE) {
		/* Other ivshmem users share these IDs: not ours, stay quiet. */
		if (pdev->vendor != ARES_IVSHMEM_VENDOR_ID)
			dev_err(&pdev->dev, "bad register signature 0x%08x\n",
				signature);
		return IOMEM_ERR_PTR(-ENODEV);
	}
	return regs;
}

/* The device's locks, lists and workqueue, all drm-managed. */
static int ares_init_state(struct ares_device *adev)
{
	int ret;

	ret = drmm_mutex_init(&adev->drm, &adev->ctrl_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&adev->drm, &adev->as_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&adev->drm, &adev->perf_lock);
	if (ret)
		return ret;
	init_waitqueue_head(&adev->ctrl_wq);
	INIT_LIST_HEAD(&adev->as_lru);
	spin_lock_init(&adev->as_free_lock);
	INIT_LIST_HEAD(&adev->as_waiters);
	adev->as_free_context = dma_fence_context_alloc(1);
	xa_init(&adev->as_users);
	ret = drmm_add_action_or_reset(&adev->drm, ares_destroy_as_state,
				       adev);
	if (ret)
		return ret;
	ratelimit_state_init(&adev->fault_rs, 5 * HZ, 10);
	INIT_WORK(&adev->reset_work, ares_reset_work);
	ret = ares_uq_init(adev);
	if (ret)
		return ret;

	adev->reset_wq = alloc_ordered_workqueue("ares-reset", 0);
	if (!adev->reset_wq)
		return -ENOMEM;
	return drmm_add_action_or_reset(&adev->drm, ares_destroy_wq,
					adev->reset_wq);
}

static int ares_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ares_device *adev;
	void __iomem *regs;
	int ret;

	regs = ares_probe_regs(pdev);
	if (IS_ERR(regs))
		return PTR_ERR(regs);

	adev = devm_drm_dev_alloc(&pdev->dev, &ares_drm_driver,
				  struct ares_device, drm);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	adev->pdev = pdev;
	adev->regs = regs;
	pci_set_drvdata(pdev, adev);

	adev->db = pcim_iomap_region(pdev, ARES_BAR_DOORBELL, ARES_DRIVER_NAME);
	if (IS_ERR(adev->db))
		return PTR_ERR(adev->db);

	/* Without bus mastering MSI-X writes are silently dropped. */
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	ret = ares_read_identity(adev);
	if (ret)
		return ret;
	ret = ares_init_state(adev);
	if (ret)
		return ret;

	ret = ares_queues_init(adev);
	if (!ret)
		ret = ares_xport_init(adev);
	if (ret)
		return ret;

	ret = ares_init_irqs(adev);
	if (ret)
		return ret;

	ret = ares_fw_load(adev);
	if (ret)
		return ret;

	ret = ares_hw_start(adev);
	if (ret) {
		drm_err(&adev->drm, "device bring-up failed: %d\n", ret);
		goto err_stop;
	}

	ret = ares_sysfs_init(adev);
	if (ret)
		goto err_stop;
	ares_debugfs_init(adev);
	ret = drm_dev_register(&adev->drm, 0);
	if (ret)
		goto err_stop;
	WRITE_ONCE(adev->recovery_enabled, true);
	ares_hb_start(adev);

	drm_info(&adev->drm, "Ares NPU %u.%u.%u, firmware %u.%u.%u, %u queues, %u address spaces\n",
		 ARES_VERSION_MAJOR(adev->hw_version),
		 ARES_VERSION_MINOR(adev->hw_version),
		 ARES_VERSION_PATCH(adev->hw_version),
		 ARES_VERSION_MAJOR(adev->fw_version),
		 ARES_VERSION_MINOR(adev->fw_version),
		 ARES_VERSION_PATCH(adev->fw_version),
		 ARES_NUM_QUEUES, adev->max_as);
	return 0;

err_stop:
	ares_hw_stop(adev);
	return ret;
}

static void ares_remove(struct pci_dev *pdev)
{
	struct ares_device *adev = pci_get_drvdata(pdev);

	WRITE_ONCE(adev->recovery_enabled, false);
	drm_dev_unplug(&adev->drm);
	ares_hb_stop(adev);
	cancel_work_sync(&adev->reset_work);
	ares_uq_unplug(adev);
	/* Stop the firmware and every queue; IRQs are freed by devres. */
	ares_hw_stop(adev);
}

static const struct pci_device_id ares_pci_ids[] = {
	{ PCI_DEVICE(ARES_PCI_VENDOR_ID, ARES_PCI_DEVICE_ID_V1) },
	/* Emulated device: bound only when BAR2 holds ARES_SIGNATURE. */
	{ PCI_DEVICE(ARES_IVSHMEM_VENDOR_ID, ARES_IVSHMEM_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ares_pci_ids);

static struct pci_driver ares_pci_driver = {
	.name = ARES_DRIVER_NAME,
	.id_table = ares_pci_ids,
	.probe = ares_probe,
	.remove = ares_remove,
};
module_pci_driver(ares_pci_driver);

MODULE_AUTHOR("Ares driver authors");
MODULE_DESCRIPTION("Ares NPU DRM accel driver");
MODULE_LICENSE("Dual MIT/GPL");
