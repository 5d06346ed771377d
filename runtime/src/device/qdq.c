// SPDX-License-Identifier: MIT
/*
 * QDQ fusion at device placement: DequantizeLinear(x 8-bit),
 * DequantizeLinear(w 8-bit constant) [, DequantizeLinear(b int32
 * constant)] into Conv or MatMul, whose one reader is QuantizeLinear(y),
 * becomes one node the device runs as QLinearConv or QLinearMatMul
 * (device/quant.c): int32 accumulation on the int8 engine and one
 * requantisation, instead of DQ and Q as COPY around an f32 conv. Under
 * forced device placement (--placement device or --no-fallback) every
 * pattern the engine takes is fused before placing; under placement by
 * benefit, after it, only where the cost model put the whole pattern on
 * the device. The CPU path never sees it (the session's nodes are
 * rewritten only when a device is opened; a partition that falls back to
 * the CPU at run time runs the fused node with the same arithmetic,
 * rt_requant_act()), and a pattern the engine cannot take exactly stays
 * as it was with a note in its placement reason.
 *
 * Likewise DequantizeLinear(x) -> Mul by a scalar constant [-> Add or
 * Sub of one] (or Add/Sub alone) -> QuantizeLinear becomes one node the
 * device runs as ELTWISE AFFINE on the 8-bit tensors (device/quant.c,
 * "QAffine"), exactly the chain's integers (match_affine() below); and
 * DQ(a), DQ(b) -> Add/Sub/Mul -> Q one quantised ELTWISE ("QAdd"...).
 *
 * The bound: the float chain computes sum((xq - zx) sx (wq - zw) sw) + b
 * in binary32 and rounds y / sy to the grid; the engine computes the same
 * real sum exactly in int32 and rounds acc * f32(sx sw / sy). Both are the
 * same real number up to binary32 rounding of the sum and the scale, so
 * rounding to the grid differs by at most one step, and only where the
 * value lies within that rounding error of a half-step boundary. With a
 * Sigmoid, Tanh, HardSigmoid or HardSwish the engine applies it to acc *
 * f32(sx sw) and divides by sy after; those functions change a value by
 * at most 1.5 times as much as their input changed, so the same holds.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"
#include "graph/graph.h"
#include "graph/ir.h"

static int op_is(const struct rt_node *n, const char *op)
{
	return !strcmp(n->proto->op_type, op);
}

static int producer(const struct art_session *s, int v)
{
	return v < 0 ? -1 : g_producer(s, v);
}

/* The one reader of V (no graph output), or -1. */
static int only_reader(const struct art_session *s, int v)
{
	int r = -1;
	if (g_is_output(s, v))
		return -1;
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nin; j++)
			if (s->nodes[i].in[j] == v) {
				if (r >= 0 && r != i)
					return -1;
				if (r == i)
					return -1;
				r = i;
			}
	return r;
}

static int eight_bit(int dt)
{
	return dt == ART_INT8 || dt == ART_UINT8;
}

/* A DequantizeLinear's operands: its node's inputs, or those a constant
 * folded from one at load remembers (graph/fold.c). */
struct dq {
	int q, s, z;
	int64_t axis;
};

static const struct art_tensor *cv(const struct art_session *s, int v)
{
	return v >= 0 && dev_is_const(s, v) ? &s->vals[v].t : NULL;
}

/* Scale and zero point V's DQ has are per tensor. */
static int per_tensor(const struct art_session *s, const struct dq *d)
{
	const struct art_tensor *sc = cv(s, d->s), *zp = cv(s, d->z);
	return sc && art_tensor_elems(sc) == 1 && (d->z < 0 || zp) &&
	       (!zp || art_tensor_elems(zp) == 1);
}

/* Value V as a folded dequantised constant. */
static int folded_dq(const struct art_session *s, int v, struct dq *d)
{
	if (v < 0 || !dev_is_const(s, v) || s->vals[v].dq_src[0] < 0)
		return 0;
	d->q = s->vals[v].dq_src[0];
	d->s = s->vals[v].dq_src[1];
	d->z = s->vals[v].dq_src[2];
	d->axis = s->vals[v].dq_axis;
	return cv(s, d->q) && cv(s, d->s) && (d->z < 0 || cv(s, d->z));
}

/* Activation node A as one the fusion takes: Relu and LeakyRelu commute
 * with division by the output scale, Clip does with its bounds divided. */
