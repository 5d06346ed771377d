// SPDX-License-Identifier: MIT
/*
 * The DMA engine's data movement: strided copy, pad (constant, reflect,
 * edge), gather along an axis and fill. Elements move as raw bytes of
 * their dtype; nothing is converted.
 */
#include <stdlib.h>

#include "internal.h"

struct mv {
	struct compute_tensor x, y;
	const struct ares_pad_params *pad;
	int64_t *map[ARES_MAX_RANK]; /* pad: y index -> x index, -1 for the constant */
	uint64_t value;
	int64_t rows, per_task;
};

static void row_index(const struct compute_tensor *t, int64_t row, int64_t *idx)
{
	idx[t->rank - 1] = 0;
	for (int d = (int)t->rank - 2; d >= 0; d--) {
		idx[d] = row % t->shape[d];
		row /= t->shape[d];
	}
}

static void copy_elems(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n,
		       unsigned int es)
{
	if (ds == 1 && ss == 1) {
		memmove(dst, src, (size_t)n * es);
		return;
	}
	switch (es) {
	case 1:
		for (int64_t i = 0; i < n; i++)
			dst[i * ds] = src[i * ss];
		break;
	case 2:
		for (int64_t i = 0; i < n; i++)
			memcpy(dst + i * ds * 2, src + i * ss * 2, 2);
		break;
	case 4:
		for (int64_t i = 0; i < n; i++)
			memcpy(dst + i * ds * 4, src + i * ss * 4, 4);
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			memcpy(dst + i * ds * 8, src + i * ss * 8, 8);
	}
}

static void copy_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct mv *c = ctx;
	unsigned int r = c->y.rank, es = compute_dtype_size(c->y.dtype);
	int64_t r0 = t * c->per_task, r1 = r0 + c->per_task;

	(void)worker;
	if (r1 > c->rows)
		r1 = c->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK];

		row_index(&c->y, row, idx);
		copy_elems(ck_at(&c->y, idx), c->y.stride[r - 1], ck_at(&c->x, idx),
			   c->x.stride[r - 1], c->y.shape[r - 1], es);
	}
}

static int64_t rows_of(const struct compute_tensor *t)
{
	return t->shape[t->rank - 1] ? ck_numel(t) / t->shape[t->rank - 1] : 0;
}

static int64_t per_task(const struct compute_tensor *t)
{
	int64_t w = t->shape[t->rank - 1];

	return w ? (16384 + w - 1) / w : 1;
}

uint32_t compute_copy(struct compute_workers *w, const struct compute_tensor *x,
		      const struct compute_tensor *y, struct compute_stats *st)
{
	struct mv c = {0};

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || x->dtype != y->dtype || !ck_same_shape(x, y))
		return CK_INVAL;
	ck_view1(x, &c.x);
	ck_view1(y, &c.y);
	c.rows = rows_of(&c.y);
	c.per_task = per_task(&c.y);
	ck_parallel(w, (c.rows + c.per_task - 1) / c.per_task, copy_task, &c);
	if (st)
		st->bytes += 2 * (uint64_t)ck_numel(y) * compute_dtype_size(y->dtype);
	return CK_OK;
}

static void pad_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct mv *c = ctx;
	unsigned int r = c->y.rank, es = compute_dtype_size(c->y.dtype), last = r - 1;
	int64_t r0 = t * c->per_task, r1 = r0 + c->per_task, W = c->y.shape[last];

	(void)worker;
	if (r1 > c->rows)
		r1 = c->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK], xi[ARES_MAX_RANK] = {0};
		int inside = 1;
		char *yp;
		const char *xp;

		row_index(&c->y, row, idx);
		yp = ck_at(&c->y, idx);
		for (unsigned int d = 0; d < last; d++) {
			xi[d] = c->map[d][idx[d]];
			inside &= xi[d] >= 0;
		}
		xp = inside ? ck_at(&c->x, xi) : NULL;
		for (int64_t j = 0; j < W; j++) {
			int64_t s = inside ? c->map[last][j] : -1;
			char *d = yp + j * c->y.stride[last] * es;

			if (s < 0)
				memcpy(d, &c->value, es);
			else
				memcpy(d, xp + s * c->x.stride[last] * es, es);
		}
	}
}

