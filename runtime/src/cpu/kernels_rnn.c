// SPDX-License-Identifier: MIT
/* CPU reference kernels: the recurrent ops LSTM, GRU and RNN (forward,
 * reverse or bidirectional; optional biases, sequence_lens, initial
 * states, peepholes; named activations; layout 0 or 1). One step is a
 * matrix-vector product per gate, accumulated in double; the fast path
 * (any session not asking for the reference loops) sums the gates in f32
 * on oneDNN's sgemm instead and keeps the rest. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

enum cell { C_RNN, C_GRU, C_LSTM };

enum actfn {
	F_SIGMOID,
	F_TANH,
	F_RELU,
	F_AFFINE,
	F_LEAKY,
	F_THRESH,
	F_STANH,
	F_HSIG,
	F_ELU,
	F_SOFTSIGN,
	F_SOFTPLUS
};

struct act {
	enum actfn f;
	double a, b;
};

static double act_apply(const struct act *f, double x)
{
	switch (f->f) {
	case F_SIGMOID:
		return 1 / (1 + exp(-x));
	case F_TANH:
		return tanh(x);
	case F_RELU:
		return x > 0 ? x : 0;
	case F_AFFINE:
		return f->a * x + f->b;
	case F_LEAKY:
		return x < 0 ? f->a * x : x;
	case F_THRESH:
		return x > f->a ? x : 0;
	case F_STANH:
		return f->a * tanh(f->b * x);
	case F_HSIG: {
		double v = f->a * x + f->b;
		return v < 0 ? 0 : v > 1 ? 1 : v;
	}
	case F_ELU:
		return x < 0 ? f->a * (exp(x) - 1) : x;
	case F_SOFTSIGN:
		return x / (1 + fabs(x));
	default:
		return log1p(exp(x));
	}
}

/* Reads the activations attribute (NACT per direction), with their
 * alphas and betas consumed in order by the functions that take them. */
static int parse_acts(struct art_session *s, const struct rt_node *n, enum cell c, int dirs,
		      struct act *acts)
{
	static const struct {
		const char *name;
		enum actfn f;
		int params;
		double a, b;
	} table[] = {{"Sigmoid", F_SIGMOID, 0, 0, 0},
		     {"Tanh", F_TANH, 0, 0, 0},
		     {"Relu", F_RELU, 0, 0, 0},
		     {"Affine", F_AFFINE, 2, 1, 0},
		     {"LeakyRelu", F_LEAKY, 1, 0.01, 0},
		     {"ThresholdedRelu", F_THRESH, 1, 1, 0},
		     {"ScaledTanh", F_STANH, 2, 1, 1},
		     {"HardSigmoid", F_HSIG, 2, 0.2, 0.5},
		     {"Elu", F_ELU, 1, 1, 0},
		     {"Softsign", F_SOFTSIGN, 0, 0, 0},
		     {"Softplus", F_SOFTPLUS, 0, 0, 0}};
	int nact = c == C_LSTM ? 3 : c == C_GRU ? 2 : 1;
	const Onnx__AttributeProto *an = rt_attr(n, "activations"),
				   *aa = rt_attr(n, "activation_alpha"),
				   *ab = rt_attr(n, "activation_beta");
	size_t ia = 0, ib = 0;
	for (int d = 0; d < dirs; d++)
		for (int k = 0; k < nact; k++) {
			struct act *f = &acts[d * nact + k];
			const char *want = k == 0 && c != C_RNN ? "Sigmoid" : "Tanh";
			size_t wlen = strlen(want);
			const uint8_t *name = (const uint8_t *)want;
			if (an) {
				size_t at = (size_t)(d * nact + k);
				NEED(at < an->n_strings, "node '%s' (%s): %zu activations, need %d",
				     n->name, n->proto->op_type, an->n_strings, nact * dirs);
				name = an->strings[at].data;
				wlen = an->strings[at].len;
			}
			size_t t = 0;
			for (; t < sizeof(table) / sizeof(table[0]); t++)
				if (strlen(table[t].name) == wlen &&
				    !memcmp(table[t].name, name, wlen))
					break;
			NEED(t < sizeof(table) / sizeof(table[0]),
			     "node '%s' (%s): unknown activation %.*s", n->name, n->proto->op_type,
			     (int)wlen, (const char *)name);
			f->f = table[t].f;
			f->a = table[t].a;
			f->b = table[t].b;
			if (table[t].params >= 1 && aa && ia < aa->n_floats)
				f->a = aa->floats[ia++];
			if (table[t].params >= 2 && ab && ib < ab->n_floats)
				f->b = ab->floats[ib++];
		}
	return 0;
}

