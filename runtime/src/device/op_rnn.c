// SPDX-License-Identifier: MIT
/*
 * LSTM, GRU and RNN on the device, lowered to the commands it has. LSTM,
 * per time step: two MATMULs (the gates' X_t W^T plus both biases, then
 * H_{t-1} R^T added through MATMUL's C), ELTWISE Sigmoid over the i, o,
 * f gates and Tanh over the cell gate (strided views of the gate rows),
 * the cell update C_t = f C_{t-1} + i c~ and H_t = o tanh(C_t) as
 * ELTWISE MUL, ADD and TANH, and a COPY of H_t into Y. GRU and RNN
 * likewise (gru_emit(), rnn_emit()). The forms cover what the real
 * models use (silero_vad: one step, forward, default activations) and
 * the backend suite's defaults; the rest stays on the CPU with its
 * reason.
 */
#include <stdio.h>
#include <string.h>

#include "device/common.h"

/* Steps one node unrolls: each is 9 to 10 commands in one stream. */
#define LSTM_MAX_STEPS 64

static int absent(const struct rt_node *n, int i)
{
	return i >= n->nin || n->in[i] < 0;
}

static int has_out(const struct rt_node *n, int j)
{
	return j < n->nout && n->out[j] >= 0;
}

/* Gates of N's op: LSTM i, o, f, c; GRU z, r, h; RNN one. */
static int rnn_gates(const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	return !strcmp(op, "LSTM") ? 4 : !strcmp(op, "GRU") ? 3 : 1;
}

static const char *rnn_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int g = rnn_gates(n);
	char dir[32];
	if (c->x != ART_FLOAT || c->y != ART_FLOAT)
		return dev_float_only(c);
	if (strcmp(dev_attr_s(n, "direction", "forward", dir, sizeof(dir)), "forward"))
		snprintf(c->buf, c->len, "%s direction other than forward", c->op);
	else if (rt_attr_i(n, "layout", 0) != 0)
		snprintf(c->buf, c->len, "%s layout 1 (batch first)", c->op);
	else if (rt_attr(n, "clip"))
		snprintf(c->buf, c->len, "%s clip", c->op);
	else if (rt_attr(n, "activation_alpha") || rt_attr(n, "activation_beta"))
		snprintf(c->buf, c->len, "%s activation_alpha or activation_beta", c->op);
	else if (!absent(n, 4))
		snprintf(c->buf, c->len, "%s sequence_lens given", c->op);
	else if (g == 4 && rt_attr_i(n, "input_forget", 0) != 0)
		snprintf(c->buf, c->len, "LSTM input_forget");
	else if (g == 4 && !absent(n, 7))
		snprintf(c->buf, c->len, "LSTM peepholes (P)");
	else if (g == 3 && rt_attr_i(n, "linear_before_reset", 0) != 0)
		snprintf(c->buf, c->len, "GRU linear_before_reset");
	else
		c->buf[0] = 0;
	if (c->buf[0])
		return c->buf;
	/* The default activations only: Sigmoid for the gates, Tanh else. */
	static const char *const want[3] = {"Sigmoid", "Tanh", "Tanh"};
	int first = g == 1, na = g == 4 ? 3 : g == 3 ? 2 : 1;
	const Onnx__AttributeProto *an = rt_attr(n, "activations");
	for (int k = 0; an && k < na; k++)
		if (an->n_strings != (size_t)na || an->strings[k].len != strlen(want[first + k]) ||
		    memcmp(an->strings[k].data, want[first + k], an->strings[k].len)) {
			snprintf(c->buf, c->len, "%s activations other than the defaults", c->op);
			return c->buf;
		}
	for (int i = 3; i <= 6; i += i == 3 ? 2 : 1)
		if (!absent(n, i) && dev_value_dtype(s, n->in[i]) != ART_FLOAT) {
			snprintf(c->buf, c->len, "%s B or initial states not float32", c->op);
			return c->buf;
		}
	const struct art_tensor *x = &s->vals[n->in[0]].info;
	if (x->ndim == 3 && x->dims[0] > LSTM_MAX_STEPS) {
		snprintf(c->buf, c->len, "%s of more than 64 time steps", c->op);
		return c->buf;
	}
	return NULL;
}

