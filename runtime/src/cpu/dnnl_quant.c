// SPDX-License-Identifier: MIT
/*
 * The QOperator ops' integer products on oneDNN: QLinearConv and
 * ConvInteger (groups, depthwise, strides, dilations, pads, 1 to 3
 * spatial dims), QLinearMatMul and MatMulInteger (broadcast batch dims).
 *
 * oneDNN computes only the exact int32 accumulator, sum (x - x_zero) * w
 * (8-bit X, int8 W, x_zero_point as its runtime source zero point); one
 * pass in C then adds the int32 bias and requantizes with the reference
 * kernels' own rt_requant_params() and rt_requant_act(), so the integers are
 * the loops' (kernels_qconv.c, kernels_quant.c) bit for bit. What oneDNN
 * cannot give exactly is declined to those loops:
 *  - a nonzero w_zero_point, uint8 weights, weights, scales, zero points
 *    or bias that are not constants;
 *  - a host without AVX-512 VNNI: oneDNN's other int8 kernels sum u8 x s8
 *    pairs in saturating int16 (vpmaddubsw) or halve the weights;
 *  - an accumulator that may reach 2^24: with a source zero point oneDNN
 *    passes it through f32 (off by one near 3e7 on 2.6,
 *    tests/quant_models.py's convint_large_acc), so each output channel's
 *    255 * sum |w| must stay under it (real layers are far below).
 * Padded taps add nothing, as in the loops: oneDNN's zero-point
 * compensation leaves out the taps that fall in the padding.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

/* |accumulator| bound for exact f32: 2^24. */
#define EXACT_F32 16777216.0

static int is_8bit(const struct art_tensor *t)
{
	return t && (t->dtype == ART_UINT8 || t->dtype == ART_INT8);
}

static dnnl_data_type_t dt_of(int dtype)
{
	return dtype == ART_UINT8 ? dnnl_u8 : dtype == ART_INT8 ? dnnl_s8 : dnnl_s32;
}

/* AVX-512 VNNI (vpdpbusd) sums u8 x s8 products straight into int32.
 * AVX2-VNNI hosts are left to the loops: oneDNN 2.6's AVX2 int8 kernels
 * are not known to use it everywhere. */
static int has_vnni(void)
{
	unsigned isa = (unsigned)dnnl_get_effective_cpu_isa();
	return (isa & (unsigned)dnnl_cpu_isa_avx512_core_vnni) ==
	       (unsigned)dnnl_cpu_isa_avx512_core_vnni;
}

/* The requantisation's parameters (inputs 1, 4, 6, 7, 8 when present) are
 * constants: the post step reads them as validated when the primitive was
 * made. */
static int params_const(struct art_session *s, const struct rt_node *n)
{
	static const int in[] = {1, 4, 6, 7, 8};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (rt_in(s, n, in[i]) && !rt_cpu_is_const(s, n, in[i]))
			return 0;
	return 1;
}

/* Input I absent, or a constant whose values are all zero. */
static int const_zero(struct art_session *s, const struct rt_node *n, int i)
{
	const struct art_tensor *t = rt_in(s, n, i);
	if (!t)
		return 1;
	if (!rt_cpu_is_const(s, n, i) || !is_8bit(t))
		return 0;
	for (int64_t k = 0; k < art_tensor_elems(t); k++)
		if (rt_get_i(t, k))
			return 0;
	return 1;
}

/* The source zero point of input I: absent (0) or a constant 8-bit scalar
 * of X's type, into *ZP; -1 when oneDNN cannot take it. */
static int src_zero(struct art_session *s, const struct rt_node *n, int i,
		    const struct art_tensor *x, int32_t *zp)
{
	const struct art_tensor *t = rt_in(s, n, i);
	*zp = 0;
	if (!t)
		return 0;
	if (!rt_cpu_is_const(s, n, i) || t->dtype != x->dtype || art_tensor_elems(t) != 1)
		return -1;
	*zp = (int32_t)rt_get_i(t, 0);
	return 0;
}

/* Every output's sum |w| (COLS of them, ROWS terms each, element (r, c)
 * at r * RS + c * CS, over NB blocks of BS) times 255 below 2^24. */
