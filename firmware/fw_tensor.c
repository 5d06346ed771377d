/* SPDX-License-Identifier: MIT */
/*
 * Tensor descriptors and the compute op set (hw-spec §12): everything the
 * firmware can reject without touching memory, and the split of a command
 * into tiles (§12.11). Engines never see a command that fails here.
 */
#include <ares/ops.h>

#include "fw.h"

#define F32_ONE 0x3f800000u

static int f32_finite_nonneg(__u32 bits)
{
	return !bits || ares_f32_positive(bits);
}

static int f32_finite(__u32 bits)
{
	return (bits & 0x7f800000u) != 0x7f800000u;
}

static int all_zero(const void *p, size_t n)
{
	const __u8 *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static int same_shape(const struct ares_tensor_desc *a, const struct ares_tensor_desc *b)
{
	__u32 k;

	if (a->rank != b->rank)
		return 0;
	for (k = 0; k < a->rank; k++)
		if (a->shape[k] != b->shape[k])
			return 0;
	return 1;
}

static int per_channel(const struct ares_tensor_desc *t)
{
	return t->quant == ARES_QUANT_PER_CHANNEL;
}

static int quantised(const struct ares_tensor_desc *t)
{
	return t->quant != ARES_QUANT_NONE;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return ARES_JOB_INVALID_CMD;                                               \
	} while (0)

/* Output size of one convolution/pooling axis, or -1 if the window never fits. */
static __s64 window_out(__u64 in, __u64 pad0, __u64 pad1, __u64 k, __u64 dil, __u64 stride)
{
	__u64 span = dil * (k - 1) + 1;

	if (in + pad0 + pad1 < span)
		return -1;
	return (__s64)((in + pad0 + pad1 - span) / stride + 1);
}

static __u32 fw_check_conv2d(const union fw_cmd *u)
{
	const struct ares_cmd_conv2d *c = &u->conv2d;
	const struct ares_conv2d_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *w = &c->w, *b = &c->b, *y = &c->y;
	__u64 C, M;

	CHECK(!c->flags && !c->reserved && all_zero(p->reserved, sizeof(p->reserved)));
	CHECK(p->stride_h && p->stride_w && p->dilation_h && p->dilation_w && p->groups);
	CHECK(p->activation < ARES_ACT_COUNT);
	CHECK(x->rank == 4 && w->rank == 4 && y->rank == 4);
	C = x->shape[1];
	M = w->shape[0];
	CHECK(C % p->groups == 0 && M % p->groups == 0 && w->shape[1] * p->groups == C);
	CHECK(w->shape[2] && w->shape[3]);
	CHECK(y->shape[0] == x->shape[0] && y->shape[1] == M);
	CHECK((__s64)y->shape[2] == window_out(x->shape[2], p->pad_top, p->pad_bottom, w->shape[2],
					       p->dilation_h, p->stride_h));
	CHECK((__s64)y->shape[3] == window_out(x->shape[3], p->pad_left, p->pad_right, w->shape[3],
					       p->dilation_w, p->stride_w));
	if (b->dtype)
		CHECK(b->rank == 1 && b->shape[0] == M);
	if (ares_dtype_is_float(x->dtype)) {
		CHECK(w->dtype == x->dtype && ares_dtype_is_float(y->dtype));
		CHECK(!b->dtype || b->dtype == ARES_DTYPE_F32);
		CHECK(!quantised(x) && !quantised(w) && !quantised(y));
	} else {
		CHECK(ares_dtype_is_quant(x->dtype) && ares_dtype_is_quant(w->dtype) &&
		      !per_channel(x));
		CHECK(!per_channel(w) || w->quant_axis == 0);
		CHECK(!b->dtype || b->dtype == ARES_DTYPE_I32);
		if (y->dtype == ARES_DTYPE_I32)
			CHECK(p->activation == ARES_ACT_NONE);
		else
			CHECK(ares_dtype_is_quant(y->dtype) && !per_channel(y));
	}
	return ARES_JOB_OK;
}

static __u32 fw_check_matmul(const union fw_cmd *u)
{
	const struct ares_cmd_matmul *c = &u->matmul;
	const struct ares_matmul_params *p = &c->p;
	const struct ares_tensor_desc *a = &c->a, *b = &c->b, *cc = &c->c, *y = &c->y;
	__u32 r, k;
	__u64 am, ak, bk, bn;

	CHECK(!c->flags && !c->reserved && all_zero(p->reserved, sizeof(p->reserved)));
	CHECK(!(p->flags & ~(ARES_MATMUL_TRANS_A | ARES_MATMUL_TRANS_B)));
	CHECK(p->activation < ARES_ACT_COUNT);
	r = y->rank;
	CHECK(r >= 2 && a->rank == r && b->rank == r);
	if (cc->dtype)
		CHECK(same_shape(cc, y));
	am = a->shape[(p->flags & ARES_MATMUL_TRANS_A) ? r - 1 : r - 2];
	ak = a->shape[(p->flags & ARES_MATMUL_TRANS_A) ? r - 2 : r - 1];
	bk = b->shape[(p->flags & ARES_MATMUL_TRANS_B) ? r - 1 : r - 2];
	bn = b->shape[(p->flags & ARES_MATMUL_TRANS_B) ? r - 2 : r - 1];
	CHECK(ak == bk && y->shape[r - 2] == am && y->shape[r - 1] == bn);
	for (k = 0; k + 2 < r; k++)
		CHECK(a->shape[k] == y->shape[k] && b->shape[k] == y->shape[k]);
	if (ares_dtype_is_float(a->dtype)) {
		CHECK(b->dtype == a->dtype && ares_dtype_is_float(y->dtype));
		CHECK(!cc->dtype || cc->dtype == ARES_DTYPE_F32);
		CHECK(!quantised(a) && !quantised(b) && !quantised(y));
	} else {
		CHECK(ares_dtype_is_quant(a->dtype) && ares_dtype_is_quant(b->dtype) &&
		      !per_channel(a) && !cc->dtype);
		CHECK(!per_channel(b) ||
		      b->quant_axis == ((p->flags & ARES_MATMUL_TRANS_B) ? r - 2 : r - 1));
		if (y->dtype == ARES_DTYPE_I32)
			CHECK(p->activation == ARES_ACT_NONE && p->alpha == F32_ONE && !p->beta);
		else
			CHECK(ares_dtype_is_quant(y->dtype) && !per_channel(y));
	}
	return ARES_JOB_OK;
}

static __u32 fw_check_eltwise(const union fw_cmd *u)
{
	const struct ares_cmd_eltwise *c = &u->eltwise;
	const struct ares_tensor_desc *in = c->in, *out = &c->out;
	__u32 op = c->p.op, want, i, dt;

	CHECK(!c->flags && !(c->p.flags & ~ARES_ELT_F_WRAP));
	if (c->p.flags & ARES_ELT_F_WRAP) {
		CHECK(op >= ARES_ELT_ADD && op <= ARES_ELT_DIV && c->num_inputs == 2);
		CHECK(ares_dtype_is_quant(out->dtype) && out->quant == ARES_QUANT_NONE);
		for (i = 0; i < 2; i++)
			CHECK(in[i].dtype == out->dtype && in[i].quant == ARES_QUANT_NONE);
	}
	if (op <= ARES_ELT_SIGN || (op >= ARES_ELT_ELU && op <= ARES_ELT_ISNAN))
		want = 1;
	else if (op >= ARES_ELT_ADD && op <= ARES_ELT_SHR)
		want = 2;
	else if (op == ARES_ELT_WHERE)
		want = 3;
	else
		return ARES_JOB_INVALID_CMD;
	CHECK(c->num_inputs == want);
	/* The op table's checks left in[1] and in[2] optional: the op decides. */
	for (i = 0; i < 3; i++)
		CHECK((in[i].dtype != ARES_DTYPE_NONE) == (i < want));
	for (i = 0; i < want; i++) {
		CHECK(same_shape(&in[i], out));
		if (op != ARES_ELT_COPY)
			CHECK(!per_channel(&in[i]));
	}
	if (op != ARES_ELT_COPY)
		CHECK(!per_channel(out));
	dt = in[0].dtype;
	switch (op) {
	case ARES_ELT_COPY:
		return ARES_JOB_OK;
	case ARES_ELT_NOT:
	case ARES_ELT_AND:
	case ARES_ELT_OR:
	case ARES_ELT_XOR:
		for (i = 0; i < want; i++)
			CHECK(in[i].dtype == ARES_DTYPE_BOOL);
		CHECK(out->dtype == ARES_DTYPE_BOOL);
		return ARES_JOB_OK;
	case ARES_ELT_EQUAL:
	case ARES_ELT_LESS:
	case ARES_ELT_GREATER:
	case ARES_ELT_LESS_EQUAL:
	case ARES_ELT_GREATER_EQUAL:
		CHECK(in[1].dtype == dt && out->dtype == ARES_DTYPE_BOOL);
		CHECK(dt != ARES_DTYPE_BOOL || op == ARES_ELT_EQUAL);
		return ARES_JOB_OK;
	case ARES_ELT_WHERE:
		CHECK(dt == ARES_DTYPE_BOOL && in[1].dtype == out->dtype &&
		      in[2].dtype == out->dtype);
		return ARES_JOB_OK;
	case ARES_ELT_ISINF:
	case ARES_ELT_ISNAN:
		CHECK(ares_dtype_is_float(dt) && out->dtype == ARES_DTYPE_BOOL);
		return ARES_JOB_OK;
	case ARES_ELT_SHL:
	case ARES_ELT_SHR:
		/* Plain bytes: a quantised shift has no meaning. */
		for (i = 0; i < want; i++)
			CHECK(in[i].dtype == ARES_DTYPE_U8 && in[i].quant == ARES_QUANT_NONE);
		CHECK(out->dtype == ARES_DTYPE_U8 && out->quant == ARES_QUANT_NONE);
		return ARES_JOB_OK;
	default:
		break;
	}
	for (i = 1; i < want; i++)
		CHECK(in[i].dtype == dt);
	CHECK(out->dtype == dt);
	if (ares_dtype_is_float(dt) || ares_dtype_is_quant(dt))
		return ARES_JOB_OK;
	CHECK(ares_dtype_is_wide_int(dt));
	if (want == 1)
		CHECK(op == ARES_ELT_RELU || op == ARES_ELT_NEG || op == ARES_ELT_ABS ||
		      op == ARES_ELT_CLIP || op == ARES_ELT_SIGN);
	return ARES_JOB_OK;
}

static __u32 check_pool_axis(__u64 in, __u64 out, __u32 pad0, __u32 pad1, __u32 k, __u32 dil,
			     __u32 stride)
{
	__s64 floor_out = window_out(in, pad0, pad1, k, dil, stride);

	CHECK(floor_out >= 0);
	if (out == (__u64)floor_out)
		return ARES_JOB_OK;
	CHECK(out == (__u64)floor_out + 1 && (out - 1) * stride < in + pad0);
	return ARES_JOB_OK;
}

static __u32 fw_check_pool(const union fw_cmd *u)
{
	const struct ares_cmd_pool *c = &u->pool;
	const struct ares_pool_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	__u32 st;

	CHECK(!c->flags && !c->reserved && !p->reserved && p->op <= ARES_POOL_AVG_PAD);
	CHECK(p->kernel_h && p->kernel_w && p->stride_h && p->stride_w && p->dilation_h &&
	      p->dilation_w);
	CHECK(x->rank == 4 && y->rank == 4 && x->shape[0] == y->shape[0] &&
	      x->shape[1] == y->shape[1]);
	st = check_pool_axis(x->shape[2], y->shape[2], p->pad_top, p->pad_bottom, p->kernel_h,
			     p->dilation_h, p->stride_h);
	if (st)
		return st;
	st = check_pool_axis(x->shape[3], y->shape[3], p->pad_left, p->pad_right, p->kernel_w,
			     p->dilation_w, p->stride_w);
	if (st)
		return st;
	CHECK(y->dtype == x->dtype && !per_channel(x) && !per_channel(y));
	if (ares_dtype_is_quant(x->dtype))
		CHECK(p->op == ARES_POOL_MAX && x->quant == y->quant && x->scale == y->scale &&
		      x->zero_point == y->zero_point);
	else
		CHECK(ares_dtype_is_float(x->dtype));
	return ARES_JOB_OK;
}

static __u32 fw_check_reduce(const union fw_cmd *u)
{
	const struct ares_cmd_reduce *c = &u->reduce;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	__u32 op = c->p.op, axes = c->p.axes, k;

	CHECK(!c->flags && !c->reserved && !c->p.reserved && op <= ARES_REDUCE_ARGMIN_LAST);
	CHECK(!(axes >> x->rank) && y->rank == x->rank);
	for (k = 0; k < x->rank; k++)
		CHECK(y->shape[k] == ((axes >> k) & 1 ? 1 : x->shape[k]));
	CHECK(!quantised(x) && !quantised(y));
	switch (op) {
	case ARES_REDUCE_ARGMAX:
	case ARES_REDUCE_ARGMIN:
	case ARES_REDUCE_ARGMAX_LAST:
	case ARES_REDUCE_ARGMIN_LAST:
		CHECK(axes && !(axes & (axes - 1)));
		CHECK((ares_dtype_is_float(x->dtype) || ares_dtype_is_wide_int(x->dtype)) &&
		      y->dtype == ARES_DTYPE_I64);
		return ARES_JOB_OK;
	case ARES_REDUCE_SUM:
	case ARES_REDUCE_MAX:
	case ARES_REDUCE_MIN:
	case ARES_REDUCE_PROD:
		CHECK(ares_dtype_is_float(x->dtype) || ares_dtype_is_wide_int(x->dtype));
		break;
	default:
		CHECK(ares_dtype_is_float(x->dtype));
		break;
	}
	CHECK(y->dtype == x->dtype);
	return ARES_JOB_OK;
}

static __u32 fw_check_softmax(const union fw_cmd *u)
{
	const struct ares_cmd_softmax *c = &u->softmax;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;

	CHECK(!c->flags && !c->reserved && !(c->p.flags & ~ARES_SOFTMAX_LOG));
	CHECK(x->rank >= 1 && c->p.axis < x->rank && same_shape(x, y));
	CHECK(ares_dtype_is_float(x->dtype) && y->dtype == x->dtype);
	return ARES_JOB_OK;
}

static __u32 fw_check_norm(const union fw_cmd *u)
{
	const struct ares_cmd_norm *c = &u->norm;
	const struct ares_norm_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	const struct ares_tensor_desc *aux[4] = {&c->scale, &c->bias, &c->mean, &c->var};
	__u32 i;

	CHECK(!c->flags && !c->reserved && !p->reserved && p->kind <= ARES_NORM_BATCH);
	CHECK(p->activation < ARES_ACT_COUNT && f32_finite_nonneg(p->epsilon));
	CHECK(ares_dtype_is_float(x->dtype) && y->dtype == x->dtype && same_shape(x, y));
	for (i = 0; i < 4; i++)
		if (aux[i]->dtype)
			CHECK(aux[i]->dtype == ARES_DTYPE_F32 && same_shape(aux[i], x));
	switch (p->kind) {
	case ARES_NORM_LAYER:
		CHECK(x->rank >= 1 && p->axis < x->rank && !c->mean.dtype && !c->var.dtype);
		break;
	case ARES_NORM_INSTANCE:
		CHECK(x->rank >= 3 && !p->axis && !c->mean.dtype && !c->var.dtype);
		break;
	default:
		CHECK(x->rank >= 2 && !p->axis && c->mean.dtype && c->var.dtype);
		break;
	}
	return ARES_JOB_OK;
}

static __u32 fw_check_resize(const union fw_cmd *u)
{
	const struct ares_cmd_resize *c = &u->resize;
	const struct ares_resize_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	__u32 k;

	CHECK(!c->flags && !c->reserved && !p->reserved);
	CHECK(p->mode <= ARES_RESIZE_CUBIC && p->coord <= ARES_COORD_TF_HALF_PIXEL_FOR_NN &&
	      p->nearest <= ARES_NEAREST_CEIL);
	CHECK(p->mode == ARES_RESIZE_CUBIC ? f32_finite(p->cubic_a) && p->exclude_outside <= 1
					   : !p->cubic_a && !p->exclude_outside);
	CHECK(x->rank >= 1 && y->rank == x->rank && y->dtype == x->dtype);
	CHECK(p->mode == ARES_RESIZE_NEAREST || ares_dtype_is_float(x->dtype));
	for (k = 0; k < ARES_MAX_RANK; k++) {
		CHECK(k < x->rank ? f32_finite_nonneg(p->scale[k]) : !p->scale[k]);
		CHECK(k >= x->rank || x->shape[k] || !y->shape[k]);
	}
	return ARES_JOB_OK;
}

static __u32 fw_check_copy(const union fw_cmd *u)
{
	const struct ares_cmd_copy *c = &u->copy;
	__u64 xb, yb;

	CHECK(!c->flags && !c->reserved);
	CHECK(c->y.dtype == c->x.dtype && same_shape(&c->x, &c->y));
	/* Both views passed §12.1 already; this only measures them. */
	CHECK(ares_desc_extent(&c->x, &xb) && ares_desc_extent(&c->y, &yb));
	if (xb && yb && c->x.va < c->y.va + yb && c->y.va < c->x.va + xb)
		CHECK(!memcmp(&c->x, &c->y, sizeof(c->x)));
	return ARES_JOB_OK;
}

static int value_fits(__u64 value, __u32 dtype)
{
	__u32 bits = 8 * ares_dtype_size(dtype);

	return bits >= 64 || !(value >> bits);
}

static __u32 fw_check_pad(const union fw_cmd *u)
{
	const struct ares_cmd_pad *c = &u->pad;
	const struct ares_pad_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	__u32 k;

	CHECK(!c->flags && !c->reserved && !p->reserved0 && p->mode <= ARES_PAD_EDGE);
	CHECK(y->dtype == x->dtype && y->rank == x->rank);
	for (k = 0; k < ARES_MAX_RANK; k++) {
		if (k >= x->rank) {
			CHECK(!p->begin[k] && !p->end[k]);
			continue;
		}
		CHECK(y->shape[k] == x->shape[k] + p->begin[k] + p->end[k]);
		if (p->mode == ARES_PAD_REFLECT)
			CHECK(p->begin[k] < x->shape[k] && p->end[k] < x->shape[k]);
		if (p->mode == ARES_PAD_EDGE && (p->begin[k] || p->end[k]))
			CHECK(x->shape[k]);
	}
	CHECK(p->mode != ARES_PAD_CONSTANT ? !p->value : value_fits(p->value, y->dtype));
	return ARES_JOB_OK;
}

static __u32 fw_check_gather(const union fw_cmd *u)
{
	const struct ares_cmd_gather *c = &u->gather;
	const struct ares_tensor_desc *d = &c->data, *ix = &c->indices, *y = &c->y;
	__u32 k;

	CHECK(!c->flags);
	CHECK(c->axis < d->rank && !quantised(ix));
	CHECK(ix->dtype == ARES_DTYPE_I32 || ix->dtype == ARES_DTYPE_I64);
	CHECK(y->dtype == d->dtype && y->rank == d->rank - 1 + ix->rank);
	for (k = 0; k < c->axis; k++)
		CHECK(y->shape[k] == d->shape[k]);
	for (k = 0; k < ix->rank; k++)
		CHECK(y->shape[c->axis + k] == ix->shape[k]);
	for (k = c->axis + 1; k < d->rank; k++)
		CHECK(y->shape[k - 1 + ix->rank] == d->shape[k]);
	return ARES_JOB_OK;
}

static __u32 fw_check_fill_tensor(const union fw_cmd *u)
{
	const struct ares_cmd_fill_tensor *c = &u->fill_tensor;

	CHECK(!c->flags && !c->reserved);
	CHECK(value_fits(c->value, c->y.dtype));
	return ARES_JOB_OK;
}

static __u32 fw_check_prelu(const union fw_cmd *u)
{
	const struct ares_cmd_prelu *c = &u->prelu;

	CHECK(!c->flags && !c->reserved);
	CHECK(ares_dtype_is_float(c->x.dtype) && c->slope.dtype == c->x.dtype &&
	      c->y.dtype == c->x.dtype);
	CHECK(same_shape(&c->slope, &c->x) && same_shape(&c->y, &c->x));
	return ARES_JOB_OK;
}

/* ------------------------------------------------------ split rules */

/*
 * Whether a command may be split along its tiling class's dimension
 * (hw-spec §12.11): dimension 0 must map one-to-one from the output onto
 * every sliced input.
 */
static int fw_splits_conv2d(const union fw_cmd *c)
{
	(void)c;
	return 1;
}

static int fw_splits_matmul(const union fw_cmd *c)
{
	(void)c;
	return 1;
}

static int fw_splits_eltwise(const union fw_cmd *c)
{
	return c->eltwise.out.rank != 0;
}

static int fw_splits_pool(const union fw_cmd *c)
{
	(void)c;
	return 1;
}

static int fw_splits_reduce(const union fw_cmd *c)
{
	return c->reduce.x.rank && !(c->reduce.p.axes & 1);
}

static int fw_splits_softmax(const union fw_cmd *c)
{
	return c->softmax.p.axis != 0;
}

static int fw_splits_norm(const union fw_cmd *c)
{
	return c->norm.p.kind != ARES_NORM_LAYER || c->norm.p.axis;
}

static int fw_splits_resize(const union fw_cmd *c)
{
	/* An unresized dimension maps row to row in every mode but TF_HALF_PIXEL_FOR_NN. */
	return c->resize.x.shape[0] == c->resize.y.shape[0] &&
	       (!c->resize.p.scale[0] || c->resize.p.scale[0] == F32_ONE) &&
	       c->resize.p.coord != ARES_COORD_TF_HALF_PIXEL_FOR_NN;
}

static int fw_splits_copy(const union fw_cmd *c)
{
	return c->copy.x.rank != 0;
}

static int fw_splits_pad(const union fw_cmd *c)
{
	return c->pad.x.rank && !c->pad.p.begin[0] && !c->pad.p.end[0];
}

static int fw_splits_gather(const union fw_cmd *c)
{
	return c->gather.axis != 0;
}

static int fw_splits_fill_tensor(const union fw_cmd *c)
{
	return c->fill_tensor.y.rank != 0;
}

static int fw_splits_prelu(const union fw_cmd *c)
{
	return c->prelu.y.rank != 0;
}

/*
 * The firmware's part of each tensor opcode of the op table. A row of the
 * table without its fw_check_<name> and fw_splits_<name> does not compile.
 */
struct fw_op {
	__u32 (*check)(const union fw_cmd *c);
	int (*splits)(const union fw_cmd *c);
};

#define FW_OP_ROW(NAME, name, code, type, engine, tiling)                                          \
	[ARES_OP_##NAME] = {fw_check_##name, fw_splits_##name},
static const struct fw_op fw_ops[ARES_OP_SLOTS] = {ARES_TENSOR_OP_TABLE(FW_OP_ROW)};
#undef FW_OP_ROW

static const struct fw_op *fw_op_of(__u32 opcode)
{
	return opcode < ARES_OP_SLOTS && fw_ops[opcode].check ? &fw_ops[opcode] : NULL;
}

__u32 fw_tensor_check(const union fw_cmd *c)
{
	const struct ares_op_info *op = ares_op_info(c->hdr.opcode);
	const struct fw_op *fo = fw_op_of(c->hdr.opcode);
	__u64 bytes;
	__u32 i;

	if (!op || !fo)
		return ARES_JOB_INVALID_CMD;
	/* §12.1 on every operand first, then the opcode's own rules. */
	for (i = 0; i < op->n_operands; i++)
		CHECK(ares_desc_check(ares_operand_desc(c, op, i),
				      op->operands[i].role & ARES_OPND_OPTIONAL, &bytes));
	return fo->check(c);
}

/* ------------------------------------------------------------- tiling */

/* One sliced operand: the descriptor inside the command and its split dimension. */
struct fw_slice {
	struct ares_tensor_desc *t;
	__u32 dim;
};

static __u64 sat_mul(__u64 a, __u64 b)
{
	__u64 r;

	return __builtin_mul_overflow(a, b, &r) ? ~0ull : r;
}

static __u64 sat_add(__u64 a, __u64 b)
{
	return a + b < a ? ~0ull : a + b;
}

static __u64 packed_bytes(const struct ares_tensor_desc *t)
{
	__u64 n = ares_dtype_size(t->dtype);
	__u32 k;

	for (k = 0; k < t->rank; k++)
		n = sat_mul(n, t->shape[k]);
	return n;
}

static struct ares_tensor_desc *operand(union fw_cmd *c, const struct ares_op_info *op, __u32 i)
{
	return (struct ares_tensor_desc *)((char *)c + op->operands[i].offset);
}

/* MATMUL: the M rows of a 2-D product, else its outermost batch dimension. */
static __u32 plan_matmul(union fw_cmd *c, struct fw_slice *s)
{
	__u32 n = 0;

	if (c->matmul.y.rank > 2) {
		s[n++] = (struct fw_slice){&c->matmul.a, 0};
		s[n++] = (struct fw_slice){&c->matmul.b, 0};
	} else {
		s[n++] = (struct fw_slice){&c->matmul.a,
					   (c->matmul.p.flags & ARES_MATMUL_TRANS_A) ? 1 : 0};
	}
	if (c->matmul.c.dtype)
		s[n++] = (struct fw_slice){&c->matmul.c, 0};
	s[n++] = (struct fw_slice){&c->matmul.y, 0};
	return n;
}

/*
 * Which descriptors a command slices, along which dimension (hw-spec
 * §12.11), the output last. Returns how many, 0 when the command runs as
 * one tile.
 */
static __u32 plan(union fw_cmd *c, struct fw_slice *s)
{
	const struct ares_op_info *op = ares_op_info(c->hdr.opcode);
	const struct fw_op *fo = fw_op_of(c->hdr.opcode);
	__u32 n = 0, i;

	if (!op || !fo || op->tiling == ARES_TILE_NONE || !fo->splits(c))
		return 0;
	if (op->tiling == ARES_TILE_MATMUL) {
		n = plan_matmul(c, s);
	} else {
		for (i = 0; i < op->n_operands; i++)
			if (!(op->operands[i].role & ARES_OPND_WHOLE) && operand(c, op, i)->dtype)
				s[n++] = (struct fw_slice){operand(c, op, i), 0};
	}
	for (i = 0; i < n; i++)
		if (per_channel(s[i].t) && s[i].t->quant_axis == s[i].dim)
			return 0;
	return n;
}

__u32 fw_tensor_run(const struct ares_cp_ops *ops, __u32 asid, __u32 q, const union fw_cmd *cmd,
		    __u64 *modeled_ns)
{
	const struct ares_op_info *op = ares_op_info(cmd->hdr.opcode);
	struct fw_slice s[ARES_MAX_OPERANDS];
	__u64 dim, unit = 0, fixed = 0, rows, start, cnt, b;
	__u32 n, i, j, st;
	union fw_cmd tile;

	tile = *cmd;
	n = plan(&tile, s);
	dim = n ? s[n - 1].t->shape[s[n - 1].dim] : 0;
	if (dim < 2)
		return ops->engine_run(ops->dev, asid, q, &cmd->hdr, modeled_ns);
	/* The SRAM footprint: a row of each sliced operand, all of the others. */
	for (i = 0; i < op->n_operands; i++) {
		b = packed_bytes(operand(&tile, op, i));
		for (j = 0; j < n && s[j].t != operand(&tile, op, i); j++)
			;
		if (j < n)
			unit = sat_add(unit, b / dim);
		else
			fixed = sat_add(fixed, b);
	}
	if (sat_add(unit, fixed) > FW_SRAM_BYTES)
		return ops->engine_run(ops->dev, asid, q, &cmd->hdr, modeled_ns);
	rows = (FW_SRAM_BYTES - fixed) / (unit ? unit : 1);
	for (start = 0; start < dim; start += cnt) {
		cnt = dim - start < rows ? dim - start : rows;
		tile = *cmd;
		n = plan(&tile, s);
		for (i = 0; i < n; i++) {
			struct ares_tensor_desc *t = s[i].t;

			t->va += start * t->stride[s[i].dim] * ares_dtype_size(t->dtype);
			t->shape[s[i].dim] = cnt;
		}
		st = ops->engine_run(ops->dev, asid, q, &tile.hdr, modeled_ns);
		if (st)
			return st;
	}
	return ARES_JOB_OK;
}
