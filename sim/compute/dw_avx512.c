// SPDX-License-Identifier: MIT
/*
 * Depthwise f32 output planes on AVX-512, for a unit width stride: every
 * tap of 16 outputs summed in one register, where the portable loops
 * (conv.c) make one pass over the row per tap. f32 accumulation in the
 * loops' tap order, fused multiply-adds (one rounding per tap, as
 * oneDNN's kernels; the portable loops round the product too).
 */
#include <immintrin.h>

#include "internal.h"

#define AVX512 __attribute__((target("avx512f")))

static AVX512 inline __mmask16 dw_mask(int64_t left)
{
	return left >= 16 ? 0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
}

/*
 * 3x3, unit strides and dilations (most depthwise layers): four output
 * rows by 32 columns at once, eight independent sums in registers, each
 * input row loaded once for the three output rows it feeds.
 */
#define DW_ROWS 4
static AVX512 int64_t dw3x3_rows(const struct ck_dw_plane *d, float *out)
{
	__m512 wv[9];
	int64_t oy = 0;

	for (int i = 0; i < 9; i++)
		wv[i] = _mm512_set1_ps(d->w[i]);
	for (; oy + DW_ROWS <= d->oh; oy += DW_ROWS)
		for (int64_t ox = 0; ox < d->ow; ox += 32) {
			__mmask16 m0 = dw_mask(d->ow - ox), m1 = dw_mask(d->ow - ox - 16);
			__m512 acc[DW_ROWS][2];

			for (int r = 0; r < DW_ROWS; r++)
				acc[r][0] = acc[r][1] = _mm512_setzero_ps();
			for (int ir = 0; ir < DW_ROWS + 2; ir++) {
				const float *p = d->src + (oy + ir) * d->wp + ox;

				for (int kx = 0; kx < 3; kx++) {
					__m512 x0 = _mm512_maskz_loadu_ps(m0, p + kx);
					__m512 x1 = _mm512_maskz_loadu_ps(m1, p + kx + 16);

					for (int r = 0; r < DW_ROWS; r++) {
						int ky = ir - r;

						if (ky < 0 || ky > 2)
							continue;
						acc[r][0] = _mm512_fmadd_ps(wv[ky * 3 + kx], x0,
									    acc[r][0]);
						acc[r][1] = _mm512_fmadd_ps(wv[ky * 3 + kx], x1,
									    acc[r][1]);
					}
				}
			}
			for (int r = 0; r < DW_ROWS; r++) {
				_mm512_mask_storeu_ps(out + (oy + r) * d->ow + ox, m0, acc[r][0]);
				_mm512_mask_storeu_ps(out + (oy + r) * d->ow + ox + 16, m1,
						      acc[r][1]);
			}
		}
	return oy;
}

AVX512 void ck_dw_plane_f32_avx512(const struct ck_dw_plane *d, float *out)
{
	int64_t oy = 0;

	if (d->kh == 3 && d->kw == 3 && d->dh == 1 && d->dw == 1 && d->row_step == d->wp)
		oy = dw3x3_rows(d, out);
	for (; oy < d->oh; oy++) {
		const float *row = d->src + oy * d->row_step;

		for (int64_t ox = 0; ox < d->ow; ox += 32) {
			int64_t left = d->ow - ox;
			__mmask16 m0 = dw_mask(left), m1 = dw_mask(left - 16);
			__m512 a0 = _mm512_setzero_ps(), a1 = a0;

			/* Two independent sums: the adds' latency overlaps. */
			for (int64_t ky = 0; ky < d->kh; ky++)
				for (int64_t kx = 0; kx < d->kw; kx++) {
					const float *p = row + ky * d->dh * d->wp + kx * d->dw + ox;
					__m512 wv = _mm512_set1_ps(d->w[ky * d->kw + kx]);

					a0 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m0, p), a0);
					a1 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m1, p + 16),
							     a1);
				}
			_mm512_mask_storeu_ps(out + oy * d->ow + ox, m0, a0);
			_mm512_mask_storeu_ps(out + oy * d->ow + ox + 16, m1, a1);
		}
	}
}
