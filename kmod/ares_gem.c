// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: buffer objects.
 *
 * A buffer is a shmem GEM object whose pages are allocated, DMA-mapped and
 * mapped into the creating file's address space at BO_CREATE, and stay so
 * until the object is freed. Freeing unmaps the PTEs, invalidates the
 * device TLB, and only then releases the pages.
 *
 * Every object is mapped in exactly one address space, that of the file
 * that holds its handle. A PRIME import therefore always makes a new object
 * around the dma-buf's pages (never the "same device, same object"
 * shortcut, which would put one object in two address spaces): from another
 * driver (udmabuf, vgem), another Ares device, or another file of this
 * device. The import is mapped into the importing file's address space
 * when its handle is created; the exporter and the importer share the
 * dma-buf's reservation object, so implicit synchronisation holds.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "ares_drv.h"
#include "ares_gem.h"
#include "ares_mmu.h"
#include "ares_usage.h"

#include "ares/mmu.h"
#include "uapi/drm/ares_accel.h"

MODULE_IMPORT_NS(DMA_BUF);

/**
 * ares_bo_unmap_users() - unmap a buffer from the device, drop its users
 * @bo: buffer being freed
 *
 * After this the device can no longer reach the pages.
 */
void ares_bo_unmap_users(struct ares_bo *bo)
{
	struct ares_bo_user *user, *tmp;

	if (bo->as) {
		ares_as_unmap(bo->as, &bo->node);
		ares_as_put(bo->as);
		bo->as = NULL;
	}
	list_for_each_entry_safe(user, tmp, &bo->users, link) {
		dma_fence_put(user->fence);
		kfree(user);
	}
}

/**
 * ares_bo_account() - count a new buffer against its file's limits
 * @bo: the buffer, not yet counted
 * @usage: counters of the file that creates or imports it
 *
 * The buffer keeps a reference to @usage until ares_bo_unaccount(), which
 * its free calls, so buffers that outlive the file (exported, or held by
 * a job) stay counted where they were made.
 *
 * Return: 0, or -EMFILE when the file has max_bos_per_file buffers.
 */
int ares_bo_account(struct ares_bo *bo, struct ares_usage *usage)
{
	if (atomic_inc_return(&usage->num_bos) >
	    READ_ONCE(ares_max_bos_per_file)) {
		atomic_dec(&usage->num_bos);
		return -EMFILE;
	}
	bo->usage = ares_usage_get(usage);
	return 0;
}

/**
 * ares_bo_unaccount() - undo ares_bo_account(), if it was done
 * @bo: buffer being freed
 */
void ares_bo_unaccount(struct ares_bo *bo)
{
	if (!bo->usage)
		return;
	if (bo->charged) {
		struct ares_device *adev = to_ares_device(bo->base.base.dev);

		atomic64_sub(bo->charged, &bo->usage->bo_bytes);
		atomic64_sub(bo->charged, &adev->bo_bytes);
		bo->charged = 0;
	}
	atomic_dec(&bo->usage->num_bos);
	ares_usage_put(bo->usage);
	bo->usage = NULL;
}

/*
 * Charges a counted buffer's @size bytes to its file's and its device's
 * budgets, before its pages are allocated. Concurrent charges near a limit
 * may both fail although one alone would fit: never both succeed.
 */
static int ares_bo_charge(struct ares_bo *bo, u64 size)
{
	struct ares_device *adev = to_ares_device(bo->base.base.dev);
	struct ares_usage *usage = bo->usage;

	if (atomic64_add_return(size, &usage->bo_bytes) >
	    ares_bo_mem_file_limit()) {
		atomic64_sub(size, &usage->bo_bytes);
		drm_dbg_driver(&adev->drm,
			       "BO_CREATE: %llu bytes over the file's budget (%llu)\n",
			       size, ares_bo_mem_file_limit());
		return -ENOSPC;
	}
	if (atomic64_add_return(size, &adev->bo_bytes) > ares_bo_mem_limit()) {
		atomic64_sub(size, &adev->bo_bytes);
		atomic64_sub(size, &usage->bo_bytes);
		drm_dbg_driver(&adev->drm,
			       "BO_CREATE: %llu bytes over the device's budget (%llu)\n",
			       size, ares_bo_mem_limit());
		return -ENOSPC;
	}
	bo->charged = size;
	return 0;
}

