/* SPDX-License-Identifier: MIT */
/*
 * Unmapping from the address space of a busy user queue: the driver stops
 * the file's queues, unmaps, invalidates the TLB and resumes them with HEAD
 * kept (docs/uapi.md), so the device never reads a freed page. Thousands
 * of jobs run from a buffer that is closed while they run: every job ends
 * OK (ran before the close) or MMU_FAULT (after it), in that order, none is
 * lost, and the queue keeps going; buffers created and closed in a loop
 * while another stream runs leave every job OK. Run under KASAN/kmemleak by
 * the debug-kernel suite.
 */
#include <stdio.h>

#include "uq_raw.h"

static void close_bo(int fd, uint32_t handle)
{
	struct drm_gem_close c = {.handle = handle};

	if (uq_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
		test_fail("GEM_CLOSE: %m");
}

int main(void)
{
	uint32_t i, start, victim, ok, faulted = 0, churn, attempt;
	struct drm_ares_uq_wait w;
	accel_device *dev;
	uint64_t va, vva;
	struct uq q;
	int fd, ret;

	test_init("uq_unmap");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	uq_nop_bo(fd, &va);
	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 4096, &q);
	if (ret == -EOPNOTSUPP)
		test_skip("the device has no user queues");
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));

	/*
	 * A stream from a buffer that goes away under it. On a loaded host the
	 * emulator can finish the whole stream before the guest's vCPU gets to
	 * the close, which tests nothing: then try again with a fresh buffer.
	 */
	for (attempt = 1; attempt <= 5 && !faulted; attempt++) {
		ok = 0;
		victim = uq_nop_bo(fd, &vva);
		start = q.tail;
		for (i = 0; i < 4000; i++)
			uq_write_desc(&q, vva, 8);
		if (uq_kick(&q))
			test_fail("UQ_WAKE: %m");
		close_bo(fd, victim);
		ret = uq_wait(&q, q.tail, 120000, &w);
		if (ret)
			test_fail("UQ_WAIT across the unmap: expected 0, got %s (state %u head %u "
				  "of %u)",
				  accel_strerror(ret), w.state, w.head_now, q.tail);
		for (i = start; i != q.tail; i++) {
			uint32_t st = uq_rec(&q, i)->status;

			if (st == ARES_JOB_OK && !faulted)
				ok++;
			else if (st == ARES_JOB_MMU_FAULT)
				faulted++;
			else
				test_fail("job %u: expected OK before the unmap or MMU_FAULT "
					  "after, got %u%s",
					  i - start, st, faulted ? " after a fault" : "");
		}
		printf("  attempt %u: %u jobs ran before the unmap, %u faulted after it\n", attempt,
		       ok, faulted);
	}
	if (!faulted)
		test_fail("no job ran after the unmap in 5 attempts: the stream was too short to "
			  "test it");

	/* Buffers made and closed while a stream runs: every job OK. */
	start = q.tail;
	for (i = 0; i < 4000; i++)
		uq_write_desc(&q, va, 8);
	if (uq_kick(&q))
		test_fail("UQ_WAKE: %m");
	for (churn = 0; churn < 40; churn++) {
		uint64_t tva;

		close_bo(fd, uq_nop_bo(fd, &tva));
	}
	ret = uq_wait(&q, q.tail, 120000, &w);
	if (ret)
		test_fail("UQ_WAIT across 40 unmaps: expected 0, got %s (state %u head %u)",
			  accel_strerror(ret), w.state, w.head_now);
	for (i = start; i != q.tail; i++)
		if (uq_rec(&q, i)->status != ARES_JOB_OK)
			test_fail("job %u across the buffer churn: status %u", i - start,
				  uq_rec(&q, i)->status);
	test_pass();
}
