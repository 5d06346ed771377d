/* SPDX-License-Identifier: MIT */
/*
 * Tensor descriptors and the compute op set (hw-spec §12): everything the
 * firmware can reject without touching memory, and the split of a command
 * into tiles (§12.11). Engines never see a command that fails here.
 */
#include <ares/ops.h>

#include "fw.h"

#define VA_LIMIT (1ull << ARES_VA_BITS)
#define F32_ONE	 0x3f800000u

static const __u8 esize_of[ARES_DTYPE_COUNT] = {
	[ARES_DTYPE_F32] = 4, [ARES_DTYPE_F16] = 2, [ARES_DTYPE_BF16] = 2, [ARES_DTYPE_I8] = 1,
	[ARES_DTYPE_U8] = 1,  [ARES_DTYPE_I32] = 4, [ARES_DTYPE_I64] = 8,  [ARES_DTYPE_BOOL] = 1,
};

__u32 fw_dtype_size(__u32 dtype)
{
	return dtype < ARES_DTYPE_COUNT ? esize_of[dtype] : 0;
}

static int is_float(__u32 dt)
{
	return dt == ARES_DTYPE_F32 || dt == ARES_DTYPE_F16 || dt == ARES_DTYPE_BF16;
}

static int is_quant(__u32 dt)
{
	return dt == ARES_DTYPE_I8 || dt == ARES_DTYPE_U8;
}

static int is_wide_int(__u32 dt)
{
	return dt == ARES_DTYPE_I32 || dt == ARES_DTYPE_I64;
}

/* Finite and > 0, from the bits: the firmware has no FPU habits to rely on. */
int fw_f32_positive(__u32 bits)
{
	return !(bits & 0x80000000u) && (bits & 0x7f800000u) != 0x7f800000u && bits;
}

static int f32_finite_nonneg(__u32 bits)
{
	return !bits || fw_f32_positive(bits);
}

