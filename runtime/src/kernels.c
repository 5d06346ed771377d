// SPDX-License-Identifier: MIT
/* CPU reference kernels. They are the oracle the device is checked
 * against, so they are written plainly: one loop nest per op, float
 * accumulation in double where a sum runs long. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NEED(cond, ...)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return rt_err(s, -EINVAL, __VA_ARGS__);                                    \
	} while (0)

static int need_inputs(struct art_session *s, const struct rt_node *n, int count)
{
	for (int i = 0; i < count; i++)
		if (!rt_in(s, n, i))
			return rt_err(s, -EINVAL, "node '%s' (%s): input %d missing", n->name,
				      n->proto->op_type, i);
	return 0;
}

/* Numpy broadcasting of A and B into OUT; returns the output rank. */
static int broadcast_shape(const struct art_tensor *a, const struct art_tensor *b, int64_t *out)
{
	int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
	for (int i = 0; i < nd; i++) {
		int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
		int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
		if (da != db && da != 1 && db != 1)
			return -1;
		out[i] = da == 1 ? db : da;
	}
	return nd;
}

/* Offset into T of the output element at multi-index IDX (rank ND). */
static int64_t bcast_offset(const struct art_tensor *t, const int64_t *idx, int nd)
{
	int64_t off = 0;
	for (int i = 0; i < t->ndim; i++) {
		int64_t d = t->dims[i];
		off = off * d + (d == 1 ? 0 : idx[i + nd - t->ndim]);
	}
	return off;
}

static void next_index(int64_t *idx, const int64_t *dims, int nd)
{
	for (int i = nd - 1; i >= 0; i--) {
		if (++idx[i] < dims[i])
			return;
		idx[i] = 0;
	}
}

enum binop { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAX, OP_MIN };

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
	default:
		return x < y ? x : y;
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
	default: {
		int64_t r = 1;
		for (int64_t k = 0; k < y; k++)
			r *= x;
		return r;
	}
	}
}

static int binary(struct art_session *s, const struct rt_node *n, enum binop op)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = broadcast_shape(a, b, dims);
	NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name, n->proto->op_type);
	NEED(a->dtype == b->dtype || op == OP_POW, "node '%s' (%s): input types %d and %d differ",
	     n->name, n->proto->op_type, a->dtype, b->dtype);
	void *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, nd, dims, &o);
	if (rc)
		return rc;
	struct art_tensor ot = {.ndim = nd};
	memcpy(ot.dims, dims, sizeof(dims));
	int64_t cnt = art_tensor_elems(&ot);
	for (int64_t i = 0; i < cnt; i++, next_index(idx, dims, nd)) {
		int64_t ia = bcast_offset(a, idx, nd), ib = bcast_offset(b, idx, nd);
		double y = b->dtype == ART_FLOAT    ? ((const float *)b->data)[ib]
			   : b->dtype == ART_DOUBLE ? ((const double *)b->data)[ib]
			   : b->dtype == ART_INT64  ? (double)((const int64_t *)b->data)[ib]
			   : b->dtype == ART_INT32  ? (double)((const int32_t *)b->data)[ib]
						    : NAN;
		switch (a->dtype) {
		case ART_FLOAT:
			((float *)o)[i] = (float)apply_f(op, ((const float *)a->data)[ia], y);
			break;
		case ART_DOUBLE:
			((double *)o)[i] = apply_f(op, ((const double *)a->data)[ia], y);
			break;
		case ART_INT64:
			((int64_t *)o)[i] = apply_i(op, ((const int64_t *)a->data)[ia], (int64_t)y);
			break;
		case ART_INT32:
			((int32_t *)o)[i] =
				(int32_t)apply_i(op, ((const int32_t *)a->data)[ia], (int64_t)y);
			break;
		default:
			return rt_err(s, -ENOTSUP, "node '%s' (%s): element type %d not supported",
				      n->name, n->proto->op_type, a->dtype);
		}
	}
	return 0;
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
static int k_pow(struct art_session *s, const struct rt_node *n)
{
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
	U_CEIL
};

