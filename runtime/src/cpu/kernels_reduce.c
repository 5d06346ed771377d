// SPDX-License-Identifier: MIT
/* CPU reference kernels: reductions (the Reduce* family, ArgMax/ArgMin)
 * and ops that scan along an axis (CumSum, TopK). Sums run in double. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

enum red { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_LOGSUM, R_LSE, R_SUMSQ };

/*
 * The fast path of ReduceMax and ReduceMin of f32 over trailing axes
 * (every axis included): each output the extreme of one contiguous run,
 * compared in float. The loop's double compares order floats alike and
 * skip NaN the same way, so the result is its own bit for bit, without
 * its index arithmetic per element (melspectrogram's ReduceMax over 3104
 * values: 16 us). 0 when it does not apply (O untouched).
 */
static int extreme_suffix(const struct art_session *s, const struct art_tensor *x,
			  const struct art_tensor *kt, enum red op, void *o)
{
	if ((op != R_MAX && op != R_MIN) || x->dtype != ART_FLOAT || !rt_cpu_fast(s))
		return 0;
	int i = 0;
	while (i < x->ndim && kt->dims[i] == x->dims[i])
		i++;
	for (int j = i; j < x->ndim; j++)
		if (kt->dims[j] != 1)
			return 0;
	int64_t nout = art_tensor_elems(kt), cnt = art_tensor_elems(x);
	if (!nout)
		return 0;
	int64_t per = cnt / nout;
	const float *in = x->data;
	float *out = o;
	for (int64_t k = 0; k < nout; k++) {
		const float *r = in + k * per;
		float m = op == R_MAX ? -INFINITY : INFINITY;
		if (op == R_MAX)
			for (int64_t j = 0; j < per; j++)
				m = r[j] > m ? r[j] : m;
		else
			for (int64_t j = 0; j < per; j++)
				m = r[j] < m ? r[j] : m;
		out[k] = m;
	}
	return 1;
}

/* Axes are an attribute before opset 18 (ReduceSum: 13) and input 1 after;
 * no axes reduce everything, or nothing with noop_with_empty_axes. */
static int reduce(struct art_session *s, const struct rt_node *n, enum red op)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const char *name = n->proto->op_type;
	NEED(x->dtype != ART_BOOL && art_dtype_size(x->dtype),
	     "node '%s' (%s): element type %s not supported", n->name, name,
	     rt_dtype_name(x->dtype));
	int64_t axes[ART_MAX_DIMS];
	int na, red[ART_MAX_DIMS] = {0};
	rc = rt_get_axes(s, n, axes, &na);
	if (rc)
		return rc;
	int keep = (int)rt_attr_i(n, "keepdims", 1);
	int noop = na == 0 && rt_attr_i(n, "noop_with_empty_axes", 0);
	for (int i = 0; i < na; i++) {
		int a = rt_axis(axes[i], x->ndim);
		NEED(a >= 0, "node '%s' (%s): axis %lld out of range for rank %d", n->name, name,
		     (long long)axes[i], x->ndim);
		red[a] = 1;
	}
	struct art_tensor kt = {.ndim = x->ndim};
	int64_t od[ART_MAX_DIMS];
	int nd = 0;
	for (int i = 0; i < x->ndim; i++) {
		int r = !noop && (na == 0 || red[i]);
		kt.dims[i] = r ? 1 : x->dims[i];
		if (!r || keep)
			od[nd++] = kt.dims[i];
	}
	int64_t nout = art_tensor_elems(&kt), cnt = art_tensor_elems(x);
	double per = nout ? (double)cnt / (double)nout : 0;
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, &o);
	if (rc)
		return rc;
	if (extreme_suffix(s, x, &kt, op, o))
		return 0;
	double *acc = malloc((size_t)(2 * nout + 1) * sizeof(double)), *mx = acc + nout;
	NEED(acc, "node '%s' (%s): out of memory", n->name, name);
	double init = op == R_MAX ? -INFINITY : op == R_MIN ? INFINITY : op == R_PROD ? 1 : 0;
	for (int64_t k = 0; k < nout; k++) {
		acc[k] = init;
		mx[k] = -INFINITY;
	}
	int64_t idx[ART_MAX_DIMS] = {0};
	if (op == R_LSE) /* shift by the max so exp cannot overflow */
		for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, x->dims, x->ndim)) {
			int64_t k = rt_bcast_offset(&kt, idx, x->ndim);
			double v = rt_get_d(x, i);
			mx[k] = v > mx[k] ? v : mx[k];
		}
	memset(idx, 0, sizeof(idx));
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, x->dims, x->ndim)) {
		int64_t k = rt_bcast_offset(&kt, idx, x->ndim);
		double v = rt_get_d(x, i);
		switch (op) {
		case R_MAX:
			acc[k] = v > acc[k] ? v : acc[k];
			break;
		case R_MIN:
			acc[k] = v < acc[k] ? v : acc[k];
			break;
		case R_PROD:
			acc[k] *= v;
			break;
		case R_L1:
			acc[k] += fabs(v);
			break;
		case R_L2:
		case R_SUMSQ:
			acc[k] += v * v;
			break;
		case R_LSE:
			acc[k] += exp(v - mx[k]);
			break;
		default:
			acc[k] += v;
			break;
		}
	}
	for (int64_t k = 0; k < nout; k++) {
		double v = acc[k];
		if (op == R_MEAN)
			v /= per;
		else if (op == R_L2)
			v = sqrt(v);
		else if (op == R_LOGSUM)
			v = log(v);
		else if (op == R_LSE)
			v = log(v) + mx[k];
		rt_put_d(o, x->dtype, k, v);
	}
	free(acc);
	return 0;
}

