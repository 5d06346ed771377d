// SPDX-License-Identifier: MIT
/*
 * Add, Sub, Mul, Div, Max and Min of two float tensors on oneDNN's binary
 * primitive, with numpy broadcasting of the second operand (e.g. the
 * per-channel scale of a squeeze-excitation block). oneDNN broadcasts
 * only its second source: when the first input is the broadcast one, a
 * commutative op swaps them, Sub and Div stay on the loops. An operand
 * held in a conv's layout (cpu/layout.c) is read in it.
 */
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

static const struct {
	const char *op;
	dnnl_alg_kind_t alg;
	int commutes;
} algs[] = {
	{"Add", dnnl_binary_add, 1}, {"Mul", dnnl_binary_mul, 1}, {"Max", dnnl_binary_max, 1},
	{"Min", dnnl_binary_min, 1}, {"Sub", dnnl_binary_sub, 0}, {"Div", dnnl_binary_div, 0},
};

/* DIMS (rank ND) as rank TO, with leading 1s; a scalar is [1]. */
static void pad_rank(const int64_t *dims, int nd, int to, int64_t *out)
{
	for (int i = 0; i < to; i++)
		out[i] = i < to - nd ? 1 : dims[i - (to - nd)];
}

static int binary_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *a = rt_in(s, n, 0), *b = n->nin == 2 ? rt_in(s, n, 1) : NULL;
	if (!a || !b || a->dtype != ART_FLOAT || b->dtype != ART_FLOAT)
		return RT_CPU_DECLINED;
	size_t k = 0;
	while (k < sizeof(algs) / sizeof(algs[0]) && strcmp(algs[k].op, n->proto->op_type))
		k++;
	if (k == sizeof(algs) / sizeof(algs[0]))
		return RT_CPU_DECLINED;
	int64_t od[ART_MAX_DIMS], pa[ART_MAX_DIMS], pb[ART_MAX_DIMS];
	int nd = rt_broadcast_shape(a, b, od);
	if (nd < 0 || rt_shape_elems(od, nd) <= 0)
		return RT_CPU_DECLINED;
	m->out_ndim = nd;
	memcpy(m->out_dims, od, sizeof(int64_t) * (size_t)nd);
	if (!nd) { /* two scalars: oneDNN wants a dim */
		nd = 1;
		od[0] = 1;
	}
	pad_rank(a->dims, a->ndim, nd, pa);
	pad_rank(b->dims, b->ndim, nd, pb);
	int first = 0; /* the input that is oneDNN's src 0: it must be the full shape */
	if (memcmp(pa, od, sizeof(int64_t) * (size_t)nd)) {
		if (!algs[k].commutes || memcmp(pb, od, sizeof(int64_t) * (size_t)nd))
			return RT_CPU_DECLINED;
		first = 1;
	}
	dnnl_memory_desc_t m0, m1, dst, p0, p1, pdst;
	rt_md_plain(&m0, nd, first ? pb : pa);
	rt_md_plain(&m1, nd, first ? pa : pb);
	rt_md_plain(&dst, nd, od);
	p0 = m0;
	p1 = m1;
	pdst = dst;
	/* src 0 held in a conv's blocked layout: read there, the result left
	 * in it, and src 1 read there too when it is held the same way (a
	 * residual); a broadcast src 1 stays plain. */
	const dnnl_memory_desc_t *h0 = rt_layout_held_md(s, n->in[first]),
				 *h1 = rt_layout_held_md(s, n->in[!first]);
	if (h0 && h0->ndims == nd) {
		p0 = *h0;
		if (h1 && dnnl_memory_desc_equal(h0, h1))
			p1 = *h1;
		dnnl_memory_desc_init_by_tag(&pdst, nd, dst.dims, dnnl_f32, dnnl_format_tag_any);
	}
	dnnl_binary_desc_t bd;
	if (dnnl_binary_desc_init(&bd, algs[k].alg, &p0, &p1, &pdst) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &bd, NULL, &pd);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC_0, first, &m0, &p0);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC_1, !first, &m1, &p1);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &dst,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	dnnl_primitive_desc_destroy(pd);
	return rc;
}

int rt_dnnl_binary(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, binary_build);
}
