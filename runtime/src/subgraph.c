// SPDX-License-Identifier: MIT
/*
 * Subgraphs on the device (subgraph.h). A child is made when its body
 * first runs, for the dtypes and shapes of that run's inputs (declared
 * static, so placement by benefit sees the real work), and made again
 * when they change; a body whose inputs keep changing shape, or that
 * reads or yields what a session cannot take as an input or output
 * (strings, sequences), runs node by node on the CPU as before, and the
 * subgraph's entry says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/device.h"
#include "subgraph.h"

/* A body remade for this many different input shapes stays on the CPU:
 * remaking costs a placement, a plan and a weight upload per shape. */
#define MAX_REMAKES 4

struct names {
	const char **v;
	int n;
};

static int names_has(const struct names *l, const char *x)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], x))
			return 1;
	return 0;
}

static int names_add(struct names *l, const char *x)
{
	if (!x || !x[0] || names_has(l, x))
		return 0;
	const char **nv = realloc(l->v, (size_t)(l->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv[l->n++] = x;
	l->v = nv;
	return 0;
}

static int defines(const Onnx__GraphProto *g, const char *x)
{
	for (size_t i = 0; i < g->n_input; i++)
		if (!strcmp(g->input[i]->name, x))
			return 1;
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, x))
			return 1;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t o = 0; o < g->node[i]->n_output; o++)
			if (!strcmp(g->node[i]->output[o], x))
				return 1;
	return 0;
}

/* Names G reads from outer scopes, its nested subgraphs' included. */
static int outer_names(const Onnx__GraphProto *g, struct names *out)
{
	int rc = 0;
	for (size_t i = 0; i < g->n_node && !rc; i++) {
		const Onnx__NodeProto *np = g->node[i];
		for (size_t j = 0; j < np->n_input && !rc; j++)
			if (np->input[j][0] && !defines(g, np->input[j]))
				rc = names_add(out, np->input[j]);
		for (size_t a = 0; a < np->n_attribute && !rc; a++) {
			const Onnx__AttributeProto *at = np->attribute[a];
			for (size_t m = 0; m <= at->n_graphs && !rc; m++) {
				const Onnx__GraphProto *sg =
					m < at->n_graphs ? at->graphs[m] : at->g;
				struct names inner = {0};
				if (sg)
					rc = outer_names(sg, &inner);
				for (int k = 0; k < inner.n && !rc; k++)
					if (!defines(g, inner.v[k]))
						rc = names_add(out, inner.v[k]);
				free(inner.v);
			}
		}
	}
	for (size_t i = 0; i < g->n_output && !rc; i++)
		if (!defines(g, g->output[i]->name))
			rc = names_add(out, g->output[i]->name);
	return rc;
}

/* Whether G (or a subgraph in it) makes sequences or optionals, which a
 * session's outputs and inputs cannot carry between the parent and a
 * child the way the value table does. */
static int uses_sequences(const Onnx__GraphProto *g)
{
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		if (strstr(np->op_type, "Sequence") || strstr(np->op_type, "Optional"))
			return 1;
		for (size_t a = 0; a < np->n_attribute; a++) {
			const Onnx__AttributeProto *at = np->attribute[a];
			if (at->g && uses_sequences(at->g))
				return 1;
			for (size_t m = 0; m < at->n_graphs; m++)
				if (uses_sequences(at->graphs[m]))
					return 1;
		}
	}
	return 0;
}

static const Onnx__GraphProto *graph_attr(const struct rt_node *owner, int which, const char **attr)
{
	const char *name = strcmp(owner->proto->op_type, "If") ? "body"
			   : which			       ? "else_branch"
							       : "then_branch";
	*attr = name;
	for (size_t a = 0; a < owner->proto->n_attribute; a++)
		if (!strcmp(owner->proto->attribute[a]->name, name))
			return owner->proto->attribute[a]->g;
	return NULL;
}

/* Whether T can be a child's input: a tensor with data, not strings. */
static const char *not_an_input(const struct rt_value *v)
{
	if (v->seq)
		return "a sequence";
	if (!v->t.data)
		return "not computed";
	if (v->t.dtype == ART_STRING)
		return "strings";
	return NULL;
}

