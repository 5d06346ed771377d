/* SPDX-License-Identifier: MIT */
/*
 * sim's compute kernels against naive references written here: every
 * opcode and dtype, broadcasting, strided views, padding edge cases, empty
 * and size-1 dimensions, quantised paths. Each test runs on the scalar,
 * AVX2 and AVX-512 loops and on oneDNN (float CONV2D and MATMUL), with no
 * pool, one worker and three workers; the oneDNN path is also compared
 * with the loops, its oracle, over many generated shapes.
 * Integer results are compared exactly; float results within the stated
 * relative tolerance of a double-precision reference.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../compute/internal.h"

/* ---------------------------------------------------------- harness */

#define NCFG 12 /* {scalar, avx2, avx512 loops, oneDNN} x {no pool, 1 worker, 3 workers} */

static struct compute_workers *W;
static int skip_cfg;

static void cfg_begin(int i, const char *test)
{
	static const unsigned int threads[] = {0, 1, 3};

	static const char *const isa[] = {"scalar", "avx2", "avx512"};

	/* A level the host (or valgrind's CPU) lacks is skipped. */
	if (i / 3 < 3) {
		compute_force_dnnl(0);
		skip_cfg = compute_force_isa(isa[i / 3]) != 0;
	} else {
		compute_force_dnnl(1);
		skip_cfg = compute_force_isa("avx512") && compute_force_isa("avx2");
	}
	/* Check has no skip verdict: say it, so a missing ISA is not read as a pass. */
	if (skip_cfg)
		fprintf(stderr, "SKIP %s [%s, %u workers]: not on this CPU\n", test,
			i / 3 < 3 ? isa[i / 3] : "oneDNN", threads[i % 3]);
	W = threads[i % 3] ? compute_workers_create(threads[i % 3]) : NULL;
	if (threads[i % 3])
		ck_assert_ptr_nonnull(W);
}

static void cfg_end(void)
{
	compute_workers_destroy(W);
	W = NULL;
}

