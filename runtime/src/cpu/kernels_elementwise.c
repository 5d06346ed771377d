// SPDX-License-Identifier: MIT
/* CPU reference kernels: elementwise ops (arithmetic with broadcasting,
 * unary math, activations, comparisons, Where, Cast, Clip, variadic folds). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

enum binop { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAX, OP_MIN, OP_MOD, OP_FMOD, OP_PRELU };

static double apply_f(enum binop op, double x, double y)
{
	switch (op) {
	case OP_ADD:
		return x + y;
	case OP_SUB:
		return x - y;
	case OP_MUL:
		return x * y;
	case OP_DIV:
		return x / y;
	case OP_POW:
		return pow(x, y);
	case OP_MAX:
		return x > y ? x : y;
	case OP_MIN:
		return x < y ? x : y;
	case OP_FMOD:
		return fmod(x, y);
	case OP_MOD: {
		double r = fmod(x, y);
		return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
	}
	default:
		return x < 0 ? y * x : x;
	}
}

static int64_t apply_i(enum binop op, int64_t x, int64_t y)
{
	switch (op) {
	case OP_ADD:
		return x + y;
	case OP_SUB:
		return x - y;
	case OP_MUL:
		return x * y;
	case OP_DIV:
		return y ? x / y : 0;
	case OP_MAX:
		return x > y ? x : y;
	case OP_MIN:
		return x < y ? x : y;
	case OP_FMOD:
		return y ? x % y : 0;
	case OP_MOD: { /* the sign of the divisor, as in Python */
		int64_t r = y ? x % y : 0;
		return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
	}
	case OP_PRELU:
		return x < 0 ? y * x : x;
	default: {
		/* A negative power truncates toward zero like Pow of an integer
		 * by a float: only bases 1 and -1 leave a nonzero result. */
		if (y < 0)
			return x == 1 ? 1 : x == -1 ? (y & 1 ? -1 : 1) : 0;
		uint64_t r = 1;
		for (int64_t k = 0; k < y; k++)
			r *= (uint64_t)x;
		return (int64_t)r;
	}
	}
}

/* Unsigned integers compute in uint64_t: Div, Mod, Max and Min differ from
 * the signed results for uint64 values past INT64_MAX, and wrapping is
 * defined. */
static int64_t apply_u(enum binop op, uint64_t x, uint64_t y)
{
	switch (op) {
	case OP_ADD:
		return (int64_t)(x + y);
	case OP_SUB:
		return (int64_t)(x - y);
	case OP_MUL:
		return (int64_t)(x * y);
	case OP_DIV:
		return (int64_t)(y ? x / y : 0);
	case OP_MAX:
		return (int64_t)(x > y ? x : y);
	case OP_MIN:
		return (int64_t)(x < y ? x : y);
	case OP_FMOD:
	case OP_MOD:
		return (int64_t)(y ? x % y : 0);
	case OP_PRELU:
		return (int64_t)x;
	default: {
		uint64_t r = 1;
		for (uint64_t k = 0; k < y; k++)
			r *= x;
		return (int64_t)r;
	}
	}
}

static int64_t apply_int(int dtype, enum binop op, int64_t x, int64_t y)
{
	return rt_is_unsigned(dtype) ? apply_u(op, (uint64_t)x, (uint64_t)y) : apply_i(op, x, y);
}

