// SPDX-License-Identifier: MIT
/*
 * Fusions that save the NPU passes over memory:
 *  - hard-swish and hard-sigmoid spelled out (Add 3, Clip 0..6, Div 6 or
 *    Mul 1/6, with a Mul by x before or after the division for hard-swish;
 *    HardSigmoid(x) * x) become one HardSwish / HardSigmoid node;
 *  - LayerNorm spelled out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt,
 *    Div, Mul, Add) becomes LayerNormalization when there is a kernel;
 *  - BatchNormalization, then Mul/Div/Add/Sub by per-channel constants,
 *    after a Conv (or a ConvTranspose of one group) fold into new constant
 *    weights and bias; the same before
 *    a Conv without padding fold into its weights and bias too;
 *  - Add of a constant bias after MatMul becomes the MatMul's third input
 *    (the bias is added to the product: rt_matmul_bias() in the CPU kernel,
 *    the matmul command's C operand on the device); after Gemm without C it
 *    becomes C;
 *  - an activation after Conv, ConvTranspose, Gemm or MatMul becomes the
 *    node's act;
 *  - on a session with no device only (g_fuse_host()): Mul, Add, Sub, Max
 *    and Min by constant scalars after a Conv become its tail.
 * A fusion only fires when the intermediate value has the one reader and
 * is no graph output, so nothing observable is lost.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ares/tensor.h>

#include "cpu/kernels.h"
#include "graph/ir.h"
#include "graph/passes.h"

/* The one live reader of V, or -1 (none, several, or a graph output). */
static int only_reader(const struct art_session *s, int v)
{
	if (v < 0 || g_is_output(s, v) || g_uses(s, v) != 1)
		return -1;
	return g_consumer(s, v, -1);
}

static int near(float a, float b)
{
	return fabsf(a - b) <= 1e-5f * (fabsf(b) > 1 ? fabsf(b) : 1);
}

/* The input of binary node N that is not V, as a constant scalar. */
static int other_scalar(const struct art_session *s, const struct rt_node *n, int v, float *f)
{
	if (n->nin != 2)
		return 0;
	int i = n->in[0] == v ? 1 : n->in[1] == v ? 0 : -1;
	return i >= 0 && g_const_scalar(s, n, i, f);
}

/* Clip's bounds (attributes before opset 11, constant inputs after). */
static int clip_bounds(const struct art_session *s, const struct rt_node *n, float *lo, float *hi)
{
	*lo = -FLT_MAX;
	*hi = FLT_MAX;
	if (s->opset < 11) {
		*lo = rt_attr_f(n, "min", *lo);
		*hi = rt_attr_f(n, "max", *hi);
		return 1;
	}
	if (n->nin > 1 && n->in[1] >= 0 && !g_const_scalar(s, n, 1, lo))
		return 0;
	if (n->nin > 2 && n->in[2] >= 0 && !g_const_scalar(s, n, 2, hi))
		return 0;
	return 1;
}

/* Rewrites N into OP over input X writing OUT, with HardSigmoid's
 * parameters when it is one. */
static int rewrite(struct art_session *s, struct rt_node *n, const char *op, int x, int out)
{
	Onnx__NodeProto *p = g_synth_proto(s, op, n->name);
	if (!p)
		return -ENOMEM;
	if (!strcmp(op, "HardSigmoid") &&
	    (g_add_attr_f(p, "alpha", 1.0f / 6) || g_add_attr_f(p, "beta", 0.5f)))
		return -ENOMEM;
	n->proto = p;
	n->fn = rt_kernel_lookup(op);
	n->in[0] = x;
	n->nin = 1;
	n->out[0] = out;
	n->nout = 1;
	return 0;
}

/* N divides V by 6 (Div by 6, or Mul by 1/6). */
static int is_div6(const struct art_session *s, const struct rt_node *n, int v)
{
	float f;
	return (g_op(n, "Div") && n->in[0] == v && g_const_scalar(s, n, 1, &f) && near(f, 6)) ||
	       (g_op(n, "Mul") && other_scalar(s, n, v, &f) && near(f, 1.0f / 6));
}

