// SPDX-License-Identifier: MIT
/*
 * GridSample on the device when its grid is known when planning (a graph
 * input or a CPU node's output: part of the plan's key). For a fixed grid
 * the output is linear in X: Y[n, c] = M[n] X[n, c] with M[n] the
 * [Ho Wo, H W] sampling matrix. The plan computes M's weights on the host
 * the way the CPU kernel (cpu/kernels_sample.c) weighs its taps (same
 * denormalisation, rounding, padding and cubic weights, so each tap lands
 * where the kernel fetches it); the stream zeroes M in the node's scratch
 * with FILL_TENSOR, writes each nonzero weight with a 4-byte FILL, and
 * runs one MATMUL X[n] [C, H W] . M[n]^T (a strided view) per batch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"

/* Nonzero weights written one FILL each: beyond this the stream is long
 * and the CPU's loop is as good. */
#define GS_MAX_TAPS   8192
/* Floats of M in the scratch. */
#define GS_MAX_MATRIX (4 << 20)

enum gs_pad { GS_ZEROS, GS_BORDER, GS_REFLECTION };
enum gs_mode { GS_NEAREST, GS_LINEAR, GS_CUBIC };

struct gs_plane {
	int64_t H, W;
	enum gs_pad pad;
	double lo_x, hi_x, lo_y, hi_y;
	float *row; /* M's row of the output pixel being weighed: H W floats */
};

/* Mode and padding from the attributes; NULL or why not. */
static const char *gs_attrs(const struct rt_node *n, enum gs_mode *mode, enum gs_pad *pad,
			    int *align)
{
	char buf[32];
	const char *m = dev_attr_s(n, "mode", "bilinear", buf, sizeof(buf));
	if (!strcmp(m, "bilinear") || !strcmp(m, "linear"))
		*mode = GS_LINEAR;
	else if (!strcmp(m, "nearest"))
		*mode = GS_NEAREST;
	else if (!strcmp(m, "bicubic") || !strcmp(m, "cubic"))
		*mode = GS_CUBIC;
	else
		return "GridSample mode is not nearest, linear or cubic";
	const char *p = dev_attr_s(n, "padding_mode", "zeros", buf, sizeof(buf));
	if (!strcmp(p, "zeros"))
		*pad = GS_ZEROS;
	else if (!strcmp(p, "border"))
		*pad = GS_BORDER;
	else if (!strcmp(p, "reflection"))
		*pad = GS_REFLECTION;
	else
		return "GridSample padding_mode is not zeros, border or reflection";
	int64_t a = rt_attr_i(n, "align_corners", 0);
	if (a != 0 && a != 1)
		return "GridSample align_corners is not 0 or 1";
	*align = (int)a;
	return NULL;
}

static double gs_denorm(double v, int64_t len, int align)
{
	return align ? (v + 1) / 2 * (double)(len - 1) : ((v + 1) * (double)len - 1) / 2;
}

static double gs_reflect(double v, double lo, double hi)
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

static int64_t gs_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Adds W to the weight of the pixel the CPU kernel fetches for (R, C). */
static void gs_tap(const struct gs_plane *p, int64_t r, int64_t c, double w)
{
	if (p->pad == GS_ZEROS) {
		if (r < 0 || r >= p->H || c < 0 || c >= p->W)
			return;
	} else if (p->pad == GS_BORDER) {
		r = gs_clamp(r, 0, p->H - 1);
		c = gs_clamp(c, 0, p->W - 1);
	} else {
		c = (int64_t)gs_reflect((double)c, p->lo_x, p->hi_x);
		r = (int64_t)gs_reflect((double)r, p->lo_y, p->hi_y);
		r = gs_clamp(r, 0, p->H - 1);
		c = gs_clamp(c, 0, p->W - 1);
	}
	p->row[r * p->W + c] += (float)w;
}

static void gs_cubic(double t, double *w)
{
	const double A = -0.75;
	double a = t + 1, b = t, c = 1 - t, d = 2 - t;
	w[0] = ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
	w[1] = ((A + 2) * b - (A + 3)) * b * b + 1;
	w[2] = ((A + 2) * c - (A + 3)) * c * c + 1;
	w[3] = ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
}

