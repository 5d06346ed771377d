// SPDX-License-Identifier: MIT
/*
 * MATMUL: MatMul / Gemm (alpha, beta, C, transposes, batch broadcast by
 * stride 0), QLinearMatMul and MatMulInteger, on the GEMM driver.
 */
#include "internal.h"

struct mm {
	const struct compute_tensor *a, *b, *c, *y;
	int64_t am, ak, bk, bn; /* element strides of the matrix dims */
	float alpha, beta, act_alpha, act_beta;
	uint32_t act;
	int32_t za;
	const int32_t *zb; /* per column (zb_step 1) or one (0) */
	int64_t zb_step;
	const float *sb;
	float sa;
};

/* Offset of batch @bi (flattened over y's batch dims) in @t. */
static int64_t batch_off(const struct compute_tensor *t, const struct compute_tensor *y, int64_t bi)
{
	int64_t off = 0;

	for (int d = (int)y->rank - 3; d >= 0; d--) {
		off += bi % y->shape[d] * t->stride[d];
		bi /= y->shape[d];
	}
	return off;
}

void ck_load_i32_zp(uint32_t dtype, const void *p, int64_t stride, int64_t n, const int32_t *z,
		    int64_t zstep, int32_t *dst)
{
	if (dtype == ARES_DTYPE_I8)
		for (int64_t i = 0; i < n; i++)
			dst[i] = ((const int8_t *)p)[i * stride] - z[i * zstep];
	else
		for (int64_t i = 0; i < n; i++)
			dst[i] = ((const uint8_t *)p)[i * stride] - z[i * zstep];
}

static void mm_pack_a(const struct ck_gemm *g, int64_t bi, int64_t r0, int64_t rn, int64_t k0,
		      int64_t kn, void *row, void *dst)
{
	const struct mm *m = g->ctx;
	const char *base = ck_ptr(m->a, batch_off(m->a, m->y, bi) + r0 * m->am);
	int64_t es = compute_dtype_size(m->a->dtype), kp = ck_kpad(g, kn);

	ck_pack_clear(g, CK_MR, rn, kn, dst);
	for (int64_t k = 0; k < kn; k++) {
		const char *p = base + (k0 + k) * m->ak * es;

		if (g->is_int) {
			ck_load_i32_zp(m->a->dtype, p, m->am, rn, &m->za, 0, row);
			ck_panel_put_i16(dst, CK_MR, kp, k, row, rn);
		} else {
			ck_load_f32(m->a->dtype, p, m->am, rn, NULL, row);
			ck_panel_put_f32(dst, CK_MR, kp, k, row, rn);
		}
	}
}

static void mm_pack_b(const struct ck_gemm *g, int64_t bi, int64_t r0, int64_t rn, int64_t k0,
		      int64_t kn, void *row, void *dst)
{
	const struct mm *m = g->ctx;
	const char *base = ck_ptr(m->b, batch_off(m->b, m->y, bi) + r0 * m->bn);
	int64_t es = compute_dtype_size(m->b->dtype), kp = ck_kpad(g, kn);

	ck_pack_clear(g, CK_NR, rn, kn, dst);
	for (int64_t k = 0; k < kn; k++) {
		const char *p = base + (k0 + k) * m->bk * es;

		if (g->is_int) {
			ck_load_i32_zp(m->b->dtype, p, m->bn, rn, m->zb + r0 * m->zb_step,
				       m->zb_step, row);
			ck_panel_put_i16(dst, CK_NR, kp, k, row, rn);
		} else {
			ck_load_f32(m->b->dtype, p, m->bn, rn, NULL, row);
			ck_panel_put_f32(dst, CK_NR, kp, k, row, rn);
		}
	}
}

static void mm_store(const struct ck_gemm *g, int64_t bi, int64_t m0, int64_t mn, int64_t n0,
		     int64_t nn, const void *acc, int64_t ldc)
{
	const struct mm *m = g->ctx;
	const struct compute_tensor *y = m->y;
	unsigned int r = y->rank;
	int64_t yoff = batch_off(y, y, bi), coff = m->c ? batch_off(m->c, y, bi) : 0;
	float v[NT_STORE];
	struct ck_qrow q;
	int64_t idx[ARES_MAX_RANK] = {0};

	ck_qrow_of(y, idx, r - 1, &q);
	for (int64_t i = 0; i < mn; i++) {
		int64_t row = m0 + i;
		char *yp = ck_ptr(y, yoff + row * y->stride[r - 2] + n0 * y->stride[r - 1]);

		for (int64_t j0 = 0; j0 < nn; j0 += NT_STORE) {
			int64_t c = nn - j0 < NT_STORE ? nn - j0 : NT_STORE;
			char *p = yp + j0 * y->stride[r - 1] * compute_dtype_size(y->dtype);

			if (g->is_int) {
				const int32_t *a = (const int32_t *)acc + i * ldc + j0;

				if (y->dtype == ARES_DTYPE_I32) {
					for (int64_t j = 0; j < c; j++)
						((int32_t *)p)[j * y->stride[r - 1]] = a[j];
					continue;
				}
				for (int64_t j = 0; j < c; j++)
					v[j] = (float)a[j] *
					       (m->sa * m->sb[(n0 + j0 + j) * m->zb_step]);
			} else {
				const float *a = (const float *)acc + i * ldc + j0;

				for (int64_t j = 0; j < c; j++)
					v[j] = m->alpha * a[j];
				if (m->c) {
					float cv[NT_STORE];
					const struct compute_tensor *ct = m->c;

					ck_load_f32(
						ct->dtype,
						ck_ptr(ct, coff + row * ct->stride[r - 2] +
								   (n0 + j0) * ct->stride[r - 1]),
						ct->stride[r - 1], c, NULL, cv);
					for (int64_t j = 0; j < c; j++)
						v[j] += m->beta * cv[j];
				}
			}
			ck_activate(m->act, m->act_alpha, m->act_beta, v, c);
			ck_store_f32(y->dtype, p, y->stride[r - 1], c, &q, v);
		}
	}
}

