/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: sysfs attributes (layout: docs/sysfs.md).
 */
#ifndef __ARES_SYSFS_H__
#define __ARES_SYSFS_H__

#include <linux/types.h>

struct ares_device;

int ares_sysfs_init(struct ares_device *adev);
void ares_sysfs_set_recovering(struct ares_device *adev, bool recovering);

#endif /* __ARES_SYSFS_H__ */
