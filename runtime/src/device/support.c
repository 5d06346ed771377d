// SPDX-License-Identifier: MIT
/*
 * Placement: whether the device can run a node, from the rules of
 * docs/hw-spec.md §12 and what the emitter can express. Everything is
 * decided here, before any run, from the op, its attributes, its constant
 * inputs and the dtypes known at session creation, so a node the emitter
 * would have to refuse never reaches it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device/device.h"

static const struct dev_op ops[] = {
	{"Abs", DK_UNARY, ARES_ELT_ABS},
	{"Add", DK_BINARY, ARES_ELT_ADD},
	{"And", DK_BINARY, ARES_ELT_AND},
	{"ArgMax", DK_REDUCE, ARES_REDUCE_ARGMAX},
	{"ArgMin", DK_REDUCE, ARES_REDUCE_ARGMIN},
	{"AveragePool", DK_POOL, ARES_POOL_AVG},
	{"BatchNormalization", DK_BATCHNORM, 0},
	{"Cast", DK_CAST, 0},
	{"Ceil", DK_UNARY, ARES_ELT_CEIL},
	{"Clip", DK_CLIP, 0},
	{"Concat", DK_CONCAT, 0},
	{"Conv", DK_CONV, 0},
	{"ConvTranspose", DK_CONVT, 0},
	{"Div", DK_BINARY, ARES_ELT_DIV},
	{"Dropout", DK_VIEW, 0},
	{"Equal", DK_BINARY, ARES_ELT_EQUAL},
	{"Erf", DK_UNARY, ARES_ELT_ERF},
	{"Exp", DK_UNARY, ARES_ELT_EXP},
	{"Flatten", DK_VIEW, 0},
	{"Floor", DK_UNARY, ARES_ELT_FLOOR},
	{"Gather", DK_GATHER, 0},
	{"Gelu", DK_UNARY, ARES_ELT_GELU},
	{"Gemm", DK_GEMM, 0},
	{"GlobalAveragePool", DK_POOL, ARES_POOL_AVG | DEV_POOL_GLOBAL},
	{"GlobalMaxPool", DK_POOL, ARES_POOL_MAX | DEV_POOL_GLOBAL},
	{"Greater", DK_BINARY, ARES_ELT_GREATER},
	{"GreaterOrEqual", DK_BINARY, ARES_ELT_GREATER_EQUAL},
	{"HardSigmoid", DK_UNARY, ARES_ELT_HARD_SIGMOID},
	{"HardSwish", DK_UNARY, ARES_ELT_HARD_SWISH},
	{"Identity", DK_VIEW, 0},
	{"InstanceNormalization", DK_INSTNORM, 0},
	{"LayerNormalization", DK_LAYERNORM, 0},
	{"LeakyRelu", DK_UNARY, ARES_ELT_LEAKY_RELU},
	{"Less", DK_BINARY, ARES_ELT_LESS},
	{"LessOrEqual", DK_BINARY, ARES_ELT_LESS_EQUAL},
	{"Log", DK_UNARY, ARES_ELT_LOG},
	{"LogSoftmax", DK_SOFTMAX, ARES_SOFTMAX_LOG},
	{"MatMul", DK_MATMUL, 0},
	{"Max", DK_VARIADIC, ARES_ELT_MAX},
	{"MaxPool", DK_POOL, ARES_POOL_MAX},
	{"Min", DK_VARIADIC, ARES_ELT_MIN},
	{"Mod", DK_BINARY, ARES_ELT_MOD},
	{"Mul", DK_BINARY, ARES_ELT_MUL},
	{"Neg", DK_UNARY, ARES_ELT_NEG},
	{"Not", DK_UNARY, ARES_ELT_NOT},
	{"Or", DK_BINARY, ARES_ELT_OR},
	{"Pad", DK_PAD, 0},
	{"Pow", DK_BINARY, ARES_ELT_POW},
	{"Reciprocal", DK_UNARY, ARES_ELT_RECIPROCAL},
	{"ReduceL1", DK_REDUCE, ARES_REDUCE_L1},
	{"ReduceL2", DK_REDUCE, ARES_REDUCE_L2},
	{"ReduceLogSum", DK_REDUCE, ARES_REDUCE_LOG_SUM},
	{"ReduceLogSumExp", DK_REDUCE, ARES_REDUCE_LOG_SUM_EXP},
	{"ReduceMax", DK_REDUCE, ARES_REDUCE_MAX},
	{"ReduceMean", DK_REDUCE, ARES_REDUCE_MEAN},
	{"ReduceMin", DK_REDUCE, ARES_REDUCE_MIN},
	{"ReduceProd", DK_REDUCE, ARES_REDUCE_PROD},
	{"ReduceSum", DK_REDUCE, ARES_REDUCE_SUM},
	{"ReduceSumSquare", DK_REDUCE, ARES_REDUCE_SUM_SQUARE},
	{"Relu", DK_UNARY, ARES_ELT_RELU},
	{"Reshape", DK_VIEW, 0},
	{"Resize", DK_RESIZE, 0},
	{"Round", DK_UNARY, ARES_ELT_ROUND},
	{"Sigmoid", DK_UNARY, ARES_ELT_SIGMOID},
	{"Slice", DK_SLICE, 0},
	{"Softmax", DK_SOFTMAX, 0},
	{"Sqrt", DK_UNARY, ARES_ELT_SQRT},
	{"Squeeze", DK_VIEW, 0},
	{"Sub", DK_BINARY, ARES_ELT_SUB},
	{"Sum", DK_VARIADIC, ARES_ELT_ADD},
	{"Tanh", DK_UNARY, ARES_ELT_TANH},
	{"Transpose", DK_TRANSPOSE, 0},
	{"Unsqueeze", DK_VIEW, 0},
	{"Where", DK_WHERE, 0},
	{"Xor", DK_BINARY, ARES_ELT_XOR},
};

const struct dev_op *dev_op_lookup(const char *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, op))
			return &ops[i];
	return NULL;
}

int dev_dtype(int onnx_dtype)
{
	switch (onnx_dtype) {
	case ART_FLOAT:
		return ARES_DTYPE_F32;
	case ART_UINT8:
		return ARES_DTYPE_U8;
	case ART_INT8:
		return ARES_DTYPE_I8;
	case ART_INT32:
		return ARES_DTYPE_I32;
	case ART_INT64:
		return ARES_DTYPE_I64;
	case ART_BOOL:
		return ARES_DTYPE_BOOL;
	default:
		return -1;
	}
}

static const char *dtype_name(int d)
{
	static const char *const names[] = {
		"undefined", "float",  "uint8",	    "int8",	  "uint16",  "int16",
		"int32",     "int64",  "string",    "bool",	  "float16", "double",
		"uint32",    "uint64", "complex64", "complex128", "bfloat16"};
	return d >= 0 && d < (int)(sizeof(names) / sizeof(names[0])) ? names[d] : "unknown";
}

int dev_is_const(const struct art_session *s, int v)
{
	return v >= 0 && s->vals[v].is_const && s->vals[v].t.data;
}

int dev_is_plan_time(const struct art_session *s, int v)
{
	if (v < 0)
		return 0;
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return s->nodes[i].plan_time;
	return 0;
}

static const Onnx__ValueInfoProto *declared(const struct art_session *s, const char *name)
{
	const Onnx__GraphProto *g = s->model->graph;
	for (size_t i = 0; i < g->n_input; i++)
		if (!strcmp(g->input[i]->name, name))
			return g->input[i];
	for (size_t i = 0; i < g->n_value_info; i++)
		if (!strcmp(g->value_info[i]->name, name))
			return g->value_info[i];
	for (size_t i = 0; i < g->n_output; i++)
		if (!strcmp(g->output[i]->name, name))
			return g->output[i];
	return NULL;
}

static int producer(const struct art_session *s, int v)
{
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return i;
	return -1;
}

/* Dtype propagation for values analysis left unknown: enough of ONNX's
 * type rules to place the nodes that follow. */
