// SPDX-License-Identifier: MIT
/*
 * compute_bench: how fast sim's compute kernels run on this host, next to
 * the host's peak and OpenBLAS in the same process. Figures, not a test.
 *
 * Peak: theoretical = cores x GHz x FLOP/cycle, where FLOP/cycle per core
 * is 32 for AVX2+FMA (two 256-bit FMA ports x 8 lanes x 2) and 64 with
 * AVX-512 (two 512-bit ports; some parts have one), GHz from "cpu MHz" in
 * /proc/cpuinfo (a VM reports the nominal clock). Measured = loops of
 * independent 256-bit and 512-bit FMAs, the ceilings of sim's AVX2 and
 * AVX-512 kernels.
 * Each figure is the best of several runs.
 */
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compute.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu MHz", 7) && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1)
			break;
	fclose(f);
	return mhz;
}

/* Twelve independent FMA chains: more than latency x ports, so the loop is throughput-bound. */
__attribute__((target("avx2,fma"))) static double fma_peak_1thread(void)
{
	__m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-4f);
	__m256 a0 = _mm256_set1_ps(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
	__m256 a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
	long iters = 10000000;
	double best = 0;

	for (int rep = 0; rep < 3; rep++) {
		double t = now();

		for (long n = 0; n < iters; n++) {
			a0 = _mm256_fmadd_ps(a0, x, y);
			a1 = _mm256_fmadd_ps(a1, x, y);
			a2 = _mm256_fmadd_ps(a2, x, y);
			a3 = _mm256_fmadd_ps(a3, x, y);
			a4 = _mm256_fmadd_ps(a4, x, y);
			a5 = _mm256_fmadd_ps(a5, x, y);
			a6 = _mm256_fmadd_ps(a6, x, y);
			a7 = _mm256_fmadd_ps(a7, x, y);
			a8 = _mm256_fmadd_ps(a8, x, y);
			a9 = _mm256_fmadd_ps(a9, x, y);
			a10 = _mm256_fmadd_ps(a10, x, y);
			a11 = _mm256_fmadd_ps(a11, x, y);
			__asm__ volatile(""
					 : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4),
					   "+x"(a5));
			__asm__ volatile(""
					 : "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10),
					   "+x"(a11));
		}
		t = now() - t;
		best = fmax(best, iters * 12.0 * 16 / t * 1e-9);
	}
	return best;
}

/* The same with 512-bit FMAs: the ceiling of sim's AVX-512 kernels. */
__attribute__((target("avx512f"))) static double fma512_peak_1thread(void)
{
	__m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-4f);
	__m512 a0 = _mm512_set1_ps(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
	__m512 a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
	long iters = 10000000;
	double best = 0;

	for (int rep = 0; rep < 3; rep++) {
		double t = now();

		for (long n = 0; n < iters; n++) {
			a0 = _mm512_fmadd_ps(a0, x, y);
			a1 = _mm512_fmadd_ps(a1, x, y);
			a2 = _mm512_fmadd_ps(a2, x, y);
			a3 = _mm512_fmadd_ps(a3, x, y);
			a4 = _mm512_fmadd_ps(a4, x, y);
			a5 = _mm512_fmadd_ps(a5, x, y);
			a6 = _mm512_fmadd_ps(a6, x, y);
			a7 = _mm512_fmadd_ps(a7, x, y);
			a8 = _mm512_fmadd_ps(a8, x, y);
			a9 = _mm512_fmadd_ps(a9, x, y);
			a10 = _mm512_fmadd_ps(a10, x, y);
			a11 = _mm512_fmadd_ps(a11, x, y);
			__asm__ volatile(""
					 : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4),
					   "+v"(a5));
			__asm__ volatile(""
					 : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10),
					   "+v"(a11));
		}
		t = now() - t;
		best = fmax(best, iters * 12.0 * 32 / t * 1e-9);
	}
	return best;
}

static struct compute_tensor mat(void *data, uint32_t dt, int64_t r, int64_t c)
{
	struct compute_tensor t = {.data = data, .dtype = dt, .rank = 2};

	t.shape[0] = r, t.shape[1] = c;
	t.stride[0] = c, t.stride[1] = 1;
	return t;
}

static uint32_t f32bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* Best seconds of @reps runs of fn. */
#define BEST(reps, stmt)                                                                           \
	({                                                                                         \
		double best_ = 1e30;                                                               \
		for (int r_ = 0; r_ < (reps); r_++) {                                              \
			double t_ = now();                                                         \
			stmt;                                                                      \
			t_ = now() - t_;                                                           \
			best_ = t_ < best_ ? t_ : best_;                                           \
		}                                                                                  \
		best_;                                                                             \
	})

static void row(const char *what, double ops, double t_ours1, double t_ours2, double t_blas1,
		double t_blas2)
{
	printf("%-34s %9.1f %9.1f", what, ops / t_ours1 * 1e-9, ops / t_ours2 * 1e-9);
	if (t_blas1 > 0)
		printf(" %9.1f %9.1f\n", ops / t_blas1 * 1e-9, ops / t_blas2 * 1e-9);
	else
		printf(" %9s %9s\n", "-", "-");
}

