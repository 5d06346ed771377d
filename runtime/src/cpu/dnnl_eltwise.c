// SPDX-License-Identifier: MIT
/*
 * Activations outside a conv's post-ops (Relu, LeakyRelu, Sigmoid, Elu,
 * HardSwish, Exp, Abs, and melspectrogram's Log, of f32) on oneDNN's
 * eltwise primitive; not Tanh, whose AVX2 kernel crashes under QEMU's TCG
 * (rt_post_act() in dnnl.c). An input held in a conv's blocked layout
 * (cpu/layout.c) is read in it and the result left there, so conv ->
 * Sigmoid -> Mul (rec's swish) stays blocked. oneDNN's exp, log and
 * logistic are f32 polynomials; the loops compute in double and round
 * once.
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static const struct {
	const char *op;
	dnnl_alg_kind_t alg;
	float alpha; /* the default of the op's "alpha" attribute, when it has one */
	int has_alpha;
} algs[] = {
	{"Relu", dnnl_eltwise_relu, 0.0f, 0},
	{"LeakyRelu", dnnl_eltwise_relu, 0.01f, 1},
	{"Sigmoid", dnnl_eltwise_logistic, 0, 0},
	{"Elu", dnnl_eltwise_elu, 1.0f, 1},
	{"HardSwish", dnnl_eltwise_hardswish, 0, 0},
	{"Exp", dnnl_eltwise_exp, 0, 0},
	{"Abs", dnnl_eltwise_abs, 0, 0},
	{"Log", dnnl_eltwise_log, 0, 0},
};

static int eltwise_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	if (!x || x->dtype != ART_FLOAT || x->ndim < 1 || art_tensor_elems(x) == 0)
		return RT_CPU_DECLINED;
	size_t k = 0;
	while (k < sizeof(algs) / sizeof(algs[0]) && strcmp(algs[k].op, n->proto->op_type))
		k++;
	if (k == sizeof(algs) / sizeof(algs[0]))
		return RT_CPU_DECLINED;
	float alpha = algs[k].has_alpha ? rt_attr_f(n, "alpha", algs[k].alpha) : algs[k].alpha;
	dnnl_memory_desc_t plain, data;
	rt_md_plain(&plain, x->ndim, x->dims);
	data = plain;
	const dnnl_memory_desc_t *held = rt_layout_held_md(s, n->in[0]);
	if (held && held->ndims == x->ndim)
		data = *held;
	dnnl_eltwise_desc_t ed;
	if (dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, algs[k].alg, &data, alpha,
					   0.0f) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &ed, NULL, &pd);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, &plain,
			     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &plain,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	dnnl_primitive_desc_destroy(pd);
	m->out_ndim = x->ndim;
	memcpy(m->out_dims, x->dims, sizeof(int64_t) * (size_t)x->ndim);
	return rc;
}

int rt_dnnl_eltwise(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, eltwise_build);
}
