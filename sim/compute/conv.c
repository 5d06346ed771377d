// SPDX-License-Identifier: MIT
/*
 * CONV2D: Conv / QLinearConv / ConvInteger on the GEMM driver. Per image
 * and group, weights [M/g, C/g*kH*kW] times an im2col view of the input
 * that the B packer builds on the fly; padding packs as zero, which for
 * quantised inputs is exactly the input zero point once it is subtracted.
 */
#include <stdlib.h>

#include "internal.h"

struct cv {
	const struct compute_tensor *x, *b, *y;
	int64_t C, H, W, M, G, Cg, Mg, kh, kw, oh, ow;
	int64_t sh, sw, pt, pl, dh, dw;
	float *wf;	   /* float weights [M][K] */
	int32_t *wi;	   /* int weights minus zero points [M][K] */
	const float *sw_q; /* weight scale per output channel (step sw_step) */
	int64_t sw_step;
	float sx;
	int32_t zx;
	uint32_t act;
	float act_alpha, act_beta;
};

static void cv_pack_a(const struct ck_gemm *g, int64_t bi, int64_t r0, int64_t rn, int64_t k0,
		      int64_t kn, void *row, void *dst)
{
	const struct cv *c = g->ctx;
	int64_t K = g->K, kp = ck_kpad(g, kn), m0 = bi % c->G * c->Mg + r0;

	ck_pack_clear(g, CK_MR, rn, kn, dst);
	for (int64_t k = 0; k < kn; k++) {
		if (g->is_int) {
			int32_t *v = row;

			for (int64_t i = 0; i < rn; i++)
				v[i] = c->wi[(m0 + i) * K + k0 + k];
			ck_panel_put_i16(dst, CK_MR, kp, k, v, rn);
		} else {
			float *v = row;

			for (int64_t i = 0; i < rn; i++)
				v[i] = c->wf[(m0 + i) * K + k0 + k];
			ck_panel_put_f32(dst, CK_MR, kp, k, v, rn);
		}
	}
}

static void cv_pack_b(const struct ck_gemm *g, int64_t bi, int64_t r0, int64_t rn, int64_t k0,
		      int64_t kn, void *row, void *dst)
{
	const struct cv *c = g->ctx;
	const struct compute_tensor *x = c->x;
	int64_t n = bi / c->G, grp = bi % c->G, kp = ck_kpad(g, kn),
		es = compute_dtype_size(x->dtype);

	ck_pack_clear(g, CK_NR, rn, kn, dst);
	for (int64_t k = 0; k < kn; k++) {
		int64_t kk = k0 + k, kx = kk % c->kw, ky = kk / c->kw % c->kh;
		int64_t ch = grp * c->Cg + kk / (c->kw * c->kh);
		int64_t off = kx * c->dw - c->pl;
		int64_t lo = off >= 0 ? 0 : (-off + c->sw - 1) / c->sw;
		int64_t hi = c->W - 1 - off < 0 ? 0 : (c->W - 1 - off) / c->sw + 1; /* exclusive */
		const char *plane = ck_ptr(x, n * x->stride[0] + ch * x->stride[1]);
		float *vf = row;
		int32_t *vi = row;

		for (int64_t j = 0; j < rn;) {
			int64_t oy = (r0 + j) / c->ow, ox = (r0 + j) % c->ow;
			int64_t run = c->ow - ox < rn - j ? c->ow - ox : rn - j;
			int64_t iy = oy * c->sh - c->pt + ky * c->dh;
			int64_t a = ox > lo ? ox : lo, e = ox + run < hi ? ox + run : hi;

			if (iy < 0 || iy >= c->H || a >= e) {
				memset(vf + j, 0, (size_t)run * 4);
			} else {
				const char *p =
					plane +
					(iy * x->stride[2] + (a * c->sw + off) * x->stride[3]) * es;

				memset(vf + j, 0, (size_t)(a - ox) * 4);
				if (g->is_int)
					ck_load_i32_zp(x->dtype, p, c->sw * x->stride[3], e - a,
						       &c->zx, 0, vi + j + (a - ox));
				else
					ck_load_f32(x->dtype, p, c->sw * x->stride[3], e - a, NULL,
						    vf + j + (a - ox));
				memset(vf + j + (e - ox), 0, (size_t)(ox + run - e) * 4);
			}
			j += run;
		}
		if (g->is_int)
			ck_panel_put_i16(dst, CK_NR, kp, k, vi, rn);
		else
			ck_panel_put_f32(dst, CK_NR, kp, k, vf, rn);
	}
}

