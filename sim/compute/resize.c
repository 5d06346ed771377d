// SPDX-License-Identifier: MIT
/*
 * RESIZE: nearest and (multi-)linear resampling with the ONNX coordinate
 * transformations and nearest-rounding modes. Per dimension, tables map
 * each output index to source offsets and a weight; linear interpolation
 * is separable, so an output element blends 2^(resized dims) inputs.
 * Linear takes source indices clamped to the edge (ONNX's edge padding).
 * Cubic takes four taps per resized dimension with the Keys kernel's
 * weights (separately, below).
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

struct rs {
	const struct ares_resize_params *p;
	struct compute_tensor x, y;
	int64_t *o0[ARES_MAX_RANK], *o1[ARES_MAX_RANK]; /* offsets in x, elements */
	float *wt[ARES_MAX_RANK];			/* weight of o1 */
	int lin[ARES_MAX_RANK];				/* dim blends two inputs */
	int64_t rows, per_task;
};

static float source_coord(uint32_t mode, float o, float s, int64_t in, int64_t out)
{
	switch (mode) {
	case ARES_COORD_ASYMMETRIC:
		return o / s;
	case ARES_COORD_ALIGN_CORNERS:
		return out == 1 ? 0.0f : o * (float)(in - 1) / (float)(out - 1);
	case ARES_COORD_PYTORCH_HALF_PIXEL:
		return out > 1 ? (o + 0.5f) / s - 0.5f : 0.0f;
	case ARES_COORD_TF_HALF_PIXEL_FOR_NN:
		return (o + 0.5f) / s;
	default:
		return (o + 0.5f) / s - 0.5f;
	}
}

static int64_t nearest(uint32_t mode, float v)
{
	float f = floorf(v);

	switch (mode) {
	case ARES_NEAREST_ROUND_PREFER_FLOOR:
		return (int64_t)(v == f + 0.5f ? f : roundf(v));
	case ARES_NEAREST_ROUND_PREFER_CEIL:
		return (int64_t)(v == f + 0.5f ? f + 1.0f : roundf(v));
	case ARES_NEAREST_FLOOR:
		return (int64_t)f;
	default:
		return (int64_t)ceilf(v);
	}
}

static inline int64_t clampi(int64_t v, int64_t hi)
{
	return v < 0 ? 0 : v > hi ? hi : v;
}

static inline float ld(uint32_t dt, const void *base, int64_t off)
{
	switch (dt) {
	case ARES_DTYPE_F16:
		return ck_f16_to_f32(((const uint16_t *)base)[off]);
	case ARES_DTYPE_BF16:
		return ck_bf16_to_f32(((const uint16_t *)base)[off]);
	default:
		return ((const float *)base)[off];
	}
}

static void resize_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct rs *c = ctx;
	const struct compute_tensor *x = &c->x, *y = &c->y;
	unsigned int r = y->rank, last = r - 1;
	int64_t W = y->shape[last], r0 = t * c->per_task, r1 = r0 + c->per_task;
	unsigned int es = compute_dtype_size(x->dtype);
	float *v = malloc((size_t)(W + 1) * sizeof(float));

	(void)worker;
	if (!v)
		abort();
	if (r1 > c->rows)
		r1 = c->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK] = {0}, rest = row;
		int64_t cb[1 << (ARES_MAX_RANK - 1)];
		float cw[1 << (ARES_MAX_RANK - 1)];
		int nc = 1;

		for (int d = (int)r - 2; d >= 0; d--) {
			idx[d] = rest % y->shape[d];
			rest /= y->shape[d];
		}
		cb[0] = 0;
		cw[0] = 1.0f;
		for (unsigned int d = 0; d < last; d++) {
			int64_t a = c->o0[d][idx[d]];

			if (c->p->mode == ARES_RESIZE_LINEAR && c->lin[d]) {
				int64_t b = c->o1[d][idx[d]];
				float w = c->wt[d][idx[d]];

				for (int k = 0; k < nc; k++) {
					cb[nc + k] = cb[k] + b;
					cw[nc + k] = cw[k] * w;
					cb[k] += a;
					cw[k] *= 1.0f - w;
				}
				nc *= 2;
			} else {
				for (int k = 0; k < nc; k++)
					cb[k] += a;
			}
		}
		char *yp = ck_at(y, idx);

		if (c->p->mode == ARES_RESIZE_NEAREST) {
			const char *xb = (const char *)x->data + cb[0] * es;

			for (int64_t j = 0; j < W; j++)
				memcpy(yp + j * y->stride[last] * es, xb + c->o0[last][j] * es, es);
			continue;
		}
		for (int64_t j = 0; j < W; j++) {
			float s = 0.0f, w = c->wt[last][j];

			for (int k = 0; k < nc; k++) {
				float a = ld(x->dtype, x->data, cb[k] + c->o0[last][j]);

				if (c->lin[last])
					a = a * (1.0f - w) +
					    ld(x->dtype, x->data, cb[k] + c->o1[last][j]) * w;
				s += cw[k] * a;
			}
			v[j] = s;
		}
		ck_store_f32(y->dtype, yp, y->stride[last], W, NULL, v);
	}
	free(v);
}