/* N multiplies V by X. */
static int is_mul_by(const struct rt_node *n, int v, int x)
{
	return g_op(n, "Mul") && n->nin == 2 &&
	       ((n->in[0] == v && n->in[1] == x) || (n->in[1] == v && n->in[0] == x));
}

/*
 * x + 3 -> Clip(0, 6) -> / 6 -> * x (hard-swish), or -> * x -> / 6 (the
 * order the OCR models use), or without the * x (hard-sigmoid).
 */
static int fuse_hard_pattern(struct art_session *s, struct rt_node *add)
{
	float f;
	if (!g_op(add, "Add") || add->nin != 2)
		return 0;
	int x = g_const(s, add->in[1])			    ? add->in[0]
		: add->in[0] >= 0 && g_const(s, add->in[0]) ? add->in[1]
							    : -1;
	if (x < 0 || !other_scalar(s, add, x, &f) || !near(f, 3))
		return 0;
	int ci = only_reader(s, add->out[0]);
	if (ci < 0)
		return 0;
	struct rt_node *clip = &s->nodes[ci];
	float lo, hi;
	if (!g_op(clip, "Clip") || clip->in[0] != add->out[0] || !clip_bounds(s, clip, &lo, &hi) ||
	    !near(lo, 0) || !near(hi, 6))
		return 0;
	int ni = only_reader(s, clip->out[0]);
	if (ni < 0)
		return 0;
	struct rt_node *next = &s->nodes[ni];
	if (is_mul_by(next, clip->out[0], x)) {
		int di = only_reader(s, next->out[0]);
		if (di < 0 || !is_div6(s, &s->nodes[di], next->out[0]))
			return 0;
		clip->dead = next->dead = s->nodes[di].dead = 1;
		return rewrite(s, add, "HardSwish", x, s->nodes[di].out[0]);
	}
	if (!is_div6(s, next, clip->out[0]))
		return 0;
	int mi = only_reader(s, next->out[0]);
	if (mi >= 0 && is_mul_by(&s->nodes[mi], next->out[0], x)) {
		clip->dead = next->dead = s->nodes[mi].dead = 1;
		return rewrite(s, add, "HardSwish", x, s->nodes[mi].out[0]);
	}
	clip->dead = next->dead = 1;
	return rewrite(s, add, "HardSigmoid", x, next->out[0]);
}

/* HardSigmoid(x; 1/6, 1/2) * x. */
static int fuse_hsig_mul(struct art_session *s, struct rt_node *h)
{
	if (!g_op(h, "HardSigmoid") || !near(rt_attr_f(h, "alpha", 0.2f), 1.0f / 6) ||
	    !near(rt_attr_f(h, "beta", 0.5f), 0.5f))
		return 0;
	int x = h->in[0], mi = only_reader(s, h->out[0]);
	if (mi < 0)
		return 0;
	struct rt_node *mul = &s->nodes[mi];
	if (!is_mul_by(mul, h->out[0], x))
		return 0;
	mul->dead = 1;
	return rewrite(s, h, "HardSwish", x, mul->out[0]);
}

/* Conv's (or ConvTranspose's, group 1) constant float weights and bias:
 * M output channels, PER weights each. */
static int conv_params(const struct art_session *s, const struct rt_node *c, int64_t *m,
		       int64_t *per)
{
	int tr = g_op(c, "ConvTranspose");
	if (!(g_op(c, "Conv") || (tr && rt_attr_i(c, "group", 1) == 1)) || c->act || c->nin < 2 ||
	    !g_const(s, c->in[1]))
		return 0;
	const struct art_tensor *w = &s->vals[c->in[1]].t;
	if (w->dtype != ART_FLOAT || w->ndim < 3 || w->dims[0] <= 0 || w->dims[1] <= 0)
		return 0;
	*m = w->dims[tr ? 1 : 0];
	*per = art_tensor_elems(w) / *m;
	if (c->nin > 2 && c->in[2] >= 0 &&
	    (!g_const(s, c->in[2]) || s->vals[c->in[2]].t.dtype != ART_FLOAT ||
	     art_tensor_elems(&s->vals[c->in[2]].t) != *m))
		return 0;
	return 1;
}

