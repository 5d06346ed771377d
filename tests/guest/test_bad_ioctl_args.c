/* SPDX-License-Identifier: MIT */
/*
 * Every ioctl rejects each bad field with -EINVAL (raw drmIoctl, one field
 * wrong at a time, starting from a call that succeeds), output-only fields
 * included (nonzero on input is refused, docs/uapi.md), and a rejected
 * call creates nothing: SUBMIT (and SUBMIT_BATCH) consumes no sequence number, BO_CREATE no
 * handle, CTX_CREATE no context id. Reports every mismatch, not just the
 * first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

static int fd, failures;

static int raw(unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static void expect_err(const char *what, int want, int got)
{
	if (want == got)
		return;
	printf("  %s: expected %d (%s), got %d (%s)\n", what, want, accel_strerror(want), got,
	       accel_strerror(got));
	failures++;
}

static uint32_t bo_handle;
static uint64_t bo_va;
static uint32_t other_handle;
static uint64_t other_va;
static uint32_t ctx_id;

static struct drm_ares_submit good_submit(uint32_t *handles)
{
	handles[0] = bo_handle;
	return (struct drm_ares_submit){.ctx_id = ctx_id,
					.cmd_va = bo_va,
					.cmd_size = 8,
					.bo_count = 1,
					.bo_handles = (uintptr_t)handles};
}

static void submit_cases(void)
{
	uint32_t handles[DRM_ARES_MAX_BOS_PER_JOB + 2], ins[DRM_ARES_MAX_IN_SYNCOBJS + 1];
	struct drm_ares_submit s;
	uint64_t seq;

#define SUBMIT_CASE(desc, mutate)                                                                  \
	do {                                                                                       \
		s = good_submit(handles);                                                          \
		mutate;                                                                            \
		expect_err("SUBMIT " desc, -EINVAL, raw(DRM_IOCTL_ARES_SUBMIT, &s));               \
	} while (0)

	s = good_submit(handles);
	if (raw(DRM_IOCTL_ARES_SUBMIT, &s))
		test_fail("baseline SUBMIT (NOP, 8 bytes): expected 0, got %s",
			  accel_strerror(-errno));
	seq = s.seqno;

	SUBMIT_CASE("bad BO handle", handles[0] = bo_handle + 1000);
	SUBMIT_CASE("reserved = 1", s.reserved = 1);
	SUBMIT_CASE("flags = 1", s.flags = 1);
	SUBMIT_CASE("flags = 0x80000000", s.flags = 0x80000000u);
	SUBMIT_CASE("seqno = 1 on input (output-only)", s.seqno = 1);
	SUBMIT_CASE("ctx_id = 0", s.ctx_id = 0);
	SUBMIT_CASE("ctx_id unknown", s.ctx_id = ctx_id + 1000);
	SUBMIT_CASE("cmd_size = 0", s.cmd_size = 0);
	SUBMIT_CASE("cmd_size = 12 (not a multiple of 8)", s.cmd_size = 12);
	SUBMIT_CASE("cmd_size = 4", s.cmd_size = 4);
	SUBMIT_CASE("cmd_size > 16 MiB", s.cmd_size = (16u << 20) + 8);
	SUBMIT_CASE("cmd_va not 8-byte aligned", s.cmd_va = bo_va + 4);
	SUBMIT_CASE("cmd range runs past the end of the BO", s.cmd_va = bo_va + 4096 - 8;
		    s.cmd_size = 16);
	SUBMIT_CASE("cmd_va in a BO not listed", s.cmd_va = other_va);
	SUBMIT_CASE("cmd_va below every BO", s.cmd_va = 0x1000);
	SUBMIT_CASE("bo_count = 0", s.bo_count = 0);
	SUBMIT_CASE("bo_count > DRM_ARES_MAX_BOS_PER_JOB", {
		for (int i = 0; i < DRM_ARES_MAX_BOS_PER_JOB + 1; i++)
			handles[i] = bo_handle;
		s.bo_count = DRM_ARES_MAX_BOS_PER_JOB + 1;
	});
	SUBMIT_CASE("duplicate BO handles", handles[1] = bo_handle; s.bo_count = 2);
	SUBMIT_CASE("in_syncobj_count > DRM_ARES_MAX_IN_SYNCOBJS", {
		memset(ins, 0, sizeof(ins));
		s.in_syncobjs = (uintptr_t)ins;
		s.in_syncobj_count = DRM_ARES_MAX_IN_SYNCOBJS + 1;
	});
#undef SUBMIT_CASE

	/* SUBMIT_BATCH's own fields; its entries are SUBMIT's, checked above. */
	s = good_submit(handles);
