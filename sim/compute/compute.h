/* SPDX-License-Identifier: MIT */
/*
 * ares-sim compute kernels: the arithmetic of the tensor, vector and DMA
 * engines, on tensors already brought into host memory.
 *
 * The engine glue (sim/) translates a command's descriptors through the
 * device MMU into struct compute_tensor views and calls one function here
 * per command (or per tile the firmware chose). Kernels know nothing of
 * VAs, faults or the command stream; they take the parameter blocks of
 * include/ares/ops.h so the semantics are written down once.
 *
 * Every function returns ARES_JOB_OK, or ARES_JOB_INVALID_CMD for an
 * operand combination it does not implement or a data-dependent error
 * (gather index out of range, integer division by zero). The firmware
 * validates commands before they get here; the kernels check again because
 * a firmware bug must not crash the hardware.
 *
 * Threads: a struct compute_workers runs a kernel's independent tiles on
 * several host threads. Kernels called with workers == NULL run on the
 * caller's thread. One workers object must not be used by two callers at
 * once.
 */
#ifndef ARES_SIM_COMPUTE_H
#define ARES_SIM_COMPUTE_H

#include <stdint.h>

#include <ares/op_table.h>
#include <ares/ops.h>
#include <ares/queue.h> /* ARES_JOB_* */
#include <ares/tensor.h>

/**
 * struct compute_tensor - a strided host-memory view of a tensor
 * @data: element (0, ..., 0); NULL for an absent operand (dtype NONE)
 * @dtype: ARES_DTYPE_*
 * @rank: 0..ARES_MAX_RANK
 * @shape: elements per dimension
 * @stride: elements between neighbours per dimension (0 broadcasts)
 * @quant: ARES_QUANT_*
 * @quant_axis: PER_CHANNEL dimension
 * @scale: PER_TENSOR scale
 * @zero_point: PER_TENSOR zero point
 * @scales: PER_CHANNEL scales, shape[quant_axis] of them
 * @zero_points: PER_CHANNEL zero points, shape[quant_axis] of them
 */
struct compute_tensor {
	void *data;
	uint32_t dtype;
	uint32_t rank;
	int64_t shape[ARES_MAX_RANK];
	int64_t stride[ARES_MAX_RANK];
	uint32_t quant;
	uint32_t quant_axis;
	float scale;
	int32_t zero_point;
	const float *scales;
	const int32_t *zero_points;
};

/**
 * struct compute_stats - work done, for the performance model and counters
 * @macs: multiply-accumulates (tensor engine)
 * @vector_ops: element operations (vector engine)
 * @bytes: bytes read plus written
 */
struct compute_stats {
	uint64_t macs;
	uint64_t vector_ops;
	uint64_t bytes;
};

struct compute_workers;

/* Creates @threads worker threads (0: one per online CPU). NULL on ENOMEM. */
struct compute_workers *compute_workers_create(unsigned int threads);
void compute_workers_destroy(struct compute_workers *w);
/*
 * Returns once every helper has started and run: thread start-up (glibc's,
 * a sanitizer runtime's) makes system calls that a seccomp filter
 * installed afterwards would refuse. Also runs oneDNN's one-time set-up
 * (CPU detection, JIT) for the same reason; @w may be NULL.
 */
void compute_workers_sync(struct compute_workers *w);

/* The SIMD level the kernels selected at run time ("avx2+fma", "sse2", ...). */
const char *compute_isa(void);
/*
 * The ISA oneDNN's JIT runs float CONV2D and MATMUL on ("avx512_core_bf16",
 * ...), or NULL when the plain loops do (ARES_COMPUTE_DNNL=0, or a scalar cap).
 */
const char *compute_dnnl_isa(void);

/* Element size of an ARES_DTYPE_*, 0 for NONE or unknown. */
unsigned int compute_dtype_size(uint32_t dtype);

uint32_t compute_conv2d(struct compute_workers *w, const struct ares_conv2d_params *p,
			const struct compute_tensor *x, const struct compute_tensor *wt,
			const struct compute_tensor *b, const struct compute_tensor *y,
			struct compute_stats *st);
uint32_t compute_matmul(struct compute_workers *w, const struct ares_matmul_params *p,
			const struct compute_tensor *a, const struct compute_tensor *b,
			const struct compute_tensor *c, const struct compute_tensor *y,
			struct compute_stats *st);
uint32_t compute_eltwise(struct compute_workers *w, const struct ares_eltwise_params *p,
			 unsigned int num_inputs, const struct compute_tensor *in,
			 const struct compute_tensor *out, struct compute_stats *st);
uint32_t compute_pool(struct compute_workers *w, const struct ares_pool_params *p,
		      const struct compute_tensor *x, const struct compute_tensor *y,
		      struct compute_stats *st);
uint32_t compute_reduce(struct compute_workers *w, const struct ares_reduce_params *p,
			const struct compute_tensor *x, const struct compute_tensor *y,
			struct compute_stats *st);
uint32_t compute_softmax(struct compute_workers *w, const struct ares_softmax_params *p,
			 const struct compute_tensor *x, const struct compute_tensor *y,
			 struct compute_stats *st);
uint32_t compute_norm(struct compute_workers *w, const struct ares_norm_params *p,
		      const struct compute_tensor *x, const struct compute_tensor *scale,
		      const struct compute_tensor *bias, const struct compute_tensor *mean,
		      const struct compute_tensor *var, const struct compute_tensor *y,
		      struct compute_stats *st);
uint32_t compute_resize(struct compute_workers *w, const struct ares_resize_params *p,
			const struct compute_tensor *x, const struct compute_tensor *y,
			struct compute_stats *st);
uint32_t compute_copy(struct compute_workers *w, const struct compute_tensor *x,
		      const struct compute_tensor *y, struct compute_stats *st);
uint32_t compute_pad(struct compute_workers *w, const struct ares_pad_params *p,
		     const struct compute_tensor *x, const struct compute_tensor *y,
		     struct compute_stats *st);
uint32_t compute_gather(struct compute_workers *w, uint32_t axis, const struct compute_tensor *data,
			const struct compute_tensor *indices, const struct compute_tensor *y,
			struct compute_stats *st);
uint32_t compute_fill(struct compute_workers *w, uint64_t value, const struct compute_tensor *y,
		      struct compute_stats *st);

uint32_t compute_prelu(struct compute_workers *w, const struct compute_tensor *x,
		       const struct compute_tensor *slope, const struct compute_tensor *y,
		       struct compute_stats *st);

/*
 * One entry per tensor opcode of the op table (include/ares/op_table.h),
 * which the engine glue calls for each tile: the command, and its
 * operands' views in the table's order (absent ones with dtype NONE).
 * Declared from the table, so an opcode whose kernel is missing does not
 * link.
 */
typedef uint32_t compute_cmd_fn(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
				const struct compute_tensor *v, struct compute_stats *st);
#define COMPUTE_CMD_DECL(NAME, name, code, type, engine, tiling) compute_cmd_fn compute_cmd_##name;
ARES_TENSOR_OP_TABLE(COMPUTE_CMD_DECL)
#undef COMPUTE_CMD_DECL

#endif /* ARES_SIM_COMPUTE_H */
