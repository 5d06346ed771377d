// SPDX-License-Identifier: MIT
/*
 * Shape and type inference: fills rt_value.info for every value before any
 * run, from the graph inputs' declarations (or the tensors set, once the
 * first run binds the dynamic dims), the constants and a rule per op. A
 * dim of -1 is dynamic, a rank of -1 unknown, a dtype of 0 unknown; what
 * no rule knows falls back to the model's own value_info, if it has one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"
#include "graph/ir.h"
#include "graph/passes.h"

#define MAXL 64

static struct art_tensor unknown(int dtype)
{
	struct art_tensor t = {.dtype = dtype, .ndim = -1};
	return t;
}

static const struct art_tensor *info(const struct art_session *s, const struct rt_node *n, int i)
{
	static const struct art_tensor none = {.ndim = -1};
	return i < n->nin && n->in[i] >= 0 ? &s->vals[n->in[i]].info : &none;
}

static void from_decl(const Onnx__ValueInfoProto *vi, struct art_tensor *t)
{
	*t = unknown(0);
	if (!vi || !vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return;
	const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
	t->dtype = tt->elem_type;
	if (!tt->shape || tt->shape->n_dim > ART_MAX_DIMS)
		return;
	t->ndim = (int)tt->shape->n_dim;
	for (int i = 0; i < t->ndim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
		t->dims[i] = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
				     ? d->dim_value
				     : -1;
	}
}

/* Output J of N gets T, completed from the declaration where T is unsure. */
static void set_out(struct art_session *s, const struct rt_node *n, int j, struct art_tensor t)
{
	if (j >= n->nout || n->out[j] < 0)
		return;
	struct rt_value *v = &s->vals[n->out[j]];
	if (v->is_const && v->t.data)
		return;
	if (!t.dtype || t.ndim < 0) {
		struct art_tensor d;
		from_decl(rt_declared(s, v->name), &d);
		if (!t.dtype)
			t.dtype = d.dtype;
		if (t.ndim < 0 && d.ndim >= 0) {
			t.ndim = d.ndim;
			memcpy(t.dims, d.dims, sizeof(t.dims));
		}
	}
	t.data = NULL;
	v->info = t;
}

/* V has data now: a constant, or (while binding input shapes) shape
 * arithmetic evaluated from the bound shapes. */
static int has_data(const struct art_session *s, int v)
{
	return g_const(s, v) || (v >= 0 && s->known && s->known[v] && s->vals[v].t.data);
}

/* Integer list from constant input I; -1 when it is not a known constant. */
static int const_ints(const struct art_session *s, const struct rt_node *n, int i, int64_t *out,
		      int max)
{
	if (i >= n->nin || !has_data(s, n->in[i]))
		return -1;
	return rt_tensor_ints(&s->vals[n->in[i]].t, out, max);
}

static int const_floats(const struct art_session *s, const struct rt_node *n, int i, double *out,
			int max)
{
	if (i >= n->nin || !has_data(s, n->in[i]))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[i]].t;
	int64_t c = art_tensor_elems(t);
	if (c > max || (t->dtype != ART_FLOAT && t->dtype != ART_DOUBLE))
		return -1;
	for (int64_t k = 0; k < c; k++)
		out[k] = t->dtype == ART_FLOAT ? ((const float *)t->data)[k]
					       : ((const double *)t->data)[k];
	return (int)c;
}

/* -1 for an axis outside [-r, r]: callers check the range they allow. */
static int norm_axis(int64_t a, int r)
{
	if (a < -(int64_t)r || a > r)
		return -1;
	return (int)(a < 0 ? a + r : a);
}

static struct art_tensor broadcast(const struct art_session *s, const struct rt_node *n, int first,
				   int dtype)
{
	struct art_tensor o = {.dtype = dtype, .ndim = 0};
	for (int i = first; i < n->nin; i++) {
		const struct art_tensor *t = info(s, n, i);
		if (n->in[i] < 0)
			continue;
		if (t->ndim < 0)
			return unknown(dtype);
		int nd = o.ndim > t->ndim ? o.ndim : t->ndim;
		struct art_tensor r = {.dtype = dtype, .ndim = nd};
		for (int k = 0; k < nd; k++) {
			int io = k - (nd - o.ndim), it = k - (nd - t->ndim);
			r.dims[k] =
				rt_bcast_dim(io >= 0 ? o.dims[io] : 1, it >= 0 ? t->dims[it] : 1);
		}
		o = r;
	}
	return o;
}

static int64_t conv_out(int64_t in, int64_t k, int64_t st, int64_t dil, int64_t pb, int64_t pe,
			const char *pad, int ceil_mode)
{
	/* Attributes the kernel will refuse leave the size unknown here. */
	const int64_t big = (int64_t)1 << 30;
	if (in < 0 || k < 0 || st <= 0 || dil <= 0 || in > big || k > big || st > big ||
	    dil > big || pb < 0 || pe < 0 || pb > big || pe > big)
		return -1;
	int64_t ek = (k - 1) * dil + 1;
	if (!strcmp(pad, "SAME_UPPER") || !strcmp(pad, "SAME_LOWER"))
		return (in + st - 1) / st;
	if (!strcmp(pad, "VALID"))
		return (in - ek) / st + 1;
	int64_t span = in + pb + pe - ek;
	return (ceil_mode ? (span + st - 1) / st : span / st) + 1;
}

