// SPDX-License-Identifier: MIT
/*
 * Layout ops on the device: views (Reshape and kin), Resize, Transpose,
 * Slice, Concat, Pad and Gather.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/half.h"
#include "device/common.h"

static int slice_params(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			int64_t *start, int64_t *step, int64_t *len)
{
	int64_t st[ART_MAX_DIMS], en[ART_MAX_DIMS], ax[ART_MAX_DIMS], sp[ART_MAX_DIMS];
	int ns, ne, na, nsp;
	if (s->opset < 10) {
		ns = rt_attr_ints_capped(n, "starts", st, ART_MAX_DIMS);
		ne = rt_attr_ints_capped(n, "ends", en, ART_MAX_DIMS);
		na = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
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
		int64_t a = na >= 0 ? dev_norm_axis(ax[i], x->ndim) : i;
		if (a < 0 || a >= x->ndim)
			return -1;
		int64_t d = x->dims[a], b = st[i], e = en[i], p = nsp >= 0 ? sp[i] : 1;
		if (p == 0)
			return -1;
		b = b < 0 ? b + d : b;
		e = e < 0 ? e + d : e;
		if (p > 0) {
			b = b < 0 ? 0 : b > d ? d : b;
			e = e < 0 ? 0 : e > d ? d : e;
			len[a] = e > b ? (e - b + p - 1) / p : 0;
		} else {
			/* As the CPU kernel: from b down to past e. */
			b = b < 0 ? 0 : b > d - 1 ? d - 1 : b;
			e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
			len[a] = b > e ? (b - e - p - 1) / -p : 0;
		}
		start[a] = b;
		step[a] = p;
	}
	return 0;
}

static int pad_params(struct art_session *s, const struct rt_node *n, int rank, int64_t *b,
		      int64_t *e)
{
	int64_t p[2 * ART_MAX_DIMS], ax[ART_MAX_DIMS];
	int np = s->opset < 11 ? rt_attr_ints_capped(n, "pads", p, 2 * ART_MAX_DIMS)
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
		int64_t a = dev_norm_axis(ax[i], rank);
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

static size_t esize(int dtype)
{
	return art_dtype_size(dtype);
}

static const char *view_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const char *op = c->op;
	if (!strcmp(op, "Reshape") && (s->opset < 5 || !dev_plan_known(s, n, 1)))
		return "Reshape shape computed at run time";
	if ((!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) && !dev_plan_known(s, n, 1))
		return "axes computed at run time";
	if (!strcmp(op, "Unsqueeze") && n->nin < 2 && !rt_attr(n, "axes"))
		return "Unsqueeze without axes";
	if (!strcmp(op, "Squeeze") && n->nin < 2 && !rt_attr(n, "axes"))
		return "Squeeze of every size-1 dimension (shape-dependent)";
	return NULL;
}

