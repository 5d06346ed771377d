/* SPDX-License-Identifier: MIT */
/*
 * PRELU (hw-spec §12.12), the op table's worked example
 * (docs/extending.md), through libaccel, the driver, sim and the
 * firmware: an NCHW f32 tensor with one slope per channel (the slope
 * broadcast by stride 0, as ONNX PRelu broadcasts a [C, 1, 1] slope)
 * against a reference computed here, exactly (one f32 multiply); and a
 * PRELU the firmware must refuse (I32) ends the job with INVALID_CMD and
 * leaves the output as it was. Then the same command once more through
 * the generic builder, accel_cmdbuf_tensor_op(), which gives the same
 * output; and one whose reserved word it passes on (not a builder's rule)
 * is refused by the firmware.
 */
#include <stdlib.h>
#include <string.h>

#include <ares/ops.h>

#include "guest_util.h"

enum {
	X = 0x0000,	/* f32 [2][3][4][5] */
	SLOPE = 0x1000, /* f32 [3] */
	Y = 0x2000,	/* f32 [2][3][4][5] */
	SIZE = 0x3000,
};

/* Y is PRelu(X) with one slope per channel of [2][3][4][5], bit for bit. */
static void expect_prelu(const float *xf, const float *sf, const float *yf, const char *builder)
{
	for (int i = 0; i < 120; i++) {
		float s = sf[(i / 20) % 3];
		float want = xf[i] < 0 ? s * xf[i] : xf[i];

		if (memcmp(&yf[i], &want, sizeof(want)))
			test_fail("%s: y[%d] (x %g, slope %g): expected %g, got %g", builder, i,
				  xf[i], s, want, yf[i]);
	}
}

int main(void)
{
	const uint64_t shape[4] = {2, 3, 4, 5};
	struct ares_tensor_desc x, slope, y;
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_ctx *ctx;
	accel_bo *bo;
	uint64_t base;
	uint32_t status;
	uint8_t *mem;
	float *xf, *sf, *yf;
	void *map;
	int i;

	test_init("compute_prelu");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, SIZE, &map);
	mem = map;
	base = accel_bo_va(bo);
	xf = (float *)(mem + X);
	sf = (float *)(mem + SLOPE);
	yf = (float *)(mem + Y);
	for (i = 0; i < 120; i++)
		xf[i] = (float)((i * 37) % 41 - 20) / 8.0f;
	sf[0] = 0.25f, sf[1] = -1.5f, sf[2] = 0.0f;
	for (i = 0; i < 120; i++)
		yf[i] = 1234.0f;

	check_ok(dev, accel_tensor_desc_init(&x, base + X, ARES_DTYPE_F32, 4, shape), "x desc");
	check_ok(dev, accel_tensor_desc_init(&slope, base + SLOPE, ARES_DTYPE_F32, 4, shape),
		 "slope desc");
	slope.stride[0] = 0, slope.stride[1] = 1, slope.stride[2] = 0, slope.stride[3] = 0;
	check_ok(dev, accel_tensor_desc_init(&y, base + Y, ARES_DTYPE_F32, 4, shape), "y desc");

	/* Refused by the firmware: I32 is no PRELU dtype, and nothing is written. */
	cb = new_cmdbuf();
	x.dtype = slope.dtype = y.dtype = ARES_DTYPE_I32;
	check_ok(dev, accel_cmdbuf_prelu(cb, &x, &slope, &y), "accel_cmdbuf_prelu (i32)");
	status = run_job(ctx, dev, cb, &bo, 1, 60000);
	if (status != ACCEL_JOB_INVALID_CMD)
		test_fail("PRELU of I32: expected job status INVALID_CMD (%d), got %u",
			  ACCEL_JOB_INVALID_CMD, status);
	for (i = 0; i < 120; i++)
		if (yf[i] != 1234.0f)
			test_fail("refused PRELU wrote y[%d] = %g", i, yf[i]);
	accel_cmdbuf_destroy(cb);

	cb = new_cmdbuf();
	x.dtype = slope.dtype = y.dtype = ARES_DTYPE_F32;
	check_ok(dev, accel_cmdbuf_prelu(cb, &x, &slope, &y), "accel_cmdbuf_prelu");
	status = run_job(ctx, dev, cb, &bo, 1, 60000);
	if (status != ACCEL_JOB_OK)
		test_fail("PRELU: expected job status OK, got %u", status);
	expect_prelu(xf, sf, yf, "accel_cmdbuf_prelu");
	accel_cmdbuf_destroy(cb);

	/* The generic builder: the command as its struct, checked from the op table. */
	struct ares_cmd_prelu c = {.hdr = {.opcode = ARES_OP_PRELU, .size = sizeof(c)}};

	c.x = x, c.slope = slope, c.y = y;
	c.reserved = 1; /* §12: zero; the firmware's to refuse */
	cb = new_cmdbuf();
	check_ok(dev, accel_cmdbuf_tensor_op(cb, &c, sizeof(c)),
		 "accel_cmdbuf_tensor_op (reserved)");
	for (i = 0; i < 120; i++)
		yf[i] = 1234.0f;
	status = run_job(ctx, dev, cb, &bo, 1, 60000);
	if (status != ACCEL_JOB_INVALID_CMD)
		test_fail("PRELU with reserved 1: expected job status INVALID_CMD (%d), got %u",
			  ACCEL_JOB_INVALID_CMD, status);
	for (i = 0; i < 120; i++)
		if (yf[i] != 1234.0f)
			test_fail("refused PRELU (reserved 1) wrote y[%d] = %g", i, yf[i]);
	accel_cmdbuf_destroy(cb);

	c.reserved = 0;
	cb = new_cmdbuf();
	check_ok(dev, accel_cmdbuf_tensor_op(cb, &c, sizeof(c)), "accel_cmdbuf_tensor_op");
	status = run_job(ctx, dev, cb, &bo, 1, 60000);
	if (status != ACCEL_JOB_OK)
		test_fail("PRELU (accel_cmdbuf_tensor_op): expected job status OK, got %u", status);
	expect_prelu(xf, sf, yf, "accel_cmdbuf_tensor_op");
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
