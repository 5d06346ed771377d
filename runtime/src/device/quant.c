// SPDX-License-Identifier: MIT
/*
 * The QOperator ops on the int8 tensor engine: QLinearConv, ConvInteger
 * (CONV2D) and QLinearMatMul, MatMulInteger (MATMUL), hw-spec §12.2-12.3;
 * and QuantizeLinear, DequantizeLinear as ELTWISE COPY between float and
 * a quantised 8-bit tensor (§12.4). Their scales and zero points are
 * constants; this file checks them and turns them into the descriptors'
 * quantisation. Q and DQ keep their own scale: the engine's x / s and
 * (q - z) * s in binary32 are ONNX Runtime's and the CPU kernels'.
 *
 * Requantisation: the engine computes y = sat(rne((acc + b) * (sx * sw)
 * / sy) + zy) in binary32. ONNX Runtime (and the CPU kernels, cpu/
 * kernels_quant.c) compute sat(rne(acc * m) + zy) with m = sx * sw / sy
 * rounded to binary32 once, which the engine's order can round
 * differently. The descriptors carry m as the weight's scale and 1 as the
 * input's and the output's, so the engine's product and quotient are m
 * and the division by 1 is exact: the device's integers are the CPU's.
 * A fused QDQ node whose activation needs real units (rt_node.qdq_real)
 * carries sx, sw and sy as they are instead, as its float chain does.
 * Weight-side parameters of more than one element become PER_CHANNEL
 * (8 bytes per channel uploaded with the weights, device/exec.c).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"

/* Input indices of one op's operands and parameters (-1: none). */
struct qlayout {
	const char *op;
	int conv, qlinear;
	int x, xs, xz, w, ws, wz, ys, yz, b;
};

static const struct qlayout layouts[] = {
	{"QLinearConv", 1, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8},
	{"ConvInteger", 1, 0, 0, -1, 2, 1, -1, 3, -1, -1, -1},
	{"QLinearMatMul", 0, 1, 0, 1, 2, 3, 4, 5, 6, 7, -1},
	{"MatMulInteger", 0, 0, 0, -1, 2, 1, -1, 3, -1, -1, -1},
};

static const struct qlayout *layout_of(const struct rt_node *n)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (!strcmp(layouts[i].op, dev_op_name(n)))
			return &layouts[i];
	return NULL;
}

/* Input IN of N as the host holds it: a constant, or a value known when
 * the partition is planned (a graph input, a CPU node's output: part of
 * the plan's key, device/plan.c) once it has data; else NULL. */
static const struct art_tensor *param(const struct art_session *s, const struct rt_node *n, int in)
{
	if (in < 0 || in >= n->nin || n->in[in] < 0 || !s->vals[n->in[in]].t.data)
		return NULL;
	return &s->vals[n->in[in]].t;
}

/* Input IN of N when it is a constant (uploaded with the weights). */
static const struct art_tensor *cparam(const struct art_session *s, const struct rt_node *n, int in)
{
	if (in < 0 || in >= n->nin || n->in[in] < 0 || !dev_is_const(s, n->in[in]))
		return NULL;
	return &s->vals[n->in[in]].t;
}

static int present(const struct rt_node *n, int in)
{
	return in >= 0 && in < n->nin && n->in[in] >= 0;
}

int dev_quant_weight_input(const struct rt_node *n)
{
	const struct qlayout *l = layout_of(n);
	return l ? l->w : -1;
}

int dev_quant_bias_input(const struct rt_node *n)
{
	const struct qlayout *l = layout_of(n);
	return l ? l->b : -1;
}

int dev_quant_out_dtype(const struct art_session *s, const struct rt_node *n)
{
	const struct qlayout *l = layout_of(n);
	if (!l->qlinear)
		return ART_INT32;
	const struct art_tensor *yz = param(s, n, l->yz);
	return yz ? yz->dtype : ART_UINT8;
}

/* Channels of the weight-side parameters: 1 when both are scalars. */
static int64_t wchannels(const struct art_session *s, const struct rt_node *n,
			 const struct qlayout *l)
{
	const struct art_tensor *ws = param(s, n, l->ws), *wz = param(s, n, l->wz);
	int64_t a = ws ? art_tensor_elems(ws) : 1, b = wz ? art_tensor_elems(wz) : 1;
	return a > b ? a : b;
}

static int in_range(const struct art_tensor *z, int dtype)
{
	int64_t lo = dtype == ART_INT8 ? -128 : 0, hi = dtype == ART_INT8 ? 127 : 255;
	for (int64_t i = 0; z && i < art_tensor_elems(z); i++)
		if (rt_get_i(z, i) < lo || rt_get_i(z, i) > hi)
			return 0;
	return 1;
}

