// SPDX-License-Identifier: MIT
/*
 * Partitioning and memory planning. Adjacent device nodes (in the graph's
 * topological order; nodes folded to constants do not separate them) form
 * one partition, whose only transfers are its inputs copied into the
 * activation arena and its outputs copied out. Within a partition every
 * value gets an arena offset from its lifetime (the node that writes it to
 * the last node that reads it or a view of it), and values whose lifetimes
 * do not overlap share bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "device/cost.h"
#include "device/common.h"

#define ARENA_ALIGN 64

static int folded(const struct art_session *s, const struct rt_node *n)
{
	if (n->plan_time)
		return 1;
	if (n->on_device || n->nout == 0)
		return 0;
	for (int j = 0; j < n->nout; j++)
		if (n->out[j] >= 0 && !dev_is_const(s, n->out[j]))
			return 0;
	return 1;
}

static int add_unique(int **v, int *n, int x)
{
	for (int i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	int *nv = realloc(*v, (size_t)(*n + 1) * sizeof(int));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

static int is_graph_output(const struct art_session *s, int v)
{
	for (int i = 0; i < s->noutputs; i++)
		if (s->outputs[i] == v)
			return 1;
	return 0;
}

int dev_partition_graph(struct art_session *s)
{
	struct rt_device *d = s->dev;
	int cur = -1;
	/* Which capable nodes pay on the device decides the partitions. */
	if (s->placement == ART_PLACEMENT_BENEFIT) {
		d->cost = malloc(sizeof(*d->cost));
		if (!d->cost)
			return rt_err(s, -ENOMEM, "placement: out of memory");
		/* A subgraph's session decides with its parent's measurement:
		 * one machine, and calibrating costs device round trips. */
		if (s->parent && s->parent->dev && s->parent->dev->cost)
			*d->cost = *s->parent->dev->cost;
		else
			dev_cost_calibrate(s, d->cost);
		int rc = dev_place_by_cost(s, d->cost);
		if (!rc)
			rc = dev_qdq_fuse(s, 1);
		if (rc)
			return rt_err(s, rc, "placement: out of memory");
	}
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (folded(s, n))
			continue;
		if (!n->on_device) {
			cur = -1;
			continue;
		}
		if (cur < 0) {
			struct dev_partition *np =
				realloc(d->parts, (size_t)(d->nparts + 1) * sizeof(*np));
			if (!np)
				return -ENOMEM;
			d->parts = np;
			cur = d->nparts++;
			memset(&d->parts[cur], 0, sizeof(d->parts[cur]));
			/* Shape arithmetic just before (among constants) belongs to
			 * this partition's plan. */
			int first = i;
			while (first > 0 && folded(s, &s->nodes[first - 1]))
				first--;
			d->parts[cur].first = first;
		}
		d->parts[cur].last = i;
		n->partition = cur;
	}
	for (int pi = 0; pi < d->nparts; pi++) {
		struct dev_partition *p = &d->parts[pi];
		for (int i = p->first; i <= p->last; i++) {
			const struct rt_node *n = &s->nodes[i];
			if (n->plan_time && !strcmp(n->proto->op_type, "Shape")) {
				/* Shapes of host values are part of the plan's key. */
				int v = n->in[0], dev = 0;
				for (int k = p->first; k < i; k++)
					for (int o = 0; o < s->nodes[k].nout; o++)
						dev |= s->nodes[k].on_device &&
						       s->nodes[k].out[o] == v;
				if (!dev && add_unique(&p->skeys, &p->nskeys, v))
					return -ENOMEM;
				continue;
			}
			if (!n->on_device)
				continue;
			unsigned mask = dev_operand_mask(n);
			for (int j = 0; j < n->nin; j++) {
				int v = n->in[j];
				if (v < 0 || dev_is_const(s, v) || dev_is_plan_time(s, v))
					continue;
				if (!(mask & (1u << j))) {
					/* Read as an attribute when planning: a key. */
					if (add_unique(&p->akeys, &p->nakeys, v))
						return -ENOMEM;
					continue;
				}
				int inside = 0;
				for (int k = p->first; k < i && !inside; k++)
					for (int o = 0; o < s->nodes[k].nout; o++)
						inside |= s->nodes[k].out[o] == v;
				if (!inside && add_unique(&p->ins, &p->nins, v))
					return -ENOMEM;
			}
			for (int o = 0; o < n->nout; o++) {
				int v = n->out[o];
				if (v < 0)
					continue;
				int needed = is_graph_output(s, v);
				for (int k = 0; k < s->nnodes && !needed; k++) {
					if (k >= p->first && k <= p->last)
						continue;
					for (int j = 0; j < s->nodes[k].nin; j++)
						needed |= s->nodes[k].in[j] == v;
				}
				if (needed && add_unique(&p->outs, &p->nouts, v))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

static uint64_t val_bytes(const struct dev_val *v)
{
	uint64_t n = art_dtype_size(v->dtype);
	for (int k = 0; k < v->ndim; k++)
		n *= (uint64_t)v->dims[k];
	n = (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	return n ? n : ARENA_ALIGN;
}

/* Evaluates plan-time node N on the host; its output becomes a constant
 * of the plan. Shape reads the plan's dims for device values. */
static int eval_plan_time(struct art_session *s, const struct rt_node *n, struct dev_val *dv)
{
	int rc;
	if (!strcmp(n->proto->op_type, "Shape")) {
		int v = n->in[0];
		const struct art_tensor *h = &s->vals[v].t;
		int nd = dv[v].known ? dv[v].ndim : h->ndim;
		const int64_t *dims = dv[v].known ? dv[v].dims : h->dims;
		if (!dv[v].known && !h->data)
			return rt_err(s, -EINVAL, "node '%s' (Shape): input '%s' has no shape yet",
				      n->name, s->vals[v].name);
		int64_t start = rt_attr_i(n, "start", 0), end = rt_attr_i(n, "end", nd);
		start = start < 0 ? start + nd : start;
		end = end < 0 ? end + nd : end;
		start = start < 0 ? 0 : start > nd ? nd : start;
		end = end < start ? start : end > nd ? nd : end;
		int64_t len = end - start, *o;
		rc = rt_alloc_out(s, n, 0, ART_INT64, 1, &len, (void **)&o);
		for (int64_t i = 0; !rc && i < len; i++)
			o[i] = dims[start + i];
	} else {
		rc = n->fn(s, n);
	}
	if (rc)
		return rc;
	int v = n->out[0];
	const struct art_tensor *t = &s->vals[v].t;
	s->vals[v].is_const = 1;
	dv[v].dtype = t->dtype;
	dv[v].ndim = t->ndim;
	memcpy(dv[v].dims, t->dims, sizeof(t->dims));
	dv[v].known = 1;
	return 0;
}

/* Shapes, placement in the arena and lifetime of device node I's output
 * and scratch; its inputs live until I. */
static int plan_node(struct art_session *s, const struct dev_partition *p, int i,
		     struct dev_val *dv)
{
	const struct rt_node *n = &s->nodes[i];
	int rc = dev_node_shapes(s, n, dv);
	if (rc)
		return rc;
	for (int j = 0; j < n->nout; j++) {
		if (n->out[j] < 0)
			continue;
		struct dev_val *o = &dv[n->out[j]];
		o->known = 1;
		if (dev_dtype(o->dtype) < 0)
			return rt_err(s, -EINVAL,
				      "node '%s' (%s): output dtype %s has no device form", n->name,
				      n->proto->op_type, rt_dtype_name(o->dtype));
		if (o->root == n->out[j]) {
			o->loc = DL_ARENA;
			o->def = i;
			o->last = i;
		}
	}
	if (n->reduced)
		dev_reduced_output(s, p, i, dv);
	uint64_t floats = n->reduced ? dev_reduced_scratch(s, n, dv) : dev_node_scratch(s, n, dv);
	const struct dev_op *op = dev_op_lookup(dev_op_name(n));
	if (!floats && op->form->scratch) {
		struct dev_shape sc = {s, n, op, dv};
		floats = op->form->scratch(&sc);
	}
	if (floats) {
		struct dev_val *t = &dv[s->nvals + i];
		t->loc = DL_ARENA;
		t->dtype = ART_FLOAT;
		t->ndim = 1;
		t->dims[0] = (int64_t)floats;
		t->known = 1;
		t->def = t->last = i;
	}
	for (int j = 0; j < n->nin; j++) {
		int v = n->in[j];
		if (v >= 0 && dv[dv[v].root].last < i)
			dv[dv[v].root].last = i;
	}
	return 0;
}

/* Arena offsets of the NENT entries of DV: first fit in order of
 * definition (ORDER is room for NENT indices); the arena's size. */
static uint64_t first_fit(struct dev_val *dv, int nent, int *order)
{
	int nord = 0;
	for (int v = 0; v < nent; v++)
		if (dv[v].loc == DL_ARENA && dv[v].root == v)
			order[nord++] = v;
	for (int a = 1; a < nord; a++)
		for (int b = a; b > 0 && dv[order[b]].def < dv[order[b - 1]].def; b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	uint64_t top = 0;
	for (int a = 0; a < nord; a++) {
		struct dev_val *x = &dv[order[a]];
		uint64_t size = val_bytes(x), off = 0;
		if (x->last < x->def)
			x->last = x->def;
		for (int moved = 1; moved;) {
			moved = 0;
			for (int b = 0; b < a; b++) {
				const struct dev_val *y = &dv[order[b]];
				if (y->def > x->last || x->def > y->last)
					continue;
				uint64_t yend = y->off + val_bytes(y);
				if (off < yend && y->off < off + size) {
					off = yend;
					moved = 1;
				}
			}
		}
		x->off = off;
		if (off + size > top)
			top = off + size;
	}
	return top;
}

int dev_plan(struct art_session *s, struct dev_partition *p, const struct art_tensor *const *ins)
{
	struct rt_device *d = s->dev;
	/* Values, then one scratch entry per node (dev_node_scratch()). */
	int nent = s->nvals + s->nnodes;
	struct dev_val *dv = calloc((size_t)nent, sizeof(*dv));
	struct art_tensor *shp = calloc((size_t)p->nins + 1, sizeof(*shp));
	int *order = calloc((size_t)nent + 1, sizeof(int));
	int rc = -ENOMEM;
	if (!p->skey_shape)
		p->skey_shape = calloc((size_t)p->nskeys + 1, sizeof(*p->skey_shape));
	if (!dv || !shp || !order || !p->skey_shape)
		goto fail;
	for (int v = 0; v < nent; v++) {
		dv[v].root = v;
		dv[v].def = INT_MAX;
		dv[v].last = INT_MIN;
		if (v < s->nvals && dev_is_const(s, v)) {
			const struct art_tensor *t = &s->vals[v].t;
			dv[v].dtype = dev_widened_param(s, v)	 ? ART_FLOAT
				      : dev_reduced_weight(s, v) ? s->precision
								 : t->dtype;
			dv[v].ndim = t->ndim;
			memcpy(dv[v].dims, t->dims, sizeof(t->dims));
			dv[v].known = 1;
			if (d->wofs[v] != UINT64_MAX) {
				dv[v].loc = DL_WEIGHTS;
				dv[v].off = d->wofs[v];
			}
		}
	}
	for (int i = 0; i < p->nins; i++) {
		int v = p->ins[i];
		const struct art_tensor *t = ins ? ins[i] : &s->vals[v].t;
		shp[i] = *t;
		shp[i].data = NULL;
		dv[v].dtype = t->dtype;
		dv[v].ndim = t->ndim;
		memcpy(dv[v].dims, t->dims, sizeof(t->dims));
		dv[v].loc = DL_ARENA;
		dv[v].def = -1;
		dv[v].known = 1;
	}
	for (int i = p->first; i <= p->last; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (n->plan_time) {
			rc = eval_plan_time(s, n, dv);
			if (rc)
				goto fail;
			continue;
		}
		if (n->on_device && (rc = plan_node(s, p, i, dv)))
			goto fail;
	}
	for (int i = 0; i < p->nouts; i++)
		dv[dv[p->outs[i]].root].last = INT_MAX;

	uint64_t top = first_fit(dv, nent, order);
	free(order);
	free(p->dv);
	free(p->in_shape);
	p->dv = dv;
	p->in_shape = shp;
	for (int i = 0; i < p->nskeys; i++) {
		p->skey_shape[i] = s->vals[p->skeys[i]].t;
		p->skey_shape[i].data = NULL;
	}
	if (p->nakeys && !p->akey_data) {
		p->akey_data = calloc((size_t)p->nakeys, sizeof(void *));
		p->akey_len = calloc((size_t)p->nakeys, sizeof(size_t));
		if (!p->akey_data || !p->akey_len)
			return rt_err(s, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < p->nakeys; i++) {
		const struct art_tensor *t = &s->vals[p->akeys[i]].t;
		size_t len = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
		void *c = malloc(len ? len : 1);
		if (!c)
			return rt_err(s, -ENOMEM, "out of memory");
		memcpy(c, t->data, len);
		free(p->akey_data[i]);
		p->akey_data[i] = c;
		p->akey_len[i] = len;
	}
	p->arena_size = top ? top : ARENA_ALIGN;
	p->planned = 1;
	p->plan_gen = ++d->gen;
	d->compiles++;
	return 0;
fail:
	free(dv);
	free(shp);
	free(order);
	return rc;
}