static void attr_str(const struct rt_node *n, const char *name, const char *def, char *buf,
		     size_t len)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a || !a->has_s) {
		snprintf(buf, len, "%s", def);
		return;
	}
	size_t l = a->s.len < len - 1 ? a->s.len : len - 1;
	memcpy(buf, a->s.data, l);
	buf[l] = 0;
}

/* Conv, ConvTranspose and the pools: [N, C, spatial...]. */
static struct art_tensor spatial(const struct art_session *s, const struct rt_node *n, int kind)
{
	const struct art_tensor *x = info(s, n, 0), *w = info(s, n, 1);
	struct art_tensor o = unknown(x->dtype);
	if (x->ndim < 3)
		return o;
	int nsp = x->ndim - 2;
	int64_t k[MAXL], st[MAXL], dil[MAXL], pads[2 * MAXL], opad[MAXL], oshape[MAXL];
	char pad[32];
	attr_str(n, "auto_pad", "NOTSET", pad, sizeof(pad));
	if (kind != 'g' && rt_attr_ints_capped(n, "kernel_shape", k, MAXL) != nsp) {
		if (kind == 'p' || w->ndim != x->ndim)
			return o;
		for (int i = 0; i < nsp; i++)
			k[i] = w->dims[2 + i];
	}
	for (int i = 0; i < nsp; i++)
		st[i] = dil[i] = 1, pads[i] = pads[nsp + i] = 0, opad[i] = 0;
	rt_attr_ints_capped(n, "strides", st, nsp);
	rt_attr_ints_capped(n, "dilations", dil, nsp);
	rt_attr_ints_capped(n, "pads", pads, 2 * nsp);
	rt_attr_ints_capped(n, "output_padding", opad, nsp);
	o.ndim = x->ndim;
	o.dims[0] = x->dims[0];
	if (kind == 'c')
		o.dims[1] = w->ndim >= 1 ? w->dims[0] : -1;
	else if (kind == 't')
		o.dims[1] = w->ndim >= 2 && w->dims[1] >= 0 ? w->dims[1] * rt_attr_i(n, "group", 1)
							    : -1;
	else
		o.dims[1] = x->dims[1];
	int has_oshape = kind == 't' && rt_attr_ints_capped(n, "output_shape", oshape, MAXL) >= nsp;
	for (int i = 0; i < nsp; i++) {
		int64_t in = x->dims[2 + i];
		if (kind == 'g') {
			o.dims[2 + i] = 1;
		} else if (kind == 't') {
			int64_t ek = (k[i] - 1) * dil[i] + 1;
			if (has_oshape)
				o.dims[2 + i] = oshape[(int)rt_attr_ints_capped(n, "output_shape",
										oshape, MAXL) -
						       nsp + i];
			else if (in < 0 || k[i] < 0)
				o.dims[2 + i] = -1;
			else if (!strcmp(pad, "SAME_UPPER") || !strcmp(pad, "SAME_LOWER"))
				o.dims[2 + i] = in * st[i];
			else
				o.dims[2 + i] =
					st[i] * (in - 1) + opad[i] + ek - pads[i] - pads[nsp + i];
		} else {
			o.dims[2 + i] = conv_out(in, k[i], st[i], dil[i], pads[i], pads[nsp + i],
						 pad, (int)rt_attr_i(n, "ceil_mode", 0));
		}
	}
	return o;
}

static struct art_tensor matmul(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *a = info(s, n, 0), *b = info(s, n, 1);
	struct art_tensor o = unknown(a->dtype);
	if (a->ndim < 1 || b->ndim < 1 ||
	    rt_matmul_dims(a->dims, a->ndim, b->dims, b->ndim, o.dims, &o.ndim) == -3)
		return unknown(a->dtype);
	return o;
}

static struct art_tensor reshape(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(x->dtype);
	int64_t sh[ART_MAX_DIMS];
	int c = const_ints(s, n, 1, sh, ART_MAX_DIMS);
	if (c < 0 && s->opset < 5)
		c = rt_attr_ints_capped(n, "shape", sh, ART_MAX_DIMS);
	if (c < 0)
		return o;
	int allowzero = (int)rt_attr_i(n, "allowzero", 0), neg = -1;
	int64_t known = 1, total = g_static(x) ? art_tensor_elems(x) : -1;
	o.ndim = c;
	for (int i = 0; i < c; i++) {
		o.dims[i] = sh[i];
		if (sh[i] == 0 && !allowzero)
			o.dims[i] = i < x->ndim ? x->dims[i] : -1;
		if (sh[i] == -1)
			neg = i;
		else if (o.dims[i] >= 0 && !(o.dims[i] && known > INT64_MAX / o.dims[i]))
			known *= o.dims[i];
		else
			total = -1;
	}
	if (neg >= 0)
		o.dims[neg] = total >= 0 && known > 0 ? total / known : -1;
	return o;
}