/* Scale of channel M (0 for a scalar) as the engine's weight scale. */
static float wscale(const struct art_session *s, const struct rt_node *n, const struct qlayout *l,
		    int64_t m)
{
	if (!l->qlinear)
		return 1.0f;
	const struct art_tensor *ws = param(s, n, l->ws);
	int64_t i = art_tensor_elems(ws) == 1 ? 0 : m;
	/* Real units (a fused QDQ node's Sigmoid, HardSwish...): the
	 * descriptors carry the scales as they are. */
	if (n->qdq_real)
		return (float)rt_get_d(ws, i);
	return rt_requant_mult(rt_get_d(param(s, n, l->xs), 0), rt_get_d(ws, i),
			       rt_get_d(param(s, n, l->ys), 0));
}

static int32_t wzero(const struct art_session *s, const struct rt_node *n, const struct qlayout *l,
		     int64_t m)
{
	const struct art_tensor *wz = param(s, n, l->wz);
	if (!wz)
		return 0;
	return (int32_t)rt_get_i(wz, art_tensor_elems(wz) == 1 ? 0 : m);
}

/* The parameters' values, once known: at placement for constants, else
 * when the partition is planned (device/plan.c replans when they
 * change). XD, WD: the 8-bit operands' dtypes. */
static const char *qvalues(const struct art_session *s, const struct rt_node *n,
			   const struct qlayout *l, int xd, int wd, char *buf, size_t len)
{
	if (l->qlinear && (!param(s, n, l->xs) || !param(s, n, l->ws) || !param(s, n, l->ys)))
		return "QLinear op without its scales";
	const struct art_tensor *xs = param(s, n, l->xs), *xz = param(s, n, l->xz),
				*ws = param(s, n, l->ws), *wz = param(s, n, l->wz),
				*ys = param(s, n, l->ys), *yz = param(s, n, l->yz);
	if ((xs && art_tensor_elems(xs) != 1) || (xz && art_tensor_elems(xz) != 1) ||
	    (ys && art_tensor_elems(ys) != 1) || (yz && art_tensor_elems(yz) != 1))
		return "per-row input or output quantisation (the engine's input and output "
		       "are per tensor)";
	int64_t ch = wchannels(s, n, l);
	if ((ws && art_tensor_elems(ws) != 1 && art_tensor_elems(ws) != ch) ||
	    (wz && art_tensor_elems(wz) != 1 && art_tensor_elems(wz) != ch) ||
	    (ws && ws->ndim > 1) || (wz && wz->ndim > 1))
		return "weight scale and zero point disagree in channels";
	if (ch > 1 && ((present(n, l->ws) && !cparam(s, n, l->ws)) ||
		       (present(n, l->wz) && !cparam(s, n, l->wz))))
		return "per-channel weight quantisation that is not a constant (uploaded with "
		       "the weights)";
	if (!in_range(xz, xd) || !in_range(wz, wd) ||
	    (yz && (yz->dtype != ART_INT8 && yz->dtype != ART_UINT8)))
		return "a zero point outside its operand's 8-bit range";
	for (int64_t m = 0; m < ch; m++) {
		float f = wscale(s, n, l, m);
		if (!isfinite(f) || f <= 0) {
			snprintf(buf, len,
				 "requantisation multiplier of channel %lld is %g (the engine "
				 "needs a finite binary32 > 0)",
				 (long long)m, (double)f);
			return buf;
		}
	}
	return NULL;
}

const char *dev_quant_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	const struct qlayout *l = layout_of(n);
	int xd = dev_value_dtype(s, n->in[l->x]);
	int wd = present(n, l->w) ? dev_value_dtype(s, n->in[l->w]) : 0;
	if ((xd != ART_INT8 && xd != ART_UINT8) || (wd != ART_INT8 && wd != ART_UINT8)) {
		snprintf(c->buf, c->len, "%s on %s x %s (the int8 engine takes 8-bit operands)",
			 c->op, rt_dtype_name(xd), rt_dtype_name(wd));
		return c->buf;
	}
	const int ps[] = {l->xs, l->xz, l->ws, l->wz, l->ys, l->yz};
	int all_const = 1;
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		if (!present(n, ps[i]) || dev_is_const(s, n->in[ps[i]]))
			continue;
		all_const = 0;
		if (!dev_plan_known(s, n, ps[i])) {
			snprintf(c->buf, c->len,
				 "%s scale or zero point '%s' computed on the device (the "
				 "device bakes them into its descriptors)",
				 c->op, s->vals[n->in[ps[i]]].name);
			return c->buf;
		}
	}
	if (present(n, l->b) && dev_value_dtype(s, n->in[l->b]) != ART_INT32)
		return "QLinearConv bias is not int32";
	return all_const ? qvalues(s, n, l, xd, wd, c->buf, c->len) : NULL;
}

