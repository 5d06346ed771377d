// SPDX-License-Identifier: MIT
/*
 * Element types: conversion of strided rows between the stored dtypes and
 * the f32 / i64 the kernels compute in, quantisation, activations.
 */
#include <immintrin.h>
#include <math.h>

#include "internal.h"

static const float one_f = 1.0f;
static const int32_t zero_i;

unsigned int compute_dtype_size(uint32_t dtype)
{
	return ares_dtype_size(dtype);
}

float ck_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
	uint32_t bits;
	float f;

	if (exp == 0) {
		/* Zero and subnormals: mant * 2^-24 is exact in f32. */
		f = (float)mant * 0x1p-24f;
		return sign ? -f : f;
	}
	if (exp == 31)
		bits = sign | 0x7f800000u | (mant << 13);
	else
		bits = sign | ((exp + 112) << 23) | (mant << 13);
	memcpy(&f, &bits, sizeof(f));
	return f;
}

uint16_t ck_f32_to_f16(float f)
{
	uint32_t u;
	uint16_t sign;

	memcpy(&u, &f, sizeof(u));
	sign = (uint16_t)((u >> 16) & 0x8000);
	u &= 0x7fffffffu;
	if (u > 0x7f800000u) /* NaN stays NaN (quiet), keeping the top payload */
		return sign | 0x7e00 | (uint16_t)((u >> 13) & 0x3ff);
	if (u >= 0x477ff000u) /* rounds to or beyond 65536: inf */
		return sign | 0x7c00;
	if (u < 0x38800000u) /* below 2^-14: f16 subnormal (or 0x0400) */
		return sign | (uint16_t)nearbyintf(fabsf(f) * 0x1p24f);
	return sign | (uint16_t)(((u + 0xfffu + ((u >> 13) & 1)) >> 13) - (112u << 10));
}

float ck_bf16_to_f32(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

uint16_t ck_f32_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}

int64_t ck_f32_to_int(float f, int64_t lo, int64_t hi)
{
	double r;

	if (isnan(f))
		return 0;
	r = nearbyint((double)f);
	if (r <= (double)lo)
		return lo;
	if (r >= (double)hi)
		return hi;
	return (int64_t)r;
}

void ck_int_range(uint32_t dtype, int64_t *lo, int64_t *hi)
{
	switch (dtype) {
	case ARES_DTYPE_I8:
		*lo = -128, *hi = 127;
		break;
	case ARES_DTYPE_U8:
		*lo = 0, *hi = 255;
		break;
	case ARES_DTYPE_I32:
		*lo = INT32_MIN, *hi = INT32_MAX;
		break;
	case ARES_DTYPE_BOOL:
		*lo = 0, *hi = 1;
		break;
	default:
		*lo = INT64_MIN, *hi = INT64_MAX;
		break;
	}
}

int ck_zp_is_value(uint32_t dtype, int64_t z)
{
	int64_t lo, hi;

	ck_int_range(dtype, &lo, &hi);
	return z >= lo && z <= hi;
}

void ck_qrow_of(const struct compute_tensor *t, const int64_t *idx, unsigned int dim,
		struct ck_qrow *q)
{
	q->s = &one_f;
	q->z = &zero_i;
	q->step = 0;
	if (!ck_is_int8(t->dtype))
		return;
	if (t->quant == ARES_QUANT_PER_TENSOR) {
		q->s = &t->scale;
		q->z = &t->zero_point;
	} else if (t->quant == ARES_QUANT_PER_CHANNEL) {
		unsigned int ax = t->quant_axis;

		q->s = t->scales + idx[ax];
		q->z = t->zero_points + idx[ax];
		q->step = ax == dim;
	}
}

/*
 * ck_load_f32's I8/U8 case for a contiguous row with one scale and zero
 * point, eight at a time: the integer difference converts to f32 exactly
 * (|q - z| < 2^24 for the zero points the store's vector path takes) and
 * the one multiplication is the scalar's IEEE operation, so the floats
 * are the scalar's bit for bit. Returns how many elements it loaded.
 */
__attribute__((target("avx2"))) static int64_t
ck_load_q8_avx2(uint32_t dtype, const void *p, int64_t n, float s, int32_t z, float *dst)
{
	const __m256 vs = _mm256_set1_ps(s);
	const __m256i vz = _mm256_set1_epi32(z);
	int64_t i = 0;

	if (z < -(1 << 20) || z > 1 << 20)
		return 0;
	for (; i + 8 <= n; i += 8) {
		__m128i b = _mm_loadl_epi64((const __m128i *)((const uint8_t *)p + i));
		__m256i v =
			dtype == ARES_DTYPE_I8 ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);

		v = _mm256_sub_epi32(v, vz);
		_mm256_storeu_ps(dst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v), vs));
	}
	return i;
}

