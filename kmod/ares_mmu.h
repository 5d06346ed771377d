/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: device address spaces (one per open file).
 */
#ifndef __ARES_MMU_H__
#define __ARES_MMU_H__

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <drm/drm_mm.h>

struct ares_device;
struct ares_pt;

/**
 * struct ares_as - a device address space: page tables and a VA allocator
 *
 * Referenced by its file, by each buffer mapped in it and by each job that
 * runs in it; the hardware slot is released with the last reference.
 */
struct ares_as {
	/** @ref: references, see above */
	struct kref ref;
	/** @adev: the device */
	struct ares_device *adev;
	/** @asid: hardware address-space slot */
	u32 asid;
	/** @lock: protects @mm and the page tables under @root */
	struct mutex lock;
	/** @mm: VA allocator over [ARES_VA_START, ARES_VA_END) */
	struct drm_mm mm;
	/** @root: level-0 table */
	struct ares_pt *root;
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

#endif /* __ARES_MMU_H__ */