static struct art_tensor transpose(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = *x;
	if (x->ndim < 0)
		return o;
	int64_t perm[ART_MAX_DIMS];
	if (rt_attr_ints_capped(n, "perm", perm, ART_MAX_DIMS) != x->ndim)
		for (int i = 0; i < x->ndim; i++)
			perm[i] = x->ndim - 1 - i;
	for (int i = 0; i < x->ndim; i++)
		o.dims[i] = perm[i] >= 0 && perm[i] < x->ndim ? x->dims[perm[i]] : -1;
	return o;
}

static struct art_tensor concat(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = *x;
	if (x->ndim < 0)
		return unknown(x->dtype);
	int a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	if (a < 0 || a >= x->ndim)
		return unknown(x->dtype);
	for (int i = 1; i < n->nin; i++) {
		const struct art_tensor *t = info(s, n, i);
		if (t->ndim != x->ndim)
			return unknown(x->dtype);
		o.dims[a] = o.dims[a] >= 0 && t->dims[a] >= 0 ? o.dims[a] + t->dims[a] : -1;
		for (int k = 0; k < x->ndim; k++)
			if (k != a && o.dims[k] < 0)
				o.dims[k] = t->dims[k];
	}
	return o;
}

static struct art_tensor slice(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = *x;
	if (x->ndim < 0)
		return o;
	int64_t st[ART_MAX_DIMS], en[ART_MAX_DIMS], ax[ART_MAX_DIMS], sp[ART_MAX_DIMS];
	int c, ca, cs;
	if (s->opset < 10) {
		c = rt_attr_ints_capped(n, "starts", st, ART_MAX_DIMS);
		if (rt_attr_ints_capped(n, "ends", en, ART_MAX_DIMS) != c)
			return unknown(x->dtype);
		ca = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
		cs = -1;
	} else {
		c = const_ints(s, n, 1, st, ART_MAX_DIMS);
		if (const_ints(s, n, 2, en, ART_MAX_DIMS) != c)
			return unknown(x->dtype);
		ca = n->nin > 3 && n->in[3] >= 0 ? const_ints(s, n, 3, ax, ART_MAX_DIMS) : -2;
		cs = n->nin > 4 && n->in[4] >= 0 ? const_ints(s, n, 4, sp, ART_MAX_DIMS) : -2;
		if (ca == -1 || cs == -1)
			return unknown(x->dtype);
	}
	if (c < 0)
		return unknown(x->dtype);
	for (int i = 0; i < c; i++) {
		int a = ca >= 0 ? norm_axis(ax[i], x->ndim) : i;
		int64_t step = cs >= 0 ? sp[i] : 1, d = x->dims[a >= 0 && a < x->ndim ? a : 0];
		if (a < 0 || a >= x->ndim || step == 0)
			return unknown(x->dtype);
		if (d < 0) {
			o.dims[a] = -1;
			continue;
		}
		int64_t b = st[i] < 0 ? st[i] + d : st[i], e = en[i] < 0 ? en[i] + d : en[i];
		if (step > 0) {
			b = b < 0 ? 0 : b > d ? d : b;
			e = e < 0 ? 0 : e > d ? d : e;
			o.dims[a] = e > b ? (e - b + step - 1) / step : 0;
		} else {
			b = b < 0 ? -1 : b > d - 1 ? d - 1 : b;
			e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
			o.dims[a] = b > e ? (b - e - step - 1) / -step : 0;
		}
	}
	return o;
}

static struct art_tensor squeeze(const struct art_session *s, const struct rt_node *n, int unsq)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(x->dtype);
	int64_t ax[ART_MAX_DIMS];
	int c = s->opset < 13		      ? rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS)
		: n->nin > 1 && n->in[1] >= 0 ? const_ints(s, n, 1, ax, ART_MAX_DIMS)
					      : -2;
	if (x->ndim < 0 || c == -1 || (unsq && c < 0))
		return o;
	int mark[ART_MAX_DIMS * 2] = {0};
	if (unsq) {
		int r = x->ndim + c;
		if (r > ART_MAX_DIMS)
			return o;
		for (int i = 0; i < c; i++) {
			int a = norm_axis(ax[i], r);
			if (a < 0 || a >= r)
				return o;
			mark[a] = 1;
		}
		o.ndim = r;
		for (int i = 0, k = 0; i < r; i++)
			o.dims[i] = mark[i] ? 1 : x->dims[k++];
		return o;
	}
	if (c < 0) {
		for (int i = 0; i < x->ndim; i++) {
			if (x->dims[i] < 0)
				return o;
			mark[i] = x->dims[i] == 1;
		}
	} else {
		for (int i = 0; i < c; i++) {
			int a = norm_axis(ax[i], x->ndim);
			if (a < 0 || a >= x->ndim)
				return o;
			mark[a] = 1;
		}
	}
	o.ndim = 0;
	for (int i = 0; i < x->ndim; i++)
		if (!mark[i])
			o.dims[o.ndim++] = x->dims[i];
	return o;
}

