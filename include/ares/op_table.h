/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 op table: the facts about each opcode, written once and read
 * by the firmware, the emulator, libaccel's builders, the fuzzer and the
 * tests. One row per opcode gives its name, command struct (and so its
 * size), engine and tiling class (hw-spec §12.11, §14); one operand list
 * per descriptor-carrying opcode says which descriptors it reads and
 * writes, in which role. The descriptor rules of §12.1 and the dtype
 * sizes follow as header-only functions that every program calls.
 *
 * Consumers build their per-opcode tables from ARES_OP_TABLE or
 * ARES_TENSOR_OP_TABLE with a naming convention (the firmware's
 * fw_check_<name>, the emulator's sim_kernel_<name>, libaccel's
 * accel_cmdbuf_<name>), so an opcode whose consumer entry is missing does
 * not compile. docs/extending.md walks through adding one.
 *
 * Freestanding: no libc, only <linux/types.h> through types.h.
 */
#ifndef ARES_OP_TABLE_H
#define ARES_OP_TABLE_H

#include "cmd.h"
#include "ops.h"
#include "regs.h"
#include "tensor.h"
#include "types.h"

/* Engines (hw-spec §14). */
#define ARES_ENGINE_CP	   0 /* the control processor itself; no engine tile */
#define ARES_ENGINE_DMA	   1
#define ARES_ENGINE_TENSOR 2 /* MAC rate set by the dtype of operand 0 (GEMM: F32) */
#define ARES_ENGINE_VECTOR 3

/* Tiling classes (hw-spec §12.11). */
#define ARES_TILE_NONE	 0 /* always one tile */
#define ARES_TILE_ROWS	 1 /* dimension 0 of every ROWS operand, where the opcode allows it */
#define ARES_TILE_MATMUL 2 /* M rows of a 2-D MATMUL, or its outermost batch dimension */

/* Operand roles: exactly one of IN and OUT, with any of the rest. */
#define ARES_OPND_IN	   (1u << 0)
#define ARES_OPND_OUT	   (1u << 1)
#define ARES_OPND_OPTIONAL (1u << 2) /* may be absent (dtype NONE, all zero) */
#define ARES_OPND_WHOLE	   (1u << 3) /* every tile reads all of it; otherwise sliced by rows */

/*
 * The v1 commands, which carry no tensor descriptors:
 *   X(NAME, name, command struct, engine, ARES_TILE_NONE)
 * ARES_OP_<NAME> is the opcode (cmd.h), accel_cmdbuf_<name> its builder.
 * NOP's struct is the bare header: any multiple of 8 bytes is a NOP.
 */
#define ARES_V1_OP_TABLE(X)                                                                        \
	X(NOP, nop, struct ares_cmd_hdr, ARES_ENGINE_CP, ARES_TILE_NONE)                           \
	X(FENCE_WRITE, fence_write, struct ares_cmd_fence_write, ARES_ENGINE_CP, ARES_TILE_NONE)   \
	X(TIMESTAMP, timestamp, struct ares_cmd_timestamp, ARES_ENGINE_CP, ARES_TILE_NONE)         \
	X(DMA_COPY, dma_copy, struct ares_cmd_dma_copy, ARES_ENGINE_DMA, ARES_TILE_NONE)           \
	X(FILL, fill, struct ares_cmd_fill, ARES_ENGINE_DMA, ARES_TILE_NONE)                       \
	X(GEMM, gemm, struct ares_cmd_gemm, ARES_ENGINE_TENSOR, ARES_TILE_NONE)                    \
	X(PROFILE, profile, struct ares_cmd_profile, ARES_ENGINE_CP, ARES_TILE_NONE)

/*
 * The tensor commands (hw-spec §12), whose operands are descriptors:
 *   X(NAME, name, command struct, engine, tiling class)
 * and ARES_OPERANDS_<NAME>(O) lists their descriptors as O(field, roles),
 * inputs first, outputs last.
 */