static int dtype_depth(struct art_session *s, int v, int depth)
{
	if (v < 0 || depth > 64)
		return 0;
	const struct rt_value *val = &s->vals[v];
	if (val->t.data && val->is_const)
		return val->t.dtype;
	if (val->info.dtype)
		return val->info.dtype;
	const Onnx__ValueInfoProto *vi = declared(s, val->name);
	if (vi && vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
	    vi->type->tensor_type->elem_type)
		return vi->type->tensor_type->elem_type;
	int p = producer(s, v);
	if (p < 0)
		return 0;
	const struct rt_node *n = &s->nodes[p];
	const char *op = n->proto->op_type;
	static const char *const to_bool[] = {
		"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not",
		"And",	 "Or",	 "Xor",	    "IsNaN",	   "IsInf"};
	for (size_t i = 0; i < sizeof(to_bool) / sizeof(to_bool[0]); i++)
		if (!strcmp(op, to_bool[i]))
			return ART_BOOL;
	if (!strcmp(op, "Shape") || !strcmp(op, "Size") || !strcmp(op, "ArgMax") ||
	    !strcmp(op, "ArgMin") || !strcmp(op, "NonZero"))
		return ART_INT64;
	if (!strcmp(op, "Cast"))
		return (int)rt_attr_i(n, "to", 0);
	if (!strcmp(op, "Where"))
		return n->nin > 1 ? dtype_depth(s, n->in[1], depth + 1) : 0;
	if (!strcmp(op, "ConstantOfShape")) {
		const Onnx__AttributeProto *a = rt_attr(n, "value");
		return a && a->t ? a->t->data_type : ART_FLOAT;
	}
	if (!strcmp(op, "If") || !strcmp(op, "Loop") || !strcmp(op, "Scan") || n->nin == 0)
		return 0;
	return dtype_depth(s, n->in[0], depth + 1);
}