static int64_t mul_dims(const int64_t *d, int from, int to)
{
	int64_t p = 1;
	for (int i = from; i < to; i++) {
		if (d[i] < 0 || (d[i] && p > INT64_MAX / d[i]))
			return -1;
		p *= d[i];
	}
	return p;
}

static struct art_tensor resize(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(x->dtype);
	if (x->ndim < 0)
		return o;
	int64_t sz[ART_MAX_DIMS];
	double sc[ART_MAX_DIMS];
	int upsample = g_op(n, "Upsample");
	if (!upsample && s->opset >= 11 && const_ints(s, n, 3, sz, ART_MAX_DIMS) == x->ndim) {
		o.ndim = x->ndim;
		memcpy(o.dims, sz, sizeof(int64_t) * (size_t)x->ndim);
		return o;
	}
	int si = upsample || s->opset < 11 ? 1 : 2, c = -1;
	if (upsample && s->opset < 9) {
		const Onnx__AttributeProto *a = rt_attr(n, "scales");
		if (a && (int)a->n_floats == x->ndim)
			for (c = 0; c < x->ndim; c++)
				sc[c] = a->floats[c];
	} else {
		c = const_floats(s, n, si, sc, ART_MAX_DIMS);
	}
	if (c != x->ndim)
		return o;
	o.ndim = x->ndim;
	for (int i = 0; i < x->ndim; i++)
		o.dims[i] = x->dims[i] < 0 ? -1 : (int64_t)floor((double)x->dims[i] * sc[i]);
	return o;
}

static struct art_tensor reduce(const struct art_session *s, const struct rt_node *n, int dtype)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(dtype);
	if (x->ndim < 0)
		return o;
	int64_t ax[ART_MAX_DIMS];
	int keep = (int)rt_attr_i(n, "keepdims", 1), c;
	int arg = g_op(n, "ArgMax") || g_op(n, "ArgMin");
	if (arg) {
		ax[0] = rt_attr_i(n, "axis", 0);
		c = 1;
	} else {
		c = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
		if (c < 0 && n->nin > 1 && n->in[1] >= 0) {
			c = const_ints(s, n, 1, ax, ART_MAX_DIMS);
			if (c < 0)
				return o;
		}
	}
	int mark[ART_MAX_DIMS] = {0};
	if (c <= 0) {
		if (c == 0 && rt_attr_i(n, "noop_with_empty_axes", 0))
			return *x;
		for (int i = 0; i < x->ndim; i++)
			mark[i] = 1;
	}
	for (int i = 0; i < c; i++) {
		int a = norm_axis(ax[i], x->ndim);
		if (a < 0 || a >= x->ndim)
			return o;
		mark[a] = 1;
	}
	o.ndim = 0;
	for (int i = 0; i < x->ndim; i++)
		if (!mark[i])
			o.dims[o.ndim++] = x->dims[i];
		else if (keep)
			o.dims[o.ndim++] = 1;
	return o;
}

static struct art_tensor gather(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0), *ix = info(s, n, 1);
	struct art_tensor o = unknown(x->dtype);
	if (x->ndim < 1 || ix->ndim < 0 || x->ndim + ix->ndim - 1 > ART_MAX_DIMS)
		return o;
	int a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	if (a < 0 || a >= x->ndim)
		return o;
	o.ndim = 0;
	for (int i = 0; i < a; i++)
		o.dims[o.ndim++] = x->dims[i];
	for (int i = 0; i < ix->ndim; i++)
		o.dims[o.ndim++] = ix->dims[i];
	for (int i = a + 1; i < x->ndim; i++)
		o.dims[o.ndim++] = x->dims[i];
	return o;
}

static struct art_tensor pad(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = *x;
	if (x->ndim < 0)
		return o;
	int64_t p[2 * ART_MAX_DIMS], ax[ART_MAX_DIMS];
	int c = s->opset < 11 ? rt_attr_ints_capped(n, "pads", p, 2 * ART_MAX_DIMS)
			      : const_ints(s, n, 1, p, 2 * ART_MAX_DIMS);
	int ca = n->nin > 3 && n->in[3] >= 0 ? const_ints(s, n, 3, ax, ART_MAX_DIMS) : -2;
	if (c < 0 || ca == -1)
		return unknown(x->dtype);
	int na = ca >= 0 ? ca : x->ndim;
	if (c != 2 * na)
		return unknown(x->dtype);
	for (int i = 0; i < na; i++) {
		int a = ca >= 0 ? norm_axis(ax[i], x->ndim) : i;
		if (a < 0 || a >= x->ndim)
			return unknown(x->dtype);
		o.dims[a] = x->dims[a] < 0 ? -1 : x->dims[a] + p[i] + p[na + i];
	}
	return o;
}

