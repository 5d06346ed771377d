/* SPDX-License-Identifier: MIT */
/*
 * null_job - the cost of a job that does nothing, against the floor under
 * it, measured in one boot: the rate of an empty DRM ioctl (the syscall
 * and drm_ioctl() dispatch alone), then a single-NOP job's round trip at
 * queue depth 1 and throughput at depths 1, 8 and 64, then at depth 64 with
 * the jobs submitted in batches of -b (32) per DRM_IOCTL_ARES_SUBMIT_BATCH
 * (accel_submit_batch), and the same batches each queued as one kernel
 * scheduler job (accel_submit_fused, DRM_ARES_SUBMIT_BATCH_FUSED), side by
 * side. Each figure is the median of -r repeats. Prints figures only: time depends
 * on the host, so this never passes or fails.
 *
 * When the device has user queues (ARES_CAP_USER_QUEUES), the same boot
 * also measures them: a NOP job's round trip at depth 1 through a user
 * queue with a polled wait (submit, poll the completion area until done:
 * no system call unless the device slept and asked for a wake-up), and
 * the jobs per second of one process keeping a USERQ_RING-entry ring full.
 *
 * When the driver was loaded with transport_probe=1 and this runs as root
 * with debugfs mounted, each repeat first times SAMPLES bare ring round
 * trips through the debugfs file "transport" (doorbell, firmware,
 * completion, MSI-X, the kernel's interrupt handler: no scheduler, syncobj
 * or ioctl), the floor under a job, and the ratio of the job's median to it.
 *
 *   null_job [-n SAMPLES] [-r REPEATS] [-q DEPTH]... [-b BATCH]   (1000, 3, 1 8 64, 32)
 *
 * The last line is for scripts; a field is left out while its path does
 * not exist (transport_us, ratio and userq_ratio without the probe; the
 * userq_ fields without user queues):
 *   null_job summary: ioctl_ns=M transport_us=M job_median_us=M job_p90_us=M job_p99_us=M
 *   ratio=R qd1_jobs_per_s=N qd8_jobs_per_s=N qd64_jobs_per_s=N qd64_batched_jobs_per_s=N
 *   qd64_fused_jobs_per_s=N
 *   userq_median_us=M userq_p90_us=M userq_p99_us=M userq_ratio=R userq_jobs_per_s=N
 * (ratio and userq_ratio: the median round trip over the bare transport's).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "accel.h"
#include "ares/regs.h"

#define MAX_DEPTHS	   8
#define MAX_REPEATS	   15
#define WAIT_NS		   (10ll * 1000000000)
#define BATCH_DEPTH	   64
/*
 * The largest ring: a device that drains a small ring goes idle and waits
 * for a wake-up before each refill (guest: 64 entries 41k jobs/s, 1024
 * 300k, 4096 650k).
 */
#define USERQ_RING	   4096
/* Jobs per user-queue throughput repeat, in units of -n SAMPLES. */
#define USERQ_RATE_SAMPLES 20

struct bench {
	accel_device *dev;
	accel_ctx *ctx;
	accel_uq *uq; /* NULL when the device has no user queues */
	struct accel_submit_args args;
	int samples;
	int batch;	     /* jobs per accel_submit_batch(), a divisor of BATCH_DEPTH */
	char transport[256]; /* the driver's debugfs "transport" file, or "" */
};

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double pct_us(const uint64_t *v, int n, double p)
{
	return v[(int)(p * (n - 1) + 0.5)] / 1000.0;
}

/* DRM_IOCTL_GET_CAP: allowed on the accel node, no locks, nothing copied back but a u64. */
static int empty_ioctl_ns(struct bench *b, double *ns)
{
	int fd = accel_device_fd(b->dev), n = b->samples * 20;
	uint64_t cap, t0 = now_ns();

	for (int i = 0; i < n; i++)
		if (drmGetCap(fd, DRM_CAP_SYNCOBJ, &cap))
			return -1;
	*ns = (double)(now_ns() - t0) / n;
	return 0;
}

