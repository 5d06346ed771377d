/* SPDX-License-Identifier: MIT */
/*
 * A full queue makes SUBMIT wait, never fail at once (run by
 * tests/guest/hot-unplug.sh with job_timeout_ms=0, so hung jobs stay
 * hung). With the low-priority queues hung:
 *  - a process submitting in a loop gets ARES_CTX_MAX_JOBS (256) jobs in,
 *    then blocks in SUBMIT (no error, no progress for a second);
 *  - a caught signal runs its handler while SUBMIT waits (the wait is
 *    interruptible), and SUBMIT then goes on waiting: no error, no job;
 *  - SIGKILL ends it at once;
 *  - with submit_wait_ms=300, the 257th SUBMIT fails with -ETIMEDOUT after
 *    waiting at least 300 ms: the wait is bounded.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define LIMIT 256

struct shared {
	atomic_int submitted;
	atomic_int err;
	atomic_int caught;
};

static struct shared *shm;

/* Lock-free atomics are async-signal-safe. */
static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&shm->caught, 1);
}

/* Submits until an error; returns how many went in (and the error). */
static int submit_loop(accel_device *dev, struct shared *sh, int max, int *err)
{
	accel_cmdbuf *cb = new_cmdbuf();
	struct accel_submit_args args = {0};
	accel_bo *cmd, *bo;
	accel_ctx *ctx;
	accel_job *job;
	void *map;
	int n;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_LOW, &ctx), "ctx_create LOW");
	bo = alloc_mapped(dev, 4096, &map);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 1);
	check_ok(dev, accel_cmdbuf_upload(dev, cb, &cmd), "cmdbuf_upload");
	args.cmd_bo = cmd;
	args.cmd_size = 24;
	args.bos = &bo;
	args.bo_count = 1;
	for (n = 0; n < max; n++) {
		*err = accel_submit(ctx, &args, &job);
		if (*err)
			break;
		if (sh)
			atomic_store(&sh->submitted, n + 1);
	}
	return n;
}

int main(void)
{
	struct shared *sh;
	accel_device *dev;
	uint64_t t0, waited;
	pid_t pid;
	int err = 0, st;
	FILE *f;

	test_init("backpressure");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_fail("mmap: %m");
	dev = open_first_device();
	if (accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 0))
		test_skip("DEBUG HANG_QUEUE refused: load with fault_injection=1");
	check_ok(dev, accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 1), "HANG_QUEUE 1");

	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		accel_device *cdev = open_first_device();
		struct sigaction sa = {.sa_handler = on_usr1};

		/* No SA_RESTART: libaccel itself must resume the wait after EINTR. */
		shm = sh;
		if (sigaction(SIGUSR1, &sa, NULL))
			test_fail("sigaction: %m");

		submit_loop(cdev, sh, 100000, &err);
		atomic_store(&sh->err, err ? err : -1000);
		_exit(0);
	}
	t0 = now_ns();
	while (atomic_load(&sh->submitted) < LIMIT && !atomic_load(&sh->err)) {
		if (now_ns() - t0 > 180ull * 1000000000)
			test_fail("submitter: %d jobs in after 180 s, expected %d",
				  atomic_load(&sh->submitted), LIMIT);
		usleep(10000);
	}
	sleep(1);
	if (atomic_load(&sh->err))
		test_fail("submitter on a full queue: expected SUBMIT to wait, got error %d (%s) "
			  "after %d jobs",
			  atomic_load(&sh->err), accel_strerror(atomic_load(&sh->err)),
			  atomic_load(&sh->submitted));
	if (atomic_load(&sh->submitted) != LIMIT)
		test_fail("submitter: expected to block after %d jobs, got %d in", LIMIT,
			  atomic_load(&sh->submitted));
	for (int i = 1; i <= 3; i++) {
		kill(pid, SIGUSR1);
		t0 = now_ns();
		while (atomic_load(&sh->caught) < i) {
			if (now_ns() - t0 > 30ull * 1000000000)
				test_fail("blocked submitter: SIGUSR1 %d not handled within 30 s: "
					  "the wait is not interruptible",
					  i);
			usleep(10000);
		}
	}
	usleep(200000);
	if (atomic_load(&sh->err) || atomic_load(&sh->submitted) != LIMIT)
		test_fail("blocked submitter after 3 caught signals: expected it still waiting "
			  "with %d jobs in and no error, got %d in, error %d",
			  LIMIT, atomic_load(&sh->submitted), atomic_load(&sh->err));
	printf("blocked submitter handled 3 signals and went on waiting\n");
	kill(pid, SIGKILL);
	t0 = now_ns();
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
		test_fail("blocked submitter: expected to die of SIGKILL, got status 0x%x", st);
	printf("blocked submitter killed in %.2f s\n", (double)(now_ns() - t0) / 1e9);

	f = fopen("/sys/module/ares/parameters/submit_wait_ms", "w");
	if (!f || fputs("300", f) < 0 || fclose(f))
		test_fail("set submit_wait_ms: %m");
	/* A context with LIMIT hung jobs: the next SUBMIT waits, then gives up. */
	{
		accel_cmdbuf *cb = new_cmdbuf();
		accel_ctx *ctx;
		accel_bo *bo;
		accel_job *job;
		void *map;
		int i;

		check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_LOW, &ctx), "ctx_create");
		bo = alloc_mapped(dev, 4096, &map);
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 1);
		for (i = 0; i < LIMIT; i++)
			check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "submit");
		t0 = now_ns();
		err = accel_submit_cmdbuf(ctx, cb, &bo, 1, &job);
		waited = now_ns() - t0;
		expect_int("SUBMIT on a full context", -ETIMEDOUT, err);
		if (waited < 300000000ull)
			test_fail("SUBMIT on a full context: expected to wait >= 300 ms, returned "
				  "after "
				  "%llu ms",
				  (unsigned long long)(waited / 1000000));
	}
	f = fopen("/sys/module/ares/parameters/submit_wait_ms", "w");
	if (f) {
		fputs("10000", f);
		fclose(f);
	}
	/* The hung jobs end with the unplug that follows in the suite. */
	test_pass();
}