/* Gives C new weights W[m] * SCALE[m] and bias B[m] * SCALE[m] + SHIFT[m]
 * (SCALE or SHIFT NULL: 1 or 0), then C writes OUT. */
static int conv_rescale(struct art_session *s, struct rt_node *c, const double *scale,
			const double *shift, int out)
{
	int64_t m, per;
	conv_params(s, c, &m, &per);
	float *nw, *nb;
	struct art_tensor wt = s->vals[c->in[1]].t;
	int hasb = c->nin > 2 && c->in[2] >= 0, tr = g_op(c, "ConvTranspose");
	int wv = g_new_const(s, s->vals[c->in[1]].name, ART_FLOAT, wt.ndim, wt.dims, (void **)&nw);
	if (wv < 0)
		return wv;
	int bv = g_new_const(s, hasb ? s->vals[c->in[2]].name : s->vals[c->in[1]].name, ART_FLOAT,
			     1, &m, (void **)&nb);
	if (bv < 0)
		return bv;
	const float *w = s->vals[c->in[1]].t.data;
	const float *b = hasb ? s->vals[c->in[2]].t.data : NULL;
	/* Output channel of weight I: dim 0 for Conv, dim 1 (of [C, M, k...])
	 * for ConvTranspose. */
	int64_t ksz = art_tensor_elems(&wt) / (wt.dims[0] * wt.dims[1]);
	for (int64_t i = 0, n = art_tensor_elems(&wt); i < n; i++) {
		int64_t k = tr ? (i / ksz) % m : i / per;
		nw[i] = (float)(w[i] * (scale ? scale[k] : 1.0));
	}
	for (int64_t k = 0; k < m; k++)
		nb[k] = (float)((b ? b[k] : 0.0) * (scale ? scale[k] : 1.0) +
				(shift ? shift[k] : 0.0));
	int rc = g_set_inputs(c, 3);
	if (rc)
		return rc;
	c->in[1] = wv;
	c->in[2] = bv;
	c->out[0] = out;
	return 0;
}

static int fuse_conv_bn(struct art_session *s, struct rt_node *c)
{
	int64_t m, per;
	if (!conv_params(s, c, &m, &per))
		return 0;
	int bi = only_reader(s, c->out[0]);
	if (bi < 0)
		return 0;
	struct rt_node *bn = &s->nodes[bi];
	if (!g_op(bn, "BatchNormalization") || bn->nin != 5 || bn->in[0] != c->out[0])
		return 0;
	for (int j = 1; j < bn->nout; j++)
		if (bn->out[j] >= 0 && (g_uses(s, bn->out[j]) || g_is_output(s, bn->out[j])))
			return 0;
	const float *p[4];
	for (int j = 1; j < 5; j++) {
		int v = bn->in[j];
		if (!g_const(s, v) || s->vals[v].t.dtype != ART_FLOAT ||
		    art_tensor_elems(&s->vals[v].t) != m)
			return 0;
		p[j - 1] = s->vals[v].t.data;
	}
	double *scale = malloc((size_t)m * 2 * sizeof(double));
	if (!scale)
		return -ENOMEM;
	double *shift = scale + m, eps = rt_attr_f(bn, "epsilon", 1e-5f);
	for (int64_t k = 0; k < m; k++) {
		scale[k] = p[0][k] / sqrt((double)p[3][k] + eps);
		shift[k] = p[1][k] - p[2][k] * scale[k];
	}
	int rc = conv_rescale(s, c, scale, shift, bn->out[0]);
	free(scale);
	if (!rc)
		bn->dead = 1;
	return rc ? rc : 1;
}

/* Mul/Div/Add/Sub of a Conv's output by a constant that is one value or
 * one per output channel (shape [M,1,1] or [1,M,1,1] against NCHW). */