/* Builder of a child model: the parts it allocates, freed after packing. */
struct child_build {
	Onnx__ValueInfoProto *vi, **vip;
	Onnx__TypeProto *tp;
	Onnx__TypeProto__Tensor *tt;
	Onnx__TensorShapeProto *sh;
	Onnx__TensorShapeProto__Dimension *dim, **dimp;
	Onnx__TensorProto *init, **initp;
	Onnx__OperatorSetIdProto *ops, **opsp;
};

static void build_free(struct child_build *b)
{
	free(b->vi);
	free(b->vip);
	free(b->tp);
	free(b->tt);
	free(b->sh);
	free(b->dim);
	free(b->dimp);
	free(b->init);
	free(b->initp);
	free(b->ops);
	free(b->opsp);
}

/* The model of subgraph SG with its outer names OUTER: value VALS[k] of S
 * for each of the NV names (SG's inputs, then OUTER's); constants known
 * at S's creation become initializers, the rest static-shaped inputs. */
static Onnx__ModelProto *child_model(struct art_session *s, struct rt_sub *e,
				     const Onnx__GraphProto *sg, const struct names *nm,
				     const int *vals, int nv)
{
	struct child_build b = {0};
	Onnx__ModelProto *out = NULL;
	const Onnx__ModelProto *pm = s->model;
	size_t nops = pm->n_opset_import;
	b.vi = calloc((size_t)nv + 1, sizeof(*b.vi));
	b.vip = calloc((size_t)nv + 1, sizeof(*b.vip));
	b.tp = calloc((size_t)nv + 1, sizeof(*b.tp));
	b.tt = calloc((size_t)nv + 1, sizeof(*b.tt));
	b.sh = calloc((size_t)nv + 1, sizeof(*b.sh));
	b.dim = calloc((size_t)nv * ART_MAX_DIMS + 1, sizeof(*b.dim));
	b.dimp = calloc((size_t)nv * ART_MAX_DIMS + 1, sizeof(*b.dimp));
	b.init = calloc((size_t)nv + 1, sizeof(*b.init));
	b.initp = calloc(sg->n_initializer + (size_t)nv + 1, sizeof(*b.initp));
	b.ops = calloc(nops + 1, sizeof(*b.ops));
	b.opsp = calloc(nops + 1, sizeof(*b.opsp));
	if (!b.vi || !b.vip || !b.tp || !b.tt || !b.sh || !b.dim || !b.dimp || !b.init ||
	    !b.initp || !b.ops || !b.opsp)
		goto done;
	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
	g.name = e->label;
	g.n_node = sg->n_node;
	g.node = sg->node;
	g.n_output = sg->n_output;
	g.output = sg->output;
	g.n_value_info = sg->n_value_info;
	g.value_info = sg->value_info;
	g.n_sparse_initializer = sg->n_sparse_initializer;
	g.sparse_initializer = sg->sparse_initializer;
	g.initializer = b.initp;
	for (size_t i = 0; i < sg->n_initializer; i++)
		b.initp[g.n_initializer++] = sg->initializer[i];
	g.input = b.vip;
	e->nin = 0;
	for (int k = 0; k < nv; k++) {
		const struct art_tensor *t = &s->vals[vals[k]].t;
		if (dev_is_const(s, vals[k]) && !dev_is_plan_time(s, vals[k])) {
			Onnx__TensorProto *tp = &b.init[k];
			onnx__tensor_proto__init(tp);
			tp->name = (char *)nm->v[k];
			tp->has_data_type = 1;
			tp->data_type = t->dtype;
			tp->n_dims = (size_t)t->ndim;
			tp->dims = (int64_t *)t->dims;
			tp->has_raw_data = 1;
			tp->raw_data.len = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
			tp->raw_data.data = (uint8_t *)t->data;
			b.initp[g.n_initializer++] = tp;
			continue;
		}
		Onnx__TensorShapeProto *sh = &b.sh[k];
		onnx__tensor_shape_proto__init(sh);
		sh->dim = &b.dimp[k * ART_MAX_DIMS];
		for (int d = 0; d < t->ndim; d++) {
			Onnx__TensorShapeProto__Dimension *dm = &b.dim[k * ART_MAX_DIMS + d];
			onnx__tensor_shape_proto__dimension__init(dm);
			dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			dm->dim_value = t->dims[d];
			sh->dim[sh->n_dim++] = dm;
		}
		onnx__type_proto__tensor__init(&b.tt[k]);
		b.tt[k].has_elem_type = 1;
		b.tt[k].elem_type = t->dtype;
		b.tt[k].shape = sh;
		onnx__type_proto__init(&b.tp[k]);
		b.tp[k].value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
		b.tp[k].tensor_type = &b.tt[k];
		onnx__value_info_proto__init(&b.vi[k]);
		b.vi[k].name = (char *)nm->v[k];
		b.vi[k].type = &b.tp[k];
		g.input[g.n_input++] = &b.vi[k];
		e->vin[e->nin] = vals[k];
		e->key[e->nin] = *t;
		e->key[e->nin++].data = NULL;
	}
	Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
	m.has_ir_version = pm->has_ir_version;
	m.ir_version = pm->ir_version;
	m.graph = &g;
	m.opset_import = b.opsp;
	for (size_t i = 0; i < nops; i++) {
		/* The parent's graph may have been upgraded past its import. */
		b.ops[i] = *pm->opset_import[i];
		const char *dom = b.ops[i].domain;
		if (!dom || !dom[0] || !strcmp(dom, "ai.onnx"))
			b.ops[i].version = s->opset;
		b.opsp[m.n_opset_import++] = &b.ops[i];
	}
	size_t len = onnx__model_proto__get_packed_size(&m);
	uint8_t *buf = malloc(len ? len : 1);
	if (buf) {
		onnx__model_proto__pack(&m, buf);
		out = onnx__model_proto__unpack(NULL, len, buf);
		free(buf);
	}
done:
	build_free(&b);
	return out;
}

