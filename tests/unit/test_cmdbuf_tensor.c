/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests of libaccel's tensor-command builder: byte-exact
 * encodings of every compute and tensor-DMA command, written out by offset
 * here (not through the structs) so a layout change cannot hide, and the
 * arguments the builder refuses; then the generic accel_cmdbuf_tensor_op()
 * against every typed builder, byte for byte, and each of its refusals.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "ares/op_table.h"
#include "ares/ops.h"

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

/* The 128-byte descriptor layout of include/ares/tensor.h, by offset. */
static void desc_bytes(uint8_t *p, uint64_t va, uint16_t dtype, uint16_t rank,
		       const uint64_t *shape, const uint64_t *stride, uint16_t quant,
		       uint16_t quant_axis, uint32_t scale, uint32_t zp, uint64_t qparams)
{
	put64(p, va);
	put16(p + 8, dtype);
	put16(p + 10, rank);
	put16(p + 12, quant);
	put16(p + 14, quant_axis);
	for (int k = 0; k < rank; k++) {
		put64(p + 16 + 8 * k, shape[k]);
		put64(p + 64 + 8 * k, stride[k]);
	}
	put32(p + 112, scale);
	put32(p + 116, zp);
	put64(p + 120, qparams);
}

START_TEST(test_desc_init_packs_strides)
{
	const uint64_t shape[3] = {2, 3, 5};
	struct ares_tensor_desc t;

	ck_assert_int_eq(accel_tensor_desc_init(&t, 0x1000, ARES_DTYPE_F16, 3, shape), 0);
	ck_assert_uint_eq(t.stride[0], 15);
	ck_assert_uint_eq(t.stride[1], 5);
	ck_assert_uint_eq(t.stride[2], 1);
	ck_assert_uint_eq(t.shape[3], 0);
	ck_assert_int_eq(accel_tensor_desc_init(&t, 0, ARES_DTYPE_F32, 0, NULL), 0);
	ck_assert_int_eq(accel_tensor_desc_init(&t, 0, ARES_DTYPE_NONE, 1, shape), -EINVAL);
	ck_assert_int_eq(accel_tensor_desc_init(&t, 0, ARES_DTYPE_COUNT, 1, shape), -EINVAL);
	ck_assert_int_eq(accel_tensor_desc_init(&t, 0, ARES_DTYPE_F32, 7, shape), -EINVAL);
	ck_assert_int_eq(accel_tensor_desc_init(NULL, 0, ARES_DTYPE_F32, 1, shape), -EINVAL);
}
END_TEST