uint32_t compute_matmul(struct compute_workers *w, const struct ares_matmul_params *p,
			const struct compute_tensor *a, const struct compute_tensor *b,
			const struct compute_tensor *c, const struct compute_tensor *y,
			struct compute_stats *st)
{
	struct mm m = {.a = a, .b = b, .y = y};
	struct ck_gemm g = {.pack_a = mm_pack_a, .pack_b = mm_pack_b, .store = mm_store, .ctx = &m};
	static const int32_t zero;
	static const float one = 1.0f;
	unsigned int r;
	int64_t M, N, K, ka, kb;

	if (!ck_tensor_ok(a) || !ck_tensor_ok(b) || !ck_tensor_ok(y) || p->flags & ~3u ||
	    !ck_act_ok(p->activation))
		return CK_INVAL;
	r = y->rank;
	if (r < 2 || a->rank != r || b->rank != r)
		return CK_INVAL;
	for (unsigned int d = 0; d + 2 < r; d++)
		if (a->shape[d] != y->shape[d] || b->shape[d] != y->shape[d])
			return CK_INVAL;
	M = y->shape[r - 2];
	N = y->shape[r - 1];
	if (p->flags & ARES_MATMUL_TRANS_A) {
		ka = a->shape[r - 2];
		m.ak = a->stride[r - 2], m.am = a->stride[r - 1];
		if (a->shape[r - 1] != M)
			return CK_INVAL;
	} else {
		ka = a->shape[r - 1];
		m.am = a->stride[r - 2], m.ak = a->stride[r - 1];
		if (a->shape[r - 2] != M)
			return CK_INVAL;
	}
	if (p->flags & ARES_MATMUL_TRANS_B) {
		kb = b->shape[r - 1];
		m.bn = b->stride[r - 2], m.bk = b->stride[r - 1];
		if (b->shape[r - 2] != N)
			return CK_INVAL;
	} else {
		kb = b->shape[r - 2];
		m.bk = b->stride[r - 2], m.bn = b->stride[r - 1];
		if (b->shape[r - 1] != N)
			return CK_INVAL;
	}
	if (ka != kb)
		return CK_INVAL;
	K = ka;
	if (c && c->dtype != ARES_DTYPE_NONE) {
		if (!ck_tensor_ok(c) || !ck_same_shape(c, y) || !ck_is_float(c->dtype))
			return CK_INVAL;
		m.c = c;
	}
	m.alpha = ck_f32(p->alpha);
	m.beta = ck_f32(p->beta);
	m.act = p->activation;
	m.act_alpha = ck_f32(p->act_alpha);
	m.act_beta = ck_f32(p->act_beta);
	if (ck_is_float(a->dtype) && ck_is_float(b->dtype) && ck_is_float(y->dtype)) {
		g.is_int = 0;
	} else if (ck_is_int8(a->dtype) && ck_is_int8(b->dtype) &&
		   (ck_is_int8(y->dtype) || y->dtype == ARES_DTYPE_I32)) {
		unsigned int naxis = p->flags & ARES_MATMUL_TRANS_B ? r - 2 : r - 1;

		if (m.c || a->quant == ARES_QUANT_PER_CHANNEL || y->quant == ARES_QUANT_PER_CHANNEL)
			return CK_INVAL;
		if (y->dtype == ARES_DTYPE_I32 && p->activation != ARES_ACT_NONE)
			return CK_INVAL;
		g.is_int = 1;
		m.za = a->quant == ARES_QUANT_PER_TENSOR ? a->zero_point : 0;
		m.sa = a->quant == ARES_QUANT_PER_TENSOR ? a->scale : 1.0f;
		m.zb = &zero, m.sb = &one, m.zb_step = 0;
		if (b->quant == ARES_QUANT_PER_TENSOR) {
			m.zb = &b->zero_point, m.sb = &b->scale;
		} else if (b->quant == ARES_QUANT_PER_CHANNEL) {
			if (b->quant_axis != naxis)
				return CK_INVAL;
			m.zb = b->zero_points, m.sb = b->scales, m.zb_step = 1;
		}
	} else {
		return CK_INVAL;
	}
	g.batch = 1;
	for (unsigned int d = 0; d + 2 < r; d++)
		g.batch *= y->shape[d];
	g.M = M, g.N = N, g.K = K;
	if (g.is_int ? ck_dnnl_matmul_int(w, &g, a, b, y, m.am, m.ak, m.bk, m.bn, m.za, m.zb,
					  m.zb_step)
		     : ck_dnnl_matmul(w, p, a, b, m.c, y, m.am, m.ak, m.bk, m.bn, K))
		ck_gemm_run(w, &g);
	if (st) {
		st->macs += (uint64_t)(g.batch * M * N * K);
		st->bytes += (uint64_t)(ck_numel(a) * compute_dtype_size(a->dtype) +
					ck_numel(b) * compute_dtype_size(b->dtype) +
					ck_numel(y) * compute_dtype_size(y->dtype));
	}
	return CK_OK;
}

/* The op table's entry for MATMUL (compute.h). */
uint32_t compute_cmd_matmul(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			    const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_matmul *c = (const void *)cmd;

	return compute_matmul(w, &c->p, &v[0], &v[1], &v[2], &v[3], cs);
}
