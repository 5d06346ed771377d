// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: device address spaces.
 *
 * Each open file gets one address space: a hardware slot (ASID) and
 * four-level page tables (include/ares/mmu.h) in DMA-coherent pages that the
 * device walks directly. Buffers get VA ranges from a drm_mm with one
 * unmapped guard page after each buffer, so running off the end of a buffer
 * faults instead of touching the next one. Tables are allocated on demand
 * and freed with the address space.
 */

#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>

#include "ares_drv.h"
#include "ares_hw.h"
#include "ares_mmu.h"

#include "ares/mmu.h"

/**
 * struct ares_pt - one page of page-table entries
 */
struct ares_pt {
	/** @entries: the table, read by the device */
	__le64 *entries;
	/** @dma: bus address of @entries */
	dma_addr_t dma;
	/** @children: next-level tables (levels 0-2 only) */
	struct ares_pt **children;
};

static struct ares_pt *ares_pt_alloc(struct ares_device *adev, bool leaf)
{
	struct ares_pt *pt;

	/*
	 * Tables are made for the buffers of the calling file, in its
	 * context: charged to its memory cgroup like the rest of them.
	 */
	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return NULL;
	/* dma_alloc_coherent() returns zeroed, page-aligned memory. */
	pt->entries = dma_alloc_coherent(adev->drm.dev, ARES_PAGE_SIZE,
					 &pt->dma, GFP_KERNEL_ACCOUNT);
	if (!pt->entries)
		goto err_free;
	if (!leaf) {
		pt->children = kcalloc(ARES_PT_ENTRIES, sizeof(*pt->children),
				       GFP_KERNEL_ACCOUNT);
		if (!pt->children)
			goto err_dma;
	}
	return pt;

err_dma:
	dma_free_coherent(adev->drm.dev, ARES_PAGE_SIZE, pt->entries, pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

static void ares_pt_free(struct ares_device *adev, struct ares_pt *pt)
{
	int i;

	if (!pt)
		return;
	if (pt->children) {
		for (i = 0; i < ARES_PT_ENTRIES; i++)
			ares_pt_free(adev, pt->children[i]);
		kfree(pt->children);
	}
	dma_free_coherent(adev->drm.dev, ARES_PAGE_SIZE, pt->entries, pt->dma);
	kfree(pt);
}

/* Returns the leaf entry for @va, allocating tables on the way if @alloc. */
static __le64 *ares_pte_lookup(struct ares_as *as, u64 va, bool alloc)
{
	struct ares_pt *pt = as->root;
	int level;

	lockdep_assert_held(&as->lock);

	for (level = 0; level < ARES_PT_LEVELS - 1; level++) {
		u32 idx = ARES_PT_INDEX(va, level);
		struct ares_pt *child = pt->children[idx];

		if (!child) {
			if (!alloc)
				return NULL;
			child = ares_pt_alloc(as->adev,
					      level == ARES_PT_LEVELS - 2);
			if (!child)
				return ERR_PTR(-ENOMEM);
			pt->children[idx] = child;
			/*
			 * The new table is zeroed coherent memory; order its
			 * zeroes before the entry that lets the device see it.
			 */
			dma_wmb();
			WRITE_ONCE(pt->entries[idx],
				   cpu_to_le64((child->dma & ARES_PTE_ADDR_MASK) |
					       ARES_PTE_VALID));
		}
		pt = child;
	}
	return &pt->entries[ARES_PT_INDEX(va, ARES_PT_LEVELS - 1)];
}

static void ares_as_clear_range(struct ares_as *as, u64 va, u64 size)
{
	u64 end = va + size;
	__le64 *pte;

	lockdep_assert_held(&as->lock);

	for (; va < end; va += ARES_PAGE_SIZE) {
		pte = ares_pte_lookup(as, va, false);
		if (!IS_ERR_OR_NULL(pte))
			WRITE_ONCE(*pte, 0);
	}
}

/**
 * ares_as_map() - allocate VA for a buffer and map its pages
 * @as: address space
 * @node: out: the VA range (size + one guard page)
 * @size: bytes of the buffer, a multiple of the page size
 * @sgt: the buffer's DMA-mapped pages
 * @writable: map with WRITE as well as READ
 *
 * Adding mappings needs no TLB invalidation: the device never caches
 * invalid entries. Return: 0, -ENOSPC when the VA window is full, -ENOMEM.
 */
int ares_as_map(struct ares_as *as, struct drm_mm_node *node, u64 size,
		struct sg_table *sgt, bool writable)
{
	u64 flags = ARES_PTE_VALID | ARES_PTE_READ;
	struct sg_dma_page_iter iter;
	u64 va, mapped = 0;
	__le64 *pte;
	int ret;

	if (writable)
		flags |= ARES_PTE_WRITE;

	mutex_lock(&as->lock);
	ret = drm_mm_insert_node_in_range(&as->mm, node, size + ARES_PAGE_SIZE,
					  ARES_PAGE_SIZE, 0, ARES_VA_START,
					  ARES_VA_END, DRM_MM_INSERT_BEST);
	if (ret)
		goto out_unlock;

	va = node->start;
	for_each_sgtable_dma_page(sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		if (mapped >= size)
			break;
		pte = ares_pte_lookup(as, va + mapped, true);
		if (IS_ERR(pte)) {
			ret = PTR_ERR(pte);
			goto err_unmap;
		}
		WRITE_ONCE(*pte, cpu_to_le64((addr & ARES_PTE_ADDR_MASK) | flags));
		mapped += ARES_PAGE_SIZE;
	}
	if (mapped != size) {
		ret = -EINVAL;
		goto err_unmap;
	}
	mutex_unlock(&as->lock);
	return 0;

err_unmap:
	/* Never handed out, so no translation can be cached yet. */
	ares_as_clear_range(as, va, mapped);
	drm_mm_remove_node(node);
out_unlock:
	mutex_unlock(&as->lock);
	return ret;
}

/**
 * ares_as_unmap() - unmap a buffer and free its VA range
 * @as: address space
 * @node: VA range from ares_as_map()
 *
 * Returns once the device can no longer reach the pages (TLB invalidated),
 * so the caller may free them.
 */
void ares_as_unmap(struct ares_as *as, struct drm_mm_node *node)
{
	struct ares_device *adev = as->adev;
	int idx;

	mutex_lock(&as->lock);
	ares_as_clear_range(as, node->start, node->size - ARES_PAGE_SIZE);
	mutex_unlock(&as->lock);

	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_tlb_invalidate(adev, as->asid);
		drm_dev_exit(idx);
	}

	mutex_lock(&as->lock);
	drm_mm_remove_node(node);
	mutex_unlock(&as->lock);
}

static void ares_as_program(struct ares_device *adev, u32 asid,
			    struct ares_as *as)
{
	lockdep_assert_held(&adev->as_lock);

