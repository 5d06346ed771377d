// SPDX-License-Identifier: MIT
/*
 * Sliding-window ops on the device: Conv, ConvTranspose (one MATMUL per tap
 * when its kernel equals its stride, else zero-insert, then CONV2D with the
 * kernel flipped) and the pools.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/common.h"

/* Rank of V known before any run, or -1. */
static int value_rank(const struct art_session *s, int v)
{
	const struct rt_value *val = &s->vals[v];
	if (val->t.data && val->is_const)
		return val->t.ndim;
	if (val->info.dtype && val->info.ndim >= 0)
		return val->info.ndim;
	const Onnx__ValueInfoProto *vi = rt_declared(s, val->name);
	if (vi && vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
	    vi->type->tensor_type->shape)
		return (int)vi->type->tensor_type->shape->n_dim;
	return -1;
}

struct geom {
	int64_t k[2], st[2], dil[2], pb[2], pe[2], out[2];
};

/* One spatial dim's window: the pads auto_pad SAME_* sets (else PB, PE
 * as given) and the output length OUT; -1 when the window does not fit. */
static int dim_geom(int64_t in, int64_t k, int64_t st, int64_t dil, int same_upper, int same_lower,
		    int ceil_mode, int64_t *pb, int64_t *pe, int64_t *out)
{
	int64_t span = dil * (k - 1) + 1;
	if (st < 1 || dil < 1 || k < 1)
		return -1;
	if (same_upper || same_lower) {
		int64_t o = (in + st - 1) / st;
		int64_t total = (o - 1) * st + span - in;
		total = total < 0 ? 0 : total;
		*pb = same_upper ? total / 2 : total - total / 2;
		*pe = total - *pb;
	}
	int64_t room = in + *pb + *pe - span;
	if (room < 0)
		return -1;
	*out = room / st + 1;
	if (ceil_mode && room % st) {
		(*out)++;
		if ((*out - 1) * st >= in + *pb)
			(*out)--;
	}
	return 0;
}

/* Window geometry of Conv and the pools over NSP (1 or 2) spatial dims,
 * placed in the last NSP of two slots so 1-D runs as 2-D with H = 1. */
static int window_geom(const struct rt_node *n, int nsp, const int64_t *in, const int64_t *k,
		       int ceil_mode, struct geom *g)
{
	int64_t v[4];
	int off = 2 - nsp;
	for (int i = 0; i < 2; i++) {
		g->k[i] = 1;
		g->st[i] = 1;
		g->dil[i] = 1;
		g->pb[i] = g->pe[i] = 0;
		g->out[i] = 1;
	}
	for (int i = 0; i < nsp; i++)
		g->k[off + i] = k[i];
	if (rt_attr_ints_capped(n, "strides", v, 2) == nsp)
		for (int i = 0; i < nsp; i++)
			g->st[off + i] = v[i];
	if (rt_attr_ints_capped(n, "dilations", v, 2) == nsp)
		for (int i = 0; i < nsp; i++)
			g->dil[off + i] = v[i];
	int same_upper = rt_attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int same_lower = rt_attr_is(n, "auto_pad", "SAME_LOWER", 0);
	int valid = rt_attr_is(n, "auto_pad", "VALID", 0);
	if (!same_upper && !same_lower && !valid && rt_attr_ints_capped(n, "pads", v, 4) == 2 * nsp)
		for (int i = 0; i < nsp; i++) {
			g->pb[off + i] = v[i];
			g->pe[off + i] = v[nsp + i];
		}
	for (int i = 0; i < nsp; i++) {
		int j = off + i;
		if (dim_geom(in[i], g->k[j], g->st[j], g->dil[j], same_upper, same_lower, ceil_mode,
			     &g->pb[j], &g->pe[j], &g->out[j]))
			return -1;
	}
	return 0;
}

/* A 3-D pool as two 2-D ones, which is exact: a window is a box, so its
 * max is the max over D of the maxes over (H, W), and its average the
 * average of averages, each divisor (cells inside the input, or inside
 * the padded input for AVG_PAD) a product of per-dim counts. HW takes
 * (H, W) over [N, C * D, H, W]; D takes D over [N, C, D, H' * W'] with a
 * window of width 1. */
static int pool3_geom(const struct rt_node *n, const int64_t *in, const int64_t *k, int ceil_mode,
		      struct geom *hw, struct geom *d)
{
	int64_t st[3] = {1, 1, 1}, dil[3] = {1, 1, 1}, pads[6] = {0}, out[3];
	int same_upper = rt_attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int same_lower = rt_attr_is(n, "auto_pad", "SAME_LOWER", 0);
	int valid = rt_attr_is(n, "auto_pad", "VALID", 0);
	if (rt_attr(n, "strides") && rt_attr_ints(n, "strides", st, 3) != 3)
		return -1;
	if (rt_attr(n, "dilations") && rt_attr_ints(n, "dilations", dil, 3) != 3)
		return -1;
	if (rt_attr(n, "pads") && rt_attr_ints(n, "pads", pads, 6) != 6)
		return -1;
	if (same_upper || same_lower || valid)
		memset(pads, 0, sizeof(pads));
	for (int i = 0; i < 3; i++)
		if (dim_geom(in[i], k[i], st[i], dil[i], same_upper, same_lower, ceil_mode,
			     &pads[i], &pads[3 + i], &out[i]))
			return -1;
	for (int j = 0; j < 2; j++) {
		hw->k[j] = k[1 + j];
		hw->st[j] = st[1 + j];
		hw->dil[j] = dil[1 + j];
		hw->pb[j] = pads[1 + j];
		hw->pe[j] = pads[4 + j];
		hw->out[j] = out[1 + j];
	}
	memset(d, 0, sizeof(*d));
	d->k[0] = k[0];
	d->st[0] = st[0];
	d->dil[0] = dil[0];
	d->pb[0] = pads[0];
	d->pe[0] = pads[3];
	d->out[0] = out[0];
	d->k[1] = d->st[1] = d->dil[1] = 1;
	d->out[1] = out[1] * out[2];
	return 0;
}

/*
 * ConvTranspose as a convolution: the input with (stride - 1) zeros between
 * its pixels, placed at lp in a zeroed buffer of hb cells per spatial dim,
 * convolved at stride 1 with the flipped, channel-swapped kernel. Input
 * pixel i lands at lp + i * stride; lp = dilation * (k - 1) - pad_begin may
 * be negative (pads larger than the kernel's reach crop the input), and
 * hb = out + dilation * (k - 1) covers output_padding and an output_shape
 * larger than the input reaches (those cells see only zeros: the bias).
 * Output size and pads follow the CPU kernel (kernels_conv.c).
 */