#define CFG_TEST(name)                                                                             \
	static void name##_body(void);                                                             \
	START_TEST(name)                                                                           \
	{                                                                                          \
		cfg_begin(_i, #name);                                                              \
		if (!skip_cfg)                                                                     \
			name##_body();                                                             \
		cfg_end();                                                                         \
	}                                                                                          \
	END_TEST                                                                                   \
	static void name##_body(void)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static double urand(double lo, double hi)
{
	return lo + (hi - lo) * (rnd32() / 4294967296.0);
}

/* A tensor with its own buffer; @perm orders its dimensions in memory. */
struct tt {
	struct compute_tensor t;
	void *mem;
	float scales[64];
	int32_t zps[64];
};

static struct tt *mk_perm(uint32_t dt, unsigned int rank, const int64_t *shape, const int *perm)
{
	struct tt *x = calloc(1, sizeof(*x));
	int64_t n = 1, s = 1;

	x->t.dtype = dt;
	x->t.rank = rank;
	for (unsigned int k = 0; k < rank; k++) {
		x->t.shape[k] = shape[k];
		n *= shape[k];
	}
	for (int k = (int)rank - 1; k >= 0; k--) {
		int d = perm ? perm[k] : k;

		x->t.stride[d] = s;
		s *= shape[d] ? shape[d] : 1;
	}
	x->mem = calloc((size_t)(n + 1), 8);
	x->t.data = x->mem;
	return x;
}

static struct tt *mk(uint32_t dt, unsigned int rank, const int64_t *shape)
{
	return mk_perm(dt, rank, shape, NULL);
}

static void quant(struct tt *x, float s, int32_t z)
{
	x->t.quant = ARES_QUANT_PER_TENSOR;
	x->t.scale = s;
	x->t.zero_point = z;
}

static void quant_ch(struct tt *x, unsigned int axis)
{
	x->t.quant = ARES_QUANT_PER_CHANNEL;
	x->t.quant_axis = axis;
	for (int64_t c = 0; c < x->t.shape[axis]; c++) {
		x->scales[c] = (float)urand(0.01, 0.1);
		x->zps[c] = (int32_t)(rnd32() % 21) - 10 + (x->t.dtype == ARES_DTYPE_U8 ? 128 : 0);
	}
	x->t.scales = x->scales;
	x->t.zero_points = x->zps;
}

static void drop(struct tt *x)
{
	if (x) {
		free(x->mem);
		free(x);
	}
}

static int64_t numel(const struct tt *x)
{
	return ck_numel(&x->t);
}

static void unflat(const struct compute_tensor *t, int64_t e, int64_t *idx)
{
	for (int d = (int)t->rank - 1; d >= 0; d--) {
		idx[d] = e % t->shape[d];
		e /= t->shape[d];
	}
}

/* The stored value (raw integer, no dequantisation). */
static double raw(const struct tt *x, const int64_t *idx)
{
	const void *p = ck_at(&x->t, idx);

	switch (x->t.dtype) {
	case ARES_DTYPE_F32:
		return *(const float *)p;
	case ARES_DTYPE_F16:
		return ck_f16_to_f32(*(const uint16_t *)p);
	case ARES_DTYPE_BF16:
		return ck_bf16_to_f32(*(const uint16_t *)p);
	case ARES_DTYPE_I8:
		return *(const int8_t *)p;
	case ARES_DTYPE_U8:
	case ARES_DTYPE_BOOL:
		return *(const uint8_t *)p;
	case ARES_DTYPE_I32:
		return *(const int32_t *)p;
	default:
		return (double)*(const int64_t *)p;
	}
}

static int64_t rawi(const struct tt *x, const int64_t *idx)
{
	const void *p = ck_at(&x->t, idx);

	switch (x->t.dtype) {
	case ARES_DTYPE_I8:
		return *(const int8_t *)p;
	case ARES_DTYPE_U8:
	case ARES_DTYPE_BOOL:
		return *(const uint8_t *)p;
	case ARES_DTYPE_I32:
		return *(const int32_t *)p;
	case ARES_DTYPE_I64:
		return *(const int64_t *)p;
	}
	return (int64_t)raw(x, idx);
}

static int32_t zp_at(const struct tt *x, const int64_t *idx)
{
	if (x->t.quant == ARES_QUANT_PER_TENSOR)
		return x->t.zero_point;
	if (x->t.quant == ARES_QUANT_PER_CHANNEL)
		return x->zps[idx[x->t.quant_axis]];
	return 0;
}

static float sc_at(const struct tt *x, const int64_t *idx)
{
	if (x->t.quant == ARES_QUANT_PER_TENSOR)
		return x->t.scale;
	if (x->t.quant == ARES_QUANT_PER_CHANNEL)
		return x->scales[idx[x->t.quant_axis]];
	return 1.0f;
}

/* The real value (dequantised). */
static double val(const struct tt *x, const int64_t *idx)
{
	if (ck_is_int8(x->t.dtype))
		return (double)((float)(rawi(x, idx) - zp_at(x, idx)) * sc_at(x, idx));
	return raw(x, idx);
}

static void put(struct tt *x, const int64_t *idx, double v)
{
	void *p = ck_at(&x->t, idx);

	switch (x->t.dtype) {
	case ARES_DTYPE_F32:
		*(float *)p = (float)v;
		break;
	case ARES_DTYPE_F16:
		*(uint16_t *)p = ck_f32_to_f16((float)v);
		break;
	case ARES_DTYPE_BF16:
		*(uint16_t *)p = ck_f32_to_bf16((float)v);
		break;
	case ARES_DTYPE_I8:
		*(int8_t *)p = (int8_t)v;
		break;
	case ARES_DTYPE_U8:
	case ARES_DTYPE_BOOL:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case ARES_DTYPE_I32:
		*(int32_t *)p = (int32_t)v;
		break;
	default:
		*(int64_t *)p = (int64_t)v;
	}
}

/* Random contents: floats in [lo, hi), integers over the dtype's range. */
static void fill(struct tt *x, double lo, double hi)
{
	int64_t idx[ARES_MAX_RANK] = {0};

	for (int64_t e = 0; e < numel(x); e++) {
		double v;

		unflat(&x->t, e, idx);
		switch (x->t.dtype) {
		case ARES_DTYPE_I8:
			v = (double)(int)(rnd32() % 256) - 128;
			break;
		case ARES_DTYPE_U8:
			v = rnd32() % 256;
			break;
		case ARES_DTYPE_BOOL:
			v = rnd32() % 2;
			break;
		case ARES_DTYPE_I32:
		case ARES_DTYPE_I64:
			v = floor(urand(lo, hi));
			break;
		default:
			v = urand(lo, hi);
		}
		put(x, idx, v);
	}
}

static void near(double got, double want, double rtol, const char *what, int64_t e)
{
	double tol = rtol * (1.0 + fabs(want));

	if (isnan(want) && isnan(got))
		return;
	if (isinf(want) && got == want)
		return;
	ck_assert_msg(fabs(got - want) <= tol, "%s: element %lld: got %.9g, want %.9g (tol %.3g)",
		      what, (long long)e, got, want, tol);
}

/* Compares every element of @y with @want (row-major doubles). */
static void expect(const struct tt *y, const double *want, double rtol, const char *what)
{
	int64_t idx[ARES_MAX_RANK] = {0};

	for (int64_t e = 0; e < numel(y); e++) {
		unflat(&y->t, e, idx);
		if (rtol == 0.0)
			ck_assert_msg(raw(y, idx) == want[e] ||
					      (isnan(want[e]) && isnan(raw(y, idx))),
				      "%s: element %lld: got %.9g, want %.9g", what, (long long)e,
				      raw(y, idx), want[e]);
		else
			near(val(y, idx), want[e], rtol, what, e);
	}
}

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* Reference requantisation, the formula the kernels document. */
static double requant(float v, const struct tt *y)
{
	int64_t lo = y->t.dtype == ARES_DTYPE_I8 ? -128 : 0,
		hi = y->t.dtype == ARES_DTYPE_I8 ? 127 : 255;
	float s = y->t.quant ? y->t.scale : 1.0f;
	int32_t z = y->t.quant ? y->t.zero_point : 0;
	double r = nearbyint((double)(v / s)) + z;

	return r < lo ? lo : r > hi ? hi : r;
}

static double act_ref(uint32_t act, double v, double a, double b)
{
	switch (act) {
	case ARES_ACT_RELU:
		return v > 0 ? v : 0;
	case ARES_ACT_LEAKY_RELU:
		return v < 0 ? a * v : v;
	case ARES_ACT_CLIP:
		return fmin(fmax(v, a), b);
	case ARES_ACT_SIGMOID:
		return 1 / (1 + exp(-v));
	case ARES_ACT_HARD_SIGMOID:
		return fmax(0, fmin(1, a * v + b));
	case ARES_ACT_HARD_SWISH:
		return v * fmax(0, fmin(1, v / 6 + 0.5));
	case ARES_ACT_TANH:
		return tanh(v);
	case ARES_ACT_GELU:
		return v / 2 * (1 + erf(v / sqrt(2)));
	}
	return v;
}

/* ---------------------------------------------------------- dtypes */

START_TEST(f16_round_trips_every_value_and_rounds_half_to_even)
{
	for (uint32_t h = 0; h < 65536; h++) {
		float f = ck_f16_to_f32((uint16_t)h);

		if (isnan(f))
			ck_assert(isnan(ck_f16_to_f32(ck_f32_to_f16(f))));
		else
			ck_assert_uint_eq(ck_f32_to_f16(f), h);
	}
	/* 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1). */
	ck_assert_uint_eq(ck_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);
	ck_assert_uint_eq(ck_f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);
	ck_assert_uint_eq(ck_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
	ck_assert_uint_eq(ck_f32_to_f16(65504.0f), 0x7bff);
	ck_assert_uint_eq(ck_f32_to_f16(65519.0f), 0x7bff);
	ck_assert_uint_eq(ck_f32_to_f16(65520.0f), 0x7c00);
	ck_assert_uint_eq(ck_f32_to_f16(-INFINITY), 0xfc00);
	ck_assert_uint_eq(ck_f32_to_f16(0x1p-24f), 0x0001);	/* smallest subnormal */
	ck_assert_uint_eq(ck_f32_to_f16(0x1p-25f), 0x0000);	/* tie to even: 0 */
	ck_assert_uint_eq(ck_f32_to_f16(0x1.8p-24f), 0x0002);	/* tie to even: 2 */
	ck_assert_uint_eq(ck_f32_to_f16(0x1.ffcp-15f), 0x0400); /* tie: up to the smallest normal */
	ck_assert_uint_eq(ck_f32_to_f16(0x1.ff8p-15f), 0x03ff); /* largest subnormal */
	ck_assert_uint_eq(ck_f32_to_f16(-0.0f), 0x8000);
	ck_assert(ck_f16_to_f32(0x7e00) != ck_f16_to_f32(0x7e00));
	ck_assert_float_eq(ck_f16_to_f32(0x0001), 0x1p-24f);
}
END_TEST

START_TEST(bf16_rounds_half_to_even_and_keeps_nan)
{
	ck_assert_uint_eq(ck_f32_to_bf16(1.0f), 0x3f80);
	ck_assert_uint_eq(ck_f32_to_bf16(ck_f32(0x3f808000)), 0x3f80); /* tie, even stays */
	ck_assert_uint_eq(ck_f32_to_bf16(ck_f32(0x3f818000)), 0x3f82); /* tie, odd rounds up */
	ck_assert_uint_eq(ck_f32_to_bf16(ck_f32(0x3f808001)), 0x3f81);
	ck_assert_uint_eq(ck_f32_to_bf16(ck_f32(0x7f7fffff)), 0x7f80); /* overflow to inf */
	ck_assert(isnan(ck_bf16_to_f32(ck_f32_to_bf16(ck_f32(0x7f800001)))));
	ck_assert_uint_eq(ck_f32_to_bf16(ck_f32(0x00010000)), 0x0001); /* subnormal */
	for (uint32_t h = 0; h < 65536; h++) {
		float f = ck_bf16_to_f32((uint16_t)h);

		if (!isnan(f))
			ck_assert_uint_eq(ck_f32_to_bf16(f), h);
	}
}
END_TEST

START_TEST(float_to_int_rounds_half_to_even_and_saturates)
{
	ck_assert_int_eq(ck_f32_to_int(2.5f, -128, 127), 2);
	ck_assert_int_eq(ck_f32_to_int(3.5f, -128, 127), 4);
	ck_assert_int_eq(ck_f32_to_int(-2.5f, -128, 127), -2);
	ck_assert_int_eq(ck_f32_to_int(300.0f, -128, 127), 127);
	ck_assert_int_eq(ck_f32_to_int(-1e30f, -128, 127), -128);
	ck_assert_int_eq(ck_f32_to_int(NAN, -128, 127), 0);
	ck_assert_int_eq(ck_f32_to_int(INFINITY, INT64_MIN, INT64_MAX), INT64_MAX);
	ck_assert_str_ne(compute_isa(), "");
	ck_assert_uint_eq(compute_dtype_size(ARES_DTYPE_I64), 8);
	ck_assert_uint_eq(compute_dtype_size(ARES_DTYPE_NONE), 0);
	ck_assert_uint_eq(compute_dtype_size(99), 0);
}
END_TEST

/* ---------------------------------------------------------- matmul */

struct mm_case {
	int64_t batch_a, batch_b, M, N, K;
	uint32_t flags, act;
	float alpha, beta;
	int with_c, c_bcast;
	uint32_t dta, dtb, dty;
};

static void run_matmul_float(const struct mm_case *k)
{
	int64_t B = k->batch_a > k->batch_b ? k->batch_a : k->batch_b;
	int64_t sa[3] = {k->batch_a, k->M, k->K}, sb[3] = {k->batch_b, k->K, k->N};
	int64_t sy[3] = {B, k->M, k->N};
	int ta = k->flags & ARES_MATMUL_TRANS_A, tb = k->flags & ARES_MATMUL_TRANS_B;
	static const int tr[3] = {0, 2, 1};
	struct tt *a, *b, *y, *c = NULL;
	struct ares_matmul_params p = {.flags = k->flags,
				       .activation = k->act,
				       .alpha = fbits(k->alpha),
				       .beta = fbits(k->beta),
				       .act_alpha = fbits(0.1f),
				       .act_beta = fbits(0.5f)};
	struct compute_stats st = {0};
	double *want;

	/* Transposed operands are stored transposed: the view swaps strides. */
	if (ta) {
		int64_t t = sa[1];

		sa[1] = sa[2], sa[2] = t;
	}
	if (tb) {
		int64_t t = sb[1];

		sb[1] = sb[2], sb[2] = t;
	}
	a = mk_perm(k->dta, 3, sa, ta ? NULL : tr);
	b = mk_perm(k->dtb, 3, sb, tb ? tr : NULL);
	y = mk(k->dty, 3, sy);
	fill(a, -1, 1);
	fill(b, -1, 1);
	/* Batch broadcast: the size-1 operand becomes stride 0 of y's batch. */
	a->t.shape[0] = B, b->t.shape[0] = B;
	if (k->batch_a == 1)
		a->t.stride[0] = 0;
	if (k->batch_b == 1)
		b->t.stride[0] = 0;
	if (k->with_c) {
		int64_t sc[3] = {B, k->M, k->N};

		c = mk(ARES_DTYPE_F32, 3, sc);
		fill(c, -1, 1);
		if (k->c_bcast) {
			c->t.stride[0] = 0;
			c->t.stride[1] = 0;
		}
	}
	want = calloc((size_t)(B * k->M * k->N + 1), sizeof(double));
	for (int64_t bi = 0; bi < B; bi++)
		for (int64_t i = 0; i < k->M; i++)
			for (int64_t j = 0; j < k->N; j++) {
				double s = 0;

				for (int64_t l = 0; l < k->K; l++) {
					int64_t ia[3] = {bi, ta ? l : i, ta ? i : l};
					int64_t ib[3] = {bi, tb ? j : l, tb ? l : j};

					s += val(a, ia) * val(b, ib);
				}
				s *= k->alpha;
				if (c) {
					int64_t ic[3] = {bi, i, j};

					s += k->beta * val(c, ic);
				}
				want[(bi * k->M + i) * k->N + j] = act_ref(k->act, s, 0.1, 0.5);
			}
	ck_assert_uint_eq(compute_matmul(W, &p, &a->t, &b->t, c ? &c->t : NULL, &y->t, &st),
			  ARES_JOB_OK);
	expect(y, want, k->dty == ARES_DTYPE_F32 ? 1e-5 * (1 + k->K / 64) : 1e-2, "matmul");
	ck_assert_uint_eq(st.macs, (uint64_t)(B * k->M * k->N * k->K));
	free(want);
	drop(a);
	drop(b);
	drop(y);
	drop(c);
}

CFG_TEST(matmul_f32_matches_reference_over_shapes_transposes_and_broadcast)
{
	static const struct mm_case cases[] = {
		{1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1},
		{1, 1, 7, 19, 5, 0, 0, 1, 0, 0, 0, 1, 1, 1},
		{2, 2, 37, 45, 300, 0, 0, 1, 0, 0, 0, 1, 1, 1}, /* K spans two KC blocks */
		{3, 1, 13, 17, 9, ARES_MATMUL_TRANS_A, 0, 1, 0, 0, 0, 1, 1, 1},
		{1, 3, 13, 33, 9, ARES_MATMUL_TRANS_B, ARES_ACT_RELU, 1, 0, 0, 0, 1, 1, 1},
		{2, 2, 6, 16, 8, 3, ARES_ACT_LEAKY_RELU, 0.5f, 0, 0, 0, 1, 1, 1},
		{1, 1, 20, 70, 11, 0, 0, 2.0f, 0.5f, 1, 0, 1, 1, 1},		   /* Gemm with C */
		{2, 2, 9, 10, 4, 0, ARES_ACT_SIGMOID, 1.0f, -1.0f, 1, 1, 1, 1, 1}, /* C row bcast */
		{1, 1, 5, 7, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1},			   /* K = 0 */
		{1, 1, 0, 7, 3, 0, 0, 1, 0, 0, 0, 1, 1, 1},			   /* M = 0 */
		{1, 1, 11, 21, 35, 0, 0, 1, 0, 0, 0, ARES_DTYPE_F16, ARES_DTYPE_BF16, 1},
		{1, 1, 11, 21, 35, 2, 0, 1, 0, 0, 0, ARES_DTYPE_BF16, 1, ARES_DTYPE_F16},
		{1, 1, 11, 21, 35, 0, ARES_ACT_GELU, 1, 0, 0, 0, 1, 1, ARES_DTYPE_BF16},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_matmul_float(&cases[i]);
}

static void run_matmul_int(uint32_t dta, uint32_t dtb, uint32_t dty, int per_channel, int tb,
			   int64_t M, int64_t N, int64_t K, uint32_t act)
{
	int64_t sa[2] = {M, K}, sb[2] = {tb ? N : K, tb ? K : N}, sy[2] = {M, N};
	struct tt *a = mk(dta, 2, sa), *b = mk(dtb, 2, sb), *y = mk(dty, 2, sy);
	struct ares_matmul_params p = {
		.flags = tb ? ARES_MATMUL_TRANS_B : 0, .activation = act, .alpha = fbits(1.0f)};
	double *want = calloc((size_t)(M * N + 1), sizeof(double));

	fill(a, 0, 0);
	fill(b, 0, 0);
	quant(a, 0.05f, dta == ARES_DTYPE_U8 ? 131 : -3);
	if (per_channel)
		quant_ch(b, tb ? 0 : 1);
	else
		quant(b, 0.02f, dtb == ARES_DTYPE_U8 ? 120 : 5);
	if (dty != ARES_DTYPE_I32)
		quant(y, 0.07f, dty == ARES_DTYPE_U8 ? 100 : -10);
	for (int64_t i = 0; i < M; i++)
		for (int64_t j = 0; j < N; j++) {
			int64_t acc = 0;
			int64_t ib0[2] = {tb ? j : 0, tb ? 0 : j};

			for (int64_t l = 0; l < K; l++) {
				int64_t ia[2] = {i, l}, ib[2] = {tb ? j : l, tb ? l : j};

				acc += (rawi(a, ia) - zp_at(a, ia)) * (rawi(b, ib) - zp_at(b, ib));
			}
			if (dty == ARES_DTYPE_I32) {
				want[i * N + j] = (double)(int32_t)acc;
			} else {
				float v = (float)(int32_t)acc * (a->t.scale * sc_at(b, ib0));

				if (act == ARES_ACT_RELU)
					v = v > 0 ? v : 0;
				want[i * N + j] = requant(v, y);
			}
		}
	ck_assert_uint_eq(compute_matmul(W, &p, &a->t, &b->t, NULL, &y->t, NULL), ARES_JOB_OK);
	expect(y, want, 0, "int matmul");
	free(want);
	drop(a);
	drop(b);
	drop(y);
}

CFG_TEST(matmul_int8_is_exact_per_tensor_and_per_channel)
{
	run_matmul_int(ARES_DTYPE_U8, ARES_DTYPE_I8, ARES_DTYPE_I32, 0, 0, 13, 35, 41, 0);
	run_matmul_int(ARES_DTYPE_I8, ARES_DTYPE_I8, ARES_DTYPE_I32, 1, 1, 7, 18, 9, 0);
	run_matmul_int(ARES_DTYPE_U8, ARES_DTYPE_U8, ARES_DTYPE_U8, 0, 0, 19, 17, 300, 0);
	run_matmul_int(ARES_DTYPE_I8, ARES_DTYPE_U8, ARES_DTYPE_I8, 1, 0, 8, 33, 27, ARES_ACT_RELU);
	run_matmul_int(ARES_DTYPE_I8, ARES_DTYPE_I8, ARES_DTYPE_I8, 1, 1, 1, 1, 1, 0);
}

START_TEST(matmul_rejects_bad_operands)
{
	int64_t s[2] = {4, 5}, s2[2] = {6, 3};
	struct tt *a = mk(ARES_DTYPE_F32, 2, s), *b = mk(ARES_DTYPE_F32, 2, s2);
	struct tt *y = mk(ARES_DTYPE_F32, 2, s), *yi = mk(ARES_DTYPE_I32, 2, s);
	struct ares_matmul_params p = {.alpha = fbits(1.0f)};

	/* K mismatch (5 vs 6), mixed float/int, unknown flag, bad activation. */
	ck_assert_uint_eq(compute_matmul(NULL, &p, &a->t, &b->t, NULL, &y->t, NULL),
			  ARES_JOB_INVALID_CMD);
	ck_assert_uint_eq(compute_matmul(NULL, &p, &a->t, &a->t, NULL, &yi->t, NULL),
			  ARES_JOB_INVALID_CMD);
	p.flags = 4;
	ck_assert_uint_eq(compute_matmul(NULL, &p, &a->t, &a->t, NULL, &y->t, NULL),
			  ARES_JOB_INVALID_CMD);
	p.flags = 0;
	p.activation = ARES_ACT_COUNT;
	ck_assert_uint_eq(compute_matmul(NULL, &p, &a->t, &a->t, NULL, &y->t, NULL),
			  ARES_JOB_INVALID_CMD);
	p.activation = ARES_ACT_NONE;
	{
		int64_t sq[2] = {4, 4};
		struct tt *qa = mk(ARES_DTYPE_I8, 2, sq), *qb = mk(ARES_DTYPE_U8, 2, sq);
		struct tt *qy = mk(ARES_DTYPE_I32, 2, sq);

		quant(qa, 0.5f, 0);
		quant_ch(qb, 1);
		ck_assert_uint_eq(compute_matmul(NULL, &p, &qa->t, &qb->t, NULL, &qy->t, NULL),
				  ARES_JOB_OK);
		/* Per-channel parameters from memory: a zero scale, a zero point out of range. */
		qb->scales[2] = 0.0f;
		ck_assert_uint_eq(compute_matmul(NULL, &p, &qa->t, &qb->t, NULL, &qy->t, NULL),
				  ARES_JOB_INVALID_CMD);
		qb->scales[2] = 1.0f;
		qb->zps[3] = 256;
		ck_assert_uint_eq(compute_matmul(NULL, &p, &qa->t, &qb->t, NULL, &qy->t, NULL),
				  ARES_JOB_INVALID_CMD);
		qa->t.zero_point = -129;
		qb->zps[3] = 0;
		ck_assert_uint_eq(compute_matmul(NULL, &p, &qa->t, &qb->t, NULL, &qy->t, NULL),
				  ARES_JOB_INVALID_CMD);
		qa->t.zero_point = 0;
		qa->t.scale = INFINITY;
		ck_assert_uint_eq(compute_matmul(NULL, &p, &qa->t, &qb->t, NULL, &qy->t, NULL),
				  ARES_JOB_INVALID_CMD);
		drop(qa);
		drop(qb);
		drop(qy);
	}
	drop(a);
	drop(b);
	drop(y);
	drop(yi);
}
END_TEST

/* ---------------------------------------------------------- conv */

struct cv_case {
	int64_t N, C, H, W, M, kh, kw;
	uint32_t sh, sw, pt, pl, pb, pr, dh, dw, groups, act;
	int bias;
	uint32_t dtx, dtw, dty;
	int per_channel;
};

static void run_conv(const struct cv_case *k)
{
	int64_t oh = (k->H + k->pt + k->pb - k->dh * (k->kh - 1) - 1) / k->sh + 1;
	int64_t ow = (k->W + k->pl + k->pr - k->dw * (k->kw - 1) - 1) / k->sw + 1;
	int64_t Cg = k->C / k->groups, Mg = k->M / k->groups;
	int64_t sx[4] = {k->N, k->C, k->H, k->W}, sw[4] = {k->M, Cg, k->kh, k->kw};
	int64_t sy[4] = {k->N, k->M, oh, ow}, sb[1] = {k->M};
	static const int nhwc[4] = {0, 2, 3, 1};
	int is_int = ck_is_int8(k->dtx);
	struct tt *x = mk_perm(k->dtx, 4, sx, nhwc), *w = mk(k->dtw, 4, sw), *y = mk(k->dty, 4, sy);
	struct tt *b = k->bias ? mk(is_int ? ARES_DTYPE_I32 : ARES_DTYPE_F32, 1, sb) : NULL;
	struct ares_conv2d_params p = {.stride_h = k->sh,
				       .stride_w = k->sw,
				       .pad_top = k->pt,
				       .pad_left = k->pl,
				       .pad_bottom = k->pb,
				       .pad_right = k->pr,
				       .dilation_h = k->dh,
				       .dilation_w = k->dw,
				       .groups = k->groups,
				       .activation = k->act,
				       .act_alpha = fbits(-1.0f),
				       .act_beta = fbits(1.0f)};
	double *want = calloc((size_t)(numel(y) + 1), sizeof(double));
	struct compute_stats st = {0};

	fill(x, -1, 1);
	fill(w, -1, 1);
	if (b)
		fill(b, -1000, 1000);
	if (is_int) {
		quant(x, 0.03f, k->dtx == ARES_DTYPE_U8 ? 128 : 2);
		if (k->per_channel)
			quant_ch(w, 0);
		else
			quant(w, 0.02f, k->dtw == ARES_DTYPE_U8 ? 127 : -1);
		if (k->dty != ARES_DTYPE_I32)
			quant(y, 0.25f, k->dty == ARES_DTYPE_U8 ? 90 : 0);
	}
	for (int64_t n = 0; n < k->N; n++)
		for (int64_t m = 0; m < k->M; m++)
			for (int64_t i = 0; i < oh; i++)
				for (int64_t j = 0; j < ow; j++) {
					int64_t g = m / Mg, iacc = 0;
					double s = 0;

					for (int64_t c = 0; c < Cg; c++)
						for (int64_t ky = 0; ky < k->kh; ky++)
							for (int64_t kx = 0; kx < k->kw; kx++) {
								int64_t iy = i * k->sh - k->pt +
									     ky * k->dh;
								int64_t ix = j * k->sw - k->pl +
									     kx * k->dw;
								int64_t xi[4] = {n, g * Cg + c, iy,
										 ix};
								int64_t wi[4] = {m, c, ky, kx};

								if (iy < 0 || iy >= k->H ||
								    ix < 0 || ix >= k->W)
									continue;
								if (is_int)
									iacc += (rawi(x, xi) -
										 zp_at(x, xi)) *
										(rawi(w, wi) -
										 zp_at(w, wi));
								else
									s += val(x, xi) *
									     val(w, wi);
							}
					int64_t bi[1] = {m}, wi0[4] = {m, 0, 0, 0};
					double r;

					if (is_int) {
						int32_t acc =
							(int32_t)(iacc + (b ? rawi(b, bi) : 0));

						if (k->dty == ARES_DTYPE_I32) {
							r = acc;
						} else {
							float v = (float)acc *
								  (x->t.scale * sc_at(w, wi0));

							if (k->act == ARES_ACT_RELU)
								v = v > 0 ? v : 0;
							r = requant(v, y);
						}
					} else {
						r = act_ref(k->act, s + (b ? val(b, bi) : 0), -1,
							    1);
					}
					want[((n * k->M + m) * oh + i) * ow + j] = r;
				}
	ck_assert_uint_eq(compute_conv2d(W, &p, &x->t, &w->t, b ? &b->t : NULL, &y->t, &st),
			  ARES_JOB_OK);
	expect(y, want, is_int ? 0 : k->dty == ARES_DTYPE_F32 ? 1e-5 : 1e-2, "conv");
	ck_assert_uint_eq(st.macs, (uint64_t)(numel(y) * Cg * k->kh * k->kw));
	free(want);
	drop(x);
	drop(w);
	drop(y);
	drop(b);
}

CFG_TEST(conv2d_float_matches_reference)
{
	static const struct cv_case cases[] = {
		/* N C H W M kh kw sh sw pt pl pb pr dh dw g act bias dtx dtw dty */
		{1, 3, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0},
		{2, 4, 10, 7, 6, 3, 2, 2, 3, 0, 2, 1, 0, 1, 1, 2, ARES_ACT_RELU, 1, 1, 1, 1, 0},
		{1, 6, 8, 8, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 6, ARES_ACT_CLIP, 1, 1, 1, 1, 0},
		{1, 5, 6, 6, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0},
		{1, 2, 3, 3, 3, 5, 5, 1, 1, 2, 2,
		 2, 2, 1, 1, 1, 0, 1, 1, 1, 1, 0}, /* kernel > input */
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0},
		{0, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0}, /* N = 0 */
		{1,
		 8,
		 12,
		 12,
		 16,
		 3,
		 3,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 ARES_ACT_RELU,
		 1,
		 ARES_DTYPE_F16,
		 ARES_DTYPE_F16,
		 ARES_DTYPE_F16,
		 0},
		{1, 4, 7, 9, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 0, 1, ARES_DTYPE_BF16, 1, 1, 0},
		/* depthwise 3x3: blocks of four rows and a remainder, a 32-column step and a tail
		 */
		{2, 5, 10, 37, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, ARES_ACT_RELU, 1, 1, 1, 1, 0},
		{1, 3, 4, 16, 3, 3, 3, 1, 1, 0, 1, 2, 0, 1, 1, 3, 0, 0, 1, 1, 1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_conv(&cases[i]);
}

CFG_TEST(conv2d_int8_is_exact_qlinearconv_and_convinteger)
{
	static const struct cv_case cases[] = {
		{1,
		 3,
		 9,
		 8,
		 5,
		 3,
		 3,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 0,
		 1,
		 ARES_DTYPE_U8,
		 ARES_DTYPE_I8,
		 ARES_DTYPE_U8,
		 1},
		{2,
		 4,
		 7,
		 7,
		 4,
		 3,
		 3,
		 2,
		 2,
		 1,
		 0,
		 1,
		 2,
		 1,
		 1,
		 4,
		 ARES_ACT_RELU,
		 1,
		 ARES_DTYPE_I8,
		 ARES_DTYPE_I8,
		 ARES_DTYPE_I8,
		 1},
		{1,
		 6,
		 6,
		 5,
		 4,
		 2,
		 3,
		 1,
		 1,
		 0,
		 1,
		 0,
		 1,
		 2,
		 1,
		 2,
		 0,
		 0,
		 ARES_DTYPE_U8,
		 ARES_DTYPE_U8,
		 ARES_DTYPE_I32,
		 0},
		{1,
		 3,
		 5,
		 5,
		 3,
		 3,
		 3,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 1,
		 0,
		 1,
		 ARES_DTYPE_I8,
		 ARES_DTYPE_U8,
		 ARES_DTYPE_I8,
		 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_conv(&cases[i]);
}

START_TEST(conv2d_rejects_bad_geometry)
{
	int64_t sx[4] = {1, 4, 5, 5}, sw[4] = {3, 2, 3, 3}, sy[4] = {1, 3, 3, 3};
	struct tt *x = mk(ARES_DTYPE_F32, 4, sx), *w = mk(ARES_DTYPE_F32, 4, sw);
	struct tt *y = mk(ARES_DTYPE_F32, 4, sy);
	struct ares_conv2d_params p = {
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .groups = 2};

	/* groups 2 does not divide M = 3. */
	ck_assert_uint_eq(compute_conv2d(NULL, &p, &x->t, &w->t, NULL, &y->t, NULL),
			  ARES_JOB_INVALID_CMD);
	p.groups = 1;
	p.stride_h = 0;
	ck_assert_uint_eq(compute_conv2d(NULL, &p, &x->t, &w->t, NULL, &y->t, NULL),
			  ARES_JOB_INVALID_CMD);
	drop(x);
	drop(w);
	drop(y);
}
END_TEST

/* ---------------------------------------------------------- oneDNN against the loops */

/* y of a oneDNN run against the oracle's copy @want (raw stored values). */
static void same_as_oracle(const struct tt *y, const void *want, double rtol, const char *what,
			   int c)
{
	struct tt o = *y;
	int64_t idx[ARES_MAX_RANK] = {0};

	o.t.data = (void *)want;
	for (int64_t e = 0; e < numel(y); e++) {
		double a, b;

		unflat(&y->t, e, idx);
		a = raw(&o, idx), b = raw(y, idx);
		ck_assert_msg(a == b || fabs(a - b) <= rtol * (1.0 + fabs(a)) ||
				      (isnan(a) && isnan(b)),
			      "%s case %d: element %lld: fast path %.9g, loops %.9g (tol %.3g)",
			      what, c, (long long)e, b, a, rtol);
	}
}

static int64_t pick(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd32() % (uint32_t)(hi - lo + 1));
}

/* Runs @y = op() on the loops, then on oneDNN, and compares; oneDNN must have run it if @must. */
#define ORACLE_RUN(y, call, rtol, what, c, must)                                                   \
	do {                                                                                       \
		size_t bytes_ = (size_t)(numel(y) + 1) * 8;                                        \
		void *want_ = malloc(bytes_);                                                      \
		uint64_t runs_;                                                                    \
                                                                                                   \
		compute_force_dnnl(0);                                                             \
		ck_assert_uint_eq(call, ARES_JOB_OK);                                              \
		memcpy(want_, (y)->mem, bytes_);                                                   \
		memset((y)->mem, 0xa5, bytes_);                                                    \
		compute_force_dnnl(1);                                                             \
		runs_ = compute_dnnl_runs();                                                       \
		ck_assert_uint_eq(call, ARES_JOB_OK);                                              \
		ck_assert_msg(!(must) || compute_dnnl_runs() == runs_ + 1,                         \
			      "%s case %d: oneDNN declined", what, c);                             \
		same_as_oracle(y, want_, rtol, what, c);                                           \
		free(want_);                                                                       \
	} while (0)

START_TEST(conv2d_onednn_matches_the_loops_over_generated_shapes)
{
	static const int nhwc[4] = {0, 2, 3, 1};
	static const unsigned int threads[] = {0, 1, 3};
	int bf16_ok;

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return; /* oneDNN is not used on a host without AVX2 */
	compute_force_dnnl(1);
	/* oneDNN 2.6 runs bf16 from AVX-512 up (valgrind's CPU has AVX2): the loops below it. */
	ck_assert_ptr_nonnull(compute_dnnl_isa());
	bf16_ok = !strncmp(compute_dnnl_isa(), "avx512_core", 11);
	for (int c = 0; c < 80; c++) {
		struct compute_workers *w =
			threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
		int kind = (int)pick(0, 2), bf = c % 5 == 4;
		int64_t G = 1, Cg, Mg, kh = pick(1, 5), kw = pick(1, 5);
		uint32_t dh = (uint32_t)pick(1, 2), dw = (uint32_t)pick(1, 2);
		int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
		struct ares_conv2d_params p = {
			.stride_h = (uint32_t)pick(1, 3),
			.stride_w = (uint32_t)pick(1, 3),
			.pad_top = (uint32_t)pick(0, eh - 1),
			.pad_left = (uint32_t)pick(0, ew - 1),
			.pad_bottom = (uint32_t)pick(0, eh - 1),
			.pad_right = (uint32_t)pick(0, ew - 1),
			.dilation_h = dh,
			.dilation_w = dw,
			.activation = (uint32_t)(c % ARES_ACT_COUNT),
			.act_alpha =
				fbits(c % ARES_ACT_COUNT == ARES_ACT_HARD_SIGMOID ? 0.2f : -0.5f),
			.act_beta = fbits(0.5f)};
		int64_t N = pick(1, 2), H = pick(eh, eh + 30), W = pick(ew, ew + 30), oh, ow;
		uint32_t dtx = bf ? ARES_DTYPE_BF16 : ARES_DTYPE_F32;
		uint32_t dty = bf && c % 2 ? ARES_DTYPE_BF16 : ARES_DTYPE_F32;
		struct tt *x, *wt, *y, *b = NULL;

		if (kind == 0) {
			Cg = pick(1, 40), Mg = pick(1, 40);
		} else if (kind == 1) { /* depthwise, with a channel multiplier sometimes */
			G = pick(1, 48), Cg = 1, Mg = c % 4 ? 1 : 2;
		} else {
			G = pick(2, 4), Cg = pick(1, 12), Mg = pick(1, 12);
		}
		p.groups = (uint32_t)G;
		oh = (H + p.pad_top + p.pad_bottom - eh) / p.stride_h + 1;
		ow = (W + p.pad_left + p.pad_right - ew) / p.stride_w + 1;
		{
			int64_t sx[4] = {N, G * Cg, H, W}, sw[4] = {G * Mg, Cg, kh, kw};
			int64_t sy[4] = {N, G * Mg, oh, ow}, sb[1] = {G * Mg};

			x = mk_perm(dtx, 4, sx, c % 2 ? nhwc : NULL);
			wt = mk(dtx, 4, sw);
			y = mk_perm(dty, 4, sy, c % 3 == 1 ? nhwc : NULL);
			if (c % 3)
				b = mk(ARES_DTYPE_F32, 1, sb);
		}
		fill(x, -1, 1);
		fill(wt, -1, 1);
		if (b)
			fill(b, -1, 1);
		/* Depthwise proper runs on dw.c's kernels (their own test below), not oneDNN. */
		ORACLE_RUN(y, compute_conv2d(w, &p, &x->t, &wt->t, b ? &b->t : NULL, &y->t, NULL),
			   dty == ARES_DTYPE_F32 ? 1e-5 * (1 + Cg * kh * kw / 64) : 1e-2, "conv", c,
			   (!bf || bf16_ok) && p.activation != ARES_ACT_HARD_SIGMOID &&
				   !(Cg == 1 && Mg == 1 && p.stride_w <= 8));
		compute_workers_destroy(w);
		drop(x);
		drop(wt);
		drop(y);
		drop(b);
	}
	compute_force_dnnl(1);
}
END_TEST

/*
 * Float depthwise on the vector kernels (dw.c: the direct AVX-512 one and
 * the padded-plane AVX2 and AVX-512 ones) against the scalar loops, over
 * odd sizes, pads, strides, dilations, every activation, bias or none,
 * f32/bf16/f16 inputs, bf16 and NHWC outputs, and NaN or infinite inputs.
 */
START_TEST(conv2d_depthwise_kernels_match_the_scalar_loops)
{
	static const int nhwc[4] = {0, 2, 3, 1};
	static const unsigned int threads[] = {0, 1, 3};
	static const char *const isas[] = {"avx2", "avx512"};
	int ran = 0;

	for (int v = 0; v < 2; v++) {
		if (compute_force_isa(isas[v])) {
			fprintf(stderr, "SKIP depthwise kernels on %s: not on this CPU\n", isas[v]);
			continue;
		}
		ran++;
		for (int c = 0; c < 120; c++) {
			struct compute_workers *w =
				threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
			/* Mostly the shapes the specialised kernels take: 3x3 and 5x5, strides
			 * 1, 2. */
			int common = c % 4 != 3;
			int64_t kh = common ? (c % 2 ? 3 : 5) : pick(1, 5);
			int64_t kw = common ? kh : pick(1, 5);
			uint32_t s = common ? (uint32_t)(c / 4 % 2 + 1) : (uint32_t)pick(1, 3);
			uint32_t dh = common ? 1 : (uint32_t)pick(1, 2);
			uint32_t dwl = common ? 1 : (uint32_t)pick(1, 2);
			int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dwl + 1;
			uint32_t act = (uint32_t)(c % ARES_ACT_COUNT);
			struct ares_conv2d_params p = {
				.stride_h = common ? s : (uint32_t)pick(1, 3),
				.stride_w = s,
				.pad_top = (uint32_t)pick(0, eh - 1),
				.pad_left = (uint32_t)pick(0, ew - 1),
				.pad_bottom = (uint32_t)pick(0, eh - 1),
				.pad_right = (uint32_t)pick(0, ew - 1),
				.dilation_h = dh,
				.dilation_w = dwl,
				.activation = act,
				.act_alpha = fbits(act == ARES_ACT_HARD_SIGMOID ? 0.2f : -0.5f),
				.act_beta = fbits(0.5f)};
			int64_t N = pick(1, 2), C = pick(1, 19), H = pick(eh, eh + 40),
				W = pick(ew, ew + 70), oh, ow;
			uint32_t dtx = c % 7 == 5   ? ARES_DTYPE_BF16
				       : c % 7 == 6 ? ARES_DTYPE_F16
						    : ARES_DTYPE_F32;
			uint32_t dty = c % 5 == 4 ? ARES_DTYPE_BF16 : ARES_DTYPE_F32;
			struct tt *x, *wt, *y, *b = NULL;

			p.groups = (uint32_t)C;
			oh = (H + p.pad_top + p.pad_bottom - eh) / p.stride_h + 1;
			ow = (W + p.pad_left + p.pad_right - ew) / p.stride_w + 1;
			{
				int64_t sx[4] = {N, C, H, W}, sw[4] = {C, 1, kh, kw};
				int64_t sy[4] = {N, C, oh, ow}, sb[1] = {C};

				x = mk_perm(dtx, 4, sx, c % 6 == 1 ? nhwc : NULL);
				wt = mk(dtx, 4, sw);
				y = mk_perm(dty, 4, sy, c % 6 == 2 ? nhwc : NULL);
				if (c % 3)
					b = mk(ARES_DTYPE_F32, 1, sb);
			}
			fill(x, -2, 2);
			fill(wt, -1, 1);
			if (b)
				fill(b, -1, 1);
			if (c % 10 == 9 && dtx == ARES_DTYPE_F32)
				for (int64_t i = 0; i < N * C * H * W; i += 7)
					((float *)x->mem)[i] = i % 2 ? NAN : INFINITY;
			{
				size_t bytes = (size_t)(numel(y) + 1) * 8;
				void *want = malloc(bytes);

				ck_assert_int_eq(compute_force_isa("scalar"), 0);
				ck_assert_uint_eq(compute_conv2d(w, &p, &x->t, &wt->t,
								 b ? &b->t : NULL, &y->t, NULL),
						  ARES_JOB_OK);
				memcpy(want, y->mem, bytes);
				memset(y->mem, 0xa5, bytes);
				ck_assert_int_eq(compute_force_isa(isas[v]), 0);
				ck_assert_uint_eq(compute_conv2d(w, &p, &x->t, &wt->t,
								 b ? &b->t : NULL, &y->t, NULL),
						  ARES_JOB_OK);
				same_as_oracle(y, want,
					       dty == ARES_DTYPE_F32 ? 1e-5 * (1 + kh * kw / 64)
								     : 1e-2,
					       isas[v], c);
				free(want);
			}
			compute_workers_destroy(w);
			drop(x);
			drop(wt);
			drop(y);
			drop(b);
		}
	}
	/* valgrind's CPU has AVX2; a host with neither has nothing to compare. */
	if (!ran)
		fprintf(stderr, "SKIP depthwise kernels: no AVX2 on this CPU\n");
	if (compute_force_isa("avx512"))
		compute_force_isa("avx2");
}
END_TEST

/*
 * A dimension of one element may have any stride, zero or up to 2^63 (the
 * guest never steps along it): oneDNN still runs the op, on a descriptor
 * it accepts, and matches the loops.
 */
START_TEST(onednn_takes_any_stride_on_one_element_dims)
{
	int64_t sx[4] = {1, 3, 1, 9}, sw[4] = {4, 3, 1, 2}, sy[4] = {1, 4, 1, 8};
	int64_t sa[2] = {1, 5}, sb[2] = {5, 6}, sm[2] = {1, 6};
	static const int64_t odd[] = {0, INT64_MAX, (int64_t)1 << 40};
	struct ares_conv2d_params p = {
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .groups = 1};
	struct ares_matmul_params mp = {.alpha = fbits(1.0f), .beta = fbits(1.0f)};

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	for (int c = 0; c < 6; c++) {
		struct tt *x = mk(ARES_DTYPE_F32, 4, sx), *w = mk(ARES_DTYPE_F32, 4, sw);
		struct tt *y = mk(ARES_DTYPE_F32, 4, sy);
		struct tt *a = mk(ARES_DTYPE_F32, 2, sa), *b = mk(ARES_DTYPE_F32, 2, sb);
		struct tt *m = mk(ARES_DTYPE_F32, 2, sm);

		fill(x, -1, 1);
		fill(w, -1, 1);
		fill(a, -1, 1);
		fill(b, -1, 1);
		x->t.stride[0] = odd[c % 3], x->t.stride[2] = odd[(c + 1) % 3];
		y->t.stride[0] = odd[(c + 2) % 3], y->t.stride[2] = odd[c % 3];
		a->t.stride[0] = odd[c % 3], m->t.stride[0] = odd[(c + 1) % 3];
		ORACLE_RUN(y, compute_conv2d(NULL, &p, &x->t, &w->t, NULL, &y->t, NULL), 1e-6,
			   "conv, one-element dims with odd strides", c, 1);
		ORACLE_RUN(m, compute_matmul(NULL, &mp, &a->t, &b->t, NULL, &m->t, NULL), 1e-6,
			   "matmul, one-row operands with odd strides", c, 1);
		drop(x);
		drop(w);
		drop(y);
		drop(a);
		drop(b);
		drop(m);
	}
}
END_TEST

/* NaN through the bias-free conv into every fused activation: as the loops give it. */
START_TEST(conv2d_onednn_activations_treat_nan_as_the_loops_do)
{
	int64_t sx[4] = {1, 3, 5, 7}, sw[4] = {4, 3, 1, 1}, sy[4] = {1, 4, 5, 7};

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	for (uint32_t act = 0; act < ARES_ACT_COUNT; act++) {
		struct tt *x = mk(ARES_DTYPE_F32, 4, sx), *w = mk(ARES_DTYPE_F32, 4, sw);
		struct tt *y = mk(ARES_DTYPE_F32, 4, sy);
		struct ares_conv2d_params p = {.stride_h = 1,
					       .stride_w = 1,
					       .dilation_h = 1,
					       .dilation_w = 1,
					       .groups = 1,
					       .activation = act,
					       .act_alpha = fbits(-0.5f),
					       .act_beta = fbits(0.5f)};

		fill(x, -2, 2);
		fill(w, -1, 1);
		for (int64_t i = 0; i < numel(x); i += 3)
			((float *)x->mem)[i] = i % 2 ? NAN : INFINITY;
		/* HARD_SIGMOID runs on the loops (see dnnl.c), so only the others must run on
		 * oneDNN. */
		ORACLE_RUN(y, compute_conv2d(NULL, &p, &x->t, &w->t, NULL, &y->t, NULL), 1e-6,
			   "conv nan", (int)act, act != ARES_ACT_HARD_SIGMOID);
		drop(x);
		drop(w);
		drop(y);
	}
}
END_TEST

START_TEST(matmul_onednn_matches_the_loops_over_generated_shapes)
{
	static const unsigned int threads[] = {0, 1, 3};

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	for (int c = 0; c < 60; c++) {
		struct compute_workers *w =
			threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
		unsigned int r = (unsigned int)pick(2, 4);
		int64_t M = c % 7 ? pick(1, 70) : 1, N = pick(1, 70);
		int64_t K = c % 5 ? pick(1, 70) : pick(200, 300);
		int ta = c % 4 == 1, tb = c % 3 == 2;
		int64_t sa[4], sb[4], sy[4];
		static const int tr[4][4] = {{0}, {0}, {1, 0}, {0, 2, 1}};
		int pa[4], pb[4];
		struct ares_matmul_params p = {
			.flags = (ta ? ARES_MATMUL_TRANS_A : 0) | (tb ? ARES_MATMUL_TRANS_B : 0),
			.activation = (uint32_t)(c % ARES_ACT_COUNT),
			.alpha = fbits(c % 2 ? 1.0f : 0.75f),
			.beta = fbits(c % 4 ? 1.0f : -0.5f),
			.act_alpha =
				fbits(c % ARES_ACT_COUNT == ARES_ACT_HARD_SIGMOID ? 0.2f : -0.5f),
			.act_beta = fbits(0.5f)};
		struct tt *a, *b, *y, *cc = NULL;

		(void)tr;
		for (unsigned int d = 0; d < r; d++)
			sy[d] = sa[d] = sb[d] = d + 2 < r ? pick(1, 3) : 0, pa[d] = pb[d] = (int)d;
		sa[r - 2] = ta ? K : M, sa[r - 1] = ta ? M : K;
		sb[r - 2] = tb ? N : K, sb[r - 1] = tb ? K : N;
		sy[r - 2] = M, sy[r - 1] = N;
		/* Stored transposed half the time: the view's strides swap, the shape stays. */
		if (c % 2) {
			pa[r - 2] = (int)r - 1, pa[r - 1] = (int)r - 2;
			if (ta) {
				sa[r - 2] = M, sa[r - 1] = K; /* stored [M, K], viewed [K, M] */
			}
		}
		a = mk_perm(ARES_DTYPE_F32, r, sa, c % 2 ? pa : NULL);
		if (c % 2 && ta) {
			int64_t t = a->t.stride[r - 2];

			a->t.shape[r - 2] = K, a->t.shape[r - 1] = M;
			a->t.stride[r - 2] = a->t.stride[r - 1], a->t.stride[r - 1] = t;
		}
		(void)pb;
		b = mk(ARES_DTYPE_F32, r, sb);
		y = mk(ARES_DTYPE_F32, r, sy);
		fill(a, -1, 1);
		fill(b, -1, 1);
		/* Batch broadcast by stride 0 on a or b. */
		if (r > 2 && c % 3 == 0)
			a->t.stride[0] = 0;
		if (r > 2 && c % 3 == 1)
			b->t.stride[0] = 0;
		if (c % 2 == 0) {
			cc = mk(ARES_DTYPE_F32, r, sy);
			fill(cc, -1, 1);
			if (c % 6 == 0) /* one row for every row */
				cc->t.stride[r - 2] = 0;
			if (c % 6 == 2) /* one value for all */
				for (unsigned int d = 0; d < r; d++)
					cc->t.stride[d] = 0;
		}
		ORACLE_RUN(y, compute_matmul(w, &p, &a->t, &b->t, cc ? &cc->t : NULL, &y->t, NULL),
			   1e-5 * (1 + K / 64), "matmul", c, p.activation != ARES_ACT_HARD_SIGMOID);
		compute_workers_destroy(w);
		drop(a);
		drop(b);
		drop(y);
		drop(cc);
	}
	compute_force_dnnl(1);
}
END_TEST

/*
 * MATMUL views oneDNN's GEMM-based matmul does not take as plain matrices
 * (neither stride 1): the runtime's blockwise ConvTranspose, one MATMUL per
 * tap whose weights step kh*kw cells and whose output columns step kw
 * cells, and a b whose columns step two cells. dnnl.c gathers such
 * operands into dense blocks and scatters y; the cells between y's columns
 * (the other taps' outputs) must keep what they held.
 */
START_TEST(matmul_onednn_gathers_views_that_are_not_plain)
{
	static const unsigned int threads[] = {0, 1, 3};

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	for (int c = 0; c < 6; c++) {
		struct compute_workers *w =
			threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
		int64_t C = pick(1, 40), M = pick(1, 40), H = pick(1, 9), W = pick(1, 70), kk = 4;
		int64_t ws[3] = {M, C, kk}, xs[4] = {1, C, H, 2 * W}, ys[4] = {1, M, 2 * H, 2 * W};
		int64_t bs[1] = {M};
		struct tt *wt = mk(ARES_DTYPE_F32, 3, ws), *x = mk(ARES_DTYPE_F32, 4, xs);
		struct tt *y = mk(ARES_DTYPE_F32, 4, ys), *bias = mk(ARES_DTYPE_F32, 1, bs);
		size_t ybytes = (size_t)numel(y) * 4;
		float *want = malloc(ybytes);
		struct ares_matmul_params p = {.activation = c % 2 ? ARES_ACT_RELU : ARES_ACT_NONE,
					       .alpha = fbits(1.0f),
					       .beta = fbits(1.0f)};

		fill(wt, -1, 1);
		fill(x, -1, 1);
		fill(bias, -1, 1);
		for (int dnnl = 0; dnnl < 2; dnnl++) {
			uint64_t runs = compute_dnnl_runs();

			compute_force_dnnl(dnnl);
			for (int64_t e = 0; e < numel(y); e++)
				((float *)y->mem)[e] = 7.0f;
			for (int64_t t = 0; t < kk; t++) {
				struct compute_tensor a = {.data = (float *)wt->mem + t,
							   .dtype = ARES_DTYPE_F32,
							   .rank = 4,
							   .shape = {1, H, M, C},
							   .stride = {0, 0, C * kk, kk}};
				/* b: every other column of x when c >= 3 (not plain either). */
				struct compute_tensor b = {.data = x->mem,
							   .dtype = ARES_DTYPE_F32,
							   .rank = 4,
							   .shape = {1, H, C, W},
							   .stride = {C * H * 2 * W, 2 * W,
								      H * 2 * W, c >= 3 ? 2 : 1}};
				struct compute_tensor yt = {
					.data = (float *)y->mem + t / 2 * 2 * W + t % 2,
					.dtype = ARES_DTYPE_F32,
					.rank = 4,
					.shape = {1, H, M, W},
					.stride = {M * 4 * H * W, 2 * 2 * W, 4 * H * W, 2}};
				struct compute_tensor cb = {.data = bias->mem,
							    .dtype = ARES_DTYPE_F32,
							    .rank = 4,
							    .shape = {1, H, M, W},
							    .stride = {0, 0, 1, 0}};

				ck_assert_uint_eq(compute_matmul(w, &p, &a, &b, c % 3 ? &cb : NULL,
								 &yt, NULL),
						  ARES_JOB_OK);
			}
			if (!dnnl) {
				memcpy(want, y->mem, ybytes);
				continue;
			}
			ck_assert_msg(compute_dnnl_runs() == runs + (uint64_t)kk,
				      "case %d: oneDNN declined", c);
			for (int64_t e = 0; e < numel(y); e++) {
				float a = want[e], b = ((float *)y->mem)[e];

				ck_assert_msg(fabsf(a - b) <= 1e-5f * (1.0f + fabsf(a)),
					      "case %d: cell %lld: oneDNN %.9g, loops %.9g", c,
					      (long long)e, b, a);
			}
		}
		compute_workers_destroy(w);
		free(want);
		drop(wt);
		drop(x);
		drop(y);
		drop(bias);
	}
	compute_force_dnnl(1);
}
END_TEST

/*
 * Integer MATMUL on oneDNN (AVX-512 VNNI hosts) against the loops, bit for
 * bit: every 8-bit type pair, per-tensor and per-channel zero points,
 * both transposes, batch broadcast, requantised and I32 outputs, and extreme
 * operands (every a 255 or -128, every b -128 or 127) whose sums pass 2^24
 * and would saturate int16 pairs.
 */
START_TEST(matmul_int8_onednn_matches_the_loops_over_generated_shapes)
{
	static const unsigned int threads[] = {0, 1, 3};
	static const uint32_t t8[2] = {ARES_DTYPE_U8, ARES_DTYPE_I8};
	static const uint32_t ty[3] = {ARES_DTYPE_I32, ARES_DTYPE_U8, ARES_DTYPE_I8};
	const char *isa;
	int vnni;

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	/* oneDNN must take it where its ISA (ARES_COMPUTE_ISA may cap it) has VNNI. */
	compute_force_dnnl(1);
	isa = compute_dnnl_isa();
	vnni = isa && !strncmp(isa, "avx512_core_", 12);
	for (int c = 0; c < 48; c++) {
		struct compute_workers *w =
			threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
		unsigned int r = c % 4 == 3 ? 3 : 2;
		int extreme = c % 8 == 5;
		int64_t M = c % 7 ? pick(1, 70) : 1, N = pick(1, 64); /* tt holds 64 scales */
		int64_t K = extreme ? pick(600, 900) : c % 5 ? pick(1, 70) : pick(200, 300);
		int tb = c % 3 == 2, ta = c % 5 == 3;

		if (c == 47) /* more int32 sums than one task holds: blocks of fewer rows */
			M = 1100, N = 1000, K = 9;
		uint32_t dta = t8[c % 2], dtb = t8[c / 2 % 2], dty = ty[c % 3];
		int64_t sa[3], sb[3], sy[3];
		struct ares_matmul_params p = {
			.flags = (ta ? ARES_MATMUL_TRANS_A : 0) | (tb ? ARES_MATMUL_TRANS_B : 0),
			.activation = dty != ARES_DTYPE_I32 && c % 4 == 1 ? ARES_ACT_RELU : 0,
			.alpha = fbits(1.0f)};
		struct tt *a, *b, *y;

		for (unsigned int d = 0; d < r; d++)
			sy[d] = sa[d] = sb[d] = pick(1, 3);
		sa[r - 2] = ta ? K : M, sa[r - 1] = ta ? M : K;
		sb[r - 2] = tb ? N : K, sb[r - 1] = tb ? K : N;
		sy[r - 2] = M, sy[r - 1] = N;
		a = mk(dta, r, sa);
		b = mk(dtb, r, sb);
		y = mk(dty, r, sy);
		fill(a, 0, 0);
		fill(b, 0, 0);
		if (extreme) {
			memset(a->mem, dta == ARES_DTYPE_U8 ? 255 : 0x80, (size_t)numel(a));
			memset(b->mem, dtb == ARES_DTYPE_U8 ? 0 : (c % 16 == 5 ? 0x80 : 0x7f),
			       (size_t)numel(b));
		}
		if (r > 2 && c % 2)
			a->t.stride[0] = 0;
		quant(a, 0.05f, extreme ? 0 : dta == ARES_DTYPE_U8 ? 131 : -3);
		if (c % 4 == 2)
			quant_ch(b, tb ? r - 2 : r - 1);
		else
			quant(b, 0.02f, extreme ? 0 : dtb == ARES_DTYPE_U8 ? 120 : 5);
		if (dty != ARES_DTYPE_I32)
			quant(y, extreme ? 1000.0f : 0.07f, dty == ARES_DTYPE_U8 ? 100 : -10);
		ORACLE_RUN(y, compute_matmul(w, &p, &a->t, &b->t, NULL, &y->t, NULL), 0,
			   "int8 matmul", c, vnni);
		compute_workers_destroy(w);
		drop(a);
		drop(b);
		drop(y);
	}
	compute_force_dnnl(1);
}
END_TEST

/*
 * Integer CONV2D on oneDNN's int8 products (AVX-512 VNNI hosts) against
 * the loops, bit for bit: odd sizes, padding, strides, dilation, groups,
 * every 8-bit type pair, per-tensor and per-channel weights, bias, every
 * fused activation, I32 and requantised outputs, extreme operands, and
 * more output pixels than one task takes; and int8 depthwise on dw.c.
 */
START_TEST(conv2d_int8_onednn_matches_the_loops_over_generated_shapes)
{
	static const unsigned int threads[] = {0, 1, 3};
	static const uint32_t t8[2] = {ARES_DTYPE_U8, ARES_DTYPE_I8};
	static const uint32_t ty[3] = {ARES_DTYPE_I32, ARES_DTYPE_U8, ARES_DTYPE_I8};
	const char *isa;
	int vnni;

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	compute_force_dnnl(1);
	isa = compute_dnnl_isa();
	vnni = isa && !strncmp(isa, "avx512_core_", 12);
	for (int c = 0; c < 64; c++) {
		struct compute_workers *w =
			threads[c % 3] ? compute_workers_create(threads[c % 3]) : NULL;
		int extreme = c % 8 == 5, big = c % 16 == 15;
		uint32_t dtx = t8[c % 2], dtw = t8[c / 2 % 2], dty = ty[c % 3];
		int64_t G = c % 5 == 4 ? pick(2, 3) : 1, Cg = pick(1, 5), Mg = pick(1, 7);
		int64_t kh = pick(1, 3), kw = pick(1, 3), sh = pick(1, 3), sw = pick(1, 3);
		int64_t dh = c % 4 == 3 ? 2 : 1, dw = c % 6 == 1 ? 2 : 1;
		int64_t pt = pick(0, 2), pb = pick(0, 2), pl = pick(0, 2), pr = pick(0, 2);
		int64_t H = pick(1, 11) + dh * (kh - 1), W = pick(1, 11) + dw * (kw - 1);
		struct ares_conv2d_params p = {.stride_h = (uint32_t)sh,
					       .stride_w = (uint32_t)sw,
					       .dilation_h = (uint32_t)dh,
					       .dilation_w = (uint32_t)dw,
					       .pad_top = (uint32_t)pt,
					       .pad_bottom = (uint32_t)pb,
					       .pad_left = (uint32_t)pl,
					       .pad_right = (uint32_t)pr,
					       .groups = (uint32_t)G};
		int64_t sx[4], sk[4], sy[4], sbias[1];
		struct tt *x, *k, *y, *bias = NULL;

		if (c % 7 == 3) /* depthwise: dw.c's float kernels, exact for these sizes */
			G = pick(2, 9), Cg = Mg = 1;
		if (extreme)
			Cg = pick(60, 80), kh = kw = 3, dh = dw = 1, H = W = 6;
		if (big) /* more output pixels than one task's block */
			G = 1, Cg = 3, Mg = 4, kh = kw = 3, sh = sw = 1, dh = dw = 1, H = 300,
			W = 301, pt = pb = pl = pr = 1;
		p.stride_h = (uint32_t)sh, p.stride_w = (uint32_t)sw;
		p.dilation_h = (uint32_t)dh, p.dilation_w = (uint32_t)dw;
		p.pad_top = (uint32_t)pt, p.pad_bottom = (uint32_t)pb;
		p.pad_left = (uint32_t)pl, p.pad_right = (uint32_t)pr, p.groups = (uint32_t)G;
		if (dty != ARES_DTYPE_I32) {
			p.activation = (uint32_t)(c / 3 % ARES_ACT_COUNT);
			p.act_alpha = fbits(p.activation == ARES_ACT_HARD_SIGMOID ? 0.2f : -0.5f);
			p.act_beta = fbits(0.5f);
		}
		sx[0] = sy[0] = c % 7 == 2 ? 2 : 1;
		sx[1] = G * Cg, sx[2] = H, sx[3] = W;
		sk[0] = G * Mg, sk[1] = Cg, sk[2] = kh, sk[3] = kw;
		sy[1] = G * Mg;
		sy[2] = (H + pt + pb - dh * (kh - 1) - 1) / sh + 1;
		sy[3] = (W + pl + pr - dw * (kw - 1) - 1) / sw + 1;
		x = mk(dtx, 4, sx);
		k = mk(dtw, 4, sk);
		y = mk(dty, 4, sy);
		fill(x, 0, 0);
		fill(k, 0, 0);
		if (extreme) {
			memset(x->mem, dtx == ARES_DTYPE_U8 ? 255 : 0x80, (size_t)numel(x));
			memset(k->mem, dtw == ARES_DTYPE_U8 ? 0 : (c % 16 == 5 ? 0x80 : 0x7f),
			       (size_t)numel(k));
		}
		/* Zero points at the ends of the range too: the padding holds them. */
		quant(x, 0.05f,
		      extreme	   ? 0
		      : c % 5 == 1 ? (dtx == ARES_DTYPE_U8 ? 255 : -128)
				   : (dtx == ARES_DTYPE_U8 ? 131 : -3));
		if (c % 3 == 1)
			quant_ch(k, 0);
		else
			quant(k, 0.02f, extreme ? 0 : dtw == ARES_DTYPE_U8 ? 120 : 5);
		if (dty != ARES_DTYPE_I32)
			quant(y, extreme ? 1000.0f : 0.07f, dty == ARES_DTYPE_U8 ? 100 : -10);
		if (c % 2 == 0) {
			sbias[0] = G * Mg;
			bias = mk(ARES_DTYPE_I32, 1, sbias);
			fill(bias, -3000, 3000);
		}
		ORACLE_RUN(y,
			   compute_conv2d(w, &p, &x->t, &k->t, bias ? &bias->t : NULL, &y->t, NULL),
			   0, "int8 conv", c, vnni && !(Cg == 1 && Mg == 1));
		compute_workers_destroy(w);
		drop(x);
		drop(k);
		drop(y);
		drop(bias);
	}
	compute_force_dnnl(1);
}
END_TEST

/*
 * The vector int8 store against the scalar one, byte for byte: ties,
 * NaN, infinities, huge quotients, the range's ends, extreme zero points.
 */
START_TEST(int8_store_vector_matches_scalar)
{
	static const float special[] = {0.5f,	1.5f,	 2.5f,	 -0.5f,	 -1.5f,	   -2.5f,    127.5f,
					128.5f, -128.5f, 255.5f, 254.5f, -127.5f,  1e30f,    -1e30f,
					0.0f,	-0.0f,	 3.49f,	 1e-40f, 65535.5f, -65536.5f};
	static const int32_t zs[] = {0, 128, -10, 127, -128, 255, 1 << 20, -(1 << 20), 1 << 21};
	static const float ss[] = {1.0f, 0.5f, 0.07f, 3.0f};
	float src[40];
	uint8_t a[40], b[40];

	if (compute_force_isa("avx2"))
		return;
	for (int i = 0; i < 40; i++)
		src[i] = i < 20 ? special[i] : (float)urand(-400, 400);
	src[20] = NAN, src[21] = INFINITY, src[22] = -INFINITY;
	for (int d = 0; d < 2; d++) {
		uint32_t dt = d ? ARES_DTYPE_I8 : ARES_DTYPE_U8;

		for (size_t zi = 0; zi < sizeof(zs) / sizeof(zs[0]); zi++) {
			for (size_t si = 0; si < sizeof(ss) / sizeof(ss[0]); si++) {
				struct ck_qrow q = {.s = &ss[si], .z = &zs[zi], .step = 0};

				ck_assert_int_eq(compute_force_isa("scalar"), 0);
				ck_store_f32(dt, a, 1, 40, &q, src);
				ck_assert_int_eq(compute_force_isa("avx2"), 0);
				ck_store_f32(dt, b, 1, 40, &q, src);
				for (int i = 0; i < 40; i++)
					ck_assert_msg(a[i] == b[i],
						      "dtype %u z %d s %g: %g stored %u, scalar %u",
						      dt, zs[zi], (double)ss[si], (double)src[i],
						      b[i], a[i]);
			}
		}
	}
	if (compute_force_isa("avx512"))
		compute_force_isa("avx2");
}
END_TEST

/*
 * The vector int8 load (dequantisation) against the scalar one, bit for
 * bit: every byte value, odd lengths, extreme zero points and scales.
 */
START_TEST(int8_load_vector_matches_scalar)
{
	static const int32_t zs[] = {0, 128, -10, 127, -128, 255, 1 << 20, -(1 << 20), 1 << 21};
	static const float ss[] = {1.0f, 0.5f, 0.07f, 3.0f, 1e-30f, 1e30f};
	uint8_t src[263];
	float a[263], b[263];

	if (compute_force_isa("avx2"))
		return;
	for (int i = 0; i < 263; i++)
		src[i] = (uint8_t)(i < 256 ? (uint32_t)i : rnd32());
	for (int d = 0; d < 2; d++) {
		uint32_t dt = d ? ARES_DTYPE_I8 : ARES_DTYPE_U8;

		for (size_t zi = 0; zi < sizeof(zs) / sizeof(zs[0]); zi++) {
			for (size_t si = 0; si < sizeof(ss) / sizeof(ss[0]); si++) {
				struct ck_qrow q = {.s = &ss[si], .z = &zs[zi], .step = 0};

				for (int64_t n = 1; n <= 263; n += 131) {
					ck_assert_int_eq(compute_force_isa("scalar"), 0);
					ck_load_f32(dt, src, 1, n, &q, a);
					ck_assert_int_eq(compute_force_isa("avx2"), 0);
					ck_load_f32(dt, src, 1, n, &q, b);
					ck_assert_msg(
						!memcmp(a, b, (size_t)n * sizeof(float)),
						"dtype %u z %d s %g n %lld: vector load differs",
						dt, zs[zi], (double)ss[si], (long long)n);
				}
			}
		}
	}
	/* Per channel along the row: a scale and zero point per element, one out of range. */
	for (int d = 0; d < 2; d++) {
		uint32_t dt = d ? ARES_DTYPE_I8 : ARES_DTYPE_U8;
		static float sch[263];
		static int32_t zch[263];

		for (int i = 0; i < 263; i++) {
			sch[i] = ss[(i * 7 + d) % 6];
			zch[i] = zs[(i * 5 + d) % 6];
		}
		zch[200] = 1 << 21;
		for (int64_t n = 1; n <= 263; n += 131) {
			struct ck_qrow q = {.s = sch, .z = zch, .step = 1};

			ck_assert_int_eq(compute_force_isa("scalar"), 0);
			ck_load_f32(dt, src, 1, n, &q, a);
			ck_assert_int_eq(compute_force_isa("avx2"), 0);
			ck_load_f32(dt, src, 1, n, &q, b);
			ck_assert_msg(!memcmp(a, b, (size_t)n * sizeof(float)),
				      "dtype %u per channel n %lld: vector load differs", dt,
				      (long long)n);
		}
	}
	if (compute_force_isa("avx512"))
		compute_force_isa("avx2");
}
END_TEST

/*
 * The vector activations (the epilogue of every conv, matmul and eltwise
 * activation) against the scalar ones, bit for bit: signed zeros,
 * infinities, quiet and signalling NaN of both signs, subnormals, the
 * bends of each function, NaN and crossed CLIP bounds.
 */
START_TEST(activation_vector_matches_scalar)
{
	static const uint32_t bits[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000,
					0x7fc00000, 0xffc00000, 0x7fa00000, 0xffa00000,
					0x7f800001, 0x00000001, 0x80000001, 0x3f800000};
	static const float special[] = {3.0f, -3.0f, 6.0f,  -6.0f, 0.5f,  -0.5f, 1e30f, -1e30f,
					2.5f, -2.5f, 1e-3f, 1.0f,  -1.0f, 7.0f,	 0.2f,	-0.2f};
	static const float ab[][2] = {{0.2f, 0.5f},  {-0.5f, 0.5f}, {0.0f, 6.0f},
				      {-0.0f, 0.0f}, {1.0f, -1.0f}, {-INFINITY, INFINITY},
				      {NAN, 1.0f},   {0.0f, NAN},   {0.0f, -0.0f}};
	float src[77], a[77], b[77];

	if (compute_force_isa("avx2"))
		return;
	for (int i = 0; i < 77; i++) {
		if (i < 12)
			memcpy(&src[i], &bits[i], 4);
		else if (i < 28)
			src[i] = special[i - 12];
		else
			src[i] = (float)urand(-8, 8);
	}
	for (uint32_t act = 0; act < ARES_ACT_COUNT; act++) {
		for (size_t k = 0; k < sizeof(ab) / sizeof(ab[0]); k++) {
			for (int64_t n = 77; n >= 5; n -= 36) {
				memcpy(a, src, sizeof(src));
				memcpy(b, src, sizeof(src));
				ck_assert_int_eq(compute_force_isa("scalar"), 0);
				ck_activate(act, ab[k][0], ab[k][1], a, n);
				ck_assert_int_eq(compute_force_isa("avx2"), 0);
				ck_activate(act, ab[k][0], ab[k][1], b, n);
				for (int64_t i = 0; i < n; i++) {
					uint32_t x, y;

					memcpy(&x, &a[i], 4);
					memcpy(&y, &b[i], 4);
					ck_assert_msg(x == y,
						      "act %u alpha %g beta %g: %g (%d) gives "
						      "%08x, scalar %08x",
						      act, (double)ab[k][0], (double)ab[k][1],
						      (double)src[i], (int)i, y, x);
				}
			}
		}
	}
	if (compute_force_isa("avx512"))
		compute_force_isa("avx2");
}
END_TEST

/*
 * oneDNN's int8 CONV2D keeps prepared weights across commands: the guest
 * may rewrite them in place between two commands, and the next command
 * must see the new bytes and zero points (per tensor and per channel),
 * never the cached ones; unchanged weights are found in the cache.
 */
START_TEST(conv2d_int8_weight_cache_follows_rewritten_weights)
{
	const int64_t sx[4] = {1, 6, 7, 9}, sk[4] = {5, 6, 3, 3}, sy[4] = {1, 5, 7, 9};
	struct ares_conv2d_params p = {.stride_h = 1,
				       .stride_w = 1,
				       .dilation_h = 1,
				       .dilation_w = 1,
				       .pad_top = 1,
				       .pad_bottom = 1,
				       .pad_left = 1,
				       .pad_right = 1,
				       .groups = 1};
	struct tt *x, *k, *y;
	const char *isa;
	size_t yb;
	void *first, *want;

	if (compute_force_isa("avx512") && compute_force_isa("avx2"))
		return;
	compute_force_dnnl(1);
	isa = compute_dnnl_isa();
	if (!isa || strncmp(isa, "avx512_core_", 12))
		return; /* the int8 conv runs on oneDNN on VNNI hosts only */
	x = mk(ARES_DTYPE_U8, 4, sx);
	k = mk(ARES_DTYPE_I8, 4, sk);
	y = mk(ARES_DTYPE_I32, 4, sy);
	yb = (size_t)numel(y) * 4;
	first = malloc(yb);
	want = malloc(yb);
	fill(x, 0, 0);
	fill(k, 0, 0);
	quant(x, 0.05f, 120);
	quant(k, 0.02f, 3);
	for (int step = 0; step < 5; step++) {
		uint64_t hits, runs;

		if (step == 2) /* one weight byte rewritten in place */
			((int8_t *)k->mem)[37] = (int8_t)(((int8_t *)k->mem)[37] ^ 0x55);
		if (step == 3) /* the zero point alone changed */
			quant(k, 0.02f, -7);
		if (step == 4) { /* per-channel zero points, then one of them changed */
			quant_ch(k, 0);
			ck_assert_uint_eq(compute_conv2d(NULL, &p, &x->t, &k->t, NULL, &y->t, NULL),
					  ARES_JOB_OK);
			k->zps[2] += 1;
		}
		compute_force_dnnl(0);
		ck_assert_uint_eq(compute_conv2d(NULL, &p, &x->t, &k->t, NULL, &y->t, NULL),
				  ARES_JOB_OK);
		memcpy(want, y->mem, yb);
		memset(y->mem, 0xa5, yb);
		compute_force_dnnl(1);
		hits = compute_dnnl_wcache_hits();
		runs = compute_dnnl_runs();
		ck_assert_uint_eq(compute_conv2d(NULL, &p, &x->t, &k->t, NULL, &y->t, NULL),
				  ARES_JOB_OK);
		ck_assert_uint_eq(compute_dnnl_runs(), runs + 1);
		ck_assert_msg(!memcmp(y->mem, want, yb), "step %d: oneDNN differs from the loops",
			      step);
		/* Step 1 repeats step 0's weights: found; every other step changed them. */
		ck_assert_uint_eq(compute_dnnl_wcache_hits(), hits + (step == 1));
		if (step == 0)
			memcpy(first, want, yb);
		else if (step >= 2)
			ck_assert_msg(memcmp(want, first, yb),
				      "step %d: the change changed nothing", step);
	}
	free(first);
	free(want);
	drop(x);
	drop(k);
	drop(y);
}
END_TEST

/* ---------------------------------------------------------- eltwise */

static double unary_ref(uint32_t op, double a, double al, double be)
{
	switch (op) {
	case ARES_ELT_COPY:
		return a;
	case ARES_ELT_RELU:
		return act_ref(ARES_ACT_RELU, a, al, be);
	case ARES_ELT_LEAKY_RELU:
		return act_ref(ARES_ACT_LEAKY_RELU, a, al, be);
	case ARES_ELT_CLIP:
		return act_ref(ARES_ACT_CLIP, a, al, be);
	case ARES_ELT_SIGMOID:
		return act_ref(ARES_ACT_SIGMOID, a, al, be);
	case ARES_ELT_HARD_SIGMOID:
		return act_ref(ARES_ACT_HARD_SIGMOID, a, al, be);
	case ARES_ELT_HARD_SWISH:
		return act_ref(ARES_ACT_HARD_SWISH, a, al, be);
	case ARES_ELT_TANH:
		return tanh(a);
	case ARES_ELT_GELU:
		return act_ref(ARES_ACT_GELU, a, al, be);
	case ARES_ELT_ERF:
		return erf(a);
	case ARES_ELT_EXP:
		return exp(a);
	case ARES_ELT_LOG:
		return log(a);
	case ARES_ELT_SQRT:
		return sqrt(a);
	case ARES_ELT_RECIPROCAL:
		return 1 / a;
	case ARES_ELT_NEG:
		return -a;
	case ARES_ELT_ABS:
		return fabs(a);
	case ARES_ELT_FLOOR:
		return floor(a);
	case ARES_ELT_CEIL:
		return ceil(a);
	case ARES_ELT_ROUND:
		return nearbyint(a);
	}
	return NAN;
}

static double binary_ref(uint32_t op, double a, double b)
{
	switch (op) {
	case ARES_ELT_ADD:
		return a + b;
	case ARES_ELT_SUB:
		return a - b;
	case ARES_ELT_MUL:
		return a * b;
	case ARES_ELT_DIV:
		return a / b;
	case ARES_ELT_POW:
		return pow(a, b);
	case ARES_ELT_MAX:
		return fmax(a, b);
	case ARES_ELT_MIN:
		return fmin(a, b);
	case ARES_ELT_EQUAL:
		return a == b;
	case ARES_ELT_LESS:
		return a < b;
	case ARES_ELT_GREATER:
		return a > b;
	case ARES_ELT_LESS_EQUAL:
		return a <= b;
	case ARES_ELT_GREATER_EQUAL:
		return a >= b;
	case ARES_ELT_FMOD:
		return fmod(a, b);
	case ARES_ELT_MOD: {
		double r = fmod(a, b);

		return r != 0 && (r < 0) != (b < 0) ? r + b : r;
	}
	}
	return NAN;
}

CFG_TEST(eltwise_unary_float_ops_match_libm)
{
	int64_t s[3] = {3, 1, 37};
	static const uint32_t dts[] = {ARES_DTYPE_F32, ARES_DTYPE_F16, ARES_DTYPE_BF16};

	for (size_t d = 0; d < 3; d++) {
		for (uint32_t op = ARES_ELT_COPY; op <= ARES_ELT_ROUND; op++) {
			static const int perm[3] = {2, 1, 0};
			struct tt *x = mk_perm(dts[d], 3, s, perm), *y = mk(dts[d], 3, s);
			struct ares_eltwise_params p = {
				.op = op, .alpha = fbits(-0.5f), .beta = fbits(0.75f)};
			double want[111];
			int64_t idx[3];
			char what[32];

			fill(x, op == ARES_ELT_LOG || op == ARES_ELT_SQRT ? 0.01 : -4, 4);
			for (int64_t e = 0; e < numel(y); e++) {
				double r;

				unflat(&y->t, e, idx);
				r = unary_ref(op, val(x, idx), -0.5, 0.75);
				/* The output rounds to its dtype before comparison. */
				want[e] = dts[d] == ARES_DTYPE_F32 ? r
					  : dts[d] == ARES_DTYPE_F16
						  ? ck_f16_to_f32(ck_f32_to_f16((float)r))
						  : ck_bf16_to_f32(ck_f32_to_bf16((float)r));
			}
			ck_assert_uint_eq(compute_eltwise(W, &p, 1, &x->t, &y->t, NULL),
					  ARES_JOB_OK);
			snprintf(what, sizeof(what), "unary op %u dtype %u", op, dts[d]);
			expect(y, want, dts[d] == ARES_DTYPE_F32 ? 2e-6 : 8e-3, what);
			drop(x);
			drop(y);
		}
	}
}

/* The math functions of the second unary blocks, in double, with the
 * parameters the test passes (alpha, beta). */
static double function_ref(uint32_t op, double a, double al, double be)
{
	switch (op) {
	case ARES_ELT_SIN:
		return sin(a);
	case ARES_ELT_COS:
		return cos(a);
	case ARES_ELT_TAN:
		return tan(a);
	case ARES_ELT_ASIN:
		return asin(a);
	case ARES_ELT_ACOS:
		return acos(a);
	case ARES_ELT_ATAN:
		return atan(a);
	case ARES_ELT_SINH:
		return sinh(a);
	case ARES_ELT_COSH:
		return cosh(a);
	case ARES_ELT_ASINH:
		return asinh(a);
	case ARES_ELT_ACOSH:
		return acosh(a);
	case ARES_ELT_ATANH:
		return atanh(a);
	case ARES_ELT_SIGN:
		return a > 0 ? 1 : a < 0 ? -1 : 0;
	case ARES_ELT_ELU:
		return be * (a > 0 ? a : al * (exp(a) - 1));
	case ARES_ELT_CELU:
		return fmax(0, a) + fmin(0, al * (exp(a / al) - 1));
	case ARES_ELT_THRESHOLDED_RELU:
		return a > al ? a : 0;
	case ARES_ELT_SOFTSIGN:
		return a / (1 + fabs(a));
	case ARES_ELT_SOFTPLUS:
		return log1p(exp(a));
	case ARES_ELT_SHRINK:
		return a < -al ? a + be : a > al ? a - be : 0;
	case ARES_ELT_AFFINE:
		return al * a + be;
	}
	return NAN;
}

CFG_TEST(eltwise_math_functions_match_libm_in_every_float_dtype)
{
	int64_t s[3] = {3, 1, 37};
	static const uint32_t dts[] = {ARES_DTYPE_F32, ARES_DTYPE_F16, ARES_DTYPE_BF16};
	static const uint32_t ops[] = {
		ARES_ELT_SIN,	   ARES_ELT_COS,      ARES_ELT_TAN,
		ARES_ELT_ASIN,	   ARES_ELT_ACOS,     ARES_ELT_ATAN,
		ARES_ELT_SINH,	   ARES_ELT_COSH,     ARES_ELT_ASINH,
		ARES_ELT_ACOSH,	   ARES_ELT_ATANH,    ARES_ELT_SIGN,
		ARES_ELT_ELU,	   ARES_ELT_CELU,     ARES_ELT_THRESHOLDED_RELU,
		ARES_ELT_SOFTSIGN, ARES_ELT_SOFTPLUS, ARES_ELT_SHRINK,
		ARES_ELT_AFFINE};

	for (size_t d = 0; d < 3; d++) {
		for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
			uint32_t op = ops[o];
			static const int perm[3] = {2, 1, 0};
			struct tt *x = mk_perm(dts[d], 3, s, perm), *y = mk(dts[d], 3, s);
			/* Selu's constants; CELU divides by alpha. */
			float al = op == ARES_ELT_CELU ? 2.0f : 1.6732632f, be = 1.0507010f;
			struct ares_eltwise_params p = {
				.op = op, .alpha = fbits(al), .beta = fbits(be)};
			double lo = -4, hi = 4, want[111];
			int64_t idx[3];
			char what[40];

			if (op == ARES_ELT_TAN)
				lo = -1.4, hi = 1.4; /* away from the poles */
			if (op == ARES_ELT_ASIN || op == ARES_ELT_ACOS || op == ARES_ELT_ATANH)
				lo = -0.99, hi = 0.99;
			if (op == ARES_ELT_ACOSH)
				lo = 1, hi = 6;
			fill(x, lo, hi);
			for (int64_t e = 0; e < numel(y); e++) {
				double r;

				unflat(&y->t, e, idx);
				r = function_ref(op, val(x, idx), al, be);
				want[e] = dts[d] == ARES_DTYPE_F32 ? r
					  : dts[d] == ARES_DTYPE_F16
						  ? ck_f16_to_f32(ck_f32_to_f16((float)r))
						  : ck_bf16_to_f32(ck_f32_to_bf16((float)r));
			}
			ck_assert_uint_eq(compute_eltwise(W, &p, 1, &x->t, &y->t, NULL),
					  ARES_JOB_OK);
			snprintf(what, sizeof(what), "function %u dtype %u", op, dts[d]);
			expect(y, want, dts[d] == ARES_DTYPE_F32 ? 2e-6 : 8e-3, what);
			drop(x);
			drop(y);
		}
	}
}

START_TEST(eltwise_sign_isinf_isnan_on_special_values)
{
	static const float fv[8] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, 1.5f, -2.0f, 3e38f};
	int64_t s[1] = {8}, idx[1];
	struct tt *x = mk(ARES_DTYPE_F32, 1, s), *y = mk(ARES_DTYPE_F32, 1, s);
	struct tt *b = mk(ARES_DTYPE_BOOL, 1, s), *xi = mk(ARES_DTYPE_I64, 1, s);
	struct tt *yi = mk(ARES_DTYPE_I64, 1, s);
	struct ares_eltwise_params p = {.op = ARES_ELT_SIGN};
	double want[8];

	memcpy(x->mem, fv, sizeof(fv));
	for (int e = 0; e < 8; e++)
		want[e] = isnan(fv[e]) ? NAN : fv[e] > 0 ? 1 : fv[e] < 0 ? -1 : 0;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &x->t, &y->t, NULL), ARES_JOB_OK);
	expect(y, want, 0, "sign f32");
	for (int e = 0; e < 8; e++) {
		idx[0] = e;
		put(xi, idx, e == 0 ? (double)INT64_MIN : e == 7 ? 9e18 : e - 4);
		want[e] = e == 0 ? -1 : e == 7 ? 1 : e > 4 ? 1 : e < 4 ? -1 : 0;
	}
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &xi->t, &yi->t, NULL), ARES_JOB_OK);
	expect(yi, want, 0, "sign i64");
	/* ISINF's alpha and beta choose the signs it detects. */
	for (int pos = 0; pos < 2; pos++)
		for (int neg = 0; neg < 2; neg++) {
			p.op = ARES_ELT_ISINF;
			p.alpha = fbits(pos ? 1.0f : 0.0f);
			p.beta = fbits(neg ? -3.0f : 0.0f);
			for (int e = 0; e < 8; e++)
				want[e] = (e == 0 && pos) || (e == 1 && neg);
			ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &x->t, &b->t, NULL),
					  ARES_JOB_OK);
			expect(b, want, 0, "isinf");
		}
	p.op = ARES_ELT_ISNAN;
	for (int e = 0; e < 8; e++)
		want[e] = e == 2;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &x->t, &b->t, NULL), ARES_JOB_OK);
	expect(b, want, 0, "isnan");
	/* They answer in BOOL about floats only. */
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &x->t, &y->t, NULL), ARES_JOB_INVALID_CMD);
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &xi->t, &b->t, NULL), ARES_JOB_INVALID_CMD);
	p.op = ARES_ELT_SIN;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &x->t, &b->t, NULL), ARES_JOB_INVALID_CMD);
	drop(x);
	drop(y);
	drop(b);
	drop(xi);
	drop(yi);
}
END_TEST