static void ares_bo_free(struct drm_gem_object *obj)
{
	struct ares_bo *bo = to_ares_bo(obj);

	ares_bo_unmap_users(bo);
	ares_bo_unaccount(bo);
	drm_gem_shmem_free(&bo->base);
}

/*
 * A new handle: created buffers were mapped by BO_CREATE; an import is
 * mapped here, into the address space of the one file that imported it.
 */
static int ares_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct ares_bo *bo = to_ares_bo(obj);
	int ret;

	if (!obj->import_attach)
		return 0;
	/* Only the importing file's prime lookup can hand the object out. */
	if (bo->as)
		return bo->as == afile->as ? 0 : -EINVAL;
	ret = ares_bo_account(bo, afile->usage);
	if (ret)
		return ret;
	ret = ares_as_map(afile->as, &bo->node, obj->size, bo->base.sgt, true);
	if (ret) {
		ares_bo_unaccount(bo);
		return ret;
	}
	bo->as = ares_as_get(afile->as);
	return 0;
}

/* Pages are pinned from creation to free: always resident (fdinfo). */
static enum drm_gem_object_status ares_bo_gem_status(struct drm_gem_object *obj)
{
	return DRM_GEM_OBJECT_RESIDENT;
}

static const struct drm_gem_object_funcs ares_gem_funcs = {
	.free = ares_bo_free,
	.status = ares_bo_gem_status,
	.open = ares_bo_open,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * ares_is_bo() - whether a GEM object is one of this driver's buffers
 * @obj: any GEM object of a file of this device
 *
 * Return: true for shmem buffers and userptr buffers.
 */
bool ares_is_bo(struct drm_gem_object *obj)
{
	return obj->funcs == &ares_gem_funcs || ares_is_userptr(obj);
}

/**
 * ares_gem_create_object() - allocate the driver's buffer object for the
 * shmem helper
 * @dev: DRM device
 * @size: bytes (the helper sets up the backing)
 *
 * Return: the embedded GEM object, or ERR_PTR(-ENOMEM).
 */
struct drm_gem_object *ares_gem_create_object(struct drm_device *dev,
					      size_t size)
{
	struct ares_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &ares_gem_funcs;
	spin_lock_init(&bo->lock);
	INIT_LIST_HEAD(&bo->users);
	return &bo->base.base;
}

/**
 * ares_gem_prime_import() - PRIME import of a dma-buf of any exporter
 * @dev: DRM device
 * @dma_buf: the dma-buf; whole pages, at most DRM_ARES_MAX_BO_SIZE
 *
 * Always makes a new object mapped in the importing file's address space
 * (one object, one address space), also for this device's own exports.
 *
 * Return: the object, or an ERR_PTR.
 */
struct drm_gem_object *ares_gem_prime_import(struct drm_device *dev,
					     struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int ret;

	if (!dma_buf->size || dma_buf->size % PAGE_SIZE) {
		drm_dbg_driver(dev, "PRIME import: dma-buf of %zu bytes (need whole pages)\n",
			       dma_buf->size);
		return ERR_PTR(-EINVAL);
	}
	if (dma_buf->size > DRM_ARES_MAX_BO_SIZE) {
		drm_dbg_driver(dev, "PRIME import: dma-buf of %zu bytes (at most %llu)\n",
			       dma_buf->size, DRM_ARES_MAX_BO_SIZE);
		return ERR_PTR(-E2BIG);
	}

	attach = dma_buf_attach(dma_buf, dev->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(dma_buf);

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_detach;
	}
	obj = drm_gem_shmem_prime_import_sg_table(dev, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_unmap;
	}
	/* As drm_gem_prime_import_dev(): the object owns the attachment now. */
	obj->import_attach = attach;
	obj->resv = dma_buf->resv;
	return obj;

err_unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	return ERR_PTR(ret);
}

/**
 * ares_bo_set_user() - record a context's latest job on a buffer
 * @bo: buffer
 * @user: preallocated record holding the job's finished fence; consumed
 *
 * Entries whose job finished without error are dropped: they can no longer
 * change what BO_WAIT reports. Failed ones stay, one per context, also
 * after the context is destroyed; so that creating contexts in a loop
 * cannot grow the list without bound, it keeps at most
 * ARES_BO_MAX_USERS entries, dropping the oldest finished ones.
 */
void ares_bo_set_user(struct ares_bo *bo, struct ares_bo_user *user)
{
	struct ares_bo_user *it, *tmp, *oldest;
	unsigned int n = 0;
	LIST_HEAD(dead);

	spin_lock(&bo->lock);
	list_for_each_entry_safe(it, tmp, &bo->users, link) {
		if (it->ctx_uid == user->ctx_uid ||
		    (dma_fence_is_signaled(it->fence) && !it->fence->error))
			list_move(&it->link, &dead);
		else
			n++;
	}
	while (n >= ARES_BO_MAX_USERS) {
		oldest = NULL;
		list_for_each_entry(it, &bo->users, link)
			if (dma_fence_is_signaled(it->fence) &&
			    (!oldest || it->order < oldest->order))
				oldest = it;
		/* Unfinished ones are bounded by max_jobs_per_file. */
		if (!oldest)
			break;
		list_move(&oldest->link, &dead);
		n--;
	}
	list_add_tail(&user->link, &bo->users);
	spin_unlock(&bo->lock);

	list_for_each_entry_safe(it, tmp, &dead, link) {
		dma_fence_put(it->fence);
		kfree(it);
	}
}

static u32 ares_errno_to_status(int err)
{
	switch (err) {
	case 0:
		return DRM_ARES_JOB_OK;
	case -EPROTO:
		return DRM_ARES_JOB_INVALID_CMD;
	case -EFAULT:
		return DRM_ARES_JOB_MMU_FAULT;
	case -ETIMEDOUT:
		return DRM_ARES_JOB_TIMEOUT;
	case -EIO:
		return DRM_ARES_JOB_FW_ERROR;
	default:
		/* -ECANCELED, and -ESRCH for jobs killed with their context. */
		return DRM_ARES_JOB_ABORTED;
	}
}

static u32 ares_bo_status(struct ares_bo *bo)
{
	struct ares_bo_user *user;
	u32 status = DRM_ARES_JOB_OK;
	u64 latest = 0;

	spin_lock(&bo->lock);
	list_for_each_entry(user, &bo->users, link) {
		int err;

		if (!dma_fence_is_signaled(user->fence))
			continue;
		err = user->fence->error;
		if (err && user->order >= latest) {
			latest = user->order;
			status = ares_errno_to_status(err);
		}
	}
	spin_unlock(&bo->lock);
	return status;
}

/* Every buffer, with its guard page, fits the VA window many times over. */
static_assert(DRM_ARES_MAX_BO_SIZE <=
	      (ARES_VA_END - ARES_VA_START - ARES_PAGE_SIZE) / 2);

/**
 * ares_ioctl_bo_create() - DRM_IOCTL_ARES_BO_CREATE: allocate, pin and map
 * a shmem buffer
 * @dev: DRM device
 * @data: struct drm_ares_bo_create
 * @file: calling file; the buffer is mapped in its address space
 *
 * Return: 0, -EINVAL (flags, size 0, nonzero handle or va), -E2BIG (size
 * over DRM_ARES_MAX_BO_SIZE), -EMFILE (max_bos_per_file), -ENOSPC (the
 * file's or the device's memory budget, or the VA window, is full) or
 * -ENOMEM.
 */
int ares_ioctl_bo_create(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct ares_file *afile = file->driver_priv;
	struct drm_ares_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	struct ares_bo *bo;
	u32 handle;
	u64 size;
	int ret;

	/* handle and va are output-only: zero on input (docs/uapi.md). */
	if (args->flags & ~DRM_ARES_BO_CREATE_FLAGS || !args->size ||
	    args->handle || args->va)
		return -EINVAL;
	/* Bounded before anything is sized from it (page arrays, tables). */
	if (args->size > DRM_ARES_MAX_BO_SIZE)
		return -E2BIG;
	size = PAGE_ALIGN(args->size);

	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	bo = container_of(shmem, struct ares_bo, base);
	bo->flags = args->flags;
	/* Counted before its pages are allocated, in the caller's context. */
	ret = ares_bo_account(bo, afile->usage);
	if (ret) {
		drm_dbg_driver(dev, "BO_CREATE: file has max_bos_per_file (%u) buffers\n",
			       READ_ONCE(ares_max_bos_per_file));
		goto out_put;
	}
	ret = ares_bo_charge(bo, size);
	if (ret)
		goto out_put;

	/*
	 * Allocates every page now, in the caller's context: the shmem pages
	 * are charged to the caller's memory cgroup (not a kworker's).
	 */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_put;
	}

	ret = ares_as_map(afile->as, &bo->node, size, sgt,
			  !(bo->flags & DRM_ARES_BO_READ_ONLY));
	if (ret)
		goto out_put;
	bo->as = ares_as_get(afile->as);

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret)
		goto out_put;

	args->handle = handle;
	args->va = bo->node.start;