static const float *fdata(const struct art_tensor *t)
{
	return t ? (const float *)t->data : NULL;
}

/* W [dirs, gates*H, I] and R [dirs, gates*H, H]; the optional inputs OPT
 * (B, sequence_lens, initial_h, initial_c, P; NULL when absent) sized to
 * match. */
static int check_weights(struct art_session *s, const struct rt_node *n, const struct art_tensor *w,
			 const struct art_tensor *r, const struct art_tensor *const opt[5],
			 int dirs, int gates, int64_t B, int64_t I, int64_t H)
{
	const char *op = n->proto->op_type;
	const struct art_tensor *b = opt[0], *sl = opt[1], *h0 = opt[2], *c0 = opt[3], *p = opt[4];
	NEED(w->dims[0] == dirs && w->dims[1] == gates * H && w->dims[2] == I &&
		     r->dims[0] == dirs && r->dims[1] == gates * H && r->dims[2] == H,
	     "node '%s' (%s): W must be [%d, %lld, %lld] and R [%d, %lld, %lld]", n->name, op, dirs,
	     (long long)(gates * H), (long long)I, dirs, (long long)(gates * H), (long long)H);
	NEED(!b || (b->dtype == ART_FLOAT && art_tensor_elems(b) == dirs * 2 * gates * H),
	     "node '%s' (%s): B must be [%d, %lld]", n->name, op, dirs, (long long)(2 * gates * H));
	NEED(!sl || art_tensor_elems(sl) == B,
	     "node '%s' (%s): sequence_lens must have %lld values", n->name, op, (long long)B);
	NEED(!h0 || (h0->dtype == ART_FLOAT && art_tensor_elems(h0) == dirs * B * H),
	     "node '%s' (%s): initial_h must be [%d, %lld, %lld]", n->name, op, dirs, (long long)B,
	     (long long)H);
	NEED(!c0 || (c0->dtype == ART_FLOAT && art_tensor_elems(c0) == dirs * B * H),
	     "node '%s' (%s): initial_c must be [%d, %lld, %lld]", n->name, op, dirs, (long long)B,
	     (long long)H);
	NEED(!p || (p->dtype == ART_FLOAT && art_tensor_elems(p) == dirs * 3 * H),
	     "node '%s' (%s): P must be [%d, %lld]", n->name, op, dirs, (long long)(3 * H));
	return 0;
}

/* GRU unit J's update and reset gates into g[J] and g[H + J]; with
 * linear_before_reset (LBR) also its candidate's pre-activation into
 * g[2H + J]. Without it R_h (r * h) needs the reset gate of every unit
 * first: gru_update() computes it. */
static void gru_gates(double *g, const double *hr, int64_t H, int64_t j, const struct act *f,
		      double clip, int lbr)
{
	double z = g[j] + hr[j], rr = g[H + j] + hr[H + j];
	z = act_apply(&f[0], fmax(-clip, fmin(clip, z)));
	rr = act_apply(&f[0], fmax(-clip, fmin(clip, rr)));
	double hh = lbr ? g[2 * H + j] + rr * hr[2 * H + j] : 0;
	g[j] = z;
	g[H + j] = rr;
	g[2 * H + j] = lbr ? hh : g[2 * H + j];
}

/* The GRU step's new hidden state into HB, from the gates gru_gates() left
 * in G (HR is scratch). */
static void gru_update(const double *g, double *hr, double *hb, int64_t H, const float *R,
		       const float *Rb, const struct act *f, double clip, int lbr)
{
	for (int64_t j = 0; j < H; j++) {
		double hh = g[2 * H + j];
		if (!lbr) {
			double acc = Rb ? Rb[2 * H + j] : 0;
			for (int64_t k = 0; k < H; k++)
				acc += (double)R[(2 * H + j) * H + k] * g[H + k] * hb[k];
			hh += acc;
		}
		hh = act_apply(&f[1], fmax(-clip, fmin(clip, hh)));
		hr[j] = (1 - g[j]) * hh + g[j] * hb[j];
	}
	for (int64_t j = 0; j < H; j++)
		hb[j] = hr[j];
}

/* LSTM unit J: its cell state CB[J] updated, its new hidden value returned
 * (peepholes P, coupled input and forget gates with COUPLED). */
