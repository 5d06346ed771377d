/* SPDX-License-Identifier: MIT */
/*
 * Timeouts, bans and recovery of user queues (needs fault_injection=1):
 * DEBUG_HANG_UQ makes a queue's next job hang; the watchdog bans the queue
 * (UQ_WAIT: -ECANCELED, state BANNED; wb.error ARES_UQ_ERR_BANNED; its
 * syncobj fence signals with an error; UQ_WAKE -ECANCELED) and the device
 * is reset. Another process's user queue, whose jobs were queued behind
 * the hung one, resumes and runs them all. Then a DEBUG reset in the middle
 * of a long stream of jobs: the queue is put back where it stopped, each
 * job completes OK or ABORTED (the one on the engines) and HEAD reaches
 * TAIL.
 */
#include <fcntl.h>
#include <linux/sync_file.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uq_raw.h"

static uint32_t reset_count(int fd)
{
	struct drm_ares_device_info info = {0};
	struct drm_ares_query q = {
		.type = DRM_ARES_QUERY_DEVICE_INFO, .size = sizeof(info), .data = (uintptr_t)&info};

	if (uq_ioctl(fd, DRM_IOCTL_ARES_QUERY, &q))
		test_fail("QUERY: %m");
	return info.reset_count;
}

/* The other process: jobs queued behind the hung one must all run. */
static noreturn void innocent(int sock)
{
	accel_device *dev = open_first_device();
	int fd = accel_device_fd(dev), ret;
	struct drm_ares_uq_wait w;
	uint32_t i, start;
	struct uq q;
	uint64_t va;
	char c;

	test_init("uq_hang (innocent)");
	uq_nop_bo(fd, &va);
	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 64, &q);
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	uq_run_nops(&q, va, 4, "before the hang");
	if (write(sock, "r", 1) != 1 || read(sock, &c, 1) != 1)
		test_fail("socket: %m");

	/* The other queue's job is hanging now: these wait behind it. */
	start = q.tail;
	for (i = 0; i < 16; i++)
		uq_write_desc(&q, va, 8);
	if (uq_kick(&q))
		test_fail("UQ_WAKE: %m");
	ret = uq_wait(&q, q.tail, 60000, &w);
	if (ret)
		test_fail("jobs queued behind the hung queue: UQ_WAIT expected 0, got %s (state "
			  "%u, head %u of %u)",
			  accel_strerror(ret), w.state, w.head_now, q.tail);
	for (i = start; i != q.tail; i++)
		if (uq_rec(&q, i)->status != ARES_JOB_OK &&
		    uq_rec(&q, i)->status != ARES_JOB_ABORTED)
			test_fail("job %u queued behind the hang: status %u", i - start,
				  uq_rec(&q, i)->status);
	uq_run_nops(&q, va, 32, "after the recovery");
	exit(0);
}

static int fence_status(int fd, uint32_t syncobj)
{
	struct sync_file_info info = {0};
	int sfd, ret;

	if (drmSyncobjExportSyncFile(fd, syncobj, &sfd))
		test_fail("export sync_file: %m");
	ret = ioctl(sfd, SYNC_IOC_FILE_INFO, &info);
	close(sfd);
	if (ret)
		test_fail("SYNC_IOC_FILE_INFO: %m");
	return info.status;
}

static void reset_mid_stream(int fd, uint64_t va)
{
	struct drm_ares_debug dbg = {.op = DRM_ARES_DEBUG_RESET};
	uint32_t i, start, aborted = 0;
	struct drm_ares_uq_wait w;
	struct uq q;
	int ret;

	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 4096, &q);
	if (ret)
		test_fail("UQ_CREATE (4096): %s", accel_strerror(ret));
	start = q.tail;
	for (i = 0; i < 4000; i++)
		uq_write_desc(&q, va, 8);
	if (uq_kick(&q))
		test_fail("UQ_WAKE: %m");
	if (uq_ioctl(fd, DRM_IOCTL_ARES_DEBUG, &dbg))
		test_fail("DEBUG reset: %m");
	ret = uq_wait(&q, q.tail, 120000, &w);
	if (ret)
		test_fail("4000 jobs across a reset: UQ_WAIT expected 0, got %s (state %u head %u)",
			  accel_strerror(ret), w.state, w.head_now);
	for (i = start; i != q.tail; i++) {
		uint32_t st = uq_rec(&q, i)->status;

		if (st == ARES_JOB_ABORTED)
			aborted++;
		else if (st != ARES_JOB_OK)
			test_fail("job %u across the reset: status %u", i - start, st);
	}
	if (aborted > 1)
		test_fail("jobs aborted by one reset: expected at most 1, got %u", aborted);
	printf("  reset mid-stream: HEAD %u, %u job(s) aborted\n", w.head_now, aborted);
	uq_run_nops(&q, va, 16, "after the reset");
	uq_unmap(&q);
}

/*
 * A reset while a long job (a 64 MiB FILL) of an innocent queue runs: that
 * job completes ARES_JOB_ABORTED (written by the driver, with its seqno),
 * the others OK, and the queue goes on. Whether the reset lands inside a
 * job is up to timing: at most one is aborted, and the count is printed.
 */
