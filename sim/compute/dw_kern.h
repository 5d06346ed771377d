/* SPDX-License-Identifier: MIT */
/*
 * The depthwise plane kernel of dw.c, written once for both vector widths:
 * dw_avx2.c and dw_avx512.c include it after defining the vector
 * operations below, and each compiles it for its own target. Not a header
 * of its own: it defines functions.
 *
 * Needs: DW_ATTR (target attribute), V (vector type), VL (lanes), V_ZERO(),
 * V_SET1(f), V_LOAD(p), V_FMA(a, b, c) = a * b + c, V_ADD, V_MUL, V_MAX,
 * V_MIN (x86 semantics: max(a, b) = a > b ? a : b, so a NaN a gives b),
 * V_LT0_BLEND_MUL(v, s) = v < 0 ? v * s : v, V_STORE(p, v), V_STORE_N(p,
 * v, n) storing the first n (<= VL) lanes, V_COPY_N(d, s, n) copying the
 * first n (< VL) floats, and DW_FN and DW_PAD, the names of the entry
 * points.
 *
 * Accumulation follows the loops' tap order (ky, then kx) in f32 with one
 * fused multiply-add per tap; the bias is added after the taps, as the
 * loops add it, then the activation when it is one of those done here.
 */

#define DW_INLINE static inline __attribute__((always_inline)) DW_ATTR
#define DW_MAX_R  4 /* output rows per block */
#define DW_MAX_K  5 /* taps per row of the direct kernels */

/* The activation of the plane, where ck_dw_act_in_kernel() says it is done here. */
DW_INLINE V dw_act(const struct ck_dw_plane *d, V v)
{
	switch (d->act) {
	case ARES_ACT_RELU:
		return V_MAX(v, V_ZERO());
	case ARES_ACT_LEAKY_RELU:
		return V_LT0_BLEND_MUL(v, V_SET1(d->alpha));
	case ARES_ACT_CLIP: /* fmaxf takes the number over a NaN v: so does max(v, alpha) */
		return V_MIN(V_MAX(v, V_SET1(d->alpha)), V_SET1(d->beta));
	case ARES_ACT_HARD_SWISH: {
		/* v * clamp(v / 6 + 1/2, 0, 1); min(t, 1) turns a NaN t into 1, as fminf */
		V t = V_ADD(V_MUL(v, V_SET1(1.0f / 6.0f)), V_SET1(0.5f));

		return V_MUL(v, V_MAX(V_MIN(t, V_SET1(1.0f)), V_ZERO()));
	}
	}
	return v;
}

/*
 * R output rows from @oy, all columns, for constant geometry where the
 * caller passes constants (the compiler then unrolls every loop and keeps
 * the 2R sums in registers). Each phase row of the input is loaded once
 * per column step for every output row it feeds.
 */
DW_INLINE void dw_rows(const struct ck_dw_plane *d, int64_t oy, const int R, const int kh,
		       const int kw, const int sh, const int sw, const int dh, const int dw)
{
	const int in_rows = (R - 1) * sh + (kh - 1) * dh + 1;
	const float *base = d->src + oy * sh * sw * d->wq;
	V bias = V_SET1(d->bias);

	for (int64_t ox = 0; ox < d->ow; ox += 2 * VL) {
		V acc[DW_MAX_R][2]; /* not a VLA: unrolled, it becomes registers */

#pragma GCC unroll 8
		for (int r = 0; r < R; r++)
			acc[r][0] = acc[r][1] = V_ZERO();
			/* Taps in the loops' order for each output row: ky outer, kx inner. */
#pragma GCC unroll 16
		for (int ir = 0; ir < in_rows; ir++)
#pragma GCC unroll 8
			for (int kx = 0; kx < kw; kx++) {
				const float *p =
					base + (ir * sw + kx * dw % sw) * d->wq + kx * dw / sw + ox;
				V x0 = V_LOAD(p), x1 = V_LOAD(p + VL);

#pragma GCC unroll 8
				for (int r = 0; r < R; r++) {
					int t = ir - r * sh, ky = t / dh;

					if (t < 0 || t % dh || ky >= kh)
						continue;
					V wv = V_SET1(d->w[ky * kw + kx]);

					acc[r][0] = V_FMA(wv, x0, acc[r][0]);
					acc[r][1] = V_FMA(wv, x1, acc[r][1]);
				}
			}
#pragma GCC unroll 8
		for (int r = 0; r < R; r++) {
			float *o = d->out + (oy + r) * d->out_row + ox;
			int64_t left = d->ow - ox;

			V_STORE_N(o, dw_act(d, V_ADD(acc[r][0], bias)), left);
			if (left > VL)
				V_STORE_N(o + VL, dw_act(d, V_ADD(acc[r][1], bias)), left - VL);
		}
	}
}