static int act_node(const struct art_session *s, const struct rt_node *a, int *kind, float *al,
		    float *be)
{
	*al = *be = 0;
	if (op_is(a, "Relu")) {
		*kind = ARES_ACT_RELU;
		return 1;
	}
	if (op_is(a, "LeakyRelu")) {
		*kind = ARES_ACT_LEAKY_RELU;
		*al = rt_attr_f(a, "alpha", 0.01f);
		return 1;
	}
	static const struct {
		const char *op;
		int kind;
	} real[] = {{"Sigmoid", ARES_ACT_SIGMOID},
		    {"Tanh", ARES_ACT_TANH},
		    {"HardSwish", ARES_ACT_HARD_SWISH},
		    {"HardSigmoid", ARES_ACT_HARD_SIGMOID}};
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		if (op_is(a, real[i].op)) {
			*kind = real[i].kind;
			if (real[i].kind == ARES_ACT_HARD_SIGMOID) {
				*al = rt_attr_f(a, "alpha", 0.2f);
				*be = rt_attr_f(a, "beta", 0.5f);
			}
			return 1;
		}
	if (!op_is(a, "Clip") || s->opset < 11)
		return 0;
	const struct art_tensor *lo = a->nin > 1 ? cv(s, a->in[1]) : NULL,
				*hi = a->nin > 2 ? cv(s, a->in[2]) : NULL;
	if ((a->nin > 1 && a->in[1] >= 0 && (!lo || art_tensor_elems(lo) != 1)) ||
	    (a->nin > 2 && a->in[2] >= 0 && (!hi || art_tensor_elems(hi) != 1)))
		return 0;
	*kind = ARES_ACT_CLIP;
	*al = lo ? (float)rt_get_d(lo, 0) : -FLT_MAX;
	*be = hi ? (float)rt_get_d(hi, 0) : FLT_MAX;
	return 1;
}

/* The pattern around conv/matmul N: DQ(x)'s node and operands, the
 * weight's and bias's, and the QuantizeLinear node. */
struct qdq_match {
	int dqx, q;
	int shared_x; /* DQ(x) is read by other nodes too: it stays for them */
	int act;      /* an activation node between, or -1, and what it does */
	int act_kind;
	float act_alpha, act_beta;
	struct dq x, w, b;
	int has_b;
	int real; /* the activation runs in real units (rt_node.qdq_real) */
};

