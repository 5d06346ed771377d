/* SPDX-License-Identifier: MIT */
/*
 * The fast CPU path: oneDNN primitives for the ops it covers, beside the
 * plain-loop kernels (kernels_*.c), which stay the oracle. A kernel asks
 * its rt_dnnl_*() first; RT_CPU_DECLINED sends it to its own loops, so a
 * shape, type or attribute oneDNN does not take (or a session asking for
 * the reference kernels) still runs, and still fails with the reference
 * kernel's message when the node is wrong.
 *
 * Primitives are made once per node and input shape (the first run, or a
 * run whose shapes changed) and kept in the node's rt_cpu_memo; constant
 * weights are reordered into the primitive's layout then too.
 */
#ifndef ART_CPU_DNNL_H
#define ART_CPU_DNNL_H

#include "core/internal.h"

/* Not an error: the oneDNN path does not cover this node as it stands. */
#define RT_CPU_DECLINED 1

/* Session setup from the options and the environment (ART_THREADS,
 * ART_CPU_KERNELS); the engine and stream are made at the first use. */
int rt_cpu_open(struct art_session *s, const struct art_session_options *o);
void rt_cpu_close(struct art_session *s);
/* A node's primitive cache, for ops with a oneDNN path (NULL otherwise),
 * and its release with the node. */
int rt_cpu_memo_new(struct rt_node *n);
void rt_cpu_memo_free(struct rt_node *n);

/* 1 when the session runs the fast kernels (oneDNN and the plain-loop
 * kernels' fast paths), 0 when it asked for the reference loops only. */
int rt_cpu_fast(const struct art_session *s);

/* Each: 0 when done, RT_CPU_DECLINED, or a negative errno with the
 * session's message set. */
int rt_dnnl_conv(struct art_session *s, const struct rt_node *n);
int rt_dnnl_conv_transpose(struct art_session *s, const struct rt_node *n);
int rt_dnnl_matmul(struct art_session *s, const struct rt_node *n);
int rt_dnnl_gemm(struct art_session *s, const struct rt_node *n);
int rt_dnnl_binary(struct art_session *s, const struct rt_node *n);
/* MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool. */
int rt_dnnl_pool(struct art_session *s, const struct rt_node *n);
/* Softmax, LogSoftmax. */
int rt_dnnl_softmax(struct art_session *s, const struct rt_node *n);
/* Relu, LeakyRelu, Sigmoid, Elu, HardSwish, Exp, Abs, Log of f32. */
int rt_dnnl_eltwise(struct art_session *s, const struct rt_node *n);
/* LayerNormalization of f32, Y only. */
int rt_dnnl_layernorm(struct art_session *s, const struct rt_node *n);
/* Transpose of f32 (a valid perm; the loop reports a wrong one). */
int rt_dnnl_transpose(struct art_session *s, const struct rt_node *n);
/* QLinearConv, ConvInteger (cpu/dnnl_quant.c). */
int rt_dnnl_qconv(struct art_session *s, const struct rt_node *n);
/* QLinearMatMul, MatMulInteger. */
int rt_dnnl_qmatmul(struct art_session *s, const struct rt_node *n);

/* C [M, N] = A [M, K] x B^T (B stored [N, K]) + BETA * C, row-major with
 * leading dims LDA, LDB, LDC, f32, on one thread (cpu/dnnl_sgemm.c); N
 * names the node in the error message. */
int rt_cpu_sgemm_nt(struct art_session *s, const struct rt_node *n, int64_t M, int64_t N, int64_t K,
		    const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
		    int64_t ldc);

#endif
