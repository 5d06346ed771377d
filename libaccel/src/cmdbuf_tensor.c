/* SPDX-License-Identifier: MIT */
/*
 * Command-buffer builder, compute and tensor-DMA commands
 * (include/ares/ops.h): the caller fills the contract's structs in host
 * order; they are stored little-endian, field by field.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "ares/op_table.h"
#include "ares/ops.h"

#include "internal.h"

/* Bytes of the largest tensor command (NORM: 816), checked at the end of this file. */
#define ACCEL_TENSOR_CMD_MAX 1024

int accel_tensor_desc_init(struct ares_tensor_desc *t, uint64_t va, uint32_t dtype, uint32_t rank,
			   const uint64_t *shape)
{
	uint64_t stride = 1;
	int k;

	if (!t || !ares_dtype_size(dtype) || rank > ARES_MAX_RANK || (rank && !shape))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = (uint16_t)dtype;
	t->rank = (uint16_t)rank;
	for (k = (int)rank - 1; k >= 0; k--) {
		t->shape[k] = shape[k];
		t->stride[k] = stride;
		stride *= shape[k];
	}
	return 0;
}

/* What the builder can reject without the device; @t NULL is absent where @optional. */
static int desc_ok(const struct ares_tensor_desc *t, int optional)
{
	return t ? ares_desc_layout_ok(t) : optional;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* desc_ok() for an operand given in place: absent is dtype NONE and all zero. */
static int operand_ok(const struct ares_tensor_desc *t, int optional)
{
	if (t->dtype == ARES_DTYPE_NONE)
		return optional && all_zero(t, sizeof(*t));
	return ares_desc_layout_ok(t);
}

static void put_desc(struct ares_tensor_desc *dst, const struct ares_tensor_desc *t)
{
	int k;

	if (!t)
		return; /* the body is zeroed: dtype NONE */
	dst->va = htole64(t->va);
	dst->dtype = htole16(t->dtype);
	dst->rank = htole16(t->rank);
	dst->quant = htole16(t->quant);
	dst->quant_axis = htole16(t->quant_axis);
	for (k = 0; k < ARES_MAX_RANK; k++) {
		dst->shape[k] = htole64(t->shape[k]);
		dst->stride[k] = htole64(t->stride[k]);
	}
	dst->scale = htole32(t->scale);
	dst->zero_point = htole32(t->zero_point);
	dst->qparams_va = htole64(t->qparams_va);
}

/* Parameter blocks are 32-bit words, apart from 64-bit fields that the caller passes zero. */
static void put_words(void *dst, const void *src, size_t n)
{
	uint32_t w;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, (const uint8_t *)src + i, 4);
		w = htole32(w);
		memcpy((uint8_t *)dst + i, &w, 4);
	}
}

/* Encodes into a local struct first so a failed append leaves the stream as it was. */
static int append(accel_cmdbuf *cb, uint16_t opcode, void *cmd, uint32_t size)
{
	void *p;
	int ret;

	ret = accel_cmdbuf_emit(cb, opcode, size, &p);
	if (ret)
		return ret;
	memcpy((uint8_t *)p + sizeof(struct ares_cmd_hdr),
	       (const uint8_t *)cmd + sizeof(struct ares_cmd_hdr),
	       size - sizeof(struct ares_cmd_hdr));
	return 0;
}

int accel_cmdbuf_conv2d(accel_cmdbuf *cb, const struct ares_conv2d_params *p,
			const struct ares_tensor_desc *x, const struct ares_tensor_desc *w,
			const struct ares_tensor_desc *b, const struct ares_tensor_desc *y)
{
	struct ares_cmd_conv2d c = {0};

	if (!p || !all_zero(p->reserved, sizeof(p->reserved)) || !desc_ok(x, 0) || !desc_ok(w, 0) ||
	    !desc_ok(b, 1) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.w, w);
	put_desc(&c.b, b);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_CONV2D, &c, sizeof(c));
}

int accel_cmdbuf_matmul(accel_cmdbuf *cb, const struct ares_matmul_params *p,
			const struct ares_tensor_desc *a, const struct ares_tensor_desc *b,
			const struct ares_tensor_desc *cc, const struct ares_tensor_desc *y)
{
	struct ares_cmd_matmul c = {0};

	if (!p || !all_zero(p->reserved, sizeof(p->reserved)) ||
	    (p->flags & ~(ARES_MATMUL_TRANS_A | ARES_MATMUL_TRANS_B)) || !desc_ok(a, 0) ||
	    !desc_ok(b, 0) || !desc_ok(cc, 1) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.a, a);
	put_desc(&c.b, b);
	put_desc(&c.c, cc);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_MATMUL, &c, sizeof(c));
}