static int fuse_conv_affine(struct art_session *s, struct rt_node *c)
{
	int64_t m, per;
	if (!conv_params(s, c, &m, &per))
		return 0;
	int ai = only_reader(s, c->out[0]);
	if (ai < 0)
		return 0;
	struct rt_node *a = &s->nodes[ai];
	int mul = g_op(a, "Mul"), div = g_op(a, "Div"), add = g_op(a, "Add"), sub = g_op(a, "Sub");
	if (!(mul || div || add || sub) || a->nin != 2)
		return 0;
	int ci = a->in[0] == c->out[0] ? 1 : 0;
	if ((div || sub) && ci != 1)
		return 0;
	int v = a->in[ci];
	const struct art_tensor *y = &s->vals[c->out[0]].info;
	if (!g_const(s, v) || s->vals[v].t.dtype != ART_FLOAT || y->ndim < 2)
		return 0;
	const struct art_tensor *k = &s->vals[v].t;
	int64_t cnt = art_tensor_elems(k);
	if (k->ndim > y->ndim || (cnt != 1 && cnt != m))
		return 0;
	/* Every dim of K is 1 except the one that lines up with channels. */
	for (int d = 0; d < k->ndim; d++)
		if (k->dims[d] != 1 && d != 1 - (y->ndim - k->ndim))
			return 0;
	double *f = malloc((size_t)m * sizeof(double));
	if (!f)
		return -ENOMEM;
	const float *kd = k->data;
	for (int64_t ch = 0; ch < m; ch++) {
		double x = kd[cnt == 1 ? 0 : ch];
		f[ch] = div ? 1.0 / x : sub ? -x : x;
	}
	int rc = conv_rescale(s, c, mul || div ? f : NULL, add || sub ? f : NULL, a->out[0]);
	free(f);
	if (!rc)
		a->dead = 1;
	return rc ? rc : 1;
}

/* A Conv with no padding (so zeros padded in cannot tell the difference)
 * reading A * x + B, with A and B scalars or one per input channel: the
 * weights take A and the bias takes the weights' sum times B. */
static int fuse_conv_pre_affine(struct art_session *s, struct rt_node *c)
{
	int64_t m, per, pads[2 * ART_MAX_DIMS];
	char pad[16] = "";
	if (!g_op(c, "Conv") || !conv_params(s, c, &m, &per))
		return 0;
	const Onnx__AttributeProto *ap = rt_attr(c, "auto_pad");
	if (ap && ap->has_s) {
		size_t l = ap->s.len < sizeof(pad) - 1 ? ap->s.len : sizeof(pad) - 1;
		memcpy(pad, ap->s.data, l);
	}
	if (pad[0] && strcmp(pad, "NOTSET") && strcmp(pad, "VALID"))
		return 0;
	const Onnx__AttributeProto *pa = rt_attr(c, "pads");
	for (size_t k = 0; pa && k < pa->n_ints && k < 2 * ART_MAX_DIMS; k++)
		if ((pads[k] = pa->ints[k]) != 0)
			return 0;
	int ai = g_producer(s, c->in[0]);
	if (ai < 0 || only_reader(s, c->in[0]) < 0)
		return 0;
	struct rt_node *a = &s->nodes[ai];
	int mul = g_op(a, "Mul"), div = g_op(a, "Div"), add = g_op(a, "Add"), sub = g_op(a, "Sub");
	if (!(mul || div || add || sub) || a->nin != 2 || a->nout != 1)
		return 0;
	int ki = g_const(s, a->in[1]) ? 1 : g_const(s, a->in[0]) ? 0 : -1;
	if (ki < 0 || ((div || sub) && ki != 1))
		return 0;
	const struct art_tensor *k = &s->vals[a->in[ki]].t, *x = &s->vals[a->in[1 - ki]].info;
	const struct art_tensor *wt = &s->vals[c->in[1]].t;
	int64_t cin = x->ndim == wt->ndim ? x->dims[1] : -1, cnt = art_tensor_elems(k);
	if (k->dtype != ART_FLOAT || cin <= 0 || (cnt != 1 && cnt != cin) || k->ndim > x->ndim)
		return 0;
	for (int d = 0; d < k->ndim; d++)
		if (k->dims[d] != 1 && d != 1 - (x->ndim - k->ndim))
			return 0;
	int64_t cg = wt->dims[1], mg = m / (cin / cg), ksz = per / cg;
	float *nw, *nb;
	int hasb = c->nin > 2 && c->in[2] >= 0;
	int wv =
		g_new_const(s, s->vals[c->in[1]].name, ART_FLOAT, wt->ndim, wt->dims, (void **)&nw);
	if (wv < 0)
		return wv;
	int bv = g_new_const(s, s->vals[c->in[hasb ? 2 : 1]].name, ART_FLOAT, 1, &m, (void **)&nb);
	if (bv < 0)
		return bv;
	const float *w = s->vals[c->in[1]].t.data, *kd = s->vals[a->in[ki]].t.data;
	const float *b = hasb ? s->vals[c->in[2]].t.data : NULL;
	for (int64_t o = 0; o < m; o++) {
		double acc = b ? b[o] : 0.0;
		for (int64_t cl = 0; cl < cg; cl++) {
			double f = kd[cnt == 1 ? 0 : (o / mg) * cg + cl];
			double sc = mul ? f : div ? 1.0 / f : 1.0, sh = add ? f : sub ? -f : 0.0;
			for (int64_t e = 0; e < ksz; e++) {
				int64_t i = (o * cg + cl) * ksz + e;
				nw[i] = (float)(w[i] * sc);
				acc += (double)w[i] * sh;
			}
		}
		nb[o] = (float)acc;
	}
	int rc = g_set_inputs(c, 3);
	if (rc)
		return rc;
	c->in[0] = a->in[1 - ki];
	c->in[1] = wv;
	c->in[2] = bv;
	a->dead = 1;
	return 1;
}

