// SPDX-License-Identifier: MIT
/* CPU reference kernels: 8-bit quantization (QuantizeLinear,
 * DequantizeLinear, DynamicQuantizeLinear), integer and quantized matrix
 * products (MatMulInteger, QLinearMatMul, batched as MatMul), Det, and the window
 * generators (Hann, Hamming, Blackman). Rounding is half to even, as the
 * spec says, and results saturate to the target type. QuantizeLinear and
 * the requantisation of the QLinear ops compute in binary32, as ONNX
 * Runtime does, so their integers are its own (runtime/README.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

static double saturate(double v, int dtype)
{
	double lo = dtype == ART_INT8 ? -128 : 0, hi = dtype == ART_INT8 ? 127 : 255;
	return v < lo ? lo : v > hi ? hi : v;
}

/* Index of the scale / zero point for element I: per tensor, or per slice
 * along AXIS when the parameter is 1-D. */
static int64_t param_at(const struct art_tensor *p, const struct art_tensor *x, int axis, int64_t i)
{
	if (!p || art_tensor_elems(p) == 1)
		return 0;
	int64_t inner = rt_shape_elems(x->dims + axis + 1, x->ndim - axis - 1);
	return i / inner % x->dims[axis];
}

static int qparams(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		   const struct art_tensor *sc, const struct art_tensor *zp, int *axis)
{
	*axis = rt_axis(rt_attr_i(n, "axis", 1), x->ndim ? x->ndim : 1);
	int64_t c = art_tensor_elems(sc);
	NEED(c == 1 || (*axis >= 0 && x->ndim > 0 && c == x->dims[*axis]),
	     "node '%s' (%s): scale must be a scalar or one per slice of the axis", n->name,
	     n->proto->op_type);
	NEED(!zp || art_tensor_elems(zp) == c,
	     "node '%s' (%s): zero point and scale differ in size", n->name, n->proto->op_type);
	return 0;
}

static int k_quantize(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1), *zp = rt_in(s, n, 2);
	int dt = zp ? zp->dtype : ART_UINT8, axis;
	NEED(dt == ART_UINT8 || dt == ART_INT8, "node '%s' (QuantizeLinear): only 8-bit outputs",
	     n->name);
	rc = qparams(s, n, x, sc, zp, &axis);
	if (rc)
		return rc;
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		int64_t k = param_at(sc, x, axis, i);
		/* x / scale in binary32, as ONNX Runtime and the device divide. */
		float q = (float)rt_get_d(x, i) / (float)rt_get_d(sc, k);
		double v = nearbyint((double)q) + (zp ? rt_get_d(zp, k) : 0);
		rt_put_d(o, dt, i, saturate(v, dt));
	}
	return rc;
}

static int k_dequantize(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sc = rt_in(s, n, 1), *zp = rt_in(s, n, 2);
	int axis;
	rc = qparams(s, n, x, sc, zp, &axis);
	if (rc)
		return rc;
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, x->ndim, x->dims, (void **)&o);
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		int64_t k = param_at(sc, x, axis, i);
		o[i] = (float)((rt_get_d(x, i) - (zp ? rt_get_d(zp, k) : 0)) * rt_get_d(sc, k));
	}
	return rc;
}

int rt_kernel_qaffine(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = rt_in(s, n, 0), *xs = rt_in(s, n, 1), *xz = rt_in(s, n, 2),
				*ys = rt_in(s, n, 3), *yz = rt_in(s, n, 4);
	/* The zero points are optional, as they are to Q and DQ. */
	NEED(x && xs && ys, "node '%s' (fused QDQ affine): x or a scale missing", n->name);
	int rc;
	int dt = yz ? yz->dtype : ART_UINT8;
	NEED((x->dtype == ART_UINT8 || x->dtype == ART_INT8) && x->dtype == dt &&
		     (!xz || xz->dtype == dt),
	     "node '%s' (fused QDQ affine): x, its zero point and the output must be one 8-bit "
	     "dtype",
	     n->name);
	NEED(art_tensor_elems(xs) == 1 && art_tensor_elems(ys) == 1 &&
		     (!xz || art_tensor_elems(xz) == 1) && (!yz || art_tensor_elems(yz) == 1),
	     "node '%s' (fused QDQ affine): scales and zero points must be per tensor", n->name);
	uint8_t *o;
	static const int64_t one[1] = {1};
	int r0 = !x->ndim && n->qaff_rank1;
	rc = rt_alloc_out(s, n, 0, dt, r0 ? 1 : x->ndim, r0 ? one : x->dims, (void **)&o);
	if (rc)
		return rc;
	double zx = xz ? rt_get_d(xz, 0) : 0, zy = yz ? rt_get_d(yz, 0) : 0;
	double sx = rt_get_d(xs, 0);
	float sy = (float)rt_get_d(ys, 0);
	int64_t cnt = art_tensor_elems(x);
	/* Each step rounds to binary32 on its own, as the chain's kernels and
	 * the device's ELTWISE AFFINE do (no fused multiply-add: neither is
	 * built for an ISA that has one). */
	for (int64_t i = 0; i < cnt; i++) {
		float f = (float)((rt_get_d(x, i) - zx) * sx);
		float t = n->qaff_alpha * f;
		float u = t + n->qaff_beta;
		float q = u / sy;
		rt_put_d(o, dt, i, saturate(nearbyint((double)q) + zy, dt));
	}
	return 0;
}

