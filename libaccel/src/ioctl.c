/* SPDX-License-Identifier: MIT */
/*
 * The one path to the kernel: drmIoctl() plus ARES_DEBUG=ioctl tracing, so
 * every ioctl libaccel makes can be seen with its decoded arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "internal.h"

unsigned int accel_debug_flags_from_env(void)
{
	const char *env = getenv("ARES_DEBUG");
	unsigned int flags = 0;
	char buf[256], *tok, *save = NULL;

	if (!env)
		return 0;
	snprintf(buf, sizeof(buf), "%s", env);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "ioctl") || !strcmp(tok, "all"))
			flags |= ACCEL_DBG_IOCTL;
	}
	return flags;
}

void accel_trace(const accel_device *dev, const char *fmt, ...)
{
	va_list ap;

	if (!dev || !(dev->debug & ACCEL_DBG_IOCTL))
		return;
	fprintf(stderr, "libaccel[%s]: ", dev->node);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *ioctl_name(unsigned long req)
{
	switch (req) {
	case DRM_IOCTL_ARES_QUERY:
		return "DRM_IOCTL_ARES_QUERY";
	case DRM_IOCTL_ARES_BO_CREATE:
		return "DRM_IOCTL_ARES_BO_CREATE";
	case DRM_IOCTL_ARES_BO_INFO:
		return "DRM_IOCTL_ARES_BO_INFO";
	case DRM_IOCTL_ARES_CTX_CREATE:
		return "DRM_IOCTL_ARES_CTX_CREATE";
	case DRM_IOCTL_ARES_CTX_DESTROY:
		return "DRM_IOCTL_ARES_CTX_DESTROY";
	case DRM_IOCTL_ARES_SUBMIT:
		return "DRM_IOCTL_ARES_SUBMIT";
	case DRM_IOCTL_ARES_BO_WAIT:
		return "DRM_IOCTL_ARES_BO_WAIT";
	case DRM_IOCTL_ARES_DEBUG:
		return "DRM_IOCTL_ARES_DEBUG";
	case DRM_IOCTL_ARES_BO_USERPTR:
		return "DRM_IOCTL_ARES_BO_USERPTR";
	case DRM_IOCTL_ARES_SUBMIT_BATCH:
		return "DRM_IOCTL_ARES_SUBMIT_BATCH";
	case DRM_IOCTL_ARES_UQ_CREATE:
		return "DRM_IOCTL_ARES_UQ_CREATE";
	case DRM_IOCTL_ARES_UQ_WAKE:
		return "DRM_IOCTL_ARES_UQ_WAKE";
	case DRM_IOCTL_ARES_UQ_WAIT:
		return "DRM_IOCTL_ARES_UQ_WAIT";
	case DRM_IOCTL_GEM_CLOSE:
		return "DRM_IOCTL_GEM_CLOSE";
	default:
		return "DRM_IOCTL_?";
	}
}

/* Decodes the argument struct of @req into @buf. */
static void decode(unsigned long req, const void *arg, char *buf, size_t len)
{
	switch (req) {
	case DRM_IOCTL_ARES_QUERY: {
		const struct drm_ares_query *q = arg;

		snprintf(buf, len, "type=%u size=%u data=0x%llx", q->type, q->size,
			 (unsigned long long)q->data);
		break;
	}
	case DRM_IOCTL_ARES_BO_CREATE: {
		const struct drm_ares_bo_create *c = arg;

		snprintf(buf, len, "size=%llu flags=0x%x handle=%u va=0x%llx",
			 (unsigned long long)c->size, c->flags, c->handle,
			 (unsigned long long)c->va);
		break;
	}
	case DRM_IOCTL_ARES_BO_USERPTR: {
		const struct drm_ares_bo_userptr *u = arg;

		snprintf(buf, len, "addr=0x%llx size=%llu flags=0x%x handle=%u va=0x%llx",
			 (unsigned long long)u->addr, (unsigned long long)u->size, u->flags,
			 u->handle, (unsigned long long)u->va);
		break;
	}
	case DRM_IOCTL_ARES_BO_INFO: {
		const struct drm_ares_bo_info *i = arg;

		snprintf(buf, len, "handle=%u flags=0x%x size=%llu va=0x%llx mmap_offset=0x%llx",
			 i->handle, i->flags, (unsigned long long)i->size,
			 (unsigned long long)i->va, (unsigned long long)i->mmap_offset);
		break;
	}
	case DRM_IOCTL_ARES_CTX_CREATE: {
		const struct drm_ares_ctx_create *c = arg;

		snprintf(buf, len, "priority=%u flags=0x%x ctx_id=%u pad=%u", c->priority, c->flags,
			 c->ctx_id, c->pad);
		break;
	}
	case DRM_IOCTL_ARES_CTX_DESTROY: {
		const struct drm_ares_ctx_destroy *d = arg;

		snprintf(buf, len, "ctx_id=%u pad=%u", d->ctx_id, d->pad);
		break;
	}
	case DRM_IOCTL_ARES_SUBMIT: {
		const struct drm_ares_submit *s = arg;
		const __u32 *h = (const __u32 *)(uintptr_t)s->bo_handles;
		int n = 0;

		n = snprintf(buf, len,
			     "ctx_id=%u flags=0x%x cmd_va=0x%llx cmd_size=%u bo_count=%u "
			     "in_syncobj_count=%u out_syncobj=%u seqno=%llu reserved=%llu bos=[",
			     s->ctx_id, s->flags, (unsigned long long)s->cmd_va, s->cmd_size,
			     s->bo_count, s->in_syncobj_count, s->out_syncobj,
			     (unsigned long long)s->seqno, (unsigned long long)s->reserved);
		for (__u32 i = 0; h && i < s->bo_count && i < 16 && n > 0 && (size_t)n < len; i++)
			n += snprintf(buf + n, len - n, "%s%u", i ? "," : "", h[i]);
		if (n > 0 && (size_t)n < len)
			snprintf(buf + n, len - n, "%s]", s->bo_count > 16 ? ",..." : "");
		break;
	}
	case DRM_IOCTL_ARES_SUBMIT_BATCH: {
		const struct drm_ares_submit_batch *b = arg;

		snprintf(buf, len,
			 "jobs=0x%llx count=%u flags=0x%x submitted=%u error=%d "
			 "reserved=%llu",
			 (unsigned long long)b->jobs, b->count, b->flags, b->submitted, b->error,
			 (unsigned long long)b->reserved);
		break;
	}
	case DRM_IOCTL_ARES_BO_WAIT: {
		const struct drm_ares_bo_wait *w = arg;

		snprintf(buf, len, "handle=%u flags=0x%x timeout_ns=%lld status=%u", w->handle,
			 w->flags, (long long)w->timeout_ns, w->status);
		break;
	}
	case DRM_IOCTL_ARES_DEBUG: {
		const struct drm_ares_debug *d = arg;

		snprintf(buf, len, "op=%u flags=0x%x arg=%llu", d->op, d->flags,
			 (unsigned long long)d->arg);
		break;
	}
	case DRM_IOCTL_ARES_UQ_CREATE: {
		const struct drm_ares_uq_create *c = arg;

		snprintf(buf, len,
			 "priority=%u ring_entries=%u flags=0x%x ctx_id=%u asid=%u "
			 "ring_offset=0x%llx "
			 "compl_offset=0x%llx doorbell_offset=0x%llx",
			 c->priority, c->ring_entries, c->flags, c->ctx_id, c->asid,
			 (unsigned long long)c->ring_offset, (unsigned long long)c->compl_offset,
			 (unsigned long long)c->doorbell_offset);
		break;
	}
	case DRM_IOCTL_ARES_UQ_WAKE: {
		const struct drm_ares_uq_wake *w = arg;

		snprintf(buf, len, "ctx_id=%u flags=0x%x", w->ctx_id, w->flags);
		break;
	}
	case DRM_IOCTL_ARES_UQ_WAIT: {
		const struct drm_ares_uq_wait *w = arg;

		snprintf(buf, len,
			 "ctx_id=%u flags=0x%x head=%u syncobj=%u timeout_ns=%lld state=%u "
			 "error=0x%x "
			 "head_now=%u",
			 w->ctx_id, w->flags, w->head, w->syncobj, (long long)w->timeout_ns,
			 w->state, w->error, w->head_now);
		break;
	}
	case DRM_IOCTL_GEM_CLOSE: {
		const struct drm_gem_close *c = arg;

		snprintf(buf, len, "handle=%u", c->handle);
		break;
	}
	default:
		snprintf(buf, len, "request=0x%lx", req);
		break;
	}
}

int accel_ioctl(accel_device *dev, unsigned long request, void *arg)
{
	char in[512], out[512];
	bool trace = dev->debug & ACCEL_DBG_IOCTL;
	int ret, err = 0;

	/* Arguments as passed, then as returned: bring-up needs both. */
	if (trace)
		decode(request, arg, in, sizeof(in));
	ret = drmIoctl(dev->fd, request, arg);
	if (ret)
		err = -errno;
	if (trace) {
		decode(request, arg, out, sizeof(out));
		accel_trace(dev, "%s(%s) = %d%s%s%s%s", ioctl_name(request), in, err,
			    err ? " " : "", err ? accel_strerror(err) : "",
			    strcmp(in, out) ? " -> " : "", strcmp(in, out) ? out : "");
	}
	if (err)
		return accel_set_error(dev, err, "%s on %s: %s", ioctl_name(request), dev->node,
				       accel_strerror(err));
	return 0;
}