static const char *resize_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	char *buf = c->buf;
	size_t len = c->len;
	char sb[64];
	const char *mode = dev_attr_s(n, "mode", "nearest", sb, sizeof(sb));
	if (strcmp(mode, "nearest") && strcmp(mode, "linear") && strcmp(mode, "cubic")) {
		snprintf(buf, len, "Resize mode %s not supported by the device", mode);
		return buf;
	}
	if (strcmp(mode, "nearest") && !dev_is_float(x))
		return dev_float_only(c);
	if (!strcmp(mode, "cubic") && !isfinite(rt_attr_f(n, "cubic_coeff_a", -0.75f)))
		return "Resize cubic_coeff_a not finite";
	if (!strcmp(mode, "cubic") && (rt_attr_i(n, "exclude_outside", 0) & ~1ll))
		return "Resize exclude_outside other than 0 or 1";
	char cb[64];
	const char *coord =
		dev_attr_s(n, "coordinate_transformation_mode", "half_pixel", cb, sizeof(cb));
	if (!strcmp(coord, "tf_crop_and_resize"))
		return "Resize coordinate mode tf_crop_and_resize not supported by the "
		       "device";
	/* ONNX maps align_corners through the fractional length in * scale,
	 * the device through the integer output length: such scales run as
	 * ASYMMETRIC (align_as_asymmetric), nearest is refused
	 * (resize_shapes). */
	static const char *const coords[] = {"half_pixel",
					     "asymmetric",
					     "align_corners",
					     "pytorch_half_pixel",
					     "tf_half_pixel_for_nearest",
					     "tf_half_pixel_for_nn"};
	int known = 0;
	for (size_t i = 0; i < sizeof(coords) / sizeof(coords[0]); i++)
		known |= !strcmp(coord, coords[i]);
	if (!known) {
		snprintf(buf, len, "Resize coordinate mode %s not supported by the device", coord);
		return buf;
	}
	char nb[64];
	const char *near = dev_attr_s(n, "nearest_mode", "round_prefer_floor", nb, sizeof(nb));
	if (strcmp(near, "round_prefer_floor") && strcmp(near, "round_prefer_ceil") &&
	    strcmp(near, "floor") && strcmp(near, "ceil")) {
		snprintf(buf, len, "Resize nearest mode %s not supported by the device", near);
		return buf;
	}
	if (rt_attr_i(n, "antialias", 0))
		return "Resize with antialias not supported by the device";
	if (rt_attr(n, "axes"))
		return "Resize with axes not supported by the device";
	char kb[64];
	if (strcmp(dev_attr_s(n, "keep_aspect_ratio_policy", "stretch", kb, sizeof(kb)), "stretch"))
		return "Resize keep_aspect_ratio_policy other than stretch";
	for (int i = 1; i < n->nin; i++)
		if (!dev_plan_known(s, n, i))
			return "Resize scales or sizes computed on the device";
	return NULL;
}

/* Upsample (opset 9) is Resize-10: scales as input 1, asymmetric,
 * nearest rounding down (resize_emit). */
static const char *upsample_check(const struct dev_check *c)
{
	if (c->n->nin < 2 || c->n->in[1] < 0)
		return "Upsample with scales as an attribute (opset 7)";
	return resize_check(c);
}

static const char *layout_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	int y = c->y;
	if (d->kind == DK_CONCAT)
		for (int i = 1; i < n->nin; i++)
			if (n->in[i] >= 0 && dev_value_dtype(s, n->in[i]) != x)
				return "Concat of mixed dtypes";
	if (d->kind == DK_GATHER && !dev_is_int(y))
		return "Gather indices are not int32 or int64";
	return NULL;
}

static const char *slice_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	for (int i = 1; i < n->nin; i++)
		if (!dev_plan_known(s, n, i))
			return "Slice bounds computed on the device";
	return NULL;
}

static const char *pad_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	char *buf = c->buf;
	size_t len = c->len;
	char sb[64];
	const char *mode = dev_attr_s(n, "mode", "constant", sb, sizeof(sb));
	if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge")) {
		snprintf(buf, len, "Pad mode %s not supported by the device", mode);
		return buf;
	}
	if (!dev_plan_known(s, n, 1) || !dev_plan_known(s, n, 3))
		return "Pad amounts or axes computed on the device";
	if (!dev_plan_known(s, n, 2))
		return "Pad value computed on the device";
	/* Amounts known only when planning are checked then (pad_shapes). */
	int64_t pads[2 * ART_MAX_DIMS];
	int np = s->opset < 11 || !dev_const_or_absent(s, n, 1)
			 ? 0
			 : dev_const_ints(s, n, 1, pads, 2 * ART_MAX_DIMS);
	const Onnx__AttributeProto *a = rt_attr(n, "pads");
	if (s->opset < 11 && a)
		for (size_t i = 0; i < a->n_ints && i < 2 * ART_MAX_DIMS; i++)
			pads[np++] = a->ints[i];
	for (int i = 0; i < np; i++)
		if (pads[i] < 0)
			return "Pad with negative amounts (cropping)";
	return NULL;
}