static void bench_sgemm(struct compute_workers *w1, struct compute_workers *w2, int64_t n)
{
	float *a = malloc(n * n * 4), *b = malloc(n * n * 4), *c = malloc(n * n * 4);
	struct compute_tensor ta = mat(a, ARES_DTYPE_F32, n, n), tb = mat(b, ARES_DTYPE_F32, n, n);
	struct compute_tensor tc = mat(c, ARES_DTYPE_F32, n, n);
	struct ares_matmul_params p = {.alpha = f32bits(1.0f)};
	int reps = n <= 512 ? 5 : 3;
	double o1, o2, b1, b2;
	char what[64];

	for (int64_t i = 0; i < n * n; i++)
		a[i] = (float)(i % 7) * 0.1f, b[i] = (float)(i % 5) * 0.1f;
	if (compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL) != ARES_JOB_OK)
		exit(1);
	o1 = BEST(reps, compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL));
	o2 = BEST(reps, compute_matmul(w2, &p, &ta, &tb, NULL, &tc, NULL));
	openblas_set_num_threads(1);
	b1 = BEST(reps, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
				    b, n, 0.0f, c, n));
	openblas_set_num_threads(2);
	b2 = BEST(reps, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
				    b, n, 0.0f, c, n));
	snprintf(what, sizeof(what), "f32 GEMM %lld^3 (GFLOP/s)", (long long)n);
	row(what, 2.0 * n * n * n, o1, o2, b1, b2);
	free(a);
	free(b);
	free(c);
}

static void bench_igemm(struct compute_workers *w1, struct compute_workers *w2, int64_t n)
{
	uint8_t *a = malloc(n * n), *b = malloc(n * n);
	int32_t *c = malloc(n * n * 4);
	struct compute_tensor ta = mat(a, ARES_DTYPE_U8, n, n), tb = mat(b, ARES_DTYPE_I8, n, n);
	struct compute_tensor tc = mat(c, ARES_DTYPE_I32, n, n);
	struct ares_matmul_params p = {.alpha = f32bits(1.0f)};
	double o1, o2;
	char what[64];

	for (int64_t i = 0; i < n * n; i++)
		a[i] = (uint8_t)(i * 7), b[i] = (uint8_t)(i * 13);
	ta.quant = ARES_QUANT_PER_TENSOR, ta.scale = 1, ta.zero_point = 128;
	if (compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL) != ARES_JOB_OK)
		exit(1);
	o1 = BEST(3, compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL));
	o2 = BEST(3, compute_matmul(w2, &p, &ta, &tb, NULL, &tc, NULL));
	snprintf(what, sizeof(what), "u8xi8->i32 GEMM %lld^3 (GOP/s)", (long long)n);
	row(what, 2.0 * n * n * n, o1, o2, 0, 0);
	free(a);
	free(b);
	free(c);
}

/* OpenBLAS has no convolution: im2col (timed) then sgemm, the usual way. */
static void blas_conv(const float *x, const float *w, float *col, float *y, int C, int H, int W,
		      int M)
{
	for (int c = 0; c < C; c++)
		for (int ky = 0; ky < 3; ky++)
			for (int kx = 0; kx < 3; kx++) {
				float *d = col + ((c * 3 + ky) * 3 + kx) * H * W;

				for (int oy = 0; oy < H; oy++)
					for (int ox = 0; ox < W; ox++) {
						int iy = oy + ky - 1, ix = ox + kx - 1;

						d[oy * W + ox] =
							iy < 0 || iy >= H || ix < 0 || ix >= W
								? 0.0f
								: x[(c * H + iy) * W + ix];
					}
			}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, H * W, C * 9, 1.0f, w, C * 9, col,
		    H * W, 0.0f, y, H * W);
}

