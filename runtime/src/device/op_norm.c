// SPDX-License-Identifier: MIT
/*
 * Reductions, Softmax and the normalizations on the device.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/common.h"

static int reduce_axes(struct art_session *s, const struct rt_node *n, int rank, unsigned *mask)
{
	int64_t ax[ART_MAX_DIMS];
	int na = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
	if (na < 0)
		na = dev_const_ints(s, n, 1, ax, ART_MAX_DIMS);
	*mask = 0;
	/* No axes reduce everything, or nothing with noop_with_empty_axes:
	 * a REDUCE over no axes applies the op to each element alone, as the
	 * CPU kernel does (kernels_reduce.c). */
	if (na <= 0) {
		if (!rt_attr_i(n, "noop_with_empty_axes", 0))
			*mask = (1u << rank) - 1;
		return 0;
	}
	for (int i = 0; i < na; i++) {
		int64_t a = dev_norm_axis(ax[i], rank);
		if (a < 0 || a >= rank)
			return -1;
		*mask |= 1u << a;
	}
	return 0;
}

/* A per-channel [C] vector as a view with X's shape, varying along dim 1. */
static void desc_channel(const struct ectx *e, int v, const struct dev_val *x,
			 struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = dev_va_of(e, v);
	t->dtype = ARES_DTYPE_F32;
	t->rank = (uint16_t)x->ndim;
	for (int k = 0; k < x->ndim; k++) {
		t->shape[k] = (uint64_t)x->dims[k];
		t->stride[k] = k == 1 ? 1 : 0;
	}
}

static const char *reduce_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	int a = d->arg;
	if (a == ARES_REDUCE_ARGMAX || a == ARES_REDUCE_ARGMIN) {
		if (!dev_is_float(x) && !dev_is_int(x))
			return dev_float_only(c);
		return NULL;
	}
	if (!dev_plan_known(s, n, 1))
		return "reduce axes computed at run time";
	if (dev_is_float(x))
		return NULL;
	if (dev_is_int(x) && (a == ARES_REDUCE_SUM || a == ARES_REDUCE_MAX ||
			      a == ARES_REDUCE_MIN || a == ARES_REDUCE_PROD))
		return NULL;
	return dev_float_only(c);
}

static const char *softmax_check(const struct dev_check *c)
{
	int x = c->x;
	return dev_is_float(x) ? NULL : "Softmax on a non-float tensor";
}

static const char *batchnorm_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	if (!dev_is_float(x))
		return dev_float_only(c);
	for (int i = 1; i < 5; i++)
		if (i >= n->nin || n->in[i] < 0 || dev_value_dtype(s, n->in[i]) != ART_FLOAT)
			return "BatchNormalization statistics are not float";
	int extra = 0;
	for (int j = 1; j < n->nout; j++)
		extra |= n->out[j] >= 0;
	if (extra && (s->opset < 14 || !rt_attr_i(n, "training_mode", 0)))
		return "BatchNormalization outputs past Y outside opset 14's training mode";
	if (rt_attr_i(n, "training_mode", 0) && x != ART_FLOAT)
		return "BatchNormalization training mode on a non-float32 input";
	return NULL;
}

static const char *norm_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	if (!dev_is_float(x))
		return dev_float_only(c);
	for (int i = 1; i < n->nin && i < 3; i++)
		if (n->in[i] >= 0 && dev_value_dtype(s, n->in[i]) != ART_FLOAT)
			return "normalisation scale or bias is not float";
	return NULL;
}

/* LayerNormalization's Mean and InvStdDev (outputs 1 and 2) are stashed in
 * X's dtype; the commands computing them use f32 scratch. */
static const char *layernorm_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	const char *why = norm_check(c);
	if (why)
		return why;
	int stats = (n->nout > 1 && n->out[1] >= 0) || (n->nout > 2 && n->out[2] >= 0);
	if (stats && c->x != ART_FLOAT)
		return "LayerNormalization Mean/InvStdDev of a non-float32 input";
	if (stats && rt_attr_i(n, "stash_type", 1) != 1)
		return "LayerNormalization stash_type other than float32";
	return NULL;
}

static int norm_shapes(const struct dev_shape *c);

/* Hardmax as [O, L, I] with L the axis (before opset 13: the input
 * coerced to 2-D at axis, I = 1); -1 when the axis is out of range. */
static int hardmax_geom(int opset, const struct rt_node *n, int nd, const int64_t *dims, int64_t *o,
			int64_t *l, int64_t *i)
{
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", opset < 13 ? 1 : -1), nd);
	if (a < 0 || a >= nd)
		return -1;
	*o = dev_prod(dims, 0, (int)a);
	*l = opset < 13 ? dev_prod(dims, (int)a, nd) : dims[a];
	*i = opset < 13 ? 1 : dev_prod(dims, (int)a + 1, nd);
	return 0;
}

/* The ramp along Hardmax's axis is uploaded: its length must be known. */
static int64_t hardmax_len(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *t = &s->vals[n->in[0]].info;
	int64_t o, l, i;
	if (t->ndim < 1 || hardmax_geom(s->opset, n, t->ndim, t->dims, &o, &l, &i))
		return -1;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", s->opset < 13 ? 1 : -1), t->ndim);
	for (int k = (int)a; k < (s->opset < 13 ? t->ndim : (int)a + 1); k++)
		if (t->dims[k] < 0)
			return -1;
	return l;
}

