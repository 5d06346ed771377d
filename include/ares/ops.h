/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 compute and tensor-DMA commands. Each command is a header, a
 * parameter block (also what sim's kernels take) and tensor descriptors
 * (include/ares/tensor.h). Semantics follow the ONNX operators named in
 * each comment; docs/hw-spec.md §12 gives the validation rules and which
 * dtype combinations each engine accepts. All f32 parameters are stored as
 * IEEE-754 binary32 bit patterns. flags and reserved fields must be zero
 * unless a flag is defined for the command.
 */
#ifndef ARES_OPS_H
#define ARES_OPS_H

#include "types.h"
#include "cmd.h"
#include "tensor.h"

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
/* Ternary: three inputs. */
#define ARES_ELT_WHERE		64	/* in[0] BOOL condition ? in[1] : in[2] */

/**
 * struct ares_eltwise_params - an elementwise operation
 * @op: ARES_ELT_*
 * @reserved0: zero
 * @alpha: @beta: operation parameters
 */
struct ares_eltwise_params {
	__le32 op;
	__le32 reserved0;
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

/* ---------------------------------------------------------------- RESIZE */

#define ARES_RESIZE_NEAREST		0
#define ARES_RESIZE_LINEAR		1	/* separable along every resized axis */

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
 * @reserved0: zero
 * @scale: per-dimension f32 scale used in the coordinate transform; 0
 *	means y.shape / x.shape
 * @reserved: zero
 */
struct ares_resize_params {
	__le32 mode;
	__le32 coord;
	__le32 nearest;
	__le32 reserved0;
	__le32 scale[ARES_MAX_RANK];
	__le64 reserved;
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
