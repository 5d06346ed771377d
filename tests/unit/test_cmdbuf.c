/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for what libaccel does without a device: the command
 * builder's byte-exact encodings (against include/ares/cmd.h, written out
 * by offset here so a struct change cannot hide a layout change), its
 * growth and its error values; enumeration of an empty tree; strerror.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "ares/cmd.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void hdr(uint8_t *p, uint16_t op, uint32_t size)
{
	put16(p, op);
	put16(p + 2, 0);
	put32(p + 4, size);
}

static accel_cmdbuf *cb;

static void setup(void)
{
	ck_assert_int_eq(accel_cmdbuf_create(&cb), 0);
}

static void teardown(void)
{
	accel_cmdbuf_destroy(cb);
	cb = NULL;
}

static void expect_bytes(const uint8_t *want, size_t len)
{
	const uint8_t *got = accel_cmdbuf_data(cb);

	ck_assert_uint_eq(accel_cmdbuf_size(cb), len);
	ck_assert_ptr_nonnull(got);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: expected 0x%02x, got 0x%02x", i,
			      want[i], got[i]);
}

START_TEST(test_empty)
{
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 0);
	ck_assert_ptr_null(accel_cmdbuf_data(cb));
	ck_assert_int_eq(accel_cmdbuf_error(cb), 0);
}
END_TEST

START_TEST(test_nop_encoding)
{
	uint8_t want[8 + 24] = {0};

	ck_assert_int_eq(accel_cmdbuf_nop(cb, 8), 0);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 24), 0);
	hdr(want, 0x0000, 8);
	hdr(want + 8, 0x0000, 24);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_fence_write_encoding)
{
	uint8_t want[24] = {0};

	ck_assert_int_eq(accel_cmdbuf_fence_write(cb, 0x123456789abcdef0ull, 0x1122334455667788ull),
			 0);
	hdr(want, 0x0001, 24);
	put64(want + 8, 0x123456789abcdef0ull);
	put64(want + 16, 0x1122334455667788ull);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_timestamp_encoding)
{
	uint8_t want[16] = {0};

	ck_assert_int_eq(accel_cmdbuf_timestamp(cb, 0x100000008ull), 0);
	hdr(want, 0x0002, 16);
	put64(want + 8, 0x100000008ull);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_dma_copy_encoding)
{
	uint8_t want[32] = {0};

	ck_assert_int_eq(accel_cmdbuf_dma_copy(cb, 0x100000000ull, 0x200000001ull, 12345), 0);
	hdr(want, 0x0003, 32);
	put64(want + 8, 0x100000000ull);
	put64(want + 16, 0x200000001ull);
	put64(want + 24, 12345);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_fill_encoding)
{
	uint8_t want[32] = {0};

	ck_assert_int_eq(accel_cmdbuf_fill(cb, 0x100000004ull, 8192 + 12, 0xdeadbeef), 0);
	hdr(want, 0x0004, 32);
	put64(want + 8, 0x100000004ull);
	put64(want + 16, 8192 + 12);
	put32(want + 24, 0xdeadbeef);
	put32(want + 28, 0); /* reserved */
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_gemm_encoding)
{
	uint8_t want[64] = {0};
	struct accel_gemm g = {.m = 3,
			       .n = 5,
			       .k = 7,
			       .a_va = 0x100000000ull,
			       .b_va = 0x100001000ull,
			       .c_va = 0x100002000ull,
			       .lda = 8,
			       .ldb = 0, /* defaults to n */
			       .ldc = 6};

	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), 0);
	hdr(want, 0x0010, 64);
	put32(want + 8, 3);
	put32(want + 12, 5);
	put32(want + 16, 7);
	put32(want + 20, 0); /* flags */
	put64(want + 24, 0x100000000ull);
	put64(want + 32, 0x100001000ull);
	put64(want + 40, 0x100002000ull);
	put32(want + 48, 8);
	put32(want + 52, 5);
	put32(want + 56, 6);
	put32(want + 60, 0); /* reserved */
	expect_bytes(want, sizeof(want));
}
END_TEST