static int acc_exact(const struct art_tensor *w, int64_t nb, int64_t bs, int64_t cols, int64_t rows,
		     int64_t cs, int64_t rs)
{
	const int8_t *d = w->data;
	for (int64_t b = 0; b < nb; b++)
		for (int64_t c = 0; c < cols; c++) {
			int64_t sum = 0;
			for (int64_t r = 0; r < rows; r++) {
				int v = d[b * bs + c * cs + r * rs];
				sum += v < 0 ? -v : v;
			}
			if (255.0 * (double)sum >= EXACT_F32)
				return 0;
		}
	return 1;
}

/* A runtime source zero point ZP in *ATTR (none when 0). */
static int zp_attr(int32_t zp, dnnl_primitive_attr_t *attr)
{
	static const int32_t runtime = DNNL_RUNTIME_S32_VAL;
	*attr = NULL;
	if (!zp)
		return 0;
	if (dnnl_primitive_attr_create(attr) != dnnl_success)
		return RT_CPU_DECLINED;
	if (dnnl_primitive_attr_set_zero_points(*attr, DNNL_ARG_SRC, 1, 0, &runtime) !=
	    dnnl_success) {
		dnnl_primitive_attr_destroy(*attr);
		*attr = NULL;
		return RT_CPU_DECLINED;
	}
	return 0;
}

/* The zero point's operand: a one-element int32 memory of the memo's own,
 * filled once (the zero point is a constant). */
static int zp_arg(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m, int32_t zp)
{
	if (!zp)
		return 0;
	int64_t one = 1;
	dnnl_memory_desc_t md;
	rt_md_plain_dt(&md, 1, &one, dnnl_s32);
	struct rt_memo_arg *a = &m->args[m->nargs++];
	a->arg = DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC;
	a->input = RT_ARG_SCRATCH;
	a->mode = RT_ARG_ONCE;
	void *h = NULL;
	dnnl_status_t st = dnnl_memory_create(&a->user, &md, s->cpu->engine, DNNL_MEMORY_ALLOCATE);
	a->prim = a->user;
	if (st == dnnl_success)
		st = dnnl_memory_get_data_handle(a->user, &h);
	if (st != dnnl_success || !h)
		return st == dnnl_out_of_memory
			       ? rt_err(s, -ENOMEM, "node '%s' (%s): oneDNN out of memory", n->name,
					n->proto->op_type)
			       : RT_CPU_DECLINED;
	*(int32_t *)h = zp;
	return 0;
}

/* The primitive of DESC with source zero point ZP; its source (input 0,
 * USER_SRC as stored), weights (input IW, USER_WEI), the int32
 * accumulator (the memo's scratch, laid out as DST) and zero point. */
static int finish(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
		  const void *desc, int32_t zp, int iw, const dnnl_memory_desc_t *user_src,
		  const dnnl_memory_desc_t *user_wei, const dnnl_memory_desc_t *dst)
{
	dnnl_primitive_attr_t attr;
	dnnl_primitive_desc_t pd;
	int rc = zp_attr(zp, &attr);
	if (rc)
		return rc;
	rc = rt_memo_prim(s, m, desc, attr, &pd);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	if (rc)
		return rc;
	/* The accumulator must be where the post step reads it. */
	if (!dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), dst))
		rc = RT_CPU_DECLINED;
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_SRC, 0, user_src,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_WEIGHTS, iw, user_wei,
				     dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
	if (!rc)
		rc = rt_memo_arg_add(s, n, m, DNNL_ARG_DST, RT_ARG_SCRATCH, dst, dst);
	if (!rc)
		rc = zp_arg(s, n, m, zp);
	dnnl_primitive_desc_destroy(pd);
	return rc;
}

/* The QLinear ops' scales and output zero point as the loops require them
 * (X's scale IS with ISN elements allowed, W's WS with WSN), and B. */
static int qlinear_params_ok(struct art_session *s, const struct rt_node *n, int64_t isn,
			     int64_t wsn)
{
	const struct art_tensor *xs = rt_in(s, n, 1), *ws = rt_in(s, n, 4), *ys = rt_in(s, n, 6),
				*yz = rt_in(s, n, 7);
	int64_t xe = xs ? art_tensor_elems(xs) : 0, we = ws ? art_tensor_elems(ws) : 0;
	return xs && ws && ys && (xe == 1 || xe == isn) && (we == 1 || we == wsn) &&
	       art_tensor_elems(ys) == 1 && (!yz || (art_tensor_elems(yz) == 1 && is_8bit(yz)));
}

