/* SPDX-License-Identifier: MIT */
/* Opening an Ares node, and what DRM_IOCTL_ARES_QUERY/DEBUG report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "internal.h"

#define ARES_DRIVER_NAME "ares"

static void errbuf_set(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", msg);
}

int accel_device_open(const char *path, accel_device **out, char *errbuf, size_t errlen)
{
	accel_device *dev;
	drmVersionPtr ver;
	int ret;

	if (!path || !out) {
		errbuf_set(errbuf, errlen, "accel_device_open: path and out must not be NULL");
		return -EINVAL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		errbuf_set(errbuf, errlen, "accel_device_open: out of memory");
		return -ENOMEM;
	}
	dev->debug = accel_debug_flags_from_env();
	snprintf(dev->node, sizeof(dev->node), "%s", path);

	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		accel_set_error(dev, ret, "open %s: %s", path, accel_strerror(ret));
		if (ret == -EACCES || ret == -EPERM)
			accel_access_hint(path, dev->errmsg, sizeof(dev->errmsg));
		goto err_free;
	}

	/* Any DRM driver could sit behind an accel node; only ares speaks our uAPI. */
	ver = drmGetVersion(dev->fd);
	accel_trace(dev, "drmGetVersion() = %s %d.%d.%d", ver ? ver->name : "(failed)",
		    ver ? ver->version_major : 0, ver ? ver->version_minor : 0,
		    ver ? ver->version_patchlevel : 0);
	if (!ver) {
		ret = -ENODEV;
		accel_set_error(dev, ret, "%s: drmGetVersion failed: not a DRM device node", path);
		goto err_close;
	}
	if (!ver->name || strcmp(ver->name, ARES_DRIVER_NAME)) {
		ret = -ENODEV;
		accel_set_error(dev, ret, "%s: DRM driver is \"%s\", not \"" ARES_DRIVER_NAME "\"",
				path, ver->name ? ver->name : "");
		drmFreeVersion(ver);
		goto err_close;
	}
	dev->drv_major = ver->version_major;
	dev->drv_minor = ver->version_minor;
	dev->drv_patch = ver->version_patchlevel;
	drmFreeVersion(ver);

	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_free:
	errbuf_set(errbuf, errlen, dev->errmsg);
	free(dev);
	return ret;
}

int accel_device_close(accel_device *dev)
{
	if (!dev)
		return 0;
	close(dev->fd);
	free(dev);
	return 0;
}

int accel_device_fd(const accel_device *dev)
{
	return dev->fd;
}

int accel_device_query_raw(accel_device *dev, uint32_t type, void *data, uint32_t *size)
{
	struct drm_ares_query q = {0};
	int ret;

	if (!size)
		return accel_set_error(dev, -EINVAL, "accel_device_query_raw: size is NULL");
	q.type = type;
	q.size = *size;
	q.data = (uintptr_t)data;
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_QUERY, &q);
	/* The kernel reports the needed size with -EINVAL too; pass it on. */
	*size = q.size;
	if (ret)
		accel_set_error(dev, ret, "DRM_IOCTL_ARES_QUERY type %u with size %u on %s: %s",
				type, q.size, dev->node, accel_strerror(ret));
	return ret;
}

/*
 * Size-probe then fetch into a zeroed buffer at least @min bytes long, so
 * an older kernel's shorter struct leaves newer fields zero and a newer
 * kernel's longer struct is accepted.
 */
static int query_alloc(accel_device *dev, uint32_t type, size_t min, void **out, uint32_t *size)
{
	uint32_t sz = 0;
	void *buf;
	int ret;

	ret = accel_device_query_raw(dev, type, NULL, &sz);
	if (ret)
		return ret;
	if (sz == 0)
		return accel_set_error(dev, -EPROTO,
				       "DRM_IOCTL_ARES_QUERY type %u on %s: size probe returned 0",
				       type, dev->node);
	buf = calloc(1, sz > min ? sz : min);
	if (!buf)
		return accel_set_error(dev, -ENOMEM, "query type %u: out of memory", type);
	ret = accel_device_query_raw(dev, type, buf, &sz);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*size = sz;
	return 0;
}

int accel_device_query_info(accel_device *dev, struct accel_device_info *info)
{
	struct drm_ares_device_info *di;
	uint32_t sz;
	int ret;

	if (!info)
		return accel_set_error(dev, -EINVAL, "accel_device_query_info: info is NULL");
	ret = query_alloc(dev, DRM_ARES_QUERY_DEVICE_INFO, sizeof(*di), (void **)&di, &sz);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	info->hw_version = di->hw_version;
	info->fw_version = di->fw_version;
	info->fw_features = di->fw_features;
	info->caps = di->caps;
	info->num_queues = di->num_queues;
	info->max_address_spaces = di->max_address_spaces;
	info->va_bits = di->va_bits;
	info->num_priorities = di->num_priorities;
	info->va_start = di->va_start;
	info->va_end = di->va_end;
	info->pci_vendor = di->pci_vendor;
	info->pci_device = di->pci_device;
	info->reset_count = di->reset_count;
	info->driver_major = dev->drv_major;
	info->driver_minor = dev->drv_minor;
	info->driver_patch = dev->drv_patch;
	snprintf(info->node, sizeof(info->node), "%s", dev->node);
	free(di);
	return 0;
}

int accel_device_query_queues(accel_device *dev, struct accel_queue_info *queues, size_t max,
			      size_t *count)
{
	struct drm_ares_queue_info *qi;
	uint32_t sz;
	size_t n;
	int ret;

	if (!count || (max && !queues))
		return accel_set_error(dev, -EINVAL,
				       "accel_device_query_queues: count is NULL, or queues is "
				       "NULL with max %zu",
				       max);
	ret = query_alloc(dev, DRM_ARES_QUERY_QUEUE_INFO, sizeof(*qi), (void **)&qi, &sz);
	if (ret)
		return ret;
	if (sz % sizeof(*qi)) {
		free(qi);
		return accel_set_error(dev, -EPROTO,
				       "DRM_IOCTL_ARES_QUERY QUEUE_INFO on %s: size %u is not a "
				       "multiple of %zu",
				       dev->node, sz, sizeof(*qi));
	}
	n = sz / sizeof(*qi);
	for (size_t i = 0; i < n && i < max; i++) {
		queues[i].index = qi[i].index;
		queues[i].priority = qi[i].priority;
		queues[i].ring_entries = qi[i].ring_entries;
		queues[i].jobs_pending = qi[i].jobs_pending;
		queues[i].jobs_completed = qi[i].jobs_completed;
	}
	*count = n;
	free(qi);
	return 0;
}

int accel_device_debug(accel_device *dev, uint32_t op, uint64_t arg)
{
	struct drm_ares_debug d = {.op = op, .arg = arg};
	int ret;

	ret = accel_ioctl(dev, DRM_IOCTL_ARES_DEBUG, &d);
	if (ret == -EPERM || ret == -EACCES)
		accel_set_error(dev, ret,
				"DRM_IOCTL_ARES_DEBUG op %u on %s: %s (needs CAP_SYS_ADMIN and "
				"ares.fault_injection=1)",
				op, dev->node, accel_strerror(ret));
	return ret;
}
