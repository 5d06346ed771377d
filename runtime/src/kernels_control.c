// SPDX-License-Identifier: MIT
/* CPU reference kernels: control flow. If runs one branch, Loop runs its
 * body until the trip count or the condition ends it. Subgraph nodes share
 * the session's value table (session.c builds them), so a branch reads
 * outer-scope values directly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static int run_graph(struct art_session *s, const struct rt_graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		const struct rt_node *n = &g->nodes[i];
		int rc = rt_kernel_check_dtypes(s, n, 0);
		if (!rc)
			rc = n->fn(s, n);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct art_tensor *value_of(struct art_session *s, int v)
{
	return v >= 0 && s->vals[v].t.data ? &s->vals[v].t : NULL;
}

/* Output I of N becomes a copy of T. */
static int copy_out(struct art_session *s, const struct rt_node *n, int i,
		    const struct art_tensor *t)
{
	void *o;
	int rc = rt_alloc_out(s, n, i, t->dtype, t->ndim, t->dims, &o);
	if (!rc && o)
		memcpy(o, t->data, (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype));
	return rc;
}

static int k_if(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *c = rt_in(s, n, 0);
	NEED(c && art_tensor_elems(c) == 1, "node '%s' (If): cond must be one value", n->name);
	const struct rt_graph *g = n->sub[rt_get_d(c, 0) != 0 ? 0 : 1];
	NEED(g && g->noutputs == n->nout,
	     "node '%s' (If): branch missing or its output count differs from the node's", n->name);
	int rc = run_graph(s, g);
	for (int j = 0; !rc && j < n->nout; j++) {
		const struct art_tensor *t = value_of(s, g->outputs[j]);
		NEED(t, "node '%s' (If): branch output %d was not computed", n->name, j);
		rc = copy_out(s, n, j, t);
	}
	return rc;
}

/* An owned copy of a tensor. */
static int dup_tensor(const struct art_tensor *t, struct art_tensor *d)
{
	size_t nb = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
	void *p = malloc(nb ? nb : 1);
	if (!p)
		return -ENOMEM;
	if (nb)
		memcpy(p, t->data, nb);
	*d = *t;
	d->data = p;
	return 0;
}

struct scan_acc {
	struct art_tensor first; /* shape and type of iteration 0 */
	uint8_t *buf;
	size_t len, cap;
};

/* Loop: inputs M (trip count) and cond, both optional, then the carried
 * values; body inputs (iter, cond, carried...), body outputs (cond,
 * carried..., scan outputs...); scan outputs stack along a new axis 0. */