/* Cubic: per dimension, each output index's taps (offsets in x, in
 * elements) and weights; a dimension whose every output takes one input
 * with weight 1 (unresized) has one tap. */
struct cub {
	struct compute_tensor x, y;
	int64_t *off[ARES_MAX_RANK];
	float *wt[ARES_MAX_RANK];
	int nt[ARES_MAX_RANK];
	int64_t rows, per_task;
};

static void keys_weights(float t, float a, float *c)
{
	float x0 = t + 1.0f, x1 = t, x2 = 1.0f - t, x3 = 2.0f - t;

	c[0] = ((a * x0 - 5.0f * a) * x0 + 8.0f * a) * x0 - 4.0f * a;
	c[1] = ((a + 2.0f) * x1 - (a + 3.0f)) * x1 * x1 + 1.0f;
	c[2] = ((a + 2.0f) * x2 - (a + 3.0f)) * x2 * x2 + 1.0f;
	c[3] = ((a * x3 - 5.0f * a) * x3 + 8.0f * a) * x3 - 4.0f * a;
}

static void cubic_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct cub *c = ctx;
	const struct compute_tensor *x = &c->x, *y = &c->y;
	unsigned int r = y->rank, last = r - 1;
	int64_t W = y->shape[last], r0 = t * c->per_task, r1 = r0 + c->per_task;
	float *v = malloc((size_t)(W + 1) * sizeof(float));
	/* 4^(rank - 1) combinations of the leading dimensions' taps. */
	int64_t *cb = malloc(sizeof(int64_t) << (2 * (ARES_MAX_RANK - 1)));
	float *cw = malloc(sizeof(float) << (2 * (ARES_MAX_RANK - 1)));

	(void)worker;
	if (!v || !cb || !cw)
		abort();
	if (r1 > c->rows)
		r1 = c->rows;
	for (int64_t row = r0; row < r1; row++) {
		int64_t idx[ARES_MAX_RANK] = {0}, rest = row;
		int nc = 1;

		for (int d = (int)r - 2; d >= 0; d--) {
			idx[d] = rest % y->shape[d];
			rest /= y->shape[d];
		}
		cb[0] = 0;
		cw[0] = 1.0f;
		for (unsigned int d = 0; d < last; d++) {
			const int64_t *o = c->off[d] + 4 * idx[d];
			const float *wd = c->wt[d] + 4 * idx[d];
			int nt = c->nt[d];

			for (int k = nc - 1; k >= 0; k--)
				for (int j = nt - 1; j >= 0; j--) {
					cb[k * nt + j] = cb[k] + o[j];
					cw[k * nt + j] = cw[k] * wd[j];
				}
			nc *= nt;
		}
		for (int64_t j = 0; j < W; j++) {
			const int64_t *o = c->off[last] + 4 * j;
			const float *wd = c->wt[last] + 4 * j;
			float s = 0.0f;

			for (int k = 0; k < nc; k++) {
				float a = 0.0f;

				for (int l = 0; l < c->nt[last]; l++)
					a += wd[l] * ld(x->dtype, x->data, cb[k] + o[l]);
				s += cw[k] * a;
			}
			v[j] = s;
		}
		ck_store_f32(y->dtype, ck_at(y, idx), y->stride[last], W, NULL, v);
	}
	free(v);
	free(cb);
	free(cw);
}

static uint32_t resize_cubic(struct compute_workers *w, const struct ares_resize_params *p,
			     const struct compute_tensor *x, const struct compute_tensor *y,
			     struct compute_stats *st)
{
	struct cub c = {0};
	uint32_t ret = CK_INVAL;
	float a = ck_f32(p->cubic_a);
	unsigned int r;