static int view_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	const char *op = n->proto->op_type;
	o->root = x->root;
	int r = 0;
	if (!strcmp(op, "Reshape")) {
		int64_t sh[ART_MAX_DIMS];
		r = dev_const_ints(s, n, 1, sh, ART_MAX_DIMS);
		if (r < 0)
			return dev_bad(s, n, "shape is not a constant of at most 8 dims");
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
		int64_t total = dev_prod(x->dims, 0, x->ndim);
		if (infer >= 0)
			dims[infer] = known ? total / known : 0;
		if (dev_prod(dims, 0, r) != total)
			return dev_bad(s, n, "shape does not match the element count");
	} else if (!strcmp(op, "Flatten")) {
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 1), x->ndim);
		if (a < 0 || a > x->ndim)
			return dev_bad(s, n, "axis out of range");
		dims[0] = dev_prod(x->dims, 0, (int)a);
		dims[1] = dev_prod(x->dims, (int)a, x->ndim);
		r = 2;
	} else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) {
		int64_t ax[ART_MAX_DIMS];
		int na = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
		if (na < 0)
			na = dev_const_ints(s, n, 1, ax, ART_MAX_DIMS);
		int sq = op[0] == 'S';
		r = sq ? x->ndim - na : x->ndim + na;
		if (na < 0 || r < 0 || r > ART_MAX_DIMS)
			return dev_bad(s, n, "axes out of range");
		unsigned m = 0;
		for (int i = 0; i < na; i++) {
			int64_t a = dev_norm_axis(ax[i], sq ? x->ndim : r);
			if (a < 0 || a >= (sq ? x->ndim : r) || (sq && x->dims[a] != 1))
				return dev_bad(s, n, "axis out of range or not of size 1");
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
	dev_set_out(o, x->dtype, r, dims);
	return 0;
}

static int resize_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	float sc[ART_MAX_DIMS];
	if (resize_params(s, n, x, dims, sc))
		return dev_bad(s, n, "scales or sizes do not match the input rank");
	for (int k = 0; k < x->ndim && s->opset >= 11; k++) {
		double len = (double)x->dims[k] * sc[k];
		if (sc[k] && len != floor(len) &&
		    rt_attr_is(n, "coordinate_transformation_mode", "align_corners", 0) &&
		    !rt_attr_is(n, "mode", "linear", 0) && !rt_attr_is(n, "mode", "cubic", 0))
			return dev_bad(s, n,
				       "nearest align_corners with scales giving a fractional "
				       "output length");
	}
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int transpose_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	int64_t perm[ART_MAX_DIMS];
	int np = rt_attr_ints_capped(n, "perm", perm, ART_MAX_DIMS);
	for (int k = 0; k < x->ndim; k++) {
		int64_t p = np < 0 ? x->ndim - 1 - k : perm[k];
		if (np >= 0 && (np != x->ndim || p < 0 || p >= x->ndim))
			return dev_bad(s, n, "perm does not match the input rank");
		dims[k] = x->dims[p];
	}
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int slice_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	int64_t st[ART_MAX_DIMS], sp[ART_MAX_DIMS];
	if (slice_params(s, n, x, st, sp, dims))
		return dev_bad(s, n, "starts, ends, axes or steps out of range");
	/* The contract's strides are non-negative: each index along a
	 * reversed dim is a COPY of its own. */
	int64_t xs[ART_MAX_DIMS], ys[ART_MAX_DIMS];
	for (int k = 0; k < x->ndim; k++)
		xs[k] = ys[k] = sp[k] < 0 ? -1 : 1;
	if (dev_copy_signed_count(x->ndim, dims, xs, ys) > 1024)
		return dev_bad(s, n, "negative steps that need more than 1024 copies");
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int concat_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	if (a < 0 || a >= x->ndim)
		return dev_bad(s, n, "axis out of range");
	memcpy(dims, x->dims, sizeof(dims));
	dims[a] = 0;
	for (int i = 0; i < n->nin; i++) {
		struct dev_val *v = &dv[n->in[i]];
		if (v->ndim != x->ndim)
			return dev_bad(s, n, "inputs of different ranks");
		for (int k = 0; k < x->ndim; k++)
			if (k != a && v->dims[k] != x->dims[k])
				return dev_bad(s, n, "inputs differ off the axis");
		dims[a] += v->dims[a];
	}
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int pad_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	int64_t b[ART_MAX_DIMS], e[ART_MAX_DIMS];
	if (pad_params(s, n, x->ndim, b, e))
		return dev_bad(s, n, "pads do not match the input rank");
	int reflect = rt_attr_is(n, "mode", "reflect", 0), edge = rt_attr_is(n, "mode", "edge", 0);
	for (int k = 0; k < x->ndim; k++) {
		if (b[k] < 0 || e[k] < 0)
			return dev_bad(s, n, "negative pads (cropping) on the device");
		if (reflect && (b[k] >= x->dims[k] || e[k] >= x->dims[k]))
			return dev_bad(s, n, "reflect pads not below the dim");
		if (edge && !x->dims[k] && (b[k] || e[k]))
			return dev_bad(s, n, "edge pads of an empty dim");
		dims[k] = x->dims[k] + b[k] + e[k];
	}
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int gather_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	struct dev_val *ix = &dv[n->in[1]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	int r = 0;
	if (a < 0 || a >= x->ndim || x->ndim - 1 + ix->ndim > ARES_MAX_RANK)
		return dev_bad(s, n, "axis out of range or result rank above 6");
	for (int k = 0; k < a; k++)
		dims[r++] = x->dims[k];
	for (int k = 0; k < ix->ndim; k++)
		dims[r++] = ix->dims[k];
	for (int k = (int)a + 1; k < x->ndim; k++)
		dims[r++] = x->dims[k];
	dev_set_out(o, x->dtype, r, dims);
	return 0;
}

/* A view: its output is its input's storage (plan.c), nothing to run. */
static int view_emit(struct ectx *e)
{
	(void)e;
	return 0;
}

/* The spec's align_corners maps o to o (in - 1) / (in * scale - 1), with
 * the fractional resized length when scales were given (as the CPU
 * kernel, cpu/kernels_resize.c); the device's ALIGN_CORNERS takes the
 * output's integer length. When a length is fractional, the same map is
 * ASYMMETRIC's o / s with s = (in * scale - 1) / (in - 1) (any s for
 * in = 1, whose taps all clamp to 0; s = 0, the device's out / in, where
 * out <= 1 maps only o = 0). Scales were given: a size decides no dim.
 * Linear and cubic only: their weights move by an ulp, a nearest tap
 * could flip (resize_shapes refuses that). */
static void align_as_asymmetric(const struct dev_val *x, const float *sc,
				struct ares_resize_params *p)
{
	int frac = 0;
	for (int k = 0; k < x->ndim; k++) {
		double len = (double)x->dims[k] * sc[k];
		frac |= sc[k] && len != floor(len);
	}
	if (!frac)
		return;
	p->coord = ARES_COORD_ASYMMETRIC;
	for (int k = 0; k < x->ndim; k++) {
		int64_t in = x->dims[k];
		double len = (double)in * sc[k];
		float a = 1.0f;
		if (in > 1)
			a = len > 1 ? (float)((len - 1) / (double)(in - 1)) : 0.0f;
		p->scale[k] = F32_BITS(a);
	}
}

static int resize_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	float sc[ART_MAX_DIMS];
	int64_t dims[ART_MAX_DIMS];
	resize_params(s, n, xv, dims, sc);
	struct ares_resize_params p = {0};
	p.mode = rt_attr_is(n, "mode", "linear", 0)  ? ARES_RESIZE_LINEAR
		 : rt_attr_is(n, "mode", "cubic", 0) ? ARES_RESIZE_CUBIC
						     : ARES_RESIZE_NEAREST;
	if (p.mode == ARES_RESIZE_CUBIC) {
		p.cubic_a = F32_BITS(rt_attr_f(n, "cubic_coeff_a", -0.75f));
		p.exclude_outside = (uint32_t)rt_attr_i(n, "exclude_outside", 0);
	}
	if (s->opset < 11) {
		p.coord = ARES_COORD_ASYMMETRIC;
		p.nearest = ARES_NEAREST_FLOOR;
	} else {
		static const char *const coords[] = {"half_pixel", "asymmetric", "align_corners",
						     "pytorch_half_pixel",
						     "tf_half_pixel_for_nearest"};
		static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil",
						      "floor", "ceil"};
		p.coord = ARES_COORD_HALF_PIXEL;
		for (uint32_t i = 0; i < 5; i++)
			if (rt_attr_is(n, "coordinate_transformation_mode", coords[i], 0))
				p.coord = i;
		/* The name opset 11's first test data used. */
		if (rt_attr_is(n, "coordinate_transformation_mode", "tf_half_pixel_for_nn", 0))
			p.coord = ARES_COORD_TF_HALF_PIXEL_FOR_NN;
		p.nearest = ARES_NEAREST_ROUND_PREFER_FLOOR;
		for (uint32_t i = 0; i < 4; i++)
			if (rt_attr_is(n, "nearest_mode", nearest[i], 0))
				p.nearest = i;
	}
	for (int k = 0; k < xv->ndim; k++)
		p.scale[k] = F32_BITS(sc[k]);
	if (p.coord == ARES_COORD_ALIGN_CORNERS && p.mode != ARES_RESIZE_NEAREST)
		align_as_asymmetric(xv, sc, &p);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	return dev_done(e, accel_cmdbuf_resize(cb, &p, &x, &y));
}