struct tgeom {
	int64_t k[2], st[2], dil[2], lp[2], hb[2], out[2];
	int64_t i0[2], cnt[2]; /* input pixels that land inside the buffer */
};

static int convt_geom(const struct rt_node *n, int nsp, const int64_t *in, const int64_t *k,
		      struct tgeom *g)
{
	int64_t v[ART_MAX_DIMS], pb[2] = {0, 0}, pe[2] = {0, 0}, opad[2] = {0, 0}, want[2];
	int off = 2 - nsp, c;
	for (int i = 0; i < 2; i++) {
		g->k[i] = g->st[i] = g->dil[i] = g->hb[i] = g->out[i] = g->cnt[i] = 1;
		g->lp[i] = g->i0[i] = 0;
		want[i] = -1;
	}
	int64_t inn[2] = {1, 1};
	for (int i = 0; i < nsp; i++) {
		g->k[off + i] = k[i];
		inn[off + i] = in[i];
	}
	if ((c = rt_attr_ints_capped(n, "strides", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		g->st[off + i] = v[i];
	if ((c = rt_attr_ints_capped(n, "dilations", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		g->dil[off + i] = v[i];
	if ((c = rt_attr_ints_capped(n, "output_padding", v, 2)) >= 0 && c != nsp)
		return -1;
	for (int i = 0; i < c; i++)
		opad[off + i] = v[i];
	if ((c = rt_attr_ints_capped(n, "pads", v, 4)) >= 0 && c != 2 * nsp)
		return -1;
	for (int i = 0; i < c / 2; i++) {
		pb[off + i] = v[i];
		pe[off + i] = v[nsp + i];
	}
	int upper = rt_attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int lower = rt_attr_is(n, "auto_pad", "SAME_LOWER", 0);
	c = rt_attr_ints_capped(n, "output_shape", v, ART_MAX_DIMS);
	if (c >= 0 && c != nsp && c != nsp + 2)
		return -1;
	for (int i = 0; i < nsp && c >= 0; i++)
		want[off + i] = v[c - nsp + i];
	for (int j = off; j < 2; j++) {
		if (g->st[j] < 1 || g->dil[j] < 1 || g->k[j] < 1 || opad[j] < 0)
			return -1;
		int64_t reach = g->dil[j] * (g->k[j] - 1);
		int64_t full = g->st[j] * (inn[j] - 1) + opad[j] + reach + 1;
		if (want[j] < 0 && (upper || lower))
			want[j] = inn[j] * g->st[j];
		if (want[j] >= 0) {
			int64_t total = full - want[j];
			total = total < 0 ? 0 : total;
			pb[j] = upper ? total / 2 : total - total / 2;
			g->out[j] = want[j];
		} else {
			g->out[j] = full - pb[j] - pe[j];
		}
		if (g->out[j] < 1)
			return -1;
		g->lp[j] = reach - pb[j];
		g->hb[j] = g->out[j] + reach;
		/* First and count of i with 0 <= lp + i * st < hb. */
		int64_t first = g->lp[j] >= 0 ? 0 : (-g->lp[j] + g->st[j] - 1) / g->st[j];
		int64_t lastpos = g->hb[j] - 1 - g->lp[j];
		int64_t last = lastpos < 0 ? -1 : lastpos / g->st[j];
		if (last > inn[j] - 1)
			last = inn[j] - 1;
		g->i0[j] = first;
		g->cnt[j] = last >= first ? last - first + 1 : 0;
	}
	return 0;
}

/*
 * Kernel equal to stride, no dilation, groups or padding (output_padding
 * cropped again by end pads counts as none): each input pixel writes its
 * own kh x kw block of the output and no two blocks overlap, so the node
 * is one MATMUL per tap over the real pixels (emit_convt_blockwise), with
 * stride^2 fewer MACs than the zero-inserted CONV2D and no scratch.
 * PP-OCR det's head upsamples with two such 2x2 ConvTransposes.
 */
static int convt_blockwise(const struct rt_node *n, int nsp, const int64_t *in,
			   const struct tgeom *g)
{
	int64_t inn[2] = {1, 1};
	for (int i = 0; i < nsp; i++)
		inn[2 - nsp + i] = in[i];
	if (rt_attr_i(n, "group", 1) != 1)
		return 0;
	for (int j = 0; j < 2; j++)
		if (g->st[j] != g->k[j] || g->dil[j] != 1 || g->lp[j] != g->k[j] - 1 ||
		    g->out[j] != g->st[j] * inn[j])
			return 0;
	return 1;
}

/* ConvTranspose's scratch: the zero-inserted input, then the transformed
 * weights at a 64-byte boundary. */
static uint64_t convt_wofs(const struct dev_val *x, const struct tgeom *g)
{
	uint64_t cells = (uint64_t)x->dims[0] * (uint64_t)x->dims[1] * (uint64_t)g->hb[0] *
			 (uint64_t)g->hb[1];
	return (cells + 15) / 16 * 16;
}

uint64_t dev_node_scratch(struct art_session *s, const struct rt_node *n, const struct dev_val *dv)
{
	/* By name, not through the table (device/ops.c), which sits above. */
	if (strcmp(n->proto->op_type, "ConvTranspose"))
		return dev_norm_scratch(s, n, dv) + dev_loss_scratch(n, dv);
	const struct dev_val *x = &dv[n->in[0]], *w = &dv[n->in[1]];
	struct tgeom g;
	if (convt_geom(n, w->ndim - 2, x->dims + 2, w->dims + 2, &g) ||
	    convt_blockwise(n, w->ndim - 2, x->dims + 2, &g))
		return 0;
	uint64_t wcells = 1;
	for (int k = 0; k < w->ndim && !dev_convt_host_weights(s, n); k++)
		wcells *= (uint64_t)w->dims[k];
	return convt_wofs(x, &g) + (dev_convt_host_weights(s, n) ? 0 : wcells);
}

int dev_convt_host_weights(const struct art_session *s, const struct rt_node *n)
{
	if (strcmp(n->proto->op_type, "ConvTranspose") || n->nin < 2 || !dev_is_const(s, n->in[1]))
		return 0;
	const struct art_tensor *w = &s->vals[n->in[1]].t;
	return w->dtype == ART_FLOAT && (w->ndim == 3 || w->ndim == 4);
}

void dev_convt_weights(const struct rt_node *n, const struct art_tensor *w, float *dst)
{
	int64_t grp = rt_attr_i(n, "group", 1), C = w->dims[0], mg = w->dims[1];
	int64_t kh = w->ndim == 4 ? w->dims[2] : 1, kw = w->dims[w->ndim - 1], kk = kh * kw;
	int64_t cg = grp > 0 ? C / grp : C;
	const float *src = w->data;
	for (int64_t gi = 0; gi < grp; gi++)
		for (int64_t ci = 0; ci < cg; ci++)
			for (int64_t mo = 0; mo < mg; mo++)
				for (int64_t a = 0; a < kk; a++)
					dst[((gi * mg + mo) * cg + ci) * kk + kk - 1 - a] =
						src[((gi * cg + ci) * mg + mo) * kk + a];
}

/*
 * ConvTranspose by blocks (see convt_blockwise): for tap (a, b),
 * y[n, m, h kh + a, w kw + b] = bias[m] + sum_c W[c, m, a, b] x[n, c, h, w]
 * is a MATMUL batched over (n, h): [M, C] . [C, W] into the output's view
 * whose rows step one output plane and whose columns step kw cells. The
 * uploaded weights are flipped and channel-swapped ([M, C, kk], tap t at
 * kk - 1 - t: dev_convt_weights); weights computed on the device are in
 * ONNX's [C, M, kh, kw].
 */
static int emit_convt_blockwise(struct ectx *e, const struct rt_node *n, int nsp,
				const struct tgeom *g)
{
	const struct dev_val *xv = &e->dv[n->in[0]], *wv = &e->dv[n->in[1]];
	uint64_t N = (uint64_t)xv->dims[0], C = (uint64_t)xv->dims[1];
	uint64_t M = (uint64_t)wv->dims[1], kh = (uint64_t)g->k[0], kw = (uint64_t)g->k[1];
	uint64_t kk = kh * kw, H = (uint64_t)(nsp == 1 ? 1 : xv->dims[2]);
	uint64_t W = (uint64_t)xv->dims[nsp + 1];
	int64_t xd[4] = {(int64_t)N, (int64_t)C, (int64_t)H, (int64_t)W};
	int64_t yd[4] = {(int64_t)N, (int64_t)M, g->out[0], g->out[1]};
	int host = dev_convt_host_weights(e->s, n);
	int hasb = n->nin > 2 && n->in[2] >= 0;
	struct ares_tensor_desc x, y, a, b, bias = {0}, c;
	uint64_t w_va, sm = kk, sc = M * kk;
	if (host) {
		w_va = e->weights_va + e->s->dev->nwofs[n - e->s->nodes];
		sm = C * kk;
		sc = kk;
	} else {
		dev_desc(e, n->in[1], &a);
		w_va = a.va;
	}
	dev_desc_dims(e, n->in[0], 4, xd, &x);
	dev_desc_dims(e, n->out[0], 4, yd, &y);
	if (hasb)
		dev_desc(e, n->in[2], &bias);
	struct ares_matmul_params p = {
		.activation = (uint32_t)n->act,
		.alpha = F32_BITS(1.0f),
		.beta = F32_BITS(hasb ? 1.0f : 0.0f),
		.act_alpha = F32_BITS(n->act_alpha),
		.act_beta = F32_BITS(n->act_beta),
	};
	/* Batch (n, h); A [M, C] is the tap's weights, B [C, W] row h of x. */
	uint64_t ashape[4] = {N, H, M, C}, astride[4] = {0, 0, sm, sc};
	uint64_t bshape[4] = {N, H, C, W};
	uint64_t bstride[4] = {x.stride[0], x.stride[2], x.stride[1], x.stride[3]};
	uint64_t yshape[4] = {N, H, M, W};
	uint64_t ystride[4] = {y.stride[0], kh * y.stride[2], y.stride[1], kw * y.stride[3]};
	uint64_t cstride[4] = {0, 0, hasb ? bias.stride[0] : 0, 0};
	b = x;
	c = bias;
	memcpy(b.shape, bshape, sizeof(bshape));
	memcpy(b.stride, bstride, sizeof(bstride));
	for (uint64_t t = 0; t < kk; t++) {
		struct ares_tensor_desc yt = y;
		int rc;
		a = x;
		a.va = w_va + 4 * (host ? kk - 1 - t : t);
		memcpy(a.shape, ashape, sizeof(ashape));
		memcpy(a.stride, astride, sizeof(astride));
		yt.va += 4 * ((t / kw) * y.stride[2] + (t % kw) * y.stride[3]);
		memcpy(yt.shape, yshape, sizeof(yshape));
		memcpy(yt.stride, ystride, sizeof(ystride));
		if (hasb) {
			c.rank = 4;
			memcpy(c.shape, yshape, sizeof(yshape));
			memcpy(c.stride, cstride, sizeof(cstride));
		}
		rc = dev_done(e, accel_cmdbuf_matmul(e->cb, &p, &a, &b, hasb ? &c : NULL, &yt));
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * ConvTranspose (see convt_geom): the kernel flipped and its channel axes
 * swapped, once at upload for constant weights, else into scratch by one
 * COPY per tap (strides cannot run backwards);
 * the input's pixels COPY'd stride apart into the zeroed buffer; one
 * CONV2D at stride 1 without padding.
 */
static int emit_convt(struct ectx *e, const struct rt_node *n)
{
	const struct dev_val *xv = &e->dv[n->in[0]], *wv = &e->dv[n->in[1]];
	int nsp = wv->ndim - 2, rc;
	struct tgeom g;
	convt_geom(n, nsp, xv->dims + 2, wv->dims + 2, &g);
	if (convt_blockwise(n, nsp, xv->dims + 2, &g))
		return emit_convt_blockwise(e, n, nsp, &g);
	uint64_t N = (uint64_t)xv->dims[0], C = (uint64_t)xv->dims[1];
	uint64_t grp = (uint64_t)rt_attr_i(n, "group", 1), cg = C / grp;
	uint64_t mg = (uint64_t)wv->dims[1], kh = (uint64_t)g.k[0], kw = (uint64_t)g.k[1];
	uint64_t kk = kh * kw, H = (uint64_t)(nsp == 1 ? 1 : xv->dims[2]);
	uint64_t W = (uint64_t)xv->dims[nsp + 1], hb = (uint64_t)g.hb[0], wb = (uint64_t)g.hb[1];
	const struct dev_val *sc = &e->dv[e->s->nvals + (n - e->s->nodes)];
	uint64_t buf_va = e->arena_va + sc->off, w_va = buf_va + 4 * convt_wofs(xv, &g);
	struct ares_tensor_desc x, y, w, b;
	int host = dev_convt_host_weights(e->s, n);
	if (host)
		w_va = e->weights_va + e->s->dev->nwofs[n - e->s->nodes];

	for (uint64_t a = 0; a < kh && !host; a++)
		for (uint64_t c = 0; c < kw; c++) {
			dev_desc_dims(e, n->in[1], 1, wv->dims, &x);
			x.va += 4 * (a * kw + c);
			y = x;
			y.va = w_va + 4 * ((kh - 1 - a) * kw + (kw - 1 - c));
			x.rank = y.rank = 3;
			uint64_t shape[3] = {grp, mg, cg};
			uint64_t xs[3] = {cg * mg * kk, kk, mg * kk},
				 ys[3] = {mg * cg * kk, cg * kk, kk};
			for (int k = 0; k < 3; k++) {
				x.shape[k] = y.shape[k] = shape[k];
				x.stride[k] = xs[k];
				y.stride[k] = ys[k];
			}
			if ((rc = dev_emit_copy_view(e, &x, &y)))
				return rc;
		}

	memset(&y, 0, sizeof(y));
	y.va = buf_va;
	y.dtype = ARES_DTYPE_F32;
	y.rank = 1;
	y.shape[0] = N * C * hb * wb;
	y.stride[0] = 1;
	if (y.shape[0] && (rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, 0, &y))))
		return rc;

	int64_t xd[4] = {xv->dims[0], xv->dims[1], (int64_t)H, (int64_t)W};
	dev_desc_dims(e, n->in[0], 4, xd, &x);
	x.va += 4 * ((uint64_t)g.i0[0] * W + (uint64_t)g.i0[1]);
	x.shape[2] = (uint64_t)g.cnt[0];
	x.shape[3] = (uint64_t)g.cnt[1];
	y = x;
	y.va = buf_va + 4 * ((uint64_t)(g.lp[0] + g.i0[0] * g.st[0]) * wb +
			     (uint64_t)(g.lp[1] + g.i0[1] * g.st[1]));
	uint64_t ys[4] = {C * hb * wb, hb * wb, (uint64_t)g.st[0] * wb, (uint64_t)g.st[1]};
	memcpy(y.stride, ys, sizeof(ys));
	if ((rc = dev_emit_copy_view(e, &x, &y)))
		return rc;

	memset(&x, 0, sizeof(x));
	x.va = buf_va;
	x.dtype = ARES_DTYPE_F32;
	x.rank = 4;
	uint64_t bshape[4] = {N, C, hb, wb}, wshape[4] = {mg * grp, cg, kh, kw};
	w = x;
	w.va = w_va;
	uint64_t sx = 1, sw = 1;
	for (int k = 3; k >= 0; k--) {
		x.shape[k] = bshape[k];
		x.stride[k] = sx;
		sx *= bshape[k];
		w.shape[k] = wshape[k];
		w.stride[k] = sw;
		sw *= wshape[k];
	}
	int64_t yd[4] = {e->dv[n->out[0]].dims[0], e->dv[n->out[0]].dims[1], g.out[0], g.out[1]};
	dev_desc_dims(e, n->out[0], 4, yd, &y);
	int hasb = n->nin > 2 && n->in[2] >= 0;
	if (hasb)
		dev_desc(e, n->in[2], &b);
	struct ares_conv2d_params p = {
		.stride_h = 1,
		.stride_w = 1,
		.dilation_h = (uint32_t)g.dil[0],
		.dilation_w = (uint32_t)g.dil[1],
		.groups = (uint32_t)grp,
		.activation = (uint32_t)n->act,
		.act_alpha = F32_BITS(n->act_alpha),
		.act_beta = F32_BITS(n->act_beta),
	};
	return dev_done(e, accel_cmdbuf_conv2d(e->cb, &p, &x, &w, hasb ? &b : NULL, &y));
}

static const char *conv_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	int y = c->y;
	char *buf = c->buf;
	size_t len = c->len;
	if (!dev_is_float(x))
		return dev_float_only(c);
	if (n->nin < 2 || n->in[1] < 0)
		return "Conv without weights";
	/* An unknown rank is checked when the partition is planned. */
	int wr = value_rank(s, n->in[1]);
	if (wr >= 0 && wr != 3 && wr != 4) {
		snprintf(buf, len, "Conv with weight rank %d (the device has 1-D and 2-D)", wr);
		return buf;
	}
	if (y != x)
		return "Conv input and weight dtypes differ";
	/* CONV2D's bias is F32 whatever x's float dtype (hw-spec §12.2). */
	if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT &&
	    !dev_widened_param(s, n->in[2])) {
		snprintf(buf, len, "Conv bias of dtype %s (the device's bias is float32)",
			 rt_dtype_name(dev_value_dtype(s, n->in[2])));
		return buf;
	}
	return NULL;
}

static const char *convt_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	int y = c->y;
	char *buf = c->buf;
	size_t len = c->len;
	/* The zero-insert and flip buffers are laid out in f32 (emit_convt). */
	if (x != ART_FLOAT)
		return dev_float_only(c);
	if (n->nin < 2 || n->in[1] < 0)
		return "ConvTranspose without weights";
	if (y != x)
		return "ConvTranspose input and weight dtypes differ";
	if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT)
		return "ConvTranspose bias is not float";
	int wr = value_rank(s, n->in[1]);
	if (wr >= 0 && wr != 3 && wr != 4) {
		snprintf(buf, len, "ConvTranspose with weight rank %d (the device has 1-D and 2-D)",
			 wr);
		return buf;
	}
	/* Attribute lists the CPU kernel would refuse stay there, so the
	 * error names the node the same way on both paths. */
	int nsp = wr >= 0 ? wr - 2 : 0;
	static const char *const lists[] = {"strides", "dilations", "output_padding"};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && nsp; i++) {
		const Onnx__AttributeProto *a = rt_attr(n, lists[i]);
		if (a && (int)a->n_ints != nsp) {
			snprintf(buf, len, "ConvTranspose %s has %zu values for %d dims", lists[i],
				 a->n_ints, nsp);
			return buf;
		}
		for (size_t j = 0; a && j < a->n_ints; j++)
			if (a->ints[j] < (i < 2 ? 1 : 0)) {
				snprintf(buf, len, "ConvTranspose %s value %lld out of range",
					 lists[i], (long long)a->ints[j]);
				return buf;
			}
	}
	return NULL;
}

/*
 * MaxPool's Indices: a window table T [cells, K] (K = window size) of
 * each window's in-input positions' flat offsets in X in row-major scan
 * order, then -1 for its padding, uploaded with the weights
 * (pool_idx_consts), and rowbase[r] = r K. On the device: X with -inf
 * appended, GATHERed through T (-1 picks the -inf, after every real cell
 * so a window of -inf still picks its first real one); ARGMAX along K
 * (the first maximum, as the CPU kernel); + rowbase; a GATHER of T (for
 * storage_order 1, of T numbered column by column) at those positions
 * is the index.
 */
static int pool_has_indices(const struct rt_node *n)
{
	return n->nout > 1 && n->out[1] >= 0;
}

/* X's static dims before the run; 0 when one is unknown. */
static int pool_static_dims(const struct art_session *s, const struct rt_node *n, int64_t *d)
{
	const struct rt_value *v = &s->vals[n->in[0]];
	const struct art_tensor *t = v->t.data ? &v->t : &v->info;
	if (t->ndim != 3 && t->ndim != 4)
		return 0;
	for (int k = 0; k < t->ndim; k++)
		if ((d[k] = t->dims[k]) < 1)
			return 0;
	return t->ndim;
}

/* Writes the window table and rowbase to DST (unless NULL), and for
 * storage_order 1 after them the table numbered column by column (read
 * only for the result: X is gathered through the first); returns their
 * size in bytes, 0 when the shape is not known before the run. *CELLS
 * and *K (unless NULL) get the table's dims. */
static uint64_t pool_idx_table(const struct art_session *s, const struct rt_node *n, void *dst,
			       int64_t *cells_out, int64_t *k_out)
{
	int64_t d[4], k[2];
	int nd = pool_static_dims(s, n, d), nsp = nd - 2;
	struct geom g;
	if (!nd || rt_attr_ints_capped(n, "kernel_shape", k, 2) != nsp ||
	    window_geom(n, nsp, d + 2, k, (int)rt_attr_i(n, "ceil_mode", 0), &g))
		return 0;
	int64_t H = nsp == 1 ? 1 : d[2], W = d[nsp + 1], K = g.k[0] * g.k[1];
	int64_t cells = d[0] * d[1] * g.out[0] * g.out[1];
	int col = rt_attr_i(n, "storage_order", 0) == 1;
	if (cells * K > (1 << 24))
		return 0;
	if (cells_out)
		*cells_out = cells;
	if (k_out)
		*k_out = K;
	if (dst) {
		int64_t *t = dst, *rb = t + cells * K, *tc = rb + cells;
		for (int64_t r = 0; r < cells; r++) {
			int64_t ow = r % g.out[1], oh = r / g.out[1] % g.out[0];
			int64_t nc = r / (g.out[0] * g.out[1]);
			int64_t *end = t + K;
			for (int64_t kh = 0; kh < g.k[0]; kh++)
				for (int64_t kw = 0; kw < g.k[1]; kw++) {
					int64_t h = oh * g.st[0] - g.pb[0] + kh * g.dil[0];
					int64_t w = ow * g.st[1] - g.pb[1] + kw * g.dil[1];
					if (h < 0 || h >= H || w < 0 || w >= W)
						continue;
					*t++ = nc * H * W + h * W + w;
					if (col)
						*tc++ = nc * H * W + w * H + h;
				}
			while (t < end) {
				*t++ = -1;
				if (col)
					*tc++ = -1;
			}
			rb[r] = r * K;
		}
	}
	return (uint64_t)(cells * K * (1 + col) + cells) * 8;
}

static uint64_t pool_idx_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	return pool_has_indices(n) ? pool_idx_table(s, n, dst, NULL, NULL) : 0;
}