/* Constant input of binary node N other than V: a rank-1 float tensor of
 * ELEMS elements (any count when ELEMS is -1), or -1. */
static int rank1_const(const struct art_session *s, const struct rt_node *n, int v, int64_t elems)
{
	if (n->nin != 2 || (n->in[0] != v && n->in[1] != v))
		return -1;
	int o = n->in[0] == v ? n->in[1] : n->in[0];
	if (!g_const(s, o) || s->vals[o].t.dtype != ART_FLOAT || s->vals[o].t.ndim != 1 ||
	    (elems >= 0 && s->vals[o].t.dims[0] != elems))
		return -1;
	return o;
}

static int last_axis_mean(const struct rt_node *n, int rank)
{
	const Onnx__AttributeProto *a = rt_attr(n, "axes");
	return g_op(n, "ReduceMean") && n->nin == 1 && a && a->n_ints == 1 &&
	       (a->ints[0] == -1 || (rank >= 1 && a->ints[0] == rank - 1)) &&
	       rt_attr_i(n, "keepdims", 1);
}

/*
 * LayerNorm spelled out over the last axis: m = ReduceMean(x), d = x - m,
 * v = ReduceMean(d ^ 2), y = d / Sqrt(v + eps) * gamma + beta, becomes one
 * LayerNormalization(x, gamma, beta; axis -1, epsilon eps) when a kernel
 * for it exists.
 */
