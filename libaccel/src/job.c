/* SPDX-License-Identifier: MIT */
/*
 * Submission and jobs: DRM_IOCTL_ARES_SUBMIT with an out-syncobj per job,
 * so waiting, chaining and sync_file export are plain DRM syncobj calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "internal.h"

/* libdrm helpers return -1 with errno or -errno depending on the helper. */
static int drm_ret(int ret)
{
	if (ret == -1 && errno)
		return -errno;
	return ret;
}

static int64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void syncobj_destroy(accel_device *dev, uint32_t h)
{
	int ret = drm_ret(drmSyncobjDestroy(dev->fd, h));

	accel_trace(dev, "drmSyncobjDestroy(handle=%u) = %d", h, ret);
}

int accel_syncobj_get(accel_device *dev, uint32_t *h)
{
	int ret;

	if (dev->spare_syncobj_count) {
		*h = dev->spare_syncobjs[--dev->spare_syncobj_count];
		return 0;
	}
	ret = drm_ret(drmSyncobjCreate(dev->fd, 0, h));
	accel_trace(dev, "drmSyncobjCreate() = %d handle=%u", ret, ret ? 0 : *h);
	if (ret)
		return accel_set_error(dev, ret, "drmSyncobjCreate on %s: %s", dev->node,
				       accel_strerror(ret));
	return 0;
}

/* A syncobj whose fence may still be pending is fine to keep: see internal.h. */
void accel_syncobj_put(accel_device *dev, uint32_t h)
{
	if (dev->spare_syncobj_count < ACCEL_SPARE_SYNCOBJS)
		dev->spare_syncobjs[dev->spare_syncobj_count++] = h;
	else
		syncobj_destroy(dev, h);
}

_Static_assert(ACCEL_MAX_BATCH == DRM_ARES_MAX_BATCH_JOBS, "accel.h and the uAPI disagree");

/* One job on its way to the kernel: its handle arrays and its syncobj. */
struct pending_submit {
	accel_job *job;
	uint32_t *bos;
	uint32_t *ins;
};

static void pending_free_arrays(struct pending_submit *p)
{
	free(p->ins);
	free(p->bos);
	p->ins = NULL;
	p->bos = NULL;
}

/* The job was not queued: give back its syncobj and memory. */
static void pending_abort(accel_device *dev, struct pending_submit *p)
{
	if (p->job && p->job->syncobj)
		accel_syncobj_put(dev, p->job->syncobj);
	free(p->job);
	p->job = NULL;
	pending_free_arrays(p);
}

/* The kernel queued it: the job handle takes its seqno and keeps its syncobj. */
static accel_job *pending_done(accel_device *dev, struct pending_submit *p,
			       const struct accel_submit_args *args, uint64_t seqno)
{
	accel_job *job = p->job;

	job->dev = dev;
	job->seqno = seqno;
	job->status_bo = args->cmd_bo->handle;
	p->job = NULL;
	pending_free_arrays(p);
	return job;
}

/*
 * Checks @args and fills @s with the SUBMIT entry for it; on failure
 * nothing is left allocated. @what names the caller in error messages.
 */
static int submit_prepare(accel_ctx *ctx, const struct accel_submit_args *args, const char *what,
			  struct drm_ares_submit *s, struct pending_submit *p)
{
	accel_device *dev = ctx->dev;
	uint32_t nbos = 0, i;
	bool have_cmd = false;
	int ret;

	if (!args || !args->cmd_bo)
		return accel_set_error(dev, -EINVAL, "%s: args and args->cmd_bo must be set", what);
	if ((args->bo_count && !args->bos) || (args->wait_count && !args->wait))
		return accel_set_error(dev, -EINVAL,
				       "%s: bo_count %u / wait_count %u with a NULL array", what,
				       args->bo_count, args->wait_count);
	if (args->cmd_offset > args->cmd_bo->size ||
	    args->cmd_size > args->cmd_bo->size - args->cmd_offset)
		return accel_set_error(dev, -EINVAL,
				       "%s: cmd range offset %llu size %u lies outside "
				       "the %llu-byte command BO (handle %u)",
				       what, (unsigned long long)args->cmd_offset, args->cmd_size,
				       (unsigned long long)args->cmd_bo->size,
				       args->cmd_bo->handle);

	p->job = calloc(1, sizeof(*p->job));
	p->bos = calloc((size_t)args->bo_count + 1, sizeof(*p->bos));
	p->ins = calloc((size_t)args->wait_count + 1, sizeof(*p->ins));
	if (!p->job || !p->bos || !p->ins) {
		ret = accel_set_error(dev, -ENOMEM, "%s: out of memory", what);
		goto err;
	}
	for (i = 0; i < args->bo_count; i++) {
		if (!args->bos[i]) {
			ret = accel_set_error(dev, -EINVAL, "%s: bos[%u] is NULL", what, i);
			goto err;
		}
		if (args->bos[i] == args->cmd_bo)
			have_cmd = true;
		p->bos[nbos++] = args->bos[i]->handle;
	}
	if (!have_cmd)
		p->bos[nbos++] = args->cmd_bo->handle;
	for (i = 0; i < args->wait_count; i++) {
		if (!args->wait[i]) {
			ret = accel_set_error(dev, -EINVAL, "%s: wait[%u] is NULL", what, i);
			goto err;
		}
		p->ins[i] = args->wait[i]->syncobj;
	}

