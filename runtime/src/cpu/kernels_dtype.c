// SPDX-License-Identifier: MIT
/* Which CPU kernels take the element types added after the first kernel
 * set (int16, uint16, uint32, uint64, float16, bfloat16, and strings, whose
 * elements point at text a plain byte copy would share). Those kernels go
 * through the typed accessors of kernels.h (rt_get_d/rt_put_d widen
 * float16 and bfloat16 to double and round back to nearest even) or copy
 * bytes by element size; every other op refuses these types here, at
 * session creation when shape inference knows the types and before the
 * kernel runs otherwise, naming node, op and type. The original types
 * stay the kernels' own business. */
#include <string.h>

#include "cpu/kernels.h"

enum {
	T_I16 = 1 << 0,
	T_U16 = 1 << 1,
	T_U32 = 1 << 2,
	T_U64 = 1 << 3,
	T_F16 = 1 << 4,
	T_BF16 = 1 << 5,
	T_HALF = T_F16 | T_BF16,
	/* strings: only ops that copy them with their text or read it */
	T_STR = 1 << 6,
	/* through double: exact for these, not for uint64 past 2^53 */
	T_SMALL = T_I16 | T_U16 | T_U32,
	T_ALL = T_SMALL | T_U64 | T_HALF,
};

static int type_bit(int dtype)
{
	switch (dtype) {
	case ART_INT16:
		return T_I16;
	case ART_UINT16:
		return T_U16;
	case ART_UINT32:
		return T_U32;
	case ART_UINT64:
		return T_U64;
	case ART_FLOAT16:
		return T_F16;
	case ART_BFLOAT16:
		return T_BF16;
	case ART_STRING:
		return T_STR;
	default:
		return 0;
	}
}

static const struct {
	const char *op;
	int types;
} takes[] = {
	/* bytes moved by element size, or integers compared exactly */
	{"Identity", T_ALL | T_STR},
	{"StringNormalizer", T_STR},
	{"SequenceEmpty", T_ALL},
	{"SequenceConstruct", T_ALL | T_STR},
	{"SequenceInsert", T_ALL | T_STR},
	{"SequenceAt", T_ALL | T_STR},
	{"SequenceErase", T_ALL | T_STR},
	{"SequenceLength", T_ALL | T_STR},
	{"SplitToSequence", T_ALL},
	{"ConcatFromSequence", T_ALL},
	{"Reshape", T_ALL},
	{"Flatten", T_ALL},
	{"Squeeze", T_ALL},
	{"Unsqueeze", T_ALL},
	{"Transpose", T_ALL},
	{"Concat", T_ALL},
	{"Slice", T_ALL},
	{"Split", T_ALL},
	{"Gather", T_ALL},
	{"GatherElements", T_ALL},
	{"GatherND", T_ALL},
	{"Expand", T_ALL},
	{"Tile", T_ALL},
	{"Shape", T_ALL},
	{"Size", T_ALL},
	{"Where", T_ALL},
	{"Compress", T_ALL},
	{"DepthToSpace", T_ALL},
	{"SpaceToDepth", T_ALL},
	{"ReverseSequence", T_ALL},
	{"Trilu", T_ALL},
	{"Constant", T_ALL},
	{"ConstantOfShape", T_ALL},
	{"Pad", T_ALL},
	{"EyeLike", T_ALL},
	{"Cast", T_ALL | T_STR},
	{"CastLike", T_ALL | T_STR},
	{"Equal", T_ALL},
	{"Less", T_ALL},
	{"LessOrEqual", T_ALL},
	{"Greater", T_ALL},
	{"GreaterOrEqual", T_ALL},
	/* integer arithmetic in int64_t / uint64_t, floats in double */
	{"Add", T_ALL},
	{"Sub", T_ALL},
	{"Mul", T_ALL},
	{"Div", T_ALL},
	{"Mod", T_ALL},
	{"Pow", T_ALL},
	{"Max", T_ALL},
	{"Min", T_ALL},
	{"Sum", T_ALL},
	{"Mean", T_ALL},
	{"BitShift", T_U16 | T_U32 | T_U64},
	/* through double */
	{"Abs", T_SMALL | T_HALF},
	{"Neg", T_SMALL | T_HALF},
	{"Sign", T_SMALL | T_HALF},
	{"Clip", T_SMALL | T_HALF},
	{"ReduceSum", T_SMALL | T_HALF},
	{"ReduceMean", T_SMALL | T_HALF},
	{"ReduceMax", T_SMALL | T_HALF},
	{"ReduceMin", T_SMALL | T_HALF},
	{"ReduceProd", T_SMALL | T_HALF},
	{"Ceil", T_HALF},
	{"Floor", T_HALF},
	{"Round", T_HALF},
	{"Exp", T_HALF},
	{"Log", T_HALF},
	{"Sqrt", T_HALF},
	{"Reciprocal", T_HALF},
	{"Relu", T_HALF},
	{"Sigmoid", T_HALF},
	{"Tanh", T_HALF},
	{"IsNaN", T_HALF},
	{"IsInf", T_HALF},
};

static int op_takes(const char *op, int bit)
{
	for (size_t i = 0; i < sizeof(takes) / sizeof(takes[0]); i++)
		if (!strcmp(takes[i].op, op))
			return (takes[i].types & bit) != 0;
	return 0;
}

static int check_one(struct art_session *s, const struct rt_node *n, int dtype)
{
	int bit = type_bit(dtype);
	if (!bit || op_takes(n->proto->op_type, bit))
		return 0;
	return rt_err(s, -ENOTSUP,
		      "node '%s' (%s): element type %s not supported by the CPU kernel", n->name,
		      n->proto->op_type, rt_dtype_name(dtype));
}

int rt_kernel_check_dtypes(struct art_session *s, const struct rt_node *n, int inferred)
{
	for (int i = 0; i < n->nin; i++) {
		if (n->in[i] < 0)
			continue;
		const struct rt_value *v = &s->vals[n->in[i]];
		/* Only the sequence ops and Identity read a sequence (If and
		 * Loop hand their subgraphs tensors). */
		if (v->seq && !rt_kernel_is_sequence_op(n->proto->op_type) &&
		    strcmp(n->proto->op_type, "Identity"))
			return rt_err(s, -ENOTSUP,
				      "node '%s' (%s): input '%s' is a sequence; the op takes "
				      "tensors",
				      n->name, n->proto->op_type, v->name);
		if (v->seq && v->seq->elem == ART_STRING &&
		    (!strcmp(n->proto->op_type, "ConcatFromSequence")))
			return rt_err(s, -ENOTSUP,
				      "node '%s' (%s): sequence '%s' holds strings, which the op "
				      "does not concatenate",
				      n->name, n->proto->op_type, v->name);
		int rc = check_one(s, n, v->t.data || !inferred ? v->t.dtype : v->info.dtype);
		if (rc)
			return rc;
	}
	for (int i = 0; inferred && i < n->nout; i++) {
		int rc = n->out[i] >= 0 ? check_one(s, n, s->vals[n->out[i]].info.dtype) : 0;
		if (rc)
			return rc;
	}
	return 0;
}