static int fuse_layernorm(struct art_session *s, struct rt_node *r1)
{
	float f, eps;
	int x = r1->nin ? r1->in[0] : -1;
	/* The rank may be unknown here (dynamic shape arithmetic before);
	 * axes [-1] says enough, and gamma's length is the normalised size. */
	int rank = x >= 0 ? s->vals[x].info.ndim : -1;
	if (x < 0 || !last_axis_mean(r1, rank) || !rt_kernel_lookup("LayerNormalization"))
		return 0;
	int si = only_reader(s, r1->out[0]);
	if (si < 0)
		return 0;
	struct rt_node *sub = &s->nodes[si];
	if (!g_op(sub, "Sub") || sub->in[0] != x || sub->in[1] != r1->out[0] ||
	    g_is_output(s, sub->out[0]) || g_uses(s, sub->out[0]) != 2)
		return 0;
	int pi = g_consumer(s, sub->out[0], si), qi = g_consumer(s, sub->out[0], pi);
	if (pi < 0 || qi < 0)
		return 0;
	struct rt_node *pw = &s->nodes[pi], *div = &s->nodes[qi];
	if (g_op(pw, "Div"))
		pw = &s->nodes[qi], div = &s->nodes[pi];
	if (!g_op(pw, "Pow") || pw->in[0] != sub->out[0] || !g_const_scalar(s, pw, 1, &f) ||
	    f != 2.0f || !g_op(div, "Div") || div->in[0] != sub->out[0])
		return 0;
	int r2i = only_reader(s, pw->out[0]);
	struct rt_node *r2 = r2i >= 0 ? &s->nodes[r2i] : NULL;
	if (!r2 || !last_axis_mean(r2, rank) || r2->in[0] != pw->out[0])
		return 0;
	int ai = only_reader(s, r2->out[0]);
	struct rt_node *add = ai >= 0 ? &s->nodes[ai] : NULL;
	if (!add || !g_op(add, "Add") || !other_scalar(s, add, r2->out[0], &eps))
		return 0;
	int qi2 = only_reader(s, add->out[0]);
	struct rt_node *sq = qi2 >= 0 ? &s->nodes[qi2] : NULL;
	if (!sq || !g_op(sq, "Sqrt") || div->in[1] != sq->out[0] ||
	    only_reader(s, sq->out[0]) != (int)(div - s->nodes))
		return 0;
	int mi = only_reader(s, div->out[0]);
	struct rt_node *mul = mi >= 0 ? &s->nodes[mi] : NULL;
	int gamma = mul && g_op(mul, "Mul") ? rank1_const(s, mul, div->out[0], -1) : -1;
	if (gamma < 0)
		return 0;
	int64_t d = s->vals[gamma].t.dims[0];
	if (rank >= 1 && s->vals[x].info.dims[rank - 1] >= 0 && s->vals[x].info.dims[rank - 1] != d)
		return 0;
	int bi = only_reader(s, mul->out[0]);
	struct rt_node *badd = bi >= 0 ? &s->nodes[bi] : NULL;
	int beta = badd && g_op(badd, "Add") ? rank1_const(s, badd, mul->out[0], d) : -1;
	if (beta < 0)
		return 0;
	Onnx__NodeProto *p = g_synth_proto(s, "LayerNormalization", r1->name);
	if (!p || g_add_attr_i(p, "axis", -1) || g_add_attr_f(p, "epsilon", eps))
		return -ENOMEM;
	int rc = g_set_inputs(r1, 3);
	if (rc)
		return rc;
	r1->proto = p;
	r1->fn = rt_kernel_lookup("LayerNormalization");
	r1->in[1] = gamma;
	r1->in[2] = beta;
	r1->out[0] = badd->out[0];
	sub->dead = pw->dead = r2->dead = add->dead = sq->dead = div->dead = mul->dead =
		badd->dead = 1;
	return 0;
}