uint32_t compute_pad(struct compute_workers *w, const struct ares_pad_params *p,
		     const struct compute_tensor *x, const struct compute_tensor *y,
		     struct compute_stats *st)
{
	struct mv c = {.pad = p, .value = p->value};
	uint32_t ret = CK_INVAL;
	unsigned int r;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || x->dtype != y->dtype || x->rank != y->rank ||
	    p->mode > ARES_PAD_EDGE)
		return CK_INVAL;
	for (unsigned int d = 0; d < x->rank; d++) {
		int64_t in = x->shape[d], b = p->begin[d], e = p->end[d];

		if (y->shape[d] != in + b + e)
			return CK_INVAL;
		if (p->mode == ARES_PAD_REFLECT && (b >= in || e >= in) && (b || e))
			return CK_INVAL;
		if (p->mode == ARES_PAD_EDGE && !in && (b || e))
			return CK_INVAL;
	}
	for (unsigned int d = x->rank; d < ARES_MAX_RANK; d++)
		if (p->begin[d] || p->end[d])
			return CK_INVAL;
	ck_view1(x, &c.x);
	ck_view1(y, &c.y);
	r = c.y.rank;
	if (!ck_numel(&c.y))
		return CK_OK;
	for (unsigned int d = 0; d < r; d++) {
		int64_t in = c.x.shape[d], b = d < x->rank ? p->begin[d] : 0;

		c.map[d] = malloc((size_t)c.y.shape[d] * sizeof(int64_t));
		if (!c.map[d])
			goto out;
		for (int64_t o = 0; o < c.y.shape[d]; o++) {
			int64_t i = o - b;

			if (i < 0 || i >= in) {
				if (p->mode == ARES_PAD_CONSTANT)
					i = -1;
				else if (p->mode == ARES_PAD_EDGE)
					i = i < 0 ? 0 : in - 1;
				else
					i = i < 0 ? -i : 2 * (in - 1) - i;
			}
			c.map[d][o] = i;
		}
	}
	c.rows = rows_of(&c.y);
	c.per_task = per_task(&c.y);
	ck_parallel(w, (c.rows + c.per_task - 1) / c.per_task, pad_task, &c);
	if (st)
		st->bytes += (uint64_t)(ck_numel(x) + ck_numel(y)) * compute_dtype_size(y->dtype);
	ret = CK_OK;
out:
	for (unsigned int d = 0; d < ARES_MAX_RANK; d++)
		free(c.map[d]);
	return ret;
}

struct gt {
	const struct compute_tensor *data, *ind, *y;
	uint32_t axis;
	int64_t *idx; /* normalised indices, row-major over ind's shape */
	int64_t per_task, total;
};

static void gather_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct gt *g = ctx;
	const struct compute_tensor *data = g->data, *y = g->y;
	unsigned int q = g->ind->rank, es = compute_dtype_size(y->dtype), ax = g->axis;
	int64_t e0 = t * g->per_task, e1 = e0 + g->per_task;

	(void)worker;
	if (e1 > g->total)
		e1 = g->total;
	for (int64_t e = e0; e < e1; e++) {
		int64_t yi[ARES_MAX_RANK], di[ARES_MAX_RANK], rest = e, flat = 0;

		for (int d = (int)y->rank - 1; d >= 0; d--) {
			yi[d] = rest % y->shape[d];
			rest /= y->shape[d];
		}
		for (unsigned int d = 0; d < ax; d++)
			di[d] = yi[d];
		for (unsigned int d = 0; d < q; d++)
			flat = flat * g->ind->shape[d] + yi[ax + d];
		di[ax] = g->idx[flat];
		for (unsigned int d = ax + 1; d < data->rank; d++)
			di[d] = yi[d - 1 + q];
		memcpy(ck_at(y, yi), ck_at(data, di), es);
	}
}

uint32_t compute_gather(struct compute_workers *w, uint32_t axis, const struct compute_tensor *data,
			const struct compute_tensor *indices, const struct compute_tensor *y,
			struct compute_stats *st)
{
	struct gt g = {.data = data, .ind = indices, .y = y, .axis = axis};
	unsigned int q;
	int64_t ni, n;

