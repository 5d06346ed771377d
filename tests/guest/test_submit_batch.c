/* SPDX-License-Identifier: MIT */
/*
 * DRM_IOCTL_ARES_SUBMIT_BATCH (docs/uapi.md), run twice: entries as jobs of
 * their own (accel_submit_batch()), then with DRM_ARES_SUBMIT_BATCH_FUSED
 * as one scheduler job (accel_submit_fused()). In both modes:
 *  - 64 jobs in one call all run, in array order, with consecutive seqnos,
 *    a syncobj each, every job OK, and fdinfo counts 64 jobs;
 *  - a bad entry in the middle (unknown context, bad BO handle, nonzero
 *    reserved, command range outside its buffers) stops the batch there:
 *    the entries before it ran, it and the ones after did not (their
 *    syncobjs got no fence), and the ioctl says how many went in and the
 *    entry's error; a bad first entry fails the ioctl with nothing queued.
 * Fused only:
 *  - an entry naming another context, or listing the job's 257th buffer,
 *    is a bad entry;
 *  - an entry that faults in the middle fails the batch: every job's status
 *    is MMU_FAULT, the entries after it still ran, and the context's next
 *    batch runs OK;
 *  - a hung batch times out (job_timeout_ms=1000): every job reports
 *    TIMEOUT, the context is banned, the device resets and a new context's
 *    batch runs (needs fault_injection=1).
 * Once: a count above DRM_ARES_MAX_BATCH_JOBS, or a bad header field, is
 * refused with nothing queued.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xf86drm.h>
#include "ares/mmu.h"
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define NJOBS	  DRM_ARES_MAX_BATCH_JOBS
#define STREAM	  64	/* bytes reserved per job's command stream in the command BO */
#define FAULTING  NJOBS /* the stream at this index writes an unmapped VA */
#define WAIT_NS	  (60ll * 1000000000)
#define NBAD	  8
#define BAD_INDEX 3
#define PRIO	  ACCEL_PRIORITY_NORMAL

static accel_device *dev;
static int fd;
static accel_ctx *ctx, *other_ctx;
static accel_bo *cmd_bo, *data_bo;
static uint64_t *data; /* [0, NJOBS): fence values; [NJOBS, 2 * NJOBS): timestamps */
static uint8_t *cmd;   /* cmd_bo's mapping: stream j at j * STREAM */
static uint32_t stream_size;
static char fdinfo_path[64];
static uint32_t mode; /* 0 or DRM_ARES_SUBMIT_BATCH_FUSED */

static const char *mode_name(void)
{
	return mode ? "fused" : "batched";
}

static int submit(accel_ctx *c, const struct accel_submit_args *args, uint32_t n, accel_job **jobs,
		  uint32_t *submitted)
{
	return mode ? accel_submit_fused(c, args, n, jobs, submitted)
		    : accel_submit_batch(c, args, n, jobs, submitted);
}