	if (!isfinite(a) || p->exclude_outside > 1)
		return CK_INVAL;
	ck_view1(x, &c.x);
	ck_view1(y, &c.y);
	r = c.y.rank;
	if (!ck_numel(&c.y))
		return CK_OK;
	for (unsigned int d = 0; d < r; d++) {
		int64_t in = c.x.shape[d], out = c.y.shape[d];
		float s = d < x->rank ? ck_f32(p->scale[d]) : 0.0f;
		int ident = in == out;

		if (!in || (s != 0.0f && !(s > 0.0f)))
			goto out;
		if (s == 0.0f)
			s = (float)out / (float)in;
		c.off[d] = malloc((size_t)out * 4 * sizeof(int64_t));
		c.wt[d] = malloc((size_t)out * 4 * sizeof(float));
		if (!c.off[d] || !c.wt[d])
			goto out;
		for (int64_t o = 0; o < out; o++) {
			float xo = source_coord(p->coord, (float)o, s, in, out), f = floorf(xo);
			float k4[4], sum = 0.0f;
			int64_t base = (int64_t)f - 1;

			keys_weights(xo - f, a, k4);
			for (int k = 0; k < 4; k++) {
				if (p->exclude_outside && (base + k < 0 || base + k >= in))
					k4[k] = 0.0f;
				sum += k4[k];
			}
			for (int k = 0; k < 4; k++) {
				float wk = p->exclude_outside && sum != 0.0f ? k4[k] / sum : k4[k];

				c.off[d][4 * o + k] = clampi(base + k, in - 1) * c.x.stride[d];
				c.wt[d][4 * o + k] = wk;
				if (k != 1 ? wk != 0.0f : wk != 1.0f || base + 1 != o)
					ident = 0;
			}
		}
		c.nt[d] = 4;
		if (ident) {
			/* Tap 1 alone, weight 1, at the same index. */
			for (int64_t o = 0; o < out; o++) {
				c.off[d][4 * o] = c.off[d][4 * o + 1];
				c.wt[d][4 * o] = 1.0f;
			}
			c.nt[d] = 1;
		}
	}
	c.rows = ck_numel(&c.y) / c.y.shape[r - 1];
	c.per_task = (8192 + c.y.shape[r - 1] - 1) / c.y.shape[r - 1];
	ck_parallel(w, (c.rows + c.per_task - 1) / c.per_task, cubic_task, &c);
	if (st) {
		st->vector_ops += 4 * (uint64_t)ck_numel(y);
		st->bytes += (uint64_t)(ck_numel(x) + ck_numel(y)) * compute_dtype_size(x->dtype);
	}
	ret = CK_OK;
out:
	for (unsigned int d = 0; d < ARES_MAX_RANK; d++) {
		free(c.off[d]);
		free(c.wt[d]);
	}
	return ret;
}

uint32_t compute_resize(struct compute_workers *w, const struct ares_resize_params *p,
			const struct compute_tensor *x, const struct compute_tensor *y,
			struct compute_stats *st)
{
	struct rs c = {.p = p};
	uint32_t ret = CK_INVAL;
	unsigned int r;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || x->rank != y->rank || x->dtype != y->dtype ||
	    p->mode > ARES_RESIZE_CUBIC || p->coord > ARES_COORD_TF_HALF_PIXEL_FOR_NN ||
	    p->nearest > ARES_NEAREST_CEIL)
		return CK_INVAL;
	if (p->mode != ARES_RESIZE_NEAREST && (!ck_is_float(x->dtype)))
		return CK_INVAL;
	if (p->mode == ARES_RESIZE_CUBIC)
		return resize_cubic(w, p, x, y, st);
	if (p->cubic_a || p->exclude_outside)
		return CK_INVAL;
	ck_view1(x, &c.x);
	ck_view1(y, &c.y);
	r = c.y.rank;
	if (!ck_numel(&c.y))
		return CK_OK;
	for (unsigned int d = 0; d < r; d++) {
		int64_t in = c.x.shape[d], out = c.y.shape[d];
		float s = d < x->rank ? ck_f32(p->scale[d]) : 0.0f;

		if (!in || (s != 0.0f && !(s > 0.0f)))
			goto out;
		if (s == 0.0f)
			s = (float)out / (float)in;
		c.o0[d] = malloc((size_t)out * sizeof(int64_t));
		c.o1[d] = malloc((size_t)out * sizeof(int64_t));
		c.wt[d] = malloc((size_t)out * sizeof(float));
		if (!c.o0[d] || !c.o1[d] || !c.wt[d])
			goto out;
		for (int64_t o = 0; o < out; o++) {
			float xo = source_coord(p->coord, (float)o, s, in, out);
			int64_t i0, i1;
			float wgt = 0.0f;

			if (p->mode == ARES_RESIZE_NEAREST) {
				i0 = i1 = clampi(nearest(p->nearest, xo), in - 1);
			} else {
				float f = floorf(xo);

				wgt = xo - f;
				i0 = clampi((int64_t)f, in - 1);
				i1 = clampi((int64_t)f + 1, in - 1);
				if (wgt != 0.0f && i0 != i1)
					c.lin[d] = 1;
			}
			c.o0[d][o] = i0 * c.x.stride[d];
			c.o1[d][o] = i1 * c.x.stride[d];
			c.wt[d][o] = wgt;
		}
	}
	c.rows = ck_numel(&c.y) / c.y.shape[r - 1];
	c.per_task = (8192 + c.y.shape[r - 1] - 1) / c.y.shape[r - 1];
	ck_parallel(w, (c.rows + c.per_task - 1) / c.per_task, resize_task, &c);
	if (st) {
		st->vector_ops += (uint64_t)ck_numel(y);
		st->bytes += (uint64_t)(ck_numel(x) + ck_numel(y)) * compute_dtype_size(x->dtype);
	}
	ret = CK_OK;
out:
	for (unsigned int d = 0; d < ARES_MAX_RANK; d++) {
		free(c.o0[d]);
		free(c.o1[d]);
		free(c.wt[d]);
	}
	return ret;
}

/* The op table's entry for RESIZE (compute.h). */
uint32_t compute_cmd_resize(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			    const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_resize *c = (const void *)cmd;

	return compute_resize(w, &c->p, &v[0], &v[1], cs);
}
