// SPDX-License-Identifier: MIT
/*
 * POOL: MaxPool / AveragePool (with and without pad counting) /
 * Global*Pool over H and W of NCHW, one plane per task. Ceil mode needs no
 * flag: windows of the extra output row or column that reach past the
 * padded input simply find fewer cells.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

struct pl {
	const struct ares_pool_params *p;
	const struct compute_tensor *x, *y;
	int raw; /* MAX on I8/U8 compares the stored integers */
};

static void pool_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct pl *c = ctx;
	const struct ares_pool_params *p = c->p;
	const struct compute_tensor *x = c->x, *y = c->y;
	int64_t C = x->shape[1], H = x->shape[2], W = x->shape[3];
	int64_t oh = y->shape[2], ow = y->shape[3], n = t / C, ch = t % C;
	int64_t pt = p->pad_top, pl = p->pad_left, pb = p->pad_bottom, pr = p->pad_right;
	int64_t idx[4] = {n, ch, 0, 0};
	float *in = malloc((size_t)(H * W + ow + 1) * sizeof(float)), *out = in + H * W;
	struct ck_qrow qx, qy;

	(void)worker;
	if (!in)
		abort();
	ck_qrow_of(x, idx, 3, &qx);
	ck_qrow_of(y, idx, 3, &qy);
	for (int64_t i = 0; i < H; i++) {
		idx[2] = i;
		ck_load_f32(x->dtype, ck_at(x, idx), x->stride[3], W, c->raw ? NULL : &qx,
			    in + i * W);
	}
	for (int64_t oy = 0; oy < oh; oy++) {
		for (int64_t ox = 0; ox < ow; ox++) {
			float m = -INFINITY;
			double s = 0.0;
			int64_t cnt = 0, cnt_pad = 0;

			for (int64_t ky = 0; ky < p->kernel_h; ky++) {
				int64_t iy = oy * p->stride_h - pt + ky * p->dilation_h;

				if (iy < -pt || iy >= H + pb)
					continue;
				for (int64_t kx = 0; kx < p->kernel_w; kx++) {
					int64_t ix = ox * p->stride_w - pl + kx * p->dilation_w;

					if (ix < -pl || ix >= W + pr)
						continue;
					cnt_pad++;
					if (iy < 0 || iy >= H || ix < 0 || ix >= W)
						continue;
					float v = in[iy * W + ix];

					cnt++;
					s += v;
					if (v > m || isnan(v))
						m = isnan(m) ? m : v;
				}
			}
			if (p->op == ARES_POOL_MAX)
				out[ox] = m;
			else if (p->op == ARES_POOL_AVG)
				out[ox] = cnt ? (float)(s / (double)cnt) : 0.0f;
			else
				out[ox] = cnt_pad ? (float)(s / (double)cnt_pad) : 0.0f;
		}
		idx[2] = oy;
		ck_store_f32(y->dtype, ck_at(y, idx), y->stride[3], ow, c->raw ? NULL : &qy, out);
	}
	free(in);
}

uint32_t compute_pool(struct compute_workers *w, const struct ares_pool_params *p,
		      const struct compute_tensor *x, const struct compute_tensor *y,
		      struct compute_stats *st)
{
	struct pl c = {.p = p, .x = x, .y = y};

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || x->rank != 4 || y->rank != 4 ||
	    x->dtype != y->dtype || p->op > ARES_POOL_AVG_PAD || !p->kernel_h || !p->kernel_w ||
	    !p->stride_h || !p->stride_w || !p->dilation_h || !p->dilation_w ||
	    y->shape[0] != x->shape[0] || y->shape[1] != x->shape[1])
		return CK_INVAL;
	if (ck_is_int8(x->dtype)) {
		if (p->op != ARES_POOL_MAX)
			return CK_INVAL;
		c.raw = 1;
	} else if (!ck_is_float(x->dtype)) {
		return CK_INVAL;
	}
	ck_parallel(w, x->shape[0] * x->shape[1], pool_task, &c);
	if (st) {
		st->vector_ops += (uint64_t)(ck_numel(y) * p->kernel_h * p->kernel_w);
		st->bytes += (uint64_t)((ck_numel(x) + ck_numel(y)) * compute_dtype_size(x->dtype));
	}
	return CK_OK;
}

/* The op table's entry for POOL (compute.h). */
uint32_t compute_cmd_pool(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			  const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_pool *c = (const void *)cmd;

	return compute_pool(w, &c->p, &v[0], &v[1], cs);
}
