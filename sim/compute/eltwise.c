// SPDX-License-Identifier: MIT
/*
 * ELTWISE: unary, binary and ternary elementwise ops with broadcasting by
 * stride 0, and COPY as the dtype conversion (Cast, QuantizeLinear,
 * DequantizeLinear). Rows along the last dimension are converted into f32
 * (or i64 for integer arithmetic) chunks, computed, and converted back.
 */
#include <math.h>

#include "internal.h"

#define CHUNK 512

struct elt {
	const struct ares_eltwise_params *p;
	unsigned int n_in;
	struct compute_tensor in[3], out;
	int int_math; /* compute in i64 */
	int raw_copy; /* COPY between identical representations */
	int vec;      /* f32 math of binary ops on the vector kernels */
	int direct;   /* ... reading and writing f32 rows in place, no buffers */
	int64_t rows, inner, rows_per_task;
};

/* The vector kernel of the chosen ISA on one row; -1 when there is none. */
static int vec_row(uint32_t op, float *o, const float *a, int64_t sa, const float *b, int64_t sb,
		   int64_t n)
{
	switch (ck_isa()) {
	case CK_ISA_AVX512:
		return ck_elt_f32_avx512(op, o, a, sa, b, sb, n);
	case CK_ISA_AVX2:
		return ck_elt_f32_avx2(op, o, a, sa, b, sb, n);
	default:
		return -1;
	}
}

static int is_unary(uint32_t op)
{
	return op <= ARES_ELT_SIGN || (op >= ARES_ELT_ELU && op <= ARES_ELT_ISNAN);
}

static int is_binary(uint32_t op)
{
	return op >= ARES_ELT_ADD && op <= ARES_ELT_SHR;
}

static int is_shift(uint32_t op)
{
	return op == ARES_ELT_SHL || op == ARES_ELT_SHR;
}

static int is_class(uint32_t op)
{
	return op == ARES_ELT_ISINF || op == ARES_ELT_ISNAN;
}

static int is_cmp(uint32_t op)
{
	return op >= ARES_ELT_EQUAL && op <= ARES_ELT_GREATER_EQUAL;
}

static int is_logic(uint32_t op)
{
	return op == ARES_ELT_NOT || (op >= ARES_ELT_AND && op <= ARES_ELT_XOR);
}

/* Plain integers: I32/I64/BOOL and I8/U8 without quantisation. */
static int plain_int(const struct compute_tensor *t)
{
	return t->dtype == ARES_DTYPE_I32 || t->dtype == ARES_DTYPE_I64 ||
	       t->dtype == ARES_DTYPE_BOOL || (ck_is_int8(t->dtype) && t->quant == ARES_QUANT_NONE);
}

static const uint32_t act_of[] = {
	[ARES_ELT_RELU] = ARES_ACT_RELU,
	[ARES_ELT_LEAKY_RELU] = ARES_ACT_LEAKY_RELU,
	[ARES_ELT_CLIP] = ARES_ACT_CLIP,
	[ARES_ELT_SIGMOID] = ARES_ACT_SIGMOID,
	[ARES_ELT_HARD_SIGMOID] = ARES_ACT_HARD_SIGMOID,
	[ARES_ELT_HARD_SWISH] = ARES_ACT_HARD_SWISH,
	[ARES_ELT_TANH] = ARES_ACT_TANH,
	[ARES_ELT_GELU] = ARES_ACT_GELU,
};

static float fmod_floor(float a, float b)
{
	float r = fmodf(a, b);

	if (r != 0.0f && (r < 0.0f) != (b < 0.0f))
		r += b;
	return r;
}

static float sign_f(float x)
{
	return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;
}

static float elu_f(float x, float alpha, float scale)
{
	return scale * (x > 0.0f ? x : alpha * (expf(x) - 1.0f));
}

static float celu_f(float x, float alpha)
{
	return fmaxf(0.0f, x) + fminf(0.0f, alpha * (expf(x / alpha) - 1.0f));
}

static float shrink_f(float x, float lambd, float bias)
{
	return x < -lambd ? x + bias : x > lambd ? x - bias : 0.0f;
}

