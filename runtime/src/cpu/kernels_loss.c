// SPDX-License-Identifier: MIT
/* CPU reference kernels: the loss ops NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss (inputs [N, C] or [N, C, D1, ...], integer
 * targets, optional class weights, ignore_index, reduction none, sum or
 * mean weighted by the classes taken). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

enum lred { L_NONE, L_SUM, L_MEAN };

/* NLL of log-probabilities LP (LP(i) reads element i) into output 0. */
static int nll(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
	       const double *lp, const struct art_tensor *tg, const struct art_tensor *w)
{
	const char *op = n->proto->op_type;
	NEED(x->ndim >= 2 && (tg->dtype == ART_INT64 || tg->dtype == ART_INT32) &&
		     tg->ndim == x->ndim - 1 && tg->dims[0] == x->dims[0],
	     "node '%s' (%s): input [N, C, ...] needs integer targets [N, ...]", n->name, op);
	for (int a = 2; a < x->ndim; a++)
		NEED(tg->dims[a - 1] == x->dims[a], "node '%s' (%s): target dim %d differs",
		     n->name, op, a - 1);
	int64_t N = x->dims[0], C = x->dims[1], D = rt_shape_elems(x->dims + 2, x->ndim - 2);
	NEED(!w || art_tensor_elems(w) == C, "node '%s' (%s): weights must have %lld values",
	     n->name, op, (long long)C);
	enum lred red = rt_attr_is(n, "reduction", "none", 0)  ? L_NONE
			: rt_attr_is(n, "reduction", "sum", 0) ? L_SUM
							       : L_MEAN;
	NEED(red != L_MEAN || rt_attr_is(n, "reduction", "mean", 1),
	     "node '%s' (%s): unknown reduction", n->name, op);
	const Onnx__AttributeProto *ia = rt_attr(n, "ignore_index");
	int has_ign = ia && ia->has_i;
	int64_t ign = has_ign ? ia->i : 0;
	void *o;
	int rc = red == L_NONE ? rt_alloc_out(s, n, 0, x->dtype, tg->ndim, tg->dims, &o)
			       : rt_alloc_out(s, n, 0, x->dtype, 0, NULL, &o);
	if (rc)
		return rc;
	double sum = 0, wsum = 0;
	for (int64_t b = 0; b < N; b++)
		for (int64_t d = 0; d < D; d++) {
			int64_t t = rt_get_i(tg, b * D + d);
			double v = 0, wt = 0;
			if (!has_ign || t != ign) {
				NEED(t >= 0 && t < C,
				     "node '%s' (%s): target %lld out of [0, %lld)", n->name, op,
				     (long long)t, (long long)C);
				wt = w ? rt_get_d(w, t) : 1;
				v = -lp[(b * C + t) * D + d] * wt;
			}
			if (red == L_NONE)
				rt_put_d(o, x->dtype, b * D + d, v);
			sum += v;
			wsum += wt;
		}
	if (red == L_SUM)
		rt_put_d(o, x->dtype, 0, sum);
	else if (red == L_MEAN)
		rt_put_d(o, x->dtype, 0, wsum != 0 ? sum / wsum : 0);
	return 0;
}

static int k_nll(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t cnt = art_tensor_elems(x);
	double *lp = malloc((size_t)(cnt + 1) * sizeof(double));
	NEED(lp, "node '%s' (NegativeLogLikelihoodLoss): out of memory", n->name);
	for (int64_t i = 0; i < cnt; i++)
		lp[i] = rt_get_d(x, i);
	rc = nll(s, n, x, lp, rt_in(s, n, 1), rt_in(s, n, 2));
	free(lp);
	return rc;
}

/* SoftmaxCrossEntropyLoss: log-softmax over the class axis, then NLL;
 * output 1 (optional) is the log-probabilities. */
static int k_sce(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->ndim >= 2, "node '%s' (SoftmaxCrossEntropyLoss): scores rank %d < 2", n->name,
	     x->ndim);
	int64_t cnt = art_tensor_elems(x), N = x->dims[0], C = x->dims[1];
	int64_t D = rt_shape_elems(x->dims + 2, x->ndim - 2);
	double *lp = malloc((size_t)(cnt + 1) * sizeof(double));
	NEED(lp, "node '%s' (SoftmaxCrossEntropyLoss): out of memory", n->name);
	for (int64_t b = 0; b < N; b++)
		for (int64_t d = 0; d < D; d++) {
			double mx = -INFINITY, sum = 0;
			for (int64_t c = 0; c < C; c++)
				mx = fmax(mx, rt_get_d(x, (b * C + c) * D + d));
			for (int64_t c = 0; c < C; c++)
				sum += exp(rt_get_d(x, (b * C + c) * D + d) - mx);
			for (int64_t c = 0; c < C; c++)
				lp[(b * C + c) * D + d] =
					rt_get_d(x, (b * C + c) * D + d) - mx - log(sum);
		}
	rc = nll(s, n, x, lp, rt_in(s, n, 1), rt_in(s, n, 2));
	void *o;
	if (!rc)
		rc = rt_alloc_out(s, n, 1, x->dtype, x->ndim, x->dims, &o);
	for (int64_t i = 0; !rc && o && i < cnt; i++)
		rt_put_d(o, x->dtype, i, lp[i]);
	free(lp);
	return rc;
}

const struct rt_kernel_entry rt_kernels_loss[] = {
	{"NegativeLogLikelihoodLoss", k_nll},
	{"SoftmaxCrossEntropyLoss", k_sce},
	{NULL, NULL},
};
