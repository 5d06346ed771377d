// SPDX-License-Identifier: MIT
/*
 * MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool of f32 on
 * oneDNN's pooling (v2, with dilations), 1 to 3 spatial dims, in the
 * runtime's plain NCHW: oneDNN's JIT pooling takes it directly, so no
 * reorder stands around it; an input held in a conv's layout
 * (cpu/layout.c) is pooled in that layout. The window is the reference kernel's own
 * (rt_win_geom()), so both paths agree on every output size and refuse
 * the same nodes; a global pool is a window the size of the input.
 *
 * Declined, for the loops: MaxPool's Indices output, and
 * count_include_pad with ceil_mode's extra right pad (ONNX counts the
 * given padding only, oneDNN would count the extra too).
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static int pool_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	const char *op = n->proto->op_type;
	int global = !strncmp(op, "Global", 6),
	    max = !strcmp(op, "MaxPool") || !strcmp(op, "GlobalMaxPool");
	if (!x || x->dtype != ART_FLOAT || x->ndim < 3 || x->ndim > 5 || art_tensor_elems(x) == 0 ||
	    (n->nout > 1 && n->out[1] >= 0))
		return RT_CPU_DECLINED;
	struct rt_win w;
	int incl = 0;
	if (global) {
		memset(&w, 0, sizeof(w));
		w.nsp = x->ndim - 2;
		for (int j = 0; j < RT_SP; j++)
			w.k[j] = w.in[j] = w.st[j] = w.dil[j] = w.out[j] = 1;
		for (int i = 0; i < w.nsp; i++) {
			int j = RT_SP - w.nsp + i;
			w.k[j] = w.in[j] = x->dims[2 + i];
		}
	} else {
		int64_t ks[RT_SP];
		if (rt_attr_ints(n, "kernel_shape", ks, RT_SP) != x->ndim - 2 ||
		    rt_win_geom(s, n, x, ks, (int)rt_attr_i(n, "ceil_mode", 0), &w))
			return RT_CPU_DECLINED;
		incl = (int)rt_attr_i(n, "count_include_pad", 0);
	}
	dnnl_dims_t st, k, dil, pl, pr;
	int64_t od[ART_MAX_DIMS] = {x->dims[0], x->dims[1]};
	for (int i = 0; i < w.nsp; i++) {
		int j = RT_SP - w.nsp + i;
		st[i] = w.st[j];
		k[i] = w.k[j];
		dil[i] = w.dil[j] - 1;
		pl[i] = w.pb[j];
		/* The right pad that gives our output size (ceil_mode's
		 * windows past the given padding included). */
		pr[i] = (w.out[j] - 1) * w.st[j] + rt_win_span(&w, j) - w.in[j] - w.pb[j];
		if (pr[i] < 0 || (incl && pr[i] > w.pe[j]))
			return RT_CPU_DECLINED;
		od[2 + i] = w.out[j];
	}
	/* A value held in a conv's blocked layout is read there, and the
	 * result is left in the layout oneDNN pairs with it. */
	const dnnl_memory_desc_t *held = rt_layout_held_md(s, n->in[0]);
	dnnl_memory_desc_t src, dst, src_p, dst_p;
	rt_md_plain(&src, x->ndim, x->dims);
	rt_md_plain(&dst, x->ndim, od);
	src_p = held ? *held : src;
	dst_p = dst;
	if (held)
		dnnl_memory_desc_init_by_tag(&dst_p, x->ndim, dst.dims, dnnl_f32,
					     dnnl_format_tag_any);
	dnnl_alg_kind_t alg = max    ? dnnl_pooling_max
			      : incl ? dnnl_pooling_avg_include_padding
				     : dnnl_pooling_avg_exclude_padding;
	dnnl_pooling_v2_desc_t pd_desc;
	if (dnnl_pooling_v2_forward_desc_init(&pd_desc, dnnl_forward_inference, alg, &src_p, &dst_p,
					      st, k, dil, pl, pr) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &pd_desc, NULL, &pd);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, &src,
			     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &dst,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	/* Inference pooling needs no workspace; a scratchpad is oneDNN's own
	 * (the default scratchpad mode). */
	dnnl_primitive_desc_destroy(pd);
	m->out_ndim = x->ndim;
	memcpy(m->out_dims, od, sizeof(int64_t) * (size_t)x->ndim);
	return rc;
}

int rt_dnnl_pool(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, pool_build);
}