int rt_kernel_qbinary(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *a = rt_in(s, n, 0), *as = rt_in(s, n, 1), *az = rt_in(s, n, 2),
				*b = rt_in(s, n, 3), *bs = rt_in(s, n, 4), *bz = rt_in(s, n, 5),
				*ys = rt_in(s, n, 6), *yz = rt_in(s, n, 7);
	/* The zero points are optional, as they are to Q and DQ. */
	NEED(a && as && b && bs && ys, "node '%s' (fused QDQ %s): an operand or a scale missing",
	     n->name, n->dev_op);
	int rc;
	int dt = yz ? yz->dtype : ART_UINT8;
	int op = !strcmp(n->dev_op, "QAdd") ? 0 : !strcmp(n->dev_op, "QSub") ? 1 : 2;
	NEED((dt == ART_UINT8 || dt == ART_INT8) && a->dtype == dt && b->dtype == dt &&
		     (!az || az->dtype == dt) && (!bz || bz->dtype == dt),
	     "node '%s' (fused QDQ %s): the inputs, their zero points and the output must be "
	     "one 8-bit dtype",
	     n->name, n->dev_op);
	NEED(art_tensor_elems(as) == 1 && art_tensor_elems(bs) == 1 && art_tensor_elems(ys) == 1 &&
		     (!az || art_tensor_elems(az) == 1) && (!bz || art_tensor_elems(bz) == 1) &&
		     (!yz || art_tensor_elems(yz) == 1),
	     "node '%s' (fused QDQ %s): scales and zero points must be per tensor", n->name,
	     n->dev_op);
	int64_t dims[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = rt_broadcast_shape(a, b, dims);
	NEED(nd >= 0, "node '%s' (fused QDQ %s): shapes do not broadcast", n->name, n->dev_op);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, dt, nd, dims, (void **)&o);
	if (rc)
		return rc;
	double za = az ? rt_get_d(az, 0) : 0, zb = bz ? rt_get_d(bz, 0) : 0,
	       zy = yz ? rt_get_d(yz, 0) : 0, sa = rt_get_d(as, 0), sb = rt_get_d(bs, 0);
	float sy = (float)rt_get_d(ys, 0);
	int64_t cnt = rt_shape_elems(dims, nd);
	/* The chain's steps, each rounded to binary32: both DequantizeLinear,
	 * the op, the QuantizeLinear (the device's quantised ELTWISE). */
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, dims, nd)) {
		float fa = (float)((rt_get_d(a, rt_bcast_offset(a, idx, nd)) - za) * sa);
		float fb = (float)((rt_get_d(b, rt_bcast_offset(b, idx, nd)) - zb) * sb);
		float r = op == 0 ? fa + fb : op == 1 ? fa - fb : fa * fb;
		float q = r / sy;
		rt_put_d(o, dt, i, saturate(nearbyint((double)q) + zy, dt));
	}
	return 0;
}