static void cv_store(const struct ck_gemm *g, int64_t bi, int64_t m0, int64_t mn, int64_t n0,
		     int64_t nn, const void *acc, int64_t ldc)
{
	const struct cv *c = g->ctx;
	const struct compute_tensor *y = c->y, *b = c->b;
	int64_t n = bi / c->G, grp = bi % c->G, es = compute_dtype_size(y->dtype);
	float v[NT_STORE];

	for (int64_t i = 0; i < mn; i++) {
		int64_t ch = grp * c->Mg + m0 + i;
		int64_t idx[4] = {n, ch, 0, 0};
		float bias = 0.0f, mult = 1.0f;
		int32_t ibias = 0;
		struct ck_qrow q;

		ck_qrow_of(y, idx, 3, &q);
		if (b && g->is_int)
			ibias = *(const int32_t *)ck_ptr(b, ch * b->stride[0]);
		else if (b)
			ck_load_f32(b->dtype, ck_ptr(b, ch * b->stride[0]), 1, 1, NULL, &bias);
		if (g->is_int)
			mult = c->sx * c->sw_q[ch * c->sw_step];
		for (int64_t j = 0; j < nn;) {
			int64_t oy = (n0 + j) / c->ow, ox = (n0 + j) % c->ow;
			int64_t run = c->ow - ox < nn - j ? c->ow - ox : nn - j;
			char *p = ck_ptr(y, n * y->stride[0] + ch * y->stride[1] +
						    oy * y->stride[2] + ox * y->stride[3]);

			if (run > NT_STORE)
				run = NT_STORE;
			if (g->is_int) {
				const int32_t *a = (const int32_t *)acc + i * ldc + j;

				if (y->dtype == ARES_DTYPE_I32) {
					for (int64_t t = 0; t < run; t++)
						((int32_t *)p)[t * y->stride[3]] =
							(int32_t)((uint32_t)a[t] + (uint32_t)ibias);
					j += run;
					continue;
				}
				for (int64_t t = 0; t < run; t++)
					v[t] = (float)(int32_t)((uint32_t)a[t] + (uint32_t)ibias) *
					       mult;
			} else {
				const float *a = (const float *)acc + i * ldc + j;

				for (int64_t t = 0; t < run; t++)
					v[t] = a[t] + bias;
			}
			ck_activate(c->act, c->act_alpha, c->act_beta, v, run);
			ck_store_f32(y->dtype, p, y->stride[3], run, &q, v);
			(void)es;
			j += run;
		}
	}
}

/*
 * Depthwise (one input and one output channel per group): a GEMM of one
 * row would waste most of the micro-kernel, so each plane is padded once
 * and every tap adds a shifted row, which vectorises along the width.
 * These are the oracle and the int8 path; float depthwise on AVX2 and up
 * runs on dw.c's vector kernels.
 */
struct dw_job {
	const struct ck_gemm *g;
	const struct cv *c;
};

/* acc[i] += w * src[i * step]; unit steps get their own loop so it vectorises. */
static void dw_tap_f32(float *restrict acc, const float *restrict src, float w, int64_t n,
		       int64_t step)
{
	if (step == 1)
		for (int64_t i = 0; i < n; i++)
			acc[i] += w * src[i];
	else
		for (int64_t i = 0; i < n; i++)
			acc[i] += w * src[i * step];
}

/* Operands are |v| <= 255: no product overflows; the sum wraps like the GEMM's. */
static void dw_tap_i32(int32_t *restrict acc, const int32_t *restrict src, int32_t w, int64_t n,
		       int64_t step)
{
	if (step == 1)
		for (int64_t i = 0; i < n; i++)
			acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(w * src[i]));
	else
		for (int64_t i = 0; i < n; i++)
			acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(w * src[i * step]));
}