static void f32_math(uint32_t op, float al, float be, float *o, const float *a, const float *b,
		     const float *c, int64_t n)
{
	int64_t i;

	switch (op) {
	case ARES_ELT_COPY:
		memcpy(o, a, (size_t)n * 4);
		break;
	case ARES_ELT_RELU:
	case ARES_ELT_LEAKY_RELU:
	case ARES_ELT_CLIP:
	case ARES_ELT_SIGMOID:
	case ARES_ELT_HARD_SIGMOID:
	case ARES_ELT_HARD_SWISH:
	case ARES_ELT_TANH:
	case ARES_ELT_GELU:
		memcpy(o, a, (size_t)n * 4);
		ck_activate(act_of[op], al, be, o, n);
		break;
#define U(OP, EXPR)                                                                                \
	case OP:                                                                                   \
		for (i = 0; i < n; i++)                                                            \
			o[i] = EXPR;                                                               \
		break
		U(ARES_ELT_ERF, erff(a[i]));
		U(ARES_ELT_EXP, expf(a[i]));
		U(ARES_ELT_LOG, logf(a[i]));
		U(ARES_ELT_SQRT, sqrtf(a[i]));
		U(ARES_ELT_RECIPROCAL, 1.0f / a[i]);
		U(ARES_ELT_NEG, -a[i]);
		U(ARES_ELT_ABS, fabsf(a[i]));
		U(ARES_ELT_FLOOR, floorf(a[i]));
		U(ARES_ELT_CEIL, ceilf(a[i]));
		U(ARES_ELT_ROUND, nearbyintf(a[i]));
		U(ARES_ELT_NOT, a[i] == 0.0f);
		U(ARES_ELT_SIN, sinf(a[i]));
		U(ARES_ELT_COS, cosf(a[i]));
		U(ARES_ELT_TAN, tanf(a[i]));
		U(ARES_ELT_ASIN, asinf(a[i]));
		U(ARES_ELT_ACOS, acosf(a[i]));
		U(ARES_ELT_ATAN, atanf(a[i]));
		U(ARES_ELT_SINH, sinhf(a[i]));
		U(ARES_ELT_COSH, coshf(a[i]));
		U(ARES_ELT_ASINH, asinhf(a[i]));
		U(ARES_ELT_ACOSH, acoshf(a[i]));
		U(ARES_ELT_ATANH, atanhf(a[i]));
		U(ARES_ELT_SIGN, sign_f(a[i]));
		U(ARES_ELT_ELU, elu_f(a[i], al, be));
		U(ARES_ELT_CELU, celu_f(a[i], al));
		U(ARES_ELT_THRESHOLDED_RELU, a[i] > al ? a[i] : 0.0f);
		U(ARES_ELT_SOFTSIGN, a[i] / (1.0f + fabsf(a[i])));
		U(ARES_ELT_SOFTPLUS, logf(expf(a[i]) + 1.0f));
		U(ARES_ELT_SHRINK, shrink_f(a[i], al, be));
		U(ARES_ELT_AFFINE, al * a[i] + be);
		U(ARES_ELT_ISINF, isinf(a[i]) && (a[i] > 0.0f ? al != 0.0f : be != 0.0f));
		U(ARES_ELT_ISNAN, isnan(a[i]));
		U(ARES_ELT_ADD, a[i] + b[i]);
		U(ARES_ELT_SUB, a[i] - b[i]);
		U(ARES_ELT_MUL, a[i] * b[i]);
		U(ARES_ELT_DIV, a[i] / b[i]);
		U(ARES_ELT_POW, powf(a[i], b[i]));
		U(ARES_ELT_MAX, ck_elt_max(a[i], b[i]));
		U(ARES_ELT_MIN, ck_elt_min(a[i], b[i]));
		U(ARES_ELT_EQUAL, a[i] == b[i]);
		U(ARES_ELT_LESS, a[i] < b[i]);
		U(ARES_ELT_GREATER, a[i] > b[i]);
		U(ARES_ELT_LESS_EQUAL, a[i] <= b[i]);
		U(ARES_ELT_GREATER_EQUAL, a[i] >= b[i]);
		U(ARES_ELT_AND, a[i] != 0.0f && b[i] != 0.0f);
		U(ARES_ELT_OR, a[i] != 0.0f || b[i] != 0.0f);
		U(ARES_ELT_XOR, (a[i] != 0.0f) != (b[i] != 0.0f));
		U(ARES_ELT_MOD, fmod_floor(a[i], b[i]));
		U(ARES_ELT_FMOD, fmodf(a[i], b[i]));
		U(ARES_ELT_WHERE, a[i] != 0.0f ? b[i] : c[i]);
#undef U
	}
}