#define BATCH_CASE(desc, want, mutate)                                                             \
	do {                                                                                       \
		struct drm_ares_submit_batch b = {.jobs = (uintptr_t)&s, .count = 1};              \
		mutate;                                                                            \
		expect_err("SUBMIT_BATCH " desc, want, raw(DRM_IOCTL_ARES_SUBMIT_BATCH, &b));      \
	} while (0)
	BATCH_CASE("count = 0", -EINVAL, b.count = 0);
	BATCH_CASE("count > DRM_ARES_MAX_BATCH_JOBS", -E2BIG,
		   b.count = DRM_ARES_MAX_BATCH_JOBS + 1);
	BATCH_CASE("count = 0xffffffff", -E2BIG, b.count = 0xffffffffu);
	BATCH_CASE("flags = 2 (undefined bit)", -EINVAL, b.flags = 2);
	BATCH_CASE("flags = 0x80000000", -EINVAL, b.flags = 0x80000000u);
	BATCH_CASE("flags = FUSED | 2", -EINVAL, b.flags = DRM_ARES_SUBMIT_BATCH_FUSED | 2);
	BATCH_CASE("FUSED, reserved = 1", -EINVAL,
		   (b.flags = DRM_ARES_SUBMIT_BATCH_FUSED, b.reserved = 1));
	BATCH_CASE("reserved = 1", -EINVAL, b.reserved = 1);
	BATCH_CASE("submitted = 1 on input (output-only)", -EINVAL, b.submitted = 1);
	BATCH_CASE("error = -22 on input (output-only)", -EINVAL, b.error = -EINVAL);
	BATCH_CASE("jobs = NULL", -EFAULT, b.jobs = 0);
	s.reserved = 1;
	BATCH_CASE("entry 0 reserved = 1", -EINVAL, (void)0);
	BATCH_CASE("FUSED, entry 0 reserved = 1", -EINVAL, b.flags = DRM_ARES_SUBMIT_BATCH_FUSED);
#undef BATCH_CASE

	/* Rejected submits must have changed nothing: the next seqno follows on. */
	s = good_submit(handles);
	if (raw(DRM_IOCTL_ARES_SUBMIT, &s))
		test_fail("SUBMIT after the rejected ones: expected 0, got %s",
			  accel_strerror(-errno));
	if (s.seqno != seq + 1) {
		printf("  SUBMIT seqno after rejected submits: expected %llu, got %llu\n",
		       (unsigned long long)seq + 1, (unsigned long long)s.seqno);
		failures++;
	}
}