static int transpose_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int64_t perm[ART_MAX_DIMS];
	int np = rt_attr_ints_capped(n, "perm", perm, ART_MAX_DIMS);
	struct ares_tensor_desc own;
	dev_desc(e, n->in[0], &own);
	dev_desc(e, n->out[0], &y);
	x = own;
	for (int k = 0; k < xv->ndim; k++) {
		int64_t p = np < 0 ? xv->ndim - 1 - k : perm[k];
		x.shape[k] = own.shape[p];
		x.stride[k] = own.stride[p];
	}
	return dev_emit_copy_view(e, &x, &y);
}

static int slice_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int64_t st[ART_MAX_DIMS], sp[ART_MAX_DIMS], len[ART_MAX_DIMS];
	slice_params(s, n, xv, st, sp, len);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	int reversed = 0;
	for (int k = 0; k < xv->ndim; k++)
		reversed |= sp[k] < 0;
	if (reversed) {
		int64_t xs[ART_MAX_DIMS], ys[ART_MAX_DIMS];
		uint64_t va = x.va;
		for (int k = 0; k < xv->ndim; k++) {
			va += (uint64_t)st[k] * x.stride[k] * esize(xv->dtype);
			xs[k] = (int64_t)x.stride[k] * sp[k];
			ys[k] = (int64_t)y.stride[k];
		}
		return dev_copy_signed(e, x.dtype, va, y.va, xv->ndim, len, xs, ys);
	}
	for (int k = 0; k < xv->ndim; k++) {
		x.va += (uint64_t)st[k] * x.stride[k] * esize(xv->dtype);
		x.shape[k] = (uint64_t)len[k];
		x.stride[k] *= (uint64_t)sp[k];
	}
	return dev_emit_copy_view(e, &x, &y);
}