static int unary(struct art_session *s, const struct rt_node *n, enum unop op)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (%s): only float tensors (got type %d)", n->name,
	     n->proto->op_type, x->dtype);
	float *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	const float *in = x->data;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++) {
		float v = in[i];
		switch (op) {
		case U_RELU:
			v = v > 0 ? v : 0;
			break;
		case U_SIGMOID:
			v = 1.0f / (1.0f + expf(-v));
			break;
		case U_TANH:
			v = tanhf(v);
			break;
		case U_EXP:
			v = expf(v);
			break;
		case U_LOG:
			v = logf(v);
			break;
		case U_NEG:
			v = -v;
			break;
		case U_ABS:
			v = fabsf(v);
			break;
		case U_SQRT:
			v = sqrtf(v);
			break;
		case U_RECIP:
			v = 1.0f / v;
			break;
		case U_FLOOR:
			v = floorf(v);
			break;
		case U_CEIL:
			v = ceilf(v);
			break;
		}
		o[i] = v;
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

static int copy_to_out(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		       int ndim, const int64_t *dims)
{
	void *o;
	int rc = rt_alloc_out(s, n, 0, x->dtype, ndim, dims, &o);
	if (rc)
		return rc;
	memcpy(o, x->data, (size_t)art_tensor_elems(x) * art_dtype_size(x->dtype));
	return 0;
}

/* Identity and Dropout at inference are copies (Dropout's mask is all true). */
static int k_identity(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	rc = copy_to_out(s, n, x, x->ndim, x->dims);
	if (rc || n->nout < 2 || n->out[1] < 0)
		return rc;
	uint8_t *m;
	rc = rt_alloc_out(s, n, 1, ART_BOOL, x->ndim, x->dims, (void **)&m);
	if (!rc)
		memset(m, 1, (size_t)art_tensor_elems(x));
	return rc;
}

static int k_reshape(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sh = rt_in(s, n, 1);
	NEED(sh->dtype == ART_INT64 && sh->ndim == 1 && sh->dims[0] <= ART_MAX_DIMS,
	     "node '%s' (Reshape): shape must be a 1-D int64 tensor of at most %d values", n->name,
	     ART_MAX_DIMS);
	int allowzero = (int)rt_attr_i(n, "allowzero", 0);
	int nd = (int)sh->dims[0], infer = -1;
	int64_t dims[ART_MAX_DIMS], known = 1;
	for (int i = 0; i < nd; i++) {
		int64_t d = ((const int64_t *)sh->data)[i];
		if (d == 0 && !allowzero) {
			NEED(i < x->ndim,
			     "node '%s' (Reshape): 0 at dim %d copies a dim the input lacks",
			     n->name, i);
			d = x->dims[i];
		}
		if (d == -1) {
			NEED(infer < 0, "node '%s' (Reshape): more than one -1", n->name);
			infer = i;
			d = 1;
		}
		NEED(d >= 0, "node '%s' (Reshape): negative dim %lld", n->name, (long long)d);
		dims[i] = d;
		known *= d;
	}
	int64_t total = art_tensor_elems(x);
	if (infer >= 0) {
		NEED(known && total % known == 0, "node '%s' (Reshape): cannot infer -1", n->name);
		dims[infer] = total / known;
		known = total;
	}
	NEED(known == total, "node '%s' (Reshape): %lld elements cannot become %lld", n->name,
	     (long long)total, (long long)known);
	return copy_to_out(s, n, x, nd, dims);
}

static int k_matmul(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	struct art_tensor a = *rt_in(s, n, 0), b = *rt_in(s, n, 1);
	NEED(a.dtype == ART_FLOAT && b.dtype == ART_FLOAT, "node '%s' (MatMul): only float",
	     n->name);
	int a1 = a.ndim == 1, b1 = b.ndim == 1;
	NEED(a.ndim >= 1 && b.ndim >= 1, "node '%s' (MatMul): scalar operand", n->name);
	if (a1) { /* [K] -> [1, K] */
		a.dims[1] = a.dims[0];
		a.dims[0] = 1;
		a.ndim = 2;
	}
	if (b1) { /* [K] -> [K, 1] */
		b.dims[1] = 1;
		b.ndim = 2;
	}
	int64_t M = a.dims[a.ndim - 2], K = a.dims[a.ndim - 1], N = b.dims[b.ndim - 1];
	NEED(b.dims[b.ndim - 2] == K, "node '%s' (MatMul): inner dims %lld and %lld differ",
	     n->name, (long long)K, (long long)b.dims[b.ndim - 2]);
	struct art_tensor ab = a, bb = b; /* batch parts */
	ab.ndim -= 2;
	bb.ndim -= 2;
	int64_t bd[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nb = broadcast_shape(&ab, &bb, bd);
	NEED(nb >= 0 && nb + 2 <= ART_MAX_DIMS, "node '%s' (MatMul): batch dims do not broadcast",
	     n->name);
	int64_t od[ART_MAX_DIMS];
	int nd = 0;
	for (int i = 0; i < nb; i++)
		od[nd++] = bd[i];
	if (!a1)
		od[nd++] = M;
	if (!b1)
		od[nd++] = N;
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, nd, od, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor bt = {.ndim = nb};
	memcpy(bt.dims, bd, sizeof(bd));
	int64_t batches = art_tensor_elems(&bt);
	for (int64_t t = 0; t < batches; t++, next_index(idx, bd, nb)) {
		const float *pa = (const float *)a.data + bcast_offset(&ab, idx, nb) * M * K;
		const float *pb = (const float *)b.data + bcast_offset(&bb, idx, nb) * K * N;
		float *po = o + t * M * N;
		for (int64_t i = 0; i < M; i++)
			for (int64_t j = 0; j < N; j++) {
				double acc = 0;
				for (int64_t k = 0; k < K; k++)
					acc += (double)pa[i * K + k] * pb[k * N + j];
				po[i * N + j] = (float)acc;
			}
	}
	return 0;
}

/* Softmax: opset 13 normalises along AXIS only; before 13 the input is seen
 * as 2-D [prod(dims[:axis]), prod(dims[axis:])] and each row is normalised. */
static int k_softmax(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (Softmax): only float", n->name);
	int new_style = s->opset >= 13;
	int64_t axis = rt_attr_i(n, "axis", new_style ? -1 : 1);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis < (x->ndim ? x->ndim : 1), "node '%s' (Softmax): axis out of range",
	     n->name);
	int64_t outer = 1, len = 1, inner = 1;
	for (int i = 0; i < x->ndim; i++) {
		if (i < axis)
			outer *= x->dims[i];
		else if (i == axis || !new_style)
			len *= x->dims[i];
		else
			inner *= x->dims[i];
	}
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	const float *in = x->data;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			const float *p = in + a * len * inner + c;
			float *q = o + a * len * inner + c;
			float mx = -INFINITY;
			for (int64_t k = 0; k < len; k++)
				mx = p[k * inner] > mx ? p[k * inner] : mx;
			double sum = 0;
			for (int64_t k = 0; k < len; k++)
				sum += exp((double)p[k * inner] - mx);
			for (int64_t k = 0; k < len; k++)
				q[k * inner] = (float)(exp((double)p[k * inner] - mx) / sum);
		}
	return 0;
}

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
	A_SIGN
};