#define ARES_TENSOR_OP_TABLE(X)                                                                    \
	X(CONV2D, conv2d, struct ares_cmd_conv2d, ARES_ENGINE_TENSOR, ARES_TILE_ROWS)              \
	X(MATMUL, matmul, struct ares_cmd_matmul, ARES_ENGINE_TENSOR, ARES_TILE_MATMUL)            \
	X(ELTWISE, eltwise, struct ares_cmd_eltwise, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)           \
	X(POOL, pool, struct ares_cmd_pool, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)                    \
	X(REDUCE, reduce, struct ares_cmd_reduce, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)              \
	X(SOFTMAX, softmax, struct ares_cmd_softmax, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)           \
	X(NORM, norm, struct ares_cmd_norm, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)                    \
	X(RESIZE, resize, struct ares_cmd_resize, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)              \
	X(COPY, copy, struct ares_cmd_copy, ARES_ENGINE_DMA, ARES_TILE_ROWS)                       \
	X(PAD, pad, struct ares_cmd_pad, ARES_ENGINE_DMA, ARES_TILE_ROWS)                          \
	X(GATHER, gather, struct ares_cmd_gather, ARES_ENGINE_DMA, ARES_TILE_ROWS)                 \
	X(FILL_TENSOR, fill_tensor, struct ares_cmd_fill_tensor, ARES_ENGINE_DMA, ARES_TILE_ROWS) \
	X(PRELU, prelu, struct ares_cmd_prelu, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)

#define ARES_OPERANDS_CONV2D(O, T)                                                                 \
	O(T, x, ARES_OPND_IN)                                                                      \
	O(T, w, ARES_OPND_IN | ARES_OPND_WHOLE)                                                    \
	O(T, b, ARES_OPND_IN | ARES_OPND_OPTIONAL | ARES_OPND_WHOLE)                               \
	O(T, y, ARES_OPND_OUT)
