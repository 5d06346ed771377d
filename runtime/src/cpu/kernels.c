// SPDX-License-Identifier: MIT
/* CPU reference kernels: the helpers they share (the op table that maps
 * each ONNX op type to its kernel is cpu/registry.c). The kernels
 * themselves live in kernels_<family>.c. They are the oracle the device is checked against, so
 * they are written plainly: one loop nest per op, float accumulation in
 * double where a sum runs long. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ares/tensor.h"
#include "cpu/kernels.h"

double rt_act_value(int act, double alpha, double beta, double x)
{
	switch (act) {
	case ARES_ACT_RELU:
		return x > 0 ? x : 0;
	case ARES_ACT_LEAKY_RELU:
		return x < 0 ? alpha * x : x;
	case ARES_ACT_CLIP:
		return x < alpha ? alpha : x > beta ? beta : x;
	case ARES_ACT_SIGMOID:
		return 1 / (1 + exp(-x));
	case ARES_ACT_HARD_SIGMOID: {
		double v = alpha * x + beta;
		return v < 0 ? 0 : v > 1 ? 1 : v;
	}
	case ARES_ACT_HARD_SWISH: {
		double v = x / 6 + 0.5;
		return x * (v < 0 ? 0 : v > 1 ? 1 : v);
	}
	case ARES_ACT_TANH:
		return tanh(x);
	case ARES_ACT_GELU:
		return x / 2 * (1 + erf(x / sqrt(2.0)));
	default:
		return x;
	}
}

/* The fused scalar tail of N on V, each step rounded to f32 as the Mul,
 * Add, Max or Min node it replaced rounded its result. */
static float tail_value(const struct rt_node *n, float v)
{
	for (int k = 0; k < n->ntail; k++) {
		float c = n->tail[k].v;
		switch (n->tail[k].op) {
		case RT_TAIL_MUL:
			v = v * c;
			break;
		case RT_TAIL_ADD:
			v = v + c;
			break;
		case RT_TAIL_MAX:
			v = isnan(v) || v > c ? v : c;
			break;
		case RT_TAIL_MIN:
			v = isnan(v) || v < c ? v : c;
			break;
		}
	}
	return v;
}

int rt_apply_act(struct art_session *s, const struct rt_node *n)
{
	if ((n->act == ARES_ACT_NONE && !n->ntail) || n->nout < 1 || n->out[0] < 0)
		return 0;
	NEED(n->act >= 0 && n->act < ARES_ACT_COUNT, "node '%s' (%s): unknown fused activation %d",
	     n->name, n->proto->op_type, n->act);
	struct art_tensor *t = &s->vals[n->out[0]].t;
	NEED(t->dtype == ART_FLOAT || t->dtype == ART_DOUBLE,
	     "node '%s' (%s): fused activation on a non-float output", n->name, n->proto->op_type);
	NEED(!n->ntail || t->dtype == ART_FLOAT,
	     "node '%s' (%s): fused scalar ops on a non-f32 output", n->name, n->proto->op_type);
	void *d = (void *)t->data;
	int64_t cnt = art_tensor_elems(t);
	if (n->act != ARES_ACT_NONE)
		for (int64_t i = 0; i < cnt; i++)
			rt_put_d(d, t->dtype, i,
				 rt_act_value(n->act, n->act_alpha, n->act_beta, rt_get_d(t, i)));
	for (int64_t i = 0; n->ntail && i < cnt; i++)
		((float *)d)[i] = tail_value(n, ((float *)d)[i]);
	return 0;
}

int rt_need_inputs(struct art_session *s, const struct rt_node *n, int count)
{
	for (int i = 0; i < count; i++)
		if (!rt_in(s, n, i))
			return rt_err(s, -EINVAL, "node '%s' (%s): input %d missing", n->name,
				      n->proto->op_type, i);
	return 0;
}

/* Numpy broadcasting of A and B into OUT; returns the output rank. */
int rt_broadcast_shape(const struct art_tensor *a, const struct art_tensor *b, int64_t *out)
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
int rt_copy_out(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		int ndim, const int64_t *dims)
{
	void *o;
	int rc = rt_alloc_out(s, n, 0, x->dtype, ndim, dims, &o);
	if (rc)
		return rc;
	if (x->dtype == ART_STRING) { /* the text too, not pointers into X */
		struct rt_value *v = &s->vals[n->out[0]];
		struct art_tensor c;
		rc = rt_tensor_dup_err(s, n->name, x, &c);
		if (rc)
			return rc;
		free(v->buf);
		v->buf = (void *)c.data;
		v->t.data = c.data;
		return 0;
	}
	if (art_tensor_elems(x))
		memcpy(o, x->data, (size_t)art_tensor_elems(x) * art_dtype_size(x->dtype));
	return 0;
}

int rt_scalar(struct art_session *s, const struct rt_node *n, const struct art_tensor *t,
	      const char *what, double *v)
{
	NEED(art_tensor_elems(t) == 1, "node '%s' (%s): %s must hold one value, not %lld", n->name,
	     n->proto->op_type, what, (long long)art_tensor_elems(t));
	*v = rt_get_d(t, 0);
	return 0;
}

/* Axes come from the attribute before opset 13, from input 1 after. */
int rt_get_axes(struct art_session *s, const struct rt_node *n, int64_t *axes, int *count)
{
	const struct art_tensor *a = rt_in(s, n, 1);
	const Onnx__AttributeProto *at = rt_attr(n, "axes");
	*count = 0;
	if (a) {
		NEED(a->dtype == ART_INT64 && art_tensor_elems(a) <= ART_MAX_DIMS,
		     "node '%s': axes must be int64", n->name);
		*count = (int)art_tensor_elems(a);
		if (*count) /* an empty axes tensor may have no data */
			memcpy(axes, a->data, sizeof(int64_t) * (size_t)*count);
	} else if (at) {
		NEED(at->n_ints <= ART_MAX_DIMS, "node '%s': too many axes", n->name);
		*count = (int)at->n_ints;
		if (*count)
			memcpy(axes, at->ints, sizeof(int64_t) * (size_t)*count);
	}
	return 0;
}