static int binary(struct art_session *s, const struct rt_node *n, enum binop op)
{
	/* Only the ops with a oneDNN path have a primitive cache (memo). */
	int rc = rt_dnnl_binary(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = rt_broadcast_shape(a, b, dims);
	NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name, n->proto->op_type);
	NEED(a->dtype == b->dtype || op == OP_POW, "node '%s' (%s): input types %s and %s differ",
	     n->name, n->proto->op_type, rt_dtype_name(a->dtype), rt_dtype_name(b->dtype));
	if (a->dtype == ART_BOOL || !art_dtype_size(a->dtype) || !art_dtype_size(b->dtype))
		return rt_err(s, -ENOTSUP, "node '%s' (%s): element type %s not supported", n->name,
			      n->proto->op_type, rt_dtype_name(a->dtype));
	if (op == OP_MOD && rt_attr_i(n, "fmod", 0))
		op = OP_FMOD;
	void *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, nd, dims, &o);
	if (rc)
		return rc;
	int64_t cnt = rt_shape_elems(dims, nd), ca = art_tensor_elems(a), cb = art_tensor_elems(b);
	if (a->dtype == ART_FLOAT && b->dtype == ART_FLOAT && (ca == cnt || ca == 1) &&
	    (cb == cnt || cb == 1)) {
		/* Same shapes or a scalar operand: no index arithmetic. */
		const float *pa = a->data, *pb = b->data;
		float *po = o;
		int64_t ma = ca == cnt, mb = cb == cnt;
		for (int64_t i = 0; i < cnt; i++)
			po[i] = (float)apply_f(op, pa[i * ma], pb[i * mb]);
		return 0;
	}
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, dims, nd)) {
		int64_t ia = rt_bcast_offset(a, idx, nd), ib = rt_bcast_offset(b, idx, nd);
		if (rt_is_float(a->dtype))
			rt_put_d(o, a->dtype, i, apply_f(op, rt_get_d(a, ia), rt_get_d(b, ib)));
		else if (rt_is_float(b->dtype)) /* Pow of an integer by a float */
			rt_put_i(o, a->dtype, i,
				 (int64_t)apply_f(op, rt_get_d(a, ia), rt_get_d(b, ib)));
		else
			rt_put_i(o, a->dtype, i,
				 apply_int(a->dtype, op, rt_get_i(a, ia), rt_get_i(b, ib)));
	}
	return 0;
}

static int k_mod(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_MOD);
}

static int k_prelu(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_PRELU);
}

static int k_add(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_ADD);
}
static int k_sub(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_SUB);
}
static int k_mul(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_MUL);
}
static int k_div(struct art_session *s, const struct rt_node *n)
{
	return binary(s, n, OP_DIV);
}
/* X squared (a power spectrum's Pow(x, 2)) as one float product: the
 * exact double square the reference takes rounds to the same float, so
 * this is the loop's result bit for bit, without pow() per element.
 * RT_CPU_DECLINED for any other Pow. */
static int pow_square(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *a = n->nin >= 2 ? rt_in(s, n, 0) : NULL;
	const struct art_tensor *b = n->nin >= 2 ? rt_in(s, n, 1) : NULL;
	if (!rt_cpu_fast(s) || !a || !b || a->dtype != ART_FLOAT || b->dtype != ART_FLOAT ||
	    art_tensor_elems(b) != 1 || b->ndim > a->ndim || *(const float *)b->data != 2.0f)
		return RT_CPU_DECLINED;
	float *o;
	int rc = rt_alloc_out(s, n, 0, ART_FLOAT, a->ndim, a->dims, (void **)&o);
	if (rc)
		return rc;
	const float *x = a->data;
	for (int64_t i = 0, cnt = art_tensor_elems(a); i < cnt; i++)
		o[i] = x[i] * x[i];
	return 0;
}

