// SPDX-License-Identifier: MIT
/*
 * Reductions, Softmax and the normalizations on the device.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/common.h"

static int reduce_axes(struct art_session *s, const struct rt_node *n, int rank, unsigned *mask)
{
	int64_t ax[ART_MAX_DIMS];
	int na = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
	if (na < 0)
		na = dev_const_ints(s, n, 1, ax, ART_MAX_DIMS);
	*mask = 0;
	if (na <= 0) {
		*mask = (1u << rank) - 1;
		return 0;
	}
	for (int i = 0; i < na; i++) {
		int64_t a = dev_norm_axis(ax[i], rank);
		if (a < 0 || a >= rank)
			return -1;
		*mask |= 1u << a;
	}
	return 0;
}

/* A per-channel [C] vector as a view with X's shape, varying along dim 1. */
static void desc_channel(const struct ectx *e, int v, const struct dev_val *x,
			 struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = dev_va_of(e, v);
	t->dtype = ARES_DTYPE_F32;
	t->rank = (uint16_t)x->ndim;
	for (int k = 0; k < x->ndim; k++) {
		t->shape[k] = (uint64_t)x->dims[k];
		t->stride[k] = k == 1 ? 1 : 0;
	}
}

static const char *reduce_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	int a = d->arg;
	if (a == ARES_REDUCE_ARGMAX || a == ARES_REDUCE_ARGMIN) {
		if (rt_attr_i(n, "select_last_index", 0))
			return "ArgMax/ArgMin select_last_index=1";
		if (!dev_is_float(x) && !dev_is_int(x))
			return dev_float_only(c);
		return NULL;
	}
	if (!dev_plan_known(s, n, 1))
		return "reduce axes computed at run time";
	int64_t axes[ART_MAX_DIMS];
	if (rt_attr_i(n, "noop_with_empty_axes", 0) && !rt_attr(n, "axes") &&
	    dev_const_ints(s, n, 1, axes, ART_MAX_DIMS) <= 0)
		return "reduce with noop_with_empty_axes and no axes";
	if (dev_is_float(x))
		return NULL;
	if (dev_is_int(x) && (a == ARES_REDUCE_SUM || a == ARES_REDUCE_MAX ||
			      a == ARES_REDUCE_MIN || a == ARES_REDUCE_PROD))
		return NULL;
	return dev_float_only(c);
}

static const char *softmax_check(const struct dev_check *c)
{
	int x = c->x;
	return dev_is_float(x) ? NULL : "Softmax on a non-float tensor";
}

static const char *batchnorm_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	if (!dev_is_float(x))
		return dev_float_only(c);
	if (rt_attr_i(n, "training_mode", 0))
		return "BatchNormalization in training mode";
	for (int i = 1; i < 5; i++)
		if (i >= n->nin || n->in[i] < 0 || dev_value_dtype(s, n->in[i]) != ART_FLOAT)
			return "BatchNormalization statistics are not float";
	return NULL;
}

static const char *norm_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	if (!dev_is_float(x))
		return dev_float_only(c);
	for (int i = 1; i < n->nin && i < 3; i++)
		if (n->in[i] >= 0 && dev_value_dtype(s, n->in[i]) != ART_FLOAT)
			return "normalisation scale or bias is not float";
	return NULL;
}

static int reduce_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	unsigned m;
	int keep = (int)rt_attr_i(n, "keepdims", 1), r = 0, dt = x->dtype;
	if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN) {
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
		if (a < 0 || a >= x->ndim)
			return dev_bad(s, n, "axis out of range");
		m = 1u << a;
		dt = ART_INT64;
	} else if (reduce_axes(s, n, x->ndim, &m)) {
		return dev_bad(s, n, "axes out of range");
	}
	for (int k = 0; k < x->ndim; k++)
		if (!(m & (1u << k)))
			dims[r++] = x->dims[k];
		else if (keep)
			dims[r++] = 1;
	dev_set_out(o, dt, r, dims);
	return 0;
}

static int norm_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	if ((d->kind == DK_INSTNORM && x->ndim < 3) || (d->kind == DK_BATCHNORM && x->ndim < 2))
		return dev_bad(s, n, "input rank too small");
	dev_set_out(o, x->dtype, x->ndim, x->dims);
	return 0;
}

static int reduce_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	unsigned m;
	if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN)
		m = 1u << dev_norm_axis(rt_attr_i(n, "axis", 0), xv->ndim);
	else
		reduce_axes(s, n, xv->ndim, &m);
	int64_t yd[ART_MAX_DIMS];
	for (int k = 0; k < xv->ndim; k++)
		yd[k] = (m & (1u << k)) ? 1 : xv->dims[k];
	dev_desc(e, n->in[0], &x);
	dev_desc_dims(e, n->out[0], xv->ndim, yd, &y);
	struct ares_reduce_params p = {.op = (uint32_t)d->arg, .axes = m};
	return dev_done(e, accel_cmdbuf_reduce(cb, &p, &x, &y));
}