CFG_TEST(eltwise_shifts_are_byte_operations_on_plain_u8)
{
	int64_t s[2] = {6, 11}, idx[2];
	struct tt *a = mk(ARES_DTYPE_U8, 2, s), *b = mk(ARES_DTYPE_U8, 2, s);
	struct tt *y = mk(ARES_DTYPE_U8, 2, s), *yi = mk(ARES_DTYPE_I8, 2, s);
	struct compute_tensor v[2];
	struct ares_eltwise_params p;
	double want[66];

	fill(a, 0, 0);
	for (int64_t e = 0; e < numel(b); e++) {
		unflat(&b->t, e, idx);
		put(b, idx, e % 11 == 10 ? 200 : (double)(e % 11)); /* 0..9 and past 8 */
	}
	v[0] = a->t, v[1] = b->t;
	v[1].stride[0] = 0; /* one row of amounts for every row */
	for (uint32_t op = ARES_ELT_SHL; op <= ARES_ELT_SHR; op++) {
		p = (struct ares_eltwise_params){.op = op};
		for (int64_t e = 0; e < numel(y); e++) {
			int64_t i0[2], x0, k;

			unflat(&y->t, e, idx);
			i0[0] = 0, i0[1] = idx[1];
			x0 = rawi(a, idx), k = rawi(b, i0);
			want[e] = k >= 8 ? 0 : op == ARES_ELT_SHL ? (x0 << k) & 0xff : x0 >> k;
		}
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &y->t, NULL), ARES_JOB_OK);
		expect(y, want, 0, op == ARES_ELT_SHL ? "shl" : "shr");
	}
	/* Bytes only, and plain ones. */
	ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &yi->t, NULL), ARES_JOB_INVALID_CMD);
	quant(a, 0.5f, 3);
	v[0] = a->t;
	ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &y->t, NULL), ARES_JOB_INVALID_CMD);
	drop(a);
	drop(b);
	drop(y);
	drop(yi);
}

