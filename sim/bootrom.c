/* SPDX-License-Identifier: MIT */
/*
 * The boot ROM's image check (hw-spec §4 BOOT): header rules, payload CRC,
 * then the Ed25519 signature over header and payload. The guest, root
 * included, is untrusted and can hand BOOT any bytes; the CP will dlopen()
 * the payload natively on the host, so nothing unsigned may get that far.
 *
 * libsodium does the verification: a maintained, constant-time Ed25519
 * from Debian (libsodium-dev), the primitive RFC 8032 specifies, whose
 * detached verify takes exactly our header + payload bytes.
 */
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include <ares/fw_image.h>

#include "sim.h"

_Static_assert(ARES_FW_SIG_SIZE == crypto_sign_BYTES, "trailer holds one Ed25519 signature");
_Static_assert(ARES_FW_PUBKEY_SIZE == crypto_sign_PUBLICKEYBYTES, "key is an Ed25519 key");

uint32_t sim_bootrom_check(const uint8_t *image, uint64_t size, const uint8_t *pubkey)
{
	struct ares_fw_header h, z;
	uint64_t signed_len;
	uint32_t hcrc, err;

	memset(&h, 0, sizeof(h));
	if (image && size >= sizeof(h))
		memcpy(&h, image, sizeof(h));
	z = h;
	z.header_crc32 = 0;
	hcrc = (uint32_t)crc32(0L, (const Bytef *)&z, sizeof(z));
	/* Bounds payload_size by @size: everything below stays inside the image. */
	err = ares_fw_header_check(&h, size, hcrc);
	if (err)
		return err;
	if ((uint32_t)crc32(0L, image + ARES_FW_HEADER_SIZE, (uInt)h.payload_size) !=
	    h.payload_crc32)
		return ARES_BOOT_ERR_BAD_CRC;
	signed_len = ARES_FW_HEADER_SIZE + h.payload_size;
	/* sodium_init() is idempotent and thread-safe; it only picks implementations. */
	if (!pubkey || sodium_init() < 0 ||
	    crypto_sign_verify_detached(image + signed_len, image, signed_len, pubkey) != 0)
		return ARES_BOOT_ERR_BAD_SIGNATURE;
	return 0;
}