static double lstm_unit(const double *g, const double *hr, int64_t H, int64_t j, const float *P,
			double *cb, const struct act *f, double clip, int coupled)
{
	double gi = g[j] + hr[j], go = g[H + j] + hr[H + j], gf = g[2 * H + j] + hr[2 * H + j],
	       gc = g[3 * H + j] + hr[3 * H + j];
	if (P) {
		gi += P[j] * cb[j];
		gf += P[2 * H + j] * cb[j];
	}
	gi = act_apply(&f[0], fmax(-clip, fmin(clip, gi)));
	gf = coupled ? 1 - gi : act_apply(&f[0], fmax(-clip, fmin(clip, gf)));
	gc = act_apply(&f[1], fmax(-clip, fmin(clip, gc)));
	double cn = gf * cb[j] + gi * gc;
	if (P)
		go += P[H + j] * cn;
	go = act_apply(&f[0], fmax(-clip, fmin(clip, go)));
	cb[j] = cn;
	return go * act_apply(&f[2], cn);
}

/* Direction D's last hidden (or cell) state ST [B, H] into output Y (Y_h or
 * Y_c, NULL when not asked for) in LAYOUT. */
static void final_state(float *y, const double *st, int64_t B, int64_t H, int dirs, int d,
			int layout)
{
	for (int64_t bb = 0; y && bb < B; bb++)
		for (int64_t j = 0; j < H; j++)
			y[layout ? (bb * dirs + d) * H + j : (d * B + bb) * H + j] =
				(float)st[bb * H + j];
}