CFG_TEST(eltwise_runs_in_place_and_i32_arithmetic_wraps)
{
	int64_t s[2] = {9, 70}, idx[2];
	struct tt *acc = mk(ARES_DTYPE_F32, 2, s), *x = mk(ARES_DTYPE_F32, 2, s);
	struct tt *a = mk(ARES_DTYPE_I32, 2, s), *b = mk(ARES_DTYPE_I32, 2, s);
	struct tt *y = mk(ARES_DTYPE_I32, 2, s);
	struct compute_tensor v[2];
	struct ares_eltwise_params p = {.op = ARES_ELT_ADD};
	double want[630];

	/* acc = (acc + x) * 0.25 - 1, the output its own input (a Mean's chain). */
	fill(acc, -3, 3);
	fill(x, -3, 3);
	for (int64_t e = 0; e < numel(acc); e++) {
		unflat(&acc->t, e, idx);
		want[e] = (double)((val(acc, idx) + val(x, idx)) * 0.25f - 1.0f);
	}
	v[0] = acc->t, v[1] = x->t;
	ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &acc->t, NULL), ARES_JOB_OK);
	p = (struct ares_eltwise_params){
		.op = ARES_ELT_AFFINE, .alpha = fbits(0.25f), .beta = fbits(-1.0f)};
	ck_assert_uint_eq(compute_eltwise(W, &p, 1, &acc->t, &acc->t, NULL), ARES_JOB_OK);
	expect(acc, want, 1e-6, "in place");
	/* I32 results wrap modulo 2^32 (ONNX's integer arithmetic); negative
	 * integer powers truncate. */
	fill(a, -2147483648.0, 2147483647.0);
	fill(b, -2147483648.0, 2147483647.0);
	v[0] = a->t, v[1] = b->t;
	for (uint32_t op = ARES_ELT_ADD; op <= ARES_ELT_MUL; op++) {
		p = (struct ares_eltwise_params){.op = op};
		for (int64_t e = 0; e < numel(y); e++) {
			uint32_t x0, x1;

			unflat(&y->t, e, idx);
			x0 = (uint32_t)rawi(a, idx), x1 = (uint32_t)rawi(b, idx);
			want[e] = (int32_t)(op == ARES_ELT_ADD	 ? x0 + x1
					    : op == ARES_ELT_SUB ? x0 - x1
								 : x0 * x1);
		}
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &y->t, NULL), ARES_JOB_OK);
		expect(y, want, 0, "i32 wraps");
	}
	for (int64_t e = 0; e < numel(y); e++) {
		unflat(&y->t, e, idx);
		put(a, idx, (double)(e % 5) - 2); /* bases -2..2 */
		put(b, idx, (double)(e % 7) - 3 + (e % 35 == 34 ? 40 : 0));
	}
	p = (struct ares_eltwise_params){.op = ARES_ELT_POW};
	for (int64_t e = 0; e < numel(y); e++) {
		int64_t x0, x1;
		uint32_t r = 1;

		unflat(&y->t, e, idx);
		x0 = rawi(a, idx), x1 = rawi(b, idx);
		if (x1 < 0)
			r = x0 == 1 ? 1 : x0 == -1 ? (x1 & 1 ? (uint32_t)-1 : 1) : 0;
		for (int64_t k = 0; k < x1; k++)
			r *= (uint32_t)x0;
		want[e] = (int32_t)r;
	}
	ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &y->t, NULL), ARES_JOB_OK);
	expect(y, want, 0, "i32 pow");
	/* ARES_ELT_F_WRAP: plain 8-bit ADD..DIV as integers modulo 256. */
	for (uint32_t dt = ARES_DTYPE_I8; dt <= ARES_DTYPE_U8; dt++) {
		struct tt *qa = mk(dt, 2, s), *qb = mk(dt, 2, s), *qy = mk(dt, 2, s);

		fill(qa, 0, 0);
		fill(qb, 0, 0);
		for (int64_t e = 0; e < numel(qb); e++) {
			unflat(&qb->t, e, idx);
			if (rawi(qb, idx) == 0)
				put(qb, idx, 3);
		}
		v[0] = qa->t, v[1] = qb->t;
		for (uint32_t op = ARES_ELT_ADD; op <= ARES_ELT_DIV; op++) {
			p = (struct ares_eltwise_params){.op = op, .flags = ARES_ELT_F_WRAP};
			for (int64_t e = 0; e < numel(qy); e++) {
				int64_t x0, x1, r;

				unflat(&qy->t, e, idx);
				x0 = rawi(qa, idx), x1 = rawi(qb, idx);
				r = op == ARES_ELT_ADD	 ? x0 + x1
				    : op == ARES_ELT_SUB ? x0 - x1
				    : op == ARES_ELT_MUL ? x0 * x1
							 : x0 / x1;
				want[e] = dt == ARES_DTYPE_I8 ? (double)(int8_t)(uint8_t)r
							      : (double)(uint8_t)r;
			}
			ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &qy->t, NULL), ARES_JOB_OK);
			expect(qy, want, 0, "8-bit wraps");
		}
		/* Division by zero is an error, as for I32. */
		idx[0] = 2, idx[1] = 5;
		put(qb, idx, 0);
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &qy->t, NULL), ARES_JOB_INVALID_CMD);
		/* Not for other ops, nor a quantised operand. */
		p.op = ARES_ELT_MAX;
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &qy->t, NULL), ARES_JOB_INVALID_CMD);
		p.op = ARES_ELT_ADD;
		quant(qy, 0.5f, 0);
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &qy->t, NULL), ARES_JOB_INVALID_CMD);
		drop(qa);
		drop(qb);
		drop(qy);
	}
	drop(acc);
	drop(x);
	drop(a);
	drop(b);
	drop(y);
}