/* X [T, B, I], H; 0 when the plan's shapes do not fit the form. */
static int lstm_dims(const struct rt_node *n, const struct dev_val *dv, int64_t *t, int64_t *b,
		     int64_t *i, int64_t *h)
{
	const struct dev_val *x = &dv[n->in[0]], *w = &dv[n->in[1]], *r = &dv[n->in[2]];
	*h = rt_attr_i(n, "hidden_size", -1);
	if (x->ndim != 3 || w->ndim != 3 || r->ndim != 3 || *h <= 0)
		return 0;
	*t = x->dims[0];
	*b = x->dims[1];
	*i = x->dims[2];
	int g = rnn_gates(n);
	return w->dims[0] == 1 && w->dims[1] == g * *h && w->dims[2] == *i && r->dims[0] == 1 &&
	       r->dims[1] == g * *h && r->dims[2] == *h;
}

static int rnn_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	int64_t t, b, i, h, g = rnn_gates(n);
	if (!lstm_dims(n, c->dv, &t, &b, &i, &h))
		return dev_bad(c->s, n, "X, W, R or hidden_size do not match one forward layer");
	if (t < 1 || t > LSTM_MAX_STEPS)
		return dev_bad(c->s, n, "not 1 to 64 time steps");
	const struct dev_val *bv = absent(n, 3) ? NULL : &c->dv[n->in[3]];
	if (bv && (bv->ndim != 2 || bv->dims[0] != 1 || bv->dims[1] != 2 * g * h))
		return dev_bad(c->s, n, "B is not [1, 2 * gates * hidden]");
	for (int k = 5; k <= (g == 4 ? 6 : 5); k++) {
		const struct dev_val *v = absent(n, k) ? NULL : &c->dv[n->in[k]];
		if (v && (v->ndim != 3 || v->dims[0] != 1 || v->dims[1] != b || v->dims[2] != h))
			return dev_bad(c->s, n, "initial_h or initial_c is not [1, batch, hidden]");
	}
	int64_t y[4] = {t, 1, b, h}, yh[3] = {1, b, h};
	if (has_out(n, 0))
		dev_set_out(&c->dv[n->out[0]], ART_FLOAT, 4, y);
	for (int j = 1; j <= (g == 4 ? 2 : 1); j++)
		if (has_out(n, j))
			dev_set_out(&c->dv[n->out[j]], ART_FLOAT, 3, yh);
	return 0;
}

/* Floats: LSTM's gates twice (X W^T + bias, then + H R^T), the three
 * sigmoid gates, the cell gate, two products, tanh(C), H and C, then
 * the two biases summed (4H); GRU's (13 B H + 3H) and RNN's (3 B H + H)
 * fit in it. */
static uint64_t lstm_scratch(const struct dev_shape *c)
{
	int64_t t, b, i, h;
	if (!lstm_dims(c->n, c->dv, &t, &b, &i, &h))
		return 0;
	return (uint64_t)(17 * b * h + 4 * h);
}

/* An f32 [R, C] view at VA with row stride RS. */
static void view2(uint64_t va, int64_t r, int64_t cols, int64_t rs, struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = ARES_DTYPE_F32;
	t->rank = 2;
	t->shape[0] = (uint64_t)r;
	t->shape[1] = (uint64_t)cols;
	t->stride[0] = (uint64_t)rs;
	t->stride[1] = 1;
}

static int elt(struct ectx *e, uint32_t op, int nin, const struct ares_tensor_desc *a,
	       const struct ares_tensor_desc *b, const struct ares_tensor_desc *y)
{
	struct ares_eltwise_params p = {.op = op};
	const struct ares_tensor_desc *in[2] = {a, b};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, (uint32_t)nin, in, y));
}

static int gates_matmul(struct ectx *e, const struct ares_tensor_desc *a,
			const struct ares_tensor_desc *w, const struct ares_tensor_desc *c,
			const struct ares_tensor_desc *y)
{
	struct ares_matmul_params p = {.flags = ARES_MATMUL_TRANS_B,
				       .alpha = F32_BITS(1.0f),
				       .beta = F32_BITS(c ? 1.0f : 0.0f),
				       .act_alpha = F32_BITS(0.0f),
				       .act_beta = F32_BITS(0.0f)};
	return dev_done(e, accel_cmdbuf_matmul(e->cb, &p, a, w, c, y));
}

