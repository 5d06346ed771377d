// SPDX-License-Identifier: MIT
/* CPU reference kernels: neural-network ops (normalisation, softmax). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

/* Softmax, LogSoftmax, Hardmax: opset 13 works along AXIS only; before 13
 * the input is seen as 2-D [prod(dims[:axis]), prod(dims[axis:])] and each
 * row is normalised. */
enum smax { SM_SOFT, SM_LOG, SM_HARD };

static int softmax_family(struct art_session *s, const struct rt_node *n, enum smax kind)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const char *op = n->proto->op_type;
	NEED(x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE, "node '%s' (%s): only float", n->name,
	     op);
	int new_style = s->opset >= 13;
	int64_t axis = rt_attr_i(n, "axis", new_style ? -1 : 1);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis < (x->ndim ? x->ndim : 1), "node '%s' (%s): axis out of range",
	     n->name, op);
	int64_t outer = 1, len = 1, inner = 1;
	for (int i = 0; i < x->ndim; i++) {
		if (i < axis)
			outer *= x->dims[i];
		else if (i == axis || !new_style)
			len *= x->dims[i];
		else
			inner *= x->dims[i];
	}
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			int64_t base = a * len * inner + c, arg = 0;
			double mx = -INFINITY;
			for (int64_t k = 0; k < len; k++) {
				double v = rt_get_d(x, base + k * inner);
				if (v > mx) {
					mx = v;
					arg = k;
				}
			}
			double sum = 0;
			for (int64_t k = 0; k < len; k++)
				sum += exp(rt_get_d(x, base + k * inner) - mx);
			for (int64_t k = 0; k < len; k++) {
				double v = rt_get_d(x, base + k * inner) - mx;
				rt_put_d(o, x->dtype, base + k * inner,
					 kind == SM_SOFT  ? exp(v) / sum
					 : kind == SM_LOG ? v - log(sum)
							  : (double)(k == arg));
			}
		}
	return 0;
}

static int k_softmax(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_softmax(s, n);
	return rc != RT_CPU_DECLINED ? rc : softmax_family(s, n, SM_SOFT);
}

static int k_logsoftmax(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_softmax(s, n);
	return rc != RT_CPU_DECLINED ? rc : softmax_family(s, n, SM_LOG);
}

static int k_hardmax(struct art_session *s, const struct rt_node *n)
{
	return softmax_family(s, n, SM_HARD);
}

static int need_float(struct art_session *s, const struct rt_node *n, int count)
{
	for (int i = 0; i < count; i++) {
		const struct art_tensor *t = rt_in(s, n, i);
		NEED(t && (t->dtype == ART_FLOAT || t->dtype == ART_DOUBLE),
		     "node '%s' (%s): input %d missing or not float", n->name, n->proto->op_type,
		     i);
	}
	return 0;
}

/* Per-channel parameter P (shape [C]) of a norm, checked. */
static int chan_param(struct art_session *s, const struct rt_node *n, int i, int64_t c)
{
	const struct art_tensor *t = rt_in(s, n, i);
	NEED(t && art_tensor_elems(t) == c, "node '%s' (%s): input %d must have %lld values",
	     n->name, n->proto->op_type, i, (long long)c);
	return 0;
}

/* BatchNormalization: inference with the running statistics, or training
 * mode (opset 14+) with the batch's, which also updates the running ones. */
static int k_batchnorm(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 5);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->ndim >= 2, "node '%s' (BatchNormalization): input rank %d < 2", n->name, x->ndim);
	int64_t N = x->dims[0], C = x->dims[1], sp = rt_shape_elems(x->dims + 2, x->ndim - 2);
	for (int i = 1; i < 5 && !rc; i++)
		rc = chan_param(s, n, i, C);
	if (rc)
		return rc;
	double eps = rt_attr_f(n, "epsilon", 1e-5f), mom = rt_attr_f(n, "momentum", 0.9f);
	int train = (int)rt_attr_i(n, "training_mode", 0);
	NEED(train || n->nout == 1 || s->opset < 14,
	     "node '%s' (BatchNormalization): extra outputs need training_mode", n->name);
	const struct art_tensor *sc = rt_in(s, n, 1), *bb = rt_in(s, n, 2), *rm = rt_in(s, n, 3),
				*rv = rt_in(s, n, 4);
	void *o, *om = NULL, *ov = NULL;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (!rc && train) {
		rc = rt_alloc_out(s, n, 1, rm->dtype, 1, &C, &om);
		if (!rc)
			rc = rt_alloc_out(s, n, 2, rv->dtype, 1, &C, &ov);
	}
	if (rc)
		return rc;
	for (int64_t c = 0; c < C; c++) {
		double mean = rt_get_d(rm, c), var = rt_get_d(rv, c);
		if (train) {
			double sum = 0, sq = 0;
			for (int64_t b = 0; b < N; b++)
				for (int64_t i = 0; i < sp; i++) {
					double v = rt_get_d(x, (b * C + c) * sp + i);
					sum += v;
					sq += v * v;
				}
			double cnt = (double)(N * sp);
			double bm = sum / cnt, bv = sq / cnt - bm * bm;
			if (om)
				rt_put_d(om, rm->dtype, c, mean * mom + bm * (1 - mom));
			if (ov)
				rt_put_d(ov, rv->dtype, c, var * mom + bv * (1 - mom));
			mean = bm;
			var = bv;
		}
		double scale = rt_get_d(sc, c) / sqrt(var + eps), shift = rt_get_d(bb, c);
		for (int64_t b = 0; b < N; b++)
			for (int64_t i = 0; i < sp; i++) {
				int64_t at = (b * C + c) * sp + i;
				rt_put_d(o, x->dtype, at, (rt_get_d(x, at) - mean) * scale + shift);
			}
	}
	return 0;
}