static int k_dynamic_quantize(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (DynamicQuantizeLinear): only float", n->name);
	int64_t cnt = art_tensor_elems(x);
	float lo = 0, hi = 0;
	for (int64_t i = 0; i < cnt; i++) {
		float v = ((const float *)x->data)[i];
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	float scale = (hi - lo) / 255.0f;
	float zpf = scale != 0 ? (float)saturate(nearbyint(0 - lo / scale), ART_UINT8) : 0;
	uint8_t *o, *oz;
	float *os;
	rc = rt_alloc_out(s, n, 0, ART_UINT8, x->ndim, x->dims, (void **)&o);
	if (!rc)
		rc = rt_alloc_out(s, n, 1, ART_FLOAT, 0, NULL, (void **)&os);
	if (!rc)
		rc = rt_alloc_out(s, n, 2, ART_UINT8, 0, NULL, (void **)&oz);
	if (rc)
		return rc;
	for (int64_t i = 0; o && i < cnt; i++) {
		float v = ((const float *)x->data)[i];
		o[i] = (uint8_t)saturate(scale != 0 ? nearbyint(v / scale) + zpf : zpf, ART_UINT8);
	}
	if (os)
		*os = scale;
	if (oz)
		*oz = (uint8_t)zpf;
	return 0;
}

/* Zero point of row/column I: scalar or per row (A) / column (B). */
static double zp_at(const struct art_tensor *z, int64_t i)
{
	if (!z)
		return 0;
	return rt_get_d(z, art_tensor_elems(z) == 1 ? 0 : i);
}

/* Scale of row/column I: scalar or per row (A) / column (B). */
static double scale_at(const struct art_tensor *p, int64_t i)
{
	return rt_get_d(p, art_tensor_elems(p) == 1 ? 0 : i);
}

/* MatMul's numpy semantics on 8-bit operands: 1-D operands promoted and
 * their unit axis dropped, batch dims broadcast. */
static int int_matmul(struct art_session *s, const struct rt_node *n, int qlinear)
{
	int rc = rt_need_inputs(s, n, qlinear ? 8 : 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, qlinear ? 3 : 1);
	const struct art_tensor *az = rt_in(s, n, 2), *bz = rt_in(s, n, qlinear ? 5 : 3);
	NEED(a->ndim >= 1 && b->ndim >= 1 && (a->dtype == ART_UINT8 || a->dtype == ART_INT8) &&
		     (b->dtype == ART_UINT8 || b->dtype == ART_INT8),
	     "node '%s' (%s): needs 8-bit A [..., M, K] and B [..., K, N]", n->name,
	     n->proto->op_type);
	int64_t M = a->ndim >= 2 ? a->dims[a->ndim - 2] : 1, K = a->dims[a->ndim - 1];
	int64_t Kb = b->ndim >= 2 ? b->dims[b->ndim - 2] : b->dims[0];
	int64_t N = b->ndim >= 2 ? b->dims[b->ndim - 1] : 1;
	struct art_tensor ab = {.ndim = a->ndim > 2 ? a->ndim - 2 : 0},
			  bb = {.ndim = b->ndim > 2 ? b->ndim - 2 : 0};
	for (int i = 0; i < ab.ndim; i++)
		ab.dims[i] = a->dims[i];
	for (int i = 0; i < bb.ndim; i++)
		bb.dims[i] = b->dims[i];
	int64_t od[ART_MAX_DIMS + 2];
	int bnd = rt_broadcast_shape(&ab, &bb, od);
	NEED(K == Kb && bnd >= 0,
	     "node '%s' (%s): A [..., %lld, %lld] and B [..., %lld, %lld] do not multiply", n->name,
	     n->proto->op_type, (long long)M, (long long)K, (long long)Kb, (long long)N);
	/* zp_at() reads one zero point per row of A / column of B, or a scalar. */
	NEED((!az || art_tensor_elems(az) == 1 || art_tensor_elems(az) == M) &&
		     (!bz || art_tensor_elems(bz) == 1 || art_tensor_elems(bz) == N),
	     "node '%s' (%s): zero points must be scalars or one per row of A / column of B",
	     n->name, n->proto->op_type);
	const struct art_tensor *as = qlinear ? rt_in(s, n, 1) : NULL,
				*bs = qlinear ? rt_in(s, n, 4) : NULL,
				*ys = qlinear ? rt_in(s, n, 6) : NULL,
				*yz = qlinear ? rt_in(s, n, 7) : NULL;
	NEED(!qlinear || ((art_tensor_elems(as) == 1 || art_tensor_elems(as) == M) &&
			  (art_tensor_elems(bs) == 1 || art_tensor_elems(bs) == N) &&
			  art_tensor_elems(ys) == 1 && art_tensor_elems(yz) == 1 &&
			  (yz->dtype == ART_UINT8 || yz->dtype == ART_INT8)),
	     "node '%s' (%s): scales must be scalars or one per row of A / column of B, y's a "
	     "scalar, y_zero_point an 8-bit scalar",
	     n->name, n->proto->op_type);
	int ond = bnd;
	if (a->ndim >= 2)
		od[ond++] = M;
	if (b->ndim >= 2)
		od[ond++] = N;
	NEED(ond <= ART_MAX_DIMS, "node '%s' (%s): output rank %d", n->name, n->proto->op_type,
	     ond);
	int dt = qlinear ? yz->dtype : ART_INT32;
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, ond, od, &o);
	if (rc)
		return rc;
	int64_t batches = rt_shape_elems(od, bnd), idx[ART_MAX_DIMS] = {0};
	for (int64_t bi = 0; bi < batches; bi++, rt_next_index(idx, od, bnd)) {
		int64_t ao = rt_bcast_offset(&ab, idx, bnd) * M * K,
			bo = rt_bcast_offset(&bb, idx, bnd) * K * N;
		for (int64_t i = 0; i < M; i++)
			for (int64_t j = 0; j < N; j++) {
				int64_t acc = 0, at = (bi * M + i) * N + j;
				for (int64_t k = 0; k < K; k++)
					acc += (rt_get_i(a, ao + i * K + k) -
						(int64_t)zp_at(az, i)) *
					       (rt_get_i(b, bo + k * N + j) -
						(int64_t)zp_at(bz, j));
				if (!qlinear) {
					((int32_t *)o)[at] = (int32_t)acc;
					continue;
				}
				float mult, div;
				rt_requant_params(n, scale_at(as, i), scale_at(bs, j),
						  rt_get_d(ys, 0), &mult, &div);
				rt_put_d(o, dt, at,
					 saturate(rt_requant_act(n, acc, mult, div) +
							  rt_get_d(yz, 0),
						  dt));
			}
	}
	return 0;
}