static int lstm_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	int64_t T, B, I, H;
	if (!lstm_dims(n, e->dv, &T, &B, &I, &H))
		return dev_bad(s, n, "shapes changed after planning");
	int idx = (int)(n - s->nodes), rc = 0;
	uint64_t bh = 4 * (uint64_t)(B * H);
	uint64_t g1 = e->arena_va + e->dv[s->nvals + idx].off, g = g1 + 4 * bh;
	uint64_t sg = g + 4 * bh, tg = sg + 3 * bh, m1 = tg + bh, m2 = m1 + bh;
	uint64_t tc = m2 + bh, hb = tc + bh, cb = hb + bh;
	uint64_t bias = cb + bh;
	int64_t w2[2] = {4 * H, I}, r2[2] = {4 * H, H};
	struct ares_tensor_desc w, r, c, x, gt, gall, sgm, cg, ig, og, fg, hv, cv, prev, t1, t2,
		tcv;
	dev_desc_dims(e, n->in[1], 2, w2, &w);
	dev_desc_dims(e, n->in[2], 2, r2, &r);
	view2(bias, B, 4 * H, 0, &c);
	view2(g1, B, 4 * H, 4 * H, &gt);
	view2(g, B, 4 * H, 4 * H, &gall);
	view2(sg, B, 3 * H, 3 * H, &sgm);
	view2(tg, B, H, H, &cg);
	view2(sg, B, H, 3 * H, &ig);
	view2(sg + 4 * (uint64_t)H, B, H, 3 * H, &og);
	view2(sg + 8 * (uint64_t)H, B, H, 3 * H, &fg);
	view2(hb, B, H, H, &hv);
	view2(cb, B, H, H, &cv);
	view2(m1, B, H, H, &t1);
	view2(m2, B, H, H, &t2);
	view2(tc, B, H, H, &tcv);
	uint64_t xva = dev_va_of(e, n->in[0]);
	/* The bias: W's and R's halves of B summed once, or no bias. */
	if (!absent(n, 3)) {
		struct ares_tensor_desc wb, rb, sum;
		uint64_t bva = dev_va_of(e, n->in[3]);
		view2(bva, 1, 4 * H, 4 * H, &wb);
		view2(bva + 16 * (uint64_t)H, 1, 4 * H, 4 * H, &rb);
		view2(bias, 1, 4 * H, 4 * H, &sum);
		rc = elt(e, ARES_ELT_ADD, 2, &wb, &rb, &sum);
	}
	for (int64_t t = 0; t < T && !rc; t++) {
		int h0 = t > 0 || !absent(n, 5), c0 = t > 0 || !absent(n, 6);
		view2(xva + 4 * (uint64_t)(t * B * I), B, I, I, &x);
		rc = gates_matmul(e, &x, &w, absent(n, 3) ? NULL : &c, &gt);
		const struct ares_tensor_desc *gs = &gt;
		if (!rc && h0) {
			if (t == 0)
				view2(dev_va_of(e, n->in[5]), B, H, H, &prev);
			rc = gates_matmul(e, t ? &hv : &prev, &r, &gt, &gall);
			gs = &gall;
		}
		struct ares_tensor_desc s3 = *gs, cgate = *gs;
		s3.shape[1] = 3 * (uint64_t)H;
		cgate.shape[1] = (uint64_t)H;
		cgate.va += 12 * (uint64_t)H;
		if (!rc)
			rc = elt(e, ARES_ELT_SIGMOID, 1, &s3, NULL, &sgm);
		if (!rc)
			rc = elt(e, ARES_ELT_TANH, 1, &cgate, NULL, &cg);
		if (!rc && c0) {
			if (t == 0)
				view2(dev_va_of(e, n->in[6]), B, H, H, &prev);
			rc = elt(e, ARES_ELT_MUL, 2, &fg, t ? &cv : &prev, &t1);
			if (!rc)
				rc = elt(e, ARES_ELT_MUL, 2, &ig, &cg, &t2);
			if (!rc)
				rc = elt(e, ARES_ELT_ADD, 2, &t1, &t2, &cv);
		} else if (!rc) {
			rc = elt(e, ARES_ELT_MUL, 2, &ig, &cg, &cv);
		}
		if (!rc)
			rc = elt(e, ARES_ELT_TANH, 1, &cv, NULL, &tcv);
		if (!rc)
			rc = elt(e, ARES_ELT_MUL, 2, &og, &tcv, &hv);
		if (!rc && has_out(n, 0)) {
			struct ares_tensor_desc yt;
			view2(dev_va_of(e, n->out[0]) + 4 * (uint64_t)(t * B * H), B, H, H, &yt);
			rc = dev_emit_copy_view(e, &hv, &yt);
		}
	}
	struct ares_tensor_desc o;
	if (!rc && has_out(n, 1)) {
		view2(dev_va_of(e, n->out[1]), B, H, H, &o);
		rc = dev_emit_copy_view(e, &hv, &o);
	}
	if (!rc && has_out(n, 2)) {
		view2(dev_va_of(e, n->out[2]), B, H, H, &o);
		rc = dev_emit_copy_view(e, &cv, &o);
	}
	return rc;
}