	if (as) {
		ares_wr64(adev, ARES_REG_AS_ROOT(asid), as->root->dma);
		ares_wr32(adev, ARES_REG_AS_CONFIG(asid), ARES_AS_CONFIG_ENABLE);
	} else {
		ares_wr32(adev, ARES_REG_AS_CONFIG(asid), 0);
		ares_wr64(adev, ARES_REG_AS_ROOT(asid), 0);
	}
}

/**
 * ares_as_restore_all() - program every open address space after a reset
 * @adev: device
 */
void ares_as_restore_all(struct ares_device *adev)
{
	u32 asid;

	mutex_lock(&adev->as_lock);
	for (asid = 0; asid < adev->max_as; asid++)
		if (adev->as_slots[asid])
			ares_as_program(adev, asid, adev->as_slots[asid]);
	mutex_unlock(&adev->as_lock);
}

/**
 * ares_as_create() - create an address space and claim a hardware slot
 * @adev: device
 *
 * Return: the address space, ERR_PTR(-ENOSPC) when every slot is taken,
 * or ERR_PTR(-ENOMEM).
 */
struct ares_as *ares_as_create(struct ares_device *adev)
{
	struct ares_as *as;
	int ret, idx;

	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return ERR_PTR(-ENOMEM);
	kref_init(&as->ref);
	as->adev = adev;
	mutex_init(&as->lock);
	drm_mm_init(&as->mm, ARES_VA_START, ARES_VA_END - ARES_VA_START);

	as->root = ares_pt_alloc(adev, false);
	if (!as->root) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = ida_alloc_max(&adev->asid_ida, adev->max_as - 1, GFP_KERNEL);
	if (ret < 0)
		goto err_pt;
	as->asid = ret;

	mutex_lock(&adev->as_lock);
	adev->as_slots[as->asid] = as;
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_as_program(adev, as->asid, as);
		drm_dev_exit(idx);
	}
	mutex_unlock(&adev->as_lock);
	return as;

err_pt:
	ares_pt_free(adev, as->root);
err_free:
	drm_mm_takedown(&as->mm);
	mutex_destroy(&as->lock);
	kfree(as);
	return ERR_PTR(ret);
}

static void ares_as_release(struct kref *ref)
{
	struct ares_as *as = container_of(ref, struct ares_as, ref);
	struct ares_device *adev = as->adev;
	bool programmed = false;
	int idx;

	mutex_lock(&adev->as_lock);
	adev->as_slots[as->asid] = NULL;
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_as_program(adev, as->asid, NULL);
		programmed = true;
	}
	mutex_unlock(&adev->as_lock);

	/* The slot may hold cached translations until invalidated. */
	if (programmed) {
		ares_tlb_invalidate(adev, as->asid);
		drm_dev_exit(idx);
	}

	ida_free(&adev->asid_ida, as->asid);
	ares_pt_free(adev, as->root);
	drm_mm_takedown(&as->mm);
	mutex_destroy(&as->lock);
	kfree(as);
}

/**
 * ares_as_put() - drop a reference to an address space
 * @as: address space
 */
void ares_as_put(struct ares_as *as)
{
	kref_put(&as->ref, ares_as_release);
}
