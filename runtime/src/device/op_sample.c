// SPDX-License-Identifier: MIT
/*
 * GridSample on the device when its grid is known when planning (a graph
 * input or a CPU node's output: part of the plan's key). For a fixed grid
 * the output is linear in X: Y[n, c] = M[n] X[n, c] with M[n] the
 * [Ho Wo, H W] sampling matrix. The plan computes M's weights on the host
 * with the CPU kernel's own tap walk (cpu/grid_sample.h: the same
 * denormalisation, rounding, padding and cubic weights, so each tap lands
 * where the kernel fetches it); the stream zeroes M in the node's scratch
 * with FILL_TENSOR, writes each nonzero weight with a 4-byte FILL, and
 * runs one MATMUL X[n] [C, H W] . M[n]^T (a strided view) per batch.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/grid_sample.h"
#include "cpu/kernels.h"
#include "device/common.h"

/* Nonzero weights written one FILL each: beyond this the stream is long
 * and the CPU's loop is as good. */
#define GS_MAX_TAPS   8192
/* Floats of M in the scratch. */
#define GS_MAX_MATRIX (4 << 20)

/* Mode and padding from the attributes; NULL or why not. */
static const char *gs_attrs(const struct rt_node *n, enum rt_gs_mode *mode, enum rt_gs_pad *pad,
			    int *align)
{
	char buf[32];
	const char *m = dev_attr_s(n, "mode", "bilinear", buf, sizeof(buf));
	if (!strcmp(m, "bilinear") || !strcmp(m, "linear"))
		*mode = RT_GS_LINEAR;
	else if (!strcmp(m, "nearest"))
		*mode = RT_GS_NEAREST;
	else if (!strcmp(m, "bicubic") || !strcmp(m, "cubic"))
		*mode = RT_GS_CUBIC;
	else
		return "GridSample mode is not nearest, linear or cubic";
	const char *p = dev_attr_s(n, "padding_mode", "zeros", buf, sizeof(buf));
	if (!strcmp(p, "zeros"))
		*pad = RT_GS_ZEROS;
	else if (!strcmp(p, "border"))
		*pad = RT_GS_BORDER;
	else if (!strcmp(p, "reflection"))
		*pad = RT_GS_REFLECTION;
	else
		return "GridSample padding_mode is not zeros, border or reflection";
	int64_t a = rt_attr_i(n, "align_corners", 0);
	if (a != 0 && a != 1)
		return "GridSample align_corners is not 0 or 1";
	*align = (int)a;
	return NULL;
}

/* Adds a tap's weight to the row of M being built. */
static void gs_weigh(void *row, int64_t pixel, double weight)
{
	((float *)row)[pixel] += (float)weight;
}

/* M for X's dims XD from grid G, into M ([N, Ho Wo, H W], zeroed here). */
static void gs_matrix(const struct rt_node *n, const int64_t *xd, const struct art_tensor *g,
		      float *m)
{
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
	int align;
	gs_attrs(n, &mode, &pad, &align);
	int64_t N = xd[0], H = xd[2], W = xd[3], HoWo = g->dims[1] * g->dims[2];
	struct rt_gs_geom geom;
	rt_gs_geom_init(&geom, H, W, mode, pad, align);
	memset(m, 0, sizeof(float) * (size_t)(N * HoWo * H * W));
	for (int64_t b = 0; b < N; b++)
		for (int64_t i = 0; i < HoWo; i++) {
			int64_t gi = (b * HoWo + i) * 2;
			rt_gs_taps(&geom, rt_get_d(g, gi), rt_get_d(g, gi + 1), gs_weigh,
				   m + (b * HoWo + i) * H * W);
		}
}

static const struct art_tensor *gs_grid(const struct art_session *s, const struct rt_node *n)
{
	return n->nin > 1 && n->in[1] >= 0 && s->vals[n->in[1]].t.data ? &s->vals[n->in[1]].t
								       : NULL;
}

static const char *gs_check(const struct dev_check *c)
{
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
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
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
	int align;
	gs_attrs(n, &mode, &pad, &align);
	*taps = cells * (mode == RT_GS_NEAREST ? 1 : mode == RT_GS_LINEAR ? 4 : 16);
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
	const int64_t unit = 1;
	struct ares_tensor_desc md;
	dev_f32_view(&md, mva, 1, &cells, &unit);
	int rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, 0, &md));
	for (int64_t k = 0; k < cells && !rc; k++)
		if (m[k] != 0)
			rc = dev_done(e, accel_cmdbuf_fill(e->cb, mva + 4 * (uint64_t)k, 4,
							   dev_float_bits(m[k])));
	free(m);
	if (rc)
		return rc;
	/* Y[n] [C, Ho Wo] = X[n] [C, H W] . M[n]^T, M^T a strided view. */
	const int64_t as[3] = {N, C, HW}, ast[3] = {C * HW, HW, 1};
	const int64_t bs[3] = {N, HW, HoWo}, bst[3] = {HoWo * HW, 1, HW};
	const int64_t ys[3] = {N, C, HoWo}, yst[3] = {C * HoWo, HoWo, 1};
	struct ares_tensor_desc a, b, y;
	dev_f32_view(&a, dev_va_of(e, n->in[0]), 3, as, ast);
	dev_f32_view(&b, mva, 3, bs, bst);
	dev_f32_view(&y, dev_va_of(e, n->out[0]), 3, ys, yst);
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