/* The opcodes the tests above hard-code are the contract's (sizes are static asserts). */
START_TEST(test_contract_constants)
{
	ck_assert_uint_eq(ARES_OP_NOP, 0x0000);
	ck_assert_uint_eq(ARES_OP_FENCE_WRITE, 0x0001);
	ck_assert_uint_eq(ARES_OP_TIMESTAMP, 0x0002);
	ck_assert_uint_eq(ARES_OP_DMA_COPY, 0x0003);
	ck_assert_uint_eq(ARES_OP_FILL, 0x0004);
	ck_assert_uint_eq(ARES_OP_GEMM, 0x0010);
}
END_TEST

START_TEST(test_sequence_and_growth)
{
	const uint8_t *p;
	size_t n = 10000;

	/* Far past any initial capacity, so growth (and data moving) is exercised. */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(accel_cmdbuf_fence_write(cb, 0x100000000ull + 8 * i, i), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), n * 24);
	p = accel_cmdbuf_data(cb);
	for (size_t i = 0; i < n; i += 997) {
		uint8_t want[24] = {0};

		hdr(want, 0x0001, 24);
		put64(want + 8, 0x100000000ull + 8 * i);
		put64(want + 16, i);
		ck_assert_msg(!memcmp(p + 24 * i, want, 24), "command %zu differs", i);
	}
	ck_assert_int_eq(accel_cmdbuf_reset(cb), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 0);
	ck_assert_int_eq(accel_cmdbuf_timestamp(cb, 8), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 16);
}
END_TEST

/* Every rejected argument returns -EINVAL and leaves the stream as it was. */
START_TEST(test_bad_arguments)
{
	struct accel_gemm ok = {.m = 4, .n = 4, .k = 4, .a_va = 0, .b_va = 64, .c_va = 128};
	struct accel_gemm g;

	ck_assert_int_eq(accel_cmdbuf_nop(cb, 8), 0);

	ck_assert_int_eq(accel_cmdbuf_nop(cb, 0), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 4), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 12), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_fence_write(cb, 4, 1), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_timestamp(cb, 1), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_dma_copy(cb, 0, 4096, 0), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_dma_copy(cb, 0, 100, 200), -EINVAL);	     /* overlap */
	ck_assert_int_eq(accel_cmdbuf_dma_copy(cb, 100, 0, 200), -EINVAL);	     /* overlap */
	ck_assert_int_eq(accel_cmdbuf_dma_copy(cb, 0, UINT64_MAX - 8, 64), -EINVAL); /* wrap */
	ck_assert_int_eq(accel_cmdbuf_fill(cb, 2, 8, 0), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_fill(cb, 0, 6, 0), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_fill(cb, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, NULL), -EINVAL);
	g = ok, g.m = 0;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.n = 65537;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.k = 0;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.lda = 3;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.ldb = 3;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.ldc = 3;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.a_va = 2;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);
	g = ok, g.c_va = 130;
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &g), -EINVAL);

	ck_assert_uint_eq(accel_cmdbuf_size(cb), 8);
	ck_assert_int_eq(accel_cmdbuf_error(cb), -EINVAL);
	/* Good appends still work after a rejected one; the kept error stays. */
	ck_assert_int_eq(accel_cmdbuf_gemm(cb, &ok), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 8 + 64);
	ck_assert_int_eq(accel_cmdbuf_error(cb), -EINVAL);
	accel_cmdbuf_reset(cb);
	ck_assert_int_eq(accel_cmdbuf_error(cb), 0);
}
END_TEST

START_TEST(test_stream_limit)
{
	/* One NOP of exactly the maximum fits; one more byte-group does not. */
	ck_assert_int_eq(accel_cmdbuf_nop(cb, ARES_CMD_STREAM_MAX), 0);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 8), -E2BIG);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), ARES_CMD_STREAM_MAX);
	ck_assert_int_eq(accel_cmdbuf_error(cb), -E2BIG);
}
END_TEST

START_TEST(test_create_null)
{
	ck_assert_int_eq(accel_cmdbuf_create(NULL), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_destroy(NULL), 0);
}
END_TEST