static void gs_weigh(const struct gs_plane *p, enum gs_mode mode, double x, double y)
{
	if (mode == GS_NEAREST) {
		gs_tap(p, (int64_t)y, (int64_t)x, 1);
		return;
	}
	double fx = floor(x), fy = floor(y);
	if (mode == GS_LINEAR) {
		double dx = x - fx, dy = y - fy;
		int64_t c = (int64_t)fx, r = (int64_t)fy;
		gs_tap(p, r, c, (1 - dy) * (1 - dx));
		gs_tap(p, r, c + 1, (1 - dy) * dx);
		gs_tap(p, r + 1, c, dy * (1 - dx));
		gs_tap(p, r + 1, c + 1, dy * dx);
		return;
	}
	double wx[4], wy[4];
	gs_cubic(x - fx, wx);
	gs_cubic(y - fy, wy);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			gs_tap(p, (int64_t)fy - 1 + i, (int64_t)fx - 1 + j, wy[i] * wx[j]);
}

/* M for X's dims XD from grid G, into M ([N, Ho Wo, H W], zeroed here). */
static void gs_matrix(const struct rt_node *n, const int64_t *xd, const struct art_tensor *g,
		      float *m)
{
	enum gs_mode mode;
	enum gs_pad pad;
	int align;
	gs_attrs(n, &mode, &pad, &align);
	int64_t N = xd[0], H = xd[2], W = xd[3], HoWo = g->dims[1] * g->dims[2];
	struct gs_plane p = {.H = H, .W = W, .pad = pad};
	p.lo_x = align ? 0 : -0.5;
	p.hi_x = align ? (double)W - 1 : (double)W - 0.5;
	p.lo_y = align ? 0 : -0.5;
	p.hi_y = align ? (double)H - 1 : (double)H - 0.5;
	memset(m, 0, sizeof(float) * (size_t)(N * HoWo * H * W));
	for (int64_t b = 0; b < N; b++)
		for (int64_t i = 0; i < HoWo; i++) {
			int64_t gi = (b * HoWo + i) * 2;
			double fx = gs_denorm(rt_get_d(g, gi), W, align);
			double fy = gs_denorm(rt_get_d(g, gi + 1), H, align);
			if (mode == GS_NEAREST) {
				fx = nearbyint(fx);
				fy = nearbyint(fy);
			}
			if (fx < p.lo_x || fx > p.hi_x || fy < p.lo_y || fy > p.hi_y) {
				if (pad == GS_BORDER) {
					fx = fmin(fmax(fx, 0), (double)W - 1);
					fy = fmin(fmax(fy, 0), (double)H - 1);
				} else if (pad == GS_REFLECTION) {
					fx = gs_reflect(fx, p.lo_x, p.hi_x);
					fy = gs_reflect(fy, p.lo_y, p.hi_y);
				}
			}
			p.row = m + (b * HoWo + i) * H * W;
			gs_weigh(&p, mode, fx, fy);
		}
}

static const struct art_tensor *gs_grid(const struct art_session *s, const struct rt_node *n)
{
	return n->nin > 1 && n->in[1] >= 0 && s->vals[n->in[1]].t.data ? &s->vals[n->in[1]].t
								       : NULL;
}

static const char *gs_check(const struct dev_check *c)
{
	enum gs_mode mode;
	enum gs_pad pad;
	int align;
	if (c->x != ART_FLOAT)
		return dev_float_only(c);
	const char *why = gs_attrs(c->n, &mode, &pad, &align);
	if (why)
		return why;
	if (c->n->nin < 2 || c->n->in[1] < 0 || !dev_plan_known(c->s, c->n, 1))
		return "GridSample grid computed on the device (its sampling matrix is built "
		       "when planning)";
	return NULL;
}

/* Checks X's and the grid's shapes at plan time; the taps in *TAPS. */
static const char *gs_plan_check(const struct art_session *s, const struct rt_node *n,
				 const struct dev_val *x, int64_t *taps)
{
	const struct art_tensor *g = gs_grid(s, n);
	if (x->ndim != 4)
		return "GridSample input is not [N, C, H, W]";
	if (!g || g->dtype != ART_FLOAT || g->ndim != 4 || g->dims[0] != x->dims[0] ||
	    g->dims[3] != 2)
		return "GridSample grid is not float32 [N, Ho, Wo, 2]";
	int64_t cells = x->dims[0] * g->dims[1] * g->dims[2];
	if (x->dims[2] < 1 || x->dims[3] < 1 || cells < 1 || x->dims[1] < 1)
		return "GridSample with an empty input or grid";
	if ((double)cells * (double)(x->dims[2] * x->dims[3]) > GS_MAX_MATRIX)
		return "GridSample sampling matrix over 4 Mi floats";
	enum gs_mode mode;
	enum gs_pad pad;
	int align;
	gs_attrs(n, &mode, &pad, &align);
	*taps = cells * (mode == GS_NEAREST ? 1 : mode == GS_LINEAR ? 4 : 16);
	if (*taps > GS_MAX_TAPS)
		return "GridSample with more than 8192 sampling taps (each weight is one FILL)";
	return NULL;
}

