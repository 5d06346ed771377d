/* SPDX-License-Identifier: MIT */
/*
 * The boot ROM's signature check (sim_bootrom_check, hw-spec §4.1): an
 * image signed by the trusted key passes; any changed byte of header,
 * payload or signature, a truncated or extended image, another key's
 * signature and no signature are refused. Images are the real firmware
 * re-signed here with keys made for the test, with CRCs kept valid so that
 * only the signature can refuse them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include <ares/fw_image.h>

#include "../sim.h"

#ifndef ARES_FW_DIR
#define ARES_FW_DIR "build/firmware"
#endif

static uint8_t pk_a[crypto_sign_PUBLICKEYBYTES], sk_a[crypto_sign_SECRETKEYBYTES];
static uint8_t pk_b[crypto_sign_PUBLICKEYBYTES], sk_b[crypto_sign_SECRETKEYBYTES];
static uint8_t *img;
static size_t img_len, payload_len;

static uint8_t *load(const char *path, size_t *len)
{
	uint8_t *buf;
	FILE *f = fopen(path, "rb");
	long n;

	ck_assert_msg(f != NULL, "cannot open %s (build the firmware first)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 4096);
	ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct ares_fw_header *hdr(void)
{
	return (struct ares_fw_header *)img;
}

/* Fixes both CRCs after an edit, then signs with @sk (NULL: leaves the signature). */
static void seal(const uint8_t *sk)
{
	payload_len = img_len - ARES_FW_HEADER_SIZE - ARES_FW_SIG_SIZE;
	hdr()->payload_size = payload_len;
	hdr()->payload_crc32 = (uint32_t)crc32(0L, img + ARES_FW_HEADER_SIZE, (uInt)payload_len);
	hdr()->header_crc32 = 0;
	hdr()->header_crc32 = (uint32_t)crc32(0L, img, ARES_FW_HEADER_SIZE);
	if (sk)
		crypto_sign_detached(img + ARES_FW_HEADER_SIZE + payload_len, NULL, img,
				     ARES_FW_HEADER_SIZE + payload_len, sk);
}

static void setup(void)
{
	ck_assert(sodium_init() >= 0);
	crypto_sign_keypair(pk_a, sk_a);
	crypto_sign_keypair(pk_b, sk_b);
	img = load(ARES_FW_DIR "/ares/ares-fw.bin", &img_len);
	seal(sk_a);
}

static void teardown(void)
{
	free(img);
}

#define CHECK_BOOT(len, key, want)                                                                 \
	do {                                                                                       \
		uint32_t got_ = sim_bootrom_check(img, len, key);                                  \
		ck_assert_msg(got_ == (want), "boot ROM check: expected 0x%x, got 0x%x",           \
			      (unsigned)(want), got_);                                             \
	} while (0)

START_TEST(test_good_signature_boots)
{
	CHECK_BOOT(img_len, pk_a, 0);
}
END_TEST

START_TEST(test_built_image_verifies_with_the_fused_key)
{
	free(img);
	img = load(ARES_FW_DIR "/ares/ares-fw.bin", &img_len);
	CHECK_BOOT(img_len, sim_fw_verify_key, 0);
}
END_TEST

START_TEST(test_wrong_key_is_refused)
{
	CHECK_BOOT(img_len, pk_b, ARES_BOOT_ERR_BAD_SIGNATURE);
	seal(sk_b);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
	CHECK_BOOT(img_len, pk_b, 0);
	CHECK_BOOT(img_len, NULL, ARES_BOOT_ERR_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_flipped_payload_byte_is_refused)
{
	size_t at[] = {0, 1, payload_len / 2, payload_len - 1};

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		img[ARES_FW_HEADER_SIZE + at[i]] ^= 0x01;
		seal(NULL);
		CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
		img[ARES_FW_HEADER_SIZE + at[i]] ^= 0x01;
		seal(NULL);
		CHECK_BOOT(img_len, pk_a, 0);
	}
}
END_TEST

START_TEST(test_flipped_header_byte_is_refused)
{
	/* Fields no other rule checks: only the signature sees these change. */
	hdr()->fw_features ^= 0x80;
	seal(NULL);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
	hdr()->fw_features ^= 0x80;
	hdr()->fw_version ^= 0x100;
	seal(NULL);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
	hdr()->fw_version ^= 0x100;
	hdr()->entry += 16;
	seal(NULL);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_flipped_signature_byte_is_refused)
{
	uint8_t *sig = img + ARES_FW_HEADER_SIZE + payload_len;

	for (size_t i = 0; i < ARES_FW_SIG_SIZE; i++) {
		sig[i] ^= 0x20;
		CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
		sig[i] ^= 0x20;
	}
	CHECK_BOOT(img_len, pk_a, 0);
}
END_TEST

START_TEST(test_missing_signature_is_refused)
{
	memset(img + ARES_FW_HEADER_SIZE + payload_len, 0, ARES_FW_SIG_SIZE);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
	/* Without the trailer at all, the image is too short for its header. */
	CHECK_BOOT(img_len - ARES_FW_SIG_SIZE, pk_a, ARES_BOOT_ERR_BAD_SIZE);
}
END_TEST

START_TEST(test_truncated_or_extended_image_is_refused)
{
	uint8_t sig[ARES_FW_SIG_SIZE];

	CHECK_BOOT(img_len - 1, pk_a, ARES_BOOT_ERR_BAD_SIZE);
	CHECK_BOOT(img_len + 1, pk_a, ARES_BOOT_ERR_BAD_SIZE);
	CHECK_BOOT(ARES_FW_HEADER_SIZE + ARES_FW_SIG_SIZE, pk_a, ARES_BOOT_ERR_BAD_SIZE);
	CHECK_BOOT(ARES_FW_HEADER_SIZE, pk_a, ARES_BOOT_ERR_BAD_SIZE);
	/* A payload cut short with a consistent header and CRCs: the old signature no longer fits.
	 */
	memcpy(sig, img + img_len - ARES_FW_SIG_SIZE, sizeof(sig));
	img_len -= 4096;
	memcpy(img + img_len - ARES_FW_SIG_SIZE, sig, sizeof(sig));
	seal(NULL);
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_signature_of_another_image_is_refused)
{
	uint8_t sig[ARES_FW_SIG_SIZE];

	/* A genuine signature, but over a different header: no splicing. */
	hdr()->fw_features = 1;
	seal(sk_a);
	memcpy(sig, img + ARES_FW_HEADER_SIZE + payload_len, sizeof(sig));
	hdr()->fw_features = 0;
	seal(NULL);
	memcpy(img + ARES_FW_HEADER_SIZE + payload_len, sig, sizeof(sig));
	CHECK_BOOT(img_len, pk_a, ARES_BOOT_ERR_BAD_SIGNATURE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("boot ROM signature");
	TCase *t = tcase_create("verify");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_good_signature_boots);
	tcase_add_test(t, test_built_image_verifies_with_the_fused_key);
	tcase_add_test(t, test_wrong_key_is_refused);
	tcase_add_test(t, test_flipped_payload_byte_is_refused);
	tcase_add_test(t, test_flipped_header_byte_is_refused);
	tcase_add_test(t, test_flipped_signature_byte_is_refused);
	tcase_add_test(t, test_missing_signature_is_refused);
	tcase_add_test(t, test_truncated_or_extended_image_is_refused);
	tcase_add_test(t, test_signature_of_another_image_is_refused);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