/*
 * The debugfs transport probe of device 0, if the driver offers it and we
 * may use it (root, debugfs mounted); else b->transport stays "".
 */
static void find_transport(struct bench *b)
{
	struct accel_device_entry ent;
	size_t n;

	if (accel_enumerate(&ent, 1, &n) || !n || !ent.pci_address[0])
		return;
	snprintf(b->transport, sizeof(b->transport), "/sys/kernel/debug/accel/%s/transport",
		 ent.pci_address);
	if (access(b->transport, R_OK | W_OK))
		b->transport[0] = '\0';
}

/* b->samples bare round trips through the probe; *@us gets their median. */
static int transport_us(struct bench *b, double *us)
{
	unsigned long long median_ns = 0;
	char buf[256], *at;
	int fd, len, ret = -1;
	ssize_t got;

	len = snprintf(buf, sizeof(buf), "%d", b->samples);
	fd = open(b->transport, O_RDWR);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != len) {
		fprintf(stderr, "null_job: writing %d to %s: %s\n", b->samples, b->transport,
			strerror(errno));
		goto out;
	}
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	if (got <= 0)
		goto out;
	buf[got] = '\0';
	at = strstr(buf, "median_ns ");
	if (!at || sscanf(at, "median_ns %llu", &median_ns) != 1 || !median_ns) {
		fprintf(stderr, "null_job: no median_ns in %s: %s\n", b->transport, buf);
		goto out;
	}
	*us = median_ns / 1000.0;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* One job in flight at a time; @lat gets b->samples round trips, sorted. */
static int round_trips(struct bench *b, uint64_t *lat)
{
	for (int i = 0; i < b->samples; i++) {
		uint64_t t0 = now_ns();
		accel_job *job;
		int ret;

		if (accel_submit(b->ctx, &b->args, &job))
			return -1;
		ret = accel_job_wait(job, WAIT_NS);
		lat[i] = now_ns() - t0;
		accel_job_destroy(job);
		if (ret)
			return -1;
	}
	qsort(lat, b->samples, sizeof(*lat), cmp_u64);
	return 0;
}

static int retire(accel_job **slot)
{
	int ret = accel_job_wait(*slot, WAIT_NS);

	accel_job_destroy(*slot);
	*slot = NULL;
	return ret;
}

/* Keep @depth jobs queued, waiting for the oldest before each submit. */
static int throughput(struct bench *b, int depth, double *jobs_per_s)
{
	accel_job **ring = calloc(depth, sizeof(*ring));
	uint64_t t0 = now_ns();
	int ret = -1;

	if (!ring)
		return -1;
	for (int i = 0; i < b->samples; i++) {
		accel_job **slot = &ring[i % depth];

		if ((*slot && retire(slot)) || accel_submit(b->ctx, &b->args, slot))
			goto out;
	}
	for (int i = 0; i < depth; i++)
		if (ring[i] && retire(&ring[i]))
			goto out;
	*jobs_per_s = b->samples / ((now_ns() - t0) / 1e9);
	ret = 0;
out:
	for (int i = 0; i < depth; i++)
		accel_job_destroy(ring[i]);
	free(ring);
	return ret;
}

/* Retires the batch of @n jobs at @jobs: they complete in order, so wait for the last. */
static int retire_batch(accel_job **jobs, int n)
{
	int ret = accel_job_wait(jobs[n - 1], WAIT_NS);

	for (int i = 0; i < n; i++) {
		accel_job_destroy(jobs[i]);
		jobs[i] = NULL;
	}
	return ret;
}

/*
 * BATCH_DEPTH jobs queued as BATCH_DEPTH / b->batch batches: before each
 * batch goes in, the oldest one is waited for. At least b->samples jobs.
 * @fused: each batch is one kernel scheduler job (accel_submit_fused).
 */
