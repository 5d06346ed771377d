// SPDX-License-Identifier: MIT
/*
 * Conv and ConvTranspose on oneDNN: 1 to 3 spatial dims, groups (depthwise
 * included), strides, dilations, pads and auto_pad, the bias, and the
 * activation graph rewriting fused into the node as a post-op. The
 * geometry is the reference kernels' own (rt_win_geom(), rt_convt_geom()),
 * so both paths agree on every output size and refuse the same nodes.
 *
 * Activations are handed over in the runtime's plain NCHW and the
 * primitive picks its own layout for them (format "any": blocked nChw16c
 * on AVX-512), with a reorder in and out; constant weights are reordered
 * into its layout once.
 *
 * ConvTranspose without groups is one oneDNN matmul, every input pixel
 * times every kernel tap (W^T [M k, C] x X [C, P]), and a scatter-add of
 * those columns into the output (col2im) with the bias and activation:
 * oneDNN 2.6's deconvolution took 8 ms where this takes well under one on
 * det's stride-2 2x2 upsampling (AVX-512 host, one thread).
 */
#include <string.h>

#include "ares/tensor.h"
#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

/* Operands as stored (plain) and as the primitive may want them. */
struct conv_mds {
	dnnl_memory_desc_t src, wei, bias, dst;
	dnnl_memory_desc_t src_any, wei_any, dst_any;
	int has_bias;
};

/* X, W (and B) float, rank 3 to 5, not empty: what both ops need. */
static int operands_ok(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = rt_in(s, n, 0), *w = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	return x && w && x->dtype == ART_FLOAT && w->dtype == ART_FLOAT &&
	       (!b || (b->dtype == ART_FLOAT && b->ndim == 1)) && x->ndim >= 3 && x->ndim <= 5 &&
	       w->ndim == x->ndim && art_tensor_elems(x) > 0 && art_tensor_elems(w) > 0;
}

/* The fused activation as post-ops in *ATTR (NULL when there is none). */
static int act_attr(const struct rt_node *n, dnnl_primitive_attr_t *attr)
{
	*attr = NULL;
	if (!n->act && !n->ntail)
		return 0;
	dnnl_post_ops_t po;
	if (dnnl_post_ops_create(&po) != dnnl_success)
		return RT_CPU_DECLINED;
	int rc = rt_post_act(n, po);
	if (!rc && dnnl_primitive_attr_create(attr) != dnnl_success)
		rc = RT_CPU_DECLINED;
	if (!rc && dnnl_primitive_attr_set_post_ops(*attr, po) != dnnl_success)
		rc = RT_CPU_DECLINED;
	dnnl_post_ops_destroy(po);
	if (rc && *attr) {
		dnnl_primitive_attr_destroy(*attr);
		*attr = NULL;
	}
	return rc;
}

static void any_of(dnnl_memory_desc_t *any, const dnnl_memory_desc_t *plain)
{
	dnnl_memory_desc_init_by_tag(any, plain->ndims, plain->dims, dnnl_f32, dnnl_format_tag_any);
}

/* Plain user descriptors of X, the output (M channels, W's spatial
 * output sizes) and B, and their "any" twins. The weights are the
 * caller's: their layout differs between the two ops. */
static void act_mds(const struct art_tensor *x, int64_t M, const struct rt_win *w, int has_bias,
		    struct conv_mds *md)
{
	int64_t od[ART_MAX_DIMS] = {x->dims[0], M};
	for (int i = 0; i < w->nsp; i++)
		od[2 + i] = w->out[RT_SP - w->nsp + i];
	rt_md_plain(&md->src, x->ndim, x->dims);
	rt_md_plain(&md->dst, x->ndim, od);
	rt_md_plain(&md->bias, 1, &M);
	any_of(&md->src_any, &md->src);
	any_of(&md->dst_any, &md->dst);
	md->has_bias = has_bias;
}

/* Strides, dilations (oneDNN counts them from 0), left and right pads. */
static void geometry(const struct rt_win *w, dnnl_dims_t st, dnnl_dims_t dil, dnnl_dims_t pl,
		     dnnl_dims_t pr)
{
	for (int i = 0; i < w->nsp; i++) {
		int j = RT_SP - w->nsp + i;
		st[i] = w->st[j];
		dil[i] = w->dil[j] - 1;
		pl[i] = w->pb[j];
		pr[i] = w->pe[j];
	}
}