static int k_pow(struct art_session *s, const struct rt_node *n)
{
	int rc = pow_square(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	return binary(s, n, OP_POW);
}
enum unop {
	U_RELU,
	U_SIGMOID,
	U_TANH,
	U_EXP,
	U_LOG,
	U_NEG,
	U_ABS,
	U_SQRT,
	U_RECIP,
	U_FLOOR,
	U_CEIL,
	U_SIGN,
	U_ROUND,
	U_TAN,
	U_ASIN,
	U_ACOS,
	U_ATAN,
	U_SINH,
	U_COSH,
	U_ASINH,
	U_ACOSH,
	U_ATANH,
};

static double unary_d(enum unop op, double v)
{
	switch (op) {
	case U_RELU:
		return v > 0 ? v : 0;
	case U_SIGMOID:
		return 1.0 / (1.0 + exp(-v));
	case U_TANH:
		return tanh(v);
	case U_EXP:
		return exp(v);
	case U_LOG:
		return log(v);
	case U_NEG:
		return -v;
	case U_ABS:
		return fabs(v);
	case U_SQRT:
		return sqrt(v);
	case U_RECIP:
		return 1.0 / v;
	case U_FLOOR:
		return floor(v);
	case U_CEIL:
		return ceil(v);
	case U_SIGN:
		return (double)((v > 0) - (v < 0));
	case U_ROUND: /* halves to even */
		return nearbyint(v);
	case U_TAN:
		return tan(v);
	case U_ASIN:
		return asin(v);
	case U_ACOS:
		return acos(v);
	case U_ATAN:
		return atan(v);
	case U_SINH:
		return sinh(v);
	case U_COSH:
		return cosh(v);
	case U_ASINH:
		return asinh(v);
	case U_ACOSH:
		return acosh(v);
	default:
		return atanh(v);
	}
}

/* Integer inputs go through double: exact below 2^53. Neg of int64
 * stays exact by its own path. */
static int unary(struct art_session *s, const struct rt_node *n, enum unop op)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype != ART_BOOL && art_dtype_size(x->dtype),
	     "node '%s' (%s): element type %s not supported", n->name, n->proto->op_type,
	     rt_dtype_name(x->dtype));
	rc = x->dtype == ART_FLOAT ? rt_dnnl_eltwise(s, n) : RT_CPU_DECLINED;
	if (rc != RT_CPU_DECLINED)
		return rc;
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(x);
	if (x->dtype == ART_FLOAT) {
		const float *in = x->data;
		float *out = o;
		for (int64_t i = 0; i < cnt; i++)
			out[i] = (float)unary_d(op, in[i]);
	} else if (x->dtype == ART_INT64 && (op == U_NEG || op == U_ABS)) {
		const int64_t *in = x->data;
		int64_t *out = o;
		for (int64_t i = 0; i < cnt; i++)
			out[i] = op == U_NEG ? -in[i] : in[i] < 0 ? -in[i] : in[i];
	} else {
		for (int64_t i = 0; i < cnt; i++)
			rt_put_d(o, x->dtype, i, unary_d(op, rt_get_d(x, i)));
	}
	return 0;
}

#define UNARY(fn, op)                                                                              \
	static int fn(struct art_session *s, const struct rt_node *n)                              \
	{                                                                                          \
		return unary(s, n, op);                                                            \
	}
UNARY(k_relu, U_RELU)
UNARY(k_sigmoid, U_SIGMOID)
UNARY(k_tanh, U_TANH)
UNARY(k_exp, U_EXP)
UNARY(k_log, U_LOG)
UNARY(k_neg, U_NEG)
UNARY(k_abs, U_ABS)
UNARY(k_sqrt, U_SQRT)
UNARY(k_recip, U_RECIP)
UNARY(k_floor, U_FLOOR)
UNARY(k_ceil, U_CEIL)
UNARY(k_sign, U_SIGN)
UNARY(k_round, U_ROUND)
UNARY(k_tan, U_TAN)
UNARY(k_asin, U_ASIN)
UNARY(k_acos, U_ACOS)
UNARY(k_atan, U_ATAN)
UNARY(k_sinh, U_SINH)
UNARY(k_cosh, U_COSH)
UNARY(k_asinh, U_ASINH)
UNARY(k_acosh, U_ACOSH)
UNARY(k_atanh, U_ATANH)

/* Unary activations with attributes (defaults from the ONNX spec). */
enum actop {
	A_LEAKY,
	A_ELU,
	A_SELU,
	A_HSIG,
	A_HSWISH,
	A_SOFTPLUS,
	A_SOFTSIGN,
	A_SIN,
	A_COS,
	A_ERF,
	A_THRESH,
	A_CELU,
	A_MISH,
	A_SHRINK,
};

