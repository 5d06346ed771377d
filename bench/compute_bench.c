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
 *
 * Columns, all in one process on the same buffers: sim's plain loops
 * (ARES_COMPUTE_DNNL=0, the oracle), sim's default path (oneDNN inside
 * the worker pool, with its reorders from and to the strided NCHW views),
 * oneDNN alone (a primitive in the layouts it picks, no reorders: the
 * best the library does on that shape) and OpenBLAS. Each figure is the
 * median of several runs; the host is shared, so compare within a run.
 */
#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h" /* compute_force_dnnl: the loops in the same run */

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

/*
 * The clock of a column: one-thread columns run on this thread alone and
 * take its CPU time, which time slices lost to the other processes of a
 * shared host do not inflate; two-thread columns need the wall clock.
 */
static int timing_threads = 2;

static double clock_for_column(void)
{
	struct timespec ts;

	if (timing_threads > 1)
		return now();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Median seconds of @reps runs of @stmt (after one untimed run). */
#define MEDIAN(reps, stmt)                                                                         \
	({                                                                                         \
		double t_[32];                                                                     \
		int n_ = (reps) < 32 ? (reps) : 32;                                                \
		stmt;                                                                              \
		for (int r_ = 0; r_ < n_; r_++) {                                                  \
			double s_ = clock_for_column();                                            \
			stmt;                                                                      \
			t_[r_] = clock_for_column() - s_;                                          \
		}                                                                                  \
		median(t_, n_);                                                                    \
	})
#define MEDIAN_T(threads, reps, stmt) (timing_threads = (threads), MEDIAN(reps, stmt))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

#define REPS 7

/* Seconds per column of one row; 0 where a column does not apply. */
enum { LOOPS1, LOOPS2, SIM1, SIM2, DNNL1, DNNL2, BLAS1, BLAS2, NCOL };

static void header(void)
{
	static const char *const names[NCOL] = {"loops 1T",  "loops 2T",  "sim 1T",  "sim 2T",
						"oneDNN 1T", "oneDNN 2T", "BLAS 1T", "BLAS 2T"};

	printf("%-30s", "");
	for (int i = 0; i < NCOL; i++)
		printf(" %9s", names[i]);
	printf("   sim/oneDNN 1T 2T   sim/loops 1T 2T\n");
}

static void row(const char *what, double ops, const double *t)
{
	printf("%-30s", what);
	for (int i = 0; i < NCOL; i++)
		if (t[i] > 0)
			printf(" %9.1f", ops / t[i] * 1e-9);
		else
			printf(" %9s", "-");
	if (t[DNNL1] > 0)
		printf("   %7.2fx %6.2fx", t[DNNL1] / t[SIM1], t[DNNL2] / t[SIM2]);
	else
		printf("   %7s  %6s ", "-", "-");
	printf("   %7.2fx %6.2fx\n", t[LOOPS1] / t[SIM1], t[LOOPS2] / t[SIM2]);
}

/* ---- oneDNN on its own, in the layouts it prefers: the reference ---- */

static dnnl_engine_t eng;
static dnnl_stream_t strm;

#define DN(call)                                                                                   \
	do {                                                                                       \
		if ((call) != dnnl_success) {                                                      \
			fprintf(stderr, "compute_bench: %s failed\n", #call);                      \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

struct ref {
	dnnl_primitive_t prim;
	dnnl_exec_arg_t args[4];
	int nargs;
	char impl[64];
};

static void ref_args(struct ref *r, dnnl_primitive_desc_t pd, const int *args,
		     const dnnl_query_t *q, int n)
{
	const char *impl = "";

	dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
	snprintf(r->impl, sizeof(r->impl), "%s", impl);
	DN(dnnl_primitive_create(&r->prim, pd));
	r->nargs = n;
	for (int i = 0; i < n; i++) {
		const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(
			pd, q[i], q[i] == dnnl_query_weights_md && args[i] == DNNL_ARG_BIAS);

		r->args[i].arg = args[i];
		DN(dnnl_memory_create(&r->args[i].memory, md, eng, DNNL_MEMORY_ALLOCATE));
	}
	dnnl_primitive_desc_destroy(pd);
}

static void ref_free(struct ref *r)
{
	for (int i = 0; i < r->nargs; i++)
		dnnl_memory_destroy(r->args[i].memory);
	dnnl_primitive_destroy(r->prim);
}

/* oneDNN sizes its work split when a primitive is made: made per thread count. */
static void ref_conv(struct ref *r, int threads, int C, int H, int W, int M, int groups,
		     dnnl_data_type_t dt)
{
	static const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST};
	static const dnnl_query_t q[4] = {dnnl_query_src_md, dnnl_query_weights_md,
					  dnnl_query_weights_md, dnnl_query_dst_md};
	dnnl_dims_t sd = {1, C, H, W}, dd = {1, M, H, W}, bd = {M};
	dnnl_dims_t wd5 = {groups, M / groups, C / groups, 3, 3}, wd4 = {M, C, 3, 3};
	dnnl_dims_t st = {1, 1}, pad = {1, 1};
	dnnl_memory_desc_t s, w, b, d;
	dnnl_convolution_desc_t cd;
	dnnl_primitive_attr_t attr;
	dnnl_post_ops_t po;
	dnnl_primitive_desc_t pd;

	omp_set_num_threads(threads);
	DN(dnnl_memory_desc_init_by_tag(&s, 4, sd, dt, dnnl_format_tag_any));
	DN(dnnl_memory_desc_init_by_tag(&d, 4, dd, dt, dnnl_format_tag_any));
	DN(dnnl_memory_desc_init_by_tag(&b, 1, bd, dnnl_f32, dnnl_x));
	DN(dnnl_memory_desc_init_by_tag(&w, groups > 1 ? 5 : 4, groups > 1 ? wd5 : wd4, dt,
					dnnl_format_tag_any));
	DN(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
					      &s, &w, &b, &d, st, pad, pad));
	DN(dnnl_post_ops_create(&po));
	DN(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0, 0));
	DN(dnnl_primitive_attr_create(&attr));
	DN(dnnl_primitive_attr_set_post_ops(attr, po));
	DN(dnnl_primitive_desc_create(&pd, &cd, attr, eng, NULL));
	dnnl_post_ops_destroy(po);
	dnnl_primitive_attr_destroy(attr);
	ref_args(r, pd, args, q, 4);
}

static void ref_gemm(struct ref *r, int threads, int64_t n, dnnl_data_type_t at,
		     dnnl_data_type_t bt, dnnl_data_type_t ct)
{
	static const int args[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
	static const dnnl_query_t q[3] = {dnnl_query_src_md, dnnl_query_weights_md,
					  dnnl_query_dst_md};
	dnnl_dims_t dims = {n, n};
	dnnl_memory_desc_t a, b, c;
	dnnl_matmul_desc_t md;
	dnnl_primitive_desc_t pd;

	omp_set_num_threads(threads);
	DN(dnnl_memory_desc_init_by_tag(&a, 2, dims, at, dnnl_ab));
	DN(dnnl_memory_desc_init_by_tag(&b, 2, dims, bt, dnnl_ab));
	DN(dnnl_memory_desc_init_by_tag(&c, 2, dims, ct, dnnl_ab));
	DN(dnnl_matmul_desc_init(&md, &a, &b, NULL, &c));
	DN(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
	ref_args(r, pd, args, q, 3);
}

static double ref_time(struct ref *r, int threads)
{
	omp_set_num_threads(threads);
	return MEDIAN_T(threads, REPS, ({
				DN(dnnl_primitive_execute(r->prim, strm, r->nargs, r->args));
				DN(dnnl_stream_wait(strm));
			}));
}

/* Both sim columns: the plain loops (ARES_COMPUTE_DNNL=0) and the default path. */
#define SIM_COLUMNS(t, w1, w2, call)                                                               \
	do {                                                                                       \
		struct compute_workers *w_;                                                        \
                                                                                                   \
		compute_force_dnnl(0);                                                             \
		w_ = w1, (t)[LOOPS1] = MEDIAN_T(1, REPS, call);                                    \
		w_ = w2, (t)[LOOPS2] = MEDIAN_T(2, REPS, call);                                    \
		compute_force_dnnl(1);                                                             \
		w_ = w1, (t)[SIM1] = MEDIAN_T(1, REPS, call);                                      \
		w_ = w2, (t)[SIM2] = MEDIAN_T(2, REPS, call);                                      \
	} while (0)

static void bench_sgemm(struct compute_workers *w1, struct compute_workers *w2, int64_t n)
{
	float *a = malloc(n * n * 4), *b = malloc(n * n * 4), *c = malloc(n * n * 4);
	struct compute_tensor ta = mat(a, ARES_DTYPE_F32, n, n), tb = mat(b, ARES_DTYPE_F32, n, n);
	struct compute_tensor tc = mat(c, ARES_DTYPE_F32, n, n);
	struct ares_matmul_params p = {.alpha = f32bits(1.0f)};
	double t[NCOL] = {0};
	struct ref r1, r2;
	char what[64];

	for (int64_t i = 0; i < n * n; i++)
		a[i] = (float)(i % 7) * 0.1f, b[i] = (float)(i % 5) * 0.1f;
	if (compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL) != ARES_JOB_OK)
		exit(1);
	SIM_COLUMNS(t, w1, w2, compute_matmul(w_, &p, &ta, &tb, NULL, &tc, NULL));
	ref_gemm(&r1, 1, n, dnnl_f32, dnnl_f32, dnnl_f32);
	ref_gemm(&r2, 2, n, dnnl_f32, dnnl_f32, dnnl_f32);
	t[DNNL1] = ref_time(&r1, 1);
	t[DNNL2] = ref_time(&r2, 2);
	openblas_set_num_threads(1);
	t[BLAS1] = MEDIAN_T(1, REPS,
			    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a,
					n, b, n, 0.0f, c, n));
	openblas_set_num_threads(2);
	t[BLAS2] = MEDIAN_T(2, REPS,
			    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a,
					n, b, n, 0.0f, c, n));
	snprintf(what, sizeof(what), "f32 GEMM %lld^3 (GFLOP/s)", (long long)n);
	row(what, 2.0 * n * n * n, t);
	printf("%-30s oneDNN ran %s\n", "", r1.impl);
	ref_free(&r1);
	ref_free(&r2);
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
	double t[NCOL] = {0};
	struct ref r1, r2;
	char what[64];

	for (int64_t i = 0; i < n * n; i++)
		a[i] = (uint8_t)(i * 7), b[i] = (uint8_t)(i * 13);
	ta.quant = ARES_QUANT_PER_TENSOR, ta.scale = 1, ta.zero_point = 128;
	if (compute_matmul(w1, &p, &ta, &tb, NULL, &tc, NULL) != ARES_JOB_OK)
		exit(1);
	SIM_COLUMNS(t, w1, w2, compute_matmul(w_, &p, &ta, &tb, NULL, &tc, NULL));
	ref_gemm(&r1, 1, n, dnnl_u8, dnnl_s8, dnnl_s32);
	ref_gemm(&r2, 2, n, dnnl_u8, dnnl_s8, dnnl_s32);
	t[DNNL1] = ref_time(&r1, 1);
	t[DNNL2] = ref_time(&r2, 2);
	snprintf(what, sizeof(what), "u8xi8->i32 GEMM %lld^3 (GOP/s)", (long long)n);
	row(what, 2.0 * n * n * n, t);
	printf("%-30s oneDNN ran %s; sim int8 %s\n", "", r1.impl,
	       compute_dnnl_isa() && strstr(compute_dnnl_isa(), "avx512_core_vnni")
		       ? "on oneDNN (VNNI)"
	       : compute_dnnl_isa() && (strstr(compute_dnnl_isa(), "bf16") ||
					strstr(compute_dnnl_isa(), "amx"))
		       ? "on oneDNN (VNNI)"
		       : "on its loops (vpmaddwd)");
	ref_free(&r1);
	ref_free(&r2);
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

/* Returns the sim's rates (1T, 2T) in ops per second. */
static void bench_conv(struct compute_workers *w1, struct compute_workers *w2, int C, int H, int W,
		       int M, uint32_t dt, int groups, double rate[2])
{
	size_t es = compute_dtype_size(dt);
	int Cg = C / groups, is_float = dt != ARES_DTYPE_U8;
	void *x = calloc((size_t)C * H * W, es), *wt = calloc((size_t)M * Cg * 9, es);
	void *y = calloc((size_t)M * H * W, es);
	float *col = malloc((size_t)C * 9 * H * W * 4);
	struct compute_tensor tx = {.data = x,
				    .dtype = dt,
				    .rank = 4,
				    .shape = {1, C, H, W},
				    .stride = {C * H * W, H * W, W, 1}};
	struct compute_tensor tw = {.data = wt,
				    .dtype = is_float ? dt : ARES_DTYPE_I8,
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
	double ops = 2.0 * M * H * W * Cg * 9, t[NCOL] = {0};
	static const char *const dtn[] = {
		[ARES_DTYPE_F32] = "f32", [ARES_DTYPE_BF16] = "bf16", [ARES_DTYPE_U8] = "u8"};
	struct ref r1 = {0}, r2;
	char what[64];

	if (!is_float) {
		tx.quant = tw.quant = ty.quant = ARES_QUANT_PER_TENSOR;
		tx.scale = tw.scale = ty.scale = 0.05f;
		tx.zero_point = ty.zero_point = 128;
	}
	if (compute_conv2d(w1, &p, &tx, &tw, NULL, &ty, NULL) != ARES_JOB_OK) {
		fprintf(stderr, "compute_bench: conv2d refused its operands\n");
		exit(1);
	}
	SIM_COLUMNS(t, w1, w2, compute_conv2d(w_, &p, &tx, &tw, NULL, &ty, NULL));
	if (is_float) {
		dnnl_data_type_t ddt = dt == ARES_DTYPE_F32 ? dnnl_f32 : dnnl_bf16;

		ref_conv(&r1, 1, C, H, W, M, groups, ddt);
		ref_conv(&r2, 2, C, H, W, M, groups, ddt);
		t[DNNL1] = ref_time(&r1, 1);
		t[DNNL2] = ref_time(&r2, 2);
	}
	if (dt == ARES_DTYPE_F32 && groups == 1) {
		openblas_set_num_threads(1);
		t[BLAS1] = MEDIAN_T(1, REPS, blas_conv(x, wt, col, y, C, H, W, M));
		openblas_set_num_threads(2);
		t[BLAS2] = MEDIAN_T(2, REPS, blas_conv(x, wt, col, y, C, H, W, M));
	}
	snprintf(what, sizeof(what), "%s3x3 %s C%d %dx%d (G%s/s)", groups > 1 ? "dw" : "conv",
		 dtn[dt], C, H, W, is_float ? "FLOP" : "OP");
	row(what, ops, t);
	rate[0] = ops / t[SIM1], rate[1] = ops / t[SIM2];
	if (is_float) {
		printf("%-30s oneDNN ran %s\n", "", r1.impl);
		ref_free(&r1);
		ref_free(&r2);
	}
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
	double f32_rate[2], u8_rate[2], other_rate[2];

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
	DN(dnnl_engine_create(&eng, dnnl_cpu, 0));
	DN(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
	printf("oneDNN %d.%d.%d: effective ISA %s; sim runs float conv/matmul on %s\n",
	       dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch,
	       compute_dnnl_isa() ? compute_dnnl_isa() : "-",
	       compute_dnnl_isa() ? "oneDNN" : "its loops");
	printf("figures: medians of %d runs; loops = sim's own kernels (ARES_COMPUTE_DNNL=0), "
	       "sim = its default path; oneDNN alone in its preferred layouts, no reorders;\n"
	       "1T: CPU time of the one thread, 2T: wall clock\n\n",
	       REPS);
	header();
	bench_sgemm(w1, w2, 512);
	bench_sgemm(w1, w2, 1024);
	bench_igemm(w1, w2, 512);
	bench_igemm(w1, w2, 1024);
	bench_conv(w1, w2, 64, 56, 56, 64, ARES_DTYPE_F32, 1, f32_rate);
	bench_conv(w1, w2, 64, 56, 56, 64, ARES_DTYPE_U8, 1, u8_rate);
	/* The emulator's int8 goal: a quantised model no slower than its f32 original. */
	printf("%-30s sim int8 conv rate / f32 conv rate: 1T %.2fx, 2T %.2fx\n", "",
	       u8_rate[0] / f32_rate[0], u8_rate[1] / f32_rate[1]);
	bench_conv(w1, w2, 128, 56, 56, 128, ARES_DTYPE_F32, 128, other_rate);
	bench_conv(w1, w2, 64, 56, 56, 64, ARES_DTYPE_BF16, 1, other_rate);
	dnnl_stream_destroy(strm);
	dnnl_engine_destroy(eng);
	compute_workers_destroy(w1);
	compute_workers_destroy(w2);
	return 0;
}
