/* SPDX-License-Identifier: MIT */
/*
 * ares-gemm-demo - the main job: an f32 GEMM on the device, checked
 * against a host reference loop.
 *
 *   ares-gemm-demo [-d INDEX] [-m M] [-n N] [-k K]     (default 256 each)
 *
 * Exit status: 0 when the device result matches, 1 on mismatch or device
 * error, 2 on usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"

#define REL_TOL 1e-3

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_dim(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 65536)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Deterministic values in [-1, 1) so runs are comparable. */
static float lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return (float)((*state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

int main(int argc, char **argv)
{
	uint32_t m = 256, n = 256, k = 256, seed = 1, st;
	unsigned long index = 0;
	accel_device *dev = NULL;
	accel_ctx *ctx = NULL;
	accel_cmdbuf *cb = NULL;
	accel_bo *bo_a = NULL, *bo_b = NULL, *bo_c = NULL;
	accel_job *job = NULL;
	float *a, *b, *c, *ref = NULL;
	double t0, t_upload, t_dev, t_host, max_abs = 0, max_rel = 0;
	char err[512];
	int opt, ret, status = 1;

	while ((opt = getopt(argc, argv, "d:m:n:k:h")) != -1) {
		switch (opt) {
		case 'd':
			index = strtoul(optarg, NULL, 10);
			break;
		case 'm':
		case 'n':
		case 'k':
			if (parse_dim(optarg, opt == 'm' ? &m : opt == 'n' ? &n : &k)) {
				fprintf(stderr, "ares-gemm-demo: -%c wants 1..65536, got \"%s\"\n",
					opt, optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: ares-gemm-demo [-d INDEX] [-m M] [-n N] [-k K]\n");
			return opt == 'h' ? 0 : 2;
		}
	}

	ret = accel_device_open_index((unsigned int)index, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ares-gemm-demo: %s\n", err);
		return 1;
	}
	ret = accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx);
	if (ret)
		goto dev_fail;

	t0 = now_ms();
	ret = accel_bo_alloc(dev, (uint64_t)m * k * 4, ACCEL_BO_READ_ONLY, &bo_a);
	if (!ret)
		ret = accel_bo_alloc(dev, (uint64_t)k * n * 4, ACCEL_BO_READ_ONLY, &bo_b);
	if (!ret)
		ret = accel_bo_alloc(dev, (uint64_t)m * n * 4, 0, &bo_c);
	if (!ret)
		ret = accel_bo_map(bo_a, (void **)&a);
	if (!ret)
		ret = accel_bo_map(bo_b, (void **)&b);
	if (!ret)
		ret = accel_bo_map(bo_c, (void **)&c);
	if (ret)
		goto dev_fail;
	st = seed;
	for (size_t i = 0; i < (size_t)m * k; i++)
		a[i] = lcg(&st);
	for (size_t i = 0; i < (size_t)k * n; i++)
		b[i] = lcg(&st);
	memset(c, 0, (size_t)m * n * 4);
	t_upload = now_ms() - t0;

	ret = accel_cmdbuf_create(&cb);
	if (ret)
		goto dev_fail;
	accel_cmdbuf_gemm(cb, &(struct accel_gemm){.m = m,
						   .n = n,
						   .k = k,
						   .a_va = accel_bo_va(bo_a),
						   .b_va = accel_bo_va(bo_b),
						   .c_va = accel_bo_va(bo_c)});
	if (accel_cmdbuf_error(cb)) {
		fprintf(stderr, "ares-gemm-demo: encoding GEMM: %s\n",
			accel_strerror(accel_cmdbuf_error(cb)));
		goto out;
	}

	t0 = now_ms();
	ret = accel_submit_cmdbuf(ctx, cb, (accel_bo *[]){bo_a, bo_b, bo_c}, 3, &job);
	if (!ret)
		ret = accel_job_wait(job, 60ll * 1000000000);
	if (ret)
		goto dev_fail;
	t_dev = now_ms() - t0;
	{
		uint32_t js;

		ret = accel_job_status(job, &js);
		if (ret)
			goto dev_fail;
		if (js != ACCEL_JOB_OK) {
			fprintf(stderr, "ares-gemm-demo: job failed with status %s\n",
				accel_job_status_name(js));
			goto out;
		}
	}

	/* Reference in double so the comparison measures the device, not us. */
	ref = malloc((size_t)m * n * sizeof(*ref));
	if (!ref) {
		fprintf(stderr, "ares-gemm-demo: out of memory\n");
		goto out;
	}
	t0 = now_ms();
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++) {
			double acc = 0;

			for (uint32_t p = 0; p < k; p++)
				acc += (double)a[(size_t)i * k + p] * b[(size_t)p * n + j];
			ref[(size_t)i * n + j] = (float)acc;
		}
	t_host = now_ms() - t0;

	for (size_t i = 0; i < (size_t)m * n; i++) {
		double d = fabs((double)c[i] - ref[i]);
		double r = d / fmax(fabs(ref[i]), 1.0);

		max_abs = fmax(max_abs, d);
		max_rel = fmax(max_rel, r);
	}
	status = max_rel <= REL_TOL ? 0 : 1;
	printf("gemm %ux%ux%u f32: max abs error %.3g, max rel error %.3g (tolerance %g) %s\n", m,
	       n, k, max_abs, max_rel, REL_TOL, status ? "MISMATCH" : "OK");
	printf("upload %.3f ms, submit->complete %.3f ms, host reference %.3f ms\n", t_upload,
	       t_dev, t_host);
	goto out;

dev_fail:
	fprintf(stderr, "ares-gemm-demo: %s\n", accel_device_last_error(dev));
out:
	free(ref);
	accel_job_destroy(job);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo_c);
	accel_bo_free(bo_b);
	accel_bo_free(bo_a);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	return status;
}
