/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 tensor descriptors: how compute and DMA commands name their
 * operands in device memory.
 *
 * A descriptor is a strided view: element (i0, ..., i{rank-1}) lives at
 * va + elem_size * sum(ik * stride[k]). Strides are in elements and may be
 * 0 (broadcast) or anything else non-negative, so transposes, slices,
 * broadcasts and concatenation by placement need no copies. Every access
 * goes through the job's address space; a view that reaches past its
 * mapping faults there (ARES_JOB_MMU_FAULT). A view the firmware can reject
 * without touching memory (dtype, rank, shape, stride or alignment out of
 * range, quantisation on a dtype that cannot carry it) ends the job with
 * ARES_JOB_INVALID_CMD.
 */
#ifndef ARES_TENSOR_H
#define ARES_TENSOR_H

#include "types.h"

#define ARES_MAX_RANK		6
#define ARES_MAX_DIM		(1ull << 32)	/* exclusive bound of one dimension */
#define ARES_MAX_ELEMS		(1ull << 48)	/* inclusive bound of a view's element count */

/* Element types. Append only. NONE marks an absent optional operand. */
#define ARES_DTYPE_NONE		0
#define ARES_DTYPE_F32		1
#define ARES_DTYPE_F16		2
#define ARES_DTYPE_BF16		3
#define ARES_DTYPE_I8		4
#define ARES_DTYPE_U8		5
#define ARES_DTYPE_I32		6
#define ARES_DTYPE_I64		7
#define ARES_DTYPE_BOOL		8	/* one byte, 0 or 1 */
#define ARES_DTYPE_COUNT	9

/* Quantisation of I8/U8 tensors: real = scale * (q - zero_point). */
#define ARES_QUANT_NONE		0
#define ARES_QUANT_PER_TENSOR	1	/* @scale, @zero_point */
#define ARES_QUANT_PER_CHANNEL	2	/* arrays at @qparams_va, along @quant_axis */

/**
 * struct ares_tensor_desc - a strided view of a tensor in device memory
 * @va: device VA of element (0, ..., 0), aligned to the element size
 * @dtype: ARES_DTYPE_*; ARES_DTYPE_NONE only where an operand is optional
 * @rank: 0..ARES_MAX_RANK (0 is a scalar)
 * @quant: ARES_QUANT_*; anything but NONE only for I8 and U8
 * @quant_axis: PER_CHANNEL: the dimension the parameters run along
 * @shape: elements per dimension, each < ARES_MAX_DIM (0 = empty tensor);
 *	entries past @rank are zero
 * @stride: elements between neighbours along each dimension; entries past
 *	@rank are zero. The byte offset of the last element must stay below
 *	2^48.
 * @scale: PER_TENSOR: IEEE-754 binary32 bits of the scale (> 0)
 * @zero_point: PER_TENSOR: the zero point, in the dtype's range
 * @qparams_va: PER_CHANNEL: shape[quant_axis] f32 scales followed by
 *	shape[quant_axis] s32 zero points, 4-byte aligned
 */
struct ares_tensor_desc {
	__le64 va;
	__le16 dtype;
	__le16 rank;
	__le16 quant;
	__le16 quant_axis;
	__le64 shape[ARES_MAX_RANK];
	__le64 stride[ARES_MAX_RANK];
	__le32 scale;
	__le32 zero_point;
	__le64 qparams_va;
};

ARES_ASSERT_SIZE(struct ares_tensor_desc, 128);

/* Fused activations (conv, matmul) and activation-like eltwise ops. */
#define ARES_ACT_NONE		0
#define ARES_ACT_RELU		1
#define ARES_ACT_LEAKY_RELU	2	/* x < 0 ? alpha * x : x */
#define ARES_ACT_CLIP		3	/* min(max(x, alpha), beta) */
#define ARES_ACT_SIGMOID	4
#define ARES_ACT_HARD_SIGMOID	5	/* max(0, min(1, alpha * x + beta)) */
#define ARES_ACT_HARD_SWISH	6	/* x * max(0, min(1, x / 6 + 1 / 2)) */
#define ARES_ACT_TANH		7
#define ARES_ACT_GELU		8	/* exact: x / 2 * (1 + erf(x / sqrt 2)) */
#define ARES_ACT_COUNT		9

#endif /* ARES_TENSOR_H */
