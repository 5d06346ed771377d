// SPDX-License-Identifier: MIT
/* Helpers the graph passes share: who writes and reads a value, constants,
 * and the protos of fused nodes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ir.h"

int g_op(const struct rt_node *n, const char *op)
{
	return !strcmp(n->proto->op_type, op);
}

int g_is_output(const struct art_session *s, int v)
{
	for (int i = 0; i < s->noutputs; i++)
		if (s->outputs[i] == v)
			return 1;
	return 0;
}

int g_uses(const struct art_session *s, int v)
{
	int c = 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		for (int j = 0; j < n->nin && !n->dead; j++)
			c += n->in[j] == v;
	}
	return c;
}

int g_producer(const struct art_session *s, int v)
{
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout && !s->nodes[i].dead; j++)
			if (s->nodes[i].out[j] == v)
				return i;
	return -1;
}

int g_consumer(const struct art_session *s, int v, int after)
{
	for (int i = after + 1; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nin && !s->nodes[i].dead; j++)
			if (s->nodes[i].in[j] == v)
				return i;
	return -1;
}

/* Subgraphs (If, Loop) read outer-scope values by index too. */
static void replace_in(struct rt_node *nodes, int nnodes, int from, int to)
{
	for (int i = 0; i < nnodes; i++) {
		struct rt_node *n = &nodes[i];
		for (int j = 0; j < n->nin; j++)
			if (n->in[j] == from)
				n->in[j] = to;
		for (int k = 0; k < 2; k++) {
			if (!n->sub[k])
				continue;
			replace_in(n->sub[k]->nodes, n->sub[k]->nnodes, from, to);
			for (int j = 0; j < n->sub[k]->noutputs; j++)
				if (n->sub[k]->outputs[j] == from)
					n->sub[k]->outputs[j] = to;
		}
	}
}

void g_replace_uses(struct art_session *s, int from, int to)
{
	replace_in(s->nodes, s->nnodes, from, to);
}

int g_const(const struct art_session *s, int v)
{
	return v >= 0 && s->vals[v].is_const && s->vals[v].t.data;
}

int g_static(const struct art_tensor *info)
{
	if (!info->dtype || info->ndim < 0)
		return 0;
	for (int i = 0; i < info->ndim; i++)
		if (info->dims[i] < 0)
			return 0;
	return 1;
}

int g_new_const(struct art_session *s, const char *base, int dtype, int ndim, const int64_t *dims,
		void **data)
{
	char name[512];
	for (int k = 0;; k++) {
		snprintf(name, sizeof(name), "%s/folded%d", base, k);
		int clash = 0;
		for (int i = 0; i < s->nvals && !clash; i++)
			clash = !strcmp(s->vals[i].name, name);
		if (!clash)
			break;
	}
	int v = rt_value_get(s, name);
	if (v < 0)
		return v;
	struct rt_value *val = &s->vals[v];
	val->t.dtype = dtype;
	val->t.ndim = ndim;
	for (int i = 0; i < ndim; i++)
		val->t.dims[i] = dims[i];
	size_t nb = (size_t)art_tensor_elems(&val->t) * art_dtype_size(dtype);
	val->buf = calloc(1, nb ? nb : 1);
	if (!val->buf)
		return -ENOMEM;
	val->t.data = val->buf;
	val->is_const = 1;
	val->info = val->t;
	val->info.data = NULL;
	*data = val->buf;
	return v;
}

int g_const_scalar(const struct art_session *s, const struct rt_node *n, int i, float *out)
{
	if (i >= n->nin || !g_const(s, n->in[i]))
		return 0;
	const struct art_tensor *t = &s->vals[n->in[i]].t;
	if (art_tensor_elems(t) != 1)
		return 0;
	switch (t->dtype) {
	case ART_FLOAT:
		*out = *(const float *)t->data;
		return 1;
	case ART_DOUBLE:
		*out = (float)*(const double *)t->data;
		return 1;
	default:
		return 0;
	}
}

Onnx__NodeProto *g_synth_proto(struct art_session *s, const char *op, const char *name)
{
	Onnx__NodeProto **l = realloc(s->synth, (size_t)(s->nsynth + 1) * sizeof(*l));
	if (!l)
		return NULL;
	s->synth = l;
	Onnx__NodeProto *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	onnx__node_proto__init(p);
	p->op_type = strdup(op);
	p->name = strdup(name);
	if (!p->op_type || !p->name) {
		free(p->op_type);
		free(p->name);
		free(p);
		return NULL;
	}
	s->synth[s->nsynth++] = p;
	return p;
}

static Onnx__AttributeProto *add_attr(Onnx__NodeProto *p, const char *name)
{
	Onnx__AttributeProto **l =
		realloc(p->attribute, (p->n_attribute + 1) * sizeof(*p->attribute));
	if (!l)
		return NULL;
	p->attribute = l;
	Onnx__AttributeProto *a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = strdup(name);
	if (!a->name) {
		free(a);
		return NULL;
	}
	p->attribute[p->n_attribute++] = a;
	return a;
}

int g_add_attr_f(Onnx__NodeProto *p, const char *name, float f)
{
	Onnx__AttributeProto *a = add_attr(p, name);
	if (!a)
		return -ENOMEM;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	a->has_type = 1;
	a->f = f;
	a->has_f = 1;
	return 0;
}

int g_add_attr_i(Onnx__NodeProto *p, const char *name, int64_t i)
{
	Onnx__AttributeProto *a = add_attr(p, name);
	if (!a)
		return -ENOMEM;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_type = 1;
	a->i = i;
	a->has_i = 1;
	return 0;
}

int g_set_inputs(struct rt_node *n, int nin)
{
	if (nin <= n->nin) {
		n->nin = nin;
		return 0;
	}
	int *in = realloc(n->in, (size_t)nin * sizeof(int));
	if (!in)
		return -ENOMEM;
	for (int j = n->nin; j < nin; j++)
		in[j] = -1;
	n->in = in;
	n->nin = nin;
	return 0;
}