static struct rt_sub *sub_entry(struct art_session *s, const struct rt_node *owner,
				const struct rt_graph *g)
{
	for (int i = 0; i < s->nsubs; i++)
		if (s->subs[i]->owner == owner && s->subs[i]->g == g)
			return s->subs[i];
	struct rt_sub **ns = realloc(s->subs, (size_t)(s->nsubs + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	s->subs = ns;
	struct rt_sub *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->owner = owner;
	e->g = g;
	s->subs[s->nsubs++] = e;
	return e;
}

static void give_up(struct rt_sub *e, const char *fmt, const char *a, const char *b)
{
	char buf[512];
	snprintf(buf, sizeof(buf), fmt, a, b);
	free(e->why);
	e->why = strdup(buf);
}

/* Makes E's child for the current values of S; 0, -ENOSYS when the body
 * stays on the CPU (E->why says why), or -ENOMEM. */
static int make_child(struct art_session *s, struct rt_sub *e)
{
	const char *attr;
	int which = e->owner->sub[1] == e->g;
	const Onnx__GraphProto *sg = graph_attr(e->owner, which, &attr);
	snprintf(e->label, sizeof(e->label), "%s/%s", e->owner->name, attr);
	if (!sg) {
		give_up(e, "%s: no subgraph attribute %s", e->owner->name, attr);
		return -ENOSYS;
	}
	if (uses_sequences(sg)) {
		give_up(e, "%s makes sequences or optionals%s", e->label, "");
		return -ENOSYS;
	}
	struct names nm = {0};
	int rc = 0, *vals = NULL;
	for (size_t i = 0; i < sg->n_input && !rc; i++)
		rc = names_add(&nm, sg->input[i]->name);
	if (!rc)
		rc = outer_names(sg, &nm);
	if (!rc && !(vals = calloc((size_t)nm.n + 1, sizeof(int))))
		rc = -ENOMEM;
	free(e->vin);
	free(e->key);
	e->vin = calloc((size_t)nm.n + 1, sizeof(int));
	e->key = calloc((size_t)nm.n + 1, sizeof(*e->key));
	if (!rc && (!e->vin || !e->key))
		rc = -ENOMEM;
	for (int k = 0; k < nm.n && !rc; k++) {
		vals[k] = rt_value_find(s, nm.v[k]);
		const char *bad = vals[k] < 0 ? "unknown" : not_an_input(&s->vals[vals[k]]);
		if (bad) {
			give_up(e, "reads '%s', which is %s here", nm.v[k], bad);
			rc = -ENOSYS;
		}
	}
	Onnx__ModelProto *m = rc ? NULL : child_model(s, e, sg, &nm, vals, nm.n);
	free(nm.v);
	free(vals);
	if (rc)
		return rc;
	if (!m)
		return -ENOMEM;
	rc = rt_session_create_child(s, e->label, m, &e->child);
	if (rc == -ENOMEM) {
		art_session_destroy(e->child);
		e->child = NULL;
		return rc;
	}
	for (int j = 0; !rc && j < art_session_output_count(e->child); j++)
		if (art_session_output_kind(e->child, j) != ART_KIND_TENSOR)
			rc = -ENOSYS;
	if (rc) {
		give_up(e, "its session: %s%s", art_session_errmsg(e->child),
			rc == -ENOSYS ? "an output is not a tensor" : "");
		art_session_destroy(e->child);
		e->child = NULL;
		return -ENOSYS;
	}
	return 0;
}

static int same_key(const struct rt_sub *e, const struct art_session *s)
{
	for (int k = 0; k < e->nin; k++) {
		const struct art_tensor *t = &s->vals[e->vin[k]].t, *c = &e->key[k];
		if (!t->data || t->dtype != c->dtype || t->ndim != c->ndim ||
		    memcmp(t->dims, c->dims, sizeof(int64_t) * (size_t)t->ndim))
			return 0;
	}
	return 1;
}

int rt_subgraph_run(struct art_session *s, const struct rt_node *owner, const struct rt_graph *g)
{
	struct rt_sub *e = sub_entry(s, owner, g);
	if (!e)
		return rt_err(s, -ENOMEM, "node '%s': out of memory", owner->name);
	e->calls++;
	if (!e->child && e->why)
		return -ENOSYS;
	if (e->child && !same_key(e, s)) {
		art_session_destroy(e->child);
		e->child = NULL;
		if (++e->remakes > MAX_REMAKES) {
			give_up(e, "its inputs changed shape more than %s times%s", "4", "");
			return -ENOSYS;
		}
	}
	int rc = e->child ? 0 : make_child(s, e);
	if (rc == -ENOMEM)
		return rt_err(s, rc, "node '%s': out of memory making its subgraph's session",
			      owner->name);
	if (rc)
		return rc;
	for (int k = 0; k < e->nin && !rc; k++)
		rc = art_session_set_input(e->child, k, &s->vals[e->vin[k]].t);
	if (!rc)
		rc = art_session_run(e->child);
	for (int j = 0; !rc && j < g->noutputs; j++) {
		struct art_tensor t;
		rc = art_session_get_output(e->child, j, &t);
		if (!rc)
			rc = rt_value_set(s, g->outputs[j], &t);
	}
	if (rc)
		return rt_err(s, rc, "%s: %s", e->label, art_session_errmsg(e->child));
	return 0;
}

void rt_subgraph_run_begin(struct art_session *s)
{
	for (int i = 0; i < s->nsubs; i++)
		s->subs[i]->calls = 0;
}

void rt_subgraph_free(struct art_session *s)
{
	for (int i = 0; i < s->nsubs; i++) {
		art_session_destroy(s->subs[i]->child);
		free(s->subs[i]->why);
		free(s->subs[i]->vin);
		free(s->subs[i]->key);
		free(s->subs[i]);
	}
	free(s->subs);
	s->subs = NULL;
	s->nsubs = 0;
}

int art_session_subgraph_count(const art_session *s)
{
	return s ? s->nsubs : -EINVAL;
}

int art_session_subgraph(const art_session *s, int idx, const char **label, uint64_t *calls,
			 const art_session **sub, const char **why)
{
	if (!s || idx < 0 || idx >= s->nsubs)
		return -EINVAL;
	const struct rt_sub *e = s->subs[idx];
	if (label)
		*label = e->label[0] ? e->label : e->owner->name;
	if (calls)
		*calls = e->calls;
	if (sub)
		*sub = e->child;
	if (why)
		*why = e->child ? NULL : e->why;
	return 0;
}
