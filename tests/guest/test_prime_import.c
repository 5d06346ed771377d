/* SPDX-License-Identifier: MIT */
/*
 * PRIME import maps a dma-buf into the importing file's address space:
 *  - from another file of this device: a job of the importer writes the
 *    exporter's buffer and copies from it;
 *  - from another driver (udmabuf over a memfd): a job fills the memfd's
 *    pages, seen through the memfd's own mapping;
 *  - from another DRM driver through libdrm (a vgem dumb buffer exported
 *    with drmPrimeHandleToFD): a job fills it, seen through vgem's own
 *    mapping, and a job copies what vgem's side wrote;
 *  - a file descriptor that is not a dma-buf, and a dma-buf that is not
 *    whole pages, are refused and create nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <xf86drm.h>
#include <linux/udmabuf.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_util.h"

#define SIZE (16 * 4096)

static void fill_and_check(accel_device *dev, accel_ctx *ctx, accel_bo *bo, const uint32_t *view,
			   uint32_t pattern, const char *what)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t status;

	accel_cmdbuf_fill(cb, accel_bo_va(bo), SIZE, pattern);
	status = run_job(ctx, dev, cb, &bo, 1, 10000);
	if (status != ACCEL_JOB_OK)
		test_fail("%s: FILL job: expected OK, got %s", what, accel_job_status_name(status));
	for (size_t i = 0; i < SIZE / 4; i++)
		if (view[i] != pattern)
			test_fail(
				"%s: word %zu seen by the other side: expected 0x%08x, got 0x%08x",
				what, i, pattern, view[i]);
	accel_cmdbuf_destroy(cb);
}

static void same_device_other_file(void)
{
	accel_device *a = open_first_device(), *b = open_first_device();
	accel_bo *abo, *imp, *local;
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t *amap, *lmap, status;
	accel_ctx *ctx;
	void *map;
	int fd;

	abo = alloc_mapped(a, SIZE, &map);
	amap = map;
	check_ok(a, accel_bo_export(abo, &fd), "accel_bo_export");
	check_ok(b, accel_bo_import(b, fd, &imp), "accel_bo_import from another file");
	close(fd);
	expect_u64("imported size", SIZE, accel_bo_size(imp));
	check_ok(b, accel_ctx_create(b, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	fill_and_check(b, ctx, imp, amap, 0x5a5a1234, "import from another file");

	/* And read: copy the exporter's data (written by its CPU) to a local buffer. */
	for (size_t i = 0; i < SIZE / 4; i++)
		amap[i] = (uint32_t)(i * 2654435761u);
	local = alloc_mapped(b, SIZE, &map);
	lmap = map;
	accel_cmdbuf_dma_copy(cb, accel_bo_va(imp), accel_bo_va(local), SIZE);
	{
		accel_bo *bos[] = {imp, local};

		status = run_job(ctx, b, cb, bos, 2, 10000);
	}
	if (status != ACCEL_JOB_OK)
		test_fail("DMA_COPY from the import: expected OK, got %s",
			  accel_job_status_name(status));
	if (memcmp(lmap, amap, SIZE))
		test_fail("DMA_COPY from the import: the copy differs from the exporter's data");
	accel_cmdbuf_destroy(cb);
	accel_bo_free(local);
	accel_bo_free(imp);
	accel_ctx_destroy(ctx);
	accel_bo_free(abo);
	accel_device_close(b);
	accel_device_close(a);
}

static int udmabuf_of(int memfd, uint64_t size)
{
	struct udmabuf_create c = {.memfd = (uint32_t)memfd,
				   .flags = UDMABUF_FLAGS_CLOEXEC,
				   .offset = 0,
				   .size = size};
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), fd;

	if (dev < 0)
		test_fail("open /dev/udmabuf: %m (the kernel has CONFIG_UDMABUF=y)");
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0)
		test_fail("UDMABUF_CREATE of %llu bytes: %m", (unsigned long long)size);
	close(dev);
	return fd;
}

static void other_driver(void)
{
	accel_device *dev = open_first_device();
	accel_bo *imp;
	accel_ctx *ctx;
	uint32_t *view;
	int memfd, fd;

	memfd = memfd_create("prime-import", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, SIZE) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		test_fail("memfd for udmabuf: %m");
	view = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (view == MAP_FAILED)
		test_fail("mmap memfd: %m");
	memset(view, 0, SIZE);
	fd = udmabuf_of(memfd, SIZE);
	check_ok(dev, accel_bo_import(dev, fd, &imp), "accel_bo_import of a udmabuf");
	close(fd);
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	fill_and_check(dev, ctx, imp, view, 0xc0ffee11, "udmabuf import");
	accel_bo_free(imp);
	accel_ctx_destroy(ctx);

	/* Refused: not a dma-buf. */
	expect_int("accel_bo_import of a memfd (not a dma-buf)", -EINVAL,
		   accel_bo_import(dev, memfd, &imp));
	munmap(view, SIZE);
	close(memfd);
	accel_device_close(dev);
}

static void vgem_through_libdrm(void)
{
	struct drm_mode_create_dumb create = {.width = 1024, .height = SIZE / 4096, .bpp = 32};
	struct drm_mode_map_dumb map = {0};
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	accel_bo *imp, *local, *bos[2];
	uint32_t *view, *lmap, status;
	accel_ctx *ctx;
	void *m;
	int vfd, fd;

	vfd = open_vgem();
	if (vfd < 0)
		test_fail("vgem: expected the driver (Debian builds it as a module), found no "
			  "/dev/dri/card* of vgem after modprobe");
	if (drmIoctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		test_fail("vgem CREATE_DUMB of %d bytes: %m", SIZE);
	map.handle = create.handle;
	if (drmIoctl(vfd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		test_fail("vgem MAP_DUMB: %m");
	view = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, (off_t)map.offset);
	if (view == MAP_FAILED)
		test_fail("mmap of the vgem buffer: %m");
	memset(view, 0, SIZE);
	if (drmPrimeHandleToFD(vfd, create.handle, DRM_CLOEXEC | DRM_RDWR, &fd))
		test_fail("drmPrimeHandleToFD on vgem: %m");
	check_ok(dev, accel_bo_import(dev, fd, &imp), "accel_bo_import of a vgem dma-buf");
	close(fd);
	expect_u64("size of the vgem import", SIZE, accel_bo_size(imp));
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	fill_and_check(dev, ctx, imp, view, 0x76e3aaaa, "vgem import");

	for (size_t i = 0; i < SIZE / 4; i++)
		view[i] = (uint32_t)(i * 40503u + 7);
	local = alloc_mapped(dev, SIZE, &m);
	lmap = m;
	accel_cmdbuf_dma_copy(cb, accel_bo_va(imp), accel_bo_va(local), SIZE);
	bos[0] = imp;
	bos[1] = local;
	status = run_job(ctx, dev, cb, bos, 2, 10000);
	if (status != ACCEL_JOB_OK)
		test_fail("DMA_COPY from the vgem import: expected OK, got %s",
			  accel_job_status_name(status));
	if (memcmp(lmap, view, SIZE))
		test_fail("DMA_COPY from the vgem import: the copy differs from what vgem's "
			  "mapping holds");
	accel_cmdbuf_destroy(cb);
	accel_bo_free(local);
	accel_bo_free(imp);
	accel_ctx_destroy(ctx);
	munmap(view, SIZE);
	close(vfd);
	accel_device_close(dev);
}

int main(void)
{
	test_init("prime_import");
	same_device_other_file();
	other_driver();
	vgem_through_libdrm();
	test_pass();
}