static int activation(struct art_session *s, const struct rt_node *n, enum actop op)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (%s): only float tensors (got type %d)", n->name,
	     n->proto->op_type, x->dtype);
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
		case A_SIGN:
			v = (float)((v > 0) - (v < 0));
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

/* Transpose: output dim i is input dim perm[i] (default: reversed). */
static int k_transpose(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const Onnx__AttributeProto *pa = rt_attr(n, "perm");
	int64_t perm[ART_MAX_DIMS], od[ART_MAX_DIMS], stride[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = x->ndim, seen = 0;
	NEED(!pa || (int)pa->n_ints == nd,
	     "node '%s' (Transpose): perm has %zu entries for rank %d", n->name,
	     pa ? pa->n_ints : 0, nd);
	for (int i = 0; i < nd; i++) {
		perm[i] = pa ? pa->ints[i] : nd - 1 - i;
		NEED(perm[i] >= 0 && perm[i] < nd && !(seen & (1 << perm[i])),
		     "node '%s' (Transpose): bad perm", n->name);
		seen |= 1 << perm[i];
		od[i] = x->dims[perm[i]];
	}
	int64_t st = 1;
	for (int i = nd - 1; i >= 0; i--) {
		stride[i] = st;
		st *= x->dims[i];
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++, next_index(idx, od, nd)) {
		int64_t off = 0;
		for (int d = 0; d < nd; d++)
			off += idx[d] * stride[perm[d]];
		memcpy(o + i * es, (const uint8_t *)x->data + off * es, es);
	}
	return 0;
}

/* Axes come from the attribute before opset 13, from input 1 after. */
static int get_axes(struct art_session *s, const struct rt_node *n, int64_t *axes, int *count)
{
	const struct art_tensor *a = rt_in(s, n, 1);
	const Onnx__AttributeProto *at = rt_attr(n, "axes");
	*count = 0;
	if (a) {
		NEED(a->dtype == ART_INT64 && art_tensor_elems(a) <= ART_MAX_DIMS,
		     "node '%s': axes must be int64", n->name);
		*count = (int)art_tensor_elems(a);
		memcpy(axes, a->data, sizeof(int64_t) * (size_t)*count);
	} else if (at) {
		NEED(at->n_ints <= ART_MAX_DIMS, "node '%s': too many axes", n->name);
		*count = (int)at->n_ints;
		memcpy(axes, at->ints, sizeof(int64_t) * (size_t)*count);
	}
	return 0;
}

static int k_unsqueeze(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axes[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int na, nd, is_axis[ART_MAX_DIMS] = {0};
	rc = get_axes(s, n, axes, &na);
	if (rc)
		return rc;
	nd = x->ndim + na;
	NEED(na > 0 && nd <= ART_MAX_DIMS, "node '%s' (Unsqueeze): bad axes", n->name);
	for (int i = 0; i < na; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + nd : axes[i];
		NEED(a >= 0 && a < nd && !is_axis[a],
		     "node '%s' (Unsqueeze): axis %lld out of range or repeated", n->name,
		     (long long)axes[i]);
		is_axis[a] = 1;
	}
	for (int i = 0, j = 0; i < nd; i++)
		od[i] = is_axis[i] ? 1 : x->dims[j++];
	return copy_to_out(s, n, x, nd, od);
}

static int k_squeeze(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axes[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int na, nd = 0, drop[ART_MAX_DIMS] = {0};
	rc = get_axes(s, n, axes, &na);
	if (rc)
		return rc;
	for (int i = 0; i < na; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + x->ndim : axes[i];
		NEED(a >= 0 && a < x->ndim && x->dims[a] == 1,
		     "node '%s' (Squeeze): axis %lld is not a dim of size 1", n->name,
		     (long long)axes[i]);
		drop[a] = 1;
	}
	for (int i = 0; i < x->ndim; i++)
		if (!(na ? drop[i] : x->dims[i] == 1))
			od[nd++] = x->dims[i];
	return copy_to_out(s, n, x, nd, od);
}

static int k_flatten(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axis = rt_attr_i(n, "axis", 1);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis <= x->ndim, "node '%s' (Flatten): axis out of range", n->name);
	int64_t od[2] = {1, 1};
	for (int i = 0; i < x->ndim; i++)
		od[i >= axis] *= x->dims[i];
	return copy_to_out(s, n, x, 2, od);
}

static int k_shape(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t start = rt_attr_i(n, "start", 0), end = rt_attr_i(n, "end", x->ndim);
	if (start < 0)
		start += x->ndim;
	if (end < 0)
		end += x->ndim;
	start = start < 0 ? 0 : start > x->ndim ? x->ndim : start;
	end = end < start ? start : end > x->ndim ? x->ndim : end;
	int64_t len = end - start;
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 1, &len, (void **)&o);
	for (int64_t i = 0; !rc && i < len; i++)
		o[i] = x->dims[start + i];
	return rc;
}

static double get_d(const struct art_tensor *t, int64_t i)
{
	switch (t->dtype) {
	case ART_FLOAT:
		return ((const float *)t->data)[i];
	case ART_DOUBLE:
		return ((const double *)t->data)[i];
	case ART_INT64:
		return (double)((const int64_t *)t->data)[i];
	case ART_INT32:
		return ((const int32_t *)t->data)[i];
	case ART_INT8:
		return ((const int8_t *)t->data)[i];
	default:
		return ((const uint8_t *)t->data)[i];
	}
}

static void put_d(void *o, int dtype, int64_t i, double v)
{
	switch (dtype) {
	case ART_FLOAT:
		((float *)o)[i] = (float)v;
		break;
	case ART_DOUBLE:
		((double *)o)[i] = v;
		break;
	case ART_INT64:
		((int64_t *)o)[i] = (int64_t)v;
		break;
	case ART_INT32:
		((int32_t *)o)[i] = (int32_t)v;
		break;
	case ART_INT8:
		((int8_t *)o)[i] = (int8_t)v;
		break;
	case ART_BOOL:
		((uint8_t *)o)[i] = v != 0;
		break;
	default:
		((uint8_t *)o)[i] = (uint8_t)v;
		break;
	}
}

/* Cast between numeric types (strings are not supported). */
static int k_cast(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int to = (int)rt_attr_i(n, "to", 0);
	if (!art_dtype_size(to))
		return rt_err(s, -ENOTSUP, "node '%s' (Cast): target type %d not supported",
			      n->name, to);
	void *o;
	rc = rt_alloc_out(s, n, 0, to, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		if (x->dtype == ART_INT64 && to == ART_INT64)
			((int64_t *)o)[i] = ((const int64_t *)x->data)[i];
		else
			put_d(o, to, i, get_d(x, i));
	}
	return rc;
}

/* Clip: bounds are attributes before opset 11, optional inputs after. */
static int k_clip(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *lo_t = rt_in(s, n, 1), *hi_t = rt_in(s, n, 2);
	double lo = lo_t ? get_d(lo_t, 0) : rt_attr_f(n, "min", -INFINITY);
	double hi = hi_t ? get_d(hi_t, 0) : rt_attr_f(n, "max", INFINITY);
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		double v = get_d(x, i);
		v = v < lo ? lo : v;
		v = v > hi ? hi : v;
		put_d(o, x->dtype, i, v);
	}
	return rc;
}

