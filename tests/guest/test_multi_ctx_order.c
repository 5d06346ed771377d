/* SPDX-License-Identifier: MIT */
/*
 * 1000 jobs on 4 contexts from 2 processes all complete, in order within
 * each context: every job writes its index and a device TIMESTAMP into its
 * own slot; per context the indices are all there and the timestamps never
 * go backwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define PROCS	     2
#define CTX_PER_PROC 2
#define JOBS_PER_CTX 250

struct slot {
	uint64_t index;
	uint64_t ts;
};

static void child(int proc)
{
	accel_job *jobs[CTX_PER_PROC][JOBS_PER_CTX];
	accel_ctx *ctx[CTX_PER_PROC];
	struct slot *slots;
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_bo *bo;
	void *map;
	char name[64];

	snprintf(name, sizeof(name), "multi_ctx_order[proc %d]", proc);
	test_init(name);
	dev = open_first_device();
	bo = alloc_mapped(dev, CTX_PER_PROC * JOBS_PER_CTX * sizeof(struct slot), &map);
	slots = map;
	for (int c = 0; c < CTX_PER_PROC; c++)
		check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx[c]),
			 "accel_ctx_create");
	cb = new_cmdbuf();
	/* Interleave the contexts so their jobs compete for the same queues. */
	for (int j = 0; j < JOBS_PER_CTX; j++)
		for (int c = 0; c < CTX_PER_PROC; c++) {
			uint64_t va = accel_bo_va(bo) +
				      ((uint64_t)c * JOBS_PER_CTX + j) * sizeof(struct slot);
			int ret;

			accel_cmdbuf_reset(cb);
			accel_cmdbuf_fence_write(cb, va, (uint64_t)j + 1);
			accel_cmdbuf_timestamp(cb, va + 8);
			ret = accel_submit_cmdbuf(ctx[c], cb, &bo, 1, &jobs[c][j]);
			if (ret)
				test_fail("submit of job %d on context %d: expected 0, got %d: %s",
					  j, c, ret, accel_device_last_error(dev));
			expect_u64("job seqno within its context", (uint64_t)j + 1,
				   accel_job_seqno(jobs[c][j]));
		}
	for (int c = 0; c < CTX_PER_PROC; c++)
		for (int j = 0; j < JOBS_PER_CTX; j++) {
			uint32_t st;

			check_ok(dev, accel_job_wait(jobs[c][j], 30ll * 1000000000), "job wait");
			check_ok(dev, accel_job_status(jobs[c][j], &st), "job status");
			if (st != ACCEL_JOB_OK)
				test_fail("job %d of context %d: expected status OK, got %s", j, c,
					  accel_job_status_name(st));
			accel_job_destroy(jobs[c][j]);
		}
	for (int c = 0; c < CTX_PER_PROC; c++)
		for (int j = 0; j < JOBS_PER_CTX; j++) {
			const struct slot *s = &slots[c * JOBS_PER_CTX + j];

			if (s->index != (uint64_t)j + 1)
				test_fail("context %d slot %d index: expected %d, got %llu", c, j,
					  j + 1, (unsigned long long)s->index);
			if (s->ts == 0)
				test_fail("context %d slot %d timestamp: expected nonzero, got 0",
					  c, j);
			if (j && s->ts < s[-1].ts)
				test_fail("context %d: job %d timestamp %llu: expected >= job %d's "
					  "%llu (in-order execution)",
					  c, j, (unsigned long long)s->ts, j - 1,
					  (unsigned long long)s[-1].ts);
		}
	accel_cmdbuf_destroy(cb);
	for (int c = 0; c < CTX_PER_PROC; c++)
		accel_ctx_destroy(ctx[c]);
	accel_bo_free(bo);
	accel_device_close(dev);
	exit(0);
}

int main(void)
{
	pid_t pids[PROCS];
	int failed = 0;

	test_init("multi_ctx_order");
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] < 0)
			test_fail("fork: expected a child, got %m");
		if (pids[p] == 0)
			child(p);
	}
	for (int p = 0; p < PROCS; p++) {
		int wst;

		if (waitpid(pids[p], &wst, 0) < 0 || !WIFEXITED(wst) || WEXITSTATUS(wst)) {
			printf("FAIL multi_ctx_order: process %d: expected exit 0, got %s %d\n", p,
			       WIFSIGNALED(wst) ? "signal" : "exit",
			       WIFSIGNALED(wst) ? WTERMSIG(wst) : WEXITSTATUS(wst));
			failed = 1;
		}
	}
	if (failed)
		exit(1);
	test_pass();
}