int dev_quant_plan_check(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct qlayout *l = layout_of(n);
	char buf[160];
	const struct dev_val *w = &c->dv[n->in[l->w]];
	const char *why = qvalues(c->s, n, l, c->dv[n->in[l->x]].dtype, w->dtype, buf, sizeof(buf));
	if (why)
		return dev_bad(c->s, n, why);
	/* The channels: conv W's axis 0, matmul B's N (1 for a 1-D B). */
	int64_t ch = wchannels(c->s, n, l);
	int64_t want = l->conv ? w->dims[0] : w->ndim >= 2 ? w->dims[w->ndim - 1] : 1;
	if (ch > 1 && ch != want)
		return dev_bad(c->s, n, "weight quantisation does not match its channels");
	return 0;
}

static int is_qdq(const struct rt_node *n)
{
	return !strcmp(n->proto->op_type, "QuantizeLinear") ||
	       !strcmp(n->proto->op_type, "DequantizeLinear");
}

/* Channels of a Q/DQ node's scale: 1 when per tensor. */
static int64_t qdq_channels(const struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *sc = param(s, n, 1);
	return sc ? art_tensor_elems(sc) : 1;
}

/* A Q/DQ node's scale and zero point (if any) are constants. */
static int qdq_params_const(const struct art_session *s, const struct rt_node *n)
{
	return cparam(s, n, 1) && (!present(n, 2) || cparam(s, n, 2));
}

/* Per-channel blocks are uploaded with the weights: constants only. */
static int64_t block_channels(const struct art_session *s, const struct rt_node *n,
			      const struct qlayout *l)
{
	const int ins[2] = {l ? l->ws : 1, l ? l->wz : 2};
	int64_t ch = 1;
	for (int i = 0; i < 2; i++) {
		const struct art_tensor *t = cparam(s, n, ins[i]);
		if (t && art_tensor_elems(t) > ch)
			ch = art_tensor_elems(t);
	}
	return ch;
}

uint64_t dev_quant_block_size(const struct art_session *s, const struct rt_node *n)
{
	const struct qlayout *l = layout_of(n);
	if (!n->on_device || (!l && (!is_qdq(n) || !qdq_params_const(s, n))))
		return 0;
	int64_t ch = block_channels(s, n, l);
	return ch > 1 ? 8 * (uint64_t)ch : 0;
}

void dev_quant_block_fill(const struct art_session *s, const struct rt_node *n, void *dst)
{
	const struct qlayout *l = layout_of(n);
	int64_t ch = block_channels(s, n, l);
	const struct art_tensor *zt = l ? NULL : param(s, n, 2);
	float *sc = dst;
	int32_t *zp = (int32_t *)dst + ch;
	for (int64_t m = 0; m < ch; m++) {
		sc[m] = l ? wscale(s, n, l, m) : (float)rt_get_d(param(s, n, 1), m);
		zp[m] = l ? wzero(s, n, l, m) : zt ? (int32_t)rt_get_i(zt, m) : 0;
	}
}

int dev_quant_desc(const struct ectx *e, struct ares_tensor_desc *x, struct ares_tensor_desc *w,
		   struct ares_tensor_desc *y, unsigned waxis)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct qlayout *l = layout_of(n);
	const struct art_tensor *xz = param(s, n, l->xz), *yz = param(s, n, l->yz);
	int64_t ch = wchannels(s, n, l);
	x->quant = ARES_QUANT_PER_TENSOR;
	x->scale = dev_float_bits(n->qdq_real ? (float)rt_get_d(param(s, n, l->xs), 0) : 1.0f);
	x->zero_point = (uint32_t)(xz ? (int32_t)rt_get_i(xz, 0) : 0);
	if (ch > 1) {
		if (w->shape[waxis] != (uint64_t)ch)
			return dev_bad(e->s, n, "weight quantisation does not match its channels");
		w->quant = ARES_QUANT_PER_CHANNEL;
		w->quant_axis = (uint16_t)waxis;
		w->qparams_va = e->weights_va + s->dev->nwofs[n - s->nodes];
	} else {
		w->quant = ARES_QUANT_PER_TENSOR;
		w->scale = dev_float_bits(wscale(s, n, l, 0));
		w->zero_point = (uint32_t)wzero(s, n, l, 0);
	}
	if (l->qlinear) {
		y->quant = ARES_QUANT_PER_TENSOR;
		y->scale =
			dev_float_bits(n->qdq_real ? (float)rt_get_d(param(s, n, l->ys), 0) : 1.0f);
		y->zero_point = (uint32_t)(yz ? (int32_t)rt_get_i(yz, 0) : 0);
	}
	return 0;
}

/* QuantizeLinear (float to 8 bits) and DequantizeLinear (8 bits to f32):
 * one COPY whose quantised side carries the node's scale and zero point,
 * per tensor or, for a 1-D scale, per channel along the node's axis. A
 * per-channel scale or zero point known only when planning (a graph
 * input: part of the plan's key) cannot go with the weights: the node's
 * scratch takes the 8-byte-per-channel block, written by one FILL per
 * 32-bit word before the COPY. */
