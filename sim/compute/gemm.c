// SPDX-License-Identifier: MIT
/*
 * The GEMM driver every tensor-engine op runs on. Work is split into
 * (batch, row block, column block) tasks for the worker pool; each task
 * packs its operands into MR- and NR-wide panels (the packers convert
 * dtypes, apply transposes and strides, subtract zero points and build
 * im2col on the fly, so no operand is materialised) and runs a
 * register-blocked micro-kernel over them: a kc x NR panel of B stays in
 * L1 while the A block streams from L2.
 */
#include <stdlib.h>

#include "internal.h"

#define KC     256
#define MT_MAX 192 /* rows per task: a multiple of CK_MR */
#define NT_MAX 512 /* columns per task: a multiple of CK_NR */

void ck_kern_f32_scalar(int64_t kc, const float *a, const float *b, float *c, int64_t ldc)
{
	float acc[CK_MR][CK_NR] = {{0}};

	for (int64_t k = 0; k < kc; k++, a += CK_MR, b += CK_NR)
		for (int i = 0; i < CK_MR; i++)
			for (int j = 0; j < CK_NR; j++)
				acc[i][j] += a[i] * b[j];
	for (int i = 0; i < CK_MR; i++)
		for (int j = 0; j < CK_NR; j++)
			c[i * ldc + j] += acc[i][j];
}

void ck_kern_i16_scalar(int64_t kc, const int16_t *a, const int16_t *b, int32_t *c, int64_t ldc)
{
	/* Unsigned so that a wrapping i32 accumulator is defined behaviour. */
	uint32_t acc[CK_MR][CK_NR] = {{0}};

	for (int64_t k = 0; k < kc; k += 2, a += 2 * CK_MR, b += 2 * CK_NR)
		for (int i = 0; i < CK_MR; i++)
			for (int j = 0; j < CK_NR; j++)
				acc[i][j] += (uint32_t)(a[2 * i] * b[2 * j] +
							a[2 * i + 1] * b[2 * j + 1]);
	for (int i = 0; i < CK_MR; i++)
		for (int j = 0; j < CK_NR; j++)
			c[i * ldc + j] = (int32_t)((uint32_t)c[i * ldc + j] + acc[i][j]);
}

void ck_panel_put_f32(float *dst, int64_t R, int64_t kp, int64_t k, const float *v, int64_t rn)
{
	for (int64_t r0 = 0; r0 < rn; r0 += R) {
		float *p = dst + (r0 / R) * kp * R + k * R;
		int64_t n = rn - r0 < R ? rn - r0 : R;

		memcpy(p, v + r0, (size_t)n * sizeof(float));
	}
}

void ck_panel_put_i16(int16_t *dst, int64_t R, int64_t kp, int64_t k, const int32_t *v, int64_t rn)
{
	for (int64_t r0 = 0; r0 < rn; r0 += R) {
		int16_t *p = dst + (r0 / R) * kp * R + (k / 2) * R * 2 + (k & 1);
		int64_t n = rn - r0 < R ? rn - r0 : R;

		for (int64_t i = 0; i < n; i++)
			p[2 * i] = (int16_t)v[r0 + i];
	}
}

void ck_pack_clear(const struct ck_gemm *g, int64_t R, int64_t rn, int64_t kn, void *dst)
{
	int64_t kp = ck_kpad(g, kn);

	if (rn % R || kp != kn)
		memset(dst, 0, (size_t)((rn + R - 1) / R * R * kp) * (g->is_int ? 2 : 4));
}

struct gemm_job {
	const struct ck_gemm *g;
	int64_t mt, nt, mtiles, ntiles;
	enum ck_isa isa;
};