/*
 * The same along a per-channel axis (scale and zero point per element),
 * bit for bit likewise; it stops before the first eight whose zero
 * points leave [-2^20, 2^20] and leaves them to the scalar loop.
 */
__attribute__((target("avx2"))) static int64_t ck_load_q8ch_avx2(uint32_t dtype, const void *p,
								 int64_t n, const float *s,
								 const int32_t *z, float *dst)
{
	const __m256i zmax = _mm256_set1_epi32(1 << 20), zmin = _mm256_set1_epi32(-(1 << 20));
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m128i b = _mm_loadl_epi64((const __m128i *)((const uint8_t *)p + i));
		__m256i v =
			dtype == ARES_DTYPE_I8 ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);
		__m256i vz = _mm256_loadu_si256((const __m256i *)(z + i));

		if (!_mm256_testz_si256(_mm256_or_si256(_mm256_cmpgt_epi32(vz, zmax),
							_mm256_cmpgt_epi32(zmin, vz)),
					_mm256_set1_epi32(-1)))
			break;
		v = _mm256_sub_epi32(v, vz);
		_mm256_storeu_ps(dst + i,
				 _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_loadu_ps(s + i)));
	}
	return i;
}

void ck_load_f32(uint32_t dtype, const void *p, int64_t stride, int64_t n, const struct ck_qrow *q,
		 float *dst)
{
	int64_t i, qs = q ? q->step : 0;
	const float *s = q ? q->s : &one_f;
	const int32_t *z = q ? q->z : &zero_i;

	/* A broadcast (stride 0) with one scale and zero point: one value, loaded once. */
	if (!stride && !qs && n > 1) {
		ck_load_f32(dtype, p, 0, 1, q, dst);
		for (i = 1; i < n; i++)
			dst[i] = dst[0];
		return;
	}
	switch (dtype) {
	case ARES_DTYPE_F32:
		if (stride == 1) {
			memcpy(dst, p, (size_t)n * 4);
			break;
		}
		for (i = 0; i < n; i++)
			dst[i] = ((const float *)p)[i * stride];
		break;
	case ARES_DTYPE_F16:
		for (i = 0; i < n; i++)
			dst[i] = ck_f16_to_f32(((const uint16_t *)p)[i * stride]);
		break;
	case ARES_DTYPE_BF16:
		for (i = 0; i < n; i++)
			dst[i] = ck_bf16_to_f32(((const uint16_t *)p)[i * stride]);
		break;
	case ARES_DTYPE_I8:
	case ARES_DTYPE_U8:
		i = 0;
		if (stride == 1 && !qs && ck_isa() != CK_ISA_SCALAR)
			i = ck_load_q8_avx2(dtype, p, n, s[0], z[0], dst);
		else if (stride == 1 && qs == 1 && ck_isa() != CK_ISA_SCALAR)
			i = ck_load_q8ch_avx2(dtype, p, n, s, z, dst);
		if (dtype == ARES_DTYPE_I8)
			for (; i < n; i++)
				dst[i] = (float)(((const int8_t *)p)[i * stride] - z[i * qs]) *
					 s[i * qs];
		else
			for (; i < n; i++)
				dst[i] = (float)(((const uint8_t *)p)[i * stride] - z[i * qs]) *
					 s[i * qs];
		break;
	case ARES_DTYPE_BOOL:
		for (i = 0; i < n; i++)
			dst[i] = ((const uint8_t *)p)[i * stride] != 0;
		break;
	case ARES_DTYPE_I32:
		for (i = 0; i < n; i++)
			dst[i] = (float)((const int32_t *)p)[i * stride];
		break;
	case ARES_DTYPE_I64:
		for (i = 0; i < n; i++)
			dst[i] = (float)((const int64_t *)p)[i * stride];
		break;
	}
}

/*
 * ck_store_f32's I8/U8 case for a contiguous row with one scale and zero
 * point, eight at a time and bit for bit: the f32 division and the
 * round-half-even are the same IEEE operations in vector form; a NaN
 * quotient becomes 0 as ck_f32_to_int makes it; and clamping the rounded
 * quotient to [lo - z, hi - z] before adding z gives the scalar's result
 * as long as those bounds are far from INT32_MIN and INT32_MAX (|z| small).
 * Returns how many elements it stored.
 */
