// SPDX-License-Identifier: MIT
/*
 * DFT on the device: one MATMUL against the transform's matrix, computed
 * when the model is loaded and uploaded with the weights. X is viewed as
 * [P, L, Q, D] (P: the dims before the signal axis, L: the signal, Q: the
 * dims after it, D: 1 for a real and 2 for a complex input) and Y as
 * [P, K, Q, 2]. The matrix W is [2, K, L D]: for each output part (real,
 * imaginary) and bin k, the weights of the samples (t, d) in X's order,
 * the phases reduced mod N before the cosine as the CPU kernel
 * (cpu/kernels_signal.c) does. A complex input with Q > 1 is first
 * copied to [P, L, D, Q] in the node's scratch so that (t, d) is one
 * contiguous inner dimension.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"

/* The largest matrix uploaded, in bytes: beyond it the CPU's loops are
 * as good as a dense product. */
#define DFT_MATRIX_MAX (16u << 20)

struct dft_geom {
	int rank, axis, inverse;
	int64_t P, L, Q, D, N, K;
};

/* An input scalar of N that is a constant (absent: DEF); -1 when it is
 * present and not a constant int scalar. */
static int64_t const_int(const struct art_session *s, const struct rt_node *n, int in, int64_t def)
{
	if (in >= n->nin || n->in[in] < 0)
		return def;
	if (!dev_is_const(s, n->in[in]))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[in]].t;
	if (art_tensor_elems(t) != 1 || (t->dtype != ART_INT64 && t->dtype != ART_INT32))
		return -1;
	return rt_get_i(t, 0);
}

/* The transform of N on input dims DIMS (RANK of them); NULL when the
 * device runs it, else why not. */
static const char *dft_geom(const struct art_session *s, const struct rt_node *n, int rank,
			    const int64_t *dims, struct dft_geom *g)
{
	int64_t inv = rt_attr_i(n, "inverse", 0), one = rt_attr_i(n, "onesided", 0);
	if ((inv != 0 && inv != 1) || (one != 0 && one != 1) || (inv && one))
		return "DFT inverse or onesided out of range";
	if (rank < 3 || (dims[rank - 1] != 1 && dims[rank - 1] != 2))
		return "DFT input is not [batch, ..., 1 or 2]";
	for (int k = 0; k < rank; k++)
		if (dims[k] < 1)
			return "DFT of an input shape unknown before the run (its matrix is "
			       "uploaded with the weights)";
	/* Opset 20 moved the axis into input 2 (default -2). */
	if (s->opset >= 20 && n->nin > 2 && n->in[2] >= 0 && !dev_is_const(s, n->in[2]))
		return "DFT axis that is not a constant";
	int64_t ax = s->opset >= 20 ? const_int(s, n, 2, -2) : rt_attr_i(n, "axis", 1);
	int axis = (int)dev_norm_axis(ax, rank);
	if (axis < 1 || axis > rank - 2)
		return "DFT axis is not a signal axis";
	int64_t N = const_int(s, n, 1, dims[axis]);
	if (N < 1)
		return "DFT dft_length that is not a constant positive int scalar";
	g->D = dims[rank - 1];
	if (one && g->D == 2)
		return "onesided DFT of a complex input";
	g->rank = rank;
	g->axis = axis;
	g->inverse = (int)inv;
	g->P = dev_prod(dims, 0, axis);
	g->L = dims[axis];
	g->Q = dev_prod(dims, axis + 1, rank - 1);
	g->N = N;
	g->K = one ? N / 2 + 1 : N;
	if ((double)2 * (double)g->K * (double)g->L * (double)g->D * 4 > DFT_MATRIX_MAX)
		return "DFT matrix larger than 16 MiB";
	return NULL;
}

/* The geometry from X's dims declared before the run. */
static const char *dft_static_geom(const struct art_session *s, const struct rt_node *n,
				   struct dft_geom *g)
{
	const struct rt_value *v = &s->vals[n->in[0]];
	const struct art_tensor *t = v->t.data ? &v->t : &v->info;
	return dft_geom(s, n, t->ndim, t->dims, g);
}