/* The values of a Q/DQ node's scale and zero point (see qvalues()); X:
 * its input's dtype. */
static const char *qdq_values(const struct art_session *s, const struct rt_node *n, int x)
{
	int q = !strcmp(n->proto->op_type, "QuantizeLinear");
	const struct art_tensor *sc = param(s, n, 1), *zp = param(s, n, 2);
	if (!sc || sc->dtype != ART_FLOAT || sc->ndim > 1)
		return "scale is not a float32 scalar or 1-D tensor";
	int zdt = zp ? zp->dtype : ART_UINT8;
	if ((zdt != ART_INT8 && zdt != ART_UINT8) ||
	    (zp && art_tensor_elems(zp) != art_tensor_elems(sc)))
		return "zero point is not 8-bit or not one per scale";
	if (!q && zdt != x)
		return "zero point and input dtypes differ";
	for (int64_t i = 0; i < art_tensor_elems(sc); i++) {
		double v = rt_get_d(sc, i);
		if (!isfinite(v) || v <= 0)
			return "a scale that is not finite and > 0";
	}
	if (!in_range(zp, zdt))
		return "a zero point outside its dtype's range";
	return NULL;
}

static const char *qdq_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int q = !strcmp(c->op, "QuantizeLinear");
	if (q ? !dev_is_float(c->x) : (c->x != ART_INT8 && c->x != ART_UINT8)) {
		snprintf(c->buf, c->len, "%s of %s (the device's COPY quantises float to 8 bits)",
			 c->op, rt_dtype_name(c->x));
		return c->buf;
	}
	if (rt_attr_i(n, "block_size", 0) != 0)
		return "blocked quantisation (block_size) has no device form";
	int all_const = 1;
	for (int i = 1; i < 3; i++) {
		if (!present(n, i) || dev_is_const(s, n->in[i]))
			continue;
		all_const = 0;
		if (!dev_plan_known(s, n, i)) {
			snprintf(c->buf, c->len, "%s %s computed on the device", c->op,
				 i == 1 ? "scale" : "zero point");
			return c->buf;
		}
	}
	return all_const ? qdq_values(s, n, c->x) : NULL;
}

static int qdq_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	const char *why = qdq_values(c->s, n, x->dtype);
	if (why)
		return dev_bad(c->s, n, why);
	int64_t ch = qdq_channels(c->s, n);
	if (ch > 1) {
		int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 1), x->ndim);
		if (a < 0 || a >= x->ndim || x->dims[a] != ch)
			return dev_bad(c->s, n, "scale is not one per slice of the axis");
	}
	int q = !strcmp(n->proto->op_type, "QuantizeLinear");
	const struct art_tensor *zp = param(c->s, n, 2);
	dev_set_out(&c->dv[n->out[0]], q ? (zp ? zp->dtype : ART_UINT8) : ART_FLOAT, x->ndim,
		    x->dims);
	return 0;
}

/* Channels of a per-channel Q/DQ node whose block is not uploaded with
 * the weights (0: per tensor or uploaded). */
static int64_t qdq_staged_channels(const struct art_session *s, const struct rt_node *n)
{
	int64_t ch = qdq_channels(s, n);
	return ch > 1 && !qdq_params_const(s, n) ? ch : 0;
}

static uint64_t qdq_scratch(const struct dev_shape *c)
{
	return 2 * (uint64_t)qdq_staged_channels(c->s, c->n);
}

/* The block of dev_quant_block_fill() at VA, one FILL per word. */
static int qdq_stage_block(struct ectx *e, int64_t ch, uint64_t va)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct art_tensor *sc = param(s, n, 1), *zp = param(s, n, 2);
	for (int64_t m = 0; m < ch; m++) {
		int32_t z = zp ? (int32_t)rt_get_i(zp, m) : 0;
		int rc = dev_done(e, accel_cmdbuf_fill(e->cb, va + 4 * (uint64_t)m, 4,
						       dev_float_bits((float)rt_get_d(sc, m))));
		if (!rc)
			rc = dev_done(e, accel_cmdbuf_fill(e->cb, va + 4 * (uint64_t)(ch + m), 4,
							   (uint32_t)z));
		if (rc)
			return rc;
	}
	return 0;
}

