/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: the bare-transport probe (test only, off by default).
 */
#ifndef __ARES_XPORT_H__
#define __ARES_XPORT_H__

struct ares_device;

int ares_xport_init(struct ares_device *adev);
void ares_xport_debugfs_init(struct ares_device *adev);

#endif /* __ARES_XPORT_H__ */
