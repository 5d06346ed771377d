// SPDX-License-Identifier: MIT
/*
 * The f32 binary ELTWISE row kernel (elt_kern.h) on AVX-512: 16 lanes.
 * Compiled for that target only here and called only when the CPU has
 * it (isa.c).
 */
#include <immintrin.h>
#include <math.h>

#include "internal.h"

#define ELT_ATTR      __attribute__((target("avx512f,avx512bw")))
#define V	      __m512
#define VL	      16
#define V_LOAD(p)     _mm512_loadu_ps(p)
#define V_SET1(f)     _mm512_set1_ps(f)
#define V_STORE(p, v) _mm512_storeu_ps(p, v)
#define V_ADD(x, y)   _mm512_add_ps(x, y)
#define V_SUB(x, y)   _mm512_sub_ps(x, y)
#define V_MUL(x, y)   _mm512_mul_ps(x, y)
#define V_DIV(x, y)   _mm512_div_ps(x, y)
/* max(p, q) is p > q ? p : q: swapped, y > x ? y : x as ck_elt_max. */
#define V_MAX(x, y)   _mm512_max_ps(y, x)
#define V_MIN(x, y)   _mm512_min_ps(y, x)
#define V_NAN_OR(x, y, v)                                                                          \
	_mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_UNORD_Q), v, _mm512_set1_ps(NAN))
#define ELT_FN ck_elt_f32_avx512

#include "elt_kern.h"