enum cmpop { C_EQ, C_LT, C_GT, C_LE, C_GE };

static int compare_op(struct art_session *s, const struct rt_node *n, enum cmpop op)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = broadcast_shape(a, b, dims);
	NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name, n->proto->op_type);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, ART_BOOL, nd, dims, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor ot = {.ndim = nd};
	memcpy(ot.dims, dims, sizeof(dims));
	int64_t cnt = art_tensor_elems(&ot);
	for (int64_t i = 0; i < cnt; i++, next_index(idx, dims, nd)) {
		double x = get_d(a, bcast_offset(a, idx, nd)),
		       y = get_d(b, bcast_offset(b, idx, nd));
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
	int rc = need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *c = rt_in(s, n, 0), *a = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	int64_t d1[ART_MAX_DIMS], dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd1 = broadcast_shape(a, b, d1);
	NEED(nd1 >= 0 && a->dtype == b->dtype,
	     "node '%s' (Where): X and Y do not broadcast or differ in type", n->name);
	struct art_tensor ab = {.ndim = nd1};
	memcpy(ab.dims, d1, sizeof(d1));
	int nd = broadcast_shape(c, &ab, dims);
	NEED(nd >= 0, "node '%s' (Where): condition does not broadcast", n->name);
	size_t es = art_dtype_size(a->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, nd, dims, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor ot = {.ndim = nd};
	memcpy(ot.dims, dims, sizeof(dims));
	int64_t cnt = art_tensor_elems(&ot);
	for (int64_t i = 0; i < cnt; i++, next_index(idx, dims, nd)) {
		const struct art_tensor *src =
			((const uint8_t *)c->data)[bcast_offset(c, idx, nd)] ? a : b;
		memcpy(o + i * es, (const uint8_t *)src->data + bcast_offset(src, idx, nd) * es,
		       es);
	}
	return 0;
}

/* Variadic Sum/Max/Min/Mean: fold the inputs pairwise with broadcasting. */
static int variadic(struct art_session *s, const struct rt_node *n, enum binop op, int mean)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	int64_t dims[ART_MAX_DIMS];
	struct art_tensor shape = *rt_in(s, n, 0);
	for (int k = 1; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		NEED(t, "node '%s' (%s): input %d missing", n->name, n->proto->op_type, k);
		int nd = broadcast_shape(&shape, t, dims);
		NEED(nd >= 0, "node '%s' (%s): shapes do not broadcast", n->name,
		     n->proto->op_type);
		shape.ndim = nd;
		memcpy(shape.dims, dims, sizeof(dims));
	}
	/* Values pass through double, exact for every type but int64. */
	if (shape.dtype == ART_INT64)
		return rt_err(s, -ENOTSUP, "node '%s' (%s): int64 is not supported", n->name,
			      n->proto->op_type);
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
		for (int k = 0; k < n->nin; k++) {
			const struct art_tensor *t = rt_in(s, n, k);
			double v = get_d(t, bcast_offset(t, idx, shape.ndim));
			acc = k ? apply_f(op, acc, v) : v;
		}
		put_d(o, shape.dtype, i, mean ? acc / n->nin : acc);
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
	return variadic(s, n, OP_MAX, 0);
}
static int k_min(struct art_session *s, const struct rt_node *n)
{
	return variadic(s, n, OP_MIN, 0);
}

