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
	double sign = g.inverse ? 1 : -1, scale = g.inverse ? 1.0 / (double)g.N : 1.0;
	for (int64_t k = 0; k < g.K; k++)
		for (int64_t t = 0; t < T; t++) {
			double ph = sign * 2 * M_PI * (double)((k * t) % g.N) / (double)g.N;
			double cs = cos(ph) * scale, sn = sin(ph) * scale;
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

static void desc4(struct ares_tensor_desc *t, uint64_t va, const int64_t *shape,
		  const int64_t *stride)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = ARES_DTYPE_F32;
	t->rank = 4;
	for (int k = 0; k < 4; k++) {
		t->shape[k] = (uint64_t)shape[k];
		t->stride[k] = (uint64_t)stride[k];
	}
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
	desc4(&a, e->weights_va + s->dev->nwofs[n - s->nodes], as, ast);
	desc4(&b, b_va, bs, bst);
	desc4(&y, dev_va_of(e, n->out[0]), ys, yst);
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

static const struct dev_op signal_ops[] = {
	{"DFT", DK_DFT, 0, &dev_form_dft},
};

const struct dev_op_family dev_ops_signal = DEV_OP_FAMILY(signal_ops);