static int qdq_emit(struct ectx *e)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct ares_tensor_desc x, y;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	struct ares_tensor_desc *t = !strcmp(n->proto->op_type, "QuantizeLinear") ? &y : &x;
	const struct art_tensor *sc = param(s, n, 1), *zp = param(s, n, 2);
	int64_t staged = qdq_staged_channels(s, n);
	if (staged) {
		uint64_t va = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
		int rc = qdq_stage_block(e, staged, va);
		if (rc)
			return rc;
		t->quant = ARES_QUANT_PER_CHANNEL;
		t->quant_axis = (uint16_t)dev_norm_axis(rt_attr_i(n, "axis", 1), t->rank);
		t->qparams_va = va;
	} else if (qdq_channels(s, n) > 1) {
		t->quant = ARES_QUANT_PER_CHANNEL;
		t->quant_axis = (uint16_t)dev_norm_axis(rt_attr_i(n, "axis", 1), t->rank);
		t->qparams_va = e->weights_va + s->dev->nwofs[n - s->nodes];
	} else {
		t->quant = ARES_QUANT_PER_TENSOR;
		t->scale = dev_float_bits((float)rt_get_d(sc, 0));
		t->zero_point = (uint32_t)(zp ? (int32_t)rt_get_i(zp, 0) : 0);
	}
	struct ares_eltwise_params p = {.op = ARES_ELT_COPY};
	const struct ares_tensor_desc *in[1] = {&x};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, &y));
}

static const struct dev_form dev_form_qdq = {
	.check = qdq_check,
	.shapes = qdq_shapes,
	.emit = qdq_emit,
	.operands = 1u,
	.fuses_act = 0,
	.scratch = qdq_scratch,
};

/* A DQ -> Mul/Add by scalars -> Q chain fused into one node (device/
 * qdq.c): one ELTWISE AFFINE from the 8-bit x to the 8-bit y, each side
 * with its own scale and zero point (hw-spec 12.4: a quantised unary op
 * computes in f32 through the tensors' quantisation). Inputs: x, x_scale,
 * x_zero_point, y_scale, y_zero_point, all but x constants. */
static const char *qaffine_why(const struct art_session *s, const struct rt_node *n, int x)
{
	if (!n->dev_op)
		return "QAffine is the runtime's fused QDQ node, not an ONNX op";
	if (x != ART_INT8 && x != ART_UINT8)
		return "fused QDQ affine on a tensor that is not 8-bit";
	for (int i = 1; i < 5; i++)
		if (present(n, i) && !cparam(s, n, i))
			return "fused QDQ affine with a scale or zero point that is not a constant";
	const struct art_tensor *xs = cparam(s, n, 1), *xz = cparam(s, n, 2), *ys = cparam(s, n, 3),
				*yz = cparam(s, n, 4);
	if (!xs || !ys || xs->dtype != ART_FLOAT || ys->dtype != ART_FLOAT ||
	    art_tensor_elems(xs) != 1 || art_tensor_elems(ys) != 1 ||
	    (xz && art_tensor_elems(xz) != 1) || (yz && art_tensor_elems(yz) != 1))
		return "fused QDQ affine without per-tensor f32 scales";
	if ((yz ? yz->dtype : ART_UINT8) != x || (xz && xz->dtype != x))
		return "fused QDQ affine whose input and output dtypes differ (ELTWISE keeps one "
		       "dtype)";
	for (int i = 0; i < 2; i++) {
		double v = rt_get_d(i ? ys : xs, 0);
		if (!isfinite(v) || v <= 0 || v >= FLT_MAX / 256)
			return "a scale that is not finite, > 0 and below FLT_MAX / 256 (a "
			       "dequantised value that overflows, times 0, is NaN)";
	}
	if (!isfinite(n->qaff_alpha) || !isfinite(n->qaff_beta))
		return "fused QDQ affine with a constant that is not finite";
	return NULL;
}

static const char *qaffine_check(const struct dev_check *c)
{
	return qaffine_why(c->s, c->n, c->x);
}

static int qaffine_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	const char *why = qaffine_why(c->s, n, x->dtype);
	if (why)
		return dev_bad(c->s, n, why);
	static const int64_t one[1] = {1};
	int r0 = !x->ndim && n->qaff_rank1;
	dev_set_out(&c->dv[n->out[0]], x->dtype, r0 ? 1 : x->ndim, r0 ? one : x->dims);
	return 0;
}

static int qaffine_emit(struct ectx *e)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct ares_tensor_desc x, y;
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->out[0], &y);
	if (x.rank == 0 && y.rank == 1) { /* qaff_rank1: the one element as [1] */
		x.rank = 1;
		x.shape[0] = 1;
		x.stride[0] = 1;
	}
	const struct art_tensor *xz = cparam(s, n, 2), *yz = cparam(s, n, 4);
	x.quant = y.quant = ARES_QUANT_PER_TENSOR;
	x.scale = dev_float_bits((float)rt_get_d(cparam(s, n, 1), 0));
	x.zero_point = (uint32_t)(xz ? (int32_t)rt_get_i(xz, 0) : 0);
	y.scale = dev_float_bits((float)rt_get_d(cparam(s, n, 3), 0));
	y.zero_point = (uint32_t)(yz ? (int32_t)rt_get_i(yz, 0) : 0);
	struct ares_eltwise_params p = {.op = ARES_ELT_AFFINE,
					.alpha = dev_float_bits(n->qaff_alpha),
					.beta = dev_float_bits(n->qaff_beta)};
	const struct ares_tensor_desc *in[1] = {&x};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, &y));
}

