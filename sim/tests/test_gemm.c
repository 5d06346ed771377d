/* SPDX-License-Identifier: MIT */
/* sim's tensor engine against the textbook triple loop. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fake_dev.h"

#define A_VA 0x200000000ull
#define B_VA 0x300000000ull
#define C_VA 0x400000000ull

static struct fake_dev F;

static void setup(void)
{
	fake_init(&F);
	fake_as(&F, 2);
}

static void teardown(void)
{
	fake_fini(&F);
}

/* Small integers times powers of two: every product and sum is exact in f32. */
static float val(uint32_t i, uint32_t salt)
{
	return (float)((int)((i * 2654435761u + salt) % 15) - 7) * 0.5f;
}

static void reference(uint32_t m, uint32_t n, uint32_t k, const float *a, uint32_t lda,
		      const float *b, uint32_t ldb, float *c, uint32_t ldc)
{
	uint32_t i, j, p;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			float acc = c[(size_t)i * ldc + j];

			for (p = 0; p < k; p++)
				acc += a[(size_t)i * lda + p] * b[(size_t)p * ldb + j];
			c[(size_t)i * ldc + j] = acc;
		}
}

/* Runs one GEMM through the MMU (operands at @off into scattered pages) and compares. */
static void check_gemm(uint32_t m, uint32_t n, uint32_t k, uint32_t lda, uint32_t ldb, uint32_t ldc,
		       uint64_t off)
{
	size_t as = (size_t)m * lda, bs = (size_t)k * ldb, cs = (size_t)m * ldc, i;
	float *a = malloc(as * 4), *b = malloc(bs * 4), *c = malloc(cs * 4), *got = malloc(cs * 4);
	struct ares_cmd_gemm g = {.hdr = {.opcode = ARES_OP_GEMM, .size = sizeof(g)},
				  .m = m,
				  .n = n,
				  .k = k,
				  .a_va = A_VA + off,
				  .b_va = B_VA + off,
				  .c_va = C_VA + off,
				  .lda = lda,
				  .ldb = ldb,
				  .ldc = ldc};
	uint32_t st;

	fake_map_range(&F, 2, g.a_va, as * 4);
	fake_map_range(&F, 2, g.b_va, bs * 4);
	fake_map_range(&F, 2, g.c_va, cs * 4);
	for (i = 0; i < as; i++)
		a[i] = val((uint32_t)i, 1);
	for (i = 0; i < bs; i++)
		b[i] = val((uint32_t)i, 2);
	for (i = 0; i < cs; i++)
		c[i] = val((uint32_t)i, 3);
	ck_assert_uint_eq(sim_va_write(&F.d, 2, 0, g.a_va, a, as * 4), 0);
	ck_assert_uint_eq(sim_va_write(&F.d, 2, 0, g.b_va, b, bs * 4), 0);
	ck_assert_uint_eq(sim_va_write(&F.d, 2, 0, g.c_va, c, cs * 4), 0);
	st = sim_engine_gemm(&F.d, 2, 0, &g);
	ck_assert_msg(st == ARES_JOB_OK, "gemm %ux%ux%u: expected status 0, got %u", m, n, k, st);
	ck_assert_uint_eq(sim_va_read(&F.d, 2, 0, g.c_va, got, cs * 4), 0);
	reference(m, n, k, a, lda, b, ldb, c, ldc);
	for (i = 0; i < cs; i++)
		ck_assert_msg(got[i] == c[i], "gemm %ux%ux%u C[%zu][%zu]: expected %g, got %g", m,
			      n, k, i / ldc, i % ldc, c[i], got[i]);
	free(a);
	free(b);
	free(c);
	free(got);
}

START_TEST(test_gemm_1x1x1)
{
	check_gemm(1, 1, 1, 1, 1, 1, 0);
}
END_TEST

START_TEST(test_gemm_square_packed)
{
	check_gemm(16, 16, 16, 16, 16, 16, 0);
}
END_TEST

START_TEST(test_gemm_non_square_shapes)
{
	check_gemm(3, 70, 5, 5, 70, 70, 0);
	fake_fini(&F);
	setup();
	check_gemm(65, 1, 129, 129, 1, 1, 0);
}
END_TEST