START_TEST(test_conv2d_encoding)
{
	const uint64_t sx[4] = {1, 8, 9, 10}, sw[4] = {4, 2, 3, 3}, sy[4] = {1, 4, 9, 10};
	const uint64_t stx[4] = {720, 90, 10, 1}, stw[4] = {18, 9, 3, 1}, sty[4] = {360, 90, 10, 1};
	struct ares_conv2d_params p = {.stride_h = 1,
				       .stride_w = 2,
				       .pad_top = 3,
				       .pad_left = 4,
				       .pad_bottom = 5,
				       .pad_right = 6,
				       .dilation_h = 7,
				       .dilation_w = 8,
				       .groups = 4,
				       .activation = ARES_ACT_CLIP,
				       .act_alpha = 0xbf800000u,
				       .act_beta = 0x3f800000u};
	struct ares_tensor_desc x, w, y;
	uint8_t want[592] = {0};

	ck_assert_int_eq(accel_tensor_desc_init(&x, 0x10000, ARES_DTYPE_I8, 4, sx), 0);
	x.quant = ARES_QUANT_PER_TENSOR;
	x.scale = 0x3d800000u;
	x.zero_point = (uint32_t)-3;
	ck_assert_int_eq(accel_tensor_desc_init(&w, 0x20000, ARES_DTYPE_I8, 4, sw), 0);
	w.quant = ARES_QUANT_PER_CHANNEL;
	w.qparams_va = 0x30000;
	ck_assert_int_eq(accel_tensor_desc_init(&y, 0x40000, ARES_DTYPE_I32, 4, sy), 0);
	ck_assert_int_eq(accel_cmdbuf_conv2d(cb, &p, &x, &w, NULL, &y), 0);

	hdr(want, 0x0020, 592);
	for (int i = 0; i < 12; i++)
		put32(want + 16 + 4 * i, ((const uint32_t *)&p)[i]);
	desc_bytes(want + 80, 0x10000, 4, 4, sx, stx, 1, 0, 0x3d800000u, (uint32_t)-3, 0);
	desc_bytes(want + 208, 0x20000, 4, 4, sw, stw, 2, 0, 0, 0, 0x30000);
	/* b absent: 128 zero bytes at 336 */
	desc_bytes(want + 464, 0x40000, 6, 4, sy, sty, 0, 0, 0, 0, 0);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_matmul_and_eltwise_encoding)
{
	const uint64_t s2[2] = {3, 4}, st2[2] = {4, 1};
	struct ares_matmul_params mp = {.flags = ARES_MATMUL_TRANS_A | ARES_MATMUL_TRANS_B,
					.activation = ARES_ACT_RELU,
					.alpha = 0x40000000u,
					.beta = 0x3f000000u};
	struct ares_eltwise_params ep = {.op = ARES_ELT_ADD, .alpha = 1, .beta = 2};
	struct ares_tensor_desc a, c, y;
	const struct ares_tensor_desc *in[2] = {&a, &c};
	uint8_t want[560 + 544] = {0};

	accel_tensor_desc_init(&a, 0x100, ARES_DTYPE_F32, 2, s2);
	accel_tensor_desc_init(&c, 0x200, ARES_DTYPE_F32, 2, s2);
	accel_tensor_desc_init(&y, 0x300, ARES_DTYPE_F32, 2, s2);
	ck_assert_int_eq(accel_cmdbuf_matmul(cb, &mp, &a, &a, &c, &y), 0);
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 2, in, &y), 0);

	hdr(want, 0x0021, 560);
	put32(want + 16, 3);
	put32(want + 20, ARES_ACT_RELU);
	put32(want + 24, 0x40000000u);
	put32(want + 28, 0x3f000000u);
	desc_bytes(want + 48, 0x100, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(want + 176, 0x100, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(want + 304, 0x200, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(want + 432, 0x300, 1, 2, s2, st2, 0, 0, 0, 0, 0);

	hdr(want + 560, 0x0030, 544);
	put32(want + 560 + 12, 2);
	put32(want + 560 + 16, ARES_ELT_ADD);
	put32(want + 560 + 24, 1);
	put32(want + 560 + 28, 2);
	desc_bytes(want + 560 + 32, 0x100, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(want + 560 + 160, 0x200, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	/* in[2] absent at +288 */
	desc_bytes(want + 560 + 416, 0x300, 1, 2, s2, st2, 0, 0, 0, 0, 0);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_dma_and_profile_encoding)
{
	const uint64_t s1[1] = {7}, st1[1] = {1}, s2[2] = {2, 9}, st2[2] = {9, 1};
	struct ares_pad_params pp = {.mode = ARES_PAD_CONSTANT,
				     .value = 0x1122334455667788ull,
				     .begin = {1, 0, 0, 0, 0, 6},
				     .end = {0, 2, 0, 0, 5, 0}};
	struct ares_tensor_desc x, ix, y;
	uint8_t want[272 + 336 + 400 + 152 + 16] = {0}, *p = want;

	accel_tensor_desc_init(&x, 0x1000, ARES_DTYPE_I64, 1, s1);
	accel_tensor_desc_init(&y, 0x2000, ARES_DTYPE_I64, 1, s1);
	accel_tensor_desc_init(&ix, 0x3000, ARES_DTYPE_I32, 2, s2);
	ck_assert_int_eq(accel_cmdbuf_copy(cb, &x, &y), 0);
	ck_assert_int_eq(accel_cmdbuf_pad(cb, &pp, &x, &y), 0);
	ck_assert_int_eq(accel_cmdbuf_gather(cb, 5, &x, &ix, &y), 0);
	ck_assert_int_eq(accel_cmdbuf_fill_tensor(cb, 0xfedcba9876543210ull, &y), 0);
	ck_assert_int_eq(accel_cmdbuf_profile(cb, 0x4008), 0);

	hdr(p, 0x0040, 272);
	desc_bytes(p + 16, 0x1000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	desc_bytes(p + 144, 0x2000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	p += 272;
	hdr(p, 0x0041, 336);
	put32(p + 16, ARES_PAD_CONSTANT);
	put64(p + 24, 0x1122334455667788ull);
	put32(p + 32, 1);
	put32(p + 32 + 20, 6);
	put32(p + 56 + 4, 2);
	put32(p + 56 + 16, 5);
	desc_bytes(p + 80, 0x1000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	desc_bytes(p + 208, 0x2000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	p += 336;
	hdr(p, 0x0042, 400);
	put32(p + 12, 5);
	desc_bytes(p + 16, 0x1000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	desc_bytes(p + 144, 0x3000, 6, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(p + 272, 0x2000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	p += 400;
	hdr(p, 0x0043, 152);
	put64(p + 16, 0xfedcba9876543210ull);
	desc_bytes(p + 24, 0x2000, 7, 1, s1, st1, 0, 0, 0, 0, 0);
	p += 152;
	hdr(p, 0x0050, 16);
	put64(p + 8, 0x4008);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_vector_commands_opcodes_sizes_and_params)
{
	const uint64_t s4[4] = {1, 2, 4, 4};
	struct ares_pool_params pl = {.op = ARES_POOL_AVG_PAD, .kernel_h = 3, .dilation_w = 9};
	struct ares_reduce_params rd = {.op = ARES_REDUCE_L2, .axes = 0x2a};
	struct ares_softmax_params sm = {.axis = 3, .flags = ARES_SOFTMAX_LOG};
	struct ares_norm_params nm = {.kind = ARES_NORM_BATCH, .epsilon = 0x3727c5acu};
	struct ares_resize_params rs = {.mode = ARES_RESIZE_LINEAR,
					.coord = ARES_COORD_ALIGN_CORNERS,
					.scale = {0, 0, 0x40000000u, 0x40000000u}};
	struct ares_tensor_desc x, m;
	const uint8_t *d;
	size_t off = 0;

	accel_tensor_desc_init(&x, 0x1000, ARES_DTYPE_BF16, 4, s4);
	accel_tensor_desc_init(&m, 0x2000, ARES_DTYPE_F32, 4, s4);
	ck_assert_int_eq(accel_cmdbuf_pool(cb, &pl, &x, &x), 0);
	ck_assert_int_eq(accel_cmdbuf_reduce(cb, &rd, &x, &x), 0);
	ck_assert_int_eq(accel_cmdbuf_softmax(cb, &sm, &x, &x), 0);
	ck_assert_int_eq(accel_cmdbuf_norm(cb, &nm, &x, NULL, &m, &m, &m, &x), 0);
	ck_assert_int_eq(accel_cmdbuf_resize(cb, &rs, &x, &x), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 320 + 288 + 280 + 816 + 320);
	d = accel_cmdbuf_data(cb);
#define EXPECT32(o, v)                                                                             \
	ck_assert_msg(d[(o)] == ((v)&0xff) && d[(o) + 1] == (((v) >> 8) & 0xff) &&                 \
			      d[(o) + 2] == (((v) >> 16) & 0xff) && d[(o) + 3] == ((v) >> 24),     \
		      "word at %zu: expected 0x%x", (size_t)(o), (unsigned)(v))
	EXPECT32(off, 0x31u); /* opcode 0x31, flags 0 */
	EXPECT32(off + 4, 320);
	EXPECT32(off + 16, ARES_POOL_AVG_PAD);
	EXPECT32(off + 20, 3);
	EXPECT32(off + 56, 9);
	off += 320;
	EXPECT32(off, 0x32);
	EXPECT32(off + 16, ARES_REDUCE_L2);
	EXPECT32(off + 20, 0x2a);
	off += 288;
	EXPECT32(off, 0x33);
	EXPECT32(off + 16, 3);
	EXPECT32(off + 20, ARES_SOFTMAX_LOG);
	EXPECT32(off + 24, 0x1000); /* x right after the 8-byte parameters */
	off += 280;
	EXPECT32(off, 0x34);
	EXPECT32(off + 16, ARES_NORM_BATCH);
	EXPECT32(off + 24, 0x3727c5acu);
	EXPECT32(off + 48 + 128 + 8, 0);	   /* scale absent: dtype NONE */
	EXPECT32(off + 48 + 256 + 8, 0x00040001u); /* bias: F32, rank 4 */
	off += 816;
	EXPECT32(off, 0x35);
	EXPECT32(off + 16, ARES_RESIZE_LINEAR);
	EXPECT32(off + 20, ARES_COORD_ALIGN_CORNERS);
	EXPECT32(off + 32 + 8, 0x40000000u);
#undef EXPECT32
}
END_TEST

START_TEST(test_prelu_encoding_and_refusals)
{
	const uint64_t s2[2] = {2, 3}, st2[2] = {3, 1}, bst[2] = {0, 1};
	struct ares_tensor_desc x, slope, y, bad;
	uint8_t want[400] = {0};

	accel_tensor_desc_init(&x, 0x1000, ARES_DTYPE_F16, 2, s2);
	accel_tensor_desc_init(&slope, 0x2000, ARES_DTYPE_F16, 2, s2);
	slope.stride[0] = 0; /* one slope per column, broadcast over rows */
	accel_tensor_desc_init(&y, 0x3000, ARES_DTYPE_F16, 2, s2);
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, &x, &slope, &y), 0);

	hdr(want, 0x0036, 400);
	desc_bytes(want + 16, 0x1000, 2, 2, s2, st2, 0, 0, 0, 0, 0);
	desc_bytes(want + 144, 0x2000, 2, 2, s2, bst, 0, 0, 0, 0, 0);
	desc_bytes(want + 272, 0x3000, 2, 2, s2, st2, 0, 0, 0, 0, 0);
	expect_bytes(want, sizeof(want));

	/* No operand is optional, and each is checked as a descriptor. */
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, NULL, &slope, &y), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, &x, NULL, &y), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, &x, &slope, NULL), -EINVAL);
	bad = slope;
	bad.va = 0x2001; /* not a multiple of the element size */
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, &x, &bad, &y), -EINVAL);
	bad = y;
	bad.stride[3] = 1; /* past rank */
	ck_assert_int_eq(accel_cmdbuf_prelu(cb, &x, &slope, &bad), -EINVAL);
	expect_bytes(want, sizeof(want));
	ck_assert_int_eq(accel_cmdbuf_error(cb), -EINVAL);
}
END_TEST

START_TEST(test_bad_arguments_are_einval_and_change_nothing)
{
	const uint64_t s2[2] = {3, 4};
	struct ares_eltwise_params ep = {.op = ARES_ELT_NEG};
	struct ares_matmul_params mp = {.flags = 4};
	struct ares_tensor_desc ok, bad;
	const struct ares_tensor_desc *in[3] = {&ok, &ok, &ok};
	const struct ares_tensor_desc *badin[1] = {&bad};

	accel_tensor_desc_init(&ok, 0x1000, ARES_DTYPE_F32, 2, s2);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 8), 0);
	bad = ok;
	bad.dtype = 42;
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 1, badin, &ok), -EINVAL);
	bad = ok;
	bad.rank = 7;
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 1, badin, &ok), -EINVAL);
	ep.flags = 2; /* only ARES_ELT_F_WRAP is defined */
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 1, in, &ok), -EINVAL);
	ep.flags = 0;
	bad = ok;
	bad.shape[2] = 1; /* past rank */
	ck_assert_int_eq(accel_cmdbuf_copy(cb, &bad, &ok), -EINVAL);
	bad = ok;
	bad.va = 0x1002;
	ck_assert_int_eq(accel_cmdbuf_copy(cb, &ok, &bad), -EINVAL);
	bad = ok;
	bad.quant = 3;
	ck_assert_int_eq(accel_cmdbuf_fill_tensor(cb, 0, &bad), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 0, in, &ok), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, &ep, 4, in, &ok), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_eltwise(cb, NULL, 1, in, &ok), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_copy(cb, NULL, &ok), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_matmul(cb, &mp, &ok, &ok, NULL, &ok), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_profile(cb, 0x1004), -EINVAL);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 8);
	ck_assert_int_eq(accel_cmdbuf_error(cb), -EINVAL);
}
END_TEST