static const char *pool_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	int x = c->x;
	/* 8-bit MaxPool runs in f32, which holds every 8-bit value. */
	int max8 =
		(x == ART_UINT8 || x == ART_INT8) && (d->arg & ~DEV_POOL_GLOBAL) == ARES_POOL_MAX;
	if (!dev_is_float(x) && !max8)
		return dev_float_only(c);
	if (d->arg & DEV_POOL_GLOBAL)
		return NULL;
	const Onnx__AttributeProto *k = rt_attr(n, "kernel_shape");
	if (!k || k->n_ints < 1 || k->n_ints > 3)
		return "pool kernel is not 1-D, 2-D or 3-D";
	if (max8 && k->n_ints == 3)
		return "3-D MaxPool on an 8-bit tensor";
	if (pool_has_indices(n)) {
		if (x != ART_FLOAT || k->n_ints > 2)
			return "MaxPool Indices of a non-float32 or 3-D input";
		if (rt_attr_i(n, "storage_order", 0) & ~1ll)
			return "MaxPool storage_order other than 0 or 1";
		if (pool_idx_table(c->s, n, NULL, NULL, NULL) == 0)
			return "MaxPool Indices of an input shape unknown before the run (its "
			       "window table is uploaded)";
	}
	return NULL;
}

/* Conv's output shape with the weight at input IW and output dtype ODT. */
static int conv_shapes_of(const struct dev_shape *c, int iw, int odt)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	struct dev_val *w = &dv[n->in[iw]];
	int nsp = w->ndim - 2;
	struct geom g;
	if (x->ndim != w->ndim || window_geom(n, nsp, x->dims + 2, w->dims + 2, 0, &g))
		return dev_bad(s, n, "input shape does not fit the kernel");
	int64_t grp = rt_attr_i(n, "group", 1);
	if (grp < 1 || x->dims[1] != w->dims[1] * grp || w->dims[0] % grp)
		return dev_bad(s, n, "channels do not match the weights and group");
	dims[0] = x->dims[0];
	dims[1] = w->dims[0];
	dims[2] = g.out[0];
	dims[3] = g.out[1];
	if (nsp == 1)
		dims[2] = g.out[1];
	dev_set_out(o, odt, x->ndim, dims);
	return 0;
}