/* MATMUL slices by its own rule (ARES_TILE_MATMUL); WHOLE does not apply. */
#define ARES_OPERANDS_MATMUL(O, T)                                                                 \
	O(T, a, ARES_OPND_IN)                                                                      \
	O(T, b, ARES_OPND_IN)                                                                      \
	O(T, c, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                                 \
	O(T, y, ARES_OPND_OUT)
/* Inputs past num_inputs are absent; the opcode's check ties them to p.op. */
#define ARES_OPERANDS_ELTWISE(O, T)                                                                \
	O(T, in[0], ARES_OPND_IN)                                                                  \
	O(T, in[1], ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, in[2], ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, out, ARES_OPND_OUT)
#define ARES_OPERANDS_POOL(O, T)    O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_REDUCE(O, T)  O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_SOFTMAX(O, T) O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_NORM(O, T)                                                                   \
	O(T, x, ARES_OPND_IN)                                                                      \
	O(T, scale, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, bias, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                              \
	O(T, mean, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                              \
	O(T, var, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                               \
	O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_RESIZE(O, T) O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_COPY(O, T)   O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_PAD(O, T)	   O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_GATHER(O, T)                                                                 \
	O(T, data, ARES_OPND_IN)                                                                   \
	O(T, indices, ARES_OPND_IN | ARES_OPND_WHOLE)                                              \
	O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_FILL_TENSOR(O, T) O(T, y, ARES_OPND_OUT)
#define ARES_OPERANDS_PRELU(O, T)                                                                  \
	O(T, x, ARES_OPND_IN) O(T, slope, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* Every opcode, with one shape of row: X(NAME, name, command struct, engine, tiling). */
#define ARES_OP_TABLE(X) ARES_V1_OP_TABLE(X) ARES_TENSOR_OP_TABLE(X)

/* Opcodes are below this bound, so per-opcode arrays are indexed by opcode. */
#define ARES_OP_SLOTS	  0x60
#define ARES_MAX_OPERANDS 6

/* ------------------------------------------------------------ the table */

/**
 * struct ares_operand - one descriptor of a tensor command
 * @name: the field's name in the command struct
 * @offset: byte offset of its struct ares_tensor_desc in the command
 * @role: ARES_OPND_*
 */
struct ares_operand {
	const char *name;
	__u16 offset;
	__u16 role;
};

/**
 * struct ares_op_info - one row of the table
 * @name: the opcode's name, as in ARES_OP_<name>
 * @size: bytes of the command (NOP: 8, the least of any multiple of 8)
 * @engine: ARES_ENGINE_*
 * @tiling: ARES_TILE_*
 * @n_operands: descriptors in @operands (0 for the v1 commands)
 * @operands: inputs first, outputs last
 */
struct ares_op_info {
	const char *name;
	__u32 size;
	__u8 engine;
	__u8 tiling;
	__u8 n_operands;
	const struct ares_operand *operands;
};

#define ARES_OPERAND_ROW_(type, field, roles)                                                      \
	{#field, (__u16)__builtin_offsetof(type, field), (roles)},
#define ARES_OPERAND_ARRAY_(NAME, name, type, engine, tiling)                                      \
	static const struct ares_operand ares_operands_##name[] = {                                \
		ARES_OPERANDS_##NAME(ARES_OPERAND_ROW_, type) {(const char *)0, 0, 0}              \
	};                                                                                         \
	_Static_assert(sizeof(ares_operands_##name) / sizeof(struct ares_operand) - 1 <=           \
			       ARES_MAX_OPERANDS,                                                  \
		       #NAME " has more than ARES_MAX_OPERANDS operands");
ARES_TENSOR_OP_TABLE(ARES_OPERAND_ARRAY_)

#define ARES_OP_CHECK_(NAME, name, type, engine, tiling)                                           \
	_Static_assert(ARES_OP_##NAME < ARES_OP_SLOTS, "ARES_OP_" #NAME " is past ARES_OP_SLOTS"); \
	_Static_assert(sizeof(type) % ARES_CMD_ALIGN == 0, #type " is not a multiple of 8 bytes");
ARES_OP_TABLE(ARES_OP_CHECK_)

#define ARES_V1_OP_ROW_(NAME, name, type, engine, tiling)                                          \
	[ARES_OP_##NAME] = {#NAME, sizeof(type), (engine), (tiling), 0,                            \
			    (const struct ares_operand *)0},
#define ARES_TENSOR_OP_ROW_(NAME, name, type, engine, tiling)                                      \
	[ARES_OP_##NAME] = {#NAME, sizeof(type), (engine), (tiling),                               \
			    sizeof(ares_operands_##name) / sizeof(struct ares_operand) - 1,        \
			    ares_operands_##name},

/* Indexed by opcode; a row with a NULL name is no opcode. */
static const struct ares_op_info ares_op_table[ARES_OP_SLOTS] = {
	ARES_V1_OP_TABLE(ARES_V1_OP_ROW_) ARES_TENSOR_OP_TABLE(ARES_TENSOR_OP_ROW_)};

/* The row of @opcode, or NULL for an opcode the device does not know. */
static inline const struct ares_op_info *ares_op_info(__u32 opcode)
{
	if (opcode >= ARES_OP_SLOTS || !ares_op_table[opcode].name)
		return (const struct ares_op_info *)0;
	return &ares_op_table[opcode];
}

/* Operand @i of the tensor command @cmd. */
static inline const struct ares_tensor_desc *
ares_operand_desc(const void *cmd, const struct ares_op_info *op, __u32 i)
{
	return (const struct ares_tensor_desc *)((const char *)cmd + op->operands[i].offset);
}

/* ----------------------------------------------------- dtypes (§12.1 rule 1) */

/* Element size of an ARES_DTYPE_*, 0 for NONE or an unknown dtype. */
static inline __u32 ares_dtype_size(__u32 dtype)
{
	switch (dtype) {
	case ARES_DTYPE_I8:
	case ARES_DTYPE_U8:
	case ARES_DTYPE_BOOL:
		return 1;
	case ARES_DTYPE_F16:
	case ARES_DTYPE_BF16:
		return 2;
	case ARES_DTYPE_F32:
	case ARES_DTYPE_I32:
		return 4;
	case ARES_DTYPE_I64:
		return 8;
	default:
		return 0;
	}
}

/* "float" of hw-spec §12: F32, F16, BF16. */
static inline int ares_dtype_is_float(__u32 dt)
{
	return dt == ARES_DTYPE_F32 || dt == ARES_DTYPE_F16 || dt == ARES_DTYPE_BF16;
}

/* "quantised" of hw-spec §12: the dtypes that may carry quantisation. */
static inline int ares_dtype_is_quant(__u32 dt)
{
	return dt == ARES_DTYPE_I8 || dt == ARES_DTYPE_U8;
}

static inline int ares_dtype_is_wide_int(__u32 dt)
{
	return dt == ARES_DTYPE_I32 || dt == ARES_DTYPE_I64;
}

/* A binary32 bit pattern that is finite and > 0 (no FPU needed). */
static inline int ares_f32_positive(__u32 bits)
{
	return !(bits & 0x80000000u) && (bits & 0x7f800000u) != 0x7f800000u && bits;
}

/* A zero point inside the range of the quantised dtype @dt. */
static inline int ares_zero_point_ok(__u32 dt, __s32 zp)
{
	return dt == ARES_DTYPE_I8 ? zp >= -128 && zp <= 127 : zp >= 0 && zp <= 255;
}

/* --------------------------------------------- descriptor rules (§12.1) */

#define ARES_VA_LIMIT_ (1ull << ARES_VA_BITS)

static inline int ares_zero_bytes_(const void *p, __u32 n)
{
	const __u8 *b = (const __u8 *)p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/*
 * What a descriptor says about itself without any arithmetic on its
 * extent: rule 1 (dtype), rule 2 (rank, entries past it zero), rule 4
 * (alignment) and a known quant kind. This is all a command builder
 * checks; the device checks the rest.
 */
static inline int ares_desc_layout_ok(const struct ares_tensor_desc *t)
{
	__u32 es = ares_dtype_size(t->dtype), k;

	if (!es || t->rank > ARES_MAX_RANK || t->va % es || t->quant > ARES_QUANT_PER_CHANNEL)
		return 0;
	for (k = t->rank; k < ARES_MAX_RANK; k++)
		if (t->shape[k] || t->stride[k])
			return 0;
	return 1;
}

/*
 * Rules 3 and 5 on a descriptor that passed ares_desc_layout_ok: bounded
 * dimensions and element count, and the byte extent from va inside the VA
 * space. *@bytes is the extent, 0 for an empty view.
 */
static inline int ares_desc_extent(const struct ares_tensor_desc *t, __u64 *bytes)
{
	__u64 es = ares_dtype_size(t->dtype), elems = 1, last = 0, term;
	int empty = 0;
	__u32 k;

	*bytes = 0;
	for (k = 0; k < t->rank; k++) {
		if (t->shape[k] >= ARES_MAX_DIM)
			return 0;
		if (!t->shape[k])
			empty = 1;
	}
	if (empty)
		return 1;
	/* Broadcast strides make huge views cheap to describe; bound their work. */
	for (k = 0; k < t->rank; k++)
		if (__builtin_mul_overflow(elems, t->shape[k], &elems) || elems > ARES_MAX_ELEMS)
			return 0;
	for (k = 0; k < t->rank; k++)
		if (__builtin_mul_overflow(t->shape[k] - 1, t->stride[k], &term) ||
		    __builtin_mul_overflow(term, es, &term) ||
		    __builtin_add_overflow(last, term, &last))
			return 0;
	if (last >= ARES_VA_LIMIT_ || t->va >= ARES_VA_LIMIT_ || ARES_VA_LIMIT_ - t->va < last + es)
		return 0;
	*bytes = last + es;
	return 1;
}

/* Rule 6 on a descriptor that passed ares_desc_layout_ok. */
static inline int ares_desc_quant_ok(const struct ares_tensor_desc *t)
{
	switch (t->quant) {
	case ARES_QUANT_NONE:
		return !t->scale && !t->zero_point && !t->quant_axis && !t->qparams_va;
	case ARES_QUANT_PER_TENSOR:
		return ares_dtype_is_quant(t->dtype) && !t->quant_axis && !t->qparams_va &&
		       ares_f32_positive(t->scale) &&
		       ares_zero_point_ok(t->dtype, (__s32)t->zero_point);
	case ARES_QUANT_PER_CHANNEL:
		return ares_dtype_is_quant(t->dtype) && t->quant_axis < t->rank && !t->scale &&
		       !t->zero_point && !(t->qparams_va % 4) && t->qparams_va < ARES_VA_LIMIT_ &&
		       ARES_VA_LIMIT_ - t->qparams_va >= 8 * t->shape[t->quant_axis];
	default:
		return 0;
	}
}

/**
 * ares_desc_check - every rule of hw-spec §12.1 on one operand
 * @t: the descriptor
 * @optional: the operand may be absent (dtype NONE, then all zero)
 * @bytes: out: the byte extent from t->va, 0 when absent or empty
 *
 * Returns 1 when the descriptor is valid.
 */
static inline int ares_desc_check(const struct ares_tensor_desc *t, int optional, __u64 *bytes)
{
	*bytes = 0;
	if (t->dtype == ARES_DTYPE_NONE)
		return optional && ares_zero_bytes_(t, sizeof(*t));
	return ares_desc_layout_ok(t) && ares_desc_extent(t, bytes) && ares_desc_quant_ok(t);
}

#endif /* ARES_OP_TABLE_H */
