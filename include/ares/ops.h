/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 compute and tensor-DMA commands. Each command is a header, a
 * parameter block (also what sim's kernels take) and tensor descriptors
 * (include/ares/tensor.h). Semantics follow the ONNX operators named in
 * each comment; docs/hw-spec.md §12 gives the validation rules and which
 * dtype combinations each engine accepts. All f32 parameters are stored as
 * IEEE-754 binary32 bit patterns. flags and reserved fields must be zero
 * unless a flag is defined for the command.
 *
 * Everything the programs need to know of a tensor opcode is here: its
 * row of ARES_TENSOR_OP_TABLE (opcode, struct, engine, tiling), its struct
 * and its operand list.
 */
#ifndef ARES_OPS_H
#define ARES_OPS_H

#include "types.h"
#include "cmd.h"
#include "tensor.h"

/* ------------------------------------------------------------ the table */

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
 * The tensor commands (hw-spec §12), whose operands are descriptors, one
 * row each:
 *   X(NAME, name, opcode, command struct, engine, tiling class)
 * Opcodes are append-only, below ARES_OP_SLOTS (op_table.h) and unique
 * (op_table.h fails to compile otherwise); enum ares_tensor_opcode below
 * names them ARES_OP_<NAME>. ARES_OPERANDS_<NAME>(O, T), next to each
 * command's struct, lists its descriptors as O(T, field, roles), inputs
 * first, outputs last. include/ares/op_table.h turns this into the table
 * every program reads; docs/extending.md walks through adding a row.
 */
#define ARES_TENSOR_OP_TABLE(X)                                                                    \
	X(CONV2D, conv2d, 0x0020, struct ares_cmd_conv2d, ARES_ENGINE_TENSOR, ARES_TILE_ROWS)      \
	X(MATMUL, matmul, 0x0021, struct ares_cmd_matmul, ARES_ENGINE_TENSOR, ARES_TILE_MATMUL)    \
	X(ELTWISE, eltwise, 0x0030, struct ares_cmd_eltwise, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)   \
	X(POOL, pool, 0x0031, struct ares_cmd_pool, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)            \
	X(REDUCE, reduce, 0x0032, struct ares_cmd_reduce, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)      \
	X(SOFTMAX, softmax, 0x0033, struct ares_cmd_softmax, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)   \
	X(NORM, norm, 0x0034, struct ares_cmd_norm, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)            \
	X(RESIZE, resize, 0x0035, struct ares_cmd_resize, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)      \
	X(COPY, copy, 0x0040, struct ares_cmd_copy, ARES_ENGINE_DMA, ARES_TILE_ROWS)               \
	X(PAD, pad, 0x0041, struct ares_cmd_pad, ARES_ENGINE_DMA, ARES_TILE_ROWS)                  \
	X(GATHER, gather, 0x0042, struct ares_cmd_gather, ARES_ENGINE_DMA, ARES_TILE_ROWS)         \
	X(FILL_TENSOR, fill_tensor, 0x0043, struct ares_cmd_fill_tensor, ARES_ENGINE_DMA,          \
	  ARES_TILE_ROWS)                                                                          \
	X(PRELU, prelu, 0x0036, struct ares_cmd_prelu, ARES_ENGINE_VECTOR, ARES_TILE_ROWS)

#define ARES_TENSOR_OPCODE_(NAME, name, code, type, engine, tiling) ARES_OP_##NAME = (code),
/* The tensor opcodes, from the table (the v1 opcodes are in cmd.h). */
enum ares_tensor_opcode { ARES_TENSOR_OP_TABLE(ARES_TENSOR_OPCODE_) };

/* ---------------------------------------------------------------- CONV2D */

/**
 * struct ares_conv2d_params - Conv / QLinearConv / ConvInteger, 2-D, NCHW
 * @stride_h: @stride_w: window step, >= 1
 * @pad_top: @pad_left: @pad_bottom: @pad_right: implicit zero padding
 *	(the input zero point for quantised inputs)
 * @dilation_h: @dilation_w: >= 1
 * @groups: >= 1, divides C and M (groups == C == M is depthwise)
 * @activation: ARES_ACT_* applied to the f32 result before requantisation
 * @act_alpha: @act_beta: activation parameters
 * @reserved: zero
 */
struct ares_conv2d_params {
	__le32 stride_h;
	__le32 stride_w;
	__le32 pad_top;
	__le32 pad_left;
	__le32 pad_bottom;
	__le32 pad_right;
	__le32 dilation_h;
	__le32 dilation_w;
	__le32 groups;
	__le32 activation;
	__le32 act_alpha;
	__le32 act_beta;
	__le32 reserved[4];
};

ARES_ASSERT_SIZE(struct ares_conv2d_params, 64);

/**
 * struct ares_cmd_conv2d - y = act(conv(x, w) + b)
 * @hdr: opcode ARES_OP_CONV2D
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input, rank 4 [N, C, H, W]
 * @w: weights, rank 4 [M, C / groups, kH, kW]
 * @b: bias, rank 1 [M], or dtype NONE
 * @y: output, rank 4 [N, M, oH, oW] with
 *	oH = (H + pad_top + pad_bottom - dilation_h * (kH - 1) - 1) / stride_h + 1
 *
 * Float: x, w, y in F32/F16/BF16 (accumulation in f32), b F32.
 * Quantised: x, w I8/U8 (w may be PER_CHANNEL along axis 0), b I32 in
 * units of x.scale * w.scale, y I8/U8 (requantised, QLinearConv) or I32
 * (raw accumulator with zero points subtracted, ConvInteger).
 */
struct ares_cmd_conv2d {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_conv2d_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc w;
	struct ares_tensor_desc b;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_conv2d, 592);

#define ARES_OPERANDS_CONV2D(O, T)                                                                 \
	O(T, x, ARES_OPND_IN)                                                                      \
	O(T, w, ARES_OPND_IN | ARES_OPND_WHOLE)                                                    \
	O(T, b, ARES_OPND_IN | ARES_OPND_OPTIONAL | ARES_OPND_WHOLE)                               \
	O(T, y, ARES_OPND_OUT)

/* ---------------------------------------------------------------- MATMUL */

#define ARES_MATMUL_TRANS_A	(1u << 0)	/* a holds [..., K, M] */
#define ARES_MATMUL_TRANS_B	(1u << 1)	/* b holds [..., N, K] */

/**
 * struct ares_matmul_params - MatMul / Gemm / QLinearMatMul / MatMulInteger
 * @flags: ARES_MATMUL_*
 * @activation: ARES_ACT_* on the f32 result
 * @alpha: scale of the product
 * @beta: scale of @c
 * @act_alpha: @act_beta: activation parameters
 * @reserved: zero
 */
struct ares_matmul_params {
	__le32 flags;
	__le32 activation;
	__le32 alpha;
	__le32 beta;
	__le32 act_alpha;
	__le32 act_beta;
	__le32 reserved[2];
};

ARES_ASSERT_SIZE(struct ares_matmul_params, 32);

/**
 * struct ares_cmd_matmul - y = act(alpha * op(a) . op(b) + beta * c)
 * @hdr: opcode ARES_OP_MATMUL
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @a: [B..., M, K], rank 2..6
 * @b: [B..., K, N], same rank as @a
 * @c: same rank and shape as @y (stride 0 to broadcast), or dtype NONE
 * @y: [B..., M, N]; batch dimensions of @a and @b equal @y's, with stride
 *	0 where an operand is broadcast
 *
 * Float: a, b F32/F16/BF16, c F32, y F32/F16/BF16, f32 accumulation.
 * Quantised: a, b I8/U8 (b may be PER_CHANNEL along its N axis), y I32
 * (MatMulInteger) or I8/U8 with quant (QLinearMatMul); c must be NONE.
 */
struct ares_cmd_matmul {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_matmul_params p;
	struct ares_tensor_desc a;
	struct ares_tensor_desc b;
	struct ares_tensor_desc c;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_matmul, 560);

#define ARES_OPERANDS_MATMUL(O, T)                                                                 \
	O(T, a, ARES_OPND_IN)                                                                      \
	O(T, b, ARES_OPND_IN)                                                                      \
	O(T, c, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                                 \
	O(T, y, ARES_OPND_OUT)

/* --------------------------------------------------------------- ELTWISE */

/* Unary: one input. */
#define ARES_ELT_COPY		0	/* also converts dtype: Cast, (De)QuantizeLinear */
#define ARES_ELT_RELU		1
#define ARES_ELT_LEAKY_RELU	2	/* alpha */
#define ARES_ELT_CLIP		3	/* alpha = min, beta = max */
#define ARES_ELT_SIGMOID	4
#define ARES_ELT_HARD_SIGMOID	5	/* alpha, beta */
#define ARES_ELT_HARD_SWISH	6
#define ARES_ELT_TANH		7
#define ARES_ELT_GELU		8
#define ARES_ELT_ERF		9
#define ARES_ELT_EXP		10
#define ARES_ELT_LOG		11
#define ARES_ELT_SQRT		12
#define ARES_ELT_RECIPROCAL	13
#define ARES_ELT_NEG		14
#define ARES_ELT_ABS		15
#define ARES_ELT_FLOOR		16
#define ARES_ELT_CEIL		17
#define ARES_ELT_ROUND		18	/* half to even */
#define ARES_ELT_NOT		19	/* BOOL only */
#define ARES_ELT_SIN		20
#define ARES_ELT_COS		21
#define ARES_ELT_TAN		22
#define ARES_ELT_ASIN		23
#define ARES_ELT_ACOS		24
#define ARES_ELT_ATAN		25
#define ARES_ELT_SINH		26
#define ARES_ELT_COSH		27
#define ARES_ELT_ASINH		28
#define ARES_ELT_ACOSH		29
#define ARES_ELT_ATANH		30
#define ARES_ELT_SIGN		31	/* -1, 0 or 1; NaN stays NaN */
/* Binary: two inputs. */
#define ARES_ELT_ADD		32
#define ARES_ELT_SUB		33
#define ARES_ELT_MUL		34
#define ARES_ELT_DIV		35	/* integer: truncates toward zero; /0 is an error */
#define ARES_ELT_POW		36
#define ARES_ELT_MAX		37
#define ARES_ELT_MIN		38
#define ARES_ELT_EQUAL		39	/* output BOOL */
#define ARES_ELT_LESS		40	/* output BOOL */
#define ARES_ELT_GREATER	41	/* output BOOL */
#define ARES_ELT_LESS_EQUAL	42	/* output BOOL */
#define ARES_ELT_GREATER_EQUAL	43	/* output BOOL */
#define ARES_ELT_AND		44	/* BOOL */
#define ARES_ELT_OR		45	/* BOOL */
#define ARES_ELT_XOR		46	/* BOOL */
#define ARES_ELT_MOD		47	/* integer: sign of divisor (Mod fmod=0) */
#define ARES_ELT_FMOD		48	/* sign of dividend (Mod fmod=1) */
#define ARES_ELT_SHL		49	/* U8: in[0] << in[1]; 0 once in[1] >= 8 */
#define ARES_ELT_SHR		50	/* U8: in[0] >> in[1]; 0 once in[1] >= 8 */
/* Ternary: three inputs. */
#define ARES_ELT_WHERE		64	/* in[0] BOOL condition ? in[1] : in[2] */
/* Unary, second block (96-127; 0-31 is full, ternary ops stay below 96). */
#define ARES_ELT_ELU		96	/* beta * (x > 0 ? x : alpha (e^x - 1)): Elu, Selu */
#define ARES_ELT_CELU		97	/* max(0, x) + min(0, alpha (e^(x/alpha) - 1)) */
#define ARES_ELT_THRESHOLDED_RELU 98	/* x > alpha ? x : 0 */
#define ARES_ELT_SOFTSIGN	99	/* x / (1 + |x|) */
#define ARES_ELT_SOFTPLUS	100	/* log(e^x + 1) */
#define ARES_ELT_SHRINK		101	/* alpha = lambd, beta = bias */
#define ARES_ELT_AFFINE		102	/* alpha x + beta */
#define ARES_ELT_ISINF		103	/* out BOOL; +inf if alpha != 0, -inf if beta != 0 */
#define ARES_ELT_ISNAN		104	/* out BOOL */

/*
 * ADD, SUB, MUL, DIV on unquantised I8/U8: integer arithmetic wrapping
 * modulo 256 (DIV truncates; /0 is an error), as ONNX's uint8/int8
 * arithmetic is, instead of f32 arithmetic that rounds and saturates.
 */
#define ARES_ELT_F_WRAP		0x1

/**
 * struct ares_eltwise_params - an elementwise operation
 * @op: ARES_ELT_*
 * @flags: ARES_ELT_F_*
 * @alpha: @beta: operation parameters
 */
struct ares_eltwise_params {
	__le32 op;
	__le32 flags;
	__le32 alpha;
	__le32 beta;
};

ARES_ASSERT_SIZE(struct ares_eltwise_params, 16);

/**
 * struct ares_cmd_eltwise - out[i] = op(in[0][i], ...)
 * @hdr: opcode ARES_OP_ELTWISE
 * @flags: zero
 * @num_inputs: 1, 2 or 3, as the op requires
 * @p: parameters
 * @in: inputs, each with @out's rank and shape (stride 0 broadcasts);
 *	unused ones dtype NONE
 * @out: output
 *
 * Arithmetic runs in f32 for F32/F16/BF16 and in the integer type for
 * I32/I64 (I8/U8 arithmetic dequantises, computes in f32 and requantises).
 * Inputs share one dtype (except WHERE's condition); comparisons write
 * BOOL. COPY converts between any two dtypes: float to integer rounds
 * half to even and saturates; a quantised input is dequantised and a
 * quantised output quantised.
 */
struct ares_cmd_eltwise {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 num_inputs;
	struct ares_eltwise_params p;
	struct ares_tensor_desc in[3];
	struct ares_tensor_desc out;
};

ARES_ASSERT_SIZE(struct ares_cmd_eltwise, 544);

#define ARES_OPERANDS_ELTWISE(O, T)                                                                \
	O(T, in[0], ARES_OPND_IN)                                                                  \
	O(T, in[1], ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, in[2], ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, out, ARES_OPND_OUT)

/* ------------------------------------------------------------------ POOL */

#define ARES_POOL_MAX		0
#define ARES_POOL_AVG		1	/* divisor: window cells inside the input */
#define ARES_POOL_AVG_PAD	2	/* divisor: window cells inside the padded input */

/**
 * struct ares_pool_params - MaxPool / AveragePool / Global*Pool, NCHW
 * @op: ARES_POOL_*
 * @kernel_h: @kernel_w: window, >= 1 (global pooling: H and W)
 * @stride_h: @stride_w: >= 1
 * @pad_top: @pad_left: @pad_bottom: @pad_right: padding
 * @dilation_h: @dilation_w: >= 1
 * @reserved: zero
 *
 * The output size comes from @y; ceil mode is a @y one larger than floor
 * mode gives, whose last windows may reach past the padded input (cells
 * outside it are ignored, also by AVG_PAD's divisor).
 */
struct ares_pool_params {
	__le32 op;
	__le32 kernel_h;
	__le32 kernel_w;
	__le32 stride_h;
	__le32 stride_w;
	__le32 pad_top;
	__le32 pad_left;
	__le32 pad_bottom;
	__le32 pad_right;
	__le32 dilation_h;
	__le32 dilation_w;
	__le32 reserved;
};

ARES_ASSERT_SIZE(struct ares_pool_params, 48);

/**
 * struct ares_cmd_pool - pooling over H and W of [N, C, H, W]
 * @hdr: opcode ARES_OP_POOL
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input, rank 4, F32/F16/BF16 (MAX also I8/U8)
 * @y: output, rank 4 [N, C, oH, oW], same dtype
 */
struct ares_cmd_pool {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_pool_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_pool, 320);

#define ARES_OPERANDS_POOL(O, T)    O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ---------------------------------------------------------------- REDUCE */

#define ARES_REDUCE_SUM		0
#define ARES_REDUCE_MEAN	1
#define ARES_REDUCE_MAX		2
#define ARES_REDUCE_MIN		3
#define ARES_REDUCE_PROD	4
#define ARES_REDUCE_L1		5
#define ARES_REDUCE_L2		6
#define ARES_REDUCE_SUM_SQUARE	7
#define ARES_REDUCE_LOG_SUM	8
#define ARES_REDUCE_LOG_SUM_EXP	9
#define ARES_REDUCE_ARGMAX	10	/* output I64; first occurrence */
#define ARES_REDUCE_ARGMIN	11	/* output I64; first occurrence */
#define ARES_REDUCE_ARGMAX_LAST	12	/* output I64; last occurrence */
#define ARES_REDUCE_ARGMIN_LAST	13	/* output I64; last occurrence */

/**
 * struct ares_reduce_params - Reduce* / ArgMax / ArgMin
 * @op: ARES_REDUCE_*
 * @axes: bit k set reduces dimension k (ARGMAX/ARGMIN and their _LAST
 *	forms: exactly one bit)
 * @reserved: zero
 */
struct ares_reduce_params {
	__le32 op;
	__le32 axes;
	__le64 reserved;
};

ARES_ASSERT_SIZE(struct ares_reduce_params, 16);

/**
 * struct ares_cmd_reduce - y = reduce(x) over the selected axes
 * @hdr: opcode ARES_OP_REDUCE
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input
 * @y: same rank as @x, reduced dimensions of size 1 (keepdims=0 is a
 *	reshape of @y left to software). Reducing an empty dimension gives
 *	the op's identity (SUM 0, PROD 1, MAX -inf, MIN +inf)
 */
struct ares_cmd_reduce {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_reduce_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_reduce, 288);

#define ARES_OPERANDS_REDUCE(O, T)  O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* --------------------------------------------------------------- SOFTMAX */

#define ARES_SOFTMAX_LOG	(1u << 0)	/* LogSoftmax */

/**
 * struct ares_softmax_params - Softmax / LogSoftmax along one axis
 * @axis: dimension, < rank
 * @flags: ARES_SOFTMAX_*
 */
struct ares_softmax_params {
	__le32 axis;
	__le32 flags;
};

ARES_ASSERT_SIZE(struct ares_softmax_params, 8);

/**
 * struct ares_cmd_softmax - y = softmax(x) along p.axis
 * @hdr: opcode ARES_OP_SOFTMAX
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input, F32/F16/BF16
 * @y: output, same shape and dtype
 */
struct ares_cmd_softmax {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_softmax_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_softmax, 280);

#define ARES_OPERANDS_SOFTMAX(O, T) O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ------------------------------------------------------------------ NORM */

#define ARES_NORM_LAYER		0	/* over dims [axis, rank) */
#define ARES_NORM_INSTANCE	1	/* over dims [2, rank) per (n, c) */
#define ARES_NORM_BATCH		2	/* inference: given mean and var */

/**
 * struct ares_norm_params - LayerNormalization / InstanceNormalization /
 *	BatchNormalization (inference)
 * @kind: ARES_NORM_*
 * @axis: LAYER: first normalised dimension
 * @epsilon: added to the variance
 * @activation: ARES_ACT_* applied after
 * @act_alpha: @act_beta: activation parameters
 * @reserved: zero
 */
struct ares_norm_params {
	__le32 kind;
	__le32 axis;
	__le32 epsilon;
	__le32 activation;
	__le32 act_alpha;
	__le32 act_beta;
	__le64 reserved;
};

ARES_ASSERT_SIZE(struct ares_norm_params, 32);

/**
 * struct ares_cmd_norm - y = act((x - mean) / sqrt(var + eps) * scale + bias)
 * @hdr: opcode ARES_OP_NORM
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input, F32/F16/BF16
 * @scale: @bias: F32 views with @x's rank and shape (stride 0 broadcasts);
 *	either may be NONE (1 and 0)
 * @mean: @var: BATCH only, F32 views like @scale; NONE otherwise
 * @y: output, same shape and dtype as @x
 */
struct ares_cmd_norm {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_norm_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc scale;
	struct ares_tensor_desc bias;
	struct ares_tensor_desc mean;
	struct ares_tensor_desc var;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_norm, 816);

#define ARES_OPERANDS_NORM(O, T)                                                                   \
	O(T, x, ARES_OPND_IN)                                                                      \
	O(T, scale, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                             \
	O(T, bias, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                              \
	O(T, mean, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                              \
	O(T, var, ARES_OPND_IN | ARES_OPND_OPTIONAL)                                               \
	O(T, y, ARES_OPND_OUT)

/* ---------------------------------------------------------------- RESIZE */

#define ARES_RESIZE_NEAREST		0
#define ARES_RESIZE_LINEAR		1	/* separable along every resized axis */
#define ARES_RESIZE_CUBIC		2	/* separable, four taps per resized axis */

#define ARES_COORD_HALF_PIXEL		0
#define ARES_COORD_ASYMMETRIC		1
#define ARES_COORD_ALIGN_CORNERS	2
#define ARES_COORD_PYTORCH_HALF_PIXEL	3
#define ARES_COORD_TF_HALF_PIXEL_FOR_NN	4

#define ARES_NEAREST_ROUND_PREFER_FLOOR	0
#define ARES_NEAREST_ROUND_PREFER_CEIL	1
#define ARES_NEAREST_FLOOR		2
#define ARES_NEAREST_CEIL		3

/**
 * struct ares_resize_params - Resize / Upsample
 * @mode: ARES_RESIZE_*
 * @coord: ARES_COORD_* (ONNX coordinate_transformation_mode)
 * @nearest: ARES_NEAREST_* (ONNX nearest_mode)
 * @cubic_a: CUBIC: the kernel's coefficient a (ONNX cubic_coeff_a), f32;
 *	otherwise zero
 * @scale: per-dimension f32 scale used in the coordinate transform; 0
 *	means y.shape / x.shape
 * @exclude_outside: CUBIC: 1 gives taps outside x weight 0 and
 *	renormalises the others (ONNX exclude_outside); otherwise zero
 * @reserved: zero
 */
struct ares_resize_params {
	__le32 mode;
	__le32 coord;
	__le32 nearest;
	__le32 cubic_a;
	__le32 scale[ARES_MAX_RANK];
	__le32 exclude_outside;
	__le32 reserved;
};

ARES_ASSERT_SIZE(struct ares_resize_params, 48);

/**
 * struct ares_cmd_resize - resample @x into @y (same rank)
 * @hdr: opcode ARES_OP_RESIZE
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: input, F32/F16/BF16 (NEAREST also any dtype)
 * @y: output, same dtype
 */
struct ares_cmd_resize {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_resize_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_resize, 320);

#define ARES_OPERANDS_RESIZE(O, T) O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ----------------------------------------------------------------- PRELU */

/**
 * struct ares_cmd_prelu - PRelu: y = x < 0 ? slope * x : x
 * @hdr: opcode ARES_OP_PRELU
 * @flags: zero
 * @reserved: zero
 * @x: input, F32/F16/BF16
 * @slope: x's dtype, rank and shape (stride 0 broadcasts, as ONNX's
 *	unidirectional broadcasting of the slope needs)
 * @y: output, x's dtype and shape
 */
struct ares_cmd_prelu {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_tensor_desc x;
	struct ares_tensor_desc slope;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_prelu, 400);

#define ARES_OPERANDS_PRELU(O, T)                                                                  \
	O(T, x, ARES_OPND_IN) O(T, slope, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ------------------------------------------------------------ DMA: COPY */

/**
 * struct ares_cmd_copy - strided copy: y[i] = x[i]
 * @hdr: opcode ARES_OP_COPY
 * @flags: zero
 * @reserved: zero
 * @x: source
 * @y: destination, same dtype, rank and shape. Transpose, slice,
 *	concatenation and split are all a choice of strides and offsets.
 *	Overlapping x and y is an error (ARES_JOB_INVALID_CMD) unless equal.
 */
struct ares_cmd_copy {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_copy, 272);

#define ARES_OPERANDS_COPY(O, T)   O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ------------------------------------------------------------- DMA: PAD */

#define ARES_PAD_CONSTANT	0
#define ARES_PAD_REFLECT	1
#define ARES_PAD_EDGE		2

/**
 * struct ares_pad_params - Pad
 * @mode: ARES_PAD_*
 * @reserved0: zero
 * @value: CONSTANT: the fill element, as the low bytes of @y's dtype
 * @begin: @end: elements added before and after each dimension
 *	(y.shape[k] = x.shape[k] + begin[k] + end[k]); REFLECT needs
 *	begin, end < x.shape
 */
struct ares_pad_params {
	__le32 mode;
	__le32 reserved0;
	__le64 value;
	__le32 begin[ARES_MAX_RANK];
	__le32 end[ARES_MAX_RANK];
};

ARES_ASSERT_SIZE(struct ares_pad_params, 64);

/**
 * struct ares_cmd_pad - y = pad(x)
 * @hdr: opcode ARES_OP_PAD
 * @flags: zero
 * @reserved: zero
 * @p: parameters
 * @x: source
 * @y: destination, same dtype and rank
 */
struct ares_cmd_pad {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	struct ares_pad_params p;
	struct ares_tensor_desc x;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_pad, 336);

#define ARES_OPERANDS_PAD(O, T)	   O(T, x, ARES_OPND_IN) O(T, y, ARES_OPND_OUT)

/* ---------------------------------------------------------- DMA: GATHER */

/**
 * struct ares_cmd_gather - Gather along @axis
 * @hdr: opcode ARES_OP_GATHER
 * @flags: zero
 * @axis: dimension of @data, < data.rank
 * @data: source
 * @indices: I32 or I64; negative values count from the end; an index out
 *	of range ends the job with ARES_JOB_INVALID_CMD
 * @y: data.shape[:axis] + indices.shape + data.shape[axis+1:], same dtype
 *	as @data, rank <= ARES_MAX_RANK
 */
struct ares_cmd_gather {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 axis;
	struct ares_tensor_desc data;
	struct ares_tensor_desc indices;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_gather, 400);

#define ARES_OPERANDS_GATHER(O, T)                                                                 \
	O(T, data, ARES_OPND_IN)                                                                   \
	O(T, indices, ARES_OPND_IN | ARES_OPND_WHOLE)                                              \
	O(T, y, ARES_OPND_OUT)

/* ----------------------------------------------------- DMA: FILL_TENSOR */

/**
 * struct ares_cmd_fill_tensor - every element of @y = @value
 * @hdr: opcode ARES_OP_FILL_TENSOR
 * @flags: zero
 * @reserved: zero
 * @value: the element, as the low bytes of @y's dtype
 * @y: destination
 */
struct ares_cmd_fill_tensor {
	struct ares_cmd_hdr hdr;
	__le32 flags;
	__le32 reserved;
	__le64 value;
	struct ares_tensor_desc y;
};

ARES_ASSERT_SIZE(struct ares_cmd_fill_tensor, 152);

#define ARES_OPERANDS_FILL_TENSOR(O, T) O(T, y, ARES_OPND_OUT)

/* --------------------------------------------------------------- PROFILE */

/**
 * struct ares_cmd_profile - write a struct ares_profile_record at @va
 * @hdr: opcode ARES_OP_PROFILE
 * @va: 8-byte aligned destination
 */
struct ares_cmd_profile {
	struct ares_cmd_hdr hdr;
	__le64 va;
};

ARES_ASSERT_SIZE(struct ares_cmd_profile, 16);

/**
 * struct ares_profile_record - what PROFILE writes
 * @now_ns: device clock (as TIMESTAMP)
 * @modeled_ns: modeled time of this job's commands so far
 */
struct ares_profile_record {
	__le64 now_ns;
	__le64 modeled_ns;
};

ARES_ASSERT_SIZE(struct ares_profile_record, 16);

#endif /* ARES_OPS_H */
