/* SPDX-License-Identifier: MIT */
/*
 * A buffer gets a page-aligned device VA inside the advertised window, and
 * what the CPU writes through one mapping reads back through another.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/ioctl.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

int main(void)
{
	const uint64_t size = 3 * 4096 + 100;
	struct accel_device_info info;
	struct drm_ares_bo_info bi = {0};
	accel_bo *bo, *bo2;
	accel_device *dev;
	uint32_t *p, *p2;
	void *map;

	test_init("bo_mmap");
	dev = open_first_device();
	check_ok(dev, accel_device_query_info(dev, &info), "accel_device_query_info");
	bo = alloc_mapped(dev, size, &map);
	p = map;
	bo2 = alloc_mapped(dev, 4096, &map);

	if (accel_bo_va(bo) % 4096 || accel_bo_va(bo) < info.va_start ||
	    accel_bo_va(bo) + accel_bo_size(bo) > info.va_end)
		test_fail("BO va: expected page aligned within 0x%llx-0x%llx, got 0x%llx",
			  (unsigned long long)info.va_start, (unsigned long long)info.va_end,
			  (unsigned long long)accel_bo_va(bo));
	if (accel_bo_va(bo2) < accel_bo_va(bo) + accel_bo_size(bo) &&
	    accel_bo_va(bo) < accel_bo_va(bo2) + accel_bo_size(bo2))
		test_fail("VAs of two BOs: expected disjoint ranges, got 0x%llx and 0x%llx",
			  (unsigned long long)accel_bo_va(bo),
			  (unsigned long long)accel_bo_va(bo2));

	bi.handle = accel_bo_handle(bo);
	if (drmIoctl(accel_device_fd(dev), DRM_IOCTL_ARES_BO_INFO, &bi))
		test_fail("BO_INFO: expected 0, got -1 (%m)");
	expect_u64("BO_INFO.size (rounded to pages)", 4 * 4096, bi.size);
	expect_u64("BO_INFO.va", accel_bo_va(bo), bi.va);

	for (uint32_t i = 0; i < size / 4; i++)
		p[i] = i * 2654435761u;
	/* A second, independent mapping of the same object sees the writes. */
	p2 = mmap(NULL, bi.size, PROT_READ | PROT_WRITE, MAP_SHARED, accel_device_fd(dev),
		  (off_t)bi.mmap_offset);
	if (p2 == MAP_FAILED)
		test_fail("second mmap at offset 0x%llx: expected success, got %m",
			  (unsigned long long)bi.mmap_offset);
	for (uint32_t i = 0; i < size / 4; i++)
		if (p2[i] != i * 2654435761u)
			test_fail("word %u through second mapping: expected 0x%x, got 0x%x", i,
				  i * 2654435761u, p2[i]);
	p2[5] = 0xfeedface;
	expect_u64("write through second mapping seen by first", 0xfeedface, p[5]);
	munmap(p2, bi.size);

	check_ok(dev, accel_bo_free(bo2), "accel_bo_free");
	check_ok(dev, accel_bo_free(bo), "accel_bo_free");
	accel_device_close(dev);
	test_pass();
}