__attribute__((target("avx2"))) static int64_t ck_store_q8_avx2(uint32_t dtype, void *p, int64_t n,
								float s, int32_t z, int64_t lo,
								int64_t hi, const float *src)
{
	const __m256 vs = _mm256_set1_ps(s), vlo = _mm256_set1_ps((float)(lo - z)),
		     vhi = _mm256_set1_ps((float)(hi - z));
	const __m256i vz = _mm256_set1_epi32(z);
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256 f = _mm256_div_ps(_mm256_loadu_ps(src + i), vs);
		__m256i v;
		__m128i w;

		f = _mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		f = _mm256_and_ps(f, _mm256_cmp_ps(f, f, _CMP_ORD_Q));
		f = _mm256_min_ps(_mm256_max_ps(f, vlo), vhi);
		v = _mm256_add_epi32(_mm256_cvtps_epi32(f), vz);
		/* Values are in [lo, hi] already: the packs do not saturate. */
		w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
		w = dtype == ARES_DTYPE_I8 ? _mm_packs_epi16(w, w) : _mm_packus_epi16(w, w);
		_mm_storel_epi64((__m128i *)((uint8_t *)p + i), w);
	}
	return i;
}

void ck_store_f32(uint32_t dtype, void *p, int64_t stride, int64_t n, const struct ck_qrow *q,
		  const float *src)
{
	int64_t i, lo, hi, qs = q ? q->step : 0;
	const float *s = q ? q->s : &one_f;
	const int32_t *z = q ? q->z : &zero_i;

	ck_int_range(dtype, &lo, &hi);
	switch (dtype) {
	case ARES_DTYPE_F32:
		if (stride == 1) {
			memcpy(p, src, (size_t)n * 4);
			break;
		}
		for (i = 0; i < n; i++)
			((float *)p)[i * stride] = src[i];
		break;
	case ARES_DTYPE_F16:
		for (i = 0; i < n; i++)
			((uint16_t *)p)[i * stride] = ck_f32_to_f16(src[i]);
		break;
	case ARES_DTYPE_BF16:
		for (i = 0; i < n; i++)
			((uint16_t *)p)[i * stride] = ck_f32_to_bf16(src[i]);
		break;
	case ARES_DTYPE_I8:
	case ARES_DTYPE_U8:
		i = 0;
		if (stride == 1 && !qs && z[0] >= -(1 << 20) && z[0] <= 1 << 20 && n >= 8 &&
		    ck_isa() != CK_ISA_SCALAR)
			i = ck_store_q8_avx2(dtype, p, n, s[0], z[0], lo, hi, src);
		for (; i < n; i++) {
			int64_t v =
				ck_f32_to_int(src[i] / s[i * qs], INT32_MIN, INT32_MAX) + z[i * qs];

			v = v < lo ? lo : v > hi ? hi : v;
			if (dtype == ARES_DTYPE_I8)
				((int8_t *)p)[i * stride] = (int8_t)v;
			else
				((uint8_t *)p)[i * stride] = (uint8_t)v;
		}
		break;
	case ARES_DTYPE_BOOL:
		for (i = 0; i < n; i++)
			((uint8_t *)p)[i * stride] = src[i] != 0.0f;
		break;
	case ARES_DTYPE_I32:
		for (i = 0; i < n; i++)
			((int32_t *)p)[i * stride] = (int32_t)ck_f32_to_int(src[i], lo, hi);
		break;
	case ARES_DTYPE_I64:
		for (i = 0; i < n; i++)
			((int64_t *)p)[i * stride] = ck_f32_to_int(src[i], lo, hi);
		break;
	}
}

void ck_load_i64(uint32_t dtype, const void *p, int64_t stride, int64_t n, int64_t *dst)
{
	int64_t i;

	switch (dtype) {
	case ARES_DTYPE_I8:
		for (i = 0; i < n; i++)
			dst[i] = ((const int8_t *)p)[i * stride];
		break;
	case ARES_DTYPE_U8:
		for (i = 0; i < n; i++)
			dst[i] = ((const uint8_t *)p)[i * stride];
		break;
	case ARES_DTYPE_BOOL:
		for (i = 0; i < n; i++)
			dst[i] = ((const uint8_t *)p)[i * stride] != 0;
		break;
	case ARES_DTYPE_I32:
		for (i = 0; i < n; i++)
			dst[i] = ((const int32_t *)p)[i * stride];
		break;
	case ARES_DTYPE_I64:
		for (i = 0; i < n; i++)
			dst[i] = ((const int64_t *)p)[i * stride];
		break;
	default: {
		float tmp[256];

		for (int64_t i0 = 0; i0 < n; i0 += 256) {
			int64_t c = n - i0 < 256 ? n - i0 : 256;

			ck_load_f32(dtype,
				    (const char *)p + i0 * stride * compute_dtype_size(dtype),
				    stride, c, NULL, tmp);
			for (i = 0; i < c; i++)
				dst[i0 + i] = ck_f32_to_int(tmp[i], INT64_MIN, INT64_MAX);
		}
	}
	}
}

