// SPDX-License-Identifier: MIT
/*
 * Blocked layouts kept between oneDNN convolutions. A Conv on oneDNN
 * computes in the layout it chose (nChw16c on AVX-512) and the runtime
 * stores NCHW, so every Conv reorders its input in and its output out:
 * on a chain of convs that is two reorders per edge, a quarter of rec's
 * run and near half of cls's oneDNN time.
 *
 * The plan (made at the first oneDNN run, once per session): a Conv's
 * output may stay in the Conv's own layout when every node that reads it
 * is a Conv reading it as X on the host path, and it is no graph output.
 * Its producer then skips the reorder out and leaves the value "held":
 * the NCHW buffer the graph sees is allocated but not yet written. A
 * consumer whose primitive wants that very layout reads the held memory;
 * any other (another layout, a primitive declined for the loops) first
 * writes the NCHW buffer from it, so the loops and every tensor read
 * outside the chain see what they always saw.
 *
 * Sessions with subgraphs (If, Loop, Scan) keep nothing: their nodes read
 * the outer values by name, outside this plan. Nor does graph folding or
 * shape inference, which run kernels outside a session run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl_priv.h"
#include "cpu/layout.h"

/* 1 when node N has a graph-valued attribute (a subgraph). */
static int has_subgraph(const struct rt_node *n)
{
	for (size_t i = 0; i < n->proto->n_attribute; i++) {
		int t = n->proto->attribute[i]->type;
		if (t == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH ||
		    t == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS)
			return 1;
	}
	return 0;
}

static int plan(struct art_session *s, struct rt_layout *l)
{
	l->nvals = s->nvals;
	l->keep = calloc((size_t)s->nvals + 1, 1);
	l->held = calloc((size_t)s->nvals + 1, sizeof(*l->held));
	l->held_run = calloc((size_t)s->nvals + 1, sizeof(*l->held_run));
	if (!l->keep || !l->held || !l->held_run)
		return rt_err(s, -ENOMEM, "out of memory planning the CPU layouts");
	l->planned = 1;
	for (int i = 0; i < s->nnodes; i++)
		if (has_subgraph(&s->nodes[i]))
			return 0;
	/* 1: a Conv's output; 2: read by something other than a host Conv's X. */
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (!strcmp(n->proto->op_type, "Conv") && !n->on_device && !n->reduced &&
		    n->nout >= 1 && n->out[0] >= 0)
			l->keep[n->out[0]] |= 1;
	}
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		int conv = !strcmp(n->proto->op_type, "Conv") && !n->on_device && !n->reduced;
		for (int j = 0; j < n->nin; j++)
			if (n->in[j] >= 0 && (!conv || j != 0))
				l->keep[n->in[j]] |= 2;
	}
	for (int i = 0; i < s->noutputs; i++)
		l->keep[s->outputs[i]] |= 2;
	for (int v = 0; v < s->nvals; v++)
		l->keep[v] = l->keep[v] == 1;
	return 0;
}

int rt_layout_may_hold(struct art_session *s, const struct rt_node *n)
{
	struct rt_layout *l = &s->cpu->layout;
	if (!l->planned && plan(s, l))
		return -ENOMEM;
	if (s->known || n < s->nodes || n >= s->nodes + s->nnodes || n->nout < 1 || n->out[0] < 0 ||
	    n->out[0] >= l->nvals || rt_cpu_is_const(s, n, 0) || s->vals[n->out[0]].is_const)
		return 0;
	return l->keep[n->out[0]];
}

void rt_layout_hold(struct art_session *s, int v, const struct rt_memo_arg *a)
{
	struct rt_layout *l = &s->cpu->layout;
	l->held[v] = a;
	l->held_run[v] = s->runs;
}

void rt_layout_drop(struct art_session *s, int v)
{
	struct rt_layout *l = &s->cpu->layout;
	if (v >= 0 && v < l->nvals && l->held)
		l->held[v] = NULL;
}

/* The producer's operand holding V in its layout, NULL when V's NCHW
 * buffer is current. */
static const struct rt_memo_arg *held_of(const struct art_session *s, int v)
{
	const struct rt_layout *l = &s->cpu->layout;
	if (v < 0 || v >= l->nvals || !l->held || !l->held[v] || l->held_run[v] != s->runs)
		return NULL;
	return l->held[v];
}

int rt_layout_materialise(struct art_session *s, int v)
{
	const struct rt_memo_arg *a = held_of(s, v);
	if (!a)
		return 0;
	struct rt_cpu *c = s->cpu;
	s->cpu->layout.held[v] = NULL;
	dnnl_status_t st = dnnl_memory_set_data_handle(a->user, (void *)s->vals[v].t.data);
	if (st == dnnl_success) {
		dnnl_exec_arg_t ea[2] = {{DNNL_ARG_FROM, a->prim}, {DNNL_ARG_TO, a->user}};
		st = dnnl_primitive_execute(a->reorder, c->stream, 2, ea);
	}
	if (st == dnnl_success)
		st = dnnl_stream_wait(c->stream);
	if (st != dnnl_success)
		return rt_err(s, st == dnnl_out_of_memory ? -ENOMEM : -EIO,
			      "value '%s': oneDNN failed to reorder it to NCHW (status %d)",
			      s->vals[v].name, (int)st);
	return 0;
}

int rt_layout_inputs_plain(struct art_session *s, const struct rt_node *n)
{
	for (int j = 0; j < n->nin; j++) {
		int rc = rt_layout_materialise(s, n->in[j]);
		if (rc)
			return rc;
	}
	return 0;
}

int rt_layout_take(struct art_session *s, int v, const struct rt_memo_arg *want, dnnl_memory_t *mem)
{
	*mem = NULL;
	const struct rt_memo_arg *a = held_of(s, v);
	if (!a)
		return 0;
	const dnnl_memory_desc_t *have, *need;
	if (want->mode == RT_ARG_REORDER &&
	    dnnl_memory_get_memory_desc(a->prim, &have) == dnnl_success &&
	    dnnl_memory_get_memory_desc(want->prim, &need) == dnnl_success &&
	    dnnl_memory_desc_equal(have, need)) {
		*mem = a->prim;
		return 0;
	}
	return rt_layout_materialise(s, v);
}

void rt_layout_free(struct rt_layout *l)
{
	free(l->keep);
	free(l->held);
	free(l->held_run);
	memset(l, 0, sizeof(*l));
}
