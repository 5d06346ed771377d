// SPDX-License-Identifier: MIT
/* CPU reference kernels: Resize (opset 10 and 11+) and Upsample. Each axis
 * maps an output coordinate back to the input (the coordinate
 * transformation mode), then takes taps there: one for nearest, two for
 * linear, four for cubic, with weights. N-d interpolation is the product of
 * the per-axis taps, so axes left at scale 1 cost one tap. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

enum rmode { RM_NEAREST, RM_LINEAR, RM_CUBIC };
enum ctm { CT_HALF, CT_PT_HALF, CT_ALIGN, CT_ASYM, CT_TF_NN, CT_CROP };
enum nmode { NM_PREFER_FLOOR, NM_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE };

struct taps {
	int64_t idx[4];
	double w[4];
	int n;
	int outside; /* tf_crop_and_resize sampled outside the input */
};

struct rsz {
	enum rmode mode;
	enum ctm ctm;
	enum nmode nm;
	double a, extrap;
	int exclude;
};

/* OUT is the resized length as the spec computes it, in * scale, which
 * is not an integer when scales were given. */
static double src_coord(const struct rsz *r, double x, double scale, int64_t in, double out,
			double r0, double r1)
{
	switch (r->ctm) {
	case CT_HALF:
		return (x + 0.5) / scale - 0.5;
	case CT_PT_HALF:
		return out > 1 ? (x + 0.5) / scale - 0.5 : 0;
	case CT_ALIGN:
		return out == 1 ? 0 : x * (double)(in - 1) / (out - 1);
	case CT_TF_NN:
		return (x + 0.5) / scale;
	case CT_CROP:
		return out > 1 ? r0 * (double)(in - 1) +
					 x * (r1 - r0) * (double)(in - 1) / (out - 1)
			       : 0.5 * (r0 + r1) * (double)(in - 1);
	default:
		return x / scale;
	}
}

