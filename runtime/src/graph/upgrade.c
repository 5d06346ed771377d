// SPDX-License-Identifier: MIT
/*
 * Opset upgrade: a model importing default-domain opset 1 to 6 is rewritten,
 * on its ModelProto and before the graph is built, into the opset-7 forms
 * every later layer understands, so no kernel or pass needs to know the
 * legacy attributes. The rewrites are the ONNX changelog's differences:
 *
 * - consumed_inputs (opset 1-5 of most ops) only named in-place reuse: dropped.
 * - broadcast/axis on Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater,
 *   Less (before 7): B's dims line up with A's from AXIS; numpy lines them
 *   up from the right, so B gets trailing 1s through an Unsqueeze.
 * - PRelu before 7: a 1-D slope of C values is per channel (axis 1).
 * - Gemm's broadcast (before 7): opset 7's unidirectional broadcast of C
 *   covers both settings.
 * - BatchNormalization is_test, spatial (before 7): inference only; a
 *   spatial=0 model (per-element statistics) is refused.
 * - Dropout is_test (before 7): an is_test=0 (training) Dropout is refused.
 * - Reshape's shape attribute (before 5) becomes a constant shape input.
 * - Concat without axis (before 4) takes axis 1.
 * - Pad's paddings (opset 1) is Pad-2's pads.
 * - Cast's `to` as a type name (before 6) becomes the type number.
 * - GRU, LSTM, RNN output_sequence (before 7): Y is produced when named.
 * Forms with no opset-7 spelling here (Tile with tiles/axis inputs, Split
 * with its sizes as an input, the experimental Upsample) are refused
 * naming the node, op, opset and attribute.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"

/* Ranks of the values the model declares or that follow from a node's
 * first input; -1 where unknown. Enough for the legacy broadcast, whose
 * operands are in practice graph inputs, weights or elementwise results. */
struct rank_map {
	const char **names;
	int *ranks;
	size_t n, cap;
};

static int rank_set(struct rank_map *m, const char *name, int rank)
{
	if (!name || !name[0] || rank < 0)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		const char **nn = realloc(m->names, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		m->names = nn;
		int *nr = realloc(m->ranks, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		m->ranks = nr;
		m->cap = cap;
	}
	m->names[m->n] = name;
	m->ranks[m->n++] = rank;
	return 0;
}

static int rank_of(const struct rank_map *m, const char *name)
{
	for (size_t i = m->n; i-- > 0;)
		if (!strcmp(m->names[i], name))
			return m->ranks[i];
	return -1;
}

static int declared_rank(const Onnx__ValueInfoProto *vi)
{
	if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !vi->type->tensor_type || !vi->type->tensor_type->shape)
		return -1;
	return (int)vi->type->tensor_type->shape->n_dim;
}

static Onnx__AttributeProto *find_attr(const Onnx__NodeProto *np, const char *name)
{
	for (size_t i = 0; i < np->n_attribute; i++)
		if (np->attribute[i]->name && !strcmp(np->attribute[i]->name, name))
			return np->attribute[i];
	return NULL;
}

static void drop_attr(Onnx__NodeProto *np, const char *name)
{
	for (size_t i = 0; i < np->n_attribute; i++) {
		if (!np->attribute[i]->name || strcmp(np->attribute[i]->name, name))
			continue;
		onnx__attribute_proto__free_unpacked(np->attribute[i], NULL);
		memmove(&np->attribute[i], &np->attribute[i + 1],
			(np->n_attribute - i - 1) * sizeof(np->attribute[0]));
		np->n_attribute--;
		return;
	}
}

static int64_t attr_int(const Onnx__NodeProto *np, const char *name, int64_t dflt)
{
	const Onnx__AttributeProto *a = find_attr(np, name);
	return a && a->has_i ? a->i : dflt;
}

static Onnx__AttributeProto *new_attr(const char *name, Onnx__AttributeProto__AttributeType type)
{
	Onnx__AttributeProto *a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = strdup(name);
	if (!a->name) {
		free(a);
		return NULL;
	}
	a->has_type = 1;
	a->type = type;
	return a;
}

static int add_attr(Onnx__NodeProto *np, Onnx__AttributeProto *a)
{
	if (!a)
		return -ENOMEM;
	Onnx__AttributeProto **na = realloc(np->attribute, (np->n_attribute + 1) * sizeof(*na));
	if (!na) {
		onnx__attribute_proto__free_unpacked(a, NULL);
		return -ENOMEM;
	}
	np->attribute = na;
	na[np->n_attribute++] = a;
	return 0;
}

