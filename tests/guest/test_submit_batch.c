/* SPDX-License-Identifier: MIT */
/*
 * DRM_IOCTL_ARES_SUBMIT_BATCH (docs/uapi.md): 64 jobs in one call all run,
 * in array order, each with its own out-syncobj and consecutive seqnos; a
 * bad entry in the middle (unknown context, bad BO handle, nonzero
 * reserved, command range outside its buffers) stops the batch there: the
 * entries before it ran, it and the ones after did not, and the ioctl says
 * how many went in and the entry's error; a bad first entry fails the
 * ioctl; a count above DRM_ARES_MAX_BATCH_JOBS (or a bad header field) is
 * refused with nothing queued. Jobs go through libaccel's
 * accel_submit_batch() and through the raw ioctl.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define NJOBS	  DRM_ARES_MAX_BATCH_JOBS
#define STREAM	  64 /* bytes reserved per job's command stream in the command BO */
#define WAIT_NS	  (60ll * 1000000000)
#define NBAD	  8
#define BAD_INDEX 3

static accel_device *dev;
static int fd;
static accel_ctx *ctx;
static accel_bo *cmd_bo, *data_bo;
static uint64_t *data; /* [0, NJOBS): fence values; [NJOBS, 2 * NJOBS): timestamps */
static uint32_t stream_size;