void ck_store_i64(uint32_t dtype, void *p, int64_t stride, int64_t n, const int64_t *src)
{
	int64_t i, lo, hi;

	ck_int_range(dtype, &lo, &hi);
	switch (dtype) {
	case ARES_DTYPE_I8:
		for (i = 0; i < n; i++)
			((int8_t *)p)[i * stride] = (int8_t)(src[i] < lo   ? lo
							     : src[i] > hi ? hi
									   : src[i]);
		break;
	case ARES_DTYPE_U8:
		for (i = 0; i < n; i++)
			((uint8_t *)p)[i * stride] = (uint8_t)(src[i] < lo   ? lo
							       : src[i] > hi ? hi
									     : src[i]);
		break;
	case ARES_DTYPE_BOOL:
		for (i = 0; i < n; i++)
			((uint8_t *)p)[i * stride] = src[i] != 0;
		break;
	case ARES_DTYPE_I32:
		for (i = 0; i < n; i++)
			((int32_t *)p)[i * stride] = (int32_t)(src[i] < lo   ? lo
							       : src[i] > hi ? hi
									     : src[i]);
		break;
	case ARES_DTYPE_I64:
		for (i = 0; i < n; i++)
			((int64_t *)p)[i * stride] = src[i];
		break;
	default: {
		float tmp[256];

		for (int64_t i0 = 0; i0 < n; i0 += 256) {
			int64_t c = n - i0 < 256 ? n - i0 : 256;

			for (i = 0; i < c; i++)
				tmp[i] = (float)src[i0 + i];
			ck_store_f32(dtype, (char *)p + i0 * stride * compute_dtype_size(dtype),
				     stride, c, NULL, tmp);
		}
	}
	}
}

int64_t ck_numel(const struct compute_tensor *t)
{
	int64_t n = 1;

	/* An empty dimension anywhere makes it 0, however large the others. */
	for (unsigned int k = 0; k < t->rank; k++)
		if (!t->shape[k])
			return 0;
	for (unsigned int k = 0; k < t->rank; k++)
		n *= t->shape[k];
	return n;
}

/* hw-spec §12.1 on a host view: the op table's rules, where a host view has the field. */
int ck_tensor_ok(const struct compute_tensor *t)
{
	uint32_t scale_bits;

	if (!t || !ares_dtype_size(t->dtype) || t->rank > ARES_MAX_RANK)
		return 0;
	for (unsigned int k = 0; k < t->rank; k++)
		if (t->shape[k] < 0 || t->shape[k] >= (int64_t)ARES_MAX_DIM || t->stride[k] < 0)
			return 0;
	if (!t->data && ck_numel(t))
		return 0;
	if (t->quant == ARES_QUANT_NONE)
		return 1;
	if (!ares_dtype_is_quant(t->dtype))
		return 0;
	if (t->quant == ARES_QUANT_PER_TENSOR) {
		memcpy(&scale_bits, &t->scale, sizeof(scale_bits));
		return ares_f32_positive(scale_bits) && ares_zero_point_ok(t->dtype, t->zero_point);
	}
	if (t->quant != ARES_QUANT_PER_CHANNEL || t->quant_axis >= t->rank)
		return 0;
	/* Per-channel parameters come from device memory: the engine checks them. */
	if (t->shape[t->quant_axis] && (!t->scales || !t->zero_points))
		return 0;
	for (int64_t c = 0; c < t->shape[t->quant_axis]; c++) {
		memcpy(&scale_bits, &t->scales[c], sizeof(scale_bits));
		if (!ares_f32_positive(scale_bits) ||
		    !ares_zero_point_ok(t->dtype, t->zero_points[c]))
			return 0;
	}
	return 1;
}

int ck_same_shape(const struct compute_tensor *a, const struct compute_tensor *b)
{
	if (a->rank != b->rank)
		return 0;
	for (unsigned int k = 0; k < a->rank; k++)
		if (a->shape[k] != b->shape[k])
			return 0;
	return 1;
}

int ck_act_ok(uint32_t act)
{
	return act < ARES_ACT_COUNT;
}

