/* SPDX-License-Identifier: MIT */
/*
 * Two Ares devices in one machine (run by tests/guest/multi-device.sh in a
 * guest booted with --devices 2, fault_injection=1 job_timeout_ms=1000):
 *  - both at once: two processes, one per device, each keep GEMMs in
 *    flight until both have finished their share, checking every job's
 *    result;
 *    the jobs per second of one device alone and of both together are
 *    printed (figures, never asserted);
 *  - PRIME between devices: a buffer of device 0 exported as a dma-buf and
 *    imported on device 1; a job on device 0 writes it and a job on device
 *    1 reads it, submitted back to back (implicit synchronisation through
 *    the shared reservation object), then the other way round;
 *  - isolation: a hung queue and then a firmware crash on device 0 each
 *    recover device 0, while a process on device 1 keeps running jobs that
 *    all succeed and device 1 is never reset.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define NDEV	   2
#define DEPTH	   4
#define DIM	   192
#define SAMPLES	   16
#define SOLO_JOBS  30
#define SHARE_JOBS 40
#define XBYTES	   (1024 * 1024)

static struct accel_device_entry ents[NDEV];

struct shared {
	atomic_ulong done[NDEV];
	atomic_int finished[NDEV];
	atomic_int stop;
	atomic_int failed;
	uint64_t elapsed_ns[NDEV];
};

static accel_device *open_dev(int k)
{
	accel_device *dev;
	char err[512];
	int ret;

	ret = accel_device_open(ents[k].node, &dev, err, sizeof(err));
	if (ret)
		test_fail("accel_device_open(%s): expected 0, got %d: %s", ents[k].node, ret, err);
	return dev;
}

static unsigned long long sysfs_u64(int k, const char *name)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "/sys/class/accel/accel%u/device/ares", ents[k].index);
	return read_u64_at(dir, name);
}

static void knob(int k, const char *name, const char *val)
{
	char path[320];

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/%s", ents[k].pci_address, name);
	write_file(path, val);
}

/*
 * Keeps DEPTH GEMMs (device-bound work, so the figures are about the
 * devices, not the guest's one vCPU) in flight on device @k, each into its
 * own C. GEMM accumulates (C += A.B): before a submit, sampled elements of
 * its C are set to -1000; when it completes they must hold the exact
 * product minus 1000 (small integers, so fp32 is exact). Runs @jobs jobs, then (with @keep_going)
 * more until every other worker has finished too, so the devices are busy at the same time.
 */
static void gemm_worker(struct shared *sh, int k, unsigned long jobs, int keep_going)
{
	accel_device *dev = open_dev(k);
	accel_cmdbuf *cb = new_cmdbuf();
	accel_job *ring[DEPTH] = {0};
	struct accel_gemm g = {.m = DIM, .n = DIM, .k = DIM};
	accel_bo *ab, *bo[DEPTH], *bos[2];
	float *a, *b, *c[DEPTH], want[SAMPLES];
	unsigned long n = 0;
	accel_ctx *ctx;
	uint64_t t0;
	void *m;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	ab = alloc_mapped(dev, 2 * DIM * DIM * 4, &m);
	a = m;
	b = a + DIM * DIM;
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++) {
			a[i * DIM + j] = (float)((i + j + k) % 5);
			b[i * DIM + j] = (float)((3 * i + j) % 4);
		}
	for (int s = 0; s < SAMPLES; s++) {
		int i = (s * 37) % DIM, j = (s * 61 + 5) % DIM;
		float sum = 0;

		for (int x = 0; x < DIM; x++)
			sum += a[i * DIM + x] * b[x * DIM + j];
		want[s] = sum;
	}
	for (int i = 0; i < DEPTH; i++) {
		bo[i] = alloc_mapped(dev, DIM * DIM * 4, &m);
		c[i] = m;
	}
	g.a_va = accel_bo_va(ab);
	g.b_va = g.a_va + DIM * DIM * 4;
	bos[0] = ab;
	t0 = now_ns();
	for (;;) {
		int slot = (int)(n % DEPTH);
		int others_done = 1;
		uint32_t status;

		if (ring[slot]) {
			check_ok(dev, accel_job_wait(ring[slot], 120ll * 1000000000), "job wait");
			check_ok(dev, accel_job_status(ring[slot], &status), "job status");
			if (status != ACCEL_JOB_OK)
				test_fail("device %d: GEMM job failed with %s", k,
					  accel_job_status_name(status));
			for (int s = 0; s < SAMPLES; s++) {
				int i = (s * 37) % DIM, j = (s * 61 + 5) % DIM;

				if (c[slot][i * DIM + j] != want[s] - 1000.0f)
					test_fail("device %d: C[%d][%d] after a GEMM: expected %g, "
						  "got %g",
						  k, i, j, (double)want[s] - 1000.0,
						  (double)c[slot][i * DIM + j]);
			}
			accel_job_destroy(ring[slot]);
			ring[slot] = NULL;
			atomic_fetch_add(&sh->done[k], 1);
		}
		if (n >= jobs) {
			if (n == jobs) {
				sh->elapsed_ns[k] = now_ns() - t0;
				atomic_store(&sh->finished[k], 1);
			}
			for (int o = 0; o < NDEV; o++)
				others_done &=
					o == k || atomic_load(&sh->finished[o]) || !keep_going;
			if (others_done)
				break;
		}
		for (int s = 0; s < SAMPLES; s++)
			c[slot][((s * 37) % DIM) * DIM + (s * 61 + 5) % DIM] = -1000.0f;
		g.c_va = accel_bo_va(bo[slot]);
		accel_cmdbuf_reset(cb);
		accel_cmdbuf_gemm(cb, &g);
		bos[1] = bo[slot];
		check_ok(dev, accel_cmdbuf_error(cb), "build GEMM");
		check_ok(dev, accel_submit_cmdbuf(ctx, cb, bos, 2, &ring[slot]), "submit");
		n++;
	}
	for (int i = 0; i < DEPTH; i++)
		if (ring[i]) {
			accel_job_wait(ring[i], 120ll * 1000000000);
			accel_job_destroy(ring[i]);
		}
	accel_device_close(dev);
}