/* Output 0 (NCHW) from the accumulator (N, spatial, M): as is for
 * ConvInteger; plus B and requantized for QLinearConv. */
static int qconv_post(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
		      float *out)
{
	const int32_t *acc = m->scratch;
	int64_t N = m->out_dims[0], M = m->out_dims[1],
		P = rt_shape_elems(m->out_dims + 2, m->out_ndim - 2);
	if (m->out_dtype == ART_INT32) {
		int32_t *o = (int32_t *)out;
		for (int64_t nb = 0; nb < N; nb++)
			for (int64_t c = 0; c < M; c++)
				for (int64_t p = 0; p < P; p++)
					o[(nb * M + c) * P + p] = acc[(nb * P + p) * M + c];
		return 0;
	}
	const struct art_tensor *xs = rt_in(s, n, 1), *ws = rt_in(s, n, 4), *ys = rt_in(s, n, 6),
				*yz = rt_in(s, n, 7), *b = rt_in(s, n, 8);
	float *mult = malloc(2 * sizeof(float) * (size_t)M), *div = mult + M;
	if (!mult)
		return rt_err(s, -ENOMEM, "node '%s' (QLinearConv): out of memory", n->name);
	for (int64_t c = 0; c < M; c++)
		rt_requant_params(n, rt_get_d(xs, 0),
				  rt_get_d(ws, art_tensor_elems(ws) == 1 ? 0 : c), rt_get_d(ys, 0),
				  &mult[c], &div[c]);
	double zy = yz ? rt_get_d(yz, 0) : 0, lo = m->out_dtype == ART_INT8 ? -128 : 0,
	       hi = m->out_dtype == ART_INT8 ? 127 : 255;
	const int32_t *bias = b ? b->data : NULL;
	for (int64_t nb = 0; nb < N; nb++)
		for (int64_t c = 0; c < M; c++) {
			int64_t bv = bias ? bias[c] : 0;
			for (int64_t p = 0; p < P; p++) {
				int64_t at = (nb * M + c) * P + p;
				double v = rt_requant_act(n, acc[(nb * P + p) * M + c] + bv,
							  mult[c], div[c]) +
					   zy;
				v = v < lo ? lo : v > hi ? hi : v;
				if (m->out_dtype == ART_INT8)
					((int8_t *)out)[at] = (int8_t)v;
				else
					((uint8_t *)out)[at] = (uint8_t)v;
			}
		}
	free(mult);
	return 0;
}

