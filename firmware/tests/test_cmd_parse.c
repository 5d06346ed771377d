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

#include "../../tests/unit/tensor_desc_util.h"
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

/* Each tile the engines see, and a fixed modeled time per tile. */
#define MAX_TILES 64
#define TILE_NS	  1000
static union fw_cmd tiles[MAX_TILES];
static uint32_t n_tiles;
static __u32 engine_status;

static __u32 f_engine_run(void *dev, __u32 asid, __u32 q, const struct ares_cmd_hdr *cmd,
			  __u64 *modeled_ns)
{
	(void)dev, (void)asid, (void)q;
	n_engine_calls++;
	if (n_tiles < MAX_TILES)
		memcpy(&tiles[n_tiles], cmd, cmd->size);
	n_tiles++;
	*modeled_ns += TILE_NS;
	return engine_status;
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
	.engine_run = f_engine_run,
};

static uint32_t used;
static __u64 last_modeled;

static void setup(void)
{
	memset(regs, 0, sizeof(regs));
	memset(mem, 0, sizeof(mem));
	used = 0;
	n_engine_calls = 0;
	n_tiles = 0;
	engine_status = ARES_JOB_OK;
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
		__u64 ns_;                                                                         \
		__u32 off_ = 0xdead, st_ = fw_job_run(&ops, 0, &d_, &off_, &ns_);                  \
		last_modeled = ns_;                                                                \
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
	ck_assert_uint_eq(fw_job_run(&ops, 0, &d, &off, &last_modeled), ARES_JOB_MMU_FAULT);
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
		ck_assert_msg(fw_job_run(&ops, 0, &d, &off, &last_modeled) ==                      \
				      ARES_JOB_INVALID_DESC,                                       \
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
	ck_assert_uint_eq(fw_job_run(&ops, 0, &d, &off, &last_modeled), ARES_JOB_OK);
}
END_TEST

/* ---- tensor commands (hw-spec §12) ---- */

#define TVA 0x200000000ull

/* A packed row-major descriptor of up to four dimensions. */
static struct ares_tensor_desc td(uint64_t va, uint32_t dtype, uint32_t rank, uint64_t s0,
				  uint64_t s1, uint64_t s2, uint64_t s3)
{
	const uint64_t shape[4] = {s0, s1, s2, s3};

	return test_desc_packed(va, dtype, rank, shape);
}

static struct ares_cmd_eltwise add_f32(uint64_t rows, uint64_t cols)
{
	struct ares_cmd_eltwise e = {
		.hdr = {ARES_OP_ELTWISE, 0, sizeof(e)}, .num_inputs = 2, .p = {.op = ARES_ELT_ADD}};

	e.in[0] = td(TVA, ARES_DTYPE_F32, 2, rows, cols, 0, 0);
	e.in[1] = td(TVA + 0x10000000ull, ARES_DTYPE_F32, 2, rows, cols, 0, 0);
	e.out = td(TVA + 0x20000000ull, ARES_DTYPE_F32, 2, rows, cols, 0, 0);
	return e;
}

/* Runs one command alone and expects @want with no engine call on failure. */
static void expect_one(const void *cmd, __u32 want, const char *what)
{
	struct ares_job_desc d;
	__u32 off = 0xdead, st;
	__u64 ns;

	setup();
	put_nop(8);
	put(cmd, ((const struct ares_cmd_hdr *)cmd)->size);
	d = desc(used);
	st = fw_job_run(&ops, 0, &d, &off, &ns);
	ck_assert_msg(st == want, "%s: expected status %u, got %u", what, want, st);
	if (want != ARES_JOB_OK) {
		ck_assert_msg(off == 8, "%s: error offset %u, expected 8", what, off);
		ck_assert_msg(n_engine_calls == 0, "%s: an engine ran", what);
	}
}

START_TEST(test_valid_eltwise_runs_and_reports_modeled_time)
{
	struct ares_cmd_eltwise e = add_f32(4, 8);
	struct ares_cmd_profile pr = {.hdr = {ARES_OP_PROFILE, 0, sizeof(pr)}, .va = TVA + 0x40};

	put(&e, sizeof(e));
	put(&pr, sizeof(pr));
	put_nop(8);
	CHECK_RUN(used, ARES_JOB_OK, 0);
	ck_assert_uint_eq(n_tiles, 1);
	ck_assert_uint_eq(tiles[0].hdr.opcode, ARES_OP_ELTWISE);
	/* Two commands at 100 ns each plus one tile; NOP is free. */
	ck_assert_uint_eq(last_modeled, 2 * FW_CMD_NS + TILE_NS);
	ck_assert_uint_eq(last_write_va, TVA + 0x40);
	ck_assert_uint_eq(
		__atomic_load_n((uint64_t *)(regs + ARES_REG_PERF_CMDS), __ATOMIC_RELAXED), 2);
}
END_TEST

START_TEST(test_bad_descriptors_are_invalid_cmd)
{
	struct ares_cmd_eltwise ok = add_f32(4, 8), e;

#define BAD(field, value)                                                                          \
	do {                                                                                       \
		e = ok;                                                                            \
		e.field = value;                                                                   \
		expect_one(&e, ARES_JOB_INVALID_CMD, #field " = " #value);                         \
	} while (0)
	BAD(in[0].dtype, ARES_DTYPE_COUNT);
	BAD(in[0].dtype, 0xffff);
	BAD(out.rank, 7);
	BAD(in[1].shape[1], ARES_MAX_DIM);
	BAD(in[1].shape[4], 1);
	BAD(in[1].stride[5], 1);
	BAD(in[0].va, TVA + 2);			 /* misaligned for f32 */
	BAD(in[0].stride[0], 1ull << 62);	 /* (shape - 1) * stride * 4 overflows */
	BAD(in[0].stride[0], 1ull << 46);	 /* extent past 2^48 */
	BAD(out.va, (1ull << 48) - 64);		 /* runs off the VA space */
	BAD(in[0].quant, ARES_QUANT_PER_TENSOR); /* quant on f32 */
	BAD(in[0].quant, 3);
	BAD(in[0].scale, 0x3f800000u);	  /* quant NONE with a scale */
	BAD(in[2].dtype, ARES_DTYPE_F32); /* unused input present */
	BAD(num_inputs, 1);
	BAD(p.op, 20);
	BAD(p.flags, 2);
	BAD(p.flags, ARES_ELT_F_WRAP); /* f32 */
	BAD(flags, 1);
	BAD(out.shape[1], 9); /* shape mismatch */
	BAD(out.dtype, ARES_DTYPE_F16);
	BAD(out.dtype, ARES_DTYPE_NONE);
#undef BAD
	expect_one(&ok, ARES_JOB_OK, "the good command");
}
END_TEST

/* An ELTWISE of @op over operands of @in_dt (out @out_dt) with its input count. */
static struct ares_cmd_eltwise elt_of(__u32 op, uint32_t in_dt, uint32_t out_dt)
{
	struct ares_cmd_eltwise e = add_f32(4, 8);
	int unary = op <= ARES_ELT_SIGN || op >= ARES_ELT_ELU;

	e.p.op = op;
	e.in[0] = td(TVA, in_dt, 2, 4, 8, 0, 0);
	e.out = td(TVA + 0x20000000ull, out_dt, 2, 4, 8, 0, 0);
	if (unary) {
		e.num_inputs = 1;
		memset(&e.in[1], 0, sizeof(e.in[1]));
	} else {
		e.in[1] = td(TVA + 0x10000000ull, in_dt, 2, 4, 8, 0, 0);
	}
	return e;
}

START_TEST(test_eltwise_function_dtype_rules)
{
	static const __u32 undefined[] = {51, 63, 65, 95, 105, 0xffffffffu};
	struct ares_cmd_eltwise e;
	char what[64];
	__u32 op;

	for (op = ARES_ELT_SIN; op <= ARES_ELT_ISNAN; op++) {
		int fpclass = op == ARES_ELT_ISINF || op == ARES_ELT_ISNAN;
		int shift = op == ARES_ELT_SHL || op == ARES_ELT_SHR;

		if (op > ARES_ELT_SIGN && op < ARES_ELT_ELU &&
		    !(op >= ARES_ELT_ADD && op <= ARES_ELT_SHR))
			continue;
		if (op >= ARES_ELT_ADD && op <= ARES_ELT_SHR && !shift)
			continue; /* the binary ops before SHL have their own rules */
		snprintf(what, sizeof(what), "op %u on its dtype", op);
		e = elt_of(op, shift ? ARES_DTYPE_U8 : ARES_DTYPE_F16,
			   fpclass ? ARES_DTYPE_BOOL
			   : shift ? ARES_DTYPE_U8
				   : ARES_DTYPE_F16);
		expect_one(&e, ARES_JOB_OK, what);
		/* The input count is the op's. */
		e.num_inputs = shift ? 1 : 2;
		if (shift)
			memset(&e.in[1], 0, sizeof(e.in[1]));
		else
			e.in[1] = td(TVA + 0x10000000ull, ARES_DTYPE_F16, 2, 4, 8, 0, 0);
		snprintf(what, sizeof(what), "op %u with the wrong input count", op);
		expect_one(&e, ARES_JOB_INVALID_CMD, what);
		/* No function but SIGN (and the shifts' U8) takes integers. */
		e = elt_of(op, ARES_DTYPE_I32, fpclass ? ARES_DTYPE_BOOL : ARES_DTYPE_I32);
		snprintf(what, sizeof(what), "op %u on I32", op);
		expect_one(&e, op == ARES_ELT_SIGN ? ARES_JOB_OK : ARES_JOB_INVALID_CMD, what);
	}
	e = elt_of(ARES_ELT_ISNAN, ARES_DTYPE_F32, ARES_DTYPE_F32);
	expect_one(&e, ARES_JOB_INVALID_CMD, "ISNAN into F32");
	e = elt_of(ARES_ELT_ISINF, ARES_DTYPE_I8, ARES_DTYPE_BOOL);
	expect_one(&e, ARES_JOB_INVALID_CMD, "ISINF of I8");
	e = elt_of(ARES_ELT_SHL, ARES_DTYPE_I8, ARES_DTYPE_I8);
	expect_one(&e, ARES_JOB_INVALID_CMD, "SHL on I8");
	e = elt_of(ARES_ELT_SHR, ARES_DTYPE_U8, ARES_DTYPE_U8);
	e.in[1].quant = ARES_QUANT_PER_TENSOR;
	e.in[1].scale = 0x3f800000u;
	expect_one(&e, ARES_JOB_INVALID_CMD, "SHR of a quantised U8");
	e = elt_of(ARES_ELT_SHR, ARES_DTYPE_U8, ARES_DTYPE_I8);
	expect_one(&e, ARES_JOB_INVALID_CMD, "SHR into I8");
	/* Integer POW and FMOD are integer arithmetic now. */
	e = elt_of(ARES_ELT_POW, ARES_DTYPE_I64, ARES_DTYPE_I64);
	expect_one(&e, ARES_JOB_OK, "POW on I64");
	e = elt_of(ARES_ELT_FMOD, ARES_DTYPE_I32, ARES_DTYPE_I32);
	expect_one(&e, ARES_JOB_OK, "FMOD on I32");
	/* Wrapping 8-bit arithmetic: plain bytes, ADD to DIV only. */
	for (op = ARES_ELT_ADD; op <= ARES_ELT_DIV; op++) {
		e = elt_of(op, op & 1 ? ARES_DTYPE_I8 : ARES_DTYPE_U8,
			   op & 1 ? ARES_DTYPE_I8 : ARES_DTYPE_U8);
		e.p.flags = ARES_ELT_F_WRAP;
		snprintf(what, sizeof(what), "wrapping op %u", op);
		expect_one(&e, ARES_JOB_OK, what);
	}
	e.p.op = ARES_ELT_MAX;
	expect_one(&e, ARES_JOB_INVALID_CMD, "wrapping MAX");
	e = elt_of(ARES_ELT_ADD, ARES_DTYPE_I32, ARES_DTYPE_I32);
	e.p.flags = ARES_ELT_F_WRAP;
	expect_one(&e, ARES_JOB_INVALID_CMD, "wrapping I32");
	e = elt_of(ARES_ELT_ADD, ARES_DTYPE_U8, ARES_DTYPE_U8);
	e.p.flags = ARES_ELT_F_WRAP;
	e.out.quant = ARES_QUANT_PER_TENSOR;
	e.out.scale = 0x3f800000u;
	expect_one(&e, ARES_JOB_INVALID_CMD, "wrapping into a quantised U8");
	e = elt_of(ARES_ELT_ADD, ARES_DTYPE_U8, ARES_DTYPE_U8);
	e.p.flags = ARES_ELT_F_WRAP;
	e.in[1].dtype = ARES_DTYPE_I8;
	expect_one(&e, ARES_JOB_INVALID_CMD, "wrapping U8 + I8");
	e = elt_of(ARES_ELT_POW, ARES_DTYPE_BOOL, ARES_DTYPE_BOOL);
	expect_one(&e, ARES_JOB_INVALID_CMD, "POW on BOOL");
	for (size_t i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++) {
		e = elt_of(undefined[i], ARES_DTYPE_F32, ARES_DTYPE_F32);
		snprintf(what, sizeof(what), "undefined op %u", undefined[i]);
		expect_one(&e, ARES_JOB_INVALID_CMD, what);
		e = add_f32(4, 8);
		e.p.op = undefined[i];
		expect_one(&e, ARES_JOB_INVALID_CMD, what);
	}
}
END_TEST

START_TEST(test_quantisation_rules)
{
	struct ares_cmd_eltwise ok = add_f32(4, 8), e;
	int i;

	for (i = 0; i < 3; i++) {
		if (i == 2) {
			ok.out.dtype = ARES_DTYPE_I8;
			ok.out.quant = ARES_QUANT_PER_TENSOR;
			ok.out.scale = 0x3d800000u; /* 1/16 */
			ok.out.zero_point = (__u32)-5;
		} else {
			ok.in[i].dtype = ARES_DTYPE_I8;
			ok.in[i].va = TVA + (uint64_t)i * 0x10000000ull;
		}
	}
	expect_one(&ok, ARES_JOB_OK, "i8 add, one quantised output");
	e = ok;
	e.out.zero_point = 128;
	expect_one(&e, ARES_JOB_INVALID_CMD, "i8 zero point 128");
	e = ok;
	e.out.scale = 0x7f800000u;
	expect_one(&e, ARES_JOB_INVALID_CMD, "infinite scale");
	e = ok;
	e.out.scale = 0xbf800000u;
	expect_one(&e, ARES_JOB_INVALID_CMD, "negative scale");
	e = ok;
	e.out.quant = ARES_QUANT_PER_CHANNEL;
	e.out.scale = 0;
	e.out.zero_point = 0;
	e.out.qparams_va = TVA;
	expect_one(&e, ARES_JOB_INVALID_CMD, "per-channel output of ADD");
	e.p.op = ARES_ELT_COPY;
	e.num_inputs = 1;
	memset(&e.in[1], 0, sizeof(e.in[1]));
	expect_one(&e, ARES_JOB_OK, "per-channel output of COPY");
	e.out.quant_axis = 2;
	expect_one(&e, ARES_JOB_INVALID_CMD, "per-channel axis past rank");
	e.out.quant_axis = 1;
	e.out.qparams_va = TVA + 2;
	expect_one(&e, ARES_JOB_INVALID_CMD, "misaligned qparams");
}
END_TEST

START_TEST(test_per_opcode_shape_rules)
{
	struct ares_cmd_conv2d cv = {.hdr = {ARES_OP_CONV2D, 0, sizeof(cv)},
				     .p = {.stride_h = 1,
					   .stride_w = 1,
					   .pad_top = 1,
					   .pad_left = 1,
					   .pad_bottom = 1,
					   .pad_right = 1,
					   .dilation_h = 1,
					   .dilation_w = 1,
					   .groups = 1}};
	struct ares_cmd_matmul mm = {.hdr = {ARES_OP_MATMUL, 0, sizeof(mm)},
				     .p = {.alpha = 0x3f800000u}};
	struct ares_cmd_pool pl = {.hdr = {ARES_OP_POOL, 0, sizeof(pl)},
				   .p = {.kernel_h = 2,
					 .kernel_w = 2,
					 .stride_h = 2,
					 .stride_w = 2,
					 .dilation_h = 1,
					 .dilation_w = 1}};
	struct ares_cmd_reduce rd = {.hdr = {ARES_OP_REDUCE, 0, sizeof(rd)},
				     .p = {.op = ARES_REDUCE_ARGMAX, .axes = 2}};
	struct ares_cmd_gather ga = {.hdr = {ARES_OP_GATHER, 0, sizeof(ga)}, .axis = 1};
	struct ares_cmd_copy cp = {.hdr = {ARES_OP_COPY, 0, sizeof(cp)}};
	struct ares_cmd_pad pd = {.hdr = {ARES_OP_PAD, 0, sizeof(pd)},
				  .p = {.mode = ARES_PAD_REFLECT, .begin = {0, 2}, .end = {0, 1}}};
	struct ares_cmd_softmax sm = {.hdr = {ARES_OP_SOFTMAX, 0, sizeof(sm)}, .p = {.axis = 1}};
	struct ares_cmd_conv2d cv2;
	struct ares_cmd_matmul mm2;
	struct ares_cmd_pool pl2;
	struct ares_cmd_reduce rd2;
	struct ares_cmd_gather ga2;
	struct ares_cmd_copy cp2;
	struct ares_cmd_pad pd2;
	struct ares_cmd_softmax sm2;

	/* 3x3 conv, pad 1: 2x3x5x5 -> 2x4x5x5 */
	cv.x = td(TVA, ARES_DTYPE_F32, 4, 2, 3, 5, 5);
	cv.w = td(TVA + 0x1000000, ARES_DTYPE_F32, 4, 4, 3, 3, 3);
	cv.b = td(TVA + 0x2000000, ARES_DTYPE_F32, 1, 4, 0, 0, 0);
	cv.y = td(TVA + 0x3000000, ARES_DTYPE_F32, 4, 2, 4, 5, 5);
	expect_one(&cv, ARES_JOB_OK, "conv");
	cv2 = cv;
	cv2.y.shape[2] = 4;
	expect_one(&cv2, ARES_JOB_INVALID_CMD, "conv output height");
	cv2 = cv;
	cv2.p.groups = 2;
	expect_one(&cv2, ARES_JOB_INVALID_CMD, "conv groups not dividing C");
	cv2 = cv;
	cv2.w.dtype = ARES_DTYPE_F16;
	cv2.w.va = TVA + 0x1000000;
	expect_one(&cv2, ARES_JOB_INVALID_CMD, "conv mixed x/w dtypes");
	cv2 = cv;
	cv2.p.activation = ARES_ACT_COUNT;
	expect_one(&cv2, ARES_JOB_INVALID_CMD, "conv activation");

	/* [3, 4, 5] x [1, 5, 6] (batch broadcast) -> [3, 4, 6] */
	mm.a = td(TVA, ARES_DTYPE_F32, 3, 3, 4, 5, 0);
	mm.b = td(TVA + 0x1000000, ARES_DTYPE_F32, 3, 3, 5, 6, 0);
	mm.b.stride[0] = 0;
	mm.y = td(TVA + 0x3000000, ARES_DTYPE_F32, 3, 3, 4, 6, 0);
	expect_one(&mm, ARES_JOB_OK, "batched matmul");
	mm2 = mm;
	mm2.p.flags = ARES_MATMUL_TRANS_B;
	expect_one(&mm2, ARES_JOB_INVALID_CMD, "matmul K mismatch after transpose");
	mm2 = mm;
	mm2.p.flags = 4;
	expect_one(&mm2, ARES_JOB_INVALID_CMD, "matmul unknown flag");
	mm2 = mm;
	mm2.a.dtype = mm2.b.dtype = ARES_DTYPE_I8;
	mm2.y.dtype = ARES_DTYPE_I32;
	expect_one(&mm2, ARES_JOB_OK, "MatMulInteger");
	mm2.p.beta = 0x3f800000u;
	expect_one(&mm2, ARES_JOB_INVALID_CMD, "MatMulInteger with beta");

	/* 2x2 pool stride 2 over 5x5: floor 2, ceil 3 */
	pl.x = td(TVA, ARES_DTYPE_F32, 4, 1, 2, 5, 5);
	pl.y = td(TVA + 0x1000000, ARES_DTYPE_F32, 4, 1, 2, 2, 2);
	expect_one(&pl, ARES_JOB_OK, "pool floor mode");
	pl2 = pl;
	pl2.y.shape[2] = pl2.y.shape[3] = 3;
	pl2.y.stride[1] = 9;
	pl2.y.stride[0] = 18;
	pl2.y.stride[2] = 3;
	expect_one(&pl2, ARES_JOB_OK, "pool ceil mode");
	pl2.y.shape[2] = 4;
	expect_one(&pl2, ARES_JOB_INVALID_CMD, "pool output two past floor");
	pl2 = pl;
	pl2.p.op = ARES_POOL_AVG;
	pl2.x.dtype = pl2.y.dtype = ARES_DTYPE_I8;
	expect_one(&pl2, ARES_JOB_INVALID_CMD, "average pool of i8");

	rd.x = td(TVA, ARES_DTYPE_F32, 3, 2, 3, 4, 0);
	rd.y = td(TVA + 0x1000000, ARES_DTYPE_I64, 3, 2, 1, 4, 0);
	expect_one(&rd, ARES_JOB_OK, "argmax");
	rd2 = rd;
	rd2.p.axes = 3;
	expect_one(&rd2, ARES_JOB_INVALID_CMD, "argmax over two axes");
	rd2 = rd;
	rd2.p.axes = 8;
	expect_one(&rd2, ARES_JOB_INVALID_CMD, "reduce axis past rank");
	rd2 = rd;
	rd2.p.op = ARES_REDUCE_SUM;
	expect_one(&rd2, ARES_JOB_INVALID_CMD, "sum into i64 from f32");
	rd2 = rd;
	rd2.p.op = ARES_REDUCE_ARGMIN_LAST;
	expect_one(&rd2, ARES_JOB_OK, "argmin to the last tie");
	rd2.p.axes = 3;
	expect_one(&rd2, ARES_JOB_INVALID_CMD, "argmin_last over two axes");
	rd2 = rd;
	rd2.p.op = ARES_REDUCE_ARGMIN_LAST + 1;
	expect_one(&rd2, ARES_JOB_INVALID_CMD, "reduce op past ARGMIN_LAST");

	/* data [4, 10, 3], indices [2, 5] along axis 1 -> [4, 2, 5, 3] */
	ga.data = td(TVA, ARES_DTYPE_F32, 3, 4, 10, 3, 0);
	ga.indices = td(TVA + 0x1000000, ARES_DTYPE_I64, 2, 2, 5, 0, 0);
	ga.y = td(TVA + 0x2000000, ARES_DTYPE_F32, 4, 4, 2, 5, 3);
	expect_one(&ga, ARES_JOB_OK, "gather");
	ga2 = ga;
	ga2.indices.dtype = ARES_DTYPE_I8;
	expect_one(&ga2, ARES_JOB_INVALID_CMD, "gather with i8 indices");
	ga2 = ga;
	ga2.y.shape[3] = 4;
	expect_one(&ga2, ARES_JOB_INVALID_CMD, "gather output shape");

	cp.x = td(TVA, ARES_DTYPE_F32, 2, 4, 4, 0, 0);
	cp.y = td(TVA + 32, ARES_DTYPE_F32, 2, 4, 4, 0, 0);
	expect_one(&cp, ARES_JOB_INVALID_CMD, "overlapping copy");
	cp2 = cp;
	cp2.y = cp2.x;
	expect_one(&cp2, ARES_JOB_OK, "copy onto itself");
	cp2.y.va = TVA + 64;
	expect_one(&cp2, ARES_JOB_OK, "adjacent copy");

	pd.x = td(TVA, ARES_DTYPE_F32, 2, 3, 3, 0, 0);
	pd.y = td(TVA + 0x1000000, ARES_DTYPE_F32, 2, 3, 6, 0, 0);
	expect_one(&pd, ARES_JOB_OK, "reflect pad");
	pd2 = pd;
	pd2.p.begin[1] = 3;
	pd2.y.shape[1] = 7;
	expect_one(&pd2, ARES_JOB_INVALID_CMD, "reflect pad as wide as the input");
	pd2 = pd;
	pd2.p.mode = ARES_PAD_CONSTANT;
	pd2.p.value = 1ull << 32;
	expect_one(&pd2, ARES_JOB_INVALID_CMD, "pad value wider than f32");

	sm.x = td(TVA, ARES_DTYPE_F16, 2, 3, 7, 0, 0);
	sm.y = td(TVA + 0x1000000, ARES_DTYPE_F16, 2, 3, 7, 0, 0);
	expect_one(&sm, ARES_JOB_OK, "softmax");
	sm2 = sm;
	sm2.p.axis = 2;
	expect_one(&sm2, ARES_JOB_INVALID_CMD, "softmax axis past rank");
	sm2 = sm;
	sm2.x.dtype = sm2.y.dtype = ARES_DTYPE_I32;
	expect_one(&sm2, ARES_JOB_INVALID_CMD, "softmax of i32");
}
END_TEST

START_TEST(test_resize_cubic_parameters)
{
	struct ares_cmd_resize rs = {.hdr = {ARES_OP_RESIZE, 0, sizeof(rs)},
				     .p = {.mode = ARES_RESIZE_CUBIC,
					   .cubic_a = 0xbf400000u, /* -0.75 */
					   .exclude_outside = 1}};
	struct ares_cmd_resize rs2;

	rs.x = td(TVA, ARES_DTYPE_F32, 4, 1, 2, 4, 4);
	rs.y = td(TVA + 0x1000000, ARES_DTYPE_F32, 4, 1, 2, 8, 8);
	expect_one(&rs, ARES_JOB_OK, "cubic with exclude_outside");
	rs2 = rs;
	rs2.p.exclude_outside = 2;
	expect_one(&rs2, ARES_JOB_INVALID_CMD, "exclude_outside 2");
	rs2 = rs;
	rs2.p.cubic_a = 0x7fc00000u;
	expect_one(&rs2, ARES_JOB_INVALID_CMD, "cubic_a NaN");
	rs2 = rs;
	rs2.p.mode = ARES_RESIZE_LINEAR;
	expect_one(&rs2, ARES_JOB_INVALID_CMD, "cubic parameters on LINEAR");
	rs2.p.cubic_a = 0;
	rs2.p.exclude_outside = 0;
	expect_one(&rs2, ARES_JOB_OK, "linear");
	rs2 = rs;
	rs2.p.mode = ARES_RESIZE_CUBIC + 1;
	expect_one(&rs2, ARES_JOB_INVALID_CMD, "mode past CUBIC");
	rs2 = rs;
	rs2.x.dtype = rs2.y.dtype = ARES_DTYPE_I8;
	expect_one(&rs2, ARES_JOB_INVALID_CMD, "cubic of i8");
}
END_TEST

START_TEST(test_large_commands_split_into_sram_sized_tiles)
{
	/* 4096 x 256 f32 copy: 4 MiB in, 4 MiB out; 512 rows fill the 1 MiB SRAM. */
	struct ares_cmd_copy cp = {.hdr = {ARES_OP_COPY, 0, sizeof(cp)}};
	uint32_t i;

	cp.x = td(TVA, ARES_DTYPE_F32, 2, 4096, 256, 0, 0);
	cp.y = td(TVA + 0x10000000ull, ARES_DTYPE_F32, 2, 4096, 256, 0, 0);
	put(&cp, sizeof(cp));
	CHECK_RUN(used, ARES_JOB_OK, 0);
	ck_assert_uint_eq(n_tiles, 8);
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(tiles[i].copy.x.shape[0], 512);
		ck_assert_uint_eq(tiles[i].copy.x.shape[1], 256);
		ck_assert_uint_eq(tiles[i].copy.x.va, TVA + i * 512 * 1024ull);
		ck_assert_uint_eq(tiles[i].copy.y.va, TVA + 0x10000000ull + i * 512 * 1024ull);
	}
	ck_assert_uint_eq(last_modeled, FW_CMD_NS + 8 * TILE_NS);

	/* Softmax along dimension 0 cannot split: one streamed tile. */
	setup();
	{
		struct ares_cmd_softmax sm = {.hdr = {ARES_OP_SOFTMAX, 0, sizeof(sm)}};

		sm.x = cp.x;
		sm.y = cp.y;
		put(&sm, sizeof(sm));
		CHECK_RUN(used, ARES_JOB_OK, 0);
		ck_assert_uint_eq(n_tiles, 1);
	}

	/* A failing tile ends the job; the tiles before it count. */
	setup();
	engine_status = ARES_JOB_MMU_FAULT;
	put(&cp, sizeof(cp));
	CHECK_RUN(used, ARES_JOB_MMU_FAULT, 0);
	ck_assert_uint_eq(n_tiles, 1);
	ck_assert_uint_eq(last_modeled, FW_CMD_NS + TILE_NS);
}
END_TEST

START_TEST(test_prelu_rules_and_tiles)
{
	struct ares_cmd_prelu pr = {.hdr = {ARES_OP_PRELU, 0, sizeof(pr)}}, bad;
	uint32_t i;

	pr.x = td(TVA, ARES_DTYPE_BF16, 2, 3, 7, 0, 0);
	pr.slope = td(TVA + 0x1000000, ARES_DTYPE_BF16, 2, 3, 7, 0, 0);
	pr.slope.stride[0] = 0; /* one slope per column */
	pr.y = td(TVA + 0x2000000, ARES_DTYPE_BF16, 2, 3, 7, 0, 0);
	expect_one(&pr, ARES_JOB_OK, "prelu");
	bad = pr;
	bad.flags = 1;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu flags");
	bad = pr;
	bad.reserved = 1;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu reserved");
	bad = pr;
	bad.x.dtype = bad.slope.dtype = bad.y.dtype = ARES_DTYPE_I32;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu of i32");
	bad = pr;
	bad.slope.dtype = ARES_DTYPE_F32;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu slope of another dtype");
	bad = pr;
	bad.y.dtype = ARES_DTYPE_F16;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu y of another dtype");
	bad = pr;
	bad.slope.shape[0] = 1;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu slope of another shape");
	bad = pr;
	bad.y = td(TVA + 0x2000000, ARES_DTYPE_BF16, 3, 3, 7, 1, 0);
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu y of another rank");
	bad = pr;
	memset(&bad.slope, 0, sizeof(bad.slope));
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu without slope");
	bad = pr;
	bad.x.va += 1;
	expect_one(&bad, ARES_JOB_INVALID_CMD, "prelu x misaligned (§12.1)");

	/*
	 * 4096 x 256 f32: x, slope (broadcast, but a full view) and y are each
	 * sliced by rows, 3 KiB a row, so 341 rows fill the 1 MiB SRAM: 13 tiles.
	 */
	setup();
	pr.x = td(TVA, ARES_DTYPE_F32, 2, 4096, 256, 0, 0);
	pr.slope = td(TVA + 0x10000000ull, ARES_DTYPE_F32, 2, 4096, 256, 0, 0);
	pr.slope.stride[0] = 0;
	pr.y = td(TVA + 0x20000000ull, ARES_DTYPE_F32, 2, 4096, 256, 0, 0);
	put(&pr, sizeof(pr));
	CHECK_RUN(used, ARES_JOB_OK, 0);
	ck_assert_uint_eq(n_tiles, 13);
	for (i = 0; i < 13; i++) {
		ck_assert_uint_eq(tiles[i].prelu.x.shape[0], i < 12 ? 341 : 4096 - 12 * 341);
		ck_assert_uint_eq(tiles[i].prelu.x.va, TVA + i * 341 * 1024ull);
		ck_assert_uint_eq(tiles[i].prelu.slope.va, TVA + 0x10000000ull);
		ck_assert_uint_eq(tiles[i].prelu.y.va, TVA + 0x20000000ull + i * 341 * 1024ull);
	}
}
END_TEST

START_TEST(test_profile_alignment_and_empty_views)
{
	struct ares_cmd_profile pr = {.hdr = {ARES_OP_PROFILE, 0, sizeof(pr)}, .va = TVA + 4};
	struct ares_cmd_fill_tensor ft = {.hdr = {ARES_OP_FILL_TENSOR, 0, sizeof(ft)},
					  .value = 0x1ff};

	expect_one(&pr, ARES_JOB_INVALID_CMD, "misaligned PROFILE");
	ft.y = td(TVA, ARES_DTYPE_U8, 2, 0, 7, 0, 0);
	expect_one(&ft, ARES_JOB_INVALID_CMD, "fill value wider than u8");
	ft.value = 0xff;
	/* An empty view far beyond the VA space is fine: it touches nothing. */
	ft.y.stride[1] = 1ull << 60;
	expect_one(&ft, ARES_JOB_OK, "empty fill");
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
	tcase_add_test(t, test_valid_eltwise_runs_and_reports_modeled_time);
	tcase_add_test(t, test_bad_descriptors_are_invalid_cmd);
	tcase_add_test(t, test_quantisation_rules);
	tcase_add_test(t, test_eltwise_function_dtype_rules);
	tcase_add_test(t, test_per_opcode_shape_rules);
	tcase_add_test(t, test_resize_cubic_parameters);
	tcase_add_test(t, test_large_commands_split_into_sram_sized_tiles);
	tcase_add_test(t, test_prelu_rules_and_tiles);
	tcase_add_test(t, test_profile_alignment_and_empty_views);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
