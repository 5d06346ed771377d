/* SPDX-License-Identifier: MIT */
/*
 * accelctl top sees a busy process: while a child process runs jobs in a
 * loop on a normal-priority context, `accelctl top --once --json` reports
 * that child's pid with a nonzero normal-engine busy time in the sample,
 * the device's busy time too, and that document validates against
 * docs/accelctl.schema.json.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

static char root[4096];

static void child_loop(int ready_fd)
{
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;
	int first = 1;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	bo = alloc_mapped(dev, 1 << 20, &map);
	accel_cmdbuf_fill(cb, accel_bo_va(bo), 1 << 20, 0x12345678);
	for (;;) {
		if (run_job(ctx, dev, cb, &bo, 1, 20000) != ACCEL_JOB_OK)
			test_fail("busy child: FILL job failed");
		if (first) {
			first = 0;
			if (write(ready_fd, "r", 1) != 1)
				_exit(1);
		}
	}
}

/* Runs @cmd and returns its stdout (malloc'd); fails the test on exit != 0. */
static char *run(const char *cmd)
{
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	FILE *p = popen(cmd, "r");
	int st;

	if (!out || !p)
		test_fail("popen(%s): %m", cmd);
	for (size_t n; (n = fread(out + len, 1, cap - 1 - len, p)) > 0;) {
		len += n;
		if (len == cap - 1) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				test_fail("out of memory");
		}
	}
	out[len] = '\0';
	st = pclose(p);
	if (st)
		test_fail("%s: expected exit 0, got status 0x%x; output: %.300s", cmd, st, out);
	return out;
}

int main(int argc, char **argv)
{
	char cmd[16384], key[64], *out, *p;
	int pipefd[2], found = 0;
	pid_t pid;
	char c;

	(void)argc;
	test_init("accelctl_top");
	if (!realpath(argv[0], root))
		test_fail("realpath(%s): %m", argv[0]);
	/* build/tests/guest/test_x -> the tree's root */
	for (int i = 0; i < 4; i++) {
		p = strrchr(root, '/');
		if (!p)
			test_fail("cannot find the tree root from %s", argv[0]);
		*p = '\0';
	}
	if (pipe(pipefd))
		test_fail("pipe: %m");
	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		close(pipefd[0]);
		child_loop(pipefd[1]);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		test_fail("busy child died before its first job");

	snprintf(key, sizeof(key), "\"pid\":%d,", (int)pid);
	/* A sample shows the child busy unless none of its jobs ended within it. */
	for (int i = 0; i < 30 && !found; i++) {
		snprintf(cmd, sizeof(cmd),
			 "%s/build/bin/accelctl top --once -i 300 --json | tee "
			 "/tmp/accelctl-top.json",
			 root);
		out = run(cmd);
		p = strstr(out, key);
		if (!p) {
			kill(pid, SIGKILL);
			test_fail("accelctl top: expected the busy child (pid %d) among the "
				  "processes, "
				  "got: %.600s",
				  (int)pid, out);
		}
		p = strstr(p, "\"normal\":{\"busy_ns\":");
		if (p && strtoull(p + strlen("\"normal\":{\"busy_ns\":"), NULL, 10) > 0) {
			char *d = strstr(out, "\"device\":{");

			d = d ? strstr(d, "\"busy_ns\":") : NULL;
			if (!d || strtoull(d + strlen("\"busy_ns\":"), NULL, 10) == 0)
				test_fail("accelctl top: the child was busy but the device's "
					  "busy_ns is "
					  "0: %.600s",
					  out);
			found = 1;
		}
		free(out);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (!found)
		test_fail("accelctl top: in 30 samples of 300 ms, the busy child never showed a "
			  "nonzero normal-engine busy_ns");
	/* The last sample, the one that showed the child busy, against the schema. */
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 %s/tests/guest/accelctl_json_check.py "
		 "%s/docs/accelctl.schema.json top:1=/tmp/accelctl-top.json",
		 root, root);
	free(run(cmd));
	test_pass();
}