/* The bias at BIAS: W's and R's halves of B (input 3, [1, 2 G H])
 * summed by one ADD; *C its [B, G H] view (row stride 0), or NULL
 * without B. */
static int rnn_bias(struct ectx *e, int64_t g, int64_t B, int64_t H, uint64_t bias,
		    struct ares_tensor_desc *c, const struct ares_tensor_desc **cp)
{
	const struct rt_node *n = e->n;
	*cp = NULL;
	if (absent(n, 3))
		return 0;
	struct ares_tensor_desc wb, rb, sum;
	uint64_t bva = dev_va_of(e, n->in[3]);
	view2(bva, 1, g * H, g * H, &wb);
	view2(bva + 4 * (uint64_t)(g * H), 1, g * H, g * H, &rb);
	view2(bias, 1, g * H, g * H, &sum);
	view2(bias, B, g * H, 0, c);
	*cp = c;
	return elt(e, ARES_ELT_ADD, 2, &wb, &rb, &sum);
}

/* GRU (linear_before_reset 0), per step: G1 = X_t W^T + Wb + Rb; z, r =
 * sigmoid(H R_zr^T + G1_zr); h~ = tanh((r H) R_h^T + G1_h); H = h~ + z
 * (H - h~). Without an initial H the first step's H R^T terms vanish. */
static int gru_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	int64_t T, B, I, H;
	if (!lstm_dims(n, e->dv, &T, &B, &I, &H))
		return dev_bad(s, n, "shapes changed after planning");
	uint64_t bh = 4 * (uint64_t)(B * H), h4 = 4 * (uint64_t)H;
	uint64_t g1 = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off, g2 = g1 + 3 * bh;
	uint64_t zr = g2 + 2 * bh, rh = zr + 2 * bh, g3 = rh + bh, ht = g3 + bh, d = ht + bh;
	uint64_t ev = d + bh, hb = ev + bh, bias = hb + bh;
	int64_t w2[2] = {3 * H, I}, rzr[2] = {2 * H, H};
	struct ares_tensor_desc w, rz, rhh, c, x, gt, gzr, ghc, g2v, zrv, zv, rv, rhv, g3v, htv, dv,
		evv, hv, prev;
	const struct ares_tensor_desc *cp;
	dev_desc_dims(e, n->in[1], 2, w2, &w);
	dev_desc_dims(e, n->in[2], 2, rzr, &rz);
	view2(dev_va_of(e, n->in[2]) + 2 * h4 * (uint64_t)H, H, H, H, &rhh);
	view2(g1, B, 3 * H, 3 * H, &gt);
	view2(g1, B, 2 * H, 3 * H, &gzr);
	view2(g1 + 2 * h4, B, H, 3 * H, &ghc);
	view2(g2, B, 2 * H, 2 * H, &g2v);
	view2(zr, B, 2 * H, 2 * H, &zrv);
	view2(zr, B, H, 2 * H, &zv);
	view2(zr + h4, B, H, 2 * H, &rv);
	view2(rh, B, H, H, &rhv);
	view2(g3, B, H, H, &g3v);
	view2(ht, B, H, H, &htv);
	view2(d, B, H, H, &dv);
	view2(ev, B, H, H, &evv);
	view2(hb, B, H, H, &hv);
	int rc = rnn_bias(e, 3, B, H, bias, &c, &cp);
	uint64_t xva = dev_va_of(e, n->in[0]);
	for (int64_t t = 0; t < T && !rc; t++) {
		view2(xva + 4 * (uint64_t)(t * B * I), B, I, I, &x);
		rc = gates_matmul(e, &x, &w, cp, &gt);
		if (!rc && (t > 0 || !absent(n, 5))) {
			if (t == 0)
				view2(dev_va_of(e, n->in[5]), B, H, H, &prev);
			const struct ares_tensor_desc *hp = t ? &hv : &prev;
			rc = gates_matmul(e, hp, &rz, &gzr, &g2v);
			if (!rc)
				rc = elt(e, ARES_ELT_SIGMOID, 1, &g2v, NULL, &zrv);
			if (!rc)
				rc = elt(e, ARES_ELT_MUL, 2, &rv, hp, &rhv);
			if (!rc)
				rc = gates_matmul(e, &rhv, &rhh, &ghc, &g3v);
			if (!rc)
				rc = elt(e, ARES_ELT_TANH, 1, &g3v, NULL, &htv);
			if (!rc)
				rc = elt(e, ARES_ELT_SUB, 2, hp, &htv, &dv);
			if (!rc)
				rc = elt(e, ARES_ELT_MUL, 2, &zv, &dv, &evv);
			if (!rc)
				rc = elt(e, ARES_ELT_ADD, 2, &htv, &evv, &hv);
		} else if (!rc) {
			rc = elt(e, ARES_ELT_SIGMOID, 1, &gzr, NULL, &zrv);
			if (!rc)
				rc = elt(e, ARES_ELT_TANH, 1, &ghc, NULL, &htv);
			if (!rc)
				rc = elt(e, ARES_ELT_MUL, 2, &zv, &htv, &evv);
			if (!rc)
				rc = elt(e, ARES_ELT_SUB, 2, &htv, &evv, &hv);
		}
		if (!rc && has_out(n, 0)) {
			struct ares_tensor_desc yt;
			view2(dev_va_of(e, n->out[0]) + 4 * (uint64_t)(t * B * H), B, H, H, &yt);
			rc = dev_emit_copy_view(e, &hv, &yt);
		}
	}
	if (!rc && has_out(n, 1)) {
		struct ares_tensor_desc o;
		view2(dev_va_of(e, n->out[1]), B, H, H, &o);
		rc = dev_emit_copy_view(e, &hv, &o);
	}
	return rc;
}