static int k_instancenorm(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1), *bb = rt_in(s, n, 2);
	NEED(x->ndim >= 2, "node '%s' (InstanceNormalization): input rank %d < 2", n->name,
	     x->ndim);
	int64_t N = x->dims[0], C = x->dims[1], sp = rt_shape_elems(x->dims + 2, x->ndim - 2);
	rc = chan_param(s, n, 1, C);
	if (!rc)
		rc = chan_param(s, n, 2, C);
	if (rc)
		return rc;
	double eps = rt_attr_f(n, "epsilon", 1e-5f);
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++) {
			int64_t base = (b * C + c) * sp;
			double sum = 0, sq = 0;
			for (int64_t i = 0; i < sp; i++)
				sum += rt_get_d(x, base + i);
			double mean = sum / (double)sp;
			for (int64_t i = 0; i < sp; i++) {
				double d = rt_get_d(x, base + i) - mean;
				sq += d * d;
			}
			double scale = rt_get_d(sc, c) / sqrt(sq / (double)sp + eps);
			for (int64_t i = 0; i < sp; i++)
				rt_put_d(o, x->dtype, base + i,
					 (rt_get_d(x, base + i) - mean) * scale + rt_get_d(bb, c));
		}
	return 0;
}

/* LayerNormalization (opset 17): normalises over dims [axis, rank); Scale
 * and B broadcast to those dims; optional Mean and InvStdDev outputs. */
static int k_layernorm(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1), *bb = rt_in(s, n, 2);
	int axis = rt_axis(rt_attr_i(n, "axis", -1), x->ndim);
	NEED(axis >= 0, "node '%s' (LayerNormalization): axis out of range", n->name);
	rc = rt_dnnl_layernorm(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	struct art_tensor inner = {.ndim = x->ndim - axis};
	memcpy(inner.dims, x->dims + axis, sizeof(int64_t) * (size_t)inner.ndim);
	int64_t bd[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	for (int i = 1; i < 3; i++) {
		const struct art_tensor *p = rt_in(s, n, i);
		NEED(!p || (p->ndim <= inner.ndim &&
			    rt_broadcast_shape(p, &inner, bd) == inner.ndim &&
			    !memcmp(bd, inner.dims, sizeof(int64_t) * (size_t)inner.ndim)),
		     "node '%s' (LayerNormalization): input %d does not broadcast to the "
		     "normalised dims",
		     n->name, i);
	}
	double eps = rt_attr_f(n, "epsilon", 1e-5f);
	int64_t len = art_tensor_elems(&inner), outer = art_tensor_elems(x) / (len ? len : 1);
	int64_t sd[ART_MAX_DIMS];
	for (int i = 0; i < x->ndim; i++)
		sd[i] = i < axis ? x->dims[i] : 1;
	void *o, *om, *oi;
	int sdt = x->dtype;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (!rc)
		rc = rt_alloc_out(s, n, 1, sdt, x->ndim, sd, &om);
	if (!rc)
		rc = rt_alloc_out(s, n, 2, sdt, x->ndim, sd, &oi);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++) {
		double sum = 0, sq = 0;
		for (int64_t i = 0; i < len; i++)
			sum += rt_get_d(x, a * len + i);
		double mean = sum / (double)len;
		for (int64_t i = 0; i < len; i++) {
			double d = rt_get_d(x, a * len + i) - mean;
			sq += d * d;
		}
		double inv = 1.0 / sqrt(sq / (double)len + eps);
		memset(idx, 0, sizeof(idx));
		for (int64_t i = 0; i < len; i++, rt_next_index(idx, inner.dims, inner.ndim)) {
			double v = (rt_get_d(x, a * len + i) - mean) * inv;
			v *= rt_get_d(sc, rt_bcast_offset(sc, idx, inner.ndim));
			if (bb)
				v += rt_get_d(bb, rt_bcast_offset(bb, idx, inner.ndim));
			rt_put_d(o, x->dtype, a * len + i, v);
		}
		if (om)
			rt_put_d(om, sdt, a, mean);
		if (oi)
			rt_put_d(oi, sdt, a, inv);
	}
	return 0;
}

