// SPDX-License-Identifier: MIT
/*
 * Elementwise ops on the device: unary, binary (with broadcasting), the
 * variadics (a chain of binary commands, the output its own accumulator),
 * Where, Cast, Clip and PRelu.
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

/* ONNX's 8-bit integers wrap; the device's f32 arithmetic would saturate. */
static uint32_t wrap_flags(int op, int dtype)
{
	int arith = op >= ARES_ELT_ADD && op <= ARES_ELT_DIV;
	return arith && (dtype == ART_INT8 || dtype == ART_UINT8) ? ARES_ELT_F_WRAP : 0;
}

static int is_fpclass(int op)
{
	return op == ARES_ELT_ISINF || op == ARES_ELT_ISNAN;
}

static const char *unary_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	char sb[64];
	if (d->arg == ARES_ELT_NOT)
		return x == ART_BOOL ? NULL : "Not on a non-bool tensor";
	if (d->arg == ARES_ELT_CELU && rt_attr_f(n, "alpha", 1.0f) == 0.0f)
		return "Celu with alpha=0";
	if (is_fpclass(d->arg) && !dev_is_float(x))
		return dev_float_only(c);
	if (d->arg == ARES_ELT_GELU &&
	    strcmp(dev_attr_s(n, "approximate", "none", sb, sizeof(sb)), "none"))
		return "Gelu with approximate=tanh not supported by the device";
	if (dev_is_float(x))
		return NULL;
	if (dev_is_int(x) && (d->arg == ARES_ELT_RELU || d->arg == ARES_ELT_NEG ||
			      d->arg == ARES_ELT_ABS || d->arg == ARES_ELT_SIGN))
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
	if (d->kind == DK_VARIADIC) {
		if (n->nin > 32) {
			snprintf(buf, len, "%s over %d inputs (at most 32)", op, n->nin);
			return buf;
		}
		for (int i = 2; i < n->nin; i++)
			if (dev_value_dtype(c->s, n->in[i]) != x) {
				snprintf(buf, len, "%s on mixed dtypes", op);
				return buf;
			}
		if (n->nin == 1)
			y = x;
		if ((d->arg & DEV_VARIADIC_MEAN) && !dev_is_float(x))
			return dev_float_only(c);
	}
	/* A float base to an integer power: the exponents are converted into
	 * the output first. */
	if (d->arg == ARES_ELT_POW && dev_is_float(x) &&
	    (dev_is_int(y) || y == ART_INT8 || y == ART_UINT8))
		return NULL;
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
		return dev_is_float(x) || dev_is_int(x)
			       ? NULL
			       : "Pow on 8-bit integers not supported by the device";
	case ARES_ELT_MOD:
		/* 8-bit remainders are exact in the device's f32 arithmetic. */
		if (dev_is_int(x) || x == ART_INT8 || x == ART_UINT8)
			return NULL;
		return rt_attr_i(n, "fmod", 0) ? (dev_is_float(x) ? NULL : dev_float_only(c))
					       : "Mod fmod=0 on a float tensor";
	case ARES_ELT_SHL:
		if (x != ART_UINT8) {
			snprintf(buf, len, "BitShift on dtype %s (the device shifts uint8 only)",
				 rt_dtype_name(x));
			return buf;
		}
		if (!rt_attr_is(n, "direction", "LEFT", 0) &&
		    !rt_attr_is(n, "direction", "RIGHT", 0))
			return "BitShift direction is neither LEFT nor RIGHT";
		return NULL;
	case ARES_ELT_MAX:
	case ARES_ELT_MIN:
		/* Min and Max never leave an 8-bit range: f32 holds them exactly. */
		if (x == ART_INT8 || x == ART_UINT8)
			return NULL;
		/* fall through */
	default:
		if (dev_is_float(x) || dev_is_int(x) || wrap_flags(d->arg & 0xff, x))
			return NULL;
		snprintf(buf, len, "%s on dtype %s not supported by the device", op,
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
	/* 8-bit values and bounds are exact in the device's f32 arithmetic. */
	if (!dev_is_float(x) && x != ART_INT8 && x != ART_UINT8)
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
	dev_set_out(o, is_fpclass(c->d->arg) ? ART_BOOL : x->dtype, x->ndim, x->dims);
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
	struct dev_val *in[32];
	int nin = n->nin < 32 ? n->nin : 32;
	for (int i = 0; i < nin; i++)
		in[i] = &dv[n->in[i]];
	int r = bcast_shape(in, nin, dims);
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
	if (d->arg == ARES_ELT_ELU && !strcmp(dev_op_name(n), "Selu")) {
		alpha = rt_attr_f(n, "alpha", 1.67326319217681884765625f);
		beta = rt_attr_f(n, "gamma", 1.05070102214813232421875f);
	} else if (d->arg == ARES_ELT_ELU) {
		alpha = rt_attr_f(n, "alpha", 1.0f);
		beta = 1.0f;
	}
	if (d->arg == ARES_ELT_CELU || d->arg == ARES_ELT_THRESHOLDED_RELU)
		alpha = rt_attr_f(n, "alpha", 1.0f);
	if (d->arg == ARES_ELT_SHRINK) {
		alpha = rt_attr_f(n, "lambd", 0.5f);
		beta = rt_attr_f(n, "bias", 0.0f);
	}
	if (d->arg == ARES_ELT_ISINF) {
		alpha = rt_attr_i(n, "detect_positive", 1) ? 1.0f : 0.0f;
		beta = rt_attr_i(n, "detect_negative", 1) ? 1.0f : 0.0f;
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
	if (op == ARES_ELT_SHL && rt_attr_is(n, "direction", "RIGHT", 0))
		op = ARES_ELT_SHR;
	struct ares_eltwise_params p = {.op = (uint32_t)op,
					.flags = wrap_flags(op, e->dv[n->out[0]].dtype)};
	/* An integer exponent becomes the base's dtype in the output, which
	 * the POW then reads in place (hw-spec §12.4). */
	if (op == ARES_ELT_POW && e->dv[n->in[1]].dtype != e->dv[n->in[0]].dtype) {
		struct ares_eltwise_params cp = {.op = ARES_ELT_COPY};
		int rc = dev_done(e, accel_cmdbuf_eltwise(cb, &cp, 1, &pin[1], &y));
		if (rc)
			return rc;
		pin[1] = &y;
	}
	return dev_done(e, accel_cmdbuf_eltwise(cb, &p, (uint32_t)n->nin, pin, &y));
}

/* Sum, Mean, Max, Min over N inputs: the first command combines inputs 0
 * and 1 (or copies a lone input) into the output, each further one
 * combines the output in place with the next input (hw-spec §12.4), and
 * Mean scales the sum by 1/N. */
static int variadic_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	int mean = (e->d->arg & DEV_VARIADIC_MEAN) != 0;
	uint32_t op = (uint32_t)(e->d->arg & ~DEV_VARIADIC_MEAN);
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc y, a, b;
	const struct ares_tensor_desc *pin[2] = {&a, &b};
	dev_desc(e, n->out[0], &y);
	dev_desc_bcast(e, n->in[0], ov->ndim, ov->dims, &a);
	int rc;
	if (n->nin == 1) {
		struct ares_eltwise_params cp = {.op = ARES_ELT_COPY};
		rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &cp, 1, pin, &y));
	} else {
		struct ares_eltwise_params p = {.op = op, .flags = wrap_flags((int)op, ov->dtype)};
		rc = 0;
		for (int i = 1; i < n->nin && !rc; i++) {
			dev_desc_bcast(e, n->in[i], ov->ndim, ov->dims, &b);
			rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 2, pin, &y));
			a = y;
		}
	}
	if (rc || !mean || n->nin == 1)
		return rc;
	struct ares_eltwise_params sc = {.op = ARES_ELT_AFFINE,
					 .alpha = F32_BITS(1.0f / (float)n->nin)};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &sc, 1, pin, &y));
}

