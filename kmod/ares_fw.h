/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: firmware image loading, validation and boot.
 */
#ifndef __ARES_FW_H__
#define __ARES_FW_H__

struct ares_device;

int ares_fw_load(struct ares_device *adev);
int ares_fw_boot(struct ares_device *adev);

#endif /* __ARES_FW_H__ */