/* Why N with its QDQ neighbours cannot be fused, else NULL with M set. */
static const char *match(struct art_session *s, const struct rt_node *n, int conv,
			 struct qdq_match *m)
{
	if (n->nout != 1 || n->nin < 2)
		return "no QDQ pattern";
	m->dqx = producer(s, n->in[0]);
	if (m->dqx < 0 || !op_is(&s->nodes[m->dqx], "DequantizeLinear") ||
	    !folded_dq(s, n->in[1], &m->w))
		return "no QDQ pattern";
	const struct rt_node *dqx = &s->nodes[m->dqx];
	m->x = (struct dq){dqx->in[0], dqx->nin > 1 ? dqx->in[1] : -1,
			   dqx->nin > 2 ? dqx->in[2] : -1, 1};
	m->q = only_reader(s, n->out[0]);
	m->act = -1;
	int y_f = n->out[0];
	if (m->q >= 0 && n->act == ARES_ACT_NONE && s->nodes[m->q].nout == 1 &&
	    act_node(s, &s->nodes[m->q], &m->act_kind, &m->act_alpha, &m->act_beta)) {
		m->act = m->q;
		y_f = s->nodes[m->act].out[0];
		m->q = only_reader(s, y_f);
	}
	if (m->q < 0 || !op_is(&s->nodes[m->q], "QuantizeLinear") || s->nodes[m->q].in[0] != y_f)
		return "its output is not read by one QuantizeLinear alone";
	const struct rt_node *q = &s->nodes[m->q];
	struct dq y = {-1, q->nin > 1 ? q->in[1] : -1, q->nin > 2 ? q->in[2] : -1, 1};
	/* A requantized tensor read by several nodes (ares-quantize's
	 * requantized Mul/Add and Resize) has one DQ for all: the fused node
	 * reads the 8-bit tensor, the DQ stays for the others. */
	m->shared_x = only_reader(s, n->in[0]) != n - s->nodes;
	if (!per_tensor(s, &m->x) || !per_tensor(s, &y))
		return "per-channel activation scales, or scales that are not constants (the "
		       "engine's input and output are per tensor)";
	if (rt_attr_i(dqx, "block_size", 0) || rt_attr_i(q, "block_size", 0))
		return "blocked quantisation";
	const struct art_tensor *wq = cv(s, m->w.q), *ws = cv(s, m->w.s), *yz = cv(s, y.z);
	if (!eight_bit(dev_value_dtype(s, m->x.q)) || !eight_bit(wq->dtype))
		return "x or the weight is not 8-bit";
	if (yz && !eight_bit(yz->dtype))
		return "the QuantizeLinear output is not 8-bit";
	if (art_tensor_elems(ws) > 1 &&
	    dev_norm_axis(m->w.axis, wq->ndim) != (conv ? 0 : wq->ndim - 1))
		return "the weight's per-channel axis is not its output channels";
	/* Q is monotonic and Q(0) = zy: Q(relu(y)) = max(Q(y), zy), and
	 * Q(clip(y, lo, hi)) clamps Q(y) to Q(lo), Q(hi); the engine applies
	 * them to acc * m, which is y / sy (device/quant.c). The others do
	 * not commute with the division by sy: the engine applies them to the
	 * real value acc * sx * sw and divides by sy after (real units). */
	int act = m->act >= 0 ? m->act_kind : n->act;
	m->real = act == ARES_ACT_SIGMOID || act == ARES_ACT_TANH || act == ARES_ACT_HARD_SWISH ||
		  act == ARES_ACT_HARD_SIGMOID;
	if (act != ARES_ACT_NONE && act != ARES_ACT_RELU && act != ARES_ACT_CLIP &&
	    act != ARES_ACT_LEAKY_RELU && !m->real)
		return "an activation other than Relu, LeakyRelu, Clip, Sigmoid, Tanh, "
		       "HardSigmoid or HardSwish between it and its QuantizeLinear";
	m->has_b = n->nin > 2 && n->in[2] >= 0;
	if (!m->has_b)
		return NULL;
	if (!conv)
		return "a bias added to the MatMul (QLinearMatMul has none)";
	if (!folded_dq(s, n->in[2], &m->b))
		return "an f32 bias, not a dequantised int32 constant";
	const struct art_tensor *b = cv(s, m->b.q), *bs = cv(s, m->b.s), *bz = cv(s, m->b.z),
				*xs = cv(s, m->x.s);
	if (b->dtype != ART_INT32 || b->ndim != 1)
		return "the bias is not a 1-D int32 constant";
	for (int64_t i = 0; bz && i < art_tensor_elems(bz); i++)
		if (rt_get_i(bz, i))
			return "the bias has a zero point";
	int64_t nb = art_tensor_elems(bs), nw = art_tensor_elems(ws);
	if (nb > 1 && nw > 1 && nb != nw)
		return "the bias and weight scales disagree in channels";
	for (int64_t i = 0; i < (nb > nw ? nb : nw); i++) {
		float want = (float)rt_get_d(xs, 0) * (float)rt_get_d(ws, nw > 1 ? i : 0);
		if ((float)rt_get_d(bs, nb > 1 ? i : 0) != want)
			return "the bias scale is not x's scale times the weight's";
	}
	return NULL;
}

/* The node as it was, to put back when the device refuses the fused form. */
struct saved {
	int *in, nin, out, act;
	float act_alpha, act_beta;
	rt_kernel_fn fn;
};

static struct saved save(const struct rt_node *n)
{
	return (struct saved){n->in, n->nin, n->out[0], n->act, n->act_alpha, n->act_beta, n->fn};
}

/*
 * N carries its fused form, with inputs IN: keep it if the device table
 * takes it (1, the old inputs freed, PLACED nodes say REASON), else put N
 * back as SV was (0, IN freed, the refusal in qdq_note; REFUSED when the
 * table's reason is a formatted one).
 */
