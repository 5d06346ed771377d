// SPDX-License-Identifier: MIT
/* CPU reference kernels: sliding-window ops (Conv, ConvTranspose and the
 * pools) over 1 to 3 spatial dims. Fewer than 3 spatial dims run as 3 with
 * the leading ones of size 1, so one loop nest serves every rank. Conv is
 * im2col over tiles of output positions and a row-axpy GEMM the compiler
 * vectorises: the OCR detector runs dozens of convs on large images. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

#define SP RT_SP /* spatial slots */

static int64_t prod3(const int64_t *v)
{
	return v[0] * v[1] * v[2];
}

static int out_dims(const struct rt_win *w, int64_t n, int64_t c, int64_t *od)
{
	od[0] = n;
	od[1] = c;
	for (int i = 0; i < w->nsp; i++)
		od[2 + i] = w->out[SP - w->nsp + i];
	return 2 + w->nsp;
}

/* Fills COL (K rows of T floats) with the input patches for output
 * positions P0..P0+T of one group's CG channels XIN. */
static void im2col(const struct rt_win *w, const float *xin, int64_t cg, int64_t p0, int64_t t,
		   float *col)
{
	int64_t kp = prod3(w->k), ip = prod3(w->in);
	for (int64_t c = 0; c < cg; c++)
		for (int64_t k0 = 0; k0 < w->k[0]; k0++)
			for (int64_t k1 = 0; k1 < w->k[1]; k1++)
				for (int64_t k2 = 0; k2 < w->k[2]; k2++) {
					float *row = col + (c * kp + (k0 * w->k[1] + k1) * w->k[2] +
							    k2) * t;
					const float *xc = xin + c * ip;
					int64_t p = p0;
					int64_t o2 = p % w->out[2], o1 = p / w->out[2] % w->out[1],
						o0 = p / (w->out[2] * w->out[1]);
					for (int64_t j = 0; j < t; j++) {
						int64_t y0 =
							o0 * w->st[0] - w->pb[0] + k0 * w->dil[0];
						int64_t y1 =
							o1 * w->st[1] - w->pb[1] + k1 * w->dil[1];
						int64_t y2 =
							o2 * w->st[2] - w->pb[2] + k2 * w->dil[2];
						row[j] = y0 >= 0 && y0 < w->in[0] && y1 >= 0 &&
									 y1 < w->in[1] && y2 >= 0 &&
									 y2 < w->in[2]
								 ? xc[(y0 * w->in[1] + y1) *
									      w->in[2] +
								      y2]
								 : 0.0f;
						if (++o2 == w->out[2]) {
							o2 = 0;
							if (++o1 == w->out[1]) {
								o1 = 0;
								o0++;
							}
						}
					}
				}
}

/* OUT[m][0..t) += sum_k W[m][k] * COL[k][0..t), rows of COL LDC apart.
 * Four output rows at a time, so each patch row loaded serves four. */
static void gemm_rows(const float *restrict wt, int64_t mg, int64_t kk, const float *restrict col,
		      int64_t ldc, int64_t t, float *restrict out, int64_t ldo)
{
	int64_t m = 0;
	for (; m + 4 <= mg; m += 4) {
		float *restrict o0 = out + m * ldo, *restrict o1 = o0 + ldo,
				*restrict o2 = o1 + ldo, *restrict o3 = o2 + ldo;
		const float *w0 = wt + m * kk;
		for (int64_t k = 0; k < kk; k++) {
			float a0 = w0[k], a1 = w0[kk + k], a2 = w0[2 * kk + k], a3 = w0[3 * kk + k];
			const float *restrict c = col + k * ldc;
			for (int64_t j = 0; j < t; j++) {
				float v = c[j];
				o0[j] += a0 * v;
				o1[j] += a1 * v;
				o2[j] += a2 * v;
				o3[j] += a3 * v;
			}
		}
	}
	for (; m < mg; m++) {
		float *restrict o = out + m * ldo;
		const float *wr = wt + m * kk;
		for (int64_t k = 0; k < kk; k++) {
			float a = wr[k];
			const float *restrict c = col + k * ldc;
			for (int64_t j = 0; j < t; j++)
				o[j] += a * c[j];
		}
	}
}