static int conv_shapes(const struct dev_shape *c)
{
	return conv_shapes_of(c, 1, c->dv[c->n->in[0]].dtype);
}

static int convt_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	struct dev_val *w = &dv[n->in[1]];
	int nsp = w->ndim - 2;
	struct tgeom g;
	if (x->ndim != w->ndim || (nsp != 1 && nsp != 2) ||
	    convt_geom(n, nsp, x->dims + 2, w->dims + 2, &g))
		return dev_bad(s, n, "input shape or attributes do not fit the kernel");
	int64_t grp = rt_attr_i(n, "group", 1);
	if (grp < 1 || x->dims[1] != w->dims[0] || x->dims[1] % grp)
		return dev_bad(s, n, "channels do not match the weights and group");
	if (n->nin > 2 && n->in[2] >= 0 &&
	    (dv[n->in[2]].ndim != 1 || dv[n->in[2]].dims[0] != w->dims[1] * grp))
		return dev_bad(s, n, "bias does not match the output channels");
	dims[0] = x->dims[0];
	dims[1] = w->dims[1] * grp;
	dims[2] = nsp == 1 ? g.out[1] : g.out[0];
	dims[3] = g.out[1];
	dev_set_out(o, x->dtype, x->ndim, dims);
	return 0;
}

static int pool_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct dev_op *d = c->d;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	if (x->ndim == 5 && !(d->arg & DEV_POOL_GLOBAL)) {
		struct geom hw, gd;
		int64_t k3[3];
		if (rt_attr_ints_capped(n, "kernel_shape", k3, 3) != 3 ||
		    pool3_geom(n, x->dims + 2, k3, (int)rt_attr_i(n, "ceil_mode", 0), &hw, &gd))
			return dev_bad(s, n, "window does not fit the input");
		int64_t d5[5] = {x->dims[0], x->dims[1], gd.out[0], hw.out[0], hw.out[1]};
		dev_set_out(o, x->dtype, 5, d5);
		return 0;
	}
	if (x->ndim != 3 && x->ndim != 4)
		return dev_bad(s, n, "pooling input is not 1-D, 2-D or 3-D");
	int nsp = x->ndim - 2;
	struct geom g;
	int64_t k[2];
	if (d->arg & DEV_POOL_GLOBAL) {
		memset(&g, 0, sizeof(g));
		g.out[0] = g.out[1] = 1;
	} else {
		if (rt_attr_ints_capped(n, "kernel_shape", k, 2) != nsp ||
		    window_geom(n, nsp, x->dims + 2, k, (int)rt_attr_i(n, "ceil_mode", 0), &g))
			return dev_bad(s, n, "window does not fit the input");
	}
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	dims[2] = nsp == 1 ? g.out[1] : g.out[0];
	dims[3] = g.out[1];
	dev_set_out(o, x->dtype, x->ndim, dims);
	if (pool_has_indices(n)) {
		int64_t sd[4];
		if (pool_static_dims(s, n, sd) != x->ndim ||
		    memcmp(sd, x->dims, sizeof(int64_t) * (size_t)x->ndim))
			return dev_bad(s, n, "input shape differs from the one uploaded");
		dev_set_out(&c->dv[n->out[1]], ART_INT64, x->ndim, dims);
	}
	return 0;
}