CFG_TEST(eltwise_binary_float_ops_broadcast_by_stride_zero)
{
	int64_t s[3] = {4, 5, 6};

	for (uint32_t op = ARES_ELT_ADD; op <= ARES_ELT_FMOD; op++) {
		if (op >= ARES_ELT_AND && op <= ARES_ELT_XOR)
			continue;
		int cmp = op >= ARES_ELT_EQUAL && op <= ARES_ELT_GREATER_EQUAL;
		struct tt *in[2] = {mk(ARES_DTYPE_F32, 3, s), mk(ARES_DTYPE_F32, 3, s)};
		struct tt *y = mk(cmp ? ARES_DTYPE_BOOL : ARES_DTYPE_F32, 3, s);
		struct compute_tensor v[2];
		struct ares_eltwise_params p = {.op = op};
		double want[120];
		int64_t idx[3];

		fill(in[0], 0.5, 3);
		fill(in[1], -2, 2);
		/* in[0] broadcast along dim 1, in[1] along dims 0 and 2. */
		in[0]->t.stride[1] = 0;
		in[1]->t.stride[0] = 0;
		in[1]->t.stride[2] = 0;
		if (cmp) {
			/* Equal values must occur for EQUAL to mean anything. */
			int64_t i0[3] = {1, 0, 2}, i1[3] = {0, 3, 0};

			put(in[1], i1, val(in[0], i0));
		}
		v[0] = in[0]->t, v[1] = in[1]->t;
		for (int64_t e = 0; e < numel(y); e++) {
			unflat(&y->t, e, idx);
			want[e] = binary_ref(op, val(in[0], idx), val(in[1], idx));
		}
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &y->t, NULL), ARES_JOB_OK);
		expect(y, want, cmp ? 0 : 2e-6, "binary");
		drop(in[0]);
		drop(in[1]);
		drop(y);
	}
}