static const char *dft_check(const struct dev_check *c)
{
	if (c->x != ART_FLOAT)
		return dev_float_only(c);
	struct dft_geom g;
	return dft_static_geom(c->s, c->n, &g);
}

static int dft_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	struct dft_geom g, sg;
	const char *why = dft_geom(c->s, n, x->ndim, x->dims, &g);
	if (!why && (dft_static_geom(c->s, n, &sg) || sg.L != g.L || sg.D != g.D || sg.K != g.K))
		why = "DFT input's signal differs from the declared one its matrix was made for";
	if (why)
		return dev_bad(c->s, n, why);
	int64_t od[ART_MAX_DIMS];
	memcpy(od, x->dims, sizeof(od));
	od[g.axis] = g.K;
	od[g.rank - 1] = 2;
	dev_set_out(&c->dv[n->out[0]], ART_FLOAT, g.rank, od);
	return 0;
}

static uint64_t dft_scratch(const struct dev_shape *c)
{
	const struct dev_val *x = &c->dv[c->n->in[0]];
	struct dft_geom g;
	if (dft_geom(c->s, c->n, x->ndim, x->dims, &g) || g.D == 1 || g.Q == 1)
		return 0;
	return (uint64_t)(g.P * g.L * g.D * g.Q);
}

/* The cosine and sine of bin K's phase at sample T of an N-point
 * transform, reduced mod N first as the CPU kernel does. */
static void dft_phase(int64_t k, int64_t t, int64_t N, int inverse, double *cs, double *sn)
{
	double ph = (inverse ? 1 : -1) * 2 * M_PI * (double)((k * t) % N) / (double)N;
	*cs = cos(ph);
	*sn = sin(ph);
}

static uint64_t dft_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	struct dft_geom g;
	if (dft_static_geom(s, n, &g))
		return 0;
	int64_t J = g.L * g.D, T = g.L < g.N ? g.L : g.N;
	uint64_t bytes = (uint64_t)(2 * g.K * J) * 4;
	if (!dst)
		return bytes;
	float *w = dst;
	memset(w, 0, bytes);
	double scale = g.inverse ? 1.0 / (double)g.N : 1.0;
	for (int64_t k = 0; k < g.K; k++)
		for (int64_t t = 0; t < T; t++) {
			double cs, sn;
			dft_phase(k, t, g.N, g.inverse, &cs, &sn);
			cs *= scale;
			sn *= scale;
			float *re = w + k * J + t * g.D, *im = w + (g.K + k) * J + t * g.D;
			/* re' = re cos - im sin, im' = re sin + im cos */
			re[0] = (float)cs;
			im[0] = (float)sn;
			if (g.D == 2) {
				re[1] = (float)-sn;
				im[1] = (float)cs;
			}
		}
	return bytes;
}

static int dft_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *x = &e->dv[n->in[0]];
	struct dft_geom g;
	const char *why = dft_geom(s, n, x->ndim, x->dims, &g);
	if (why)
		return dev_bad(s, n, why);
	int64_t P = g.P, L = g.L, Q = g.Q, D = g.D, K = g.K, J = L * D;
	uint64_t b_va = dev_va_of(e, n->in[0]);
	if (D == 2 && Q > 1) {
		uint64_t sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
		const int64_t shape[4] = {P, L, Q, D}, xs[4] = {L * Q * D, Q * D, D, 1},
			      ys[4] = {L * D * Q, D * Q, 1, Q};
		int rc = dev_copy_signed(e, ARES_DTYPE_F32, b_va, sva, 4, shape, xs, ys);
		if (rc)
			return rc;
		b_va = sva;
	}
	/* Batch [P, 2]: W shared by every P, B shared by both parts; Y's
	 * part is its innermost dim. */
	struct ares_tensor_desc a, b, y;
	const int64_t as[4] = {P, 2, K, J}, ast[4] = {0, K * J, J, 1};
	const int64_t bs[4] = {P, 2, J, Q}, bst[4] = {J * Q, 0, Q, 1};
	const int64_t ys[4] = {P, 2, K, Q}, yst[4] = {K * Q * 2, 1, Q * 2, 2};
	dev_f32_view(&a, e->weights_va + s->dev->nwofs[n - s->nodes], 4, as, ast);
	dev_f32_view(&b, b_va, 4, bs, bst);
	dev_f32_view(&y, dev_va_of(e, n->out[0]), 4, ys, yst);
	struct ares_matmul_params p = {.alpha = F32_BITS(1.0f), .beta = F32_BITS(0.0f)};
	return dev_done(e, accel_cmdbuf_matmul(e->cb, &p, &a, &b, NULL, &y));
}