static const char *hardmax_check(const struct dev_check *c)
{
	if (c->x != ART_FLOAT)
		return "Hardmax on a non-float32 input";
	if (hardmax_len(c->s, c->n) < 0)
		return "Hardmax axis length unknown before the run";
	return NULL;
}

static int hardmax_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	int64_t o, l, i;
	if (hardmax_geom(c->s->opset, n, x->ndim, x->dims, &o, &l, &i))
		return dev_bad(c->s, n, "axis out of range");
	if (l != hardmax_len(c->s, n))
		return dev_bad(c->s, n, "axis length differs from the one uploaded");
	return norm_shapes(c);
}

static uint64_t hardmax_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	return dev_ramp_consts(dst, hardmax_len(s, n), -1, 1);
}

/* Hardmax's scratch in floats: the I64 positions, then the BOOL mask. */
static uint64_t hardmax_scratch(struct art_session *s, const struct rt_node *n,
				const struct dev_val *dv, uint64_t *mask_at)
{
	const struct dev_val *x = &dv[n->in[0]];
	int64_t o, l, i;
	if (hardmax_geom(s->opset, n, x->ndim, x->dims, &o, &l, &i))
		return 0;
	*mask_at = ((uint64_t)(2 * o * i) + 15) / 16 * 16;
	return *mask_at + ((uint64_t)(o * l * i) + 3) / 4;
}

/* TopK: k passes of ARGMAX (ARGMIN) and MAX (MIN) along the axis, each
 * but the last knocking the chosen element out with -inf (+inf) through
 * the one-hot mask; ties go to the lower index, as in the CPU kernel. */
#define TOPK_MAX_K 16

static int64_t topk_k(struct art_session *s, const struct rt_node *n)
{
	int64_t k[2];
	if (s->opset < 10)
		return rt_attr_i(n, "k", -1);
	return dev_const_ints(s, n, 1, k, 2) == 1 ? k[0] : -1;
}

static int64_t topk_len(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *t = &s->vals[n->in[0]].info;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), t->ndim);
	if (t->ndim < 1 || a < 0 || a >= t->ndim || t->dims[a] < 0)
		return -1;
	return t->dims[a];
}

static const char *topk_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	if (c->x != ART_FLOAT)
		return "TopK on a non-float32 input";
	if (s->opset >= 10 && !dev_plan_known(s, n, 1))
		return "TopK k computed on the device";
	if (dev_const_or_absent(s, n, 1) && topk_k(s, n) > TOPK_MAX_K)
		return "TopK with k above 16 (one pass per k)";
	if (topk_len(s, n) < 0)
		return "TopK axis length unknown before the run";
	return NULL;
}

static int topk_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), x->ndim), k = topk_k(s, n);
	if (a < 0 || a >= x->ndim)
		return dev_bad(s, n, "axis out of range");
	if (x->dims[a] != topk_len(s, n))
		return dev_bad(s, n, "axis length differs from the one uploaded");
	if (k < 0 || k > x->dims[a] || k > TOPK_MAX_K)
		return dev_bad(s, n, "k out of range or above 16");
	int64_t d[ART_MAX_DIMS];
	memcpy(d, x->dims, sizeof(d));
	d[a] = k;
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, d);
	if (n->nout > 1 && n->out[1] >= 0)
		dev_set_out(&c->dv[n->out[1]], ART_INT64, x->ndim, d);
	return 0;
}

static uint64_t topk_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	return dev_ramp_consts(dst, topk_len(s, n), -1, 1);
}

/* TopK's scratch in floats: two working copies, the BOOL mask, the
 * infinity, and the indices when output 1 is unused. */
struct topk_layout {
	uint64_t a, b, mask, inf, ind, total;
};

static void topk_layout(struct art_session *s, const struct rt_node *n, const struct dev_val *dv,
			int64_t *o, int64_t *l, int64_t *i, int64_t *k, struct topk_layout *t)
{
	const struct dev_val *x = &dv[n->in[0]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), x->ndim);
	memset(t, 0, sizeof(*t));
	*o = *l = *i = *k = 0;
	if (a < 0 || a >= x->ndim)
		return;
	*o = dev_prod(x->dims, 0, (int)a);
	*l = x->dims[a];
	*i = dev_prod(x->dims, (int)a + 1, x->ndim);
	*k = topk_k(s, n);
	uint64_t all = (uint64_t)(*o * *l * *i), at = 0;
	t->a = at;
	at += (all + 15) / 16 * 16;
	t->b = at;
	at += (all + 15) / 16 * 16;
	t->mask = at;
	at += (all / 4 + 16) / 16 * 16;
	t->inf = at;
	at += 16;
	t->ind = at;
	if (n->nout < 2 || n->out[1] < 0)
		at += (uint64_t)(2 * *o * (*k > 0 ? *k : 0) * *i);
	t->total = at;
}

static int reduce_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	unsigned m;
	int keep = (int)rt_attr_i(n, "keepdims", 1), r = 0, dt = x->dtype;
	if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN) {
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
		if (a < 0 || a >= x->ndim)
			return dev_bad(s, n, "axis out of range");
		m = 1u << a;
		dt = ART_INT64;
	} else if (reduce_axes(s, n, x->ndim, &m)) {
		return dev_bad(s, n, "axes out of range");
	}
	for (int k = 0; k < x->ndim; k++)
		if (!(m & (1u << k)))
			dims[r++] = x->dims[k];
		else if (keep)
			dims[r++] = 1;
	dev_set_out(o, dt, r, dims);
	return 0;
}