static int activation(struct art_session *s, const struct rt_node *n, enum actop op)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (%s): only float tensors (got type %s)", n->name,
	     n->proto->op_type, rt_dtype_name(x->dtype));
	rc = rt_dnnl_eltwise(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	float *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	float alpha = rt_attr_f(n, "alpha",
				op == A_LEAKY  ? 0.01f
				: op == A_HSIG ? 0.2f
				: op == A_SELU ? 1.67326319217681884765625f
					       : 1.0f);
	float beta = rt_attr_f(n, "beta", 0.5f);
	float gamma = rt_attr_f(n, "gamma", 1.05070102214813232421875f);
	float lambd = rt_attr_f(n, "lambd", 0.5f), bias = rt_attr_f(n, "bias", 0.0f);
	const float *in = x->data;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++) {
		float v = in[i];
		switch (op) {
		case A_LEAKY:
			v = v < 0 ? alpha * v : v;
			break;
		case A_ELU:
			v = v < 0 ? alpha * (expf(v) - 1) : v;
			break;
		case A_SELU:
			v = v <= 0 ? gamma * (alpha * expf(v) - alpha) : gamma * v;
			break;
		case A_HSIG:
			v = fmaxf(0, fminf(1, alpha * v + beta));
			break;
		case A_HSWISH:
			v = v * fmaxf(0, fminf(1, v / 6 + 0.5f));
			break;
		case A_SOFTPLUS:
			v = logf(expf(v) + 1);
			break;
		case A_SOFTSIGN:
			v = v / (1 + fabsf(v));
			break;
		case A_SIN:
			v = sinf(v);
			break;
		case A_COS:
			v = cosf(v);
			break;
		case A_ERF:
			v = erff(v);
			break;
		case A_THRESH:
			v = v > alpha ? v : 0;
			break;
		case A_CELU:
			v = fmaxf(0, v) + fminf(0, alpha * (expf(v / alpha) - 1));
			break;
		case A_MISH:
			v = (float)(v * tanh(log1p(exp(v))));
			break;
		case A_SHRINK:
			v = v < -lambd ? v + bias : v > lambd ? v - bias : 0;
			break;
		}
		o[i] = v;
	}
	return 0;
}

#define ACT(fn, op)                                                                                \
	static int fn(struct art_session *s, const struct rt_node *n)                              \
	{                                                                                          \
		return activation(s, n, op);                                                       \
	}
ACT(k_leaky, A_LEAKY)
ACT(k_elu, A_ELU)
ACT(k_selu, A_SELU)
ACT(k_hsig, A_HSIG)
ACT(k_hswish, A_HSWISH)
ACT(k_softplus, A_SOFTPLUS)
ACT(k_softsign, A_SOFTSIGN)
ACT(k_sin, A_SIN)
ACT(k_cos, A_COS)
ACT(k_erf, A_ERF)
ACT(k_thresh, A_THRESH)
ACT(k_celu, A_CELU)
ACT(k_mish, A_MISH)
ACT(k_shrink, A_SHRINK)

/* Cast between numeric types; to and from text in kernels_string.c. */
static int k_cast(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int to = (int)rt_attr_i(n, "to", 0);
	if (to == ART_STRING || x->dtype == ART_STRING)
		return rt_cast_strings(s, n, x, to);
	if (!art_dtype_size(to))
		return rt_err(s, -ENOTSUP, "node '%s' (Cast): target type %s (%d) not supported",
			      n->name, rt_dtype_name(to), to);
	void *o;
	rc = rt_alloc_out(s, n, 0, to, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		if (!rt_is_float(x->dtype) && !rt_is_float(to)) /* exact for 64-bit integers */
			rt_put_i(o, to, i, rt_get_i(x, i));
		else
			rt_put_d(o, to, i, rt_get_d(x, i));
	}
	return rc;
}

/* Clip: bounds are attributes before opset 11, optional inputs after. */
static int k_clip(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *lo_t = rt_in(s, n, 1), *hi_t = rt_in(s, n, 2);
	double lo = rt_attr_f(n, "min", -INFINITY), hi = rt_attr_f(n, "max", INFINITY);
	if (lo_t && (rc = rt_scalar(s, n, lo_t, "min", &lo)))
		return rc;
	if (hi_t && (rc = rt_scalar(s, n, hi_t, "max", &hi)))
		return rc;
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	if (!rc && x->dtype == ART_FLOAT && rt_cpu_fast(s)) {
		/* Rounding to float is monotonic, so clamping in float between
		 * the rounded bounds is the double clamp rounded, bit for bit
		 * (NaN passes through both); without a call per element. */
		const float *in = x->data;
		float *out = o, flo = (float)lo, fhi = (float)hi;
		for (int64_t i = 0; i < cnt; i++) {
			float v = in[i];
			v = v < flo ? flo : v;
			out[i] = v > fhi ? fhi : v;
		}
		return 0;
	}
	for (int64_t i = 0; !rc && i < cnt; i++) {
		double v = rt_get_d(x, i);
		v = v < lo ? lo : v;
		v = v > hi ? hi : v;
		rt_put_d(o, x->dtype, i, v);
	}
	return rc;
}
enum cmpop { C_EQ, C_LT, C_GT, C_LE, C_GE };

