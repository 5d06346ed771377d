// SPDX-License-Identifier: MIT
/*
 * Constant folding and dead-node removal. A node whose inputs are all
 * constants runs once here through its CPU kernel and its outputs become
 * constants; Shape of a value whose shape inference knows fully becomes a
 * constant too. Together they turn shape arithmetic on static shapes
 * (Shape -> Gather -> Concat -> Reshape) into constant reshapes, and the
 * weights held in Constant nodes into plain constants.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"
#include "graph/ir.h"
#include "graph/passes.h"

static int all_inputs_const(const struct art_session *s, const struct rt_node *n)
{
	for (int j = 0; j < n->nin; j++)
		if (n->in[j] >= 0 && !g_const(s, n->in[j]))
			return 0;
	return n->nout > 0;
}

static int fold_node(struct art_session *s, struct rt_node *n)
{
	int rc = rt_kernel_check_dtypes(s, n, 0);
	if (!rc)
		rc = n->fn(s, n);
	if (rc)
		return rc;
	int dq = g_op(n, "DequantizeLinear") && !rt_attr_i(n, "block_size", 0);
	for (int j = 0; j < n->nout; j++) {
		int v = n->out[j];
		if (v < 0)
			continue;
		for (int k = 0; dq && k < 3; k++)
			s->vals[v].dq_src[k] = k < n->nin ? n->in[k] : -1;
		s->vals[v].dq_axis = rt_attr_i(n, "axis", 1);
		s->vals[v].is_const = 1;
		s->vals[v].info = s->vals[v].t;
		s->vals[v].info.data = NULL;
	}
	n->dead = 1;
	s->graph_folded++;
	return 0;
}

/* Shape of a value whose shape is known: its dims, as a constant. */
static int fold_shape(struct art_session *s, struct rt_node *n)
{
	const struct art_tensor *x = &s->vals[n->in[0]].info;
	int64_t r = x->ndim, b = rt_attr_i(n, "start", 0), e = rt_attr_i(n, "end", r);
	b = b < 0 ? b + r : b;
	e = e < 0 ? e + r : e;
	b = b < 0 ? 0 : b > r ? r : b;
	e = e < 0 ? 0 : e > r ? r : e;
	int64_t len = e > b ? e - b : 0;
	struct rt_value *o = &s->vals[n->out[0]];
	o->t.dtype = ART_INT64;
	o->t.ndim = 1;
	o->t.dims[0] = len;
	free(o->buf);
	o->buf = calloc(1, (size_t)(len ? len : 1) * sizeof(int64_t));
	if (!o->buf)
		return rt_err(s, -ENOMEM, "node '%s': out of memory folding Shape", n->name);
	memcpy(o->buf, x->dims + b, (size_t)len * sizeof(int64_t));
	o->t.data = o->buf;
	o->is_const = 1;
	o->info = o->t;
	o->info.data = NULL;
	n->dead = 1;
	s->graph_folded++;
	return 0;
}

int g_fold(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		int rc = 0;
		if (n->dead)
			continue;
		if (n->fn && all_inputs_const(s, n) && !rt_kernel_is_sequence_op(n->proto->op_type))
			rc = fold_node(s, n);
		else if (g_op(n, "Shape") && n->nout == 1 && n->out[0] >= 0 && n->nin == 1 &&
			 n->in[0] >= 0 && g_static(&s->vals[n->in[0]].info))
			rc = fold_shape(s, n);
		else
			g_infer_node(s, n);
		if (rc)
			return rc;
	}
	return 0;
}

/* Nodes none of whose outputs reach a graph output go. */
void g_remove_dead(struct art_session *s)
{
	char *live = calloc((size_t)s->nvals + 1, 1);
	if (!live)
		return; /* nothing removed: still correct */
	for (int i = 0; i < s->noutputs; i++)
		live[s->outputs[i]] = 1;
	for (int i = s->nnodes - 1; i >= 0; i--) {
		struct rt_node *n = &s->nodes[i];
		if (n->dead)
			continue;
		int used = 0;
		for (int j = 0; j < n->nout; j++)
			used |= n->out[j] >= 0 && live[n->out[j]];
		if (!used) {
			n->dead = 1;
			continue;
		}
		for (int j = 0; j < n->nin; j++)
			if (n->in[j] >= 0)
				live[n->in[j]] = 1;
	}
	free(live);
}