static int k_conv_raw(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	NEED(x->dtype == ART_FLOAT && wt->dtype == ART_FLOAT && (!b || b->dtype == ART_FLOAT),
	     "node '%s' (Conv): only float tensors", n->name);
	NEED(wt->ndim == x->ndim, "node '%s' (Conv): W rank %d differs from X rank %d", n->name,
	     wt->ndim, x->ndim);
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1], M = wt->dims[0];
	NEED(g >= 1 && C % g == 0 && M % g == 0 && wt->dims[1] * g == C,
	     "node '%s' (Conv): %lld channels, %lld groups and W [%lld, %lld, ...] disagree",
	     n->name, (long long)C, (long long)g, (long long)M, (long long)wt->dims[1]);
	NEED(!b || (b->ndim == 1 && b->dims[0] == M), "node '%s' (Conv): B must be [%lld]", n->name,
	     (long long)M);
	int64_t ks[SP];
	int kc = rt_attr_ints(n, "kernel_shape", ks, SP);
	for (int i = 0; i < kc; i++)
		NEED(kc == x->ndim - 2 && ks[i] == wt->dims[2 + i],
		     "node '%s' (Conv): kernel_shape disagrees with W", n->name);
	struct rt_win w;
	rc = rt_win_geom(s, n, x, wt->dims + 2, 0, &w);
	if (rc)
		return rc;
	int64_t od[ART_MAX_DIMS];
	int nd = out_dims(&w, x->dims[0], M, od);
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, nd, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cg = C / g, mg = M / g, kp = prod3(w.k), kk = cg * kp, P = prod3(w.out),
		ip = prod3(w.in);
	int direct = kp == 1 && P == ip;
	for (int i = 0; i < SP; i++)
		direct &= w.st[i] == 1 && w.pb[i] == 0;
	/* Tiles of output positions keep the patch matrix near 4 MiB. */
	int64_t tile = ((int64_t)1 << 20) / (kk ? kk : 1);
	tile = tile < 64 ? 64 : tile > P ? P : tile;
	float *col = direct ? NULL : malloc((size_t)(kk * tile) * sizeof(float));
	if (!direct && !col)
		return rt_err(s, -ENOMEM, "node '%s' (Conv): out of memory", n->name);
	const float *xd = x->data, *wd = wt->data, *bd = b ? b->data : NULL;
	for (int64_t nb = 0; nb < x->dims[0]; nb++)
		for (int64_t gi = 0; gi < g; gi++) {
			const float *xin = xd + (nb * C + gi * cg) * ip;
			float *out = o + (nb * M + gi * mg) * P;
			for (int64_t m = 0; m < mg; m++)
				for (int64_t p = 0; p < P; p++)
					out[m * P + p] = bd ? bd[gi * mg + m] : 0.0f;
			for (int64_t p0 = 0; p0 < P; p0 += tile) {
				int64_t t = P - p0 < tile ? P - p0 : tile;
				if (direct) {
					gemm_rows(wd + gi * mg * kk, mg, kk, xin + p0, ip, t,
						  out + p0, P);
				} else {
					im2col(&w, xin, cg, p0, t, col);
					gemm_rows(wd + gi * mg * kk, mg, kk, col, t, t, out + p0,
						  P);
				}
			}
		}
	free(col);
	return 0;
}

/* Adds XV times kernel WK into OC around input position P. */
static void scatter(const struct rt_win *w, float xv, int64_t p, const float *wk, float *oc)
{
	int64_t i[SP] = {p / (w->in[1] * w->in[2]), p / w->in[2] % w->in[1], p % w->in[2]};
	for (int64_t k0 = 0; k0 < w->k[0]; k0++) {
		int64_t y0 = i[0] * w->st[0] - w->pb[0] + k0 * w->dil[0];
		if (y0 < 0 || y0 >= w->out[0])
			continue;
		for (int64_t k1 = 0; k1 < w->k[1]; k1++) {
			int64_t y1 = i[1] * w->st[1] - w->pb[1] + k1 * w->dil[1];
			if (y1 < 0 || y1 >= w->out[1])
				continue;
			const float *wr = wk + (k0 * w->k[1] + k1) * w->k[2];
			float *orow = oc + (y0 * w->out[1] + y1) * w->out[2];
			for (int64_t k2 = 0; k2 < w->k[2]; k2++) {
				int64_t y2 = i[2] * w->st[2] - w->pb[2] + k2 * w->dil[2];
				if (y2 >= 0 && y2 < w->out[2])
					orow[y2] += xv * wr[k2];
			}
		}
	}
}

/* ConvTranspose: each input element scatters W's kernel into the output.
 * Output size from pads, or pads from output_shape / auto_pad. */