CFG_TEST(prelu_broadcasts_its_slope_in_every_float_dtype)
{
	static const uint32_t dts[3] = {ARES_DTYPE_F32, ARES_DTYPE_F16, ARES_DTYPE_BF16};
	static const double tol[3] = {1e-6, 1e-3, 8e-3};
	int64_t s[3] = {3, 4, 5};

	for (int d = 0; d < 3; d++) {
		struct tt *x = mk(dts[d], 3, s), *sl = mk(dts[d], 3, s), *y = mk(dts[d], 3, s);
		double want[60];
		int64_t idx[3];

		fill(x, -2, 2);
		fill(sl, -0.5, 0.5);
		/* One slope per channel (dimension 1), as ONNX broadcasts [C, 1, 1]. */
		sl->t.stride[0] = 0;
		sl->t.stride[2] = 0;
		for (int64_t e = 0; e < numel(y); e++) {
			unflat(&y->t, e, idx);
			want[e] = val(x, idx) < 0 ? val(sl, idx) * val(x, idx) : val(x, idx);
		}
		ck_assert_uint_eq(compute_prelu(W, &x->t, &sl->t, &y->t, NULL), ARES_JOB_OK);
		expect(y, want, tol[d], "prelu");
		/* What the engine does not implement is refused, not guessed. */
		sl->t.dtype = dts[(d + 1) % 3];
		ck_assert_uint_eq(compute_prelu(W, &x->t, &sl->t, &y->t, NULL),
				  ARES_JOB_INVALID_CMD);
		drop(x);
		drop(sl);
		drop(y);
	}
}

CFG_TEST(eltwise_integer_ops_are_exact_and_divide_toward_zero)
{
	int64_t s[2] = {3, 40};
	static const uint32_t dts[] = {ARES_DTYPE_I32, ARES_DTYPE_I64};
	static const uint32_t ops[] = {ARES_ELT_ADD, ARES_ELT_SUB, ARES_ELT_MUL, ARES_ELT_DIV,
				       ARES_ELT_MAX, ARES_ELT_MIN, ARES_ELT_MOD, ARES_ELT_FMOD,
				       ARES_ELT_POW, ARES_ELT_NEG, ARES_ELT_ABS, ARES_ELT_RELU};

	for (size_t d = 0; d < 2; d++) {
		for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
			uint32_t op = ops[o];
			unsigned int nin = op >= ARES_ELT_ADD ? 2 : 1;
			struct tt *a = mk(dts[d], 2, s), *b = mk(dts[d], 2, s),
				  *y = mk(dts[d], 2, s);
			struct compute_tensor v[2];
			struct ares_eltwise_params p = {.op = op};
			double want[120];
			int64_t idx[2];

			fill(a, op == ARES_ELT_POW ? -5 : -100000, op == ARES_ELT_POW ? 5 : 100000);
			fill(b, op == ARES_ELT_POW ? 0 : -50, op == ARES_ELT_POW ? 6 : 50);
			for (int64_t e = 0; e < numel(b); e++) {
				unflat(&b->t, e, idx);
				if (rawi(b, idx) == 0)
					put(b, idx, 7);
			}
			v[0] = a->t, v[1] = b->t;
			for (int64_t e = 0; e < numel(y); e++) {
				int64_t x0, x1, r = 0;

				unflat(&y->t, e, idx);
				x0 = rawi(a, idx), x1 = rawi(b, idx);
				switch (op) {
				case ARES_ELT_ADD:
					r = x0 + x1;
					break;
				case ARES_ELT_SUB:
					r = x0 - x1;
					break;
				case ARES_ELT_MUL:
					r = x0 * x1;
					break;
				case ARES_ELT_DIV:
					r = x0 / x1;
					break;
				case ARES_ELT_MAX:
					r = x0 > x1 ? x0 : x1;
					break;
				case ARES_ELT_MIN:
					r = x0 < x1 ? x0 : x1;
					break;
				case ARES_ELT_FMOD:
					r = x0 % x1;
					break;
				case ARES_ELT_MOD:
					r = x0 % x1;
					if (r && (r < 0) != (x1 < 0))
						r += x1;
					break;
				case ARES_ELT_POW:
					r = (int64_t)llround(pow((double)x0, (double)x1));
					break;
				case ARES_ELT_NEG:
					r = -x0;
					break;
				case ARES_ELT_ABS:
					r = x0 < 0 ? -x0 : x0;
					break;
				case ARES_ELT_RELU:
					r = x0 > 0 ? x0 : 0;
					break;
				}
				want[e] = (double)r;
			}
			ck_assert_uint_eq(compute_eltwise(W, &p, nin, v, &y->t, NULL), ARES_JOB_OK);
			expect(y, want, 0, "int eltwise");
			drop(a);
			drop(b);
			drop(y);
		}
	}
}

START_TEST(eltwise_integer_division_by_zero_fails_without_writing)
{
	int64_t s[1] = {4};
	struct tt *a = mk(ARES_DTYPE_I32, 1, s), *b = mk(ARES_DTYPE_I32, 1, s);
	struct tt *y = mk(ARES_DTYPE_I32, 1, s);
	struct compute_tensor v[2];
	struct ares_eltwise_params p = {.op = ARES_ELT_DIV};

	for (int i = 0; i < 4; i++) {
		((int32_t *)a->mem)[i] = 10 + i;
		((int32_t *)b->mem)[i] = i == 3 ? 0 : 2;
		((int32_t *)y->mem)[i] = -7;
	}
	v[0] = a->t, v[1] = b->t;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 2, v, &y->t, NULL), ARES_JOB_INVALID_CMD);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(((int32_t *)y->mem)[i], -7);
	p.op = ARES_ELT_MOD;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 2, v, &y->t, NULL), ARES_JOB_INVALID_CMD);
	/* Wrong input count and unknown op. */
	p.op = ARES_ELT_ADD;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, v, &y->t, NULL), ARES_JOB_INVALID_CMD);
	p.op = 63;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 2, v, &y->t, NULL), ARES_JOB_INVALID_CMD);
	drop(a);
	drop(b);
	drop(y);
}
END_TEST

CFG_TEST(eltwise_logic_where_and_int8_quantised_arithmetic)
{
	int64_t s[2] = {5, 9};
	struct tt *c = mk(ARES_DTYPE_BOOL, 2, s), *d = mk(ARES_DTYPE_BOOL, 2, s);
	struct tt *a = mk(ARES_DTYPE_F32, 2, s), *b = mk(ARES_DTYPE_F32, 2, s);
	struct tt *y = mk(ARES_DTYPE_F32, 2, s), *yb = mk(ARES_DTYPE_BOOL, 2, s);
	struct tt *qa = mk(ARES_DTYPE_U8, 2, s), *qb = mk(ARES_DTYPE_U8, 2, s);
	struct tt *qy = mk(ARES_DTYPE_I8, 2, s);
	struct compute_tensor v[3];
	struct ares_eltwise_params p = {.op = ARES_ELT_WHERE};
	double want[45];
	int64_t idx[2];

	fill(c, 0, 0);
	fill(d, 0, 0);
	fill(a, -1, 1);
	fill(b, -1, 1);
	fill(qa, 0, 0);
	fill(qb, 0, 0);
	v[0] = c->t, v[1] = a->t, v[2] = b->t;
	v[2].stride[0] = 0; /* broadcast row 0 of b */
	for (int64_t e = 0; e < numel(y); e++) {
		int64_t i2[2];

		unflat(&y->t, e, idx);
		i2[0] = 0, i2[1] = idx[1];
		want[e] = rawi(c, idx) ? val(a, idx) : val(b, i2);
	}
	ck_assert_uint_eq(compute_eltwise(W, &p, 3, v, &y->t, NULL), ARES_JOB_OK);
	expect(y, want, 0, "where");
	for (uint32_t op = ARES_ELT_AND; op <= ARES_ELT_XOR; op++) {
		p.op = op;
		v[0] = c->t, v[1] = d->t;
		for (int64_t e = 0; e < numel(y); e++) {
			int64_t x0, x1;

			unflat(&y->t, e, idx);
			x0 = rawi(c, idx), x1 = rawi(d, idx);
			want[e] = op == ARES_ELT_AND  ? (x0 && x1)
				  : op == ARES_ELT_OR ? (x0 || x1)
						      : (x0 != x1);
		}
		ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &yb->t, NULL), ARES_JOB_OK);
		expect(yb, want, 0, "logic");
	}
	p.op = ARES_ELT_NOT;
	for (int64_t e = 0; e < numel(y); e++) {
		unflat(&y->t, e, idx);
		want[e] = !rawi(c, idx);
	}
	ck_assert_uint_eq(compute_eltwise(W, &p, 1, &c->t, &yb->t, NULL), ARES_JOB_OK);
	expect(yb, want, 0, "not");
	/* Quantised add: dequantise, add in f32, requantise into another dtype's params. */
	quant(qa, 0.1f, 128);
	quant(qb, 0.05f, 3);
	p.op = ARES_ELT_ADD;
	v[0] = qa->t, v[1] = qb->t;
	v[1].dtype = ARES_DTYPE_U8;
	qy->t.dtype = ARES_DTYPE_U8;
	quant(qy, 0.2f, 17);
	for (int64_t e = 0; e < numel(y); e++) {
		float r;

		unflat(&y->t, e, idx);
		r = (float)((float)(rawi(qa, idx) - 128) * 0.1f) +
		    (float)((float)(rawi(qb, idx) - 3) * 0.05f);
		want[e] = requant(r, qy);
	}
	ck_assert_uint_eq(compute_eltwise(W, &p, 2, v, &qy->t, NULL), ARES_JOB_OK);
	expect(qy, want, 0, "quantised add");
	drop(a);
	drop(b);
	drop(c);
	drop(d);
	drop(y);
	drop(yb);
	drop(qa);
	drop(qb);
	drop(qy);
}

START_TEST(eltwise_copy_converts_quantises_and_saturates)
{
	int64_t s[2] = {3, 6}, idx[2];
	struct tt *f = mk(ARES_DTYPE_F32, 2, s), *q = mk(ARES_DTYPE_I8, 2, s);
	struct tt *f2 = mk(ARES_DTYPE_F32, 2, s), *i32 = mk(ARES_DTYPE_I32, 2, s);
	struct tt *i64 = mk(ARES_DTYPE_I64, 2, s), *u8 = mk(ARES_DTYPE_U8, 2, s);
	struct tt *qc = mk(ARES_DTYPE_U8, 2, s);
	struct ares_eltwise_params p = {.op = ARES_ELT_COPY};
	static const float fv[18] = {0.5f,   1.5f,    2.5f,  -0.5f, -1.5f,  -2.5f,
				     300.0f, -300.0f, NAN,   0.49f, 127.5f, -128.5f,
				     3e9f,   -3e9f,   1e20f, 7.0f,  0.0f,   -0.0f};
	double want[18];

	memcpy(f->mem, fv, sizeof(fv));
	/* f32 -> I8 per tensor (QuantizeLinear): round half to even, saturate. */
	quant(q, 0.5f, 1);
	for (int e = 0; e < 18; e++) {
		float r = fv[e] / 0.5f;

		want[e] = isnan(r) ? 1 : fmin(127, fmax(-128, nearbyint(r) + 1));
	}
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &f->t, &q->t, NULL), ARES_JOB_OK);
	expect(q, want, 0, "quantize");
	/* ... and back (DequantizeLinear). */
	for (int e = 0; e < 18; e++) {
		unflat(&q->t, e, idx);
		want[e] = (double)((float)(rawi(q, idx) - 1) * 0.5f);
	}
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &q->t, &f2->t, NULL), ARES_JOB_OK);
	expect(f2, want, 0, "dequantize");
	/* Requantise I8 (0.5, 1) into U8 per channel along dim 1. */
	quant_ch(qc, 1);
	for (int e = 0; e < 18; e++) {
		float r;
		double v;

		unflat(&q->t, e, idx);
		r = (float)(rawi(q, idx) - 1) * 0.5f;
		v = nearbyint((double)(r / qc->scales[idx[1]])) + qc->zps[idx[1]];
		want[e] = fmin(255, fmax(0, v));
	}
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &q->t, &qc->t, NULL), ARES_JOB_OK);
	expect(qc, want, 0, "requantize per channel");
	/* Cast f32 -> I32 saturates; I32 -> I64 exact; I64 -> U8 saturates. */
	for (int e = 0; e < 18; e++)
		want[e] = isnan(fv[e]) ? 0
				       : fmin(2147483647.0, fmax(-2147483648.0, nearbyint(fv[e])));
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &f->t, &i32->t, NULL), ARES_JOB_OK);
	expect(i32, want, 0, "cast f32->i32");
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &i32->t, &i64->t, NULL), ARES_JOB_OK);
	expect(i64, want, 0, "cast i32->i64");
	for (int e = 0; e < 18; e++)
		want[e] = fmin(255, fmax(0, want[e]));
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &i64->t, &u8->t, NULL), ARES_JOB_OK);
	expect(u8, want, 0, "cast i64->u8");
	drop(f);
	drop(q);
	drop(f2);
	drop(i32);
	drop(i64);
	drop(u8);
	drop(qc);
}
END_TEST

START_TEST(eltwise_handles_scalars_and_empty_tensors)
{
	int64_t s0[1] = {0};
	struct tt *a = mk(ARES_DTYPE_F32, 0, NULL), *y = mk(ARES_DTYPE_F32, 0, NULL);
	struct tt *e = mk(ARES_DTYPE_F32, 1, s0), *ey = mk(ARES_DTYPE_F32, 1, s0);
	struct ares_eltwise_params p = {.op = ARES_ELT_EXP};

	*(float *)a->mem = 1.0f;
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &a->t, &y->t, NULL), ARES_JOB_OK);
	ck_assert_float_eq_tol(*(float *)y->mem, 2.7182817f, 1e-6f);
	ck_assert_uint_eq(compute_eltwise(NULL, &p, 1, &e->t, &ey->t, NULL), ARES_JOB_OK);
	drop(a);
	drop(y);
	drop(e);
	drop(ey);
}
END_TEST

/*
 * The fast ELTWISE (dimensions merged, vector kernels for the f32 math of
 * ADD..DIV, MAX and MIN) against the scalar loops, byte for byte, over
 * generated views: stride-0 broadcasts on any dimension, permuted
 * layouts, one-element dimensions, odd row lengths, every float dtype
 * with NaN, infinities and signed zeros, U8/I8 per tensor (zero points
 * included) and per channel, and in place.
 */
static void fill_raw(struct tt *x, int64_t n)
{
	static const float special[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, -1.0f};

	for (int64_t i = 0; i < n; i++) {
		float f = rnd32() % 5 ? (float)urand(-50, 50) : special[rnd32() % 8];

		switch (x->t.dtype) {
		case ARES_DTYPE_F32:
			((float *)x->mem)[i] = f;
			break;
		case ARES_DTYPE_F16:
			((uint16_t *)x->mem)[i] = ck_f32_to_f16(f);
			break;
		case ARES_DTYPE_BF16:
			((uint16_t *)x->mem)[i] = ck_f32_to_bf16(f);
			break;
		default:
			((uint8_t *)x->mem)[i] = (uint8_t)rnd32();
		}
	}
}

/* A view of @shape over a buffer where dimensions with bit d of @bcast set are broadcast. */
static struct tt *mk_view(uint32_t dt, unsigned int rank, const int64_t *shape, unsigned int bcast,
			  const int *perm)
{
	int64_t own[ARES_MAX_RANK];
	struct tt *x;

	for (unsigned int d = 0; d < rank; d++)
		own[d] = bcast >> d & 1 ? 1 : shape[d];
	x = mk_perm(dt, rank, own, perm);
	fill_raw(x, numel(x));
	for (unsigned int d = 0; d < rank; d++) {
		if (bcast >> d & 1)
			x->t.stride[d] = 0;
		x->t.shape[d] = shape[d];
	}
	return x;
}

static int is_nan_bits(uint32_t dt, const void *p, int64_t i)
{
	if (dt == ARES_DTYPE_F32)
		return (((const uint32_t *)p)[i] & 0x7fffffffu) > 0x7f800000u;
	if (dt == ARES_DTYPE_F16)
		return (((const uint16_t *)p)[i] & 0x7fffu) > 0x7c00u;
	if (dt == ARES_DTYPE_BF16)
		return (((const uint16_t *)p)[i] & 0x7fffu) > 0x7f80u;
	return 0;
}

/*
 * Equal bits, or NaN in both: which NaN an IEEE operation on two NaN
 * operands returns (its sign) is the order the compiler gave the
 * operands of a commutative + or *, not a property of the device.
 */
static int same_bits_or_nans(uint32_t dt, const void *want, const void *got, int64_t n)
{
	unsigned int es = compute_dtype_size(dt);

	for (int64_t i = 0; i < n; i++)
		if (memcmp((const char *)want + i * es, (const char *)got + i * es, es) &&
		    !(is_nan_bits(dt, want, i) && is_nan_bits(dt, got, i)))
			return 0;
	return 1;
}

static void quant_some(struct tt *x, int per_channel_axis)
{
	if (!ck_is_int8(x->t.dtype))
		return;
	if (per_channel_axis >= 0 && x->t.stride[per_channel_axis]) {
		quant_ch(x, (unsigned int)per_channel_axis);
		return;
	}
	quant(x, (float)urand(0.01, 0.5),
	      (int32_t)(rnd32() % 41) - 20 + (x->t.dtype == ARES_DTYPE_U8 ? 128 : 0));
}

START_TEST(eltwise_fast_path_matches_the_scalar_loops)
{
	static const uint32_t dts[] = {ARES_DTYPE_F32, ARES_DTYPE_BF16, ARES_DTYPE_F16,
				       ARES_DTYPE_U8, ARES_DTYPE_I8};
	static const uint32_t ops[] = {ARES_ELT_ADD, ARES_ELT_SUB, ARES_ELT_MUL,
				       ARES_ELT_DIV, ARES_ELT_MAX, ARES_ELT_MIN};
	static const char *const isas[] = {"avx2", "avx512"};

	for (int v = 0; v < 2; v++) {
		if (compute_force_isa(isas[v])) {
			fprintf(stderr, "SKIP eltwise fast path [%s]: not on this CPU\n", isas[v]);
			continue;
		}
		for (int c = 0; c < 240; c++) {
			uint32_t dt = dts[c % 5], op = ops[c / 5 % 6];
			unsigned int rank = 1 + rnd32() % 4, ba = 0, bb = 0;
			int64_t shape[ARES_MAX_RANK], n = 1;
			int perm[ARES_MAX_RANK], pc = rnd32() % 4 ? -1 : (int)(rnd32() % rank);
			int in_place = rnd32() % 6 == 0;
			struct ares_eltwise_params p = {.op = op};
			struct tt *a, *b, *y;
			size_t bytes;
			void *want;

			for (unsigned int d = 0; d < rank; d++) {
				/* Inner rows of odd lengths past two vectors; outer dims small. */
				shape[d] = d == rank - 1 ? 1 + rnd32() % 40 : 1 + rnd32() % 5;
				n *= shape[d];
				perm[d] = (int)d;
			}
			if (rnd32() % 3 == 0 && rank > 1) {
				perm[0] = (int)rank - 1;
				perm[rank - 1] = 0;
			}
			if (rnd32() % 2)
				ba = rnd32() % (1u << rank);
			if (rnd32() % 2)
				bb = rnd32() % (1u << rank);
			y = mk(dt, rank, shape);
			fill_raw(y, n);
			quant_some(y, pc);
			a = in_place ? y : mk_view(dt, rank, shape, ba, NULL);
			b = mk_view(dt, rank, shape, bb, perm);
			if (!in_place)
				quant_some(a, rnd32() % 2 ? pc : -1);
			quant_some(b, -1);
			bytes = (size_t)n * compute_dtype_size(dt);
			want = malloc(bytes + (size_t)n * 8);
			memcpy((char *)want + bytes, y->mem, (size_t)n * 8);
			ck_assert_int_eq(compute_force_isa("scalar"), 0);
			ck_assert_uint_eq(compute_eltwise(NULL, &p, 2,
							  (struct compute_tensor[]){a->t, b->t},
							  &y->t, NULL),
					  ARES_JOB_OK);
			memcpy(want, y->mem, bytes);
			/* In place the input is the output: start again from it. */
			memcpy(y->mem, (char *)want + bytes, (size_t)n * 8);
			ck_assert_int_eq(compute_force_isa(isas[v]), 0);
			ck_assert_uint_eq(compute_eltwise(NULL, &p, 2,
							  (struct compute_tensor[]){a->t, b->t},
							  &y->t, NULL),
					  ARES_JOB_OK);
			ck_assert_msg(same_bits_or_nans(dt, want, y->mem, n),
				      "%s case %d: dtype %u op %u rank %u bcast %x/%x pc %d in "
				      "place %d differs from the loops",
				      isas[v], c, dt, op, rank, ba, bb, pc, in_place);
			free(want);
			if (!in_place)
				drop(a);
			drop(b);
			drop(y);
		}
	}
	if (compute_force_isa("avx512"))
		compute_force_isa("avx2");
}
END_TEST