static const struct dev_form dev_form_qaffine = {
	.check = qaffine_check,
	.shapes = qaffine_shapes,
	.emit = qaffine_emit,
	.operands = 1u,
	.fuses_act = 0,
};

/* DQ(a), DQ(b) -> Add, Sub or Mul -> Q fused into one node (device/qdq.c):
 * one quantised ELTWISE ADD/SUB/MUL, each operand and the output with its
 * own scale and zero point (hw-spec 12.4: computed in f32 and
 * requantised). Inputs: a, a_scale, a_zero_point, b, b_scale,
 * b_zero_point, y_scale, y_zero_point, all but a and b constants. */
static const char *qbinary_why(const struct art_session *s, const struct rt_node *n, int a, int b)
{
	if (!n->dev_op)
		return "QAdd, QSub and QMul are the runtime's fused QDQ nodes, not ONNX ops";
	if ((a != ART_INT8 && a != ART_UINT8) || b != a)
		return "fused QDQ binary op on operands that are not one 8-bit dtype";
	for (int i = 1; i < 8; i++)
		if (i != 3 && present(n, i) && !cparam(s, n, i))
			return "fused QDQ binary op with a scale or zero point that is not a "
			       "constant";
	static const int scales[3] = {1, 4, 6}; /* a's, b's and y's; the zero point next */
	for (int k = 0; k < 3; k++) {
		int i = scales[k];
		const struct art_tensor *sc = cparam(s, n, i), *zp = cparam(s, n, i + 1);
		if (!sc || sc->dtype != ART_FLOAT || art_tensor_elems(sc) != 1 ||
		    (zp && art_tensor_elems(zp) != 1))
			return "fused QDQ binary op without per-tensor f32 scales";
		/* A DQ without a zero point takes x's dtype; a Q's output is uint8. */
		if (zp ? zp->dtype != a : k == 2 && a != ART_UINT8)
			return "fused QDQ binary op whose operand and output dtypes differ "
			       "(ELTWISE keeps one dtype)";
		/* Below FLT_MAX / 256 no dequantised value overflows, so the
		 * sum or product is never NaN (which the two sides would not
		 * round alike). */
		double v = rt_get_d(sc, 0);
		if (!isfinite(v) || v <= 0 || v >= FLT_MAX / 256)
			return "a scale that is not finite, > 0 and below FLT_MAX / 256";
	}
	return NULL;
}

static const char *qbinary_check(const struct dev_check *c)
{
	return qbinary_why(c->s, c->n, c->x, dev_value_dtype(c->s, c->n->in[3]));
}

static int qbinary_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *a = &c->dv[n->in[0]], *b = &c->dv[n->in[3]];
	const char *why = qbinary_why(c->s, n, a->dtype, b->dtype);
	if (why)
		return dev_bad(c->s, n, why);
	int64_t dims[ART_MAX_DIMS];
	int r = a->ndim > b->ndim ? a->ndim : b->ndim;
	for (int k = 0; k < r; k++) {
		int ka = k - (r - a->ndim), kb = k - (r - b->ndim);
		int64_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
		if (da != db && da != 1 && db != 1)
			return dev_bad(c->s, n, "shapes do not broadcast");
		dims[k] = da == 1 ? db : da;
	}
	dev_set_out(&c->dv[n->out[0]], a->dtype, r, dims);
	return 0;
}

static int qbinary_emit(struct ectx *e)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc in[2], y;
	const struct ares_tensor_desc *pin[2] = {&in[0], &in[1]};
	for (int k = 0; k < 2; k++) {
		dev_desc_bcast(e, n->in[3 * k], ov->ndim, ov->dims, &in[k]);
		const struct art_tensor *zp = cparam(s, n, 3 * k + 2);
		in[k].quant = ARES_QUANT_PER_TENSOR;
		in[k].scale = dev_float_bits((float)rt_get_d(cparam(s, n, 3 * k + 1), 0));
		in[k].zero_point = (uint32_t)(zp ? (int32_t)rt_get_i(zp, 0) : 0);
	}
	dev_desc(e, n->out[0], &y);
	const struct art_tensor *yz = cparam(s, n, 7);
	y.quant = ARES_QUANT_PER_TENSOR;
	y.scale = dev_float_bits((float)rt_get_d(cparam(s, n, 6), 0));
	y.zero_point = (uint32_t)(yz ? (int32_t)rt_get_i(yz, 0) : 0);
	struct ares_eltwise_params p = {.op = (uint32_t)e->d->arg};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 2, pin, &y));
}

