/* SPDX-License-Identifier: MIT */
/*
 * What the compute kernels share: dtype conversion of rows, quantisation
 * parameters of a row, the worker pool and the GEMM driver. Not part of the
 * interface (compute.h); the unit tests include it for the ISA hook.
 */
#ifndef ARES_SIM_COMPUTE_INTERNAL_H
#define ARES_SIM_COMPUTE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ares/op_table.h>

#include "compute.h"

#define CK_OK	 ARES_JOB_OK
#define CK_INVAL ARES_JOB_INVALID_CMD

/* f32 parameter blocks carry IEEE-754 bit patterns. */
static inline float ck_f32(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/*
 * Quantisation of one row: scale s[i * step], zero point z[i * step] for
 * element i (step 0: one pair for the whole row).
 */
struct ck_qrow {
	const float *s;
	const int32_t *z;
	int64_t step;
};

/* The quantisation of the row of @t starting at @idx that runs along @dim. */
void ck_qrow_of(const struct compute_tensor *t, const int64_t *idx, unsigned int dim,
		struct ck_qrow *q);

float ck_f16_to_f32(uint16_t h);
uint16_t ck_f32_to_f16(float f);
float ck_bf16_to_f32(uint16_t h);
uint16_t ck_f32_to_bf16(float f);
/* Round half to even and saturate into [lo, hi]; NaN gives 0. */
int64_t ck_f32_to_int(float f, int64_t lo, int64_t hi);
/* The range of an integer dtype. */
void ck_int_range(uint32_t dtype, int64_t *lo, int64_t *hi);
/*
 * Whether zero point @z is a value of integer @dtype: the int8 conv fast
 * paths store it in place of the padding's cells (or subtract it in f32).
 */
int ck_zp_is_value(uint32_t dtype, int64_t z);

static inline int ck_is_float(uint32_t dt)
{
	return ares_dtype_is_float(dt);
}

static inline int ck_is_int8(uint32_t dt)
{
	return ares_dtype_is_quant(dt);
}

/*
 * Row conversion: @n elements @stride elements apart starting at @p.
 * load_f32 dequantises I8/U8 with @q (NULL: raw values); store_f32
 * quantises likewise, rounds half to even and saturates.
 */
void ck_load_f32(uint32_t dtype, const void *p, int64_t stride, int64_t n, const struct ck_qrow *q,
		 float *dst);
void ck_store_f32(uint32_t dtype, void *p, int64_t stride, int64_t n, const struct ck_qrow *q,
		  const float *src);
/* Integer rows; stores saturate to the dtype (BOOL: != 0). */
void ck_load_i64(uint32_t dtype, const void *p, int64_t stride, int64_t n, int64_t *dst);
void ck_store_i64(uint32_t dtype, void *p, int64_t stride, int64_t n, const int64_t *src);

/* The address of element @idx of @t. */
static inline void *ck_at(const struct compute_tensor *t, const int64_t *idx)
{
	int64_t off = 0;

	for (unsigned int k = 0; k < t->rank; k++)
		off += idx[k] * t->stride[k];
	return (char *)t->data + off * (int64_t)compute_dtype_size(t->dtype);
}

static inline void *ck_ptr(const struct compute_tensor *t, int64_t off)
{
	return (char *)t->data + off * (int64_t)compute_dtype_size(t->dtype);
}

int64_t ck_numel(const struct compute_tensor *t);
/* A tensor's dtype, rank, shape and quantisation are usable by a kernel. */
int ck_tensor_ok(const struct compute_tensor *t);
int ck_same_shape(const struct compute_tensor *a, const struct compute_tensor *b);

/* A rank-0 view as rank 1 of one element; other views unchanged. */
void ck_view1(const struct compute_tensor *t, struct compute_tensor *v);

/*
 * ELTWISE MAX and MIN: NaN in either operand gives NaN; between equal
 * values (+0 and -0) the first operand, as glibc's fmaxf/fminf choose.
 */
static inline float ck_elt_max(float a, float b)
{
	return a != a || b != b ? __builtin_nanf("") : b > a ? b : a;
}

static inline float ck_elt_min(float a, float b)
{
	return a != a || b != b ? __builtin_nanf("") : b < a ? b : a;
}

/*
 * The f32 binary ELTWISE row kernels (elt_kern.h): o[i] = a[i * sa] op
 * b[i * sb] for ADD, SUB, MUL, DIV, MAX and MIN, sa and sb 0 or 1; bit
 * for bit the scalar loop's. -1 for any other op.
 */
int ck_elt_f32_avx2(uint32_t op, float *o, const float *a, int64_t sa, const float *b, int64_t sb,
		    int64_t n);
int ck_elt_f32_avx512(uint32_t op, float *o, const float *a, int64_t sa, const float *b, int64_t sb,
		      int64_t n);

/* Activation on a row of f32. */
void ck_activate(uint32_t act, float alpha, float beta, float *v, int64_t n);
int ck_act_ok(uint32_t act);

/* ---- worker pool ---- */

typedef void (*ck_task_fn)(void *ctx, int64_t task, unsigned int worker);

/* Runs fn(ctx, t, worker) for t in [0, ntasks) on @w (NULL: this thread). */
void ck_parallel(struct compute_workers *w, int64_t ntasks, ck_task_fn fn, void *ctx);
unsigned int ck_nthreads(struct compute_workers *w);
/* A buffer of at least @bytes for the calling thread, reused by its next call. */
void *ck_scratch(size_t bytes);

/* ---- ISA ---- */

enum ck_isa { CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512 };

enum ck_isa ck_isa(void);
/* Test hook: force "scalar", "avx2" or "avx512" (if the host has it); 0 or -1. */
int compute_force_isa(const char *name);

/* ---- GEMM driver ---- */

/*
 * C[b][m][n] = sum_k A[b][m][k] * B[b][k][n] for b < batch. The operands
 * come through packers that write f32 (or, for int, int16 with the zero
 * point already subtracted) into the panel layouts below; the product of
 * one block reaches @store as a row-major f32 or i32 array.
 */
struct ck_gemm;

typedef void (*ck_pack_fn)(const struct ck_gemm *g, int64_t b, int64_t r0, int64_t rn, int64_t k0,
			   int64_t kn, void *row_buf, void *dst);
typedef void (*ck_store_fn)(const struct ck_gemm *g, int64_t b, int64_t m0, int64_t mn, int64_t n0,
			    int64_t nn, const void *acc, int64_t ldc);

struct ck_gemm {
	int64_t batch, M, N, K;
	int is_int;
	/* Packers write rows r0..r0+rn (A: m, B: n) over k0..k0+kn. */
	ck_pack_fn pack_a, pack_b;
	ck_store_fn store;
	void *ctx;
};

/*
 * Panel layouts. f32: A panel p holds rows p*MR.. as [k][MR], B panel p
 * holds columns p*NR.. as [k][NR]. int16: k in pairs, [k/2][MR][2] and
 * [k/2][NR][2]. Missing rows/columns/k are zero.
 */
#define CK_MR	 6
#define CK_NR	 16
#define NT_STORE 256 /* epilogue chunk */

/*
 * Put the values of one k (rows r = 0..rn-1 of the block) into panels R
 * wide with packed k extent kp; ck_pack_clear zeroes a block first when
 * its last panel or its k tail would otherwise hold stale data.
 */
void ck_panel_put_f32(float *dst, int64_t R, int64_t kp, int64_t k, const float *v, int64_t rn);
void ck_panel_put_i16(int16_t *dst, int64_t R, int64_t kp, int64_t k, const int32_t *v, int64_t rn);
void ck_pack_clear(const struct ck_gemm *g, int64_t R, int64_t rn, int64_t kn, void *dst);
/* Panel geometry: the packed k extent (int: even). */
static inline int64_t ck_kpad(const struct ck_gemm *g, int64_t kn)
{
	return g->is_int ? (kn + 1) & ~(int64_t)1 : kn;
}

/* I8/U8 row minus zero points z[i * zstep], as i32. */
void ck_load_i32_zp(uint32_t dtype, const void *p, int64_t stride, int64_t n, const int32_t *z,
		    int64_t zstep, int32_t *dst);

void ck_gemm_run(struct compute_workers *w, const struct ck_gemm *g);

/*
 * Float depthwise CONV2D (one input and one output channel per group) on
 * the vector kernels, AVX2 or AVX-512 (dw.c); the loops of conv.c are its
 * oracle. @w holds the taps as f32, [C][kh * kw]; @b is the bias or NULL.
 */
struct ck_dw_conv {
	const struct compute_tensor *x, *b, *y;
	const float *w;
	int64_t N, C, H, W, kh, kw, oh, ow, sh, sw, pt, pl, dh, dw;
	uint32_t act;
	float alpha, beta;
};
/* 0 when done, -1 when declined (a width stride above 8: the loops run it). */
int ck_dw_run(struct compute_workers *w, const struct ck_dw_conv *c);

/*
 * One output plane for the kernels (dw_kern.h): out[oy * out_row + ox] =
 * act(sum over taps, in the loops' order, of w[ky * kw + kx] *
 * in(oy * sh + ky * dh, ox * sw + kx * dw) + bias), in() being the padded
 * input, stored split by column phase: padded column c of padded row r is
 * src[(r * sw + c % sw) * wq + c / sw], so that every tap reads a unit
 * stride row. A row holds at least ow rounded up to 32 plus
 * (kw - 1) * dw / sw + 1 values (zeros past the input), so whole vectors
 * may be read. act is NONE, RELU, LEAKY_RELU, CLIP or HARD_SWISH (dw.c
 * applies the others to the stored rows).
 */
struct ck_dw_plane {
	const float *src, *w;
	float *out;
	float bias, alpha, beta;
	uint32_t act;
	int64_t wq, out_row, kh, kw, sh, sw, dh, dw, oh, ow;
	/* ck_dw_direct_avx512 only: the f32 input plane (H x W, rows x_row apart), pads */
	const float *x;
	int64_t x_row, H, W, pt, pl;
};
/* Output rows [oy0, oy1) of the plane; the input rows they read are padded. */
void ck_dw_plane_avx512(const struct ck_dw_plane *d, int64_t oy0, int64_t oy1);
void ck_dw_plane_avx2(const struct ck_dw_plane *d, int64_t oy0, int64_t oy1);
/*
 * The whole plane read straight from d->x (no src), where the width
 * stride and both dilations are 1 and the kernel is 3x3 or 5x5 with a
 * height stride of 1 or 2; -1 (nothing written) otherwise.
 */
int ck_dw_direct_avx512(const struct ck_dw_plane *d);
/* dst[0, wq) = @pl zeros, the @W floats of @src, zeros (pl + W <= wq). */
void ck_dw_pad_avx512(float *dst, const float *src, int64_t pl, int64_t W, int64_t wq);
void ck_dw_pad_avx2(float *dst, const float *src, int64_t pl, int64_t W, int64_t wq);

/* ---- oneDNN (dnnl.c) ---- */

/*
 * Float CONV2D and MATMUL on oneDNN, after the caller validated the
 * operands: 0 when done, -1 when declined (the loops run it then; a
 * decline after a partial write is fine, the loops write every output).
 * MATMUL takes the element strides of op(a) [M, K] and op(b) [K, N].
 */
int ck_dnnl_conv2d(struct compute_workers *w, const struct ares_conv2d_params *p,
		   const struct compute_tensor *x, const struct compute_tensor *wt,
		   const struct compute_tensor *b, const struct compute_tensor *y);
int ck_dnnl_matmul(struct compute_workers *w, const struct ares_matmul_params *p,
		   const struct compute_tensor *a, const struct compute_tensor *b,
		   const struct compute_tensor *c, const struct compute_tensor *y, int64_t am,
		   int64_t ak, int64_t bk, int64_t bn, int64_t K);
/*
 * Integer MATMUL: oneDNN's exact int32 products (AVX-512 VNNI or AMX
 * only), corrected for the zero points za and zb[n * zb_step], handed to
 * g->store in blocks of whole rows; -1 when declined (the loops run it).
 */
int ck_dnnl_matmul_int(struct compute_workers *w, const struct ck_gemm *g,
		       const struct compute_tensor *a, const struct compute_tensor *b,
		       const struct compute_tensor *y, int64_t am, int64_t ak, int64_t bk,
		       int64_t bn, int32_t za, const int32_t *zb, int64_t zb_step);
/*
 * Integer CONV2D (not depthwise) as that MATMUL over an im2col, after
 * compute_conv2d validated it; the sums go to g->store ([Mg] rows of
 * output pixels). -1 when declined (the loops run it).
 */
int ck_dnnl_conv2d_int(struct compute_workers *w, const struct ck_gemm *g,
		       const struct ares_conv2d_params *p, const struct compute_tensor *x,
		       const struct compute_tensor *wt, const struct compute_tensor *y);
/* 0 when ARES_COMPUTE_DNNL (or its test hook) forces the plain loops, or the ISA cap is scalar. */
int ck_dnnl_enabled(void);
/* One small primitive made and run: oneDNN's one-time set-up, before a sandbox. */
void ck_dnnl_warm(void);
/* Test hook: float CONV2D and MATMUL calls oneDNN has done so far. */
uint64_t compute_dnnl_runs(void);
/* Test hook: int8 CONV2D commands that found their prepared weights cached. */
uint64_t compute_dnnl_wcache_hits(void);
/* Test hook: 0 forces the plain loops, 1 allows oneDNN (ARES_COMPUTE_DNNL's default). */
void compute_force_dnnl(int on);

/* Micro-kernels: C[MR x NR] (ldc) += Ap . Bp over kc (int: kc even). */
void ck_kern_f32_scalar(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);
void ck_kern_i16_scalar(int64_t kc, const int16_t *a, const int16_t *b, int32_t *c, int64_t ldc);
void ck_kern_f32_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);
void ck_kern_i16_avx2(int64_t kc, const int16_t *a, const int16_t *b, int32_t *c, int64_t ldc);
/* Two neighbouring B panels at once: C[MR x 2 NR]. */
void ck_kern2_f32_avx512(int64_t kc, const float *a, const float *b0, const float *b1, float *c,
			 int64_t ldc);
void ck_kern2_i16_avx512(int64_t kc, const int16_t *a, const int16_t *b0, const int16_t *b1,
			 int32_t *c, int64_t ldc);

#endif /* ARES_SIM_COMPUTE_INTERNAL_H */
