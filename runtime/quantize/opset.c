// SPDX-License-Identifier: MIT
/* ares-quantize: the opset upgrade to 13. Each rule follows the ONNX
 * operator changelog between the model's opset and 13: an op listed as
 * unchanged only gained types or optional inputs and attributes whose
 * defaults keep the old meaning; the others move an attribute into an
 * input, or are refused. */
#include "opset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Same meaning from opset 7 through 13. */
static const char *const unchanged[] = {
	"Abs",
	"Acos",
	"Acosh",
	"Add",
	"And",
	"ArgMax",
	"ArgMin",
	"Asin",
	"Asinh",
	"Atan",
	"Atanh",
	"AveragePool",
	"BatchNormalization",
	"Cast",
	"Ceil",
	"Concat",
	"Constant",
	"ConstantOfShape",
	"Conv",
	"ConvTranspose",
	"Cos",
	"Cosh",
	"DepthToSpace",
	"Div",
	"Elu",
	"Equal",
	"Erf",
	"Exp",
	"Expand",
	"Flatten",
	"Floor",
	"Gather",
	"GatherElements",
	"Gemm",
	"GlobalAveragePool",
	"GlobalMaxPool",
	"Greater",
	"HardSigmoid",
	"Identity",
	"InstanceNormalization",
	"IsNaN",
	"LRN",
	"LeakyRelu",
	"Less",
	"Log",
	"MatMul",
	"Max",
	"MaxPool",
	"Mean",
	"Min",
	"Mul",
	"Neg",
	"Not",
	"Or",
	"PRelu",
	"Pow",
	"Range",
	"Reciprocal",
	"ReduceL1",
	"ReduceL2",
	"ReduceLogSum",
	"ReduceLogSumExp",
	"ReduceMax",
	"ReduceMean",
	"ReduceMin",
	"ReduceProd",
	"ReduceSumSquare",
	"Relu",
	"Reshape",
	"Round",
	"Selu",
	"Shape",
	"Sigmoid",
	"Sign",
	"Sin",
	"Sinh",
	"Size",
	"Softplus",
	"Softsign",
	"SpaceToDepth",
	"Sqrt",
	"Sub",
	"Sum",
	"Tan",
	"Tanh",
	"Tile",
	"Transpose",
	"Where",
	"Xor",
};

/* Ops that are fine from this opset on (their older forms are refused
 * unless a rewrite below handles them). */
static const struct {
	const char *op;
	int since;
} since[] = {
	{"Clip", 11},	    {"Slice", 10},
	{"Squeeze", 13},    {"Unsqueeze", 13},
	{"ReduceSum", 13},  {"Split", 13},
	{"Dropout", 12},    {"Softmax", 13},
	{"LogSoftmax", 13}, {"Hardmax", 13},
	{"Resize", 11},	    {"Pad", 11},
	{"TopK", 11},	    {"OneHot", 11},
	{"NonZero", 9},	    {"Einsum", 12},
	{"CumSum", 11},	    {"ScatterND", 11},
	{"GatherND", 11},   {"Mod", 10},
	{"Erf", 9},	    {"NonMaxSuppression", 11},
};

static int in_list(const char *op)
{
	for (size_t i = 0; i < sizeof(unchanged) / sizeof(unchanged[0]); i++)
		if (!strcmp(unchanged[i], op))
			return 1;
	return 0;
}

static int since_of(const char *op)
{
	for (size_t i = 0; i < sizeof(since) / sizeof(since[0]); i++)
		if (!strcmp(since[i].op, op))
			return since[i].since;
	return -1;
}

int aq_opset_needs_rank(const Onnx__NodeProto *n, int64_t opset)
{
	return opset < 13 && (!strcmp(n->op_type, "Softmax") || !strcmp(n->op_type, "LogSoftmax") ||
			      !strcmp(n->op_type, "Hardmax"));
}

/* Attribute NAME (ints, or a float) of N as a new constant input. */
static int attr_to_input(Onnx__GraphProto *g, Onnx__NodeProto *n, struct aq_names *ns,
			 const char *attr, int as_float, struct aq_err *e)
{
	const Onnx__AttributeProto *a = aq_attr(n, attr);
	if (!a)
		return aq_add_input(n, "") ? -ENOMEM : 0;
	const char *name = aq_names_make(ns, n->output[0], attr);
	if (!name)
		return aq_fail(e, -ENOMEM, "out of memory");
	Onnx__TensorProto *t;
	if (as_float)
		t = aq_new_tensor(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &a->f,
				  sizeof(float));
	else
		t = aq_new_tensor(name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1,
				  (const int64_t[]){(int64_t)a->n_ints}, a->ints,
				  a->n_ints * sizeof(int64_t));
	if (aq_add_initializer(g, t) || aq_add_input(n, name))
		return aq_fail(e, -ENOMEM, "out of memory");
	aq_drop_attr(n, attr);
	return 0;
}

/* Trailing empty inputs are the same as absent ones. */
static void trim_inputs(Onnx__NodeProto *n)
{
	while (n->n_input && !n->input[n->n_input - 1][0])
		free(n->input[--n->n_input]);
}