static int raw(unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

/* Job j stores j + 1 in data[j] and the device clock in data[NJOBS + j]. */
static void build_streams(void)
{
	uint8_t *cmd;
	void *map;

	check_ok(dev, accel_bo_map(cmd_bo, &map), "map command BO");
	cmd = map;
	for (int j = 0; j < NJOBS; j++) {
		accel_cmdbuf *cb = new_cmdbuf();

		check_ok(dev, accel_cmdbuf_fence_write(cb, accel_bo_va(data_bo) + 8 * j, j + 1),
			 "FENCE_WRITE");
		check_ok(dev, accel_cmdbuf_timestamp(cb, accel_bo_va(data_bo) + 8 * (NJOBS + j)),
			 "TIMESTAMP");
		stream_size = (uint32_t)accel_cmdbuf_size(cb);
		if (stream_size > STREAM)
			test_fail("a job's stream is %u bytes, more than the %u reserved",
				  stream_size, STREAM);
		memcpy(cmd + (size_t)j * STREAM, accel_cmdbuf_data(cb), stream_size);
		accel_cmdbuf_destroy(cb);
	}
}

static void wait_idle(void)
{
	struct drm_ares_bo_wait w = {.handle = accel_bo_handle(data_bo),
				     .timeout_ns = (int64_t)now_ns() + WAIT_NS};
	int ret = raw(DRM_IOCTL_ARES_BO_WAIT, &w);

	if (ret)
		test_fail("BO_WAIT on the data buffer: %s", accel_strerror(ret));
	expect_u64("BO_WAIT status after the batch", DRM_ARES_JOB_OK, w.status);
}

/* All NJOBS through accel_submit_batch(): each ran, in order. */
static void full_batch(void)
{
	struct accel_submit_args args[NJOBS];
	accel_bo *bos[1] = {data_bo};
	accel_job *jobs[NJOBS];
	uint32_t submitted = 0, status;

	memset(data, 0, 2 * NJOBS * 8);
	for (int j = 0; j < NJOBS; j++)
		args[j] = (struct accel_submit_args){.cmd_bo = cmd_bo,
						     .cmd_offset = (uint64_t)j * STREAM,
						     .cmd_size = stream_size,
						     .bos = bos,
						     .bo_count = 1};
	check_ok(dev, accel_submit_batch(ctx, args, NJOBS, jobs, &submitted),
		 "accel_submit_batch of 64 jobs");
	expect_u64("jobs submitted", NJOBS, submitted);
	/* Every job's own syncobj signals; BO_WAIT (job status) covers all of them. */
	for (int j = 0; j < NJOBS; j++)
		check_ok(dev, accel_job_wait(jobs[j], WAIT_NS), "wait for a batched job");
	for (int j = 0; j < NJOBS; j++) {
		check_ok(dev, accel_job_status(jobs[j], &status), "job status");
		expect_u64("batched job status", ACCEL_JOB_OK, status);
		if (j && accel_job_seqno(jobs[j]) != accel_job_seqno(jobs[j - 1]) + 1)
			test_fail("job %d seqno: expected %llu, got %llu", j,
				  (unsigned long long)accel_job_seqno(jobs[j - 1]) + 1,
				  (unsigned long long)accel_job_seqno(jobs[j]));
		if (j && accel_job_syncobj(jobs[j]) == accel_job_syncobj(jobs[j - 1]))
			test_fail("jobs %d and %d share out-syncobj %u", j - 1, j,
				  accel_job_syncobj(jobs[j]));
		if (data[j] != (uint64_t)j + 1)
			test_fail("job %d's FENCE_WRITE: expected %d, got %llu", j, j + 1,
				  (unsigned long long)data[j]);
		if (!data[NJOBS + j] || (j && data[NJOBS + j] < data[NJOBS + j - 1]))
			test_fail("job %d ran out of order: its timestamp %llu, job %d's %llu", j,
				  (unsigned long long)data[NJOBS + j], j - 1,
				  (unsigned long long)data[NJOBS + j - 1]);
	}
	for (int j = 0; j < NJOBS; j++)
		accel_job_destroy(jobs[j]);
}

static uint32_t both[2], bad_handle[1], syncobjs[NBAD];

/* Good entries: job j's stream, listing the data and the command buffer. */
static void fill_entries(struct drm_ares_submit *s, int n)
{
	both[0] = accel_bo_handle(data_bo);
	both[1] = accel_bo_handle(cmd_bo);
	for (int j = 0; j < n; j++)
		s[j] = (struct drm_ares_submit){
			.ctx_id = accel_ctx_id(ctx),
			.cmd_va = accel_bo_va(cmd_bo) + (uint64_t)(j % NJOBS) * STREAM,
			.cmd_size = stream_size,
			.bo_count = 2,
			.bo_handles = (uintptr_t)both,
			.out_syncobj = j < NBAD ? syncobjs[j] : 0,
		};
}

/* Submits one job alone and returns its seqno: the context's next number. */
static uint64_t next_seqno(void)
{
	struct drm_ares_submit s[1];

	fill_entries(s, 1);
	s[0].out_syncobj = 0;
	if (raw(DRM_IOCTL_ARES_SUBMIT, &s[0]))
		test_fail("plain SUBMIT: %s", accel_strerror(-errno));
	wait_idle();
	return s[0].seqno;
}

static void bad_entry(const char *what, int want, void (*spoil)(struct drm_ares_submit *))
{
	struct drm_ares_submit s[NBAD];
	struct drm_ares_submit_batch b;
	uint64_t before = next_seqno();
	int ret;

	memset(data, 0, 2 * NJOBS * 8);
	fill_entries(s, NBAD);
	spoil(&s[BAD_INDEX]);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = NBAD};
	ret = raw(DRM_IOCTL_ARES_SUBMIT_BATCH, &b);
	if (ret)
		test_fail("batch with %s at entry %d: expected 0 (entries before it queued), "
			  "got %s",
			  what, BAD_INDEX, accel_strerror(ret));
	expect_u64("entries submitted before the bad one", BAD_INDEX, b.submitted);
	expect_int("error of the bad entry", want, b.error);
	wait_idle();
	for (int j = 0; j < NBAD; j++) {
		uint64_t want_val = j < BAD_INDEX ? (uint64_t)j + 1 : 0;
		uint64_t want_seq = j < BAD_INDEX ? before + 1 + j : 0;

		if (data[j] != want_val)
			test_fail("%s at entry %d: entry %d's FENCE_WRITE: expected %llu, got %llu",
				  what, BAD_INDEX, j, (unsigned long long)want_val,
				  (unsigned long long)data[j]);
		if (s[j].seqno != want_seq)
			test_fail("%s at entry %d: entry %d's seqno: expected %llu, got %llu", what,
				  BAD_INDEX, j, (unsigned long long)want_seq,
				  (unsigned long long)s[j].seqno);
	}
	for (int j = 0; j < BAD_INDEX; j++)
		if (drmSyncobjWait(fd, &syncobjs[j], 1, (int64_t)now_ns() + WAIT_NS, 0, NULL))
			test_fail("%s: entry %d's out-syncobj did not signal: %s", what, j,
				  accel_strerror(-errno));
	/* The bad entry and those after it consumed no seqno. */
	expect_u64("seqno after the partial batch", before + BAD_INDEX + 1, next_seqno());
	for (int j = 0; j < NBAD; j++)
		drmSyncobjReset(fd, &syncobjs[j], 1);
	printf("  %s at entry %d: %d queued and ran, error %d, the rest not queued\n", what,
	       BAD_INDEX, BAD_INDEX, b.error);
}