START_TEST(test_gemm_row_strides_longer_than_rows)
{
	check_gemm(9, 13, 11, 20, 17, 31, 0);
}
END_TEST

START_TEST(test_gemm_operands_cross_pages)
{
	/* Rows of 1000 floats start near a page end and span two pages each. */
	check_gemm(7, 1000, 1000, 1003, 1001, 1002, 4096 - 12);
}
END_TEST

START_TEST(test_gemm_spans_tiles_with_ragged_edges)
{
	/* Past one tile in every dim (256 rows, 1024 columns, 256 of k). */
	check_gemm(260, 1030, 260, 261, 1031, 1033, 8);
}
END_TEST

START_TEST(test_gemm_huge_dims_fault_without_whole_operand_buffers)
{
	/* 16 GiB per operand at the largest dims: the engine holds tiles only,
	 * so it reaches the unmapped C at once instead of failing an
	 * allocation (ARES_JOB_FW_ERROR) or taking the host's memory. */
	struct ares_cmd_gemm g = {.hdr = {.opcode = ARES_OP_GEMM, .size = sizeof(g)},
				  .m = ARES_GEMM_DIM_MAX,
				  .n = ARES_GEMM_DIM_MAX,
				  .k = ARES_GEMM_DIM_MAX,
				  .a_va = A_VA,
				  .b_va = B_VA,
				  .c_va = C_VA,
				  .lda = ARES_GEMM_DIM_MAX,
				  .ldb = ARES_GEMM_DIM_MAX,
				  .ldc = ARES_GEMM_DIM_MAX};

	ck_assert_uint_eq(sim_engine_gemm(&F.d, 2, 0, &g), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(sim_rd64(&F.d, ARES_REG_FAULT_VA), C_VA);
}
END_TEST

START_TEST(test_gemm_leaves_padding_alone_and_faults_unmapped_operand)
{
	struct ares_cmd_gemm g = {.hdr = {.opcode = ARES_OP_GEMM, .size = sizeof(g)},
				  .m = 2,
				  .n = 2,
				  .k = 2,
				  .a_va = A_VA,
				  .b_va = 0x500000000ull,
				  .c_va = C_VA,
				  .lda = 2,
				  .ldb = 2,
				  .ldc = 2};

	fake_map_range(&F, 2, A_VA, 16);
	fake_map_range(&F, 2, C_VA, 16);
	ck_assert_uint_eq(sim_engine_gemm(&F.d, 2, 4, &g), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(sim_rd64(&F.d, ARES_REG_FAULT_VA), 0x500000000ull);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_QUEUE), 4);
}
END_TEST

START_TEST(test_gemm_kernel_matches_reference_256)
{
	const uint32_t d = 256;
	float *a = malloc(d * d * 4), *b = malloc(d * d * 4), *c = malloc(d * d * 4),
	      *r = malloc(d * d * 4);
	uint32_t i;

	for (i = 0; i < d * d; i++) {
		a[i] = val(i, 4);
		b[i] = val(i, 5);
		c[i] = r[i] = val(i, 6);
	}
	sim_gemm_f32(d, d, d, a, b, c);
	reference(d, d, d, a, d, b, d, r, d);
	for (i = 0; i < d * d; i++)
		ck_assert_msg(c[i] == r[i], "C[%u][%u]: expected %g, got %g", i / d, i % d, r[i],
			      c[i]);
	free(a);
	free(b);
	free(c);
	free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim gemm");
	TCase *t = tcase_create("gemm");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120); /* valgrind */
	tcase_add_test(t, test_gemm_1x1x1);
	tcase_add_test(t, test_gemm_square_packed);
	tcase_add_test(t, test_gemm_non_square_shapes);
	tcase_add_test(t, test_gemm_row_strides_longer_than_rows);
	tcase_add_test(t, test_gemm_operands_cross_pages);
	tcase_add_test(t, test_gemm_spans_tiles_with_ragged_edges);
	tcase_add_test(t, test_gemm_huge_dims_fault_without_whole_operand_buffers);
	tcase_add_test(t, test_gemm_leaves_padding_alone_and_faults_unmapped_operand);
	tcase_add_test(t, test_gemm_kernel_matches_reference_256);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