/* The rows of a plane in blocks of R, then one at a time. */
DW_INLINE void dw_plane(const struct ck_dw_plane *d, int64_t oy, int64_t oy1, const int R,
			const int kh, const int kw, const int sh, const int sw, const int dh,
			const int dw)
{
	for (; oy + R <= oy1; oy += R)
		dw_rows(d, oy, R, kh, kw, sh, sw, dh, dw);
	for (; oy < oy1; oy++)
		dw_rows(d, oy, 1, kh, kw, sh, sw, dh, dw);
}

/* Any geometry: one row at a time, taps looked up at run time. */
DW_INLINE void dw_plane_any(const struct ck_dw_plane *d, int64_t oy0, int64_t oy1)
{
	V bias = V_SET1(d->bias);

	for (int64_t oy = oy0; oy < oy1; oy++)
		for (int64_t ox = 0; ox < d->ow; ox += 2 * VL) {
			V a0 = V_ZERO(), a1 = V_ZERO();
			float *o = d->out + oy * d->out_row + ox;
			int64_t left = d->ow - ox;

			for (int64_t ky = 0; ky < d->kh; ky++)
				for (int64_t kx = 0; kx < d->kw; kx++) {
					int64_t row = (oy * d->sh + ky * d->dh) * d->sw +
						      kx * d->dw % d->sw;
					const float *p =
						d->src + row * d->wq + kx * d->dw / d->sw + ox;
					V wv = V_SET1(d->w[ky * d->kw + kx]);

					a0 = V_FMA(wv, V_LOAD(p), a0);
					a1 = V_FMA(wv, V_LOAD(p + VL), a1);
				}
			V_STORE_N(o, dw_act(d, V_ADD(a0, bias)), left);
			if (left > VL)
				V_STORE_N(o + VL, dw_act(d, V_ADD(a1, bias)), left - VL);
		}
}

DW_ATTR void DW_FN(const struct ck_dw_plane *d, int64_t oy0, int64_t oy1)
{
	int s = d->sh == d->sw && d->sh <= 2 && d->dh == 1 && d->dw == 1 ? (int)d->sh : 0;

	if (d->kh == 3 && d->kw == 3 && s == 1)
		dw_plane(d, oy0, oy1, 4, 3, 3, 1, 1, 1, 1);
	else if (d->kh == 3 && d->kw == 3 && s == 2)
		dw_plane(d, oy0, oy1, 4, 3, 3, 2, 2, 1, 1);
	else if (d->kh == 5 && d->kw == 5 && s == 1)
		dw_plane(d, oy0, oy1, 4, 5, 5, 1, 1, 1, 1);
	else if (d->kh == 5 && d->kw == 5 && s == 2)
		dw_plane(d, oy0, oy1, 4, 5, 5, 2, 2, 1, 1);
	else
		dw_plane_any(d, oy0, oy1);
}

DW_ATTR void DW_PAD(float *dst, const float *src, int64_t pl, int64_t W, int64_t wq)
{
	int64_t i = 0, e = pl + W;

	for (; i + VL <= pl; i += VL)
		V_STORE(dst + i, V_ZERO());
	for (; i < pl; i++)
		dst[i] = 0.0f;
	for (; i + VL <= e; i += VL)
		V_STORE(dst + i, V_LOAD(src + i - pl));
	if (i < e) {
		V_COPY_N(dst + i, src + i - pl, e - i);
		i = e;
	}
	for (; i < wq && i % VL; i++)
		dst[i] = 0.0f;
	for (; i < wq; i += VL)
		V_STORE(dst + i, V_ZERO());
}