static void bench_conv(struct compute_workers *w1, struct compute_workers *w2, int C, int H, int W,
		       int M, uint32_t dt, int groups)
{
	size_t es = dt == ARES_DTYPE_F32 ? 4 : 1;
	int Cg = C / groups;
	void *x = calloc((size_t)C * H * W, es), *wt = calloc((size_t)M * Cg * 9, es);
	void *y = calloc((size_t)M * H * W, dt == ARES_DTYPE_F32 ? 4 : 1);
	float *col = malloc((size_t)C * 9 * H * W * 4);
	struct compute_tensor tx = {.data = x,
				    .dtype = dt,
				    .rank = 4,
				    .shape = {1, C, H, W},
				    .stride = {C * H * W, H * W, W, 1}};
	struct compute_tensor tw = {.data = wt,
				    .dtype = dt == ARES_DTYPE_F32 ? dt : ARES_DTYPE_I8,
				    .rank = 4,
				    .shape = {M, Cg, 3, 3},
				    .stride = {Cg * 9, 9, 3, 1}};
	struct compute_tensor ty = {.data = y,
				    .dtype = dt,
				    .rank = 4,
				    .shape = {1, M, H, W},
				    .stride = {M * H * W, H * W, W, 1}};
	struct ares_conv2d_params p = {.stride_h = 1,
				       .stride_w = 1,
				       .pad_top = 1,
				       .pad_left = 1,
				       .pad_bottom = 1,
				       .pad_right = 1,
				       .dilation_h = 1,
				       .dilation_w = 1,
				       .groups = groups,
				       .activation = ARES_ACT_RELU};
	double ops = 2.0 * M * H * W * Cg * 9, o1, o2, b1 = 0, b2 = 0;
	char what[64];

	if (dt != ARES_DTYPE_F32) {
		tx.quant = tw.quant = ty.quant = ARES_QUANT_PER_TENSOR;
		tx.scale = tw.scale = ty.scale = 0.05f;
		tx.zero_point = ty.zero_point = 128;
	}
	if (compute_conv2d(w1, &p, &tx, &tw, NULL, &ty, NULL) != ARES_JOB_OK) {
		fprintf(stderr, "compute_bench: conv2d refused its operands\n");
		exit(1);
	}
	o1 = BEST(5, compute_conv2d(w1, &p, &tx, &tw, NULL, &ty, NULL));
	o2 = BEST(5, compute_conv2d(w2, &p, &tx, &tw, NULL, &ty, NULL));
	if (dt == ARES_DTYPE_F32 && groups == 1) {
		openblas_set_num_threads(1);
		b1 = BEST(5, blas_conv(x, wt, col, y, C, H, W, M));
		openblas_set_num_threads(2);
		b2 = BEST(5, blas_conv(x, wt, col, y, C, H, W, M));
	}
	snprintf(what, sizeof(what), "%s3x3 %s C%d %dx%d M%d (G%s/s)", groups > 1 ? "dw" : "conv",
		 dt == ARES_DTYPE_F32 ? "f32" : "u8", C, H, W, M,
		 dt == ARES_DTYPE_F32 ? "FLOP" : "OP");
	row(what, ops, o1, o2, b1, b2);
	free(x);
	free(wt);
	free(y);
	free(col);
}

/*
 * OpenBLAS picks its kernels from the CPU model; under a VM reporting a
 * generic model it falls back to its oldest (Prescott, SSE3) kernels. To
 * compare with OpenBLAS at its best, name the core from the CPU flags
 * (before the library initialises: re-exec once) unless the caller did.
 */
static void openblas_core_from_flags(char **argv)
{
	const char *core = NULL;

	if (getenv("OPENBLAS_CORETYPE"))
		return;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl"))
		core = "SkylakeX";
	else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		core = "Haswell";
	if (!core)
		return;
	setenv("OPENBLAS_CORETYPE", core, 1);
	execv("/proc/self/exe", argv);
}

int main(int argc, char **argv)
{
	struct compute_workers *w1, *w2;
	double mhz = cpu_mhz();
	int avx512 = __builtin_cpu_supports("avx512f"),
	    avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	double per_cycle = avx512 ? 64 : avx2 ? 32 : 8;

	(void)argc;
	openblas_core_from_flags(argv);
	w1 = compute_workers_create(1);
	w2 = compute_workers_create(2);
	if (!w1 || !w2)
		return 1;
	printf("compute_bench: sim kernels (%s) vs%s (core %s)\n", compute_isa(), OPENBLAS_VERSION,
	       openblas_get_corename());
	printf("host peak f32 per core: theoretical %.1f GFLOP/s (%.0f MHz nominal x %.0f "
	       "FLOP/cycle, "
	       "%s)\n",
	       mhz * per_cycle * 1e-3, mhz, per_cycle, avx512 ? "AVX-512" : "AVX2+FMA");
	printf("  measured FMA loop: AVX2 %.1f GFLOP/s", avx2 ? fma_peak_1thread() : 0.0);
	if (avx512)
		printf(", AVX-512 %.1f GFLOP/s", fma512_peak_1thread());
	printf(" (turbo may exceed the nominal clock; 2 cores: x2)\n\n");
	printf("%-34s %9s %9s %9s %9s\n", "", "sim 1T", "sim 2T", "BLAS 1T", "BLAS 2T");
	bench_sgemm(w1, w2, 512);
	bench_sgemm(w1, w2, 1024);
	bench_igemm(w1, w2, 512);
	bench_igemm(w1, w2, 1024);
	bench_conv(w1, w2, 64, 56, 56, 64, ARES_DTYPE_F32, 1);
	bench_conv(w1, w2, 64, 56, 56, 64, ARES_DTYPE_U8, 1);
	bench_conv(w1, w2, 128, 56, 56, 128, ARES_DTYPE_F32, 128);
	compute_workers_destroy(w1);
	compute_workers_destroy(w2);
	return 0;
}