static int adopt_fused(struct art_session *s, struct rt_node *n, const struct saved *sv, int *in,
		       int placed, const char *refused, const char *reason)
{
	char buf[160];
	const char *why = dev_why_not(s, n, buf, sizeof(buf));
	if (why) {
		n->in = sv->in;
		n->nin = sv->nin;
		n->out[0] = sv->out;
		n->fn = sv->fn;
		n->act = sv->act;
		n->act_alpha = sv->act_alpha;
		n->act_beta = sv->act_beta;
		n->dev_op = NULL;
		n->qdq_real = 0;
		free(in);
		n->qdq_note = why == buf ? refused : why;
		return 0;
	}
	free(sv->in);
	if (placed) {
		if (n->reason_owned)
			free((void *)n->placement_reason);
		n->reason_owned = 0;
		n->placement_reason = reason;
	}
	return 1;
}

/* After placement by benefit, the nodes of the pattern are all on the
 * device: the fused node could run nowhere else as fast. */
static int placed_on_device(const struct art_session *s, const struct rt_node *n,
			    const struct qdq_match *m)
{
	return n->on_device && s->nodes[m->dqx].on_device && s->nodes[m->q].on_device &&
	       (m->act < 0 || s->nodes[m->act].on_device);
}

static int fuse_one(struct art_session *s, struct rt_node *n, int conv, int placed, int *dead)
{
	struct qdq_match m;
	const char *why = match(s, n, conv, &m);
	if (why) {
		if (strcmp(why, "no QDQ pattern"))
			n->qdq_note = why;
		return 0;
	}
	if (placed && !placed_on_device(s, n, &m))
		return 0;
	int *in = malloc(9 * sizeof(*in));
	if (!in)
		return -ENOMEM;
	const struct dq *src[2] = {&m.x, &m.w};
	for (int k = 0; k < 2; k++) {
		in[3 * k] = src[k]->q;
		in[3 * k + 1] = src[k]->s;
		in[3 * k + 2] = src[k]->z;
	}
	const struct rt_node *q = &s->nodes[m.q];
	in[6] = q->nin > 1 ? q->in[1] : -1;
	in[7] = q->nin > 2 ? q->in[2] : -1;
	in[8] = m.has_b ? m.b.q : -1;
	int nin = conv ? 9 : 8;
	struct saved sv = save(n);
	if (m.act >= 0) {
		n->act = m.act_kind;
		n->act_alpha = m.act_alpha;
		n->act_beta = m.act_beta;
	}
	if (n->act == ARES_ACT_CLIP) {
		float ys = (float)rt_get_d(&s->vals[in[6]].t, 0);
		n->act_alpha /= ys;
		n->act_beta /= ys;
	}
	n->qdq_real = m.real;
	n->in = in;
	n->nin = nin;
	n->out[0] = q->out[0];
	n->dev_op = conv ? "QLinearConv" : "QLinearMatMul";
	n->fn = rt_kernel_lookup(n->dev_op);
	if (!adopt_fused(s, n, &sv, in, placed, "the int8 engine refuses the fused form",
			 conv ? "fused QDQ on int8 (as QLinearConv)"
			      : "fused QDQ on int8 (as QLinearMatMul)"))
		return 0;
	dead[m.dqx] |= !m.shared_x;
	dead[m.q] = 1;
	if (m.act >= 0)
		dead[m.act] = 1;
	return 1;
}

/* The f32 scalar constant operand of binary node B besides X, into *V:
 * a rank-0 or one-element 1-D constant, or 0. */
static int scalar_operand(const struct art_session *s, const struct rt_node *b, int x, float *v,
			  int *x_first, int *rank1)
{
	if (b->nin != 2 || b->nout != 1 || b->act != ARES_ACT_NONE || b->in[0] == b->in[1])
		return 0;
	int k = b->in[0] == x ? 1 : b->in[1] == x ? 0 : -1;
	const struct art_tensor *c = k < 0 ? NULL : cv(s, b->in[k]);
	if (!c || c->dtype != ART_FLOAT || art_tensor_elems(c) != 1 || c->ndim > 1)
		return 0;
	/* A [1] constant makes a rank-0 x [1] (rt_node.qaff_rank1). */
	*rank1 |= c->ndim == 1;
	*v = (float)rt_get_d(c, 0);
	*x_first = k == 1;
	return 1;
}

/* DQ(x) -> Mul(c) [-> Add(d) | Sub(d)] -> Q, or DQ(x) -> Add(d) | Sub(d)
 * -> Q, with x, scales and zero points per tensor: y = alpha x + beta in
 * binary32 with the steps the chain rounds at (Mul then Add, as ELTWISE
 * AFFINE computes alpha x + beta; x - d is x + (-d) exactly). The
 * residual-free affine pairs PP-LCNetV3 (PP-OCRv4) puts after every
 * activation are this chain. */
