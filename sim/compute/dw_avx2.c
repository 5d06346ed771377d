// SPDX-License-Identifier: MIT
/*
 * The depthwise plane kernel (dw_kern.h) on AVX2+FMA: 8 lanes, masked
 * stores for the last columns. Compiled for that target only here and
 * called only when the CPU has it (isa.c).
 */
#include <immintrin.h>

#include "internal.h"

#define DW_ATTR __attribute__((target("avx2,fma")))

/* Lane i of the store mask is set when i < n. */
DW_ATTR static inline __m256i dw_mask8(int64_t n)
{
	__m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);

	return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 8 ? n : 8)), lane);
}

#define V	       __m256
#define VL	       8
#define V_ZERO()       _mm256_setzero_ps()
#define V_SET1(f)      _mm256_set1_ps(f)
#define V_LOAD(p)      _mm256_loadu_ps(p)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_ADD(a, b)    _mm256_add_ps(a, b)
#define V_MUL(a, b)    _mm256_mul_ps(a, b)
#define V_MAX(a, b)    _mm256_max_ps(a, b)
#define V_MIN(a, b)    _mm256_min_ps(a, b)
#define V_LT0_BLEND_MUL(v, s)                                                                      \
	_mm256_blendv_ps(v, _mm256_mul_ps(v, s), _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ))
#define V_STORE_N(p, v, n)                                                                         \
	do {                                                                                       \
		if ((n) >= 8)                                                                      \
			_mm256_storeu_ps(p, v);                                                    \
		else                                                                               \
			_mm256_maskstore_ps(p, dw_mask8(n), v);                                    \
	} while (0)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
/* Scalar: a masked load would touch bytes past the row (valgrind runs this path). */
#define V_COPY_N(d, s, n)                                                                          \
	do {                                                                                       \
		for (int64_t k_ = 0; k_ < (n); k_++)                                               \
			(d)[k_] = (s)[k_];                                                         \
	} while (0)
#define DW_FN  ck_dw_plane_avx2
#define DW_PAD ck_dw_pad_avx2

#include "dw_kern.h"