/* The primitive of DESC with N's activation, and its four operands. */
static int finish(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
		  const void *desc, const struct conv_mds *md)
{
	dnnl_primitive_attr_t attr;
	dnnl_primitive_desc_t pd;
	int rc = act_attr(n, &attr);
	if (rc)
		return rc;
	rc = rt_memo_prim(s, m, desc, attr, &pd);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	if (rc)
		return rc;
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, &md->src,
			     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_WEIGHTS, 1, &md->wei,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
	if (!rc && md->has_bias)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_BIAS, 2, &md->bias,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, -1, &md->dst,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
	dnnl_primitive_desc_destroy(pd);
	m->out_ndim = md->dst.ndims;
	for (int i = 0; i < md->dst.ndims; i++)
		m->out_dims[i] = md->dst.dims[i];
	return rc;
}

static int conv_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	if (!operands_ok(s, n))
		return RT_CPU_DECLINED;
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1], M = wt->dims[0];
	if (g < 1 || C % g || M % g || wt->dims[1] * g != C || (b && b->dims[0] != M))
		return RT_CPU_DECLINED;
	int64_t ks[RT_SP];
	int kc = rt_attr_ints(n, "kernel_shape", ks, RT_SP);
	for (int i = 0; i < kc; i++)
		if (kc != x->ndim - 2 || ks[i] != wt->dims[2 + i])
			return RT_CPU_DECLINED;
	struct rt_win w;
	if (rt_win_geom(s, n, x, wt->dims + 2, 0, &w))
		return RT_CPU_DECLINED;
	struct conv_mds md;
	act_mds(x, M, &w, b != NULL, &md);
	/* ONNX's [M, C/g, k...] is oneDNN's goihw once M splits into g. */
	int64_t wd[ART_MAX_DIMS + 1] = {g, M / g};
	memcpy(wd + 2, wt->dims + 1, sizeof(int64_t) * (size_t)(wt->ndim - 1));
	if (g > 1)
		rt_md_plain(&md.wei, wt->ndim + 1, wd);
	else
		rt_md_plain(&md.wei, wt->ndim, wt->dims);
	any_of(&md.wei_any, &md.wei);
	dnnl_dims_t st, dil, pl, pr;
	geometry(&w, st, dil, pl, pr);
	dnnl_convolution_desc_t cd;
	if (dnnl_dilated_convolution_forward_desc_init(
		    &cd, dnnl_forward_inference, dnnl_convolution_direct, &md.src_any, &md.wei_any,
		    b ? &md.bias : NULL, &md.dst_any, st, dil, pl, pr) != dnnl_success)
		return RT_CPU_DECLINED;
	return finish(s, n, m, &cd, &md);
}

static int convt_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	if (!operands_ok(s, n))
		return RT_CPU_DECLINED;
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	struct rt_win w;
	int64_t M;
	if (rt_convt_geom(s, n, x, wt, &w, &M) || (b && b->dims[0] != M))
		return RT_CPU_DECLINED;
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1], cg = C / g, mg = M / g;
	/* oneDNN's right pad is what makes its output size ours: negative
	 * when output_padding or output_shape asks for more than the input
	 * reaches, which it does not take. */
	for (int i = 0; i < w.nsp; i++) {
		int j = RT_SP - w.nsp + i;
		w.pe[j] =
			(w.in[j] - 1) * w.st[j] + w.dil[j] * (w.k[j] - 1) + 1 - w.pb[j] - w.out[j];
		if (w.pe[j] < 0)
			return RT_CPU_DECLINED;
	}
	struct conv_mds md;
	act_mds(x, M, &w, b != NULL, &md);
	/* ONNX's W is [C, M/g, k...], i.e. (g, C/g, M/g, k...) in memory;
	 * oneDNN's logical order is (g, M/g, C/g, k...): strides say so. */
	int nsp = x->ndim - 2, nd = g > 1 ? x->ndim + 1 : x->ndim, off = g > 1;
	int64_t kp = 1;
	dnnl_dims_t dims, strides;
	for (int i = nsp - 1; i >= 0; i--) {
		dims[off + 2 + i] = wt->dims[2 + i];
		strides[off + 2 + i] = kp;
		kp *= wt->dims[2 + i];
	}
	dims[off] = mg;
	strides[off] = kp;
	dims[off + 1] = cg;
	strides[off + 1] = mg * kp;
	if (g > 1) {
		dims[0] = g;
		strides[0] = cg * mg * kp;
	}
	dnnl_memory_desc_init_by_strides(&md.wei, nd, dims, dnnl_f32, strides);
	any_of(&md.wei_any, &md.wei);
	dnnl_dims_t st, dil, pl, pr;
	geometry(&w, st, dil, pl, pr);
	dnnl_deconvolution_desc_t dd;
	if (dnnl_dilated_deconvolution_forward_desc_init(
		    &dd, dnnl_forward_inference, dnnl_deconvolution_direct, &md.src_any,
		    &md.wei_any, b ? &md.bias : NULL, &md.dst_any, st, dil, pl, pr) != dnnl_success)
		return RT_CPU_DECLINED;
	return finish(s, n, m, &dd, &md);
}