static int int_cmp(int dtype, int64_t x, int64_t y)
{
	if (rt_is_unsigned(dtype))
		return (uint64_t)x < (uint64_t)y ? -1 : (uint64_t)x > (uint64_t)y;
	return x < y ? -1 : x > y;
}

static int compare_op(struct art_session *s, const struct rt_node *n, enum cmpop op)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = rt_broadcast_shape(a, b, dims);
	NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name, n->proto->op_type);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, ART_BOOL, nd, dims, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor ot = {.ndim = nd};
	memcpy(ot.dims, dims, sizeof(dims));
	int64_t cnt = art_tensor_elems(&ot);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, dims, nd)) {
		int64_t ia = rt_bcast_offset(a, idx, nd), ib = rt_bcast_offset(b, idx, nd);
		if (a->dtype == b->dtype && !rt_is_float(a->dtype)) {
			/* Exactly, also for 64-bit integers past 2^53. */
			int c = int_cmp(a->dtype, rt_get_i(a, ia), rt_get_i(b, ib));
			o[i] = op == C_EQ   ? c == 0
			       : op == C_LT ? c < 0
			       : op == C_GT ? c > 0
			       : op == C_LE ? c <= 0
					    : c >= 0;
			continue;
		}
		double x = rt_get_d(a, ia), y = rt_get_d(b, ib);
		o[i] = op == C_EQ   ? x == y
		       : op == C_LT ? x < y
		       : op == C_GT ? x > y
		       : op == C_LE ? x <= y
				    : x >= y;
	}
	return 0;
}

#define CMP(fn, op)                                                                                \
	static int fn(struct art_session *s, const struct rt_node *n)                              \
	{                                                                                          \
		return compare_op(s, n, op);                                                       \
	}
CMP(k_equal, C_EQ)
CMP(k_less, C_LT)
CMP(k_greater, C_GT)
CMP(k_less_eq, C_LE)
CMP(k_greater_eq, C_GE)

static int k_where(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *c = rt_in(s, n, 0), *a = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	int64_t d1[ART_MAX_DIMS], dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd1 = rt_broadcast_shape(a, b, d1);
	NEED(nd1 >= 0 && a->dtype == b->dtype,
	     "node '%s' (Where): X and Y do not broadcast or differ in type", n->name);
	struct art_tensor ab = {.ndim = nd1};
	memcpy(ab.dims, d1, sizeof(d1));
	int nd = rt_broadcast_shape(c, &ab, dims);
	NEED(nd >= 0, "node '%s' (Where): condition does not broadcast", n->name);
	size_t es = art_dtype_size(a->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, nd, dims, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor ot = {.ndim = nd};
	memcpy(ot.dims, dims, sizeof(dims));
	int64_t cnt = art_tensor_elems(&ot);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, dims, nd)) {
		const struct art_tensor *src =
			((const uint8_t *)c->data)[rt_bcast_offset(c, idx, nd)] ? a : b;
		memcpy(o + i * es, (const uint8_t *)src->data + rt_bcast_offset(src, idx, nd) * es,
		       es);
	}
	return 0;
}