static int add_attr_int(Onnx__NodeProto *np, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = new_attr(name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	if (a) {
		a->has_i = 1;
		a->i = v;
	}
	return add_attr(np, a);
}

struct upgrade {
	struct art_session *s;
	Onnx__GraphProto *g;
	struct rank_map ranks;
	int64_t opset;
	unsigned serial; /* numbers the names of the values this pass adds */
};

static int name_taken(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
			return 1;
	for (size_t i = 0; i < g->n_input; i++)
		if (g->input[i]->name && !strcmp(g->input[i]->name, name))
			return 1;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_output; j++)
			if (!strcmp(g->node[i]->output[j], name))
				return 1;
	return 0;
}

/* A value name no node, input or initializer of the graph uses. */
static char *fresh_name(struct upgrade *u, const char *base, const char *what)
{
	char buf[256];
	do
		snprintf(buf, sizeof(buf), "%.160s::opset7_%s_%u", base, what, u->serial++);
	while (name_taken(u->g, buf));
	return strdup(buf);
}

static int fail(struct upgrade *u, size_t i, int rc, const char *fmt, const char *detail)
{
	const Onnx__NodeProto *np = u->g->node[i];
	return rt_err(u->s, rc, "node %zu '%s' (%s, opset %lld): %s%s", i, np->name ? np->name : "",
		      np->op_type, (long long)u->opset, fmt, detail ? detail : "");
}

/* Inserts, before node AT, Unsqueeze(IN, axes [FIRST, FIRST + COUNT)) and
 * returns its output's name in *OUT. */
static int insert_unsqueeze(struct upgrade *u, size_t at, const char *in, int first, int count,
			    char **out)
{
	Onnx__GraphProto *g = u->g;
	Onnx__NodeProto *np = malloc(sizeof(*np));
	Onnx__NodeProto **nodes = realloc(g->node, (g->n_node + 1) * sizeof(*nodes));
	if (!np || !nodes) {
		free(np);
		if (nodes)
			g->node = nodes;
		return -ENOMEM;
	}
	g->node = nodes;
	onnx__node_proto__init(np);
	np->op_type = strdup("Unsqueeze");
	np->name = fresh_name(u, in, "unsqueeze");
	np->input = calloc(1, sizeof(char *));
	np->output = calloc(1, sizeof(char *));
	Onnx__AttributeProto *a = new_attr("axes", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	int64_t *axes = calloc((size_t)count, sizeof(int64_t));
	if (np->input)
		np->input[np->n_input++] = strdup(in);
	if (np->output)
		np->output[np->n_output++] = fresh_name(u, in, "axis");
	if (a && axes) {
		for (int k = 0; k < count; k++)
			axes[k] = first + k;
		a->n_ints = (size_t)count;
		a->ints = axes;
		axes = NULL;
	}
	free(axes);
	int rc = add_attr(np, a);
	if (rc || !np->op_type || !np->name || !np->input || !np->input[0] || !np->output ||
	    !np->output[0] || !np->attribute[0]->ints) {
		onnx__node_proto__free_unpacked(np, NULL);
		return -ENOMEM;
	}
	memmove(&g->node[at + 1], &g->node[at], (g->n_node - at) * sizeof(g->node[0]));
	g->node[at] = np;
	g->n_node++;
	*out = np->output[0];
	return 0;
}

/* Makes numpy broadcasting line B (input 1) up with A from AXIS by giving
 * B trailing 1s. Node I moves to I + 1 when an Unsqueeze goes before it. */
static int broadcast_at_axis(struct upgrade *u, size_t *i, int64_t axis, const char *attr)
{
	Onnx__NodeProto *np = u->g->node[*i];
	int ra = rank_of(&u->ranks, np->input[0]), rb = rank_of(&u->ranks, np->input[1]);
	if (ra < 0 || rb < 0) {
		char d[160];
		snprintf(d, sizeof(d),
			 "%s=%lld needs the ranks of '%.40s' and '%.40s', which the model does not "
			 "declare",
			 attr, (long long)axis, np->input[0], np->input[1]);
		return fail(u, *i, -ENOTSUP, "legacy broadcast: ", d);
	}
	int64_t at = axis < 0 ? axis + ra : axis;
	if (ra > ART_MAX_DIMS || at < 0 || at > ra || ra - at - rb < 0) {
		char d[160];
		snprintf(d, sizeof(d), "%s=%lld does not fit a rank-%d B into a rank-%d A", attr,
			 (long long)axis, rb, ra);
		return fail(u, *i, -EINVAL, "legacy broadcast: ", d);
	}
	int trailing = ra - (int)at - rb;
	if (!trailing)
		return 0;
	char *b;
	int rc = insert_unsqueeze(u, *i, np->input[1], rb, trailing, &b);
	if (rc)
		return rc;
	rc = rank_set(&u->ranks, b, rb + trailing);
	(*i)++;
	free(np->input[1]);
	np->input[1] = strdup(b);
	return rc ? rc : np->input[1] ? 0 : -ENOMEM;
}

static int is_legacy_broadcast_op(const char *op)
{
	static const char *const ops[] = {"Add", "Sub", "Mul",	 "Div",	    "Pow", "And",
					  "Or",	 "Xor", "Equal", "Greater", "Less"};
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(op, ops[k]))
			return 1;
	return 0;
}