/* The taps I in [*LO, *HI) of an input row of IN that land inside an
 * output row of OUT when tap I lands at Y0 + I * ST (ST >= 1). */
static void in_range(int64_t y0, int64_t st, int64_t out, int64_t in, int64_t *lo, int64_t *hi)
{
	*lo = y0 >= 0 ? 0 : (-y0 + st - 1) / st;
	*hi = out - 1 - y0 < 0 ? 0 : (out - 1 - y0) / st + 1;
	if (*hi > in)
		*hi = in;
	if (*lo > *hi)
		*lo = *hi;
}

/* N's fused activation over COUNT floats at P; ReLU (det's first
 * upsampling) without the generic per-element dispatch. */
static void act_f32(const struct rt_node *n, float *p, int64_t count)
{
	if (n->act == ARES_ACT_RELU)
		for (int64_t i = 0; i < count; i++)
			p[i] = p[i] > 0 ? p[i] : 0.0f;
	else if (n->act)
		for (int64_t i = 0; i < count; i++)
			p[i] = (float)rt_act_value(n->act, n->act_alpha, n->act_beta, p[i]);
}

/* Pieces of a separate activation pass: a few per thread of any host
 * here, each long enough (thousands of elements) to be worth a hand-off. */
#define RT_ACT_CHUNKS 16
/* A sigmoid's or tanh's cost in conv multiply-adds (rt_act_value()'s
 * double exp: det's last upsampling, 37K of them in about 0.24 ms on
 * one core, where a conv does some 40 multiply-adds a nanosecond). */
#define RT_ACT_WORK   128

/* Output 0 from the columns: bias, each column's taps added where they
 * land (ConvTranspose's scatter, as the reference's), then the
 * activation. */