static int k_concat(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x0 = rt_in(s, n, 0);
	int64_t axis = rt_attr_i(n, "axis", 0);
	if (axis < 0)
		axis += x0->ndim;
	NEED(axis >= 0 && axis < x0->ndim, "node '%s' (Concat): axis out of range", n->name);
	int64_t od[ART_MAX_DIMS];
	memcpy(od, x0->dims, sizeof(od));
	od[axis] = 0;
	for (int k = 0; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		NEED(t && t->ndim == x0->ndim && t->dtype == x0->dtype,
		     "node '%s' (Concat): input %d differs in rank or type", n->name, k);
		for (int d = 0; d < t->ndim; d++)
			NEED(d == axis || t->dims[d] == x0->dims[d],
			     "node '%s' (Concat): input %d dim %d differs", n->name, k, d);
		od[axis] += t->dims[axis];
	}
	size_t es = art_dtype_size(x0->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x0->dtype, x0->ndim, od, (void **)&o);
	if (rc)
		return rc;
	int64_t outer = 1, inner = (int64_t)es;
	for (int d = 0; d < axis; d++)
		outer *= od[d];
	for (int d = (int)axis + 1; d < x0->ndim; d++)
		inner *= od[d];
	int64_t orow = od[axis] * inner, pos = 0;
	for (int k = 0; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		int64_t row = t->dims[axis] * inner;
		for (int64_t a = 0; a < outer; a++)
			memcpy(o + a * orow + pos, (const uint8_t *)t->data + a * row, (size_t)row);
		pos += row;
	}
	return 0;
}