static int norm_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	if ((d->kind == DK_INSTNORM && x->ndim < 3) || (d->kind == DK_BATCHNORM && x->ndim < 2))
		return dev_bad(s, n, "input rank too small");
	dev_set_out(o, x->dtype, x->ndim, x->dims);
	return 0;
}

static int layernorm_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int rc = norm_shapes(c);
	if (rc)
		return rc;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), x->ndim);
	if (a < 0 || a >= x->ndim)
		return dev_bad(c->s, n, "axis out of range");
	int64_t sd[ART_MAX_DIMS];
	for (int k = 0; k < x->ndim; k++)
		sd[k] = k < a ? x->dims[k] : 1;
	for (int j = 1; j < n->nout && j < 3; j++)
		if (n->out[j] >= 0)
			dev_set_out(&c->dv[n->out[j]], x->dtype, x->ndim, sd);
	return 0;
}

static int train_mode(const struct art_session *s, const struct rt_node *n)
{
	return s->opset >= 14 && rt_attr_i(n, "training_mode", 0);
}

static int batchnorm_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	int rc = norm_shapes(c);
	if (rc)
		return rc;
	for (int j = 1; j < n->nout && j < 3; j++)
		if (n->out[j] >= 0)
			dev_set_out(&c->dv[n->out[j]], ART_FLOAT, 1, &x->dims[1]);
	return 0;
}

/* BatchNormalization in training mode needs, in floats: x - batch mean and
 * its square (X's size each), then six [C] vectors: the batch mean and
 * variance, momentum, 1 - momentum and two products. */
static uint64_t batchnorm_scratch(const struct art_session *s, const struct rt_node *n,
				  const struct dev_val *dv)
{
	if (!train_mode(s, n))
		return 0;
	const struct dev_val *x = &dv[n->in[0]];
	uint64_t nx = (uint64_t)dev_prod(x->dims, 0, x->ndim), c = (uint64_t)x->dims[1];
	return 2 * ((nx + 15) / 16 * 16) + 6 * ((c + 15) / 16 * 16);
}

/* MeanVarianceNormalization over its axes (default 0, 2, 3): the mask of
 * reduced dimensions, -1 when one is out of range. */
static int mvn_axes(const struct rt_node *n, int rank, unsigned *mask)
{
	int64_t ax[ART_MAX_DIMS] = {0, 2, 3};
	int na = rt_attr_ints_capped(n, "axes", ax, ART_MAX_DIMS);
	*mask = 0;
	for (int i = 0; i < (na < 0 ? 3 : na); i++) {
		int64_t a = dev_norm_axis(ax[i], rank);
		if (a < 0 || a >= rank)
			return -1;
		*mask |= 1u << a;
	}
	return 0;
}

static const char *mvn_check(const struct dev_check *c)
{
	return c->x == ART_FLOAT ? NULL : "MeanVarianceNormalization on a non-float32 input";
}

static int mvn_shapes(const struct dev_shape *c)
{
	unsigned m;
	const struct dev_val *x = &c->dv[c->n->in[0]];
	if (mvn_axes(c->n, x->ndim, &m))
		return dev_bad(c->s, c->n, "axes out of range");
	return norm_shapes(c);
}

/* MVN needs, in floats: x - mean and its square (X's size each), then
 * five vectors of the kept dimensions' size. */
static uint64_t mvn_scratch(const struct rt_node *n, const struct dev_val *dv, uint64_t *rows)
{
	const struct dev_val *x = &dv[n->in[0]];
	unsigned m;
	*rows = 1;
	if (mvn_axes(n, x->ndim, &m))
		return 0;
	for (int k = 0; k < x->ndim; k++)
		if (!(m & (1u << k)))
			*rows *= (uint64_t)x->dims[k];
	uint64_t nx = (uint64_t)dev_prod(x->dims, 0, x->ndim);
	*rows = (*rows + 15) / 16 * 16;
	return 2 * ((nx + 15) / 16 * 16) + 5 * *rows;
}

/* LRN: x / (bias + alpha / size * window sum of x^2)^beta, the window
 * [c - (size-1)/2, c + size/2] over channels clipped to [0, C). */
static const char *lrn_check(const struct dev_check *c)
{
	if (c->x != ART_FLOAT)
		return "LRN on a non-float32 input";
	if (rt_attr_i(c->n, "size", 0) < 1)
		return "LRN size below 1";
	return NULL;
}

static int lrn_shapes(const struct dev_shape *c)
{
	const struct dev_val *x = &c->dv[c->n->in[0]];
	if (x->ndim < 2)
		return dev_bad(c->s, c->n, "input rank below 2");
	return norm_shapes(c);
}

/* Four X-sized buffers and three scalars, in floats. */
static uint64_t lrn_scratch(const struct dev_val *dv, const struct rt_node *n, uint64_t *nxa)
{
	const struct dev_val *x = &dv[n->in[0]];
	*nxa = ((uint64_t)dev_prod(x->dims, 0, x->ndim) + 15) / 16 * 16;
	return 4 * *nxa + 48;
}

/* LayerNormalization's statistics need, in floats: x - mean and its
 * square (X's size each), then the mean (when Mean is not an output), the
 * variance, epsilon and variance + epsilon (one per row each). */
