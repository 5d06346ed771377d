// SPDX-License-Identifier: MIT
/*
 * SOFTMAX: Softmax / LogSoftmax along one axis, max-subtracted, one
 * lane (all indices but the axis) at a time.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

struct sm {
	const struct compute_tensor *x, *y;
	unsigned int axis;
	int log;
	int64_t lanes, per_task;
};

static void softmax_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct sm *c = ctx;
	const struct compute_tensor *x = c->x, *y = c->y;
	unsigned int ax = c->axis;
	int64_t L = x->shape[ax], l0 = t * c->per_task, l1 = l0 + c->per_task;
	float *v = malloc((size_t)(L + 1) * sizeof(float));

	(void)worker;
	if (!v)
		abort();
	if (l1 > c->lanes)
		l1 = c->lanes;
	for (int64_t lane = l0; lane < l1; lane++) {
		int64_t idx[ARES_MAX_RANK] = {0}, rest = lane;
		struct ck_qrow q;
		float m = -INFINITY;
		double s = 0.0;

		for (int d = (int)x->rank - 1; d >= 0; d--) {
			if ((unsigned int)d == ax)
				continue;
			idx[d] = rest % x->shape[d];
			rest /= x->shape[d];
		}
		ck_qrow_of(x, idx, ax, &q);
		ck_load_f32(x->dtype, ck_at(x, idx), x->stride[ax], L, &q, v);
		for (int64_t i = 0; i < L; i++)
			m = v[i] > m ? v[i] : m;
		if (isinf(m))
			m = 0.0f;
		for (int64_t i = 0; i < L; i++)
			s += expf(v[i] - m);
		if (c->log) {
			float ls = (float)log(s);

			for (int64_t i = 0; i < L; i++)
				v[i] = v[i] - m - ls;
		} else {
			float inv = (float)(1.0 / s);

			for (int64_t i = 0; i < L; i++)
				v[i] = expf(v[i] - m) * inv;
		}
		ck_qrow_of(y, idx, ax, &q);
		ck_store_f32(y->dtype, ck_at(y, idx), y->stride[ax], L, &q, v);
	}
	free(v);
}

uint32_t compute_softmax(struct compute_workers *w, const struct ares_softmax_params *p,
			 const struct compute_tensor *x, const struct compute_tensor *y,
			 struct compute_stats *st)
{
	struct sm c = {.x = x, .y = y, .axis = p->axis, .log = p->flags & ARES_SOFTMAX_LOG};

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || !ck_same_shape(x, y) || p->axis >= x->rank ||
	    p->flags & ~ARES_SOFTMAX_LOG || x->dtype != y->dtype || !ck_is_float(x->dtype))
		return CK_INVAL;
	if (!ck_numel(x))
		return CK_OK;
	c.lanes = ck_numel(x) / x->shape[p->axis];
	c.per_task = (16384 + x->shape[p->axis] - 1) / x->shape[p->axis];
	ck_parallel(w, (c.lanes + c.per_task - 1) / c.per_task, softmax_task, &c);
	if (st) {
		st->vector_ops += (uint64_t)ck_numel(x) * 3;
		st->bytes += (uint64_t)ck_numel(x) * 2 * compute_dtype_size(x->dtype);
	}
	return CK_OK;
}

/* The op table's entry for SOFTMAX (compute.h). */
uint32_t compute_cmd_softmax(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			     const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_softmax *c = (const void *)cmd;

	return compute_softmax(w, &c->p, &v[0], &v[1], cs);
}
