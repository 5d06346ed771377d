/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: user-mode queues (hw-spec §15), each one a context of its file.
 */
#ifndef __ARES_UQ_H__
#define __ARES_UQ_H__

#include <linux/list.h>
#include <linux/types.h>
#include <linux/wait.h>

struct ares_as;
struct ares_ctx;
struct ares_device;
struct ares_file;
struct ares_usage;
struct drm_device;
struct drm_file;
struct drm_printer;
struct file;
struct vm_area_struct;

/*
 * mmap offsets of user queue n: a 4 MiB window per queue from 1 GiB up, the
 * ring at its start, the completion area 1 MiB in, the doorbell page 2 MiB
 * in. GEM's fake offsets start at 4 GiB (DRM_FILE_PAGE_OFFSET_START), so
 * the two never collide.
 */
#define ARES_UQ_MMAP_BASE	0x40000000ull
#define ARES_UQ_MMAP_STRIDE	0x400000ull
#define ARES_UQ_MMAP_RING	0x000000ull
#define ARES_UQ_MMAP_COMPL	0x100000ull
#define ARES_UQ_MMAP_DB		0x200000ull
#define ARES_UQ_MMAP_END	(ARES_UQ_MMAP_BASE + ARES_NUM_UQ * ARES_UQ_MMAP_STRIDE)

/**
 * struct ares_uq - one user queue: the context's hardware queue, its ring
 * and completion area, and the state the driver keeps for it
 *
 * Owned by its context (struct ares_ctx.uq): freed with the context's last
 * reference, so a waiter holding the context can still look at it after
 * the queue was torn down.
 */
struct ares_uq {
	/** @adev: the device */
	struct ares_device *adev;
	/** @file: the owning file, the only one that may map the queue */
	struct drm_file *file;
	/** @as: the owner's address space, pinned to @asid while live */
	struct ares_as *as;
	/** @usage: the owner's usage counters (fdinfo) */
	struct ares_usage *usage;
	/** @index: user queue number, 0..ARES_NUM_UQ-1 */
	u32 index;
	/** @priority: enum drm_ares_priority */
	u32 priority;
	/** @entries: ring entries */
	u32 entries;
	/** @asid: hardware address-space slot its jobs must name */
	u32 asid;
	/** @ring: the ring, ring_size bytes, mapped into the owner */
	void *ring;
	/** @ring_dma: bus address of @ring */
	dma_addr_t ring_dma;
	/** @ring_size: bytes of @ring, page aligned */
	size_t ring_size;
	/** @compl: completion area, compl_size bytes */
	void *compl;
	/** @compl_dma: bus address of @compl */
	dma_addr_t compl_dma;
	/** @compl_size: bytes of @compl, page aligned */
	size_t compl_size;
	/** @as_link: in the address space's list of user queues; uq_lock */
	struct list_head as_link;
	/** @wq: woken by the ARES_VEC_UQ interrupt and by state changes */
	wait_queue_head_t wq;

	/* The rest is under adev->uq_hw_lock. */
	/** @state: enum drm_ares_uq_state */
	u32 state;
	/** @error: ARES_UQ_ERR_* once @state is not ACTIVE */
	u32 error;
	/** @live: in adev->uqs[], registers programmed; false once torn down */
	bool live;
	/** @enabled: CONTROL.ENABLE is set */
	bool enabled;
	/** @irq_armed: CONTROL.IRQ is set */
	bool irq_armed;
	/** @resetting: between ares_uq_snapshot() and ares_uq_hw_restore() */
	bool resetting;
	/** @last_head: HEAD at the last look (the snapshot while resetting) */
	u32 last_head;
	/** @gone: torn down or unplugged: waits fail */
	int gone;
	/** @suspended: stopped around an unmap; a reset leaves it disabled */
	bool suspended;
	/** @counting: JOBS and BUSY_NS count since the last enable */
	bool counting;
	/** @waiters: struct ares_uq_waiter, blocking UQ_WAITs */
	struct list_head waiters;
	/** @fences: struct ares_uq_fence not yet signalled */
	struct list_head fences;
	/** @wd_head: HEAD at the watchdog's last look */
	u32 wd_head;
	/** @wd_since: jiffies since which HEAD stays @wd_head while RUNNING */
	unsigned long wd_since;
	/** @wd_running: STATUS.RUNNING at the watchdog's last look */
	bool wd_running;
	/** @snap_head: HEAD before a reset */
	u32 snap_head;
	/** @snap_tail: doorbell TAIL before a reset */
	u32 snap_tail;
	/** @snap_running: a job was on the engines at the reset */
	bool snap_running;
};

int ares_uq_init(struct ares_device *adev);
int ares_uq_request_irq(struct ares_device *adev);
void ares_uq_destroy(struct ares_uq *uq);
void ares_uq_free(struct ares_uq *uq);
void ares_uq_as_suspend(struct ares_as *as);
void ares_uq_as_resume(struct ares_as *as);
void ares_uq_snapshot(struct ares_device *adev);
void ares_uq_hw_restore(struct ares_device *adev);
void ares_uq_kick(struct ares_device *adev);
void ares_uq_unplug(struct ares_device *adev);
void ares_uq_usage(struct drm_file *file, u64 *busy_ns, u64 *jobs);
void ares_uq_device_usage(struct ares_device *adev, u64 *busy_ns, u64 *jobs);
int ares_uq_mmap(struct file *filp, struct vm_area_struct *vma);
int ares_uq_debug_hang(struct ares_file *afile, u32 ctx_id);
int ares_ioctl_uq_create(struct drm_device *dev, void *data,
			 struct drm_file *file);
int ares_ioctl_uq_wake(struct drm_device *dev, void *data,
		       struct drm_file *file);
int ares_ioctl_uq_wait(struct drm_device *dev, void *data,
		       struct drm_file *file);

#endif /* __ARES_UQ_H__ */