static uint64_t layernorm_scratch(const struct rt_node *n, const struct dev_val *dv)
{
	if (n->nout < 3 || n->out[2] < 0)
		return 0;
	const struct dev_val *x = &dv[n->in[0]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), x->ndim);
	uint64_t nx = (uint64_t)dev_prod(x->dims, 0, x->ndim);
	uint64_t rows = (uint64_t)dev_prod(x->dims, 0, (int)a);
	return 2 * nx + 4 * rows;
}

uint64_t dev_norm_scratch(struct art_session *s, const struct rt_node *n, const struct dev_val *dv)
{
	uint64_t mask_at;
	if (!strcmp(n->proto->op_type, "LayerNormalization"))
		return layernorm_scratch(n, dv);
	if (!strcmp(n->proto->op_type, "BatchNormalization"))
		return batchnorm_scratch(s, n, dv);
	if (!strcmp(n->proto->op_type, "LRN")) {
		uint64_t nxa;
		return lrn_scratch(dv, n, &nxa);
	}
	if (!strcmp(n->proto->op_type, "MeanVarianceNormalization")) {
		uint64_t rows;
		return mvn_scratch(n, dv, &rows);
	}
	if (!strcmp(n->proto->op_type, "Hardmax"))
		return hardmax_scratch(s, n, dv, &mask_at);
	if (!strcmp(n->proto->op_type, "TopK")) {
		int64_t o, l, i, k;
		struct topk_layout t;
		topk_layout(s, n, dv, &o, &l, &i, &k, &t);
		return t.total;
	}
	return 0;
}

/* An f32 contiguous tensor of RANK dims DIMS at VA. */
static void desc_f32(uint64_t va, int rank, const int64_t *dims, struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = ARES_DTYPE_F32;
	t->rank = (uint16_t)rank;
	uint64_t st = 1;
	for (int k = rank - 1; k >= 0; k--) {
		t->shape[k] = (uint64_t)dims[k];
		t->stride[k] = st;
		st *= (uint64_t)dims[k];
	}
}

/* T, contiguous over DIMS' leading part, broadcast to FULL by stride 0
 * where DIMS has 1 and FULL does not. */
static void desc_spread(struct ares_tensor_desc *t, const int64_t *full)
{
	for (int k = 0; k < t->rank; k++)
		if (t->shape[k] == 1 && full[k] != 1) {
			t->shape[k] = (uint64_t)full[k];
			t->stride[k] = 0;
		}
}

static int eltwise(struct ectx *e, uint32_t op, const struct ares_tensor_desc *a,
		   const struct ares_tensor_desc *b, const struct ares_tensor_desc *y)
{
	const struct ares_tensor_desc *in[2] = {a, b};
	struct ares_eltwise_params p = {.op = op};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, b ? 2 : 1, in, y));
}

/* Mean by REDUCE MEAN; InvStdDev = 1 / sqrt(mean((x - mean)^2) + epsilon),
 * as the CPU kernel computes it, one command per step. */
static int layernorm_stats_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int hm = n->nout > 1 && n->out[1] >= 0, hi = n->nout > 2 && n->out[2] >= 0, rc;
	if (!hm && !hi)
		return 0;
	int r = xv->ndim;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), r);
	int64_t sd[ART_MAX_DIMS];
	for (int k = 0; k < r; k++)
		sd[k] = k < a ? xv->dims[k] : 1;
	uint64_t nx = (uint64_t)dev_prod(xv->dims, 0, r), rows = (uint64_t)dev_prod(sd, 0, r);
	const struct dev_val *sc = &e->dv[e->s->nvals + (n - e->s->nodes)];
	uint64_t d_va = e->arena_va + sc->off, d2_va = d_va + 4 * nx, m_va = d2_va + 4 * nx;
	uint64_t v_va = m_va + 4 * rows, w_va = v_va + 4 * rows, u_va = w_va + 4 * rows;
	struct ares_tensor_desc x, m, d, d2, v, w, u, inv;
	dev_desc(e, n->in[0], &x);
	if (hm)
		dev_desc_dims(e, n->out[1], r, sd, &m);
	else
		desc_f32(m_va, r, sd, &m);
	struct ares_reduce_params rp = {.op = ARES_REDUCE_MEAN,
					.axes = ((1u << r) - 1) & ~((1u << a) - 1)};
	if ((rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &x, &m))) || !hi)
		return rc;
	struct ares_tensor_desc mb = m;
	desc_spread(&mb, xv->dims);
	desc_f32(d_va, r, xv->dims, &d);
	desc_f32(d2_va, r, xv->dims, &d2);
	desc_f32(v_va, r, sd, &v);
	desc_f32(w_va, r, sd, &w);
	desc_f32(u_va, r, sd, &u);
	dev_desc_dims(e, n->out[2], r, sd, &inv);
	float eps = rt_attr_f(n, "epsilon", 1e-5f);
	if ((rc = eltwise(e, ARES_ELT_SUB, &x, &mb, &d)) ||
	    (rc = eltwise(e, ARES_ELT_MUL, &d, &d, &d2)) ||
	    (rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &d2, &v))) ||
	    (rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, F32_BITS(eps), &w))) ||
	    (rc = eltwise(e, ARES_ELT_ADD, &v, &w, &u)) ||
	    (rc = eltwise(e, ARES_ELT_SQRT, &u, NULL, &v)))
		return rc;
	return eltwise(e, ARES_ELT_RECIPROCAL, &v, NULL, &inv);
}

/* Hardmax: 1 at the first maximum along the axis (ARGMAX), 0 elsewhere,
 * by the one-hot mask position == ramp. */
