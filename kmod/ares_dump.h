/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: device state as text, for debugfs and for the devcoredump
 * taken at each recovery.
 */
#ifndef __ARES_DUMP_H__
#define __ARES_DUMP_H__

struct ares_device;
struct ares_dump;
struct drm_printer;

void ares_dump_regs(struct ares_device *adev, struct drm_printer *p);
void ares_dump_queues(struct ares_device *adev, struct drm_printer *p);
void ares_dump_fw_log(struct ares_device *adev, struct drm_printer *p,
		      u64 max_bytes);

struct ares_dump *ares_dump_capture(struct ares_device *adev,
				    const char *reason);
void ares_dump_publish(struct ares_device *adev, struct ares_dump *dump,
		       int result);

#endif /* __ARES_DUMP_H__ */
