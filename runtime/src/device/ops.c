// SPDX-License-Identifier: MIT
/*
 * The device table: one row per ONNX op the device runs, naming its form
 * (placement check, output shapes, commands, operands; device/op_*.c) and
 * the command's argument. Placement, planning and emission go through it
 * alone, so a new op is a row here and a form in its family's file.
 */
#include <string.h>

#include "device/common.h"

/* The forms, one per enum dev_kind, defined by the op files. */
extern const struct dev_form dev_form_conv;
extern const struct dev_form dev_form_convt;
extern const struct dev_form dev_form_pool;
extern const struct dev_form dev_form_gemm;
extern const struct dev_form dev_form_matmul;
extern const struct dev_form dev_form_unary;
extern const struct dev_form dev_form_binary;
extern const struct dev_form dev_form_variadic;
extern const struct dev_form dev_form_where;
extern const struct dev_form dev_form_cast;
extern const struct dev_form dev_form_clip;
extern const struct dev_form dev_form_reduce;
extern const struct dev_form dev_form_softmax;
extern const struct dev_form dev_form_batchnorm;
extern const struct dev_form dev_form_instnorm;
extern const struct dev_form dev_form_layernorm;
extern const struct dev_form dev_form_view;
extern const struct dev_form dev_form_resize;
extern const struct dev_form dev_form_transpose;
extern const struct dev_form dev_form_slice;
extern const struct dev_form dev_form_concat;
extern const struct dev_form dev_form_pad;
extern const struct dev_form dev_form_gather;
extern const struct dev_form dev_form_prelu;
extern const struct dev_form dev_form_qlinear_conv;
extern const struct dev_form dev_form_conv_integer;
extern const struct dev_form dev_form_qlinear_matmul;
extern const struct dev_form dev_form_matmul_integer;
extern const struct dev_form dev_form_qdq;
extern const struct dev_form dev_form_loss;
extern const struct dev_form dev_form_hardmax;
extern const struct dev_form dev_form_topk;
extern const struct dev_form dev_form_mvn;
extern const struct dev_form dev_form_lrn;

