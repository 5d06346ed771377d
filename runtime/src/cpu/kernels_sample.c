// SPDX-License-Identifier: MIT
/* CPU reference kernel: GridSample over 2 spatial dims (X [N, C, H, W],
 * grid [N, Ho, Wo, 2] of normalised (x, y) in [-1, 1]). Modes nearest,
 * bilinear and bicubic (opset 20 calls the last two linear and cubic);
 * padding zeros, border or reflection; align_corners. Coordinates are
 * mapped as the spec describes: denormalised, rounded half to even for
 * nearest, moved inside by the padding mode when outside, and every
 * fetched pixel outside the image padded again. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cpu/grid_sample.h"
#include "cpu/kernels.h"

static double denorm(double v, int64_t len, int align)
{
	return align ? (v + 1) / 2 * (double)(len - 1) : ((v + 1) * (double)len - 1) / 2;
}

/* Folds V into [LO, HI] as a mirror would, any number of times. */
static double reflect(double v, double lo, double hi)
{
	double range = hi - lo;
	if (range <= 0)
		return lo;
	if (v < lo) {
		double d = lo - v;
		int64_t k = (int64_t)(d / range);
		double r = d - (double)k * range;
		return k % 2 == 0 ? lo + r : hi - r;
	}
	if (v > hi) {
		double d = v - hi;
		int64_t k = (int64_t)(d / range);
		double r = d - (double)k * range;
		return k % 2 == 0 ? hi - r : lo + r;
	}
	return v;
}