static int raw(unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

/* "ares-jobs-normal:\t<n>" of this file's fdinfo. */
static uint64_t fdinfo_jobs(void)
{
	char line[256];
	unsigned long long v = 0;
	bool found = false;
	FILE *f = fopen(fdinfo_path, "r");

	if (!f)
		test_fail("open %s: expected success, got %m", fdinfo_path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ares-jobs-normal: %llu", &v) == 1)
			found = true;
	fclose(f);
	if (!found)
		test_fail("%s: expected an ares-jobs-normal line", fdinfo_path);
	return v;
}

/*
 * Job j < NJOBS stores j + 1 in data[j] and the device clock in
 * data[NJOBS + j]; job FAULTING writes below ARES_VA_START, never mapped.
 */
static void build_streams(void)
{
	void *map;

	check_ok(dev, accel_bo_map(cmd_bo, &map), "map command BO");
	cmd = map;
	for (int j = 0; j <= NJOBS; j++) {
		accel_cmdbuf *cb = new_cmdbuf();

		if (j == FAULTING) {
			accel_cmdbuf_fence_write(cb, ARES_VA_START - 2 * ARES_PAGE_SIZE, 1);
			if (stream_size > accel_cmdbuf_size(cb))
				accel_cmdbuf_nop(cb, stream_size - (uint32_t)accel_cmdbuf_size(cb));
		} else {
			accel_cmdbuf_fence_write(cb, accel_bo_va(data_bo) + 8 * j, j + 1);
			accel_cmdbuf_timestamp(cb, accel_bo_va(data_bo) + 8 * (NJOBS + j));
			stream_size = (uint32_t)accel_cmdbuf_size(cb);
		}
		check_ok(dev, accel_cmdbuf_error(cb), "building a job's stream");
		if (accel_cmdbuf_size(cb) != stream_size || stream_size > STREAM)
			test_fail("job %d's stream is %zu bytes: expected %u, at most %u", j,
				  accel_cmdbuf_size(cb), stream_size, STREAM);
		memcpy(cmd + (size_t)j * STREAM, accel_cmdbuf_data(cb), stream_size);
		accel_cmdbuf_destroy(cb);
	}
}

static void wait_idle(void)
{
	struct drm_ares_bo_wait w = {.handle = accel_bo_handle(cmd_bo),
				     .timeout_ns = (int64_t)now_ns() + WAIT_NS};
	int ret = raw(DRM_IOCTL_ARES_BO_WAIT, &w);

	if (ret)
		test_fail("BO_WAIT on the command buffer: %s", accel_strerror(ret));
	expect_u64("BO_WAIT status after the batch", DRM_ARES_JOB_OK, w.status);
}

static struct accel_submit_args job_args(int stream)
{
	static accel_bo *bos[1];

	bos[0] = data_bo;
	return (struct accel_submit_args){.cmd_bo = cmd_bo,
					  .cmd_offset = (uint64_t)stream * STREAM,
					  .cmd_size = stream_size,
					  .bos = bos,
					  .bo_count = 1};
}

/* All NJOBS in one call: each ran, in order, with a syncobj of its own. */
static void full_batch(void)
{
	struct accel_submit_args args[NJOBS];
	accel_job *jobs[NJOBS];
	uint32_t submitted = 0, status;
	uint64_t jobs_before = fdinfo_jobs();

	memset(data, 0, 2 * NJOBS * 8);
	for (int j = 0; j < NJOBS; j++)
		args[j] = job_args(j);
	check_ok(dev, submit(ctx, args, NJOBS, jobs, &submitted), "submitting 64 jobs");
	expect_u64("jobs submitted", NJOBS, submitted);
	for (int j = 0; j < NJOBS; j++)
		check_ok(dev, accel_job_wait(jobs[j], WAIT_NS), "wait for a job of the batch");
	for (int j = 0; j < NJOBS; j++) {
		check_ok(dev, accel_job_status(jobs[j], &status), "job status");
		expect_u64("job status", ACCEL_JOB_OK, status);
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
	expect_u64("fdinfo ares-jobs-normal after 64 jobs", jobs_before + NJOBS, fdinfo_jobs());
	for (int j = 0; j < NJOBS; j++)
		accel_job_destroy(jobs[j]);
	printf("  %s: 64 jobs in one call ran in order, seqnos consecutive, all OK, "
	       "fdinfo +64\n",
	       mode_name());
}

static uint32_t both[2], bad_handle[1], syncobjs[NBAD];
static uint32_t *many; /* DRM_ARES_MAX_BOS_PER_JOB + 1 extra buffers' handles */

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
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = NBAD, .flags = mode};
	ret = raw(DRM_IOCTL_ARES_SUBMIT_BATCH, &b);
	if (ret)
		test_fail("%s batch with %s at entry %d: expected 0 (entries before it "
			  "queued), got %s",
			  mode_name(), what, BAD_INDEX, accel_strerror(ret));
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
	for (int j = BAD_INDEX; j < NBAD; j++)
		if (!drmSyncobjWait(fd, &syncobjs[j], 1, 0, 0, NULL))
			test_fail("%s: entry %d was not queued but its out-syncobj got a fence",
				  what, j);
	expect_u64("seqno after the partial batch", before + BAD_INDEX + 1, next_seqno());
	for (int j = 0; j < NBAD; j++)
		drmSyncobjReset(fd, &syncobjs[j], 1);
	printf("  %s: %s at entry %d: %d queued and ran, error %d, the rest not queued\n",
	       mode_name(), what, BAD_INDEX, BAD_INDEX, b.error);
}

static void spoil_ctx(struct drm_ares_submit *s)
{
	s->ctx_id += 1000;
}

static void spoil_other_ctx(struct drm_ares_submit *s)
{
	s->ctx_id = accel_ctx_id(other_ctx);
}

static void spoil_bo(struct drm_ares_submit *s)
{
	bad_handle[0] = accel_bo_handle(data_bo) + 100000;
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

/*
 * Entries 0..2 list the two buffers each; this one lists the command
 * buffer and DRM_ARES_MAX_BOS_PER_JOB - 1 others, one more than the job
 * can hold with the data buffer.
 */
static void spoil_too_many_bos(struct drm_ares_submit *s)
{
	many[0] = accel_bo_handle(cmd_bo);
	s->bo_handles = (uintptr_t)many;
	s->bo_count = DRM_ARES_MAX_BOS_PER_JOB;
}

/* A bad first entry queues nothing: the next plain SUBMIT's seqno follows on. */
static void refused_first(void)
{
	struct drm_ares_submit s[2];
	struct drm_ares_submit_batch b;
	uint64_t before = next_seqno();

	fill_entries(s, 2);
	s[0].out_syncobj = s[1].out_syncobj = 0;
	s[0].reserved = 1;
	b = (struct drm_ares_submit_batch){.jobs = (uintptr_t)s, .count = 2, .flags = mode};
	expect_int("batch with entry 0 reserved = 1", -EINVAL,
		   raw(DRM_IOCTL_ARES_SUBMIT_BATCH, &b));
	expect_u64("submitted after a failed batch", 0, b.submitted);
	expect_u64("seqno after a refused batch", before + 1, next_seqno());
	printf("  %s: a bad first entry fails the ioctl, nothing queued\n", mode_name());
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

	/* The library refuses too many jobs itself, with nothing queued. */
	memset(args, 0, sizeof(args));
	expect_int("accel_submit_batch of 65 jobs", -E2BIG,
		   accel_submit_batch(ctx, args, NJOBS + 1, jobs, &submitted));
	expect_u64("accel_submit_batch submitted for 65 jobs", 0, submitted);
	b = (struct drm_ares_submit_batch){
		.jobs = (uintptr_t)s, .count = NJOBS + 1, .flags = DRM_ARES_SUBMIT_BATCH_FUSED};
	refused("a fused count = DRM_ARES_MAX_BATCH_JOBS + 1", -E2BIG, &b);
	expect_int("accel_submit_fused of 65 jobs", -E2BIG,
		   accel_submit_fused(ctx, args, NJOBS + 1, jobs, &submitted));
	printf("  count 65 -> -E2BIG, count 0 and nonzero flags/reserved/submitted/error -> "
	       "-EINVAL, nothing queued\n");
}

/* Entry FAULT_AT faults: the batch fails with MMU_FAULT, the others still ran. */
static void faulting_entry(void)
{
	const int n = NBAD, fault_at = BAD_INDEX;
	struct accel_submit_args args[NBAD];
	accel_job *jobs[NBAD];
	uint32_t submitted, status;

	memset(data, 0, 2 * NJOBS * 8);
	for (int j = 0; j < n; j++)
		args[j] = job_args(j == fault_at ? FAULTING : j);
	check_ok(dev, accel_submit_fused(ctx, args, n, jobs, &submitted),
		 "accel_submit_fused with a faulting entry");
	expect_u64("jobs submitted", n, submitted);
	for (int j = 0; j < n; j++) {
		check_ok(dev, accel_job_wait(jobs[j], WAIT_NS), "wait for the faulting batch");
		check_ok(dev, accel_job_status(jobs[j], &status), "job status");
		if (status != ACCEL_JOB_MMU_FAULT)
			test_fail("job %d of a batch whose entry %d faults: expected MMU_FAULT, "
				  "got %s",
				  j, fault_at, accel_job_status_name(status));
		if (data[j] != (j == fault_at ? 0 : (uint64_t)j + 1))
			test_fail("entry %d of the faulting batch wrote %llu: expected %llu", j,
				  (unsigned long long)data[j],
				  j == fault_at ? 0ull : (unsigned long long)j + 1);
	}
	for (int j = 0; j < n; j++)
		accel_job_destroy(jobs[j]);

	/* Not banned: the context's next batch runs and is OK. */
	memset(data, 0, 2 * NJOBS * 8);
	for (int j = 0; j < n; j++)
		args[j] = job_args(j);
	check_ok(dev, accel_submit_fused(ctx, args, n, jobs, &submitted),
		 "accel_submit_fused after the fault");
	for (int j = 0; j < n; j++) {
		check_ok(dev, accel_job_wait(jobs[j], WAIT_NS), "wait after the fault");
		check_ok(dev, accel_job_status(jobs[j], &status), "job status");
		expect_u64("status of a batch after the faulting one", ACCEL_JOB_OK, status);
		expect_u64("value written after the fault", (uint64_t)j + 1, data[j]);
		accel_job_destroy(jobs[j]);
	}
	printf("  entry %d faulting: all %d jobs report MMU_FAULT, the others ran, the next "
	       "batch is OK\n",
	       fault_at, n);
}

/* A hung batch: timed out, context banned, device reset, a new context works. */
static void hung_batch(void)
{
	struct accel_device_info before, after;
	struct accel_submit_args args[NBAD];
	accel_job *jobs[NBAD];
	accel_ctx *hctx, *fresh;
	accel_bo *hang_bo;
	uint32_t submitted, status;
	uint64_t t0;
	void *map;

	check_ok(dev, accel_device_query_info(dev, &before), "accel_device_query_info");
	check_ok(dev, accel_ctx_create(dev, PRIO, &hctx), "accel_ctx_create");
	hang_priority_queues(dev, PRIO);

	/*
	 * The hung batch's streams are in a buffer of their own: a job's
	 * status is its command buffer's BO_WAIT, and the banned context's
	 * TIMEOUT stays on every buffer it listed.
	 */
	check_ok(dev, accel_bo_alloc(dev, (uint64_t)NBAD * STREAM, 0, &hang_bo), "hang BO");
	check_ok(dev, accel_bo_map(hang_bo, &map), "map hang BO");
	memcpy(map, cmd, (size_t)NBAD * STREAM);
	for (int j = 0; j < NBAD; j++) {
		args[j] = job_args(j);
		args[j].cmd_bo = hang_bo;
	}
	check_ok(dev, accel_submit_fused(hctx, args, NBAD, jobs, &submitted),
		 "accel_submit_fused of the hanging batch");
	t0 = now_ns();
	expect_int("accel_job_wait(100 ms) on the hanging batch", -ETIME,
		   accel_job_wait(jobs[NBAD - 1], 100000000));
	for (int j = 0; j < NBAD; j++)
		check_ok(dev, accel_job_wait(jobs[j], 20ll * 1000000000),
			 "wait for the hanging batch to be timed out (20 s)");
	if (now_ns() - t0 < 500000000ull)
		test_fail("hanging batch finished after %llu ms: expected about job_timeout_ms "
			  "(1000)",
			  (unsigned long long)((now_ns() - t0) / 1000000));
	for (int j = 0; j < NBAD; j++) {
		check_ok(dev, accel_job_status(jobs[j], &status), "accel_job_status");
		if (status != ACCEL_JOB_TIMEOUT)
			test_fail("job %d of the hanging batch: expected TIMEOUT, got %s", j,
				  accel_job_status_name(status));
		accel_job_destroy(jobs[j]);
	}
	expect_int("accel_submit_fused on the banned context", -ECANCELED,
		   accel_submit_fused(hctx, args, NBAD, jobs, &submitted));

	check_ok(dev, accel_ctx_create(dev, PRIO, &fresh), "accel_ctx_create after recovery");
	memset(data, 0, 2 * NJOBS * 8);
	for (int j = 0; j < NBAD; j++)
		args[j] = job_args(j);
	check_ok(dev, accel_submit_fused(fresh, args, NBAD, jobs, &submitted),
		 "accel_submit_fused after recovery");
	for (int j = 0; j < NBAD; j++) {
		check_ok(dev, accel_job_wait(jobs[j], WAIT_NS), "wait after recovery");
		check_ok(dev, accel_job_status(jobs[j], &status), "job status");
		expect_u64("status of a batch after recovery", ACCEL_JOB_OK, status);
		expect_u64("value written after recovery", (uint64_t)j + 1, data[j]);
		accel_job_destroy(jobs[j]);
	}
	check_ok(dev, accel_device_query_info(dev, &after), "accel_device_query_info");
	if (after.reset_count <= before.reset_count)
		test_fail("DEVICE_INFO.reset_count: expected > %u, got %u", before.reset_count,
			  after.reset_count);
	accel_ctx_destroy(fresh);
	accel_ctx_destroy(hctx);
	accel_bo_free(hang_bo);
	printf("  a hung batch: every job TIMEOUT, context banned, device reset, a new "
	       "context's batch OK\n");
}

int main(void)
{
	accel_bo *extra[DRM_ARES_MAX_BOS_PER_JOB];
	uint32_t many_handles[DRM_ARES_MAX_BOS_PER_JOB];
	void *map;

	test_init("submit_batch");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	snprintf(fdinfo_path, sizeof(fdinfo_path), "/proc/self/fdinfo/%d", fd);
	check_ok(dev, accel_ctx_create(dev, PRIO, &ctx), "accel_ctx_create");
	check_ok(dev, accel_ctx_create(dev, PRIO, &other_ctx), "accel_ctx_create");
	check_ok(dev, accel_bo_alloc(dev, (uint64_t)(NJOBS + 1) * STREAM, 0, &cmd_bo),
		 "command BO");
	data_bo = alloc_mapped(dev, 2 * NJOBS * 8, &map);
	data = map;
	build_streams();
	for (int j = 0; j < NBAD; j++)
		if (drmSyncobjCreate(fd, 0, &syncobjs[j]))
			test_fail("drmSyncobjCreate: %s", accel_strerror(-errno));
	many = many_handles;
	for (int j = 1; j < DRM_ARES_MAX_BOS_PER_JOB; j++) {
		check_ok(dev, accel_bo_alloc(dev, 4096, 0, &extra[j]), "extra buffer");
		many[j] = accel_bo_handle(extra[j]);
	}

	refused_batches();
	for (int m = 0; m < 2; m++) {
		mode = m ? DRM_ARES_SUBMIT_BATCH_FUSED : 0;
		full_batch();
		bad_entry("an unknown context", -EINVAL, spoil_ctx);
		bad_entry("a bad BO handle", -EINVAL, spoil_bo);
		bad_entry("reserved = 1", -EINVAL, spoil_reserved);
		bad_entry("a command range past its buffer", -EINVAL, spoil_cmd_range);
		refused_first();
	}
	/* Only a fused batch is one job: one context, one job's buffers. */
	bad_entry("another context", -EINVAL, spoil_other_ctx);
	bad_entry("buffer 257 of the job", -EINVAL, spoil_too_many_bos);
	faulting_entry();
	hung_batch();

	for (int j = 1; j < DRM_ARES_MAX_BOS_PER_JOB; j++)
		accel_bo_free(extra[j]);
	for (int j = 0; j < NBAD; j++)
		drmSyncobjDestroy(fd, syncobjs[j]);
	accel_bo_free(data_bo);
	accel_bo_free(cmd_bo);
	accel_ctx_destroy(other_ctx);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
