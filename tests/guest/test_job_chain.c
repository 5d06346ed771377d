/* SPDX-License-Identifier: MIT */
/*
 * A job given another job as an in-fence (accel_submit_args.wait) starts
 * only after that job finished, even on another context and queue with no
 * buffer in common: B's first TIMESTAMP is not before A's last, and B's
 * copy of A's GEMM result sees the finished result.
 *
 * The setup makes the wait matter: a long job X occupies the device, A
 * queues behind X on a NORMAL context, and B is queued on a HIGH context
 * meanwhile. Without the wait the device would pick B before A once X is
 * done (strict priority).
 */
#include <string.h>

#include "guest_util.h"

#define DIM  256
#define XDIM 512

int main(void)
{
	accel_bo *ba, *bb, *bc, *bd, *ts_a, *ts_b, *cmd_a, *cmd_b;
	accel_ctx *ctx_a, *ctx_b;
	accel_job *job_a, *job_b;
	accel_cmdbuf *cb;
	accel_device *dev;
	uint64_t *ta, *tb;
	float *a, *b, *c, *d;
	struct accel_submit_args args_a, args_b;
	accel_bo *xa, *xb, *xc, *bos_x[3];
	accel_cmdbuf *cb_x;
	accel_job *job_x;
	accel_bo *bos_a[4], *bos_b[2];
	uint32_t st;
	void *map;

	test_init("job_chain");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx_a), "accel_ctx_create");
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_HIGH, &ctx_b), "accel_ctx_create");
	ba = alloc_mapped(dev, DIM * DIM * 4, &map);
	a = map;
	bb = alloc_mapped(dev, DIM * DIM * 4, &map);
	b = map;
	bc = alloc_mapped(dev, DIM * DIM * 4, &map);
	c = map;
	bd = alloc_mapped(dev, DIM * DIM * 4, &map);
	d = map;
	ts_a = alloc_mapped(dev, 4096, &map);
	ta = map;
	ts_b = alloc_mapped(dev, 4096, &map);
	tb = map;
	bos_a[0] = ba, bos_a[1] = bb, bos_a[2] = bc, bos_a[3] = ts_a;
	bos_b[0] = bd, bos_b[1] = ts_b;
	for (int i = 0; i < DIM * DIM; i++) {
		a[i] = (float)(i % 7) - 3.0f;
		b[i] = (float)(i % 5) - 2.0f;
	}

	/* X: a long GEMM on buffers of its own (no implicit ordering with A or B). */
	xa = alloc_mapped(dev, XDIM * XDIM * 4, &map);
	xb = alloc_mapped(dev, XDIM * XDIM * 4, &map);
	xc = alloc_mapped(dev, XDIM * XDIM * 4, &map);
	bos_x[0] = xa, bos_x[1] = xb, bos_x[2] = xc;
	cb_x = new_cmdbuf();
	accel_cmdbuf_gemm(cb_x, &(struct accel_gemm){.m = XDIM,
						     .n = XDIM,
						     .k = XDIM,
						     .a_va = accel_bo_va(xa),
						     .b_va = accel_bo_va(xb),
						     .c_va = accel_bo_va(xc)});

	/* A: a GEMM long enough to still run when B is submitted, then its end time. */
	cb = new_cmdbuf();
	accel_cmdbuf_timestamp(cb, accel_bo_va(ts_a));
	accel_cmdbuf_gemm(cb, &(struct accel_gemm){.m = DIM,
						   .n = DIM,
						   .k = DIM,
						   .a_va = accel_bo_va(ba),
						   .b_va = accel_bo_va(bb),
						   .c_va = accel_bo_va(bc)});
	accel_cmdbuf_timestamp(cb, accel_bo_va(ts_a) + 8);
	check_ok(dev, accel_cmdbuf_upload(dev, cb, &cmd_a), "upload A");
	args_a = (struct accel_submit_args){.cmd_bo = cmd_a,
					    .cmd_size = (uint32_t)accel_cmdbuf_size(cb),
					    .bos = bos_a,
					    .bo_count = 4};

	/* B: lists neither C nor A's buffers, so only the explicit wait orders it. */
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_timestamp(cb, accel_bo_va(ts_b));
	accel_cmdbuf_dma_copy(cb, accel_bo_va(bc), accel_bo_va(bd), DIM * DIM * 4);
	check_ok(dev, accel_cmdbuf_upload(dev, cb, &cmd_b), "upload B");
	args_b = (struct accel_submit_args){.cmd_bo = cmd_b,
					    .cmd_size = (uint32_t)accel_cmdbuf_size(cb),
					    .bos = bos_b,
					    .bo_count = 2,
					    .wait = &job_a,
					    .wait_count = 1};

	/*
	 * Back to back, so B (higher priority, another queue) is queued while
	 * A still runs: without the wait the device would start B first.
	 */
	check_ok(dev, accel_submit_cmdbuf(ctx_a, cb_x, bos_x, 3, &job_x), "submit X");
	check_ok(dev, accel_submit(ctx_a, &args_a, &job_a), "submit A");
	check_ok(dev, accel_submit(ctx_b, &args_b, &job_b), "submit B waiting for A");

	check_ok(dev, accel_job_wait(job_b, 60ll * 1000000000), "wait B");
	check_ok(dev, accel_job_wait(job_a, 0), "A finished when B did");
	check_ok(dev, accel_job_status(job_a, &st), "status A");
	expect_u64("job A status", ACCEL_JOB_OK, st);
	check_ok(dev, accel_job_status(job_b, &st), "status B");
	expect_u64("job B status", ACCEL_JOB_OK, st);
	if (!ta[1] || !tb[0] || tb[0] < ta[1])
		test_fail("B's start timestamp: expected >= A's end %llu, got %llu",
			  (unsigned long long)ta[1], (unsigned long long)tb[0]);
	if (memcmp(c, d, DIM * DIM * 4))
		test_fail("B's copy of C: expected A's finished GEMM result, got different bytes");

	accel_job_destroy(job_b);
	accel_job_destroy(job_a);
	check_ok(dev, accel_job_wait(job_x, 60ll * 1000000000), "wait X");
	accel_job_destroy(job_x);
	accel_cmdbuf_destroy(cb_x);
	accel_bo_free(xc);
	accel_bo_free(xb);
	accel_bo_free(xa);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(cmd_b);
	accel_bo_free(cmd_a);
	accel_bo_free(ts_b);
	accel_bo_free(ts_a);
	accel_bo_free(bd);
	accel_bo_free(bc);
	accel_bo_free(bb);
	accel_bo_free(ba);
	accel_ctx_destroy(ctx_b);
	accel_ctx_destroy(ctx_a);
	accel_device_close(dev);
	test_pass();
}