static int softmax_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int64_t axis;
	if (s->opset < 13) {
		/* Before opset 13 the input is coerced to 2-D at axis. */
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 1), xv->ndim);
		int64_t d2[2] = {dev_prod(xv->dims, 0, (int)a),
				 dev_prod(xv->dims, (int)a, xv->ndim)};
		dev_desc_dims(e, n->in[0], 2, d2, &x);
		dev_desc_dims(e, n->out[0], 2, d2, &y);
		axis = 1;
	} else {
		axis = dev_norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
		dev_desc(e, n->in[0], &x);
		dev_desc(e, n->out[0], &y);
	}
	struct ares_softmax_params p = {.axis = (uint32_t)axis, .flags = (uint32_t)d->arg};
	return dev_done(e, accel_cmdbuf_softmax(cb, &p, &x, &y));
}

static int batchnorm_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc sc, bi, mu, var;
	int bn = d->kind == DK_BATCHNORM;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	desc_channel(e, n->in[1], xv, &sc);
	desc_channel(e, n->in[2], xv, &bi);
	if (bn) {
		desc_channel(e, n->in[3], xv, &mu);
		desc_channel(e, n->in[4], xv, &var);
	}
	struct ares_norm_params p = {.kind = bn ? ARES_NORM_BATCH : ARES_NORM_INSTANCE,
				     .epsilon = F32_BITS(rt_attr_f(n, "epsilon", 1e-5f)),
				     .activation = (uint32_t)n->act,
				     .act_alpha = F32_BITS(n->act_alpha),
				     .act_beta = F32_BITS(n->act_beta)};
	return dev_done(
		e, accel_cmdbuf_norm(cb, &p, &x, &sc, &bi, bn ? &mu : NULL, bn ? &var : NULL, &y));
}

static int layernorm_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc sc, bi;
	int64_t axis = dev_norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	int hs = n->nin > 1 && n->in[1] >= 0, hb = n->nin > 2 && n->in[2] >= 0;
	if (hs)
		dev_desc_bcast(e, n->in[1], xv->ndim, xv->dims, &sc);
	if (hb)
		dev_desc_bcast(e, n->in[2], xv->ndim, xv->dims, &bi);
	struct ares_norm_params p = {.kind = ARES_NORM_LAYER,
				     .axis = (uint32_t)axis,
				     .epsilon = F32_BITS(rt_attr_f(n, "epsilon", 1e-5f)),
				     .activation = (uint32_t)n->act,
				     .act_alpha = F32_BITS(n->act_alpha),
				     .act_beta = F32_BITS(n->act_beta)};
	return dev_done(
		e, accel_cmdbuf_norm(cb, &p, &x, hs ? &sc : NULL, hb ? &bi : NULL, NULL, NULL, &y));
}

static const struct dev_form dev_form_reduce = {
	.check = reduce_check,
	.shapes = reduce_shapes,
	.emit = reduce_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_softmax = {
	.check = softmax_check,
	.shapes = norm_shapes,
	.emit = softmax_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_batchnorm = {
	.check = batchnorm_check,
	.shapes = norm_shapes,
	.emit = batchnorm_emit,
	.operands = 31u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_instnorm = {
	.check = norm_check,
	.shapes = norm_shapes,
	.emit = batchnorm_emit,
	.operands = 7u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_layernorm = {
	.check = norm_check,
	.shapes = norm_shapes,
	.emit = layernorm_emit,
	.operands = 7u,
	.fuses_act = 1,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op norm_ops[] = {
	{"ArgMax", DK_REDUCE, ARES_REDUCE_ARGMAX, &dev_form_reduce},
	{"ArgMin", DK_REDUCE, ARES_REDUCE_ARGMIN, &dev_form_reduce},
	{"BatchNormalization", DK_BATCHNORM, 0, &dev_form_batchnorm},
	{"InstanceNormalization", DK_INSTNORM, 0, &dev_form_instnorm},
	{"LayerNormalization", DK_LAYERNORM, 0, &dev_form_layernorm},
	{"LogSoftmax", DK_SOFTMAX, ARES_SOFTMAX_LOG, &dev_form_softmax},
	{"ReduceL1", DK_REDUCE, ARES_REDUCE_L1, &dev_form_reduce},
	{"ReduceL2", DK_REDUCE, ARES_REDUCE_L2, &dev_form_reduce},
	{"ReduceLogSum", DK_REDUCE, ARES_REDUCE_LOG_SUM, &dev_form_reduce},
	{"ReduceLogSumExp", DK_REDUCE, ARES_REDUCE_LOG_SUM_EXP, &dev_form_reduce},
	{"ReduceMax", DK_REDUCE, ARES_REDUCE_MAX, &dev_form_reduce},
	{"ReduceMean", DK_REDUCE, ARES_REDUCE_MEAN, &dev_form_reduce},
	{"ReduceMin", DK_REDUCE, ARES_REDUCE_MIN, &dev_form_reduce},
	{"ReduceProd", DK_REDUCE, ARES_REDUCE_PROD, &dev_form_reduce},
	{"ReduceSum", DK_REDUCE, ARES_REDUCE_SUM, &dev_form_reduce},
	{"ReduceSumSquare", DK_REDUCE, ARES_REDUCE_SUM_SQUARE, &dev_form_reduce},
	{"Softmax", DK_SOFTMAX, 0, &dev_form_softmax},
};

const struct dev_op_family dev_ops_norm = DEV_OP_FAMILY(norm_ops);