/* Gemm: Y = alpha * A' * B' + beta * C, C broadcast to [M, N]. */
static int k_gemm(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1), *c = rt_in(s, n, 2);
	NEED(a->dtype == ART_FLOAT && b->dtype == ART_FLOAT && a->ndim == 2 && b->ndim == 2,
	     "node '%s' (Gemm): A and B must be 2-D float", n->name);
	int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
	float alpha = rt_attr_f(n, "alpha", 1.0f), beta = rt_attr_f(n, "beta", 1.0f);
	int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
	int64_t N = tb ? b->dims[0] : b->dims[1], KB = tb ? b->dims[1] : b->dims[0];
	NEED(K == KB, "node '%s' (Gemm): inner dims %lld and %lld differ", n->name, (long long)K,
	     (long long)KB);
	int64_t od[2] = {M, N};
	struct art_tensor ot = {.ndim = 2, .dims = {M, N}};
	int64_t bd[ART_MAX_DIMS];
	NEED(!c || (c->dtype == ART_FLOAT && broadcast_shape(c, &ot, bd) == 2 && bd[0] == M &&
		    bd[1] == N),
	     "node '%s' (Gemm): C does not broadcast to [%lld, %lld]", n->name, (long long)M,
	     (long long)N);
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, 2, od, (void **)&o);
	if (rc)
		return rc;
	const float *pa = a->data, *pb = b->data;
	for (int64_t i = 0; i < M; i++)
		for (int64_t j = 0; j < N; j++) {
			double acc = 0;
			for (int64_t k = 0; k < K; k++)
				acc += (double)pa[ta ? k * M + i : i * K + k] *
				       pb[tb ? j * K + k : k * N + j];
			double v = alpha * acc;
			if (c) {
				int64_t idx[2] = {i, j};
				v += beta * ((const float *)c->data)[bcast_offset(c, idx, 2)];
			}
			o[i * N + j] = (float)v;
		}
	return 0;
}

