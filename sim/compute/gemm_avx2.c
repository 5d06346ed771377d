// SPDX-License-Identifier: MIT
/*
 * AVX2+FMA micro-kernels, compiled for that target only here and called
 * only when the CPU has it (isa.c). 6x16 tiles: 12 ymm accumulators, two B
 * vectors and a broadcast A element per step.
 */
#include <immintrin.h>

#include "internal.h"

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 void ck_kern_f32_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc)
{
	__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
	__m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

	for (int64_t k = 0; k < kc; k++, a += CK_MR, b += CK_NR) {
		__m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), x;

		x = _mm256_broadcast_ss(a + 0);
		c00 = _mm256_fmadd_ps(x, b0, c00);
		c01 = _mm256_fmadd_ps(x, b1, c01);
		x = _mm256_broadcast_ss(a + 1);
		c10 = _mm256_fmadd_ps(x, b0, c10);
		c11 = _mm256_fmadd_ps(x, b1, c11);
		x = _mm256_broadcast_ss(a + 2);
		c20 = _mm256_fmadd_ps(x, b0, c20);
		c21 = _mm256_fmadd_ps(x, b1, c21);
		x = _mm256_broadcast_ss(a + 3);
		c30 = _mm256_fmadd_ps(x, b0, c30);
		c31 = _mm256_fmadd_ps(x, b1, c31);
		x = _mm256_broadcast_ss(a + 4);
		c40 = _mm256_fmadd_ps(x, b0, c40);
		c41 = _mm256_fmadd_ps(x, b1, c41);
		x = _mm256_broadcast_ss(a + 5);
		c50 = _mm256_fmadd_ps(x, b0, c50);
		c51 = _mm256_fmadd_ps(x, b1, c51);
	}
#define ACC(r, lo, hi)                                                                             \
	do {                                                                                       \
		float *p = c + (r)*ldc;                                                            \
		_mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), lo));                        \
		_mm256_storeu_ps(p + 8, _mm256_add_ps(_mm256_loadu_ps(p + 8), hi));                \
	} while (0)
	ACC(0, c00, c01);
	ACC(1, c10, c11);
	ACC(2, c20, c21);
	ACC(3, c30, c31);
	ACC(4, c40, c41);
	ACC(5, c50, c51);
#undef ACC
}

AVX2 void ck_kern_i16_avx2(int64_t kc, const int16_t *a, const int16_t *b, int32_t *c, int64_t ldc)
{
	__m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00;
	__m256i c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

	/* madd: each lane sums a k pair of int16 products into i32. */
	for (int64_t k = 0; k < kc; k += 2, a += 2 * CK_MR, b += 2 * CK_NR) {
		__m256i b0 = _mm256_loadu_si256((const __m256i *)b);
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 16)), x;
		int32_t pair;

#define ROW(i, lo, hi)                                                                             \
	do {                                                                                       \
		memcpy(&pair, a + 2 * (i), 4);                                                     \
		x = _mm256_set1_epi32(pair);                                                       \
		lo = _mm256_add_epi32(lo, _mm256_madd_epi16(x, b0));                               \
		hi = _mm256_add_epi32(hi, _mm256_madd_epi16(x, b1));                               \
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
		__m256i *p = (__m256i *)(c + (r)*ldc);                                             \
		_mm256_storeu_si256(p, _mm256_add_epi32(_mm256_loadu_si256(p), lo));               \
		_mm256_storeu_si256(p + 1, _mm256_add_epi32(_mm256_loadu_si256(p + 1), hi));       \
	} while (0)
	ACC(0, c00, c01);
	ACC(1, c10, c11);
	ACC(2, c20, c21);
	ACC(3, c30, c31);
	ACC(4, c40, c41);
	ACC(5, c50, c51);
#undef ACC
}
