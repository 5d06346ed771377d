// SPDX-License-Identifier: MIT
/*
 * Emission: the output shapes of a device node from its inputs' (at plan
 * time, with the run's actual input shapes), and the commands that compute
 * it into the planned arena offsets. Every value on the device is
 * contiguous and row-major; broadcasting, transposes, slices and
 * concatenation are strides and offsets of the descriptors, and
 * Reshape-like nodes are views that emit nothing.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "device/device.h"

#define F32_BITS(f) float_bits(f)

static uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static int64_t norm_axis(int64_t a, int rank)
{
	return a < 0 ? a + rank : a;
}

/* Reads constant input IN of N as integers; returns the count or -1. */
/* Placement admits only values known on the host at plan time here. */
static int host_value(struct art_session *s, const struct rt_node *n, int in)
{
	return in < n->nin && n->in[in] >= 0 && s->vals[n->in[in]].t.data;
}

int dev_const_ints(struct art_session *s, const struct rt_node *n, int in, int64_t *out, int max)
{
	if (!host_value(s, n, in))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[in]].t;
	int64_t cnt = art_tensor_elems(t);
	if (cnt > max)
		return -1;
	for (int64_t i = 0; i < cnt; i++) {
		if (t->dtype == ART_INT64)
			out[i] = ((const int64_t *)t->data)[i];
		else if (t->dtype == ART_INT32)
			out[i] = ((const int32_t *)t->data)[i];
		else
			return -1;
	}
	return (int)cnt;
}

int dev_const_float(struct art_session *s, const struct rt_node *n, int in, float *out)
{
	if (!host_value(s, n, in))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[in]].t;
	if (art_tensor_elems(t) < 1)
		return -1;
	if (t->dtype == ART_FLOAT)
		*out = ((const float *)t->data)[0];
	else if (t->dtype == ART_INT64)
		*out = (float)((const int64_t *)t->data)[0];
	else if (t->dtype == ART_INT32)
		*out = (float)((const int32_t *)t->data)[0];
	else
		return -1;
	return 0;
}

static int attr_ints(const struct rt_node *n, const char *name, int64_t *out, int max)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a)
		return -1;
	int c = (int)a->n_ints < max ? (int)a->n_ints : max;
	for (int i = 0; i < c; i++)
		out[i] = a->ints[i];
	return c;
}

static int attr_is(const struct rt_node *n, const char *name, const char *val, int def)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a || !a->has_s)
		return def;
	return a->s.len == strlen(val) && !memcmp(a->s.data, val, a->s.len);
}

/* ---- plan-time shapes ---- */

struct geom {
	int64_t k[2], st[2], dil[2], pb[2], pe[2], out[2];
};

/* Window geometry of Conv and the pools over NSP (1 or 2) spatial dims,
 * placed in the last NSP of two slots so 1-D runs as 2-D with H = 1. */
static int window_geom(const struct rt_node *n, int nsp, const int64_t *in, const int64_t *k,
		       int ceil_mode, struct geom *g)
{
	int64_t v[4];
	int off = 2 - nsp;
	for (int i = 0; i < 2; i++) {
		g->k[i] = 1;
		g->st[i] = 1;
		g->dil[i] = 1;
		g->pb[i] = g->pe[i] = 0;
		g->out[i] = 1;
	}
	for (int i = 0; i < nsp; i++)
		g->k[off + i] = k[i];
	if (attr_ints(n, "strides", v, 2) == nsp)
		for (int i = 0; i < nsp; i++)
			g->st[off + i] = v[i];
	if (attr_ints(n, "dilations", v, 2) == nsp)
		for (int i = 0; i < nsp; i++)
			g->dil[off + i] = v[i];
	int same_upper = attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int same_lower = attr_is(n, "auto_pad", "SAME_LOWER", 0);
	int valid = attr_is(n, "auto_pad", "VALID", 0);
	if (!same_upper && !same_lower && !valid && attr_ints(n, "pads", v, 4) == 2 * nsp)
		for (int i = 0; i < nsp; i++) {
			g->pb[off + i] = v[i];
			g->pe[off + i] = v[nsp + i];
		}
	for (int i = 0; i < nsp; i++) {
		int j = off + i;
		int64_t span = g->dil[j] * (g->k[j] - 1) + 1;
		if (g->st[j] < 1 || g->dil[j] < 1 || g->k[j] < 1)
			return -1;
		if (same_upper || same_lower) {
			int64_t o = (in[i] + g->st[j] - 1) / g->st[j];
			int64_t total = (o - 1) * g->st[j] + span - in[i];
			total = total < 0 ? 0 : total;
			g->pb[j] = same_upper ? total / 2 : total - total / 2;
			g->pe[j] = total - g->pb[j];
		}
		int64_t room = in[i] + g->pb[j] + g->pe[j] - span;
		if (room < 0)
			return -1;
		g->out[j] = room / g->st[j] + 1;
		if (ceil_mode && room % g->st[j]) {
			g->out[j]++;
			if ((g->out[j] - 1) * g->st[j] >= in[i] + g->pb[j])
				g->out[j]--;
		}
	}
	return 0;
}

/*
 * ConvTranspose as a convolution: the input with (stride - 1) zeros between
 * its pixels, placed at lp in a zeroed buffer of hb cells per spatial dim,
 * convolved at stride 1 with the flipped, channel-swapped kernel. Input
 * pixel i lands at lp + i * stride; lp = dilation * (k - 1) - pad_begin may
 * be negative (pads larger than the kernel's reach crop the input), and
 * hb = out + dilation * (k - 1) covers output_padding and an output_shape
 * larger than the input reaches (those cells see only zeros: the bias).
 * Output size and pads follow the CPU kernel (kernels_conv.c).
 */
struct tgeom {
	int64_t k[2], st[2], dil[2], lp[2], hb[2], out[2];
	int64_t i0[2], cnt[2]; /* input pixels that land inside the buffer */
};