static const struct dev_op ops[] = {
	{"Abs", DK_UNARY, ARES_ELT_ABS, &dev_form_unary},
	{"Add", DK_BINARY, ARES_ELT_ADD, &dev_form_binary},
	{"And", DK_BINARY, ARES_ELT_AND, &dev_form_binary},
	{"ArgMax", DK_REDUCE, ARES_REDUCE_ARGMAX, &dev_form_reduce},
	{"ArgMin", DK_REDUCE, ARES_REDUCE_ARGMIN, &dev_form_reduce},
	{"AveragePool", DK_POOL, ARES_POOL_AVG, &dev_form_pool},
	{"BatchNormalization", DK_BATCHNORM, 0, &dev_form_batchnorm},
	{"Cast", DK_CAST, 0, &dev_form_cast},
	{"Ceil", DK_UNARY, ARES_ELT_CEIL, &dev_form_unary},
	{"Clip", DK_CLIP, 0, &dev_form_clip},
	{"Concat", DK_CONCAT, 0, &dev_form_concat},
	{"Conv", DK_CONV, 0, &dev_form_conv},
	{"ConvInteger", DK_QCONV, 0, &dev_form_conv_integer},
	{"ConvTranspose", DK_CONVT, 0, &dev_form_convt},
	{"DequantizeLinear", DK_QDQ, 0, &dev_form_qdq},
	{"Div", DK_BINARY, ARES_ELT_DIV, &dev_form_binary},
	{"Dropout", DK_VIEW, 0, &dev_form_view},
	{"Equal", DK_BINARY, ARES_ELT_EQUAL, &dev_form_binary},
	{"Erf", DK_UNARY, ARES_ELT_ERF, &dev_form_unary},
	{"Exp", DK_UNARY, ARES_ELT_EXP, &dev_form_unary},
	{"Flatten", DK_VIEW, 0, &dev_form_view},
	{"Floor", DK_UNARY, ARES_ELT_FLOOR, &dev_form_unary},
	{"Gather", DK_GATHER, 0, &dev_form_gather},
	{"Gelu", DK_UNARY, ARES_ELT_GELU, &dev_form_unary},
	{"Gemm", DK_GEMM, 0, &dev_form_gemm},
	{"GlobalAveragePool", DK_POOL, ARES_POOL_AVG | DEV_POOL_GLOBAL, &dev_form_pool},
	{"GlobalMaxPool", DK_POOL, ARES_POOL_MAX | DEV_POOL_GLOBAL, &dev_form_pool},
	{"Greater", DK_BINARY, ARES_ELT_GREATER, &dev_form_binary},
	{"GreaterOrEqual", DK_BINARY, ARES_ELT_GREATER_EQUAL, &dev_form_binary},
	{"HardSigmoid", DK_UNARY, ARES_ELT_HARD_SIGMOID, &dev_form_unary},
	{"HardSwish", DK_UNARY, ARES_ELT_HARD_SWISH, &dev_form_unary},
	{"Identity", DK_VIEW, 0, &dev_form_view},
	{"InstanceNormalization", DK_INSTNORM, 0, &dev_form_instnorm},
	{"LayerNormalization", DK_LAYERNORM, 0, &dev_form_layernorm},
	{"LeakyRelu", DK_UNARY, ARES_ELT_LEAKY_RELU, &dev_form_unary},
	{"Less", DK_BINARY, ARES_ELT_LESS, &dev_form_binary},
	{"LessOrEqual", DK_BINARY, ARES_ELT_LESS_EQUAL, &dev_form_binary},
	{"Log", DK_UNARY, ARES_ELT_LOG, &dev_form_unary},
	{"LogSoftmax", DK_SOFTMAX, ARES_SOFTMAX_LOG, &dev_form_softmax},
	{"MatMul", DK_MATMUL, 0, &dev_form_matmul},
	{"MatMulInteger", DK_QMATMUL, 0, &dev_form_matmul_integer},
	{"Max", DK_VARIADIC, ARES_ELT_MAX, &dev_form_variadic},
	{"MaxPool", DK_POOL, ARES_POOL_MAX, &dev_form_pool},
	{"Min", DK_VARIADIC, ARES_ELT_MIN, &dev_form_variadic},
	{"Mod", DK_BINARY, ARES_ELT_MOD, &dev_form_binary},
	{"Mul", DK_BINARY, ARES_ELT_MUL, &dev_form_binary},
	{"Neg", DK_UNARY, ARES_ELT_NEG, &dev_form_unary},
	{"Not", DK_UNARY, ARES_ELT_NOT, &dev_form_unary},
	{"Or", DK_BINARY, ARES_ELT_OR, &dev_form_binary},
	{"Pad", DK_PAD, 0, &dev_form_pad},
	{"PRelu", DK_PRELU, 0, &dev_form_prelu},
	{"Pow", DK_BINARY, ARES_ELT_POW, &dev_form_binary},
	{"QLinearConv", DK_QCONV, 0, &dev_form_qlinear_conv},
	{"QLinearMatMul", DK_QMATMUL, 0, &dev_form_qlinear_matmul},
	{"QuantizeLinear", DK_QDQ, 0, &dev_form_qdq},
	{"Reciprocal", DK_UNARY, ARES_ELT_RECIPROCAL, &dev_form_unary},
	{"ReduceL1", DK_REDUCE, ARES_REDUCE_L1, &dev_form_reduce},
	{"ReduceL2", DK_REDUCE, ARES_REDUCE_L2, &dev_form_reduce},
	{"ReduceLogSum", DK_REDUCE, ARES_REDUCE_LOG_SUM, &dev_form_reduce},
	{"ReduceLogSumExp", DK_REDUCE, ARES_REDUCE_LOG_SUM_EXP, &dev_form_reduce},
	{"ReduceMax", DK_REDUCE, ARES_REDUCE_MAX, &dev_form_reduce},
	{"ReduceMean", DK_REDUCE, ARES_REDUCE_MEAN, &dev_form_reduce},
	{"ReduceMin", DK_REDUCE, ARES_REDUCE_MIN, &dev_form_reduce},
	{"ReduceProd", DK_REDUCE, ARES_REDUCE_PROD, &dev_form_reduce},
	{"ReduceSum", DK_REDUCE, ARES_REDUCE_SUM, &dev_form_reduce},
	{"ReduceSumSquare", DK_REDUCE, ARES_REDUCE_SUM_SQUARE, &dev_form_reduce},
	{"Relu", DK_UNARY, ARES_ELT_RELU, &dev_form_unary},
	{"Reshape", DK_VIEW, 0, &dev_form_view},
	{"Resize", DK_RESIZE, 0, &dev_form_resize},
	{"Round", DK_UNARY, ARES_ELT_ROUND, &dev_form_unary},
	{"Sigmoid", DK_UNARY, ARES_ELT_SIGMOID, &dev_form_unary},
	{"Slice", DK_SLICE, 0, &dev_form_slice},
	{"Softmax", DK_SOFTMAX, 0, &dev_form_softmax},
	{"Sqrt", DK_UNARY, ARES_ELT_SQRT, &dev_form_unary},
	{"Squeeze", DK_VIEW, 0, &dev_form_view},
	{"Sub", DK_BINARY, ARES_ELT_SUB, &dev_form_binary},
	{"Sum", DK_VARIADIC, ARES_ELT_ADD, &dev_form_variadic},
	{"Tanh", DK_UNARY, ARES_ELT_TANH, &dev_form_unary},
	{"Transpose", DK_TRANSPOSE, 0, &dev_form_transpose},
	{"Unsqueeze", DK_VIEW, 0, &dev_form_view},
	{"Where", DK_WHERE, 0, &dev_form_where},
	{"Xor", DK_BINARY, ARES_ELT_XOR, &dev_form_binary},
	{"NegativeLogLikelihoodLoss", DK_LOSS, 0, &dev_form_loss},
	{"SoftmaxCrossEntropyLoss", DK_LOSS, 0, &dev_form_loss},
	{"Hardmax", DK_HARDMAX, 0, &dev_form_hardmax},
	{"TopK", DK_TOPK, 0, &dev_form_topk},
	{"MeanVarianceNormalization", DK_MVN, 0, &dev_form_mvn},
	{"LRN", DK_LRN, 0, &dev_form_lrn},
};

const struct dev_op *dev_op_lookup(const char *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, op))
			return &ops[i];
	return NULL;
}

unsigned dev_operand_mask(const struct rt_node *n)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	return d ? d->form->operands : 0;
}

uint64_t dev_node_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	return n->on_device && d && d->form->consts ? d->form->consts(s, n, dst) : 0;
}
