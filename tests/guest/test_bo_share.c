/* SPDX-License-Identifier: MIT */
/*
 * A buffer exported as a dma-buf is the same memory: a device job writes
 * it and an mmap() of the dma-buf fd sees the value. Another file can
 * import it (jobs through the import: test_prime_import).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "guest_util.h"

int main(void)
{
	accel_device *dev, *dev2;
	uint64_t *shared;
	accel_cmdbuf *cb;
	accel_ctx *ctx;
	uint32_t handle;
	accel_bo *bo;
	void *map;
	int fd, ret;

	test_init("bo_share");
	dev = open_first_device();
	bo = alloc_mapped(dev, 8192, &map);
	check_ok(dev, accel_bo_export(bo, &fd), "accel_bo_export");
	shared = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED)
		test_fail("mmap of the exported dma-buf: expected success, got %m");

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 4096, 0xc0ffee);
	expect_u64("job status", ACCEL_JOB_OK, run_job(ctx, dev, cb, &bo, 1, 5000));
	expect_u64("value seen through the dma-buf mapping", 0xc0ffee, shared[512]);

	dev2 = open_first_device();
	ret = drmPrimeFDToHandle(accel_device_fd(dev2), fd, &handle) ? -errno : 0;
	expect_int("PRIME import into another file", 0, ret);
	{
		struct drm_gem_close c = {.handle = handle};

		expect_int("GEM_CLOSE of the import", 0,
			   drmIoctl(accel_device_fd(dev2), DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0);
	}

	munmap(shared, 8192);
	close(fd);
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
	accel_device_close(dev2);
	accel_device_close(dev);
	test_pass();
}