static int batched_throughput(struct bench *b, bool fused, double *jobs_per_s)
{
	struct accel_submit_args args[BATCH_DEPTH];
	accel_job *ring[BATCH_DEPTH] = {0};
	int nbatches = BATCH_DEPTH / b->batch, total = 0, ret = -1;
	uint64_t t0 = now_ns();
	uint32_t submitted;

	for (int i = 0; i < b->batch; i++)
		args[i] = b->args;
	for (int k = 0; total < b->samples; k++) {
		accel_job **slot = &ring[(k % nbatches) * b->batch];

		if ((*slot && retire_batch(slot, b->batch)) ||
		    (fused ? accel_submit_fused : accel_submit_batch)(b->ctx, args, b->batch, slot,
								      &submitted))
			goto out;
		total += b->batch;
	}
	for (int k = 0; k < nbatches; k++)
		if (ring[k * b->batch] && retire_batch(&ring[k * b->batch], b->batch))
			goto out;
	*jobs_per_s = total / ((now_ns() - t0) / 1e9);
	ret = 0;
out:
	for (int i = 0; i < BATCH_DEPTH; i++)
		accel_job_destroy(ring[i]);
	return ret;
}

/* User queue, depth 1: submit, then poll the completion area until done. */
static int userq_round_trips(struct bench *b, uint64_t *lat)
{
	for (int i = 0; i < b->samples; i++) {
		uint64_t t0 = now_ns(), ticket;

		if (accel_uq_submit(b->uq, b->args.cmd_bo, 0, b->args.cmd_size, &ticket) ||
		    accel_uq_wait(b->uq, ticket, WAIT_NS, WAIT_NS))
			return -1;
		lat[i] = now_ns() - t0;
	}
	qsort(lat, b->samples, sizeof(*lat), cmp_u64);
	return 0;
}

/*
 * One process keeping the user queue's ring full: before the job of
 * ticket T goes in, the one of T - USERQ_RING must have completed (from
 * its own count, as an application would, so the ring never refuses a
 * job); that wait polls.
 */
static int userq_throughput(struct bench *b, double *jobs_per_s)
{
	int total = b->samples * USERQ_RATE_SAMPLES;
	uint64_t t0 = now_ns(), ticket = accel_uq_completed(b->uq);

	for (int i = 0; i < total; i++) {
		if (ticket >= USERQ_RING &&
		    accel_uq_wait(b->uq, ticket + 1 - USERQ_RING, WAIT_NS, WAIT_NS))
			return -1;
		if (accel_uq_submit(b->uq, b->args.cmd_bo, 0, b->args.cmd_size, &ticket))
			return -1;
	}
	if (accel_uq_wait(b->uq, ticket, WAIT_NS, WAIT_NS))
		return -1;
	*jobs_per_s = total / ((now_ns() - t0) / 1e9);
	return 0;
}

/* The user-queue figures of one repeat, printed on its line. */
static int userq_repeat(struct bench *b, uint64_t *lat, double *med, double *p90, double *p99,
			double *rate)
{
	if (userq_round_trips(b, lat))
		return -1;
	*med = pct_us(lat, b->samples, 0.5);
	*p90 = pct_us(lat, b->samples, 0.9);
	*p99 = pct_us(lat, b->samples, 0.99);
	if (userq_throughput(b, rate))
		return -1;
	printf(" user queue polled round trip median %.1f us, p90 %.1f us, p99 %.1f us;"
	       " ring full %.0f jobs/s\n",
	       *med, *p90, *p99, *rate);
	return 0;
}