static const struct dev_form dev_form_dft = {
	.check = dft_check,
	.shapes = dft_shapes,
	.emit = dft_emit,
	.operands = 1u,
	.scratch = dft_scratch,
	.consts = dft_consts,
};

/*
 * STFT with frame_step, frame_length and the window known when planning:
 * the frames are a strided view of the signal [B, frames, F D] (frame f
 * starts at sample f step; overlapping reads), and one MATMUL against a
 * [F D, 2 K] matrix with the window folded in gives [B, frames, K, 2]
 * directly. The matrix depends on the planned values, so the stream
 * builds it in the node's scratch: FILL_TENSOR zero, then one 4-byte FILL
 * per nonzero weight.
 */
#define STFT_MAX_TAPS 8192

struct stft_geom {
	int64_t B, S, D, step, F, frames, K;
	const struct art_tensor *win;
};

static const struct art_tensor *host_in(const struct art_session *s, const struct rt_node *n,
					int in)
{
	return in < n->nin && n->in[in] >= 0 && s->vals[n->in[in]].t.data ? &s->vals[n->in[in]].t
									  : NULL;
}

static int int_scalar(const struct art_tensor *t)
{
	return t && art_tensor_elems(t) == 1 && (t->dtype == ART_INT64 || t->dtype == ART_INT32);
}

static const char *stft_check(const struct dev_check *c)
{
	if (c->x != ART_FLOAT)
		return dev_float_only(c);
	int64_t one = rt_attr_i(c->n, "onesided", 1);
	if (one != 0 && one != 1)
		return "STFT onesided is not 0 or 1";
	for (int i = 1; i < 4 && i < c->n->nin; i++)
		if (c->n->in[i] >= 0 && !dev_plan_known(c->s, c->n, i))
			return "STFT frame_step, window or frame_length computed on the device "
			       "(its "
			       "matrix is built when planning)";
	return NULL;
}

/* The geometry for signal dims X; NULL or why not. */
static const char *stft_geom(const struct art_session *s, const struct rt_node *n,
			     const struct dev_val *x, struct stft_geom *g)
{
	const struct art_tensor *fs = host_in(s, n, 1), *fl = host_in(s, n, 3);
	g->win = host_in(s, n, 2);
	if (x->ndim != 3 || (x->dims[2] != 1 && x->dims[2] != 2))
		return "STFT signal is not [batch, length, 1 or 2]";
	if (!int_scalar(fs) || (fl && !int_scalar(fl)) || (!fl && !g->win))
		return "STFT frame_step or frame_length is not an int scalar";
	if (g->win && (g->win->ndim != 1 || g->win->dtype != ART_FLOAT))
		return "STFT window is not 1-D float32";
	g->B = x->dims[0];
	g->S = x->dims[1];
	g->D = x->dims[2];
	g->step = rt_get_i(fs, 0);
	g->F = fl ? rt_get_i(fl, 0) : g->win->dims[0];
	if (g->step < 1 || g->F < 1 || g->F > g->S || (g->win && g->win->dims[0] != g->F))
		return "STFT frame_step, frame_length, signal length and window length disagree";
	int one = (int)rt_attr_i(n, "onesided", 1);
	if (one && g->D == 2)
		return "onesided STFT of a complex signal";
	g->frames = (g->S - g->F) / g->step + 1;
	g->K = one ? g->F / 2 + 1 : g->F;
	if (g->F * g->D * 2 * g->K > STFT_MAX_TAPS)
		return "STFT matrix over 8192 weights (each is one FILL)";
	return NULL;
}