static int k_conv_transpose_raw(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	NEED(x->dtype == ART_FLOAT && wt->dtype == ART_FLOAT && (!b || b->dtype == ART_FLOAT),
	     "node '%s' (ConvTranspose): only float tensors", n->name);
	struct rt_win w;
	int64_t M, g = rt_attr_i(n, "group", 1), C = x->dims[1], mg;
	rc = rt_convt_geom(s, n, x, wt, &w, &M);
	if (rc)
		return rc;
	mg = M / g;
	NEED(!b || (b->ndim == 1 && b->dims[0] == M), "node '%s' (ConvTranspose): B must be [%lld]",
	     n->name, (long long)M);
	int64_t od[ART_MAX_DIMS];
	int nd = out_dims(&w, x->dims[0], M, od);
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, nd, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cg = C / g, kp = prod3(w.k), ip = prod3(w.in), P = prod3(w.out);
	const float *xd = x->data, *wd = wt->data;
	for (int64_t nb = 0; nb < x->dims[0]; nb++)
		for (int64_t m = 0; m < M; m++)
			for (int64_t p = 0; p < P; p++)
				o[(nb * M + m) * P + p] = b ? ((const float *)b->data)[m] : 0.0f;
	for (int64_t nb = 0; nb < x->dims[0]; nb++)
		for (int64_t gi = 0; gi < g; gi++)
			for (int64_t ci = 0; ci < cg; ci++) {
				const float *xc = xd + (nb * C + gi * cg + ci) * ip;
				for (int64_t m = 0; m < mg; m++) {
					const float *wk = wd + ((gi * cg + ci) * mg + m) * kp;
					float *oc = o + (nb * M + gi * mg + m) * P;
					for (int64_t p = 0; p < ip; p++)
						scatter(&w, xc[p], p, wk, oc);
				}
			}
	return 0;
}

enum pool { P_MAX, P_AVG, P_LP };

/* MaxPool (with optional Indices), AveragePool and LpPool. */
static int pool(struct art_session *s, const struct rt_node *n, enum pool kind)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const char *op = n->proto->op_type;
	NEED(x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE ||
		     (kind == P_MAX && (x->dtype == ART_INT8 || x->dtype == ART_UINT8)),
	     "node '%s' (%s): element type %s not supported", n->name, op, rt_dtype_name(x->dtype));
	int64_t ks[SP];
	NEED(rt_attr_ints(n, "kernel_shape", ks, SP) == x->ndim - 2,
	     "node '%s' (%s): kernel_shape must give every spatial dim", n->name, op);
	struct rt_win w;
	rc = rt_win_geom(s, n, x, ks, (int)rt_attr_i(n, "ceil_mode", 0), &w);
	if (rc)
		return rc;
	int incl = (int)rt_attr_i(n, "count_include_pad", 0);
	int order = (int)rt_attr_i(n, "storage_order", 0);
	double pw = (double)rt_attr_i(n, "p", 2);
	int64_t od[ART_MAX_DIMS], N = x->dims[0], C = x->dims[1];
	int nd = out_dims(&w, N, C, od);
	void *o;
	int64_t *idx = NULL;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, &o);
	if (!rc && kind == P_MAX)
		rc = rt_alloc_out(s, n, 1, ART_INT64, nd, od, (void **)&idx);
	if (rc)
		return rc;
	int64_t ip = prod3(w.in), P = prod3(w.out);
	for (int64_t nc = 0; nc < N * C; nc++)
		for (int64_t p = 0; p < P; p++) {
			int64_t oo[SP] = {p / (w.out[1] * w.out[2]), p / w.out[2] % w.out[1],
					  p % w.out[2]};
			int64_t lo[SP], hi[SP], cnt_pad = 1;
			for (int i = 0; i < SP; i++) {
				lo[i] = oo[i] * w.st[i] - w.pb[i];
				hi[i] = lo[i] + rt_win_span(&w, i);
				/* count_include_pad counts the padding, not what ceil_mode
				 * adds past it. */
				int64_t he = hi[i] < w.in[i] + w.pe[i] ? hi[i] : w.in[i] + w.pe[i];
				cnt_pad *= (he - lo[i] + w.dil[i] - 1) / w.dil[i];
			}
			double acc = kind == P_MAX ? -INFINITY : 0;
			int64_t cnt = 0, best = -1;
			/* Only taps inside the input: a window far wider than the
			 * input costs no more than the input. */
			int64_t t0[SP], t1[SP];
			for (int i = 0; i < SP; i++) {
				t0[i] = lo[i] >= 0 ? lo[i]
						   : lo[i] + (-lo[i] + w.dil[i] - 1) / w.dil[i] *
								     w.dil[i];
				t1[i] = hi[i] < w.in[i] ? hi[i] : w.in[i];
			}
			for (int64_t y0 = t0[0]; y0 < t1[0]; y0 += w.dil[0]) {
				for (int64_t y1 = t0[1]; y1 < t1[1]; y1 += w.dil[1]) {
					for (int64_t y2 = t0[2]; y2 < t1[2]; y2 += w.dil[2]) {
						int64_t at = (y0 * w.in[1] + y1) * w.in[2] + y2;
						double v = rt_get_d(x, nc * ip + at);
						cnt++;
						if (kind == P_MAX) {
							if (v > acc || best < 0) {
								acc = v;
								best = order ? (y2 * w.in[1] +
										y1) * w.in[0] +
										       y0
									     : at;
							}
						} else if (kind == P_AVG) {
							acc += v;
						} else {
							acc += pow(fabs(v), pw);
						}
					}
				}
			}
			if (kind == P_AVG)
				acc /= (double)(incl ? cnt_pad : cnt ? cnt : 1);
			else if (kind == P_LP)
				acc = pow(acc, 1.0 / pw);
			rt_put_d(o, x->dtype, nc * P + p, acc);
			if (idx)
				idx[nc * P + p] = nc * ip + best;
		}
	return 0;
}