static int64_t clampi(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void cubic_coeffs(double t, double a, double *c)
{
	double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
	c[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
	c[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
	c[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
	c[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

static void make_taps(const struct rsz *r, double x, int64_t in, double scale, struct taps *t)
{
	t->outside = r->ctm == CT_CROP && (x < 0 || x > (double)(in - 1));
	if (r->mode == RM_NEAREST) {
		double f = floor(x);
		int64_t i;
		switch (r->nm) {
		case NM_PREFER_FLOOR:
			i = (int64_t)(x - f == 0.5 ? f : round(x));
			break;
		case NM_PREFER_CEIL:
			i = (int64_t)(x - f == 0.5 ? f + 1 : round(x));
			break;
		case NM_FLOOR:
			i = (int64_t)f;
			break;
		case NM_CEIL:
			i = (int64_t)ceil(x);
			break;
		default: /* before opset 11: ceil when shrinking, truncate otherwise */
			i = scale < 1 ? (int64_t)ceil(x) : (int64_t)x;
			break;
		}
		t->n = 1;
		t->idx[0] = clampi(i, 0, in - 1);
		t->w[0] = 1;
		return;
	}
	double f = floor(x), d = x - f, c[4];
	int64_t base;
	if (r->mode == RM_LINEAR) {
		t->n = 2;
		c[0] = 1 - d;
		c[1] = d;
		base = (int64_t)f;
	} else {
		t->n = 4;
		cubic_coeffs(d, r->a, c);
		base = (int64_t)f - 1;
	}
	double sum = 0;
	for (int k = 0; k < t->n; k++) {
		int64_t i = base + k;
		if (r->exclude && (i < 0 || i >= in))
			c[k] = 0;
		sum += c[k];
	}
	int m = 0;
	for (int k = 0; k < t->n; k++) {
		double w = r->exclude && sum != 0 ? c[k] / sum : c[k];
		if (w == 0)
			continue;
		t->idx[m] = clampi(base + k, 0, in - 1);
		t->w[m++] = w;
	}
	t->n = m;
}

struct job {
	const struct art_tensor *x;
	const struct taps *tp[ART_MAX_DIMS];
	int64_t stride[ART_MAX_DIMS];
	int nd;
};

static double gather(const struct job *j, const int64_t *oi, int ax, int64_t off)
{
	if (ax == j->nd)
		return rt_get_d(j->x, off);
	const struct taps *t = &j->tp[ax][oi[ax]];
	double acc = 0;
	for (int k = 0; k < t->n; k++)
		acc += t->w[k] * gather(j, oi, ax + 1, off + t->idx[k] * j->stride[ax]);
	return acc;
}

/* An axis whose taps copy it unchanged (scale 1 in effect). */
static int identity_axis(const struct taps *t, int64_t in, int64_t out)
{
	if (in != out)
		return 0;
	for (int64_t i = 0; i < out; i++)
		if (t[i].n != 1 || t[i].idx[0] != i || t[i].w[0] != 1 || t[i].outside)
			return 0;
	return 1;
}

/*
 * The common case at the speed of a copy: f32, every axis but the last
 * two unchanged, nothing sampled outside. The same taps, weights and
 * double sums in the same order as gather(), so the result is the
 * reference loop's bit for bit; only the per-element recursion and the
 * typed loads go. 0 when done, RT_CPU_DECLINED for the general loop.
 */
static int resize_f32_planes(const struct art_tensor *x, float *o, const int64_t *od,
			     struct taps *const *all)
{
	int nd = x->ndim, h = nd - 2;
	if (x->dtype != ART_FLOAT || nd < 2)
		return RT_CPU_DECLINED;
	for (int a = 0; a < h; a++)
		if (!identity_axis(all[a], x->dims[a], od[a]))
			return RT_CPU_DECLINED;
	for (int a = h; a < nd; a++)
		for (int64_t i = 0; i < od[a]; i++)
			if (all[a][i].outside)
				return RT_CPU_DECLINED;
	int64_t planes = rt_shape_elems(x->dims, h), ih = x->dims[h], iw = x->dims[h + 1];
	int64_t oh = od[h], ow = od[h + 1];
	const struct taps *th = all[h], *tw = all[h + 1];
	int nearest = 1;
	for (int64_t i = 0; i < ow && nearest; i++)
		nearest = tw[i].n == 1 && tw[i].w[0] == 1;
	for (int64_t i = 0; i < oh && nearest; i++)
		nearest = th[i].n == 1 && th[i].w[0] == 1;
	const float *src = x->data;
	for (int64_t p = 0; p < planes; p++) {
		const float *in = src + p * ih * iw;
		float *out = o + p * oh * ow;
		for (int64_t y = 0; y < oh; y++, out += ow) {
			if (nearest) {
				const float *row = in + th[y].idx[0] * iw;
				/* Rows that repeat (upsampling) are the row above. */
				if (y > 0 && th[y].idx[0] == th[y - 1].idx[0]) {
					memcpy(out, out - ow, sizeof(float) * (size_t)ow);
					continue;
				}
				for (int64_t c = 0; c < ow; c++)
					out[c] = row[tw[c].idx[0]];
				continue;
			}
			for (int64_t c = 0; c < ow; c++) {
				double acc = 0;
				for (int k = 0; k < th[y].n; k++) {
					const float *row = in + th[y].idx[k] * iw;
					double part = 0;
					for (int l = 0; l < tw[c].n; l++)
						part += tw[c].w[l] * (double)row[tw[c].idx[l]];
					acc += th[y].w[k] * part;
				}
				out[c] = (float)acc;
			}
		}
	}
	return 0;
}

/* Resizes X to OD with per-axis SCALES (output/input) and ROI. */
static int resize_core(struct art_session *s, const struct rt_node *n, const struct rsz *r,
		       const int64_t *od, const double *scales, const double *roi)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	struct job j = {.x = x, .nd = x->ndim};
	struct taps *all[ART_MAX_DIMS] = {0};
	void *o;
	int rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, &o);
	if (rc)
		return rc;
	int64_t st = 1;
	for (int a = x->ndim - 1; a >= 0; a--) {
		j.stride[a] = st;
		st *= x->dims[a];
	}
	for (int a = 0; a < x->ndim; a++) {
		all[a] = calloc((size_t)(od[a] + 1), sizeof(struct taps));
		if (!all[a]) {
			rc = rt_err(s, -ENOMEM, "node '%s' (%s): out of memory", n->name,
				    n->proto->op_type);
			goto out;
		}
		for (int64_t i = 0; i < od[a]; i++) {
			double xs = src_coord(r, (double)i, scales[a], x->dims[a],
					      (double)x->dims[a] * scales[a], roi ? roi[a] : 0,
					      roi ? roi[x->ndim + a] : 1);
			make_taps(r, xs, x->dims[a], scales[a], &all[a][i]);
		}
		j.tp[a] = all[a];
	}
	if (rt_cpu_fast(s) && !resize_f32_planes(x, o, od, all))
		goto out;
	int64_t idx[ART_MAX_DIMS] = {0}, cnt = rt_shape_elems(od, x->ndim);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, x->ndim)) {
		int out = 0;
		for (int a = 0; a < x->ndim; a++)
			out |= all[a][idx[a]].outside;
		double v = out ? r->extrap : gather(&j, idx, 0, 0);
		if (x->dtype != ART_FLOAT && x->dtype != ART_DOUBLE)
			v = round(v);
		rt_put_d(o, x->dtype, i, v);
	}
out:
	for (int a = 0; a < x->ndim; a++)
		free(all[a]);
	return rc;
}

static int parse_mode(struct art_session *s, const struct rt_node *n, struct rsz *r)
{
	r->mode = rt_attr_is(n, "mode", "linear", 0) || rt_attr_is(n, "mode", "bilinear", 0)
			  ? RM_LINEAR
		  : rt_attr_is(n, "mode", "cubic", 0) ? RM_CUBIC
						      : RM_NEAREST;
	NEED(r->mode != RM_NEAREST || rt_attr_is(n, "mode", "nearest", 1),
	     "node '%s' (%s): unknown mode", n->name, n->proto->op_type);
	return 0;
}

static int k_resize(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const char *op = n->proto->op_type;
	struct rsz r = {.a = rt_attr_f(n, "cubic_coeff_a", -0.75f),
			.extrap = rt_attr_f(n, "extrapolation_value", 0.0f),
			.exclude = (int)rt_attr_i(n, "exclude_outside", 0)};
	rc = parse_mode(s, n, &r);
	if (rc)
		return rc;
	const struct art_tensor *sc, *sz = NULL, *roi = NULL;
	if (s->opset < 11) {
		/* Resize-10 is Upsample with scales as input 1. */
		sc = rt_in(s, n, 1);
		r.ctm = CT_ASYM;
		r.nm = NM_SIMPLE;
	} else {
		static const struct {
			const char *name;
			enum ctm v;
		} ctms[] = {{"half_pixel", CT_HALF},
			    {"pytorch_half_pixel", CT_PT_HALF},
			    {"align_corners", CT_ALIGN},
			    {"asymmetric", CT_ASYM},
			    {"tf_half_pixel_for_nn", CT_TF_NN},
			    {"tf_crop_and_resize", CT_CROP}};
		static const char *const nms[] = {"round_prefer_floor", "round_prefer_ceil",
						  "floor", "ceil"};
		int found = 0;
		r.ctm = CT_HALF;
		for (size_t i = 0; i < sizeof(ctms) / sizeof(ctms[0]); i++)
			if (rt_attr_is(n, "coordinate_transformation_mode", ctms[i].name, 0)) {
				r.ctm = ctms[i].v;
				found = 1;
			}
		NEED(found || !rt_attr(n, "coordinate_transformation_mode"),
		     "node '%s' (Resize): unknown coordinate_transformation_mode", n->name);
		found = 0;
		r.nm = NM_PREFER_FLOOR;
		for (int i = 0; i < 4; i++)
			if (rt_attr_is(n, "nearest_mode", nms[i], 0)) {
				r.nm = (enum nmode)i;
				found = 1;
			}
		NEED(found || !rt_attr(n, "nearest_mode"),
		     "node '%s' (Resize): unknown nearest_mode", n->name);
		roi = rt_in(s, n, 1);
		sc = rt_in(s, n, 2);
		sz = rt_in(s, n, 3);
	}
	if (sc && art_tensor_elems(sc) == 0)
		sc = NULL;
	if (sz && art_tensor_elems(sz) == 0)
		sz = NULL;
	NEED(!sc != !sz, "node '%s' (%s): exactly one of scales and sizes must be given", n->name,
	     op);
	const struct art_tensor *given = sc ? sc : sz;
	NEED(art_tensor_elems(given) == x->ndim, "node '%s' (%s): %lld %s for rank %d", n->name, op,
	     (long long)art_tensor_elems(given), sc ? "scales" : "sizes", x->ndim);
	NEED(sc ? (sc->dtype == ART_FLOAT || sc->dtype == ART_DOUBLE) : sz->dtype == ART_INT64,
	     "node '%s' (%s): scales must be float, sizes int64", n->name, op);
	double roiv[2 * ART_MAX_DIMS];
	if (r.ctm == CT_CROP) {
		NEED(roi && art_tensor_elems(roi) == 2 * x->ndim,
		     "node '%s' (Resize): tf_crop_and_resize needs an roi of %d values", n->name,
		     2 * x->ndim);
		for (int a = 0; a < 2 * x->ndim; a++)
			roiv[a] = rt_get_d(roi, a);
	}
	int64_t od[ART_MAX_DIMS];
	double scales[ART_MAX_DIMS];
	for (int a = 0; a < x->ndim; a++) {
		if (sc) {
			scales[a] = rt_get_d(sc, a);
			NEED(scales[a] > 0, "node '%s' (%s): scale %g is not positive", n->name, op,
			     scales[a]);
			od[a] = (int64_t)floor((double)x->dims[a] * scales[a]);
		} else {
			od[a] = ((const int64_t *)sz->data)[a];
			NEED(od[a] >= 0, "node '%s' (%s): negative size", n->name, op);
			scales[a] = x->dims[a] ? (double)od[a] / (double)x->dims[a] : 1;
		}
	}
	return resize_core(s, n, &r, od, scales, r.ctm == CT_CROP ? roiv : NULL);
}

/* Upsample (opset 7-9): scales as an attribute (7) or input 1 (9). */
static int k_upsample(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1);
	struct rsz r = {.ctm = CT_ASYM, .nm = NM_SIMPLE};
	rc = parse_mode(s, n, &r);
	if (rc)
		return rc;
	const Onnx__AttributeProto *at = rt_attr(n, "scales");
	double scales[ART_MAX_DIMS];
	int64_t od[ART_MAX_DIMS];
	int cnt = sc ? (int)art_tensor_elems(sc) : at ? (int)at->n_floats : -1;
	NEED(cnt == x->ndim, "node '%s' (Upsample): %d scales for rank %d", n->name, cnt, x->ndim);
	for (int a = 0; a < x->ndim; a++) {
		scales[a] = sc ? rt_get_d(sc, a) : at->floats[a];
		NEED(scales[a] > 0, "node '%s' (Upsample): scale is not positive", n->name);
		od[a] = (int64_t)floor((double)x->dims[a] * scales[a]);
	}
	return resize_core(s, n, &r, od, scales, NULL);
}

const struct rt_kernel_entry rt_kernels_resize[] = {
	{"Resize", k_resize},
	{"Upsample", k_upsample},
	{NULL, NULL},
};
