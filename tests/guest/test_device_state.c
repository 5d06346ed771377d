/* SPDX-License-Identifier: MIT */
/*
 * libaccel's device-state functions read what the driver publishes:
 * accel_device_state() sees a running device whose jobs_completed and
 * perf_jobs grow by the jobs this test runs; accel_device_clients() lists
 * this process's open file with the client id of its fdinfo and engine
 * time at the priority it used; accel_device_debugfs() returns the status
 * file as root, refuses names that are not plain file names, and answers
 * -EACCES with a sentence for a user who cannot read debugfs. Bad
 * arguments fail with -EINVAL and change nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

#define JOBS 4

static struct accel_device_entry ent;

static void first_entry(void)
{
	size_t n = 0;

	check_ok(NULL, accel_enumerate(&ent, 1, &n), "accel_enumerate");
	if (n < 1)
		test_fail("accel_enumerate: expected a device, got none");
}

static uint64_t counter(const struct accel_device_state *st, unsigned int i)
{
	if (!(st->counter_valid & (1u << i)))
		test_fail("accel_device_state: expected %s to be read, counter_valid 0x%x",
			  accel_counter_name(i), st->counter_valid);
	return st->counter[i];
}

static void check_state(void)
{
	struct accel_device_state a, b;
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t want;
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;

	check_ok(NULL, accel_device_state(&ent, &a), "accel_device_state");
	if (strcmp(a.state, "running"))
		test_fail("state: expected \"running\", got \"%s\"", a.state);
	if (!a.fw_compat_min || a.fw_compat_min > a.fw_compat_max)
		test_fail("firmware range: expected min <= max, both nonzero, got 0x%x..0x%x",
			  a.fw_compat_min, a.fw_compat_max);
	if (!a.fw_image_version)
		test_fail("fw_image_version: expected the loaded image's version, got 0");

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_HIGH, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, 1 << 20, &map);
	check_ok(NULL, accel_cmdbuf_fill(cb, accel_bo_va(bo), 1 << 20, 0x5a5a5a5au),
		 "accel_cmdbuf_fill");
	for (int i = 0; i < JOBS; i++)
		if (run_job(ctx, dev, cb, &bo, 1, 20000) != ACCEL_JOB_OK)
			test_fail("FILL job %d: expected OK", i);

	check_ok(NULL, accel_device_state(&ent, &b), "accel_device_state after the jobs");
	want = counter(&a, ACCEL_COUNTER_JOBS_COMPLETED) + JOBS;
	if (counter(&b, ACCEL_COUNTER_JOBS_COMPLETED) < want)
		test_fail("jobs_completed: expected at least %llu after %d jobs, got %llu",
			  (unsigned long long)want, JOBS,
			  (unsigned long long)counter(&b, ACCEL_COUNTER_JOBS_COMPLETED));
	want = counter(&a, ACCEL_COUNTER_PERF_JOBS) + JOBS;
	if (counter(&b, ACCEL_COUNTER_PERF_JOBS) < want)
		test_fail("perf_jobs: expected at least %llu after %d jobs, got %llu",
			  (unsigned long long)want, JOBS,
			  (unsigned long long)counter(&b, ACCEL_COUNTER_PERF_JOBS));

	/* This process's one open file, with the engine time of its jobs. */
	struct accel_client c[8];
	size_t n = 0, mine = 0;

	check_ok(NULL, accel_device_clients(&ent, c, 8, &n), "accel_device_clients");
	for (size_t i = 0; i < n && i < 8; i++) {
		if (c[i].pid != getpid())
			continue;
		mine++;
		if (!c[i].engine_ns[ACCEL_PRIORITY_HIGH])
			test_fail("client %llu (this process): expected high-priority engine "
				  "time after %d jobs, got 0",
				  (unsigned long long)c[i].client_id, JOBS);
		if (!c[i].memory_kib)
			test_fail("client %llu: expected the memory of a 1 MiB buffer, got 0 KiB",
				  (unsigned long long)c[i].client_id);
	}
	if (mine != 1)
		test_fail("accel_device_clients: expected this process's one file, got %zu of %zu",
			  mine, n);
	/* Counting only: the same total, nothing written. */
	size_t n0 = 0;

	check_ok(NULL, accel_device_clients(&ent, NULL, 0, &n0), "accel_device_clients count");
	if (n0 != n)
		test_fail("accel_device_clients count: expected %zu, got %zu", n, n0);
	expect_int("accel_device_clients(NULL, max 1)", -EINVAL,
		   accel_device_clients(&ent, NULL, 1, &n0));

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
}

static void check_debugfs(void)
{
	char err[512], *text = NULL;
	int ret;
	pid_t pid;

	ret = accel_device_debugfs(&ent, "status", &text, err, sizeof(err));
	if (ret)
		test_fail("accel_device_debugfs(status) as root: expected 0, got %d: %s", ret, err);
	if (!text || !text[0])
		test_fail("accel_device_debugfs(status): expected text, got none");
	free(text);

	const char *bad[] = {"", "..", ".", "../regs", "a/b"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = (char *)"untouched";
		ret = accel_device_debugfs(&ent, bad[i], &text, err, sizeof(err));
		if (ret != -EINVAL || strcmp(text, "untouched") || !err[0])
			test_fail(
				"accel_device_debugfs(\"%s\"): expected -EINVAL with a message and "
				"*text untouched, got %d, \"%s\"",
				bad[i], ret, err);
	}

	/* An unprivileged user: debugfs is root's. */
	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		ret = accel_device_debugfs(&ent, "regs", &text, err, sizeof(err));
		if (ret != -EACCES || !strstr(err, "root")) {
			printf("FAIL device_state: accel_device_debugfs as uid 65534: expected "
			       "-EACCES saying root only, got %d: %s\n",
			       ret, err);
			_exit(1);
		}
		_exit(0);
	}
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		test_fail(
			"unprivileged debugfs read: expected the child to exit 0, got status 0x%x",
			st);
}

int main(void)
{
	struct accel_device_state st;
	struct accel_device_entry gone;

	test_init("device_state");
	first_entry();
	check_state();
	check_debugfs();

	expect_int("accel_device_state(NULL)", -EINVAL, accel_device_state(NULL, &st));
	expect_int("accel_device_state(st NULL)", -EINVAL, accel_device_state(&ent, NULL));
	gone = ent;
	gone.index = 999;
	expect_int("accel_device_state(accel999)", -ENOENT, accel_device_state(&gone, &st));
	if (accel_counter_name(ACCEL_NUM_COUNTERS) || !accel_counter_name(0) ||
	    strcmp(accel_counter_name(ACCEL_COUNTER_RESET_COUNT), "reset_count"))
		test_fail("accel_counter_name: expected \"reset_count\" for RESET_COUNT and NULL "
			  "past ACCEL_NUM_COUNTERS");
	test_pass();
}
