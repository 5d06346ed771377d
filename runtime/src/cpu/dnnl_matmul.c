// SPDX-License-Identifier: MIT
/*
 * MatMul and Gemm on oneDNN's matmul: MatMul with 1-D operands and
 * broadcast batch dims, the bias graph fusion gave it (in[2], broadcast
 * onto the product) and its fused activation; Gemm with transA/transB as
 * strides, alpha as an output scale, C as the bias when beta is 1. Sums
 * are f32, as ONNX Runtime's (the reference loops sum in double).
 * Constant B (weights) is reordered once into the layout oneDNN prefers.
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

/* DIMS (rank ND) as rank TO, with leading 1s. */
static void pad_rank(const int64_t *dims, int nd, int to, int64_t *out)
{
	for (int i = 0; i < to; i++)
		out[i] = i < to - nd ? 1 : dims[i - (to - nd)];
}

/* N's activation as post-ops and ALPHA as the output scale, in *ATTR. */
static int make_attr(const struct rt_node *n, float alpha, dnnl_primitive_attr_t *attr)
{
	dnnl_post_ops_t po = NULL;
	int rc = dnnl_primitive_attr_create(attr) == dnnl_success ? 0 : RT_CPU_DECLINED;
	if (!rc && alpha != 1.0f &&
	    dnnl_primitive_attr_set_output_scales(*attr, 1, 0, &alpha) != dnnl_success)
		rc = RT_CPU_DECLINED;
	if (!rc && n->act) {
		rc = dnnl_post_ops_create(&po) == dnnl_success ? rt_post_act(n, po)
							       : RT_CPU_DECLINED;
		if (!rc && dnnl_primitive_attr_set_post_ops(*attr, po) != dnnl_success)
			rc = RT_CPU_DECLINED;
		if (po)
			dnnl_post_ops_destroy(po);
	}
	if (rc) {
		dnnl_primitive_attr_destroy(*attr);
		*attr = NULL;
	}
	return rc;
}

/* The primitive from A (input 0), B (input 1), an optional bias (input
 * 2), all as plain user descriptors, and the output's dims (OUT_ND). */
static int finish(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
		  const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b,
		  const dnnl_memory_desc_t *bias, const dnnl_memory_desc_t *dst, float alpha)
{
	dnnl_memory_desc_t b_any;
	/* Constant weights may take oneDNN's packed layout, paid once. */
	if (rt_cpu_is_const(s, n, 1))
		dnnl_memory_desc_init_by_tag(&b_any, b->ndims, b->dims, dnnl_f32,
					     dnnl_format_tag_any);
	else
		b_any = *b;
	dnnl_matmul_desc_t md;
	if (dnnl_matmul_desc_init(&md, a, &b_any, bias, dst) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_attr_t attr;
	dnnl_primitive_desc_t pd;
	int rc = make_attr(n, alpha, &attr);
	if (rc)
		return rc;
	rc = rt_memo_prim(s, m, &md, attr, &pd);
	dnnl_primitive_attr_destroy(attr);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, a, a);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_WEIGHTS, 1, b,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
	if (!rc && bias)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_BIAS, 2, bias, bias);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, dst, dst);
	dnnl_primitive_desc_destroy(pd);
	return rc;
}

/* A bias of BT's shape onto a product of rank ND and dims OD: padded with
 * leading 1s, each dim 1 or the product's. */
static int bias_md(const struct art_tensor *bt, int nd, const int64_t *od, dnnl_memory_desc_t *md)
{
	int64_t d[ART_MAX_DIMS];
	if (bt->dtype != ART_FLOAT || bt->ndim > nd)
		return RT_CPU_DECLINED;
	pad_rank(bt->dims, bt->ndim, nd, d);
	for (int i = 0; i < nd; i++)
		if (d[i] != 1 && d[i] != od[i])
			return RT_CPU_DECLINED;
	rt_md_plain(md, nd, d);
	return 0;
}