static void wait_children(pid_t *pid, int n, const char *what)
{
	for (int i = 0; i < n; i++) {
		int st = 0;

		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			test_fail("%s: process %d: expected exit 0, got status 0x%x", what, i, st);
	}
}

static void both_at_once(struct shared *sh)
{
	pid_t pid[NDEV];
	double solo, both, total = 0;

	/* Device 0 alone: the reference rate. */
	pid[0] = fork();
	if (pid[0] < 0)
		test_fail("fork: %m");
	if (pid[0] == 0) {
		gemm_worker(sh, 0, SOLO_JOBS, 0);
		exit(0);
	}
	wait_children(pid, 1, "device 0 alone");
	solo = SOLO_JOBS / ((double)sh->elapsed_ns[0] / 1e9);

	memset(sh, 0, sizeof(*sh));
	for (int k = 0; k < NDEV; k++) {
		pid[k] = fork();
		if (pid[k] < 0)
			test_fail("fork: %m");
		if (pid[k] == 0) {
			gemm_worker(sh, k, SHARE_JOBS, 1);
			exit(0);
		}
	}
	wait_children(pid, NDEV, "both devices at once");
	for (int k = 0; k < NDEV; k++) {
		double r = SHARE_JOBS / ((double)sh->elapsed_ns[k] / 1e9);

		printf("multi_device: device %d: %lu GEMMs of %d^3 checked, %.1f jobs/s over its "
		       "first %d with both busy\n",
		       k, atomic_load(&sh->done[k]), DIM, r, SHARE_JOBS);
		total += r;
	}
	both = total;
	printf("multi_device: throughput: one device alone %.1f jobs/s, two devices at once %.1f "
	       "jobs/s (x%.2f)\n",
	       solo, both, both / solo);
	printf("ok both_at_once\n");
}

static void run_ok(accel_device *dev, accel_ctx *ctx, accel_cmdbuf *cb, accel_bo **bos, int n,
		   const char *what)
{
	uint32_t status = run_job(ctx, dev, cb, bos, (uint32_t)n, 60000);

	if (status != ACCEL_JOB_OK)
		test_fail("%s: expected OK, got %s", what, accel_job_status_name(status));
}

