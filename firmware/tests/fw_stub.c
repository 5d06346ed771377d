/* SPDX-License-Identifier: MIT */
/*
 * Misbehaving firmware for the device's negative boot tests, one image per
 * FW_STUB_MODE: returns before READY, returns after READY, or never
 * reports READY. Built like the real firmware, wrapped by mkfwimage.
 */
#include <ares/cp.h>

#define FW_STUB_EXIT_EARLY	 1
#define FW_STUB_EXIT_AFTER_READY 2
#define FW_STUB_NO_READY	 3

__attribute__((visibility("default"))) int ares_fw_entry(const struct ares_cp_ops *ops)
{
	if (FW_STUB_MODE == FW_STUB_EXIT_EARLY)
		return 1;
	if (FW_STUB_MODE == FW_STUB_EXIT_AFTER_READY) {
		ops->report_ready(ops->dev, 0x000900, 0);
		/* Give the device time to complete BOOT before the exit is seen. */
		ops->wait(ops->dev, 0, 50000000ull);
		return 0;
	}
	for (;;)
		ops->wait(ops->dev, 0, 1000000000ull);
}
