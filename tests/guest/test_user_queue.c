/* SPDX-License-Identifier: MIT */
/*
 * User queues through libaccel (docs/hw-spec.md section 15): FILL, DMA_COPY
 * and GEMM give the right bytes; jobs of a queue run in ticket order;
 * polled and blocking waits; thousands of jobs wrap a 16-entry ring with
 * -EAGAIN backpressure, and an old ticket's record is reported reused;
 * a ticket exported as a fence is the in-fence of an ordinary job and a
 * pollable sync_file; two user queues and an ordinary context run side by
 * side; bad submits change nothing; a job submitted after the device went
 * idle runs (the library rang for it); and a queue goes on after the
 * device is reset (DEBUG_RESET, when the driver allows fault injection).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ares/regs.h"
#include "guest_util.h"

#define WAIT_NS	   (30ll * 1000000000)
#define SPIN_NS	   (2ll * 1000000000)
#define WRAP_JOBS  5000
#define WRAP_RING  16
#define ORDER_JOBS 200

static accel_device *dev;

/* Uploads @cb into a buffer of its own (freed by the caller). */
static accel_bo *upload(accel_cmdbuf *cb)
{
	accel_bo *bo;

	check_ok(dev, accel_cmdbuf_error(cb), "building the command buffer");
	check_ok(dev, accel_cmdbuf_upload(dev, cb, &bo), "accel_cmdbuf_upload");
	return bo;
}

static uint64_t submit(accel_uq *uq, accel_bo *cmd, uint32_t size)
{
	uint64_t ticket;

	check_ok(dev, accel_uq_submit(uq, cmd, 0, size, &ticket), "accel_uq_submit");
	return ticket;
}

static uint32_t status_of(accel_uq *uq, uint64_t ticket)
{
	uint32_t status;

	check_ok(dev, accel_uq_job_status(uq, ticket, &status), "accel_uq_job_status");
	return status;
}

/* Submits @cb once on @uq, waits (polling first if @spin_ns) and returns its status. */
static uint32_t run_uq(accel_uq *uq, accel_cmdbuf *cb, uint64_t spin_ns)
{
	accel_bo *cmd = upload(cb);
	uint64_t ticket = submit(uq, cmd, (uint32_t)accel_cmdbuf_size(cb));
	uint32_t status;

	check_ok(dev, accel_uq_wait(uq, ticket, spin_ns, WAIT_NS), "accel_uq_wait");
	if (accel_uq_completed(uq) < ticket)
		test_fail(
			"after accel_uq_wait(%llu): expected accel_uq_completed() >= it, got %llu",
			(unsigned long long)ticket, (unsigned long long)accel_uq_completed(uq));
	status = status_of(uq, ticket);
	accel_bo_free(cmd);
	return status;
}

static void fill_and_copy(accel_uq *uq)
{
	accel_bo *src_bo, *dst_bo;
	uint8_t *src, *dst;
	accel_cmdbuf *cb;
	void *map;

	src_bo = alloc_mapped(dev, 3 * 4096, &map);
	src = map;
	dst_bo = alloc_mapped(dev, 3 * 4096, &map);
	dst = map;
	memset(dst, 0xcc, 3 * 4096);

	/* FILL, blocking wait (no polling). */
	cb = new_cmdbuf();
	accel_cmdbuf_fill(cb, accel_bo_va(src_bo) + 4, 2 * 4096 + 100, 0xa1b2c3d4);
	expect_u64("FILL job status", ACCEL_JOB_OK, run_uq(uq, cb, 0));
	for (uint32_t i = 0; i < 3 * 4096; i++) {
		uint8_t want = i >= 4 && i < 4 + 2 * 4096 + 100
				       ? (uint8_t)(0xa1b2c3d4u >> (8 * ((i - 4) % 4)))
				       : 0;

		if (src[i] != want)
			test_fail(
				"FILL through the user queue: byte %u: expected 0x%02x, got 0x%02x",
				i, want, src[i]);
	}
	accel_cmdbuf_destroy(cb);

	/* DMA_COPY, polled wait. */
	for (uint32_t i = 0; i < 3 * 4096; i++)
		src[i] = (uint8_t)(i * 13 + 5);
	cb = new_cmdbuf();
	accel_cmdbuf_dma_copy(cb, accel_bo_va(src_bo) + 3, accel_bo_va(dst_bo) + 7, 4096 + 999);
	expect_u64("DMA_COPY job status", ACCEL_JOB_OK, run_uq(uq, cb, SPIN_NS));
	for (uint32_t i = 0; i < 3 * 4096; i++) {
		uint8_t want = i >= 7 && i < 7 + 4096 + 999 ? src[i - 7 + 3] : 0xcc;

		if (dst[i] != want)
			test_fail("DMA_COPY through the user queue: byte %u: expected 0x%02x, got "
				  "0x%02x",
				  i, want, dst[i]);
	}
	accel_cmdbuf_destroy(cb);
	accel_bo_free(dst_bo);
	accel_bo_free(src_bo);
}