int accel_cmdbuf_eltwise(accel_cmdbuf *cb, const struct ares_eltwise_params *p, uint32_t num_inputs,
			 const struct ares_tensor_desc *const *in,
			 const struct ares_tensor_desc *out)
{
	struct ares_cmd_eltwise c = {0};
	uint32_t i;

	if (!p || (p->flags & ~ARES_ELT_F_WRAP) || num_inputs < 1 || num_inputs > 3 || !in ||
	    !desc_ok(out, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	for (i = 0; i < num_inputs; i++)
		if (!desc_ok(in[i], 0))
			return accel_cmdbuf_fail(cb, -EINVAL);
	c.num_inputs = htole32(num_inputs);
	put_words(&c.p, p, sizeof(c.p));
	for (i = 0; i < num_inputs; i++)
		put_desc(&c.in[i], in[i]);
	put_desc(&c.out, out);
	return append(cb, ARES_OP_ELTWISE, &c, sizeof(c));
}

int accel_cmdbuf_pool(accel_cmdbuf *cb, const struct ares_pool_params *p,
		      const struct ares_tensor_desc *x, const struct ares_tensor_desc *y)
{
	struct ares_cmd_pool c = {0};

	if (!p || p->reserved || !desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_POOL, &c, sizeof(c));
}

int accel_cmdbuf_reduce(accel_cmdbuf *cb, const struct ares_reduce_params *p,
			const struct ares_tensor_desc *x, const struct ares_tensor_desc *y)
{
	struct ares_cmd_reduce c = {0};

	if (!p || p->reserved || !desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_REDUCE, &c, sizeof(c));
}

int accel_cmdbuf_softmax(accel_cmdbuf *cb, const struct ares_softmax_params *p,
			 const struct ares_tensor_desc *x, const struct ares_tensor_desc *y)
{
	struct ares_cmd_softmax c = {0};

	if (!p || (p->flags & ~ARES_SOFTMAX_LOG) || !desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_SOFTMAX, &c, sizeof(c));
}

int accel_cmdbuf_norm(accel_cmdbuf *cb, const struct ares_norm_params *p,
		      const struct ares_tensor_desc *x, const struct ares_tensor_desc *scale,
		      const struct ares_tensor_desc *bias, const struct ares_tensor_desc *mean,
		      const struct ares_tensor_desc *var, const struct ares_tensor_desc *y)
{
	struct ares_cmd_norm c = {0};

	if (!p || p->reserved || !desc_ok(x, 0) || !desc_ok(scale, 1) || !desc_ok(bias, 1) ||
	    !desc_ok(mean, 1) || !desc_ok(var, 1) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.scale, scale);
	put_desc(&c.bias, bias);
	put_desc(&c.mean, mean);
	put_desc(&c.var, var);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_NORM, &c, sizeof(c));
}

int accel_cmdbuf_resize(accel_cmdbuf *cb, const struct ares_resize_params *p,
			const struct ares_tensor_desc *x, const struct ares_tensor_desc *y)
{
	struct ares_cmd_resize c = {0};

	if (!p || p->reserved || !desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_words(&c.p, p, sizeof(c.p));
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_RESIZE, &c, sizeof(c));
}

int accel_cmdbuf_copy(accel_cmdbuf *cb, const struct ares_tensor_desc *x,
		      const struct ares_tensor_desc *y)
{
	struct ares_cmd_copy c = {0};

	if (!desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_COPY, &c, sizeof(c));
}

int accel_cmdbuf_pad(accel_cmdbuf *cb, const struct ares_pad_params *p,
		     const struct ares_tensor_desc *x, const struct ares_tensor_desc *y)
{
	struct ares_cmd_pad c = {0};
	int k;

	if (!p || p->reserved0 || !desc_ok(x, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	c.p.mode = htole32(p->mode);
	c.p.value = htole64(p->value);
	for (k = 0; k < ARES_MAX_RANK; k++) {
		c.p.begin[k] = htole32(p->begin[k]);
		c.p.end[k] = htole32(p->end[k]);
	}
	put_desc(&c.x, x);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_PAD, &c, sizeof(c));
}

int accel_cmdbuf_gather(accel_cmdbuf *cb, uint32_t axis, const struct ares_tensor_desc *data,
			const struct ares_tensor_desc *indices, const struct ares_tensor_desc *y)
{
	struct ares_cmd_gather c = {0};

	if (!desc_ok(data, 0) || !desc_ok(indices, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	c.axis = htole32(axis);
	put_desc(&c.data, data);
	put_desc(&c.indices, indices);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_GATHER, &c, sizeof(c));
}

int accel_cmdbuf_fill_tensor(accel_cmdbuf *cb, uint64_t value, const struct ares_tensor_desc *y)
{
	struct ares_cmd_fill_tensor c = {0};

	if (!desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	c.value = htole64(value);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_FILL_TENSOR, &c, sizeof(c));
}

int accel_cmdbuf_prelu(accel_cmdbuf *cb, const struct ares_tensor_desc *x,
		       const struct ares_tensor_desc *slope, const struct ares_tensor_desc *y)
{
	struct ares_cmd_prelu c = {0};

	if (!desc_ok(x, 0) || !desc_ok(slope, 0) || !desc_ok(y, 0))
		return accel_cmdbuf_fail(cb, -EINVAL);
	put_desc(&c.x, x);
	put_desc(&c.slope, slope);
	put_desc(&c.y, y);
	return append(cb, ARES_OP_PRELU, &c, sizeof(c));
}

int accel_cmdbuf_profile(accel_cmdbuf *cb, uint64_t va)
{
	struct ares_cmd_profile c = {0};

	if (va % 8)
		return accel_cmdbuf_fail(cb, -EINVAL);
	c.va = htole64(va);
	return append(cb, ARES_OP_PROFILE, &c, sizeof(c));
}

/*
 * Any tensor command, from the op table alone: which bytes are operand
 * descriptors and which of them may be absent. The rest of the body is
 * parameter words, stored as 32-bit little-endian words (a 64-bit field,
 * as PAD's and FILL_TENSOR's value, is then right on a little-endian host;
 * the typed builders store it field by field). What a row's own rules
 * forbid, the firmware rejects.
 */
int accel_cmdbuf_tensor_op(accel_cmdbuf *cb, const void *cmd, size_t size)
{
	const struct ares_op_info *op;
	struct ares_cmd_hdr hdr;
	union {
		struct ares_cmd_hdr hdr;
		uint64_t align;
		uint8_t bytes[ACCEL_TENSOR_CMD_MAX];
	} c;
	uint32_t i;

	if (!cb)
		return -EINVAL;
	if (!cmd || size < sizeof(hdr))
		return accel_cmdbuf_fail(cb, -EINVAL);
	memcpy(&hdr, cmd, sizeof(hdr));
	op = ares_op_info(hdr.opcode);
	if (!op || !op->n_operands)
		return accel_cmdbuf_fail(cb, -EOPNOTSUPP);
	if (size != op->size || hdr.size != op->size || hdr.flags)
		return accel_cmdbuf_fail(cb, -EINVAL);
	for (i = 0; i < op->n_operands; i++) {
		const struct ares_tensor_desc *t = ares_operand_desc(cmd, op, i);
		struct ares_tensor_desc d;

		/* The command need not be aligned: read each descriptor out. */
		memcpy(&d, t, sizeof(d));
		if (!operand_ok(&d, op->operands[i].role & ARES_OPND_OPTIONAL))
			return accel_cmdbuf_fail(cb, -EINVAL);
	}
	/* Words first, then each descriptor over its own bytes, field by field. */
	put_words(c.bytes, cmd, size);
	for (i = 0; i < op->n_operands; i++) {
		struct ares_tensor_desc d;

		memcpy(&d, ares_operand_desc(cmd, op, i), sizeof(d));
		put_desc((struct ares_tensor_desc *)(c.bytes + op->operands[i].offset), &d);
	}
	return append(cb, (uint16_t)hdr.opcode, &c, op->size);
}

/*
 * Every v1 opcode has its typed builder, accel_cmdbuf_<name>, in cmdbuf.c
 * or here: a v1 row without one does not compile. A tensor opcode needs
 * none: accel_cmdbuf_tensor_op() builds any row of ARES_TENSOR_OP_TABLE.
 */
typedef void (*accel_builder_fn)(void);
#define ACCEL_BUILDER_ROW(NAME, name, code, type, engine, tiling)                                  \
	[ARES_OP_##NAME] = (accel_builder_fn)accel_cmdbuf_##name,
static const accel_builder_fn accel_builders[ARES_OP_SLOTS]
	__attribute__((unused)) = {ARES_V1_OP_TABLE(ACCEL_BUILDER_ROW)};
#undef ACCEL_BUILDER_ROW

/* The largest tensor command, so accel_cmdbuf_tensor_op() encodes on the stack. */
#define ACCEL_TENSOR_CMD_FITS_(NAME, name, code, type, engine, tiling)                             \
	_Static_assert(sizeof(type) <= ACCEL_TENSOR_CMD_MAX, #type " exceeds "                     \
								   "ACCEL_TENSOR_CMD_MAX");
ARES_TENSOR_OP_TABLE(ACCEL_TENSOR_CMD_FITS_)
#undef ACCEL_TENSOR_CMD_FITS_
