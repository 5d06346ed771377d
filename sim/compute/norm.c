// SPDX-License-Identifier: MIT
/*
 * NORM: LayerNormalization and InstanceNormalization (statistics over the
 * trailing dimensions from an axis, two passes in double for the mean and
 * the population variance) and BatchNormalization in inference form (given
 * mean and variance), each with an optional fused activation.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

#define CHUNK 512

struct nm {
	const struct ares_norm_params *p;
	struct compute_tensor x, y, scale, bias, mean, var;
	int has_scale, has_bias;
	unsigned int axis; /* first normalised dim (LAYER, INSTANCE) */
	int64_t groups, gsize, inner, per_task;
};

static void load_row(const struct compute_tensor *t, const int64_t *idx, int64_t j0, int64_t n,
		     float *v)
{
	unsigned int r = t->rank;
	int64_t id[ARES_MAX_RANK];
	struct ck_qrow q;

	memcpy(id, idx, sizeof(id));
	id[r - 1] = j0;
	ck_qrow_of(t, id, r - 1, &q);
	ck_load_f32(t->dtype, ck_at(t, id), t->stride[r - 1], n, &q, v);
}

/* Rows of the group (or of the whole tensor for BATCH) through fn. */
static void rows_of(const struct nm *c, int64_t g, int pass, double *acc, double mean, float inv)
{
	const struct compute_tensor *x = &c->x;
	unsigned int r = x->rank, a = c->axis;
	int64_t nrows = c->gsize / c->inner;
	float v[CHUNK], s[CHUNK], b[CHUNK], mv[CHUNK], vv[CHUNK];
	float eps = ck_f32(c->p->epsilon), al = ck_f32(c->p->act_alpha),
	      be = ck_f32(c->p->act_beta);

	for (int64_t row = 0; row < nrows; row++) {
		int64_t idx[ARES_MAX_RANK] = {0}, rest = row, og = g;

		for (int d = (int)r - 2; d >= (int)a; d--) {
			idx[d] = rest % x->shape[d];
			rest /= x->shape[d];
		}
		for (int d = (int)a - 1; d >= 0; d--) {
			idx[d] = og % x->shape[d];
			og /= x->shape[d];
		}
		for (int64_t j0 = 0; j0 < c->inner; j0 += CHUNK) {
			int64_t n = c->inner - j0 < CHUNK ? c->inner - j0 : CHUNK;

			load_row(x, idx, j0, n, v);
			if (pass == 0) {
				for (int64_t i = 0; i < n; i++)
					acc[0] += v[i];
				continue;
			}
			if (pass == 1) {
				for (int64_t i = 0; i < n; i++)
					acc[0] += (v[i] - mean) * (v[i] - mean);
				continue;
			}
			if (c->p->kind == ARES_NORM_BATCH) {
				load_row(&c->mean, idx, j0, n, mv);
				load_row(&c->var, idx, j0, n, vv);
				for (int64_t i = 0; i < n; i++)
					v[i] = (v[i] - mv[i]) / sqrtf(vv[i] + eps);
			} else {
				for (int64_t i = 0; i < n; i++)
					v[i] = (float)(v[i] - mean) * inv;
			}
			if (c->has_scale) {
				load_row(&c->scale, idx, j0, n, s);
				for (int64_t i = 0; i < n; i++)
					v[i] *= s[i];
			}
			if (c->has_bias) {
				load_row(&c->bias, idx, j0, n, b);
				for (int64_t i = 0; i < n; i++)
					v[i] += b[i];
			}
			ck_activate(c->p->activation, al, be, v, n);
			{
				const struct compute_tensor *y = &c->y;
				int64_t id[ARES_MAX_RANK];
				struct ck_qrow q;

				memcpy(id, idx, sizeof(id));
				id[r - 1] = j0;
				ck_qrow_of(y, id, r - 1, &q);
				ck_store_f32(y->dtype, ck_at(y, id), y->stride[r - 1], n, &q, v);
			}
		}
	}
}

static void norm_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct nm *c = ctx;
	int64_t g0 = t * c->per_task, g1 = g0 + c->per_task;

	(void)worker;
	if (g1 > c->groups)
		g1 = c->groups;
	for (int64_t g = g0; g < g1; g++) {
		double sum = 0.0, sq = 0.0, mean = 0.0;
		float inv = 0.0f;

		if (c->p->kind != ARES_NORM_BATCH) {
			rows_of(c, g, 0, &sum, 0.0, 0.0f);
			mean = sum / (double)c->gsize;
			rows_of(c, g, 1, &sq, mean, 0.0f);
			inv = (float)(1.0 / sqrt(sq / (double)c->gsize + ck_f32(c->p->epsilon)));
		}
		rows_of(c, g, 2, NULL, mean, inv);
	}
}

static int view_of(const struct compute_tensor *t, const struct compute_tensor *x,
		   struct compute_tensor *v)
{
	if (!t || t->dtype == ARES_DTYPE_NONE)
		return 0;
	if (!ck_tensor_ok(t) || !ck_same_shape(t, x))
		return -1;
	ck_view1(t, v);
	return 1;
}

uint32_t compute_norm(struct compute_workers *w, const struct ares_norm_params *p,
		      const struct compute_tensor *x, const struct compute_tensor *scale,
		      const struct compute_tensor *bias, const struct compute_tensor *mean,
		      const struct compute_tensor *var, const struct compute_tensor *y,
		      struct compute_stats *st)
{
	struct nm c = {.p = p};
	int hm, hv;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || !ck_same_shape(x, y) ||
	    !ck_is_float(x->dtype) || x->dtype != y->dtype || !ck_act_ok(p->activation) ||
	    p->kind > ARES_NORM_BATCH)
		return CK_INVAL;
	c.has_scale = view_of(scale, x, &c.scale);
	c.has_bias = view_of(bias, x, &c.bias);
	hm = view_of(mean, x, &c.mean);
	hv = view_of(var, x, &c.var);
	if (c.has_scale < 0 || c.has_bias < 0 || hm < 0 || hv < 0)
		return CK_INVAL;
	if ((p->kind == ARES_NORM_BATCH) != (hm && hv) ||
	    (p->kind != ARES_NORM_BATCH && (hm || hv)))
		return CK_INVAL;
	ck_view1(x, &c.x);
	ck_view1(y, &c.y);
	switch (p->kind) {
	case ARES_NORM_LAYER:
		if (p->axis >= x->rank)
			return CK_INVAL;
		c.axis = p->axis;
		break;
	case ARES_NORM_INSTANCE:
		if (x->rank < 3)
			return CK_INVAL;
		c.axis = 2;
		break;
	default:
		/* No statistics: every row is a group of its own. */
		c.axis = c.x.rank - 1;
	}
	if (!ck_numel(x))
		return CK_OK;
	c.inner = c.x.shape[c.x.rank - 1];
	c.gsize = 1;
	for (unsigned int d = c.axis; d < c.x.rank; d++)
		c.gsize *= c.x.shape[d];
	c.groups = ck_numel(x) / c.gsize;
	c.per_task = (65536 + c.gsize - 1) / c.gsize;
	ck_parallel(w, (c.groups + c.per_task - 1) / c.per_task, norm_task, &c);
	if (st) {
		st->vector_ops += (uint64_t)ck_numel(x) * 4;
		st->bytes += (uint64_t)ck_numel(x) * 2 * compute_dtype_size(x->dtype);
	}
	return CK_OK;
}

/* The op table's entry for NORM (compute.h). */
uint32_t compute_cmd_norm(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			  const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_norm *c = (const void *)cmd;

	return compute_norm(w, &c->p, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], cs);
}