static void lstm(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	char dir[32];
	attr_str(n, "direction", "forward", dir, sizeof(dir));
	int64_t nd = strcmp(dir, "bidirectional") ? 1 : 2, h = rt_attr_i(n, "hidden_size", -1);
	int layout = (int)rt_attr_i(n, "layout", 0);
	int64_t seq = x->ndim == 3 ? x->dims[layout ? 1 : 0] : -1;
	int64_t batch = x->ndim == 3 ? x->dims[layout ? 0 : 1] : -1;
	struct art_tensor y = {.dtype = x->dtype, .ndim = 4}, yh = {.dtype = x->dtype, .ndim = 3};
	int64_t yd[4] = {seq, nd, batch, h}, yld[4] = {batch, seq, nd, h};
	int64_t hd[3] = {nd, batch, h}, hld[3] = {batch, nd, h};
	memcpy(y.dims, layout ? yld : yd, sizeof(yd));
	memcpy(yh.dims, layout ? hld : hd, sizeof(hd));
	set_out(s, n, 0, y);
	set_out(s, n, 1, yh);
	set_out(s, n, 2, yh);
}

static struct art_tensor split_part(const struct art_session *s, const struct rt_node *n, int j)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = *x;
	if (x->ndim < 0)
		return o;
	int a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	if (a < 0 || a >= x->ndim)
		return unknown(x->dtype);
	int64_t sp[MAXL];
	int c = rt_attr_ints_capped(n, "split", sp, MAXL);
	if (c < 0 && n->nin > 1 && n->in[1] >= 0)
		c = const_ints(s, n, 1, sp, MAXL);
	if (c == n->nout)
		o.dims[a] = sp[j];
	else if (x->dims[a] >= 0 && x->dims[a] % n->nout == 0)
		o.dims[a] = x->dims[a] / n->nout;
	else
		o.dims[a] = -1;
	return o;
}

/* NonMaxSuppression and Unique size their outputs by the data: only the
 * types and ranks are known; Einsum's shape is left to the kernel;
 * GridSample and RoiAlign sample a grid the inputs and attributes give. */
static struct art_tensor detect_sample(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0), *g = info(s, n, 1);
	struct art_tensor o = unknown(x->dtype);
	if (g_op(n, "NonMaxSuppression")) {
		o.dtype = ART_INT64;
		o.ndim = 2;
		o.dims[0] = -1;
		o.dims[1] = 3;
	} else if (g_op(n, "Unique")) {
		o.ndim = rt_attr(n, "axis") ? x->ndim : 1;
		for (int k = 0; k < o.ndim; k++)
			o.dims[k] = rt_attr(n, "axis") ? x->dims[k] : -1;
		int a = rt_attr(n, "axis") ? norm_axis(rt_attr_i(n, "axis", 0), x->ndim) : 0;
		if (o.ndim > 0 && a >= 0 && a < o.ndim)
			o.dims[a] = -1;
		struct art_tensor ix = {.dtype = ART_INT64, .ndim = 1, .dims = {-1}};
		for (int j = 1; j < n->nout; j++)
			set_out(s, n, j, ix);
	} else if (g_op(n, "RoiAlign") && x->ndim == 4 && g->ndim == 2) {
		o.ndim = 4;
		o.dims[0] = g->dims[0];
		o.dims[1] = x->dims[1];
		o.dims[2] = rt_attr_i(n, "output_height", 1);
		o.dims[3] = rt_attr_i(n, "output_width", 1);
	} else if (g_op(n, "GridSample") && x->ndim == 4 && g->ndim == 4) {
		o.ndim = 4;
		o.dims[0] = x->dims[0];
		o.dims[1] = x->dims[1];
		o.dims[2] = g->dims[1];
		o.dims[3] = g->dims[2];
	}
	return o;
}

static const char *const same_shape_ops[] = {
	"Abs",
	"Ceil",
	"Floor",
	"Neg",
	"Relu",
	"Sigmoid",
	"Tanh",
	"Exp",
	"Log",
	"Sqrt",
	"Reciprocal",
	"Sin",
	"Cos",
	"Erf",
	"Elu",
	"Selu",
	"LeakyRelu",
	"HardSigmoid",
	"HardSwish",
	"Softplus",
	"Softsign",
	"Clip",
	"Identity",
	"Dropout",
	"Sign",
	"Round",
	"Softmax",
	"LogSoftmax",
	"Hardmax",
	"BatchNormalization",
	"InstanceNormalization",
	"LayerNormalization",
	"LRN",
	"Gelu",
	"Mish",
	"Celu",
	"ThresholdedRelu",
	"Shrink",
	"CumSum",
	"PRelu",
	"Tan",
	"Asin",
	"Acos",
	"Atan",
	"Sinh",
	"Cosh",
	"Asinh",
	"Acosh",
	"Atanh",
	"Not",
	"BitwiseNot",
};
static const char *const bcast_ops[] = {
	"Add",	 "Sub",	 "Mul",	    "Div",	   "Pow",	    "Max", "Min",
	"Sum",	 "Mean", "Mod",	    "BitShift",	   "And",	    "Or",  "Xor",
	"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"};