static int hardmax_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int64_t o, l, i;
	uint64_t mask_at;
	hardmax_geom(s->opset, n, xv->ndim, xv->dims, &o, &l, &i);
	hardmax_scratch(s, n, e->dv, &mask_at);
	if (!o || !l || !i)
		return 0;
	uint64_t sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	uint64_t cva = e->weights_va + s->dev->nwofs[n - s->nodes];
	int64_t full[3] = {o, l, i}, row[3] = {o, 1, i};
	struct ares_tensor_desc x, y, pos, ramp, mask, zero, one;
	dev_desc_dims(e, n->in[0], 3, full, &x);
	dev_desc_dims(e, n->out[0], 3, full, &y);
	desc_f32(sva, 3, row, &pos);
	pos.dtype = ARES_DTYPE_I64;
	desc_f32(sva + 4 * mask_at, 3, full, &mask);
	mask.dtype = ARES_DTYPE_BOOL;
	desc_f32(cva + DEV_RAMP_AT, 3, full, &ramp);
	ramp.dtype = ARES_DTYPE_I64;
	ramp.stride[0] = ramp.stride[2] = 0;
	ramp.stride[1] = 1;
	desc_f32(cva, 3, full, &zero);
	zero.stride[0] = zero.stride[1] = zero.stride[2] = 0;
	one = zero;
	one.va = cva + 4;
	struct ares_reduce_params rp = {.op = ARES_REDUCE_ARGMAX, .axes = 2};
	int rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &x, &pos));
	desc_spread(&pos, full);
	const struct ares_tensor_desc *eq[2] = {&pos, &ramp}, *wh[3] = {&mask, &one, &zero};
	struct ares_eltwise_params pe = {.op = ARES_ELT_EQUAL}, pw = {.op = ARES_ELT_WHERE};
	if (rc || (rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &pe, 2, eq, &mask))))
		return rc;
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &pw, 3, wh, &y));
}

static int topk_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	int64_t o, l, i, k;
	struct topk_layout t;
	topk_layout(s, n, e->dv, &o, &l, &i, &k, &t);
	if (!o || !l || !i || !k)
		return 0;
	int largest = (int)rt_attr_i(n, "largest", 1), rc;
	uint64_t sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	uint64_t cva = e->weights_va + s->dev->nwofs[n - s->nodes];
	uint64_t vva = dev_va_of(e, n->out[0]);
	uint64_t iva = n->nout > 1 && n->out[1] >= 0 ? dev_va_of(e, n->out[1]) : sva + 4 * t.ind;
	int64_t full[3] = {o, l, i}, row[3] = {o, 1, i}, one[1] = {1};
	struct ares_tensor_desc src, buf[2], mask, ramp, inf, val, ind;
	dev_desc_dims(e, n->in[0], 3, full, &src);
	desc_f32(sva + 4 * t.a, 3, full, &buf[0]);
	desc_f32(sva + 4 * t.b, 3, full, &buf[1]);
	desc_f32(sva + 4 * t.mask, 3, full, &mask);
	mask.dtype = ARES_DTYPE_BOOL;
	desc_f32(cva + DEV_RAMP_AT, 3, full, &ramp);
	ramp.dtype = ARES_DTYPE_I64;
	ramp.stride[0] = ramp.stride[2] = 0;
	ramp.stride[1] = 1;
	desc_f32(sva + 4 * t.inf, 1, one, &inf);
	if ((rc = dev_done(e, accel_cmdbuf_fill_tensor(
				      e->cb, F32_BITS(largest ? -INFINITY : INFINITY), &inf))))
		return rc;
	desc_f32(sva + 4 * t.inf, 3, full, &inf);
	inf.stride[0] = inf.stride[1] = inf.stride[2] = 0;
	struct ares_reduce_params pa = {.op = largest ? ARES_REDUCE_ARGMAX : ARES_REDUCE_ARGMIN,
					.axes = 2},
				  pv = {.op = largest ? ARES_REDUCE_MAX : ARES_REDUCE_MIN,
					.axes = 2};
	struct ares_eltwise_params pe = {.op = ARES_ELT_EQUAL}, pw = {.op = ARES_ELT_WHERE};
	for (int64_t j = 0; j < k; j++) {
		/* Column j of the [O, k, I] outputs. */
		desc_f32(vva + 4 * (uint64_t)(j * i), 3, row, &val);
		val.stride[0] = (uint64_t)(k * i);
		desc_f32(iva + 8 * (uint64_t)(j * i), 3, row, &ind);
		ind.dtype = ARES_DTYPE_I64;
		ind.stride[0] = (uint64_t)(k * i);
		if ((rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &pa, &src, &ind))) ||
		    (rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &pv, &src, &val))))
			return rc;
		if (j == k - 1)
			break;
		desc_spread(&ind, full);
		const struct ares_tensor_desc *eq[2] = {&ind, &ramp}, *wh[3] = {&mask, &inf, &src};
		struct ares_tensor_desc *next = &buf[j % 2];
		if ((rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &pe, 2, eq, &mask))) ||
		    (rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &pw, 3, wh, next))))
			return rc;
		src = *next;
	}
	return 0;
}

