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

#include "cpu/kernels.h"

enum pad_mode { PAD_ZEROS, PAD_BORDER, PAD_REFLECTION };
enum gs_mode { GS_NEAREST, GS_LINEAR, GS_CUBIC };

struct plane {
	const struct art_tensor *x;
	int64_t base, H, W;
	enum pad_mode pad;
	double lo_x, hi_x, lo_y, hi_y; /* the reflection bounds */
};

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

static double pixel(const struct plane *p, int64_t r, int64_t c)
{
	if (p->pad == PAD_ZEROS) {
		if (r < 0 || r >= p->H || c < 0 || c >= p->W)
			return 0;
	} else if (p->pad == PAD_BORDER) {
		r = clampi(r, 0, p->H - 1);
		c = clampi(c, 0, p->W - 1);
	} else {
		c = (int64_t)reflect((double)c, p->lo_x, p->hi_x);
		r = (int64_t)reflect((double)r, p->lo_y, p->hi_y);
		r = clampi(r, 0, p->H - 1);
		c = clampi(c, 0, p->W - 1);
	}
	return rt_get_d(p->x, p->base + r * p->W + c);
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

static double sample(const struct plane *p, enum gs_mode mode, double x, double y)
{
	if (mode == GS_NEAREST)
		return pixel(p, (int64_t)y, (int64_t)x);
	if (mode == GS_LINEAR) {
		double fx = floor(x), fy = floor(y), dx = x - fx, dy = y - fy;
		int64_t c = (int64_t)fx, r = (int64_t)fy;
		return (1 - dy) * ((1 - dx) * pixel(p, r, c) + dx * pixel(p, r, c + 1)) +
		       dy * ((1 - dx) * pixel(p, r + 1, c) + dx * pixel(p, r + 1, c + 1));
	}
	double fx = floor(x), fy = floor(y), wx[4], wy[4], v = 0;
	cubic(x - fx, wx);
	cubic(y - fy, wy);
	for (int i = 0; i < 4; i++) {
		double row = 0;
		for (int j = 0; j < 4; j++)
			row += wx[j] * pixel(p, (int64_t)fy - 1 + i, (int64_t)fx - 1 + j);
		v += wy[i] * row;
	}
	return v;
}

/* Mode, padding and align_corners from the attributes, or -EINVAL. */
static int gs_attrs(struct art_session *s, const struct rt_node *n, enum gs_mode *mode,
		    enum pad_mode *pad, int *align)
{
	if (!rt_attr(n, "mode") || rt_attr_is(n, "mode", "bilinear", 0) ||
	    rt_attr_is(n, "mode", "linear", 0))
		*mode = GS_LINEAR;
	else if (rt_attr_is(n, "mode", "nearest", 0))
		*mode = GS_NEAREST;
	else if (rt_attr_is(n, "mode", "bicubic", 0) || rt_attr_is(n, "mode", "cubic", 0))
		*mode = GS_CUBIC;
	else
		return rt_err(s, -EINVAL,
			      "node '%s' (GridSample): unknown mode (nearest, bilinear/linear or "
			      "bicubic/cubic)",
			      n->name);
	if (rt_attr_is(n, "padding_mode", "zeros", 1))
		*pad = PAD_ZEROS;
	else if (rt_attr_is(n, "padding_mode", "border", 0))
		*pad = PAD_BORDER;
	else if (rt_attr_is(n, "padding_mode", "reflection", 0))
		*pad = PAD_REFLECTION;
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
	enum gs_mode mode;
	enum pad_mode pad;
	int align;
	return gs_attrs(s, n, &mode, &pad, &align);
}

static int k_grid_sample(struct art_session *s, const struct rt_node *n)
{
	enum gs_mode mode;
	enum pad_mode pad;
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
	struct plane p = {.x = x, .H = H, .W = W, .pad = pad};
	p.lo_x = align ? 0 : -0.5;
	p.hi_x = align ? (double)W - 1 : (double)W - 0.5;
	p.lo_y = align ? 0 : -0.5;
	p.hi_y = align ? (double)H - 1 : (double)H - 0.5;
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++) {
			p.base = (b * C + c) * H * W;
			for (int64_t i = 0; i < Ho * Wo; i++) {
				int64_t gi = (b * Ho * Wo + i) * 2;
				double fx = denorm(rt_get_d(g, gi), W, align);
				double fy = denorm(rt_get_d(g, gi + 1), H, align);
				if (mode == GS_NEAREST) {
					fx = nearbyint(fx);
					fy = nearbyint(fy);
				}
				if (fx < p.lo_x || fx > p.hi_x || fy < p.lo_y || fy > p.hi_y) {
					if (pad == PAD_BORDER) {
						fx = fmin(fmax(fx, 0), (double)W - 1);
						fy = fmin(fmax(fy, 0), (double)H - 1);
					} else if (pad == PAD_REFLECTION) {
						fx = reflect(fx, p.lo_x, p.hi_x);
						fy = reflect(fy, p.lo_y, p.hi_y);
					}
				}
				rt_put_d(o, x->dtype, (b * C + c) * Ho * Wo + i,
					 sample(&p, mode, fx, fy));
			}
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