static int upgrade_arith(struct upgrade *u, size_t *i)
{
	Onnx__NodeProto *np = u->g->node[*i];
	int bcast = attr_int(np, "broadcast", 0) != 0;
	const Onnx__AttributeProto *ax = find_attr(np, "axis");
	int64_t axis = ax && ax->has_i ? ax->i : 0;
	drop_attr(np, "broadcast");
	drop_attr(np, "axis");
	/* Without broadcast the shapes are equal; without axis B is a suffix
	 * of A's shape: numpy agrees in both cases. */
	if (!bcast || !ax || np->n_input != 2)
		return 0;
	return broadcast_at_axis(u, i, axis, "axis");
}

static int upgrade_prelu(struct upgrade *u, size_t *i)
{
	Onnx__NodeProto *np = u->g->node[*i];
	if (np->n_input != 2 || rank_of(&u->ranks, np->input[1]) != 1)
		return 0;
	/* A one-value slope broadcasts either way. */
	for (size_t k = 0; k < u->g->n_initializer; k++) {
		const Onnx__TensorProto *t = u->g->initializer[k];
		if (t->name && !strcmp(t->name, np->input[1]) && t->n_dims == 1 && t->dims[0] == 1)
			return 0;
	}
	return broadcast_at_axis(u, i, 1, "slope channel axis");
}

static int upgrade_reshape(struct upgrade *u, size_t i)
{
	Onnx__NodeProto *np = u->g->node[i];
	const Onnx__AttributeProto *a = find_attr(np, "shape");
	if (!a)
		return 0;
	if (np->n_input != 1)
		return fail(u, i, -EINVAL, "both a shape attribute and a shape input", NULL);
	Onnx__GraphProto *g = u->g;
	Onnx__TensorProto *t = malloc(sizeof(*t));
	Onnx__TensorProto **inits =
		realloc(g->initializer, (g->n_initializer + 1) * sizeof(*inits));
	char **ins = realloc(np->input, 2 * sizeof(*ins));
	if (inits)
		g->initializer = inits;
	if (ins)
		np->input = ins;
	if (!t || !inits || !ins) {
		free(t);
		return -ENOMEM;
	}
	onnx__tensor_proto__init(t);
	t->name = fresh_name(u, np->n_output ? np->output[0] : "reshape", "shape");
	t->has_data_type = 1;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	t->dims = malloc(sizeof(int64_t));
	t->int64_data = malloc((a->n_ints ? a->n_ints : 1) * sizeof(int64_t));
	if (!t->name || !t->dims || !t->int64_data) {
		onnx__tensor_proto__free_unpacked(t, NULL);
		return -ENOMEM;
	}
	t->n_dims = 1;
	t->dims[0] = (int64_t)a->n_ints;
	t->n_int64_data = a->n_ints;
	if (a->n_ints)
		memcpy(t->int64_data, a->ints, a->n_ints * sizeof(int64_t));
	np->input[1] = strdup(t->name);
	if (!np->input[1]) {
		onnx__tensor_proto__free_unpacked(t, NULL);
		return -ENOMEM;
	}
	np->n_input = 2;
	g->initializer[g->n_initializer++] = t;
	drop_attr(np, "shape");
	return 0;
}