static const struct dev_form dev_form_qbinary = {
	.check = qbinary_check,
	.shapes = qbinary_shapes,
	.emit = qbinary_emit,
	.operands = 1u | 8u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
/*
 * DynamicQuantizeLinear (f32 to uint8) composed on the vector engine, in
 * the CPU kernel's binary32 steps: hi = max(0, REDUCE MAX x), lo = min(0,
 * REDUCE MIN x) (as -RELU(-v)), scale = (hi - lo) / 255; with s = scale,
 * or 1 where scale is 0 (x is all zeros: the kernel's zero point and
 * output are then 0, which 1 gives too), zp = CLIP(ROUND(-(lo / s)), 0,
 * 255) and y = ROUND(x / s) + zp, converted to uint8 (saturating).
 * Scratch: DQ_SLOTS scalars (one float each, the condition a BOOL in
 * its own), then x / s and its rounding.
 */
enum dq_slot {
	DQ_HI_RAW,
	DQ_LO_RAW,
	DQ_HI,
	DQ_NEG_LO,
	DQ_RELU_NEG_LO,
	DQ_LO,
	DQ_RANGE,
	DQ_255,
	DQ_SCALE,
	DQ_ZERO,
	DQ_ONE,
	DQ_IS_ZERO,
	DQ_SAFE,
	DQ_LO_Q,
	DQ_NEG_LO_Q,
	DQ_ZP_ROUND,
	DQ_ZP,
	DQ_SLOTS
};

static const char *dynq_check(const struct dev_check *c)
{
	return c->x == ART_FLOAT ? NULL : dev_float_only(c);
}

static int dynq_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	const struct dev_val *x = &c->dv[n->in[0]];
	if (x->ndim > 6 || dev_prod(x->dims, 0, x->ndim) < 1)
		return dev_bad(c->s, n, "DynamicQuantizeLinear of an empty tensor");
	dev_set_out(&c->dv[n->out[0]], ART_UINT8, x->ndim, x->dims);
	if (n->nout > 1 && n->out[1] >= 0)
		dev_set_out(&c->dv[n->out[1]], ART_FLOAT, 0, x->dims);
	if (n->nout > 2 && n->out[2] >= 0)
		dev_set_out(&c->dv[n->out[2]], ART_UINT8, 0, x->dims);
	return 0;
}

static uint64_t dynq_scratch(const struct dev_shape *c)
{
	const struct dev_val *x = &c->dv[c->n->in[0]];
	return DQ_SLOTS + 2 * (uint64_t)dev_prod(x->dims, 0, x->ndim);
}

/* A contiguous 1-D view of LEN elements of ARES dtype DT at VA. */
static void dq_vec(struct ares_tensor_desc *t, uint64_t va, int dt, int64_t len)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = (uint16_t)dt;
	t->rank = 1;
	t->shape[0] = (uint64_t)len;
	t->stride[0] = 1;
}

static int dq_elt(struct ectx *e, int op, float alpha, float beta, int nin,
		  const struct ares_tensor_desc *a, const struct ares_tensor_desc *b,
		  const struct ares_tensor_desc *c, const struct ares_tensor_desc *y)
{
	struct ares_eltwise_params p = {
		.op = (uint32_t)op, .alpha = dev_float_bits(alpha), .beta = dev_float_bits(beta)};
	const struct ares_tensor_desc *in[3] = {a, b, c};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, (uint32_t)nin, in, y));
}

