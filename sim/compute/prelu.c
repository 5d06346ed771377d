// SPDX-License-Identifier: MIT
/*
 * PRELU (hw-spec §12.12): y = x < 0 ? slope * x : x on float views, slope
 * broadcast to x by stride 0. Rows along the last dimension, in chunks,
 * computed in f32 and stored in the output dtype.
 */
#include "internal.h"

#define CHUNK 256

struct prelu {
	struct compute_tensor x, slope, y;
	int64_t inner, rows, rows_per_task;
};

/* The index of the first element of row @row of @t (rows along the last dimension). */
static void row_start(const struct compute_tensor *t, int64_t row, int64_t *idx)
{
	idx[t->rank - 1] = 0;
	for (int k = (int)t->rank - 2; k >= 0; k--) {
		idx[k] = row % t->shape[k];
		row /= t->shape[k];
	}
}

static const char *row_at(const struct compute_tensor *t, const int64_t *idx, int64_t j)
{
	return (const char *)ck_at(t, idx) +
	       j * t->stride[t->rank - 1] * (int64_t)compute_dtype_size(t->dtype);
}

static void prelu_task(void *ctx, int64_t task, unsigned int worker)
{
	const struct prelu *p = ctx;
	int64_t r0 = task * p->rows_per_task, r1 = r0 + p->rows_per_task, last;
	float x[CHUNK], s[CHUNK];

	(void)worker;
	if (r1 > p->rows)
		r1 = p->rows;
	last = p->y.rank - 1;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK];

		row_start(&p->y, row, idx);
		for (int64_t j0 = 0; j0 < p->inner; j0 += CHUNK) {
			int64_t n = p->inner - j0 < CHUNK ? p->inner - j0 : CHUNK;

			ck_load_f32(p->x.dtype, row_at(&p->x, idx, j0), p->x.stride[last], n, NULL,
				    x);
			ck_load_f32(p->slope.dtype, row_at(&p->slope, idx, j0),
				    p->slope.stride[last], n, NULL, s);
			for (int64_t i = 0; i < n; i++)
				x[i] = x[i] < 0.0f ? s[i] * x[i] : x[i];
			ck_store_f32(p->y.dtype, (char *)row_at(&p->y, idx, j0), p->y.stride[last],
				     n, NULL, x);
		}
	}
}

uint32_t compute_prelu(struct compute_workers *w, const struct compute_tensor *x,
		       const struct compute_tensor *slope, const struct compute_tensor *y,
		       struct compute_stats *st)
{
	struct prelu p;
	int64_t total;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(slope) || !ck_tensor_ok(y) ||
	    !ck_is_float(x->dtype) || slope->dtype != x->dtype || y->dtype != x->dtype ||
	    !ck_same_shape(slope, x) || !ck_same_shape(y, x) || x->quant || slope->quant ||
	    y->quant)
		return CK_INVAL;
	ck_view1(x, &p.x);
	ck_view1(slope, &p.slope);
	ck_view1(y, &p.y);
	total = ck_numel(&p.y);
	if (!total)
		return CK_OK;
	p.inner = p.y.shape[p.y.rank - 1];
	p.rows = total / p.inner;
	p.rows_per_task = (16384 + p.inner - 1) / p.inner;
	ck_parallel(w, (p.rows + p.rows_per_task - 1) / p.rows_per_task, prelu_task, &p);
	if (st) {
		st->vector_ops += (uint64_t)total;
		st->bytes += 3 * (uint64_t)total * compute_dtype_size(y->dtype);
	}
	return CK_OK;
}

uint32_t compute_cmd_prelu(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			   const struct compute_tensor *v, struct compute_stats *st)
{
	(void)cmd;
	return compute_prelu(w, &v[0], &v[1], &v[2], st);
}