/* Gather along AXIS with int32/int64 indices (negative ones count back). */
static int k_gather(struct art_session *s, const struct rt_node *n)
{
	int rc = need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1);
	int64_t axis = rt_attr_i(n, "axis", 0);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis < x->ndim, "node '%s' (Gather): axis out of range", n->name);
	NEED(ix->dtype == ART_INT64 || ix->dtype == ART_INT32,
	     "node '%s' (Gather): indices must be int32/int64", n->name);
	NEED(x->ndim - 1 + ix->ndim <= ART_MAX_DIMS, "node '%s' (Gather): output rank too large",
	     n->name);
	int64_t od[ART_MAX_DIMS];
	int nd = 0;
	for (int d = 0; d < axis; d++)
		od[nd++] = x->dims[d];
	for (int d = 0; d < ix->ndim; d++)
		od[nd++] = ix->dims[d];
	for (int d = (int)axis + 1; d < x->ndim; d++)
		od[nd++] = x->dims[d];
	int64_t outer = 1, inner = (int64_t)art_dtype_size(x->dtype), len = x->dims[axis];
	for (int d = 0; d < axis; d++)
		outer *= x->dims[d];
	for (int d = (int)axis + 1; d < x->ndim; d++)
		inner *= x->dims[d];
	int64_t ni = art_tensor_elems(ix);
	for (int64_t k = 0; k < ni; k++) {
		int64_t v = (int64_t)get_d(ix, k);
		NEED(v >= -len && v < len,
		     "node '%s' (Gather): index %lld out of range [%lld, %lld)", n->name,
		     (long long)v, (long long)-len, (long long)len);
	}
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t k = 0; k < ni; k++) {
			int64_t v = (int64_t)get_d(ix, k);
			v = v < 0 ? v + len : v;
			memcpy(o + (a * ni + k) * inner,
			       (const uint8_t *)x->data + (a * len + v) * inner, (size_t)inner);
		}
	return 0;
}

static int k_constant(struct art_session *s, const struct rt_node *n)
{
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	NEED(a && a->t, "node '%s' (Constant): only the 'value' tensor attribute is supported",
	     n->name);
	struct art_tensor t;
	void *buf;
	int rc = rt_tensor_from_proto(a->t, ".", &t, &buf, s->err, sizeof(s->err));
	if (rc)
		return rc;
	void *o;
	rc = rt_alloc_out(s, n, 0, t.dtype, t.ndim, t.dims, &o);
	if (!rc)
		memcpy(o, buf, (size_t)art_tensor_elems(&t) * art_dtype_size(t.dtype));
	free(buf);
	return rc;
}

static const struct {
	const char *op;
	rt_kernel_fn fn;
} kernels[] = {
	{"Abs", k_abs},
	{"Add", k_add},
	{"Cast", k_cast},
	{"Ceil", k_ceil},
	{"Clip", k_clip},
	{"Concat", k_concat},
	{"Constant", k_constant},
	{"Cos", k_cos},
	{"Div", k_div},
	{"Dropout", k_identity},
	{"Elu", k_elu},
	{"Equal", k_equal},
	{"Erf", k_erf},
	{"Exp", k_exp},
	{"Flatten", k_flatten},
	{"Floor", k_floor},
	{"Gather", k_gather},
	{"Gemm", k_gemm},
	{"Greater", k_greater},
	{"GreaterOrEqual", k_greater_eq},
	{"HardSigmoid", k_hsig},
	{"HardSwish", k_hswish},
	{"Identity", k_identity},
	{"LeakyRelu", k_leaky},
	{"Less", k_less},
	{"LessOrEqual", k_less_eq},
	{"Log", k_log},
	{"MatMul", k_matmul},
	{"Max", k_max},
	{"Mean", k_mean},
	{"Min", k_min},
	{"Mul", k_mul},
	{"Neg", k_neg},
	{"Pow", k_pow},
	{"Reciprocal", k_recip},
	{"Relu", k_relu},
	{"Reshape", k_reshape},
	{"Selu", k_selu},
	{"Shape", k_shape},
	{"Sigmoid", k_sigmoid},
	{"Sin", k_sin},
	{"Softmax", k_softmax},
	{"Softplus", k_softplus},
	{"Softsign", k_softsign},
	{"Sqrt", k_sqrt},
	{"Squeeze", k_squeeze},
	{"Sub", k_sub},
	{"Sum", k_sum},
	{"Tanh", k_tanh},
	{"Transpose", k_transpose},
	{"Unsqueeze", k_unsqueeze},
	{"Where", k_where},
};

rt_kernel_fn rt_kernel_lookup(const char *op)
{
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (!strcmp(kernels[i].op, op))
			return kernels[i].fn;
	return NULL;
}
