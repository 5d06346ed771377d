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
 * The tensor opcodes' facts are written in ops.h next to their command
 * structs (ARES_TENSOR_OP_TABLE, ARES_OPERANDS_<NAME>); this header adds
 * the v1 commands' rows and turns both into the table below.
 *
 * Consumers build their per-opcode tables from ARES_OP_TABLE or
 * ARES_TENSOR_OP_TABLE with a naming convention (the firmware's
 * fw_check_<name>, the emulator's compute_cmd_<name>, libaccel's
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

/*
 * The v1 commands, which carry no tensor descriptors, in the row shape of
 * ARES_TENSOR_OP_TABLE (ops.h):
 *   X(NAME, name, opcode, command struct, engine, ARES_TILE_NONE)
 * Their opcodes ARES_OP_<NAME> stay #defines in cmd.h, which the kernel
 * driver reads alone; accel_cmdbuf_<name> is the builder.
 * NOP's struct is the bare header: any multiple of 8 bytes is a NOP.
 */
#define ARES_V1_OP_TABLE(X)                                                                        \
	X(NOP, nop, ARES_OP_NOP, struct ares_cmd_hdr, ARES_ENGINE_CP, ARES_TILE_NONE)              \
	X(FENCE_WRITE, fence_write, ARES_OP_FENCE_WRITE, struct ares_cmd_fence_write,              \
	  ARES_ENGINE_CP, ARES_TILE_NONE)                                                          \
	X(TIMESTAMP, timestamp, ARES_OP_TIMESTAMP, struct ares_cmd_timestamp, ARES_ENGINE_CP,      \
	  ARES_TILE_NONE)                                                                          \
	X(DMA_COPY, dma_copy, ARES_OP_DMA_COPY, struct ares_cmd_dma_copy, ARES_ENGINE_DMA,         \
	  ARES_TILE_NONE)                                                                          \
	X(FILL, fill, ARES_OP_FILL, struct ares_cmd_fill, ARES_ENGINE_DMA, ARES_TILE_NONE)         \
	X(GEMM, gemm, ARES_OP_GEMM, struct ares_cmd_gemm, ARES_ENGINE_TENSOR, ARES_TILE_NONE)      \
	X(PROFILE, profile, ARES_OP_PROFILE, struct ares_cmd_profile, ARES_ENGINE_CP,              \
	  ARES_TILE_NONE)

/* Every opcode, with one shape of row: X(NAME, name, opcode, command struct, engine, tiling). */
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
#define ARES_OPERAND_ARRAY_(NAME, name, code, type, engine, tiling)                                \
	static const struct ares_operand ares_operands_##name[] = {                                \
		ARES_OPERANDS_##NAME(ARES_OPERAND_ROW_, type) {(const char *)0, 0, 0}              \
	};                                                                                         \
	_Static_assert(sizeof(ares_operands_##name) / sizeof(struct ares_operand) - 1 <=           \
			       ARES_MAX_OPERANDS,                                                  \
		       #NAME " has more than ARES_MAX_OPERANDS operands");
ARES_TENSOR_OP_TABLE(ARES_OPERAND_ARRAY_)

#define ARES_OP_CHECK_(NAME, name, code, type, engine, tiling)                                     \
	_Static_assert((code) < ARES_OP_SLOTS, "ARES_OP_" #NAME " is past ARES_OP_SLOTS");         \
	_Static_assert(sizeof(type) % ARES_CMD_ALIGN == 0, #type " is not a multiple of 8 bytes");
ARES_OP_TABLE(ARES_OP_CHECK_)

#define ARES_V1_OP_ROW_(NAME, name, code, type, engine, tiling)                                    \
	[code] = {#NAME, sizeof(type), (engine), (tiling), 0, (const struct ares_operand *)0},
#define ARES_TENSOR_OP_ROW_(NAME, name, code, type, engine, tiling)                                \
	[code] = {#NAME,                                                                           \
		  sizeof(type),                                                                    \
		  (engine),                                                                        \
		  (tiling),                                                                        \
		  sizeof(ares_operands_##name) / sizeof(struct ares_operand) - 1,                  \
		  ares_operands_##name},

/*
 * Opcodes are unique: two rows with one opcode are duplicate case labels
 * here, a compile error in every program that includes this header.
 */
#define ARES_OP_CASE_(NAME, name, code, type, engine, tiling) case (code):
static inline int ares_opcode_in_table_(__u32 opcode)
{
	switch (opcode) {
		ARES_OP_TABLE(ARES_OP_CASE_)
		return 1;
	default:
		return 0;
	}
}

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
