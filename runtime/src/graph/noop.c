// SPDX-License-Identifier: MIT
/*
 * No-op removal: Identity, inference Dropout, Reshape/Flatten/Squeeze/
 * Unsqueeze whose output shape is their input's (both fully static), Cast
 * to the type it already has. The node's readers read its input instead;
 * when its output is a graph output the producer of its input writes that
 * output directly, so graph outputs keep their names.
 */
#include "graph/ir.h"
#include "graph/passes.h"

static int same_info(const struct art_tensor *a, const struct art_tensor *b)
{
	if (!g_static(a) || !g_static(b) || a->dtype != b->dtype || a->ndim != b->ndim)
		return 0;
	for (int i = 0; i < a->ndim; i++)
		if (a->dims[i] != b->dims[i])
			return 0;
	return 1;
}

static int is_noop(const struct art_session *s, const struct rt_node *n)
{
	if (n->nin < 1 || n->in[0] < 0 || n->nout < 1 || n->out[0] < 0 || n->act)
		return 0;
	for (int j = 1; j < n->nout; j++)
		if (n->out[j] >= 0 && (g_uses(s, n->out[j]) || g_is_output(s, n->out[j])))
			return 0; /* Dropout's mask is read */
	const struct art_tensor *x = &s->vals[n->in[0]].info, *y = &s->vals[n->out[0]].info;
	if (g_op(n, "Identity") || g_op(n, "Dropout"))
		return 1;
	if (g_op(n, "Reshape") || g_op(n, "Flatten") || g_op(n, "Squeeze") || g_op(n, "Unsqueeze"))
		return same_info(x, y);
	if (g_op(n, "Cast"))
		return x->dtype && x->dtype == rt_attr_i(n, "to", 0);
	return 0;
}

int g_remove_noops(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (n->dead || !is_noop(s, n))
			continue;
		int x = n->in[0], y = n->out[0];
		if (!g_is_output(s, y)) {
			g_replace_uses(s, y, x);
			n->dead = 1;
			continue;
		}
		/* Y is a graph output: X's producer writes Y instead, if X is
		 * nothing the caller sees (a graph input, output or constant). */
		int p = g_producer(s, x);
		if (p < 0 || g_is_output(s, x) || s->vals[x].is_const)
			continue;
		struct rt_node *pn = &s->nodes[p];
		for (int j = 0; j < pn->nout; j++)
			if (pn->out[j] == x)
				pn->out[j] = y;
		n->dead = 1;
		g_replace_uses(s, x, y);
		struct art_tensor keep = s->vals[y].info;
		if (!keep.dtype || keep.ndim < 0)
			s->vals[y].info = s->vals[x].info;
	}
	return 0;
}