/* MatMul + Add(constant bias onto the last dims), Gemm(no C) + Add. */
static int fuse_bias(struct art_session *s, struct rt_node *n)
{
	int gemm = g_op(n, "Gemm");
	if (!(g_op(n, "MatMul") || gemm) || n->act || n->nin != 2)
		return 0;
	if (gemm && rt_attr(n, "beta") && rt_attr_f(n, "beta", 1) != 1.0f)
		return 0;
	int ai = only_reader(s, n->out[0]);
	if (ai < 0)
		return 0;
	struct rt_node *a = &s->nodes[ai];
	if (!g_op(a, "Add") || a->nin != 2)
		return 0;
	int b = a->in[0] == n->out[0] ? a->in[1] : a->in[0];
	const struct art_tensor *y = &s->vals[n->out[0]].info, *wi = &s->vals[n->in[1]].info;
	const struct art_tensor *bt = &s->vals[b].t;
	/* A weight of rank 1 drops a dim of the product: not worth the cases. */
	if (!g_const(s, b) || bt->dtype != ART_FLOAT || (y->dtype && y->dtype != ART_FLOAT) ||
	    wi->ndim < 2 || (gemm && bt->ndim > 2))
		return 0;
	if (y->ndim < 0 && !gemm) {
		/* Rank unknown before the run (dynamic shape arithmetic): a
		 * bias [N], N the weight's last dim, adds along the product's
		 * last dim whatever the rank. */
		if (bt->ndim != 1 || wi->dims[wi->ndim - 1] < 0 ||
		    bt->dims[0] != wi->dims[wi->ndim - 1])
			return 0;
	} else {
		/* The bias must not grow the product: leading dims 1, the rest
		 * equal or 1 (a bias of [N] is the usual case). */
		if (y->ndim < 2 || s->vals[n->in[0]].info.ndim == 1 || bt->ndim > y->ndim)
			return 0;
		for (int d = 0; d < bt->ndim; d++) {
			int64_t yd = y->dims[y->ndim - bt->ndim + d];
			if (bt->dims[d] != 1 && bt->dims[d] != yd)
				return 0;
		}
	}
	int rc = g_set_inputs(n, 3);
	if (rc)
		return rc;
	n->in[2] = b;
	n->out[0] = a->out[0];
	a->dead = 1;
	return 1;
}

static int act_of(const struct art_session *s, const struct rt_node *a, float *al, float *be)
{
	*al = *be = 0;
	if (g_op(a, "Relu"))
		return ARES_ACT_RELU;
	if (g_op(a, "Sigmoid"))
		return ARES_ACT_SIGMOID;
	if (g_op(a, "Tanh"))
		return ARES_ACT_TANH;
	if (g_op(a, "HardSwish"))
		return ARES_ACT_HARD_SWISH;
	if (g_op(a, "LeakyRelu")) {
		*al = rt_attr_f(a, "alpha", 0.01f);
		return ARES_ACT_LEAKY_RELU;
	}
	if (g_op(a, "HardSigmoid")) {
		*al = rt_attr_f(a, "alpha", 0.2f);
		*be = rt_attr_f(a, "beta", 0.5f);
		return ARES_ACT_HARD_SIGMOID;
	}
	if (g_op(a, "Clip") && clip_bounds(s, a, al, be))
		return ARES_ACT_CLIP;
	return ARES_ACT_NONE;
}

static int fuse_act(struct art_session *s, struct rt_node *n)
{
	if (!(g_op(n, "Conv") || g_op(n, "ConvTranspose") || g_op(n, "Gemm") ||
	      g_op(n, "MatMul")) ||
	    n->act || n->nout != 1 || s->vals[n->out[0]].info.dtype != ART_FLOAT)
		return 0;
	int ai = only_reader(s, n->out[0]);
	if (ai < 0)
		return 0;
	struct rt_node *a = &s->nodes[ai];
	float al, be;
	int k = act_of(s, a, &al, &be);
	if (k == ARES_ACT_NONE || a->in[0] != n->out[0] || a->nout != 1)
		return 0;
	n->act = k;
	n->act_alpha = al;
	n->act_beta = be;
	n->out[0] = a->out[0];
	a->dead = 1;
	return 1;
}

/*
 * A Conv's output read only by Mul, Add, Sub (x - c), Max or Min with a
 * constant f32 scalar that broadcasts to nothing new: the op becomes a
 * step of the Conv's tail, applied after its activation (the CPU path: a
 * oneDNN post-op, rt_apply_act() on the loops). PP-OCR's learnable affine
 * blocks (x * a + b after each HardSwish: det's and rec's 24 and 20
 * pairs) and embedding's Max after each LeakyRelu were a pass over memory
 * and a parallel region each. Only on a session with no device: the
 * device's conv has no such tail.
 */
/* N's activation or tail already needs a oneDNN clip post-op (CLIP) or a
 * linear one (!CLIP). */