/* ---------------------------------------------------------- pool */

static void run_pool(uint32_t op, uint32_t dt, int64_t H, int64_t W_, uint32_t kh, uint32_t kw,
		     uint32_t s, uint32_t pad, uint32_t dil, int ceil_mode)
{
	int64_t span_h = (int64_t)dil * (kh - 1) + 1, span_w = (int64_t)dil * (kw - 1) + 1;
	int64_t nh = H + 2 * pad - span_h, nw = W_ + 2 * pad - span_w;
	int64_t oh = (ceil_mode ? (nh + s - 1) : nh) / s + 1;
	int64_t ow = (ceil_mode ? (nw + s - 1) : nw) / s + 1;
	int64_t sx[4] = {2, 3, H, W_}, sy[4] = {2, 3, oh, ow}, idx[4];
	struct tt *x = mk(dt, 4, sx), *y = mk(dt, 4, sy);
	struct ares_pool_params p = {.op = op,
				     .kernel_h = kh,
				     .kernel_w = kw,
				     .stride_h = s,
				     .stride_w = s,
				     .pad_top = pad,
				     .pad_left = pad,
				     .pad_bottom = pad,
				     .pad_right = pad,
				     .dilation_h = dil,
				     .dilation_w = dil};
	double *want = calloc((size_t)numel(y), sizeof(double));

	fill(x, -3, 3);
	for (int64_t e = 0; e < numel(y); e++) {
		double m = -INFINITY, sum = 0;
		int cnt = 0, cntp = 0;

		unflat(&y->t, e, idx);
		for (uint32_t ky = 0; ky < kh; ky++)
			for (uint32_t kx = 0; kx < kw; kx++) {
				int64_t iy = idx[2] * s - pad + ky * dil,
					ix = idx[3] * s - pad + kx * dil;
				int64_t xi[4] = {idx[0], idx[1], iy, ix};

				if (iy >= H + pad || ix >= W_ + pad)
					continue;
				cntp++;
				if (iy < 0 || ix < 0 || iy >= H || ix >= W_)
					continue;
				cnt++;
				sum += val(x, xi);
				m = fmax(m, raw(x, xi));
			}
		want[e] = op == ARES_POOL_MAX ? m : op == ARES_POOL_AVG ? sum / cnt : sum / cntp;
	}
	ck_assert_uint_eq(compute_pool(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	expect(y, want, dt == ARES_DTYPE_F32 ? 1e-6 : ck_is_int8(dt) ? 0 : 1e-2, "pool");
	free(want);
	drop(x);
	drop(y);
}

CFG_TEST(pool_max_avg_and_pad_counting_with_ceil_mode)
{
	for (uint32_t op = ARES_POOL_MAX; op <= ARES_POOL_AVG_PAD; op++) {
		run_pool(op, ARES_DTYPE_F32, 7, 8, 3, 3, 2, 1, 1, 0);
		run_pool(op, ARES_DTYPE_F32, 7, 8, 3, 3, 2, 1, 1, 1);
		run_pool(op, ARES_DTYPE_F32, 6, 6, 2, 2, 2, 0, 1, 1);
		run_pool(op, ARES_DTYPE_F32, 9, 9, 3, 2, 1, 2, 2, 0);
		run_pool(op, ARES_DTYPE_F32, 5, 4, 5, 4, 1, 0, 1, 0); /* global */
		run_pool(op, ARES_DTYPE_F16, 6, 5, 2, 2, 1, 1, 1, 1);
		run_pool(op, ARES_DTYPE_BF16, 1, 1, 1, 1, 1, 0, 1, 0);
	}
	run_pool(ARES_POOL_MAX, ARES_DTYPE_I8, 7, 7, 3, 3, 2, 1, 1, 1);
	run_pool(ARES_POOL_MAX, ARES_DTYPE_U8, 6, 6, 2, 2, 2, 0, 1, 0);
}

/* ---------------------------------------------------------- reduce */

static void run_reduce(uint32_t op, uint32_t axes, uint32_t dtx, uint32_t dty, const int64_t *sx)
{
	int64_t sy[3], idx[3];
	struct tt *x, *y;
	struct ares_reduce_params p = {.op = op, .axes = axes};
	double *want;
	char what[48];

	for (int d = 0; d < 3; d++)
		sy[d] = axes & (1u << d) ? 1 : sx[d];
	x = mk_perm(dtx, 3, sx, (const int[]){1, 2, 0});
	y = mk(dty, 3, sy);
	fill(x, op == ARES_REDUCE_LOG_SUM ? 0.1 : -2, 2);
	want = calloc((size_t)numel(y) + 1, sizeof(double));
	for (int64_t e = 0; e < numel(y); e++) {
		double s = op == ARES_REDUCE_PROD  ? 1
			   : op == ARES_REDUCE_MAX ? -INFINITY
			   : op == ARES_REDUCE_MIN ? INFINITY
						   : 0;
		double m = -INFINITY, best = 0;
		int64_t cnt = 0, pos = 0, bestpos = 0;

		unflat(&y->t, e, idx);
		for (int pass = 0; pass < 2; pass++) {
			for (int64_t i = 0; i < (axes & 1 ? sx[0] : 1); i++)
				for (int64_t j = 0; j < (axes & 2 ? sx[1] : 1); j++)
					for (int64_t k = 0; k < (axes & 4 ? sx[2] : 1); k++) {
						int64_t xi[3] = {axes & 1 ? i : idx[0],
								 axes & 2 ? j : idx[1],
								 axes & 4 ? k : idx[2]};
						double v = val(x, xi);

						if (pass == 0) {
							m = fmax(m, v);
							continue;
						}
						cnt++;
						switch (op) {
						case ARES_REDUCE_SUM:
						case ARES_REDUCE_MEAN:
						case ARES_REDUCE_LOG_SUM:
							s += v;
							break;
						case ARES_REDUCE_MAX:
							s = fmax(s, v);
							break;
						case ARES_REDUCE_MIN:
							s = fmin(s, v);
							break;
						case ARES_REDUCE_PROD:
							s *= v;
							break;
						case ARES_REDUCE_L1:
							s += fabs(v);
							break;
						case ARES_REDUCE_L2:
						case ARES_REDUCE_SUM_SQUARE:
							s += v * v;
							break;
						case ARES_REDUCE_LOG_SUM_EXP:
							s += exp(v - m);
							break;
						case ARES_REDUCE_ARGMAX:
						case ARES_REDUCE_ARGMIN:
							if (pos == 0 ||
							    (op == ARES_REDUCE_ARGMAX ? v > best
										      : v < best))
								best = v, bestpos = pos;
							pos++;
							break;
						}
					}
		}
		switch (op) {
		case ARES_REDUCE_MEAN:
			s /= cnt;
			break;
		case ARES_REDUCE_L2:
			s = sqrt(s);
			break;
		case ARES_REDUCE_LOG_SUM:
			s = log(s);
			break;
		case ARES_REDUCE_LOG_SUM_EXP:
			s = log(s) + (isinf(m) ? 0 : m);
			break;
		case ARES_REDUCE_ARGMAX:
		case ARES_REDUCE_ARGMIN:
			s = (double)bestpos;
			break;
		}
		want[e] = s;
	}
	ck_assert_uint_eq(compute_reduce(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	snprintf(what, sizeof(what), "reduce op %u axes %#x", op, axes);
	expect(y, want,
	       dty == ARES_DTYPE_I64 || dty == ARES_DTYPE_I32 ? 0
	       : dty == ARES_DTYPE_F32			      ? 1e-5
							      : 1e-2,
	       what);
	free(want);
	drop(x);
	drop(y);
}

CFG_TEST(reduce_every_op_over_axis_sets_and_empty_dims)
{
	static const int64_t s[3] = {3, 4, 5}, e[3] = {2, 0, 3}, one[3] = {1, 1, 7};

	for (uint32_t op = ARES_REDUCE_SUM; op <= ARES_REDUCE_LOG_SUM_EXP; op++)
		for (uint32_t axes = 0; axes < 8; axes++)
			run_reduce(op, axes, ARES_DTYPE_F32, ARES_DTYPE_F32, s);
	for (uint32_t ax = 1; ax <= 4; ax <<= 1) {
		run_reduce(ARES_REDUCE_ARGMAX, ax, ARES_DTYPE_F32, ARES_DTYPE_I64, s);
		run_reduce(ARES_REDUCE_ARGMIN, ax, ARES_DTYPE_F16, ARES_DTYPE_I64, s);
		run_reduce(ARES_REDUCE_ARGMAX, ax, ARES_DTYPE_I32, ARES_DTYPE_I32, s);
	}
	run_reduce(ARES_REDUCE_SUM, 5, ARES_DTYPE_I64, ARES_DTYPE_I64, s);
	run_reduce(ARES_REDUCE_MAX, 2, ARES_DTYPE_BF16, ARES_DTYPE_BF16, s);
	/* Reducing an empty dimension gives the identity. */
	run_reduce(ARES_REDUCE_SUM, 2, ARES_DTYPE_F32, ARES_DTYPE_F32, e);
	run_reduce(ARES_REDUCE_PROD, 2, ARES_DTYPE_F32, ARES_DTYPE_F32, e);
	run_reduce(ARES_REDUCE_MAX, 2, ARES_DTYPE_F32, ARES_DTYPE_F32, e);
	run_reduce(ARES_REDUCE_MIN, 2, ARES_DTYPE_F32, ARES_DTYPE_F32, e);
	run_reduce(ARES_REDUCE_MEAN, 7, ARES_DTYPE_F32, ARES_DTYPE_F32, one);
}

/* Ties: ARGMAX/ARGMIN keep the first position, the _LAST forms the last,
 * along a strided axis too. */
START_TEST(reduce_arg_ties_first_or_last)
{
	static const float v[2][5] = {{1, 3, 0, 3, 0}, {2, 2, 2, -1, -1}};
	static const int64_t want[4][2] = {{1, 0}, {2, 3}, {3, 2}, {4, 4}};
	static const uint32_t ops[4] = {ARES_REDUCE_ARGMAX, ARES_REDUCE_ARGMIN,
					ARES_REDUCE_ARGMAX_LAST, ARES_REDUCE_ARGMIN_LAST};
	int64_t s[2] = {2, 5}, s1[2] = {2, 1};
	struct tt *x = mk(ARES_DTYPE_F32, 2, s), *y = mk(ARES_DTYPE_I64, 2, s1);

	memcpy(x->t.data, v, sizeof(v));
	for (int i = 0; i < 4; i++) {
		struct ares_reduce_params p = {.op = ops[i], .axes = 2};

		ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
		for (int r = 0; r < 2; r++)
			ck_assert_int_eq(((int64_t *)y->t.data)[r], want[i][r]);
	}
	/* Every other element of each row: {1, 0, 0} and {2, 2, -1}. */
	x->t.shape[1] = 3;
	x->t.stride[1] = 2;
	struct ares_reduce_params p = {.op = ARES_REDUCE_ARGMAX_LAST, .axes = 2};

	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	ck_assert_int_eq(((int64_t *)y->t.data)[0], 0);
	ck_assert_int_eq(((int64_t *)y->t.data)[1], 1);
	p.op = ARES_REDUCE_ARGMIN_LAST;
	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	ck_assert_int_eq(((int64_t *)y->t.data)[0], 2);
	ck_assert_int_eq(((int64_t *)y->t.data)[1], 2);
	drop(x);
	drop(y);
}
END_TEST

START_TEST(reduce_rejects_bad_axes_and_shapes)
{
	int64_t s[2] = {3, 4}, s1[2] = {3, 1};
	struct tt *x = mk(ARES_DTYPE_F32, 2, s), *y = mk(ARES_DTYPE_F32, 2, s1);
	struct tt *yi = mk(ARES_DTYPE_I64, 2, s1);
	struct ares_reduce_params p = {.op = ARES_REDUCE_SUM, .axes = 4};

	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_INVALID_CMD);
	p.axes = 1; /* y keeps dim 0 at 3 but reduces it */
	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_INVALID_CMD);
	p.op = ARES_REDUCE_ARGMAX;
	p.axes = 2;
	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &y->t, NULL), ARES_JOB_INVALID_CMD);
	ck_assert_uint_eq(compute_reduce(NULL, &p, &x->t, &yi->t, NULL), ARES_JOB_OK);
	drop(x);
	drop(y);
	drop(yi);
}
END_TEST

/* ---------------------------------------------------------- softmax, norm */

