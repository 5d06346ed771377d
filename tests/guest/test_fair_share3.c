/* SPDX-License-Identifier: MIT */
/*
 * Service between more equal-priority contexts than hardware queues: three
 * processes, each with one busy normal-priority context keeping 8 GEMM
 * jobs in flight. The driver binds each context to the less loaded of the two
 * queues of its priority, so two contexts share one queue; it weights each
 * queue by its busy contexts (WEIGHT 1 and 2) so that the firmware's turns
 * give the three contexts equal shares (unweighted round robin would give
 * 2:1:1). When the first reaches 120 GEMMs, none may have fewer than 0.7
 * of another's jobs: 2:1:1 gives 0.5; three runs under TCG measured
 * min/max 0.93 to 0.99. Prints the counts and ratios.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define NPROC  3
#define TARGET 120
#define DEPTH  8
#define DIM    192

struct shared {
	atomic_ulong done[NPROC];
	atomic_int ready;
	atomic_int go;
	atomic_int stop;
};

static void worker(struct shared *sh, int me)
{
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	accel_job *ring[DEPTH] = {0};
	accel_ctx *ctx;
	accel_bo *bo;
	unsigned long n = 0;
	void *map;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	bo = alloc_mapped(dev, 3 * DIM * DIM * 4, &map);
	{
		/* Device-bound jobs, so the device's arbitration sets the shares. */
		struct accel_gemm g = {.m = DIM, .n = DIM, .k = DIM};

		g.a_va = accel_bo_va(bo);
		g.b_va = g.a_va + DIM * DIM * 4;
		g.c_va = g.b_va + DIM * DIM * 4;
		accel_cmdbuf_gemm(cb, &g);
		check_ok(dev, accel_cmdbuf_error(cb), "build GEMM");
	}
	atomic_fetch_add(&sh->ready, 1);
	while (!atomic_load(&sh->go))
		usleep(1000);
	while (!atomic_load(&sh->stop)) {
		accel_job **slot = &ring[n % DEPTH];
		uint32_t status;

		if (*slot) {
			check_ok(dev, accel_job_wait(*slot, 60ll * 1000000000), "job wait");
			check_ok(dev, accel_job_status(*slot, &status), "job status");
			if (status != ACCEL_JOB_OK)
				test_fail("worker %d: job failed with %s", me,
					  accel_job_status_name(status));
			accel_job_destroy(*slot);
			atomic_fetch_add(&sh->done[me], 1);
		}
		check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, slot), "submit");
		n++;
	}
	/* Jobs still in flight finish before the file closes. */
	for (int i = 0; i < DEPTH; i++)
		if (ring[i]) {
			accel_job_wait(ring[i], 60ll * 1000000000);
			accel_job_destroy(ring[i]);
		}
	accel_device_close(dev);
	exit(0);
}

int main(void)
{
	unsigned long cnt[NPROC], lo, hi;
	struct shared *sh;
	pid_t pid[NPROC];
	uint64_t t0;
	int st;

	test_init("fair_share3");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_fail("mmap: %m");
	for (int i = 0; i < NPROC; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			test_fail("fork: %m");
		if (pid[i] == 0)
			worker(sh, i);
	}
	t0 = now_ns();
	while (atomic_load(&sh->ready) < NPROC) {
		if (now_ns() - t0 > 60ull * 1000000000)
			test_fail("workers not ready after 60 s");
		usleep(1000);
	}
	atomic_store(&sh->go, 1);
	t0 = now_ns();
	for (;;) {
		int reached = 0;

		for (int i = 0; i < NPROC; i++) {
			cnt[i] = atomic_load(&sh->done[i]);
			reached |= cnt[i] >= TARGET;
		}
		if (reached)
			break;
		if (now_ns() - t0 > 600ull * 1000000000) {
			atomic_store(&sh->stop, 1);
			test_fail("no worker reached %d jobs in 600 s (got %lu, %lu, %lu)", TARGET,
				  cnt[0], cnt[1], cnt[2]);
		}
		usleep(1000);
	}
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < NPROC; i++)
		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			test_fail("worker %d: expected exit 0, got status 0x%x", i, st);
	lo = hi = cnt[0];
	for (int i = 1; i < NPROC; i++) {
		lo = cnt[i] < lo ? cnt[i] : lo;
		hi = cnt[i] > hi ? cnt[i] : hi;
	}
	printf("fair_share3: %lu, %lu and %lu jobs completed when the first reached %d (shares "
	       "%.2f %.2f %.2f, min/max %.2f, %.1f s)\n",
	       cnt[0], cnt[1], cnt[2], TARGET, (double)cnt[0] / (double)(cnt[0] + cnt[1] + cnt[2]),
	       (double)cnt[1] / (double)(cnt[0] + cnt[1] + cnt[2]),
	       (double)cnt[2] / (double)(cnt[0] + cnt[1] + cnt[2]), (double)lo / (double)hi,
	       (double)(now_ns() - t0) / 1e9);
	if (10 * lo < 7 * hi)
		test_fail("equal-priority contexts: expected equal shares (min/max at least 0.7), "
			  "got %lu, %lu and %lu jobs",
			  cnt[0], cnt[1], cnt[2]);
	test_pass();
}