/* Variadic Sum/Max/Min/Mean: fold the inputs pairwise with broadcasting. */
static int variadic(struct art_session *s, const struct rt_node *n, enum binop op, int mean)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	int64_t dims[ART_MAX_DIMS];
	struct art_tensor shape = *rt_in(s, n, 0);
	for (int k = 1; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		NEED(t, "node '%s' (%s): input %d missing", n->name, n->proto->op_type, k);
		int nd = rt_broadcast_shape(&shape, t, dims);
		NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name,
		     n->proto->op_type);
		shape.ndim = nd;
		memcpy(shape.dims, dims, sizeof(dims));
	}
	if (!art_dtype_size(shape.dtype) || shape.dtype == ART_BOOL)
		return rt_err(s, -ENOTSUP, "node '%s' (%s): element type %s not supported", n->name,
			      n->proto->op_type, rt_dtype_name(shape.dtype));
	void *o;
	rc = rt_alloc_out(s, n, 0, shape.dtype, shape.ndim, shape.dims, &o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(&shape);
	for (int64_t i = 0; i < cnt; i++) {
		int64_t idx[ART_MAX_DIMS], r = i;
		for (int d = shape.ndim - 1; d >= 0; d--) {
			idx[d] = r % shape.dims[d];
			r /= shape.dims[d];
		}
		double acc = 0;
		int64_t iacc = 0;
		for (int k = 0; k < n->nin; k++) {
			const struct art_tensor *t = rt_in(s, n, k);
			int64_t at = rt_bcast_offset(t, idx, shape.ndim);
			if (rt_is_float(shape.dtype)) {
				double v = rt_get_d(t, at);
				acc = k ? apply_f(op, acc, v) : v;
			} else {
				int64_t v = rt_get_i(t, at);
				iacc = k ? apply_int(shape.dtype, op, iacc, v) : v;
			}
		}
		if (rt_is_float(shape.dtype))
			rt_put_d(o, shape.dtype, i, mean ? acc / n->nin : acc);
		else
			rt_put_i(o, shape.dtype, i, mean ? iacc / n->nin : iacc);
	}
	return 0;
}

static int k_sum(struct art_session *s, const struct rt_node *n)
{
	return variadic(s, n, OP_ADD, 0);
}
static int k_mean(struct art_session *s, const struct rt_node *n)
{
	return variadic(s, n, OP_ADD, 1);
}
static int k_max(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_binary(s, n); /* two inputs only */
	return rc != RT_CPU_DECLINED ? rc : variadic(s, n, OP_MAX, 0);
}
static int k_min(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_binary(s, n);
	return rc != RT_CPU_DECLINED ? rc : variadic(s, n, OP_MIN, 0);
}

enum logic { LG_AND, LG_OR, LG_XOR, LG_SHL, LG_SHR };

/* And/Or/Xor on bools and BitShift on unsigned integers, broadcasting. */
static int logic(struct art_session *s, const struct rt_node *n, enum logic op)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = rt_broadcast_shape(a, b, dims);
	NEED(nd >= 0 && a->dtype == b->dtype, "node '%s' (%s): shapes or types differ", n->name,
	     n->proto->op_type);
	if (!strcmp(n->proto->op_type, "BitShift")) {
		NEED(rt_is_unsigned(a->dtype) && a->dtype != ART_BOOL,
		     "node '%s' (BitShift): only unsigned integers", n->name);
		op = rt_attr_is(n, "direction", "LEFT", 0) ? LG_SHL : LG_SHR;
		NEED(op == LG_SHL || rt_attr_is(n, "direction", "RIGHT", 0),
		     "node '%s' (BitShift): direction must be LEFT or RIGHT", n->name);
	} else {
		NEED(a->dtype == ART_BOOL, "node '%s' (%s): inputs must be bool", n->name,
		     n->proto->op_type);
	}
	void *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, nd, dims, &o);
	if (rc)
		return rc;
	int64_t cnt = rt_shape_elems(dims, nd);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, dims, nd)) {
		int64_t x = rt_get_i(a, rt_bcast_offset(a, idx, nd));
		int64_t y = rt_get_i(b, rt_bcast_offset(b, idx, nd));
		int64_t v = op == LG_AND   ? x && y
			    : op == LG_OR  ? x || y
			    : op == LG_XOR ? !x != !y
			    : op == LG_SHL ? (int64_t)((uint64_t)y < 64 ? (uint64_t)x << y : 0)
					   : (int64_t)((uint64_t)y < 64 ? (uint64_t)x >> y : 0);
		rt_put_i(o, a->dtype, i, v);
	}
	return 0;
}

static int k_and(struct art_session *s, const struct rt_node *n)
{
	return logic(s, n, LG_AND);
}

static int k_or(struct art_session *s, const struct rt_node *n)
{
	return logic(s, n, LG_OR);
}

static int k_xor(struct art_session *s, const struct rt_node *n)
{
	return logic(s, n, LG_XOR);
}

