/* SPDX-License-Identifier: MIT */
/*
 * The firmware's descriptor and command-stream checks (hw-spec §6, §8),
 * run hosted against a fake CP: device memory is a flat buffer at STREAM_VA
 * and the engines only record what they were asked to do.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fw.h"

#define STREAM_VA 0x100000000ull
#define MEM_SIZE  8192
#define ASID	  2

static uint8_t regs[ARES_BAR2_SIZE];
static uint8_t mem[MEM_SIZE];
static uint32_t n_engine_calls;
static uint64_t last_write_va;

static __u64 f_now(void *dev)
{
	(void)dev;
	return 1000;
}

static __u32 f_va_read(void *dev, __u32 asid, __u32 q, __u64 va, void *dst, __u64 len)
{
	(void)dev, (void)asid, (void)q;
	if (va < STREAM_VA || va - STREAM_VA > MEM_SIZE || len > MEM_SIZE - (va - STREAM_VA))
		return ARES_JOB_MMU_FAULT;
	memcpy(dst, mem + (va - STREAM_VA), len);
	return ARES_JOB_OK;
}

static __u32 f_va_write(void *dev, __u32 asid, __u32 q, __u64 va, const void *src, __u64 len)
{
	(void)dev, (void)asid, (void)q, (void)src, (void)len;
	n_engine_calls++;
	last_write_va = va;
	return ARES_JOB_OK;
}

static __u32 f_copy(void *dev, __u32 asid, __u32 q, __u64 dst, __u64 src, __u64 size)
{
	(void)dev, (void)asid, (void)q, (void)dst, (void)src, (void)size;
	n_engine_calls++;
	return ARES_JOB_OK;
}

static __u32 f_fill(void *dev, __u32 asid, __u32 q, __u64 dst, __u64 size, __u32 pattern)
{
	(void)dev, (void)asid, (void)q, (void)dst, (void)size, (void)pattern;
	n_engine_calls++;
	return ARES_JOB_OK;
}

static __u32 f_gemm(void *dev, __u32 asid, __u32 q, const struct ares_cmd_gemm *cmd)
{
	(void)dev, (void)asid, (void)q, (void)cmd;
	n_engine_calls++;
	return ARES_JOB_OK;
}

static const struct ares_cp_ops ops = {
	.abi_version = ARES_CP_ABI_VERSION,
	.size = sizeof(struct ares_cp_ops),
	.regs = regs,
	.now_ns = f_now,
	.va_read = f_va_read,
	.va_write = f_va_write,
	.dma_copy = f_copy,
	.fill = f_fill,
	.gemm = f_gemm,
};

static uint32_t used;

static void setup(void)
{
	memset(regs, 0, sizeof(regs));
	memset(mem, 0, sizeof(mem));
	used = 0;
	n_engine_calls = 0;
	__atomic_store_n((uint32_t *)(regs + ARES_REG_AS_CONFIG(ASID)), ARES_AS_CONFIG_ENABLE,
			 __ATOMIC_RELEASE);
}

static void put(const void *cmd, uint32_t size)
{
	ck_assert_uint_le(used + size, MEM_SIZE);
	memcpy(mem + used, cmd, size);
	used += size;
}

static void put_nop(uint32_t size)
{
	struct ares_cmd_hdr h = {.opcode = ARES_OP_NOP, .size = size};

	put(&h, sizeof(h));
	used += size - (uint32_t)sizeof(h);
}

static void put_fence(uint64_t va)
{
	struct ares_cmd_fence_write f = {.hdr = {ARES_OP_FENCE_WRITE, 0, sizeof(f)}, .va = va};

	put(&f, sizeof(f));
}

static struct ares_job_desc desc(uint32_t size)
{
	struct ares_job_desc d = {.seqno = 1, .cmd_va = STREAM_VA, .cmd_size = size, .asid = ASID};

	return d;
}

/* Runs the stream written so far (or @size bytes of it) and checks status and offset. */
#define CHECK_RUN(size, want_status, want_offset)                                                  \
	do {                                                                                       \
		struct ares_job_desc d_ = desc(size);                                              \
		__u32 off_ = 0xdead, st_ = fw_job_run(&ops, 0, &d_, &off_);                        \
		ck_assert_msg(st_ == (want_status) && off_ == (want_offset),                       \
			      "expected status %u at offset %u, got status %u at offset %u",       \
			      (unsigned)(want_status), (unsigned)(want_offset), st_, off_);        \
	} while (0)

