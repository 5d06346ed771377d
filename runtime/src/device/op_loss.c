// SPDX-License-Identifier: MIT
/*
 * The loss ops on the device: NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss, composed of SOFTMAX, ELTWISE and REDUCE over
 * [N, C, D] views of their [N, C, D1, ...] inputs. The device has no
 * gather of one element per row, so the log-probability each target
 * picks is taken through a one-hot mask: target == a constant ramp
 * 0 .. C-1, uploaded with the weights, in which the ignored class (if it
 * is one) reads -1, a value no valid target has, so that ignored targets
 * pick nothing and weigh nothing. As in the CPU kernel (cpu/kernels_loss.c),
 * loss = -lp[target] * w[target]; mean divides the sum of the losses by
 * the sum of the weights taken, 0 when that is 0.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <string.h>

#include "device/common.h"

enum loss_red { RED_NONE, RED_SUM, RED_MEAN };

static int is_loss(const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	return !strcmp(op, "NegativeLogLikelihoodLoss") || !strcmp(op, "SoftmaxCrossEntropyLoss");
}

static int is_sce(const struct rt_node *n)
{
	return !strcmp(n->proto->op_type, "SoftmaxCrossEntropyLoss");
}

static int loss_reduction(const struct rt_node *n)
{
	if (rt_attr_is(n, "reduction", "none", 0))
		return RED_NONE;
	if (rt_attr_is(n, "reduction", "sum", 0))
		return RED_SUM;
	return rt_attr_is(n, "reduction", "mean", 1) ? RED_MEAN : -1;
}

/* The class count known before any run (the ramp's length), or -1. */
static int64_t loss_classes(const struct art_session *s, const struct rt_node *n)
{
	const struct rt_value *x = &s->vals[n->in[0]];
	if (x->t.data && x->t.ndim >= 2)
		return x->t.dims[1];
	if (x->info.ndim >= 2 && x->info.dims[1] > 0)
		return x->info.dims[1];
	if (n->nin > 2 && n->in[2] >= 0) {
		const struct rt_value *w = &s->vals[n->in[2]];
		if (w->t.data && w->t.ndim == 1)
			return w->t.dims[0];
		if (w->info.ndim == 1 && w->info.dims[0] > 0)
			return w->info.dims[0];
	}
	return -1;
}

static int has_out1(const struct rt_node *n)
{
	return n->nout > 1 && n->out[1] >= 0;
}

static int has_weights(const struct rt_node *n)
{
	return n->nin > 2 && n->in[2] >= 0;
}

static const char *loss_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	if (c->x != ART_FLOAT)
		return "loss on a non-float32 input";
	if (c->y != ART_INT64 && c->y != ART_INT32)
		return "loss targets are not int32 or int64";
	if (has_weights(n) && dev_value_dtype(c->s, n->in[2]) != ART_FLOAT)
		return "loss weights are not float32";
	if (loss_reduction(n) < 0)
		return "loss reduction other than none, sum or mean";
	if (loss_classes(c->s, n) < 0)
		return "loss class count unknown before the run";
	return NULL;
}

static int loss_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]], *t = &c->dv[n->in[1]];
	if (x->ndim < 2 || t->ndim != x->ndim - 1 || t->dims[0] != x->dims[0])
		return dev_bad(s, n, "input is not [N, C, ...] with targets [N, ...]");
	for (int a = 2; a < x->ndim; a++)
		if (t->dims[a - 1] != x->dims[a])
			return dev_bad(s, n, "targets differ from the input past C");
	if (x->dims[1] != loss_classes(s, n))
		return dev_bad(s, n, "class count differs from the one uploaded");
	if (has_weights(n)) {
		const struct dev_val *w = &c->dv[n->in[2]];
		if (w->ndim != 1 || w->dims[0] != x->dims[1])
			return dev_bad(s, n, "weights are not [C]");
	}
	int64_t none[1] = {0};
	if (loss_reduction(n) == RED_NONE)
		dev_set_out(&c->dv[n->out[0]], x->dtype, t->ndim, t->dims);
	else
		dev_set_out(&c->dv[n->out[0]], x->dtype, 0, none);
	if (is_sce(n) && has_out1(n))
		dev_set_out(&c->dv[n->out[1]], x->dtype, x->ndim, x->dims);
	return 0;
}

