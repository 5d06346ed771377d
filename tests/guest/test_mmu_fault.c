/* SPDX-License-Identifier: MIT */
/*
 * A job writing to an unmapped VA ends with MMU_FAULT status, and the next
 * job on another context runs normally.
 */
#include "ares/mmu.h"

#include "guest_util.h"

int main(void)
{
	accel_ctx *bad_ctx, *good_ctx;
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_bo *bo;
	uint64_t *p;
	uint32_t status;
	void *map;

	test_init("mmu_fault");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &bad_ctx), "accel_ctx_create");
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &good_ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, 4096, &map);
	p = map;

	/* Below ARES_VA_START nothing is ever mapped. */
	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, ARES_VA_START - 2 * ARES_PAGE_SIZE, 1);
	status = run_job(bad_ctx, dev, cb, &bo, 1, 5000);
	if (status != ACCEL_JOB_MMU_FAULT)
		test_fail("job writing unmapped VA 0x%llx: expected status MMU_FAULT, got %s",
			  (unsigned long long)(ARES_VA_START - 2 * ARES_PAGE_SIZE),
			  accel_job_status_name(status));

	/* A read of an unmapped VA right after a mapped buffer faults too. */
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(bo) + accel_bo_size(bo) + 64 * ARES_PAGE_SIZE,
			      accel_bo_va(bo), 8);
	status = run_job(bad_ctx, dev, cb, &bo, 1, 5000);
	if (status != ACCEL_JOB_MMU_FAULT)
		test_fail("job reading an unmapped VA: expected status MMU_FAULT, got %s",
			  accel_job_status_name(status));

	accel_cmdbuf_reset(cb);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 0xabcdef);
	status = run_job(good_ctx, dev, cb, &bo, 1, 5000);
	if (status != ACCEL_JOB_OK)
		test_fail("job on another context after the fault: expected status OK, got %s",
			  accel_job_status_name(status));
	expect_u64("value written after the fault", 0xabcdef, p[0]);

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(good_ctx);
	accel_ctx_destroy(bad_ctx);
	accel_device_close(dev);
	test_pass();
}