static void other_cases(void)
{
	struct drm_ares_bo_create bc;
	struct drm_ares_bo_info bi;
	struct drm_ares_ctx_create cc;
	struct drm_ares_ctx_destroy cd;
	struct drm_ares_query q;
	struct drm_ares_bo_wait w;
	struct drm_ares_debug d;
	uint8_t buf[256];

	bc = (struct drm_ares_bo_create){.size = 0};
	expect_err("BO_CREATE size = 0", -EINVAL, raw(DRM_IOCTL_ARES_BO_CREATE, &bc));
	bc = (struct drm_ares_bo_create){.size = 4096, .flags = 2};
	expect_err("BO_CREATE flags = 2 (unknown)", -EINVAL, raw(DRM_IOCTL_ARES_BO_CREATE, &bc));
	bc = (struct drm_ares_bo_create){.size = 4096, .flags = 0x80000000u};
	expect_err("BO_CREATE flags = 0x80000000", -EINVAL, raw(DRM_IOCTL_ARES_BO_CREATE, &bc));
	bc = (struct drm_ares_bo_create){.size = 4096, .handle = 7};
	expect_err("BO_CREATE handle = 7 on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_CREATE, &bc));
	bc = (struct drm_ares_bo_create){.size = 4096, .va = 0x100000000ull};
	expect_err("BO_CREATE va nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_CREATE, &bc));

	bi = (struct drm_ares_bo_info){.handle = bo_handle, .flags = 1};
	expect_err("BO_INFO flags = 1 on input", -EINVAL, raw(DRM_IOCTL_ARES_BO_INFO, &bi));
	bi = (struct drm_ares_bo_info){.handle = bo_handle, .size = 4096};
	expect_err("BO_INFO size nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_INFO, &bi));
	bi = (struct drm_ares_bo_info){.handle = bo_handle, .va = bo_va};
	expect_err("BO_INFO va nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_INFO, &bi));
	bi = (struct drm_ares_bo_info){.handle = bo_handle, .mmap_offset = 4096};
	expect_err("BO_INFO mmap_offset nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_INFO, &bi));

	cc = (struct drm_ares_ctx_create){.priority = 4};
	expect_err("CTX_CREATE priority = 4", -EINVAL, raw(DRM_IOCTL_ARES_CTX_CREATE, &cc));
	cc = (struct drm_ares_ctx_create){.priority = 1, .flags = 1};
	expect_err("CTX_CREATE flags = 1", -EINVAL, raw(DRM_IOCTL_ARES_CTX_CREATE, &cc));
	cc = (struct drm_ares_ctx_create){.priority = 1, .pad = 1};
	expect_err("CTX_CREATE pad = 1", -EINVAL, raw(DRM_IOCTL_ARES_CTX_CREATE, &cc));
	cc = (struct drm_ares_ctx_create){.priority = 1, .ctx_id = ctx_id};
	expect_err("CTX_CREATE ctx_id nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_CTX_CREATE, &cc));

	cd = (struct drm_ares_ctx_destroy){.ctx_id = ctx_id, .pad = 1};
	expect_err("CTX_DESTROY pad = 1", -EINVAL, raw(DRM_IOCTL_ARES_CTX_DESTROY, &cd));
	cd = (struct drm_ares_ctx_destroy){.ctx_id = ctx_id + 1000};
	expect_err("CTX_DESTROY unknown ctx_id", -ENOENT, raw(DRM_IOCTL_ARES_CTX_DESTROY, &cd));

	q = (struct drm_ares_query){.type = 99, .size = sizeof(buf), .data = (uintptr_t)buf};
	expect_err("QUERY type = 99", -EINVAL, raw(DRM_IOCTL_ARES_QUERY, &q));
	q = (struct drm_ares_query){
		.type = DRM_ARES_QUERY_DEVICE_INFO, .size = 8, .data = (uintptr_t)buf};
	expect_err("QUERY DEVICE_INFO size = 8 (too small)", -EINVAL,
		   raw(DRM_IOCTL_ARES_QUERY, &q));

	/* Lookup misses are -ENOENT (GEM convention, docs/uapi.md). */
	bi = (struct drm_ares_bo_info){.handle = bo_handle + 1000};
	expect_err("BO_INFO unknown handle", -ENOENT, raw(DRM_IOCTL_ARES_BO_INFO, &bi));
	w = (struct drm_ares_bo_wait){.handle = bo_handle + 1000};
	expect_err("BO_WAIT unknown handle", -ENOENT, raw(DRM_IOCTL_ARES_BO_WAIT, &w));

	w = (struct drm_ares_bo_wait){.handle = bo_handle, .flags = 1};
	expect_err("BO_WAIT flags = 1", -EINVAL, raw(DRM_IOCTL_ARES_BO_WAIT, &w));
	w = (struct drm_ares_bo_wait){.handle = bo_handle, .pad = 1};
	expect_err("BO_WAIT pad = 1", -EINVAL, raw(DRM_IOCTL_ARES_BO_WAIT, &w));
	w = (struct drm_ares_bo_wait){.handle = bo_handle, .status = DRM_ARES_JOB_MMU_FAULT};
	expect_err("BO_WAIT status nonzero on input (output-only)", -EINVAL,
		   raw(DRM_IOCTL_ARES_BO_WAIT, &w));

	d = (struct drm_ares_debug){.op = 99};
	expect_err("DEBUG op = 99", -EINVAL, raw(DRM_IOCTL_ARES_DEBUG, &d));
	d = (struct drm_ares_debug){.op = DRM_ARES_DEBUG_HANG_QUEUE, .flags = 1, .arg = 0};
	expect_err("DEBUG flags = 1", -EINVAL, raw(DRM_IOCTL_ARES_DEBUG, &d));
	d = (struct drm_ares_debug){.op = DRM_ARES_DEBUG_HANG_QUEUE, .arg = 8};
	expect_err("DEBUG HANG_QUEUE arg = 8 (no such queue)", -EINVAL,
		   raw(DRM_IOCTL_ARES_DEBUG, &d));
}

/* The user-queue ioctls; each case one field wrong. Return: the good queue's ctx id or 0. */
static uint32_t uq_cases(void)
{
	struct drm_ares_uq_create c,
		good = {.priority = DRM_ARES_PRIORITY_NORMAL, .ring_entries = 16};
	struct drm_ares_uq_wake k;
	struct drm_ares_uq_wait w;
	struct drm_ares_debug d;
	uint32_t uq_id, sync;
	int ret;

	c = good;
	ret = raw(DRM_IOCTL_ARES_UQ_CREATE, &c);
	if (ret == -EOPNOTSUPP) {
		printf("  (no user queues on this device: their cases skipped)\n");
		return 0;
	}
	if (ret)
		test_fail("baseline UQ_CREATE: expected 0, got %s", accel_strerror(ret));
	uq_id = c.ctx_id;

#define UQ_CREATE_CASE(desc, mutate)                                                               \
	do {                                                                                       \
		c = good;                                                                          \
		mutate;                                                                            \
		expect_err("UQ_CREATE " desc, -EINVAL, raw(DRM_IOCTL_ARES_UQ_CREATE, &c));         \
	} while (0)
	UQ_CREATE_CASE("flags = 1", c.flags = 1);
	UQ_CREATE_CASE("pad = 1", c.pad = 1);
	UQ_CREATE_CASE("reserved = 1", c.reserved = 1);
	UQ_CREATE_CASE("ctx_id nonzero on input (output-only)", c.ctx_id = 1);
	UQ_CREATE_CASE("asid nonzero on input (output-only)", c.asid = 1);
	UQ_CREATE_CASE("ring_offset nonzero on input (output-only)", c.ring_offset = 4096);
	UQ_CREATE_CASE("compl_offset nonzero on input (output-only)", c.compl_offset = 4096);
	UQ_CREATE_CASE("doorbell_offset nonzero on input (output-only)", c.doorbell_offset = 4096);
	UQ_CREATE_CASE("ring_entries = 0", c.ring_entries = 0);
	UQ_CREATE_CASE("ring_entries = 8 (below 16)", c.ring_entries = 8);
	UQ_CREATE_CASE("ring_entries = 17 (not a power of two)", c.ring_entries = 17);
	UQ_CREATE_CASE("ring_entries = 8192 (above 4096)", c.ring_entries = 8192);
	UQ_CREATE_CASE("ring_entries = 0x80000000", c.ring_entries = 0x80000000u);
	UQ_CREATE_CASE("priority = 4", c.priority = 4);

	k = (struct drm_ares_uq_wake){.ctx_id = uq_id, .flags = 1};
	expect_err("UQ_WAKE flags = 1", -EINVAL, raw(DRM_IOCTL_ARES_UQ_WAKE, &k));
	k = (struct drm_ares_uq_wake){.ctx_id = ctx_id};
	expect_err("UQ_WAKE on a CTX_CREATE context", -EINVAL, raw(DRM_IOCTL_ARES_UQ_WAKE, &k));
	k = (struct drm_ares_uq_wake){.ctx_id = uq_id + 1000};
	expect_err("UQ_WAKE unknown ctx_id", -ENOENT, raw(DRM_IOCTL_ARES_UQ_WAKE, &k));
	k = (struct drm_ares_uq_wake){.ctx_id = uq_id};
	expect_err("UQ_WAKE baseline", 0, raw(DRM_IOCTL_ARES_UQ_WAKE, &k));

	if (drmSyncobjCreate(fd, 0, &sync))
		test_fail("SYNCOBJ_CREATE: %m");
#define UQ_WAIT_CASE(desc, want, mutate)                                                           \
	do {                                                                                       \
		w = (struct drm_ares_uq_wait){.ctx_id = uq_id};                                    \
		mutate;                                                                            \
		expect_err("UQ_WAIT " desc, want, raw(DRM_IOCTL_ARES_UQ_WAIT, &w));                \
	} while (0)
	UQ_WAIT_CASE("baseline (HEAD 0, poll)", 0, (void)0);
	UQ_WAIT_CASE("flags = 2 (unknown)", -EINVAL, w.flags = 2);
	UQ_WAIT_CASE("pad = 1", -EINVAL, w.pad = 1);
	UQ_WAIT_CASE("reserved = 1", -EINVAL, w.reserved = 1);
	UQ_WAIT_CASE("state nonzero on input (output-only)", -EINVAL, w.state = 1);
	UQ_WAIT_CASE("error nonzero on input (output-only)", -EINVAL, w.error = 1);
	UQ_WAIT_CASE("head_now nonzero on input (output-only)", -EINVAL, w.head_now = 1);
	UQ_WAIT_CASE("timeout_ns = -1", -EINVAL, w.timeout_ns = -1);
	UQ_WAIT_CASE("syncobj without SYNCOBJ", -EINVAL, w.syncobj = sync);
	UQ_WAIT_CASE("SYNCOBJ without a syncobj", -EINVAL, w.flags = DRM_ARES_UQ_WAIT_SYNCOBJ);
	UQ_WAIT_CASE("SYNCOBJ with a timeout", -EINVAL,
		     (w.flags = DRM_ARES_UQ_WAIT_SYNCOBJ, w.syncobj = sync, w.timeout_ns = 1));
	UQ_WAIT_CASE("SYNCOBJ with an unknown syncobj", -ENOENT,
		     (w.flags = DRM_ARES_UQ_WAIT_SYNCOBJ, w.syncobj = sync + 1000));
	UQ_WAIT_CASE("on a CTX_CREATE context", -EINVAL, w.ctx_id = ctx_id);
	UQ_WAIT_CASE("unknown ctx_id", -ENOENT, w.ctx_id = uq_id + 1000);
	drmSyncobjDestroy(fd, sync);

	d = (struct drm_ares_debug){.op = DRM_ARES_DEBUG_HANG_UQ, .arg = ctx_id};
	expect_err("DEBUG HANG_UQ on a CTX_CREATE context", -EINVAL, raw(DRM_IOCTL_ARES_DEBUG, &d));
	d = (struct drm_ares_debug){.op = DRM_ARES_DEBUG_HANG_UQ, .arg = (1ull << 40) + uq_id};
	expect_err("DEBUG HANG_UQ arg above 32 bits", -EINVAL, raw(DRM_IOCTL_ARES_DEBUG, &d));

	/* Rejected UQ_CREATEs made no context: the next id follows on. */
	c = good;
	if (raw(DRM_IOCTL_ARES_UQ_CREATE, &c))
		test_fail("UQ_CREATE after the rejected ones: expected 0, got %s",
			  accel_strerror(-errno));
	if (c.ctx_id != uq_id + 1) {
		printf("  UQ_CREATE ctx_id after rejected calls: expected %u, got %u\n", uq_id + 1,
		       c.ctx_id);
		failures++;
	}
	return uq_id;
}

int main(void)
{
	struct drm_ares_bo_create bc;
	struct drm_ares_ctx_create cc = {.priority = DRM_ARES_PRIORITY_NORMAL};
	struct drm_ares_bo_info bi;
	struct drm_ares_bo_wait w;
	accel_device *dev;
	accel_cmdbuf *cb;
	accel_bo *cmd;
	void *map;

	test_init("bad_ioctl_args");
	dev = open_first_device();
	fd = accel_device_fd(dev);

	/* The command BO (one NOP) is made with libaccel, then used raw. */
	cb = new_cmdbuf();
	accel_cmdbuf_nop(cb, 8);
	check_ok(dev, accel_bo_alloc(dev, 4096, 0, &cmd), "accel_bo_alloc");
	check_ok(dev, accel_bo_map(cmd, &map), "accel_bo_map");
	memcpy(map, accel_cmdbuf_data(cb), 8);
	bo_handle = accel_bo_handle(cmd);
	bo_va = accel_bo_va(cmd);

	bc = (struct drm_ares_bo_create){.size = 4096};
	if (raw(DRM_IOCTL_ARES_BO_CREATE, &bc))
		test_fail("baseline BO_CREATE: expected 0, got %s", accel_strerror(-errno));
	other_handle = bc.handle;
	other_va = bc.va;
	if (raw(DRM_IOCTL_ARES_CTX_CREATE, &cc))
		test_fail("baseline CTX_CREATE: expected 0, got %s", accel_strerror(-errno));
	ctx_id = cc.ctx_id;
	bi = (struct drm_ares_bo_info){.handle = other_handle};
	if (raw(DRM_IOCTL_ARES_BO_INFO, &bi))
		test_fail("baseline BO_INFO: expected 0, got %s", accel_strerror(-errno));

	submit_cases();
	other_cases();

	/*
	 * Rejected calls created nothing: GEM hands out the lowest free handle
	 * and context ids are allocated cyclically, so the next ones follow on.
	 */
	bc = (struct drm_ares_bo_create){.size = 4096};
	if (raw(DRM_IOCTL_ARES_BO_CREATE, &bc))
		test_fail("BO_CREATE after the rejected ones: expected 0, got %s",
			  accel_strerror(-errno));
	if (bc.handle != other_handle + 1) {
		printf("  BO_CREATE handle after rejected calls: expected %u, got %u\n",
		       other_handle + 1, bc.handle);
		failures++;
	}
	cc = (struct drm_ares_ctx_create){.priority = DRM_ARES_PRIORITY_NORMAL};
	if (raw(DRM_IOCTL_ARES_CTX_CREATE, &cc))
		test_fail("CTX_CREATE after the rejected ones: expected 0, got %s",
			  accel_strerror(-errno));
	if (cc.ctx_id != ctx_id + 1) {
		printf("  CTX_CREATE ctx_id after rejected calls: expected %u, got %u\n",
		       ctx_id + 1, cc.ctx_id);
		failures++;
	}

	uq_cases();

	/* Let the baseline jobs finish before the BOs go away. */
	w = (struct drm_ares_bo_wait){.handle = bo_handle,
				      .timeout_ns = (int64_t)now_ns() + 5000000000ll};
	raw(DRM_IOCTL_ARES_BO_WAIT, &w);

	accel_cmdbuf_destroy(cb);
	accel_bo_free(cmd);
	accel_device_close(dev);
	if (failures)
		test_fail("%d ioctl argument checks failed (listed above)", failures);
	test_pass();
}
