// SPDX-License-Identifier: MIT
/*
 * Float depthwise CONV2D in one pass per channel plane: the plane is
 * padded into the task's scratch (small enough to stay in L1 or L2),
 * split by column phase when the width stride is above one so that every
 * tap reads consecutive floats, then the vector kernel (dw_kern.h) sums
 * the taps, adds the bias, applies the activation and stores the rows
 * straight into y. oneDNN's depthwise kernels want channel-blocked or
 * NHWC data, and reordering the guest's NCHW planes into that and back
 * cost twice its convolution (compute_bench); this reads NCHW as it is.
 *
 * Numerics as the loops of conv.c (the oracle): f32 accumulation in their
 * tap order, one rounding per tap (fused multiply-add), then the bias,
 * then the activation, then the rounding to y's dtype.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

/* Phase rows of at most this many columns of stride: wider strides stay on the loops. */
#define DW_MAX_SW 8
/* Output rows per kernel call: their input rows are padded just before, still in L1. */
#define DW_BAND	  4

struct dw_run {
	const struct ck_dw_conv *c;
	int64_t rows, wq;
	/* Phase q of a padded row holds input columns from its j0[q]-th value to j1[q]. */
	int64_t j0[DW_MAX_SW], j1[DW_MAX_SW];
	uint32_t kernel_act; /* the activation the kernel applies: c->act or NONE */
	int direct;	     /* y is f32 with unit width stride: the kernel stores into it */
	int plain_rows; /* x is f32 with unit width stride, and sw is 1: rows copy as they are */
	int64_t es;	/* x's element size */
};

/* The activations the kernels do in registers; NaN bounds of CLIP go to ck_activate. */
static int act_in_kernel(const struct ck_dw_conv *c)
{
	switch (c->act) {
	case ARES_ACT_NONE:
	case ARES_ACT_RELU:
	case ARES_ACT_LEAKY_RELU:
	case ARES_ACT_HARD_SWISH:
		return 1;
	case ARES_ACT_CLIP:
		return !isnan(c->alpha) && !isnan(c->beta);
	}
	return 0;
}

/* Padded row @r of the input plane at @plane into its sw phase rows at @dst. */
static void dw_pad_row(const struct dw_run *j, const char *plane, int64_t r, float *dst)
{
	const struct ck_dw_conv *c = j->c;
	const struct compute_tensor *x = c->x;
	int64_t iy = r - c->pt, sw = c->sw, xs = x->stride[3];
	const char *row = plane + iy * x->stride[2] * j->es;

	if (iy < 0 || iy >= c->H) {
		memset(dst, 0, (size_t)(sw * j->wq) * sizeof(float));
		return;
	}
	if (j->plain_rows) {
		if (ck_isa() == CK_ISA_AVX512)
			ck_dw_pad_avx512(dst, (const float *)row, c->pl, c->W, j->wq);
		else
			ck_dw_pad_avx2(dst, (const float *)row, c->pl, c->W, j->wq);
		return;
	}
	for (int64_t q = 0; q < sw; q++, dst += j->wq) {
		int64_t j0 = j->j0[q], j1 = j->j1[q];

		memset(dst, 0, (size_t)j0 * sizeof(float));
		if (j1 > j0)
			ck_load_f32(x->dtype, row + (j0 * sw + q - c->pl) * xs * j->es, sw * xs,
				    j1 - j0, NULL, dst + j0);
		memset(dst + j1, 0, (size_t)(j->wq - j1) * sizeof(float));
	}
}