static int matmul_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *at = rt_in(s, n, 0), *bt = rt_in(s, n, 1),
				*ct = n->nin > 2 ? rt_in(s, n, 2) : NULL;
	if (!at || !bt || at->dtype != ART_FLOAT || bt->dtype != ART_FLOAT || at->ndim < 1 ||
	    bt->ndim < 1 || art_tensor_elems(at) <= 0 || art_tensor_elems(bt) <= 0)
		return RT_CPU_DECLINED;
	/* [K] is [1, K] as A and [K, 1] as B; the output drops that dim. */
	int64_t ad[ART_MAX_DIMS], bd[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int ra = at->ndim == 1 ? 2 : at->ndim, rb = bt->ndim == 1 ? 2 : bt->ndim;
	memcpy(ad, at->dims, sizeof(int64_t) * (size_t)at->ndim);
	memcpy(bd, bt->dims, sizeof(int64_t) * (size_t)bt->ndim);
	if (at->ndim == 1) {
		ad[1] = ad[0];
		ad[0] = 1;
	}
	if (bt->ndim == 1)
		bd[1] = 1;
	int nd = ra > rb ? ra : rb;
	int64_t pa[ART_MAX_DIMS], pb[ART_MAX_DIMS];
	pad_rank(ad, ra, nd, pa);
	pad_rank(bd, rb, nd, pb);
	if (pa[nd - 1] != pb[nd - 2])
		return RT_CPU_DECLINED;
	for (int i = 0; i < nd - 2; i++) {
		if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1)
			return RT_CPU_DECLINED;
		od[i] = pa[i] == 1 ? pb[i] : pa[i];
	}
	od[nd - 2] = pa[nd - 2];
	od[nd - 1] = pb[nd - 1];
	dnnl_memory_desc_t a, b, dst, bias;
	rt_md_plain(&a, nd, pa);
	rt_md_plain(&b, nd, pb);
	rt_md_plain(&dst, nd, od);
	if (ct && bias_md(ct, nd, od, &bias))
		return RT_CPU_DECLINED;
	/* The output's own shape: batch dims, then M and N unless 1-D. */
	m->out_ndim = 0;
	for (int i = 0; i < nd - 2; i++)
		m->out_dims[m->out_ndim++] = od[i];
	if (at->ndim > 1)
		m->out_dims[m->out_ndim++] = od[nd - 2];
	if (bt->ndim > 1)
		m->out_dims[m->out_ndim++] = od[nd - 1];
	return finish(s, n, m, &a, &b, ct ? &bias : NULL, &dst, 1.0f);
}

static int gemm_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *at = rt_in(s, n, 0), *bt = rt_in(s, n, 1), *ct = rt_in(s, n, 2);
	if (!at || !bt || at->dtype != ART_FLOAT || bt->dtype != ART_FLOAT || at->ndim != 2 ||
	    bt->ndim != 2 || art_tensor_elems(at) <= 0 || art_tensor_elems(bt) <= 0)
		return RT_CPU_DECLINED;
	/* As ONNX and the plain kernel read them: any nonzero value transposes. */
	int ta = rt_attr_i(n, "transA", 0) != 0, tb = rt_attr_i(n, "transB", 0) != 0;
	float alpha = rt_attr_f(n, "alpha", 1.0f), beta = rt_attr_f(n, "beta", 1.0f);
	int64_t M = at->dims[ta], K = at->dims[!ta], N = bt->dims[!tb];
	if (bt->dims[tb] != K)
		return RT_CPU_DECLINED;
	/* oneDNN scales the sum with the bias in it: only one of the two. */
	if (ct && (beta != 1.0f || alpha != 1.0f))
		return RT_CPU_DECLINED;
	dnnl_memory_desc_t a, b, dst, bias;
	dnnl_dims_t adims = {M, K}, bdims = {K, N}, ast = {ta ? 1 : K, ta ? M : 1},
		    bst = {tb ? 1 : N, tb ? K : 1};
	dnnl_memory_desc_init_by_strides(&a, 2, adims, dnnl_f32, ast);
	dnnl_memory_desc_init_by_strides(&b, 2, bdims, dnnl_f32, bst);
	int64_t od[2] = {M, N};
	rt_md_plain(&dst, 2, od);
	if (ct && bias_md(ct, 2, od, &bias))
		return RT_CPU_DECLINED;
	m->out_ndim = 2;
	m->out_dims[0] = M;
	m->out_dims[1] = N;
	return finish(s, n, m, &a, &b, ct ? &bias : NULL, &dst, alpha);
}

int rt_dnnl_matmul(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, matmul_build);
}

int rt_dnnl_gemm(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, gemm_build);
}