START_TEST(test_valid_stream_runs_every_command)
{
	struct ares_cmd_dma_copy c = {.hdr = {ARES_OP_DMA_COPY, 0, sizeof(c)},
				      .src_va = 0x200000000ull,
				      .dst_va = 0x200001000ull,
				      .size = 4096};
	struct ares_cmd_fill f = {
		.hdr = {ARES_OP_FILL, 0, sizeof(f)}, .dst_va = 0x300000000ull, .size = 64};
	struct ares_cmd_timestamp t = {.hdr = {ARES_OP_TIMESTAMP, 0, sizeof(t)},
				       .va = 0x400000008ull};
	struct ares_cmd_gemm g = {.hdr = {ARES_OP_GEMM, 0, sizeof(g)},
				  .m = 1,
				  .n = 65536,
				  .k = 3,
				  .lda = 3,
				  .ldb = 65536,
				  .ldc = 65536};

	put_nop(8);
	put_fence(0x200000000ull);
	put_nop(128);
	put(&c, sizeof(c));
	put(&f, sizeof(f));
	put(&t, sizeof(t));
	put(&g, sizeof(g));
	CHECK_RUN(used, ARES_JOB_OK, 0);
	ck_assert_uint_eq(n_engine_calls, 5);
	ck_assert_uint_eq(last_write_va, 0x400000008ull);
}
END_TEST

START_TEST(test_unknown_opcode_is_invalid_cmd_at_its_offset)
{
	struct ares_cmd_hdr h = {.opcode = 0x0005, .size = 8};

	put_nop(16);
	put_fence(0x200000000ull);
	put(&h, sizeof(h));
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 40);
	ck_assert_uint_eq(n_engine_calls, 1);
}
END_TEST

START_TEST(test_wrong_size_is_invalid_cmd)
{
	struct ares_cmd_fence_write f = {.hdr = {ARES_OP_FENCE_WRITE, 0, 32}, .va = 0x200000000ull};
	struct ares_cmd_hdr zero = {.opcode = ARES_OP_NOP, .size = 0};
	struct ares_cmd_hdr odd = {.opcode = ARES_OP_NOP, .size = 12};

	put_nop(8);
	put(&f, sizeof(f));
	used += 8;
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 8);
	setup();
	put(&zero, sizeof(zero));
	CHECK_RUN(8, ARES_JOB_INVALID_CMD, 0);
	setup();
	put(&odd, sizeof(odd));
	CHECK_RUN(16, ARES_JOB_INVALID_CMD, 0);
}
END_TEST

START_TEST(test_command_running_past_stream_end_is_invalid_cmd)
{
	put_nop(8);
	put_fence(0x200000000ull);
	/* The stream ends 8 bytes into the 24-byte fence. */
	CHECK_RUN(16, ARES_JOB_INVALID_CMD, 8);
	/* A NOP claiming more than is left. */
	setup();
	put_nop(8);
	put_nop(64);
	CHECK_RUN(32, ARES_JOB_INVALID_CMD, 8);
}
END_TEST

START_TEST(test_nonzero_flags_or_reserved_is_invalid_cmd)
{
	struct ares_cmd_fence_write f = {.hdr = {ARES_OP_FENCE_WRITE, 1, sizeof(f)},
					 .va = 0x200000000ull};
	struct ares_cmd_fill fl = {.hdr = {ARES_OP_FILL, 0, sizeof(fl)},
				   .dst_va = 0x300000000ull,
				   .size = 4,
				   .reserved = 1};
	struct ares_cmd_gemm g = {.hdr = {ARES_OP_GEMM, 0, sizeof(g)},
				  .m = 1,
				  .n = 1,
				  .k = 1,
				  .lda = 1,
				  .ldb = 1,
				  .ldc = 1,
				  .reserved = 1};

	put(&f, sizeof(f));
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
	setup();
	put_nop(8);
	put(&fl, sizeof(fl));
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 8);
	setup();
	put(&g, sizeof(g));
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
	setup();
	g.reserved = 0;
	g.flags = 2;
	put(&g, sizeof(g));
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
}
END_TEST