static void dw_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct dw_run *j = ctx;
	const struct ck_dw_conv *c = j->c;
	const struct compute_tensor *y = c->y;
	int64_t n = t / c->C, ch = t % c->C, plane = j->rows * c->sw * j->wq;
	float *src = ck_scratch((size_t)(plane + (j->direct ? 0 : c->oh * c->ow)) * sizeof(float));
	int64_t idx[4] = {n, ch, 0, 0};
	const char *xplane = ck_at(c->x, idx);
	struct ck_dw_plane d = {.src = src,
				.w = c->w + ch * c->kh * c->kw,
				.alpha = c->alpha,
				.beta = c->beta,
				.act = j->kernel_act,
				.wq = j->wq,
				.kh = c->kh,
				.kw = c->kw,
				.sh = c->sh,
				.sw = c->sw,
				.dh = c->dh,
				.dw = c->dw,
				.oh = c->oh,
				.ow = c->ow};

	(void)worker;
	if (c->b)
		ck_load_f32(c->b->dtype, ck_ptr(c->b, ch * c->b->stride[0]), 1, 1, NULL, &d.bias);
	if (j->direct) {
		d.out = ck_at(y, idx);
		d.out_row = y->stride[2];
	} else {
		d.out = src + plane;
		d.out_row = c->ow;
	}
	if (j->plain_rows && ck_isa() == CK_ISA_AVX512) {
		d.x = (const float *)xplane;
		d.x_row = c->x->stride[2];
		d.H = c->H, d.W = c->W, d.pt = c->pt, d.pl = c->pl;
		if (!ck_dw_direct_avx512(&d))
			goto stored;
	}
	/* Band by band, each padding its new input rows right before it is summed. */
	for (int64_t oy = 0, padded = 0; oy < c->oh; oy += DW_BAND) {
		int64_t end = oy + DW_BAND < c->oh ? oy + DW_BAND : c->oh;
		int64_t need = (end - 1) * c->sh + (c->kh - 1) * c->dh + 1;

		for (; padded < need; padded++)
			dw_pad_row(j, xplane, padded, src + padded * c->sw * j->wq);
		if (ck_isa() == CK_ISA_AVX512)
			ck_dw_plane_avx512(&d, oy, end);
		else
			ck_dw_plane_avx2(&d, oy, end);
	}
stored:
	if (j->direct && j->kernel_act == c->act)
		return;
	for (int64_t oy = 0; oy < c->oh; oy++) {
		float *row = d.out + oy * d.out_row;

		if (j->kernel_act != c->act)
			ck_activate(c->act, c->alpha, c->beta, row, c->ow);
		if (!j->direct) {
			idx[2] = oy;
			ck_store_f32(y->dtype, ck_at(y, idx), y->stride[3], c->ow, NULL, row);
		}
	}
}

int ck_dw_run(struct compute_workers *w, const struct ck_dw_conv *c)
{
	struct dw_run j = {.c = c};
	int64_t reach = (c->kw - 1) * c->dw / c->sw + 1;

	if (c->sw > DW_MAX_SW)
		return -1;
	j.rows = (c->oh - 1) * c->sh + (c->kh - 1) * c->dh + 1;
	/* Whole 32-column steps plus the taps' reach, in whole cache lines. */
	j.wq = ((c->ow + 31) / 32 * 32 + reach + 15) / 16 * 16;
	for (int64_t q = 0; q < c->sw; q++) {
		/* Phase q holds padded columns q, q + sw, ...; input column = padded - pl. */
		int64_t j0 = q >= c->pl ? 0 : (c->pl - q + c->sw - 1) / c->sw;
		int64_t j1 = c->pl + c->W - 1 < q ? 0 : (c->pl + c->W - 1 - q) / c->sw + 1;

		j.j0[q] = j0 < j.wq ? j0 : j.wq;
		j.j1[q] = j1 < j.wq ? j1 : j.wq;
		if (j.j1[q] < j.j0[q])
			j.j1[q] = j.j0[q];
	}
	j.kernel_act = act_in_kernel(c) ? c->act : ARES_ACT_NONE;
	j.direct = c->y->dtype == ARES_DTYPE_F32 && c->y->stride[3] == 1;
	j.plain_rows = c->x->dtype == ARES_DTYPE_F32 && c->x->stride[3] == 1 && c->sw == 1;
	j.es = (int64_t)compute_dtype_size(c->x->dtype);
	ck_parallel(w, c->N * c->C, dw_task, &j);
	return 0;
}