/*
 * ck_activate's piecewise-linear activations eight at a time, bit for
 * bit: vmaxps/vminps do per lane what glibc's fmaxf/fminf do with maxss/
 * minss (a > b ? a : b, a < b ? a : b: the second operand on equal zeros
 * of either sign), with the operands in the order the compiled scalar
 * passes them (GCC moves a constant operand second); fminf/fmaxf skip a
 * quiet NaN in the first operand as the vector form does by returning
 * the second. The divisions, products and sums are the scalar's IEEE
 * operations in its order. fmaxf quiets a signalling NaN x, which fminf
 * then skips: CLIP gives beta there. CLIP with a NaN bound stays scalar.
 * activation_vector_matches_scalar (test_compute) holds this to the
 * scalar. Returns how many values it did.
 */
__attribute__((target("avx2"))) static int64_t ck_activate_avx2(uint32_t act, float alpha,
								float beta, float *v, int64_t n)
{
	const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
	const __m256 six = _mm256_set1_ps(6.0f), half = _mm256_set1_ps(0.5f);
	const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
	const __m256i quiet = _mm256_set1_epi32(0x00400000);
	int64_t i = 0;

	if (act != ARES_ACT_RELU && act != ARES_ACT_LEAKY_RELU && act != ARES_ACT_CLIP &&
	    act != ARES_ACT_HARD_SIGMOID && act != ARES_ACT_HARD_SWISH)
		return 0;
	if (act == ARES_ACT_CLIP && (isnan(alpha) || isnan(beta)))
		return 0;
	for (; i + 8 <= n; i += 8) {
		__m256 x = _mm256_loadu_ps(v + i), r, sn;

		switch (act) {
		case ARES_ACT_RELU:
			r = _mm256_max_ps(x, zero);
			break;
		case ARES_ACT_LEAKY_RELU:
			r = _mm256_blendv_ps(x, _mm256_mul_ps(va, x),
					     _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
			break;
		case ARES_ACT_CLIP:
			sn = _mm256_and_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q),
					   _mm256_castsi256_ps(_mm256_cmpeq_epi32(
						   _mm256_and_si256(_mm256_castps_si256(x), quiet),
						   _mm256_setzero_si256())));
			r = _mm256_blendv_ps(_mm256_min_ps(_mm256_max_ps(x, va), vb), vb, sn);
			break;
		case ARES_ACT_HARD_SIGMOID:
			r = _mm256_max_ps(
				_mm256_min_ps(_mm256_add_ps(_mm256_mul_ps(va, x), vb), one), zero);
			break;
		default: /* HARD_SWISH */
			r = _mm256_mul_ps(
				x, _mm256_max_ps(
					   _mm256_min_ps(_mm256_add_ps(_mm256_div_ps(x, six), half),
							 one),
					   zero));
			break;
		}
		_mm256_storeu_ps(v + i, r);
	}
	return i;
}

void ck_activate(uint32_t act, float alpha, float beta, float *v, int64_t n)
{
	int64_t i = 0;

	if (ck_isa() != CK_ISA_SCALAR)
		i = ck_activate_avx2(act, alpha, beta, v, n);
	switch (act) {
	case ARES_ACT_RELU:
		for (; i < n; i++)
			v[i] = v[i] > 0.0f ? v[i] : 0.0f;
		break;
	case ARES_ACT_LEAKY_RELU:
		for (; i < n; i++)
			v[i] = v[i] < 0.0f ? alpha * v[i] : v[i];
		break;
	case ARES_ACT_CLIP:
		for (; i < n; i++)
			v[i] = fminf(fmaxf(v[i], alpha), beta);
		break;
	case ARES_ACT_SIGMOID:
		for (; i < n; i++)
			v[i] = 1.0f / (1.0f + expf(-v[i]));
		break;
	case ARES_ACT_HARD_SIGMOID:
		for (; i < n; i++)
			v[i] = fmaxf(0.0f, fminf(1.0f, alpha * v[i] + beta));
		break;
	case ARES_ACT_HARD_SWISH:
		for (; i < n; i++)
			v[i] = v[i] * fmaxf(0.0f, fminf(1.0f, v[i] / 6.0f + 0.5f));
		break;
	case ARES_ACT_TANH:
		for (; i < n; i++)
			v[i] = tanhf(v[i]);
		break;
	case ARES_ACT_GELU:
		for (; i < n; i++)
			v[i] = v[i] * 0.5f * (1.0f + erff(v[i] * (float)M_SQRT1_2));
		break;
	}
}