static int convt_geom(const struct rt_node *n, int nsp, const int64_t *in, const int64_t *k,
		      struct tgeom *g)
{
	int64_t v[ART_MAX_DIMS], pb[2] = {0, 0}, pe[2] = {0, 0}, opad[2] = {0, 0}, want[2];
	int off = 2 - nsp, c;
	for (int i = 0; i < 2; i++) {
		g->k[i] = g->st[i] = g->dil[i] = g->hb[i] = g->out[i] = g->cnt[i] = 1;
		g->lp[i] = g->i0[i] = 0;
		want[i] = -1;
	}
	int64_t inn[2] = {1, 1};
	for (int i = 0; i < nsp; i++) {
		g->k[off + i] = k[i];
		inn[off + i] = in[i];
	}
	if ((c = attr_ints(n, "strides", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		g->st[off + i] = v[i];
	if ((c = attr_ints(n, "dilations", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		g->dil[off + i] = v[i];
	if ((c = attr_ints(n, "output_padding", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		opad[off + i] = v[i];
	if ((c = attr_ints(n, "pads", v, 4)) >= 0 && c != 2 * nsp)
		return -1;
	for (int i = 0; i < c / 2; i++) {
		pb[off + i] = v[i];
		pe[off + i] = v[nsp + i];
	}
	int upper = attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int lower = attr_is(n, "auto_pad", "SAME_LOWER", 0);
	c = attr_ints(n, "output_shape", v, ART_MAX_DIMS);
	if (c >= 0 && c != nsp && c != nsp + 2)
		return -1;
	for (int i = 0; i < nsp && c >= 0; i++)
		want[off + i] = v[c - nsp + i];
	for (int j = off; j < 2; j++) {
		if (g->st[j] < 1 || g->dil[j] < 1 || g->k[j] < 1 || opad[j] < 0)
			return -1;
		int64_t reach = g->dil[j] * (g->k[j] - 1);
		int64_t full = g->st[j] * (inn[j] - 1) + opad[j] + reach + 1;
		if (want[j] < 0 && (upper || lower))
			want[j] = inn[j] * g->st[j];
		if (want[j] >= 0) {
			int64_t total = full - want[j];
			total = total < 0 ? 0 : total;
			pb[j] = upper ? total / 2 : total - total / 2;
			g->out[j] = want[j];
		} else {
			g->out[j] = full - pb[j] - pe[j];
		}
		if (g->out[j] < 1)
			return -1;
		g->lp[j] = reach - pb[j];
		g->hb[j] = g->out[j] + reach;
		/* First and count of i with 0 <= lp + i * st < hb. */
		int64_t first = g->lp[j] >= 0 ? 0 : (-g->lp[j] + g->st[j] - 1) / g->st[j];
		int64_t lastpos = g->hb[j] - 1 - g->lp[j];
		int64_t last = lastpos < 0 ? -1 : lastpos / g->st[j];
		if (last > inn[j] - 1)
			last = inn[j] - 1;
		g->i0[j] = first;
		g->cnt[j] = last >= first ? last - first + 1 : 0;
	}
	return 0;
}

static void set_out(struct dev_val *o, int dtype, int ndim, const int64_t *dims)
{
	o->dtype = dtype;
	o->ndim = ndim;
	for (int i = 0; i < ndim; i++)
		o->dims[i] = dims[i];
}

static int64_t prod(const int64_t *d, int a, int b)
{
	int64_t p = 1;
	for (int i = a; i < b; i++)
		p *= d[i];
	return p;
}

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

static int reduce_axes(struct art_session *s, const struct rt_node *n, int rank, unsigned *mask)
{
	int64_t ax[ART_MAX_DIMS];
	int na = attr_ints(n, "axes", ax, ART_MAX_DIMS);
	if (na < 0)
		na = dev_const_ints(s, n, 1, ax, ART_MAX_DIMS);
	*mask = 0;
	if (na <= 0) {
		*mask = (1u << rank) - 1;
		return 0;
	}
	for (int i = 0; i < na; i++) {
		int64_t a = norm_axis(ax[i], rank);
		if (a < 0 || a >= rank)
			return -1;
		*mask |= 1u << a;
	}
	return 0;
}

static int slice_params(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			int64_t *start, int64_t *step, int64_t *len)
{
	int64_t st[ART_MAX_DIMS], en[ART_MAX_DIMS], ax[ART_MAX_DIMS], sp[ART_MAX_DIMS];
	int ns, ne, na, nsp;
	if (s->opset < 10) {
		ns = attr_ints(n, "starts", st, ART_MAX_DIMS);
		ne = attr_ints(n, "ends", en, ART_MAX_DIMS);
		na = attr_ints(n, "axes", ax, ART_MAX_DIMS);
		nsp = -1;
	} else {
		ns = dev_const_ints(s, n, 1, st, ART_MAX_DIMS);
		ne = dev_const_ints(s, n, 2, en, ART_MAX_DIMS);
		na = dev_const_ints(s, n, 3, ax, ART_MAX_DIMS);
		nsp = dev_const_ints(s, n, 4, sp, ART_MAX_DIMS);
	}
	if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
		return -1;
	for (int k = 0; k < x->ndim; k++) {
		start[k] = 0;
		step[k] = 1;
		len[k] = x->dims[k];
	}
	for (int i = 0; i < ns; i++) {
		int64_t a = na >= 0 ? norm_axis(ax[i], x->ndim) : i;
		if (a < 0 || a >= x->ndim)
			return -1;
		int64_t d = x->dims[a], b = st[i], e = en[i], p = nsp >= 0 ? sp[i] : 1;
		if (p <= 0)
			return -1;
		b = b < 0 ? b + d : b;
		e = e < 0 ? e + d : e;
		b = b < 0 ? 0 : b > d ? d : b;
		e = e < 0 ? 0 : e > d ? d : e;
		start[a] = b;
		step[a] = p;
		len[a] = e > b ? (e - b + p - 1) / p : 0;
	}
	return 0;
}

static int pad_params(struct art_session *s, const struct rt_node *n, int rank, int64_t *b,
		      int64_t *e)
{
	int64_t p[2 * ART_MAX_DIMS], ax[ART_MAX_DIMS];
	int np = s->opset < 11 ? attr_ints(n, "pads", p, 2 * ART_MAX_DIMS)
			       : dev_const_ints(s, n, 1, p, 2 * ART_MAX_DIMS);
	int na = s->opset < 11 ? -1 : dev_const_ints(s, n, 3, ax, ART_MAX_DIMS);
	for (int k = 0; k < rank; k++)
		b[k] = e[k] = 0;
	if (na < 0) {
		if (np != 2 * rank)
			return -1;
		for (int k = 0; k < rank; k++) {
			b[k] = p[k];
			e[k] = p[rank + k];
		}
		return 0;
	}
	if (np != 2 * na)
		return -1;
	for (int i = 0; i < na; i++) {
		int64_t a = norm_axis(ax[i], rank);
		if (a < 0 || a >= rank)
			return -1;
		b[a] = p[i];
		e[a] = p[na + i];
	}
	return 0;
}

/* Output dims of Resize from its scales or sizes; SCALE gets the scales
 * used in the coordinate transform (0 where sizes decided). */
static int resize_params(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			 int64_t *dims, float *scale)
{
	int si = s->opset < 11 ? 1 : 2;
	const struct rt_value *sv = si < n->nin && n->in[si] >= 0 ? &s->vals[n->in[si]] : NULL;
	for (int k = 0; k < x->ndim; k++)
		scale[k] = 0;
	if (sv && sv->t.data && art_tensor_elems(&sv->t) == x->ndim && sv->t.dtype == ART_FLOAT) {
		for (int k = 0; k < x->ndim; k++) {
			scale[k] = ((const float *)sv->t.data)[k];
			if (!(scale[k] > 0))
				return -1;
			dims[k] = (int64_t)floor((double)x->dims[k] * scale[k]);
		}
		return 0;
	}
	int64_t sz[ART_MAX_DIMS];
	if (dev_const_ints(s, n, 3, sz, ART_MAX_DIMS) != x->ndim)
		return -1;
	for (int k = 0; k < x->ndim; k++)
		dims[k] = sz[k];
	return 0;
}

static int bad(struct art_session *s, const struct rt_node *n, const char *what)
{
	return rt_err(s, -EINVAL, "node '%s' (%s): %s", n->name, n->proto->op_type, what);
}

int dev_node_shapes(struct art_session *s, const struct rt_node *n, struct dev_val *dv)
{
	const struct dev_op *d = dev_op_lookup(n->proto->op_type);
	struct dev_val *x = &dv[n->in[0]];
	struct dev_val *o = &dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	o->root = n->out[0];
	for (int i = 0; i < n->nin; i++)
		if (n->in[i] >= 0 && dev_operand_mask(n) & (1u << i) && dv[n->in[i]].ndim > 6)
			return bad(s, n, "an operand has more than 6 dimensions");
	switch (d->kind) {
	case DK_CONV: {
		struct dev_val *w = &dv[n->in[1]];
		int nsp = w->ndim - 2;
		struct geom g;
		if (x->ndim != w->ndim || window_geom(n, nsp, x->dims + 2, w->dims + 2, 0, &g))
			return bad(s, n, "input shape does not fit the kernel");
		int64_t grp = rt_attr_i(n, "group", 1);
		if (grp < 1 || x->dims[1] != w->dims[1] * grp || w->dims[0] % grp)
			return bad(s, n, "channels do not match the weights and group");
		dims[0] = x->dims[0];
		dims[1] = w->dims[0];
		dims[2] = g.out[0];
		dims[3] = g.out[1];
		if (nsp == 1)
			dims[2] = g.out[1];
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_CONVT: {
		struct dev_val *w = &dv[n->in[1]];
		int nsp = w->ndim - 2;
		struct tgeom g;
		if (x->ndim != w->ndim || (nsp != 1 && nsp != 2) ||
		    convt_geom(n, nsp, x->dims + 2, w->dims + 2, &g))
			return bad(s, n, "input shape or attributes do not fit the kernel");
		int64_t grp = rt_attr_i(n, "group", 1);
		if (grp < 1 || x->dims[1] != w->dims[0] || x->dims[1] % grp)
			return bad(s, n, "channels do not match the weights and group");
		if (n->nin > 2 && n->in[2] >= 0 &&
		    (dv[n->in[2]].ndim != 1 || dv[n->in[2]].dims[0] != w->dims[1] * grp))
			return bad(s, n, "bias does not match the output channels");
		dims[0] = x->dims[0];
		dims[1] = w->dims[1] * grp;
		dims[2] = nsp == 1 ? g.out[1] : g.out[0];
		dims[3] = g.out[1];
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_GEMM: {
		struct dev_val *b = &dv[n->in[1]];
		if (x->ndim != 2 || b->ndim != 2)
			return bad(s, n, "Gemm operands are not 2-D");
		int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
		dims[0] = x->dims[ta ? 1 : 0];
		dims[1] = b->dims[tb ? 0 : 1];
		if (x->dims[ta ? 0 : 1] != b->dims[tb ? 1 : 0])
			return bad(s, n, "inner dimensions differ");
		set_out(o, ART_FLOAT, 2, dims);
		return 0;
	}
	case DK_MATMUL: {
		struct dev_val *b = &dv[n->in[1]];
		int64_t ad[ART_MAX_DIMS], bd[ART_MAX_DIMS];
		int ra = x->ndim, rb = b->ndim;
		if (ra < 1 || rb < 1)
			return bad(s, n, "scalar operand");
		memcpy(ad, x->dims, sizeof(ad));
		memcpy(bd, b->dims, sizeof(bd));
		if (ra == 1) {
			ad[1] = ad[0];
			ad[0] = 1;
			ra = 2;
		}
		if (rb == 1) {
			bd[1] = 1;
			rb = 2;
		}
		if (ad[ra - 1] != bd[rb - 2])
			return bad(s, n, "inner dimensions differ");
		int r = ra > rb ? ra : rb, nd = 0;
		for (int k = 0; k < r - 2; k++) {
			int64_t da = k - (r - ra) >= 0 ? ad[k - (r - ra)] : 1;
			int64_t db = k - (r - rb) >= 0 ? bd[k - (r - rb)] : 1;
			if (da != db && da != 1 && db != 1)
				return bad(s, n, "batch dimensions do not broadcast");
			dims[nd++] = da > db ? da : db;
		}
		if (x->ndim > 1)
			dims[nd++] = ad[ra - 2];
		if (b->ndim > 1)
			dims[nd++] = bd[rb - 1];
		set_out(o, ART_FLOAT, nd, dims);
		return 0;
	}
	case DK_UNARY:
	case DK_CLIP:
		set_out(o, x->dtype, x->ndim, x->dims);
		return 0;
	case DK_CAST:
		set_out(o, (int)rt_attr_i(n, "to", 0), x->ndim, x->dims);
		return 0;
	case DK_BINARY:
	case DK_VARIADIC:
	case DK_WHERE: {
		struct dev_val *in[3] = {x, x, x};
		for (int i = 0; i < n->nin && i < 3; i++)
			in[i] = &dv[n->in[i]];
		int r = bcast_shape(in, n->nin < 3 ? n->nin : 3, dims);
		if (r < 0)
			return bad(s, n, "shapes do not broadcast");
		int dt = d->kind == DK_WHERE ? in[1]->dtype : x->dtype;
		if (d->kind == DK_BINARY && d->arg >= ARES_ELT_EQUAL &&
		    d->arg <= ARES_ELT_GREATER_EQUAL)
			dt = ART_BOOL;
		set_out(o, dt, r, dims);
		return 0;
	}
	case DK_VIEW: {
		const char *op = n->proto->op_type;
		o->root = x->root;
		int r = 0;
		if (!strcmp(op, "Reshape")) {
			int64_t sh[ART_MAX_DIMS];
			r = dev_const_ints(s, n, 1, sh, ART_MAX_DIMS);
			if (r < 0)
				return bad(s, n, "shape is not a constant of at most 8 dims");
			int64_t known = 1, infer = -1;
			int allowzero = (int)rt_attr_i(n, "allowzero", 0);
			for (int k = 0; k < r; k++) {
				dims[k] = sh[k];
				if (sh[k] == 0 && !allowzero)
					dims[k] = k < x->ndim ? x->dims[k] : 0;
				if (dims[k] == -1)
					infer = k;
				else
					known *= dims[k];
			}
			int64_t total = prod(x->dims, 0, x->ndim);
			if (infer >= 0)
				dims[infer] = known ? total / known : 0;
			if (prod(dims, 0, r) != total)
				return bad(s, n, "shape does not match the element count");
		} else if (!strcmp(op, "Flatten")) {
			int64_t a = norm_axis(rt_attr_i(n, "axis", 1), x->ndim);
			if (a < 0 || a > x->ndim)
				return bad(s, n, "axis out of range");
			dims[0] = prod(x->dims, 0, (int)a);
			dims[1] = prod(x->dims, (int)a, x->ndim);
			r = 2;
		} else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) {
			int64_t ax[ART_MAX_DIMS];
			int na = attr_ints(n, "axes", ax, ART_MAX_DIMS);
			if (na < 0)
				na = dev_const_ints(s, n, 1, ax, ART_MAX_DIMS);
			int sq = op[0] == 'S';
			r = sq ? x->ndim - na : x->ndim + na;
			if (na < 0 || r < 0 || r > ART_MAX_DIMS)
				return bad(s, n, "axes out of range");
			unsigned m = 0;
			for (int i = 0; i < na; i++) {
				int64_t a = norm_axis(ax[i], sq ? x->ndim : r);
				if (a < 0 || a >= (sq ? x->ndim : r) || (sq && x->dims[a] != 1))
					return bad(s, n, "axis out of range or not of size 1");
				m |= 1u << a;
			}
			if (sq) {
				for (int j = 0, out = 0; j < x->ndim; j++)
					if (!(m & (1u << j)))
						dims[out++] = x->dims[j];
			} else {
				for (int k = 0, j = 0; k < r; k++)
					dims[k] = (m & (1u << k)) ? 1 : x->dims[j++];
			}
		} else {
			r = x->ndim;
			memcpy(dims, x->dims, sizeof(dims));
		}
		set_out(o, x->dtype, r, dims);
		return 0;
	}
	case DK_POOL: {
		if (x->ndim != 3 && x->ndim != 4)
			return bad(s, n, "pooling input is not 1-D or 2-D");
		int nsp = x->ndim - 2;
		struct geom g;
		int64_t k[2];
		if (d->arg & DEV_POOL_GLOBAL) {
			memset(&g, 0, sizeof(g));
			g.out[0] = g.out[1] = 1;
		} else {
			if (attr_ints(n, "kernel_shape", k, 2) != nsp ||
			    window_geom(n, nsp, x->dims + 2, k, (int)rt_attr_i(n, "ceil_mode", 0),
					&g))
				return bad(s, n, "window does not fit the input");
		}
		dims[0] = x->dims[0];
		dims[1] = x->dims[1];
		dims[2] = nsp == 1 ? g.out[1] : g.out[0];
		dims[3] = g.out[1];
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_REDUCE: {
		unsigned m;
		int keep = (int)rt_attr_i(n, "keepdims", 1), r = 0, dt = x->dtype;
		if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN) {
			int64_t a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
			if (a < 0 || a >= x->ndim)
				return bad(s, n, "axis out of range");
			m = 1u << a;
			dt = ART_INT64;
		} else if (reduce_axes(s, n, x->ndim, &m)) {
			return bad(s, n, "axes out of range");
		}
		for (int k = 0; k < x->ndim; k++)
			if (!(m & (1u << k)))
				dims[r++] = x->dims[k];
			else if (keep)
				dims[r++] = 1;
		set_out(o, dt, r, dims);
		return 0;
	}
	case DK_SOFTMAX:
	case DK_BATCHNORM:
	case DK_INSTNORM:
	case DK_LAYERNORM:
		if ((d->kind == DK_INSTNORM && x->ndim < 3) ||
		    (d->kind == DK_BATCHNORM && x->ndim < 2))
			return bad(s, n, "input rank too small");
		set_out(o, x->dtype, x->ndim, x->dims);
		return 0;
	case DK_RESIZE: {
		float sc[ART_MAX_DIMS];
		if (resize_params(s, n, x, dims, sc))
			return bad(s, n, "scales or sizes do not match the input rank");
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_TRANSPOSE: {
		int64_t perm[ART_MAX_DIMS];
		int np = attr_ints(n, "perm", perm, ART_MAX_DIMS);
		for (int k = 0; k < x->ndim; k++) {
			int64_t p = np < 0 ? x->ndim - 1 - k : perm[k];
			if (np >= 0 && (np != x->ndim || p < 0 || p >= x->ndim))
				return bad(s, n, "perm does not match the input rank");
			dims[k] = x->dims[p];
		}
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_SLICE: {
		int64_t st[ART_MAX_DIMS], sp[ART_MAX_DIMS];
		if (slice_params(s, n, x, st, sp, dims))
			return bad(s, n, "starts, ends, axes or steps out of range");
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_CONCAT: {
		int64_t a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
		if (a < 0 || a >= x->ndim)
			return bad(s, n, "axis out of range");
		memcpy(dims, x->dims, sizeof(dims));
		dims[a] = 0;
		for (int i = 0; i < n->nin; i++) {
			struct dev_val *v = &dv[n->in[i]];
			if (v->ndim != x->ndim)
				return bad(s, n, "inputs of different ranks");
			for (int k = 0; k < x->ndim; k++)
				if (k != a && v->dims[k] != x->dims[k])
					return bad(s, n, "inputs differ off the axis");
			dims[a] += v->dims[a];
		}
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_PAD: {
		int64_t b[ART_MAX_DIMS], e[ART_MAX_DIMS];
		if (pad_params(s, n, x->ndim, b, e))
			return bad(s, n, "pads do not match the input rank");
		for (int k = 0; k < x->ndim; k++)
			dims[k] = x->dims[k] + b[k] + e[k];
		set_out(o, x->dtype, x->ndim, dims);
		return 0;
	}
	case DK_GATHER: {
		struct dev_val *ix = &dv[n->in[1]];
		int64_t a = norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
		int r = 0;
		if (a < 0 || a >= x->ndim || x->ndim - 1 + ix->ndim > ARES_MAX_RANK)
			return bad(s, n, "axis out of range or result rank above 6");
		for (int k = 0; k < a; k++)
			dims[r++] = x->dims[k];
		for (int k = 0; k < ix->ndim; k++)
			dims[r++] = ix->dims[k];
		for (int k = (int)a + 1; k < x->ndim; k++)
			dims[r++] = x->dims[k];
		set_out(o, x->dtype, r, dims);
		return 0;
	}
	default:
		return bad(s, n, "no device form");
	}
}

unsigned dev_operand_mask(const struct rt_node *n)
{
	const struct dev_op *d = dev_op_lookup(n->proto->op_type);
	if (!d)
		return 0;
	switch (d->kind) {
	case DK_CONV:
	case DK_CONVT:
	case DK_GEMM:
	case DK_MATMUL:
	case DK_BINARY:
	case DK_VARIADIC:
	case DK_WHERE:
	case DK_INSTNORM:
	case DK_LAYERNORM:
	case DK_GATHER:
		return 7u;
	case DK_BATCHNORM:
		return 31u;
	case DK_CONCAT:
		return ~0u;
	default:
		return 1u;
	}
}

/* ConvTranspose's scratch: the zero-inserted input, then the transformed
 * weights at a 64-byte boundary. */
static uint64_t convt_wofs(const struct dev_val *x, const struct tgeom *g)
{
	uint64_t cells = (uint64_t)x->dims[0] * (uint64_t)x->dims[1] * (uint64_t)g->hb[0] *
			 (uint64_t)g->hb[1];
	return (cells + 15) / 16 * 16;
}

uint64_t dev_node_scratch(struct art_session *s, const struct rt_node *n, const struct dev_val *dv)
{
	const struct dev_op *d = dev_op_lookup(n->proto->op_type);
	(void)s;
	if (!d || d->kind != DK_CONVT)
		return 0;
	const struct dev_val *x = &dv[n->in[0]], *w = &dv[n->in[1]];
	struct tgeom g;
	if (convt_geom(n, w->ndim - 2, x->dims + 2, w->dims + 2, &g))
		return 0;
	uint64_t wcells = 1;
	for (int k = 0; k < w->ndim && !dev_convt_host_weights(s, n); k++)
		wcells *= (uint64_t)w->dims[k];
	return convt_wofs(x, &g) + (dev_convt_host_weights(s, n) ? 0 : wcells);
}

int dev_convt_host_weights(const struct art_session *s, const struct rt_node *n)
{
	const struct dev_op *d = dev_op_lookup(n->proto->op_type);
	if (!d || d->kind != DK_CONVT || n->nin < 2 || !dev_is_const(s, n->in[1]))
		return 0;
	const struct art_tensor *w = &s->vals[n->in[1]].t;
	return w->dtype == ART_FLOAT && (w->ndim == 3 || w->ndim == 4);
}

void dev_convt_weights(const struct rt_node *n, const struct art_tensor *w, float *dst)
{
	int64_t grp = rt_attr_i(n, "group", 1), C = w->dims[0], mg = w->dims[1];
	int64_t kh = w->ndim == 4 ? w->dims[2] : 1, kw = w->dims[w->ndim - 1], kk = kh * kw;
	int64_t cg = grp > 0 ? C / grp : C;
	const float *src = w->data;
	for (int64_t gi = 0; gi < grp; gi++)
		for (int64_t ci = 0; ci < cg; ci++)
			for (int64_t mo = 0; mo < mg; mo++)
				for (int64_t a = 0; a < kk; a++)
					dst[((gi * mg + mo) * cg + ci) * kk + kk - 1 - a] =
						src[((gi * cg + ci) * mg + mo) * kk + a];
}

/* ---- emission ---- */

struct ectx {
	struct art_session *s;
	struct dev_val *dv;
	accel_cmdbuf *cb;
	uint64_t arena_va, weights_va, prof_va;
	int *ncmds;
	const uint64_t *ext_va;
};

static uint64_t va_of(const struct ectx *e, int v)
{
	int root = e->dv[v].root;
	const struct dev_val *r = &e->dv[root];
	if (e->ext_va && e->ext_va[root])
		return e->ext_va[root];
	return (r->loc == DL_WEIGHTS ? e->weights_va : e->arena_va) + r->off;
}

static size_t esize(int dtype)
{
	return art_dtype_size(dtype);
}

/* A contiguous view of value V with the given rank and dims. */
static void desc_dims(const struct ectx *e, int v, int rank, const int64_t *dims,
		      struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = va_of(e, v);
	t->dtype = (uint16_t)dev_dtype(e->dv[v].dtype);
	t->rank = (uint16_t)rank;
	uint64_t st = 1;
	for (int k = rank - 1; k >= 0; k--) {
		t->shape[k] = (uint64_t)dims[k];
		t->stride[k] = st;
		st *= (uint64_t)dims[k];
	}
}

static void desc(const struct ectx *e, int v, struct ares_tensor_desc *t)
{
	desc_dims(e, v, e->dv[v].ndim, e->dv[v].dims, t);
}

/* Value V broadcast to RANK dims DIMS: aligned right, stride 0 where V has
 * a 1 (or no dimension). */
static void desc_bcast(const struct ectx *e, int v, int rank, const int64_t *dims,
		       struct ares_tensor_desc *t)
{
	const struct dev_val *x = &e->dv[v];
	struct ares_tensor_desc own;
	desc(e, v, &own);
	memset(t, 0, sizeof(*t));
	t->va = own.va;
	t->dtype = own.dtype;
	t->rank = (uint16_t)rank;
	for (int k = 0; k < rank; k++) {
		int j = k - (rank - x->ndim);
		t->shape[k] = (uint64_t)dims[k];
		t->stride[k] = j >= 0 && x->dims[j] != 1 ? own.stride[j] : 0;
	}
}

/* A per-channel [C] vector as a view with X's shape, varying along dim 1. */
static void desc_channel(const struct ectx *e, int v, const struct dev_val *x,
			 struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = va_of(e, v);
	t->dtype = ARES_DTYPE_F32;
	t->rank = (uint16_t)x->ndim;
	for (int k = 0; k < x->ndim; k++) {
		t->shape[k] = (uint64_t)x->dims[k];
		t->stride[k] = k == 1 ? 1 : 0;
	}
}

/* Called after each command: counts it and, when profiling, records the
 * device clock and modeled time after it. */
static int done(struct ectx *e, int rc)
{
	if (rc)
		return rc;
	(*e->ncmds)++;
	if (e->prof_va)
		return accel_cmdbuf_profile(e->cb, e->prof_va + 16ull * (uint64_t)*e->ncmds);
	return 0;
}

static int emit_act_unary(struct ectx *e, const struct rt_node *n, int op, float alpha, float beta)
{
	struct ares_eltwise_params p = {
		.op = (uint32_t)op, .alpha = F32_BITS(alpha), .beta = F32_BITS(beta)};
	struct ares_tensor_desc x, y;
	desc(e, n->in[0], &x);
	desc(e, n->out[0], &y);
	const struct ares_tensor_desc *in[1] = {&x};
	return done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, &y));
}

static int emit_copy_view(struct ectx *e, struct ares_tensor_desc *x, struct ares_tensor_desc *y)
{
	for (int k = 0; k < y->rank; k++)
		if (!y->shape[k])
			return 0;
	return done(e, accel_cmdbuf_copy(e->cb, x, y));
}

/*
 * ConvTranspose (see convt_geom): the kernel flipped and its channel axes
 * swapped, once at upload for constant weights, else into scratch by one
 * COPY per tap (strides cannot run backwards);
 * the input's pixels COPY'd stride apart into the zeroed buffer; one
 * CONV2D at stride 1 without padding.
 */
static int emit_convt(struct ectx *e, const struct rt_node *n)
{
	const struct dev_val *xv = &e->dv[n->in[0]], *wv = &e->dv[n->in[1]];
	int nsp = wv->ndim - 2, rc;
	struct tgeom g;
	convt_geom(n, nsp, xv->dims + 2, wv->dims + 2, &g);
	uint64_t N = (uint64_t)xv->dims[0], C = (uint64_t)xv->dims[1];
	uint64_t grp = (uint64_t)rt_attr_i(n, "group", 1), cg = C / grp;
	uint64_t mg = (uint64_t)wv->dims[1], kh = (uint64_t)g.k[0], kw = (uint64_t)g.k[1];
	uint64_t kk = kh * kw, H = (uint64_t)(nsp == 1 ? 1 : xv->dims[2]);
	uint64_t W = (uint64_t)xv->dims[nsp + 1], hb = (uint64_t)g.hb[0], wb = (uint64_t)g.hb[1];
	const struct dev_val *sc = &e->dv[e->s->nvals + (n - e->s->nodes)];
	uint64_t buf_va = e->arena_va + sc->off, w_va = buf_va + 4 * convt_wofs(xv, &g);
	struct ares_tensor_desc x, y, w, b;
	int host = dev_convt_host_weights(e->s, n);
	if (host)
		w_va = e->weights_va + e->s->dev->nwofs[n - e->s->nodes];

	for (uint64_t a = 0; a < kh && !host; a++)
		for (uint64_t c = 0; c < kw; c++) {
			desc_dims(e, n->in[1], 1, wv->dims, &x);
			x.va += 4 * (a * kw + c);
			y = x;
			y.va = w_va + 4 * ((kh - 1 - a) * kw + (kw - 1 - c));
			x.rank = y.rank = 3;
			uint64_t shape[3] = {grp, mg, cg};
			uint64_t xs[3] = {cg * mg * kk, kk, mg * kk},
				 ys[3] = {mg * cg * kk, cg * kk, kk};
			for (int k = 0; k < 3; k++) {
				x.shape[k] = y.shape[k] = shape[k];
				x.stride[k] = xs[k];
				y.stride[k] = ys[k];
			}
			if ((rc = emit_copy_view(e, &x, &y)))
				return rc;
		}

	memset(&y, 0, sizeof(y));
	y.va = buf_va;
	y.dtype = ARES_DTYPE_F32;
	y.rank = 1;
	y.shape[0] = N * C * hb * wb;
	y.stride[0] = 1;
	if (y.shape[0] && (rc = done(e, accel_cmdbuf_fill_tensor(e->cb, 0, &y))))
		return rc;

	int64_t xd[4] = {xv->dims[0], xv->dims[1], (int64_t)H, (int64_t)W};
	desc_dims(e, n->in[0], 4, xd, &x);
	x.va += 4 * ((uint64_t)g.i0[0] * W + (uint64_t)g.i0[1]);
	x.shape[2] = (uint64_t)g.cnt[0];
	x.shape[3] = (uint64_t)g.cnt[1];
	y = x;
	y.va = buf_va + 4 * ((uint64_t)(g.lp[0] + g.i0[0] * g.st[0]) * wb +
			     (uint64_t)(g.lp[1] + g.i0[1] * g.st[1]));
	uint64_t ys[4] = {C * hb * wb, hb * wb, (uint64_t)g.st[0] * wb, (uint64_t)g.st[1]};
	memcpy(y.stride, ys, sizeof(ys));
	if ((rc = emit_copy_view(e, &x, &y)))
		return rc;

	memset(&x, 0, sizeof(x));
	x.va = buf_va;
	x.dtype = ARES_DTYPE_F32;
	x.rank = 4;
	uint64_t bshape[4] = {N, C, hb, wb}, wshape[4] = {mg * grp, cg, kh, kw};
	w = x;
	w.va = w_va;
	uint64_t sx = 1, sw = 1;
	for (int k = 3; k >= 0; k--) {
		x.shape[k] = bshape[k];
		x.stride[k] = sx;
		sx *= bshape[k];
		w.shape[k] = wshape[k];
		w.stride[k] = sw;
		sw *= wshape[k];
	}
	int64_t yd[4] = {e->dv[n->out[0]].dims[0], e->dv[n->out[0]].dims[1], g.out[0], g.out[1]};
	desc_dims(e, n->out[0], 4, yd, &y);
	int hasb = n->nin > 2 && n->in[2] >= 0;
	if (hasb)
		desc(e, n->in[2], &b);
	struct ares_conv2d_params p = {
		.stride_h = 1,
		.stride_w = 1,
		.dilation_h = (uint32_t)g.dil[0],
		.dilation_w = (uint32_t)g.dil[1],
		.groups = (uint32_t)grp,
		.activation = (uint32_t)n->act,
		.act_alpha = F32_BITS(n->act_alpha),
		.act_beta = F32_BITS(n->act_beta),
	};
	return done(e, accel_cmdbuf_conv2d(e->cb, &p, &x, &w, hasb ? &b : NULL, &y));
}

int dev_node_emit(struct art_session *s, const struct rt_node *n, struct dev_val *dv,
		  accel_cmdbuf *cb, uint64_t arena_va, uint64_t weights_va, int *ncmds,
		  uint64_t prof_va, const uint64_t *ext_va)
{
	struct ectx ec = {s, dv, cb, arena_va, weights_va, prof_va, ncmds, ext_va}, *e = &ec;
	const struct dev_op *d = dev_op_lookup(n->proto->op_type);
	struct dev_val *xv = &dv[n->in[0]], *ov = &dv[n->out[0]];
	struct ares_tensor_desc x, y, w, b, c;
	int rc;
	switch (d->kind) {
	case DK_CONV: {
		struct dev_val *wv = &dv[n->in[1]];
		int nsp = wv->ndim - 2;
		struct geom g;
		window_geom(n, nsp, xv->dims + 2, wv->dims + 2, 0, &g);
		int64_t xd[4], wd[4], yd[4];
		for (int k = 0; k < 2; k++) {
			xd[k] = xv->dims[k];
			wd[k] = wv->dims[k];
			yd[k] = ov->dims[k];
		}
		xd[2] = nsp == 1 ? 1 : xv->dims[2];
		xd[3] = xv->dims[nsp + 1];
		wd[2] = g.k[0];
		wd[3] = g.k[1];
		yd[2] = g.out[0];
		yd[3] = g.out[1];
		desc_dims(e, n->in[0], 4, xd, &x);
		desc_dims(e, n->in[1], 4, wd, &w);
		desc_dims(e, n->out[0], 4, yd, &y);
		int hasb = n->nin > 2 && n->in[2] >= 0;
		if (hasb)
			desc(e, n->in[2], &b);
		struct ares_conv2d_params p = {
			.stride_h = (uint32_t)g.st[0],
			.stride_w = (uint32_t)g.st[1],
			.pad_top = (uint32_t)g.pb[0],
			.pad_left = (uint32_t)g.pb[1],
			.pad_bottom = (uint32_t)g.pe[0],
			.pad_right = (uint32_t)g.pe[1],
			.dilation_h = (uint32_t)g.dil[0],
			.dilation_w = (uint32_t)g.dil[1],
			.groups = (uint32_t)rt_attr_i(n, "group", 1),
			.activation = (uint32_t)n->act,
			.act_alpha = F32_BITS(n->act_alpha),
			.act_beta = F32_BITS(n->act_beta),
		};
		return done(e, accel_cmdbuf_conv2d(cb, &p, &x, &w, hasb ? &b : NULL, &y));
	}
	case DK_CONVT:
		return emit_convt(e, n);
	case DK_GEMM: {
		int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
		desc(e, n->in[0], &x);
		desc(e, n->in[1], &w);
		desc(e, n->out[0], &y);
		int hasc = n->nin > 2 && n->in[2] >= 0;
		if (hasc)
			desc_bcast(e, n->in[2], 2, ov->dims, &c);
		struct ares_matmul_params p = {
			.flags = (ta ? ARES_MATMUL_TRANS_A : 0) | (tb ? ARES_MATMUL_TRANS_B : 0),
			.activation = (uint32_t)n->act,
			.alpha = F32_BITS(rt_attr_f(n, "alpha", 1.0f)),
			.beta = F32_BITS(hasc ? rt_attr_f(n, "beta", 1.0f) : 0.0f),
			.act_alpha = F32_BITS(n->act_alpha),
			.act_beta = F32_BITS(n->act_beta),
		};
		return done(e, accel_cmdbuf_matmul(cb, &p, &x, &w, hasc ? &c : NULL, &y));
	}
	case DK_MATMUL: {
		struct dev_val *bv = &dv[n->in[1]];
		int64_t ad[ART_MAX_DIMS], bd[ART_MAX_DIMS], yd[ART_MAX_DIMS];
		int ra = xv->ndim, rb = bv->ndim;
		memcpy(ad, xv->dims, sizeof(ad));
		memcpy(bd, bv->dims, sizeof(bd));
		if (ra == 1) {
			ad[1] = ad[0];
			ad[0] = 1;
			ra = 2;
		}
		if (rb == 1) {
			bd[1] = 1;
			rb = 2;
		}
		int r = ra > rb ? ra : rb;
		if (r > ARES_MAX_RANK)
			return bad(s, n, "more than 6 dimensions");
		for (int k = 0; k < r - 2; k++) {
			int64_t da = k - (r - ra) >= 0 ? ad[k - (r - ra)] : 1;
			int64_t db = k - (r - rb) >= 0 ? bd[k - (r - rb)] : 1;
			yd[k] = da > db ? da : db;
		}
		yd[r - 2] = ad[ra - 2];
		yd[r - 1] = bd[rb - 1];
		struct ares_tensor_desc a0, b0;
		desc_dims(e, n->in[0], ra, ad, &a0);
		desc_dims(e, n->in[1], rb, bd, &b0);
		desc_dims(e, n->out[0], r, yd, &y);
		/* Batch dims aligned right, stride 0 where broadcast. */
		struct ares_tensor_desc *src[2] = {&a0, &b0}, *dst[2] = {&x, &w};
		int rk[2] = {ra, rb};
		for (int i = 0; i < 2; i++) {
			*dst[i] = *src[i];
			dst[i]->rank = (uint16_t)r;
			for (int k = 0; k < r; k++) {
				int j = k - (r - rk[i]);
				if (k >= r - 2) {
					dst[i]->shape[k] = src[i]->shape[j];
					dst[i]->stride[k] = src[i]->stride[j];
				} else {
					dst[i]->shape[k] = (uint64_t)yd[k];
					dst[i]->stride[k] = j >= 0 && src[i]->shape[j] != 1
								    ? src[i]->stride[j]
								    : 0;
				}
			}
		}
		/* A bias fused in by graph optimisation (graph/fuse.c) is C. */
		int hasc = n->nin > 2 && n->in[2] >= 0;
		if (hasc)
			desc_bcast(e, n->in[2], r, yd, &c);
		struct ares_matmul_params p = {.activation = (uint32_t)n->act,
					       .alpha = F32_BITS(1.0f),
					       .beta = F32_BITS(hasc ? 1.0f : 0.0f),
					       .act_alpha = F32_BITS(n->act_alpha),
					       .act_beta = F32_BITS(n->act_beta)};
		return done(e, accel_cmdbuf_matmul(cb, &p, &x, &w, hasc ? &c : NULL, &y));
	}
	case DK_UNARY: {
		float alpha = 0, beta = 0;
		if (d->arg == ARES_ELT_LEAKY_RELU)
			alpha = rt_attr_f(n, "alpha", 0.01f);
		if (d->arg == ARES_ELT_HARD_SIGMOID) {
			alpha = rt_attr_f(n, "alpha", 0.2f);
			beta = rt_attr_f(n, "beta", 0.5f);
		}
		return emit_act_unary(e, n, d->arg, alpha, beta);
	}
	case DK_CAST:
		return emit_act_unary(e, n, ARES_ELT_COPY, 0, 0);
	case DK_CLIP: {
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
	case DK_BINARY:
	case DK_VARIADIC:
	case DK_WHERE: {
		struct ares_tensor_desc in[3];
		const struct ares_tensor_desc *pin[3];
		for (int i = 0; i < n->nin; i++) {
			desc_bcast(e, n->in[i], ov->ndim, ov->dims, &in[i]);
			pin[i] = &in[i];
		}
		desc(e, n->out[0], &y);
		int op = d->kind == DK_WHERE ? ARES_ELT_WHERE : d->arg;
		if (op == ARES_ELT_MOD && rt_attr_i(n, "fmod", 0))
			op = ARES_ELT_FMOD;
		struct ares_eltwise_params p = {.op = (uint32_t)op};
		return done(e, accel_cmdbuf_eltwise(cb, &p, (uint32_t)n->nin, pin, &y));
	}
	case DK_VIEW:
		return 0;
	case DK_POOL: {
		int nsp = xv->ndim - 2;
		struct geom g;
		int64_t xd[4] = {xv->dims[0], xv->dims[1], nsp == 1 ? 1 : xv->dims[2],
				 xv->dims[nsp + 1]};
		int64_t yd[4] = {ov->dims[0], ov->dims[1], nsp == 1 ? 1 : ov->dims[2],
				 ov->dims[nsp + 1]};
		int op = d->arg & ~DEV_POOL_GLOBAL;
		if (d->arg & DEV_POOL_GLOBAL) {
			memset(&g, 0, sizeof(g));
			g.k[0] = xd[2];
			g.k[1] = xd[3];
			g.st[0] = g.st[1] = g.dil[0] = g.dil[1] = 1;
		} else {
			int64_t k[2];
			attr_ints(n, "kernel_shape", k, 2);
			window_geom(n, nsp, xv->dims + 2, k, (int)rt_attr_i(n, "ceil_mode", 0), &g);
			if (op == ARES_POOL_AVG && rt_attr_i(n, "count_include_pad", 0))
				op = ARES_POOL_AVG_PAD;
		}
		desc_dims(e, n->in[0], 4, xd, &x);
		desc_dims(e, n->out[0], 4, yd, &y);
		struct ares_pool_params p = {.op = (uint32_t)op,
					     .kernel_h = (uint32_t)g.k[0],
					     .kernel_w = (uint32_t)g.k[1],
					     .stride_h = (uint32_t)g.st[0],
					     .stride_w = (uint32_t)g.st[1],
					     .pad_top = (uint32_t)g.pb[0],
					     .pad_left = (uint32_t)g.pb[1],
					     .pad_bottom = (uint32_t)g.pe[0],
					     .pad_right = (uint32_t)g.pe[1],
					     .dilation_h = (uint32_t)g.dil[0],
					     .dilation_w = (uint32_t)g.dil[1]};
		return done(e, accel_cmdbuf_pool(cb, &p, &x, &y));
	}
	case DK_REDUCE: {
		unsigned m;
		if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN)
			m = 1u << norm_axis(rt_attr_i(n, "axis", 0), xv->ndim);
		else
			reduce_axes(s, n, xv->ndim, &m);
		int64_t yd[ART_MAX_DIMS];
		for (int k = 0; k < xv->ndim; k++)
			yd[k] = (m & (1u << k)) ? 1 : xv->dims[k];
		desc(e, n->in[0], &x);
		desc_dims(e, n->out[0], xv->ndim, yd, &y);
		struct ares_reduce_params p = {.op = (uint32_t)d->arg, .axes = m};
		return done(e, accel_cmdbuf_reduce(cb, &p, &x, &y));
	}
	case DK_SOFTMAX: {
		int64_t axis;
		if (s->opset < 13) {
			/* Before opset 13 the input is coerced to 2-D at axis. */
			int64_t a = norm_axis(rt_attr_i(n, "axis", 1), xv->ndim);
			int64_t d2[2] = {prod(xv->dims, 0, (int)a),
					 prod(xv->dims, (int)a, xv->ndim)};
			desc_dims(e, n->in[0], 2, d2, &x);
			desc_dims(e, n->out[0], 2, d2, &y);
			axis = 1;
		} else {
			axis = norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
			desc(e, n->in[0], &x);
			desc(e, n->out[0], &y);
		}
		struct ares_softmax_params p = {.axis = (uint32_t)axis, .flags = (uint32_t)d->arg};
		return done(e, accel_cmdbuf_softmax(cb, &p, &x, &y));
	}
	case DK_BATCHNORM:
	case DK_INSTNORM: {
		struct ares_tensor_desc sc, bi, mu, var;
		int bn = d->kind == DK_BATCHNORM;
		desc(e, n->in[0], &x);
		desc(e, n->out[0], &y);
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
		return done(e, accel_cmdbuf_norm(cb, &p, &x, &sc, &bi, bn ? &mu : NULL,
						 bn ? &var : NULL, &y));
	}
	case DK_LAYERNORM: {
		struct ares_tensor_desc sc, bi;
		int64_t axis = norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
		desc(e, n->in[0], &x);
		desc(e, n->out[0], &y);
		int hs = n->nin > 1 && n->in[1] >= 0, hb = n->nin > 2 && n->in[2] >= 0;
		if (hs)
			desc_bcast(e, n->in[1], xv->ndim, xv->dims, &sc);
		if (hb)
			desc_bcast(e, n->in[2], xv->ndim, xv->dims, &bi);
		struct ares_norm_params p = {.kind = ARES_NORM_LAYER,
					     .axis = (uint32_t)axis,
					     .epsilon = F32_BITS(rt_attr_f(n, "epsilon", 1e-5f)),
					     .activation = (uint32_t)n->act,
					     .act_alpha = F32_BITS(n->act_alpha),
					     .act_beta = F32_BITS(n->act_beta)};
		return done(e, accel_cmdbuf_norm(cb, &p, &x, hs ? &sc : NULL, hb ? &bi : NULL, NULL,
						 NULL, &y));
	}
	case DK_RESIZE: {
		float sc[ART_MAX_DIMS];
		int64_t dims[ART_MAX_DIMS];
		resize_params(s, n, xv, dims, sc);
		struct ares_resize_params p = {0};
		p.mode = attr_is(n, "mode", "linear", 0) ? ARES_RESIZE_LINEAR : ARES_RESIZE_NEAREST;
		if (s->opset < 11) {
			p.coord = ARES_COORD_ASYMMETRIC;
			p.nearest = ARES_NEAREST_FLOOR;
		} else {
			static const char *const coords[] = {"half_pixel", "asymmetric",
							     "align_corners", "pytorch_half_pixel",
							     "tf_half_pixel_for_nearest"};
			static const char *const nearest[] = {"round_prefer_floor",
							      "round_prefer_ceil", "floor", "ceil"};
			p.coord = ARES_COORD_HALF_PIXEL;
			for (uint32_t i = 0; i < 5; i++)
				if (attr_is(n, "coordinate_transformation_mode", coords[i], 0))
					p.coord = i;
			/* The name opset 11's first test data used. */
			if (attr_is(n, "coordinate_transformation_mode", "tf_half_pixel_for_nn", 0))
				p.coord = ARES_COORD_TF_HALF_PIXEL_FOR_NN;
			p.nearest = ARES_NEAREST_ROUND_PREFER_FLOOR;
			for (uint32_t i = 0; i < 4; i++)
				if (attr_is(n, "nearest_mode", nearest[i], 0))
					p.nearest = i;
		}
		for (int k = 0; k < xv->ndim; k++)
			p.scale[k] = F32_BITS(sc[k]);
		desc(e, n->in[0], &x);
		desc(e, n->out[0], &y);
		return done(e, accel_cmdbuf_resize(cb, &p, &x, &y));
	}
	case DK_TRANSPOSE: {
		int64_t perm[ART_MAX_DIMS];
		int np = attr_ints(n, "perm", perm, ART_MAX_DIMS);
		struct ares_tensor_desc own;
		desc(e, n->in[0], &own);
		desc(e, n->out[0], &y);
		x = own;
		for (int k = 0; k < xv->ndim; k++) {
			int64_t p = np < 0 ? xv->ndim - 1 - k : perm[k];
			x.shape[k] = own.shape[p];
			x.stride[k] = own.stride[p];
		}
		return emit_copy_view(e, &x, &y);
	}
	case DK_SLICE: {
		int64_t st[ART_MAX_DIMS], sp[ART_MAX_DIMS], len[ART_MAX_DIMS];
		slice_params(s, n, xv, st, sp, len);
		desc(e, n->in[0], &x);
		desc(e, n->out[0], &y);
		for (int k = 0; k < xv->ndim; k++) {
			x.va += (uint64_t)st[k] * x.stride[k] * esize(xv->dtype);
			x.shape[k] = (uint64_t)len[k];
			x.stride[k] *= (uint64_t)sp[k];
		}
		return emit_copy_view(e, &x, &y);
	}
	case DK_CONCAT: {
		int64_t a = norm_axis(rt_attr_i(n, "axis", 0), xv->ndim), at = 0;
		struct ares_tensor_desc all;
		desc(e, n->out[0], &all);
		for (int i = 0; i < n->nin; i++) {
			struct dev_val *v = &dv[n->in[i]];
			desc(e, n->in[i], &x);
			y = all;
			y.va += (uint64_t)at * all.stride[a] * esize(ov->dtype);
			y.shape[a] = (uint64_t)v->dims[a];
			at += v->dims[a];
			if ((rc = emit_copy_view(e, &x, &y)))
				return rc;
		}
		return 0;
	}
	case DK_PAD: {
		int64_t pb[ART_MAX_DIMS], pe[ART_MAX_DIMS];
		pad_params(s, n, xv->ndim, pb, pe);
		struct ares_pad_params p = {0};
		p.mode = attr_is(n, "mode", "reflect", 0) ? ARES_PAD_REFLECT
			 : attr_is(n, "mode", "edge", 0)  ? ARES_PAD_EDGE
							  : ARES_PAD_CONSTANT;
		for (int k = 0; k < xv->ndim; k++) {
			p.begin[k] = (uint32_t)pb[k];
			p.end[k] = (uint32_t)pe[k];
		}
		if (s->opset < 11) {
			float f = rt_attr_f(n, "value", 0.0f);
			p.value = F32_BITS(f);
		} else if (host_value(s, n, 2)) {
			memcpy(&p.value, s->vals[n->in[2]].t.data, esize(xv->dtype));
		}
		desc(e, n->in[0], &x);
		desc(e, n->out[0], &y);
		return done(e, accel_cmdbuf_pad(cb, &p, &x, &y));
	}
	case DK_GATHER: {
		int64_t a = norm_axis(rt_attr_i(n, "axis", 0), xv->ndim);
		desc(e, n->in[0], &x);
		desc(e, n->in[1], &w);
		desc(e, n->out[0], &y);
		return done(e, accel_cmdbuf_gather(cb, (uint32_t)a, &x, &w, &y));
	}
	default:
		return bad(s, n, "no device form");
	}
}