static void reset_mid_job(int fd)
{
	struct drm_ares_debug dbg = {.op = DRM_ARES_DEBUG_RESET};
	struct drm_ares_bo_create big = {.size = 64u << 20}, cmd = {.size = 4096};
	uint32_t i, aborted = 0, waited;
	struct ares_cmd_fill *fill;
	struct drm_ares_uq_wait w;
	struct uq q;
	int ret;

	if (uq_ioctl(fd, DRM_IOCTL_ARES_BO_CREATE, &big))
		test_fail("BO_CREATE: %m");
	fill = uq_bo_map(fd, &cmd);
	*fill = (struct ares_cmd_fill){.hdr = {.opcode = ARES_OP_FILL, .size = sizeof(*fill)},
				       .dst_va = big.va,
				       .size = big.size,
				       .pattern = 0x5a5a5a5a};
	munmap(fill, 4096);

	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 16, &q);
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	for (i = 0; i < 6; i++)
		uq_write_desc(&q, cmd.va, sizeof(*fill));
	if (uq_kick(&q))
		test_fail("UQ_WAKE: %m");
	/* The second job is on the engines (or about to be). */
	for (waited = 0; uq_wb(&q)->head < 1 && waited < 60000; waited++)
		usleep(1000);
	if (uq_ioctl(fd, DRM_IOCTL_ARES_DEBUG, &dbg))
		test_fail("DEBUG reset: %m");
	ret = uq_wait(&q, q.tail, 120000, &w);
	if (ret)
		test_fail("6 FILLs across a reset: UQ_WAIT expected 0, got %s (state %u head %u)",
			  accel_strerror(ret), w.state, w.head_now);
	for (i = 0; i != q.tail; i++) {
		uint32_t st = uq_rec(&q, i)->status;

		if (st == ARES_JOB_ABORTED) {
			aborted++;
			expect_u64("seqno of the aborted job's completion", i + 1,
				   uq_rec(&q, i)->seqno);
		} else if (st != ARES_JOB_OK) {
			test_fail("FILL %u across the reset: status %u", i, st);
		}
	}
	if (aborted > 1)
		test_fail("FILLs aborted by one reset: expected at most 1, got %u", aborted);
	printf("  reset during a FILL: %u job(s) aborted\n", aborted);
	/* And it goes on. */
	uq_write_desc(&q, cmd.va, sizeof(*fill));
	if (uq_kick(&q) || uq_wait(&q, q.tail, 60000, &w) ||
	    uq_rec(&q, q.tail - 1)->status != ARES_JOB_OK)
		test_fail("a FILL after the reset: expected OK (head %u state %u)", w.head_now,
			  w.state);
	uq_unmap(&q);
}

int main(void)
{
	struct drm_ares_debug dbg = {.op = DRM_ARES_DEBUG_HANG_UQ};
	struct drm_ares_uq_wait w;
	int sock[2], fd, ret, status, fst, i;
	uint32_t before, sync;
	accel_device *dev;
	uint64_t va;
	struct uq q;
	pid_t pid;
	char c;

	test_init("uq_hang");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	uq_nop_bo(fd, &va);
	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 16, &q);
	if (ret == -EOPNOTSUPP)
		test_skip("the device has no user queues");
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	dbg.arg = q.c.ctx_id;
	ret = uq_ioctl(fd, DRM_IOCTL_ARES_DEBUG, &dbg);
	if (ret == -EPERM)
		test_skip("needs fault_injection=1 and CAP_SYS_ADMIN");
	if (ret)
		test_fail("DEBUG_HANG_UQ: expected 0, got %s", accel_strerror(ret));

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sock))
		test_fail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sock[0]);
		innocent(sock[1]);
	}
	close(sock[1]);
	if (read(sock[0], &c, 1) != 1)
		test_fail("the other process did not start");

	before = reset_count(fd);
	if (drmSyncobjCreate(fd, 0, &sync))
		test_fail("SYNCOBJ_CREATE: %m");
	w = (struct drm_ares_uq_wait){.ctx_id = q.c.ctx_id,
				      .flags = DRM_ARES_UQ_WAIT_SYNCOBJ,
				      .head = 1,
				      .syncobj = sync};
	if (uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAIT, &w))
		test_fail("UQ_WAIT(SYNCOBJ): %m");
	uq_write_desc(&q, va, 8);
	uq_write_desc(&q, va, 8);
	if (uq_kick(&q))
		test_fail("UQ_WAKE: %m");
	if (write(sock[0], "h", 1) != 1)
		test_fail("socket: %m");

	ret = uq_wait(&q, 1, 60000, &w);
	expect_int("UQ_WAIT on the hung queue", -ECANCELED, ret);
	expect_int("state", DRM_ARES_UQ_BANNED, (int)w.state);
	expect_int("error (only for ERROR)", 0, (int)w.error);
	expect_int("head_now", 0, (int)w.head_now);
	expect_int("wb.error", ARES_UQ_ERR_BANNED, (int)uq_wb(&q)->error);
	expect_int("UQ_WAKE on a banned queue", -ECANCELED,
		   uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAKE,
			    &(struct drm_ares_uq_wake){.ctx_id = q.c.ctx_id}));
	fst = fence_status(fd, sync);
	if (fst >= 0)
		test_fail("the banned queue's fence: expected an error status, got %d", fst);
	w = (struct drm_ares_uq_wait){.ctx_id = q.c.ctx_id,
				      .flags = DRM_ARES_UQ_WAIT_SYNCOBJ,
				      .head = 2,
				      .syncobj = sync};
	expect_int("UQ_WAIT(SYNCOBJ) on a banned queue", -ECANCELED,
		   uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAIT, &w));

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		test_fail("the other process's user queue: expected to resume, status 0x%x",
			  status);
	/* The ban wakes the waiters; the recovery follows it. */
	for (i = 0; i < 300 && reset_count(fd) <= before; i++)
		usleep(100000);
	if (reset_count(fd) <= before)
		test_fail("reset_count 30 s after the ban: expected > %u, got %u", before,
			  reset_count(fd));

	reset_mid_stream(fd, va);
	reset_mid_job(fd);
	test_pass();
}