static int qconv_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	int qlinear = !strcmp(n->proto->op_type, "QLinearConv"), iw = qlinear ? 3 : 1;
	const struct art_tensor *x = rt_in(s, n, 0), *wt = rt_in(s, n, iw);
	if (!has_vnni() || !is_8bit(x) || !wt || wt->dtype != ART_INT8 ||
	    !rt_cpu_is_const(s, n, iw) || wt->ndim != x->ndim || x->ndim < 3 || x->ndim > 5 ||
	    art_tensor_elems(x) <= 0 || art_tensor_elems(wt) <= 0)
		return RT_CPU_DECLINED;
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1], M = wt->dims[0];
	if (g < 1 || C % g || M % g || wt->dims[1] * g != C)
		return RT_CPU_DECLINED;
	const struct art_tensor *wz = rt_in(s, n, qlinear ? 5 : 3), *b = rt_in(s, n, 8);
	int32_t zp;
	if (src_zero(s, n, 2, x, &zp) || !const_zero(s, n, qlinear ? 5 : 3) ||
	    (wz && art_tensor_elems(wz) != 1 && art_tensor_elems(wz) != M))
		return RT_CPU_DECLINED;
	if (qlinear && (!qlinear_params_ok(s, n, 1, M) || !params_const(s, n) ||
			(b && (b->ndim != 1 || b->dims[0] != M || b->dtype != ART_INT32))))
		return RT_CPU_DECLINED;
	int64_t ks[RT_SP];
	int kc = rt_attr_ints(n, "kernel_shape", ks, RT_SP);
	for (int i = 0; i < kc; i++)
		if (kc != x->ndim - 2 || ks[i] != wt->dims[2 + i])
			return RT_CPU_DECLINED;
	struct rt_win w;
	if (rt_win_geom(s, n, x, wt->dims + 2, 0, &w))
		return RT_CPU_DECLINED;
	int64_t per_m = rt_shape_elems(wt->dims + 1, wt->ndim - 1);
	if (!acc_exact(wt, 1, 0, M, per_m, per_m, 1))
		return RT_CPU_DECLINED;
	int nd = x->ndim;
	dnnl_format_tag_t cl = nd == 3 ? dnnl_nwc : nd == 4 ? dnnl_nhwc : dnnl_ndhwc;
	int64_t od[ART_MAX_DIMS] = {x->dims[0], M};
	for (int i = 0; i < w.nsp; i++)
		od[2 + i] = w.out[RT_SP - w.nsp + i];
	dnnl_memory_desc_t src, src_cl, wei, wei_any, dst;
	rt_md_plain_dt(&src, nd, x->dims, dt_of(x->dtype));
	dnnl_memory_desc_init_by_tag(&src_cl, nd, src.dims, src.data_type, cl);
	dnnl_dims_t odd;
	for (int i = 0; i < nd; i++)
		odd[i] = od[i];
	dnnl_memory_desc_init_by_tag(&dst, nd, odd, dnnl_s32, cl);
	/* ONNX's [M, C/g, k...] is oneDNN's goihw once M splits into g. */
	int64_t wd[ART_MAX_DIMS + 1] = {g, M / g};
	memcpy(wd + 2, wt->dims + 1, sizeof(int64_t) * (size_t)(wt->ndim - 1));
	if (g > 1)
		rt_md_plain_dt(&wei, nd + 1, wd, dnnl_s8);
	else
		rt_md_plain_dt(&wei, nd, wt->dims, dnnl_s8);
	dnnl_memory_desc_init_by_tag(&wei_any, wei.ndims, wei.dims, dnnl_s8, dnnl_format_tag_any);
	dnnl_dims_t st, dil, pl, pr;
	for (int i = 0; i < w.nsp; i++) {
		int j = RT_SP - w.nsp + i;
		st[i] = w.st[j];
		dil[i] = w.dil[j] - 1;
		pl[i] = w.pb[j];
		pr[i] = w.pe[j];
	}
	dnnl_convolution_desc_t cd;
	if (dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference,
						       dnnl_convolution_direct, &src_cl, &wei_any,
						       NULL, &dst, st, dil, pl, pr) != dnnl_success)
		return RT_CPU_DECLINED;
	m->out_dtype = !qlinear ? ART_INT32 : rt_in(s, n, 7) ? rt_in(s, n, 7)->dtype : ART_UINT8;
	m->out_ndim = nd;
	memcpy(m->out_dims, od, sizeof(int64_t) * (size_t)nd);
	m->post = qconv_post;
	return finish(s, n, m, &cd, zp, iw, &src, &wei, &dst);
}

/* Output 0 from the accumulator (same layout): as is for MatMulInteger;
 * requantized with A's row and B's column scales for QLinearMatMul. */
static int qmatmul_post(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
			float *out)
{
	const int32_t *acc = m->scratch;
	int64_t M = m->out_dims[m->out_ndim - 2], N = m->out_dims[m->out_ndim - 1];
	int64_t cnt = rt_shape_elems(m->out_dims, m->out_ndim);
	if (m->out_dtype == ART_INT32) {
		memcpy(out, acc, sizeof(int32_t) * (size_t)cnt);
		return 0;
	}
	const struct art_tensor *as = rt_in(s, n, 1), *bs = rt_in(s, n, 4), *ys = rt_in(s, n, 6),
				*yz = rt_in(s, n, 7);
	double *sa = malloc(sizeof(double) * (size_t)(M + N)), *sb = sa + M;
	if (!sa)
		return rt_err(s, -ENOMEM, "node '%s' (QLinearMatMul): out of memory", n->name);
	for (int64_t i = 0; i < M; i++)
		sa[i] = rt_get_d(as, art_tensor_elems(as) == 1 ? 0 : i);
	for (int64_t j = 0; j < N; j++)
		sb[j] = rt_get_d(bs, art_tensor_elems(bs) == 1 ? 0 : j);
	double sy = rt_get_d(ys, 0), zy = rt_get_d(yz, 0), lo = m->out_dtype == ART_INT8 ? -128 : 0,
	       hi = m->out_dtype == ART_INT8 ? 127 : 255;
	for (int64_t at = 0; at < cnt; at++) {
		int64_t i = at / N % M, j = at % N;
		float mult, div;
		rt_requant_params(n, sa[i], sb[j], sy, &mult, &div);
		double v = rt_requant_act(n, acc[at], mult, div) + zy;
		v = v < lo ? lo : v > hi ? hi : v;
		if (m->out_dtype == ART_INT8)
			((int8_t *)out)[at] = (int8_t)v;
		else
			((uint8_t *)out)[at] = (uint8_t)v;
	}
	free(sa);
	return 0;
}

