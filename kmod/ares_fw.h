/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: firmware image loading, validation and boot.
 */
#ifndef __ARES_FW_H__
#define __ARES_FW_H__

#include "ares/regs.h"

struct ares_device;

/*
 * Firmware versions this driver works with: the 1.x line, from 1.0.0. A
 * firmware minor release only adds (features are negotiated through
 * FW_FEATURES); a new major may change the host interface and is refused.
 */
#define ARES_FW_COMPAT_MIN	ARES_VERSION(1, 0, 0)
#define ARES_FW_COMPAT_MAX	ARES_VERSION(1, 255, 255)

int ares_fw_load(struct ares_device *adev);
int ares_fw_boot(struct ares_device *adev);

#endif /* __ARES_FW_H__ */
