/* SPDX-License-Identifier: MIT */
/*
 * A user queue through raw ioctls and its three mappings: UQ_CREATE, jobs
 * written into the ring with TAIL moved in the doorbell page (UQ_WAKE only
 * on NEED_WAKEUP), completions in the read-only area, UQ_WAIT (blocking,
 * polling -ETIME with head_now, and the syncobj mode whose fence gates a
 * SUBMIT on a normal context and exports as a sync_file), SUBMIT naming the
 * user queue refused, fdinfo counting its jobs (also after CTX_DESTROY),
 * and CTX_DESTROY taking the mappings away.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_probe.h"
#include "uq_raw.h"

static int fd;
static long long fdinfo_jobs(const char *key)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		test_fail("open %s: %m", path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atoll(line + strlen(key));
	fclose(f);
	if (v < 0)
		test_fail("fdinfo: expected a '%s' line", key);
	return v;
}

static void check_caps(void)
{
	struct drm_ares_device_info info = {0};
	struct drm_ares_query q = {
		.type = DRM_ARES_QUERY_DEVICE_INFO, .size = sizeof(info), .data = (uintptr_t)&info};

	if (uq_ioctl(fd, DRM_IOCTL_ARES_QUERY, &q))
		test_fail("QUERY: %m");
	if (!(info.caps & ARES_CAP_USER_QUEUES))
		test_skip("the device has no ARES_CAP_USER_QUEUES");
}

static void syncobj_cases(struct uq *q, uint64_t va, uint32_t bo)
{
	struct drm_ares_ctx_create cc = {.priority = DRM_ARES_PRIORITY_NORMAL};
	uint32_t sync, out, target = q->tail + 3;
	struct drm_ares_uq_wait w = {0};
	struct drm_ares_submit s = {0};
	struct pollfd pfd;
	int sfd, ret;

	if (drmSyncobjCreate(fd, 0, &sync) || drmSyncobjCreate(fd, 0, &out))
		test_fail("SYNCOBJ_CREATE: %m");
	if (uq_ioctl(fd, DRM_IOCTL_ARES_CTX_CREATE, &cc))
		test_fail("CTX_CREATE: %m");

	w.ctx_id = q->c.ctx_id;
	w.flags = DRM_ARES_UQ_WAIT_SYNCOBJ;
	w.head = target;
	w.syncobj = sync;
	ret = uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAIT, &w);
	expect_int("UQ_WAIT(SYNCOBJ) for a HEAD 3 jobs ahead", 0, ret);
	expect_int("UQ_WAIT(SYNCOBJ) state", DRM_ARES_UQ_ACTIVE, (int)w.state);

	/* A normal job gated on the user queue's fence. */
	s.ctx_id = cc.ctx_id;
	s.cmd_va = va;
	s.cmd_size = 8;
	s.bo_count = 1;
	s.bo_handles = (uintptr_t)&bo;
	s.in_syncobjs = (uintptr_t)&sync;
	s.in_syncobj_count = 1;
	s.out_syncobj = out;
	if (uq_ioctl(fd, DRM_IOCTL_ARES_SUBMIT, &s))
		test_fail("SUBMIT gated on the user-queue fence: %m");

	/* Nothing was pushed: neither the fence nor the gated job can be done. */
	ret = drmSyncobjWait(fd, &sync, 1, 0, 0, NULL);
	expect_int("syncobj wait before the jobs are pushed", -ETIME, ret < 0 ? -errno : ret);
	if (drmSyncobjExportSyncFile(fd, sync, &sfd))
		test_fail("export of the user-queue fence as a sync_file: %m");
	pfd = (struct pollfd){.fd = sfd, .events = POLLIN};
	expect_int("poll of the sync_file before the jobs are pushed", 0, poll(&pfd, 1, 0));
	ret = drmSyncobjWait(fd, &out, 1, 0, 0, NULL);
	expect_int("gated SUBMIT done before its in-fence", -ETIME, ret < 0 ? -errno : ret);

	uq_write_desc(q, va, 8);
	uq_write_desc(q, va, 8);
	uq_write_desc(q, va, 8);
	expect_int("UQ_WAKE", 0, uq_kick(q));

	ret = drmSyncobjWait(fd, &sync, 1, uq_deadline_ns(20000), 0, NULL);
	expect_int("the user-queue fence signals once HEAD reaches it", 0, ret < 0 ? -errno : ret);
	expect_int("poll of the sync_file after", 1, poll(&pfd, 1, 20000));
	ret = drmSyncobjWait(fd, &out, 1, uq_deadline_ns(20000), 0, NULL);
	expect_int("the gated SUBMIT completes after", 0, ret < 0 ? -errno : ret);
	close(sfd);

	/* A HEAD already reached: the fence is installed signalled. */
	w = (struct drm_ares_uq_wait){.ctx_id = q->c.ctx_id,
				      .flags = DRM_ARES_UQ_WAIT_SYNCOBJ,
				      .head = target,
				      .syncobj = sync};
	expect_int("UQ_WAIT(SYNCOBJ) for a HEAD reached", 0,
		   uq_ioctl(fd, DRM_IOCTL_ARES_UQ_WAIT, &w));
	expect_u64("head_now", target, w.head_now);
	ret = drmSyncobjWait(fd, &sync, 1, 0, 0, NULL);
	expect_int("its fence", 0, ret < 0 ? -errno : ret);
}

