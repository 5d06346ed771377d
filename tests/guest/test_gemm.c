/* SPDX-License-Identifier: MIT */
/* A 256x256x256 f32 GEMM (C = A.B + C) matches a host reference within 1e-3 relative. */
#include <math.h>
#include <stdlib.h>

#include "guest_util.h"

#define M 256
#define N 256
#define K 256

static float lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

int main(void)
{
	accel_bo *ba, *bb, *bc;
	accel_device *dev;
	accel_ctx *ctx;
	accel_cmdbuf *cb;
	float *a, *b, *c, *c0;
	uint32_t seed = 7, status;
	void *map;

	test_init("gemm");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	ba = alloc_mapped(dev, M * K * 4, &map);
	a = map;
	bb = alloc_mapped(dev, K * N * 4, &map);
	b = map;
	bc = alloc_mapped(dev, M * N * 4, &map);
	c = map;
	c0 = malloc(M * N * sizeof(*c0));
	if (!c0)
		test_fail("malloc: out of memory");
	for (int i = 0; i < M * K; i++)
		a[i] = lcg(&seed);
	for (int i = 0; i < K * N; i++)
		b[i] = lcg(&seed);
	/* Nonzero C proves the accumulate half of C = A.B + C. */
	for (int i = 0; i < M * N; i++)
		c[i] = c0[i] = lcg(&seed);

	cb = new_cmdbuf();
	accel_cmdbuf_gemm(cb, &(struct accel_gemm){.m = M,
						   .n = N,
						   .k = K,
						   .a_va = accel_bo_va(ba),
						   .b_va = accel_bo_va(bb),
						   .c_va = accel_bo_va(bc)});
	status = run_job(ctx, dev, cb, (accel_bo *[]){ba, bb, bc}, 3, 60000);
	expect_u64("GEMM job status", ACCEL_JOB_OK, status);

	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double ref = c0[i * N + j], got = c[i * N + j];

			for (int p = 0; p < K; p++)
				ref += (double)a[i * K + p] * b[p * N + j];
			if (fabs(got - ref) > 1e-3 * fmax(fabs(ref), 1.0))
				test_fail("C[%d][%d]: expected %.6f (host reference), got %.6f", i,
					  j, ref, got);
		}
	free(c0);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bc);
	accel_bo_free(bb);
	accel_bo_free(ba);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