static int gs_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	int64_t taps;
	const char *why = gs_plan_check(c->s, n, x, &taps);
	if (why)
		return dev_bad(c->s, n, why);
	const struct art_tensor *g = gs_grid(c->s, n);
	int64_t od[4] = {x->dims[0], x->dims[1], g->dims[1], g->dims[2]};
	dev_set_out(&c->dv[n->out[0]], ART_FLOAT, 4, od);
	return 0;
}

static uint64_t gs_scratch(const struct dev_shape *c)
{
	const struct dev_val *x = &c->dv[c->n->in[0]];
	const struct art_tensor *g = gs_grid(c->s, c->n);
	int64_t taps;
	if (gs_plan_check(c->s, c->n, x, &taps))
		return 0;
	return (uint64_t)(x->dims[0] * g->dims[1] * g->dims[2] * x->dims[2] * x->dims[3]);
}

static int gs_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *x = &e->dv[n->in[0]];
	int64_t taps;
	const char *why = gs_plan_check(s, n, x, &taps);
	if (why)
		return dev_bad(s, n, why);
	const struct art_tensor *g = gs_grid(s, n);
	int64_t N = x->dims[0], C = x->dims[1], HW = x->dims[2] * x->dims[3],
		HoWo = g->dims[1] * g->dims[2], cells = N * HoWo * HW;
	float *m = malloc(sizeof(float) * (size_t)cells);
	if (!m)
		return rt_err(s, -ENOMEM, "out of memory");
	gs_matrix(n, x->dims, g, m);
	uint64_t mva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	struct ares_tensor_desc md = {.va = mva, .dtype = ARES_DTYPE_F32, .rank = 1};
	md.shape[0] = (uint64_t)cells;
	md.stride[0] = 1;
	int rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, 0, &md));
	for (int64_t k = 0; k < cells && !rc; k++)
		if (m[k] != 0)
			rc = dev_done(e, accel_cmdbuf_fill(e->cb, mva + 4 * (uint64_t)k, 4,
							   dev_float_bits(m[k])));
	free(m);
	if (rc)
		return rc;
	/* Y[n] [C, Ho Wo] = X[n] [C, H W] . M[n]^T, M^T a strided view. */
	struct ares_tensor_desc a = {
		.va = dev_va_of(e, n->in[0]), .dtype = ARES_DTYPE_F32, .rank = 3};
	struct ares_tensor_desc b = a, y = a;
	const uint64_t as[3] = {(uint64_t)N, (uint64_t)C, (uint64_t)HW},
		       ast[3] = {(uint64_t)(C * HW), (uint64_t)HW, 1},
		       bs[3] = {(uint64_t)N, (uint64_t)HW, (uint64_t)HoWo},
		       bst[3] = {(uint64_t)(HoWo * HW), 1, (uint64_t)HW},
		       ys[3] = {(uint64_t)N, (uint64_t)C, (uint64_t)HoWo},
		       yst[3] = {(uint64_t)(C * HoWo), (uint64_t)HoWo, 1};
	b.va = mva;
	y.va = dev_va_of(e, n->out[0]);
	for (int k = 0; k < 3; k++) {
		a.shape[k] = as[k];
		a.stride[k] = ast[k];
		b.shape[k] = bs[k];
		b.stride[k] = bst[k];
		y.shape[k] = ys[k];
		y.stride[k] = yst[k];
	}
	struct ares_matmul_params p = {.alpha = F32_BITS(1.0f), .beta = F32_BITS(0.0f)};
	return dev_done(e, accel_cmdbuf_matmul(e->cb, &p, &a, &b, NULL, &y));
}

static const struct dev_form dev_form_grid_sample = {
	.check = gs_check,
	.shapes = gs_shapes,
	.emit = gs_emit,
	.operands = 1u,
	.scratch = gs_scratch,
};

static const struct dev_op sample_ops[] = {
	{"GridSample", DK_GRID_SAMPLE, 0, &dev_form_grid_sample},
};

const struct dev_op_family dev_ops_sample = DEV_OP_FAMILY(sample_ops);
