// SPDX-License-Identifier: MIT
/*
 * AVX-512 micro-kernels (F for f32, BW for the int16 madd), compiled for
 * that target only here and called only when the CPU has it (isa.c). They
 * cover two neighbouring B panels at once, 6x32: twelve zmm accumulators
 * keep both FMA ports busy, with two B loads and six broadcasts per k.
 */
#include <immintrin.h>

#include "internal.h"

#define AVX512 __attribute__((target("avx512f,avx512bw")))

AVX512 void ck_kern2_f32_avx512(int64_t kc, const float *a, const float *b0p, const float *b1p,
				float *c, int64_t ldc)
{
	__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
	__m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

	for (int64_t k = 0; k < kc; k++, a += CK_MR, b0p += CK_NR, b1p += CK_NR) {
		__m512 b0 = _mm512_loadu_ps(b0p), b1 = _mm512_loadu_ps(b1p), x;

		x = _mm512_set1_ps(a[0]);
		c00 = _mm512_fmadd_ps(x, b0, c00);
		c01 = _mm512_fmadd_ps(x, b1, c01);
		x = _mm512_set1_ps(a[1]);
		c10 = _mm512_fmadd_ps(x, b0, c10);
		c11 = _mm512_fmadd_ps(x, b1, c11);
		x = _mm512_set1_ps(a[2]);
		c20 = _mm512_fmadd_ps(x, b0, c20);
		c21 = _mm512_fmadd_ps(x, b1, c21);
		x = _mm512_set1_ps(a[3]);
		c30 = _mm512_fmadd_ps(x, b0, c30);
		c31 = _mm512_fmadd_ps(x, b1, c31);
		x = _mm512_set1_ps(a[4]);
		c40 = _mm512_fmadd_ps(x, b0, c40);
		c41 = _mm512_fmadd_ps(x, b1, c41);
		x = _mm512_set1_ps(a[5]);
		c50 = _mm512_fmadd_ps(x, b0, c50);
		c51 = _mm512_fmadd_ps(x, b1, c51);
	}
#define ACC(r, lo, hi)                                                                             \
	do {                                                                                       \
		float *p = c + (r)*ldc;                                                            \
		_mm512_storeu_ps(p, _mm512_add_ps(_mm512_loadu_ps(p), lo));                        \
		_mm512_storeu_ps(p + 16, _mm512_add_ps(_mm512_loadu_ps(p + 16), hi));              \
	} while (0)
	ACC(0, c00, c01);
	ACC(1, c10, c11);
	ACC(2, c20, c21);
	ACC(3, c30, c31);
	ACC(4, c40, c41);
	ACC(5, c50, c51);
#undef ACC
}

AVX512 void ck_kern2_i16_avx512(int64_t kc, const int16_t *a, const int16_t *b0p,
				const int16_t *b1p, int32_t *c, int64_t ldc)
{
	__m512i c00 = _mm512_setzero_si512(), c01 = c00, c10 = c00, c11 = c00, c20 = c00;
	__m512i c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

	for (int64_t k = 0; k < kc; k += 2, a += 2 * CK_MR, b0p += 2 * CK_NR, b1p += 2 * CK_NR) {
		__m512i b0 = _mm512_loadu_si512(b0p), b1 = _mm512_loadu_si512(b1p), x;
		int32_t pair;

#define ROW(i, lo, hi)                                                                             \
	do {                                                                                       \
		memcpy(&pair, a + 2 * (i), 4);                                                     \
		x = _mm512_set1_epi32(pair);                                                       \
		lo = _mm512_add_epi32(lo, _mm512_madd_epi16(x, b0));                               \
		hi = _mm512_add_epi32(hi, _mm512_madd_epi16(x, b1));                               \
	} while (0)
		ROW(0, c00, c01);
		ROW(1, c10, c11);
		ROW(2, c20, c21);
		ROW(3, c30, c31);
		ROW(4, c40, c41);
		ROW(5, c50, c51);
#undef ROW
	}
#define ACC(r, lo, hi)                                                                             \
	do {                                                                                       \
		int32_t *p = c + (r)*ldc;                                                          \
		_mm512_storeu_si512(p, _mm512_add_epi32(_mm512_loadu_si512(p), lo));               \
		_mm512_storeu_si512(p + 16, _mm512_add_epi32(_mm512_loadu_si512(p + 16), hi));     \
	} while (0)
	ACC(0, c00, c01);
	ACC(1, c10, c11);
	ACC(2, c20, c21);
	ACC(3, c30, c31);
	ACC(4, c40, c41);
	ACC(5, c50, c51);
#undef ACC
}
