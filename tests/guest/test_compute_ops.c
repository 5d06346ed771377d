/* SPDX-License-Identifier: MIT */
/*
 * Every op class of the compute op set through libaccel, the driver, sim
 * and the firmware, against plain references computed here: exact for
 * integer paths and for f32 results of one rounding, 1e-5 relative for
 * float results summed in another order. Covers broadcasting (stride 0),
 * strided and transposed views, padding edges, and empty and size-1
 * dimensions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ares/ops.h>

#include "guest_util.h"

#define F32_1	0x3f800000u
#define REL_TOL 1e-5

static accel_device *dev;
static accel_ctx *ctx;
static accel_bo *bo;
static uint8_t *mem;
static uint64_t base;

/* Offsets of the operands inside the one buffer. */
enum {
	X = 0x0000,   /* f32 [2][3][5][5] */
	W = 0x1000,   /* f32 [4][3][3][3] */
	B = 0x2000,   /* f32 [4] */
	Y = 0x3000,   /* conv out [2][4][3][3] */
	MA = 0x4000,  /* u8 [5][7] */
	MB = 0x4100,  /* i8 [7][3] */
	MY = 0x4200,  /* i32 [5][3] */
	EA = 0x5000,  /* f32 [3][1][4] */
	EB = 0x5100,  /* f32 [4] broadcast */
	EY = 0x5200,  /* f32 [3][1][4] */
	PY = 0x6000,  /* max pool [2][3][3][3] */
	RY = 0x7000,  /* reduce [1][3][1][1] */
	SY = 0x8000,  /* softmax [2][3][5][5] */
	NY = 0xa000,  /* instance norm [2][3][5][5] */
	ZY = 0xc000,  /* resize [2][3][10][10] */
	CX = 0x14000, /* u8 [4][6] */
	CY = 0x14100, /* its transpose [6][4] */
	DY = 0x14200, /* pad edge [4][9] */
	GI = 0x14400, /* indices i32 [2][2] */
	GY = 0x14500, /* gather axis 1: [4][2][2] */
	FY = 0x14600, /* fill [3][0], and [2][1][2] into every other i32 */
	SIZE = 0x15000,
};

static float *f32(uint64_t off)
{
	return (float *)(mem + off);
}

static struct ares_tensor_desc desc(uint64_t off, uint32_t dtype, uint32_t rank,
				    const uint64_t *shape)
{
	struct ares_tensor_desc t;

	if (accel_tensor_desc_init(&t, base + off, dtype, rank, shape))
		test_fail("accel_tensor_desc_init(rank %u): expected 0", rank);
	return t;
}

static void close_enough(const char *what, int i, double want, double got)
{
	if (fabs(got - want) > REL_TOL * (1.0 + fabs(want)))
		test_fail("%s[%d]: expected %.7g (host reference), got %.7g", what, i, want, got);
}

static float lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