static int run(struct bench *b, int repeats, const int *depths, int ndepths)
{
	double ioctl_ns[MAX_REPEATS], med[MAX_REPEATS], p90[MAX_REPEATS], p99[MAX_REPEATS];
	double rate[MAX_DEPTHS][MAX_REPEATS], batched[MAX_REPEATS], xport[MAX_REPEATS];
	double fused[MAX_REPEATS];
	double uq_med[MAX_REPEATS], uq_p90[MAX_REPEATS], uq_p99[MAX_REPEATS], uq_rate[MAX_REPEATS];
	uint64_t *lat = calloc(b->samples, sizeof(*lat));
	int ret = -1;

	if (!lat)
		return -1;
	for (int r = 0; r < repeats; r++) {
		if (empty_ioctl_ns(b, &ioctl_ns[r])) {
			perror("null_job: DRM_IOCTL_GET_CAP");
			goto out;
		}
		if (b->transport[0] && transport_us(b, &xport[r]))
			goto out;
		if (round_trips(b, lat))
			goto out;
		med[r] = pct_us(lat, b->samples, 0.5);
		p90[r] = pct_us(lat, b->samples, 0.9);
		p99[r] = pct_us(lat, b->samples, 0.99);
		printf("repeat %d: empty ioctl %.0f ns;", r + 1, ioctl_ns[r]);
		if (b->transport[0])
			printf(" bare transport median %.1f us;", xport[r]);
		printf(" null job round trip median %.1f us, p90 %.1f us, p99 %.1f us;", med[r],
		       p90[r], p99[r]);
		for (int d = 0; d < ndepths; d++) {
			if (throughput(b, depths[d], &rate[d][r]))
				goto out;
			printf(" depth %d %.0f jobs/s,", depths[d], rate[d][r]);
		}
		if (batched_throughput(b, false, &batched[r]) ||
		    batched_throughput(b, true, &fused[r]))
			goto out;
		printf(" depth %d in batches of %d %.0f jobs/s, fused %.0f jobs/s%s", BATCH_DEPTH,
		       b->batch, batched[r], fused[r], b->uq ? ";" : "\n");
		if (b->uq && userq_repeat(b, lat, &uq_med[r], &uq_p90[r], &uq_p99[r], &uq_rate[r]))
			goto out;
	}
	printf("medians of %d repeats of %d jobs:\n", repeats, b->samples);
	printf("  empty ioctl:          %.0f ns (%.0fk/s)\n", median(ioctl_ns, repeats),
	       1e6 / median(ioctl_ns, repeats));
	if (b->transport[0])
		printf("  bare transport:       median %.1f us (doorbell to interrupt handler)\n",
		       median(xport, repeats));
	printf("  null job, depth 1:    median %.1f us, p90 %.1f us, p99 %.1f us "
	       "(%.0fx an empty ioctl)\n",
	       median(med, repeats), median(p90, repeats), median(p99, repeats),
	       median(med, repeats) * 1000 / median(ioctl_ns, repeats));
	for (int d = 0; d < ndepths; d++)
		printf("  throughput, depth %-2d %.0f jobs/s\n", depths[d],
		       median(rate[d], repeats));
	printf("  throughput, depth %d in batches of %d per ioctl: %.0f jobs/s; each batch one "
	       "scheduler job (fused): %.0f jobs/s (%.2fx)\n",
	       BATCH_DEPTH, b->batch, median(batched, repeats), median(fused, repeats),
	       median(fused, repeats) / median(batched, repeats));
	if (b->transport[0])
		printf("  null job / transport: %.2fx\n",
		       median(med, repeats) / median(xport, repeats));
	if (b->uq) {
		printf("  user queue, depth 1, polled: median %.1f us, p90 %.1f us, p99 %.1f us "
		       "(%.2fx an empty ioctl; the ioctl path's null job takes %.0fx as long)\n",
		       median(uq_med, repeats), median(uq_p90, repeats), median(uq_p99, repeats),
		       median(uq_med, repeats) * 1000 / median(ioctl_ns, repeats),
		       median(med, repeats) / median(uq_med, repeats));
		printf("  user queue, ring of %d kept full: %.0f jobs/s (%.1fx the batched ioctl "
		       "path)\n",
		       USERQ_RING, median(uq_rate, repeats),
		       median(uq_rate, repeats) / median(batched, repeats));
		if (b->transport[0])
			printf("  user queue / transport: %.2fx\n",
			       median(uq_med, repeats) / median(xport, repeats));
	} else {
		printf("  user queue:           none (the device lacks ARES_CAP_USER_QUEUES)\n");
	}
	printf("null_job summary: ioctl_ns=%.0f", median(ioctl_ns, repeats));
	if (b->transport[0])
		printf(" transport_us=%.1f", median(xport, repeats));
	printf(" job_median_us=%.1f job_p90_us=%.1f job_p99_us=%.1f", median(med, repeats),
	       median(p90, repeats), median(p99, repeats));
	if (b->transport[0])
		printf(" ratio=%.2f", median(med, repeats) / median(xport, repeats));
	for (int d = 0; d < ndepths; d++)
		printf(" qd%d_jobs_per_s=%.0f", depths[d], median(rate[d], repeats));
	printf(" qd%d_batched_jobs_per_s=%.0f qd%d_fused_jobs_per_s=%.0f", BATCH_DEPTH,
	       median(batched, repeats), BATCH_DEPTH, median(fused, repeats));
	if (b->uq) {
		printf(" userq_median_us=%.1f userq_p90_us=%.1f userq_p99_us=%.1f",
		       median(uq_med, repeats), median(uq_p90, repeats), median(uq_p99, repeats));
		if (b->transport[0])
			printf(" userq_ratio=%.2f",
			       median(uq_med, repeats) / median(xport, repeats));
		printf(" userq_jobs_per_s=%.0f", median(uq_rate, repeats));
	}
	printf("\n");
	ret = 0;
out:
	free(lat);
	return ret;
}

