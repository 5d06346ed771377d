/* SPDX-License-Identifier: MIT */
/*
 * A hostile process faults only its own user queue (issue 12): it writes
 * garbage descriptors (each fails as ARES_JOB_INVALID_DESC, or a fault,
 * and the queue goes on), names another address space, scribbles over the
 * rest of its doorbell page, and finally moves TAIL far past the ring,
 * which stops its queue with ARES_UQ_ERR_BAD_TAIL (UQ_WAIT: -ECANCELED,
 * state ERROR). Meanwhile another process's user queue and a normal
 * SUBMIT context run their jobs to completion, and the hostile process's
 * next user queue works. A process killed in UQ_WAIT with 4000 jobs queued
 * leaves everything working.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uq_raw.h"

/* The other process: a user queue and a SUBMIT context, busy all along. */
static noreturn void victim(int go_fd)
{
	struct drm_ares_ctx_create cc = {.priority = DRM_ARES_PRIORITY_NORMAL};
	accel_device *dev = open_first_device();
	int fd = accel_device_fd(dev);
	struct drm_ares_submit s;
	uint32_t bo, out, i;
	struct uq q;
	uint64_t va;
	char c;
	int ret;

	test_init("uq_hostile (victim)");
	bo = uq_nop_bo(fd, &va);
	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 64, &q);
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	if (uq_ioctl(fd, DRM_IOCTL_ARES_CTX_CREATE, &cc) || drmSyncobjCreate(fd, 0, &out))
		test_fail("CTX_CREATE/SYNCOBJ_CREATE: %m");
	if (write(go_fd, "r", 1) != 1)
		test_fail("pipe: %m");
	for (i = 0; i < 30; i++) {
		uq_run_nops(&q, va, 32, "victim's user queue");
		s = (struct drm_ares_submit){.ctx_id = cc.ctx_id,
					     .cmd_va = va,
					     .cmd_size = 8,
					     .bo_count = 1,
					     .bo_handles = (uintptr_t)&bo,
					     .out_syncobj = out};
		if (uq_ioctl(fd, DRM_IOCTL_ARES_SUBMIT, &s))
			test_fail("victim's SUBMIT: %m");
		if (drmSyncobjWait(fd, &out, 1, uq_deadline_ns(20000), 0, NULL))
			test_fail("victim's SUBMIT did not complete: %m");
	}
	/* Wait until the attacker is done, then once more. */
	if (read(go_fd, &c, 1) != 1)
		test_fail("pipe: %m");
	uq_run_nops(&q, va, 64, "victim's user queue after the attack");
	exit(0);
}

static void garbage_descriptors(struct uq *q, uint64_t va)
{
	struct drm_ares_uq_wait w;
	uint32_t i, start = q->tail, st;
	int ret;

	srand(12);
	for (i = 0; i < 24; i++) {
		uint8_t *d = (uint8_t *)&q->ring[q->tail & (q->c.ring_entries - 1)];
		size_t b;

		if (i % 3 == 1) {
			/* Well formed, but naming another address space. */
			uq_write_desc(q, va, 8);
			q->ring[(q->tail - 1) & (q->c.ring_entries - 1)].asid =
				(uint16_t)(q->c.asid + 1);
			continue;
		}
		for (b = 0; b < sizeof(struct ares_job_desc); b++)
			d[b] = (uint8_t)rand();
		q->tail++;
	}
	ret = uq_kick(q);
	if (ret)
		test_fail("UQ_WAKE after garbage: %s", accel_strerror(ret));
	ret = uq_wait(q, q->tail, 20000, &w);
	if (ret)
		test_fail("UQ_WAIT after 24 garbage descriptors: expected 0, got %s (state %u "
			  "error %u)",
			  accel_strerror(ret), w.state, w.error);
	for (i = start; i != q->tail; i++) {
		st = uq_rec(q, i)->status;
		if (st == ARES_JOB_OK)
			test_fail("garbage descriptor %u: expected a failure, got OK", i - start);
	}
	for (i = start + 1; i - start < 24; i += 3)
		expect_int("descriptor naming another ASID", ARES_JOB_INVALID_DESC,
			   (int)uq_rec(q, i)->status);
}