static float lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void gemm(accel_uq *uq)
{
	enum { M = 48, N = 40, K = 56 };
	accel_bo *ba, *bb, *bc;
	float *a, *b, *c, c0[M * N];
	uint32_t seed = 11;
	accel_cmdbuf *cb;
	void *map;

	ba = alloc_mapped(dev, M * K * 4, &map);
	a = map;
	bb = alloc_mapped(dev, K * N * 4, &map);
	b = map;
	bc = alloc_mapped(dev, M * N * 4, &map);
	c = map;
	for (int i = 0; i < M * K; i++)
		a[i] = lcg(&seed);
	for (int i = 0; i < K * N; i++)
		b[i] = lcg(&seed);
	for (int i = 0; i < M * N; i++)
		c[i] = c0[i] = lcg(&seed);
	cb = new_cmdbuf();
	accel_cmdbuf_gemm(cb, &(struct accel_gemm){.m = M,
						   .n = N,
						   .k = K,
						   .a_va = accel_bo_va(ba),
						   .b_va = accel_bo_va(bb),
						   .c_va = accel_bo_va(bc)});
	expect_u64("GEMM job status", ACCEL_JOB_OK, run_uq(uq, cb, SPIN_NS));
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double ref = c0[i * N + j], got = c[i * N + j];

			for (int p = 0; p < K; p++)
				ref += (double)a[i * K + p] * b[p * N + j];
			if (fabs(got - ref) > 1e-3 * fmax(fabs(ref), 1.0))
				test_fail("GEMM through the user queue: C[%d][%d]: expected %.6f, "
					  "got %.6f",
					  i, j, ref, got);
		}
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bc);
	accel_bo_free(bb);
	accel_bo_free(ba);
}

/*
 * Job i copies the word `cur` into log[i], then writes i + 1 into `cur`:
 * log[i] == i only if every job ran after the one before it finished.
 */
static void ordering(accel_uq *uq)
{
	accel_bo *bo, *cmds[ORDER_JOBS];
	uint64_t *mem, last = 0;
	accel_cmdbuf *cb = new_cmdbuf();
	void *map;

	bo = alloc_mapped(dev, (ORDER_JOBS + 1) * 8, &map);
	mem = map;
	for (int i = 0; i < ORDER_JOBS; i++) {
		accel_cmdbuf_reset(cb);
		accel_cmdbuf_dma_copy(cb, accel_bo_va(bo), accel_bo_va(bo) + 8 * (i + 1), 8);
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo), (uint64_t)i + 1);
		cmds[i] = upload(cb);
	}
	for (int i = 0; i < ORDER_JOBS; i++) {
		uint64_t t;
		int ret;

		/* 200 jobs overflow the 64-entry ring: backpressure, then go on. */
		while ((ret = accel_uq_submit(uq, cmds[i], 0, (uint32_t)accel_cmdbuf_size(cb),
					      &t)) == -EAGAIN)
			check_ok(dev, accel_uq_wait(uq, t, 0, WAIT_NS),
				 "accel_uq_wait for ring space");
		check_ok(dev, ret, "accel_uq_submit (ordering)");
		if (last && t != last + 1)
			test_fail("tickets: expected %llu after %llu, got %llu",
				  (unsigned long long)last + 1, (unsigned long long)last,
				  (unsigned long long)t);
		last = t;
	}
	check_ok(dev, accel_uq_wait(uq, last, 0, WAIT_NS), "accel_uq_wait (ordering)");
	for (int i = 0; i < ORDER_JOBS; i++)
		if (mem[i + 1] != (uint64_t)i)
			test_fail("ordering: job %d saw the word written by job %lld: expected %d, "
				  "got %llu (jobs of one user queue ran out of order)",
				  i, (long long)mem[i + 1] - 1, i, (unsigned long long)mem[i + 1]);
	expect_u64("ordering: the last job's word", ORDER_JOBS, mem[0]);
	for (int i = 0; i < ORDER_JOBS; i++)
		accel_bo_free(cmds[i]);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
}

