/* SPDX-License-Identifier: MIT */
/*
 * Hot-unplug with work in flight (run by tests/guest/hot-unplug.sh, never
 * from run-all.sh: it removes the device). With the driver loaded with
 * fault_injection=1 job_timeout_ms=0, it hangs the normal-priority queues,
 * submits jobs that stay on the ring and queued behind it, exports a
 * sync_file of each, then removes the PCI function itself and checks:
 *  - every job's fence signals (within 30 s), each with an error;
 *  - the open file stays safe: every ioctl fails with -ENODEV, the mapped
 *    buffer stays readable;
 *  - a user queue whose job hangs (DEBUG_HANG_UQ): a process sleeping in
 *    UQ_WAIT gets -ENODEV, its syncobj fence signals with an error, and
 *    its three mappings are taken away (a read faults);
 *  - closing everything afterwards is clean (the script then rmmods, which
 *    only succeeds when no reference was leaked, and rescans).
 */
#include <errno.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest_util.h"
#include "fault_probe.h"
#include "uq_raw.h"

#define NJOBS 6

/*
 * A user queue with a hung job, a syncobj fence on it exported as a
 * sync_file (*@sfd) and a child sleeping in UQ_WAIT (*@waiter). Return:
 * false when the device has no user queues.
 */
static bool uq_setup(accel_device *dev, struct uq *q, int *sfd, pid_t *waiter)
{
	int fd = accel_device_fd(dev);
	struct drm_ares_debug d = {.op = DRM_ARES_DEBUG_HANG_UQ};
	struct drm_ares_uq_wait w;
	uint32_t sync;
	uint64_t va;

	if (uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 16, q))
		return false;
	d.arg = q->c.ctx_id;
	if (uq_ioctl(fd, DRM_IOCTL_ARES_DEBUG, &d))
		test_fail("DEBUG_HANG_UQ: %m");
	uq_nop_bo(fd, &va);
	uq_write_desc(q, va, 8);
	if (uq_kick(q))
		test_fail("UQ_WAKE: %m");
	if (drmSyncobjCreate(fd, 0, &sync))
		test_fail("SYNCOBJ_CREATE: %m");
	w = (struct drm_ares_uq_wait){.ctx_id = q->c.ctx_id,
				      .flags = DRM_ARES_UQ_WAIT_SYNCOBJ,
				      .head = 1,
				      .syncobj = sync};
	if (uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAIT, &w))
		test_fail("UQ_WAIT(SYNCOBJ): %m");
	if (drmSyncobjExportSyncFile(fd, sync, sfd))
		test_fail("export of the user-queue fence: %m");
	fflush(stdout);
	*waiter = fork();
	if (*waiter == 0) {
		int ret = uq_wait(q, 1, 60000, &w);

		if (ret != -ENODEV) {
			printf("FAIL unplug_client: UQ_WAIT across the unplug: expected -ENODEV, "
			       "got %s\n",
			       accel_strerror(ret));
			_exit(1);
		}
		_exit(0);
	}
	if (*waiter < 0)
		test_fail("fork: %m");
	return true;
}

static void uq_check(struct uq *q, int sfd, pid_t waiter)
{
	struct sync_file_info si = {0};
	struct pollfd pfd = {.fd = sfd, .events = POLLIN};
	int status;

	if (waitpid(waiter, &status, 0) != waiter || !WIFEXITED(status) || WEXITSTATUS(status))
		test_fail("the process in UQ_WAIT: expected -ENODEV, status 0x%x", status);
	if (poll(&pfd, 1, 30000) != 1)
		test_fail("user-queue fence: expected it signalled after the unplug");
	if (ioctl(sfd, SYNC_IOC_FILE_INFO, &si) || si.status >= 0)
		test_fail("user-queue fence: expected an error status, got %d", si.status);
	close(sfd);
	fault_probe_install();
	if (!read_faults(&q->db->tail))
		test_fail("doorbell page still mapped after the unplug");
	if (!read_faults((const volatile uint32_t *)q->ring))
		test_fail("ring still mapped after the unplug");
	if (!read_faults((const volatile uint32_t *)q->compl ))
		test_fail("completion area still mapped after the unplug");
	signal(SIGBUS, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
	struct accel_device_entry e;
	struct accel_device_info info;
	accel_job *jobs[NJOBS];
	int fds[NJOBS];
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_ctx *ctx, *ctx2;
	accel_bo *bo, *bo2;
	char path[128];
	uint64_t *p;
	void *map;
	struct uq q;
	int uq_sfd = -1;
	pid_t uq_waiter = -1;
	bool have_uq;
	size_t n;
	int ret;
	FILE *f;

	test_init("unplug_client");
	if (accel_enumerate(&e, 1, &n) || n == 0)
		test_fail("accel_enumerate: expected a device");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	bo = alloc_mapped(dev, 4096, &map);
	p = map;
	p[0] = 0x1234;
	ret = accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 2);
	if (ret)
		test_skip("DEBUG HANG_QUEUE refused (%s): load with fault_injection=1",
			  accel_strerror(ret));
	check_ok(dev, accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 3), "HANG_QUEUE 3");

	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8, 1);
	for (int i = 0; i < NJOBS; i++) {
		check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &jobs[i]), "submit");
		check_ok(dev, accel_job_export_sync_file(jobs[i], &fds[i]), "export sync_file");
	}
	for (int i = 0; i < NJOBS; i++) {
		struct pollfd pfd = {.fd = fds[i], .events = POLLIN};

		if (poll(&pfd, 1, 0) != 0)
			test_fail("job %d finished on a hung queue before the unplug", i);
	}

	have_uq = uq_setup(dev, &q, &uq_sfd, &uq_waiter);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", e.pci_address);
	printf("removing %s with %d jobs in flight\n", e.pci_address, NJOBS);
	f = fopen(path, "w");
	if (!f || fputs("1", f) < 0 || fclose(f))
		test_fail("write 1 to %s: %m", path);

	for (int i = 0; i < NJOBS; i++) {
		struct sync_file_info si = {0};
		struct pollfd pfd = {.fd = fds[i], .events = POLLIN};

		if (poll(&pfd, 1, 30000) != 1)
			test_fail("job %d: expected its fence to signal after the unplug, still "
				  "pending after 30 s",
				  i);
		if (ioctl(fds[i], SYNC_IOC_FILE_INFO, &si))
			test_fail("SYNC_IOC_FILE_INFO on job %d: %m", i);
		if (si.status >= 0)
			test_fail("job %d: expected an error on its fence (it never ran), got "
				  "status %d",
				  i, si.status);
		close(fds[i]);
	}

	if (have_uq)
		uq_check(&q, uq_sfd, uq_waiter);
	else
		printf("(no user queues: their unplug checks skipped)\n");

	expect_int("QUERY after unplug", -ENODEV, accel_device_query_info(dev, &info));
	expect_int("CTX_CREATE after unplug", -ENODEV,
		   accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx2));
	expect_int("BO_CREATE after unplug", -ENODEV, accel_bo_alloc(dev, 4096, 0, &bo2));
	expect_int("SUBMIT after unplug", -ENODEV, accel_submit_cmdbuf(ctx, cb, &bo, 1, &jobs[0]));
	expect_u64("mapped buffer still readable after unplug", 0x1234, p[0]);

	for (int i = 0; i < NJOBS; i++)
		accel_job_destroy(jobs[i]);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