static int64_t ipow(int64_t b, int64_t e)
{
	uint64_t r = 1, x = (uint64_t)b;

	if (e < 0)
		return b == 1 ? 1 : b == -1 ? (e & 1 ? -1 : 1) : 0;
	for (; e; e >>= 1, x *= x)
		if (e & 1)
			r *= x;
	return (int64_t)r;
}

/* Wrapping integer arithmetic; divisors were checked for zero. */
static void i64_math(uint32_t op, int64_t lo_clip, int64_t hi_clip, int64_t *o, const int64_t *a,
		     const int64_t *b, const int64_t *c, int64_t n)
{
	int64_t i;

	switch (op) {
#define U(OP, EXPR)                                                                                \
	case OP:                                                                                   \
		for (i = 0; i < n; i++)                                                            \
			o[i] = EXPR;                                                               \
		break
		U(ARES_ELT_COPY, a[i]);
		U(ARES_ELT_RELU, a[i] > 0 ? a[i] : 0);
		U(ARES_ELT_CLIP, a[i] < lo_clip ? lo_clip : a[i] > hi_clip ? hi_clip : a[i]);
		U(ARES_ELT_NEG, (int64_t)(0 - (uint64_t)a[i]));
		U(ARES_ELT_ABS, a[i] < 0 ? (int64_t)(0 - (uint64_t)a[i]) : a[i]);
		U(ARES_ELT_SIGN, (a[i] > 0) - (a[i] < 0));
		U(ARES_ELT_NOT, a[i] == 0);
		U(ARES_ELT_ADD, (int64_t)((uint64_t)a[i] + (uint64_t)b[i]));
		U(ARES_ELT_SUB, (int64_t)((uint64_t)a[i] - (uint64_t)b[i]));
		U(ARES_ELT_MUL, (int64_t)((uint64_t)a[i] * (uint64_t)b[i]));
		U(ARES_ELT_DIV, b[i] == -1 ? (int64_t)(0 - (uint64_t)a[i]) : a[i] / b[i]);
		U(ARES_ELT_POW, ipow(a[i], b[i]));
		U(ARES_ELT_MAX, a[i] > b[i] ? a[i] : b[i]);
		U(ARES_ELT_MIN, a[i] < b[i] ? a[i] : b[i]);
		U(ARES_ELT_EQUAL, a[i] == b[i]);
		U(ARES_ELT_LESS, a[i] < b[i]);
		U(ARES_ELT_GREATER, a[i] > b[i]);
		U(ARES_ELT_LESS_EQUAL, a[i] <= b[i]);
		U(ARES_ELT_GREATER_EQUAL, a[i] >= b[i]);
		U(ARES_ELT_AND, a[i] && b[i]);
		U(ARES_ELT_OR, a[i] || b[i]);
		U(ARES_ELT_XOR, !a[i] != !b[i]);
		U(ARES_ELT_WHERE, a[i] ? b[i] : c[i]);
		/* U8 operands: the shifted byte, zero once the amount is 8 or more. */
		U(ARES_ELT_SHL, b[i] < 8 ? (a[i] << b[i]) & 0xff : 0);
		U(ARES_ELT_SHR, b[i] < 8 ? a[i] >> b[i] : 0);
#undef U
	case ARES_ELT_MOD:
	case ARES_ELT_FMOD:
		for (i = 0; i < n; i++) {
			int64_t r = b[i] == -1 ? 0 : a[i] % b[i];

			if (op == ARES_ELT_MOD && r != 0 && (r < 0) != (b[i] < 0))
				r += b[i];
			o[i] = r;
		}
		break;
	}
}

static void row_index(const struct compute_tensor *t, int64_t row, int64_t *idx)
{
	idx[t->rank - 1] = 0;
	for (int d = (int)t->rank - 2; d >= 0; d--) {
		idx[d] = row % t->shape[d];
		row /= t->shape[d];
	}
}

static void qrow_skip(struct ck_qrow *q, int64_t j)
{
	q->s += j * q->step;
	q->z += j * q->step;
}

