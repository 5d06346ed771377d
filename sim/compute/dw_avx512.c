// SPDX-License-Identifier: MIT
/*
 * The depthwise plane kernel (dw_kern.h) on AVX-512: 16 lanes, masked
 * stores for the last columns. Compiled for that target only here and
 * called only when the CPU has it (isa.c).
 */
#include <immintrin.h>

#include "internal.h"

#define DW_ATTR __attribute__((target("avx512f")))

/* Lane l set when 0 <= e + l < w: the lanes of a load at column e inside a row of w. */
static inline __mmask16 dw_col_mask(int64_t e, int64_t w)
{
	uint32_t m = 0xffff;

	if (e >= 0 && e + 16 <= w)
		return 0xffff;
	if (e < 0)
		m = e <= -16 ? 0 : (m << -e) & 0xffff;
	if (w - e < 16)
		m &= w - e <= 0 ? 0 : (1u << (w - e)) - 1;
	return (__mmask16)m;
}
#define V	       __m512
#define VL	       16
#define V_ZERO()       _mm512_setzero_ps()
#define V_SET1(f)      _mm512_set1_ps(f)
#define V_LOAD(p)      _mm512_loadu_ps(p)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_ADD(a, b)    _mm512_add_ps(a, b)
#define V_MUL(a, b)    _mm512_mul_ps(a, b)
#define V_MAX(a, b)    _mm512_max_ps(a, b)
#define V_MIN(a, b)    _mm512_min_ps(a, b)
#define V_LT0_BLEND_MUL(v, s)                                                                      \
	_mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, s)
#define V_STORE_N(p, v, n)                                                                         \
	_mm512_mask_storeu_ps(p, (n) >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n)) - 1), v)
#define V_STORE(p, v) _mm512_storeu_ps(p, v)
#define V_COPY_N(d, s, n)                                                                          \
	_mm512_mask_storeu_ps(d, (__mmask16)((1u << (n)) - 1),                                     \
			      _mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1), s))
#define V_MASK		 __mmask16
#define V_LOADZ(m, p)	 _mm512_maskz_loadu_ps(m, p)
#define V_COL_MASK(e, w) dw_col_mask(e, w)
#define DW_DIRECT_FN	 ck_dw_direct_avx512
#define DW_FN		 ck_dw_plane_avx512
#define DW_PAD		 ck_dw_pad_avx512

#include "dw_kern.h"
