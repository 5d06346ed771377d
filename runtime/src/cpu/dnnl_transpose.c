// SPDX-License-Identifier: MIT
/*
 * Transpose of f32 on oneDNN's reorder: the input seen through strides as
 * a tensor of the output's shape (output dim i walks input dim perm[i]),
 * copied into the plain output. A copy, so bit for bit the loop's result;
 * the loop (kernels_tensor.c) walks one element at a time, which was a
 * quarter of melspectrogram's run.
 */
#include <errno.h>
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static int transpose_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	const Onnx__AttributeProto *pa = rt_attr(n, "perm");
	int nd = x ? x->ndim : 0;
	if (!x || x->dtype != ART_FLOAT || nd < 1 || art_tensor_elems(x) == 0 ||
	    (pa && (int)pa->n_ints != nd))
		return RT_CPU_DECLINED;
	int64_t in_stride[ART_MAX_DIMS], step = 1;
	for (int i = nd - 1; i >= 0; i--) {
		in_stride[i] = step;
		step *= x->dims[i];
	}
	dnnl_dims_t od, st;
	int seen = 0;
	for (int i = 0; i < nd; i++) {
		int64_t p = pa ? pa->ints[i] : nd - 1 - i;
		if (p < 0 || p >= nd || (seen & (1 << p)))
			return RT_CPU_DECLINED; /* the loop names the fault */
		seen |= 1 << p;
		od[i] = x->dims[p];
		st[i] = in_stride[p];
		m->out_dims[i] = od[i];
	}
	m->out_ndim = nd;
	dnnl_memory_desc_t from, to;
	dnnl_memory_desc_init_by_strides(&from, nd, od, dnnl_f32, st);
	rt_md_plain(&to, nd, m->out_dims);
	dnnl_primitive_desc_t pd;
	dnnl_status_t ds = dnnl_reorder_primitive_desc_create(&pd, &from, s->cpu->engine, &to,
							      s->cpu->engine, NULL);
	if (ds != dnnl_success)
		return ds == dnnl_out_of_memory ? -ENOMEM : RT_CPU_DECLINED;
	ds = dnnl_primitive_create(&m->prim, pd);
	dnnl_primitive_desc_destroy(pd);
	if (ds != dnnl_success) {
		m->prim = NULL;
		return ds == dnnl_out_of_memory ? -ENOMEM : RT_CPU_DECLINED;
	}
	int rc = rt_memo_arg_add(s, n, m, DNNL_ARG_FROM, 0, &from, &from);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_TO, -1, &to, &to);
	return rc;
}

int rt_dnnl_transpose(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, transpose_build);
}