	ret = accel_syncobj_get(dev, &p->job->syncobj);
	if (ret)
		goto err;

	*s = (struct drm_ares_submit){0};
	s->ctx_id = ctx->id;
	s->cmd_va = args->cmd_bo->va + args->cmd_offset;
	s->cmd_size = args->cmd_size;
	s->bo_count = nbos;
	s->bo_handles = (uintptr_t)p->bos;
	s->in_syncobjs = args->wait_count ? (uintptr_t)p->ins : 0;
	s->in_syncobj_count = args->wait_count;
	s->out_syncobj = p->job->syncobj;
	return 0;

err:
	pending_abort(dev, p);
	return ret;
}

int accel_submit(accel_ctx *ctx, const struct accel_submit_args *args, accel_job **out)
{
	accel_device *dev = ctx->dev;
	struct pending_submit p = {0};
	struct drm_ares_submit s;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_submit: out must be set");
	ret = submit_prepare(ctx, args, "accel_submit", &s, &p);
	if (ret)
		return ret;
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_SUBMIT, &s);
	if (ret) {
		accel_set_error(dev, ret,
				"DRM_IOCTL_ARES_SUBMIT ctx_id %u cmd_va 0x%llx cmd_size %u "
				"bo_count %u on %s: %s",
				ctx->id, (unsigned long long)s.cmd_va, s.cmd_size, s.bo_count,
				dev->node, accel_strerror(ret));
		pending_abort(dev, &p);
		return ret;
	}
	*out = pending_done(dev, &p, args, s.seqno);
	return 0;
}

/* SUBMIT_BATCH with @flags; @what names the caller in error messages. */
static int submit_batch(accel_ctx *ctx, const struct accel_submit_args *args, uint32_t count,
			accel_job **out, uint32_t *submitted, uint32_t flags, const char *what)
{
	accel_device *dev = ctx->dev;
	struct drm_ares_submit s[ACCEL_MAX_BATCH];
	struct pending_submit p[ACCEL_MAX_BATCH] = {0};
	struct drm_ares_submit_batch b = {0};
	uint32_t i, n = 0, prepared = 0;
	int ret = 0;

	if (!args || !out || !submitted)
		return accel_set_error(dev, -EINVAL, "%s: args, out and submitted must be set",
				       what);
	*submitted = 0;
	if (!count)
		return accel_set_error(dev, -EINVAL, "%s: count is 0", what);
	if (count > ACCEL_MAX_BATCH)
		return accel_set_error(dev, -E2BIG,
				       "%s: count %u is above the %u jobs one batch may hold", what,
				       count, ACCEL_MAX_BATCH);
	for (; prepared < count; prepared++) {
		ret = submit_prepare(ctx, &args[prepared], what, &s[prepared], &p[prepared]);
		if (ret)
			goto out;
	}

	b.jobs = (uintptr_t)s;
	b.count = count;
	b.flags = flags;
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_SUBMIT_BATCH, &b);
	if (ret) {
		accel_set_error(dev, ret,
				"DRM_IOCTL_ARES_SUBMIT_BATCH (flags 0x%x) of %u jobs: job 0 "
				"(ctx_id %u cmd_va "
				"0x%llx cmd_size %u bo_count %u) on %s: %s",
				flags, count, ctx->id, (unsigned long long)s[0].cmd_va,
				s[0].cmd_size, s[0].bo_count, dev->node, accel_strerror(ret));
		goto out;
	}
	n = b.submitted;
	if (b.error)
		ret = accel_set_error(dev, b.error,
				      "DRM_IOCTL_ARES_SUBMIT_BATCH: %u of %u jobs queued; job %u "
				      "(ctx_id %u cmd_va 0x%llx cmd_size %u bo_count %u) on %s: %s",
				      n, count, n, ctx->id, (unsigned long long)s[n].cmd_va,
				      s[n].cmd_size, s[n].bo_count, dev->node,
				      accel_strerror(b.error));
	for (i = 0; i < n; i++)
		out[i] = pending_done(dev, &p[i], &args[i], s[i].seqno);
	*submitted = n;
out:
	for (i = n; i < prepared; i++)
		pending_abort(dev, &p[i]);
	return ret;
}

int accel_submit_batch(accel_ctx *ctx, const struct accel_submit_args *args, uint32_t count,
		       accel_job **out, uint32_t *submitted)
{
	return submit_batch(ctx, args, count, out, submitted, 0, "accel_submit_batch");
}

int accel_submit_fused(accel_ctx *ctx, const struct accel_submit_args *args, uint32_t count,
		       accel_job **out, uint32_t *submitted)
{
	return submit_batch(ctx, args, count, out, submitted, DRM_ARES_SUBMIT_BATCH_FUSED,
			    "accel_submit_fused");
}