#define REDUCE(fn, op)                                                                             \
	static int fn(struct art_session *s, const struct rt_node *n)                              \
	{                                                                                          \
		return reduce(s, n, op);                                                           \
	}
REDUCE(k_rsum, R_SUM)
REDUCE(k_rmean, R_MEAN)
REDUCE(k_rmax, R_MAX)
REDUCE(k_rmin, R_MIN)
REDUCE(k_rprod, R_PROD)
REDUCE(k_rl1, R_L1)
REDUCE(k_rl2, R_L2)
REDUCE(k_rlogsum, R_LOGSUM)
REDUCE(k_rlse, R_LSE)
REDUCE(k_rsumsq, R_SUMSQ)

/* Splits X around AXIS into OUTER x LEN x INNER. */
static void split_axis(const struct art_tensor *x, int axis, int64_t *outer, int64_t *len,
		       int64_t *inner)
{
	*outer = *inner = 1;
	*len = x->dims[axis];
	for (int i = 0; i < x->ndim; i++) {
		if (i < axis)
			*outer *= x->dims[i];
		else if (i > axis)
			*inner *= x->dims[i];
	}
}

static int arg_extreme(struct art_session *s, const struct rt_node *n, int want_max)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
	NEED(axis >= 0, "node '%s' (%s): axis out of range", n->name, n->proto->op_type);
	int keep = (int)rt_attr_i(n, "keepdims", 1),
	    last = (int)rt_attr_i(n, "select_last_index", 0);
	int64_t od[ART_MAX_DIMS], outer, len, inner;
	int nd = 0;
	for (int i = 0; i < x->ndim; i++)
		if (i != axis || keep)
			od[nd++] = i == axis ? 1 : x->dims[i];
	split_axis(x, axis, &outer, &len, &inner);
	NEED(len > 0 || !outer || !inner, "node '%s' (%s): axis %d has no elements to choose from",
	     n->name, n->proto->op_type, axis);
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, nd, od, (void **)&o);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			int64_t best = 0, base = a * len * inner + c;
			double bv = rt_get_d(x, base);
			for (int64_t k = 1; k < len; k++) {
				double v = rt_get_d(x, base + k * inner);
				int better = want_max ? (v > bv || (last && v == bv))
						      : (v < bv || (last && v == bv));
				if (better) {
					bv = v;
					best = k;
				}
			}
			o[a * inner + c] = best;
		}
	return 0;
}

static int k_argmax(struct art_session *s, const struct rt_node *n)
{
	return arg_extreme(s, n, 1);
}

static int k_argmin(struct art_session *s, const struct rt_node *n)
{
	return arg_extreme(s, n, 0);
}

