/* SPDX-License-Identifier: MIT */
/*
 * Firmware image validation: the images mkfwimage builds, and every way the
 * boot ROM (sim_bootrom_check: ares_fw_header_check + payload CRC +
 * signature) must refuse a damaged one. sim/tests/test_bootrom.c covers the
 * signature itself.
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <ares/fw_image.h>

#include "../../sim/sim.h"

#ifndef ARES_FW_IMAGE_DIR
#define ARES_FW_IMAGE_DIR "build/firmware"
#endif

static uint8_t *img;
static size_t img_len;

static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", ARES_FW_IMAGE_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (build the firmware first)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct ares_fw_header *hdr(void)
{
	return (struct ares_fw_header *)img;
}

/* Re-seal the header after an edit, so only the edited field is wrong. */
static void reseal(void)
{
	hdr()->header_crc32 = 0;
	hdr()->header_crc32 = (uint32_t)crc32(0L, img, ARES_FW_HEADER_SIZE);
}

static void setup(void)
{
	img = load("ares/ares-fw.bin", &img_len);
}

static void teardown(void)
{
	free(img);
}

#define CHECK_BOOT(len, want)                                                                      \
	do {                                                                                       \
		uint32_t got_ = sim_bootrom_check(img, len, sim_fw_verify_key);                    \
		ck_assert_msg(got_ == (want), "boot ROM check: expected 0x%x, got 0x%x",           \
			      (unsigned)(want), got_);                                             \
	} while (0)

START_TEST(test_good_image_passes_and_describes_the_firmware)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(img + ARES_FW_HEADER_SIZE);

	CHECK_BOOT(img_len, 0);
	ck_assert_uint_eq(hdr()->fw_version, ARES_VERSION(1, 0, 0));
	ck_assert_uint_eq(hdr()->fw_format, ARES_FW_FORMAT_CP_ELF64);
	ck_assert_uint_eq(hdr()->min_hw_version, ARES_HW_VERSION_V1);
	ck_assert_uint_eq(hdr()->payload_size, img_len - ARES_FW_HEADER_SIZE - ARES_FW_SIG_SIZE);
	ck_assert_uint_eq(hdr()->sig_format, ARES_FW_SIG_ED25519);
	ck_assert_msg(!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_type == ET_DYN &&
			      eh->e_machine == EM_X86_64,
		      "payload is not an x86-64 ELF shared object");
	ck_assert_uint_gt(hdr()->entry, 0);
	ck_assert_uint_lt(hdr()->entry, hdr()->payload_size);
}
END_TEST

START_TEST(test_bad_magic_is_refused)
{
	hdr()->magic ^= 1;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_MAGIC);
}
END_TEST

START_TEST(test_image_shorter_than_header_is_refused)
{
	CHECK_BOOT(ARES_FW_HEADER_SIZE - 1, ARES_BOOT_ERR_BAD_MAGIC);
	CHECK_BOOT(0, ARES_BOOT_ERR_BAD_MAGIC);
}
END_TEST

START_TEST(test_bad_header_crc_is_refused)
{
	hdr()->header_crc32 ^= 0x100;
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_HEADER);
}
END_TEST

START_TEST(test_bad_header_version_or_size_is_refused)
{
	/* 1 is the unsigned format before the signature trailer. */
	hdr()->header_version = 1;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_HEADER);
	hdr()->header_version = ARES_FW_HEADER_VERSION + 1;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_HEADER);
	hdr()->header_version = ARES_FW_HEADER_VERSION;
	hdr()->header_size = 128;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_HEADER);
}
END_TEST

START_TEST(test_unknown_signature_format_is_refused)
{
	hdr()->sig_format = 0;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_SIGNATURE);
	hdr()->sig_format = 2;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_nonzero_reserved_is_refused)
{
	hdr()->reserved = 1ull << 63;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_HEADER);
}
END_TEST

START_TEST(test_size_disagreeing_with_image_is_refused)
{
	CHECK_BOOT(img_len - 1, ARES_BOOT_ERR_BAD_SIZE);
	hdr()->payload_size = 0;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_SIZE);
	hdr()->payload_size = ARES_FW_PAYLOAD_MAX + 1ull;
	reseal();
	CHECK_BOOT(ARES_FW_HEADER_SIZE + ARES_FW_PAYLOAD_MAX + 1ull, ARES_BOOT_ERR_BAD_SIZE);
}
END_TEST

START_TEST(test_bad_payload_crc_is_refused)
{
	img[ARES_FW_HEADER_SIZE + 100] ^= 0x40;
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_CRC);
}
END_TEST

START_TEST(test_entry_out_of_range_is_refused)
{
	hdr()->entry = hdr()->payload_size;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_ENTRY);
}
END_TEST

START_TEST(test_unknown_format_is_refused_as_unloadable)
{
	hdr()->fw_format = 7;
	reseal();
	CHECK_BOOT(img_len, ARES_BOOT_ERR_LOAD);
}
END_TEST

START_TEST(test_negative_images_fail_where_intended)
{
	free(img);
	img = load("ares-fw-corrupt-crc.bin", &img_len);
	CHECK_BOOT(img_len, ARES_BOOT_ERR_BAD_CRC);
	free(img);
	/* Header, CRC and signature are fine: only the loader can refuse this one (BOOT_ERR_LOAD).
	 */
	img = load("ares-fw-bad-payload.bin", &img_len);
	CHECK_BOOT(img_len, 0);
	ck_assert_msg(memcmp(img + ARES_FW_HEADER_SIZE, ELFMAG, SELFMAG) != 0,
		      "bad-payload image still starts with the ELF magic");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("firmware image");
	TCase *t = tcase_create("header");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_good_image_passes_and_describes_the_firmware);
	tcase_add_test(t, test_bad_magic_is_refused);
	tcase_add_test(t, test_image_shorter_than_header_is_refused);
	tcase_add_test(t, test_bad_header_crc_is_refused);
	tcase_add_test(t, test_bad_header_version_or_size_is_refused);
	tcase_add_test(t, test_nonzero_reserved_is_refused);
	tcase_add_test(t, test_unknown_signature_format_is_refused);
	tcase_add_test(t, test_size_disagreeing_with_image_is_refused);
	tcase_add_test(t, test_bad_payload_crc_is_refused);
	tcase_add_test(t, test_entry_out_of_range_is_refused);
	tcase_add_test(t, test_unknown_format_is_refused_as_unloadable);
	tcase_add_test(t, test_negative_images_fail_where_intended);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
