/* SPDX-License-Identifier: MIT */
/*
 * Two open files are two address spaces that cannot see each other, also
 * when they take turns on one hardware slot:
 *  - a job of file A writing or reading at a VA that only file B has mapped
 *    ends with MMU_FAULT and B's buffer is unchanged;
 *  - with the as_slots test mode at 1, A and B alternate 200 jobs that
 *    write the same VA (each file's first buffer), so the slot changes
 *    owner (and is invalidated) every job: each file's buffer only ever
 *    holds its own values.
 */
#include <stdio.h>
#include <string.h>

#include "guest_util.h"

#define ALTERNATIONS 100

static void write_param(const char *val)
{
	const char *path = "/sys/module/ares/parameters/as_slots";
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		test_fail("write %s to %s: %m", val, path);
}

static uint32_t job_status(accel_ctx *ctx, accel_device *dev, accel_cmdbuf *cb, accel_bo *bo)
{
	return run_job(ctx, dev, cb, &bo, 1, 20000);
}

int main(void)
{
	accel_device *a, *b;
	accel_ctx *ctx_a, *ctx_a2, *ctx_b;
	accel_bo *bo_a, *bo_b, *bo_b2, *spacer;
	uint64_t *map_a, *map_b, *map_b2;
	void *spacer_map;
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t status;

	test_init("isolation");
	a = open_first_device();
	b = open_first_device();
	check_ok(a, accel_ctx_create(a, ACCEL_PRIORITY_NORMAL, &ctx_a), "ctx_create A");
	check_ok(b, accel_ctx_create(b, ACCEL_PRIORITY_NORMAL, &ctx_b), "ctx_create B");
	bo_a = alloc_mapped(a, 4096, (void **)&map_a);
	bo_b = alloc_mapped(b, 4096, (void **)&map_b);
	/*
	 * Beyond anything A maps: A's command buffers take the VAs after its
	 * first buffer, so B's second buffer goes 4 MiB further.
	 */
	spacer = alloc_mapped(b, 4 << 20, &spacer_map);
	bo_b2 = alloc_mapped(b, 4096, (void **)&map_b2);
	if (accel_bo_va(bo_a) != accel_bo_va(bo_b))
		test_fail("expected both files' first buffers at the same VA, got 0x%llx and "
			  "0x%llx",
			  (unsigned long long)accel_bo_va(bo_a),
			  (unsigned long long)accel_bo_va(bo_b));
	map_b2[0] = 0xb2b2b2b2;

	/* A writes where only B has memory. */
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo_b2), 0xa1);
	status = job_status(ctx_a, a, cb, bo_a);
	if (status != ACCEL_JOB_MMU_FAULT)
		test_fail("A's write at B's VA: expected MMU_FAULT, got %s",
			  accel_job_status_name(status));
	expect_u64("B's buffer after A's write at its VA", 0xb2b2b2b2, map_b2[0]);

	/* A reads B's VA into its own buffer, on a fresh context. */
	check_ok(a, accel_ctx_create(a, ACCEL_PRIORITY_NORMAL, &ctx_a2), "ctx_create A2");
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(bo_b2), accel_bo_va(bo_a), 8);
	status = job_status(ctx_a2, a, cb, bo_a);
	if (status != ACCEL_JOB_MMU_FAULT)
		test_fail("A's read at B's VA: expected MMU_FAULT, got %s",
			  accel_job_status_name(status));
	if (map_a[0] == 0xb2b2b2b2)
		test_fail("A's buffer holds B's value after a read at B's VA");

	/* One slot, two owners taking turns at the same VA. */
	write_param("1");
	for (uint64_t i = 0; i < ALTERNATIONS; i++) {
		uint64_t va = accel_bo_va(bo_a);

		accel_cmdbuf_reset(cb);
		accel_cmdbuf_fence_write(cb, va, 0xaa00000000ull | i);
		status = job_status(ctx_a2, a, cb, bo_a);
		if (status != ACCEL_JOB_OK || map_a[0] != (0xaa00000000ull | i))
			test_fail("turn %llu: A's job: expected OK and 0x%llx, got %s and 0x%llx",
				  (unsigned long long)i, 0xaa00000000ull | i,
				  accel_job_status_name(status), (unsigned long long)map_a[0]);
		accel_cmdbuf_reset(cb);
		accel_cmdbuf_fence_write(cb, va, 0xbb00000000ull | i);
		status = job_status(ctx_b, b, cb, bo_b);
		if (status != ACCEL_JOB_OK || map_b[0] != (0xbb00000000ull | i))
			test_fail("turn %llu: B's job: expected OK and 0x%llx, got %s and 0x%llx",
				  (unsigned long long)i, 0xbb00000000ull | i,
				  accel_job_status_name(status), (unsigned long long)map_b[0]);
		if (map_a[0] != (0xaa00000000ull | i))
			test_fail("turn %llu: A's buffer changed by B's job: 0x%llx",
				  (unsigned long long)i, (unsigned long long)map_a[0]);
	}
	write_param("0");
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo_b2);
	accel_bo_free(spacer);
	accel_bo_free(bo_b);
	accel_bo_free(bo_a);
	accel_ctx_destroy(ctx_b);
	accel_ctx_destroy(ctx_a2);
	accel_ctx_destroy(ctx_a);
	accel_device_close(b);
	accel_device_close(a);
	test_pass();
}