static int prelu_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *ov = &e->dv[n->out[0]];
	/* The op table's worked example, so built as a new opcode would be. */
	struct ares_cmd_prelu c = {.hdr = {.opcode = ARES_OP_PRELU, .size = sizeof(c)}};
	dev_desc(e, n->in[0], &c.x);
	dev_desc_bcast(e, n->in[1], ov->ndim, ov->dims, &c.slope);
	dev_desc(e, n->out[0], &c.y);
	return dev_done(e, accel_cmdbuf_tensor_op(e->cb, &c, sizeof(c)));
}

static const struct dev_form dev_form_unary = {
	.check = unary_check,
	.shapes = unary_shapes,
	.emit = unary_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_binary = {
	.check = binary_check,
	.shapes = binary_shapes,
	.emit = binary_emit,
	.operands = 7u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_variadic = {
	.check = binary_check,
	.shapes = binary_shapes,
	.emit = variadic_emit,
	.operands = 0xffffffffu,
	.fuses_act = 0,
};

static const struct dev_form dev_form_where = {
	.check = where_check,
	.shapes = binary_shapes,
	.emit = binary_emit,
	.operands = 7u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_cast = {
	.check = cast_check,
	.shapes = cast_shapes,
	.emit = cast_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_clip = {
	.check = clip_check,
	.shapes = unary_shapes,
	.emit = clip_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_prelu = {
	.check = prelu_check,
	.shapes = prelu_shapes,
	.emit = prelu_emit,
	.operands = 3u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op eltwise_ops[] = {
	{"Abs", DK_UNARY, ARES_ELT_ABS, &dev_form_unary},
	{"Add", DK_BINARY, ARES_ELT_ADD, &dev_form_binary},
	{"And", DK_BINARY, ARES_ELT_AND, &dev_form_binary},
	{"Cast", DK_CAST, 0, &dev_form_cast},
	{"Ceil", DK_UNARY, ARES_ELT_CEIL, &dev_form_unary},
	{"Clip", DK_CLIP, 0, &dev_form_clip},
	{"Div", DK_BINARY, ARES_ELT_DIV, &dev_form_binary},
	{"Equal", DK_BINARY, ARES_ELT_EQUAL, &dev_form_binary},
	{"Erf", DK_UNARY, ARES_ELT_ERF, &dev_form_unary},
	{"Exp", DK_UNARY, ARES_ELT_EXP, &dev_form_unary},
	{"Floor", DK_UNARY, ARES_ELT_FLOOR, &dev_form_unary},
	{"Gelu", DK_UNARY, ARES_ELT_GELU, &dev_form_unary},
	{"Greater", DK_BINARY, ARES_ELT_GREATER, &dev_form_binary},
	{"GreaterOrEqual", DK_BINARY, ARES_ELT_GREATER_EQUAL, &dev_form_binary},
	{"HardSigmoid", DK_UNARY, ARES_ELT_HARD_SIGMOID, &dev_form_unary},
	{"HardSwish", DK_UNARY, ARES_ELT_HARD_SWISH, &dev_form_unary},
	{"LeakyRelu", DK_UNARY, ARES_ELT_LEAKY_RELU, &dev_form_unary},
	{"Less", DK_BINARY, ARES_ELT_LESS, &dev_form_binary},
	{"LessOrEqual", DK_BINARY, ARES_ELT_LESS_EQUAL, &dev_form_binary},
	{"Log", DK_UNARY, ARES_ELT_LOG, &dev_form_unary},
	{"Max", DK_VARIADIC, ARES_ELT_MAX, &dev_form_variadic},
	{"Min", DK_VARIADIC, ARES_ELT_MIN, &dev_form_variadic},
	{"Mod", DK_BINARY, ARES_ELT_MOD, &dev_form_binary},
	{"Mul", DK_BINARY, ARES_ELT_MUL, &dev_form_binary},
	{"Neg", DK_UNARY, ARES_ELT_NEG, &dev_form_unary},
	{"Not", DK_UNARY, ARES_ELT_NOT, &dev_form_unary},
	{"Or", DK_BINARY, ARES_ELT_OR, &dev_form_binary},
	{"PRelu", DK_VECTOR, 0, &dev_form_prelu},
	{"Pow", DK_BINARY, ARES_ELT_POW, &dev_form_binary},
	{"Reciprocal", DK_UNARY, ARES_ELT_RECIPROCAL, &dev_form_unary},
	{"Relu", DK_UNARY, ARES_ELT_RELU, &dev_form_unary},
	{"Round", DK_UNARY, ARES_ELT_ROUND, &dev_form_unary},
	{"Sigmoid", DK_UNARY, ARES_ELT_SIGMOID, &dev_form_unary},
	{"Sqrt", DK_UNARY, ARES_ELT_SQRT, &dev_form_unary},
	{"Sub", DK_BINARY, ARES_ELT_SUB, &dev_form_binary},
	{"Sum", DK_VARIADIC, ARES_ELT_ADD, &dev_form_variadic},
	{"Tanh", DK_UNARY, ARES_ELT_TANH, &dev_form_unary},
	{"Where", DK_WHERE, 0, &dev_form_where},
	{"Xor", DK_BINARY, ARES_ELT_XOR, &dev_form_binary},
	{"Sin", DK_UNARY, ARES_ELT_SIN, &dev_form_unary},
	{"Cos", DK_UNARY, ARES_ELT_COS, &dev_form_unary},
	{"Tan", DK_UNARY, ARES_ELT_TAN, &dev_form_unary},
	{"Asin", DK_UNARY, ARES_ELT_ASIN, &dev_form_unary},
	{"Acos", DK_UNARY, ARES_ELT_ACOS, &dev_form_unary},
	{"Atan", DK_UNARY, ARES_ELT_ATAN, &dev_form_unary},
	{"Sinh", DK_UNARY, ARES_ELT_SINH, &dev_form_unary},
	{"Cosh", DK_UNARY, ARES_ELT_COSH, &dev_form_unary},
	{"Asinh", DK_UNARY, ARES_ELT_ASINH, &dev_form_unary},
	{"Acosh", DK_UNARY, ARES_ELT_ACOSH, &dev_form_unary},
	{"Atanh", DK_UNARY, ARES_ELT_ATANH, &dev_form_unary},
	{"Sign", DK_UNARY, ARES_ELT_SIGN, &dev_form_unary},
	{"Elu", DK_UNARY, ARES_ELT_ELU, &dev_form_unary},
	{"Selu", DK_UNARY, ARES_ELT_ELU, &dev_form_unary},
	{"Celu", DK_UNARY, ARES_ELT_CELU, &dev_form_unary},
	{"ThresholdedRelu", DK_UNARY, ARES_ELT_THRESHOLDED_RELU, &dev_form_unary},
	{"Softsign", DK_UNARY, ARES_ELT_SOFTSIGN, &dev_form_unary},
	{"Softplus", DK_UNARY, ARES_ELT_SOFTPLUS, &dev_form_unary},
	{"Shrink", DK_UNARY, ARES_ELT_SHRINK, &dev_form_unary},
	{"IsInf", DK_UNARY, ARES_ELT_ISINF, &dev_form_unary},
	{"IsNaN", DK_UNARY, ARES_ELT_ISNAN, &dev_form_unary},
	{"BitShift", DK_BINARY, ARES_ELT_SHL, &dev_form_binary},
	{"Mean", DK_VARIADIC, ARES_ELT_ADD | DEV_VARIADIC_MEAN, &dev_form_variadic},
	{"CastLike", DK_CAST, 0, &dev_form_cast},
};

const struct dev_op_family dev_ops_eltwise = DEV_OP_FAMILY(eltwise_ops);
