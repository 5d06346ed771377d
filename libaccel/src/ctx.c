/* SPDX-License-Identifier: MIT */
/* Contexts: ordered job streams with a priority, sharing the file's address space. */
#include <errno.h>
#include <stdlib.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "internal.h"

int accel_ctx_create(accel_device *dev, uint32_t priority, accel_ctx **out)
{
	struct drm_ares_ctx_create c = {.priority = priority};
	accel_ctx *ctx;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_ctx_create: out is NULL");
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return accel_set_error(dev, -ENOMEM, "accel_ctx_create: out of memory");
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_CTX_CREATE, &c);
	if (ret) {
		accel_set_error(dev, ret, "DRM_IOCTL_ARES_CTX_CREATE priority %u on %s: %s%s",
				priority, dev->node, accel_strerror(ret),
				ret == -EPERM || ret == -EACCES ? " (REALTIME needs CAP_SYS_NICE)"
								: "");
		free(ctx);
		return ret;
	}
	ctx->dev = dev;
	ctx->id = c.ctx_id;
	ctx->priority = priority;
	*out = ctx;
	return 0;
}

int accel_ctx_destroy(accel_ctx *ctx)
{
	struct drm_ares_ctx_destroy d;
	int ret;

	if (!ctx)
		return 0;
	d = (struct drm_ares_ctx_destroy){.ctx_id = ctx->id};
	ret = accel_ioctl(ctx->dev, DRM_IOCTL_ARES_CTX_DESTROY, &d);
	free(ctx);
	return ret;
}

uint32_t accel_ctx_id(const accel_ctx *ctx)
{
	return ctx->id;
}