/* Cast-1 names its target type; the numbers are TensorProto.DataType's. */
static int upgrade_cast(struct upgrade *u, size_t i)
{
	static const struct {
		const char *name;
		int type;
	} types[] = {{"FLOAT", 1},   {"UINT8", 2},   {"INT8", 3},   {"UINT16", 4}, {"INT16", 5},
		     {"INT32", 6},   {"INT64", 7},   {"STRING", 8}, {"BOOL", 9},   {"FLOAT16", 10},
		     {"DOUBLE", 11}, {"UINT32", 12}, {"UINT64", 13}};
	Onnx__NodeProto *np = u->g->node[i];
	Onnx__AttributeProto *a = find_attr(np, "to");
	if (!a || !a->has_s)
		return 0;
	char name[16] = "";
	if (a->s.len < sizeof(name))
		memcpy(name, a->s.data, a->s.len), name[a->s.len] = 0;
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		if (strcmp(name, types[k].name))
			continue;
		drop_attr(np, "to");
		return add_attr_int(np, "to", types[k].type);
	}
	return fail(u, i, -EINVAL, "attribute 'to' names no known type: ", name);
}

/* How an op's outputs' ranks follow from its inputs', for the legacy
 * broadcast's A: RANK_SAME keeps input 0's rank on every output. */
enum rank_rule {
	RANK_SAME,
	RANK_TWO,
	RANK_MATMUL,
	RANK_GATHER,
	RANK_AXES_ADD,
	RANK_AXES_DROP,
	RANK_REDUCE,
	RANK_SHAPE_INPUT
};

static const struct {
	const char *op;
	enum rank_rule rule;
} rank_rules[] = {
	{"Abs", RANK_SAME},
	{"Neg", RANK_SAME},
	{"Relu", RANK_SAME},
	{"Sigmoid", RANK_SAME},
	{"Tanh", RANK_SAME},
	{"Exp", RANK_SAME},
	{"Log", RANK_SAME},
	{"Sqrt", RANK_SAME},
	{"Elu", RANK_SAME},
	{"LeakyRelu", RANK_SAME},
	{"Selu", RANK_SAME},
	{"Softplus", RANK_SAME},
	{"Softsign", RANK_SAME},
	{"HardSigmoid", RANK_SAME},
	{"Clip", RANK_SAME},
	{"PRelu", RANK_SAME},
	{"BatchNormalization", RANK_SAME},
	{"InstanceNormalization", RANK_SAME},
	{"Dropout", RANK_SAME},
	{"Softmax", RANK_SAME},
	{"LogSoftmax", RANK_SAME},
	{"Conv", RANK_SAME},
	{"MaxPool", RANK_SAME},
	{"AveragePool", RANK_SAME},
	{"GlobalAveragePool", RANK_SAME},
	{"GlobalMaxPool", RANK_SAME},
	{"ConvTranspose", RANK_SAME},
	{"Ceil", RANK_SAME},
	{"Floor", RANK_SAME},
	{"Reciprocal", RANK_SAME},
	{"Not", RANK_SAME},
	{"Identity", RANK_SAME},
	{"Cast", RANK_SAME},
	{"LRN", RANK_SAME},
	{"Transpose", RANK_SAME},
	{"Concat", RANK_SAME},
	{"Split", RANK_SAME},
	{"Slice", RANK_SAME},
	{"Pad", RANK_SAME},
	{"Tile", RANK_SAME},
	{"Add", RANK_SAME}, /* after the upgrade: A's rank, B broadcast into it */
	{"Sub", RANK_SAME},
	{"Mul", RANK_SAME},
	{"Div", RANK_SAME},
	{"Pow", RANK_SAME},
	{"And", RANK_SAME},
	{"Or", RANK_SAME},
	{"Xor", RANK_SAME},
	{"Equal", RANK_SAME},
	{"Greater", RANK_SAME},
	{"Less", RANK_SAME},
	{"Gemm", RANK_TWO},
	{"Flatten", RANK_TWO},
	{"MatMul", RANK_MATMUL},
	{"Gather", RANK_GATHER},
	{"Unsqueeze", RANK_AXES_ADD},
	{"Squeeze", RANK_AXES_DROP},
	{"ReduceMean", RANK_REDUCE},
	{"ReduceSum", RANK_REDUCE},
	{"ReduceMax", RANK_REDUCE},
	{"ReduceMin", RANK_REDUCE},
	{"ReduceProd", RANK_REDUCE},
	{"ReduceL1", RANK_REDUCE},
	{"ReduceL2", RANK_REDUCE},
	{"ReduceLogSum", RANK_REDUCE},
	{"ReduceLogSumExp", RANK_REDUCE},
	{"ReduceSumSquare", RANK_REDUCE},
	{"Reshape", RANK_SHAPE_INPUT},
};