struct qaff_match {
	int dq, op2, q;
	float alpha, beta;
	int rank1;
};

static int affine_step(const struct art_session *s, const struct rt_node *b, int x, int mul_ok,
		       struct qaff_match *m)
{
	float v;
	int x_first;
	float *alpha = &m->alpha, *beta = &m->beta;
	if (!scalar_operand(s, b, x, &v, &x_first, &m->rank1))
		return 0;
	if (mul_ok && op_is(b, "Mul")) {
		*alpha = v;
		return 1;
	}
	if (op_is(b, "Add") || (op_is(b, "Sub") && x_first)) {
		*beta = op_is(b, "Sub") ? -v : v;
		return 1;
	}
	return 0;
}

static int match_affine(struct art_session *s, const struct rt_node *n, struct qaff_match *m)
{
	m->dq = producer(s, n->nin > 0 ? n->in[0] : -1);
	int x = -1;
	for (int k = 0; k < n->nin && k < 2; k++) {
		int p = producer(s, n->in[k]);
		if (p >= 0 && op_is(&s->nodes[p], "DequantizeLinear")) {
			m->dq = p;
			x = n->in[k];
		}
	}
	if (x < 0 || only_reader(s, x) != n - s->nodes)
		return 0;
	m->alpha = 1.0f;
	m->beta = 0.0f;
	m->rank1 = 0;
	if (!affine_step(s, n, x, 1, m))
		return 0;
	int y = n->out[0];
	m->op2 = -1;
	m->q = only_reader(s, y);
	if (m->q >= 0 && op_is(n, "Mul") && affine_step(s, &s->nodes[m->q], y, 0, m)) {
		m->op2 = m->q;
		y = s->nodes[m->op2].out[0];
		m->q = only_reader(s, y);
	}
	if (m->q < 0 || !op_is(&s->nodes[m->q], "QuantizeLinear") || s->nodes[m->q].in[0] != y ||
	    s->nodes[m->q].nout != 1)
		return 0;
	const struct rt_node *dq = &s->nodes[m->dq], *q = &s->nodes[m->q];
	struct dq xd = {dq->in[0], dq->nin > 1 ? dq->in[1] : -1, dq->nin > 2 ? dq->in[2] : -1, 1},
		  yd = {-1, q->nin > 1 ? q->in[1] : -1, q->nin > 2 ? q->in[2] : -1, 1};
	return per_tensor(s, &xd) && per_tensor(s, &yd) && !rt_attr_i(dq, "block_size", 0) &&
	       !rt_attr_i(q, "block_size", 0) && eight_bit(dev_value_dtype(s, xd.q));
}

static int fuse_affine(struct art_session *s, struct rt_node *n, int placed, int *dead)
{
	struct qaff_match m;
	if (!match_affine(s, n, &m))
		return 0;
	if (placed && !(n->on_device && s->nodes[m.dq].on_device && s->nodes[m.q].on_device &&
			(m.op2 < 0 || s->nodes[m.op2].on_device)))
		return 0;
	int *in = malloc(5 * sizeof(*in));
	if (!in)
		return -ENOMEM;
	const struct rt_node *dq = &s->nodes[m.dq], *q = &s->nodes[m.q];
	in[0] = dq->in[0];
	in[1] = dq->nin > 1 ? dq->in[1] : -1;
	in[2] = dq->nin > 2 ? dq->in[2] : -1;
	in[3] = q->nin > 1 ? q->in[1] : -1;
	in[4] = q->nin > 2 ? q->in[2] : -1;
	struct saved sv = save(n);
	n->in = in;
	n->nin = 5;
	n->out[0] = q->out[0];
	n->qaff_alpha = m.alpha;
	n->qaff_beta = m.beta;
	n->qaff_rank1 = m.rank1;
	n->dev_op = "QAffine";
	n->fn = rt_kernel_qaffine;
	if (!adopt_fused(s, n, &sv, in, placed, "the vector engine refuses the fused form",
			 "fused QDQ on int8 (as ELTWISE AFFINE)"))
		return 0;
	dead[m.dq] = dead[m.q] = 1;
	if (m.op2 >= 0)
		dead[m.op2] = 1;
	return 1;
}

