/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: device address spaces (one per open file).
 */
#ifndef __ARES_MMU_H__
#define __ARES_MMU_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uidgid.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <drm/drm_mm.h>

struct ares_device;
struct ares_pt;
struct dma_fence;

/* ares_as.slot of an address space that holds no hardware slot */
#define ARES_AS_UNBOUND		(-1)

/**
 * struct ares_as - a device address space: page tables and a VA allocator
 *
 * Referenced by its file, by each buffer mapped in it and by each job that
 * runs in it. An address space is virtual: it holds one of the device's
 * hardware slots only while it is bound, from the first job prepared in it
 * until the slot is reclaimed for another address space (least recently
 * used first, never while @active is nonzero) or the address space dies.
 */
struct ares_as {
	/** @ref: references, see above */
	struct kref ref;
	/** @adev: the device */
	struct ares_device *adev;
	/** @slot: hardware slot, or ARES_AS_UNBOUND; adev->as_lock */
	int slot;
	/**
	 * @active: jobs pinned to @slot, from their preparation to their
	 * completion. Raised only under adev->as_lock, so a reclaim that saw
	 * zero under it cannot race a new pin; dropped from the completion
	 * interrupt.
	 */
	atomic_t active;
	/** @lru: in adev->as_lru while bound, least recently used first; adev->as_lock */
	struct list_head lru;
	/** @uid: the user this address space is counted against */
	kuid_t uid;
	/** @lock: protects @mm and the page tables under @root */
	struct mutex lock;
	/** @mm: VA allocator over [ARES_VA_START, ARES_VA_END) */
	struct drm_mm mm;
	/** @root: level-0 table */
	struct ares_pt *root;
	/**
	 * @uqs: struct ares_uq of this address space (ares_uq.as_link); while
	 * not empty the address space holds a pin on its slot;
	 * adev->uq_lock
	 */
	struct list_head uqs;
};

struct ares_as *ares_as_create(struct ares_device *adev);
void ares_as_put(struct ares_as *as);

static inline struct ares_as *ares_as_get(struct ares_as *as)
{
	kref_get(&as->ref);
	return as;
}

int ares_as_map(struct ares_as *as, struct drm_mm_node *node, u64 size,
		struct sg_table *sgt, bool writable);
void ares_as_unmap(struct ares_as *as, struct drm_mm_node *node);
void ares_as_restore_all(struct ares_device *adev);
struct dma_fence *ares_as_pin(struct ares_as *as, bool *pinned,
			      struct dma_fence **turn);
void ares_as_drop_turn(struct ares_device *adev, struct dma_fence **turn);
void ares_as_fini(struct ares_device *adev);
void ares_as_unpin(struct ares_as *as);
int ares_as_pin_uq(struct ares_as *as);
int ares_as_slot(struct ares_as *as);

#endif /* __ARES_MMU_H__ */