static void elt_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct elt *e = ctx;
	uint32_t op = e->p->op;
	float al = ck_f32(e->p->alpha), be = ck_f32(e->p->beta);
	unsigned int r = e->out.rank;
	int64_t r0 = t * e->rows_per_task, r1 = r0 + e->rows_per_task;
	int64_t lo_clip = INT64_MIN, hi_clip = INT64_MAX;
	union {
		float f[CHUNK];
		int64_t i[CHUNK];
	} buf[4];

	(void)worker;
	if (op == ARES_ELT_CLIP && e->int_math) {
		lo_clip = ck_f32_to_int(al, INT64_MIN, INT64_MAX);
		hi_clip = ck_f32_to_int(be, INT64_MIN, INT64_MAX);
	}
	if (r1 > e->rows)
		r1 = e->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK];

		row_index(&e->out, row, idx);
		if (e->direct) {
			vec_row(op, ck_at(&e->out, idx), ck_at(&e->in[0], idx),
				e->in[0].stride[r - 1], ck_at(&e->in[1], idx),
				e->in[1].stride[r - 1], e->inner);
			continue;
		}
		for (int64_t j0 = 0; j0 < e->inner; j0 += CHUNK) {
			int64_t n = e->inner - j0 < CHUNK ? e->inner - j0 : CHUNK;
			const struct compute_tensor *o = &e->out;
			char *op_ = (char *)ck_at(o, idx) +
				    j0 * o->stride[r - 1] * compute_dtype_size(o->dtype);
			struct ck_qrow q;

			if (e->raw_copy) {
				const struct compute_tensor *x = &e->in[0];
				const char *xp =
					(const char *)ck_at(x, idx) +
					j0 * x->stride[r - 1] * compute_dtype_size(x->dtype);
				unsigned int es = compute_dtype_size(x->dtype);

				if (x->stride[r - 1] == 1 && o->stride[r - 1] == 1)
					memcpy(op_, xp, (size_t)(n * es));
				else
					for (int64_t i = 0; i < n; i++)
						memcpy(op_ + i * o->stride[r - 1] * es,
						       xp + i * x->stride[r - 1] * es, es);
				continue;
			}
			for (unsigned int k = 0; k < e->n_in; k++) {
				const struct compute_tensor *x = &e->in[k];
				const char *xp =
					(const char *)ck_at(x, idx) +
					j0 * x->stride[r - 1] * compute_dtype_size(x->dtype);

				if (e->int_math) {
					ck_load_i64(x->dtype, xp, x->stride[r - 1], n, buf[k].i);
				} else {
					ck_qrow_of(x, idx, r - 1, &q);
					qrow_skip(&q, j0);
					ck_load_f32(x->dtype, xp, x->stride[r - 1], n, &q,
						    buf[k].f);
				}
			}
			if (e->int_math) {
				i64_math(op, lo_clip, hi_clip, buf[3].i, buf[0].i, buf[1].i,
					 buf[2].i, n);
				/* I32 arithmetic wraps as I64's does; only COPY
				 * (a conversion) saturates. */
				if (o->dtype == ARES_DTYPE_I32 && op != ARES_ELT_COPY)
					for (int64_t i = 0; i < n; i++)
						buf[3].i[i] = (int32_t)(uint32_t)buf[3].i[i];
				else if (o->dtype == ARES_DTYPE_I8 && e->p->flags)
					for (int64_t i = 0; i < n; i++)
						buf[3].i[i] = (int8_t)(uint8_t)buf[3].i[i];
				else if (o->dtype == ARES_DTYPE_U8 && e->p->flags)
					for (int64_t i = 0; i < n; i++)
						buf[3].i[i] = (uint8_t)buf[3].i[i];
				ck_store_i64(o->dtype, op_, o->stride[r - 1], n, buf[3].i);
			} else {
				if (!e->vec || vec_row(op, buf[3].f, buf[0].f, 1, buf[1].f, 1, n))
					f32_math(op, al, be, buf[3].f, buf[0].f, buf[1].f, buf[2].f,
						 n);
				ck_qrow_of(o, idx, r - 1, &q);
				qrow_skip(&q, j0);
				ck_store_f32(o->dtype, op_, o->stride[r - 1], n, &q, buf[3].f);
			}
		}
	}
}

/* Rank 0 views become [1] so every kernel walks rows. */
void ck_view1(const struct compute_tensor *t, struct compute_tensor *v)
{
	*v = *t;
	if (t->rank == 0) {
		v->rank = 1;
		v->shape[0] = 1;
		v->stride[0] = 1;
		v->quant_axis = 0;
	}
}

/* Dimension d of @t carries its per-channel quantisation. */
static int pinned(const struct compute_tensor *t, unsigned int d)
{
	return ck_is_int8(t->dtype) && t->quant == ARES_QUANT_PER_CHANNEL && t->quant_axis == d;
}