/* Conv's CONV2D with the weight at input IW, the bias at IB (-1: none);
 * QUANT: the QOperator form's quantisation (device/quant.c). */
static int conv_emit_of(struct ectx *e, int iw, int ib, int quant)
{
	const struct rt_node *n = e->n;
	struct dev_val *dv = e->dv;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc w;
	struct ares_tensor_desc b;
	struct dev_val *wv = &dv[n->in[iw]];
	int nsp = wv->ndim - 2;
	struct geom g;
	window_geom(n, nsp, xv->dims + 2, wv->dims + 2, 0, &g);
	int64_t xd[4], wd[4], yd[4];
	for (int k = 0; k < 2; k++) {
		xd[k] = xv->dims[k];
		wd[k] = wv->dims[k];
		yd[k] = ov->dims[k];
	}
	xd[2] = nsp == 1 ? 1 : xv->dims[2];
	xd[3] = xv->dims[nsp + 1];
	wd[2] = g.k[0];
	wd[3] = g.k[1];
	yd[2] = g.out[0];
	yd[3] = g.out[1];
	dev_desc_dims(e, n->in[0], 4, xd, &x);
	dev_desc_dims(e, n->in[iw], 4, wd, &w);
	dev_desc_dims(e, n->out[0], 4, yd, &y);
	int hasb = ib >= 0 && n->nin > ib && n->in[ib] >= 0, rc;
	if (hasb)
		dev_desc(e, n->in[ib], &b);
	if (quant && (rc = dev_quant_desc(e, &x, &w, &y, 0)))
		return rc;
	struct ares_conv2d_params p = {
		.stride_h = (uint32_t)g.st[0],
		.stride_w = (uint32_t)g.st[1],
		.pad_top = (uint32_t)g.pb[0],
		.pad_left = (uint32_t)g.pb[1],
		.pad_bottom = (uint32_t)g.pe[0],
		.pad_right = (uint32_t)g.pe[1],
		.dilation_h = (uint32_t)g.dil[0],
		.dilation_w = (uint32_t)g.dil[1],
		.groups = (uint32_t)rt_attr_i(n, "group", 1),
		.activation = (uint32_t)n->act,
		.act_alpha = F32_BITS(n->act_alpha),
		.act_beta = F32_BITS(n->act_beta),
	};
	return dev_done(e, accel_cmdbuf_conv2d(cb, &p, &x, &w, hasb ? &b : NULL, &y));
}