static int k_matmul_integer(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_qmatmul(s, n);
	return rc != RT_CPU_DECLINED ? rc : int_matmul(s, n, 0);
}

static int k_qlinear_matmul(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_qmatmul(s, n);
	return rc != RT_CPU_DECLINED ? rc : int_matmul(s, n, 1);
}

/* Det of each trailing [M, M] matrix by LU with partial pivoting. */
static int k_det(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->ndim >= 2 && x->dims[x->ndim - 1] == x->dims[x->ndim - 2] &&
		     (x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE),
	     "node '%s' (Det): needs float square matrices [..., M, M]", n->name);
	int64_t M = x->dims[x->ndim - 1], cnt = rt_shape_elems(x->dims, x->ndim - 2);
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim - 2, x->dims, &o);
	if (rc)
		return rc;
	double *a = malloc((size_t)(M * M + 1) * sizeof(double));
	NEED(a, "node '%s' (Det): out of memory", n->name);
	for (int64_t m = 0; m < cnt; m++) {
		for (int64_t i = 0; i < M * M; i++)
			a[i] = rt_get_d(x, m * M * M + i);
		double det = 1;
		for (int64_t c = 0; c < M && det != 0; c++) {
			int64_t p = c;
			for (int64_t r = c + 1; r < M; r++)
				if (fabs(a[r * M + c]) > fabs(a[p * M + c]))
					p = r;
			if (a[p * M + c] == 0) {
				det = 0;
				break;
			}
			if (p != c) {
				for (int64_t k = 0; k < M; k++) {
					double t = a[c * M + k];
					a[c * M + k] = a[p * M + k];
					a[p * M + k] = t;
				}
				det = -det;
			}
			det *= a[c * M + c];
			for (int64_t r = c + 1; r < M; r++) {
				double f = a[r * M + c] / a[c * M + c];
				for (int64_t k = c; k < M; k++)
					a[r * M + k] -= f * a[c * M + k];
			}
		}
		rt_put_d(o, x->dtype, m, det);
	}
	free(a);
	return 0;
}

enum window { W_HANN, W_HAMMING, W_BLACKMAN };

static int window(struct art_session *s, const struct rt_node *n, enum window w)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *sz = rt_in(s, n, 0);
	NEED(art_tensor_elems(sz) == 1, "node '%s' (%s): size must be a scalar", n->name,
	     n->proto->op_type);
	int64_t len = rt_get_i(sz, 0);
	NEED(len >= 0, "node '%s' (%s): negative size", n->name, n->proto->op_type);
	int dt = (int)rt_attr_i(n, "output_datatype", ART_FLOAT);
	NEED(art_dtype_size(dt), "node '%s' (%s): output type %s not supported", n->name,
	     n->proto->op_type, rt_dtype_name(dt));
	double N = (double)(rt_attr_i(n, "periodic", 1) ? len : len - 1);
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, 1, &len, &o);
	for (int64_t i = 0; !rc && i < len; i++) {
		double x = 2 * M_PI * (double)i / N, v;
		if (w == W_HANN)
			v = 0.5 - 0.5 * cos(x);
		else if (w == W_HAMMING)
			v = 25.0 / 46 - 21.0 / 46 * cos(x);
		else
			v = 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x);
		rt_put_d(o, dt, i, v);
	}
	return rc;
}

static int k_hann(struct art_session *s, const struct rt_node *n)
{
	return window(s, n, W_HANN);
}

static int k_hamming(struct art_session *s, const struct rt_node *n)
{
	return window(s, n, W_HAMMING);
}

static int k_blackman(struct art_session *s, const struct rt_node *n)
{
	return window(s, n, W_BLACKMAN);
}

const struct rt_kernel_entry rt_kernels_quant[] = {
	{"BlackmanWindow", k_blackman},
	{"DequantizeLinear", k_dequantize},
	{"Det", k_det},
	{"DynamicQuantizeLinear", k_dynamic_quantize},
	{"HammingWindow", k_hamming},
	{"HannWindow", k_hann},
	{"MatMulInteger", k_matmul_integer},
	{"QLinearMatMul", k_qlinear_matmul},
	{"QuantizeLinear", k_quantize},
	{NULL, NULL},
};