/* ------------------------------------------ the generic builder, accel_cmdbuf_tensor_op */

/* One command of every tensor opcode that has a typed builder, in host order. */
union any_cmd {
	struct ares_cmd_hdr hdr;
	struct ares_cmd_conv2d conv2d;
	struct ares_cmd_matmul matmul;
	struct ares_cmd_eltwise eltwise;
	struct ares_cmd_pool pool;
	struct ares_cmd_reduce reduce;
	struct ares_cmd_softmax softmax;
	struct ares_cmd_norm norm;
	struct ares_cmd_resize resize;
	struct ares_cmd_copy copy;
	struct ares_cmd_pad pad;
	struct ares_cmd_gather gather;
	struct ares_cmd_fill_tensor fill_tensor;
	struct ares_cmd_prelu prelu;
};

static const unsigned int typed_opcodes[] = {
	ARES_OP_CONV2D,	 ARES_OP_MATMUL,      ARES_OP_ELTWISE, ARES_OP_POOL, ARES_OP_REDUCE,
	ARES_OP_SOFTMAX, ARES_OP_NORM,	      ARES_OP_RESIZE,  ARES_OP_COPY, ARES_OP_PAD,
	ARES_OP_GATHER,	 ARES_OP_FILL_TENSOR, ARES_OP_PRELU,
};

