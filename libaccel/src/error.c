/* SPDX-License-Identifier: MIT */
/* Error codes to words: accel_strerror() and the per-device last error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *accel_strerror(int err)
{
	const char *s;

	if (err == 0)
		return "Success";
	if (err < 0)
		err = -err;
	/*
	 * ares-specific meanings of the errnos the driver uses for its own
	 * conditions; everything else is the C library's description.
	 */
	switch (err) {
	case ECANCELED:
		return "Context banned after a job timeout, or user queue stopped (destroy it and "
		       "create "
		       "another)";
	case ETIME:
		return "Timed out waiting for the job";
	default:
		break;
	}
	/* strerrordesc_np: thread-safe, unlike strerror(). */
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

const char *accel_device_last_error(const accel_device *dev)
{
	if (!dev)
		return "no device handle";
	return dev->errmsg;
}

int accel_set_error(accel_device *dev, int err, const char *fmt, ...)
{
	va_list ap;

	if (!dev)
		return err;
	va_start(ap, fmt);
	vsnprintf(dev->errmsg, sizeof(dev->errmsg), fmt, ap);
	va_end(ap);
	return err;
}