/*
 * The fewest dimensions that walk every view in the same element order:
 * dimensions of one element go, and a dimension joins the one inside it
 * when every view steps over both as one (a stride-0 broadcast included),
 * so rows get long and the row overhead rare. A per-channel axis stays
 * as it is. The views keep their elements and order: the loops compute
 * the same values.
 */
static void merge_dims(struct compute_tensor *v, unsigned int nv)
{
	struct compute_tensor m[4];
	unsigned int r = v[0].rank, nr = 0;

	for (unsigned int k = 0; k < nv; k++) {
		m[k] = v[k];
		m[k].rank = 0;
	}
	for (unsigned int d = 0; d < r; d++) {
		int pin = 0, join = nr > 0;

		for (unsigned int k = 0; k < nv; k++)
			pin |= pinned(&v[k], d);
		if (v[0].shape[d] == 1 && !pin)
			continue;
		for (unsigned int k = 0; k < nv && join; k++)
			join = !pin && !pinned(&m[k], nr - 1) &&
			       m[k].stride[nr - 1] == v[k].stride[d] * v[k].shape[d];
		for (unsigned int k = 0; k < nv; k++) {
			if (join) {
				m[k].shape[nr - 1] *= v[k].shape[d];
				m[k].stride[nr - 1] = v[k].stride[d];
				continue;
			}
			m[k].shape[nr] = v[k].shape[d];
			m[k].stride[nr] = v[k].stride[d];
			if (pinned(&v[k], d))
				m[k].quant_axis = nr;
		}
		if (!join)
			nr++;
	}
	if (!nr) {
		for (unsigned int k = 0; k < nv; k++) {
			m[k].shape[0] = 1;
			m[k].stride[0] = 1;
			m[k].quant_axis = 0;
		}
		nr = 1;
	}
	for (unsigned int k = 0; k < nv; k++) {
		m[k].rank = nr;
		v[k] = m[k];
	}
}

static int same_quant(const struct compute_tensor *a, const struct compute_tensor *b)
{
	if (a->quant != b->quant)
		return 0;
	if (a->quant == ARES_QUANT_PER_TENSOR)
		return a->scale == b->scale && a->zero_point == b->zero_point;
	return a->quant == ARES_QUANT_NONE;
}

/* Integer division and modulo by zero are errors, found before any write. */
static int has_zero_divisor(struct elt *e)
{
	const struct compute_tensor *d = &e->in[1];
	unsigned int r = d->rank;
	int64_t v[CHUNK];

	for (int64_t row = 0; row < e->rows; row++) {
		int64_t idx[ARES_MAX_RANK];

		row_index(&e->out, row, idx);
		for (int64_t j0 = 0; j0 < e->inner; j0 += CHUNK) {
			int64_t n = e->inner - j0 < CHUNK ? e->inner - j0 : CHUNK;

			ck_load_i64(d->dtype,
				    (const char *)ck_at(d, idx) +
					    j0 * d->stride[r - 1] * compute_dtype_size(d->dtype),
				    d->stride[r - 1], n, v);
			for (int64_t i = 0; i < n; i++)
				if (!v[i])
					return 1;
		}
	}
	return 0;
}