int accel_submit_cmdbuf(accel_ctx *ctx, const accel_cmdbuf *cb, accel_bo *const *bos,
			uint32_t bo_count, accel_job **out)
{
	struct accel_submit_args args = {0};
	accel_bo *cmd;
	int ret;

	ret = accel_cmdbuf_upload(ctx->dev, cb, &cmd);
	if (ret)
		return ret;
	args.cmd_bo = cmd;
	args.cmd_size = (uint32_t)accel_cmdbuf_size(cb);
	args.bos = bos;
	args.bo_count = bo_count;
	ret = accel_submit(ctx, &args, out);
	if (ret)
		goto err_free;
	(*out)->owned_cmd_bo = cmd;
	return 0;

err_free:
	accel_bo_free(cmd);
	return ret;
}

int accel_job_wait(accel_job *job, int64_t timeout_ns)
{
	accel_device *dev = job->dev;
	int64_t deadline;
	uint32_t h = job->syncobj;
	int ret;

	if (timeout_ns < 0)
		deadline = INT64_MAX;
	else if (timeout_ns > INT64_MAX - mono_now_ns())
		deadline = INT64_MAX;
	else
		deadline = mono_now_ns() + timeout_ns;
	ret = drmSyncobjWait(dev->fd, &h, 1, deadline, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
			     NULL);
	ret = drm_ret(ret);
	accel_trace(dev, "drmSyncobjWait(handle=%u deadline=%lld) = %d", h, (long long)deadline,
		    ret);
	if (ret == -ETIME || ret == -ETIMEDOUT)
		return accel_set_error(dev, -ETIME,
				       "job seqno %llu (syncobj %u) not finished after %lld ns",
				       (unsigned long long)job->seqno, h, (long long)timeout_ns);
	if (ret)
		return accel_set_error(dev, ret, "drmSyncobjWait syncobj %u on %s: %s", h,
				       dev->node, accel_strerror(ret));
	return 0;
}

int accel_job_status(accel_job *job, uint32_t *status)
{
	struct drm_ares_bo_wait w = {.handle = job->status_bo, .timeout_ns = 0};
	int ret;

	if (!status)
		return accel_set_error(job->dev, -EINVAL, "accel_job_status: status is NULL");
	if (job->uq)
		return accel_uq_job_status(job->uq, job->seqno, status);
	ret = accel_ioctl(job->dev, DRM_IOCTL_ARES_BO_WAIT, &w);
	if (ret == -ETIME || ret == -EBUSY)
		return accel_set_error(job->dev, -EBUSY,
				       "job seqno %llu has not finished (BO_WAIT on handle %u)",
				       (unsigned long long)job->seqno, job->status_bo);
	if (ret)
		return accel_set_error(job->dev, ret,
				       "DRM_IOCTL_ARES_BO_WAIT handle %u for job seqno %llu on %s: "
				       "%s",
				       job->status_bo, (unsigned long long)job->seqno,
				       job->dev->node, accel_strerror(ret));
	*status = w.status;
	return 0;
}

const char *accel_job_status_name(uint32_t status)
{
	switch (status) {
	case ACCEL_JOB_OK:
		return "OK";
	case ACCEL_JOB_INVALID_CMD:
		return "INVALID_CMD";
	case ACCEL_JOB_MMU_FAULT:
		return "MMU_FAULT";
	case ACCEL_JOB_TIMEOUT:
		return "TIMEOUT";
	case ACCEL_JOB_ABORTED:
		return "ABORTED";
	case ACCEL_JOB_FW_ERROR:
		return "FW_ERROR";
	case ACCEL_JOB_INVALID_DESC:
		return "INVALID_DESC";
	default:
		return "UNKNOWN";
	}
}

int accel_job_export_sync_file(accel_job *job, int *fd)
{
	int ret;

	if (!fd)
		return accel_set_error(job->dev, -EINVAL, "accel_job_export_sync_file: fd is NULL");
	ret = drm_ret(drmSyncobjExportSyncFile(job->dev->fd, job->syncobj, fd));
	accel_trace(job->dev, "drmSyncobjExportSyncFile(handle=%u) = %d fd=%d", job->syncobj, ret,
		    ret ? -1 : *fd);
	if (ret)
		return accel_set_error(job->dev, ret,
				       "drmSyncobjExportSyncFile syncobj %u on %s: %s",
				       job->syncobj, job->dev->node, accel_strerror(ret));
	return 0;
}

uint64_t accel_job_seqno(const accel_job *job)
{
	return job->seqno;
}

uint32_t accel_job_syncobj(const accel_job *job)
{
	return job->syncobj;
}

int accel_job_destroy(accel_job *job)
{
	if (!job)
		return 0;
	accel_syncobj_put(job->dev, job->syncobj);
	accel_bo_free(job->owned_cmd_bo);
	free(job);
	return 0;
}
