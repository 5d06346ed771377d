/* SPDX-License-Identifier: MIT */
/*
 * libaccel keeps the syncobjs of destroyed jobs for later submits, so a job
 * costs a SUBMIT and a wait. A reused syncobj must stand for its new job
 * only: its wait may not return on the previous job's signalled fence, and
 * a pool that overflows must still give every job a working syncobj.
 */
#include <stdbool.h>

#include "guest_util.h"

/*
 * Milliseconds of device time before the fence write, so a wait that
 * returned on the previous (signalled) fence would find the old value.
 */
#define BUSY_DIM   256
#define BUSY_GEMMS 8
#define MATRIX	   (BUSY_DIM * BUSY_DIM * 4)
#define BO_SIZE	   (4096 + 3 * MATRIX)
#define MANY	   100

static void append_busy_work(accel_device *dev, accel_cmdbuf *cb, accel_bo *bo)
{
	uint64_t base = accel_bo_va(bo) + 4096;
	struct accel_gemm g = {
		.m = BUSY_DIM,
		.n = BUSY_DIM,
		.k = BUSY_DIM,
		.a_va = base,
		.b_va = base + MATRIX,
		.c_va = base + 2 * MATRIX,
	};

	for (int i = 0; i < BUSY_GEMMS; i++)
		check_ok(dev, accel_cmdbuf_gemm(cb, &g), "accel_cmdbuf_gemm");
}

static accel_job *submit_write(accel_ctx *ctx, accel_device *dev, accel_cmdbuf *cb, accel_bo *bo,
			       unsigned int slot, uint64_t value, bool busy)
{
	accel_job *job;

	accel_cmdbuf_reset(cb);
	if (busy)
		append_busy_work(dev, cb, bo);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8 * slot, value);
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "accel_submit_cmdbuf");
	return job;
}

int main(void)
{
	accel_device *dev;
	accel_ctx *ctx;
	accel_cmdbuf *cb;
	accel_job *job, *many[MANY];
	accel_bo *bo;
	uint64_t *words;
	uint32_t first, status;
	void *map;

	test_init("syncobj_reuse");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, BO_SIZE, &map);
	words = map;
	cb = new_cmdbuf();

	job = submit_write(ctx, dev, cb, bo, 0, 1, false);
	check_ok(dev, accel_job_wait(job, 5ll * 1000000000), "wait for the first job");
	first = accel_job_syncobj(job);
	accel_job_destroy(job);

	/* The next job takes the spare: its wait is for its own fence. */
	job = submit_write(ctx, dev, cb, bo, 0, 2, true);
	expect_u64("syncobj of the job after a destroyed one (reused)", first,
		   accel_job_syncobj(job));
	check_ok(dev, accel_job_wait(job, 30ll * 1000000000), "wait for the busy job");
	expect_u64("value written by the busy job, read right after its wait", 2, words[0]);
	check_ok(dev, accel_job_status(job, &status), "accel_job_status");
	expect_u64("busy job status", ACCEL_JOB_OK, status);
	accel_job_destroy(job);

	/*
	 * More jobs in flight than the pool keeps, twice: the second batch
	 * mixes spares and new syncobjs, and each job still signals for itself.
	 */
	for (int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < MANY; i++)
			many[i] = submit_write(ctx, dev, cb, bo, 1 + i % 500,
					       ((uint64_t)round << 32) | i, false);
		for (unsigned int i = 0; i < MANY; i++) {
			for (unsigned int j = 0; j < i; j++)
				if (accel_job_syncobj(many[j]) == accel_job_syncobj(many[i]))
					test_fail(
						"round %d: jobs %u and %u in flight share syncobj "
						"%u",
						round, j, i, accel_job_syncobj(many[i]));
			check_ok(dev, accel_job_wait(many[i], 30ll * 1000000000), "job wait");
			expect_u64("value of a job in the batch", ((uint64_t)round << 32) | i,
				   words[1 + i]);
		}
		for (unsigned int i = 0; i < MANY; i++)
			accel_job_destroy(many[i]);
	}

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