static int qmatmul_build(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m)
{
	int qlinear = !strcmp(n->proto->op_type, "QLinearMatMul"), ib = qlinear ? 3 : 1;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, ib);
	/* 1-D operands are the loops' (rare in quantized models). */
	if (!has_vnni() || !is_8bit(a) || !b || b->dtype != ART_INT8 ||
	    !rt_cpu_is_const(s, n, ib) || a->ndim < 2 || b->ndim < 2 || art_tensor_elems(a) <= 0 ||
	    art_tensor_elems(b) <= 0)
		return RT_CPU_DECLINED;
	int64_t M = a->dims[a->ndim - 2], K = a->dims[a->ndim - 1], N = b->dims[b->ndim - 1];
	if (b->dims[b->ndim - 2] != K)
		return RT_CPU_DECLINED;
	const struct art_tensor *bz = rt_in(s, n, qlinear ? 5 : 3);
	int32_t zp;
	if (src_zero(s, n, 2, a, &zp) || !const_zero(s, n, qlinear ? 5 : 3) ||
	    (bz && art_tensor_elems(bz) != 1 && art_tensor_elems(bz) != N))
		return RT_CPU_DECLINED;
	if (qlinear && (!qlinear_params_ok(s, n, M, N) || !params_const(s, n) || !rt_in(s, n, 7)))
		return RT_CPU_DECLINED;
	if (!acc_exact(b, rt_shape_elems(b->dims, b->ndim - 2), K * N, N, K, 1, N))
		return RT_CPU_DECLINED;
	int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
	int64_t pa[ART_MAX_DIMS], pb[ART_MAX_DIMS], od[ART_MAX_DIMS];
	for (int i = 0; i < nd; i++) {
		pa[i] = i < nd - a->ndim ? 1 : a->dims[i - (nd - a->ndim)];
		pb[i] = i < nd - b->ndim ? 1 : b->dims[i - (nd - b->ndim)];
		od[i] = pa[i] == 1 ? pb[i] : pa[i];
		if (i < nd - 2 && pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1)
			return RT_CPU_DECLINED;
	}
	od[nd - 2] = M;
	od[nd - 1] = N;
	dnnl_memory_desc_t am, bm, b_any, dst;
	rt_md_plain_dt(&am, nd, pa, dt_of(a->dtype));
	rt_md_plain_dt(&bm, nd, pb, dnnl_s8);
	rt_md_plain_dt(&dst, nd, od, dnnl_s32);
	dnnl_memory_desc_init_by_tag(&b_any, nd, bm.dims, dnnl_s8, dnnl_format_tag_any);
	dnnl_matmul_desc_t md;
	if (dnnl_matmul_desc_init(&md, &am, &b_any, NULL, &dst) != dnnl_success)
		return RT_CPU_DECLINED;
	m->out_dtype = qlinear ? rt_in(s, n, 7)->dtype : ART_INT32;
	m->out_ndim = nd;
	memcpy(m->out_dims, od, sizeof(int64_t) * (size_t)nd);
	m->post = qmatmul_post;
	return finish(s, n, m, &md, zp, ib, &am, &bm, &dst);
}

int rt_dnnl_qconv(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, qconv_build);
}

int rt_dnnl_qmatmul(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_run(s, n, qmatmul_build);
}