/* (x - mean) / (sqrt(mean((x - mean)^2)) + 1e-9), as the CPU kernel. */
static int mvn_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int r = xv->ndim, rc;
	unsigned m;
	uint64_t rows;
	mvn_axes(n, r, &m);
	mvn_scratch(n, e->dv, &rows);
	int64_t kd[ART_MAX_DIMS];
	for (int k = 0; k < r; k++)
		kd[k] = m & (1u << k) ? 1 : xv->dims[k];
	uint64_t nx = (uint64_t)dev_prod(xv->dims, 0, r), nxa = (nx + 15) / 16 * 16;
	uint64_t d_va = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off, d2_va = d_va + 4 * nxa;
	uint64_t v_va[5];
	for (int i = 0; i < 5; i++)
		v_va[i] = d2_va + 4 * nxa + 4 * rows * (uint64_t)i;
	struct ares_tensor_desc x, y, d, d2, mean, var, sd, eps, den;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	desc_f32(d_va, r, xv->dims, &d);
	desc_f32(d2_va, r, xv->dims, &d2);
	desc_f32(v_va[0], r, kd, &mean);
	desc_f32(v_va[1], r, kd, &var);
	desc_f32(v_va[2], r, kd, &sd);
	desc_f32(v_va[3], r, kd, &eps);
	desc_f32(v_va[4], r, kd, &den);
	struct ares_tensor_desc mb = mean, denb;
	desc_spread(&mb, xv->dims);
	struct ares_reduce_params rp = {.op = ARES_REDUCE_MEAN, .axes = m};
	if ((rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &x, &mean))) ||
	    (rc = eltwise(e, ARES_ELT_SUB, &x, &mb, &d)) ||
	    (rc = eltwise(e, ARES_ELT_MUL, &d, &d, &d2)) ||
	    (rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &d2, &var))) ||
	    (rc = eltwise(e, ARES_ELT_SQRT, &var, NULL, &sd)) ||
	    (rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, F32_BITS(1e-9f), &eps))) ||
	    (rc = eltwise(e, ARES_ELT_ADD, &sd, &eps, &den)))
		return rc;
	denb = den;
	desc_spread(&denb, xv->dims);
	return eltwise(e, ARES_ELT_DIV, &d, &denb, &y);
}

/* The window sum is an AVG_PAD POOL of x^2 seen as [N, 1, C, rest] with a
 * (size, 1) kernel padded over C: its divisor is always size, so
 * alpha / size * sum is alpha times the average. */
static int lrn_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int64_t size = rt_attr_i(n, "size", 1), lo = (size - 1) / 2, hi = size - 1 - lo;
	uint64_t nxa;
	int r;
	lrn_scratch(e->dv, n, &nxa);
	uint64_t sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	int64_t d4[4] = {xv->dims[0], 1, xv->dims[1], dev_prod(xv->dims, 2, xv->ndim)};
	int64_t one[1] = {1};
	struct ares_tensor_desc x, y, b[4], x4, sq4, av4, k[3];
	dev_desc_dims(e, n->in[0], 4, d4, &x);
	dev_desc_dims(e, n->out[0], 4, d4, &y);
	for (int i = 0; i < 4; i++)
		desc_f32(sva + 4 * nxa * (uint64_t)i, 4, d4, &b[i]);
	float par[3] = {rt_attr_f(n, "alpha", 1e-4f), rt_attr_f(n, "bias", 1.0f),
			rt_attr_f(n, "beta", 0.75f)};
	for (int i = 0; i < 3; i++) {
		desc_f32(sva + 4 * (4 * nxa + 16 * (uint64_t)i), 1, one, &k[i]);
		if ((r = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, F32_BITS(par[i]), &k[i]))))
			return r;
		desc_f32(k[i].va, 4, d4, &k[i]);
		memset(k[i].stride, 0, sizeof(k[i].stride));
	}
	x4 = x;
	sq4 = b[0];
	av4 = b[1];
	struct ares_pool_params pp = {.op = ARES_POOL_AVG_PAD,
				      .kernel_h = (uint32_t)size,
				      .kernel_w = 1,
				      .stride_h = 1,
				      .stride_w = 1,
				      .pad_top = (uint32_t)lo,
				      .pad_bottom = (uint32_t)hi,
				      .dilation_h = 1,
				      .dilation_w = 1};
	if ((r = eltwise(e, ARES_ELT_MUL, &x4, &x4, &sq4)) ||
	    (r = dev_done(e, accel_cmdbuf_pool(e->cb, &pp, &sq4, &av4))) ||
	    (r = eltwise(e, ARES_ELT_MUL, &av4, &k[0], &b[2])) ||
	    (r = eltwise(e, ARES_ELT_ADD, &b[2], &k[1], &b[3])) ||
	    (r = eltwise(e, ARES_ELT_POW, &b[3], &k[2], &b[0])))
		return r;
	return eltwise(e, ARES_ELT_DIV, &x, &b[0], &y);
}

static int reduce_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	unsigned m;
	if (d->arg == ARES_REDUCE_ARGMAX || d->arg == ARES_REDUCE_ARGMIN)
		m = 1u << dev_norm_axis(rt_attr_i(n, "axis", 0), xv->ndim);
	else
		reduce_axes(s, n, xv->ndim, &m);
	int64_t yd[ART_MAX_DIMS];
	for (int k = 0; k < xv->ndim; k++)
		yd[k] = (m & (1u << k)) ? 1 : xv->dims[k];
	dev_desc(e, n->in[0], &x);
	dev_desc_dims(e, n->out[0], xv->ndim, yd, &y);
	uint32_t op = (uint32_t)d->arg;
	if ((op == ARES_REDUCE_ARGMAX || op == ARES_REDUCE_ARGMIN) &&
	    rt_attr_i(n, "select_last_index", 0))
		op = op == ARES_REDUCE_ARGMAX ? ARES_REDUCE_ARGMAX_LAST : ARES_REDUCE_ARGMIN_LAST;
	struct ares_reduce_params p = {.op = op, .axes = m};
	return dev_done(e, accel_cmdbuf_reduce(cb, &p, &x, &y));
}

