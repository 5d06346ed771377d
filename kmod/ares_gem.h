/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: buffer objects.
 */
#ifndef __ARES_GEM_H__
#define __ARES_GEM_H__

#include <linux/list.h>
#include <linux/spinlock.h>

#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>

struct ares_as;
struct ares_usage;
struct dma_fence;

/**
 * struct ares_bo - a buffer: shmem pages pinned and mapped in one address
 * space for its whole life
 */
struct ares_bo {
	/** @base: shmem GEM object, embedded */
	struct drm_gem_shmem_object base;
	/** @as: address space the buffer is mapped in (holds a reference) */
	struct ares_as *as;
	/** @node: VA range in @as, including the trailing guard page */
	struct drm_mm_node node;
	/** @flags: DRM_ARES_BO_* */
	u32 flags;
	/**
	 * @usage: counters of the file whose max_bos_per_file this buffer
	 * counts against (a reference), or NULL before it is counted
	 */
	struct ares_usage *usage;
	/**
	 * @charged: bytes charged to @usage's and the device's memory
	 * budgets (BO_CREATE buffers only), 0 if none
	 */
	u64 charged;
	/** @lock: protects @users */
	spinlock_t lock;
	/** @users: struct ares_bo_user, the latest job of each context */
	struct list_head users;
};

/*
 * Most BO_WAIT records a buffer keeps (struct ares_bo_user): twice the
 * default max_contexts_per_file.
 */
#define ARES_BO_MAX_USERS	256

/**
 * struct ares_bo_user - the latest job of one context that used a buffer
 */
struct ares_bo_user {
	/** @link: in &ares_bo.users */
	struct list_head link;
	/** @ctx_uid: device-unique id of the context */
	u64 ctx_uid;
	/** @order: device-wide submission order of the job */
	u64 order;
	/** @fence: the job's finished fence (a reference) */
	struct dma_fence *fence;
};

static inline struct ares_bo *to_ares_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct ares_bo, base);
}

struct drm_gem_object *ares_gem_create_object(struct drm_device *dev,
					      size_t size);
struct drm_gem_object *ares_gem_prime_import(struct drm_device *dev,
					     struct dma_buf *dma_buf);
bool ares_is_bo(struct drm_gem_object *obj);
bool ares_is_userptr(struct drm_gem_object *obj);
void ares_bo_unmap_users(struct ares_bo *bo);
int ares_bo_account(struct ares_bo *bo, struct ares_usage *usage);
void ares_bo_unaccount(struct ares_bo *bo);
void ares_bo_set_user(struct ares_bo *bo, struct ares_bo_user *user);

int ares_ioctl_bo_create(struct drm_device *dev, void *data,
			 struct drm_file *file);
int ares_ioctl_bo_info(struct drm_device *dev, void *data,
		       struct drm_file *file);
int ares_ioctl_bo_wait(struct drm_device *dev, void *data,
		       struct drm_file *file);
int ares_ioctl_bo_userptr(struct drm_device *dev, void *data,
			  struct drm_file *file);

#endif /* __ARES_GEM_H__ */