/* Applies FN to every 1-D line of X along AXIS (LEN values INNER apart). */
static int along_axis(struct art_session *s, const struct rt_node *n, int axis,
		      void (*fn)(const struct art_tensor *x, void *o, int64_t base, int64_t len,
				 int64_t inner, double p),
		      double p)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t outer = 1, inner = 1, len = x->dims[axis];
	for (int i = 0; i < x->ndim; i++) {
		if (i < axis)
			outer *= x->dims[i];
		else if (i > axis)
			inner *= x->dims[i];
	}
	void *o;
	int rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++)
			fn(x, o, a * len * inner + c, len, inner, p);
	return 0;
}

static void lp_line(const struct art_tensor *x, void *o, int64_t base, int64_t len, int64_t inner,
		    double p)
{
	double acc = 0;
	for (int64_t k = 0; k < len; k++) {
		double v = fabs(rt_get_d(x, base + k * inner));
		acc += p == 1 ? v : v * v;
	}
	acc = p == 1 ? acc : sqrt(acc);
	for (int64_t k = 0; k < len; k++)
		rt_put_d(o, x->dtype, base + k * inner,
			 acc ? rt_get_d(x, base + k * inner) / acc : 0);
}

static int k_lpnorm(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 1);
	if (rc)
		return rc;
	int axis = rt_axis(rt_attr_i(n, "axis", -1), rt_in(s, n, 0)->ndim);
	int64_t p = rt_attr_i(n, "p", 2);
	NEED(axis >= 0 && (p == 1 || p == 2), "node '%s' (LpNormalization): bad axis or p",
	     n->name);
	return along_axis(s, n, axis, lp_line, (double)p);
}

/* MeanVarianceNormalization: (X - mean) / sqrt(var) over AXES, with the
 * spec's epsilon 1e-9 added to the deviation. */
static int k_mvn(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t ax[ART_MAX_DIMS] = {0, 2, 3};
	int na = rt_attr_ints(n, "axes", ax, ART_MAX_DIMS), red[ART_MAX_DIMS] = {0};
	na = na < 0 ? 3 : na;
	for (int i = 0; i < na; i++) {
		int a = rt_axis(ax[i], x->ndim);
		NEED(a >= 0, "node '%s' (MeanVarianceNormalization): axis out of range", n->name);
		red[a] = 1;
	}
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	/* Group elements by their index in the kept dims. */
	int64_t kd[ART_MAX_DIMS], nk = 1, cnt = art_tensor_elems(x);
	for (int i = 0; i < x->ndim; i++) {
		kd[i] = red[i] ? 1 : x->dims[i];
		nk *= kd[i];
	}
	double *sum = calloc((size_t)nk * 2, sizeof(double));
	NEED(sum, "node '%s' (MeanVarianceNormalization): out of memory", n->name);
	double *sq = sum + nk, per = (double)(cnt / (nk ? nk : 1));
	int64_t idx[ART_MAX_DIMS] = {0};
	struct art_tensor kt = {.ndim = x->ndim};
	memcpy(kt.dims, kd, sizeof(kd));
	for (int pass = 0; pass < 3; pass++) {
		memset(idx, 0, sizeof(idx));
		for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, x->dims, x->ndim)) {
			int64_t k = rt_bcast_offset(&kt, idx, x->ndim);
			double v = rt_get_d(x, i);
			if (pass == 0) {
				sum[k] += v;
			} else if (pass == 1) {
				double d = v - sum[k] / per;
				sq[k] += d * d;
			} else {
				rt_put_d(o, x->dtype, i,
					 (v - sum[k] / per) / (sqrt(sq[k] / per) + 1e-9));
			}
		}
	}
	free(sum);
	return 0;
}

/* LRN across channels: x / (bias + alpha / size * sum of squares)^beta. */
static int k_lrn(struct art_session *s, const struct rt_node *n)
{
	int rc = need_float(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t size = rt_attr_i(n, "size", 0);
	NEED(size >= 1 && x->ndim >= 2, "node '%s' (LRN): size must be >= 1", n->name);
	double alpha = rt_attr_f(n, "alpha", 1e-4f), beta = rt_attr_f(n, "beta", 0.75f),
	       bias = rt_attr_f(n, "bias", 1.0f);
	int64_t N = x->dims[0], C = x->dims[1], sp = rt_shape_elems(x->dims + 2, x->ndim - 2);
	int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++)
			for (int64_t i = 0; i < sp; i++) {
				double sq = 0;
				for (int64_t j = c - lo; j <= c + hi; j++)
					if (j >= 0 && j < C) {
						double v = rt_get_d(x, (b * C + j) * sp + i);
						sq += v * v;
					}
				int64_t at = (b * C + c) * sp + i;
				rt_put_d(o, x->dtype, at,
					 rt_get_d(x, at) /
						 pow(bias + alpha / (double)size * sq, beta));
			}
	return 0;
}

const struct rt_kernel_entry rt_kernels_nn[] = {
	{"BatchNormalization", k_batchnorm},
	{"Hardmax", k_hardmax},
	{"InstanceNormalization", k_instancenorm},
	{"LRN", k_lrn},
	{"LayerNormalization", k_layernorm},
	{"LogSoftmax", k_logsoftmax},
	{"LpNormalization", k_lpnorm},
	{"MeanVarianceNormalization", k_mvn},
	{"Softmax", k_softmax},
	{NULL, NULL},
};