static struct ares_tensor_desc desc(uint64_t va, uint32_t dtype, uint32_t rank,
				    const uint64_t *shape)
{
	struct ares_tensor_desc t;

	ck_assert_int_eq(accel_tensor_desc_init(&t, va, dtype, rank, shape), 0);
	return t;
}

static struct ares_tensor_desc quant(struct ares_tensor_desc t, uint32_t scale, uint32_t zp)
{
	t.quant = ARES_QUANT_PER_TENSOR;
	t.scale = scale;
	t.zero_point = zp;
	return t;
}

/* A command of OPCODE with parameters and operands a typed builder takes. */
static void sample(unsigned int opcode, union any_cmd *u)
{
	static const uint64_t s4[4] = {1, 3, 8, 8}, w4[4] = {4, 3, 3, 3}, b1[1] = {4},
			      o4[4] = {1, 4, 6, 6}, s2[2] = {5, 7}, s3[3] = {2, 5, 7}, i1[1] = {3};

	memset(u, 0, sizeof(*u));
	switch (opcode) {
	case ARES_OP_CONV2D: {
		struct ares_cmd_conv2d *c = &u->conv2d;

		c->p = (struct ares_conv2d_params){.stride_h = 1,
						   .stride_w = 1,
						   .dilation_h = 1,
						   .dilation_w = 1,
						   .groups = 1,
						   .activation = 1,
						   .act_alpha = 0x3f000000};
		c->x = quant(desc(0x10000, ARES_DTYPE_I8, 4, s4), 0x3c000000, 0xfffffffd);
		c->w = desc(0x20000, ARES_DTYPE_I8, 4, w4);
		c->w.quant = ARES_QUANT_PER_CHANNEL;
		c->w.qparams_va = 0x28000;
		c->b = desc(0x30000, ARES_DTYPE_I32, 1, b1);
		c->y = quant(desc(0x40000, ARES_DTYPE_U8, 4, o4), 0x3d000000, 128);
		break;
	}
	case ARES_OP_MATMUL: /* c absent */
		u->matmul.p = (struct ares_matmul_params){
			.flags = ARES_MATMUL_TRANS_B, .alpha = 0x3f800000, .beta = 0x40000000};
		u->matmul.a = desc(0x1000, ARES_DTYPE_F16, 2, s2);
		u->matmul.b = desc(0x2000, ARES_DTYPE_F16, 2, s2);
		u->matmul.y = desc(0x3000, ARES_DTYPE_F32, 2, (const uint64_t[]){5, 5});
		break;
	case ARES_OP_ELTWISE: /* two inputs, the third absent */
		u->eltwise.num_inputs = 2;
		u->eltwise.p = (struct ares_eltwise_params){
			.op = ARES_ELT_ADD, .alpha = 0x3f800000, .beta = 0xbf800000};
		u->eltwise.in[0] = desc(0x1000, ARES_DTYPE_BF16, 3, s3);
		u->eltwise.in[1] = desc(0x2000, ARES_DTYPE_BF16, 3, s3);
		u->eltwise.in[1].stride[0] = 0;
		u->eltwise.out = desc(0x3000, ARES_DTYPE_BF16, 3, s3);
		break;
	case ARES_OP_POOL:
		u->pool.p = (struct ares_pool_params){.op = ARES_POOL_MAX,
						      .kernel_h = 3,
						      .kernel_w = 3,
						      .stride_h = 1,
						      .stride_w = 1,
						      .pad_top = 1,
						      .dilation_h = 1,
						      .dilation_w = 1};
		u->pool.x = desc(0x1000, ARES_DTYPE_F32, 4, s4);
		u->pool.y = desc(0x8000, ARES_DTYPE_F32, 4, s4);
		break;
	case ARES_OP_REDUCE:
		u->reduce.p = (struct ares_reduce_params){.op = ARES_REDUCE_SUM, .axes = 2};
		u->reduce.x = desc(0x1000, ARES_DTYPE_F32, 2, s2);
		u->reduce.y = desc(0x2000, ARES_DTYPE_F32, 2, (const uint64_t[]){5, 1});
		break;
	case ARES_OP_SOFTMAX:
		u->softmax.p = (struct ares_softmax_params){.axis = 1, .flags = ARES_SOFTMAX_LOG};
		u->softmax.x = desc(0x1000, ARES_DTYPE_F32, 2, s2);
		u->softmax.y = desc(0x2000, ARES_DTYPE_F32, 2, s2);
		break;
	case ARES_OP_NORM: /* scale and bias present, mean and var absent */
		u->norm.p = (struct ares_norm_params){.kind = 1, .axis = 1, .epsilon = 0x3727c5ac};
		u->norm.x = desc(0x1000, ARES_DTYPE_F32, 3, s3);
		u->norm.scale = desc(0x2000, ARES_DTYPE_F32, 1, i1);
		u->norm.bias = desc(0x3000, ARES_DTYPE_F32, 1, i1);
		u->norm.y = desc(0x4000, ARES_DTYPE_F32, 3, s3);
		break;
	case ARES_OP_RESIZE:
		u->resize.p = (struct ares_resize_params){
			.mode = 1, .coord = 2, .nearest = 3, .scale = {0x3f800000, 0x40000000}};
		u->resize.x = desc(0x1000, ARES_DTYPE_F32, 2, s2);
		u->resize.y = desc(0x2000, ARES_DTYPE_F32, 2, (const uint64_t[]){5, 14});
		break;
	case ARES_OP_COPY:
		u->copy.x = desc(0x1000, ARES_DTYPE_U8, 2, s2);
		u->copy.x.stride[0] = 9;
		u->copy.y = desc(0x2001, ARES_DTYPE_U8, 2, s2);
		break;
	case ARES_OP_PAD:
		/* A 64-bit value whose halves differ, so their order shows. */
		u->pad.p = (struct ares_pad_params){
			.mode = 1, .value = 0x1122334455667788ull, .begin = {1, 2}, .end = {3, 4}};
		u->pad.x = desc(0x1000, ARES_DTYPE_I64, 2, s2);
		u->pad.y = desc(0x4000, ARES_DTYPE_I64, 2, (const uint64_t[]){9, 13});
		break;
	case ARES_OP_GATHER:
		u->gather.axis = 1;
		u->gather.data = desc(0x1000, ARES_DTYPE_F32, 2, s2);
		u->gather.indices = desc(0x2000, ARES_DTYPE_I64, 1, i1);
		u->gather.y = desc(0x3000, ARES_DTYPE_F32, 2, (const uint64_t[]){5, 3});
		break;
	case ARES_OP_FILL_TENSOR:
		u->fill_tensor.value = 0xa1b2c3d4e5f60718ull;
		u->fill_tensor.y = desc(0x1000, ARES_DTYPE_I64, 2, s2);
		break;
	case ARES_OP_PRELU:
		u->prelu.x = desc(0x1000, ARES_DTYPE_F16, 2, s2);
		u->prelu.slope = desc(0x2000, ARES_DTYPE_F16, 2, s2);
		u->prelu.slope.stride[0] = 0;
		u->prelu.y = desc(0x3000, ARES_DTYPE_F16, 2, s2);
		break;
	default:
		ck_abort_msg("no sample command for opcode %#x", opcode);
	}
	u->hdr.opcode = (uint16_t)opcode;
	u->hdr.size = ares_op_info(opcode)->size;
}