static void dw_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct dw_job *j = ctx;
	const struct cv *c = j->c;
	const struct compute_tensor *x = c->x;
	int is_int = j->g->is_int;
	int64_t n = t / c->G, ch = t % c->G, taps = c->kh * c->kw;
	int64_t hp = c->H + c->pt + (c->oh - 1) * c->sh + (c->kh - 1) * c->dh + 1;
	int64_t wp = c->W + c->pl + (c->ow - 1) * c->sw + (c->kw - 1) * c->dw + 1;
	float *pf = calloc((size_t)(hp * wp + c->ow), sizeof(float));
	float *af = pf ? pf + hp * wp : NULL;
	int32_t *pi = (int32_t *)pf, *ai = (int32_t *)af;
	int64_t idx[4] = {n, ch, 0, 0};

	(void)worker;
	if (!pf)
		abort();
	for (int64_t i = 0; i < c->H; i++) {
		idx[2] = i;
		if (is_int)
			ck_load_i32_zp(x->dtype, ck_at(x, idx), x->stride[3], c->W, &c->zx, 0,
				       pi + (i + c->pt) * wp + c->pl);
		else
			ck_load_f32(x->dtype, ck_at(x, idx), x->stride[3], c->W, NULL,
				    pf + (i + c->pt) * wp + c->pl);
	}
	for (int64_t oy = 0; oy < c->oh; oy++) {
		memset(af, 0, (size_t)c->ow * sizeof(float));
		for (int64_t ky = 0; ky < c->kh; ky++) {
			for (int64_t kx = 0; kx < c->kw; kx++) {
				int64_t off = (oy * c->sh + ky * c->dh) * wp + kx * c->dw,
					sw = c->sw;

				if (is_int) {
					int32_t wv = c->wi[ch * taps + ky * c->kw + kx];

					dw_tap_i32(ai, pi + off, wv, c->ow, sw);
				} else {
					float wv = c->wf[ch * taps + ky * c->kw + kx];

					dw_tap_f32(af, pf + off, wv, c->ow, sw);
				}
			}
		}
		cv_store(j->g, t, 0, 1, oy * c->ow, c->ow, af, c->ow);
	}
	free(pf);
}

/*
 * Int8 depthwise on dw.c's float kernels: with operands x - zx and w - zw
 * of at most 255 in size, every product (< 2^16) and every partial sum of
 * at most 256 taps (< 2^24) is an integer f32 holds exactly, so any order
 * of FMAs gives the loops' int32 sum; the sums then go through the loops'
 * own store. Declined (-1: the loops run it) where that bound does not hold.
 */
static int cv_dw_int(struct compute_workers *w, const struct ck_gemm *g, const struct cv *c,
		     int64_t N)
{
	int64_t taps = c->kh * c->kw, plane = c->oh * c->ow;
	struct compute_tensor xt = {.dtype = ARES_DTYPE_F32, .rank = 4}, yt = xt;
	struct ck_dw_conv d = {.x = &xt,
			       .y = &yt,
			       .N = N,
			       .C = c->C,
			       .H = c->H,
			       .W = c->W,
			       .kh = c->kh,
			       .kw = c->kw,
			       .oh = c->oh,
			       .ow = c->ow,
			       .sh = c->sh,
			       .sw = c->sw,
			       .pt = c->pt,
			       .pl = c->pl,
			       .dh = c->dh,
			       .dw = c->dw,
			       .act = ARES_ACT_NONE};
	float *xf, *yf, *wf;
	int32_t *row;
	int rc = -1;

	if (ck_isa() == CK_ISA_SCALAR || !ck_dnnl_enabled() || taps > 256 ||
	    !ck_zp_is_value(c->x->dtype, c->zx))
		return -1;
	for (int64_t i = 0; i < c->M * taps; i++)
		if (c->wi[i] < -255 || c->wi[i] > 255)
			return -1;
	xf = malloc((size_t)(N * c->C * c->H * c->W + c->M * taps + N * c->C * plane) *
		    sizeof(float));
	row = malloc((size_t)(c->W > plane ? c->W : plane) * sizeof(int32_t) + 4);
	if (!xf || !row)
		goto out;
	wf = xf + N * c->C * c->H * c->W, yf = wf + c->M * taps;
	for (int64_t i = 0; i < c->M * taps; i++)
		wf[i] = (float)c->wi[i];
	for (int64_t n = 0; n < N; n++) {
		for (int64_t ch = 0; ch < c->C; ch++) {
			for (int64_t i = 0; i < c->H; i++) {
				int64_t idx[4] = {n, ch, i, 0};
				float *dst = xf + ((n * c->C + ch) * c->H + i) * c->W;

				const void *p = ck_at(c->x, idx);
				int64_t xs = c->x->stride[3];

				if (c->x->dtype == ARES_DTYPE_U8)
					for (int64_t k = 0; k < c->W; k++)
						dst[k] =
							(float)((int32_t)((
									const uint8_t *)p)[k * xs] -
								c->zx);
				else
					for (int64_t k = 0; k < c->W; k++)
						dst[k] = (float)((int32_t)((
									 const int8_t *)p)[k * xs] -
								 c->zx);
			}
		}
	}
	xt.data = xf, yt.data = yf, d.w = wf;
	xt.shape[0] = yt.shape[0] = N, xt.shape[1] = yt.shape[1] = c->C;
	xt.shape[2] = c->H, xt.shape[3] = c->W, yt.shape[2] = c->oh, yt.shape[3] = c->ow;
	xt.stride[3] = yt.stride[3] = 1;
	xt.stride[2] = c->W, xt.stride[1] = c->H * c->W, xt.stride[0] = c->C * c->H * c->W;
	yt.stride[2] = c->ow, yt.stride[1] = plane, yt.stride[0] = c->C * plane;
	if (ck_dw_run(w, &d))
		goto out;
	for (int64_t t = 0; t < N * c->C; t++) {
		for (int64_t i = 0; i < plane; i++)
			row[i] = (int32_t)yf[t * plane + i];
		cv_store(g, t, 0, 1, 0, plane, row, plane);
	}
	rc = 0;
out:
	free(xf);
	free(row);
	return rc;
}