/* Rank of V known before any run, or -1. */
static int value_rank(const struct art_session *s, int v)
{
	const struct rt_value *val = &s->vals[v];
	if (val->t.data && val->is_const)
		return val->t.ndim;
	if (val->info.dtype && val->info.ndim >= 0)
		return val->info.ndim;
	const Onnx__ValueInfoProto *vi = declared(s, val->name);
	if (vi && vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
	    vi->type->tensor_type->shape)
		return (int)vi->type->tensor_type->shape->n_dim;
	return -1;
}

int dev_value_dtype(struct art_session *s, int v)
{
	return dtype_depth(s, v, 0);
}

static int is_float(int d)
{
	return d == ART_FLOAT;
}

static int is_int(int d)
{
	return d == ART_INT32 || d == ART_INT64;
}

static const char *attr_s(const struct rt_node *n, const char *name, const char *def, char *buf,
			  size_t len)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a || !a->has_s)
		return def;
	size_t l = a->s.len < len - 1 ? a->s.len : len - 1;
	memcpy(buf, a->s.data, l);
	buf[l] = 0;
	return buf;
}

/* Input IN of N is absent, a constant known now, or known when the
 * partition is planned. */
static int const_or_absent(struct art_session *s, const struct rt_node *n, int in)
{
	return in >= n->nin || n->in[in] < 0 || dev_is_const(s, n->in[in]) ||
	       dev_is_plan_time(s, n->in[in]);
}

/* Input IN of N is known on the host when the partition is planned: absent,
 * constant, plan-time, a graph input or the output of a CPU node. Such
 * values are part of the plan's key (device/plan.c). */
static int plan_known(struct art_session *s, const struct rt_node *n, int in)
{
	if (const_or_absent(s, n, in))
		return 1;
	int v = n->in[in];
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return !s->nodes[i].on_device;
	return 1;
}

/* Shape, and nodes computing only on constants and Shape results, are
 * evaluated on the host when their partition is planned. */
static int plan_time_node(struct art_session *s, const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	if (!n->fn || n->nout != 1)
		return 0;
	if (!strcmp(op, "Shape"))
		return 1;
	int any = 0;
	for (int j = 0; j < n->nin; j++) {
		int v = n->in[j];
		if (v < 0 || dev_is_const(s, v))
			continue;
		if (!dev_is_plan_time(s, v))
			return 0;
		any = 1;
	}
	return any;
}

/*
 * Returns NULL when the device can run N, else why not. Reasons that name
 * values are formatted into BUF.
 */
