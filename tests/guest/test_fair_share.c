/* SPDX-License-Identifier: MIT */
/*
 * Fair service between equal priorities: two processes, each with one busy
 * normal-priority context keeping 8 jobs in flight, both complete work at
 * similar rates. The driver places the two contexts on the two hardware
 * queues of their priority and the firmware serves equal-priority queues
 * round robin, so when the first reaches 150 jobs the other must have at
 * least half as many (a starved one would be near 0). Prints the figures.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define TARGET 150
#define DEPTH  8
#define FILL   (64 * 1024)

struct shared {
	atomic_ulong done[2];
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
	bo = alloc_mapped(dev, FILL, &map);
	accel_cmdbuf_fill(cb, accel_bo_va(bo), FILL, 0x01010101u * (unsigned)(me + 1));
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
	struct shared *sh;
	unsigned long a, b, lo, hi;
	pid_t pid[2];
	uint64_t t0;
	int st;

	test_init("fair_share");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_fail("mmap: %m");
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			test_fail("fork: %m");
		if (pid[i] == 0)
			worker(sh, i);
	}
	t0 = now_ns();
	while (atomic_load(&sh->ready) < 2) {
		if (now_ns() - t0 > 60ull * 1000000000)
			test_fail("workers not ready after 60 s");
		usleep(1000);
	}
	atomic_store(&sh->go, 1);
	t0 = now_ns();
	for (;;) {
		a = atomic_load(&sh->done[0]);
		b = atomic_load(&sh->done[1]);
		if (a >= TARGET || b >= TARGET)
			break;
		if (now_ns() - t0 > 300ull * 1000000000) {
			atomic_store(&sh->stop, 1);
			test_fail("no worker reached %d jobs in 300 s (got %lu and %lu)", TARGET, a,
				  b);
		}
		usleep(1000);
	}
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < 2; i++)
		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			test_fail("worker %d: expected exit 0, got status 0x%x", i, st);
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	printf("fair_share: %lu and %lu jobs completed when the first reached %d (ratio %.2f, "
	       "%.1f s)\n",
	       a, b, TARGET, (double)lo / (double)hi, (double)(now_ns() - t0) / 1e9);
	if (2 * lo < hi)
		test_fail(
			"equal-priority contexts: expected similar throughput, got %lu vs %lu jobs",
			a, b);
	test_pass();
}