/* Scratch regions, in floats, each 64-byte aligned. */
struct loss_layout {
	uint64_t mask, sel, lp, picked, wt, prod, lsum, a, b, b2, bm, total;
};

static uint64_t al16(uint64_t f)
{
	return (f + 15) / 16 * 16;
}

static void loss_layout(const struct rt_node *n, uint64_t N, uint64_t C, uint64_t D,
			struct loss_layout *l)
{
	uint64_t at = 0;
	l->mask = at;
	at += al16((N * C * D + 3) / 4);
	l->sel = at;
	at += al16(N * C * D);
	l->lp = at;
	if (is_sce(n) && !has_out1(n))
		at += al16(N * C * D);
	uint64_t *nd[4] = {&l->picked, &l->wt, &l->prod, &l->lsum};
	for (int i = 0; i < 4; i++) {
		*nd[i] = at;
		at += al16(N * D);
	}
	uint64_t *one[4] = {&l->a, &l->b, &l->b2, &l->bm};
	for (int i = 0; i < 4; i++) {
		*one[i] = at;
		at += 16;
	}
	l->total = at;
}

static void loss_geom(const struct dev_val *x, uint64_t *N, uint64_t *C, uint64_t *D)
{
	*N = (uint64_t)x->dims[0];
	*C = (uint64_t)x->dims[1];
	*D = (uint64_t)dev_prod(x->dims, 2, x->ndim);
}

uint64_t dev_loss_scratch(const struct rt_node *n, const struct dev_val *dv)
{
	if (!is_loss(n))
		return 0;
	uint64_t N, C, D;
	struct loss_layout l;
	loss_geom(&dv[n->in[0]], &N, &C, &D);
	loss_layout(n, N, C, D, &l);
	return l.total;
}

static uint64_t loss_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	const Onnx__AttributeProto *ia = rt_attr(n, "ignore_index");
	return dev_ramp_consts(dst, loss_classes(s, n), ia && ia->has_i ? ia->i : -1,
			       dev_value_dtype(s, n->in[1]) == ART_INT64);
}

/* A rank-3 view at VA of DTYPE with SHAPE and STRIDE (elements). */
static void view3(uint64_t va, int dtype, const uint64_t *shape, const uint64_t *stride,
		  struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = (uint16_t)dtype;
	t->rank = 3;
	for (int k = 0; k < 3; k++) {
		t->shape[k] = shape[k];
		t->stride[k] = stride[k];
	}
}

static int elt(struct ectx *e, uint32_t op, uint32_t nin, const struct ares_tensor_desc *a,
	       const struct ares_tensor_desc *b, const struct ares_tensor_desc *c,
	       const struct ares_tensor_desc *y)
{
	const struct ares_tensor_desc *in[3] = {a, b, c};
	struct ares_eltwise_params p = {.op = op};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, nin, in, y));
}

static int reduce(struct ectx *e, uint32_t axes, const struct ares_tensor_desc *x,
		  const struct ares_tensor_desc *y)
{
	struct ares_reduce_params p = {.op = ARES_REDUCE_SUM, .axes = axes};
	return dev_done(e, accel_cmdbuf_reduce(e->cb, &p, x, y));
}