static int softmax_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int64_t axis;
	if (s->opset < 13) {
		/* Before opset 13 the input is coerced to 2-D at axis. */
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 1), xv->ndim);
		int64_t d2[2] = {dev_prod(xv->dims, 0, (int)a),
				 dev_prod(xv->dims, (int)a, xv->ndim)};
		dev_desc_dims(e, n->in[0], 2, d2, &x);
		dev_desc_dims(e, n->out[0], 2, d2, &y);
		axis = 1;
	} else {
		axis = dev_norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
		dev_desc(e, n->in[0], &x);
		dev_desc(e, n->out[0], &y);
	}
	struct ares_softmax_params p = {.axis = (uint32_t)axis, .flags = (uint32_t)d->arg};
	return dev_done(e, accel_cmdbuf_softmax(cb, &p, &x, &y));
}

/* Training mode: the batch's mean and (population) variance per channel
 * by REDUCE MEAN of x and of (x - mean)^2, which NORM then uses; the
 * running statistics input * momentum + batch * (1 - momentum). */
static int batch_stats_emit(struct ectx *e, uint64_t *mean_va, uint64_t *var_va)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int r = xv->ndim, rc;
	int64_t C = xv->dims[1], cd[ART_MAX_DIMS], c1[1] = {C};
	for (int k = 0; k < r; k++)
		cd[k] = k == 1 ? C : 1;
	uint64_t nx = (uint64_t)dev_prod(xv->dims, 0, r), cs = ((uint64_t)C + 15) / 16 * 16;
	uint64_t d_va = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	uint64_t d2_va = d_va + 4 * ((nx + 15) / 16 * 16), m_va = d2_va + 4 * ((nx + 15) / 16 * 16);
	uint64_t v_va = m_va + 4 * cs, f_va = v_va + 4 * cs, g_va = f_va + 4 * cs,
		 t1_va = g_va + 4 * cs, t2_va = t1_va + 4 * cs;
	struct ares_tensor_desc x, m, mb, d, d2, v;
	dev_desc(e, n->in[0], &x);
	desc_f32(m_va, r, cd, &m);
	desc_f32(v_va, r, cd, &v);
	desc_f32(d_va, r, xv->dims, &d);
	desc_f32(d2_va, r, xv->dims, &d2);
	mb = m;
	desc_spread(&mb, xv->dims);
	struct ares_reduce_params rp = {.op = ARES_REDUCE_MEAN, .axes = ((1u << r) - 1) & ~2u};
	if ((rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &x, &m))) ||
	    (rc = eltwise(e, ARES_ELT_SUB, &x, &mb, &d)) ||
	    (rc = eltwise(e, ARES_ELT_MUL, &d, &d, &d2)) ||
	    (rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &d2, &v))))
		return rc;
	*mean_va = m_va;
	*var_va = v_va;
	float mom = rt_attr_f(n, "momentum", 0.9f);
	struct ares_tensor_desc f, g, t1, t2, in, bat, out;
	desc_f32(f_va, 1, c1, &f);
	desc_f32(g_va, 1, c1, &g);
	desc_f32(t1_va, 1, c1, &t1);
	desc_f32(t2_va, 1, c1, &t2);
	if ((rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, F32_BITS(mom), &f))) ||
	    (rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, F32_BITS(1.0f - mom), &g))))
		return rc;
	for (int j = 1; j < 3; j++) {
		if (n->nout <= j || n->out[j] < 0)
			continue;
		dev_desc_dims(e, n->in[2 + j], 1, c1, &in);
		desc_f32(j == 1 ? m_va : v_va, 1, c1, &bat);
		dev_desc_dims(e, n->out[j], 1, c1, &out);
		if ((rc = eltwise(e, ARES_ELT_MUL, &in, &f, &t1)) ||
		    (rc = eltwise(e, ARES_ELT_MUL, &bat, &g, &t2)) ||
		    (rc = eltwise(e, ARES_ELT_ADD, &t1, &t2, &out)))
			return rc;
	}
	return 0;
}

static int batchnorm_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc sc, bi, mu, var;
	int bn = d->kind == DK_BATCHNORM;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	desc_channel(e, n->in[1], xv, &sc);
	desc_channel(e, n->in[2], xv, &bi);
	if (bn) {
		desc_channel(e, n->in[3], xv, &mu);
		desc_channel(e, n->in[4], xv, &var);
	}
	uint64_t mean_va, var_va;
	int rc;
	if (bn && train_mode(e->s, n)) {
		if ((rc = batch_stats_emit(e, &mean_va, &var_va)))
			return rc;
		mu.va = mean_va;
		var.va = var_va;
	}
	struct ares_norm_params p = {.kind = bn ? ARES_NORM_BATCH : ARES_NORM_INSTANCE,
				     .epsilon = F32_BITS(rt_attr_f(n, "epsilon", 1e-5f)),
				     .activation = (uint32_t)n->act,
				     .act_alpha = F32_BITS(n->act_alpha),
				     .act_beta = F32_BITS(n->act_beta)};
	return dev_done(
		e, accel_cmdbuf_norm(cb, &p, &x, &sc, &bi, bn ? &mu : NULL, bn ? &var : NULL, &y));
}

