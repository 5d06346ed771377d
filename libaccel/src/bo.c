/* SPDX-License-Identifier: MIT */
/* Buffers: GEM objects the driver maps into the file's device address space. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "internal.h"

static int bo_info(accel_device *dev, uint32_t handle, struct drm_ares_bo_info *info)
{
	int ret;

	*info = (struct drm_ares_bo_info){.handle = handle};
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_BO_INFO, info);
	if (ret)
		accel_set_error(dev, ret, "DRM_IOCTL_ARES_BO_INFO handle %u on %s: %s", handle,
				dev->node, accel_strerror(ret));
	return ret;
}

int accel_bo_alloc(accel_device *dev, uint64_t size, uint32_t flags, accel_bo **out)
{
	struct drm_ares_bo_create c = {.size = size, .flags = flags};
	accel_bo *bo;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_bo_alloc: out is NULL");
	if (!size)
		return accel_set_error(dev, -EINVAL, "accel_bo_alloc: size is 0");
	if (flags & ~ACCEL_BO_READ_ONLY)
		return accel_set_error(dev, -EINVAL, "accel_bo_alloc: unknown flags 0x%x",
				       flags & ~ACCEL_BO_READ_ONLY);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accel_set_error(dev, -ENOMEM, "accel_bo_alloc: out of memory");
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_BO_CREATE, &c);
	if (ret) {
		accel_set_error(dev, ret, "DRM_IOCTL_ARES_BO_CREATE size %llu flags 0x%x on %s: %s",
				(unsigned long long)size, flags, dev->node, accel_strerror(ret));
		goto err_free;
	}
	bo->dev = dev;
	bo->handle = c.handle;
	bo->flags = flags;
	/* The driver rounds up to pages; report what was really allocated. */
	bo->size = (size + 4095) & ~4095ull;
	bo->va = c.va;
	*out = bo;
	return 0;

err_free:
	free(bo);
	return ret;
}

int accel_bo_userptr(accel_device *dev, void *ptr, uint64_t size, uint32_t flags, accel_bo **out)
{
	struct drm_ares_bo_userptr u = {.addr = (uintptr_t)ptr, .size = size, .flags = flags};
	long page = sysconf(_SC_PAGESIZE);
	accel_bo *bo;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_bo_userptr: out is NULL");
	if (flags & ~ACCEL_BO_READ_ONLY)
		return accel_set_error(dev, -EINVAL, "accel_bo_userptr: unknown flags 0x%x",
				       flags & ~ACCEL_BO_READ_ONLY);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accel_set_error(dev, -ENOMEM, "accel_bo_userptr: out of memory");
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_BO_USERPTR, &u);
	if (ret) {
		const char *why = "";

		if (ret == -EINVAL &&
		    (!ptr || (uintptr_t)ptr % (uintptr_t)page || !size || size % (uint64_t)page))
			why = " (address and size must be nonzero multiples of the page size)";
		else if (ret == -ENOMEM)
			why = " (the pinned pages would exceed RLIMIT_MEMLOCK: raise it, "
			      "ulimit -l, or grant CAP_IPC_LOCK)";
		else if (ret == -EFAULT)
			why = " (the range is not mapped, or not writable without "
			      "ACCEL_BO_READ_ONLY)";
		accel_set_error(
			dev, ret,
			"DRM_IOCTL_ARES_BO_USERPTR addr %p size %llu flags 0x%x on %s: %s%s", ptr,
			(unsigned long long)size, flags, dev->node, accel_strerror(ret), why);
		free(bo);
		return ret;
	}
	bo->dev = dev;
	bo->handle = u.handle;
	bo->flags = flags;
	bo->size = size;
	bo->va = u.va;
	bo->map = ptr;
	bo->userptr = 1;
	*out = bo;
	return 0;
}

int accel_bo_export(accel_bo *bo, int *dmabuf_fd)
{
	int ret;

	if (!dmabuf_fd)
		return accel_set_error(bo->dev, -EINVAL, "accel_bo_export: dmabuf_fd is NULL");
	ret = drmPrimeHandleToFD(bo->dev->fd, bo->handle, DRM_CLOEXEC | DRM_RDWR, dmabuf_fd);
	if (ret)
		ret = -errno;
	accel_trace(bo->dev, "drmPrimeHandleToFD(handle=%u) = %d fd=%d", bo->handle, ret,
		    ret ? -1 : *dmabuf_fd);
	if (ret)
		accel_set_error(bo->dev, ret, "drmPrimeHandleToFD handle %u on %s: %s", bo->handle,
				bo->dev->node, accel_strerror(ret));
	return ret;
}

int accel_bo_import(accel_device *dev, int dmabuf_fd, accel_bo **out)
{
	struct drm_ares_bo_info info;
	uint32_t handle;
	accel_bo *bo;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_bo_import: out is NULL");
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accel_set_error(dev, -ENOMEM, "accel_bo_import: out of memory");
	ret = drmPrimeFDToHandle(dev->fd, dmabuf_fd, &handle);
	if (ret)
		ret = -errno;
	accel_trace(dev, "drmPrimeFDToHandle(fd=%d) = %d handle=%u", dmabuf_fd, ret,
		    ret ? 0 : handle);
	if (ret) {
		accel_set_error(dev, ret, "drmPrimeFDToHandle fd %d on %s: %s", dmabuf_fd,
				dev->node, accel_strerror(ret));
		goto err_free;
	}
	ret = bo_info(dev, handle, &info);
	if (ret)
		goto err_free;
	bo->dev = dev;
	bo->handle = handle;
	bo->flags = info.flags;
	bo->size = info.size;
	bo->va = info.va;
	bo->mmap_offset = info.mmap_offset;
	*out = bo;
	return 0;

err_free:
	free(bo);
	return ret;
}

int accel_bo_map(accel_bo *bo, void **ptr)
{
	struct drm_ares_bo_info info;
	void *p;
	int ret;

	if (!ptr)
		return accel_set_error(bo->dev, -EINVAL, "accel_bo_map: ptr is NULL");
	if (bo->map) {
		*ptr = bo->map;
		return 0;
	}
	if (!bo->mmap_offset) {
		ret = bo_info(bo->dev, bo->handle, &info);
		if (ret)
			return ret;
		bo->mmap_offset = info.mmap_offset;
		bo->size = info.size;
	}
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->dev->fd,
		 (off_t)bo->mmap_offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		return accel_set_error(
			bo->dev, ret,
			"mmap of BO handle %u (%llu bytes at offset 0x%llx) on %s: %s", bo->handle,
			(unsigned long long)bo->size, (unsigned long long)bo->mmap_offset,
			bo->dev->node, accel_strerror(ret));
	}
	accel_trace(bo->dev, "mmap(handle=%u size=%llu offset=0x%llx) = %p", bo->handle,
		    (unsigned long long)bo->size, (unsigned long long)bo->mmap_offset, p);
	bo->map = p;
	*ptr = p;
	return 0;
}

int accel_bo_free(accel_bo *bo)
{
	struct drm_gem_close c;
	int ret;

	if (!bo)
		return 0;
	if (bo->map && !bo->userptr)
		munmap(bo->map, bo->size);
	c = (struct drm_gem_close){.handle = bo->handle};
	ret = accel_ioctl(bo->dev, DRM_IOCTL_GEM_CLOSE, &c);
	free(bo);
	return ret;
}

uint64_t accel_bo_va(const accel_bo *bo)
{
	return bo->va;
}

uint64_t accel_bo_size(const accel_bo *bo)
{
	return bo->size;
}

uint32_t accel_bo_handle(const accel_bo *bo)
{
	return bo->handle;
}