static int concat_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *dv = e->dv;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int rc;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), xv->ndim), at = 0;
	struct ares_tensor_desc all;
	dev_desc(e, n->out[0], &all);
	for (int i = 0; i < n->nin; i++) {
		struct dev_val *v = &dv[n->in[i]];
		dev_desc(e, n->in[i], &x);
		y = all;
		y.va += (uint64_t)at * all.stride[a] * esize(ov->dtype);
		y.shape[a] = (uint64_t)v->dims[a];
		at += v->dims[a];
		if ((rc = dev_emit_copy_view(e, &x, &y)))
			return rc;
	}
	return 0;
}

static int pad_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int64_t pb[ART_MAX_DIMS], pe[ART_MAX_DIMS];
	pad_params(s, n, xv->ndim, pb, pe);
	struct ares_pad_params p = {0};
	p.mode = rt_attr_is(n, "mode", "reflect", 0) ? ARES_PAD_REFLECT
		 : rt_attr_is(n, "mode", "edge", 0)  ? ARES_PAD_EDGE
						     : ARES_PAD_CONSTANT;
	for (int k = 0; k < xv->ndim; k++) {
		p.begin[k] = (uint32_t)pb[k];
		p.end[k] = (uint32_t)pe[k];
	}
	if (s->opset < 11) {
		float f = rt_attr_f(n, "value", 0.0f);
		/* The value is a pattern of y's dtype (hw-spec §12.10). */
		p.value = xv->dtype == ART_FLOAT16    ? rt_f16_from_d(f)
			  : xv->dtype == ART_BFLOAT16 ? rt_bf16_from_d(f)
						      : F32_BITS(f);
	} else if (dev_host_value(s, n, 2)) {
		memcpy(&p.value, s->vals[n->in[2]].t.data, esize(xv->dtype));
	}
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	return dev_done(e, accel_cmdbuf_pad(cb, &p, &x, &y));
}

