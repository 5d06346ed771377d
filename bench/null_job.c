/* SPDX-License-Identifier: MIT */
/*
 * null_job - round-trip latency and throughput of a single-NOP job through
 * libaccel, the driver and the device. Prints figures only: time depends on
 * the host, so this never passes or fails.
 *
 *   null_job [-n SAMPLES] [-q DEPTH]     (defaults 1000, 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double pct(const uint64_t *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i] / 1000.0;
}

int main(int argc, char **argv)
{
	int samples = 1000, depth = 64, opt, ret, status = 1, done = 0;
	accel_device *dev = NULL;
	accel_ctx *ctx = NULL;
	accel_cmdbuf *cb = NULL;
	accel_bo *cmd = NULL;
	accel_job **ring = NULL;
	uint64_t *lat = NULL, t0, t;
	char err[512];

	while ((opt = getopt(argc, argv, "n:q:")) != -1) {
		if (opt == 'n')
			samples = atoi(optarg);
		else if (opt == 'q')
			depth = atoi(optarg);
		else {
			fprintf(stderr, "usage: null_job [-n SAMPLES] [-q DEPTH]\n");
			return 2;
		}
	}
	if (samples < 1 || depth < 1) {
		fprintf(stderr, "null_job: -n and -q must be positive\n");
		return 2;
	}
	ret = accel_device_open_index(0, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "null_job: %s\n", err);
		return 1;
	}
	lat = calloc(samples, sizeof(*lat));
	ring = calloc(depth, sizeof(*ring));
	if (!lat || !ring || accel_cmdbuf_create(&cb)) {
		fprintf(stderr, "null_job: out of memory\n");
		goto out;
	}
	if (accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx) || accel_cmdbuf_nop(cb, 8) ||
	    accel_cmdbuf_upload(dev, cb, &cmd))
		goto fail;

	struct accel_submit_args args = {.cmd_bo = cmd, .cmd_size = 8};

	/* Latency: one job in flight at a time. */
	for (int i = 0; i < samples; i++) {
		accel_job *job;

		t0 = now_ns();
		if (accel_submit(ctx, &args, &job))
			goto fail;
		ret = accel_job_wait(job, 10ll * 1000000000);
		lat[i] = now_ns() - t0;
		accel_job_destroy(job);
		if (ret)
			goto fail;
	}
	qsort(lat, samples, sizeof(*lat), cmp_u64);
	printf("null job round trip over %d jobs: median %.1f us, p90 %.1f us, p99 %.1f us\n",
	       samples, pct(lat, samples, 0.5), pct(lat, samples, 0.9), pct(lat, samples, 0.99));

	/* Throughput: keep @depth jobs queued, wait for the oldest. */
	t0 = now_ns();
	for (int i = 0; i < samples; i++) {
		accel_job **slot = &ring[i % depth];

		if (*slot) {
			if (accel_job_wait(*slot, 10ll * 1000000000))
				goto fail;
			accel_job_destroy(*slot);
			*slot = NULL;
			done++;
		}
		if (accel_submit(ctx, &args, slot))
			goto fail;
	}
	for (int i = 0; i < depth; i++) {
		if (ring[i]) {
			if (accel_job_wait(ring[i], 10ll * 1000000000))
				goto fail;
			accel_job_destroy(ring[i]);
			ring[i] = NULL;
			done++;
		}
	}
	t = now_ns() - t0;
	printf("null job throughput, queue depth %d: %d jobs in %.3f s = %.0f jobs/s\n", depth,
	       done, t / 1e9, done / (t / 1e9));
	status = 0;
	goto out;

fail:
	fprintf(stderr, "null_job: %s\n", accel_device_last_error(dev));
out:
	for (int i = 0; ring && i < depth; i++)
		accel_job_destroy(ring[i]);
	free(ring);
	free(lat);
	accel_bo_free(cmd);
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	return status;
}