int main(void)
{
	const uint64_t sx[4] = {2, 3, 5, 5}, sw[4] = {4, 3, 3, 3}, sb[1] = {4},
		       sy[4] = {2, 4, 3, 3}, sma[2] = {5, 7}, smb[2] = {7, 3}, smy[2] = {5, 3},
		       se[3] = {3, 1, 4}, spy[4] = {2, 3, 3, 3}, sry[4] = {1, 3, 1, 1},
		       szy[4] = {2, 3, 10, 10}, scx[2] = {4, 6}, scy[2] = {6, 4}, sdy[2] = {4, 9},
		       sgi[2] = {2, 2}, sgy[3] = {4, 2, 2}, sfe[2] = {3, 0}, sf[3] = {2, 1, 2};
	struct ares_conv2d_params cp = {.stride_h = 2,
					.stride_w = 2,
					.pad_top = 1,
					.pad_left = 1,
					.pad_bottom = 1,
					.pad_right = 1,
					.dilation_h = 1,
					.dilation_w = 1,
					.groups = 1,
					.activation = ARES_ACT_NONE};
	struct ares_matmul_params mp = {.alpha = F32_1};
	struct ares_eltwise_params ep = {.op = ARES_ELT_MUL};
	struct ares_pool_params pp = {.op = ARES_POOL_MAX,
				      .kernel_h = 3,
				      .kernel_w = 3,
				      .stride_h = 2,
				      .stride_w = 2,
				      .pad_top = 1,
				      .pad_left = 1,
				      .pad_bottom = 1,
				      .pad_right = 1,
				      .dilation_h = 1,
				      .dilation_w = 1};
	struct ares_reduce_params rp = {.op = ARES_REDUCE_MAX, .axes = 1 | 4 | 8};
	struct ares_softmax_params smp = {.axis = 1, .flags = ARES_SOFTMAX_LOG};
	struct ares_norm_params np = {.kind = ARES_NORM_INSTANCE};
	struct ares_resize_params zp = {.mode = ARES_RESIZE_NEAREST,
					.coord = ARES_COORD_ASYMMETRIC,
					.nearest = ARES_NEAREST_FLOOR};
	struct ares_pad_params dp = {.mode = ARES_PAD_EDGE, .begin = {0, 2}, .end = {0, 1}};
	struct ares_tensor_desc x, w, b, y, ma, mb, my, ea, eb, ey, py, ry, sy_, ny, zy, cx, cy, dy,
		gi, gy, fe, fy;
	const struct ares_tensor_desc *ein[2];
	uint32_t seed = 9, status;
	accel_cmdbuf *cb;
	void *map;
	int i, n, c, h, wv, m, j, k;
	float eps = 1e-5f;

	test_init("compute_ops");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, SIZE, &map);
	mem = map;
	base = accel_bo_va(bo);
	for (i = 0; i < 150; i++)
		f32(X)[i] = lcg(&seed) * 2;
	for (i = 0; i < 108; i++)
		f32(W)[i] = lcg(&seed);
	for (i = 0; i < 4; i++)
		f32(B)[i] = lcg(&seed);
	for (i = 0; i < 35; i++)
		mem[MA + i] = (uint8_t)(i * 29 + 3);
	for (i = 0; i < 21; i++)
		((int8_t *)mem)[MB + i] = (int8_t)(i * 41 - 100);
	for (i = 0; i < 12; i++)
		f32(EA)[i] = lcg(&seed);
	for (i = 0; i < 4; i++)
		f32(EB)[i] = lcg(&seed);
	for (i = 0; i < 24; i++)
		mem[CX + i] = (uint8_t)(200 - i * 7);
	((int32_t *)(mem + GI))[0] = 5, ((int32_t *)(mem + GI))[1] = -6;
	((int32_t *)(mem + GI))[2] = 0, ((int32_t *)(mem + GI))[3] = -1;
	for (i = 0; i < 8; i++)
		((int32_t *)(mem + FY))[i] = -9;

	x = desc(X, ARES_DTYPE_F32, 4, sx);
	w = desc(W, ARES_DTYPE_F32, 4, sw);
	b = desc(B, ARES_DTYPE_F32, 1, sb);
	y = desc(Y, ARES_DTYPE_F32, 4, sy);
	ma = desc(MA, ARES_DTYPE_U8, 2, sma);
	ma.quant = ARES_QUANT_PER_TENSOR, ma.scale = F32_1, ma.zero_point = 100;
	mb = desc(MB, ARES_DTYPE_I8, 2, smb);
	my = desc(MY, ARES_DTYPE_I32, 2, smy);
	ea = desc(EA, ARES_DTYPE_F32, 3, se);
	eb = desc(EB, ARES_DTYPE_F32, 3, se);
	eb.stride[0] = eb.stride[1] = 0; /* [4] broadcast over [3][1] */
	ey = desc(EY, ARES_DTYPE_F32, 3, se);
	py = desc(PY, ARES_DTYPE_F32, 4, spy);
	ry = desc(RY, ARES_DTYPE_F32, 4, sry);
	sy_ = desc(SY, ARES_DTYPE_F32, 4, sx);
	memcpy(&np.epsilon, &eps, 4);
	ny = desc(NY, ARES_DTYPE_F32, 4, sx);
	zy = desc(ZY, ARES_DTYPE_F32, 4, szy);
	cx = desc(CX, ARES_DTYPE_U8, 2, scy); /* read [4][6] as its transpose */
	cx.stride[0] = 1, cx.stride[1] = 6;
	cy = desc(CY, ARES_DTYPE_U8, 2, scy);
	dy = desc(DY, ARES_DTYPE_U8, 2, sdy);
	gi = desc(GI, ARES_DTYPE_I32, 2, sgi);
	gy = desc(GY, ARES_DTYPE_U8, 3, sgy);
	fe = desc(FY, ARES_DTYPE_I32, 2, sfe);
	fy = desc(FY, ARES_DTYPE_I32, 3, sf);
	fy.stride[0] = 4, fy.stride[1] = 4, fy.stride[2] = 2;
	ein[0] = &ea, ein[1] = &eb;

	cb = new_cmdbuf();
	accel_cmdbuf_conv2d(cb, &cp, &x, &w, &b, &y);
	accel_cmdbuf_matmul(cb, &mp, &ma, &mb, NULL, &my);
	accel_cmdbuf_eltwise(cb, &ep, 2, ein, &ey);
	accel_cmdbuf_pool(cb, &pp, &x, &py);
	accel_cmdbuf_reduce(cb, &rp, &x, &ry);
	accel_cmdbuf_softmax(cb, &smp, &x, &sy_);
	accel_cmdbuf_norm(cb, &np, &x, NULL, NULL, NULL, NULL, &ny);
	accel_cmdbuf_resize(cb, &zp, &x, &zy);
	accel_cmdbuf_copy(cb, &cx, &cy);
	{
		struct ares_tensor_desc dx = desc(CX, ARES_DTYPE_U8, 2, scx);

		accel_cmdbuf_pad(cb, &dp, &dx, &dy);
		accel_cmdbuf_gather(cb, 1, &dx, &gi, &gy);
	}
	accel_cmdbuf_fill_tensor(cb, 0xfffffffe, &fe);
	accel_cmdbuf_fill_tensor(cb, 77, &fy);
	status = run_job(ctx, dev, cb, &bo, 1, 120000);
	expect_u64("job status", ACCEL_JOB_OK, status);

	/* conv2d, 3x3 stride 2 pad 1, bias */
	for (n = 0; n < 2; n++)
		for (m = 0; m < 4; m++)
			for (h = 0; h < 3; h++)
				for (wv = 0; wv < 3; wv++) {
					double acc = f32(B)[m];

					for (c = 0; c < 3; c++)
						for (j = 0; j < 3; j++)
							for (k = 0; k < 3; k++) {
								int ih = h * 2 - 1 + j,
								    iw = wv * 2 - 1 + k;

								if (ih < 0 || ih >= 5 || iw < 0 ||
								    iw >= 5)
									continue;
								acc += (double)f32(
									       X)[((n * 3 + c) * 5 +
										   ih) * 5 +
										  iw] *
								       f32(W)[((m * 3 + c) * 3 +
									       j) * 3 +
									      k];
							}
					i = ((n * 4 + m) * 3 + h) * 3 + wv;
					close_enough("conv2d", i, acc, f32(Y)[i]);
				}
	/* MatMulInteger, exact */
	for (i = 0; i < 5; i++)
		for (j = 0; j < 3; j++) {
			int32_t acc = 0;

			for (k = 0; k < 7; k++)
				acc += (mem[MA + i * 7 + k] - 100) *
				       ((int8_t *)mem)[MB + k * 3 + j];
			expect_int("matmul integer", acc, ((int32_t *)(mem + MY))[i * 3 + j]);
		}
	/* broadcast multiply: one rounding, exact */
	for (i = 0; i < 12; i++)
		if (f32(EY)[i] != f32(EA)[i] * f32(EB)[i % 4])
			test_fail("eltwise mul[%d]: expected %g, got %g", i,
				  f32(EA)[i] * f32(EB)[i % 4], f32(EY)[i]);
	/* max pool 3x3 stride 2 pad 1: exact */
	for (i = 0; i < 6; i++)
		for (h = 0; h < 3; h++)
			for (wv = 0; wv < 3; wv++) {
				float mx = -INFINITY;

				for (j = 0; j < 3; j++)
					for (k = 0; k < 3; k++) {
						int ih = h * 2 - 1 + j, iw = wv * 2 - 1 + k;

						if (ih >= 0 && ih < 5 && iw >= 0 && iw < 5)
							mx = fmaxf(mx,
								   f32(X)[i * 25 + ih * 5 + iw]);
					}
				if (f32(PY)[(i * 3 + h) * 3 + wv] != mx)
					test_fail("maxpool[%d][%d][%d]: expected %g, got %g", i, h,
						  wv, mx, f32(PY)[(i * 3 + h) * 3 + wv]);
			}
	/* reduce max over N, H, W: exact */
	for (c = 0; c < 3; c++) {
		float mx = -INFINITY;

		for (n = 0; n < 2; n++)
			for (i = 0; i < 25; i++)
				mx = fmaxf(mx, f32(X)[(n * 3 + c) * 25 + i]);
		if (f32(RY)[c] != mx)
			test_fail("reduce max[%d]: expected %g, got %g", c, mx, f32(RY)[c]);
	}
	/* log-softmax over C; instance norm over H, W */
	for (n = 0; n < 2; n++)
		for (i = 0; i < 25; i++) {
			double mx = -INFINITY, sum = 0;

			for (c = 0; c < 3; c++)
				mx = fmax(mx, f32(X)[(n * 3 + c) * 25 + i]);
			for (c = 0; c < 3; c++)
				sum += exp(f32(X)[(n * 3 + c) * 25 + i] - mx);
			for (c = 0; c < 3; c++)
				close_enough("log-softmax", (n * 3 + c) * 25 + i,
					     f32(X)[(n * 3 + c) * 25 + i] - mx - log(sum),
					     f32(SY)[(n * 3 + c) * 25 + i]);
		}
	for (i = 0; i < 6; i++) {
		double mean = 0, var = 0;

		for (j = 0; j < 25; j++)
			mean += f32(X)[i * 25 + j];
		mean /= 25;
		for (j = 0; j < 25; j++)
			var += (f32(X)[i * 25 + j] - mean) * (f32(X)[i * 25 + j] - mean);
		var /= 25;
		for (j = 0; j < 25; j++)
			close_enough("instance norm", i * 25 + j,
				     (f32(X)[i * 25 + j] - mean) / sqrt(var + eps),
				     f32(NY)[i * 25 + j]);
	}
	/* nearest x2 upsample: exact copies */
	for (i = 0; i < 6; i++)
		for (h = 0; h < 10; h++)
			for (wv = 0; wv < 10; wv++)
				if (f32(ZY)[(i * 10 + h) * 10 + wv] !=
				    f32(X)[i * 25 + (h / 2) * 5 + wv / 2])
					test_fail("resize[%d][%d][%d]", i, h, wv);
	/* DMA: transpose, edge pad, gather with negative indices, fills */
	for (i = 0; i < 6; i++)
		for (j = 0; j < 4; j++)
			expect_int("transpose", mem[CX + j * 6 + i], mem[CY + i * 4 + j]);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 9; j++) {
			int src = j < 2 ? 0 : j > 7 ? 5 : j - 2;

			expect_int("edge pad", mem[CX + i * 6 + src], mem[DY + i * 9 + j]);
		}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			int ix = ((int32_t *)(mem + GI))[j];

			expect_int("gather", mem[CX + i * 6 + (ix < 0 ? ix + 6 : ix)],
				   mem[GY + i * 4 + j]);
		}
	for (i = 0; i < 8; i++)
		expect_int("strided fill (gaps keep -9)", i % 2 ? -9 : 77,
			   ((int32_t *)(mem + FY))[i]);

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