static const struct ares_tensor_desc *present(const struct ares_tensor_desc *t)
{
	return t->dtype == ARES_DTYPE_NONE ? NULL : t;
}

/* The same command through its typed builder. */
static int build_typed(accel_cmdbuf *b, const union any_cmd *u)
{
	switch (u->hdr.opcode) {
	case ARES_OP_CONV2D:
		return accel_cmdbuf_conv2d(b, &u->conv2d.p, &u->conv2d.x, &u->conv2d.w,
					   present(&u->conv2d.b), &u->conv2d.y);
	case ARES_OP_MATMUL:
		return accel_cmdbuf_matmul(b, &u->matmul.p, &u->matmul.a, &u->matmul.b,
					   present(&u->matmul.c), &u->matmul.y);
	case ARES_OP_ELTWISE: {
		const struct ares_tensor_desc *in[3] = {&u->eltwise.in[0], &u->eltwise.in[1],
							&u->eltwise.in[2]};

		return accel_cmdbuf_eltwise(b, &u->eltwise.p, u->eltwise.num_inputs, in,
					    &u->eltwise.out);
	}
	case ARES_OP_POOL:
		return accel_cmdbuf_pool(b, &u->pool.p, &u->pool.x, &u->pool.y);
	case ARES_OP_REDUCE:
		return accel_cmdbuf_reduce(b, &u->reduce.p, &u->reduce.x, &u->reduce.y);
	case ARES_OP_SOFTMAX:
		return accel_cmdbuf_softmax(b, &u->softmax.p, &u->softmax.x, &u->softmax.y);
	case ARES_OP_NORM:
		return accel_cmdbuf_norm(b, &u->norm.p, &u->norm.x, present(&u->norm.scale),
					 present(&u->norm.bias), present(&u->norm.mean),
					 present(&u->norm.var), &u->norm.y);
	case ARES_OP_RESIZE:
		return accel_cmdbuf_resize(b, &u->resize.p, &u->resize.x, &u->resize.y);
	case ARES_OP_COPY:
		return accel_cmdbuf_copy(b, &u->copy.x, &u->copy.y);
	case ARES_OP_PAD:
		return accel_cmdbuf_pad(b, &u->pad.p, &u->pad.x, &u->pad.y);
	case ARES_OP_GATHER:
		return accel_cmdbuf_gather(b, u->gather.axis, &u->gather.data, &u->gather.indices,
					   &u->gather.y);
	case ARES_OP_FILL_TENSOR:
		return accel_cmdbuf_fill_tensor(b, u->fill_tensor.value, &u->fill_tensor.y);
	case ARES_OP_PRELU:
		return accel_cmdbuf_prelu(b, &u->prelu.x, &u->prelu.slope, &u->prelu.y);
	}
	return -ENOSYS;
}