static int upgrade_node(Onnx__GraphProto *g, Onnx__NodeProto *n, int64_t opset, struct aq_names *ns,
			aq_rank_fn rank, void *ctx, struct aq_err *e)
{
	const char *op = n->op_type;
	const char *who = n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "?";
	if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx"))
		return aq_fail(e, -ENOTSUP, "node '%s': op %s of domain '%s' is not quantized", who,
			       op, n->domain);
	for (size_t j = 0; j < n->n_attribute; j++)
		if (n->attribute[j]->g || n->attribute[j]->n_graphs)
			return aq_fail(e, -ENOTSUP,
				       "node '%s' (%s): subgraphs are not upgraded from opset %lld "
				       "to 13; export the model at opset 13 or later",
				       who, op, (long long)opset);
	if (in_list(op)) {
		if (!strcmp(op, "BatchNormalization") && aq_attr(n, "spatial")) {
			if (aq_attr_i(n, "spatial", 1) != 1)
				return aq_fail(e, -ENOTSUP,
					       "node '%s' (BatchNormalization): spatial=0 has no "
					       "opset-13 form",
					       who);
			aq_drop_attr(n, "spatial");
		}
		return 0;
	}
	int s = since_of(op);
	if (s >= 0 && opset >= s)
		return 0;
	int rc = -ENOTSUP;
	if (!strcmp(op, "Clip")) {
		if (n->n_input != 1)
			return aq_fail(e, -EINVAL, "node '%s' (Clip-6) has %zu inputs", who,
				       n->n_input);
		if (!aq_attr(n, "min") && aq_attr(n, "max")) {
			/* min's default is the lowest float: write it out. */
			if (aq_add_attr(n, aq_new_attr_i("min", 0)))
				return aq_fail(e, -ENOMEM, "out of memory");
			Onnx__AttributeProto *a = n->attribute[n->n_attribute - 1];
			a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
			a->has_i = 0;
			a->has_f = 1;
			a->f = -INFINITY;
		}
		rc = attr_to_input(g, n, ns, "min", 1, e);
		if (!rc)
			rc = attr_to_input(g, n, ns, "max", 1, e);
	} else if (!strcmp(op, "Slice")) {
		if (!aq_attr(n, "starts") || !aq_attr(n, "ends"))
			return aq_fail(e, -EINVAL, "node '%s' (Slice-1) lacks starts or ends", who);
		rc = attr_to_input(g, n, ns, "starts", 0, e);
		if (!rc)
			rc = attr_to_input(g, n, ns, "ends", 0, e);
		if (!rc)
			rc = attr_to_input(g, n, ns, "axes", 0, e);
	} else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze") || !strcmp(op, "ReduceSum")) {
		rc = attr_to_input(g, n, ns, "axes", 0, e);
	} else if (!strcmp(op, "Split") && opset >= 2) {
		rc = attr_to_input(g, n, ns, "split", 0, e);
	} else if (!strcmp(op, "Dropout") && opset >= 7) {
		/* An inference Dropout is the identity whatever its ratio. */
		aq_drop_attr(n, "ratio");
		rc = 0;
	} else if (s == 13 && n->n_input >= 1) { /* Softmax, LogSoftmax, Hardmax */
		int r = rank ? rank(ctx, n->input[0]) : -1;
		int64_t axis = aq_attr_i(n, "axis", 1);
		if (r < 0)
			return aq_fail(e, -ENOTSUP,
				       "node '%s' (%s-%lld): the rank of '%s' is unknown, so "
				       "whether axis %lld means the same at opset 13 is too",
				       who, op, (long long)opset, n->input[0], (long long)axis);
		if (axis != -1 && axis != r - 1)
			return aq_fail(e, -ENOTSUP,
				       "node '%s' (%s-%lld): axis %lld of a rank-%d input "
				       "flattens the trailing axes, which opset 13 does not",
				       who, op, (long long)opset, (long long)axis, r);
		aq_drop_attr(n, "axis");
		rc = aq_add_attr(n, aq_new_attr_i("axis", -1)) ? -ENOMEM : 0;
	}
	if (rc == -ENOTSUP)
		return aq_fail(e, rc,
			       "node '%s': op %s at opset %lld is not known to keep its meaning "
			       "at opset 13 (needed for per-channel QuantizeLinear); export "
			       "the model at opset 13 or later",
			       who, op, (long long)opset);
	if (!rc)
		trim_inputs(n);
	return rc;
}

int aq_opset_upgrade(Onnx__ModelProto *m, aq_rank_fn rank, void *ctx, struct aq_err *e)
{
	int64_t opset = aq_default_opset(m);
	if (opset < 0)
		return aq_fail(e, -EINVAL, "the model imports no default-domain opset");
	if (opset >= AQ_TARGET_OPSET)
		goto ir;
	if (opset < 7)
		return aq_fail(e, -ENOTSUP,
			       "opset %lld: below 7 the upgrade to 13 is not attempted; export "
			       "the model at opset 13 or later",
			       (long long)opset);
	struct aq_names ns;
	if (aq_names_init(&ns, m->graph))
		return aq_fail(e, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; !rc && i < m->graph->n_node; i++)
		rc = upgrade_node(m->graph, m->graph->node[i], opset, &ns, rank, ctx, e);
	aq_names_free(&ns);
	if (rc)
		return rc;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;
		if (!d || !d[0] || !strcmp(d, "ai.onnx"))
			m->opset_import[i]->version = AQ_TARGET_OPSET;
	}
ir:
	if (!m->has_ir_version || m->ir_version < AQ_TARGET_IR) {
		m->has_ir_version = 1;
		m->ir_version = AQ_TARGET_IR;
	}
	return 0;
}
