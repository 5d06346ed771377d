// SPDX-License-Identifier: MIT
/*
 * The graph pass driver (the passes' shared helpers are graph/ir.c), and
 * the nodes' lifetime. Optimisation
 * runs once at session creation; ART_NO_OPT (flag or environment) keeps
 * the graph as loaded so tests can compare both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "graph/graph.h"
#include "graph/ir.h"
#include "graph/passes.h"

void rt_graph_free(struct art_session *s)
{
	for (int i = 0; i < s->nsynth; i++) {
		Onnx__NodeProto *p = s->synth[i];
		for (size_t a = 0; a < p->n_attribute; a++) {
			free(p->attribute[a]->name);
			free(p->attribute[a]);
		}
		free(p->attribute);
		free(p->op_type);
		free(p->name);
		free(p);
	}
	free(s->synth);
	free(s->bound);
}

static void compact(struct art_session *s)
{
	int k = 0;
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (n->dead) {
			rt_node_free(n);
			continue;
		}
		s->nodes[k++] = *n;
	}
	s->nnodes = k;
}

/* Marks every value the nodes (and their subgraphs, which have their own
 * constants) read. */
static void mark_read(const struct rt_node *nodes, int nnodes, char *read)
{
	for (int i = 0; i < nnodes; i++) {
		const struct rt_node *n = &nodes[i];
		for (int j = 0; j < n->nin && !n->dead; j++)
			if (n->in[j] >= 0)
				read[n->in[j]] = 1;
		for (int k = 0; k < 2 && !n->dead; k++) {
			if (!n->sub[k])
				continue;
			mark_read(n->sub[k]->nodes, n->sub[k]->nnodes, read);
			for (int j = 0; j < n->sub[k]->noutputs; j++)
				if (n->sub[k]->outputs[j] >= 0)
					read[n->sub[k]->outputs[j]] = 1;
		}
	}
}

/* Constants no node reads any more (weights a fusion rewrote, inputs of
 * folded nodes) give their memory back; graph outputs keep theirs. */
static void free_unused_consts(struct art_session *s)
{
	char *read = calloc((size_t)s->nvals + 1, 1);
	if (!read)
		return; /* keeping them is still correct */
	mark_read(s->nodes, s->nnodes, read);
	/* The 8-bit sources of dequantised constants stay for the device's
	 * QDQ fusion (device/qdq.c). */
	for (int v = 0; v < s->nvals; v++)
		for (int k = 0; read[v] && k < 3 && s->vals[v].dq_src[0] >= 0; k++)
			if (s->vals[v].dq_src[k] >= 0)
				read[s->vals[v].dq_src[k]] = 1;
	for (int v = 0; v < s->nvals; v++) {
		if (!g_const(s, v) || g_is_output(s, v) || read[v])
			continue;
		free(s->vals[v].buf);
		s->vals[v].buf = NULL;
		s->vals[v].t.data = NULL;
	}
	free(read);
}

static int opt_disabled(const struct art_session *s)
{
	const char *e = getenv("ART_NO_OPT");
	return (s->flags & ART_NO_OPT) || (e && e[0] && strcmp(e, "0"));
}

int rt_graph_optimize(struct art_session *s)
{
	s->loaded_nodes = s->nnodes;
	g_infer_all(s, 0);
	if (opt_disabled(s))
		return 0;
	int rc = g_fold(s);
	compact(s);
	if (rc)
		return rc;
	g_remove_dead(s);
	compact(s);
	rc = g_remove_noops(s);
	compact(s);
	if (rc)
		return rc;
	rc = g_fuse(s);
	compact(s);
	if (rc)
		return rc;
	g_remove_dead(s);
	compact(s);
	free_unused_consts(s);
	return 0;
}

int rt_graph_optimize_host(struct art_session *s)
{
	if (opt_disabled(s))
		return 0;
	int rc = g_fuse_host(s);
	compact(s);
	if (rc)
		return rc;
	free_unused_consts(s);
	return 0;
}

static int same_shape(const struct art_tensor *a, const struct art_tensor *b)
{
	return a->dtype == b->dtype && a->ndim == b->ndim &&
	       !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)(a->ndim > 0 ? a->ndim : 0));
}

int rt_graph_bind_inputs(struct art_session *s)
{
	if (!s->bound) {
		s->bound = calloc((size_t)s->ninputs + 1, sizeof(*s->bound));
		if (!s->bound)
			return rt_err(s, -ENOMEM, "out of memory binding input shapes");
		for (int i = 0; i < s->ninputs; i++)
			s->bound[i].ndim = -1;
	}
	int changed = 0;
	for (int i = 0; i < s->ninputs; i++) {
		const struct art_tensor *t = &s->vals[s->inputs[i]].t;
		if (t->data && !same_shape(t, &s->bound[i])) {
			s->bound[i] = *t;
			s->bound[i].data = NULL;
			changed = 1;
		}
	}
	if (changed)
		g_infer_all(s, 1);
	return 0;
}

static void graph_free(struct rt_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->nnodes; i++)
		rt_node_free(&g->nodes[i]);
	free(g->nodes);
	free(g->inputs);
	free(g->outputs);
	free(g);
}

void rt_node_free(struct rt_node *n)
{
	if (n->reason_owned)
		free((void *)n->placement_reason);
	free(n->in);
	free(n->out);
	graph_free(n->sub[0]);
	graph_free(n->sub[1]);
	rt_cpu_memo_free(n);
	free((void *)n->precision_note);
	free(n->reduced_w[0]);
	free(n->reduced_w[1]);
}