/*
 * WRAP_JOBS jobs through a WRAP_RING-entry ring, each writing its own
 * ticket into its own word of a log (one command stream per job, at its
 * offset in one buffer): every job ran once, in its slot, and the ring's
 * backpressure is -EAGAIN, never a lost or doubled job.
 */
static void wrap(void)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t *log, first, t = 0, again = 0;
	accel_bo *bo, *nop, *cmds;
	uint32_t status, sz;
	accel_uq *uq;
	void *map;
	int ret;

	check_ok(dev, accel_uq_create(dev, ACCEL_PRIORITY_NORMAL, WRAP_RING, &uq),
		 "accel_uq_create (16 entries)");
	expect_u64("accel_uq_ring_entries", WRAP_RING, accel_uq_ring_entries(uq));
	bo = alloc_mapped(dev, WRAP_JOBS * 8, &map);
	log = map;
	/* Tickets are consecutive: a first job tells the ones to come. */
	accel_cmdbuf_nop(cb, 8);
	nop = upload(cb);
	first = submit(uq, nop, 8) + 1;
	accel_cmdbuf_reset(cb);
	for (int i = 0; i < WRAP_JOBS; i++)
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8 * i, first + i);
	cmds = upload(cb);
	sz = (uint32_t)(accel_cmdbuf_size(cb) / WRAP_JOBS);
	for (int i = 0; i < WRAP_JOBS; i++) {
		while ((ret = accel_uq_submit(uq, cmds, (uint64_t)i * sz, sz, &t)) == -EAGAIN) {
			again++;
			check_ok(dev, accel_uq_wait(uq, t, SPIN_NS, WAIT_NS),
				 "accel_uq_wait for ring space (wrap)");
		}
		check_ok(dev, ret, "accel_uq_submit (wrap)");
		expect_u64("wrap: ticket", first + i, t);
	}
	check_ok(dev, accel_uq_wait(uq, t, SPIN_NS, WAIT_NS), "accel_uq_wait (wrap)");
	if (!again)
		test_fail("wrap: %d jobs through a %d-entry ring: expected -EAGAIN at least once "
			  "(the ring never filled)",
			  WRAP_JOBS, WRAP_RING);
	for (int i = 0; i < WRAP_JOBS; i++)
		if (log[i] != first + i)
			test_fail("wrap: word %d: expected ticket %llu, got %llu", i,
				  (unsigned long long)(first + i), (unsigned long long)log[i]);
	for (uint64_t tk = t - WRAP_RING + 1; tk <= t; tk++)
		expect_u64("wrap: status of one of the last RING_ENTRIES jobs", ACCEL_JOB_OK,
			   status_of(uq, tk));
	ret = accel_uq_job_status(uq, t - WRAP_RING, &status);
	expect_int("accel_uq_job_status of a ticket RING_ENTRIES jobs old", -ESTALE, ret);
	ret = accel_uq_job_status(uq, t + 1, &status);
	expect_int("accel_uq_job_status of a ticket not handed out", -EINVAL, ret);
	ret = accel_uq_wait(uq, t + 1, 0, 0);
	expect_int("accel_uq_wait of a ticket not handed out", -EINVAL, ret);
	printf("wrap: %d jobs through a %d-entry ring, -EAGAIN %llu times\n", WRAP_JOBS, WRAP_RING,
	       (unsigned long long)again);
	accel_bo_free(cmds);
	accel_bo_free(nop);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	check_ok(dev, accel_uq_destroy(uq), "accel_uq_destroy (wrap)");
}

