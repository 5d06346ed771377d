// SPDX-License-Identifier: MIT
/*
 * oneDNN's BLAS-style sgemm for the plain-loop kernels' fast paths that
 * need a matrix product inside their own loop (the recurrent ops' gate
 * sums), where a primitive per node and shape would not fit: one call,
 * JIT-dispatched for the host's ISA, f32 sums as ONNX Runtime's.
 */
#include <errno.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.h>

#include "cpu/dnnl.h"

int rt_cpu_sgemm_nt(struct art_session *s, const struct rt_node *n, int64_t M, int64_t N, int64_t K,
		    const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
		    int64_t ldc)
{
	/* One thread, as the loops that call it: their products are a
	 * recurrent step's few gate rows (silero_vad's LSTM: 512 x 128),
	 * far below what a second thread's wake costs (cpu/dnnl.c). */
	int was = omp_get_max_threads();
	if (was != 1)
		omp_set_num_threads(1);
	dnnl_status_t st = dnnl_sgemm('N', 'T', M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
	if (was != 1)
		omp_set_num_threads(was);
	if (st != dnnl_success)
		return rt_err(s, st == dnnl_out_of_memory ? -ENOMEM : -EIO,
			      "node '%s' (%s): oneDNN sgemm failed (status %d)", n->name,
			      n->proto->op_type, (int)st);
	return 0;
}