/* Weights into a dense [M][K] array, converted (float) or minus zero points (int). */
static int cv_weights(struct cv *c, const struct compute_tensor *wt, int is_int)
{
	int64_t K = c->Cg * c->kh * c->kw;

	if (is_int)
		c->wi = malloc((size_t)(c->M * K + 1) * sizeof(int32_t));
	else
		c->wf = malloc((size_t)(c->M * K + 1) * sizeof(float));
	if (!c->wi && !c->wf)
		return -1;
	for (int64_t m = 0; m < c->M; m++) {
		for (int64_t ci = 0; ci < c->Cg; ci++) {
			for (int64_t ky = 0; ky < c->kh; ky++) {
				int64_t idx[4] = {m, ci, ky, 0},
					o = ((m * c->Cg + ci) * c->kh + ky) * c->kw;
				const void *p = ck_at(wt, idx);

				if (is_int) {
					struct ck_qrow q;

					ck_qrow_of(wt, idx, 3, &q);
					ck_load_i32_zp(wt->dtype, p, wt->stride[3], c->kw, q.z,
						       q.step, c->wi + o);
				} else {
					ck_load_f32(wt->dtype, p, wt->stride[3], c->kw, NULL,
						    c->wf + o);
				}
			}
		}
	}
	return 0;
}

