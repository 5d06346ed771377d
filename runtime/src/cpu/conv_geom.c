// SPDX-License-Identifier: MIT
/* Window geometry of Conv, ConvTranspose and the pools, shared by the
 * plain loops (kernels_conv.c, kernels_qconv.c) and oneDNN (dnnl_conv.c). */
#include <errno.h>

#include "cpu/kernels.h"

#define SP RT_SP /* spatial slots */

/* Window geometry of Conv and the pools: strides, dilations, pads or
 * auto_pad, and the output size (rounded up with CEIL, dropping a last
 * window that would start in the end padding). K holds NSP kernel dims. */
int rt_win_geom(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		const int64_t *k, int ceil_mode, struct rt_win *w)
{
	const char *op = n->proto->op_type;
	int nsp = x->ndim - 2, off;
	int64_t v[2 * SP];
	NEED(nsp >= 1 && nsp <= SP, "node '%s' (%s): input rank %d (1 to 3 spatial dims)", n->name,
	     op, x->ndim);
	off = SP - nsp;
	w->nsp = nsp;
	for (int i = 0; i < SP; i++) {
		w->in[i] = w->k[i] = w->st[i] = w->dil[i] = w->out[i] = 1;
		w->pb[i] = w->pe[i] = 0;
	}
	for (int i = 0; i < nsp; i++) {
		w->in[off + i] = x->dims[2 + i];
		w->k[off + i] = k[i];
	}
	int c = rt_attr_ints(n, "strides", v, SP);
	NEED(c < 0 || c == nsp, "node '%s' (%s): %d strides for %d spatial dims", n->name, op, c,
	     nsp);
	for (int i = 0; i < c; i++)
		w->st[off + i] = v[i];
	c = rt_attr_ints(n, "dilations", v, SP);
	NEED(c < 0 || c == nsp, "node '%s' (%s): %d dilations for %d spatial dims", n->name, op, c,
	     nsp);
	for (int i = 0; i < c; i++)
		w->dil[off + i] = v[i];
	int upper = rt_attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int lower = rt_attr_is(n, "auto_pad", "SAME_LOWER", 0);
	int valid = rt_attr_is(n, "auto_pad", "VALID", 0);
	NEED(upper || lower || valid || rt_attr_is(n, "auto_pad", "NOTSET", 1),
	     "node '%s' (%s): unknown auto_pad", n->name, op);
	c = rt_attr_ints(n, "pads", v, 2 * SP);
	NEED(c < 0 || c == 2 * nsp, "node '%s' (%s): %d pads for %d spatial dims", n->name, op, c,
	     nsp);
	if (!upper && !lower && !valid)
		for (int i = 0; i < c / 2; i++) {
			w->pb[off + i] = v[i];
			w->pe[off + i] = v[nsp + i];
		}
	for (int i = off; i < SP; i++) {
		NEED(w->st[i] >= 1 && w->dil[i] >= 1 && w->k[i] >= 1 && w->pb[i] >= 0 &&
			     w->pe[i] >= 0,
		     "node '%s' (%s): strides, dilations and kernel must be positive, pads not "
		     "negative",
		     n->name, op);
		int64_t sp = rt_win_span(w, i), in = w->in[i];
		if (upper || lower) {
			int64_t o = (in + w->st[i] - 1) / w->st[i];
			int64_t total = (o - 1) * w->st[i] + sp - in;
			total = total < 0 ? 0 : total;
			w->pb[i] = upper ? total / 2 : total - total / 2;
			w->pe[i] = total - w->pb[i];
			w->out[i] = o;
		} else if (valid) {
			w->out[i] = in >= sp ? (in - sp) / w->st[i] + 1 : 0;
		} else {
			int64_t room = in + w->pb[i] + w->pe[i] - sp;
			NEED(room >= 0, "node '%s' (%s): kernel larger than the padded input",
			     n->name, op);
			int64_t o = (ceil_mode ? room + w->st[i] - 1 : room) / w->st[i] + 1;
			if (ceil_mode && (o - 1) * w->st[i] >= in + w->pb[i])
				o--;
			w->out[i] = o;
		}
		NEED(w->out[i] >= 1, "node '%s' (%s): empty output", n->name, op);
	}
	return 0;
}