START_TEST(test_enumerate_empty_dir)
{
	char dir[] = "/tmp/accel-unit-XXXXXX";
	struct accel_device_entry e[2];
	size_t n = 99;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(accel_enumerate_at(dir, dir, e, 2, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_enumerate_missing_dir)
{
	size_t n = 99;

	ck_assert_int_eq(accel_enumerate_at("/nonexistent/accel", "/nonexistent/sys", NULL, 0, &n),
			 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* An accelN node whose sysfs driver is not "ares" is not ours. */
START_TEST(test_enumerate_skips_other_driver)
{
	char root[] = "/tmp/accel-unit-XXXXXX";
	char devd[128], sysd[128], p[256], q[256];
	size_t n = 99;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(devd, sizeof(devd), "%s/dev", root);
	snprintf(sysd, sizeof(sysd), "%s/sys", root);
	ck_assert_int_eq(mkdir(devd, 0700), 0);
	ck_assert_int_eq(mkdir(sysd, 0700), 0);
	snprintf(p, sizeof(p), "%s/accel0", devd);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/accel0", sysd);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/accel0/device", sysd);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/accel0/device/driver", sysd);
	ck_assert_int_eq(symlink("../../bus/pci/drivers/ivpu", p), 0);

	ck_assert_int_eq(accel_enumerate_at(devd, sysd, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);

	unlink(p);
	snprintf(q, sizeof(q), "%s/accel0/device", sysd);
	rmdir(q);
	snprintf(q, sizeof(q), "%s/accel0", sysd);
	rmdir(q);
	snprintf(q, sizeof(q), "%s/accel0", devd);
	unlink(q);
	rmdir(sysd);
	rmdir(devd);
	rmdir(root);
}
END_TEST

START_TEST(test_enumerate_bad_args)
{
	size_t n;

	ck_assert_int_eq(accel_enumerate_at("/tmp", "/tmp", NULL, 1, &n), -EINVAL);
	ck_assert_int_eq(accel_enumerate_at("/tmp", "/tmp", NULL, 0, NULL), -EINVAL);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(accel_strerror(0), "Success");
	ck_assert_str_eq(accel_strerror(-EINVAL), "Invalid argument");
	ck_assert_str_eq(accel_strerror(EINVAL), "Invalid argument");
	ck_assert_ptr_nonnull(strstr(accel_strerror(-ECANCELED), "banned"));
	ck_assert_ptr_nonnull(accel_strerror(-100000));
	ck_assert_str_eq(accel_device_last_error(NULL), "no device handle");
}
END_TEST

START_TEST(test_open_not_a_device)
{
	accel_device *dev = NULL;
	char err[256] = "";

	ck_assert_int_eq(accel_device_open("/nonexistent/accel0", &dev, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(dev);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/accel0"));
	/* A regular file opens but is no DRM node. */
	ck_assert_int_eq(accel_device_open("/dev/null", &dev, err, sizeof(err)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "/dev/null"));
}
END_TEST

START_TEST(test_job_status_names)
{
	ck_assert_str_eq(accel_job_status_name(ACCEL_JOB_OK), "OK");
	ck_assert_str_eq(accel_job_status_name(ACCEL_JOB_MMU_FAULT), "MMU_FAULT");
	ck_assert_str_eq(accel_job_status_name(ACCEL_JOB_TIMEOUT), "TIMEOUT");
	ck_assert_str_eq(accel_job_status_name(999), "UNKNOWN");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("libaccel-host");
	TCase *enc = tcase_create("cmdbuf");
	TCase *misc = tcase_create("misc");

	tcase_add_checked_fixture(enc, setup, teardown);
	tcase_add_test(enc, test_empty);
	tcase_add_test(enc, test_nop_encoding);
	tcase_add_test(enc, test_fence_write_encoding);
	tcase_add_test(enc, test_timestamp_encoding);
	tcase_add_test(enc, test_dma_copy_encoding);
	tcase_add_test(enc, test_fill_encoding);
	tcase_add_test(enc, test_gemm_encoding);
	tcase_add_test(enc, test_contract_constants);
	tcase_add_test(enc, test_sequence_and_growth);
	tcase_add_test(enc, test_bad_arguments);
	tcase_add_test(enc, test_stream_limit);
	tcase_set_timeout(enc, 60);
	suite_add_tcase(s, enc);

	tcase_add_test(misc, test_create_null);
	tcase_add_test(misc, test_enumerate_empty_dir);
	tcase_add_test(misc, test_enumerate_missing_dir);
	tcase_add_test(misc, test_enumerate_skips_other_driver);
	tcase_add_test(misc, test_enumerate_bad_args);
	tcase_add_test(misc, test_strerror);
	tcase_add_test(misc, test_open_not_a_device);
	tcase_add_test(misc, test_job_status_names);
	suite_add_tcase(s, misc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
