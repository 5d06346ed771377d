/* SPDX-License-Identifier: MIT */
/*
 * A job that hangs is timed out by the driver (job_timeout_ms=1000) and
 * reported as TIMEOUT; its context is banned (submit -> -ECANCELED); the
 * device is reset (reset_count grows) and a new context's job succeeds.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "guest_util.h"

#define PRIO ACCEL_PRIORITY_NORMAL

int main(void)
{
	struct accel_device_info before, after;
	accel_ctx *ctx, *ctx2;
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_job *job, *job2 = NULL;
	accel_bo *bo;
	uint64_t *p, t0;
	uint32_t status;
	void *map;
	struct pollfd pfd;
	int ret, sync_fd;

	test_init("hang_recovery");
	dev = open_first_device();
	check_ok(dev, accel_device_query_info(dev, &before), "accel_device_query_info");
	check_ok(dev, accel_ctx_create(dev, PRIO, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, 4096, &map);
	p = map;

	hang_priority_queues(dev, PRIO);

	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 1);
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "submit of the hanging job");
	t0 = now_ns();

	/* While it hangs, nothing may claim it finished. */
	expect_int("accel_job_wait(100 ms) on the hanging job", -ETIME,
		   accel_job_wait(job, 100000000));
	expect_int("accel_job_status on the hanging job", -EBUSY, accel_job_status(job, &status));
	check_ok(dev, accel_job_export_sync_file(job, &sync_fd), "accel_job_export_sync_file");
	pfd = (struct pollfd){.fd = sync_fd, .events = POLLIN};
	expect_int("poll(0) on the hanging job's sync_file", 0, poll(&pfd, 1, 0));

	check_ok(dev, accel_job_wait(job, 20ll * 1000000000),
		 "wait for the hanging job to be timed out (20 s)");
	if (now_ns() - t0 < 500000000ull)
		test_fail("hanging job finished after %llu ms: expected about job_timeout_ms "
			  "(1000)",
			  (unsigned long long)((now_ns() - t0) / 1000000));
	expect_int("poll(0) on the timed-out job's sync_file", 1, poll(&pfd, 1, 0));
	close(sync_fd);
	check_ok(dev, accel_job_status(job, &status), "accel_job_status");
	if (status != ACCEL_JOB_TIMEOUT)
		test_fail("hanging job status: expected TIMEOUT, got %s",
			  accel_job_status_name(status));
	accel_job_destroy(job);

	ret = accel_submit_cmdbuf(ctx, cb, &bo, 1, &job2);
	expect_int("submit on the banned context", -ECANCELED, ret);

	check_ok(dev, accel_ctx_create(dev, PRIO, &ctx2), "accel_ctx_create after recovery");
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8, 0x5eed);
	status = run_job(ctx2, dev, cb, &bo, 1, 10000);
	if (status != ACCEL_JOB_OK)
		test_fail("job on a new context after recovery: expected OK, got %s",
			  accel_job_status_name(status));
	expect_u64("value written by the job after recovery", 0x5eed, p[1]);

	check_ok(dev, accel_device_query_info(dev, &after), "accel_device_query_info");
	if (after.reset_count <= before.reset_count)
		test_fail("DEVICE_INFO.reset_count: expected > %u, got %u", before.reset_count,
			  after.reset_count);
	if (after.fw_version == 0)
		test_fail("fw_version after recovery: expected nonzero (firmware rebooted), got 0");

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx2);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