static int conv_emit(struct ectx *e)
{
	return conv_emit_of(e, 1, 2, 0);
}

static int convt_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	return emit_convt(e, n);
}

/* One POOL of OP with window G from X into Y ([N, C, H, W] views). */
static int pool2(struct ectx *e, int op, const struct geom *g, const struct ares_tensor_desc *x,
		 const struct ares_tensor_desc *y)
{
	struct ares_pool_params p = {.op = (uint32_t)op,
				     .kernel_h = (uint32_t)g->k[0],
				     .kernel_w = (uint32_t)g->k[1],
				     .stride_h = (uint32_t)g->st[0],
				     .stride_w = (uint32_t)g->st[1],
				     .pad_top = (uint32_t)g->pb[0],
				     .pad_left = (uint32_t)g->pb[1],
				     .pad_bottom = (uint32_t)g->pe[0],
				     .pad_right = (uint32_t)g->pe[1],
				     .dilation_h = (uint32_t)g->dil[0],
				     .dilation_w = (uint32_t)g->dil[1]};
	return dev_done(e, accel_cmdbuf_pool(e->cb, &p, x, y));
}

/* The 3-D pool's (H, W) result [N, C * D, H', W'], in elements. */
static uint64_t pool3_cells(const struct rt_node *n, const struct dev_val *x)
{
	struct geom hw, gd;
	int64_t k3[3];
	if (x->ndim != 5 || rt_attr_ints_capped(n, "kernel_shape", k3, 3) != 3 ||
	    pool3_geom(n, x->dims + 2, k3, (int)rt_attr_i(n, "ceil_mode", 0), &hw, &gd))
		return 0;
	return (uint64_t)(x->dims[0] * x->dims[1] * x->dims[2] * hw.out[0] * hw.out[1]);
}