/*
 * A ticket as a fence: a slow user-queue job (big copies, then a FILL of
 * the marker) is the in-fence of an ordinary job that copies the marker,
 * so the copy holds the FILL's pattern only if the fence held it back.
 */
static void fence_export(accel_uq *uq, accel_ctx *ctx)
{
	enum { BIG = 4 << 20 };
	accel_bo *big_a, *big_b, *mark, *cmd;
	accel_cmdbuf *cb = new_cmdbuf();
	struct pollfd pfd;
	accel_job *fence, *job;
	uint32_t *m, status;
	uint64_t ticket;
	void *map;
	int fd;

	big_a = alloc_mapped(dev, BIG, &map);
	big_b = alloc_mapped(dev, BIG, &map);
	mark = alloc_mapped(dev, 4096, &map);
	m = map;
	for (int i = 0; i < 4; i++)
		accel_cmdbuf_dma_copy(cb, accel_bo_va(big_a), accel_bo_va(big_b), BIG);
	accel_cmdbuf_fill(cb, accel_bo_va(mark), 64, 0x5eed5eed);
	cmd = upload(cb);
	ticket = submit(uq, cmd, (uint32_t)accel_cmdbuf_size(cb));
	check_ok(dev, accel_uq_fence(uq, ticket, &fence), "accel_uq_fence");
	expect_u64("accel_job_seqno of a user-queue fence", ticket, accel_job_seqno(fence));

	accel_cmdbuf_reset(cb);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(mark), accel_bo_va(mark) + 2048, 64);
	{
		accel_bo *c2 = upload(cb);
		struct accel_submit_args args = {.cmd_bo = c2,
						 .cmd_size = (uint32_t)accel_cmdbuf_size(cb),
						 .bos = &mark,
						 .bo_count = 1,
						 .wait = &fence,
						 .wait_count = 1};

		check_ok(dev, accel_submit(ctx, &args, &job), "accel_submit with the fence");
		check_ok(dev, accel_job_wait(job, WAIT_NS), "accel_job_wait (fenced job)");
		check_ok(dev, accel_job_status(job, &status), "accel_job_status (fenced job)");
		expect_u64("fenced job status", ACCEL_JOB_OK, status);
		accel_job_destroy(job);
		accel_bo_free(c2);
	}
	for (int i = 0; i < 16; i++)
		if (m[512 + i] != 0x5eed5eed)
			test_fail(
				"in-fence from a user-queue ticket: word %d of the copy: expected "
				"0x5eed5eed (the fenced job ran after the user-queue job), got "
				"0x%08x",
				i, m[512 + i]);
	check_ok(dev, accel_job_status(fence, &status), "accel_job_status of the fence job");
	expect_u64("the fence job's status (its ticket's record)", ACCEL_JOB_OK, status);

	/* The same ticket as a sync_file: readable, since the job is done. */
	check_ok(dev, accel_job_export_sync_file(fence, &fd), "accel_job_export_sync_file");
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	expect_int("poll() of the sync_file of a completed ticket", 1, poll(&pfd, 1, 10000));
	close(fd);
	accel_job_destroy(fence);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(cmd);
	accel_bo_free(mark);
	accel_bo_free(big_b);
	accel_bo_free(big_a);
}