static int k_loop(struct art_session *s, const struct rt_node *n)
{
	const struct rt_graph *g = n->sub[0];
	int nexp = (int)n->proto->n_input, ncar = nexp - 2;
	NEED(g && ncar >= 0 && g->ninputs == ncar + 2 && g->noutputs >= ncar + 1 &&
		     n->nout == g->noutputs - 1,
	     "node '%s' (Loop): body inputs/outputs do not match the node's", n->name);
	int nscan = g->noutputs - 1 - ncar;
	const struct art_tensor *mt = rt_in(s, n, 0), *ct = rt_in(s, n, 1);
	NEED((!mt || art_tensor_elems(mt) == 1) && (!ct || art_tensor_elems(ct) == 1),
	     "node '%s' (Loop): trip count and condition must be one value each", n->name);
	int64_t trips = mt ? rt_get_i(mt, 0) : INT64_MAX;
	int cond = ct ? rt_get_d(ct, 0) != 0 : 1, rc = 0;
	struct art_tensor *car = calloc((size_t)ncar + 1, sizeof(*car));
	struct scan_acc *sc = calloc((size_t)nscan + 1, sizeof(*sc));
	if (!car || !sc) {
		free(car);
		free(sc);
		return rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory", n->name);
	}
	for (int k = 0; k < ncar && !rc; k++) {
		const struct art_tensor *t = rt_in(s, n, 2 + k);
		if (!t)
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): carried input %d missing",
				    n->name, k);
		else if (dup_tensor(t, &car[k]))
			rc = rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory", n->name);
	}
	int64_t it = 0;
	for (; !rc && it < trips && cond; it++) {
		int64_t iv = it;
		uint8_t cv = 1;
		struct art_tensor ti = {.dtype = ART_INT64, .ndim = 0, .data = &iv};
		struct art_tensor tc = {.dtype = ART_BOOL, .ndim = 0, .data = &cv};
		rc = rt_value_set(s, g->inputs[0], &ti);
		if (!rc)
			rc = rt_value_set(s, g->inputs[1], &tc);
		for (int k = 0; k < ncar && !rc; k++)
			rc = rt_value_set(s, g->inputs[2 + k], &car[k]);
		if (!rc)
			rc = run_graph(s, g);
		if (rc)
			break;
		const struct art_tensor *co = value_of(s, g->outputs[0]);
		if (!co || art_tensor_elems(co) != 1) {
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): body cond output missing",
				    n->name);
			break;
		}
		cond = rt_get_d(co, 0) != 0;
		for (int k = 0; k < ncar && !rc; k++) {
			const struct art_tensor *t = value_of(s, g->outputs[1 + k]);
			struct art_tensor d;
			if (!t || dup_tensor(t, &d)) {
				rc = rt_err(s, -EINVAL,
					    "node '%s' (Loop): carried output %d missing", n->name,
					    k);
				break;
			}
			free((void *)car[k].data);
			car[k] = d;
		}
		for (int k = 0; k < nscan && !rc; k++) {
			const struct art_tensor *t = value_of(s, g->outputs[1 + ncar + k]);
			struct scan_acc *a = &sc[k];
			if (!t) {
				rc = rt_err(s, -EINVAL, "node '%s' (Loop): scan output %d missing",
					    n->name, k);
				break;
			}
			if (it == 0) {
				a->first = *t;
				a->first.data = NULL;
			} else if (t->dtype != a->first.dtype || t->ndim != a->first.ndim ||
				   memcmp(t->dims, a->first.dims,
					  sizeof(int64_t) * (size_t)t->ndim)) {
				rc = rt_err(s, -EINVAL,
					    "node '%s' (Loop): scan output %d changes shape at "
					    "iteration %lld",
					    n->name, k, (long long)it);
				break;
			}
			size_t nb = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
			if (a->len + nb > a->cap) {
				size_t cap = (a->cap + nb) * 2;
				uint8_t *p = realloc(a->buf, cap);
				if (!p) {
					rc = rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory",
						    n->name);
					break;
				}
				a->buf = p;
				a->cap = cap;
			}
			memcpy(a->buf + a->len, t->data, nb);
			a->len += nb;
		}
	}
	for (int k = 0; k < ncar && !rc; k++)
		rc = copy_out(s, n, k, &car[k]);
	for (int k = 0; k < nscan && !rc; k++) {
		struct art_tensor st = sc[k].first;
		if (st.ndim >= ART_MAX_DIMS) {
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): scan output rank too large",
				    n->name);
			break;
		}
		if (it == 0) /* no iteration: an empty float tensor [0] */
			st = (struct art_tensor){.dtype = ART_FLOAT, .ndim = 0};
		memmove(st.dims + 1, st.dims, sizeof(int64_t) * (size_t)st.ndim);
		st.dims[0] = it;
		st.ndim++;
		st.data = sc[k].buf ? (const void *)sc[k].buf : (const void *)"";
		rc = copy_out(s, n, ncar + k, &st);
	}
	for (int k = 0; k < ncar; k++)
		free((void *)car[k].data);
	for (int k = 0; k < nscan; k++)
		free(sc[k].buf);
	free(car);
	free(sc);
	return rc;
}

const struct rt_kernel_entry rt_kernels_control[] = {
	{"If", k_if},
	{"Loop", k_loop},
	{NULL, NULL},
};