CFG_TEST(softmax_and_log_softmax_along_each_axis)
{
	int64_t s[3] = {3, 7, 5}, idx[3];

	for (uint32_t axis = 0; axis < 3; axis++)
		for (uint32_t lg = 0; lg < 2; lg++) {
			struct tt *x = mk_perm(ARES_DTYPE_F32, 3, s, (const int[]){2, 0, 1});
			struct tt *y = mk(ARES_DTYPE_F32, 3, s);
			struct ares_softmax_params p = {.axis = axis, .flags = lg};
			double want[105];

			fill(x, -20, 20);
			for (int64_t e = 0; e < numel(y); e++) {
				double m = -INFINITY, sum = 0;
				int64_t j[3];

				unflat(&y->t, e, idx);
				memcpy(j, idx, sizeof(j));
				for (j[axis] = 0; j[axis] < s[axis]; j[axis]++)
					m = fmax(m, val(x, j));
				for (j[axis] = 0; j[axis] < s[axis]; j[axis]++)
					sum += exp(val(x, j) - m);
				want[e] = lg ? val(x, idx) - m - log(sum)
					     : exp(val(x, idx) - m) / sum;
			}
			ck_assert_uint_eq(compute_softmax(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
			expect(y, want, 1e-5, "softmax");
			drop(x);
			drop(y);
		}
}

static void run_norm(uint32_t kind, uint32_t axis, uint32_t dt)
{
	int64_t s[4] = {2, 3, 4, 5}, idx[4];
	int64_t sc_shape[4] = {1, 3, 1, 1};
	struct tt *x = mk(dt, 4, s), *y = mk(dt, 4, s);
	struct tt *sc = mk(ARES_DTYPE_F32, 4, sc_shape), *bi = mk(ARES_DTYPE_F32, 4, sc_shape);
	struct tt *mean = mk(ARES_DTYPE_F32, 4, sc_shape), *var = mk(ARES_DTYPE_F32, 4, sc_shape);
	struct ares_norm_params p = {
		.kind = kind, .axis = axis, .epsilon = fbits(1e-3f), .activation = ARES_ACT_RELU};
	int batch = kind == ARES_NORM_BATCH;
	double want[120];

	fill(x, -3, 3);
	fill(sc, 0.5, 2);
	fill(bi, -1, 1);
	fill(mean, -1, 1);
	fill(var, 0.1, 2);
	/* Per-channel parameters broadcast over N, H, W by stride 0. */
	for (struct tt **t = (struct tt *[]){sc, bi, mean, var, NULL}; *t; t++) {
		memcpy((*t)->t.shape, s, sizeof(s));
		(*t)->t.stride[0] = (*t)->t.stride[2] = (*t)->t.stride[3] = 0;
		(*t)->t.stride[1] = 1;
	}
	for (int64_t e = 0; e < numel(y); e++) {
		double mu = 0, v = 0, r;
		int64_t cnt = 0, first = kind == ARES_NORM_INSTANCE ? 2 : axis;

		unflat(&y->t, e, idx);
		if (batch) {
			mu = val(mean, idx);
			v = val(var, idx);
		} else {
			for (int pass = 0; pass < 2; pass++)
				for (int64_t f = 0; f < numel(x); f++) {
					int64_t j[4], same = 1;

					unflat(&x->t, f, j);
					for (int64_t d = 0; d < first; d++)
						same &= j[d] == idx[d];
					if (!same)
						continue;
					if (pass == 0)
						mu += val(x, j), cnt++;
					else
						v += (val(x, j) - mu) * (val(x, j) - mu);
				}
			(void)0;
		}
		if (!batch) {
			/* mu was summed in pass 0, v used the partial mean: redo cleanly. */
			double m2 = 0;

			mu = 0;
			cnt = 0;
			for (int64_t f = 0; f < numel(x); f++) {
				int64_t j[4], same = 1;

				unflat(&x->t, f, j);
				for (int64_t d = 0; d < first; d++)
					same &= j[d] == idx[d];
				if (same)
					mu += val(x, j), cnt++;
			}
			mu /= cnt;
			for (int64_t f = 0; f < numel(x); f++) {
				int64_t j[4], same = 1;

				unflat(&x->t, f, j);
				for (int64_t d = 0; d < first; d++)
					same &= j[d] == idx[d];
				if (same)
					m2 += (val(x, j) - mu) * (val(x, j) - mu);
			}
			v = m2 / cnt;
		}
		r = (val(x, idx) - mu) / sqrt(v + 1e-3) * val(sc, idx) + val(bi, idx);
		want[e] = r > 0 ? r : 0;
	}
	ck_assert_uint_eq(compute_norm(W, &p, &x->t, &sc->t, &bi->t, batch ? &mean->t : NULL,
				       batch ? &var->t : NULL, &y->t, NULL),
			  ARES_JOB_OK);
	expect(y, want, dt == ARES_DTYPE_F32 ? 1e-5 : 2e-2, "norm");
	drop(x);
	drop(y);
	drop(sc);
	drop(bi);
	drop(mean);
	drop(var);
}

CFG_TEST(layer_instance_and_batch_norm_match_reference)
{
	run_norm(ARES_NORM_LAYER, 1, ARES_DTYPE_F32);
	run_norm(ARES_NORM_LAYER, 3, ARES_DTYPE_F32);
	run_norm(ARES_NORM_LAYER, 0, ARES_DTYPE_BF16);
	run_norm(ARES_NORM_INSTANCE, 0, ARES_DTYPE_F32);
	run_norm(ARES_NORM_INSTANCE, 0, ARES_DTYPE_F16);
	run_norm(ARES_NORM_BATCH, 0, ARES_DTYPE_F32);
}

/* ---------------------------------------------------------- resize */

static double coord(uint32_t mode, double o, double s, int64_t in, int64_t out)
{
	switch (mode) {
	case ARES_COORD_ASYMMETRIC:
		return o / s;
	case ARES_COORD_ALIGN_CORNERS:
		return out == 1 ? 0 : o * (double)(in - 1) / (double)(out - 1);
	case ARES_COORD_PYTORCH_HALF_PIXEL:
		return out > 1 ? (o + 0.5) / s - 0.5 : 0;
	case ARES_COORD_TF_HALF_PIXEL_FOR_NN:
		return (o + 0.5) / s;
	}
	return (o + 0.5) / s - 0.5;
}

static int64_t clampi(int64_t v, int64_t n)
{
	return v < 0 ? 0 : v >= n ? n - 1 : v;
}

static void run_resize(uint32_t mode, uint32_t cm, uint32_t nm, uint32_t dt, int64_t ih, int64_t iw,
		       int64_t oh, int64_t ow)
{
	/* One image and channel: the transform applies to every dimension, and
	 * tf_half_pixel_for_nn would move a size-2 one. */
	int64_t sx[4] = {1, 1, ih, iw}, sy[4] = {1, 1, oh, ow}, idx[4];
	struct tt *x = mk(dt, 4, sx), *y = mk(dt, 4, sy);
	struct ares_resize_params p = {.mode = mode, .coord = cm, .nearest = nm};
	double *want = calloc((size_t)numel(y), sizeof(double));
	char what[64];

	fill(x, -5, 5);
	for (int64_t e = 0; e < numel(y); e++) {
		double c[2];
		int64_t in[2] = {ih, iw}, out[2] = {oh, ow};

		unflat(&y->t, e, idx);
		for (int d = 0; d < 2; d++)
			c[d] = coord(cm, (double)idx[2 + d], (double)out[d] / (double)in[d], in[d],
				     out[d]);
		if (mode == ARES_RESIZE_NEAREST) {
			int64_t j[4] = {idx[0], idx[1], 0, 0};

			for (int d = 0; d < 2; d++) {
				double f = floor(c[d]);
				int64_t r;

				switch (nm) {
				case ARES_NEAREST_ROUND_PREFER_FLOOR:
					r = c[d] == f + 0.5 ? (int64_t)f : (int64_t)round(c[d]);
					break;
				case ARES_NEAREST_ROUND_PREFER_CEIL:
					r = c[d] == f + 0.5 ? (int64_t)f + 1 : (int64_t)round(c[d]);
					break;
				case ARES_NEAREST_FLOOR:
					r = (int64_t)f;
					break;
				default:
					r = (int64_t)ceil(c[d]);
				}
				j[2 + d] = clampi(r, in[d]);
			}
			want[e] = raw(x, j);
		} else {
			double s = 0;

			for (int cy = 0; cy < 2; cy++)
				for (int cx = 0; cx < 2; cx++) {
					double fy = floor(c[0]), fx = floor(c[1]);
					double wy = cy ? c[0] - fy : 1 - (c[0] - fy);
					double wx = cx ? c[1] - fx : 1 - (c[1] - fx);
					int64_t j[4] = {idx[0], idx[1],
							clampi((int64_t)fy + cy, ih),
							clampi((int64_t)fx + cx, iw)};

					s += wy * wx * val(x, j);
				}
			want[e] = s;
		}
	}
	ck_assert_uint_eq(compute_resize(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	snprintf(what, sizeof(what), "resize mode %u coord %u nearest %u", mode, cm, nm);
	expect(y, want, mode == ARES_RESIZE_NEAREST ? 0 : dt == ARES_DTYPE_F32 ? 1e-5 : 2e-2, what);
	free(want);
	drop(x);
	drop(y);
}

CFG_TEST(resize_nearest_and_linear_in_every_coordinate_mode)
{
	for (uint32_t cm = 0; cm <= ARES_COORD_TF_HALF_PIXEL_FOR_NN; cm++) {
		for (uint32_t nm = 0; nm <= ARES_NEAREST_CEIL; nm++) {
			run_resize(ARES_RESIZE_NEAREST, cm, nm, ARES_DTYPE_F32, 4, 6, 8, 12);
			run_resize(ARES_RESIZE_NEAREST, cm, nm, ARES_DTYPE_I8, 6, 5, 3, 7);
		}
		if (cm == ARES_COORD_TF_HALF_PIXEL_FOR_NN)
			continue;
		run_resize(ARES_RESIZE_LINEAR, cm, 0, ARES_DTYPE_F32, 4, 5, 7, 10);
		run_resize(ARES_RESIZE_LINEAR, cm, 0, ARES_DTYPE_F32, 8, 9, 3, 4);
		run_resize(ARES_RESIZE_LINEAR, cm, 0, ARES_DTYPE_F32, 1, 3, 4, 1);
		run_resize(ARES_RESIZE_LINEAR, cm, 0, ARES_DTYPE_F16, 3, 3, 6, 6);
	}
}

/* Keys kernel weights of the four taps floor(x) - 1 .. floor(x) + 2 at
 * fraction T: ONNX Resize's cubic interpolation, in double. */
static void cubic_taps(double c, double a, int exclude, int64_t in, int64_t *j, double *w)
{
	double f = floor(c), t = c - f, sum = 0;
	double d[4] = {t + 1, t, 1 - t, 2 - t};

	for (int k = 0; k < 4; k++) {
		double x = d[k];

		w[k] = x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1
			      : ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
		j[k] = (int64_t)f - 1 + k;
		if (exclude && (j[k] < 0 || j[k] >= in))
			w[k] = 0;
		sum += w[k];
	}
	for (int k = 0; k < 4; k++) {
		if (exclude)
			w[k] /= sum;
		j[k] = clampi(j[k], in);
	}
}

static void run_cubic(uint32_t cm, float a, uint32_t exclude, int64_t ih, int64_t iw, int64_t oh,
		      int64_t ow)
{
	int64_t sx[4] = {1, 2, ih, iw}, sy[4] = {1, 2, oh, ow}, idx[4];
	struct tt *x = mk(ARES_DTYPE_F32, 4, sx), *y = mk(ARES_DTYPE_F32, 4, sy);
	struct ares_resize_params p = {.mode = ARES_RESIZE_CUBIC,
				       .coord = cm,
				       .cubic_a = fbits(a),
				       .exclude_outside = exclude};
	double *want = calloc((size_t)numel(y), sizeof(double));
	char what[80];

	fill(x, -5, 5);
	for (int64_t e = 0; e < numel(y); e++) {
		int64_t jy[4], jx[4];
		double wy[4], wx[4], s = 0;

		unflat(&y->t, e, idx);
		cubic_taps(coord(cm, (double)idx[2], (double)oh / (double)ih, ih, oh), a,
			   (int)exclude, ih, jy, wy);
		cubic_taps(coord(cm, (double)idx[3], (double)ow / (double)iw, iw, ow), a,
			   (int)exclude, iw, jx, wx);
		for (int ky = 0; ky < 4; ky++)
			for (int kx = 0; kx < 4; kx++) {
				int64_t j[4] = {idx[0], idx[1], jy[ky], jx[kx]};

				s += wy[ky] * wx[kx] * val(x, j);
			}
		want[e] = s;
	}
	ck_assert_uint_eq(compute_resize(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	snprintf(what, sizeof(what), "cubic coord %u a %g exclude %u", cm, (double)a, exclude);
	expect(y, want, 1e-4, what);
	free(want);
	drop(x);
	drop(y);
}

CFG_TEST(resize_cubic_with_and_without_exclude_outside)
{
	for (uint32_t cm = 0; cm < ARES_COORD_TF_HALF_PIXEL_FOR_NN; cm++)
		for (uint32_t ex = 0; ex <= 1; ex++) {
			run_cubic(cm, -0.75f, ex, 4, 4, 8, 8);
			run_cubic(cm, -0.5f, ex, 5, 7, 3, 4);
			run_cubic(cm, -0.75f, ex, 1, 3, 2, 3);
		}
	/* A parameter the mode does not take, and a non-finite coefficient. */
	int64_t s[4] = {1, 1, 2, 2};
	struct tt *x = mk(ARES_DTYPE_F32, 4, s), *y = mk(ARES_DTYPE_F32, 4, s);
	struct ares_resize_params p = {.mode = ARES_RESIZE_LINEAR, .exclude_outside = 1};

	ck_assert_uint_ne(compute_resize(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	p.mode = ARES_RESIZE_CUBIC;
	p.exclude_outside = 0;
	p.cubic_a = 0x7f800000u;
	ck_assert_uint_ne(compute_resize(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
	drop(x);
	drop(y);
}

/* ---------------------------------------------------------- DMA */

CFG_TEST(copy_transposes_slices_and_broadcasts)
{
	static const uint32_t dts[] = {ARES_DTYPE_F32, ARES_DTYPE_F16, ARES_DTYPE_I8,
				       ARES_DTYPE_I64};
	int64_t s[3] = {4, 5, 6}, idx[3];

	for (size_t d = 0; d < 4; d++) {
		struct tt *x = mk_perm(dts[d], 3, s, (const int[]){2, 0, 1});
		struct tt *y = mk(dts[d], 3, (const int64_t[]){4, 5, 12});
		struct compute_tensor yv = y->t, xv = x->t;
		double want[120];

		fill(x, -100, 100);
		/* Write into the odd columns of a wider y (concat by placement). */
		yv.shape[2] = 6;
		yv.stride[2] = 2;
		yv.data = (char *)y->mem + compute_dtype_size(dts[d]);
		for (int64_t e = 0; e < numel(x); e++) {
			unflat(&x->t, e, idx);
			want[e] = raw(x, idx);
		}
		ck_assert_uint_eq(compute_copy(W, &xv, &yv, NULL), ARES_JOB_OK);
		for (int64_t e = 0; e < numel(x); e++) {
			int64_t yi[3];

			unflat(&x->t, e, idx);
			yi[0] = idx[0], yi[1] = idx[1], yi[2] = 2 * idx[2] + 1;
			ck_assert(raw(y, yi) == want[e]);
			yi[2]--;
			ck_assert(raw(y, yi) == 0);
		}
		/* Broadcast source: one row replicated. */
		xv.stride[0] = 0;
		ck_assert_uint_eq(compute_copy(W, &xv, &yv, NULL), ARES_JOB_OK);
		for (int64_t e = 0; e < numel(x); e++) {
			int64_t yi[3], xi[3];

			unflat(&x->t, e, idx);
			yi[0] = idx[0], yi[1] = idx[1], yi[2] = 2 * idx[2] + 1;
			xi[0] = 0, xi[1] = idx[1], xi[2] = idx[2];
			ck_assert(raw(y, yi) == raw(x, xi));
		}
		drop(x);
		drop(y);
	}
}

CFG_TEST(pad_constant_reflect_and_edge)
{
	int64_t s[3] = {2, 3, 4}, idx[3];

	for (uint32_t mode = ARES_PAD_CONSTANT; mode <= ARES_PAD_EDGE; mode++) {
		struct ares_pad_params p = {.mode = mode, .begin = {1, 2, 0}, .end = {0, 1, 3}};
		int64_t sy[3] = {3, 6, 7};
		struct tt *x = mk(ARES_DTYPE_F16, 3, s), *y = mk(ARES_DTYPE_F16, 3, sy);
		double want[126];

		p.value = ck_f32_to_f16(-9.5f);
		fill(x, -2, 2);
		for (int64_t e = 0; e < numel(y); e++) {
			int64_t xi[3];
			int out = 0;

			unflat(&y->t, e, idx);
			for (int d = 0; d < 3; d++) {
				int64_t i = idx[d] - p.begin[d];

				if (i < 0 || i >= s[d]) {
					out = 1;
					if (mode == ARES_PAD_EDGE)
						i = i < 0 ? 0 : s[d] - 1;
					else if (mode == ARES_PAD_REFLECT)
						i = i < 0 ? -i : 2 * (s[d] - 1) - i;
				}
				xi[d] = i;
			}
			want[e] = out && mode == ARES_PAD_CONSTANT ? -9.5 : raw(x, xi);
		}
		ck_assert_uint_eq(compute_pad(W, &p, &x->t, &y->t, NULL), ARES_JOB_OK);
		expect(y, want, 0, "pad");
		/* REFLECT cannot reach further than the input is long. */
		if (mode == ARES_PAD_REFLECT) {
			struct ares_pad_params bad = p;

			bad.begin[0] = 2;
			bad.end[0] = 0;
			ck_assert_uint_eq(compute_pad(W, &bad, &x->t, &y->t, NULL),
					  ARES_JOB_INVALID_CMD);
		}
		drop(x);
		drop(y);
	}
}

CFG_TEST(gather_with_negative_indices_and_range_check)
{
	int64_t sd[3] = {4, 5, 3}, si[2] = {2, 3}, idx[4];

	for (uint32_t axis = 0; axis < 3; axis++) {
		int64_t sy[4];
		struct tt *d = mk(ARES_DTYPE_BF16, 3, sd),
			  *ind = mk(axis & 1 ? ARES_DTYPE_I32 : ARES_DTYPE_I64, 2, si);
		struct tt *y;
		double *want;

		for (unsigned int k = 0, j = 0; k < 3; k++) {
			if (k == axis) {
				sy[j++] = si[0];
				sy[j++] = si[1];
			} else {
				sy[j++] = sd[k];
			}
		}
		y = mk(ARES_DTYPE_BF16, 4, sy);
		want = calloc((size_t)numel(y), sizeof(double));
		fill(d, -4, 4);
		for (int64_t e = 0; e < 6; e++) {
			int64_t ii[2];

			unflat(&ind->t, e, ii);
			put(ind, ii, (double)((int64_t)(rnd32() % (2 * sd[axis])) - sd[axis]));
		}
		for (int64_t e = 0; e < numel(y); e++) {
			int64_t di[3], ii[2], v;

			unflat(&y->t, e, idx);
			ii[0] = idx[axis], ii[1] = idx[axis + 1];
			v = rawi(ind, ii);
			for (unsigned int k = 0; k < axis; k++)
				di[k] = idx[k];
			di[axis] = v < 0 ? v + sd[axis] : v;
			for (unsigned int k = axis + 1; k < 3; k++)
				di[k] = idx[k + 1];
			want[e] = raw(d, di);
		}
		ck_assert_uint_eq(compute_gather(W, axis, &d->t, &ind->t, &y->t, NULL),
				  ARES_JOB_OK);
		expect(y, want, 0, "gather");
		/* One index out of range: an error and y untouched. */
		memset(y->mem, 0x5a, (size_t)numel(y) * 2);
		put(ind, (const int64_t[]){1, 2}, (double)sd[axis]);
		ck_assert_uint_eq(compute_gather(W, axis, &d->t, &ind->t, &y->t, NULL),
				  ARES_JOB_INVALID_CMD);
		for (int64_t e = 0; e < numel(y); e++)
			ck_assert_uint_eq(((uint16_t *)y->mem)[e], 0x5a5a);
		put(ind, (const int64_t[]){1, 2}, (double)(-sd[axis] - 1));
		ck_assert_uint_eq(compute_gather(W, axis, &d->t, &ind->t, &y->t, NULL),
				  ARES_JOB_INVALID_CMD);
		free(want);
		drop(d);
		drop(ind);
		drop(y);
	}
}

CFG_TEST(fill_writes_the_low_bytes_of_value_through_strides)
{
	int64_t s[2] = {3, 50};
	struct tt *y = mk(ARES_DTYPE_I32, 2, s), *b = mk(ARES_DTYPE_F16, 0, NULL);
	struct compute_tensor v = y->t;

	v.shape[1] = 25;
	v.stride[1] = 2;
	ck_assert_uint_eq(compute_fill(W, 0xdeadbeef12345678ull, &v, NULL), ARES_JOB_OK);
	for (int i = 0; i < 150; i++)
		ck_assert_uint_eq((uint32_t)((int32_t *)y->mem)[i], i % 2 ? 0 : 0x12345678u);
	ck_assert_uint_eq(compute_fill(W, 0x3c00, &b->t, NULL), ARES_JOB_OK);
	ck_assert_uint_eq(*(uint16_t *)b->mem, 0x3c00);
	drop(y);
	drop(b);
}

/* ---------------------------------------------------------- suite */

static Suite *compute_suite(void)
{
	Suite *s = suite_create("compute");
	TCase *t = tcase_create("kernels");

	tcase_set_timeout(t, 600);
	tcase_add_test(t, f16_round_trips_every_value_and_rounds_half_to_even);
	tcase_add_test(t, bf16_rounds_half_to_even_and_keeps_nan);
	tcase_add_test(t, float_to_int_rounds_half_to_even_and_saturates);
	tcase_add_loop_test(t, matmul_f32_matches_reference_over_shapes_transposes_and_broadcast, 0,
			    NCFG);
	tcase_add_loop_test(t, matmul_int8_is_exact_per_tensor_and_per_channel, 0, NCFG);
	tcase_add_test(t, matmul_rejects_bad_operands);
	tcase_add_loop_test(t, conv2d_float_matches_reference, 0, NCFG);
	tcase_add_loop_test(t, conv2d_int8_is_exact_qlinearconv_and_convinteger, 0, NCFG);
	tcase_add_test(t, conv2d_rejects_bad_geometry);
	tcase_add_test(t, conv2d_onednn_matches_the_loops_over_generated_shapes);
	tcase_add_test(t, matmul_onednn_matches_the_loops_over_generated_shapes);
	tcase_add_test(t, matmul_onednn_gathers_views_that_are_not_plain);
	tcase_add_test(t, matmul_int8_onednn_matches_the_loops_over_generated_shapes);
	tcase_add_test(t, conv2d_int8_onednn_matches_the_loops_over_generated_shapes);
	tcase_add_test(t, int8_store_vector_matches_scalar);
	tcase_add_test(t, int8_load_vector_matches_scalar);
	tcase_add_test(t, activation_vector_matches_scalar);
	tcase_add_test(t, conv2d_int8_weight_cache_follows_rewritten_weights);
	tcase_add_test(t, conv2d_onednn_activations_treat_nan_as_the_loops_do);
	tcase_add_test(t, onednn_takes_any_stride_on_one_element_dims);
	tcase_add_test(t, conv2d_depthwise_kernels_match_the_scalar_loops);
	tcase_add_loop_test(t, eltwise_unary_float_ops_match_libm, 0, NCFG);
	tcase_add_loop_test(t, eltwise_binary_float_ops_broadcast_by_stride_zero, 0, NCFG);
	tcase_add_loop_test(t, eltwise_math_functions_match_libm_in_every_float_dtype, 0, NCFG);
	tcase_add_test(t, eltwise_sign_isinf_isnan_on_special_values);
	tcase_add_loop_test(t, eltwise_shifts_are_byte_operations_on_plain_u8, 0, NCFG);
	tcase_add_loop_test(t, eltwise_runs_in_place_and_i32_arithmetic_wraps, 0, NCFG);
	tcase_add_loop_test(t, eltwise_integer_ops_are_exact_and_divide_toward_zero, 0, NCFG);
	tcase_add_loop_test(t, prelu_broadcasts_its_slope_in_every_float_dtype, 0, NCFG);
	tcase_add_test(t, eltwise_integer_division_by_zero_fails_without_writing);
	tcase_add_loop_test(t, eltwise_logic_where_and_int8_quantised_arithmetic, 0, NCFG);
	tcase_add_test(t, eltwise_copy_converts_quantises_and_saturates);
	tcase_add_test(t, eltwise_handles_scalars_and_empty_tensors);
	tcase_add_test(t, eltwise_fast_path_matches_the_scalar_loops);
	tcase_add_loop_test(t, pool_max_avg_and_pad_counting_with_ceil_mode, 0, NCFG);
	tcase_add_loop_test(t, reduce_every_op_over_axis_sets_and_empty_dims, 0, NCFG);
	tcase_add_test(t, reduce_rejects_bad_axes_and_shapes);
	tcase_add_test(t, reduce_arg_ties_first_or_last);
	tcase_add_loop_test(t, softmax_and_log_softmax_along_each_axis, 0, NCFG);
	tcase_add_loop_test(t, layer_instance_and_batch_norm_match_reference, 0, NCFG);
	tcase_add_loop_test(t, resize_nearest_and_linear_in_every_coordinate_mode, 0, NCFG);
	tcase_add_loop_test(t, resize_cubic_with_and_without_exclude_outside, 0, NCFG);
	tcase_add_loop_test(t, copy_transposes_slices_and_broadcasts, 0, NCFG);
	tcase_add_loop_test(t, pad_constant_reflect_and_edge, 0, NCFG);
	tcase_add_loop_test(t, gather_with_negative_indices_and_range_check, 0, NCFG);
	tcase_add_loop_test(t, fill_writes_the_low_bytes_of_value_through_strides, 0, NCFG);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(compute_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