static int gather_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc w;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), xv->ndim);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->in[1], &w);
	dev_desc(e, n->out[0], &y);
	return dev_done(e, accel_cmdbuf_gather(cb, (uint32_t)a, &x, &w, &y));
}

static const struct dev_form dev_form_view = {
	.check = view_check,
	.shapes = view_shapes,
	.emit = view_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_resize = {
	.check = resize_check,
	.shapes = resize_shapes,
	.emit = resize_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_upsample = {
	.check = upsample_check,
	.shapes = resize_shapes,
	.emit = resize_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_transpose = {
	.check = layout_check,
	.shapes = transpose_shapes,
	.emit = transpose_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_slice = {
	.check = slice_check,
	.shapes = slice_shapes,
	.emit = slice_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_concat = {
	.check = layout_check,
	.shapes = concat_shapes,
	.emit = concat_emit,
	.operands = ~0u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_pad = {
	.check = pad_check,
	.shapes = pad_shapes,
	.emit = pad_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_gather = {
	.check = layout_check,
	.shapes = gather_shapes,
	.emit = gather_emit,
	.operands = 7u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op tensor_ops[] = {
	{"Concat", DK_CONCAT, 0, &dev_form_concat},
	{"Flatten", DK_VIEW, 0, &dev_form_view},
	{"Gather", DK_GATHER, 0, &dev_form_gather},
	{"Identity", DK_VIEW, 0, &dev_form_view},
	{"Pad", DK_PAD, 0, &dev_form_pad},
	{"Reshape", DK_VIEW, 0, &dev_form_view},
	{"Resize", DK_RESIZE, 0, &dev_form_resize},
	{"Slice", DK_SLICE, 0, &dev_form_slice},
	{"Squeeze", DK_VIEW, 0, &dev_form_view},
	{"Transpose", DK_TRANSPOSE, 0, &dev_form_transpose},
	{"Unsqueeze", DK_VIEW, 0, &dev_form_view},
	{"Upsample", DK_RESIZE, 0, &dev_form_upsample},
};

const struct dev_op_family dev_ops_tensor = DEV_OP_FAMILY(tensor_ops);