static int loss_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	uint64_t N, C, D;
	struct loss_layout l;
	loss_geom(xv, &N, &C, &D);
	loss_layout(n, N, C, D, &l);
	const struct dev_val *sc = &e->dv[s->nvals + (n - s->nodes)];
	uint64_t sva = e->arena_va + sc->off;
	uint64_t cva = e->weights_va + s->dev->nwofs[n - s->nodes];
	int tdt = dev_dtype(e->dv[n->in[1]].dtype), red = loss_reduction(n), rc;
	const int f32 = ARES_DTYPE_F32;

	uint64_t full[3] = {N, C, D}, row[3] = {N, 1, D}, unit[3] = {1, 1, 1};
	uint64_t full_st[3] = {C * D, D, 1}, row_st[3] = {D, D, 1}, unit_st[3] = {1, 1, 1};
	uint64_t bcast_c[3] = {D, 0, 1}, ramp_st[3] = {0, 1, 0}, zero_st[3] = {0, 0, 0};
	struct ares_tensor_desc x, lp, t, ramp, mask, sel, zero, one, w, picked, wt, prod, loss;
	/* Addresses only: the operands may have more dimensions than a
	 * descriptor. */
	view3(dev_va_of(e, n->in[0]), f32, full, full_st, &x);
	if (is_sce(n)) {
		view3(has_out1(n) ? dev_va_of(e, n->out[1]) : sva + 4 * l.lp, f32, full, full_st,
		      &lp);
		struct ares_softmax_params sp = {.axis = 1, .flags = ARES_SOFTMAX_LOG};
		if ((rc = dev_done(e, accel_cmdbuf_softmax(e->cb, &sp, &x, &lp))))
			return rc;
	} else {
		lp = x;
	}
	view3(dev_va_of(e, n->in[1]), tdt, full, bcast_c, &t);
	view3(cva + DEV_RAMP_AT, tdt, full, ramp_st, &ramp);
	view3(sva + 4 * l.mask, ARES_DTYPE_BOOL, full, full_st, &mask);
	view3(sva + 4 * l.sel, f32, full, full_st, &sel);
	view3(cva, f32, full, zero_st, &zero);
	view3(cva + 4, f32, full, zero_st, &one);
	if (has_weights(n)) {
		view3(dev_va_of(e, n->in[2]), f32, full, ramp_st, &w);
	} else {
		w = one;
	}
	view3(sva + 4 * l.picked, f32, row, row_st, &picked);
	view3(sva + 4 * l.wt, f32, row, row_st, &wt);
	view3(sva + 4 * l.prod, f32, row, row_st, &prod);
	view3(red == RED_NONE ? dev_va_of(e, n->out[0]) : sva + 4 * l.lsum, f32, row, row_st,
	      &loss);
	/* The mask is read twice, the selection buffer reused once summed. */
	if ((rc = elt(e, ARES_ELT_EQUAL, 2, &t, &ramp, NULL, &mask)) ||
	    (rc = elt(e, ARES_ELT_WHERE, 3, &mask, &lp, &zero, &sel)) ||
	    (rc = reduce(e, 2, &sel, &picked)) ||
	    (rc = elt(e, ARES_ELT_WHERE, 3, &mask, &w, &zero, &sel)) ||
	    (rc = reduce(e, 2, &sel, &wt)) ||
	    (rc = elt(e, ARES_ELT_MUL, 2, &picked, &wt, NULL, &prod)) ||
	    (rc = elt(e, ARES_ELT_NEG, 1, &prod, NULL, NULL, &loss)) || red == RED_NONE)
		return rc;

	struct ares_tensor_desc out, a, b, b2, bm, zero1, one1;
	view3(dev_va_of(e, n->out[0]), f32, unit, unit_st, &out);
	if (red == RED_SUM)
		return reduce(e, 7, &loss, &out);
	view3(sva + 4 * l.a, f32, unit, unit_st, &a);
	view3(sva + 4 * l.b, f32, unit, unit_st, &b);
	view3(sva + 4 * l.b2, f32, unit, unit_st, &b2);
	view3(sva + 4 * l.bm, ARES_DTYPE_BOOL, unit, unit_st, &bm);
	view3(cva, f32, unit, zero_st, &zero1);
	view3(cva + 4, f32, unit, zero_st, &one1);
	/* A weight sum of 0 (every target ignored) divides by 1: 0, as the CPU. */
	if ((rc = reduce(e, 7, &loss, &a)) || (rc = reduce(e, 7, &wt, &b)) ||
	    (rc = elt(e, ARES_ELT_EQUAL, 2, &b, &zero1, NULL, &bm)) ||
	    (rc = elt(e, ARES_ELT_WHERE, 3, &bm, &one1, &b, &b2)))
		return rc;
	return elt(e, ARES_ELT_DIV, 2, &a, &b2, NULL, &out);
}

/* Operands: input, targets and weights. */
static const struct dev_form dev_form_loss = {
	.check = loss_check,
	.shapes = loss_shapes,
	.emit = loss_emit,
	.operands = 7u,
	.fuses_act = 0,
	.outputs = 2u,
	.consts = loss_consts,
	.flattens = 1,
};

static const struct dev_op loss_ops[] = {
	{"NegativeLogLikelihoodLoss", DK_LOSS, 0, &dev_form_loss},
	{"SoftmaxCrossEntropyLoss", DK_LOSS, 0, &dev_form_loss},
};

const struct dev_op_family dev_ops_loss = DEV_OP_FAMILY(loss_ops);