/* The geometry of a 1-D or 2-D pool of X as POOL's [N, C, H, W]. */
static void pool2_geom(const struct rt_node *n, int global, const struct dev_val *x, struct geom *g)
{
	int nsp = x->ndim - 2;
	if (global) {
		memset(g, 0, sizeof(*g));
		g->k[0] = nsp == 1 ? 1 : x->dims[2];
		g->k[1] = x->dims[nsp + 1];
		g->st[0] = g->st[1] = g->dil[0] = g->dil[1] = 1;
		g->out[0] = g->out[1] = 1;
	} else {
		int64_t k[2];
		rt_attr_ints_capped(n, "kernel_shape", k, 2);
		window_geom(n, nsp, x->dims + 2, k, (int)rt_attr_i(n, "ceil_mode", 0), g);
	}
}

/* An 8-bit pool's f32 copies of its input and output, in floats. */
static uint64_t pool8_cells(const struct rt_node *n, int global, const struct dev_val *x,
			    uint64_t *y_at)
{
	struct geom g;
	if (x->ndim != 3 && x->ndim != 4)
		return 0;
	pool2_geom(n, global, x, &g);
	uint64_t nc = (uint64_t)(x->dims[0] * x->dims[1]);
	*y_at = (nc * (uint64_t)dev_prod(x->dims, 2, x->ndim) + 15) / 16 * 16;
	return *y_at + nc * (uint64_t)(g.out[0] * g.out[1]);
}

/* The Indices' scratch in floats: X with -inf appended, the gathered
 * windows, the ARGMAX positions and the table positions (I64), each at a
 * 64-byte boundary; AT gets their offsets. */
static uint64_t pool_idx_scratch(const struct art_session *s, const struct rt_node *n,
				 const struct dev_val *x, uint64_t *at)
{
	int64_t cells, K;
	uint64_t own[4], off = 0, len = (uint64_t)dev_prod(x->dims, 0, x->ndim);
	if (!pool_idx_table(s, n, NULL, &cells, &K))
		return 0;
	uint64_t sz[4] = {len + 1, (uint64_t)(cells * K), 2 * (uint64_t)cells, 2 * (uint64_t)cells};
	at = at ? at : own;
	for (int i = 0; i < 4; i++) {
		at[i] = off;
		off += (sz[i] + 15) / 16 * 16;
	}
	return off;
}

static int pool_idx_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	uint64_t at[4], sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	pool_idx_scratch(s, n, xv, at);
	uint64_t cva = e->weights_va + s->dev->nwofs[n - s->nodes];
	int64_t K, cells, len = dev_prod(xv->dims, 0, xv->ndim);
	pool_idx_table(s, n, NULL, &cells, &K);
	int64_t ck = cells * K;
	int64_t tk[2] = {cells, K}, c1[2] = {cells, 1};
	struct ares_tensor_desc flat, xp, ninf, t, v, am, rb, pos, tf, y;
	dev_desc_dims(e, n->in[0], 1, &len, &flat);
	xp = flat;
	xp.va = sva;
	ninf = flat;
	ninf.va = sva + 4 * (uint64_t)len;
	ninf.shape[0] = 1;
	dev_desc_dims(e, n->out[1], 2, tk, &t);
	t.va = cva;
	v = t;
	v.dtype = ARES_DTYPE_F32;
	v.va = sva + 4 * at[1];
	dev_desc_dims(e, n->out[1], 2, c1, &am);
	am.va = sva + 4 * at[2];
	rb = am;
	rb.va = cva + 8 * (uint64_t)ck;
	pos = am;
	pos.va = sva + 4 * at[3];
	dev_desc_dims(e, n->out[1], 1, &ck, &tf);
	/* storage_order 1: the column-major table, after rowbase. */
	tf.va = rt_attr_i(n, "storage_order", 0) ? cva + 8 * (uint64_t)(ck + cells) : cva;
	dev_desc_dims(e, n->out[1], 2, c1, &y);
	xp.shape[0] = (uint64_t)(len + 1);
	struct ares_tensor_desc xdst = flat;
	xdst.va = sva;
	struct ares_reduce_params rp = {.op = ARES_REDUCE_ARGMAX, .axes = 2};
	struct ares_eltwise_params add = {.op = ARES_ELT_ADD};
	const struct ares_tensor_desc *in[3] = {&am, &rb, NULL};
	int rc = dev_done(e, accel_cmdbuf_copy(e->cb, &flat, &xdst));
	if (rc ||
	    (rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, dev_float_bits(-INFINITY), &ninf))) ||
	    (rc = dev_done(e, accel_cmdbuf_gather(e->cb, 0, &xp, &t, &v))) ||
	    (rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rp, &v, &am))) ||
	    (rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &add, 2, in, &pos))))
		return rc;
	return dev_done(e, accel_cmdbuf_gather(e->cb, 0, &tf, &pos, &y));
}

static uint64_t pool_scratch(const struct dev_shape *c)
{
	const struct dev_val *x = &c->dv[c->n->in[0]];
	int global = c->d->arg & DEV_POOL_GLOBAL;
	uint64_t y_at;
	if (x->dtype == ART_UINT8 || x->dtype == ART_INT8)
		return pool8_cells(c->n, global, x, &y_at);
	if (pool_has_indices(c->n))
		return pool_idx_scratch(c->s, c->n, x, NULL);
	if (global)
		return 0;
	/* In floats: the widest pooled dtype is f32. */
	return pool3_cells(c->n, x);
}

/* 8-bit MaxPool: COPY into f32, POOL, COPY back (exact: the maxima are
 * inputs). */