	if (!ck_tensor_ok(data) || !ck_tensor_ok(indices) || !ck_tensor_ok(y) ||
	    axis >= data->rank || y->dtype != data->dtype ||
	    (indices->dtype != ARES_DTYPE_I32 && indices->dtype != ARES_DTYPE_I64))
		return CK_INVAL;
	q = indices->rank;
	if (y->rank != data->rank - 1 + q)
		return CK_INVAL;
	for (unsigned int d = 0; d < y->rank; d++) {
		int64_t want = d < axis	      ? data->shape[d]
			       : d < axis + q ? indices->shape[d - axis]
					      : data->shape[d - q + 1];

		if (y->shape[d] != want)
			return CK_INVAL;
	}
	ni = ck_numel(indices);
	n = data->shape[axis];
	g.idx = malloc((size_t)(ni + 1) * sizeof(int64_t));
	if (!g.idx)
		return CK_INVAL;
	/* Every index is checked before anything is written. */
	for (int64_t i = 0; i < ni; i++) {
		int64_t id[ARES_MAX_RANK], rest = i, v;

		for (int d = (int)q - 1; d >= 0; d--) {
			id[d] = rest % indices->shape[d];
			rest /= indices->shape[d];
		}
		ck_load_i64(indices->dtype, ck_at(indices, id), 1, 1, &v);
		if (v < 0)
			v += n;
		if (v < 0 || v >= n) {
			free(g.idx);
			return CK_INVAL;
		}
		g.idx[i] = v;
	}
	g.total = ck_numel(y);
	g.per_task = 16384;
	ck_parallel(w, (g.total + g.per_task - 1) / g.per_task, gather_task, &g);
	free(g.idx);
	if (st)
		st->bytes += (uint64_t)g.total * 2 * compute_dtype_size(y->dtype) +
			     (uint64_t)ni * compute_dtype_size(indices->dtype);
	return CK_OK;
}

static void fill_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct mv *c = ctx;
	unsigned int r = c->y.rank, es = compute_dtype_size(c->y.dtype);
	int64_t r0 = t * c->per_task, r1 = r0 + c->per_task, W = c->y.shape[r - 1];

	(void)worker;
	if (r1 > c->rows)
		r1 = c->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK];
		char *p;

		row_index(&c->y, row, idx);
		p = ck_at(&c->y, idx);
		for (int64_t j = 0; j < W; j++)
			memcpy(p + j * c->y.stride[r - 1] * es, &c->value, es);
	}
}

uint32_t compute_fill(struct compute_workers *w, uint64_t value, const struct compute_tensor *y,
		      struct compute_stats *st)
{
	struct mv c = {.value = value};

	if (!ck_tensor_ok(y))
		return CK_INVAL;
	ck_view1(y, &c.y);
	c.rows = rows_of(&c.y);
	c.per_task = per_task(&c.y);
	ck_parallel(w, (c.rows + c.per_task - 1) / c.per_task, fill_task, &c);
	if (st)
		st->bytes += (uint64_t)ck_numel(y) * compute_dtype_size(y->dtype);
	return CK_OK;
}

/* The op table's entry for COPY (compute.h). */
uint32_t compute_cmd_copy(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			  const struct compute_tensor *v, struct compute_stats *cs)
{
	(void)cmd;
	return compute_copy(w, &v[0], &v[1], cs);
}

/* The op table's entry for PAD (compute.h). */
uint32_t compute_cmd_pad(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			 const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_pad *c = (const void *)cmd;

	return compute_pad(w, &c->p, &v[0], &v[1], cs);
}

/* The op table's entry for GATHER (compute.h). */
uint32_t compute_cmd_gather(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			    const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_gather *c = (const void *)cmd;

	return compute_gather(w, c->axis, &v[0], &v[1], &v[2], cs);
}

/* The op table's entry for FILL_TENSOR (compute.h). */
uint32_t compute_cmd_fill_tensor(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
				 const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_fill_tensor *c = (const void *)cmd;

	return compute_fill(w, c->value, &v[0], cs);
}
