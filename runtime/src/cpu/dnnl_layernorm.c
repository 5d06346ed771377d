// SPDX-License-Identifier: MIT
/*
 * LayerNormalization of f32 on oneDNN's layer_normalization: the input
 * seen as [outer, len] (len: the dims from the axis on, the reference
 * loop's own split), a Scale and an optional B of len elements each. Only
 * Y: a node that asks for Mean or InvStdDev, or whose Scale or B is a
 * broadcast of fewer elements, stays on the loops. oneDNN sums in f32
 * where the loops sum in double.
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static int layernorm_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	if (!x || !sc || x->dtype != ART_FLOAT || sc->dtype != ART_FLOAT ||
	    (b && b->dtype != ART_FLOAT) || x->ndim < 1 || art_tensor_elems(x) == 0)
		return RT_CPU_DECLINED;
	for (int i = 1; i < n->nout; i++)
		if (n->out[i] >= 0)
			return RT_CPU_DECLINED;
	int axis = rt_axis(rt_attr_i(n, "axis", -1), x->ndim);
	if (axis < 0)
		return RT_CPU_DECLINED;
	int64_t d[2] = {1, 1};
	for (int i = 0; i < x->ndim; i++)
		d[i >= axis] *= x->dims[i];
	/* Scale and B as many elements as the normalised dims, in their
	 * order: any leading dims of theirs are 1s. */
	for (const struct art_tensor *p = sc; p; p = p == sc ? b : NULL) {
		if (art_tensor_elems(p) != d[1] || p->ndim > x->ndim - axis)
			return RT_CPU_DECLINED;
		for (int i = 0; i < p->ndim; i++)
			if (p->dims[i] != x->dims[x->ndim - p->ndim + i])
				return RT_CPU_DECLINED;
	}
	dnnl_memory_desc_t data, stat, param;
	rt_md_plain(&data, 2, d);
	rt_md_plain(&stat, 1, d);
	rt_md_plain(&param, 1, d + 1);
	unsigned flags = dnnl_use_scale | (b ? dnnl_use_shift : 0);
	dnnl_layer_normalization_desc_t ld;
	if (dnnl_layer_normalization_forward_desc_init(&ld, dnnl_forward_inference, &data, &stat,
						       rt_attr_f(n, "epsilon", 1e-5f),
						       flags) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &ld, NULL, &pd);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, &data,
			     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SCALE, 1, &param, &param);
	if (!rc && b)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SHIFT, 2, &param, &param);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &data,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	dnnl_primitive_desc_destroy(pd);
	m->out_ndim = x->ndim;
	memcpy(m->out_dims, x->dims, sizeof(int64_t) * (size_t)x->ndim);
	return rc;
}

int rt_dnnl_layernorm(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, layernorm_build);
}