/* ConvTranspose's window: strides, dilations, output_padding, and the pads,
 * given or derived from output_shape / auto_pad, with the output size; the
 * output channels into *M. X, W and B's types are the caller's check. */
int rt_convt_geom(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		  const struct art_tensor *wt, struct rt_win *w_out, int64_t *m_out)
{
	int nsp = x->ndim - 2, off = SP - nsp;
	NEED(nsp >= 1 && nsp <= SP && wt->ndim == x->ndim,
	     "node '%s' (ConvTranspose): X rank %d and W rank %d (1 to 3 spatial dims)", n->name,
	     x->ndim, wt->ndim);
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1];
	NEED(g >= 1 && C % g == 0 && wt->dims[0] == C,
	     "node '%s' (ConvTranspose): %lld channels, %lld groups and W [%lld, ...] disagree",
	     n->name, (long long)C, (long long)g, (long long)wt->dims[0]);
	*m_out = wt->dims[1] * g;
	struct rt_win w;
	for (int i = 0; i < SP; i++) {
		w.in[i] = w.k[i] = w.st[i] = w.dil[i] = w.out[i] = 1;
		w.pb[i] = w.pe[i] = 0;
	}
	w.nsp = nsp;
	int64_t v[2 * SP], opad[SP] = {0, 0, 0}, oshape[SP];
	int c;
	for (int i = 0; i < nsp; i++) {
		w.in[off + i] = x->dims[2 + i];
		w.k[off + i] = wt->dims[2 + i];
	}
	struct {
		const char *name;
		int64_t *dst;
		int mult;
	} lists[] = {{"strides", w.st, 1}, {"dilations", w.dil, 1}, {"output_padding", opad, 1}};
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		c = rt_attr_ints(n, lists[l].name, v, SP);
		NEED(c < 0 || c == nsp, "node '%s' (ConvTranspose): %s has %d values for %d dims",
		     n->name, lists[l].name, c, nsp);
		for (int i = 0; i < c; i++)
			lists[l].dst[off + i] = v[i];
	}
	int upper = rt_attr_is(n, "auto_pad", "SAME_UPPER", 0);
	int lower = rt_attr_is(n, "auto_pad", "SAME_LOWER", 0);
	c = rt_attr_ints(n, "pads", v, 2 * SP);
	NEED(c < 0 || c == 2 * nsp, "node '%s' (ConvTranspose): %d pads for %d dims", n->name, c,
	     nsp);
	for (int i = 0; i < c / 2; i++) {
		w.pb[off + i] = v[i];
		w.pe[off + i] = v[nsp + i];
	}
	int osc = rt_attr_ints(n, "output_shape", v, ART_MAX_DIMS);
	NEED(osc < 0 || osc == nsp || osc == nsp + 2,
	     "node '%s' (ConvTranspose): output_shape has %d values", n->name, osc);
	for (int i = 0; i < nsp; i++)
		oshape[i] = osc < 0 ? -1 : v[osc - nsp + i];
	for (int i = 0; i < nsp; i++) {
		int j = off + i;
		NEED(w.st[j] >= 1 && w.dil[j] >= 1,
		     "node '%s' (ConvTranspose): bad strides/dilations", n->name);
		int64_t full = w.st[j] * (w.in[j] - 1) + opad[j] + rt_win_span(&w, j);
		int64_t want = oshape[i];
		if (want < 0 && (upper || lower))
			want = w.in[j] * w.st[j];
		if (want >= 0) {
			int64_t total = full - want;
			total = total < 0 ? 0 : total;
			w.pb[j] = upper ? total / 2 : total - total / 2;
			w.pe[j] = total - w.pb[j];
			w.out[j] = want;
		} else {
			w.out[j] = full - w.pb[j] - w.pe[j];
		}
		NEED(w.out[j] >= 1, "node '%s' (ConvTranspose): empty output", n->name);
	}
	*w_out = w;
	return 0;
}
