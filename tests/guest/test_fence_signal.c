/* SPDX-License-Identifier: MIT */
/*
 * A NOP job and a FENCE_WRITE job complete, and their fences signal both
 * for a syncobj wait and for poll() on an exported sync_file.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "guest_util.h"

static void poll_signals(accel_device *dev, accel_job *job, const char *what)
{
	struct pollfd pfd;
	int fd, ret;

	check_ok(dev, accel_job_export_sync_file(job, &fd), "accel_job_export_sync_file");
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	ret = poll(&pfd, 1, 5000);
	if (ret != 1 || !(pfd.revents & POLLIN))
		test_fail("poll() on the sync_file of the %s job: expected 1 with POLLIN within "
			  "5 s, got %d revents 0x%x",
			  what, ret, ret > 0 ? pfd.revents : 0);
	close(fd);
}

int main(void)
{
	accel_device *dev;
	accel_ctx *ctx;
	accel_cmdbuf *cb;
	accel_job *job;
	accel_bo *bo;
	uint64_t *fence;
	uint32_t status;
	void *map;

	test_init("fence_signal");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, 4096, &map);
	fence = map;

	/* NOP: syncobj wait. */
	cb = new_cmdbuf();
	accel_cmdbuf_nop(cb, 8);
	expect_u64("NOP job status", ACCEL_JOB_OK, run_job(ctx, dev, cb, NULL, 0, 5000));

	/* NOP: sync_file poll. */
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, NULL, 0, &job), "accel_submit_cmdbuf");
	poll_signals(dev, job, "NOP");
	check_ok(dev, accel_job_status(job, &status), "accel_job_status after poll");
	expect_u64("NOP job status after poll", ACCEL_JOB_OK, status);
	accel_job_destroy(job);

	/* FENCE_WRITE: syncobj wait, value visible to the CPU afterwards. */
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 8, 0x1122334455667788ull);
	expect_u64("FENCE_WRITE job status", ACCEL_JOB_OK, run_job(ctx, dev, cb, &bo, 1, 5000));
	expect_u64("fence value", 0x1122334455667788ull, fence[1]);
	expect_u64("word before the fence", 0, fence[0]);
	expect_u64("word after the fence", 0, fence[2]);

	/* FENCE_WRITE: sync_file poll. */
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 16, 42);
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "accel_submit_cmdbuf");
	poll_signals(dev, job, "FENCE_WRITE");
	expect_u64("fence value after poll", 42, fence[2]);
	check_ok(dev, accel_job_wait(job, 0), "accel_job_wait(0) after the fence signalled");
	accel_job_destroy(job);

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
