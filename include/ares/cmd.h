/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 command stream: a packed sequence of commands in device
 * memory, each starting with struct ares_cmd_hdr. A job's stream is read
 * through the job's address space and executed in order; the first command
 * that fails ends the job with its status and byte offset.
 */
#ifndef ARES_CMD_H
#define ARES_CMD_H

#include "types.h"

#define ARES_CMD_STREAM_MAX	(16u << 20)
#define ARES_CMD_ALIGN		8

/**
 * struct ares_cmd_hdr - command header
 * @opcode: ARES_OP_*
 * @flags: must be zero in v1
 * @size: bytes of this command including the header; a multiple of 8 that
 *	is exactly the size of the opcode's struct (NOP: any multiple of 8)
 */
struct ares_cmd_hdr {
	__le16 opcode;
	__le16 flags;
	__le32 size;
};

ARES_ASSERT_SIZE(struct ares_cmd_hdr, 8);

/*
 * Opcodes. Append only. The v1 commands' are here; the tensor commands'
 * (0x20-0x4f: tensor engine 0x20, vector engine 0x30, DMA engine 0x40)
 * are the rows of ARES_TENSOR_OP_TABLE in ops.h, as enum
 * ares_tensor_opcode.
 */
#define ARES_OP_NOP		0x0000
#define ARES_OP_FENCE_WRITE	0x0001
#define ARES_OP_TIMESTAMP	0x0002
#define ARES_OP_DMA_COPY	0x0003
#define ARES_OP_FILL		0x0004
#define ARES_OP_GEMM		0x0010
/* Profiling */
#define ARES_OP_PROFILE		0x0050

/** struct ares_cmd_fence_write - write @value (8 bytes) at 8-byte aligned @va */
struct ares_cmd_fence_write {
	struct ares_cmd_hdr hdr;
	__le64 va;
	__le64 value;
};

ARES_ASSERT_SIZE(struct ares_cmd_fence_write, 24);

/** struct ares_cmd_timestamp - write the device clock (ns, 8 bytes) at 8-byte aligned @va */
struct ares_cmd_timestamp {
	struct ares_cmd_hdr hdr;
	__le64 va;
};

ARES_ASSERT_SIZE(struct ares_cmd_timestamp, 16);

/**
 * struct ares_cmd_dma_copy - copy @size bytes from @src_va to @dst_va
 *
 * The ranges must not overlap (ARES_JOB_INVALID_CMD otherwise).
 */
struct ares_cmd_dma_copy {
	struct ares_cmd_hdr hdr;
	__le64 src_va;
	__le64 dst_va;
	__le64 size;
};

ARES_ASSERT_SIZE(struct ares_cmd_dma_copy, 32);

/**
 * struct ares_cmd_fill - fill @size bytes at @dst_va with the 32-bit @pattern
 *
 * @dst_va and @size must be multiples of 4. @reserved must be zero.
 */
struct ares_cmd_fill {
	struct ares_cmd_hdr hdr;
	__le64 dst_va;
	__le64 size;
	__le32 pattern;
	__le32 reserved;
};

ARES_ASSERT_SIZE(struct ares_cmd_fill, 32);

/**
 * struct ares_cmd_gemm - f32 C[m][n] = A[m][k] . B[k][n] + C[m][n]
 *
 * Row-major with row strides @lda, @ldb, @ldc in elements (lda >= k,
 * ldb >= n, ldc >= n). Matrices are 4-byte aligned. m, n, k are 1..65536.
 * @flags and @reserved must be zero.
 */
struct ares_cmd_gemm {
	struct ares_cmd_hdr hdr;
	__le32 m;
	__le32 n;
	__le32 k;
	__le32 flags;
	__le64 a_va;
	__le64 b_va;
	__le64 c_va;
	__le32 lda;
	__le32 ldb;
	__le32 ldc;
	__le32 reserved;
};

ARES_ASSERT_SIZE(struct ares_cmd_gemm, 64);

#define ARES_GEMM_DIM_MAX	65536u

#endif /* ARES_CMD_H */