START_TEST(test_tensor_op_is_byte_identical_to_every_typed_builder)
{
	const unsigned int n = sizeof(typed_opcodes) / sizeof(typed_opcodes[0]);
	unsigned int in_table = 0;
	accel_cmdbuf *typed;
	union any_cmd u;

	/* Every tensor row of the table has a typed builder today: all are compared. */
#define COUNT(NAME, name, code, type, engine, tiling) in_table++;
	ARES_TENSOR_OP_TABLE(COUNT)
#undef COUNT
	ck_assert_uint_eq(n, in_table);
	ck_assert_int_eq(accel_cmdbuf_create(&typed), 0);
	for (unsigned int i = 0; i < n; i++) {
		const char *name = ares_op_info(typed_opcodes[i])->name;
		size_t before = accel_cmdbuf_size(cb);

		sample(typed_opcodes[i], &u);
		ck_assert_msg(build_typed(typed, &u) == 0, "%s: typed builder refused", name);
		ck_assert_msg(accel_cmdbuf_tensor_op(cb, &u, u.hdr.size) == 0,
			      "%s: accel_cmdbuf_tensor_op refused", name);
		ck_assert_uint_eq(accel_cmdbuf_size(cb) - before, u.hdr.size);
		ck_assert_uint_eq(accel_cmdbuf_size(cb), accel_cmdbuf_size(typed));
		const uint8_t *a = accel_cmdbuf_data(typed), *b = accel_cmdbuf_data(cb);

		for (size_t k = before; k < accel_cmdbuf_size(cb); k++)
			ck_assert_msg(a[k] == b[k], "%s: byte %zu: typed 0x%02x, generic 0x%02x",
				      name, k - before, a[k], b[k]);
	}
	ck_assert_int_eq(accel_cmdbuf_error(cb), 0);
	accel_cmdbuf_destroy(typed);
}
END_TEST