#ifdef DW_DIRECT_FN
/*
 * Straight from the input plane, for a unit width stride and f32 rows of
 * unit stride: no padded copy. Columns outside the row and rows outside
 * the plane load as zeros through masks (a zero mask reads no memory), so
 * every tap still multiplies, as in the loops (an infinite weight times a
 * padding zero is NaN there too). Each load feeds every output row of
 * the block that uses it.
 */
DW_INLINE void dwd_rows(const struct ck_dw_plane *d, const float *wl, const V_MASK (*cm)[2],
			int64_t oy, int64_t ox, const int R, const int kh, const int kw,
			const int sh)
{
	const int in_rows = (R - 1) * sh + kh;
	V acc[DW_MAX_R][2]; /* not a VLA: unrolled, it becomes registers */
	V bias = V_SET1(d->bias);
	int64_t left = d->ow - ox;

#pragma GCC unroll 8
	for (int r = 0; r < R; r++)
		acc[r][0] = acc[r][1] = V_ZERO();
#pragma GCC unroll 16
	for (int ir = 0; ir < in_rows; ir++) {
		int64_t iy = oy * sh + ir - d->pt;
		int ok = iy >= 0 && iy < d->H;
		const float *p = d->x + (ok ? iy : 0) * d->x_row + ox - d->pl;

#pragma GCC unroll 8
		for (int kx = 0; kx < kw; kx++) {
			V x0 = V_LOADZ(ok ? cm[kx][0] : 0, p + kx);
			V x1 = V_LOADZ(ok ? cm[kx][1] : 0, p + kx + VL);

#pragma GCC unroll 8
			for (int r = 0; r < R; r++) {
				int ky = ir - r * sh;

				if (ky < 0 || ky >= kh)
					continue;
				V wv = V_SET1(wl[ky * kw + kx]);

				acc[r][0] = V_FMA(wv, x0, acc[r][0]);
				acc[r][1] = V_FMA(wv, x1, acc[r][1]);
			}
		}
	}
#pragma GCC unroll 8
	for (int r = 0; r < R; r++) {
		float *o = d->out + (oy + r) * d->out_row + ox;

		V_STORE_N(o, dw_act(d, V_ADD(acc[r][0], bias)), left);
		if (left > VL)
			V_STORE_N(o + VL, dw_act(d, V_ADD(acc[r][1], bias)), left - VL);
	}
}

/*
 * Column strips of 2 VL outputs, each down the whole plane: the masks of
 * a strip's loads are made once for all its rows.
 */
DW_INLINE void dwd_plane(const struct ck_dw_plane *d, const int kh, const int kw, const int sh)
{
	/* A local copy: no store into y may alias it, so the taps stay in registers. */
	float wl[DW_MAX_K * DW_MAX_K];

	for (int i = 0; i < kh * kw; i++)
		wl[i] = d->w[i];
	for (int64_t ox = 0; ox < d->ow; ox += 2 * VL) {
		V_MASK cm[DW_MAX_K][2];
		int64_t oy = 0;

		for (int kx = 0; kx < kw; kx++) {
			cm[kx][0] = V_COL_MASK(ox + kx - d->pl, d->W);
			cm[kx][1] = V_COL_MASK(ox + kx - d->pl + VL, d->W);
		}
		for (; oy + 4 <= d->oh; oy += 4)
			dwd_rows(d, wl, cm, oy, ox, 4, kh, kw, sh);
		for (; oy < d->oh; oy++)
			dwd_rows(d, wl, cm, oy, ox, 1, kh, kw, sh);
	}
}

DW_ATTR int DW_DIRECT_FN(const struct ck_dw_plane *d)
{
	if (d->sw != 1 || d->dh != 1 || d->dw != 1)
		return -1;
	if (d->kh == 3 && d->kw == 3 && d->sh == 1)
		dwd_plane(d, 3, 3, 1);
	else if (d->kh == 3 && d->kw == 3 && d->sh == 2)
		dwd_plane(d, 3, 3, 2);
	else if (d->kh == 5 && d->kw == 5 && d->sh == 1)
		dwd_plane(d, 5, 5, 1);
	else if (d->kh == 5 && d->kw == 5 && d->sh == 2)
		dwd_plane(d, 5, 5, 2);
	else
		return -1;
	return 0;
}
#endif