/* The rank of NP's outputs under RULE, -1 when it cannot be known. */
static int rule_rank(const struct upgrade *u, const Onnx__NodeProto *np, enum rank_rule rule)
{
	int r0 = rank_of(&u->ranks, np->input[0]);
	const Onnx__AttributeProto *axes = find_attr(np, "axes");
	switch (rule) {
	case RANK_SAME:
		return r0;
	case RANK_TWO:
		return 2;
	case RANK_MATMUL: {
		int r1 = np->n_input > 1 ? rank_of(&u->ranks, np->input[1]) : -1;
		if (r0 < 1 || r1 < 1)
			return -1;
		int r = r0 > r1 ? r0 : r1;
		return r0 == 1 || r1 == 1 ? r - 1 : r;
	}
	case RANK_GATHER: {
		int r1 = np->n_input > 1 ? rank_of(&u->ranks, np->input[1]) : -1;
		return r0 < 1 || r1 < 0 ? -1 : r0 + r1 - 1;
	}
	case RANK_AXES_ADD:
		return r0 < 0 || !axes ? -1 : r0 + (int)axes->n_ints;
	case RANK_AXES_DROP:
		return r0 < 0 || !axes ? -1 : r0 - (int)axes->n_ints;
	case RANK_REDUCE:
		if (r0 < 0 || attr_int(np, "keepdims", 1))
			return r0;
		return axes ? r0 - (int)axes->n_ints : 0;
	case RANK_SHAPE_INPUT:
		/* The shape's length (initializer by now) is the output's rank. */
		if (np->n_input < 2)
			return -1;
		for (size_t k = 0; k < u->g->n_initializer; k++) {
			const Onnx__TensorProto *t = u->g->initializer[k];
			if (t->name && !strcmp(t->name, np->input[1]) && t->n_dims == 1)
				return (int)t->dims[0];
		}
		return -1;
	}
	return -1;
}

static int track_ranks(struct upgrade *u, const Onnx__NodeProto *np)
{
	if (!strcmp(np->op_type, "Constant")) {
		const Onnx__AttributeProto *a = find_attr(np, "value");
		return a && a->t && np->n_output
			       ? rank_set(&u->ranks, np->output[0], (int)a->t->n_dims)
			       : 0;
	}
	if (!np->n_input)
		return 0;
	for (size_t k = 0; k < sizeof(rank_rules) / sizeof(rank_rules[0]); k++) {
		if (strcmp(np->op_type, rank_rules[k].op))
			continue;
		int r = rule_rank(u, np, rank_rules[k].rule);
		int rc = 0;
		for (size_t o = 0; !rc && o < np->n_output; o++)
			rc = rank_set(&u->ranks, np->output[o], r);
		return rc;
	}
	return 0;
}