static int layernorm_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc sc, bi;
	int64_t axis = dev_norm_axis(rt_attr_i(n, "axis", -1), xv->ndim);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	int hs = n->nin > 1 && n->in[1] >= 0, hb = n->nin > 2 && n->in[2] >= 0;
	if (hs)
		dev_desc_bcast(e, n->in[1], xv->ndim, xv->dims, &sc);
	if (hb)
		dev_desc_bcast(e, n->in[2], xv->ndim, xv->dims, &bi);
	struct ares_norm_params p = {.kind = ARES_NORM_LAYER,
				     .axis = (uint32_t)axis,
				     .epsilon = F32_BITS(rt_attr_f(n, "epsilon", 1e-5f)),
				     .activation = (uint32_t)n->act,
				     .act_alpha = F32_BITS(n->act_alpha),
				     .act_beta = F32_BITS(n->act_beta)};
	int rc = layernorm_stats_emit(e);
	if (rc)
		return rc;
	return dev_done(
		e, accel_cmdbuf_norm(cb, &p, &x, hs ? &sc : NULL, hb ? &bi : NULL, NULL, NULL, &y));
}

static const struct dev_form dev_form_reduce = {
	.check = reduce_check,
	.shapes = reduce_shapes,
	.emit = reduce_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_softmax = {
	.check = softmax_check,
	.shapes = norm_shapes,
	.emit = softmax_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_batchnorm = {
	.check = batchnorm_check,
	.shapes = batchnorm_shapes,
	.emit = batchnorm_emit,
	.operands = 31u,
	.fuses_act = 1,
	.outputs = 6u,
};

static const struct dev_form dev_form_instnorm = {
	.check = norm_check,
	.shapes = norm_shapes,
	.emit = batchnorm_emit,
	.operands = 7u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_layernorm = {
	.check = layernorm_check,
	.shapes = layernorm_shapes,
	.emit = layernorm_emit,
	.operands = 7u,
	.fuses_act = 1,
	.outputs = 6u,
};

static const struct dev_form dev_form_hardmax = {
	.check = hardmax_check,
	.shapes = hardmax_shapes,
	.emit = hardmax_emit,
	.operands = 1u,
	.fuses_act = 0,
	.consts = hardmax_consts,
};

/* Operands: X (K is read as an attribute). */
static const struct dev_form dev_form_topk = {
	.check = topk_check,
	.shapes = topk_shapes,
	.emit = topk_emit,
	.operands = 1u,
	.fuses_act = 0,
	.outputs = 2u,
	.consts = topk_consts,
};

static const struct dev_form dev_form_mvn = {
	.check = mvn_check,
	.shapes = mvn_shapes,
	.emit = mvn_emit,
	.operands = 1u,
	.fuses_act = 0,
};

static const struct dev_form dev_form_lrn = {
	.check = lrn_check,
	.shapes = lrn_shapes,
	.emit = lrn_emit,
	.operands = 1u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op norm_ops[] = {
	{"ArgMax", DK_REDUCE, ARES_REDUCE_ARGMAX, &dev_form_reduce},
	{"ArgMin", DK_REDUCE, ARES_REDUCE_ARGMIN, &dev_form_reduce},
	{"BatchNormalization", DK_BATCHNORM, 0, &dev_form_batchnorm},
	{"InstanceNormalization", DK_INSTNORM, 0, &dev_form_instnorm},
	{"LayerNormalization", DK_LAYERNORM, 0, &dev_form_layernorm},
	{"LogSoftmax", DK_SOFTMAX, ARES_SOFTMAX_LOG, &dev_form_softmax},
	{"ReduceL1", DK_REDUCE, ARES_REDUCE_L1, &dev_form_reduce},
	{"ReduceL2", DK_REDUCE, ARES_REDUCE_L2, &dev_form_reduce},
	{"ReduceLogSum", DK_REDUCE, ARES_REDUCE_LOG_SUM, &dev_form_reduce},
	{"ReduceLogSumExp", DK_REDUCE, ARES_REDUCE_LOG_SUM_EXP, &dev_form_reduce},
	{"ReduceMax", DK_REDUCE, ARES_REDUCE_MAX, &dev_form_reduce},
	{"ReduceMean", DK_REDUCE, ARES_REDUCE_MEAN, &dev_form_reduce},
	{"ReduceMin", DK_REDUCE, ARES_REDUCE_MIN, &dev_form_reduce},
	{"ReduceProd", DK_REDUCE, ARES_REDUCE_PROD, &dev_form_reduce},
	{"ReduceSum", DK_REDUCE, ARES_REDUCE_SUM, &dev_form_reduce},
	{"ReduceSumSquare", DK_REDUCE, ARES_REDUCE_SUM_SQUARE, &dev_form_reduce},
	{"Softmax", DK_SOFTMAX, 0, &dev_form_softmax},
	{"Hardmax", DK_HARDMAX, 0, &dev_form_hardmax},
	{"TopK", DK_TOPK, 0, &dev_form_topk},
	{"MeanVarianceNormalization", DK_MVN, 0, &dev_form_mvn},
	{"LRN", DK_LRN, 0, &dev_form_lrn},
};

const struct dev_op_family dev_ops_norm = DEV_OP_FAMILY(norm_ops);
