// SPDX-License-Identifier: MIT
/*
 * Elementwise ops on the device: unary, binary (with broadcasting), the
 * two-input variadics, Where, Cast, Clip and PRelu.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/common.h"

/* Broadcast shape of several inputs (ONNX multidirectional). */
static int bcast_shape(struct dev_val *const *in, int nin, int64_t *dims)
{
	int r = 0;
	for (int i = 0; i < nin; i++)
		r = in[i]->ndim > r ? in[i]->ndim : r;
	for (int k = 0; k < r; k++)
		dims[k] = 1;
	for (int i = 0; i < nin; i++)
		for (int k = 0; k < in[i]->ndim; k++) {
			int64_t d = in[i]->dims[k];
			int64_t *o = &dims[r - in[i]->ndim + k];
			if (d == *o || d == 1)
				continue;
			if (*o != 1)
				return -1;
			*o = d;
		}
	return r;
}

static int emit_act_unary(struct ectx *e, const struct rt_node *n, int op, float alpha, float beta)
{
	struct ares_eltwise_params p = {
		.op = (uint32_t)op, .alpha = F32_BITS(alpha), .beta = F32_BITS(beta)};
	struct ares_tensor_desc x, y;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	const struct ares_tensor_desc *in[1] = {&x};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, &y));
}

static const char *unary_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	char sb[64];
	if (d->arg == ARES_ELT_NOT)
		return x == ART_BOOL ? NULL : "Not on a non-bool tensor";
	if (d->arg == ARES_ELT_GELU &&
	    strcmp(dev_attr_s(n, "approximate", "none", sb, sizeof(sb)), "none"))
		return "Gelu with approximate=tanh not supported by the device";
	if (dev_is_float(x))
		return NULL;
	if (dev_is_int(x) &&
	    (d->arg == ARES_ELT_RELU || d->arg == ARES_ELT_NEG || d->arg == ARES_ELT_ABS))
		return NULL;
	return dev_float_only(c);
}

static const char *binary_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	const char *op = c->op;
	int x = c->x;
	int y = c->y;
	char *buf = c->buf;
	size_t len = c->len;
	if (d->kind == DK_VARIADIC && n->nin != 2) {
		snprintf(buf, len, "%s over %d inputs (the device takes two)", op, n->nin);
		return buf;
	}
	if (x != y) {
		snprintf(buf, len, "%s on mixed dtypes %s and %s", op, rt_dtype_name(x),
			 rt_dtype_name(y));
		return buf;
	}
	switch (d->arg) {
	case ARES_ELT_AND:
	case ARES_ELT_OR:
	case ARES_ELT_XOR:
		return x == ART_BOOL ? NULL : "logical op on a non-bool tensor";
	case ARES_ELT_EQUAL:
		return NULL;
	case ARES_ELT_LESS:
	case ARES_ELT_GREATER:
	case ARES_ELT_LESS_EQUAL:
	case ARES_ELT_GREATER_EQUAL:
		return x == ART_BOOL ? "ordering comparison of bool tensors" : NULL;
	case ARES_ELT_POW:
		return dev_is_float(x) ? NULL : "Pow on integers not supported by the device";
	case ARES_ELT_MOD:
		if (rt_attr_i(n, "fmod", 0))
			return dev_is_float(x) ? NULL : "Mod fmod=1 on integers";
		return dev_is_int(x) ? NULL : "Mod fmod=0 on a float tensor";
	default:
		if (dev_is_float(x) || dev_is_int(x))
			return NULL;
		snprintf(buf, len, "%s on dtype %s (the device saturates 8-bit arithmetic)", op,
			 rt_dtype_name(x));
		return buf;
	}
}

static const char *where_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	int y = c->y;
	if (x != ART_BOOL)
		return "Where condition is not bool";
	if (n->nin != 3 || y != dev_value_dtype(s, n->in[2]))
		return "Where branches of different dtypes";
	return NULL;
}

/* Cast's target dtype: its attribute, or CastLike's second input's. */
static int cast_to(struct art_session *s, const struct rt_node *n)
{
	if (!strcmp(n->proto->op_type, "CastLike"))
		return n->nin > 1 && n->in[1] >= 0 ? dev_value_dtype(s, n->in[1]) : 0;
	return (int)rt_attr_i(n, "to", 0);
}

static const char *cast_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	int x = c->x;
	char *buf = c->buf;
	size_t len = c->len;
	int to = cast_to(c->s, n);
	if (dev_dtype(to) < 0) {
		snprintf(buf, len, "Cast to dtype %s", rt_dtype_name(to));
		return buf;
	}
	/* The device rounds and saturates; ONNX truncates toward zero, wraps
	 * narrowing integers and maps nonzero to true. */
	if (to == x || to == ART_FLOAT || (to == ART_INT64 && !dev_is_float(x)) ||
	    (to == ART_INT32 && (x == ART_UINT8 || x == ART_INT8 || x == ART_BOOL)))
		return NULL;
	/* To F16/BF16 the device goes through f32 and rounds to nearest even
	 * once, as the CPU does from a source f32 holds exactly. */
	if ((to == ART_FLOAT16 || to == ART_BFLOAT16) &&
	    (dev_is_float(x) || x == ART_UINT8 || x == ART_INT8 || x == ART_BOOL))
		return NULL;
	snprintf(buf, len, "Cast %s to %s rounds differently on the device", rt_dtype_name(x),
		 rt_dtype_name(to));
	return buf;
}

static const char *clip_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	if (!dev_is_float(x))
		return dev_float_only(c);
	if (!dev_plan_known(s, n, 1) || !dev_plan_known(s, n, 2))
		return "Clip bounds computed at run time";
	return NULL;
}