static const char *const reduce_ops[] = {"ReduceMean",	    "ReduceMax",    "ReduceMin",
					 "ReduceSum",	    "ReduceProd",   "ReduceL1",
					 "ReduceL2",	    "ReduceLogSum", "ReduceLogSumExp",
					 "ReduceSumSquare", "ArgMax",	    "ArgMin"};

static int in_list(const char *op, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(op, l[i]))
			return 1;
	return 0;
}

#define IN_LIST(op, l) in_list(op, l, sizeof(l) / sizeof(l[0]))

static int bool_result(const char *op)
{
	static const char *const l[] = {"And",	 "Or",	  "Xor",	   "Not",
					"Equal", "Less",  "Greater",	   "LessOrEqual",
					"IsNaN", "IsInf", "GreaterOrEqual"};
	return IN_LIST(op, l);
}

static struct art_tensor flatten(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(x->dtype);
	if (x->ndim >= 0) {
		int a = norm_axis(rt_attr_i(n, "axis", 1), x->ndim);
		/* Flatten's axis may equal the rank; beyond it the kernel refuses. */
		if (a >= 0 && a <= x->ndim) {
			o.ndim = 2;
			o.dims[0] = mul_dims(x->dims, 0, a);
			o.dims[1] = mul_dims(x->dims, a, x->ndim);
		}
	}
	return o;
}

static struct art_tensor shape_of(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(ART_INT64);
	if (x->ndim >= 0) {
		int64_t b = rt_attr_i(n, "start", 0), e = rt_attr_i(n, "end", x->ndim);
		b = b < 0 ? b + x->ndim : b;
		e = e < 0 ? e + x->ndim : e;
		b = b < 0 ? 0 : b > x->ndim ? x->ndim : b;
		e = e < 0 ? 0 : e > x->ndim ? x->ndim : e;
		o.ndim = 1;
		o.dims[0] = e > b ? e - b : 0;
	}
	return o;
}

static struct art_tensor expand(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(x->dtype);
	int64_t sh[ART_MAX_DIMS];
	int c = const_ints(s, n, 1, sh, ART_MAX_DIMS);
	if (c >= 0 && x->ndim >= 0) {
		int nd = c > x->ndim ? c : x->ndim;
		o.ndim = nd;
		for (int k = 0; k < nd; k++) {
			int ix = k - (nd - x->ndim), it = k - (nd - c);
			o.dims[k] = rt_bcast_dim(ix >= 0 ? x->dims[ix] : 1, it >= 0 ? sh[it] : 1);
		}
	}
	return o;
}

/* Constants are folded; unfolded (--no-opt) they keep what the attribute
 * says. */
static struct art_tensor constant(const struct rt_node *n)
{
	struct art_tensor o = unknown(0);
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	if (a && a->t) {
		o.dtype = a->t->data_type;
		o.ndim = (int)a->t->n_dims;
		for (int k = 0; k < o.ndim && k < ART_MAX_DIMS; k++)
			o.dims[k] = a->t->dims[k];
	}
	return o;
}

static struct art_tensor constant_of_shape(struct art_session *s, const struct rt_node *n)
{
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	struct art_tensor o = unknown(a && a->t ? a->t->data_type : ART_FLOAT);
	int64_t sh[ART_MAX_DIMS];
	int c = const_ints(s, n, 0, sh, ART_MAX_DIMS);
	if (c >= 0) {
		o.ndim = c;
		memcpy(o.dims, sh, sizeof(int64_t) * (size_t)c);
	}
	return o;
}

static struct art_tensor tile(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = info(s, n, 0);
	int64_t sh[ART_MAX_DIMS];
	int c = const_ints(s, n, 1, sh, ART_MAX_DIMS);
	struct art_tensor o = *x;
	if (c != x->ndim)
		return unknown(x->dtype);
	/* A repeat count that is negative or overflows is the kernel's to
	 * refuse; inference leaves the dim unknown. */
	for (int k = 0; k < c; k++)
		if (x->dims[k] < 0 || sh[k] < 0 ||
		    __builtin_mul_overflow(x->dims[k], sh[k], &o.dims[k]))
			o.dims[k] = -1;
	return o;
}

/* If's outputs: what both branches agree on (their nodes share the
 * value table, so they are inferred here too), so that the nodes after an
 * If inside a subgraph session (subgraph.c) know their dtypes when placed. */
