// SPDX-License-Identifier: MIT
/* CPU reference kernels: matrix products. Sums accumulate in double. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

static int k_matmul_raw(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	struct art_tensor a = *rt_in(s, n, 0), b = *rt_in(s, n, 1);
	NEED(a.dtype == ART_FLOAT && b.dtype == ART_FLOAT, "node '%s' (MatMul): only float",
	     n->name);
	int a1 = a.ndim == 1, b1 = b.ndim == 1;
	NEED(a.ndim >= 1 && b.ndim >= 1, "node '%s' (MatMul): scalar operand", n->name);
	if (a1) { /* [K] -> [1, K] */
		a.dims[1] = a.dims[0];
		a.dims[0] = 1;
		a.ndim = 2;
	}
	if (b1) { /* [K] -> [K, 1] */
		b.dims[1] = 1;
		b.ndim = 2;
	}
	int64_t M = a.dims[a.ndim - 2], K = a.dims[a.ndim - 1], N = b.dims[b.ndim - 1];
	NEED(b.dims[b.ndim - 2] == K, "node '%s' (MatMul): inner dims %lld and %lld differ",
	     n->name, (long long)K, (long long)b.dims[b.ndim - 2]);
	struct art_tensor ab = a, bb = b; /* batch parts */
	ab.ndim -= 2;
	bb.ndim -= 2;
	int64_t bd[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nb = rt_broadcast_shape(&ab, &bb, bd);
	NEED(nb >= 0 && nb + 2 <= ART_MAX_DIMS, "node '%s' (MatMul): batch dims do not broadcast",
	     n->name);
	int64_t od[ART_MAX_DIMS];
	int nd = 0;
	for (int i = 0; i < nb; i++)
		od[nd++] = bd[i];
	if (!a1)
		od[nd++] = M;
	if (!b1)
		od[nd++] = N;
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, nd, od, (void **)&o);
	if (rc)
		return rc;
	struct art_tensor bt = {.ndim = nb};
	memcpy(bt.dims, bd, sizeof(bd));
	int64_t batches = art_tensor_elems(&bt);
	for (int64_t t = 0; t < batches; t++, rt_next_index(idx, bd, nb)) {
		const float *pa = (const float *)a.data + rt_bcast_offset(&ab, idx, nb) * M * K;
		const float *pb = (const float *)b.data + rt_bcast_offset(&bb, idx, nb) * K * N;
		float *po = o + t * M * N;
		for (int64_t i = 0; i < M; i++)
			for (int64_t j = 0; j < N; j++) {
				double acc = 0;
				for (int64_t k = 0; k < K; k++)
					acc += (double)pa[i * K + k] * pb[k * N + j];
				po[i * N + j] = (float)acc;
			}
	}
	return 0;
}

/* Gemm: Y = alpha * A' * B' + beta * C, C broadcast to [M, N]. */
static int k_gemm_raw(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *b = rt_in(s, n, 1), *c = rt_in(s, n, 2);
	NEED(a->dtype == ART_FLOAT && b->dtype == ART_FLOAT && a->ndim == 2 && b->ndim == 2,
	     "node '%s' (Gemm): A and B must be 2-D float", n->name);
	int ta = (int)rt_attr_i(n, "transA", 0), tb = (int)rt_attr_i(n, "transB", 0);
	float alpha = rt_attr_f(n, "alpha", 1.0f), beta = rt_attr_f(n, "beta", 1.0f);
	int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
	int64_t N = tb ? b->dims[0] : b->dims[1], KB = tb ? b->dims[1] : b->dims[0];
	NEED(K == KB, "node '%s' (Gemm): inner dims %lld and %lld differ", n->name, (long long)K,
	     (long long)KB);
	int64_t od[2] = {M, N};
	struct art_tensor ot = {.ndim = 2, .dims = {M, N}};
	int64_t bd[ART_MAX_DIMS];
	NEED(!c || (c->dtype == ART_FLOAT && rt_broadcast_shape(c, &ot, bd) == 2 && bd[0] == M &&
		    bd[1] == N),
	     "node '%s' (Gemm): C does not broadcast to [%lld, %lld]", n->name, (long long)M,
	     (long long)N);
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, 2, od, (void **)&o);
	if (rc)
		return rc;
	const float *pa = a->data, *pb = b->data;
	for (int64_t i = 0; i < M; i++)
		for (int64_t j = 0; j < N; j++) {
			double acc = 0;
			for (int64_t k = 0; k < K; k++)
				acc += (double)pa[ta ? k * M + i : i * K + k] *
				       pb[tb ? j * K + k : k * N + j];
			double v = alpha * acc;
			if (c) {
				int64_t idx[2] = {i, j};
				v += beta * ((const float *)c->data)[rt_bcast_offset(c, idx, 2)];
			}
			o[i * N + j] = (float)v;
		}
	return 0;
}

static int k_matmul(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_matmul(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	rc = k_matmul_raw(s, n);
	/* A bias fused in by graph optimisation comes before the activation. */
	if (!rc)
		rc = rt_matmul_bias(s, n);
	return rc ? rc : rt_apply_act(s, n);
}

static int k_gemm(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_dnnl_gemm(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
	rc = k_gemm_raw(s, n);
	return rc ? rc : rt_apply_act(s, n);
}

const struct rt_kernel_entry rt_kernels_linalg[] = {
	{"Gemm", k_gemm},
	{"MatMul", k_matmul},
	{NULL, NULL},
};
