/* SPDX-License-Identifier: MIT */
/* The boot ROM's image check (hw-spec §4 BOOT): header rules, then payload CRC. */
#include <string.h>

#include <zlib.h>

#include <ares/fw_image.h>

#include "sim.h"

uint32_t sim_bootrom_check(const uint8_t *image, uint64_t size)
{
	struct ares_fw_header h, z;
	uint32_t hcrc, err;

	memset(&h, 0, sizeof(h));
	if (image && size >= sizeof(h))
		memcpy(&h, image, sizeof(h));
	z = h;
	z.header_crc32 = 0;
	hcrc = (uint32_t)crc32(0L, (const Bytef *)&z, sizeof(z));
	err = ares_fw_header_check(&h, size, hcrc);
	if (err)
		return err;
	if ((uint32_t)crc32(0L, image + ARES_FW_HEADER_SIZE, (uInt)h.payload_size) !=
	    h.payload_crc32)
		return ARES_BOOT_ERR_BAD_CRC;
	return 0;
}