uint32_t compute_conv2d(struct compute_workers *w, const struct ares_conv2d_params *p,
			const struct compute_tensor *x, const struct compute_tensor *wt,
			const struct compute_tensor *b, const struct compute_tensor *y,
			struct compute_stats *st)
{
	static const float one = 1.0f;
	struct cv c = {.x = x, .y = y};
	struct ck_gemm g = {.pack_a = cv_pack_a, .pack_b = cv_pack_b, .store = cv_store, .ctx = &c};
	int64_t N;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(wt) || !ck_tensor_ok(y) || x->rank != 4 ||
	    wt->rank != 4 || y->rank != 4 || !ck_act_ok(p->activation))
		return CK_INVAL;
	if (!p->stride_h || !p->stride_w || !p->dilation_h || !p->dilation_w || !p->groups)
		return CK_INVAL;
	N = x->shape[0];
	c.C = x->shape[1], c.H = x->shape[2], c.W = x->shape[3];
	c.M = wt->shape[0], c.kh = wt->shape[2], c.kw = wt->shape[3];
	c.G = p->groups;
	if (c.C % c.G || c.M % c.G || wt->shape[1] != c.C / c.G)
		return CK_INVAL;
	c.Cg = c.C / c.G, c.Mg = c.M / c.G;
	c.sh = p->stride_h, c.sw = p->stride_w, c.dh = p->dilation_h, c.dw = p->dilation_w;
	c.pt = p->pad_top, c.pl = p->pad_left;
	c.oh = c.H + c.pt + p->pad_bottom - c.dh * (c.kh - 1) - 1;
	c.ow = c.W + c.pl + p->pad_right - c.dw * (c.kw - 1) - 1;
	c.oh = c.oh < 0 ? 0 : c.oh / c.sh + 1;
	c.ow = c.ow < 0 ? 0 : c.ow / c.sw + 1;
	if (y->shape[0] != N || y->shape[1] != c.M || y->shape[2] != c.oh || y->shape[3] != c.ow)
		return CK_INVAL;
	if (b && b->dtype != ARES_DTYPE_NONE) {
		if (!ck_tensor_ok(b) || b->rank != 1 || b->shape[0] != c.M)
			return CK_INVAL;
		c.b = b;
	}
	c.act = p->activation;
	c.act_alpha = ck_f32(p->act_alpha);
	c.act_beta = ck_f32(p->act_beta);
	if (ck_is_float(x->dtype) && ck_is_float(wt->dtype) && ck_is_float(y->dtype)) {
		if (c.b && !ck_is_float(c.b->dtype))
			return CK_INVAL;
		g.is_int = 0;
	} else if (ck_is_int8(x->dtype) && ck_is_int8(wt->dtype) &&
		   (ck_is_int8(y->dtype) || y->dtype == ARES_DTYPE_I32)) {
		if (c.b && c.b->dtype != ARES_DTYPE_I32)
			return CK_INVAL;
		if (x->quant == ARES_QUANT_PER_CHANNEL || y->quant == ARES_QUANT_PER_CHANNEL ||
		    (wt->quant == ARES_QUANT_PER_CHANNEL && wt->quant_axis != 0))
			return CK_INVAL;
		if (y->dtype == ARES_DTYPE_I32 && p->activation != ARES_ACT_NONE)
			return CK_INVAL;
		g.is_int = 1;
		c.zx = x->quant == ARES_QUANT_PER_TENSOR ? x->zero_point : 0;
		c.sx = x->quant == ARES_QUANT_PER_TENSOR ? x->scale : 1.0f;
		c.sw_q = &one, c.sw_step = 0;
		if (wt->quant == ARES_QUANT_PER_TENSOR)
			c.sw_q = &wt->scale;
		else if (wt->quant == ARES_QUANT_PER_CHANNEL)
			c.sw_q = wt->scales, c.sw_step = 1;
	} else {
		return CK_INVAL;
	}
	if (N * c.M * c.oh * c.ow == 0)
		return CK_OK;
	g.batch = N * c.G;
	g.M = c.Mg;
	g.N = c.oh * c.ow;
	g.K = c.Cg * c.kh * c.kw;
	/* Float depthwise: dw.c reads NCHW as it is, where oneDNN needs reorders. */
	if (!g.is_int && c.Cg == 1 && c.Mg == 1 && ck_isa() != CK_ISA_SCALAR) {
		struct ck_dw_conv d = {.x = x,
				       .b = c.b,
				       .y = y,
				       .N = N,
				       .C = c.C,
				       .H = c.H,
				       .W = c.W,
				       .kh = c.kh,
				       .kw = c.kw,
				       .oh = c.oh,
				       .ow = c.ow,
				       .sh = c.sh,
				       .sw = c.sw,
				       .pt = c.pt,
				       .pl = c.pl,
				       .dh = c.dh,
				       .dw = c.dw,
				       .act = c.act,
				       .alpha = c.act_alpha,
				       .beta = c.act_beta};

		if (cv_weights(&c, wt, 0))
			return CK_INVAL;
		d.w = c.wf;
		if (!ck_dw_run(w, &d)) {
			free(c.wf);
			goto done;
		}
		free(c.wf);
		c.wf = NULL;
	}
	if (!g.is_int && !ck_dnnl_conv2d(w, p, x, wt, c.b, y))
		goto done;
	if (g.is_int && !(c.Cg == 1 && c.Mg == 1) && !ck_dnnl_conv2d_int(w, &g, p, x, wt, y))
		goto done;
	if (cv_weights(&c, wt, g.is_int))
		return CK_INVAL;
	if (c.Cg == 1 && c.Mg == 1 && g.is_int && !cv_dw_int(w, &g, &c, N)) {
		/* done */
	} else if (c.Cg == 1 && c.Mg == 1) {
		struct dw_job j = {.g = &g, .c = &c};

		ck_parallel(w, g.batch, dw_task, &j);
	} else {
		ck_gemm_run(w, &g);
	}
	free(c.wf);
	free(c.wi);
done:
	if (st) {
		st->macs += (uint64_t)(N * c.M * c.oh * c.ow * g.K);
		st->bytes += (uint64_t)(ck_numel(x) * compute_dtype_size(x->dtype) +
					ck_numel(wt) * compute_dtype_size(wt->dtype) +
					ck_numel(y) * compute_dtype_size(y->dtype));
	}
	return CK_OK;
}

/* The op table's entry for CONV2D (compute.h). */
uint32_t compute_cmd_conv2d(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			    const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_conv2d *c = (const void *)cmd;

	return compute_conv2d(w, &c->p, &v[0], &v[1], &v[2], &v[3], cs);
}