static int upgrade_node(struct upgrade *u, size_t *i)
{
	Onnx__NodeProto *np = u->g->node[*i];
	const char *op = np->op_type;
	drop_attr(np, "consumed_inputs");
	if (is_legacy_broadcast_op(op))
		return upgrade_arith(u, i);
	if (!strcmp(op, "PRelu"))
		return upgrade_prelu(u, i);
	if (!strcmp(op, "Gemm")) {
		drop_attr(np, "broadcast");
		return 0;
	}
	if (!strcmp(op, "BatchNormalization")) {
		if (!attr_int(np, "spatial", 1))
			return fail(u, *i, -ENOTSUP,
				    "attribute spatial=0 (per-element statistics) is not supported",
				    NULL);
		if (!attr_int(np, "is_test", 0) && np->n_output > 1)
			return fail(u, *i, -ENOTSUP,
				    "attribute is_test=0 with statistics outputs (training) is not "
				    "supported",
				    NULL);
		drop_attr(np, "spatial");
		drop_attr(np, "is_test");
		return 0;
	}
	if (!strcmp(op, "Dropout")) {
		if (find_attr(np, "is_test") && !attr_int(np, "is_test", 0))
			return fail(u, *i, -ENOTSUP,
				    "attribute is_test=0 (training-mode Dropout) is not supported",
				    NULL);
		drop_attr(np, "is_test");
		return 0;
	}
	if (!strcmp(op, "Reshape"))
		return upgrade_reshape(u, *i);
	if (!strcmp(op, "Concat") && !find_attr(np, "axis"))
		return add_attr_int(np, "axis", 1);
	if (!strcmp(op, "Pad") && find_attr(np, "paddings")) {
		Onnx__AttributeProto *a = find_attr(np, "paddings");
		char *pads = strdup("pads");
		if (!pads)
			return -ENOMEM;
		free(a->name);
		a->name = pads;
		return 0;
	}
	if (!strcmp(op, "Cast"))
		return upgrade_cast(u, *i);
	if (!strcmp(op, "GRU") || !strcmp(op, "LSTM") || !strcmp(op, "RNN")) {
		drop_attr(np, "output_sequence");
		return 0;
	}
	if (!strcmp(op, "Tile") && np->n_input == 3)
		return fail(u, *i, -ENOTSUP, "the tiles and axis inputs (Tile-1) are not supported",
			    NULL);
	if (!strcmp(op, "Split") && np->n_input == 2)
		return fail(u, *i, -ENOTSUP,
			    "the split sizes as input 1 (Split-1) are not supported", NULL);
	if (!strcmp(op, "Upsample"))
		return fail(u, *i, -ENOTSUP,
			    "Upsample before opset 7 is experimental (width_scale/height_scale)",
			    NULL);
	if (!strcmp(op, "GlobalLpPool") || !strcmp(op, "LpPool")) {
		/* LpPool-1 took p as a float; LpPool-2 as an int. */
		Onnx__AttributeProto *a = find_attr(np, "p");
		if (a && a->has_f && !a->has_i) {
			int64_t v = (int64_t)a->f;
			if ((float)v != a->f)
				return fail(u, *i, -ENOTSUP, "a fractional p is not supported",
					    NULL);
			drop_attr(np, "p");
			return add_attr_int(np, "p", v);
		}
	}
	return 0;
}

static int upgrade_graph(struct art_session *s, Onnx__GraphProto *g, int64_t opset);

static int upgrade_subgraphs(struct upgrade *u, Onnx__NodeProto *np)
{
	for (size_t k = 0; k < np->n_attribute; k++) {
		Onnx__AttributeProto *a = np->attribute[k];
		int rc = a->g ? upgrade_graph(u->s, a->g, u->opset) : 0;
		for (size_t j = 0; !rc && j < a->n_graphs; j++)
			rc = upgrade_graph(u->s, a->graphs[j], u->opset);
		if (rc)
			return rc;
	}
	return 0;
}

static int upgrade_graph(struct art_session *s, Onnx__GraphProto *g, int64_t opset)
{
	struct upgrade u = {.s = s, .g = g, .opset = opset};
	int rc = 0;
	for (size_t i = 0; !rc && i < g->n_input; i++)
		rc = rank_set(&u.ranks, g->input[i]->name, declared_rank(g->input[i]));
	for (size_t i = 0; !rc && i < g->n_value_info; i++)
		rc = rank_set(&u.ranks, g->value_info[i]->name, declared_rank(g->value_info[i]));
	/* Initializers last: their data is the rank, whatever a declaration says. */
	for (size_t i = 0; !rc && i < g->n_initializer; i++)
		rc = rank_set(&u.ranks, g->initializer[i]->name, (int)g->initializer[i]->n_dims);
	for (size_t i = 0; !rc && i < g->n_node; i++) {
		if (g->node[i]->domain && g->node[i]->domain[0] &&
		    strcmp(g->node[i]->domain, "ai.onnx"))
			continue;
		rc = upgrade_node(&u, &i);
		if (!rc)
			rc = upgrade_subgraphs(&u, g->node[i]);
		if (!rc)
			rc = track_ranks(&u, g->node[i]);
	}
	free(u.ranks.names);
	free(u.ranks.ranks);
	return rc;
}

int rt_opset_upgrade(struct art_session *s)
{
	if (s->opset >= 7)
		return 0;
	int rc = upgrade_graph(s, s->model->graph, s->opset);
	if (rc == -ENOMEM)
		return rt_err(s, rc, "out of memory upgrading opset %lld to 7",
			      (long long)s->opset);
	if (rc)
		return rc;
	s->opset = 7;
	return 0;
}