static int convt_col2im(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
			float *out)
{
	const struct rt_win *w = &m->win;
	const struct art_tensor *b = rt_in(s, n, 2);
	int64_t M = m->out_dims[1], N = m->out_dims[0];
	int64_t kp = w->k[0] * w->k[1] * w->k[2], ip = w->in[0] * w->in[1] * w->in[2],
		P = w->out[0] * w->out[1] * w->out[2];
	const float *col = m->scratch;
	/* Fewer planes than threads (det's last upsampling: one channel,
	 * 37K sigmoids, 0.3 ms on one thread while the other slept): the
	 * activation goes in its own pass, split over the elements. */
	int act_apart = n->act && N * M < s->cpu->threads;
	/* One output plane per channel, each from its own columns: split
	 * across the node's threads (rt_cpu_run() set them), as the matmul
	 * before it was (det's first upsampling: 0.6 ms of plain C after a
	 * 2-thread product). */
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
	for (int64_t nm = 0; nm < N * M; nm++) {
		float *oc = out + nm * P, bv = b ? ((const float *)b->data)[nm % M] : 0.0f;
		for (int64_t p = 0; p < P; p++)
			oc[p] = bv;
		for (int64_t k0 = 0; k0 < w->k[0]; k0++)
			for (int64_t k1 = 0; k1 < w->k[1]; k1++)
				for (int64_t k2 = 0; k2 < w->k[2]; k2++) {
					const float *row =
						col +
						(nm * kp + (k0 * w->k[1] + k1) * w->k[2] + k2) * ip;
					for (int64_t i0 = 0; i0 < w->in[0]; i0++) {
						int64_t y0 =
							i0 * w->st[0] - w->pb[0] + k0 * w->dil[0];
						if (y0 < 0 || y0 >= w->out[0])
							continue;
						for (int64_t i1 = 0; i1 < w->in[1]; i1++) {
							int64_t y1 = i1 * w->st[1] - w->pb[1] +
								     k1 * w->dil[1];
							if (y1 < 0 || y1 >= w->out[1])
								continue;
							const float *r = row + (i0 * w->in[1] +
										i1) * w->in[2];
							float *o = oc + (y0 * w->out[1] + y1) *
										w->out[2];
							int64_t y2 = k2 * w->dil[2] - w->pb[2];
							int64_t lo, hi;
							in_range(y2, w->st[2], w->out[2], w->in[2],
								 &lo, &hi);
							for (int64_t i2 = lo; i2 < hi; i2++)
								o[y2 + i2 * w->st[2]] += r[i2];
						}
					}
				}
		/* The activation while the plane is in cache. */
		if (!act_apart)
			act_f32(n, oc, P);
	}
	if (act_apart) {
		int64_t all = N * M * P, chunk = (all + RT_ACT_CHUNKS - 1) / RT_ACT_CHUNKS;
		/* The node's threads follow its product's work; this pass
		 * has its own. */
		int threads = rt_cpu_threads_for(s, (double)all * RT_ACT_WORK);
		(void)threads;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
		for (int64_t c = 0; c < RT_ACT_CHUNKS; c++) {
			int64_t lo = c * chunk, hi = lo + chunk < all ? lo + chunk : all;
			if (lo < hi)
				act_f32(n, out + lo, hi - lo);
		}
	}
	return 0;
}

/* ConvTranspose with one group as a matmul into columns, then col2im. */
static int convt_gemm_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, 1), *b = rt_in(s, n, 2);
	int64_t M, C = x->dims[1], N = x->dims[0];
	if (rt_convt_geom(s, n, x, wt, &m->win, &M) || (b && b->dims[0] != M))
		return RT_CPU_DECLINED;
	const struct rt_win *w = &m->win;
	int64_t kp = w->k[0] * w->k[1] * w->k[2], ip = w->in[0] * w->in[1] * w->in[2];
	/* W [C, M k] read transposed; X [N, C, P]; columns [N, M k, P]. */
	dnnl_dims_t ad = {1, M * kp, C}, ast = {M * kp * C, 1, M * kp}, bd = {N, C, ip},
		    cd = {N, M * kp, ip};
	dnnl_memory_desc_t a, bm, col;
	dnnl_memory_desc_init_by_strides(&a, 3, ad, dnnl_f32, ast);
	rt_md_plain(&bm, 3, bd);
	rt_md_plain(&col, 3, cd);
	dnnl_matmul_desc_t md;
	if (dnnl_matmul_desc_init(&md, &a, &bm, NULL, &col) != dnnl_success)
		return RT_CPU_DECLINED;
	dnnl_primitive_desc_t pd;
	int rc = rt_memo_prim(s, m, &md, NULL, &pd);
	if (rc)
		return rc;
	dnnl_primitive_desc_destroy(pd);
	rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 1, &a, &a);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_WEIGHTS, 0, &bm, &bm);
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, RT_ARG_SCRATCH, &col, &col);
	m->out_ndim = x->ndim;
	m->out_dims[0] = N;
	m->out_dims[1] = M;
	for (int i = 0; i < w->nsp; i++)
		m->out_dims[2 + i] = w->out[RT_SP - w->nsp + i];
	m->post = convt_col2im;
	return rc;
}

static int convt_any_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	if (!operands_ok(s, n))
		return RT_CPU_DECLINED;
	if (rt_attr_i(n, "group", 1) == 1)
		return convt_gemm_build(s, n, m);
	return convt_build(s, n, m);
}

int rt_dnnl_conv(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, conv_build);
}

int rt_dnnl_conv_transpose(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, convt_any_build);
}