static const char *why_not(struct art_session *s, const struct rt_node *n, char *buf, size_t len)
{
	const char *op = n->proto->op_type;
	const struct dev_op *d = dev_op_lookup(op);
	char sb[64];
	if (!d) {
		snprintf(buf, len, "%s has no device command", op);
		return buf;
	}
	int fuses = d->kind == DK_CONV || d->kind == DK_CONVT || d->kind == DK_GEMM ||
		    d->kind == DK_MATMUL || d->kind == DK_BATCHNORM || d->kind == DK_INSTNORM ||
		    d->kind == DK_LAYERNORM;
	if (n->act != ARES_ACT_NONE && !fuses) {
		snprintf(buf, len, "an activation fused into %s has no device form", op);
		return buf;
	}
	for (int j = 1; j < n->nout; j++)
		if (n->out[j] >= 0) {
			snprintf(buf, len, "%s output %d ('%s') has no device form", op, j,
				 s->vals[n->out[j]].name);
			return buf;
		}
	/* Every tensor operand needs a dtype the device has. */
	unsigned mask = dev_operand_mask(n);
	for (int i = 0; i < n->nin; i++) {
		if (n->in[i] < 0 || !(mask & (1u << i)))
			continue;
		if (dev_is_plan_time(s, n->in[i])) {
			snprintf(buf, len, "operand '%s' is shape arithmetic (host only)",
				 s->vals[n->in[i]].name);
			return buf;
		}
		int dt = dev_value_dtype(s, n->in[i]);
		if (!dt) {
			snprintf(buf, len, "dtype of input '%s' unknown before the run",
				 s->vals[n->in[i]].name);
			return buf;
		}
		if (dev_dtype(dt) < 0) {
			snprintf(buf, len, "dtype %s", dtype_name(dt));
			return buf;
		}
		const struct rt_value *v = &s->vals[n->in[i]];
		int rank = v->t.data ? v->t.ndim : v->info.ndim > 0 ? v->info.ndim : 0;
		if (rank > ARES_MAX_RANK) {
			snprintf(buf, len, "rank %d of '%s' exceeds the device's %d", rank, v->name,
				 ARES_MAX_RANK);
			return buf;
		}
	}
	int x = n->nin > 0 ? dev_value_dtype(s, n->in[0]) : 0;
	int y = n->nin > 1 && n->in[1] >= 0 ? dev_value_dtype(s, n->in[1]) : 0;
	switch (d->kind) {
	case DK_CONV: {
		if (!is_float(x))
			goto float_only;
		if (n->nin < 2 || n->in[1] < 0)
			return "Conv without weights";
		/* An unknown rank is checked when the partition is planned. */
		int wr = value_rank(s, n->in[1]);
		if (wr >= 0 && wr != 3 && wr != 4) {
			snprintf(buf, len, "Conv with weight rank %d (the device has 1-D and 2-D)",
				 wr);
			return buf;
		}
		if (y != x)
			return "Conv input and weight dtypes differ";
		return NULL;
	}
	case DK_CONVT: {
		if (!is_float(x))
			goto float_only;
		if (n->nin < 2 || n->in[1] < 0)
			return "ConvTranspose without weights";
		if (y != x)
			return "ConvTranspose input and weight dtypes differ";
		if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT)
			return "ConvTranspose bias is not float";
		int wr = value_rank(s, n->in[1]);
		if (wr >= 0 && wr != 3 && wr != 4) {
			snprintf(buf, len,
				 "ConvTranspose with weight rank %d (the device has 1-D and 2-D)",
				 wr);
			return buf;
		}
		/* Attribute lists the CPU kernel would refuse stay there, so the
		 * error names the node the same way on both paths. */
		int nsp = wr >= 0 ? wr - 2 : 0;
		static const char *const lists[] = {"strides", "dilations", "output_padding"};
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && nsp; i++) {
			const Onnx__AttributeProto *a = rt_attr(n, lists[i]);
			if (a && (int)a->n_ints != nsp) {
				snprintf(buf, len, "ConvTranspose %s has %zu values for %d dims",
					 lists[i], a->n_ints, nsp);
				return buf;
			}
			for (size_t j = 0; a && j < a->n_ints; j++)
				if (a->ints[j] < (i < 2 ? 1 : 0)) {
					snprintf(buf, len,
						 "ConvTranspose %s value %lld out of range",
						 lists[i], (long long)a->ints[j]);
					return buf;
				}
		}
		return NULL;
	}
	case DK_GEMM:
		if (!is_float(x) || !is_float(y))
			goto float_only;
		if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT)
			return "Gemm bias is not float";
		return NULL;
	case DK_MATMUL:
		if (!is_float(x) || !is_float(y))
			goto float_only;
		if (n->nin > 2 && n->in[2] >= 0 && dev_value_dtype(s, n->in[2]) != ART_FLOAT)
			return "fused MatMul bias is not float";
		return NULL;
	case DK_UNARY:
		if (d->arg == ARES_ELT_NOT)
			return x == ART_BOOL ? NULL : "Not on a non-bool tensor";
		if (d->arg == ARES_ELT_GELU &&
		    strcmp(attr_s(n, "approximate", "none", sb, sizeof(sb)), "none"))
			return "Gelu with approximate=tanh not supported by the device";
		if (is_float(x))
			return NULL;
		if (is_int(x) &&
		    (d->arg == ARES_ELT_RELU || d->arg == ARES_ELT_NEG || d->arg == ARES_ELT_ABS))
			return NULL;
		goto float_only;
	case DK_BINARY:
	case DK_VARIADIC:
		if (d->kind == DK_VARIADIC && n->nin != 2) {
			snprintf(buf, len, "%s over %d inputs (the device takes two)", op, n->nin);
			return buf;
		}
		if (x != y) {
			snprintf(buf, len, "%s on mixed dtypes %s and %s", op, dtype_name(x),
				 dtype_name(y));
			return buf;
		}
		switch (d->arg) {
		case ARES_ELT_AND:
		case ARES_ELT_OR:
		case ARES_ELT_XOR:
			return x == ART_BOOL ? NULL : "logical op on a non-bool tensor";
		case ARES_ELT_EQUAL:
			return NULL;
		case ARES_ELT_LESS:
		case ARES_ELT_GREATER:
		case ARES_ELT_LESS_EQUAL:
		case ARES_ELT_GREATER_EQUAL:
			return x == ART_BOOL ? "ordering comparison of bool tensors" : NULL;
		case ARES_ELT_POW:
			return is_float(x) ? NULL : "Pow on integers not supported by the device";
		case ARES_ELT_MOD:
			if (rt_attr_i(n, "fmod", 0))
				return is_float(x) ? NULL : "Mod fmod=1 on integers";
			return is_int(x) ? NULL : "Mod fmod=0 on a float tensor";
		default:
			if (is_float(x) || is_int(x))
				return NULL;
			snprintf(buf, len, "%s on dtype %s (the device saturates 8-bit arithmetic)",
				 op, dtype_name(x));
			return buf;
		}
	case DK_WHERE:
		if (x != ART_BOOL)
			return "Where condition is not bool";
		if (n->nin != 3 || y != dev_value_dtype(s, n->in[2]))
			return "Where branches of different dtypes";
		return NULL;
	case DK_CAST: {
		int to = (int)rt_attr_i(n, "to", 0);
		if (dev_dtype(to) < 0) {
			snprintf(buf, len, "Cast to dtype %s", dtype_name(to));
			return buf;
		}
		/* The device rounds and saturates; ONNX truncates toward zero, wraps
		 * narrowing integers and maps nonzero to true. */
		if (to == x || to == ART_FLOAT || (to == ART_INT64 && x != ART_FLOAT) ||
		    (to == ART_INT32 && (x == ART_UINT8 || x == ART_INT8 || x == ART_BOOL)))
			return NULL;
		snprintf(buf, len, "Cast %s to %s rounds differently on the device", dtype_name(x),
			 dtype_name(to));
		return buf;
	}
	case DK_CLIP:
		if (!is_float(x))
			goto float_only;
		if (!plan_known(s, n, 1) || !plan_known(s, n, 2))
			return "Clip bounds computed at run time";
		return NULL;
	case DK_VIEW:
		if (!strcmp(op, "Reshape") && (s->opset < 5 || !plan_known(s, n, 1)))
			return "Reshape shape computed at run time";
		if ((!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) && !plan_known(s, n, 1))
			return "axes computed at run time";
		if (!strcmp(op, "Unsqueeze") && n->nin < 2 && !rt_attr(n, "axes"))
			return "Unsqueeze without axes";
		if (!strcmp(op, "Squeeze") && n->nin < 2 && !rt_attr(n, "axes"))
			return "Squeeze of every size-1 dimension (shape-dependent)";
		return NULL;
	case DK_POOL: {
		if (!is_float(x))
			goto float_only;
		if (d->arg & DEV_POOL_GLOBAL)
			return NULL;
		const Onnx__AttributeProto *k = rt_attr(n, "kernel_shape");
		if (!k || k->n_ints < 1 || k->n_ints > 2)
			return "pool kernel is not 1-D or 2-D";
		return NULL;
	}
	case DK_REDUCE: {
		int a = d->arg;
		if (a == ARES_REDUCE_ARGMAX || a == ARES_REDUCE_ARGMIN) {
			if (rt_attr_i(n, "select_last_index", 0))
				return "ArgMax/ArgMin select_last_index=1";
			if (!is_float(x) && !is_int(x))
				goto float_only;
			return NULL;
		}
		if (!plan_known(s, n, 1))
			return "reduce axes computed at run time";
		int64_t axes[ART_MAX_DIMS];
		if (rt_attr_i(n, "noop_with_empty_axes", 0) && !rt_attr(n, "axes") &&
		    dev_const_ints(s, n, 1, axes, ART_MAX_DIMS) <= 0)
			return "reduce with noop_with_empty_axes and no axes";
		if (is_float(x))
			return NULL;
		if (is_int(x) && (a == ARES_REDUCE_SUM || a == ARES_REDUCE_MAX ||
				  a == ARES_REDUCE_MIN || a == ARES_REDUCE_PROD))
			return NULL;
		goto float_only;
	}
	case DK_SOFTMAX:
		return is_float(x) ? NULL : "Softmax on a non-float tensor";
	case DK_BATCHNORM:
		if (!is_float(x))
			goto float_only;
		if (rt_attr_i(n, "training_mode", 0))
			return "BatchNormalization in training mode";
		for (int i = 1; i < 5; i++)
			if (i >= n->nin || n->in[i] < 0 ||
			    dev_value_dtype(s, n->in[i]) != ART_FLOAT)
				return "BatchNormalization statistics are not float";
		return NULL;
	case DK_INSTNORM:
	case DK_LAYERNORM:
		if (!is_float(x))
			goto float_only;
		for (int i = 1; i < n->nin && i < 3; i++)
			if (n->in[i] >= 0 && dev_value_dtype(s, n->in[i]) != ART_FLOAT)
				return "normalisation scale or bias is not float";
		return NULL;
	case DK_RESIZE: {
		const char *mode = attr_s(n, "mode", "nearest", sb, sizeof(sb));
		if (strcmp(mode, "nearest") && strcmp(mode, "linear")) {
			snprintf(buf, len, "Resize mode %s not supported by the device", mode);
			return buf;
		}
		if (!strcmp(mode, "linear") && !is_float(x))
			goto float_only;
		char cb[64];
		const char *coord =
			attr_s(n, "coordinate_transformation_mode", "half_pixel", cb, sizeof(cb));
		if (!strcmp(coord, "tf_crop_and_resize"))
			return "Resize coordinate mode tf_crop_and_resize not supported by the "
			       "device";
		/* ONNX maps align_corners through the fractional length in * scale;
		 * the device through the integer output length. */
		int si = s->opset < 11 ? 1 : 2;
		if (!strcmp(coord, "align_corners") && si < n->nin && n->in[si] >= 0 &&
		    !(dev_is_const(s, n->in[si]) && art_tensor_elems(&s->vals[n->in[si]].t) == 0))
			return "Resize align_corners with scales (fractional output length)";
		static const char *const coords[] = {"half_pixel",
						     "asymmetric",
						     "align_corners",
						     "pytorch_half_pixel",
						     "tf_half_pixel_for_nearest",
						     "tf_half_pixel_for_nn"};
		int known = 0;
		for (size_t i = 0; i < sizeof(coords) / sizeof(coords[0]); i++)
			known |= !strcmp(coord, coords[i]);
		if (!known) {
			snprintf(buf, len, "Resize coordinate mode %s not supported by the device",
				 coord);
			return buf;
		}
		char nb[64];
		const char *near = attr_s(n, "nearest_mode", "round_prefer_floor", nb, sizeof(nb));
		if (strcmp(near, "round_prefer_floor") && strcmp(near, "round_prefer_ceil") &&
		    strcmp(near, "floor") && strcmp(near, "ceil")) {
			snprintf(buf, len, "Resize nearest mode %s not supported by the device",
				 near);
			return buf;
		}
		if (rt_attr_i(n, "antialias", 0))
			return "Resize with antialias not supported by the device";
		if (rt_attr(n, "axes"))
			return "Resize with axes not supported by the device";
		char kb[64];
		if (strcmp(attr_s(n, "keep_aspect_ratio_policy", "stretch", kb, sizeof(kb)),
			   "stretch"))
			return "Resize keep_aspect_ratio_policy other than stretch";
		for (int i = 1; i < n->nin; i++)
			if (!plan_known(s, n, i))
				return "Resize scales or sizes computed on the device";
		return NULL;
	}
	case DK_TRANSPOSE:
	case DK_CONCAT:
	case DK_GATHER:
		if (d->kind == DK_CONCAT)
			for (int i = 1; i < n->nin; i++)
				if (n->in[i] >= 0 && dev_value_dtype(s, n->in[i]) != x)
					return "Concat of mixed dtypes";
		if (d->kind == DK_GATHER && !is_int(y))
			return "Gather indices are not int32 or int64";
		return NULL;
	case DK_SLICE: {
		for (int i = 1; i < n->nin; i++)
			if (!plan_known(s, n, i))
				return "Slice bounds computed on the device";
		/* Steps are checked for sign here, so they must be known now. */
		if (!const_or_absent(s, n, 4))
			return "Slice steps not constant";
		int64_t steps[ART_MAX_DIMS];
		int ns = dev_const_ints(s, n, 4, steps, ART_MAX_DIMS);
		for (int i = 0; i < ns; i++)
			if (steps[i] <= 0)
				return "Slice with a negative step (the device's strides are "
				       "non-negative)";
		return NULL;
	}
	case DK_PAD: {
		const char *mode = attr_s(n, "mode", "constant", sb, sizeof(sb));
		if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge")) {
			snprintf(buf, len, "Pad mode %s not supported by the device", mode);
			return buf;
		}
		/* Amounts are checked for sign here, so they must be known now. */
		if (!const_or_absent(s, n, 1) || !const_or_absent(s, n, 3))
			return "Pad amounts or axes not constant";
		if (!plan_known(s, n, 2))
			return "Pad value computed on the device";
		int64_t pads[2 * ART_MAX_DIMS];
		int np = s->opset < 11 ? 0 : dev_const_ints(s, n, 1, pads, 2 * ART_MAX_DIMS);
		const Onnx__AttributeProto *a = rt_attr(n, "pads");
		if (s->opset < 11 && a)
			for (size_t i = 0; i < a->n_ints && i < 2 * ART_MAX_DIMS; i++)
				pads[np++] = a->ints[i];
		for (int i = 0; i < np; i++)
			if (pads[i] < 0)
				return "Pad with negative amounts (cropping)";
		return NULL;
	}
	default:
		return "no device form";
	}
float_only:
	snprintf(buf, len, "%s on dtype %s not supported by the device", op, dtype_name(x));
	return buf;
}

void dev_place(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		char buf[160];
		n->on_device = 0;
		n->partition = -1;
		int folded = n->nout > 0;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0 && !dev_is_const(s, n->out[j]))
				folded = 0;
		if (folded) {
			n->placement_reason = "constant, evaluated at session creation";
			continue;
		}
		if (plan_time_node(s, n)) {
			n->plan_time = 1;
			n->placement_reason =
				"shape arithmetic, evaluated when its partition is planned";
			continue;
		}
		const char *why = why_not(s, n, buf, sizeof(buf));
		if (!why) {
			n->on_device = 1;
			n->placement_reason = "supported by the device";
			continue;
		}
		/* Reasons live as long as the session: intern formatted ones. */
		n->placement_reason = why == buf ? strdup(buf) : why;
		n->reason_owned = why == buf;
	}
}