static int dynq_emit(struct ectx *e)
{
	const struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *xv = &e->dv[n->in[0]];
	int64_t cnt = dev_prod(xv->dims, 0, xv->ndim);
	uint64_t sva = e->arena_va + e->dv[s->nvals + (n - s->nodes)].off;
	struct ares_tensor_desc v[DQ_SLOTS], x, t, r, tb, sb, zb, y;
	for (int k = 0; k < DQ_SLOTS; k++)
		dq_vec(&v[k], sva + 4 * (uint64_t)k,
		       k == DQ_IS_ZERO ? ARES_DTYPE_BOOL : ARES_DTYPE_F32, 1);
	dq_vec(&x, dev_va_of(e, n->in[0]), ARES_DTYPE_F32, cnt);
	dq_vec(&t, sva + 4 * DQ_SLOTS, ARES_DTYPE_F32, cnt);
	dq_vec(&r, sva + 4 * (DQ_SLOTS + (uint64_t)cnt), ARES_DTYPE_F32, cnt);
	dq_vec(&y, dev_va_of(e, n->out[0]), ARES_DTYPE_U8, cnt);
	/* The scalars broadcast over x by stride 0. */
	sb = v[DQ_SAFE];
	sb.shape[0] = (uint64_t)cnt;
	sb.stride[0] = 0;
	zb = v[DQ_ZP];
	zb.shape[0] = (uint64_t)cnt;
	zb.stride[0] = 0;
	tb = t;
	struct ares_reduce_params rmax = {.op = ARES_REDUCE_MAX, .axes = 1},
				  rmin = {.op = ARES_REDUCE_MIN, .axes = 1};
	int rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rmax, &x, &v[DQ_HI_RAW]));
	if (!rc)
		rc = dev_done(e, accel_cmdbuf_reduce(e->cb, &rmin, &x, &v[DQ_LO_RAW]));
	if (!rc)
		rc = dq_elt(e, ARES_ELT_RELU, 0, 0, 1, &v[DQ_HI_RAW], NULL, NULL, &v[DQ_HI]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_NEG, 0, 0, 1, &v[DQ_LO_RAW], NULL, NULL, &v[DQ_NEG_LO]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_RELU, 0, 0, 1, &v[DQ_NEG_LO], NULL, NULL,
			    &v[DQ_RELU_NEG_LO]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_NEG, 0, 0, 1, &v[DQ_RELU_NEG_LO], NULL, NULL, &v[DQ_LO]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_SUB, 0, 0, 2, &v[DQ_HI], &v[DQ_LO], NULL, &v[DQ_RANGE]);
	if (!rc)
		rc = dev_done(e,
			      accel_cmdbuf_fill_tensor(e->cb, dev_float_bits(255.0f), &v[DQ_255]));
	if (!rc)
		rc = dq_elt(e, ARES_ELT_DIV, 0, 0, 2, &v[DQ_RANGE], &v[DQ_255], NULL, &v[DQ_SCALE]);
	if (!rc)
		rc = dev_done(e,
			      accel_cmdbuf_fill_tensor(e->cb, dev_float_bits(0.0f), &v[DQ_ZERO]));
	if (!rc)
		rc = dev_done(e, accel_cmdbuf_fill_tensor(e->cb, dev_float_bits(1.0f), &v[DQ_ONE]));
	if (!rc)
		rc = dq_elt(e, ARES_ELT_EQUAL, 0, 0, 2, &v[DQ_SCALE], &v[DQ_ZERO], NULL,
			    &v[DQ_IS_ZERO]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_WHERE, 0, 0, 3, &v[DQ_IS_ZERO], &v[DQ_ONE], &v[DQ_SCALE],
			    &v[DQ_SAFE]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_DIV, 0, 0, 2, &v[DQ_LO], &v[DQ_SAFE], NULL, &v[DQ_LO_Q]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_NEG, 0, 0, 1, &v[DQ_LO_Q], NULL, NULL, &v[DQ_NEG_LO_Q]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_ROUND, 0, 0, 1, &v[DQ_NEG_LO_Q], NULL, NULL,
			    &v[DQ_ZP_ROUND]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_CLIP, 0, 255, 1, &v[DQ_ZP_ROUND], NULL, NULL, &v[DQ_ZP]);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_DIV, 0, 0, 2, &x, &sb, NULL, &t);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_ROUND, 0, 0, 1, &t, NULL, NULL, &r);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_ADD, 0, 0, 2, &r, &zb, NULL, &tb);
	if (!rc)
		rc = dq_elt(e, ARES_ELT_COPY, 0, 0, 1, &tb, NULL, NULL, &y);
	if (!rc && n->nout > 1 && n->out[1] >= 0) {
		struct ares_tensor_desc o;
		dq_vec(&o, dev_va_of(e, n->out[1]), ARES_DTYPE_F32, 1);
		rc = dq_elt(e, ARES_ELT_COPY, 0, 0, 1, &v[DQ_SCALE], NULL, NULL, &o);
	}
	if (!rc && n->nout > 2 && n->out[2] >= 0) {
		struct ares_tensor_desc o;
		dq_vec(&o, dev_va_of(e, n->out[2]), ARES_DTYPE_U8, 1);
		rc = dq_elt(e, ARES_ELT_COPY, 0, 0, 1, &v[DQ_ZP], NULL, NULL, &o);
	}
	return rc;
}

static const struct dev_form dev_form_dynq = {
	.check = dynq_check,
	.shapes = dynq_shapes,
	.emit = dynq_emit,
	.operands = 1u,
	.outputs = 6u,
	.scratch = dynq_scratch,
};

static const struct dev_op quant_ops[] = {
	{"DequantizeLinear", DK_QDQ, 0, &dev_form_qdq},
	{"QuantizeLinear", DK_QDQ, 0, &dev_form_qdq},
	{"QAffine", DK_VECTOR, 0, &dev_form_qaffine},
	{"QAdd", DK_VECTOR, ARES_ELT_ADD, &dev_form_qbinary},
	{"QSub", DK_VECTOR, ARES_ELT_SUB, &dev_form_qbinary},
	{"QMul", DK_VECTOR, ARES_ELT_MUL, &dev_form_qbinary},
	{"DynamicQuantizeLinear", DK_VECTOR, 0, &dev_form_dynq},
};

const struct dev_op_family dev_ops_quant = DEV_OP_FAMILY(quant_ops);