static void prime_across(void)
{
	accel_device *d0 = open_dev(0), *d1 = open_dev(1);
	accel_cmdbuf *fill = new_cmdbuf(), *copy = new_cmdbuf();
	accel_bo *src, *imp, *local0, *local1;
	uint32_t *smap, *l0, *l1, status;
	accel_ctx *c0, *c1;
	accel_job *jf, *jc;
	void *m;
	int fd;

	check_ok(d0, accel_ctx_create(d0, ACCEL_PRIORITY_NORMAL, &c0), "ctx_create on device 0");
	check_ok(d1, accel_ctx_create(d1, ACCEL_PRIORITY_NORMAL, &c1), "ctx_create on device 1");
	src = alloc_mapped(d0, XBYTES, &m);
	smap = m;
	local0 = alloc_mapped(d0, XBYTES, &m);
	l0 = m;
	local1 = alloc_mapped(d1, XBYTES, &m);
	l1 = m;
	check_ok(d0, accel_bo_export(src, &fd), "accel_bo_export on device 0");
	check_ok(d1, accel_bo_import(d1, fd, &imp), "accel_bo_import of device 0's buffer on 1");
	close(fd);
	expect_u64("size of the import on device 1", XBYTES, accel_bo_size(imp));

	/*
	 * Device 0 writes, device 1 reads, submitted back to back: device 1's
	 * copy must wait for device 0's fill through the shared reservation.
	 */
	accel_cmdbuf_fill(fill, accel_bo_va(src), XBYTES, 0xd0d0cafe);
	accel_cmdbuf_dma_copy(copy, accel_bo_va(imp), accel_bo_va(local1), XBYTES);
	check_ok(d0, accel_submit_cmdbuf(c0, fill, &src, 1, &jf), "submit fill on device 0");
	{
		accel_bo *bos[] = {imp, local1};

		check_ok(d1, accel_submit_cmdbuf(c1, copy, bos, 2, &jc), "submit copy on device 1");
	}
	check_ok(d1, accel_job_wait(jc, 60ll * 1000000000), "wait for the copy on device 1");
	check_ok(d1, accel_job_status(jc, &status), "copy status");
	if (status != ACCEL_JOB_OK)
		test_fail("copy on device 1 from device 0's buffer: expected OK, got %s",
			  accel_job_status_name(status));
	check_ok(d0, accel_job_wait(jf, 60ll * 1000000000), "wait for the fill on device 0");
	for (size_t i = 0; i < XBYTES / 4; i++)
		if (l1[i] != 0xd0d0cafe)
			test_fail("device 1 read device 0's buffer: word %zu: expected 0xd0d0cafe, "
				  "got 0x%08x",
				  i, l1[i]);
	accel_job_destroy(jf);
	accel_job_destroy(jc);
	accel_cmdbuf_destroy(fill);
	accel_cmdbuf_destroy(copy);

	/* Device 1 writes through the import, device 0 reads its own buffer. */
	fill = new_cmdbuf();
	copy = new_cmdbuf();
	accel_cmdbuf_fill(fill, accel_bo_va(imp), XBYTES, 0x1d1d5eed);
	run_ok(d1, c1, fill, &imp, 1, "fill through the import on device 1");
	accel_cmdbuf_dma_copy(copy, accel_bo_va(src), accel_bo_va(local0), XBYTES);
	{
		accel_bo *bos[] = {src, local0};

		run_ok(d0, c0, copy, bos, 2, "copy on device 0 of what device 1 wrote");
	}
	for (size_t i = 0; i < XBYTES / 4; i++)
		if (l0[i] != 0x1d1d5eed || smap[i] != 0x1d1d5eed)
			test_fail(
				"device 0 read what device 1 wrote: word %zu: expected 0x1d1d5eed "
				"(job copy and CPU view), got 0x%08x and 0x%08x",
				i, l0[i], smap[i]);
	accel_cmdbuf_destroy(fill);
	accel_cmdbuf_destroy(copy);
	accel_bo_free(imp);
	accel_bo_free(local1);
	accel_bo_free(local0);
	accel_bo_free(src);
	accel_ctx_destroy(c1);
	accel_ctx_destroy(c0);
	accel_device_close(d1);
	accel_device_close(d0);
	printf("ok prime_across_devices (%d KiB each way)\n", XBYTES / 1024);
}

/* Runs small jobs on device 1 until told to stop; every one must succeed. */
static void bystander(struct shared *sh)
{
	accel_device *dev = open_dev(1);
	accel_cmdbuf *cb;
	accel_ctx *ctx;
	accel_bo *bo;
	uint64_t *p;
	void *m;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_LOW, &ctx), "bystander ctx_create");
	bo = alloc_mapped(dev, 4096, &m);
	p = m;
	for (uint64_t v = 1; !atomic_load(&sh->stop); v++) {
		uint32_t status;

		cb = new_cmdbuf();
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo), v);
		status = run_job(ctx, dev, cb, &bo, 1, 60000);
		if (status != ACCEL_JOB_OK || p[0] != v) {
			atomic_store(&sh->failed, 1);
			test_fail("device 1 while device 0 faults: job %llu: expected OK and %llu, "
				  "got %s and %llu",
				  (unsigned long long)v, (unsigned long long)v,
				  accel_job_status_name(status), (unsigned long long)p[0]);
		}
		accel_cmdbuf_destroy(cb);
		atomic_fetch_add(&sh->done[1], 1);
	}
	accel_device_close(dev);
	exit(0);
}

