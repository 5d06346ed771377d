/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: debugfs (status, queues, firmware log).
 */
#ifndef __ARES_DEBUGFS_H__
#define __ARES_DEBUGFS_H__

struct ares_device;

void ares_debugfs_init(struct ares_device *adev);

#endif /* __ARES_DEBUGFS_H__ */