static int k_maxpool(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_pool(s, n);
	return rc != RT_CPU_DECLINED ? rc : pool(s, n, P_MAX);
}

static int k_avgpool(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_pool(s, n);
	return rc != RT_CPU_DECLINED ? rc : pool(s, n, P_AVG);
}

static int k_lppool(struct art_session *s, const struct rt_node *n)
{
	return pool(s, n, P_LP);
}

/* GlobalAveragePool / GlobalMaxPool / GlobalLpPool: one value per (n, c). */
static int global_pool(struct art_session *s, const struct rt_node *n, enum pool kind)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED((x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE) && x->ndim >= 2,
	     "node '%s' (%s): float input of rank >= 2 needed", n->name, n->proto->op_type);
	int64_t od[ART_MAX_DIMS], len = 1;
	for (int i = 0; i < x->ndim; i++) {
		od[i] = i < 2 ? x->dims[i] : 1;
		len *= i < 2 ? 1 : x->dims[i];
	}
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, &o);
	if (rc)
		return rc;
	double pw = (double)rt_attr_i(n, "p", 2);
	for (int64_t nc = 0; nc < x->dims[0] * x->dims[1]; nc++) {
		double acc = kind == P_MAX ? -INFINITY : 0;
		for (int64_t i = 0; i < len; i++) {
			double v = rt_get_d(x, nc * len + i);
			if (kind == P_MAX)
				acc = v > acc ? v : acc;
			else if (kind == P_AVG)
				acc += v;
			else
				acc += pow(fabs(v), pw);
		}
		if (kind == P_AVG)
			acc /= (double)len;
		else if (kind == P_LP)
			acc = pow(acc, 1.0 / pw);
		rt_put_d(o, x->dtype, nc, acc);
	}
	return 0;
}

static int k_gavgpool(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_pool(s, n);
	return rc != RT_CPU_DECLINED ? rc : global_pool(s, n, P_AVG);
}

static int k_gmaxpool(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_pool(s, n);
	return rc != RT_CPU_DECLINED ? rc : global_pool(s, n, P_MAX);
}

static int k_glppool(struct art_session *s, const struct rt_node *n)
{
	return global_pool(s, n, P_LP);
}

static int k_conv(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_conv(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	rc = k_conv_raw(s, n);
	return rc ? rc : rt_apply_act(s, n);
}

static int k_conv_transpose(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_conv_transpose(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	rc = k_conv_transpose_raw(s, n);
	return rc ? rc : rt_apply_act(s, n);
}

const struct rt_kernel_entry rt_kernels_conv[] = {
	{"AveragePool", k_avgpool},
	{"Conv", k_conv},
	{"ConvTranspose", k_conv_transpose},
	{"GlobalAveragePool", k_gavgpool},
	{"GlobalLpPool", k_glppool},
	{"GlobalMaxPool", k_gmaxpool},
	{"LpPool", k_lppool},
	{"MaxPool", k_maxpool},
	{NULL, NULL},
};