/* Waits up to 60 s for device 1's bystander to complete more than @than jobs. */
static unsigned long wait_bystander(struct shared *sh, unsigned long than, const char *when)
{
	for (int i = 0; i < 600; i++) {
		unsigned long d = atomic_load(&sh->done[1]);

		if (d > than)
			return d;
		if (atomic_load(&sh->failed))
			break;
		usleep(100000);
	}
	test_fail("device 1 %s: expected more than %lu jobs done within 60 s, got %lu", when, than,
		  atomic_load(&sh->done[1]));
}

static void wait_reset(unsigned long long than, const char *why)
{
	for (int i = 0; i < 600; i++) {
		if (sysfs_u64(0, "reset_count") > than)
			return;
		usleep(100000);
	}
	test_fail("%s: expected device 0's reset_count > %llu within 60 s, got %llu", why, than,
		  sysfs_u64(0, "reset_count"));
}

/* A job on device 0 in a fresh context succeeds (the device recovered). */
static void device0_works(const char *after)
{
	accel_device *dev = open_dev(0);
	accel_cmdbuf *cb = new_cmdbuf();
	accel_ctx *ctx;
	accel_bo *bo;
	void *m;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_LOW, &ctx), "ctx_create on device 0");
	bo = alloc_mapped(dev, 4096, &m);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 0xfeed);
	run_ok(dev, ctx, cb, &bo, 1, after);
	expect_u64(after, 0xfeed, *(uint64_t *)m);
	accel_device_close(dev);
}

static void fault_isolation(struct shared *sh)
{
	unsigned long long r0 = sysfs_u64(0, "reset_count"), r1 = sysfs_u64(1, "reset_count");
	accel_cmdbuf *cb = new_cmdbuf();
	unsigned long before, during, after;
	accel_device *d0;
	accel_job *job;
	accel_ctx *ctx;
	uint32_t status;
	accel_bo *bo;
	pid_t pid;
	void *m;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0)
		bystander(sh);
	before = wait_bystander(sh, 2, "before the faults");
	d0 = open_dev(0);

	/* Low priority runs on queues 0 and 1 of device 0: hang both. */
	check_ok(d0, accel_ctx_create(d0, ACCEL_PRIORITY_LOW, &ctx), "ctx_create on device 0");
	bo = alloc_mapped(d0, 4096, &m);
	knob(0, "hang_queue", "0");
	knob(0, "hang_queue", "1");
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 1);
	check_ok(d0, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "submit of the hanging job");
	check_ok(d0, accel_job_wait(job, 60ll * 1000000000), "wait for the hanging job (60 s)");
	check_ok(d0, accel_job_status(job, &status), "status of the hanging job");
	if (status != ACCEL_JOB_TIMEOUT)
		test_fail("hang on device 0: expected TIMEOUT, got %s",
			  accel_job_status_name(status));
	during = atomic_load(&sh->done[1]);
	accel_job_destroy(job);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
	accel_cmdbuf_destroy(cb);
	wait_reset(r0, "hang_queue on device 0");
	device0_works("a job on device 0 after its hang recovery");
	wait_bystander(sh, during + 1, "after device 0's hang recovery");

	r0 = sysfs_u64(0, "reset_count");
	knob(0, "crash_fw", "1");
	wait_reset(r0, "crash_fw on device 0");
	device0_works("a job on device 0 after its firmware crash");
	after = wait_bystander(sh, atomic_load(&sh->done[1]) + 1,
			       "after device 0's firmware crash");

	atomic_store(&sh->stop, 1);
	wait_children(&pid, 1, "device 1 bystander");
	expect_u64("device 1 reset_count (only device 0 faulted)", r1, sysfs_u64(1, "reset_count"));
	printf("multi_device: device 1 completed %lu jobs before, %lu more up to the end of device "
	       "0's hang, %lu in all, all OK\n",
	       before, during - before, after);
	accel_device_close(d0);
	printf("ok fault_isolation\n");
}

int main(void)
{
	struct shared *sh;
	struct stat st;
	size_t n = 0;

	test_init("multi_device");
	if (accel_enumerate(ents, NDEV, &n))
		test_fail("accel_enumerate: expected 0");
	if (n < NDEV)
		test_fail("accel_enumerate: expected %d devices (boot with --devices 2), got %zu",
			  NDEV, n);
	for (int k = 0; k < NDEV; k++)
		printf("multi_device: device %d: %s at %s\n", k, ents[k].node, ents[k].pci_address);
	if (stat("/sys/kernel/debug/accel", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		test_fail("debugfs is not mounted and cannot be: %m");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_fail("mmap: %m");
	memset(sh, 0, sizeof(*sh));
	both_at_once(sh);
	prime_across();
	fault_isolation(sh);
	test_pass();
}