static int k_bitshift(struct art_session *s, const struct rt_node *n)
{
	return logic(s, n, LG_SHL);
}

enum pred { PR_NOT, PR_ISNAN, PR_ISINF };

/* Not (bool in), IsNaN and IsInf (float in): bool out. */
static int predicate(struct art_session *s, const struct rt_node *n, enum pred op)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(op == PR_NOT ? x->dtype == ART_BOOL : rt_is_float(x->dtype),
	     "node '%s' (%s): input type %s not supported", n->name, n->proto->op_type,
	     rt_dtype_name(x->dtype));
	int pos = (int)rt_attr_i(n, "detect_positive", 1),
	    neg = (int)rt_attr_i(n, "detect_negative", 1);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, ART_BOOL, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++) {
		double v = rt_get_d(x, i);
		o[i] = op == PR_NOT	? v == 0
		       : op == PR_ISNAN ? isnan(v)
					: isinf(v) && ((v > 0 && pos) || (v < 0 && neg));
	}
	return 0;
}

static int k_not(struct art_session *s, const struct rt_node *n)
{
	return predicate(s, n, PR_NOT);
}

static int k_isnan(struct art_session *s, const struct rt_node *n)
{
	return predicate(s, n, PR_ISNAN);
}

static int k_isinf(struct art_session *s, const struct rt_node *n)
{
	return predicate(s, n, PR_ISINF);
}

/* CastLike: Cast to the element type of input 1. */
static int k_castlike(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int to = rt_in(s, n, 1)->dtype;
	if (to == ART_STRING || x->dtype == ART_STRING)
		return rt_cast_strings(s, n, x, to);
	void *o;
	rc = rt_alloc_out(s, n, 0, to, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		if (!rt_is_float(x->dtype) && !rt_is_float(to))
			rt_put_i(o, to, i, rt_get_i(x, i));
		else
			rt_put_d(o, to, i, rt_get_d(x, i));
	}
	return rc;
}

const struct rt_kernel_entry rt_kernels_elementwise[] = {
	{"Abs", k_abs},
	{"Add", k_add},
	{"Cast", k_cast},
	{"Ceil", k_ceil},
	{"Clip", k_clip},
	{"Cos", k_cos},
	{"Div", k_div},
	{"Elu", k_elu},
	{"Equal", k_equal},
	{"Erf", k_erf},
	{"Exp", k_exp},
	{"Floor", k_floor},
	{"Greater", k_greater},
	{"GreaterOrEqual", k_greater_eq},
	{"HardSigmoid", k_hsig},
	{"HardSwish", k_hswish},
	{"LeakyRelu", k_leaky},
	{"Less", k_less},
	{"LessOrEqual", k_less_eq},
	{"Log", k_log},
	{"Max", k_max},
	{"Mean", k_mean},
	{"Min", k_min},
	{"Mul", k_mul},
	{"Neg", k_neg},
	{"Pow", k_pow},
	{"Reciprocal", k_recip},
	{"Relu", k_relu},
	{"Selu", k_selu},
	{"Sigmoid", k_sigmoid},
	{"Sin", k_sin},
	{"Softplus", k_softplus},
	{"Softsign", k_softsign},
	{"Sqrt", k_sqrt},
	{"Sub", k_sub},
	{"Sum", k_sum},
	{"Tanh", k_tanh},
	{"Where", k_where},
	{"Mod", k_mod},
	{"PRelu", k_prelu},
	{"ThresholdedRelu", k_thresh},
	{"Celu", k_celu},
	{"Mish", k_mish},
	{"Shrink", k_shrink},
	{"Sign", k_sign},
	{"Round", k_round},
	{"Tan", k_tan},
	{"Asin", k_asin},
	{"Acos", k_acos},
	{"Atan", k_atan},
	{"Sinh", k_sinh},
	{"Cosh", k_cosh},
	{"Asinh", k_asinh},
	{"Acosh", k_acosh},
	{"Atanh", k_atanh},
	{"And", k_and},
	{"Or", k_or},
	{"Xor", k_xor},
	{"BitShift", k_bitshift},
	{"Not", k_not},
	{"IsNaN", k_isnan},
	{"IsInf", k_isinf},
	{"CastLike", k_castlike},
	{NULL, NULL},
};
