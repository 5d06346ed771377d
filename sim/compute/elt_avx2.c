// SPDX-License-Identifier: MIT
/*
 * The f32 binary ELTWISE row kernel (elt_kern.h) on AVX2: 8 lanes.
 * Compiled for that target only here and called only when the CPU has
 * it (isa.c).
 */
#include <immintrin.h>
#include <math.h>

#include "internal.h"

#define ELT_ATTR      __attribute__((target("avx2")))
#define V	      __m256
#define VL	      8
#define V_LOAD(p)     _mm256_loadu_ps(p)
#define V_SET1(f)     _mm256_set1_ps(f)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
#define V_ADD(x, y)   _mm256_add_ps(x, y)
#define V_SUB(x, y)   _mm256_sub_ps(x, y)
#define V_MUL(x, y)   _mm256_mul_ps(x, y)
#define V_DIV(x, y)   _mm256_div_ps(x, y)
/* maxps(p, q) is p > q ? p : q: swapped, y > x ? y : x as ck_elt_max. */
#define V_MAX(x, y)   _mm256_max_ps(y, x)
#define V_MIN(x, y)   _mm256_min_ps(y, x)
#define V_NAN_OR(x, y, v)                                                                          \
	_mm256_blendv_ps(v, _mm256_set1_ps(NAN), _mm256_cmp_ps(x, y, _CMP_UNORD_Q))
#define ELT_FN ck_elt_f32_avx2

#include "elt_kern.h"