/* Two user queues and an ordinary context, interleaved, each counting in its own word. */
static void side_by_side(accel_uq *uq1, accel_ctx *ctx)
{
	enum { ROUNDS = 100 };
	accel_bo *bo, *cmd[3][ROUNDS];
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t *w, t1 = 0, t2 = 0;
	accel_job *jobs[ROUNDS];
	accel_uq *uq2;
	void *map;

	check_ok(dev, accel_uq_create(dev, ACCEL_PRIORITY_HIGH, 32, &uq2),
		 "accel_uq_create (second queue)");
	if (accel_uq_ctx_id(uq2) == accel_uq_ctx_id(uq1) ||
	    accel_uq_ctx_id(uq2) == accel_ctx_id(ctx))
		test_fail("context ids: expected three different ones, got %u, %u and %u",
			  accel_uq_ctx_id(uq1), accel_uq_ctx_id(uq2), accel_ctx_id(ctx));
	bo = alloc_mapped(dev, 4096, &map);
	w = map;
	for (int q = 0; q < 3; q++)
		for (int r = 0; r < ROUNDS; r++) {
			accel_cmdbuf_reset(cb);
			accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8 * q, (uint64_t)r + 1);
			cmd[q][r] = upload(cb);
		}
	for (int r = 0; r < ROUNDS; r++) {
		struct accel_submit_args args = {.cmd_bo = cmd[2][r], .cmd_size = 24};

		while (accel_uq_submit(uq1, cmd[0][r], 0, 24, &t1) == -EAGAIN)
			check_ok(dev, accel_uq_wait(uq1, t1, 0, WAIT_NS),
				 "accel_uq_wait (queue 1)");
		while (accel_uq_submit(uq2, cmd[1][r], 0, 24, &t2) == -EAGAIN)
			check_ok(dev, accel_uq_wait(uq2, t2, 0, WAIT_NS),
				 "accel_uq_wait (queue 2)");
		check_ok(dev, accel_submit(ctx, &args, &jobs[r]), "accel_submit (context)");
	}
	check_ok(dev, accel_uq_wait(uq1, t1, SPIN_NS, WAIT_NS), "accel_uq_wait (queue 1, last)");
	check_ok(dev, accel_uq_wait(uq2, t2, 0, WAIT_NS), "accel_uq_wait (queue 2, last)");
	check_ok(dev, accel_job_wait(jobs[ROUNDS - 1], WAIT_NS), "accel_job_wait (context, last)");
	expect_u64("side by side: user queue 1's last word", ROUNDS, w[0]);
	expect_u64("side by side: user queue 2's last word", ROUNDS, w[1]);
	expect_u64("side by side: the context's last word", ROUNDS, w[2]);
	expect_u64("side by side: queue 1's last status", ACCEL_JOB_OK, status_of(uq1, t1));
	expect_u64("side by side: queue 2's last status", ACCEL_JOB_OK, status_of(uq2, t2));
	for (int r = 0; r < ROUNDS; r++)
		accel_job_destroy(jobs[r]);
	for (int q = 0; q < 3; q++)
		for (int r = 0; r < ROUNDS; r++)
			accel_bo_free(cmd[q][r]);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	check_ok(dev, accel_uq_destroy(uq2), "accel_uq_destroy (second queue)");
}

/*
 * After the device has been idle long enough to stop polling (it sets
 * NEED_WAKEUP first), a submit still gets its job run: the library rang.
 * Both waits: blocking, then polled.
 */
static void after_idle(accel_uq *uq)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t *w;
	accel_bo *bo;
	void *map;

	bo = alloc_mapped(dev, 4096, &map);
	w = map;
	for (int round = 0; round < 2; round++) {
		accel_cmdbuf_reset(cb);
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 0x1d1e0000u + round);
		usleep(300 * 1000);
		expect_u64("job after an idle pause: status", ACCEL_JOB_OK,
			   run_uq(uq, cb, round ? SPIN_NS : 0));
		expect_u64("job after an idle pause: its word", 0x1d1e0000u + round, w[0]);
	}
	accel_bo_free(bo);
	accel_cmdbuf_destroy(cb);
}