START_TEST(test_bad_operands_are_invalid_cmd)
{
	struct ares_cmd_gemm g = {.hdr = {ARES_OP_GEMM, 0, sizeof(g)},
				  .m = 4,
				  .n = 4,
				  .k = 4,
				  .lda = 4,
				  .ldb = 4,
				  .ldc = 4};
	struct ares_cmd_dma_copy c = {.hdr = {ARES_OP_DMA_COPY, 0, sizeof(c)},
				      .src_va = 0x200000000ull,
				      .dst_va = 0x200000800ull,
				      .size = 4096};
	struct ares_cmd_fill f = {
		.hdr = {ARES_OP_FILL, 0, sizeof(f)}, .dst_va = 0x300000002ull, .size = 8};
	struct ares_cmd_gemm bad[5];
	int i;

	for (i = 0; i < 5; i++)
		bad[i] = g;
	bad[0].m = 0;
	bad[1].k = ARES_GEMM_DIM_MAX + 1;
	bad[2].lda = 3;
	bad[3].ldc = 2;
	bad[4].b_va = 2;
	for (i = 0; i < 5; i++) {
		setup();
		put_nop(16);
		put(&bad[i], sizeof(bad[i]));
		CHECK_RUN(used, ARES_JOB_INVALID_CMD, 16);
		ck_assert_uint_eq(n_engine_calls, 0);
	}
	setup();
	put(&c, sizeof(c)); /* overlapping ranges */
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
	setup();
	put(&f, sizeof(f)); /* misaligned fill */
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
	setup();
	put_fence(0x200000004ull); /* misaligned fence */
	CHECK_RUN(used, ARES_JOB_INVALID_CMD, 0);
}
END_TEST

START_TEST(test_fetch_fault_is_mmu_fault_at_offset)
{
	struct ares_job_desc d = desc(16);
	__u32 off = 0;

	struct ares_cmd_hdr nop = {.opcode = ARES_OP_NOP, .size = 8};

	/* A good NOP in the last mapped 8 bytes, then the stream runs off the mapping. */
	memcpy(mem + MEM_SIZE - 8, &nop, sizeof(nop));
	d.cmd_va = STREAM_VA + MEM_SIZE - 8;
	ck_assert_uint_eq(fw_job_run(&ops, 0, &d, &off), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(off, 8);
}
END_TEST

START_TEST(test_descriptor_checks_give_invalid_desc)
{
	struct ares_job_desc d;
	__u32 off;

	put_nop(8);
#define BAD_DESC(field, value)                                                                     \
	do {                                                                                       \
		d = desc(8);                                                                       \
		d.field = value;                                                                   \
		ck_assert_msg(fw_job_run(&ops, 0, &d, &off) == ARES_JOB_INVALID_DESC,              \
			      "descriptor with " #field " = " #value ": expected INVALID_DESC");   \
		ck_assert_uint_eq(n_engine_calls, 0);                                              \
	} while (0)
	BAD_DESC(flags, 1);
	BAD_DESC(reserved0, 1);
	BAD_DESC(reserved1, 1);
	BAD_DESC(reserved[2], 1);
	BAD_DESC(cmd_size, 0);
	BAD_DESC(cmd_size, 12);
	BAD_DESC(cmd_size, ARES_CMD_STREAM_MAX + 8);
	BAD_DESC(cmd_va, STREAM_VA + 4);
	BAD_DESC(asid, ARES_MAX_AS);
	BAD_DESC(asid, ASID + 1);
#undef BAD_DESC
	d = desc(8);
	ck_assert_uint_eq(fw_job_run(&ops, 0, &d, &off), ARES_JOB_OK);
}
END_TEST

START_TEST(test_log_lines_wrap_around_the_ring)
{
	const uint64_t ring = ARES_FW_LOG_SIZE - 64;
	uint64_t start = ring - 5;
	char *data = (char *)regs + ARES_FW_LOG_DATA;

	__atomic_store_n((uint64_t *)(regs + ARES_FW_LOG_WRITE_POS), start, __ATOMIC_RELEASE);
	fw_log(&ops, "q%u %s 0x%llx", 7u, "hi", 0xabcull);
	ck_assert_uint_eq(*(uint64_t *)(regs + ARES_FW_LOG_WRITE_POS), start + 12);
	ck_assert_msg(!memcmp(data + start, "q7 hi", 5) && !memcmp(data, " 0xabc\n", 7),
		      "log bytes not where the ring puts them");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("firmware command stream");
	TCase *t = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, test_valid_stream_runs_every_command);
	tcase_add_test(t, test_unknown_opcode_is_invalid_cmd_at_its_offset);
	tcase_add_test(t, test_wrong_size_is_invalid_cmd);
	tcase_add_test(t, test_command_running_past_stream_end_is_invalid_cmd);
	tcase_add_test(t, test_nonzero_flags_or_reserved_is_invalid_cmd);
	tcase_add_test(t, test_bad_operands_are_invalid_cmd);
	tcase_add_test(t, test_fetch_fault_is_mmu_fault_at_offset);
	tcase_add_test(t, test_descriptor_checks_give_invalid_desc);
	tcase_add_test(t, test_log_lines_wrap_around_the_ring);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
