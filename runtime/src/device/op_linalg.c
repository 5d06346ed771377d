// SPDX-License-Identifier: MIT
/*
 * Gemm and MatMul on the device.
 * Each op's row of the device table: placement check, output shapes,
 * commands (device/ops.c).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/common.h"

static const char *gemm_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	int y = c->y;
	if (!dev_is_float(x) || !dev_is_float(y))
		return dev_float_only(c);
	if (x != y)
		return "Gemm operands of different dtypes";
	/* MATMUL's C is F32 whatever a's float dtype (hw-spec §12.3). */
	if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT &&
	    !dev_widened_param(s, n->in[2]))
		return "Gemm bias is not float32";
	return NULL;
}

static const char *matmul_check(const struct dev_check *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	int x = c->x;
	int y = c->y;
	if (!dev_is_float(x) || !dev_is_float(y))
		return dev_float_only(c);
	if (x != y)
		return "MatMul operands of different dtypes";
	if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT &&
	    !dev_widened_param(s, n->in[2]))
		return "fused MatMul bias is not float32";
	return NULL;
}

static int gemm_shapes(const struct dev_shape *c)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *dv = c->dv;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	struct dev_val *b = &dv[n->in[1]];
	if (x->ndim != 2 || b->ndim != 2)
		return dev_bad(s, n, "Gemm operands are not 2-D");
	int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
	dims[0] = x->dims[ta ? 1 : 0];
	dims[1] = b->dims[tb ? 0 : 1];
	if (x->dims[ta ? 0 : 1] != b->dims[tb ? 1 : 0])
		return dev_bad(s, n, "inner dimensions differ");
	dev_set_out(o, x->dtype, 2, dims);
	return 0;
}

/* MatMul's output shape with B at input IB and output dtype ODT. */
static int matmul_shapes_of(const struct dev_shape *c, int ib, int odt)
{
	struct art_session *s = c->s;
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *b = &c->dv[n->in[ib]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t dims[ART_MAX_DIMS];
	int nd;
	if (x->ndim < 1 || b->ndim < 1)
		return dev_bad(s, n, "scalar operand");
	int rc = rt_matmul_dims(x->dims, x->ndim, b->dims, b->ndim, dims, &nd);
	if (rc == -1)
		return dev_bad(s, n, "inner dimensions differ");
	if (rc)
		return dev_bad(s, n, "batch dimensions do not broadcast");
	dev_set_out(o, odt, nd, dims);
	return 0;
}

static int matmul_shapes(const struct dev_shape *c)
{
	return matmul_shapes_of(c, 1, c->dv[c->n->in[0]].dtype);
}

static int gemm_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc w;
	struct ares_tensor_desc c;
	int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
	dev_desc(e, n->in[0], &x);
	dev_desc(e, n->in[1], &w);
	dev_desc(e, n->out[0], &y);
	int hasc = n->nin > 2 && n->in[2] >= 0;
	if (hasc)
		dev_desc_bcast(e, n->in[2], 2, ov->dims, &c);
	struct ares_matmul_params p = {
		.flags = (ta ? ARES_MATMUL_TRANS_A : 0) | (tb ? ARES_MATMUL_TRANS_B : 0),
		.activation = (uint32_t)n->act,
		.alpha = F32_BITS(rt_attr_f(n, "alpha", 1.0f)),
		.beta = F32_BITS(hasc ? rt_attr_f(n, "beta", 1.0f) : 0.0f),
		.act_alpha = F32_BITS(n->act_alpha),
		.act_beta = F32_BITS(n->act_beta),
	};
	return dev_done(e, accel_cmdbuf_matmul(cb, &p, &x, &w, hasc ? &c : NULL, &y));
}

/* MatMul's MATMUL with B at input IB and C at IC (-1: none); QUANT: the
 * QOperator form's quantisation (device/quant.c). */