/* CumSum along the axis given as input 1, optionally exclusive/reversed. */
static int k_cumsum(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ax = rt_in(s, n, 1);
	NEED(art_tensor_elems(ax) == 1 && (ax->dtype == ART_INT64 || ax->dtype == ART_INT32),
	     "node '%s' (CumSum): axis must be one int32/int64", n->name);
	int axis = rt_axis(rt_get_i(ax, 0), x->ndim);
	NEED(axis >= 0, "node '%s' (CumSum): axis out of range", n->name);
	int excl = (int)rt_attr_i(n, "exclusive", 0), rev = (int)rt_attr_i(n, "reverse", 0);
	int64_t outer, len, inner;
	split_axis(x, axis, &outer, &len, &inner);
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	int isint = x->dtype == ART_INT64;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			double acc = 0;
			int64_t iacc = 0;
			for (int64_t j = 0; j < len; j++) {
				int64_t k = rev ? len - 1 - j : j, at = (a * len + k) * inner + c;
				double v = rt_get_d(x, at);
				int64_t iv = isint ? ((const int64_t *)x->data)[at] : 0;
				if (!excl) {
					acc += v;
					iacc += iv;
				}
				if (isint)
					((int64_t *)o)[at] = iacc;
				else
					rt_put_d(o, x->dtype, at, acc);
				if (excl) {
					acc += v;
					iacc += iv;
				}
			}
		}
	return 0;
}

struct kv {
	double v;
	int64_t i;
};

static int by_largest(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int by_smallest(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* TopK: K from input 1 (attribute k before opset 10); ties keep the lower
 * index first. Results always come sorted. */
static int k_topk(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *kt = rt_in(s, n, 1);
	int axis = rt_axis(rt_attr_i(n, "axis", -1), x->ndim);
	NEED(axis >= 0, "node '%s' (TopK): axis out of range", n->name);
	NEED(!kt || (art_tensor_elems(kt) == 1 && kt->dtype == ART_INT64),
	     "node '%s' (TopK): K must be one int64", n->name);
	int64_t k = kt ? rt_get_i(kt, 0) : rt_attr_i(n, "k", -1);
	NEED(k >= 0 && k <= x->dims[axis], "node '%s' (TopK): k %lld out of range [0, %lld]",
	     n->name, (long long)k, (long long)x->dims[axis]);
	int largest = (int)rt_attr_i(n, "largest", 1);
	int64_t od[ART_MAX_DIMS], outer, len, inner;
	memcpy(od, x->dims, sizeof(od));
	od[axis] = k;
	split_axis(x, axis, &outer, &len, &inner);
	void *ov;
	int64_t *oi;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, &ov);
	if (!rc)
		rc = rt_alloc_out(s, n, 1, ART_INT64, x->ndim, od, (void **)&oi);
	if (rc)
		return rc;
	struct kv *buf = malloc((size_t)(len + 1) * sizeof(*buf));
	NEED(buf, "node '%s' (TopK): out of memory", n->name);
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			for (int64_t j = 0; j < len; j++) {
				buf[j].v = rt_get_d(x, (a * len + j) * inner + c);
				buf[j].i = j;
			}
			qsort(buf, (size_t)len, sizeof(*buf), largest ? by_largest : by_smallest);
			for (int64_t j = 0; j < k; j++) {
				int64_t at = (a * k + j) * inner + c;
				rt_put_d(ov, x->dtype, at, buf[j].v);
				if (oi)
					oi[at] = buf[j].i;
			}
		}
	free(buf);
	return 0;
}

const struct rt_kernel_entry rt_kernels_reduce[] = {
	{"ArgMax", k_argmax},	       {"ArgMin", k_argmin},	{"CumSum", k_cumsum},
	{"ReduceL1", k_rl1},	       {"ReduceL2", k_rl2},	{"ReduceLogSum", k_rlogsum},
	{"ReduceLogSumExp", k_rlse},   {"ReduceMax", k_rmax},	{"ReduceMean", k_rmean},
	{"ReduceMin", k_rmin},	       {"ReduceProd", k_rprod}, {"ReduceSum", k_rsum},
	{"ReduceSumSquare", k_rsumsq}, {"TopK", k_topk},	{NULL, NULL},
};
