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

struct demo {
	uint32_t m, n, k;
	accel_device *dev;
	accel_ctx *ctx;
	accel_bo *bo_a, *bo_b, *bo_c;
	float *a, *b, *c;
};

/* A and B filled from a fixed seed, C zeroed: the demo's figures repeat. */
static int alloc_operands(struct demo *d)
{
	uint32_t st = 1;
	int ret;

	ret = accel_bo_alloc(d->dev, (uint64_t)d->m * d->k * 4, ACCEL_BO_READ_ONLY, &d->bo_a);
	if (!ret)
		ret = accel_bo_alloc(d->dev, (uint64_t)d->k * d->n * 4, ACCEL_BO_READ_ONLY,
				     &d->bo_b);
	if (!ret)
		ret = accel_bo_alloc(d->dev, (uint64_t)d->m * d->n * 4, 0, &d->bo_c);
	if (!ret)
		ret = accel_bo_map(d->bo_a, (void **)&d->a);
	if (!ret)
		ret = accel_bo_map(d->bo_b, (void **)&d->b);
	if (!ret)
		ret = accel_bo_map(d->bo_c, (void **)&d->c);
	if (ret)
		return ret;
	for (size_t i = 0; i < (size_t)d->m * d->k; i++)
		d->a[i] = lcg(&st);
	for (size_t i = 0; i < (size_t)d->k * d->n; i++)
		d->b[i] = lcg(&st);
	memset(d->c, 0, (size_t)d->m * d->n * 4);
	return 0;
}

/* 0 when the job ran OK, 1 when it ran and failed, else a negative errno. */
static int run_gemm(struct demo *d, double *t_dev)
{
	accel_cmdbuf *cb = NULL;
	accel_job *job = NULL;
	uint32_t js;
	double t0;
	int ret = accel_cmdbuf_create(&cb);

	if (ret)
		return ret;
	accel_cmdbuf_gemm(cb, &(struct accel_gemm){.m = d->m,
						   .n = d->n,
						   .k = d->k,
						   .a_va = accel_bo_va(d->bo_a),
						   .b_va = accel_bo_va(d->bo_b),
						   .c_va = accel_bo_va(d->bo_c)});
	if (accel_cmdbuf_error(cb)) {
		fprintf(stderr, "ares-gemm-demo: encoding GEMM: %s\n",
			accel_strerror(accel_cmdbuf_error(cb)));
		ret = 1;
		goto out;
	}
	t0 = now_ms();
	ret = accel_submit_cmdbuf(d->ctx, cb, (accel_bo *[]){d->bo_a, d->bo_b, d->bo_c}, 3, &job);
	if (!ret)
		ret = accel_job_wait(job, 60ll * 1000000000);
	*t_dev = now_ms() - t0;
	if (!ret)
		ret = accel_job_status(job, &js);
	if (!ret && js != ACCEL_JOB_OK) {
		fprintf(stderr, "ares-gemm-demo: job failed with status %s\n",
			accel_job_status_name(js));
		ret = 1;
	}
out:
	accel_job_destroy(job);
	accel_cmdbuf_destroy(cb);
	return ret;
}

/*
 * C against a reference computed in double, so the comparison measures the
 * device, not us. Returns 0 (match), 1 (mismatch) or -ENOMEM.
 */
static int check_result(const struct demo *d, double *t_host)
{
	double max_abs = 0, max_rel = 0, t0 = now_ms();
	float *ref = malloc((size_t)d->m * d->n * sizeof(*ref));
	int status;

	if (!ref)
		return -ENOMEM;
	for (uint32_t i = 0; i < d->m; i++)
		for (uint32_t j = 0; j < d->n; j++) {
			double acc = 0;

			for (uint32_t p = 0; p < d->k; p++)
				acc += (double)d->a[(size_t)i * d->k + p] *
				       d->b[(size_t)p * d->n + j];
			ref[(size_t)i * d->n + j] = (float)acc;
		}
	*t_host = now_ms() - t0;
	for (size_t i = 0; i < (size_t)d->m * d->n; i++) {
		double diff = fabs((double)d->c[i] - ref[i]);

		max_abs = fmax(max_abs, diff);
		max_rel = fmax(max_rel, diff / fmax(fabs(ref[i]), 1.0));
	}
	free(ref);
	status = max_rel <= REL_TOL ? 0 : 1;
	printf("gemm %ux%ux%u f32: max abs error %.3g, max rel error %.3g (tolerance %g) %s\n",
	       d->m, d->n, d->k, max_abs, max_rel, REL_TOL, status ? "MISMATCH" : "OK");
	return status;
}

int main(int argc, char **argv)
{
	struct demo d = {.m = 256, .n = 256, .k = 256};
	unsigned long index = 0;
	double t0, t_upload, t_dev, t_host;
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
			if (parse_dim(optarg, opt == 'm' ? &d.m : opt == 'n' ? &d.n : &d.k)) {
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

	ret = accel_device_open_index((unsigned int)index, &d.dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ares-gemm-demo: %s\n", err);
		return 1;
	}
	ret = accel_ctx_create(d.dev, ACCEL_PRIORITY_NORMAL, &d.ctx);
	t0 = now_ms();
	if (!ret)
		ret = alloc_operands(&d);
	t_upload = now_ms() - t0;
	if (!ret)
		ret = run_gemm(&d, &t_dev);
	if (ret < 0)
		fprintf(stderr, "ares-gemm-demo: %s\n", accel_device_last_error(d.dev));
	if (!ret) {
		status = check_result(&d, &t_host);
		if (status < 0)
			fprintf(stderr, "ares-gemm-demo: out of memory\n");
		else
			printf("upload %.3f ms, submit->complete %.3f ms, host reference %.3f ms\n",
			       t_upload, t_dev, t_host);
		status = status ? 1 : 0;
	}
	accel_bo_free(d.bo_c);
	accel_bo_free(d.bo_b);
	accel_bo_free(d.bo_a);
	accel_ctx_destroy(d.ctx);
	accel_device_close(d.dev);
	return status;
}
