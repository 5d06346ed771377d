/* SPDX-License-Identifier: MIT */
/*
 * Malformed tensor commands through the whole stack end the job with the
 * documented error (docs/hw-spec.md §12) and touch nothing: bad dtype,
 * rank 7, stride overflow and a misaligned VA are INVALID_CMD; a view
 * whose extent leaves its buffer is MMU_FAULT. The next job runs. PROFILE
 * reads the job's modeled time back, nonzero and growing with the work.
 *
 * The builder refuses some of these itself, so the bad fields are patched
 * into an uploaded copy of a good stream and submitted raw.
 */
#include <stddef.h>
#include <string.h>

#include <ares/ops.h>

#include "guest_util.h"

static accel_device *dev;
static accel_ctx *ctx;
static accel_bo *data;
static float *mem;
static uint64_t base;

/* Submits the bytes of @cb after @patch edits them; returns the job status. */
static uint32_t run_patched(accel_cmdbuf *cb, void (*patch)(struct ares_cmd_eltwise *))
{
	struct accel_submit_args args = {0};
	accel_bo *cmd;
	accel_job *job;
	uint32_t status;
	void *map;

	cmd = alloc_mapped(dev, 4096, &map);
	memcpy(map, accel_cmdbuf_data(cb), accel_cmdbuf_size(cb));
	patch(map);
	args.cmd_bo = cmd;
	args.cmd_size = (uint32_t)accel_cmdbuf_size(cb);
	args.bos = &data;
	args.bo_count = 1;
	check_ok(dev, accel_submit(ctx, &args, &job), "accel_submit");
	check_ok(dev, accel_job_wait(job, 60000000000ll), "accel_job_wait");
	check_ok(dev, accel_job_status(job, &status), "accel_job_status");
	accel_job_destroy(job);
	accel_bo_free(cmd);
	return status;
}

static void bad_dtype(struct ares_cmd_eltwise *e)
{
	e->in[0].dtype = 42;
}

static void rank7(struct ares_cmd_eltwise *e)
{
	e->out.rank = 7;
}

static void stride_overflow(struct ares_cmd_eltwise *e)
{
	e->in[0].stride[0] = 1ull << 62;
}

static void misaligned(struct ares_cmd_eltwise *e)
{
	e->out.va += 2;
}

static void past_buffer(struct ares_cmd_eltwise *e)
{
	/* 64 floats read from 32 floats before the end of the 64 KiB buffer. */
	e->in[0].va += 65536 - 128;
}

static void nothing(struct ares_cmd_eltwise *e)
{
	(void)e;
}

/* Modeled time of one job: a square ADD of @n x @n floats between two PROFILEs. */
static uint64_t modeled(uint64_t n)
{
	struct ares_eltwise_params ep = {.op = ARES_ELT_ADD};
	struct ares_profile_record *rec = (void *)((char *)mem + 0xf000);
	const uint64_t sh[2] = {n, n};
	struct ares_tensor_desc a, y;
	const struct ares_tensor_desc *in[2] = {&a, &a};
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t status;

	accel_tensor_desc_init(&a, base, ARES_DTYPE_F32, 2, sh);
	accel_tensor_desc_init(&y, base + 0x8000, ARES_DTYPE_F32, 2, sh);
	accel_cmdbuf_profile(cb, base + 0xf000);
	accel_cmdbuf_eltwise(cb, &ep, 2, in, &y);
	accel_cmdbuf_profile(cb, base + 0xf010);
	status = run_job(ctx, dev, cb, &data, 1, 60000);
	expect_u64("profile job status", ACCEL_JOB_OK, status);
	accel_cmdbuf_destroy(cb);
	expect_u64("modeled time before the first command", 0, rec[0].modeled_ns);
	if (rec[1].now_ns < rec[0].now_ns)
		test_fail("PROFILE clock went backwards: %llu then %llu",
			  (unsigned long long)rec[0].now_ns, (unsigned long long)rec[1].now_ns);
	return rec[1].modeled_ns;
}

int main(void)
{
	struct ares_eltwise_params ep = {.op = ARES_ELT_NEG};
	const uint64_t sh[2] = {8, 8};
	struct ares_tensor_desc x, y;
	const struct ares_tensor_desc *in[1] = {&x};
	static const struct {
		const char *what;
		void (*patch)(struct ares_cmd_eltwise *);
		uint32_t status;
	} cases[] = {
		{"bad dtype", bad_dtype, ACCEL_JOB_INVALID_CMD},
		{"rank 7", rank7, ACCEL_JOB_INVALID_CMD},
		{"stride overflow", stride_overflow, ACCEL_JOB_INVALID_CMD},
		{"misaligned VA", misaligned, ACCEL_JOB_INVALID_CMD},
		{"extent beyond the buffer", past_buffer, ACCEL_JOB_MMU_FAULT},
		{"the good command after them", nothing, ACCEL_JOB_OK},
	};
	uint64_t t_small, t_big;
	accel_cmdbuf *cb;
	void *map;
	int i;
	size_t c;

	test_init("compute_errors");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	data = alloc_mapped(dev, 65536, &map);
	mem = map;
	base = accel_bo_va(data);
	for (i = 0; i < 64; i++) {
		mem[i] = (float)i;
		mem[1024 + i] = 99.0f;
	}
	check_ok(dev, accel_tensor_desc_init(&x, base, ARES_DTYPE_F32, 2, sh), "desc x");
	check_ok(dev, accel_tensor_desc_init(&y, base + 4096, ARES_DTYPE_F32, 2, sh), "desc y");
	cb = new_cmdbuf();
	check_ok(dev, accel_cmdbuf_eltwise(cb, &ep, 1, in, &y), "accel_cmdbuf_eltwise");

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint32_t status = run_patched(cb, cases[c].patch);

		if (status != cases[c].status)
			test_fail("%s: expected job status %s, got %s", cases[c].what,
				  accel_job_status_name(cases[c].status),
				  accel_job_status_name(status));
		for (i = 0; i < 64; i++) {
			float want = cases[c].status == ACCEL_JOB_OK ? -(float)i : 99.0f;

			if (mem[1024 + i] != want)
				test_fail("%s: output[%d] expected %g, got %g", cases[c].what, i,
					  want, mem[1024 + i]);
		}
	}
	accel_cmdbuf_destroy(cb);

	t_small = modeled(4);
	t_big = modeled(64);
	if (!t_small || t_big <= t_small)
		test_fail("modeled time: expected nonzero and growing with work, got %llu ns for "
			  "4x4 and %llu ns for 64x64",
			  (unsigned long long)t_small, (unsigned long long)t_big);
	accel_bo_free(data);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