int main(void)
{
	struct drm_ares_submit s = {0};
	struct drm_ares_ctx_destroy d = {0};
	struct drm_ares_uq_wait w;
	struct uq q, q2;
	long long jobs0, jobs1, busy0, busy1;
	uint64_t va;
	uint32_t bo, i;
	accel_device *dev;
	int ret;

	test_init("uq_basic");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	check_caps();
	fault_probe_install();

	bo = uq_nop_bo(fd, &va);
	jobs0 = fdinfo_jobs("ares-jobs-normal:");
	busy0 = fdinfo_jobs("drm-engine-normal:");

	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 16, &q);
	if (ret)
		test_fail("UQ_CREATE (normal, 16 entries): expected 0, got %s",
			  accel_strerror(ret));
	if (!q.c.ctx_id || q.c.ring_offset == q.c.compl_offset ||
	    q.c.compl_offset == q.c.doorbell_offset)
		test_fail("UQ_CREATE: ctx_id %u offsets 0x%llx 0x%llx 0x%llx", q.c.ctx_id,
			  (unsigned long long)q.c.ring_offset, (unsigned long long)q.c.compl_offset,
			  (unsigned long long)q.c.doorbell_offset);
	expect_u64("doorbell TAIL of a new queue", 0, q.db->tail);
	expect_u64("wb.head of a new queue", 0, uq_wb(&q)->head);

	/* Several ring wraps, and a second queue of another priority. */
	for (i = 0; i < 5; i++)
		uq_run_nops(&q, va, 16, "16 NOPs");
	uq_run_nops(&q, va, 3, "3 NOPs");
	expect_u64("completion seqno of the last job", q.seqno, uq_rec(&q, q.tail - 1)->seqno);
	expect_u64("wb.done_seqno", q.seqno, uq_wb(&q)->done_seqno);

	ret = uq_open(fd, DRM_ARES_PRIORITY_HIGH, 64, &q2);
	if (ret)
		test_fail("second UQ_CREATE: expected 0, got %s", accel_strerror(ret));
	expect_u64("both queues name the file's address space", q.c.asid, q2.c.asid);
	uq_run_nops(&q2, va, 40, "40 NOPs on the high-priority queue");

	/* Polling for a HEAD not reached: -ETIME with the out fields. */
	ret = uq_wait(&q, q.tail + 1, 0, &w);
	expect_int("UQ_WAIT poll for an unreached HEAD", -ETIME, ret);
	expect_u64("UQ_WAIT head_now on -ETIME", q.tail, w.head_now);
	expect_u64("UQ_WAIT state on -ETIME", DRM_ARES_UQ_ACTIVE, w.state);
	ret = uq_wait(&q, q.tail + 1, 50, &w);
	expect_int("UQ_WAIT 50 ms for an unreached HEAD", -ETIME, ret);

	syncobj_cases(&q, va, bo);

	/* A user queue takes no SUBMIT. */
	s.ctx_id = q.c.ctx_id;
	s.cmd_va = va;
	s.cmd_size = 8;
	s.bo_count = 1;
	s.bo_handles = (uintptr_t)&bo;
	expect_int("SUBMIT naming a user queue", -EINVAL, uq_ioctl(fd, DRM_IOCTL_ARES_SUBMIT, &s));

	jobs1 = fdinfo_jobs("ares-jobs-normal:");
	busy1 = fdinfo_jobs("drm-engine-normal:");
	if (busy1 <= busy0)
		test_fail("fdinfo drm-engine-normal: expected to grow past %lld ns, got %lld ns",
			  busy0, busy1);
	/* 86 on the user queue, one gated SUBMIT. */
	if (jobs1 - jobs0 != 87)
		test_fail("fdinfo ares-jobs-normal: expected +87, got %+lld", jobs1 - jobs0);
	if (fdinfo_jobs("ares-jobs-high:") < 40)
		test_fail("fdinfo ares-jobs-high: expected >= 40, got %lld",
			  fdinfo_jobs("ares-jobs-high:"));

	/* CTX_DESTROY: mappings gone, counts kept, the id unknown. */
	d.ctx_id = q.c.ctx_id;
	expect_int("CTX_DESTROY of the user queue", 0,
		   uq_ioctl(fd, DRM_IOCTL_ARES_CTX_DESTROY, &d));
	if (!read_faults(&q.db->tail))
		test_fail("doorbell page: expected a fault after CTX_DESTROY, read it");
	if (!read_faults((const volatile uint32_t *)q.ring))
		test_fail("ring: expected a fault after CTX_DESTROY, read it");
	if (!read_faults((const volatile uint32_t *)q.compl ))
		test_fail("completion area: expected a fault after CTX_DESTROY, read it");
	expect_int("UQ_WAIT on a destroyed queue", -ENOENT, uq_wait(&q, 0, 0, NULL));
	expect_int("fdinfo after CTX_DESTROY keeps the jobs", (int)jobs1,
		   (int)fdinfo_jobs("ares-jobs-normal:"));
	if (fdinfo_jobs("drm-engine-normal:") < busy1)
		test_fail(
			"fdinfo drm-engine-normal after CTX_DESTROY: expected >= %lld ns, got %lld",
			busy1, fdinfo_jobs("drm-engine-normal:"));

	uq_run_nops(&q2, va, 64, "64 NOPs after the other queue went");
	uq_unmap(&q2);
	test_pass();
}