uint32_t compute_eltwise(struct compute_workers *w, const struct ares_eltwise_params *p,
			 unsigned int num_inputs, const struct compute_tensor *in,
			 const struct compute_tensor *out, struct compute_stats *st)
{
	struct elt e = {.p = p, .n_in = num_inputs};
	uint32_t op = p->op;
	unsigned int want = is_unary(op) ? 1 : is_binary(op) ? 2 : op == ARES_ELT_WHERE ? 3 : 0;
	const struct compute_tensor *vals; /* the operand(s) whose dtype sets the arithmetic */
	int64_t total;

	if (!want || num_inputs != want || !ck_tensor_ok(out))
		return CK_INVAL;
	for (unsigned int k = 0; k < num_inputs; k++)
		if (!ck_tensor_ok(&in[k]) || !ck_same_shape(&in[k], out))
			return CK_INVAL;
	vals = op == ARES_ELT_WHERE ? &in[1] : &in[0];
	for (unsigned int k = vals - in + 1; k < num_inputs; k++)
		if (in[k].dtype != vals->dtype)
			return CK_INVAL;
	if (is_class(op)) {
		if (out->dtype != ARES_DTYPE_BOOL || !ck_is_float(vals->dtype))
			return CK_INVAL;
	} else if (is_cmp(op) || is_logic(op)) {
		if (out->dtype != ARES_DTYPE_BOOL)
			return CK_INVAL;
		if (is_logic(op) && vals->dtype != ARES_DTYPE_BOOL)
			return CK_INVAL;
	} else if (op != ARES_ELT_COPY && out->dtype != vals->dtype) {
		return CK_INVAL;
	}
	if (op == ARES_ELT_WHERE && in[0].dtype != ARES_DTYPE_BOOL)
		return CK_INVAL;
	if (op == ARES_ELT_COPY) {
		e.raw_copy = in[0].dtype == out->dtype && same_quant(&in[0], out);
		e.int_math = plain_int(&in[0]) && plain_int(out);
	} else {
		e.int_math = plain_int(vals) &&
			     (is_binary(op) || is_logic(op) || op == ARES_ELT_WHERE ||
			      op == ARES_ELT_RELU || op == ARES_ELT_CLIP || op == ARES_ELT_NEG ||
			      op == ARES_ELT_ABS || op == ARES_ELT_SIGN);
		/* Unquantised I8/U8 arithmetic runs in f32 and requantises;
		 * shifts are bit operations on plain bytes. */
		if (ck_is_int8(vals->dtype) && !is_logic(op) && !is_cmp(op) &&
		    op != ARES_ELT_WHERE && !is_shift(op))
			e.int_math = 0;
		if (p->flags & ARES_ELT_F_WRAP) {
			if (!ck_is_int8(out->dtype) || !plain_int(&in[0]) || !plain_int(&in[1]) ||
			    !plain_int(out) || op < ARES_ELT_ADD || op > ARES_ELT_DIV)
				return CK_INVAL;
			e.int_math = 1;
		}
		if (is_shift(op) && (in[0].dtype != ARES_DTYPE_U8 || !plain_int(&in[0]) ||
				     !plain_int(&in[1]) || !plain_int(out)))
			return CK_INVAL;
	}
	for (unsigned int k = 0; k < num_inputs; k++)
		ck_view1(&in[k], &e.in[k]);
	ck_view1(out, &e.out);
	if (ck_isa() != CK_ISA_SCALAR) {
		struct compute_tensor v[4];

		/* The scalar ISA keeps the loops as they were: the tests' oracle. */
		for (unsigned int k = 0; k < num_inputs; k++)
			v[k] = e.in[k];
		v[num_inputs] = e.out;
		merge_dims(v, num_inputs + 1);
		for (unsigned int k = 0; k < num_inputs; k++)
			e.in[k] = v[k];
		e.out = v[num_inputs];
		e.vec = !e.int_math && !e.raw_copy &&
			((op >= ARES_ELT_ADD && op <= ARES_ELT_DIV) || op == ARES_ELT_MAX ||
			 op == ARES_ELT_MIN);
		e.direct =
			e.vec && out->dtype == ARES_DTYPE_F32 && e.out.stride[e.out.rank - 1] == 1;
		for (unsigned int k = 0; k < num_inputs && e.direct; k++)
			e.direct = e.in[k].dtype == ARES_DTYPE_F32 &&
				   (e.in[k].stride[e.out.rank - 1] == 0 ||
				    e.in[k].stride[e.out.rank - 1] == 1);
	}
	e.inner = e.out.shape[e.out.rank - 1];
	total = ck_numel(&e.out);
	e.rows = e.inner ? total / e.inner : 0;
	if (!total)
		return CK_OK;
	if (e.int_math && (op == ARES_ELT_DIV || op == ARES_ELT_MOD || op == ARES_ELT_FMOD) &&
	    has_zero_divisor(&e))
		return CK_INVAL;
	e.rows_per_task = (16384 + e.inner - 1) / e.inner;
	ck_parallel(w, (e.rows + e.rows_per_task - 1) / e.rows_per_task, elt_task, &e);
	if (st) {
		st->vector_ops += (uint64_t)total;
		for (unsigned int k = 0; k < num_inputs; k++)
			st->bytes += (uint64_t)total * compute_dtype_size(in[k].dtype);
		st->bytes += (uint64_t)total * compute_dtype_size(out->dtype);
	}
	return CK_OK;
}

/* The op table's entry for ELTWISE (compute.h). */
uint32_t compute_cmd_eltwise(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			     const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_eltwise *c = (const void *)cmd;

	return compute_eltwise(w, &c->p, c->num_inputs, v, &v[3], cs);
}