static int stft_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct stft_geom g;
	const char *why = stft_geom(c->s, n, &c->dv[n->in[0]], &g);
	if (why)
		return dev_bad(c->s, n, why);
	const int64_t od[4] = {g.B, g.frames, g.K, 2};
	dev_set_out(&c->dv[n->out[0]], ART_FLOAT, 4, od);
	return 0;
}

static uint64_t stft_scratch(const struct dev_shape *c)
{
	struct stft_geom g;
	if (stft_geom(c->s, c->n, &c->dv[c->n->in[0]], &g))
		return 0;
	return (uint64_t)(g.F * g.D * 2 * g.K);
}

static int stft_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct stft_geom g;
	const char *why = stft_geom(s, n, &e->dv[n->in[0]], &g);
	if (why)
		return dev_bad(s, n, why);
	int64_t J = g.F * g.D, C2 = 2 * g.K;
	uint64_t mva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	const int64_t cells = J * C2, unit = 1;
	struct ares_tensor_desc m;
	dev_f32_view(&m, mva, 1, &cells, &unit);
	int rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, 0, &m));
	/* Row (t, d), column (k, part): re' = re cos - im sin,
	 * im' = re sin + im cos, each sample weighed by the window. */
	for (int64_t t = 0; t < g.F && !rc; t++) {
		double w = g.win ? rt_get_d(g.win, t) : 1;
		for (int64_t k = 0; k < g.K && !rc; k++) {
			double cs, sn;
			dft_phase(k, t, g.F, 0, &cs, &sn);
			const double v[2][2] = {{cs * w, sn * w}, {-sn * w, cs * w}};
			for (int d = 0; d < g.D && !rc; d++)
				for (int part = 0; part < 2 && !rc; part++) {
					float f = (float)v[d][part];
					uint64_t at = (uint64_t)((t * g.D + d) * C2 + 2 * k + part);
					if (f != 0)
						rc = dev_done(
							e, accel_cmdbuf_fill(e->cb, mva + 4 * at, 4,
									     dev_float_bits(f)));
				}
		}
	}
	if (rc)
		return rc;
	struct ares_tensor_desc a, b, y;
	const int64_t as[3] = {g.B, g.frames, J}, ast[3] = {g.S * g.D, g.step * g.D, 1};
	const int64_t bs[3] = {g.B, J, C2}, bst[3] = {0, C2, 1};
	const int64_t ys[3] = {g.B, g.frames, C2}, yst[3] = {g.frames * C2, C2, 1};
	dev_f32_view(&a, dev_va_of(e, n->in[0]), 3, as, ast);
	dev_f32_view(&b, mva, 3, bs, bst);
	dev_f32_view(&y, dev_va_of(e, n->out[0]), 3, ys, yst);
	struct ares_matmul_params p = {.alpha = F32_BITS(1.0f), .beta = F32_BITS(0.0f)};
	return dev_done(e, accel_cmdbuf_matmul(e->cb, &p, &a, &b, NULL, &y));
}

static const struct dev_form dev_form_stft = {
	.check = stft_check,
	.shapes = stft_shapes,
	.emit = stft_emit,
	.operands = 1u,
	.scratch = stft_scratch,
};

static const struct dev_op signal_ops[] = {
	{"DFT", DK_DFT, 0, &dev_form_dft},
	{"STFT", DK_STFT, 0, &dev_form_stft},
};

const struct dev_op_family dev_ops_signal = DEV_OP_FAMILY(signal_ops);