static int64_t clampi(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void rt_gs_geom_init(struct rt_gs_geom *g, int64_t H, int64_t W, enum rt_gs_mode mode,
		     enum rt_gs_pad pad, int align)
{
	g->H = H;
	g->W = W;
	g->mode = mode;
	g->pad = pad;
	g->align_corners = align;
	g->lo_x = align ? 0 : -0.5;
	g->hi_x = align ? (double)W - 1 : (double)W - 0.5;
	g->lo_y = align ? 0 : -0.5;
	g->hi_y = align ? (double)H - 1 : (double)H - 0.5;
}

/* Pixel (R, C) as the padding mode fetches it: TAP'd, or nothing for zeros. */
static void tap_at(const struct rt_gs_geom *g, int64_t r, int64_t c, double w, rt_gs_tap_fn *tap,
		   void *ctx)
{
	if (g->pad == RT_GS_ZEROS) {
		if (r < 0 || r >= g->H || c < 0 || c >= g->W)
			return;
	} else if (g->pad == RT_GS_BORDER) {
		r = clampi(r, 0, g->H - 1);
		c = clampi(c, 0, g->W - 1);
	} else {
		c = (int64_t)reflect((double)c, g->lo_x, g->hi_x);
		r = (int64_t)reflect((double)r, g->lo_y, g->hi_y);
		r = clampi(r, 0, g->H - 1);
		c = clampi(c, 0, g->W - 1);
	}
	tap(ctx, r * g->W + c, w);
}

/* Cubic convolution weights (A = -0.75) of the 4 taps around T in [0, 1). */
static void cubic(double t, double *w)
{
	const double A = -0.75;
	double a = t + 1, b = t, c = 1 - t, d = 2 - t;
	w[0] = ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
	w[1] = ((A + 2) * b - (A + 3)) * b * b + 1;
	w[2] = ((A + 2) * c - (A + 3)) * c * c + 1;
	w[3] = ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
}

void rt_gs_taps(const struct rt_gs_geom *g, double gx, double gy, rt_gs_tap_fn *tap, void *ctx)
{
	double x = denorm(gx, g->W, g->align_corners), y = denorm(gy, g->H, g->align_corners);
	if (g->mode == RT_GS_NEAREST) {
		x = nearbyint(x);
		y = nearbyint(y);
	}
	if (x < g->lo_x || x > g->hi_x || y < g->lo_y || y > g->hi_y) {
		if (g->pad == RT_GS_BORDER) {
			x = fmin(fmax(x, 0), (double)g->W - 1);
			y = fmin(fmax(y, 0), (double)g->H - 1);
		} else if (g->pad == RT_GS_REFLECTION) {
			x = reflect(x, g->lo_x, g->hi_x);
			y = reflect(y, g->lo_y, g->hi_y);
		}
	}
	if (g->mode == RT_GS_NEAREST) {
		tap_at(g, (int64_t)y, (int64_t)x, 1, tap, ctx);
		return;
	}
	double fx = floor(x), fy = floor(y);
	if (g->mode == RT_GS_LINEAR) {
		double dx = x - fx, dy = y - fy;
		int64_t c = (int64_t)fx, r = (int64_t)fy;
		tap_at(g, r, c, (1 - dy) * (1 - dx), tap, ctx);
		tap_at(g, r, c + 1, (1 - dy) * dx, tap, ctx);
		tap_at(g, r + 1, c, dy * (1 - dx), tap, ctx);
		tap_at(g, r + 1, c + 1, dy * dx, tap, ctx);
		return;
	}
	double wx[4], wy[4];
	cubic(x - fx, wx);
	cubic(y - fy, wy);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			tap_at(g, (int64_t)fy - 1 + i, (int64_t)fx - 1 + j, wy[i] * wx[j], tap,
			       ctx);
}

/* The CPU kernel's sum over one output cell's taps. */
struct cell_sum {
	const struct art_tensor *x;
	int64_t base; /* the (n, c) plane's first element */
	double v;
};

static void add_tap(void *ctx, int64_t pixel, double weight)
{
	struct cell_sum *cs = ctx;
	cs->v += weight * rt_get_d(cs->x, cs->base + pixel);
}

/* Mode, padding and align_corners from the attributes, or -EINVAL. */
static int gs_attrs(struct art_session *s, const struct rt_node *n, enum rt_gs_mode *mode,
		    enum rt_gs_pad *pad, int *align)
{
	if (!rt_attr(n, "mode") || rt_attr_is(n, "mode", "bilinear", 0) ||
	    rt_attr_is(n, "mode", "linear", 0))
		*mode = RT_GS_LINEAR;
	else if (rt_attr_is(n, "mode", "nearest", 0))
		*mode = RT_GS_NEAREST;
	else if (rt_attr_is(n, "mode", "bicubic", 0) || rt_attr_is(n, "mode", "cubic", 0))
		*mode = RT_GS_CUBIC;
	else
		return rt_err(s, -EINVAL,
			      "node '%s' (GridSample): unknown mode (nearest, bilinear/linear or "
			      "bicubic/cubic)",
			      n->name);
	if (rt_attr_is(n, "padding_mode", "zeros", 1))
		*pad = RT_GS_ZEROS;
	else if (rt_attr_is(n, "padding_mode", "border", 0))
		*pad = RT_GS_BORDER;
	else if (rt_attr_is(n, "padding_mode", "reflection", 0))
		*pad = RT_GS_REFLECTION;
	else
		return rt_err(s, -EINVAL,
			      "node '%s' (GridSample): unknown padding_mode (zeros, border or "
			      "reflection)",
			      n->name);
	int64_t a = rt_attr_i(n, "align_corners", 0);
	NEED(a == 0 || a == 1, "node '%s' (GridSample): align_corners %lld (0 or 1)", n->name,
	     (long long)a);
	*align = (int)a;
	NEED(n->nin == 2 && n->nout == 1, "node '%s' (GridSample): two inputs and one output",
	     n->name);
	return 0;
}

static int check_grid_sample(struct art_session *s, const struct rt_node *n)
{
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
	int align;
	return gs_attrs(s, n, &mode, &pad, &align);
}

static int k_grid_sample(struct art_session *s, const struct rt_node *n)
{
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
	int align;
	int rc = gs_attrs(s, n, &mode, &pad, &align);
	if (!rc)
		rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *g = rt_in(s, n, 1);
	if (x->ndim != 4)
		return rt_err(s, -ENOTSUP, "node '%s' (GridSample): only 2 spatial dims (rank 4)",
			      n->name);
	NEED(g->ndim == 4 && g->dims[0] == x->dims[0] && g->dims[3] == 2 &&
		     (x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE) &&
		     (g->dtype == ART_FLOAT || g->dtype == ART_DOUBLE),
	     "node '%s' (GridSample): needs float X [N, C, H, W] and grid [N, Ho, Wo, 2]", n->name);
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
	int64_t Ho = g->dims[1], Wo = g->dims[2], od[4] = {N, C, Ho, Wo};
	NEED((H > 0 && W > 0) || !N || !C || !Ho || !Wo,
	     "node '%s' (GridSample): empty image to sample from", n->name);
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, 4, od, &o);
	if (rc)
		return rc;
	struct rt_gs_geom geom;
	rt_gs_geom_init(&geom, H, W, mode, pad, align);
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++)
			for (int64_t i = 0; i < Ho * Wo; i++) {
				int64_t gi = (b * Ho * Wo + i) * 2;
				struct cell_sum cs = {.x = x, .base = (b * C + c) * H * W};
				rt_gs_taps(&geom, rt_get_d(g, gi), rt_get_d(g, gi + 1), add_tap,
					   &cs);
				rt_put_d(o, x->dtype, (b * C + c) * Ho * Wo + i, cs.v);
			}
	return 0;
}

const struct rt_kernel_entry rt_kernels_sample[] = {
	{"GridSample", k_grid_sample},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_sample[] = {
	{"GridSample", check_grid_sample},
	{NULL, NULL},
};