/* DQ(a), DQ(b) -> Add, Sub or Mul -> Q, the op read by the Q alone,
 * everything per tensor: one quantised ELTWISE
 * (device/quant.c, "QAdd", "QSub", "QMul"), whose f32 steps are the
 * chain's, so its integers are the CPU's exactly. */
static int fuse_binary(struct art_session *s, struct rt_node *n, int placed, int *dead)
{
	if (n->nin != 2 || n->nout != 1 || n->act != ARES_ACT_NONE || n->in[0] == n->in[1])
		return 0;
	int dq[2], shared[2], q = only_reader(s, n->out[0]);
	struct dq d[3];
	for (int k = 0; k < 2; k++) {
		dq[k] = producer(s, n->in[k]);
		if (dq[k] < 0 || !op_is(&s->nodes[dq[k]], "DequantizeLinear"))
			return 0;
		/* A DQ read by others too (squeeze-excitation's x * gate(x))
		 * stays for them; the fused node reads its 8-bit input. */
		shared[k] = only_reader(s, n->in[k]) != n - s->nodes;
		const struct rt_node *x = &s->nodes[dq[k]];
		d[k] = (struct dq){x->in[0], x->nin > 1 ? x->in[1] : -1, x->nin > 2 ? x->in[2] : -1,
				   1};
		if (rt_attr_i(x, "block_size", 0) || !eight_bit(dev_value_dtype(s, d[k].q)))
			return 0;
	}
	if (q < 0 || !op_is(&s->nodes[q], "QuantizeLinear") || s->nodes[q].nout != 1 ||
	    rt_attr_i(&s->nodes[q], "block_size", 0))
		return 0;
	const struct rt_node *qn = &s->nodes[q];
	d[2] = (struct dq){-1, qn->nin > 1 ? qn->in[1] : -1, qn->nin > 2 ? qn->in[2] : -1, 1};
	for (int k = 0; k < 3; k++)
		if (!per_tensor(s, &d[k]))
			return 0;
	if (placed && !(n->on_device && s->nodes[dq[0]].on_device && s->nodes[dq[1]].on_device &&
			qn->on_device))
		return 0;
	int *in = malloc(8 * sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (int k = 0; k < 3; k++) {
		if (k < 2)
			in[3 * k] = d[k].q;
		in[3 * k + (k < 2)] = d[k].s;
		in[3 * k + (k < 2) + 1] = d[k].z;
	}
	struct saved sv = save(n);
	n->in = in;
	n->nin = 8;
	n->out[0] = qn->out[0];
	n->dev_op = op_is(n, "Add") ? "QAdd" : op_is(n, "Sub") ? "QSub" : "QMul";
	n->fn = rt_kernel_qbinary;
	if (!adopt_fused(s, n, &sv, in, placed, "the vector engine refuses the fused form",
			 "fused QDQ on int8 (as a quantised ELTWISE)"))
		return 0;
	for (int k = 0; k < 2; k++)
		dead[dq[k]] |= !shared[k];
	dead[q] = 1;
	return 1;
}

/* DQ V's grid (scale and zero point, per tensor, of 8-bit type DT) is
 * Q's: Q(DQ(v)) = v for every v of the type. v - z is an integer k with
 * |k| <= 255 and fl(k s) / s is within 2 ulps of k, far from a half, so
 * the QuantizeLinear rounds back to k whenever s is normal and k s cannot
 * overflow. */
static int same_grid(const struct art_session *s, const struct dq *x, const struct dq *y, int dt)
{
	const struct art_tensor *xz = cv(s, x->z), *yz = cv(s, y->z);
	double sc = rt_get_d(cv(s, x->s), 0);
	int ydt = yz ? yz->dtype : ART_UINT8;
	return ydt == dt && (float)sc == (float)rt_get_d(cv(s, y->s), 0) && isnormal((float)sc) &&
	       sc > 0 && sc < FLT_MAX / 256 &&
	       (xz ? rt_get_i(xz, 0) : 0) == (yz ? rt_get_i(yz, 0) : 0);
}

/* DQ(x) -> Resize (nearest) -> Q onto x's own grid: the Resize only picks
 * values, and Q(DQ(v)) = v (same_grid), so it runs on the 8-bit tensor
 * itself, the 8-bit values the CPU chain ends with, exactly. ares-quantize
 * writes this for the FPN's upsampling, so the Add after it is a QAdd. */
static int fuse_move(struct art_session *s, struct rt_node *n, int placed, int *dead)
{
	if (n->nin < 1 || n->nout != 1 || n->act != ARES_ACT_NONE ||
	    !rt_attr_is(n, "mode", "nearest", 1))
		return 0;
	int dq = producer(s, n->in[0]), q = only_reader(s, n->out[0]);
	if (dq < 0 || !op_is(&s->nodes[dq], "DequantizeLinear") || q < 0 ||
	    !op_is(&s->nodes[q], "QuantizeLinear") || s->nodes[q].nout != 1 ||
	    s->nodes[q].in[0] != n->out[0])
		return 0;
	for (int k = 1; k < n->nin; k++)
		if (n->in[k] >= 0 && n->in[k] == n->in[0])
			return 0;
	const struct rt_node *x = &s->nodes[dq], *qn = &s->nodes[q];
	struct dq dx = {x->in[0], x->nin > 1 ? x->in[1] : -1, x->nin > 2 ? x->in[2] : -1, 1},
		  dy = {-1, qn->nin > 1 ? qn->in[1] : -1, qn->nin > 2 ? qn->in[2] : -1, 1};
	int dt = dev_value_dtype(s, dx.q);
	if (!eight_bit(dt) || !per_tensor(s, &dx) || !per_tensor(s, &dy) ||
	    rt_attr_i(x, "block_size", 0) || rt_attr_i(qn, "block_size", 0) ||
	    !same_grid(s, &dx, &dy, dt))
		return 0;
	if (placed && !(n->on_device && x->on_device && qn->on_device))
		return 0;
	int shared = only_reader(s, n->in[0]) != n - s->nodes;
	int *in = malloc((size_t)n->nin * sizeof(*in));
	if (!in)
		return -ENOMEM;
	memcpy(in, n->in, (size_t)n->nin * sizeof(*in));
	in[0] = dx.q;
	struct saved sv = save(n);
	n->in = in;
	n->out[0] = qn->out[0];
	n->qdq_move = 1;
	if (!adopt_fused(s, n, &sv, in, placed, "the device refuses the 8-bit Resize",
			 "fused QDQ on int8 (as an 8-bit Resize)")) {
		n->qdq_move = 0;
		return 0;
	}
	dead[dq] |= !shared;
	dead[q] = 1;
	return 1;
}

int dev_qdq_fuse(struct art_session *s, int placed)
{
	/* ART_NO_QDQ_FUSION=1 keeps the float chain on the device too, to
	 * compare (bench, tests). */
	const char *off = getenv("ART_NO_QDQ_FUSION");
	if (off && off[0] && strcmp(off, "0"))
		return 0;
	/* Forced device placement fuses before placing (every node the
	 * device takes stays there); placement by benefit first decides on
	 * the float chain, then fuses only patterns wholly on the device, so
	 * no fused node is handed back to the CPU by the cost model. */
	if (placed != (s->placement != ART_PLACEMENT_DEVICE))
		return 0;
	int *dd = calloc((size_t)s->nnodes + 1, sizeof(*dd));
	if (!dd)
		return -ENOMEM;
	int any = 0;
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (dd[i])
			continue;
		int rc = 0;
		if (op_is(n, "Conv") || op_is(n, "MatMul"))
			rc = fuse_one(s, n, op_is(n, "Conv"), placed, dd);
		else if (op_is(n, "Mul") || op_is(n, "Add") || op_is(n, "Sub")) {
			rc = fuse_affine(s, n, placed, dd);
			if (!rc)
				rc = fuse_binary(s, n, placed, dd);
		} else if (op_is(n, "Resize")) {
			rc = fuse_move(s, n, placed, dd);
		}
		if (rc < 0) {
			free(dd);
			return rc;
		}
		any |= rc;
	}
	/* The fused DQ(x) and Q run inside the fused node: drop them. */
	if (any) {
		int k = 0;
		for (int i = 0; i < s->nnodes; i++) {
			if (dd[i]) {
				rt_node_free(&s->nodes[i]);
				continue;
			}
			s->nodes[k++] = s->nodes[i];
		}
		s->nnodes = k;
	}
	free(dd);
	return 0;
}