/* The encoding by offset once, so both builders cannot share a mistake. */
START_TEST(test_tensor_op_pad_encoding_by_offset)
{
	const uint64_t s2[2] = {5, 7}, o2[2] = {9, 13}, st_x[2] = {7, 1}, st_y[2] = {13, 1};
	uint8_t want[336] = {0};
	union any_cmd u;

	sample(ARES_OP_PAD, &u);
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &u.pad, sizeof(u.pad)), 0);
	hdr(want, 0x0041, 336);
	put32(want + 16, 1);
	put64(want + 24, 0x1122334455667788ull);
	put32(want + 32, 1);
	put32(want + 36, 2);
	put32(want + 56, 3);
	put32(want + 60, 4);
	desc_bytes(want + 80, 0x1000, ARES_DTYPE_I64, 2, s2, st_x, 0, 0, 0, 0, 0);
	desc_bytes(want + 208, 0x4000, ARES_DTYPE_I64, 2, o2, st_y, 0, 0, 0, 0, 0);
	expect_bytes(want, sizeof(want));
}
END_TEST

START_TEST(test_tensor_op_refusals_change_nothing)
{
	struct ares_cmd_fence_write fw = {.hdr = {ARES_OP_FENCE_WRITE, 0, sizeof(fw)}, .va = 8};
	union any_cmd u, bad;

	sample(ARES_OP_CONV2D, &u);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 16), 0);

	/* NULL arguments. */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(NULL, &u, sizeof(u.conv2d)), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, NULL, sizeof(u.conv2d)), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &u, 4), -EINVAL); /* not even a header */

	/* Opcodes: unknown, past the slots, and a v1 command that has no operands. */
	bad = u;
	bad.hdr.opcode = 0x37;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EOPNOTSUPP);
	bad.hdr.opcode = 0xffff;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EOPNOTSUPP);
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &fw, sizeof(fw)), -EOPNOTSUPP);

	/* Sizes and the header's own fields. */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &u, sizeof(u.conv2d) - 8), -EINVAL);
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &u, sizeof(u.conv2d) + 8), -EINVAL);
	bad = u;
	bad.hdr.size = sizeof(u.conv2d) + 8;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad.hdr.size = 0;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	bad.hdr.flags = 1;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);

	/* Descriptors, one layout rule at a time, on each operand in turn. */
	bad = u;
	bad.conv2d.x.va += 1; /* fine for I8: element size 1 */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), 0);
	ck_assert_int_eq(accel_cmdbuf_reset(cb), 0);
	ck_assert_int_eq(accel_cmdbuf_nop(cb, 16), 0);
	bad = u;
	bad.conv2d.b.va = 0x30002; /* I32 needs 4-byte alignment */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	bad.conv2d.w.dtype = 42;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	bad.conv2d.y.rank = ARES_MAX_RANK + 1;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	bad.conv2d.x.shape[5] = 1; /* past rank */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	bad.conv2d.y.quant = ARES_QUANT_PER_CHANNEL + 1;
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	/* Absent: only where the table says optional, and then all zero. */
	bad = u;
	memset(&bad.conv2d.x, 0, sizeof(bad.conv2d.x));
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	bad = u;
	memset(&bad.conv2d.b, 0, sizeof(bad.conv2d.b));
	bad.conv2d.b.va = 0x30000; /* dtype NONE with a stray field */
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), -EINVAL);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 16);
	ck_assert_int_eq(accel_cmdbuf_error(cb), -EINVAL);

	/* An absent optional operand is accepted, and a refusal appended nothing. */
	bad = u;
	memset(&bad.conv2d.b, 0, sizeof(bad.conv2d.b));
	ck_assert_int_eq(accel_cmdbuf_tensor_op(cb, &bad, sizeof(u.conv2d)), 0);
	ck_assert_uint_eq(accel_cmdbuf_size(cb), 16 + sizeof(u.conv2d));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("libaccel tensor commands");
	TCase *t = tcase_create("encode");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_desc_init_packs_strides);
	tcase_add_test(t, test_conv2d_encoding);
	tcase_add_test(t, test_matmul_and_eltwise_encoding);
	tcase_add_test(t, test_dma_and_profile_encoding);
	tcase_add_test(t, test_vector_commands_opcodes_sizes_and_params);
	tcase_add_test(t, test_prelu_encoding_and_refusals);
	tcase_add_test(t, test_bad_arguments_are_einval_and_change_nothing);
	tcase_add_test(t, test_tensor_op_is_byte_identical_to_every_typed_builder);
	tcase_add_test(t, test_tensor_op_pad_encoding_by_offset);
	tcase_add_test(t, test_tensor_op_refusals_change_nothing);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
