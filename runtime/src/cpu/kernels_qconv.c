// SPDX-License-Identifier: MIT
/* CPU reference kernels: integer convolutions (ConvInteger, QLinearConv)
 * over 1 to 3 spatial dims, with Conv's window geometry (rt_win_geom()).
 * Products of zero-point-shifted 8-bit values are summed exactly in
 * int64; padding holds the input's zero point, so padded taps add
 * nothing. QLinearConv requantizes like QLinearMatMul (rt_requant_mult(),
 * rt_requant()): in binary32 as ONNX Runtime does, rounded half to even,
 * saturated to the output type. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

static int is_8bit(const struct art_tensor *t)
{
	return t->dtype == ART_UINT8 || t->dtype == ART_INT8;
}

/* Parameter P for output channel M: a scalar or one per channel. */
static double per_channel(const struct art_tensor *p, int64_t m)
{
	if (!p)
		return 0;
	return rt_get_d(p, art_tensor_elems(p) == 1 ? 0 : m);
}

static int qconv(struct art_session *s, const struct rt_node *n, int qlinear)
{
	const char *op = n->proto->op_type;
	int ix = 0, iw = qlinear ? 3 : 1;
	int rc = qlinear ? rt_need_inputs(s, n, 8) : rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, ix), *wt = rt_in(s, n, iw);
	const struct art_tensor *xz = rt_in(s, n, qlinear ? 2 : 2),
				*wz = rt_in(s, n, qlinear ? 5 : 3);
	const struct art_tensor *xs = qlinear ? rt_in(s, n, 1) : NULL,
				*ws = qlinear ? rt_in(s, n, 4) : NULL,
				*ys = qlinear ? rt_in(s, n, 6) : NULL,
				*yz = qlinear ? rt_in(s, n, 7) : NULL,
				*b = qlinear ? rt_in(s, n, 8) : NULL;
	NEED(is_8bit(x) && is_8bit(wt) && wt->ndim == x->ndim && x->ndim >= 3,
	     "node '%s' (%s): needs 8-bit X [N, C, ...] and W [M, C/group, ...] of one rank",
	     n->name, op);
	int64_t g = rt_attr_i(n, "group", 1), C = x->dims[1], M = wt->dims[0];
	NEED(g >= 1 && C % g == 0 && M % g == 0 && wt->dims[1] * g == C,
	     "node '%s' (%s): %lld channels, %lld groups and W [%lld, %lld, ...] disagree", n->name,
	     op, (long long)C, (long long)g, (long long)M, (long long)wt->dims[1]);
	NEED(!xz || art_tensor_elems(xz) == 1, "node '%s' (%s): x_zero_point must be a scalar",
	     n->name, op);
	NEED(!wz || art_tensor_elems(wz) == 1 || art_tensor_elems(wz) == M,
	     "node '%s' (%s): w_zero_point must be a scalar or one per output channel", n->name,
	     op);
	if (qlinear) {
		NEED(art_tensor_elems(xs) == 1 && art_tensor_elems(ys) == 1 &&
			     (art_tensor_elems(ws) == 1 || art_tensor_elems(ws) == M) &&
			     (!yz || art_tensor_elems(yz) == 1) && (!yz || is_8bit(yz)),
		     "node '%s' (QLinearConv): x/y scales and zero points must be scalars, "
		     "w_scale a scalar or one per output channel",
		     n->name);
		NEED(!b || (b->ndim == 1 && b->dims[0] == M && b->dtype == ART_INT32),
		     "node '%s' (QLinearConv): B must be int32 [%lld]", n->name, (long long)M);
	}
	int64_t ks[RT_SP];
	int kc = rt_attr_ints(n, "kernel_shape", ks, RT_SP);
	for (int i = 0; i < kc; i++)
		NEED(kc == x->ndim - 2 && ks[i] == wt->dims[2 + i],
		     "node '%s' (%s): kernel_shape disagrees with W", n->name, op);
	struct rt_win w;
	rc = rt_win_geom(s, n, x, wt->dims + 2, 0, &w);
	if (rc)
		return rc;
	int64_t od[ART_MAX_DIMS];
	od[0] = x->dims[0];
	od[1] = M;
	for (int i = 0; i < w.nsp; i++)
		od[2 + i] = w.out[RT_SP - w.nsp + i];
	int dt = !qlinear ? ART_INT32 : yz ? yz->dtype : ART_UINT8;
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, 2 + w.nsp, od, &o);
	if (rc)
		return rc;
	int64_t cg = C / g, mg = M / g, ip = w.in[0] * w.in[1] * w.in[2],
		kp = w.k[0] * w.k[1] * w.k[2], P = w.out[0] * w.out[1] * w.out[2];
	int64_t x0 = xz ? rt_get_i(xz, 0) : 0;
	double lo = dt == ART_INT8 ? -128 : 0, hi = dt == ART_INT8 ? 127 : 255;
	for (int64_t nb = 0; nb < x->dims[0]; nb++)
		for (int64_t m = 0; m < M; m++) {
			int64_t gi = m / mg, w0 = (int64_t)per_channel(wz, m);
			int64_t xbase = (nb * C + gi * cg) * ip, wbase = m * cg * kp;
			float mult = 0, div = 1;
			if (qlinear)
				rt_requant_params(n, rt_get_d(xs, 0), per_channel(ws, m),
						  rt_get_d(ys, 0), &mult, &div);
			for (int64_t p = 0; p < P; p++) {
				int64_t o0 = p / (w.out[1] * w.out[2]),
					o1 = p / w.out[2] % w.out[1], o2 = p % w.out[2], acc = 0;
				for (int64_t c = 0; c < cg; c++)
					for (int64_t k = 0; k < kp; k++) {
						int64_t k0 = k / (w.k[1] * w.k[2]),
							k1 = k / w.k[2] % w.k[1], k2 = k % w.k[2];
						int64_t i0 = o0 * w.st[0] - w.pb[0] + k0 * w.dil[0],
							i1 = o1 * w.st[1] - w.pb[1] + k1 * w.dil[1],
							i2 = o2 * w.st[2] - w.pb[2] + k2 * w.dil[2];
						if (i0 < 0 || i0 >= w.in[0] || i1 < 0 ||
						    i1 >= w.in[1] || i2 < 0 || i2 >= w.in[2])
							continue;
						int64_t xi = xbase + c * ip +
							     (i0 * w.in[1] + i1) * w.in[2] + i2;
						acc += (rt_get_i(x, xi) - x0) *
						       (rt_get_i(wt, wbase + c * kp + k) - w0);
					}
				int64_t at = (nb * M + m) * P + p;
				if (!qlinear) {
					((int32_t *)o)[at] = (int32_t)acc;
					continue;
				}
				if (b)
					acc += rt_get_i(b, m);
				double v = rt_requant_act(n, acc, mult, div) +
					   (yz ? rt_get_d(yz, 0) : 0);
				rt_put_d(o, dt, at, v < lo ? lo : v > hi ? hi : v);
			}
		}
	return 0;
}

static int check_qconv(struct art_session *s, const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	NEED(rt_attr_i(n, "group", 1) >= 1, "node '%s' (%s): group must be positive", n->name, op);
	NEED(rt_attr_is(n, "auto_pad", "NOTSET", 1) || rt_attr_is(n, "auto_pad", "VALID", 0) ||
		     rt_attr_is(n, "auto_pad", "SAME_UPPER", 0) ||
		     rt_attr_is(n, "auto_pad", "SAME_LOWER", 0),
	     "node '%s' (%s): unknown auto_pad (NOTSET, VALID, SAME_UPPER or SAME_LOWER)", n->name,
	     op);
	return 0;
}

static int k_conv_integer(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_qconv(s, n);
	return rc != RT_CPU_DECLINED ? rc : qconv(s, n, 0);
}

static int k_qlinear_conv(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_qconv(s, n);
	return rc != RT_CPU_DECLINED ? rc : qconv(s, n, 1);
}

const struct rt_kernel_entry rt_kernels_qconv[] = {
	{"ConvInteger", k_conv_integer},
	{"QLinearConv", k_qlinear_conv},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_qconv[] = {
	{"ConvInteger", check_qconv},
	{"QLinearConv", check_qconv},
	{NULL, NULL},
};