/* A process killed in UQ_WAIT with thousands of jobs queued: closing frees it all. */
static void killed_while_busy(void)
{
	int sock[2], status;
	pid_t pid;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sock))
		test_fail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		accel_device *dev = open_first_device();
		int fd = accel_device_fd(dev);
		struct uq q;
		uint64_t va;
		uint32_t i;

		uq_nop_bo(fd, &va);
		if (uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 4096, &q))
			_exit(2);
		for (i = 0; i < 4000; i++)
			uq_write_desc(&q, va, 8);
		uq_kick(&q);
		if (write(sock[1], "b", 1) != 1)
			_exit(3);
		uq_wait(&q, q.tail + 1, 60000, NULL); /* never reached */
		_exit(4);
	}
	if (read(sock[0], &c, 1) != 1)
		test_fail("the busy process did not start");
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		test_fail("the busy process: expected killed, status 0x%x", status);
	close(sock[0]);
	close(sock[1]);
}

int main(void)
{
	struct drm_ares_uq_wait w;
	int pipe_go[2], status, fd, ret;
	accel_device *dev;
	struct uq q, q2;
	uint64_t va;
	char c;
	pid_t pid;

	test_init("uq_hostile");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pipe_go))
		test_fail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pipe_go[0]);
		victim(pipe_go[1]);
	}
	close(pipe_go[1]);

	dev = open_first_device();
	fd = accel_device_fd(dev);
	uq_nop_bo(fd, &va);
	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 64, &q);
	if (ret == -EOPNOTSUPP)
		test_skip("the device has no user queues");
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	if (read(pipe_go[0], &c, 1) != 1)
		test_fail("the victim did not start");

	uq_run_nops(&q, va, 8, "before the garbage");
	garbage_descriptors(&q, va);
	uq_run_nops(&q, va, 8, "after the garbage descriptors");

	/* The rest of the doorbell page is ignored; flags are the device's. */
	memset((void *)q.db->reserved, 0xa5, sizeof(q.db->reserved));
	memset((uint8_t *)q.db + 64, 0x5a, 4096 - 64);
	q.db->flags = 0xffffffffu;
	uq_run_nops(&q, va, 8, "after scribbling over the doorbell page");

	/* TAIL far past the ring: this queue stops, only this one. */
	q.tail += 5000;
	uq_kick(&q);
	q.tail -= 5000;
	ret = uq_wait(&q, q.tail + 1, 20000, &w);
	expect_int("UQ_WAIT after a bad TAIL", -ECANCELED, ret);
	expect_int("state", DRM_ARES_UQ_ERROR, (int)w.state);
	expect_int("error", ARES_UQ_ERR_BAD_TAIL, (int)w.error);
	expect_int("wb.error", ARES_UQ_ERR_BAD_TAIL, (int)uq_wb(&q)->error);
	expect_int("UQ_WAKE on a stopped queue", -ECANCELED,
		   uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAKE,
			    &(struct drm_ares_uq_wake){.ctx_id = q.c.ctx_id}));

	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 16, &q2);
	if (ret)
		test_fail("UQ_CREATE after the failure: %s", accel_strerror(ret));
	uq_run_nops(&q2, va, 16, "the attacker's next queue");

	killed_while_busy();
	uq_run_nops(&q2, va, 16, "the attacker's next queue after a process was killed busy");

	if (write(pipe_go[0], "d", 1) != 1)
		test_fail("pipe: %m");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		test_fail("the other process's user queue and SUBMIT context: expected to finish, "
			  "status 0x%x",
			  status);
	test_pass();
}