static int all_zero(const void *p, size_t n)
{
	const __u8 *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* Rules 1-6 of §12.1. Computes the byte extent for later overlap checks. */
__u32 fw_desc_check(const struct ares_tensor_desc *t, int optional, struct fw_extent *e)
{
	__u64 last = 0, term, esize;
	__s32 zp = (__s32)t->zero_point;
	__u32 k;

	e->bytes = 0;
	if (t->dtype == ARES_DTYPE_NONE) {
		if (!optional || !all_zero(t, sizeof(*t)))
			return ARES_JOB_INVALID_CMD;
		return ARES_JOB_OK;
	}
	esize = fw_dtype_size(t->dtype);
	if (!esize || t->rank > ARES_MAX_RANK)
		return ARES_JOB_INVALID_CMD;
	for (k = 0; k < ARES_MAX_RANK; k++) {
		if (k >= t->rank && (t->shape[k] || t->stride[k]))
			return ARES_JOB_INVALID_CMD;
		if (t->shape[k] >= ARES_MAX_DIM)
			return ARES_JOB_INVALID_CMD;
	}
	if (t->va % esize)
		return ARES_JOB_INVALID_CMD;
	e->va = t->va;
	e->empty = 0;
	for (k = 0; k < t->rank; k++)
		if (!t->shape[k])
			e->empty = 1;
	/* Broadcast strides make huge views cheap to describe; bound their work. */
	if (!e->empty) {
		__u64 elems = 1;

		for (k = 0; k < t->rank; k++)
			if (__builtin_mul_overflow(elems, t->shape[k], &elems) ||
			    elems > ARES_MAX_ELEMS)
				return ARES_JOB_INVALID_CMD;
	}
	if (!e->empty) {
		for (k = 0; k < t->rank; k++) {
			if (__builtin_mul_overflow(t->shape[k] - 1, t->stride[k], &term) ||
			    __builtin_mul_overflow(term, esize, &term) ||
			    __builtin_add_overflow(last, term, &last))
				return ARES_JOB_INVALID_CMD;
		}
		if (last >= VA_LIMIT || t->va >= VA_LIMIT || VA_LIMIT - t->va < last + esize)
			return ARES_JOB_INVALID_CMD;
		e->bytes = last + esize;
	}
	switch (t->quant) {
	case ARES_QUANT_NONE:
		if (t->scale || t->zero_point || t->quant_axis || t->qparams_va)
			return ARES_JOB_INVALID_CMD;
		break;
	case ARES_QUANT_PER_TENSOR:
		if (!is_quant(t->dtype) || t->quant_axis || t->qparams_va ||
		    !fw_f32_positive(t->scale))
			return ARES_JOB_INVALID_CMD;
		if (t->dtype == ARES_DTYPE_I8 ? zp < -128 || zp > 127 : zp < 0 || zp > 255)
			return ARES_JOB_INVALID_CMD;
		break;
	case ARES_QUANT_PER_CHANNEL:
		if (!is_quant(t->dtype) || t->quant_axis >= t->rank || t->scale || t->zero_point ||
		    t->qparams_va % 4 || t->qparams_va >= VA_LIMIT ||
		    VA_LIMIT - t->qparams_va < 8 * t->shape[t->quant_axis])
			return ARES_JOB_INVALID_CMD;
		break;
	default:
		return ARES_JOB_INVALID_CMD;
	}
	return ARES_JOB_OK;
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

#define DESC(t, opt)                                                                               \
	do {                                                                                       \
		__u32 st_ = fw_desc_check((t), (opt), &ext[n_ext]);                                \
		if (st_)                                                                           \
			return st_;                                                                \
		n_ext++;                                                                           \
	} while (0)

/* Output size of one convolution/pooling axis, or -1 if the window never fits. */
static __s64 window_out(__u64 in, __u64 pad0, __u64 pad1, __u64 k, __u64 dil, __u64 stride)
{
	__u64 span = dil * (k - 1) + 1;

	if (in + pad0 + pad1 < span)
		return -1;
	return (__s64)((in + pad0 + pad1 - span) / stride + 1);
}

static __u32 check_conv2d(const struct ares_cmd_conv2d *c)
{
	const struct ares_conv2d_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *w = &c->w, *b = &c->b, *y = &c->y;
	struct fw_extent ext[4];
	__u32 n_ext = 0;
	__u64 C, M;

	CHECK(!c->flags && !c->reserved && all_zero(p->reserved, sizeof(p->reserved)));
	CHECK(p->stride_h && p->stride_w && p->dilation_h && p->dilation_w && p->groups);
	CHECK(p->activation < ARES_ACT_COUNT);
	DESC(x, 0);
	DESC(w, 0);
	DESC(b, 1);
	DESC(y, 0);
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
	if (is_float(x->dtype)) {
		CHECK(w->dtype == x->dtype && is_float(y->dtype));
		CHECK(!b->dtype || b->dtype == ARES_DTYPE_F32);
		CHECK(!quantised(x) && !quantised(w) && !quantised(y));
	} else {
		CHECK(is_quant(x->dtype) && is_quant(w->dtype) && !per_channel(x));
		CHECK(!per_channel(w) || w->quant_axis == 0);
		CHECK(!b->dtype || b->dtype == ARES_DTYPE_I32);
		if (y->dtype == ARES_DTYPE_I32)
			CHECK(p->activation == ARES_ACT_NONE);
		else
			CHECK(is_quant(y->dtype) && !per_channel(y));
	}
	return ARES_JOB_OK;
}

static __u32 check_matmul(const struct ares_cmd_matmul *c)
{
	const struct ares_matmul_params *p = &c->p;
	const struct ares_tensor_desc *a = &c->a, *b = &c->b, *cc = &c->c, *y = &c->y;
	struct fw_extent ext[4];
	__u32 n_ext = 0, r, k;
	__u64 am, ak, bk, bn;

	CHECK(!c->flags && !c->reserved && all_zero(p->reserved, sizeof(p->reserved)));
	CHECK(!(p->flags & ~(ARES_MATMUL_TRANS_A | ARES_MATMUL_TRANS_B)));
	CHECK(p->activation < ARES_ACT_COUNT);
	DESC(a, 0);
	DESC(b, 0);
	DESC(cc, 1);
	DESC(y, 0);
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
	if (is_float(a->dtype)) {
		CHECK(b->dtype == a->dtype && is_float(y->dtype));
		CHECK(!cc->dtype || cc->dtype == ARES_DTYPE_F32);
		CHECK(!quantised(a) && !quantised(b) && !quantised(y));
	} else {
		CHECK(is_quant(a->dtype) && is_quant(b->dtype) && !per_channel(a) && !cc->dtype);
		CHECK(!per_channel(b) ||
		      b->quant_axis == ((p->flags & ARES_MATMUL_TRANS_B) ? r - 2 : r - 1));
		if (y->dtype == ARES_DTYPE_I32)
			CHECK(p->activation == ARES_ACT_NONE && p->alpha == F32_ONE && !p->beta);
		else
			CHECK(is_quant(y->dtype) && !per_channel(y));
	}
	return ARES_JOB_OK;
}

static __u32 check_eltwise(const struct ares_cmd_eltwise *c)
{
	const struct ares_tensor_desc *in = c->in, *out = &c->out;
	__u32 op = c->p.op, want, i, dt;
	struct fw_extent ext[4];
	__u32 n_ext = 0;

	CHECK(!c->flags && !c->p.reserved0);
	if (op <= ARES_ELT_NOT)
		want = 1;
	else if (op >= ARES_ELT_ADD && op <= ARES_ELT_FMOD)
		want = 2;
	else if (op == ARES_ELT_WHERE)
		want = 3;
	else
		return ARES_JOB_INVALID_CMD;
	CHECK(c->num_inputs == want);
	for (i = 0; i < want; i++)
		DESC(&in[i], 0);
	for (; i < 3; i++)
		CHECK(all_zero(&in[i], sizeof(in[i])));
	DESC(out, 0);
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
	default:
		break;
	}
	for (i = 1; i < want; i++)
		CHECK(in[i].dtype == dt);
	CHECK(out->dtype == dt);
	if (is_float(dt) || is_quant(dt))
		return ARES_JOB_OK;
	CHECK(is_wide_int(dt));
	if (want == 1)
		CHECK(op == ARES_ELT_RELU || op == ARES_ELT_NEG || op == ARES_ELT_ABS ||
		      op == ARES_ELT_CLIP);
	else
		CHECK(op != ARES_ELT_POW && op != ARES_ELT_FMOD);
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

static __u32 check_pool(const struct ares_cmd_pool *c)
{
	const struct ares_pool_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	struct fw_extent ext[2];
	__u32 n_ext = 0, st;

	CHECK(!c->flags && !c->reserved && !p->reserved && p->op <= ARES_POOL_AVG_PAD);
	CHECK(p->kernel_h && p->kernel_w && p->stride_h && p->stride_w && p->dilation_h &&
	      p->dilation_w);
	DESC(x, 0);
	DESC(y, 0);
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
	if (is_quant(x->dtype))
		CHECK(p->op == ARES_POOL_MAX && x->quant == y->quant && x->scale == y->scale &&
		      x->zero_point == y->zero_point);
	else
		CHECK(is_float(x->dtype));
	return ARES_JOB_OK;
}

static __u32 check_reduce(const struct ares_cmd_reduce *c)
{
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	struct fw_extent ext[2];
	__u32 n_ext = 0, op = c->p.op, axes = c->p.axes, k;

	CHECK(!c->flags && !c->reserved && !c->p.reserved && op <= ARES_REDUCE_ARGMIN);
	DESC(x, 0);
	DESC(y, 0);
	CHECK(!(axes >> x->rank) && y->rank == x->rank);
	for (k = 0; k < x->rank; k++)
		CHECK(y->shape[k] == ((axes >> k) & 1 ? 1 : x->shape[k]));
	CHECK(!quantised(x) && !quantised(y));
	switch (op) {
	case ARES_REDUCE_ARGMAX:
	case ARES_REDUCE_ARGMIN:
		CHECK(axes && !(axes & (axes - 1)));
		CHECK((is_float(x->dtype) || is_wide_int(x->dtype)) && y->dtype == ARES_DTYPE_I64);
		return ARES_JOB_OK;
	case ARES_REDUCE_SUM:
	case ARES_REDUCE_MAX:
	case ARES_REDUCE_MIN:
	case ARES_REDUCE_PROD:
		CHECK(is_float(x->dtype) || is_wide_int(x->dtype));
		break;
	default:
		CHECK(is_float(x->dtype));
		break;
	}
	CHECK(y->dtype == x->dtype);
	return ARES_JOB_OK;
}

static __u32 check_softmax(const struct ares_cmd_softmax *c)
{
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	struct fw_extent ext[2];
	__u32 n_ext = 0;

	CHECK(!c->flags && !c->reserved && !(c->p.flags & ~ARES_SOFTMAX_LOG));
	DESC(x, 0);
	DESC(y, 0);
	CHECK(x->rank >= 1 && c->p.axis < x->rank && same_shape(x, y));
	CHECK(is_float(x->dtype) && y->dtype == x->dtype);
	return ARES_JOB_OK;
}

static __u32 check_norm(const struct ares_cmd_norm *c)
{
	const struct ares_norm_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	const struct ares_tensor_desc *aux[4] = {&c->scale, &c->bias, &c->mean, &c->var};
	struct fw_extent ext[6];
	__u32 n_ext = 0, i;

	CHECK(!c->flags && !c->reserved && !p->reserved && p->kind <= ARES_NORM_BATCH);
	CHECK(p->activation < ARES_ACT_COUNT && f32_finite_nonneg(p->epsilon));
	DESC(x, 0);
	for (i = 0; i < 4; i++)
		DESC(aux[i], 1);
	DESC(y, 0);
	CHECK(is_float(x->dtype) && y->dtype == x->dtype && same_shape(x, y));
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

static __u32 check_resize(const struct ares_cmd_resize *c)
{
	const struct ares_resize_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	struct fw_extent ext[2];
	__u32 n_ext = 0, k;

	CHECK(!c->flags && !c->reserved && !p->reserved0 && !p->reserved);
	CHECK(p->mode <= ARES_RESIZE_LINEAR && p->coord <= ARES_COORD_TF_HALF_PIXEL_FOR_NN &&
	      p->nearest <= ARES_NEAREST_CEIL);
	DESC(x, 0);
	DESC(y, 0);
	CHECK(x->rank >= 1 && y->rank == x->rank && y->dtype == x->dtype);
	CHECK(p->mode == ARES_RESIZE_NEAREST || is_float(x->dtype));
	for (k = 0; k < ARES_MAX_RANK; k++) {
		CHECK(k < x->rank ? f32_finite_nonneg(p->scale[k]) : !p->scale[k]);
		CHECK(k >= x->rank || x->shape[k] || !y->shape[k]);
	}
	return ARES_JOB_OK;
}

static __u32 check_copy(const struct ares_cmd_copy *c)
{
	struct fw_extent ext[2];
	__u32 n_ext = 0;

	CHECK(!c->flags && !c->reserved);
	DESC(&c->x, 0);
	DESC(&c->y, 0);
	CHECK(c->y.dtype == c->x.dtype && same_shape(&c->x, &c->y));
	if (ext[0].bytes && ext[1].bytes && ext[0].va < ext[1].va + ext[1].bytes &&
	    ext[1].va < ext[0].va + ext[0].bytes)
		CHECK(!memcmp(&c->x, &c->y, sizeof(c->x)));
	return ARES_JOB_OK;
}

static int value_fits(__u64 value, __u32 dtype)
{
	__u32 bits = 8 * fw_dtype_size(dtype);

	return bits >= 64 || !(value >> bits);
}

static __u32 check_pad(const struct ares_cmd_pad *c)
{
	const struct ares_pad_params *p = &c->p;
	const struct ares_tensor_desc *x = &c->x, *y = &c->y;
	struct fw_extent ext[2];
	__u32 n_ext = 0, k;

	CHECK(!c->flags && !c->reserved && !p->reserved0 && p->mode <= ARES_PAD_EDGE);
	DESC(x, 0);
	DESC(y, 0);
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

static __u32 check_gather(const struct ares_cmd_gather *c)
{
	const struct ares_tensor_desc *d = &c->data, *ix = &c->indices, *y = &c->y;
	struct fw_extent ext[3];
	__u32 n_ext = 0, k;

	CHECK(!c->flags);
	DESC(d, 0);
	DESC(ix, 0);
	DESC(y, 0);
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

static __u32 check_fill_tensor(const struct ares_cmd_fill_tensor *c)
{
	struct fw_extent ext[1];
	__u32 n_ext = 0;

	CHECK(!c->flags && !c->reserved);
	DESC(&c->y, 0);
	CHECK(value_fits(c->value, c->y.dtype));
	return ARES_JOB_OK;
}

__u32 fw_tensor_check(const union fw_cmd *c)
{
	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		return check_conv2d(&c->conv2d);
	case ARES_OP_MATMUL:
		return check_matmul(&c->matmul);
	case ARES_OP_ELTWISE:
		return check_eltwise(&c->eltwise);
	case ARES_OP_POOL:
		return check_pool(&c->pool);
	case ARES_OP_REDUCE:
		return check_reduce(&c->reduce);
	case ARES_OP_SOFTMAX:
		return check_softmax(&c->softmax);
	case ARES_OP_NORM:
		return check_norm(&c->norm);
	case ARES_OP_RESIZE:
		return check_resize(&c->resize);
	case ARES_OP_COPY:
		return check_copy(&c->copy_t);
	case ARES_OP_PAD:
		return check_pad(&c->pad);
	case ARES_OP_GATHER:
		return check_gather(&c->gather);
	case ARES_OP_FILL_TENSOR:
		return check_fill_tensor(&c->fill_t);
	default:
		return ARES_JOB_INVALID_CMD;
	}
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
	__u64 n = fw_dtype_size(t->dtype);
	__u32 k;

	for (k = 0; k < t->rank; k++)
		n = sat_mul(n, t->shape[k]);
	return n;
}

/*
 * Which descriptors a command slices, along which dimension (hw-spec
 * §12.11). Returns how many, 0 when the command runs as one tile.
 */
static __u32 plan(union fw_cmd *c, struct fw_slice *s)
{
	__u32 n = 0, i, r;

	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		s[n++] = (struct fw_slice){&c->conv2d.x, 0};
		s[n++] = (struct fw_slice){&c->conv2d.y, 0};
		break;
	case ARES_OP_MATMUL:
		r = c->matmul.y.rank;
		if (r > 2) {
			s[n++] = (struct fw_slice){&c->matmul.a, 0};
			s[n++] = (struct fw_slice){&c->matmul.b, 0};
		} else {
			s[n++] = (struct fw_slice){
				&c->matmul.a, (c->matmul.p.flags & ARES_MATMUL_TRANS_A) ? 1 : 0};
		}
		if (c->matmul.c.dtype)
			s[n++] = (struct fw_slice){&c->matmul.c, 0};
		s[n++] = (struct fw_slice){&c->matmul.y, 0};
		break;
	case ARES_OP_ELTWISE:
		if (!c->eltwise.out.rank)
			return 0;
		for (i = 0; i < c->eltwise.num_inputs; i++)
			s[n++] = (struct fw_slice){&c->eltwise.in[i], 0};
		s[n++] = (struct fw_slice){&c->eltwise.out, 0};
		break;
	case ARES_OP_POOL:
		s[n++] = (struct fw_slice){&c->pool.x, 0};
		s[n++] = (struct fw_slice){&c->pool.y, 0};
		break;
	case ARES_OP_REDUCE:
		if (!c->reduce.x.rank || (c->reduce.p.axes & 1))
			return 0;
		s[n++] = (struct fw_slice){&c->reduce.x, 0};
		s[n++] = (struct fw_slice){&c->reduce.y, 0};
		break;
	case ARES_OP_SOFTMAX:
		if (!c->softmax.p.axis)
			return 0;
		s[n++] = (struct fw_slice){&c->softmax.x, 0};
		s[n++] = (struct fw_slice){&c->softmax.y, 0};
		break;
	case ARES_OP_NORM:
		if (c->norm.p.kind == ARES_NORM_LAYER && !c->norm.p.axis)
			return 0;
		s[n++] = (struct fw_slice){&c->norm.x, 0};
		if (c->norm.scale.dtype)
			s[n++] = (struct fw_slice){&c->norm.scale, 0};
		if (c->norm.bias.dtype)
			s[n++] = (struct fw_slice){&c->norm.bias, 0};
		if (c->norm.mean.dtype)
			s[n++] = (struct fw_slice){&c->norm.mean, 0};
		if (c->norm.var.dtype)
			s[n++] = (struct fw_slice){&c->norm.var, 0};
		s[n++] = (struct fw_slice){&c->norm.y, 0};
		break;
	case ARES_OP_RESIZE:
		/* An unresized dimension maps row to row in every mode but TF_HALF_PIXEL_FOR_NN. */
		if (c->resize.x.shape[0] != c->resize.y.shape[0] ||
		    (c->resize.p.scale[0] && c->resize.p.scale[0] != F32_ONE) ||
		    c->resize.p.coord == ARES_COORD_TF_HALF_PIXEL_FOR_NN)
			return 0;
		s[n++] = (struct fw_slice){&c->resize.x, 0};
		s[n++] = (struct fw_slice){&c->resize.y, 0};
		break;
	case ARES_OP_COPY:
		if (!c->copy_t.x.rank)
			return 0;
		s[n++] = (struct fw_slice){&c->copy_t.x, 0};
		s[n++] = (struct fw_slice){&c->copy_t.y, 0};
		break;
	case ARES_OP_PAD:
		if (!c->pad.x.rank || c->pad.p.begin[0] || c->pad.p.end[0])
			return 0;
		s[n++] = (struct fw_slice){&c->pad.x, 0};
		s[n++] = (struct fw_slice){&c->pad.y, 0};
		break;
	case ARES_OP_GATHER:
		if (!c->gather.axis)
			return 0;
		s[n++] = (struct fw_slice){&c->gather.data, 0};
		s[n++] = (struct fw_slice){&c->gather.y, 0};
		break;
	case ARES_OP_FILL_TENSOR:
		if (!c->fill_t.y.rank)
			return 0;
		s[n++] = (struct fw_slice){&c->fill_t.y, 0};
		break;
	default:
		return 0;
	}
	for (i = 0; i < n; i++)
		if (per_channel(s[i].t) && s[i].t->quant_axis == s[i].dim)
			return 0;
	return n;
}

/* Every descriptor of a command, for the SRAM footprint. */
static __u32 fw_tensor_operands(union fw_cmd *c, struct ares_tensor_desc **t)
{
	__u32 n = 0, i;

	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		t[n++] = &c->conv2d.x, t[n++] = &c->conv2d.w, t[n++] = &c->conv2d.b;
		t[n++] = &c->conv2d.y;
		break;
	case ARES_OP_MATMUL:
		t[n++] = &c->matmul.a, t[n++] = &c->matmul.b, t[n++] = &c->matmul.c;
		t[n++] = &c->matmul.y;
		break;
	case ARES_OP_ELTWISE:
		for (i = 0; i < 3; i++)
			t[n++] = &c->eltwise.in[i];
		t[n++] = &c->eltwise.out;
		break;
	case ARES_OP_NORM:
		t[n++] = &c->norm.x, t[n++] = &c->norm.scale, t[n++] = &c->norm.bias;
		t[n++] = &c->norm.mean, t[n++] = &c->norm.var, t[n++] = &c->norm.y;
		break;
	case ARES_OP_POOL:
	case ARES_OP_REDUCE:
	case ARES_OP_SOFTMAX:
	case ARES_OP_RESIZE:
	case ARES_OP_COPY:
	case ARES_OP_PAD:
		/* x then y, ending the command in each of these layouts. */
		t[n++] = (struct ares_tensor_desc *)((char *)c + c->hdr.size - 2 * sizeof(**t));
		t[n++] = (struct ares_tensor_desc *)((char *)c + c->hdr.size - sizeof(**t));
		break;
	case ARES_OP_GATHER:
		t[n++] = &c->gather.data, t[n++] = &c->gather.indices, t[n++] = &c->gather.y;
		break;
	case ARES_OP_FILL_TENSOR:
		t[n++] = &c->fill_t.y;
		break;
	default:
		break;
	}
	return n;
}

__u32 fw_tensor_run(const struct ares_cp_ops *ops, __u32 asid, __u32 q, const union fw_cmd *cmd,
		    __u64 *modeled_ns)
{
	struct ares_tensor_desc *all[FW_MAX_OPERANDS];
	struct fw_slice s[FW_MAX_OPERANDS];
	__u64 dim, unit = 0, fixed = 0, rows, start, cnt, b;
	__u32 n, n_all, i, j, st;
	union fw_cmd tile;

	tile = *cmd;
	n = plan(&tile, s);
	dim = n ? s[n - 1].t->shape[s[n - 1].dim] : 0;
	if (dim < 2)
		return ops->engine_run(ops->dev, asid, q, &cmd->hdr, modeled_ns);
	n_all = fw_tensor_operands(&tile, all);
	for (i = 0; i < n_all; i++) {
		b = packed_bytes(all[i]);
		for (j = 0; j < n && s[j].t != all[i]; j++)
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

			t->va += start * t->stride[s[i].dim] * fw_dtype_size(t->dtype);
			t->shape[s[i].dim] = cnt;
		}
		st = ops->engine_run(ops->dev, asid, q, &tile.hdr, modeled_ns);
		if (st)
			return st;
	}
	return ARES_JOB_OK;
}