/* PRELU takes F32/F16/BF16 with one dtype for X, slope and Y (hw-spec §12.12). */
static const char *prelu_check(const struct dev_check *c)
{
	char *buf = c->buf;
	if (c->x != ART_FLOAT && c->x != ART_FLOAT16 && c->x != ART_BFLOAT16)
		return dev_float_only(c);
	if (c->y && c->y != c->x) {
		snprintf(buf, c->len, "PRelu with slope dtype %s on %s", rt_dtype_name(c->y),
			 rt_dtype_name(c->x));
		return buf;
	}
	return NULL;
}

static int unary_shapes(const struct dev_shape *c)
{
	struct dev_val *x = &c->dv[c->n->in[0]];
	struct dev_val *o = &c->dv[c->n->out[0]];
	dev_set_out(o, x->dtype, x->ndim, x->dims);
	return 0;
}

static int cast_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	dev_set_out(o, cast_to(c->s, n), x->ndim, x->dims);
	return 0;
}

static int binary_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	struct dev_val *in[3] = {x, x, x};
	for (int i = 0; i < n->nin && i < 3; i++)
		in[i] = &dv[n->in[i]];
	int r = bcast_shape(in, n->nin < 3 ? n->nin : 3, dims);
	if (r < 0)
		return dev_bad(s, n, "shapes do not broadcast");
	int dt = d->kind == DK_WHERE ? in[1]->dtype : x->dtype;
	if (d->kind == DK_BINARY && d->arg >= ARES_ELT_EQUAL && d->arg <= ARES_ELT_GREATER_EQUAL)
		dt = ART_BOOL;
	dev_set_out(o, dt, r, dims);
	return 0;
}

/* Y has X's shape: ONNX broadcasts the slope to X in one direction only. */
static int prelu_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *in[2] = {x, &c->dv[n->in[1]]};
	int64_t dims[ART_MAX_DIMS];
	int r = bcast_shape(in, 2, dims);
	if (r != x->ndim || memcmp(dims, x->dims, sizeof(dims[0]) * (size_t)r))
		return dev_bad(c->s, n, "slope does not broadcast to X");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, x->dims);
	return 0;
}

static int unary_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	float alpha = 0, beta = 0;
	if (d->arg == ARES_ELT_LEAKY_RELU)
		alpha = rt_attr_f(n, "alpha", 0.01f);
	if (d->arg == ARES_ELT_HARD_SIGMOID) {
		alpha = rt_attr_f(n, "alpha", 0.2f);
		beta = rt_attr_f(n, "beta", 0.5f);
	}
	return emit_act_unary(e, n, d->arg, alpha, beta);
}

static int cast_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	return emit_act_unary(e, n, ARES_ELT_COPY, 0, 0);
}

static int clip_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	float lo = -INFINITY, hi = INFINITY;
	if (s->opset < 11) {
		lo = rt_attr_f(n, "min", lo);
		hi = rt_attr_f(n, "max", hi);
	} else {
		dev_const_float(s, n, 1, &lo);
		dev_const_float(s, n, 2, &hi);
	}
	return emit_act_unary(e, n, ARES_ELT_CLIP, lo, hi);
}

static int binary_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc y;
	struct ares_tensor_desc in[3];
	const struct ares_tensor_desc *pin[3];
	for (int i = 0; i < n->nin; i++) {
		dev_desc_bcast(e, n->in[i], ov->ndim, ov->dims, &in[i]);
		pin[i] = &in[i];
	}
	dev_desc(e, n->out[0], &y);
	int op = d->kind == DK_WHERE ? ARES_ELT_WHERE : d->arg;
	if (op == ARES_ELT_MOD && rt_attr_i(n, "fmod", 0))
		op = ARES_ELT_FMOD;
	struct ares_eltwise_params p = {.op = (uint32_t)op};
	return dev_done(e, accel_cmdbuf_eltwise(cb, &p, (uint32_t)n->nin, pin, &y));
}

static int prelu_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x, slope, y;
	dev_desc(e, n->in[0], &x);
	dev_desc_bcast(e, n->in[1], ov->ndim, ov->dims, &slope);
	dev_desc(e, n->out[0], &y);
	return dev_done(e, accel_cmdbuf_prelu(e->cb, &x, &slope, &y));
}

const struct dev_form dev_form_unary = {
	.check = unary_check,
	.shapes = unary_shapes,
	.emit = unary_emit,
	.operands = 1u,
	.fuses_act = 0,
};

const struct dev_form dev_form_binary = {
	.check = binary_check,
	.shapes = binary_shapes,
	.emit = binary_emit,
	.operands = 7u,
	.fuses_act = 0,
};

const struct dev_form dev_form_variadic = {
	.check = binary_check,
	.shapes = binary_shapes,
	.emit = binary_emit,
	.operands = 7u,
	.fuses_act = 0,
};

const struct dev_form dev_form_where = {
	.check = where_check,
	.shapes = binary_shapes,
	.emit = binary_emit,
	.operands = 7u,
	.fuses_act = 0,
};

const struct dev_form dev_form_cast = {
	.check = cast_check,
	.shapes = cast_shapes,
	.emit = cast_emit,
	.operands = 1u,
	.fuses_act = 0,
};

const struct dev_form dev_form_clip = {
	.check = clip_check,
	.shapes = unary_shapes,
	.emit = clip_emit,
	.operands = 1u,
	.fuses_act = 0,
};

const struct dev_form dev_form_prelu = {
	.check = prelu_check,
	.shapes = prelu_shapes,
	.emit = prelu_emit,
	.operands = 3u,
	.fuses_act = 0,
};