static int recurrent(struct art_session *s, const struct rt_node *n, enum cell c)
{
	const char *op = n->proto->op_type;
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *w = rt_in(s, n, 1), *r = rt_in(s, n, 2),
				*b = rt_in(s, n, 3), *sl = rt_in(s, n, 4), *h0 = rt_in(s, n, 5),
				*c0 = c == C_LSTM ? rt_in(s, n, 6) : NULL,
				*p = c == C_LSTM ? rt_in(s, n, 7) : NULL;
	int gates = c == C_LSTM ? 4 : c == C_GRU ? 3 : 1;
	int dirs = rt_attr_is(n, "direction", "bidirectional", 0) ? 2 : 1;
	int reverse = rt_attr_is(n, "direction", "reverse", 0);
	NEED(dirs == 2 || reverse || rt_attr_is(n, "direction", "forward", 1),
	     "node '%s' (%s): unknown direction", n->name, op);
	int layout = (int)rt_attr_i(n, "layout", 0);
	NEED(x->dtype == ART_FLOAT && w->dtype == ART_FLOAT && r->dtype == ART_FLOAT &&
		     x->ndim == 3 && w->ndim == 3 && r->ndim == 3,
	     "node '%s' (%s): X, W, R must be 3-D float", n->name, op);
	int64_t T = x->dims[layout ? 1 : 0], B = x->dims[layout ? 0 : 1], I = x->dims[2];
	int64_t H = rt_attr_i(n, "hidden_size", r->dims[2]);
	const struct art_tensor *opt[5] = {b, sl, h0, c0, p};
	rc = check_weights(s, n, w, r, opt, dirs, gates, B, I, H);
	if (rc)
		return rc;
	struct act acts[6];
	rc = parse_acts(s, n, c, dirs, acts);
	if (rc)
		return rc;
	const Onnx__AttributeProto *ca = rt_attr(n, "clip");
	double clip = ca && ca->has_f ? ca->f : INFINITY;
	int lbr = (int)rt_attr_i(n, "linear_before_reset", 0);
	int coupled = (int)rt_attr_i(n, "input_forget", 0);
	int64_t yd[4] = {T, dirs, B, H}, hd[3] = {dirs, B, H};
	if (layout) {
		yd[0] = B, yd[1] = T, yd[2] = dirs;
		hd[0] = B, hd[1] = dirs;
	}
	float *y, *yh, *yc = NULL;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, 4, yd, (void **)&y);
	if (!rc)
		rc = rt_alloc_out(s, n, 1, ART_FLOAT, 3, hd, (void **)&yh);
	if (!rc && c == C_LSTM)
		rc = rt_alloc_out(s, n, 2, ART_FLOAT, 3, hd, (void **)&yc);
	if (rc)
		return rc;
	/* The fast path sums the gates in f32 on oneDNN's sgemm (as ONNX
	 * Runtime does): X W^T for every step at once into GX, then R h per
	 * step from HF (h as f32) into RH; the reference sums in double. */
	int fast = rt_cpu_fast(s) && I > 0 && H > 0;
	double *hs = calloc((size_t)(B * H * 2 + gates * H * 2 + 1), sizeof(double));
	float *gx = fast ? malloc(sizeof(float) * (size_t)((T * B + 1) * gates * H + H)) : NULL;
	if (!hs || (fast && !gx)) {
		free(hs);
		free(gx);
		return rt_err(s, -ENOMEM, "node '%s' (%s): out of memory", n->name, op);
	}
	float *hf = gx ? gx + T * B * gates * H : NULL, *rh = hf ? hf + H : NULL;
	double *cs = hs + B * H, *g = cs + B * H, *hr = g + gates * H;
	const float *X = fdata(x);
	int nact = c == C_LSTM ? 3 : c == C_GRU ? 2 : 1;
	for (int d = 0; d < dirs && !rc; d++) {
		int rev = dirs == 2 ? d == 1 : reverse;
		const float *W = fdata(w) + d * gates * H * I, *R = fdata(r) + d * gates * H * H;
		const float *Wb = b ? fdata(b) + d * 2 * gates * H : NULL,
			    *Rb = Wb ? Wb + gates * H : NULL;
		const float *P = p ? fdata(p) + d * 3 * H : NULL;
		const struct act *f = &acts[d * nact];
		for (int64_t i = 0; i < B * H; i++) {
			hs[i] = h0 ? fdata(h0)[d * B * H + i] : 0;
			cs[i] = c0 ? fdata(c0)[d * B * H + i] : 0;
		}
		if (fast && T * B > 0)
			rc = rt_cpu_sgemm_nt(s, n, T * B, gates * H, I, X, I, W, I, 0.0f, gx,
					     gates * H);
		for (int64_t bb = 0; bb < B && !rc; bb++) {
			int64_t len = sl ? rt_get_i(sl, bb) : T;
			len = len < 0 ? 0 : len > T ? T : len;
			double *hb = hs + bb * H, *cb = cs + bb * H;
			for (int64_t step = 0; step < len && !rc; step++) {
				int64_t t = rev ? len - 1 - step : step;
				int64_t row = layout ? bb * T + t : t * B + bb;
				const float *xt = X + row * I;
				/* g = W x + Wb (+ R h + Rb, kept apart as hr for GRU's
				 * candidate gate) */
				if (fast) {
					for (int64_t j = 0; j < H; j++)
						hf[j] = (float)hb[j];
					rc = rt_cpu_sgemm_nt(s, n, 1, gates * H, H, hf, H, R, H,
							     0.0f, rh, gates * H);
					const float *gr = gx + row * gates * H;
					for (int64_t k = 0; k < gates * H; k++) {
						g[k] = (double)gr[k] + (Wb ? Wb[k] : 0);
						hr[k] = (double)rh[k] + (Rb ? Rb[k] : 0);
					}
				}
				for (int64_t k = 0; !fast && k < gates * H; k++) {
					double acc = Wb ? Wb[k] : 0, racc = Rb ? Rb[k] : 0;
					for (int64_t j = 0; j < I; j++)
						acc += (double)W[k * I + j] * xt[j];
					for (int64_t j = 0; j < H; j++)
						racc += (double)R[k * H + j] * hb[j];
					g[k] = acc;
					hr[k] = racc;
				}
				for (int64_t j = 0; j < H; j++) {
					double hn;
					if (c == C_RNN) {
						double v = g[j] + hr[j];
						v = v > clip ? clip : v < -clip ? -clip : v;
						hn = act_apply(&f[0], v);
					} else if (c == C_GRU) {
						gru_gates(g, hr, H, j, f, clip, lbr);
						hn = 0;
					} else {
						hn = lstm_unit(g, hr, H, j, P, cb, f, clip,
							       coupled);
					}
					if (c != C_GRU)
						g[j] = hn; /* park: h must not change mid-step */
				}
				if (c == C_GRU) {
					gru_update(g, hr, hb, H, R, Rb, f, clip, lbr);
				} else {
					for (int64_t j = 0; j < H; j++)
						hb[j] = g[j];
				}
				for (int64_t j = 0; y && j < H; j++) {
					int64_t at = layout ? ((bb * T + t) * dirs + d) * H + j
							    : ((t * dirs + d) * B + bb) * H + j;
					y[at] = (float)hb[j];
				}
			}
		}
		final_state(yh, hs, B, H, dirs, d, layout);
		final_state(yc, cs, B, H, dirs, d, layout);
	}
	free(hs);
	free(gx);
	return rc;
}

static int k_lstm(struct art_session *s, const struct rt_node *n)
{
	return recurrent(s, n, C_LSTM);
}

static int k_gru(struct art_session *s, const struct rt_node *n)
{
	return recurrent(s, n, C_GRU);
}

static int k_rnn(struct art_session *s, const struct rt_node *n)
{
	return recurrent(s, n, C_RNN);
}

const struct rt_kernel_entry rt_kernels_rnn[] = {
	{"GRU", k_gru},
	{"LSTM", k_lstm},
	{"RNN", k_rnn},
	{NULL, NULL},
};
