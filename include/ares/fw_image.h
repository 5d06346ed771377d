/* SPDX-License-Identifier: MIT */
/*
 * Ares firmware image: a 64-byte header, the payload that the device's
 * boot ROM loads into the control processor (CP), and a 64-byte signature
 * trailer:
 *
 *	[ struct ares_fw_header | payload (payload_size bytes) | signature ]
 *
 * The driver validates the header before uploading (so a bad file is
 * refused with a message on the host); the boot ROM validates it again
 * (so a bad upload is refused by the device with an ARES_BOOT_ERR_* code).
 * Both use ares_fw_header_check() so the rules exist once.
 *
 * Only the boot ROM checks the signature, because only the device holds the
 * public key it trusts (built into the silicon; ares-sim is compiled with
 * it): it verifies an Ed25519 signature (RFC 8032) over the header and
 * payload, exactly the first header_size + payload_size bytes, before any
 * of the payload is loaded. A trailer rather than a header field keeps the
 * signed bytes contiguous, so nothing is signed with a hole in it.
 */
#ifndef ARES_FW_IMAGE_H
#define ARES_FW_IMAGE_H

#include "types.h"
#include "regs.h"

#define ARES_FW_MAGIC		0x57465241u	/* "ARFW" */
#define ARES_FW_HEADER_VERSION	2	/* 2: signature trailer (sig_format) */
#define ARES_FW_HEADER_SIZE	64
#define ARES_FW_PAYLOAD_MAX	(8u << 20)
#define ARES_FW_NAME		"ares/ares-fw.bin"

/* Payload formats (fw_format). Append only. */
#define ARES_FW_FORMAT_CP_ELF64	1	/* x86-64 ELF shared object, CP ABI v1 */

/* Signature formats (sig_format). Append only. */
#define ARES_FW_SIG_ED25519	1	/* struct ares_fw_signature */
#define ARES_FW_SIG_SIZE	64
#define ARES_FW_PUBKEY_SIZE	32	/* an Ed25519 public key */

/**
 * struct ares_fw_header - firmware image header
 * @magic: ARES_FW_MAGIC
 * @header_version: ARES_FW_HEADER_VERSION
 * @header_size: ARES_FW_HEADER_SIZE
 * @fw_version: ARES_VERSION() of the firmware
 * @payload_size: bytes following the header; the image is exactly
 *	header_size + payload_size + ARES_FW_SIG_SIZE bytes
 * @entry: offset of the CP entry point from the payload's load base
 * @payload_crc32: CRC-32 (IEEE 802.3, as zlib) of the payload
 * @header_crc32: CRC-32 of the 64 header bytes with this field zero
 * @fw_features: feature bits the firmware will report at READY
 * @fw_format: ARES_FW_FORMAT_*
 * @min_hw_version: oldest hardware version the firmware supports
 * @sig_format: ARES_FW_SIG_ED25519: the trailer's format
 * @reserved: must be zero
 */
struct ares_fw_header {
	__le32 magic;
	__le32 header_version;
	__le32 header_size;
	__le32 fw_version;
	__le64 payload_size;
	__le64 entry;
	__le32 payload_crc32;
	__le32 header_crc32;
	__le32 fw_features;
	__le32 fw_format;
	__le32 min_hw_version;
	__le32 sig_format;
	__le64 reserved;
};

ARES_ASSERT_SIZE(struct ares_fw_header, ARES_FW_HEADER_SIZE);

/**
 * struct ares_fw_signature - the image's trailer
 * @ed25519: Ed25519 signature of the image's first header_size +
 *	payload_size bytes (header, both CRCs included, then payload)
 */
struct ares_fw_signature {
	__u8 ed25519[ARES_FW_SIG_SIZE];
};

ARES_ASSERT_SIZE(struct ares_fw_signature, ARES_FW_SIG_SIZE);

/**
 * ares_fw_header_check() - validate an image header
 * @h: the header (the first 64 bytes of the image)
 * @image_size: bytes in the whole image
 * @header_crc: CRC-32 the caller computed over @h with header_crc32 zeroed
 *
 * Payload CRC is checked by the caller, who has the payload; the signature
 * by the boot ROM, which has the key.
 * Return: 0, or the ARES_BOOT_ERR_* code naming the first problem.
 */
static inline __u32 ares_fw_header_check(const struct ares_fw_header *h,
					 __u64 image_size, __u32 header_crc)
{
	if (image_size < ARES_FW_HEADER_SIZE || h->magic != ARES_FW_MAGIC)
		return ARES_BOOT_ERR_BAD_MAGIC;
	if (h->header_version != ARES_FW_HEADER_VERSION ||
	    h->header_size != ARES_FW_HEADER_SIZE ||
	    h->header_crc32 != header_crc || h->reserved)
		return ARES_BOOT_ERR_BAD_HEADER;
	if (h->payload_size == 0 || h->payload_size > ARES_FW_PAYLOAD_MAX ||
	    image_size < ARES_FW_HEADER_SIZE + ARES_FW_SIG_SIZE ||
	    h->payload_size != image_size - ARES_FW_HEADER_SIZE - ARES_FW_SIG_SIZE)
		return ARES_BOOT_ERR_BAD_SIZE;
	if (h->sig_format != ARES_FW_SIG_ED25519)
		return ARES_BOOT_ERR_BAD_SIGNATURE;
	if (h->fw_format != ARES_FW_FORMAT_CP_ELF64)
		return ARES_BOOT_ERR_LOAD;
	if (h->entry >= h->payload_size)
		return ARES_BOOT_ERR_ENTRY;
	return 0;
}

#endif /* ARES_FW_IMAGE_H */