/* RNN (Tanh), per step: H = tanh(X_t W^T + Wb + Rb + H R^T). */
static int rnn_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	int64_t T, B, I, H;
	if (!lstm_dims(n, e->dv, &T, &B, &I, &H))
		return dev_bad(s, n, "shapes changed after planning");
	uint64_t bh = 4 * (uint64_t)(B * H);
	uint64_t g1 = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off, g = g1 + bh;
	uint64_t hb = g + bh, bias = hb + bh;
	int64_t w2[2] = {H, I}, r2[2] = {H, H};
	struct ares_tensor_desc w, r, c, x, g1v, gv, hv, prev;
	const struct ares_tensor_desc *cp;
	dev_desc_dims(e, n->in[1], 2, w2, &w);
	dev_desc_dims(e, n->in[2], 2, r2, &r);
	view2(g1, B, H, H, &g1v);
	view2(g, B, H, H, &gv);
	view2(hb, B, H, H, &hv);
	int rc = rnn_bias(e, 1, B, H, bias, &c, &cp);
	uint64_t xva = dev_va_of(e, n->in[0]);
	for (int64_t t = 0; t < T && !rc; t++) {
		view2(xva + 4 * (uint64_t)(t * B * I), B, I, I, &x);
		rc = gates_matmul(e, &x, &w, cp, &g1v);
		const struct ares_tensor_desc *pre = &g1v;
		if (!rc && (t > 0 || !absent(n, 5))) {
			if (t == 0)
				view2(dev_va_of(e, n->in[5]), B, H, H, &prev);
			rc = gates_matmul(e, t ? &hv : &prev, &r, &g1v, &gv);
			pre = &gv;
		}
		if (!rc)
			rc = elt(e, ARES_ELT_TANH, 1, pre, NULL, &hv);
		if (!rc && has_out(n, 0)) {
			struct ares_tensor_desc yt;
			view2(dev_va_of(e, n->out[0]) + 4 * (uint64_t)(t * B * H), B, H, H, &yt);
			rc = dev_emit_copy_view(e, &hv, &yt);
		}
	}
	if (!rc && has_out(n, 1)) {
		struct ares_tensor_desc o;
		view2(dev_va_of(e, n->out[1]), B, H, H, &o);
		rc = dev_emit_copy_view(e, &hv, &o);
	}
	return rc;
}

/* Operands: X, W, R, B, initial_h, initial_c (LSTM). */
static const struct dev_form dev_form_lstm = {
	.check = rnn_check,
	.shapes = rnn_shapes,
	.emit = lstm_emit,
	.operands = 0x6fu,
	.all_outputs = 1,
	.scratch = lstm_scratch,
};

static const struct dev_form dev_form_gru = {
	.check = rnn_check,
	.shapes = rnn_shapes,
	.emit = gru_emit,
	.operands = 0x2fu,
	.all_outputs = 1,
	.scratch = lstm_scratch,
};

static const struct dev_form dev_form_rnn = {
	.check = rnn_check,
	.shapes = rnn_shapes,
	.emit = rnn_emit,
	.operands = 0x2fu,
	.all_outputs = 1,
	.scratch = lstm_scratch,
};

static const struct dev_op rnn_ops[] = {
	{"LSTM", DK_VECTOR, 0, &dev_form_lstm},
	{"GRU", DK_VECTOR, 0, &dev_form_gru},
	{"RNN", DK_VECTOR, 0, &dev_form_rnn},
};

const struct dev_op_family dev_ops_rnn = DEV_OP_FAMILY(rnn_ops);