out_put:
	/* On success the handle holds the reference; on failure this frees. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * ares_ioctl_bo_info() - DRM_IOCTL_ARES_BO_INFO: a buffer's size, VA, flags
 * and mmap offset
 * @dev: DRM device
 * @data: struct drm_ares_bo_info
 * @file: calling file
 *
 * Return: 0, -EINVAL (an output field nonzero on input, not an Ares
 * buffer), -ENOENT (unknown handle) or -ENOMEM.
 */
int ares_ioctl_bo_info(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct drm_ares_bo_info *args = data;
	struct drm_gem_object *obj;
	struct ares_bo *bo;
	int ret;

	/* Everything but handle is output-only: zero on input. */
	if (args->flags || args->size || args->va || args->mmap_offset)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	if (!ares_is_bo(obj)) {
		ret = -EINVAL;
		goto out_put;
	}
	bo = to_ares_bo(obj);

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;

	args->flags = bo->flags;
	args->size = obj->size;
	args->va = bo->node.start;
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
out_put:
	drm_gem_object_put(obj);
	return ret;
}

/* Absolute CLOCK_MONOTONIC deadline to a relative timeout; 0 polls. */
static long ares_deadline_to_jiffies(s64 deadline_ns)
{
	s64 now = ktime_get_ns();
	u64 left;

	if (deadline_ns <= now)
		return 0;
	left = nsecs_to_jiffies64(deadline_ns - now);
	if (left >= MAX_SCHEDULE_TIMEOUT)
		return MAX_SCHEDULE_TIMEOUT - 1;
	return left ? left : 1;
}

/**
 * ares_ioctl_bo_wait() - DRM_IOCTL_ARES_BO_WAIT: wait for the jobs that use
 * a buffer, then report their status
 * @dev: DRM device
 * @data: struct drm_ares_bo_wait
 * @file: calling file
 *
 * Return: 0, -EINVAL (flags, pad or status nonzero on input), -ENOENT,
 * -ETIME (deadline passed) or -ERESTARTSYS.
 */
int ares_ioctl_bo_wait(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct drm_ares_bo_wait *args = data;
	struct drm_gem_object *obj;
	long ret;

	/* status is output-only: zero on input. */
	if (args->flags || args->pad || args->status)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	if (!ares_is_bo(obj)) {
		ret = -EINVAL;
		goto out_put;
	}

	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				    ares_deadline_to_jiffies(args->timeout_ns));
	if (ret == 0) {
		ret = -ETIME;
	} else if (ret > 0) {
		args->status = ares_bo_status(to_ares_bo(obj));
		ret = 0;
	}
out_put:
	drm_gem_object_put(obj);
	return ret;
}