static int pool8_emit(struct ectx *e, const struct geom *g, const struct ares_tensor_desc *x,
		      const struct ares_tensor_desc *y)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *sc = &e->dv[s->nvals + (n - s->nodes)];
	uint64_t y_at;
	pool8_cells(n, e->d->arg & DEV_POOL_GLOBAL, &e->dv[n->in[0]], &y_at);
	struct ares_tensor_desc xf = *x, yf = *y;
	xf.dtype = yf.dtype = ARES_DTYPE_F32;
	xf.va = e->arena_va + sc->off;
	yf.va = xf.va + 4 * y_at;
	struct ares_eltwise_params cp = {.op = ARES_ELT_COPY};
	const struct ares_tensor_desc *in[3] = {x, NULL, NULL}, *back[3] = {&yf, NULL, NULL};
	int rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &cp, 1, in, &xf));
	if (rc || (rc = pool2(e, ARES_POOL_MAX, g, &xf, &yf)))
		return rc;
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &cp, 1, back, y));
}

static int pool3_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]], *ov = &e->dv[n->out[0]];
	const struct dev_val *sc = &e->dv[s->nvals + (n - s->nodes)];
	struct geom hw, gd;
	int64_t k3[3];
	rt_attr_ints_capped(n, "kernel_shape", k3, 3);
	pool3_geom(n, xv->dims + 2, k3, (int)rt_attr_i(n, "ceil_mode", 0), &hw, &gd);
	int op = e->d->arg;
	if (op == ARES_POOL_AVG && rt_attr_i(n, "count_include_pad", 0))
		op = ARES_POOL_AVG_PAD;
	int64_t N = xv->dims[0], C = xv->dims[1], D = xv->dims[2];
	int64_t xd[4] = {N, C * D, xv->dims[3], xv->dims[4]};
	int64_t td[4] = {N, C * D, hw.out[0], hw.out[1]};
	int64_t t2[4] = {N, C, D, hw.out[0] * hw.out[1]};
	int64_t yd[4] = {N, C, ov->dims[2], hw.out[0] * hw.out[1]};
	struct ares_tensor_desc x, t, tv, y;
	dev_desc_dims(e, n->in[0], 4, xd, &x);
	dev_desc_dims(e, n->in[0], 4, td, &t);
	dev_desc_dims(e, n->in[0], 4, t2, &tv);
	t.va = tv.va = e->arena_va + sc->off;
	dev_desc_dims(e, n->out[0], 4, yd, &y);
	int rc = pool2(e, op, &hw, &x, &t);
	return rc ? rc : pool2(e, op, &gd, &tv, &y);
}

static int pool_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	const struct dev_op *d = e->d;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	int nsp = xv->ndim - 2;
	struct geom g;
	if (nsp == 3 && !(d->arg & DEV_POOL_GLOBAL))
		return pool3_emit(e);
	int64_t xd[4] = {xv->dims[0], xv->dims[1], nsp == 1 ? 1 : xv->dims[2], xv->dims[nsp + 1]};
	int64_t yd[4] = {ov->dims[0], ov->dims[1], nsp == 1 ? 1 : ov->dims[2], ov->dims[nsp + 1]};
	int op = d->arg & ~DEV_POOL_GLOBAL;
	pool2_geom(n, d->arg & DEV_POOL_GLOBAL, xv, &g);
	if (op == ARES_POOL_AVG && !(d->arg & DEV_POOL_GLOBAL) &&
	    rt_attr_i(n, "count_include_pad", 0))
		op = ARES_POOL_AVG_PAD;
	dev_desc_dims(e, n->in[0], 4, xd, &x);
	dev_desc_dims(e, n->out[0], 4, yd, &y);
	if (xv->dtype == ART_UINT8 || xv->dtype == ART_INT8)
		return pool8_emit(e, &g, &x, &y);
	int rc = pool2(e, op, &g, &x, &y);
	return rc || !pool_has_indices(n) ? rc : pool_idx_emit(e);
}

static const struct dev_form dev_form_conv = {
	.check = conv_check,
	.shapes = conv_shapes,
	.emit = conv_emit,
	.operands = 7u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_convt = {
	.check = convt_check,
	.shapes = convt_shapes,
	.emit = convt_emit,
	.operands = 7u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_pool = {
	.check = pool_check,
	.shapes = pool_shapes,
	.emit = pool_emit,
	.operands = 1u,
	.fuses_act = 0,
	.scratch = pool_scratch,
	.outputs = 2u,
	.consts = pool_idx_consts,
};

/* QLinearConv and ConvInteger: CONV2D on 8-bit operands (device/quant.c). */
static const char *qconv_check(const struct dev_check *c)
{
	const char *why = dev_quant_check(c);
	if (why)
		return why;
	int wr = value_rank(c->s, c->n->in[dev_quant_weight_input(c->n)]);
	if (wr >= 0 && wr != 3 && wr != 4) {
		snprintf(c->buf, c->len, "%s with weight rank %d (the device has 1-D and 2-D)",
			 c->op, wr);
		return c->buf;
	}
	return NULL;
}

static int qconv_shapes(const struct dev_shape *c)
{
	int rc = dev_quant_plan_check(c);
	if (rc)
		return rc;
	return conv_shapes_of(c, dev_quant_weight_input(c->n), dev_quant_out_dtype(c->s, c->n));
}

static int qconv_emit(struct ectx *e)
{
	return conv_emit_of(e, dev_quant_weight_input(e->n), dev_quant_bias_input(e->n), 1);
}

/* Operands: QLinearConv's x, w and bias; ConvInteger's x and w. */
static const struct dev_form dev_form_qlinear_conv = {
	.check = qconv_check,
	.shapes = qconv_shapes,
	.emit = qconv_emit,
	.operands = 0x109u,
	/* Only a fused QDQ pattern (device/qdq.c) brings one. */
	.fuses_act = 1,
};

static const struct dev_form dev_form_conv_integer = {
	.check = qconv_check,
	.shapes = qconv_shapes,
	.emit = qconv_emit,
	.operands = 3u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op conv_ops[] = {
	{"AveragePool", DK_POOL, ARES_POOL_AVG, &dev_form_pool},
	{"Conv", DK_CONV, 0, &dev_form_conv},
	{"ConvInteger", DK_QCONV, 0, &dev_form_conv_integer},
	{"ConvTranspose", DK_CONVT, 0, &dev_form_convt},
	{"GlobalAveragePool", DK_POOL, ARES_POOL_AVG | DEV_POOL_GLOBAL, &dev_form_pool},
	{"GlobalMaxPool", DK_POOL, ARES_POOL_MAX | DEV_POOL_GLOBAL, &dev_form_pool},
	{"MaxPool", DK_POOL, ARES_POOL_MAX, &dev_form_pool},
	{"QLinearConv", DK_QCONV, 0, &dev_form_qlinear_conv},
};

const struct dev_op_family dev_ops_conv = DEV_OP_FAMILY(conv_ops);