static void gemm_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct gemm_job *j = ctx;
	const struct ck_gemm *g = j->g;
	int64_t b = t / (j->mtiles * j->ntiles), rest = t % (j->mtiles * j->ntiles);
	int64_t m0 = rest / j->ntiles * j->mt, n0 = rest % j->ntiles * j->nt;
	int64_t mn = g->M - m0 < j->mt ? g->M - m0 : j->mt;
	int64_t nn = g->N - n0 < j->nt ? g->N - n0 : j->nt;
	int64_t mp = (mn + CK_MR - 1) / CK_MR * CK_MR, np = (nn + CK_NR - 1) / CK_NR * CK_NR;
	int64_t ldc = np, es = g->is_int ? 2 : 4;
	void *cbuf, *ap, *bp, *row;

	(void)worker;
	{
		size_t cs = (size_t)(mp * np) * 4, as = (size_t)(mp * (KC + 1) * es);
		size_t bs = (size_t)(np * (KC + 1) * es), rs = (size_t)((mp > np ? mp : np) * 8);
		char *s;

		cs = (cs + 63) & ~(size_t)63, as = (as + 63) & ~(size_t)63,
		bs = (bs + 63) & ~(size_t)63;
		s = ck_scratch(cs + as + bs + rs);
		cbuf = s, ap = s + cs, bp = s + cs + as, row = s + cs + as + bs;
		memset(cbuf, 0, cs);
	}
	for (int64_t k0 = 0; k0 < g->K; k0 += KC) {
		int64_t kn = g->K - k0 < KC ? g->K - k0 : KC, kp = ck_kpad(g, kn);

		g->pack_b(g, b, n0, nn, k0, kn, row, bp);
		g->pack_a(g, b, m0, mn, k0, kn, row, ap);
		for (int64_t jr = 0; jr < np;) {
			/* AVX-512 takes two B panels per call while there are two. */
			int pair = j->isa == CK_ISA_AVX512 && jr + CK_NR < np;

			for (int64_t ir = 0; ir < mp; ir += CK_MR) {
				if (g->is_int) {
					const int16_t *a = (const int16_t *)ap + ir * kp;
					const int16_t *bb = (const int16_t *)bp + jr * kp;
					int32_t *c = (int32_t *)cbuf + ir * ldc + jr;

					if (pair)
						ck_kern2_i16_avx512(kp, a, bb, bb + CK_NR * kp, c,
								    ldc);
					else if (j->isa >= CK_ISA_AVX2)
						ck_kern_i16_avx2(kp, a, bb, c, ldc);
					else
						ck_kern_i16_scalar(kp, a, bb, c, ldc);
				} else {
					const float *a = (const float *)ap + ir * kp;
					const float *bb = (const float *)bp + jr * kp;
					float *c = (float *)cbuf + ir * ldc + jr;

					if (pair)
						ck_kern2_f32_avx512(kp, a, bb, bb + CK_NR * kp, c,
								    ldc);
					else if (j->isa >= CK_ISA_AVX2)
						ck_kern_f32_avx2(kp, a, bb, c, ldc);
					else
						ck_kern_f32_scalar(kp, a, bb, c, ldc);
				}
			}
			jr += pair ? 2 * CK_NR : CK_NR;
		}
	}
	g->store(g, b, m0, mn, n0, nn, cbuf, ldc);
}

void ck_gemm_run(struct compute_workers *w, const struct ck_gemm *g)
{
	struct gemm_job j = {.g = g, .mt = MT_MAX, .nt = NT_MAX, .isa = ck_isa()};
	int64_t want = 2 * (int64_t)ck_nthreads(w);

	if (g->batch <= 0 || g->M <= 0 || g->N <= 0)
		return;
	/* Smaller tiles until every thread has work (and a spare for balance). */
	for (;;) {
		j.mtiles = (g->M + j.mt - 1) / j.mt;
		j.ntiles = (g->N + j.nt - 1) / j.nt;
		if (g->batch * j.mtiles * j.ntiles >= want || ck_nthreads(w) == 1)
			break;
		if (j.nt > 4 * CK_NR && j.nt >= j.mt && g->N > j.nt / 2)
			j.nt /= 2;
		else if (j.mt > 4 * CK_MR && g->M > j.mt / 2)
			j.mt /= 2;
		else
			break;
	}
	ck_parallel(w, g->batch * j.mtiles * j.ntiles, gemm_task, &j);
}
