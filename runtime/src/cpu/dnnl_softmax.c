// SPDX-License-Identifier: MIT
/*
 * Softmax and LogSoftmax of f32 on oneDNN's softmax (v2), in place of the
 * runtime's plain layout: the input seen as [outer, len, inner] (opset
 * 13: LEN is the axis; before 13 every dim from the axis on, inner 1),
 * normalised along LEN, the reference loop's own split. oneDNN sums in f32
 * where the loops sum in double.
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static int softmax_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	if (!x || x->dtype != ART_FLOAT || x->ndim < 1 || art_tensor_elems(x) == 0)
		return RT_CPU_DECLINED;
	int new_style = s->opset >= 13;
	int64_t axis = rt_attr_i(n, "axis", new_style ? -1 : 1);
	if (axis < 0)
		axis += x->ndim;
	if (axis < 0 || axis >= x->ndim)
		return RT_CPU_DECLINED;
	int64_t d[3] = {1, 1, 1};
	for (int i = 0; i < x->ndim; i++)
		d[i < axis ? 0 : i == axis || !new_style ? 1 : 2] *= x->dims[i];
	dnnl_memory_desc_t md;
	rt_md_plain(&md, d[2] == 1 ? 2 : 3, d);
	dnnl_alg_kind_t alg =
		strcmp(n->proto->op_type, "LogSoftmax") ? dnnl_softmax_accurate : dnnl_softmax_log;
	dnnl_softmax_v2_desc_t sd;
	if (dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_inference, alg, &md, &md, 1) !=
	    dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &sd, NULL, &pd);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, &md,
			     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &md,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	dnnl_primitive_desc_destroy(pd);
	m->out_ndim = x->ndim;
	memcpy(m->out_dims, x->dims, sizeof(int64_t) * (size_t)x->ndim);
	return rc;
}

int rt_dnnl_softmax(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, softmax_build);
}