static int tail_uses(const struct rt_node *n, int clip)
{
	if (n->act == ARES_ACT_HARD_SIGMOID || (clip && n->act == ARES_ACT_CLIP))
		return 1;
	for (int k = 0; k < n->ntail; k++) {
		int c = n->tail[k].op == RT_TAIL_MAX || n->tail[k].op == RT_TAIL_MIN;
		if (c == clip)
			return 1;
	}
	return 0;
}

static int fuse_conv_tail(struct art_session *s, struct rt_node *n)
{
	if (!g_op(n, "Conv") || n->nout != 1 || n->ntail >= RT_MAX_TAIL ||
	    s->vals[n->out[0]].info.dtype != ART_FLOAT)
		return 0;
	int y = n->out[0], ri = only_reader(s, y);
	if (ri < 0)
		return 0;
	struct rt_node *r = &s->nodes[ri];
	int op = g_op(r, "Mul")	  ? RT_TAIL_MUL
		 : g_op(r, "Add") ? RT_TAIL_ADD
		 : g_op(r, "Sub") ? RT_TAIL_ADD
		 : g_op(r, "Max") ? RT_TAIL_MAX
		 : g_op(r, "Min") ? RT_TAIL_MIN
				  : 0;
	float f;
	if (!op || r->nin != 2 || r->nout != 1 || !other_scalar(s, r, y, &f) ||
	    (g_op(r, "Sub") && r->in[0] != y))
		return 0;
	const struct art_tensor *k = &s->vals[r->in[r->in[0] == y ? 1 : 0]].t;
	const struct art_tensor *yi = &s->vals[y].info, *zi = &s->vals[r->out[0]].info;
	if (k->dtype != ART_FLOAT || yi->ndim < k->ndim || zi->ndim != yi->ndim ||
	    zi->dtype != ART_FLOAT)
		return 0;
	/* oneDNN 2.6 runs a post-op chain with one eltwise kind twice in it
	 * with the first one's parameters for both (measured: two linears,
	 * two clips), and the CPU path takes a tail as post-ops after the
	 * activation's: a Mul or Add joins a run of them (one linear step) or
	 * starts the only one, a Max or Min is the only clip. */
	int last = n->ntail ? n->tail[n->ntail - 1].op : 0;
	if (op == RT_TAIL_MUL || op == RT_TAIL_ADD) {
		if (last != RT_TAIL_MUL && last != RT_TAIL_ADD && tail_uses(n, 0))
			return 0;
	} else if (tail_uses(n, 1)) {
		return 0;
	}
	n->tail[n->ntail].op = op;
	n->tail[n->ntail].v = g_op(r, "Sub") ? -f : f;
	n->ntail++;
	n->out[0] = r->out[0];
	r->dead = 1;
	return 1;
}

typedef int (*fuse_fn)(struct art_session *s, struct rt_node *n);

/* BatchNormalization and scale/shift after a Conv, in any order. */
static int fuse_conv_post(struct art_session *s, struct rt_node *c)
{
	int rc = fuse_conv_bn(s, c);
	return rc ? rc : fuse_conv_affine(s, c);
}

static int run(struct art_session *s, fuse_fn f)
{
	for (int i = 0; i < s->nnodes; i++) {
		if (s->nodes[i].dead)
			continue;
		int rc = f(s, &s->nodes[i]);
		if (rc < 0)
			return rt_err(s, rc, "node '%s': out of memory fusing", s->nodes[i].name);
		/* Fused: the node may fuse again with its new reader. */
		if (rc > 0)
			i--;
	}
	return 0;
}

int g_fuse(struct art_session *s)
{
	static const fuse_fn passes[] = {fuse_hard_pattern, fuse_hsig_mul,	  fuse_layernorm,
					 fuse_conv_post,    fuse_conv_pre_affine, fuse_bias,
					 fuse_act};
	for (size_t p = 0; p < sizeof(passes) / sizeof(passes[0]); p++) {
		int rc = run(s, passes[p]);
		if (rc)
			return rc;
	}
	return 0;
}

int g_fuse_host(struct art_session *s)
{
	return run(s, fuse_conv_tail);
}
