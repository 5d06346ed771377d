// SPDX-License-Identifier: MIT
/*
 * Blocked layouts kept between oneDNN ops. A Conv on oneDNN computes in
 * the layout it chose (nChw16c or nhwc on AVX-512) and the runtime stores
 * NCHW, so every Conv reorders its input in and its output out: on a chain
 * of convs that is two reorders per edge, a quarter of rec's run and near
 * half of cls's oneDNN time.
 *
 * The plan (made at the first oneDNN run, once per session): the output of
 * a Conv, a pool, a binary op (Add, Sub, Mul, Div, Max, Min) or an
 * activation on oneDNN's eltwise (cpu/dnnl_eltwise.c) may stay in the
 * layout its primitive wrote when every node that reads it takes that
 * layout (a Conv, a pool or an activation as X, a binary op as either
 * operand), all on the host, and it is no graph output. Its producer then
 * skips the reorder out and leaves the value "held": the NCHW buffer the
 * graph sees is allocated but not yet written. A pool, binary op or
 * activation whose input is held is made for that layout
 * (cpu/dnnl_pool.c, dnnl_binary.c, dnnl_eltwise.c) and so holds its
 * output too; a Conv reads the held memory when its primitive
 * wants that layout. Any other reader (another layout, a broadcast
 * operand, a node declined to the loops) first writes the NCHW buffer from
 * it, so the loops and every tensor read outside the chain see what they
 * always saw.
 *
 * Sessions with subgraphs (If, Loop, Scan) keep nothing: their nodes read
 * the outer values by name, outside this plan. Nor do graph folding and
 * shape inference, which run kernels outside a session run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl_memo.h"
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

enum hold_kind { HOLD_NONE, HOLD_CONV, HOLD_POOL, HOLD_BINARY, HOLD_ELTWISE };

/* How N takes a held input: Conv, the pools and the activations as X, the
 * binary ops as either operand; HOLD_NONE for every other node, which
 * wants NCHW. */
static enum hold_kind kind(const struct rt_node *n)
{
	static const struct {
		const char *op;
		enum hold_kind k;
	} ops[] = {
		{"Conv", HOLD_CONV},	      {"MaxPool", HOLD_POOL},
		{"AveragePool", HOLD_POOL},   {"GlobalAveragePool", HOLD_POOL},
		{"GlobalMaxPool", HOLD_POOL}, {"Add", HOLD_BINARY},
		{"Sub", HOLD_BINARY},	      {"Mul", HOLD_BINARY},
		{"Div", HOLD_BINARY},	      {"Max", HOLD_BINARY},
		{"Min", HOLD_BINARY},	      {"Relu", HOLD_ELTWISE},
		{"LeakyRelu", HOLD_ELTWISE},  {"Sigmoid", HOLD_ELTWISE},
		{"Elu", HOLD_ELTWISE},	      {"HardSwish", HOLD_ELTWISE},
		{"Exp", HOLD_ELTWISE},	      {"Abs", HOLD_ELTWISE},
	};
	if (n->on_device || n->reduced)
		return HOLD_NONE;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(n->proto->op_type, ops[i].op))
			return ops[i].k;
	return HOLD_NONE;
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
	/* 1: a oneDNN op's output; 2: read by a node that wants it in NCHW. */
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (kind(n) && n->nout >= 1 && n->out[0] >= 0)
			l->keep[n->out[0]] |= 1;
	}
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		int k = kind(n);
		for (int j = 0; j < n->nin; j++) {
			int takes = (k == HOLD_BINARY && n->nin == 2) || (k && j == 0);
			if (n->in[j] >= 0 && !takes)
				l->keep[n->in[j]] |= 2;
		}
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
	    n->out[0] >= l->nvals || s->vals[n->out[0]].is_const)
		return 0;
	/* Constants only: graph folding, whose result outlives the run. */
	int varies = 0;
	for (int j = 0; j < n->nin; j++)
		varies |= n->in[j] >= 0 && !rt_cpu_is_const(s, n, j);
	return varies && l->keep[n->out[0]];
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

const dnnl_memory_desc_t *rt_layout_held_md(const struct art_session *s, int v)
{
	const struct rt_memo_arg *a = held_of(s, v);
	const dnnl_memory_desc_t *md;
	if (!a || dnnl_memory_get_memory_desc(a->prim, &md) != dnnl_success)
		return NULL;
	return md;
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