static void if_outputs(struct art_session *s, struct rt_node *n)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < n->sub[k]->nnodes; i++)
			g_infer_node(s, &n->sub[k]->nodes[i]);
	/* A condition known now picks the branch whose shapes count. */
	int c = n->in[0];
	const struct art_tensor *ct = c >= 0 && has_data(s, c) ? &s->vals[c].t : NULL;
	int pick = ct && art_tensor_elems(ct) == 1 ? rt_get_d(ct, 0) == 0 : -1;
	for (int j = 0; j < n->nout; j++) {
		struct art_tensor o = unknown(0);
		const struct rt_graph *a = n->sub[pick < 0 ? 0 : pick],
				      *b = n->sub[pick < 0 ? 1 : pick];
		if (j < a->noutputs && j < b->noutputs && a->outputs[j] >= 0 &&
		    b->outputs[j] >= 0) {
			const struct art_tensor *x = &s->vals[a->outputs[j]].info;
			const struct art_tensor *y = &s->vals[b->outputs[j]].info;
			if (x->dtype == y->dtype)
				o.dtype = x->dtype;
			if (x->ndim >= 0 && x->ndim == y->ndim) {
				o.ndim = x->ndim;
				for (int d = 0; d < o.ndim; d++)
					o.dims[d] = x->dims[d] == y->dims[d] ? x->dims[d] : -1;
			}
		}
		set_out(s, n, j, o);
	}
}

void g_infer_node(struct art_session *s, struct rt_node *n)
{
	const char *op = n->proto->op_type;
	const struct art_tensor *x = info(s, n, 0);
	struct art_tensor o = unknown(0);
	if (IN_LIST(op, same_shape_ops)) {
		o = *x;
		if (bool_result(op))
			o.dtype = ART_BOOL;
		/* MaxPool-like second outputs are handled below; Dropout's
		 * mask has the data's shape. */
		if (n->nout > 1 && g_op(n, "Dropout")) {
			struct art_tensor m = *x;
			m.dtype = ART_BOOL;
			set_out(s, n, 1, m);
		}
		if (n->nout > 1 && g_op(n, "LayerNormalization"))
			for (int j = 1; j < n->nout; j++)
				set_out(s, n, j, unknown(ART_FLOAT));
	} else if (IN_LIST(op, bcast_ops)) {
		o = broadcast(s, n, 0, bool_result(op) ? ART_BOOL : x->dtype);
	} else if (g_op(n, "IsNaN") || g_op(n, "IsInf")) {
		o = *x;
		o.dtype = ART_BOOL;
	} else if (g_op(n, "Where")) {
		o = broadcast(s, n, 0, info(s, n, 1)->dtype);
	} else if (g_op(n, "Conv")) {
		o = spatial(s, n, 'c');
	} else if (g_op(n, "ConvInteger")) {
		o = spatial(s, n, 'c');
		o.dtype = ART_INT32;
	} else if (g_op(n, "QLinearConv")) {
		/* W is input 3: the shape is left to the kernel, the type is y's. */
		o = unknown(n->nin > 7 && n->in[7] >= 0 ? info(s, n, 7)->dtype : ART_UINT8);
	} else if (g_op(n, "ConvTranspose")) {
		o = spatial(s, n, 't');
	} else if (g_op(n, "MaxPool") || g_op(n, "AveragePool") || g_op(n, "LpPool")) {
		o = spatial(s, n, 'p');
		struct art_tensor ix = o;
		ix.dtype = ART_INT64;
		set_out(s, n, 1, ix);
	} else if (g_op(n, "GlobalAveragePool") || g_op(n, "GlobalMaxPool") ||
		   g_op(n, "GlobalLpPool")) {
		o = spatial(s, n, 'g');
	} else if (g_op(n, "MatMul")) {
		o = matmul(s, n);
	} else if (g_op(n, "Gemm")) {
		const struct art_tensor *b = info(s, n, 1);
		o.dtype = x->dtype;
		if (x->ndim == 2 && b->ndim == 2) {
			o.ndim = 2;
			o.dims[0] = x->dims[rt_attr_i(n, "transA", 0) ? 1 : 0];
			o.dims[1] = b->dims[rt_attr_i(n, "transB", 0) ? 0 : 1];
		}
	} else if (g_op(n, "Reshape")) {
		o = reshape(s, n);
	} else if (g_op(n, "Flatten")) {
		o = flatten(s, n);
	} else if (g_op(n, "Transpose")) {
		o = transpose(s, n);
	} else if (g_op(n, "Concat")) {
		o = concat(s, n);
	} else if (g_op(n, "Slice")) {
		o = slice(s, n);
	} else if (g_op(n, "Squeeze")) {
		o = squeeze(s, n, 0);
	} else if (g_op(n, "Unsqueeze")) {
		o = squeeze(s, n, 1);
	} else if (g_op(n, "Resize") || g_op(n, "Upsample")) {
		o = resize(s, n);
	} else if (IN_LIST(op, reduce_ops)) {
		o = reduce(s, n, g_op(n, "ArgMax") || g_op(n, "ArgMin") ? ART_INT64 : x->dtype);
	} else if (g_op(n, "Cast")) {
		o = *x;
		o.dtype = (int)rt_attr_i(n, "to", 0);
	} else if (g_op(n, "DequantizeLinear")) {
		/* The scale's float type (f32 before opset 19): the float ops
		 * after it in a QDQ model then fuse as they do in an f32 one. */
		o = *x;
		o.dtype = n->nin > 1 && info(s, n, 1)->dtype ? info(s, n, 1)->dtype : ART_FLOAT;
	} else if (g_op(n, "QuantizeLinear")) {
		o = *x;
		int od = (int)rt_attr_i(n, "output_dtype", 0); /* opset 21; 0: the default */
		o.dtype = n->nin > 2 && n->in[2] >= 0 ? info(s, n, 2)->dtype : od ? od : ART_UINT8;
	} else if (g_op(n, "Shape")) {
		o = shape_of(s, n);
	} else if (g_op(n, "Size")) {
		o.dtype = ART_INT64;
		o.ndim = 0;
	} else if (g_op(n, "Gather")) {
		o = gather(s, n);
	} else if (g_op(n, "Pad")) {
		o = pad(s, n);
	} else if (g_op(n, "LSTM")) {
		lstm(s, n);
		return;
	} else if (g_op(n, "Split")) {
		for (int j = 0; j < n->nout; j++)
			set_out(s, n, j, split_part(s, n, j));
		return;
	} else if (g_op(n, "ConstantOfShape")) {
		o = constant_of_shape(s, n);
	} else if (g_op(n, "Expand")) {
		o = expand(s, n);
	} else if (g_op(n, "Tile")) {
		o = tile(s, n);
	} else if (g_op(n, "NonMaxSuppression") || g_op(n, "Unique") || g_op(n, "Einsum") ||
		   g_op(n, "GridSample") || g_op(n, "RoiAlign")) {
		o = detect_sample(s, n);
	} else if (g_op(n, "Constant")) {
		o = constant(n);
	} else if (g_op(n, "If") && n->sub[0] && n->sub[1]) {
		if_outputs(s, n);
		return;
	}
	set_out(s, n, 0, o);
	for (int j = 1; j < n->nout; j++)
		if (n->out[j] >= 0 && !s->vals[n->out[j]].info.dtype)
			set_out(s, n, j, unknown(0));
}