/* A user queue when the device has them; b->uq stays NULL when it has not. */
static int userq_open(struct bench *b)
{
	struct accel_device_info info;

	if (accel_device_query_info(b->dev, &info))
		return -1;
	if (!(info.caps & ARES_CAP_USER_QUEUES))
		return 0;
	return accel_uq_create(b->dev, ACCEL_PRIORITY_NORMAL, USERQ_RING, &b->uq);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: null_job [-n SAMPLES] [-r REPEATS (1-%d)] [-q DEPTH]... "
		"(at most %d depths) [-b BATCH (a divisor of %d)]\n",
		MAX_REPEATS, MAX_DEPTHS, BATCH_DEPTH);
	return 2;
}

int main(int argc, char **argv)
{
	int depths[MAX_DEPTHS] = {1, 8, 64}, ndepths = 0, repeats = 3, opt, status = 1;
	/*
	 * Batches of 32: two in flight at depth 64, so the device runs one
	 * while the next goes in (fused, 16 gave 95k jobs/s, 32 120k, 64 125k
	 * on 1 TCG vCPU; the per-job path 28k, 30k, 31k).
	 */
	struct bench b = {.samples = 1000, .batch = 32};
	accel_cmdbuf *cb = NULL;
	accel_bo *cmd = NULL;
	char err[512];

	while ((opt = getopt(argc, argv, "n:r:q:b:")) != -1) {
		if (opt == 'n')
			b.samples = atoi(optarg);
		else if (opt == 'b')
			b.batch = atoi(optarg);
		else if (opt == 'r')
			repeats = atoi(optarg);
		else if (opt == 'q' && ndepths < MAX_DEPTHS && atoi(optarg) > 0)
			depths[ndepths++] = atoi(optarg);
		else
			return usage();
	}
	if (b.samples < 1 || repeats < 1 || repeats > MAX_REPEATS || optind != argc ||
	    b.batch < 1 || b.batch > BATCH_DEPTH || BATCH_DEPTH % b.batch)
		return usage();
	if (!ndepths)
		ndepths = 3;
	if (accel_device_open_index(0, &b.dev, err, sizeof(err))) {
		fprintf(stderr, "null_job: %s\n", err);
		return 1;
	}
	if (accel_cmdbuf_create(&cb) || accel_ctx_create(b.dev, ACCEL_PRIORITY_NORMAL, &b.ctx) ||
	    accel_cmdbuf_nop(cb, 8) || accel_cmdbuf_upload(b.dev, cb, &cmd))
		goto fail;
	b.args = (struct accel_submit_args){.cmd_bo = cmd, .cmd_size = 8};
	if (userq_open(&b))
		goto fail;
	find_transport(&b);
	if (run(&b, repeats, depths, ndepths))
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "null_job: %s\n", accel_device_last_error(b.dev));
out:
	accel_bo_free(cmd);
	accel_cmdbuf_destroy(cb);
	accel_uq_destroy(b.uq);
	accel_ctx_destroy(b.ctx);
	accel_device_close(b.dev);
	return status;
}