static int matmul_emit_of(struct ectx *e, int ib, int ic, int quant)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	struct dev_val *dv = e->dv;
	accel_cmdbuf *cb = e->cb;
	struct dev_val *xv = &e->dv[n->in[0]];
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
	struct ares_tensor_desc w;
	struct ares_tensor_desc c;
	struct dev_val *bv = &dv[n->in[ib]];
	int64_t ad[ART_MAX_DIMS], bd[ART_MAX_DIMS], yd[ART_MAX_DIMS];
	int ra = xv->ndim, rb = bv->ndim;
	memcpy(ad, xv->dims, sizeof(ad));
	memcpy(bd, bv->dims, sizeof(bd));
	if (ra == 1) {
		ad[1] = ad[0];
		ad[0] = 1;
		ra = 2;
	}
	if (rb == 1) {
		bd[1] = 1;
		rb = 2;
	}
	int r = ra > rb ? ra : rb;
	if (r > ARES_MAX_RANK)
		return dev_bad(s, n, "more than 6 dimensions");
	for (int k = 0; k < r - 2; k++) {
		int64_t da = k - (r - ra) >= 0 ? ad[k - (r - ra)] : 1;
		int64_t db = k - (r - rb) >= 0 ? bd[k - (r - rb)] : 1;
		yd[k] = da > db ? da : db;
	}
	yd[r - 2] = ad[ra - 2];
	yd[r - 1] = bd[rb - 1];
	struct ares_tensor_desc a0, b0;
	dev_desc_dims(e, n->in[0], ra, ad, &a0);
	dev_desc_dims(e, n->in[ib], rb, bd, &b0);
	dev_desc_dims(e, n->out[0], r, yd, &y);
	/* Batch dims aligned right, stride 0 where broadcast. */
	struct ares_tensor_desc *src[2] = {&a0, &b0}, *dst[2] = {&x, &w};
	int rk[2] = {ra, rb};
	for (int i = 0; i < 2; i++) {
		*dst[i] = *src[i];
		dst[i]->rank = (uint16_t)r;
		for (int k = 0; k < r; k++) {
			int j = k - (r - rk[i]);
			if (k >= r - 2) {
				dst[i]->shape[k] = src[i]->shape[j];
				dst[i]->stride[k] = src[i]->stride[j];
			} else {
				dst[i]->shape[k] = (uint64_t)yd[k];
				dst[i]->stride[k] =
					j >= 0 && src[i]->shape[j] != 1 ? src[i]->stride[j] : 0;
			}
		}
	}
	/* A bias fused in by graph optimisation (graph/fuse.c) is C. */
	int hasc = ic >= 0 && n->nin > ic && n->in[ic] >= 0, rc;
	if (hasc)
		dev_desc_bcast(e, n->in[ic], r, yd, &c);
	if (quant && (rc = dev_quant_desc(e, &x, &w, &y, (unsigned)r - 1)))
		return rc;
	struct ares_matmul_params p = {.activation = (uint32_t)n->act,
				       .alpha = F32_BITS(1.0f),
				       .beta = F32_BITS(hasc ? 1.0f : 0.0f),
				       .act_alpha = F32_BITS(n->act_alpha),
				       .act_beta = F32_BITS(n->act_beta)};
	return dev_done(e, accel_cmdbuf_matmul(cb, &p, &x, &w, hasc ? &c : NULL, &y));
}

static int matmul_emit(struct ectx *e)
{
	return matmul_emit_of(e, 1, 2, 0);
}

/* QLinearMatMul and MatMulInteger: MATMUL on 8-bit operands, B's
 * channels along N (device/quant.c). */
static int qmatmul_shapes(const struct dev_shape *c)
{
	int rc = dev_quant_plan_check(c);
	if (rc)
		return rc;
	return matmul_shapes_of(c, dev_quant_weight_input(c->n), dev_quant_out_dtype(c->s, c->n));
}

static int qmatmul_emit(struct ectx *e)
{
	return matmul_emit_of(e, dev_quant_weight_input(e->n), -1, 1);
}

static const struct dev_form dev_form_gemm = {
	.check = gemm_check,
	.shapes = gemm_shapes,
	.emit = gemm_emit,
	.operands = 7u,
	.fuses_act = 1,
};

static const struct dev_form dev_form_matmul = {
	.check = matmul_check,
	.shapes = matmul_shapes,
	.emit = matmul_emit,
	.operands = 7u,
	.fuses_act = 1,
};

/* Operands: A and B (input 3 of QLinearMatMul, 1 of MatMulInteger). */
static const struct dev_form dev_form_qlinear_matmul = {
	.check = dev_quant_check,
	.shapes = qmatmul_shapes,
	.emit = qmatmul_emit,
	.operands = 9u,
	/* Only a fused QDQ pattern (device/qdq.c) brings one. */
	.fuses_act = 1,
};

static const struct dev_form dev_form_matmul_integer = {
	.check = dev_quant_check,
	.shapes = qmatmul_shapes,
	.emit = qmatmul_emit,
	.operands = 3u,
	.fuses_act = 0,
};

/* This family's rows of the device table (device/ops.c). */
static const struct dev_op linalg_ops[] = {
	{"Gemm", DK_GEMM, 0, &dev_form_gemm},
	{"MatMul", DK_MATMUL, 0, &dev_form_matmul},
	{"MatMulInteger", DK_QMATMUL, 0, &dev_form_matmul_integer},
	{"QLinearMatMul", DK_QMATMUL, 0, &dev_form_qlinear_matmul},
};

const struct dev_op_family dev_ops_linalg = DEV_OP_FAMILY(linalg_ops);