/*
 * With the inputs' shapes bound, shape arithmetic on them (Shape, Gather,
 * Concat... of small int64 tensors) is evaluated through the CPU kernels
 * into the values' run storage, which the run overwrites anyway, so that a
 * Reshape to a computed shape gets its shape too.
 */
static void eval_shape_math(struct art_session *s, struct rt_node *n)
{
	static const char *const ops[] = {"Shape", "Gather",  "Concat",	  "Unsqueeze", "Squeeze",
					  "Slice", "Cast",    "Add",	  "Sub",       "Mul",
					  "Div",   "Reshape", "Identity", "Range",     "Max",
					  "Min",   "Equal"};
	/* Equal on shapes is an If's condition: with it known, the If's
	 * outputs take the branch's shapes (if_outputs()). */
	int cond = g_op(n, "Equal") && s->vals[n->out[0]].info.dtype == ART_BOOL;
	if (!IN_LIST(n->proto->op_type, ops) || !n->fn || n->nout != 1 || n->out[0] < 0 ||
	    (s->vals[n->out[0]].info.dtype != ART_INT64 &&
	     s->vals[n->out[0]].info.dtype != ART_INT32 && !cond))
		return;
	struct rt_value *o = &s->vals[n->out[0]];
	if (!g_static(&o->info) || art_tensor_elems(&o->info) > MAXL)
		return;
	if (g_op(n, "Shape")) {
		const struct art_tensor *x = info(s, n, 0);
		if (!g_static(x) || o->info.dims[0] != x->ndim)
			return; /* start/end: leave it to the kernel path below */
		int64_t d = x->ndim;
		void *data;
		if (rt_alloc_out(s, n, 0, ART_INT64, 1, &d, &data))
			return;
		memcpy(data, x->dims, sizeof(int64_t) * (size_t)d);
		s->known[n->out[0]] = 1;
		return;
	}
	for (int j = 0; j < n->nin; j++)
		if (n->in[j] >= 0 && !has_data(s, n->in[j]))
			return;
	char err[sizeof(s->err)];
	memcpy(err, s->err, sizeof(err));
	if (!rt_kernel_check_dtypes(s, n, 0) && !n->fn(s, n))
		s->known[n->out[0]] = 1;
	memcpy(s->err, err, sizeof(err));
}

void g_infer_all(struct art_session *s, int bind)
{
	for (int v = 0; v < s->nvals; v++) {
		struct rt_value *val = &s->vals[v];
		if (val->is_const && val->t.data) {
			val->info = val->t;
			val->info.data = NULL;
		} else {
			val->info = unknown(0);
		}
	}
	for (int i = 0; i < s->ninputs; i++) {
		struct rt_value *val = &s->vals[s->inputs[i]];
		if (bind && val->t.data) {
			val->info = val->t;
			val->info.data = NULL;
		} else {
			from_decl(rt_declared(s, val->name), &val->info);
		}
	}
	s->known = bind ? calloc((size_t)s->nvals + 1, 1) : NULL;
	for (int i = 0; i < s->nnodes; i++) {
		if (s->nodes[i].dead)
			continue;
		g_infer_node(s, &s->nodes[i]);
		if (s->known)
			eval_shape_math(s, &s->nodes[i]);
	}
	free(s->known);
	s->known = NULL;
}