static void spoil_ctx(struct drm_ares_submit *s)
{
	s->ctx_id += 1000;
}

static void spoil_bo(struct drm_ares_submit *s)
{
	bad_handle[0] = accel_bo_handle(data_bo) + 1000;
	s->bo_handles = (uintptr_t)bad_handle;
	s->bo_count = 1;
}

static void spoil_reserved(struct drm_ares_submit *s)
{
	s->reserved = 1;
}

static void spoil_cmd_range(struct drm_ares_submit *s)
{
	s->cmd_va = accel_bo_va(cmd_bo) + accel_bo_size(cmd_bo) - 8;
	s->cmd_size = 16;
}

/* A refused batch queues nothing: the next plain SUBMIT's seqno follows on. */
static void refused(const char *what, int want, struct drm_ares_submit_batch *b)
{
	uint64_t before = next_seqno();
	int ret = raw(DRM_IOCTL_ARES_SUBMIT_BATCH, b);

	if (ret != want)
		test_fail("SUBMIT_BATCH with %s: expected %d (%s), got %d (%s)", what, want,
			  accel_strerror(want), ret, accel_strerror(ret));
	expect_u64("seqno after a refused batch", before + 1, next_seqno());
}

static void refused_batches(void)
{
	struct drm_ares_submit s[NJOBS + 1];
	struct drm_ares_submit_batch b;
	accel_job *jobs[NJOBS + 1];
	struct accel_submit_args args[NJOBS + 1];
	uint32_t submitted = 7;

	fill_entries(s, NJOBS + 1);
	for (int j = 0; j < NBAD; j++)
		s[j].out_syncobj = 0;
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = NJOBS + 1};
	refused("count = DRM_ARES_MAX_BATCH_JOBS + 1", -E2BIG, &b);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 0};
	refused("count = 0", -EINVAL, &b);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 1, .flags = 2};
	refused("flags = 2 (an undefined bit)", -EINVAL, &b);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 1, .reserved = 1};
	refused("reserved = 1", -EINVAL, &b);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 1, .submitted = 1};
	refused("submitted = 1 on input (output-only)", -EINVAL, &b);
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 1, .error = -1};
	refused("error = -1 on input (output-only)", -EINVAL, &b);
	b = (struct drm_ares_submit_batch){.jobs = 8, .count = 1};
	refused("jobs pointing at unmapped memory", -EFAULT, &b);

	/* A bad first entry: the ioctl fails with its error and writes nothing. */
	s[0].reserved = 1;
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 2};
	refused("reserved = 1 in entry 0", -EINVAL, &b);
	expect_u64("submitted after a failed batch", 0, b.submitted);
	s[0].reserved = 0;

	/* The library refuses too many jobs itself, with nothing queued. */
	memset(args, 0, sizeof(args));
	expect_int("accel_submit_batch of 65 jobs", -E2BIG,
		   accel_submit_batch(ctx, args, NJOBS + 1, jobs, &submitted));
	expect_u64("accel_submit_batch submitted for 65 jobs", 0, submitted);
	printf("  count 65 -> -E2BIG, count 0 and nonzero flags/reserved/submitted/error -> "
	       "-EINVAL, nothing queued\n");
}

int main(void)
{
	void *map;

	test_init("submit_batch");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	check_ok(dev, accel_bo_alloc(dev, (uint64_t)NJOBS * STREAM, 0, &cmd_bo), "command BO");
	data_bo = alloc_mapped(dev, 2 * NJOBS * 8, &map);
	data = map;
	build_streams();
	for (int j = 0; j < NBAD; j++)
		if (drmSyncobjCreate(fd, 0, &syncobjs[j]))
			test_fail("drmSyncobjCreate: %s", accel_strerror(-errno));

	full_batch();
	printf("  64 jobs in one call ran in order, seqnos consecutive, one syncobj each\n");
	bad_entry("an unknown context", -EINVAL, spoil_ctx);
	bad_entry("a bad BO handle", -EINVAL, spoil_bo);
	bad_entry("reserved = 1", -EINVAL, spoil_reserved);
	bad_entry("a command range past its buffer", -EINVAL, spoil_cmd_range);
	refused_batches();

	for (int j = 0; j < NBAD; j++)
		drmSyncobjDestroy(fd, syncobjs[j]);
	accel_bo_free(data_bo);
	accel_bo_free(cmd_bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
