// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: buffers over user memory (BO_USERPTR).
 *
 * The user's pages are pinned long-term (FOLL_LONGTERM, so they are never
 * migrated under the device), counted against the caller's RLIMIT_MEMLOCK,
 * DMA-mapped and mapped into the file's address space, all at creation,
 * and released in the reverse order when the object is freed (after the
 * last job that holds it). The object has no shmem backing and no mmap:
 * the process already has the memory mapped. It is an ares_bo like any
 * other for SUBMIT and BO_WAIT.
 */

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "ares_drv.h"
#include "ares_gem.h"
#include "ares_mmu.h"
#include "ares_usage.h"

#include "ares/mmu.h"
#include "uapi/drm/ares_accel.h"

/**
 * struct ares_userptr - a buffer over pinned user pages
 */
struct ares_userptr {
	/** @bo: the buffer (its shmem part holds only the sg_table) */
	struct ares_bo bo;
	/** @pages: the pinned pages */
	struct page **pages;
	/** @npages: number of @pages */
	unsigned long npages;
	/** @mm: the address space charged for the pinned pages */
	struct mm_struct *mm;
};

static void ares_userptr_release_pages(struct ares_userptr *up, bool dirty)
{
	unpin_user_pages_dirty_lock(up->pages, up->npages, dirty);
	kvfree(up->pages);
	account_locked_vm(up->mm, up->npages, false);
	mmdrop(up->mm);
}

static void ares_userptr_free(struct drm_gem_object *obj)
{
	struct ares_userptr *up = container_of(to_ares_bo(obj),
					       struct ares_userptr, bo);
	struct sg_table *sgt = up->bo.base.sgt;

	/* The device must not reach the pages once they are unpinned. */
	ares_bo_unmap_users(&up->bo);
	dma_unmap_sgtable(obj->dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(sgt);
	kfree(sgt);
	ares_userptr_release_pages(up, !(up->bo.flags & DRM_ARES_BO_READ_ONLY));
	ares_bo_unaccount(&up->bo);
	drm_gem_object_release(obj);
	kfree(up);
}

/* Pages are pinned from creation to free: always resident (fdinfo). */
static enum drm_gem_object_status
ares_userptr_status(struct drm_gem_object *obj)
{
	return DRM_GEM_OBJECT_RESIDENT;
}

/* Not exported: another device could outlive the pin's owner's intent. */
static struct dma_buf *ares_userptr_export(struct drm_gem_object *obj,
					   int flags)
{
	return ERR_PTR(-EINVAL);
}

static const struct drm_gem_object_funcs ares_userptr_funcs = {
	.free = ares_userptr_free,
	.status = ares_userptr_status,
	.export = ares_userptr_export,
};

/**
 * ares_is_userptr() - whether a GEM object is a BO_USERPTR buffer
 * @obj: any GEM object
 *
 * Return: true for buffers over pinned user memory.
 */
bool ares_is_userptr(struct drm_gem_object *obj)
{
	return obj->funcs == &ares_userptr_funcs;
}

/* Pins @up->npages pages at @addr and charges them to current->mm. */
static int ares_userptr_pin(struct ares_userptr *up, u64 addr, bool writable)
{
	unsigned int gup = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
	unsigned long done = 0;
	int ret;

	ret = account_locked_vm(current->mm, up->npages, true);
	if (ret)
		return ret;
	up->pages = kvmalloc_array(up->npages, sizeof(*up->pages),
				   GFP_KERNEL_ACCOUNT);
	if (!up->pages) {
		ret = -ENOMEM;
		goto err_unaccount;
	}
	while (done < up->npages) {
		int n = min_t(unsigned long, up->npages - done, INT_MAX);

		ret = pin_user_pages_fast(addr + done * PAGE_SIZE, n, gup,
					  up->pages + done);
		if (ret <= 0) {
			/* 0 pages pinned: the range is not (writable) memory. */
			ret = ret ? ret : -EFAULT;
			goto err_unpin;
		}
		done += ret;
	}
	mmgrab(current->mm);
	up->mm = current->mm;
	return 0;

err_unpin:
	unpin_user_pages(up->pages, done);
	kvfree(up->pages);
err_unaccount:
	account_locked_vm(current->mm, up->npages, false);
	return ret;
}

static int ares_userptr_check_args(const struct drm_ares_bo_userptr *args)
{
	if (args->flags & ~DRM_ARES_BO_READ_ONLY || args->handle || args->va)
		return -EINVAL;
	/* Bounded before the page array is sized from it. */
	if (args->size > DRM_ARES_MAX_BO_SIZE)
		return -E2BIG;
	if (!args->addr || !PAGE_ALIGNED(args->addr) || !args->size ||
	    !PAGE_ALIGNED(args->size) ||
	    args->addr + args->size < args->addr ||
	    !access_ok(u64_to_user_ptr(args->addr), args->size))
		return -EINVAL;
	return 0;
}

/* The pinned pages as a DMA-mapped sg table of @size bytes. */
static struct sg_table *ares_userptr_map_pages(struct drm_device *dev,
					       struct ares_userptr *up, u64 size)
{
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL_ACCOUNT);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, up->pages, up->npages, 0,
					size, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_sgt;
	ret = dma_map_sgtable(dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}

/**
 * ares_ioctl_bo_userptr() - DRM_IOCTL_ARES_BO_USERPTR: pin user memory and
 * map it as a buffer
 * @dev: DRM device
 * @data: struct drm_ares_bo_userptr
 * @file: calling file; the buffer is mapped in its address space
 *
 * Return: 0, -EINVAL (fields), -E2BIG (size over DRM_ARES_MAX_BO_SIZE),
 * -EMFILE (max_bos_per_file), -EFAULT (range not (writable) memory),
 * -ENOMEM (RLIMIT_MEMLOCK or an allocation), -ENOSPC (VA window full).
 */
int ares_ioctl_bo_userptr(struct drm_device *dev, void *data,
			  struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_bo_userptr *args = data;
	bool writable = !(args->flags & DRM_ARES_BO_READ_ONLY);
	struct ares_userptr *up;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	u32 handle;
	int ret;

	ret = ares_userptr_check_args(args);
	if (ret)
		return ret;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return -ENOMEM;
	ret = ares_bo_account(&up->bo, afile->usage);
	if (ret)
		goto err_free;
	up->npages = args->size >> PAGE_SHIFT;
	ret = ares_userptr_pin(up, args->addr, writable);
	if (ret)
		goto err_free;

	sgt = ares_userptr_map_pages(dev, up, args->size);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_release;
	}

	obj = &up->bo.base.base;
	obj->funcs = &ares_userptr_funcs;
	drm_gem_private_object_init(dev, obj, args->size);
	spin_lock_init(&up->bo.lock);
	INIT_LIST_HEAD(&up->bo.users);
	up->bo.flags = args->flags;
	up->bo.base.sgt = sgt;

	/* From here on, the object's free releases everything. */
	ret = ares_as_map(afile->as, &up->bo.node, args->size, sgt, writable);
	if (ret)
		goto out_put;
	up->bo.as = ares_as_get(afile->as);

	ret = drm_gem_handle_create(file, obj, &handle);
	if (ret)
		goto out_put;
	args->handle = handle;
	args->va = up->bo.node.start;
out_put:
	/* On success the handle holds the reference; on failure this frees. */
	drm_gem_object_put(obj);
	return ret;

err_release:
	ares_userptr_release_pages(up, false);
err_free:
	ares_bo_unaccount(&up->bo);
	kfree(up);
	return ret;
}