/* Refused submits and creates name the problem and change nothing. */
static void bad_input(accel_uq *uq)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t before = accel_uq_completed(uq), t;
	accel_bo *cmd;
	accel_uq *none = NULL;

	accel_cmdbuf_nop(cb, 8);
	cmd = upload(cb);
	expect_int("accel_uq_submit with cmd_size 12", -EINVAL,
		   accel_uq_submit(uq, cmd, 0, 12, &t));
	expect_int("accel_uq_submit with cmd_offset 4", -EINVAL,
		   accel_uq_submit(uq, cmd, 4, 8, &t));
	expect_int("accel_uq_submit past the buffer's end", -EINVAL,
		   accel_uq_submit(uq, cmd, accel_bo_size(cmd), 8, &t));
	expect_int("accel_uq_submit with no buffer", -EINVAL, accel_uq_submit(uq, NULL, 0, 8, &t));
	expect_int("accel_uq_create with 24 entries", -EINVAL,
		   accel_uq_create(dev, ACCEL_PRIORITY_NORMAL, 24, &none));
	expect_int("accel_uq_create with 8192 entries", -EINVAL,
		   accel_uq_create(dev, ACCEL_PRIORITY_NORMAL, 8192, &none));
	if (none)
		test_fail("a refused accel_uq_create set its out handle");
	/* The next accepted job takes the next ticket: the refusals used none. */
	t = submit(uq, cmd, 8);
	check_ok(dev, accel_uq_wait(uq, t, 0, WAIT_NS), "accel_uq_wait (after refusals)");
	if (t != before + 1)
		test_fail("after refused submits: expected ticket %llu, got %llu",
			  (unsigned long long)before + 1, (unsigned long long)t);
	expect_u64("NOP job status", ACCEL_JOB_OK, status_of(uq, t));
	accel_bo_free(cmd);
	accel_cmdbuf_destroy(cb);
}

/* After DEBUG_RESET the queue takes jobs where it stopped. */
static void after_reset(accel_uq *uq)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t state, error;
	accel_bo *bo, *cmd;
	uint64_t *w, t;
	void *map;
	int ret;

	ret = accel_device_debug(dev, ACCEL_DEBUG_RESET, 0);
	if (ret == -EPERM || ret == -EACCES || ret == -EOPNOTSUPP || ret == -EINVAL) {
		printf("after_reset: not run: DEBUG_RESET refused (%s); load ares with "
		       "fault_injection=1 and run as root\n",
		       accel_strerror(ret));
		accel_cmdbuf_destroy(cb);
		return;
	}
	check_ok(dev, ret, "accel_device_debug(DEBUG_RESET)");
	check_ok(dev, accel_uq_state(uq, &state, &error), "accel_uq_state after the reset");
	expect_u64("queue state after a reset it had no job in", ACCEL_UQ_ACTIVE, state);
	bo = alloc_mapped(dev, 4096, &map);
	w = map;
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 0xfeedf00d);
	cmd = upload(cb);
	t = submit(uq, cmd, 24);
	check_ok(dev, accel_uq_wait(uq, t, SPIN_NS, WAIT_NS), "accel_uq_wait after the reset");
	expect_u64("job after the reset: status", ACCEL_JOB_OK, status_of(uq, t));
	expect_u64("job after the reset: its word", 0xfeedf00d, w[0]);
	accel_bo_free(cmd);
	accel_bo_free(bo);
	accel_cmdbuf_destroy(cb);
}

int main(void)
{
	struct accel_device_info info;
	uint32_t state = 99, error = 99;
	accel_ctx *ctx;
	accel_uq *uq;

	test_init("user_queue");
	dev = open_first_device();
	check_ok(dev, accel_device_query_info(dev, &info), "accel_device_query_info");
	if (!(info.caps & ARES_CAP_USER_QUEUES)) {
		expect_int("accel_uq_create on a device without user queues", -EOPNOTSUPP,
			   accel_uq_create(dev, ACCEL_PRIORITY_NORMAL, 64, &uq));
		test_skip("the device has no ARES_CAP_USER_QUEUES (caps 0x%x)", info.caps);
	}
	check_ok(dev, accel_uq_create(dev, ACCEL_PRIORITY_NORMAL, 64, &uq), "accel_uq_create");
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	check_ok(dev, accel_uq_state(uq, &state, &error), "accel_uq_state");
	expect_u64("a new queue's state", ACCEL_UQ_ACTIVE, state);
	expect_u64("a new queue's error", ACCEL_UQ_ERR_NONE, error);

	fill_and_copy(uq);
	gemm(uq);
	ordering(uq);
	bad_input(uq);
	after_idle(uq);
	wrap();
	fence_export(uq, ctx);
	side_by_side(uq, ctx);
	after_reset(uq);

	accel_ctx_destroy(ctx);
	check_ok(dev, accel_uq_destroy(uq), "accel_uq_destroy");
	accel_device_close(dev);
	test_pass();
}
